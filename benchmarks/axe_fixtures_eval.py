"""Element-level scoring of the static engine on axe-core's own rule fixtures.

Each fixture in ``benchmarks/axe_fixtures/<rule>/`` (copied from axe-core, see the README
there) is an HTML fragment plus a JSON file listing, by CSS selector, the elements axe-core
must report (``violations``), must pass (``passes``) and cannot decide (``incomplete``) for
that rule.  axe-core's runner puts the fragment into ``<div id="fixture">`` with
``innerHTML`` (so its scripts never run) and checks the rule on that element only; the
same page is built here and handed to ``check_html``.

Element outcomes for the fixture's rule: a listed violation the engine reports is a TP,
one it misses an FN; a reported element listed as a pass, or not listed at all, is an FP;
``incomplete`` elements are not scored.  Elements inside an iframe loaded from ``src`` or
inside a shadow root (selector paths of more than one step, or nested lists) are out of a
one-page static checker's reach: they are counted apart and not scored.

The held-out split is fixed by a hash of (rule, selector path), decided before any result
was looked at: ``held_out(key)`` is true for ~30% of elements.  Develop on the dev split
only (``--show-misses`` prints dev misses alone); report held-out figures, never tune on them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from audit.a11y.static import check_html

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "axe_fixtures")
PAGE = ('<!DOCTYPE html><html lang="en"><head><title>axe-core fixture</title></head>'
        '<body><div id="fixture">{}</div></body></html>')


def held_out(key: str) -> bool:
    """Element ``key`` ("rule|selector path") belongs to the held-out split (3 in 10 by hash)."""
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10 >= 7


@dataclass
class Score:
    counts: dict[str, Counter] = field(default_factory=dict)  # "dev"/"held-out" -> TP FN FP TN
    out_of_reach: int = 0
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # split, outcome, file, selector

    def add(self, split: str, outcome: str, where: str, selector: str) -> None:
        self.counts.setdefault(split, Counter())[outcome] += 1
        if outcome in ("FN", "FP"):
            self.misses.append((split, outcome, where, selector))


def fixtures(root: str = FIXTURES):
    """(rule, fixture file name, html, expectations) for every fixture with a JSON file."""
    for rule in sorted(os.listdir(root)):
        folder = os.path.join(root, rule)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                spec = json.load(fh)
            with open(os.path.join(folder, name[:-5] + ".html"), encoding="utf-8") as fh:
                yield spec.get("rule", rule), f"{rule}/{name[:-5]}", fh.read(), spec


def _reachable(path: list) -> bool:
    return len(path) == 1 and isinstance(path[0], str)


def score_fixtures(root: str = FIXTURES) -> dict[str, Score]:
    """Per axe rule, the element outcomes on its fixtures."""
    scores: dict[str, Score] = {}
    for rule, where, fragment, spec in fixtures(root):
        score = scores.setdefault(rule, Score())
        html = PAGE.format(fragment)
        tree = LexborHTMLParser(html)
        fixture = tree.css_first("#fixture")
        inside = {n.mem_id for n in fixture.traverse(include_text=False)} - {fixture.mem_id}

        def nodes(selector: str) -> set[int]:
            return {n.mem_id for n in tree.css(selector)} & inside

        expected: dict[int, tuple[str, str]] = {}  # node -> (kind, selector)
        for kind in ("violations", "passes", "incomplete"):
            for path in spec.get(kind, []):
                if not _reachable(path):
                    score.out_of_reach += kind != "incomplete"
                    continue
                for node in nodes(path[0]):
                    expected[node] = (kind, path[0])
        reported: dict[int, str] = {}
        for v in check_html(html):
            if v.rule == rule:
                for target in v.targets:
                    for node in nodes(target):
                        reported[node] = target
        for node, (kind, selector) in expected.items():
            split = "held-out" if held_out(f"{rule}|{selector}") else "dev"
            if kind == "violations":
                score.add(split, "TP" if node in reported else "FN", where, selector)
            elif kind == "passes":
                score.add(split, "FP" if node in reported else "TN", where, selector)
        for node, target in reported.items():
            if node not in expected:
                split = "held-out" if held_out(f"{rule}|{target}") else "dev"
                score.add(split, "FP", where, target)
    return scores
