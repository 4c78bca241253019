"""Page shapes of the *varied* national corpus (``generate.py --corpus varied``).

The classic corpus has one page shape: every page is a 40-90 KB article with a 25-link menu.
Real Local Offers are not like that, and an audit tuned on one shape can be slow on another
(issue 25). Here each site runs on one of the council platforms below, which gives every page
of it the same *chrome* (header, menu, cookie banner, footer furniture), and each page takes
one *shape* (what its main content is). Both are recorded per page in ``shapes.json``
(``{url: [platform, shape]}``) so the benchmark can report the audit's cost per shape.

The markup follows the real platforms' as recorded in this repository's test pages (each
of which says where its shape comes from) and their public templates:

- ``localgov``: LocalGov Drupal (``tests/pages/localgov_pfa.html``): ``lgd-header``, the
  EU Cookie Compliance dialog, a JSON-LD ``@graph``, and a mega-menu of a council's whole
  service tree (150-300 links, nested ``ul`` in ``div`` columns, as Drupal's ``menu.html.twig``
  renders ``below`` items).
- ``jadu``: Jadu CXM / Continuum (``tests/pages/directory/jadu_directory_record.html``):
  ``header`` + BEM navigation, ``list--definition`` records, Jadu's long ``table`` component.
- ``kb5``: Open Objects / Idox kb5 (``tests/pages/directory/kb5_service_fresh.html``):
  ``field_section`` record blocks of ``dl`` pairs, cookie-consent div, short menu.
- ``govuk``: GOV.UK Frontend (``govuk-header``, ``govuk-cookie-banner``, ``govuk-table``):
  a short menu, light pages.
- ``wordpress``: a WordPress page builder theme (Elementor-style ``elementor-section >
  elementor-container > elementor-column > elementor-widget-wrap > elementor-widget >
  elementor-widget-container`` nesting, ``<style id="...-inline-css">`` and inline
  ``<script>`` blocks of tens of KB), a 150-250-link mega-menu.
- ``outpost``: Outpost / Scout directory (``tests/pages/directory/outpost_service.html``),
  server-rendered by a React framework, so the page carries its data again as a JSON
  script (``__NEXT_DATA__``-style) of 30-120 KB.

Shapes (the page's main content; any platform can have any, at platform-specific rates):

- ``article``: the classic body (paragraphs, cards, links) in the platform's chrome;
- ``long-table``: a 150-500-row table (school lists, provider lists, fees);
- ``form``: a 20-45-field form (fieldsets, radios, selects with long option lists);
- ``directory-record``: a service record (contact ``dl``, address, tel/mailto, opening
  times), short text, many small elements;
- ``heavy``: 90-200 KB: big inline styles and scripts and 30-45 levels of nesting.

Everything is drawn from the page's own ``random.Random``: the same seed writes the same bytes.
"""

from __future__ import annotations

import json
import random

PLATFORMS = ("localgov", "jadu", "kb5", "govuk", "wordpress", "outpost")
SHAPES = ("article", "long-table", "form", "directory-record", "heavy")
# How often each shape occurs on each platform (weights, in SHAPES order).
SHAPE_WEIGHTS = {
    "localgov": (60, 10, 8, 12, 10),
    "jadu": (50, 18, 14, 12, 6),
    "kb5": (25, 8, 5, 60, 2),
    "govuk": (70, 12, 10, 6, 2),
    "wordpress": (45, 8, 7, 5, 35),
    "outpost": (10, 4, 4, 80, 2),
}
# Mega-menu size (links) per platform: min, max.
MENU_LINKS = {"localgov": (150, 300), "jadu": (80, 160), "kb5": (30, 50), "govuk": (8, 16),
              "wordpress": (150, 250), "outpost": (10, 20)}
STREETS = ("High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road", "Victoria Street")
SCHOOLS = ("Primary School", "Academy", "Infant School", "Junior School", "Special School", "College")


def platform_of(site_index: int) -> str:
    return PLATFORMS[site_index % len(PLATFORMS)]


