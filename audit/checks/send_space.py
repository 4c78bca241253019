"""Does the council give SEND its own space? SPEC ``send_space``.

- ``not_found``: no Local Offer URL, or nothing was crawled (no 200 HTML page).
- ``council_section``: the Local Offer pages live on the council's main website host
  (``www.`` ignored; hosts compared with their ports, so IP-literal test sites work).
- ``directory_channel``: a Local Offer channel of a wider family / services directory:
  the Open Objects kb5 ``.../kb5/<la>/<dir>/localoffer.page`` pattern or a
  ``?channel=localoffer`` / ``familychannel=`` URL (unless the host name itself says
  "localoffer"/"send"), a host or site title naming a family information service,
  family hub or services directory, or an own host whose pages are mostly *not* about SEND.
- ``dedicated_site``: its own host (own domain or a council subdomain such as
  ``localoffer.<council>.gov.uk``) and SEND-focused: at least half of the crawled pages
  are about SEND (title/headings name it, or the main text mentions it at least twice).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from audit.check import Check, Column, Dimension
from audit.core.page import Page
from audit.core.registry import Council

SEND_TERMS = re.compile(
    r"(?-i:\bSEND\b|\bSEN\b)|special educational needs|disabilit|\blocal offer\b|\bEHC\s*(?:P|plan|needs)|"
    r"\bSENCO\b|additional needs|\bautis|\bADHD\b|SENDIASS|short breaks|preparing for adulthood",
    re.IGNORECASE,
)
_DIRECTORY_URL = re.compile(r"/kb5/[^/]+/[^/]+/|[?&](?:channel|familychannel)=|/directory/", re.IGNORECASE)
_DIRECTORY_HOST = re.compile(r"fis|familyinfo|family|families|directory|servicesdirectory|hub|synergy|kb5",
                             re.IGNORECASE)
_DIRECTORY_TITLE = re.compile(
    r"family information (?:service|directory)|\bFIS\b|family hubs?|services? directory|family directory|"
    r"community directory|information directory",
    re.IGNORECASE,
)
_DEDICATED_HOST = re.compile(r"local-?offer|\bsend\b|sendlocal|\bsen\b", re.IGNORECASE)
SEND_SHARE_DEDICATED = 0.5


@dataclass(frozen=True)
class SendSpace:
    value: str  # dedicated_site | directory_channel | council_section | not_found
    evidence: str


def _host(url: str) -> str:
    """host[:port], lower case, without a leading ``www.``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    return host


def is_about_send(page: Page) -> bool:
    """Title or a heading names SEND, or the page's own text mentions it at least twice
    (worked out once per page: the audit asks during its page pass, ``classify`` after)."""
    return page.derived("about_send", _about_send)


def _about_send(page: Page) -> bool:
    if SEND_TERMS.search(page.title) or any(SEND_TERMS.search(t) for _, t in page.headings[:6]):
        return True
    return len(SEND_TERMS.findall(page.main_text[:4000])) >= 2


def classify(council: Council, pages: list[Page]) -> SendSpace:
    if not council.local_offer_url:
        return SendSpace("not_found", "no Local Offer URL in the registry")
    crawled = [p for p in pages if p.status == 200]
    if not crawled:
        return SendSpace("not_found", f"no page crawled from {council.local_offer_url}")

    # Where the Local Offer actually lives: the host most crawled pages ended on
    # (the entry URL may redirect elsewhere).
    hosts = Counter(_host(p.url) for p in crawled)
    lo_host = hosts.most_common(1)[0][0] or _host(council.local_offer_url)
    council_host = _host(council.council_url) if council.council_url else ""
    about = sum(1 for p in crawled if is_about_send(p))
    share = about / len(crawled)
    share_text = f"{about}/{len(crawled)} pages about SEND"

    if council_host and lo_host == council_host:
        return SendSpace("council_section", f"pages on the council's own host {lo_host}; {share_text}")

    urls = [council.local_offer_url] + [p.url for p in crawled[:50]]
    url_cue = next((u for u in urls if _DIRECTORY_URL.search(u)), None)
    host_name = lo_host.split(":")[0]
    named_dedicated = bool(_DEDICATED_HOST.search(host_name.replace(".", " ")))
    host_cue = _DIRECTORY_HOST.search(host_name) if not named_dedicated else None
    title_cue = None
    for p in crawled[:50]:
        m = _DIRECTORY_TITLE.search(p.title) or _DIRECTORY_TITLE.search(p.h1)
        if m:
            title_cue = f'"{m.group(0)}" in title of {p.url}'
            break

    if named_dedicated and share >= SEND_SHARE_DEDICATED:
        return SendSpace("dedicated_site", f"own host {lo_host} (named for SEND/Local Offer); {share_text}")
    if url_cue:
        return SendSpace("directory_channel", f"directory channel URL {url_cue}; {share_text}")
    if host_cue or title_cue:
        cue = f"host {lo_host}" if host_cue else title_cue
        return SendSpace("directory_channel", f"family/services directory ({cue}); {share_text}")
    if share >= SEND_SHARE_DEDICATED:
        return SendSpace("dedicated_site", f"own host {lo_host}, not the council host {council_host or '?'}; "
                                           f"{share_text}")
    return SendSpace("directory_channel", f"own host {lo_host} but pages mostly not about SEND; {share_text}")


__all__ = ["SendSpace", "classify", "is_about_send", "SEND_TERMS"]


SEND_SPACE_POINTS = {"dedicated_site": 4, "directory_channel": 3, "council_section": 2, "not_found": 0}
SEND_SPACE_TEXT = {
    "dedicated_site": "Dedicated SEND site",
    "directory_channel": "Channel of a wider services directory",
    "council_section": "Section of the council's main site",
    "not_found": "No Local Offer found",
}


class SendSpaceCheck(Check):
    """Where the Local Offer lives: its own SEND site, a channel of a wider directory, a
    section of the council's site, or nowhere we could find."""

    name = "send_space"
    dimension = Dimension(
        "send_space", "Dedicated SEND space", 4,
        "4 for a dedicated site, 3 for a Local Offer channel of a wider directory, 2 for a section "
        "of the council's main site, 0 when no Local Offer was found.",
        advice="Give the Local Offer a findable, dedicated home.",
        explained_by=("site_unreachable", "send_space"),
    )
    columns = (
        Column("send_space", "TEXT",
               "dedicated_site (own SEND-focused site), directory_channel (a channel of a wider family/services "
               "directory), council_section (pages inside the council's main site), or not_found."),
    )

    def page(self, page: Page) -> None:
        is_about_send(page)  # worked out while the page holds its tree; read by classify()

    runs_when_not_assessed = True

    def finish(self) -> None:
        reason = self.context.not_assessed_reason
        if reason is None:
            self.score["send_space"] = classify(self.context.council, self.context.pages).value
        else:  # not_found only when discovery ran and found nothing; otherwise unknown
            self.score["send_space"] = "not_found" if reason == "no_local_offer_found" else None

    @staticmethod
    def points(row: dict) -> float:
        return float(SEND_SPACE_POINTS.get(row.get("send_space") or "not_found", 0))

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        return SEND_SPACE_TEXT.get(row.get("send_space") or "not_found", str(row.get("send_space")))
