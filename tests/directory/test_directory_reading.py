"""Reading directory records: date with evidence, the five SPEC fields, the provider's
website, on the platform fixtures (tests/pages/directory/truth.json is the answer key)."""

from datetime import date

from audit.directory.reading import FIELDS, read_record
from audit.core.page import Page
from tests.helpers import FETCHED, directory_page, directory_truth

TRUTH = directory_truth()
RECORDS = [name for name, t in TRUTH.items() if t["record"]]


def test_every_record_fixture_reads_as_the_answer_key_says():
    for name in RECORDS:
        truth, record = TRUTH[name], read_record(directory_page(name))
        assert {f: getattr(record, f) for f in FIELDS} == truth["fields"], name
        assert (record.last_updated.isoformat() if record.last_updated else None) == truth["date"], name
        assert record.provider_url == truth["provider_url"], name


def test_date_evidence_is_the_text_it_came_from():
    assert read_record(directory_page("kb5_service_stale.html")).date_evidence == "Last updated: 12 January 2023"
    assert read_record(directory_page("placecube_record.html")).date_evidence.endswith("30 September 2024")
    assert read_record(directory_page("schema_service.html")).date_evidence == "JSON-LD dateModified=2026-07-21"
    assert read_record(directory_page("generic_record_b.html")).date_evidence == "Page last reviewed: 3 March 2022"


def test_stale_undated_and_fresh():
    as_of = FETCHED.date()
    assert read_record(directory_page("kb5_service_stale.html")).stale(as_of) == 1
    assert read_record(directory_page("kb5_service_fresh.html")).stale(as_of) == 0
    assert read_record(directory_page("outpost_service.html")).stale(as_of) is None


def test_missing_fields_are_listed_in_spec_order():
    record = read_record(directory_page("kb5_service_nocost.html"))
    assert not record.complete
    assert record.missing == ("has_access", "has_cost")
    assert read_record(directory_page("kb5_service_fresh.html")).complete


def test_footer_phone_and_contact_link_do_not_give_a_record_contact():
    # The LocalGov record has no phone, email or form of its own; the site footer has all three.
    record = read_record(directory_page("localgov_directory_page.html"))
    assert record.has_contact is False


def test_each_field_carries_its_evidence():
    evidence = dict(read_record(directory_page("jadu_directory_record.html")).evidence)
    assert evidence["has_cost"] == "Cost: Free to join"
    assert evidence["has_contact"] == "Telephone: 01632 980 441"


def test_placeholder_values_do_not_count():
    html = """<html><head><title>X</title></head><body><main><h1>Tiny Tots</h1><dl>
      <dt>Cost</dt><dd>N/A</dd><dt>Age range</dt><dd>Not known</dd><dt>Telephone</dt><dd>01632 960 111</dd>
    </dl></main></body></html>"""
    record = read_record(Page("https://fis.fenwick.example/kb5/fenwick/directory/service.page?id=T1", html, fetched_at=FETCHED))
    assert (record.has_cost, record.has_eligibility, record.has_contact) == (False, False, True)


def test_sentences_count_when_there_are_no_labels():
    html = """<html><head><title>X</title></head><body><main><h1>Chatterbox</h1>
      <p>A group for children aged 2 to 4 with speech delay. Sessions are free. Just turn up on Mondays at 10am,
      at Kelderby Library, KB1 3AB, or call 01632 980 999.</p></main></body></html>"""
    record = read_record(Page("https://www.kelderby.example/directory-record/9/chatterbox", html, fetched_at=FETCHED))
    assert record.complete
    assert "Sessions are free" in dict(record.evidence)["has_cost"]


def test_council_hosts_and_social_media_are_never_the_provider_website():
    html = """<html><head><title>X</title></head><body><main><h1>Parent forum</h1>
      <p><a href="https://www.facebook.com/parentforum">Visit us on Facebook</a>
      <a href="https://www.fenwick.example/send">Visit the council's SEND pages</a>
      <a href="https://www.gov.uk/children-with-special-educational-needs">Visit GOV.UK</a></p></main></body></html>"""
    page = Page("https://fis.fenwick-services.example/kb5/fenwick/directory/service.page?id=F1", html, fetched_at=FETCHED)
    assert read_record(page, council_hosts=("www.fenwick.example",)).provider_url is None
    assert read_record(page).provider_url == "https://www.fenwick.example/send"  # not known as the council's


def test_record_date_is_the_staleness_checks_evidence_worked_out_once():
    from audit.checks.staleness import page_date

    page = directory_page("kb5_service_fresh.html")
    first = page_date(page)
    assert read_record(page).last_updated == first.date == date(2026, 10, 3)
    assert page.derived("own_date", lambda p: None) is first  # cached, not worked out again
