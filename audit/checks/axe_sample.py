"""axe-core in headless Chromium on a sample of each council's pages (home, 16-25,
contact, a form page, the N most-linked: ``audit.a11y.sample``), read from the archived
HTML, and how far the static engine agrees with it on those pages.

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


class AxeSample(Check):
    name = "axe_sample"
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
        for url, reason in sample:
            try:
                found = axe.browser.check_archived(url, by_url[url].html)
            except Exception as e:  # a page the browser could not load or axe could not finish
                self.find("a11y_axe_failed", url, "", "low", "The browser accessibility check could not run on this page",
                          (str(e).strip().splitlines() or [type(e).__name__])[0][:300])
                continue
            checked += 1
            count = sum(v.count for v in found["violations"])
            failing += bool(found["violations"])
            total += count
            axe_flags[url] = {v.rule for v in found["violations"]}
            axe_ran[url] = set(found["rules_run"])
            axe_incomplete[url] = set(found["incomplete_rules"])
            for v in found["violations"]:
                results.append(violation_row(url, v, "axe"))
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
