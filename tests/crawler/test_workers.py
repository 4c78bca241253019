"""``lo-audit crawl --workers 2`` over the demo web: the same evidence as one process (even
with four requests in flight per host, so responses arrive in another order), every link
target checked once, link checks on a Local Offer's host made only by the worker crawling
it and on other hosts by the link checker, and nothing lost when the link checker dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import pytest

from audit.demo.web import DEMO_ROOT, DemoWeb
from audit.core.registry import read_registry
from audit.core import db as dbmod
from audit.core.registry import Council
from crawler.workers import HostOwnership, LinkCheckInbox, previous_sizes, seed_hosts, shard_councils
from tests.conftest import ROOT, cli_env, lo_audit, rendered_pages


class LoggingDemoWeb(DemoWeb):
    """The demo web, remembering every request it answered."""

    def __init__(self):
        super().__init__()
        self.requests: list[tuple[str, str, str, str]] = []
        self._lock = threading.Lock()

    def respond(self, method, host, path, query):
        with self._lock:
            self.requests.append((method, host, path, query))
        return super().respond(method, host, path, query)


def crawl_demo(tmp_path, *extra) -> tuple[sqlite3.Connection, list, dict]:
    db = tmp_path / "demo.db"
    with LoggingDemoWeb().start() as web:
        env = {"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url}
        proc = lo_audit("crawl", "--seeds", DEMO_ROOT / "councils.csv", "--db", db, "--download-delay", "0",
                        "--timeout", "10", *extra, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn, web.requests, rendered_pages(db)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    one = crawl_demo(tmp_path_factory.mktemp("one"))
    two = crawl_demo(tmp_path_factory.mktemp("two"), "--workers", "2", "--host-concurrency", "4")
    return one, two


def rows(conn, sql):
    return {tuple(r) for r in conn.execute(sql)}


def test_two_workers_gather_the_same_evidence_as_one(crawls):
    (one, _, one_rendered), (two, _, two_rendered) = crawls
    assert rows(two, "SELECT status FROM crawls") == {("complete",)}
    assert one_rendered and two_rendered == one_rendered
    for sql in (
        "SELECT council_code, url, status, error FROM fetches",
        "SELECT url, outcome, reason, status FROM link_checks",
        "SELECT council_code, source_url, target_url, link_text FROM links",
        "SELECT council_code, status, pages_fetched FROM crawl_sites",
        "SELECT council_code, url, lastmod FROM sitemap_entries",
    ):
        assert rows(two, sql) == rows(one, sql), sql
    assert len(rows(one, "SELECT url FROM link_checks")) > 50


def test_handed_over_targets_are_checked_once_by_the_link_checker(crawls):
    (_, requests_one, _), (two, requests_two, _) = crawls
    handed_over = rows(two, "SELECT url FROM deferred_link_checks")
    assert handed_over, "with two workers the targets on other hosts go to the link checker"
    assert handed_over <= rows(two, "SELECT url FROM link_checks")
    # Not one request more than a single process made: no target was checked twice. (The
    # link checker reads robots.txt again for the hosts it checks.)
    pages_one = Counter(r for r in requests_one if r[2] != "/robots.txt")
    pages_two = Counter(r for r in requests_two if r[2] != "/robots.txt")
    assert pages_two == pages_one


def test_each_host_is_contacted_by_one_process_only():
    councils = read_registry(DEMO_ROOT / "councils.csv").councils
    seeded = [c for c in councils if c.local_offer_url]
    shards = shard_councils(seeded, 2)
    assert len(shards) == 2 and sorted(c.code for s in shards for c in s) == sorted(c.code for c in seeded)
    owners = [HostOwnership(seed_hosts(shards), i) for i in range(2)]
    for url in [c.local_offer_url for c in seeded]:  # a Local Offer's host: the worker crawling it
        assert sum(o.owns(url) for o in owners) == 1, url
    for i, shard in enumerate(shards):
        assert all(owners[i].owns(c.local_offer_url) for c in shard)
    for url in ["https://www.gov.example/x", "http://www.facebook.example/p"]:  # others: the link checker
        assert not any(o.owns(url) for o in owners), url
    assert shard_councils(seeded[:1], 4) == [seeded[:1]]  # no empty shards: no idle processes


def _councils(n: int, shared_host: int = 0) -> list[Council]:
    """``n`` councils, each on its own host but the last ``shared_host``, which share one."""
    return [Council(f"E{i:02d}", f"Council {i}",
                    f"https://{'shared' if i >= n - shared_host else f'lo{i}'}.example/send/", "") for i in range(n)]


def test_a_recrawl_deals_councils_out_by_their_last_crawls_sizes():
    """The 10,000-page benchmark web's shape: one site a third of the pages, fourteen small
    ones. Dealt by count the first worker gets the big site and half the small ones; dealt by
    size, the big site is a worker's whole share and the small ones go to the other."""
    councils = _councils(15)
    sizes = {"E00": 3525, **{c.code: 480 for c in councils[1:]}}
    by_count = shard_councils(councils, 2)
    load = [sum(sizes[c.code] for c in shard) for shard in by_count]
    assert max(load) / sum(load) > 0.6
    by_size = shard_councils(councils, 2, sizes)
    load = [sum(sizes[c.code] for c in shard) for shard in by_size]
    assert max(load) - min(load) <= 480 * 2, load  # as even as whole sites allow
    assert sorted(c.code for s in by_size for c in s) == sorted(c.code for c in councils)
    assert shard_councils(councils, 2, sizes) == by_size  # the same shares every time (a resume)


