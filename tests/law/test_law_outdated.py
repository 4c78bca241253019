"""Legally current: superseded law presented as current, stated review dates, feedback recency.

The pages are shaped like LocalGov Drupal service pages (``<main id="main-content">`` holding an
``<article>`` with the body field; see tests/pages/localgov_pfa.html) and read through
``Page.main_text`` as the check will read them, so headings run into the following sentence
exactly as they do on a real site."""

from datetime import date

from helpers import html_page

from audit.law.outdated import (MAX_QUOTE, FeedbackReport, ReviewDate, feedback_report, find_outdated,
                                find_outdated_pages, overdue, review_dates)


def localgov(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><title>{title} | Northshire Local Offer</title></head><body>'
            '<header><nav><a href="/send">SEND Local Offer</a> <a href="/send/history">Our history</a></nav></header>'
            f'<main id="main-content"><article><h1>{title}</h1><div class="field--name-body">{body}</div>'
            "</article></main><footer>Accessibility statement. Privacy notice.</footer></body></html>")


def read(title: str, body: str) -> list:
    page = html_page(localgov(title, body))
    return find_outdated(page.main_text, page.title)


EXPLAINS_THE_CHANGE = """
<h2>What happened to statements?</h2>
<p>Statements of special educational needs were replaced by Education, Health and Care (EHC) plans in
September 2014. If your child had a statement, it will have been transferred to an EHC plan.</p>
<h2>SEN support</h2>
<p>SEN support replaces School Action and School Action Plus. SENDIASS, formerly the Parent Partnership
Service, gives free and impartial advice.</p>
<p>Before 2014, schools followed the SEN Code of Practice 2001.</p>
"""


def test_a_page_that_explains_the_reforms_is_not_outdated():
    assert read("Changes to SEND support", EXPLAINS_THE_CHANGE) == []


def test_the_one_sentence_presenting_old_law_as_current_is_found_among_decoys():
    body = EXPLAINS_THE_CHANGE + (
        "<h2>Getting advice</h2><p>For independent advice about your child's needs, contact the Parent "
        "Partnership Service on 01632 960123. Our team works in partnership with parents.</p>")
    found = read("SEN support in school", body)
    # The heading runs into the sentence, as it does in the page's visible text.
    assert [(ref.term, ref.quote) for ref in found] == [
        ("parent_partnership", "Getting advice For independent advice about your child's needs, contact the Parent "
                               "Partnership Service on 01632 960123.")]
    assert found[0].page is None


def test_each_term_is_reported_once_with_its_first_current_sentence_in_page_order():
    body = ("<p>The SENCO keeps the SEN register. Pupils at School Action Plus see the educational psychologist. "
            "Pupils at School Action Plus have termly targets.</p>"
            "<p>Children with a statement of SEN have an annual review. This policy follows the SEN Code of "
            "Practice 2001.</p>")
    found = read("Our SEN policy", body)
    assert [ref.term for ref in found] == ["school_action_plus", "sen_statement", "code_of_practice_2001"]
    assert found[0].quote == "Pupils at School Action Plus see the educational psychologist."


def test_a_page_about_history_is_not_outdated():
    body = "<p>Children with a statement of SEN had an annual review. Pupils at School Action Plus saw specialists.</p>"
    assert read("The history of SEND support in Northshire", body) == []
    archived = "<p>This page is archived and kept for reference only.</p>" + body.replace("had", "have")
    assert read("SEN policy", archived) == []


def test_historical_quotation_and_past_tense_are_not_current():
    for sentence in ("Before September 2014, a child with complex needs was given a statement of special "
                     "educational needs.",
                     "In January 2013, 2.8% of pupils in Northshire had a statement of SEN.",
                     "Pupils who would once have been on School Action Plus now receive SEN support.",
                     "All transfer reviews from statements to EHC plans were completed by 31 March 2018."):
        assert find_outdated(sentence) == [], sentence


def test_the_quote_is_one_squashed_sentence_of_at_most_300_characters():
    long_sentence = ("Where a pupil is at School Action Plus, " + "the class teacher, the SENCO and outside "
                     "professionals such as the speech and language therapist " * 6 + "will meet each term.")
    text = f"Our approach.\n\n{long_sentence}   Next   sentence here."
    [ref] = find_outdated(text)
    assert ref.term == "school_action_plus"
    assert len(ref.quote) <= MAX_QUOTE and "  " not in ref.quote
    assert ref.quote.startswith("Where a pupil is at School Action Plus, the class") and ref.quote.endswith("\u2026")


