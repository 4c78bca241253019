"""The offline demo end to end: demo web -> Scrapy crawl -> audit -> Datasette.

Uses the session's ``lo-audit demo --no-serve`` run (conftest ``demo_db``), checks the database
against what the demo sites were built to show (data/demo/README.md), then serves it
with ``lo-audit serve`` and reads the league table through Datasette's HTTP API.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from audit.cli import DEMO_AXE_SAMPLE
from audit.core.db import SCHEMA, connect
from audit.directory.reading import FIELDS
from audit.core.evidence import WarcReader
from audit.plugins import all_checks
from crawler.discovery import CHOSEN_AT
from conftest import copy_demo, query
from servers import free_port, no_proxy_get, serving

LO_AUDIT = [sys.executable, "-m", "audit.cli"]
SPEC_COLUMNS = (
    "council_code council_name audit_id as_of pages_crawled documents_found links_checked broken_links "
    "blocked_links dated_pages undated_pages stale_pages median_age_days stale_documents send_space pfa_section "
    "pfa_url pfa_clicks a11y_pages_checked a11y_pages_failing a11y_violations a11y_features statutory_found "
    "statutory_total has_search has_social_media has_newsletter has_video has_feedback_published score rank "
    "directory_records directory_records_undated directory_records_stale directory_records_incomplete has_open_data "
    "site_search pages_outdated_law documents_outdated_law documents_overdue_review feedback_latest_year"
).split()
# Columns that may honestly be empty: no PfA page means no URL or clicks; a site with no
# dated page has no median age; a search robots.txt forbids is not assessed (Kelderby's); a
# site publishing no dated feedback has no feedback year.
MAY_BE_NULL = {"pfa_url", "pfa_clicks", "median_age_days", "site_search", "feedback_latest_year"}


rows = query


def by_code(db: Path) -> dict[str, dict]:
    return {r["council_code"]: r for r in rows(db, "SELECT * FROM league_table")}


def test_league_table_has_every_council_and_every_spec_column(demo_db):
    table = rows(demo_db, "SELECT * FROM league_table")
    assert len(table) == 11
    scores = rows(demo_db, "SELECT * FROM council_scores")
    for column in SPEC_COLUMNS:
        assert column in scores[0], column
    crawled = [r for r in scores if r["crawl_status"] in ("ok", "partial")]
    assert len(crawled) == 7
    for row in crawled:
        empty = [c for c in SPEC_COLUMNS if row[c] is None and c not in MAY_BE_NULL]
        assert not empty, (row["council_code"], empty)
    ranked = [r["rank"] for r in table if r["rank"] is not None]
    assert ranked == sorted(ranked) == list(range(1, 8))
    assert [r["rank"] for r in table[7:]] == [None] * 4  # not assessed: listed after the ranked ones


def test_demo_councils_come_out_as_built(demo_db):
    t = by_code(demo_db)
    northmoor, fenwick, kelderby = t["E99000001"], t["E99000002"], t["E99000003"]
    westmarsh, brackenshire, greyholme, cradleigh = t["E99000004"], t["E99000005"], t["E99000006"], t["E99000007"]
    assert northmoor["rank"] == 1
    assert northmoor["send_space"] == "dedicated_site"
    assert northmoor["pfa_section"] == 1 and northmoor["pfa_clicks"] == 1
    assert set(northmoor["a11y_features"].split(",")) == {"read_aloud", "text_resize", "translation"}
    assert fenwick["send_space"] == "directory_channel"
    assert kelderby["send_space"] == "council_section" and kelderby["pfa_clicks"] == 3
    assert westmarsh["broken_links"] >= 10 and westmarsh["pfa_section"] == 0
    assert westmarsh["blocked_links"] >= 3
    assert westmarsh["score"] < 30 < northmoor["score"]
    assert brackenshire["stale_documents"] >= 1
    # Greyholme's site is down: not assessed, and whether it has a Local Offer is unknown.
    assert greyholme["crawl_status"] == "unreachable" and greyholme["send_space"] is None
    assert (greyholme["assessed"], greyholme["not_assessed_reason"]) == (0, "unreachable")
    # No Local Offer URL: discovery searched www.cradleigh.example and found none (SPEC "Every council accounted for").
    assert cradleigh["crawl_status"] == "no_local_offer_found" and cradleigh["send_space"] == "not_found"
    assert (cradleigh["assessed"], cradleigh["not_assessed_reason"]) == (0, "no_local_offer_found")
    assert greyholme["score"] is None and cradleigh["score"] is None  # never ranked last with 0
    # A Cloudflare-style challenge on Stourholt's Local Offer and its robots.txt; Fellbridge's
    # robots.txt forbids every path. Neither is evaded, neither is scored.
    stourholt, fellbridge = t["E99000010"], t["E99000011"]
    assert (stourholt["assessed"], stourholt["not_assessed_reason"], stourholt["score"]) == (0, "blocked", None)
    assert (fellbridge["assessed"], fellbridge["not_assessed_reason"], fellbridge["score"]) == (
        0, "robots_disallowed", None)
    assert rows(demo_db, "SELECT count(*) AS n FROM fetches WHERE council_code IN ('E99000010', 'E99000011') "
                         "AND status = 200 AND kind = 'page'")[0]["n"] == 0


RAVENSMERE = "http://localoffer.ravensmere.example"


def test_the_javascript_built_local_offer_is_rendered_and_audited_from_the_rendered_dom(demo_db):
    """Ravensmere answers every route with the same empty create-react-app shell; its
    headings, links, "Last updated" text and Preparing for Adulthood page exist only once
    the script has fetched the route's JSON and built the page (data/demo/README.md)."""
    ravensmere = by_code(demo_db)["E99000008"]
    assert ravensmere["crawl_status"] == "ok" and ravensmere["seed_source"] == "registry"
    assert ravensmere["pages_crawled"] == ravensmere["pages_rendered"] == 9
    pages = rows(demo_db, "SELECT url, render_status, warc_file, warc_offset, raw_warc_offset FROM fetches "
                          "WHERE council_code = 'E99000008' AND kind = 'page' AND status = 200")
    assert len(pages) == 9 and {p["render_status"] for p in pages} == {"rendered"}
    home = next(p for p in pages if p["url"] == RAVENSMERE + "/")
    reader = WarcReader(demo_db)
    raw = reader.body(home["warc_file"], home["raw_warc_offset"]).decode()
    rendered = reader.body(home["warc_file"], home["warc_offset"]).decode()
    assert "<a " not in raw and "Last updated" not in raw
    assert "Last updated: 2 November 2026" in rendered and 'href="/preparing-for-adulthood"' in rendered
    # Dates, statutory items, the 16-25 section and the links all come from the rendered DOM.
    dates = {r["url"]: (r["last_updated"], r["date_source"]) for r in rows(
        demo_db, "SELECT url, last_updated, date_source FROM page_audits WHERE council_code = 'E99000008'")}
    assert dates[RAVENSMERE + "/"] == ("2026-11-02", "visible_text")
    assert all(source == "visible_text" for _, source in dates.values()) and len(dates) == 9
    assert ravensmere["stale_pages"] == 3 and ravensmere["statutory_found"] == 11
    assert (ravensmere["pfa_url"], ravensmere["pfa_clicks"]) == (RAVENSMERE + "/preparing-for-adulthood", 1)
    broken = {f["target"] for f in rows(demo_db, "SELECT target FROM findings WHERE council_code = 'E99000008' "
                                                 "AND check_name = 'broken_link'")}
    assert broken == {RAVENSMERE + "/documents/ordinarily-available-provision-2023.pdf",
                      RAVENSMERE + "/documents/travel-assistance-policy-2026.pdf"}
    assert ravensmere["rank"] is not None and ravensmere["score"] > 40