def test_councils_on_one_host_stay_together_and_unknown_sizes_count_as_the_middle_one():
    councils = _councils(6, shared_host=2)  # E04 and E05 share a host
    sizes = {"E00": 100, "E01": 300, "E02": 200, "E04": 150}  # E03 new this week, E05 never finished
    shards = shard_councils(councils, 3, sizes)
    together = [shard for shard in shards if any(c.code == "E04" for c in shard)][0]
    assert {"E04", "E05"} <= {c.code for c in together}
    # E03 counts 200 (the middle of 100, 150, 200, 300), the shared host 150 + 200: the biggest
    assert [c.code for c in shards[0]] == ["E04", "E05"]
    assert sorted(len(s) for s in shards) == [2, 2, 2]


def test_previous_sizes_are_the_last_finished_crawl_of_each_council_before_this_one(tmp_path):
    db = dbmod.connect(tmp_path / "sizes.db")
    for crawl_id in (1, 2, 3, 4):
        db["crawls"].insert({"crawl_id": crawl_id, "started_at": f"2026-11-0{crawl_id}", "status": "complete"})
    db["crawl_sites"].insert_all([
        {"crawl_id": 1, "council_code": "E1", "status": "ok", "pages_fetched": 100},
        {"crawl_id": 1, "council_code": "E2", "status": "ok", "pages_fetched": 50},
        {"crawl_id": 2, "council_code": "E1", "status": "partial", "pages_fetched": 120},
        {"crawl_id": 2, "council_code": "E2", "status": "unreachable", "pages_fetched": 0},  # says nothing of size
        {"crawl_id": 2, "council_code": "E3", "status": "running", "pages_fetched": 7},  # killed mid-site
        {"crawl_id": 3, "council_code": "E1", "status": "ok", "pages_fetched": 999},  # this crawl's own (a resume)
        {"crawl_id": 4, "council_code": "E1", "status": "ok", "pages_fetched": 5},  # a later one
    ])
    assert previous_sizes(db, 3) == {"E1": 120, "E2": 50}
    assert previous_sizes(db, 1) == {}


def test_the_link_checker_holds_targets_on_a_crawling_workers_host_until_it_finishes():
    context = multiprocessing.get_context("spawn")
    pipes = [context.Pipe(duplex=False) for _ in range(2)]
    inbox = LinkCheckInbox([reader for reader, _ in pipes], {"site-a.example": 0, "site-b.example": 1})
    first, second = pipes[0][1], pipes[1][1]
    first.send(("E1", "https://www.gov.example/a"))
    first.send(("E1", "http://site-b.example/page"))  # worker 1 is still crawling site-b
    second.send(("E2", "http://site-a.example/other"))  # and worker 0 site-a
    assert inbox.receive() == [("E1", "https://www.gov.example/a")]
    assert inbox.open
    second.close()  # worker 1 finished: its host is free
    assert inbox.receive() == [("E1", "http://site-b.example/page")]
    assert inbox.open
    first.send(("E1", "http://site-b.example/late"))  # found after worker 1 finished: at once
    assert inbox.receive() == [("E1", "http://site-b.example/late")]
    first.close()
    assert inbox.receive() == [("E2", "http://site-a.example/other")]
    assert not inbox.open and inbox.receive() == []


