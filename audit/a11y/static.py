"""A static (no browser) accessibility checker that reports axe-core rule ids.

Every crawled page goes through it, so it has to be cheap: the HTML is parsed once
(``audit.a11y.names.Document``) and one pass over the elements runs all element rules.
Rules are those ACT rules (W3C ACT Rules CG) that a parser can decide without layout or
scripts; each is reported under the axe-core rule id(s) that implement it, with axe-core's
impact, so results line up with ``--engine axe`` runs.  Where ACT and axe-core disagree
axe-core's rule and check logic is followed, except where the ACT rule is explicit and its
test cases hold it (valid-lang and autocomplete-valid on visible aria-hidden content,
aria-prohibited-attr on elements with text): see benchmarks/act/README.md.

Public API: ``check_html``, ``check_file`` (for the ACT scorer), ``violations_to_json``,
``Violation``, ``RULES``, ``ENGINE``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from audit.a11y.aria import (ALLOW_EMPTY, ATTRIBUTES, CONCRETE_ROLES, GLOBAL_ATTRS, NAME_ATTRS, PROHIBITED, ROLES,
                             SUPPORTED, allowed_owned, is_valid_value, token_list)
from audit.a11y.issues import template
from audit.a11y.names import Document, El, parse_int
from audit.a11y.langtags import is_known_language, primary_subtag
from audit.core.page import element_children, squash

ENGINE = "static"


class RuleInfo(NamedTuple):
    impact: str
    wcag: tuple[str, ...]
    description: str


# Impacts are axe-core 4.12's; WCAG criteria are those the ACT rules behind each axe rule test.
RULES: dict[str, RuleInfo] = {
    "area-alt": RuleInfo("critical", ("2.4.4", "2.4.9", "4.1.2"), "<area> links have alternative text"),
    "aria-allowed-attr": RuleInfo("critical", (), "ARIA attributes are allowed for the element's role"),
    "aria-command-name": RuleInfo("serious", ("4.1.2",), "ARIA buttons and menuitems have an accessible name"),
    "aria-deprecated-role": RuleInfo("minor", (), "Deprecated ARIA roles are not used"),
    "aria-hidden-focus": RuleInfo("serious", ("4.1.2",), "aria-hidden elements contain no focusable content"),
    "aria-input-field-name": RuleInfo("serious", ("4.1.2",), "ARIA input fields have an accessible name"),
    "aria-prohibited-attr": RuleInfo("serious", (), "ARIA attributes prohibited for the role are not used"),
    "aria-required-attr": RuleInfo("critical", (), "Elements with ARIA roles have the required attributes"),
    "aria-required-children": RuleInfo("critical", ("1.3.1",), "ARIA roles own their required children"),
    "aria-required-parent": RuleInfo("critical", ("1.3.1",), "ARIA roles sit in their required parent"),
    "aria-roles": RuleInfo("critical", (), "role attributes hold a valid ARIA role"),
    "aria-toggle-field-name": RuleInfo("serious", ("4.1.2",), "ARIA toggle fields have an accessible name"),
    "aria-valid-attr": RuleInfo("critical", (), "aria-* attributes exist in WAI-ARIA"),
    "aria-valid-attr-value": RuleInfo("critical", (), "ARIA attributes have valid values"),
    "autocomplete-valid": RuleInfo("serious", ("1.3.5",), "autocomplete attributes are valid"),
    "button-name": RuleInfo("critical", ("4.1.2",), "Buttons have an accessible name"),
    "document-title": RuleInfo("serious", ("2.4.2",), "The page has a non-empty <title>"),
    "duplicate-id": RuleInfo("minor", ("4.1.1",), "id values are unique"),
    "duplicate-id-active": RuleInfo("serious", ("4.1.1",), "ids of focusable elements are unique"),
    "duplicate-id-aria": RuleInfo("critical", ("4.1.1",), "ids used by ARIA and labels are unique"),
    "empty-heading": RuleInfo("minor", (), "Headings have an accessible name"),
    "frame-focusable-content": RuleInfo("serious", ("2.1.1", "2.1.3"),
                                        "Frames with focusable content are not tabindex=-1"),
    "frame-title": RuleInfo("serious", ("4.1.2",), "Frames have an accessible name"),
    "html-has-lang": RuleInfo("serious", ("3.1.1",), "<html> has a lang attribute"),
    "html-lang-valid": RuleInfo("serious", ("3.1.1",), "<html lang> is a known language"),
    "html-xml-lang-mismatch": RuleInfo("moderate", ("3.1.1",), "<html> lang and xml:lang agree"),
    "image-alt": RuleInfo("critical", ("1.1.1",), "Images have alternative text"),
    "input-button-name": RuleInfo("critical", ("4.1.2",), "Input buttons have an accessible name"),
    "input-image-alt": RuleInfo("critical", ("1.1.1", "4.1.2"), "Image buttons have alternative text"),
    "label": RuleInfo("critical", ("4.1.2",), "Form fields have a label"),
    "link-name": RuleInfo("serious", ("2.4.4", "2.4.9", "4.1.2"), "Links have an accessible name"),
    # a refresh under 20 hours also fails the AAA criteria: meta-refresh carries them, and, as in
    # axe-core, the no-exception rule reports only the longer refreshes meta-refresh lets through
    "meta-refresh": RuleInfo("critical", ("2.2.1", "2.2.4", "3.2.5"), "No timed refresh under 20 hours"),
    "meta-refresh-no-exceptions": RuleInfo("minor", ("2.2.4", "3.2.5"), "No timed refresh, even of 20 hours or more"),
    "meta-viewport": RuleInfo("moderate", ("1.4.4",), "The viewport allows zooming to 200%"),
    "nested-interactive": RuleInfo("serious", ("4.1.2",), "Controls do not contain focusable content"),
    "object-alt": RuleInfo("serious", ("1.1.1",), "<object> media have an accessible name"),
    "presentation-role-conflict": RuleInfo("minor", (), "Decorative elements are not focusable or ARIA-named"),
    "role-img-alt": RuleInfo("serious", ("1.1.1",), "role=img elements have an accessible name"),
    "select-name": RuleInfo("critical", ("4.1.2",), "<select> elements have a label"),
    "summary-name": RuleInfo("serious", ("4.1.2",), "<summary> elements have an accessible name"),
    "svg-img-alt": RuleInfo("serious", ("1.1.1",), "SVG images have an accessible name"),
    "td-headers-attr": RuleInfo("serious", ("1.3.1",), "headers attributes point at header cells of the table"),
    "th-has-data-cells": RuleInfo("serious", ("1.3.1",), "Table headers have cells they describe"),
    "valid-lang": RuleInfo("serious", ("3.1.2",), "lang attributes are known languages"),
}


@dataclass(frozen=True)
class Violation:
    rule: str  # axe-core rule id
    impact: str  # minor | moderate | serious | critical
    targets: tuple[str, ...]  # a CSS selector per failing element
    count: int  # number of failing elements (== len(targets))
    wcag: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()  # each failing element's template (audit.a11y.issues), as targets


# A document whose root element is <svg> or <math> is not an HTML page: page-level rules
# (lang, title, viewport) do not apply to it.
_FOREIGN_ROOT = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!doctype[^>]*>\s*)*<(?:svg|math)\b",
                           re.I | re.S)
_FIELD_INPUT_EXCLUDED = frozenset(("hidden", "button", "submit", "reset", "image"))
_INPUT_FIELD_ROLES = frozenset(("textbox", "searchbox", "combobox", "listbox", "spinbutton", "slider"))
_TOGGLE_ROLES = frozenset(("checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio", "option"))
_SVG_IMAGE_ROLES = frozenset(("img", "graphics-document", "graphics-symbol"))
# Elements with a naming method of their own (lib/standards/html-elms.js namingMethods; an <a>
# only with href): axe-core's rules for ARIA controls pass over them (no-naming-method-matches).
_NAMING_METHODS = frozenset("area br button fieldset figure hr img input output select summary table "
                            "textarea".split())
# Elements whose own axe rule asks for a name (by input type for <input>).
_ELEMENT_NAME_RULES = {"img": "image-alt", "object": "object-alt", "button": "button-name",
                       "input image": "input-image-alt",
                       "input button": "input-button-name", "input submit": "input-button-name",
                       "input reset": "input-button-name"}
# ID-reference attributes whose targets must exist (see _dangling_reference).
_CHECKED_REFS = frozenset(("aria-activedescendant", "aria-controls", "aria-details", "aria-flowto", "aria-owns"))
# Roles axe-core types as "widget" (lib/standards/aria-roles.js): the controls that may not
# be nested in an element whose children are presentational.
_WIDGET_TYPE = frozenset("button checkbox combobox gridcell link listbox menuitem menuitemcheckbox menuitemradio "
                         "option progressbar radio scrollbar searchbox slider spinbutton switch tab textbox "
                         "treeitem".split())
# Tags focusable without a tabindex in axe-core (is-natively-focusable.js; El.natively_focusable
# also takes editing hosts, as browsers do).
_NATIVELY_FOCUSABLE = frozenset("a area button details input select summary textarea".split())
# Roles whose required children axe-core leaves for review, rather than failing, when the
# element has no content at all (aria-required-children.json's reviewEmpty; its two DPUB
# roles, which own nothing required there, are left out).
_REVIEW_EMPTY = frozenset("grid list listbox menu menubar table tablist tree treegrid rowgroup".split())
# Roles that require an accessible name (axe-core's accessibleNameRequired, WAI-ARIA 1.2).
_NAME_REQUIRED = frozenset("alertdialog application button checkbox combobox dialog img link listbox menuitem "
                           "menuitemcheckbox menuitemradio meter option progressbar radio searchbox slider "
                           "spinbutton switch textbox toolbar treeitem".split())
_HEADER_ROLES = frozenset(("columnheader", "rowheader"))
_CELL_ROLES = frozenset(("cell", "gridcell", "columnheader", "rowheader"))
_TABLE_ROLES = frozenset(("table", "grid", "treegrid"))
_TRANSPARENT_ROLES = frozenset((None, "none", "generic"))
_ROW_TAGS = frozenset(("tr", "tbody", "thead", "tfoot"))  # see _table_rows
_IDREF_ATTRS = ("aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "aria-activedescendant",
                "aria-flowto", "aria-details", "aria-errormessage")
# Elements whose implicit role no rule checks: without role, aria-* or lang attributes
# they can only fail through a descendant or ancestor, so the per-element pass skips them.
# Table cells are among them: their rules (td-headers-attr, th-has-data-cells) are the
# table's, and a long table's thousands of cells were most of the pass on such a page.
_PLAIN_TAGS = frozenset("abbr article aside b blockquote br caption code dd del div dl dt em fieldset footer form "
                        "header hr i ins label legend li main nav ol p pre section small span strong sub sup "
                        "tbody td tfoot th thead time tr u ul".split())
# Tags plain when the element holds text alone (Document's plain_when_text): see _check_document.
_PLAIN_WHEN_TEXT = frozenset(("a", "option"))
# axe-core's sectioning content (an aside in it has no role unless named: _axe_implicit_role).
_SECTIONING_TAGS = frozenset(("article", "aside", "nav", "section"))
_SECTIONING_ROLES = frozenset(("article", "complementary", "navigation", "region"))
_CSS_IDENT = re.compile(r"-?[A-Za-z_][\w-]*\Z")
# HTML elements with no ARIA role to which Chromium (and so axe-core) gives one of its own:
# they may carry a name.
_CHROMIUM_ROLES = frozenset("audio canvas dl embed iframe label object video".split())
# Elements HTML-AAM gives a role that axe-core's implicit-role table does not (lib/commons/standards).
_NO_AXE_ROLE = frozenset("address blockquote caption code del em hgroup html ins p s strong sub sup time".split())
_IMPLICIT_ATTRS = {**{f"h{i}": frozenset(("aria-level",)) for i in range(1, 7)},
                   "datalist": frozenset(("aria-multiselectable",)), "li": frozenset(("aria-setsize", "aria-posinset")),
                   "option": frozenset(("aria-selected",)), "select": frozenset(("aria-valuenow",)),
                   "progress": frozenset(("aria-valuemax", "aria-valuemin", "aria-valuenow")),
                   "textarea": frozenset(("aria-valuenow", "aria-multiline"))}
_ONLY_ARIA_HIDDEN = frozenset(("br", "wbr"))
# Elements that paint something even without text (ACT "visible", approximated without layout).
_PAINTED = frozenset("img svg input button select textarea canvas video object embed iframe meter progress".split())
# Inputs whose value is fixed, so autocomplete means nothing (ACT 73f2c2 "fixed value");
# type=hidden is left out by the "hidden" condition.
_AC_FIXED_VALUE = frozenset("button checkbox file image radio reset submit".split())

# autocomplete tokens (HTML "autofill detail tokens")
_AC_CONTACT = frozenset("tel tel-country-code tel-national tel-area-code tel-local tel-local-prefix "
                        "tel-local-suffix tel-extension email impp".split())
_AC_FIELDS = frozenset(
    "name honorific-prefix given-name additional-name family-name honorific-suffix nickname username "
    "new-password current-password one-time-code organization-title organization street-address "
    "address-line1 address-line2 address-line3 address-level4 address-level3 address-level2 address-level1 "
    "country country-name postal-code cc-name cc-given-name cc-additional-name cc-family-name cc-number "
    "cc-exp cc-exp-month cc-exp-year cc-csc cc-type transaction-currency transaction-amount language bday "
    "bday-day bday-month bday-year sex url photo".split()) | _AC_CONTACT
_AC_CONTACT_KIND = frozenset(("home", "work", "mobile", "fax", "pager"))
# axe-core's autocomplete-valid options: values browsers treat as "off" (stateTerms), and
# purposes not in HTML that it leaves for review (ignoredValues).
_AC_STATE_WORDS = frozenset("none false true disabled enabled undefined null xoff xon".split())
_AC_REVIEW = frozenset("text pronouns gender message content".split())


# ---- public API -------------------------------------------------------------------------

def check_html(html: str, url: str | None = None, tree=None) -> list[Violation]:
    """Run every rule on one page; one Violation per failing rule, sorted by rule id.

    ``url`` is accepted for symmetry with the browser engine; no rule needs it. ``tree``:
    the page's parsed DOM when the caller has it (read only), so it is not parsed twice.
    """
    doc = Document(html, tree, plain_tags=_PLAIN_TAGS, plain_when_text=_PLAIN_WHEN_TEXT)
    try:
        return _check_document(doc, html)
    finally:
        doc.dismantle()


def _check_document(doc: Document, html: str) -> list[Violation]:
    found: dict[str, list[El]] = defaultdict(list)
    report = lambda rule, el: found[rule].append(el)  # noqa: E731
    if not _FOREIGN_ROOT.match(html):
        _check_page(doc, report)
    _check_duplicate_ids(doc, report)
    # The document gathered every element that is not a plain tag or has a role, lang or
    # aria-* attribute. Text links and options are plain (_PLAIN_WHEN_TEXT): an <a> whose
    # content is text alone, without such attributes, has the role link (or generic, without
    # href), and the one element rule that applies, link-name, is met by its text. Most of a
    # page's links are like this (menus, lists of services), and working out each one's role
    # and name cost ~0.35 ms of a synthetic page's ~1.5 ms in this engine. Such an <option>
    # has the implicit role option, which no rule checks (a name is required of it only under
    # an explicit role, and nested-interactive needs an element inside it): the options of a
    # form's selects were most of its candidates.
    checked = doc.candidates
    owner = _aria_owners(checked)
    for el in checked:
        _check_element(el, owner, report)
    out = []
    places: dict[int, dict[int, tuple[int, int]]] = {}  # shared by the selectors (see _selector)
    for rule in sorted(found):
        targets = tuple(_selector(el, doc, places) for el in found[rule])
        out.append(Violation(rule, RULES[rule].impact, targets, len(targets), RULES[rule].wcag,
                             tuple(template(el) for el in found[rule])))
    return out


def check_file(path: str) -> dict:
    """Check an HTML file; the JSON shape ``score.py --py`` and ``lo-audit a11y --json`` read."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        return violations_to_json(path, check_html(fh.read()))


