"""Directory record recognition on pages shaped like each platform's records, and on pages
built to fool it (tests/pages/directory: each fixture names the markup it follows)."""

from audit.directory.records import MIN_TEMPLATE_PAGES, decide, label_kind, page_signature
from audit.core.page import Page
from tests.helpers import DIRECTORY, FETCHED, directory_page, directory_truth

TRUTH = directory_truth()


def signatures(names):
    return {TRUTH[n]["url"]: page_signature(directory_page(n)) for n in names}


def test_every_fixture_is_recognised_as_truth_says_when_the_whole_site_is_decided():
    records = decide(signatures(TRUTH))
    assert records == {t["url"] for t in TRUTH.values() if t["record"]}


def test_each_platform_record_is_a_record_on_its_own_page():
    # Platform markup or schema.org is decisive one page at a time: no template repeat needed.
    for name in ("kb5_service_fresh.html", "kb5_service_nocost.html", "outpost_service.html",
                 "localgov_directory_page.html", "jadu_directory_record.html", "wordpress_gd_place.html",
                 "placecube_record.html", "schema_service.html"):
        assert decide(signatures([name])) == {TRUTH[name]["url"]}, name


def test_platform_is_read_from_url_body_class_or_schema():
    expected = {"kb5_service_fresh.html": "kb5", "outpost_service.html": "outpost", "localgov_directory_page.html": "localgov",
                "jadu_directory_record.html": "jadu", "wordpress_gd_place.html": "wordpress",
                "placecube_record.html": "placecube", "schema_service.html": "schema", "generic_record_a.html": ""}
    for name, platform in expected.items():
        assert page_signature(directory_page(name)).platform == platform, name


def test_generic_template_needs_enough_pages_sharing_it():
    generic = ["generic_record_a.html", "generic_record_b.html", "generic_record_c.html"]
    assert MIN_TEMPLATE_PAGES == 3
    assert decide(signatures(generic[:2])) == set()
    assert decide(signatures(generic)) == {TRUTH[n]["url"] for n in generic}


def test_contact_page_sharing_the_record_template_is_not_a_record():
    # The contact page uses the generic records' table template, with contact, address and
    # opening hours: it is in the repeated template but says nothing a record says.
    names = ["generic_record_a.html", "generic_record_b.html", "generic_record_c.html", "decoy_contact_us.html"]
    assert TRUTH["decoy_contact_us.html"]["url"] not in decide(signatures(names))


def test_kb5_advice_contact_page_is_not_a_record():
    assert decide(signatures(["kb5_advice_contact.html"])) == set()


def test_many_info_pages_with_record_like_headings_are_not_records():
    html = (DIRECTORY / "decoy_info_page.html").read_text()
    sigs = {f"https://www.kelderby.example/send-local-offer/guide-{i}": page_signature(
        Page(f"https://www.kelderby.example/send-local-offer/guide-{i}", html, fetched_at=FETCHED)) for i in range(10)}
    assert all(s is not None for s in sigs.values())  # candidates: their headings look like labels
    assert decide(sigs) == set()


def test_listings_say_why_they_are_listings():
    category = page_signature(directory_page("decoy_category_30.html"))
    assert "repeated 30 times" in category.listing
    results = page_signature(directory_page("search_results_autism.html"))
    assert results.listing.startswith("title says it lists")


def test_category_listing_at_a_record_url_is_still_not_a_record():
    # A listing is not a record whatever its URL says.
    html = (DIRECTORY / "decoy_category_30.html").read_text()
    url = "https://fis.fenwick.example/kb5/fenwick/directory/service.page?id=CAT3"
    assert decide({url: page_signature(Page(url, html, fetched_at=FETCHED))}) == set()


def test_pages_failing_the_cheap_test_have_no_signature():
    for name in ("decoy_news_phone.html", "decoy_a_to_z.html", "search_results_empty.html"):
        assert page_signature(directory_page(name)) is None, name


def test_sitewide_organization_json_ld_does_not_make_a_page_a_record():
    html = """<html><head><title>Education | Northmoor</title><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "GovernmentOrganization", "name": "Northmoor Council"}</script></head>
    <body><main><h1>Education</h1><h2>Contact</h2><p>Call 01632 990 000.</p><h2>Cost</h2><p>Free.</p></main></body></html>"""
    url = "https://localoffer.northmoor.example/education"
    signature = page_signature(Page(url, html, fetched_at=FETCHED))
    assert signature.platform == ""
    assert decide({url: signature}) == set()


def test_label_vocabulary():
    assert label_kind("Who to contact") == "contact"
    assert label_kind("Where to go") == "location"
    assert label_kind("When is it on?") == "when"
    assert label_kind("Who is this service for?") == "eligibility"
    assert label_kind("Age Ranges") == "eligibility"
    assert label_kind("Referral required") == "access"
    assert label_kind("Costs:") == "cost"
    assert label_kind("Contact us to find out more about the costs of this service") is None  # a sentence
    assert label_kind("Related news") is None
