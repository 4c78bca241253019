"""``/``: the league table of the latest complete audit (``index.html``), with movement
since the previous complete audit, sortable and filterable with plain links and a GET form
(no script), and four SVG charts (geometry from ``datasette_config.charts``)."""

from __future__ import annotations

from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from audit.checks.assessment import REASON_TEXT
from audit.core.wording import as_float, as_int, pct, plural
from datasette_config.charts import Item, hbar_chart, histogram
from datasette_config.published.common import (DIMENSIONS, database, dimension_cells, fmt_weight, latest_audit,
                                               movement, previous_audit, qs, query_rows, raw_links)


async def league_rows(datasette, db, audit: dict, before: dict | None) -> list[dict]:
    """Every council in ``audit`` with its region, type, cells and movement."""
    scores = await query_rows(
        db,
        "select s.*, c.region, c.la_type from council_scores s left join councils c on c.code = s.council_code "
        "where s.audit_id = :audit_id order by s.rank is null, s.rank, s.council_name",
        {"audit_id": audit["audit_id"]},
    )
    previous = {}
    if before:
        previous = {r["council_code"]: r for r in await query_rows(
            db, "select council_code, score, rank from council_scores where audit_id = :a", {"a": before["audit_id"]})}
    return [{
        "rank": s.get("rank"),
        "code": s["council_code"],
        "name": s.get("council_name") or s["council_code"],
        "region": s.get("region") or "",
        "la_type": s.get("la_type") or "",
        "score": None if s.get("score") is None else round(as_float(s["score"]), 1),
        "href": datasette.urls.path("/council/" + tilde_encode(s["council_code"])),
        "crawl_status": s.get("crawl_status"),
        "not_assessed": REASON_TEXT.get(s.get("not_assessed_reason") or "", s.get("not_assessed_reason"))
        if s.get("score") is None else None,
        "cells": dimension_cells(s, audit.get("stale_after_days")),
        "move": movement(s, previous.get(s["council_code"])),
        "raw": s,
    } for s in scores]


FILTERS = (("region", "Region"), ("la_type", "Type of authority"))
SORT_KEYS = {  # key -> (value of a row, default direction)
    "rank": (lambda r: r["rank"], "asc"),
    "council": (lambda r: r["name"].lower(), "asc"),
    "score": (lambda r: r["score"], "desc"),
    "movement": (lambda r: r["move"]["delta"], "desc"),
    **{d.key: ((lambda r, i=i: r["cells"][i]["points"]), "desc") for i, d in enumerate(DIMENSIONS)},
}


def filter_options(rows: list[dict], args) -> list[dict]:
    """The filter drop-downs: every value present in the audit, and the one chosen."""
    return [{"name": name, "label": label, "chosen": args.get(name) or "",
             "values": sorted({r[name] for r in rows if r[name]})} for name, label in FILTERS]


def apply_filters(rows: list[dict], filters: list[dict]) -> list[dict]:
    for f in filters:
        if f["chosen"]:
            rows = [r for r in rows if r[f["name"]] == f["chosen"]]
    return rows


def sort_rows(rows: list[dict], key: str, direction: str) -> list[dict]:
    """Sorted by ``key``; councils without a value (no score, no previous audit) always last."""
    value, _ = SORT_KEYS[key]
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: r["rank"] or 0)  # ties keep league order (the sort is stable)
    present.sort(key=value, reverse=direction == "desc")
    return present + missing


def sort_headers(filters: list[dict], key: str, direction: str) -> dict:
    """For each sortable column: the link that sorts by it (toggling when it is the current
    sort) and its ``aria-sort`` value. Plain links: sorting works without script."""
    chosen = {f["name"]: f["chosen"] or None for f in filters}
    headers = {}
    for name, (_, default) in SORT_KEYS.items():
        current = name == key
        next_dir = ("asc" if direction == "desc" else "desc") if current else default
        headers[name] = {
            "href": qs(**chosen, sort=name, dir=next_dir) or "?",
            "aria": ("ascending" if direction == "asc" else "descending") if current else None,
        }
    return headers


