"""The published site in a real browser: Datasette served for real (as ``lo-audit serve``
runs it) and driven by Debian's headless Chromium through Playwright.

* the front page, a report card, the methodology page and a CSV download, asserting on
  what a reader sees, with screenshots in ``tests/artifacts/``;
* axe-core (the copy ``audit.a11y.axe`` uses) finds no serious or critical violation on
  the front page, a report card and the methodology page;
* the sample database's two audits show movement and "what changed";
* a hostile site, crawled and audited by the real commands, cannot run script or inject
  markup anywhere it is published.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from audit.a11y.axe import axe_source

try:
    from tests.sample_db import BHAM, CAMB, CHANGES, IMG_LINK_TEXT, SCRIPT_TITLE, build_sample_db
    from tests.servers import chromium, datasette_server, static_site
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from sample_db import BHAM, CAMB, CHANGES, IMG_LINK_TEXT, SCRIPT_TITLE, build_sample_db  # type: ignore
    from servers import chromium, datasette_server, static_site  # type: ignore

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DB = "sample"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> str:
    """The sample database served by Datasette; yields its base URL."""
    folder = tmp_path_factory.mktemp("browser")
    build_sample_db(folder / f"{DB}.db")
    with datasette_server(folder / f"{DB}.db", folder) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    """A fresh page that records every dialog (alert, confirm ...): none may open."""
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    yield tab
    context.close()
    assert tab.dialogs == [], f"script ran: {tab.dialogs}"


def shot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# --- what a reader sees ----------------------------------------------------------------

def test_front_page_league_table(site, page):
    page.goto(site + "/")
    body = page.inner_text("body")
    assert "SEND Local Offer league table" in body
    assert "12 broken links of 340" in body and "Barking and Dagenham" in body
    assert "+6.7 pts" in body and "down 1 place" in body  # movement since audit 1
    assert page.locator("svg[role=img]").count() == 4
    shot(page, "front")

    page.select_option("#filter-region", "East of England")
    page.click("form.lo-filters button")
    page.wait_for_url("**/?region=East+of+England*")
    rows = page.locator("table.lo-league tbody tr")
    assert rows.count() == 1 and "Cambridgeshire" in rows.inner_text()

    page.goto(site + "/")
    page.click("table.lo-league th a:has-text('Score /100')")
    page.click("table.lo-league th a:has-text('Score /100')")  # second click: lowest first
    assert page.locator("table.lo-league th[aria-sort=ascending]").count() == 1
    first = page.locator("table.lo-league tbody tr").first.inner_text()
    assert "Barking and Dagenham" in first


def test_front_page_on_a_phone(site, browser):
    phone = browser.new_page(viewport=PHONE, is_mobile=True)
    try:
        phone.goto(site + "/")
        assert "Birmingham" in phone.inner_text("body")
        shot(phone, "front-phone")
        assert sideways_scroll(phone) <= 1, "front page scrolls sideways on a phone"
        phone.goto(site + f"/council/{BHAM}")
        shot(phone, "council-phone", full_page=False)
        assert sideways_scroll(phone) <= 1, "report card scrolls sideways on a phone"
    finally:
        phone.close()


def test_report_card_shows_history_and_what_changed(site, page):
    page.goto(site + "/")
    page.click(f'a[href="/council/{BHAM}"]')
    page.wait_for_url(f"**/council/{BHAM}")
    body = page.inner_text("body")
    assert "Score breakdown" in body and "What to fix first" in body
    assert "Last updated: 3 March 2021" in body
    assert SCRIPT_TITLE in body and IMG_LINK_TEXT in body  # shown as text, not run
    assert page.locator('a[href^="javascript:"], a[href^="data:"]').count() == 0
    for section, urls in (("changes-broken", CHANGES["newly_broken"]), ("changes-fixed", CHANGES["fixed"]),
                          ("changes-updated", CHANGES["updated"]), ("changes-stale", CHANGES["gone_stale"])):
        listed = page.locator(f"section[aria-labelledby={section}] li").all_inner_texts()
        assert len(listed) == len(urls) and all(any(u in li for li in listed) for u in urls), (section, listed)
    assert page.locator("#history ~ figure svg[role=img], #history ~ div svg[role=img]").count() >= 8
    shot(page, "council")


def test_methodology_page(site, page):
    page.goto(site + "/methodology")
    body = page.inner_text("body")
    assert "not a WCAG conformance audit" in body
    assert "--as-of 2025-06-01" in body and "Known limits" in body and "How to dispute a finding" in body
    shot(page, "methodology")


def test_csv_download(site, page):
    page.goto(site + "/")
    with page.expect_response(lambda r: "/league.csv" in r.url) as answer:
        page.click("text=CSV")
    table = list(csv.DictReader(io.StringIO(answer.value.text())))
    assert [r["council_name"] for r in table] == ["Birmingham", "Cornwall", "Cambridgeshire", "Barking and Dagenham"]

    page.goto(site + "/data-dictionary")
    assert "Licence and attribution" in page.inner_text("body")
    href = page.get_attribute("#table-findings ~ p a:has-text('CSV')", "href")
    findings = list(csv.DictReader(io.StringIO(page.request.get(site + href).text())))
    assert {r["council_code"] for r in findings} >= {BHAM, CAMB}
    assert list(findings[0]) == ["audit_id", "council_code", "check_name", "url", "target", "severity", "detail",
                                 "evidence"]
    shot(page, "data-dictionary", full_page=False)


# --- accessibility ----------------------------------------------------------------------

def axe_violations(page) -> list[dict]:
    source, _ = axe_source()
    page.evaluate(source)
    return page.evaluate("axe.run(document).then(r => r.violations.map(v => "
                         "({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))")


@pytest.mark.parametrize("path", ["/", f"/council/{BHAM}", "/methodology", "/data-dictionary"])
def test_axe_finds_no_serious_or_critical_violation(site, page, path):
    page.goto(site + path)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # check hidden tables too
    bad = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{path}: {bad}"


# --- untrusted content, through a real crawl ----------------------------------------------

HOSTILE_HOME = """<!DOCTYPE html>
<html lang="en"><head><title><script>alert(1)</script></title></head>
<body><h1>SEND Local Offer</h1>
<p>Last updated: 1 March 2026</p>
<ul>
<li><a href="/page2.html"><img src=x onerror=alert(2)></a></li>
<li><a href="javascript:alert(3)">Contact us</a></li>
<li><a href="data:text/html,<script>alert(4)</script>">Travel form</a></li>
<li><a href="/missing.html">Gone</a></li>
</ul>
<svg onload=alert(5)><title>x</title></svg>
</body></html>
"""
HOSTILE_PAGE2 = """<!DOCTYPE html>
<html lang="en"><head><title>Short breaks <img src=x onerror=alert(6)></title></head>
<body><h1>Short breaks</h1><a href="/">Home</a></body></html>
"""
HOSTILE_CODE = "E99009999"


def run_cli(*args: str, timeout: float = 180) -> None:
    done = subprocess.run([sys.executable, "-m", "audit.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=str(ROOT))
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    """A hostile Local Offer served on loopback, crawled and audited by the real commands."""
    folder = tmp_path_factory.mktemp("hostile")
    web = folder / "web"
    web.mkdir()
    (web / "index.html").write_text(HOSTILE_HOME, encoding="utf-8")
    (web / "page2.html").write_text(HOSTILE_PAGE2, encoding="utf-8")
    db = folder / "hostile.db"
    with static_site(web) as base:
        seeds = folder / "seeds.csv"
        seeds.write_text("code,name,local_offer_url,council_url\n"
                         f"{HOSTILE_CODE},<script>alert(7)</script> Council,{base}/index.html,{base}/\n",
                         encoding="utf-8")
        run_cli("crawl", "--seeds", str(seeds), "--db", str(db), "--download-delay", "0", "--timeout", "5")
    run_cli("audit", "--db", str(db), "--as-of", "2026-11-23")
    return db


def test_a_hostile_crawl_cannot_script_the_published_pages(hostile_db, browser, tmp_path):
    with datasette_server(hostile_db, tmp_path) as base:
        tab = browser.new_page(viewport=DESKTOP)
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            for path in ("/", f"/council/{HOSTILE_CODE}", "/hostile/findings", "/hostile/links",
                         "/hostile/page_audits", "/hostile/link_checks"):
                tab.goto(base + path)
                tab.wait_for_load_state("load")
                tab.wait_for_timeout(200)
                assert tab.query_selector("img[src=x]") is None, path
                assert tab.query_selector("svg[onload]") is None, path
                hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
                bad = [h for h in hrefs if "".join(h.split()).lower().startswith(("javascript:", "data:"))]
                assert bad == [], (path, bad)
                if path == f"/council/{HOSTILE_CODE}":
                    assert "<script>alert(7)</script> Council" in tab.inner_text("body")  # shown as text
                    shot(tab, "hostile-council")
        finally:
            tab.close()
    assert dialogs == [], f"script from the crawled site ran: {dialogs}"
