"""Where a crawl's evidence goes: raw bodies to WARC, rows to SQLite.

The spider and the robots gate both record through one ``Store`` so there is a single
writer. Rows are buffered and written in batches inside one transaction, with plain
``executemany`` (upserts by natural key, so a resumed or repeated crawl never duplicates
a row); WARC records are written whole as they arrive so an interrupted crawl leaves
readable files. The link graph, ~240 links a page, is stored as URL ids (``urls`` +
``link_edges``, read through the ``links`` view): a page's links cost small rows instead of
copies of two long URLs; and a site's template links (menus, header, footer) are stored
once per site as link sets that each page names (crawler/linksets.py), so a page writes
~150 rows, not ~240, on the varied benchmark web.
"""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import datetime, timezone
from pathlib import Path

from audit.core import db as dbmod

from .guard import with_faults
from .linksets import Template, page_rows
from .resume import ResumeState
from .warc import conversion_record, response_record, revisit_record

# Response headers kept in the fetches table: enough to explain every date and status.
KEPT_HEADERS = (
    "content-type", "content-length", "content-encoding", "last-modified", "date", "etag", "server",
    "location", "retry-after", "cf-mitigated", "x-robots-tag", "cache-control",
)
FLUSH_ROWS = 5000  # rows written (a link row counts as one) per transaction: ~20-35 pages
FLUSH_SECONDS = 2.0
ROW_TABLES = ("fetches", "link_checks", "sitemap_entries", "deferred_link_checks", "discoveries")


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    def __init__(self, db_path: str | Path, crawl_id: int):
        self.db_path = Path(db_path)
        self.db = dbmod.connect(self.db_path)
        self.conn = self.db.conn
        self.crawl_id = crawl_id
        self.warc_dir = dbmod.warc_dir(self.db_path)
        self.warc_dir.mkdir(exist_ok=True)
        self._warcs: dict[str, tuple[object, str]] = {}
        self._columns = {t: [r[1] for r in self.conn.execute(f"PRAGMA table_info({t})")] for t in ROW_TABLES}
        self._rows: dict[str, list[tuple]] = {t: [] for t in ROW_TABLES}
        self._links: dict[tuple[str, str], tuple[list[int], dict]] = {}  # (council, page) -> its sets, its own rows
        self._linked: set[tuple[str, str]] = set()  # (council, page) whose links this process has written
        self._templates: dict[str, Template] = {}  # council -> its site's template links
        self._sets_written: set[tuple[str, int]] = set()  # (council, set id) in link_sets, this process
        self._url_ids: dict[str, int] = {}
        self._pending = 0
        self._last_flush = time.monotonic()
        self.finished = False  # set when the spider closed normally
        # A resumed crawl (crawler.resume): what earlier runs committed; its WARC files get a new name.
        resumed = self.conn.execute("SELECT resumed FROM crawls WHERE crawl_id = ?", [crawl_id]).fetchone()
        self.resume = ResumeState.load(self.conn, crawl_id, resumed[0]) if resumed and resumed[0] else None
        self._kill_at = _test_kill_point()

    # -- WARC ---------------------------------------------------------------
    def write_warc(self, council_code: str, url: str, status: int, reason: str,
                   headers: list[tuple[str, str]], body: bytes, record_id: str | None = None) -> tuple[str, int]:
        """Append a WARC response record; return (file relative to the db folder, offset)."""
        return self._append(council_code, response_record(url, status, reason, headers, body, record_id=record_id))

    def write_rendering(self, council_code: str, url: str, refers_to: str, dom: bytes) -> tuple[str, int]:
        """Append a page's rendered DOM as a conversion record referring to its response record."""
        return self._append(council_code, conversion_record(url, refers_to, dom))

    def write_revisit(self, council_code: str, url: str, not_modified) -> tuple[str, int]:
        """Append a revisit record of a 304 (``crawler.conditional.NotModified``) referring to
        the earlier response record whose body it confirmed."""
        earlier = not_modified.record
        return self._append(council_code, revisit_record(url, not_modified.status, "Not Modified",
                                                         not_modified.headers, earlier.record_id, earlier.url,
                                                         earlier.date))

    def _append(self, council_code: str, record: bytes) -> tuple[str, int]:
        if council_code not in self._warcs:
            run = f".r{self.resume.round}" if self.resume else ""
            name = f"crawl-{self.crawl_id}-{council_code}{run}.warc.gz"
            self._warcs[council_code] = (open(self.warc_dir / name, "ab", buffering=0),
                                         f"{self.warc_dir.name}/{name}")
        fh, relname = self._warcs[council_code]
        offset = fh.tell()
        if self._reached_kill_point("warc"):
            fh.write(record[:len(record) // 2])
            _kill_for_test()
        fh.write(record)
        return relname, offset

    # -- rows ---------------------------------------------------------------
    def add(self, table: str, row: dict) -> None:
        row["crawl_id"] = self.crawl_id
        if self.resume is not None and self.resume.committed(table, row):
            return  # an earlier run of this crawl committed it: the first record stands
        self._rows[table].append(tuple(row.get(c) for c in self._columns[table]))
        self._count(1)

    def add_links(self, council_code: str, source_url: str, links: list[tuple[str, str, str, int]]) -> None:
        """A page's links: (target_url, tag, link_text, in_scope) each. Split into its site's
        template sets and its own rows before the resume test, so that a resumed crawl learns
        the template from the same first pages as the run it continues."""
        template = self._templates.get(council_code)
        if template is None:
            template = self._templates[council_code] = Template()
        set_ids, own = template.split(page_rows(links))
        if self.resume is not None and (council_code, source_url) in self.resume.linked:
            return  # committed by an earlier run of this crawl: rewriting them would cost ~5% of a resume's CPU
        self._links[(council_code, source_url)] = (set_ids, own)  # a page recorded again: the later record
        self._count(len(own) + len(set_ids))

    def _count(self, n: int) -> None:
        self._pending += n
        if self._pending >= FLUSH_ROWS or time.monotonic() - self._last_flush > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        conn = self.conn
        conn.execute("BEGIN")
        try:
            for table, rows in self._rows.items():
                if rows:
                    columns = self._columns[table]
                    conn.executemany(
                        f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})", rows)
                    rows.clear()
            if self._links:
                self._write_links()
            if self._reached_kill_point("commit"):
                _kill_for_test()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self._url_ids.clear()  # ids handed out inside the rolled-back transaction are gone
            self._sets_written.clear()  # and so are the sets written in it
            raise
        self._pending = 0
        self._last_flush = time.monotonic()

    def _write_links(self) -> None:
        """The buffered pages' rows: link_edges for their own rows, page_link_sets for the
        sets each names, and link_sets for a set this process has not written yet.

        A page whose links were written before (two requested URLs redirecting to it record it
        twice under its final URL) has its earlier rows taken out first: split before and after
        its site's template was learned, the two records would otherwise hold a target twice."""
        known, url_id = self._url_ids, self._url_id  # ids start at 1: `or` falls back on a miss
        crawl_id, edges, named, sets, again = self.crawl_id, [], [], [], []
        for (code, source), (set_ids, own) in self._links.items():
            source_id = known.get(source) or url_id(source)
            if (code, source) in self._linked:
                again.append((crawl_id, code, source_id))
            self._linked.add((code, source))
            edges += [(crawl_id, code, source_id, known.get(target) or url_id(target), tag, text, scope_ok)
                      for target, (tag, text, scope_ok) in own.items()]
            for set_id in set_ids:
                named.append((crawl_id, code, source_id, set_id))
                if (code, set_id) not in self._sets_written:
                    self._sets_written.add((code, set_id))
                    sets += [(crawl_id, code, set_id, url_id(target), tag, text, scope_ok)
                             for target, (tag, text, scope_ok) in self._templates[code].sets[set_id].items()]
        for table in ("link_edges", "page_link_sets"):
            self.conn.executemany(f"DELETE FROM {table} WHERE crawl_id = ? AND council_code = ? AND source_id = ?",
                                  again)
        self.conn.executemany(
            "INSERT OR REPLACE INTO link_edges (crawl_id, council_code, source_id, target_id, tag, "
            "link_text, in_scope) VALUES (?, ?, ?, ?, ?, ?, ?)", edges)
        self.conn.executemany(
            "INSERT OR IGNORE INTO link_sets (crawl_id, council_code, set_id, target_id, tag, link_text, in_scope) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", sets)
        self.conn.executemany(
            "INSERT OR IGNORE INTO page_link_sets (crawl_id, council_code, source_id, set_id) VALUES (?, ?, ?, ?)",
            named)
        self._links.clear()

    def _url_id(self, url: str) -> int:
        """``dbmod.url_id`` with a memory: a site's menu links are looked up once."""
        found = self._url_ids.get(url)
        if found is None:
            found = self._url_ids[url] = dbmod.url_id(self.conn, url)
        return found

    def _reached_kill_point(self, where: str) -> bool:
        if self._kill_at is None or self._kill_at[0] != where:
            return False
        self._kill_at[1] -= 1
        return self._kill_at[1] == 0

    def add_faults(self, faults: dict[str, int]) -> None:
        """Add to councils' crawl_sites rows, written by their crawl workers, the responses
        this process (the link checker) failed to process: council code -> how many."""
        for code, n in faults.items():
            key = [self.crawl_id, code]
            row = next(self.db.query("SELECT status, reason FROM crawl_sites WHERE crawl_id = ? AND council_code = ?",
                                     key), None)
            if row is not None:
                self.conn.execute("UPDATE crawl_sites SET status = ?, reason = ? WHERE crawl_id = ? AND council_code = ?",
                                  [*with_faults(row["status"], row["reason"], n), *key])

    def site_row(self, row: dict) -> None:
        row["crawl_id"] = self.crawl_id
        self.db.table("crawl_sites").upsert(row, pk=("crawl_id", "council_code"))

    def close(self) -> None:
        self.flush()
        for fh, _ in self._warcs.values():
            fh.close()
        self._warcs.clear()


def _test_kill_point() -> list | None:
    """TEST ONLY: ``LO_AUDIT_TEST_KILL=warc:N`` kills the crawl (SIGKILL to its process
    group) halfway through writing its N-th WARC record; ``commit:N`` inside its N-th
    transaction, before COMMIT. Counted per process. The resume test
    (tests/crawler/test_resume.py) uses it to die exactly where a real kill is most harmful."""
    value = os.environ.get("LO_AUDIT_TEST_KILL")
    if not value:
        return None
    where, _, n = value.partition(":")
    return [where, int(n)]


def _kill_for_test() -> None:
    os.killpg(os.getpgid(0), signal.SIGKILL)


def kept_headers(headers: dict[str, str]) -> str:
    return json.dumps({k: v for k, v in headers.items() if k in KEPT_HEADERS}, sort_keys=True)
