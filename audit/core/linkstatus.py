"""Classify the outcome of fetching a link target: ok, broken or blocked (SPEC).

Broken: ended (after at most 10 redirects) in 404, 410, any other 4xx except
401/403/407/429, or 5xx; or failed (dns, refused, reset, timeout, tls, loop, malformed).
Blocked: 401/403/407/429 or a bot challenge: unverifiable, never counted as broken
(link-checker users' top complaint is bot-blocking 403s reported as dead links).
"""

from __future__ import annotations

BLOCKED_STATUSES = {401, 403, 407, 429}

# Markers of bot-challenge and WAF block pages, each with the vendor it names. Sources: the
# vendors' documented headers (Cloudflare ``cf-mitigated: challenge``; AWS WAF answers a
# challenge with 202 and a CAPTCHA with 405, both with ``x-amzn-waf-action``) and the block
# pages' own text as catalogued by wafw00f's plugins (Imperva "Incapsula incident ID" and
# ``/_Incapsula_Resource``; Sucuri "Sucuri WebSite Firewall - Access Denied" and its
# ``x-sucuri-block`` header; Akamai's "Access Denied ... Reference #" pages served by
# ``AkamaiGHost`` with an ``errors.edgesuite.net`` link).
CHALLENGE_HEADERS = (  # (vendor, header, value it must contain; "" = any value)
    ("Cloudflare", "cf-mitigated", "challenge"),
    ("AWS WAF", "x-amzn-waf-action", ""),
    ("DataDome", "x-datadome", ""),
    ("Sucuri", "x-sucuri-block", ""),
)
CHALLENGE_BODY_MARKERS = (  # (vendor, lower-case text)
    ("Cloudflare", "just a moment..."),
    ("Cloudflare", "attention required! | cloudflare"),
    ("Cloudflare", "checking your browser before accessing"),
    ("Cloudflare", "cf-browser-verification"),
    ("Cloudflare", "challenge-platform"),
    ("Imperva", "_incapsula_resource"),
    ("Imperva", "incapsula incident id"),
    ("Akamai", "errors.edgesuite.net"),
    ("Sucuri", "sucuri website firewall"),
    ("AWS WAF", ".awswaf.com"),
    ("DataDome", "captcha-delivery.com"),
    ("JavaScript challenge", "please enable js and disable any ad blocker"),
    ("JavaScript challenge", "enable javascript and cookies to continue"),
)
# A refusal by the edge itself names its server; a 403 from these is the WAF, not the site.
CHALLENGE_SERVERS = (("Akamai", "akamaighost"), ("Sucuri", "sucuri/cloudproxy"))
CHALLENGE_STATUSES = (403, 405, 429, 503, 202, 200)


def challenge_marker(status: int | None, headers: dict[str, str], body_start: str) -> str | None:
    """What shows that a response is a bot challenge or a WAF's refusal ("Cloudflare:
    cf-mitigated: challenge"), or None. Headers count on any of CHALLENGE_STATUSES (AWS WAF
    challenges with 202); page text and server names only on a refusal (403/405/429/503),
    so a normal page that mentions a firewall or loads Cloudflare's scripts is never one."""
    if status not in CHALLENGE_STATUSES:
        return None
    for vendor, name, value in CHALLENGE_HEADERS:
        got = headers.get(name)
        if got is not None and (not value or value in got.lower()):
            return f"{vendor}: {name}: {got[:80]}"
    if status in (403, 405, 429, 503):
        low = body_start[:20000].lower()
        for vendor, marker in CHALLENGE_BODY_MARKERS:
            if marker in low:
                return f"{vendor}: page text {marker!r}"
        server = headers.get("server", "").lower()
        for vendor, name in CHALLENGE_SERVERS:
            if status == 403 and name in server:
                return f"{vendor}: server {headers['server'][:80]}"
    return None


def is_bot_challenge(status: int | None, headers: dict[str, str], body_start: str) -> bool:
    return challenge_marker(status, headers, body_start) is not None


def block_evidence(url: str, status: int | None, headers: dict[str, str], body_start: str) -> dict | None:
    """Why a response means the site refuses crawlers (SPEC "blocked"): a bot challenge, or
    401/403/429 (407 is our proxy's, not the site's). The status, the server header and the
    marker, for the council to see; None when the response is no refusal."""
    marker = challenge_marker(status, headers, body_start)
    if marker is None and status not in (401, 403, 429):
        return None
    return {"url": url, "status": status, "server": headers.get("server"), "marker": marker or f"HTTP {status}"}


def classify(status: int | None, error: str | None, headers: dict[str, str] | None = None,
             body_start: str = "") -> tuple[str, str]:
    """Return (outcome, reason): outcome is ok | broken | blocked."""
    headers = headers or {}
    if error:
        if error == "robots":
            return "blocked", "robots.txt disallows checking it"
        if error == "too_large":  # it answered, with more than the size cap: not a dead link
            return "skipped", "too_large"
        if error == "private_address":
            return "broken", "private address (unreachable from the public web; never fetched)"
        return "broken", error
    if status is None:
        return "broken", "no response"
    if is_bot_challenge(status, headers, body_start):
        return "blocked", "bot challenge"
    if status in BLOCKED_STATUSES:
        return "blocked", str(status)
    if status >= 400:
        return "broken", str(status)
    if 300 <= status < 400:
        # A redirect that was not followed to an end (no Location, or we stopped).
        return "broken", f"{status} without a usable Location"
    return "ok", str(status)
