"""Every crawler setting in one place (Scrapy style).

Polite by default: robots.txt obeyed (our own gate, see middlewares.RobotsGate), an
honest User-Agent with a contact URL, one request per second per host, AutoThrottle,
Retry-After honoured, two retries with back-off. Bounded by default: a timeout covering a
whole request, size caps that also bound decompressed bodies, a page budget per site
and a depth limit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from audit import __version__

CONTACT_URL = "https://github.com/lo-audit/lo-audit#for-website-owners"
USER_AGENT = f"lo-audit/{__version__} (SEND Local Offer quality audit; +{CONTACT_URL})"

# Python's cyclic garbage collector runs every 700 new container objects by default and then
# walks every young survivor: a crawl creates and keeps many (queued requests and their meta
# dicts, link rows waiting for a flush), and those walks cost ~12% of its CPU. Collecting
# every 200,000 objects costs no measurable memory (348 MB either way at 10,000 pages).
CRAWL_GC_THRESHOLDS = (200_000, 20, 100)

HTML_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 lets crawlers stop parsing at 500 KiB
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 10
MIN_DELAY = 0.001  # seconds; see DOWNLOAD_DELAY below
MAX_REDIRECTS = 10
MAX_SITEMAPS_PER_SITE = 20
# Open data (crawler/directory.py): feeds read per site, and pages read per feed (a 5,000-service
# directory at ORUK's usual 50 a page is 100 pages; the first 50 are a sample of 2,500 services).
OPEN_DATA_MAX_FEEDS = 3
OPEN_DATA_MAX_PAGES = 50
# Stylesheets (crawler.stylesheets): a council theme has a few, rarely over 1 MB each; a
# bigger one is recorded too_large, stylesheets past the count or @import depth as skipped.
STYLESHEET_MAX_BYTES = 2 * 1024 * 1024
MAX_STYLESHEETS_PER_SITE = 30
MAX_IMPORT_DEPTH = 4

DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.oasis.opendocument",
    "application/vnd.ms-excel",
    "application/rtf",
)


@dataclass
class CrawlOptions:
    max_pages: int = 5000
    download_delay: float = 1.0
    timeout: float = 20.0
    ignore_robots: bool = False
    max_depth: int = MAX_DEPTH
    retries: int = 2
    host_concurrency: int = 1  # requests in flight at once per host; >1 only for your own site or a benchmark
    workers: int = 1  # crawling processes, and a link checker when >1 (crawler.workers): one process a host
    discover_only: bool = False  # `lo-audit discover`: look for each Local Offer, crawl none

    def as_dict(self) -> dict:
        return asdict(self)


# Scrapy components this crawler does without, each run on every request or response for
# nothing here. They are left out of Scrapy's *_BASE lists rather than set to None in ours:
# Scrapy imports every component listed in either to normalise the names, enabled or not
# (RemoteControl brings aiohttp, CookiesMiddleware tldextract and requests: ~0.3 s of every
# crawl's start-up).
SWITCHED_OFF = {
    "DOWNLOADER_MIDDLEWARES_BASE": (
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",  # replaced by RobotsGate
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",  # scope is ours, not allowed_domains
        "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",  # no logins
        "scrapy.downloadermiddlewares.stats.DownloaderStats",  # statistics come from the database
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED is off
    ),
    "EXTENSIONS_BASE": (
        "scrapy.extensions.memdebug.MemoryDebugger",
        "scrapy.extensions.feedexport.FeedExporter",
        "scrapy.extensions.spiderstate.SpiderState",
        "scrapy.extensions.telnet.TelnetConsole",  # TELNETCONSOLE_ENABLED is off
        "scrapy.extensions.remote_control.RemoteControl",
    ),
    "SPIDER_MIDDLEWARES_BASE": (
        "scrapy.spidermiddlewares.depth.DepthMiddleware",  # the spider enforces and records depth
        # Over-long URLs are recorded as skipped by the spider instead of silently dropped.
        "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
        "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
        # The Referer header is not needed to crawl, and computing its policy costs per request.
        "scrapy.spidermiddlewares.referer.RefererMiddleware",
    ),
}


def _scrapy_bases_without(switched_off: dict[str, tuple[str, ...]]) -> dict[str, dict[str, int]]:
    from scrapy.settings import default_settings

    return {name: {path: order for path, order in getattr(default_settings, name).items() if path not in off}
            for name, off in switched_off.items()}


def scrapy_settings(options: CrawlOptions) -> dict:
    return {
        "BOT_NAME": "lo-audit",
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": False,  # replaced by RobotsGate: SPEC's 5xx => disallow rule
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        # Politeness: slots are per host name, one request at a time, delay between them.
        # Never exactly 0: with no delay Scrapy 2.19's downloader dequeues a whole slot's
        # queue before any transfer is counted, so one host gets many requests at once.
        "DOWNLOAD_DELAY": max(options.download_delay, MIN_DELAY),
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "CONCURRENT_REQUESTS": max(64, 8 * options.host_concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.host_concurrency,
        "AUTOTHROTTLE_ENABLED": options.download_delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(options.download_delay, 0.01),
        "AUTOTHROTTLE_MAX_DELAY": 60,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        # Bounds.
        "DOWNLOAD_TIMEOUT": options.timeout,
        "DNS_TIMEOUT": min(options.timeout, 20),
        "DOWNLOAD_MAXSIZE": DOCUMENT_MAX_BYTES,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_FAIL_ON_DATALOSS": False,
        "REDIRECT_MAX_TIMES": MAX_REDIRECTS,
        "METAREFRESH_ENABLED": False,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": options.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "DEPTH_LIMIT": 0,  # depth is enforced by the spider, which records what it skipped
        # Breadth-first: the Local Offer's top pages first, so a page budget keeps the important ones.
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "TWISTED_DNS_RESOLVER": "crawler.resolver.GuardedResolver",
        "DOWNLOAD_HANDLERS": {"http": "crawler.http.KeepAliveHTTPHandler",
                              "https": "crawler.http.KeepAliveHTTPHandler"},
        # Ours; Scrapy's own that would do nothing for us are left out (SWITCHED_OFF).
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.PrivateAddressGuard": 50,
            "crawler.middlewares.RobotsGate": 60,
            "crawler.conditional.ConditionalRequests": 900,  # where Scrapy's HTTP cache would be
        },
        "EXTENSIONS": {"crawler.politeness.RetryAfterBackoff": 0},
        **_scrapy_bases_without(SWITCHED_OFF),
        # Scrapy looks for `return value` in generator callbacks with inspect.getsource on every
        # response: its cache is keyed by weak references to bound methods, which die at once,
        # so the check re-parsed our callbacks' source each time (8% of crawl CPU).
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # Scrapy starts CONCURRENT_ITEMS asyncio tasks per response to process what the callback
        # yields; ours yield requests (never items) and do no I/O, so one is enough (100: 13% of CPU).
        "CONCURRENT_ITEMS": 1,
        "LOG_ENABLED": True,
        "LOG_INSTALL_ROOT_HANDLER": False,
    }
