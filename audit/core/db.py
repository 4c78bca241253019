"""The one documented database: schema, connection settings, and small helpers.

Every table is described for readers in ``datasette_config/metadata.yml``; this module
is the source of truth for columns. Writes upsert by natural keys so a re-run is
idempotent. The database runs in WAL mode so Datasette can read while a crawl or an
audit writes, and an audit becomes visible only when its ``audits`` row is marked
``complete`` in the same transaction as its results.
"""

from __future__ import annotations

import sqlite3
import weakref
from pathlib import Path
from typing import Callable

import sqlite_utils

SCHEMA = """
CREATE TABLE IF NOT EXISTS councils (
    code TEXT PRIMARY KEY,          -- ONS/GSS code
    name TEXT NOT NULL,
    region TEXT,
    la_type TEXT,
    local_offer_url TEXT,           -- empty: no known Local Offer (scored not_found)
    council_url TEXT,
    scope TEXT                      -- space-separated URL prefixes
);

CREATE TABLE IF NOT EXISTS crawls (
    crawl_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,           -- running | complete | interrupted
    user_agent TEXT,
    options TEXT,                   -- JSON of the crawl options
    version TEXT,
    pid INTEGER,                    -- the crawling process, to tell a killed crawl from a running one
    pruned_at TEXT,                 -- when `lo-audit prune` removed its evidence (fetches, links, link checks, WARC
                                    -- files); NULL: all kept. Its audits' results are never pruned
    resumed INTEGER DEFAULT 0       -- times it was resumed after an interruption (`lo-audit crawl --resume`)
);

-- One row per council per crawl: how the crawl of that site went.
CREATE TABLE IF NOT EXISTS crawl_sites (
    crawl_id INTEGER NOT NULL REFERENCES crawls(crawl_id),
    council_code TEXT NOT NULL REFERENCES councils(code),
    seed_url TEXT,
    scope TEXT,                     -- the prefixes actually used
    status TEXT NOT NULL,           -- ok | partial | unreachable | blocked | robots_disallowed | no_local_offer_found
                                    -- | crawler_error (lo-audit failed to process the home page's answer: crawler/guard.py)
                                    -- | needs_discovery (--workers: left for the discovery pass) | running
    reason TEXT,                    -- one line: why, when status is not ok
    robots_status TEXT,             -- e.g. "200", "404 (no rules)", "500 (treated as disallow)"
    pages_fetched INTEGER DEFAULT 0,
    started_at TEXT,
    finished_at TEXT,
    warc_file TEXT,
    seed_source TEXT,               -- registry | discovered (the registry had no URL) | moved (the registry URL was
                                    -- dead or redirected off the council's sites; discovery found the current one)
    not_assessed_reason TEXT,       -- NULL when the Local Offer was read; else no_local_offer_found | unreachable
                                    -- | blocked | robots_disallowed (SPEC "Every council accounted for")
                                    -- | crawler_error (a fault of lo-audit's, not the site's: crawler/guard.py)
    block_evidence TEXT,            -- JSON {url, status, server, marker} when blocked by a bot wall or refusal
    pages_rendered INTEGER DEFAULT 0,  -- in-scope pages built by script, read from a headless-browser rendering
    PRIMARY KEY (crawl_id, council_code)
);

-- How each council's Local Offer was looked for: every candidate and the one chosen.
CREATE TABLE IF NOT EXISTS discoveries (
    crawl_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    candidate_url TEXT NOT NULL,
    found_on TEXT,                  -- the page whose link named it, the sitemap, "common path", "redirect of <url>"
    evidence TEXT,                  -- the link text or cue, and what the candidate page showed when fetched
    score INTEGER,                  -- how strongly it looks like the Local Offer (crawler/discovery.py)
    chosen INTEGER NOT NULL DEFAULT 0,  -- 1 for the candidate crawled as the Local Offer
    PRIMARY KEY (crawl_id, council_code, candidate_url)
);

-- Every response (or failure) the crawler recorded for a council's site:
-- in-scope pages, documents, robots.txt and sitemaps.
CREATE TABLE IF NOT EXISTS fetches (
    crawl_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,              -- canonical requested URL
    final_url TEXT,                 -- after redirects
    kind TEXT NOT NULL,             -- page | document | robots | sitemap | stylesheet | discovery | open_data (a
                                    -- directory feed page) | search (a query to the site's own search): crawler/directory.py
    status INTEGER,                 -- HTTP status; NULL when the fetch failed
    error TEXT,                     -- dns | refused | reset | timeout | tls | loop | too_many_redirects | too_large | blocked_private | robots | ...
                                    -- | crawler_error (answered, but lo-audit failed to process it: crawler/guard.py)
    error_detail TEXT,
    content_type TEXT,
    content_length INTEGER,         -- bytes received (after decoding); not_modified: of the archived body
    truncated INTEGER DEFAULT 0,    -- 1 when the body hit the size cap
    last_modified TEXT,             -- HTTP Last-Modified header, raw
    headers TEXT,                   -- JSON of the headers that matter
    redirect_chain TEXT,            -- JSON list of URLs before final_url
    depth INTEGER,
    referrer TEXT,
    fetched_at TEXT,
    elapsed_ms INTEGER,
    warc_file TEXT,                 -- WARC file (relative to the database folder)
    warc_offset INTEGER,            -- byte offset of the record the audit reads: the response record, or for a
                                    -- rendered page the conversion record holding its rendered DOM
    raw_warc_offset INTEGER,        -- rendered pages: the original response record (NULL otherwise)
    render_status TEXT,             -- NULL: not rendered; rendered | unsettled (still busy at the time limit: the DOM
                                    -- then) | crashed | failed
    render_detail TEXT,             -- why it was rendered (the application-shell cue) and how it went
    not_modified INTEGER,           -- 1: asked conditionally (crawler/conditional.py), the server answered 304 Not
                                    -- Modified: status is the earlier response's (200) and warc_file/warc_offset point
                                    -- at the earlier crawl's response record, the body the audit reads; else NULL
    revisit_warc_file TEXT,         -- not_modified: this crawl's WARC revisit record of the 304 (file, offset)
    revisit_warc_offset INTEGER,
    PRIMARY KEY (crawl_id, council_code, url)
);

-- URLs and <lastmod> dates read from the site's sitemap(s).
CREATE TABLE IF NOT EXISTS sitemap_entries (
    crawl_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,              -- canonical URL listed in the sitemap
    lastmod TEXT,                   -- <lastmod> as written
    sitemap_url TEXT,
    PRIMARY KEY (crawl_id, council_code, url)
);

-- Every URL the link graph mentions, once: the graph stores ids, so a page's ~100 links
-- cost small rows rather than two long URLs each.
CREATE TABLE IF NOT EXISTS urls (
    url_id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE
);

-- Every link on an in-scope page (the link graph), with the text a reader saw.
-- Read it through the `links` view, which spells the URLs out.
CREATE TABLE IF NOT EXISTS link_edges (
    crawl_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES urls (url_id),
    target_id INTEGER NOT NULL REFERENCES urls (url_id),  -- absolute, fragment removed
    tag TEXT,                       -- a | area | iframe | embed | video | source
    link_text TEXT,
    in_scope INTEGER,               -- target is inside the council's scope
    PRIMARY KEY (crawl_id, council_code, source_id, target_id)
) WITHOUT ROWID;  -- no index by target: it would triple the cost of storing a page's links

-- A site's template links (menus, header, footer: the same rows on every page) stored once
-- per crawl and site, in sets of a few rows, each named by every page that has all its rows:
-- page_link_sets. Such a page's link_edges rows are only its other links. The `links` view
-- reads both as one page's rows (crawler/linksets.py).
CREATE TABLE IF NOT EXISTS link_sets (
    crawl_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    set_id INTEGER NOT NULL,        -- a hash of the set's rows: the same set gets the same id
    target_id INTEGER NOT NULL REFERENCES urls (url_id),
    tag TEXT,
    link_text TEXT,
    in_scope INTEGER,
    PRIMARY KEY (crawl_id, council_code, set_id, target_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS page_link_sets (
    crawl_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES urls (url_id),
    set_id INTEGER NOT NULL,
    PRIMARY KEY (crawl_id, council_code, source_id, set_id)
) WITHOUT ROWID;

-- With --workers N: link targets on a host another worker owns, checked after the workers
-- finish unless a worker already checked them (crawler/workers.py).
CREATE TABLE IF NOT EXISTS deferred_link_checks (
    crawl_id INTEGER NOT NULL,
    url TEXT NOT NULL,              -- the target as keyed in link_checks (canonical URL)
    target TEXT NOT NULL,           -- the target as written on the page
    council_code TEXT NOT NULL,     -- the first council found linking to it
    PRIMARY KEY (crawl_id, url)
);

-- One check per distinct link target per crawl, shared by every council linking to it.
CREATE TABLE IF NOT EXISTS link_checks (
    crawl_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    outcome TEXT NOT NULL,          -- ok | broken | blocked | soft_404 | skipped
    status INTEGER,                 -- final HTTP status, NULL on failure
    reason TEXT,                    -- e.g. "404", "dns", "timeout", "loop", "bot challenge", "private address",
                                    -- "crawler_error" (skipped: lo-audit failed to process the answer)
    final_url TEXT,
    redirect_chain TEXT,            -- JSON list
    method TEXT,                    -- HEAD | GET
    checked_at TEXT,
    elapsed_ms INTEGER,
    PRIMARY KEY (crawl_id, url)
);

CREATE TABLE IF NOT EXISTS audits (
    audit_id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    stale_after_days INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,           -- running | complete | failed
    version TEXT,
    axe_version TEXT                -- axe-core version of the browser engine; NULL when it did not run
);

-- Per page, per audit: what the checks concluded about that page.
CREATE TABLE IF NOT EXISTS page_audits (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT,
    depth INTEGER,
    clicks INTEGER,                 -- fewest clicks from local_offer_url
    last_updated TEXT,              -- ISO date, NULL when undated
    date_source TEXT,               -- visible_text | metadata | sitemap | last_modified
    date_evidence TEXT,             -- the string that gave the date
    age_days INTEGER,
    stale INTEGER,
    a11y_violations INTEGER,
    axe_sample_reason TEXT,         -- why axe checked this page: home | pfa | contact | form | most_linked; NULL: not sampled
    axe_violations INTEGER,         -- axe-core violations (rule x element) on this page, when sampled
    PRIMARY KEY (audit_id, council_code, url)
);

-- Every finding with its evidence: the row a council web team acts on.
CREATE TABLE IF NOT EXISTS findings (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    check_name TEXT NOT NULL,       -- broken_link | blocked_link | unchecked_link | soft_404 | stale_page | stale_document | undated_page | a11y | statutory_missing | pfa_missing | site_unreachable | ...
    url TEXT NOT NULL,              -- the page (or document) where it was found
    target TEXT NOT NULL DEFAULT '',-- the broken link target, failing element, missing item ...
    severity TEXT,                  -- high | medium | low
    detail TEXT,                    -- one line a person can read
    evidence TEXT,                  -- the status, date string or element that triggered it
    PRIMARY KEY (audit_id, council_code, check_name, url, target)
);

CREATE TABLE IF NOT EXISTS council_scores (
    council_code TEXT NOT NULL,
    council_name TEXT,
    audit_id INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    pages_crawled INTEGER,
    documents_found INTEGER,
    links_checked INTEGER,
    broken_links INTEGER,
    blocked_links INTEGER,
    dated_pages INTEGER,
    undated_pages INTEGER,
    stale_pages INTEGER,
    median_age_days REAL,
    stale_documents INTEGER,
    send_space TEXT,
    pfa_section INTEGER,
    pfa_url TEXT,
    pfa_clicks INTEGER,
    a11y_pages_checked INTEGER,
    a11y_pages_failing INTEGER,
    a11y_violations INTEGER,
    a11y_features TEXT,
    a11y_axe_pages_checked INTEGER, -- pages axe-core checked in a browser (the sample); NULL: axe did not run
    a11y_axe_pages_failing INTEGER,
    a11y_axe_violations INTEGER,
    a11y_documents_failing INTEGER, -- PDFs failing tagged / title / language / text
    statutory_found INTEGER,
    statutory_total INTEGER,
    has_search INTEGER,
    has_social_media INTEGER,
    has_newsletter INTEGER,
    has_video INTEGER,
    has_feedback_published INTEGER,
    score REAL,
    rank INTEGER,
    crawl_status TEXT,              -- how the crawl of the site went (crawl_sites.status)
    score_freshness REAL,           -- points earned per dimension (see methodology)
    score_links REAL,
    score_accessibility REAL,
    score_statutory REAL,
    score_pfa REAL,
    score_send_space REAL,
    score_features REAL,
    PRIMARY KEY (audit_id, council_code)
);

CREATE VIEW IF NOT EXISTS latest_audit AS
    SELECT * FROM audits WHERE status = 'complete' ORDER BY audit_id DESC LIMIT 1;

CREATE INDEX IF NOT EXISTS idx_findings_council ON findings (council_code, audit_id);
"""


