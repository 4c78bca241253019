"""Preparing for Adulthood (PfA, 16-25): is there a page devoted to it, and how many
clicks from the Local Offer home does a young person need to reach it?

Devoted means the page's ``<title>`` or its ``<h1>`` names the topic (or, on CMSs that
use no ``<h1>``, the first ``<h2>``). A menu link, a home-page tile or a paragraph that
mentions "preparing for adulthood" is not a devoted page. "Post-16" counts only when the
page is not about transport (a "Post-16 travel assistance" page is a transport page).

Clicks are the shortest path over in-scope ``<a>``/``<area>`` links, breadth first from
the home page (0 clicks). URLs are compared scheme-agnostic, host lower-cased, default
ports and trailing slashes dropped; a page's ``url`` is its final URL after redirects.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from audit.check import Check, Column, Dimension
from audit.core.page import Page
from audit.core.scope import in_scope
from audit.core.urls import is_web_url
from audit.core.wording import as_int, plural

PFA_TOPIC = re.compile(
    r"\bprepar(?:ing|ation)\s+for\s+adult(?:hood|\s+life)\b|\bPfA\b"
    r"|\b1[46]\s*(?:-|\u2013|\u2014|to)\s*25\b"
    r"|\bmoving\s+(?:in)?to\s+adulthood\b|\btransition(?:ing)?\s+(?:in)?to\s+adult(?:hood|\s+life|\s+services)?\b"
    r"|\bpost[\s-]?16\b",
    re.IGNORECASE,
)
_WEAK = re.compile(r"\bpost[\s-]?16\b", re.IGNORECASE)
_NOT_PFA = re.compile(r"\btransport\b|\btravel\b|\bsearch results?\b|\bpage not found\b", re.IGNORECASE)
PFA_FREE_CLICKS = 2  # clicks from the Local Offer home that cost nothing
PFA_MIN_POINTS = 4  # points while the section exists, however deep
_PFA_PATH = re.compile(r"pfa|adulthood|16-25|14-25|post-?16", re.IGNORECASE)


@dataclass(frozen=True)
class PfaResult:
    url: str
    clicks: int | None  # None when the page is not reachable from the home page by links
    evidence: str


@lru_cache(maxsize=1 << 16)
def normalise(url: str) -> str:
    """Scheme-agnostic comparison key: host (lower, default port dropped) + path without
    trailing slash + query. Cached: a site's menu and footer links repeat on every page,
    and ``click_distances`` normalises every link of every page."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


class ClickDistances(dict):
    """``{page.url: clicks}``; lookups also accept any spelling of the URL (trailing slash,
    scheme, host case) or its ``normalise()`` key."""

    def __init__(self, data: dict[str, int]):
        super().__init__(data)
        self._index = {normalise(k): v for k, v in data.items()}

    def _fallback(self, key):
        if key in self._index:
            return self._index[key]
        return self._index.get(normalise(key)) if isinstance(key, str) else None

    def __missing__(self, key):
        value = self._fallback(key)
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        value = self._fallback(key)
        return default if value is None else value

    def __contains__(self, key):
        return dict.__contains__(self, key) or self._fallback(key) is not None


def click_distances(pages: list[Page], home_url: str, scope: tuple[str, ...]) -> dict[str, int]:
    """Fewest clicks from ``home_url`` to each crawled in-scope page (keyed by ``page.url``);
    unreachable pages are absent. When the home URL itself was redirected (so no page has
    it as final URL) the crawl's depth-0 page stands in for it."""
    by_key: dict[str, Page] = {}
    for page in pages:
        if in_scope(page.url, scope):
            by_key.setdefault(normalise(page.url), page)
    start = normalise(home_url)
    if start not in by_key:
        roots = [normalise(p.url) for p in pages if p.depth == 0 and normalise(p.url) in by_key]
        if not roots:
            return ClickDistances({})
        start = roots[0]
    dist = {start: 0}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        page = by_key.get(key)
        if page is None:
            continue
        for link in page.links:
            if link.tag not in ("a", "area") or not is_web_url(link.url):  # a tel: link leads to no page
                continue
            target = normalise(link.url)
            if target in dist or target not in by_key:
                continue
            dist[target] = dist[key] + 1
            queue.append(target)
    return ClickDistances({by_key[k].url: d for k, d in dist.items()})


def _first_h2(page: Page) -> str:
    for level, text in page.headings:
        if level == 2:
            return text
    return ""