def test_the_council_with_no_url_is_found_from_its_navigation_past_the_decoys(demo_db):
    """Hollinsford's registry row has no Local Offer URL: discovery goes from the council's
    home page through "Education and learning" to "SEND Local Offer", passing over leisure
    "local offers", two news stories about the new Local Offer and a school's SEN information
    report."""
    hollinsford = by_code(demo_db)["E99000009"]
    assert (hollinsford["assessed"], hollinsford["seed_source"]) == (1, "discovered")
    assert hollinsford["seed_url"] == "http://localoffer.hollinsford.example/"
    assert hollinsford["pages_crawled"] == 11 and hollinsford["pfa_clicks"] == 1
    assert hollinsford["rank"] is not None and hollinsford["score"] > 40
    found = {r["candidate_url"]: r for r in rows(demo_db, "SELECT * FROM discoveries WHERE council_code = 'E99000009'")}
    chosen = [url for url, r in found.items() if r["chosen"]]
    assert chosen == ["http://localoffer.hollinsford.example/"]
    assert found[chosen[0]]["found_on"] == "http://www.hollinsford.example/education-and-learning"
    decoys = {"http://www.hollinsford.example/leisure-and-culture/local-offers": "offers or discounts",
              "http://www.hollinsford.example/news/2026/09/new-send-local-offer-website": "news item",
              "http://www.hollinsford.example/council-news/how-families-shaped-our-local-offer": "news story",
              "http://www.hollinsford-primary.example/sen-information-report": "SEN information report"}
    for url, why in decoys.items():
        assert found[url]["score"] < CHOSEN_AT and why in found[url]["evidence"], found[url]


