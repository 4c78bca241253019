"""Shared helpers for the check tests: load fixture pages as ``Page`` objects."""

from datetime import datetime, timezone
from pathlib import Path

from audit.core.page import Page

PAGES = Path(__file__).parent / "pages"
FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def load(name: str, url: str = "https://localoffer.northshire.example/send/page", **kw) -> Page:
    kw.setdefault("fetched_at", FETCHED)
    return Page(url, (PAGES / name).read_text(encoding="utf-8"), **kw)


def html_page(html: str, url: str = "https://localoffer.northshire.example/send/page", **kw) -> Page:
    kw.setdefault("fetched_at", FETCHED)
    return Page(url, html, **kw)


DIRECTORY = PAGES / "directory"


def directory_truth() -> dict[str, dict]:
    """{fixture file: its URL, whether it is a directory record, its date and fields}:
    tests/pages/directory/truth.json, shared by the directory tests and benchmark."""
    import json

    return json.loads((DIRECTORY / "truth.json").read_text(encoding="utf-8"))["pages"]


def directory_page(name: str) -> Page:
    """A directory fixture as a Page at the URL truth.json gives it (fetched at FETCHED)."""
    return Page(directory_truth()[name]["url"], (DIRECTORY / name).read_text(encoding="utf-8"), fetched_at=FETCHED)
