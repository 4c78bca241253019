"""Integration tests of the crawler: real ``lo-audit crawl`` runs (subprocess) against real
HTTP servers on loopback, asserting on the rows of the real SQLite database they write.

Each module-scoped fixture runs one crawl over several small councils (one server each),
and the tests read different facts from it, so the whole file stays fast.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
from warcio.archiveiterator import ArchiveIterator

from audit.core.evidence import WarcReader
from audit.core.scope import in_scope
from audit.core.urls import canonical_url
from crawler.traps import TRAP_BUDGET

from conftest import HTML, ROOT, Reply, closed_port, council, lo_audit, page, query, run_crawl, web_factory

ALLOWED_KINDS = {"page", "document", "robots", "sitemap", "open_data", "search"}


@pytest.fixture(scope="module")
def servers():
    """Factory for servers shared by a module's crawls, closed after the module."""
    with web_factory() as make:
        yield make


def kinds_and_scope_ok(result, code: str) -> list[str]:
    """Problems with a council's fetches rows: unknown kinds, or pages/documents out of scope."""
    scope = tuple(result.site(code)["scope"].split())
    problems = []
    for row in result.rows("SELECT url, kind, error FROM fetches WHERE council_code = ?", [code]):
        if row["kind"] not in ALLOWED_KINDS:
            problems.append(f"kind {row['kind']} for {row['url']}")
        if row["kind"] in ("page", "document") and not in_scope(row["url"], scope):
            problems.append(f"out-of-scope {row['kind']} {row['url']}")
    return problems


# ----------------------------------------------------------------------------- Scope
@pytest.fixture(scope="module")
def scope_crawl(servers, tmp_path_factory):
    a, b, c = servers(), servers(), servers()
    # A: a file-like seed; its folder /lo/ is the scope.
    a.route("/lo/index.html", page("/lo/a.html", "sub/b.html", "/other/x.html", "/lo-old/c.html",
                                   "http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/",
                                   title="Local Offer home"))
    a.route("/lo/a.html", page("/lo/index.html", "/other/x.html", "a.html;jsessionid=F00D?utm_source=x",
                               "a.html?PHPSESSID=abc", "a.html#top", "/lo/./a.html", title="A"))
    a.route("/lo/sub/b.html", page("../a.html", title="B"))
    a.route("/other/x.html", page("/other/y.html", title="Outside"))
    a.route("/other/y.html", page(title="Never"))
    a.route("/lo-old/c.html", page("/lo-old/d.html", title="Old"))
    # B: a folder seed without trailing slash.
    b.route("/send", page("/send/x", "/send-old", "/send-old/y", title="SEND"))
    b.route("/send/x", page("/send", title="X"))
    b.route("/send-old", page("/send-old/z", title="Old SEND"))
    b.route("/send-old/y", page(title="Old Y"))
    # C: an explicit scope column with two folders of a council site.
    c.route("/families/send/", page("/education/send/ehcp.html", "/education/admissions.html", title="C"))
    c.route("/education/send/ehcp.html", page("/families/send/", "/education/send/more.html", title="EHCP"))
    c.route("/education/send/more.html", page(title="More"))
    c.route("/education/admissions.html", page("/education/admissions2.html", title="Admissions"))
    rows = [
        council("E1", a.url("/lo/index.html")),
        council("E2", b.url("/send")),
        council("E3", c.url("/families/send/"), scope=f"{c.url('/families/send/')} {c.url('/education/send/')}"),
    ]
    result = run_crawl(tmp_path_factory.mktemp("scope"), rows)
    return result, a, b, c


def test_default_scope_of_file_like_seed_is_its_folder(scope_crawl):
    result, a, _, _ = scope_crawl
    assert result.site("E1")["scope"] == a.url("/lo/")
    assert result.site("E1")["status"] == "ok"
    fetched = {r["url"] for r in result.rows(
        "SELECT url FROM fetches WHERE council_code='E1' AND kind='page' AND status=200")}
    assert fetched == {a.url("/lo/index.html"), a.url("/lo/a.html"), a.url("/lo/sub/b.html")}
    assert result.site("E1")["pages_fetched"] == 3


def test_out_of_scope_links_are_checked_with_head_but_never_crawled(scope_crawl):
    result, a, b, _ = scope_crawl
    check = result.check(a.url("/other/x.html"))
    assert check["outcome"] == "ok" and check["method"] == "HEAD" and check["status"] == 200
    # Linked from two pages, checked once, never downloaded, its own links never followed.
    assert a.hits("/other/x.html", "HEAD") == 1
    assert a.hits("/other/x.html", "GET") == 0
    assert a.hits("/other/y.html") == 0 and a.hits("/lo-old/d.html") == 0
    assert result.rows("SELECT * FROM links WHERE source_url = ?", [a.url("/other/x.html")]) == []
    assert result.check(a.url("/other/y.html")) is None
    assert result.fetch(a.url("/other/x.html")) is None
    # The link itself is in the link graph, flagged out of scope.
    link = result.one("SELECT in_scope FROM links WHERE source_url=? AND target_url=?",
                      [a.url("/lo/index.html"), a.url("/other/x.html")])
    assert link["in_scope"] == 0


