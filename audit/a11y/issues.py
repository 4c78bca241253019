"""Distinct accessibility issues: the same rule failing on the same template element counts
once, however many pages repeat it.

On a real council site most pages fail some rule in a shared header or footer: a search box
without a label on 4,212 pages is one thing for a web team to fix, not 4,212. Each failing
element gets a **template**: the tag names of its ancestors from ``<html>`` down (ids and
the positions of repeated items left out, so the fifth card of a list and the first, or the
search box on ``/a`` and on ``/b/c``, read alike) and its markup shape (tag, classes with
digits written ``#``, the names of its attributes, its ``type`` and ``role``)::

    html > body > header > form > input.search-input[name,placeholder] type=search

An issue is a (rule, template) pair; its **signature** is a short digest of the template.
The static engine writes templates from its own element tree (``template``); axe-core's run
writes them with the same recipe in the browser (``audit.a11y.axe._TEMPLATE_JS``).

Both engines report on the pages axe checked; an issue comes from the static engine for
the rules it implements (it checks every page, so "pages affected" is complete), and from
axe-core for the rules only a browser can judge (colour contrast first), counted on the
pages axe checked. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

# Points an issue weighs by its impact (axe-core's four levels): what a barrier costs a user.
IMPACT_WEIGHT = {"critical": 3.0, "serious": 2.0, "moderate": 1.0, "minor": 0.5}
IMPACT_ORDER = ("critical", "serious", "moderate", "minor")
_DIGITS = re.compile(r"[0-9]+")


def template(el) -> str:
    """The template of a static-engine element (``audit.a11y.names.El``)."""
    path = []
    parent = el.parent
    while parent is not None:
        path.append(parent.tag)
        parent = parent.parent
    path.reverse()
    attrs = el.attrs
    classes = sorted({_DIGITS.sub("#", c) for c in (attrs.get("class") or "").split()})
    names = sorted({a.lower() for a in attrs if a not in ("id", "class")})
    shape = el.tag + "".join("." + c for c in classes) + "[" + ",".join(names) + "]"
    for name in ("type", "role"):
        value = (attrs.get(name) or "").strip().lower()
        if value:
            shape += f" {name}={value}"
    return " > ".join([*path, shape])


def signature(template_text: str) -> str:
    """A short stable id of a template: 12 hex digits of its SHA-1 ("" for no template)."""
    return hashlib.sha1(template_text.encode("utf-8")).hexdigest()[:12] if template_text else ""


def impact_weight(impact: str | None) -> float:
    return IMPACT_WEIGHT.get(impact or "", IMPACT_WEIGHT["minor"])


def issue_weight(impact: str | None, pages_affected: int, pages_checked: int) -> float:
    """What one distinct issue costs: its impact weight x (0.25 + 0.75 x the share of the
    checked pages it is on). A slip on one page of a large site costs a quarter of its
    weight; a barrier on every page, all of it."""
    share = min(1.0, pages_affected / pages_checked) if pages_checked else 1.0
    return impact_weight(impact) * (0.25 + 0.75 * share)


@dataclass
class Issue:
    rule: str
    signature: str
    template: str
    impact: str
    engine: str
    pages: set[str] = field(default_factory=set)
    elements: int = 0
    example_url: str = ""
    example_target: str = ""

    def row(self, pages_checked: int) -> dict:
        """Its a11y_distinct_issues row."""
        return {"rule": self.rule, "signature": self.signature, "template": self.template, "impact": self.impact,
                "engine": self.engine, "pages_affected": len(self.pages), "pages_checked": pages_checked,
                "elements": self.elements, "example_url": self.example_url, "example_target": self.example_target,
                "weight": round(issue_weight(self.impact, len(self.pages), pages_checked), 4)}


def distinct_issues(rows: list[dict], templates: dict[str, str], static_rules: frozenset[str]) -> list[Issue]:
    """Group ``a11y_results`` rows (with their ``signatures``) into distinct issues, ordered
    by impact then pages affected (most first). ``templates``: signature -> template.
    A rule the static engine implements is taken from its rows, any other rule from axe's."""
    issues: dict[tuple[str, str], Issue] = {}
    for row in rows:
        if row["count"] <= 0 or (row["engine"] == "static") != (row["rule"] in static_rules):
            continue
        targets = json.loads(row["targets"] or "[]")
        signatures = json.loads(row.get("signatures") or "[]")
        for i, target in enumerate(targets):
            sig = signatures[i] if i < len(signatures) and signatures[i] else signature("target " + target)
            issue = issues.get((row["rule"], sig))
            if issue is None:
                issue = issues[(row["rule"], sig)] = Issue(
                    row["rule"], sig, templates.get(sig, target), row["impact"] or "minor", row["engine"],
                    example_url=row["url"], example_target=target)
            issue.pages.add(row["url"])
            issue.elements += 1
    return sorted(issues.values(), key=lambda i: (-impact_weight(i.impact) * len(i.pages), i.rule, i.signature))
