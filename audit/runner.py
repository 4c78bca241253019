"""Run every check over the latest complete crawl and write one audit.

I/O lives here and only here: rows are read from the database, bodies from the WARC
files; each check module is a pure function over ``Page`` objects. The whole audit is
written in one transaction together with its ``audits`` row turning ``complete``, so
Datasette never shows half an audit, and an earlier audit is never overwritten.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import NamedTuple

from . import __version__, a11y_static, aids, features, pfa, send_space, soft404, staleness, statutory
from . import a11y_agreement, a11y_sample, pdf_a11y
from . import db as dbmod
from .evidence import WarcReader, decode_html
from .page import Page
from .registry import Council
from .scope import in_scope
from .scoring import add_scores
from .urls import canonical_url, check_key, is_document_url


class LinkCheck(NamedTuple):
    """The parts of a link_checks row the audit uses."""

    outcome: str
    reason: str | None
    final_url: str | None


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
    headless Chromium on a sample of each council's pages (``audit.a11y_sample``: home,
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
    try:
        if workers > 1 and len(sites) > 1:
            results, axe_version = _audit_in_processes(db_path, crawl_id, sites, as_of, stale_after_days,
                                                       axe_sample, workers)
        else:
            auditor = CouncilAuditor(db_path, crawl_id, as_of, stale_after_days, axe_sample)
            try:
                results, axe_version = [auditor.audit(site) for site in sites], auditor.axe_version
            finally:
                auditor.close()
    except BaseException:
        db.table("audits").update(audit_id, {"status": "failed", "finished_at": _utcnow()})
        raise
    if axe_version is not None:
        db.table("audits").update(audit_id, {"axe_version": axe_version}, alter=True)
    write_audit(db, audit_id, as_of, results)
    return audit_id


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

    def audit(self, site: dict) -> CouncilAudit:
        return audit_council(self.db, self.reader, self.checks, self.crawl_id, site, self.as_of,
                             self.stale_after_days, axe=self.axe)

    def close(self) -> None:
        self.reader.close()
        if self.axe is not None:
            self.axe.close()


_WORKER_AUDITOR: CouncilAuditor | None = None


def _start_worker(*args) -> None:
    global _WORKER_AUDITOR
    import atexit

    _WORKER_AUDITOR = CouncilAuditor(*args)
    atexit.register(_WORKER_AUDITOR.close)


def _audit_in_worker(site: dict) -> tuple[CouncilAudit, str | None]:
    return _WORKER_AUDITOR.audit(site), _WORKER_AUDITOR.axe_version


def _audit_in_processes(db_path, crawl_id: int, sites: list[dict], as_of: date, stale_after_days: int,
                        axe_sample: int | None, workers: int) -> tuple[list[CouncilAudit], str | None]:
    """Councils spread over ``workers`` processes, the biggest first so that one large
    Local Offer does not start last; results come back in council order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    order = sorted(range(len(sites)), key=lambda i: -(sites[i]["pages_fetched"] or 0))
    with ProcessPoolExecutor(max_workers=min(workers, len(sites)), mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker,
                             initargs=(str(db_path), crawl_id, as_of, stale_after_days, axe_sample)) as pool:
        done = dict(zip(order, pool.map(_audit_in_worker, [sites[i] for i in order])))
    versions = {version for _, version in done.values() if version is not None}
    return [done[i][0] for i in range(len(sites))], (versions.pop() if versions else None)


