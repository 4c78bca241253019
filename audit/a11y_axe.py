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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .urls import allowed_private, is_forbidden_host, private_allowance

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
        """Run axe on one page; returns {"violations": [...], "incomplete_contrast": n}."""
        source, version = axe_source()
        context = self.browser.new_context(service_workers="block")
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
            page.evaluate(source)
            result = page.evaluate(
                "async () => { const r = await axe.run(document, {resultTypes: ['violations', 'incomplete']});"
                " return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, tags: v.tags,"
                " targets: v.nodes.map(n => n.target.join(' '))})),"
                " incomplete: r.incomplete.filter(v => v.id === 'color-contrast')"
                ".map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))}))}; }"
            )
        finally:
            context.close()
        violations = [
            AxeViolation(v["id"], v["impact"] or "minor", tuple(v["targets"]), len(v["targets"]),
                         tuple(_wcag(v["tags"])))
            for v in result["violations"]
        ]
        return {"violations": sorted(violations, key=lambda v: v.rule), "needs_review": result["incomplete"],
                "axe_version": version}

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def dismiss_consent(page) -> None:
    """Accept a cookie banner if one of the common consent managers shows one."""
    for selector in CONSENT_SELECTORS:
        try:
            button = page.query_selector(selector)
            if button is not None and button.is_visible():
                button.click(timeout=1000)
                return
        except Exception:  # a banner that vanished or re-rendered: test beneath it anyway
            continue


def _wcag(tags: list[str]) -> list[str]:
    """axe tags like 'wcag111' -> '1.1.1'."""
    out = []
    for tag in tags:
        m = re.fullmatch(r"wcag(\d)(\d)(\d+)", tag)
        if m:
            out.append(".".join(m.groups()))
    return out
