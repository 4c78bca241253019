"""Statutory content coverage: the 16 items of ``reference/statutory_items.md``.

An item is found only when an in-scope page is *about* it:

- the page ``<title>`` or ``<h1>`` names the topic, or
- a heading (h2-h6, outside nav/header/footer/aside) names the topic *and* is followed by
  a substantial section: at least ``MIN_SECTION_WORDS`` words of text before the next
  heading of the same or a higher level.

Not enough: a footer or menu link ("Complaints", "Contact us") repeated on every page, a
home-page tile whose heading is just a link to another page (the linked page itself is
checked when it was crawled), or a passing mention in a paragraph.

Some items also need *context* (a second pattern found in the page's own text, or in the
section's text for heading matches), because their headline words are generic:

- ``complaints_redress`` must be SEND-specific: a heading/title naming mediation,
  disagreement resolution or the (SEND) Tribunal counts on its own; a plain "Complaints"
  heading counts only when the page or section talks about SEND redress (mediation,
  tribunal, EHC plans, SENDIASS, special educational needs). The council's generic
  complaints page (council tax, bins) is not the SEND complaints information.
- ``feedback_published`` needs evidence of the *response* ("you said, we did", "we
  changed", "our response", an annual report), so a "Give us feedback" form is not it.
- ``contact`` needs an email address or a phone number in the section/page.
- ``accessibility_strategy`` must be the *schools* accessibility strategy, never the
  website's accessibility statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from audit.check import Check, Column, Dimension, Table
from audit.core.page import Page, squash
from audit.core.wording import as_int

MIN_SECTION_WORDS = 30


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    basis: str  # statutory basis
    phrases: tuple[str, ...]  # typical evidence wording (documentation)
    topic: re.Pattern  # matched against titles and headings
    context: re.Pattern | None = None  # must also appear in the page/section text
    exclude: re.Pattern | None = None  # a heading/title matching this is never the item
    min_words: int = 0  # section length needed (0: MIN_SECTION_WORDS)


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


_SEND_REDRESS = _rx(r"mediation|tribunal|disagreement|special educational|(?-i:\bSENDI?A?S*\b|\bSEN\b|\bEHC)")

ITEMS: tuple[Item, ...] = (
    Item("education_provision", "SEN provision in early years settings, schools and colleges",
         "SEND Regs 2014 Sch 2 para 1, 3", ("SEN support in schools", "special schools", "resourced provision"),
         _rx(r"\bschools?\b|\bcolleges?\b|early years|nurser(?:y|ies)|education(?:al)? provision|"
             r"resourced provision|specialist (?:provision|resource)|\bsettings?\b|ordinarily available"),
         context=_rx(r"special educational|(?-i:\bSEN\b|\bSEND\b|\bEHC)|disabilit|additional needs|SENCO|"
                     r"resourced provision|specialist")),
    Item("out_of_area_provision", "Provision outside the area (independent and non-maintained special schools)",
         "SEND Regs 2014 Sch 2 para 1(d), 2", ("independent special schools", "non-maintained", "out of area",
                                              "Section 41 list"),
         _rx(r"independent (?:special )?(?:schools?|colleges?|specialist)|non[- ]maintained|out[- ]of[- ](?:area|county|borough)|"
             r"section 41|specialist (?:post-16 institutions?|colleges?)|outside (?:the|our) (?:area|county|borough)")),
    Item("identification_assessment", "Identifying and assessing SEN, incl. requesting an EHC needs assessment",
         "SEND Regs 2014 Sch 2 para 4; CoP 4.32", ("request an EHC needs assessment", "EHCP", "graduated approach",
                                                    "SEN support"),
         _rx(r"\bEHC\s*(?:P|plans?|needs assessment)|education,? health and care|needs assessment|"
             r"graduated approach|\bSEN support\b|identif(?:y|ying|ication) (?:of )?(?:special|SEN|needs)|"
             r"assess(?:ing|ment) (?:of )?(?:special|SEN|needs)")),
    Item("health_provision", "Health services: therapies, CAMHS, community paediatrics",
         "CFA 2014 s30(2); SEND Regs 2014 Sch 2 para 1", ("speech and language therapy", "CAMHS", "occupational therapy"),
         _rx(r"\bhealth\b(?!,? and (?:social )?care)|therap(?:y|ies|ists?)|\bCAMHS\b|paediatric|mental health|\bNHS\b|physiotherapy|"
             r"continuing care|neurodevelopment|autism assessment")),
    Item("social_care_provision", "Social care for disabled children, incl. short breaks",
         "CFA 2014 s30(2); SEND Regs 2014 Sch 2 para 1; Breaks for Carers Regs 2011", ("short breaks",
                                                                                      "short breaks statement"),
         _rx(r"short breaks?|social care|(?:children|young people) with disabilities team|disabled children'?s team|"
             r"children'?s disability|respite")),
    Item("travel_transport", "Travel assistance to schools, post-16 and early years",
         "CFA 2014 s30(2)(b)(d); Education Act 1996 s508B, s509AA", ("home to school transport", "travel assistance",
                                                                     "travel training"),
         _rx(r"transport|travel (?:assistance|training|support|pass)|getting to (?:school|college)|"
             r"independent travel")),
    Item("preparing_for_adulthood", "Preparing for adulthood, 16-25 and moving between phases",
         "CFA 2014 s30(2)(e)-(f); CoP 4.32, ch.8", ("preparing for adulthood", "post-16", "16 to 25"),
         _rx(r"prepar(?:ing|ation) for adult(?:hood|\s+life)|\bPfA\b|\b1[46]\s*(?:-|\u2013|to)\s*25\b|post[- ]?16|"
             r"transition(?:ing)? (?:in)?to adult|moving (?:in)?to adult(?:hood| services)|adult services")),
    Item("training_employment", "Apprenticeships, traineeships, supported internships, post-16 training",
         "CFA 2014 s30(2)(e); SEND Regs 2014 Sch 2 para 12", ("supported internships", "apprenticeships"),
         _rx(r"supported internships?|apprenticeships?|traineeships?|employment|\b(?:finding|getting) (?:a )?jobs?\b|"
             r"\bjobs and\b|\bwork (?:and|&|experience)|\binto work\b|"
             r"training (?:and|&) (?:employment|work)|project search|supported employment")),
    Item("information_advice", "Information, advice and support: SENDIASS, parent carer forum, support groups",
         "CFA 2014 s32; SEND Regs 2014 Sch 2 para 15", ("SENDIASS", "information, advice and support service",
                                                        "parent carer forum"),
         _rx(r"SENDIASS|\bIASS\b|information,? advice and support|parent carer forum|\bPCF\b|support groups?|"
             # A page about a "Parent Partnership Service" covers the item (the service became the
             # SENDIASS, same people and number) under its pre-2014 name, which legal.py flags as out
             # of date: each dimension measures one thing (see legal.py's docstring).
             r"advice and support|parent partnership")),
    Item("childcare", "Childcare, including for disabled children",
         "CFA 2014 s30(2); SEND Regs 2014 Sch 2 para 1(a)", ("childcare", "funded childcare", "inclusion fund"),
         _rx(r"child\s?care|childminders?|inclusion fund|funded (?:early education|hours|places)|"
             r"free early education|early education funding")),
    Item("leisure", "Leisure activities",
         "CFA 2014 s30(2); SEND Regs 2014 Sch 2 para 1", ("leisure", "activities", "clubs", "holiday activities"),
         _rx(r"leisure|activities|\bclubs?\b|things to do|holiday (?:activities|schemes?|clubs)|\bHAF\b|sports?\b|"
             r"days out|play schemes?")),
    Item("complaints_redress", "Complaints, disagreement resolution, mediation, SEND Tribunal appeals",
         "SEND Regs 2014 Sch 2 para 17; CoP ch.11", ("mediation", "disagreement resolution", "tribunal",
                                                     "complaints (SEND-specific)"),
         _rx(r"mediation|disagree(?:ment|ments|ing)?\b|tribunal|appeals?\b|things go wrong|complain(?:ts?|ing)|resolving (?:disputes|disagreements)|"
             r"redress"),
         context=_SEND_REDRESS),
    Item("personal_budgets", "Personal budgets and direct payments",
         "CFA 2014 s49; SEND (Personal Budgets) Regs 2014; CoP ch.9", ("personal budget", "direct payments"),
         _rx(r"personal budgets?|direct payments?|personal health budgets?")),
    Item("accessibility_strategy", "The authority's accessibility strategy for schools",
         "Equality Act 2010 Sch 10 para 1; SEND Regs 2014 Sch 2 para 5", ("accessibility strategy",),
         _rx(r"accessibility strateg(?:y|ies)|accessibility plans?"),
         exclude=_rx(r"accessibility statement")),
    Item("feedback_published", "Comments on the Local Offer and the authority's response, published",
         "SEND Regs 2014 reg 56", ("You said, we did", "Local Offer annual report", "feedback on the Local Offer"),
         _rx(r"you said,?\s*(?:we did|we listened)|local offer (?:annual )?(?:report|review)|"
             r"(?:feedback|comments) (?:on|about) (?:the|our) local offer|what (?:you|families|parents) told us|"
             r"local offer feedback|annual report"),
         context=_rx(r"we did|we have|we've|we will|we changed|we made|our response|in response|we listened|"
                     r"as a result|action(?:s)? (?:taken|we)|annual report|report"),
         exclude=_rx(r"^(?:give|leave|send|share)\b|\bgive us\b|tell us what you think|have your say|feedback form")),
    Item("contact", "A named or direct contact for Local Offer help",
         "CoP 4.59 (good practice; CSDG)", ("contact the Local Offer team", "email/phone for the Local Offer"),
         _rx(r"^contact(?: us| details)?\b|contact (?:the |our |your )?(?:local offer|SEND|SEN|us)\b|"
             r"get in touch|talk to us|speak to (?:us|someone)|^contacts?$"),
         min_words=5,
         context=_rx(r"[\w.+-]+@[\w-]+\.[\w.]+|\b0\d{3}\s?\d{3}\s?\d{4}\b|\b0\d{2,4}\s?\d{3,4}\s?\d{3,4}\b")),
)
ITEM_IDS = tuple(i.id for i in ITEMS)

SCHED2 = "SEND Regulations 2014 Schedule 2; Code of Practice ch. 4"
# How the published pages describe each item, and its basis in law: longer than ``Item.label``
# (used in findings), in the words of reference/statutory_items.md.
PUBLISHED_WORDING: dict[str, tuple[str, str]] = {
    "education_provision": ("SEN provision in early years settings, schools and colleges in the area", SCHED2),
    "out_of_area_provision": ("Provision outside the area the council expects to use (independent and "
     "non-maintained special schools, specialist colleges)", SCHED2),
    "identification_assessment": ("How special educational needs are identified and assessed, including "
     "requesting an EHC needs assessment and its criteria", SCHED2),
    "health_provision": ("Health services: therapies (speech and language, OT, physio), CAMHS, community "
     "paediatrics, continuing care", SCHED2),
    "social_care_provision": ("Social care for disabled children and young people, including short breaks "
     "and the short breaks statement", SCHED2),
    "travel_transport": ("Travel assistance to and from schools, post-16 institutions and early years settings",
     SCHED2),
    "preparing_for_adulthood": ("Moving between phases and preparing for adulthood (employment, independent "
     "living, community, health), 16-25", SCHED2 + "; Code of Practice ch. 8"),
    "training_employment": ("Apprenticeships, traineeships, supported internships and post-16 training", SCHED2),
    "information_advice": ("Sources of information, advice and support: SENDIASS, parent carer forum, "
     "support groups", SCHED2),
    "childcare": ("Childcare, including for disabled children", SCHED2),
    "leisure": ("Leisure activities", SCHED2),
    "complaints_redress": ("Complaints, disagreement resolution, mediation and appeals to the SEND Tribunal",
     SCHED2),
    "personal_budgets": ("Personal budgets and direct payments policy", SCHED2),
    "accessibility_strategy": ("The council's accessibility strategy for schools", SCHED2),
    "feedback_published": ("Comments on the Local Offer and the council's response, published",
     "SEND Regulations 2014 reg. 56; Code of Practice ch. 4"),
    "contact": ("A named or direct contact for Local Offer help",
     "SEND Regulations 2014 reg. 53-55; Code of Practice ch. 4"),
}
assert set(PUBLISHED_WORDING) == set(ITEM_IDS), "every statutory item needs its published wording"


@lru_cache(maxsize=1 << 14)
def _topics_named(text: str) -> int:
    """Bit i set when ITEMS[i]'s topic matches ``text`` (a title or heading). Cached: a
    site's pages repeat most of their headings ("Related services", "Contact us"), and
    sixteen case-insensitive topic searches cost ~0.1 ms a page."""
    mask = 0
    for bit, item in enumerate(ITEMS):
        if item.topic.search(text):
            mask |= 1 << bit
    return mask


@dataclass(frozen=True)
class ItemResult:
    found: bool
    evidence_url: str | None
    evidence: str


@dataclass(frozen=True)
class Section:
    level: int
    heading: str
    text: str  # the section's own text (up to the next heading of the same or higher level)
    words: int
    link_only: bool  # the heading is just a link to somewhere else (a tile / teaser)


_SKIP = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "select"}
_HEADING = {"h1", "h2", "h3", "h4", "h5", "h6"}
_FURNITURE_ROLES = ("navigation", "banner", "contentinfo", "complementary")
# Every element ``sections`` treats specially, and more ([role] of any value).
_SPECIAL = ", ".join(sorted(_SKIP | _HEADING)) + ", [role], [hidden]"


def sections(page: Page) -> list[Section]:
    """The page's headed sections outside site furniture, in order (cached on the page)."""
    cached = page.__dict__.get("_lo_sections")
    if cached is not None:
        return cached
    root = page.tree.css_first("main, [role=main]") or page.tree.body
    out: list[Section] = []
    if root is None:
        page.__dict__["_lo_sections"] = out
        return out
    # Walk in document order without descending into furniture. A section's text is every
    # word from its heading to its close, subsections included: the words are kept in one
    # list and each open section remembers where its own begin. Text nodes are joined with
    # spaces, so words are split per text node. Only headings, furniture, hidden elements
    # (``_SPECIAL``) and their ancestors (``walk``) are visited node by node; any other
    # subtree is taken whole, lexbor joining its text nodes with the same spaces.
    words: list[str] = []
    open_sections: list[tuple[int, str, bool, int]] = []  # level, heading, link_only, first word

    def close(upto_level: int):
        while open_sections and open_sections[-1][0] >= upto_level:
            level, heading, link_only, first = open_sections.pop()
            own = words[first:]
            out.append(Section(level, heading, " ".join(own), len(own), link_only))

    walk = {root.mem_id}
    for node in root.css(_SPECIAL):
        while node is not None and node.mem_id not in walk:
            walk.add(node.mem_id)
            node = node.parent
    stack = [root]
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == "-text":
            if open_sections:
                words.extend((node.text_content or "").split())
            continue
        if node.mem_id not in walk:
            if open_sections:
                words.extend(node.text(separator=" ").split())
            continue
        if tag in _SKIP:
            continue
        attrs = node.attributes
        if (attrs.get("role") or "") in _FURNITURE_ROLES or attrs.get("hidden") is not None:
            continue
        if tag in _HEADING:
            level = int(tag[1])
            heading = squash(node.text_lexbor())
            links = node.css("a[href]")
            link_only = bool(links) and squash(" ".join(a.text_lexbor() for a in links)) == heading
            close(level)
            open_sections.append((level, heading, link_only, len(words)))
            continue
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    close(0)
    page.__dict__["_lo_sections"] = out
    return out


