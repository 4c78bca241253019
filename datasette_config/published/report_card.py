"""``/council/<code>``: a council's report card (``council.html``): the breakdown by
dimension, what to fix first, what changed since the previous complete audit, every finding
with its evidence, and history charts; 404 for an unknown code."""

from __future__ import annotations

import json

from datasette.utils import tilde_decode
from datasette.utils.asgi import Response

from audit.checks.assessment import REASON_TEXT, SEED_SOURCE_TEXT
from audit.checks.directory import FIELD_WORDS
from audit.checks.statutory import ITEMS, PUBLISHED_WORDING
from audit.law.terms import TERMS_BY_ID
from audit.core.wording import as_float, plural
from datasette_config.charts import line_chart
from datasette_config.published.accessibility import council_issues
from datasette_config.published.changes import what_changed
from datasette_config.published.common import (DIMENSIONS, FINDING_LABELS, database, dimension_cells, fmt_weight,
                                               latest_audit, movement, previous_audit, qs, query_rows, raw_links, safe_href)

FINDINGS_PER_CHECK = 200
FIX_FIRST_PER_DIMENSION = 5
SEVERITY_ORDER_SQL = "case f.severity when 'high' then 0 when 'medium' then 1 when 'low' then 2 else 3 end"
STATUTORY_ORDER = {item.id: i for i, item in enumerate(ITEMS)}


HISTORY_AUDITS = 20
DIRECTORY_RECORDS_LISTED = 200
# Directory records a family would be misled by, worst first: out of date (oldest first), then
# undated, then dated and fresh but incomplete; more missing fields before fewer.
DIRECTORY_PROBLEMS_SQL = """
    select url, title, last_updated, date_evidence, stale, provider_url, provider_url_status,
      has_eligibility, has_access, has_contact, has_location, has_cost
    from directory_records
    where audit_id = :a and council_code = :code
      and (stale = 1 or last_updated is null or complete = 0 or provider_url_status = 'broken')
    order by case when stale = 1 then 0 when last_updated is null then 1 else 2 end, last_updated,
      has_eligibility + has_access + has_contact + has_location + has_cost, url
    limit :n"""


async def directory_section(db, code: str, audit_id: int) -> dict:
    """The report card's "Directory entries": the records with a problem, worst first, and
    the site-search queries with their answers."""
    params = {"a": audit_id, "code": code, "n": DIRECTORY_RECORDS_LISTED}
    records = await query_rows(db, DIRECTORY_PROBLEMS_SQL, params)
    for r in records:
        r["url_href"] = safe_href(r.get("url"))
        r["provider_href"] = safe_href(r.get("provider_url"))
        r["missing"] = [words for field, words in FIELD_WORDS.items() if not r.get(field)]
        r["problem"] = "out of date" if r.get("stale") == 1 else "undated" if not r.get("last_updated") else (
            "incomplete" if r["missing"] else "dead provider website")
    searches = await query_rows(
        db, "select topic, query_url, form_page, status, answer, evidence from site_search_queries "
            "where audit_id = :a and council_code = :code order by topic", params)
    for q in searches:
        q["query_href"] = safe_href(q.get("query_url"))
        q["form_href"] = safe_href(q.get("form_page"))
    return {"records": records, "searches": searches}


async def history(db, code: str) -> list[dict]:
    """The council's score rows over the last complete audits, oldest first."""
    rows = await query_rows(
        db,
        "select s.* from council_scores s join audits a on a.audit_id = s.audit_id and a.status = 'complete' "
        "where s.council_code = :code order by s.audit_id desc limit :n",
        {"code": code, "n": HISTORY_AUDITS},
    )
    rows.reverse()
    for r in rows:
        r["points"] = [None if r.get(f"score_{d.key}") is None else round(as_float(r[f"score_{d.key}"]), 1)
                       for d in DIMENSIONS]
    return rows


def history_charts(rows: list[dict]) -> dict:
    """A line chart of the score over time and one small chart per dimension."""
    when = [r["as_of"] for r in rows]
    span = f"over {plural(len(rows), 'audit')} from {when[0]} to {when[-1]}" if rows else ""
    score = line_chart("chart-history", "Score over time",
                       f"Score out of 100 {span}; the table below has every value.",
                       [(r["as_of"], r.get("score")) for r in rows], 100)
    dimensions = [line_chart(f"chart-history-{d.key}", f"{d.label} (out of {fmt_weight(d.weight)})",
                             f"Points for {d.label} {span}; the table below has every value.",
                             [(r["as_of"], r["points"][i]) for r in rows], d.weight, small=True)
                  for i, d in enumerate(DIMENSIONS)]
    return {"score": score, "dimensions": dimensions}


