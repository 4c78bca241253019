"""The weekly recipe (``scripts/weekly.sh`` and its systemd units): a real run against a
loopback web, a second run refused while the first holds the lock, and the units as systemd
reads them."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, council, query, write_seeds

SCRIPT = ROOT / "scripts" / "weekly.sh"
UNITS = ROOT / "scripts" / "systemd"


def weekly(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = cli_env({"LO_AUDIT_DB": str(tmp / "weekly.db"), "LO_AUDIT_KEEP": "1",
                   "LO_AUDIT_AUDIT_OPTIONS": "--axe-sample 0 --as-of 2026-06-01",
                   "LO_AUDIT": str(Path(sys.executable).parent / "lo-audit")})
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300)


def test_weekly_runs_crawl_audit_and_prune_twice(web, tmp_path):
    web.route("/lo/", '<html lang="en"><head><title>Local Offer</title></head><body><main><h1>Local Offer</h1>'
                      '<p>Last updated: 1 May 2026</p><a href="/lo/a">A</a></main></body></html>')
    web.route("/lo/a", '<html lang="en"><head><title>A</title></head><body><main><h1>A</h1></main></body></html>')
    seeds = write_seeds(tmp_path / "seeds.csv", [council("E09990009", web.url("/lo/"))])
    for week in (1, 2):
        proc = weekly(tmp_path, "--seeds", str(seeds), "--download-delay", "0")
        assert proc.returncode == 0, proc.stderr[-3000:]
        steps = [line.split()[2] for line in proc.stdout.splitlines() if line.startswith("weekly: ")]
        assert steps == ["crawl", "audit", "prune", "done"], proc.stdout
    db = tmp_path / "weekly.db"
    assert [r["status"] for r in query(db, "select status from audits order by audit_id")] == ["complete", "complete"]
    # keep 1: the first week's crawl lost its evidence, its audit stayed
    assert [r["crawl_id"] for r in query(db, "select crawl_id from crawls where pruned_at is not null")] == [1]
    assert "crawls pruned: 1" in proc.stdout


def test_a_second_run_is_refused_while_one_holds_the_lock(tmp_path):
    lock = open(tmp_path / "weekly.db.weekly.lock", "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run in progress
        proc = weekly(tmp_path)
    finally:
        lock.close()
    assert proc.returncode == 75
    assert "another run holds" in proc.stderr and "weekly: " not in proc.stdout
    assert not (tmp_path / "weekly.db").exists(), "nothing was crawled"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_are_valid(tmp_path):
    for unit in UNITS.iterdir():  # installed where the README says, as systemd would read them
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/lo-audit", str(ROOT)))
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
