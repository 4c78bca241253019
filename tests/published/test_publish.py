"""The publishing layer: Datasette pages, canned queries, escaping, and a real browser.

These tests drive ``audit.serve.make_datasette`` in-process through Datasette's ASGI
client; ``test_publish_browser.py`` serves the same database for real and drives Chromium.
The database is ``tests/sample_db.py``'s, written to
``sample.db``, so Datasette names it ``sample`` and the metadata written for
``localoffer`` must have been re-keyed for the canned queries to exist at all.
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import io
import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audit.core.db import connect
from audit.serve import PLUGINS_DIR, build_datasette_args, load_metadata, make_datasette
from audit.plugins import dimensions

DIMENSIONS = dimensions()
try:
    from tests.sample_db import (
        BARK,
        BHAM,
        CAMB,
        CHANGES,
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
        BARK, BHAM, CAMB, CHANGES, CORN, DATA_URL, IMG_LINK_TEXT, JS_URL, RUNNING_MARKER, SCRIPT_TITLE,
        SELECTOR_PAYLOAD, build_sample_db,
    )

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
    assert "13.0" in text and "9.7" in text  # points per dimension
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
    assert "Score history" in text and "70.3" in text  # the earlier complete audit


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
    assert result[0]["score"] == 77.07 and result[0]["score_freshness"] == 13.0


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
    """The plugin module as Datasette loads it from --plugins-dir (by file, not by package)."""
    spec = importlib.util.spec_from_file_location("lo_audit_under_test", PLUGINS_DIR / "lo_audit.py")
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


# --- movement, filters, sorting, charts, history -----------------------------------------

def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def _league_order(html: str) -> list[str]:
    if "<tbody>" not in html:
        return []
    body = _section(html, "<tbody>", "</tbody>")
    return [name for _, name in sorted(
        (body.index(f'href="/council/{code}"'), code) for code in (BHAM, CORN, CAMB, BARK)
        if f'href="/council/{code}"' in body)]


def test_league_shows_movement_since_the_previous_audit(sample_db):
    html = get(sample_db, "/").text
    assert "Movement is since audit 1 (as of 2025-01-15)" in html
    rows = {code: _section(html, f'href="/council/{code}"', "</tr>") for code in (BHAM, CORN, CAMB, BARK)}
    assert "▲" in rows[BHAM] and "+6.7 pts" in rows[BHAM] and "same rank" in rows[BHAM]
    assert "▲" in rows[CORN] and f"{56.08 - 49.96:+.1f} pts" in rows[CORN]
    assert "▼" in rows[CAMB] and "-4.9 pts" in rows[CAMB] and "up 1 place" in rows[CAMB]
    assert "▼" in rows[BARK] and "-28.3 pts" in rows[BARK] and "down 1 place" in rows[BARK]


def test_league_filters_by_region_and_authority_type(sample_db):
    assert _league_order(get(sample_db, "/?region=London").text) == [BARK]
    html = get(sample_db, "/?la_type=county").text
    assert _league_order(html) == [CAMB] and "Showing 1 of 4 councils" in html
    assert '<option value="county" selected>' in html
    assert _league_order(get(sample_db, "/?region=London&la_type=county").text) == []
    assert "No council matches these filters" in get(sample_db, "/?region=Nowhere").text


def test_league_sorts_by_any_column(sample_db):
    assert _league_order(get(sample_db, "/").text) == [BHAM, CORN, CAMB, BARK]
    assert _league_order(get(sample_db, "/?sort=score&dir=asc").text) == [BARK, CAMB, CORN, BHAM]
    assert _league_order(get(sample_db, "/?sort=council").text) == [BARK, BHAM, CAMB, CORN]
    assert _league_order(get(sample_db, "/?sort=movement").text) == [BHAM, CORN, CAMB, BARK]
    assert _league_order(get(sample_db, "/?sort=links").text) == [CORN, BHAM, CAMB, BARK]
    html = get(sample_db, "/?sort=score&dir=asc&region=London").text
    assert 'aria-sort="ascending"' in html
    assert 'href="?region=London&amp;sort=score&amp;dir=desc"' in html, "the current column's link toggles"
    assert _league_order(get(sample_db, "/?sort=nonsense&dir=sideways").text) == [BHAM, CORN, CAMB, BARK]


def test_front_page_charts_are_svg_with_table_alternatives(sample_db):
    html = get(sample_db, "/").text
    assert "<script src" not in html.replace('<script src="/-/static', "")  # nothing loaded from elsewhere
    for chart_id in ("chart-scores", "chart-stale", "chart-broken", "chart-regions"):
        figure = _section(html, f'<figure class="lo-chart" id="{chart_id}">', "</figure>")
        assert f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d"' in figure
        assert f'<title id="{chart_id}-t">' in figure and "<details" in figure and "<table" in figure
    scores = _section(html, 'id="chart-scores"', "</figure>")
    assert '<th scope="row">0-9</th><td class="lo-num">1</td>' in scores  # Barking: 0
    broken = _section(html, 'id="chart-broken"', "</figure>")
    assert broken.index("Cambridgeshire") < broken.index("Birmingham") < broken.index("Cornwall")
    assert "15 of 150" in broken
    regions = _section(html, 'id="chart-regions"', "</figure>")
    assert 'href="?region=West+Midlands"' in regions


def test_report_card_lists_what_changed_since_the_last_audit(sample_db):
    html = get(sample_db, f"/council/{BHAM}").text
    assert "Compared with audit 1 (as of 2025-01-15)" in html
    sections = {"newly_broken": "changes-broken", "fixed": "changes-fixed", "updated": "changes-updated",
                "gone_stale": "changes-stale"}
    for name, section_id in sections.items():
        section = _section(html, f'id="{section_id}"', "</section>")
        assert section.count("<li>") == len(CHANGES[name]), name
        for url in CHANGES[name]:
            assert f'href="{url}"' in section, (name, url)
    assert "was 404, now 200" in html
    assert "2024-09-10 &rarr; 2025-04-02" in html
    assert "+6.7 pts</span>, same rank since the last audit" in html
    cornwall = get(sample_db, f"/council/{CORN}").text  # audit 1 recorded no Cornwall findings
    assert 'href="https://www.cornwall.gov.uk/old-send-strategy"' in _section(cornwall, 'id="changes-broken"',
                                                                               "</section>")
    assert cornwall.count("<p>None.</p>") == 4  # fixed, updated, gone stale, directory records gone stale


def test_report_card_charts_score_and_every_dimension_over_time(sample_db):
    html = get(sample_db, f"/council/{BHAM}").text
    history = html[html.index('id="history"'):]
    assert 'id="chart-history"' in history
    for d in DIMENSIONS:
        assert f'id="chart-history-{d.key}"' in history
    assert history.count("<polyline") == 1 + len(DIMENSIONS)
    table = _section(history, "<table", "</table>")
    assert "70.3" in table and "77.1" in table and "2025-01-15" in table and "77.07" not in table  # 1 decimal


def test_data_dictionary_lists_every_table_and_column(sample_db):
    html = get(sample_db, "/data-dictionary").text
    text = " ".join(" ".join(parse(html).text).split())
    conn = sqlite3.connect(sample_db)
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%'")]
    tables = load_metadata(DB)["databases"][DB]["tables"]
    for name in names:
        assert f'id="table-{name}"' in html, name
        assert f'href="/{DB}/{name}.csv?_stream=on&amp;_size=max"' in html
        for (col,) in conn.execute(f"select name from pragma_table_info('{name}')"):
            assert f"<code>{col}</code>" in html, (name, col)
    assert " ".join(tables["findings"]["description"].split()) in text
    assert tables["page_audits"]["columns"]["date_evidence"] in text
    assert "CC BY 4.0" in text and "mySociety" in text and "Ready-made queries" in text
    assert 'href="/data-dictionary"' in get(sample_db, "/").text


def test_every_table_downloads_as_csv_and_json(sample_db):
    conn = sqlite3.connect(sample_db)
    names = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view') "
                                        "and name not like 'sqlite_%'")]
    paths = [p for n in names for p in (f"/{DB}/{n}.csv?_stream=on&_size=max", f"/{DB}/{n}.json?_shape=array&_size=max")]
    for name, (csv_response, json_response) in zip(names, zip(*[iter(fetch(sample_db, *paths))] * 2)):
        assert csv_response.status_code == 200 and json_response.status_code == 200, name
        header = next(csv.reader(io.StringIO(csv_response.text)))
        columns = [r[1] for r in conn.execute(f"select * from pragma_table_info('{name}')")]
        assert header == columns, name
        assert len(json_response.json()) == conn.execute(f"select count(*) from [{name}]").fetchone()[0], name


def test_methodology_says_how_to_reproduce_the_published_audit(sample_db):
    text = " ".join(" ".join(parse(get(sample_db, "/methodology").text).text).split())
    assert "audit 2 , as of 2025-06-01" in text or "audit 2, as of 2025-06-01" in text
    assert "lo-audit audit --db data/localoffer.db --as-of 2025-06-01 --stale-after-days 365" in text
    assert "0.1.0" in text and "crawl 2" in text
    assert "Known limits" in text and "How to dispute a finding" in text
    assert "github.com/lo-audit/lo-audit" in get(sample_db, "/methodology").text


def test_chart_geometry():
    from datasette_config import charts

    hist = charts.histogram("h", "t", "d", [0, 9.9, 10, 55, 100], ("band", "n"))
    assert [c["count"] for c in hist["columns"]] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    assert hist["table"]["rows"][-1] == ("90-100", "1")
    bars = charts.hbar_chart("b", "t", "d", [charts.Item("A" * 40, 50, "50"), charts.Item("B", 0, "0")],
                             ("x", "y"), max_value=100)
    assert bars["bars"][0]["width"] == charts.BAR_AREA / 2 and bars["bars"][1]["width"] == 0
    assert len(bars["bars"][0]["label"]) == charts.LABEL_CHARS and bars["table"]["rows"][0][0]["text"] == "A" * 40
    line = charts.line_chart("l", "t", "d", [("2025-01", 0), ("2025-02", None), ("2025-03", 100)], 100)
    assert line["polyline"].count(",") == 2 and line["marks"][0]["y"] == line["base"]
    assert line["marks"][2]["y"] == line["top_y"]