def _title_text(page: Page) -> str:
    return page.title


def _subheadings(page: Page) -> tuple[str, ...]:
    """The text of every h2-h6 anywhere on the page: a superset of the headings of its
    ``sections`` beyond level 1 (which skip furniture and hidden parts), found far faster."""
    return page.derived("subheadings", lambda p: tuple(squash(n.text_lexbor()) for n in p.tree.css("h2, h3, h4, h5, h6")))


def match_item(page: Page, item: Item) -> str | None:
    """Evidence that ``page`` is about ``item`` (see module docstring), else None."""
    for kind, text in (("title", _title_text(page)), ("h1", page.h1)):
        if not text or not item.topic.search(text):
            continue
        if item.exclude is not None and item.exclude.search(text):
            continue
        if item.context is not None and not (item.context.search(text) or item.context.search(page.main_text)):
            continue
        return f'{kind}: "{text[:150]}"'
    if not any(item.topic.search(heading) for heading in _subheadings(page)):
        return None  # no section can be about the item: skip walking the page's sections
    for section in sections(page):
        if section.level == 1 or section.link_only or section.words < (item.min_words or MIN_SECTION_WORDS):
            continue
        if not item.topic.search(section.heading):
            continue
        if item.exclude is not None and item.exclude.search(section.heading):
            continue
        if item.context is not None and not (item.context.search(section.heading)
                                             or item.context.search(section.text)):
            continue
        return f'h{section.level}: "{section.heading[:150]}" ({section.words} words)'
    return None


