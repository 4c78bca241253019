"""``/methodology`` is a Datasette custom page (``templates/pages/methodology.html``); this
module supplies what it shows: the dimensions and how each is earned (from the checks), the
statutory items, the column descriptions and the published audit's reproduction details."""

from __future__ import annotations

from audit import __version__
from audit.checks.send_space import SEND_SPACE_TEXT
from audit.checks.statutory import ITEMS, PUBLISHED_WORDING
from crawler.settings import CONTACT_URL
from datasette_config.published.common import DIMENSIONS, latest_audit, query_rows


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
        "lo_version": __version__,
        "lo_contact_url": CONTACT_URL,
        "lo_published": None,
    }
