"""Is a page a single directory record? Decided structurally, per page and then per site.

A directory record is one service, group, club, provider or setting, shown on its own page
with labelled fields ("Who to contact", "Where to go", "Who is it for", "Cost", "Age range",
"Referral" ...). The platforms councils use each have their own record template:

- Open Objects / Idox kb5: ``…/service.page?id=…`` and ``organisation.page`` records with
  ``field_section`` blocks (``service_venue`` …) of ``<dt>``/``<dd>`` pairs under ``<h2>``
  headings ("Who to contact", "Where to go", "Local Offer"); ``advice.page`` is usually an
  article, so it is a record only when it has a record's fields (not just a contact block);
- Outpost / Scout: ``/services/<id>`` with crossheads ("Fees", "Days and times", "Contact");
- LocalGov Drupal Directories: a ``localgov_directories_page`` / ``_venue`` / ``_org`` node
  (body class ``page-node-type-localgov-directories-…``) with ``field__label`` fields in an
  "Enquiries" fieldset;
- Jadu Directories: ``/directory-record/<id>/<slug>`` with a ``dl.list--definition``;
- Placecube / Liferay: ``/-/`` display URLs; WordPress listing plugins: a ``single-<listing
  post type>`` body class (GeoDirectory ``gd_place``, Business Directory ``wpbdp_listing``,
  Directorist ``at_biz_dir``, listing themes ``job_listing`` / ``listing``);
- schema.org ``Service`` / ``Organization`` / ``LocalBusiness`` (JSON-LD or microdata) whose
  name is the page's own ``<h1>`` (a site-wide ``Organization`` for the council is not);
- otherwise the generic fallback: at least ``MIN_TEMPLATE_PAGES`` in-scope pages sharing one
  template of short labelled fields, including at least one a family needs to decide
  (who it is for, cost, how to get it).

A page listing many items (a category page, search results, an A-Z) is never a record,
whatever its URL: its labels repeat, its headings are links, or it says what it is.

Cost: ``page_signature`` first runs ``_cheap_test`` (the URL, the body's start tag, the
page's cached headings and two substring searches of the markup, ~50 µs on a 40-90 KB page);
only pages that pass it have their labelled fields read (benchmarks/directory_accuracy.py).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Mapping

from audit.core.page import FURNITURE_TAGS, Page, inside, jsonld_objects, squash

# --- field labels -----------------------------------------------------------------------

# Canonical kinds of labelled field, tried in order on a label's text (lower case, trailing
# ":" / "?" removed). Labels are short; the patterns are anchored so that prose is not read
# as a label ("contact us to find out more" is a sentence, "Contact" a label).
_LABEL_PATTERNS = (
    ("eligibility", r"who (?:is|are) (?:it|this|the service|this service|they|the group) for|who can (?:use|attend|apply|access|get|join)"
                    r"|^eligib|^age(?:s|d)?\b|age (?:range|group|band)s?$|^suitable for|^target audience|^send needs|needs (?:met|supported)"
                    r"|^criteria|who we (?:help|support|work with)|^local offer age"),
    ("cost", r"^costs?\b|^fees?\b|^prices?\b|^charges?\b|what (?:does it|it) costs?|^funding\b|is there a (?:cost|charge)|table of costs"),
    ("access", r"referr|how to (?:access|apply|get|book|refer|join|use)|^booking|^access(?:ing)? (?:the )?service|^how (?:can|do) i (?:access|get|join|apply)"),
    ("when", r"when is it on|^opening (?:times|hours)|^session (?:times|information)|^days and times|^times?$|^when\b|^hours$|^date and time"),
    ("contact", r"who to contact|^contact\b|^contacts$|^telephone|^phone|^tel\b|^e-?mail|^enquiries$|^mobile"),
    ("location", r"where to go|^address|^venue|^location|^postcode|^areas? (?:served|covered)|^where\b"),
    ("website", r"^website|^web ?site|^web$|visit (?:our |the )?website|^links?$"),
)
_LABEL_RES = tuple((kind, re.compile(pattern)) for kind, pattern in _LABEL_PATTERNS)
SERVICE_KINDS = frozenset({"eligibility", "cost", "access"})  # what a contact-us page never has
_LABEL_MAX = 48  # characters: longer text is a sentence, not a label
_FIELD_VALUE_MAX = 400  # a field's value; prose under a heading is longer
# Elements that carry labels on the platforms above.
_LABEL_SELECTOR = ("dt, th, h2, h3, h4, legend, .field__label, .list--definition__heading, .label, "
                   ".field-label, strong, b")
_SKIP_TAGS = FURNITURE_TAGS + ("form",)
MIN_TEMPLATE_PAGES = 3  # the generic fallback: pages sharing one template


def label_kind(text: str) -> str | None:
    """The canonical kind of a field label ("Who to contact" -> "contact"), or None."""
    t = squash(text).lower().rstrip(":?* ").strip()
    if not t or len(t) > _LABEL_MAX:
        return None
    for kind, pattern in _LABEL_RES:
        if pattern.search(t):
            return kind
    return None


@dataclass(frozen=True)
class Label:
    kind: str
    text: str  # the label as written
    value: str  # the field's text, whitespace collapsed ("" when empty)
    tag: str  # dt, th, h2, field__label ...
    container: str  # tag.class of the block holding it: the template it belongs to


def _next_element(node):
    sibling = node.next
    while sibling is not None and (not sibling.tag or sibling.tag.startswith("-")):
        sibling = sibling.next
    return sibling


_HEADING_RANK = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6, "legend": 2}


def _value_of(node, tag: str, text: str) -> str:
    """The field's value: the dd after a dt, the td after a th, the item after a Drupal
    field label, the blocks after a heading (until the next heading as high), the rest of
    the paragraph after a bold "Cost:"."""
    if tag in ("dt", "th") or tag == "label-class":
        sibling = _next_element(node)
        return squash(sibling.text(separator=" ")) if sibling is not None else ""
    if tag in _HEADING_RANK:
        if tag == "legend" and node.parent is not None:
            whole = squash(node.parent.text_lexbor())
            return whole[len(text):].strip() if whole.startswith(text) else whole
        rank, parts, size = _HEADING_RANK[tag], [], 0
        sibling = _next_element(node)
        while sibling is not None and size <= _FIELD_VALUE_MAX * 2:
            if _HEADING_RANK.get(sibling.tag, 99) <= rank:
                break
            part = squash(sibling.text(separator=" "))
            parts.append(part)
            size += len(part)
            sibling = _next_element(sibling)
        return " ".join(p for p in parts if p)
    # strong / b: "<p><strong>Cost:</strong> Free</p>"
    parent = node.parent
    if parent is not None:
        whole = squash(parent.text_lexbor())
        if whole.startswith(text) and len(whole) > len(text):
            return whole[len(text):].lstrip(" :-\u2013")
    sibling = _next_element(node)
    return squash(sibling.text_lexbor()) if sibling is not None else ""


def _container(node) -> str:
    """tag.class of the nearest block with a class around a label: the template's field list."""
    parent, hops = node.parent, 0
    while parent is not None and hops < 4:
        cls = (parent.attributes.get("class") or "").split()
        if cls and parent.tag not in ("strong", "b", "span", "p"):
            return f"{parent.tag}.{cls[0]}"
        parent, hops = parent.parent, hops + 1
    return node.parent.tag if node.parent is not None else ""


