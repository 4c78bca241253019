"""Plain-English numbers for the sentences published pages show ("3 of 40 pages", "2 years").

Shared by the checks' report-card summaries and the published pages, so a number reads the
same wherever it appears.
"""

from __future__ import annotations


def as_float(value) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def as_int(value) -> int:
    return int(as_float(value))


def pct(part, whole) -> str:
    return f"{round(100 * as_float(part) / as_float(whole))}%" if as_float(whole) else "0%"


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural_form or word + 's')}"


def age_phrase(days) -> str:
    days = as_int(days) or 365
    if days % 365 == 0:
        years = days // 365
        return "a year" if years == 1 else f"{years} years"
    return f"{days} days"
