"""Soft 404s: a 200 response that is really "page not found", or a deep link that the
server quietly redirected to the home page. Both are broken links a status code hides.

Phrases are deliberately narrow and read only from the ``<title>`` and the ``<h1>``: a
page *about* "what to do if you can't find a school place" must not fire, and body text
is full of such sentences.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from audit.core.page import Page

_NOT_FOUND = re.compile(
    r"\bpage\s+not\s+found\b"
    r"|^\s*(?:error\s*)?404\b|\b404\s*(?:error|-|\u2013|:|\|)|\berror\s+404\b|\b404\s+not\s+found\b"
    r"|\bnot\s+found\s*(?:\(404\)|-\s*404)"
    r"|\bsorry,?\s+we\s+(?:can'?t|cannot|could\s*n[o']t)\s+find\s+(?:that|the|this)\s+page\b"
    r"|\bthis\s+page\s+(?:does\s*n[o']t|does\s+not|no\s+longer)\s+exists?\b"
    r"|\b(?:the\s+)?page\s+you\s+(?:requested|were\s+looking\s+for|are\s+looking\s+for|tried\s+to\s+access)"
    r"\s+(?:could\s+not|cannot|can'?t|was\s+not|does\s+not|doesn'?t|no\s+longer)\s+(?:be\s+found|exists?|found)"
    r"|^\s*(?:page|file|content)\s+(?:not\s+found|missing)\s*$|^\s*not\s+found\s*$",
    re.IGNORECASE,
)


def looks_like_not_found(page: Page) -> str | None:
    """The evidence ("title: Page not found | Council") when a page says it does not exist."""
    for where, text in (("title", page.title), ("h1", page.h1)):
        if text and _NOT_FOUND.search(text):
            return f"{where}: {text[:200]}"
    return None


_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.php", "/index.aspx", "/default.aspx",
               "/home", "/home.aspx", "/en", "/en/"}


def _is_home(path: str) -> bool:
    return path.rstrip("/").lower() in {p.rstrip("/") for p in _HOME_PATHS}


def redirected_to_home(requested_url: str, final_url: str) -> bool:
    """A deep link (a path other than the home page) that ended on a site's home page."""
    try:
        req, fin = urlsplit(requested_url), urlsplit(final_url)
    except ValueError:
        return False
    if _is_home(req.path) and not req.query:
        return False  # the home page was asked for
    return _is_home(fin.path) and not fin.query


__all__ = ["looks_like_not_found", "redirected_to_home"]
