from audit.core.registry import Council
from audit.checks.send_space import classify, is_about_send
from tests.helpers import html_page, load


def council(lo, council_url="https://www.northshire.gov.uk/"):
    return Council("E06000099", "Northshire", lo, council_url)


def send_page(url, title="Short breaks | SEND Local Offer"):
    return html_page(f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
                     "<p>Support for children with special educational needs and disabilities.</p></main></body></html>",
                     url=url)


def other_page(url, title):
    return html_page(f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1>"
                     "<p>Swimming lessons for toddlers on Tuesday mornings at the leisure centre. "
                     "Send us a message to book.</p></main></body></html>", url=url)


def test_not_found_without_url_or_pages():
    assert classify(council(""), []).value == "not_found"
    c = council("https://localoffer.northshire.gov.uk/")
    assert classify(c, []).value == "not_found"
    assert classify(c, [html_page("<p>x</p>", url="https://localoffer.northshire.gov.uk/", status=404)]).value == "not_found"


def test_council_section_on_main_host_ignoring_www():
    c = council("https://www.northshire.gov.uk/send-local-offer", "https://northshire.gov.uk/")
    pages = [send_page("https://www.northshire.gov.uk/send-local-offer"),
             load("localgov_pfa.html", url="https://www.northshire.gov.uk/send-local-offer/preparing-for-adulthood")]
    result = classify(c, pages)
    assert result.value == "council_section" and "northshire.gov.uk" in result.evidence


def test_dedicated_subdomain():
    c = council("https://localoffer.northshire.gov.uk/")
    pages = [load("wordpress_home.html", url="https://localoffer.northshire.gov.uk/")] + [
        send_page(f"https://localoffer.northshire.gov.uk/p{i}") for i in range(4)]
    assert classify(c, pages).value == "dedicated_site"


def test_ip_literal_hosts_compare_ports():
    c = council("http://127.0.0.1:8001/send/", "http://127.0.0.1:8000/")
    pages = [send_page(f"http://127.0.0.1:8001/send/p{i}") for i in range(5)]
    assert classify(c, pages).value == "dedicated_site"
    same = council("http://127.0.0.1:8000/send/", "http://127.0.0.1:8000/")
    assert classify(same, [send_page("http://127.0.0.1:8000/send/")]).value == "council_section"


def test_kb5_channel_is_directory_even_when_pages_are_about_send():
    c = council("http://127.0.0.1:8002/kb5/northshire/directory/localoffer.page?localofferchannel=0")
    pages = [load("kb5_directory_channel.html",
                  url="http://127.0.0.1:8002/kb5/northshire/directory/service.page?id=abc123")]
    result = classify(c, pages)
    assert result.value == "directory_channel" and "kb5" in result.evidence


def test_family_information_service_by_content_share():
    c = council("http://127.0.0.1:8003/")
    pages = [send_page("http://127.0.0.1:8003/send")] + [
        other_page(f"http://127.0.0.1:8003/s{i}", f"Toddler swim {i}") for i in range(5)]
    assert classify(c, pages).value == "directory_channel"


def test_family_hub_title_marks_directory():
    c = council("https://www.northshirefamilies.org.uk/send")
    pages = [send_page(f"https://www.northshirefamilies.org.uk/send/{i}",
                       title="SEND support | Northshire Family Hubs") for i in range(3)]
    assert classify(c, pages).value == "directory_channel"


def test_send_verb_is_not_send():
    p = other_page("http://x/a", "Toddler swim")
    assert not is_about_send(p)  # "Send us a message" is the verb
    assert is_about_send(send_page("http://x/b"))