def record_root(page: Page):
    """The element holding the page's own content: <main>/role=main, else #content, else <body>."""
    tree = page.tree
    return tree.css_first("main, [role=main]") or tree.css_first("#content, #main-content, .main-content") or tree.body


def labels(page: Page) -> tuple[Label, ...]:
    """Every labelled field in the page's own content (not its furniture, sidebars or forms),
    in document order. Kept while the page's tree is (recognition and reading share it)."""
    return page.derived("directory_labels", _labels, transient=True)


def _labels(page: Page) -> tuple[Label, ...]:
    root = record_root(page)
    if root is None:
        return ()
    out = []
    for node in root.css(_LABEL_SELECTOR):
        text = squash(node.text_lexbor())
        if not text or len(text) > _LABEL_MAX:
            continue
        kind = label_kind(text)
        if kind is None or inside(node, _SKIP_TAGS):
            continue
        tag = node.tag if node.tag in ("dt", "th", "strong", "b") or node.tag in _HEADING_RANK else "label-class"
        if tag in ("strong", "b") and node.parent is not None and node.parent.tag in _HEADING_RANK:
            continue  # a bold word inside a heading: the heading is the label
        out.append(Label(kind, text, _value_of(node, tag, text), tag, _container(node)))
    return tuple(out)


# --- schema.org -----------------------------------------------------------------------------

