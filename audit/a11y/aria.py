"""WAI-ARIA 1.2 role and attribute tables (plus DPUB-ARIA 1.0 and Graphics-ARIA 1.0 roles).

Transcribed from the "Characteristics" tables of the WAI-ARIA 1.2 Recommendation: for each
role its superclasses, the states and properties it adds ("supported"), the ones it
requires, its required context and owned elements, whether its name may come from its
content, and whether its children are presentational.  Supported attributes are
inherited down the superclass chain, as the spec says, so each role lists only its own.

Names come from content for the roles axe-core's table (lib/standards/aria-roles.js) says
so, which adds directory, figure, listitem, table and term to ARIA 1.2's: its rules judge
``<a href role="listitem">Home</a>`` named.

Three ARIA 1.3 additions are accepted because browsers and axe-core already do
(``aria-braillelabel``, ``aria-brailleroledescription``, ``aria-description`` and the
``*indextext`` properties); the generic role's prohibition of ``aria-roledescription``
is also from ARIA 1.3, as the ACT rule "ARIA global properties not used where
prohibited" uses it.

``aria-required`` on radio and slider is accepted as axe-core does, and so are the other
attributes axe-core's role table (lib/standards/aria-roles.js) still allows from ARIA 1.1:
``aria-orientation`` on combobox, ``aria-level`` on grid, tablist (and treegrid, a grid).

Deprecated-in-1.2 global attributes (``aria-disabled``, ``aria-errormessage``,
``aria-haspopup``, ``aria-invalid``) stay allowed on every role, as axe-core allows them.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Role(NamedTuple):
    superclass: tuple[str, ...] = ()
    supported: frozenset[str] = frozenset()  # own (not inherited) states and properties
    required: frozenset[str] = frozenset()
    context: tuple[str, ...] = ()  # required context roles (any one of them)
    owned: tuple[str, ...] = ()  # required owned elements; "group>menuitem" = group owning menuitem
    name_from_content: bool = False
    name_prohibited: bool = False
    presentational_children: bool = False
    abstract: bool = False
    deprecated: bool = False


def _s(text: str = "") -> frozenset[str]:
    return frozenset("aria-" + a for a in text.split())


_RANGE = "valuemax valuemin valuenow valuetext"
_CELL = "colindex colindextext colspan rowindex rowindextext rowspan"
# Separators inside menus are common and allowed by axe-core and the APG menu pattern, and
# so is a submenu owned directly (axe-core's requiredOwned for menu and menubar).
_MENU_OWNED = ("group>menuitem", "group>menuitemradio", "group>menuitemcheckbox", "group>separator",
               "menuitem", "menuitemradio", "menuitemcheckbox", "separator", "menu")
_MENU_CONTEXT = ("group", "menu", "menubar")

ROLES: dict[str, Role] = {
    # abstract roles
    # aria-expanded: where axe-core allows it (_EXPANDED below), not inherited
    "roletype": Role(abstract=True),
    "structure": Role(("roletype",), abstract=True),
    "widget": Role(("roletype",), abstract=True),
    "window": Role(("roletype",), _s("modal"), abstract=True),
    "command": Role(("widget",), abstract=True),
    "composite": Role(("widget",), _s("activedescendant disabled"), abstract=True),
    "input": Role(("widget",), _s("disabled"), abstract=True),
    "range": Role(("structure",), _s(_RANGE), abstract=True),
    "section": Role(("structure",), abstract=True),
    "sectionhead": Role(("structure",), abstract=True),
    "landmark": Role(("section",), abstract=True),
    "select": Role(("composite", "group"), _s("orientation"), abstract=True),
    # concrete roles
    "alert": Role(("section",)),
    "alertdialog": Role(("alert", "dialog")),
    "application": Role(("structure",), _s("activedescendant disabled errormessage expanded haspopup invalid")),
    "article": Role(("document",), _s("posinset setsize")),
    "banner": Role(("landmark",)),
    "blockquote": Role(("section",)),
    "button": Role(("command",), _s("disabled expanded haspopup pressed"),
                   name_from_content=True, presentational_children=True),
    "caption": Role(("section",), context=("figure", "grid", "table", "treegrid"), name_prohibited=True),
    "cell": Role(("section",), _s(_CELL), context=("row",), name_from_content=True),
    "checkbox": Role(("input",), _s("checked errormessage expanded invalid readonly required"), _s("checked"),
                     name_from_content=True, presentational_children=True),
    "code": Role(("section",), name_prohibited=True),
    "columnheader": Role(("cell", "gridcell", "sectionhead"), _s("sort"), context=("row",),
                         name_from_content=True),
    "combobox": Role(("input",), _s("activedescendant autocomplete controls errormessage expanded haspopup "
                                    "invalid orientation readonly required"), _s("controls expanded")),
    "complementary": Role(("landmark",)),
    "contentinfo": Role(("landmark",)),
    "definition": Role(("section",)),
    "deletion": Role(("section",), name_prohibited=True),
    "dialog": Role(("window",)),
    "directory": Role(("list",), name_from_content=True, deprecated=True),
    "document": Role(("structure",)),
    "emphasis": Role(("section",), name_prohibited=True),
    "feed": Role(("list",), owned=("article",)),
    "figure": Role(("section",), name_from_content=True),
    "form": Role(("landmark",)),
    "generic": Role(("structure",), name_prohibited=True),
    "grid": Role(("composite", "table"), _s("level multiselectable readonly"), owned=("row", "rowgroup>row")),
    "gridcell": Role(("cell", "widget"), _s("disabled errormessage expanded haspopup invalid readonly required "
                                            "selected"), context=("row",), name_from_content=True),
    "group": Role(("section",), _s("activedescendant disabled")),
    "heading": Role(("sectionhead",), _s("level"), _s("level"), name_from_content=True),
    "img": Role(("section",), presentational_children=True),
    "insertion": Role(("section",), name_prohibited=True),
    "link": Role(("command",), _s("disabled expanded haspopup"), name_from_content=True),
    "list": Role(("section",), owned=("listitem",)),
    "listbox": Role(("select",), _s("errormessage expanded invalid multiselectable readonly required"),
                    owned=("group>option", "option")),
    "listitem": Role(("section",), _s("level posinset setsize"), context=("directory", "list"),
                     name_from_content=True),
    "log": Role(("section",)),
    "main": Role(("landmark",)),
    "marquee": Role(("section",)),
    "math": Role(("section",), presentational_children=True),  # axe-core's table (ARIA 1.2 has none)
    "menu": Role(("select",), owned=_MENU_OWNED),
    "menubar": Role(("menu",), owned=_MENU_OWNED),
    "menuitem": Role(("command",), _s("disabled expanded haspopup posinset setsize"), context=_MENU_CONTEXT,
                     name_from_content=True),
    "menuitemcheckbox": Role(("checkbox", "menuitem"), required=_s("checked"), context=_MENU_CONTEXT,
                             name_from_content=True, presentational_children=True),
    "menuitemradio": Role(("menuitemcheckbox", "radio"), required=_s("checked"), context=_MENU_CONTEXT,
                          name_from_content=True, presentational_children=True),
    "meter": Role(("range",), required=_s("valuenow"), presentational_children=True),
    "navigation": Role(("landmark",)),
    "none": Role(("structure",)),
    "note": Role(("section",)),
    "option": Role(("input",), _s("checked posinset selected setsize"), context=("group", "listbox"),
                   name_from_content=True, presentational_children=True),
    "paragraph": Role(("section",), name_prohibited=True),
    "presentation": Role(("structure",)),
    "progressbar": Role(("range", "widget"), presentational_children=True),
    "radio": Role(("input",), _s("checked posinset required setsize"), _s("checked"),
                  name_from_content=True, presentational_children=True),
    "radiogroup": Role(("select",), _s("errormessage invalid readonly required")),
    "region": Role(("landmark",)),
    "row": Role(("group", "widget"), _s("colindex colindextext expanded level posinset rowindex rowindextext "
                                        "selected setsize"),
                context=("grid", "rowgroup", "table", "treegrid"),
                owned=("cell", "columnheader", "gridcell", "rowheader"), name_from_content=True),
    "rowgroup": Role(("structure",), context=("grid", "table", "treegrid"), owned=("row",),
                     name_from_content=True),
    "rowheader": Role(("cell", "gridcell", "sectionhead"), _s("expanded sort"), context=("row",),
                      name_from_content=True),
    "scrollbar": Role(("range", "widget"), _s("controls orientation"), _s("controls valuenow"),
                      presentational_children=True),
    "search": Role(("landmark",)),
    "searchbox": Role(("textbox",)),
    "separator": Role(("structure",), _s("orientation " + _RANGE), presentational_children=True),
    "slider": Role(("input", "range"), _s("errormessage haspopup invalid orientation readonly required"),
                   _s("valuenow"), presentational_children=True),
    "spinbutton": Role(("composite", "input", "range"), _s("errormessage invalid readonly required")),
    "status": Role(("section",)),
    "strong": Role(("section",), name_prohibited=True),
    "subscript": Role(("section",), name_prohibited=True),
    "superscript": Role(("section",), name_prohibited=True),
    "switch": Role(("checkbox",), required=_s("checked"), name_from_content=True, presentational_children=True),
    "tab": Role(("sectionhead", "widget"), _s("disabled expanded haspopup posinset selected setsize"),
                context=("tablist",), name_from_content=True, presentational_children=True),
    "table": Role(("section",), _s("colcount rowcount"), owned=("row", "rowgroup>row"), name_from_content=True),
    "tablist": Role(("composite",), _s("level multiselectable orientation"), owned=("tab",)),
    "tabpanel": Role(("section",)),
    "term": Role(("section",), name_from_content=True),
    # not in WAI-ARIA (a proposal), but in axe-core's role table: a valid role value there
    "text": Role(("section",), name_from_content=True),
    "textbox": Role(("input",), _s("activedescendant autocomplete errormessage haspopup invalid multiline "
                                   "placeholder readonly required")),
    "time": Role(("section",)),
    "timer": Role(("status",)),
    "toolbar": Role(("group",), _s("orientation")),
    "tooltip": Role(("section",), name_from_content=True),
    "tree": Role(("select",), _s("errormessage invalid multiselectable required"),
                 owned=("group>treeitem", "treeitem")),
    "treegrid": Role(("grid", "tree"), owned=("row", "rowgroup>row")),
    "treeitem": Role(("listitem", "option"), context=("group", "tree"), name_from_content=True),
    # ARIA 1.3 roles that browsers and axe-core already accept
    # (ARIA 1.3: comment adds level, posinset and setsize; mark and suggestion prohibit naming)
    "comment": Role(("article",), _s("level")),
    "mark": Role(("section",), name_prohibited=True),
    "suggestion": Role(("section",), owned=("insertion", "deletion"), name_prohibited=True),
    # Graphics-ARIA 1.0
    "graphics-document": Role(("document",)),
    "graphics-object": Role(("group",)),
    "graphics-symbol": Role(("img",), presentational_children=True),
}

# DPUB-ARIA 1.0 roles, as axe-core 4.12 models them (lib/standards/dpub-roles.js): valid role
# values (not DPUB 1.1's doc-pageheader and doc-pagefooter, which it does not know), two of
# them deprecated, with no required context or owned elements of their own. And axe-core's
# getExplicitRole passes over a doc-* token unless asked for DPUB roles
# (lib/commons/aria/get-explicit-role.js), which only its deprecated-role and required-children
# checks do: every other rule reads such an element by its implicit role (SEMANTIC_ROLES below),
# so <div role="doc-abstract" aria-label="..."> is a div that may not be named, and a
# <div role="doc-biblioentry"> needs no parent.
_DPUB = ("abstract acknowledgments afterword appendix backlink biblioentry bibliography biblioref chapter "
         "colophon conclusion cover credit credits dedication endnote endnotes epigraph epilogue errata example "
         "footnote foreword glossary glossref index introduction noteref notice pagebreak pagelist part "
         "preface prologue pullquote qna subtitle tip toc").split()
for _name in _DPUB:
    ROLES["doc-" + _name] = Role(deprecated=_name in ("biblioentry", "endnote"))

# Value types: bool, tristate (true/false/mixed/undefined), trifalse (true/false/undefined), int, number, string,
# idref, idrefs, token (one of the listed), tokens (space-separated list of the listed).
ATTRIBUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "aria-activedescendant": ("idref", ()),
    "aria-atomic": ("bool", ()),
    "aria-autocomplete": ("token", ("inline", "list", "both", "none")),
    "aria-braillelabel": ("string", ()),
    "aria-brailleroledescription": ("string", ()),
    "aria-busy": ("bool", ()),
    "aria-checked": ("tristate", ()),
    "aria-colcount": ("int", ()),
    "aria-colindex": ("int", ()),
    "aria-colindextext": ("string", ()),
    "aria-colspan": ("int", ()),
    "aria-controls": ("idrefs", ()),
    "aria-current": ("token", ("page", "step", "location", "date", "time", "true", "false")),
    "aria-describedby": ("idrefs", ()),
    "aria-description": ("string", ()),
    "aria-details": ("idref", ()),  # ARIA 1.3 allows several; axe-core 4.12 resolves one
    "aria-disabled": ("bool", ()),
    "aria-dropeffect": ("tokens", ("copy", "execute", "link", "move", "none", "popup")),
    "aria-errormessage": ("idref", ()),
    "aria-expanded": ("trifalse", ()),
    "aria-flowto": ("idrefs", ()),
    "aria-grabbed": ("trifalse", ()),
    "aria-haspopup": ("token", ("false", "true", "menu", "listbox", "tree", "grid", "dialog")),
    "aria-hidden": ("trifalse", ()),
    "aria-invalid": ("token", ("grammar", "false", "spelling", "true")),
    "aria-keyshortcuts": ("string", ()),
    "aria-label": ("string", ()),
    "aria-labelledby": ("idrefs", ()),
    "aria-level": ("int", ()),
    "aria-live": ("token", ("assertive", "off", "polite")),
    "aria-modal": ("bool", ()),
    "aria-multiline": ("bool", ()),
    "aria-multiselectable": ("bool", ()),
    "aria-orientation": ("token", ("horizontal", "vertical", "undefined")),
    "aria-owns": ("idrefs", ()),
    "aria-placeholder": ("string", ()),
    "aria-posinset": ("int", ()),
    "aria-pressed": ("tristate", ()),
    "aria-readonly": ("bool", ()),
    "aria-relevant": ("tokens", ("additions", "all", "removals", "text")),
    "aria-required": ("bool", ()),
    "aria-roledescription": ("string", ()),
    "aria-rowcount": ("int", ()),
    "aria-rowindex": ("int", ()),
    "aria-rowindextext": ("string", ()),
    "aria-rowspan": ("int", ()),
    "aria-selected": ("trifalse", ()),
    "aria-setsize": ("int", ()),
    "aria-sort": ("token", ("ascending", "descending", "none", "other")),
    "aria-valuemax": ("number", ()),
    "aria-valuemin": ("number", ()),
    "aria-valuenow": ("number", ()),
    "aria-valuetext": ("string", ()),
}

GLOBAL_ATTRS = _s("atomic braillelabel brailleroledescription busy controls current describedby description "
                  "details disabled dropeffect errormessage flowto grabbed haspopup hidden invalid keyshortcuts "
                  "label labelledby live owns relevant roledescription")
# Prohibited on roles whose name is prohibited (ARIA 1.2 + 1.3 braille label).
NAME_ATTRS = _s("label labelledby braillelabel")
_GENERIC_PROHIBITED = NAME_ATTRS | _s("roledescription brailleroledescription")


def _inherited(role: str) -> frozenset[str]:
    entry = ROLES[role]
    attrs = set(entry.supported) | set(entry.required)
    for sup in entry.superclass:
        attrs |= _inherited(sup)
    return frozenset(attrs)


# aria-expanded was allowed on most roles before ARIA 1.2 kept it on fewer; axe-core allows it on
# these (lib/standards/aria-roles.js), and on no element
# without a role: a div or a paragraph with aria-expanded fails aria-allowed-attr.
_EXPANDED = frozenset(
    "alert alertdialog application article banner button cell checkbox columnheader combobox complementary "
    "contentinfo definition dialog directory document feed figure form grid gridcell group heading img link "
    "list listbox listitem log main marquee math menu menubar menuitem menuitemcheckbox menuitemradio "
    "navigation note progressbar radiogroup region row rowheader search status switch tab table tablist "
    "tabpanel term timer toolbar tooltip tree treegrid treeitem".split())
SUPPORTED: dict[str, frozenset[str]] = {
    r: (_inherited(r) - {"aria-expanded"}) | GLOBAL_ATTRS
    | ({"aria-expanded"} if r in _EXPANDED else set())
    for r in ROLES}
PROHIBITED: dict[str, frozenset[str]] = {
    r: (_GENERIC_PROHIBITED if r == "generic" else NAME_ATTRS) for r, e in ROLES.items() if e.name_prohibited}
# Roles an author may give. ARIA 1.2's generic is the implicit role of div and span only: axe-core's
# standards do not list it, so role="generic" is no valid role (aria-roles) and is read as absent.
CONCRETE_ROLES = frozenset(r for r, e in ROLES.items() if not e.abstract and r != "generic")
# The roles axe-core reads as an element's role in every rule (see _DPUB above).
SEMANTIC_ROLES = frozenset(r for r in CONCRETE_ROLES if not r.startswith("doc-"))

# axe-core's patterns (lib/commons/aria/validate-attr-value.js): ASCII digits, no exponent.
_INT = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL = re.compile(r"[-+]?([0-9]*)\.?([0-9]*)\Z")
# Smallest valid value of the integer attributes that have one (WAI-ARIA 1.2 value
# descriptions: indexes and levels count from 1, counts may be -1 for "unknown").
_INT_MIN = {"aria-colcount": -1, "aria-colindex": 1, "aria-colspan": 1, "aria-level": 1, "aria-posinset": 1,
            "aria-rowcount": -1, "aria-rowindex": 1, "aria-rowspan": 0, "aria-setsize": -1}
_TYPE_VALUES = {"bool": ("true", "false"), "tristate": ("true", "false", "mixed", "undefined"),
                "trifalse": ("true", "false", "undefined")}


# Attributes whose value may be empty or blank (WAI-ARIA strings and ID references, and the
# two tokens whose empty value means "false"; axe-core's allowEmpty).
ALLOW_EMPTY = frozenset(a for a, (kind, _) in ATTRIBUTES.items() if kind in ("string", "idref", "idrefs")) | {
    "aria-current", "aria-haspopup"}


def is_valid_value(attr: str, value: str) -> bool:
    """Whether a non-empty value suits ``attr``'s ARIA value type as axe-core reads it
    (validate-attr-value.js), which is stricter than browsers: the value is never trimmed
    (aria-checked=" true" is invalid), single tokens are compared lower-cased, token lists
    (aria-relevant) as written, split by ``token_list``; numbers take no exponent. ID
    references are left to the caller, which has the document."""
    kind, tokens = ATTRIBUTES[attr]
    if kind in _TYPE_VALUES:
        return value.lower() in _TYPE_VALUES[kind]
    if kind == "int":
        return bool(_INT.match(value)) and int(value) >= _INT_MIN.get(attr, int(value))
    if kind == "number":
        m = _DECIMAL.match(value)
        return bool(m and (m.group(1) or m.group(2)))
    if kind == "token":
        return value.lower() in tokens
    if kind == "tokens":
        return all(t in tokens for t in token_list(value))
    return True  # string, idref, idrefs


_SPACE_RUN = re.compile(r"\s{2,}")


def token_list(value: str) -> list[str]:
    """A space-separated attribute value as axe-core splits it (lib/core/utils/token-list.js):
    at single spaces, after runs of two or more whitespace characters become one space. A lone
    tab or newline is no separator there, so role="menuitem<TAB>menuitemradio" is one invalid
    role and aria-controls="a<TAB>b" one missing id."""
    return _SPACE_RUN.sub(" ", value.strip()).split(" ")


def role_tokens(value: str) -> list[str]:
    """The tokens of a role attribute, lower-cased, as axe-core reads roles (``token_list``)."""
    return token_list(value.lower())


def allowed_owned(role: str) -> tuple[set[str], dict[str, set[str]]]:
    """(roles an element of ``role`` may own directly, {container role: roles it may hold})."""
    direct, nested = set(), {}
    for entry in ROLES[role].owned:
        container, _, inner = entry.partition(">")
        direct.add(container)
        if inner:
            nested.setdefault(container, set()).add(inner)
    return direct, nested
