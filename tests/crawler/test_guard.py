"""A fault in lo-audit while handling one response loses that response only (crawler.guard).

Each test crawls a small real site on loopback twice, in a child process running the real
command line: once clean, once with one function a callback calls made to raise for one
URL (tests/crawler/faulty_crawl.py). The faulty crawl must exit 0, say so in one error line
without a traceback, record the faulty response with ``error = 'crawler_error'``, mark the
council's crawl partial, and record everything else exactly as the clean crawl did.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, CrawlResult, Reply, cli_env, closed_port, council, page, write_seeds
from crawler.guard import CRAWLER_ERROR, with_faults

FAULTY = Path(__file__).with_name("faulty_crawl.py")
CODE = "G1"
# What two crawls of the same site agree on: every column but timings and WARC positions.
FETCHES = "SELECT url, final_url, kind, status, error, error_detail, content_type, depth, referrer FROM fetches"
LINK_CHECKS = "SELECT url, outcome, status, reason, final_url, method FROM link_checks"
LINKS = "SELECT source_url, target_url, tag, link_text, in_scope FROM links"
SITE = "SELECT status, reason, pages_fetched, not_assessed_reason FROM crawl_sites"


@pytest.fixture
def site(make_web):
    """A Local Offer of four pages (/lo/b links only to what the home page links, so a fault on
    /lo/b hides nothing else), linking to pages on another host (with ``--workers``, the link
    checker's) and to a closed port."""
    lo, other = make_web(), make_web("127.0.0.2")
    gone = f"http://127.0.0.1:{closed_port()}/gone"
    lo.route("/robots.txt", Reply(404, "", content_type="text/plain"))
    other.route("/robots.txt", Reply(404, "", content_type="text/plain"))
    lo.route("/lo/", page("/lo/a", "/lo/b", other.url("/fine"), gone, title="Local Offer"))
    lo.route("/lo/a", page("/lo/c", other.url("/fine2"), title="A"))
    lo.route("/lo/b", page("/lo/a", "/lo/", other.url("/fine"), title="B"))
    lo.route("/lo/c", page("/lo/", title="C"))
    other.route("/fine", page(title="Fine"))
    other.route("/fine2", page(title="Fine too"))
    return {"seed": lo.url("/lo/"), "b": lo.url("/lo/b"), "fine": other.url("/fine"), "gone": gone, "web": lo}


def crawl(tmp: Path, seed: str, fault: tuple[str, str] | None = None, workers: int = 1,
          env: dict | None = None) -> CrawlResult:
    """``lo-audit crawl`` of the site, ``fault`` = (function, URL) injected."""
    tmp.mkdir(parents=True, exist_ok=True)
    db = tmp / "crawl.db"
    args = ["crawl", "--seeds", str(write_seeds(tmp / "seeds.csv", [council(CODE, seed)])), "--db", str(db),
            "--download-delay", "0", "--timeout", "5", "--workers", str(workers)]
    program = [str(FAULTY)] if fault else ["-m", "audit.cli"]
    env = cli_env({**({"LO_AUDIT_TEST_FAULT": " ".join(fault)} if fault else {}), **(env or {})})
    proc = subprocess.run([sys.executable, *program, *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return CrawlResult(proc, db)


def rows(result: CrawlResult, sql: str) -> set[tuple]:
    with sqlite3.connect(result.db_path) as conn:
        return set(conn.execute(sql))


def without(found: set[tuple], url: str, column: int = 0) -> set[tuple]:
    return {r for r in found if r[column] != url}


def audited(result: CrawlResult) -> tuple[int, int, set[str]]:
    """``lo-audit audit`` of the crawl: its pages_crawled, broken_links and the paths of its audited pages."""
    proc = subprocess.run([sys.executable, "-m", "audit.cli", "audit", "--db", str(result.db_path), "--as-of",
                           "2026-11-23", "--axe-sample", "0", "--workers", "1"], capture_output=True, text=True,
                          timeout=120, env=cli_env(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    score = result.one("SELECT pages_crawled, broken_links FROM council_scores")
    pages = {urlsplit(r["url"]).path for r in result.rows("SELECT url FROM page_audits")}
    return score["pages_crawled"], score["broken_links"], pages


def error_lines(result: CrawlResult) -> list[str]:
    """Every line the crawl wrote on stderr (where the crawl's ERROR lines go by default)."""
    return result.stderr.splitlines()


def test_a_fault_on_one_page_costs_that_page_only(site, tmp_path):
    clean = crawl(tmp_path / "clean", site["seed"])
    faulty = crawl(tmp_path / "faulty", site["seed"], ("shell_cue", site["b"]))
    b = site["b"]

    # The page has its row, saying what happened; nothing of it is archived, so nothing is audited.
    row = faulty.fetch(b)
    assert (row["status"], row["error"], row["warc_file"]) == (200, CRAWLER_ERROR, None)
    assert row["error_detail"] == f"RuntimeError: injected fault for {b}"
    # Its own check does not call a page that answered 200 broken: we could not tell.
    check = faulty.check(b)
    assert (check["outcome"], check["reason"]) == ("skipped", CRAWLER_ERROR)

    # Everything else is recorded exactly as in the clean crawl.
    assert without(rows(faulty, FETCHES), b) == without(rows(clean, FETCHES), b)
    assert without(rows(faulty, LINK_CHECKS), b) == without(rows(clean, LINK_CHECKS), b)
    assert rows(faulty, LINKS) == without(rows(clean, LINKS), b)
    assert rows(clean, SITE) == {("ok", None, 4, None)}
    assert rows(faulty, SITE) == {("partial", "1 response could not be processed (crawler fault)", 3, None)}

    # One line says so, naming the council, the page and the fault; no traceback.
    assert "Traceback" not in faulty.stderr
    assert error_lines(faulty) == [f"ERROR: {CODE} {b}: RuntimeError: injected fault for {b} (crawler fault); "
                                   "recorded as crawler_error, the crawl goes on"]
    assert clean.stderr == ""

    # The audit never reads the page it could not see, nor counts the page a broken link.
    assert audited(clean) == (4, 1, {"/lo/", "/lo/a", "/lo/b", "/lo/c"})
    assert audited(faulty) == (3, 1, {"/lo/", "/lo/a", "/lo/c"})


def test_the_log_at_debug_has_the_traceback(site, tmp_path):
    b = site["b"]
    faulty = crawl(tmp_path, site["seed"], ("shell_cue", b), env={"LO_AUDIT_LOG_LEVEL": "DEBUG"})
    assert len([line for line in error_lines(faulty) if "(crawler fault); recorded as" in line]) == 1
    assert "Traceback" in faulty.stderr and "second line of the message" in faulty.stderr


def test_a_fault_on_the_seed_says_so_and_the_council_is_not_assessed(site, tmp_path):
    """``_body_start`` raises in the seed's verdict, before its outcome is known: the council is
    not called unreachable (its site answered) but not assessed for a fault of lo-audit's."""
    seed = site["seed"]
    faulty = crawl(tmp_path, seed, ("_body_start", seed))
    assert rows(faulty, SITE) == {(CRAWLER_ERROR, "lo-audit could not process the Local Offer URL's answer (HTTP 200): "
                                   f"RuntimeError: injected fault for {seed}", 0, CRAWLER_ERROR)}
    row = faulty.fetch(seed)
    assert (row["status"], row["error"], row["warc_file"]) == (200, CRAWLER_ERROR, None)
    assert len(error_lines(faulty)) == 1 and "(crawler fault)" in faulty.stderr
    assert audited(faulty) == (0, None, set())  # nothing measured of a council not assessed
    score = faulty.one("SELECT assessed, not_assessed_reason, score, rank FROM council_scores")
    assert score == {"assessed": 0, "not_assessed_reason": CRAWLER_ERROR, "score": None, "rank": None}


def test_a_fault_after_the_seed_was_judged_still_leaves_the_council_not_assessed(site, tmp_path):
    """``shell_cue`` raises once the seed's answer was judged ok: its page was never read."""
    seed = site["seed"]
    faulty = crawl(tmp_path, seed, ("shell_cue", seed))
    status, reason, pages, not_assessed = rows(faulty, SITE).pop()
    assert (status, pages, not_assessed) == (CRAWLER_ERROR, 0, CRAWLER_ERROR)
    assert reason.startswith("lo-audit could not process the Local Offer URL's answer (HTTP 200)")


def test_a_fault_in_a_link_check_leaves_a_check_that_is_not_broken(site, tmp_path):
    clean = crawl(tmp_path / "clean", site["seed"])
    fine = site["fine"]
    faulty = crawl(tmp_path / "faulty", site["seed"], ("_body_start", fine))
    check = faulty.check(fine)
    assert (check["outcome"], check["status"], check["reason"]) == ("skipped", 200, CRAWLER_ERROR)
    assert without(rows(faulty, LINK_CHECKS), fine) == without(rows(clean, LINK_CHECKS), fine)
    assert rows(faulty, FETCHES) == rows(clean, FETCHES)
    assert rows(faulty, LINKS) == rows(clean, LINKS)
    assert rows(faulty, SITE) == {("partial", "1 response could not be processed (crawler fault)", 4, None)}
    assert len(error_lines(faulty)) == 1 and "(crawler fault)" in faulty.stderr


def test_a_fault_in_the_link_checker_process_marks_the_crawl_partial_too(site, tmp_path):
    """With ``--workers 2`` the other host's targets are checked by the link checker, a process
    that writes no crawl_sites row: its fault is added to the row the crawl worker wrote."""
    fine = site["fine"]
    faulty = crawl(tmp_path, site["seed"], ("_body_start", fine), workers=2)
    check = faulty.check(fine)
    assert (check["outcome"], check["status"], check["reason"]) == ("skipped", 200, CRAWLER_ERROR)
    assert rows(faulty, SITE) == {("partial", "1 response could not be processed (crawler fault)", 4, None)}
    assert len(error_lines(faulty)) == 1 and "(crawler fault)" in faulty.stderr


def test_faults_of_two_processes_add_up_in_one_reason():
    assert with_faults("ok", None, 1) == ("partial", "1 response could not be processed (crawler fault)")
    assert with_faults("partial", "1 response could not be processed (crawler fault); depth limit", 2) == (
        "partial", "3 responses could not be processed (crawler fault); depth limit")
    assert with_faults("partial", "page budget of 9 reached", 1) == (
        "partial", "1 response could not be processed (crawler fault); page budget of 9 reached")
    assert with_faults(CRAWLER_ERROR, "its home page", 1) == (CRAWLER_ERROR, "its home page")


def test_a_fault_in_an_errback_records_the_failure_it_was_handling(site, tmp_path):
    """``_chain`` raises while a refused link check's failure is recorded: its row is still written."""
    gone = site["gone"]
    faulty = crawl(tmp_path, site["seed"], ("_chain", gone))
    check = faulty.check(gone)
    assert (check["outcome"], check["status"], check["reason"]) == ("skipped", None, CRAWLER_ERROR)
    assert rows(faulty, SITE) == {("partial", "1 response could not be processed (crawler fault)", 4, None)}
    assert len(error_lines(faulty)) == 1 and "(crawler fault)" in faulty.stderr


def test_a_fault_while_a_page_is_rendered_is_recorded_as_in_a_callback(make_web, tmp_path):
    """An application shell is rendered in a task after its callback has returned (crawler.render);
    ``_header_list`` raises as the rendered page is about to be archived."""
    lo = make_web()
    lo.route("/robots.txt", Reply(404, "", content_type="text/plain"))
    lo.route("/lo/", page("/lo/app", title="Local Offer"))
    lo.route("/lo/app", '<!doctype html><html lang="en"><head><title>App</title><script defer src="/lo/app.js">'
                        '</script></head><body><div id="root"></div></body></html>')
    lo.route("/lo/app.js", Reply(200, "document.getElementById('root').innerHTML = '<h1>Short breaks</h1>';",
                                 content_type="application/javascript"))
    app = lo.url("/lo/app")
    faulty = crawl(tmp_path, lo.url("/lo/"), ("_header_list", app))
    row = faulty.fetch(app)
    assert (row["status"], row["error"], row["warc_file"]) == (200, CRAWLER_ERROR, None)
    assert faulty.check(app)["outcome"] == "ok"  # written by the callback before the rendering began
    assert rows(faulty, SITE) == {("partial", "1 response could not be processed (crawler fault)", 1, None)}
    assert len(error_lines(faulty)) == 1 and "(crawler fault)" in faulty.stderr


def test_a_resumed_crawl_fetches_a_crawler_error_page_again(site, tmp_path):
    """A ``crawler_error`` row is no finished fetch: resumed without the fault, the crawl fetches
    the page again and ends as a clean crawl does."""
    clean = crawl(tmp_path / "clean", site["seed"])
    faulty = crawl(tmp_path / "faulty", site["seed"], ("shell_cue", site["b"]))
    assert faulty.fetch(site["b"])["error"] == CRAWLER_ERROR
    hits = site["web"].hits("/lo/b")
    with sqlite3.connect(faulty.db_path) as conn:  # as a kill leaves it (tests/crawler/test_resume.py)
        conn.execute("UPDATE crawls SET status = 'running', pid = 999999999")
    proc = subprocess.run([sys.executable, "-m", "audit.cli", "crawl", "--db", str(faulty.db_path), "--resume"],
                          capture_output=True, text=True, timeout=120, env=cli_env(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert site["web"].hits("/lo/b") == hits + 1
    for sql in (FETCHES, LINK_CHECKS, LINKS, SITE):
        assert rows(faulty, sql) == rows(clean, sql), sql


def test_a_fault_while_a_councils_crawl_is_summed_up_leaves_a_row_saying_so(site, tmp_path):
    """``site_row`` raises for one council every time it is asked (as the council finishes,
    and at the end): its crawl_sites row still says what happened, instead of ``running``, and
    the other council, summed up after it, keeps its own row."""
    seed, other = site["seed"], site["fine"]
    db = tmp_path / "crawl.db"
    seeds = write_seeds(tmp_path / "seeds.csv", [council(CODE, seed), council("G2", other)])
    proc = subprocess.run([sys.executable, str(FAULTY), "crawl", "--seeds", str(seeds), "--db", str(db),
                           "--download-delay", "0", "--timeout", "5", "--workers", "1"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env=cli_env({"LO_AUDIT_TEST_FAULT": f"LocalOfferSpider.site_row {seed} always"}))
    assert proc.returncode == 0, proc.stderr[-3000:]
    faulty = CrawlResult(proc, db)
    sites = {r["council_code"]: r for r in faulty.rows("SELECT * FROM crawl_sites")}
    assert (sites[CODE]["status"], sites[CODE]["not_assessed_reason"], sites[CODE]["pages_fetched"]) == (
        CRAWLER_ERROR, CRAWLER_ERROR, 4)
    assert sites[CODE]["reason"] == ("lo-audit could not summarise this council's crawl: "
                                     f"RuntimeError: injected fault for {seed}")
    assert (sites["G2"]["status"], sites["G2"]["pages_fetched"]) == ("ok", 1)
    lines = error_lines(faulty)
    assert lines and all(f"{CODE}: its crawl summary could not be made" in line for line in lines)
