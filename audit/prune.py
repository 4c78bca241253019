"""``lo-audit prune --keep N``: free the space of old crawls' evidence, never what a kept
audit needs.

A weekly audit keeps every crawl's raw evidence: the WARC files (most of the disk) and the
per-page rows (``fetches``, the link graph, link checks, sitemap entries, discoveries). After a
few months only the recent crawls' evidence is worth its space. Every *audit* is kept (its
scores, findings, page audits: the history the report cards chart and compare); what goes is
the evidence of crawls no kept audit was made from.

Kept, always:

* the crawls of the N most recent complete audits: an audit's report card reads its crawl's
  links and link checks, and its findings point at the WARC records;
* the crawl of any audit still running;
* every crawl newer than the newest audited one: the next audit's, a crawl in progress, an
  interrupted crawl that may be resumed.

The rows of the other crawls go in one transaction; their WARC files are deleted only after
it commits (a failed delete of rows leaves every file in place, and a file still named by a
kept crawl's ``fetches`` is never deleted). A conditional re-crawl (crawler/conditional.py)
names an earlier crawl's file: a page the server answered ``304 Not Modified`` has its body
there, so that file stays as long as a kept crawl's row points at it, though the earlier
crawl's rows go (a re-crawl's rows point at the original response, never at a revisit, so
a chain of unchanged weeks keeps only the file holding the body). ``crawls`` and ``crawl_sites`` rows stay, marked
``pruned_at``: the audits made from them still say which crawl they read and how it went.
Pruning twice prunes nothing the second time.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from audit.core import db as dbmod

# The tables holding a crawl's per-page evidence, keyed by crawl_id.
EVIDENCE_TABLES = ("fetches", "link_edges", "link_sets", "page_link_sets", "link_checks", "deferred_link_checks",
                   "sitemap_entries", "discoveries")


class PruneError(Exception):
    """Pruning cannot go ahead; the message is one line for the user."""


@dataclass
class PrunePlan:
    keep_audits: list[int]
    kept_crawls: list[int]
    pruned_crawls: list[int]
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows removed (or that would be)
    files: list[Path] = field(default_factory=list)
    bytes: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _ids(conn: sqlite3.Connection, sql: str, params=()) -> list[int]:
    return [row[0] for row in conn.execute(sql, params) if row[0] is not None]


def kept_crawls(conn: sqlite3.Connection, keep: int) -> tuple[list[int], list[int]]:
    """The N most recent complete audits, and every crawl that must stay (see the module's
    docstring for why each is kept)."""
    audits = _ids(conn, "SELECT audit_id FROM audits WHERE status = 'complete' ORDER BY audit_id DESC LIMIT ?", [keep])
    kept = set(_ids(conn, f"SELECT crawl_id FROM audits WHERE audit_id IN ({','.join('?' * len(audits))})", audits))
    kept |= set(_ids(conn, "SELECT crawl_id FROM audits WHERE status = 'running'"))
    newest_audited = conn.execute("SELECT max(crawl_id) FROM audits WHERE status = 'complete'").fetchone()[0]
    if newest_audited is None:  # nothing audited yet: every crawl may still be
        kept |= set(_ids(conn, "SELECT crawl_id FROM crawls"))
    else:
        kept |= set(_ids(conn, "SELECT crawl_id FROM crawls WHERE crawl_id > ?", [newest_audited]))
    return audits, sorted(kept)


def _warc_files(conn: sqlite3.Connection, crawls: list[int], warc_dir: Path) -> set[Path]:
    """The WARC files of these crawls: named by their rows (including an earlier crawl's file
    holding the body of a page that answered 304 Not Modified, and the revisit records'), or by
    the crawler's naming (``crawl-<id>-<council>….warc.gz``) for a file whose rows never committed."""
    if not crawls:
        return set()
    marks = ",".join("?" * len(crawls))
    names = set(_ids(conn, f"SELECT DISTINCT warc_file FROM fetches WHERE crawl_id IN ({marks}) UNION "
                           f"SELECT DISTINCT revisit_warc_file FROM fetches WHERE crawl_id IN ({marks})", crawls * 2))
    names |= set(_ids(conn, f"SELECT DISTINCT warc_file FROM crawl_sites WHERE crawl_id IN ({marks})", crawls))
    files = {warc_dir.parent / name for name in names}
    if warc_dir.is_dir():
        prefixes = tuple(f"crawl-{c}-" for c in crawls)
        files |= {entry for entry in warc_dir.iterdir() if entry.name.startswith(prefixes)}
    inside = warc_dir.resolve()
    return {f.resolve() for f in files if f.resolve().parent == inside}  # never a file outside the WARC folder


def plan(conn: sqlite3.Connection, db_path: Path, keep: int) -> PrunePlan:
    """What pruning would remove, counted, without changing anything."""
    audits, kept = kept_crawls(conn, keep)
    pruned = [c for c in _ids(conn, "SELECT crawl_id FROM crawls ORDER BY crawl_id") if c not in set(kept)]
    result = PrunePlan(audits, kept, pruned)
    if pruned:
        marks = ",".join("?" * len(pruned))
        for table in EVIDENCE_TABLES:
            result.rows[table] = conn.execute(f"SELECT count(*) FROM {table} WHERE crawl_id IN ({marks})",
                                              pruned).fetchone()[0]
    result.rows["urls"] = _orphan_urls(conn, pruned)
    warc_dir = dbmod.warc_dir(db_path)
    needed = _warc_files(conn, kept, warc_dir)
    result.files = sorted(f for f in _warc_files(conn, pruned, warc_dir) - needed if f.is_file())
    result.bytes = sum(f.stat().st_size for f in result.files)
    return result


ORPHAN_URLS = """FROM urls WHERE url_id NOT IN (
    SELECT source_id FROM link_edges {where} UNION SELECT target_id FROM link_edges {where}
    UNION SELECT source_id FROM page_link_sets {where} UNION SELECT target_id FROM link_sets {where})"""


def _orphan_urls(conn: sqlite3.Connection, pruned: list[int]) -> int:
    """URLs that no link of a kept crawl names once the pruned crawls' links are gone."""
    where = f"WHERE crawl_id NOT IN ({','.join('?' * len(pruned))})" if pruned else ""
    return conn.execute("SELECT count(*) " + ORPHAN_URLS.format(where=where),
                        pruned * ORPHAN_URLS.count("{where}")).fetchone()[0]


def _running_crawl(conn: sqlite3.Connection) -> int | None:
    """A crawl whose process is still alive: it holds URL ids in memory that pruning would
    orphan, so pruning waits for it."""
    from crawler.run import _alive

    for crawl_id, pid in conn.execute("SELECT crawl_id, pid FROM crawls WHERE status = 'running'"):
        if _alive(pid):
            return crawl_id
    return None


def prune(db_path: Path, keep: int, dry_run: bool = False) -> PrunePlan:
    """Remove the evidence of the crawls no kept audit needs (rows in one transaction, then
    their WARC files); return what was (or, with ``dry_run``, would be) freed."""
    if keep < 1:
        raise PruneError("--keep must be at least 1: the latest audit always needs its crawl")
    if not db_path.is_file():
        raise PruneError(f"{db_path} does not exist")
    conn = dbmod.connect(db_path).conn
    running = _running_crawl(conn)
    if running is not None:
        raise PruneError(f"crawl {running} is running: prune after it finishes")
    if dry_run:
        return plan(conn, db_path, keep)
    conn.execute("BEGIN IMMEDIATE")  # no crawl or audit starts while the plan is carried out
    try:
        result = plan(conn, db_path, keep)
        if result.pruned_crawls:
            marks = ",".join("?" * len(result.pruned_crawls))
            for table in EVIDENCE_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE crawl_id IN ({marks})", result.pruned_crawls)
            conn.execute("DELETE " + ORPHAN_URLS.format(where=""))
            conn.execute(f"UPDATE crawls SET pruned_at = coalesce(pruned_at, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')) "
                         f"WHERE crawl_id IN ({marks})", result.pruned_crawls)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    for f in result.files:
        try:
            os.unlink(f)
        except FileNotFoundError:  # removed meanwhile: freed all the same
            pass
    return result


def report(result: PrunePlan, dry_run: bool) -> list[str]:
    """What prune says: the audits and crawls kept, and the rows, files and bytes freed."""
    verb = "would free" if dry_run else "freed"
    lines = [f"kept the {len(result.keep_audits)} most recent complete audit(s) "
             f"{', '.join(map(str, sorted(result.keep_audits))) or '(none yet)'}; crawls kept: "
             f"{', '.join(map(str, result.kept_crawls)) or 'none'}"]
    if not result.pruned_crawls or (not result.total_rows and not result.files):
        lines.append("nothing to prune")
        return lines
    rows = ", ".join(f"{table} {n}" for table, n in result.rows.items() if n)
    lines.append(f"crawls pruned: {', '.join(map(str, result.pruned_crawls))}")
    lines.append(f"{verb}: {result.total_rows} rows ({rows or 'none'}), {len(result.files)} WARC file(s), "
                 f"{result.bytes / 1e6:.1f} MB")
    if not dry_run and result.total_rows:
        lines.append("the database file keeps its size: SQLite reuses the freed pages for the next crawls "
                     "(run `sqlite3 FILE.db VACUUM` to give them back to the disk)")
    return lines
