"""axe-core in headless Chromium: the reference engine the static engine is measured against.

Debian's ``chromium`` is driven by Playwright through ``executable_path`` (no browser
download). axe-core comes pinned inside the ``axe-playwright-python`` package; its version
is read from the script and recorded with every result. The audit replays archived pages
with their archived stylesheets and fetches nothing (``AxeBrowser.check_many``); a live
check (``lo-audit a11y URL``) fetches sub-resources under the same SSRF rule as the
crawler: a page may not make the browser reach private or loopback addresses unless the
page itself is on one (the demo and tests).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from audit.core.errors import error_line
from audit.core.urls import allowed_private, is_forbidden_host, private_allowance

CHROMIUM = os.environ.get("LO_AUDIT_CHROMIUM", "/usr/bin/chromium")
PAGE_SECONDS = 60.0  # one page in all: load, banners, axe-core; past it the page is recorded and its slot replaced
CRASH_GRACE_SECONDS = 1.0  # a failed call may be Playwright noticing a crash before the crash event
JS_HEAP_MB = 512  # each renderer's JavaScript heap (axe-core's working memory on a huge page); past it, a crash
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    f"--js-flags=--max-old-space-size={JS_HEAP_MB}",
]
# An archived stylesheet by the URL a page asks for it under: its bytes, or None (not archived).
Stylesheets = Callable[[str], "bytes | None"]
ENGINE = "axe"
# Consent managers whose banners cover the page: accept/close buttons, then hide what is left.
CONSENT_SELECTORS = (
    "#onetrust-accept-btn-handler", "#CybotCookiebotDialogBodyButtonAccept",
    "#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll", ".cc-allow", ".cc-dismiss",
    "button#ccc-recommended-settings", "#ccc-notify-accept", ".govuk-cookie-banner button[value=accept]",
    "button[data-cookie-accept]", ".cookie-banner button",
)


class AxeUnavailable(RuntimeError):
    """Chromium or axe-core is missing; the message says how to install it."""


@dataclass(frozen=True)
class AxeViolation:
    rule: str
    impact: str
    targets: tuple[str, ...]
    count: int
    wcag: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()  # each failing element's template (audit.a11y.issues), as targets


@lru_cache(maxsize=1)
def axe_source() -> tuple[str, str]:
    import axe_playwright_python

    path = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    source = path.read_text(encoding="utf-8")
    match = re.search(r"axe v(\d+\.\d+\.\d+)", source[:200])
    return source, (match.group(1) if match else "unknown")


def axe_version() -> str:
    return axe_source()[1]


# axe-core's colour-contrast rule parses a CSS colour string (through colorjs.io) for every
# element of every text node's background stack: tens of thousands of parses a page, almost all
# of the same few strings ("rgba(0, 0, 0, 0)", the theme's colours). A parse is a pure function
# of the string, so its result is kept per document and set again on a repeat: the same
# channels, the same setters, the same results; a string that fails to parse is not kept, so
# it fails (and records why) as before. Measured with benchmarks/national/axe_profile.py.
_PARSE_MEMO = """(() => {
  const color = window.axe && axe.commons && axe.commons.color && axe.commons.color.Color;
  if (!color || color.prototype.parseString.memoised) return;
  const parse = color.prototype.parseString, parsed = new Map();
  const memoised = function (text) {
    const hit = parsed.get(text);
    if (hit === undefined) {
      parse.call(this, text);
      parsed.set(text, [this.r, this.g, this.b, this.alpha]);
      return this;
    }
    this.r = hit[0]; this.g = hit[1]; this.b = hit[2]; this.alpha = hit[3];
    return this;
  };
  memoised.memoised = true;
  color.prototype.parseString = memoised;
})();"""


@lru_cache(maxsize=1)
def axe_script() -> str:
    """What is injected into a page: axe-core, then the colour-parse memo above."""
    return axe_source()[0] + "\n;" + _PARSE_MEMO


class AxePageFailed(RuntimeError):
    """axe-core could not judge one page (it hung past its time, crashed the renderer, or
    navigated away); the pool goes on with the next page."""


@dataclass
class _Slot:
    """One page of the pool: its own browser context (no state shared with another slot),
    reused page after page while it stays healthy."""

    context: object
    page: object
    crashed: asyncio.Event
    archived: dict = field(default_factory=dict)  # what the route serves for the current page


class AxeBrowser:
    """One Chromium and a small pool of pages: start once, check pages (many at once with
    ``check_many``), close.

    ``pages``: how many pages are judged at once, each in its own renderer process (Chromium
    gives each browser context its own): as many as the cores allow is the default. Each
    slot's context and page are reused from one page to the next, and axe-core is injected
    into each slot once, as an init script the browser evaluates in every new document
    before anything else, instead of being sent over the pipe (570 KB) for every page. This is
    safe because the archived page's own scripts never run (see ``check_many``): nothing can
    replace or hook ``window.axe`` before the driver calls it. Each page is bounded in time
    (``page_seconds``) and each renderer's JavaScript heap (``JS_HEAP_MB``); a page that
    exceeds either, or crashes its renderer, is returned as :class:`AxePageFailed` and its slot
    is replaced, so the pool goes on.

    The browser runs on an asyncio loop of its own, driven from the calling thread only while a
    call is under way: callers stay synchronous."""

    def __init__(self, pages: int | None = None, page_seconds: float = PAGE_SECONDS):
        if not Path(CHROMIUM).exists():
            raise AxeUnavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set LO_AUDIT_CHROMIUM)")
        self.size = max(1, pages or os.cpu_count() or 1)
        self.page_seconds = page_seconds
        self._loop = asyncio.new_event_loop()
        self._free: list[_Slot] = []
        self._pw = self.browser = None
        try:
            self._run(self._start())
        except BaseException:
            self.close()
            raise

    def _run(self, coroutine):
        return self._loop.run_until_complete(coroutine)

    async def _start(self) -> None:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self.browser = await self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self._slots = asyncio.Semaphore(self.size)

    def check(self, url: str, timeout_s: float = 30) -> dict:
        """Run axe on one live page (``lo-audit a11y URL --engine axe``).

        Returns ``{"violations": [...], "needs_review": [...], "rules_run": [...], "axe_version": v}``.
        """
        return self._run(self._check_live(url, timeout_s))

    async def _check_live(self, url: str, timeout_s: float) -> dict:
        context = await self.browser.new_context(service_workers="block", bypass_csp=True)
        page = await context.new_page()
        allowance = private_allowance(url) if url.startswith(("http://", "https://")) else ()

        async def guard(route):
            req_url = route.request.url
            scheme = urlsplit(req_url).scheme
            if scheme in ("data", "blob", "about") or (scheme == "file" and url.startswith("file:")):
                return await route.continue_()
            host = urlsplit(req_url).hostname or ""
            if scheme not in ("http", "https") or (is_forbidden_host(host) and not allowed_private(host, allowance)):
                return await route.abort("blockedbyclient")
            return await route.continue_()

        await page.route("**/*", guard)
        try:
            await page.goto(url, wait_until="load", timeout=timeout_s * 1000)
            await dismiss_consent(page)
            await page.evaluate(axe_script())
            return await _run_axe(page)
        finally:
            await context.close()

    def check_archived(self, url: str, html: str, stylesheets: Stylesheets | None = None) -> dict:
        """One archived page (see ``check_many``); raises AxePageFailed when it could not be judged."""
        found = self.check_many([(url, html)], stylesheets)[0]
        if isinstance(found, AxePageFailed):
            raise found
        return found

    def check_many(self, pages: list[tuple[str, str]], stylesheets: Stylesheets | None = None) -> list:
        """Run axe on archived pages, up to ``self.size`` at once; one result per page, in
        order: the dict ``check`` returns, or an :class:`AxePageFailed`.

        Each page is replayed as it was archived: ``url`` is loaded, but its document is the
        stored ``html``; a stylesheet it asks for (``<link>`` or ``@import``) is answered from
        the archive through ``stylesheets(url)`` (bytes, or None when none was archived), so
        colour contrast and the other CSS-dependent rules are judged with the site's own CSS;
        every other request (scripts, images, frames, fonts, a form post, a redirect) is
        aborted, except ``data:`` URLs. Nothing is fetched from the network, so the result is
        reproducible and no page can make the browser reach any address.

        The page's own scripts do not run: the document is served with a Content Security
        Policy ``script-src 'none'`` (its external scripts could not load anyway, and an
        inline script could navigate away or post a form); axe is injected by the driver,
        which CSP does not restrict. So content a script would have built is not tested.
        A ``<meta http-equiv=refresh>`` navigation is answered 204 No Content, so the page stays.
        Cookie banners are not clicked; banners that cover the page are taken out of fixed
        positioning instead, so what is beneath is tested.
        """
        async def all_pages():
            return await asyncio.gather(*(self._check_pooled(url, html, stylesheets) for url, html in pages))

        return self._run(all_pages())

    async def _check_pooled(self, url: str, html: str, stylesheets: Stylesheets | None):
        async with self._slots:
            slot = self._free.pop() if self._free else await self._new_slot()
            work = asyncio.ensure_future(self._judge(slot, url, html, stylesheets))
            crash = asyncio.ensure_future(slot.crashed.wait())
            done, _ = await asyncio.wait({work, crash}, timeout=self.page_seconds, return_when=asyncio.FIRST_COMPLETED)
            if work in done and work.exception() is None:
                crash.cancel()
                self._free.append(slot)
                return work.result()
            work.cancel()
            if done and not crash.done():  # the work failed: was it the renderer dying under it?
                await asyncio.wait({crash}, timeout=CRASH_GRACE_SECONDS)
            crash.cancel()
            if slot.crashed.is_set():
                why = "the page crashed the browser's renderer (memory or a renderer fault)"
            elif not done:
                why = f"axe-core did not finish the page in {self.page_seconds:g} s"
            else:
                why = error_line(work.exception())
            await self._discard(slot)
            return AxePageFailed(why)

    async def _new_slot(self) -> _Slot:
        context = await self.browser.new_context(service_workers="block")
        await context.add_init_script(axe_script())
        page = await context.new_page()
        slot = _Slot(context, page, asyncio.Event())
        page.on("crash", lambda _: slot.crashed.set())
        await page.route("**/*", lambda route: _serve_archived(route, slot))
        return slot

    async def _discard(self, slot: _Slot) -> None:
        """Close a slot that failed; a context that will not close is left to the browser."""
        try:
            await asyncio.wait_for(slot.context.close(), timeout=10)
        except Exception:  # a crashed or wedged renderer: the browser reaps it
            pass

    async def _judge(self, slot: _Slot, url: str, html: str, stylesheets: Stylesheets | None) -> dict:
        main = _strip_fragment(url)
        slot.archived = {"main": main, "body": html.encode("utf-8"), "stylesheets": stylesheets, "served": False}
        page = slot.page
        await page.goto(url, wait_until="load", timeout=self.page_seconds * 1000)
        await unfix_banners(page)
        result = await _run_axe(page)
        if _strip_fragment(page.url) != main:
            raise AxePageFailed(f"the archived page navigated away to {page.url}")
        return result

    def close(self) -> None:
        async def stop():
            if self.browser is not None:
                await self.browser.close()
            if self._pw is not None:
                await self._pw.stop()

        try:
            if not self._loop.is_closed():
                self._run(stop())
        finally:
            self.browser = self._pw = None
            if not self._loop.is_closed():
                self._loop.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


async def _serve_archived(route, slot: _Slot) -> None:
    """The replay's only source of answers: the archived page, its archived stylesheets."""
    request = route.request
    req_url = request.url
    archived = slot.archived
    if req_url.startswith("data:"):
        return await route.continue_()
    navigation = request.is_navigation_request() and request.frame == slot.page.main_frame
    if navigation and not archived["served"] and _strip_fragment(req_url) == archived["main"]:
        archived["served"] = True
        return await route.fulfill(status=200, body=archived["body"], content_type="text/html; charset=utf-8",
                                   headers={"Content-Security-Policy": _ARCHIVED_CSP})
    if navigation:
        return await route.fulfill(status=204, body=b"")  # a meta refresh: 204 keeps the page where it is
    stylesheets = archived["stylesheets"]
    if request.resource_type == "stylesheet" and stylesheets is not None:
        css = stylesheets(req_url)
        if css is not None:
            return await route.fulfill(status=200, body=css, content_type="text/css; charset=utf-8")
    return await route.abort("blockedbyclient")


