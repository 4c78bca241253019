"""When was a page (or document) last updated? SPEC "Staleness evidence, in order of trust".

1. ``visible_text``: what the council tells readers ("Last updated: 3 March 2023",
   ``<dt>Page last reviewed</dt><dd>03/03/2023</dd>``). Most trusted: a person put it there.
2. ``metadata``: ``article:modified_time``, ``dcterms.modified``, JSON-LD ``dateModified``
   (also inside ``@graph``), ``<time datetime>`` in a "last updated" context. Modified beats
   published; a published date is used only when no modified date exists.
3. ``sitemap``: the sitemap's ``lastmod`` for the URL.
4. ``last_modified``: the HTTP header, unless it is within a day of the fetch (many CMSs
   stamp every response with "now", which says nothing about the content).

Choices made (documented because they change counts):

- Dates after the fetch (+1 day) are never evidence: they are event dates or template bugs.
- "Next review date", "Review due", "Review date:" are *not* update evidence: on council
  templates "Review date" is usually the next scheduled review, often in the future, and
  when in the past it only says the review was missed. Only wording that says a review
  *happened* counts ("Last reviewed", "Reviewed on", "Date reviewed", "Page reviewed").
- A visible "Published"/"Posted on" date is used only when the page shows no updated or
  reviewed date at all (GOV.UK-style pages show "Published" until first updated).
- Among several update/review cues on one page, the latest date wins (the page was
  checked then); cues inside news/event listing items, ``<nav>``, the site banner and
  ``<aside>`` are ignored, so dates of *other* items are not taken. Footers count: many
  council CMSs print "Page last updated" there.
- Dates inside ``<script>``/``<style>`` never count, so a ``document.write(new Date())``
  "Last updated" prints nothing usable.
"""

from __future__ import annotations

import io
import re
import statistics
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from audit.check import Check, Column, Dimension
from audit.core.dates import first_date, fold, parse_any, parse_http_date, to_utc
from audit.core.page import Page, element_children, jsonld_objects, squash
from audit.core.wording import age_phrase, as_int, pct

SOURCES = ("visible_text", "metadata", "sitemap", "last_modified", "pdf_moddate")


@dataclass(frozen=True)
class DateEvidence:
    date: date
    source: str  # visible_text | metadata | sitemap | last_modified | pdf_moddate
    evidence: str  # the exact string used


# --- 1. visible text --------------------------------------------------------------