SCHEMA_TYPES = frozenset({"service", "governmentservice", "organization", "localbusiness", "childcare",
                          "ngo", "educationalorganization", "school", "preschool", "medicalorganization",
                          "sportsorganization", "place", "civicstructure", "socialservice"})


def _type_names(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)]


def schema_entity(page: Page) -> str | None:
    """The schema.org type (lower case) of an entity in JSON-LD or microdata whose name is the
    page's <h1>: the record the page is about. A site-wide ``Organization`` naming the council
    on every page has another name, so it is not taken."""
    h1 = page.h1.lower()
    if not h1:
        return None
    html = page.html
    if "ld+json" in html:
        for item in jsonld_objects(page, ("@graph", "mainEntity", "itemListElement")):
            types = [t for t in _type_names(item.get("@type")) if t in SCHEMA_TYPES]
            name = item.get("name")
            if types and isinstance(name, str) and squash(name).lower() == h1:
                return types[0]
    if "itemtype" in html:
        for node in page.tree.css("[itemscope][itemtype]"):
            types = [t for t in _type_names((node.attributes.get("itemtype") or "").split()) if t in SCHEMA_TYPES]
            if not types:
                continue
            name = node.css_first('[itemprop="name"]')
            if name is not None and squash(name.text_lexbor()).lower() == h1:
                return types[0]
    return None


# --- platforms ------------------------------------------------------------------------------

_URL_PLATFORMS = (
    ("kb5", re.compile(r"/kb5/[^?#]*/(?:service|organisation)\.page\b", re.IGNORECASE)),
    ("kb5-advice", re.compile(r"/kb5/[^?#]*/advice\.page\b", re.IGNORECASE)),
    ("outpost", re.compile(r"/services?/\d+(?:[/?#]|$)", re.IGNORECASE)),
    ("jadu", re.compile(r"/directory[-_]record/\d+", re.IGNORECASE)),
    ("placecube", re.compile(r"/-/(?:directory|service|services|record|asset_publisher|listing)/", re.IGNORECASE)),
)
_BODY_PLATFORMS = (
    ("localgov", re.compile(r"\bpage-node-type-localgov-directories-(?:page|venue|org)\b")),
    ("wordpress", re.compile(r"\bsingle-(?:gd_place|wpbdp_listing|at_biz_dir|job_listing|listing|directory|service|provider)\b")),
)
# Platforms whose record template is certain from the URL or body class alone: one labelled
# field is enough (a sparse record is still a record: it is then reported incomplete).
_PLATFORM_RECORDS = frozenset({"kb5", "outpost", "jadu", "placecube", "localgov", "wordpress"})


def _body_tag(html: str) -> str:
    """The page's ``<body ...>`` start tag as written: a search of the markup up to it, a
    hundred times cheaper than Lexbor's ``body`` (which walks the document)."""
    start = html.find("<body")
    return html[start:html.find(">", start) + 1] if start >= 0 else ""


def _platform(page: Page) -> str:
    for name, pattern in _URL_PLATFORMS:
        if pattern.search(page.url):
            return name
    body = _body_tag(page.html)
    for name, pattern in _BODY_PLATFORMS:
        if pattern.search(body):
            return name
    return ""


# --- listings -------------------------------------------------------------------------------

_LISTING_TITLE = re.compile(r"search results|results for\b|\bresults? \(\d|^a ?(?:-|to|–) ?z\b|\ba ?(?:-|to|–) ?z of\b"
                            r"|showing \d+\s*(?:-|to|–)\s*\d+ of|\d+ results?\b", re.IGNORECASE)
_LISTING_REPEAT = 4  # the same label text this often: one per listed item


def _listing(page: Page, root, found: tuple[Label, ...]) -> str:
    """Why the page lists many items, or "" (see the module docstring)."""
    for text in (page.h1, page.title):
        if _LISTING_TITLE.search(text):
            return f"title says it lists: {text[:80]}"
    counts = Counter(label.text.lower().rstrip(": ") for label in found)
    if counts:
        text, n = counts.most_common(1)[0]
        if n >= _LISTING_REPEAT:
            return f"label '{text}' repeated {n} times"
    linked_headings = sum(1 for node in root.css("h2 > a, h3 > a, h4 > a") if not inside(node, _SKIP_TAGS))
    if linked_headings >= 4:
        return f"{linked_headings} headings are links to other pages"
    letters = sum(1 for link in page.links if len(link.text) == 1 and link.text.isalpha())
    if letters >= 10:
        return f"A-Z index ({letters} letter links)"
    return ""


