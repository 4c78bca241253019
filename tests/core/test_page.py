"""Page: lazy parsing, and pages that let go of their HTML and read it again from the archive."""

import glob
import json
import os

from urllib.parse import urldefrag, urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from audit.core import page as page_module
from audit.core.page import Page, _absolute

HTML = """<!doctype html><html><head><title>Short breaks | Council</title></head>
<body><nav><a href="/">Home</a></nav><main><h1>Short breaks</h1>
<p>Short breaks give families of disabled children a rest.</p><a href="/apply">Apply</a></main></body></html>"""


class Archive:
    """A source that counts how often the page's HTML is read again."""

    def __init__(self, html: str):
        self.html, self.reads = html, 0

    def __call__(self) -> str:
        self.reads += 1
        return self.html


def archived(url: str, html: str = HTML) -> tuple[Page, Archive]:
    source = Archive(html)
    return Page(url, html=html, source=source), source


def test_a_page_needs_html_or_a_source():
    with pytest.raises(ValueError):
        Page("https://lo.example/", html=None)


def test_archived_page_releases_its_html_and_tree_and_reads_them_again():
    page, source = archived("https://lo.example/short-breaks")
    assert page.title == "Short breaks | Council"
    links = page.links
    for i in range(page_module.HELD_PAGES):  # the page becomes the least recently used and is released
        other, _ = archived(f"https://lo.example/other-{i}")
        other.tree
    assert page._html is None and "_tree" not in page.__dict__ and "main_text" not in page.__dict__
    assert source.reads == 0
    # what was derived survives release and is not recomputed
    assert page.links is links and page.title == "Short breaks | Council"
    # the DOM comes back from the archive, once, and reads the same
    assert page.main_text == "Short breaks Short breaks give families of disabled children a rest. Apply"
    assert page.tree.css_first("h1").text() == "Short breaks"
    assert page.html == HTML
    assert source.reads == 1


def test_page_without_a_source_keeps_its_html_but_drops_its_tree():
    page = Page("https://lo.example/", HTML)
    tree = page.tree
    for i in range(page_module.HELD_PAGES):
        Page(f"https://lo.example/{i}", HTML).tree
    assert page.html == HTML
    assert "_tree" not in page.__dict__
    assert page.tree is not tree and page.h1 == "Short breaks"


def test_derived_values_are_computed_once_and_kept_through_release():
    page, source = archived("https://lo.example/a")
    calls = []

    def words(p: Page) -> int:
        calls.append(p.url)
        return len(p.main_text.split())

    assert page.derived("words", words) == 12
    for i in range(page_module.HELD_PAGES):
        archived(f"https://lo.example/b{i}")[0].tree
    assert page.derived("words", words) == 12
    assert calls == ["https://lo.example/a"] and source.reads == 0


def test_transient_derived_values_are_let_go_with_the_tree_and_worked_out_again():
    page, source = archived("https://lo.example/a")
    calls = []

    def link_list(p: Page) -> str:
        calls.append(p.url)
        return " ".join(link.url for link in p.links)

    assert page.derived("links", link_list, transient=True) == "https://lo.example/ https://lo.example/apply"
    assert page.derived("links", link_list, transient=True) == "https://lo.example/ https://lo.example/apply"
    assert len(calls) == 1
    for i in range(page_module.HELD_PAGES):
        archived(f"https://lo.example/b{i}")[0].tree
    assert not any(key.startswith("_transient_") for key in page.__dict__)
    assert page.derived("links", link_list, transient=True) == "https://lo.example/ https://lo.example/apply"
    assert len(calls) == 2 and source.reads == 0  # the links themselves were kept


def test_a_lost_archive_record_reads_as_an_empty_page():
    page = Page("https://lo.example/", html=None, source=lambda: None)
    assert page.html == "" and page.title == "" and page.links == []


