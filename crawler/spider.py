"""The Local Offer spider: one instance crawls every selected council side by side.

For each council it fetches the in-scope HTML pages breadth-first from the Local Offer
URL, fetches in-scope documents for their dates, reads the sitemap(s) for ``lastmod``, and
checks every other link target once per crawl (a cache shared by all councils, since many
link the same gov.uk pages): HEAD first, GET when HEAD is refused or answered oddly.
Every outcome, including every refusal and failure, is recorded; nothing is dropped
silently. Deduplication is ours (all requests are ``dont_filter``) so a redirect loop is
seen as a loop rather than vanishing in Scrapy's duplicate filter.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError, DontCloseSpider, DownloadCancelledError, DownloadConnectionRefusedError,
    DownloadFailedError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError, StopDownload,
    UnsupportedURLSchemeError,
)
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import error as txerror
from twisted.internet.task import deferLater
from twisted.internet.defer import CancelledError, TimeoutError as DeferTimeoutError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from audit.core.linkstatus import classify
from audit.core.page import Page
from audit.core.registry import Council
from audit.core.scope import default_scope, in_scope
from audit.core.urls import canonical_url, check_key, is_document_url, private_allowance

from .resolver import PRIVATE_MARKER, GuardedResolver
from .settings import (
    DOCUMENT_MAX_BYTES, DOCUMENT_TYPES, HTML_MAX_BYTES, MAX_SITEMAPS_PER_SITE,
    SITEMAP_MAX_BYTES, CrawlOptions,
)
from .store import kept_headers, utcnow
from .traps import TRAP_BUDGET, looks_endless, trap_family

ERROR_STATUSES = list(range(400, 600))
# HEAD answers that often mean "this server does not do HEAD properly": retry with GET.
HEAD_FALLBACK_STATUSES = {400, 403, 404, 405, 406, 409, 500, 501, 502, 503}
# How often the link checker reads the workers' pipes: a worker's send waits only when its
# pipe (64 KB, ~600 targets) is full.
INBOX_POLL_SECONDS = 0.02
LINK_CHECK_BODY_BYTES = 32 * 1024  # enough to recognise a bot challenge or a not-found page
HTML_TYPES = ("text/html", "application/xhtml+xml")
_LOC = re.compile(rb"<loc>\s*(.*?)\s*</loc>(?:\s*<lastmod>\s*(.*?)\s*</lastmod>)?", re.S | re.I)


@dataclass
class SiteState:
    council: Council
    scope: tuple[str, ...]
    explicit_scope: bool
    allow_private: tuple[str, ...]  # see audit.core.urls.private_allowance
    scheduled: int = 0  # pages + documents requested
    seen: set[str] = field(default_factory=set)
    trap_spent: Counter = field(default_factory=Counter)
    # Trap-family URLs found since the crawl last went idle: canonical URL -> (depth, referrer, url).
    trap_held: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    sitemaps: int = 0
    sitemaps_requested: bool = False
    seed_outcome: tuple[str, str] | None = None  # (status, reason)
    final_seed_url: str | None = None
    pages_ok: int = 0
    partial_reasons: set[str] = field(default_factory=set)


class LocalOfferSpider(scrapy.Spider):
    name = "localoffer"

    def __init__(self, councils: list[Council], store, options: CrawlOptions, ownership=None, outbox=None,
                 inbox=None, deferred=None, **kwargs):
        super().__init__(**kwargs)
        self.store = store
        self.options = options
        # One of several crawl processes (see crawler.workers): the hosts this one may contact
        # (crawler.workers.HostOwnership), and its pipe to the link checker for the others.
        self.ownership = ownership
        self.outbox = outbox
        self.inbox = inbox  # crawler.workers.LinkCheckInbox: this process is the link checker
        self.deferred = deferred  # (council code, target) pairs: a link-check-only pass after the workers
        self.sites: dict[str, SiteState] = {}
        for council in councils:
            if council.local_offer_url:
                self.sites[council.code] = SiteState(
                    council, council.scope, council.scope != default_scope(council.local_offer_url),
                    private_allowance(council.local_offer_url),
                )
        self.link_checks_seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.stop_link_check_body, signal=signals.bytes_received)
        crawler.signals.connect(spider.release_held_traps, signal=signals.spider_idle)
        return spider

    # -- requests ---------------------------------------------------------
    async def start(self):
        if self.inbox is not None:
            # The link checker: checks go straight to the scheduler, so the pipes are read
            # however busy the downloader is (a worker never waits on a full pipe for long);
            # the spider stays open until the last worker's pipe has closed.
            from twisted.internet import reactor  # the one Scrapy installed

            while True:
                for code, target in self.inbox.receive():
                    for request in self.check_link(self.sites[code], target):
                        self.crawler.engine.crawl(request)
                if not self.inbox.open:
                    return
                await maybe_deferred_to_future(deferLater(reactor, INBOX_POLL_SECONDS))
        if self.deferred is not None:
            for code, target in self.deferred:
                for request in self.check_link(self.sites[code], target):
                    yield request
            return
        for site in self.sites.values():
            yield self.fetch_request(site, site.council.local_offer_url, "page", depth=0, referrer=None)

    def fetch_request(self, site: SiteState, url: str, kind: str, depth: int, referrer: str | None):
        site.seen.add(canonical_url(url))
        site.scheduled += 1
        return scrapy.Request(
            url,
            callback=self.parse_fetch,
            errback=self.fetch_failed,
            dont_filter=True,
            priority=-depth,
            meta={
                "council": site.council.code,
                "kind": kind,
                "depth": depth,
                "referrer": referrer,
                "allow_private": site.allow_private,
                "download_maxsize": HTML_MAX_BYTES if kind == "page" else DOCUMENT_MAX_BYTES,
                "handle_httpstatus_list": ERROR_STATUSES,
                "started": time.monotonic(),
            },
        )

    def link_check_request(self, site: SiteState, url: str, method: str = "HEAD"):
        return scrapy.Request(
            url,
            method=method,
            callback=self.parse_link_check,
            errback=self.link_check_failed,
            dont_filter=True,
            priority=-20,
            meta={
                "council": site.council.code,
                "kind": "link",
                "allow_private": site.allow_private,
                "download_maxsize": DOCUMENT_MAX_BYTES,
                "handle_httpstatus_list": ERROR_STATUSES,
                "started": time.monotonic(),
            },
        )

    def stop_link_check_body(self, data, request, spider):
        """A link check needs the status and the start of the body, never a whole download."""
        got = request.meta.get("_received", 0) + len(data)
        request.meta["_received"] = got  # also tells a size-cap cancel from a timeout (failure_code)
        if request.meta.get("kind") == "link" and got >= LINK_CHECK_BODY_BYTES:
            raise StopDownload(fail=False)

    # -- callbacks ----------------------------------------------------------
    def parse_fetch(self, response):
        request = response.request
        site = self.sites[request.meta["council"]]
        kind = request.meta["kind"]
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if kind == "page" and any(t in content_type for t in DOCUMENT_TYPES):
            kind = "document"
        is_html = any(t in content_type for t in HTML_TYPES) or (not content_type and kind == "page")
        final_in_scope = in_scope(response.url, site.scope)
        is_seed = request.meta["depth"] == 0 and kind == "page" and request.meta.get("referrer") is None
        if is_seed and not final_in_scope and not site.explicit_scope and response.status < 400:
            # The Local Offer moved (a redirect to a new host or folder): follow it there.
            site.scope = default_scope(response.url)
            final_in_scope = True
        keep_body = final_in_scope and (kind == "document" or is_html)
        self.record_response(request, response, request.meta["started"], kind=kind, keep_body=keep_body)
        self.record_check_from_fetch(request, response)
        if is_seed:
            site.final_seed_url = response.url
            outcome, reason = classify(response.status, None, _headers(response), _body_start(response))
            site.seed_outcome = ("ok", "") if outcome == "ok" else ("unreachable", f"Local Offer URL answered {reason}")
            if outcome == "ok" and not site.sitemaps_requested:
                yield from self.sitemap_requests(site, response.url)
        if kind == "page" and response.status == 200 and final_in_scope and is_html:
            site.pages_ok += 1
            yield from self.follow_links(site, response, request.meta["depth"])

    def follow_links(self, site: SiteState, response, depth: int):
        try:
            html = response.text
        except (AttributeError, UnicodeDecodeError):
            html = response.body.decode("utf-8", errors="replace")
        page = Page(response.url, html)
        found = []
        for link in page.links:
            target = link.url
            scope_ok = in_scope(target, site.scope)
            found.append((target, link.tag, link.text[:300], int(scope_ok)))
            lower = target.lower()
            if not lower.startswith(("http://", "https://")):
                if lower.startswith(("mailto:", "tel:", "javascript:", "data:", "sms:", "callto:")):
                    continue
                yield from self.check_link(site, target)  # malformed or odd schemes are checked (and fail)
                continue
            if not scope_ok:
                yield from self.check_link(site, target)
                continue
            key = canonical_url(target)
            if key not in site.seen:
                yield from self.crawl_or_skip(site, key, target, depth + 1, response.url, check_skipped=True)
        self.store.add_links(site.council.code, response.url, found)

    def crawl_or_skip(self, site: SiteState, key: str, url: str, depth: int, referrer: str, check_skipped: bool,
                      releasing: bool = False):
        """Request an in-scope URL not seen before, or record why not. A trap family's URL is
        held until the crawl goes idle (see release_held_traps), which passes ``releasing``."""
        family = trap_family(url)
        skip = self.why_not_crawl(site, url, depth, family)
        if skip is None and family is not None and not releasing:
            held = site.trap_held.get(key)
            if held is None or (depth, referrer) < held[:2]:
                site.trap_held[key] = (depth, referrer, url)
            return
        if skip:
            site.seen.add(key)
            self.record_skip(site, url, skip, depth, referrer)
            # A page left out by the depth limit or the page budget still gets a status check;
            # a trap's variants do not (thousands of search combinations, one request each).
            if check_skipped and skip != "trap" and family is None:
                yield from self.check_link(site, url)
            return
        if family is not None:
            site.trap_spent[family] += 1
        kind = "document" if is_document_url(url) else "page"
        yield self.fetch_request(site, url, kind, depth, referrer)

    def why_not_crawl(self, site: SiteState, url: str, depth: int, family: str | None) -> str | None:
        if looks_endless(url):
            return "trap"
        if depth > self.options.max_depth:
            site.partial_reasons.add("depth limit")
            return "depth"
        if site.scheduled >= self.options.max_pages:
            site.partial_reasons.add(f"page budget of {self.options.max_pages} reached")
            return "max_pages"
        if family is not None and site.trap_spent[family] >= TRAP_BUDGET:
            site.partial_reasons.add("crawler trap cut short")
            return "trap"
        return None

    def release_held_traps(self):
        """When the crawl goes idle, request the trap-family URLs held since it last did.

        A family's budget admits its URLs in (depth, URL) order, one wave at a time, so which
        50 calendar months or search facets get crawled depends on the site alone, never on
        which response happened to arrive first: a re-crawl, or a crawl split across
        ``--workers``, gathers the same evidence. Everything else on the site is crawled
        before the first wave, which also keeps a trap from crowding out real pages.
        """
        requests = []
        for site in self.sites.values():
            held, site.trap_held = site.trap_held, {}
            for key, (depth, referrer, url) in sorted(held.items(), key=lambda item: (item[1][0], item[0])):
                requests.extend(self.crawl_or_skip(site, key, url, depth, referrer, check_skipped=True,
                                                   releasing=True))
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def check_link(self, site: SiteState, url: str):
        key = check_key(url)
        if key in self.link_checks_seen:
            return
        self.link_checks_seen.add(key)
        if self.ownership is not None and not self.ownership.owns(url):
            self.store.add("deferred_link_checks", {"url": key, "target": url, "council_code": site.council.code})
            self.hand_over(site.council.code, url)
            return
        try:
            yield self.link_check_request(site, url)
        except ValueError as exc:  # scrapy refuses the URL outright
            self.store.add("link_checks", {
                "url": key, "outcome": "broken", "status": None, "reason": "malformed",
                "final_url": None, "redirect_chain": "[]", "method": None, "checked_at": utcnow(),
                "elapsed_ms": 0,
            })
            self.logger.debug("malformed link %s: %s", url, exc)

    def hand_over(self, council_code: str, url: str) -> None:
        """Pass a target on a host this worker does not own to the link checker. If the link
        checker has gone, its deferred_link_checks row is enough: the parent checks it."""
        if self.outbox is not None:
            try:
                self.outbox.send((council_code, url))
            except OSError:
                self.outbox = None

    def parse_link_check(self, response):
        request = response.request
        if request.method == "HEAD" and response.status in HEAD_FALLBACK_STATUSES:
            site = self.sites[request.meta["council"]]
            yield self.link_check_request(site, _first_url(request), method="GET")
            return
        self.record_check_from_fetch(request, response)

    def link_check_failed(self, failure):
        request = failure.request
        error, detail = self.failure_code(request, failure.value)
        if request.method == "HEAD" and error in ("reset", "error"):
            site = self.sites[request.meta["council"]]
            yield self.link_check_request(site, _first_url(request), method="GET")
            return
        self.logger.info("link check %s failed: %s", request.url, detail)
        self.record_check_failure(request, error)

    def fetch_failed(self, failure):
        request = failure.request
        site = self.sites[request.meta["council"]]
        error, detail = self.record_failure(request, failure.value, request.meta["started"])
        self.record_check_failure(request, error)
        if request.meta["depth"] == 0 and request.meta.get("referrer") is None and request.meta["kind"] == "page":
            status = "robots_disallowed" if error == "robots" and "unreachable" not in detail else "unreachable"
            site.seed_outcome = (status, detail if detail.startswith(error) else f"{error}: {detail}")

    # -- sitemaps -----------------------------------------------------------
    def sitemap_requests(self, site: SiteState, seed_url: str):
        site.sitemaps_requested = True
        parts = urlsplit(seed_url)
        root = f"{parts.scheme}://{parts.netloc}"
        gate = getattr(self.crawler, "robots_gate", None)
        rules = gate.rules.get(root) if gate is not None else None
        urls = (rules.sitemaps if rules is not None else []) or [f"{root}/sitemap.xml"]
        for url in urls:
            yield from self.sitemap_request(site, url)

    def sitemap_request(self, site: SiteState, url: str):
        if site.sitemaps >= MAX_SITEMAPS_PER_SITE or canonical_url(url) in site.seen:
            return
        site.sitemaps += 1
        site.seen.add(canonical_url(url))
        yield scrapy.Request(
            url, callback=self.parse_sitemap, errback=self.sitemap_failed, dont_filter=True, priority=50,
            meta={
                "council": site.council.code, "kind": "sitemap", "depth": 0, "referrer": None,
                "allow_private": site.allow_private, "download_maxsize": SITEMAP_MAX_BYTES,
                "handle_httpstatus_list": ERROR_STATUSES, "started": time.monotonic(), "max_retry_times": 1,
            },
        )

    def parse_sitemap(self, response):
        request = response.request
        site = self.sites[request.meta["council"]]
        self.record_response(request, response, request.meta["started"], kind="sitemap", keep_body=True)
        if response.status != 200:
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            return  # gzip sitemaps are left alone: the decompressor already ran for Content-Encoding
        is_index = b"<sitemapindex" in body[:2000].lower()
        for loc, lastmod in _LOC.findall(body):
            url = loc.decode("utf-8", errors="replace").strip()
            if is_index:
                yield from self.sitemap_request(site, url)
                continue
            if not in_scope(url, site.scope):
                continue
            self.store.add("sitemap_entries", {
                "council_code": site.council.code, "url": canonical_url(url),
                "lastmod": lastmod.decode("utf-8", errors="replace").strip() or None,
                "sitemap_url": response.url,
            })
            key = canonical_url(url)
            if key not in site.seen:
                yield from self.crawl_or_skip(site, key, url, 1, response.url, check_skipped=False)

    def sitemap_failed(self, failure):
        self.record_failure(failure.request, failure.value, failure.request.meta["started"])

    # -- recording ----------------------------------------------------------
    def record_response(self, request, response, started: float, kind: str | None = None,
                        keep_body: bool = True) -> None:
        code = request.meta["council"]
        headers = _headers(response)
        warc_file = warc_offset = None
        if keep_body and response.body:
            warc_file, warc_offset = self.store.write_warc(
                code, response.url, response.status, "", _header_list(response), response.body)
        self.store.add("fetches", {
            "council_code": code,
            "url": check_key(_first_url(request)),
            "final_url": response.url,
            "kind": kind or request.meta.get("kind"),
            "status": response.status,
            "error": None,
            "error_detail": None,
            "content_type": headers.get("content-type"),
            "content_length": len(response.body),
            # "dataloss": the connection ended before Content-Length/the last chunk (a short body).
            "truncated": int(bool({"download_maxsize", "partial", "dataloss"} & set(response.flags))),
            "last_modified": headers.get("last-modified"),
            "headers": kept_headers(headers),
            "redirect_chain": json.dumps(request.meta.get("redirect_urls", [])),
            "depth": request.meta.get("depth"),
            "referrer": request.meta.get("referrer"),
            "fetched_at": utcnow(),
            "elapsed_ms": _elapsed(request, started),
            "warc_file": warc_file,
            "warc_offset": warc_offset,
        })

    def record_failure(self, request, exc: BaseException, started: float) -> tuple[str, str]:
        """Record a failed fetch; return its (error code, detail)."""
        error, detail = self.failure_code(request, exc)
        self.store.add("fetches", {
            "council_code": request.meta["council"],
            "url": check_key(_first_url(request)),
            "final_url": request.url,
            "kind": request.meta.get("kind"),
            "status": None,
            "error": error,
            "error_detail": detail[:500],
            "redirect_chain": json.dumps(_chain(request)),
            "depth": request.meta.get("depth"),
            "referrer": request.meta.get("referrer"),
            "fetched_at": utcnow(),
            "elapsed_ms": _elapsed(request, started),
        })
        return error, detail

    def record_skip(self, site: SiteState, url: str, why: str, depth: int, referrer: str) -> None:
        """Pages not fetched on purpose (traps, budget, depth) are evidence too."""
        self.store.add("fetches", {
            "council_code": site.council.code, "url": canonical_url(url), "final_url": None, "kind": "page",
            "status": None, "error": f"skipped_{why}", "error_detail": f"not fetched: {why.replace('_', ' ')}",
            "redirect_chain": "[]", "depth": depth, "referrer": referrer, "fetched_at": utcnow(),
        })

    def record_check_from_fetch(self, request, response) -> None:
        outcome, reason = classify(response.status, None, _headers(response), _body_start(response))
        self.store.add("link_checks", {
            "url": check_key(_first_url(request)), "outcome": outcome, "status": response.status, "reason": reason,
            "final_url": response.url, "redirect_chain": json.dumps(request.meta.get("redirect_urls", [])),
            "method": request.method, "checked_at": utcnow(),
            "elapsed_ms": _elapsed(request, request.meta.get("started")),
        })
        self.link_checks_seen.add(check_key(_first_url(request)))

    def record_check_failure(self, request, error: str) -> None:
        """The link_checks row of a target whose fetch failed (no HTTP answer)."""
        outcome, reason = classify(None, error)
        self.store.add("link_checks", {
            "url": check_key(_first_url(request)), "outcome": outcome, "status": None, "reason": reason,
            "final_url": request.url, "redirect_chain": json.dumps(_chain(request)),
            "method": request.method, "checked_at": utcnow(),
            "elapsed_ms": _elapsed(request, request.meta.get("started")),
        })

    def failure_code(self, request, exc: BaseException) -> tuple[str, str]:
        """describe_failure, telling a redirect loop from a merely long redirect chain."""
        error, detail = self.describe_failure(exc)
        maxsize = request.meta.get("download_maxsize", DOCUMENT_MAX_BYTES)
        if (isinstance(exc, (DownloadCancelledError, CancelledError)) and error != "too_large"
                and request.meta.get("_received", 0) > maxsize):
            # Scrapy cancels a body that outgrows the cap mid-stream without saying why.
            error, detail = "too_large", f"body exceeded the size cap of {maxsize} bytes"
        if error == "redirect_limit":
            chain = _chain(request)
            error = "loop" if len(set(chain)) < len(chain) else "too_many_redirects"
        return error, detail

    @staticmethod
    def describe_failure(exc: BaseException) -> tuple[str, str]:
        """(error code, one-line detail) for a failed fetch: the vocabulary of SPEC's broken links."""
        text = str(exc) or exc.__class__.__name__
        low = text.lower()
        if isinstance(exc, IgnoreRequest):
            for prefix in ("private_address", "robots", "malformed"):
                if text.startswith(prefix):
                    return prefix, text
            if "max redirections" in text:
                return "redirect_limit", text
            return ("too_large" if "size" in low else "ignored"), text
        if isinstance(exc, (CannotResolveHostError, txerror.DNSLookupError)):
            host = _host_in(text)
            if host in GuardedResolver.refused:
                return "private_address", f"{host} {PRIVATE_MARKER}"
            return "dns", text
        if isinstance(exc, (DownloadConnectionRefusedError, txerror.ConnectionRefusedError)):
            return "refused", text
        if isinstance(exc, (DownloadTimeoutError, txerror.TimeoutError, txerror.TCPTimedOutError,
                            DeferTimeoutError)):
            return "timeout", text
        if isinstance(exc, (DownloadCancelledError, CancelledError)):
            return ("too_large" if "size" in low else "timeout"), text
        if isinstance(exc, UnsupportedURLSchemeError) or (isinstance(exc, ValueError) and "uri" in low):
            return "malformed", text
        if isinstance(exc, (ResponseFailed, ResponseNeverReceived)):
            text = " ".join(str(getattr(r, "value", r)) for r in getattr(exc, "reasons", [])) or text
            low = text.lower()
        if "ssl" in low or "certificate" in low or "tls" in low or "handshake" in low:
            return "tls", text[:300]
        if isinstance(exc, (DownloadFailedError, ResponseDataLossError, ResponseFailed, ResponseNeverReceived,
                            txerror.ConnectionLost, txerror.ConnectionDone, ConnectionError)):
            return "reset", text[:300]
        if isinstance(exc, ValueError):
            return "malformed", text
        return "error", f"{exc.__class__.__name__}: {text}"

    # -- end ----------------------------------------------------------------
    def closed(self, reason):
        self.store.flush()
        self.store.finished = reason == "finished"
        if self.deferred is not None or self.inbox is not None:
            return  # the crawl workers recorded how each site's crawl went
        now = utcnow()
        for code, site in self.sites.items():
            status, why = site.seed_outcome or ("unreachable", "the crawl ended before the Local Offer URL answered")
            if status == "ok" and site.partial_reasons:
                status, why = "partial", "; ".join(sorted(site.partial_reasons))
            self.store.site_row({
                "council_code": code, "seed_url": site.council.local_offer_url, "scope": " ".join(site.scope),
                "status": status, "reason": why or None, "pages_fetched": site.pages_ok,
                "robots_status": self._robots_status(site), "finished_at": now,
            })

    def _robots_status(self, site: SiteState) -> str | None:
        gate = getattr(self.crawler, "robots_gate", None)
        if gate is None:
            return "ignored (--ignore-robots)" if self.options.ignore_robots else None
        parts = urlsplit(site.final_seed_url or site.council.local_offer_url)
        rules = gate.rules.get(f"{parts.scheme}://{parts.netloc}")
        return rules.status if rules is not None else None


def _headers(response) -> dict[str, str]:
    return {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


def _header_list(response) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]


def _body_start(response) -> str:
    return response.body[:LINK_CHECK_BODY_BYTES].decode("utf-8", errors="replace")


def _first_url(request) -> str:
    chain = request.meta.get("redirect_urls")
    return chain[0] if chain else request.url


def _chain(request) -> list[str]:
    return [*request.meta.get("redirect_urls", []), request.url]


def _elapsed(request, started: float | None) -> int | None:
    """Milliseconds the server took to answer: Scrapy's download latency (from sending the
    request to the response headers). Without one (a failure) the time since ``started``,
    which also counts time spent waiting in the queue."""
    latency = request.meta.get("download_latency")
    if latency is not None:
        return int(latency * 1000)
    return int((time.monotonic() - started) * 1000) if started is not None else None


def _host_in(message: str) -> str:
    """The host name a resolver error message is about ('...lookup: example.org.')."""
    match = re.search(r"([A-Za-z0-9.-]+\.[A-Za-z0-9-]+)\.?\s*$", message)
    return match.group(1).lower().rstrip(".") if match else ""


