"""Accessibility of every page by the static engine (``audit.a11y.static``, axe-core rule
ids), and the accessibility aids the site offers (translation, text resize, read aloud).

The static engine runs on every page during the walk; axe-core in a browser runs on a
sample afterwards (``audit.checks.axe_sample``). Automated checks find some barriers; they
are not a WCAG conformance audit.
"""

from __future__ import annotations

import json

from audit.a11y import aids
from audit.a11y import issues as a11y_issues
from audit.a11y import static as a11y_static
from audit.check import Check, Column, Dimension, Table, severity_of
from audit.core.page import Page
from audit.core.wording import as_int, plural

# The dimension's 20 points (see Accessibility.dimension): distinct issues, contrast, aids.
A11Y_ISSUE_POINTS = 12
A11Y_CONTRAST_POINTS = 4
A11Y_AIDS_POINTS = 4
# The issue load (sum of issue weights, audit.a11y.issues.issue_weight) that halves the issue
# points: e.g. four serious barriers on every page (4 x 2.0), or a dozen one-page slips.
A11Y_HALF_LOAD = 8.0
AIDS_TEXT = {"translation": "translation", "text_resize": "text resize", "read_aloud": "read aloud"}

A11Y_RESULTS_DDL = """
CREATE TABLE IF NOT EXISTS a11y_results (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,
    rule TEXT NOT NULL,             -- axe-core rule id
    engine TEXT NOT NULL,           -- static | axe
    count INTEGER NOT NULL,
    impact TEXT,
    targets TEXT,                   -- JSON list of CSS selectors
    wcag TEXT,                      -- WCAG success criteria, comma list (e.g. "1.1.1,4.1.2")
    signatures TEXT,                -- JSON list, one per target: its template's signature (a11y_issues)
    PRIMARY KEY (audit_id, council_code, url, rule, engine)
);
"""


def violation_row(url: str, violation, engine: str, templates: dict[str, str]) -> dict:
    """An a11y_results row for one rule's violations on one page, from either engine; each
    failing element's template goes into ``templates`` (the council's, by signature)."""
    signatures = []
    for text in violation.templates:
        sig = a11y_issues.signature(text)
        templates.setdefault(sig, text)
        signatures.append(sig)
    return {"url": url, "rule": violation.rule, "engine": engine, "count": violation.count,
            "impact": violation.impact, "targets": json.dumps(list(violation.targets)),
            "wcag": ",".join(violation.wcag), "signatures": json.dumps(signatures)}


# Datasette metadata for what this check publishes (merged by audit/serve.py).
METADATA = """
tables:
  a11y_results:
    description: >-
      Automated accessibility results per page and rule. Rules are axe-core rule ids.
      Automated checks find some barriers; they are not a WCAG conformance audit.
    facets: [rule, engine, impact]
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      url: The page checked.
      rule: The axe-core rule id, e.g. image-alt, html-has-lang, link-name, label.
      engine: "static (lo-audit's own HTML checks) or axe (axe-core in a headless browser)."
      count: How many elements on the page fail the rule.
      impact: "How much it affects users, per axe-core: minor, moderate, serious or critical."
      targets: The failing elements, as CSS selectors (JSON list).
      wcag: "The WCAG success criteria the rule tests, comma-separated (e.g. 1.1.1); empty for best-practice rules."
      signatures: "One per target: the signature of the failing element's template (its ancestors' tags and its markup shape), which groups the same template element across pages into one distinct issue (a11y_issues)."
queries:
  a11y_by_rule:
    title: Accessibility violations by rule
    description: >-
      Automated accessibility violations in the latest complete audit, grouped by
      axe-core rule and engine: how many councils and pages fail each rule. Automated
      checks are not a WCAG conformance audit.
    sql: |-
      select
        r.rule,
        r.engine,
        max(r.impact) as impact,
        count(distinct r.council_code) as councils,
        count(distinct r.council_code || ' ' || r.url) as pages,
        sum(r.count) as violations
      from a11y_results r
      join latest_audit a on a.audit_id = r.audit_id
      where r.count > 0
      group by r.rule, r.engine
      order by violations desc, r.rule
"""


