"""Legally current: does the Local Offer tell families the law as it is?

Local Offers were built in 2014 and many still carry pages and policies written for the system
the SEND reforms replaced. Three readings of every in-scope page's main text and every readable
document (PDF, DOCX, ODT; ``audit.core.doctext``), all in ``audit.law.outdated``:

* superseded law or terms presented as current ("Pupils at School Action Plus ...", "contact
  the Parent Partnership Service"), from the documented list ``audit.law.terms.TERMS``; a
  sentence explaining the change, a page about history or an archived one is not a finding;
* the review date a policy or page states for itself ("Review date: September 2019"), overdue
  when it is before ``as_of``;
* the latest year covered by a published Local Offer feedback report or "You said, we did"
  page (regulation 56 of the SEND Regulations 2014 asks for comments to be published at least
  annually).

Each page is folded once (``dates.fold``) and the fold shared by the three readings: the whole
check costs ~0.3 ms a page of the national benchmark (benchmarks/law_current.py).

Documents are read in ``finish`` through the runner's ``context.documents()``, bounded by
``doctext`` (pages, characters, unzipped bytes, pypdf's parsing work and a CPU-time budget per
document). A document that is not a PDF, DOCX or ODT (a spreadsheet, an old binary .doc) is not
read; one that could not be read is not counted in ``documents_text_read``.

"Parent Partnership": the statutory-content check (``statutory.py``) counts a page about a
"Parent Partnership Service" as evidence of the information, advice and support item, and this
check flags the same words as out of date. Both are right: the page covers the topic (most
Parent Partnership Services became the SENDIASS, same people, same telephone number), and it
names it as the pre-2014 service, which is what this dimension measures. A council is told
once for each, under the dimension each belongs to.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urlsplit

from audit.check import Check, Column, Dimension, Table
from audit.core.dates import fold
from audit.core.doctext import read_document
from audit.core.page import Page
from audit.core.scope import in_scope
from audit.core.wording import as_int, plural
from audit.law.outdated import (FeedbackReport, OutdatedRef, ReviewDate, feedback_report, find_outdated,
                                find_outdated_pages, overdue, review_dates)
from audit.law.terms import TERMS_BY_ID

LAW_POINTS, REVIEW_POINTS, FEEDBACK_POINTS = 3.0, 1.0, 1.0
# A share of pages and documents this large loses all the points of a part: one page or document in
# ten that misleads families about the law is as bad as a Local Offer gets.
SHARE_FOR_NO_POINTS = 0.1

# Documents read for their text: what the server declares, or the URL's extension (servers often
# send documents as application/octet-stream). doctext sniffs the bytes in any case.
TEXT_DOCUMENT_TYPES = ("pdf", "wordprocessingml", "opendocument.text", "octet-stream")
TEXT_DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".odt")

OUTDATED_REFERENCES_DDL = """
CREATE TABLE IF NOT EXISTS outdated_references (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,              -- the page or document
    term TEXT NOT NULL,             -- an id from audit/law/terms.py (listed on /methodology)
    kind TEXT NOT NULL,             -- page | document
    quote TEXT,                     -- the sentence, at most 300 characters
    location INTEGER,               -- a document's page number; NULL for a web page
    PRIMARY KEY (audit_id, council_code, url, term)
);
"""

METADATA = """
tables:
  outdated_references:
    description: >-
      Sentences in a council's Local Offer pages and documents that present superseded SEND law
      or terms as current (statements of SEN, School Action Plus, the 2001 Code of Practice, the
      Parent Partnership Service ...), one row per page or document and term, per audit. A
      sentence that explains the change, or a page about history, is not one. The terms, what
      replaced them and since when are listed on /methodology.
    facets: [term, kind]
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      url: The page or document.
      term: "The superseded term, an id from the project's list (audit/law/terms.py), e.g. school_action_plus, sen_statement, parent_partnership."
      kind: "page (an HTML page of the Local Offer) or document (a PDF, DOCX or ODT file linked from it)."
      quote: The first sentence on that page or document presenting the term as current, whitespace squashed, at most 300 characters ("…" where cut).
      location: "Documents only: the page number (1 = first page) the quote is on."
queries:
  outdated_law:
    title: Out of date SEND law, per council
    description: >-
      Every page and document of the latest complete audit that presents superseded SEND law or
      terms as current, with the sentence and, for a document, its page. The terms are listed,
      with what replaced them and the source, on /methodology.
    sql: |-
      select
        o.council_code,
        c.name as council_name,
        o.kind,
        o.url,
        o.location as document_page,
        o.term,
        o.quote
      from outdated_references o
      join latest_audit a on a.audit_id = o.audit_id
      left join councils c on c.code = o.council_code
      order by o.council_code, o.kind desc, o.url, o.term
