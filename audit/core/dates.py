"""UK date parsing for staleness evidence.

Council pages write dates the British way: "3 March 2023", "03/03/2023" (day first),
"14th Feb 2022", "Monday 3 March 2023", "March 2024", plus machine formats in metadata
("2023-03-03T10:00:00+00:00") and HTTP headers ("Fri, 03 Mar 2023 10:00:00 GMT").

Everything here is pure: nothing reads the clock. Callers pass ``as_of`` (usually the
fetch time) so that impossible (31/02/2023) and far-future dates are rejected: a
"last updated" date after the page was fetched is a template bug or an event date,
never evidence of freshness.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"

# One pattern, alternatives tried in this order at each position: ISO first so that
# 2023-03-03 is never read as a day-first numeric date.
_DATE = re.compile(
    r"(?<![\w/.\-])(?:"
    r"(?P<iso_y>\d{4})-(?P<iso_m>\d{2})-(?P<iso_d>\d{2})"
    r"(?:[T ](?P<iso_H>\d{2}):(?P<iso_M>\d{2})(?::(?P<iso_S>\d{2})(?:\.\d+)?)?(?P<iso_tz>Z|[+-]\d{2}:?\d{2})?)?"
    r"|" + _WEEKDAY + r"(?P<dmy_d>\d{1,2})" + _ORD + r"(?:\s+of)?\s+(?P<dmy_m>" + _MONTH + r")\.?,?\s+(?P<dmy_y>\d{4})"
    r"|" + _WEEKDAY + r"(?P<mdy_m>" + _MONTH + r")\.?\s+(?P<mdy_d>\d{1,2})" + _ORD + r",?\s+(?P<mdy_y>\d{4})"
    r"|(?P<my_m>" + _MONTH + r")\.?,?\s+(?P<my_y>\d{4})"
    r"|" + _WEEKDAY + r"(?P<num_d>\d{1,2})(?P<sep>[/.\-])(?P<num_m>\d{1,2})(?P=sep)(?P<num_y>\d{4}|\d{2})"
    r")(?![\w/]|[.\-]\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMatch:
    date: date
    precision: str  # "day" or "month" ("March 2024" -> 2024-03-01, precision "month")
    text: str  # the exact matched string
    start: int = 0
    end: int = 0


def _as_date(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _year(two_or_four: str) -> int:
    y = int(two_or_four)
    if len(two_or_four) == 2:
        # "3/3/23": pages on the web are recent; 70-99 are the 1900s.
        y += 2000 if y < 70 else 1900
    return y


def _plausible(d: date, as_of: date | None, max_future_days: int) -> bool:
    if d.year < 1990:  # before the web; "1/1/1970" epoch artefacts
        return False
    if as_of is not None and d > as_of + timedelta(days=max_future_days):
        return False
    return True


def _from_match(m: re.Match) -> tuple[date, str] | None:
    g = m.groupdict()
    try:
        if g["iso_y"]:
            return date(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"])), "day"
        if g["dmy_d"]:
            return date(int(g["dmy_y"]), MONTHS[g["dmy_m"].lower()], int(g["dmy_d"])), "day"
        if g["mdy_d"]:
            return date(int(g["mdy_y"]), MONTHS[g["mdy_m"].lower()], int(g["mdy_d"])), "day"
        if g["my_m"]:
            return date(int(g["my_y"]), MONTHS[g["my_m"].lower()], 1), "month"
        if g["num_d"]:
            return date(_year(g["num_y"]), int(g["num_m"]), int(g["num_d"])), "day"
    except (ValueError, KeyError):  # 31/02/2023, month 13
        return None
    return None


def find_dates(text: str, as_of: date | datetime | None = None, max_future_days: int = 1) -> list[DateMatch]:
    """Every plausible UK date in ``text``, in order. Impossible dates, dates before 1990
    and dates more than ``max_future_days`` after ``as_of`` are left out."""
    ref = _as_date(as_of)
    out = []
    for m in _DATE.finditer(text or ""):
        parsed = _from_match(m)
        if parsed is None or not _plausible(parsed[0], ref, max_future_days):
            continue
        out.append(DateMatch(parsed[0], parsed[1], m.group(0), m.start(), m.end()))
    return out


def first_date(text: str, as_of: date | datetime | None = None, max_future_days: int = 1) -> DateMatch | None:
    """The first plausible date in ``text`` (see ``find_dates``)."""
    ref = _as_date(as_of)
    for m in _DATE.finditer(text or ""):
        parsed = _from_match(m)
        if parsed is not None and _plausible(parsed[0], ref, max_future_days):
            return DateMatch(parsed[0], parsed[1], m.group(0), m.start(), m.end())
    return None


def parse_date(text: str, as_of: date | datetime | None = None, max_future_days: int = 1) -> DateMatch | None:
    """Parse a string that *is* a date (surrounding whitespace and punctuation allowed);
    None when it is not exactly one date, impossible, or too far in the future."""
    s = (text or "").strip().strip(".,;:()[]")
    m = _DATE.fullmatch(s) or _DATE.fullmatch(s.strip())
    if m is None:
        return None
    parsed = _from_match(m)
    if parsed is None or not _plausible(parsed[0], _as_date(as_of), max_future_days):
        return None
    return DateMatch(parsed[0], parsed[1], m.group(0), 0, len(s))


def parse_iso_datetime(value: str) -> datetime | None:
    """ISO 8601 date or datetime ("2023-03-03", "2023-03-03T10:00:00Z", "+01:00", "+0100")."""
    s = (value or "").strip()
    if not s:
        return None
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    s = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", s)
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        m = _DATE.search(s)
        if m is None or not m.group("iso_y"):
            return None
        try:
            dt = datetime(int(m.group("iso_y")), int(m.group("iso_m")), int(m.group("iso_d")))
        except ValueError:
            return None
    return dt


def parse_http_date(value: str | None) -> datetime | None:
    """An RFC 7231 HTTP date ("Fri, 03 Mar 2023 10:00:00 GMT") as an aware UTC datetime."""
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


def parse_any(value: str | None, as_of: date | datetime | None = None, max_future_days: int = 1) -> date | None:
    """A date from a machine field (metadata, sitemap lastmod): ISO first, then UK text."""
    if not value:
        return None
    dt = parse_iso_datetime(value)
    if dt is not None:
        d = dt.date()
        return d if _plausible(d, _as_date(as_of), max_future_days) else None
    m = parse_date(value, as_of, max_future_days)
    return m.date if m else None


def fold(text: str) -> bytes:
    """``text`` as ASCII bytes, one a character, for case-insensitive tests of ASCII words:
    ``b"updated" in fold(text)`` is exactly ``re.search("updated", text, re.IGNORECASE)``,
    and offsets carry over, and a byte search runs far faster than an ``re.IGNORECASE``
    scan (~100 ns a character). Letters are lower-cased, the four
    non-ASCII characters ``re`` matches to ASCII letters (dotted capital I, dotless i, long s,
    Kelvin sign) become them, and any other non-ASCII character becomes "?"."""
    return (text.replace("\u0130", "i").replace("\u0131", "i").replace("\u017f", "s").replace("\u212a", "k")
            .encode("ascii", "replace").lower())


def to_utc(dt: datetime) -> datetime:
    """Naive datetimes are taken as UTC (what crawlers record)."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


__all__ = [
    "DateMatch", "MONTHS", "find_dates", "first_date", "parse_date", "parse_iso_datetime",
    "parse_http_date", "parse_any", "fold", "to_utc",
]
