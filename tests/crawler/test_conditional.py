"""Conditional re-crawls (crawler/conditional.py), for real: ``lo-audit crawl`` twice against a
loopback web that answers validators as real servers do, measured on the server side.

An unchanged web costs the second crawl a few headers a page, and the audit of it says exactly
what the audit of the first said; a changed page is downloaded whole and re-audited; a server
that ignores validators still works; a body that is gone (pruned, deleted) is never asked
about conditionally."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from conditional_web import AS_OF, CODE, LAST_MODIFIED, crawl_and_audit, serve_site
from conftest import ROOT, cli_env, council, lo_audit, query, run_crawl
from crawler.warc import SERVER_NOT_MODIFIED

sys.path.insert(0, str(ROOT / "benchmarks"))
from equivalence import compare  # noqa: E402


@pytest.fixture
def sites(make_web):
    web, other = make_web(), make_web("127.0.0.2")
    serve_site(web, other)
    return web, other


def records(db: Path, warc_file: str) -> list:
    """Every record of a WARC file, read by warcio with its digests checked."""
    data = (db.parent / warc_file).read_bytes()
    out = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        record.content = record.content_stream().read()
        out.append(record)
    return out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_unchanged_web_recrawl_transfers_under_a_tenth_and_audits_the_same(sites, tmp_path, workers):
    """One crawling process, and two with the link checker beside them (crawler.workers)."""
    web, _ = sites
    first, audit_1 = crawl_and_audit(tmp_path, web, "--workers", workers)
    second, audit_2 = crawl_and_audit(tmp_path, web, "--workers", workers)
    print(f"server bytes: first crawl {first}, conditional re-crawl {second}")
    assert second < first / 10, (first, second)
    db = tmp_path / "crawl.db"
    assert compare(str(db), str(db), audit_1, audit_2, ignore=set()), "every audit table the same"

    rows = query(db, "select * from fetches where crawl_id = 2 and kind in ('page', 'document', 'sitemap') "
                     "order by url")
    assert len(rows) == 14 and all(r["not_modified"] == 1 and r["status"] == 200 for r in rows), rows
    earlier = {r["url"]: r for r in query(db, "select * from fetches where crawl_id = 1")}
    for row in rows:  # the body the audit reads is the first crawl's record, headers and all
        was = earlier[row["url"]]
        assert (row["warc_file"], row["warc_offset"]) == (was["warc_file"], was["warc_offset"])
        assert row["warc_file"] == f"crawl-warc/crawl-1-{CODE}.warc.gz"
        assert (row["content_type"], row["content_length"], row["last_modified"]) == \
            (was["content_type"], was["content_length"], was["last_modified"])
    # the server was asked with both validators, the ETag's and the Last-Modified's
    asked = [r for r in web.requests if r.target == "/lo/p1"]
    assert "if-none-match" not in asked[0].headers
    assert asked[1].headers["if-none-match"] == json.loads(earlier[web.url("/lo/p1")]["headers"])["etag"]
    assert asked[1].headers["if-modified-since"] == LAST_MODIFIED
    pdf = [r for r in web.requests if r.target == "/lo/leaflet.pdf"][1]
    assert "if-none-match" not in pdf.headers and pdf.headers["if-modified-since"] == LAST_MODIFIED
    # each 304 is a WARC/1.1 revisit record pointing at the response it confirmed, as warcio reads it
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for r in records(db, earlier[web.url("/lo/")]["warc_file"])
                 if r.rec_type == "response"}
    revisits = [r for r in records(db, f"crawl-warc/crawl-2-{CODE}.warc.gz") if r.rec_type == "revisit"]
    assert len(revisits) == 14
    for revisit in revisits:
        headers = revisit.rec_headers
        assert headers.protocol == "WARC/1.1"
        assert headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
        assert revisit.http_headers.get_statuscode() == "304" and revisit.content == b""
        original = responses[headers.get_header("WARC-Refers-To")]
        assert headers.get_header("WARC-Refers-To-Target-URI") == original.rec_headers.get_header("WARC-Target-URI")
        assert headers.get_header("WARC-Refers-To-Target-URI") == headers.get_header("WARC-Target-URI")
        assert headers.get_header("WARC-Refers-To-Date") == original.rec_headers.get_header("WARC-Date")
    revisit_rows = {(r["revisit_warc_file"], r["revisit_warc_offset"]) for r in rows}
    assert {f for f, _ in revisit_rows} == {f"crawl-warc/crawl-2-{CODE}.warc.gz"}
    data = (db.parent / f"crawl-warc/crawl-2-{CODE}.warc.gz").read_bytes()
    for _, offset in revisit_rows:  # each row's offset is the start of its own revisit record
        assert gzip.GzipFile(fileobj=io.BytesIO(data[offset:])).read(60).startswith(b"WARC/1.1\r\nWARC-Type: revisit")


def test_a_changed_page_is_fetched_whole_and_re_audited(sites, tmp_path):
    web, other = sites
    crawl_and_audit(tmp_path, web)
    serve_site(web, other, changed=True)
    crawl_and_audit(tmp_path, web)
    db = tmp_path / "crawl.db"
    changed = query(db, "select * from fetches where crawl_id = 2 and url = ?", [web.url("/lo/p3")])[0]
    assert changed["not_modified"] is None and changed["status"] == 200
    assert changed["warc_file"] == f"crawl-warc/crawl-2-{CODE}.warc.gz" and changed["revisit_warc_file"] is None
    assert query(db, "select count(*) as n from fetches where crawl_id = 2 and not_modified = 1 "
                     "and kind = 'page'")[0]["n"] == 11
    dates = {r["audit_id"]: r["last_updated"] for r in query(
        db, "select audit_id, last_updated from page_audits where url = ?", [web.url("/lo/p3")])}
    assert dates == {1: "2026-03-02", 2: "2026-12-01"}


def test_a_server_that_ignores_validators_is_crawled_in_full(sites, tmp_path):
    web, _ = sites
    web.honour_validators = False
    first, audit_1 = crawl_and_audit(tmp_path, web)
    second, audit_2 = crawl_and_audit(tmp_path, web)
    assert second > first * 0.9
    db = tmp_path / "crawl.db"
    assert any("if-none-match" in r.headers for r in web.requests), "it was asked conditionally"
    assert query(db, "select count(*) as n from fetches where not_modified = 1")[0]["n"] == 0
    assert query(db, "select count(distinct warc_file) as n from fetches where crawl_id = 2 "
                     "and warc_file like '%crawl-1-%'")[0]["n"] == 0
    assert compare(str(db), str(db), audit_1, audit_2, ignore=set())


def test_no_validators_for_a_body_that_is_gone(make_web, tmp_path):
    """Council X crawled and audited; then only council Y, twice, and prune --keep 1 removes
    X's crawl. X's next crawl has no body to fall back on, so it asks for every page whole;
    the same when a previous crawl's WARC file was deleted by hand."""
    web, other = make_web(), make_web("127.0.0.2")
    serve_site(web, other)
    y_web = make_web()
    y_web.route("/y/", "<html><body>Y</body></html>")
    x, y = council(CODE, web.url("/lo/")), council("E06000098", y_web.url("/y/"))
    run_crawl(tmp_path, [x])
    for _ in range(2):
        result = run_crawl(tmp_path, [y])
        assert lo_audit("audit", "--db", result.db_path, "--as-of", AS_OF, "--axe-sample", "0",
                        timeout=300).returncode == 0
    prune = lo_audit("prune", "--db", result.db_path, "--keep", "1")
    assert prune.returncode == 0 and "crawls pruned: 1" in prune.stdout, prune.stdout
    db = result.db_path
    assert not (db.parent / f"crawl-warc/crawl-1-{CODE}.warc.gz").exists()

    web.requests.clear()
    run_crawl(tmp_path, [x])  # crawl 4: the previous crawl of X (1) is pruned
    assert web.requests and not any("if-none-match" in r.headers or "if-modified-since" in r.headers
                                    for r in web.requests)
    assert query(db, "select count(*) as n from fetches where crawl_id = 4 and kind = 'page' "
                     "and status = 200")[0]["n"] == 12

    (db.parent / f"crawl-warc/crawl-4-{CODE}.warc.gz").unlink()  # crawl 4's evidence deleted by hand
    web.requests.clear()
    run_crawl(tmp_path, [x])
    assert not any("if-none-match" in r.headers for r in web.requests)
    assert query(db, "select count(*) as n from fetches where crawl_id = 5 and not_modified = 1")[0]["n"] == 0


