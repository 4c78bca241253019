"""The directory check (audit/checks/directory.py) over the platform-shaped record pages and
the decoys of tests/pages/directory, handed to it the way the runner does (every page while its
tree is held, then ``finish``), with the crawl's link checks, archived feed pages and search
answers given through the CouncilContext as the runner gives them."""

from __future__ import annotations

from datetime import date

from audit.check import ArchivedFetch, CouncilContext, CouncilResult
from audit.checks.directory import Directory
from audit.core.registry import Council
from audit.runner import LinkCheck
from tests.helpers import DIRECTORY, FETCHED, directory_page, directory_truth

AS_OF = date(2026, 11, 23)
TRUTH = directory_truth()
FENWICK = "https://fis.fenwick.example/kb5/fenwick/directory/"


def fetch(url: str, body: bytes | None, status: int | None = 200, referrer: str | None = "x", error=None,
          content_type="application/json") -> ArchivedFetch:
    row = {"url": url, "final_url": url if status else None, "status": status, "error": error, "error_detail": None,
           "referrer": referrer, "content_type": content_type, "warc_file": "crawl-1-E1.warc.gz" if body else None}
    return ArchivedFetch(row, FETCHED, lambda: body)


def audit(names=(), status="ok", link_checks=None, open_data=(), searches=(), scope=(FENWICK,)):
    """The check's council_scores row and its result, over fixture pages (by name)."""
    council = Council("E1", "Fenwick", FENWICK + "localoffer.page", "https://www.fenwick.example/", scope=scope)
    result = CouncilResult(score={"council_code": "E1", "council_name": "Fenwick"})
    context = CouncilContext(council=council, site={"status": status}, scope=scope, home=council.local_offer_url,
                             as_of=AS_OF, stale_after_days=365, link_checks=link_checks or {},
                             documents=lambda: iter(()), axe=None, result=result,
                             open_data=lambda: iter(open_data), searches=lambda: iter(searches))
    check = Directory(context)
    for name in names:
        page = directory_page(name)
        context.pages.append(page)
        check.page(page)
    check.finish()
    return result.score, result


def test_records_of_every_platform_are_rows_and_decoys_are_not():
    score, result = audit(TRUTH)
    rows = {r["url"]: r for r in result.tables["directory_records"]}
    assert set(rows) == {t["url"] for t in TRUTH.values() if t["record"]}
    assert score["directory_records"] == len(rows) == 12
    for name, truth in TRUTH.items():
        if truth["record"]:
            assert rows[truth["url"]]["last_updated"] == truth["date"], name
    undated = {n for n, t in TRUTH.items() if t["record"] and t["date"] is None}
    assert score["directory_records_undated"] == len(undated)
    findings = {(f["check_name"], f["url"]) for f in result.findings}
    assert {("undated_record", TRUTH[n]["url"]) for n in undated} <= findings
    assert ("stale_record", TRUTH["kb5_service_stale.html"]["url"]) in findings
    assert not {url for _, url in findings} & {t["url"] for t in TRUTH.values() if not t["record"]}


def test_an_incomplete_record_says_what_it_lacks_with_what_it_has():
    _, result = audit(["kb5_service_nocost.html"])
    (finding,) = [f for f in result.findings if f["check_name"] == "incomplete_record"]
    assert finding["detail"] == "Does not say: how to get it, cost"
    assert "contact:" in finding["evidence"] and "where:" in finding["evidence"]
    (row,) = result.tables["directory_records"]
    assert (row["complete"], row["has_cost"], row["has_contact"]) == (0, 0, 1)


def test_provider_website_status_comes_from_the_crawls_link_checks():
    checks = {"https://www.riversideautism.example/": LinkCheck("broken", "dns", None),
              "https://www.fenwickswim.example/": LinkCheck("blocked", "403", None)}
    _, result = audit(["kb5_service_fresh.html", "kb5_service_stale.html", "jadu_directory_record.html"],
                      link_checks=checks)
    status = {r["provider_url"]: r["provider_url_status"] for r in result.tables["directory_records"]}
    assert status == {"https://www.riversideautism.example/": "broken", "https://www.fenwickswim.example/": "blocked",
                      "https://kelderbypcf.example/": None}  # never checked: no status, no finding
    dead = [f for f in result.findings if f["check_name"] == "dead_provider_website"]
    assert [(f["url"], f["target"], f["evidence"]) for f in dead] == [
        (TRUTH["kb5_service_fresh.html"]["url"], "https://www.riversideautism.example/", "dns")]


