"""The publishing layer: Datasette pages, canned queries, escaping, and a real browser.

In-process tests drive ``audit.serve.make_datasette`` through Datasette's ASGI client;
one test starts ``datasette`` for real (``audit.serve.build_datasette_args``) and drives
Debian's Chromium with Playwright. The database is ``tests/sample_db.py``'s, written to
``sample.db``, so Datasette names it ``sample`` and the metadata written for
``localoffer`` must have been re-keyed for the canned queries to exist at all.
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import io
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audit.db import connect
from audit.serve import (
    PLUGINS_DIR,
    build_datasette_args,
    load_metadata,
    make_datasette,
    subprocess_env,
)
from audit.weights import DIMENSIONS
try:
    from tests.sample_db import (
        BARK,
        BHAM,
        CAMB,
        CORN,
        DATA_URL,
        IMG_LINK_TEXT,
        JS_URL,
        RUNNING_MARKER,
        SCRIPT_TITLE,
        SELECTOR_PAYLOAD,
        build_sample_db,
    )
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from sample_db import (  # type: ignore[no-redef]
        BARK, BHAM, CAMB, CORN, DATA_URL, IMG_LINK_TEXT, JS_URL, RUNNING_MARKER, SCRIPT_TITLE,
        SELECTOR_PAYLOAD, build_sample_db,
    )

ARTIFACTS = Path(__file__).parent / "artifacts"
DB = "sample"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("publish") / f"{DB}.db"
    build_sample_db(path)
    return path


def fetch(db_path, *paths):
    """GET each path in-process; returns the responses (one Datasette, one event loop)."""

    async def run():
        ds = make_datasette(db_path)
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(run())


def get(db_path, path, status=200):
    (response,) = fetch(db_path, path)
    assert response.status_code == status, (path, response.status_code, response.text[:2000])
    return response


def rows(db_path, query, **params):
    qs = "&".join(f"{k}={v}" for k, v in {**params, "_shape": "array"}.items())
    return json.loads(get(db_path, f"/{DB}/{query}.json?{qs}").text)


class _Html(HTMLParser):
    """Collects every attribute value of every tag, and the text inside <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def parse(html: str) -> _Html:
    parser = _Html()
    parser.feed(html)
    return parser


def assert_no_dangerous_markup(html: str):
    doc = parse(html)
    for tag, name, value in doc.attrs:
        v = "".join(value.split()).lower()
        if name in ("href", "src", "action", "formaction"):
            assert not v.startswith(("javascript:", "data:", "vbscript:")), (tag, name, value)
        assert not name.startswith("on"), (tag, name, value)  # no injected event handlers
    assert not any(tag == "img" for tag, _, _ in doc.attrs), "no <img> from crawled content"
    for script in doc.scripts:
        assert "alert(" not in script
    return doc


# --- configuration -------------------------------------------------------------------

def test_metadata_is_rekeyed_to_the_database_stem(sample_db):
    metadata = load_metadata("sample")
    assert "localoffer" not in metadata["databases"]
    queries = metadata["databases"]["sample"]["queries"]
    assert set(queries) >= {"league", "report_card", "broken_links", "stale_pages", "no_pfa",
                            "statutory_gaps", "a11y_by_rule"}
    assert load_metadata("localoffer")["databases"]["localoffer"]["queries"].keys() == queries.keys()

    args = build_datasette_args(sample_db, "127.0.0.1", 8123)
    assert args[0] == "serve" and str(sample_db) in args
    for flag in ("--metadata", "--template-dir", "--plugins-dir", "--static", "--host", "--port"):
        assert flag in args
    assert args[args.index("--port") + 1] == "8123"
    import yaml

    written = yaml.safe_load(Path(args[args.index("--metadata") + 1]).read_text())
    assert "sample" in written["databases"] and "localoffer" not in written["databases"]


def test_every_table_and_column_is_described(sample_db):
    metadata = load_metadata("sample")
    title = metadata["title"]
    assert title == "lo-audit: SEND Local Offer league table"
    assert "CC BY 4.0" in metadata["license"] and "mySociety" in metadata["source"]
    tables = metadata["databases"]["sample"]["tables"]
    conn = sqlite3.connect(sample_db)
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%'")]
    assert {"council_scores", "findings", "league_table", "latest_audit"} <= set(names)
    missing = []
    for name in names:
        if name not in tables or not tables[name].get("description"):
            missing.append(name)
            continue
        for (col,) in conn.execute(f"select name from pragma_table_info('{name}')"):
            if not tables[name].get("columns", {}).get(col):
                missing.append(f"{name}.{col}")
    assert not missing, f"undescribed: {missing}"


