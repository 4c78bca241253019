"""``lo-audit a11y FILE_OR_URL``: one page through either accessibility engine."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from audit.core.errors import error_line
from audit.core.evidence import decode_html
from audit.core.urls import UrlError, check_http_url, is_web_url

MAX_BYTES = 10 * 1024 * 1024


class A11yError(Exception):
    """The page could not be read or checked; one line says why."""


def check_target(target: str, engine: str) -> dict:
    is_url = is_web_url(target)
    if is_url:
        try:
            check_http_url(target)
        except UrlError as e:
            raise A11yError(str(e)) from None
    else:
        path = Path(target)
        if not path.is_file():
            raise A11yError(f"{target}: no such file (give a file path or an http(s) URL)")
    if engine == "axe":
        return _with_axe(target if is_url else Path(target).resolve().as_uri())
    html = fetch_html(target) if is_url else decode_html(Path(target).read_bytes()[:MAX_BYTES], None)
    from audit.a11y import static as a11y_static

    return a11y_static.violations_to_json(target, a11y_static.check_html(html, target))


def fetch_html(url: str, timeout: float = 20) -> str:
    from crawler.settings import USER_AGENT

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type")
    except OSError as e:
        raise A11yError(f"{url}: could not fetch ({getattr(e, 'reason', e)})") from None
    if len(body) > MAX_BYTES:
        raise A11yError(f"{url}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    return decode_html(body, content_type)


def _with_axe(url: str) -> dict:
    from audit.a11y.axe import AxeBrowser, AxeUnavailable

    try:
        with AxeBrowser(pages=1) as browser:
            result = browser.check(url)
    except AxeUnavailable as e:
        raise A11yError(str(e)) from None
    except Exception as e:  # navigation errors, timeouts: one line, no traceback
        raise A11yError(f"{url}: axe run failed ({error_line(e)})") from None
    return {
        "url": url,
        "engine": "axe",
        "axe_version": result["axe_version"],
        "violations": [{"rule": v.rule, "count": v.count, "impact": v.impact, "targets": list(v.targets)}
                       for v in result["violations"]],
    }
