"""Document text per page (PDF, DOCX, ODT) and the legal reading of it: real files made by the
demo document builder (data/demo/make_documents.py) and by hand, the term on page 3; damaged,
foreign and zip-bomb files give no text and one line saying why, never an exception."""

import io
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from audit.core import doctext
from audit.core.doctext import document_pages, read_document
from audit.law.outdated import find_outdated_pages, overdue, review_dates

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data" / "demo"))
from make_documents import docx_bytes, odt_bytes, pdf_bytes  # noqa: E402

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
POLICY = (
    "Northshire Primary School SEN policy\n\nApproved by governors: 12 September 2018. Review date: September 2019.",
    "Aims\n\nWe want every child to make good progress. We work in partnership with parents.",
    "Identifying needs\n\nPupils at School Action Plus are supported by outside agencies such as the educational "
    "psychologist.\n\nThe SENCO keeps the SEN register up to date.",
    "Complaints\n\nSENDIASS, formerly the Parent Partnership Service, gives impartial advice.",
)


def outdated_terms(pages: list[str], title: str = "SEN policy") -> list[tuple[str, int]]:
    return [(ref.term, ref.page) for ref in find_outdated_pages(pages, title)]


@pytest.mark.parametrize("kind, body, content_type", [
    ("pdf", pdf_bytes("SEN policy", "D:20180912100000+01'00'", True, POLICY), "application/pdf"),
    ("docx", docx_bytes("SEN policy", "2018-09-12T10:00:00Z", POLICY), DOCX_TYPE),
    ("odt", odt_bytes("SEN policy", POLICY), "application/vnd.oasis.opendocument.text"),
])
def test_a_four_page_policy_has_its_outdated_term_on_page_3(kind, body, content_type):
    read = read_document(body, content_type, f"https://www.northshire.example/documents/sen-policy.{kind}")
    assert (read.kind, read.problem, len(read.pages)) == (kind, None, 4)
    assert "School Action Plus" in read.pages[2] and "School Action Plus" not in read.pages[1]
    # The decoy on page 4 (formerly the Parent Partnership Service) is no finding.
    assert outdated_terms(read.pages) == [("school_action_plus", 3)]
    assert overdue(review_dates(read.pages[0]), date(2026, 11, 23)).quote == "Review date: September 2019"


def test_the_kind_is_sniffed_whatever_the_server_declares():
    body = docx_bytes("Leaflet", None, POLICY)
    assert len(document_pages(body, "application/octet-stream", "https://x.example/download?id=7")) == 4
    assert len(document_pages(pdf_bytes("L", "D:20200101000000Z", False, POLICY), None, "")) == 4


def test_word_rendered_page_breaks_count_once_after_an_explicit_break():
    """Word writes <w:lastRenderedPageBreak/> where its layout broke pages, including at the
    start of the paragraph after an explicit page break: that is one new page, not two."""
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
           'wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>Page one.</w:t></w:r><w:r><w:br w:type="page"/></w:r></w:p>'
           '<w:p><w:r><w:lastRenderedPageBreak/><w:t>Page two runs</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve"> on; '
           '</w:t></w:r><w:r><w:lastRenderedPageBreak/><w:t>page three &amp; the Parent Partnership Service.</w:t></w:r></w:p>'
           '<w:p><w:pPr><w:pageBreakBefore w:val="0"/></w:pPr><w:r><w:t>Still page three.</w:t></w:r></w:p>'
           '<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:delText>deleted words</w:delText><w:t>Page four.</w:t></w:r></w:p>'
           "</w:body></w:document>")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("word/document.xml", xml)
    pages = document_pages(package.getvalue(), DOCX_TYPE, "https://x.example/a.docx")
    assert pages == ["Page one.", "Page two runs\t on;", "page three & the Parent Partnership Service.\n\nStill page three.",
                     "Page four."]
    assert outdated_terms(pages) == [("parent_partnership", 3)]


