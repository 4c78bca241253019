"""Site features families use to find things and feed back (SPEC ``has_*`` columns).

Each is decided over all crawled in-scope pages; the first page showing it is the evidence.

- ``has_search``: ``input[type=search]``, a ``role=search`` landmark/form with an input,
  a form whose ``action`` contains "search" with a text input, or an input named
  ``q``/``query``/``search``/``keywords``/``searchterm``/``s`` (WordPress) inside a form.
- ``has_social_media``: a link to the council's own account on Facebook, X/Twitter,
  Instagram, YouTube (channel/``@handle``/user pages, not single videos), LinkedIn or
  TikTok. "Share this page" buttons (``sharer.php``, ``/intent/tweet``, ``/share``,
  ``shareArticle``) are about the reader's account, not the council's, so they do not count;
  nor do the platforms' own home pages (``facebook.com/``).
- ``has_newsletter``: a sign-up: a form or link to GovDelivery (``govdelivery.com``),
  Mailchimp (``list-manage.com``, ``eepurl.com``), or a link/button/heading/form whose text
  says "sign up"/"subscribe"/"register" with "newsletter"/"updates"/"bulletin"/"mailing
  list"/"email alerts" (either order). A prose mention of a school newsletter is not one.
- ``has_video``: an embedded player: ``<video>``, or an iframe/embed from youtube.com,
  youtube-nocookie.com or (player.)vimeo.com, or ``<lite-youtube>``. Links to single videos
  (``youtube.com/watch``, ``youtu.be/…``, ``vimeo.com/<id>``) in the page's own content also
  count: the Local Offer is offering the video, only without embedding it. Channel links in
  the footer do not (that is social media).
- ``has_feedback_published``: a page whose subject is published feedback and the
  authority's response ("You said, we did", "Local Offer annual report"), by the same rule as
  the statutory item ``feedback_published``; or a link in the page content to a document
  (PDF/DOC) titled that way. A "Give us feedback" form or link does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from audit.check import Check, Column, Dimension
from audit.core.dates import fold
from audit.core.page import FURNITURE_TAGS, Page, squash
from audit.checks.statutory import ITEMS, page_evidence
from audit.core.wording import as_int

FEATURE_NAMES = ("has_search", "has_social_media", "has_newsletter", "has_video", "has_feedback_published")


@dataclass(frozen=True)
class Feature:
    present: bool
    evidence_url: str | None
    evidence: str


# --- search --------------------------------------------------------------------------

SEARCH_FIELD_NAMES = {"q", "query", "search", "keywords", "keyword", "searchterm", "search_term", "searchtext",
                      "term", "s", "qt", "search_api_fulltext", "text"}  # names of a site-search text field


def _search(page: Page) -> str | None:
    tree = page.tree
    node = tree.css_first("input[type=search]")
    if node is not None:
        return f'input[type=search name="{node.attributes.get("name") or ""}"]'
    for landmark in tree.css("[role=search]"):
        if landmark.css_first("input:not([type=hidden])") is not None:
            return f"{landmark.tag}[role=search] with input"
    for form in tree.css("form"):
        inputs = [i for i in form.css("input") if (i.attributes.get("type") or "text").lower() in ("text", "search", "")]
        if not inputs:
            continue
        action = (form.attributes.get("action") or "").lower()
        if "search" in action:
            return f'form action="{form.attributes.get("action")}"'
        for i in inputs:
            name = (i.attributes.get("name") or "").lower()
            if name in SEARCH_FIELD_NAMES and name not in ("text", "term") or (
                    name in ("text", "term") and "search" in (form.attributes.get("class") or "").lower()):
                return f'form input name="{i.attributes.get("name")}"'
    return None


# --- social media ----------------------------------------------------------------------

_SOCIAL_HOSTS = {
    "facebook.com": "Facebook", "fb.com": "Facebook", "x.com": "X", "twitter.com": "X",
    "instagram.com": "Instagram", "youtube.com": "YouTube", "linkedin.com": "LinkedIn", "tiktok.com": "TikTok",
}
_SHARE = re.compile(
    r"sharer|/share(?:\.php|/|\?|$)|/intent/|/dialog/|sharearticle|/sharing/|/plugins/|/home\?status=|"
    r"/watch|/embed/|/shorts/|/hashtag/|/search|/login|/signup|/privacy|/policies|/legal|/help",
    re.IGNORECASE,
)


def social_platform(host: str) -> str:
    """The social media site ``host`` belongs to (``facebook.com`` ...), or ""."""
    host = host.lower().split(":")[0]
    for suffix in _SOCIAL_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return suffix
    return ""


def _account_platform(url: str) -> str | None:
    """The platform whose account page ``url`` is, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    site = social_platform(parts.hostname or "")
    if not site:
        return None
    path = parts.path.rstrip("/")
    if not path or _SHARE.search(parts.path + ("?" + parts.query if parts.query else "")):
        return None
    if site == "youtube.com" and not re.match(r"^/(?:@|channel/|c/|user/)", parts.path):
        return None
    return _SOCIAL_HOSTS[site]


