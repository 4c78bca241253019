"""Element- and page-level scoring of the static engine on the project's own rule cases.

``benchmarks/static_cases/held_out.txt`` and ``tuning.txt`` hold cases written for issue 23
from the ACT rule texts, axe-core's rule and check sources and the HTML-ARIA mappings (each
case names its source). A case is one rule and an HTML fragment (or a whole document) whose
failing elements carry ``data-fail``; elements axe-core leaves for review carry ``data-skip``
and are not scored. Element level: a reported ``data-fail`` element is a TP, a missed one an
FN, any other reported element an FP. Page level: a case with a ``data-fail`` element is a
failed case, flagged when the engine reports anything (not skipped) under the rule.

The held-out file was written before any engine change for the issue and is not tuned on;
the tuning file is where the misses that guided the changes come from.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from audit.a11y.static import check_html

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static_cases")
PAGE = ('<!DOCTYPE html><html lang="en"><head><title>rule case</title></head>'
        '<body>{}</body></html>')
_HEADER = re.compile(r"^=== *([\w-]+) *\| *(.*?) *\| *(.*?) *$")


@dataclass
class Case:
    rule: str
    source: str
    what: str
    html: str


def load(path: str) -> list[Case]:
    """The cases of one file: a '=== rule | source | what' line, then the HTML up to the next one."""
    cases: list[Case] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = _HEADER.match(line)
            if m:
                cases.append(Case(m.group(1), m.group(2), m.group(3), ""))
            elif cases and not line.startswith("#"):
                cases[-1].html += line
    for case in cases:
        body = case.html.strip()
        case.html = body if re.match(r"<!doctype|<html", body, re.I) else PAGE.format(body)
    return cases


def score_case(case: Case) -> tuple[Counter, list[str]]:
    """Element outcomes (TP/FN/FP) and page outcome of one case, and its missed elements."""
    tree = LexborHTMLParser(case.html)
    expected = {n.mem_id: n for n in tree.css("[data-fail]")}
    skipped = {n.mem_id for n in tree.css("[data-skip]")}
    reported = {}
    for v in check_html(case.html):
        if v.rule == case.rule:
            for target in v.targets:
                for node in tree.css(target):
                    reported.setdefault(node.mem_id, target)
    counts, misses = Counter(), []
    for mem_id, node in expected.items():
        hit = mem_id in reported
        counts["TP" if hit else "FN"] += 1
        if not hit:
            misses.append("FN " + node.html[:90])
    for mem_id, target in reported.items():
        if mem_id not in expected and mem_id not in skipped:
            counts["FP"] += 1
            misses.append("FP " + target)
    flagged = any(m not in skipped for m in reported)
    counts["page_" + (("TP" if flagged else "FN") if expected else ("FP" if flagged else "TN"))] += 1
    return counts, misses


def score_file(path: str) -> dict[str, tuple[Counter, list[str]]]:
    """Per axe rule: summed counts and the misses (as 'case what: outcome element')."""
    out: dict[str, tuple[Counter, list[str]]] = {}
    for case in load(path):
        counts, misses = score_case(case)
        total, listed = out.setdefault(case.rule, (Counter(), []))
        total.update(counts)
        listed.extend(f"{case.what}: {m}" for m in misses)
    return out
