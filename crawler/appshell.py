"""Is this page an application shell, built in the browser by script? (pure, no I/O)

Some directory platforms answer every URL with the same near-empty HTML: a root element
for a framework (``<div id="root">``, ``<app-root>``), a script bundle, often the content
itself as an inline JSON state blob (``__NEXT_DATA__``, ``window.__NUXT__``,
``__INITIAL_STATE__``), and a ``<noscript>`` asking the visitor to enable JavaScript.
Read as delivered, such a page has no headings, links or dates, and a Local Offer built
that way would score as empty. Those pages, and only those, are rendered in a browser
(``crawler.render``).

Every crawled page is asked, so the question must cost almost nothing on the ordinary
server-rendered page: the cues are looked for among the body's top two levels of
elements only, in the tree already parsed to follow the page's links (a scan of the whole
HTML for them cost 3 ms a page with one regular expression, 0.3 ms with thirteen plain
substring searches, against about 4 ms for everything else the crawler does with a page).
Shells put their root, ``<noscript>`` and state blob there. Only a page that shows a cue,
or has next to no links, has its visible text measured; it is a shell when that text is
nearly empty. A page that *has* its content (a Next.js page rendered on the server
carries ``__NEXT_DATA__`` too; a normal page may carry 100 KB of inline script) is never
one, because its text is there.
"""

from __future__ import annotations

import re

from audit.core.page import Page, squash

ROOT_IDS = frozenset({"root", "app", "__next", "__nuxt", "___gatsby", "q-app", "svelte"})
ROOT_ATTRS = ("ng-version", "data-reactroot", "data-server-rendered")
STATE_SCRIPT_IDS = frozenset({"__NEXT_DATA__", "__NUXT_DATA__", "ng-state", "serverApp-state", "__remixContext"})
_STATE_BLOB = re.compile(r"\b(?:window\.)?(__NUXT__|__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|__remixContext"
                         r"|__sveltekit_\w*)\s*=")
_ASKS_FOR_JS = re.compile(r"\b(?:enable|turn on|requires?|need)\b.{0,40}?javascript", re.I | re.S)
WRAPPERS = frozenset({"div", "main", "section"})
# A framework root with less text than this is empty: the browser fills it.
ROOT_TEXT = 20
# A page whose own visible text (without nav, header, footer) is shorter than this has not
# got its content yet. A real Local Offer page, even a short contact page, says more.
SHELL_TEXT = 200
# Fewer links than this and no cue: a page worth measuring (a bare shell has none).
FEW_LINKS = 3
# ...and then it is a shell only if script outweighs its text this many times.
SCRIPT_RATIO = 20


def shell_cue(page: Page) -> str | None:
    """Why ``page`` needs a browser to show its content ("framework root <div id=root> is
    empty", "content in an inline state blob (__NEXT_DATA__)", ...), or None."""
    cues = _cues(page)
    if not cues and len(page.links) >= FEW_LINKS:
        return None
    text = page.main_text
    if len(text) >= SHELL_TEXT:
        return None
    root = cues.get("root")
    if root is not None and len(squash(root.text(separator=" "))) < ROOT_TEXT:
        return f"framework root <{_describe(root)}> is empty"
    if "state" in cues:
        return f"content in an inline state blob ({cues['state']})"
    if "noscript" in cues:
        return "the page asks for JavaScript (<noscript>)"
    # Counted in characters; an external script counts as a typical bundle's 2,000.
    script = sum(len(node.text() or "") + 2000 * ("src" in node.attributes) for node in page.tree.css("script"))
    if len(text) < SHELL_TEXT // 4 and script > SCRIPT_RATIO * max(len(text), 1):
        return f"{len(text)} characters of text against {script} of script"
    return None


def _cues(page: Page) -> dict:
    """The first framework root element, state blob name and JavaScript-asking <noscript>
    among the body's children and grandchildren."""
    body = page.tree.body
    found: dict = {}
    if body is None:
        return found
    for child in body.iter():
        # A root sits at the top of the body or in a wrapper, never in the site's furniture.
        for node in (child, *child.iter()) if child.tag in WRAPPERS else (child,):
            tag, attrs = node.tag, node.attributes
            if tag == "script":
                if attrs.get("id") in STATE_SCRIPT_IDS:
                    found.setdefault("state", attrs["id"])
                elif "src" not in attrs:
                    blob = _STATE_BLOB.search((node.text() or "")[:2000])
                    if blob:
                        found.setdefault("state", blob.group(1))
            elif tag == "noscript":
                if _ASKS_FOR_JS.search(node.text() or ""):
                    found.setdefault("noscript", True)
            elif tag == "app-root" or attrs.get("id") in ROOT_IDS or any(a in attrs for a in ROOT_ATTRS):
                found.setdefault("root", node)
    return found


def _describe(node) -> str:
    attrs = node.attributes
    if attrs.get("id"):
        return f'{node.tag} id={attrs["id"]}'
    return node.tag
