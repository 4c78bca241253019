"""The HTTP download handler: Scrapy's own, keeping enough idle connections for reuse."""

from __future__ import annotations

import inspect
import sys
from contextlib import contextmanager


@contextmanager
def _stack_without_source():
    """``inspect.stack()`` that does not read source files, for the length of one import.

    Importing Scrapy's HTTP handler imports its TLS modules, which name three deprecated
    class aliases with ``inspect.stack()[1]``: the stack with a line of source for every
    frame, each found by scanning ``sys.modules``. That was ~0.09 s of every crawl's
    start-up, for the caller's frame alone, which this returns just the same."""
    original = inspect.stack

    def frames_only(context=1):
        frame, frames = sys._getframe(1), []
        while frame is not None:
            code = frame.f_code
            frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
            frame = frame.f_back
        return frames

    inspect.stack = frames_only
    try:
        yield
    finally:
        inspect.stack = original


with _stack_without_source():
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
