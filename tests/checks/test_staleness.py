import io
from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfWriter

from audit.checks.staleness import DateEvidence, age_days, document_date, is_stale, page_date, pdf_moddate
from tests.helpers import FETCHED, html_page, load


def wrap(body: str, head: str = "") -> str:
    return f"<html><head><title>T</title>{head}</head><body><main>{body}</main></body></html>"


def test_govuk_page_takes_last_updated_not_published_cookie_header_event_or_script():
    # The page has: cookie banner "last updated 1 January 2024", header "Site last updated",
    # Published 1 June 2019, Last updated 3 March 2023 (dt/dd), an event on 3 March 2026,
    # "Page last reviewed" written by script, "Next review date" and aside news "Updated:".
    ev = page_date(load("govuk_style_ehc.html"))
    assert ev == DateEvidence(date(2023, 3, 3), "visible_text", "Last updated 3 March 2023")


def test_kb5_record_date_updated_in_dl():
    ev = page_date(load("kb5_directory_channel.html"))
    assert ev.source == "visible_text" and ev.date == date(2022, 2, 14)
    assert "14/02/2022" in ev.evidence


def test_fooling_page_has_no_date():
    # Event dates, a listing of other items' "Updated:" dates, copyright year, a script
    # string and a next-review date: none is this page's update date.
    assert page_date(load("fooling_news.html")) is None


def test_sibling_span_and_ordinal_formats():
    html = wrap('<div class="meta"><span class="label">Page last updated</span>'
                '<span class="date">Monday 14th February 2022</span></div>')
    ev = page_date(html_page(html))
    assert ev.date == date(2022, 2, 14) and ev.evidence == "Page last updated Monday 14th February 2022"


def test_this_page_was_last_updated_on_and_reviewed_by_team():
    assert page_date(html_page(wrap("<p>This page was last updated on 03/03/2023.</p>"))).date == date(2023, 3, 3)
    ev = page_date(html_page(wrap("<p>Content last reviewed by the SEND team on 5 May 2024</p>")))
    assert ev.date == date(2024, 5, 5)


def test_latest_of_updated_and_reviewed_wins_and_published_only_as_fallback():
    html = wrap("<p>Published: 1 January 2020</p><p>Last updated: 3 March 2023</p><p>Last reviewed: 1 May 2024</p>")
    assert page_date(html_page(html)).date == date(2024, 5, 1)
    only_published = page_date(html_page(wrap("<p>Published 1 January 2020</p>")))
    assert only_published.date == date(2020, 1, 1) and only_published.evidence == "Published 1 January 2020"


def test_future_and_review_dates_are_not_update_dates():
    assert page_date(html_page(wrap("<p>Last updated: 3 March 2027</p>"))) is None  # after the fetch
    assert page_date(html_page(wrap("<p>Review date: 1 April 2026</p><p>Next review date: 1 May 2025</p>"))) is None
    assert page_date(html_page(wrap("<p>Updated: coffee morning moved. See the event on 3 March 2026.</p>"))) is None


def test_page_meta_list_is_not_mistaken_for_a_listing():
    html = wrap('<ul class="page-meta"><li>Published: 1 June 2019</li><li>Last updated: 3 March 2023</li>'
                '<li>Owner: SEND team</li></ul>')
    assert page_date(html_page(html)).date == date(2023, 3, 3)


def test_metadata_modified_preferred_over_published():
    head = ('<meta property="article:published_time" content="2019-01-01T00:00:00Z">'
            '<meta property="article:modified_time" content="2023-03-03T10:00:00Z">')
    ev = page_date(html_page(wrap("<p>No visible date</p>", head)))
    assert ev == DateEvidence(date(2023, 3, 3), "metadata", "article:modified_time=2023-03-03T10:00:00Z")


def test_jsonld_graph_date_modified():
    ev = page_date(load("localgov_pfa.html"))
    assert ev.source == "metadata" and ev.date == date(2024, 5, 7)
    assert ev.evidence.startswith("JSON-LD dateModified=2024-05-07")


def test_time_element_in_updated_context():
    html = wrap('<p class="updated">Updated <time datetime="2022-08-01">a while ago</time></p>')
    ev = page_date(html_page(html))
    assert ev.source == "metadata" and ev.date == date(2022, 8, 1)


def test_sitemap_then_last_modified_header():
    p = html_page(wrap("<p>nothing</p>"), sitemap_lastmod="2023-03-03")
    assert page_date(p) == DateEvidence(date(2023, 3, 3), "sitemap", "sitemap lastmod 2023-03-03")
    p = html_page(wrap("<p>nothing</p>"), headers={"last-modified": "Fri, 03 Mar 2023 10:00:00 GMT"})
    assert page_date(p) == DateEvidence(date(2023, 3, 3), "last_modified", "Last-Modified: Fri, 03 Mar 2023 10:00:00 GMT")


