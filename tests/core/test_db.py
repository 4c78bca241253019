"""The schema's upgrade path: a database from before the link graph used URL ids."""

from __future__ import annotations

import sqlite3

from audit.core import db as dbmod

OLD_LINKS = """
CREATE TABLE links (
    crawl_id INTEGER NOT NULL, council_code TEXT NOT NULL, source_url TEXT NOT NULL,
    target_url TEXT NOT NULL, tag TEXT, link_text TEXT, in_scope INTEGER,
    PRIMARY KEY (crawl_id, council_code, source_url, target_url)
);
CREATE INDEX idx_links_target ON links (crawl_id, target_url);
"""
ROWS = [
    (1, "E1", "http://a.example/lo/", "http://a.example/lo/x", "a", "X", 1),
    (1, "E1", "http://a.example/lo/", "https://www.gov.example/y", "a", "Gov", 0),
    (1, "E2", "http://b.example/", "https://www.gov.example/y", "a", "Same target, other council", 0),
    (2, "E1", "http://a.example/lo/x", "http://a.example/lo/", "area", "", 1),
]


def test_an_old_links_table_becomes_the_view_with_the_same_rows(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(OLD_LINKS)
    old.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?)", ROWS)
    old.commit()
    old.close()

    db = dbmod.connect(path)
    assert "links" in db.view_names() and "links" not in db.table_names()
    assert sorted(tuple(r.values()) for r in db.query("SELECT * FROM links")) == sorted(ROWS)
    assert db.execute("SELECT count(*) FROM urls").fetchone()[0] == 4  # each address stored once
    dbmod.connect(path)  # opening again changes nothing
    assert sorted(tuple(r.values()) for r in db.query("SELECT * FROM links")) == sorted(ROWS)


def test_insert_links_reuses_url_ids(tmp_path):
    db = dbmod.connect(tmp_path / "new.db")
    dbmod.insert_links(db.conn, [dict(zip(("crawl_id", "council_code", "source_url", "target_url", "tag",
                                           "link_text", "in_scope"), r)) for r in ROWS])
    assert sorted(tuple(r.values()) for r in db.query("SELECT * FROM links")) == sorted(ROWS)
    assert db.execute("SELECT count(*) FROM urls").fetchone()[0] == 4