# --- pages -----------------------------------------------------------------------------

def test_front_page_is_the_league_table(sample_db):
    html = get(sample_db, "/").text
    assert "SEND Local Offer league table" in html
    order = [html.index(name) for name in ("Birmingham", "Cornwall", "Cambridgeshire", "Barking and Dagenham")]
    assert order == sorted(order), "councils in rank order"
    assert f'href="/council/{BHAM}"' in html and f'href="/council/{BARK}"' in html
    assert "25% of pages over a year old" in html
    assert "12 broken links of 340" in html
    assert "14 of 16 statutory items found" in html
    assert "No 16-25 section" in html
    assert 'href="/methodology"' in html
    assert f'href="/{DB}/findings"' in html and f'href="/{DB}"' in html
    assert "as of <strong>2025-06-01</strong>" in html
    assert "/lo-audit-static/lo-audit.css" in html and 'name="viewport"' in html
    get(sample_db, "/lo-audit-static/lo-audit.css")
    assert_no_dangerous_markup(html)


def test_front_page_without_an_audit_says_how_to_run_one(tmp_path):
    path = tmp_path / "empty.db"
    connect(path).conn.close()
    html = get(path, "/").text
    assert "No audit has been published yet" in html
    assert "lo-audit demo" in html and "lo-audit audit" in html


def test_report_card_shows_breakdown_and_evidence(sample_db):
    html = get(sample_db, f"/council/{BHAM}").text
    text = " ".join(" ".join(parse(html).text).split())
    assert "Birmingham" in text and "Rank 1 of 4" in text
    for d in DIMENSIONS:
        assert d.label in text
    assert "16.2" in text and "12.9" in text  # points per dimension
    # evidence: broken target + status, stale date string, failing selector, statutory items
    assert "https://www.example-school.org.uk/send-policy.pdf" in text and "404" in text
    assert "Last updated: 3 March 2021" in text
    assert "D:20190412093000Z" in text
    assert "img.hero-banner" in text
    assert "Not found" in text and "accessibility_strategy" in text
    assert "What to fix first" in text
    fix_first = text[text.index("What to fix first"):text.index("All findings")]
    assert fix_first.index("Up to date") < fix_first.index("Working links"), "biggest loss first"
    assert f'href="/{DB}/findings?council_code={BHAM}&amp;audit_id=2"' in html
    assert "Score history" in text and "70.2" in text  # the earlier complete audit


def test_unknown_council_is_404(sample_db):
    response = get(sample_db, "/council/E99999999", status=404)
    assert "Council not found" in response.text
    (hostile,) = fetch(sample_db, "/council/~3Cscript~3Ealert(9)~3C~2Fscript~3E")
    assert hostile.status_code == 404
    assert "<script>alert(9)" not in hostile.text and "&lt;script&gt;alert(9)" in hostile.text


def test_methodology_shows_every_weight_and_rule(sample_db):
    html = get(sample_db, "/methodology").text
    text = " ".join(" ".join(parse(html).text).split())
    table = html[html.index('class="lo-table lo-stack lo-weights"'):]
    table = table[:table.index("</table>")]
    for d in DIMENSIONS:
        weight = str(int(d.weight)) if float(d.weight).is_integer() else str(d.weight)
        assert f">{weight}</td>" in table, d.key
        assert d.label in text and " ".join(d.rule.split()) in text
        assert f"score_{d.key}" in text
    for item in ("education_provision", "travel_transport", "feedback_published", "contact",
                 "accessibility_strategy", "preparing_for_adulthood"):
        assert item in text
    assert "not a WCAG conformance audit" in text
    assert "Schedule 2" in text and "chapter 4" in text
    assert "lo-audit audit --db data/localoffer.db --as-of" in text
    assert "median_age_days" in text  # council_scores columns come from metadata.yml
    for word in ("Broken", "Blocked", "Soft 404", "dedicated_site", "directory_channel", "council_section"):
        assert word in text


# --- canned queries --------------------------------------------------------------------

