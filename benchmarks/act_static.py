#!/usr/bin/env python3
"""Score the static accessibility engine against the ACT Rules test cases, and time it.

    .venv/bin/python benchmarks/act_static.py [benchmarks/act/dev.jsonl] [--all] [--show-misses]

Three scores follow each other: the ACT cases (page level, and element level as far as the
cases allow, see ``score``), then axe-core's own rule fixtures element by element, on a
development split and a held-out split (``benchmarks/axe_fixtures_eval.py``), then the
project's own rule cases, a tuning file and a held-out file written before the engine was
changed on the tuning one (``benchmarks/static_cases_eval.py``), element and page level.

A case is *flagged* when the engine reports any axe-core rule mapped to the case's ACT
rule in benchmarks/act/axe_map.json (``axe_rules`` plus ``suggested_axe_rules``).  A
flagged failed case is a true positive, an unflagged one a false negative; a flagged
passed or inapplicable case is a false positive.  Only cases whose ``needs`` is
``static`` are scored, and by default only non-deprecated rules (``--all`` adds the
deprecated ones).  Precision and recall are printed per ACT rule, then micro (summed
counts) and macro (mean over rules).

Speed is measured on the ACT pages and on a generated ~80 KB council "Local Offer" page
(header, mega-menu, 100+ links, cards, a search form, a table, footer), since that is
what the crawler feeds the engine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from audit.a11y.static import check_html  # noqa: E402
from benchmarks.axe_fixtures_eval import score_fixtures  # noqa: E402
from benchmarks.static_cases_eval import CASES, score_file  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cases(path: str, include_deprecated: bool) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    return [c for c in cases if c["needs"] == "static" and (include_deprecated or not c["deprecated"])]


def score(cases: list[dict], axe_map: dict) -> dict[str, Counter]:
    """Outcome counts (TP/FN/FP/TN) per ACT rule, with the misses as 'FP:<case id>' keys.

    Element level: the ACT cases do not name their failing elements, so what can be counted
    is 'el_FP', each element reported (under a mapped rule) on a passed or inapplicable case,
    and 'el_TP', the elements reported on failed cases (at least one per flagged case)."""
    per_rule: dict[str, Counter] = {}
    for case in cases:
        entry = axe_map["rules"].get(case["rule_id"], {})
        mapped = set(entry.get("axe_rules", [])) | set(entry.get("suggested_axe_rules", [])) | {case["rule_id"]}
        violations = [v for v in check_html(case["html"]) if v.rule in mapped]
        flagged = bool(violations)
        failed = case["expected"] == "failed"
        outcome = ("TP" if flagged else "FN") if failed else ("FP" if flagged else "TN")
        counts = per_rule.setdefault(case["rule_id"], Counter())
        counts[outcome] += 1
        counts["el_TP" if failed else "el_FP"] += sum(v.count for v in violations)
        if outcome in ("FP", "FN"):
            counts[f"{outcome}:{case['case_id']}"] += 1
    return per_rule


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def fmt(x: float | None) -> str:
    return "    -" if x is None else f"{x:5.2f}"


def council_page(n_links: int = 140, n_cards: int = 90) -> str:
    """A realistic ~80 KB Local Offer page, with a few of the usual faults mixed in."""
    nav = "".join(f'<li class="menu__item"><a class="menu__link" href="/kb5/council/localoffer/service.page?id={i}">'
                  f'Service directory category {i}</a></li>' for i in range(n_links))
    cards = "".join(
        f'<article class="card" id="card-{i}"><h3 class="card__title"><a href="/directory/service/{i}">'
        f'Short breaks and activities for children with SEND, provider {i}</a></h3>'
        f'<img src="/img/{i}.jpg" alt="{"" if i % 3 else "Children playing"}">'
        f'<p class="card__summary">Support for children and young people aged 0 to 25 with special educational '
        f'needs and disabilities, their parents and carers. Contact the team on 01234 567{i:03d}.</p>'
        f'<ul class="card__meta"><li><span class="icon" aria-hidden="true"></span> Age 5 to 18</li>'
        f'<li><a href="mailto:team{i}@example.gov.uk" aria-label="Email provider {i}"><svg aria-hidden="true" '
        f'viewBox="0 0 10 10"><path d="M0 0h10v10H0z"/></svg></a></li></ul></article>' for i in range(n_cards))
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>Short breaks | SEND Local Offer | Example Council</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>.visually-hidden{{position:absolute;left:-9999px}} .js-hidden{{display:none}}</style></head>
<body><a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><a href="/" class="logo"><img src="/logo.svg" alt="Example Council"></a>
<form role="search" action="/search"><label for="q" class="visually-hidden">Search the Local Offer</label>
<input id="q" name="q" type="search" autocomplete="off"><button type="submit"><span class="icon"></span>
<span class="visually-hidden">Search</span></button></form>
<nav aria-label="Main menu"><ul class="menu">{nav}</ul></nav></header>
<main id="main"><h1>Short breaks</h1><h2></h2><div class="cards">{cards}</div>
<table class="data"><caption>Opening times</caption><tr><th>Day</th><th>Hours</th></tr>
<tr><td>Monday</td><td>9 to 5</td></tr><tr><td>Tuesday</td><td>9 to 5</td></tr></table>
<iframe src="https://maps.example.com/embed?q=office" width="600" height="300"></iframe>
<details><summary>Accessibility of this page</summary><p>We aim to meet WCAG 2.2 AA.</p></details></main>
<footer><ul>{"".join(f'<li><a href="/footer/{i}">Footer link {i}</a></li>' for i in range(20))}</ul>
<p>&copy; Example Council</p></footer></body></html>"""


