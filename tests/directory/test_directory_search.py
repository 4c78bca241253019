"""The Local Offer's own search: which form is a search (GET only), the query URL, how each
answer is judged, and the site_search verdict."""

from urllib.parse import parse_qsl, urlsplit

from audit.directory.search import find_search_form, judge_results, search_url, site_search_verdict
from audit.core.page import Page
from tests.helpers import DIRECTORY, FETCHED, directory_page

FENWICK = ("https://fis.fenwick.example/kb5/fenwick/directory/",)


def test_kb5_directory_search_form_and_its_query_url():
    form = find_search_form(directory_page("kb5_service_fresh.html"), FENWICK)
    assert form.action == "https://fis.fenwick.example/kb5/fenwick/directory/results.page"
    assert form.field == "qt" and form.hidden == (("localofferchannel", "0"),)
    url = search_url(form, "speech and language therapy")
    assert urlsplit(url).path.endswith("/results.page")
    assert parse_qsl(urlsplit(url).query) == [("localofferchannel", "0"), ("qt", "speech and language therapy")]


def test_directory_search_in_the_content_beats_the_site_wide_header_search():
    scope = ("https://www.westmarsh.example/send/",)
    form = find_search_form(directory_page("localgov_directory_page.html"), scope)
    assert form.field == "search_api_fulltext"
    assert form.action == "https://www.westmarsh.example/send/local-offer-directory"


def test_post_forms_newsletters_and_feedback_forms_are_never_searches():
    page = Page("https://www.cradleigh.example/send-local-offer/", (DIRECTORY / "search_post_only.html").read_text(),
                fetched_at=FETCHED)
    assert find_search_form(page) is None


def test_search_url_keeps_the_actions_own_query():
    page = Page("https://a.example/send/", '<form action="/search?site=send" role="search"><input name="q"></form>')
    assert search_url(find_search_form(page), "autism") == "https://a.example/search?site=send&q=autism"


def test_answers_are_judged_results_empty_or_error():
    assert judge_results(directory_page("search_results_autism.html"), "autism", FENWICK) == "results"
    assert judge_results(directory_page("search_results_empty.html"), "short breaks", FENWICK) == "empty"
    unrelated = Page("https://fis.fenwick.example/kb5/fenwick/directory/results.page?qt=speech",
                     (DIRECTORY / "search_results_unrelated.html").read_text(), fetched_at=FETCHED)
    assert judge_results(unrelated, "speech and language therapy", FENWICK) == "empty"
    error = Page("https://fis.fenwick.example/kb5/fenwick/directory/results.page?qt=autism",
                 (DIRECTORY / "search_error.html").read_text(), fetched_at=FETCHED)
    assert judge_results(error, "autism", FENWICK) == "error"
    not_found = Page("https://fis.fenwick.example/kb5/fenwick/directory/results.page?qt=autism",
                     "<html><head><title>Page not found</title></head><body><h1>Page not found</h1></body></html>")
    assert judge_results(not_found, "autism", FENWICK) == "error"
    server_error = Page(not_found.url, (DIRECTORY / "search_results_autism.html").read_text(), status=500)
    assert judge_results(server_error, "autism", FENWICK) == "error"
    # An old site's search page answering 200 with an apology (the demo's Westmarsh) is an error too.
    unavailable = Page("http://www.westmarsh-localoffer.example/search.htm?q=autism",
                       "<html><head><title>Search - Westmarsh Local Offer</title></head><body><div id=content>"
                       "<h1>Search</h1><p>Search is currently unavailable.</p></div></body></html>")
    assert judge_results(unavailable, "autism", ("http://www.westmarsh-localoffer.example/",)) == "error"


def test_results_outside_scope_or_in_facets_do_not_count():
    # The autism answer's facet links name autism too, but sit in the <aside>; with the
    # records out of scope, nothing relevant is left.
    page = directory_page("search_results_autism.html")
    assert judge_results(page, "autism", ("https://elsewhere.example/",)) == "empty"


def test_site_search_verdict():
    assert site_search_verdict([]) == "none"
    assert site_search_verdict(["results", "results", "results"]) == "works"
    assert site_search_verdict(["results", "results", "empty"]) == "works"
    assert site_search_verdict(["results", "empty", "empty"]) == "no_results"
    assert site_search_verdict(["empty", "empty", "error"]) == "no_results"
    assert site_search_verdict(["error", None, "results"]) == "broken"
    assert site_search_verdict([None, None, None]) == "broken"
