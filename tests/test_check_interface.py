"""The check interface (audit/check.py): the runner is a loop over declared checks, every
column and table a check declares reaches the database and the published metadata, and a
check from a plugin (pluggy, as Datasette does it) is run, scored and published like the
built-in ones without any change to lo-audit. The plugin check here is the worked example
of docs/architecture.md."""

from __future__ import annotations

import re
import types
from datetime import date
from pathlib import Path

import pytest

from audit.check import Check, Column, Dimension, Table
from audit.checks import CHECKS
from audit.core.db import connect
from audit.plugins import all_checks, hookimpl, plugin_manager
from audit.runner import run_audit
from audit.serve import load_metadata
from conftest import copy_demo, query

ROOT = Path(__file__).resolve().parents[1]
CORE_SCORE_COLUMNS = {"council_code", "council_name", "audit_id", "as_of", "score", "rank"}


class EasyRead(Check):
    """Pages offering an Easy Read version: the worked example of docs/architecture.md."""

    name = "easy_read"
    dimension = Dimension("easy_read", "Easy Read", 5, "5 when any page offers an Easy Read version, else 0.",
                          advice="Publish Easy Read versions of the key pages.", explained_by=("no_easy_read",))
    columns = (Column("easy_read_pages", "INTEGER", "Pages offering an Easy Read version."),)
    tables = (Table("easy_read_pages", ("audit_id", "council_code", "url"), """
        CREATE TABLE IF NOT EXISTS easy_read_pages (
            audit_id INTEGER NOT NULL, council_code TEXT NOT NULL, url TEXT NOT NULL, evidence TEXT,
            PRIMARY KEY (audit_id, council_code, url));"""),)
    findings = {"no_easy_read": "No Easy Read versions"}
    metadata = """
tables:
  easy_read_pages:
    description: Pages offering an Easy Read version, per audit.
"""

    def page(self, page):
        match = re.search(r"easy[ -]read", page.main_text, re.IGNORECASE)
        if match:
            self.rows("easy_read_pages").append({"url": page.url, "evidence": match.group(0)})

    def finish(self):
        found = len(self.rows("easy_read_pages"))
        self.score["easy_read_pages"] = found
        if not found and self.context.pages:
            self.find("no_easy_read", self.context.home, "", "low", "No page offers an Easy Read version", "")

    @staticmethod
    def points(row):
        return 5.0 if row.get("easy_read_pages") else 0.0


@pytest.fixture
def easy_read_plugin():
    module = types.ModuleType("easy_read_plugin")
    module.register_checks = hookimpl(lambda: [EasyRead])
    plugin_manager().register(module, name="easy_read_plugin")
    yield
    plugin_manager().unregister(name="easy_read_plugin")


def test_the_runner_has_no_check_specific_code():
    source = (ROOT / "audit" / "runner.py").read_text()
    assert "audit.checks" not in source and "audit.a11y import" not in source.replace("audit.a11y.axe import", "")
    for check in CHECKS:
        for finding in check.findings:
            assert f'"{finding}"' not in source
        for column in check.columns:
            assert f'"{column.name}"' not in source


def test_every_declared_column_and_table_is_in_a_new_database(tmp_path):
    db = connect(tmp_path / "new.db")
    columns = set(db["council_scores"].columns_dict)
    declared = {c.name for check in all_checks() for c in check.columns}
    assert declared <= columns
    dimensions = {f"score_{c.dimension.key}" for c in all_checks() if c.dimension}
    assert columns == CORE_SCORE_COLUMNS | declared | dimensions, "every council_scores column is declared once"
    assert {t.name for check in all_checks() for t in check.tables} <= set(db.table_names())
    names = [check.name for check in all_checks()]
    assert len(names) == len(set(names))


def test_every_finding_and_column_is_described_for_readers():
    metadata = load_metadata()["databases"]["localoffer"]
    described = metadata["tables"]["council_scores"]["columns"]
    for check in all_checks():
        for column in check.columns:
            assert described[column.name], column.name
        for table in check.tables:
            assert metadata["tables"][table.name]["description"], table.name