def test_a_conditional_recrawl_killed_mid_write_resumes_to_the_same_end(sites, tmp_path):
    """Crawl 2 (conditional) is killed with SIGKILL halfway through writing its 10th WARC
    record, some of its rows committed (a polite delay makes the store commit mid-crawl),
    then resumed: its 304 rows keep pointing at crawl 1's bodies and at revisit records
    that are whole, every crawl-2 file reads to its end with warcio, and the audit is
    the same as crawl 1's (crawler.resume and crawler.conditional together)."""
    web, _ = sites
    _, audit_1 = crawl_and_audit(tmp_path, web)
    db = tmp_path / "crawl.db"
    seeds = tmp_path / "seeds.csv"  # crawl_and_audit wrote it; the hook kills its process group: a session of its own
    killed = subprocess.run([sys.executable, "-m", "audit.cli", "crawl", "--seeds", str(seeds), "--db", str(db),
                             "--download-delay", "0.3", "--timeout", "5"], env=cli_env({"LO_AUDIT_TEST_KILL": "warc:10"}),
                            cwd=ROOT, start_new_session=True, capture_output=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-3000:]
    committed = query(db, "select count(*) as n from fetches where crawl_id = 2")[0]["n"]
    assert committed > 0, "the kill came after some rows were committed"
    resumed = lo_audit("crawl", "--resume", "--db", db, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert query(db, "select status, resumed from crawls where crawl_id = 2") == [{"status": "complete", "resumed": 1}]
    unchanged = query(db, "select count(*) as n from fetches where crawl_id = 2 and not_modified = 1")[0]["n"]
    assert f"{CODE} Council {CODE}: ok, 12 pages, {unchanged} unchanged since the last crawl (304" in resumed.stdout, \
        resumed.stdout  # the summary says how much was only confirmed, not downloaded
    proc = lo_audit("audit", "--db", db, "--as-of", AS_OF, "--axe-sample", "0", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert compare(str(db), str(db), audit_1, audit_1 + 1, ignore=set()), "every audit table the same"

    rows = query(db, "select * from fetches where crawl_id = 2 and kind in ('page', 'document', 'sitemap')")
    assert len(rows) == 14 and all(r["not_modified"] == 1 for r in rows), rows
    assert {r["warc_file"] for r in rows} == {f"crawl-warc/crawl-1-{CODE}.warc.gz"}
    files = sorted({r["revisit_warc_file"] for r in rows})
    crawl_2_files = sorted(f"crawl-warc/{p.name}" for p in (db.parent / "crawl-warc").glob("crawl-2-*"))
    assert set(files) <= set(crawl_2_files) and len(crawl_2_files) == 2  # the killed run's file and the .r1
    revisits = [r for name in crawl_2_files for r in records(db, name) if r.rec_type == "revisit"]
    assert len(revisits) == 14, "each 304 archived once: the uncommitted ones cut, none twice"
    by_place = {}
    for name in files:  # each row's offset starts its own revisit record
        data = (db.parent / name).read_bytes()
        for row in rows:
            if row["revisit_warc_file"] == name:
                head = gzip.GzipFile(fileobj=io.BytesIO(data[row["revisit_warc_offset"]:])).read(200)
                by_place[row["url"]] = head
    assert len(by_place) == 14
    for url, head in by_place.items():
        assert head.startswith(b"WARC/1.1\r\nWARC-Type: revisit") and f"WARC-Target-URI: {url}".encode() in head
