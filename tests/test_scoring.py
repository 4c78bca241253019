"""Scoring: points per dimension follow the documented rules; ranks share ties."""

from audit.checks import CHECKS
from audit.checks.pfa import PFA_MIN_POINTS
from audit.plugins import dimensions
from audit.scoring import add_scores, dimension_points


def full_marks(**overrides) -> dict:
    row = {
        "council_code": "E1", "council_name": "A", "pages_crawled": 10, "dated_pages": 10, "stale_pages": 0,
        "links_checked": 100, "broken_links": 0, "a11y_pages_checked": 10, "a11y_pages_failing": 0,
        "a11y_features": "translation,text_resize,read_aloud", "statutory_found": 16, "statutory_total": 16,
        "pfa_section": 1, "pfa_clicks": 1, "send_space": "dedicated_site", "has_search": 1,
        "has_social_media": 1, "has_newsletter": 1, "has_video": 1, "has_feedback_published": 1,
        "directory_records": 10, "directory_records_stale": 0, "directory_records_undated": 0,
        "directory_records_incomplete": 0, "site_search": "works",
        "pages_outdated_law": 0, "documents_outdated_law": 0, "documents_overdue_review": 0, "documents_text_read": 10,
        "feedback_latest_year": 2025, "as_of": "2026-11-23",
    }
    row.update(overrides)
    return row


def test_a_perfect_site_scores_100():
    assert sum(dimension_points(full_marks()).values()) == 100


def test_weights_add_up_to_100_and_match_dimensions():
    assert sum(d.weight for d in dimensions()) == 100
    assert list(dimension_points(full_marks())) == [c.dimension.key for c in CHECKS if c.dimension]


def test_undated_and_stale_pages_earn_no_freshness():
    points = dimension_points(full_marks(dated_pages=6, stale_pages=2))
    assert points["freshness"] == 20 * 4 / 10


def test_one_and_a_half_points_lost_per_percent_broken_and_blocked_cost_nothing():
    assert dimension_points(full_marks(broken_links=3))["links"] == 10.5
    assert dimension_points(full_marks(broken_links=30))["links"] == 0
    assert dimension_points(full_marks(blocked_links=50))["links"] == 15


def test_directory_points_from_fresh_and_complete_records_and_a_working_search():
    # 10 records: 2 stale and 1 undated (7 fresh), 5 incomplete; search answers nothing relevant.
    row = full_marks(directory_records_stale=2, directory_records_undated=1, directory_records_incomplete=5,
                     site_search="no_results")
    assert dimension_points(row)["directory"] == 4 * 7 / 10 + 4 * 5 / 10
    assert dimension_points(full_marks(site_search="broken"))["directory"] == 8
    assert dimension_points(full_marks(site_search=None))["directory"] == 9  # robots.txt forbade asking: half


def test_a_directory_seen_only_through_its_open_data_is_scored_from_the_data():
    row = full_marks(directory_records=0, directory_records_stale=0, directory_records_undated=0,
                     directory_records_incomplete=0, open_data_services=4, open_data_services_stale=1,
                     open_data_services_undated=1, open_data_services_incomplete=2, site_search="none")
    assert dimension_points(row)["directory"] == 4 * 2 / 4 + 4 * 2 / 4


def test_no_recognisable_directory_is_neither_rewarded_nor_zeroed():
    row = full_marks(directory_records=0, site_search="works")
    assert dimension_points(row)["directory"] == 4 + 2


def test_pfa_points_fall_with_clicks_but_not_below_the_floor():
    assert dimension_points(full_marks(pfa_clicks=4))["pfa"] == 6
    assert dimension_points(full_marks(pfa_clicks=9))["pfa"] == PFA_MIN_POINTS
    assert dimension_points(full_marks(pfa_section=0, pfa_clicks=None))["pfa"] == 0


def test_legal_points_fall_with_the_share_of_outdated_and_overdue_pages_and_documents():
    # 20 pages and documents read: 1 outdated is 5% (half the 3 points), 2 are 10% (none of them).
    assert dimension_points(full_marks(pages_outdated_law=1))["legal"] == 3.5
    assert dimension_points(full_marks(pages_outdated_law=1, documents_outdated_law=1))["legal"] == 2
    assert dimension_points(full_marks(documents_overdue_review=1))["legal"] == 4.5
    # Feedback covering 2025 is recent on 2026-11-23; 2024 is more than a year old; none earns nothing.
    assert dimension_points(full_marks(feedback_latest_year=2024))["legal"] == 4
    assert dimension_points(full_marks(feedback_latest_year=None))["legal"] == 4


def test_a_site_never_crawled_scores_zero():
    row = {"council_code": "E2", "council_name": "B", "pages_crawled": 0, "send_space": "not_found"}
    assert sum(dimension_points(row).values()) == 0


def test_ranks_share_ties_and_skip():
    rows = [full_marks(council_code="E1", council_name="A"), full_marks(council_code="E2", council_name="B"),
            full_marks(council_code="E3", council_name="C", broken_links=5)]
    ranked = add_scores(rows)
    assert [(r["council_code"], r["rank"]) for r in ranked] == [("E1", 1), ("E2", 1), ("E3", 3)]
    assert ranked[2]["score_links"] == 7.5