def shape_of(platform: str, rng: random.Random) -> str:
    return rng.choices(SHAPES, weights=SHAPE_WEIGHTS[platform])[0]


def mega_menu(platform: str, rng: random.Random, targets: list[tuple[str, str]]) -> str:
    """A site's menu, the same on every page: ``targets`` are (path, title) of its pages.

    Grouped in columns of up to 12 links under a heading link, the way a mega-menu renders a
    two-level menu tree; GOV.UK-style and Outpost sites get a flat list."""
    low, high = MENU_LINKS[platform]
    links = [targets[rng.randrange(len(targets))] for _ in range(rng.randint(low, high))]
    if platform in ("govuk", "outpost"):
        items = "".join(f'<li class="{platform}-header__navigation-item"><a class="{platform}-header__link" '
                        f'href="{p}">{t}</a></li>' for p, t in links)
        return f'<ul class="{platform}-header__navigation-list">{items}</ul>'
    columns = []
    for start in range(0, len(links), 12):
        group = links[start:start + 12]
        head_path, head_title = group[0]
        items = "".join(f'<li class="menu-item"><a class="menu-link" href="{p}">{t}</a></li>' for p, t in group[1:])
        columns.append(f'<li class="menu-item menu-item--expanded"><a class="menu-link" href="{head_path}">'
                       f'{head_title}</a><div class="mega-menu__panel"><div class="mega-menu__column">'
                       f'<ul class="menu menu--level-2">{items}</ul></div></div></li>')
    return f'<ul class="menu menu--level-1 mega-menu">{"".join(columns)}</ul>'


def cookie_banner(platform: str, prefix: str) -> str:
    if platform == "govuk":
        return ('<div class="govuk-cookie-banner" data-nosnippet role="region" aria-label="Cookies on this site">'
                '<div class="govuk-cookie-banner__message govuk-width-container"><h2 class="govuk-cookie-banner__heading">'
                'Cookies on this site</h2><div class="govuk-cookie-banner__content"><p class="govuk-body">We use some '
                'essential cookies to make this service work.</p><p class="govuk-body">We would also like to use '
                'analytics cookies so we can understand how you use the service.</p></div><div class="govuk-button-group">'
                '<button type="button" class="govuk-button" name="cookies" value="accept">Accept analytics cookies</button>'
                '<button type="button" class="govuk-button" name="cookies" value="reject">Reject analytics cookies</button>'
                f'<a class="govuk-link" href="{prefix}cookies.html">View cookies</a></div></div></div>')
    if platform == "kb5":
        return (f'<div class="cookie-consent"><p>This site uses cookies. <a href="{prefix}cookies.html">Find out more'
                '</a></p><button type="button">OK</button></div>')
    return ('<div class="eu-cookie-compliance-banner" role="dialog" aria-labelledby="popup-text" aria-describedby="'
            'popup-text"><div class="popup-content info eu-cookie-compliance-content"><div id="popup-text" class="'
            'eu-cookie-compliance-message"><h2>We use cookies on this site to enhance your user experience</h2><p>'
            'By clicking the Accept button, you agree to us doing so.</p></div><div id="popup-buttons" class="'
            'eu-cookie-compliance-buttons"><button type="button" class="agree-button eu-cookie-compliance-default-button">'
            'Accept</button><button type="button" class="decline-button eu-cookie-compliance-default-button">No, thanks'
            f'</button></div><a href="{prefix}cookies.html" class="more-info">More info</a></div></div>')


def _css(rng: random.Random, size: int) -> str:
    rules, total = [], 0
    while total < size:
        k = rng.randrange(100_000)
        rule = (f".elementor-element.elementor-element-{k:05x} > .elementor-widget-container{{margin:0 0 "
                f"{k % 40}px 0;padding:{k % 17}px;color:#{k % 0xffffff:06x};font-size:{12 + k % 9}px}}")
        rules.append(rule)
        total += len(rule)
    return "".join(rules)