def violations_to_json(url: str | None, violations: list[Violation]) -> dict:
    return {"url": url, "engine": ENGINE,
            "violations": [{"rule": v.rule, "count": v.count, "impact": v.impact, "targets": list(v.targets)}
                           for v in violations]}


# ---- page-level rules ---------------------------------------------------------------------

def _check_page(doc: Document, report) -> None:
    html = doc.html
    if html is not None:
        lang = html.get("lang", "").strip()
        if not lang:
            report("html-has-lang", html)
        # axe-core's html-lang-valid reads lang and xml:lang; a value of spaces is invalid
        if any(v and not is_known_language(v) for v in (html.get("lang", ""), html.get("xml:lang", ""))):
            report("html-lang-valid", html)
        xml_lang = html.get("xml:lang", "").strip()
        if (lang and xml_lang and is_known_language(lang) and is_known_language(xml_lang)
                and primary_subtag(lang) != primary_subtag(xml_lang)):
            report("html-xml-lang-mismatch", html)
    # <title> and <meta> are never plain tags, so the candidates hold them all.
    title = next((el for el in doc.candidates if el.tag == "title" and el.ns == "html"), None)
    if title is None or not squash("".join(c for c in title.children if isinstance(c, str))):
        # on the root, as axe-core (document-title.json's selector html:not(html *)): the two
        # engines' findings then share their target and their issue template
        report("document-title", doc.root)
    refresh_seen = False
    for el in doc.candidates:
        if el.tag != "meta" or el.ns != "html":
            continue
        if el.get("name", "").strip().lower() == "viewport" and "content" in el.attrs:
            if _viewport_blocks_zoom(el.attrs["content"]):
                report("meta-viewport", el)
        elif (not refresh_seen and el.get("http-equiv", "").strip().lower() == "refresh"
              and "content" in el.attrs):
            delay = _refresh_delay(el.attrs["content"])
            if delay is not None:  # only the first valid refresh counts
                refresh_seen = True
                # axe-core splits the two: meta-refresh up to 20 hours, the no-exception rule
                # (ACT bisz58's AAA part) only beyond (its check's minDelay is 72000)
                if 0 < delay <= 72000:
                    report("meta-refresh", el)
                elif delay > 72000:
                    report("meta-refresh-no-exceptions", el)


