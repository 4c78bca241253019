"""What the audit shows while it runs: on a terminal, a live line (councils and pages done,
pages axe-core has checked, pages a second, time left) and one line per council as it
finishes; nothing when stdout is not a terminal (a pipe, a log file, cron), so scripts
reading the command's output see only its summary.

A national audit with axe-core runs for many minutes; without a sign of life a new user
thinks it has hung. The display is rich's (a maintained library: it handles terminal
widths, redrawing and the lines printed above the live one).
"""

from __future__ import annotations

import sys
import time

from audit.check import CouncilResult
from audit.core.wording import plural


class AuditProgress:
    """``with AuditProgress(sites) as progress: ... progress.council_done(result)``."""

    def __init__(self, sites: list[dict], stream=None):
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.councils = len(sites)
        self.pages_total = sum(site.get("pages_fetched") or 0 for site in sites)
        self.done = self.pages = self.axe_pages = 0
        self._progress = self._task = None
        self._started = time.monotonic()

    def __enter__(self) -> "AuditProgress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                BarColumn(bar_width=12), TextColumn("{task.fields[councils]}"),
                TextColumn("{task.completed:,.0f}/{task.total:,.0f} pages"), TextColumn("{task.fields[axe]}"),
                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=True)
            self._progress.start()
            self._task = self._progress.add_task("audit", total=max(1, self.pages_total), **self._fields())
        return self

    def _fields(self) -> dict:
        elapsed = max(1e-6, time.monotonic() - self._started)
        return {"councils": f"{self.done}/{self.councils} councils", "axe": f"{self.axe_pages:,} axe pages",
                "rate": f"{self.pages / elapsed:,.1f} pages/s"}

    def council_done(self, result: CouncilResult) -> None:
        score = result.score
        pages = score.get("pages_crawled") or 0
        axe = score.get("a11y_axe_pages_checked") or 0
        self.done += 1
        self.pages += pages
        self.axe_pages += axe
        if self._progress is None:
            return
        line = f"{score['council_code']} {score.get('council_name') or ''}: {plural(pages, 'page')}"
        if axe:
            line += f", {axe} checked by axe-core"
        if score.get("a11y_distinct_issues") is not None and pages:
            line += f", {plural(score['a11y_distinct_issues'], 'distinct accessibility issue')}"
        self._progress.console.print(line, markup=False, highlight=False)
        self._progress.update(self._task, completed=min(self.pages, self.pages_total), **self._fields())

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
