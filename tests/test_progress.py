"""The audit's progress (audit.progress): shown under a pseudo-terminal, absent when piped.

Both run the real ``lo-audit audit`` on a copy of the demo crawl (static engine only, so
the test stays quick); the terminal is a real pseudo-terminal from ``pty.openpty``."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT, cli_env, copy_demo, on_terminal, plain

def test_progress_on_a_terminal(demo_db, tmp_path):
    db = copy_demo(demo_db, tmp_path)
    chunks, stderr, code = on_terminal([sys.executable, "-m", "audit.cli", "audit", "--db", str(db), "--as-of",
                                        "2026-11-23", "--axe-sample", "0"])
    assert code == 0, stderr
    text = plain("".join(chunk for _, chunk in chunks))
    # one line per council as it finishes, with its pages and distinct issues
    assert re.search(r"E99000001 Northmoor: \d+ pages, \d+ distinct accessibility issues?", text), text[-2000:]
    assert re.search(r"E99000004 Westmarsh: \d+ pages", text)
    assert re.search(r"\d+/11 councils", text) and "pages/s" in text and "axe pages" in text  # the demo's 11
    assert "audit 2 (as of 2026-11-23)" in text  # the summary still follows


def test_no_progress_when_piped(demo_db, tmp_path):
    db = copy_demo(demo_db, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "audit.cli", "audit", "--db", str(db), "--as-of", "2026-11-23",
                           "--axe-sample", "0"], capture_output=True, text=True, env=cli_env(), cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout and "councils" not in proc.stdout and "Northmoor:" not in proc.stdout
    assert proc.stdout.startswith("audit 2 (as of 2026-11-23)")
    assert "\x1b[" not in proc.stderr and "pages/s" not in proc.stderr
