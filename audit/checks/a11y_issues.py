"""Distinct accessibility issues across a council's site (``audit.a11y.issues``): the same
rule failing on the same template element counts once, with the pages it is on; and the
pages with low-contrast text that axe-core found with the site's own stylesheets.

Last of the accessibility checks: it reads the ``a11y_results`` rows of both engines (the
static engine's from every page, axe-core's from the sample), so it comes after the axe
sample in the list. Its columns feed the accessibility dimension's points
(``audit.checks.accessibility.Accessibility.points``).
"""

from __future__ import annotations

from audit.a11y import issues as a11y_issues
from audit.a11y.static import RULES as STATIC_RULES
from audit.check import Check, Column, Table

CONTRAST_RULE = "color-contrast"
STATIC_RULE_IDS = frozenset(STATIC_RULES)

ISSUES_DDL = """
CREATE TABLE IF NOT EXISTS a11y_issues (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    rule TEXT NOT NULL,             -- axe-core rule id
    signature TEXT NOT NULL,        -- 12 hex digits of the template's SHA-1
    template TEXT,                  -- the failing element's ancestors' tags and markup shape
    impact TEXT,
    engine TEXT NOT NULL,           -- static (every page) | axe (the pages axe checked)
    pages_affected INTEGER NOT NULL,
    pages_checked INTEGER NOT NULL, -- pages that engine checked on this site
    elements INTEGER NOT NULL,      -- failing elements in all, over those pages
    example_url TEXT,
    example_target TEXT,            -- CSS selector of the failing element on example_url
    weight REAL,                    -- impact weight x (0.25 + 0.75 x pages_affected / pages_checked)
    PRIMARY KEY (audit_id, council_code, rule, signature)
);
"""

METADATA = """
tables:
  a11y_issues:
    description: >-
      Distinct accessibility issues per council: one row per rule failing on one template
      element (its ancestors' tags from <html> and its markup shape, ids and the positions
      of repeated items left out), however many pages repeat it. Rules the static engine
      implements are counted on every page; rules only a browser can judge (colour
      contrast first) on the pages axe-core checked with the site's own stylesheets. The
      per-page results are in a11y_results. Automated checks are not a WCAG conformance audit.
    facets: [rule, impact, engine]
    sort_desc: weight
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      rule: The axe-core rule id.
      signature: "12 hex digits identifying the template (the SHA-1 of template); a11y_results.signatures uses the same ids."
      template: "The failing element's ancestors' tag names from <html> down, then its markup shape: tag, classes (digits written #), attribute names, type and role."
      impact: "How much it affects users, per axe-core: minor, moderate, serious or critical."
      engine: "static (lo-audit's engine, on every page) or axe (axe-core in a browser, on the pages it checked)."
      pages_affected: Pages the issue is on.
      pages_checked: Pages that engine checked on this site.
      elements: Failing elements in all, over those pages.
      example_url: One page with the issue.
      example_target: The failing element on that page, as a CSS selector.
      weight: "What the issue costs in the accessibility points: impact weight (critical 3, serious 2, moderate 1, minor 0.5) x (0.25 + 0.75 x pages_affected / pages_checked)."
queries:
  a11y_common_issues:
    title: The most common accessibility issues across councils
    description: >-
      For each axe-core rule in the latest complete audit: how many councils have it, the
      distinct issues (a rule failing on one template element, counted once per site) and
      the pages they are on, colour contrast first, then by pages affected. The data behind
      /accessibility.
    sql: |-
      select
        i.rule,
        max(case i.impact when 'critical' then 4 when 'serious' then 3 when 'moderate' then 2 else 1 end) as impact_rank,
        count(distinct i.council_code) as councils,
        count(*) as distinct_issues,
        sum(i.pages_affected) as pages_affected,
        sum(i.elements) as elements,
        group_concat(distinct i.engine) as engines
      from a11y_issues i
      join latest_audit a on a.audit_id = i.audit_id
      group by i.rule
      order by i.rule = 'color-contrast' desc, pages_affected desc, i.rule
"""


class A11yIssues(Check):
    name = "a11y_issues"
    metadata = METADATA
    columns = (
        Column("a11y_distinct_issues", "INTEGER",
               "Distinct accessibility issues across the site: the same rule failing on the same repeated template "
               "element counts once, however many pages repeat it (listed in a11y_issues)."),
        Column("a11y_issue_load", "REAL",
               "The distinct issues' weights added up: each issue's impact weight (critical 3, serious 2, moderate 1, "
               "minor 0.5) x (0.25 + 0.75 x the share of checked pages it is on). 8 halves the issue points."),
        Column("a11y_contrast_pages", "INTEGER",
               "Pages axe-core checked (with the site's archived stylesheets) that have a colour-contrast violation; "
               "empty when the browser engine did not run."),
    )
    tables = (Table("a11y_issues", ("audit_id", "council_code", "rule", "signature"), ISSUES_DDL),)

    def finish(self) -> None:
        results = self.rows("a11y_results")
        found = a11y_issues.distinct_issues(results, self.context.a11y_templates, STATIC_RULE_IDS)
        pages_checked = {"static": len(self.context.pages), "axe": self.score.get("a11y_axe_pages_checked") or 0}
        rows = [issue.row(pages_checked[issue.engine]) for issue in found]
        self.rows("a11y_issues").extend(rows)
        contrast = None
        if self.score.get("a11y_axe_pages_checked") is not None:
            contrast = len({r["url"] for r in results if r["engine"] == "axe" and r["rule"] == CONTRAST_RULE
                            and r["count"] > 0})
        self.score.update(a11y_distinct_issues=len(rows), a11y_issue_load=round(sum(r["weight"] for r in rows), 4),
                          a11y_contrast_pages=contrast)
