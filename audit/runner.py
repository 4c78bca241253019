"""Run every check over the latest complete crawl and write one audit.

I/O lives here and only here: rows are read from the database, bodies from the WARC
files; each check module is a pure function over ``Page`` objects. The whole audit is
written in one transaction together with its ``audits`` row turning ``complete``, so
Datasette never shows half an audit, and an earlier audit is never overwritten.
"""

from __future__ import annotations

import gc
import json
import pickle
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator, NamedTuple

from audit import __version__
from audit.a11y import static as a11y_static
from audit.a11y import aids
from audit.checks import features
from audit.checks import pfa
from audit.checks import send_space
from audit.checks import soft404
from audit.checks import staleness
from audit.checks import statutory
from audit.a11y import agreement as a11y_agreement
from audit.a11y import sample as a11y_sample
from audit.a11y import pdf as pdf_a11y
from audit.core import db as dbmod
from audit.core.evidence import WarcReader, decode_html
from audit.core.page import Page
from audit.core.registry import Council
from audit.core.scope import in_scope
from audit.scoring import add_scores
from audit.core.urls import canonical_url, check_key, is_document_url


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


@dataclass
class CouncilAudit:
    """Everything one council's audit produces, ready to be written."""

    score: dict
    page_rows: list[dict] = field(default_factory=list)
    document_rows: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    a11y_rows: list[dict] = field(default_factory=list)
    statutory_rows: list[dict] = field(default_factory=list)
    needs_review_rows: list[dict] = field(default_factory=list)
    agreement_rows: list[dict] = field(default_factory=list)
    disagreement_rows: list[dict] = field(default_factory=list)

    def find(self, check: str, url: str, target: str, severity: str, detail: str, evidence: str) -> None:
        self.findings.append({"check_name": check, "url": url, "target": target or "", "severity": severity,
                              "detail": detail, "evidence": evidence})


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
    independent; the results are written here, in one transaction, as with one process)."""
    db = dbmod.connect(db_path)
    crawl_id = crawl_id or latest_complete_crawl(db)
    audit_id = db.table("audits").insert({
        "crawl_id": crawl_id, "as_of": as_of.isoformat(), "stale_after_days": stale_after_days,
        "started_at": _utcnow(), "status": "running", "version": __version__,
    }).last_pk
    sites = list(db.query(SITES_SQL + "ORDER BY s.council_code", [crawl_id]))
    with ResultSpool() as spool:
        axe_versions = set()
        try:
            for result, axe_version in _council_audits(db_path, crawl_id, sites, as_of, stale_after_days,
                                                       axe_sample, workers):
                spool.add(result)
                axe_versions.add(axe_version)
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

    def add(self, result: CouncilAudit) -> None:
        self.scores.append(result.score)
        pickle.dump(result, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[CouncilAudit]:
        self._file.seek(0)
        for _ in self.scores:
            yield pickle.load(self._file)

    def __enter__(self) -> "ResultSpool":
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()


class CouncilAuditor:
    """What auditing councils one after another needs open: the database, the WARC files,
    the crawl's link checks and (with an axe sample) one Chromium."""

    def __init__(self, db_path: str | Path, crawl_id: int, as_of: date, stale_after_days: int,
                 axe_sample: int | None):
        self.db = dbmod.connect(db_path)
        self.reader = WarcReader(db_path)
        self.crawl_id, self.as_of, self.stale_after_days = crawl_id, as_of, stale_after_days
        # Only what _audit_links reads, as small tuples: a national crawl has >100,000 checks.
        self.checks = {url: LinkCheck(outcome, reason, final_url) for url, outcome, reason, final_url in self.db.execute(
            "SELECT url, outcome, reason, final_url FROM link_checks WHERE crawl_id = ?", [crawl_id])}
        self.axe = _start_axe(axe_sample)
        self.axe_version = self.axe.version if self.axe is not None else None
        # What the auditor holds until the audit ends (the link checks: >100,000 tuples in a
        # national audit) is never garbage: out of the collector's way, full collections
        # stop walking it.
        gc.set_threshold(*AUDIT_GC_THRESHOLDS)
        gc.freeze()

    def audit(self, site: dict) -> CouncilAudit:
        return audit_council(self.db, self.reader, self.checks, self.crawl_id, site, self.as_of,
                             self.stale_after_days, axe=self.axe)

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


