"""An extension that slows one host when it asks us to.

A host answering 429 (or 503 with Retry-After) gets its download slot's delay raised to
the Retry-After it gave (exponential back-off when it gave none), capped at 60 s; the
configured delay comes back once it answers normally. Other hosts' slots are untouched,
so one overloaded server never slows the rest of a national crawl.

It listens to ``response_downloaded``, which Scrapy sends before the slot's next request
is dequeued (as AutoThrottle does): a downloader middleware sees the response only after
that next request has already gone out.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from scrapy import signals

MAX_WAIT = 60.0


class RetryAfterBackoff:
    def __init__(self, crawler):
        self.crawler = crawler
        self.base_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.slowed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        return extension

    def response_downloaded(self, response, request, spider):
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if response.status == 429 or (response.status == 503 and wait is not None):
            backoff = wait if wait is not None else max(slot.delay * 2, 1.0)
            slot.delay = min(max(backoff, self.base_delay), MAX_WAIT)
            slot.lastseen = time.monotonic()  # the wait counts from this answer
            self.slowed.add(key)
        elif key in self.slowed and response.status < 500:
            slot.delay = self.base_delay
            self.slowed.discard(key)


def retry_after_seconds(value: bytes | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
