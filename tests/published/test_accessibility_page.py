"""``/accessibility``: the national accessibility report (published/accessibility.py) over
the sample database (tests/sample_db.py): the most common issues, contrast first, as a
chart and a table equal to the downloadable canned query; a council's own part; links
from report cards; hostile crawled strings escaped."""

from __future__ import annotations

import csv
import io

from test_publish import DB, assert_no_dangerous_markup, fetch, get, parse, sample_db  # noqa: F401 (fixture)

try:
    from tests.sample_db import BHAM, CORN, JS_URL, RUNNING_MARKER, SELECTOR_PAYLOAD
except ImportError:
    from sample_db import BHAM, CORN, JS_URL, RUNNING_MARKER, SELECTOR_PAYLOAD  # type: ignore[no-redef]


def test_national_report_lists_common_issues_contrast_first(sample_db):
    html = get(sample_db, "/accessibility").text
    download = list(csv.DictReader(io.StringIO(get(sample_db, f"/{DB}/a11y_common_issues.csv").text)))
    assert [r["rule"] for r in download] == ["color-contrast", "image-alt", "link-name"]
    contrast = download[0]
    assert (contrast["councils"], contrast["distinct_issues"], contrast["pages_affected"]) == ("2", "2", "8")
    assert download[1]["pages_affected"] == "43"  # image-alt: 40 pages at one council, 3 at another
    assert 'role="img"' in html and "most common accessibility issues" in html  # the chart
    table = html[html.index("<caption>Every rule"):]
    assert table.index("color-contrast") < table.index("image-alt") < table.index("link-name")
    assert f"/{DB}/a11y_common_issues.csv" in html
    assert RUNNING_MARKER not in html and RUNNING_MARKER.lower() not in html  # a running audit never shows
    assert_no_dangerous_markup(html)


def test_a_councils_part_and_the_report_card_link(sample_db):
    card = get(sample_db, f"/council/{BHAM}").text
    assert f"/accessibility?council={BHAM}#council" in card
    assert card.index("Distinct issues") < card.index("Results page by page")
    part = get(sample_db, f"/accessibility?council={BHAM}").text
    section = part[part.index('id="council"'):part.index('id="contrast"')]
    # impact x pages affected: the header logo on 40 pages, then contrast on 6, then one link
    assert section.index("image-alt") < section.index("color-contrast") < section.index("link-name")
    assert CORN not in section
    for html in (card, part):
        assert SELECTOR_PAYLOAD not in html and f'href="{JS_URL}"' not in html
        assert JS_URL in " ".join(parse(html).text)  # shown as text, never a link
        assert_no_dangerous_markup(html)
    (missing,) = fetch(sample_db, "/accessibility?council=E99999999")
    assert missing.status_code == 404
