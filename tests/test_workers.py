"""``lo-audit crawl --workers 2`` over the demo web: the same evidence as one process (even
with four requests in flight per host, so responses arrive in another order), every link
target checked once, and link checks on a host made only by the worker that owns it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from audit.demoweb import DEMO_ROOT, DemoWeb
from audit.registry import read_registry
from crawler.workers import HostOwnership, shard_councils
from tests.conftest import ROOT, cli_env, lo_audit


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


def crawl_demo(tmp_path, *extra) -> tuple[sqlite3.Connection, list]:
    db = tmp_path / "demo.db"
    with LoggingDemoWeb().start() as web:
        env = {"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url}
        proc = lo_audit("crawl", "--seeds", DEMO_ROOT / "councils.csv", "--db", db, "--download-delay", "0",
                        "--timeout", "10", *extra, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn, web.requests


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    one = crawl_demo(tmp_path_factory.mktemp("one"))
    two = crawl_demo(tmp_path_factory.mktemp("two"), "--workers", "2", "--host-concurrency", "4")
    return one, two


def rows(conn, sql):
    return {tuple(r) for r in conn.execute(sql)}


def test_two_workers_gather_the_same_evidence_as_one(crawls):
    (one, _), (two, _) = crawls
    assert rows(two, "SELECT status FROM crawls") == {("complete",)}
    for sql in (
        "SELECT council_code, url, status, error FROM fetches",
        "SELECT url, outcome, reason, status FROM link_checks",
        "SELECT council_code, source_url, target_url, link_text FROM links",
        "SELECT council_code, status, pages_fetched FROM crawl_sites",
        "SELECT council_code, url, lastmod FROM sitemap_entries",
    ):
        assert rows(two, sql) == rows(one, sql), sql
    assert len(rows(one, "SELECT url FROM link_checks")) > 50


def test_deferred_targets_are_checked_once_after_the_workers(crawls):
    (_, requests_one), (two, requests_two) = crawls
    deferred = rows(two, "SELECT url FROM deferred_link_checks")
    assert deferred, "with two workers some targets belong to the other worker's hosts"
    assert deferred <= rows(two, "SELECT url FROM link_checks")
    # Not one request more than a single process made: no target was checked twice. (The
    # pass after the workers reads robots.txt again for the hosts it checks.)
    pages_one = Counter(r for r in requests_one if r[2] != "/robots.txt")
    pages_two = Counter(r for r in requests_two if r[2] != "/robots.txt")
    assert pages_two == pages_one


def test_each_host_is_checked_by_its_owner_only():
    councils = read_registry(DEMO_ROOT / "councils.csv").councils
    seeded = [c for c in councils if c.local_offer_url]
    shards = shard_councils(seeded, 2)
    assert all(shards) and sorted(c.code for s in shards for c in s) == sorted(c.code for c in seeded)
    owners = [HostOwnership.from_shards(shards, i) for i in range(2)]
    for url in ["https://www.gov.example/x", "http://www.facebook.example/p"] + [c.local_offer_url for c in seeded]:
        assert sum(o.owns(url) for o in owners) == 1, url
    for i, shard in enumerate(shards):  # a worker owns the hosts of the Local Offers it crawls
        assert all(owners[i].owns(c.local_offer_url) for c in shard)


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
    time.sleep(3)
    return proc, workers


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