def page_evidence(page: Page) -> tuple[str | None, ...]:
    """``match_item`` for every item in ITEMS order, cached on the page. The page's sections
    are dropped once this is known: they hold a copy of its text, and a council's audit keeps
    all its pages in memory."""
    return page.derived("statutory_evidence", _evidence)


def _evidence(page: Page) -> tuple[str | None, ...]:
    # match_item finds an item only where its topic matches the title, the h1 or one of the
    # subheadings (each squashed: one line), so an item whose topic matches none of them is
    # not on the page.
    named = 0
    for text in (_title_text(page), page.h1) + _subheadings(page):
        named |= _topics_named(text)
    evidence = tuple(match_item(page, item) if named >> bit & 1 else None for bit, item in enumerate(ITEMS))
    page.__dict__.pop("_lo_sections", None)
    return evidence


def coverage(pages: list[Page]) -> dict[str, ItemResult]:
    """Per item: found, the first page (in the given order) that shows it, and why.
    A title/h1 match anywhere beats a section match on an earlier page."""
    results: dict[str, ItemResult] = {}
    usable = [p for p in pages if p.status == 200]
    for index, item in enumerate(ITEMS):
        best: ItemResult | None = None
        for page in usable:
            evidence = page_evidence(page)[index]
            if evidence is None:
                continue
            if evidence.startswith(("title", "h1")):
                best = ItemResult(True, page.url, evidence)
                break
            if best is None:
                best = ItemResult(True, page.url, evidence)
        results[item.id] = best or ItemResult(False, None, "")
    return results