def test_league_query(sample_db):
    result = rows(sample_db, "league")
    assert [r["council_code"] for r in result] == [BHAM, CORN, CAMB, BARK]
    assert [r["rank"] for r in result] == [1, 2, 3, 4]
    assert {r["audit_id"] for r in result} == {2}
    assert result[0]["score"] == 75.07 and result[0]["score_freshness"] == 16.25


def test_report_card_query(sample_db):
    (row,) = rows(sample_db, "report_card", council_code=CORN)
    assert row["council_name"] == "Cornwall" and row["audit_id"] == 2 and row["rank"] == 2
    for d in DIMENSIONS:
        assert f"score_{d.key}" in row
    assert round(sum(row[f"score_{d.key}"] for d in DIMENSIONS), 2) == pytest.approx(row["score"], abs=0.02)
    assert rows(sample_db, "report_card", council_code="E99999999") == []


def test_broken_links_query(sample_db):
    every = rows(sample_db, "broken_links")
    assert len(every) == 6
    assert {r["council_code"] for r in every} == {BHAM, CORN, CAMB}
    camb = rows(sample_db, "broken_links", council_code=CAMB)
    assert {(r["target"], r["status"], r["reason"]) for r in camb} == {
        ("https://www.cambridgeshire.gov.uk/sendiass-old", 500, "500"),
        ("https://camhs.example.nhs.uk/referrals", None, "dns"),
    }
    bham = {r["target"]: r for r in rows(sample_db, "broken_links", council_code=BHAM)}
    school = bham["https://www.example-school.org.uk/send-policy.pdf"]
    assert school["page_url"].endswith("/schools") and school["link_text"] == IMG_LINK_TEXT
    assert school["status"] == 404


def test_stale_pages_query(sample_db):
    result = rows(sample_db, "stale_pages")
    assert {(r["kind"], r["council_code"]) for r in result} == {
        ("page", BHAM), ("document", BHAM), ("page", CORN), ("page", CAMB)}
    evidence = {r["url"]: r["date_evidence"] for r in result}
    assert evidence["https://www.localofferbirmingham.co.uk/short-breaks"] == "Last updated: 3 March 2021"


def test_no_pfa_query(sample_db):
    assert [r["council_code"] for r in rows(sample_db, "no_pfa")] == [CAMB, BARK]


def test_statutory_gaps_query(sample_db):
    result = {r["council_code"]: r for r in rows(sample_db, "statutory_gaps")}
    assert {code: r["items_missing"] for code, r in result.items()} == {BARK: 16, CAMB: 8, CORN: 5, BHAM: 2}
    assert set(result[BHAM]["missing_items"].split(", ")) == {"accessibility_strategy", "feedback_published"}


def test_a11y_by_rule_query(sample_db):
    result = {(r["rule"], r["engine"]): r for r in rows(sample_db, "a11y_by_rule")}
    assert set(result) == {("image-alt", "static"), ("label", "axe"), ("html-has-lang", "static"),
                           ("link-name", "axe")}
    assert result[("image-alt", "static")]["councils"] == 2
    assert result[("image-alt", "static")]["violations"] == 5


def test_running_audit_never_appears(sample_db):
    paths = ["/", f"/council/{BHAM}", f"/council/{CORN}", "/methodology", f"/{DB}/league_table.json",
             f"/{DB}/latest_audit.json"]
    paths += [f"/{DB}/{q}.json" for q in ("league", "broken_links", "stale_pages", "no_pfa",
                                          "statutory_gaps", "a11y_by_rule")]
    paths.append(f"/{DB}/report_card.json?council_code={BHAM}")
    for response in fetch(sample_db, *paths):
        assert response.status_code == 200, response.url
        assert RUNNING_MARKER not in response.text, response.url
        assert RUNNING_MARKER.lower() not in response.text, response.url
        assert "99.9" not in response.text, response.url


def test_csv_download(sample_db):
    text = get(sample_db, f"/{DB}/league.csv").text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["council_name"] for r in table] == ["Birmingham", "Cornwall", "Cambridgeshire", "Barking and Dagenham"]
    findings = list(csv.DictReader(io.StringIO(
        get(sample_db, f"/{DB}/findings.csv?council_code={CAMB}&audit_id=2&_size=max").text)))
    assert findings and {r["council_code"] for r in findings} == {CAMB}
    stale = get(sample_db, f"/{DB}/stale_pages.csv").text
    assert "Last updated: 3 March 2021" in stale


# --- untrusted content -----------------------------------------------------------------

