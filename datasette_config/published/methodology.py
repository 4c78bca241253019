"""``/methodology`` is a Datasette custom page (``templates/pages/methodology.html``); this
module supplies what it shows: the dimensions and how each is earned (from the checks), the
statutory items, the superseded SEND law and terms (``audit/law/terms.py``) with a worked
example of the "Legally current" points, the column descriptions and the published audit's
reproduction details."""

from __future__ import annotations

from audit import __version__
from audit.checks.legal import (FEEDBACK_POINTS, LAW_POINTS, REVIEW_POINTS, SHARE_FOR_NO_POINTS, LegallyCurrent)
from audit.checks.send_space import SEND_SPACE_TEXT
from audit.checks.statutory import ITEMS, PUBLISHED_WORDING
from audit.law.terms import TERMS
from crawler.settings import CONTACT_URL
from datasette_config.published.common import DIMENSIONS, latest_audit, query_rows

# The worked example of the "Legally current" points: a Local Offer of 190 pages and 10 readable
# documents, 3 of them presenting superseded law as current, 2 past their own review date, its
# latest "You said, we did" covering 2024, audited as of 23 November 2026.
LEGAL_EXAMPLE = {"pages_crawled": 190, "documents_text_read": 10, "pages_outdated_law": 2,
                 "documents_outdated_law": 1, "documents_overdue_review": 2, "feedback_latest_year": 2024,
                 "as_of": "2026-11-23"}


def legal_example() -> dict:
    """The example's figures and its points, part by part, from the check's own ``parts``."""
    row = LEGAL_EXAMPLE
    law, review, feedback = LegallyCurrent.parts(row)
    return {**row, "read": row["pages_crawled"] + row["documents_text_read"],
            "outdated": row["pages_outdated_law"] + row["documents_outdated_law"],
            "law": round(law, 2), "review": round(review, 2), "feedback": round(feedback, 2),
            "total": round(LegallyCurrent.points(row), 2), "law_points": LAW_POINTS, "review_points": REVIEW_POINTS,
            "feedback_points": FEEDBACK_POINTS, "multiplier": round(1 / SHARE_FOR_NO_POINTS),
            "weight": LegallyCurrent.dimension.weight}


async def reproduction(db) -> dict | None:
    """The published audit and its crawl: what a reader needs to re-run it exactly."""
    audit = await latest_audit(db)
    if not audit:
        return None
    crawls = await query_rows(db, "select * from crawls where crawl_id = :c", {"c": audit["crawl_id"]})
    return {**audit, "crawl": crawls[0] if crawls else {}}


def static_template_vars(datasette) -> dict:
    try:
        db_name = datasette.get_database().name
    except IndexError:
        db_name = None
    columns = {}
    if db_name:
        columns = (datasette.table_metadata(db_name, "council_scores") or {}).get("columns") or {}
    return {
        "lo_db_name": db_name,
        "lo_db_href": datasette.urls.database(db_name) if db_name else None,
        "lo_dimensions": [
            {"key": d.key, "label": d.label, "weight": d.weight, "rule": d.rule, "column": f"score_{d.key}"}
            for d in DIMENSIONS
        ],
        "lo_statutory_items": [
            {"id": item.id, "label": PUBLISHED_WORDING[item.id][0], "basis": PUBLISHED_WORDING[item.id][1]}
            for item in ITEMS
        ],
        "lo_score_columns": list(columns.items()),
        "lo_send_space": list(SEND_SPACE_TEXT.items()),
        "lo_law_terms": [{"id": t.id, "label": t.label, "explanation": t.explanation, "variants": t.variants,
                          "replaced_by": t.replaced_by, "since": t.since, "source": t.source} for t in TERMS],
        "lo_legal_example": legal_example(),
        "lo_version": __version__,
        "lo_contact_url": CONTACT_URL,
        "lo_published": None,
    }