AXE_RUN_TIMEOUT_MS = 60_000  # one page's axe run; a stuck page must not stall a national audit

# A failing element's template, as audit.a11y.issues.template writes it for the static engine:
# its ancestors' tag names from <html>, then its markup shape (tag, classes with digits as #,
# attribute names, type and role). Empty for an element inside a frame or a shadow root.
_TEMPLATE_JS = (
    "const template = (target) => { if (target.length !== 1) return '';"
    " let el; try { el = document.querySelector(target[0]); } catch (e) { return ''; } if (!el) return '';"
    " const path = []; for (let p = el.parentElement; p; p = p.parentElement) path.unshift(p.localName);"
    " const classes = [...new Set((el.getAttribute('class') || '').split(/\\s+/).filter(Boolean)"
    ".map(c => c.replace(/[0-9]+/g, '#')))].sort();"
    " const names = [...new Set(el.getAttributeNames().map(a => a.toLowerCase())"
    ".filter(a => a !== 'id' && a !== 'class'))].sort();"
    " let shape = el.localName + classes.map(c => '.' + c).join('') + '[' + names.join(',') + ']';"
    " for (const a of ['type', 'role']) { const v = el.getAttribute(a); if (v) shape += ' ' + a + '=' + v.trim().toLowerCase(); }"
    " return path.concat([shape]).join(' > '); };"
)

