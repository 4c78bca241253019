"""Open Referral UK feeds: ORUK 1.0 (Spring paging, two pages served from loopback and read
page by page), HSDS 3 and Outpost shapes, joined to record pages; malformed bodies give
one line, never an exception."""

import urllib.request
from datetime import date

from audit.directory.openreferral import join, next_page_url, parse_services
from tests.helpers import DIRECTORY, FETCHED, directory_truth

AS_OF = FETCHED.date()


def read(name):
    return (DIRECTORY / name).read_bytes()


def test_paged_feed_served_from_loopback_is_read_to_the_end(web):
    web.route("/api/services", read("oruk_v1_services_page1.json"))
    web.route("/api/services?page=2", read("oruk_v1_services_page2.json"))
    url, services, pages = web.url("/api/services"), [], 0
    while url and pages < 10:
        with urllib.request.urlopen(url, timeout=5) as response:
            page = parse_services(response.read(), url, as_of=AS_OF)
        assert page.problem is None
        services += page.services
        pages += 1
        url = next_page_url(url, page)
    assert pages == 2 and web.hits("/api/services?page=2") == 1
    assert [s.record.title for s in services] == ["Riverside Autism Family Group", "Fenwick Sensory Swim Sessions",
                                                  "Fenwick Chatterbox Group", "Little Steps Portage"]


def test_oruk_v1_freshness_and_completeness_come_from_the_data():
    page = parse_services(read("oruk_v1_services_page1.json"), "https://fis.fenwick.example/api/services", as_of=AS_OF)
    assert page.skipped == 1  # the stray string
    good, stale, empty = (s.record for s in page.services)
    assert good.complete and good.last_updated == date(2026, 9, 30) and good.date_evidence == "assured_date=2026-09-30"
    assert good.url == "https://fis.fenwick.example/api/services/3f1c2d0e-6a1b-4c55-9b1e-0a1f2e3d4c5b"
    assert stale.stale(AS_OF) == 1
    assert stale.missing == ("has_eligibility", "has_access")  # fees and a service area, no ages or schedules
    assert empty.last_updated is None and empty.missing == ("has_eligibility", "has_access", "has_contact",
                                                            "has_location", "has_cost")


def test_hsds3_and_outpost_shapes():
    hsds = parse_services(read("hsds3_services.json"), "https://api.northmoor.example/services", as_of=AS_OF)
    sleep, pool = (s.record for s in hsds.services)
    assert sleep.last_updated == date(2026, 7, 21) and sleep.date_evidence.startswith("last_modified=")
    assert (sleep.has_eligibility, sleep.has_access, sleep.has_contact, sleep.has_location, sleep.has_cost) == (
        True, True, True, False, False)
    assert pool.last_updated == date(2019, 6, 1)  # an unreadable last_modified falls back to assured_date
    assert pool.has_location and pool.has_access and pool.has_contact
    outpost = parse_services(read("outpost_services.json"), "https://api.fenwick.example/api/v1/services", as_of=AS_OF)
    (football,) = (s.record for s in outpost.services)
    assert football.complete and football.last_updated == date(2025, 3, 2)
    assert football.provider_url == "https://www.fenwickdragons.example/inclusive"


def test_services_join_their_record_pages_by_url():
    truth = directory_truth()
    record_pages = [t["url"] for t in truth.values() if t["record"]]
    page = parse_services(read("oruk_v1_services_page1.json"), "https://fis.fenwick.example/api/services")
    joined = join(page.services, record_pages)
    # different channel parameter, and http:// in the data for the https:// page: still joined
    assert joined == {"3f1c2d0e-6a1b-4c55-9b1e-0a1f2e3d4c5b": truth["kb5_service_fresh.html"]["url"],
                      "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d": truth["kb5_service_stale.html"]["url"]}


def test_malformed_and_wrong_bodies_give_one_line():
    cases = {read("oruk_malformed.json"): "not JSON", b"": "not JSON", b"\xff\xfe{": "not JSON",
             b"[1, 2]": None, b'"hello"': "not a services page", b'{"data": []}': "no 'content' or 'contents' list",
             b"<html><body>Not found</body></html>": "not JSON", b"[" * 100000: "not JSON"}
    for body, problem in cases.items():
        page = parse_services(body, "https://x.example/api/services")
        if problem is None:
            assert page.problem is None and page.skipped == 2
        else:
            assert problem in page.problem and "\n" not in page.problem, body[:20]


def test_next_page_url_stops_at_the_last_page_and_keeps_other_parameters():
    first = parse_services(read("oruk_v1_services_page1.json"), "x")
    assert next_page_url("https://a.example/api/services?per_page=3", first) == \
        "https://a.example/api/services?per_page=3&page=2"
    last = parse_services(read("oruk_v1_services_page2.json"), "x")
    assert next_page_url("https://a.example/api/services?page=2", last) is None