def _social(page: Page) -> str | None:
    urls = page.link_urls
    if not any(host in urls for host in _SOCIAL_HOSTS):  # no account link can be on the page
        return None
    for link in page.links:
        if link.tag == "a" and (platform := _account_platform(link.url)):
            return f"{platform} account link {link.url}"
    return None


# --- newsletter ----------------------------------------------------------------------

_NEWSLETTER_HOSTS = ("govdelivery.com", "list-manage.com", "eepurl.com", "mailchi.mp", "campaignmonitor.com",
                     "createsend.com", "dotdigital", "newsweaver", "gov.uk/email-signup")
_SIGNUP = re.compile(
    r"\b(?:sign[\s-]?up|subscribe|register|join)\b.{0,50}\b(?:newsletters?|e-?news|updates|e-?bulletins?|"
    r"mailing list|email alerts?|emails)\b"
    r"|\b(?:newsletters?|e-?news|e-?bulletins?|mailing list|email alerts?|email updates)\b.{0,40}"
    r"\b(?:sign[\s-]?up|subscribe|register)\b"
    r"|^\s*(?:subscribe|get email updates|email updates|sign up for (?:email )?updates)\s*$",
    re.IGNORECASE,
)
_SIGNUP_WORDS = (b"sign", b"subscribe", b"register", b"join", b"updates")  # each _SIGNUP match has one


def _newsletter(page: Page) -> str | None:
    urls = page.link_urls
    if any(h in urls for h in _NEWSLETTER_HOSTS):
        for link in page.links:
            if any(h in link.url.lower() for h in _NEWSLETTER_HOSTS):
                return f"link to {urlsplit(link.url).hostname} ({link.text[:60]})"
    tree = page.tree
    for form in tree.css("form"):
        action = (form.attributes.get("action") or "").lower()
        if any(h in action for h in _NEWSLETTER_HOSTS):
            return f'form action="{form.attributes.get("action")}"'
        if form.css_first("input[type=email]") is not None and re.search(
                r"newsletter|subscribe|sign[\s-]?up|updates|bulletin", form.text_lexbor() or "", re.IGNORECASE):
            return "email sign-up form"
    nodes = tree.css("a, button, h2, h3, h4, label, summary")
    texts = [node.text_lexbor() for node in nodes]
    folded = fold("\n".join(texts))  # one search of all the texts, not a squash and a regex each
    if not any(word in folded for word in _SIGNUP_WORDS):
        return None
    for node, raw in zip(nodes, texts):
        text = squash(raw)
        if text and len(text) <= 120 and _SIGNUP.search(text):
            return f'{node.tag} "{text}"'
    return None


# --- video -------------------------------------------------------------------------------

_VIDEO_EMBED = re.compile(r"^(?:[\w-]+\.)?(?:youtube\.com|youtube-nocookie\.com|vimeo\.com)$", re.IGNORECASE)
_PLAYERS = "video, lite-youtube, lite-vimeo, iframe[data-src], iframe[data-lazy-src]"
_VIDEO_LINK = re.compile(r"youtube\.com/watch\?|youtu\.be/[\w-]+|vimeo\.com/\d+|youtube\.com/shorts/", re.IGNORECASE)


