"""What a directory record tells a family (SPEC "Directory entries").

For each recognised record page: its title, its own last-updated / reviewed date with the
text it came from, the five fields SPEC names and the provider's own website.

Each field is decided from the record's labelled fields first (``records.labels``: "Cost",
"Who is it for", "Referral", "Where to go" ... with a value that is not a placeholder such
as "N/A" or "Not known"), else from equivalent sentences in the record's own content
(not the site's header, menus or footer, whose "Contact us" and phone number are on every
page):

- ``has_eligibility``: who it is for: ages ("aged 5 to 11", "0-25 years"), needs or criteria;
- ``has_access``: how to get it: referral, how to apply, booking, drop-in, opening times;
- ``has_contact``: a phone number, an email address or a contact form;
- ``has_location``: an address or postcode, an area served, or "online / telephone only";
- ``has_cost``: what it costs (£), that it is free, or how it is funded.

The date is ``staleness.own_date``: the same evidence, rules and cache as the staleness
check (visible "Last updated" / "Page last reviewed" / "Date updated" / "Record last
checked", else schema.org ``dateModified`` and other metadata); a sitemap or HTTP date
describes the file, not the record, so it is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from audit.core.dates import fold
from audit.checks.features import social_platform
from audit.core.page import Page, squash
from audit.checks.staleness import is_stale, own_date
from audit.core.urls import host_of, is_web_url

from .records import Label, labels, record_root

FIELDS = ("has_eligibility", "has_access", "has_contact", "has_location", "has_cost")

_PLACEHOLDER = re.compile(r"^(?:n/?a|none|nil|not (?:known|applicable|available|specified|provided)|unknown|tb[ca]"
                          r"|-+|\u2013|\u2014|\.|no information(?: available)?|to be confirmed)\.?$", re.IGNORECASE)

_PHONE = re.compile(r"(?<![\d/])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\d/])")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_CONTACT_FORM = re.compile(rb"\b(?:contact|enquiry|referral|online) form\b|\bget in touch\b|\bsend (?:us )?a message\b")
_POUND = re.compile(r"£\s?\d")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_AREA = re.compile(
    rb"\b(?:online|virtual(?:ly)?|remote(?:ly)?) (?:only|service|sessions?|support|groups?|meetings?)\b"
    rb"|\bdelivered (?:online|by (?:tele)?phone|remotely|in (?:your|the family) home|in schools?)\b"
    rb"|\b(?:tele)?phone (?:only|service|helpline)\b|\bhome visits?\b|\bacross (?:the )?(?:whole )?(?:borough|county|city|district)\b"
    rb"|\b(?:county|borough|city)[- ]wide\b|\bareas? (?:served|covered)\b|\bnational(?:ly)? (?:service|helpline)\b")
_COST = re.compile(
    rb"\bfree of charge\b|\bno (?:charge|cost|fee)s?\b|\b(?:is|are|it's|it is|service is|sessions are)\s+"
    rb"(?:completely |totally |entirely )?free\b|\bfree\s+(?:service|sessions?|to (?:attend|use|join|access|families)|"
    rb"support|groups?|activit(?:y|ies)|places?|of charge|for (?:families|parents|children))\b|\b(?:fully |is |are )funded\b"
    rb"|\bfunded (?:by|through|places?)\b|\bcharges? (?:may )?apply\b|\bcosts? (?:vary|varies|depend)")
_ELIGIBILITY = re.compile(
    rb"\bage[sd]?\s+(?:from\s+)?\d|\b\d{1,2}\s*(?:-|\?|to)\s*\d{1,2}\s*(?:years?|yrs|year[- ]olds?)\b|\bunder\s+\d{1,2}s?\b"
    rb"|\bover\s+\d{1,2}s?\b|\byears? old\b|\beligib|\bcriteria\b|\bfor (?:children|young people|families|parents|carers|"
    rb"pupils|adults|anyone)\b[^.]{0,40}?\b(?:with|who|aged|living)\b|\behc ?plans?\b|\bdiagnos[ie]s")
_ACCESS = re.compile(
    rb"referr|\bhow to (?:apply|access|book|join|get)\b|\bapply (?:online|by|through|via|to)\b|\bbook(?:ing)? (?:is |a |online|"
    rb"essential|required|via|through|in advance)|\bdrop[- ]in\b|\bself[- ]refer|\bopening (?:times|hours)\b"
    rb"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b|\b\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)\b|\bjust turn up\b"
    rb"|\bno need to book\b|\bappointments?\b")
_WEBSITE_TEXT = re.compile(r"\bweb ?site\b|\bvisit\b|\bhomepage\b|^www\.|^https?://", re.IGNORECASE)

# Sentences that give a field, tried in order when no label does: str patterns on the text,
# bytes patterns (lower case) on ``dates.fold`` of it, whose offsets are the text's.
_FALLBACKS = (("has_eligibility", (_ELIGIBILITY,)), ("has_access", (_ACCESS,)),
              ("has_contact", (_PHONE, _EMAIL, _CONTACT_FORM)), ("has_location", (_POSTCODE, _AREA)),
              ("has_cost", (_POUND, _COST)))

# The field each label kind answers; "when" (opening times) is how to get it, SPEC says so.
_KIND_FIELD = {"eligibility": "has_eligibility", "access": "has_access", "when": "has_access",
               "contact": "has_contact", "location": "has_location", "cost": "has_cost"}


@dataclass(frozen=True)
class Record:
    url: str
    title: str
    last_updated: date | None
    date_evidence: str | None
    has_eligibility: bool
    has_access: bool
    has_contact: bool
    has_location: bool
    has_cost: bool
    provider_url: str | None
    evidence: tuple[tuple[str, str], ...] = ()  # (field, the label or sentence that decided it)

    @property
    def complete(self) -> bool:
        return all(getattr(self, name) for name in FIELDS)

    @property
    def missing(self) -> tuple[str, ...]:
        """The SPEC fields this record does not give, in SPEC order (for the report card)."""
        return tuple(name for name in FIELDS if not getattr(self, name))

    def stale(self, as_of: date | datetime, stale_after_days: int = 365) -> int | None:
        """SPEC ``stale``: 1 when older than ``stale_after_days`` before ``as_of``; None undated."""
        if self.last_updated is None:
            return None
        return int(is_stale(self.last_updated, as_of, stale_after_days))


def _snippet(text: str, match: re.Match) -> str:
    start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
    return squash(text[start:end])


def _labelled(found: tuple[Label, ...]) -> dict[str, str]:
    """{field: evidence} for fields given by a label with a real value."""
    out: dict[str, str] = {}
    for label in found:
        field = _KIND_FIELD.get(label.kind)
        if field is None or field in out:
            continue
        value = label.value.strip(" :")
        if not value or _PLACEHOLDER.match(value):
            continue
        if field == "has_contact" and not (_PHONE.search(value) or _EMAIL.search(value) or _CONTACT_FORM.search(fold(value))):
            continue  # "Contact name: Short Breaks Team" alone is not a way to get in touch
        out[field] = f"{label.text}: {value[:80]}"
    return out


def _site_key(host: str) -> str:
    """The registrable part of a host, near enough for "is this the council's own site":
    the last two labels, or three under a UK second-level domain (gov.uk, org.uk, co.uk ...)."""
    parts = host.lower().rstrip(".").split(".")
    keep = 3 if len(parts) >= 3 and parts[-1] == "uk" and parts[-2] in (
        "gov", "org", "co", "ac", "nhs", "police", "ltd", "plc", "me", "net", "sch") else 2
    return ".".join(parts[-keep:])


def provider_link(page: Page, root, council_hosts: tuple[str, ...] = ()) -> str | None:
    """The provider's own website: an external http(s) link in the record labelled as a
    website ("Website", "Visit website", a bare www. address, or the value of a "Website"
    field), not social media, not the council's own sites, not GOV.UK."""
    own = {_site_key(host_of(page.url))} | {_site_key(h) for h in council_hosts if h}
    website_values = {label.value.lower() for label in labels(page) if label.kind == "website"}
    for node in root.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not is_web_url(href):
            continue
        host = host_of(href)
        if not host or _site_key(host) in own or social_platform(host) or host == "gov.uk" or host.endswith(".gov.uk"):
            continue
        text = squash(node.text_lexbor()) or (node.attributes.get("aria-label") or node.attributes.get("title") or "")
        if _WEBSITE_TEXT.search(text) or (text and text.lower() in website_values):
            return href
    return None


