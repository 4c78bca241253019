"""Basic accessibility of a PDF document (PDF/UA and WCAG techniques PDF1-PDF21, the
machine-checkable minimum):

* ``tagged``       the catalog says ``/MarkInfo << /Marked true >>`` and has a
                   ``/StructTreeRoot`` (a screen reader gets structure, reading order,
                   alternative text; PDF/UA 7.1, WCAG technique PDF9);
* ``has_title``    a non-empty title in the document information dictionary or in the XMP
                   metadata (``dc:title``) (WCAG 2.4.2, technique PDF18);
* ``has_language`` a ``/Lang`` entry in the catalog (WCAG 3.1.1, technique PDF16);
* ``has_text``     text can be extracted from the first pages: not a scanned image with no
                   text layer (WCAG 1.1.1 / 1.4.5).

Pure and defensive: ``check_pdf`` never raises; a file pypdf cannot open is reported with
every property false and a problem saying so. Encrypted files are tried with the empty
password (most "protected" council PDFs only restrict printing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.core.doctext import open_pdf

TEXT_PAGES = 3  # pages read for extractable text
MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class PdfA11y:
    tagged: bool
    has_title: bool
    has_language: bool
    has_text: bool
    pages: int
    problems: list[str] = field(default_factory=list)

    @property
    def failing(self) -> bool:
        return bool(self.problems)


PROBLEM_TEXT = {
    "unreadable": "the file could not be read as a PDF",
    "untagged": "not tagged: no structure for screen readers (no /MarkInfo /Marked true and /StructTreeRoot)",
    "no_title": "no document title (info /Title or XMP dc:title)",
    "no_language": "no document language (/Lang in the catalog)",
    "no_text": "no extractable text: probably a scanned image",
}


def check_pdf(body: bytes) -> PdfA11y:
    try:
        reader = open_pdf(body or b"")
        catalog = reader.trailer["/Root"].get_object()
        pages = len(reader.pages)
    except Exception:
        return PdfA11y(False, False, False, False, 0, ["unreadable"])

    tagged = _safe(lambda: _is_marked(catalog) and "/StructTreeRoot" in catalog)
    has_language = _safe(lambda: bool(str(catalog.get("/Lang") or "").strip()))
    has_title = _safe(lambda: _info_title(reader)) or _safe(lambda: _xmp_title(reader))
    has_text = _safe(lambda: _has_text(reader, pages))
    problems = [name for name, ok in (("untagged", tagged), ("no_title", has_title),
                                      ("no_language", has_language), ("no_text", has_text)) if not ok]
    return PdfA11y(tagged, has_title, has_language, has_text, pages, problems)


def describe(result: PdfA11y) -> str:
    return "; ".join(PROBLEM_TEXT.get(p, p) for p in result.problems)


def _safe(fn) -> bool:
    try:
        return bool(fn())
    except Exception:
        return False


def _is_marked(catalog) -> bool:
    mark = catalog.get("/MarkInfo")
    mark = mark.get_object() if mark is not None else None
    if not mark:
        return False
    marked = mark.get("/Marked")
    marked = marked.get_object() if marked is not None else None
    return marked is True or str(marked).lower() == "true"


def _info_title(reader) -> bool:
    info = reader.metadata
    return bool(info and str(info.get("/Title") or "").strip())


def _xmp_title(reader) -> bool:
    xmp = reader.xmp_metadata
    if xmp is None:
        return False
    title = xmp.dc_title
    if isinstance(title, dict):
        return any(str(v).strip() for v in title.values())
    return bool(title and str(title).strip())


def _has_text(reader, pages: int) -> bool:
    chars = 0
    for i in range(min(pages, TEXT_PAGES)):
        try:
            chars += len("".join((reader.pages[i].extract_text() or "").split()))
        except Exception:
            continue
        if chars >= MIN_TEXT_CHARS:
            return True
    return False


__all__ = ["PdfA11y", "PROBLEM_TEXT", "check_pdf", "describe"]
