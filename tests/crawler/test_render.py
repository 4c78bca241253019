"""JavaScript-built Local Offers: which pages are application shells (crawler.appshell,
pure, with pages built to fool it), and real crawls of a shell-built Local Offer rendered
in Debian's Chromium, every browser request fetched by the crawler (crawler.render).

The shell's shape follows what create-react-app and Next.js deliver (a ``<div
id="root">`` with ``<noscript>You need to enable JavaScript to run this app.</noscript>``;
a ``<script id="__NEXT_DATA__" type="application/json">`` state blob) and a directory
platform that builds its record pages from a JSON API.
"""

from __future__ import annotations

import asyncio
import json
import socket
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from audit.core.evidence import WarcReader
from audit.core.page import Page
from crawler.appshell import shell_cue
from crawler.render import Renderer

from conftest import Reply, Web, lo_audit, page, run_crawl

LONG_TEXT = " ".join(["Our Local Offer tells families of children with SEND what support is available."] * 6)
CRA_SHELL = ('<!doctype html><html lang="en"><head><title>Local Offer</title>'
             '<script defer src="/static/js/main.3f2a.js"></script></head><body>'
             "<noscript>You need to enable JavaScript to run this app.</noscript><div id=\"root\"></div></body></html>")
NEXT_SHELL = ('<html><head><title>Local Offer</title></head><body><div id="__next"></div>'
              '<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"title":"SEND"}}}</script>'
              '<script src="/_next/static/chunks/main.js"></script></body></html>')
NEXT_SSR = ('<html><head><title>Local Offer</title></head><body><div id="__next"><main><h1>SEND Local Offer</h1>'
            f"<p>{LONG_TEXT}</p></main></div>"
            '<script id="__NEXT_DATA__" type="application/json">{"props":{}}</script></body></html>')
BIG_INLINE_SCRIPT = (f"<html><body><main><h1>Short breaks</h1><p>{LONG_TEXT}</p></main>"
                     f"<script>var analytics = {json.dumps(['x' * 100] * 1000)};</script></body></html>")
PIXEL_PAGE = ('<html><body><h1>Contact the SEND team</h1><p>Phone 01234 567890 or email send@council.example. '
              "We answer within five working days.</p>"
              '<noscript><img height="1" width="1" src="https://www.facebook.com/tr?id=1&ev=PageView&noscript=1">'
              '</noscript><a href="/a">A</a><a href="/b">B</a><a href="/c">C</a></body></html>')
NUXT_SHELL = ('<html><body><div id="app"><div class="loading">Loading…</div></div>'
              '<script>window.__NUXT__={"data":[{"title":"Short breaks"}]}</script></body></html>')
BARE_BUNDLE = '<html><body><div class="x"></div><script src="/bundle.js"></script></body></html>'
SHORT_STATIC = "<html><body><h1>Page not found</h1><p>Sorry, we cannot find that page.</p></body></html>"


@pytest.mark.parametrize("html,cue", [
    (CRA_SHELL, "framework root <div id=root> is empty"),
    (NEXT_SHELL, "framework root <div id=__next> is empty"),
    (NUXT_SHELL, "framework root <div id=app> is empty"),
    (BARE_BUNDLE, "characters of text against"),
    (NEXT_SSR, None),  # server-rendered: the text is there, __NEXT_DATA__ or not
    (BIG_INLINE_SCRIPT, None),  # a normal page with 100 KB of inline script
    (PIXEL_PAGE, None),  # a <noscript> tracking pixel, not a plea for JavaScript
    (SHORT_STATIC, None),  # little text, but nothing for a script to build
])
def test_application_shells_and_pages_built_to_fool_the_test(html, cue):
    found = shell_cue(Page("https://lo.example/send", html))
    if cue is None:
        assert found is None
    else:
        assert found is not None and cue in found, found


