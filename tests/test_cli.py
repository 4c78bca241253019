"""The command line's contract: exit 0 on success; on bad input a non-zero exit, one
``Error:`` line naming the problem, and never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import lo_audit, write_seeds

GOOD_ROW = {"code": "E1", "name": "One", "local_offer_url": "http://127.0.0.1:9/lo/",
            "council_url": "http://127.0.0.1:9/"}


def assert_one_line_error(proc, *needles: str) -> str:
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, proc.stderr
    for needle in needles:
        assert needle.lower() in errors[0].lower(), (needle, errors[0])
    return errors[0]


def test_help_lists_every_command():
    proc = lo_audit("--help")
    assert proc.returncode == 0
    commands = proc.stdout.split("Commands:", 1)[1].split()
    for name in ("crawl", "audit", "serve", "run", "demo", "a11y"):
        assert name in commands, name


@pytest.fixture
def seeds(tmp_path):
    return write_seeds(tmp_path / "seeds.csv", [GOOD_ROW])


def test_missing_seeds_file(tmp_path):
    proc = lo_audit("crawl", "--seeds", tmp_path / "nope.csv", "--db", tmp_path / "x.db")
    assert_one_line_error(proc, "nope.csv")
    assert not (tmp_path / "x.db").exists()


def test_header_without_required_columns(tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("code,name,url\nE1,One,http://127.0.0.1:9/\n", encoding="utf-8")
    assert_one_line_error(lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "x.db"), "local_offer_url")


def test_non_utf8_seeds_file(tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_bytes(b"code,name,local_offer_url,council_url\nE1,\xff\xfe,http://127.0.0.1:9/,\n")
    assert_one_line_error(lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "x.db"), "UTF-8")


def test_seeds_with_no_usable_rows(tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("code,name,local_offer_url,council_url\nE1,One,ftp://x.example/,\n", encoding="utf-8")
    proc = lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "x.db")
    assert_one_line_error(proc, "no usable")
    assert "line 2" in proc.stderr


def test_folder_as_db(tmp_path, seeds):
    (tmp_path / "adir").mkdir()
    assert_one_line_error(lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "adir"), "adir")


def test_db_in_missing_folder(tmp_path, seeds):
    assert_one_line_error(lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "no" / "x.db"), "does not exist")


def test_non_sqlite_file_as_db(tmp_path, seeds):
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n")
    assert_one_line_error(lo_audit("crawl", "--seeds", seeds, "--db", db), "not a SQLite")
    assert db.read_text() == "these are my notes, not a database\n"  # left untouched
    assert_one_line_error(lo_audit("audit", "--db", db), "not a SQLite")


def test_unknown_council_code(tmp_path, seeds):
    proc = lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "x.db", "--council", "E99999999")
    assert_one_line_error(proc, "E99999999")


@pytest.mark.parametrize("value", ["0", "-5", "lots"])
def test_bad_max_pages(tmp_path, seeds, value):
    proc = lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "x.db", "--max-pages", value)
    assert_one_line_error(proc, "--max-pages")
    assert not (tmp_path / "x.db").exists()


def test_bad_timeout_and_delay(tmp_path, seeds):
    assert_one_line_error(lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "x.db", "--timeout", "0"),
                          "--timeout")
    assert_one_line_error(lo_audit("crawl", "--seeds", seeds, "--db", tmp_path / "x.db",
                                   "--download-delay", "-1"), "--download-delay")


@pytest.mark.parametrize("value", ["2023-02-30", "yesterday", "2023-13-01"])
def test_bad_as_of(tmp_path, value):
    db = tmp_path / "x.db"
    sqlite3.connect(db).close()
    assert_one_line_error(lo_audit("audit", "--db", db, "--as-of", value), value)


def test_audit_of_missing_db(tmp_path):
    assert_one_line_error(lo_audit("audit", "--db", tmp_path / "none.db"), "does not exist")


def test_a11y_missing_file(tmp_path):
    assert_one_line_error(lo_audit("a11y", tmp_path / "none.html"))


def test_a_finished_crawl_leaves_the_whole_database_in_its_file(tmp_path, seeds):
    """The command ends its process without Python's teardown (audit.core.process): it must
    still close the database, so that nothing is left in the write-ahead log and a copy
    of the .db file alone has everything."""
    db = tmp_path / "x.db"
    proc = lo_audit("crawl", "--seeds", seeds, "--db", db, "--download-delay", "0", "--timeout", "5")
    assert proc.returncode == 0, proc.stderr
    wal = tmp_path / "x.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    copy = tmp_path / "copy" / "x.db"
    copy.parent.mkdir()
    copy.write_bytes(db.read_bytes())
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT status FROM crawls").fetchall() == [("complete",)]
    assert conn.execute("SELECT council_code, status FROM crawl_sites").fetchall() == [("E1", "unreachable")]


def test_the_installed_command_keeps_the_exit_statuses(tmp_path):
    exe = Path(sys.executable).with_name("lo-audit")
    assert exe.exists()
    ok = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert ok.returncode == 0 and "lo-audit" in ok.stdout
    bad = subprocess.run([exe, "audit", "--db", tmp_path / "missing" / "x.db"], capture_output=True, text=True)
    assert_one_line_error(bad)
    usage = subprocess.run([exe, "crawl", "--max-pages", "0"], capture_output=True, text=True)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