def _script(rng: random.Random, size: int, name: str) -> str:
    data, total = [], 0
    while total < size:
        k = rng.randrange(1_000_000)
        item = {"id": k, "key": f"{name}_{k:06d}", "enabled": bool(k % 2), "weight": k % 97,
                "label": f"Setting {k % 1000} for {name}"}
        data.append(item)
        total += 100
    return f"var {name} = {json.dumps(data, separators=(',', ':'))};"


def _nest(depth: int, inner: str) -> str:
    """``inner`` inside ``depth`` levels of page-builder wrappers (six class names per section)."""
    classes = ("elementor-section elementor-top-section", "elementor-container elementor-column-gap-default",
               "elementor-column elementor-col-100", "elementor-widget-wrap elementor-element-populated",
               "elementor-element elementor-widget elementor-widget-text-editor", "elementor-widget-container")
    opens = "".join(f'<div class="{classes[d % len(classes)]}">' for d in range(depth))
    return opens + inner + "</div>" * depth


def long_table(rng: random.Random, targets: list[tuple[str, str]]) -> str:
    """Each row's first cell links to one of the site's pages (``targets``: (path, title))."""
    rows = []
    for _ in range(rng.randint(150, 500)):
        path = targets[rng.randrange(len(targets))][0]
        rows.append(f'<tr><td><a href="{path}">{rng.choice(STREETS).split()[0]} {rng.choice(SCHOOLS)}</a></td><td>{rng.randint(1, 99)} {rng.choice(STREETS)}</td>'
                    f'<td>{rng.choice(("Autism", "SLCN", "SEMH", "MLD", "PMLD", "HI", "VI"))}</td>'
                    f'<td>{rng.randint(4, 25)}</td><td><a href="tel:01632{rng.randint(100000, 999999)}">01632 '
                    f'{rng.randint(100000, 999999)}</a></td></tr>')
    return ('<table class="table govuk-table"><caption class="govuk-table__caption">Specialist provision in the '
            'area</caption><thead><tr><th scope="col">Setting</th><th scope="col">Address</th><th scope="col">'
            f'Need</th><th scope="col">Places</th><th scope="col">Telephone</th></tr></thead><tbody>{"".join(rows)}'
            '</tbody></table>')


def form(rng: random.Random, prefix: str) -> str:
    fields = []
    for k in range(rng.randint(20, 45)):
        kind = k % 4
        if kind == 0:
            fields.append(f'<div class="form__item"><label for="f{k}">Question {k + 1}</label>'
                          f'<input type="text" id="f{k}" name="f{k}" autocomplete="off"></div>')
        elif kind == 1:
            options = "".join(f'<option value="{o}">Option {o}</option>' for o in range(rng.randint(10, 60)))
            fields.append(f'<div class="form__item"><label for="f{k}">Choose {k + 1}</label>'
                          f'<select id="f{k}" name="f{k}">{options}</select></div>')
        elif kind == 2:
            radios = "".join(f'<div class="radios__item"><input type="radio" id="f{k}-{o}" name="f{k}" value="{o}">'
                             f'<label for="f{k}-{o}">Answer {o}</label></div>' for o in range(5))
            fields.append(f'<fieldset class="fieldset"><legend>How did we do ({k + 1})?</legend>{radios}</fieldset>')
        else:
            fields.append(f'<div class="form__item"><label for="f{k}">Tell us more ({k + 1})</label>'
                          f'<span class="hint" id="f{k}-hint">Do not include personal details.</span>'
                          f'<textarea id="f{k}" name="f{k}" rows="5" aria-describedby="f{k}-hint"></textarea></div>')
    return (f'<form class="xform" action="{prefix}forms/submit" method="post"><input type="hidden" name="token" '
            f'value="{rng.getrandbits(64):016x}">{"".join(fields)}<button type="submit" class="button">Submit'
            '</button></form>')


