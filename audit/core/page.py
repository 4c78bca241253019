"""The parsed page every audit check reads.

A ``Page`` is built once per fetched HTML response (from the WARC record or a file)
and handed to each check module; checks never fetch or parse anything themselves.
Parsing is lazy and cached so a check that only needs headers costs nothing.

Checks read an element's text with ``text_lexbor()``, Lexbor's own text content: the
same string as selectolax's ``text()`` for every element (checked node by node on the
ACT cases and the test pages) at about half the cost, and element text is read on every
page (each link, heading and candidate "Last updated" node). For a comment node the two
differ (``text_lexbor()`` gives the comment's own text), so node-by-node walks keep ``text()``.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Callable, Iterator
from urllib.parse import urljoin, urldefrag, urlsplit, uses_relative

from selectolax.lexbor import LexborHTMLParser

from audit.core.urls import is_web_url

# Elements whose text a reader never sees.
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg")
# Site furniture: repeated on every page, so it says nothing about what a page is about.
FURNITURE_TAGS = ("nav", "header", "footer", "aside")
# Pages holding their parsed tree, and (when they can read it again) their HTML and visible
# text: a parsed tree costs ~1 MB and a page's HTML ~50 KB, and a council's audit holds all
# its pages at once, so only the most recently used few keep them (least recent first).
HELD_PAGES = 16
_HELD: OrderedDict[int, "Page"] = OrderedDict()
_MISSING = object()
_TRANSIENT = "_transient_"  # key prefix of values Page._release lets go of


def squash(text: str | None) -> str:
    """Collapse runs of whitespace to single spaces and trim (str.split's whitespace is
    exactly regex \\s, and splitting is several times faster than a regex substitution)."""
    return " ".join(text.split()) if text else ""


def origin_of(url: str) -> str:
    """``scheme://netloc/`` of an absolute URL; the URL itself when it has no host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else url


@dataclass(frozen=True)
class Link:
    url: str  # absolute, fragment removed
    text: str  # visible text (or img alt / aria-label) of the link
    tag: str  # a, area, iframe, embed, video, source, link
    rel: str = ""


def _resolution_base(base: str, origin: str, raw: str) -> str:
    """What ``raw`` resolves against: root-relative and absolute http(s) references depend
    only on the base's origin (``scheme://host/``), so the same site-wide menu links on
    every page share one cache entry in ``_link``."""
    return origin if raw[0] == "/" or is_web_url(raw) else base


# A scheme urljoin leaves alone (tel:, mailto:, javascript:, data:): urlsplit's scheme rule.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_RELATIVE_SCHEMES = frozenset(uses_relative)
_URL_UNSAFE = frozenset("\t\r\n")  # urlsplit removes these before finding the scheme


def _absolute(base: str, raw: str) -> str:
    """``raw`` made absolute against ``base``, fragment removed. A reference with a scheme
    urljoin does not resolve (tel:, mailto:, javascript:, data:), and no fragment or
    characters urlsplit strips, is already what urljoin and urldefrag would return: itself.
    A table of providers has a different tel: or mailto: link on every row, and parsing each
    three times cost more than the rest of the link's handling."""
    scheme = _SCHEME.match(raw)
    if (scheme is not None and scheme.group()[:-1].lower() not in _RELATIVE_SCHEMES and "#" not in raw
            and not _URL_UNSAFE.intersection(raw)):
        return raw
    return _joined(base, raw)


@lru_cache(maxsize=1 << 16)
def _joined(base: str, raw: str) -> str:
    """urljoin then urldefrag, worked out once per distinct target, however many links (with
    whatever text) point at it. Only references that need it are kept here: the telephone
    links of a long table, each seen once, used to fill this cache and push out a council's
    menu links, seen on every page (long-table pages' links -10 %)."""
    try:
        return urldefrag(urljoin(base, raw))[0]
    except ValueError:  # e.g. an invalid IPv6 literal; kept for the link checker
        return raw


