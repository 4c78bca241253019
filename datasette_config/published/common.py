"""What every published page shares: reading the latest complete audit, safe links,
movement since the previous audit, and the per-dimension cells of a council's row.

Everything shown comes from crawled web pages and is untrusted: templates rely on Jinja's
autoescaping (never ``|safe`` on data) and :func:`safe_href` returns a URL only when it is
a plain http(s) address, so ``javascript:`` or ``data:`` URLs are shown as text, never as
links. Every query reads the latest *complete* audit through the ``latest_audit`` view;
"previous" always means the complete audit before it.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from audit.check import RUNNER_FINDINGS
from audit.core.wording import as_float, as_int, plural
from audit.plugins import all_checks

# Every check with a dimension, in the published order.
SCORED_CHECKS = tuple(check for check in all_checks() if check.dimension is not None)
DIMENSIONS = tuple(check.dimension for check in SCORED_CHECKS)
# Finding name -> report-card heading, in check order.
FINDING_LABELS = {**{name: label for check in all_checks() for name, label in check.findings.items()},
                  **RUNNER_FINDINGS}


def safe_href(url) -> str:
    """The URL when it is a plain absolute http(s) address, else "" (shown as text)."""
    if not isinstance(url, str) or not url:
        return ""
    if url != url.strip() or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url


def dimension_cells(s: dict, stale_after_days=365) -> list[dict]:
    cells = []
    for check in SCORED_CHECKS:
        d = check.dimension
        points = s.get(f"score_{d.key}")
        cells.append({
            "key": d.key,
            "label": d.label,
            "weight": d.weight,
            "points": None if points is None else round(as_float(points), 1),
            "lost": None if points is None else round(d.weight - as_float(points), 1),
            "text": check.summary(s, stale_after_days or 365),
            "rule": d.rule,
        })
    return cells


def fmt_weight(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def database(datasette):
    return datasette.get_database()


def qs(**params) -> str:
    params = {k: v for k, v in params.items() if v is not None}
    return "?" + urlencode(params) if params else ""


async def query_rows(db, sql: str, params=None) -> list[dict]:
    result = await db.execute(sql, params or {})
    return [dict(r) for r in result.rows]


async def latest_audit(db) -> dict | None:
    try:
        rows = await query_rows(db, "select * from latest_audit")
    except Exception:  # no schema yet (an empty or foreign database)
        return None
    return rows[0] if rows else None


def raw_links(datasette, db_name: str, **filters) -> dict:
    urls = datasette.urls
    return {
        "database": urls.database(db_name),
        "league_table": urls.table(db_name, "league_table"),
        "council_scores": urls.table(db_name, "council_scores") + qs(**filters),
        "findings": urls.table(db_name, "findings") + qs(**filters),
        "a11y_results": urls.table(db_name, "a11y_results") + qs(**filters),
        "statutory_coverage": urls.table(db_name, "statutory_coverage") + qs(**filters),
        "page_audits": urls.table(db_name, "page_audits") + qs(**filters),
        "document_audits": urls.table(db_name, "document_audits") + qs(**filters),
        "outdated_references": urls.table(db_name, "outdated_references") + qs(**filters),
        "league_query": urls.query(db_name, "league"),
        "league_csv": urls.query(db_name, "league", format="csv"),
        "changes_feed": urls.query(db_name, "changes_feed", format="atom"),
    }


async def previous_audit(db, audit: dict | None) -> dict | None:
    """The complete audit before ``audit``: the baseline for movement and "what changed"."""
    if not audit:
        return None
    rows = await query_rows(
        db, "select * from audits where status = 'complete' and audit_id < :a order by audit_id desc limit 1",
        {"a": audit["audit_id"]})
    return rows[0] if rows else None


def movement(score: dict, before: dict | None) -> dict:
    """Score and rank change since the previous audit, as arrow, points and words."""
    if score.get("score") is None:  # not assessed now: no score to compare, never a fall
        return {"delta": None, "arrow": "", "css": "", "points": "not assessed", "rank": "not ranked in this audit"}
    if before is None or before.get("score") is None:
        was = "not in the previous audit" if before is None else "not assessed in the previous audit"
        return {"delta": None, "arrow": "", "css": "", "points": "new", "rank": was}
    delta = round(as_float(score["score"]) - as_float(before["score"]), 1)
    places = as_int(before.get("rank")) - as_int(score.get("rank"))
    arrow, css = ("▲", "lo-up") if delta > 0 else ("▼", "lo-down") if delta < 0 else ("", "")
    if places:
        rank = f"{'up' if places > 0 else 'down'} {plural(abs(places), 'place')}"
    else:
        rank = "same rank"
    return {"delta": delta, "arrow": arrow, "css": css,
            "points": f"{delta:+.1f} pts" if delta else "no change", "rank": rank}
