"""The HTTP download handler: Scrapy's own, keeping enough idle connections for reuse."""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class KeepAliveHTTPHandler(HTTP11DownloadHandler):
    """Scrapy keeps at most CONCURRENT_REQUESTS_PER_DOMAIN idle connections per connection
    key, and through an HTTP proxy every site shares one key: the proxy's. A crawl of 153
    sites, 4 requests each in flight, through a proxy therefore kept 4 connections open and
    opened a new TCP connection for nearly every request (~8% of the crawl's CPU, and the
    proxy's too). Here up to CONCURRENT_REQUESTS idle connections are kept. Crawling sites
    directly is unchanged: no site ever has more than its share in flight, so none has more
    idle connections than that either."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = max(self._pool.maxPersistentPerHost,
                                              crawler.settings.getint("CONCURRENT_REQUESTS"))
