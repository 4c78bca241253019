"""Can a family find provision with the Local Offer's own search? (SPEC "Searchable")

- ``find_search_form``: the page's search form. Only a GET form with a text or search field
  is a candidate; a POST form is never one (submitting it could change something), nor a
  form that asks for an email address or a password (a newsletter sign-up, a login), nor a
  feedback or contact form. Among candidates, the most clearly labelled as a search wins
  (``role=search``, ``type=search``, an action or field named for searching, a "Search"
  button), and an action inside the Local Offer's scope beats one outside it.
- ``search_url``: the GET URL the form would request for a query, hidden fields kept.
- ``judge_results``: one answer page: ``results`` (links in the page's own content to
  in-scope pages whose link, or the result item holding it, names the topic), ``empty``
  (a "no results" page, or results about something else), ``error`` (an HTTP error, a
  soft 404 or an error page).
- ``site_search_verdict``: the council's ``site_search`` from its answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from audit.checks.features import SEARCH_FIELD_NAMES
from audit.core.page import FURNITURE_TAGS, Page, inside, squash
from audit.core.scope import in_scope
from audit.checks.soft404 import looks_like_not_found

from .records import record_root

TOPICS = ("autism", "short breaks", "speech and language therapy")  # SPEC's three everyday topics

_TEXT_TYPES = ("text", "search", "")
_NOT_SEARCH = re.compile(r"subscribe|newsletter|sign[ -]?up|log ?in|sign ?in|register|feedback|comment|enquir|contact"
                         r"|password|e-?mail|postcode lookup|rate this|was this page", re.IGNORECASE)
_SEARCH_WORD = re.compile(r"search|find|results|query|keyword", re.IGNORECASE)


@dataclass(frozen=True)
class SearchForm:
    action: str  # absolute URL the form submits to
    field: str  # name of the text field the query goes in
    hidden: tuple[tuple[str, str], ...]  # other fields sent with it, in form order
    evidence: str  # why this is a search form


def _describe(form) -> str:
    attrs = form.attributes
    return " ".join(filter(None, (attrs.get("id"), attrs.get("class"), attrs.get("name"), attrs.get("aria-label"),
                                  attrs.get("action"), attrs.get("role"))))


def _candidate(page: Page, form, scope: tuple[str, ...]) -> tuple[int, SearchForm] | None:
    attrs = form.attributes
    if (attrs.get("method") or "get").strip().lower() != "get":
        return None
    fields = form.css("input, select, textarea")
    text_inputs, hidden = [], []
    for node in fields:
        a = node.attributes
        kind = (a.get("type") or "").strip().lower()
        name = a.get("name") or ""
        if node.tag == "textarea" or kind in ("password", "email", "file", "tel"):
            return None  # a message, a login or a sign-up: never submitted
        if node.tag == "input" and kind in _TEXT_TYPES and name:
            text_inputs.append(node)
        elif node.tag == "input" and kind == "hidden" and name:
            hidden.append((name, a.get("value") or ""))
        elif node.tag == "select" and name:
            option = node.css_first("option[selected]") or node.css_first("option")
            if option is not None:
                hidden.append((name, option.attributes.get("value") or squash(option.text_lexbor())))
    if not text_inputs:
        return None
    words = _describe(form) + " " + squash(form.text_lexbor())[:200]
    names = " ".join((i.attributes.get("name") or "") + " " + (i.attributes.get("id") or "") for i in text_inputs)
    if _NOT_SEARCH.search(words + " " + names) and not _SEARCH_WORD.search(attrs.get("action") or ""):
        return None
    field = text_inputs[0]
    score, evidence = 0, []
    if (attrs.get("role") or "") == "search" or (form.parent is not None and (
            form.parent.attributes.get("role") or "") == "search"):
        score, evidence = score + 3, evidence + ["role=search"]
    if any((i.attributes.get("type") or "").lower() == "search" for i in text_inputs):
        score, evidence = score + 3, evidence + ["input type=search"]
    if _SEARCH_WORD.search(attrs.get("action") or ""):
        score, evidence = score + 2, evidence + [f"action {attrs.get('action')}"]
    if (field.attributes.get("name") or "").lower() in SEARCH_FIELD_NAMES:
        score, evidence = score + 2, evidence + [f"field name={field.attributes.get('name')}"]
    if _SEARCH_WORD.search(words):
        score, evidence = score + 1, evidence + ["labelled search"]
    if score == 0:
        return None
    action = urljoin(page.base_url, (attrs.get("action") or "").strip() or page.url)
    if scope and in_scope(action, scope):
        score += 2
    if not inside(form, FURNITURE_TAGS):
        score += 1  # the directory's own search, in the page's content
    return score, SearchForm(action, field.attributes.get("name") or "", tuple(hidden), "; ".join(evidence))


def find_search_form(page: Page, scope: tuple[str, ...] = ()) -> SearchForm | None:
    """The page's best search form (see the module docstring), or None."""
    best = None
    for form in page.tree.css("form"):
        found = _candidate(page, form, scope)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best[1] if best else None


