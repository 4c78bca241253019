#!/usr/bin/env python3
"""Time the static accessibility engine against axe-core in headless Chromium, per page.

    .venv/bin/python benchmarks/national/a11y_timing.py FOLDER [--pages 20]

Takes the first N ``.html`` files under FOLDER (a generated site), runs
``audit.a11y.static.check_html`` on each, then axe-core on the archived pages (the replay the
audit uses: no network) one page at a time (a pool of one) and in a pool of one page per core
(``AxeBrowser.check_many``), and prints one JSON line: ms/page for each engine, axe's pages/s
both ways (the browser's start-up timed apart), whether the pool's results equal the
one-at-a-time results, and the rules each engine found.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--base", default="http://localoffer.council001.example/")
    args = ap.parse_args()
    files = sorted(p for p in args.folder.rglob("*.html") if p.stat().st_size > 30_000)[: args.pages]
    pages = [(args.base + str(f.relative_to(args.folder)), f.read_text("utf-8")) for f in files]
    out: dict = {"pages": len(pages), "kb_per_page": round(sum(len(h) for _, h in pages) / max(1, len(pages)) / 1024, 1)}

    from audit.a11y.static import check_html
    times, static_rules = [], set()
    check_html(pages[0][1], pages[0][0])  # warm-up
    for url, html in pages:
        t = time.perf_counter()
        found = check_html(html, url)
        times.append((time.perf_counter() - t) * 1000)
        static_rules |= {v.rule for v in found}
    out["static_ms_per_page"] = round(statistics.median(times), 2)
    out["static_rules"] = sorted(static_rules)

    print("static done", file=sys.stderr, flush=True)
    try:
        from audit.a11y.axe import AxeBrowser
        t = time.perf_counter()
        sequential = AxeBrowser(pages=1)
        out["axe_startup_s"] = round(time.perf_counter() - t, 2)
    except Exception as e:  # no Chromium / playwright
        out["axe_error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(out))
        return
    pool_size = os.cpu_count() or 1
    try:
        sequential.check_archived(*pages[0])  # warm-up
        t = time.perf_counter()
        one_by_one = [sequential.check_archived(url, html) for url, html in pages]
        seconds = time.perf_counter() - t
    finally:
        sequential.close()
    out["axe_ms_per_page"] = round(1000 * seconds / len(pages), 1)
    out["single_pages_per_s"] = round(len(pages) / seconds, 2)
    out["axe_rules"] = sorted({v.rule for r in one_by_one for v in r["violations"]})
    print("one at a time done", file=sys.stderr, flush=True)
    with AxeBrowser(pages=pool_size) as pool:
        pool.check_many(pages[:pool_size])  # warm-up: every slot made
        t = time.perf_counter()
        pooled = pool.check_many(pages)
        seconds = time.perf_counter() - t
    out["pool_size"] = pool_size
    out["pool_pages_per_s"] = round(len(pages) / seconds, 2)
    out["failed"] = sum(1 for r in pooled if isinstance(r, Exception))
    out["same_results"] = all(not isinstance(b, Exception) and a["violations"] == b["violations"]
                              and a["needs_review"] == b["needs_review"] for a, b in zip(one_by_one, pooled))
    print(json.dumps(out))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
