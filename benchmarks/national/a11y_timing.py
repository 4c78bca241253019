#!/usr/bin/env python3
"""Time the static accessibility engine against axe-core in headless Chromium, per page.

    .venv/bin/python benchmarks/national/a11y_timing.py FOLDER [--pages 20]

Takes the first N ``.html`` files under FOLDER (a generated site), runs
``audit.a11y.static.check_html`` and ``audit.a11y.axe.AxeBrowser.check_archived`` (the
archived-HTML path the audit uses: no network) on each, and prints one JSON line:
ms/page for each engine (the browser's start-up is timed apart), and the rules each found.
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
        browser = AxeBrowser()
        out["axe_startup_s"] = round(time.perf_counter() - t, 2)
    except Exception as e:  # no Chromium / playwright
        out["axe_error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(out))
        return
    try:
        times, axe_rules = [], set()
        browser.check_archived(*pages[0])  # warm-up
        print("browser up", file=sys.stderr, flush=True)
        for url, html in pages:
            t = time.perf_counter()
            found = browser.check_archived(url, html)
            print(f"axe {url} {time.perf_counter() - t:.2f}s", file=sys.stderr, flush=True)
            times.append((time.perf_counter() - t) * 1000)
            axe_rules |= {v.rule if hasattr(v, "rule") else v["rule"] for v in found["violations"]}
        out["axe_ms_per_page"] = round(statistics.median(times), 1)
        out["axe_rules"] = sorted(axe_rules)
    finally:
        browser.close()
    print(json.dumps(out))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