_AXE_RUN = (
    "async ([limit, iframes]) => { const r = await Promise.race([axe.run(document, {resultTypes: ['violations', 'incomplete'],"
    " iframes}),"
    " new Promise((_, fail) => setTimeout(() => fail(new Error('axe-core did not finish in ' + limit + ' ms')), limit))]);"
    " const ids = (xs) => xs.map(v => v.id);" + _TEMPLATE_JS +
    " return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, tags: v.tags,"
    " targets: v.nodes.map(n => n.target.join(' ')), templates: v.nodes.map(n => template(n.target))})),"
    " incomplete: r.incomplete.map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))})),"
    " ran: ids(r.violations).concat(ids(r.passes), ids(r.incomplete), ids(r.inapplicable))}; }"
)


async def _run_axe(page) -> dict:
    """axe-core on the page's document (already injected), violations with each failing
    element's template (``audit.a11y.issues``).

    axe-core asks every frame of the page to test itself and waits for each answer up to its
    ping time; a frame whose address the replay did not serve (every frame but ``data:``,
    ``about:srcdoc`` and ``about:blank`` ones) holds Chromium's error page, which never answers,
    so each such frame cost half a second of waiting and changed nothing. When no frame has
    content, frames are not asked (``iframes: false``: the same violations, incomplete,
    passing and inapplicable rules, measured on an archived page with two embedded videos)."""
    version = axe_source()[1]
    iframes = any(frame != page.main_frame and not frame.url.startswith("chrome-error:") for frame in page.frames)
    result = await page.evaluate(_AXE_RUN, [AXE_RUN_TIMEOUT_MS, iframes])
    violations = [
        AxeViolation(v["id"], v["impact"] or "minor", tuple(v["targets"]), len(v["targets"]), tuple(_wcag(v["tags"])),
                     tuple(v["templates"]))
        for v in result["violations"]
    ]
    incomplete = result["incomplete"]
    return {
        "violations": sorted(violations, key=lambda v: v.rule),
        # colour contrast axe could not decide (background image, overlap ...): a person must look
        "needs_review": [v for v in incomplete if v["id"] == "color-contrast"],
        "incomplete_rules": sorted({v["id"] for v in incomplete}),
        "rules_run": sorted(set(result["ran"])),
        "axe_version": version,
    }


