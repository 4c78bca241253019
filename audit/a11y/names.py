"""The document model the static accessibility rules read: elements, their hidden and
focusable state, their ARIA role and their accessible name.

selectolax's Lexbor parser gives an HTML5-conformant DOM fast, but every attribute
access on its nodes crosses into C and allocates; the rules look at each element many
times, so the tree is copied once into plain ``El`` objects (0.5-1 ms for a 50 KB page,
most of it creating the objects, which is why each El derives its hidden state as it is
created rather than in a second pass, and is created without a constructor call) and
everything else is pure Python over those.

Without a browser there is no computed style.  What the ACT test pages and real
council pages use to hide things is covered: the ``hidden`` attribute, ``aria-hidden``,
inline ``display:none`` / ``visibility:hidden``, the same declarations in ``<style>``
rules whose selector is a single compound of tag, ``#id`` and ``.class`` (rules inside
``@media`` and other at-rules are ignored, since they may not apply), closed
``<details>``, ``<template>`` and ``<input type=hidden>``.  Off-screen positioning does
not hide anything from assistive technology, so it is deliberately not modelled.

Roles follow WAI-ARIA 1.2 and HTML-AAM (first valid token of ``role``, presentational
roles conflict resolution, implicit roles).  Names follow accname 1.2: ``aria-labelledby``
(hidden referenced nodes still count), ``aria-label``, host-language labels (``alt``,
``<label>``, ``<legend>``, ``<caption>``, ``<figcaption>``, SVG ``<title>``, button values
and defaults), name from content, then ``title`` and ``placeholder``.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from selectolax.lexbor import LexborHTMLParser

from audit.a11y.aria import GLOBAL_ATTRS, ROLES, SEMANTIC_ROLES, role_tokens
from audit.core.dates import fold
from audit.core.page import squash  # how accname flattens text, too

# Never rendered, whatever the CSS says.
_NOT_RENDERED = frozenset(("head", "script", "style", "template", "noscript", "title", "meta", "link",
                           "datalist", "param", "source", "track", "base"))
# The attributes El._own_hidden reads (besides an input's type): an element with none of
# them, outside a closed <details>, on a page without style rules, inherits its parent's
# hidden bits unchanged, and Document._new skips the call.
_HIDING_ATTRS = frozenset(("style", "hidden", "aria-hidden", "inert"))
# Elements whose content starts on a new line: their text is separated by a space in names.
_BLOCK = frozenset(("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
                    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
                    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"))
_DISABLEABLE = frozenset(("button", "input", "select", "textarea", "optgroup", "option", "fieldset"))
_LABELABLE = frozenset(("button", "input", "meter", "output", "progress", "select", "textarea"))
_INPUT_ROLES = {"button": "button", "submit": "button", "reset": "button", "image": "button",
                "checkbox": "checkbox", "radio": "radio", "range": "slider", "number": "spinbutton",
                "search": "searchbox", "email": "textbox", "tel": "textbox", "text": "textbox",
                "url": "textbox", "password": "textbox"}
_SIMPLE_ROLES = {
    "article": "article", "aside": "complementary", "blockquote": "blockquote", "button": "button",
    "caption": "caption", "code": "code", "datalist": "listbox", "dd": "definition", "del": "deletion",
    "details": "group", "dfn": "term", "dialog": "dialog", "dt": "term", "em": "emphasis",
    "fieldset": "group", "figure": "figure", "form": "form", "h1": "heading", "h2": "heading",
    "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading", "hgroup": "group", "hr": "separator",
    "html": "document", "ins": "insertion", "li": "listitem", "main": "main", "math": "math", "menu": "list",
    "meter": "meter", "nav": "navigation", "ol": "list", "optgroup": "group", "option": "option",
    "output": "status", "p": "paragraph", "progress": "progressbar", "s": "deletion", "search": "search",
    "strong": "strong", "sub": "subscript", "sup": "superscript", "svg": "graphics-document",
    "table": "table", "tbody": "rowgroup", "textarea": "textbox", "tfoot": "rowgroup", "thead": "rowgroup",
    "time": "time", "tr": "row", "ul": "list", "address": "group",
    "b": "generic", "bdi": "generic", "bdo": "generic", "data": "generic",
    "body": "document",  # axe-core's implicit role (HTML-AAM's generic would prohibit a name on it)
    "div": "generic", "i": "generic", "pre": "generic", "q": "generic", "samp": "generic",
    "small": "generic", "span": "generic", "u": "generic",
}
# Embedded content (lib/standards/html-elms.js contentTypes): its fallback text names nothing
# (axe-core's subtreeText), so <audio role="checkbox">Not supported</audio> has no name, and
# an <svg> is named by its <title> alone, not its <desc> or <text>.
_EMBEDDED = frozenset(("audio", "canvas", "embed", "iframe", "math", "object", "svg", "video"))
_SECTIONING = frozenset(("article", "aside", "main", "nav", "section"))
_NAMING_CHILD = {"fieldset": "legend", "figure": "figcaption", "table": "caption"}
# Embedded controls that give a label around them their value, never their text (axe-core's
# controlValueRoles, lib/commons/text/form-control-value.js: not searchbox, whose value names nothing).
_TEXT_CONTROL_ROLES = frozenset(("textbox", "combobox", "listbox", "spinbutton", "slider", "progressbar",
                                 "scrollbar"))
# Names are built from at most this many elements: enough for any real control, and it
# keeps the recursion within Python's stack on pathological nesting.
_MAX_NAME_NODES = 300
_INT_PREFIX = re.compile(r"\s*([+-]?\d+)")
# El.hidden bits: display:none (or never rendered), visibility:hidden, aria-hidden, inert.
_NONE, _VIS, _ARIA, _INERT = 1, 2, 4, 8


class cached_property:  # noqa: N801 - same role as functools.cached_property
    """functools.cached_property without its per-access lock (Python 3.11), which cost
    a third of the run time here; El objects are never shared between threads."""

    def __init__(self, fn):
        self.fn, self.name, self.__doc__ = fn, fn.__name__, fn.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


def parse_int(value: str | None) -> int | None:
    """HTML's rules for parsing integers: leading whitespace, optional sign, digits."""
    m = _INT_PREFIX.match(value) if value is not None else None
    return int(m.group(1)) if m else None