_UPDATE_CUE = (
    r"(?:this\s+page\s+was\s+)?(?:page\s+|content\s+)?last\s+(?:updated|reviewed|modified|amended|edited|checked)"
    r"|(?:page|content|information)\s+(?:updated|reviewed)"
    r"|date\s+(?:last\s+)?(?:updated|reviewed|modified)"
    r"|updated\s+on|reviewed\s+on|modified\s+on|updated\s*:|reviewed\s*:|^updated\b|^reviewed\b"
)
_PUBLISHED_CUE = r"(?:date\s+|first\s+)?published(?:\s+on)?|posted\s+on|date\s+added"
_CUE = re.compile(rf"(?P<upd>\b(?:{_UPDATE_CUE}))|(?P<pub>\b(?:{_PUBLISHED_CUE})\b)", re.IGNORECASE | re.MULTILINE)
# Words that turn a cue into a *future* review date: "Next review date", "next updated".
_NEGATING_PREFIX = re.compile(r"(?:next|due|scheduled|planned|expected)\s*$", re.IGNORECASE)
# What may sit between the cue and the date: punctuation, "on", "the", "by the SEND team on".
_GAP = re.compile(
    r"^[\s:\-\u2013\u2014|,]*(?:(?:on|at|in|was|is|the|date)\b[\s:,]*)*"
    r"(?:by\s+(?:[A-Za-z&']+\s+){0,5}?(?:on\s+)?)?[\s:\-\u2013\u2014|,]*$",
    re.IGNORECASE,
)
_WINDOW = 60
# Every cue contains one of these words (matched on ``fold``ed text: see dates.fold).
_CUE_WORDS = (b"updated", b"reviewed", b"modified", b"amended", b"published", b"posted", b"date added",
              b"last edited", b"last checked")
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "nav", "select", "option", "button"}
_COOKIE = re.compile(r"cookie|consent|gdpr|\bcli[_-]|onetrust|cookiebot", re.IGNORECASE)
_LISTING_CLASS = re.compile(
    r"(?:^|[\s_-])(?:news|listing|list-item|teaser|card|event|events|search-result|result|views-row|feed|latest|related)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)


def _visible(node) -> str:
    """Visible text of a node without script/style content."""
    if node.css_first("script, style, noscript, template"):
        node = node.clone()
        node.strip_tags(["script", "style", "noscript", "template"])
    return squash(node.text(separator=" "))


def _cue_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every cue word in ``text``, overlapping ones included, by start."""
    folded = fold(text)
    spans = []
    for word in _CUE_WORDS:
        at = folded.find(word)
        while at >= 0:
            spans.append((at, at + len(word)))
            at = folded.find(word, at + 1)
    spans.sort()
    return spans


def _deepest_cue_nodes(root) -> list:
    """The smallest elements whose text contains a cue (descending only into matching children).

    An element's text is the concatenation of its children's texts, so each child's text is a
    known slice of ``root``'s: the cue words are found once in ``root``'s text, and a child
    contains a cue when one of those spans lies inside its slice. Searching every child's
    text again at every level costs the page's text once per level. For the same reason the
    last element child's length is what its siblings leave of its parent's: a page builder's
    30-45 levels of nested wrappers, each holding the page, are not read again at each level."""
    text = root.text_lexbor()
    spans = _cue_spans(text)
    if not spans:
        return []
    starts = [s for s, _ in spans]
    out = []
    stack = [(root, 0, len(text))]
    while stack:
        node, offset, length = stack.pop()
        children = []
        child = node.child
        while child is not None:
            tag = child.tag
            children.append((child, tag, bool(tag) and not tag.startswith("-")))
            child = child.next
        last = max((i for i, (_, _, element) in enumerate(children) if element), default=-1)
        # text_lexbor(): an element's text() at about half the cost; for a comment it
        # gives the comment's own text, which is not part of its parent's.
        lengths = [0 if i == last else len(child.text_lexbor() if element else child.text())
                   for i, (child, _, element) in enumerate(children)]
        if last >= 0:
            lengths[last] = length - sum(lengths)
        matching = []
        for (child, tag, element), size in zip(children, lengths):
            start, offset = offset, offset + size
            if element and tag not in _SKIP_TAGS:
                i = bisect_left(starts, start)
                while i < len(spans) and starts[i] < offset and spans[i][1] > offset:
                    i += 1
                if i < len(spans) and starts[i] < offset:
                    attrs = child.attributes
                    if ((attrs.get("role") or "") != "navigation" and attrs.get("hidden") is None
                            and attrs.get("aria-hidden") != "true"):
                        matching.append((child, start, size))
        if matching:
            stack.extend(reversed(matching))
        elif node is not root:
            out.append(node)
    return out


def _in_excluded_context(node, cue_word: str) -> bool:
    """Site banner, sidebar, or one item of a repeated listing (news, events, search
    results): a listing is a run of sibling items where at least two carry the same cue
    ("Updated" on every news teaser), unlike a page-meta list (Published / Last updated)."""
    parent = node
    in_main = False
    chain = []
    while parent is not None and parent.tag not in ("body", "html"):
        chain.append(parent)
        if parent.tag in ("main", "article") or parent.attributes.get("role") == "main":
            in_main = True
        parent = parent.parent
    cue = re.compile(re.escape(cue_word), re.IGNORECASE)
    for el in chain:
        tag = el.tag
        if tag == "aside" or el.attributes.get("role") in ("complementary", "banner"):
            return True
        if tag == "header" and not in_main:
            return True
        cls = (el.attributes.get("class") or "") + " " + (el.attributes.get("id") or "")
        if _LISTING_CLASS.search(cls) or _COOKIE.search(cls + " " + (el.attributes.get("aria-label") or "")):
            return True
        if tag in ("li", "article", "tr") and el.parent is not None:
            same = [s for s in element_children(el.parent) if s.tag == tag]
            if len(same) >= 2 and sum(1 for s in same if cue.search(s.text_lexbor())) >= 2:
                return True
    return False


def _date_after_cue(text: str, as_of) -> tuple[str, str, object] | None:
    """(kind, evidence, DateMatch) for the first cue in ``text`` directly followed by a date."""
    for cue in _CUE.finditer(text):
        if _NEGATING_PREFIX.search(text[max(0, cue.start() - 20):cue.start()]):
            continue
        window = text[cue.end():cue.end() + _WINDOW]
        found = first_date(window, as_of=as_of)
        if found is None or not _GAP.match(window[:found.start]):
            continue
        kind = "upd" if cue.group("upd") else "pub"
        evidence = squash(text[cue.start():cue.end() + found.end])
        return kind, evidence, found
    return None


def visible_date(page: Page, as_of: date | datetime | None = None) -> DateEvidence | None:
    """Step 1: a "Last updated"-style cue in the visible page followed by a UK date."""
    # No test of the markup for cue words first: the tree is parsed for the other checks
    # anyway, and the body's text is shorter than the markup (_deepest_cue_nodes finds none
    # when the text has no cue word).
    body = page.tree.body
    if body is None:
        return None
    ref = as_of if as_of is not None else _reference_time(page)
    hits: list[tuple[int, date, str]] = []
    for node in _deepest_cue_nodes(body):
        level, found = node, None
        own = _visible(node)
        for _ in range(3):  # the node, then its parent, then grandparent (dt/dd, label/date spans)
            text = own if level is node else _visible(level)
            if len(text) > 600 and level is not node:
                break
            if level is not node and own:
                # Read from this node's own cue onward: in <dt>Published</dt><dd>..</dd>
                # <dt>Last updated</dt><dd>..</dd> the second dt must not take the first date.
                start = text.find(own)
                text = text[start:] if start >= 0 else text
            found = _date_after_cue(text, ref)
            if found or level.parent is None or level.parent.tag in ("body", "main"):
                break
            level = level.parent
        if found:
            kind, evidence, match = found
            cue_word = _CUE.search(evidence).group(0).split()[-1].rstrip(":")
            if _in_excluded_context(node, cue_word):
                continue
            hits.append((0 if kind == "upd" else 1, match.date, evidence))
    if not hits:
        return None
    best_tier = min(h[0] for h in hits)
    tier = [h for h in hits if h[0] == best_tier]
    chosen = max(tier, key=lambda h: h[1])  # latest; max keeps the first among equals
    return DateEvidence(chosen[1], "visible_text", chosen[2])


# --- 2. structured metadata -----------------------------------------------------

_META_MODIFIED = ("article:modified_time", "og:updated_time", "dcterms.modified", "dc.date.modified",
                  "dc.modified", "last-modified", "lastmod", "revised", "date.modified", "modified")
_META_PUBLISHED = ("article:published_time", "dcterms.created", "dcterms.issued", "dc.date.created",
                   "dc.date.issued", "dc.date", "date")
_TIME_CONTEXT = re.compile(r"updated|reviewed|modified", re.IGNORECASE)


def _jsonld_dates(page: Page) -> tuple[str | None, str | None]:
    modified = published = None
    for item in jsonld_objects(page, ("@graph", "mainEntity", "mainEntityOfPage")):
        if modified is None and isinstance(item.get("dateModified"), str):
            modified = item["dateModified"]
        if published is None and isinstance(item.get("datePublished"), str):
            published = item["datePublished"]
    return modified, published


def metadata_date(page: Page, as_of: date | datetime | None = None) -> DateEvidence | None:
    """Step 2: modified-date metadata first, then published-date metadata."""
    ref = as_of if as_of is not None else _reference_time(page)
    metas: dict[str, str] = {}
    for node in page.tree.css("meta[content]"):
        key = (node.attributes.get("name") or node.attributes.get("property")
               or node.attributes.get("itemprop") or node.attributes.get("http-equiv") or "").lower()
        if key and key not in metas:
            metas[key] = node.attributes.get("content") or ""
    candidates: list[tuple[str, str]] = []  # (label, value), in order of preference
    for key in _META_MODIFIED:
        if metas.get(key):
            candidates.append((key, metas[key]))
    if metas.get("datemodified"):
        candidates.append(("itemprop dateModified", metas["datemodified"]))
    ld_modified, ld_published = _jsonld_dates(page) if "ld+json" in (page.html or "") else (None, None)
    if ld_modified:
        candidates.append(("JSON-LD dateModified", ld_modified))
    for node in page.tree.css("time[datetime]"):
        if (node.attributes.get("itemprop") or "").lower() == "datemodified":
            candidates.append(("time[itemprop=dateModified]", node.attributes["datetime"] or ""))
            continue
        context = node.parent
        text = (context.text_lexbor() if context is not None else "")[:200]
        if _TIME_CONTEXT.search(text) and not _NEGATING_PREFIX.search(text.split("updated")[0][-20:]):
            candidates.append(("time[datetime] in 'updated' context", node.attributes["datetime"] or ""))
    for key in _META_PUBLISHED:
        if metas.get(key):
            candidates.append((key, metas[key]))
    if metas.get("datepublished"):
        candidates.append(("itemprop datePublished", metas["datepublished"]))
    if ld_published:
        candidates.append(("JSON-LD datePublished", ld_published))
    for label, value in candidates:
        d = parse_any(value, as_of=ref)
        if d is not None:
            return DateEvidence(d, "metadata", f"{label}={value.strip()}")
    return None


# --- 3 and 4: sitemap and HTTP header --------------------------------------------

def sitemap_date(page: Page, as_of: date | datetime | None = None) -> DateEvidence | None:
    """Step 3: the sitemap ``lastmod`` recorded for this URL."""
    if not page.sitemap_lastmod:
        return None
    ref = as_of if as_of is not None else _reference_time(page)
    d = parse_any(page.sitemap_lastmod, as_of=ref)
    if d is None:
        return None
    return DateEvidence(d, "sitemap", f"sitemap lastmod {page.sitemap_lastmod.strip()}")


def _reference_time(page: Page) -> datetime | None:
    """When the page was fetched: ``fetched_at``, else the response's Date header."""
    if page.fetched_at is not None:
        return page.fetched_at
    return parse_http_date(page.headers.get("date"))


def _header_date(value: str | None, fetched_at: datetime | None) -> DateEvidence | None:
    lm = parse_http_date(value)
    if lm is None or lm.year < 1990:
        return None
    if fetched_at is not None:
        ref = to_utc(fetched_at)
        # Within a day of the fetch = generated "now"; after the fetch = a clock bug.
        if lm > ref - timedelta(days=1):
            return None
    return DateEvidence(lm.date(), "last_modified", f"Last-Modified: {value.strip()}")


def header_date(page: Page) -> DateEvidence | None:
    """Step 4: HTTP Last-Modified, ignored when it is within a day of (or after) the fetch.
    With no fetch time and no Date header there is nothing to compare with: it is used."""
    return _header_date(page.headers.get("last-modified"), _reference_time(page))


def own_date(page: Page) -> DateEvidence | None:
    """The date the page states itself (steps 1 and 2: visible text, else metadata), or None.

    Worked out once a page and kept (``Page.derived``): the staleness check and the directory
    check both want it, and a directory record's "Date updated" is exactly this evidence
    (a sitemap or HTTP date describes the file, not the record)."""
    return page.derived("own_date", lambda p: visible_date(p) or metadata_date(p))


def page_date(page: Page) -> DateEvidence | None:
    """The page's last-updated date from the most trusted evidence available, or None."""
    return own_date(page) or sitemap_date(page) or header_date(page)


# --- documents ----------------------------------------------------------------------

def pdf_moddate(body: bytes) -> datetime | None:
    """The PDF's /ModDate (else /CreationDate) from its document information dictionary.

    Never raises: a corrupt, truncated or encrypted PDF gives None."""
    if not body or not body.lstrip()[:5].startswith(b"%PDF"):
        return None
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return None
            except Exception:
                return None
        meta = reader.metadata
        if meta is None:
            return None
        for getter in ("modification_date", "creation_date"):
            try:
                value = getattr(meta, getter)
            except Exception:
                value = None
            if isinstance(value, datetime):
                return value
    except Exception:  # pypdf raises many types on broken files; a document date is optional
        return None
    return None


def document_date(pdf_moddate: datetime | None, last_modified: str | None,
                  fetched_at: datetime | None) -> DateEvidence | None:
    """A document's date: its PDF /ModDate, else the HTTP Last-Modified header (with the
    same "stamped now" trap as pages). A /ModDate after the fetch is a broken clock: skipped."""
    if pdf_moddate is not None and pdf_moddate.year >= 1990:
        if fetched_at is None or to_utc(pdf_moddate) <= to_utc(fetched_at) + timedelta(days=1):
            return DateEvidence(pdf_moddate.date(), "pdf_moddate", f"PDF /ModDate {pdf_moddate.isoformat()}")
    return _header_date(last_modified, fetched_at)


def age_days(d: date | datetime, as_of: date | datetime) -> int:
    """Whole days from ``d`` to ``as_of`` (negative when ``d`` is later)."""
    if isinstance(d, datetime):
        d = d.date()
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    return (as_of - d).days


def is_stale(d: date | datetime, as_of: date | datetime, stale_after_days: int = 365) -> bool:
    """True when the date is *more than* ``stale_after_days`` before ``as_of``."""
    return age_days(d, as_of) > stale_after_days


__all__ = [
    "DateEvidence", "SOURCES", "own_date", "page_date", "visible_date", "metadata_date", "sitemap_date",
    "header_date", "pdf_moddate", "document_date", "age_days", "is_stale",
]


# ---- the check --------------------------------------------------------------------------


# Datasette metadata for what this check publishes (merged by audit/serve.py).
METADATA = """
queries:
  stale_pages:
    title: Stale pages and documents (latest complete audit)
    description: >-
      Pages and documents whose last-updated date is older than the audit's stale
      threshold, with the date string that made them stale and where it came from.
    sql: |-
      select * from (
        select
          p.council_code,
          c.name as council_name,
          'page' as kind,
          p.url,
          p.title,
          p.last_updated,
          p.age_days,
          p.date_source,
          p.date_evidence
        from page_audits p
        join latest_audit a on a.audit_id = p.audit_id
        left join councils c on c.code = p.council_code
        where p.stale = 1
        union all
        select
          d.council_code,
          c.name as council_name,
          'document' as kind,
          d.url,
          null as title,
          d.last_updated,
          d.age_days,
          d.date_source,
          d.date_evidence
        from document_audits d
        join latest_audit a on a.audit_id = d.audit_id
        left join councils c on c.code = d.council_code
        where d.stale = 1
      )
      order by council_code, age_days desc, url
"""


class Staleness(Check):
    """Is each page up to date? Dates every page by SPEC's order of trust and counts the
    pages older than the stale threshold; undated pages earn nothing."""

    name = "staleness"
    metadata = METADATA
    dimension = Dimension(
        "freshness", "Up to date", 20,
        "20 x (pages with a last-updated date within the stale threshold) / (pages crawled). "
        "Undated pages earn nothing: a family cannot tell whether they are current.",
        advice="Review the oldest pages first, and show a visible 'Last updated' date on every page.",
        explained_by=("stale_page", "undated_page", "stale_document"),
    )
    columns = (
        Column("dated_pages", "INTEGER", "In-scope pages with a last-updated date we could determine."),
        Column("undated_pages", "INTEGER", "In-scope pages with no determinable last-updated date."),
        Column("stale_pages", "INTEGER",
               "Dated pages last updated more than the stale threshold (default 365 days) before as_of."),
        Column("median_age_days", "REAL", "Median age in days of the dated pages at as_of."),
    )
    findings = {"stale_page": "Pages out of date", "undated_page": "Pages with no last-updated date"}

    def __init__(self, context):
        super().__init__(context)
        self.ages: list[int] = []
        self.stale = 0

    def page(self, page: Page) -> None:
        as_of, row = self.context.as_of, self.page_row(page.url)
        evidence = page_date(page)
        if evidence is None:
            row.update(stale=None)
            self.find("undated_page", page.url, "", "low", "No last-updated date could be found on this page",
                      "no visible date, metadata, sitemap lastmod or usable Last-Modified header")
            return
        age = age_days(evidence.date, as_of)
        page_is_stale = is_stale(evidence.date, as_of, self.context.stale_after_days)
        self.stale += page_is_stale
        self.ages.append(age)
        row.update(last_updated=evidence.date.isoformat(), date_source=evidence.source,
                   date_evidence=evidence.evidence[:300], age_days=age, stale=int(page_is_stale))
        if page_is_stale:
            self.find("stale_page", page.url, "", "medium",
                      f"Last updated {evidence.date.isoformat()}, {age} days before {as_of.isoformat()}",
                      f"{evidence.source}: {evidence.evidence[:200]}")

    def finish(self) -> None:
        dated = len(self.ages)
        self.score.update(dated_pages=dated, undated_pages=len(self.context.pages) - dated, stale_pages=self.stale,
                          median_age_days=statistics.median(self.ages) if self.ages else None)

    @staticmethod
    def points(row: dict) -> float:
        pages = row.get("pages_crawled") or 0
        fresh = (row.get("dated_pages") or 0) - (row.get("stale_pages") or 0)
        return Staleness.dimension.weight * fresh / pages if pages else 0.0

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        pages = as_int(row.get("pages_crawled"))
        if not pages:
            return "No pages crawled"
        text = f"{pct(row.get('stale_pages'), pages)} of pages over {age_phrase(stale_after_days)} old"
        undated = as_int(row.get("undated_pages"))
        if undated:
            text += f"; {pct(undated, pages)} undated"
        return text
