"""Downloader middlewares, one concern each.

- ``PrivateAddressGuard``: the SSRF rule for literal addresses and ``localhost``.
- ``RobotsGate``: robots.txt per RFC 9309, recorded as evidence: 4xx means no rules;
  5xx, a timeout or an unreachable server means the whole site is treated as
  disallowed (Scrapy's own middleware allows everything on error, which is not polite).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK

from audit.core.linkstatus import block_evidence
from audit.core.urls import allowed_private, is_forbidden_host

from .settings import ROBOTS_MAX_BYTES

# Every kind of fetch that crawls the site; link checks ("link") are single requests a reader
# could make by following the link, as robots.txt (RFC 9309) does not cover them.
ROBOTS_KINDS = ("page", "document", "sitemap", "discovery", "render", "open_data", "search", "stylesheet")


class PrivateAddressGuard:
    """Refuse loopback/private/link-local literals and localhost unless the seed is local."""

    def process_request(self, request: Request):
        try:
            parts = urlsplit(request.url)
            host = parts.hostname or ""
        except ValueError:
            raise IgnoreRequest("malformed: unparseable URL") from None
        if parts.scheme not in ("http", "https"):
            raise IgnoreRequest(f"malformed: scheme {parts.scheme!r} is not fetched")
        if is_forbidden_host(host) and not allowed_private(host, request.meta.get("allow_private", ())):
            raise IgnoreRequest(f"private_address: {host} is a private or loopback address")
        return None


class RobotsRules:
    """The outcome of fetching one host's robots.txt."""

    def __init__(self, status: str, parser: Protego | None, disallow_all: bool, unreachable: bool = False,
                 blocked: dict | None = None):
        self.status = status  # e.g. "200", "404 (no rules)", "500 (treated as disallow)"
        self.parser = parser
        self.disallow_all = disallow_all
        self.unreachable = unreachable  # the server could not be reached at all
        self.blocked = blocked  # the site refuses crawlers at robots.txt: its evidence (linkstatus.block_evidence)

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    @property
    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []

    @property
    def crawl_delay(self) -> float | None:
        return self.parser.crawl_delay("lo-audit") if self.parser is not None else None


class RobotsGate:
    PRIORITY = 1000

    def __init__(self, crawler):
        self.crawler = crawler
        self.user_agent = crawler.settings["USER_AGENT"]
        self.ignore = crawler.settings.getbool("LO_IGNORE_ROBOTS")
        self.rules: dict[str, RobotsRules] = {}
        self._waiting: dict[str, list] = {}

    @classmethod
    def from_crawler(cls, crawler):
        gate = cls(crawler)
        crawler.robots_gate = gate
        return gate

    async def process_request(self, request: Request):
        if self.ignore or request.meta.get("kind") not in ROBOTS_KINDS:
            return None
        rules = await self.rules_for(request)
        if not rules.allowed(request.url, self.user_agent):
            if rules.blocked is not None:
                raise IgnoreRequest(f"robots: robots.txt {rules.status}")
            if rules.unreachable:
                raise IgnoreRequest(f"robots: site unreachable, robots.txt {rules.status}")
            if rules.disallow_all:
                raise IgnoreRequest(f"robots: robots.txt {rules.status}: the whole site is treated as disallowed")
            raise IgnoreRequest("robots: robots.txt disallows this URL")
        return None

    async def rules_for(self, request: Request) -> RobotsRules:
        parts = urlsplit(request.url)
        netloc = f"{parts.scheme}://{parts.netloc}"
        if netloc in self.rules:
            return self.rules[netloc]
        if netloc in self._waiting:
            from twisted.internet.defer import Deferred
            from scrapy.utils.defer import maybe_deferred_to_future

            d = Deferred()
            self._waiting[netloc].append(d)
            return await maybe_deferred_to_future(d)
        self._waiting[netloc] = []
        robots = Request(
            f"{netloc}/robots.txt",
            priority=self.PRIORITY,
            callback=NO_CALLBACK,
            dont_filter=True,
            meta={
                "kind": "robots",
                "council": request.meta.get("council"),
                "allow_private": request.meta.get("allow_private", ()),
                "download_maxsize": ROBOTS_MAX_BYTES * 20,
                "handle_httpstatus_list": list(range(300, 600)),
                "dont_redirect": False,
                "max_retry_times": 1,
            },
        )
        spider = self.crawler.spider
        started = time.monotonic()
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:  # unreachable, timeout, refused ...
            rules = RobotsRules(f"failed: {spider.describe_failure(exc)[0]} (treated as disallow)", None, True, True)
            spider.record_failure(robots, exc, started)
        else:
            rules = self._parse(response)
            spider.record_response(robots, response, started)
        self.rules[netloc] = rules
        for d in self._waiting.pop(netloc):
            d.callback(rules)
        return rules

    @staticmethod
    def _parse(response) -> RobotsRules:
        """RFC 9309's rules, except that a bot challenge or a 401/403/429 refusal means the
        site refuses crawlers (SPEC "blocked"): nothing on it is fetched."""
        status = response.status
        headers = {k.decode("latin-1").lower(): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        evidence = block_evidence(response.url, status, headers,
                                  response.body[:32768].decode("utf-8", errors="replace"))
        if evidence is not None:
            return RobotsRules(f"{status} (blocked: {evidence['marker']})", None, True, blocked=evidence)
        if 200 <= status < 300:
            body = response.body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
            return RobotsRules(str(status), Protego.parse(body), False)
        if 400 <= status < 500:
            return RobotsRules(f"{status} (no rules)", None, False)
        # RFC 9209: a proxy names its own failure (e.g. error=dns_error) in Proxy-Status.
        proxy_status = response.headers.get(b"Proxy-Status", b"").decode("latin-1")
        if "error=" in proxy_status:
            error = proxy_status.split("error=", 1)[1].split(";")[0].strip()
            return RobotsRules(f"{status} from proxy: {error} (treated as disallow)", None, True, True)
        return RobotsRules(f"{status} (treated as disallow)", None, True)
