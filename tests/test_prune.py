"""``lo-audit prune --keep N`` on three real weeks of crawls and audits (``tests/weekly_web.py``):
it removes the old crawls' evidence and nothing a kept audit needs, says what it freed,
does nothing the second time, and refuses bad input with one line."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from pathlib import Path

from audit.core.db import connect, warc_dir
from audit.serve import make_datasette
from conditional_web import AS_OF as DAY, CODE, crawl_and_audit, serve_site
from conftest import copy_demo, lo_audit, query
from crawler.store import Store
from test_cli import assert_one_line_error
from weekly_web import A, AS_OF

EVIDENCE = ("fetches", "link_edges", "link_sets", "page_link_sets", "link_checks", "sitemap_entries")


def snapshot(db: Path) -> dict:
    """Rows per (table, crawl), the links as URLs, the WARC files and their sizes, the audits."""
    counts = {(t, r["crawl_id"]): r["n"] for t in EVIDENCE
              for r in query(db, f"select crawl_id, count(*) as n from {t} group by crawl_id")}
    return {
        "counts": counts,
        "links": {c: sorted(tuple(r.values()) for r in query(db, "select * from links where crawl_id = ?", [c]))
                  for c in (1, 2, 3)},
        "files": {f.name: f.stat().st_size for f in warc_dir(db).iterdir()},
        "audits": query(db, "select audit_id, crawl_id, status from audits order by audit_id"),
        "scores": query(db, "select * from council_scores order by audit_id, council_code"),
        "urls": query(db, "select count(*) as n from urls")[0]["n"],
    }


def freed(stdout: str) -> tuple[int, int, float]:
    rows, files, mb = re.search(r"free[d]?: (\d+) rows .*?, (\d+) WARC file\(s\), ([\d.]+) MB", stdout).groups()
    return int(rows), int(files), float(mb)


def report_card(db: Path, code: str) -> str:
    async def run():
        return await make_datasette(db).client.get(f"/council/{code}")

    response = asyncio.run(run())
    assert response.status_code == 200
    return response.text


def test_prune_removes_old_crawls_and_keeps_what_kept_audits_need(weekly_db, tmp_path):
    db = copy_demo(weekly_db, tmp_path / "w")
    before = snapshot(db)
    assert {f for f in before["files"] if f.startswith("crawl-1-")}, "crawl 1 wrote WARC files"

    dry = lo_audit("prune", "--db", db, "--keep", "2", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would free" in dry.stdout and "crawls pruned: 1" in dry.stdout
    assert snapshot(db) == before, "a dry run changes nothing"

    proc = lo_audit("prune", "--db", db, "--keep", "2")
    assert proc.returncode == 0, proc.stderr
    after = snapshot(db)
    # crawl 1's evidence is gone, rows and files ...
    assert not any(c == 1 for _, c in after["counts"])
    assert not any(f.startswith("crawl-1-") for f in after["files"])
    # ... and nothing of crawls 2 and 3, which audits 2 and 3 were made from
    assert {k: v for k, v in before["counts"].items() if k[1] != 1} == after["counts"]
    assert {f: s for f, s in before["files"].items() if not f.startswith("crawl-1-")} == after["files"]
    assert after["links"][2] == before["links"][2] and after["links"][3] == before["links"][3]
    # every audit is kept, with its results
    assert after["audits"] == before["audits"] and after["scores"] == before["scores"]
    assert [r["crawl_id"] for r in query(db, "select crawl_id from crawls where pruned_at is not null")] == [1]
    # it says what it freed, the same as the dry run foresaw, and the numbers are the real ones
    rows, files, mb = freed(proc.stdout)
    assert (rows, files, mb) == freed(dry.stdout)
    removed_rows = sum(n for (_, c), n in before["counts"].items() if c == 1)
    removed_rows += query(weekly_db, "select count(*) as n from discoveries where crawl_id = 1")[0]["n"]
    assert rows == removed_rows + before["urls"] - after["urls"]
    removed = {f: s for f, s in before["files"].items() if f.startswith("crawl-1-")}
    assert files == len(removed) and mb == round(sum(removed.values()) / 1e6, 1)

    # pruning again frees nothing
    twice = lo_audit("prune", "--db", db, "--keep", "2")
    assert twice.returncode == 0 and "nothing to prune" in twice.stdout, twice.stdout
    assert snapshot(db)["files"] == after["files"]

    # the latest audit's report card still shows its evidence: the broken link, its text and status
    card = report_card(db, A)
    findings = card[card.index('id="findings"'):] if 'id="findings"' in card else card
    assert "missing-leaflet.pdf" in findings and "leaflet" in findings and "404" in findings
    # and the kept crawl can be audited again from its WARC files, to the same scores
    again = lo_audit("audit", "--db", db, "--as-of", AS_OF[2], "--axe-sample", "0", timeout=300)
    assert again.returncode == 0, again.stderr
    keys = ("council_code", "score", "rank", "pages_crawled", "broken_links", "stale_pages")
    latest = lambda audit: [{k: r[k] for k in keys} for r in query(  # noqa: E731
        db, "select * from council_scores where audit_id = ? order by council_code", [audit])]
    assert latest(4) == latest(3)



def test_prune_removes_the_link_sets_of_pruned_crawls_and_keeps_the_others(tmp_path):
    """Two crawls of a site whose menu is stored as a link set (crawler/linksets.py), its menu
    changed in between; only the second crawl audited, so the first is pruned: its sets,
    the pages naming them and the URLs only its menu named go, the second's links stay whole."""
    db = tmp_path / "lo.db"
    conn = connect(db).conn
    for crawl_id in (1, 2):
        conn.execute("insert into crawls (crawl_id, started_at, status) values (?, '2026-06-01', 'complete')",
                     [crawl_id])
        store = Store(db, crawl_id)
        menu = [(f"http://lo.example/week{crawl_id}/menu/{i}", "a", f"Menu {i}", 1) for i in range(10)]
        for n in range(6):
            store.add_links(A, f"http://lo.example/page/{n}", menu + [(f"http://lo.example/page/{n}/own", "a", "Own", 1)])
        store.close()
    conn.execute("insert into audits (crawl_id, as_of, stale_after_days, started_at, status) "
                 "values (2, '2026-06-08', 365, '2026-06-08T00:00:00+00:00', 'complete')")
    kept_links = query(db, "select * from links where crawl_id = 2")
    assert query(db, "select crawl_id, count(*) as n from page_link_sets group by crawl_id") == \
        [{"crawl_id": 1, "n": 3}, {"crawl_id": 2, "n": 3}]

    proc = lo_audit("prune", "--db", db, "--keep", "1")
    assert proc.returncode == 0, proc.stderr
    for table in ("link_sets", "page_link_sets", "link_edges"):
        assert [r["crawl_id"] for r in query(db, f"select distinct crawl_id from {table}")] == [2], table
    assert query(db, "select * from links where crawl_id = 2") == kept_links and len(kept_links) == 6 * 11
    assert query(db, "select count(*) as n from urls where url like '%/week1/%'") == [{"n": 0}]
    assert query(db, "select count(*) as n from urls where url like '%/week2/%'") == [{"n": 10}]