def test_open_data_is_read_joined_and_its_problems_are_findings():
    feed = "https://fis.fenwick.example/api/services"
    pages = [fetch(feed, (DIRECTORY / "oruk_v1_services_page1.json").read_bytes(), referrer=None),
             fetch(feed + "?page=2", (DIRECTORY / "oruk_v1_services_page2.json").read_bytes()),
             fetch("https://fis.fenwick.example/data/services.json", (DIRECTORY / "oruk_malformed.json").read_bytes()),
             fetch("https://api.fenwick.example/services", None, status=None, error="dns"),  # linked, no answer
             fetch("https://other.example/api/services", None, status=404, referrer=None)]  # a probe: no feed
    score, result = audit(["kb5_service_fresh.html", "kb5_service_stale.html"], open_data=pages)
    assert score["has_open_data"] == 1 and score["open_data_services"] == 4
    joined = {r["title"]: r["page_url"] for r in result.tables["directory_open_data"]}
    assert joined["Riverside Autism Family Group"] == TRUTH["kb5_service_fresh.html"]["url"]
    assert joined["Fenwick Sensory Swim Sessions"] == TRUTH["kb5_service_stale.html"]["url"]
    problems = {f["url"]: f["evidence"] for f in result.findings if f["check_name"] == "open_data_problem"}
    assert problems["https://fis.fenwick.example/data/services.json"].startswith("not JSON")
    assert problems["https://api.fenwick.example/services"] == "dns"
    assert problems[feed] == "not JSON objects"  # the stray string among page 1's services
    assert "https://other.example/api/services" not in problems


def test_open_data_alone_is_scored_when_no_record_page_is_recognised():
    feed = "https://fis.fenwick.example/api/services"
    score, _ = audit(["decoy_news_phone.html"], open_data=[fetch(feed, (DIRECTORY / "hsds3_services.json").read_bytes())])
    assert score["directory_records"] == 0 and score["open_data_services"] == 2
    assert Directory.points({**score, "pages_crawled": 1}) == 4 * 1 / 2 + 4 * 0 / 2 + 0  # one fresh, none complete


def answer(topic: str, name: str, status: int = 200, error=None) -> ArchivedFetch:
    url = f"{FENWICK}results.page?localofferchannel=0&qt={topic.replace(' ', '+')}"
    body = (DIRECTORY / name).read_bytes() if name else None
    return fetch(url, body, status=status, error=error, referrer=FENWICK + "localoffer.page",
                 content_type="text/html; charset=utf-8")


def test_site_search_from_the_archived_answers():
    works = [answer("autism", "search_results_autism.html"), answer("short breaks", "search_results_autism.html"),
             answer("speech and language therapy", "search_results_empty.html")]
    score, result = audit(searches=works)
    answers = {r["topic"]: r["answer"] for r in result.tables["site_search_queries"]}
    assert answers == {"autism": "results", "short breaks": "empty", "speech and language therapy": "empty"}
    assert score["site_search"] == "no_results"
    assert {f["url"] for f in result.findings if f["check_name"] == "site_search_failed"} == {
        works[1].row["url"], works[2].row["url"]}
    broken = [answer("autism", "search_error.html"), answer("short breaks", None, status=None, error="timeout"),
              answer("speech and language therapy", "search_results_empty.html")]
    assert audit(searches=broken)[0]["site_search"] == "broken"


def test_site_search_not_asked_is_none_or_not_assessed():
    assert audit()[0]["site_search"] == "none"  # assessed, and the crawl found no search form
    assert audit(status="unreachable")[0]["site_search"] is None
    refused = [answer(t, None, status=None, error="robots") for t in ("autism", "short breaks")]
    score, result = audit(searches=refused)
    assert score["site_search"] is None and {r["answer"] for r in result.tables["site_search_queries"]} == {"refused"}


def test_summary_sentences():
    score, _ = audit(["kb5_service_fresh.html", "kb5_service_stale.html", "kb5_service_nocost.html"])
    assert Directory.summary(score) == ("3 directory records: 1 out of date, 1 undated, 1 incomplete; "
                                        "site search: none")
    assert Directory.summary({"directory_records": 0}) == "No directory records recognised"