async def how_found(db, audit: dict, score: dict, code: str) -> dict:
    """How the Local Offer was found (registry, discovery, moved) with every candidate
    discovery considered, and why the council was not assessed, if it was not."""
    discoveries = []
    try:
        discoveries = await query_rows(
            db, "select candidate_url, found_on, evidence, chosen from discoveries where crawl_id = :crawl "
                "and council_code = :code order by chosen desc, score desc, candidate_url limit 50",
            {"crawl": audit["crawl_id"], "code": code})
    except Exception:  # a database crawled before discovery existed
        pass
    for d in discoveries:
        d["href"] = safe_href(d.get("candidate_url"))
    source = score.get("seed_source")
    reason = score.get("not_assessed_reason")
    not_assessed = None
    if score.get("score") is None and reason:
        finding = await query_rows(
            db, "select evidence from findings where audit_id = :a and council_code = :code "
                "and check_name = 'site_unreachable' limit 1", {"a": audit["audit_id"], "code": code})
        not_assessed = {"reason": REASON_TEXT.get(reason, reason), "evidence": finding[0]["evidence"] if finding else ""}
    return {
        "lo_discoveries": discoveries,
        "lo_seed_source": SEED_SOURCE_TEXT.get(source or "", "discovery found no Local Offer on the council's website"
                                               if reason == "no_local_offer_found" else "the registry's URL"),
        "lo_seed_href": safe_href(score.get("seed_url")),
        "lo_not_assessed": not_assessed,
    }
async def out_of_date_law(db, code: str, audit_id: int) -> dict:
    """The "Out of date law" section: every quote (linked to its page, or to the document's
    page for a PDF), the pages and documents past their own review date, and the feedback
    finding, from outdated_references and the legal check's findings."""
    quotes = await query_rows(
        db, "select url, term, kind, quote, location from outdated_references "
            "where audit_id = :a and council_code = :code order by kind desc, url, location, term",
        {"a": audit_id, "code": code})
    for r in quotes:
        term = TERMS_BY_ID.get(r["term"])
        r["label"] = term.label if term else r["term"]
        r["replaced_by"] = term.replaced_by if term else ""
        r["since"] = term.since[:4] if term else ""
        r["href"] = document_page_href(r.get("url"), r.get("location"))
    findings = await query_rows(
        db, "select check_name, url, detail, evidence from findings where audit_id = :a and council_code = :code "
            "and check_name in ('overdue_review', 'feedback_out_of_date') order by check_name, url",
        {"a": audit_id, "code": code})
    for f in findings:
        f["href"] = safe_href(f.get("url"))
    return {"quotes": quotes, "overdue": [f for f in findings if f["check_name"] == "overdue_review"],
            "feedback": [f for f in findings if f["check_name"] == "feedback_out_of_date"]}


def document_page_href(url, page) -> str:
    """A link to the page: for a PDF, to the document's page (``#page=N``, the PDF open
    parameter of RFC 8118 that browsers' PDF viewers follow); "" when the URL is not a plain
    http(s) address."""
    href = safe_href(url)
    if href and page and "#" not in href and href.lower().split("?", 1)[0].endswith(".pdf"):
        return f"{href}#page={int(page)}"
    return href


