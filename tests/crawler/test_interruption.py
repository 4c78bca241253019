"""A crawl killed with SIGKILL at random points loses nothing that is published.

Each killed crawl stays in the database as evidence but is marked ``interrupted`` by the
next crawl and is never audited; the crawl that then runs to the end holds exactly the
pages an uninterrupted crawl holds, with no duplicate rows, and every WARC record the
database points at can be read back, including those of the killed crawls.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time

from warcio.archiveiterator import ArchiveIterator

from conftest import ROOT, CrawlResult, Reply, cli_env, council, page, query, run_crawl, write_seeds

PAGES = 40


def slow_site(web) -> str:
    """A Local Offer of PAGES pages, each answered after a short pause so a crawl takes a few seconds."""
    def slow(body: str):
        def handler(req, h):
            time.sleep(0.15)
            return Reply(200, body)
        return handler

    web.route("/robots.txt", Reply(404, "", content_type="text/plain"))
    web.route("/lo/", slow(page(*[f"/lo/p{i}" for i in range(PAGES)], title="Local Offer")))
    for i in range(PAGES):
        web.route(f"/lo/p{i}", slow(page("/lo/", f"/lo/p{(i + 1) % PAGES}", title=f"Page {i}")))
    return web.url("/lo/")


def page_set(result: CrawlResult, crawl_id: int) -> set[str]:
    return {r["url"] for r in result.rows(
        "SELECT url FROM fetches WHERE crawl_id = ? AND kind = 'page' AND status = 200", [crawl_id])}


def crawls_started(db) -> int:
    try:
        return query(db, "SELECT count(*) AS n FROM crawls")[0]["n"] if db.exists() else 0
    except sqlite3.OperationalError:  # the schema is still being made
        return 0


def test_kill_9_at_random_points_then_a_clean_rerun(web, tmp_path):
    seed = slow_site(web)
    rows = [council("E1", seed)]
    reference = run_crawl(tmp_path / "reference", rows)
    expected = page_set(reference, 1)
    assert len(expected) == PAGES + 1

    work = tmp_path / "killed"
    work.mkdir()
    seeds = write_seeds(work / "seeds.csv", rows)
    db = work / "crawl.db"
    rng = random.Random(20261123)
    for n in range(1, 6):
        proc = subprocess.Popen(
            [sys.executable, "-m", "audit.cli", "crawl", "--seeds", str(seeds), "--db", str(db),
             "--download-delay", "0", "--timeout", "5"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(), cwd=ROOT)
        # Killed at a random moment of its crawl, not of its start-up (which a loaded machine
        # can stretch past the whole window): from when its crawl row exists.
        deadline = time.monotonic() + 120
        while crawls_started(db) < n:
            assert proc.poll() is None and time.monotonic() < deadline, "the crawl never started"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.2, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    final = run_crawl(work, rows)

    crawls = final.rows("SELECT crawl_id, status FROM crawls ORDER BY crawl_id")
    assert [c["status"] for c in crawls] == ["interrupted"] * 5 + ["complete"]
    last = crawls[-1]["crawl_id"]
    assert page_set(final, last) == {u for u in expected}
    duplicates = final.rows("SELECT crawl_id, url, count(*) AS n FROM fetches GROUP BY crawl_id, council_code, url "
                            "HAVING n > 1")
    assert duplicates == []

    # Every WARC record the database points at is readable, killed crawls included.
    pointed = final.rows("SELECT final_url, warc_file, warc_offset FROM fetches WHERE warc_file IS NOT NULL")
    assert pointed
    for row in pointed:
        with open(db.parent / row["warc_file"], "rb") as fh:
            fh.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == row["final_url"]
            assert record.content_stream().read()

    # The audit reads only the complete crawl.
    audit = subprocess.run([sys.executable, "-m", "audit.cli", "audit", "--db", str(db), "--as-of", "2026-11-23",
                            "--axe-sample", "0"], capture_output=True, text=True, env=cli_env(), cwd=ROOT,
                           timeout=120)
    assert audit.returncode == 0, audit.stderr
    audited = final.one("SELECT crawl_id FROM audits")
    assert audited["crawl_id"] == last
    assert final.one("SELECT pages_crawled FROM league_table")["pages_crawled"] == PAGES + 1