@lru_cache(maxsize=1 << 16)
def _link(base: str, raw: str, text: str, tag: str, rel: str) -> Link:
    """The Link for ``raw`` built once per distinct link: a site's menus repeat the same
    ~100 links on every page, and a council's audit holds all its pages' links at once."""
    return Link(_absolute(base, raw), text, tag, rel)


class Page:
    """One fetched HTML page. ``html`` is the page's text; or None with ``source``, a
    callable that reads it (again) from the archive: such a page lets go of its HTML, tree
    and visible text when it leaves the few most recently used (``HELD_PAGES``), keeping
    only what the checks derived from them (title, headings, links, cached evidence)."""

    def __init__(self, url: str, html: str | None = "", status: int = 200, headers: dict[str, str] | None = None,
                 fetched_at: datetime | None = None, depth: int = 0, sitemap_lastmod: str | None = None,
                 source: Callable[[], str] | None = None):
        if html is None and source is None:
            raise ValueError("a Page needs its html or a source to read it from")
        self.url = url  # final URL after redirects
        self.status = status
        self.headers = headers or {}  # lower-case names
        self.fetched_at = fetched_at
        self.depth = depth
        self.sitemap_lastmod = sitemap_lastmod
        self.source = source
        self._html = html
        if html is not None and source is not None:
            self._hold()

    def __repr__(self) -> str:
        return f"Page({self.url!r}, status={self.status})"

    def _hold(self) -> None:
        """Mark this page most recently used; release the least recent beyond HELD_PAGES."""
        _HELD[id(self)] = self
        _HELD.move_to_end(id(self))
        while len(_HELD) > HELD_PAGES:
            _, evicted = _HELD.popitem(last=False)
            evicted._release()

    def _release(self) -> None:
        for name in [key for key in self.__dict__ if key.startswith(_TRANSIENT)] + ["_tree", "main_text"]:
            self.__dict__.pop(name, None)
        if self.source is not None:
            self._html = None

    def derived(self, name: str, compute: Callable[["Page"], object], transient: bool = False):
        """``compute(self)``, worked out once and kept for the page's lifetime (unlike its
        HTML and tree): for checks that derive a small result from a page's DOM during the
        audit's page pass and need it again in a site-level check afterwards.
        ``transient``: kept only as long as the page's HTML and tree, for a value several
        checks of the page pass read that is too big to keep for every page of a council."""
        key = (_TRANSIENT if transient else "_derived_") + name
        value = self.__dict__.get(key, _MISSING)
        if value is _MISSING:
            value = self.__dict__[key] = compute(self)
        return value

    @property
    def html(self) -> str:
        html = self._html
        if html is None:
            html = self._html = self.source() or ""
        if self.source is not None:
            self._hold()
        return html

    @property
    def tree(self) -> LexborHTMLParser:
        """The parsed DOM, parsed again if it was released (see the class docstring)."""
        tree = self.__dict__.get("_tree")
        if tree is None:
            tree = self.__dict__["_tree"] = LexborHTMLParser(self.html or "")
        self._hold()
        return tree

    @cached_property
    def base_url(self) -> str:
        """The URL relative links resolve against: <base href> if present."""
        base = self.tree.css_first("base[href]")
        if base is not None:
            href = (base.attributes.get("href") or "").strip()
            if href:
                return urljoin(self.url, href)
        return self.url

    @cached_property
    def title(self) -> str:
        node = self.tree.css_first("title")
        return squash(node.text_lexbor()) if node is not None else ""

    @cached_property
    def headings(self) -> list[tuple[int, str]]:
        """(level, text) for h1-h6 outside site furniture, in document order."""
        out = []
        for node in self.tree.css("h1, h2, h3, h4, h5, h6"):
            if inside(node, FURNITURE_TAGS):
                continue
            out.append((int(node.tag[1]), squash(node.text_lexbor())))
        return out

    @cached_property
    def h1(self) -> str:
        for level, text in self.headings:
            if level == 1:
                return text
        return ""

    @cached_property
    def main_text(self) -> str:
        """Visible text without nav/header/footer/aside: what the page itself says (of the
        ``<main>`` or ``role=main`` element when there is one, else of the body). Worked out on a
        copy of the parsed tree (lexbor clones a tree in a third of the time it takes to parse
        the HTML again), since taking the furniture out changes the tree other checks read."""
        return _own_text(self.tree.clone())

    @cached_property
    def links(self) -> list[Link]:
        """Every link target on the page, absolute, fragments removed, http(s) and others kept."""
        out: list[Link] = []
        base = self.base_url
        origin = origin_of(base)
        for node in self.tree.css("a[href], area[href], iframe[src], embed[src], video[src], source[src]"):
            tag = node.tag
            attrs = node.attributes
            raw = attrs.get("href" if tag == "a" or tag == "area" else "src")
            raw = raw.strip() if raw else ""
            if not raw or raw[0] == "#":
                continue
            text = squash(node.text_lexbor()) if tag == "a" else ""
            if not text:
                label = attrs.get("aria-label") or attrs.get("title") or ""
                img = node.css_first("img[alt]") if tag == "a" else None
                text = squash(label or (img.attributes.get("alt") if img is not None else "") or "")
            rel = attrs.get("rel")
            out.append(_link(_resolution_base(base, origin, raw), raw, text, tag, rel.lower() if rel else ""))
        return out

    @property
    def link_urls(self) -> str:
        """Every link URL on the page, lower-cased, one per line: one substring search of this
        rules a host, a path or an extension out for every link at once, where testing each
        link grows with the page's links (a mega-menu's 150-300). Kept only as long as the
        page's tree (a council's pages' links at once would be megabytes of text)."""
        return self.derived("link_urls", lambda page: "\n".join(link.url for link in page.links).lower(),
                            transient=True)

    def meta(self, name: str) -> str | None:
        """Content of <meta name=...> or <meta property=...>, case-insensitive."""
        wanted = name.lower()
        for node in self.tree.css("meta[content]"):
            key = (node.attributes.get("name") or node.attributes.get("property") or "").lower()
            if key == wanted:
                return node.attributes.get("content")
        return None