def _viewport_number(value: str) -> float:
    """Meta viewport value translation (CSS Device Adaptation): unknown words count as 0."""
    value = value.strip().lower()
    words = {"yes": 1.0, "no": 0.0, "device-width": 10.0, "device-height": 10.0}
    if value in words:
        return words[value]
    m = re.match(r"[+-]?(\d+\.?\d*|\.\d+)", value)
    return float(m.group(0)) if m else 0.0


def _viewport_blocks_zoom(content: str) -> bool:
    props = {}
    for part in re.split(r"[,;]", content):
        key, _, value = part.partition("=")
        props[key.strip().lower()] = value
    if "user-scalable" in props and -1 < _viewport_number(props["user-scalable"]) < 1:
        return True
    if "maximum-scale" in props:
        scale = _viewport_number(props["maximum-scale"])
        return 0 <= scale < 2  # negative values are ignored by browsers
    return False


def _refresh_delay(content: str) -> int | None:
    """Seconds before a meta refresh fires, or None if the content is invalid (HTML's parsing steps)."""
    m = re.match(r"[ \t\n\f\r]*(\d*)(\.[\d.]*)?", content)
    digits, fraction = m.group(1), m.group(2)
    if not digits and not fraction:
        return None
    rest = content[m.end():]
    if rest and rest[0] not in " \t\n\f\r;,":
        return None
    return int(digits or "0")


def _check_duplicate_ids(doc: Document, report) -> None:
    """One report per duplicated id value, split the way axe-core splits it."""
    by_value: dict[str, list[El]] = defaultdict(list)
    for el in doc.with_id:
        value = el.attrs["id"]
        if value:
            by_value[value].append(el)
    doc.id_counts = {k: len(v) for k, v in by_value.items()}
    dupes = {k: v for k, v in by_value.items() if len(v) > 1}
    if not dupes:
        return
    referenced = set()
    for el in doc.elements:
        for attr in _IDREF_ATTRS:
            if attr in el.attrs:
                referenced.update(el.attrs[attr].split())
        if el.tag == "label" and "for" in el.attrs:
            referenced.add(el.attrs["for"])
    for value, els in dupes.items():
        if value in referenced:
            report("duplicate-id-aria", els[0])
        elif any(e.focusable for e in els):
            report("duplicate-id-active", els[0])
        else:
            report("duplicate-id", els[0])


# ---- element rules ------------------------------------------------------------------------

def _aria_owners(elements: list[El]) -> dict[int, El]:
    """id(element) -> the element whose aria-owns claims it (first claim wins).

    ``elements`` are in document order and include every element with aria-* attributes."""
    owner: dict[int, El] = {}
    for el in elements:
        if "aria-owns" not in el.attrs:
            continue
        for ref in el.attrs["aria-owns"].split():
            target = el.doc.by_id.get(ref)
            if target is not None and target is not el and id(target) not in owner:
                owner[id(target)] = el
    return owner


