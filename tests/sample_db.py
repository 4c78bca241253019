"""A small, realistic lo-audit database for the publishing tests (and for demos).

``build_sample_db(path)`` writes, through ``audit.core.db.connect``:

* 4 councils (Birmingham, Cornwall, Cambridgeshire, Barking and Dagenham: unreachable);
* two complete audits over two crawls (1: crawl 1, as of 2025-01-15; 2: crawl 2, as of
  2025-06-01 - the published one) so history and movement exist, and one ``running``
  audit (3) whose rows carry ``RUNNING_MARKER`` and a score of 99.9 and must never be
  published;
* between audits 1 and 2, for Birmingham (``CHANGES``): a link goes from ok to broken
  (``NEWLY_BROKEN``), another from broken to ok (``FIXED``), the home page's date changes
  (``UPDATED``) and a page becomes stale (``GONE_STALE``); in the league Cambridgeshire
  moves up a place and Barking and Dagenham down one;
* findings of several kinds, link checks, page and document audits, a11y_results,
  statutory_coverage and council_scores with ranks;
* hostile content from "crawled pages": a page title ``<script>alert(1)</script>``,
  link text ``<img src=x onerror=alert(2)>``, a ``javascript:alert(3)`` evidence URL
  and a ``data:text/html,...`` URL.

Run ``python tests/sample_db.py out.db`` to write one by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit.core.db import connect, insert_links  # noqa: E402

RUNNING_MARKER = "RUNNING-AUDIT-MARKER"
SCRIPT_TITLE = "<script>alert(1)</script>"
IMG_LINK_TEXT = "<img src=x onerror=alert(2)>"
JS_URL = "javascript:alert(3)"
DATA_URL = "data:text/html,<script>alert(4)</script>"
SELECTOR_PAYLOAD = 'a[href="javascript:alert(5)"]'

BHAM, CORN, CAMB, BARK = "E08000025", "E06000052", "E10000003", "E09000002"
BHAM_LO = "https://www.localofferbirmingham.co.uk/"
CORN_LO = "https://www.supportincornwall.org.uk/kb5/cornwall/directory/localoffer.page"
CAMB_LO = "https://www.cambridgeshire.gov.uk/residents/children-and-families/local-offer"
BARK_LO = "https://www.lbbd.gov.uk/local-offer"

STATUTORY = (
    "education_provision", "out_of_area_provision", "identification_assessment", "health_provision",
    "social_care_provision", "travel_transport", "preparing_for_adulthood", "training_employment",
    "information_advice", "childcare", "leisure", "complaints_redress", "personal_budgets",
    "accessibility_strategy", "feedback_published", "contact",
)

COUNCILS = [
    {"code": BHAM, "name": "Birmingham", "region": "West Midlands", "la_type": "metropolitan district",
     "local_offer_url": BHAM_LO, "council_url": "https://www.birmingham.gov.uk/", "scope": None},
    {"code": CORN, "name": "Cornwall", "region": "South West", "la_type": "unitary",
     "local_offer_url": CORN_LO, "council_url": "https://www.cornwall.gov.uk/", "scope": None},
    {"code": CAMB, "name": "Cambridgeshire", "region": "East of England", "la_type": "county",
     "local_offer_url": CAMB_LO, "council_url": "https://www.cambridgeshire.gov.uk/", "scope": None},
    {"code": BARK, "name": "Barking and Dagenham", "region": "London", "la_type": "london borough",
     "local_offer_url": BARK_LO, "council_url": "https://www.lbbd.gov.uk/", "scope": None},
]
NAMES = {c["code"]: c["name"] for c in COUNCILS}
LO_URLS = {c["code"]: c["local_offer_url"] for c in COUNCILS}

ZERO_SCORE = dict(
    pages_crawled=0, documents_found=0, links_checked=0, broken_links=0, blocked_links=0,
    dated_pages=0, undated_pages=0, stale_pages=0, median_age_days=None, stale_documents=0,
    send_space="not_found", pfa_section=0, pfa_url=None, pfa_clicks=None,
    a11y_pages_checked=0, a11y_pages_failing=0, a11y_violations=0, a11y_features="",
    statutory_found=0, statutory_total=16, has_search=0, has_social_media=0, has_newsletter=0,
    has_video=0, has_feedback_published=0, pages_outdated_law=0, documents_outdated_law=0,
    documents_overdue_review=0, documents_text_read=0, feedback_latest_year=None, crawl_status="ok",
    directory_records=0, directory_records_undated=0, directory_records_stale=0, directory_records_incomplete=0,
    has_open_data=0, site_search=None,
    score_freshness=0, score_links=0, score_accessibility=0, score_statutory=0, score_directory=0, score_legal=0,
    score_pfa=0, score_send_space=0, score_features=0,
)

# Latest complete audit (2): the points per dimension follow the checks' rules (Check.points).
SCORES_2 = {
    BHAM: dict(pages_crawled=120, documents_found=14, links_checked=340, broken_links=12, blocked_links=3,
               dated_pages=108, undated_pages=12, stale_pages=30, median_age_days=201, stale_documents=2,
               send_space="dedicated_site", pfa_section=1,
               pfa_url="https://www.localofferbirmingham.co.uk/preparing-for-adulthood", pfa_clicks=2,
               a11y_pages_checked=20, a11y_pages_failing=5, a11y_violations=9,
               a11y_features="translation,text_resize", statutory_found=14,
               has_search=1, has_social_media=1, has_newsletter=1, documents_text_read=10, pages_outdated_law=1,
               documents_outdated_law=1, documents_overdue_review=1, feedback_latest_year=2024,
               directory_records=20, directory_records_stale=2, directory_records_undated=2,
               directory_records_incomplete=4, site_search="works",
               score_freshness=13.0, score_links=9.71, score_accessibility=14.58, score_statutory=13.12,
               score_directory=8.4, score_legal=4.46, score_pfa=8, score_send_space=4, score_features=1.8, score=77.07,
               rank=1),
    CORN: dict(pages_crawled=80, documents_found=9, links_checked=200, broken_links=4, blocked_links=0,
               dated_pages=70, undated_pages=10, stale_pages=40, median_age_days=412, stale_documents=1,
               send_space="directory_channel", pfa_section=1,
               pfa_url="https://www.supportincornwall.org.uk/kb5/cornwall/directory/family.page?familychannel=7",
               pfa_clicks=4, a11y_pages_checked=10, a11y_pages_failing=6, a11y_violations=11,
               a11y_features="", statutory_found=11, has_search=1, has_video=1, documents_text_read=6,
               documents_outdated_law=2, documents_overdue_review=2,
               directory_records=120, directory_records_stale=48, directory_records_undated=12,
               directory_records_incomplete=30, site_search="works", has_open_data=1,
               score_freshness=7.5, score_links=12.0, score_accessibility=6, score_statutory=10.31,
               score_directory=7.0, score_legal=3.07, score_pfa=6, score_send_space=3, score_features=1.2, score=56.08,
               rank=2),
    CAMB: dict(pages_crawled=50, documents_found=6, links_checked=150, broken_links=15, blocked_links=1,
               dated_pages=45, undated_pages=5, stale_pages=35, median_age_days=640, stale_documents=3,
               send_space="council_section", pfa_section=0, a11y_pages_checked=10, a11y_pages_failing=9,
               a11y_violations=25, a11y_features="", statutory_found=8, has_search=1, documents_text_read=4,
               pages_outdated_law=3, documents_outdated_law=2, documents_overdue_review=3, feedback_latest_year=2019,
               site_search="none",
               score_freshness=4.0, score_links=0, score_accessibility=1.5, score_statutory=7.5,
               score_directory=4.0, score_legal=0.67, score_pfa=0, score_send_space=2, score_features=0.6, score=20.27,
               rank=3),
    BARK: dict(crawl_status="unreachable", score=0, rank=4),
}
# The earlier complete audit (1): history only.
SCORES_1 = {
    BHAM: dict(pages_crawled=110, links_checked=300, broken_links=10, statutory_found=13, send_space="dedicated_site",
               pfa_section=1, score_freshness=11, score_links=9.33, score_accessibility=12, score_statutory=12.19,
               score_directory=8, score_legal=4.2, score_pfa=8, score_send_space=4, score_features=1.62, score=70.34, rank=1),
    CORN: dict(pages_crawled=75, links_checked=190, broken_links=6, statutory_found=10, send_space="directory_channel",
               pfa_section=1, score_freshness=6, score_links=9.68, score_accessibility=6, score_statutory=9.38,
               score_directory=7, score_legal=2.9, score_pfa=6, score_send_space=3, score_features=0, score=49.96, rank=2),
    CAMB: dict(pages_crawled=48, links_checked=140, broken_links=9, statutory_found=8, send_space="council_section",
               score_freshness=4, score_links=5.14, score_accessibility=2, score_statutory=7.5, score_directory=4,
               score_legal=0.5,
               score_pfa=0, score_send_space=2, score_features=0, score=25.14, rank=4),
    BARK: dict(pages_crawled=12, links_checked=40, broken_links=1, statutory_found=3, send_space="council_section",
               score_freshness=2, score_links=11, score_accessibility=3, score_statutory=2.81, score_directory=6,
               score_legal=1.5,
               score_pfa=0, score_send_space=2, score_features=0, score=28.31, rank=3),
}
MISSING_2 = {
    BHAM: {"accessibility_strategy", "feedback_published"},
    CORN: {"out_of_area_provision", "accessibility_strategy", "feedback_published", "personal_budgets", "leisure"},
    CAMB: {"out_of_area_provision", "accessibility_strategy", "feedback_published", "personal_budgets",
           "preparing_for_adulthood", "training_employment", "travel_transport", "contact"},
    BARK: set(STATUTORY),
}
# What changed for Birmingham between audit 1 (crawl 1) and audit 2 (crawl 2).
NEWLY_BROKEN = "https://www.example-school.org.uk/send-policy.pdf"  # ok in crawl 1, 404 in crawl 2
FIXED = "https://old.example.org/gone"  # 404 in crawl 1, 200 in crawl 2
UPDATED = BHAM_LO  # last updated 2024-09-10 in audit 1, 2025-04-02 in audit 2
GONE_STALE = BHAM_LO + "ehc-plans"  # last updated 2024-05-20: fresh at 2025-01-15, stale at 2025-06-01
CHANGES = {"newly_broken": [NEWLY_BROKEN], "fixed": [FIXED], "updated": [UPDATED], "gone_stale": [GONE_STALE]}

AUDITS = [
    {"audit_id": 1, "crawl_id": 1, "as_of": "2025-01-15", "stale_after_days": 365,
     "started_at": "2025-01-15T09:00:00Z", "finished_at": "2025-01-15T09:20:00Z", "status": "complete",
     "version": "0.1.0"},
    {"audit_id": 2, "crawl_id": 2, "as_of": "2025-06-01", "stale_after_days": 365,
     "started_at": "2025-06-01T09:00:00Z", "finished_at": "2025-06-01T09:25:00Z", "status": "complete",
     "version": "0.1.0"},
    {"audit_id": 3, "crawl_id": 2, "as_of": "2025-07-01", "stale_after_days": 365,
     "started_at": "2025-07-01T09:00:00Z", "finished_at": None, "status": "running", "version": "0.1.0"},
]


def _scores(audit_id: int, as_of: str, table: dict, name_override: str | None = None) -> list[dict]:
    rows = []
    for code, values in table.items():
        row = {**ZERO_SCORE, **values, "council_code": code, "council_name": name_override or NAMES[code],
               "audit_id": audit_id, "as_of": as_of}
        rows.append(row)
    return rows


def _finding(audit_id, code, check, url, target="", severity="medium", detail="", evidence=""):
    return {"audit_id": audit_id, "council_code": code, "check_name": check, "url": url, "target": target,
            "severity": severity, "detail": detail, "evidence": evidence}


def _audit_1(db) -> list[dict]:
    """Crawl 1's links, link checks and page audits for Birmingham; returns audit 1's
    findings. Set against crawl 2 they make the ``CHANGES`` the report card must show."""
    links = [
        (BHAM_LO + "schools", NEWLY_BROKEN, "Schools SEND policy", "ok", 200),
        (BHAM_LO + "schools", FIXED, "Old schools list", "broken", 404),
        (BHAM_LO + "transport", DATA_URL, "Download the travel form", "broken", None),
        (BHAM_LO + "contact", JS_URL, "Email us", "broken", None),
    ]
    insert_links(db.conn, [
        {"crawl_id": 1, "council_code": BHAM, "source_url": source, "target_url": target, "tag": "a",
         "link_text": text, "in_scope": 0} for source, target, text, _, _ in links
    ])
    db.table("link_checks").insert_all([
        {"crawl_id": 1, "url": target, "outcome": outcome, "status": status,
         "reason": str(status) if status else "malformed URL", "checked_at": "2025-01-10T04:00:00Z"}
        for _, target, _, outcome, status in links
    ], pk=("crawl_id", "url"))
    pages = [  # url, title, last_updated, age at 2025-01-15, stale
        (UPDATED, "Birmingham SEND Local Offer", "2024-09-10", 127, 0),
        (BHAM_LO + "short-breaks", SCRIPT_TITLE, "2021-03-03", 1414, 1),
        (BHAM_LO + "contact", "Contact the Local Offer team", None, None, 0),
        (GONE_STALE, "EHC plans", "2024-05-20", 240, 0),
    ]
    db.table("page_audits").insert_all([
        {"audit_id": 1, "council_code": BHAM, "url": url, "title": title, "last_updated": updated,
         "date_source": "visible_text" if updated else None, "age_days": age, "stale": stale}
        for url, title, updated, age, stale in pages
    ], pk=("audit_id", "council_code", "url"))
    return [
        _finding(1, BHAM, "broken_link", source, target, "high", "Link target is broken (audit 1)",
                 str(status) if status else "malformed URL")
        for source, target, _, outcome, status in links if outcome == "broken"
    ] + [_finding(1, BHAM, "stale_page", BHAM_LO + "short-breaks", "", "medium", "Page out of date (audit 1)",
                  "Last updated: 3 March 2021")]


def build_sample_db(path) -> None:
    """Write the sample database to ``path`` (replacing any file there)."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()
    db = connect(path)

    db.table("councils").insert_all(COUNCILS, pk="code")
    db.table("crawls").insert_all([
        {"crawl_id": 1, "started_at": "2025-01-10T02:00:00Z", "finished_at": "2025-01-10T05:00:00Z",
         "status": "complete", "user_agent": "lo-audit/0.1 (+https://example.org/lo-audit)",
         "options": json.dumps({"max_pages": 5000}), "version": "0.1.0"},
        {"crawl_id": 2, "started_at": "2025-05-28T02:00:00Z", "finished_at": "2025-05-28T05:30:00Z",
         "status": "complete", "user_agent": "lo-audit/0.1 (+https://example.org/lo-audit)",
         "options": json.dumps({"max_pages": 5000}), "version": "0.1.0"},
    ], pk="crawl_id")
    db.table("crawl_sites").insert_all([
        {"crawl_id": 2, "council_code": BHAM, "seed_url": BHAM_LO, "scope": BHAM_LO, "status": "ok",
         "robots_status": "200", "pages_fetched": 120},
        {"crawl_id": 2, "council_code": CORN, "seed_url": CORN_LO,
         "scope": "https://www.supportincornwall.org.uk/kb5/cornwall/directory/", "status": "ok",
         "robots_status": "404 (no rules)", "pages_fetched": 80},
        {"crawl_id": 2, "council_code": CAMB, "seed_url": CAMB_LO, "scope": CAMB_LO, "status": "ok",
         "robots_status": "200", "pages_fetched": 50},
        {"crawl_id": 2, "council_code": BARK, "seed_url": BARK_LO, "scope": BARK_LO, "status": "unreachable",
         "reason": "DNS lookup failed for www.lbbd.gov.uk", "robots_status": None, "pages_fetched": 0},
    ], pk=("crawl_id", "council_code"))
    db.table("fetches").insert_all([
        {"crawl_id": 2, "council_code": BHAM, "url": BHAM_LO, "final_url": BHAM_LO, "kind": "page", "status": 200,
         "content_type": "text/html", "content_length": 48213, "depth": 0, "fetched_at": "2025-05-28T02:01:00Z",
         "elapsed_ms": 230, "warc_file": "sample-warc/crawl-2.warc.gz", "warc_offset": 0},
        {"crawl_id": 2, "council_code": BHAM, "url": BHAM_LO + "short-breaks", "final_url": BHAM_LO + "short-breaks",
         "kind": "page", "status": 200, "content_type": "text/html", "content_length": 30111, "depth": 1,
         "referrer": BHAM_LO, "fetched_at": "2025-05-28T02:01:02Z", "elapsed_ms": 180,
         "warc_file": "sample-warc/crawl-2.warc.gz", "warc_offset": 51234},
        {"crawl_id": 2, "council_code": BARK, "url": BARK_LO, "kind": "page", "status": None, "error": "dns",
         "error_detail": "Name or service not known", "fetched_at": "2025-05-28T02:00:10Z"},
    ], pk=("crawl_id", "council_code", "url"))

    # Link graph and checks of crawl 2 (the published audit's crawl).
    links = [
        (BHAM, BHAM_LO + "schools", "https://www.example-school.org.uk/send-policy.pdf", "a", IMG_LINK_TEXT, 0),
        (BHAM, BHAM_LO + "transport", DATA_URL, "a", "Download the travel form", 0),
        (BHAM, BHAM_LO + "contact", JS_URL, "a", "Email us", 0),
        (BHAM, BHAM_LO, "https://www.facebook.com/localofferbham", "a", "Facebook", 0),
        (BHAM, BHAM_LO, BHAM_LO + "short-breaks", "a", "Short breaks", 1),
        (BHAM, BHAM_LO + "schools", FIXED, "a", "Old schools list", 0),
        (CORN, CORN_LO, "https://www.cornwall.gov.uk/old-send-strategy", "a", "SEND strategy 2019", 0),
        (CAMB, CAMB_LO, "https://www.cambridgeshire.gov.uk/sendiass-old", "a", "SENDIASS", 1),
        (CAMB, CAMB_LO + "/health", "https://camhs.example.nhs.uk/referrals", "a", "CAMHS referrals", 0),
    ]
    insert_links(db.conn, [
        {"crawl_id": 2, "council_code": c, "source_url": s, "target_url": t, "tag": tag, "link_text": txt,
         "in_scope": ins} for c, s, t, tag, txt, ins in links
    ])
    db.table("link_checks").insert_all([
        {"crawl_id": 2, "url": "https://www.example-school.org.uk/send-policy.pdf", "outcome": "broken",
         "status": 404, "reason": "404", "method": "HEAD", "checked_at": "2025-05-28T04:00:00Z"},
        {"crawl_id": 2, "url": DATA_URL, "outcome": "broken", "status": None, "reason": "malformed URL",
         "method": None, "checked_at": "2025-05-28T04:00:01Z"},
        {"crawl_id": 2, "url": JS_URL, "outcome": "broken", "status": None, "reason": "malformed URL",
         "method": None, "checked_at": "2025-05-28T04:00:02Z"},
        {"crawl_id": 2, "url": "https://www.facebook.com/localofferbham", "outcome": "blocked", "status": 403,
         "reason": "403", "method": "GET", "checked_at": "2025-05-28T04:00:03Z"},
        {"crawl_id": 2, "url": BHAM_LO + "short-breaks", "outcome": "ok", "status": 200, "reason": None,
         "method": "HEAD", "checked_at": "2025-05-28T04:00:04Z"},
        {"crawl_id": 2, "url": FIXED, "outcome": "ok", "status": 200, "reason": None,
         "method": "HEAD", "checked_at": "2025-05-28T04:00:08Z"},
        {"crawl_id": 2, "url": "https://www.cornwall.gov.uk/old-send-strategy", "outcome": "broken", "status": 410,
         "reason": "410", "method": "HEAD", "checked_at": "2025-05-28T04:00:05Z"},
        {"crawl_id": 2, "url": "https://www.cambridgeshire.gov.uk/sendiass-old", "outcome": "broken",
         "status": 500, "reason": "500", "method": "GET", "checked_at": "2025-05-28T04:00:06Z"},
        {"crawl_id": 2, "url": "https://camhs.example.nhs.uk/referrals", "outcome": "broken", "status": None,
         "reason": "dns", "method": "HEAD", "checked_at": "2025-05-28T04:00:07Z"},
    ], pk=("crawl_id", "url"))

    db.table("audits").insert_all(AUDITS, pk="audit_id")

    db.table("page_audits").insert_all([
        {"audit_id": 2, "council_code": BHAM, "url": BHAM_LO, "title": "Birmingham SEND Local Offer", "depth": 0,
         "clicks": 0, "last_updated": "2025-04-02", "date_source": "visible_text",
         "date_evidence": "Last updated: 2 April 2025", "age_days": 60, "stale": 0, "a11y_violations": 3},
        {"audit_id": 2, "council_code": BHAM, "url": BHAM_LO + "short-breaks", "title": SCRIPT_TITLE, "depth": 1,
         "clicks": 1, "last_updated": "2021-03-03", "date_source": "visible_text",
         "date_evidence": "Last updated: 3 March 2021", "age_days": 1551, "stale": 1, "a11y_violations": 0},
        {"audit_id": 2, "council_code": BHAM, "url": BHAM_LO + "contact", "title": "Contact the Local Offer team",
         "depth": 1, "clicks": 1, "last_updated": None, "date_source": None, "date_evidence": None,
         "age_days": None, "stale": 0, "a11y_violations": 1},
        {"audit_id": 2, "council_code": BHAM, "url": GONE_STALE, "title": "EHC plans", "depth": 1,
         "clicks": 1, "last_updated": "2024-05-20", "date_source": "visible_text",
         "date_evidence": "Last updated: 20 May 2024", "age_days": 377, "stale": 1, "a11y_violations": 0},
        {"audit_id": 2, "council_code": CORN, "url": CORN_LO + "?id=ts_travel", "title": "Home to school transport",
         "depth": 2, "clicks": 2, "last_updated": "2022-11-30", "date_source": "metadata",
         "date_evidence": "2022-11-30T10:12:00Z", "age_days": 914, "stale": 1, "a11y_violations": 2},
        {"audit_id": 2, "council_code": CAMB, "url": CAMB_LO + "/health", "title": "Health services",
         "depth": 1, "clicks": 1, "last_updated": "2020-06-01", "date_source": "sitemap",
         "date_evidence": "2020-06-01", "age_days": 1826, "stale": 1, "a11y_violations": 4},
    ], pk=("audit_id", "council_code", "url"))
    db.table("document_audits").insert_all([
        {"audit_id": 2, "council_code": BHAM, "url": BHAM_LO + "docs/short-breaks-statement-2019.pdf",
         "source_url": BHAM_LO + "short-breaks", "content_type": "application/pdf", "status": 200,
         "last_updated": "2019-04-12", "date_source": "pdf_moddate", "date_evidence": "D:20190412093000Z",
         "age_days": 2242, "stale": 1},
    ], pk=("audit_id", "council_code", "url"))

    findings = [
        _finding(2, BHAM, "broken_link", BHAM_LO + "schools", "https://www.example-school.org.uk/send-policy.pdf",
                 "high", "Link target returns 404 Not Found", "404"),
        _finding(2, BHAM, "broken_link", BHAM_LO + "transport", DATA_URL, "medium", "Malformed link", "malformed URL"),
        _finding(2, BHAM, "broken_link", BHAM_LO + "contact", JS_URL, "medium", "Malformed link", "malformed URL"),
        _finding(2, BHAM, "blocked_link", BHAM_LO, "https://www.facebook.com/localofferbham", "low",
                 "Link target refused our checker (unverifiable)", "403"),
        _finding(2, BHAM, "stale_page", BHAM_LO + "short-breaks", "", "medium",
                 "Page last updated 1551 days before the audit date", "Last updated: 3 March 2021"),
        _finding(2, BHAM, "stale_page", GONE_STALE, "", "medium",
                 "Page last updated 377 days before the audit date", "Last updated: 20 May 2024"),
        _finding(2, BHAM, "stale_document", BHAM_LO + "docs/short-breaks-statement-2019.pdf", "", "medium",
                 "Document dated 2019-04-12", "D:20190412093000Z"),
        _finding(2, BHAM, "undated_page", BHAM_LO + "contact", "", "low", "No last-updated date found", ""),
        _finding(2, BHAM, "a11y", BHAM_LO, "img.hero-banner", "high", "Image has no alternative text", "image-alt"),
        _finding(2, BHAM, "a11y", BHAM_LO + "contact", SELECTOR_PAYLOAD, "medium", "Link has no discernible name",
                 "link-name"),
        _finding(2, BHAM, "statutory_missing", BHAM_LO, "accessibility_strategy", "medium",
                 "No page about the accessibility strategy for schools", ""),
        _finding(2, BHAM, "statutory_missing", BHAM_LO, "feedback_published", "medium",
                 "No published feedback ('You said, we did')", ""),
        _finding(2, CORN, "broken_link", CORN_LO, "https://www.cornwall.gov.uk/old-send-strategy", "high",
                 "Link target returns 410 Gone", "410"),
        _finding(2, CORN, "stale_page", CORN_LO + "?id=ts_travel", "", "medium",
                 "Page last updated 914 days before the audit date", "2022-11-30T10:12:00Z"),
        _finding(2, CORN, "a11y", CORN_LO, "html", "high", "Page has no lang attribute", "html-has-lang"),
        _finding(2, CAMB, "broken_link", CAMB_LO, "https://www.cambridgeshire.gov.uk/sendiass-old", "high",
                 "Link target returns 500", "500"),
        _finding(2, CAMB, "broken_link", CAMB_LO + "/health", "https://camhs.example.nhs.uk/referrals", "high",
                 "Link target's host does not resolve", "dns"),
        _finding(2, CAMB, "stale_page", CAMB_LO + "/health", "", "medium",
                 "Page last updated 1826 days before the audit date", "2020-06-01"),
        _finding(2, CAMB, "pfa_missing", CAMB_LO, "", "high",
                 "No page devoted to Preparing for Adulthood / 16-25", ""),
        _finding(2, BARK, "site_unreachable", BARK_LO, "", "high", "The Local Offer could not be reached", "dns"),
    ]
    for code in (CORN, CAMB):
        for item in sorted(MISSING_2[code]):
            findings.append(_finding(2, code, "statutory_missing", LO_URLS[code], item, "medium", f"No page about {item.replace('_', ' ')}", ""))
    # Audit 1 (older, complete; see _audit_1) and audit 3 (running: never shown).
    findings += _audit_1(db)
    for code in NAMES:
        findings.append(_finding(3, code, "broken_link", "https://running.example.org/page",
                                 "https://running.example.org/" + RUNNING_MARKER, "high", RUNNING_MARKER, RUNNING_MARKER))
    db.table("findings").insert_all(findings, pk=("audit_id", "council_code", "check_name", "url", "target"))

    a11y = [
        {"audit_id": 2, "council_code": BHAM, "url": BHAM_LO, "rule": "image-alt", "engine": "static", "count": 2,
         "impact": "critical", "targets": json.dumps(["img.hero-banner", "img#logo"])},
        {"audit_id": 2, "council_code": BHAM, "url": BHAM_LO + "contact", "rule": "link-name", "engine": "axe",
         "count": 1, "impact": "serious", "targets": json.dumps([SELECTOR_PAYLOAD])},
        {"audit_id": 2, "council_code": CORN, "url": CORN_LO, "rule": "html-has-lang", "engine": "static",
         "count": 1, "impact": "serious", "targets": json.dumps(["html"])},
        {"audit_id": 2, "council_code": CORN, "url": CORN_LO + "?id=ts_travel", "rule": "image-alt",
         "engine": "static", "count": 3, "impact": "critical",
         "targets": json.dumps(["main > img:nth-child(2)", "main > img:nth-child(4)", "footer img"])},
        {"audit_id": 2, "council_code": CAMB, "url": CAMB_LO + "/health", "rule": "label", "engine": "axe",
         "count": 4, "impact": "critical", "targets": json.dumps(["#search-input", "#postcode", "#email", "#name"])},
        {"audit_id": 3, "council_code": BHAM, "url": BHAM_LO, "rule": RUNNING_MARKER.lower(), "engine": "axe",
         "count": 99, "impact": "critical", "targets": json.dumps([RUNNING_MARKER])},
    ]
    db.table("a11y_results").insert_all(a11y, pk=("audit_id", "council_code", "url", "rule", "engine"))

    def issue(audit_id, code, rule, impact, engine, pages, checked, template, url, target="html", sig=None):
        return {"audit_id": audit_id, "council_code": code, "rule": rule, "signature": sig or f"{rule}-{code}"[:12],
                "template": template, "impact": impact, "engine": engine, "pages_affected": pages,
                "pages_checked": checked, "elements": pages, "example_url": url, "example_target": target,
                "weight": 1.0}

    db.table("a11y_issues").insert_all([
        issue(2, BHAM, "color-contrast", "serious", "axe", 6, 12, "html > body > footer > p.meta[]", BHAM_LO, "p.meta"),
        issue(2, BHAM, "link-name", "serious", "axe", 1, 12, "html > body > " + SELECTOR_PAYLOAD, JS_URL,
              SELECTOR_PAYLOAD),
        issue(2, BHAM, "image-alt", "critical", "static", 40, 40, "html > body > header > a > img[src]", BHAM_LO,
              "img#logo"),
        issue(2, CORN, "image-alt", "critical", "static", 3, 30, "html > body > main > img[src]", CORN_LO),
        issue(2, CORN, "color-contrast", "serious", "axe", 2, 10, "html > body > nav > a[href]", CORN_LO),
        issue(3, BHAM, RUNNING_MARKER.lower(), "critical", "axe", 99, 99, RUNNING_MARKER, BHAM_LO),
    ], pk=("audit_id", "council_code", "rule", "signature"))

    coverage = []
    evidence = {
        BHAM: {item: f"{BHAM_LO}{item.replace('_', '-')}" for item in STATUTORY},
        CORN: {item: f"{CORN_LO}?id={item}" for item in STATUTORY},
        CAMB: {item: f"{CAMB_LO}/{item.replace('_', '-')}" for item in STATUTORY},
        BARK: {},
    }
    evidence[BHAM]["contact"] = JS_URL  # hostile evidence URL from a crawled page
    evidence[BHAM]["travel_transport"] = DATA_URL
    for code in (BHAM, CORN, CAMB, BARK):
        for item in STATUTORY:
            found = 0 if item in MISSING_2[code] else 1
            coverage.append({"audit_id": 2, "council_code": code, "item": item, "found": found,
                             "evidence_url": evidence[code].get(item) if found else None})
    for code in NAMES:
        coverage.append({"audit_id": 1, "council_code": code, "item": "contact", "found": 1,
                         "evidence_url": "https://example.org/audit-1"})
        coverage.append({"audit_id": 3, "council_code": code, "item": RUNNING_MARKER, "found": 0,
                         "evidence_url": None})
    db.table("statutory_coverage").insert_all(coverage, pk=("audit_id", "council_code", "item"))

    scores = (_scores(1, "2025-01-15", SCORES_1) + _scores(2, "2025-06-01", SCORES_2)
              + _scores(3, "2025-07-01", {code: dict(score=99.9, rank=1, score_freshness=25, pfa_section=0)
                                         for code in NAMES}, name_override=RUNNING_MARKER))
    db.table("council_scores").insert_all(scores, pk=("audit_id", "council_code"))
    db.conn.close()


if __name__ == "__main__":
    build_sample_db(sys.argv[1] if len(sys.argv) > 1 else "sample.db")
    print(f"wrote {sys.argv[1] if len(sys.argv) > 1 else 'sample.db'}")
