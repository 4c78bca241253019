"""The directory's crawl-time pieces end to end: a real ``lo-audit crawl`` of loopback Local
Offers with kb5-shaped record pages, an Open Referral UK feed (good, stale, incomplete and
stray items, two pages; a linked feed that is malformed) and search forms that work, answer
nothing, fail, are forbidden by robots.txt, or are POST only (never submitted); then a real
``lo-audit audit`` and the report card read through ``lo-audit serve`` (Datasette's HTTP).

The record pages, feed pages and answers are the fixtures of tests/pages/directory (each says
whose markup it follows), served at the paths their truth.json URLs give."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.core.evidence import WarcReader
from audit.core.page import Page
from conftest import Reply, council, lo_audit, run_crawl, web_factory
from servers import free_port, no_proxy_get, serving
from tests.helpers import DIRECTORY, directory_truth

KB5 = "/kb5/fenwick/directory/"
JSON = "application/json"
TOPICS = ("autism", "short+breaks", "speech+and+language+therapy")
TRUTH = directory_truth()


def fixture(name: str, base: str = "") -> bytes:
    """A fixture's bytes, its absolute fis.fenwick.example addresses moved to ``base``."""
    body = (DIRECTORY / name).read_bytes()
    for old in (b"https://fis.fenwick.example", b"http://fis.fenwick.example"):
        body = body.replace(old, base.encode())
    return body


def path_of(name: str) -> str:
    url = TRUTH[name]["url"]
    return url[url.index("/", len("https://")):]


def home(search_form: str, *links: str) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return (f'<!DOCTYPE html><html lang="en"><head><title>SEND Local Offer</title></head><body>'
            f'<header>{search_form}</header><main><h1>SEND Local Offer</h1><ul>{items}</ul></main></body></html>')


def answer(topic: str, *records: str) -> str:
    """A results page listing records by name, as a kb5 results page does."""
    items = "".join(f'<li class="result"><a href="{KB5}service.page?id={rid}">{name}</a></li>' for rid, name in records)
    return (f'<!DOCTYPE html><html lang="en"><head><title>Search results</title></head><body><main>'
            f'<h1>Search results for "{topic}"</h1><ol>{items}</ol></main></body></html>')


GET_FORM = f'<form action="{KB5}results.page" method="get" role="search"><input type="search" name="qt"></form>'


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    with web_factory() as make:
        works, empty, failing, robots, post_only = make(), make(), make(), make(), make()
        # works: kb5 records, a search that answers with records about the topic, an ORUK feed at /api/services
        records = ("kb5_service_fresh.html", "kb5_service_stale.html", "kb5_service_nocost.html")
        works.route(KB5 + "localoffer.page", home(GET_FORM, *[(path_of(n), n) for n in records],
                                                  (path_of("kb5_advice_contact.html"), "Contact us")))
        for name in records + ("kb5_advice_contact.html",):
            works.route(path_of(name), fixture(name))
        works.route(f"{KB5}results.page?qt=autism", fixture("search_results_autism.html"))
        works.route(f"{KB5}results.page?qt=short+breaks",
                    answer("short breaks", ("SB1", "Short breaks at Willow Lodge"), ("SB2", "Holiday short breaks")))
        works.route(f"{KB5}results.page?qt=speech+and+language+therapy", fixture("search_results_unrelated.html"))
        works.route("/api/services", Reply(200, fixture("oruk_v1_services_page1.json", works.base), content_type=JSON))
        works.route("/api/services?page=2", Reply(200, fixture("oruk_v1_services_page2.json", works.base),
                                                  content_type=JSON))
        # empty: every topic answered "no results"; its open data link is a malformed feed
        empty.route(KB5 + "localoffer.page", home(GET_FORM, ("/data/services.json", "Open data: our services")))
        for topic in TOPICS:
            empty.route(f"{KB5}results.page?qt={topic}", fixture("search_results_empty.html"))
        empty.route("/data/services.json", Reply(200, fixture("oruk_malformed.json"), content_type=JSON))
        # failing: the search answers 500 (the fallback 404 answers the /api/services probe)
        failing.route(KB5 + "localoffer.page", home(GET_FORM))
        for topic in TOPICS:
            failing.route(f"{KB5}results.page?qt={topic}", Reply(500, fixture("search_error.html")))
        # robots: robots.txt forbids the search
        robots.route("/robots.txt", Reply(200, f"User-agent: *\nDisallow: {KB5}results.page\n",
                                          content_type="text/plain"))
        robots.route(KB5 + "localoffer.page", home(GET_FORM))
        # post_only: the only search is an ASP.NET postback; a GET sign-up and a feedback form beside it
        post_only.route("/send-local-offer/", fixture("search_post_only.html"))
        rows = [council("E1", works.url(KB5 + "localoffer.page")), council("E2", empty.url(KB5 + "localoffer.page")),
                council("E3", failing.url(KB5 + "localoffer.page")), council("E4", robots.url(KB5 + "localoffer.page")),
                council("E5", post_only.url("/send-local-offer/"))]
        tmp = tmp_path_factory.mktemp("directory")
        result = run_crawl(tmp, rows)
        audited = lo_audit("audit", "--db", result.db_path, "--as-of", "2026-11-23", "--axe-sample", "0")
        assert audited.returncode == 0, audited.stderr[-3000:]
        yield result, {"works": works, "empty": empty, "failing": failing, "robots": robots, "post_only": post_only}