def _check_element(el: El, owner: dict[int, El], report) -> None:
    """Element rules for one element; check_html skips _PLAIN_TAGS and text links (Document's
    _PLAIN_WHEN_TEXT) without role, lang or aria-*."""
    attrs = el.attrs
    tag = el.tag
    aria = [a for a in attrs if a.startswith("aria-")]
    if aria and el.ns != "math":
        if attrs.get("aria-hidden", "").strip().lower() == "true" and _has_tabbable(el):
            report("aria-hidden-focus", el)
    if aria and el.ns != "math" and el.in_tree:  # axe-core checks values on what is in the tree only
        for name in aria:
            if name not in ATTRIBUTES:
                report("aria-valid-attr", el)
                break
        for name in aria:
            value = attrs[name]
            if name in ATTRIBUTES and value and _invalid_value(el, name, value):
                report("aria-valid-attr-value", el)
                break
        else:  # no invalid value: the rule's aria-errormessage check
            if "aria-errormessage" in attrs and _errormessage_fails(el):
                report("aria-valid-attr-value", el)
    # Two rules apply to what is visible *or* in the accessibility tree (ACT 73f2c2, de46e4):
    # an aria-hidden field or passage is still seen, so they run before the tree check.
    if tag in ("input", "select", "textarea") and attrs.get("autocomplete", "").strip() and el.ns == "html":
        if _autocomplete_applies(el) and not _autocomplete_valid(attrs["autocomplete"]):
            report("autocomplete-valid", el)
    if ("lang" in attrs or "xml:lang" in attrs) and tag != "html" and el.ns == "html":
        # axe-core's valid-lang reads xml:lang as well as lang; a value of spaces is invalid
        langs = [attrs[a] for a in ("lang", "xml:lang") if attrs.get(a)]
        if langs and not all(is_known_language(v) for v in langs) and _has_own_language_text(el):
            report("valid-lang", el)
    if tag == "area" and el.ns == "html" and "href" in attrs:
        # area-alt runs on hidden areas too (axe-core: excludeHidden false), in a map only
        if any(a.tag == "map" for a in el.ancestors()) and not el.name:
            report("area-alt", el)
    if not el.in_tree:
        return
    role = el.role
    explicit = el.explicit_role
    if attrs.get("role", "").strip():
        # axe-core: every token unknown (lower-cased, abstract roles known: invalidrole), or one
        # abstract as written (abstractrole: role="Widget" is neither); its deprecated-role check
        # reads the first valid token, DPUB roles included (deprecatedrole-evaluate.js)
        written = token_list(attrs["role"])
        tokens = [t.lower() for t in written]
        valid = next((t for t in tokens if t in CONCRETE_ROLES), None)
        if (not any(t in CONCRETE_ROLES or (t in ROLES and ROLES[t].abstract) for t in tokens)
                or any(t in ROLES and ROLES[t].abstract for t in written)):
            report("aria-roles", el)
        elif valid is not None and ROLES[valid].deprecated:
            report("aria-deprecated-role", el)
    if aria:
        _check_attrs_for_role(el, role, explicit, aria, report)
    if explicit is not None and explicit == role and role != el.implicit_role:
        if _missing_required(el, role):
            report("aria-required-attr", el)
    if explicit is not None and explicit == role:
        if ROLES[role].owned and _required_children_fail(el, role, owner):
            report("aria-required-children", el)
        if ROLES[role].context and not _in_required_context(el, role, owner):
            report("aria-required-parent", el)
    # axe-core's selector img[alt=''], [role="none"], [role="presentation"] reads the value as
    # written (role="None" is not selected), and its checks are isFocusable and a global attribute
    if attrs.get("role") in ("none", "presentation") or (tag == "img" and attrs.get("alt") == ""):
        if (_axe_focusable(el) or el.has_global_aria) and _has_axe_implicit_role(el):
            report("presentation-role-conflict", el)
    axe_role = _axe_role(el)
    if axe_role in ROLES and ROLES[axe_role].presentational_children and _holds_focusable_widget(el):
        report("nested-interactive", el)
    for name_rule in _name_rules(el, role, explicit):
        if _lacks_name(el, name_rule):
            report(name_rule, el)
    if tag == "iframe" and _iframe_hides_focusable(el):
        report("frame-focusable-content", el)
    if role in _TABLE_ROLES and el.ns == "html":
        # axe-core reports both table rules on the table (the cells are in its message)
        # the headers attribute belongs to td and th in a <table> (ACT a25f45)
        cells = _Cells(el.doc, _table_rows(el))
        if tag == "table" and _bad_headers_attr(cells, el):
            report("td-headers-attr", el)
        if tag == "table" and _is_data_table(el) and _headers_without_cells(cells):
            report("th-has-data-cells", el)


def _is_data_table(el: El) -> bool:
    """th-has-data-cells applies to data tables only (data-table-matches), and axe-core's
    isDataTable takes none for one whose role attribute makes it presentational, unless it
    can take focus, even where a global ARIA attribute gives it back its table role, nor one
    marked datatable="0" without a table role (lib/commons/table/is-data-table.js). Its
    further guesses from layout are not made: a table with a header cell, the only kind
    the rule can fail, is a data table there."""
    if el.explicit_role in ("none", "presentation"):
        return el.focusable
    return el.get("datatable") != "0" or el.explicit_role in _TABLE_ROLES


def _axe_role(el: El) -> str | None:
    """The element's role as axe-core's getRole has it: its implicit roles (_axe_implicit_role),
    so a caption or paragraph is looked through on the way to an owned child or a required
    parent, and a summary is a button."""
    return _axe_implicit_role(el) if el.explicit_role is None else el.role


def _axe_implicit_role(el: El) -> str | None:
    """The implicit role in axe-core's table (implicit-html-roles.js) where it differs from
    HTML-AAM's (El.implicit_role): none for the tags it lacks (_NO_AXE_ROLE), for a form without
    a name and for an aside without one inside sectioning content; button for every <summary>,
    link for an SVG <a href>."""
    tag = el.tag
    if el.ns == "svg" and tag == "a":
        return "link" if "href" in el.attrs else None
    if el.ns == "html":
        if tag in _NO_AXE_ROLE:
            return None
        if tag == "summary":
            return "button"
        if tag == "form" and not el.author_named:
            return None
        if tag == "aside" and not el.author_named and any(
                a.tag in _SECTIONING_TAGS or a.explicit_role in _SECTIONING_ROLES for a in el.ancestors()):
            return None
    return el.implicit_role


def _has_axe_implicit_role(el: El) -> bool:
    """axe-core's has-implicit-chromium-role-matches: presentation-role-conflict applies only to
    an element with an implicit role in axe-core's table, or one Chromium gives a role of its own."""
    return el.tag in _CHROMIUM_ROLES or _axe_implicit_role(el) not in _TRANSPARENT_ROLES


def _has_tabbable(el: El) -> bool:
    return el.tabbable or any(d.tabbable for d in el.descendants())


