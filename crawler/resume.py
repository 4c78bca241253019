"""Resume an interrupted crawl (``lo-audit crawl --resume``) so that it ends as if it never stopped.

Nothing of Scrapy's is saved while crawling: a killed process leaves no scheduler to
restore, and a pickled one would disagree with the database about what was committed.
The database and the WARC files are the state. A resumed crawl runs the crawl again from
the seeds, and every request whose ``fetches`` row this crawl has already committed is
answered from that row and its WARC record instead of the network (``ReplayMiddleware``):
the spider parses it exactly as it parsed the live answer, so the frontier, the seen
sets, depths, trap budgets, sitemap and discovery decisions come back by the same code
that made them, in the same order rules (breadth first, trap waves at idle). Rows it
records again are upserts of the same natural keys; the replayed ``fetches`` and
``link_checks`` rows are kept as first written (their timings are the real ones), and
link targets already in ``link_checks`` are not checked again.

What is not replayed is fetched: pages fetched but whose rows were not committed when
the process died (at-least-once: at most one flush's worth, ``store.FLUSH_ROWS`` rows or
``FLUSH_SECONDS``), robots.txt of a host first asked for by another council, seeds'
failures that left no row, and responses lo-audit failed to process (``crawler_error`` rows
and checks, crawler.guard): what a fault left is no finished fetch, and the bug may be fixed.

WARC: the files of the interrupted run end with whatever it was writing when killed: a
half-written gzip member, or whole records no committed row points at. ``truncate_tails``
cuts each file after the last record a committed row points at, so every file is whole
and holds only referenced records; the resumed run writes new files
(``crawl-{id}-{code}.r{n}.warc.gz``), never appending to a file a dead process wrote.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from audit.core import db as dbmod
from audit.core.evidence import WarcReader
from audit.core.registry import Council
from audit.core.urls import check_key

from .guard import CRAWLER_ERROR
from .warc import member_end

# Headers describing the bytes on the wire, not the body Scrapy delivered (and archived):
# a replayed body is already decoded, so these would make Scrapy decode it again.
WIRE_HEADERS = (b"Content-Encoding", b"Transfer-Encoding", b"Content-Length")
REPLAYED = "replayed"  # the response flag the spider tests (it records nothing for these)
FOUND_BY_DISCOVERY = "found_by_discovery"  # request meta: the Local Offer discovery found, fetched as its home


class ResumeError(Exception):
    """No crawl to resume, or not one that can be: one line for the user."""


class ReplayedFailure(Exception):
    """A fetch that failed in the interrupted run, failing again with the same error code
    and detail (``LocalOfferSpider.describe_failure`` passes them through)."""

    def __init__(self, error: str, detail: str):
        super().__init__(detail)
        self.error, self.detail = error, detail


@dataclass
class ResumeState:
    """What the interrupted run(s) of a crawl committed, read once per process."""

    round: int  # the crawl's n-th resume (crawls.resumed)
    fetches: dict[tuple[str, str], dict] = field(default_factory=dict)  # (council, url key) -> fetches row
    robots: dict[str, dict] = field(default_factory=dict)  # robots.txt url -> row, whichever council asked
    checked: frozenset[str] = frozenset()  # link_checks url keys
    linked: frozenset[tuple[str, str]] = frozenset()  # (council, page url) whose links are in the link graph

    @classmethod
    def load(cls, conn, crawl_id: int, round_: int) -> "ResumeState":
        state = cls(round_)
        cursor = conn.execute(
            "SELECT council_code, url, final_url, kind, status, error, error_detail, headers, redirect_chain, "
            "warc_file, warc_offset, raw_warc_offset, render_status FROM fetches WHERE crawl_id = ? "
            "AND (error IS NULL OR (error NOT LIKE 'skipped_%' AND error != ?))", [crawl_id, CRAWLER_ERROR])
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values))
            state.fetches[(row["council_code"], row["url"])] = row
            if row["kind"] == "robots":
                state.robots[row["url"]] = row
        state.checked = frozenset(url for (url,) in conn.execute(
            "SELECT url FROM link_checks WHERE crawl_id = ? AND reason IS NOT ?", [crawl_id, CRAWLER_ERROR]))
        # A page's links are written in one transaction, though perhaps not its fetches row's;
        # a page whose links are all in its site's link sets has no link_edges row.
        state.linked = frozenset(conn.execute(
            "SELECT e.council_code, u.url FROM (SELECT council_code, source_id FROM link_edges WHERE crawl_id = ? "
            "UNION SELECT council_code, source_id FROM page_link_sets WHERE crawl_id = ?) e "
            "JOIN urls u ON u.url_id = e.source_id", [crawl_id, crawl_id]))
        return state

    def fetch_row(self, council: str, url: str, kind: str | None, registry_seed: bool = False) -> dict | None:
        """The committed ``fetches`` row that stands for fetching ``url`` (a URL key) as ``kind``,
        or None: fetch it. A row discovery wrote stands only for discovery's own requests and
        the registry's seed (recorded as discovery when it is dead): the Local Offer discovery
        finds, and any page of it discovery looked at, an uninterrupted crawl fetches again and
        records as the crawl's own, replacing discovery's row."""
        row = self.fetches.get((council, url))
        if row is not None and row["kind"] == "discovery" and kind != "discovery" and not registry_seed:
            return None
        return row

    def committed(self, table: str, row: dict) -> bool:
        """Whether ``row`` (about to be added) was committed by an earlier run: kept as it is."""
        if table == "fetches":
            return self.fetch_row(row["council_code"], row["url"], row["kind"]) is not None
        if table == "link_checks":
            return row["url"] in self.checked
        return False


class ReplayMiddleware:
    """Answer a request from the interrupted run's committed row and WARC record.

    Installed (after the address guard and robots gate, which still decide as they did)
    only in a resumed crawl's processes. A response it makes carries the ``replayed``
    flag and ``dont_retry``: it is what the last retry got, not a new answer."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.reader = WarcReader(crawler.settings["LO_DB_PATH"])
        self.replayed = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        state = self.crawler.spider.store.resume
        if request.meta.get("redirect_urls"):  # a live redirect's next hop: it is being fetched
            return None
        key, meta = check_key(request.url), request.meta
        if meta.get("kind") == "robots":
            row = state.robots.get(key)
        else:
            registry_seed = meta.get("depth") == 0 and meta.get("referrer") is None and not meta.get(FOUND_BY_DISCOVERY)
            row = state.fetch_row(meta.get("council"), key, meta.get("kind"), registry_seed)
        if row is None:
            return None
        self.replayed += 1
        request.meta["dont_retry"] = True
        chain = json.loads(row["redirect_chain"] or "[]")
        if chain:
            request.meta["redirect_urls"] = chain
        if row["status"] is None:
            raise ReplayedFailure(row["error"] or "error", row["error_detail"] or "")
        return self.response(request, row)

    def response(self, request, row: dict):
        from scrapy.http import Headers
        from scrapy.responsetypes import responsetypes

        status, headers, body = row["status"], None, b""
        offset = row["raw_warc_offset"] if row["raw_warc_offset"] is not None else row["warc_offset"]
        if row["warc_file"] is not None:
            archived = self.reader.response(row["warc_file"], offset)
            if archived is not None:
                status, headers, body = archived.status, archived.headers, archived.body
        if headers is None:  # the body was not kept: the headers that matter were
            headers = list(json.loads(row["headers"] or "{}").items())
        kept = Headers()
        for name, value in headers:
            if name.encode("latin-1").title() not in WIRE_HEADERS:
                kept.appendlist(name, value)
        if row["render_status"] is not None and row["warc_offset"] != offset:
            request.meta["replayed_dom"] = self.reader.body(row["warc_file"], row["warc_offset"])
        cls = responsetypes.from_args(headers=kept, url=row["final_url"], body=body)
        return cls(url=row["final_url"], status=status, headers=kept, body=body, flags=[REPLAYED],
                   request=request)


