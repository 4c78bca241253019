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

from audit.core.linkstatus import block_evidence, classify
from audit.core.page import Page
from audit.core.registry import Council
from audit.core.scope import default_scope, in_scope
from audit.core.urls import canonical_url, check_key, host_of, is_document_url, is_web_url, private_allowance

from . import discovery
from .appshell import shell_cue
from .directory import DirectoryCrawl
from .discovery import Candidate
from .guard import CRAWLER_ERROR, CallbackGuard, mark_recorded, with_faults
from .progress import settles
from .stylesheets import css_imports, page_stylesheets
from .warc import new_record_id
from .resolver import PRIVATE_MARKER, GuardedResolver
from .resume import FOUND_BY_DISCOVERY, REPLAYED, ReplayedFailure
from .settings import (
    DOCUMENT_MAX_BYTES, DOCUMENT_TYPES, HTML_MAX_BYTES, MAX_IMPORT_DEPTH, MAX_SITEMAPS_PER_SITE,
    MAX_STYLESHEETS_PER_SITE, SITEMAP_MAX_BYTES, STYLESHEET_MAX_BYTES, CrawlOptions,
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
DISCOVERY_SITEMAPS = 4  # sitemaps (an index and its first children) read when looking for a Local Offer
DISCOVERY_SITEMAP_BYTES = 10 * 1024 * 1024
_LOC = re.compile(rb"<loc>\s*(.*?)\s*</loc>(?:\s*<lastmod>\s*(.*?)\s*</lastmod>)?", re.S | re.I)


@dataclass
class SiteState:
    council: Council
    scope: tuple[str, ...]
    explicit_scope: bool
    allow_private: tuple[str, ...]  # see audit.core.urls.private_allowance
    scheduled: int = 0  # pages + documents requested
    seen: set[str] = field(default_factory=set)
    # Link targets (as on the page) whose crawl, skip or check is settled -> their in_scope
    # flag (LocalOfferSpider.follow_link). The scope is final before the first page's links
    # are followed: the seed's answer or discovery sets it.
    followed: dict[str, int] = field(default_factory=dict)
    trap_spent: Counter = field(default_factory=Counter)
    # Trap-family URLs found since the crawl last went idle: canonical URL -> (depth, referrer, url).
    trap_held: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    sitemaps: int = 0
    sitemaps_requested: bool = False
    # Canonical URLs in ``seen`` with no check of their own: sitemaps (read as sitemaps, never
    # crawled as pages) and pages a sitemap listed that the page budget left out. A page's link to
    # one (a footer's "Sitemap") is given a status check like any other target (follow_link).
    unchecked_seen: set[str] = field(default_factory=set)
    seed_outcome: tuple[str, str] | None = None  # (status, reason)
    final_seed_url: str | None = None
    pages_ok: int = 0
    partial_reasons: set[str] = field(default_factory=set)
    faults: int = 0  # responses lo-audit failed to process (crawler.guard): the crawl is partial
    seed_url: str = ""  # the URL crawled as the Local Offer's home: the registry's, or the one discovery chose
    seed_source: str | None = None  # registry | discovered | moved
    discovered: bool = False  # discovery has run (it runs once per council per crawl)
    block_evidence: dict | None = None  # the refusal that made the site "blocked"
    pages_rendered: int = 0
    search_asked: bool = False  # the site's search form was found and its queries requested (crawler.directory)
    feeds: set[str] = field(default_factory=set)  # open data feeds requested (canonical URLs)
    stylesheets: int = 0  # stylesheets requested for this site (MAX_STYLESHEETS_PER_SITE)
    # Requests and tasks (discovery, rendering) of this site not yet settled: at 0, with no
    # trap URLs held, the site's crawl is over and its crawl_sites row is written then.
    pending: int = 0
    finished_at: str | None = None


class LocalOfferSpider(CallbackGuard, DirectoryCrawl, scrapy.Spider):
    name = "localoffer"

    def __init__(self, councils: list[Council], store, options: CrawlOptions, ownership=None, outbox=None,
                 inbox=None, deferred=None, checked: frozenset[str] = frozenset(), **kwargs):
        super().__init__(**kwargs)
        self.store = store
        self.options = options
        # One of several crawl processes (see crawler.workers): the hosts this one may contact
        # (crawler.workers.HostOwnership), and its pipe to the link checker for the others.
        self.ownership = ownership
        self.outbox = outbox
        self.inbox = inbox  # crawler.workers.LinkCheckInbox: this process is the link checker
        self.deferred = deferred  # (council code, target) pairs: a link-check-only pass after the workers
        # Discovery needs hosts no crawl worker owns (the council's main site): a worker leaves
        # it to the single-process pass after the workers (crawler.run), marking the site.
        self.discover_inline = ownership is None and inbox is None and deferred is None
        self.sites: dict[str, SiteState] = {}
        for council in councils:
            url = council.local_offer_url
            self.sites[council.code] = SiteState(
                council, council.scope, bool(url) and council.scope != default_scope(url),
                private_allowance(url or council.council_url), seed_url=url,
                seed_source="registry" if url else None,
            )
        self.link_checks_seen: set[str] = set(checked)  # check_key()s; ``checked``: by this crawl's earlier processes
        self.stylesheets_seen: set[str] = set()  # canonical URLs: each stylesheet once per crawl
        self.discovering = 0  # discoveries and renderings under way: the spider stays open for them
        self.renderer = None  # crawler.render.Renderer, made at the first application shell

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.stop_link_check_body, signal=signals.bytes_received)
        crawler.signals.connect(spider.release_held_traps, signal=signals.spider_idle)
        crawler.signals.connect(spider.wait_for_discoveries, signal=signals.spider_idle)
        crawler.signals.connect(spider.close_renderer, signal=signals.spider_closed)
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
            if self.options.discover_only:
                self.start_discovery(site, "")
            elif site.seed_url:
                yield self.fetch_request(site, site.seed_url, "page", depth=0, referrer=None)
            else:
                self.start_discovery(site, "no Local Offer URL is known for this council")

    def fetch_request(self, site: SiteState, url: str, kind: str, depth: int, referrer: str | None):
        site.seen.add(canonical_url(url))
        site.scheduled += 1
        return self.track(site, scrapy.Request(
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
        ))

    def link_check_request(self, site: SiteState, url: str, method: str = "HEAD"):
        return self.track(site, scrapy.Request(
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
        ))

    @staticmethod
    def track(site: SiteState, request: scrapy.Request) -> scrapy.Request:
        """Count a request of ``site`` until its callback or errback has run (``settles``).
        Every request the spider makes is built through here; each callback is ``@settles``."""
        site.pending += 1
        return request

    def settle(self, site: SiteState) -> None:
        """A request or task of ``site`` is done (its own requests already counted)."""
        site.pending -= 1
        if site.pending < 0:  # a request built without ``track`` or a callback without ``@settles``
            self.logger.error("%s: more requests settled than made; its progress line may come early",
                              site.council.code)
        self.finish_if_done(site)

    def finish_if_done(self, site: SiteState) -> None:
        """Write the site's crawl_sites row as soon as nothing of it is left, not at the end
        of the whole crawl: ``lo-audit crawl`` shows each council as it finishes
        (crawler.progress reads these rows). ``closed`` writes every row again at the end
        (the same values, the finishing time kept), so nothing depends on this being early."""
        if site.pending or site.trap_held or site.finished_at or site.seed_outcome is None:
            return
        if self.deferred is not None or self.inbox is not None:
            return  # the link checker's and the deferred pass's sites are the crawl workers' to record
        site.finished_at = utcnow()
        self.store.flush()  # the site's pages first, then the row saying it is done
        self.record_site(site)

    def stop_link_check_body(self, data, request, spider):
        """A link check needs the status and the start of the body, never a whole download."""
        got = request.meta.get("_received", 0) + len(data)
        request.meta["_received"] = got  # also tells a size-cap cancel from a timeout (failure_code)
        if request.meta.get("kind") == "link" and got >= LINK_CHECK_BODY_BYTES:
            raise StopDownload(fail=False)

    # -- callbacks ----------------------------------------------------------
    @settles
    def parse_fetch(self, response):
        request = response.request
        site = self.sites[request.meta["council"]]
        kind = request.meta["kind"]
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if kind == "page" and any(t in content_type for t in DOCUMENT_TYPES):
            kind = "document"
        is_html = any(t in content_type for t in HTML_TYPES) or (not content_type and kind == "page")
        final_in_scope = in_scope(response.url, site.scope)
        if kind == "page" and self.is_seed(request):
            verdict, why = self.seed_verdict(site, response)
            if verdict in ("dead", "off_site") and not site.discovered:
                # Not the Local Offer any more: kept as discovery evidence, then looked for afresh.
                self.record_response(request, response, request.meta["started"], kind="discovery", keep_body=is_html)
                self.record_check_from_fetch(request, response)
                if self.discover_inline:
                    self.start_discovery(site, why, redirect_to=response.url if verdict == "off_site" else None)
                else:
                    site.seed_outcome = ("needs_discovery", why)
                return
            if verdict == "ok" and not final_in_scope and not site.explicit_scope:
                # The Local Offer moved (a redirect to a new host or folder): follow it there.
                site.scope = default_scope(response.url)
                final_in_scope = True
            site.final_seed_url = response.url
            if verdict == "dead":  # the Local Offer discovery chose is dead too
                verdict = "no_local_offer_found"
            site.seed_outcome = (verdict, why)
            if verdict == "ok" and not site.sitemaps_requested:
                yield from self.sitemap_requests(site, response.url)
        keep_body = final_in_scope and (kind == "document" or is_html)
        page = None
        if kind == "page" and response.status == 200 and final_in_scope and is_html:
            page = Page(response.url, _text(response))
            cue = shell_cue(page)
            if cue is not None and REPLAYED in response.flags:  # rendered before the crawl was resumed
                dom = request.meta.get("replayed_dom")
                if dom is not None:
                    page = Page(response.url, dom.decode(response.encoding or "utf-8", errors="replace"))
                    site.pages_rendered += 1
            elif cue is not None:  # built by script: rendered first, then recorded and followed
                self.record_check_from_fetch(request, response)
                self.start_task(site, self.render_page(site, request, response, page, cue), response)
                return
        self.record_response(request, response, request.meta["started"], kind=kind, keep_body=keep_body)
        self.record_check_from_fetch(request, response)
        if page is not None:
            site.pages_ok += 1
            yield from self.follow_links(site, page, request.meta["depth"])

    async def render_page(self, site: SiteState, request, response, raw: Page, cue: str) -> None:
        """Render an application shell (crawler.render), archive the rendered DOM beside
        the raw response, record the page with the rendered DOM as the record the audit
        reads, and follow the links it has once rendered."""
        from .render import RENDER_SECONDS, Renderer

        if self.renderer is None:
            self.renderer = Renderer(self.crawler, self.crawler.settings["USER_AGENT"],
                                     min(RENDER_SECONDS, 2 * self.options.timeout))
        rendering = await self.renderer.render(response, {"council": site.council.code,
                                                          "allow_private": site.allow_private})
        record_id = new_record_id()
        warc_file, raw_offset = self.store.write_warc(site.council.code, response.url, response.status, "",
                                                      _header_list(response), response.body, record_id=record_id)
        offset, page = raw_offset, raw
        if rendering.dom is not None:
            encoding = getattr(response, "encoding", None) or "utf-8"
            _, offset = self.store.write_rendering(site.council.code, response.url, record_id,
                                                   rendering.dom.encode(encoding, errors="xmlcharrefreplace"))
            page = Page(response.url, rendering.dom)
            site.pages_rendered += 1
        self.record_response(request, response, request.meta["started"], kind="page", warc=(warc_file, offset),
                             extra={"raw_warc_offset": raw_offset if offset != raw_offset else None,
                                    "render_status": rendering.status,
                                    "render_detail": f"{cue}; {rendering.detail}"[:1000]})
        site.pages_ok += 1
        for follow in self.follow_links(site, page, request.meta["depth"]):
            self.crawler.engine.crawl(follow)

    async def close_renderer(self, spider, reason):
        if self.renderer is not None:
            await self.renderer.close()

    def seed_verdict(self, site: SiteState, response) -> tuple[str, str]:
        """What the Local Offer URL's answer says: ``ok``; ``blocked`` (a bot wall or a
        refusal, evidence kept on the site); ``dead`` (404/410, or a proxy saying the name
        does not resolve: the Local Offer may have moved); ``off_site`` (it redirected off
        the council's sites); ``unreachable`` (5xx and other errors, after retries)."""
        headers = _headers(response)
        evidence = block_evidence(response.url, response.status, headers, _body_start(response))
        if evidence is not None:
            site.block_evidence = evidence
            return "blocked", f"the Local Offer URL refuses automated visitors ({evidence['marker']})"
        if response.status in (404, 410) or _proxy_dns_error(headers):
            return "dead", f"the Local Offer URL answered {response.status}" + (
                " (its host name does not resolve)" if _proxy_dns_error(headers) else "")
        outcome, reason = classify(response.status, None, headers)
        if outcome != "ok":
            return "unreachable", f"Local Offer URL answered {reason}"
        if not site.discovered and not discovery.on_council_sites(response.url, site.council.council_url,
                                                                  site.seed_url):
            return "off_site", f"the Local Offer URL redirects off the council's sites, to {response.url}"
        return "ok", ""

    def follow_links(self, site: SiteState, page: Page, depth: int):
        """Record the page's links and request what they lead to. A target already settled on
        this site (``site.followed``) needs only its row: a site's menus repeat the same ~200
        links on every page, and working each out again cost ~10% of a crawl's CPU."""
        found = []
        followed = site.followed
        for link in page.links:
            target = link.url
            scope_ok = followed.get(target)
            if scope_ok is None:
                web = is_web_url(target)
                scope_ok = int(web and in_scope(target, site.scope))  # never for tel: and the like
                yield from self.follow_link(site, target, web, scope_ok, depth + 1, page.url)
            found.append((target, link.tag, link.text[:300], scope_ok))
        self.store.add_links(site.council.code, page.url, found)
        yield from self.directory_extras(site, page, depth)
        for url in page_stylesheets(page):
            yield from self.stylesheet_request(site, url, page.url, depth, ())

    def follow_link(self, site: SiteState, target: str, web: bool, scope_ok: int, depth: int, referrer: str):
        """Crawl, skip or check a link target not yet settled on ``site``; remember it in
        ``site.followed`` once nothing a later link to it could do remains: it is crawled or
        skipped (its key is in ``site.seen``) or its check is made or handed over (the check
        is once per crawl). Not remembered: a trap family's URL held for the idle wave (a later
        link may still lower its depth or referrer), and the schemes never checked (mailto:,
        tel: ...; tables of providers give each row its own, and skipping them costs nothing).
        ``web``: an http(s) target."""
        if not web:
            if target.lower().startswith(("mailto:", "tel:", "javascript:", "data:", "sms:", "callto:")):
                return
            yield from self.check_link(site, target)  # malformed or odd schemes are checked (and fail)
        elif not scope_ok:
            yield from self.check_link(site, target)
        else:
            key = canonical_url(target)
            if key not in site.seen:
                yield from self.crawl_or_skip(site, key, target, depth, referrer, check_skipped=True)
            elif key in site.unchecked_seen:
                yield from self.check_link(site, target)
            if key not in site.seen:
                return  # held: a trap family's URL
        site.followed[target] = scope_ok

    # -- stylesheets ----------------------------------------------------------
    def stylesheet_request(self, site: SiteState, url: str, referrer: str, depth: int, chain: tuple[str, ...]):
        """Request a stylesheet an in-scope page or stylesheet uses (crawler.stylesheets) when it
        is in scope or on the site (the referrer's host, or the council's or Local Offer's
        hosts and their subdomains), once per crawl, through the same downloader as pages
        (robots.txt, the per-host delay, the address guard), within the size, count and
        ``@import`` depth bounds. ``chain``: the stylesheets whose imports led here."""
        key = canonical_url(url)
        if key in chain:  # an @import loop: the importing stylesheet's row says so
            return
        if key in self.stylesheets_seen:
            return
        if not (in_scope(url, site.scope) or host_of(url) == host_of(referrer)
                or discovery.on_council_sites(url, site.council.council_url, site.seed_url)):
            return  # another site's stylesheet (a font service, a CDN): not ours to fetch
        self.stylesheets_seen.add(key)
        why = None
        if site.stylesheets >= MAX_STYLESHEETS_PER_SITE:
            why = "stylesheet_budget"
        elif len(chain) >= MAX_IMPORT_DEPTH:
            why = "import_depth"
        elif self.ownership is not None and not self.ownership.owns(url):
            why = "other_process"  # a host another crawl process may be crawling (crawler.workers)
        if why:
            self.record_skip(site, url, why, depth, referrer, kind="stylesheet")
            return
        site.stylesheets += 1
        yield self.track(site, scrapy.Request(
            url, callback=self.parse_stylesheet, errback=self.stylesheet_failed, dont_filter=True, priority=-depth,
            meta={
                "council": site.council.code, "kind": "stylesheet", "depth": depth, "referrer": referrer,
                "allow_private": site.allow_private, "download_maxsize": STYLESHEET_MAX_BYTES,
                "handle_httpstatus_list": ERROR_STATUSES, "started": time.monotonic(), "max_retry_times": 1,
                "import_chain": (*chain, key),
            },
        ))

    @settles
    def parse_stylesheet(self, response):
        """Archive a stylesheet (its body when it answered 200) and request what it imports;
        an import looping back to a stylesheet of its own chain is noted on its row."""
        request = response.request
        site = self.sites[request.meta["council"]]
        chain = request.meta["import_chain"]
        imports = css_imports(_text(response), response.url) if response.status == 200 else []
        loops = [url for url in imports if canonical_url(url) in chain]
        extra = {"error_detail": f"@import loop: imports {loops[0]}, which imports it; not fetched again"[:500]} \
            if loops else None
        self.record_response(request, response, request.meta["started"], kind="stylesheet",
                             keep_body=response.status == 200, extra=extra)
        for url in imports:
            yield from self.stylesheet_request(site, url, response.url, request.meta["depth"], chain)

    @settles
    def stylesheet_failed(self, failure):
        self.record_failure(failure.request, failure.value, failure.request.meta["started"])

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
            # A page left out by the depth limit or the page budget still gets a status check
            # (when a sitemap listed it, once a page links to it); a trap's variants do not
            # (thousands of search combinations, one request each).
            if skip != "trap" and family is None:
                if check_skipped:
                    yield from self.check_link(site, url)
                else:
                    site.unchecked_seen.add(key)
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
        for site in self.sites.values():
            self.finish_if_done(site)  # its held URLs were all skipped
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

    @settles
    def parse_link_check(self, response):
        request = response.request
        if request.method == "HEAD" and response.status in HEAD_FALLBACK_STATUSES:
            site = self.sites[request.meta["council"]]
            yield self.link_check_request(site, _first_url(request), method="GET")
            return
        self.record_check_from_fetch(request, response)

    @settles
    def link_check_failed(self, failure):
        request = failure.request
        error, detail = self.failure_code(request, failure.value)
        if request.method == "HEAD" and error in ("reset", "error"):
            site = self.sites[request.meta["council"]]
            yield self.link_check_request(site, _first_url(request), method="GET")
            return
        self.logger.info("link check %s failed: %s", request.url, detail)
        self.record_check_failure(request, error)

    @settles
    def fetch_failed(self, failure):
        request = failure.request
        site = self.sites[request.meta["council"]]
        error, detail = self.record_failure(request, failure.value, request.meta["started"])
        self.record_check_failure(request, error)
        if self.is_seed(request):
            line = detail if detail.startswith(error) else f"{error}: {detail}"
            rules = self.robots_rules(request.url)
            if rules is not None and rules.blocked is not None:
                site.block_evidence = rules.blocked
                site.seed_outcome = ("blocked", f"robots.txt refuses automated visitors ({rules.blocked['marker']})")
            elif (error == "dns" or (error == "robots" and "dns" in detail)) and not site.discovered:
                why = f"the Local Offer URL's host does not resolve ({line})"
                if self.discover_inline:
                    self.start_discovery(site, why, unreachable=True)
                else:
                    site.seed_outcome = ("needs_discovery", why)
            elif error == "robots" and "unreachable" not in detail:
                site.seed_outcome = ("robots_disallowed", line)
            else:
                site.seed_outcome = ("unreachable", line)

    @staticmethod
    def is_seed(request) -> bool:
        """Whether ``request`` fetches the Local Offer's home (the registry's URL, or discovery's)."""
        return request.meta["kind"] == "page" and request.meta["depth"] == 0 and request.meta.get("referrer") is None

    # -- discovery ------------------------------------------------------------
    def start_discovery(self, site: SiteState, why: str, redirect_to: str | None = None,
                        unreachable: bool = False) -> None:
        """Look for the site's Local Offer (``discover``) alongside the crawl; when found, it
        is crawled as the seed. ``why``: what was wrong with the registry's URL;
        ``unreachable``: its host did not resolve, which is what the council is recorded as
        (SPEC: DNS failure is ``unreachable``) if discovery finds nothing either."""
        site.discovered = True
        self.start_task(site, self.discover(site, why, redirect_to, unreachable))

    def start_task(self, site: SiteState, coroutine, response=None) -> None:
        """Run a discovery or a rendering of ``site`` alongside the crawl; the spider stays
        open until it ends (``wait_for_discoveries``), and so does the site. ``response``:
        the one a rendering handles, whose fault is recorded as a callback's (crawler.guard)."""
        from scrapy.utils.defer import deferred_from_coro

        self.discovering += 1
        site.pending += 1
        d = deferred_from_coro(self._task(site, coroutine, response))
        d.addErrback(lambda failure: self.logger.error("%s", failure.getTraceback()))

    async def _task(self, site: SiteState, coroutine, response) -> None:
        try:
            await coroutine
        except Exception as exc:
            if response is None:
                raise  # discovery records its own faults (discover)
            self.callback_failed(response, exc)
        finally:
            self.discovering -= 1
            self.settle(site)

    def wait_for_discoveries(self):
        if self.discovering:
            raise DontCloseSpider

    async def discover(self, site: SiteState, why: str, redirect_to: str | None, unreachable: bool) -> None:
        try:
            chosen, reason = await self.look_for_local_offer(site, redirect_to)
        except Exception as exc:  # a fault here must cost one council its discovery, never the crawl
            self.logger.exception("discovery of %s", site.council.code)
            chosen, reason = None, f"discovery failed: {exc.__class__.__name__}: {exc}"
        prefix = f"{why}; " if why else ""
        if chosen is None:
            status = "unreachable" if unreachable else "no_local_offer_found"
            site.seed_outcome = (status, f"{prefix}discovery found none: {reason}")
            return
        site.seed_url = chosen.final_url or chosen.url
        site.seed_source = "moved" if site.council.local_offer_url else "discovered"
        site.scope, site.explicit_scope = default_scope(site.seed_url), False
        site.seed_outcome = ("found", f"{prefix}found by discovery: {reason}")
        if not self.options.discover_only:
            request = self.fetch_request(site, site.seed_url, "page", depth=0, referrer=None)
            request.meta[FOUND_BY_DISCOVERY] = True  # crawler.resume: discovery's row does not answer it
            self.crawler.engine.crawl(request)

    async def look_for_local_offer(self, site: SiteState, redirect_to: str | None) -> tuple[Candidate | None, str]:
        """Discovery's fetching (its judgement is crawler.discovery's): the chosen candidate
        or None, and the reason in one line."""
        council = site.council
        candidates: dict[str, Candidate] = {}

        def add(found: list[Candidate]) -> None:
            for candidate in found:
                key = canonical_url(candidate.url)
                if key in candidates:
                    candidates[key].merge(candidate)
                else:
                    candidates[key] = candidate

        def best() -> int:
            return max((c.score for c in candidates.values() if not c.dead), default=-1000)

        if redirect_to:
            add([Candidate(redirect_to, f"redirect of {council.local_offer_url}",
                           "the registry's Local Offer URL redirects here", 20)])
        home_failed = ""
        if not council.council_url:
            home = None
        else:
            home = await self.discovery_page(site, council.council_url)
            if isinstance(home, Page):
                add(discovery.link_candidates(home, home.url))
                if best() < discovery.STRONG:
                    for hub in discovery.hub_links(home):
                        hub_page = await self.discovery_page(site, hub)
                        if isinstance(hub_page, Page):
                            add(discovery.link_candidates(hub_page, hub_page.url))
                if best() < discovery.STRONG:
                    add(await self.sitemap_candidates(site, home.url))
            else:
                home_failed, home = f"the council's website: {home}", None
        for _ in range(discovery.CANDIDATES_FETCHED):
            pending = [c for c in candidates.values() if not c.fetched and not c.dead and c.score > 0]
            if not pending:
                break
            candidate = max(pending, key=lambda c: (c.score, c.url))
            candidate.fetched = True
            page = await self.discovery_page(site, candidate.url)
            if not isinstance(page, Page):
                candidate.dead = True
                candidate.evidence += f"; fetched: {page}"
                continue
            delta, evidence = discovery.judge_page(page)
            candidate.score += delta
            candidate.evidence += f"; {evidence}"
            if canonical_url(page.url) != canonical_url(candidate.url):
                candidate.final_url = page.url
                candidate.evidence += f"; redirects to {page.url}"
            if delta < 40:  # not the Local Offer itself: perhaps a SEND page linking to it
                add([c for c in discovery.link_candidates(page, page.url) if c.score >= discovery.STRONG])
        if best() < discovery.CHOSEN_AT and home is not None:
            for url in discovery.common_path_urls(council.council_url):
                page = await self.discovery_page(site, url)
                if isinstance(page, Page) and canonical_url(page.url) != canonical_url(home.url):
                    delta, evidence = discovery.judge_page(page)
                    add([Candidate(page.url, "common path", f"{url} answered; {evidence}", 20 + delta, fetched=True)])
                    if best() >= discovery.CHOSEN_AT:
                        break
        chosen, reason = discovery.choose(list(candidates.values()))
        for candidate in candidates.values():
            self.store.add("discoveries", {
                "council_code": council.code, "candidate_url": candidate.url, "found_on": candidate.found_on,
                "evidence": candidate.evidence[:1000], "score": candidate.score, "chosen": int(candidate is chosen),
            })
        if chosen is None and home_failed:
            reason = home_failed + (f"; {reason}" if candidates else "")
        if chosen is None and not council.council_url:
            reason = "no council website is known to look from" + (f"; {reason}" if candidates else "")
        return chosen, reason

    @staticmethod
    def discovery_request(site: SiteState, url: str, max_bytes: int) -> scrapy.Request:
        """A request made while looking for the Local Offer: one retry, recorded as
        ``kind = 'discovery'`` (never a page of the Local Offer), bounded to ``max_bytes``."""
        return scrapy.Request(url, dont_filter=True, meta={
            "council": site.council.code, "kind": "discovery", "depth": 0, "referrer": None,
            "allow_private": site.allow_private, "download_maxsize": max_bytes,
            "handle_httpstatus_list": ERROR_STATUSES, "started": time.monotonic(), "max_retry_times": 1,
        })

    async def discovery_page(self, site: SiteState, url: str) -> Page | str:
        """GET ``url`` for discovery through the crawler's downloader (robots.txt, the per-host
        delay, the address guard, retries, redirects): its Page when it answered 200 with
        HTML, else one line saying what happened instead."""
        request = self.discovery_request(site, url, HTML_MAX_BYTES)
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # refused, robots, a redirect loop, a private address ...
            error, detail = self.record_failure(request, exc, request.meta["started"])
            return f"{url} failed: {error}" + ("" if detail.startswith(error) else f" ({detail[:150]})")
        headers = _headers(response)
        is_html = any(t in headers.get("content-type", "").lower() for t in HTML_TYPES)
        self.record_response(response.request, response, request.meta["started"], kind="discovery", keep_body=is_html)
        evidence = block_evidence(response.url, response.status, headers, _body_start(response))
        if evidence is not None:
            return f"{url} refuses automated visitors ({evidence['marker']})"
        if response.status != 200 or not is_html:
            return f"{url} answered {response.status}" + ("" if is_html else f" ({headers.get('content-type')})")
        return Page(response.url, _text(response))

    async def sitemap_candidates(self, site: SiteState, home_url: str) -> list[Candidate]:
        """Candidates from the council's sitemap (robots.txt's Sitemap lines, else
        /sitemap.xml), following an index to at most DISCOVERY_SITEMAPS sitemaps."""
        parts = urlsplit(home_url)
        rules = self.robots_rules(home_url)
        queue = (rules.sitemaps if rules is not None else []) or [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]
        found: list[Candidate] = []
        for url in queue[:DISCOVERY_SITEMAPS]:
            request = self.discovery_request(site, url, DISCOVERY_SITEMAP_BYTES)
            try:
                response = await self.crawler.engine.download_async(request)
            except Exception as exc:
                self.record_failure(request, exc, request.meta["started"])
                continue
            self.record_response(response.request, response, request.meta["started"], kind="discovery",
                                 keep_body=False)
            if response.status != 200:
                continue
            locs = [loc.decode("utf-8", errors="replace").strip() for loc, _ in _LOC.findall(response.body)]
            if b"<sitemapindex" in response.body[:2000].lower():
                queue.extend(loc for loc in locs if loc not in queue)
                continue
            found += discovery.sitemap_candidates(locs, response.url)
        return found

    def robots_rules(self, url: str):
        gate = getattr(self.crawler, "robots_gate", None)
        if gate is None:
            return None
        parts = urlsplit(url)
        return gate.rules.get(f"{parts.scheme}://{parts.netloc}")

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
        site.unchecked_seen.add(canonical_url(url))
        yield self.track(site, scrapy.Request(
            url, callback=self.parse_sitemap, errback=self.sitemap_failed, dont_filter=True, priority=50,
            meta={
                "council": site.council.code, "kind": "sitemap", "depth": 0, "referrer": None,
                "allow_private": site.allow_private, "download_maxsize": SITEMAP_MAX_BYTES,
                "handle_httpstatus_list": ERROR_STATUSES, "started": time.monotonic(), "max_retry_times": 1,
            },
        ))

    @settles
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

    @settles
    def sitemap_failed(self, failure):
        self.record_failure(failure.request, failure.value, failure.request.meta["started"])

    # -- recording ----------------------------------------------------------
    def record_response(self, request, response, started: float, kind: str | None = None,
                        keep_body: bool = True, warc: tuple[str, int] | None = None, extra: dict | None = None) -> None:
        """A fetches row for a response, its body archived when ``keep_body``; ``warc``: it
        is archived already, there; ``extra``: more columns (a rendered page's)."""
        if REPLAYED in response.flags:
            mark_recorded(request, "fetches")
            return  # answered from this crawl's own record (crawler.resume): recorded already
        code = request.meta["council"]
        headers = _headers(response)
        warc_file, warc_offset = warc or (None, None)
        not_modified = request.meta.get("not_modified")  # a 304 (crawler.conditional): the body is archived already
        if not_modified is not None:
            revisit_file, revisit_offset = self.store.write_revisit(code, response.url, not_modified)
            extra = {**(extra or {}), "not_modified": 1, "revisit_warc_file": revisit_file,
                     "revisit_warc_offset": revisit_offset}
            if warc is None and keep_body:
                warc_file, warc_offset = not_modified.earlier.warc_file, not_modified.earlier.warc_offset
        elif warc is None and keep_body and response.body:
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
            **(extra or {}),
        })
        mark_recorded(request, "fetches")

    def record_failure(self, request, exc: BaseException, started: float,
                       code: tuple[str, str] | None = None) -> tuple[str, str]:
        """Record a failed fetch; return its (error code, detail): ``code``'s, else ``exc``'s."""
        error, detail = code or self.failure_code(request, exc)
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
        mark_recorded(request, "fetches")
        return error, detail

    def record_skip(self, site: SiteState, url: str, why: str, depth: int, referrer: str, kind: str = "page") -> None:
        """Pages (and stylesheets) not fetched on purpose (traps, budget, depth) are evidence too."""
        self.store.add("fetches", {
            "council_code": site.council.code, "url": canonical_url(url), "final_url": None, "kind": kind,
            "status": None, "error": f"skipped_{why}", "error_detail": f"not fetched: {why.replace('_', ' ')}",
            "redirect_chain": "[]", "depth": depth, "referrer": referrer, "fetched_at": utcnow(),
        })

    def record_check_from_fetch(self, request, response) -> None:
        outcome, reason = classify(response.status, None, _headers(response), _body_start(response))
        self.record_check(request, outcome, reason, response)
        self.link_checks_seen.add(check_key(_first_url(request)))

    def record_check_failure(self, request, error: str) -> None:
        """The link_checks row of a target whose fetch failed (no HTTP answer)."""
        self.record_check(request, *classify(None, error))

    def record_check(self, request, outcome: str, reason: str, response=None) -> None:
        """The link_checks row of ``request``'s target: its ``response``, or none (a failure)."""
        answered = response is not None
        self.store.add("link_checks", {
            "url": check_key(_first_url(request)), "outcome": outcome, "reason": reason,
            "status": response.status if answered else None, "final_url": response.url if answered else request.url,
            "redirect_chain": json.dumps(request.meta.get("redirect_urls", []) if answered else _chain(request)),
            "method": request.method, "checked_at": utcnow(),
            "elapsed_ms": _elapsed(request, request.meta.get("started")),
        })
        mark_recorded(request, "link_checks")

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
        if isinstance(exc, ReplayedFailure):
            return exc.error, exc.detail
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
            # The crawl workers recorded how each site's crawl went, and have finished: add
            # the responses this process failed to process (crawler.guard).
            self.store.add_faults({code: site.faults for code, site in self.sites.items() if site.faults})
            return
        now = utcnow()
        for site in self.sites.values():
            site.finished_at = site.finished_at or now
            self.record_site(site)

    def record_site(self, site: SiteState) -> None:
        """Write the site's crawl_sites row. A fault while it is made (a bug) still leaves a
        row that says so (``CallbackGuard.summary_failed``): without one the council would stay
        ``running``, and one council's fault at the end would cost every later council its row."""
        try:
            row = self.site_row(site)
        except Exception as exc:
            row = self.summary_failed(site, exc)
        self.store.site_row(row)

    def site_row(self, site: SiteState) -> dict:
        """The site's crawl_sites row: how its crawl went, in one status and one reason."""
        status, why = site.seed_outcome or ("unreachable", "the crawl ended before the Local Offer URL answered")
        if status == "ok" and site.pages_ok == 0:
            status, why = "no_local_offer_found", "the Local Offer URL is not an HTML page"
        if status == "ok" and site.partial_reasons:
            status, why = "partial", "; ".join(sorted(site.partial_reasons))
        if site.faults:
            status, why = with_faults(status, why, site.faults)
        return {
            "council_code": site.council.code, "seed_url": site.seed_url or None,
            "scope": " ".join(site.scope) or None, "status": status, "reason": why or None,
            "pages_fetched": site.pages_ok, "robots_status": self._robots_status(site),
            "finished_at": site.finished_at, "seed_source": site.seed_source if site.seed_url else None,
            "not_assessed_reason": NOT_ASSESSED.get(status),
            "block_evidence": json.dumps(site.block_evidence) if site.block_evidence else None,
            "pages_rendered": site.pages_rendered,
        }

    def _robots_status(self, site: SiteState) -> str | None:
        gate = getattr(self.crawler, "robots_gate", None)
        if gate is None:
            return "ignored (--ignore-robots)" if self.options.ignore_robots else None
        url = site.final_seed_url or site.seed_url
        rules = self.robots_rules(url) if url else None
        return rules.status if rules is not None else None


# crawl_sites.status -> not_assessed_reason (SPEC): a crawl that read the Local Offer has none.
NOT_ASSESSED = {
    "unreachable": "unreachable", "blocked": "blocked", "robots_disallowed": "robots_disallowed",
    "no_local_offer_found": "no_local_offer_found", "needs_discovery": "no_local_offer_found",
    CRAWLER_ERROR: CRAWLER_ERROR,  # its home page answered, but lo-audit failed to read it (crawler.guard)
}


def _headers(response) -> dict[str, str]:
    return {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}


def _header_list(response) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]


def _text(response) -> str:
    try:
        return response.text
    except (AttributeError, UnicodeDecodeError):
        return response.body.decode("utf-8", errors="replace")


def _proxy_dns_error(headers: dict[str, str]) -> bool:
    """A proxy's own answer that the name does not resolve (RFC 9209 Proxy-Status), which is
    what a DNS failure looks like when crawling through a proxy."""
    return "error=dns_" in headers.get("proxy-status", "")


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
    match = re.search(r"([A-Za-z0-9][A-Za-z0-9.-]*?)\.?\s*$", message)  # dotless names too ("intranet")
    return match.group(1).lower().rstrip(".") if match else ""