def test_libreoffice_soft_page_breaks_and_notes():
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:h>Short breaks statement</text:h><text:p>Page one<text:s text:c="3"/>text.</text:p>'
               '<text:p><text:soft-page-break/>Page two text<text:note><text:note-citation>1</text:note-citation>'
               '<text:note-body><text:p>A footnote.</text:p></text:note-body></text:note>.</text:p>'
               "</office:text></office:body></office:document-content>")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
    assert document_pages(package.getvalue(), None, "https://x.example/a.odt") == [
        "Short breaks statement\n\nPage one   text.", "Page two text."]


def test_an_encrypted_pdf_with_an_empty_password_is_read():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("P", "D:20200101000000Z", False, POLICY))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert outdated_terms(document_pages(out.getvalue(), "application/pdf", "")) == [("school_action_plus", 3)]


def test_long_pdfs_are_read_to_the_page_limit(monkeypatch):
    monkeypatch.setattr(doctext, "MAX_PAGES", 2)
    read = read_document(pdf_bytes("P", "D:20200101000000Z", False, POLICY), "application/pdf", "")
    assert len(read.pages) == 2 and read.problem == "only the first 2 of 4 pages read"


def with_page_content(body: bytes, index: int, content: bytes) -> bytes:
    """``body`` with the content stream of page ``index`` replaced (uncompressed)."""
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
    stream = DecodedStreamObject()
    stream.set_data(content)
    writer.pages[index][NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pathological_page_is_skipped_at_the_parsing_limit_and_the_rest_is_read():
    # 70,000 repetitions of a 7-element operation: 490,000 elements, over PDF_LIMITS' 300,000
    # (pypdf's own limit is 2,000,000, minutes of work on such pages).
    heavy = b"BT /F1 10 Tf 50 800 Td (Nothing to see) Tj ET " + b"1 0 0 1 0 0 cm " * 70_000
    body = with_page_content(pdf_bytes("SEN policy", "D:20180912100000+01'00'", True, POLICY), 1, heavy)
    read = read_document(body, "application/pdf", "")
    assert len(read.pages) == 4 and read.pages[1] == ""
    assert read.problem.startswith("page 2 unreadable (")
    assert ("school_action_plus", 3) in outdated_terms(read.pages)


def test_reading_stops_at_the_time_limit_with_the_pages_read_so_far(monkeypatch):
    monkeypatch.setattr(doctext, "MAX_SECONDS", -1.0)  # every page is over the limit: none is read
    read = read_document(pdf_bytes("P", "D:20200101000000Z", False, POLICY), "application/pdf", "")
    assert read.pages == [] and read.problem == "reading stopped after page 0 at the -1-second limit"


@pytest.mark.parametrize("body, content_type, url, problem", [
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "application/pdf", "", "could not be read as a PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, None, "https://x.example/old-policy.doc", "(.doc)"),
    (b"<!DOCTYPE html><html>Not found</html>", "text/html; charset=utf-8", "", "(text/html)"),
    (b"", None, "", "(unknown type)"),
    (b"PK\x03\x04 truncated", DOCX_TYPE, "", "damaged zip"),
])
def test_files_that_cannot_be_read_give_one_line_why(body, content_type, url, problem):
    read = read_document(body, content_type, url)
    assert read.pages == [] and problem in read.problem and "\n" not in read.problem


def test_a_zip_that_is_no_office_document():
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("photos/1.jpg", b"\xff\xd8")
    assert read_document(package.getvalue(), None, "").problem == "a zip package that is not a DOCX or ODT document"


def test_a_zip_bomb_stops_at_the_unzipped_limit():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:t>" + b" " * (doctext.MAX_UNZIPPED + 10))
    assert len(bomb.getvalue()) < 100_000  # ~20 MB inflate from a few KB
    read = read_document(bomb.getvalue(), DOCX_TYPE, "https://x.example/bomb.docx")
    assert read.kind == "docx" and read.pages == []
    assert read.problem.startswith("word/document.xml is over 20,000,000 bytes unzipped")