# Created after _migrate: a database from before link_edges still has a `links` table. A
# page's rows are its own link_edges rows and the rows of the link sets it names; no target
# is in two of these (crawler/linksets.py), so the union is the page's links, each target once.
LINKS_VIEW = """
CREATE VIEW links AS
    SELECT e.crawl_id, e.council_code, s.url AS source_url, t.url AS target_url, e.tag, e.link_text, e.in_scope
    FROM link_edges e
    JOIN urls s ON s.url_id = e.source_id
    JOIN urls t ON t.url_id = e.target_id
    UNION ALL
    SELECT p.crawl_id, p.council_code, s.url, t.url, m.tag, m.link_text, m.in_scope
    FROM page_link_sets p
    JOIN link_sets m ON m.crawl_id = p.crawl_id AND m.council_code = p.council_code AND m.set_id = p.set_id
    JOIN urls s ON s.url_id = p.source_id
    JOIN urls t ON t.url_id = m.target_id"""


def _change_once(conn: sqlite3.Connection, needed: Callable[[], object], change: Callable[[], None]) -> None:
    """``change()`` when ``needed()`` is truthy, asked again under the write lock: another
    process opening the same database may be making the same change at the same time."""
    if not needed():
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if needed():
            change()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _links_view(conn: sqlite3.Connection) -> None:
    """(Re)create the ``links`` view when it is missing or older than LINKS_VIEW (a database
    from before link sets has a view over link_edges alone)."""
    def stale() -> bool:
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'links'").fetchone()
        return row is None or row[0] != LINKS_VIEW.strip()

    def recreate() -> None:
        conn.execute("DROP VIEW IF EXISTS links")
        conn.execute(LINKS_VIEW)

    _change_once(conn, stale, recreate)