def test_session_ids_and_fragments_do_not_multiply_pages(scope_crawl):
    result, a = scope_crawl[:2]
    assert [t for t in a.targets() if t.startswith("/lo/a.html") or t.startswith("/lo/./")] == ["/lo/a.html"]
    assert result.one("SELECT count(*) n FROM fetches WHERE url LIKE '%/lo/a.html%'")["n"] == 1


def test_folder_seed_covers_folder_and_children_not_siblings(scope_crawl):
    result, _, b, _ = scope_crawl
    assert result.site("E2")["scope"] == b.url("/send/")
    assert b.hits("/send", "GET") == 1 and b.hits("/send/x", "GET") == 1
    for sibling in ("/send-old", "/send-old/y"):
        assert b.hits(sibling, "GET") == 0, sibling
        assert b.hits(sibling, "HEAD") == 1, sibling
        assert result.check(b.url(sibling))["outcome"] == "ok"
    assert b.hits("/send-old/z") == 0


def test_explicit_scope_column_with_two_prefixes(scope_crawl):
    result, _, _, c = scope_crawl
    assert result.site("E3")["scope"].split() == [c.url("/families/send/"), c.url("/education/send/")]
    assert c.hits("/education/send/ehcp.html", "GET") == 1
    assert c.hits("/education/send/more.html", "GET") == 1
    assert c.hits("/education/admissions.html", "GET") == 0
    assert c.hits("/education/admissions.html", "HEAD") == 1
    assert c.hits("/education/admissions2.html") == 0
    assert result.site("E3")["pages_fetched"] == 3


def test_fetches_hold_only_in_scope_pages_documents_robots_and_sitemaps(scope_crawl):
    result = scope_crawl[0]
    for code in ("E1", "E2", "E3"):
        assert kinds_and_scope_ok(result, code) == []
    kinds = {r["kind"] for r in result.rows("SELECT DISTINCT kind FROM fetches")}
    assert {"page", "robots", "sitemap"} <= kinds


def test_loopback_seed_never_reaches_other_private_ranges(scope_crawl):
    result = scope_crawl[0]
    for url in ("http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/"):
        check = result.check(url)
        assert check is not None, url
        assert check["outcome"] == "broken"
        assert "private address" in check["reason"]


def test_warc_records_hold_the_exact_bodies_served(scope_crawl):
    result, a, b, c = scope_crawl
    rows = result.rows("SELECT * FROM fetches WHERE kind='page' AND status=200")
    assert len(rows) == 8  # E1: 3, E2: 2, E3: 3
    reader = WarcReader(result.db_path)
    routes = {}
    for web in (a, b, c):
        routes.update({web.url(path): reply.body.encode() for path, reply in web.routes.items()})
    for row in rows:
        assert row["warc_file"] and row["warc_offset"] is not None, row["url"]
        expected = routes[row["final_url"]]
        with open(result.db_path.parent / row["warc_file"], "rb") as fh:
            fh.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == row["final_url"]
            assert record.http_headers.get_statuscode() == "200"
            assert record.content_stream().read() == expected
        assert reader.body(row["warc_file"], row["warc_offset"]) == expected
    reader.close()


# ----------------------------------------------------------------- Link classification
@pytest.fixture(scope="module")
def links_crawl(servers, tmp_path_factory):
    t = servers()  # the link targets
    limited = servers("127.0.0.3")  # 429 slows its host's slot down: give it its own slot
    ext = servers("127.0.0.2")  # a target many pages of two councils link to
    a, b = servers(), servers()

    t.route("/404", Reply(404, page(title="Not found")))
    t.route("/410", Reply(410, page(title="Gone")))
    t.route("/500", Reply(500, page(title="Oops")))
    t.route("/401", Reply(401, page(title="Login")))
    t.route("/403", Reply(403, page(title="Forbidden")))
    t.route("/cf", Reply(403, "<html><head><title>Just a moment...</title></head><body>Checking</body></html>",
                         {"cf-mitigated": "challenge"}))
    t.route("/nohead", lambda req, h: Reply(405, "", {"Allow": "GET"}) if req.method == "HEAD"
            else Reply(200, page(title="GET only")))
    for i in range(3):
        t.route(f"/r{i}", Reply(301, "", {"Location": t.url(f"/r{i + 1}")}))
    t.route("/r3", page(title="Moved here"))
    t.route("/loop/a", Reply(302, "", {"Location": "/loop/b"}))
    t.route("/loop/b", Reply(302, "", {"Location": "/loop/a"}))
    for i in range(11):
        t.route(f"/many/{i}", Reply(302, "", {"Location": f"/many/{i + 1}"}))
    t.route("/many/11", page(title="Too far"))
    limited.route("/busy", Reply(429, page(title="Slow down")))
    ext.route("/shared", page(title="gov.uk"))

    refused = f"http://127.0.0.1:{closed_port()}/gone"
    targets = ["/404", "/410", "/500", "/401", "/403", "/cf", "/nohead", "/r0", "/loop/a", "/many/0"]
    links = [t.url(p) for p in targets] + [limited.url("/busy"), ext.url("/shared"), refused,
                                           "http://[::1/bad", "http://127.0.0.1:99999/bad"]
    for web in (a, b):
        web.route("/lo/", page("p1", "p2", *links, title="Home"))
        web.route("/lo/p1", page(t.url("/404"), ext.url("/shared"), title="P1"))
        web.route("/lo/p2", page(t.url("/404"), ext.url("/shared"), title="P2"))
    rows = [council("E1", a.url("/lo/")), council("E2", b.url("/lo/"))]
    result = run_crawl(tmp_path_factory.mktemp("links"), rows)
    return result, t, limited, ext, refused