def _check_attrs_for_role(el: El, role: str | None, explicit: str | None, aria: list[str], report) -> None:
    """aria-prohibited-attr and aria-allowed-attr (ACT kb1m8s, 5c01ea; axe-core's checks).

    An HTML element with no role at all (kbd, cite, abbr, ...: HTML-AAM maps them to nothing,
    and Chromium exposes them as generic text) may not be named, as in axe-core, unless it
    sits inside a widget, which takes its text. Chromium gives a few of them a role of its
    own (_CHROMIUM_ROLES), so a name is allowed there; so it is on a generic div or span
    inside a widget (axe-core gives them no role either). ``br`` and ``wbr`` take no ARIA
    attribute but aria-hidden (ARIA in HTML)."""
    fallback = el.fallback_role if explicit is None else None
    if fallback not in (None, "none", "presentation"):
        prohibited = PROHIBITED.get(fallback, ())  # aria-prohibited-attr reads fallback roles
    elif role is None and el.ns == "html" and explicit is None:
        if el.tag in _ONLY_ARIA_HIDDEN and any(a != "aria-hidden" and a in ATTRIBUTES for a in aria):
            report("aria-allowed-attr", el)
            return
        prohibited = () if el.tag in _CHROMIUM_ROLES or _in_widget(el) else NAME_ATTRS
    elif role == "generic" and explicit is None and el.ns == "html" and _in_widget(el):
        prohibited = ()  # a div or span inside a widget, as axe-core: the widget takes its name
    else:
        prohibited = PROHIBITED.get(role, ())
    # aria-allowed-attr reads the role axe-core's getRole gives (an address has none: only
    # global attributes), aria-prohibited-attr the one with Chromium's roles (above)
    supported = SUPPORTED.get(_axe_role(el), GLOBAL_ATTRS)
    for name in aria:
        if name in prohibited and el.attrs[name].strip():
            report("aria-prohibited-attr", el)
            return
        if (name in ATTRIBUTES and name not in supported and name not in prohibited
                and not _ignored_attr(el, name)):
            report("aria-allowed-attr", el)
            return


def _invalid_value(el: El, name: str, value: str) -> bool:
    """axe-core's aria-valid-attr-value check on a non-empty value: spaces alone are a value,
    and an invalid one, for the attributes that may not be left empty (not strings, ID
    references, aria-current or aria-haspopup); an empty value is left for review, and so is
    an unknown aria-current value (browsers read it as "true"). aria-errormessage is not
    this check's (see _errormessage_fails)."""
    if not value.strip():
        return name not in ALLOW_EMPTY
    if name in ("aria-current", "aria-errormessage"):
        return False
    return not is_valid_value(name, value) or _dangling_reference(el, name, value)


def _dangling_reference(el: El, name: str, value: str) -> bool:
    """axe-core's aria-valid-attr-value for ID references (_CHECKED_REFS): aria-activedescendant
    and aria-details hold one ID, looked up whole and untrimmed (getElementById), so " a" or
    "a b" name nothing; aria-controls, aria-flowto and aria-owns must name at least one element
    among their tokens (``token_list``). Not for a collapsed control (aria-expanded/aria-selected
    =false, or a popup, whose target may load later), nor aria-labelledby/describedby, which
    axe-core leaves for review."""
    if name not in _CHECKED_REFS:
        return False
    attrs, by_id = el.attrs, el.doc.by_id
    if ATTRIBUTES[name][0] == "idref":
        return value not in by_id
    if name in ("aria-controls", "aria-owns") and attrs.get("aria-expanded") == "false":
        return False
    if name == "aria-controls" and (attrs.get("aria-selected") == "false"
                                    or attrs.get("aria-haspopup", "false") != "false"):
        return False
    return not any(ref in by_id for ref in token_list(value))


def _errormessage_fails(el: El) -> bool:
    """axe-core's aria-errormessage check, the third of aria-valid-attr-value's: on a field
    whose aria-invalid is set and not "false" (as written: "False" counts), a non-blank
    aria-errormessage must hold one ID, of an element in the accessibility tree that is
    announced: role alert, aria-live assertive or polite, or also named in aria-describedby.
    An ID that names nothing is left for review."""
    attrs = el.attrs
    if attrs.get("aria-invalid", "false") == "false" or not attrs.get("aria-errormessage", "").strip():
        return False
    refs = token_list(attrs["aria-errormessage"])
    if len(refs) > 1:
        return True
    target = el.doc.by_id.get(refs[0])
    if target is None:
        return False
    if not target.in_tree:
        return True
    return not (target.explicit_role == "alert" or target.attrs.get("aria-live") in ("assertive", "polite")
                or refs[0] in token_list(attrs.get("aria-describedby", "")))


def _ignored_attr(el: El, name: str) -> bool:
    """Values axe-core lets pass on any role because screen readers ignore them:
    aria-required=false, and aria-multiline=false on a contenteditable element."""
    value = el.attrs[name]
    return value == "false" and (name == "aria-required"
                                 or (name == "aria-multiline" and "contenteditable" in el.attrs))


def _holds_focusable_widget(el: El) -> bool:
    """axe-core's no-focusable-content: a descendant with a widget role that can take focus
    (tabindex=-1 included: it is still reachable by script and by assistive technology). A
    focusable element without a widget role (a span with tabindex) is looked into, not counted."""
    stack = list(el.elements)
    while stack:
        child = stack.pop()
        if _axe_focusable(child) and _axe_role(child) in _WIDGET_TYPE:
            return True
        stack.extend(child.elements)
    return False


def _axe_focusable(el: El) -> bool:
    """axe-core's isFocusable (is-focusable.js, focus-disabled.js), narrower than a browser's
    (El.focusable): an editing host (contenteditable) is focusable there only with a tabindex,
    and a disabled fieldset disables every element in it, a link or a tabindex'd div too,
    unless a legend lies between them."""
    if not el.focusable:
        return False
    if el.tabindex is None and el.tag not in _NATIVELY_FOCUSABLE:
        return False  # focusable only as an editing host
    for anc in el.ancestors():
        if anc.tag == "legend":
            return True
        if anc.tag == "fieldset" and "disabled" in anc.attrs:
            return False
    return True


def _in_widget(el: El) -> bool:
    """The nearest ancestor with a role other than generic or none is a widget in axe-core's
    sense (_WIDGET_TYPE: a control, not a composite such as grid or tablist)."""
    for anc in el.ancestors():
        role = anc.role
        if role not in _TRANSPARENT_ROLES and role in ROLES:
            return role in _WIDGET_TYPE
    return False


def _busy(el: El) -> bool:
    """ACT bc4a75: an inclusive ancestor says aria-busy=true (its children may be incomplete)."""
    return any(a.attrs.get("aria-busy", "").strip().lower() == "true" for a in (el, *el.ancestors()))


def _missing_required(el: El, role: str) -> bool:
    required = set(ROLES[role].required)
    if role == "separator" and el.focusable:
        required.add("aria-valuenow")
    if role == "slider" and el.attrs.get("aria-valuetext", "").strip():
        required.discard("aria-valuenow")  # axe-core: a seek slider may give its value as text
    required -= _implicit_attrs(el)
    if role == "combobox" and el.attrs.get("aria-expanded", "").strip().lower() == "false":
        required.discard("aria-controls")  # axe-core: a collapsed combobox's popup may not exist yet
    return any(not el.attrs.get(a, "").strip() for a in required)