def write_audit(db, audit_id: int, as_of: date, results: list[CouncilAudit]) -> None:
    scores = add_scores([r.score for r in results])
    tables = {
        "council_scores": ([dict(s, audit_id=audit_id, as_of=as_of.isoformat()) for s in scores],
                           ("audit_id", "council_code")),
        "page_audits": ([dict(r, audit_id=audit_id) for a in results for r in a.page_rows],
                        ("audit_id", "council_code", "url")),
        "document_audits": ([dict(r, audit_id=audit_id) for a in results for r in a.document_rows],
                            ("audit_id", "council_code", "url")),
        "findings": ([dict(r, audit_id=audit_id, council_code=a.score["council_code"])
                      for a in results for r in a.findings],
                     ("audit_id", "council_code", "check_name", "url", "target")),
        "a11y_results": ([dict(r, audit_id=audit_id) for a in results for r in a.a11y_rows],
                         ("audit_id", "council_code", "url", "rule", "engine")),
        "statutory_coverage": ([dict(r, audit_id=audit_id) for a in results for r in a.statutory_rows],
                               ("audit_id", "council_code", "item")),
        "a11y_needs_review": ([dict(r, audit_id=audit_id) for a in results for r in a.needs_review_rows],
                              ("audit_id", "council_code", "url", "rule", "engine")),
        "a11y_engine_agreement": ([dict(r, audit_id=audit_id) for a in results for r in a.agreement_rows],
                                  ("audit_id", "council_code", "rule")),
        "a11y_engine_disagreements": ([dict(r, audit_id=audit_id) for a in results for r in a.disagreement_rows],
                                      ("audit_id", "council_code", "url", "rule")),
    }
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name, (rows, pk) in tables.items():
            if rows:
                db.table(name).upsert_all(rows, pk=pk, batch_size=500, alter=True)
        conn.execute("UPDATE audits SET status = 'complete', finished_at = ? WHERE audit_id = ?",
                     [_utcnow(), audit_id])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def load_pages(db, reader: WarcReader, crawl_id: int, code: str, scope: tuple[str, ...]) -> list[Page]:
    """The in-scope HTML pages fetched with status 200, rebuilt from WARC."""
    lastmods = {r["url"]: r["lastmod"] for r in db.query(
        "SELECT url, lastmod FROM sitemap_entries WHERE crawl_id = ? AND council_code = ?", [crawl_id, code])}
    pages = []
    for row in db.query(
        "SELECT * FROM fetches WHERE crawl_id = ? AND council_code = ? AND kind = 'page' AND status = 200 "
        "AND warc_file IS NOT NULL ORDER BY depth, url", [crawl_id, code]
    ):
        if not in_scope(row["final_url"], scope):
            continue
        body = reader.body(row["warc_file"], row["warc_offset"])
        if body is None:
            continue
        headers = json.loads(row["headers"] or "{}")
        pages.append(Page(
            url=row["final_url"], html=decode_html(body, row["content_type"]), status=200, headers=headers,
            fetched_at=_parse_time(row["fetched_at"]), depth=row["depth"] or 0,
            sitemap_lastmod=lastmods.get(canonical_url(row["final_url"])) or lastmods.get(row["url"]),
        ))
    return pages


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
    pages = load_pages(db, reader, crawl_id, code, scope) if scope else []
    seed = council.local_offer_url or council.council_url or ""
    if site["status"] not in ("ok", "partial"):
        result.find("site_unreachable", seed, site["status"], "high",
                    f"Local Offer not crawled: {site['status'].replace('_', ' ')}", site["reason"] or "")

    score["pages_crawled"] = len(pages)
    home = _home_url(db, crawl_id, code) or council.local_offer_url

    # Staleness and accessibility, page by page. Everything that reads a page's DOM is done
    # here, while its parsed tree is cached (Page.tree keeps only the most recent ones).
    ages, aid_evidence = [], {}
    dated = stale = failing = violations = 0
    for page in pages:
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
        for feature, ev in aids.detect(page).items():
            aid_evidence.setdefault(feature, (page.url, ev))
        not_found = soft404.looks_like_not_found(page)
        if not_found:
            result.find("soft_404", page.url, page.url, "medium",
                        "Answers 200 but says the page does not exist", not_found)
        # DOM-derived results the site-level checks below reuse, computed now (both cached on the page).
        statutory.page_evidence(page)
        _ = page.links
        result.page_rows.append(row)
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

    found_features = features.detect(pages) if pages else {}
    for column in ("has_search", "has_social_media", "has_newsletter", "has_video", "has_feedback_published"):
        feature = found_features.get(column)
        score[column] = int(bool(feature and feature.present))
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
        from .a11y_axe import axe_version

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
    from .a11y_axe import AxeBrowser

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