class El:
    """One element: tag, attributes, children (El or text str) and derived state."""

    __slots__ = ("tag", "attrs", "node", "_children", "parent", "ns", "hidden", "doc", "__dict__")

    def __init__(self, tag: str, attrs: dict, parent: El | None, doc: Document, node):
        self.tag, self.attrs, self.parent, self.doc, self.node = tag, attrs, parent, doc, node
        self._children = None

    def _own_hidden(self, hidden: int) -> int:
        """The ``hidden`` bits (_NONE, _VIS, _ARIA, _INERT): the parent's (``hidden``) with
        what this element's own markup and the page's style rules add or remove. Only
        called when one of them can change something (see Document._new)."""
        attrs, tag, parent = self.attrs, self.tag, self.parent
        styles = self.doc.styles
        if styles.rules:
            sheet_none, sheet_vis = styles.apply(self)
            if sheet_none:
                hidden |= _NONE
            if sheet_vis:
                hidden = hidden & ~_VIS if sheet_vis == "visible" else hidden | _VIS
        if attrs:
            style = attrs.get("style")
            if style:
                if _DISPLAY_NONE.search(style):
                    hidden |= _NONE
                m = _VISIBILITY.search(style)
                if m:
                    hidden = hidden & ~_VIS if m.group(1).lower() == "visible" else hidden | _VIS
            if ("hidden" in attrs and not (style and _DISPLAY_SHOWN.search(style))) or (
                    tag == "input" and attrs.get("type", "").lower() == "hidden"):
                hidden |= _NONE  # the hidden attribute is the browser's display:none, which a style overrides
            if attrs.get("aria-hidden") == "true":  # as written: axe-core's ariaHidden (visibility-methods.js)
                hidden |= _ARIA
            if "inert" in attrs:
                hidden |= _INERT
        if tag in _NOT_RENDERED or (parent is not None and parent.tag == "details" and "open" not in parent.attrs
                                    and not self.is_details_summary):
            hidden |= _NONE
        if tag == "area" and not self._in_used_map():
            hidden |= _ARIA  # out of the tree, still focusable (axe-core's isFocusable ignores maps)
        return hidden

    def _in_used_map(self) -> bool:
        """An <area> is exposed only through an image: its <map> has a name an ``img usemap``
        names (axe-core's areaHidden in isVisibleToScreenReaders)."""
        name = next((a.attrs.get("name", "") for a in self.ancestors() if a.tag == "map"), "")
        return bool(name) and name in self.doc.usemaps

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def children(self) -> list:
        """Child elements (El) and texts (str) in order, comments left out: read from
        Lexbor's tree the first time a rule looks inside this element."""
        children = self._children
        if children is None:
            children = self._children = self.doc.children_of(self)
        return children

    @property
    def elements(self):
        return (c for c in self.children if isinstance(c, El))

    def descendants(self):
        """Descendant elements in document order."""
        stack = list(reversed(list(self.elements)))
        while stack:
            el = stack.pop()
            yield el
            stack.extend(reversed(list(el.elements)))

    def ancestors(self):
        el = self.parent
        while el is not None:
            yield el
            el = el.parent

    # ---- visibility -------------------------------------------------------------------
    @property
    def rendered(self) -> bool:
        """Laid out and painted (not display:none / hidden / visibility:hidden)."""
        return not self.hidden & (_NONE | _VIS)

    @property
    def inert(self) -> bool:
        """In an inert subtree (no focus, no interaction)."""
        return bool(self.hidden & _INERT)

    @property
    def in_tree(self) -> bool:
        """Included in the accessibility tree."""
        return not self.hidden & (_NONE | _VIS | _ARIA)

    # ---- focus -------------------------------------------------------------------------
    @cached_property
    def disabled(self) -> bool:
        """Actually disabled (HTML), including by a disabled fieldset outside its first legend."""
        if self.tag not in _DISABLEABLE or self.ns != "html":
            return False
        if "disabled" in self.attrs:
            return True
        child = self
        for anc in self.ancestors():
            if anc.tag == "fieldset" and "disabled" in anc.attrs:
                legend = next((c for c in anc.elements if c.tag == "legend"), None)
                if child is not legend:
                    return True
            if anc.tag == "optgroup" and self.tag == "option" and "disabled" in anc.attrs:
                return True
            child = anc
        return False

    @cached_property
    def tabindex(self) -> int | None:
        return parse_int(self.attrs.get("tabindex"))

    @cached_property
    def natively_focusable(self) -> bool:
        """Focusable without a tabindex, as axe-core's isNativelyFocusable has it
        (lib/commons/dom/is-natively-focusable.js): every <summary>, a <details> with no summary
        (the browser gives it one), and not media controls, which Chromium draws only for media
        that has loaded (an audit replays pages without their media)."""
        tag, attrs = self.tag, self.attrs
        if self.disabled:
            return False
        if tag in ("a", "area") and self.ns != "math":
            return "href" in attrs or "xlink:href" in attrs
        if tag in ("button", "select", "textarea", "summary"):
            return True
        if tag == "input":
            return attrs.get("type", "").lower() != "hidden"
        if tag == "details":
            return not any(d.tag == "summary" for d in self.descendants())
        return attrs.get("contenteditable", "false").lower() in ("", "true", "plaintext-only")

    @cached_property
    def focusable(self) -> bool:
        """Can receive focus at all (tabindex=-1 included)."""
        if self.hidden & (_NONE | _VIS | _INERT) or self.disabled:
            return False
        return self.tabindex is not None or self.natively_focusable

    @property
    def tabbable(self) -> bool:
        """In sequential focus navigation (reached with the Tab key)."""
        return self.focusable and (self.tabindex is None or self.tabindex >= 0)

    @cached_property
    def is_details_summary(self) -> bool:
        """The summary that acts as its details element's control (the first summary child)."""
        p = self.parent
        return (self.tag == "summary" and p is not None and p.tag == "details"
                and next((c for c in p.elements if c.tag == "summary"), None) is self)

    # ---- roles -------------------------------------------------------------------------
    @cached_property
    def explicit_role(self) -> str | None:
        """The ``role`` attribute when it is one non-abstract ARIA role. axe-core reads the whole
        value as one role (getExplicitRole without ``fallback``), so ``role="tab menuitem"`` gives
        no explicit role and the element keeps its implicit one; so does a DPUB role (see
        audit.a11y.aria._DPUB)."""
        value = self.attrs.get("role", "").strip().lower()
        return value if value in SEMANTIC_ROLES else None

    @cached_property
    def fallback_role(self) -> str | None:
        """The first token of ``role`` that is a non-abstract ARIA role, DPUB roles passed over:
        what axe-core's aria-prohibited-attr reads (getRole with ``fallback``)."""
        return next((t for t in role_tokens(self.attrs.get("role", "")) if t in SEMANTIC_ROLES), None)

    @cached_property
    def has_global_aria(self) -> bool:
        return any(a in GLOBAL_ATTRS for a in self.attrs)

    @cached_property
    def presentational_conflict(self) -> bool:
        """Presentational roles conflict resolution applies: the explicit none/presentation is ignored."""
        return self.focusable or self.has_global_aria

    @cached_property
    def role(self) -> str | None:
        """The semantic role: explicit (unless a presentational conflict), else implicit."""
        explicit = self.explicit_role
        if explicit in ("none", "presentation"):
            return self.implicit_role if self.presentational_conflict else "none"
        return explicit or self.implicit_role

    @cached_property
    def implicit_role(self) -> str | None:
        tag, attrs = self.tag, self.attrs
        if self.ns == "svg":
            return "graphics-document" if tag == "svg" else None
        if self.ns == "math":
            return "math" if tag == "math" else None
        if tag == "img":
            if attrs.get("alt") == "" and not self.presentational_conflict:
                return "none"
            return "img"
        if tag == "input":
            # axe-core's implicit roles: a list attribute makes a combobox only when it names a
            # <datalist>, and every type not listed (date, time, file, color, ...) is a textbox
            kind = attrs.get("type", "text").lower()
            if kind in ("text", "search", "email", "tel", "url", "") and self._suggestions():
                return "combobox"
            return _INPUT_ROLES.get(kind, "textbox")
        if tag in ("a", "area"):
            return "link" if "href" in attrs else ("generic" if tag == "a" else None)
        if tag == "select":
            multi = "multiple" in attrs or (parse_int(attrs.get("size")) or 0) > 1
            return "listbox" if multi else "combobox"
        if tag in ("header", "footer"):
            if any(a.tag in _SECTIONING or a.explicit_role in ROLES_SECTIONING for a in self.ancestors()):
                return "generic"
            return "banner" if tag == "header" else "contentinfo"
        if tag == "section":
            return "region" if self.author_named else "generic"
        if tag in ("td", "th"):
            table = self.table
            grid = table is not None and table.role in ("grid", "treegrid")
            if tag == "td":
                return "gridcell" if grid else "cell"
            scope = attrs.get("scope", "").lower()
            if scope in ("row", "rowgroup"):
                return "rowheader"
            if scope in ("col", "colgroup"):
                return "columnheader"
            return "rowheader" if self._auto_row_header else "columnheader"
        return _SIMPLE_ROLES.get(tag)

    def _suggestions(self) -> bool:
        """The input's ``list`` attribute names a ``<datalist>`` (HTML's suggestions source)."""
        ref = self.attrs.get("list", "").split()
        target = self.doc.by_id.get(ref[0]) if ref else None
        return target is not None and target.tag == "datalist"

    @property
    def author_named(self) -> bool:
        return any(self.attrs.get(a, "").strip() for a in ("aria-label", "aria-labelledby", "title"))

    @cached_property
    def table(self) -> El | None:
        """The nearest ancestor ``table`` element."""
        return next((a for a in self.ancestors() if a.tag == "table"), None)

    @property
    def _auto_row_header(self) -> bool:
        """A th without scope heads its row when its row also holds data cells, and its column doesn't."""
        row = self.parent
        if row is None:
            return False
        return any(c.tag == "td" for c in row.elements) and next(row.elements) is self

    # ---- names -------------------------------------------------------------------------
    @cached_property
    def name(self) -> str:
        """The accessible name, whitespace-collapsed."""
        return squash(_name(self, set(), root=True))

    @cached_property
    def labels(self) -> list[El]:
        """Associated, rendered ``<label>`` elements (for attribute, or the wrapping label)."""
        if self.tag not in _LABELABLE or self.ns != "html":
            return []
        found = []
        el_id = self.attrs.get("id")
        if el_id:
            found.extend(self.doc.labels_for.get(el_id, ()))
        for anc in self.ancestors():
            if anc.tag == "label":
                if "for" not in anc.attrs and anc not in found:
                    found.append(anc)
                break
        return [lab for lab in found if lab.in_tree]


