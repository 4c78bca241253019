"""Every council accounted for: was the council's Local Offer found and read, and if not,
why not (SPEC "Every council accounted for")? How the Local Offer was found (the registry,
discovery from the council's website, or a moved site) and how many pages needed a browser.

A council that was not assessed is listed apart with its reason and never ranked: the
runner runs only the checks that say what happened (``runs_when_not_assessed``) and
scoring leaves its score, rank and points NULL.
"""

from __future__ import annotations

import json

from audit.check import Check, Column

REASON_TEXT = {
    "no_local_offer_found": "No Local Offer found",
    "unreachable": "Site unreachable",
    "blocked": "Site refuses automated visitors",
    "robots_disallowed": "robots.txt forbids it",
    "crawler_error": "lo-audit failed to read its home page (our fault, not the council's)",
}
SEED_SOURCE_TEXT = {
    "registry": "the URL in lo-audit's registry of councils",
    "discovered": "found from the council's website (the registry had no URL)",
    "moved": "found from the council's website (the registry's URL was dead or redirected off the council's sites)",
}


class Assessment(Check):
    name = "assessment"
    runs_when_not_assessed = True
    columns = (
        Column("pages_crawled", "INTEGER", "In-scope HTML pages fetched with status 200."),
        Column("crawl_status", "TEXT", "How the crawl of the site went (ok, partial, unreachable, blocked, "
                                       "robots_disallowed, no_local_offer_found, crawler_error)."),
        Column("assessed", "INTEGER", "1 when the Local Offer was found and at least its home page was read; 0 "
                                      "otherwise (then score, rank and points are empty: never ranked on what was not seen)."),
        Column("not_assessed_reason", "TEXT",
               "Empty when assessed; else no_local_offer_found (none in the registry and discovery found none), "
               "unreachable (DNS, refused, timeout or 5xx on the seed, after retries), blocked (a bot challenge or "
               "401/403/429 on the seed or its robots.txt), robots_disallowed (robots.txt forbids the Local Offer), "
               "crawler_error (the seed answered but lo-audit failed to process its answer, or no page's archived "
               "copy could be read: lo-audit's fault)."),
        Column("seed_url", "TEXT", "The URL crawled as the Local Offer's home."),
        Column("seed_source", "TEXT", "registry; discovered (the registry had no URL); moved (the registry URL was "
                                      "dead, or redirected off the council's sites, and discovery found the current one)."),
        Column("pages_rendered", "INTEGER",
               "In-scope pages whose content needed JavaScript, audited from a headless-browser rendering."),
    )
    findings = {"site_unreachable": "Site could not be assessed"}

    def finish(self) -> None:
        site, council = self.context.site, self.context.council
        reason = self.context.not_assessed_reason
        self.score.update(crawl_status=site["status"], pages_crawled=len(self.context.pages),
                          assessed=int(reason is None), not_assessed_reason=reason,
                          seed_url=site.get("seed_url") or None, seed_source=site.get("seed_source"),
                          pages_rendered=site.get("pages_rendered") or 0)
        if reason is not None:
            seed = site.get("seed_url") or council.local_offer_url or council.council_url or ""
            evidence = site["reason"] or ""
            if not evidence and self.context.pages_unreadable:
                evidence = (f"{self.context.pages_unreadable} page(s) fetched, none of whose archived copies "
                            "could be read (WARC file missing or corrupt)")
            if site.get("block_evidence"):
                try:
                    block = json.loads(site["block_evidence"])
                    evidence = (f"{block.get('url', '')} answered {block.get('status', '')}"
                                f" ({block.get('server') or 'no server header'}): {block.get('marker', '')}")
                except (ValueError, AttributeError):
                    evidence = site["block_evidence"]
            self.find("site_unreachable", seed, reason, "high", f"Not assessed: {REASON_TEXT.get(reason, reason)}",
                      evidence[:300])