def _audit_in_worker(site: dict) -> tuple[CouncilAudit, str | None]:
    return _WORKER_AUDITOR.audit(site), _WORKER_AUDITOR.axe_version


def _council_audits(db_path, crawl_id: int, sites: list[dict], as_of: date, stale_after_days: int,
                    axe_sample: int | None, workers: int) -> Iterator[tuple[CouncilAudit, str | None]]:
    """(council audit, axe-core version or None) for every site, in the order they finish.
    ``workers`` > 1: councils spread over that many processes, the biggest first so that one
    large Local Offer does not start last."""
    args = (str(db_path), crawl_id, as_of, stale_after_days, axe_sample)
    if workers <= 1 or len(sites) <= 1:
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


# CouncilAudit attribute -> (table, natural key); council_scores is written from the scores.
RESULT_TABLES = {
    "page_rows": ("page_audits", ("audit_id", "council_code", "url")),
    "document_rows": ("document_audits", ("audit_id", "council_code", "url")),
    "findings": ("findings", ("audit_id", "council_code", "check_name", "url", "target")),
    "a11y_rows": ("a11y_results", ("audit_id", "council_code", "url", "rule", "engine")),
    "statutory_rows": ("statutory_coverage", ("audit_id", "council_code", "item")),
    "needs_review_rows": ("a11y_needs_review", ("audit_id", "council_code", "url", "rule", "engine")),
    "agreement_rows": ("a11y_engine_agreement", ("audit_id", "council_code", "rule")),
    "disagreement_rows": ("a11y_engine_disagreements", ("audit_id", "council_code", "url", "rule")),
}


