"""URL hygiene: the SSRF rule's literal-address decoding and the canonical URL."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.core.scope import default_scope, in_scope
from audit.core.urls import (
    allowed_private, canonical_url, is_forbidden_host, literal_address, private_allowance,
)



@pytest.mark.parametrize("host,expected", [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("[::1]", "::1"),
    ("::1", "::1"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
    ("169.254.169.254", "169.254.169.254"),
    ("10.0.0.1", "10.0.0.1"),
    ("0.0.0.0", "0.0.0.0"),
    ("0", "0.0.0.0"),
    ("0x", "0.0.0.0"),  # WHATWG: an empty hex number is 0
    ("127.0.0.1.", "127.0.0.1"),
    ("8.8.8.8", "8.8.8.8"),
])
def test_literal_address_decodes_every_notation(host, expected):
    assert literal_address(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("host", ["localhost", "www.council.example", "gov.uk", "127.0.0.1.nip.io",
                                  "256.1.1.1", "1.2.3.4.5", "08.1.1.1", "", "a.1"])
def test_names_and_impossible_literals_are_not_addresses(host):
    assert literal_address(host) is None


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "LOCALHOST", "foo.localhost", "[::1]", "2130706433", "0177.0.0.1",
    "169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", "0.0.0.0", "[::ffff:127.0.0.1]",
    "0x7f.1", "127.1", "100.64.0.1", "[fe80::1]", "[fc00::1]", "224.0.0.1", "localhost.",
])
def test_forbidden_hosts(host):
    assert is_forbidden_host(host)


@pytest.mark.parametrize("host", ["8.8.8.8", "www.gov.uk", "151.101.0.1", "[2606:4700::1111]",
                                  "www.council.example", "1.1.1.1", "localhost-news.example"])
def test_public_hosts_are_not_forbidden(host):
    assert not is_forbidden_host(host)


def test_private_allowance_loopback_seed_reaches_loopback_only():
    allowance = private_allowance("http://127.0.0.1:8000/lo/")
    assert allowed_private("127.0.0.1", allowance) and allowed_private("127.0.0.2", allowance)
    assert allowed_private("::1", allowance)
    assert not allowed_private("10.0.0.1", allowance)
    assert not allowed_private("169.254.169.254", allowance)
    assert private_allowance("https://www.council.example/lo/") == ()
    assert not allowed_private("127.0.0.1", ())


CANONICAL_FORMS = [
    ("http://Example.ORG:80/a/b#frag", "http://example.org/a/b"),
    ("https://example.org:443/", "https://example.org/"),
    ("https://example.org:8443/x", "https://example.org:8443/x"),
    ("http://example.org", "http://example.org/"),
    ("http://example.org/p;jsessionid=ABC123?id=4", "http://example.org/p?id=4"),
    ("http://example.org/p;JSESSIONID=ABC123", "http://example.org/p"),
    ("http://example.org/p?PHPSESSID=abc&id=4", "http://example.org/p?id=4"),
    ("http://example.org/p?id=4&utm_source=x&utm_medium=y&utm_campaign=z", "http://example.org/p?id=4"),
    ("http://example.org/p?b=2&a=1", "http://example.org/p?b=2&a=1"),
    ("http://example.org/p?z=1&utm_term=t&a=2&sid=9", "http://example.org/p?z=1&a=2"),
    ("http://example.org/a%20b", "http://example.org/a%20b"),
    ("http://example.org/a b", "http://example.org/a%20b"),
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    # IPv4 in the notations browsers accept: the dotted quad the URL standard (and w3lib 2.6,
    # under every Scrapy request) makes of them; what is no address is left alone
    ("http://2130706433:8080/x", "http://127.0.0.1:8080/x"),
    ("http://0x7f.1/", "http://127.0.0.1/"),
    ("http://0177.0.0.1/", "http://127.0.0.1/"),
    ("http://127.1/", "http://127.0.0.1/"),
    ("http://1.2.3.4.5/", "http://1.2.3.4.5/"),
    ("http://999.1.1.1/", "http://999.1.1.1/"),
    ("http://www.council.123abc/", "http://www.council.123abc/"),
    ("http://www.council.example/", "http://www.council.example/"),
    # the rest of what a request's URL gets before it is sent (w3lib 2.6 under Scrapy)
    ("http://example.org/./a/../b", "http://example.org/b"),
    ("http://example.org/a/b/..", "http://example.org/a/"),
    ("http://example.org/a/./", "http://example.org/a/"),
    ("http://example.org/../x", "http://example.org/x"),
    ("http://example.org/a..b/.c", "http://example.org/a..b/.c"),
    ("http://example.org/send\\short-breaks", "http://example.org/send/short-breaks"),
    # dot segments as the URL standard sees them: a dot may be written %2e, an escaped slash ends no segment
    ("http://example.org/a/%2e%2E/b", "http://example.org/b"),
    ("http://example.org/a/.%2e", "http://example.org/"),
    ("http://example.org/x%2Fy/../z", "http://example.org/z"),
    ("http://example.org/a%2F../b", "http://example.org/a/../b"),
    ("http://Bücher.example/x", "http://xn--bcher-kva.example/x"),
    # "ß" and "ς" kept, as browsers and w3lib 2.6 keep them (Python's IDNA 2003 codec makes
    # "faß" "fass", another domain)
    ("http://faß.example/x", "http://xn--fa-hia.example/x"),
    ("http://STRAßE.example/", "http://xn--strae-oqa.example/"),
    ("http://ｅxample.org/", "http://example.org/"),
    ("http://ex%41mple.org/x", "http://example.org/x"),  # a host's percent-escapes are read
    ("http://%C3%9F.example/", "http://xn--zca.example/"),
]


# Pieces real links are made of, and the odd ones the URL standard rewrites before a request.
_HOSTS = ["example.org", "EXAMPLE.org", "ex%41mple.org", "faß.example", "münchen.example", "ｅxample.org",
          "ΟΔΟΣ.example", "127.1", "0x7f.0.0.1", "2130706433", "[::1]", "host.example:8080", "host.example:80",
          "user@host.example", "exa_mple.org", "xn--mnchen-3ya.example"]
_PATH_PIECES = list("abcAB/.-_~?&=#;:+,'\"<> é☃[]|\\@!$*()") + [
    "%20", "%2e", "%2E", "%2F", "%7e", "%zz", "%", "%C3%A9", "%e9", "%25", "%3F", "%23", "..", "./", "\t"]


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http://", "https://", "HTTP://"]), host=st.sampled_from(_HOSTS),
       rest=st.lists(st.sampled_from(_PATH_PIECES), max_size=12).map("".join))
def test_generated_links_and_their_requests_share_a_key(scheme, host, rest):
    test_a_link_and_the_request_made_for_it_share_a_key(f"{scheme}{host}/{rest}")


@pytest.mark.parametrize("url,expected", CANONICAL_FORMS)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", [url for url, _ in CANONICAL_FORMS])
def test_a_link_and_the_request_made_for_it_share_a_key(url):
    """The crawler records a fetch or link check under its request's URL, which Scrapy has
    passed through the installed w3lib; the audit looks it up under the link's canonical URL.
    Any difference is a link silently never checked (w3lib 2.6's new URL handling did that)."""
    from scrapy import Request

    try:
        requested = Request(url).url
    except ValueError:
        return  # Scrapy refuses the URL: no request is made, so no key can differ
    assert canonical_url(requested) == canonical_url(url)


def test_canonical_url_keeps_a_bad_port_as_given():
    # Dropping the bad port would turn a malformed link into a working link to port 80.
    assert canonical_url("http://127.0.0.1:99999/bad") == "http://127.0.0.1:99999/bad"
    assert canonical_url("http://[::1/bad") == "http://[::1/bad"


def test_canonical_url_is_idempotent():
    for url in ("http://example.org/p;jsessionid=1?b=2&a=1&utm_source=x#f", "https://EXAMPLE.org:443/%7Euser/"):
        once = canonical_url(url)
        assert canonical_url(once) == once


@pytest.mark.parametrize("seed,scope", [
    ("http://h.example/lo/index.html", "http://h.example/lo/"),
    ("http://h.example/kb5/x/directory/localoffer.page", "http://h.example/kb5/x/directory/"),
    ("http://h.example/send", "http://h.example/send/"),
    ("http://h.example/send/", "http://h.example/send/"),
    ("http://h.example", "http://h.example/"),
    ("http://H.Example:8080/send.htm", "http://h.example:8080/"),
])
def test_default_scope(seed, scope):
    assert default_scope(seed) == (scope,)


def test_in_scope_folder_rule():
    scope = default_scope("http://h.example/send")
    assert in_scope("http://h.example/send", scope)
    assert in_scope("http://h.example/send/x", scope)
    assert in_scope("https://h.example/send/x", scope)  # scheme-agnostic
    assert not in_scope("http://h.example/send-old", scope)
    assert not in_scope("http://h.example/sendx/y", scope)
    assert not in_scope("http://other.example/send/x", scope)
    assert not in_scope("http://h.example:8080/send/x", scope)
    assert not in_scope("mailto:send@h.example", scope)