@pytest.mark.parametrize("path,outcome,reason", [
    ("/404", "broken", "404"),
    ("/410", "broken", "410"),
    ("/500", "broken", "500"),
    ("/401", "blocked", "401"),
    ("/403", "blocked", "403"),
    ("/cf", "blocked", "bot challenge"),
    ("/nohead", "ok", "200"),
])
def test_link_status_classification(links_crawl, path, outcome, reason):
    result, t = links_crawl[:2]
    check = result.check(t.url(path))
    assert check is not None, path
    assert (check["outcome"], check["reason"]) == (outcome, reason)


def test_head_refused_falls_back_to_get(links_crawl):
    result, t = links_crawl[:2]
    check = result.check(t.url("/nohead"))
    assert check["method"] == "GET" and check["status"] == 200
    assert t.hits("/nohead", "HEAD") == 1 and t.hits("/nohead", "GET") == 1


def test_server_errors_are_retried_before_counting_as_broken(links_crawl):
    result, t = links_crawl[:2]
    assert result.check(t.url("/500"))["status"] == 500
    # HEAD and the GET fallback are each tried once plus two retries.
    assert t.hits("/500", "HEAD") == 3
    assert t.hits("/500", "GET") == 3


def test_rate_limited_target_is_blocked_not_broken(links_crawl):
    result, _, limited = links_crawl[:3]
    check = result.check(limited.url("/busy"))
    assert (check["outcome"], check["reason"], check["status"]) == ("blocked", "429", 429)
    assert 1 <= len(limited.requests) <= 3  # retried at most twice


def test_redirect_chain_of_three_is_ok_and_recorded(links_crawl):
    result, t = links_crawl[:2]
    check = result.check(t.url("/r0"))
    assert check["outcome"] == "ok" and check["final_url"] == t.url("/r3")
    assert json.loads(check["redirect_chain"]) == [t.url("/r0"), t.url("/r1"), t.url("/r2")]


def test_redirect_loop_is_broken_loop(links_crawl):
    result, t = links_crawl[:2]
    check = result.check(t.url("/loop/a"))
    assert (check["outcome"], check["reason"]) == ("broken", "loop")
    assert t.hits("/loop/a") + t.hits("/loop/b") <= 12  # stopped by the redirect limit


def test_eleven_redirects_is_too_many(links_crawl):
    result, t = links_crawl[:2]
    check = result.check(t.url("/many/0"))
    assert (check["outcome"], check["reason"]) == ("broken", "too_many_redirects")
    assert t.hits("/many/11") == 0


def test_refused_port_and_malformed_urls_are_broken(links_crawl):
    result, refused = links_crawl[0], links_crawl[4]
    assert (result.check(refused)["outcome"], result.check(refused)["reason"]) == ("broken", "refused")
    for bad in ("http://[::1/bad", "http://127.0.0.1:99999/bad"):
        check = result.check(bad)
        assert check is not None, bad
        assert (check["outcome"], check["reason"]) == ("broken", "malformed"), bad


def test_each_target_checked_once_across_pages_and_councils(links_crawl):
    result, t, _, ext, _ = links_crawl
    # /shared is linked from three pages of each of two councils: one request in all.
    assert ext.hits("/shared") == 1
    assert result.one("SELECT count(*) n FROM link_checks WHERE url=?", [ext.url("/shared")])["n"] == 1
    # /404 likewise: one HEAD, plus the GET fallback HEAD-404 earns.
    assert t.hits("/404", "HEAD") == 1 and t.hits("/404", "GET") <= 1
    for path in ("/410", "/401", "/403", "/cf"):
        assert t.hits(path, "HEAD") == 1, path
        assert t.hits(path, "GET") <= 1, path
    # Both councils' link graphs still record the link.
    n = result.one("SELECT count(DISTINCT council_code) n FROM links WHERE target_url=?", [ext.url("/shared")])
    assert n["n"] == 2