def write_audit(db, audit_id: int, as_of: date, spool: ResultSpool) -> None:
    """Every council's rows and the ranked scores, and the audit marked complete, in one
    transaction, reading the spool one council at a time."""
    scores = [dict(s, audit_id=audit_id, as_of=as_of.isoformat()) for s in add_scores(spool.scores)]
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        db.table("council_scores").upsert_all(scores, pk=("audit_id", "council_code"), batch_size=500, alter=True)
        for result in spool:
            code = result.score["council_code"]
            for attribute, (name, pk) in RESULT_TABLES.items():
                rows = getattr(result, attribute)
                if rows:
                    db.table(name).upsert_all([dict(r, audit_id=audit_id, council_code=code) for r in rows],
                                              pk=pk, batch_size=500, alter=True)
        conn.execute("UPDATE audits SET status = 'complete', finished_at = ? WHERE audit_id = ?",
                     [_utcnow(), audit_id])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def load_pages(db, reader: WarcReader, crawl_id: int, code: str, scope: tuple[str, ...]) -> Iterator[Page]:
    """The in-scope HTML pages fetched with status 200, rebuilt from WARC one at a time.
    Each page can read its HTML again from the archive, so a council's pages need not all
    hold their HTML at once (see Page)."""
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
                  stale_after_days: int, axe: "_AxeRun | None" = None) -> CouncilAudit:
    code = site["council_code"]
    scope = tuple((site["scope"] or "").split())
    council = Council(code, site["name"], site["local_offer_url"] or "", site["council_url"] or "",
                      site["region"] or "", site["la_type"] or "", scope)
    result = CouncilAudit(score={
        "council_code": code, "council_name": site["name"], "crawl_status": site["status"],
        "a11y_features": "", "send_space": "not_found", "pfa_section": 0,
    })
    score = result.score
    seed = council.local_offer_url or council.council_url or ""
    if site["status"] not in ("ok", "partial"):
        result.find("site_unreachable", seed, site["status"], "high",
                    f"Local Offer not crawled: {site['status'].replace('_', ' ')}", site["reason"] or "")

    home = _home_url(db, crawl_id, code) or council.local_offer_url

    # Staleness and accessibility, page by page. Everything that reads a page's DOM is done
    # here, while the page holds its HTML and parsed tree (only the most recent pages do).
    pages: list[Page] = []
    ages, aid_evidence = [], {}
    feature_search = features.FeatureSearch()
    dated = stale = failing = violations = 0
    for page in load_pages(db, reader, crawl_id, code, scope) if scope else ():
        pages.append(page)
        evidence = staleness.page_date(page)
        row = {"council_code": code, "url": page.url, "title": page.title[:300], "depth": page.depth}
        if evidence is not None:
            dated += 1
            age = staleness.age_days(evidence.date, as_of)
            is_stale = staleness.is_stale(evidence.date, as_of, stale_after_days)
            stale += is_stale
            ages.append(age)
            row.update(last_updated=evidence.date.isoformat(), date_source=evidence.source,
                       date_evidence=evidence.evidence[:300], age_days=age, stale=int(is_stale))
            if is_stale:
                result.find("stale_page", page.url, "", "medium",
                            f"Last updated {evidence.date.isoformat()}, {age} days before {as_of.isoformat()}",
                            f"{evidence.source}: {evidence.evidence[:200]}")
        else:
            row.update(stale=None)
            result.find("undated_page", page.url, "", "low", "No last-updated date could be found on this page",
                        "no visible date, metadata, sitemap lastmod or usable Last-Modified header")
        found = a11y_static.check_html(page.html, page.url, page.tree)
        row["a11y_violations"] = sum(v.count for v in found)
        if found:
            failing += 1
            violations += row["a11y_violations"]
        for v in found:
            result.a11y_rows.append({"council_code": code, "url": page.url, "rule": v.rule, "engine": "static",
                                     "count": v.count, "impact": v.impact, "targets": json.dumps(list(v.targets)),
                                     "wcag": ",".join(v.wcag)})
            result.find("a11y", page.url, v.rule, _severity(v.impact),
                        f"{v.rule}: {v.count} element(s) fail ({v.impact})", ", ".join(v.targets[:5]))
        if len(aid_evidence) < len(aids.FEATURES):  # each aid's evidence is the first page showing it
            for feature, ev in aids.detect(page).items():
                aid_evidence.setdefault(feature, (page.url, ev))
        not_found = soft404.looks_like_not_found(page)
        if not_found:
            result.find("soft_404", page.url, page.url, "medium",
                        "Answers 200 but says the page does not exist", not_found)
        feature_search.add(page)
        # DOM-derived results the site-level checks below reuse, computed now (kept on the page).
        statutory.page_evidence(page)
        send_space.is_about_send(page)
        _ = page.links
        result.page_rows.append(row)
    score["pages_crawled"] = len(pages)
    clicks = pfa.click_distances(pages, home, scope) if pages else {}
    for row in result.page_rows:
        row["clicks"] = clicks.get(pfa.normalise(row["url"]))

    score.update(dated_pages=dated, undated_pages=len(pages) - dated, stale_pages=stale,
                 median_age_days=statistics.median(ages) if ages else None,
                 a11y_pages_checked=len(pages), a11y_pages_failing=failing, a11y_violations=violations,
                 a11y_features=",".join(sorted(aid_evidence)))

    _audit_links(pages, checks, result)
    _audit_documents(db, reader, pages, crawl_id, code, scope, as_of, stale_after_days, result)

    space = send_space.classify(council, pages)
    score["send_space"] = space.value
    found_pfa = pfa.find_pfa(pages, home, scope, clicks) if pages else None
    if found_pfa is not None:
        score.update(pfa_section=1, pfa_url=found_pfa.url, pfa_clicks=found_pfa.clicks)
    elif pages:
        result.find("pfa_missing", home, "preparing_for_adulthood", "high",
                    "No page devoted to Preparing for Adulthood / 16-25 was found", "")
    _audit_axe(axe, pages, home, found_pfa.url if found_pfa else None, code, result)

    coverage = statutory.coverage(pages)
    for item in statutory.ITEMS:
        got = coverage.get(item.id)
        is_found = bool(got and got.found)
        result.statutory_rows.append({"council_code": code, "item": item.id, "found": int(is_found),
                                      "evidence_url": got.evidence_url if is_found else None})
        if not is_found and pages:
            result.find("statutory_missing", home, item.id, "medium",
                        f"No page about: {item.label}", f"basis: {item.basis}")
    score["statutory_found"] = sum(r["found"] for r in result.statutory_rows)
    score["statutory_total"] = len(statutory.ITEMS)

    for column, feature in feature_search.found.items():
        score[column] = int(feature.present)
    return result


