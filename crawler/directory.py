"""The directory's crawl-time pieces: its open data feed and its own site search.

Both are fetched by the same crawl, through the same downloader as every page (robots.txt,
the per-host delay, the address guard, the size caps, retries) and archived in the WARC;
the audit judges them (``audit.checks.directory``). Neither is a page of the site: their
``fetches`` rows have ``kind`` ``open_data`` or ``search``, so no check reads them as pages.

- **Open data** (SPEC "Directory entries", ``has_open_data``): an Open Referral UK
  ``/services`` feed. Looked for where a family's browser would find it, a link on an in-scope
  page (``is_feed_link``), and where the standard puts it, ``/api/services`` on the Local
  Offer's own host (one request per site, as for ``/sitemap.xml``). Each feed is read page by
  page (``audit.directory.openreferral.next_page_url``) up to ``OPEN_DATA_MAX_PAGES``, at most
  ``OPEN_DATA_MAX_FEEDS`` feeds a site. A probe answered by something that is not JSON (a
  site answering every path with its home page) is recorded but not archived: there is no feed.
- **Site search** (SPEC "Searchable"): the Local Offer's own search form
  (``audit.directory.search.find_search_form``: GET only, never a POST, a sign-up or a
  feedback form) on the Local Offer's home page, else on the first directory page one click
  from it, asked the three everyday ``TOPICS``, once each.

``DirectoryCrawl`` is a mixin of ``crawler.spider.LocalOfferSpider``: it uses the spider's
recording methods and its ``SiteState``. ``audit.directory`` is imported where it is first
used, not with this module: it reuses the audit checks' judgements, and importing
``audit.checks`` (the accessibility engine, every check) would add ~0.2-0.5 s to the start of
every crawl process, including the link checker's, which never parses a page.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from urllib.parse import urlsplit

import scrapy

from audit.core.page import Page
from audit.core.urls import canonical_url

from .progress import settles
from .settings import HTML_MAX_BYTES, OPEN_DATA_MAX_FEEDS, OPEN_DATA_MAX_PAGES

# An Open Referral UK feed's address: /api/services, /api/v1/services (Outpost), /services.json.
_FEED_PATH = re.compile(r"/api/(?:v\d+/)?services/?$|/services\.json$", re.IGNORECASE)
# A JSON feed documented as the directory's open data ("Open data (Open Referral UK)").
_FEED_TEXT = re.compile(r"open ?referral|open data|\bapi\b|data feed", re.IGNORECASE)
# A page one click from the home page that is the directory's own (its search is the one families use).
_DIRECTORY_PAGE = re.compile(r"director|search|services|find", re.IGNORECASE)
JSON_TYPES = ("json",)  # application/json, application/hal+json, text/json ...


def is_feed_link(url: str, text: str) -> bool:
    """A link to an Open Referral UK ``/services`` feed, or to a JSON feed its text calls open data.
    Its address has "/api/" or ".json" (any case), so a page whose link URLs have neither
    (``Page.link_urls``: one search, not one call a link) has no feed link."""
    path_kind = _feed_path_kind(url)
    return path_kind == "feed" or (path_kind == "json" and bool(_FEED_TEXT.search(text)))


@lru_cache(maxsize=1 << 16)
def _feed_path_kind(url: str) -> str | None:
    """``feed`` for an Open Referral UK feed's path, ``json`` for another JSON file's, else None.
    Cached: every in-scope page's links are judged, and a site's menu repeats them on every
    page (splitting each of them again cost ~12% of a crawl's CPU on 250-link pages)."""
    path = urlsplit(url).path
    if _FEED_PATH.search(path):
        return "feed"
    return "json" if path.lower().endswith(".json") else None


def probe_url(seed_url: str) -> str:
    """Where Open Referral UK puts a directory's services: ``/api/services`` on its host."""
    parts = urlsplit(seed_url)
    return f"{parts.scheme}://{parts.netloc}/api/services"


def may_hold_search(page: Page, depth: int) -> bool:
    """The home page, or a page one click from it whose address says it is the directory or its search."""
    return depth == 0 or (depth == 1 and bool(_DIRECTORY_PAGE.search(urlsplit(page.url).path)))


class DirectoryCrawl:
    """Spider methods fetching a site's open data feed and asking its search (see the module)."""

    def directory_extras(self, site, page: Page, depth: int):
        """Requests for what this in-scope page reveals: its links to feeds, and (on the home
        page or a directory page, until one is found) the site's search form. The home page
        also probes ``/api/services``."""
        if self.options.discover_only:
            return
        from audit.directory.search import TOPICS, find_search_form, search_url  # see the module docstring
        if depth == 0 and page.url == site.final_seed_url:
            yield from self.open_data_request(site, probe_url(page.url), None)
        urls = page.link_urls
        if "/api/" in urls or ".json" in urls:  # what every feed's address has (is_feed_link)
            for link in page.links:
                if is_feed_link(link.url, link.text):
                    yield from self.open_data_request(site, link.url, page.url)
        if not site.search_asked and may_hold_search(page, depth):
            form = find_search_form(page, site.scope)
            if form is not None:
                site.search_asked = True
                for topic in TOPICS:
                    yield from self.extra_request(site, search_url(form, topic), "search", page.url)

    def open_data_request(self, site, url: str, referrer: str | None, page_number: int = 1):
        key = canonical_url(url)
        if page_number == 1:
            if key in site.feeds or len(site.feeds) >= OPEN_DATA_MAX_FEEDS:
                return
            site.feeds.add(key)
        yield from self.extra_request(site, url, "open_data", referrer, feed_page=page_number)

    def extra_request(self, site, url: str, kind: str, referrer: str | None, **meta):
        """A GET for a feed page or a search, through the same downloader as every page. With
        ``--workers``, a host this process does not own is left alone (one process per host)
        and the row says so."""
        if self.ownership is not None and not self.ownership.owns(url):
            self.store.add("fetches", {
                "council_code": site.council.code, "url": canonical_url(url), "final_url": None, "kind": kind,
                "status": None, "error": "skipped_other_host",
                "error_detail": "not fetched: another crawl process owns this host (--workers)",
                "redirect_chain": "[]", "depth": None, "referrer": referrer,
            })
            return
        yield self.track(site, scrapy.Request(
            url, method="GET", callback=self.parse_extra, errback=self.extra_failed, dont_filter=True,
            meta={"council": site.council.code, "kind": kind, "depth": None, "referrer": referrer,
                  "allow_private": site.allow_private, "download_maxsize": HTML_MAX_BYTES,
                  "handle_httpstatus_list": list(range(400, 600)), "started": time.monotonic(),
                  "max_retry_times": 1, **meta}))

    @settles
    def parse_extra(self, response):
        request = response.request
        kind = request.meta["kind"]
        keep = True
        if kind == "open_data" and request.meta.get("referrer") is None:
            # The /api/services probe: archived only when it answers JSON (otherwise there is no feed).
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
            keep = response.status == 200 and any(t in content_type for t in JSON_TYPES)
        self.record_response(request, response, request.meta["started"], kind=kind, keep_body=keep)
        if kind != "open_data" or response.status != 200 or not keep:
            return
        from audit.directory.openreferral import next_page_url, parse_services  # see the module docstring

        feed = parse_services(response.body, response.url)
        following = next_page_url(response.url, feed)
        page_number = request.meta.get("feed_page", 1)
        if following and page_number < OPEN_DATA_MAX_PAGES:
            site = self.sites[request.meta["council"]]
            yield from self.open_data_request(site, following, request.meta.get("referrer") or response.url,
                                              page_number + 1)

    @settles
    def extra_failed(self, failure):
        self.record_failure(failure.request, failure.value, failure.request.meta["started"])