def time_pages(pages: list[str], repeat: int) -> float:
    """Seconds per page, best of ``repeat`` rounds over ``pages``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for page in pages:
            check_html(page)
        best = min(best, (time.perf_counter() - start) / len(pages))
    return best


def print_fixtures(show_misses: bool) -> None:
    """Element-level figures on axe-core's rule fixtures, per rule, dev and held-out apart
    (misses are listed for the dev split only: the held-out split is not to be tuned on)."""
    scores = score_fixtures()
    print()
    print("axe-core rule fixtures, element level (dev | held-out; out of reach: frame/shadow content)")
    print(f"{'rule':27} {'TP':>3} {'FN':>3} {'FP':>3} {'TN':>3} {'prec':>5} {'rec':>5} | "
          f"{'TP':>3} {'FN':>3} {'FP':>3} {'TN':>3} {'prec':>5} {'rec':>5} | out")
    totals = {"dev": Counter(), "held-out": Counter()}
    for rule, score in sorted(scores.items()):
        cells = []
        for split in ("dev", "held-out"):
            c = score.counts.get(split, Counter())
            totals[split].update(c)
            cells.append(f"{c['TP']:3d} {c['FN']:3d} {c['FP']:3d} {c['TN']:3d} "
                         f"{fmt(ratio(c['TP'], c['TP'] + c['FP']))} {fmt(ratio(c['TP'], c['TP'] + c['FN']))}")
        print(f"{rule:27} {cells[0]} | {cells[1]} | {score.out_of_reach:3d}")
        if show_misses:
            for split, outcome, where, selector in score.misses:
                if split == "dev":
                    print(f"        {outcome} {where} {selector}")
    print("-" * 72)
    for split, c in totals.items():
        print(f"{split:8}: elements {sum(c.values())}  TP {c['TP']}  FN {c['FN']}  FP {c['FP']}  TN {c['TN']}  "
              f"precision {fmt(ratio(c['TP'], c['TP'] + c['FP']))}  recall {fmt(ratio(c['TP'], c['TP'] + c['FN']))}")


def print_rule_cases(show_misses: bool) -> None:
    """The project's own rule cases (benchmarks/static_cases), element and page level, per
    rule, tuning and held-out apart (misses are listed for the tuning file only)."""
    scores = {split: score_file(os.path.join(CASES, f"{split}.txt")) for split in ("tuning", "held_out")}
    print()
    print("own rule cases, element level (el) and page level (pg): tuning | held-out")
    print(f"{'rule':27} {'el TP':>5} {'FN':>3} {'FP':>3} {'pg P':>5} {'pg R':>5} | "
          f"{'el TP':>5} {'FN':>3} {'FP':>3} {'el P':>5} {'el R':>5} {'pg P':>5} {'pg R':>5}")
    totals = {split: Counter() for split in scores}
    for rule in sorted(set(scores["tuning"]) | set(scores["held_out"])):
        cells = []
        for split in ("tuning", "held_out"):
            c = scores[split].get(rule, (Counter(), []))[0]
            totals[split].update(c)
            page = (fmt(ratio(c["page_TP"], c["page_TP"] + c["page_FP"])) + " "
                    + fmt(ratio(c["page_TP"], c["page_TP"] + c["page_FN"])))
            element = f"{c['TP']:5d} {c['FN']:3d} {c['FP']:3d}"
            if split == "held_out":
                element += (f" {fmt(ratio(c['TP'], c['TP'] + c['FP']))}"
                            f" {fmt(ratio(c['TP'], c['TP'] + c['FN']))}")
            cells.append(f"{element} {page}")
        print(f"{rule:27} {cells[0]} | {cells[1]}")
        if show_misses:
            for miss in scores["tuning"].get(rule, (None, []))[1]:
                print(f"        {miss}")
    print("-" * 72)
    for split, c in totals.items():
        print(f"{split:8}: elements TP {c['TP']}  FN {c['FN']}  FP {c['FP']}  precision "
              f"{fmt(ratio(c['TP'], c['TP'] + c['FP']))}  recall {fmt(ratio(c['TP'], c['TP'] + c['FN']))}; "
              f"pages {sum(c[k] for k in ('page_TP', 'page_FN', 'page_FP', 'page_TN'))}  precision "
              f"{fmt(ratio(c['page_TP'], c['page_TP'] + c['page_FP']))}  recall "
              f"{fmt(ratio(c['page_TP'], c['page_TP'] + c['page_FN']))}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="?", default=os.path.join(HERE, "act", "dev.jsonl"))
    ap.add_argument("--map", default=os.path.join(HERE, "act", "axe_map.json"))
    ap.add_argument("--all", action="store_true", help="include the deprecated ACT rules")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args(argv)
    cases = load_cases(args.cases, args.all)
    with open(args.map, encoding="utf-8") as fh:
        axe_map = json.load(fh)
    per_rule = score(cases, axe_map)

    print(f"{'rule':7} {'n':>3} {'TP':>3} {'FN':>3} {'FP':>3} {'TN':>3} {'prec':>5} {'rec':>5}  axe rules")
    total, precisions, recalls = Counter(), [], []
    for rule_id in sorted(per_rule):
        c = per_rule[rule_id]
        for k in ("TP", "FN", "FP", "TN"):
            total[k] += c[k]
        p, r = ratio(c["TP"], c["TP"] + c["FP"]), ratio(c["TP"], c["TP"] + c["FN"])
        precisions += [p] if p is not None else []
        recalls += [r] if r is not None else []
        entry = axe_map["rules"].get(rule_id, {})
        mapped = ",".join(entry.get("axe_rules", []) + entry.get("suggested_axe_rules", [])) or "(none)"
        n = sum(c[k] for k in ("TP", "FN", "FP", "TN"))
        print(f"{rule_id:7} {n:3d} {c['TP']:3d} {c['FN']:3d} {c['FP']:3d} {c['TN']:3d} {fmt(p)} {fmt(r)}  {mapped}")
        if args.show_misses:
            misses = sorted(k for k in c if ":" in k)
            if misses:
                print("        misses: " + " ".join(misses))
    P = ratio(total["TP"], total["TP"] + total["FP"])
    R = ratio(total["TP"], total["TP"] + total["FN"])
    print("-" * 72)
    print(f"micro: cases {sum(total.values())}  TP {total['TP']}  FN {total['FN']}  FP {total['FP']}  "
          f"TN {total['TN']}  precision {fmt(P)}  recall {fmt(R)}")
    print(f"macro over {len(per_rule)} rules: precision {fmt(ratio(sum(precisions), len(precisions)))}  "
          f"recall {fmt(ratio(sum(recalls), len(recalls)))}")

    el_tp, el_fp = sum(c["el_TP"] for c in per_rule.values()), sum(c["el_FP"] for c in per_rule.values())
    print(f"element level: {el_tp} elements reported on failed cases, {el_fp} on passed/inapplicable ones "
          f"(each a false positive): precision {fmt(ratio(el_tp, el_tp + el_fp))}")
    print_fixtures(args.show_misses)
    print_rule_cases(args.show_misses)

    act_pages = [c["html"] for c in cases]
    per_act = time_pages(act_pages, 3)
    page = council_page()
    per_council = time_pages([page], 20)
    print(f"speed: ACT pages {1 / per_act:8.0f} pages/s ({per_act * 1000:.2f} ms/page)")
    print(f"speed: {len(page) / 1024:.0f} KB council page {1 / per_council:6.0f} pages/s "
          f"({per_council * 1000:.2f} ms/page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
