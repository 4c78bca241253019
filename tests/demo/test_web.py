"""The offline demo web: a loopback forward proxy serving the fictional councils' sites.

The crawler reaches the demo only through ``http_proxy``, so every test here talks to
the server as a proxy (absolute-URI requests), with both urllib and httpx, the two
client styles the project uses.
"""

from __future__ import annotations

import csv
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from audit.demo.web import DEMO_ROOT, DemoWeb
from audit.core.registry import read_registry

SEEDS = DEMO_ROOT / "councils.csv"
DEAD_COUNCIL = "E99000006"  # Greyholme: local_offer_url on a host the proxy does not know
WALLED_COUNCIL = "E99000010"  # Stourholt: a Cloudflare-style challenge on every path


@pytest.fixture(scope="module")
def web():
    with DemoWeb() as server:
        yield server


@pytest.fixture
def client(web):
    with httpx.Client(proxy=web.proxy_url, follow_redirects=False, timeout=10) as c:
        yield c


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _urllib(web: DemoWeb, follow: bool = True) -> urllib.request.OpenerDirector:
    handlers = [urllib.request.ProxyHandler({"http": web.proxy_url})]
    if not follow:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers)


def test_page_by_virtual_host_through_urllib_proxy(web):
    with _urllib(web).open("http://localoffer.northmoor.example/preparing-for-adulthood/", timeout=10) as r:
        body = r.read().decode()
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.headers["Last-Modified"] is None  # mtimes mean nothing after a git checkout
    assert "<h1 class=\"entry-title\">Preparing for adulthood (14 to 25)</h1>" in body
    assert ("GET", "localoffer.northmoor.example", "/preparing-for-adulthood/") in web.requests


def test_origin_form_request_uses_host_header(web):
    with httpx.Client(timeout=10) as c:
        r = c.get(web.proxy_url + "/", headers={"Host": "www.kelderby.example"})
    assert r.status_code == 200
    assert "Kelderby District Council" in r.text


def test_head_matches_get_headers_without_body(client):
    url = "http://send.brackenshire.example/localoffer/documents/send-strategy-2025.pdf"
    get, head = client.get(url), client.head(url)
    assert get.status_code == head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"] == "application/pdf"
    assert head.headers["content-length"] == str(len(get.content))
    assert head.content == b""
    assert get.headers["last-modified"]  # this site stamps every response "now"


def test_head_refused_where_get_works(client):
    url = "http://www.legislation.gov.uk/ukpga/2014/6/section/30"
    assert client.head(url).status_code == 405
    assert client.get(url).status_code == 200


def test_bot_challenge_is_a_cloudflare_style_403(client):
    r = client.get("http://www.facebook.com/NorthmoorLocalOffer")
    assert r.status_code == 403
    assert r.headers["cf-mitigated"] == "challenge"
    assert r.headers.get_list("server") == ["cloudflare"]  # the challenger's, not the demo web's as well
    assert "Just a moment" in r.text


def test_an_application_shell_answers_every_route_and_its_api_answers_json(client):
    """Ravensmere is served as single-page applications are (webpack-dev-server's history
    fallback, Netlify's ``/* /index.html 200``): a path with a dot is a file, any other
    path gets the same empty shell, and the script builds the page from JSON."""
    shell = client.get("http://localoffer.ravensmere.example/").text
    assert '<div id="root"></div>' in shell and "Preparing for adulthood" not in shell
    for route in ("/preparing-for-adulthood", "/no/such/route"):
        r = client.get("http://localoffer.ravensmere.example" + route)
        assert (r.status_code, r.text) == (200, shell)
    api = client.get("http://localoffer.ravensmere.example/api/pages/preparing-for-adulthood.json")
    assert api.headers["content-type"] == "application/json"
    assert api.json()["title"] == "Preparing for adulthood (14 to 25)"
    assert client.get("http://localoffer.ravensmere.example/api/pages/nothing.json").status_code == 404


