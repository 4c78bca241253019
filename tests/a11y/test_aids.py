import pytest

from audit.a11y.aids import detect
from tests.helpers import html_page, load


def test_recite_me_inline_loader_gives_all_three():
    found = detect(load("wordpress_home.html"))
    assert set(found) == {"translation", "text_resize", "read_aloud"}
    assert found["read_aloud"] == "reciteme.com inline loader"


def test_recite_me_script_src_evidence_is_host_and_marker():
    page = html_page('<html><head><script src="https://api.reciteme.com/asset/js?key=abc"></script></head><body></body></html>')
    assert detect(page)["translation"] == "api.reciteme.com script"


def test_browsealoud_read_aloud_and_translation_not_resize():
    found = detect(load("localgov_pfa.html"))
    assert found == {"read_aloud": "www.browsealoud.com script", "translation": "www.browsealoud.com script"}


def test_kb5_google_translate_and_text_size_control():
    found = detect(load("kb5_directory_channel.html"))
    assert found["translation"] == "translate.google.com script"
    assert "textsize" in found["text_resize"]
    assert "read_aloud" not in found


def test_readspeaker():
    page = html_page('<html><body><div id="readspeaker_button1" class="rs_skip rsbtn rs_preserve">'
                     '<a class="rsbtn_play" href="https://app-eu.readspeaker.com/cgi-bin/rsent?customerid=1">Listen</a>'
                     '</div><script src="https://cdn-eu.readspeaker.com/script/1/webReader/webReader.js"></script></body></html>')
    assert detect(page)["read_aloud"] == "cdn-eu.readspeaker.com script"


@pytest.mark.parametrize("snippet", [
    '<div class="accessibility"><span>Text size:</span><button>A</button><button>A+</button></div>',
    '<button class="js-text-size-increase" type="button">Bigger</button>',
    '<button aria-label="Increase text size">+</button>',
    '<ul class="text-resizer"><li><a href="#">Small</a></li><li><a href="#">Large</a></li></ul>',
    '<div><a href="#" id="a1">A-</a> <a href="#" id="a2">A</a> <a href="#" id="a3">A+</a></div>',
])
def test_home_grown_text_size_controls(snippet):
    assert "text_resize" in detect(html_page(f"<html><body><header>{snippet}</header><main></main></body></html>"))


def test_fooling_page_fires_nothing():
    # Prose mentions of Recite Me and BrowseAloud, links to reciteme.com and translate.google.com
    # in a paragraph, "text size in your browser settings", "family size", a heading with
    # class font-size-large, CSS rules for .font-size-large.
    assert detect(load("fooling_news.html")) == {}


def test_utility_size_classes_are_not_controls():
    html = ('<html><body><main><h2 class="font-size-large">Short breaks</h2>'
            '<a class="font-size-small" href="/more">Read more</a><p class="text-size-lg">Hello</p>'
            '<img sizes="100vw" src="a.png" alt=""></main></body></html>')
    assert detect(html_page(html)) == {}


def test_translate_this_page_link_in_toolbar_counts_but_prose_link_does_not():
    toolbar = ('<html><body><header><a href="https://translate.google.com/translate?sl=en&tl=pl&u=https://lo.example/">'
               'Translate</a></header></body></html>')
    assert detect(html_page(toolbar))["translation"] == "translate.google.com translate-this-page link"
    prose = ('<html><body><main><p>Try <a href="https://translate.google.com/translate?u=https://lo.example/">'
             'Google Translate</a>.</p></main></body></html>')
    assert detect(html_page(prose)) == {}
