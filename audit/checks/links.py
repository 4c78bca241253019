"""Working links: every distinct link target on the Local Offer's pages, as the crawler's
link checks found it (``link_checks``, shared across councils), and pages that answer 200
while saying they do not exist (soft 404s).

A broken target costs points; a blocked one (401/403/407/429, a bot challenge) is
unverifiable and costs nothing (``audit.core.linkstatus`` decides which is which at
crawl time). One finding per (page, broken target), so a web team can find the link to fix.
"""

from __future__ import annotations

from audit.check import Check, Column, Dimension
from audit.checks import soft404
from audit.core.page import Page
from audit.core.urls import check_key, is_web_url
from audit.core.wording import as_int, plural

BROKEN_SHARE_PENALTY = 10  # the share of points lost per unit share of broken links

# Why a web link was not checked (an ``unchecked_link`` finding's evidence) -> the words its detail
# uses; another code (a failure the crawl recorded for the URL) is shown as it is.
NO_CHECK = "no_check_recorded"
UNCHECKED_WHY = {
    "skipped_trap": "one of a crawler trap's endless variants (a calendar's months, a search's filter "
                    "combinations), not followed",
    "skipped_depth": "past the crawl's depth limit, and one of a crawler trap's variants, so not followed",
    "skipped_max_pages": "past the crawl's page budget, and one of a crawler trap's variants, so not followed",
    "too_large": "too large to read",
    "crawler_error": "lo-audit's own error",
    NO_CHECK: "the crawl recorded no check of it",
}


# Datasette metadata for what this check publishes (merged by audit/serve.py).
METADATA = """
queries:
  broken_links:
    title: Broken links (latest complete audit)
    description: >-
      Every link on a Local Offer page whose target is broken (404, 410, other 4xx
      except 401/403/407/429, 5xx, or a failure such as DNS or timeout), with the page
      it is on, its status or reason and the text a reader saw. Leave council_code
      empty for every council.
    sql: |-
      select
        l.council_code,
        c.name as council_name,
        l.source_url as page_url,
        l.target_url as target,
        lc.status,
        lc.reason,
        l.link_text,
        lc.checked_at
      from links l
      join latest_audit a on a.crawl_id = l.crawl_id
      join link_checks lc on lc.crawl_id = l.crawl_id and lc.url = l.target_url
      left join councils c on c.code = l.council_code
      where lc.outcome = 'broken'
        and (:council_code = '' or l.council_code = :council_code)
      order by l.council_code, l.source_url, l.target_url
"""