def test_last_modified_stamped_now_is_ignored():
    now = "Mon, 23 Nov 2026 11:59:58 GMT"
    assert page_date(html_page(wrap("<p>x</p>"), headers={"last-modified": now})) is None
    # No fetched_at: the Date header is the reference.
    p = html_page(wrap("<p>x</p>"), fetched_at=None, headers={"last-modified": now, "date": now})
    assert page_date(p) is None
    twenty_hours = "Sun, 22 Nov 2026 16:00:00 GMT"
    assert page_date(html_page(wrap("<p>x</p>"), headers={"last-modified": twenty_hours})) is None


def _pdf(moddate: str | None = "D:20230303101500+00'00'") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if moddate:
        writer.add_metadata({"/ModDate": moddate, "/Title": "Short breaks statement"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_pdf_moddate_real_and_broken_pdfs():
    got = pdf_moddate(_pdf())
    assert got == datetime(2023, 3, 3, 10, 15, tzinfo=timezone.utc)
    body = _pdf()
    assert pdf_moddate(body[: len(body) // 2]) is None or isinstance(pdf_moddate(body[: len(body) // 2]), datetime)
    assert pdf_moddate(b"%PDF-1.7\n%garbage\x00\xff" * 10) is None
    assert pdf_moddate(b"<html>not a pdf</html>") is None
    assert pdf_moddate(b"") is None
    assert pdf_moddate(_pdf(None)) is None


def test_pdf_moddate_encrypted_does_not_raise():
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.add_metadata({"/ModDate": "D:20230303101500+00'00'"})
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    assert pdf_moddate(buf.getvalue()) is None  # cannot decrypt with an empty password


def test_document_date_order_and_now_trap():
    md = datetime(2023, 3, 3, 10, 15, tzinfo=timezone.utc)
    ev = document_date(md, "Mon, 23 Nov 2026 11:00:00 GMT", FETCHED)
    assert ev.source == "pdf_moddate" and ev.date == date(2023, 3, 3)
    ev = document_date(None, "Fri, 03 Mar 2023 10:00:00 GMT", FETCHED)
    assert ev.source == "last_modified" and ev.date == date(2023, 3, 3)
    assert document_date(None, "Mon, 23 Nov 2026 11:00:00 GMT", FETCHED) is None
    assert document_date(FETCHED + timedelta(days=400), None, FETCHED) is None
    assert document_date(None, None, FETCHED) is None


def test_age_and_staleness_boundaries():
    as_of = date(2026, 11, 23)
    assert age_days(date(2025, 11, 23), as_of) == 365
    assert not is_stale(date(2025, 11, 23), as_of, 365)  # exactly the threshold: not yet stale
    assert is_stale(date(2025, 11, 22), as_of, 365)
    assert age_days(datetime(2026, 11, 20, 23, 0), datetime(2026, 11, 23, 1, 0)) == 3


def test_comments_neither_give_a_date_nor_shift_where_the_visible_cue_is_found():
    # A comment's text is not part of its parent's text: the search for the smallest nodes
    # holding a cue must measure it as nothing. Counted (text_lexbor() gives a comment's
    # text), it pushes the "Last updated" paragraph out of reach and only "Published" is seen.
    html = wrap("<p>Published: 1 June 2019</p><!-- Last updated: 1 January 2020, old template -->"
                "<div><p>Last updated: 3 March 2023</p></div>")
    assert page_date(html_page(html)) == DateEvidence(date(2023, 3, 3), "visible_text", "Last updated: 3 March 2023")
    assert page_date(html_page(wrap("<p>Intro</p><!-- Last updated: 1 January 2020 -->"))) is None


@given(st.lists(st.sampled_from(["updated", "Last Edited", "REVIEWED", "modified", "amended", "published", "posted",
                                 "date added", "last checked", "ed", "eded", "t", "d", " ", "\u00a0", "\u2019"]),
                max_size=12))
def test_cue_spans_are_every_cue_word_occurrence(pieces):
    """_cue_spans: every occurrence of every cue word in the folded text, overlapping
    occurrences included."""
    from audit.core.dates import fold
    from audit.checks.staleness import _CUE_WORDS, _cue_spans

    text = "".join(pieces)
    folded = fold(text)
    expected = sorted((i, i + len(word)) for word in _CUE_WORDS for i in range(len(folded))
                      if folded.startswith(word, i))
    assert _cue_spans(text) == expected