def _home_url(db, crawl_id: int, code: str) -> str | None:
    """Where the Local Offer URL finally landed (after redirects)."""
    row = next(db.query(
        "SELECT f.final_url FROM fetches f JOIN crawl_sites s ON s.crawl_id = f.crawl_id "
        "AND s.council_code = f.council_code WHERE f.crawl_id = ? AND f.council_code = ? AND f.kind = 'page' "
        "AND f.depth = 0 AND f.referrer IS NULL AND f.status IS NOT NULL", [crawl_id, code]), None)
    return row["final_url"] if row else None


def _audit_links(pages: list[Page], checks: dict[str, LinkCheck], result: CouncilAudit) -> None:
    """links_checked / broken_links / blocked_links over distinct targets, with a finding per
    (page, broken target) so the council can find the link to fix. The links are the pages'
    own (parsed from the archived HTML, as the crawler did), not re-read from the database."""
    targets = set()
    broken, blocked = set(), set()
    for page in pages:
        # one finding per (page, target): the last link to a target on a page, as in the links table
        for target, link in {link.url: link for link in page.links}.items():
            key = check_key(target)
            check = checks.get(key)
            if check is None:
                continue  # mailto:, tel: and other non-web targets are not checked
            targets.add(key)
            outcome = check.outcome
            status_text = check.reason or ""
            if outcome == "broken":
                broken.add(key)
                result.find("broken_link", page.url, target, "high",
                            f"Broken link ({status_text}) with text '{link.text[:80]}'", status_text)
            elif outcome == "blocked":
                blocked.add(key)
                result.find("blocked_link", page.url, target, "low",
                            f"Link could not be verified ({status_text}): the server refused an automated check",
                            status_text)
            elif (final := check.final_url) not in (None, key, target) and soft404.redirected_to_home(target, final):
                result.find("soft_404", page.url, target, "medium",
                            "Deep link redirects to a home page: the page it pointed to has probably gone",
                            f"redirected to {final}")
    result.score.update(links_checked=len(targets), broken_links=len(broken), blocked_links=len(blocked))


def _audit_documents(db, reader: WarcReader, pages: list[Page], crawl_id: int, code: str, scope: tuple[str, ...],
                     as_of: date, stale_after_days: int, result: CouncilAudit) -> None:
    found = set()
    stale = pdf_failing = 0
    for row in db.query(
        "SELECT * FROM fetches WHERE crawl_id = ? AND council_code = ? AND kind = 'document'", [crawl_id, code]
    ):
        if not in_scope(row["final_url"] or row["url"], scope):
            continue
        found.add(row["url"])
        moddate = body = None
        if row["status"] == 200 and row["warc_file"] and "pdf" in (row["content_type"] or ""):
            body = reader.body(row["warc_file"], row["warc_offset"])
            moddate = staleness.pdf_moddate(body) if body else None
        evidence = staleness.document_date(moddate, row["last_modified"], _parse_time(row["fetched_at"]))
        doc = {"council_code": code, "url": row["final_url"] or row["url"], "source_url": row["referrer"],
               "content_type": row["content_type"], "status": row["status"]}
        if evidence is not None:
            age = staleness.age_days(evidence.date, as_of)
            is_stale = staleness.is_stale(evidence.date, as_of, stale_after_days)
            stale += is_stale
            doc.update(last_updated=evidence.date.isoformat(), date_source=evidence.source,
                       date_evidence=evidence.evidence[:300], age_days=age, stale=int(is_stale))
            if is_stale:
                result.find("stale_document", doc["url"], "", "medium",
                            f"Document dated {evidence.date.isoformat()}, {age} days before {as_of.isoformat()}",
                            f"{evidence.source}: {evidence.evidence[:200]}")
        pdf_failing += _audit_pdf(body, doc, result) if body else 0
        result.document_rows.append(doc)
    # Documents linked from in-scope pages but never fetched (budget) still count as found.
    for page in pages:
        for link in page.links:
            if is_document_url(link.url) and in_scope(link.url, scope):
                found.add(canonical_url(link.url))
    result.score.update(documents_found=len({canonical_url(u) for u in found}), stale_documents=stale,
                        a11y_documents_failing=pdf_failing)


def _severity(impact: str | None) -> str:
    return {"critical": "high", "serious": "high", "moderate": "medium"}.get(impact or "", "low")


# ---- browser engine (axe-core) on a sample, PDF accessibility ----------------------------

class _AxeRun:
    """One Chromium for the whole audit, and how many pages each council gets."""

    def __init__(self, browser, sample: int):
        from audit.a11y.axe import axe_version

        self.browser, self.sample, self.version = browser, sample, axe_version()

    def close(self) -> None:
        try:
            self.browser.close()
        except Exception:  # a browser that already died: nothing left to close
            pass


