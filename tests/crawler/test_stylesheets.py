"""Stylesheets archived by the crawl (crawler.stylesheets, LocalOfferSpider.stylesheet_request):
each distinct on-site stylesheet once per crawl, @import followed, and the huge, the
missing, the looping and the surplus ones bounded and recorded. One crawl, several facts."""

from __future__ import annotations

import pytest

from audit.core.evidence import WarcReader
from crawler.settings import MAX_STYLESHEETS_PER_SITE, STYLESHEET_MAX_BYTES

from conftest import Reply, council, run_crawl, web_factory


def styled(title: str, *sheets: str, style: str = "") -> str:
    links = "".join(f'<link rel="stylesheet" href="{s}">' for s in sheets)
    return (f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>{links}'
            f'<link rel="stylesheet" media="print" href="/lo/css/print.css">'
            f'<link rel="alternate stylesheet" title="High contrast" href="/lo/css/hc.css">'
            f'{style}</head><body><h1>{title}</h1><a href="/lo/b.html">B</a></body></html>')


CSS = Reply(200, "", content_type="text/css")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    with web_factory() as make:
        a, other, b = make(), make("127.0.0.2"), make()
        a.route("/lo/", styled("Home", "/lo/css/site.css", "/assets/huge.css", "/assets/missing.css",
                               f"{other.base}/fonts.css", style="<style>@import url('/lo/css/inline.css');</style>"))
        a.route("/lo/b.html", styled("B", "/lo/css/site.css"))  # the same stylesheet again: not fetched again
        a.route("/lo/css/site.css", Reply(200, "@import 'a.css';\n/* @import 'commented.css'; */\n"
                                               "body { color: #777; background: #fff }", content_type="text/css"))
        a.route("/lo/css/a.css", Reply(200, '@import url("b.css") screen;\n.a{}', content_type="text/css"))
        a.route("/lo/css/b.css", Reply(200, "@import url(a.css);\n.b{}", content_type="text/css"))  # loops to a
        a.route("/lo/css/inline.css", Reply(200, ".inline{}", content_type="text/css"))
        a.route("/assets/huge.css", Reply(200, "a{}" * (STYLESHEET_MAX_BYTES // 3 + 1000), content_type="text/css"))
        other.route("/fonts.css", Reply(200, "@font-face{}", content_type="text/css"))
        many = [f"/lo/css/m{i}.css" for i in range(MAX_STYLESHEETS_PER_SITE + 5)]
        b.route("/lo/", styled("Many", *many))
        b.fallback = Reply(200, ".m{}", content_type="text/css")
        result = run_crawl(tmp_path_factory.mktemp("css"), [council("E1", a.url("/lo/")), council("E2", b.url("/lo/"))])
        yield result, a, other, b


def sheets(result, code):
    return {r["url"].split("/", 3)[3]: r for r in result.rows(
        "SELECT * FROM fetches WHERE council_code = ? AND kind = 'stylesheet'", [code])}


def test_each_stylesheet_fetched_once_and_archived(crawl):
    result, a, other, _ = crawl
    got = sheets(result, "E1")
    assert {"lo/css/site.css", "lo/css/a.css", "lo/css/b.css", "lo/css/inline.css"} <= set(got)
    assert a.hits("/lo/css/site.css") == 1  # two pages use it: one request a crawl
    row = got["lo/css/site.css"]
    assert row["status"] == 200 and row["warc_file"] and row["referrer"] == a.url("/lo/")
    body = WarcReader(result.db_path).body(row["warc_file"], row["warc_offset"])
    assert b"color: #777" in body
    # commented-out imports, print-only and alternate stylesheets are not fetched; another site's neither
    assert a.hits("/lo/css/commented.css") == a.hits("/lo/css/print.css") == a.hits("/lo/css/hc.css") == 0
    assert other.requests == [] and not any("fonts.css" in u for u in got)


def test_import_loop_huge_and_missing_are_bounded_and_recorded(crawl):
    result, a, _, _ = crawl
    got = sheets(result, "E1")
    assert a.hits("/lo/css/a.css") == a.hits("/lo/css/b.css") == 1
    assert "@import loop" in (got["lo/css/b.css"]["error_detail"] or "") and got["lo/css/b.css"]["status"] == 200
    huge = got["assets/huge.css"]
    assert huge["status"] is None and huge["error"] == "too_large" and huge["warc_file"] is None
    missing = got["assets/missing.css"]
    assert missing["status"] == 404 and missing["warc_file"] is None


def test_stylesheets_per_site_are_capped_and_the_rest_recorded(crawl):
    result, _, _, b = crawl
    got = sheets(result, "E2")
    fetched = [r for r in got.values() if r["status"] == 200]
    skipped = [r for r in got.values() if r["error"] == "skipped_stylesheet_budget"]
    assert len(fetched) == MAX_STYLESHEETS_PER_SITE and len(skipped) == 5
    assert sum(1 for r in b.requests if r.target.endswith(".css")) == MAX_STYLESHEETS_PER_SITE