_ARCHIVED_CSP = "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


async def dismiss_consent(page) -> None:
    """Accept a cookie banner if one of the common consent managers shows one, then take
    whatever banner is left out of fixed positioning so it no longer covers the page."""
    for selector in CONSENT_SELECTORS:
        try:
            button = await page.query_selector(selector)
            if button is not None and await button.is_visible():
                await button.click(timeout=1000)
                await page.wait_for_timeout(200)
                break
        except Exception:  # a banner that vanished or re-rendered: test beneath it anyway
            continue
    await unfix_banners(page)


# Fixed or sticky boxes that talk about cookies/consent (and full-screen backdrops while one
# is shown) are put back in the normal flow: still tested, no longer covering the content.
_UNFIX_BANNERS = r"""() => {
  const re = /cookie|consent|gdpr|privacy (?:settings|preferences)|onetrust|cookiebot/i;
  const fixed = [];
  for (const el of document.querySelectorAll('body *')) {
    const cs = getComputedStyle(el);
    if ((cs.position === 'fixed' || cs.position === 'sticky') && cs.display !== 'none') fixed.push(el);
  }
  let banners = 0;
  for (const el of fixed) {
    const label = [el.id, el.getAttribute('class'), el.getAttribute('aria-label'),
                   (el.textContent || '').slice(0, 3000)].join(' ');
    if (re.test(label)) { el.style.setProperty('position', 'static', 'important'); banners++; }
  }
  if (banners) {
    const vw = window.innerWidth, vh = window.innerHeight;
    for (const el of fixed) {
      const cs = getComputedStyle(el);
      if (cs.position !== 'fixed') continue;
      const r = el.getBoundingClientRect();
      if (r.width * r.height > 0.5 * vw * vh && !(el.textContent || '').trim())
        el.style.setProperty('display', 'none', 'important');  // an empty backdrop
    }
    for (const el of [document.documentElement, document.body]) {
      if (el && getComputedStyle(el).overflow === 'hidden') el.style.setProperty('overflow', 'visible', 'important');
    }
  }
  return banners;
}"""