def test_an_audit_whose_pages_let_go_of_their_html_finds_the_same(demo_db, monkeypatch):
    """The audit reads each page's DOM in one pass and site-level checks after it: with
    every page released as soon as the next is read (HELD_PAGES = 1), they must find exactly
    what they find when every page keeps its HTML and tree."""
    from datetime import date

    from audit import runner
    from audit.core import db

    crawl_id = runner.latest_complete_crawl(db.connect(demo_db))

    def audit_everything(held: int) -> list:
        monkeypatch.setattr(page_module, "HELD_PAGES", held)
        auditor = runner.CouncilAuditor(demo_db, crawl_id, date(2026, 11, 23), 365, axe_sample=0)
        try:
            sites = list(auditor.db.query(runner.SITES_SQL + "ORDER BY s.council_code", [crawl_id]))
            return [auditor.audit(site) for site in sites]
        finally:
            auditor.close()

    released, kept = audit_everything(1), audit_everything(100_000)
    assert max(r.score["pages_crawled"] for r in kept) > 10
    for a, b in zip(released, kept):
        assert a.score == b.score
        assert a.page_rows == b.page_rows
        assert a.findings == b.findings
        assert a.tables == b.tables
    assert sum(len(r.findings) for r in kept) > 50


def test_lexbor_text_is_selectolax_text_for_every_element_of_the_test_pages():
    """The checks read element text with text_lexbor() (half the cost of text()): both must
    give the same string for every element, and only comments differ (see audit.core.page)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    with open(os.path.join(root, "benchmarks", "act", "dev.jsonl"), encoding="utf-8") as fh:
        pages = [json.loads(line)["html"] for line in fh]
    for path in glob.glob(os.path.join(root, "tests", "pages", "*.html")):
        with open(path, encoding="utf-8", errors="replace") as fh:
            pages.append(fh.read())
    elements = 0
    for html in pages:
        tree = LexborHTMLParser(html)
        for node in tree.root.traverse():
            elements += 1
            assert node.text_lexbor() == node.text(), (node.tag, html[:200])
    assert elements > 2000
    comment = LexborHTMLParser("<p>a<!--note-->b</p>").css_first("p").child.next
    assert comment.tag == "-comment" and comment.text() == "" and comment.text_lexbor() == "note"


# _absolute's shortcut (a reference with a scheme urljoin leaves alone is returned as it is)
# must give what urljoin + urldefrag give, for any reference: schemes, fragments, the
# characters urlsplit strips, digits before the colon, relative paths.
_REFERENCE = st.text(alphabet="aZ1+.-:/#?@[]%\t\n telmaiohp", max_size=24)


@given(st.sampled_from(["", "tel:", "mailto:", "javascript:", "http:", "HTTPS:", "data:", "1x:", "c:", "ftp:"]),
       _REFERENCE)
def test_absolute_is_urljoin_then_urldefrag(prefix, rest):
    raw = prefix + rest
    base = "https://www.example.gov.uk/send/page.html"
    try:
        expected = urldefrag(urljoin(base, raw))[0]
    except ValueError:
        expected = raw
    assert _absolute(base, raw) == expected


@pytest.mark.parametrize("html", [
    '<html hidden><body><main><p>Short breaks</p></main></body></html>',
    '<html aria-hidden="true"><body><main><p>Short breaks</p></main></body></html>',
    '<html role="navigation"><body><p>Short breaks</p></body></html>',
])
def test_a_document_hidden_or_furniture_at_its_root_has_no_main_text(html):
    """Lexbor refuses to take out a tree's root: such a page once raised, failing the whole audit."""
    assert Page("https://lo.example/", html).main_text == ""


def test_hidden_parts_below_the_root_are_left_out_of_the_main_text():
    html = '<html><body hidden><p>Gone</p></body></html>'
    assert Page("https://lo.example/", html).main_text == ""
    html = '<html><body><nav>Menu</nav><main>Short breaks <span hidden>draft</span></main></body></html>'
    assert Page("https://lo.example/", html).main_text == "Short breaks"
