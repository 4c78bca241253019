#!/usr/bin/env python3
"""Where axe-core's time goes on one archived page, step by step, in CPU as well as wall time.

    .venv/bin/python benchmarks/national/axe_profile.py FOLDER [--pages 20] [--rules 12]

FOLDER is a generated site (``generate.py``); its pages are replayed as the audit replays
them (``AxeBrowser``'s route: the archived page, its archived stylesheets from FOLDER, nothing
else), one page at a time in one warm slot, and each page's work is timed in steps:

- ``load``: ``page.goto`` until the load event (the route serves the page and its stylesheet);
- ``banners``: ``unfix_banners`` (one pass over the page's computed styles);
- ``axe.run``: axe-core's own run, timed inside the page (``performance.now``);
- ``report``: mapping the results and writing each failing element's template, inside the page;
- ``transfer``: the rest of ``page.evaluate``: serialising the report, the pipe, Python's JSON.

Wall time is on a shared machine and moves with its load; CPU is what the processes spent:
each process of the browser (renderer, browser, GPU/utility), Playwright's Node driver and this
Python process, read from ``/proc`` before and after the pages. ``--rules N`` runs axe once
more per page with its ``performanceTimer`` and prints the N rules that took longest in all.
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from audit.a11y import axe as a11y_axe  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

_TIMED_RUN = a11y_axe._AXE_RUN.replace(
    "async ([limit, iframes]) => { const r = await Promise.race(",
    "async ([limit, iframes]) => { const t0 = performance.now(); const r = await Promise.race(", 1).replace(
    " return {violations:", " const t1 = performance.now(); const out = {violations:", 1)
assert _TIMED_RUN != a11y_axe._AXE_RUN and _TIMED_RUN.endswith("}; }")
_TIMED_RUN = _TIMED_RUN[:-len("}; }")] + ("}; out.axe_ms = t1 - t0; out.report_ms = performance.now() - t1;"
                                         " out.bytes = JSON.stringify(out).length; return out; }")

_RULE_TIMES = """async () => { performance.clearMeasures(); await axe.run(document, {resultTypes: ['violations',
 'incomplete'], performanceTimer: true}); const out = {};
 for (const m of performance.getEntriesByType('measure')) if (/^rule_[^#]*$/.test(m.name)) out[m.name.slice(5)] = m.duration;
 return out; }"""


def descendants(root: int) -> dict[int, str]:
    """``{pid: kind}`` of every process below ``root``: renderer, browser, other chromium, node."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found: dict[int, str] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        line = b" ".join(cmd)
        if b"chromium" in cmd[0]:
            kind = "renderer" if b"--type=renderer" in line else ("browser" if b"--type=" not in line else "chromium other")
        else:
            kind = "node driver" if b"node" in cmd[0] else "other"
        found[pid] = kind
        todo.extend(children.get(pid, []))
    return found


def cpu_by_kind() -> dict[str, float]:
    """CPU seconds (user+system) so far of this process and each kind of its descendants."""
    out: dict[str, float] = {}
    for pid, kind in descendants(os.getpid()).items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[kind] = out.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    me = resource.getrusage(resource.RUSAGE_SELF)
    out["python"] = me.ru_utime + me.ru_stime
    return out


def folder_stylesheets(folder: Path):
    """An archive of the site's stylesheets: the file under FOLDER at the URL's path."""
    from urllib.parse import urlsplit

    def sheet(url: str) -> bytes | None:
        path = folder / urlsplit(url).path.lstrip("/")
        return path.read_bytes() if path.is_file() else None
    return sheet


def pick_pages(folder: Path, base: str, n: int) -> list[tuple[str, str]]:
    """N pages spread evenly over the site's HTML files (all shapes of a varied site)."""
    files = sorted(f for f in folder.rglob("*.html") if f.stat().st_size > 5_000)  # not the stub pages
    step = max(1, len(files) // max(1, n))
    return [(base + str(f.relative_to(folder)), f.read_text("utf-8")) for f in files[::step][:n]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--base", default=None, help="the site's address (default http://<folder name>/)")
    ap.add_argument("--rules", type=int, default=12, help="print the N slowest rules (0: skip the timed re-run)")
    args = ap.parse_args()
    base = args.base or f"http://{args.folder.name}/"
    pages = pick_pages(args.folder, base, args.pages)
    sheets = folder_stylesheets(args.folder)
    browser = a11y_axe.AxeBrowser(pages=1)
    steps: dict[str, list[float]] = {"load": [], "banners": [], "axe.run": [], "report": [], "transfer": []}
    sizes, rules = [], {}

    async def one(slot, url: str, html: str) -> None:
        slot.archived = {"main": url, "body": html.encode("utf-8"), "stylesheets": sheets, "served": False}
        t0 = time.perf_counter()
        await slot.page.goto(url, wait_until="load")
        t1 = time.perf_counter()
        await a11y_axe.unfix_banners(slot.page)
        t2 = time.perf_counter()
        got = await slot.page.evaluate(_TIMED_RUN, [a11y_axe.AXE_RUN_TIMEOUT_MS, True])
        t3 = time.perf_counter()
        steps["load"].append(t1 - t0)
        steps["banners"].append(t2 - t1)
        steps["axe.run"].append(got["axe_ms"] / 1000)
        steps["report"].append(got["report_ms"] / 1000)
        steps["transfer"].append(t3 - t2 - (got["axe_ms"] + got["report_ms"]) / 1000)
        sizes.append(got["bytes"])

    async def timed_rules(slot, url: str, html: str) -> None:
        slot.archived = {"main": url, "body": html.encode("utf-8"), "stylesheets": sheets, "served": False}
        await slot.page.goto(url, wait_until="load")
        for rule, ms in (await slot.page.evaluate(_RULE_TIMES)).items():
            rules[rule] = rules.get(rule, 0.0) + ms

    try:
        slot = browser._run(browser._new_slot())
        browser._run(one(slot, *pages[0]))  # warm-up
        for values in steps.values():
            values.clear()
        sizes.clear()
        before, wall = cpu_by_kind(), time.perf_counter()
        for url, html in pages:
            browser._run(one(slot, url, html))
        wall = time.perf_counter() - wall
        after = cpu_by_kind()
        if args.rules:
            for url, html in pages:
                browser._run(timed_rules(slot, url, html))
    finally:
        browser.close()
    n = len(pages)
    cpu = {k: round(1000 * (after.get(k, 0.0) - before.get(k, 0.0)) / n, 1) for k in sorted(after)}
    out = {"pages": n, "kb_per_page": round(sum(len(h) for _, h in pages) / n / 1024, 1),
           "wall_ms_per_page": round(1000 * wall / n, 1),
           "steps_ms_median": {k: round(1000 * statistics.median(v), 1) for k, v in steps.items()},
           "steps_ms_mean": {k: round(1000 * statistics.fmean(v), 1) for k, v in steps.items()},
           "cpu_ms_per_page": cpu, "cpu_ms_per_page_total": round(sum(cpu.values()), 1),
           "report_kb_median": round(statistics.median(sizes) / 1024, 1),
           "slowest_rules_ms_per_page": {r: round(ms / n, 1) for r, ms in
                                         sorted(rules.items(), key=lambda kv: -kv[1])[: args.rules]},
           "load": os.getloadavg()}
    print(f"{n} pages of {args.folder.name} ({out['kb_per_page']} KB each), one slot, warm; load {out['load'][0]:.1f}")
    print(f"{'step':<10} {'median ms':>10} {'mean ms':>9}")
    for k in steps:
        print(f"{k:<10} {out['steps_ms_median'][k]:>10} {out['steps_ms_mean'][k]:>9}")
    print(f"wall {out['wall_ms_per_page']} ms/page; CPU ms/page: "
          + ", ".join(f"{k} {v}" for k, v in cpu.items()) + f"; total {out['cpu_ms_per_page_total']}")
    if rules:
        print("slowest rules, ms/page (performanceTimer): "
              + ", ".join(f"{r} {ms}" for r, ms in out["slowest_rules_ms_per_page"].items()))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