def front_charts(rows: list[dict], worst: int = 15) -> list[dict]:
    """The four front-page charts, over the councils currently shown."""
    scored = [r for r in rows if r["score"] is not None]
    crawled = [r for r in rows if as_int(r["raw"].get("pages_crawled"))]
    stale = sorted(crawled, key=lambda r: -as_float(r["raw"].get("stale_pages")) / as_int(r["raw"]["pages_crawled"]))
    broken = sorted((r for r in rows if as_int(r["raw"].get("broken_links"))),
                    key=lambda r: -as_int(r["raw"]["broken_links"]))
    regions: dict[str, list[float]] = {}
    for r in scored:
        regions.setdefault(r["region"] or "Unknown region", []).append(r["score"])
    by_region = sorted(regions.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))
    return [
        {"kind": "histogram", "chart": histogram(
            "chart-scores", "How the scores are spread",
            f"Number of councils in each 10-point score band, over {plural(len(scored), 'council')}.",
            [r["score"] for r in scored], ("Score band", "Councils"))},
        {"kind": "hbar", "chart": hbar_chart(
            "chart-stale", f"Out-of-date pages: the {min(worst, len(stale))} councils with the highest share",
            "Share of each council's crawled pages that are past the stale threshold, worst first.",
            [Item(r["name"], 100 * as_float(r["raw"].get("stale_pages")) / as_int(r["raw"]["pages_crawled"]),
                  f"{pct(r['raw'].get('stale_pages'), r['raw']['pages_crawled'])} of "
                  f"{as_int(r['raw']['pages_crawled'])}", r["href"]) for r in stale[:worst]],
            ("Council", "Pages out of date"), max_value=100)},
        {"kind": "hbar", "chart": hbar_chart(
            "chart-broken", f"Broken links: the {min(worst, len(broken))} councils with the most",
            "Number of distinct broken link targets on each council's Local Offer, most first.",
            [Item(r["name"], as_int(r["raw"]["broken_links"]),
                  f"{as_int(r['raw']['broken_links'])} of {as_int(r['raw'].get('links_checked'))}", r["href"])
             for r in broken[:worst]],
            ("Council", "Broken links"))},
        {"kind": "hbar", "chart": hbar_chart(
            "chart-regions", "Average score by region",
            "Mean score of the councils in each region, best first.",
            [Item(region, sum(v) / len(v), f"{sum(v) / len(v):.1f} ({plural(len(v), 'council')})",
                  qs(region=region) if region != "Unknown region" else "")
             for region, v in by_region],
            ("Region", "Average score"), max_value=100)},
    ]


async def front_page(datasette, request):
    db = database(datasette)
    audit = await latest_audit(db)
    before = await previous_audit(db, audit)
    every = await league_rows(datasette, db, audit, before) if audit else []
    filters = filter_options(every, request.args)
    key = request.args.get("sort") if request.args.get("sort") in SORT_KEYS else "rank"
    direction = request.args.get("dir") if request.args.get("dir") in ("asc", "desc") else SORT_KEYS[key][1]
    shown = apply_filters(every, filters)
    # Councils not assessed are listed apart with the reason, never ranked (SPEC).
    rows = sort_rows([r for r in shown if r["not_assessed"] is None], key, direction)
    not_assessed = [r for r in shown if r["not_assessed"] is not None]
    context = {
        "lo_audit": audit,
        "lo_previous": before,
        "lo_rows": rows,
        "lo_not_assessed": not_assessed,
        "lo_total": len(every),
        "lo_filters": filters,
        "lo_filtered": any(f["chosen"] for f in filters),
        "lo_sort": {"key": key, "dir": direction, "headers": sort_headers(filters, key, direction)},
        "lo_charts": front_charts(rows) if rows else [],
        "lo_dimensions_header": [{"key": d.key, "label": d.label, "weight": fmt_weight(d.weight)} for d in DIMENSIONS],
        "lo_raw": raw_links(datasette, db.name),
        "metadata": datasette.metadata(),
    }
    html = await datasette.render_template("index.html", context, request=request, view_name="lo_index")
    return Response.html(html)
