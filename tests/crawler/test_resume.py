"""``lo-audit crawl --resume``: a crawl of the demo web killed with SIGKILL five times, and
resumed each time, ends with the same evidence and the same audit scores as a crawl that
never stopped; no page whose row was committed is fetched again; every WARC file is whole
(no half-written record) and no record is archived twice. One process, and ``--workers 2``.

Two of the five deaths are placed where a kill does most harm, with the store's test-only
hook ``LO_AUDIT_TEST_KILL`` (crawler/store.py): halfway through writing a WARC record, and
inside a database transaction before its COMMIT; the other three come at seeded random
moments."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from audit.core import db as dbmod
from audit.core.urls import check_key
from audit.demo.web import DEMO_ROOT, DemoWeb
from crawler.resume import truncate_tails
from crawler.warc import response_record
from tests.conftest import ROOT, cli_env, lo_audit, rendered_pages

AS_OF = "2026-11-23"
# What an uninterrupted crawl and a resumed one must agree on: every column but timings,
# WARC positions, the depth/referrer a page was first found at (which of two links to a
# page is followed first depends on response order, resumed or not) and Last-Modified (one
# demo site stamps every answer "now").
SAME = {
    "fetches": "SELECT council_code, url, final_url, kind, status, error, content_type, content_length, truncated, "
               "redirect_chain, render_status FROM fetches",
    "link_checks": "SELECT url, outcome, status, reason, final_url, redirect_chain, method FROM link_checks",
    "links": "SELECT council_code, source_url, target_url, tag, link_text, in_scope FROM links",
    "sitemap_entries": "SELECT council_code, url, lastmod, sitemap_url FROM sitemap_entries",
    "discoveries": "SELECT council_code, candidate_url, found_on, evidence, score, chosen FROM discoveries",
    "crawl_sites": "SELECT council_code, seed_url, scope, status, reason, robots_status, pages_fetched, seed_source, "
                   "not_assessed_reason, block_evidence, pages_rendered FROM crawl_sites",
}
FETCHED_KINDS = ("page", "document", "sitemap", "stylesheet", "open_data", "search")


def crawl_args(db: Path, *extra) -> list[str]:
    return [sys.executable, "-m", "audit.cli", "crawl", "--seeds", str(DEMO_ROOT / "councils.csv"), "--db", str(db),
            "--download-delay", "0", "--timeout", "10", *extra]


def rows(db: Path, sql: str) -> set[tuple]:
    with sqlite3.connect(db) as conn:
        return {tuple(r) for r in conn.execute(sql)}


def wait_until_registered(db: Path, resumed: int, proc: subprocess.Popen, limit: float = 60.0) -> None:
    """Until the crawl run ``proc`` has marked the crawl running (its ``resumed``-th resume):
    a kill meant for the middle of a crawl must not land during start-up, when a slow machine
    takes seconds to import Scrapy and a kill would leave the resume count one short."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    row = conn.execute("SELECT status, coalesce(resumed, 0) FROM crawls WHERE crawl_id = 1").fetchone()
            except sqlite3.OperationalError:  # the schema is still being written
                row = None
            if row is not None and row == ("running", resumed):
                return
        time.sleep(0.05)


def row_counts(db: Path, sql: str) -> Counter:
    """Rows with how many times each occurs: a row stored twice is a difference."""
    with sqlite3.connect(db) as conn:
        return Counter(tuple(r) for r in conn.execute(sql))


