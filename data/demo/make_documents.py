"""Rebuild the demo sites' PDF, DOCX and ODT documents, byte for byte.

The documents are committed, but their dates and words are the point of them (the audit
reads a PDF's /ModDate to decide whether a document is stale, and a policy's text for
superseded law and its own review date), so they are built from this script rather than by
hand: anyone can see and change them in one place. Output is deterministic (no timestamps,
no random /ID, fixed zip entry times), so re-running it leaves git clean.

    .venv/bin/python data/demo/make_documents.py
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import BooleanObject, DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

SITES = Path(__file__).resolve().parent / "sites"

# A school SEN policy written for the pre-2014 system, still linked from Westmarsh's schools page:
# its own review date passed in 2014, and page 3 describes School Action Plus and statements as
# how things work (the "Legally current" check quotes page 3).
WESTMARSH_SEN_POLICY = (
    "Westmarsh schools: special educational needs policy\n\nApproved by the Westmarsh Schools Forum: "
    "10 July 2012. Review date: July 2014.\n\nThis policy applies to every maintained school in Westmarsh.",
    "Aims\n\nWe want every child to make good progress and to take a full part in school life. We work in "
    "partnership with parents and carers at every stage.",
    "Identifying needs\n\nPupils at School Action Plus are supported by outside agencies such as the educational "
    "psychologist and the speech and language therapy service.\n\nWhere a pupil has a statement of special "
    "educational needs, the school holds an annual review of the statement with the parents.",
    "Advice for parents\n\nFor free and impartial advice, contact the Westmarsh Parent Partnership Service on "
    "01632 960111.\n\nParents who disagree with a decision of the local authority can appeal to SENDIST.",
)

# (host, path, title, /ModDate, tagged, pages of text: none = one blank page)
PDFS = [
    ("localoffer.northmoor.example", "wp-content/uploads/2025/09/accessibility-strategy-2025-2028.pdf",
     "Northmoor schools accessibility strategy 2025 to 2028", "D:20250918103000+01'00'", True),
    ("www.kelderby.example", "send-local-offer/documents/sen-accessibility-strategy-2021.pdf",
     "Kelderby SEN accessibility strategy 2021 to 2024", "D:20210303101500+00'00'", True),
    ("send.brackenshire.example", "localoffer/documents/short-breaks-statement-2019.pdf",
     "Brackenshire short breaks statement 2019", "D:20190611143000+01'00'", True),
    ("send.brackenshire.example", "localoffer/documents/send-strategy-2025.pdf",
     "Brackenshire SEND strategy 2025 to 2030", "D:20250602090000+01'00'", True),
    # The one untagged PDF (no /MarkInfo, no /Lang): a scanned-era leaflet, as on many real sites.
    ("www.westmarsh-localoffer.example", "documents/local-offer-guide-2020.pdf",
     "Westmarsh Local Offer guide 2020", "D:20200115120000+00'00'", False),
    ("www.westmarsh-localoffer.example", "documents/sen-policy-2012.pdf",
     "Westmarsh schools SEN policy 2012", "D:20120710090000+01'00'", True, WESTMARSH_SEN_POLICY),
]

# Kelderby's travel policy (OpenDocument, as LibreOffice saves it): current law, but its own "date of next
# review" passed in March 2023.
KELDERBY_TRAVEL_POLICY = (
    "Home to school travel assistance policy for children and young people with SEND\n\nApproved by Cabinet: "
    "17 March 2021. Date of next review: March 2023.",
    "Who can get travel assistance\n\nChildren with an Education, Health and Care plan who cannot walk to their "
    "nearest suitable school because of their special educational needs or disability can get travel "
    "assistance. Independent travel training is offered to young people from Year 9.",
)

# (host, path, title, pages of text)
ODTS = [
    ("www.kelderby.example", "send-local-offer/documents/home-to-school-travel-policy.odt",
     "Kelderby home to school travel policy", KELDERBY_TRAVEL_POLICY),
]

# (host, path, title, dcterms:modified or None)
DOCXS = [
    ("www.kelderby.example", "send-local-offer/documents/short-breaks-statement.docx",
     "Kelderby short breaks statement", "2021-03-09T10:15:00Z"),
    ("send.brackenshire.example", "localoffer/documents/ehcp-request-form.docx",
     "Request for an EHC needs assessment", "2022-02-14T09:00:00Z"),
    # No core properties date: only the server's Last-Modified ("now" on this site) could date it.
    ("send.brackenshire.example", "localoffer/documents/local-offer-leaflet.docx",
     "Brackenshire Local Offer leaflet", None),
]


def pdf_bytes(title: str, mod_date: str, tagged: bool, pages: tuple[str, ...] = ()) -> bytes:
    """A PDF with one blank A4 page, or one page per text of ``pages`` (Helvetica, wrapped at
    90 characters, the words extractable as a council PDF's are)."""
    writer = PdfWriter()
    font = None
    for text in pages or ("",):
        page = writer.add_blank_page(595, 842)  # A4 in points
        if text:
            if font is None:
                font = writer._add_object(DictionaryObject({
                    NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Helvetica")}))
            page[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
            stream = DecodedStreamObject()
            stream.set_data(_pdf_text_operators(text))
            page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_metadata({"/Title": title, "/Author": "SEND Team", "/ModDate": mod_date,
                         "/CreationDate": mod_date, "/Producer": "lo-audit demo"})
    if tagged:
        writer._root_object[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
        writer._root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pdf_text_operators(text: str) -> bytes:
    """Content-stream operators writing ``text`` down the page, a line per 90 characters (at
    word boundaries); a blank line in ``text`` starts a new paragraph."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > 90:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines += [line, ""]
    escaped = (line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines[:70])
    return ("BT /F1 10 Tf 50 800 Td 11 TL " + " ".join(f"({line}) '" for line in escaped) + " ET").encode("latin-1")


def docx_bytes(title: str, modified: str | None, pages: tuple[str, ...] = ()) -> bytes:
    """A minimal valid OOXML word-processing package (opens in Word and LibreOffice). With
    ``pages``, their paragraphs (split on blank lines) follow the title, each page after the
    first starting with an explicit page break as Word writes one."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        "</Relationships>"
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>{escape(title)}</w:t></w:r></w:p>'
        + (_docx_body(pages) if pages else
           "<w:p><w:r><w:t>This document is part of the fictional lo-audit demo Local Offer.</w:t></w:r></w:p>")
        + "</w:body></w:document>"
    )
    modified_xml = f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>' if modified else ""
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{title}</dc:title>{modified_xml}</cp:coreProperties>"
    )
    return _zip([("[Content_Types].xml", content_types), ("_rels/.rels", rels), ("word/document.xml", document),
                 ("docProps/core.xml", core)])


def _docx_body(pages: tuple[str, ...]) -> str:
    out = []
    for number, text in enumerate(pages):
        for index, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
            brk = '<w:r><w:br w:type="page"/></w:r>' if number and not index else ""
            out.append(f'<w:p>{brk}<w:r><w:t xml:space="preserve">{escape(paragraph.strip())}</w:t></w:r></w:p>')
    return "".join(out)


def odt_bytes(title: str, pages: tuple[str, ...]) -> bytes:
    """A minimal OpenDocument text file: a heading, then the paragraphs of ``pages`` (split on
    blank lines), each page after the first starting at a paragraph whose automatic style
    breaks before it (``fo:break-before="page"``), as LibreOffice writes a manual page break."""
    body = [f'<text:h text:outline-level="1">{escape(title)}</text:h>']
    for number, text in enumerate(pages):
        for index, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
            style = ' text:style-name="PageBreak"' if number and not index else ""
            body.append(f"<text:p{style}>{escape(paragraph.strip())}</text:p>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">'
        '<office:automatic-styles><style:style style:name="PageBreak" style:family="paragraph">'
        '<style:paragraph-properties fo:break-before="page"/></style:style></office:automatic-styles>'
        f'<office:body><office:text>{"".join(body)}</office:text></office:body></office:document-content>'
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    # The mimetype entry comes first and is stored uncompressed (OpenDocument 1.3 part 3, 3.3).
    return _zip([("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", content),
                 ("META-INF/manifest.xml", manifest)], stored=("mimetype",))


def _zip(members: list[tuple[str, str]], stored: tuple[str, ...] = ()) -> bytes:
    """A zip package with fixed entry times, so the bytes are the same on every run."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in members:
            package.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), text,
                             compress_type=zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def main() -> None:
    documents = [(host, path, pdf_bytes(title, mod_date, tagged, *pages))
                 for host, path, title, mod_date, tagged, *pages in PDFS]
    documents += [(host, path, docx_bytes(title, modified)) for host, path, title, modified in DOCXS]
    documents += [(host, path, odt_bytes(title, pages)) for host, path, title, pages in ODTS]
    for host, path, body in documents:
        target = SITES / host / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


if __name__ == "__main__":
    main()
