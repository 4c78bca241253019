from audit.checks.pfa import click_distances, find_pfa, normalise
from tests.helpers import html_page, load

BASE = "http://127.0.0.1:8765"
SCOPE = (f"{BASE}/send/",)


def page(path, title, links=(), h1=None, body="", depth=1):
    a = "".join(f'<a href="{href}">{text}</a>' for href, text in links)
    html = (f"<html><head><title>{title}</title></head><body><header><nav>{a}</nav></header>"
            f"<main><h1>{h1 or title}</h1>{body}</main></body></html>")
    return html_page(html, url=f"{BASE}{path}", depth=depth)


def site():
    return [
        page("/send/", "SEND Local Offer", [("/send/education/", "Education"), ("/send/about", "About"),
                                            ("/other/pfa", "Out of scope PfA")],
             body='<div class="card"><h2><a href="/send/education/">Preparing for adulthood</a></h2>'
                  '<p>Everything about preparing for adulthood, post-16 and 16 to 25 is in Education.</p></div>',
             depth=0),
        page("/send/education", "Education", [("/send/education/post-16-transport", "Post-16 transport"),
                                              ("/send/education/pfa/", "Next steps")]),
        page("/send/about", "About", [("/send/education/pfa-deep", "PfA")]),
        page("/send/education/post-16-transport", "Post-16 transport", h1="Post-16 travel assistance"),
        page("/send/education/pfa", "Preparing for adulthood (14 to 25) | Local Offer"),
        page("/send/education/pfa-deep", "Moving into adulthood"),
        page("/other/pfa", "Preparing for adulthood"),
    ]


def test_click_distances_bfs_with_trailing_slash_normalisation():
    d = click_distances(site(), f"{BASE}/send/", SCOPE)
    assert d[f"{BASE}/send/"] == 0
    assert d[f"{BASE}/send/education"] == 1  # linked as /send/education/
    assert d[f"{BASE}/send/education/pfa"] == 2
    assert d[f"{BASE}/send/education/pfa-deep"] == 2
    assert f"{BASE}/other/pfa" not in d  # out of scope: never in the graph


def test_find_pfa_prefers_fewest_clicks_then_most_specific_and_ignores_tiles_and_transport():
    result = find_pfa(site(), f"{BASE}/send/", SCOPE)
    # Home page has a PfA tile (h2 link) and a paragraph: not devoted. Transport page: not PfA.
    # pfa and pfa-deep are both 2 clicks; pfa's title and URL are more specific.
    assert result.url == f"{BASE}/send/education/pfa" and result.clicks == 2
    assert "Preparing for adulthood" in result.evidence


def test_redirected_home_uses_depth_zero_page():
    pages = site()
    result = find_pfa(pages, f"{BASE}/send/index.html", SCOPE)  # not a crawled final URL
    assert result.clicks == 2


def test_unreachable_page_still_reported_without_clicks():
    pages = [page("/send/", "Local Offer", depth=0), page("/send/pfa", "Preparing for adulthood")]
    result = find_pfa(pages, f"{BASE}/send/", SCOPE)
    assert result.url == f"{BASE}/send/pfa" and result.clicks is None


def test_no_pfa_page_on_fooling_site():
    fool = load("fooling_news.html", url=f"{BASE}/send/news")  # menu link + event heading mention it
    assert find_pfa([page("/send/", "Local Offer", [("/send/news", "News")], depth=0), fool],
                    f"{BASE}/send/", SCOPE) is None


def test_real_localgov_page_qualifies():
    p = load("localgov_pfa.html", url="https://www.northshire.gov.uk/send-local-offer/preparing-for-adulthood")
    home = html_page('<html><body><main><a href="/send-local-offer/preparing-for-adulthood/">PfA</a></main></body></html>',
                     url="https://www.northshire.gov.uk/send-local-offer", depth=0)
    result = find_pfa([home, p], "https://www.northshire.gov.uk/send-local-offer",
                      ("https://www.northshire.gov.uk/send-local-offer/",))
    assert result.clicks == 1 and result.url.endswith("preparing-for-adulthood")


def test_normalise():
    assert normalise("HTTPS://Example.org:443/a/") == normalise("http://example.org/a")
    assert normalise("http://127.0.0.1:8765/a/?x=1") == "127.0.0.1:8765/a?x=1"


def test_click_distances_accept_any_spelling_of_the_url():
    d = click_distances(site(), f"{BASE}/send/", SCOPE)
    assert d.get(normalise(f"{BASE}/send/education")) == 1  # the runner looks pages up by normalised key
    assert d[f"{BASE}/send/education/"] == 1
    assert f"{BASE}/other/pfa" not in d and d.get(f"{BASE}/other/pfa") is None


def test_a_click_is_on_a_web_link_not_a_mailto_or_tel_link_that_spells_a_page():
    """normalise() is scheme-agnostic (host and path), and a mailto: or tel: address has no host,
    so one written as a page's host and path had the same key as the page: a click that leads
    nowhere counted as one to it."""
    pages = site()
    pages[0] = page("/send/", "SEND Local Offer", [("mailto:127.0.0.1:8765/send/about", "Email us"),
                                                  ("tel:127.0.0.1:8765/send/education/pfa", "Call us")], depth=0)
    d = click_distances(pages, f"{BASE}/send/", SCOPE)
    assert d == {f"{BASE}/send/": 0}