def crawl_to_resume(db, crawl_id: int | None) -> dict:
    """The ``crawls`` row to resume: ``crawl_id``'s, or the latest interrupted crawl's."""
    if crawl_id is None:
        row = next(db.query("SELECT * FROM crawls WHERE status = 'interrupted' ORDER BY crawl_id DESC LIMIT 1"), None)
        if row is None:
            raise ResumeError("no interrupted crawl to resume in this database")
        return row
    row = next(db.query("SELECT * FROM crawls WHERE crawl_id = ?", [crawl_id]), None)
    if row is None:
        raise ResumeError(f"there is no crawl {crawl_id}")
    if row["status"] != "interrupted":
        raise ResumeError(f"crawl {crawl_id} is {row['status']}, not interrupted: only an interrupted crawl resumes")
    if row["pruned_at"]:
        raise ResumeError(f"crawl {crawl_id} was pruned: its evidence is gone")
    return row


def crawl_councils(db, crawl_id: int) -> list[Council]:
    """The councils a crawl set out to crawl, as the registry gave them when it started
    (``councils`` holds the registry of the latest crawl; a resumed crawl is normally that one)."""
    return [Council(r["code"], r["name"], r["local_offer_url"] or "", r["council_url"] or "", r["region"] or "",
                    r["la_type"] or "", tuple((r["scope"] or "").split()))
            for r in db.query("SELECT c.* FROM councils c JOIN crawl_sites s ON s.council_code = c.code "
                              "WHERE s.crawl_id = ? ORDER BY c.code", [crawl_id])]


