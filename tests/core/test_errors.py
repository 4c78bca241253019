"""error_line: the one line a run records when something fails and it goes on."""

import asyncio

from audit.core.errors import error_line


def test_an_empty_message_gives_the_kind_of_error():
    # asyncio.wait_for's timeout and a bare raise have no message; three of the callers used to
    # take `str(exc).splitlines()[0]`, which raised IndexError inside their own except block.
    assert error_line(asyncio.TimeoutError()) == "TimeoutError"
    assert error_line(ValueError("   \n  ")) == "ValueError"


def test_a_long_call_log_gives_its_first_line_only():
    exc = RuntimeError("page.goto: Timeout 60000ms exceeded.\nCall log:\n  - navigating to \"https://x\"")
    assert error_line(exc) == "RuntimeError: page.goto: Timeout 60000ms exceeded."


def test_the_line_is_cut_to_its_limit_and_says_so():
    line = error_line(OSError("x" * 1000), limit=40)
    assert len(line) == 40 and line.startswith("OSError: xxx") and line.endswith("…")
    assert error_line(OSError("short"), limit=40) == "OSError: short"