def jsonld_objects(page: "Page", nested: tuple[str, ...]) -> Iterator[dict]:
    """Every JSON object in the page's JSON-LD blocks, depth first, descending into lists and
    into the values of the ``nested`` keys (``@graph``, ``mainEntity`` ...). A block that is
    not JSON is skipped: pages carry broken structured data often enough."""
    for node in page.tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text_lexbor() or "")
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                for key in nested:
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])


def element_children(node) -> list:
    """The element children of Lexbor node ``node``, in order (text and comments left out)."""
    out = []
    child = node.child
    while child is not None:
        if child.is_element_node:
            out.append(child)
        child = child.next
    return out


def inside(node, tags: tuple[str, ...]) -> bool:
    """Whether ``node`` sits inside one of ``tags`` (or a navigation, banner or contentinfo landmark)."""
    parent = node.parent
    while parent is not None:
        if parent.tag in tags or (parent.attributes.get("role") or "") in ("navigation", "banner", "contentinfo"):
            return True
        parent = parent.parent
    return False


def _own_text(tree: LexborHTMLParser) -> str:
    """Visible text of the main element (else the body) outside site furniture, whitespace
    collapsed. Changes ``tree``: pass a copy."""
    tree.strip_tags(list(INVISIBLE_TAGS + FURNITURE_TAGS))
    root = tree.root
    for node in tree.css("[hidden], [aria-hidden=true], [role=navigation], [role=banner], [role=contentinfo]"):
        if root is not None and node.mem_id == root.mem_id:
            return ""  # the whole document is hidden or furniture (Lexbor cannot take out its root)
        node.decompose()
    main = tree.css_first("main, [role=main]") or tree.body or tree.root
    return squash(main.text(separator=" ")) if main is not None else ""
