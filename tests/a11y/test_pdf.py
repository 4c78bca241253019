"""PDF accessibility: tagged, title, language, extractable text; never raises."""

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import (BooleanObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject)

from audit.a11y.pdf import check_pdf, describe

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo" / "sites"


def make_pdf(tagged=False, title=None, lang=None, text=None, marked_only=False) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    if text:
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): writer._add_object(font)})})
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    root = writer._root_object
    if tagged or marked_only:
        root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    if tagged:
        tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        root[NameObject("/StructTreeRoot")] = writer._add_object(tree)
    if lang:
        root[NameObject("/Lang")] = TextStringObject(lang)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_accessible_pdf_passes():
    got = check_pdf(make_pdf(tagged=True, title="Short breaks statement", lang="en-GB",
                             text="Short breaks for disabled children and young people in Northmoor"))
    assert (got.tagged, got.has_title, got.has_language, got.has_text) == (True, True, True, True)
    assert got.pages == 1 and got.problems == [] and not got.failing


def test_untagged_scanned_pdf_fails_everything():
    got = check_pdf(make_pdf())
    assert got.problems == ["untagged", "no_title", "no_language", "no_text"]
    assert "screen readers" in describe(got) and "scanned" in describe(got)


def test_marked_without_structure_tree_is_not_tagged():
    got = check_pdf(make_pdf(marked_only=True, title="T", lang="en", text="Some real words on the page here"))
    assert not got.tagged and got.problems == ["untagged"]


def test_title_from_xmp_counts():
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.xmp_metadata  # noqa: B018 - property exists
    xmp = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
           'SEND strategy</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>'
           '<?xpacket end="w"?>')
    stream = DecodedStreamObject()
    stream.set_data(xmp.encode())
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    assert check_pdf(out.getvalue()).has_title


@pytest.mark.parametrize("body", [b"", b"%PDF-1.7\n garbage", b"<html>not a pdf</html>", b"%PDF-1.4\n" + b"\x00" * 500])
def test_corrupt_input_never_raises(body):
    got = check_pdf(body)
    assert got.problems == ["unreadable"] or got.failing


def test_truncated_real_pdf_never_raises():
    body = make_pdf(tagged=True, title="T", lang="en", text="words words words words words")
    for cut in (10, len(body) // 3, len(body) // 2, len(body) - 20):
        check_pdf(body[:cut])


def test_demo_pdfs():
    untagged = check_pdf((DEMO / "www.westmarsh-localoffer.example/documents/local-offer-guide-2020.pdf").read_bytes())
    assert not untagged.tagged and not untagged.has_language and untagged.has_title
    strategy = check_pdf((DEMO / "send.brackenshire.example/localoffer/documents/send-strategy-2025.pdf").read_bytes())
    # /MarkInfo and /Lang are written, but there is no structure tree and the page is blank
    assert strategy.has_language and strategy.has_title and not strategy.tagged and not strategy.has_text
    assert strategy.problems == ["untagged", "no_text"]
