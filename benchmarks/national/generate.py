#!/usr/bin/env python3
"""Generate a synthetic national web of SEND Local Offer sites, as static files.

    .venv/bin/python benchmarks/national/generate.py --pages 10000 --out /tmp/lo-audit-bench/web-10000

Deterministic (``--seed``): the same arguments always write the same bytes. Layout::

    <out>/sites/<host>/<path>      one folder per host name, ready for nginx (root <out>/sites/$host)
    <out>/seeds.csv                SPEC seeds format (code,name,local_offer_url,council_url,region,la_type)
    <out>/manifest.json            sizes, hosts and the ground truth: every broken link target

The national web: ``round(153 * pages / 100000)`` councils (at least 1) whose sizes follow
one fixed distribution (log-normal, median ~300 pages, long tail capped at 5,000 pages and
documents per site, the crawler's default budget), rescaled so the total is ``--pages``.
At ``--pages 100000`` that is 153 sites, median a few hundred pages, largest 5,000.

Every page is 40-90 KB with a header, a mega-menu, breadcrumbs, cards, a search form,
a footer and 100+ links: nav and tree links to pages of its own site, random cross links,
~15 links into a shared pool of "external" pages on six hosts (gov.uk-, NHS-,
legislation-like), a few links to the council's main site, occasional document links,
and two links to pages that do not exist (404). ~4% of the shared pool is missing (404)
too. ~75% of pages carry visible dated text ("Last updated: 3 March 2023"), some a
meta ``article:modified_time`` instead. Half the sites publish robots.txt + sitemap.xml.

All host names end in ``.example`` (RFC 2606): nothing here can name a real site.

``generate_single_site`` writes one site for the peer comparison (served straight from
a loopback port, with its "external" pool on other loopback addresses).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import shutil
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from statistics import NormalDist

import shapes

NATIONAL_SITES = 153
NATIONAL_PAGES = 100_000
SITE_CAP = 5000  # pages + documents per site: lo-audit's default --max-pages
SITE_MIN = 12
MEDIAN_PAGES = 300
SIGMA = 1.25  # mean = median * exp(sigma^2 / 2) ~ 650 pages = 100,000 / 153
POOL_HOSTS = ("www.gov.example", "www.nhs.example", "www.legislation.example", "www.ofsted.example",
              "www.ipsea.example", "www.cafamily.example")
SOCIAL_HOST = "www.facebook.example"
POOL_BROKEN_SHARE = 0.04
INTERNAL_BROKEN_SHARE = 0.03
GENERATOR_VERSION = 6  # 5: accessibility flaws per site (template_flaws); 6: --corpus varied
CORPORA = ("classic", "varied")  # varied: several platforms and page shapes (see shapes.py)

SECTIONS = ("education", "health", "social-care", "short-breaks", "preparing-for-adulthood", "ehc-plans",
            "send-support", "transport", "leisure", "money-and-benefits", "early-years", "sendiass")
TOPICS = ("speech-and-language-therapy", "autism-support-service", "sensory-impairment-team", "portage",
          "special-schools", "resourced-provision", "post-16-options", "supported-internships",
          "personal-budgets", "direct-payments", "respite-care", "holiday-clubs", "travel-training",
          "home-to-school-transport", "disability-living-allowance", "carers-assessment",
          "educational-psychology", "occupational-therapy", "mental-health-camhs", "wheelchair-service",
          "continence-service", "annual-reviews", "mediation-and-tribunals", "parent-carer-forum",
          "youth-clubs", "independent-travel", "supported-living", "employment-support")
WORDS = ("child", "young", "people", "families", "support", "service", "needs", "education", "health",
         "care", "plan", "school", "college", "assessment", "provision", "disabilities", "special",
         "local", "offer", "parents", "carers", "information", "advice", "help", "access", "team",
         "therapy", "transition", "adulthood", "independent", "living", "short", "breaks", "funding",
         "eligibility", "referral", "contact", "appointment", "review", "annual", "outcomes", "setting",
         "nursery", "early", "years", "inclusion", "wellbeing", "community", "activities", "transport",
         "the", "and", "to", "of", "for", "with", "your", "can", "if", "you", "we", "will", "or", "be",
         "are", "this", "on", "about", "how", "what", "who", "when", "where", "more")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
REGIONS = ("North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
           "East of England", "London", "South East", "South West")


# ---- sizes ---------------------------------------------------------------------------

def site_count(pages: int) -> int:
    return max(1, round(NATIONAL_SITES * pages / NATIONAL_PAGES))


def site_sizes(pages: int) -> list[int]:
    """Pages per site: stratified quantiles of the fixed distribution, rescaled to ``pages``.

    Largest first. The shape (median/mean ratio, tail) is the same at every scale."""
    n = site_count(pages)
    nd = NormalDist()
    raw = [MEDIAN_PAGES * math.exp(SIGMA * nd.inv_cdf((i + 0.5) / n)) for i in range(n)]
    cap = SITE_CAP * 0.98  # leave room for documents inside the per-site budget
    factor = 1.0
    for _ in range(50):  # rescale the uncapped sites until the total is right
        sizes = [min(cap, max(SITE_MIN, r * factor)) for r in raw]
        total = sum(sizes)
        if abs(total - pages) < 0.5:
            break
        free = sum(s for s in sizes if SITE_MIN < s < cap) or 1
        factor *= 1 + (pages - total) / free
    sizes = [int(round(s)) for s in sizes]
    sizes[-1] += pages - sum(sizes)  # exact total, fix rounding on the largest
    if sizes[-1] > SITE_CAP * 0.98:  # tiny scales: spill onto the others
        spill = sizes[-1] - int(SITE_CAP * 0.98)
        sizes[-1] -= spill
        sizes[0] += spill
    return sorted(sizes, reverse=True)


# ---- text -----------------------------------------------------------------------------

def _paragraphs(rng: random.Random, n: int = 400) -> list[str]:
    out = []
    for _ in range(n):
        sentences = []
        for _ in range(rng.randint(4, 8)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
            words[0] = words[0].capitalize()
            sentences.append(" ".join(words) + ".")
        out.append("<p>" + " ".join(sentences) + "</p>")
    return out


def _title(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _human_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _pdf(mod: date) -> bytes:
    """A small valid one-page PDF with an Info /ModDate."""
    stamp = mod.strftime("D:%Y%m%d120000+00'00'")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        None,
        f"<< /Title (Local Offer leaflet) /ModDate ({stamp}) /Producer (lo-audit benchmark) >>".encode(),
    ]
    stream = b"BT /F1 12 Tf 72 770 Td (Local Offer leaflet) Tj ET"
    objs[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# ---- the shared pool --------------------------------------------------------------------

@dataclass
class Pool:
    """Shared external link targets: ``urls[i]`` is the absolute URL; some are missing."""

    urls: list[str]
    broken: set[str]
    weights: list[float]  # Zipf-like popularity for picking
    host_map: dict[str, str] = field(default_factory=dict)  # host name -> as written in URLs
    used: set[str] = field(default_factory=set)  # URLs some page links to

    def pick(self, rng: random.Random, k: int) -> list[str]:
        got = rng.choices(self.urls, cum_weights=self.weights, k=k)
        self.used.update(got)
        return got


def write_pool(root: Path, size: int, rng: random.Random, host_map: dict[str, str] | None = None) -> Pool:
    """Write the pool's pages under ``root/<host>/`` (folder per host name as written in
    URLs, ``host_map`` renames hosts, e.g. to loopback addresses for the peer run)."""
    host_map = host_map or {}
    urls, broken = [], set()
    for i in range(size):
        host = POOL_HOSTS[i % len(POOL_HOSTS)]
        path = f"/guidance/{TOPICS[i % len(TOPICS)]}-{i}"
        url = f"http://{host_map.get(host, host)}{path}"
        urls.append(url)
        if rng.random() < POOL_BROKEN_SHARE:
            broken.add(url)
            continue
        folder = root / host / path.lstrip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            f"<!DOCTYPE html><html lang=\"en\"><head><title>{_title(TOPICS[i % len(TOPICS)])}</title></head>"
            f"<body><main><h1>{_title(TOPICS[i % len(TOPICS)])}</h1><p>Guidance page {i}.</p></main></body></html>",
            "utf-8")
    cum, total = [], 0.0
    for i in range(size):
        total += 1.0 / (i + 10)
        cum.append(total)
    return Pool(urls, broken, cum, host_map)


# ---- one site ---------------------------------------------------------------------------

@dataclass
class SiteSpec:
    code: str
    name: str
    host: str          # host (and port) as written in URLs
    prefix: str        # "/" for a dedicated site, "/send/" for a council section
    council_host: str  # the council's main site
    pages: int
    seed: int
    lang: bool = True
    sitemap: bool = True
    a11y_flaws: list[str] = field(default_factory=list)  # template_flaws: the accessibility ground truth
    documents: int = 0
    broken: list[str] = field(default_factory=list)
    size_bytes: int = 0
    links: int = 0
    platform: str | None = None  # varied corpus: the site's platform (shapes.PLATFORMS)
    shapes: dict[str, list[str]] = field(default_factory=dict)  # varied: url -> [platform, shape]

    @property
    def seed_url(self) -> str:
        return f"http://{self.host}{self.prefix}"


def page_path(prefix: str, i: int) -> str:
    if i == 0:
        return prefix
    return f"{prefix}{SECTIONS[i % len(SECTIONS)]}/{TOPICS[(i * 7) % len(TOPICS)]}-{i}.html"


# Accessibility flaws of a site's template and how likely each is for the most careless site
# (a site's carelessness is drawn uniformly, so the web ranges from clean to failing everywhere),
# as automated surveys of real sites find them: low-contrast text (from the stylesheet, so only
# a replay with the site's CSS sees it), unlabelled search boxes, icon links with no text,
# images without alt text, zoom turned off.
A11Y_FLAWS = {
    "search_label": 0.7,  # the header's search box has no label (every page)
    "icon_link": 0.6,  # a header icon link with no text (every page)
    "faint_footer": 0.9,  # pale grey footer text from the stylesheet (every page)
    "faint_cards": 0.5,  # pale card descriptions from the stylesheet (pages with cards)
    "card_images": 0.6,  # card images without alt text (pages with cards)
    "zoom_off": 0.3,  # the viewport meta forbids zooming (every page)
}


def template_flaws(seed: int) -> list[str]:
    """A site's accessibility flaws, from a random stream of its own: the rest of the web is
    byte for byte what the same seed gave before flaws were drawn."""
    rng = random.Random(f"a11y-{seed}")
    carelessness = rng.random()
    return [flaw for flaw, likely in A11Y_FLAWS.items() if rng.random() < likely * carelessness]


def write_site(sites_root: Path, spec: SiteSpec, pool: Pool, paras: list[str], folder_host: str | None = None) -> None:
    """Write one site's pages (and the council's few main-site pages) as files."""
    rng = random.Random(spec.seed)
    flaws = spec.a11y_flaws = template_flaws(spec.seed)
    base = sites_root / (folder_host or spec.host)
    n = spec.pages
    spec.documents = max(1, n // 100)
    n_broken = max(2, int(n * INTERNAL_BROKEN_SHARE))
    spec.broken = [f"http://{spec.host}{spec.prefix}archive/old-page-{k}.html" for k in range(n_broken)]
    broken_paths = [f"{spec.prefix}archive/old-page-{k}.html" for k in range(n_broken)]
    docs = [f"{spec.prefix}documents/leaflet-{k}.pdf" for k in range(spec.documents)]
    council = f"http://{spec.council_host}"
    nav = [(page_path(spec.prefix, i), _title(TOPICS[(i * 7) % len(TOPICS)]) if i else "Home")
           for i in range(min(n, 25))]
    nav_html = "".join(f'<li class="nav-item"><a class="nav-link" href="{p}">{t}</a></li>' for p, t in nav)
    footer_links = [(f"{council}/", "Council home"), (f"{council}/contact.html", "Contact us"),
                    (f"{council}/privacy.html", "Privacy notice"), (f"{council}/accessibility.html", "Accessibility statement"),
                    (f"http://{pool.host_map.get(SOCIAL_HOST, SOCIAL_HOST)}/{spec.code.lower()}", "Facebook"),
                    (f"{spec.prefix}feedback.html" if n > 1 else spec.prefix, "You said, we did"),
                    ]
    footer_html = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in footer_links)
    zoom = ", maximum-scale=1, user-scalable=no" if "zoom_off" in flaws else ""
    label = "" if "search_label" in flaws else '<label for="q">Search the Local Offer</label>'
    icon = (f'<a class="icon icon-facebook" href="{footer_links[4][0]}"></a>' if "icon_link" in flaws else "")
    head_tpl = ('<!DOCTYPE html><html{lang}><head><meta charset="utf-8"><title>{title} | {name} SEND Local Offer</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1' + zoom + '">{meta}'
                '<link rel="stylesheet" href="/assets/site.css"></head><body>'
                '<a class="skip-link" href="#main">Skip to main content</a>'
                '<header class="site-header"><a href="{prefix}"><img src="/assets/logo.png"{alt}></a>' + icon +
                '<form action="{prefix}search" method="get" role="search">' + label +
                '<input id="q" name="q" type="search"><button type="submit">Search</button></form>'
                '<nav aria-label="Main"><ul class="mega-menu">' + nav_html + '</ul></nav></header>')
    card_image = '<img src="/assets/logo.png">' if "card_images" in flaws else ""
    start = date(2019, 1, 1)
    span = (date(2026, 9, 30) - start).days
    total_bytes = total_links = 0
    children_per_page = 8
    if spec.platform:  # the varied corpus: one menu for the whole site, drawn from its own generator
        site_pages = [(page_path(spec.prefix, k), _title(TOPICS[(k * 7) % len(TOPICS)])) for k in range(n)]
        menu = shapes.mega_menu(spec.platform, random.Random(spec.seed + 1), site_pages)
    linked_broken: set[str] = set()
    for i in range(n):
        path = page_path(spec.prefix, i)
        topic = TOPICS[(i * 7) % len(TOPICS)]
        title = "Local Offer" if i == 0 else _title(topic)
        updated = start + timedelta(days=rng.randrange(span))
        dated = rng.random()
        meta = f'<meta property="article:modified_time" content="{updated.isoformat()}">' if 0.75 <= dated < 0.85 else ""
        parts = [head_tpl.format(lang=' lang="en"' if spec.lang else "", title=title, name=spec.name, meta=meta,
                                 prefix=spec.prefix, alt=' alt="' + spec.name + ' Council"' if i % 9 else "")]
        crumb = page_path(spec.prefix, (i - 1) // children_per_page) if i else spec.prefix
        parts.append(f'<nav aria-label="Breadcrumb"><ol><li><a href="{spec.prefix}">Local Offer</a></li>'
                     f'<li><a href="{spec.prefix}{SECTIONS[i % len(SECTIONS)]}/">{_title(SECTIONS[i % len(SECTIONS)])}</a></li>'
                     f'<li><a href="{crumb}">Up</a></li></ol></nav>')
        parts.append(f'<main id="main"><h1>{title}</h1>')
        if dated < 0.75:
            parts.append(f'<p class="updated">Last updated: {_human_date(updated)}</p>')
        # Cards: tree children first (every page reachable breadth-first), then cross links.
        targets = [c for c in range(i * children_per_page + 1, i * children_per_page + 1 + children_per_page) if c < n]
        targets += [rng.randrange(n) for _ in range(60)]
        links = 0
        size_goal = rng.randint(40_000, 88_000)
        cards = []
        for t in targets:
            tt = TOPICS[(t * 7) % len(TOPICS)]
            cards.append(f'<li class="card">{card_image}<a href="{page_path(spec.prefix, t)}">{_title(tt)}</a>'
                         f'<p>{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {rng.choice(WORDS)} for families.</p></li>')
        ext = pool.pick(rng, 15)
        ext_html = "".join(f'<li><a href="{u}">{u.rsplit("/", 1)[-1].replace("-", " ")}</a></li>' for u in ext)
        broken = [rng.choice(broken_paths) for _ in range(2)]
        linked_broken.update(broken)
        broken_html = "".join(f'<li><a href="{b}">Archived information</a></li>' for b in broken)
        doc_html = ""
        if docs and rng.random() < 0.3:
            d = rng.choice(docs)
            doc_html = f'<p><a href="{d}">Download the leaflet (PDF, 12 KB)</a></p>'
        links = len(nav) + 3 + len(cards) + len(ext) + len(broken) + len(footer_links) + 1 + (1 if doc_html else 0)
        parts.append('<ul class="cards">' + "".join(cards[:30]) + "</ul>")
        body_size = sum(len(p) for p in parts) + 3000
        paras_html = []
        while body_size < size_goal * 0.8:
            p = rng.choice(paras)
            paras_html.append(p)
            body_size += len(p)
        half = len(paras_html) // 2
        parts.extend(paras_html[:half])
        parts.append('<h2>Related services</h2><ul class="cards">' + "".join(cards[30:]) + "</ul>" + doc_html)
        parts.extend(paras_html[half:])
        parts.append('<h2>National guidance</h2><ul class="external">' + ext_html + broken_html + "</ul>")
        parts.append('<table><caption>Opening times</caption><tr><th scope="col">Day</th><th scope="col">Hours</th></tr>'
                     '<tr><td>Monday to Friday</td><td>9am to 5pm</td></tr></table></main>')
        parts.append('<footer class="site-footer"><ul>' + footer_html + "</ul>"
                     f"<p>&copy; {spec.name} Council</p></footer></body></html>")
        html = "".join(parts)
        if len(html) < 40_000:  # top up (pages with few cards)
            extra = []
            while len(html) + sum(map(len, extra)) < 41_000:
                extra.append(rng.choice(paras))
            html = html.replace("</main>", "".join(extra) + "</main>", 1)
        if spec.platform:  # its own generator, so the classic pages stay as they were
            vrng = random.Random(spec.seed * 7919 + i)
            shape = shapes.shape_of(spec.platform, vrng)
            html = shapes.vary(html, spec.platform, shape, vrng, menu, spec.prefix, spec.name, site_pages)
            spec.shapes[f"http://{spec.host}{path}"] = [spec.platform, shape]
            links = html.count("<a ")
        file = base / (path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/"))
        file.parent.mkdir(parents=True, exist_ok=True)
        data = html.encode("utf-8")
        file.write_bytes(data)
        total_bytes += len(data)
        total_links += links
    # The footer's feedback page, section folders, documents.
    if n > 1:
        (base / spec.prefix.lstrip("/") / "feedback.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><title>You said, we did</title></head><body><main>'
            f'<h1>You said, we did</h1><p>Last updated: {_human_date(date(2025, 6, 1))}</p></main></body></html>', "utf-8")
    if spec.platform:  # the cookie banners' "more info" page
        (base / spec.prefix.lstrip("/") / "cookies.html").write_text(
            '<!DOCTYPE html><html lang="en"><head><title>Cookies</title></head><body><main><h1>Cookies</h1>'
            '</main></body></html>', "utf-8")
    for s in SECTIONS:
        folder = base / spec.prefix.lstrip("/") / s
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            f'<!DOCTYPE html><html lang="en"><head><title>{_title(s)}</title></head><body><main><h1>{_title(s)}</h1>'
            f'<p><a href="{spec.prefix}">Back to the Local Offer</a></p></main></body></html>', "utf-8")
    for k, d in enumerate(docs):
        f = base / d.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(_pdf(start + timedelta(days=(k * 97) % span)))
    # The council's main site (same host for a council section).
    cbase = sites_root / (folder_host if spec.council_host == spec.host and folder_host else spec.council_host)
    cbase.mkdir(parents=True, exist_ok=True)
    for page in ("index.html", "contact.html", "privacy.html", "accessibility.html"):
        if not (cbase / page).exists():
            (cbase / page).write_text(f'<!DOCTYPE html><html lang="en"><head><title>{spec.name} Council</title></head>'
                                      f'<body><main><h1>{spec.name} Council</h1></main></body></html>', "utf-8")
    social = sites_root / SOCIAL_HOST / spec.code.lower()
    social.mkdir(parents=True, exist_ok=True)
    (social / "index.html").write_text("<!DOCTYPE html><html><head><title>Facebook</title></head><body></body></html>")
    if spec.sitemap:
        urls = [f"http://{spec.host}{page_path(spec.prefix, i)}" for i in range(n)]
        lastmod = [(start + timedelta(days=(i * 31) % span)).isoformat() for i in range(n)]
        xml = ['<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        xml += [f"<url><loc>{u}</loc><lastmod>{m}</lastmod></url>" for u, m in zip(urls, lastmod)]
        xml.append("</urlset>")
        (base / "sitemap.xml").write_text("\n".join(xml), "utf-8")
        (base / "robots.txt").write_text(f"User-agent: *\nDisallow: /search\nSitemap: http://{spec.host}/sitemap.xml\n",
                                          "utf-8")
    spec.broken = [f"http://{spec.host}{b}" for b in sorted(linked_broken)]
    assets = base / "assets"  # the stylesheet and logo every page references
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "site.css").write_text("body{font-family:sans-serif;color:#0b0c0c;background:#fff}\n"
                                     + (".site-footer p{color:#a3a3a3}\n" if "faint_footer" in flaws else "")
                                     + (".card p{color:#b5b5b5}\n" if "faint_cards" in flaws else ""))
    (assets / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    spec.size_bytes = total_bytes
    spec.links = total_links


# ---- the national web ------------------------------------------------------------------

def _clean(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)


def web_folder(work: Path, pages: int, corpus: str = "classic") -> Path:
    """Where ``generate_national`` writes a corpus under ``work`` (the classic one where it always did)."""
    return Path(work) / (f"web-{pages}" if corpus == "classic" else f"web-{pages}-{corpus}")


def generate_national(out: Path, pages: int, seed: int = 1, corpus: str = "classic") -> dict:
    """Write the national web for ``pages`` pages; return the manifest (also saved).

    ``corpus="varied"``: the same sites, sizes, links and ground truth, each site on one of
    ``shapes.PLATFORMS`` and each page of one of ``shapes.SHAPES``, recorded in ``shapes.json``."""
    out = Path(out)
    manifest_file = out / "manifest.json"
    if manifest_file.exists():
        m = json.loads(manifest_file.read_text())
        if (m.get("pages") == pages and m.get("seed") == seed and m.get("version") == GENERATOR_VERSION
                and m.get("corpus", "classic") == corpus):
            return m  # already generated, deterministic
    _clean(out)
    sites_root = out / "sites"
    rng = random.Random(seed)
    paras = _paragraphs(rng)
    pool = write_pool(sites_root, max(300, pages // 20), rng)
    sizes = site_sizes(pages)
    specs = []
    for k, size in enumerate(sizes):
        code = f"E{('06', '08', '09', '10')[k % 4]}{k + 1:06d}"
        name = f"Synthshire {k + 1:03d}"
        council_host = f"www.council{k + 1:03d}.example"
        if k % 5 in (0, 2):  # dedicated Local Offer site on its own host
            host, prefix = f"localoffer.council{k + 1:03d}.example", "/"
        else:  # a section of the council's main site
            host, prefix = council_host, "/send-local-offer/"
        spec = SiteSpec(code, name, host, prefix, council_host, size, seed * 100_003 + k,
                        lang=k % 7 != 3, sitemap=k % 2 == 0,
                        platform=shapes.platform_of(k) if corpus == "varied" else None)
        write_site(sites_root, spec, pool, paras)
        specs.append(spec)
    with open(out / "seeds.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "local_offer_url", "council_url", "region", "la_type"])
        for k, s in enumerate(specs):
            w.writerow([s.code, s.name, s.seed_url, f"http://{s.council_host}/", REGIONS[k % len(REGIONS)],
                        ("UA", "MD", "LB", "CC")[k % 4]])
    manifest = _manifest(pages, seed, specs, pool)
    if corpus != "classic":
        manifest["corpus"] = corpus
        (out / "shapes.json").write_text(json.dumps({u: ps for s in specs for u, ps in s.shapes.items()}))
    manifest_file.write_text(json.dumps(manifest, indent=1))
    return manifest


def _manifest(pages: int, seed: int, specs: list[SiteSpec], pool: Pool) -> dict:
    sizes = [s.pages for s in specs]
    return {
        "version": GENERATOR_VERSION, "pages": pages, "seed": seed, "sites": len(specs),
        "median_site_pages": statistics.median(sizes), "largest_site_pages": max(sizes),
        "html_bytes": sum(s.size_bytes for s in specs), "links": sum(s.links for s in specs),
        "documents": sum(s.documents for s in specs), "pool_size": len(pool.urls),
        "pool_hosts": sorted({u.split("/")[2] for u in pool.urls}),
        # ground truth: broken targets that some page actually links to
        "broken": sorted((pool.broken & pool.used) | {b for s in specs for b in s.broken}),
        "site_list": [{"code": s.code, "host": s.host, "seed_url": s.seed_url, "pages": s.pages,
                       "documents": s.documents, "html_bytes": s.size_bytes, "a11y_flaws": s.a11y_flaws}
                      for s in specs],
    }


def generate_single_site(out: Path, pages: int, site_host: str, pool_host_map: dict[str, str],
                         seed: int = 7) -> dict:
    """One site for the peer comparison: ``<out>/site/`` is the site's root folder,
    ``<out>/pool/<pool host>/`` the external pages (each served on its own loopback address),
    ``pool_host_map`` maps the pool's host names to the ``addr:port`` written in links."""
    out = Path(out)
    key = {"pages": pages, "site_host": site_host, "pool": pool_host_map, "seed": seed, "version": GENERATOR_VERSION}
    manifest_file = out / "manifest.json"
    if manifest_file.exists():
        m = json.loads(manifest_file.read_text())
        if m.get("key") == key:
            return m
    _clean(out)
    rng = random.Random(seed)
    paras = _paragraphs(rng)
    pool = write_pool(out / "pool", max(300, pages // 4), rng, pool_host_map)
    spec = SiteSpec("E06999999", "Peershire", site_host, "/", site_host, pages, seed, sitemap=False)
    tmp = out / "tmp"
    write_site(tmp, spec, pool, paras, folder_host="site")
    (tmp / "site").rename(out / "site")
    shutil.rmtree(tmp)  # the council main-site and social pages: unused here
    # Links to the council main site point at the site itself (same host): give them files.
    m = _manifest(pages, seed, [spec], pool)
    m["key"] = key
    # The footer's Facebook page is not served here: a 404 for every tool alike.
    m["broken"] = sorted(set(m["broken"]) | {f"http://{pool_host_map.get(SOCIAL_HOST, SOCIAL_HOST)}/{spec.code.lower()}"})
    manifest_file.write_text(json.dumps(m, indent=1))
    return m


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=10_000, help="total pages over all sites (default 10000)")
    ap.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", choices=CORPORA, default="classic",
                    help="classic: one page shape (the figures before issue 25); varied: platforms and shapes")
    ap.add_argument("--sizes-only", action="store_true", help="print the site size distribution and stop")
    args = ap.parse_args(argv)
    if args.sizes_only:
        s = site_sizes(args.pages)
        print(f"{len(s)} sites, total {sum(s)}, median {statistics.median(s)}, largest {max(s)}, smallest {min(s)}")
        return
    m = generate_national(args.out, args.pages, args.seed, args.corpus)
    print(f"{m['sites']} sites, {m['pages']} pages, median {m['median_site_pages']}, largest {m['largest_site_pages']}, "
          f"{m['html_bytes'] / m['pages'] / 1024:.1f} KB/page, {m['links'] / m['pages']:.0f} links/page, "
          f"{len(m['broken'])} broken targets -> {args.out}")


if __name__ == "__main__":
    main()
