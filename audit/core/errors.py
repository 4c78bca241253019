"""One line for an exception: how a run says what went wrong and goes on.

A check that fails on one page, a page axe-core could not judge, a page the crawler could not
render: each is recorded with this line and the run carries on (the standard: "bad input gets
a clear one-line error and loses nothing"). A message may be empty (``asyncio.TimeoutError()``)
or run to many lines (Playwright's call logs); the line is still one line, and says which
kind of error it was.
"""

from __future__ import annotations

LINE_CHARS = 300


def error_line(exc: BaseException, limit: int = LINE_CHARS) -> str:
    """``"ClassName: first line of the message"``, at most ``limit`` characters; the class
    name alone when the message is empty."""
    name = type(exc).__name__
    lines = str(exc).strip().splitlines()
    first = lines[0].strip() if lines else ""
    line = f"{name}: {first}" if first else name
    return line if len(line) <= limit else line[: limit - 1] + "…"