async def council_page(datasette, request):
    # Datasette redirects %-escapes to its ~-escapes (/council/a%20b -> /council/a~20b)
    code = tilde_decode(request.url_vars["code"])
    db = database(datasette)
    councils = []
    try:
        councils = await query_rows(db, "select * from councils where code = :code", {"code": code})
    except Exception:
        pass
    audit = await latest_audit(db)
    score = None
    if audit:
        found = await query_rows(
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
    context["lo_raw"] = raw_links(datasette, db.name, council_code=code, audit_id=audit_id)
    context["lo_raw"]["history"] = datasette.urls.table(db.name, "council_scores") + qs(council_code=code)
    context["lo_raw"]["report_card_json"] = datasette.urls.query(db.name, "report_card", format="json") + qs(
        council_code=code, _shape="array")
    context["lo_raw"]["broken_links"] = datasette.urls.query(db.name, "broken_links") + qs(council_code=code)
    context["lo_feed"] = datasette.urls.query(db.name, "council_changes_feed", format="atom") + qs(council_code=code)

    if score is not None:
        stale_days = audit.get("stale_after_days")
        cells = dimension_cells(score, stale_days)
        context["lo_cells"] = cells
        context["lo_total_count"] = (await query_rows(
            db, "select count(*) as n from council_scores where audit_id = :a", {"a": audit_id}))[0]["n"]

        # Findings, grouped by check, each enriched with the evidence behind it.
        counts = await query_rows(
            db,
            "select check_name, count(*) as n from findings where audit_id = :a and council_code = :code "
            "group by check_name order by n desc",
            {"a": audit_id, "code": code},
        )
        findings = await query_rows(
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
                f["target_label"] = PUBLISHED_WORDING.get(f.get("target") or "", ("",))[0]
            by_check.setdefault(f["check_name"], []).append(f)
        groups = []
        check_order = {check: i for i, check in enumerate(FINDING_LABELS)}
        counts.sort(key=lambda c: (check_order.get(c["check_name"], len(check_order)), c["check_name"]))
        for c in counts:
            check = c["check_name"]
            groups.append({
                "check": check,
                "label": FINDING_LABELS.get(check, check.replace("_", " ").capitalize()),
                "count": c["n"],
                "rows": by_check.get(check, []),
                "raw": datasette.urls.table(db.name, "findings")
                + qs(council_code=code, audit_id=audit_id, check_name=check),
            })
        context["lo_groups"] = groups

        # What to fix first: the dimensions losing most points, with their findings.
        fix_first = []
        dimensions = {d.key: d for d in DIMENSIONS}
        for cell in sorted(cells, key=lambda c: -(c["lost"] or 0)):
            if not cell["lost"] or cell["lost"] < 0.05:
                continue
            explained_by = dimensions[cell["key"]].explained_by
            related = [f for check in explained_by for f in by_check.get(check, [])]
            related.sort(key=lambda f: {"high": 0, "medium": 1, "low": 2}.get(f.get("severity") or "", 3))
            fix_first.append({
                **cell,
                "advice": dimensions[cell["key"]].advice,
                "findings": related[:FIX_FIRST_PER_DIMENSION],
                "more": max(0, sum(next((g["count"] for g in groups if g["check"] == ch), 0)
                                   for ch in explained_by) - FIX_FIRST_PER_DIMENSION),
            })
            if len(fix_first) == 3:
                break
        context["lo_fix_first"] = fix_first

        # Statutory items, in the canonical order.
        coverage = await query_rows(
            db,
            "select item, found, evidence_url from statutory_coverage where audit_id = :a and council_code = :code",
            {"a": audit_id, "code": code},
        )
        coverage.sort(key=lambda r: (STATUTORY_ORDER.get(r["item"], 99), r["item"]))
        for r in coverage:
            r["label"] = PUBLISHED_WORDING.get(r["item"], (r["item"],))[0]
            r["href"] = safe_href(r.get("evidence_url"))
        context["lo_statutory"] = coverage
        # A database written before a check existed has no table of its: its section is empty.
        context["lo_directory"] = (await directory_section(db, code, audit_id)
                                   if await db.table_exists("directory_records")
                                   else {"records": [], "searches": []})
        context["lo_raw"]["stale_directory_records"] = datasette.urls.query(db.name, "stale_directory_records") + qs(
            council_code=code)
        context["lo_raw"]["incomplete_directory_records"] = datasette.urls.query(
            db.name, "incomplete_directory_records") + qs(council_code=code)
        context["lo_legal"] = (await out_of_date_law(db, code, audit_id)
                               if await db.table_exists("outdated_references")
                               else {"quotes": [], "overdue": [], "feedback": []})

        # Accessibility results per page and rule, with the failing elements.
        a11y = await query_rows(
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
        context["lo_council_issues"] = await council_issues(db, audit_id, code)

        context["lo_history"] = await history(db, code)
        context["lo_history_charts"] = history_charts(context["lo_history"])
        before = await previous_audit(db, audit)
        context["lo_previous"] = before
        context["lo_changes"] = await what_changed(db, code, audit, before) if before else None
        if before:
            previous = await query_rows(db, "select score, rank from council_scores where audit_id = :a and council_code = :c",
                                   {"a": before["audit_id"], "c": code})
            context["lo_move"] = movement(score, previous[0] if previous else None)
        context["lo_pfa_href"] = safe_href(score.get("pfa_url"))
        context.update(await how_found(db, audit, score, code))
    context["lo_local_offer_href"] = safe_href(council.get("local_offer_url"))
    html = await datasette.render_template("council.html", context, request=request, view_name="lo_council")
    return Response.html(html)
