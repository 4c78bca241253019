"""The check interface: what an audit check declares, reads and produces.

lo-audit's audit is a list of checks (``audit.checks.CHECKS``, plus any installed plugin's,
see ``audit.plugins``). Each check is one class in one module that says, in one place:

* what it reads: each in-scope page while its parsed tree is held (``page``), then the
  council as a whole (``finish``) through the :class:`CouncilContext`: every page walked,
  the crawl's link checks, the council's documents, open data feed pages and search answers,
  the axe-core browser, and the
  ``council_scores`` columns of the checks listed before it;
* what it produces: findings with evidence (``self.find``), rows of its own tables
  (``self.rows(table)``), columns of ``page_audits`` (``self.page_row(url)``) and its
  ``council_scores`` columns (``self.score``), each declared with a description
  (``columns``, ``tables``, ``metadata``) that the published data dictionary shows;
* how its dimension's points are earned (``dimension``, ``points``) and the sentence a
  report card shows for it (``summary``).

The runner (``audit.runner``) walks each council's pages once, parsing each page once,
and hands every page to every check in list order; then calls ``finish`` on each check in
list order, so a check may read what an earlier one produced. Checks are pure: they do no
I/O of their own (the context's ``documents`` and ``axe`` are the runner's, at the edge).

The model is Scrapy's item pipeline (components doing one thing each, listed in order in
one place) and Datasette's plugin hooks (a module provides what the spec allows, nothing
more); see docs/architecture.md for a worked example of adding a check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, ClassVar, Iterator

if TYPE_CHECKING:
    from audit.core.page import Page
    from audit.core.registry import Council


@dataclass(frozen=True)
class Dimension:
    """One part of the score. The methodology page renders ``label``, ``weight`` and
    ``rule``; a report card shows ``advice`` when the council loses points here, with the
    findings named in ``explained_by`` as what to fix first."""

    key: str  # column suffix in council_scores: score_<key>
    label: str
    weight: float
    rule: str  # how the points are earned, in plain English
    advice: str = ""
    explained_by: tuple[str, ...] = ()  # finding names (check_name) that cost points here


@dataclass(frozen=True)
class Column:
    """A ``council_scores`` column a check writes, with its SQL type and the description
    the data dictionary shows."""

    name: str
    type: str  # INTEGER | REAL | TEXT
    description: str


@dataclass(frozen=True)
class Table:
    """A table of a check's own: its DDL (``CREATE TABLE IF NOT EXISTS``, created with the
    rest of the schema) and natural key (audit rows are upserted by it, so a re-run is
    idempotent). Rows get ``audit_id`` and ``council_code`` from the runner."""

    name: str
    key: tuple[str, ...]
    ddl: str


@dataclass
class CouncilResult:
    """Everything one council's audit produces, ready to be written (and pickled across
    processes: no open handles here)."""

    score: dict
    page_rows: dict[str, dict] = field(default_factory=dict)  # url -> page_audits row
    findings: list[dict] = field(default_factory=list)
    tables: dict[str, list[dict]] = field(default_factory=dict)  # table name -> rows

    def find(self, check: str, url: str, target: str, severity: str, detail: str, evidence: str) -> None:
        self.findings.append({"check_name": check, "url": url, "target": target or "", "severity": severity,
                              "detail": detail, "evidence": evidence})


# The one finding the runner records itself: a check that raised on one page (a bug meeting an
# odd page, in lo-audit or a plugin). That page's reading by that check is lost, and said; the
# rest of the audit goes on. Finding name -> report-card heading, as a check's ``findings``.
CHECK_FAILED = "check_failed"
# The other: a page the crawl fetched whose archived copy cannot be read (its WARC file deleted or
# corrupt), so no check saw it.
ARCHIVE_UNREADABLE = "archive_unreadable"
RUNNER_FINDINGS = {CHECK_FAILED: "Pages a check could not read",
                   ARCHIVE_UNREADABLE: "Pages fetched whose archived copy could not be read"}


# Crawls recorded before crawl_sites.not_assessed_reason existed said it in their status.
_LEGACY_REASONS = {"no_seed": "no_local_offer_found", "unreachable": "unreachable", "seed_error": "unreachable",
                   "robots_disallowed": "robots_disallowed"}


@dataclass
class CouncilContext:
    """What a check may read about the council being audited. Filled by the runner."""

    council: "Council"
    site: dict  # the crawl_sites row joined with the registry
    scope: tuple[str, ...]
    home: str | None  # where the Local Offer URL finally landed
    as_of: date
    stale_after_days: int
    link_checks: dict  # canonical URL -> LinkCheck(outcome, reason, final_url), shared by the crawl
    documents: Callable[[], Iterator["ArchivedFetch"]]  # the council's in-scope document fetches
    axe: object | None  # audit.checks.axe_sample.AxeRun, or None when axe does not run
    result: CouncilResult
    pages: list["Page"] = field(default_factory=list)  # every page walked, in walk order
    pages_unreadable: int = 0  # pages fetched whose archived copy could not be read (not walked)
    # The directory's Open Referral UK feed pages and the queries to the site's own search
    # (crawler/directory.py), in the order fetched; empty when the crawl made none.
    open_data: Callable[[], Iterator["ArchivedFetch"]] = lambda: iter(())
    searches: Callable[[], Iterator["ArchivedFetch"]] = lambda: iter(())
    # Why the crawl fetched no answer for a URL of the council's (canonical URL -> fetches.error:
    # ``skipped_trap`` for a crawler trap's variants not followed, a failure's code): what a link
    # with no link check says about why it was not checked. Read on demand (rarely needed).
    unfetched: Callable[[], dict[str, str]] = lambda: {}

    @property
    def not_assessed_reason(self) -> str | None:
        """Why the council cannot be assessed (SPEC "Every council accounted for"), or None:
        the crawl's reason, else ``unreachable`` when not even the Local Offer's home page was
        read; ``crawler_error`` when pages were fetched but their archived copies cannot be
        read (lo-audit's loss, not the council's). Known once every page has been walked."""
        reason = self.site.get("not_assessed_reason") or _LEGACY_REASONS.get(self.site.get("status"))
        if reason is None and not self.pages:
            return "crawler_error" if self.pages_unreadable else "unreachable"
        return reason
    # The crawl's archived stylesheets by URL (bytes or None): what axe's replay of a page serves.
    stylesheets: Callable[[str], bytes | None] | None = None
    # Signature -> template of every failing element in a11y_results rows (audit.a11y.issues):
    # filled by the checks writing those rows, read by the distinct-issues check.
    a11y_templates: dict[str, str] = field(default_factory=dict)


@dataclass
class ArchivedFetch:
    """Something the crawler fetched (or tried to) that is not a page: a document, a feed
    page, a search answer. Its ``fetches`` row and a way to read its archived body (None
    when not archived)."""

    row: dict
    fetched_at: datetime | None
    body: Callable[[], bytes | None]


class Check:
    """Base class of every check. Subclasses set the class attributes and override
    ``page`` (when they read pages) and ``finish``. One instance audits one council."""

    name: ClassVar[str]  # short id, unique among checks
    dimension: ClassVar[Dimension | None] = None
    columns: ClassVar[tuple[Column, ...]] = ()
    tables: ClassVar[tuple[Table, ...]] = ()
    findings: ClassVar[dict[str, str]] = {}  # finding name -> heading on the report card
    metadata: ClassVar[str] = ""  # YAML: Datasette metadata for its tables and canned queries
    # Run ``finish`` for a council that was not assessed too (SPEC: nothing is measured or
    # scored of what the crawler did not see; only checks that say what happened run).
    runs_when_not_assessed: ClassVar[bool] = False

    def __init__(self, context: CouncilContext):
        self.context = context
        self.result = context.result
        self.score = context.result.score

    @classmethod
    def reads_pages(cls) -> bool:
        return cls.page is not Check.page

    def page(self, page: "Page") -> None:
        """Called once per in-scope page, in walk order, while its parsed tree is held."""

    def finish(self) -> None:
        """Called once after every page has been walked: write the council's columns."""

    # -- producing ---------------------------------------------------------------------
    def find(self, check: str, url: str, target: str, severity: str, detail: str, evidence: str) -> None:
        self.result.find(check, url, target, severity, detail, evidence)

    def rows(self, table: str) -> list[dict]:
        """The rows of one of this check's tables for this council (append to it)."""
        return self.result.tables.setdefault(table, [])

    def page_row(self, url: str) -> dict:
        """The ``page_audits`` row of a walked page (add this check's columns to it)."""
        return self.result.page_rows[url]

    # -- scoring and publishing ----------------------------------------------------------
    @staticmethod
    def points(row: dict) -> float:
        """Points earned in ``dimension`` (0..weight) from a council_scores row."""
        return 0.0

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        """One plain-English sentence about the council's result here (report card)."""
        return ""


def severity_of(impact: str | None) -> str:
    """A finding's severity from an accessibility impact (axe-core's four levels)."""
    return {"critical": "high", "serious": "high", "moderate": "medium"}.get(impact or "", "low")