class Links(Check):
    name = "links"
    metadata = METADATA
    dimension = Dimension(
        "links", "Working links", 15,
        "15 x (1 - 10 x broken links / links checked), never below 0: 1.5 points lost per 1% of "
        "links broken. Blocked (401/403/429, bot challenge) links are unverifiable and cost nothing.",
        advice="Fix or remove the broken links below; each one is a dead end for a family.",
        explained_by=("broken_link", "soft_404"),
    )
    columns = (
        Column("links_checked", "INTEGER",
               "Distinct link targets (without #fragment) found on in-scope pages and checked: answered, or "
               "failed, so ok, broken or blocked. A target too large to read, or one lo-audit itself failed on, "
               "is not counted: it is listed among the links we could not check."),
        Column("broken_links", "INTEGER",
               "Distinct targets that ended (after at most 10 redirects) in 404, 410, another 4xx except "
               "401/403/407/429, a 5xx, or a failure: DNS, refused, reset, timeout, TLS, redirect loop, "
               "malformed address."),
        Column("blocked_links", "INTEGER",
               "Distinct targets answering 401/403/407/429 or a bot challenge: unverifiable, not counted as broken."),
        Column("links_unchecked", "INTEGER",
               "Distinct web link targets on in-scope pages that were not checked, so are in neither links_checked "
               "nor broken_links: variants of a crawler trap (an endless calendar, a search's filter combinations) "
               "the crawl did not follow, targets too large to read, or ones lo-audit itself failed on. Each is "
               "listed, with why, among the links we could not check."),
    )
    findings = {"broken_link": "Broken links", "soft_404": "Links to 'page not found' pages (soft 404)",
                "blocked_link": "Links we could not verify (blocked)",
                "unchecked_link": "Links we could not check (a crawler trap's variants not followed, too large to "
                                  "read, or lo-audit's own error)"}

    def __init__(self, context):
        super().__init__(context)
        self._unfetched: dict[str, str] | None = None  # read the first time a web link has no check

    def page(self, page: Page) -> None:
        not_found = soft404.looks_like_not_found(page)
        if not_found:
            self.find("soft_404", page.url, page.url, "medium", "Answers 200 but says the page does not exist",
                      not_found)
        _ = page.links  # parsed now, while the page holds its tree; read in finish()

    def _why_unchecked(self, key: str, check) -> str:
        """The reason code of a web target not checked: its check's (skipped: too large to read,
        lo-audit's own error); without a check, what the crawl recorded for the URL (a crawler
        trap's variant not followed); else NO_CHECK."""
        if check is not None:
            return check.reason or "skipped"
        if self._unfetched is None:
            self._unfetched = self.context.unfetched()
        return self._unfetched.get(key) or NO_CHECK

    def finish(self) -> None:
        """links_checked / broken_links / blocked_links over distinct targets. The links are
        the pages' own (parsed from the archived HTML, as the crawler did)."""
        checks = self.context.link_checks
        targets, broken, blocked, unchecked = set(), set(), set(), set()
        for page in self.context.pages:
            # one finding per (page, target): the last link to a target on a page, as in the links table
            for target, link in {link.url: link for link in page.links}.items():
                key = check_key(target)
                check = checks.get(key)
                if check is None and not is_web_url(target):
                    continue  # mailto:, tel: and other non-web targets are not checked
                if check is None or check.outcome == "skipped":  # neither ok nor broken: not counted as checked
                    why = self._why_unchecked(key, check)
                    unchecked.add(key)
                    self.find("unchecked_link", page.url, target, "low",
                              f"Link not checked ({UNCHECKED_WHY.get(why, why.replace('_', ' '))}) "
                              f"with text '{link.text[:80]}'", why)
                    continue
                status_text = check.reason or ""
                targets.add(key)
                if check.outcome == "broken":
                    broken.add(key)
                    self.find("broken_link", page.url, target, "high",
                              f"Broken link ({status_text}) with text '{link.text[:80]}'", status_text)
                elif check.outcome == "blocked":
                    blocked.add(key)
                    self.find("blocked_link", page.url, target, "low",
                              f"Link could not be verified ({status_text}): the server refused an automated check",
                              status_text)
                elif (final := check.final_url) not in (None, key, target) and soft404.redirected_to_home(target, final):
                    self.find("soft_404", page.url, target, "medium",
                              "Deep link redirects to a home page: the page it pointed to has probably gone",
                              f"redirected to {final}")
        self.score.update(links_checked=len(targets), broken_links=len(broken), blocked_links=len(blocked),
                          links_unchecked=len(unchecked))

    @staticmethod
    def points(row: dict) -> float:
        if not row.get("pages_crawled"):
            return 0.0
        checked = row.get("links_checked") or 0
        broken_share = (row.get("broken_links") or 0) / checked if checked else 0.0
        return Links.dimension.weight * max(0.0, 1 - BROKEN_SHARE_PENALTY * broken_share)

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        checked = as_int(row.get("links_checked"))
        if not checked:
            return "No links checked"
        text = f"{plural(as_int(row.get('broken_links')), 'broken link')} of {checked}"
        blocked = as_int(row.get("blocked_links"))
        if blocked:
            text += f"; {blocked} could not be verified"
        unchecked = as_int(row.get("links_unchecked"))
        if unchecked:
            text += f"; {unchecked} not checked"
        return text