def test_a_plugin_check_is_run_scored_and_published(tmp_path, demo_db, easy_read_plugin):
    assert all_checks()[-1] is EasyRead
    db_path = copy_demo(demo_db, tmp_path)
    audit_id = run_audit(db_path, date(2026, 11, 23), axe_sample=0)
    scores = {r["council_code"]: r for r in query(db_path, "SELECT * FROM council_scores WHERE audit_id = ?",
                                                  [audit_id])}
    assert "easy_read_pages" in query(db_path, "SELECT * FROM league_table LIMIT 1")[0]
    pages = query(db_path, "SELECT council_code, url FROM easy_read_pages WHERE audit_id = ?", [audit_id])
    with_pages = {r["council_code"] for r in pages}
    for code, row in scores.items():
        if not row["assessed"]:  # only the checks that say what happened run (Greyholme, Cradleigh)
            assert row["easy_read_pages"] is None and row["score_easy_read"] is None
            continue
        assert row["easy_read_pages"] == sum(1 for r in pages if r["council_code"] == code)
        assert row["score_easy_read"] == (5.0 if code in with_pages else 0.0)
        points = sum(v for k, v in row.items() if k.startswith("score_"))
        assert row["score"] == pytest.approx(round(points * 100 / 105, 1), abs=0.06)  # scaled back to 0-100
    assessed = {code for code, row in scores.items() if row["assessed"]}
    assert with_pages and assessed - with_pages, "the demo has councils with and without Easy Read pages"
    missing = query(db_path, "SELECT council_code FROM findings WHERE audit_id = ? AND check_name = 'no_easy_read'",
                    [audit_id])
    assert {r["council_code"] for r in missing} == assessed - with_pages
    metadata = load_metadata()["databases"]["localoffer"]
    assert metadata["tables"]["council_scores"]["columns"]["easy_read_pages"] == "Pages offering an Easy Read version."
    assert metadata["tables"]["easy_read_pages"]["description"].startswith("Pages offering")


class Fragile(Check):
    """A plugin check with a bug that one kind of page sets off (here: a URL naming short breaks)."""

    name = "fragile"

    def page(self, page):
        if "short-breaks" in page.url:
            raise ValueError("cannot read this page\nsecond line of the message")
        self.rows_read = getattr(self, "rows_read", 0) + 1


def test_a_check_that_fails_on_a_page_costs_that_page_not_the_audit(tmp_path, demo_db, capfd):
    db_path = copy_demo(demo_db, tmp_path)
    without = run_audit(db_path, date(2026, 11, 23), axe_sample=0)
    before = {r["council_code"]: r for r in query(db_path, "SELECT * FROM council_scores WHERE audit_id = ?",
                                                  [without])}
    module = types.ModuleType("fragile_plugin")
    module.register_checks = hookimpl(lambda: [Fragile])
    plugin_manager().register(module, name="fragile_plugin")
    try:
        audit_id = run_audit(db_path, date(2026, 11, 23), axe_sample=0)
    finally:
        plugin_manager().unregister(name="fragile_plugin")
    assert query(db_path, "SELECT status FROM audits WHERE audit_id = ?", [audit_id]) == [{"status": "complete"}]
    failed = query(db_path, "SELECT council_code, url, target, evidence FROM findings WHERE audit_id = ? "
                            "AND check_name = 'check_failed'", [audit_id])
    pages = query(db_path, "SELECT council_code, url FROM page_audits WHERE audit_id = ? AND url LIKE "
                           "'%short-breaks%'", [audit_id])
    assert pages and sorted((f["council_code"], f["url"]) for f in failed) == sorted(
        (p["council_code"], p["url"]) for p in pages)
    assert {(f["target"], f["evidence"]) for f in failed} == {("fragile", "ValueError: cannot read this page")}
    err = capfd.readouterr().err
    assert f"the fragile check failed on this page (ValueError: cannot read this page); the audit goes on" in err
    # every other check read every page: the scores are what they were without the plugin
    after = {r["council_code"]: r for r in query(db_path, "SELECT * FROM council_scores WHERE audit_id = ?",
                                                 [audit_id])}
    assert {c: r["score"] for c, r in after.items()} == {c: r["score"] for c, r in before.items()}