def _implicit_attrs(el: El) -> frozenset[str]:
    """The states an HTML element provides itself, never missing (axe-core's ``implicitAttrs``
    in lib/standards/html-elms.js): a checkbox's or radio's checked state, every other input's
    value, a heading's level, ..."""
    if el.ns != "html":
        return frozenset()
    if el.tag == "input":
        toggle = el.get("type", "").lower() in ("checkbox", "radio")
        return frozenset(("aria-checked",)) if toggle else frozenset(("aria-valuenow",))
    return _IMPLICIT_ATTRS.get(el.tag, frozenset())


def _owned(el: El, owner: dict[int, El]):
    """Children in the accessibility tree: DOM children not moved away by aria-owns, then aria-owns targets."""
    for child in el.children:
        if isinstance(child, str) or owner.get(id(child), el) is el:
            yield child
    for ref in el.attrs.get("aria-owns", "").split():
        target = el.doc.by_id.get(ref)
        if target is not None and owner.get(id(target)) is el:
            yield target


def _required_children_fail(el: El, role: str, owner: dict[int, El]) -> bool:
    """aria-required-children as axe-core's check decides it (ACT bc4a75 agrees but for
    aria-busy): an owned element with a role not allowed fails, even under aria-busy; no
    owned element of a required role fails unless the element is busy, or it is one of the
    roles axe-core leaves for review when it has no content at all (an empty list)."""
    direct, nested = allowed_owned(role)
    state = {"found": False, "content": False}
    if not _owned_allowed(el, direct, nested, owner, state):
        return True
    if state["found"] or _busy(el):
        return False
    return role not in _REVIEW_EMPTY or state["content"]


def _owned_allowed(parent: El, allowed: set[str], containers: dict[str, set[str]], owner: dict[int, El],
                   state: dict[str, bool]) -> bool:
    """Every element ``parent`` owns has an allowed role; ``state`` records whether one of a
    required role was found and whether any text was. A module-level function, as a nested
    one that calls itself is a reference cycle (function, closure cell) holding the page's
    elements until the cyclic collector runs. A generic or presentational child is looked
    through unless a global ARIA attribute or focusability puts it in the accessibility tree
    (as browsers do, and axe-core), where it is an owned element with no allowed role. Text
    is not an owned element (axe-core counts only elements) but is content."""
    for child in _owned(parent, owner):
        if isinstance(child, str):
            if child.strip() and parent.in_tree:
                state["content"] = True
            continue
        if not child.in_tree:
            continue
        child_role = _axe_role(child)
        if child_role in _TRANSPARENT_ROLES and not (child.has_global_aria or child.focusable):
            if not _owned_allowed(child, allowed, containers, owner, state):
                return False
        elif child_role not in allowed:
            return False
        elif child_role in containers:
            inner = containers[child_role] | {child_role}
            if not _owned_allowed(child, inner, {child_role: containers[child_role]}, owner, state):
                return False
        else:
            state["found"] = state["content"] = True
    return True


def _in_required_context(el: El, role: str, owner: dict[int, El]) -> bool:
    """aria-required-parent as axe-core walks it: up the accessibility tree (aria-owns first),
    past generic and presentational ancestors, to the first role. Groups (any number of them,
    as axe-core) pass only where the context allows one, and then the walk goes on to the rest
    of the context (a menuitem in a group needs a menu above it); a listitem or treeitem may
    also sit in a group in one of its own kind (tree > treeitem > group > treeitem)."""
    context = set(ROLES[role].context)
    allows_group = "group" in context
    parent = owner.get(id(el)) or el.parent
    while parent is not None:
        parent_role = _axe_role(parent)
        if parent_role in _TRANSPARENT_ROLES:
            pass
        elif parent_role == "group" and allows_group:
            context.discard("group")
            if role in ("listitem", "treeitem"):
                context.add(role)
        else:
            return parent_role in context
        parent = owner.get(id(parent)) or parent.parent
    return False


def _name_rules(el: El, role: str | None, explicit: str | None) -> tuple[str, ...]:
    """The axe rules that require a name of this element. axe-core selects each rule by its own
    selector and matches (lib/rules/*.json), so one element can fall under two: one for what
    the element is (``_element_name_rule``) and one for its role attribute (``_role_name_rule``):
    ``<button role="img">`` under button-name and role-img-alt, ``<a href role="heading">`` under
    link-name and empty-heading."""
    if el.ns == "svg":
        return ("svg-img-alt",) if explicit in _SVG_IMAGE_ROLES and role == explicit else ()
    if el.ns != "html":
        return ()
    own = _element_name_rule(el, role, explicit)
    by_role = _role_name_rule(el, role, explicit) if role != "none" else None
    if by_role is None or by_role == own:
        return (own,) if own else ()
    return (own, by_role) if own else (by_role,)


def _element_name_rule(el: El, role: str | None, explicit: str | None) -> str | None:
    """The axe rule that requires a name of this HTML element for what it is, if any."""
    tag = el.tag
    kind = el.get("type", "text").lower() if tag == "input" else ""
    element_rule = _ELEMENT_NAME_RULES.get(f"input {kind}" if tag == "input" else tag)
    if element_rule and (tag != "object" or (el.get("data", "").strip() and not _shows_fallback(el))):
        # axe-core's no-explicit-name-required-matches: the element's own rule holds under an
        # explicit role that requires a name or on a focusable element; a role that needs no
        # name (role=separator) takes it out, and role=none without a conflict passes.
        if explicit not in (None, "none", "presentation") and explicit not in _NAME_REQUIRED and not el.focusable:
            return None
        return None if role == "none" else element_rule
    if tag == "summary" and el.is_details_summary:
        return "summary-name"  # axe-core's summary-name, whatever role the summary is given
    if tag in ("iframe", "frame"):
        # out of the tab order, a frame is not a control to name (ACT cae760, axe-core); a
        # presentational role exempts it unless it has a title (JAWS then announces a group)
        if (el.tabindex is not None and el.tabindex < 0) or (role == "none" and "title" not in el.attrs):
            return None
        return "frame-title"
    if role == "none":
        return None
    if tag == "a" and "href" in el.attrs:
        return "link-name"  # axe-core's selector a[href], whatever the role
    if (tag == "input" and kind not in _FIELD_INPUT_EXCLUDED) or tag in ("textarea", "select"):
        # axe-core picks these rules by element, whatever the role (label-matches)
        return "select-name" if tag == "select" else "label"
    return None