def directory_record(rng: random.Random, name: str) -> str:
    phone = f"01632 {rng.randint(100000, 999999)}"
    slug = name.lower().replace(" ", "")
    days = "".join(f'<tr><th scope="row">{d}</th><td>{rng.randint(8, 10)}am to {rng.randint(3, 6)}pm</td></tr>'
                   for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))
    return (f'<div class="service-description"><p>A service for children and young people with SEND and their '
            f'families, run by {name}.</p></div>'
            '<section class="field_section service_contact"><h2>Who to contact</h2><dl>'
            f'<dt>Contact Name</dt><dd>Service coordinator</dd><dt>Telephone</dt><dd><a href="tel:{phone.replace(" ", "")}">'
            f'{phone}</a></dd><dt>E-mail</dt><dd><a href="mailto:info@{slug}.example">info@{slug}.example</a></dd>'
            f'<dt>Website</dt><dd>www.{slug}.example</dd></dl></section>'
            '<section class="field_section service_venue"><h2>Where to go</h2><dl><dt>Name</dt><dd>Community Centre</dd>'
            f'<dt>Address</dt><dd>{rng.randint(1, 99)} {rng.choice(STREETS)}</dd><dt>Postcode</dt><dd>FN{rng.randint(1, 9)} '
            f'{rng.randint(1, 9)}AB</dd></dl></section>'
            f'<section class="field_section service_time"><h2>When is it on</h2><table>{days}</table></section>'
            '<section class="field_section service_cost"><h2>Cost</h2><dl><dt>Cost</dt><dd>Free</dd></dl></section>'
            '<section class="field_section service_localoffer"><h2>Local Offer</h2><dl><dt>Age range</dt>'
            '<dd>0 to 25</dd><dt>SEN provision type</dt><dd>Targeted</dd></dl></section>')


def vary(html: str, platform: str, shape: str, rng: random.Random, menu: str, prefix: str, name: str,
         targets: list[tuple[str, str]]) -> str:
    """The classic page ``html`` in ``platform``'s chrome, with ``shape``'s main content.

    The classic page's furniture is replaced at fixed markers (the generator writes them):
    its 25-link menu by the site's mega-menu, a cookie banner after ``<body>``; the shape's
    content goes at the top of ``<main>``."""
    html = html.replace('<ul class="mega-menu">', '<ul class="site-menu">', 1)
    start = html.index('<ul class="site-menu">')
    end = html.index("</ul></nav></header>", start) + len("</ul>")
    html = html[:start] + menu + html[end:]
    head = ""
    if platform == "localgov":
        head = ('<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite",'
                f'"name":"{name} Council"}}]}}</script>')
    if platform == "wordpress" or shape == "heavy":
        head += (f'<style id="theme-inline-css">{_css(rng, rng.randint(15_000, 45_000))}</style>'
                 f'<script id="theme-settings-js">{_script(rng, rng.randint(10_000, 30_000), "themeSettings")}</script>')
    if platform == "outpost":
        head += (f'<script id="__NEXT_DATA__" type="application/json">'
                 f'{_script(rng, rng.randint(30_000, 120_000), "pageProps")}</script>')
    html = html.replace("</head><body>", head + "</head><body>" + cookie_banner(platform, prefix), 1)
    content = ""
    if shape == "long-table":
        content = long_table(rng, targets)
    elif shape == "form":
        content = form(rng, prefix)
    elif shape == "directory-record":
        content = directory_record(rng, f"{name} {rng.choice(SCHOOLS)}")
        # A record page is short: keep the first half of the article's paragraphs.
        main_start = html.index('<main id="main">')
        main_end = html.index("</main>")
        body = html[main_start:main_end]
        cut = body.find("<p>", len(body) // 2)
        if cut > 0:
            html = html[:main_start] + body[:cut] + html[main_end:]
    elif shape == "heavy":
        script = _script(rng, rng.randint(20_000, 60_000), "pageData")
        content = f"<script>{script}</script>"
    h1_end = html.index("</h1>", html.index('<main id="main">')) + len("</h1>")
    html = html[:h1_end] + content + html[h1_end:]
    if shape == "heavy" or platform == "wordpress":
        main_start = html.index('<main id="main">') + len('<main id="main">')
        main_end = html.index("</main>")
        html = html[:main_start] + _nest(rng.randint(30, 45), html[main_start:main_end]) + html[main_end:]
    return html
