"""What ``lo-audit crawl`` shows while it runs, and how the crawler knows a council is done.

On a terminal: one live line (councils done of total, pages, pages a second, link checks,
errors, time left) and one line per council as it finishes, the same display as the
audit's (``audit.progress.LiveLines``); nothing when stdout is not a terminal, so logs
and cron mail stay readable (the summary at the end is printed either way).

The display reads the database every ``POLL_SECONDS`` from a thread of the command's own
process, so it sees every crawl process alike (``--workers``: each writes its rows there)
and the crawl itself carries no display code. A council's line comes from its
``crawl_sites`` row, which the spider writes the moment the council's last request has
been handled (``settles``), not when the whole crawl ends.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from pathlib import Path

from audit.progress import LiveLines

POLL_SECONDS = 1.0
UNFINISHED = ("running", "needs_discovery")  # crawl_sites statuses of a council not yet done


def settles(callback):
    """Decorate a spider callback or errback: after it, its request no longer counts for its
    site (``LocalOfferSpider.track``). The count drops when the callback's output has been
    produced, so the requests it made are counted before this one is let go and a site's
    count reaches 0 only when nothing of it is left.

    A fault in the callback, or while its output is produced, settles the request too: it is
    handed to the spider's ``callback_failed`` (crawler.guard), which records what is known of
    the request, and the crawl goes on. Caught here because every callback and errback must
    already pass through here, so none can be left unguarded; a second decorator would have to
    be remembered on each."""
    @functools.wraps(callback)
    def settling(self, outcome):
        request = outcome.request
        try:
            output = callback(self, outcome)
            if output is not None:
                yield from output
        except Exception as exc:  # not BaseException: a Ctrl-C or a closing generator is no fault
            self.callback_failed(outcome, exc)
        finally:
            self.settle(self.sites[request.meta["council"]])
    return settling


def site_line(row: dict) -> str:
    """One council's crawl in a line: status, pages, and how its Local Offer was found."""
    line = f"{row['council_code']} {row['name']}: {row['status']}, {row['pages_fetched'] or 0} pages"
    if row["pages_rendered"]:
        line += f" ({row['pages_rendered']} rendered)"
    if row.get("not_modified"):
        line += f", {row['not_modified']} unchanged since the last crawl (304, read from its archive)"
    if row["seed_source"] in ("discovered", "moved"):
        line += f", Local Offer {row['seed_source']}: {row['seed_url']}"
    if row["reason"]:
        line += f" ({row['reason']})"
    return line


SITE_COLUMNS = ("s.council_code, c.name, s.status, s.reason, s.pages_fetched, s.pages_rendered, s.seed_source, "
                "s.seed_url")


class CrawlProgress:
    """``with CrawlProgress(db_path) as progress: crawl_id = run_crawl(..., on_start=progress.watch)``
    (``resume_crawl`` takes the same ``on_start``: a resumed crawl's councils finished before
    it stopped are listed at its first poll)."""

    def __init__(self, db_path: str | Path, stream=None):
        self.db_path = str(db_path)
        self.live = LiveLines(1, ("councils", "pages", "rate", "links", "errors"), stream)
        self.councils = 0
        self.crawl_id: int | None = None
        self.shown: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "CrawlProgress":
        self.live.__enter__()
        return self

    def watch(self, crawl_id: int) -> None:
        """Start showing crawl ``crawl_id`` (its row exists by now)."""
        self.crawl_id = crawl_id
        if self.live.enabled:
            self._thread = threading.Thread(target=self._run, name="lo-audit-progress", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        conn.row_factory = sqlite3.Row
        try:
            self.councils = conn.execute("SELECT count(*) FROM crawl_sites WHERE crawl_id = ?",
                                         [self.crawl_id]).fetchone()[0]
            while not self._stop.wait(POLL_SECONDS):
                self.poll(conn)
            self.poll(conn)
        finally:
            conn.close()

    def poll(self, conn: sqlite3.Connection) -> None:
        """Print the councils finished since the last poll and redraw the live line."""
        try:
            finished = conn.execute(
                f"SELECT {SITE_COLUMNS} FROM crawl_sites s JOIN councils c ON c.code = s.council_code "
                f"WHERE s.crawl_id = ? AND s.finished_at IS NOT NULL AND s.status NOT IN {UNFINISHED} "
                "ORDER BY s.finished_at, s.council_code", [self.crawl_id]).fetchall()
            pages, errors = conn.execute(
                "SELECT count(*), coalesce(sum(error IS NOT NULL OR status >= 400), 0) FROM fetches "
                "WHERE crawl_id = ? AND kind IN ('page', 'document')", [self.crawl_id]).fetchone()
            links, broken = conn.execute(
                "SELECT count(*), coalesce(sum(outcome = 'broken'), 0) FROM link_checks WHERE crawl_id = ?",
                [self.crawl_id]).fetchone()
        except sqlite3.OperationalError:  # locked for longer than the timeout: the next poll will do
            return
        for row in finished:
            if row["council_code"] not in self.shown:
                self.shown.add(row["council_code"])
                self.live.line(site_line(dict(row)))
        self.live.update(len(self.shown), total=self.councils, councils=f"{len(self.shown)}/{self.councils} councils",
                         pages=f"{pages:,} pages", rate=f"{pages / self.live.elapsed():,.1f} pages/s",
                         links=f"{links:,} links checked ({broken:,} broken)", errors=f"{errors:,} errors")

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.live.__exit__(*exc)
