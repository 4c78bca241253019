"""The "Legally current" check end to end: a Local Offer served from loopback, crawled and
audited by the real commands, then published by a real Datasette and read through its HTTP API.

Council A's site holds one of each kind: a page presenting superseded law as current (with
markup-like text in the sentence, to check the published quote is escaped), an explanatory page
and a history page that must not be flagged, a page whose own "Next review due" has passed, and
linked documents made by the demo's document builder: a four-page PDF policy with School Action
Plus on page 3 and a 2019 review date, a DOCX with the Parent Partnership Service on page 3 and a
review date still to come, an ODT policy past its review date, an annual report PDF for 2024-25,
and a spreadsheet (not read). Council B publishes only a "You said, we did" page covering several
years, the latest 2020-21. Council C publishes a "You said, we did" page that states no year.

The pages are shaped like LocalGov Drupal service pages (``<main id="main-content">`` with an
``<article>``, as tests/law/test_law_outdated.py and tests/pages/localgov_pfa.html)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT, Reply, council, lo_audit, query, run_crawl
from servers import datasette_server, no_proxy_get

sys.path.insert(0, str(ROOT / "data" / "demo"))
from make_documents import docx_bytes, odt_bytes, pdf_bytes  # noqa: E402

AS_OF = "2026-11-23"
PDF, DOCX, ODT = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "application/vnd.oasis.opendocument.text")
HOSTILE = '<script>alert("x")</script>'


def localgov(title: str, body: str, links: tuple[str, ...] = ()) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return (f'<!DOCTYPE html><html lang="en"><head><title>{title} | Northshire Local Offer</title></head><body>'
            '<header><nav><a href="/lo/">SEND Local Offer</a></nav></header>'
            f'<main id="main-content"><article><h1>{title}</h1><div class="field--name-body">{body}'
            f"<ul>{items}</ul></div></article></main>"
            "<footer>Accessibility statement. Privacy notice.</footer></body></html>")


SEN_POLICY = (
    "Northshire schools SEN policy\n\nApproved by the Schools Forum: 12 September 2018. Review date: September 2019.",
    "Aims\n\nEvery child should make good progress. We work in partnership with parents.",
    "Identifying needs\n\nPupils at School Action Plus are supported by outside agencies such as the educational "
    "psychologist.",
    "Complaints\n\nSENDIASS, formerly the Parent Partnership Service, gives impartial advice.",
)
BEHAVIOUR_POLICY = (
    "Behaviour and inclusion policy\n\nDate of next review: 1st September 2027.",
    "Our approach\n\nWe expect good behaviour and support pupils who find it hard.",
    "Getting advice\n\nParents can ask the Parent Partnership Service for independent advice before a meeting.",
)
TRAVEL_POLICY = (
    "Home to school travel policy\n\nTo be reviewed by the Cabinet in March 2023.",
    "Children with an EHC plan who cannot walk to school can get travel assistance.",
)
ANNUAL_REPORT = (
    "Local Offer annual report 2024 to 2025\n\nWhat you told us about the Local Offer and what we did.",
    "You said the website was hard to search. We added a search box.",
)


def serve_sites(web) -> None:
    documents = [
        ("/lo/documents/sen-policy.pdf", pdf_bytes("SEN policy", "D:20180912100000+01'00'", True, SEN_POLICY), PDF),
        ("/lo/documents/behaviour-policy.docx", docx_bytes("Behaviour policy", None, BEHAVIOUR_POLICY), DOCX),
        ("/lo/documents/travel-policy.odt", odt_bytes("Travel policy", TRAVEL_POLICY), ODT),
        ("/lo/documents/local-offer-annual-report-2024-25.pdf",
         pdf_bytes("Local Offer annual report", "D:20250701100000+01'00'", True, ANNUAL_REPORT), PDF),
        ("/lo/documents/schools-list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000, "application/vnd.ms-excel"),
    ]
    for path, body, content_type in documents:
        web.route(path, Reply(200, body, content_type=content_type))
    pages = {
        "/lo/schools": localgov("Schools", (
            "<p>Most children go to their local school.</p>"
            f"<p>Pupils at School Action Plus see <em>{HOSTILE.replace('<', '&lt;').replace('>', '&gt;')}</em> "
            "specialists &amp; therapists every term.</p>")),
        "/lo/changes": localgov("Changes to SEND support", (
            "<h2>What happened to statements?</h2><p>Statements of special educational needs were replaced by EHC "
            "plans in September 2014. If your child had a statement, it was transferred to an EHC plan.</p>"
            "<p>SEN support replaces School Action and School Action Plus. SENDIASS, formerly the Parent Partnership "
            "Service, gives free advice.</p>")),
        "/lo/history": localgov("The history of SEND in Northshire", (
            "<p>Until 2014 pupils could be placed on School Action Plus, and a child with complex needs could be "
            "given a statement of special educational needs.</p>")),
        "/lo/short-breaks": localgov("Short breaks", (
            "<p>Short breaks give parent carers a rest.</p><p>Page last reviewed: 2 March 2021. "
            "Next review due: 02/03/2022.</p>")),
        "/lo/documents": localgov("Documents", "<p>Our policies.</p>", (
            ("/lo/documents/sen-policy.pdf", "SEN policy (PDF)"),
            ("/lo/documents/behaviour-policy.docx", "Behaviour policy (Word)"),
            ("/lo/documents/travel-policy.odt", "Travel policy (OpenDocument)"),
            ("/lo/documents/local-offer-annual-report-2024-25.pdf", "Local Offer annual report 2024 to 2025"),
            ("/lo/documents/schools-list.xls", "Schools list (Excel)"))),
        "/b/you-said-we-did": localgov("You said, we did", (
            "<p>Each year we publish what families told us about the Local Offer.</p>"
            "<h2>2019 to 2020</h2><p>You said the site was hard to use. We redesigned it.</p>"
            "<h2>2020-21</h2><p>You said short breaks were hard to find. We added a page.</p>")),
        "/c/you-said-we-did": localgov("You said, we did", (
            "<p>You said the directory was out of date. We checked every entry.</p>")),
    }
    for path, html in pages.items():
        web.route(path, html)
    web.route("/lo/", localgov("Northshire SEND Local Offer", "<p>Welcome.</p>", tuple(
        (path, path) for path in pages if path.startswith("/lo/"))))
    web.route("/b/", localgov("Westshire SEND Local Offer", "<p>Welcome.</p>", (("/b/you-said-we-did", "Feedback"),)))
    web.route("/c/", localgov("Eastshire SEND Local Offer", "<p>Welcome.</p>", (("/c/you-said-we-did", "Feedback"),)))


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    from conftest import Web

    web = Web()
    try:
        serve_sites(web)
        folder = tmp_path_factory.mktemp("legal")
        result = run_crawl(folder, [council("A", web.url("/lo/")), council("B", web.url("/b/")),
                                    council("C", web.url("/c/"))])
        done = lo_audit("audit", "--db", result.db_path, "--as-of", AS_OF, "--axe-sample", "0", timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        yield result.db_path, web
    finally:
        web.close()


def scores(db: Path, code: str) -> dict:
    [row] = query(db, "SELECT * FROM council_scores WHERE council_code = ?", [code])
    return row


def test_outdated_law_is_found_in_pages_and_on_page_3_of_documents_and_not_in_decoys(audited):
    db, web = audited
    refs = {(r["url"].replace(web.base, ""), r["term"]): r for r in query(db, "SELECT * FROM outdated_references")}
    assert set(refs) == {("/lo/schools", "school_action_plus"), ("/lo/documents/sen-policy.pdf", "school_action_plus"),
                         ("/lo/documents/behaviour-policy.docx", "parent_partnership")}
    page = refs[("/lo/schools", "school_action_plus")]
    assert page["kind"] == "page" and page["location"] is None
    assert page["quote"] == f"Pupils at School Action Plus see {HOSTILE} specialists & therapists every term."
    pdf = refs[("/lo/documents/sen-policy.pdf", "school_action_plus")]
    assert (pdf["kind"], pdf["location"]) == ("document", 3)
    assert pdf["quote"] == ("Identifying needs Pupils at School Action Plus are supported by outside agencies such "
                            "as the educational psychologist.")
    assert refs[("/lo/documents/behaviour-policy.docx", "parent_partnership")]["location"] == 3
    a = scores(db, "A")
    assert (a["pages_outdated_law"], a["documents_outdated_law"], a["documents_text_read"]) == (1, 2, 4)


def test_review_dates_past_in_pages_and_documents_are_overdue_with_the_text(audited):
    db, web = audited
    overdue = {f["url"].replace(web.base, ""): f for f in query(
        db, "SELECT * FROM findings WHERE check_name = 'overdue_review'")}
    assert set(overdue) == {"/lo/documents/sen-policy.pdf", "/lo/documents/travel-policy.odt", "/lo/short-breaks"}
    assert overdue["/lo/short-breaks"]["evidence"] == "\u201cNext review due: 02/03/2022\u201d"
    assert overdue["/lo/documents/sen-policy.pdf"]["evidence"] == "\u201cReview date: September 2019\u201d (page 1)"
    assert "2023-03-31" in overdue["/lo/documents/travel-policy.odt"]["detail"]
    assert scores(db, "A")["documents_overdue_review"] == 3


def test_feedback_recency_takes_the_latest_year_of_pages_and_documents(audited):
    db, web = audited
    a, b, c = scores(db, "A"), scores(db, "B"), scores(db, "C")
    assert a["feedback_latest_year"] == 2025  # the annual report document, 2024-25
    assert b["feedback_latest_year"] == 2021  # the page's sections 2019 to 2020 and 2020-21
    assert c["feedback_latest_year"] is None
    feedback = {f["council_code"]: f for f in query(db, "SELECT * FROM findings WHERE check_name = 'feedback_out_of_date'")}
    assert set(feedback) == {"B", "C"}
    assert "covers 2021, more than a year before 2026-11-23" in feedback["B"]["detail"]
    assert "states no year" in feedback["C"]["detail"]
    # Points: A's 6 pages and 4 readable documents hold 3 outdated and 3 overdue items, both shares over
    # one in ten, so only its feedback point is left; B and C lose only the feedback point.
    assert a["pages_crawled"] + a["documents_text_read"] == 10
    assert a["score_legal"] == 1
    assert b["score_legal"] == c["score_legal"] == 4


def test_the_report_card_quotes_each_finding_escaped_and_linked_to_its_page(audited, tmp_path):
    db, web = audited
    with datasette_server(db, tmp_path) as base:
        card = no_proxy_get(base + "/council/A", timeout=10).read().decode()
        section = card[card.index('id="legal"'):card.index('id="accessibility"')]
        assert HOSTILE not in card
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; specialists &amp; therapists" in section
        assert f'href="{web.url("/lo/documents/sen-policy.pdf")}#page=3"' in section
        assert "document, page 3" in section and "SEN support (2014)" in section
        assert "Next review due: 02/03/2022" in section and "covers 2025" in section
        name = db.stem
        rows = json.load(no_proxy_get(f"{base}/{name}/outdated_law.json?_shape=array", timeout=10))
        assert {(r["council_code"], r["term"], r["document_page"]) for r in rows} == {
            ("A", "school_action_plus", None), ("A", "school_action_plus", 3), ("A", "parent_partnership", 3)}
        assert any(r["quote"].startswith(f"Pupils at School Action Plus see {HOSTILE}") for r in rows)
        table = json.load(no_proxy_get(f"{base}/{name}/outdated_references.json", timeout=10))
        assert table["rows"] and "quote" in table["columns"]
        methodology = no_proxy_get(base + "/methodology", timeout=10).read().decode()
        assert "Parent Partnership Service" in methodology and "Legally current" in methodology