# Datasette metadata for what this check publishes (merged by audit/serve.py).
METADATA = """
tables:
  statutory_coverage:
    description: >-
      Whether each statutory Local Offer item (SEND Regulations 2014 Schedule 2, Code
      of Practice chapter 4) was found on each council's site, per audit.
    facets: [item, found]
    columns:
      audit_id: The audit run.
      council_code: ONS/GSS code of the council.
      item: The statutory item's id, e.g. health_provision or travel_transport (the 16 items are listed on /methodology).
      found: 1 when a Local Offer page is about this item.
      evidence_url: The page that shows it.
queries:
  statutory_gaps:
    title: Statutory content not found, per council
    description: >-
      For each council, the statutory Local Offer items (SEND Regulations 2014
      Schedule 2, Code of Practice chapter 4) that the latest complete audit did not
      find.
    sql: |-
      select
        sc.council_code,
        c.name as council_name,
        sum(case when sc.found = 0 then 1 else 0 end) as items_missing,
        count(*) as items_checked,
        group_concat(case when sc.found = 0 then sc.item end, ', ') as missing_items
      from statutory_coverage sc
      join latest_audit a on a.audit_id = sc.audit_id
      left join councils c on c.code = sc.council_code
      group by sc.council_code
      having items_missing > 0
      order by items_missing desc, sc.council_code
"""


