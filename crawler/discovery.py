"""Finding a council's Local Offer the way a parent would (pure logic: no I/O).

When the registry has no URL for a council, or its URL is dead (404/410, the name no longer
resolves) or redirects off the council's sites, the crawler looks for the Local Offer
from the council's main website (``LocalOfferSpider.discover`` does the fetching, through
the crawler's own politeness and address guard). The sources, in a parent's order:

1. links on the council's home page whose text names the Local Offer or SEND ("SEND Local
   Offer", "Local Offer", "Special educational needs and disabilities (SEND)");
2. the pages its main navigation leads to for children, families, education or schools,
   and their links of the same kind (a parent clicks "Education and learning", then
   "SEND Local Offer");
3. the seed's own redirect, when the registry URL moved somewhere;
4. the council's sitemap, for URLs whose path says local-offer or send;
5. common paths on the council's site (``/localoffer``, ``/send-local-offer`` ...), only
   when nothing better was found.

Each candidate gets a score from what named it, then, once fetched, from what the page
itself says (its title and main heading). Decoys score below zero: "local offers" on
council tax, leisure or business discounts; a school's "SEN information report"; a news
story about the Local Offer (a news path, an article's publication metadata). The best
candidate at or above ``CHOSEN_AT`` wins, with its reason; every candidate is kept as
evidence (table ``discoveries``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from audit.core.page import Page, inside, squash
from audit.core.urls import canonical_url, host_of, is_web_url

# Link text or titles naming the Local Offer: singular "offer" ("local offers" is a decoy).
LOCAL_OFFER = re.compile(r"\blocal[\s-]*offer\b", re.I)
# SEND by name: the upper-case acronyms (lower-case "send" is a verb: "send us a message")
# or the words in full.
SEND = re.compile(r"\bSEND?\b|\bSEN/D\b")
SEND_WORDS = re.compile(r"special educational needs?|\b(?:children|young people)\b.{0,30}\bdisab|\bdisabled\s+"
                        r"(?:children|young)", re.I)
DECOYS = (  # (pattern on link text / title, why it is not the Local Offer)
    (re.compile(r"\blocal\s+offers\b|\bspecial\s+offers?\b|\boffers?\s+and\s+discounts?\b", re.I),
     "offers or discounts, not the Local Offer"),
    (re.compile(r"council\s+tax|business\s+rates|leisure|discount|parking|deals\b|\bshop\b", re.I),
     "a council tax, leisure or discount page"),
    (re.compile(r"\bSEN\s+information\s+report\b|\bSEND\s+information\s+report\b", re.I),
     "a school's SEN information report"),
)
NEWS_PATH = re.compile(r"/(news|press|press-releases?|blog|media-centre|latest-news|stories)(/|$)|/20\d\d/\d\d?/",
                       re.I)
LOCAL_OFFER_PATH = re.compile(r"local[-_]?offer", re.I)
SEND_PATH = re.compile(r"(^|/|-)send(/|-|$)", re.I)
# Navigation links a parent would follow towards the Local Offer.
HUB = re.compile(r"\b(education|schools?|children|famil(?:y|ies)|young people|disabilit(?:y|ies)|learning|"
                 r"social care|health)\b", re.I)
COMMON_PATHS = ("/localoffer", "/local-offer", "/send-local-offer", "/sendlocaloffer", "/send")
CHOSEN_AT = 40  # a candidate scoring less is not taken for the Local Offer
STRONG = 60  # a link naming the Local Offer: enough that sitemaps and guessed paths are not tried
HUBS_FOLLOWED = 3
CANDIDATES_FETCHED = 4


@dataclass
class Candidate:
    url: str
    found_on: str
    evidence: str
    score: int
    fetched: bool = False  # its page was fetched and judged (score includes the judgement)
    dead: bool = False  # fetching it failed or gave no page
    final_url: str | None = None  # where it redirected to, when it did: crawled as the seed

    def merge(self, other: "Candidate") -> None:
        """The same URL named twice: keep the stronger reason, mention the other."""
        if other.score > self.score:
            self.found_on, self.score, other_evidence = other.found_on, other.score, self.evidence
            self.evidence = f"{other.evidence}; also {other_evidence}"
        elif other.evidence not in self.evidence:
            self.evidence = f"{self.evidence}; also {other.evidence} on {other.found_on}"[:600]


def decoy(text: str) -> str | None:
    for pattern, why in DECOYS:
        if pattern.search(text):
            return why
    return None


def _names_send(text: str) -> bool:
    return bool(SEND.search(text) or SEND_WORDS.search(text))


def score_link(text: str, url: str) -> tuple[int, str] | None:
    """How strongly a link's text and address say "the Local Offer" (score, evidence), or
    None when the link is not about the Local Offer or SEND at all."""
    names_offer = bool(LOCAL_OFFER.search(text))
    names_send = _names_send(text)
    why_not = decoy(text)
    if not (names_offer or names_send or why_not and re.search(r"offer|\bSEN", text)):
        return None
    quoted = f"link {text[:120]!r}"
    if why_not:
        return -100, f"{quoted}: {why_not}"
    score = 60 * names_offer + 30 * names_send
    path = _path(url)
    score += 20 if LOCAL_OFFER_PATH.search(path) else 10 if SEND_PATH.search(path) else 0
    if NEWS_PATH.search(path):
        return -80, f"{quoted}: a news item, not the Local Offer"
    return score, quoted


def link_candidates(page: Page, found_on: str) -> list[Candidate]:
    """Links on ``page`` whose text names the Local Offer or SEND (decoys included, scored
    below zero, so the evidence shows they were seen and passed over)."""
    out = []
    for link in page.links:
        if link.tag not in ("a", "area") or not is_web_url(link.url):
            continue
        scored = score_link(link.text, link.url)
        if scored is not None:
            out.append(Candidate(link.url, found_on, scored[1], scored[0]))
    return out


def hub_links(page: Page, limit: int = HUBS_FOLLOWED) -> list[str]:
    """The main navigation's links towards children, families, education and schools, on the
    council's own host, best first: where a parent would look for the Local Offer next."""
    host = host_of(page.url)
    home = canonical_url(page.url)
    ranked: dict[str, tuple[int, int]] = {}
    for node in page.tree.css("a[href]"):
        text = squash(node.text_lexbor())
        if not HUB.search(text) or decoy(text):
            continue
        url = urldefrag(urljoin(page.base_url, (node.attributes.get("href") or "").strip()))[0]
        if host_of(url) != host or canonical_url(url) == home:
            continue
        rank = (int(inside(node, ("nav", "header"))), len(HUB.findall(text)))
        ranked[url] = max(ranked.get(url, rank), rank)
    return sorted(ranked, key=lambda u: (-ranked[u][0], -ranked[u][1], u))[:limit]