def test_directory_records_open_data_and_site_search_come_out_as_built(demo_db):
    """data/demo/README.md: Fenwick's 60 kb5 records (30 services at two sites) include two undated
    services, five without a cost, one without a phone or email, one without a way in, and a
    football club whose website's host does not exist; its /api/services feed has them all; the
    other sites have no directory. Searches: Northmoor's answers, Kelderby's robots.txt forbids
    crawlers its /search, Fenwick's kb5 search lists unrelated records, Westmarsh's is
    unavailable, Brackenshire has none."""
    t = by_code(demo_db)
    fenwick = t["E99000002"]
    assert (fenwick["directory_records"], fenwick["directory_records_undated"], fenwick["directory_records_stale"],
            fenwick["directory_records_incomplete"]) == (60, 4, 41, 14)
    assert fenwick["has_open_data"] == 1 and fenwick["open_data_services"] == 60
    assert rows(demo_db, "SELECT count(*) AS n FROM directory_open_data WHERE page_url IS NOT NULL")[0]["n"] == 60
    assert all(t[code]["directory_records"] == 0 and t[code]["has_open_data"] == 0
               for code in t if code != "E99000002" and t[code]["assessed"])
    assert all(t[code]["directory_records"] is None for code in t if not t[code]["assessed"])  # nothing measured
    dead = rows(demo_db, "SELECT DISTINCT target FROM findings WHERE check_name = 'dead_provider_website'")
    assert [d["target"] for d in dead] == ["http://www.fenwickinclusivefootball.example/"]
    incomplete = rows(demo_db, "SELECT r.* FROM directory_records r JOIN latest_audit a ON a.audit_id = r.audit_id "
                               "WHERE r.complete = 0")
    missing = {field for r in incomplete for field in FIELDS if not r[field]}
    assert missing == {"has_cost", "has_contact", "has_access"}
    assert {code: row["site_search"] for code, row in t.items()} == {
        "E99000001": "works", "E99000002": "no_results", "E99000003": None, "E99000004": "broken",
        "E99000005": "none", "E99000006": None, "E99000007": None,
        # Ravensmere's search answers with its application shell, which names no topic until a
        # browser builds it (queries are not rendered); Hollinsford's form leads to a 404.
        "E99000008": "no_results", "E99000009": "broken", "E99000010": None, "E99000011": None}


