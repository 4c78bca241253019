"""The council's documents (PDF, Word, ODT, Excel linked from its Local Offer): how many,
how old (a PDF's own /ModDate, else the HTTP Last-Modified header) and, for PDFs, whether
a screen-reader user can read them (tagged, titled, language, text: ``audit.a11y.pdf``).

Documents are counted in ``documents_found`` even when the page budget left them unfetched:
the links to them are on the crawled pages.
"""

from __future__ import annotations

from audit.a11y import pdf as pdf_a11y
from audit.check import Check, Column, Table
from audit.checks.staleness import age_days, document_date, is_stale, pdf_moddate
from audit.core.scope import in_scope
from audit.core.urls import canonical_url, is_document_url, is_web_url

DOCUMENT_AUDITS_DDL = """
CREATE TABLE IF NOT EXISTS document_audits (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,
    source_url TEXT,                -- a page that links to it
    content_type TEXT,
    status INTEGER,
    last_updated TEXT,
    date_source TEXT,               -- pdf_moddate | last_modified
    date_evidence TEXT,
    age_days INTEGER,
    stale INTEGER,
    pdf_tagged INTEGER,             -- PDFs only: /MarkInfo /Marked true and a /StructTreeRoot
    pdf_has_title INTEGER,          -- info /Title or XMP dc:title
    pdf_has_language INTEGER,       -- /Lang in the catalog
    pdf_has_text INTEGER,           -- extractable text on the first pages (not a scanned image)
    pdf_problems TEXT,              -- comma list: unreadable, untagged, no_title, no_language, no_text
    PRIMARY KEY (audit_id, council_code, url)
);
"""


# Datasette metadata for what this check publishes (merged by audit/serve.py).
METADATA = """
tables:
  document_audits:
    description: What the checks concluded about each linked document (PDF, Word, ODT, Excel), per audit.
    facets: [stale, content_type, date_source]
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      url: The document.
      source_url: A page that links to it.
      content_type: The document's type.
      status: HTTP status when it was fetched.
      last_updated: The document's date (ISO); empty when unknown.
      date_source: "pdf_moddate (the PDF's own modification date) or last_modified (the HTTP header)."
      date_evidence: The exact string that gave the date.
      age_days: Days between last_updated and the audit's as_of date.
      stale: 1 when older than the audit's stale_after_days.
      pdf_tagged: "PDFs only: 1 when the PDF is tagged (/MarkInfo /Marked true and a structure tree), so screen readers get headings, reading order and alternative text."
      pdf_has_title: "PDFs only: 1 when the PDF has a title (document information /Title or XMP dc:title)."
      pdf_has_language: "PDFs only: 1 when the PDF declares its language (/Lang)."
      pdf_has_text: "PDFs only: 1 when text can be extracted from its first pages; 0 suggests a scanned image with no text layer."
      pdf_problems: "PDFs only: comma list of what fails: unreadable, untagged, no_title, no_language, no_text; empty when none."
"""


class Documents(Check):
    name = "documents"
    metadata = METADATA
    columns = (
        Column("documents_found", "INTEGER", "Distinct in-scope PDF/DOC/DOCX/ODT/XLS(X) documents linked."),
        Column("stale_documents", "INTEGER",
               "Documents whose date (PDF modification date, else Last-Modified) is stale by the same rule."),
        Column("a11y_documents_failing", "INTEGER",
               "Linked PDFs that are untagged, have no title or language, or have no extractable text "
               "(see document_audits)."),
    )
    tables = (Table("document_audits", ("audit_id", "council_code", "url"), DOCUMENT_AUDITS_DDL),)
    findings = {"stale_document": "Documents out of date"}

    def finish(self) -> None:
        context = self.context
        found = set()
        stale = pdf_failing = 0
        for document in context.documents():
            row = document.row
            if not in_scope(row["final_url"] or row["url"], context.scope):
                continue
            found.add(row["url"])
            moddate = body = None
            if row["status"] == 200 and row["warc_file"] and "pdf" in (row["content_type"] or ""):
                body = document.body()
                moddate = pdf_moddate(body) if body else None
            evidence = document_date(moddate, row["last_modified"], document.fetched_at)
            doc = {"url": row["final_url"] or row["url"], "source_url": row["referrer"],
                   "content_type": row["content_type"], "status": row["status"]}
            if evidence is not None:
                age = age_days(evidence.date, context.as_of)
                doc_is_stale = is_stale(evidence.date, context.as_of, context.stale_after_days)
                stale += doc_is_stale
                doc.update(last_updated=evidence.date.isoformat(), date_source=evidence.source,
                           date_evidence=evidence.evidence[:300], age_days=age, stale=int(doc_is_stale))
                if doc_is_stale:
                    self.find("stale_document", doc["url"], "", "medium",
                              f"Document dated {evidence.date.isoformat()}, {age} days before "
                              f"{context.as_of.isoformat()}", f"{evidence.source}: {evidence.evidence[:200]}")
            pdf_failing += self._check_pdf(body, doc) if body else 0
            self.rows("document_audits").append(doc)
        # Documents linked from in-scope pages but never fetched (budget) still count as found.
        for page in context.pages:
            for link in page.links:
                if is_web_url(link.url) and is_document_url(link.url) and in_scope(link.url, context.scope):
                    found.add(canonical_url(link.url))
        self.score.update(documents_found=len({canonical_url(u) for u in found}), stale_documents=stale,
                          a11y_documents_failing=pdf_failing)

    def _check_pdf(self, body: bytes, doc: dict) -> int:
        """Tagged, titled, language, text: 1 when the document fails any of them."""
        if not body.lstrip()[:5].startswith(b"%PDF"):
            return 0
        checked = pdf_a11y.check_pdf(body)
        doc.update(pdf_tagged=int(checked.tagged), pdf_has_title=int(checked.has_title),
                   pdf_has_language=int(checked.has_language), pdf_has_text=int(checked.has_text),
                   pdf_problems=",".join(checked.problems))
        if not checked.failing:
            return 0
        self.find("pdf_a11y", doc["url"], "", "medium", "PDF not accessible: " + pdf_a11y.describe(checked),
                  f"{checked.pages} page(s); problems: {', '.join(checked.problems)}")
        return 1