# ------------------------------------------------------------------ SSRF through a proxy
def test_public_seed_never_reaches_private_addresses(servers, tmp_path):
    proxy, canary = servers(), servers()
    host = "www.council.example"
    port = canary.port
    private = [
        f"http://127.0.0.1:{port}/", f"http://localhost:{port}/", f"http://[::1]:{port}/",
        f"http://2130706433:{port}/", f"http://0177.0.0.1:{port}/", "http://169.254.169.254/",
        "http://10.0.0.1/", f"http://0.0.0.0:{port}/", f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://127.1:{port}/", f"http://0x7f.1:{port}/",
    ]
    # Redirects to private addresses, from an in-scope page and from a link check.
    proxy.route("/lo/redir", Reply(302, "", {"Location": f"http://127.0.0.1:{port}/from-redirect"}), host=host)
    proxy.route("/out", Reply(301, "", {"Location": f"http://[::1]:{port}/from-check"}), host=host)
    proxy.route("/lo/", page("/lo/next", "/lo/redir", "/out", *private, title="Public Local Offer"), host=host)
    proxy.route("/lo/next", page(*private, title="Next"), host=host)
    proxy.fallback = lambda req, h: Reply(404 if req.host == host else 502, page(title="no"))
    result = run_crawl(tmp_path, [council("E9", f"http://{host}/lo/")], env={"http_proxy": proxy.base})

    assert canary.requests == []
    assert {r.host for r in proxy.requests} == {host}, [(r.host, r.target) for r in proxy.requests]
    assert proxy.hits("/lo/next", "GET", host=host) == 1
    assert result.site("E9")["pages_fetched"] == 2
    assert proxy.hits("/lo/redir", host=host) == 1 and proxy.hits("/out", host=host) == 1
    for url in (f"http://{host}/lo/redir", f"http://{host}/out"):
        check = result.check(url)
        assert check["outcome"] == "broken" and "private address" in check["reason"], check
    for url in private:
        check = result.check(canonical_url(url))
        # Once, in a fresh clone's CI run, one of these had no row: say what the crawl did with it.
        assert check is not None, (url, result.rows("SELECT * FROM deferred_link_checks WHERE target = ?", [url]),
                                   result.rows("SELECT url, outcome, reason FROM link_checks"), result.stderr[-2000:])
        assert check["outcome"] == "broken", url
        assert "private address" in check["reason"], url
        assert check["status"] is None


# ------------------------------------------------- robots.txt, sitemaps, unreachable sites
@pytest.fixture(scope="module")
def polite_crawl(servers, tmp_path_factory):
    r1, r2, sm, ok = servers(), servers(), servers(), servers()
    r1.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /lo/private\n", content_type="text/plain"))
    r1.route("/lo/", page("private.html", "public.html", title="R1"))
    r1.route("/lo/public.html", page(title="Public"))
    r1.route("/lo/private.html", page(title="Private"))
    r2.route("/robots.txt", Reply(500, "boom", content_type="text/plain"))
    r2.route("/lo/", page("a.html", title="R2"))
    r2.route("/lo/a.html", page(title="R2 a"))
    sm.route("/robots.txt", Reply(200, f"User-agent: *\nAllow: /\nSitemap: {sm.url('/sitemap_index.xml')}\n",
                                  content_type="text/plain"))
    sm.route("/sitemap_index.xml", Reply(200, (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{sm.url('/sitemap_index.xml')}</loc></sitemap>"
        f"<sitemap><loc>{sm.url('/sitemap_pages.xml')}</loc></sitemap>"
        "</sitemapindex>"), content_type="application/xml"))
    sm.route("/sitemap_pages.xml", Reply(200, (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{sm.url('/lo/')}</loc><lastmod>2024-03-01</lastmod></url>"
        f"<url><loc>{sm.url('/lo/only-in-sitemap.html')}</loc><lastmod>2023-05-17T10:00:00+00:00</lastmod></url>"
        f"<url><loc>{sm.url('/elsewhere.html')}</loc><lastmod>2020-01-01</lastmod></url>"
        f"<url><loc>{sm.url('/sitemap_index.xml')}</loc></url>"
        "</urlset>"), content_type="application/xml"))
    sm.route("/lo/", page(title="SM"))
    sm.route("/lo/only-in-sitemap.html", page(title="Only in sitemap"))
    ok.route("/lo/", page("a", title="OK"))
    ok.route("/lo/a", page(title="OK a"))
    unreachable = f"http://127.0.0.1:{closed_port()}/lo/"
    rows = [council("E1", r1.url("/lo/")), council("E2", r2.url("/lo/")), council("E3", sm.url("/lo/")),
            council("E4", ok.url("/lo/")), council("E5", unreachable)]
    result = run_crawl(tmp_path_factory.mktemp("polite"), rows)
    return result, r1, r2, sm, ok


def test_robots_disallow_is_honoured_and_recorded(polite_crawl):
    result, r1 = polite_crawl[:2]
    assert r1.hits("/lo/private.html") == 0
    assert r1.hits("/lo/public.html", "GET") == 1
    row = result.fetch(r1.url("/lo/private.html"))
    assert row is not None and row["error"] == "robots" and row["status"] is None
    assert result.site("E1")["robots_status"] == "200"


def test_robots_404_allows_everything(polite_crawl):
    result, *_, ok = polite_crawl
    site = result.site("E4")
    assert site["robots_status"] == "404 (no rules)"
    assert site["status"] == "ok" and site["pages_fetched"] == 2
    assert ok.hits("/lo/a", "GET") == 1


def test_robots_5xx_treats_site_as_disallowed(polite_crawl):
    result, _, r2 = polite_crawl[:3]
    site = result.site("E2")
    assert site["status"] == "robots_disallowed"
    assert "500" in site["reason"] and "500" in site["robots_status"]
    assert set(r2.targets()) == {"/robots.txt"}  # not one page requested
    assert result.fetch(r2.url("/lo/"))["error"] == "robots"


def test_user_agent_is_honest_with_contact_url(polite_crawl):
    webs = polite_crawl[1:]
    agents = {r.headers.get("user-agent", "") for w in webs for r in w.requests}
    assert agents and all("lo-audit" in ua and "+http" in ua for ua in agents), agents
    row = polite_crawl[0].one("SELECT user_agent FROM crawls")
    assert row["user_agent"] in agents