def read_record(page: Page, council_hosts: tuple[str, ...] = ()) -> Record:
    """Read a page ``records.decide`` found to be a record (see the module docstring).
    ``council_hosts``: the council's own host names, never taken as the provider's website."""
    root = record_root(page) or page.tree.root
    found = labels(page)
    decided = _labelled(found)
    text = squash(root.text(separator=" ")) if root is not None else ""
    folded = fold(text)  # bytes patterns on folded text: re.IGNORECASE costs ~100 ns a character
    for field, patterns in _FALLBACKS:
        if field in decided:
            continue
        for pattern in patterns:
            match = pattern.search(folded if isinstance(pattern.pattern, bytes) else text)
            if match:
                decided[field] = _snippet(text, match)
                break
    if "has_contact" not in decided and root is not None:
        link = root.css_first('a[href^="mailto:"], a[href^="tel:"]')
        if link is not None:
            decided["has_contact"] = link.attributes.get("href") or ""
    evidence = own_date(page)
    return Record(
        url=page.url,
        title=page.h1 or page.title,
        last_updated=evidence.date if evidence else None,
        date_evidence=evidence.evidence if evidence else None,
        provider_url=provider_link(page, root, council_hosts) if root is not None else None,
        evidence=tuple((field, decided[field]) for field in FIELDS if field in decided),
        **{field: field in decided for field in FIELDS},
    )


__all__ = ["FIELDS", "Record", "provider_link", "read_record"]