class Statutory(Check):
    """Which statutory items the Local Offer has a page (or a substantial section) about."""

    name = "statutory"
    metadata = METADATA
    dimension = Dimension(
        "statutory", "Statutory content", 15,
        "15 x (statutory items found) / (items checked), items from the SEND Regulations 2014 "
        "Schedule 2 and Code of Practice chapter 4.",
        advice="Publish a page about each missing statutory item.",
        explained_by=("statutory_missing",),
    )
    columns = (
        Column("statutory_found", "INTEGER", "Statutory content items found."),
        Column("statutory_total", "INTEGER", "Statutory content items checked."),
    )
    tables = (Table("statutory_coverage", ("audit_id", "council_code", "item"), """
CREATE TABLE IF NOT EXISTS statutory_coverage (
    audit_id INTEGER NOT NULL,
    council_code TEXT NOT NULL,
    item TEXT NOT NULL,
    found INTEGER NOT NULL,
    evidence_url TEXT,
    PRIMARY KEY (audit_id, council_code, item)
);
"""),)
    findings = {"statutory_missing": "Statutory content not found"}

    def page(self, page: Page) -> None:
        page_evidence(page)  # worked out while the page holds its tree; read by coverage()

    def finish(self) -> None:
        pages, home = self.context.pages, self.context.home
        found = coverage(pages)
        rows = self.rows("statutory_coverage")
        for item in ITEMS:
            got = found.get(item.id)
            is_found = bool(got and got.found)
            rows.append({"item": item.id, "found": int(is_found), "evidence_url": got.evidence_url if is_found else None})
            if not is_found and pages:
                self.find("statutory_missing", home, item.id, "medium", f"No page about: {item.label}",
                          f"basis: {item.basis}")
        self.score.update(statutory_found=sum(r["found"] for r in rows), statutory_total=len(ITEMS))

    @staticmethod
    def points(row: dict) -> float:
        total = row.get("statutory_total") or 0
        if not row.get("pages_crawled") or not total:
            return 0.0
        return Statutory.dimension.weight * (row.get("statutory_found") or 0) / total

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        return f"{as_int(row.get('statutory_found'))} of {as_int(row.get('statutory_total'))} statutory items found"


__all__ = ["ITEMS", "ITEM_IDS", "Item", "ItemResult", "Section", "coverage", "match_item", "page_evidence", "sections",
           "MIN_SECTION_WORDS", "PUBLISHED_WORDING", "Statutory"]
