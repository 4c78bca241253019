"""The text of a fetched document, page by page: PDF (pypdf), DOCX and ODT (the zip package's
XML, read with the standard library).

Checks that read what a policy or report *says* (superseded law, its own review date) need
its words and, to point a council at the place, the page they are on:

* PDF: pypdf's text of each page, in page order.
* DOCX: ``word/document.xml``; a new page starts at an explicit page break
  (``<w:br w:type="page"/>``, ``<w:pageBreakBefore/>``) or where Word last laid one out
  (``<w:lastRenderedPageBreak/>``, written by Word on save), so page numbers match the printed
  document when Word saved it. Without either, the whole text is one page.
* ODT: ``content.xml``; a new page starts where LibreOffice laid one out
  (``<text:soft-page-break/>``) or at a paragraph whose automatic style breaks before it
  (``fo:break-before="page"``).

Paragraph ends become a blank line, so a heading without a full stop does not run into the
next sentence. Bounded: at most ``MAX_PAGES`` pages and ``MAX_CHARS`` characters are kept, a
package member is read to at most ``MAX_UNZIPPED`` bytes whatever its header claims (a zip
bomb stops there), and nothing raises: ``read_document`` returns the pages it could read and,
when it could not read all, a one-line ``problem``.

pypdf's time on a page grows with its content stream, and a crafted or broken PDF can make it
take minutes (pypdf's own limits allow two million operands a stream and 75 MB inflated). A PDF
is read under tighter limits that no text page comes near (``PDF_LIMITS``: a 200-page council
policy's densest page holds ~20,000 operands), and reading stops after ``MAX_SECONDS`` of CPU
time: the pages read so far are kept and the problem says where it stopped. The first two
bounds give the same text on every machine; the clock is the last resort for what they miss,
so only such a document can read differently on a slower machine.
"""

from __future__ import annotations

import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

MAX_PAGES = 200
MAX_CHARS = 2_000_000  # of text kept per document
MAX_UNZIPPED = 20_000_000  # bytes read from one zip member (a 300-page DOCX's XML is ~5 MB)
MAX_SECONDS = 10.0  # CPU seconds of PDF text extraction per document
# pypdf configuration for text extraction (pypdf.Configuration fields): operands and operators
# parsed per content stream, bytes inflated per stream, form XObjects drawn per page.
PDF_LIMITS = {"stream_parsing_work_maximum_count": 300_000, "zlib_maximum_output_length": 20_000_000,
              "xform_maximum_invocations_per_extraction": 500}

DOCX_MAIN = "word/document.xml"
ODT_CONTENT = "content.xml"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class DocText:
    kind: str  # "pdf", "docx", "odt", or "" when the body is none of them
    pages: list[str] = field(default_factory=list)
    problem: str | None = None  # why some or all of the text could not be read; None when all was


def document_pages(body: bytes, content_type: str | None, url: str) -> list[str]:
    """The text of each page of a PDF, DOCX or ODT document; [] when it has none we can read
    (``read_document`` says why)."""
    return read_document(body, content_type, url).pages