def audit_scores(db: Path) -> set[tuple]:
    proc = lo_audit("audit", "--db", db, "--as-of", AS_OF, "--axe-sample", "0", timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        cursor = conn.execute("SELECT * FROM council_scores")
        keep = [i for i, d in enumerate(cursor.description) if d[0] != "audit_id"]
        return {tuple(r[i] for i in keep) for r in cursor}


def requested(log: list[tuple[str, str, str]]) -> list[str]:
    """The GET requests the demo web answered, as fetches.url keys (robots.txt left out:
    a host's robots.txt is fetched again when another council asks for it first)."""
    return [check_key(f"http://{host}{target}") for method, host, target in log
            if method == "GET" and target != "/robots.txt"]


def warc_records(db: Path) -> dict[tuple[str, int], tuple[str, str]]:
    """(file, offset) -> (WARC-Type, WARC-Target-URI) of every record in a crawl's WARC files,
    each read to its end."""
    records = {}
    for path in sorted((db.parent / f"{db.stem}-warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                record.content_stream().read()
                records[(f"{db.stem}-warc/{path.name}", iterator.get_record_offset())] = (
                    record.rec_headers.get_header("WARC-Type"), record.rec_headers.get_header("WARC-Target-URI"))
    return records


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    db = tmp_path_factory.mktemp("uninterrupted") / "demo.db"
    with DemoWeb().start() as web:
        env = cli_env({"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url})
        proc = subprocess.run(crawl_args(db, "--workers", "1"), capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return db, len(requested(web.requests)), audit_scores(db)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_killed_five_times_and_resumed_equals_an_uninterrupted_crawl(reference, tmp_path, workers):
    reference_db, reference_requests, reference_scores = reference
    db = tmp_path / "demo.db"
    rng = random.Random(20261206 + int(workers))
    deaths = [("hook", f"warc:{rng.randint(20, 60)}"), ("hook", f"commit:{rng.randint(2, 3)}")] + \
        [("time", rng.uniform(2.0, 4.0)) for _ in range(3)]
    with DemoWeb().start() as web:
        base_env = cli_env({"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url})
        refetched_committed = []
        for i, (how, when) in enumerate(deaths):
            committed = rows(db, "SELECT url FROM fetches WHERE status IS NOT NULL AND kind IN "
                                 f"{FETCHED_KINDS}") if i else set()
            before = len(web.requests)
            env = {**base_env, "LO_AUDIT_TEST_KILL": when} if how == "hook" else base_env
            args = crawl_args(db, "--workers", workers) + (["--resume"] if i else [])
            # A session of its own: the kill takes the workers, link checker and browser too.
            proc = subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
            try:
                if how == "time":  # never before the run has registered (start-up is slow under load)
                    started = time.monotonic()
                    wait_until_registered(db, resumed=i, proc=proc)
                    when = max(when - (time.monotonic() - started), 0.5)
                _, err = proc.communicate(timeout=120 if how == "hook" else when)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                _, err = proc.communicate()
            assert proc.returncode == -signal.SIGKILL, f"run {i} ({how} {when}) was not killed: {err[-2000:]}"
            again = {url for url in requested(web.requests[before:]) if (url,) in committed}
            refetched_committed.extend(again)
        before = len(web.requests)
        committed = rows(db, f"SELECT url FROM fetches WHERE status IS NOT NULL AND kind IN {FETCHED_KINDS}")
        proc = subprocess.run(crawl_args(db, "--resume"), capture_output=True, text=True, env=base_env, cwd=ROOT,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        refetched_committed.extend(url for url in requested(web.requests[before:]) if (url,) in committed)
    assert "crawl 1 resumed (5 times): complete" in proc.stdout

    assert rows(db, "SELECT crawl_id, status, resumed FROM crawls") == {(1, "complete", 5)}
    assert rendered_pages(db) == rendered_pages(reference_db)
    for table, sql in SAME.items():
        assert rows(db, sql) == rows(reference_db, sql), table
    # the link graph with its menus stored once (link sets), every page's row once
    assert row_counts(db, SAME["links"]) == row_counts(reference_db, SAME["links"])
    assert rows(db, "SELECT count(*) > 0 FROM page_link_sets") == {(1,)}
    assert refetched_committed == [], "pages whose rows were committed were fetched again"
    # At-least-once: what was fetched but not committed when a run died is fetched again.
    print(f"--workers {workers}: {len(requested(web.requests)) - reference_requests} requests more than the "
          f"uninterrupted crawl's {reference_requests}")

    # Every WARC file reads to its end (no half-written record left), every record a row
    # points at is there, and the archive holds the same records as the uninterrupted
    # crawl's: nothing archived twice. (Both hold two records a later fetch of the same URL
    # superseded: discovery's fetch of the Local Offer it then crawls.)
    pointed = rows(db, "SELECT warc_file, warc_offset FROM fetches WHERE warc_file IS NOT NULL UNION "
                       "SELECT warc_file, raw_warc_offset FROM fetches WHERE raw_warc_offset IS NOT NULL")
    archived = warc_records(db)
    assert pointed <= set(archived)
    assert Counter(archived.values()) == Counter(warc_records(reference_db).values())
    assert any(".r5." in name for name, _ in archived)  # the last run wrote files of its own

    assert audit_scores(db) == reference_scores


def test_a_plain_crawl_hints_at_resume_when_the_last_crawl_was_interrupted(tmp_path, web):
    web.route("/robots.txt", "")
    web.route("/lo/", "<html><body><p>Local Offer</p></body></html>")
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(f"code,name,local_offer_url,council_url\nE1,One,{web.url('/lo/')},\n")
    db = tmp_path / "crawl.db"
    args = ("crawl", "--seeds", seeds, "--db", db, "--download-delay", "0", "--workers", "1")
    assert lo_audit(*args).returncode == 0
    nothing = lo_audit("crawl", "--db", db, "--resume")
    assert nothing.returncode != 0
    assert nothing.stderr.strip() == "Error: no interrupted crawl to resume in this database"
    done = lo_audit("crawl", "--db", db, "--resume", "1")
    assert done.stderr.strip() == "Error: crawl 1 is complete, not interrupted: only an interrupted crawl resumes"

    with sqlite3.connect(db) as conn:  # as a killed crawl leaves it: running, its process gone
        conn.execute("UPDATE crawls SET status = 'running', pid = 999999999")
    proc = lo_audit(*args)
    assert proc.returncode == 0
    assert "note: crawl 1 was interrupted; `lo-audit crawl --resume` continues it" in proc.stderr
    assert "interrupted" not in lo_audit(*args).stderr  # crawl 2 completed: nothing to hint at


def test_warc_tails_are_cut_after_the_last_committed_record(tmp_path):
    """A killed run's files end with records no committed row points at, the last perhaps
    half-written: resuming cuts them off, so every file reads whole to its end."""
    db_path = tmp_path / "crawl.db"
    db = dbmod.connect(db_path)
    crawl_id = db.table("crawls").insert({"started_at": "2026-12-06", "status": "interrupted"}).last_pk
    warcs = dbmod.warc_dir(db_path)
    warcs.mkdir()
    records = [response_record(f"http://lo.example/{i}", 200, "OK", [("Content-Type", "text/html")], b"<p>%d</p>" % i)
               for i in range(4)]
    kept = records[0] + records[1]
    (warcs / f"crawl-{crawl_id}-E1.warc.gz").write_bytes(kept + records[2] + records[3][:40])
    (warcs / f"crawl-{crawl_id}-E2.warc.gz").write_bytes(records[2])  # no row committed at all
    db.table("fetches").insert_all([
        {"crawl_id": crawl_id, "council_code": "E1", "url": f"http://lo.example/{i}", "kind": "page", "status": 200,
         "warc_file": f"{warcs.name}/crawl-{crawl_id}-E1.warc.gz", "warc_offset": offset}
        for i, offset in enumerate((0, len(records[0])))])

    tails = truncate_tails(db_path, crawl_id)
    assert (tails.records, tails.half_written) == (2, 1)
    assert (warcs / f"crawl-{crawl_id}-E1.warc.gz").read_bytes() == kept
    assert (warcs / f"crawl-{crawl_id}-E2.warc.gz").read_bytes() == b""
    with open(warcs / f"crawl-{crawl_id}-E1.warc.gz", "rb") as fh:
        assert [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)] == \
            ["http://lo.example/0", "http://lo.example/1"]


def test_a_resume_after_everything_was_committed_fetches_nothing(reference, tmp_path):
    """The whole state is rebuilt from the database and WARC files: not one request (not even
    robots.txt) when the interrupted run had committed every row, and the same rows."""
    reference_db = reference[0]
    db = tmp_path / reference_db.name
    shutil.copy(reference_db, db)
    shutil.copytree(reference_db.parent / f"{db.stem}-warc", tmp_path / f"{db.stem}-warc")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE crawls SET status = 'interrupted'")
    with DemoWeb().start() as web:
        env = {"http_proxy": web.proxy_url, "HTTP_PROXY": web.proxy_url}
        proc = lo_audit("crawl", "--db", db, "--resume", env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert web.requests == []
    for table, sql in SAME.items():
        assert rows(db, sql) == rows(reference_db, sql), table
    assert Counter(warc_records(db).values()) == Counter(warc_records(reference_db).values())


def test_a_local_offer_fetched_by_discovery_before_the_kill_is_fetched_as_a_page_on_resume(tmp_path):
    """Discovery fetches the Local Offer it finds (kind ``discovery``), then the crawl fetches it
    again as the site's home (kind ``page``, replacing the row). Killed between the two commits,
    the resumed crawl must fetch and record the page as an uninterrupted crawl does, not answer
    the page request from the discovery row (which left the row ``discovery`` and the archive one
    record short: the load-dependent failure of the five-kills test above)."""
    from tests.conftest import Reply, Web, page, write_seeds

    web = Web()
    try:
        web.fallback = lambda req, h: Reply(404, page(title="Page not found"))
        web.route("/", page("http://localoffer.ashdown.example/", title="Ashdown Council")
                  .replace("link 0", "SEND Local Offer"), host="www.ashdown.example")
        web.route("/", page("/education", title="Ashdown SEND Local Offer"), host="localoffer.ashdown.example")
        web.route("/education", page("/", title="Education"), host="localoffer.ashdown.example")
        seeds = write_seeds(tmp_path / "seeds.csv", [{"code": "D1", "name": "Ashdown", "local_offer_url": "",
                                                      "council_url": "http://www.ashdown.example/", "scope": ""}])
        db = tmp_path / "crawl.db"
        env = {"http_proxy": web.base}
        crawl = ("crawl", "--seeds", seeds, "--db", db, "--download-delay", "0", "--timeout", "5", "--workers", "1")
        assert lo_audit(*crawl, env=env).returncode == 0
        home = "http://localoffer.ashdown.example/"

        def kind(url: str) -> list[str]:
            with sqlite3.connect(db) as conn:
                return [k for (k,) in conn.execute("SELECT kind FROM fetches WHERE url = ?", [url])]

        assert kind(home) == ["page"]
        assert web.hits("/", host="localoffer.ashdown.example") == 2  # discovery's fetch, then the page's

        # As a kill after discovery's commit leaves it: the home's row is discovery's, nothing after it.
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE fetches SET kind = 'discovery' WHERE url = ?", [home])
            conn.execute("DELETE FROM fetches WHERE url LIKE 'http://localoffer.ashdown.example/_%'")
            conn.execute("DELETE FROM link_edges")
            conn.execute("UPDATE crawls SET status = 'running', pid = 999999999")
        resumed = lo_audit("crawl", "--db", db, "--resume", env=env)
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert kind(home) == ["page"]
        assert web.hits("/", host="localoffer.ashdown.example") == 3  # fetched again, as the page
        assert kind(home + "education") == ["page"]
    finally:
        web.close()
