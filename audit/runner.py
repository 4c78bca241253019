"""Run every check over the latest complete crawl and write one audit.

I/O lives here and only here: rows are read from the database, bodies from the WARC
files; each check module is a pure function over ``Page`` objects. The whole audit is
written in one transaction together with its ``audits`` row turning ``complete``, so
Datasette never shows half an audit, and an earlier audit is never overwritten.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from audit import __version__
from audit.a11y.axe import AxeRun, start_axe
from audit.check import ARCHIVE_UNREADABLE, CHECK_FAILED, ArchivedFetch, CouncilContext, CouncilResult
from audit.core import db as dbmod
from audit.core.errors import error_line
from audit.core.evidence import WarcReader, decode_html
from audit.core.page import Page
from audit.core.registry import Council
from audit.core.scope import in_scope
from audit.core.urls import canonical_url
from audit.plugins import all_checks
from audit.progress import AuditProgress
from audit.scoring import add_scores


class LinkCheck(NamedTuple):
    """The parts of a link_checks row the audit uses."""

    outcome: str
    reason: str | None
    final_url: str | None


# The audit allocates a page's element tree (hundreds of objects) and frees it by reference
# counting (a11y_names.Document.dismantle), so collections with Python's default thresholds
# (one per 700 allocations) found next to nothing and still cost ~4% of the audit's CPU,
# timed with gc.callbacks on the 10,000-page benchmark council audits.
AUDIT_GC_THRESHOLDS = (50_000, 20, 100)


class AuditError(Exception):
    """The audit cannot run (no crawl yet, unreadable database)."""


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def latest_complete_crawl(db) -> int:
    row = next(db.query("SELECT max(crawl_id) AS id FROM crawls WHERE status = 'complete'"), None)
    if row is None or row["id"] is None:
        raise AuditError("no complete crawl in the database yet: run `lo-audit crawl` first")
    return row["id"]


SITES_SQL = ("SELECT s.*, c.name, c.local_offer_url, c.council_url, c.region, c.la_type "
             "FROM crawl_sites s JOIN councils c ON c.code = s.council_code WHERE s.crawl_id = ? ")


def run_audit(db_path: str | Path, as_of: date, stale_after_days: int = 365, crawl_id: int | None = None,
              axe_sample: int | None = None, workers: int = 1) -> int:
    """One audit of the latest complete crawl. ``axe_sample`` N > 0 also runs axe-core in
    headless Chromium on a sample of each council's pages (``audit.a11y.sample``: home,
    PfA, contact, a form page and the N most-linked pages); None or 0: static engine only.
    ``workers`` > 1: councils are audited in that many processes (each council's audit is
    independent; the results are written here, in one transaction, as with one process).
    On a terminal, progress is shown as councils finish (``audit.progress``)."""
    db = dbmod.connect(db_path)
    crawl_id = crawl_id or latest_complete_crawl(db)
    audit_id = db.table("audits").insert({
        "crawl_id": crawl_id, "as_of": as_of.isoformat(), "stale_after_days": stale_after_days,
        "started_at": _utcnow(), "status": "running", "version": __version__,
    }).last_pk
    sites = list(db.query(SITES_SQL + "ORDER BY s.council_code", [crawl_id]))
    with ResultSpool() as spool, AuditProgress(sites) as progress:
        axe_versions = set()
        try:
            for result, axe_version in _council_audits(db_path, crawl_id, sites, as_of, stale_after_days,
                                                       axe_sample, workers):
                spool.add(result)
                axe_versions.add(axe_version)
                progress.council_done(result)
        except BaseException:
            db.table("audits").update(audit_id, {"status": "failed", "finished_at": _utcnow()})
            raise
        axe_versions.discard(None)
        if axe_versions:
            db.table("audits").update(audit_id, {"axe_version": axe_versions.pop()}, alter=True)
        write_audit(db, audit_id, as_of, spool)
    return audit_id


class ResultSpool:
    """Each council's results as they arrive, kept in a temporary file until every council
    is in and they are written in one transaction. Only the scores stay in memory: a
    national audit has hundreds of thousands of findings, and holding them all (then
    copying them into rows) took more memory than auditing the largest council."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()
        self.scores: list[dict] = []

    def add(self, result: CouncilResult) -> None:
        self.scores.append(result.score)
        pickle.dump(result, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[CouncilResult]:
        self._file.seek(0)
        for _ in self.scores:
            yield pickle.load(self._file)

    def __enter__(self) -> "ResultSpool":
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()


class ArchivedStylesheets:
    """The crawl's archived stylesheets by the URL a page asks for them under (the requested
    URL or, after a redirect, the final one, in canonical form): what the axe replay serves
    instead of the network (``audit.a11y.axe``). A council's pages share a few stylesheets,
    so the last bodies read are kept."""

    KEPT = 64

    def __init__(self, db, reader: WarcReader, crawl_id: int):
        self.reader = reader
        self.where: dict[str, tuple[str, int]] = {}
        for url, final_url, warc_file, offset in db.execute(
                "SELECT url, final_url, warc_file, warc_offset FROM fetches WHERE crawl_id = ? AND kind = 'stylesheet' "
                "AND status = 200 AND warc_file IS NOT NULL", [crawl_id]):
            self.where.setdefault(url, (warc_file, offset))
            self.where.setdefault(canonical_url(final_url or url), (warc_file, offset))
        self._bodies: dict[str, bytes | None] = {}

    def __call__(self, url: str) -> bytes | None:
        key = canonical_url(url)
        if key in self._bodies:
            return self._bodies[key]
        place = self.where.get(key)
        body = self.reader.body(*place) if place else None
        if len(self._bodies) >= self.KEPT:
            self._bodies.pop(next(iter(self._bodies)))
        self._bodies[key] = body
        return body


class CouncilAuditor:
    """What auditing councils one after another needs open: the database, the WARC files,
    the crawl's link checks and archived stylesheets, and (with an axe sample) one Chromium
    with its pool of ``axe_pages`` pages."""

    def __init__(self, db_path: str | Path, crawl_id: int, as_of: date, stale_after_days: int,
                 axe_sample: int | None, axe_pages: int | None = None):
        self.db = dbmod.connect(db_path)
        self.reader = WarcReader(db_path)
        self.crawl_id, self.as_of, self.stale_after_days = crawl_id, as_of, stale_after_days
        # Only what _audit_links reads, as small tuples: a national crawl has >100,000 checks.
        self.checks = {url: LinkCheck(outcome, reason, final_url) for url, outcome, reason, final_url in self.db.execute(
            "SELECT url, outcome, reason, final_url FROM link_checks WHERE crawl_id = ?", [crawl_id])}
        self.stylesheets = ArchivedStylesheets(self.db, self.reader, crawl_id)
        self.axe = start_axe(axe_sample, axe_pages)
        self.axe_version = self.axe.version if self.axe is not None else None
        # What the auditor holds until the audit ends (the link checks: >100,000 tuples in a
        # national audit) is never garbage: out of the collector's way, full collections
        # stop walking it.
        gc.set_threshold(*AUDIT_GC_THRESHOLDS)
        gc.freeze()

    def audit(self, site: dict) -> CouncilResult:
        return audit_council(self.db, self.reader, self.checks, self.crawl_id, site, self.as_of,
                             self.stale_after_days, axe=self.axe, stylesheets=self.stylesheets)

    def close(self) -> None:
        self.reader.close()
        if self.axe is not None:
            self.axe.close()


_WORKER_AUDITOR: CouncilAuditor | None = None  # the auditor of a worker process


def _start_worker(*args) -> None:
    global _WORKER_AUDITOR
    import atexit

    _WORKER_AUDITOR = CouncilAuditor(*args)
    atexit.register(_WORKER_AUDITOR.close)


def _audit_in_worker(site: dict) -> tuple[CouncilResult, str | None]:
    return _WORKER_AUDITOR.audit(site), _WORKER_AUDITOR.axe_version


def _council_audits(db_path, crawl_id: int, sites: list[dict], as_of: date, stale_after_days: int,
                    axe_sample: int | None, workers: int) -> Iterator[tuple[CouncilResult, str | None]]:
    """(council audit, axe-core version or None) for every site, in the order they finish.
    ``workers`` > 1: councils spread over that many processes, the biggest first so that one
    large Local Offer does not start last."""
    processes = 1 if workers <= 1 or len(sites) <= 1 else min(workers, len(sites))
    # The cores go to axe's page pools: each process's browser judges cores / processes pages at once.
    args = (str(db_path), crawl_id, as_of, stale_after_days, axe_sample, max(1, (os.cpu_count() or 1) // processes))
    if processes == 1:
        auditor = CouncilAuditor(*args)
        try:
            for site in sites:
                yield auditor.audit(site), auditor.axe_version
        finally:
            auditor.close()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    biggest_first = sorted(sites, key=lambda site: -(site["pages_fetched"] or 0))
    with ProcessPoolExecutor(max_workers=min(workers, len(sites)), mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker, initargs=args) as pool:
        for done in as_completed([pool.submit(_audit_in_worker, site) for site in biggest_first]):
            yield done.result()


# Rows the runner itself writes, by natural key; each check's own tables are declared by the check.
PAGE_AUDITS_KEY = ("audit_id", "council_code", "url")
FINDINGS_KEY = ("audit_id", "council_code", "check_name", "url", "target")


def write_audit(db, audit_id: int, as_of: date, spool: ResultSpool) -> None:
    """Every council's rows and the ranked scores, and the audit marked complete, in one
    transaction, reading the spool one council at a time."""
    # as_of before scoring: a dimension may judge against the audit's date (legal: feedback recency)
    scores = add_scores([dict(s, audit_id=audit_id, as_of=as_of.isoformat()) for s in spool.scores])
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        db.table("council_scores").upsert_all(scores, pk=("audit_id", "council_code"), batch_size=500, alter=True)
        keys = {table.name: table.key for check in all_checks() for table in check.tables}
        for result in spool:
            code = result.score["council_code"]
            tables = {"page_audits": list(result.page_rows.values()), "findings": result.findings, **result.tables}
            for name, rows in tables.items():
                if rows:
                    key = keys.get(name) or (PAGE_AUDITS_KEY if name == "page_audits" else FINDINGS_KEY)
                    db.table(name).upsert_all([dict(r, audit_id=audit_id, council_code=code) for r in rows],
                                              pk=key, batch_size=500, alter=True)
        conn.execute("UPDATE audits SET status = 'complete', finished_at = ? WHERE audit_id = ?",
                     [_utcnow(), audit_id])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def load_pages(db, reader: WarcReader, crawl_id: int, code: str, scope: tuple[str, ...],
               unreadable: Callable[[dict], None] = lambda row: None) -> Iterator[Page]:
    """The in-scope HTML pages fetched with status 200, rebuilt from WARC one at a time.
    Each page can read its HTML again from the archive, so a council's pages need not all
    hold their HTML at once (see Page). A page whose archived copy cannot be read is handed
    to ``unreadable`` (its fetches row) instead."""
    lastmods = {r["url"]: r["lastmod"] for r in db.query(
        "SELECT url, lastmod FROM sitemap_entries WHERE crawl_id = ? AND council_code = ?", [crawl_id, code])}
    for row in db.query(
        "SELECT final_url, url, headers, fetched_at, depth, content_type, warc_file, warc_offset FROM fetches "
        "WHERE crawl_id = ? AND council_code = ? AND kind = 'page' AND status = 200 "
        "AND warc_file IS NOT NULL ORDER BY depth, url", [crawl_id, code]
    ):
        if not in_scope(row["final_url"], scope):
            continue
        source = _ArchivedHtml(reader, row["warc_file"], row["warc_offset"], row["content_type"])
        html = source()
        if html is None:
            unreadable(row)
            continue
        yield Page(
            url=row["final_url"], html=html, status=200, headers=json.loads(row["headers"] or "{}"),
            fetched_at=_parse_time(row["fetched_at"]), depth=row["depth"] or 0,
            sitemap_lastmod=lastmods.get(canonical_url(row["final_url"])) or lastmods.get(row["url"]),
            source=source,
        )


class _ArchivedHtml(NamedTuple):
    """Where a page's HTML is archived; calling it reads and decodes it (None: record lost)."""

    reader: WarcReader
    warc_file: str
    offset: int
    content_type: str | None

    def __call__(self) -> str | None:
        body = self.reader.body(self.warc_file, self.offset)
        return decode_html(body, self.content_type) if body is not None else None


def audit_council(db, reader: WarcReader, checks: dict[str, LinkCheck], crawl_id: int, site: dict, as_of: date,
                  stale_after_days: int, axe: "AxeRun | None" = None,
                  stylesheets: "ArchivedStylesheets | None" = None) -> CouncilResult:
    """One council's audit: every check sees every page once, in one walk, then finishes
    in list order (see audit.check)."""
    council = Council.as_crawled(site)
    code, scope = council.code, council.scope
    result = CouncilResult(score={"council_code": code, "council_name": site["name"]})
    context = CouncilContext(
        council=council, site=site, scope=scope, home=_home_url(db, crawl_id, code) or council.local_offer_url,
        as_of=as_of, stale_after_days=stale_after_days, link_checks=checks,
        documents=lambda: load_fetches(db, reader, crawl_id, code, "document"),
        open_data=lambda: load_fetches(db, reader, crawl_id, code, "open_data"),
        searches=lambda: load_fetches(db, reader, crawl_id, code, "search"), axe=axe, result=result,
        stylesheets=stylesheets, unfetched=lambda: _unfetched(db, crawl_id, code))
    running = [check(context) for check in all_checks()]
    page_readers = [check for check in running if check.reads_pages()]
    # Each page is parsed once and handed to every check while it holds its tree (only the
    # most recent pages do: see Page).
    unreadable: list[dict] = []
    for page in load_pages(db, reader, crawl_id, code, scope, unreadable.append) if scope else ():
        context.pages.append(page)
        result.page_rows[page.url] = {"url": page.url, "title": page.title[:300], "depth": page.depth}
        for check in page_readers:
            try:
                check.page(page)
            except Exception as exc:  # one check's fault on one odd page must not cost the whole audit
                _check_failed(result, check.name, page.url, exc)
    if unreadable:
        _archive_unreadable(result, unreadable)
        context.pages_unreadable = len(unreadable)
    assessed = context.not_assessed_reason is None
    for check in running:
        if assessed or check.runs_when_not_assessed:
            check.finish()
    return result


def _check_failed(result: CouncilResult, check: str, url: str, exc: Exception) -> None:
    """Say that ``check`` could not read the page at ``url``: a finding (CHECK_FAILED, the check's
    name as its target) and one line on stderr. A check's ``finish`` is not guarded: a council's
    figures must not be published from a check that failed as a whole."""
    why = error_line(exc)
    result.find(CHECK_FAILED, url, check, "info",
                f"The {check} check could not read this page, so it is left out of that check's figures", why)
    print(f"warning: {result.score['council_code']} {url}: the {check} check failed on this page ({why}); "
          "the audit goes on", file=sys.stderr)


def _archive_unreadable(result: CouncilResult, rows: list[dict]) -> None:
    """Say which fetched pages no check saw because their archived copy cannot be read (a WARC
    file deleted or corrupt): a finding each, and one line on stderr for the council."""
    for row in rows:
        result.find(ARCHIVE_UNREADABLE, row["final_url"], "", "info",
                    "Fetched, but its archived copy could not be read, so no check saw this page",
                    f"{row['warc_file']} at offset {row['warc_offset']}")
    files = ", ".join(sorted({row["warc_file"] for row in rows}))
    print(f"warning: {result.score['council_code']}: {len(rows)} fetched page(s) not audited: their archived "
          f"copy could not be read (missing or corrupt: {files}); crawl again to audit them", file=sys.stderr)


def _home_url(db, crawl_id: int, code: str) -> str | None:
    """Where the Local Offer URL finally landed (after redirects)."""
    row = next(db.query(
        "SELECT f.final_url FROM fetches f JOIN crawl_sites s ON s.crawl_id = f.crawl_id "
        "AND s.council_code = f.council_code WHERE f.crawl_id = ? AND f.council_code = ? AND f.kind = 'page' "
        "AND f.depth = 0 AND f.referrer IS NULL AND f.status IS NOT NULL", [crawl_id, code]), None)
    return row["final_url"] if row else None


def _unfetched(db, crawl_id: int, code: str) -> dict[str, str]:
    """The council's URLs the crawl has no answer for, by canonical URL, with the reason it
    recorded (``fetches.error``)."""
    return {url: error for url, error in db.execute(
        "SELECT url, error FROM fetches WHERE crawl_id = ? AND council_code = ? AND status IS NULL "
        "AND error IS NOT NULL", [crawl_id, code])}


def load_fetches(db, reader: WarcReader, crawl_id: int, code: str, kind: str) -> Iterator[ArchivedFetch]:
    """The council's fetches of one kind (``document``, ``open_data``, ``search``) in the order
    they were made, each able to read its archived body."""
    for row in db.query("SELECT * FROM fetches WHERE crawl_id = ? AND council_code = ? AND kind = ? ORDER BY rowid",
                        [crawl_id, code, kind]):
        yield ArchivedFetch(row, _parse_time(row["fetched_at"]),
                            lambda row=row: reader.body(row["warc_file"], row["warc_offset"]) if row["warc_file"] else None)