"""


class LegallyCurrent(Check):
    """Superseded law presented as current, reviews overdue by the text's own date, and how
    recent the latest published feedback is, over pages and documents."""

    name = "legal"
    metadata = METADATA
    dimension = Dimension(
        "legal", "Legally current", 5,
        "3 x (1 - 10 x the share of pages and readable documents presenting superseded SEND law as current), "
        "+ 1 x (1 - 10 x the share past their own stated review date), each at least 0, "
        "+ 1 when the latest published Local Offer feedback covers the year before the audit or later.",
        advice="Update or archive the pages and documents that describe the law before the 2014 reforms, "
               "review policies whose own review date has passed, and publish feedback on the Local Offer "
               "every year ('You said, we did').",
        explained_by=("outdated_law", "overdue_review", "feedback_out_of_date"),
    )
    columns = (
        Column("pages_outdated_law", "INTEGER",
               "In-scope pages presenting superseded SEND law or terms as current (see outdated_references)."),
        Column("documents_outdated_law", "INTEGER",
               "Readable in-scope documents (PDF, DOCX, ODT) presenting superseded SEND law or terms as current."),
        Column("documents_overdue_review", "INTEGER",
               "Pages and documents whose own stated review date ('Review date: September 2019') is before the "
               "audit's as_of date; each is a finding quoting the text."),
        Column("documents_text_read", "INTEGER",
               "In-scope PDF, DOCX and ODT documents whose text could be read (the documents the two counts "
               "above are out of)."),
        Column("feedback_latest_year", "INTEGER",
               "The latest year covered by a published Local Offer annual report or 'You said, we did' page or "
               "document ('2023-24' counts as 2024); NULL when none is published or none states a year."),
    )
    tables = (Table("outdated_references", ("audit_id", "council_code", "url", "term"), OUTDATED_REFERENCES_DDL),)
    findings = {
        "outdated_law": "Out of date law",
        "overdue_review": "Past its own review date",
        "feedback_out_of_date": "Published feedback out of date",
    }

    def __init__(self, context):
        super().__init__(context)
        self.outdated_pages: set[str] = set()
        self.outdated_documents: set[str] = set()
        self.overdue = 0
        self.feedback: list[tuple[str, FeedbackReport]] = []

    def page(self, page: Page) -> None:
        text, title = page.main_text, page.title
        folded = fold(text)
        self._outdated(page.url, "page", find_outdated(text, title, folded))
        self._overdue(page.url, review_dates(text, folded), None)
        report = feedback_report(title, text, self.context.as_of, folded)
        if report is not None:
            self.feedback.append((page.url, report))

    def finish(self) -> None:
        context = self.context
        read = 0
        seen = set()
        for document in context.documents():
            row = document.row
            url = row["final_url"] or row["url"]
            if (url in seen or row["status"] != 200 or not row["warc_file"] or not in_scope(url, context.scope)
                    or not _may_hold_text(row["content_type"], url)):
                continue
            seen.add(url)
            body = document.body()
            pages = read_document(body, row["content_type"], url).pages if body else []
            if not any(text.strip() for text in pages):
                continue
            read += 1
            title = _document_title(url)
            self._outdated(url, "document", find_outdated_pages(pages, title))
            dates = [(d, number) for number, text in enumerate(pages, 1) for d in review_dates(text)]
            self._overdue(url, [d for d, _ in dates], dict(reversed(dates)))  # a date's first page
            report = feedback_report(title, "\n\n".join(pages), context.as_of)
            if report is not None:
                self.feedback.append((url, report))
        years = [(report.year, url, report) for url, report in self.feedback if report.year is not None]
        latest = max(years, key=lambda y: y[0]) if years else None
        self.score.update(pages_outdated_law=len(self.outdated_pages), documents_outdated_law=len(self.outdated_documents),
                          documents_overdue_review=self.overdue, documents_text_read=read,
                          feedback_latest_year=latest[0] if latest else None)
        self._judge_feedback(latest)

    def _outdated(self, url: str, kind: str, refs: list[OutdatedRef]) -> None:
        for ref in refs:
            term = TERMS_BY_ID[ref.term]
            self.rows("outdated_references").append(
                {"url": url, "term": ref.term, "kind": kind, "quote": ref.quote, "location": ref.page})
            where = f" (page {ref.page})" if ref.page else ""
            self.find("outdated_law", url, ref.term, "high",
                      f"Presents {term.label} as current: replaced by {term.replaced_by} ({term.since[:4]})",
                      f"\u201c{ref.quote}\u201d{where}")
        if refs:
            (self.outdated_documents if kind == "document" else self.outdated_pages).add(url)

    def _overdue(self, url: str, dates: list[ReviewDate], pages: dict[ReviewDate, int] | None) -> None:
        late = overdue(dates, self.context.as_of)
        if late is None:
            return
        self.overdue += 1
        where = f" (page {pages[late]})" if pages else ""
        days = (self.context.as_of - late.date).days
        self.find("overdue_review", url, "", "medium",
                  f"Its own review date, {late.date.isoformat()}, passed {plural(days, 'day')} before "
                  f"{self.context.as_of.isoformat()}", f"\u201c{late.quote}\u201d{where}")

    def _judge_feedback(self, latest: tuple[int, str, FeedbackReport] | None) -> None:
        as_of = self.context.as_of
        if latest is not None:
            year, url, report = latest
            if not _recent(year, as_of):
                self.find("feedback_out_of_date", url, "", "medium",
                          f"The latest published feedback covers {year}, more than a year before "
                          f"{as_of.isoformat()} (SEND Regulations 2014 reg. 56: at least annually)",
                          f"\u201c{report.label}\u201d, {year}")
        elif self.feedback:
            url, report = self.feedback[0]
            self.find("feedback_out_of_date", url, "", "medium",
                      "Published feedback states no year, so families cannot tell whether it is current",
                      f"\u201c{report.label}\u201d")

    @staticmethod
    def parts(row: dict) -> tuple[float, float, float]:
        """The points for law, review dates and feedback (their sum is ``points``; /methodology
        shows them apart in its worked example)."""
        pages = as_int(row.get("pages_crawled"))
        if not pages:
            return 0.0, 0.0, 0.0
        read = pages + as_int(row.get("documents_text_read"))
        outdated = as_int(row.get("pages_outdated_law")) + as_int(row.get("documents_outdated_law"))
        law = LAW_POINTS * max(0.0, 1 - outdated / read / SHARE_FOR_NO_POINTS)
        review = REVIEW_POINTS * max(0.0, 1 - as_int(row.get("documents_overdue_review")) / read / SHARE_FOR_NO_POINTS)
        year, as_of = row.get("feedback_latest_year"), row.get("as_of")
        feedback = FEEDBACK_POINTS if year and as_of and _recent(as_int(year), date.fromisoformat(as_of)) else 0.0
        return law, review, feedback

    @staticmethod
    def points(row: dict) -> float:
        return sum(LegallyCurrent.parts(row))

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        read = as_int(row.get("pages_crawled")) + as_int(row.get("documents_text_read"))
        outdated = as_int(row.get("pages_outdated_law")) + as_int(row.get("documents_outdated_law"))
        year = row.get("feedback_latest_year")
        return (f"{outdated} of {plural(read, 'page and document', 'pages and documents')} present superseded law "
                f"as current; {as_int(row.get('documents_overdue_review'))} past their own review date; "
                + (f"latest published feedback covers {as_int(year)}" if year else "no dated feedback published"))


def _recent(year: int, as_of: date) -> bool:
    """Feedback covering the year before ``as_of`` or later: not more than a year old."""
    return year >= as_of.year - 1


def _may_hold_text(content_type: str | None, url: str) -> bool:
    declared = (content_type or "").lower()
    return any(kind in declared for kind in TEXT_DOCUMENT_TYPES) or urlsplit(url).path.lower().endswith(
        TEXT_DOCUMENT_EXTENSIONS)


def _document_title(url: str) -> str:
    """A document's file name as words ("you-said-we-did-2018-19.pdf" -> "you said we did
    2018-19"): what a family sees in the link before opening it, and what says a document is an
    archive or an annual report when its first page does not. A hyphen between digits stays (a
    year range)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return " ".join(_NAME_SEPARATORS.sub(" ", stem).split())


_NAME_SEPARATORS = re.compile(r"_|(?<!\d)-|-(?!\d)")


__all__ = ["LegallyCurrent", "OUTDATED_REFERENCES_DDL", "LAW_POINTS", "REVIEW_POINTS", "FEEDBACK_POINTS",
           "SHARE_FOR_NO_POINTS"]
