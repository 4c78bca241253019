"""axe-core in headless Chromium: the reference engine the static engine is measured against.

Debian's ``chromium`` is driven by Playwright through ``executable_path`` (no browser
download). axe-core comes pinned inside the ``axe-playwright-python`` package; its version
is read from the script and recorded with every result. Sub-resources are fetched under
the same SSRF rule as the crawler: a page may not make the browser reach private or
loopback addresses unless the page itself is on one (the demo and tests).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from audit.core.urls import allowed_private, is_forbidden_host, private_allowance

CHROMIUM = os.environ.get("LO_AUDIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
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


@lru_cache(maxsize=1)
def axe_source() -> tuple[str, str]:
    import axe_playwright_python

    path = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    source = path.read_text(encoding="utf-8")
    match = re.search(r"axe v(\d+\.\d+\.\d+)", source[:200])
    return source, (match.group(1) if match else "unknown")


def axe_version() -> str:
    return axe_source()[1]


class AxeBrowser:
    """One Chromium for many pages: start once, check pages, close."""

    def __init__(self):
        if not Path(CHROMIUM).exists():
            raise AxeUnavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set LO_AUDIT_CHROMIUM)")
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def check(self, url: str, timeout_s: float = 30) -> dict:
        """Run axe on one live page (``lo-audit a11y URL --engine axe``).

        Returns ``{"violations": [...], "needs_review": [...], "rules_run": [...], "axe_version": v}``.
        """
        context = self.browser.new_context(service_workers="block", bypass_csp=True)
        page = context.new_page()
        allowance = private_allowance(url) if url.startswith(("http://", "https://")) else ()

        def guard(route):
            req_url = route.request.url
            scheme = urlsplit(req_url).scheme
            if scheme in ("data", "blob", "about") or (scheme == "file" and url.startswith("file:")):
                return route.continue_()
            host = urlsplit(req_url).hostname or ""
            if scheme not in ("http", "https") or (is_forbidden_host(host) and not allowed_private(host, allowance)):
                return route.abort("blockedbyclient")
            return route.continue_()

        page.route("**/*", guard)
        try:
            page.goto(url, wait_until="load", timeout=timeout_s * 1000)
            dismiss_consent(page)
            return _run_axe(page)
        finally:
            context.close()

    def check_archived(self, url: str, html: str, timeout_s: float = 30) -> dict:
        """Run axe on a page as it was archived: ``url`` is loaded, but its document is the
        stored ``html`` and every other request (CSS, scripts, images, frames, fonts, a
        form post, a redirect) is aborted, except ``data:`` URLs.  No live fetch happens,
        so the result is reproducible and no page can make the browser reach a private
        address.  Limit: without the site's CSS, layout rules (colour contrast, target
        size, reflow) are judged on the browser's default styles and inline styles only.

        The page's own scripts do not run: the document is served with a Content Security
        Policy ``script-src 'none'`` (its external scripts could not load anyway, and an
        inline script could navigate away or post a form); axe is injected by the driver,
        which CSP does not restrict. So content a script would have built is not tested.
        A ``<meta http-equiv=refresh>`` navigation is answered 204 No Content, so the page stays.
        Cookie banners are not clicked; banners that cover the page are taken out of fixed
        positioning instead, so what is beneath is tested.
        """
        context = self.browser.new_context(service_workers="block")
        page = context.new_page()
        body = html.encode("utf-8")
        main = _strip_fragment(url)
        served = []

        def archived(route):
            request = route.request
            req_url = request.url
            if req_url.startswith("data:"):
                return route.continue_()
            if (not served and _strip_fragment(req_url) == main and request.is_navigation_request()
                    and request.frame == page.main_frame):
                served.append(req_url)
                return route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8",
                                     headers={"Content-Security-Policy": _ARCHIVED_CSP})
            if request.is_navigation_request() and request.frame == page.main_frame:
                return route.fulfill(status=204, body=b"")  # a meta refresh: 204 keeps the page where it is
            return route.abort("blockedbyclient")

        page.route("**/*", archived)
        try:
            page.goto(url, wait_until="load", timeout=timeout_s * 1000)
            unfix_banners(page)
            result = _run_axe(page)
            if _strip_fragment(page.url) != main:
                raise RuntimeError(f"the archived page navigated away to {page.url}")
            return result
        finally:
            context.close()

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


AXE_RUN_TIMEOUT_MS = 60_000  # one page's axe run; a stuck page must not stall a national audit

_AXE_RUN = (
    "async (limit) => { const r = await Promise.race([axe.run(document, {resultTypes: ['violations', 'incomplete']}),"
    " new Promise((_, fail) => setTimeout(() => fail(new Error('axe-core did not finish in ' + limit + ' ms')), limit))]);"
    " const ids = (xs) => xs.map(v => v.id);"
    " return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, tags: v.tags,"
    " targets: v.nodes.map(n => n.target.join(' '))})),"
    " incomplete: r.incomplete.map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))})),"
    " ran: ids(r.violations).concat(ids(r.passes), ids(r.incomplete), ids(r.inapplicable))}; }"
)


def _run_axe(page) -> dict:
    source, version = axe_source()
    page.evaluate(source)
    result = page.evaluate(_AXE_RUN, AXE_RUN_TIMEOUT_MS)
    violations = [
        AxeViolation(v["id"], v["impact"] or "minor", tuple(v["targets"]), len(v["targets"]), tuple(_wcag(v["tags"])))
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


def dismiss_consent(page) -> None:
    """Accept a cookie banner if one of the common consent managers shows one, then take
    whatever banner is left out of fixed positioning so it no longer covers the page."""
    for selector in CONSENT_SELECTORS:
        try:
            button = page.query_selector(selector)
            if button is not None and button.is_visible():
                button.click(timeout=1000)
                page.wait_for_timeout(200)
                break
        except Exception:  # a banner that vanished or re-rendered: test beneath it anyway
            continue
    unfix_banners(page)


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


def unfix_banners(page) -> int:
    try:
        return int(page.evaluate(_UNFIX_BANNERS) or 0)
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
    """One Chromium for a whole audit, and how many pages of each council it checks."""

    def __init__(self, browser: AxeBrowser, sample: int):
        self.browser, self.sample, self.version = browser, sample, axe_version()

    def close(self) -> None:
        try:
            self.browser.close()
        except Exception:  # a browser that already died: nothing left to close
            pass


def start_axe(sample: int | None) -> AxeRun | None:
    """Start Chromium once for an audit with an axe sample; when it cannot start, say so once
    on stderr and carry on with the static engine only (the axe columns stay NULL)."""
    if not sample:
        return None
    try:
        return AxeRun(AxeBrowser(), sample)
    except Exception as e:  # AxeUnavailable, or Playwright failing to launch the browser
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"warning: axe-core browser engine unavailable, static engine only: {reason}", file=sys.stderr)
        return None