def test_prune_keeps_crawls_not_yet_audited_and_those_of_running_audits(weekly_db, tmp_path):
    db = copy_demo(weekly_db, tmp_path / "w")
    newer = warc_dir(db) / f"crawl-4-{A}.warc.gz"
    newer.write_bytes(b"not audited yet")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("insert into crawls (crawl_id, started_at, status) values (4, '2026-06-15T00:00:00+00:00', 'complete')")
        conn.execute("insert into audits (crawl_id, as_of, stale_after_days, started_at, status) "
                     "values (2, '2026-06-09', 365, '2026-06-09T00:00:00+00:00', 'running')")
    conn.close()
    proc = lo_audit("prune", "--db", db, "--keep", "1")
    assert proc.returncode == 0, proc.stderr
    assert "crawls kept: 2, 3, 4" in proc.stdout and "crawls pruned: 1" in proc.stdout
    assert newer.exists()
    assert query(db, "select count(*) as n from fetches where crawl_id = 2")[0]["n"] > 0


def test_prune_refuses_bad_input_with_one_line(weekly_db, tmp_path):
    db = copy_demo(weekly_db, tmp_path / "w")
    assert_one_line_error(lo_audit("prune", "--db", db, "--keep", "0"), "--keep")
    assert_one_line_error(lo_audit("prune", "--db", db, "--keep", "some"), "--keep")
    assert_one_line_error(lo_audit("prune", "--db", db), "--keep")
    assert_one_line_error(lo_audit("prune", "--db", tmp_path / "none.db", "--keep", "2"), "does not exist")
    assert_one_line_error(lo_audit("prune", "--db", tmp_path, "--keep", "2"), "is a directory")
    conn = sqlite3.connect(db)
    with conn:  # a crawl in progress: this test's own process stands in for the crawler
        conn.execute("insert into crawls (crawl_id, started_at, status, pid) values (9, 'now', 'running', ?)",
                     [os.getpid()])
    conn.close()
    assert_one_line_error(lo_audit("prune", "--db", db, "--keep", "1"), "crawl 9 is running")
    assert query(db, "select count(*) as n from fetches where crawl_id = 1")[0]["n"] > 0


def test_prune_keeps_an_earlier_crawls_warc_file_while_kept_revisits_need_its_bodies(make_web, tmp_path):
    """Three weekly crawls of an unchanged web that answers validators: crawls 2 and 3 hold
    revisit records whose bodies are in crawl 1's WARC file. Pruning to the latest audit
    removes crawls 1 and 2's rows and crawl 2's file, never crawl 1's, and the kept crawl is
    audited again from it to the same scores."""
    web, other = make_web(), make_web("127.0.0.2")
    serve_site(web, other)
    for _ in range(3):
        crawl_and_audit(tmp_path, web)
    db = tmp_path / "crawl.db"
    first = f"crawl-1-{CODE}.warc.gz"
    assert query(db, "select count(*) as n from fetches where crawl_id = 3 and not_modified = 1 "
                     "and warc_file = ?", [f"crawl-warc/{first}"])[0]["n"] == 14

    proc = lo_audit("prune", "--db", db, "--keep", "1")
    assert proc.returncode == 0, proc.stderr
    assert "crawls pruned: 1, 2" in proc.stdout and "1 WARC file(s)" in proc.stdout, proc.stdout
    assert sorted(f.name for f in warc_dir(db).iterdir()) == [first, f"crawl-3-{CODE}.warc.gz"]
    assert query(db, "select count(*) as n from fetches where crawl_id < 3")[0]["n"] == 0
    again = lo_audit("audit", "--db", db, "--as-of", DAY, "--axe-sample", "0", timeout=300)
    assert again.returncode == 0, again.stderr
    scores = lambda audit: query(db, "select score, pages_crawled, broken_links, stale_pages from council_scores "  # noqa: E731
                                     "where audit_id = ?", [audit])
    assert scores(4) == scores(3) and scores(3)[0]["pages_crawled"] == 12
    # and the next crawl still asks conditionally, its 304s standing on crawl 1's file
    crawl_and_audit(tmp_path, web)
    assert query(db, "select count(*) as n from fetches where crawl_id = 4 and not_modified = 1 "
                     "and warc_file = ?", [f"crawl-warc/{first}"])[0]["n"] == 14