def _start_axe(sample: int | None) -> _AxeRun | None:
    """Start Chromium once; when it cannot start, say so once on stderr and carry on with the
    static engine only (the axe columns of council_scores stay NULL)."""
    if not sample:
        return None
    from audit.a11y.axe import AxeBrowser

    try:
        return _AxeRun(AxeBrowser(), sample)
    except Exception as e:  # AxeUnavailable, or Playwright failing to launch the browser
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"warning: axe-core browser engine unavailable, static engine only: {reason}", file=sys.stderr)
        return None


def _audit_axe(axe: _AxeRun | None, pages: list[Page], home: str | None, pfa_url: str | None, code: str,
               result: CouncilAudit) -> None:
    """axe-core on the council's sample, from the archived HTML; agreement with the static
    engine on those pages."""
    score = result.score
    score.update(a11y_axe_pages_checked=None, a11y_axe_pages_failing=None, a11y_axe_violations=None)
    if axe is None:
        return
    by_url = {p.url: p for p in pages}
    rows_by_url = {r["url"]: r for r in result.page_rows}
    sample = a11y_sample.choose_sample(pages, home, pfa_url, a11y_sample.link_counts(pages), axe.sample)
    checked = failing = total = 0
    axe_flags, axe_ran, axe_incomplete = {}, {}, {}
    for url, reason in sample:
        try:
            found = axe.browser.check_archived(url, by_url[url].html)
        except Exception as e:  # a page the browser could not load or axe could not finish
            result.find("a11y_axe_failed", url, "", "low", "The browser accessibility check could not run on this page",
                        (str(e).strip().splitlines() or [type(e).__name__])[0][:300])
            continue
        checked += 1
        count = sum(v.count for v in found["violations"])
        failing += bool(found["violations"])
        total += count
        axe_flags[url] = {v.rule for v in found["violations"]}
        axe_ran[url] = set(found["rules_run"])
        axe_incomplete[url] = set(found["incomplete_rules"])
        for v in found["violations"]:
            result.a11y_rows.append({"council_code": code, "url": url, "rule": v.rule, "engine": "axe",
                                     "count": v.count, "impact": v.impact, "targets": json.dumps(list(v.targets)),
                                     "wcag": ",".join(v.wcag)})
            result.find("a11y_axe", url, v.rule, _severity(v.impact),
                        f"{v.rule}: {v.count} element(s) fail ({v.impact}, axe-core {axe.version})",
                        ", ".join(v.targets[:5]))
        for v in found["needs_review"]:
            result.needs_review_rows.append({"council_code": code, "url": url, "rule": v["id"], "engine": "axe",
                                             "count": len(v["targets"]), "targets": json.dumps(v["targets"])})
        row = rows_by_url.get(url)
        if row is not None:
            row.update(axe_sample_reason=reason, axe_violations=count)
    score.update(a11y_axe_pages_checked=checked, a11y_axe_pages_failing=failing, a11y_axe_violations=total)
    static_flags = {url: set() for url in axe_flags}
    for r in result.a11y_rows:
        if r["engine"] == "static" and r["url"] in static_flags:
            static_flags[r["url"]].add(r["rule"])
    agreement = a11y_agreement.compare(static_flags, axe_flags, axe_ran, axe_incomplete)
    result.agreement_rows, result.disagreement_rows = a11y_agreement.rows(agreement, council_code=code)


def _audit_pdf(body: bytes, doc: dict, result: CouncilAudit) -> int:
    """Tagged, titled, language, text: 1 when the document fails any of them."""
    if not body.lstrip()[:5].startswith(b"%PDF"):
        return 0
    checked = pdf_a11y.check_pdf(body)
    doc.update(pdf_tagged=int(checked.tagged), pdf_has_title=int(checked.has_title),
               pdf_has_language=int(checked.has_language), pdf_has_text=int(checked.has_text),
               pdf_problems=",".join(checked.problems))
    if not checked.failing:
        return 0
    result.find("pdf_a11y", doc["url"], "", "medium", "PDF not accessible: " + pdf_a11y.describe(checked),
                f"{checked.pages} page(s); problems: {', '.join(checked.problems)}")
    return 1
