"""Which stylesheets a page uses, and which other stylesheets a stylesheet imports.

The audit's axe-core runs replay each archived page with its archived stylesheets
(``audit.a11y.axe``), so colour contrast and the other rules that depend on CSS are judged
on the page as a visitor saw it. The spider fetches what these functions find, once per
crawl, politely and within bounds (``crawler.spider``); they only read.

What a browser applies on a screen: ``<link rel=stylesheet>`` (not an ``alternate``
stylesheet, which is off until a visitor picks it, nor one for print only), the
``@import`` rules of ``<style>`` elements and of stylesheets. Web fonts are not archived:
axe-core's contrast rule reads the computed font size and weight, which do not depend on
the font file (a fallback font changes glyph widths, not the text's colours or size).
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

from audit.core.page import Page
from audit.core.urls import is_web_url

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# @import url("a.css") screen;  @import 'b.css';  @import url(c.css);
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1\s*\)?""", re.I)
IMPORTS_READ = 50  # @import rules read from one stylesheet; the per-site budget bounds the rest


def page_stylesheets(page: Page) -> list[str]:
    """Absolute URLs of the stylesheets ``page`` applies on screen, in document order, once each."""
    base = page.base_url
    found: list[str] = []
    for node in page.tree.css("link[rel][href], style"):
        if node.tag == "style":
            found += css_imports(node.text_lexbor() or "", base)
            continue
        attrs = node.attributes
        rel = (attrs.get("rel") or "").lower().split()
        media = (attrs.get("media") or "").strip().lower()
        if "stylesheet" not in rel or "alternate" in rel or media == "print":
            continue
        url = _absolute(base, attrs.get("href") or "")
        if url:
            found.append(url)
    return list(dict.fromkeys(found))


def css_imports(css: str, base: str) -> list[str]:
    """Absolute URLs a stylesheet's ``@import`` rules name (at most IMPORTS_READ)."""
    out = []
    for match in _IMPORT.finditer(_COMMENT.sub("", css)):
        url = _absolute(base, match.group(2))
        if url:
            out.append(url)
        if len(out) >= IMPORTS_READ:
            break
    return out


def _absolute(base: str, raw: str) -> str | None:
    raw = raw.strip()
    if not raw or raw.lower().startswith(("data:", "javascript:")):
        return None
    try:
        url = urldefrag(urljoin(base, raw))[0]
    except ValueError:
        return None
    return url if is_web_url(url) else None
