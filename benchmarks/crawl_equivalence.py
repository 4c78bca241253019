#!/usr/bin/env python3
"""Did two crawls gather the same evidence? Row-for-row comparison of two crawl databases.

    .venv/bin/python benchmarks/crawl_equivalence.py BEFORE.db AFTER.db [--order-free]

Used to prove that a change to the crawler leaves what it records as it was: ``fetches``,
the link graph (the ``links`` view, however it is stored), ``link_checks``,
``deferred_link_checks``, ``sitemap_entries`` and ``crawl_sites`` are compared as multisets
(each distinct row with how many times it occurs: a row stored twice is a difference),
leaving out what differs between any two runs (timings, ids, WARC files and offsets, the
``Date`` header).

``--order-free`` also leaves out what depends on which response arrived first: a page's
``depth`` and ``referrer`` (a page linked from another page and listed in the sitemap gets
the depth and referrer of whichever was read first) and the council a handed-over link
check is recorded under. Two crawls of the same code differ there (about 5% of the
``fetches`` rows of the 10,000-page varied web), so a change to the crawler is compared
with it. Exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys


def queries(order_free: bool) -> dict[str, str]:
    """Each table's compared columns; ``{}`` is the schema (``main.`` or ``b.``)."""
    depth_referrer = "NULL, NULL" if order_free else "depth, referrer"
    finder = "NULL" if order_free else "council_code"
    return {
        "fetches": "SELECT council_code, url, final_url, kind, status, error, error_detail, content_type, "
                   "content_length, truncated, last_modified, without_date(headers), redirect_chain, "
                   f"{depth_referrer}, render_status, not_modified FROM {{}}fetches",
        "links": "SELECT council_code, source_url, target_url, tag, link_text, in_scope FROM {}links",
        "link_checks": "SELECT url, outcome, status, reason, final_url, redirect_chain, method FROM {}link_checks",
        "deferred_link_checks": f"SELECT url, target, {finder} FROM {{}}deferred_link_checks",
        "sitemap_entries": "SELECT council_code, url, lastmod, sitemap_url FROM {}sitemap_entries",
        "crawl_sites": "SELECT council_code, seed_url, scope, status, reason, robots_status, pages_fetched, "
                       "seed_source, not_assessed_reason, pages_rendered FROM {}crawl_sites",
    }


def without_date(headers: str | None) -> str | None:
    """The kept headers' JSON without ``date`` (the server's clock at the time of the fetch)."""
    if not headers:
        return headers
    return json.dumps({k: v for k, v in json.loads(headers).items() if k != "date"}, sort_keys=True)


def counted(conn: sqlite3.Connection, sql: str) -> str:
    """``sql``'s distinct rows, each with its number of occurrences as a last column ``n``:
    EXCEPT between two of these compares multisets, not sets."""
    width = len(conn.execute(f"SELECT * FROM ({sql}) LIMIT 0").description)
    return f"SELECT *, count(*) AS n FROM ({sql}) GROUP BY {', '.join(map(str, range(1, width + 1)))}"


def compare(a: str, b: str, order_free: bool = False, show: int = 3) -> bool:
    """Print one line per table (and a few differing rows); True when every table matches."""
    conn = sqlite3.connect(f"file:{a}?mode=ro", uri=True)
    conn.execute("ATTACH ? AS b", [f"file:{b}?mode=ro"])
    conn.create_function("without_date", 1, without_date, deterministic=True)
    same = True
    for table, sql in queries(order_free).items():
        first, second = counted(conn, sql.format("main.")), counted(conn, sql.format("b."))
        rows = conn.execute(f"SELECT sum(n) FROM ({first})").fetchone()[0] or 0
        only_first = conn.execute(f"SELECT * FROM ({first} EXCEPT {second})").fetchall()
        only_second = conn.execute(f"SELECT * FROM ({second} EXCEPT {first})").fetchall()
        print(f"{table}: {rows} rows; only in the first {len(only_first)}, only in the second {len(only_second)}")
        for mark, found in (("<", only_first), (">", only_second)):
            for row in found[:show]:
                print(f"  {mark} {row}")
        same = same and not only_first and not only_second
    print("same evidence" if same else "DIFFERENT")
    return same


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("first")
    ap.add_argument("second")
    ap.add_argument("--order-free", action="store_true",
                    help="leave out depth, referrer and a deferred check's council (see the module docstring)")
    args = ap.parse_args(argv)
    sys.exit(0 if compare(args.first, args.second, args.order_free) else 1)


if __name__ == "__main__":
    main()