def scores(result) -> dict[str, dict]:
    return {r["council_code"]: r for r in result.rows("SELECT * FROM council_scores")}


def test_searches_are_gets_archived_and_judged(crawl):
    result, servers = crawl
    searches = result.rows("SELECT * FROM fetches WHERE kind = 'search' AND council_code = 'E1' ORDER BY url")
    assert len(searches) == 3 and all(r["status"] == 200 and r["warc_file"] for r in searches)
    reader = WarcReader(result.db_path)
    try:
        served = {r["url"].split("qt=")[1]: reader.body(r["warc_file"], r["warc_offset"]) for r in searches}
    finally:
        reader.close()
    assert served["autism"] == fixture("search_results_autism.html")
    answers = {r["topic"]: r["answer"] for r in result.rows("SELECT * FROM site_search_queries WHERE council_code = 'E1'")}
    assert answers == {"autism": "results", "short breaks": "results", "speech and language therapy": "empty"}
    verdicts = {code: row["site_search"] for code, row in scores(result).items()}
    assert verdicts == {"E1": "works", "E2": "no_results", "E3": "broken", "E4": None, "E5": "none"}
    asked = {f"{KB5}results.page?qt={topic}" for topic in TOPICS}
    for name, tries in (("works", 1), ("empty", 1), ("failing", 2)):  # each topic once, a GET; a 500 is retried once
        sent = [r.method + " " + r.target for r in servers[name].requests if r.target in asked]
        assert sorted(sent) == sorted(["GET " + target for target in asked] * tries), name
    assert all(r.method in ("GET", "HEAD") for s in servers.values() for r in s.requests)


def test_robots_txt_and_post_forms_are_obeyed(crawl):
    result, servers = crawl
    assert not [r for r in servers["robots"].requests if "results.page" in r.target]
    refused = result.rows("SELECT error FROM fetches WHERE kind = 'search' AND council_code = 'E4'")
    assert [r["error"] for r in refused] == ["robots"] * 3
    post_only = servers["post_only"]
    assert [r for r in post_only.requests if r.method == "POST"] == []
    assert not [r for r in post_only.requests if "default.aspx" in r.target or "feedback" in r.target
                or "subscribe" in r.target]
    assert result.rows("SELECT * FROM fetches WHERE kind = 'search' AND council_code = 'E5'") == []


def test_open_data_feed_is_read_page_by_page_and_joined_to_record_pages(crawl):
    result, servers = crawl
    feed = result.rows("SELECT url, status, referrer, warc_file FROM fetches WHERE kind = 'open_data' "
                       "AND council_code = 'E1' ORDER BY url")
    assert [r["url"].removeprefix(servers["works"].base) for r in feed] == ["/api/services", "/api/services?page=2"]
    assert all(r["status"] == 200 and r["warc_file"] for r in feed)
    row = scores(result)["E1"]
    assert row["has_open_data"] == 1 and row["open_data_services"] == 4
    # Swim (2021) and Portage (2025-02) are out of date, Chatterbox undated; only Riverside is complete.
    assert row["open_data_services_stale"] == 2 and row["open_data_services_undated"] == 1
    assert row["open_data_services_incomplete"] == 3
    joined = {r["title"]: r["page_url"] for r in result.rows(
        "SELECT title, page_url FROM directory_open_data WHERE council_code = 'E1'")}
    base = servers["works"].base
    assert joined["Riverside Autism Family Group"] == base + path_of("kb5_service_fresh.html")
    assert joined["Little Steps Portage"] is None
    # A site answering the /api/services probe with 404 has no open data, and that is no finding.
    assert scores(result)["E3"]["has_open_data"] == 0
    assert not result.rows("SELECT * FROM findings WHERE check_name = 'open_data_problem' AND council_code = 'E3'")


def test_a_malformed_feed_is_a_finding_not_a_crash(crawl):
    result, _ = crawl
    assert scores(result)["E2"]["has_open_data"] == 0
    (problem,) = result.rows("SELECT * FROM findings WHERE check_name = 'open_data_problem' AND council_code = 'E2'")
    assert problem["url"].endswith("/data/services.json") and problem["evidence"].startswith("not JSON")