def pfa_evidence(page: Page) -> tuple[int, str] | None:
    """(specificity, evidence) when the page is devoted to PfA; None otherwise."""
    score, evidence = 0, []
    title = page.title
    heading = page.h1 or _first_h2(page)
    heading_kind = "h1" if page.h1 else "h2"
    for kind, text in (("title", title), (heading_kind, heading)):
        if not text or _NOT_PFA.search(text):
            continue
        m = PFA_TOPIC.search(text)
        if m:
            score += 1 if _WEAK.fullmatch(m.group(0)) else 2
            evidence.append(f'{kind}: "{text[:120]}"')
    if score == 0:
        return None
    if _PFA_PATH.search(urlsplit(page.url).path):
        score += 1
    return score, "; ".join(evidence)


def find_pfa(pages: list[Page], home_url: str, scope: tuple[str, ...],
             distances: dict[str, int] | None = None) -> PfaResult | None:
    """The in-scope PfA page with the fewest clicks from ``home_url``, then the most specific.
    ``distances``: ``click_distances`` of the same pages, when the caller has it already."""
    if distances is None:
        distances = click_distances(pages, home_url, scope)
    candidates = []
    for page in pages:
        if page.status != 200 or not in_scope(page.url, scope):
            continue
        found = pfa_evidence(page)
        if found is None:
            continue
        clicks = distances.get(page.url)
        candidates.append((clicks if clicks is not None else 10**6, -found[0], len(page.url), page.url, clicks, found[1]))
    if not candidates:
        return None
    best = min(candidates)
    return PfaResult(best[3], best[4], best[5])


__all__ = ["ClickDistances", "PfaResult", "PFA_TOPIC", "click_distances", "find_pfa", "normalise", "pfa_evidence"]


# Datasette metadata for what this check publishes (merged by audit/serve.py).
METADATA = """
queries:
  no_pfa:
    title: Councils without a Preparing for Adulthood (16-25) section
    description: >-
      Councils whose Local Offer has no page devoted to Preparing for Adulthood,
      16-25 or post-16 transition in the latest complete audit.
    sql: |-
      select
        s.council_code,
        s.council_name,
        s.send_space,
        s.crawl_status,
        s.pages_crawled,
        s.score,
        s.rank
      from council_scores s
      join latest_audit a on a.audit_id = s.audit_id
      where coalesce(s.pfa_section, 0) = 0
      order by s.rank, s.council_name
"""


class Pfa(Check):
    """Is there a page devoted to Preparing for Adulthood / 16-25, and how many clicks from the
    Local Offer's home page? Also gives every page its click distance (page_audits.clicks)."""

    name = "pfa"
    metadata = METADATA
    dimension = Dimension(
        "pfa", "Preparing for Adulthood (16-25)", 8,
        "8 when a page is devoted to Preparing for Adulthood / 16-25, less 1 per click beyond 2 "
        "from the Local Offer home (at least 4 while it exists); 0 when there is none.",
        advice="Give Preparing for Adulthood (16-25) its own page, two clicks or fewer from the Local Offer home page.",
        explained_by=("pfa_missing",),
    )
    columns = (
        Column("pfa_section", "INTEGER",
               "1 if a Local Offer page is devoted to Preparing for Adulthood / 16-25 / post-16 transition."),
        Column("pfa_url", "TEXT", "That Preparing for Adulthood page."),
        Column("pfa_clicks", "INTEGER", "The fewest clicks from the Local Offer home page to reach it."),
    )
    findings = {"pfa_missing": "No Preparing for Adulthood (16-25) section"}

    def finish(self) -> None:
        pages, home, scope = self.context.pages, self.context.home, self.context.scope
        clicks = click_distances(pages, home, scope) if pages else {}
        for url, row in self.result.page_rows.items():
            row["clicks"] = clicks.get(normalise(url))
        found = find_pfa(pages, home, scope, clicks) if pages else None
        self.score["pfa_section"] = 0
        if found is not None:
            self.score.update(pfa_section=1, pfa_url=found.url, pfa_clicks=found.clicks)
        elif pages:
            self.find("pfa_missing", home, "preparing_for_adulthood", "high",
                      "No page devoted to Preparing for Adulthood / 16-25 was found", "")

    @staticmethod
    def points(row: dict) -> float:
        if not row.get("pages_crawled") or not row.get("pfa_section"):
            return 0.0
        clicks = row.get("pfa_clicks")
        extra = max(0, (clicks if clicks is not None else PFA_FREE_CLICKS) - PFA_FREE_CLICKS)
        return float(max(PFA_MIN_POINTS, Pfa.dimension.weight - extra))

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        if not as_int(row.get("pfa_section")):
            return "No 16-25 section"
        clicks = row.get("pfa_clicks")
        if clicks is None:
            return "16-25 section found"
        return f"16-25 section, {plural(as_int(clicks), 'click')} from home"
