#!/usr/bin/env python3
"""What ``lo-audit crawl --resume`` costs, on the synthetic national web: figures printed, nothing asserted.

    .venv/bin/python benchmarks/resume.py --pages 3000 [--workers 1] [--kill-at 0.5]

Three crawls of the same web (generated and served as in benchmarks/national/run.py, each
run measured with its ``measure``: wall, and user+system CPU of the process tree it waited for):

1. **uninterrupted**: ``lo-audit crawl`` from start to end;
2. **killed and resumed**: the same crawl killed with SIGKILL once ``--kill-at`` of the
   uninterrupted crawl's pages are committed (to the whole session: workers too), then
   ``lo-audit crawl --resume``; the sum of both walls against the uninterrupted one, the
   pages the first run had committed, and what the resume cut from the WARC files' ends
   (responses fetched but never committed: fetched again);
3. **state rebuild**: a copy of the uninterrupted crawl marked ``interrupted`` and resumed:
   every page is committed, so the resume only replays (rebuilds the spider's state from
   the database and WARC records) and fetches nothing but robots.txt: its wall and CPU per
   1,000 committed pages is the rebuild cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "national"))

import generate  # noqa: E402
from run import REPO, clean_env, crawl_cmd, lo_audit, measure, q, serve_web  # noqa: E402


def pages(db: Path) -> int:
    return q(db, "SELECT count(*) FROM fetches WHERE kind = 'page' AND status = 200")[0][0]


def kill_at_pages(cmd: list[str], env: dict, db: Path, target: int) -> float:
    """Run ``cmd`` in a session of its own and SIGKILL the whole session once ``target``
    pages are committed (polled every 0.2 s: a share of the pages, not of the time, since
    the machine's load changes the time); its wall time (shorter if it ended by itself)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        time.sleep(0.2)
        try:
            if db.exists() and pages(db) >= target:
                os.killpg(proc.pid, signal.SIGKILL)
                break
        except sqlite3.OperationalError:  # the schema is still being made
            continue
    proc.wait()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--workers", default="1", help="lo-audit crawl --workers (default 1)")
    ap.add_argument("--host-concurrency", default="4")
    ap.add_argument("--kill-at", type=float, default=0.5, help="kill once this share of the pages is committed")
    ap.add_argument("--work", type=Path, default=Path("/tmp/lo-audit-bench"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", choices=generate.CORPORA, default="classic")
    ap.add_argument("--server", choices=("nginx", "python"), default="nginx")
    ap.add_argument("--server-workers", type=int, default=1)
    args = ap.parse_args(argv)

    web = generate.web_folder(args.work, args.pages, args.corpus)
    generate.generate_national(web, args.pages, args.seed, args.corpus)
    print(f"lo-audit resume benchmark | {os.cpu_count()} cores | load {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
          f" | {args.pages} pages, --workers {args.workers} --host-concurrency {args.host_concurrency}", flush=True)

    srv, port, run_dir, db = serve_web(args.pages, args.work, args, "resume-whole")
    try:
        env = clean_env(f"http://127.0.0.1:{port}")
        cmd = crawl_cmd(web / "seeds.csv", db, 0, args.workers, args.host_concurrency)
        whole = measure(cmd, env=env, cwd=REPO, log=run_dir / "crawl")
    finally:
        srv.stop()
    total = pages(db)
    print(f"uninterrupted: {total} pages, wall {whole.wall:.1f} s, CPU {whole.cpu:.1f} s (rc {whole.rc})", flush=True)

    srv, port, run_dir, killed_db = serve_web(args.pages, args.work, args, "resume-killed")
    try:
        env = clean_env(f"http://127.0.0.1:{port}")
        cmd = crawl_cmd(web / "seeds.csv", killed_db, 0, args.workers, args.host_concurrency)
        first = kill_at_pages(cmd, env, killed_db, int(args.kill_at * total))
        committed = pages(killed_db)
        resumed = measure([*lo_audit(), "crawl", "--db", str(killed_db), "--resume"], env=env, cwd=REPO,
                          log=run_dir / "resume")
    finally:
        srv.stop()
    cut = next((line.strip() for line in resumed.stdout.splitlines() if "cut from the WARC" in line), "")
    print(f"killed at {first:.1f} s with {committed} pages committed; resumed: wall {resumed.wall:.1f} s, "
          f"CPU {resumed.cpu:.1f} s (rc {resumed.rc}), {pages(killed_db)} pages in all; {cut}", flush=True)
    print(f"killed + resumed wall {first + resumed.wall:.1f} s against {whole.wall:.1f} s uninterrupted "
          f"({(first + resumed.wall) / whole.wall:.2f}x)", flush=True)

    replay_dir = args.work / f"resume-replay-{args.pages}"
    shutil.rmtree(replay_dir, ignore_errors=True)
    replay_dir.mkdir(parents=True)
    replay_db = replay_dir / db.name
    shutil.copy(db, replay_db)
    shutil.copytree(db.with_name(db.stem + "-warc"), replay_db.with_name(replay_db.stem + "-warc"))
    with sqlite3.connect(replay_db) as conn:
        conn.execute("UPDATE crawls SET status = 'interrupted'")
    srv, port, _, _ = serve_web(args.pages, args.work, args, "resume-unused")
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        replay = measure([*lo_audit(), "crawl", "--db", str(replay_db), "--resume"],
                         env=clean_env(f"http://127.0.0.1:{port}"), cwd=REPO, log=replay_dir / "resume")
    finally:
        srv.stop()
    fetched = q(replay_db, "SELECT count(*) FROM fetches WHERE fetched_at >= ?", [started])[0][0]
    print(f"state rebuild (resume of a crawl whose {total} pages were all committed): wall {replay.wall:.1f} s, "
          f"CPU {replay.cpu:.1f} s (rc {replay.rc}) = {1000 * replay.wall / max(total, 1):.2f} s wall, "
          f"{1000 * replay.cpu / max(total, 1):.2f} s CPU per 1,000 committed pages; "
          f"{fetched} fetches rows written by it (robots.txt asked for by another council first)", flush=True)
    print(f"load at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
