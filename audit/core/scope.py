"""Which URLs belong to a council's Local Offer (SPEC "Scope")."""

from __future__ import annotations

import posixpath
from functools import lru_cache
import re
from urllib.parse import urlsplit

from audit.core.urls import UrlError, check_http_url

# A last path segment with an extension is a file (localoffer.page, index.aspx, send.htm).
_FILE_SEGMENT = re.compile(r"\.[A-Za-z0-9]{1,6}$")


def default_scope(local_offer_url: str) -> tuple[str, ...]:
    """The default prefix: the folder of a file-like URL, else the whole path as a folder."""
    parts = urlsplit(local_offer_url)
    path = parts.path or "/"
    last = posixpath.basename(path)
    if last and _FILE_SEGMENT.search(last):
        folder = path[: path.rfind("/") + 1]
    else:
        folder = path if path.endswith("/") else path + "/"
    return (f"{parts.scheme}://{parts.netloc.lower()}{folder}",)


def parse_scope_column(value: str) -> tuple[str, ...]:
    """Space-separated URL prefixes from the ``scope`` column; each must be an http(s) URL."""
    prefixes = []
    for token in value.split():
        prefixes.append(check_http_url(token, "scope"))
    return tuple(prefixes)


@lru_cache(maxsize=1 << 16)
def in_scope(url: str, scope: tuple[str, ...]) -> bool:
    """True when ``url`` is on a scope prefix's host (scheme-agnostic) under its path.

    A folder prefix ``/send/`` also covers the bare folder URL ``/send`` itself; a
    prefix without a trailing slash is a plain string prefix of the path.
    Cached: the same menu links are asked about on every page of a site.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    port = parts.port if _safe_port(parts) else None
    path = parts.path or "/"
    for prefix in scope:
        p = urlsplit(prefix)
        if (p.hostname or "").lower() != host or (p.port if _safe_port(p) else None) != port:
            continue
        ppath = p.path or "/"
        if path.startswith(ppath):
            return True
        if ppath.endswith("/") and path == ppath[:-1]:
            return True
    return False


def _safe_port(parts) -> bool:
    try:
        parts.port
    except ValueError:
        return False
    return True


__all__ = ["default_scope", "parse_scope_column", "in_scope", "UrlError"]