def test_an_abbreviation_does_not_end_the_sentence():
    [ref] = find_outdated("Extra help, e.g. a teaching assistant, is given to pupils at School Action Plus. "
                          "We review it termly.")
    assert ref.quote == "Extra help, e.g. a teaching assistant, is given to pupils at School Action Plus."


def test_document_pages_report_the_page_of_each_first_finding():
    pages = ["Northshire SEN policy. Contents.",
             "Our aims. Every child matters to us.",
             "Identification. Pupils at School Action Plus are supported by outside agencies.",
             "Complaints. You can appeal to SENDIST. Pupils at School Action Plus may also be seen at home."]
    found = find_outdated_pages(pages, "SEN policy 2012")
    assert [(ref.term, ref.page) for ref in found] == [("school_action_plus", 3), ("sendist", 4)]
    assert find_outdated_pages(pages, "SEN policy: archived") == []
    assert find_outdated_pages([], "") == []


# --- review dates ---

def test_review_dates_in_uk_formats():
    text = ("SEN policy. Approved by governors: 12 September 2018. Review date: September 2019. "
            "Next review: 01/09/2020 | Date of next review: Spring 2021 | To be reviewed by the governing body "
            "in July 2022. Next review due: 2023/24. Review Date 3rd March 2025.")
    assert review_dates(text) == [
        ReviewDate(date(2019, 9, 30), "Review date: September 2019"),
        ReviewDate(date(2020, 9, 1), "Next review: 01/09/2020"),
        ReviewDate(date(2021, 5, 31), "Date of next review: Spring 2021"),
        ReviewDate(date(2022, 7, 31), "To be reviewed by the governing body in July 2022"),
        ReviewDate(date(2024, 12, 31), "Next review due: 2023/24"),
        ReviewDate(date(2025, 3, 3), "Review Date 3rd March 2025"),
    ]


def test_past_reviews_and_undated_labels_are_not_review_dates():
    text = ("Last reviewed: March 2023. Date of last review: 4 April 2022. Previous review date: May 2021. "
            "This page is reviewed regularly. Review date: TBC. Approved March 2020. "
            "To be reviewed annually by the SEND team.")
    assert review_dates(text) == []


def test_overdue_is_judged_on_the_latest_stated_review_date():
    history = review_dates("Review date: September 2019. Review date: September 2021. Next review: September 2027.")
    assert overdue(history, date(2026, 11, 23)) is None
    stale = review_dates("Version 3. Review date: September 2019. Next review: 1 September 2024.")
    assert overdue(stale, date(2026, 11, 23)) == ReviewDate(date(2024, 9, 1), "Next review: 1 September 2024")
    assert overdue(stale, date(2024, 9, 1)) is None  # due that day, not yet past
    assert overdue([], date(2026, 11, 23)) is None


# --- feedback recency ---

def year(title: str, text: str, as_of: date | None = None) -> int | None:
    report = feedback_report(title, text, as_of)
    assert report is not None, title
    return report.year


def test_you_said_we_did_pages_of_several_years_give_the_latest():
    page = html_page(localgov("You said, we did", (
        "<p>Each year we publish what families told us about the Local Offer.</p>"
        "<h2>2021 to 2022</h2><p>You said the website was hard to search. We added a search box.</p>"
        "<h2>2022-23</h2><p>You said short breaks were hard to find. We moved them to the home page.</p>"
        "<p>Read our plans for 2027 to 2028.</p>")))
    assert feedback_report(page.title, page.main_text, as_of=date(2026, 11, 23)) == FeedbackReport(
        2023, "You said, we did")
    assert year(page.title, page.main_text) == 2028  # without as_of, plans count


def test_annual_reports_by_title_opening_or_date_inside():
    assert year("Local Offer annual report 2023-24", "Introduction. Children and Families Act 2014.") == 2024
    assert year("SEND Local Offer annual report 2022 (PDF)", "Summary of feedback received in 2021.") == 2022
    dated_inside = ("Local Offer feedback report. What you told us and what we did. Published: 14 March 2019. "
                    "The SEND Regulations 2014 require us to publish comments from families.")
    assert year("Feedback", dated_inside) == 2019


def test_an_undated_report_is_published_feedback_without_a_year():
    # Not the same as no report at all: the council publishes feedback, we cannot tell when from.
    assert feedback_report("You said, we did", "We publish comments under the Children and Families Act 2014.") \
        == FeedbackReport(None, "You said, we did")


def test_pages_that_are_not_feedback_reports_give_none():
    assert feedback_report("Short breaks", "Short breaks for 2024 to 2025. Give us feedback on the Local Offer.") is None
    assert feedback_report("SENDIASS annual report 2023", "The service helped 400 families in 2023.") is None
    assert feedback_report("Contact us", "Tell us what you think: email send@northshire.example.") is None