def test_record_pages_are_rows_with_their_evidence(crawl):
    result, servers = crawl
    base = servers["works"].base
    rows = {r["url"].removeprefix(base): r for r in result.rows(
        "SELECT * FROM directory_records WHERE council_code = 'E1'")}
    assert set(rows) == {path_of(n) for n in ("kb5_service_fresh.html", "kb5_service_stale.html",
                                              "kb5_service_nocost.html")}  # not the contact page
    stale = rows[path_of("kb5_service_stale.html")]
    assert stale["stale"] == 1 and stale["last_updated"] == "2023-01-12" and stale["date_evidence"]
    nocost = rows[path_of("kb5_service_nocost.html")]
    assert nocost["last_updated"] is None and nocost["stale"] is None and nocost["complete"] == 0
    assert nocost["has_cost"] == 0 and nocost["has_contact"] == 1
    # the provider websites are on hosts that do not resolve: broken, and a finding each
    fresh = rows[path_of("kb5_service_fresh.html")]
    assert fresh["provider_url"] == "https://www.riversideautism.example/" and fresh["provider_url_status"] == "broken"
    dead = result.rows("SELECT url, target FROM findings WHERE check_name = 'dead_provider_website'")
    assert {d["target"] for d in dead} == {"https://www.riversideautism.example/", "https://www.fenwickswim.example/"}
    row = scores(result)["E1"]
    assert (row["directory_records"], row["directory_records_stale"], row["directory_records_undated"],
            row["directory_records_incomplete"]) == (3, 1, 1, 1)


def test_report_card_shows_the_records_and_the_search_answers(crawl, tmp_path):
    result, servers = crawl
    port = free_port()
    command = [sys.executable, "-m", "audit.cli", "serve", "--db", str(result.db_path), "--port", str(port)]
    with serving(command, port, tmp_path / "serve.out") as base:
        card = no_proxy_get(f"{base}/council/E1", timeout=10).read().decode()
        section = card[card.index('id="directory"'):card.index('id="accessibility"')]
        assert "Fenwick Sensory Swim Sessions" in section and "out of date" in section
        assert "speech and language therapy" in section and "results.page?qt=autism" in section
        assert "works" in section
        stem = result.db_path.stem
        stale = json.load(no_proxy_get(f"{base}/{stem}/stale_directory_records.json?council_code=E1&_shape=array",
                                       timeout=10))
        assert [r["problem"] for r in stale] == ["stale", "undated"]
        incomplete = json.load(no_proxy_get(
            f"{base}/{stem}/incomplete_directory_records.json?council_code=&_shape=array", timeout=10))
        assert {r["missing"] for r in incomplete if r["council_code"] == "E1"} == {"how to get it; cost"}


def test_a_feed_link_is_judged_by_its_path_and_a_json_link_by_its_text_each_time():
    """The path's judgement is cached per URL; the text's never is: the same JSON file linked
    twice, once as open data and once not, is a feed link only where its text says so."""
    from crawler.directory import is_feed_link

    assert is_feed_link("https://fis.example/api/v1/services?page=2", "")
    assert is_feed_link("https://fis.example/services.json", "anything")
    assert is_feed_link("https://fis.example/data/all.json", "Open data (Open Referral UK)")
    assert not is_feed_link("https://fis.example/data/all.json", "Download the list")
    assert not is_feed_link("https://fis.example/services/autism", "Open data")


# A URL made of the words of feeds' addresses, in any case and order, with a query or fragment
# that may hold them too: Outpost's /api/v1/services, /services.json, a JSON file.
_FEED_URL = st.builds(
    lambda scheme, segments, slash, query: f"{scheme}://fis.example/{'/'.join(segments)}{slash}{query}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.lists(st.sampled_from(["api", "API", "Api", "v1", "V2", "services", "Services", "services.json",
                              "SERVICES.JSON", "all.json", "all.Json", "data", "json", "apis"]), max_size=4),
    st.sampled_from(["", "/"]),
    st.sampled_from(["", "?page=2", "?format=.json", "#/api/"]))


@given(_FEED_URL, st.sampled_from(["", "Open data (Open Referral UK)", "Download the list"]))
@example("https://fis.example/API/V1/Services/", "")
@example("https://fis.example/services.JSON?page=2", "")
@example("https://fis.example/data/all.Json", "Open data (Open Referral UK)")
def test_a_page_whose_link_urls_lack_api_and_json_has_no_feed_link(url, text):
    """directory_extras looks at a page's links one by one only when its ``link_urls`` hold
    "/api/" or ".json": every feed link's address must, in whatever case it is written."""
    from crawler.directory import is_feed_link

    page = Page("https://lo.example/", f'<a href="{url}">{text}</a>')
    if is_feed_link(page.links[0].url, page.links[0].text):
        assert "/api/" in page.link_urls or ".json" in page.link_urls, url
