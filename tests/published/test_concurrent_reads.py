"""Datasette serving the database while an audit writes to it never shows half an audit.

The audit writes all its rows and flips its ``audits`` row to ``complete`` in one
transaction (WAL mode lets readers go on meanwhile), so every league table a reader sees
is one whole audit: all councils, one audit id.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from conftest import ROOT, cli_env, copy_demo
from servers import datasette_server, no_proxy_get


def test_league_table_is_always_one_whole_audit_while_an_audit_writes(demo_db, tmp_path):
    db = copy_demo(demo_db, tmp_path / "db")
    with datasette_server(db, tmp_path) as base:
        url = base + "/demo/league_table.json?_shape=array&_size=max"
        first = json.load(no_proxy_get(url, timeout=10))
        councils = {r["council_code"] for r in first}
        old_audit = {r["audit_id"] for r in first}
        assert len(old_audit) == 1 and len(councils) == 11
        writer = subprocess.Popen(
            [sys.executable, "-m", "audit.cli", "audit", "--db", str(db), "--as-of", "2026-11-24", "--axe-sample", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli_env(), cwd=ROOT)
        seen_audits, reads = set(), 0
        while writer.poll() is None or reads < 5:
            rows = json.load(no_proxy_get(url, timeout=10))
            reads += 1
            ids = {r["audit_id"] for r in rows}
            assert len(ids) == 1, f"a read mixed audits {ids}"
            assert {r["council_code"] for r in rows} == councils, "a read saw a partial league table"
            seen_audits |= ids
            time.sleep(0.05)
        assert writer.returncode == 0, writer.stderr.read()
        final = json.load(no_proxy_get(url, timeout=10))
    new_audit = {r["audit_id"] for r in final}
    assert new_audit != old_audit and seen_audits <= old_audit | new_audit
    assert reads >= 5