def read_document(body: bytes, content_type: str | None, url: str) -> DocText:
    """The document's kind, pages and any problem reading them. The kind is sniffed from the
    bytes (servers often send documents as ``application/octet-stream``); ``content_type``
    and ``url`` only name what was declared when the bytes are not a format read here."""
    body = body or b""
    if body[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in body[:1024]:
        return _pdf(body)
    if body.startswith(b"PK"):
        return _package(body)
    declared = (content_type or "").split(";")[0].strip() or _extension(url) or "unknown type"
    return DocText("", [], f"not a PDF, DOCX or ODT file ({declared})")


def open_pdf(body: bytes):
    """A pypdf reader for ``body``, decrypted with the empty password when it is encrypted
    (most "protected" council PDFs only restrict printing). Raises when pypdf cannot open it."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body), strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:
            pass
    return reader


def _extension(url: str) -> str:
    path = urlsplit(url or "").path
    dot = path.rfind(".")
    return path[dot:].lower() if dot > path.rfind("/") else ""


def _pdf(body: bytes) -> DocText:
    from pypdf import apply_configuration

    with apply_configuration(**PDF_LIMITS):
        try:
            reader = open_pdf(body)
            count = len(reader.pages)
        except Exception as error:
            return DocText("pdf", [], f"the file could not be read as a PDF ({type(error).__name__})")
        pages: list[str] = []
        problems = []
        total = 0
        started = time.process_time()
        for number in range(min(count, MAX_PAGES)):
            if time.process_time() - started > MAX_SECONDS:
                problems.append(f"reading stopped after page {number} at the {MAX_SECONDS:g}-second limit")
                break
            try:
                text = reader.pages[number].extract_text() or ""
            except Exception as error:
                text = ""
                problems.append(f"page {number + 1} unreadable ({type(error).__name__})")
            text = text[:MAX_CHARS - total]
            pages.append(text)
            total += len(text)
            if total >= MAX_CHARS:
                problems.append(f"text cut at {MAX_CHARS:,} characters on page {number + 1}")
                break
        if count > MAX_PAGES and total < MAX_CHARS and len(pages) == MAX_PAGES:
            problems.append(f"only the first {MAX_PAGES} of {count} pages read")
    return DocText("pdf", pages, "; ".join(problems[:3]) or None)


def _package(body: bytes) -> DocText:
    try:
        package = zipfile.ZipFile(io.BytesIO(body))
        names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        return DocText("", [], f"a damaged zip package ({error})")
    if DOCX_MAIN in names:
        kind, member, parse = "docx", DOCX_MAIN, _docx_pages
    elif ODT_CONTENT in names and _member(package, "mimetype", 200)[0].strip() == ODT_MIMETYPE:
        kind, member, parse = "odt", ODT_CONTENT, _odt_pages
    else:
        return DocText("", [], "a zip package that is not a DOCX or ODT document")
    xml, problem = _member(package, member, MAX_UNZIPPED)
    if problem:
        return DocText(kind, [], problem)
    pages = parse(xml.decode("utf-8", "replace"))
    cut = _bounded(pages)
    return DocText(kind, cut, None if cut == pages else "text cut to the document limits")


def _member(package: zipfile.ZipFile, name: str, limit: int) -> tuple[bytes, str | None]:
    """Up to ``limit`` bytes of a package member, and a problem when it holds more or is damaged.
    Reads at most limit + 1 bytes, so a member that inflates without end costs no more."""
    try:
        with package.open(name) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError, KeyError) as error:
        return b"", f"{name} could not be unzipped ({error})"
    if len(data) > limit:
        return b"", f"{name} is over {limit:,} bytes unzipped (a zip bomb or a huge document): not read"
    return data, None


def _bounded(pages: list[str]) -> list[str]:
    out = []
    total = 0
    for text in pages[:MAX_PAGES]:
        text = text[:MAX_CHARS - total]
        out.append(text)
        total += len(text)
        if total >= MAX_CHARS:
            break
    return out


class _Pages:
    """Collects text into pages; a page break with no text since the last one starts no new
    page (Word writes a rendered break right after an explicit one)."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]
        self.has_text = False

    def text(self, s: str) -> None:
        if s:
            self.pages[-1].append(s)
            self.has_text = self.has_text or not s.isspace()

    def page_break(self) -> None:
        if self.has_text:
            self.pages.append([])
            self.has_text = False

    def result(self) -> list[str]:
        pages = ["".join(parts).strip() for parts in self.pages]
        return pages if any(pages) else []


_DOCX_TOKENS = re.compile(
    r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>"  # 1: run text
    r"|<w:(tab|br|cr|lastRenderedPageBreak|pageBreakBefore)\b([^>]*)>"  # 2: element, 3: its attributes
    r"|</w:p>"
)
_OFF = re.compile(r'w:val="(?:0|false|off)"')


def _docx_pages(xml: str) -> list[str]:
    pages = _Pages()
    for m in _DOCX_TOKENS.finditer(xml):
        text, element, attributes = m.group(1), m.group(2), m.group(3)
        if text is not None:
            pages.text(unescape(text))
        elif element is None:  # </w:p>
            pages.text("\n\n")
        elif element == "tab":
            pages.text("\t")
        elif element in ("br", "cr"):
            if 'w:type="page"' in attributes:
                pages.page_break()
            else:
                pages.text("\n")
        elif element == "lastRenderedPageBreak" or not _OFF.search(attributes):
            pages.page_break()
    return pages.result()


_ODT_TOKENS = re.compile(r"<(/?)(?:text:([\w-]+)([^>]*)|[^>]*)>|([^<]+)")  # other namespaces' tags: no element
_ODT_STYLE = re.compile(r'<style:style\b[^>]*?style:name="([^"]+)"')
_ODT_STYLE_NAME = re.compile(r'text:style-name="([^"]+)"')
_ODT_SPACES = re.compile(r'text:c="(\d{1,4})"')
_ODT_SKIPPED = ("note-citation", "note-body", "tracked-changes")  # footnote bodies and deleted text


def _odt_pages(xml: str) -> list[str]:
    body_at = xml.find("<office:body")
    breaking = _odt_page_break_styles(xml[:body_at] if body_at >= 0 else "")
    pages = _Pages()
    skipping = 0
    for m in _ODT_TOKENS.finditer(xml, max(body_at, 0)):
        closing, element, attributes, text = m.groups()
        if text is not None:
            if not skipping:
                pages.text(unescape(text))
        elif element is None:
            continue
        elif element in _ODT_SKIPPED:
            skipping += -1 if closing else (0 if attributes.endswith("/") else 1)
        elif skipping:
            continue
        elif element in ("p", "h"):
            if closing:
                pages.text("\n\n")
            else:
                style = _ODT_STYLE_NAME.search(attributes)
                if style and style.group(1) in breaking:
                    pages.page_break()
        elif element == "soft-page-break":
            pages.page_break()
        elif element == "s":
            count = _ODT_SPACES.search(attributes)
            pages.text(" " * min(int(count.group(1)) if count else 1, 100))
        elif element == "tab":
            pages.text("\t")
        elif element == "line-break":
            pages.text("\n")
    return pages.result()


def _odt_page_break_styles(styles: str) -> set[str]:
    """Names of the automatic paragraph styles that start a new page (``fo:break-before="page"``)."""
    out = set()
    for chunk in styles.split("<style:style")[1:]:
        body = chunk.split("</style:style>", 1)[0]
        if 'fo:break-before="page"' in body:
            name = _ODT_STYLE.match("<style:style" + body)
            if name:
                out.add(name.group(1))
    return out


__all__ = ["DocText", "MAX_PAGES", "MAX_CHARS", "MAX_UNZIPPED", "MAX_SECONDS", "PDF_LIMITS", "document_pages",
           "read_document", "open_pdf"]