def test_rate_limited_host_says_when_to_retry(client):
    r = client.get("http://x.com/NorthmoorSEND")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"


def test_redirect_loop_first_hop(web, client):
    r = client.get("http://www.westmarsh.example/loop")
    assert r.status_code == 302
    assert r.headers["location"] == "http://www.westmarsh.example/loop/"
    back = client.get(r.headers["location"])
    assert back.headers["location"] == "http://www.westmarsh.example/loop"
    with pytest.raises(urllib.error.HTTPError) as e:  # urllib gives up on the loop
        _urllib(web).open("http://www.westmarsh.example/loop", timeout=10)
    assert e.value.code == 302


def test_unknown_host_is_a_bad_gateway(web, client):
    r = client.get("http://localoffer.greyholme.example/")
    assert r.status_code == 502
    assert r.text.strip() == "demo proxy: unknown host"
    assert r.headers["proxy-status"] == "demoweb; error=dns_error"
    with pytest.raises(urllib.error.HTTPError) as e:
        _urllib(web).open("http://no-such-host.example/", timeout=10)
    assert e.value.code == 502


def test_generated_kb5_record(client):
    base = "http://fis.fenwick.example/kb5/fenwick/directory/service.page"
    first, other_branch = client.get(base + "?id=7"), client.get(base + "?id=37")
    assert first.status_code == other_branch.status_code == 200
    assert "Speech and Language Therapy</h1>" in first.text
    assert "Speech and Language Therapy (Northfield site)</h1>" in other_branch.text
    assert "Last updated:" in first.text and "$" not in first.text
    dates = {re.search(r"Last updated: ([^<]+)", client.get(f"{base}?id={n}").text)[1] for n in range(1, 15)}
    assert len(dates) >= 5  # a mix of fresh and stale records, not one date for all
    assert client.get(base + "?id=61").status_code == 404
    assert client.get(base + "?id=abc").status_code == 404


def test_kb5_records_show_only_the_fields_their_data_has(client):
    base = "http://fis.fenwick.example/kb5/fenwick/directory/service.page"
    full, undated, no_cost, no_contact = (client.get(f"{base}?id={n}").text for n in (11, 17, 22, 21))
    assert "<dt>Cost</dt>" in full and "<dt>Referral route</dt>" in full and "Last updated:" in full
    assert "Last updated:" not in undated
    assert "<dt>Cost</dt>" not in no_cost and "http://www.fenwickinclusivefootball.example/" in no_cost
    assert "<dt>Telephone</dt>" not in no_contact and "<dt>E-mail</dt>" not in no_contact


def test_fenwick_publishes_its_records_as_an_open_referral_feed(client):
    pages = [client.get(f"http://fis.fenwick.example/api/services?page={n}").json() for n in (1, 2, 3)]
    assert [p["number"] for p in pages] == [1, 2, 3] and pages[0]["totalPages"] == 3 and pages[2]["last"]
    services = [s for p in pages for s in p["content"]]
    assert [s["id"] for s in services] == [str(n) for n in range(1, 61)]
    assert services[10]["url"] == "http://fis.fenwick.example/kb5/fenwick/directory/service.page?id=11"
    assert services[10]["assured_date"] and "assured_date" not in services[16]  # record 17 is undated
    assert services[21]["cost_options"] == []  # the football club's record gives no cost either


def test_site_searches_answer_from_the_sites_own_pages(client):
    found = client.get("http://localoffer.northmoor.example/?s=speech+and+language+therapy").text
    assert '<a href="/health">' in found and "speech and language therapy" in found
    assert "Nothing found" in client.get("http://www.kelderby.example/search?q=autism").text
    assert "currently unavailable" in client.get("http://www.westmarsh-localoffer.example/search.htm?q=autism").text


