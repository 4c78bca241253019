"""Politeness under load: per-host limits hold across councils, and a 429 slows that host only.

Directory providers host several councils' Local Offers on one host, so the limit is per
host, not per council: one request at a time, ``--download-delay`` apart. A host that
answers 429 with Retry-After is left alone for that long; other hosts carry on.
"""

from __future__ import annotations

import threading
import time

from conftest import Reply, council, page, run_crawl

DELAY = 0.25
JITTER = 0.06  # seconds: how late a loaded machine's server thread may see a request


class Recorder:
    """Serve pages while recording when each request started and how many overlapped."""

    def __init__(self):
        self.starts: list[tuple[float, str]] = []
        self.active = self.peak = 0
        self.lock = threading.Lock()

    def serve(self, body: str | Reply, hold: float = 0.05):
        def handler(req, h):
            with self.lock:
                self.starts.append((time.monotonic(), req.target))
                self.active += 1
                self.peak = max(self.peak, self.active)
            time.sleep(hold)
            with self.lock:
                self.active -= 1
            return body if isinstance(body, Reply) else Reply(200, body)
        return handler


def shared_host_site(web, rec: Recorder, folders: list[str], pages: int = 4) -> None:
    web.route("/robots.txt", rec.serve(Reply(404, "", content_type="text/plain")))
    for folder in folders:
        links = [f"/{folder}/p{i}" for i in range(pages)]
        web.route(f"/{folder}/", rec.serve(page(*links, title=f"Local Offer {folder}")))
        for link in links:
            web.route(link, rec.serve(page(f"/{folder}/", title=link)))


def test_councils_sharing_a_host_share_its_limit(web, tmp_path):
    rec = Recorder()
    shared_host_site(web, rec, ["a", "b", "c"])
    run_crawl(tmp_path, [council(c.upper(), web.url(f"/{c}/")) for c in "abc"], "--download-delay", str(DELAY))
    assert len(rec.starts) == 1 + 3 * 5  # robots.txt + three homes + 12 pages
    assert rec.peak == 1, "more than one request at a time to one host"
    times = sorted(t for t, _ in rec.starts)
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Times are when the server's thread saw each request: on a loaded machine one arrival can
    # be seen late and the next on time, so one gap may shrink by that lag (JITTER); the
    # whole run still cannot be faster than the delay allows.
    assert min(gaps) >= DELAY - JITTER, f"requests to one host {min(gaps):.3f} s apart, delay is {DELAY} s"
    assert times[-1] - times[0] >= (len(times) - 1) * DELAY * 0.97


def test_a_429_slows_that_host_only(make_web, tmp_path):
    busy, calm = make_web("127.0.0.1"), make_web("127.0.0.2")
    rec_busy, rec_calm = Recorder(), Recorder()
    for web, rec, name in ((busy, rec_busy, "busy"), (calm, rec_calm, "calm")):
        web.route("/robots.txt", rec.serve(Reply(404, "", content_type="text/plain")))
        links = [f"/lo/p{i}" for i in range(12)]
        web.route("/lo/", rec.serve(page(*links, title=name)))
        for link in links:
            web.route(link, rec.serve(page("/lo/", title=link), hold=0.15))
    answered = []

    def too_many(req, h):
        with rec_busy.lock:
            rec_busy.starts.append((time.monotonic(), req.target))
        if not answered:
            answered.append(time.monotonic())
            return Reply(429, "slow down", headers={"Retry-After": "2"})
        return Reply(200, page("/lo/", title="later"))

    busy.route("/lo/p0", too_many)
    run_crawl(tmp_path, [council("B", busy.url("/lo/")), council("C", calm.url("/lo/"))], "--download-delay", "0")

    assert answered, "the 429 route was requested"
    t429 = answered[0]
    after_busy = [t for t, _ in rec_busy.starts if t > t429]
    assert after_busy and min(after_busy) - t429 >= 1.8, "the busy host was asked again before Retry-After"
    calm_during = [t for t, _ in rec_calm.starts if t429 < t < t429 + 1.8]
    assert calm_during, "the calm host was held up by the other host's 429"
    assert sum(1 for _, target in rec_busy.starts if target == "/lo/p0") == 2  # the retry, once
