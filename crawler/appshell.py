"""Is this page an application shell, built in the browser by script? (pure, no I/O)

Some directory platforms answer every URL with the same near-empty HTML: a root element
for a framework (``<div id="root">``, ``<app-root>``), a script bundle, often the content
itself as an inline JSON state blob (``__NEXT_DATA__``, ``window.__NUXT__``,
``__INITIAL_STATE__``), and a ``<noscript>`` asking the visitor to enable JavaScript.
Read as delivered, such a page has no headings, links or dates, and a Local Offer built
that way would score as empty. Those pages, and only those, are rendered in a browser
(``crawler.render``).

Every crawled page is asked, so the question must cost almost nothing on the ordinary
server-rendered page: one regular-expression search of the HTML for the cues above, and
the page's link count (already worked out to follow its links). Only a page that shows a
cue, or has next to no links, has its visible text measured; it is a shell when that text
is nearly empty. A page that *has* its content (a Next.js page rendered on the server
carries ``__NEXT_DATA__`` too; a normal page may carry 100 KB of inline script) is never
one, because its text is there.
"""

from __future__ import annotations

import re

from audit.page import Page, squash

# The cues, searched for in the raw HTML in one pass.
_CUES = re.compile(
    r"""(?P<root><(?:div|main|section)\b[^>]*\bid\s*=\s*["']?(?:root|app|__next|__nuxt|___gatsby|q-app|svelte)["'\s>]"""
    r"""|<app-root\b|\bng-version=|\bdata-reactroot\b)"""
    r"""|(?P<state>__NEXT_DATA__|__NUXT__|__INITIAL_STATE__|__PRELOADED_STATE__|__APOLLO_STATE__|__remixContext"""
    r"""|\bng-state\b|__sveltekit_)"""
    r"""|(?P<noscript><noscript\b[^>]*>(?:(?!</noscript>).){0,400}?(?:enable|turn on|requires?|need)\b"""
    r"""(?:(?!</noscript>).){0,40}?javascript)""",
    re.I | re.S,
)
# A framework root with less text than this is empty: the browser fills it.
ROOT_TEXT = 20
# A page whose own visible text (without nav, header, footer) is shorter than this has not
# got its content yet. A real Local Offer page, even a short contact page, says more.
SHELL_TEXT = 200
# Fewer links than this and no cue: a page worth measuring (a bare shell has none).
FEW_LINKS = 3
# ...and then it is a shell only if script outweighs its text this many times.
SCRIPT_RATIO = 20
_ROOT_SELECTOR = ("#root, #app, #__next, #__nuxt, #___gatsby, #q-app, #svelte, app-root, [ng-version], "
                  "[data-reactroot]")


def shell_cue(page: Page) -> str | None:
    """Why ``page`` needs a browser to show its content ("framework root <div id=root> is
    empty", "content in an inline state blob (__NEXT_DATA__)", ...), or None."""
    html = page.html
    if _CUES.search(html) is None and len(page.links) >= FEW_LINKS:
        return None
    text = page.main_text
    if len(text) >= SHELL_TEXT:
        return None
    kinds = _kinds(html)
    if "root" in kinds:
        for node in page.tree.css(_ROOT_SELECTOR):
            if len(squash(node.text(separator=" "))) < ROOT_TEXT:
                return f"framework root <{_describe(node)}> is empty"
    if "state" in kinds:
        return f"content in an inline state blob ({kinds['state']})"
    if "noscript" in kinds:
        return "the page asks for JavaScript (<noscript>)"
    # Counted in characters; an external script counts as a typical bundle's 2,000.
    script = sum(len(node.text() or "") + 2000 * ("src" in node.attributes) for node in page.tree.css("script"))
    if len(text) < SHELL_TEXT // 4 and script > SCRIPT_RATIO * max(len(text), 1):
        return f"{len(text)} characters of text against {script} of script"
    return None


def _kinds(html: str) -> dict[str, str]:
    """Each kind of cue present, with the first text that showed it."""
    found: dict[str, str] = {}
    for match in _CUES.finditer(html):
        found.setdefault(match.lastgroup, match.group(0)[:40])
        if len(found) == 3:
            break
    return found


def _describe(node) -> str:
    attrs = node.attributes
    if attrs.get("id"):
        return f'{node.tag} id={attrs["id"]}'
    return node.tag