async def unfix_banners(page) -> int:
    try:
        return int(await page.evaluate(_UNFIX_BANNERS) or 0)
    except Exception:  # a page that navigated away or threw: test what is there
        return 0


def _wcag(tags: list[str]) -> list[str]:
    """axe tags like 'wcag111' -> '1.1.1'."""
    out = []
    for tag in tags:
        m = re.fullmatch(r"wcag(\d)(\d)(\d+)", tag)
        if m:
            out.append(".".join(m.groups()))
    return out


class AxeRun:
    """One Chromium (and its pool of pages) for a whole audit, and how many pages of each
    council it checks."""

    def __init__(self, browser: AxeBrowser, sample: int):
        self.browser, self.sample, self.version = browser, sample, axe_version()

    def close(self) -> None:
        try:
            self.browser.close()
        except Exception:  # a browser that already died: nothing left to close
            pass


def start_axe(sample: int | None, pages: int | None = None) -> AxeRun | None:
    """Start Chromium once for an audit with an axe sample, with a pool of ``pages`` (default:
    one per core); when it cannot start, say so once on stderr and carry on with the static
    engine only (the axe columns stay NULL)."""
    if not sample:
        return None
    try:
        return AxeRun(AxeBrowser(pages), sample)
    except Exception as e:  # AxeUnavailable, or Playwright failing to launch the browser
        print(f"warning: axe-core browser engine unavailable, static engine only: {error_line(e)}", file=sys.stderr)
        return None
