"""Rendering the pages that are application shells (crawler.appshell) in Debian's headless
Chromium, with every network request the browser makes fetched by the crawler itself.

Why not scrapy-playwright: it replaces Scrapy's download handler, so a page would be
fetched by the browser instead of by Scrapy, and the browser's own requests (scripts, the
JSON its content comes from) would leave from Chromium's network stack: past the
downloader middlewares (the address guard, the robots.txt gate), past the resolver that
refuses names resolving to private addresses, and outside the per-host download slots that
space our requests to a host. It also needs every request marked in advance, but a page is
known to be a shell only once its HTML has been read.

So here Scrapy fetches every page as before; only a shell is rendered, with Playwright's
async API on the same asyncio loop Scrapy runs on. The browser is given the response Scrapy
already has for the page (no second fetch) and every other request it makes is
intercepted (``page.route``) and fetched by ``engine.download_async``: the same guard,
resolver, proxy, robots.txt, per-host delay, retries, size caps and User-Agent as any
crawl request, then handed back to the browser. Chromium itself gets no network: every
name resolves to nothing (``--host-resolver-rules``), anything that escapes interception
(a WebSocket) meets a dead proxy, and service workers are blocked. Only GET is fetched
(a crawler reads, it never submits); images, media, fonts and stylesheets are refused, as
they add requests to the host without changing the DOM.

Settled: a page is done when the crawler has had no request of it in flight for
``SETTLE_MS`` and the page itself has no ``fetch()`` or XMLHttpRequest unanswered, nor a
response body still being read (``PENDING_COUNTER``, counted in the page as its scripts make
them). The page's own count matters because the browser's requests reach the crawler as
events: under load one can arrive after the others have been answered and the page has
been quiet for longer than ``SETTLE_MS``, and a page judged settled then was archived half
built (a demo page with one of its two JSON requests made: no content, no links).

Bounded: one page gets ``RENDER_SECONDS`` in all (less with a short ``--timeout``: twice it), its JavaScript heap is capped
(``--js-flags=--max-old-space-size``), its sub-requests and their bytes are capped; a page
still busy at the limit is archived as it stands then (``unsettled``), a crashed one
(``crashed``) keeps its raw HTML for the audit. The browser starts at the first shell, so a
crawl of server-rendered sites never starts one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import scrapy

from audit.core.errors import error_line

CHROMIUM = "/usr/bin/chromium"
RENDER_SECONDS = 30.0
RENDER_REQUESTS = 60  # sub-requests one page may make
RENDER_BYTES = 20 * 1024 * 1024  # their bodies, in all
JS_HEAP_MB = 256
RENDERS_AT_ONCE = 2
SETTLE_MS = 500  # no request in flight for this long: the page has settled
SKIPPED_TYPES = ("image", "media", "font", "stylesheet", "manifest", "texttrack", "other")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-features=DnsOverHttps",
    # No network of its own: names resolve to nothing, and what route interception does not see
    # (WebSockets) goes to a proxy that does not exist, loopback included.
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://0.0.0.0:9", "--proxy-bypass-list=<-loopback>",
    f"--js-flags=--max-old-space-size={JS_HEAP_MB}",
]
# Run in every frame before the page's own scripts: counts the page's fetch() and
# XMLHttpRequest calls not yet answered, and response bodies being read. A count goes down a
# task after its request settles, so a follow-up made in the answer's handlers (read the
# body, then fetch the next thing) is counted before it does.
PENDING_COUNTER = """(() => {
  let pending = 0;
  const done = () => { setTimeout(() => { pending -= 1; }, 0); };
  const counted = (call) => function (...args) {
    pending += 1;
    let result;
    try { result = call.apply(this, args); } catch (error) { done(); throw error; }
    Promise.resolve(result).then(done, done);
    return result;
  };
  if (window.fetch) { window.fetch = counted(window.fetch); }
  if (window.Response) {
    for (const name of ["json", "text", "arrayBuffer", "blob", "formData"]) {
      if (Response.prototype[name]) { Response.prototype[name] = counted(Response.prototype[name]); }
    }
  }
  if (window.XMLHttpRequest) {
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (...args) {
      pending += 1;
      this.addEventListener("loadend", done, {once: true});
      try { return send.apply(this, args); } catch (error) { done(); throw error; }
    };
  }
  Object.defineProperty(window, "__loAuditPending", {get: () => pending});
})();"""
PENDING = "() => window.__loAuditPending || 0"
_DROPPED_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection", "set-cookie"}


@dataclass
class Rendering:
    dom: str | None  # the rendered DOM; None when there is none to use (crashed, failed)
    status: str  # rendered | unsettled | crashed | failed
    detail: str
    refused: list[str] = field(default_factory=list)  # sub-requests the crawler would not make, and why


class Renderer:
    """One headless Chromium for a crawl process, started on first use."""

    def __init__(self, crawler, user_agent: str, seconds: float = RENDER_SECONDS):
        self.crawler = crawler
        self.user_agent = user_agent
        self.seconds = seconds  # one page's budget
        self._playwright = None
        self._browser = None
        self._starting: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None

    async def _ensure_browser(self):
        if self._starting is None:
            self._starting, self._slots = asyncio.Lock(), asyncio.Semaphore(RENDERS_AT_ONCE)
        async with self._starting:
            if self._browser is None:
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self._browser

    async def render(self, response, meta: dict) -> Rendering:
        """Render the already-fetched ``response``; ``meta``: the council's request meta
        (council code, private-address allowance) for the requests the page makes."""
        try:
            browser = await self._ensure_browser()
        except Exception as exc:  # no Chromium, or it would not start: the raw HTML is audited
            return Rendering(None, "failed", f"the browser did not start: {exc.__class__.__name__}: {exc}"[:300])
        async with self._slots:
            return await self._render(browser, response, meta)

    async def _render(self, browser, response, meta: dict) -> Rendering:
        started = time.monotonic()
        state = _PageState()
        context = None
        try:
            # inside the try: a crawl being stopped (SIGTERM) closes the browser under a render
            context = await browser.new_context(user_agent=self.user_agent, service_workers="block",
                                                java_script_enabled=True)
            await context.add_init_script(PENDING_COUNTER)
            page = await context.new_page()
            page.on("crash", lambda _: state.crashed.set())
            await page.route("**/*", lambda route: self._route(route, response, meta, state))
            navigate = asyncio.ensure_future(page.goto(response.url, wait_until="load",
                                                       timeout=self.seconds * 1000))
            crashed = asyncio.ensure_future(state.crashed.wait())
            done, _ = await asyncio.wait({navigate, crashed}, timeout=self.seconds,
                                         return_when=asyncio.FIRST_COMPLETED)
            if crashed in done:
                navigate.cancel()
                return Rendering(None, "crashed", "the page crashed the browser (memory or a renderer fault)",
                                 state.refused)
            crashed.cancel()
            if navigate not in done:  # still loading at the limit: its late outcome is not wanted
                navigate.cancel()
            deadline = started + self.seconds
            settled = await state.settle(page, deadline) if navigate in done and not navigate.exception() \
                else False
            if state.crashed.is_set():
                return Rendering(None, "crashed", "the page crashed the browser", state.refused)
            try:  # a script that never yields holds the DOM too
                dom = await asyncio.wait_for(page.content(), timeout=max(deadline - time.monotonic(), 0) + 5)
            except asyncio.TimeoutError:
                return Rendering(None, "unsettled", f"its script still running after {self.seconds:g} s: "
                                 "no DOM could be read", state.refused)
            took = time.monotonic() - started
            detail = f"{state.fetched} request(s) fetched for the page, {took:.1f} s"
            if state.refused:
                detail += f"; refused: {'; '.join(state.refused[:5])}"
            if not settled:
                return Rendering(dom, "unsettled", f"still busy after {self.seconds:g} s; {detail}", state.refused)
            return Rendering(dom, "rendered", detail, state.refused)
        except Exception as exc:
            return Rendering(None, "failed", error_line(exc, 200),
                             state.refused)
        finally:
            if context is not None:
                try:
                    await context.close()
                except Exception:  # the browser is already gone (the crawl is stopping)
                    pass

    async def _route(self, route, response, meta: dict, state: "_PageState") -> None:
        request = route.request
        url = request.url
        if request.is_navigation_request() and request.frame == request.frame.page.main_frame \
                and url == response.url:
            # The page itself: what Scrapy already fetched.
            await route.fulfill(status=response.status, headers=_browser_headers(response), body=response.body)
            return
        if request.resource_type in SKIPPED_TYPES:
            await route.abort("blockedbyclient")
            return
        why = None
        if request.method not in ("GET", "HEAD"):
            why = f"{request.method} not made (a crawler only reads)"
        elif request.is_navigation_request():
            why = "navigation away from the page"
        elif state.fetched >= RENDER_REQUESTS or state.bytes >= RENDER_BYTES:
            why = "the page's request budget is spent"
        if why:
            state.refused.append(f"{url[:120]}: {why}")
            state.last_activity = time.monotonic()  # still asking: not settled
            await route.abort("blockedbyclient")
            return
        state.in_flight += 1
        try:
            fetched = scrapy.Request(url, dont_filter=True, headers={"Accept": request.headers.get("accept", "*/*")},
                                     meta={**meta, "kind": "render", "depth": None, "referrer": response.url,
                                           "download_maxsize": RENDER_BYTES, "max_retry_times": 1,
                                           "handle_httpstatus_list": list(range(300, 600))})
            try:
                answer = await self.crawler.engine.download_async(fetched)
            except Exception as exc:  # the address guard, robots.txt, DNS, a timeout ...
                state.refused.append(f"{url[:120]}: {error_line(exc, 160)}")
                await route.abort("blockedbyclient")
                return
            state.fetched += 1
            state.bytes += len(answer.body)
            await route.fulfill(status=answer.status, headers=_browser_headers(answer), body=answer.body)
        finally:
            state.in_flight -= 1
            state.last_activity = time.monotonic()


class _PageState:
    def __init__(self):
        self.fetched = 0
        self.bytes = 0
        self.in_flight = 0
        self.refused: list[str] = []
        self.crashed = asyncio.Event()
        self.last_activity = time.monotonic()

    async def settle(self, page, deadline: float) -> bool:
        """Wait until no request has been in flight for SETTLE_MS and the page counts none of
        its own unanswered (see the module's docstring); False at the deadline. Asking the
        page waits for its scripts to yield, so that is bounded by the deadline too."""
        while time.monotonic() < deadline:
            if self.crashed.is_set():
                return False
            if self.in_flight == 0 and time.monotonic() - self.last_activity >= SETTLE_MS / 1000:
                quiet_since = self.last_activity
                try:
                    pending = await asyncio.wait_for(page.evaluate(PENDING), timeout=deadline - time.monotonic())
                except asyncio.TimeoutError:
                    return False
                except Exception:  # the page is navigating or gone: not settled yet
                    pending = None
                if pending == 0 and self.in_flight == 0 and self.last_activity == quiet_since:
                    return True
                if self.in_flight == 0 and self.last_activity == quiet_since:
                    self.last_activity = time.monotonic()  # the page is still waiting for its answers
            await asyncio.sleep(0.05)
        return False


def _browser_headers(response) -> dict[str, str]:
    """The response's headers for the browser: Scrapy has already decoded the body."""
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
            if k.decode("latin-1").lower() not in _DROPPED_HEADERS}

