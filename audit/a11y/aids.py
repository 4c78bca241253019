"""Accessibility aids on a page: ``translation``, ``text_resize``, ``read_aloud``
(anchors.md section 5; Matthews et al. counted these three functions).

Evidence is ``host + marker`` so a council can check it ("api.reciteme.com script").

Signatures are read from markup that *loads or launches* a tool, never from prose:

- Recite Me (``reciteme.com`` in a script ``src``, stylesheet, or inline loader script;
  or the ``#reciteme-launch`` / ``.reciteme`` launch control): counts as all three. The
  Recite Me toolbar has a screen reader (read aloud), translation into 100+ languages,
  and font size / styling controls, all available to every visitor once launched.
- ReachDeck / BrowseAloud (``browsealoud.com``, ``texthelp.com`` scripts, ``#__ba_launchpad``,
  ``_baLocale``): read aloud + translation (its toolbar translates; it has a magnifier,
  not a page text-size control, so no ``text_resize``).
- Google Translate widget (``translate_a/element.js``, ``google.translate.TranslateElement``,
  ``#google_translate_element``, ``select.goog-te-combo``); or a "translate this page"
  link (``translate.google.*/translate?...u=``) outside running prose: translation.
- ReadSpeaker (``readspeaker.com`` script, ``ReadSpeaker`` inline, ``.rsbtn`` button): read aloud.
- Home-grown text-size controls: an interactive element (button, link, input, select,
  ``role=button``) whose class/id token *names a control* (``text-size``, ``textresize``,
  ``font-size-increase``, ``increase-font``…) or whose aria-label/title says "text size" /
  "increase text"; a short visible label "Text size" / "Change text size" next to buttons;
  or a group of two or more "A"/"A+"/"A-" buttons. A heading with a CSS utility class
  ``font-size-large`` is styling, not a control, and is ignored; so is prose such as
  "family size" or "you can change the text size in your browser".

A link *to* reciteme.com or translate.google.com inside a paragraph is a mention, not a tool.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from audit.core.page import Page, squash

FEATURES = ("translation", "text_resize", "read_aloud")

# (substring in a script src / link href, host label, features)
_SCRIPT_SIGNATURES = (
    ("reciteme.com", "reciteme.com", ("translation", "text_resize", "read_aloud")),
    ("browsealoud.com", "browsealoud.com", ("read_aloud", "translation")),
    ("texthelp.com", "texthelp.com", ("read_aloud", "translation")),
    ("reachdeck", "reachdeck", ("read_aloud", "translation")),
    ("translate.google.com/translate_a/element.js", "translate.google.com", ("translation",)),
    ("translate_a/element.js", "translate.google.com", ("translation",)),
    ("readspeaker.com", "readspeaker.com", ("read_aloud",)),
)
# (pattern, words one of which every match holds (lower-cased), label, features). The words
# rule a pattern out with a plain substring search: a page builder's inline scripts run to
# tens of KB, and the patterns' alternatives and \b make each search of them a slow scan.
_INLINE_SIGNATURES = (
    (re.compile(r"reciteme\.com|Recite\.(?:load|enable)\s*\(|reciteEnable"), ("recite",), "reciteme.com inline loader",
     ("translation", "text_resize", "read_aloud")),
    (re.compile(r"browsealoud\.com|_baLocale|_baMode|\bBrowseAloud\b|toggleBrowseAloud"), ("browsealoud", "_ba"),
     "browsealoud.com inline loader", ("read_aloud", "translation")),
    (re.compile(r"google\.translate\.TranslateElement|googleTranslateElementInit|translate_a/element\.js"),
     ("translate",), "translate.google.com inline TranslateElement", ("translation",)),
    (re.compile(r"readspeaker\.com|ReadSpeakerDefer|\bReadSpeaker\b|\brspkr\b"), ("readspeaker", "rspkr"),
     "readspeaker.com inline loader", ("read_aloud",)),
)
# (css selector, label, features)
_DOM_SIGNATURES = (
    ("#reciteme-launch, .reciteme-launch, button.reciteme, a.reciteme, [href='#reciteEnable'], #reciteme",
     "reciteme launch button", ("translation", "text_resize", "read_aloud")),
    ("#__ba_launchpad, [data-ba-launchpad]", "browsealoud #__ba_launchpad", ("read_aloud", "translation")),
    ("#google_translate_element, select.goog-te-combo, .goog-te-gadget", "translate.google.com widget element",
     ("translation",)),
    (".rsbtn, #readspeaker_button1, [class^='rsbtn']", "readspeaker.com button", ("read_aloud",)),
)
_ANY_DOM_SIGNATURE = ", ".join(selector for selector, _, _ in _DOM_SIGNATURES)
_CHEAP = ("recite", "browsealoud", "texthelp", "reachdeck", "translate", "readspeaker", "rspkr", "_ba")

# Class/id tokens that name a text-size *control* (not a size utility like font-size-large).
_CONTROL_TOKEN = re.compile(
    r"^(?:js-|c-|o-|a11y-|access-)?(?:"
    r"(?:text|font)[-_]?(?:size|resize|resizer|sizer|scale|scaling)(?:[-_](?:toggle|control|controls|switcher|switch|"
    r"button|btn|buttons|tool|tools|widget|increase|decrease|reset|up|down|plus|minus|bigger|inc|dec|changer|"
    r"selector|picker|options))?"
    r"|(?:increase|decrease|reset|change|enlarge|bigger|smaller|larger)[-_]?(?:text|font)(?:[-_]?size)?"
    r"|resize[-_]?(?:text|font)|textresize|fontresize|text[-_]?resizer"
    r")$",
    re.IGNORECASE,
)
_CONTROL_LABEL = re.compile(
    r"\b(?:increase|decrease|reset|change|enlarge|bigger|smaller|larger|default)\s+(?:the\s+)?(?:text|font)\b"
    r"|\b(?:text|font)\s+size\b|\b(?:larger|smaller|bigger)\s+text\b",
    re.IGNORECASE,
)
_SHORT_LABEL = re.compile(r"^\s*(?:change\s+)?(?:the\s+)?(?:text|font)\s+size\s*:?\s*$", re.IGNORECASE)
_A_BUTTON = re.compile(r"^\s*(?:a|a\+|a\+\+|a-|a\u2212|a\s*\+|a\s*-)\s*$", re.IGNORECASE)
_INTERACTIVE = "button, a, input, select, [role=button]"
# The interactive elements that can be a text-size control: a button (its text), or one whose
# class, id, aria-label or title says "text" or "font", as every match of _CONTROL_TOKEN and
# _CONTROL_LABEL does. Lexbor picks them, so the page's other links and buttons with a class
# (a mega-menu's hundreds) are not split into tokens and matched one by one in Python.
_NAMED_INTERACTIVE = (f":is({_INTERACTIVE}):is(button, " + ", ".join(
    f"[{attr}*={word} i]" for attr in ("class", "id", "aria-label", "title") for word in ("text", "font")) + ")")
# Markup a text-size control needs ("resize" contains "size"), each with one of its letters
# to test first: a one-character test runs at memchr speed, a substring search of the whole
# page at ~1 ns a character, and "z" or "+" is missing from many pages.
_RESIZE_CUES = (("z", "size"), ("+", "a+"), (">", ">a<"), ("f", "font"), ("x", "text"))


def _tokens(attrs: dict) -> list[str]:
    return ((attrs.get("class") or "") + " " + (attrs.get("id") or "")).split()


def _in_prose(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in ("p", "article", "blockquote", "td", "dd"):
            return True
        parent = parent.parent
    return False


def _text_resize(page: Page, low: str) -> str | None:
    if not any(rare in low and cue in low for rare, cue in _RESIZE_CUES):
        return None
    tree = page.tree
    for node in tree.css(_NAMED_INTERACTIVE):
        attrs = node.attributes
        for token in _tokens(attrs):
            if _CONTROL_TOKEN.match(token):
                return f"{node.tag}.{token} text-size control"
        label = (attrs.get("aria-label") or attrs.get("title") or "")
        if label and _CONTROL_LABEL.search(label):
            return f'{node.tag} aria-label "{squash(label)[:60]}"'
        if node.tag == "button" and _SHORT_LABEL.match(node.text_lexbor() or ""):
            return f'button "{squash(node.text_lexbor())}"'
    # Containers named as controls (ul.text-size-controls > li > button).
    for node in tree.css("[class*=size], [id*=size], [class*=resize], [id*=resize]"):
        if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "span", "strong", "em"):
            continue
        tokens = _tokens(node.attributes)
        if any(_CONTROL_TOKEN.match(t) for t in tokens) and node.css_first(_INTERACTIVE):
            return f"{node.tag}.{next(t for t in tokens if _CONTROL_TOKEN.match(t))} with buttons"
    # A short visible label ("Text size:") beside buttons/links: its own text holds "size".
    if "size" in low:
        for node in tree.css("span, label, legend, strong, p, div, li, dt"):
            own = node.text(deep=False) or ""
            if "size" not in own.lower() or not _SHORT_LABEL.match(own):
                continue
            container = node.parent if node.css_first(_INTERACTIVE) is None else node
            if container is not None and len(container.css(_INTERACTIVE)) >= 1:
                return f'label "{squash(own)}" with controls'
    # A group of "A A A" / "A- A A+" buttons.
    for parent in {id(n.parent): n.parent for n in tree.css("button, a") if n.parent is not None
                   and _A_BUTTON.match(n.text_lexbor() or "")}.values():
        buttons = [n for n in parent.css("button, a") if _A_BUTTON.match(n.text_lexbor() or "")]
        if len(buttons) < 2 and parent.parent is not None:
            buttons = [n for n in parent.parent.css("button, a") if _A_BUTTON.match(n.text_lexbor() or "")]
        if len(buttons) >= 2:
            return f'"{" ".join(squash(b.text_lexbor()) for b in buttons[:3])}" buttons'
    return None


def _loaded_tools(page: Page, low: str) -> dict[str, str]:
    """Feature -> evidence for the third-party tools the page's markup loads or launches."""
    found: dict[str, str] = {}

    def add(features, evidence):
        for f in features:
            found.setdefault(f, evidence)

    tree = page.tree
    inline = []  # read after every src/href, whose evidence comes first
    for node in tree.css("script, link[href]"):  # one walk of the tree for both kinds
        attrs = node.attributes
        if node.tag == "script" and "src" not in attrs:
            inline.append(node)
            continue
        ref = (attrs.get("src") or attrs.get("href") or "").lower()
        for needle, host, features in _SCRIPT_SIGNATURES:
            if needle in ref:
                kind = "script" if node.tag == "script" else "stylesheet"
                add(features, f"{_host_of(ref) or host} {kind}")
    for node in inline:
        code = node.text_lexbor() or ""
        folded = code.lower()
        for pattern, words, label, features in _INLINE_SIGNATURES:
            if any(word in folded for word in words) and pattern.search(code):
                add(features, label)
    if tree.css_first(_ANY_DOM_SIGNATURE) is not None:  # one walk rules out all four, as on most pages
        for selector, label, features in _DOM_SIGNATURES:
            if tree.css_first(selector) is not None:
                add(features, label)
    if "translation" not in found and "translate.goog" in low:
        for link in tree.css("a[href*='translate.google'], a[href*='translate.goog']"):
            if _in_prose(link):
                continue
            href = link.attributes.get("href") or ""
            query = parse_qs(urlsplit(href).query)
            if "u" in query or ".translate.goog" in href:
                add(("translation",), f"{_host_of(href)} translate-this-page link")
                break
    return found


def detect(page: Page) -> dict[str, str]:
    """Map of feature -> evidence for the aids this page loads or offers."""
    low = (page.html or "").lower()
    # The markup tests run before the scan of the page for the tools' names that gates them:
    # on the many pages with no tool they find nothing for less than the scan costs.
    found = _loaded_tools(page, low)
    if found and not any(k in low for k in _CHEAP):
        found = {}
    if "text_resize" not in found:
        evidence = _text_resize(page, low)
        if evidence:
            found["text_resize"] = evidence
    return found


def _host_of(url: str) -> str:
    try:
        return urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""


__all__ = ["FEATURES", "detect"]