class Accessibility(Check):
    name = "accessibility"
    metadata = METADATA
    dimension = Dimension(
        "accessibility", "Accessibility", 20,
        "12 x 8 / (8 + issue load), where the issue load adds up, over the site's distinct issues (a rule "
        "failing on one template element, counted once however many pages repeat it), impact weight "
        "(critical 3, serious 2, moderate 1, minor 0.5) x (0.25 + 0.75 x share of checked pages it is on); "
        "plus 4 x (axe-checked pages without a colour-contrast failure) / (axe-checked pages) (without axe, "
        "these 4 points follow the issue points' share); plus 4 x (accessibility aids found: translation, "
        "text resize, read aloud) / 3.",
        advice="Fix the distinct issues below, most pages and highest impact first: one fix to a shared header, "
               "footer or stylesheet mends every page; then add translation, text resize or read-aloud aids.",
        explained_by=("a11y", "a11y_axe"),
    )
    columns = (
        Column("a11y_pages_checked", "INTEGER", "Pages checked for accessibility."),
        Column("a11y_pages_failing", "INTEGER", "Pages with at least one automated accessibility violation."),
        Column("a11y_violations", "INTEGER", "Total violations (rule x element) over the pages checked."),
        Column("a11y_features", "TEXT", "Accessibility aids found, comma-separated: translation, text_resize, read_aloud."),
    )
    tables = (Table("a11y_results", ("audit_id", "council_code", "url", "rule", "engine"), A11Y_RESULTS_DDL),)
    findings = {"a11y": "Accessibility failures"}

    def __init__(self, context):
        super().__init__(context)
        self.failing = self.violations = 0
        self.aid_evidence: dict[str, tuple[str, str]] = {}

    def page(self, page: Page) -> None:
        found = a11y_static.check_html(page.html, page.url, page.tree)
        count = self.page_row(page.url)["a11y_violations"] = sum(v.count for v in found)
        if found:
            self.failing += 1
            self.violations += count
        rows, templates = self.rows("a11y_results"), self.context.a11y_templates
        for v in found:
            rows.append(violation_row(page.url, v, "static", templates))
            self.find("a11y", page.url, v.rule, severity_of(v.impact),
                      f"{v.rule}: {v.count} element(s) fail ({v.impact})", ", ".join(v.targets[:5]))
        if len(self.aid_evidence) < len(aids.FEATURES):  # each aid's evidence is the first page showing it
            for feature, evidence in aids.detect(page).items():
                self.aid_evidence.setdefault(feature, (page.url, evidence))

    def finish(self) -> None:
        self.score.update(a11y_pages_checked=len(self.context.pages), a11y_pages_failing=self.failing,
                          a11y_violations=self.violations, a11y_features=",".join(sorted(self.aid_evidence)))

    @staticmethod
    def points(row: dict) -> float:
        """The dimension's points (``dimension.rule``). Reads what the distinct-issues check
        (``audit.checks.a11y_issues``) and the axe sample wrote."""
        if not row.get("pages_crawled"):
            return 0.0
        issue_share = A11Y_HALF_LOAD / (A11Y_HALF_LOAD + max(0.0, row.get("a11y_issue_load") or 0.0))
        axe_checked = row.get("a11y_axe_pages_checked") or 0
        contrast_share = ((axe_checked - min(axe_checked, row.get("a11y_contrast_pages") or 0)) / axe_checked
                          if axe_checked else issue_share)
        found = {a for a in (row.get("a11y_features") or "").split(",") if a in aids.FEATURES}
        return (A11Y_ISSUE_POINTS * issue_share + A11Y_CONTRAST_POINTS * contrast_share
                + A11Y_AIDS_POINTS * len(found) / len(aids.FEATURES))

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        checked = as_int(row.get("a11y_pages_checked"))
        if checked:
            issues = as_int(row.get("a11y_distinct_issues"))
            text = (f"{plural(issues, 'distinct issue')} ({as_int(row.get('a11y_pages_failing'))} of "
                    f"{plural(checked, 'page')} fail automated checks)")
            if row.get("a11y_axe_pages_checked"):
                text += (f"; low-contrast text on {as_int(row.get('a11y_contrast_pages'))} of "
                         f"{plural(as_int(row.get('a11y_axe_pages_checked')), 'page')} checked in a browser")
        else:
            text = "No pages checked"
        found = [AIDS_TEXT.get(a.strip(), a.strip()) for a in (row.get("a11y_features") or "").split(",") if a.strip()]
        return text + ("; aids: " + ", ".join(found) if found else "; no accessibility aids found")
