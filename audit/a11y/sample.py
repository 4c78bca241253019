"""Which pages of a council's Local Offer the browser engine (axe-core) checks.

The static engine checks every page; a browser is ~100x slower, so axe gets a sample of
the pages that matter most to families, in this order:

1. ``home``     the Local Offer home page;
2. ``pfa``      the Preparing for Adulthood / 16-25 page (``audit.checks.pfa.find_pfa``);
3. ``contact``  the contact page: title, ``<h1>`` or URL path about "contact" (fewest
                clicks first: the shallowest such page);
4. ``form``     the first page (crawl order) with a ``<form>`` that is not just a site
                search (a form with a text field, textarea, select, checkbox, radio or
                file input besides any search box);
5. ``most_linked`` the ``n`` in-scope pages most linked to from other pages (ties: URL).

Pure: no I/O. URLs are compared with ``audit.checks.pfa.normalise`` and each page appears once,
under its first reason.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from audit.core.page import Page
from audit.checks.pfa import normalise
from audit.core.urls import is_web_url

_CONTACT = re.compile(r"\bcontact(?:ing)?\b|\bget in touch\b", re.I)
_CONTACT_PATH = re.compile(r"contact", re.I)
_NOT_CONTACT = re.compile(r"\bcontact lens|\bcontact time\b", re.I)
_SEARCH_WORDS = re.compile(r"search|\bq\b|query|keyword", re.I)
_FIELD_TYPES = frozenset(("", "text", "email", "tel", "number", "date", "url", "password", "checkbox", "radio",
                          "file", "month", "week", "time", "datetime-local", "search"))


def choose_sample(pages: list[Page], home_url: str | None, pfa_url: str | None,
                  link_counts: dict[str, int], n: int = 10) -> list[tuple[str, str]]:
    """``[(url, reason), ...]`` in the order above; every URL is a crawled page's ``url``."""
    by_key: dict[str, Page] = {}
    for page in pages:
        by_key.setdefault(normalise(page.url), page)
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()

    def add(url: str | None, reason: str) -> None:
        if not url:
            return
        key = normalise(url)
        page = by_key.get(key)
        if page is None or key in seen:
            return
        seen.add(key)
        chosen.append((page.url, reason))

    add(home_url, "home")
    if home_url and normalise(home_url) not in by_key:  # home redirected: the crawl's start page
        roots = [p for p in pages if p.depth == 0]
        if roots:
            add(roots[0].url, "home")
    add(pfa_url, "pfa")
    contact = sorted((p for p in pages if is_contact_page(p)), key=lambda p: (p.depth, len(p.url), p.url))
    if contact:
        add(contact[0].url, "contact")
    for page in pages:
        if has_real_form(page):
            add(page.url, "form")
            break
    counts: Counter = Counter()
    for url, count in link_counts.items():
        key = normalise(url)
        if key in by_key:
            counts[key] = max(counts[key], count)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    added = 0
    for key, count in ranked:
        if added >= n:
            break
        if key in seen or count <= 0:
            continue
        add(by_key[key].url, "most_linked")
        added += 1
    return chosen


def link_counts(pages: list[Page]) -> dict[str, int]:
    """``{normalised target: number of distinct other crawled pages linking to it}`` over
    ``<a>``/``<area>`` links to web addresses (a page linking to itself does not count; a
    tel: or mailto: link leads to no page, see ``pfa.click_distances``)."""
    sources: dict[str, set[str]] = {}
    for page in pages:
        me = normalise(page.url)
        for link in page.links:
            if link.tag not in ("a", "area") or not is_web_url(link.url):
                continue
            target = normalise(link.url)
            if target != me:
                sources.setdefault(target, set()).add(me)
    return {target: len(s) for target, s in sources.items()}


def is_contact_page(page: Page) -> bool:
    for text in (page.title, page.h1):
        if text and _CONTACT.search(text) and not _NOT_CONTACT.search(text):
            return True
    path = urlsplit(page.url).path.rsplit("/", 2)
    return bool(_CONTACT_PATH.search("/".join(path[-2:])))


def has_real_form(page: Page) -> bool:
    """A ``<form>`` with a field a person fills in that is not a site search box."""
    for form in page.tree.css("form"):
        attrs = form.attributes
        form_text = " ".join(str(attrs.get(a) or "") for a in ("role", "action", "id", "class", "name", "aria-label"))
        if (attrs.get("role") or "").lower() == "search" or _SEARCH_WORDS.search(form_text):
            continue  # a site or directory search, with or without filters
        fields = 0
        for field in form.css("input, textarea, select"):
            fa = field.attributes
            if field.tag == "input":
                kind = (fa.get("type") or "").strip().lower()
                if kind not in _FIELD_TYPES:
                    continue
                name = " ".join(str(fa.get(a) or "") for a in ("name", "id", "placeholder", "aria-label"))
                if kind == "search" or _SEARCH_WORDS.search(name):
                    continue
            fields += 1
        if fields:
            return True
    return False


__all__ = ["choose_sample", "has_real_form", "is_contact_page", "link_counts"]