def _inside_furniture(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in FURNITURE_TAGS or (parent.attributes.get("role") or "") in (
                "navigation", "banner", "contentinfo"):
            return True
        parent = parent.parent
    return False


def _video(page: Page) -> str | None:
    tree = page.tree
    # One query rules out the three element tests below at once on most pages.
    players = tree.css_first(_PLAYERS) is not None
    node = tree.css_first("video") if players else None
    if node is not None:
        src = node.attributes.get("src") or (node.css_first("source[src]").attributes.get("src")
                                             if node.css_first("source[src]") is not None else "")
        return f"<video> {src or ''}".strip()
    if players and tree.css_first("lite-youtube, lite-vimeo") is not None:
        return "<lite-youtube> embed"
    for link in page.links:
        if link.tag in ("iframe", "embed"):
            try:
                host = urlsplit(link.url).hostname or ""
            except ValueError:
                continue
            if _VIDEO_EMBED.match(host):
                return f"{link.tag} {link.url}"
    for node in tree.css("iframe[data-src], iframe[data-lazy-src]") if players else ():
        src = node.attributes.get("data-src") or node.attributes.get("data-lazy-src") or ""
        if re.search(r"youtube(?:-nocookie)?\.com/embed|player\.vimeo\.com", src):
            return f"iframe (lazy) {src}"
    # A link to a video has "youtu" or "vimeo.com/" in its URL: one test of the page's
    # (resolved) link URLs, far shorter than its markup, rules out the walk below. Only a
    # video URL inside a same-page fragment ("#youtu.be/…") escapes it, and is no video link.
    urls = page.link_urls
    if "youtu" in urls or "vimeo.com/" in urls:
        for node in tree.css("a[href]"):
            href = node.attributes.get("href") or ""
            if _VIDEO_LINK.search(href) and not _inside_furniture(node):
                return f"link to video {href}"
    return None


# --- published feedback ------------------------------------------------------------------

_FEEDBACK_INDEX = next(index for index, item in enumerate(ITEMS) if item.id == "feedback_published")
_DOC = re.compile(r"\.(?:pdf|docx?|odt)(?:$|\?)", re.IGNORECASE)
_FEEDBACK_DOC = re.compile(r"you said,?\s*we did|local offer (?:annual )?(?:report|review)|"
                           r"(?:feedback|comments) (?:on|about) (?:the|our) local offer", re.IGNORECASE)


@lru_cache(maxsize=1 << 14)
def _is_document(url: str) -> bool:
    return _DOC.search(url) is not None


def _feedback(page: Page) -> str | None:
    evidence = page_evidence(page)[_FEEDBACK_INDEX]
    if evidence:
        return evidence
    for link in page.links:
        if link.tag == "a" and _is_document(link.url) and _FEEDBACK_DOC.search(link.text):
            return f'document link "{link.text[:100]}" {link.url}'
    return None


_CHECKS = (("has_search", _search), ("has_social_media", _social), ("has_newsletter", _newsletter),
           ("has_video", _video), ("has_feedback_published", _feedback))


class FeatureSearch:
    """Pages are shown one at a time, in order; each feature keeps the first page showing it.
    Page by page rather than check by check, so the audit can run it in its single page
    pass while each page's parsed tree is at hand (see Page.tree)."""

    def __init__(self):
        self.found = {name: Feature(False, None, "") for name, _ in _CHECKS}
        self._pending = list(_CHECKS)

    def add(self, page: Page) -> None:
        if page.status != 200 or not self._pending:
            return
        for name, check in list(self._pending):
            evidence = check(page)
            if evidence:
                self.found[name] = Feature(True, page.url, evidence)
                self._pending.remove((name, check))


def detect(pages: list[Page]) -> dict[str, Feature]:
    """Feature name -> Feature(present, evidence_url, evidence) over the crawled pages."""
    search = FeatureSearch()
    for page in pages:
        search.add(page)
    return search.found


__all__ = ["FEATURE_NAMES", "Feature", "FeatureSearch", "detect"]


FEATURE_LABELS = {"has_search": "site search", "has_social_media": "social media", "has_newsletter": "newsletter",
                  "has_video": "video", "has_feedback_published": "published feedback"}


class Features(Check):
    """Ways for a family to find things and to feed back: site search, social media, a
    newsletter, video, and published feedback with the council's response."""

    name = "features"
    dimension = Dimension(
        "features", "Ways to find and feed back", 3,
        "0.6 each for site search, social media, a newsletter, video, and published feedback "
        "('You said, we did').",
        advice="Add site search, a newsletter, and publish feedback with the council's response ('You said, we did').",
        explained_by=("missing_feature", "feature_missing", "features"),
    )
    columns = (
        Column("has_search", "INTEGER", "1 if the site has a search box."),
        Column("has_social_media", "INTEGER", "1 if the site links to social media."),
        Column("has_newsletter", "INTEGER", "1 if the site offers a newsletter."),
        Column("has_video", "INTEGER", "1 if the site has video."),
        Column("has_feedback_published", "INTEGER",
               '1 if the site publishes feedback and the council\'s response ("You said, we did").'),
    )

    def __init__(self, context):
        super().__init__(context)
        self.search = FeatureSearch()

    def page(self, page: Page) -> None:
        self.search.add(page)

    def finish(self) -> None:
        for column, feature in self.search.found.items():
            self.score[column] = int(feature.present)

    @staticmethod
    def points(row: dict) -> float:
        if not row.get("pages_crawled"):
            return 0.0
        per_feature = Features.dimension.weight / len(FEATURE_NAMES)
        return per_feature * sum(1 for c in FEATURE_NAMES if row.get(c))

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        present = [label for column, label in FEATURE_LABELS.items() if as_int(row.get(column))]
        if not present:
            return f"None of {len(FEATURE_LABELS)} found"
        return f"{len(present)} of {len(FEATURE_LABELS)}: " + ", ".join(present)
