"""Bot walls and refusals (audit.core.linkstatus.challenge_marker / block_evidence), on the
shapes the vendors serve (header names from their documentation, page text as catalogued
by wafw00f's plugins) and on ordinary pages built to look like them."""

from __future__ import annotations

import pytest

from audit.core.linkstatus import block_evidence, challenge_marker, classify

CF = "<html><head><title>Just a moment...</title></head><body>Verifying you are human.</body></html>"
IMPERVA = "<html><body>Request unsuccessful. Incapsula incident ID: 123000450157891-1234</body></html>"
SUCURI = "<html><head><title>Sucuri WebSite Firewall - Access Denied</title></head><body></body></html>"
AKAMAI = "<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY>Reference&#32;&#35;18&#46;1</BODY></HTML>"


@pytest.mark.parametrize("status,headers,body,vendor", [
    (403, {"cf-mitigated": "challenge", "server": "cloudflare"}, CF, "Cloudflare"),
    (503, {"server": "cloudflare"}, CF, "Cloudflare"),
    (202, {"x-amzn-waf-action": "challenge"}, "", "AWS WAF"),
    (405, {"x-amzn-waf-action": "captcha"}, "", "AWS WAF"),
    (403, {"x-iinfo": "1-2-3"}, IMPERVA, "Imperva"),
    (403, {"server": "Sucuri/Cloudproxy", "x-sucuri-block": "BLK"}, SUCURI, "Sucuri"),
    (403, {"server": "AkamaiGHost"}, AKAMAI, "Akamai"),
    (429, {}, "<noscript>Please enable JavaScript and cookies to continue</noscript>", "JavaScript challenge"),
])
def test_challenges_are_named_by_vendor(status, headers, body, vendor):
    marker = challenge_marker(status, headers, body)
    assert marker is not None and marker.startswith(vendor + ":"), marker
    assert classify(status, None, headers, body) == ("blocked", "bot challenge")
    evidence = block_evidence("https://lo.example/", status, headers, body)
    assert evidence == {"url": "https://lo.example/", "status": status, "server": headers.get("server"),
                        "marker": marker}


@pytest.mark.parametrize("status,headers,body", [
    # A normal page behind Cloudflare's CDN that talks about "Just a moment..." and its firewall.
    (200, {"server": "cloudflare", "cf-ray": "8a1"}, "<h1>Just a moment...</h1><p>Sucuri WebSite Firewall</p>"),
    # The site's own 404 page served through Akamai: not a refusal.
    (404, {"server": "AkamaiGHost"}, AKAMAI),
    # An origin 500 that happens to load Cloudflare's challenge-platform script.
    (500, {}, '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'),
])
def test_ordinary_pages_are_not_challenges(status, headers, body):
    assert challenge_marker(status, headers, body) is None
    assert block_evidence("https://lo.example/", status, headers, body) is None


def test_plain_refusals_are_blocked_evidence_without_a_marker():
    assert block_evidence("https://lo.example/", 401, {"server": "nginx"}, "") == {
        "url": "https://lo.example/", "status": 401, "server": "nginx", "marker": "HTTP 401"}
    assert block_evidence("https://lo.example/", 407, {}, "") is None  # our proxy's demand, not the site's
