"""Conditional re-crawls: ask a server only whether a page changed since last week.

Most of a Local Offer does not change from one weekly crawl to the next, yet a plain crawl
downloads every page again. A request for a URL whose body the previous complete crawl of the
same council archived carries that response's validators (``If-None-Match`` from its ETag,
``If-Modified-Since`` from its Last-Modified, RFC 9110 13.1). A server that still has the same
page answers ``304 Not Modified`` with headers only; this middleware then stands the archived
response in for it, as an HTTP cache would (RFC 9111 4.3.4: the stored headers updated with
the 304's), so the spider parses, follows and records the page exactly as if it had been
downloaded again, and the audit reads the same bytes. The spider stores the 304 as a WARC
``revisit`` record pointing at the earlier response, and the page's ``fetches`` row points at
the earlier record's body (``not_modified`` = 1, ``status`` the earlier 200).

Validators are only sent for a body still there to stand in: the previous crawl must be
complete and not pruned, its WARC file present, its response a whole 200 (not truncated) and
not a page rendered by a browser (its content also depends on what its scripts fetched, so it
is fetched and rendered afresh). A 304 whose archived record cannot be read after all (a
damaged file) is asked again without validators. A server that ignores the validators just
answers 200, which is recorded as any download is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrapy import Request, signals
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from audit.core import db as dbmod
from audit.core.evidence import ArchivedResponse, WarcReader

# Fetches that archive a body the crawl reads again; link checks, robots.txt and a browser's
# own requests are not asked conditionally.
CONDITIONAL_KINDS = ("page", "document", "sitemap", "stylesheet", "open_data", "search", "discovery")
# Headers of a 304 that do not describe the stored body (RFC 9111 3.2).
NOT_UPDATED = frozenset(("content-length", "content-encoding", "transfer-encoding", "content-range", "connection",
                         "keep-alive"))


@dataclass(frozen=True)
class Earlier:
    """Where the previous crawl archived a URL's body, and the validators it was sent with."""
    warc_file: str
    warc_offset: int
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class NotModified:
    """A 304 stood in for by the earlier response (``request.meta["not_modified"]``)."""
    earlier: Earlier
    record: ArchivedResponse  # the earlier response record, read back
    status: int  # the 304 itself, for the revisit record
    headers: list[tuple[str, str]]


def previous_crawl(conn, crawl_id: int, council_code: str) -> int | None:
    """The latest complete, unpruned crawl before ``crawl_id`` that crawled this council."""
    row = conn.execute(
        "SELECT max(c.crawl_id) FROM crawls c JOIN crawl_sites s ON s.crawl_id = c.crawl_id "
        "WHERE c.crawl_id < ? AND c.status = 'complete' AND c.pruned_at IS NULL AND s.council_code = ?",
        [crawl_id, council_code]).fetchone()
    return row[0]


def earlier_responses(db_path: str | Path, crawl_id: int, council_codes) -> dict[str, dict[str, Earlier]]:
    """For each council, the responses of its previous complete crawl that a 304 may stand in
    for, by the URL that answered (``final_url``: a redirect's target is asked on its own)."""
    conn = dbmod.connect(db_path).conn
    base = Path(db_path).resolve().parent
    present: dict[str, bool] = {}
    found: dict[str, dict[str, Earlier]] = {}
    for code in council_codes:
        previous = previous_crawl(conn, crawl_id, code)
        if previous is None:
            continue
        rows = conn.execute(
            "SELECT final_url, warc_file, warc_offset, json_extract(headers, '$.etag'), "
            "json_extract(headers, '$.\"last-modified\"') FROM fetches WHERE crawl_id = ? AND council_code = ? "
            "AND status = 200 AND warc_file IS NOT NULL AND render_status IS NULL AND NOT truncated "
            "AND final_url IS NOT NULL ORDER BY rowid", [previous, code])
        by_url = {}
        for url, warc_file, offset, etag, last_modified in rows:
            if not (etag or last_modified):
                continue
            if warc_file not in present:
                present[warc_file] = (base / warc_file).is_file()
            if present[warc_file]:
                by_url[url] = Earlier(warc_file, offset, etag, last_modified)
        if by_url:
            found[code] = by_url
    return found


class ConditionalRequests:
    """Downloader middleware: validators on requests for archived URLs; a 304 answered with
    the archived response (see the module docstring). Placed next to the downloader, where
    Scrapy's own HTTP cache would be, so redirects and retries pass through it like any
    request, and the spider's HTTP-error filter never sees a 304."""

    PRIORITY = 900

    def __init__(self, crawler):
        self.crawler = crawler
        self.earlier: dict[str, dict[str, Earlier]] | None = None  # read at the first request
        self.reader: WarcReader | None = None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def _load(self) -> None:
        spider = self.crawler.spider
        store = getattr(spider, "store", None)
        if store is None or getattr(spider, "inbox", None) is not None or getattr(spider, "deferred", None):
            self.earlier = {}  # the link checker and the deferred link checks fetch no pages
            return
        self.earlier = earlier_responses(store.db_path, store.crawl_id, spider.sites)
        self.reader = WarcReader(store.db_path)

    def process_request(self, request: Request):
        for name in (b"If-None-Match", b"If-Modified-Since"):  # a redirect's copy of the first URL's
            request.headers.pop(name, None)
        request.meta.pop("revalidating", None)
        request.meta.pop("not_modified", None)
        if request.method != "GET" or request.meta.get("kind") not in CONDITIONAL_KINDS \
                or request.meta.get("unconditional"):
            return None
        if self.earlier is None:
            self._load()
        earlier = self.earlier.get(request.meta.get("council"), {}).get(request.url)
        if earlier is None:
            return None
        if earlier.etag:
            request.headers[b"If-None-Match"] = earlier.etag
        if earlier.last_modified:
            request.headers[b"If-Modified-Since"] = earlier.last_modified
        request.meta["revalidating"] = earlier
        return None

    def process_response(self, request: Request, response: Response):
        earlier = request.meta.get("revalidating")
        if response.status != 304 or earlier is None:
            return response
        record = self.reader.response(earlier.warc_file, earlier.warc_offset)
        if record is None or record.status != 200:  # the archived body is unreadable: ask for it whole
            return request.replace(meta={**request.meta, "unconditional": True}, dont_filter=True)
        not_modified = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
        updated = {name.lower() for name, _ in not_modified} - NOT_UPDATED
        headers = Headers()
        for name, value in [(k, v) for k, v in record.headers if k.lower() not in updated] \
                + [(k, v) for k, v in not_modified if k.lower() in updated]:
            headers.appendlist(name, value)
        request.meta["not_modified"] = NotModified(earlier, record, response.status, not_modified)
        cls = responsetypes.from_args(headers=headers, url=response.url, body=record.body)
        return cls(url=response.url, status=record.status, headers=headers, body=record.body,
                   flags=[*response.flags, "not_modified"], request=request, ip_address=response.ip_address,
                   protocol=response.protocol)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()

