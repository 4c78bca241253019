import pytest

from audit.checks.soft404 import looks_like_not_found, redirected_to_home
from tests.helpers import html_page, load


def test_not_found_page_detected_from_title():
    assert looks_like_not_found(load("not_found.html")) == "title: Page not found | Northshire Council"


@pytest.mark.parametrize("title, h1", [
    ("Northshire Council", "Sorry, we can't find that page"),
    ("404 | Northshire", "Oops"),
    ("Error 404", ""),
    ("Local Offer", "This page does not exist"),
    ("Local Offer", "The page you requested could not be found"),
])
def test_narrow_phrases_in_title_or_h1(title, h1):
    page = html_page(f"<html><head><title>{title}</title></head><body><main><h1>{h1}</h1></main></body></html>")
    assert looks_like_not_found(page) is not None


@pytest.mark.parametrize("title, h1, body", [
    ("What to do if you can't find a school place | Northshire", "What to do if you can't find a school place", ""),
    ("Short breaks | Local Offer", "Short breaks", "<p>Page not found? The page you requested could not be found.</p>"),
    ("Room 404 bookings", "Book room 404 at the Family Hub", ""),
    ("Finding a childminder", "Finding a childminder", ""),
])
def test_pages_about_not_finding_things_do_not_fire(title, h1, body):
    page = html_page(f"<html><head><title>{title}</title></head><body><main><h1>{h1}</h1>{body}</main></body></html>")
    assert looks_like_not_found(page) is None
    assert looks_like_not_found(load("school_place.html")) is None


def test_redirected_to_home():
    assert redirected_to_home("https://lo.example/send/short-breaks", "https://lo.example/")
    assert redirected_to_home("https://lo.example/send/old-page.aspx", "https://lo.example/index.html")
    assert redirected_to_home("http://127.0.0.1:8080/pfa", "http://127.0.0.1:8080/home")
    assert not redirected_to_home("https://lo.example/", "https://lo.example/index.html")
    assert not redirected_to_home("https://lo.example/send/a", "https://lo.example/send/b")
    assert not redirected_to_home("https://lo.example/send/a", "https://lo.example/?q=a")
