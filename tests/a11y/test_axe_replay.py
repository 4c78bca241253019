"""axe-core replays an archived page with its archived stylesheets, fetching nothing, in a
pool of pages that survives a page that hangs and one that crashes its renderer.

Needs Debian's Chromium (scripts/setup.sh). The stylesheets are served through the same
callable the audit passes (``audit.runner.ArchivedStylesheets``): URL -> bytes or None.
"""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from audit.a11y import axe as a11y_axe
from audit.core.urls import canonical_url

SITE = "https://www.example.org"


def archive(sheets: dict[str, str]):
    by_url = {canonical_url(url): css.encode() for url, css in sheets.items()}
    return lambda url: by_url.get(canonical_url(url))


# The shape of a GOV.UK-Frontend-like council page: a header, a main column, a footer whose
# muted text colour comes from the theme's stylesheet (as in the Local Offer themes of
# data/demo/sites and GOV.UK Frontend's govuk-footer__meta, which sets its colour in CSS).
PAGE = """<!doctype html><html lang="en"><head><title>Short breaks</title>
<link rel="stylesheet" href="{css}"></head><body>
<header><a href="/">Local Offer</a></header>
<main><h1>Short breaks</h1><p>Short breaks give disabled children and their families time apart.</p></main>
<footer class="site-footer"><p class="site-footer__meta">Last reviewed March 2026</p></footer>
</body></html>"""


@pytest.fixture(scope="module")
def browser():
    with a11y_axe.AxeBrowser(pages=2) as b:
        yield b


def contrast_targets(found: dict) -> list[str]:
    return [t for v in found["violations"] if v.rule == "color-contrast" for t in v.targets]


def test_archived_stylesheet_makes_text_fail_contrast(browser):
    html = PAGE.format(css="/theme/site.css")
    sheets = archive({SITE + "/theme/site.css": ".site-footer__meta { color: #b1b4b6; background: #fff }"})
    styled = browser.check_archived(SITE + "/send/short-breaks", html, sheets)
    assert any("site-footer__meta" in t for t in contrast_targets(styled))
    template = next(v for v in styled["violations"] if v.rule == "color-contrast").templates[0]
    assert template == "html > body > footer > p.site-footer__meta[]"  # ancestors' tags, then its shape
    unstyled = browser.check_archived(SITE + "/send/short-breaks", html)  # no archive: browser defaults
    assert contrast_targets(unstyled) == []


def test_page_passing_only_because_of_its_stylesheet(browser):
    # Pale text declared inline on a main column whose dark background comes from the stylesheet.
    html = PAGE.format(css="/theme/dark.css").replace('<main>', '<main style="color:#e8e8e8">')
    sheets = archive({SITE + "/theme/dark.css": "@import url('colours.css');",
                      SITE + "/theme/colours.css": "main { background: #0b0c0c }"})  # reached through @import
    assert contrast_targets(browser.check_archived(SITE + "/p", html, sheets)) == []
    assert contrast_targets(browser.check_archived(SITE + "/p", html)) != []  # pale on white without it


