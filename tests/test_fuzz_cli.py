"""Fuzzed command lines: every bad option value, seeds file or database path gives exactly
one ``Error:`` line naming what is wrong, a non-zero exit, no traceback, and leaves an
existing database untouched.

Runs in-process through click's test runner. Every generated command holds at least one
bad input, so no crawl starts (Scrapy's reactor could not restart in this process); the
good paths are covered by the real crawls elsewhere.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from audit.core import db as dbmod
from audit.cli import cli

# Not bad: "١٢" (Arabic-Indic digits are digits to Python and click). Bad: NaN, which
# click's FloatRange would let through on its own.
BAD_NUMBERS = st.sampled_from(["0", "-1", "abc", "", "1e999x", "NaN", "nan", "5 5", "0x10", "--"])
GOOD_NUMBERS = st.sampled_from(["1", "20", "5000"])
BAD_DATES = st.sampled_from(["2023-02-30", "23-11-2026", "tomorrow", "", "2026/11/23", "2026-13-01", "٢٠٢٦-١١-٢٣"])


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """An existing database with rows, plus every kind of bad path."""
    tmp = tmp_path_factory.mktemp("fuzzcli")
    existing = tmp / "existing.db"
    db = dbmod.connect(existing)
    db.table("councils").insert({"code": "E1", "name": "One", "local_offer_url": "", "council_url": ""})
    db.table("crawls").insert({"started_at": "2026-11-23T00:00:00", "status": "complete"})
    db.conn.close()
    not_sqlite = tmp / "notes.db"
    not_sqlite.write_text("not a database\n")
    folder = tmp / "a-folder.db"
    folder.mkdir()
    bad_header = tmp / "bad.csv"
    bad_header.write_text("id,title\n1,x\n")
    good_seeds = tmp / "seeds.csv"
    good_seeds.write_text("code,name,local_offer_url,council_url\nE1,One,,http://www.one.example/\n")
    return {"existing": existing, "not_sqlite": not_sqlite, "folder": folder, "missing_dir": tmp / "nope" / "x.db",
            "bad_header": bad_header, "good_seeds": good_seeds, "missing_seeds": tmp / "missing.csv", "tmp": tmp}


def snapshot(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("councils", "crawls", "audits")}
    finally:
        conn.close()


def one_error_line(result) -> str:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


def valid(option: str, value: str) -> bool:
    """Whether the CLI must accept ``value`` for ``option`` (the same parsing click does)."""
    try:
        number = int(value) if option == "--max-pages" else float(value)
    except ValueError:
        return False
    if number != number or number in (float("inf"), float("-inf")):
        return False
    return {"--max-pages": number >= 1, "--download-delay": number >= 0,
            "--timeout": 0.1 <= number <= 600}[option]


@st.composite
def crawl_commands(draw, files):
    bad = []
    args = ["crawl"]
    seeds = draw(st.sampled_from(["good_seeds", "bad_header", "missing_seeds", "folder"]))
    args += ["--seeds", str(files[seeds])]
    if seeds != "good_seeds":
        bad.append("seeds")
    db = draw(st.sampled_from(["existing", "not_sqlite", "folder", "missing_dir"]))
    args += ["--db", str(files[db])]
    if db != "existing":
        bad.append("--db")
    for option in ("--max-pages", "--download-delay", "--timeout"):
        if draw(st.booleans()):
            value = draw(st.one_of(BAD_NUMBERS, GOOD_NUMBERS))
            args += [option, value]
            if not valid(option, value):
                bad.append(option)
    if draw(st.booleans()):
        args += ["--council", draw(st.sampled_from(["E1", "E999", "", "E1\u2028x"]))]
        if args[-1] != "E1":
            bad.append("--council")
    assume(bad)
    return args, bad


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_crawl_command_lines(files, data):
    args, bad = data.draw(crawl_commands(files))
    before = snapshot(files["existing"])
    result = CliRunner().invoke(cli, args)
    line = one_error_line(result)
    assert snapshot(files["existing"]) == before
    named = [b for b in bad if b.startswith("--")]
    if named and not ({"seeds", "--db"} & set(bad)) and "--council" not in bad:
        # a bad option value is reported by its name (click checks values before the command runs)
        assert any(option in line for option in named), (line, bad)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(as_of=st.one_of(BAD_DATES, st.text(max_size=12)), days=st.one_of(BAD_NUMBERS, GOOD_NUMBERS),
       db=st.sampled_from(["existing", "not_sqlite", "folder", "missing_dir"]))
def test_fuzzed_audit_command_lines(files, as_of, days, db):
    before = snapshot(files["existing"])
    args = ["audit", "--db", str(files[db]), "--as-of", as_of, "--stale-after-days", days, "--axe-sample", "0"]
    result = CliRunner().invoke(cli, args)
    line = one_error_line(result)  # with good values the existing db has no crawl data: also one line
    assert snapshot(files["existing"]) == before or snapshot(files["existing"])["audits"] == before["audits"] + 1
    if days not in ("1", "20", "5000"):
        assert "--stale-after-days" in line or "--as-of" in line or "--db" in line, line
