"""axe-core in headless Chromium on a sample of each council's pages (home, 16-25,
contact, a form page, the N most-linked: ``audit.a11y.sample``), replayed from the archived
HTML and stylesheets (judged by the browser's page pool, several at once), and how far the
static engine agrees with it on those pages.

Runs only with ``lo-audit audit --axe-sample N`` (N > 0); it comes after the Preparing for
Adulthood check in the list because the 16-25 page is in its sample, and after the
accessibility check because it compares its results with the static engine's.
"""

from __future__ import annotations

import json

from audit.a11y import agreement as a11y_agreement
from audit.a11y import sample as a11y_sample
from audit.check import Check, Column, Table, severity_of
from audit.checks.accessibility import violation_row

TABLES = (
    Table("a11y_needs_review", ("audit_id", "council_code", "url", "rule", "engine"), """
-- Results an engine could not decide (axe-core "incomplete" colour contrast): a person must look.
CREATE TABLE IF NOT EXISTS a11y_needs_review (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,
    rule TEXT NOT NULL,             -- axe-core rule id (color-contrast)
    engine TEXT NOT NULL,           -- axe
    count INTEGER NOT NULL,
    targets TEXT,                   -- JSON list of CSS selectors
    PRIMARY KEY (audit_id, council_code, url, rule, engine)
);
"""),
    Table("a11y_engine_agreement", ("audit_id", "council_code", "rule"), """
-- Static engine vs axe-core on the pages axe checked, per council and rule both implement.
CREATE TABLE IF NOT EXISTS a11y_engine_agreement (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    rule TEXT NOT NULL,
    pages INTEGER NOT NULL,         -- pages compared (both engines decided)
    both_flag INTEGER NOT NULL,
    static_only INTEGER NOT NULL,
    axe_only INTEGER NOT NULL,
    neither_flag INTEGER NOT NULL,
    undecided INTEGER NOT NULL,     -- axe "incomplete" and static silent: not compared
    agreement_pct REAL,
    PRIMARY KEY (audit_id, council_code, rule)
);
"""),
    Table("a11y_engine_disagreements", ("audit_id", "council_code", "url", "rule"), """
CREATE TABLE IF NOT EXISTS a11y_engine_disagreements (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,
    rule TEXT NOT NULL,
    flagged_by TEXT NOT NULL,       -- static | axe: the one engine that flagged it
    PRIMARY KEY (audit_id, council_code, url, rule)
);
"""),
)


# Datasette metadata for what this check publishes (merged by audit/serve.py).
METADATA = """
tables:
  a11y_needs_review:
    description: >-
      Accessibility results an engine could not decide and a person must look at:
      axe-core's "incomplete" colour-contrast results (text over a background image,
      overlapping elements ...). Kept apart from violations. axe checks the archived
      page with its archived stylesheets (a stylesheet that could not be archived is
      missing from the replay: see fetches, kind stylesheet).
    facets: [rule, engine]
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      url: The page checked.
      rule: The axe-core rule id (color-contrast).
      engine: The engine that could not decide (axe).
      count: How many elements need a person to check them.
      targets: Those elements, as CSS selectors (JSON list).
  a11y_engine_agreement:
    description: >-
      How far lo-audit's static engine agrees with axe-core in a browser, per council
      and rule, on the pages axe checked, for the rules both engines implement.
      Disagreeing pages are listed in a11y_engine_disagreements.
    facets: [rule, council_code]
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      rule: The axe-core rule id.
      pages: Pages compared (axe checked them and decided the rule).
      both_flag: Pages both engines flag.
      static_only: Pages only the static engine flags.
      axe_only: Pages only axe-core flags.
      neither_flag: Pages neither engine flags.
      undecided: Pages where axe-core could not decide (needs review) and the static engine found nothing; not compared.
      agreement_pct: "Percentage of compared pages where the engines agree: (both_flag + neither_flag) / pages."
  a11y_engine_disagreements:
    description: >-
      Each (page, rule) where exactly one engine flags a violation: the list to
      review when improving the static engine.
    facets: [rule, flagged_by, council_code]
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      url: The page.
      rule: The axe-core rule id.
      flagged_by: "The one engine that flagged it: static or axe."
queries:
  engine_agreement:
    title: Static engine vs axe-core, per rule
    description: >-
      On the pages axe-core checked in a browser (the sample), for each rule both
      engines implement: pages where both flag it, only the static engine, only axe,
      neither, and the agreement; then the disagreeing pages (url, engine that
      flagged it alone), so each can be explained or fixed.
    sql: |-
      select
        g.rule,
        sum(g.pages) as pages,
        sum(g.both_flag) as both_flag,
        sum(g.static_only) as static_only,
        sum(g.axe_only) as axe_only,
        sum(g.neither_flag) as neither_flag,
        sum(g.undecided) as undecided,
        round(100.0 * (sum(g.both_flag) + sum(g.neither_flag)) / max(sum(g.pages), 1), 1) as agreement_pct,
        (select group_concat(d.url || ' (only ' || d.flagged_by || ')', char(10))
           from a11y_engine_disagreements d
          where d.audit_id = a.audit_id and d.rule = g.rule) as disagreements
      from a11y_engine_agreement g
      join latest_audit a on a.audit_id = g.audit_id
      group by g.rule
      order by agreement_pct, g.rule
  engine_disagreements:
    title: Pages where the static engine and axe-core disagree
    description: >-
      Each (page, rule) in the latest complete audit that exactly one engine flags,
      with the elements each engine reported.
    sql: |-
      select
        d.council_code,
        d.url,
        d.rule,
        d.flagged_by,
        s.targets as static_targets,
        x.targets as axe_targets
      from a11y_engine_disagreements d
      join latest_audit a on a.audit_id = d.audit_id
      left join a11y_results s on s.audit_id = d.audit_id and s.council_code = d.council_code
        and s.url = d.url and s.rule = d.rule and s.engine = 'static'
      left join a11y_results x on x.audit_id = d.audit_id and x.council_code = d.council_code
        and x.url = d.url and x.rule = d.rule and x.engine = 'axe'
      order by d.rule, d.council_code, d.url
"""