@dataclass
class Tails:
    """What ``truncate_tails`` cut: records a dead run wrote but never committed a row for
    (they are fetched again), and whether one was half-written."""

    records: int = 0
    half_written: int = 0
    bytes: int = 0


def truncate_tails(db_path: str | Path, crawl_id: int) -> Tails:
    """Cut every WARC file of the crawl after its last record a committed row points at
    (see the module's docstring). A file no row points at held only uncommitted records:
    it is emptied."""
    db = dbmod.connect(db_path)
    base = Path(db_path).resolve().parent
    # Records a committed row points at: its body (or rendering and raw response), or the
    # revisit record of a 304 whose body is in an earlier crawl's file (crawler.conditional).
    last = {row["warc_file"]: row["offset"] for row in db.query(
        "SELECT warc_file, max(offset) AS offset FROM ("
        "SELECT warc_file, max(warc_offset, coalesce(raw_warc_offset, -1)) AS offset FROM fetches "
        "WHERE crawl_id = ? AND warc_file IS NOT NULL UNION ALL "
        "SELECT revisit_warc_file, revisit_warc_offset FROM fetches "
        "WHERE crawl_id = ? AND revisit_warc_file IS NOT NULL) GROUP BY warc_file", [crawl_id, crawl_id])}
    warc_dir = dbmod.warc_dir(db_path)
    tails = Tails()
    for path in sorted(warc_dir.glob(f"crawl-{crawl_id}-*.warc.gz")) if warc_dir.exists() else []:
        name = f"{warc_dir.name}/{path.name}"
        end = 0 if name not in last else member_end(base / name, last[name])
        if end is None:  # the record a committed row points at is itself cut short (a lost write)
            raise ResumeError(f"{name}: the record at offset {last[name]} is incomplete; this crawl cannot resume")
        size = path.stat().st_size
        position = end
        while position < size:  # count what is cut: whole records, and perhaps one half-written
            following = member_end(path, position)
            if following is None:
                tails.half_written += 1
                break
            tails.records += 1
            position = following
        if end < size:
            os.truncate(path, end)
            tails.bytes += size - end
    return tails