# ----------------------------------------------------------------------------- crawls
HOST = "lo.jsborough.example"
APP_JS = """
(async function () {
  const path = location.pathname;
  const data = await (await fetch('/api/content?path=' + encodeURIComponent(path))).json();
  const root = document.getElementById('root');
  root.innerHTML = '<main><h1>' + data.title + '</h1>' + data.body +
    '<p class="updated">Last updated: ' + data.updated + '</p><ul>' +
    data.links.map(l => '<li><a href="' + l[0] + '">' + l[1] + '</a></li>').join('') + '</ul></main>';
  for (const target of TARGETS) { fetch(target).catch(() => {}); }
  try { new WebSocket(SOCKET); } catch (e) {}
})();
"""
PAGES = {
    "/send/": ("Jsborough SEND Local Offer", "<p>Education, health and care plans: how to ask for an EHC needs "
               "assessment, and the support schools give.</p>", "3 March 2025",
               [["/send/short-breaks", "Short breaks"], ["/send/preparing-for-adulthood", "Preparing for adulthood"]]),
    "/send/short-breaks": ("Short breaks", "<p>Short breaks for disabled children: our short breaks services "
                           "statement and how to apply.</p>", "12 June 2024", [["/send/", "Home"]]),
    "/send/preparing-for-adulthood": ("Preparing for adulthood", "<p>Moving on to adult life: 16 to 25, "
                                      "employment and independent living.</p>", "1 December 2025", [["/send/", "Home"]]),
}


def js_site(web: Web, host: str, targets: list[str], socket_url: str) -> None:
    shell = CRA_SHELL.replace("/static/js/main.3f2a.js", "/static/app.js")
    for path in PAGES:
        web.route(path, shell, host=host)
    web.route("/static/app.js", Reply(200, f"const TARGETS = {json.dumps(targets)}; const SOCKET = "
                                      f"{json.dumps(socket_url)};" + APP_JS, content_type="application/javascript"),
              host=host)
    for path, (title, body, updated, links) in PAGES.items():
        web.route(f"/api/content?path={path.replace('/', '%2F')}", Reply(200, json.dumps(
            {"title": title, "body": body, "updated": updated, "links": links}), content_type="application/json"),
            host=host)


@pytest.fixture(scope="module")
def js_crawl(tmp_path_factory):
    proxy, canary = Web(), Web()
    try:
        targets = [f"http://127.0.0.1:{canary.port}/steal", "http://169.254.169.254/latest/meta-data/",
                   f"http://[::1]:{canary.port}/v6"]
        js_site(proxy, HOST, targets, f"ws://127.0.0.1:{canary.port}/socket")
        proxy.fallback = lambda req, h: Reply(404 if req.host == HOST else 502, page(title="Not found"))
        tmp = tmp_path_factory.mktemp("js")
        result = run_crawl(tmp, [{"code": "J1", "name": "Jsborough", "local_offer_url": f"http://{HOST}/send/",
                                  "council_url": "http://www.jsborough.example/", "scope": ""}],
                           env={"http_proxy": proxy.base}, timeout=180)
        yield result, proxy, canary
    finally:
        proxy.close()
        canary.close()


def test_links_that_exist_only_after_rendering_are_crawled(js_crawl):
    result, proxy, _ = js_crawl
    site = result.site("J1")
    assert (site["status"], site["pages_fetched"], site["pages_rendered"]) == ("ok", 3, 3)
    for path in PAGES:
        row = result.fetch(f"http://{HOST}{path}")
        assert row["render_status"] == "rendered", row
        assert "framework root" in row["render_detail"]
        assert row["raw_warc_offset"] is not None and row["raw_warc_offset"] != row["warc_offset"]
    links = {r["target_url"] for r in result.rows("SELECT target_url FROM links WHERE source_url = ?",
                                                  [f"http://{HOST}/send/"])}
    assert f"http://{HOST}/send/short-breaks" in links


def test_the_rendered_dom_is_archived_beside_the_raw_response(js_crawl):
    from warcio.archiveiterator import ArchiveIterator

    result = js_crawl[0]
    row = result.fetch(f"http://{HOST}/send/")
    reader = WarcReader(result.db_path)
    rendered = reader.body(row["warc_file"], row["warc_offset"]).decode()
    raw = reader.body(row["warc_file"], row["raw_warc_offset"]).decode()
    assert "<h1>Jsborough SEND Local Offer</h1>" in rendered and "Last updated: 3 March 2025" in rendered
    assert "Jsborough SEND Local Offer" not in raw and '<div id="root"></div>' in raw
    with open(result.db_path.parent / row["warc_file"], "rb") as fh:
        records = {r.rec_headers.get_header("WARC-Record-ID"): r.rec_headers for r in ArchiveIterator(fh)}
    conversion = [h for h in records.values() if h.get_header("WARC-Type") == "conversion"]
    assert len(conversion) == 3
    assert all(records[h.get_header("WARC-Refers-To")].get_header("WARC-Type") == "response" for h in conversion)


