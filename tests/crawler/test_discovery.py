"""Finding a council's Local Offer: the pure judgement (crawler.discovery) on realistic
links and pages, decoys included, then real ``lo-audit crawl`` and ``lo-audit discover``
runs through a loopback proxy serving councils under realistic host names.

Shapes of the fixtures: council home pages follow the GOV.UK-style LocalGov Drupal
service-navigation (a header "Services" menu of topic links such as "Children, education
and families"; topic pages listing service links); a moved Local Offer is the common case
of a council section replaced by a dedicated site (reference/local_offers.csv notes:
Hounslow's beta site, Shropshire's ``next.`` host, Bristol's move into bristol.gov.uk).
"""

from __future__ import annotations

import json

import pytest

from audit.core.page import Page
from crawler import discovery
from crawler.discovery import Candidate

from conftest import Reply, page, run_crawl, lo_audit, write_seeds


# ------------------------------------------------------------------------ pure judgement
@pytest.mark.parametrize("text,url,wanted", [
    ("SEND Local Offer", "https://www.x.gov.uk/send-local-offer", "high"),
    ("Local Offer", "https://localoffer.x.gov.uk/", "high"),
    ("Special educational needs and disabilities (SEND)", "https://www.x.gov.uk/send", "some"),
    ("SEN/D support", "https://www.x.gov.uk/sen-support", "some"),
    ("Local offers on leisure passes", "https://www.x.gov.uk/leisure/offers", "decoy"),
    ("Council tax discounts and local offers", "https://www.x.gov.uk/council-tax/discounts", "decoy"),
    ("Ashdown Primary: SEN information report", "https://ashdown.sch.uk/sen-report", "decoy"),
    ("New SEND Local Offer website launched", "https://www.x.gov.uk/news/2026/05/new-local-offer", "decoy"),
    ("Send us a message", "https://www.x.gov.uk/contact", None),
    ("Bins and recycling", "https://www.x.gov.uk/bins", None),
])
def test_link_scores(text, url, wanted):
    scored = discovery.score_link(text, url)
    if wanted is None:
        assert scored is None
        return
    score, evidence = scored
    assert text[:20] in evidence
    if wanted == "high":
        assert score >= discovery.STRONG
    elif wanted == "some":
        assert 0 < score < discovery.STRONG
    else:
        assert score < 0, (score, evidence)


def _page(html: str, url: str = "https://www.ashdown.gov.uk/") -> Page:
    return Page(url, html)


def test_judge_page_prefers_a_page_that_names_itself_the_local_offer():
    good = _page("<title>SEND Local Offer | Ashdown</title><h1>Ashdown SEND Local Offer</h1>")
    send = _page("<title>Special educational needs | Ashdown</title><h1>SEND</h1>")
    other = _page("<title>Education | Ashdown</title><h1>Education and learning</h1>")
    news = _page('<title>New Local Offer website | Ashdown</title><meta property="og:type" content="article">'
                 "<h1>New Local Offer website launched</h1>", "https://www.ashdown.gov.uk/council/updates/lo")
    report = _page("<title>SEN Information Report 2025</title><h1>SEN information report</h1>")
    leisure = _page("<title>Local offers and discounts | Leisure</title>")
    scores = {name: discovery.judge_page(p)[0] for name, p in
              [("good", good), ("send", send), ("other", other), ("news", news), ("report", report),
               ("leisure", leisure)]}
    assert scores["good"] > scores["send"] > 0 > scores["other"]
    assert scores["news"] < 0 and scores["report"] < 0 and scores["leisure"] < 0


def test_choose_takes_the_best_live_candidate_above_the_bar():
    weak = Candidate("https://a.example/send", "home", "link 'SEND'", 30)
    dead = Candidate("https://a.example/localoffer", "home", "link 'Local Offer'", 120, dead=True)
    assert discovery.choose([weak, dead])[0] is None
    best = Candidate("https://lo.a.example/", "https://a.example/education", "link 'SEND Local Offer'", 100)
    chosen, reason = discovery.choose([weak, dead, best])
    assert chosen is best and "SEND Local Offer" in reason and "education" in reason
    assert discovery.choose([])[1] == "no candidate named the Local Offer or SEND"


