#!/usr/bin/env python3
"""Directory records: accuracy and CPU cost of recognition and reading (issue 20).

    .venv/bin/python benchmarks/directory_accuracy.py [--repeat 5] [--audit-db /tmp/lo-audit-bench/run-3000/lo.db]

Prints:

1. record recognition precision / recall, per-field precision / recall, dates and provider
   websites right, over the directory test fixtures (tests/pages/directory/truth.json is the
   answer key: every platform's record shape and the decoys built to fool it);
2. recognition, per-field precision / recall and dates over the offline demo: the 60 kb5
   records the demo web generates (fetched through ``DemoWeb``; their "Last updated" date is
   known from behaviours.json, their fields from templates/kb5_records.json) and every other
   demo page (none of which is a record);
3. CPU per page, best of ``--repeat`` runs, on realistic 40-200 KB pages, with the page's tree
   parsed, its links and headings read and its date found beforehand (the audit does all of that
   for every page already): pages of a
   synthetic national site (benchmarks/national/generate.py, no records: the cheap test only),
   and the record fixtures wrapped in that site's header, menus and footer (signature plus
   reading; the date is the staleness check's, worked out once, so it is counted there);
   and the directory check's own ``page`` (what the audit adds to every page: the signature,
   and reading the candidates), the figure issue 20 bounds at 0.5 ms a page;
4. with ``--audit-db``, a crawl made by benchmarks/national/run.py (``--pages 3000``) audited
   council by council in this process, alternately with and without the directory check (best of
   ``--repeat`` each): the audit CPU per page the check adds, nothing written.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks" / "national")]

import generate  # noqa: E402  benchmarks/national/generate.py

from audit.check import CouncilContext, CouncilResult  # noqa: E402
from audit.checks.directory import Directory  # noqa: E402
from audit.core.dates import parse_date  # noqa: E402
from audit.core.registry import Council  # noqa: E402
from audit.demo.web import DemoWeb  # noqa: E402
from audit.directory.reading import FIELDS, read_record  # noqa: E402
from audit.directory.records import decide, page_signature  # noqa: E402
from audit.core.page import Page  # noqa: E402
from audit.checks.staleness import own_date  # noqa: E402
from tests.helpers import DIRECTORY, FETCHED, directory_truth  # noqa: E402

DEMO = ROOT / "data" / "demo"


def pr(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return f"precision {p:.2f} recall {r:.2f} (tp {tp}, fp {fp}, fn {fn})"


def recognition(truth: dict[str, bool], pages: dict[str, Page]) -> tuple[str, set[str]]:
    found = decide({url: page_signature(page) for url, page in pages.items()})
    tp = sum(1 for u in found if truth[u])
    return pr(tp, len(found) - tp, sum(1 for u, t in truth.items() if t and u not in found)), found


def field_lines(records: dict, expected: dict) -> None:
    """Per-field precision and recall of ``records`` (key -> Record) against ``expected`` (key -> {field: bool})."""
    for field in FIELDS:
        tp = sum(1 for k, r in records.items() if getattr(r, field) and expected[k][field])
        fp = sum(1 for k, r in records.items() if getattr(r, field) and not expected[k][field])
        fn = sum(1 for k, r in records.items() if not getattr(r, field) and expected[k][field])
        print(f"  {field:16} {pr(tp, fp, fn)}")


def fixtures() -> None:
    truth = directory_truth()
    pages = {t["url"]: Page(t["url"], (DIRECTORY / n).read_text("utf-8"), fetched_at=FETCHED) for n, t in truth.items()}
    line, _ = recognition({t["url"]: t["record"] for t in truth.values()}, pages)
    print(f"fixtures: {len(truth)} pages, {sum(t['record'] for t in truth.values())} records")
    print(f"  recognition: {line}")
    records = {n: read_record(pages[t["url"]]) for n, t in truth.items() if t["record"]}
    field_lines(records, {n: truth[n]["fields"] for n in records})
    dates = sum(1 for n, r in records.items() if (r.last_updated.isoformat() if r.last_updated else None) == truth[n]["date"])
    providers = sum(1 for n, r in records.items() if r.provider_url == truth[n]["provider_url"])
    print(f"  dates right {dates}/{len(records)} (undated ones included: None must stay None); "
          f"provider websites right {providers}/{len(records)}")


def _demo_url(path: Path) -> str | None:
    """The URL DemoWeb serves a demo file at (data/demo/README.md "Mapping a URL to a file")."""
    rel = path.relative_to(DEMO / "sites")
    host, parts = rel.parts[0], list(rel.parts[1:])
    if parts[-1] == "index.html":
        parts = parts[:-1]
    name = "/".join(parts)
    if "--" in name:
        name, query = name.split("--", 1)
        name += "?" + query.replace(",", "&")
    return f"http://{host}/{name}"


def demo() -> None:
    truth: dict[str, bool] = {}
    pages: dict[str, Page] = {}
    for path in sorted((DEMO / "sites").rglob("*")):
        if not path.is_file() or path.suffix in (".pdf", ".docx", ".css", ".js", ".svg", ".png", ".xml", ".txt"):
            continue
        text = path.read_text("utf-8", errors="replace")
        if "<html" not in text[:2000].lower():
            continue
        url = _demo_url(path)
        truth[url], pages[url] = False, Page(url, text, fetched_at=FETCHED)
    rule = next(r for r in json.loads((DEMO / "behaviours.json").read_text())["rules"] if r.get("generate") == "kb5_record")
    data = json.loads((DEMO / rule["data"]).read_text())
    low, high = rule["ids"]
    expected_dates, expected_fields = {}, {}
    with DemoWeb() as web:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
        for n in range(low, high + 1):
            url = f"http://{rule['host']}{rule['path']}?id={n}"
            with opener.open(url, timeout=10) as response:
                pages[url] = Page(url, response.read().decode("utf-8"), fetched_at=FETCHED)
            truth[url] = True
            item = data[(n - low) % len(data)]
            expected_dates[url] = None if item.get("undated") else parse_date(rule["updated"][n % len(rule["updated"])]).date
            # What a careful reader finds: the fields the record shows, and "referred by ..." in
            # "Who is this service for?" says how to get it.
            expected_fields[url] = {"has_eligibility": True, "has_location": True, "has_cost": bool(item.get("cost")),
                                    "has_contact": bool(item.get("phone") or item.get("email")),
                                    "has_access": bool(item.get("access")) or "referred" in item["who"]}
    line, found = recognition(truth, pages)
    print(f"demo web: {len(pages)} pages, {sum(truth.values())} kb5 records")
    print(f"  recognition: {line}")
    records = {url: read_record(pages[url]) for url in expected_dates if url in found}
    right = sum(1 for url, d in expected_dates.items() if url in records and records[url].last_updated == d)
    print(f"  dates right {right}/{len(expected_dates)} ({sum(d is None for d in expected_dates.values())} undated)")
    field_lines(records, expected_fields)


def _chrome(html: str) -> tuple[str, str]:
    """A national page's header, menus and breadcrumb (before <main>), and its main content
    (cards, paragraphs, 100+ links) turned into a "related" sidebar followed by its footer."""
    body = html.index("<body>") + len("<body>")
    main = html[html.index("<main"):html.index("</main>") + len("</main>")]
    related = '<aside class="related">' + main[main.index(">") + 1:-len("</main>")] + "</aside>"
    return html[body:html.index("<main")], related + html[html.index("<footer"):html.index("</body>")]


def _wrap(fixture: str, top: str, bottom: str, copies: int) -> str:
    """A record fixture inside a real-sized page: the site's chrome before it and ``copies``
    related sidebars and a footer after it (real record pages are 40-200 KB of furniture)."""
    body = fixture.index(">", fixture.index("<body")) + 1
    end = fixture.rindex("</body>")
    return fixture[:body] + top + fixture[body:end] + bottom * copies + fixture[end:]


def _cost(pages: list[Page], work, repeat: int) -> float:
    """Best-of-``repeat`` microseconds per page for ``work`` on freshly built pages."""
    best = float("inf")
    for _ in range(repeat):
        fresh = [Page(p.url, p.html, fetched_at=FETCHED) for p in pages]
        for page in fresh:  # what the runner and other checks do anyway: parse, links, headings, dates
            page.tree, page.links, page.headings, own_date(page)
        start = time.process_time()
        for page in fresh:
            work(page)
        best = min(best, time.process_time() - start)
    return best / len(pages) * 1e6


def timing(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        generate.generate_single_site(Path(tmp), 200, "localoffer.bench.example", {h: h for h in generate.POOL_HOSTS})
        files = sorted((Path(tmp) / "site").rglob("*.html"))
        national = [Page(f"http://localoffer.bench.example/{f.relative_to(Path(tmp) / 'site')}", f.read_text("utf-8"),
                         fetched_at=FETCHED) for f in files]
    sizes = sorted(len(p.html) for p in national)
    truth = directory_truth()
    top, bottom = _chrome(next(p.html for p in national if "<main" in p.html and "<footer" in p.html))
    rng = random.Random(20)
    records = [Page(t["url"], _wrap((DIRECTORY / n).read_text("utf-8"), top, bottom, rng.choice((1, 2, 3, 4))),
                    fetched_at=FETCHED) for n, t in truth.items() if t["record"]]
    rsizes = sorted(len(p.html) for p in records)
    non_candidates = [p for p in national if page_signature(p) is None]
    print(f"CPU per page (best of {repeat}):")
    print(f"  national pages: {len(national)} ({sizes[0] // 1000}-{sizes[-1] // 1000} KB), "
          f"{len(non_candidates)} fail the cheap test")
    print(f"    page_signature: {_cost(national, page_signature, repeat):.0f} us/page")
    print(f"  record pages: {len(records)} fixtures in the site's chrome ({rsizes[0] // 1000}-{rsizes[-1] // 1000} KB)")
    print(f"    page_signature: {_cost(records, page_signature, repeat):.0f} us/page")
    print(f"    page_signature + read_record: {_cost(records, lambda p: (page_signature(p), read_record(p)), repeat):.0f} us/page")
    print("  the directory check's page() (signature, and reading the candidates: what the audit adds per page):")
    print(f"    national pages: {_cost(national, _check_page(), repeat):.0f} us/page; "
          f"record pages: {_cost(records, _check_page(), repeat):.0f} us/page")


def _check_page():
    """The directory check's ``page`` for a council whose Local Offer is the benchmark site."""
    council = Council("E1", "Bench", "http://localoffer.bench.example/", "http://www.bench.example/",
                      scope=("http://localoffer.bench.example/",))
    context = CouncilContext(council=council, site={"status": "ok"}, scope=council.scope, home=council.local_offer_url,
                             as_of=FETCHED.date(), stale_after_days=365, link_checks={}, documents=lambda: iter(()),
                             axe=None, result=CouncilResult(score={}))
    return Directory(context).page


