"""lo-audit's published pages, as a Datasette 0.65 plugin (loaded with --plugins-dir).

Routes (registered before Datasette's own, so ``/`` is ours):

* ``/``                the league table of the latest complete audit (``index.html``): movement
                       since the previous complete audit, sortable and filterable with plain
                       links and a GET form (no script), and four SVG charts
* ``/council/<code>``  a council's report card (``council.html``): breakdown, what changed
                       since the previous complete audit, evidence, history charts; 404 for an
                       unknown code
* ``/data-dictionary`` every table and column with its metadata.yml description, downloads
                       and the licence (``data_dictionary.html``)

``/methodology`` is a Datasette custom page (``templates/pages/methodology.html``); it
gets the scoring dimensions, the statutory items and the column descriptions from
:func:`extra_template_vars`. ``/.json`` and everything under ``/<database>/`` stay
Datasette's own.

Everything shown comes from crawled web pages and is untrusted: templates rely on
Jinja's autoescaping (never ``|safe`` on data) and the ``lo_href`` filter returns a URL
only when it is a plain http(s) address, so ``javascript:`` or ``data:`` URLs are shown
as text, never as links. Every query reads the latest *complete* audit through the
``latest_audit`` view; "previous" always means the complete audit before it. Chart
geometry comes from ``datasette_config.charts``; the templates draw it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Response

try:
    from audit.plugins import dimensions
except ImportError:  # plugins-dir module run without the project on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from audit.plugins import dimensions
DIMENSIONS = dimensions()
from audit import __version__
from crawler.settings import CONTACT_URL
from datasette_config.charts import Item, hbar_chart, histogram, line_chart

# The 16 statutory items (the project reference reference/statutory_items.md): id, what the
# item is, and the basis in law / the Code of Practice.
SCHED2 = "SEND Regulations 2014 Schedule 2; Code of Practice ch. 4"
STATUTORY_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("education_provision", "SEN provision in early years settings, schools and colleges in the area", SCHED2),
    ("out_of_area_provision", "Provision outside the area the council expects to use (independent and "
     "non-maintained special schools, specialist colleges)", SCHED2),
    ("identification_assessment", "How special educational needs are identified and assessed, including "
     "requesting an EHC needs assessment and its criteria", SCHED2),
    ("health_provision", "Health services: therapies (speech and language, OT, physio), CAMHS, community "
     "paediatrics, continuing care", SCHED2),
    ("social_care_provision", "Social care for disabled children and young people, including short breaks "
     "and the short breaks statement", SCHED2),
    ("travel_transport", "Travel assistance to and from schools, post-16 institutions and early years settings",
     SCHED2),
    ("preparing_for_adulthood", "Moving between phases and preparing for adulthood (employment, independent "
     "living, community, health), 16-25", SCHED2 + "; Code of Practice ch. 8"),
    ("training_employment", "Apprenticeships, traineeships, supported internships and post-16 training", SCHED2),
    ("information_advice", "Sources of information, advice and support: SENDIASS, parent carer forum, "
     "support groups", SCHED2),
    ("childcare", "Childcare, including for disabled children", SCHED2),
    ("leisure", "Leisure activities", SCHED2),
    ("complaints_redress", "Complaints, disagreement resolution, mediation and appeals to the SEND Tribunal",
     SCHED2),
    ("personal_budgets", "Personal budgets and direct payments policy", SCHED2),
    ("accessibility_strategy", "The council's accessibility strategy for schools", SCHED2),
    ("feedback_published", "Comments on the Local Offer and the council's response, published",
     "SEND Regulations 2014 reg. 56; Code of Practice ch. 4"),
    ("contact", "A named or direct contact for Local Offer help",
     "SEND Regulations 2014 reg. 53-55; Code of Practice ch. 4"),
)
STATUTORY_LABELS = {item_id: label for item_id, label, _ in STATUTORY_ITEMS}

SEND_SPACE_TEXT = {
    "dedicated_site": "Dedicated SEND site",
    "directory_channel": "Channel of a wider services directory",
    "council_section": "Section of the council's main site",
    "not_found": "No Local Offer found",
}
FEATURES = (
    ("has_search", "site search"),
    ("has_social_media", "social media"),
    ("has_newsletter", "newsletter"),
    ("has_video", "video"),
    ("has_feedback_published", "published feedback"),
)
AIDS_TEXT = {"translation": "translation", "text_resize": "text resize", "read_aloud": "read aloud"}

CHECK_LABELS = {  # in the order the report card lists them
    "site_unreachable": "Site could not be crawled",
    "broken_link": "Broken links",
    "soft_404": "Links to 'page not found' pages (soft 404)",
    "stale_page": "Pages out of date",
    "stale_document": "Documents out of date",
    "undated_page": "Pages with no last-updated date",
    "a11y": "Accessibility failures",
    "statutory_missing": "Statutory content not found",
    "pfa_missing": "No Preparing for Adulthood (16-25) section",
    "blocked_link": "Links we could not verify (blocked)",
}
# Which findings explain the points lost in each dimension (for "what to fix first").
DIMENSION_CHECKS = {
    "freshness": ("stale_page", "undated_page", "stale_document"),
    "links": ("broken_link", "soft_404"),
    "accessibility": ("a11y",),
    "statutory": ("statutory_missing",),
    "pfa": ("pfa_missing",),
    "send_space": ("site_unreachable", "send_space"),
    "features": ("missing_feature", "feature_missing", "features"),
}
DIMENSION_ADVICE = {
    "freshness": "Review the oldest pages first, and show a visible 'Last updated' date on every page.",
    "links": "Fix or remove the broken links below; each one is a dead end for a family.",
    "accessibility": "Fix the failing elements below (missing alt text, labels, link names ...), then add translation, text resize or read-aloud aids.",
    "statutory": "Publish a page about each missing statutory item.",
    "pfa": "Give Preparing for Adulthood (16-25) its own page, two clicks or fewer from the Local Offer home page.",
    "send_space": "Give the Local Offer a findable, dedicated home.",
    "features": "Add site search, a newsletter, and publish feedback with the council's response ('You said, we did').",
}
FINDINGS_PER_CHECK = 200
FIX_FIRST_PER_DIMENSION = 5

SEVERITY_ORDER_SQL = "case f.severity when 'high' then 0 when 'medium' then 1 when 'low' then 2 else 3 end"


# --- helpers -----------------------------------------------------------------------

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


def _num(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _int(value) -> int:
    return int(_num(value))


def _pct(part, whole) -> str:
    return f"{round(100 * _num(part) / _num(whole))}%" if _num(whole) else "0%"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def age_phrase(days) -> str:
    days = _int(days) or 365
    if days % 365 == 0:
        years = days // 365
        return "a year" if years == 1 else f"{years} years"
    return f"{days} days"


def dimension_text(key: str, s: dict, stale_after_days=365) -> str:
    """One plain-English sentence summarising a council's measurement in a dimension."""
    if key == "freshness":
        pages = _int(s.get("pages_crawled"))
        if not pages:
            return "No pages crawled"
        text = f"{_pct(s.get('stale_pages'), pages)} of pages over {age_phrase(stale_after_days)} old"
        undated = _int(s.get("undated_pages"))
        if undated:
            text += f"; {_pct(undated, pages)} undated"
        return text
    if key == "links":
        checked = _int(s.get("links_checked"))
        if not checked:
            return "No links checked"
        broken = _int(s.get("broken_links"))
        text = f"{_plural(broken, 'broken link')} of {checked}"
        blocked = _int(s.get("blocked_links"))
        if blocked:
            text += f"; {blocked} could not be verified"
        return text
    if key == "accessibility":
        checked = _int(s.get("a11y_pages_checked"))
        text = (f"{_int(s.get('a11y_pages_failing'))} of {_plural(checked, 'page')} fail automated checks"
                if checked else "No pages checked")
        aids = [AIDS_TEXT.get(a.strip(), a.strip()) for a in (s.get("a11y_features") or "").split(",") if a.strip()]
        text += "; aids: " + ", ".join(aids) if aids else "; no accessibility aids found"
        return text
    if key == "statutory":
        return f"{_int(s.get('statutory_found'))} of {_int(s.get('statutory_total'))} statutory items found"
    if key == "pfa":
        if not _int(s.get("pfa_section")):
            return "No 16-25 section"
        clicks = s.get("pfa_clicks")
        if clicks is None:
            return "16-25 section found"
        return f"16-25 section, {_plural(_int(clicks), 'click')} from home"
    if key == "send_space":
        return SEND_SPACE_TEXT.get(s.get("send_space") or "not_found", str(s.get("send_space")))
    if key == "features":
        present = [label for col, label in FEATURES if _int(s.get(col))]
        if not present:
            return f"None of {len(FEATURES)} found"
        return f"{len(present)} of {len(FEATURES)}: " + ", ".join(present)
    return ""