def test_hub_links_follow_the_main_navigation_first():
    home = _page(
        '<header><nav><a href="/children-education-and-families">Children, education and families</a>'
        '<a href="/council-tax">Council tax</a><a href="https://partner.example/families">Families</a></nav></header>'
        '<main><a href="/schools/term-dates">School term dates</a><a href="/">Home</a></main>')
    assert discovery.hub_links(home) == ["https://www.ashdown.gov.uk/children-education-and-families",
                                         "https://www.ashdown.gov.uk/schools/term-dates"]


def test_on_council_sites():
    on = discovery.on_council_sites
    assert on("https://localoffer.ashdown.gov.uk/x", "https://www.ashdown.gov.uk/", "")
    assert on("https://ashdown.fsd.org.uk/kb5/y", "https://www.ashdown.gov.uk/", "https://ashdown.fsd.org.uk/kb5/x")
    assert not on("https://parked.example/", "https://www.ashdown.gov.uk/", "https://localoffer.ashdown.gov.uk/")
    assert not on("https://notashdown.gov.uk/", "https://www.ashdown.gov.uk/", "")


def test_sitemap_candidates_skip_news():
    found = discovery.sitemap_candidates([
        "https://www.a.example/send-local-offer", "https://www.a.example/news/local-offer-update",
        "https://www.a.example/send", "https://www.a.example/bins"], "https://www.a.example/sitemap.xml")
    assert [(c.url, c.score) for c in found] == [("https://www.a.example/send-local-offer", 40),
                                                 ("https://www.a.example/send", 20)]


# ------------------------------------------------------------------------ crawls
CHALLENGE = ('<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
             "<noscript>Enable JavaScript and cookies to continue</noscript></body></html>")
AKAMAI_DENIED = ('<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>You don\'t have '
                 'permission to access "http&#58;&#47;&#47;www&#46;fernley&#46;example&#47;robots&#46;txt" on this '
                 "server.<P>Reference&#32;&#35;18&#46;5c1e2e17&#46;1700000000&#46;1a2b3c</BODY></HTML>")


def lo_site(web, host: str, name: str) -> None:
    """A small Local Offer on ``host``: home and two pages."""
    web.route("/", page("/education", "/health", title=f"{name} SEND Local Offer"), host=host)
    web.route("/education", page("/", title="Education"), host=host)
    web.route("/health", page("/", title="Health"), host=host)


def council_row(code: str, name: str, local_offer_url: str, council_url: str) -> dict:
    return {"code": code, "name": name, "local_offer_url": local_offer_url, "council_url": council_url,
            "scope": ""}


