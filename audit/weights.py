"""The scoring weights, in one place.

A council's score (0-100) is the sum of the points it earns in each dimension; each
dimension's maximum is its weight. The methodology page renders this table, so what
readers see and what the code computes cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    key: str  # column suffix in council_scores: score_<key>
    label: str
    weight: float
    rule: str  # how the points are earned, in plain English


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "freshness", "Up to date", 25,
        "25 x (pages with a last-updated date within the stale threshold) / (pages crawled). "
        "Undated pages earn nothing: a family cannot tell whether they are current.",
    ),
    Dimension(
        "links", "Working links", 20,
        "20 x (1 - 10 x broken links / links checked), never below 0: two points lost per 1% of "
        "links broken. Blocked (401/403/429, bot challenge) links are unverifiable and cost nothing.",
    ),
    Dimension(
        "accessibility", "Accessibility", 20,
        "15 x (pages with no automated accessibility violation) / (pages checked), plus 5 x "
        "(accessibility aids found: translation, text resize, read aloud) / 3.",
    ),
    Dimension(
        "statutory", "Statutory content", 20,
        "20 x (statutory items found) / (items checked), items from the SEND Regulations 2014 "
        "Schedule 2 and Code of Practice chapter 4.",
    ),
    Dimension(
        "pfa", "Preparing for Adulthood (16-25)", 8,
        "8 when a page is devoted to Preparing for Adulthood / 16-25, less 1 per click beyond 2 "
        "from the Local Offer home (at least 4 while it exists); 0 when there is none.",
    ),
    Dimension(
        "send_space", "Dedicated SEND space", 4,
        "4 for a dedicated site, 3 for a Local Offer channel of a wider directory, 2 for a section "
        "of the council's main site, 0 when no Local Offer was found.",
    ),
    Dimension(
        "features", "Ways to find and feed back", 3,
        "0.6 each for site search, social media, a newsletter, video, and published feedback "
        "('You said, we did').",
    ),
)

WEIGHTS = {d.key: d.weight for d in DIMENSIONS}
assert sum(WEIGHTS.values()) == 100, "weights must add up to 100"

BROKEN_SHARE_PENALTY = 10  # links: points fraction lost per unit share of broken links
A11Y_PAGES_POINTS = 15
A11Y_AIDS_POINTS = 5
A11Y_AIDS = ("translation", "text_resize", "read_aloud")
PFA_FREE_CLICKS = 2
PFA_MIN_POINTS = 4
SEND_SPACE_POINTS = {"dedicated_site": 4, "directory_channel": 3, "council_section": 2, "not_found": 0}
FEATURE_COLUMNS = ("has_search", "has_social_media", "has_newsletter", "has_video", "has_feedback_published")
