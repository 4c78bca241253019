"""The crawl's progress (crawler.progress): under a pseudo-terminal, a live line and one
line per council *as it finishes*, not all at the end; nothing of it when piped.

Two councils on two loopback servers: Quickford's two pages answer at once, Slowbury's
chain of pages takes SLOW_SECONDS each, so Quickford is done seconds before the crawl
ends. What is asserted is order (Quickford's line arrives while Slowbury is still being
crawled, and its crawl_sites row is finished first), never a speed."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from conftest import ROOT, Reply, Web, cli_env, council, on_terminal, page, plain, query, write_seeds

SLOW_SECONDS = 0.6
SLOW_PAGES = 6


@pytest.fixture
def two_speeds():
    quick, slow = Web(), Web()
    quick.route("/lo/", page("/lo/a", "/lo/missing", title="Quickford Local Offer"))
    quick.route("/lo/a", page("/lo/", title="About"))

    def slow_page(n: int):
        def handler(req, h):
            time.sleep(SLOW_SECONDS)
            following = [f"/lo/{n + 1}"] if n + 1 < SLOW_PAGES else []
            return Reply(200, page(*following, title=f"Slowbury page {n}"))
        return handler

    slow.route("/lo/", slow_page(0))
    for n in range(1, SLOW_PAGES):
        slow.route(f"/lo/{n}", slow_page(n))
    yield quick, slow
    quick.close()
    slow.close()


def crawl_args(tmp_path, quick, slow, *extra):
    seeds = write_seeds(tmp_path / "seeds.csv", [
        council("E99900001", quick.url("/lo/"), name="Quickford"),
        council("E99900002", slow.url("/lo/"), name="Slowbury"),
    ])
    return [sys.executable, "-m", "audit.cli", "crawl", "--seeds", str(seeds), "--db", str(tmp_path / "c.db"),
            "--download-delay", "0", "--timeout", "10", *extra]


def arrival(chunks, pattern: str) -> float:
    text = ""
    for when, chunk in chunks:
        text += chunk
        if re.search(pattern, plain(text)):
            return when
    raise AssertionError(f"{pattern!r} never shown in:\n{text[-3000:]}")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_each_council_shown_as_it_finishes(tmp_path, two_speeds, workers):
    quick, slow = two_speeds
    chunks, stderr, code = on_terminal(crawl_args(tmp_path, quick, slow, "--workers", workers))
    assert code == 0, stderr
    assert stderr == ""  # no error logged (a site's request bookkeeping going wrong is logged as one)
    text = plain("".join(chunk for _, chunk in chunks))
    quick_line = arrival(chunks, r"E99900001 Quickford: ok, 2 pages")
    slow_line = arrival(chunks, rf"E99900002 Slowbury: ok, {SLOW_PAGES} pages")
    summary = arrival(chunks, r"crawl 1: 2 councils")
    # Quickford's line came while Slowbury's chain (>= 3.6 s of sleeping server) was being crawled
    assert slow_line - quick_line > 2 * SLOW_SECONDS, text
    assert quick_line < summary and slow_line <= summary
    # the live line: councils done of total, pages, rate, link checks, errors
    assert re.search(r"\d/2 councils", text) and "pages/s" in text, text
    assert re.search(r"links checked \(\d+ broken\)", text) and re.search(r"\d+ errors", text), text
    rows = {r["council_code"]: r for r in query(tmp_path / "c.db", "SELECT * FROM crawl_sites")}
    assert rows["E99900001"]["finished_at"] <= rows["E99900002"]["finished_at"]
    assert rows["E99900001"]["pages_fetched"] == 2 and rows["E99900002"]["pages_fetched"] == SLOW_PAGES


def test_no_progress_when_piped(tmp_path, two_speeds):
    quick, slow = two_speeds
    proc = subprocess.run(crawl_args(tmp_path, quick, slow), capture_output=True, text=True, env=cli_env(),
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout and "pages/s" not in proc.stdout and "councils checked" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("crawl 1: 2 councils")  # the summary, once, and only it
    assert sum("E99900001 Quickford" in line for line in lines) == 1
    assert "pages/s" not in proc.stderr and "\x1b[" not in proc.stderr
