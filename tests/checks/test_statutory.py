from audit.checks.statutory import ITEM_IDS, ITEMS, coverage, sections
from tests.helpers import html_page, load


def test_sixteen_items_with_basis_and_phrases():
    assert len(ITEMS) == 16 and len(set(ITEM_IDS)) == 16
    assert "complaints_redress" in ITEM_IDS and "feedback_published" in ITEM_IDS
    assert all(i.basis and i.phrases and i.label for i in ITEMS)


def test_send_complaints_page_found_with_section_evidence():
    url = "https://lo.example/send/if-things-go-wrong"
    cov = coverage([load("send_complaints.html", url=url)])
    assert cov["complaints_redress"].found and cov["complaints_redress"].evidence_url == url
    assert cov["complaints_redress"].evidence == 'title: "If things go wrong | Northshire SEND Local Offer"'
    assert cov["contact"].found and "Contact the SEND team" in cov["contact"].evidence


def test_generic_council_complaints_page_is_not_send_redress():
    cov = coverage([load("generic_complaints.html", url="https://www.northshire.gov.uk/complaints")])
    assert not cov["complaints_redress"].found
    assert cov["complaints_redress"].evidence_url is None


def test_footer_menu_links_and_tiles_do_not_count():
    # Menu/footer: Complaints, You said we did, Preparing for adulthood, Contact us;
    # home tiles are h2 links; a "Give us feedback" form; event mentions.
    cov = coverage([load("fooling_news.html"), load("wordpress_home.html")])
    for item in ("complaints_redress", "feedback_published", "preparing_for_adulthood", "contact",
                 "social_care_provision"):
        assert not cov[item].found, item


def test_title_and_sections_of_real_pages():
    pages = [load("localgov_pfa.html", url="https://lo.example/send/pfa"),
             load("kb5_directory_channel.html", url="https://lo.example/send/short-breaks"),
             load("govuk_style_ehc.html", url="https://lo.example/send/ehc"),
             load("you_said_we_did.html", url="https://lo.example/send/yswd")]
    cov = coverage(pages)
    assert cov["preparing_for_adulthood"].evidence_url == "https://lo.example/send/pfa"
    assert cov["training_employment"].found and "Supported internships" in cov["training_employment"].evidence
    assert cov["social_care_provision"].evidence_url == "https://lo.example/send/short-breaks"
    assert cov["identification_assessment"].evidence_url == "https://lo.example/send/ehc"
    assert cov["feedback_published"].evidence_url == "https://lo.example/send/yswd"
    # "education, health and care" in a title is not the health item; the EHC page's
    # "If you disagree" section is SEND redress.
    assert cov["health_provision"].evidence_url == "https://lo.example/send/pfa"
    assert cov["complaints_redress"].evidence_url == "https://lo.example/send/ehc"
    assert not cov["accessibility_strategy"].found
    assert not cov["contact"].found  # "Who to contact" on a service record is not Local Offer help


def test_short_section_and_passing_mention_not_enough():
    html = ("<html><head><title>Help | Local Offer</title></head><body><main><h1>Help</h1>"
            "<h2>Personal budgets</h2><p>See the other page.</p>"
            "<p>You may be able to get a personal budget or direct payments, and there are short breaks.</p>"
            "<h2>Accessibility statement</h2><p>" + "This website aims to meet WCAG 2.2 AA. " * 10 + "</p>"
            "</main></body></html>")
    cov = coverage([html_page(html)])
    assert not cov["personal_budgets"].found
    assert not cov["social_care_provision"].found
    assert not cov["accessibility_strategy"].found


def test_give_us_feedback_is_not_published_feedback():
    html = ("<html><head><title>Feedback on the Local Offer | Northshire</title></head><body><main>"
            "<h1>Feedback on the Local Offer</h1><p>Tell us what you think using the form below.</p>"
            "<form><textarea name='comment'></textarea><button>Send</button></form></main></body></html>")
    assert not coverage([html_page(html)])["feedback_published"].found


def test_sections_nest_subsection_text_into_parent():
    html = ("<html><body><main><h2>Short breaks</h2><p>one two</p><h3>Holiday clubs</h3><p>three four</p>"
            "<h2>Other</h2><p>five</p></main></body></html>")
    secs = {s.heading: s for s in sections(html_page(html))}
    assert secs["Short breaks"].words == 4 and secs["Holiday clubs"].words == 2 and secs["Other"].words == 1


def test_topic_anchored_at_the_start_matches_a_later_subheading():
    """Each item is first looked for in the title, h1 and subheadings joined one per line: a
    topic anchored with ^ ("Contact details") must still match a subheading that is not the first."""
    page = html_page("<html><head><title>Short breaks | Northshire Local Offer</title></head><body>"
                     "<main><h1>Short breaks</h1><p>Breaks for families.</p><h2>Contact details</h2>"
                     "<p>Email the SEND team at send@northshire.gov.uk about short breaks.</p></main></body></html>")
    cov = coverage([page])
    assert cov["contact"].found and cov["contact"].evidence.startswith('h2: "Contact details"')