def audit_cost(db_path: Path, repeat: int) -> None:
    """Audit CPU per page of a crawled database with and without the directory check."""
    import audit.runner as runner
    from audit.core import db as dbmod
    from audit.plugins import all_checks

    db = dbmod.connect(db_path)
    crawl_id = runner.latest_complete_crawl(db)
    sites = list(db.query(runner.SITES_SQL + "ORDER BY s.council_code", [crawl_id]))
    pages = sum(site["pages_fetched"] or 0 for site in sites)
    every = all_checks()
    without = tuple(check for check in every if check is not Directory)
    auditor = runner.CouncilAuditor(db_path, crawl_id, FETCHED.date(), 365, None)
    best = {}
    try:
        for _ in range(repeat):
            for label, checks in (("with", every), ("without", without)):
                runner.all_checks = lambda checks=checks: checks
                start = time.process_time()
                for site in sites:
                    auditor.audit(site)
                best[label] = min(best.get(label, float("inf")), time.process_time() - start)
    finally:
        runner.all_checks = all_checks
        auditor.close()
    per_page = {label: 1000 * seconds / max(1, pages) for label, seconds in best.items()}
    print(f"audit of {db_path} ({len(sites)} sites, {pages} pages), one process, best of {repeat}:")
    print(f"  with the directory check {per_page['with']:.2f} CPU ms/page, without {per_page['without']:.2f}: "
          f"added {per_page['with'] - per_page['without']:.2f} ms/page")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--audit-db", type=Path, help="a crawl by benchmarks/national/run.py to audit with and without the check")
    args = parser.parse_args(argv)
    print(f"directory_accuracy, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, as of {FETCHED.date()}")
    fixtures()
    demo()
    timing(max(1, args.repeat))
    if args.audit_db:
        audit_cost(args.audit_db, max(1, args.repeat))


if __name__ == "__main__":
    main()