def _migrate(conn: sqlite3.Connection) -> None:
    """Databases written before the link graph used URL ids: move `links` rows to
    urls + link_edges (same information), then `links` becomes a view."""
    def links_is_a_table() -> bool:
        kind = conn.execute("SELECT type FROM sqlite_master WHERE name = 'links'").fetchone()
        return kind is not None and kind[0] == "table"

    def move() -> None:
        conn.execute("INSERT OR IGNORE INTO urls (url) SELECT source_url FROM links UNION SELECT target_url FROM links")
        conn.execute(
            "INSERT OR REPLACE INTO link_edges SELECT l.crawl_id, l.council_code, s.url_id, t.url_id, l.tag, "
            "l.link_text, l.in_scope FROM links l JOIN urls s ON s.url = l.source_url JOIN urls t ON t.url = l.target_url")
        conn.execute("DROP TABLE links")

    _change_once(conn, links_is_a_table, move)


def _add_new_columns(conn: sqlite3.Connection) -> None:
    """A database made by an earlier version keeps its tables (CREATE TABLE IF NOT EXISTS
    leaves them alone): add the columns SCHEMA has gained since, empty, so old crawls stay
    readable and new ones can be written. SCHEMA is read into memory once per process to
    know them."""
    global _SCHEMA_COLUMNS
    if _SCHEMA_COLUMNS is None:
        fresh = sqlite3.connect(":memory:")
        fresh.executescript(SCHEMA)
        _SCHEMA_COLUMNS = {
            table: [(r[1], r[2], r[4]) for r in fresh.execute(f"PRAGMA table_info({table})")]
            for (table,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        fresh.close()
    for table, columns in _SCHEMA_COLUMNS.items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for name, kind, default in columns:
            if name not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"
                             + (f" DEFAULT {default}" if default is not None else ""))


_SCHEMA_COLUMNS: dict[str, list[tuple[str, str, str | None]]] | None = None


def url_id(conn: sqlite3.Connection, url: str) -> int:
    """The id of ``url`` in ``urls``, adding the address when it is new."""
    cursor = conn.execute("INSERT OR IGNORE INTO urls (url) VALUES (?)", [url])
    if cursor.rowcount == 1:
        return cursor.lastrowid
    return conn.execute("SELECT url_id FROM urls WHERE url = ?", [url]).fetchone()[0]


def insert_links(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Rows shaped like the ``links`` view (crawl_id, council_code, source_url, target_url,
    tag, link_text, in_scope) into link_edges."""
    conn.executemany(
        "INSERT OR REPLACE INTO link_edges (crawl_id, council_code, source_id, target_id, tag, link_text, in_scope) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(r["crawl_id"], r["council_code"], url_id(conn, r["source_url"]), url_id(conn, r["target_url"]),
          r.get("tag"), r.get("link_text"), r.get("in_scope")) for r in rows])


class _Connection(sqlite3.Connection):
    """sqlite3's connection, as a subclass only so that it can be weakly referenced (see
    close_all)."""


_OPEN: weakref.WeakSet[_Connection] = weakref.WeakSet()


# The league table's published columns, in SPEC's order; columns that checks declare beyond
# these follow them (see check_schema).
LEAGUE_COLUMNS = (
    "s.rank", "s.council_code", "s.council_name", "s.score", "c.region", "c.la_type",
    "s.pages_crawled", "s.documents_found", "s.links_checked", "s.broken_links", "s.blocked_links",
    "s.dated_pages", "s.undated_pages", "s.stale_pages", "s.median_age_days", "s.stale_documents",
    "s.send_space", "s.pfa_section", "s.pfa_url", "s.pfa_clicks",
    "s.a11y_pages_checked", "s.a11y_pages_failing", "s.a11y_violations", "s.a11y_features",
    "s.a11y_axe_pages_checked", "s.a11y_axe_pages_failing", "s.a11y_axe_violations", "s.a11y_documents_failing",
    "s.statutory_found", "s.statutory_total",
    "s.has_search", "s.has_social_media", "s.has_newsletter", "s.has_video", "s.has_feedback_published",
    "s.crawl_status", "s.audit_id", "s.as_of",
)


def league_view_sql(columns: list[str]) -> str:
    return ("CREATE VIEW league_table AS\n    SELECT " + ", ".join(columns) + "\n    FROM council_scores s\n"
            "    JOIN latest_audit a ON a.audit_id = s.audit_id\n"
            "    LEFT JOIN councils c ON c.code = s.council_code\n    ORDER BY s.rank IS NULL, s.rank, s.council_name")


def check_schema(conn: sqlite3.Connection) -> None:
    """What the checks add to the schema: their own tables, their ``council_scores`` columns
    (and ``score_<dimension>`` for each dimension), and those columns in ``league_table``.
    Run at every connect; it changes nothing once the database has them all."""
    from audit.plugins import all_checks  # the checks import this module

    checks = all_checks()
    for check in checks:
        for table in check.tables:
            conn.executescript(table.ddl)
    wanted = [(column.name, column.type) for check in checks for column in check.columns]
    wanted += [(f"score_{check.dimension.key}", "REAL") for check in checks if check.dimension is not None]
    fixed = {column.split(".", 1)[1] for column in LEAGUE_COLUMNS}
    view = league_view_sql(list(LEAGUE_COLUMNS) + [f"s.{name}" for name, _ in wanted
                                                   if name not in fixed and not name.startswith("score_")])

    def missing() -> tuple[list[tuple[str, str]], bool]:
        have = {row[1] for row in conn.execute("PRAGMA table_info(council_scores)")}
        current = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'league_table'").fetchone()
        return [(n, t) for n, t in wanted if n not in have], current is None or current[0] != view

    def add() -> None:
        columns, stale_view = missing()
        for name, sql_type in columns:
            conn.execute(f"ALTER TABLE council_scores ADD COLUMN [{name}] {sql_type}")
        if stale_view:
            conn.execute("DROP VIEW IF EXISTS league_table")
            conn.execute(view)

    _change_once(conn, lambda: missing() != ([], False), add)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database with the project's schema, in WAL mode."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, factory=_Connection)
    _OPEN.add(conn)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.executescript(SCHEMA)
    _add_new_columns(conn)
    _migrate(conn)
    _links_view(conn)
    check_schema(conn)
    return sqlite_utils.Database(conn)


def close_all() -> None:
    """Close every connection this process opened with ``connect`` and still holds, for a
    process about to end with ``os._exit`` (see audit.core.process): the last connection to
    close folds the write-ahead log back into the database file, as a normal exit would,
    so the file can be copied on its own."""
    for conn in list(_OPEN):
        try:
            conn.close()
        except sqlite3.Error:  # e.g. opened by another thread
            pass


def warc_dir(db_path: str | Path) -> Path:
    """WARC files live beside the database: ``localoffer.db`` -> ``localoffer-warc/``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + "-warc")
