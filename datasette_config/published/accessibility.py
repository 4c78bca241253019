"""``/accessibility``: the national accessibility report, as the large annual surveys of the
web publish theirs: the most common issues across every council (distinct issues and the
pages they are on, per axe-core rule, colour contrast first) in a chart and a table, the
share of pages with low-contrast text, and the data to download (the canned query
``a11y_common_issues``, whose SQL this page runs, so the download is what the page shows).

``/accessibility?council=<code>`` adds that council's part: its distinct issues, most
pages and highest impact first. Each report card links there, and lists the same issues
(:func:`council_issues`) before the per-page results.
"""

from __future__ import annotations

from datasette.utils.asgi import Response

from audit.core.wording import as_int
from datasette_config.charts import Item, hbar_chart
from datasette_config.published.common import database, latest_audit, query_rows, safe_href

COMMON_ISSUES_QUERY = "a11y_common_issues"
CHART_RULES = 15
IMPACT_NAMES = {4: "critical", 3: "serious", 2: "moderate", 1: "minor"}
# Impact x pages affected, the order a web team should fix a site's issues in.
ISSUE_ORDER = ("(case impact when 'critical' then 3.0 when 'serious' then 2.0 when 'moderate' then 1.0 else 0.5 end)"
               " * pages_affected desc, rule, signature")


async def council_issues(db, audit_id: int, code: str, limit: int = 100) -> list[dict]:
    """A council's distinct issues in the audit, impact x pages affected first, with safe links."""
    rows = await query_rows(
        db, "select rule, signature, template, impact, engine, pages_affected, pages_checked, elements, example_url, "
            f"example_target from a11y_issues where audit_id = :a and council_code = :c order by {ISSUE_ORDER} "
            "limit :n", {"a": audit_id, "c": code, "n": limit})
    for row in rows:
        row["example_href"] = safe_href(row.get("example_url"))
    return rows


async def national_rules(datasette, db) -> list[dict]:
    """Rows of the ``a11y_common_issues`` canned query (its SQL, run here)."""
    queries = await datasette.get_canned_queries(db.name, None)
    sql = (queries.get(COMMON_ISSUES_QUERY) or {}).get("sql")
    if not sql:
        return []
    try:
        rows = await query_rows(db, sql)
    except Exception:  # no a11y_issues table yet (a database audited before distinct issues)
        return []
    for row in rows:
        row["impact"] = IMPACT_NAMES.get(as_int(row.get("impact_rank")), "minor")
    return rows


def rules_chart(rules: list[dict]) -> dict:
    shown = rules[:CHART_RULES]
    return hbar_chart(
        "chart-rules", f"The {len(shown)} most common accessibility issues: pages affected, by rule",
        "For each axe-core rule, the pages its distinct issues are on, over every council; colour contrast first.",
        [Item(r["rule"], as_int(r["pages_affected"]), f"{as_int(r['pages_affected']):,}") for r in shown],
        ("Rule", "Pages affected"))


async def accessibility_page(datasette, request):
    db = database(datasette)
    audit = await latest_audit(db)
    context: dict = {"lo_audit": audit, "lo_rules": [], "lo_chart": None, "lo_contrast": None,
                     "lo_council": None, "lo_council_issues": []}
    if audit:
        rules = await national_rules(datasette, db)
        context["lo_rules"] = rules
        context["lo_chart"] = rules_chart(rules) if rules else None
        totals = await query_rows(
            db, "select count(*) as councils, sum(a11y_axe_pages_checked) as axe_pages, "
                "sum(a11y_contrast_pages) as contrast_pages, sum(a11y_contrast_pages > 0) as contrast_councils, "
                "sum(a11y_distinct_issues) as issues, count(a11y_axe_pages_checked) as axe_councils "
                "from council_scores where audit_id = :a and pages_crawled > 0", {"a": audit["audit_id"]})
        context["lo_contrast"] = totals[0] if totals else None
        code = request.args.get("council")
        if code:
            found = await query_rows(db, "select council_code, council_name, a11y_distinct_issues, "
                                         "a11y_contrast_pages, a11y_axe_pages_checked, a11y_pages_checked "
                                         "from council_scores where audit_id = :a and council_code = :c",
                                     {"a": audit["audit_id"], "c": code})
            if found:
                context["lo_council"] = found[0]
                context["lo_council_issues"] = await council_issues(db, audit["audit_id"], code)
        urls = datasette.urls
        context["lo_downloads"] = {
            "query": urls.query(db.name, COMMON_ISSUES_QUERY),
            "csv": urls.query(db.name, COMMON_ISSUES_QUERY, format="csv"),
            "issues": urls.table(db.name, "a11y_issues"),
            "issues_csv": urls.table(db.name, "a11y_issues", format="csv") + "?_stream=on&_size=max",
        }
    html = await datasette.render_template("accessibility.html", context, request=request,
                                           view_name="lo_accessibility")
    return Response.html(html, status=200 if not request.args.get("council") or context["lo_council"] else 404)