def sitemap_candidates(urls: list[str], sitemap_url: str) -> list[Candidate]:
    """Sitemap entries whose path names the Local Offer (or is a SEND section)."""
    out = []
    for url in urls:
        path = _path(url)
        if NEWS_PATH.search(path):
            continue
        if LOCAL_OFFER_PATH.search(path):
            out.append(Candidate(url, sitemap_url, "the sitemap lists a local-offer path", 40))
        elif SEND_PATH.search(path) and path.rstrip("/").count("/") <= 2:
            out.append(Candidate(url, sitemap_url, "the sitemap lists a SEND section", 20))
    return out


def judge_page(page: Page) -> tuple[int, str]:
    """What a fetched candidate page says about itself: (score change, evidence)."""
    own = f"{page.title} | {page.h1}"
    why_not = decoy(own)
    if why_not:
        return -100, f"page titled {page.title[:80]!r}: {why_not}"
    if _is_news(page):
        return -80, f"page titled {page.title[:80]!r} is a news story"
    if LOCAL_OFFER.search(own):
        return 40, f"page titled {page.title[:80]!r} names the Local Offer"
    if _names_send(own):
        return 15, f"page titled {page.title[:80]!r} is about SEND"
    return -20, f"page titled {page.title[:80]!r} does not name the Local Offer or SEND"


def _is_news(page: Page) -> bool:
    if NEWS_PATH.search(_path(page.url)):
        return True
    kind = (page.meta("og:type") or "").lower()
    return kind == "article" or page.meta("article:published_time") is not None


def common_path_urls(council_url: str) -> list[str]:
    parts = urlsplit(council_url)
    return [f"{parts.scheme}://{parts.netloc}{path}" for path in COMMON_PATHS]


def choose(candidates: list[Candidate]) -> tuple[Candidate | None, str]:
    """The best live candidate scoring at least CHOSEN_AT, and the reason in one line."""
    live = [c for c in candidates if not c.dead]
    if not live:
        return None, "no candidate named the Local Offer or SEND" if not candidates else \
            f"none of {len(candidates)} candidate(s) could be fetched"
    best = max(live, key=lambda c: (c.score, c.fetched, -len(c.url), c.url))
    if best.score < CHOSEN_AT:
        return None, (f"no candidate was convincing (best: {best.url}, score {best.score}: "
                      f"{best.evidence[:200]})")
    return best, f"{best.evidence} (on {best.found_on}; score {best.score})"


def on_council_sites(url: str, council_url: str, registry_url: str) -> bool:
    """Whether ``url`` is on the council's own site or the registry Local Offer's host (any
    subdomain of either, "www." aside): a seed redirected elsewhere may have moved."""
    host = host_of(url)
    for base in (host_of(council_url), host_of(registry_url)):
        base = base[4:] if base.startswith("www.") else base
        if base and (host == base or host.endswith("." + base)):
            return True
    return False


def _path(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "/"
