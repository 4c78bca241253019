#!/usr/bin/env python3
"""Time the static accessibility engine against axe-core in headless Chromium, and axe-core's
pool of pages at several sizes.

    .venv/bin/python benchmarks/national/a11y_timing.py FOLDER [--pages 20] [--pools 1 2 3]

Takes N pages spread over the ``.html`` files under FOLDER (a generated site: every shape of a
varied one), runs ``audit.a11y.static.check_html`` on each, then axe-core on them as the audit
replays them (the archived page and its stylesheets from FOLDER, nothing from the network) in
a pool of each size in ``--pools`` (``AxeBrowser.check_many``; a pool of 1 is one page at a
time), and prints one JSON line: ms/page of the static engine; per pool size, pages/s (wall,
the browser's start-up and a warm-up round left out) and CPU ms/page of every process involved
(this one, Playwright's driver, the browser's; read from ``/proc``: on a shared machine wall
time moves with the other processes, CPU time much less); whether every pool's results equal
the pool of 1's; and the rules each engine found.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from axe_profile import cpu_by_kind, folder_stylesheets, pick_pages  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--base", default=None, help="the site's address (default http://<folder name>/)")
    ap.add_argument("--pools", type=int, nargs="+", default=None,
                    help="pool sizes to time (default: 1 and one page per core)")
    args = ap.parse_args()
    pages = pick_pages(args.folder, args.base or f"http://{args.folder.name}/", args.pages)
    sheets = folder_stylesheets(args.folder)
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

    from audit.a11y.axe import AxeBrowser
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    pools = sorted(set(args.pools or [1, cores]))
    out["pools"], first = {}, None
    for size in pools:
        try:
            t = time.perf_counter()
            browser = AxeBrowser(pages=size)
            startup = time.perf_counter() - t
        except Exception as e:  # no Chromium / playwright
            out["axe_error"] = f"{type(e).__name__}: {e}"
            break
        try:
            browser.check_many(pages[:size], sheets)  # warm-up: every slot made
            before, t = cpu_by_kind(), time.perf_counter()
            judged = browser.check_many(pages, sheets)
            seconds, after = time.perf_counter() - t, cpu_by_kind()
        finally:
            browser.close()
        cpu = sum(after.values()) - sum(before.get(k, 0.0) for k in after)
        first = first if first is not None else judged
        out["pools"][size] = {
            "pages_per_s": round(len(pages) / seconds, 2), "cpu_ms_per_page": round(1000 * cpu / len(pages), 1),
            "startup_s": round(startup, 2), "failed": sum(1 for r in judged if isinstance(r, Exception)),
            "same_results": all(not isinstance(a, Exception) and not isinstance(b, Exception)
                                and a["violations"] == b["violations"] and a["needs_review"] == b["needs_review"]
                                for a, b in zip(first, judged))}
        print(f"pool of {size} done", file=sys.stderr, flush=True)
    if first is not None:
        out["axe_rules"] = sorted({v.rule for r in first if not isinstance(r, Exception) for v in r["violations"]})
    out["load"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
