"""What a long command shows while it runs: on a terminal, one live line (a bar, counts,
a rate, time left) and, above it, one line per council as it finishes; nothing when
stdout is not a terminal (a pipe, a log file, cron), so scripts reading the command's
output see only its summary.

A national crawl runs for over an hour and an audit with axe-core for many minutes;
without a sign of life a new user thinks it has hung. ``LiveLines`` is the one display
both use (``AuditProgress`` here, ``crawler.progress.CrawlProgress``), so they look the
same. It is rich's (a maintained library: it handles terminal widths, redrawing and the
lines printed above the live one).
"""

from __future__ import annotations

import sys
import time

from audit.check import CouncilResult
from audit.core.wording import plural


class LiveLines:
    """A live line of ``fields`` (name -> text, shown in order) after a bar of ``total``,
    with the time left, and ``line()`` to print above it. Does nothing off a terminal."""

    def __init__(self, total: int, fields: tuple[str, ...], stream=None):
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total = max(1, total)
        self.names = fields
        self.started = time.monotonic()
        self._progress = self._task = None

    def __enter__(self) -> "LiveLines":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                BarColumn(bar_width=12), *(TextColumn(f"{{task.fields[{name}]}}") for name in self.names),
                TimeRemainingColumn(), console=Console(file=self.stream), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("", total=self.total, **{name: "" for name in self.names})
        return self

    def elapsed(self) -> float:
        return max(1e-6, time.monotonic() - self.started)

    def update(self, completed: float, total: int | None = None, **fields: str) -> None:
        if total is not None:
            self.total = max(1, total)
        if self._progress is not None:
            self._progress.update(self._task, completed=min(completed, self.total), total=self.total, **fields)

    def line(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()


class AuditProgress:
    """``with AuditProgress(sites) as progress: ... progress.council_done(result)``: councils
    and pages done, pages axe-core has checked, pages a second, time left (by pages)."""

    def __init__(self, sites: list[dict], stream=None):
        self.councils = len(sites)
        self.pages_total = sum(site.get("pages_fetched") or 0 for site in sites)
        self.done = self.pages = self.axe_pages = 0
        self.live = LiveLines(self.pages_total, ("councils", "pages", "axe", "rate"), stream)

    def __enter__(self) -> "AuditProgress":
        self.live.__enter__()
        self.live.update(0, **self._fields())
        return self

    def _fields(self) -> dict:
        return {"councils": f"{self.done}/{self.councils} councils",
                "pages": f"{self.pages:,}/{self.pages_total:,} pages", "axe": f"{self.axe_pages:,} axe pages",
                "rate": f"{self.pages / self.live.elapsed():,.1f} pages/s"}

    def council_done(self, result: CouncilResult) -> None:
        score = result.score
        pages = score.get("pages_crawled") or 0
        axe = score.get("a11y_axe_pages_checked") or 0
        self.done += 1
        self.pages += pages
        self.axe_pages += axe
        line = f"{score['council_code']} {score.get('council_name') or ''}: {plural(pages, 'page')}"
        if axe:
            line += f", {axe} checked by axe-core"
        if score.get("a11y_distinct_issues") is not None and pages:
            line += f", {plural(score['a11y_distinct_issues'], 'distinct accessibility issue')}"
        self.live.line(line)
        self.live.update(self.pages, **self._fields())

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)
