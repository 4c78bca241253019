"""Crawler-trap families: groups of URLs that can multiply without end.

An endless calendar (``?month=2031-07``), faceted-search combinations
(``results.action?qt=x&sorttype=y&familychannel=z``) and a page linking to itself under
ever new query strings each form a *family*: host + path (date-like path segments
masked), whatever combination of view parameters a URL carries. Each family gets a small budget
(SPEC: at most 50 pages). URLs whose only parameters are record identifiers
(``service.page?id=…&localofferchannel=0``, ``site.page?id=…``) have no family: a
directory's thousands of legitimate records are all crawled.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

TRAP_BUDGET = 50

# Parameter names that identify a record rather than a view of one.
_ID_PARAM = re.compile(
    r"^(id|ids|uid|nid|node|p|slug|code|ref|.*_?id|.*channel|channel.*|record.*|service.*|item.*|article.*)$",
    re.I,
)
_DATE_VALUE = re.compile(r"(19|20)\d\d[-/]?(0[1-9]|1[0-2])([-/]?\d\d)?|^\d{10,13}$")
_DATE_PARAM = re.compile(r"^(month|year|date|day|week|cal|calendar|start|end|from|to|when|.*date.*)$", re.I)
_DATE_PATH = re.compile(r"/(19|20)\d\d(/(0?[1-9]|1[0-2]))?(/(0?[1-9]|[12]\d|3[01]))?(?=/|$)")


def trap_family(url: str) -> str | None:
    """The family a URL's crawl budget is charged to, or None for unlimited URLs."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    dated_path = _DATE_PATH.sub("/<date>", path)
    params = parse_qsl(parts.query, keep_blank_values=True)
    dated = dated_path != path or any(_DATE_PARAM.match(n) or _DATE_VALUE.search(v) for n, v in params)
    viewed = any(not _ID_PARAM.match(name) for name, _ in params)
    if not dated and not viewed:
        return None
    return f"{host}{dated_path}?<{'dated' if dated else 'view'}>"


def looks_endless(url: str) -> bool:
    """URLs no real page has: absurdly long queries or a parameter repeated many times."""
    parts = urlsplit(url)
    if len(url) > 2048 or len(parts.query) > 1000:
        return True
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    return len(names) > 12 or any(names.count(n) > 3 for n in set(names))
