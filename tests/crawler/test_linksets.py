"""A site's template links are stored once, as link sets (crawler/linksets.py), and the ``links`` view
still gives every page exactly its links, one row per target, the last link to a target
winning, as when every row was written per page."""

from __future__ import annotations

from collections import Counter

from audit.core import db as dbmod
from crawler.linksets import LEARN_PAGES, SET_ROWS, Template, page_rows, set_id
from crawler.store import Store

SITE = "http://lo.example"
MENU = [(f"{SITE}/menu/{i}", "a", f"Menu {i}", 1) for i in range(2 * SET_ROWS - 2)] + [
    ("https://www.gov.example/send", "a", "GOV.UK", 0), ("mailto:lo@lo.example", "a", "Email us", 0)]
SETS = 2  # MENU is two sets' worth of rows: the page order's first SET_ROWS, then the rest


def own_links(n: int) -> list[tuple]:
    return [(f"{SITE}/page/{n}/{i}", "a", f"Own {i}", 1) for i in range(3)]


def store_pages(tmp_path, pages: list[tuple[str, list[tuple]]], code: str = "E1") -> tuple:
    """Write pages' links through Store as the crawler does; the db and what the links view
    must give (each page's links, one row per target, the last winning)."""
    path = tmp_path / "lo.db"
    store = Store(path, 1)
    for url, links in pages:
        store.add_links(code, url, links)
    store.close()
    expected = Counter((code, url, target, *row) for url, links in pages for target, row in page_rows(links).items())
    return path, expected


def view(path, crawl_id: int | None = None) -> Counter:
    where = "" if crawl_id is None else f" WHERE crawl_id = {crawl_id}"
    return Counter(dbmod.connect(path).execute(
        f"SELECT council_code, source_url, target_url, tag, link_text, in_scope FROM links{where}").fetchall())


def count(path, table: str) -> int:
    return dbmod.connect(path).execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_menu_every_page_shares_is_stored_once(tmp_path):
    pages = [(f"{SITE}/page/{n}", MENU + own_links(n)) for n in range(10)]
    path, expected = store_pages(tmp_path, pages)
    assert view(path) == expected
    assert count(path, "link_sets") == len(MENU)
    # the first pages, while the template is learned, are written whole; the others name the sets
    assert count(path, "page_link_sets") == (10 - LEARN_PAGES) * SETS
    assert count(path, "link_edges") == LEARN_PAGES * (len(MENU) + 3) + (10 - LEARN_PAGES) * 3


def test_a_menu_target_linked_again_with_other_text_keeps_the_last_links_row(tmp_path):
    """The content links to a menu target again after the menu, with other text: the page's
    row for it is the later link's, so the page cannot use that target's set, and writes
    its rows itself."""
    again = (MENU[5][0], "a", "Read about this in the menu page", 1)
    pages = [(f"{SITE}/page/{n}", MENU + own_links(n)) for n in range(5)]
    pages.append((f"{SITE}/page/late", MENU + own_links(99) + [again]))
    path, expected = store_pages(tmp_path, pages)
    assert view(path) == expected
    assert view(path)[("E1", f"{SITE}/page/late", *again)] == 1
    assert count(path, "page_link_sets") == (5 - LEARN_PAGES) * SETS + 1  # the late page: the second set only


def test_a_menu_target_repeated_with_the_same_text_still_uses_the_sets(tmp_path):
    pages = [(f"{SITE}/page/{n}", MENU + own_links(n)) for n in range(5)]
    pages.append((f"{SITE}/page/twice", MENU + own_links(7) + [MENU[0]]))
    path, expected = store_pages(tmp_path, pages)
    assert view(path) == expected
    assert count(path, "page_link_sets") == (5 - LEARN_PAGES + 1) * SETS


def test_a_page_missing_one_menu_link_writes_that_links_set_itself(tmp_path):
    pages = [(f"{SITE}/page/{n}", MENU + own_links(n)) for n in range(5)]
    pages.append((f"{SITE}/page/short", MENU[:-1] + own_links(8)))
    path, expected = store_pages(tmp_path, pages)
    assert view(path) == expected
    assert count(path, "page_link_sets") == (5 - LEARN_PAGES) * SETS + 1
    second_set = len(MENU) - SET_ROWS
    assert count(path, "link_edges") == LEARN_PAGES * (len(MENU) + 3) + (5 - LEARN_PAGES) * 3 + second_set - 1 + 3