ROLES_SECTIONING = frozenset(("article", "complementary", "main", "navigation", "region"))


def _name(el: El, visited: set[int], root: bool = False, in_content: bool = False,
          from_ref: bool = False, show_hidden: bool = False) -> str:
    """accname 1.2 text alternative of ``el`` (unsquashed)."""
    if id(el) in visited or len(visited) > _MAX_NAME_NODES:
        return ""
    visited.add(id(el))
    attrs = el.attrs
    role = el.role
    if not from_ref and attrs.get("aria-labelledby", "").strip():
        parts = []
        for ref_id in attrs["aria-labelledby"].split():
            ref = el.doc.by_id.get(ref_id)
            if ref is not None:
                parts.append(_name(ref, visited, from_ref=True, show_hidden=show_hidden or not ref.in_tree))
        text = " ".join(parts)
        if text.strip():
            return text
    if not root and role in _TEXT_CONTROL_ROLES and (in_content or from_ref):
        return _control_value(el)
    label = attrs.get("aria-label", "")
    if label.strip():
        return label
    if role != "none":
        text = _host_name(el, visited)
        if text.strip():
            return text
    if (in_content or from_ref or el.tag == "summary"
            or (role in ROLES and ROLES[role].name_from_content)) and el.tag not in _EMBEDDED:
        text = _content(el, visited, show_hidden)
        if text.strip():
            return text
    if role == "none":
        return ""
    title = attrs.get("title", "")
    if title.strip():
        return title
    if el.tag in ("input", "textarea"):
        return attrs.get("placeholder", "")  # not aria-placeholder: axe-core's names ignore it
    return ""


