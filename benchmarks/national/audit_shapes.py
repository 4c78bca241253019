#!/usr/bin/env python3
"""The audit's CPU per page, per page shape, on a crawl of the varied corpus (issue 25).

    .venv/bin/python benchmarks/national/audit_shapes.py --db RUN/lo.db --shapes WEB/shapes.json [--repeats 3]
    .venv/bin/python benchmarks/national/audit_shapes.py ... --profile 15     # + where each shape's time goes
    .venv/bin/python benchmarks/national/audit_shapes.py ... --parts          # + each check's share, per shape

``lo-audit audit`` gives one CPU figure for the whole run, so a slow shape hides in the
average. This audits every council of the crawl in this process, the way ``lo-audit audit``
does with one worker (``audit.runner.CouncilAuditor``: same checks, same page walk; nothing
is written), and times each page: from asking ``load_pages`` for it (reading and decoding
the WARC record) until the runner asks for the next one (every check's ``page()``), in
thread CPU time. What is left (start-up, each check's ``finish()``) is reported as
"council-level" per page. ``shapes.json`` (written by ``generate.py --corpus varied``) says
each page's platform and shape; pages not in it (section index pages, the feedback page)
count as "other".

The per-page timer wraps ``audit.runner.load_pages`` (the generator the runner walks); it
changes nothing the checks see. ``--repeats`` runs the whole audit again and takes, per
shape, the median of the runs' means: on a shared machine one run is noise. ``--profile N``
also runs cProfile over each shape's page work (not the WARC read) and prints its N largest
own-time entries, so the table and its explanation come from the same pages. The profile is
timed in thread CPU too: cProfile's default wall clock charged whatever ran on a shared
machine's cores to the function that happened to be running (a page's ``title`` came out at
0.27 ms: it is the first reader of ``Page.tree``, so it pays for the parse, and for waits).

``--parts`` splits each shape's page time without a profiler's overhead (cProfile's per-call
cost inflates code made of many small calls several times over): the page's read from the
archive, the reads several checks share (``Page``'s parse, links, main text and headings,
each done as soon as the page is loaded, so no check is charged for another's), then each
check's ``page()``; and the council-level time by each check's ``finish()``. Reading the
shared parts first changes no result (they are worked out once a page, whoever asks
first); it charges them to the page even where no check would have read them, so the parts
add up to slightly more than the plain run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from audit import runner
from audit.core import db as dbmod
from audit.plugins import all_checks

OTHER = "other"
LOAD = "read from the archive"
COUNCIL = "council-level"  # the checks' finish(), after a council's pages
# The reads of a page several checks share (Page's cached properties), timed on their own.
SHARED = (("Page.tree (parse)", lambda page: page.tree), ("Page.links", lambda page: page.links),
          ("Page.main_text", lambda page: page.main_text), ("Page.headings", lambda page: page.headings))


def timed_checks(parts: dict[str, dict[str, float]], shape_now: list[str]) -> list[tuple[type, str, object]]:
    """Wrap every check class's ``page`` to add its thread CPU to ``parts[check][shape]``, and
    its ``finish`` to add to ``parts[check + " finish"][COUNCIL]``; returns what to put back."""
    restore = []
    for check in all_checks():
        for method, part in (("page", check.name), ("finish", f"{check.name} finish")):
            if method == "page" and not check.reads_pages():
                continue
            plain = getattr(check, method)

            def timed(self, *args, _plain=plain, _part=part, _method=method):
                start = time.thread_time()
                try:
                    return _plain(self, *args)
                finally:
                    parts[_part][shape_now[0] if _method == "page" else COUNCIL] += time.thread_time() - start

            restore.append((check, method, check.__dict__.get(method)))
            setattr(check, method, timed)
    return restore


def audit_once(db_path: Path, shape_of: dict[str, str], profiles: dict[str, cProfile.Profile] | None,
               councils: list[str] | None = None, parts: dict[str, dict[str, float]] | None = None,
               ) -> tuple[dict[str, list[float]], float]:
    """({shape: [CPU seconds of each page]}, total CPU seconds) of one in-process audit.
    ``parts``: filled with {part: {shape: CPU seconds}} (see ``--parts``)."""
    times: dict[str, list[float]] = defaultdict(list)
    load_pages = runner.load_pages
    shape_now = [OTHER]

    def timed_pages(*args, **kwargs):
        pages = load_pages(*args, **kwargs)
        while True:
            start = time.thread_time()
            page = next(pages, None)
            if page is None:
                return
            shape = shape_now[0] = shape_of.get(page.url, OTHER)
            if parts is not None:
                parts[LOAD][shape] += time.thread_time() - start
                for name, read in SHARED:
                    began = time.thread_time()
                    read(page)
                    parts[name][shape] += time.thread_time() - began
            profile = profiles.setdefault(shape, cProfile.Profile(time.thread_time)) if profiles is not None else None
            if profile is not None:
                profile.enable()
            yield page
            if profile is not None:
                profile.disable()
            times[shape].append(time.thread_time() - start)

    db = dbmod.connect(db_path)
    crawl_id = runner.latest_complete_crawl(db)
    sites = [site for site in db.query(runner.SITES_SQL + "ORDER BY s.council_code", [crawl_id])
             if not councils or site["council_code"] in councils]
    runner.load_pages = timed_pages
    restore = timed_checks(parts, shape_now) if parts is not None else []
    start = time.thread_time()
    try:
        auditor = runner.CouncilAuditor(str(db_path), crawl_id, date(2026, 11, 23), 365, None)
        try:
            for site in sites:
                auditor.audit(site)
        finally:
            auditor.close()
    finally:
        runner.load_pages = load_pages
        for check, method, plain in restore:
            if plain is None:
                delattr(check, method)
            else:
                setattr(check, method, plain)
    return times, time.thread_time() - start


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="a crawled database (lo-audit crawl)")
    ap.add_argument("--shapes", type=Path, required=True, help="shapes.json of the crawled web")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="print each shape's N largest own-time entries")
    ap.add_argument("--councils", nargs="+", metavar="CODE",
                    help="audit only these councils: a profile of a few councils' pages in minutes, not the whole crawl")
    ap.add_argument("--parts", action="store_true",
                    help="also audit once more with each shared read and each check's page() timed, per shape, "
                         "and each check's finish()")
    ap.add_argument("--json", action="store_true", help="print the table as one JSON line too")
    args = ap.parse_args(argv)
    if not args.db.exists() or not args.shapes.exists():
        sys.exit(f"Error: {args.db if not args.db.exists() else args.shapes} does not exist")
    shape_of = {url: shape for url, (_platform, shape) in json.loads(args.shapes.read_text()).items()}
    runs = []
    profiles: dict[str, cProfile.Profile] | None = {} if args.profile else None
    for k in range(args.repeats):
        runs.append(audit_once(args.db, shape_of, profiles if k == 0 else None, args.councils))
    shapes = sorted({s for times, _ in runs for s in times}, key=lambda s: (s == OTHER, s))
    pages = sum(len(v) for v in runs[0][0].values())
    rows = {}
    for shape in shapes:
        means = [1000 * statistics.fmean(times[shape]) for times, _ in runs]
        middle = sorted(range(len(runs)), key=lambda k: means[k])[(len(runs) - 1) // 2]
        per_page = sorted(runs[middle][0][shape])
        rows[shape] = {"pages": len(per_page), "ms": statistics.median(means),
                       "p95": 1000 * per_page[int(0.95 * (len(per_page) - 1))], "runs": means}
    page_ms = [1000 * sum(map(sum, times.values())) / pages for times, _ in runs]
    total_ms = [1000 * total / pages for _, total in runs]
    council_ms = [t - p for t, p in zip(total_ms, page_ms)]
    print("audit CPU a page, in process (target, issue 25: <= 3 ms on every shape and overall)")
    print(f"{'shape':<18}{'pages':>7}{'ms/page':>9}{'p95 ms':>8}   every run")
    for shape, r in rows.items():
        print(f"{shape:<18}{r['pages']:>7}{r['ms']:>9.2f}{r['p95']:>8.2f}   " + " ".join(f"{m:.2f}" for m in r["runs"]))
    print(f"{'page work, all':<18}{pages:>7}{statistics.median(page_ms):>9.2f}{'':>8}   "
          + " ".join(f"{m:.2f}" for m in page_ms))
    print(f"{'council-level':<18}{'':>7}{statistics.median(council_ms):>9.2f}{'':>8}   "
          + " ".join(f"{m:.2f}" for m in council_ms))
    print(f"{'audit, all':<18}{pages:>7}{statistics.median(total_ms):>9.2f}{'':>8}   "
          + " ".join(f"{m:.2f}" for m in total_ms))
    if args.json:
        print(json.dumps({"shapes": rows, "page_ms": statistics.median(page_ms),
                          "council_ms": statistics.median(council_ms), "total_ms": statistics.median(total_ms)}))
    if args.parts:
        print_parts(args.db, shape_of, args.councils, shapes)
    for shape, profile in (profiles or {}).items():
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.profile)
        print(f"\n== {shape}: {rows[shape]['pages']} pages, largest own time ==")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def print_parts(db_path: Path, shape_of: dict[str, str], councils: list[str] | None, shapes: list[str]) -> None:
    """One more audit with every part timed: ms a page of each part, per shape (see ``--parts``)."""
    parts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    times, _ = audit_once(db_path, shape_of, None, councils, parts)
    pages = {shape: len(times[shape]) for shape in shapes}
    council = {name: by_shape[COUNCIL] for name, by_shape in parts.items() if COUNCIL in by_shape}
    parts = {name: by_shape for name, by_shape in parts.items() if COUNCIL not in by_shape}
    width = max(len(name) for name in parts) + 2
    print(f"\nms a page, by part (one run; the shared reads first, then each check's page()):")
    print(f"{'part':<{width}}" + "".join(f"{shape[:12]:>13}" for shape in shapes))
    for name, by_shape in parts.items():
        print(f"{name:<{width}}" + "".join(
            f"{1000 * by_shape[shape] / pages[shape]:>13.3f}" if pages[shape] else f"{'':>13}" for shape in shapes))
    print(f"{'all parts':<{width}}" + "".join(
        f"{1000 * sum(p[shape] for p in parts.values()) / pages[shape]:>13.3f}" if pages[shape] else f"{'':>13}"
        for shape in shapes))
    print(f"{'the page, as timed':<{width}}" + "".join(
        f"{1000 * sum(times[shape]) / pages[shape]:>13.3f}" if pages[shape] else f"{'':>13}" for shape in shapes))
    every_page = sum(pages.values())
    print("\ncouncil-level, ms a page of the whole crawl, by check's finish():  " + ", ".join(
        f"{name.removesuffix(' finish')} {1000 * seconds / every_page:.3f}"
        for name, seconds in sorted(council.items(), key=lambda item: -item[1])
        if 1000 * seconds / every_page >= 0.0005))


if __name__ == "__main__":
    main()