@pytest.fixture(scope="module")
def sitemap_link_crawl(servers, tmp_path_factory):
    """Two Local Offers at their host's root, each page's footer linking its sitemap, which the
    crawler also reads as a sitemap: one answers, one is gone."""
    live, gone = servers(), servers()
    for web, title in ((live, "Live"), (gone, "Gone")):
        web.route("/robots.txt", Reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain"))
        web.route("/", page("/about.html", "/sitemap.xml", title=title))
        web.route("/about.html", page("/", "/sitemap.xml", title=f"{title} about"))
    live.route("/sitemap.xml", Reply(200, (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{live.url('/about.html')}</loc><lastmod>2024-03-01</lastmod></url></urlset>"),
        content_type="application/xml"))
    # E3: the sitemap (read while the home's one link waits: the host takes one request at a
    # time, a sitemap goes first) lists five pages, of which the page budget of 3 admits one;
    # the page the home links then links the last of them.
    listed = servers()
    listed.route("/", page("/a.html", title="Listed"))
    listed.route("/a.html", page("/p5.html", title="Listed a"))
    listed.route("/sitemap.xml", Reply(200, (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{listed.url(f'/p{n}.html')}</loc></url>" for n in range(1, 6)) + "</urlset>"),
        content_type="application/xml"))
    for n in range(1, 6):
        listed.route(f"/p{n}.html", page(title=f"Listed {n}"))
    result = run_crawl(tmp_path_factory.mktemp("sitemap-link"), [
        council("E1", live.url("/")), council("E2", gone.url("/")), council("E3", listed.url("/"))], "--max-pages", "3")
    return result, live, gone, listed


def test_a_link_to_a_sitemap_read_as_one_is_checked_too(sitemap_link_crawl):
    """The sitemap is requested as a sitemap (never crawled as a page), which had settled every
    link to it: a footer's "Sitemap" link had no check, so a dead one was never called broken,
    and the audit left it out without a word."""
    result, live, gone, _ = sitemap_link_crawl
    for web in (live, gone):
        assert result.one("SELECT count(*) n FROM fetches WHERE url = ? AND kind = 'sitemap'",
                          [web.url("/sitemap.xml")])["n"] == 1
        assert result.one("SELECT count(*) n FROM fetches WHERE url = ? AND kind = 'page'",
                          [web.url("/sitemap.xml")])["n"] == 0  # still not crawled as a page
    assert result.check(live.url("/sitemap.xml"))["outcome"] == "ok"
    assert (result.check(gone.url("/sitemap.xml"))["outcome"], result.check(gone.url("/sitemap.xml"))["status"]) == (
        "broken", 404)


def test_a_link_to_a_page_the_budget_left_out_of_a_sitemaps_list_is_checked(sitemap_link_crawl):
    """A page a sitemap listed and the page budget left out is settled without a check (a
    sitemap's hundreds of entries are not all status-checked); a page's link to it then gets
    the status check any link to a page the budget left out gets."""
    result, *_, listed = sitemap_link_crawl
    assert listed.hits("/p5.html", "GET") == 0
    assert result.fetch(listed.url("/p5.html"))["error"] == "skipped_max_pages"
    assert result.check(listed.url("/p5.html"))["outcome"] == "ok"
    assert result.check(listed.url("/p4.html")) is None  # listed, never linked: not checked


def test_sitemap_lastmod_entries_and_self_referencing_index(polite_crawl):
    result, *_ = polite_crawl
    sm = polite_crawl[3]
    entries = {r["url"]: r["lastmod"] for r in result.rows(
        "SELECT url, lastmod FROM sitemap_entries WHERE council_code='E3'")}
    assert entries == {sm.url("/lo/"): "2024-03-01",
                       sm.url("/lo/only-in-sitemap.html"): "2023-05-17T10:00:00+00:00"}
    assert sm.hits("/sitemap_index.xml") == 1  # listed in itself: read once, no loop
    assert sm.hits("/sitemap_pages.xml") == 1
    # A page known only from the sitemap is still crawled.
    assert sm.hits("/lo/only-in-sitemap.html", "GET") == 1
    assert result.one("SELECT count(*) n FROM fetches WHERE council_code='E3' AND kind='sitemap'")["n"] == 2


def test_unreachable_seed_is_data_and_the_crawl_completes(polite_crawl):
    result, *_ = polite_crawl
    site = result.site("E5")
    assert site["status"] == "unreachable"
    assert site["reason"] and "refused" in site["reason"]
    assert result.one("SELECT status FROM crawls")["status"] == "complete"
    assert result.site("E4")["status"] == "ok"
    assert "E5" in result.stdout and "unreachable" in result.stdout


def test_ignore_robots_crawls_a_robots_5xx_site(web, tmp_path):
    web.route("/robots.txt", Reply(500, "boom", content_type="text/plain"))
    web.route("/lo/", page("a.html", title="Own site"))
    web.route("/lo/a.html", page(title="A"))
    result = run_crawl(tmp_path, [council("E1", web.url("/lo/"))], "--ignore-robots")
    assert result.site("E1")["status"] == "ok"
    assert result.site("E1")["pages_fetched"] == 2
    assert web.hits("/robots.txt") == 0


# ----------------------------------------------------------------------- bounds and traps
SERVICES = 300
LISTINGS = 10


def _calendar(req, h):
    """A month view linking six months back and six ahead, forever (depth alone won't stop it)."""
    month = req.target.split("month=", 1)[1][:7]
    index = int(month[:4]) * 12 + int(month[5:7]) - 1
    near = [index + k for k in range(-6, 7) if k]
    return Reply(200, page(*[f"/lo/events?month={m // 12}-{m % 12 + 1:02d}" for m in near], title=f"Events {month}"))


FACETS = ("a", "b", "c", "d", "e")


def _facets(req, h):
    links = [f"/lo/results?qt={q}&sort={s}&filter={f}" for q in FACETS for s in FACETS for f in FACETS]
    return Reply(200, page(*reversed(links), title="Results"))  # page order is not URL order


BOMB = gzip.compress(b"<html>" + b" " * (12 * 1024 * 1024) + b"</html>")  # ~12 kB -> 12 MB


def _gzip_bomb(req, h):
    return Reply(200, BOMB, {"Content-Encoding": "gzip"})


def _huge_stream(req, h):
    """11 MB with no Content-Length (ends when the connection closes): the cap must stop it mid-stream."""
    h.close_connection = True
    h.send_response(200)
    h.send_header("Content-Type", HTML)
    h.send_header("Connection", "close")
    h.end_headers()
    try:
        h.wfile.write(b"<html><body>")
        chunk = b"x" * (1024 * 1024)
        for _ in range(11):
            h.wfile.write(chunk)
        h.wfile.write(b"</body></html>")
    except (BrokenPipeError, ConnectionResetError):
        pass
    return None


@pytest.fixture(scope="module")
def bounds_crawl(servers, tmp_path_factory):
    trap, deep, big = servers(), servers(), servers()
    trap.route("/lo/", page("events?month=2025-01", "results?qt=a&sort=a&filter=a",
                            *[f"directory.page?page={n}" for n in range(1, LISTINGS + 1)], title="Traps"))
    per = SERVICES // LISTINGS
    for n in range(1, LISTINGS + 1):
        ids = range((n - 1) * per + 1, n * per + 1)
        trap.route(f"/lo/directory.page?page={n}", page(*[f"service.page?id={i}" for i in ids], title=f"List {n}"))
    for i in range(1, SERVICES + 1):
        trap.route(f"/lo/service.page?id={i}", page("directory.page?page=1", title=f"Service {i}"))
    trap.fallback = lambda req, h: (_calendar(req, h) if req.target.startswith("/lo/events?month=")
                                    else _facets(req, h) if req.target.startswith("/lo/results?")
                                    else Reply(404, page(title="Not found")))
    for d in range(16):
        deep.route(f"/lo/d{d}.html", page(f"d{d + 1}.html", title=f"Depth {d}"))
    big.route("/lo/", page("huge.html", "huge-stream.html", "bomb.html", "ok.html", title="Big"))
    big.route("/lo/huge-stream.html", _huge_stream)
    big.route("/lo/huge.html", Reply(200, b"<html><body>" + b"x" * (11 * 1024 * 1024) + b"</body></html>"))
    big.route("/lo/bomb.html", _gzip_bomb)
    big.route("/lo/ok.html", page(title="Fine"))
    rows = [council("E1", trap.url("/lo/")), council("E2", deep.url("/lo/d0.html")), council("E3", big.url("/lo/"))]
    started = time.monotonic()
    result = run_crawl(tmp_path_factory.mktemp("bounds"), rows)
    return result, trap, deep, big, time.monotonic() - started


def test_directory_records_are_all_crawled(bounds_crawl):
    result, trap = bounds_crawl[:2]
    services = [t for t in trap.targets() if t.startswith("/lo/service.page?id=")]
    assert len(services) == SERVICES == len(set(services))
    n = result.one("SELECT count(*) n FROM fetches WHERE council_code='E1' AND status=200 "
                   "AND url LIKE '%/service.page?id=%'")["n"]
    assert n == SERVICES


def test_endless_calendar_costs_at_most_fifty_pages(bounds_crawl):
    result, trap = bounds_crawl[:2]
    calendar = [t for t in trap.targets() if t.startswith("/lo/events?")]
    # The budget is charged before a request is made, so none is in flight past it.
    assert len(calendar) == len(set(calendar)) == TRAP_BUDGET
    skipped = result.one("SELECT count(*) n FROM fetches WHERE council_code='E1' AND error='skipped_trap' "
                         "AND url LIKE '%/events?month=%'")["n"]
    assert skipped >= 1  # the cut is recorded as evidence
    assert result.site("E1")["status"] == "partial"
    assert "trap" in result.site("E1")["reason"]


def test_faceted_search_combinations_are_bounded_and_chosen_by_url(bounds_crawl):
    trap = bounds_crawl[1]
    facets = [t for t in trap.targets() if t.startswith("/lo/results?")]
    # 125 combinations, all linked from the one the seed links to. Which 49 of the other 124
    # are crawled must not depend on response timing: the first ones in URL order.
    first = "/lo/results?qt=a&sort=a&filter=a"
    others = sorted(f"/lo/results?qt={q}&sort={s}&filter={f}" for q in FACETS for s in FACETS for f in FACETS)
    others.remove(first)
    assert sorted(facets) == sorted([first, *others[:TRAP_BUDGET - 1]])


def test_depth_limit_ten(bounds_crawl):
    result, _, deep = bounds_crawl[:3]
    assert deep.hits("/lo/d10.html", "GET") == 1
    assert deep.hits("/lo/d11.html", "GET") == 0  # beyond the limit: not crawled (a HEAD check at most)
    assert result.fetch(deep.url("/lo/d11.html"))["error"] == "skipped_depth"
    depths = [r["depth"] for r in result.rows("SELECT depth FROM fetches WHERE council_code='E2' AND kind='page' "
                                               "AND status=200")]
    assert max(depths) == 10 and len(depths) == 11
    assert result.site("E2")["status"] == "partial"


@pytest.mark.parametrize("path", ["/lo/huge.html", "/lo/huge-stream.html"])
def test_oversized_page_is_recorded_too_large(bounds_crawl, path):
    result, *_, big, _ = bounds_crawl
    row = result.fetch(big.url(path))
    assert row is not None
    assert row["error"] == "too_large", row
    assert row["warc_file"] is None
    # Too big to audit is not a dead link: not counted as broken.
    assert (result.check(big.url(path))["outcome"], result.check(big.url(path))["reason"]) == ("skipped", "too_large")
    assert result.fetch(big.url("/lo/ok.html"))["status"] == 200


def test_gzip_bomb_is_recorded_too_large(bounds_crawl):
    result, *_, big, _ = bounds_crawl
    row = result.fetch(big.url("/lo/bomb.html"))
    assert row is not None
    assert row["error"] == "too_large", row
    assert result.check(big.url("/lo/bomb.html"))["outcome"] == "skipped"
    assert result.site("E3")["pages_fetched"] == 2  # home and ok.html, no crash


@pytest.fixture(scope="module")
def bounds_audit(bounds_crawl, tmp_path_factory):
    """The bounds crawl audited (a copy of its database and WARC files)."""
    result = bounds_crawl[0]
    db = tmp_path_factory.mktemp("bounds-audit") / result.db_path.name
    shutil.copy(result.db_path, db)
    shutil.copytree(result.db_path.parent / f"{result.db_path.stem}-warc", db.parent / f"{db.stem}-warc")
    proc = lo_audit("audit", "--db", db, "--as-of", "2026-11-23", "--axe-sample", "0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return db


def test_targets_too_large_to_read_are_not_counted_as_checked(bounds_crawl, bounds_audit):
    """E3's home links five targets: three too large to read (skipped), ok.html, and nothing
    else. Counting the skipped ones among the links checked would dilute the broken share with
    targets nobody saw; they are listed as links we could not check instead."""
    db, big = bounds_audit, bounds_crawl[3]
    score = query(db, "SELECT links_checked, broken_links, links_unchecked FROM council_scores "
                      "WHERE council_code = 'E3'")[0]
    assert score == {"links_checked": 1, "broken_links": 0, "links_unchecked": 3}  # ok.html (the home is not its own link)
    unchecked = {(r["target"], r["evidence"]) for r in query(
        db, "SELECT target, evidence FROM findings WHERE council_code = 'E3' AND check_name = 'unchecked_link'")}
    assert unchecked == {(big.url(p), "too_large") for p in ("/lo/huge.html", "/lo/huge-stream.html", "/lo/bomb.html")}


def test_links_to_a_traps_variants_not_followed_are_said_not_checked(bounds_crawl, bounds_audit):
    """The calendar's months and the search's filter combinations past the trap budget are
    neither fetched nor status-checked (thousands of requests on a real directory). A link to
    one was left out of the figures without a word; it is now an unchecked link, with why, and
    counted in links_unchecked, never in links_checked."""
    db = bounds_audit
    skipped = {r["url"] for r in query(db, "SELECT url FROM fetches WHERE council_code = 'E1' "
                                           "AND error = 'skipped_trap'")}
    assert len(skipped) >= 75  # 125 filter combinations, 50 of them followed; months past the budget
    findings = query(db, "SELECT target, evidence, detail FROM findings WHERE council_code = 'E1' "
                         "AND check_name = 'unchecked_link'")
    assert {canonical_url(f["target"]) for f in findings} == skipped
    assert {f["evidence"] for f in findings} == {"skipped_trap"}
    assert all("crawler trap" in f["detail"] for f in findings)
    score = query(db, "SELECT links_checked, links_unchecked FROM council_scores WHERE council_code = 'E1'")[0]
    assert score["links_unchecked"] == len(skipped)
    # Every web target the audited pages link is either checked or said not to be.
    linked = {r["target_url"] for r in query(db, "SELECT DISTINCT target_url FROM links WHERE council_code = 'E1' "
                                                 "AND target_url LIKE 'http%'")}
    assert score["links_checked"] + score["links_unchecked"] == len({canonical_url(t) for t in linked})


def test_bounds_crawl_is_fast(bounds_crawl):
    assert bounds_crawl[-1] < 60


def test_max_pages_stops_and_marks_partial(web, tmp_path):
    web.route("/lo/", page(*[f"p{i}.html" for i in range(40)], title="Many"))
    for i in range(40):
        web.route(f"/lo/p{i}.html", page(title=f"P{i}"))
    result = run_crawl(tmp_path, [council("E1", web.url("/lo/"))], "--max-pages", "20")
    # Pages over budget are still link-checked (HEAD), never downloaded.
    fetched = [r.target for r in web.requests if r.target.startswith("/lo/") and r.method == "GET"]
    assert 10 <= len(fetched) <= 20
    assert result.one("SELECT count(*) n FROM fetches WHERE kind='page' AND status IS NOT NULL")["n"] <= 20
    site = result.site("E1")
    assert site["status"] == "partial" and "20" in site["reason"]
    assert result.one("SELECT count(*) n FROM fetches WHERE error='skipped_max_pages'")["n"] >= 20


def test_over_budget_trap_variants_are_not_link_checked(web, tmp_path):
    """Over the page budget, ordinary pages still get a status check, but a search page's
    endless facet combinations do not: one HEAD request each would be 124 requests here, and
    thousands on a real directory, at one request per second."""
    web.route("/lo/", page(*[f"p{i}.html" for i in range(8)], "results?qt=a&sort=a&filter=a", title="Many"))
    for i in range(11):
        web.route(f"/lo/p{i}.html", page(title=f"P{i}"))
    combos = [f"/lo/results?qt={q}&sort={s}&filter={f}" for q in FACETS for s in FACETS for f in FACETS]
    web.fallback = lambda req, h: (Reply(200, page(*combos, "p8.html", "p9.html", "p10.html", title="Results"))
                                   if req.target.startswith("/lo/results?") else Reply(404, page(title="Not found")))
    # The seed and its 8 pages, then the search page (trap families wait for the rest): 10.
    result = run_crawl(tmp_path, [council("E1", web.url("/lo/"))], "--max-pages", "10")
    assert web.hits("/lo/results?qt=a&sort=a&filter=a", "GET") == 1
    assert all(web.hits(f"/lo/p{i}.html", "HEAD") == 1 for i in (8, 9, 10))  # over budget: checked
    assert not [r for r in web.requests if r.target.startswith("/lo/results?") and r.method == "HEAD"]
    assert result.one("SELECT count(*) n FROM fetches WHERE error='skipped_max_pages'")["n"] == 3 + 124
    assert result.site("E1")["status"] == "partial"


def test_slow_server_times_out(make_web, tmp_path):
    fast, slow = make_web(), make_web("127.0.0.4")

    def sleepy(req, h):
        time.sleep(2.5)
        return Reply(200, page(title="Late"))

    slow.fallback = sleepy
    fast.route("/lo/", page("late.html", slow.url("/elsewhere"), title="Home"))
    fast.route("/lo/late.html", sleepy)
    started = time.monotonic()
    result = run_crawl(tmp_path, [council("E1", fast.url("/lo/"))], "--timeout", "1")
    assert time.monotonic() - started < 30
    assert result.fetch(fast.url("/lo/late.html"))["error"] == "timeout"
    check = result.check(slow.url("/elsewhere"))
    assert (check["outcome"], check["reason"]) == ("broken", "timeout")
    assert result.site("E1")["pages_fetched"] == 1


# ------------------------------------------------------------------ connections through a proxy
def test_crawl_through_a_proxy_reuses_its_connections(web, tmp_path):
    """Through an HTTP proxy every site shares one connection pool: Scrapy's default (keep
    CONCURRENT_REQUESTS_PER_DOMAIN idle connections per pool) opened a new connection for
    almost every request once several sites were crawled side by side."""
    hosts = [f"lo{i}.council.example" for i in range(6)]
    paths = ["/lo/"] + [f"/lo/{n}" for n in range(1, 12)]
    for host in hosts:
        for path in paths:
            web.route(path, page(*paths, title=f"{host} {path}"), host=host)
    result = run_crawl(tmp_path, [council(f"E{i}", f"http://{host}/lo/") for i, host in enumerate(hosts)],
                       env={"http_proxy": web.base})
    pages = sum(result.site(f"E{i}")["pages_fetched"] for i in range(len(hosts)))
    assert pages == 6 * 12
    assert len(web.requests) >= pages
    # Six sites one request at a time each: a handful of connections serve every request.
    assert web.connections <= 3 * len(hosts), (web.connections, len(web.requests))


# ------------------------------------------------------------------------------- start-up
def test_scrapy_imports_with_a_cheaper_inspect_stack_and_get_it_back(tmp_path):
    """crawler.http swaps inspect.stack() for a frames-only one while Scrapy's TLS modules
    are imported: their deprecated aliases must still be named after their own module, and
    inspect.stack() must be the standard one again afterwards (with source lines)."""
    script = tmp_path / "probe.py"
    script.write_text(
        "import inspect, crawler.run\n"
        "from scrapy.core.downloader import contextfactory, tls\n"
        "assert inspect.stack.__qualname__ == 'stack', inspect.stack\n"
        "here = inspect.stack()[0].code_context\n"
        "assert here and 'here = inspect.stack()' in here[0], here\n"
        "print(contextfactory.ScrapyClientContextFactory.__module__,\n"
        "      contextfactory.AcceptableProtocolsContextFactory.__module__, tls.ScrapyClientTLSOptions.__module__)\n"
    )
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["scrapy.core.downloader.contextfactory"] * 2 + ["scrapy.core.downloader.tls"]