def search_url(form: SearchForm, query: str) -> str:
    """The URL a browser requests when the form is submitted with ``query``."""
    parts = urlsplit(form.action)
    params = [(name, value) for name, value in form.hidden if name != form.field] + [(form.field, query)]
    merged = (parts.query + "&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, merged, ""))


_NO_RESULTS = re.compile(
    r"\bno (?:results|matches|services|records|items|entries)(?: (?:were |have been )?(?:found|match|returned))?\b"
    r"|\b0 (?:results|matches|records|services)\b|\bdid ?n[o']t (?:match|find|return) any"
    r"|\bnothing (?:was )?found\b|\bcould ?n[o']t find any\b|\bsearch returned no\b|\bno (?:pages|documents) found\b",
    re.IGNORECASE)
_ERROR_PAGE = re.compile(r"\b(?:an? )?(?:unexpected |internal )?error (?:has )?occurred\b|\bsomething went wrong\b"
                         r"|\b(?:service|search) (?:is )?(?:currently |temporarily )?unavailable\b|\bserver error\b|\bbad request\b"
                         r"|\btry again later\b", re.IGNORECASE)


def _topic_stems(topic: str) -> list[str]:
    words = [w for w in re.findall(r"[a-z]+", topic.lower()) if len(w) >= 4]
    return [w[:5] for w in words] or [topic.lower()]


def _names_topic(text: str, stems: list[str]) -> bool:
    text = text.lower()
    hits = sum(1 for stem in stems if stem in text)
    return hits >= min(len(stems), 2) if len(stems) > 1 else hits == 1


def judge_results(page: Page, topic: str, scope: tuple[str, ...]) -> str:
    """``results``, ``empty`` or ``error`` for one answer page (see the module docstring)."""
    if not page.status or page.status >= 400 or looks_like_not_found(page):
        return "error"
    head = page.title + " " + page.h1
    if _ERROR_PAGE.search(head):
        return "error"
    root = record_root(page)
    if root is None:
        return "error"
    stems = _topic_stems(topic)
    own = urlsplit(page.url)._replace(query="", fragment="").geturl()
    for node in root.css("a[href]"):
        if inside(node, FURNITURE_TAGS + ("form",)):
            continue
        href = urljoin(page.base_url, (node.attributes.get("href") or "").strip())
        if not in_scope(href, scope) or href.split("?")[0].split("#")[0] == own:
            continue  # refine-your-search and next-page links repeat the results page itself
        item = node.parent
        while item is not None and item.tag not in ("li", "article", "tr", "div", "section", "main", "body"):
            item = item.parent
        context = squash((item or node).text_lexbor())[:400]
        if _names_topic(squash(node.text_lexbor()) + " " + context, stems):
            return "results"
    body_text = squash(root.text(separator=" "))[:3000]  # "<h1>Search</h1><p>Search is ..." stays two words
    if _ERROR_PAGE.search(body_text) and not _NO_RESULTS.search(body_text):
        return "error"
    return "empty"


def site_search_verdict(answers: Sequence[str | None]) -> str:
    """SPEC ``site_search`` from the answers to the topics (``results``/``empty``/``error``;
    None for a timeout, counted as an error). No answers (no form): ``none``. ``works`` when
    at most one topic went without relevant results; else ``broken`` when errors outnumber
    empty answers, ``no_results`` otherwise."""
    if not answers:
        return "none"
    results = sum(1 for a in answers if a == "results")
    errors = sum(1 for a in answers if a in ("error", None))
    empties = len(answers) - results - errors
    if results >= 1 and results >= len(answers) - 1:
        return "works"
    return "broken" if errors > empties else "no_results"


__all__ = ["SearchForm", "TOPICS", "find_search_form", "judge_results", "search_url", "site_search_verdict"]
