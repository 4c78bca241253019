"""The Atom feeds of what changed (``datasette_config/published/changes.py``), served by a
real Datasette with the datasette-atom plugin and read as a feed reader reads them, with
feedparser; every entry's HTML is also read with an HTML parser to prove nothing in it can
run script. Three databases: the sample (``tests/sample_db.py``: rank moves, a newly broken
link whose text is markup), a copy of it with hostile rows a crawler could have stored
(a ``javascript:`` target, ``]]>``, control characters) and directory records, and three
real weeks of crawls and audits of a hostile loopback web (``tests/weekly_web.py``)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from audit.checks.directory import Directory

from audit.serve import make_datasette
from tests.published.test_publish import _section, assert_no_dangerous_markup, parse
from tests.sample_db import BHAM, BHAM_LO, CHANGES, IMG_LINK_TEXT, NAMES, build_sample_db
from weekly_web import A, B, HOSTILE, LINK_TEXT, SCRIPT_TITLE, STEADY

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TARGET = "javascript:alert(9)//]]>"
HOSTILE_TEXT = "]]><script>alert(10)</script>\x07 bell"


def get_all(db_path: Path, *paths: str) -> list:
    async def run():
        ds = make_datasette(db_path)
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(run())


def feed(db_path: Path, query: str = "changes_feed", **params) -> tuple[feedparser.FeedParserDict, str]:
    """The feed as a feed reader sees it, and its raw XML, after checking it is well-formed
    Atom with nothing a reader could run."""
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    (response,) = get_all(db_path, f"/{db_path.stem}/{query}.atom" + (f"?{qs}" if qs else ""))
    assert response.status_code == 200, response.text[:2000]
    xml = response.text
    assert_safe_feed(xml)
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.bozo_exception  # well-formed, as a reader needs it
    assert parsed.version == "atom10"
    return parsed, xml


def assert_safe_feed(xml: str) -> None:
    """Well-formed XML with no character XML forbids, each entry a valid Atom entry (id an
    absolute IRI, updated, title, an http(s)-or-relative link), and each entry's HTML free of
    script, event handlers and script URLs."""
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", xml)
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}id") is not None and root.find(f"{ATOM}updated") is not None
    ids = []
    for entry in root.iter(f"{ATOM}entry"):
        ids.append(entry.findtext(f"{ATOM}id"))
        assert re.match(r"urn:uuid:[0-9a-f-]{36}$", ids[-1])
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}updated")
        href = entry.find(f"{ATOM}link").get("href")
        assert href.startswith("/"), href  # our own report card or front page, never a crawled URL
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        doc = assert_no_dangerous_markup(content.text)
        assert not doc.scripts and "<script" not in content.text.lower()
    assert len(ids) == len(set(ids)), "entry ids are unique"


def titles(parsed) -> list[str]:
    return [e.title for e in parsed.entries]


def entry(parsed, title_start: str):
    found = [e for e in parsed.entries if e.title.startswith(title_start)]
    assert len(found) == 1, (title_start, titles(parsed))
    return found[0]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("feeds") / "sample.db"
    build_sample_db(path)
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The sample plus what a crawler could store from a hostile page between audits 1 and
    2, and directory records (the directory check's table: some going out of date)."""
    path = tmp_path_factory.mktemp("feeds-hostile") / "hostile.db"
    build_sample_db(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("insert into findings (audit_id, council_code, check_name, url, target, severity, detail, evidence) "
                     "values (2, ?, 'broken_link', ?, ?, 'medium', 'Malformed link', ?)",
                     [BHAM, BHAM_LO + "forms\x03", HOSTILE_TARGET, "malformed URL\x1b]]>"])
        conn.execute("insert or ignore into urls (url) values (?), (?)", [BHAM_LO + "forms\x03", HOSTILE_TARGET])
        conn.execute("insert into link_edges select 2, ?, s.url_id, t.url_id, 'a', ?, 0 from urls s, urls t "
                     "where s.url = ? and t.url = ?", [BHAM, HOSTILE_TEXT, BHAM_LO + "forms\x03", HOSTILE_TARGET])
        conn.execute("drop table if exists directory_records")
        conn.executescript(DIRECTORY_RECORDS_DDL)  # the directory check's own table, as an audit writes it
        conn.executemany("insert into directory_records (audit_id, council_code, url, title, last_updated, stale, "
                         "has_contact) values (?, ?, ?, ?, ?, ?, 1)", [
            (1, BHAM, BHAM_LO + "service?id=1", "Autism support group ]]>\x0c", "2024-03-01", 0),
            (2, BHAM, BHAM_LO + "service?id=1", "Autism support group ]]>\x0c", "2024-03-01", 1),  # gone stale
            (1, BHAM, BHAM_LO + "service?id=2", "Stale already", "2020-01-01", 1),
            (2, BHAM, BHAM_LO + "service?id=2", "Stale already", "2020-01-01", 1),  # stale both times: no news
            (2, BHAM, BHAM_LO + "service?id=3", "New record", "2020-01-01", 1),  # not in audit 1: not "gone" stale
        ])
    conn.close()
    return path


DIRECTORY_RECORDS_DDL = next(t.ddl for t in Directory.tables if t.name == "directory_records")


def without_directory_records(sample: Path) -> None:
    """The sample as a database from before the directory check (when that check exists, every
    connect creates its table: drop it so the feed meets a database without one)."""
    conn = sqlite3.connect(sample)
    with conn:
        conn.execute("drop table if exists directory_records")
    conn.close()


# ---- what the feeds say ----------------------------------------------------------------------

def test_national_feed_lists_every_kind_of_change(sample):
    without_directory_records(sample)
    parsed, _ = feed(sample)
    assert parsed.feed.title == "SEND Local Offers: what changed (lo-audit)"
    assert parsed.feed.updated == "2025-06-01T09:25:00+00:00"  # when the latest audit was published
    got = titles(parsed)
    assert "Birmingham: 1 link newly broken" in got
    assert "Birmingham: 1 page gone out of date" in got
    assert "Cambridgeshire: 20.3/100, rank 3 of 4 (-4.9 pts, up 1 place since audit 1)" in got
    assert "Barking and Dagenham: 0.0/100, rank 4 of 4 (-28.3 pts, down 1 place since audit 1)" in got
    assert got.count("New audit published (4 councils)") == 2  # one per audit
    # the first audit compares with nothing: no council entries for it in the national feed
    assert all(e.updated == "2025-06-01T09:25:00+00:00" for e in parsed.entries if e.title.startswith(tuple(NAMES.values())))
    assert not any("directory" in t for t in got)
    broken = entry(parsed, "Birmingham: 1 link newly broken")
    assert broken.link == f"/council/{BHAM}#changes"
    assert CHANGES["newly_broken"][0] in broken.content[0].value


def test_council_feed_says_what_its_report_card_says(sample):
    """One definition of "what changed": the council's feed lists exactly the links and pages
    its report card lists, and its score entry says the same movement."""
    without_directory_records(sample)
    parsed, xml = feed(sample, "council_changes_feed", council_code=BHAM)
    assert {e.link for e in parsed.entries} == {f"/council/{BHAM}#changes"}
    assert all(t.startswith("Birmingham: ") for t in titles(parsed))
    (card,) = get_all(sample, f"/council/{BHAM}")
    html = card.text
    for kind, section, title in (("newly_broken", "changes-broken", "Birmingham: 1 link newly broken"),
                                 ("gone_stale", "changes-stale", "Birmingham: 1 page gone out of date")):
        on_card = set(re.findall(r'href="([^"]+)"', _section(html, f'id="{section}"', "</section>")))
        in_feed = set(re.findall(r'href="([^"]+)"', entry(parsed, title).content[0].value))
        assert on_card == in_feed and set(CHANGES[kind]) <= in_feed, kind
    assert "+6.7 pts</span>, same rank since the last audit" in html
    assert "Birmingham: 77.1/100, rank 1 of 4 (+6.7 pts, same rank since audit 1)" in titles(parsed)
    assert "Birmingham: 70.3/100, rank 1 of 4 (first audit)" in titles(parsed)  # every audit, moved or not
    assert IMG_LINK_TEXT not in xml and "&amp;lt;img src=x onerror=alert(2)&amp;gt;" in xml


def test_report_card_and_front_page_link_their_feeds_with_a_plain_explanation(sample):
    card, front = get_all(sample, f"/council/{BHAM}", "/")
    for page, href in ((card.text, f"/sample/council_changes_feed.atom?council_code={BHAM}"),
                       (front.text, "/sample/changes_feed.atom")):
        subscribe = _section(page, 'id="subscribe"', "</section>")
        assert f'href="{href}" type="application/atom+xml">Subscribe' in subscribe
        assert "feed reader" in subscribe and "email" in subscribe
    for url in (f"/sample/council_changes_feed.atom?council_code={BHAM}", "/sample/changes_feed.atom"):
        (response,) = get_all(sample, url)
        assert response.status_code == 200 and response.text.startswith("<?xml")


def test_a_feed_with_nothing_to_say_is_still_valid(sample, tmp_path):
    parsed, _ = feed(sample, "council_changes_feed", council_code="E99999999")
    assert titles(parsed) == ["No audit has been published yet"]
    empty = tmp_path / "empty.db"
    from audit.core.db import connect

    connect(empty).conn.close()
    parsed, _ = feed(empty)
    assert titles(parsed) == ["No audit has been published yet"]


def test_directory_records_gone_stale_when_the_table_exists(hostile, sample):
    parsed, xml = feed(hostile, "council_changes_feed", council_code=BHAM)
    directory = entry(parsed, "Birmingham: 1 directory record gone out of date")
    assert f"{BHAM_LO}service?id=1" in directory.content[0].value
    assert "id=2" not in directory.content[0].value and "id=3" not in directory.content[0].value
    (card,) = get_all(hostile, f"/council/{BHAM}")
    section = _section(card.text, 'id="changes-directory"', "</section>")
    assert f'href="{BHAM_LO}service?id=1"' in section and section.count("<li>") == 1
    without_directory_records(sample)
    (plain,) = get_all(sample, f"/council/{BHAM}")
    assert 'id="changes-directory"' not in plain.text


# ---- hostile text --------------------------------------------------------------------------

def test_hostile_rows_are_text_never_markup_or_links(hostile):
    parsed, xml = feed(hostile, "council_changes_feed", council_code=BHAM)
    broken = entry(parsed, "Birmingham: 2 links newly broken").content[0].value
    raw = [e for e in ET.fromstring(xml.encode()).iter(f"{ATOM}entry")
           if e.findtext(f"{ATOM}title") == "Birmingham: 2 links newly broken"][0].find(f"{ATOM}content").text
    text = "".join(parse(raw).text)
    assert HOSTILE_TARGET in text  # shown ...
    assert 'href="javascript' not in raw.lower()  # ... never a link
    assert "]]><script>alert(10)</script> bell" in text  # the link text, read as text (the bell dropped)
    assert "malformed URL]]>" in text
    assert "<script" not in broken.lower()
    directory = entry(parsed, "Birmingham: 1 directory record gone out of date").content[0].value
    assert "Autism support group ]]&gt;" in directory


def test_feeds_of_three_real_weeks_of_a_hostile_web(weekly_db):
    parsed, xml = feed(weekly_db)
    got = titles(parsed)
    assert f"{HOSTILE}: 1 link newly broken" in got and f"{HOSTILE}: 1 page gone out of date" in got
    assert f"{STEADY}: Not assessed in audit 2: Site unreachable" in got
    assert got.count("New audit published (2 councils)") == 3
    stale = entry(parsed, f"{HOSTILE}: 1 page gone out of date")
    assert stale.link == f"/council/{A}#changes"
    raw_titles = "".join(parse(stale.content[0].value).text)
    assert SCRIPT_TITLE.replace("\x01", "") in raw_titles  # the crawled title, as text, control character dropped
    broken = entry(parsed, f"{HOSTILE}: 1 link newly broken").content[0].value
    assert LINK_TEXT.replace("\x02", "") in "".join(parse(broken).text)
    assert "Hostile &amp; Sons Borough" in xml  # the council's name escaped in titles
    council, _ = feed(weekly_db, "council_changes_feed", council_code=B)
    assert [e.title for e in council.entries if "Not assessed" in e.title] == [
        f"{STEADY}: Not assessed in audit 2: Site unreachable"]
    assert f"{STEADY}: 63.0/100, rank 1 of 2 (assessed again: not assessed in audit 2)" in titles(council)
