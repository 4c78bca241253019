"""Classify the outcome of fetching a link target: ok, broken or blocked (SPEC).

Broken: ended (after at most 10 redirects) in 404, 410, any other 4xx except
401/403/407/429, or 5xx; or failed (dns, refused, reset, timeout, tls, loop, malformed).
Blocked: 401/403/407/429 or a bot challenge: unverifiable, never counted as broken
(link-checker users' top complaint is bot-blocking 403s reported as dead links).
"""

from __future__ import annotations

BLOCKED_STATUSES = {401, 403, 407, 429}

# Markers of bot-challenge interstitials (Cloudflare, Akamai, Imperva, DataDome, AWS WAF).
CHALLENGE_HEADERS = {"cf-mitigated": "challenge", "x-datadome": "", "x-amzn-waf-action": "challenge"}
CHALLENGE_BODY_MARKERS = (
    "just a moment...",
    "attention required! | cloudflare",
    "checking your browser before accessing",
    "cf-browser-verification",
    "challenge-platform",
    "_incapsula_resource",
    "captcha-delivery.com",
    "please enable js and disable any ad blocker",
)


def is_bot_challenge(status: int | None, headers: dict[str, str], body_start: str) -> bool:
    if status not in (403, 429, 503, 202, 200):
        return False
    for name, value in CHALLENGE_HEADERS.items():
        got = headers.get(name)
        if got is not None and (not value or value in got.lower()):
            return True
    if status in (403, 429, 503):
        low = body_start[:20000].lower()
        return any(marker in low for marker in CHALLENGE_BODY_MARKERS)
    return False


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
