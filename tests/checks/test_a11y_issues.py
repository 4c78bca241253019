"""Distinct accessibility issues (audit.a11y.issues, audit.checks.a11y_issues) and the
accessibility points built on them: a site-wide template slip counts once, however many
pages repeat it; the points tell a site with one slip from one failing everywhere.

The pages follow the shape of a WordPress council theme (header search form, mega menu,
cards in the main column, a footer newsletter form), as in data/demo/sites/
localoffer.northmoor.example, with the failures real audits find in shared templates.
"""

from __future__ import annotations

from datetime import date

import pytest

from audit.check import CouncilContext, CouncilResult
from audit.checks.a11y_issues import A11yIssues
from audit.checks.accessibility import Accessibility
from audit.core.registry import Council
from audit.scoring import dimension_points
from helpers import html_page

BASE = "https://localoffer.northshire.example/send/"


def themed(slug: str, main: str, search_label: bool = False) -> str:
    label = '<label for="s">Search</label>' if search_label else ""
    return (f'<!doctype html><html lang="en"><head><title>{slug}</title></head><body>'
            f'<header class="site-header"><form role="search" action="/send/" class="search-form">{label}'
            f'<input type="search" name="s" id="s" class="search-field"><button>Search</button></form>'
            f'<nav aria-label="Main"><ul><li><a href="/send/">Home</a></li><li><a href="/send/a">A</a></li></ul></nav>'
            f'</header><main id="content"><h1>{slug}</h1>{main}</main>'
            f'<footer><form action="/subscribe" class="newsletter"><input type="email" name="email" id="nl-{slug}">'
            f'<button>Sign up</button></form></footer></body></html>')


def audit(pages) -> CouncilResult:
    result = CouncilResult(score={"council_code": "E1", "council_name": "Northshire"})
    context = CouncilContext(Council("E1", "Northshire", BASE, "", "", "", (BASE,)), {}, (BASE,), BASE,
                             date(2026, 11, 23), 365, {}, lambda: iter(()), None, result)
    checks = [Accessibility(context), A11yIssues(context)]
    for page in pages:
        context.pages.append(page)
        result.page_rows[page.url] = {"url": page.url}
        checks[0].page(page)
    for check in checks:
        check.finish()
    return result


CARDS = ('<ul class="cards">' + "".join(f'<li class="card card-{i}"><img src="/c{i}.jpg"><a href="/send/{i}">'
                                         f'Service {i}</a></li>' for i in range(3)) + "</ul>")


def test_a_site_wide_template_issue_counts_once():
    pages = [html_page(themed(f"page-{i}", "<p>Support for families.</p>"), BASE + f"page-{i}") for i in range(40)]
    pages.append(html_page(themed("services", CARDS), BASE + "services"))
    result = audit(pages)
    issues = {(r["rule"], r["template"]): r for r in result.tables["a11y_issues"]}
    search = issues[("label", "html > body > header > form > input.search-field[name,type] type=search")]
    newsletter = issues[("label", "html > body > footer > form > input[name,type] type=email")]
    assert search["pages_affected"] == newsletter["pages_affected"] == 41 == search["pages_checked"]
    # the footer field's id differs on every page (nl-<slug>): ids are left out, so it is still one issue
    cards = issues[("image-alt", "html > body > main > ul > li > img[src]")]
    assert cards["pages_affected"] == 1 and cards["elements"] == 3  # three repeated cards: one issue
    assert result.score["a11y_distinct_issues"] == 3 == len(issues)
    per_page = [r for r in result.tables["a11y_results"] if r["rule"] == "label"]
    assert len(per_page) == 41 and sum(r["count"] for r in per_page) == 82  # per-page rows stay
    # ordered by impact x pages affected: the header and footer fields before the one page's cards
    assert [r["rule"] for r in result.tables["a11y_issues"]][-1] == "image-alt"
    assert result.score["a11y_issue_load"] == pytest.approx(2 * 3.0 + 3.0 * (0.25 + 0.75 / 41), abs=1e-3)


def score(**row) -> float:
    base = {"pages_crawled": 100, "a11y_features": "", "a11y_axe_pages_checked": 10, "a11y_contrast_pages": 0}
    return dimension_points({**base, **row})["accessibility"]


def test_points_separate_one_slip_from_failing_everywhere():
    clean = score(a11y_issue_load=0)
    one_slip = score(a11y_issue_load=3.0 * (0.25 + 0.75 / 100))  # one critical element on one page
    header_issue = score(a11y_issue_load=3.0)  # the same element in the header of every page
    everywhere = score(a11y_issue_load=10 * 2.0 + 5 * 3.0, a11y_contrast_pages=10)
    assert clean == 16 and 14.5 < one_slip < 15 and 12.5 < header_issue < 13
    assert 0 < everywhere < 3  # still above zero: a worse site would still score less
    assert score(a11y_issue_load=60, a11y_contrast_pages=10) < everywhere


def test_the_worked_example_of_the_methodology_page():
    # Two issues: a critical unlabelled search box on all 200 pages, a serious empty link on 20 of them;
    # low-contrast text on 3 of 12 axe-checked pages; one aid (translation).
    load = 3.0 * (0.25 + 0.75 * 200 / 200) + 2.0 * (0.25 + 0.75 * 20 / 200)
    assert load == 3.65
    points = score(pages_crawled=200, a11y_issue_load=load, a11y_axe_pages_checked=12, a11y_contrast_pages=3,
                   a11y_features="translation")
    assert round(points, 2) == round(12 * 8 / 11.65 + 4 * 9 / 12 + 4 / 3, 2) == 12.57


def test_without_axe_contrast_points_follow_the_issue_points():
    assert score(a11y_issue_load=8, a11y_axe_pages_checked=None, a11y_contrast_pages=None) == 8