def test_legal_currency_comes_out_as_built(demo_db):
    """data/demo/README.md, "Legally current": Westmarsh's schools page and its 2012 SEN policy
    (School Action Plus and statements on page 3, the Parent Partnership Service and SENDIST on
    page 4), its overdue policy and page, its 2017-18 "You said, we did"; Kelderby's ODT travel
    policy past its review date; Northmoor's explanatory page and Brackenshire's history page
    not flagged."""
    t = {r["council_code"]: r for r in rows(demo_db, "SELECT s.* FROM council_scores s JOIN latest_audit a "
                                                      "ON a.audit_id = s.audit_id")}
    refs = {(r["url"].rsplit("/", 1)[-1], r["term"], r["location"]) for r in rows(demo_db, (
        "SELECT o.* FROM outdated_references o JOIN latest_audit a ON a.audit_id = o.audit_id"))}
    assert refs == {("schools.htm", "sen_statement", None), ("schools.htm", "school_action_plus", None),
                    ("sen-policy-2012.pdf", "school_action_plus", 3), ("sen-policy-2012.pdf", "sen_statement", 3),
                    ("sen-policy-2012.pdf", "parent_partnership", 4), ("sen-policy-2012.pdf", "sendist", 4)}
    westmarsh, kelderby = t["E99000004"], t["E99000003"]
    assert (westmarsh["pages_outdated_law"], westmarsh["documents_outdated_law"]) == (1, 1)
    assert westmarsh["documents_overdue_review"] == 2 and westmarsh["feedback_latest_year"] == 2018
    assert kelderby["documents_overdue_review"] == 1 and kelderby["documents_text_read"] == 2
    assert t["E99000001"]["score_legal"] == 5  # the explanatory page costs nothing; 2025-26 feedback
    assert t["E99000005"]["pages_outdated_law"] == 0  # the history page
    assert westmarsh["score_legal"] < kelderby["score_legal"] < t["E99000001"]["score_legal"]


def test_blocked_links_are_never_counted_broken(demo_db):
    checks = {r["url"]: r for r in rows(demo_db, "SELECT * FROM link_checks")}
    challenge = [r for r in checks.values() if r["reason"] == "bot challenge"]
    assert challenge, "the demo's bot-challenge page should have been checked"
    assert all(r["outcome"] == "blocked" for r in challenge)
    assert all(r["outcome"] == "blocked" for r in checks.values() if r["status"] in (401, 403, 429))


def test_last_modified_now_is_not_a_date(demo_db):
    # Brackenshire's server stamps every response "now"; that must never date a page.
    dated = rows(demo_db, "SELECT date_source FROM page_audits WHERE council_code = 'E99000005' "
                          "AND last_updated IS NOT NULL")
    assert all(r["date_source"] != "last_modified" for r in dated)


def test_every_stale_finding_keeps_its_evidence(demo_db):
    stale = rows(demo_db, "SELECT * FROM findings WHERE check_name IN ('stale_page', 'stale_document')")
    assert stale
    for finding in stale:
        assert finding["evidence"] and finding["url"].startswith("http")
    broken = rows(demo_db, "SELECT * FROM findings WHERE check_name = 'broken_link'")
    assert broken and all(f["target"] and f["evidence"] for f in broken)


