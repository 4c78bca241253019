#!/usr/bin/env python3
"""lo-audit's national performance benchmark: one command, figures printed, nothing asserted.

    .venv/bin/python benchmarks/national/run.py --pages 10000                 # one scale
    .venv/bin/python benchmarks/national/run.py --pages 10000 100000 --peers  # growth + peers

For each ``--pages`` N it generates (or reuses) the synthetic national web
(generate.py), serves it from loopback with nginx as an absolute-URI "proxy" (serve.py;
a Python server if nginx is missing), runs ``lo-audit crawl`` with ``http_proxy`` pointing
at it and ``--download-delay 0 --workers W --host-concurrency C``, then ``lo-audit audit``
(``--workers W`` when it has that option), each as a subprocess measured with ``os.wait4``
(wall, user+system CPU, peak RSS of the largest process) and a sampler thread (peak RSS
summed over the process and all its descendants, every 0.1 s), and reads the database for
pages, requests, link checks, and the database and WARC sizes.

``--peers``: lo-audit against linkinator and LinkChecker on single generated sites (200
and 2,000 pages) served directly on 127.0.0.1 (the peers do not all speak proxies), with
the site's "external" pool on 127.0.0.2-7; wall-time ratios and broken-link agreement with
the generator's ground truth. Also axe-core in Chromium against the static engine, per page.

Politeness run: the smallest web again at ``--download-delay H/153`` (H = its sites) with
``--host-concurrency 1`` and the same workers, so the aggregate demand (153 requests/s) is
the national crawl's at 1 request/s per host; efficiency = busiest host's requests x delay
/ wall. Then a projection for the real national audit at the default politeness (1 request
per second per host): the physical limit divided by that efficiency, and the CPU headroom.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import generate  # noqa: E402
import serve  # noqa: E402
from equivalence import compare  # noqa: E402

AS_OF = "2026-11-23"  # fixed: reproducible staleness figures
DEFAULT_DELAY = 1.0   # lo-audit's default --download-delay
PEER_CONCURRENCY = 16  # requests in flight for every tool in the peer comparison
RSS_SAMPLE_S = 0.1    # how often the sampler sums the RSS of a measured process tree
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
AS_TYPED = "default"  # --workers / --host-concurrency default: leave the option out, as a user would


# ---- measuring a subprocess ------------------------------------------------------------------

@dataclass
class Run:
    cmd: list[str]
    wall: float = 0.0
    cpu: float = 0.0       # user + system seconds of the process and its waited-for children
    user: float = 0.0
    sys: float = 0.0
    maxrss_mb: float = 0.0     # ru_maxrss from wait4: the largest single process (it or a reaped descendant)
    sumrss_mb: float = 0.0     # sampled peak of the RSS summed over the process and all its descendants
    rc: int = 0
    stdout: str = ""
    stderr: str = ""
    server_cpu: float | None = None


def _proc_children() -> dict[int, list[int]]:
    """ppid -> pids, from /proc/*/stat (the field after the parenthesised command name)."""
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1:
            kids.setdefault(int(fields[1]), []).append(int(entry.name))
    return kids


def _vmrss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0  # exited, or a zombie (no VmRSS line)


def tree_rss_kb(root: int) -> int:
    """VmRSS summed over ``root`` and all its descendants, now."""
    kids = _proc_children()
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _vmrss_kb(pid)
        todo.extend(kids.get(pid, ()))
    return total


class RssSampler:
    """A thread summing the RSS of a process tree every ``RSS_SAMPLE_S``; ``peak_kb`` is the
    largest sum seen. Shared pages (the interpreter, libraries) count once per process, as
    VmRSS does: an upper estimate of the tree's real footprint, but what the OS must page in."""

    def __init__(self, pid: int, every: float = RSS_SAMPLE_S):
        import threading
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))
            if self._stop.wait(self.every):
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak_kb


def measure(cmd: list[str], env: dict | None = None, cwd: Path | None = None, server=None,
            log: Path | None = None, timeout: float | None = None) -> Run:
    """Run ``cmd``; wall time, CPU and the largest process's peak RSS from ``os.wait4`` (the
    child and the descendants it waited for), and the peak of the RSS summed over the child
    and all its descendants, sampled every 0.1 s by a thread (``sumrss_mb``; never below
    ``maxrss_mb``, since the tree always holds at least its largest process).
    ``timeout``: kill it after so many seconds (rc is then negative)."""
    import threading
    r = Run(cmd)
    out = open(log.with_suffix(".out"), "w+b") if log else subprocess.PIPE
    err = open(log.with_suffix(".err"), "w+b") if log else subprocess.PIPE
    s0 = server.cpu_seconds() if server else None
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
    sampler = RssSampler(proc.pid)
    timer = threading.Timer(timeout, proc.kill) if timeout else None
    if timer:
        timer.start()
    if log is None:
        # pipes: read them while waiting, then reap with wait4
        stdout, stderr = _drain(proc)
    # Wait for the exit without reaping (WNOWAIT), stop the sampler, then reap with wait4:
    # until then the pid cannot be reused, so the sampler never measures a stranger.
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    r.wall = time.perf_counter() - t0
    sampled_kb = sampler.stop()
    _, status, ru = os.wait4(proc.pid, 0)
    if timer:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    r.rc = proc.returncode
    r.user, r.sys = ru.ru_utime, ru.ru_stime
    r.cpu = ru.ru_utime + ru.ru_stime
    r.maxrss_mb = ru.ru_maxrss / 1024  # Linux: KiB
    r.sumrss_mb = max(sampled_kb / 1024, r.maxrss_mb)
    if server is not None and s0 is not None:
        r.server_cpu = server.cpu_seconds() - s0
    if log:
        out.seek(0)
        err.seek(0)
        r.stdout, r.stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        out.close()
        err.close()
    else:
        r.stdout, r.stderr = stdout, stderr
    return r


def _drain(proc) -> tuple[str, str]:
    import threading
    bufs = {"o": b"", "e": b""}

    def rd(key, stream):
        bufs[key] = stream.read()

    ts = [threading.Thread(target=rd, args=("o", proc.stdout)), threading.Thread(target=rd, args=("e", proc.stderr))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return bufs["o"].decode("utf-8", "replace"), bufs["e"].decode("utf-8", "replace")


def lo_audit() -> list[str]:
    exe = Path(sys.executable).parent / "lo-audit"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "audit.cli"]


def clean_env(proxy: str | None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "no_proxy", "all_proxy", "lo_audit_log_level")}
    if proxy:
        env["http_proxy"] = env["HTTP_PROXY"] = proxy
    env["no_proxy"] = env["NO_PROXY"] = ""
    env["PYTHONWARNINGS"] = "ignore"
    return env


def audit_help() -> str:
    return subprocess.run([*lo_audit(), "audit", "--help"], capture_output=True, text=True).stdout


def audit_cmd(db: Path, axe_sample, workers: int | None = None) -> list[str]:
    """``lo-audit audit``; ``--axe-sample`` and ``--workers`` only when this version has them
    (and neither when it is ``default``: the command as a user types it)."""
    cmd = [*lo_audit(), "audit", "--db", str(db), "--as-of", AS_OF]
    help_text = audit_help()
    if axe_sample != AS_TYPED and "--axe-sample" in help_text:
        cmd += ["--axe-sample", str(axe_sample)]
    if workers not in (None, AS_TYPED) and "--workers" in help_text:
        cmd += ["--workers", str(workers)]
    return cmd


def crawl_cmd(seeds: Path, db: Path, delay: float, workers, host_concurrency) -> list[str]:
    """``lo-audit crawl``; ``--workers`` and ``--host-concurrency`` left out when they are
    ``default`` (the command as a user types it)."""
    cmd = [*lo_audit(), "crawl", "--seeds", str(seeds), "--db", str(db), "--download-delay", f"{delay:g}",
           "--timeout", "20"]
    for option, value in (("--workers", workers), ("--host-concurrency", host_concurrency)):
        if value != AS_TYPED:
            cmd += [option, str(value)]
    return cmd


def workers_used(workers) -> int:
    """The crawl's worker processes: the number asked for, or for ``default`` what this
    version's ``lo-audit crawl --help`` says its default is (``auto``: the cores)."""
    if workers != AS_TYPED:
        return int(workers)
    help_text = " ".join(subprocess.run([*lo_audit(), "crawl", "--help"], capture_output=True, text=True).stdout.split())
    found = re.search(r"--workers \S+ .*?\[default: (\w+)", help_text)
    default = found.group(1) if found else "1"
    return CORES if default == "auto" else int(default)


def dir_bytes(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.exists() else 0


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(str(db) + "-wal")) if p.exists())


def warc_dir(db: Path) -> Path:
    return db.with_name(db.stem + "-warc")


def q(db: Path, sql: str, args=()) -> list:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def serve_web(n: int, work: Path, args, run: str, fresh: bool = True):
    """Serve the N-page web as a loopback proxy; a fresh ``<work>/<run>-<n>/`` for the run's
    database (``fresh=False``: the one there, for a re-crawl). Returns (server, port, run
    folder, database path). With ``--recrawl`` the server counts the bytes it sends."""
    port = serve.free_port()
    web = generate.web_folder(work, n, args.corpus)
    srv = serve.start(proxy=("127.0.0.1", port, web / "sites"), work=work / "nginx",
                      workers=args.server_workers, prefer=args.server, count_bytes=args.recrawl)
    run_dir = work / (f"{run}-{n}" if args.corpus == "classic" else f"{run}-{n}-{args.corpus}")
    if fresh:
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
    return srv, port, run_dir, run_dir / "lo.db"


def server_errors(nginx_work: Path) -> int:
    """Lines in nginx's error log other than 'No such file' (the web's deliberate 404s)."""
    log = nginx_work / "nginx-error.log"
    if not log.exists():
        return 0
    with open(log, "rb") as fh:
        return sum(1 for line in fh if b"[warn]" not in line and b"No such file" not in line)


def has_table(db: Path, name: str) -> bool:
    return bool(q(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [name]))


HOST_SQL = "substr(url, 8, instr(substr(url, 8), '/') - 1)"  # http://HOST/... (the benchmark serves http only)


def crawl_counts(db: Path) -> dict:
    cid = q(db, "SELECT max(crawl_id) FROM crawls")[0][0]
    pages = q(db, "SELECT count(*) FROM fetches WHERE crawl_id=? AND kind='page' AND status=200 "
                  "AND warc_file IS NOT NULL", [cid])[0][0]
    requests = q(db, "SELECT count(*) FROM fetches WHERE crawl_id=? AND (status IS NOT NULL OR error NOT LIKE 'skipped%')",
                 [cid])[0][0]
    checks = q(db, "SELECT count(*) FROM link_checks WHERE crawl_id=?", [cid])[0][0]
    # Status-only checks (targets checked but not crawled) as a set difference in Python: fetches'
    # key is (crawl_id, council_code, url), so a correlated NOT EXISTS on url alone scans.
    fetched = {r[0] for r in q(db, "SELECT url FROM fetches WHERE crawl_id=?", [cid])}
    only = [r[0] for r in q(db, "SELECT url FROM link_checks WHERE crawl_id=?", [cid]) if r[0] not in fetched]
    broken = {r[0] for r in q(db, "SELECT url FROM link_checks WHERE crawl_id=? AND outcome='broken'", [cid])}
    # The link graph: link_edges and link sets (+ urls) with `links` a view over them (counting the
    # view joins every row twice: slow); a database from before link_edges has a `links` table.
    links_table = "link_edges" if has_table(db, "link_edges") else "links"
    links = q(db, f"SELECT count(*) FROM {links_table} WHERE crawl_id=?", [cid])[0][0]
    if has_table(db, "link_sets"):  # each page naming a set has the set's rows too
        links += q(db, "SELECT coalesce(sum(n), 0) FROM page_link_sets p JOIN (SELECT council_code, set_id, count(*) n "
                       "FROM link_sets WHERE crawl_id=? GROUP BY council_code, set_id) s USING (council_code, set_id) "
                       "WHERE p.crawl_id=?", [cid, cid])[0][0]
    urls = q(db, "SELECT count(*) FROM urls")[0][0] if has_table(db, "urls") else None
    deferred = (q(db, "SELECT count(*) FROM deferred_link_checks WHERE crawl_id=?", [cid])[0][0]
                if has_table(db, "deferred_link_checks") else None)
    fetch_hosts = dict(q(db, f"SELECT {HOST_SQL} AS h, count(*) FROM fetches WHERE crawl_id=? AND "
                             "(status IS NOT NULL OR error NOT LIKE 'skipped%') GROUP BY h", [cid]))
    check_hosts: dict[str, int] = {}
    for url in only:
        h = url[7:].split("/", 1)[0]
        check_hosts[h] = check_hosts.get(h, 0) + 1
    # Requests per host: fetches (pages, documents, robots, sitemaps; a crawled page's check is
    # its fetch) plus the status-only checks of targets on that host (one request each, at least).
    all_hosts = dict(fetch_hosts)
    for h, n in check_hosts.items():
        all_hosts[h] = all_hosts.get(h, 0) + n
    top = lambda d: max(d.items(), key=lambda kv: (kv[1], kv[0])) if d else ("", 0)  # noqa: E731
    sites = q(db, "SELECT status, count(*) FROM crawl_sites WHERE crawl_id=? GROUP BY status", [cid])
    return {"crawl_id": cid, "pages": pages, "requests": requests, "link_checks": checks,
            "status_only_checks": len(only), "broken": broken, "links": links, "links_table": links_table,
            "urls": urls, "deferred_checks": deferred,
            "busiest_host": top(fetch_hosts),            # crawled host with the most fetches
            "busiest_check_host": top(check_hosts),      # host with the most status-only checks
            "busiest_any_host": top(all_hosts),          # fetches + status-only checks, any host
            "site_status": dict(sites)}


# ---- the national run --------------------------------------------------------------------------

def audit_ms(p, run: Run) -> float:
    """CPU ms per crawled page of one audit run."""
    return 1000 * run.cpu / max(1, p.counts["pages"])


def median_audit(p) -> Run:
    """The audit run with the median CPU (the lower middle one of an even number)."""
    runs = sorted((r for r, _ in p.extra["audit_runs"]), key=lambda r: r.cpu)
    return runs[(len(runs) - 1) // 2]


def best_audit(p) -> Run:
    return min((r for r, _ in p.extra["audit_runs"]), key=lambda r: r.cpu)


@dataclass
class Point:
    pages_target: int
    manifest: dict
    server: str
    crawl: Run
    audit: Run
    counts: dict
    db_bytes_crawl: int
    db_bytes_audit: int
    warc_bytes: int
    audited_pages: int = 0
    extra: dict = field(default_factory=dict)


def national(n: int, work: Path, args) -> Point:
    t = time.perf_counter()
    web = generate.web_folder(work, n, args.corpus)
    m = generate.generate_national(web, n, args.seed, args.corpus)
    print(f"[{n}] web: {m['sites']} sites, median {m['median_site_pages']} pages, largest {m['largest_site_pages']}, "
          f"{m['html_bytes'] / m['pages'] / 1024:.1f} KB/page, {m['links'] / m['pages']:.0f} links/page, "
          f"pool {m['pool_size']} URLs on {len(m['pool_hosts'])} hosts, {len(m['broken'])} broken targets "
          f"({time.perf_counter() - t:.1f} s)", flush=True)
    srv, port, run_dir, db = serve_web(n, work, args, "run")
    errors_before = server_errors(work / "nginx")
    try:
        env = clean_env(f"http://127.0.0.1:{port}")
        cmd = crawl_cmd(web / "seeds.csv", db, args.download_delay, args.workers, args.host_concurrency)
        print(f"[{n}] crawl via {srv.kind} on 127.0.0.1:{port}: {' '.join(cmd[-10:])}", flush=True)
        crawl = measure(cmd, env=env, cwd=REPO, server=srv, log=run_dir / "crawl")
    finally:
        srv.stop()
    crawl_sent = srv.bytes_sent()
    if (errors := server_errors(work / "nginx") - errors_before):
        print(f"[{n}] WARNING: the server logged {errors} errors other than missing files during the crawl "
              f"(see {work / 'nginx' / 'nginx-error.log'}): its answers, not the crawler, are suspect", flush=True)
    if crawl.rc != 0:
        print(f"[{n}] crawl failed (rc {crawl.rc}): {crawl.stderr[-2000:]}", flush=True)
    counts = crawl_counts(db)
    dbc = db_bytes(db)
    print(f"[{n}] crawl: {counts['pages']} pages, {counts['requests']} requests, {counts['link_checks']} link checks "
          f"in {crawl.wall:.1f} s; sites {counts['site_status']}", flush=True)
    acmd = audit_cmd(db, args.axe_sample, args.workers)
    print(f"[{n}] audit: {' '.join(acmd[1:])}", flush=True)
    speed = machine_speed()
    audit = measure(acmd, env=clean_env(None), cwd=REPO, log=run_dir / "audit")
    if audit.rc != 0:
        print(f"[{n}] audit failed (rc {audit.rc}): {audit.stderr[-2000:]}", flush=True)
    aid = q(db, "SELECT max(audit_id) FROM audits")[0][0]
    audited = q(db, "SELECT coalesce(sum(a11y_pages_checked), 0) FROM council_scores WHERE audit_id=?", [aid])[0][0] if aid else 0
    dba = db_bytes(db)  # one audit's rows: the repeats below add theirs
    print(f"[{n}] audit: {audit.wall:.1f} s", flush=True)
    audit_runs = [(audit, speed)]
    for i in range(2, args.audit_repeats + 1):
        speed = machine_speed()
        again = measure(acmd, env=clean_env(None), cwd=REPO, log=run_dir / f"audit-{i}")
        audit_runs.append((again, speed))
        print(f"[{n}] audit {i} of {args.audit_repeats}: {again.wall:.1f} s (rc {again.rc})", flush=True)
    a11y = a11y_figures(db, aid) if aid else None
    if a11y:
        print(f"[{n}] accessibility: {a11y['line']}", flush=True)
    truth = set(m["broken"])
    found = counts["broken"]
    pt = Point(n, m, srv.kind, crawl, audit, counts, dbc, dba, dir_bytes(warc_dir(db)), audited)
    pt.extra["audit_runs"] = audit_runs
    pt.extra["broken_truth"] = len(truth)
    pt.extra["broken_found"] = len(found)
    pt.extra["broken_agree"] = len(truth & found)
    pt.extra["a11y"] = a11y
    if args.recrawl:
        pt.extra["recrawl"] = recrawl(n, work, args, crawl, crawl_sent, acmd)
    if args.corpus != "classic":  # the audit's CPU per page shape, in-process (see audit_shapes.py)
        shaped = measure([sys.executable, str(HERE / "audit_shapes.py"), "--db", str(db), "--shapes",
                          str(web / "shapes.json"), "--repeats", str(args.audit_repeats)],
                         env=clean_env(None), cwd=REPO, log=run_dir / "shapes")
        print(f"[{n}] audit CPU per page shape (in-process, median of {args.audit_repeats} runs):\n"
              f"{shaped.stdout if shaped.rc == 0 else shaped.stderr[-2000:]}", flush=True)
    return pt


def recrawl(n: int, work: Path, args, first: Run, first_sent: int, acmd: list[str]) -> dict:
    """``--recrawl``: crawl the unchanged web again into the same database, as next week's
    crawl would (conditional requests: crawler/conditional.py), audit it, and set its bytes
    sent by the server, wall and CPU beside the first crawl's, with whether the two audits'
    result tables are identical (benchmarks/equivalence.py)."""
    web = generate.web_folder(work, n, args.corpus)
    srv, port, run_dir, db = serve_web(n, work, args, "run", fresh=False)
    first_audit = q(db, "SELECT max(audit_id) FROM audits")[0][0]
    try:
        cmd = crawl_cmd(web / "seeds.csv", db, args.download_delay, args.workers, args.host_concurrency)
        again = measure(cmd, env=clean_env(f"http://127.0.0.1:{port}"), cwd=REPO, server=srv, log=run_dir / "recrawl")
    finally:
        srv.stop()
    sent = srv.bytes_sent()
    if again.rc != 0:
        print(f"[{n}] re-crawl failed (rc {again.rc}): {again.stderr[-2000:]}", flush=True)
    counts = crawl_counts(db)
    not_modified = q(db, "SELECT count(*) FROM fetches WHERE crawl_id = ? AND not_modified = 1",
                     [counts["crawl_id"]])[0][0]
    audit = measure(acmd, env=clean_env(None), cwd=REPO, log=run_dir / "recrawl-audit")
    with open(run_dir / "recrawl-equivalence.txt", "w") as out:
        with redirect_stdout(out):
            same = compare(str(db), str(db), first_audit, q(db, "SELECT max(audit_id) FROM audits")[0][0], set())
    line = (f"re-crawl of the unchanged web: {counts['pages']} pages ({not_modified} answers 304 Not Modified), "
            f"{fmt_bytes(sent)} sent by the server against {fmt_bytes(first_sent)} for the first crawl "
            f"({100 * sent / max(1, first_sent):.1f}%); wall {again.wall:.1f} s against {first.wall:.1f} s, crawl CPU "
            f"{again.cpu:.1f} s against {first.cpu:.1f} s; audit of it {audit.wall:.1f} s; audit results "
            f"{'identical' if same else 'DIFFERENT (see recrawl-equivalence.txt)'} to the first crawl's")
    print(f"[{n}] {line}", flush=True)
    return {"line": line, "sent": sent, "first_sent": first_sent, "wall": again.wall, "cpu": again.cpu,
            "identical": same}


def a11y_figures(db: Path, audit_id: int) -> dict | None:
    """Contrast pages, distinct issues and how the accessibility points and the total scores
    spread (text histograms): whether the score tells sites apart or piles them up at 0 or 20."""
    if not has_table(db, "a11y_issues"):
        return None
    rows = q(db, "SELECT score_accessibility, a11y_distinct_issues, a11y_contrast_pages, a11y_axe_pages_checked, "
                 "a11y_pages_checked, a11y_pages_failing, score FROM council_scores WHERE audit_id = ? "
                 "AND pages_crawled > 0 AND score IS NOT NULL", [audit_id])
    if not rows:
        return None
    points = [r[0] or 0.0 for r in rows]
    scores = [r[6] or 0.0 for r in rows]
    axe_pages = sum(r[3] or 0 for r in rows)
    contrast = sum(r[2] or 0 for r in rows)
    contrast_sites = sum(1 for r in rows if r[2])
    failing_share = sum(r[5] or 0 for r in rows) / max(1, sum(r[4] or 0 for r in rows))
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    line = (f"{sum(r[1] or 0 for r in rows)} distinct issues over {len(rows)} sites (median "
            f"{median([r[1] or 0 for r in rows])}); low-contrast text on {contrast} of {axe_pages} axe-checked pages "
            f"({contrast_sites} of {len(rows)} sites); {failing_share:.0%} of pages fail some automated check; "
            f"accessibility points min {min(points):.1f} median {median(points):.1f} max {max(points):.1f} of 20; "
            f"total score min {min(scores):.1f} median {median(scores):.1f} max {max(scores):.1f} of 100")
    return {"line": line, "histogram": text_histogram(points, 20, 10),
            "score_histogram": text_histogram(scores, 100, 10)}


def text_histogram(values: list[float], top: float, bins: int) -> str:
    """One line per bin over 0..top: its range, a bar of # and the count."""
    counts = [0] * bins
    for v in values:
        counts[min(int(max(v, 0) / top * bins), bins - 1)] += 1
    peak = max(counts) or 1
    width = top / bins
    return "\n".join(f"  {i * width:4.0f}-{(i + 1) * width:<4.0f} {'#' * round(40 * c / peak):<40} {c}"
                     for i, c in enumerate(counts))


def demo_spread(work: Path) -> dict | None:
    """The offline demo (lo-audit demo, axe-core on its default sample): its accessibility figures."""
    db = work / "demo" / "demo.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    for stale in db.parent.glob("demo.db*"):
        stale.unlink()
    r = measure(lo_audit() + ["demo", "--db", str(db), "--no-serve"], env=clean_env(None), cwd=REPO,
                log=work / "demo" / "demo")
    if r.rc != 0:
        print(f"[demo] failed (rc {r.rc}): {r.stderr[-1000:]}", flush=True)
        return None
    aid = q(db, "SELECT max(audit_id) FROM audits")[0][0]
    return a11y_figures(db, aid)


def polite_delay(sites: int, setting) -> float:
    """``--polite-delay auto``: sites / 153, so H sites at that delay ask for as many requests
    per second in all (153) as the national crawl's 153 hosts at 1 request/s each."""
    return sites / generate.NATIONAL_SITES * DEFAULT_DELAY if setting == "auto" else float(setting)


def polite_check(n: int, work: Path, args) -> dict:
    """The national demand in miniature: crawl the N-page web (H sites) at ``--download-delay
    H/153`` with one request in flight per host and the national run's workers, so the whole
    crawl asks for 153 requests/s like the national crawl at 1 request/s per host. How close
    does the wall time come to the physical limit (requests to the busiest host x delay)?
    1.0 = neither the scheduler nor the CPU ever left the busiest host's slot idle."""
    web = generate.web_folder(work, n, args.corpus)
    sites = json.loads((web / "manifest.json").read_text())["sites"]
    d = polite_delay(sites, args.polite_delay)
    srv, port, run_dir, db = serve_web(n, work, args, "polite")
    try:
        cmd = crawl_cmd(web / "seeds.csv", db, d, args.workers, 1)
        print(f"[polite {n}] {sites} sites at --download-delay {d:g} "
              f"({'auto: ' if args.polite_delay == 'auto' else ''}{sites}/{d:g} = {sites / d:.0f} requests/s "
              f"of demand; national: {generate.NATIONAL_SITES} hosts x 1/s), --workers {args.workers} "
              f"--host-concurrency 1", flush=True)
        r = measure(cmd, env=clean_env(f"http://127.0.0.1:{port}"), cwd=REPO, server=srv, log=run_dir / "crawl")
    finally:
        srv.stop()
    if r.rc != 0:
        print(f"[polite {n}] crawl failed (rc {r.rc}): {r.stderr[-2000:]}", flush=True)
    c = crawl_counts(db)
    host, busiest = c["busiest_any_host"]
    limit = busiest * d
    return {"sites": sites, "delay": d, "auto": args.polite_delay == "auto", "workers": args.workers,
            "host_concurrency": 1, "wall": r.wall, "busiest_host": host, "busiest_requests": busiest,
            "limit": limit, "efficiency": limit / r.wall if r.wall else 0, "pages": c["pages"],
            "requests": c["requests"], "status_only_checks": c["status_only_checks"], "cpu": r.cpu,
            "rss_mb": r.maxrss_mb, "sumrss_mb": r.sumrss_mb, "rc": r.rc}


def polite_window(n: int, work: Path, args) -> dict:
    """The real thing for ``--polite-window`` seconds: the N-page web (all 153 sites at
    100,000 pages) crawled at the default politeness (1 request/s per host, one in flight,
    AutoThrottle on), stopped with SIGTERM (the crawl then shuts down cleanly). Each site
    host should have made min(its requests, window x 1/s) requests: efficiency = made /
    that, over all sites, and the share of that rate the slowest big host got."""
    web = generate.web_folder(work, n, args.corpus)
    m = json.loads((web / "manifest.json").read_text())
    srv, port, run_dir, db = serve_web(n, work, args, "window")
    cmd = crawl_cmd(web / "seeds.csv", db, DEFAULT_DELAY, args.workers, 1)
    print(f"[window {n}] {m['sites']} sites at --download-delay {DEFAULT_DELAY:g} --host-concurrency 1 "
          f"--workers {args.workers} for {args.polite_window:g} s", flush=True)
    import signal
    try:
        with open(run_dir / "crawl.err", "wb") as err:
            proc = subprocess.Popen(cmd, env=clean_env(f"http://127.0.0.1:{port}"), cwd=REPO,
                                    stdout=subprocess.DEVNULL, stderr=err)
            t0 = time.perf_counter()
            try:
                proc.wait(timeout=args.polite_window)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGTERM)
            window = time.perf_counter() - t0
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        srv.stop()
    cid, started = q(db, "SELECT crawl_id, started_at FROM crawls ORDER BY crawl_id DESC LIMIT 1")[0]
    # Only what was fetched inside the window (the clean shutdown after SIGTERM takes a few seconds).
    end = (datetime.fromisoformat(started) + timedelta(seconds=window)).isoformat(timespec="seconds")
    made = dict(q(db, f"SELECT {HOST_SQL} AS h, count(*) FROM fetches WHERE crawl_id=? AND fetched_at <= ? AND "
                      "(status IS NOT NULL OR error NOT LIKE 'skipped%') GROUP BY h", [cid, end]))
    allowed = window / DEFAULT_DELAY
    due = {s["host"]: min(s["pages"] + s["documents"] + 2, allowed) for s in m["site_list"]}
    big = sorted(made.get(h, 0) / allowed for h, d in due.items() if d >= allowed)
    return {"sites": m["sites"], "window": window, "requests": sum(made.get(h, 0) for h in due),
            "due": sum(due.values()), "efficiency": sum(min(made.get(h, 0), d) for h, d in due.items()) / sum(due.values()),
            "big_hosts": len(big), "big_min": big[0] if big else None, "big_median": big[len(big) // 2] if big else None}


# ---- peers --------------------------------------------------------------------------------------

def peers_tools(work: Path) -> dict:
    """Install linkinator (npm) and LinkChecker (pip, own venv) under ``work/peers``."""
    d = work / "peers"
    d.mkdir(parents=True, exist_ok=True)
    tools = {}
    lk = d / "node_modules" / ".bin" / "linkinator"
    if not lk.exists() and shutil.which("npm"):
        print("installing linkinator (npm) ...", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "linkinator"], cwd=d,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if lk.exists():
        tools["linkinator"] = str(lk)
    lc = d / "venv" / "bin" / "linkchecker"
    if not lc.exists():
        print("installing LinkChecker (pip, in its own venv) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(d / "venv")], stdout=subprocess.DEVNULL)
        subprocess.run([str(d / "venv" / "bin" / "pip"), "install", "-q", "LinkChecker"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if lc.exists():
        tools["linkchecker"] = str(lc)
        rc = d / "linkcheckerrc"
        # maxrequestspersecond only takes effect above 10 for hosts that answer with a
        # "LinkChecker" header, which the peer servers send (serve.DIRECT_SERVER).
        rc.write_text(f"[checking]\nmaxrequestspersecond=100000\nthreads={PEER_CONCURRENCY}\ntimeout=20\n"
                      "[filtering]\ncheckextern=1\n[output]\nstatus=0\nwarnings=0\n")
        tools["linkcheckerrc"] = str(rc)
    return tools


def norm(url: str) -> str:
    url = url.split("#", 1)[0]
    return url


def peer_site(size: int, work: Path, tools: dict, args) -> dict:
    port = serve.free_port()
    site_host = f"127.0.0.1:{port}"
    pool_map = {h: f"127.0.0.{2 + i}:{port}" for i, h in enumerate(generate.POOL_HOSTS)}
    pool_map[generate.SOCIAL_HOST] = pool_map[generate.POOL_HOSTS[0]]
    out = work / f"peer-{size}"
    m = generate.generate_single_site(out, size, site_host, pool_map)
    if m["key"]["site_host"] != site_host:  # a reused site was written for another port
        m = generate.generate_single_site(out, size, site_host, pool_map)
    direct = [("127.0.0.1", port, out / "site")]
    for i, h in enumerate(generate.POOL_HOSTS):
        folder = out / "pool" / h
        folder.mkdir(parents=True, exist_ok=True)
        direct.append((f"127.0.0.{2 + i}", port, folder))
    srv = serve.start(direct=direct, work=work / "nginx-peers", workers=args.server_workers, prefer=args.server)
    seed_url = f"http://{site_host}/"
    truth = set(m["broken"])
    res = {"size": size, "server": srv.kind, "truth": len(truth), "tools": {}}
    try:
        run_dir = work / f"peer-run-{size}"
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        seeds = run_dir / "seeds.csv"
        seeds.write_text(f"code,name,local_offer_url,council_url\nE06999999,Peershire,{seed_url},{seed_url}\n")
        db = run_dir / "lo.db"
        env = clean_env(None)
        # Same budget of requests in flight as the peers (linkinator --concurrency 16, LinkChecker
        # 16 threads); one process, then --workers 2 (a single site is one host: one crawl
        # process, and the link checker for the link targets on other hosts).
        crawl = measure(crawl_cmd(seeds, db, 0, 1, PEER_CONCURRENCY), env=env, cwd=REPO, server=srv,
                        log=run_dir / "crawl")
        c = crawl_counts(db)
        audit = measure(audit_cmd(db, 0), env=env, cwd=REPO, log=run_dir / "audit")
        found = {norm(u) for u in c["broken"]}
        res["tools"]["lo-audit crawl+links"] = _tool(crawl, found, truth, c["pages"], c["link_checks"])
        full = Run(crawl.cmd, wall=crawl.wall + audit.wall, cpu=crawl.cpu + audit.cpu,
                   maxrss_mb=max(crawl.maxrss_mb, audit.maxrss_mb), sumrss_mb=max(crawl.sumrss_mb, audit.sumrss_mb),
                   rc=audit.rc or crawl.rc)
        res["tools"]["lo-audit full audit"] = _tool(full, found, truth, c["pages"], c["link_checks"])
        # --workers 2: the site's one crawl process, and the link checker for the other hosts.
        db2 = run_dir / "lo-workers2.db"
        crawl2 = measure(crawl_cmd(seeds, db2, 0, 2, PEER_CONCURRENCY), env=env, cwd=REPO, server=srv,
                         log=run_dir / "crawl-workers2")
        c2 = crawl_counts(db2)
        res["tools"]["lo-audit --workers 2"] = _tool(crawl2, {norm(u) for u in c2["broken"]}, truth, c2["pages"],
                                                     c2["link_checks"])
        if "linkinator" in tools:
            r = measure([tools["linkinator"], seed_url, "--recurse", "--concurrency", str(PEER_CONCURRENCY), "--format", "json",
                         "--timeout", "20000"], env=env, server=srv)
            (work / f"peer-run-{size}" / "linkinator.json").write_text(r.stdout)
            try:
                data, _ = json.JSONDecoder().raw_decode(r.stdout[r.stdout.find("{"):])
                links = data.get("links", [])
                found = {norm(x["url"]) for x in links if x.get("state") == "BROKEN"}
                checked = len({norm(x["url"]) for x in links})
                pages = len({x.get("parent") for x in links if x.get("parent")})
            except ValueError:
                found, checked, pages = set(), 0, 0
                r.stderr += f"\n(no JSON in linkinator's output: {len(r.stdout)} bytes, exit {r.rc})"
                r.rc = r.rc if r.rc not in (0, 1) else 2  # make the error visible in the table
            res["tools"]["linkinator"] = _tool(r, found, truth, pages, checked)
        if "linkchecker" in tools:
            r = measure([tools["linkchecker"], "-f", tools["linkcheckerrc"], "--no-robots", "--check-extern",
                         "-t", str(PEER_CONCURRENCY), "--timeout", "20", "--no-status", "-o", "csv", seed_url],
                        env=env, server=srv)
            found = set()
            lines = [ln for ln in r.stdout.splitlines() if ln and not ln.startswith("#")]
            rows = list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"))
            for row in rows:
                if row.get("valid") in ("False", "0", "false"):
                    found.add(norm(row.get("url") or row.get("urlname") or ""))
            stats = _linkchecker_stats(r.stdout + r.stderr)
            res["tools"]["LinkChecker"] = _tool(r, found, truth, None, stats)
            (work / f"peer-run-{size}" / "linkchecker.csv").write_text(r.stdout)
    finally:
        srv.stop()
    return res


def _linkchecker_stats(text: str) -> int | None:
    import re
    m = re.search(r"(\d+) links? in (\d+) URLs? checked", text) or re.search(r"(\d+) URLs? checked", text)
    if not m:
        return None
    return int(m.group(2) if m.lastindex and m.lastindex >= 2 else m.group(1))


def _tool(r: Run, found: set, truth: set, pages, checked) -> dict:
    return {"wall": r.wall, "cpu": r.cpu, "rss": r.sumrss_mb, "rss_max": r.maxrss_mb, "rc": r.rc, "found": len(found),
            "agree": len(found & truth), "missed": sorted(truth - found)[:3], "extra": sorted(found - truth)[:3],
            "n_missed": len(truth - found), "n_extra": len(found - truth), "pages": pages, "checked": checked,
            "server_cpu": r.server_cpu, "err": (r.stderr or "")[-300:] if r.rc else ""}


def a11y_timing(web: Path, pages: int) -> dict:
    m = json.loads((web / "manifest.json").read_text())
    site = m["site_list"][0]
    folder = web / "sites" / site["host"]
    r = measure([sys.executable, str(HERE / "a11y_timing.py"), str(folder), "--pages", str(pages), "--pools", "1",
                 str(CORES), str(CORES + 1),
                 "--base", site["seed_url"].split("/", 3)[0] + "//" + site["host"] + "/"], env=clean_env(None), cwd=REPO,
                timeout=120 + 30 * pages)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"exit {r.rc} after {r.wall:.0f} s: " + r.stderr[-500:]}


# ---- printing --------------------------------------------------------------------------------

def fmt_bytes(b: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(b) < 1024 or unit == "GB":
            return f"{b:.1f} {unit}" if unit != "B" else f"{b:.0f} B"
        b /= 1024
    return f"{b:.1f} GB"


def print_national(points: list[Point], args) -> None:
    rows = [
        ("sites / pages generated", lambda p: f"{p.manifest['sites']} / {p.manifest['pages']}"),
        ("largest site (pages)", lambda p: f"{p.manifest['largest_site_pages']}"),
        ("server", lambda p: p.server),
        ("pages crawled (HTML 200, archived)", lambda p: f"{p.counts['pages']}"),
        ("requests (pages, docs, robots, sitemaps, checks)", lambda p: f"{p.counts['requests']}"),
        ("crawl wall time", lambda p: f"{p.crawl.wall:.1f} s"),
        ("crawl pages/s (target >= 300, issue 25)", lambda p: f"{p.counts['pages'] / p.crawl.wall:.1f}"),
        ("crawl CPU (user+sys, all processes)", lambda p: f"{p.crawl.cpu:.1f} s ({p.crawl.cpu / p.crawl.wall:.2f} of {CORES} cores)"),
        ("crawl CPU ms/page (fetch+parse+store+WARC)", lambda p: f"{1000 * p.crawl.cpu / max(1, p.counts['pages']):.1f}"),
        ("server CPU during crawl", lambda p: "n/a" if p.crawl.server_cpu is None else f"{p.crawl.server_cpu:.1f} s"),
        ("link_checks rows (all checked targets)", lambda p: f"{p.counts['link_checks']}"),
        ("  of which status-only (not crawled)", lambda p: f"{p.counts['status_only_checks']}"),
        ("link checks/s (rows / crawl wall)", lambda p: f"{p.counts['link_checks'] / p.crawl.wall:.1f}"),
        ("links rows (page -> target)", lambda p: f"{p.counts['links']} ({p.counts['links_table']})"),
        ("urls rows (distinct URLs in the graph)", lambda p: "n/a" if p.counts["urls"] is None else f"{p.counts['urls']}"),
        ("deferred_link_checks rows (workers)", lambda p: "n/a" if p.counts["deferred_checks"] is None else f"{p.counts['deferred_checks']}"),
        ("broken targets found / truth / agree", lambda p: f"{p.extra['broken_found']} / {p.extra['broken_truth']} / {p.extra['broken_agree']}"),
        ("crawl peak RSS (largest process)", lambda p: f"{p.crawl.maxrss_mb:.0f} MB"),
        ("crawl peak RSS (all processes; target <= 1 GB)", lambda p: f"{p.crawl.sumrss_mb:.0f} MB"),
        ("audit wall time", lambda p: f"{p.audit.wall:.1f} s"),
        ("audit CPU (user+sys, all processes)", lambda p: f"{p.audit.cpu:.1f} s ({p.audit.cpu / p.audit.wall:.2f} of {CORES} cores)"),
        ("audit CPU ms/page (first run)", lambda p: f"{audit_ms(p, p.audit):.1f}"),
        ("audit CPU ms/page, every run (machine speed ms)",
         lambda p: " ".join(f"{audit_ms(p, r):.1f}({speed:.0f})" for r, speed in p.extra["audit_runs"])),
        ("audit CPU ms/page, median / best (target <= 3)",
         lambda p: f"{audit_ms(p, median_audit(p)):.1f} / {audit_ms(p, best_audit(p)):.1f}"),
        ("audit pages/s", lambda p: f"{p.counts['pages'] / p.audit.wall:.1f}"),
        ("audit peak RSS (largest process)", lambda p: f"{p.audit.maxrss_mb:.0f} MB"),
        ("audit peak RSS (all processes; target <= 1 GB)", lambda p: f"{p.audit.sumrss_mb:.0f} MB"),
        ("database after crawl, per page", lambda p: f"{fmt_bytes(p.db_bytes_crawl)} ({fmt_bytes(p.db_bytes_crawl / max(1, p.counts['pages']))})"),
        ("database after audit, per page", lambda p: f"{fmt_bytes(p.db_bytes_audit)} ({fmt_bytes(p.db_bytes_audit / max(1, p.counts['pages']))})"),
        ("WARC, per page", lambda p: f"{fmt_bytes(p.warc_bytes)} ({fmt_bytes(p.warc_bytes / max(1, p.counts['pages']))})"),
        ("crawl exit / audit exit", lambda p: f"{p.crawl.rc} / {p.audit.rc}"),
    ]
    width = max(len(r[0]) for r in rows) + 2
    head = "".join(f"{f'{p.pages_target} pages':>26}" for p in points)
    audit_workers = f"--workers {args.workers}" if args.audit_workers else "one process: no --workers option"
    print(f"\n== National synthetic web: lo-audit crawl (--download-delay {args.download_delay:g} --workers {args.workers} "
          f"--host-concurrency {args.host_concurrency}) + audit ({audit_workers}) ==\n{'':{width}}{head}")
    for label, fn in rows:
        print(f"{label:{width}}" + "".join(f"{fn(p):>26}" for p in points))


def print_axe_speed(a: dict) -> None:
    if not a.get("pools"):
        print(f"\n== axe-core speed: not measured ({a.get('axe_error') or a.get('error')}) ==")
        return
    print(f"\n== axe-core on {a['pages']} archived pages ({a['kb_per_page']} KB each, with their stylesheets), "
          f"{CORES} cores, load {' '.join(str(x) for x in a.get('load', []))} ==")
    for size, p in a["pools"].items():
        print(f"pool of {size} page(s): {p['pages_per_s']:.2f} pages/s, {p['cpu_ms_per_page']:.0f} CPU ms/page (all "
              f"processes), {p['failed']} failed, same results as the pool of 1: {p['same_results']}; "
              f"browser start {p['startup_s']} s")
    best = min(p["cpu_ms_per_page"] for p in a["pools"].values())
    print(f"  on {CORES} idle cores at {best:.0f} CPU ms/page axe could judge at most {1000 * CORES / best:.1f} pages/s "
          "(target >= 5, issue 23)")


def print_peers(results: list[dict], a11y: dict | None) -> None:
    for res in results:
        print(f"\n== Peers: one {res['size']}-page site on 127.0.0.1 ({res['server']}), "
              f"{res['truth']} broken targets in the ground truth ==")
        base = res["tools"].get("lo-audit crawl+links", {}).get("wall")
        print(f"{'tool':24}{'wall s':>9}{'ratio':>8}{'CPU s':>8}{'RSS MB':>8}{'broken':>8}{'agree':>7}{'missed':>7}{'extra':>7}"
              f"{'pages':>7}{'checked':>8}")
        for name, t in res["tools"].items():
            ratio = f"{t['wall'] / base:.2f}" if base else "-"
            print(f"{name:24}{t['wall']:9.2f}{ratio:>8}{t['cpu']:8.2f}{t['rss']:8.0f}{t['found']:8}{t['agree']:7}"
                  f"{t['n_missed']:7}{t['n_extra']:7}{t['pages'] if t['pages'] is not None else '-':>7}"
                  f"{t['checked'] if t['checked'] is not None else '-':>8}")
            if t["n_missed"] or t["n_extra"]:
                print(f"    {name}: missed e.g. {t['missed']}, extra e.g. {t['extra']}")
            if t["err"] and t["rc"] not in (0, 1):  # 1: "broken links found" for the peers
                print(f"    {name} exit {t['rc']}: {t['err']!r}")
        print("  ratio = tool wall / lo-audit crawl+links wall (>1: lo-audit faster).")
        print(f"  same budget of requests in flight: lo-audit crawl --host-concurrency {PEER_CONCURRENCY} (--workers 1; "
              f"--workers 2: the site's crawl process + the link checker process for other hosts), "
              f"linkinator --concurrency {PEER_CONCURRENCY}, LinkChecker -t {PEER_CONCURRENCY} (threads).")
        print("  RSS MB = peak RSS summed over the tool's processes (sampled every 0.1 s); "
              "full audit: the larger of its crawl's and its audit's.")
    if a11y:
        print("\n== Accessibility engines, per page (same generated pages) ==")
        print(json.dumps(a11y))
        one = a11y.get("pools", {}).get("1")
        if one:
            axe_ms = 1000 / one["pages_per_s"]
            print(f"static engine {a11y['static_ms_per_page']} ms/page vs axe-core in Chromium {axe_ms:.0f} ms/page one at a "
                  f"time (x{axe_ms / max(0.01, a11y['static_ms_per_page']):.0f}; browser start {one['startup_s']} s)")


def print_projection(p: Point, polite: dict | None, args, window: dict | None = None,
                     delay: float = DEFAULT_DELAY) -> None:
    cores = CORES
    sizes = generate.site_sizes(generate.NATIONAL_PAGES)
    docs = [max(1, s // 100) for s in sizes]
    largest = max(s + d for s, d in zip(sizes, docs)) + 2  # + robots.txt + sitemap
    pages = sum(sizes)
    # requests per page (pages, documents, robots, sitemaps, own-site 404s) and status-only checks, measured
    req_per_page = p.counts["requests"] / max(1, p.counts["pages"])
    crawl_ms = 1000 * p.crawl.cpu / max(1, p.counts["pages"])
    audit_ms_page = audit_ms(p, median_audit(p))
    physical = largest * delay
    # busiest external host at national scale: the pool is ~pages/20 URLs over its hosts
    pool_per_host = max(300, pages // 20) / len(generate.POOL_HOSTS)
    # The window run measures the real demand at the real delay; the miniature squeezes the
    # delay 153/H-fold, so a request's own latency weighs far more there: prefer the window.
    eff = (window["efficiency"] if window else None) or (polite["efficiency"] if polite and polite.get("efficiency")
                                                         else None)
    bound = max(physical, pool_per_host * delay)
    projected = bound / eff if eff else bound
    crawl_cpu = crawl_ms * pages / 1000
    audit_cpu = audit_ms_page * pages / 1000
    workers = workers_used(args.workers)
    crawl_par = max(1, min(workers, cores))  # cores the crawl's workers can use at once
    audit_par = max(1, min(workers, cores)) if args.audit_workers else 1
    print(f"\n== Projection: a real national audit ({generate.NATIONAL_SITES} councils, ~{pages:,} pages) "
          f"at the default politeness ({delay:g} request/s per host), --workers {args.workers} ==")
    print(f"measured at {p.pages_target} pages: crawl {crawl_ms:.1f} CPU ms/page, audit {audit_ms_page:.1f} CPU ms/page "
          f"(median of {len(p.extra['audit_runs'])} run{'s' if len(p.extra['audit_runs']) > 1 else ''}), "
          f"{req_per_page:.2f} requests/page, unthrottled {p.counts['pages'] / p.crawl.wall:.0f} pages/s "
          f"(--workers {args.workers} --host-concurrency {args.host_concurrency})")
    print(f"largest site: {largest} requests (pages + documents + robots + sitemap) x {delay:g} s/request per host "
          f"= {physical / 3600:.2f} h")
    print(f"busiest external host: ~{pool_per_host:.0f} status checks x {delay:g} s = {pool_per_host * delay / 3600:.2f} h")
    print(f"physical limit (the larger): {bound / 3600:.2f} h")
    if polite and polite.get("efficiency"):
        print(f"efficiency of the national demand in miniature ({polite['sites']} sites at --download-delay "
              f"{polite['delay']:g}{' (auto)' if polite.get('auto') else ''} = {polite['sites'] / polite['delay']:.0f} "
              f"requests/s, --workers {polite['workers']} --host-concurrency 1, {polite['pages']} pages): "
              f"busiest host {polite['busiest_host']} {polite['busiest_requests']} requests x {polite['delay']:g} s "
              f"= {polite['limit']:.1f} s vs {polite['wall']:.1f} s wall -> {polite['efficiency']:.0%}")
        if polite.get("rc"):
            print(f"  (the politeness crawl exited {polite['rc']}: its efficiency is not trustworthy)")
    if window:
        print(f"efficiency at the real politeness ({window['sites']} sites, --download-delay {delay:g}, first "
              f"{window['window']:.0f} s): {window['requests']} requests made of {window['due']:.0f} due -> "
              f"{window['efficiency']:.1%}; the {window['big_hosts']} hosts with more to fetch than the window got "
              f"{window['big_median']:.0%} (median) and {window['big_min']:.0%} (slowest) of 1 request/s"
              f"{' (used for the projection)' if eff == window['efficiency'] else ''}")
    gap = projected / bound - 1
    print(f"projected crawl wall time: {projected / 3600:.2f} h = physical limit {bound / 3600:.2f} h / "
          f"{f'{eff:.0%}' if eff else '100% (assumed)'} -> within {gap:.0%} of the politeness limit"
          f"{'' if eff else ' (no politeness run, so the scheduler is assumed perfect)'}")
    print(f"  real servers: with one request in flight per host, a host slower than {delay:g} s per response "
          f"stretches its share; AutoThrottle then spaces requests by its latency instead of {delay:g} s")
    print(f"CPU: crawl {crawl_cpu / 60:.1f} CPU-min ({crawl_ms:.1f} ms/page measured x {pages:,} pages) + audit "
          f"{audit_cpu / 60:.1f} CPU-min; over the projected {projected / 3600:.2f} h the crawl needs "
          f"{crawl_cpu / projected:.2f} cores on average -> headroom {1 - crawl_cpu / (projected * cores):.1%} of "
          f"{cores} cores")
    print(f"  unthrottled, the crawl alone would take ~{crawl_cpu / crawl_par / 60:.1f} min of wall on {crawl_par} "
          f"core{'s' if crawl_par > 1 else ''} ({workers} worker process{'es' if workers > 1 else ''} "
          f"on {cores} cores; each Scrapy worker uses at most one core)")
    print(f"audit after the crawl: ~{audit_cpu / audit_par / 60:.1f} min on {audit_par} core{'s' if audit_par > 1 else ''}"
          f"{'' if args.audit_workers else ' (lo-audit audit has no --workers option: one process)'}")


# ---- main ----------------------------------------------------------------------------------------

def _sample_or_default(value: str):
    """``--axe-sample``: a number (0: no axe), or ``default``."""
    return AS_TYPED if value.strip().lower() == AS_TYPED else max(0, int(value))


def _count_or_default(value: str):
    """A positive number, or ``default``: leave the option out of the command."""
    if value.strip().lower() == AS_TYPED:
        return AS_TYPED
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is neither a number nor '{AS_TYPED}'") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: at least 1")
    return n


def _polite_arg(value: str):
    """``auto`` or a delay in seconds (>= 0; 0 skips the politeness run)."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        d = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or seconds, got {value!r}") from None
    if not d >= 0 or d == float("inf"):
        raise argparse.ArgumentTypeError(f"expected 'auto' or seconds >= 0, got {value!r}")
    return d


def machine_speed() -> float:
    """CPU ms for a fixed piece of work like the audit's, independent of lo-audit's code:
    Lexbor parses a fixed 400-element page and Python walks it, building a dict per element
    (best of 5, so a moment of contention does not count). Printed at the start and the end:
    on the shared 2-core development machine the same code's CPU ms/page moved by up to 40%
    between runs, and this says whether the machine, not the code, was slower."""
    from selectolax.lexbor import LexborHTMLParser

    html = "<html><body>" + "".join(
        f'<li class="item-{i}"><a href="/page-{i}.html">Page {i} about short breaks</a></li>'
        for i in range(200)) + "</body></html>"
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(20):
            tree = LexborHTMLParser(html)
            index = {}
            for node in tree.css("*"):
                index[(node.tag, len(index))] = (node.attributes, node.text_lexbor())
        best = min(best, time.process_time() - started)
    return best * 1000


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="lo-audit national performance benchmark (prints figures, asserts nothing).")
    ap.add_argument("--pages", type=int, nargs="+", default=[10_000, 100_000],
                    help="total pages of the synthetic web; several values show growth (default: 10000 100000)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/lo-audit-bench"), help="generated webs, databases, tools")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", choices=generate.CORPORA, default="classic",
                    help="classic: the one-shape web of the earlier figures; varied: platforms and page shapes, "
                         "with the audit's CPU per shape (audit_shapes.py)")
    ap.add_argument("--server", choices=("nginx", "python"), default="nginx")
    ap.add_argument("--server-workers", type=int, default=1, help="nginx worker processes (default 1)")
    ap.add_argument("--download-delay", type=float, default=0.0, help="crawl delay for the national run (default 0)")
    ap.add_argument("--axe-sample", type=_sample_or_default, default=0,
                    help="audit --axe-sample for the national run (default 0: static engine only); "
                         f"'{AS_TYPED}' leaves the option out: lo-audit's own axe sample, the audit as typed")
    ap.add_argument("--audit-repeats", type=int, default=3,
                    help="run the same audit this many times on each crawl and print every run's CPU ms/page with "
                         "the machine speed before it, and the median and best (default 3; the first run's rows "
                         "and database size are the ones in the table)")
    ap.add_argument("--peers", action="store_true", help="also compare with linkinator and LinkChecker, and axe vs static")
    ap.add_argument("--peer-sizes", type=int, nargs="+", default=[200, 2000])
    ap.add_argument("--a11y-pages", type=int, default=20, help="pages for the axe vs static timing")
    ap.add_argument("--axe-pages", type=int, default=40,
                    help="pages of the smallest web axe-core checks one at a time and then in its pool of pages, for "
                         "pages/s and the same results (default 40; 0 skips)")
    ap.add_argument("--no-demo", dest="demo", action="store_false",
                    help="skip the offline demo's accessibility figures (lo-audit demo, about a minute)")
    ap.add_argument("--workers", type=_count_or_default, default=CORES,
                    help=f"lo-audit crawl --workers for the national and politeness runs, and lo-audit audit "
                         f"--workers when it has that option (default: the cores this process may use = {CORES}); "
                         f"'{AS_TYPED}' leaves the option out: lo-audit's own default, as a user types the command")
    ap.add_argument("--host-concurrency", type=_count_or_default, default=4,
                    help="lo-audit crawl --host-concurrency for the national run (default 4; the politeness run "
                         f"uses 1, the peer comparison {PEER_CONCURRENCY}); '{AS_TYPED}' leaves the option out")
    ap.add_argument("--polite-delay", type=_polite_arg, default="auto",
                    help="politeness run: crawl the smallest web at this --download-delay with --host-concurrency 1 "
                         f"to measure efficiency; 'auto' (default) = its sites / {generate.NATIONAL_SITES}, the national "
                         "demand in miniature; a number in seconds; 0 skips the run")
    ap.add_argument("--polite-window", type=float, default=0,
                    help="also crawl the largest web at the default politeness (1 request/s per host) for this "
                         "many seconds and measure each host's achieved rate (e.g. 300; default 0: skip)")
    ap.add_argument("--recrawl", action="store_true",
                    help="crawl each web a second time, unchanged, into the same database (conditional requests) "
                         "and print the bytes the server sent and the wall and CPU time against the first crawl, "
                         "and whether the audits of the two crawls are identical")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    cores = CORES
    args.audit_workers = "--workers" in audit_help()
    try:
        load = os.getloadavg()
    except OSError:
        load = (0, 0, 0)
    print(f"lo-audit national benchmark {date.today()} | {cores} cores | load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} | "
          f"nginx: {serve.nginx_binary() or 'missing'} | python {sys.version.split()[0]} ({sys.base_prefix}) | "
          f"machine speed {machine_speed():.0f} ms (lower is faster; see benchmarks/README.md)", flush=True)
    print(f"crawl --workers {args.workers} --host-concurrency {args.host_concurrency} --download-delay "
          f"{args.download_delay:g} | audit "
          f"{f'--workers {args.workers}' if args.audit_workers else 'without --workers (not in lo-audit audit --help)'} | "
          f"politeness run: "
          f"{'skipped' if args.polite_delay == 0 else ('--download-delay auto (sites/' + str(generate.NATIONAL_SITES) + ')' if args.polite_delay == 'auto' else f'--download-delay {args.polite_delay:g}')}"
          f"{'' if args.polite_delay == 0 else f' --workers {args.workers} --host-concurrency 1'}", flush=True)
    points = [national(n, args.work, args) for n in sorted(args.pages)]
    polite = polite_check(min(args.pages), args.work, args) if args.polite_delay != 0 else None
    window = polite_window(max(args.pages), args.work, args) if args.polite_window > 0 else None
    demo = demo_spread(args.work) if args.demo else None
    axe_speed = (a11y_timing(generate.web_folder(args.work, min(args.pages), args.corpus), args.axe_pages)
                 if args.axe_pages else None)
    peer_results, a11y = [], None
    if args.peers:
        tools = peers_tools(args.work)
        print(f"peers: {', '.join(k for k in tools if not k.endswith('rc')) or 'none installed'}", flush=True)
        for size in args.peer_sizes:
            print(f"[peers {size}] running ...", flush=True)
            peer_results.append(peer_site(size, args.work, tools, args))
        a11y = a11y_timing(generate.web_folder(args.work, min(args.pages), args.corpus), args.a11y_pages)
    print_national(points, args)
    if len(points) > 1:
        a, b = points[0], points[-1]
        grow = lambda f: f(b) / f(a) if f(a) else float("nan")  # noqa: E731
        print(f"growth {a.pages_target} -> {b.pages_target} pages (x{b.counts['pages'] / max(1, a.counts['pages']):.1f} pages): "
              f"crawl CPU ms/page x{grow(lambda p: p.crawl.cpu / max(1, p.counts['pages'])):.2f}, "
              f"audit CPU ms/page (median run) x{grow(lambda p: audit_ms(p, median_audit(p))):.2f}, "
              f"crawl RSS (all processes) x{grow(lambda p: p.crawl.sumrss_mb):.2f}, "
              f"audit RSS (all processes) x{grow(lambda p: p.audit.sumrss_mb):.2f}, "
              f"DB bytes/page x{grow(lambda p: p.db_bytes_audit / max(1, p.counts['pages'])):.2f}")
    for p in points:
        if p.extra.get("recrawl"):
            print(f"\n{p.pages_target}-page web, {p.extra['recrawl']['line']}")
    if polite:
        print(f"\npoliteness run: {polite}")
    if window:
        print(f"\nreal-politeness window: {window}")
    for p in points:
        if p.extra.get("a11y"):
            print(f"\n== Accessibility on the {p.pages_target}-page web: {p.extra['a11y']['line']} ==\n"
                  f"accessibility points (of 20), councils per band:\n{p.extra['a11y']['histogram']}\n"
                  f"total score (of 100), councils per band:\n{p.extra['a11y']['score_histogram']}")
    if demo:
        print(f"\n== Accessibility on the demo: {demo['line']} ==\naccessibility points (of 20), councils per band:\n"
              f"{demo['histogram']}\ntotal score (of 100), councils per band:\n{demo['score_histogram']}")
    if axe_speed:
        print_axe_speed(axe_speed)
    print_peers(peer_results, a11y)
    print_projection(points[-1], polite, args, window)
    try:
        load = os.getloadavg()
        print(f"\nload at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (numbers are noisy when this is above {cores}); "
              f"machine speed at the end {machine_speed():.0f} ms")
    except OSError:
        pass


if __name__ == "__main__":
    main()