def dimension_cells(s: dict, stale_after_days=365) -> list[dict]:
    cells = []
    for d in DIMENSIONS:
        points = s.get(f"score_{d.key}")
        cells.append({
            "key": d.key,
            "label": d.label,
            "weight": d.weight,
            "points": None if points is None else round(_num(points), 1),
            "lost": None if points is None else round(d.weight - _num(points), 1),
            "text": dimension_text(d.key, s, stale_after_days),
            "rule": d.rule,
        })
    return cells


def _fmt_weight(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _db(datasette):
    return datasette.get_database()


def _qs(**params) -> str:
    params = {k: v for k, v in params.items() if v is not None}
    return "?" + urlencode(params) if params else ""


async def _rows(db, sql: str, params=None) -> list[dict]:
    result = await db.execute(sql, params or {})
    return [dict(r) for r in result.rows]


async def latest_audit(db) -> dict | None:
    try:
        rows = await _rows(db, "select * from latest_audit")
    except Exception:  # no schema yet (an empty or foreign database)
        return None
    return rows[0] if rows else None


def _raw_links(datasette, db_name: str, **filters) -> dict:
    urls = datasette.urls
    return {
        "database": urls.database(db_name),
        "league_table": urls.table(db_name, "league_table"),
        "council_scores": urls.table(db_name, "council_scores") + _qs(**filters),
        "findings": urls.table(db_name, "findings") + _qs(**filters),
        "a11y_results": urls.table(db_name, "a11y_results") + _qs(**filters),
        "statutory_coverage": urls.table(db_name, "statutory_coverage") + _qs(**filters),
        "page_audits": urls.table(db_name, "page_audits") + _qs(**filters),
        "document_audits": urls.table(db_name, "document_audits") + _qs(**filters),
        "league_query": urls.query(db_name, "league"),
        "league_csv": urls.query(db_name, "league", format="csv"),
    }


# --- pages -------------------------------------------------------------------------

async def previous_audit(db, audit: dict | None) -> dict | None:
    """The complete audit before ``audit``: the baseline for movement and "what changed"."""
    if not audit:
        return None
    rows = await _rows(
        db, "select * from audits where status = 'complete' and audit_id < :a order by audit_id desc limit 1",
        {"a": audit["audit_id"]})
    return rows[0] if rows else None


def movement(score: dict, before: dict | None) -> dict:
    """Score and rank change since the previous audit, as arrow, points and words."""
    if before is None or before.get("score") is None or score.get("score") is None:
        return {"delta": None, "arrow": "", "css": "", "points": "new", "rank": "not in the previous audit"}
    delta = round(_num(score["score"]) - _num(before["score"]), 1)
    places = _int(before.get("rank")) - _int(score.get("rank"))
    arrow, css = ("▲", "lo-up") if delta > 0 else ("▼", "lo-down") if delta < 0 else ("", "")
    if places:
        rank = f"{'up' if places > 0 else 'down'} {_plural(abs(places), 'place')}"
    else:
        rank = "same rank"
    return {"delta": delta, "arrow": arrow, "css": css,
            "points": f"{delta:+.1f} pts" if delta else "no change", "rank": rank}


async def league_rows(datasette, db, audit: dict, before: dict | None) -> list[dict]:
    """Every council in ``audit`` with its region, type, cells and movement."""
    scores = await _rows(
        db,
        "select s.*, c.region, c.la_type from council_scores s left join councils c on c.code = s.council_code "
        "where s.audit_id = :audit_id order by s.rank, s.council_name",
        {"audit_id": audit["audit_id"]},
    )
    previous = {}
    if before:
        previous = {r["council_code"]: r for r in await _rows(
            db, "select council_code, score, rank from council_scores where audit_id = :a", {"a": before["audit_id"]})}
    return [{
        "rank": s.get("rank"),
        "code": s["council_code"],
        "name": s.get("council_name") or s["council_code"],
        "region": s.get("region") or "",
        "la_type": s.get("la_type") or "",
        "score": None if s.get("score") is None else round(_num(s["score"]), 1),
        "href": datasette.urls.path("/council/" + tilde_encode(s["council_code"])),
        "crawl_status": s.get("crawl_status"),
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
            "href": _qs(**chosen, sort=name, dir=next_dir) or "?",
            "aria": ("ascending" if direction == "asc" else "descending") if current else None,
        }
    return headers


def front_charts(rows: list[dict], worst: int = 15) -> list[dict]:
    """The four front-page charts, over the councils currently shown."""
    scored = [r for r in rows if r["score"] is not None]
    crawled = [r for r in rows if _int(r["raw"].get("pages_crawled"))]
    stale = sorted(crawled, key=lambda r: -_num(r["raw"].get("stale_pages")) / _int(r["raw"]["pages_crawled"]))
    broken = sorted((r for r in rows if _int(r["raw"].get("broken_links"))),
                    key=lambda r: -_int(r["raw"]["broken_links"]))
    regions: dict[str, list[float]] = {}
    for r in scored:
        regions.setdefault(r["region"] or "Unknown region", []).append(r["score"])
    by_region = sorted(regions.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))
    return [
        {"kind": "histogram", "chart": histogram(
            "chart-scores", "How the scores are spread",
            f"Number of councils in each 10-point score band, over {_plural(len(scored), 'council')}.",
            [r["score"] for r in scored], ("Score band", "Councils"))},
        {"kind": "hbar", "chart": hbar_chart(
            "chart-stale", f"Out-of-date pages: the {min(worst, len(stale))} councils with the highest share",
            "Share of each council's crawled pages that are past the stale threshold, worst first.",
            [Item(r["name"], 100 * _num(r["raw"].get("stale_pages")) / _int(r["raw"]["pages_crawled"]),
                  f"{_pct(r['raw'].get('stale_pages'), r['raw']['pages_crawled'])} of "
                  f"{_int(r['raw']['pages_crawled'])}", r["href"]) for r in stale[:worst]],
            ("Council", "Pages out of date"), max_value=100)},
        {"kind": "hbar", "chart": hbar_chart(
            "chart-broken", f"Broken links: the {min(worst, len(broken))} councils with the most",
            "Number of distinct broken link targets on each council's Local Offer, most first.",
            [Item(r["name"], _int(r["raw"]["broken_links"]),
                  f"{_int(r['raw']['broken_links'])} of {_int(r['raw'].get('links_checked'))}", r["href"])
             for r in broken[:worst]],
            ("Council", "Broken links"))},
        {"kind": "hbar", "chart": hbar_chart(
            "chart-regions", "Average score by region",
            "Mean score of the councils in each region, best first.",
            [Item(region, sum(v) / len(v), f"{sum(v) / len(v):.1f} ({_plural(len(v), 'council')})",
                  _qs(region=region) if region != "Unknown region" else "")
             for region, v in by_region],
            ("Region", "Average score"), max_value=100)},
    ]


async def front_page(datasette, request):
    db = _db(datasette)
    audit = await latest_audit(db)
    before = await previous_audit(db, audit)
    every = await league_rows(datasette, db, audit, before) if audit else []
    filters = filter_options(every, request.args)
    key = request.args.get("sort") if request.args.get("sort") in SORT_KEYS else "rank"
    direction = request.args.get("dir") if request.args.get("dir") in ("asc", "desc") else SORT_KEYS[key][1]
    rows = sort_rows(apply_filters(every, filters), key, direction)
    context = {
        "lo_audit": audit,
        "lo_previous": before,
        "lo_rows": rows,
        "lo_total": len(every),
        "lo_filters": filters,
        "lo_filtered": any(f["chosen"] for f in filters),
        "lo_sort": {"key": key, "dir": direction, "headers": sort_headers(filters, key, direction)},
        "lo_charts": front_charts(rows) if rows else [],
        "lo_dimensions_header": [{"key": d.key, "label": d.label, "weight": _fmt_weight(d.weight)} for d in DIMENSIONS],
        "lo_raw": _raw_links(datasette, db.name),
        "metadata": datasette.metadata(),
    }
    html = await datasette.render_template("index.html", context, request=request, view_name="lo_index")
    return Response.html(html)


HISTORY_AUDITS = 20
CHANGES_PER_LIST = 200


async def history(db, code: str) -> list[dict]:
    """The council's score rows over the last complete audits, oldest first."""
    rows = await _rows(
        db,
        "select s.* from council_scores s join audits a on a.audit_id = s.audit_id and a.status = 'complete' "
        "where s.council_code = :code order by s.audit_id desc limit :n",
        {"code": code, "n": HISTORY_AUDITS},
    )
    rows.reverse()
    for r in rows:
        r["points"] = [None if r.get(f"score_{d.key}") is None else round(_num(r[f"score_{d.key}"]), 1)
                       for d in DIMENSIONS]
    return rows


def history_charts(rows: list[dict]) -> dict:
    """A line chart of the score over time and one small chart per dimension."""
    when = [r["as_of"] for r in rows]
    span = f"over {_plural(len(rows), 'audit')} from {when[0]} to {when[-1]}" if rows else ""
    score = line_chart("chart-history", "Score over time",
                       f"Score out of 100 {span}; the table below has every value.",
                       [(r["as_of"], r.get("score")) for r in rows], 100)
    dimensions = [line_chart(f"chart-history-{d.key}", f"{d.label} (out of {_fmt_weight(d.weight)})",
                             f"Points for {d.label} {span}; the table below has every value.",
                             [(r["as_of"], r["points"][i]) for r in rows], d.weight, small=True)
                  for i, d in enumerate(DIMENSIONS)]
    return {"score": score, "dimensions": dimensions}


CHANGE_SQL = {
    # broken in the latest audit, not in the previous one
    "newly_broken": """
        select f.url, f.target, f.evidence,
          (select l.link_text from links l where l.crawl_id = :crawl and l.council_code = f.council_code
             and l.source_url = f.url and l.target_url = f.target) as link_text
        from findings f
        where f.audit_id = :a and f.council_code = :code and f.check_name = 'broken_link'
          and f.target not in (select target from findings
                               where audit_id = :p and council_code = :code and check_name = 'broken_link')
        order by f.target, f.url limit :n""",
    # broken in the previous audit, not in the latest: fixed, or no longer linked at all
    "fixed": """
        select f.url, f.target, f.evidence as was, lc.outcome, lc.status,
          f.target in (select t.url from link_edges e join urls t on t.url_id = e.target_id
                       where e.crawl_id = :crawl and e.council_code = :code) as still_linked
        from findings f
        left join link_checks lc on lc.crawl_id = :crawl and lc.url = f.target
        where f.audit_id = :p and f.council_code = :code and f.check_name = 'broken_link'
          and f.target not in (select target from findings
                               where audit_id = :a and council_code = :code and check_name = 'broken_link')
        order by f.target, f.url limit :n""",
    # a page in both audits whose last-updated date moved forward (or appeared)
    "updated": """
        select p.url, p.title, q.last_updated as before, p.last_updated as after, p.date_evidence
        from page_audits p
        join page_audits q on q.audit_id = :p and q.council_code = p.council_code and q.url = p.url
        where p.audit_id = :a and p.council_code = :code and p.last_updated is not null
          and (q.last_updated is null or p.last_updated > q.last_updated)
        order by p.url limit :n""",
    # a page in both audits, fresh before and stale now
    "gone_stale": """
        select p.url, p.title, p.last_updated, p.age_days, p.date_evidence
        from page_audits p
        join page_audits q on q.audit_id = :p and q.council_code = p.council_code and q.url = p.url
        where p.audit_id = :a and p.council_code = :code and p.stale = 1 and coalesce(q.stale, 0) = 0
        order by p.url limit :n""",
}


async def what_changed(db, code: str, audit: dict, before: dict) -> dict:
    """Links newly broken, links fixed, pages updated and pages gone stale between the
    previous complete audit and the latest one, from their findings and page audits."""
    params = {"a": audit["audit_id"], "p": before["audit_id"], "crawl": audit["crawl_id"], "code": code,
              "n": CHANGES_PER_LIST}
    changes = {name: await _rows(db, sql, params) for name, sql in CHANGE_SQL.items()}
    for rows in changes.values():
        for r in rows:
            r["url_href"] = safe_href(r.get("url"))
            r["target_href"] = safe_href(r.get("target"))
    for r in changes["fixed"]:
        r["now"] = (f"now {r['status'] or r['outcome']}" if r["still_linked"] and r["outcome"]
                    else "no longer linked from the site")
    return changes


async def council_page(datasette, request):
    # Datasette redirects %-escapes to its ~-escapes (/council/a%20b -> /council/a~20b)
    code = tilde_decode(request.url_vars["code"])
    db = _db(datasette)
    councils = []
    try:
        councils = await _rows(db, "select * from councils where code = :code", {"code": code})
    except Exception:
        pass
    audit = await latest_audit(db)
    score = None
    if audit:
        found = await _rows(
            db,
            "select * from council_scores where audit_id = :a and council_code = :code",
            {"a": audit["audit_id"], "code": code},
        )
        score = found[0] if found else None
    if not councils and score is None:
        html = await datasette.render_template(
            "council.html",
            {"lo_not_found": True, "lo_code": code, "lo_name": "Council not found", "metadata": datasette.metadata()},
            request=request, view_name="lo_council",
        )
        return Response.html(html, status=404)
    council = councils[0] if councils else {"code": code, "name": score.get("council_name")}
    name = council.get("name") or (score or {}).get("council_name") or code

    context = {
        "lo_code": code,
        "lo_council": council,
        "lo_name": name,
        "lo_audit": audit,
        "lo_score": score,
        "metadata": datasette.metadata(),
    }
    audit_id = audit["audit_id"] if audit else None
    context["lo_raw"] = _raw_links(datasette, db.name, council_code=code, audit_id=audit_id)
    context["lo_raw"]["history"] = datasette.urls.table(db.name, "council_scores") + _qs(council_code=code)
    context["lo_raw"]["report_card_json"] = datasette.urls.query(db.name, "report_card", format="json") + _qs(
        council_code=code, _shape="array")
    context["lo_raw"]["broken_links"] = datasette.urls.query(db.name, "broken_links") + _qs(council_code=code)

    if score is not None:
        stale_days = audit.get("stale_after_days")
        cells = dimension_cells(score, stale_days)
        context["lo_cells"] = cells
        context["lo_total_count"] = (await _rows(
            db, "select count(*) as n from council_scores where audit_id = :a", {"a": audit_id}))[0]["n"]

        # Findings, grouped by check, each enriched with the evidence behind it.
        counts = await _rows(
            db,
            "select check_name, count(*) as n from findings where audit_id = :a and council_code = :code "
            "group by check_name order by n desc",
            {"a": audit_id, "code": code},
        )
        findings = await _rows(
            db,
            f"""
            select * from (
              select f.check_name, f.url, f.target, f.severity, f.detail, f.evidence,
                lc.status as link_status, lc.reason as link_reason, lc.outcome as link_outcome,
                (select l.link_text from links l
                   where l.crawl_id = :crawl and l.council_code = f.council_code
                     and l.source_url = f.url and l.target_url = f.target) as link_text,
                coalesce(pa.title, '') as page_title,
                coalesce(pa.date_evidence, da.date_evidence) as date_evidence,
                coalesce(pa.last_updated, da.last_updated) as last_updated,
                coalesce(pa.date_source, da.date_source) as date_source,
                row_number() over (partition by f.check_name order by {SEVERITY_ORDER_SQL}, f.url, f.target) as rn
              from findings f
              left join link_checks lc
                on lc.crawl_id = :crawl and lc.url = f.target
               and f.check_name in ('broken_link', 'blocked_link', 'soft_404')
              left join page_audits pa
                on pa.audit_id = f.audit_id and pa.council_code = f.council_code and pa.url = f.url
              left join document_audits da
                on da.audit_id = f.audit_id and da.council_code = f.council_code and da.url = f.url
              where f.audit_id = :a and f.council_code = :code
            ) where rn <= :limit
            order by check_name, rn
            """,
            {"a": audit_id, "code": code, "crawl": audit["crawl_id"], "limit": FINDINGS_PER_CHECK},
        )
        by_check: dict[str, list[dict]] = {}
        for f in findings:
            f["url_href"] = safe_href(f.get("url"))
            f["target_href"] = safe_href(f.get("target"))
            if f.get("check_name") == "statutory_missing":
                f["target_label"] = STATUTORY_LABELS.get(f.get("target") or "", "")
            by_check.setdefault(f["check_name"], []).append(f)
        groups = []
        check_order = {check: i for i, check in enumerate(CHECK_LABELS)}
        counts.sort(key=lambda c: (check_order.get(c["check_name"], len(check_order)), c["check_name"]))
        for c in counts:
            check = c["check_name"]
            groups.append({
                "check": check,
                "label": CHECK_LABELS.get(check, check.replace("_", " ").capitalize()),
                "count": c["n"],
                "rows": by_check.get(check, []),
                "raw": datasette.urls.table(db.name, "findings")
                + _qs(council_code=code, audit_id=audit_id, check_name=check),
            })
        context["lo_groups"] = groups

        # What to fix first: the dimensions losing most points, with their findings.
        fix_first = []
        for cell in sorted(cells, key=lambda c: -(c["lost"] or 0)):
            if not cell["lost"] or cell["lost"] < 0.05:
                continue
            related = [f for check in DIMENSION_CHECKS.get(cell["key"], ()) for f in by_check.get(check, [])]
            related.sort(key=lambda f: {"high": 0, "medium": 1, "low": 2}.get(f.get("severity") or "", 3))
            fix_first.append({
                **cell,
                "advice": DIMENSION_ADVICE.get(cell["key"], ""),
                "findings": related[:FIX_FIRST_PER_DIMENSION],
                "more": max(0, sum(next((g["count"] for g in groups if g["check"] == ch), 0)
                                   for ch in DIMENSION_CHECKS.get(cell["key"], ())) - FIX_FIRST_PER_DIMENSION),
            })
            if len(fix_first) == 3:
                break
        context["lo_fix_first"] = fix_first

        # Statutory items, in the canonical order.
        coverage = await _rows(
            db,
            "select item, found, evidence_url from statutory_coverage where audit_id = :a and council_code = :code",
            {"a": audit_id, "code": code},
        )
        order = {item_id: i for i, (item_id, _, _) in enumerate(STATUTORY_ITEMS)}
        coverage.sort(key=lambda r: (order.get(r["item"], 99), r["item"]))
        for r in coverage:
            r["label"] = STATUTORY_LABELS.get(r["item"], r["item"])
            r["href"] = safe_href(r.get("evidence_url"))
        context["lo_statutory"] = coverage

        # Accessibility results per page and rule, with the failing elements.
        a11y = await _rows(
            db,
            "select url, rule, engine, count, impact, targets from a11y_results "
            "where audit_id = :a and council_code = :code and count > 0 "
            "order by case impact when 'critical' then 0 when 'serious' then 1 when 'moderate' then 2 else 3 end, "
            "rule, url limit 500",
            {"a": audit_id, "code": code},
        )
        for r in a11y:
            r["url_href"] = safe_href(r.get("url"))
            try:
                targets = json.loads(r.get("targets") or "[]")
                if not isinstance(targets, list):
                    targets = [targets]
            except ValueError:
                targets = [r.get("targets")]
            r["target_list"] = [str(t) for t in targets[:10]]
            r["more_targets"] = max(0, len(targets) - 10)
        context["lo_a11y"] = a11y

        context["lo_history"] = await history(db, code)
        context["lo_history_charts"] = history_charts(context["lo_history"])
        before = await previous_audit(db, audit)
        context["lo_previous"] = before
        context["lo_changes"] = await what_changed(db, code, audit, before) if before else None
        if before:
            previous = await _rows(db, "select score, rank from council_scores where audit_id = :a and council_code = :c",
                                   {"a": before["audit_id"], "c": code})
            context["lo_move"] = movement(score, previous[0] if previous else None)
        context["lo_pfa_href"] = safe_href(score.get("pfa_url"))
    context["lo_local_offer_href"] = safe_href(council.get("local_offer_url"))
    html = await datasette.render_template("council.html", context, request=request, view_name="lo_council")
    return Response.html(html)


async def dictionary_entries(datasette, db) -> list[dict]:
    """Every table and view with its description, columns and download links."""
    names = [(n, "table") for n in await db.table_names() if not n.startswith("sqlite_")]
    names += [(n, "view") for n in await db.view_names()]
    entries = []
    for name, kind in sorted(names):
        meta = datasette.table_metadata(db.name, name) or {}
        described = meta.get("columns") or {}
        base = datasette.urls.table(db.name, name)
        entries.append({
            "name": name, "kind": kind, "description": meta.get("description") or "",
            "columns": [(col, described.get(col) or "") for col in await db.table_columns(name)],
            "href": base,
            "csv": datasette.urls.table(db.name, name, format="csv") + "?_stream=on&_size=max",
            "json": datasette.urls.table(db.name, name, format="json") + "?_shape=array&_size=max",
        })
    return entries


async def data_dictionary(datasette, request):
    """``/data-dictionary``: every table and column, described from metadata.yml, with
    CSV and JSON downloads and the licence, so the open data stands on its own."""
    db = _db(datasette)
    queries = await datasette.get_canned_queries(db.name, None)
    context = {
        "lo_tables": await dictionary_entries(datasette, db),
        "lo_queries": [{"name": name, "title": q.get("title") or name, "description": q.get("description") or "",
                        "href": datasette.urls.query(db.name, name),
                        "csv": datasette.urls.query(db.name, name, format="csv")}
                       for name, q in queries.items()],
        "metadata": datasette.metadata(),
    }
    html = await datasette.render_template("data_dictionary.html", context, request=request,
                                           view_name="lo_data_dictionary")
    return Response.html(html)


async def reproduction(db) -> dict | None:
    """The published audit and its crawl: what a reader needs to re-run it exactly."""
    audit = await latest_audit(db)
    if not audit:
        return None
    crawls = await _rows(db, "select * from crawls where crawl_id = :c", {"c": audit["crawl_id"]})
    return {**audit, "crawl": crawls[0] if crawls else {}}


# --- hooks -------------------------------------------------------------------------

@hookimpl
def register_routes():
    return [
        (r"^/$", front_page),
        (r"^/council/(?P<code>[^/]+)$", council_page),
        (r"^/data-dictionary$", data_dictionary),
    ]


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["lo_href"] = safe_href
    env.filters["lo_weight"] = _fmt_weight


@hookimpl
def extra_template_vars(datasette, template):
    """Data the methodology page (and the shared base template) needs. Only the
    methodology page pays for the query behind ``lo_published``."""
    context = _static_template_vars(datasette)
    if template != "pages/methodology.html" or not context["lo_db_name"]:
        return context

    async def with_published():
        context["lo_published"] = await reproduction(datasette.get_database())
        return context

    return with_published


def _static_template_vars(datasette) -> dict:
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
            {"id": item_id, "label": label, "basis": basis} for item_id, label, basis in STATUTORY_ITEMS
        ],
        "lo_score_columns": list(columns.items()),
        "lo_send_space": list(SEND_SPACE_TEXT.items()),
        "lo_version": __version__,
        "lo_contact_url": CONTACT_URL,
        "lo_published": None,
    }
