#!/usr/bin/env python3
"""Do two audits say the same thing? Row-for-row comparison of every audit result table.

    .venv/bin/python benchmarks/equivalence.py BEFORE.db AFTER.db [--audit-a N] [--audit-b N]

Used to prove that a refactor or a speed change leaves every published number and finding
as it was: for each table with an ``audit_id`` column (``council_scores``, ``findings``,
``a11y_results``, ``statutory_coverage``, ``page_audits``, ...), the latest complete audit's
rows of each database are compared as multisets, ignoring ``audit_id`` itself and the
columns named with ``--ignore`` (default none). Prints one line per table and the first few
differing rows; exits 1 when anything differs, so it can gate a script.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter


def latest_audit(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(audit_id) FROM audits WHERE status = 'complete'").fetchone()
    if row is None or row[0] is None:
        raise SystemExit("Error: no complete audit in the database")
    return row[0]


def audit_tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return [n for n in names if n != "audits"
            and any(c[1] == "audit_id" for c in conn.execute(f"PRAGMA table_info([{n}])"))]


def table_rows(conn: sqlite3.Connection, table: str, audit_id: int, ignore: set[str]) -> Counter:
    cursor = conn.execute(f"SELECT * FROM [{table}] WHERE audit_id = ?", [audit_id])
    columns = [d[0] for d in cursor.description]
    keep = [i for i, c in enumerate(columns) if c != "audit_id" and c not in ignore]
    return Counter(json.dumps({columns[i]: row[i] for i in keep}, sort_keys=True) for row in cursor)


def compare(path_a: str, path_b: str, audit_a: int | None, audit_b: int | None, ignore: set[str],
            show: int = 3) -> bool:
    a, b = sqlite3.connect(path_a), sqlite3.connect(path_b)
    audit_a = audit_a or latest_audit(a)
    audit_b = audit_b or latest_audit(b)
    same = True
    tables = sorted(set(audit_tables(a)) | set(audit_tables(b)))
    for table in tables:
        rows_a = table_rows(a, table, audit_a, ignore) if table in audit_tables(a) else Counter()
        rows_b = table_rows(b, table, audit_b, ignore) if table in audit_tables(b) else Counter()
        only_a, only_b = rows_a - rows_b, rows_b - rows_a
        verdict = "identical" if not only_a and not only_b else "DIFFERENT"
        same &= verdict == "identical"
        print(f"{table:32} {sum(rows_a.values()):>8} rows vs {sum(rows_b.values()):>8}: {verdict}")
        for label, extra in (("only in A", only_a), ("only in B", only_b)):
            for row in list(extra)[:show]:
                print(f"    {label}: {row[:400]}")
    return same


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--audit-a", type=int)
    ap.add_argument("--audit-b", type=int)
    ap.add_argument("--ignore", nargs="*", default=[], help="columns to leave out of the comparison")
    args = ap.parse_args(argv)
    sys.exit(0 if compare(args.a, args.b, args.audit_a, args.audit_b, set(args.ignore)) else 1)


if __name__ == "__main__":
    main()
