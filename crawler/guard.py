"""A fault in lo-audit while handling one response costs that response only.

A callback or errback of the spider that raises (a bug meeting an odd page) would otherwise
leave no trace but a traceback in a log nobody sees: no ``fetches`` row for the page, no
``link_checks`` row for the target, and a council whose home page it was called unreachable.
``crawler.progress.settles``, which wraps every callback and errback, hands the fault to
``CallbackGuard.callback_failed`` (so does the task rendering an application shell after its
callback returned: ``LocalOfferSpider.start_task``), which, in the spirit of the audit's ``check_failed``
(audit/runner.py):

- says so in one line at ERROR level (council, URL, the exception's class and first line),
  shown on stderr at the default log level (``show_faults``); the traceback goes to the
  log at DEBUG (``LO_AUDIT_LOG_LEVEL=DEBUG``);
- records what the crawl knows that the callback had not recorded yet (``RECORDED``): a
  ``fetches`` row with the response's status and ``error = 'crawler_error'``, nothing
  archived (so the audit never reads the page), and for a page or a link target the
  ``link_checks`` row, ``skipped``: we could not tell, and a fine page is not called broken;
- marks the council's crawl ``partial`` ("1 response could not be processed (crawler
  fault)"), or, when its Local Offer's home page itself could not be read, ``crawler_error``:
  not assessed, for a fault of lo-audit's, not the council's (not ``unreachable``: it answered).
  With ``--workers``, a fault in the link checker is added to the row the council's crawl
  worker wrote, once that worker has finished (``with_faults``).

A ``crawler_error`` row is no finished fetch: a resumed crawl fetches it again (crawler.resume).
"""

from __future__ import annotations

import logging
import sys

from audit.core.errors import error_line

CRAWLER_ERROR = "crawler_error"  # fetches.error, link_checks.reason, crawl_sites.status and not_assessed_reason
RECORDED = "recorded"  # request meta: the tables ("fetches", "link_checks") holding this request's row
CHECKED_KINDS = ("page", "document", "link")  # requests whose callbacks write a link_checks row

log = logging.getLogger(__name__)


def mark_recorded(request, table: str) -> None:
    """Note on ``request`` that its row in ``table`` is written (see ``CallbackGuard``); called
    after the write, since a fault while the row is built leaves it unwritten. A new frozenset
    each time: Scrapy copies meta shallowly into a redirect's or retry's request."""
    request.meta[RECORDED] = request.meta.get(RECORDED, frozenset()) | {table}


FAULTS = " could not be processed (crawler fault)"  # the end of a crawl_sites reason saying how many


def with_faults(status: str, reason: str | None, faults: int) -> tuple[str, str | None]:
    """A council's crawl_sites (status, reason) with ``faults`` more responses lo-audit failed
    to process: ``ok`` becomes ``partial``, a ``partial`` one's count of them grows (a crawl
    worker's faults and then the link checker's), any other status (nothing read) stays."""
    if status not in ("ok", "partial"):
        return status, reason
    reasons = set(reason.split("; ")) if status == "partial" and reason else set()
    for earlier in [r for r in reasons if r.endswith(FAULTS)]:
        faults += int(earlier.split()[0])
        reasons.remove(earlier)
    reasons.add(f"{faults} response{'s' if faults != 1 else ''}{FAULTS}")
    return "partial", "; ".join(sorted(reasons))


def show_faults() -> None:
    """Show this module's lines on stderr when Scrapy's log is not shown (the default: the
    crawl is quiet, its summary says what happened), one line each, never a traceback."""
    if not any(getattr(h, "lo_audit_faults", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.ERROR)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler.lo_audit_faults = True
        log.addHandler(handler)


class CallbackGuard:
    """Spider methods for a callback's or errback's fault (see the module); a mixin of
    ``crawler.spider.LocalOfferSpider``, whose recording methods it uses."""

    def callback_failed(self, outcome, exc: Exception) -> None:
        """Record what is known of ``outcome`` (a response or a failure) whose callback raised ``exc``."""
        from scrapy.http import Response  # here: crawler.resume imports this module in Scrapy-free processes

        request = outcome.request
        site = self.sites[request.meta["council"]]
        response = outcome if isinstance(outcome, Response) else None
        why = error_line(exc)
        log.error("%s %s: %s (crawler fault); recorded as %s, the crawl goes on",
                  site.council.code, request.url, why, CRAWLER_ERROR)
        log.debug("the crawler fault's traceback", exc_info=exc)
        recorded = request.meta.get(RECORDED, frozenset())
        kind = request.meta.get("kind")
        if kind != "link" and "fetches" not in recorded:  # a link check has no fetches row
            if response is not None:
                self.record_response(request, response, request.meta["started"], keep_body=False,
                                     extra={"error": CRAWLER_ERROR, "error_detail": why})
            else:
                self.record_failure(request, outcome.value, request.meta["started"], code=(CRAWLER_ERROR, why))
        if kind in CHECKED_KINDS and "link_checks" not in recorded:
            # "skipped" (as for a target too large to read): neither ok nor broken, so the
            # broken-links figures and the score leave it out; the callback that would have
            # judged it is what failed.
            self.record_check(request, "skipped", CRAWLER_ERROR, response)
        site.faults += 1
        if self.is_seed(request) and site.pages_ok == 0 and (site.seed_outcome is None
                                                             or site.seed_outcome[0] in ("ok", "found")):
            answer = f"HTTP {response.status}" if response is not None else type(outcome.value).__name__
            site.seed_outcome = (CRAWLER_ERROR, f"lo-audit could not process the Local Offer URL's answer "
                                                f"({answer}): {why}")

    def summary_failed(self, site, exc: Exception) -> dict:
        """The crawl_sites row of a council whose row could not be made (``exc``): what it is
        known to have fetched, and ``crawler_error``, so it is not assessed on a crawl whose
        outcome nobody could work out; one ERROR line says so."""
        why = error_line(exc)
        log.error("%s: its crawl summary could not be made: %s (crawler fault); recorded as %s",
                  site.council.code, why, CRAWLER_ERROR)
        log.debug("the crawler fault's traceback", exc_info=exc)
        return {  # the row's other columns are left as they are (crawl_sites is upserted)
            "council_code": site.council.code, "status": CRAWLER_ERROR, "not_assessed_reason": CRAWLER_ERROR,
            "reason": f"lo-audit could not summarise this council's crawl: {why}",
            "pages_fetched": site.pages_ok, "finished_at": site.finished_at,
        }