def test_warc_records_hold_the_pages(demo_db):
    fetch = rows(demo_db, "SELECT * FROM fetches WHERE kind = 'page' AND status = 200 AND warc_file IS NOT NULL "
                          "ORDER BY url LIMIT 1")[0]
    with open(demo_db.parent / fetch["warc_file"], "rb") as fh:
        fh.seek(fetch["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Target-URI") == fetch["final_url"]
        assert b"<html" in record.content_stream().read().lower()


def test_a_second_audit_keeps_the_first(demo_db, tmp_path):
    demo_db = copy_demo(demo_db, tmp_path)
    before = rows(demo_db, "SELECT count(*) AS n FROM council_scores")[0]["n"]
    # The demo's own axe sample: colour contrast (and the rules only a browser judges) count in the
    # accessibility points, so an audit without the browser scores differently, by design.
    done = subprocess.run([*LO_AUDIT, "audit", "--db", str(demo_db), "--as-of", "2026-11-23", "--axe-sample",
                           str(DEMO_AXE_SAMPLE)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    audits = rows(demo_db, "SELECT audit_id, status FROM audits ORDER BY audit_id")
    assert [a["status"] for a in audits][-2:] == ["complete", "complete"]
    assert rows(demo_db, "SELECT count(*) AS n FROM council_scores")[0]["n"] == 2 * before
    latest = audits[-1]["audit_id"]
    assert {r["audit_id"] for r in rows(demo_db, "SELECT audit_id FROM league_table")} == {latest}
    # Same crawl, same as-of: the same scores (the audit is reproducible).
    first = {r["council_code"]: r["score"] for r in rows(demo_db, "SELECT * FROM council_scores WHERE audit_id = ?",
                                                          [audits[-2]["audit_id"]])}
    second = {r["council_code"]: r["score"] for r in rows(demo_db, "SELECT * FROM council_scores WHERE audit_id = ?",
                                                           [latest])}
    assert first == second


def test_served_by_datasette(demo_db, tmp_path):
    """``lo-audit serve`` itself (the command a user runs), read through Datasette's JSON API."""
    port = free_port()
    with serving([*LO_AUDIT, "serve", "--db", str(demo_db), "--port", str(port)], port,
                 tmp_path / "serve.out") as base:
        league = json.load(no_proxy_get(base + "/demo/league_table.json?_shape=array", timeout=10))
        assert len(league) == 11 and league[0]["council_name"] == "Northmoor"
        front = no_proxy_get(base + "/", timeout=10).read().decode()
        assert "Northmoor" in front and "Westmarsh" in front
        # Every reason a council can go unassessed, listed apart from the ranking.
        apart = front[front.index("Not assessed in this audit, and why"):]
        for name, reason in (("Cradleigh", "No Local Offer found"), ("Greyholme", "Site unreachable"),
                             ("Stourholt", "Site refuses automated visitors"), ("Fellbridge", "robots.txt forbids it")):
            assert name in apart and reason in apart, name
        card = no_proxy_get(base + "/council/E99000004", timeout=10).read().decode()
        assert "Westmarsh" in card and "broken" in card.lower()
        fenwick = no_proxy_get(base + "/council/E99000002", timeout=10).read().decode()
        section = fenwick[fenwick.index('id="directory"'):fenwick.index('id="accessibility"')]
        assert "service.page?id=" in section and "fenwickinclusivefootball" in section and "results.action" in section
        card = no_proxy_get(base + "/council/E99000009", timeout=10).read().decode()
        assert "found from the council" in card and "hollinsford-primary.example/sen-information-report" in card
        card = no_proxy_get(base + "/council/E99000008", timeout=10).read().decode()
        assert "9 pages built by JavaScript" in card
        assert no_proxy_get(base + "/methodology", timeout=10).status == 200
        westmarsh = no_proxy_get(base + "/council/E99000004", timeout=10).read().decode()
        assert "sen-policy-2012.pdf#page=3" in westmarsh and "Review date: July 2014" in westmarsh


def test_schema_declares_the_fixed_tables(tmp_path):
    """The SPEC's three fixed tables: council_scores in the core schema, the other two
    declared by the checks that write them; all three in a new database."""
    assert "CREATE TABLE IF NOT EXISTS council_scores" in SCHEMA
    declared = {table.name for check in all_checks() for table in check.tables}
    assert {"a11y_results", "statutory_coverage"} <= declared
    assert {"council_scores", "a11y_results", "statutory_coverage"} <= set(connect(tmp_path / "x.db").table_names())