def test_first_pages_sharing_little_leave_every_page_whole(tmp_path):
    pages = [(f"{SITE}/page/{n}", own_links(n)) for n in range(6)]
    path, expected = store_pages(tmp_path, pages)
    assert view(path) == expected
    assert (count(path, "link_sets"), count(path, "page_link_sets")) == (0, 0)


def test_a_second_store_writing_the_same_set_adds_no_rows(tmp_path):
    """Another worker, a re-run or a resume learning the same template gives it the same id:
    its rows are upserted once."""
    pages = [(f"{SITE}/page/{n}", MENU + own_links(n)) for n in range(6)]
    path, expected = store_pages(tmp_path, pages)
    store = Store(path, 1)
    for url, links in pages:
        store.add_links("E1", url, links)
    store.close()
    assert view(path) == expected
    assert count(path, "link_sets") == len(MENU)


def test_the_template_is_the_rows_the_first_pages_share_in_sets_named_by_their_content():
    template = Template()
    pages = [page_rows(MENU[n:] + own_links(n)) for n in range(LEARN_PAGES)]
    assert [template.split(rows) for rows in pages] == [([], rows) for rows in pages]
    common = MENU[LEARN_PAGES - 1:]
    first, second = page_rows(common[:SET_ROWS]), page_rows(common[SET_ROWS:])
    assert template.sets == {set_id(first): first, set_id(second): second}
    assert set_id(page_rows(reversed(common[:SET_ROWS]))) == set_id(first)  # the order of the links is not in it
    assert set_id(page_rows(common[1:SET_ROWS])) != set_id(first)
    assert template.split(page_rows(MENU + own_links(9))) == ([set_id(first), set_id(second)],
                                                              page_rows(MENU[:LEARN_PAGES - 1] + own_links(9)))
    assert template.split(page_rows(MENU[:-1] + own_links(9))) == (
        [set_id(first)], page_rows(MENU[:LEARN_PAGES - 1] + common[SET_ROWS:-1] + own_links(9)))


def test_an_old_database_reads_its_links_through_the_new_view(tmp_path):
    """A database written before link sets: its `links` view over link_edges alone is
    replaced, and it reads the same rows."""
    path = tmp_path / "old.db"
    db = dbmod.connect(path)
    db.conn.executescript("DROP VIEW links; DROP TABLE link_sets; DROP TABLE page_link_sets; "
                          "CREATE VIEW links AS SELECT e.crawl_id, e.council_code, s.url AS source_url, "
                          "t.url AS target_url, e.tag, e.link_text, e.in_scope FROM link_edges e "
                          "JOIN urls s ON s.url_id = e.source_id JOIN urls t ON t.url_id = e.target_id;")
    rows = [(1, "E1", f"{SITE}/", target, tag, text, scope_ok) for target, tag, text, scope_ok in MENU]
    dbmod.insert_links(db.conn, [dict(zip(("crawl_id", "council_code", "source_url", "target_url", "tag",
                                           "link_text", "in_scope"), r)) for r in rows])
    db.conn.close()
    db = dbmod.connect(path)
    assert "page_link_sets" in db.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'links'").fetchone()[0]
    assert sorted(db.conn.execute("SELECT * FROM links").fetchall()) == sorted(rows)


def test_a_page_recorded_again_after_the_template_is_learned_keeps_one_row_a_target(tmp_path):
    """Two requested URLs that redirect to the same page (``/lo`` and ``/lo/``, ``http:`` and
    ``https:``) record its links twice under its final URL: the first time before the site's
    template was learned (every row its own), the second after (naming the sets). The page's
    links are then the later record's, each target once, as when each row was upserted."""
    home = f"{SITE}/"
    pages = [(home, MENU + own_links(0))] + [(f"{SITE}/page/{n}", MENU + own_links(n)) for n in range(1, 5)]
    pages.append((home, MENU + own_links(50)))  # the home again, its content changed meanwhile
    path, _ = store_pages(tmp_path, pages)
    expected = Counter(("E1", url, target, *row) for url, links in pages[1:] for target, row in page_rows(links).items())
    assert view(path) == expected