def test_query_selects_a_variant_file_and_unknown_queries_are_ignored(client):
    base = "http://fis.fenwick.example/kb5/fenwick/directory/localoffer.page"
    assert "<h1>Preparing for adulthood</h1>" in client.get(base + "?localofferchannel=4").text
    assert "<h1>SEND Local Offer</h1>" in client.get(base + "?utm_source=newsletter").text
    assert client.get(base + "?next=/../../behaviours.json").status_code == 200


def test_calendar_trap_always_links_to_a_new_month(client):
    r = client.get("http://www.westmarsh-localoffer.example/events/calendar?month=2026-12")
    assert r.status_code == 200
    assert "December 2026" in r.text
    assert 'href="/events/calendar?month=2027-01"' in r.text
    assert 'href="/events/calendar?month=2026-11"' in r.text
    far = client.get("http://www.westmarsh-localoffer.example/events/calendar?month=2199-12")
    assert 'href="/events/calendar?month=2200-01"' in far.text


def test_faceted_search_links_combine(client):
    r = client.get("http://fis.fenwick.example/kb5/fenwick/directory/results.action?qt=autism&sorttype=name")
    assert r.status_code == 200
    assert "qt=autism&amp;sorttype=name&amp;page=2" in r.text
    assert "qt=autism&amp;sorttype=name&amp;familychannel=2-1" in r.text


def test_soft_404_and_redirect_to_home(client):
    soft = client.get("http://www.kelderby.example/send-local-offer/short-breaks-statement-2019")
    assert soft.status_code == 200 and "Page not found" in soft.text
    home = client.get("http://www.contact.org.uk/help-and-advice/old-education-guide")
    assert home.status_code == 301 and home.headers["location"] == "http://www.contact.org.uk/"


def test_fixed_old_last_modified_on_documents(client):
    r = client.head("http://www.kelderby.example/send-local-offer/documents/short-breaks-statement.docx")
    assert r.status_code == 200
    assert r.headers["last-modified"] == "Tue, 09 Mar 2021 10:15:00 GMT"
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")


def test_path_traversal_stays_inside_the_site(web):
    with socket.create_connection(web._server.server_address[:2], timeout=5) as s:
        s.sendall(b"GET http://www.gov.uk/../../behaviours.json HTTP/1.1\r\nHost: www.gov.uk\r\nConnection: close\r\n\r\n")
        reply = _read_all(s)
    assert reply.startswith(b"HTTP/1.1 404")
    assert b'"rules"' not in reply


def test_malformed_requests_do_not_kill_the_server(web, client):
    for junk in (b"NONSENSE\r\n\r\n", b"GET\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
                 b"GET relative/path HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"):
        with socket.create_connection(web._server.server_address[:2], timeout=5) as s:
            s.sendall(junk)
            s.shutdown(socket.SHUT_WR)
            _read_all(s)
    assert client.get("http://www.gov.uk/").status_code == 200


def _read_all(s: socket.socket) -> bytes:
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_demo_seeds_parse_without_problems():
    registry = read_registry(SEEDS)
    assert registry.problems == []
    with SEEDS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(registry.councils) == len(rows) >= 7
    assert all(c.code.startswith("E99") for c in registry.councils)
    assert all(c.local_offer_url.startswith("http://") or not c.local_offer_url for c in registry.councils)


def test_every_live_local_offer_answers_200(web):
    opener = _urllib(web)
    live = [c for c in read_registry(SEEDS).councils
            if c.local_offer_url and c.code not in (DEAD_COUNCIL, WALLED_COUNCIL)]
    assert len(live) >= 5
    for council in live:
        with opener.open(council.local_offer_url, timeout=10) as r:
            assert r.status == 200, council.code


def test_every_demo_pdf_has_a_parseable_mod_date():
    pdfs = sorted((DEMO_ROOT / "sites").rglob("*.pdf"))
    assert len(pdfs) >= 4
    for pdf in pdfs:
        assert PdfReader(pdf).metadata.modification_date is not None, pdf


def test_demo_data_stays_small():
    size = sum(p.stat().st_size for p in Path(DEMO_ROOT).rglob("*") if p.is_file())
    assert size < 3_000_000