def _control_value(el: El) -> str:
    """The value an embedded control contributes to the name of the label around it. A
    progressbar's is none: axe-core leaves it out, as Safari does (its text/unsupported.js)."""
    if el.role == "progressbar":
        return ""
    if el.tag == "select":
        options = [o for o in el.descendants() if o.tag == "option"]
        chosen = next((o for o in options if "selected" in o.attrs), options[0] if options else None)
        return _text(chosen) if chosen is not None else ""
    if el.tag == "textarea":
        return _text(el)
    if el.tag == "input":
        return el.attrs.get("value", "")
    return el.attrs.get("aria-valuetext") or el.attrs.get("aria-valuenow") or _text(el)


def _host_name(el: El, visited: set[int]) -> str:
    """Name from the host language (HTML, SVG) other than title/placeholder."""
    tag, attrs = el.tag, el.attrs
    if el.ns == "svg":
        title = next((c for c in el.elements if c.tag == "title"), None)
        return _text(title) if title is not None else ""
    if el.ns != "html":
        return ""
    if tag == "input":
        kind = attrs.get("type", "").lower()
        if kind == "image":
            # alt, then an associated <label> (axe-core's input-image-alt accepts one)
            alt = attrs.get("alt", "")
            if alt.strip() or not el.labels:
                return alt
            return " ".join(_name(lab, visited, from_ref=True) for lab in el.labels)
        if kind in ("button", "submit", "reset"):
            # value, then an associated <label> (browsers and axe-core use it), then the default
            if "value" in attrs:
                return attrs["value"]
            if el.labels:
                return " ".join(_name(lab, visited, from_ref=True) for lab in el.labels)
            return {"submit": "Submit", "reset": "Reset"}.get(kind, "")
    if tag in ("img", "area"):
        return attrs.get("alt", "")
    if tag in _LABELABLE and el.labels:
        return " ".join(_name(lab, visited, from_ref=True) for lab in el.labels)
    first_child = _NAMING_CHILD.get(tag)
    if first_child:
        child = next((c for c in el.elements if c.tag == first_child), None)
        if child is not None and child.in_tree:
            return _content(child, visited, False)
    return ""