# --- per page ---------------------------------------------------------------------------------

def _cheap_test(page: Page) -> str | None:
    """Could the page be a record? The platform hint ("" for generic), or None. Reads only the
    URL, the body's start tag, the headings other checks have already read, and searches the
    markup for a definition list or a table of row headers (``scope="row"``: a table of column
    headers, such as opening times, is not a record's fields). Each search of a 45 KB page
    costs ~20 µs, so there are two. A record shows its fields, so one marked up with schema.org
    still has a labelled heading, list or table: schema.org is read only for candidates."""
    platform = _platform(page)
    if platform:
        return platform
    if any(label_kind(text) for _, text in page.headings):
        return ""
    html = page.html
    if "<dt" in html or 'scope="row"' in html:
        return ""
    return None


@dataclass(frozen=True)
class RecordSignals:
    """What ``decide`` needs of one candidate page; small, kept for the whole site."""
    platform: str  # kb5 | kb5-advice | outpost | jadu | placecube | localgov | wordpress | schema | ""
    kinds: frozenset[str]  # kinds of labelled field found
    field_kinds: frozenset[str]  # kinds whose value is short (a field, not a section of prose)
    template: str  # the container most of its labels sit in (tag.class)
    listing: str  # why it is a listing, "" when it is not

    @property
    def verdict(self) -> str:
        """"record", "maybe" (a generic candidate: a record if its template repeats) or "no"."""
        if self.listing:
            return "no"
        core = self.kinds - {"website"}
        if self.platform in _PLATFORM_RECORDS or self.platform == "schema":
            return "record" if core else "no"
        if self.platform == "kb5-advice":
            return "record" if core & SERVICE_KINDS and core & {"contact", "location"} else "no"
        fields = self.field_kinds - {"website"}
        return "maybe" if len(fields) >= 2 and fields & SERVICE_KINDS else "no"


def page_signature(page: Page) -> RecordSignals | None:
    """The page's record signals while its tree is held; None when it fails the cheap test
    (then nothing more was read)."""
    platform = _cheap_test(page)
    if platform is None:
        return None
    found = labels(page)
    if not platform and not found:
        return None
    if not platform and schema_entity(page):
        platform = "schema"
    root = record_root(page)
    listing = _listing(page, root, found) if root is not None else ""
    containers = Counter(label.container for label in found)
    return RecordSignals(
        platform=platform,
        kinds=frozenset(label.kind for label in found),
        field_kinds=frozenset(label.kind for label in found if 0 < len(label.value) <= _FIELD_VALUE_MAX),
        template=containers.most_common(1)[0][0] if containers else "",
        listing=listing,
    )


def decide(signals_by_url: Mapping[str, RecordSignals | None]) -> set[str]:
    """The URLs of a site's directory records: pages whose platform or schema.org markup says
    so, and generic candidates whose template (see ``RecordSignals.template``) at least
    ``MIN_TEMPLATE_PAGES`` pages share, with a field a family needs among them."""
    records: set[str] = set()
    groups: dict[str, list[tuple[str, RecordSignals]]] = defaultdict(list)
    for url, signals in signals_by_url.items():
        if signals is None:
            continue
        verdict = signals.verdict
        if verdict == "record":
            records.add(url)
        if verdict != "no" and signals.template:
            groups[signals.template].append((url, signals))
    for members in groups.values():
        if len(members) < MIN_TEMPLATE_PAGES:
            continue
        kinds = frozenset().union(*(s.field_kinds for _, s in members)) - {"website"}
        if kinds & SERVICE_KINDS and len(kinds) >= 3:
            records.update(url for url, s in members if s.verdict == "maybe")
    return records


__all__ = ["Label", "RecordSignals", "MIN_TEMPLATE_PAGES", "SERVICE_KINDS", "decide", "label_kind", "labels",
           "page_signature", "record_root", "schema_entity"]