def test_every_browser_request_went_through_the_crawler_and_private_ones_were_refused(js_crawl):
    result, proxy, canary = js_crawl
    assert canary.requests == [] and canary.connections == 0
    assert {r.host for r in proxy.requests} == {HOST}, {(r.host, r.target) for r in proxy.requests}
    api = [r for r in proxy.requests if r.target.startswith("/api/content")]
    assert len(api) == 3 and all("lo-audit" in r.headers["user-agent"] for r in api)
    assert proxy.hits("/static/app.js") >= 1 and proxy.hits("/robots.txt") == 1
    detail = result.fetch(f"http://{HOST}/send/")["render_detail"]
    assert "127.0.0.1" in detail and "169.254.169.254" in detail and "private_address" in detail


def test_the_audit_reads_the_rendered_dom(js_crawl, tmp_path):
    result = js_crawl[0]
    proc = lo_audit("audit", "--db", result.db_path, "--as-of", "2026-11-23", "--axe-sample", "0", timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dates = {r["url"]: r["last_updated"] for r in result.rows("SELECT url, last_updated FROM page_audits")}
    assert dates[f"http://{HOST}/send/"] == "2025-03-03"
    assert dates[f"http://{HOST}/send/short-breaks"] == "2024-06-12"
    titles = {r["title"] for r in result.rows("SELECT title FROM page_audits")}
    assert titles == {"Local Offer"}  # the shell's <title>; the headings are the rendered ones
    found = {r["item"] for r in result.rows("SELECT item FROM statutory_coverage WHERE found = 1")}
    assert found, "statutory items read from the rendered pages"


def _name_resolving_to_loopback() -> str | None:
    for name in (socket.gethostname(), "runsc", "vm"):
        try:
            if socket.gethostbyname(name).startswith("127.") and name != "localhost":
                return name
        except OSError:
            continue
    return None


def test_a_name_resolving_to_a_private_address_is_refused_through_the_browser(tmp_path):
    """No proxy: the crawler resolves names itself, and a page's script asking for a name
    that resolves to loopback is refused by the crawler's resolver (the seed is on loopback,
    so loopback *addresses* are allowed, names resolving there are not)."""
    name = _name_resolving_to_loopback()
    if name is None:
        pytest.skip("no host name here resolves to a loopback address")
    site, canary = Web(), Web()
    try:
        js_site(site, "", [f"http://{name}:{canary.port}/by-name"], f"ws://{name}:{canary.port}/socket")
        result = run_crawl(tmp_path, [{"code": "J2", "name": "Local", "local_offer_url": site.url("/send/"),
                                       "council_url": "", "scope": ""}], timeout=180)
        assert result.site("J2")["pages_rendered"] == 3
        assert canary.requests == [] and canary.connections == 0
        detail = result.fetch(site.url("/send/"))["render_detail"]
        assert name in detail and "private" in detail, detail
    finally:
        site.close()
        canary.close()


def test_a_page_that_never_settles_is_recorded_as_such(tmp_path):
    proxy = Web()
    try:
        proxy.route("/lo/", CRA_SHELL.replace("/static/js/main.3f2a.js", "/poll.js"), host=HOST)
        proxy.route("/poll.js", Reply(200, "document.getElementById('root').innerHTML = '<h1>Busy</h1>';"
                                      "setInterval(() => fetch('/lo/poll').catch(() => {}), 100);",
                                      content_type="application/javascript"), host=HOST)
        proxy.route("/lo/poll", Reply(200, "{}", content_type="application/json"), host=HOST)
        result = run_crawl(tmp_path, [{"code": "J3", "name": "Busy", "local_offer_url": f"http://{HOST}/lo/",
                                       "council_url": "", "scope": ""}], "--timeout", "2",
                           env={"http_proxy": proxy.base}, timeout=120)
        row = result.fetch(f"http://{HOST}/lo/")
        assert row["render_status"] == "unsettled" and "still busy after 4 s" in row["render_detail"], row
        reader = WarcReader(result.db_path)
        assert b"<h1>Busy</h1>" in reader.body(row["warc_file"], row["warc_offset"])  # the DOM at the limit
    finally:
        proxy.close()


# ----------------------------------------------------------------------------- settling
class _Engine:
    """The one thing Renderer asks of Scrapy's engine, ``download_async``, answered from a
    dict: these tests are about when a render is judged finished, and need to hold one of
    the browser's requests back, which a real crawl over a real server cannot do on cue."""

    def __init__(self, bodies: dict[str, tuple[bytes, str]]):
        self.bodies = bodies

    async def download_async(self, request):
        from scrapy.http import TextResponse

        body, content_type = self.bodies[urlsplit(request.url).path]
        return TextResponse(request.url, status=200, body=body, headers={"Content-Type": content_type})


def _render(renderer: Renderer, shell: bytes):
    """``renderer``'s Rendering of the page ``shell`` at http://lo.example/, its browser closed after."""
    from scrapy.http import HtmlResponse

    async def render():
        try:
            return await renderer.render(HtmlResponse("http://lo.example/", body=shell), {})
        finally:
            await renderer.close()

    return asyncio.run(render())


class _LateRenderer(Renderer):
    """A renderer that is handed the browser's request for ``late`` a second after the
    browser made it: what CI saw under load, when one of a page's two JSON requests reached
    the crawler after the other had been answered and the page had been quiet for 0.5 s."""

    late = "/api/pages/home.json"

    async def _route(self, route, response, meta, state):
        if route.request.url.endswith(self.late):
            await asyncio.sleep(1.0)
        await super()._route(route, response, meta, state)


def test_a_request_the_crawler_hears_of_late_is_waited_for():
    """Ravensmere's shape (the demo's create-react-app stand-in): the bundle asks for the
    site furniture and the page's content at once and builds the page from both. Before the
    page's own count of its unanswered requests was asked, this render was judged settled
    with one of the two answered: the shell, no content, no links."""
    shell = (b'<!doctype html><html><head><script defer src="/static/js/main.js"></script></head><body>'
             b'<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>')
    bundle = b"""
      const json = (url) => fetch(url).then((r) => r.ok ? r.json() : null);
      Promise.all([json('/api/site.json'), json('/api/pages/home.json')]).then(([site, page]) => {
        document.getElementById('root').innerHTML = '<nav><a href="/contact-us">' + site.contact + '</a></nav>' +
          '<main><h1>' + page.title + '</h1></main>';
      });"""
    engine = _Engine({"/static/js/main.js": (bundle, "application/javascript"),
                      "/api/site.json": (b'{"contact": "Contact us"}', "application/json"),
                      "/api/pages/home.json": (b'{"title": "SEND Local Offer"}', "application/json")})

    rendering = _render(_LateRenderer(SimpleNamespace(engine=engine), "lo-audit-test", seconds=20), shell)
    assert rendering.status == "rendered", rendering
    assert "<h1>SEND Local Offer</h1>" in rendering.dom and 'href="/contact-us"' in rendering.dom
    assert "3 request(s) fetched" in rendering.detail


@pytest.mark.parametrize("when", [
    "setTimeout(() => { for (;;) {} }, 0);",  # before the page has loaded: the navigation never ends
    "window.addEventListener('load', () => setTimeout(() => { for (;;) {} }, 0));",  # after: asking for its count never ends
])
def test_a_script_that_never_yields_is_recorded_without_a_dom(when):
    """A bundle stuck in a loop holds the page's main thread: neither its count nor its DOM
    can be read. The render ends at its limit, with the raw HTML left for the audit."""
    shell = b'<html><body><div id="root"></div><script src="/loop.js"></script></body></html>'
    engine = _Engine({"/loop.js": (b"document.getElementById('root').textContent = 'x'; " + when.encode(),
                                   "application/javascript")})
    rendering = _render(Renderer(SimpleNamespace(engine=engine), "lo-audit-test", seconds=3), shell)
    assert rendering.status == "unsettled" and rendering.dom is None, rendering
    assert "still running" in rendering.detail
