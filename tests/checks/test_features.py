import pytest

from audit.checks.features import FEATURE_NAMES, detect
from tests.helpers import html_page, load


def one(html: str) -> dict:
    return detect([html_page(f"<html><head><title>T</title></head><body>{html}</body></html>")])


def test_wordpress_home_has_search_social_newsletter_video():
    result = detect([load("wordpress_home.html", url="https://localoffer.northshire.example/")])
    assert set(FEATURE_NAMES) == set(result)
    assert result["has_search"].present and result["has_search"].evidence_url == "https://localoffer.northshire.example/"
    assert "NorthshireLocalOffer" in result["has_social_media"].evidence
    assert "list-manage.com" in result["has_newsletter"].evidence
    assert "youtube-nocookie.com/embed" in result["has_video"].evidence
    assert not result["has_feedback_published"].present  # only a menu link to "You said, we did"


def test_fooling_page_has_none():
    # share buttons, a "Give us feedback" form link, a prose mention of a newsletter
    result = detect([load("fooling_news.html")])
    assert {k for k, v in result.items() if v.present} == set()


def test_share_buttons_are_not_accounts():
    html = ('<a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>'
            '<a href="https://twitter.com/intent/tweet?url=x">Tweet</a>'
            '<a href="https://www.linkedin.com/shareArticle?mini=true&url=x">LinkedIn</a>'
            '<a href="https://www.facebook.com/">Facebook</a>'
            '<a href="https://www.youtube.com/watch?v=abc">A video</a>')
    assert not one(html)["has_social_media"].present


@pytest.mark.parametrize("href", ["https://x.com/NorthshireSEND", "https://www.instagram.com/northshire_send/",
                                  "https://www.youtube.com/@NorthshireCouncil", "https://www.tiktok.com/@northshire",
                                  "https://www.linkedin.com/company/northshire-council"])
def test_account_links(href):
    assert one(f'<footer><a href="{href}">Follow us</a></footer>')["has_social_media"].present


@pytest.mark.parametrize("html, present", [
    ('<form action="/site-search"><input type="text" name="terms"></form>', True),
    ('<div role="search"><input type="text" name="x"></div>', True),
    ('<form action="/subscribe"><input type="text" name="q"></form>', True),
    ('<form action="/contact"><input type="text" name="name"><input type="email" name="email"></form>', False),
    ('<a href="/search">Search</a>', False),
])
def test_search(html, present):
    assert one(html)["has_search"].present is present


@pytest.mark.parametrize("html, present", [
    ('<a href="https://public.govdelivery.com/accounts/UKNORTH/subscriber/new">Get email updates</a>', True),
    ('<a href="/newsletter-signup">Sign up to the SEND newsletter</a>', True),
    ('<form><label>Email</label><input type="email" name="e"><button>Subscribe</button></form>', True),
    ('<p>Read about it in the school newsletter. Please sign up for the swimming club.</p>', False),
    ('<a href="/news">Newsletter archive</a>', False),
])
def test_newsletter(html, present):
    assert one(html)["has_newsletter"].present is present


@pytest.mark.parametrize("html, present", [
    ('<video controls src="/media/tour.mp4"></video>', True),
    ('<iframe src="https://player.vimeo.com/video/123456" title="Tour"></iframe>', True),
    ('<main><p>Watch <a href="https://www.youtube.com/watch?v=abc123">our video about EHC plans</a>.</p></main>', True),
    ('<footer><a href="https://www.youtube.com/watch?v=abc123">YouTube</a></footer>', False),
    ('<footer><a href="https://www.youtube.com/@Northshire">YouTube</a></footer>', False),
    ('<main><p>We made a video last year.</p></main>', False),
])
def test_video(html, present):
    assert one(html)["has_video"].present is present


def test_feedback_published_page_and_document_link():
    result = detect([load("you_said_we_did.html", url="https://lo.example/send/yswd")])
    assert result["has_feedback_published"].evidence_url == "https://lo.example/send/yswd"
    doc = one('<main><h1>Have your say</h1><p><a href="/docs/local-offer-annual-report-2025.pdf">'
              'Local Offer annual report 2025 (PDF)</a></p></main>')
    assert doc["has_feedback_published"].present and "annual report" in doc["has_feedback_published"].evidence