def _role_name_rule(el: El, role: str | None, explicit: str | None) -> str | None:
    """The axe rule that requires a name of this HTML element for its role, if any: role-img-alt
    on any element but those with an alt of their own, empty-heading on any heading, and the
    three rules of ARIA controls (aria-command-name, aria-input-field-name and
    aria-toggle-field-name) by explicit role on elements with no naming method of their own
    (no-naming-method-matches: _NAMING_METHODS)."""
    tag = el.tag
    if role == "img":
        return "role-img-alt" if tag not in ("img", "area", "input", "object") else None
    if role == "heading":
        return "empty-heading"
    if explicit != role or tag in _NAMING_METHODS or (tag == "a" and "href" in el.attrs):
        return None
    if role in ("link", "button", "menuitem"):
        return "aria-command-name"
    if role in _INPUT_FIELD_ROLES and not _named_by_combobox(el, role):
        return "aria-input-field-name"
    if role in _TOGGLE_ROLES:
        return "aria-toggle-field-name"
    return None


def _lacks_name(el: El, rule: str) -> bool:
    """The element fails ``rule``'s naming checks: it has no accessible name, except that
    image-alt passes any alt attribute, even an empty one (axe-core's has-alt), and fails an
    alt of spaces alone whatever else names the image (its alt-space-value), and frame-title
    passes any title."""
    if rule == "image-alt" and "alt" in el.attrs:
        alt = el.attrs["alt"]
        return alt != "" and not alt.strip()
    if rule == "frame-title" and el.attrs.get("title", "").strip():
        return False  # non-empty-title passes a frame whose presentational role gives it no name
    return not el.name


def _shows_fallback(el: El) -> bool:
    """axe-core's object-is-loaded-matches: an <object> whose fallback content is rendered did
    not load, and object-alt does not apply (its content is what is shown, and is tested).
    The audit replays archived pages fetching nothing but ``data:`` URLs, so an object loads
    there only from a ``data:`` URL: this is what axe-core sees in the replay."""
    if el.get("data", "").strip().lower().startswith("data:"):
        return False
    return any(c.strip() if isinstance(c, str) else c.rendered for c in el.children)


def _named_by_combobox(el: El, role: str) -> bool:
    """axe-core's no-naming-method-matches: a combobox holding an input (which is named
    instead) and a listbox that is a combobox's popup (inside it, or owned or controlled by
    it) are left out of aria-input-field-name."""
    if role == "combobox":
        return any(d.tag == "input" and d.get("type", "").lower() != "hidden" for d in el.descendants())
    if role != "listbox":
        return False
    parent = next((a for a in el.ancestors() if a.role not in _TRANSPARENT_ROLES), None)
    if parent is not None and parent.role == "combobox":
        return True
    el_id = el.get("id")
    return bool(el_id) and any(
        c.role == "combobox" and c.tag != "select" and "combobox" in c.get("role", "").lower().split()
        and any(el_id in c.get(a, "").split() for a in ("aria-owns", "aria-controls"))
        for c in el.doc.candidates)


def _autocomplete_applies(el: El) -> bool:
    """ACT 73f2c2's applicability: not on/off, not disabled, not a fixed-value input, not
    both invisible and out of the accessibility tree, not static (out of the tab order with
    a role that is not a widget)."""
    if el.tag == "input" and el.get("type", "").lower() in _AC_FIXED_VALUE:
        return False
    if el.disabled or el.get("aria-disabled", "").strip().lower() == "true":
        return False
    if "readonly" in el.attrs or el.get("aria-readonly", "").strip().lower() == "true":
        return False  # axe-core's autocomplete-matches: nothing will be filled in
    if el.get("autocomplete", "").strip().lower() in ("on", "off"):
        return False
    if not el.rendered and not el.in_tree:
        return False
    role = el.role
    return el.tabbable or (role in ROLES and "widget" in _superclasses(role))


@cache
def _superclasses(role: str) -> frozenset[str]:
    out = set()
    for sup in ROLES[role].superclass:
        out |= {sup} | _superclasses(sup)
    return frozenset(out)


def _autocomplete_valid(value: str) -> bool:
    """HTML's autofill detail tokens, as axe-core reads them: its extra state words (none,
    false, xoff, ...) pass, and the purposes it leaves for review (text, gender, ...) are
    not reported."""
    tokens = value.lower().split()
    if len(tokens) == 1 and tokens[0] in _AC_STATE_WORDS:
        return True
    if tokens and tokens[-1] in _AC_REVIEW:
        return True
    i = 0
    if i < len(tokens) and tokens[i].startswith("section-"):
        i += 1
    if i < len(tokens) and tokens[i] in ("shipping", "billing"):
        i += 1
    fields = _AC_FIELDS
    if i < len(tokens) and tokens[i] in _AC_CONTACT_KIND:
        i += 1
        fields = _AC_CONTACT
    if i >= len(tokens) or tokens[i] not in fields:
        return False
    i += 1
    if i < len(tokens) and tokens[i] == "webauthn":
        i += 1
    return i == len(tokens)


def _bad_headers(cell: El, table: El) -> bool:
    """ACT a25f45: every ``headers`` token names a header cell of the same table, not the cell itself."""
    for ref in cell.attrs["headers"].split():
        target = cell.doc.by_id.get(ref)
        if target is None or target is cell or target.table is not table or target.role not in _HEADER_ROLES:
            return True
    return False


def _iframe_hides_focusable(el: El) -> bool:
    """ACT akn7bn: tabindex=-1 on an iframe (not inert) whose srcdoc holds content reached by Tab."""
    if (el.tabindex is None or el.tabindex >= 0 or not el.rendered or el.inert or "srcdoc" not in el.attrs
            or any((parse_int(el.get(a)) or 2) <= 1 for a in ("width", "height"))):
        return False
    inner = Document(el.attrs["srcdoc"])
    try:
        return any(e.tabbable for e in inner.elements)
    finally:
        inner.dismantle()


def _table_rows(table: El) -> list:
    """Rows of a table, as Lexbor nodes: elements with role row whose nearest table-like
    ancestor is ``table``. A tr, tbody, thead or tfoot without a role attribute reached
    through such elements from the (HTML) table is an HTML row or row group, read from its
    node; any other element is made an El, its role read, and its subtree walked as Els
    (where namespaces and roles can change what a tag means)."""
    doc = table.doc
    rows, stack = [], element_children(table.node)[::-1]
    while stack:
        item = stack.pop()
        if not isinstance(item, El):
            tag = item.tag
            if tag in _ROW_TAGS and "role" not in item.attributes:
                if tag == "tr":
                    rows.append(item)
                else:
                    stack.extend(reversed(element_children(item)))
                continue
            item = doc.element(item)
        if item.role in _TABLE_ROLES or item.tag == "table":
            continue
        if item.role == "row":
            rows.append(item.node)
            continue
        stack.extend(reversed(list(item.elements)))
    return rows