def test_hostile_strings_are_escaped_and_never_links(sample_db):
    pages = ["/", f"/council/{BHAM}", f"/{DB}/page_audits", f"/{DB}/links", f"/{DB}/statutory_coverage",
             f"/{DB}/findings", f"/{DB}/broken_links", f"/{DB}/stale_pages"]
    for response in fetch(sample_db, *pages):
        assert response.status_code == 200, response.url
        html = response.text
        for payload in (SCRIPT_TITLE, IMG_LINK_TEXT, "<script>alert(4)</script>", SELECTOR_PAYLOAD):
            assert payload not in html, (response.url, payload)
        assert_no_dangerous_markup(html)
    card = get(sample_db, f"/council/{BHAM}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "&lt;img src=x onerror=alert(2)&gt;" in card
    text = " ".join(parse(card).text)
    assert JS_URL in text and DATA_URL in text  # shown as text ...
    assert f'href="{JS_URL}"' not in card  # ... never as links


def _load_plugin():
    spec = importlib.util.spec_from_file_location("lo_audit_pages_under_test", PLUGINS_DIR / "lo_audit_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("url,ok", [
    ("https://www.example.org/page", True),
    ("http://example.org/", True),
    ("HTTPS://EXAMPLE.ORG/", True),
    ("javascript:alert(3)", False),
    ("JavaScript:alert(3)", False),
    (" javascript:alert(3)", False),
    ("java\tscript:alert(3)", False),
    ("data:text/html,<script>alert(4)</script>", False),
    ("vbscript:msgbox(1)", False),
    ("//evil.example.org/", False),
    ("/relative/path", False),
    ("https://", False),
    ("https://example.org/\nx", False),
    ("", False),
    (None, False),
])
def test_safe_href(url, ok):
    assert bool(_load_plugin().safe_href(url)) is ok


# --- a real server and a real browser ---------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _no_proxy_get(url: str, timeout: float = 2.0):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return opener.open(url, timeout=timeout)


@pytest.fixture
def live_server(sample_db, tmp_path):
    port = _free_port()
    args = build_datasette_args(sample_db, "127.0.0.1", port)
    out = open(tmp_path / "server.out", "w+b")
    process = subprocess.Popen([sys.executable, "-m", "datasette", *args], stdout=out, stderr=subprocess.STDOUT,
                               env=subprocess_env(), cwd=str(tmp_path))

    def output() -> str:
        out.flush()
        out.seek(0)
        return out.read().decode("utf-8", "replace")

    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"datasette exited with {process.returncode}:\n{output()}")
            try:
                with _no_proxy_get(base + "/-/versions.json") as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"datasette did not start within 30s:\n{output()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        out.close()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--no-proxy-server"]


def test_browser_front_page_and_report_card(live_server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(live_server + "/")
            body = page.inner_text("body")
            assert "SEND Local Offer league table" in body
            assert "12 broken links of 340" in body
            assert "Barking and Dagenham" in body
            page.screenshot(path=str(ARTIFACTS / "front.png"), full_page=True)

            page.click(f'a[href="/council/{BHAM}"]')
            page.wait_for_url(f"**/council/{BHAM}")
            body = page.inner_text("body")
            assert "Score breakdown" in body and "What to fix first" in body
            assert "Last updated: 3 March 2021" in body
            assert SCRIPT_TITLE in body and IMG_LINK_TEXT in body  # shown as text, not run
            assert page.locator(f'a[href^="javascript:"], a[href^="data:"]').count() == 0
            page.screenshot(path=str(ARTIFACTS / "council.png"), full_page=True)

            page.goto(live_server + "/methodology")
            assert "not a WCAG conformance audit" in page.inner_text("body")

            phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            phone.goto(live_server + "/")
            assert "Birmingham" in phone.inner_text("body")
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            phone.screenshot(path=str(ARTIFACTS / "front-phone.png"), full_page=True)
            assert overflow <= 1, f"front page scrolls sideways on a phone by {overflow}px"
            phone.goto(live_server + f"/council/{BHAM}")
            phone.screenshot(path=str(ARTIFACTS / "council-phone.png"), full_page=False)
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"report card scrolls sideways on a phone by {overflow}px"
            phone.goto(live_server + f"/{DB}/page_audits")
            phone.wait_for_timeout(300)
        finally:
            browser.close()
    assert dialogs == [], f"script from crawled content ran: {dialogs}"
