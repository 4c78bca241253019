"""Rebuild the demo sites' PDF and DOCX documents, byte for byte.

The documents are committed, but their dates are the point of them (the audit reads a
PDF's /ModDate to decide whether a document is stale), so they are built from this
script rather than by hand: anyone can see and change the dates in one place. Output is
deterministic (no timestamps, no random /ID, fixed zip entry times), so re-running it
leaves git clean.

    .venv/bin/python data/demo/make_documents.py
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import BooleanObject, DictionaryObject, NameObject, TextStringObject

SITES = Path(__file__).resolve().parent / "sites"

# (host, path, title, /ModDate, tagged)
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


def pdf_bytes(title: str, mod_date: str, tagged: bool) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)  # A4 in points
    writer.add_metadata({"/Title": title, "/Author": "SEND Team", "/ModDate": mod_date,
                         "/CreationDate": mod_date, "/Producer": "lo-audit demo"})
    if tagged:
        writer._root_object[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
        writer._root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes(title: str, modified: str | None) -> bytes:
    """A minimal valid OOXML word-processing package (opens in Word and LibreOffice)."""
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
        f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>{title}</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>This document is part of the fictional lo-audit demo Local Offer.</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    modified_xml = f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>' if modified else ""
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{title}</dc:title>{modified_xml}</cp:coreProperties>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in [("[Content_Types].xml", content_types), ("_rels/.rels", rels),
                           ("word/document.xml", document), ("docProps/core.xml", core)]:
            package.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), text,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def main() -> None:
    for host, path, title, mod_date, tagged in PDFS:
        target = SITES / host / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pdf_bytes(title, mod_date, tagged))
    for host, path, title, modified in DOCXS:
        target = SITES / host / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(docx_bytes(title, modified))


if __name__ == "__main__":
    main()
