"""Engine agreement (pure) and the axe sample choice (pure)."""

from audit.a11y.agreement import compare, rows
from audit.a11y.sample import choose_sample, has_real_form, is_contact_page, link_counts
from tests.helpers import html_page

RULES = {"image-alt", "link-name", "label", "html-has-lang"}


def test_counts_per_rule_and_disagreements():
    static = {"p1": {"image-alt", "label"}, "p2": set(), "p3": {"link-name"}, "only-static": {"image-alt"}}
    axe = {"p1": {"image-alt", "region"}, "p2": {"label"}, "p3": {"link-name"}}
    got = compare(static, axe, static_rules=RULES)
    assert got.rules["image-alt"].both == 1 and got.rules["image-alt"].neither == 2
    assert got.rules["label"].static_only == 1 and got.rules["label"].axe_only == 1
    assert got.rules["label"].agreement == 1 / 3
    assert "region" not in got.rules  # axe-only rule: not compared
    assert got.pairs == 12 and got.agreeing == 10
    assert sorted(got.disagreements) == [("p1", "label", "static"), ("p2", "label", "axe")]


def test_only_rules_axe_ran_and_incomplete_are_not_compared():
    static = {"p1": {"image-alt"}, "p2": set()}
    axe = {"p1": set(), "p2": set()}
    got = compare(static, axe, axe_ran={"p1": {"image-alt"}, "p2": {"image-alt", "label"}},
                  axe_incomplete={"p2": {"label"}}, static_rules=RULES)
    assert got.rules["image-alt"].pages == 2 and got.rules["image-alt"].static_only == 1
    assert got.rules["label"].undecided == 1 and got.rules["label"].pages == 0
    assert got.rules["label"].agreement is None


def test_rows_for_the_database():
    got = compare({"u": {"image-alt"}}, {"u": set()}, static_rules={"image-alt"})
    per_rule, disagreeing = rows(got, council_code="E1")
    assert per_rule == [{"council_code": "E1", "rule": "image-alt", "pages": 1, "both_flag": 0, "static_only": 1,
                         "axe_only": 0, "neither_flag": 0, "undecided": 0, "agreement_pct": 0.0}]
    assert disagreeing == [{"council_code": "E1", "url": "u", "rule": "image-alt", "flagged_by": "static"}]


# ---- the axe sample ------------------------------------------------------------------------

BASE = "https://lo.example/send"


def page(path, title, links=(), body="", depth=1):
    a = "".join(f'<a href="{BASE}{href}">x</a>' for href in links)
    return html_page(f"<html><head><title>{title}</title></head><body><nav>{a}</nav><main><h1>{title}</h1>"
                     f"{body}</main></body></html>", url=f"{BASE}{path}", depth=depth)


SEARCH = '<form action="/search" role="search"><input type="search" name="q"><button>Go</button></form>'
FORM = '<form action="/feedback" method="post"><label>Name <input name="name"></label><textarea name="m"></textarea></form>'


def site():
    common = ["/a", "/b", "/c"]
    return [
        page("/", "SEND Local Offer", common + ["/pfa", "/contact-us"], body=SEARCH, depth=0),
        page("/a", "A", ["/b", "/c"], body=SEARCH),
        page("/b", "B", ["/c"], body=SEARCH),
        page("/c", "C", ["/a"]),
        page("/pfa", "Preparing for adulthood", ["/c"]),
        page("/contact-us", "Get in touch", ["/c"]),
        page("/feedback", "Tell us what you think", body=FORM, depth=2),
    ]


def test_choose_sample_order_reasons_and_dedup():
    pages = site()
    got = choose_sample(pages, BASE + "/", BASE + "/pfa", link_counts(pages), n=2)
    assert got == [(BASE + "/", "home"), (BASE + "/pfa", "pfa"), (BASE + "/contact-us", "contact"),
                   (BASE + "/feedback", "form"), (BASE + "/c", "most_linked"), (BASE + "/a", "most_linked")]
    # n=0: only the named pages; a pfa page already chosen is not repeated
    assert [r for _, r in choose_sample(pages, BASE + "/", BASE + "/", link_counts(pages), n=0)] == [
        "home", "contact", "form"]


def test_link_counts_distinct_sources_without_self_links():
    counts = link_counts(site())
    assert counts["lo.example/send/c"] == 5 and counts["lo.example/send/a"] == 2


def test_search_forms_are_not_forms_and_contact_detection():
    assert not has_real_form(page("/s", "Search", body=SEARCH))
    # a form not marked as a search: the keyword box is skipped, but the select is a real field
    assert has_real_form(page("/s", "Find", body='<form action="/find"><input name="keywords"><select name="age">'
                                                 '</select></form>'))
    assert not has_real_form(page("/s", "Find", body='<form action="/find"><input name="keywords"></form>'))
    assert has_real_form(page("/f", "Feedback", body=FORM))
    assert is_contact_page(page("/x", "Contact the SEND team"))
    assert is_contact_page(page("/contact", "Us"))
    assert not is_contact_page(page("/about", "About the Local Offer"))