@pytest.fixture(scope="module")
def discovery_crawl(tmp_path_factory):
    from conftest import Web

    web = Web()

    def dns_error(req, h):
        return Reply(502, "proxy: no such host\n", {"Proxy-Status": "testproxy; error=dns_error"}, "text/plain")

    web.fallback = lambda req, h: (Reply(404, page(title="Page not found")) if req.host in KNOWN
                                   else dns_error(req, h))
    # D1: no registry URL; the home page's navigation leads to the Local Offer; decoys on the way.
    web.route("/", (
        '<html><head><title>Ashdown Council</title></head><body><header><nav>'
        '<a href="/children-education-and-families">Children, education and families</a>'
        '<a href="/council-tax">Council tax</a></nav></header><main>'
        '<a href="/leisure/offers">Local offers on leisure passes</a>'
        '<a href="/news/2026/05/new-local-offer">New SEND Local Offer website launched</a>'
        "</main></body></html>"), host="www.ashdown.example")
    web.route("/children-education-and-families", page(
        "http://localoffer.ashdown.example/", "https://ashdownprimary.example/sen-report",
        title="Children, education and families") .replace("link 0", "SEND Local Offer")
        .replace("link 1", "Ashdown Primary: SEN information report"), host="www.ashdown.example")
    web.route("/leisure/offers", page(title="Local offers on leisure passes"), host="www.ashdown.example")
    web.route("/news/2026/05/new-local-offer", page(title="New Local Offer website launched"),
              host="www.ashdown.example")
    lo_site(web, "localoffer.ashdown.example", "Ashdown")
    # D2: the registry URL is dead (404); the council home links to the new one.
    web.route("/", page("http://send.bexford.example/", title="Bexford Council").replace("link 0", "SEND Local Offer"),
              host="www.bexford.example")
    lo_site(web, "send.bexford.example", "Bexford")
    # D3: a bot wall on the Local Offer (Cloudflare managed challenge).
    web.route("/", Reply(403, CHALLENGE, {"cf-mitigated": "challenge", "Server": "cloudflare"}),
              host="localoffer.cardew.example")
    # D4: robots.txt refused by Akamai's edge.
    web.route("/robots.txt", Reply(403, AKAMAI_DENIED, {"Server": "AkamaiGHost"}), host="www.fernley.example")
    web.route("/send/", page(title="Fernley SEND Local Offer"), host="www.fernley.example")
    # D5: the Local Offer's server fails (503, no challenge): unreachable, no discovery.
    web.route("/", Reply(503, page(title="Service unavailable")), host="localoffer.dunholt.example")
    # D6: nothing anywhere on the council's site.
    web.route("/", page("/bins", "/council-tax", title="Eskdale Council"), host="www.eskdale.example")
    web.route("/bins", page(title="Bins"), host="www.eskdale.example")
    # D7: the only candidate redirects in a loop.
    web.route("/", page("/localoffer", title="Farrow Council").replace("link 0", "SEND Local Offer"),
              host="www.farrow.example")
    web.route("/localoffer", Reply(302, "", {"Location": "/local-offer/"}), host="www.farrow.example")
    web.route("/local-offer/", Reply(302, "", {"Location": "/localoffer"}), host="www.farrow.example")
    # D8: the registry URL redirects off the council's sites (to a parked domain); the council
    # links to its Local Offer in a section of its own site.
    web.route("/", Reply(301, "", {"Location": "http://parked.example/"}), host="localoffer.gorsey.example")
    web.route("/", page(title="This domain is for sale"), host="parked.example")
    web.route("/", page("/send-local-offer", title="Gorsey Council").replace("link 0", "Local Offer"),
              host="www.gorsey.example")
    web.route("/send-local-offer", page("/send-local-offer/health", title="Gorsey Local Offer"),
              host="www.gorsey.example")
    web.route("/send-local-offer/health", page(title="Health"), host="www.gorsey.example")
    # D9: the registry host does not resolve; the council home links to the Local Offer.
    web.route("/", page("http://localoffer.hexham.example/", title="Hexham Council")
              .replace("link 0", "Special educational needs and disabilities (SEND) Local Offer"),
              host="www.hexham.example")
    lo_site(web, "localoffer.hexham.example", "Hexham")
    KNOWN.update(r.split("/", 1)[0] for r in web.routes if not r.startswith("/"))
    rows = [
        council_row("D1", "Ashdown", "", "http://www.ashdown.example/"),
        council_row("D2", "Bexford", "http://www.bexford.example/send-local-offer", "http://www.bexford.example/"),
        council_row("D3", "Cardew", "http://localoffer.cardew.example/", "http://www.cardew.example/"),
        council_row("D4", "Fernley", "http://www.fernley.example/send/", "http://www.fernley.example/"),
        council_row("D5", "Dunholt", "http://localoffer.dunholt.example/", "http://www.dunholt.example/"),
        council_row("D6", "Eskdale", "", "http://www.eskdale.example/"),
        council_row("D7", "Farrow", "", "http://www.farrow.example/"),
        council_row("D8", "Gorsey", "http://localoffer.gorsey.example/", "http://www.gorsey.example/"),
        council_row("D9", "Hexham", "http://localoffer.gone-hexham.example/", "http://www.hexham.example/"),
    ]
    result = run_crawl(tmp_path_factory.mktemp("discovery"), rows, env={"http_proxy": web.base})
    yield result, web
    web.close()


