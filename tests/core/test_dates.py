import re
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.core.dates import find_dates, fold, first_date, parse_any, parse_date, parse_http_date, parse_iso_datetime

AS_OF = date(2026, 11, 23)


@pytest.mark.parametrize("text, expected, precision", [
    ("3 March 2023", date(2023, 3, 3), "day"),
    ("03/03/2023", date(2023, 3, 3), "day"),
    ("3/3/23", date(2023, 3, 3), "day"),
    ("14th Feb 2022", date(2022, 2, 14), "day"),
    ("Feb 14th, 2022", date(2022, 2, 14), "day"),
    ("March 2024", date(2024, 3, 1), "month"),
    ("Sept 2021", date(2021, 9, 1), "month"),
    ("2023-03-03", date(2023, 3, 3), "day"),
    ("2023-03-03T10:00:00+01:00", date(2023, 3, 3), "day"),
    ("2023-03-03T23:30:00Z", date(2023, 3, 3), "day"),
    ("Monday 3 March 2023", date(2023, 3, 3), "day"),
    ("Tue, 3rd Oct 2023", date(2023, 10, 3), "day"),
    ("3rd of March 2023", date(2023, 3, 3), "day"),
    ("03.03.2023", date(2023, 3, 3), "day"),
    ("12/01/2024", date(2024, 1, 12), "day"),  # UK day first, never 1 December
])
def test_parse_uk_formats(text, expected, precision):
    m = parse_date(text, as_of=AS_OF)
    assert m is not None and m.date == expected and m.precision == precision


@pytest.mark.parametrize("text", ["31/02/2023", "30 February 2024", "13/13/2023", "2023-02-29", "0/1/2023"])
def test_impossible_dates_rejected(text):
    assert parse_date(text, as_of=AS_OF) is None


def test_far_future_rejected_relative_to_as_of():
    assert parse_date("3 March 2030", as_of=AS_OF) is None
    assert parse_date("24 November 2026", as_of=AS_OF) is not None  # one day of clock skew allowed
    assert parse_date("26 November 2026", as_of=AS_OF) is None
    assert parse_date("3 March 2030") is not None  # no reference date: nothing to compare with


def test_find_dates_ignores_numbers_that_are_not_dates():
    text = "Call 01632 960123, ages 10-12, ref 12/2023, version 1.2.3.2023, © 2024, 16 to 25 years"
    assert find_dates(text, as_of=AS_OF) == []


def test_first_date_reports_exact_text_and_position():
    m = first_date("Page last reviewed: 14th Feb 2022 by the SEND team", as_of=AS_OF)
    assert m.text == "14th Feb 2022" and m.date == date(2022, 2, 14)
    assert "Page last reviewed: 14th Feb 2022 by"[m.start:m.end] == "14th Feb 2022"


def test_machine_formats():
    assert parse_iso_datetime("2023-03-03T10:00:00Z") == datetime(2023, 3, 3, 10, tzinfo=timezone.utc)
    assert parse_iso_datetime("2023-03-03T10:00:00+0100").utcoffset().total_seconds() == 3600
    assert parse_iso_datetime("not a date") is None
    assert parse_http_date("Fri, 03 Mar 2023 10:00:00 GMT") == datetime(2023, 3, 3, 10, tzinfo=timezone.utc)
    assert parse_http_date("yesterday") is None
    assert parse_any("2023-03-03", as_of=AS_OF) == date(2023, 3, 3)
    assert parse_any("3 March 2023", as_of=AS_OF) == date(2023, 3, 3)
    assert parse_any("2031-01-01", as_of=AS_OF) is None


@given(st.text(alphabet=st.sampled_from("UpDaTeD kK\u00a0\u00e9\u00c9\u00ff\u00b5\u0130\u0131\u017f\u212a\u2019z!"), max_size=40))
def test_fold_matches_case_insensitive_search(text):
    """fold gives one byte a character, and an ASCII word is in fold(text) exactly where
    re.IGNORECASE finds it."""
    folded = fold(text)
    assert len(folded) == len(text)
    for word in ("updated", "k", "z", "i", "s"):
        assert [m.start() for m in re.finditer(word, text, re.IGNORECASE)] == [
            i for i in range(len(folded)) if folded.startswith(word.encode(), i)]
    # a character above U+00FF elsewhere in the text changes nothing
    assert fold(text + "\u2019")[:-1] == folded
