"""The browser engine: axe-core in Debian's Chromium, on archived HTML, and in the audit.

Needs /usr/bin/chromium (or LO_AUDIT_CHROMIUM), which scripts/setup.sh installs. The demo
database is the session's shared ``demo_db`` (conftest).
"""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import copy_demo
from conftest import query as q

from audit.a11y import axe as a11y_axe

ROOT = Path(__file__).resolve().parents[2]
NORTHMOOR_HOME = "http://localoffer.northmoor.example/"


@pytest.fixture(scope="module")
def browser():
    with a11y_axe.AxeBrowser() as b:
        yield b


BANNER_PAGE = """<!doctype html><html lang="en"><head><title>Short breaks</title></head><body>
<main><h1>Short breaks</h1><p id="faint" style="color:#c0c0c0;background:#fff">Faint text under the banner</p>
<img src="/img/children.jpg"></main>
<div id="cookie-notice" class="cookie-banner" style="position:fixed;inset:0;z-index:9999;background:#fff">
 <p>We use cookies to make this site work.</p>
 <form method="post" action="/cookies/accept"><button>Accept cookies</button></form></div>
</body></html>"""


def test_cookie_banner_covering_the_page_does_not_hide_it(browser):
    got = browser.check_archived("https://www.example.org/send/short-breaks", BANNER_PAGE)
    rules = {v.rule: v for v in got["violations"]}
    # covered text can only be judged once the banner no longer covers it
    assert "color-contrast" in rules and "#faint" in rules["color-contrast"].targets
    assert "image-alt" in rules
    assert got["axe_version"] == a11y_axe.axe_version() and got["axe_version"].count(".") == 2
    assert all(r["id"] == "color-contrast" for r in got["needs_review"])


def test_a_covered_page_without_the_banner_fix_is_only_needs_review(browser):
    html = BANNER_PAGE.replace("position:fixed", "position:absolute")  # not recognised as a banner
    got = browser.check_archived("https://www.example.org/send/short-breaks", html)
    assert "color-contrast" not in {v.rule for v in got["violations"]}
    assert any("#faint" in r["targets"] for r in got["needs_review"])


@pytest.fixture()
def canary():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hits
    server.shutdown()


def test_archived_public_page_makes_no_request_to_a_private_address(browser, canary):
    port, hits = canary
    base = f"http://127.0.0.1:{port}"
    html = (f'<!doctype html><html lang="en"><head><title>t</title><link rel="stylesheet" href="{base}/s.css">'
            f'<script src="{base}/x.js"></script></head><body><main><img src="{base}/x.png">'
            f'<iframe src="{base}/frame" title="f"></iframe><img srcset="{base}/y.png 2x" alt="y">'
            f'<div style="background:url({base}/bg.png)">bg</div>'
            f'<script>fetch("{base}/fetch").catch(()=>0); new Image().src = "{base}/beacon";</script></main>'
            f'<form id="f" action="{base}/post" method="post"></form><script>document.getElementById("f").submit()'
            f'</script></body></html>')
    got = browser.check_archived("https://www.example.org/send/page", html)
    assert "image-alt" in {v.rule for v in got["violations"]}
    assert hits == []


def test_archived_data_urls_still_load(browser):
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    got = browser.check_archived("https://www.example.org/p", f'<html lang="en"><title>t</title><img src="{pixel}">')
    assert "image-alt" in {v.rule for v in got["violations"]}


# ---- in the audit -----------------------------------------------------------------------

def test_demo_audit_has_axe_results(demo_db):
    assert q(demo_db, "select axe_version from audits where audit_id = 1")[0]["axe_version"] == a11y_axe.axe_version()
    home = q(demo_db, "select rule, count, impact, targets, wcag from a11y_results where audit_id = 1 and "
                      "engine = 'axe' and url = ?", [NORTHMOOR_HOME])
    assert home, "the demo's Northmoor home has axe rows"
    assert all(r["count"] == len(json.loads(r["targets"])) and r["impact"] for r in home)
    sampled = q(demo_db, "select axe_sample_reason from page_audits where audit_id = 1 and url = ?", [NORTHMOOR_HOME])
    assert sampled[0]["axe_sample_reason"] == "home"
    scores = {r["council_code"]: r for r in q(demo_db, "select * from council_scores where audit_id = 1")}
    northmoor = scores["E99000001"]
    assert 5 <= northmoor["a11y_axe_pages_checked"] <= 14  # home, pfa, contact (+form) + 10 most linked
    assert northmoor["a11y_pages_checked"] == northmoor["pages_crawled"]  # static: every page
    reasons = {r["axe_sample_reason"] for r in q(
        demo_db, "select axe_sample_reason from page_audits where audit_id = 1 and council_code = 'E99000001'")}
    assert {"home", "pfa", "contact", "most_linked"} <= reasons
    league = q(demo_db, "select * from league_table")
    assert all("a11y_axe_pages_checked" in r for r in league)


def test_demo_agreement_and_documents(demo_db):
    agreement = q(demo_db, "select sum(pages) p, sum(both_flag + neither_flag) a from a11y_engine_agreement "
                           "where audit_id = 1")[0]
    assert agreement["p"] > 0 and agreement["a"] / agreement["p"] >= 0.95
    docs = q(demo_db, "select council_code, count(*) n from findings where audit_id = 1 and check_name = 'pdf_a11y' "
                      "group by council_code")
    scores = {r["council_code"]: r["a11y_documents_failing"]
              for r in q(demo_db, "select * from council_scores where audit_id = 1")}
    assert docs and all(scores[d["council_code"]] == d["n"] for d in docs)
    westmarsh = q(demo_db, "select pdf_tagged, pdf_has_language, pdf_problems from document_audits where audit_id = 1 "
                           "and url like '%local-offer-guide-2020.pdf'")
    assert westmarsh and westmarsh[0]["pdf_has_language"] == 0 and "no_language" in westmarsh[0]["pdf_problems"]


def test_without_chromium_the_audit_warns_once_and_keeps_axe_columns_null(demo_db, tmp_path, monkeypatch, capsys):
    from audit.runner import run_audit

    demo_db = copy_demo(demo_db, tmp_path)
    monkeypatch.setattr(a11y_axe, "CHROMIUM", "/nonexistent/chromium")
    audit_id = run_audit(demo_db, date(2026, 11, 23), axe_sample=10)
    err = capsys.readouterr().err
    assert err.count("warning: axe-core browser engine unavailable") == 1
    rows = q(demo_db, "select a11y_axe_pages_checked, a11y_pages_checked from council_scores where audit_id = ?",
             [audit_id])
    assert rows and all(r["a11y_axe_pages_checked"] is None for r in rows)
    assert q(demo_db, "select count(*) n from a11y_results where audit_id = ? and engine = 'axe'", [audit_id])[0]["n"] == 0
    assert q(demo_db, "select status, axe_version from audits where audit_id = ?", [audit_id])[0] == {
        "status": "complete", "axe_version": None}