class _Cells:
    """A table's cells (of its ``_table_rows``) placed by HTML's table model, read once for
    both table rules: a cell skips the columns that a row span from above still covers.

    Cells are Lexbor nodes: a long table of providers has thousands, and the rules read few
    of them as elements. An El is made for a child of a row with a role attribute (to read
    its role: without one, only a td or th is a cell), for a cell that can be a header (a th,
    or one with a role attribute: a td's own role is cell or gridcell) and for a td or th
    with a ``headers`` attribute."""

    def __init__(self, doc: Document, rows: list):
        self.doc = doc
        self.in_column: dict[int, list] = defaultdict(list)  # column -> the cells placed in it
        self.in_row: dict[int, list] = defaultdict(list)
        self.headers: list[tuple[El, int, int, int, int]] = []  # header in the tree, row, column, rowspan, colspan
        self.with_headers: list[El] = []  # td and th with a headers attribute
        self.referenced: set[str] = set()  # ids the headers attributes name
        covered: dict[int, int] = {}  # column -> first row below the row spans that reach into it
        for r, row in enumerate(rows):
            c = 0
            for node in element_children(row):
                tag = node.tag.lower()
                attrs = node.attributes
                el = doc.element(node) if "role" in attrs else None
                if not (tag == "td" or tag == "th" or (el is not None and el.role in _CELL_ROLES)):
                    continue
                while covered.get(c, 0) > r:
                    c += 1
                colspan = rowspan = 1
                if attrs:
                    # HTML caps colspan at 1000; a rowspan never reaches past the last row
                    colspan = min(1000, max(1, parse_int(attrs.get("colspan") or attrs.get("aria-colspan")) or 1))
                    rowspan = min(len(rows) - r,
                                  max(1, parse_int(attrs.get("rowspan") or attrs.get("aria-rowspan")) or 1))
                for k in range(c, c + colspan):
                    covered[k] = r + rowspan
                    self.in_column[k].append(node)
                for k in range(r, r + rowspan):
                    self.in_row[k].append(node)
                if tag == "th" or el is not None:
                    el = el or doc.element(node)
                    if el.in_tree and el.role in _HEADER_ROLES:
                        self.headers.append((el, r, c, rowspan, colspan))
                for attr in ("headers", "aria-labelledby"):  # axe-core: a header either names has cells
                    if attr in attrs:
                        self.referenced.update((attrs[attr] or "").split())
                if "headers" in attrs and (tag == "td" or tag == "th"):
                    self.with_headers.append(el or doc.element(node))
                c += colspan

    def others(self, header: El, lines: dict[int, list], first: int, span: int) -> bool:
        """Some cell other than ``header`` occupies one of ``lines`` (columns or rows) ``first``
        to ``first + span - 1``. Hidden cells count: axe-core's table grid holds them, and ACT
        d0f69e asks for an assigned cell, not one in the accessibility tree."""
        own = header.node.mem_id
        return any(node.mem_id != own for k in range(first, first + span) for node in lines.get(k, ()))


def _bad_headers_attr(cells: _Cells, table: El) -> bool:
    """ACT a25f45 on a table's own td and th in the tree: one has a ``headers`` token that
    names no header cell of the table (``_bad_headers``)."""
    return any(cell.in_tree and _bad_headers(cell, table) for cell in cells.with_headers)


def _headers_without_cells(cells: _Cells) -> list[El]:
    """ACT d0f69e: header cells of a table that no other cell is assigned to: a header in
    the tree whose columns (a row header: rows) hold no other cell. As axe-core, a header
    without text (textContent: an image alone is none) or named by a cell's ``headers`` or
    ``aria-labelledby`` is not asked for cells (th-has-data-cells-evaluate.js)."""
    missing = []
    for header, r0, c0, rowspan, colspan in cells.headers:
        if (header.attrs.get("id") in cells.referenced or not header.node.text().strip()
                or not _shows_something(header)):
            continue
        down, across = _header_scope(header, cells, r0, c0)
        if not ((down and cells.others(header, cells.in_column, c0, colspan))
                or (across and cells.others(header, cells.in_row, r0, rowspan))):
            missing.append(header)
    return missing


def _header_scope(header: El, cells: _Cells, row: int, column: int) -> tuple[bool, bool]:
    """Whether ``header`` heads its column, its row, or both, as axe-core's getScope decides
    (lib/commons/table/get-scope.js): an explicit role or scope="col"/"row" says which; a th
    without them heads its column when its row holds th alone, its row when its column does, and
    otherwise both ("auto": <th>Name</th><td>Ann</td><th>Age</th><td>5</td> heads cells across)."""
    role = header.explicit_role
    scope = header.attrs.get("scope")
    if role == "columnheader" or (role != "rowheader" and scope == "col"):
        return True, False
    if role == "rowheader" or scope == "row":
        return False, True
    if all(node.tag.lower() == "th" for node in cells.in_row[row]):
        return True, False
    if all(node.tag.lower() == "th" for node in cells.in_column[column]):
        return False, True
    return True, True


def _shows_something(el: El) -> bool:
    """ACT's "visible", without layout: some text, or an element that paints (an image, a control)."""
    stack = [el]
    while stack:
        for child in stack.pop().children:
            if isinstance(child, str):
                if child.strip():
                    return True
            elif child.rendered:
                if child.tag in _PAINTED:
                    return True
                stack.append(child)
    return False


def _has_own_language_text(el: El) -> bool:
    """ACT de46e4: some text inherits its language from ``el``: a non-empty text node that
    is visible or in the accessibility tree, or the accessible name of an element in the
    tree, in ``el`` or below it down to the next element with its own ``lang``."""
    stack = [el]
    while stack:
        parent = stack.pop()
        if parent.in_tree and any(parent.attrs.get(a, "").strip() for a in ("alt", "aria-label", "title")):
            return True
        for child in parent.children:
            if isinstance(child, str):
                if child.strip() and (parent.rendered or parent.in_tree):
                    return True
            elif not child.attrs.get("lang"):
                stack.append(child)
    return False


def _selector(el: El, doc: Document, places: dict[int, dict[int, tuple[int, int]]]) -> str:
    """A CSS selector for ``el``: the nearest unique #id, then tag:nth-of-type steps.
    ``places``: each parent's ``_places_of_type``, worked out once for all of a page's
    selectors (their steps near the root are the same, and listing a parent's same-tag
    children again at each step of each selector was most of this function's cost)."""
    counts = getattr(doc, "id_counts", {})
    parts = []
    while el is not None:
        el_id = el.attrs.get("id")
        if el_id and counts.get(el_id) == 1 and _CSS_IDENT.match(el_id):
            parts.append("#" + el_id)
            break
        parent = el.parent
        if parent is None:
            parts.append(el.tag)
        else:
            of_parent = places.get(id(parent))
            if of_parent is None:
                of_parent = places[id(parent)] = _places_of_type(parent)
            place, same = of_parent[el.node.mem_id]
            parts.append(el.tag if same == 1 else f"{el.tag}:nth-of-type({place})")
        el = parent
    return " > ".join(reversed(parts))


def _places_of_type(parent: El) -> dict[int, tuple[int, int]]:
    """Lexbor node address of each element child -> (its place among the children of its tag,
    from 1; how many there are). Read from the Lexbor nodes: making an El of every sibling on
    the way up from each reported element was most of a selector's cost (an article page's
    sixty images without alt made ~190 of its ~350 Els for nothing else)."""
    children = [(child.mem_id, child.tag.lower()) for child in element_children(parent.node)]
    of_tag: dict[str, int] = defaultdict(int)
    for _, tag in children:
        of_tag[tag] += 1
    seen: dict[str, int] = defaultdict(int)
    out = {}
    for mem_id, tag in children:
        seen[tag] += 1
        out[mem_id] = (seen[tag], of_tag[tag])
    return out