KNOWN: set[str] = set()


def candidates(result, code: str) -> dict[str, dict]:
    return {r["candidate_url"]: r for r in result.rows("SELECT * FROM discoveries WHERE council_code = ?", [code])}


def test_found_from_the_home_pages_navigation_and_decoys_lose(discovery_crawl):
    result, web = discovery_crawl
    site = result.site("D1")
    assert (site["status"], site["seed_source"], site["not_assessed_reason"]) == ("ok", "discovered", None)
    assert site["seed_url"] == "http://localoffer.ashdown.example/"
    assert site["pages_fetched"] == 3
    found = candidates(result, "D1")
    chosen = [url for url, r in found.items() if r["chosen"]]
    assert chosen == ["http://localoffer.ashdown.example/"]
    lo = found["http://localoffer.ashdown.example/"]
    assert lo["found_on"] == "http://www.ashdown.example/children-education-and-families"
    assert "SEND Local Offer" in lo["evidence"]
    for decoy in ("http://www.ashdown.example/leisure/offers", "http://www.ashdown.example/news/2026/05/new-local-offer",
                  "https://ashdownprimary.example/sen-report"):
        assert found[decoy]["chosen"] == 0 and found[decoy]["score"] < 0, found[decoy]
    # Decoys scored below zero are never fetched; the council tax page is no hub.
    assert web.hits("/leisure/offers", host="www.ashdown.example") == 0
    assert web.hits("/council-tax", host="www.ashdown.example") == 0
    # Politeness applies to discovery: robots.txt first, honest User-Agent.
    home = [r for r in web.requests if r.host == "www.ashdown.example"]
    assert home[0].target == "/robots.txt" and all("lo-audit" in r.headers["user-agent"] for r in home)


def test_moved_local_offer_registry_404_then_found_from_the_council_home(discovery_crawl):
    result, _ = discovery_crawl
    site = result.site("D2")
    assert (site["status"], site["seed_source"]) == ("ok", "moved")
    assert site["seed_url"] == "http://send.bexford.example/" and site["pages_fetched"] == 3
    dead = result.fetch("http://www.bexford.example/send-local-offer")
    assert (dead["kind"], dead["status"]) == ("discovery", 404)  # evidence, not a page of the Local Offer
    assert "moved" in result.stdout and "send.bexford.example" in result.stdout


def test_bot_walled_local_offer_is_blocked_with_evidence(discovery_crawl):
    result, web = discovery_crawl
    site = result.site("D3")
    assert (site["status"], site["not_assessed_reason"]) == ("blocked", "blocked")
    evidence = json.loads(site["block_evidence"])
    assert evidence["status"] == 403 and evidence["server"].endswith("cloudflare")
    assert evidence["marker"].startswith("Cloudflare: cf-mitigated")
    assert web.hits("/", host="localoffer.cardew.example") == 1  # asked once, not evaded, not hammered


def test_robots_txt_refused_by_a_waf_makes_the_site_blocked(discovery_crawl):
    result, web = discovery_crawl
    site = result.site("D4")
    assert (site["status"], site["not_assessed_reason"]) == ("blocked", "blocked")
    evidence = json.loads(site["block_evidence"])
    assert evidence["marker"].startswith("Akamai") and evidence["server"].endswith("AkamaiGHost")
    assert web.hits("/send/", host="www.fernley.example") == 0