@pytest.fixture()
def listener():
    """A real HTTP server the replayed page points at: it must hear nothing."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: #000 }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_replay_makes_no_network_request(browser, listener):
    base, hits = listener
    # The page lives on the listener's own host: a live browser would fetch all of this from it.
    html = (PAGE.format(css=f"{base}/theme/site.css")
            + f'<link rel="stylesheet" href="{base}/not-archived.css"><img src="{base}/logo.png" alt="">'
            + f'<iframe src="{base}/frame" title="map"></iframe>')
    sheets = archive({f"{base}/theme/site.css": f"@import '{base}/imported-not-archived.css';"
                                                ".site-footer__meta { color: #b1b4b6 }"})
    found = browser.check_archived(f"{base}/send/page", html, sheets)
    assert any("site-footer__meta" in t for t in contrast_targets(found))  # the archived copy was applied
    assert hits == []


def test_frames_the_replay_did_not_serve_are_judged_from_outside_and_frames_with_content_from_inside(browser):
    # An embedded video and a map: their addresses are not archived, so their frames hold
    # Chromium's error page; axe-core still judges the iframe elements (frame-title).
    embeds = ('<!doctype html><html lang="en"><title>Video</title><main><h1>Video</h1>'
              '<iframe src="https://www.youtube.example/embed/x" title="A video about short breaks"></iframe>'
              '<iframe src="https://maps.example/embed"></iframe></main>')
    found = browser.check_archived(SITE + "/video", embeds)
    assert [(v.rule, v.targets) for v in found["violations"]] == [("frame-title", ('iframe[src$="embed"]',))]
    assert "frame-tested" in found["incomplete_rules"]  # axe says the frames' content was not tested
    # A frame whose content is in the page itself (srcdoc) is still tested from inside.
    inline = embeds.replace('<iframe src="https://maps.example/embed"></iframe>',
                            '<iframe title="Form" srcdoc="<!doctype html><html lang=en><title>f</title>'
                            '<img src=x.png></html>"></iframe>')
    assert "image-alt" in {v.rule for v in browser.check_archived(SITE + "/video", inline)["violations"]}


def test_both_engines_write_the_same_template(browser):
    from audit.a11y.static import check_html

    html = ('<!doctype html><html lang="en"><title>t</title><header><form role="search">'
            '<input type="search" name="q" class="search-3 input" id="q12"></form></header>'
            '<main><ul><li class="card"><img src="a.png"></li><li class="card"><img src="b.png"></li></ul></main>')
    axe_found = {v.rule: v.templates for v in browser.check_archived(SITE + "/t", html)["violations"]}
    static_found = {v.rule: v.templates for v in check_html(html)}
    for rule in ("label", "image-alt"):
        assert axe_found[rule] == static_found[rule], rule
    assert static_found["label"] == ("html > body > header > form > input.input.search-#[name,type] type=search",)
    assert static_found["image-alt"] == ("html > body > main > ul > li > img[src]",) * 2  # repeated items alike


# ---- the pool --------------------------------------------------------------------------

class CrashingBrowser(a11y_axe.AxeBrowser):
    """Crashes the renderer of the page at a ``/crash`` address once it has loaded, through
    Chromium's own DevTools ``Page.crash`` (no current markup reliably crashes Chromium with
    scripts off; a page that exhausts the renderer's heap cap does, after minutes)."""

    async def _new_slot(self):
        slot = await super()._new_slot()
        session = await slot.context.new_cdp_session(slot.page)

        def crash_on_load(page):
            if page.url.endswith("/crash"):
                asyncio.ensure_future(session.send("Page.crash")).add_done_callback(lambda f: f.exception())

        slot.page.on("load", crash_on_load)
        return slot


def small(n: int) -> str:
    return f'<!doctype html><html lang="en"><title>Page {n}</title><main><h1>Page {n}</h1><img src="/{n}.png"></main>'


def test_pool_survives_a_hanging_and_a_crashing_page():
    # 15,000 paragraphs, each with a link and an image: axe-core needs far more than 6 s.
    huge = ('<!doctype html><html lang="en"><title>Huge</title><main>'
            + "".join(f'<p class="c{i % 7}">Item {i} <a href="/x{i}">more</a><img src="/i{i}.png"></p>'
                      for i in range(15_000)) + "</main>")
    pages = [(SITE + "/1", small(1)), (SITE + "/hang", huge), (SITE + "/crash", small(2)),
             (SITE + "/3", small(3)), (SITE + "/4", small(4)), (SITE + "/5", small(5))]
    with CrashingBrowser(pages=2, page_seconds=6) as pool:
        got = pool.check_many(pages)
    with a11y_axe.AxeBrowser(pages=1) as sequential:
        alone = [sequential.check_archived(url, html) for url, html in pages if url[-1].isdigit()]
    hang, crash = got[1], got[2]
    assert isinstance(hang, a11y_axe.AxePageFailed) and "did not finish the page in 6 s" in str(hang)
    assert isinstance(crash, a11y_axe.AxePageFailed) and "crashed" in str(crash)
    rest = [r for r in got if not isinstance(r, a11y_axe.AxePageFailed)]
    assert len(rest) == 4
    assert [r["violations"] for r in rest] == [r["violations"] for r in alone]  # same as one page at a time
    assert all("image-alt" in {v.rule for v in r["violations"]} for r in rest)
