"""What the crawler could see of the council's Local Offer: how the crawl went and how many
in-scope pages it read. A site that could not be crawled is said to be so, with the reason,
as a finding on the report card."""

from __future__ import annotations

from audit.check import Check, Column


class Assessment(Check):
    name = "assessment"
    columns = (
        Column("pages_crawled", "INTEGER", "In-scope HTML pages fetched with status 200."),
        Column("crawl_status", "TEXT", "How the crawl of the site went (ok, unreachable, robots_disallowed ...)."),
    )
    findings = {"site_unreachable": "Site could not be crawled"}

    def finish(self) -> None:
        site, council = self.context.site, self.context.council
        self.score.update(crawl_status=site["status"], pages_crawled=len(self.context.pages))
        if site["status"] not in ("ok", "partial"):
            seed = council.local_offer_url or council.council_url or ""
            self.find("site_unreachable", seed, site["status"], "high",
                      f"Local Offer not crawled: {site['status'].replace('_', ' ')}", site["reason"] or "")