def test_unreachable_local_offer_is_not_scored_and_not_rediscovered(discovery_crawl):
    result, web = discovery_crawl
    site = result.site("D5")
    assert (site["status"], site["not_assessed_reason"]) == ("unreachable", "unreachable")
    assert "503" in site["reason"]
    assert web.hits("/", "GET", host="localoffer.dunholt.example") == 3  # after two retries
    assert not [r for r in web.requests if r.host == "www.dunholt.example"]
    assert site["seed_source"] == "registry"


def test_no_local_offer_anywhere(discovery_crawl):
    result, web = discovery_crawl
    site = result.site("D6")
    assert (site["status"], site["not_assessed_reason"], site["seed_url"]) == \
        ("no_local_offer_found", "no_local_offer_found", None)
    assert "discovery found none" in site["reason"]
    # It looked: the home page, the sitemap, the common paths.
    asked = {r.target for r in web.requests if r.host == "www.eskdale.example"}
    assert {"/", "/sitemap.xml", "/localoffer", "/send-local-offer"} <= asked
    assert "/bins" not in asked  # not about children or education: no reason to look there


def test_a_looping_candidate_is_recorded_and_the_run_goes_on(discovery_crawl):
    result, _ = discovery_crawl
    site = result.site("D7")
    assert site["status"] == "no_local_offer_found"
    loop = candidates(result, "D7")["http://www.farrow.example/localoffer"]
    assert loop["chosen"] == 0 and ("loop" in loop["evidence"] or "redirect" in loop["evidence"]), loop
    assert result.one("SELECT status FROM crawls")["status"] == "complete"


def test_registry_url_redirecting_off_the_councils_sites_is_rediscovered(discovery_crawl):
    result, web = discovery_crawl
    site = result.site("D8")
    assert (site["status"], site["seed_source"]) == ("ok", "moved")
    assert site["seed_url"] == "http://www.gorsey.example/send-local-offer"
    assert site["scope"] == "http://www.gorsey.example/send-local-offer/"
    assert site["pages_fetched"] == 2
    found = candidates(result, "D8")
    assert found["http://parked.example/"]["chosen"] == 0
    assert "redirect" in found["http://parked.example/"]["found_on"]


def test_registry_host_that_does_not_resolve_is_rediscovered(discovery_crawl):
    result, _ = discovery_crawl
    site = result.site("D9")
    assert (site["status"], site["seed_source"], site["seed_url"]) == \
        ("ok", "moved", "http://localoffer.hexham.example/")


def test_discover_command_finds_without_crawling(tmp_path):
    from conftest import Web

    web = Web()
    try:
        web.fallback = lambda req, h: Reply(404, page(title="Page not found"))
        web.route("/", page("http://localoffer.ashdown.example/", title="Ashdown Council")
                  .replace("link 0", "SEND Local Offer"), host="www.ashdown.example")
        lo_site(web, "localoffer.ashdown.example", "Ashdown")
        seeds = write_seeds(tmp_path / "seeds.csv", [
            council_row("D1", "Ashdown", "", "http://www.ashdown.example/"),
            council_row("D2", "Bad", "", "ftp://www.bad.example/"),
        ])
        db = tmp_path / "d.db"
        proc = lo_audit("discover", "--seeds", seeds, "--db", db, "--download-delay", "0",
                        env={"http_proxy": web.base})
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "line 3: D2: council_url 'ftp://www.bad.example/' must start with http" in proc.stderr
        lines = proc.stdout.splitlines()
        assert any(line.strip().startswith("D1 Ashdown: found http://localoffer.ashdown.example/") for line in lines)
        assert any(line.strip().startswith("D2 Bad: no_local_offer_found") and "no council website" in line
                   for line in lines), lines
        from conftest import query
        assert query(db, "SELECT status FROM crawls") == [{"status": "discovery"}]
        # Found, judged from its home page, never crawled.
        assert web.hits("/", host="localoffer.ashdown.example") == 1
        assert web.hits("/education", host="localoffer.ashdown.example") == 0
    finally:
        web.close()