def _content(el: El, visited: set[int], show_hidden: bool) -> str:
    """Name from content: the names of the children, concatenated."""
    parts = []
    for child in el.children:
        if isinstance(child, str):
            parts.append(child)
        elif show_hidden or child.in_tree:
            text = _name(child, visited, in_content=True, show_hidden=show_hidden)
            parts.append(f" {text} " if child.tag in _BLOCK else text)
    return "".join(parts)


def _text(el: El) -> str:
    """All descendant text (textContent)."""
    parts, stack = [], list(reversed(el.children))
    while stack:
        child = stack.pop()
        if isinstance(child, str):
            parts.append(child)
        else:
            stack.extend(reversed(child.children))
    return "".join(parts)


# ---- parsing and the document -----------------------------------------------------------
_DISPLAY_NONE = re.compile(r"(?:^|;)\s*display\s*:\s*none\s*(?:!important\s*)?(?:;|$)", re.I)
_DISPLAY_SHOWN = re.compile(r"(?:^|;)\s*display\s*:\s*(?!none\b)[a-z-]", re.I)
_VISIBILITY = re.compile(r"(?:^|;)\s*visibility\s*:\s*(hidden|collapse|visible)\s*(?:!important\s*)?(?:;|$)",
                         re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_BRACE = re.compile(r"[{}]")
# What every declaration _DISPLAY_NONE or _VISIBILITY matches holds (see StyleRules._add).
_HIDING_DECLARATION = re.compile(r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse|visible)", re.I)
_COMPOUND = re.compile(r"([a-zA-Z][\w-]*)?((?:[#.][\w-]+)*)\Z")


class StyleRules:
    """display/visibility declarations from ``<style>`` rules with simple selectors."""

    def __init__(self, css_texts: list[str]):
        self.rules: list[tuple[str | None, str | None, frozenset[str], bool, str | None]] = []
        for css in css_texts:
            self._add(_CSS_COMMENT.sub("", css))

    def _add(self, css: str) -> None:
        """Each top-level rule's selector and body, found by the braces alone (``_BRACE``
        steps from one to the next: a heavy page's 15-45 KB of inline CSS, read a character
        at a time in Python, was most of the engine's cost on such a page). Only a body
        holding a declaration ``_rule`` reads (``_hiding_declarations``, found in the whole
        text at once: no match crosses a brace) is handed to it: such pages have hundreds of
        rules and seldom one that hides anything."""
        hiding = _hiding_declarations(css)
        if not hiding:
            return
        depth, start, selector = 0, 0, ""
        for brace in _BRACE.finditer(css):
            i, ch = brace.start(), brace.group()
            if ch == "{":
                if depth == 0:
                    selector = css[start:i].strip()
                    body_start = i + 1
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    k = bisect_left(hiding, (body_start,))
                    if not selector.startswith("@") and k < len(hiding) and hiding[k][1] <= i:
                        self._rule(selector, css[body_start:i])
                    start = i + 1
                depth = max(depth, 0)

    def _rule(self, selectors: str, body: str) -> None:
        none = bool(_DISPLAY_NONE.search(body))
        vis = _VISIBILITY.search(body)
        if not none and not vis:
            return
        for sel in selectors.split(","):
            m = _COMPOUND.match(sel.strip())
            if not m or not sel.strip():
                continue
            tag, rest = m.group(1), m.group(2)
            ids = re.findall(r"#([\w-]+)", rest)
            classes = frozenset(re.findall(r"\.([\w-]+)", rest))
            self.rules.append((tag.lower() if tag else None, ids[0] if ids else None, classes, none,
                               vis.group(1).lower() if vis else None))

    def apply(self, el: El) -> tuple[bool, str | None]:
        """(display:none?, visibility value or None) from the matching rules, last one winning."""
        none, vis = False, None
        classes = set(el.attrs.get("class", "").split()) if self.rules else ()
        for tag, el_id, need, is_none, visibility in self.rules:
            if ((tag is None or tag == el.tag) and (el_id is None or el.attrs.get("id") == el_id)
                    and need <= classes):
                none = none or is_none
                vis = visibility or vis
        return none, vis


def _hiding_declarations(css: str) -> list[tuple[int, int]]:
    """(start, end) of every match of ``_HIDING_DECLARATION`` in ``css``, in order. The
    case-insensitive pattern is tried only where ``fold`` finds "display" or "visibility"
    (it folds exactly as re.IGNORECASE does, one byte a character, so offsets carry over):
    run over a heavy page's 15-45 KB of CSS it cost ~0.8 ms a page, the byte searches ~0.05."""
    folded = fold(css)
    spans = []
    for word in (b"display", b"visibility"):
        at = folded.find(word)
        while at >= 0:
            m = _HIDING_DECLARATION.match(css, at)
            if m:
                spans.append(m.span())
            at = folded.find(word, at + 1)
    spans.sort()
    return spans


def has_role_lang_or_aria(attrs: dict[str, str]) -> bool:
    """A role, lang, xml:lang or aria-* attribute (a loop: elements have one or two attributes)."""
    for name in attrs:
        if name[:5] == "aria-" or name == "role" or name == "lang" or name == "xml:lang":
            return True
    return False


def _attributes(node) -> dict[str, str]:
    """The node's attributes, valueless ones as "" (``node.attributes`` is a fresh dict per call)."""
    attrs = node.attributes
    if None in attrs.values():
        return {k: "" if v is None else v for k, v in attrs.items()}
    return attrs


def _text_only(node) -> bool:
    """Lexbor element ``node`` holds text alone (comments aside), with a non-space character."""
    has_text = False
    child = node.child
    while child is not None:
        if child.is_text_node:
            has_text = has_text or bool((child.text_content or "").strip())
        elif child.is_element_node:
            return False
        child = child.next
    return has_text


class Document:
    """A parsed page: the indexes the rules need, and El objects for just the elements the
    rules reach (see ``__init__``)."""

    def __init__(self, html: str, tree: LexborHTMLParser | None = None, plain_tags: frozenset[str] = frozenset(),
                 plain_when_text: frozenset[str] = frozenset()):
        """``tree``: the page already parsed (the audit's Page.tree); it is only read.
        ``plain_tags``: tags the caller's rules never look at for themselves (see
        ``candidates``). ``plain_when_text``: tags that count as plain too when the element's
        content is text alone, with a non-space character, and it has no role, lang or aria-*
        attribute (the caller's text links and list options).

        Lexbor's elements are read once, in document order (one query), and an El is made
        only for a candidate, an element with an id, a ``<label for>``, and their ancestors;
        any other element gets one when a rule first reaches it (an element's ``children``,
        ``elements``, ``descendants()``; ``Document.elements``). Copying every element of a
        page (a typical page has ~400, most of them menus of text links and the list items
        around them) was over half of this engine's time."""
        tree = tree if tree is not None else LexborHTMLParser(html)
        # Style rules first: each element derives its hidden state when it is made.
        self.styles = StyleRules([node.text_lexbor() or "" for node in tree.css("style")])
        self.by_id: dict[str, El] = {}  # first element with each id (the root is not indexed)
        self.with_id: list[El] = []  # every element with an id attribute, in document order
        self.labels_for: dict[str, list[El]] = {}
        # Elements in document order whose tag is not in plain_tags (nor plain_when_text with text alone),
        # or that have a role, lang or aria-* attribute: gathered in the one pass over the
        # page's elements, so the rules need not look at every element to find them.
        self.candidates: list[El] = []
        self._nodes = tree.css("*")  # every element, in document order (the root first)
        self._by_node: dict[int, El] = {}  # Lexbor node address -> its El, once made
        self._all: list[El] | None = None
        self.root = self._index(plain_tags, plain_when_text)

    def _index(self, plain_tags: frozenset[str], plain_when_text: frozenset[str]) -> El:
        nodes = self._nodes
        root = self._new(nodes[0], None)
        by_id, with_id, labels_for, candidates = self.by_id, self.with_id, self.labels_for, self.candidates
        if "id" in root.attrs:
            with_id.append(root)
        if root.tag not in plain_tags or has_role_lang_or_aria(root.attrs):
            candidates.append(root)
        element = self.element
        for node in nodes[1:]:
            tag = node.tag.lower()  # SVG keeps camelCase (foreignObject); rules compare lower
            attrs = node.attributes
            special = bool(attrs) and has_role_lang_or_aria(attrs)
            if special or tag not in plain_tags and not (tag in plain_when_text and _text_only(node)):
                candidates.append(element(node))
            if attrs:
                el_id = attrs.get("id")
                if el_id is not None:
                    el = element(node)
                    with_id.append(el)
                    if el_id not in by_id:
                        by_id[el_id] = el
                if tag == "label" and "for" in attrs:
                    labels_for.setdefault(attrs["for"], []).append(element(node))
        return root

    def element(self, node) -> El:
        """The El of Lexbor element ``node``, made (with any of its ancestors not made yet)
        if need be: for a rule that reads Lexbor's nodes and needs the El of only a few."""
        by_node = self._by_node
        el = by_node.get(node.mem_id)
        if el is not None:
            return el
        missing = [node]
        parent = node.parent
        while parent is not None and (el := by_node.get(parent.mem_id)) is None:
            missing.append(parent)
            parent = parent.parent
        for node in reversed(missing):
            el = self._new(node, el)
        return el

    def _new(self, node, parent: El | None) -> El:
        """A new El for ``node`` under ``parent``: its namespace and hidden bits start from
        the parent's; ``El._own_hidden`` is called only when the element's markup or the
        page's style rules can change them."""
        tag = node.tag.lower()
        attrs = node.attributes
        if attrs and None in attrs.values():
            attrs = _attributes(node)
        el = El(tag, attrs, parent, self, node)
        self._by_node[node.mem_id] = el  # before _own_hidden, which may list the parent's children
        if parent is None:  # the root (Lexbor's html element)
            el.ns = "svg" if tag == "svg" else "html"
            el.hidden = el._own_hidden(0)
            return el
        parent_ns = parent.ns
        if parent_ns == "html":
            el.ns = "html" if tag != "svg" and tag != "math" else tag
        else:
            el.ns = "html" if parent.tag == "foreignobject" else parent_ns
        if self.styles.rules or tag in _NOT_RENDERED or tag == "area" or (
                parent.tag == "details" and "open" not in parent.attrs) or (
                attrs and (tag == "input" or not _HIDING_ATTRS.isdisjoint(attrs))):
            el.hidden = el._own_hidden(parent.hidden)
        else:
            el.hidden = parent.hidden
        return el

    @cached_property
    def usemaps(self) -> frozenset[str]:
        """The map names the page's images use (``usemap="#name"``)."""
        return frozenset(n.attributes["usemap"].strip().removeprefix("#") for n in self._nodes
                         if n.tag == "img" and n.attributes.get("usemap"))

    def children_of(self, el: El) -> list:
        """The El and text children of ``el``, in order (see El.children)."""
        out = []
        by_node = self._by_node
        child = el.node.child
        while child is not None:
            if child.is_text_node:
                out.append(child.text_content or "")
            elif child.is_element_node:
                out.append(by_node.get(child.mem_id) or self._new(child, el))
            child = child.next
        return out

    @property
    def elements(self) -> list[El]:
        """Every element in document order (each made now if not yet)."""
        if self._all is None:
            element = self.element
            self._all = [element(node) for node in self._nodes]
        return self._all

    def dismantle(self) -> None:
        """Break the element tree's reference cycles (parent and children, element and
        document) so that reference counting frees it at once. Left to the cyclic garbage
        collector, each page's tree outlived the young generations and waited for a full
        collection, which walks everything an audit holds: ~15% of the audit's CPU.
        Cached values are left alone: the only elements they hold (``table``, ``labels``)
        lead nowhere once these links are cut, and reading ``el.__dict__`` to clear it
        would first make an empty dict for every element that has none."""
        for el in self._by_node.values():
            el.parent = el._children = el.doc = el.node = None
        self._by_node, self._all, self._nodes, self.root = {}, None, [], None
        self.by_id, self.with_id, self.labels_for, self.candidates = {}, [], {}, []
        self.__dict__.pop("html", None)

    @cached_property
    def html(self) -> El | None:
        return self.root if self.root.tag == "html" else None