def test_one_council_with_two_workers_gathers_the_same_evidence(crawls, tmp_path):
    """One Local Offer host, so one crawl worker; the link checker takes the other hosts."""
    (one, requests_one, _), _ = crawls
    two, requests_two, _ = crawl_demo(tmp_path, "--council", "E99000001", "--workers", "2")
    for sql in ("SELECT url, status, error FROM fetches WHERE council_code = 'E99000001'",
                "SELECT council_code, status, pages_fetched FROM crawl_sites WHERE council_code = 'E99000001'"):
        assert rows(two, sql) == rows(one, sql), sql
    handed_over = rows(two, "SELECT url FROM deferred_link_checks")
    assert len(handed_over) > 10 and handed_over <= rows(two, "SELECT url FROM link_checks")
    checked = rows(two, "SELECT url, outcome, reason, status FROM link_checks")
    assert checked <= rows(one, "SELECT url, outcome, reason, status FROM link_checks")
    assert "ok" in {r[1] for r in checked} and len({r[1] for r in checked}) > 1  # failures are found too
    assert rows(two, "SELECT status FROM crawls") == {("complete",)}


def test_when_the_link_checker_dies_the_crawl_still_checks_every_target(crawls, tmp_path):
    """SIGKILL the link checker early: the workers carry on, and what they handed over is
    checked by the crawl's parent at the end. Same checks as one process made."""
    (one, _, _), _ = crawls
    db = tmp_path / "demo.db"
    with DemoWeb().start() as web:
        proc = subprocess.Popen(
            [sys.executable, "-m", "audit.cli", "crawl", "--seeds", str(DEMO_ROOT / "councils.csv"), "--db", str(db),
             "--download-delay", "0.1", "--timeout", "10", "--workers", "2"],
            env=cli_env({"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url}), cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(spawned := _spawned(proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(spawned) == 3, "expected two crawl workers and the link checker"
        checker = spawned[-1]  # started last
        time.sleep(1)
        os.kill(checker, signal.SIGKILL)
        killed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        assert proc.poll() is None, "the crawl should still be running"
        _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0 and b"Traceback" not in stderr, stderr[-3000:]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM crawls").fetchall() == [("complete",)]
    handed_over = rows(conn, "SELECT url FROM deferred_link_checks")
    assert handed_over and handed_over <= rows(conn, "SELECT url FROM link_checks")
    sql = "SELECT url, outcome, reason, status FROM link_checks"
    assert rows(conn, sql) == rows(one, sql)
    # Some of them were checked after the link checker had gone: by the parent's pass.
    assert conn.execute("SELECT count(*) FROM link_checks c JOIN deferred_link_checks d USING (crawl_id, url) "
                        "WHERE c.checked_at > ?", [killed_at]).fetchone()[0] > 0


def test_when_a_crawl_worker_dies_the_crawl_says_it_did_not_finish_and_resumes(tmp_path):
    """SIGKILL a crawl worker (as the kernel's out-of-memory killer would): the others finish,
    the crawl is recorded as interrupted, and the command says so on one line and exits 1,
    where it used to print its summary and exit 0 as if the crawl were complete."""
    db = tmp_path / "demo.db"
    with DemoWeb().start() as web:
        env = cli_env({"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url})
        proc = subprocess.Popen(
            [sys.executable, "-m", "audit.cli", "crawl", "--seeds", str(DEMO_ROOT / "councils.csv"), "--db", str(db),
             "--download-delay", "0.1", "--timeout", "10", "--workers", "2"],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(spawned := _spawned(proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(spawned) == 3, "expected two crawl workers and the link checker"
        while time.monotonic() < deadline and not _fetched_any(db):
            time.sleep(0.1)
        os.kill(spawned[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, (out[-2000:], err[-2000:])
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines[-1].startswith("Error: crawl 1 did not finish") and "--resume" in lines[-1], err[-2000:]
        assert "Traceback" not in err and "crawl 1:" in out  # its summary first
        assert rows(sqlite3.connect(db), "SELECT status FROM crawls") == {("interrupted",)}
        resumed = subprocess.run([sys.executable, "-m", "audit.cli", "crawl", "--db", str(db), "--resume"],
                                 env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "crawl 1 resumed (1 time): complete" in resumed.stdout
    assert rows(sqlite3.connect(db), "SELECT status FROM crawls") == {("complete",)}


def test_audit_with_two_workers_writes_the_same_audit(demo_db, tmp_path):
    from tests.conftest import copy_demo

    db = copy_demo(demo_db, tmp_path)
    proc = lo_audit("audit", "--db", db, "--as-of", "2026-11-23", "--axe-sample", "0", "--workers", "2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = lo_audit("audit", "--db", db, "--as-of", "2026-11-23", "--axe-sample", "0")
    assert proc.returncode == 0, proc.stderr[-3000:]
    conn = sqlite3.connect(db)
    two, one = [r[0] for r in conn.execute("SELECT audit_id FROM audits WHERE status = 'complete' "
                                           "ORDER BY audit_id DESC LIMIT 2")][::-1]
    for table, columns in (("council_scores", "council_code, score, rank, broken_links, stale_pages, "
                                              "a11y_violations, statutory_found"),
                           ("findings", "council_code, check_name, url, target, detail"),
                           ("page_audits", "council_code, url, last_updated, a11y_violations"),
                           ("statutory_coverage", "council_code, item, found")):
        sql = f"SELECT {columns} FROM {table} WHERE audit_id = ?"
        assert set(conn.execute(sql, [two])) == set(conn.execute(sql, [one])), table
    assert conn.execute("SELECT count(*) FROM findings WHERE audit_id = ?", [two]).fetchone()[0] > 100


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = open(f"/proc/{entry.name}/stat", "rb").read()
            except OSError:
                continue
            if int(stat[stat.rfind(b")") + 2:].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _spawned(pid: int) -> list[int]:
    """The children of ``pid`` that multiprocessing spawned to run a process target (not
    its resource tracker), oldest first. Process ids wrap (at 32,768 on the CI machines), so
    the oldest child is the one whose id is fewest steps after its parent's, not the lowest:
    taking the highest id for the youngest once killed a crawl worker instead of the link
    checker."""
    pid_max = int(open("/proc/sys/kernel/pid_max").read())
    found = []
    for child in sorted(_children(pid), key=lambda child: (child - pid) % pid_max):
        try:
            cmdline = open(f"/proc/{child}/cmdline", "rb").read()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            found.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat", "rb").read()
    except OSError:
        return False
    return state[state.rfind(b")") + 2:state.rfind(b")") + 3] != b"Z"


def start_slow_crawl(db, web: DemoWeb) -> tuple[subprocess.Popen, list[int]]:
    """``lo-audit crawl --workers 2`` over the demo web at 1 s per host (busy for a while),
    once both workers are running and have had time to start crawling: (process, worker pids)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "audit.cli", "crawl", "--seeds", str(DEMO_ROOT / "councils.csv"), "--db", str(db),
         "--download-delay", "1", "--workers", "2"],
        env=cli_env({"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url}), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(workers := _children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(workers) >= 2, "the crawl did not start its workers"
    # crawling has started once a response is recorded (a fixed wait was too short on a busy machine)
    while time.monotonic() < deadline and not _fetched_any(db):
        time.sleep(0.2)
    return proc, workers


def _fetched_any(db) -> bool:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM fetches").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or busy
        return False


def test_workers_stop_when_the_crawl_process_is_killed(tmp_path):
    """SIGKILL leaves the parent no chance to stop its workers: they must notice and stop."""
    with DemoWeb().start() as web:
        proc, workers = start_slow_crawl(tmp_path / "demo.db", web)
        proc.kill()
        proc.communicate()
        deadline = time.monotonic() + 30
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers), "workers kept crawling after their parent was killed"


def test_sigterm_stops_the_workers_and_records_the_crawl_as_interrupted(tmp_path):
    db = tmp_path / "demo.db"
    with DemoWeb().start() as web:
        proc, workers = start_slow_crawl(db, web)
        proc.terminate()
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"Traceback" not in stderr, stderr[-2000:]
    assert not any(_alive(w) for w in workers)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status, finished_at IS NOT NULL FROM crawls").fetchall() == [("interrupted", 1)]
    assert conn.execute("SELECT count(*) FROM fetches").fetchone()[0] > 0  # what was fetched is kept