# ------------------------------------------------------------------ the audit and the pages
@pytest.fixture(scope="module")
def discovery_audit(discovery_crawl):
    result, _ = discovery_crawl
    proc = lo_audit("audit", "--db", result.db_path, "--as-of", "2026-11-23", "--axe-sample", "0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return result, proc


def test_councils_not_seen_are_not_assessed_never_scored_or_ranked(discovery_audit):
    """SPEC "Every council accounted for": a council is assessed when its Local Offer was
    found and its home page read; otherwise NULL score, rank and points, with the reason."""
    result, proc = discovery_audit
    scores = {r["council_code"]: r for r in result.rows(
        "SELECT * FROM council_scores WHERE audit_id = (SELECT max(audit_id) FROM audits)")}
    assessed = {code for code, r in scores.items() if r["assessed"]}
    assert {"D1", "D2", "D8", "D9"} <= assessed
    expected = {"D3": "blocked", "D4": "blocked", "D5": "unreachable", "D6": "no_local_offer_found",
                "D7": "no_local_offer_found"}
    for code, reason in expected.items():
        row = scores[code]
        assert (row["assessed"], row["not_assessed_reason"]) == (0, reason), row
        assert row["score"] is None and row["rank"] is None
        assert all(v is None for k, v in row.items() if k.startswith("score_")), row
        # nothing measured of what was not seen: no zeros standing in for "unknown"
        assert row["links_checked"] is None and row["statutory_found"] is None
    assert scores["D6"]["send_space"] == "not_found"  # discovery ran and found nothing
    assert scores["D3"]["send_space"] is None  # blocked: unknown, not "not found"
    ranks = [r["rank"] for r in scores.values() if r["assessed"]]
    assert None not in ranks and min(ranks) == 1 and max(ranks) <= len(assessed)  # ranked among the assessed only
    assert (scores["D1"]["seed_source"], scores["D1"]["seed_url"]) == ("discovered", "http://localoffer.ashdown.example/")
    assert scores["D2"]["seed_source"] == "moved"
    # The league table lists the ranked councils first, then the rest.
    league = [r["council_code"] for r in result.rows("SELECT council_code, rank FROM league_table")]
    assert set(league[:len(assessed)]) == assessed
    assert "not assessed" in proc.stdout and "blocked" in proc.stdout
    # No statutory "not found" rows or findings for a site nobody could read.
    assert not result.rows("SELECT * FROM statutory_coverage WHERE council_code = 'D3'")
    reasons = result.rows("SELECT target, evidence FROM findings WHERE council_code = 'D3'")
    assert [r["target"] for r in reasons] == ["blocked"] and "cloudflare" in reasons[0]["evidence"].lower()


def test_front_page_lists_not_assessed_councils_apart_and_report_cards_say_how_found(discovery_audit):
    import asyncio

    from audit.serve import make_datasette

    result, _ = discovery_audit

    async def fetch(*paths):
        ds = make_datasette(result.db_path)
        return [await ds.client.get(p) for p in paths]

    front, blocked, found = asyncio.run(fetch("/", "/council/D3", "/council/D1"))
    assert front.status_code == 200
    html = front.text
    ranked_table, apart = html.split('id="not-assessed"')
    for name in ("Cardew", "Fernley", "Dunholt", "Eskdale", "Farrow"):
        assert name not in ranked_table.split("<table", 1)[1] and name in apart
    assert "Site refuses automated visitors" in apart and "No Local Offer found" in apart
    assert "Site unreachable" in apart
    for name in ("Ashdown", "Bexford"):
        assert name in ranked_table
    assert "Not ranked" in blocked.text and "Not assessed in this audit" in blocked.text
    assert "cloudflare" in blocked.text.lower()
    assert "found from the council&#39;s website" in found.text or "found from the council's website" in found.text
    assert "http://localoffer.ashdown.example/" in found.text and "SEND Local Offer" in found.text