class AxeSample(Check):
    name = "axe_sample"
    metadata = METADATA
    columns = (
        Column("a11y_axe_pages_checked", "INTEGER",
               "Pages axe-core checked in a headless browser: the home, 16-25, contact and form pages and the "
               "most-linked pages (lo-audit audit --axe-sample). Empty when the browser engine did not run."),
        Column("a11y_axe_pages_failing", "INTEGER", "Of those, pages with at least one axe-core violation."),
        Column("a11y_axe_violations", "INTEGER", "Total axe-core violations (rule x element) over those pages."),
    )
    tables = TABLES

    def finish(self) -> None:
        axe, pages, result = self.context.axe, self.context.pages, self.result
        self.score.update(a11y_axe_pages_checked=None, a11y_axe_pages_failing=None, a11y_axe_violations=None)
        if axe is None:
            return
        by_url = {p.url: p for p in pages}
        sample = a11y_sample.choose_sample(pages, self.context.home, self.score.get("pfa_url"),
                                           a11y_sample.link_counts(pages), axe.sample)
        checked = failing = total = 0
        axe_flags, axe_ran, axe_incomplete = {}, {}, {}
        results, needs_review = self.rows("a11y_results"), self.rows("a11y_needs_review")
        judged = axe.browser.check_many([(url, by_url[url].html) for url, _ in sample], self.context.stylesheets)
        for (url, reason), found in zip(sample, judged):
            if isinstance(found, Exception):  # a page the browser could not load, or that hung or crashed it
                self.find("a11y_axe_failed", url, "", "low", "The browser accessibility check could not run on this page",
                          str(found)[:300])
                continue
            checked += 1
            count = sum(v.count for v in found["violations"])
            failing += bool(found["violations"])
            total += count
            axe_flags[url] = {v.rule for v in found["violations"]}
            axe_ran[url] = set(found["rules_run"])
            axe_incomplete[url] = set(found["incomplete_rules"])
            for v in found["violations"]:
                results.append(violation_row(url, v, "axe", self.context.a11y_templates))
                self.find("a11y_axe", url, v.rule, severity_of(v.impact),
                          f"{v.rule}: {v.count} element(s) fail ({v.impact}, axe-core {axe.version})",
                          ", ".join(v.targets[:5]))
            for v in found["needs_review"]:
                needs_review.append({"url": url, "rule": v["id"], "engine": "axe", "count": len(v["targets"]),
                                     "targets": json.dumps(v["targets"])})
            row = result.page_rows.get(url)
            if row is not None:
                row.update(axe_sample_reason=reason, axe_violations=count)
        self.score.update(a11y_axe_pages_checked=checked, a11y_axe_pages_failing=failing, a11y_axe_violations=total)
        static_flags = {url: set() for url in axe_flags}
        for r in results:
            if r["engine"] == "static" and r["url"] in static_flags:
                static_flags[r["url"]].add(r["rule"])
        agreement = a11y_agreement.compare(static_flags, axe_flags, axe_ran, axe_incomplete)
        per_rule, disagreements = a11y_agreement.rows(agreement)
        self.rows("a11y_engine_agreement").extend(per_rule)
        self.rows("a11y_engine_disagreements").extend(disagreements)
