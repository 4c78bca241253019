#!/usr/bin/env python3
"""The two accessibility engines side by side: speed and (page, rule) agreement.

    .venv/bin/python benchmarks/engines.py [--act benchmarks/act/dev.jsonl] [--no-demo] [--no-act] [--limit N]

Pages:
* the ACT Rules dev cases (``needs == static``, not deprecated) whose ACT rule maps to an
  axe-core rule the static engine implements; compared on those mapped rules only (the
  rule the case was written for: other rules on a test snippet are incidental);
* every demo page under ``data/demo/sites`` (``*.html``, ``*.htm``, ``*.page`` and their
  ``--query`` variants), at its demo URL; compared on every rule both engines implement.

Both engines see the same HTML: axe runs in headless Chromium on the archived document
(``AxeBrowser.check_archived``: no sub-resource is fetched), one browser for all pages.
A rule is compared on a page only when axe-core ran it there; pairs axe left "incomplete"
are not compared (see ``audit.a11y.agreement``).  Prints pages/second and ms/page per
engine, the speed ratio, agreement per rule and overall, and every disagreement with the
elements each engine reported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit import a11y_agreement  # noqa: E402
from audit.a11y.static import RULES, check_html  # noqa: E402

DEMO_SITES = ROOT / "data" / "demo" / "sites"


def act_pages(path: Path) -> list[dict]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            case = json.loads(line)
            if case["needs"] != "static" or case["deprecated"]:
                continue
            rules = (set(case.get("axe_rules") or []) | set(case.get("suggested_axe_rules") or [])) & set(RULES)
            if rules:
                out.append({"id": f"act:{case['case_id']}", "url": case["url"], "html": case["html"],
                            "rules": rules, "expected": case["expected"]})
    return out


def demo_pages() -> list[dict]:
    out = []
    for file in sorted(DEMO_SITES.rglob("*")):
        name = file.name
        if not file.is_file() or not (name.endswith((".html", ".htm", ".page")) or ".page--" in name):
            continue
        rel = file.relative_to(DEMO_SITES).as_posix()
        host, _, path = rel.partition("/")
        path, _, query = path.partition("--")
        url = f"http://{host}/{path}" + (f"?{query.replace(',', '&')}" if query else "")
        html = file.read_text(encoding="utf-8", errors="replace")
        out.append({"id": f"demo:{rel}", "url": url, "html": html, "rules": None})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--act", type=Path, default=ROOT / "benchmarks" / "act" / "dev.jsonl")
    ap.add_argument("--no-act", action="store_true")
    ap.add_argument("--no-demo", action="store_true")
    ap.add_argument("--limit", type=int, default=0, help="at most N pages of each set (0: all)")
    ap.add_argument("--static-repeat", type=int, default=5, help="static engine timing repeats (best kept)")
    args = ap.parse_args(argv)

    sets = {}
    if not args.no_act:
        sets["ACT dev cases"] = act_pages(args.act)
    if not args.no_demo:
        sets["demo sites"] = demo_pages()
    if args.limit:
        sets = {k: v[: args.limit] for k, v in sets.items()}
    pages = [p for ps in sets.values() for p in ps]
    if not pages:
        print("no pages")
        return 1

    from audit.a11y.axe import AxeBrowser, axe_version

    # static engine: best of several runs over all pages (it is fast; one run is noisy)
    static_results, static_best = {}, float("inf")
    for _ in range(max(1, args.static_repeat)):
        t0 = time.perf_counter()
        for p in pages:
            static_results[p["id"]] = check_html(p["html"], p["url"])
        static_best = min(static_best, time.perf_counter() - t0)

    axe_results, failures = {}, []
    with AxeBrowser() as browser:
        browser.check_archived("http://warm.up.example/", "<!doctype html><title>x</title>")
        t0 = time.perf_counter()
        for p in pages:
            try:
                axe_results[p["id"]] = browser.check_archived(p["url"], p["html"])
            except Exception as e:  # noqa: BLE001 - report and go on
                failures.append((p["id"], str(e).splitlines()[0]))
        axe_time = time.perf_counter() - t0

    n = len(pages)
    print(f"axe-core {axe_version()} in {os.environ.get('LO_AUDIT_CHROMIUM', '/usr/bin/chromium')}; "
          f"{n} pages ({', '.join(f'{k}: {len(v)}' for k, v in sets.items())})")
    print(f"  static: {n / static_best:9.1f} pages/s  {1000 * static_best / n:8.2f} ms/page "
          f"(best of {args.static_repeat})")
    print(f"  axe:    {n / axe_time:9.1f} pages/s  {1000 * axe_time / n:8.2f} ms/page "
          f"(one Chromium, archived HTML)")
    print(f"  static is {axe_time / static_best:.0f}x faster per page")
    for pid, err in failures:
        print(f"  axe failed on {pid}: {err}")

    shared = set(RULES)
    total_pairs = total_agree = 0
    for name, ps in sets.items():
        static_flags, axe_flags, ran, incomplete = {}, {}, {}, {}
        for p in ps:
            if p["id"] not in axe_results:
                continue
            res = axe_results[p["id"]]
            static_flags[p["id"]] = {v.rule for v in static_results[p["id"]]}
            axe_flags[p["id"]] = {v.rule for v in res["violations"]}
            rules_here = set(res["rules_run"]) & shared
            ran[p["id"]] = rules_here & p["rules"] if p["rules"] is not None else rules_here
            incomplete[p["id"]] = set(res["incomplete_rules"])
        agreement = a11y_agreement.compare(static_flags, axe_flags, ran, incomplete)
        total_pairs += agreement.pairs
        total_agree += agreement.agreeing
        pct = 100 * agreement.agreement if agreement.agreement is not None else float("nan")
        print(f"\n{name}: {agreement.agreeing}/{agreement.pairs} (page, rule) pairs agree = {pct:.2f}%")
        print(f"  {'rule':28} {'pages':>5} {'both':>5} {'static':>6} {'axe':>5} {'neither':>7} {'undec':>5}  agree")
        for r in sorted(agreement.rules.values(), key=lambda r: (r.agreement or 0, r.rule)):
            if r.static_only or r.axe_only or r.undecided or r.both:
                print(f"  {r.rule:28} {r.pages:5} {r.both:5} {r.static_only:6} {r.axe_only:5} {r.neither:7} "
                      f"{r.undecided:5}  {100 * r.agreement:5.1f}%")
        quiet = [r.rule for r in agreement.rules.values() if not (r.static_only or r.axe_only or r.undecided or r.both)]
        if quiet:
            print(f"  (+{len(quiet)} rules neither engine flagged on any page)")
        if agreement.disagreements:
            print(f"  disagreements ({len(agreement.disagreements)}):")
        by_id = {p["id"]: p for p in ps}
        for pid, rule, engine in agreement.disagreements:
            s_t = next((list(v.targets) for v in static_results[pid] if v.rule == rule), [])
            a_t = next((list(v.targets) for v in axe_results[pid]["violations"] if v.rule == rule), [])
            extra = f" expected={by_id[pid]['expected']}" if by_id[pid].get("expected") else ""
            print(f"    {pid}  {rule}  only {engine}{extra}  static={s_t[:3]} axe={a_t[:3]}")
    if total_pairs:
        print(f"\noverall: {total_agree}/{total_pairs} pairs agree = {100 * total_agree / total_pairs:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