def test_pages_whose_archived_copy_is_lost_are_said_not_audited(tmp_path, demo_db, capfd):
    """The audit reads every page from the crawl's WARC files. A file deleted by hand, or cut
    short (a full disk), lost those pages without a word, and a council none of whose pages
    could be read was called unreachable, when its site had answered. Each such page is now a
    finding; a council with none left is not assessed for lo-audit's own failure."""
    db_path = copy_demo(demo_db, tmp_path)
    before = {r["council_code"]: r["n"] for r in query(
        db_path, "SELECT council_code, count(*) AS n FROM page_audits WHERE audit_id = 1 GROUP BY council_code")}
    warc = db_path.parent / f"{db_path.stem}-warc"
    (warc / "crawl-1-E99000001.warc.gz").unlink()
    cut = warc / "crawl-1-E99000003.warc.gz"
    cut.write_bytes(cut.read_bytes()[:cut.stat().st_size // 2])

    audit_id = run_audit(db_path, date(2026, 11, 23), axe_sample=0)

    assert query(db_path, "SELECT status FROM audits WHERE audit_id = ?", [audit_id]) == [{"status": "complete"}]
    scores = {r["council_code"]: r for r in query(db_path, "SELECT * FROM council_scores WHERE audit_id = ?",
                                                  [audit_id])}
    lost = {r["council_code"]: r["n"] for r in query(
        db_path, "SELECT council_code, count(*) AS n FROM findings WHERE audit_id = ? "
                 "AND check_name = 'archive_unreadable' GROUP BY council_code", [audit_id])}
    assert set(lost) == {"E99000001", "E99000003"}
    northmoor, kelderby = scores["E99000001"], scores["E99000003"]
    assert lost["E99000001"] == before["E99000001"] and northmoor["pages_crawled"] == 0
    assert (northmoor["assessed"], northmoor["not_assessed_reason"], northmoor["score"]) == (0, "crawler_error", None)
    assert 0 < lost["E99000003"] < before["E99000003"]
    assert kelderby["pages_crawled"] + lost["E99000003"] == before["E99000003"] and kelderby["assessed"] == 1
    assert all(scores[c]["pages_crawled"] == n for c, n in before.items() if c not in lost)
    err = capfd.readouterr().err
    assert f"warning: E99000001: {before['E99000001']} fetched page(s) not audited" in err
    assert "crawl-1-E99000003.warc.gz" in err


def test_a_search_answer_whose_archived_copy_is_lost_is_not_judged(tmp_path, demo_db):
    """A query the site answered, whose archived answer can no longer be read, says nothing
    about the council's search: not judged (``unread``), never an error that makes the search
    "broken"; with no answer left to judge, ``site_search`` is empty."""
    db_path = copy_demo(demo_db, tmp_path)
    before = query(db_path, "SELECT council_code, site_search FROM council_scores WHERE audit_id = 1 "
                            "AND council_code IN ('E99000001', 'E99000004') ORDER BY council_code")
    assert [r["site_search"] for r in before] == ["works", "broken"]  # results; a 200 error page
    db = connect(db_path)  # the answers' records now point past the end of their files
    db.execute("UPDATE fetches SET warc_offset = 1 << 40 WHERE kind = 'search' AND council_code IN "
               "('E99000001', 'E99000004')")
    db.conn.close()
    audit_id = run_audit(db_path, date(2026, 11, 23), axe_sample=0)
    after = query(db_path, "SELECT council_code, site_search FROM council_scores WHERE audit_id = ? "
                           "AND council_code IN ('E99000001', 'E99000004') ORDER BY council_code", [audit_id])
    assert [r["site_search"] for r in after] == [None, None]
    answers = query(db_path, "SELECT DISTINCT answer FROM site_search_queries WHERE audit_id = ? "
                             "AND council_code IN ('E99000001', 'E99000004')", [audit_id])
    assert answers == [{"answer": "unread"}]
    assert not query(db_path, "SELECT 1 FROM findings WHERE audit_id = ? AND check_name = 'site_search_failed' "
                              "AND council_code IN ('E99000001', 'E99000004')", [audit_id])
