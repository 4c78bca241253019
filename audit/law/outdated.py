"""Is a page or document legally current? Three readings of its text, all pure:

* ``find_outdated``: sentences that present superseded SEND law or terms (``terms.TERMS``) as
  how things are now. A sentence that explains the change ("statements were replaced by EHC
  plans in 2014", "SENDIASS, formerly Parent Partnership"), dates itself before the reforms
  ("Before 2014 ...", "In January 2013, 2.8% of pupils had a statement") or sits on a page about
  history or marked archived is not a finding. Precision matters more than recall: a council
  must be able to read each quote and agree, so anything that hints at the change rules a
  sentence out.
* ``review_dates`` / ``overdue``: the review date a policy or page states for itself ("Review
  date: September 2019", "Next review: 01/09/2020"), and whether the latest one has passed.
* ``feedback_report``: whether a page or document is a Local Offer annual report or "You said,
  we did" page, and the latest year it covers (regulation 56 of the SEND Regulations 2014 asks for comments to be published at least
  annually), when the page is one.

Speed: a page is first searched for a few lower-case ``keys`` (``bytes.find`` over
``dates.fold``'s copy, ~20 µs per key per 50 KB); only the ~200 characters around a key are
matched against a term's pattern, and only a match is cut into its sentence and judged. A page
with none of the keys costs the fold and the finds.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from audit.core.dates import find_dates, fold
from audit.law.terms import TERMS, Term
from audit.core.page import squash

MAX_QUOTE = 300
SENTENCE_REACH = 400  # characters searched either side of a match for its sentence's ends
MAX_CANDIDATES = 200  # matches judged per text: bounds a document page that repeats a term


@dataclass(frozen=True)
class OutdatedRef:
    term: str  # a terms.TERMS id
    quote: str  # the sentence, whitespace squashed, at most MAX_QUOTE characters
    page: int | None = None  # 1-based page of a document; None for a web page


# --- superseded terms ------------------------------------------------------------------

_Owner = tuple[Term, re.Pattern, tuple[bytes, ...]]  # a term, its folded pattern, its ``near`` words


def _keyed_terms() -> tuple[tuple[bytes, tuple[_Owner, ...], bool], ...]:
    """(key, the terms owning it, whether it is one of their ``more_keys``), each key once per
    kind, every ``keys`` entry before any ``more_keys`` one (see terms.Term)."""
    owners: dict[tuple[bool, bytes], list[_Owner]] = {}
    for term in TERMS:
        owner = (term, term.folded_regex(), tuple(word.encode("ascii") for word in term.near))
        for more, keys in ((False, term.keys), (True, term.more_keys)):
            for key in keys:
                owners.setdefault((more, key.encode("ascii")), []).append(owner)
    return tuple((key, tuple(found), more) for (more, key), found in sorted(owners.items(), key=lambda o: o[0][0]))


_KEYED = _keyed_terms()
_PATTERNS = {term.id: term.regex() for term in TERMS}

# Words that show a sentence is about the change, or about the past, rather than presenting the
# old term as how things work. Matched with the term's own words blanked out.
_EXPLAINS = re.compile(
    r"\b(?:replac\w*|supersed\w*|abolish\w*|repeal\w*|revoked|scrapped|withdrawn|removed|ceased|ended|"
    r"phased? out|no longer|(?:not|n't) exist\w*|not (?:be )?(?:used|in use|issued)|no new|any ?more|"
    r"previous(?:ly)?|former(?:ly)?|used to|(?:would|were|was) once|once (?:have|had|been)|ago|"
    r"historic(?:al|ally)?|history|legacy|outdated|obsolete|heard (?:of|about)|older (?:words?|terms?|names?)|(?:the|an?|their|our|your) old|pre-?2014|"
    r"pre-?reforms?|renam\w*|rebrand\w*|bec[oa]me|becomes|transferr?(?:ed|ing)|transfers?|convert\w*|"
    r"conversion|transition(?:ed|ing)? (?:from|to) (?:an? |the )?(?:statements?|new|ehc|education)|transition period|"
    r"transitional|(?:were|was|been) (?:all )?(?:completed|finished|carried out)|instead of|rather than|in place of|equivalent|similar to|compared? (?:to|with)|"
    r"successor|succeeded|changed|(?:the|these|recent|2014) changes|changes (?:to|in) (?:the )?(?:law|system|sen|send)|"
    r"introduc\w*|came into|reforms?|what (?:happened|has happened|happens|were|was)|"
    r"(?:was|were|is|are) (?:now )?(?:called|known|referred|named)|known as|"
    r"now (?:called|known|named|referred|an?|the|ehc|education|sen|send|information)|"
    r"new (?:system|law|legislation|framework|code|arrangements?|approach|process|sen|send|ehc|education|0)|"
    r"would have|had been)\b"
)
# A date before the reforms settled, said as the time of the sentence ("in January 2013",
# "Before September 2014", "until 2018"). "by April 2018" is not one: it is how a page that
# still expects the transfers talks.
_MONTH_WORDS = (r"january|february|march|april|may|june|july|august|september|october|november|december|"
                r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|spring|summer|autumn|winter|early|late|mid|"
                r"the|term|of|\d{1,2}(?:st|nd|rd|th)?")
_PAST_YEAR = re.compile(r"\b(?:before|prior to|until|till|up (?:un)?to|in|during|between|from|since|circa)\s+"
                        r"(?:(?:" + _MONTH_WORDS + r")[\s,]+){0,3}(?:19\d\d|20(?:0\d|1[0-8]))\b")
# The term as something somebody had ("if your child had a statement", "were on School Action").
_PAST_BEFORE = re.compile(r"\b(?:was|were|had|been|received|held|gave|got)\s+(?:\S+\s+){0,2}$")
_PAST_AFTER = re.compile(r"^[\s,)\]]*(?:\([^)]{0,20}\)\s*)?(?:was|were|had|has been|have been|ended|ceased|"
                         r"no longer|used to|would have)\b")
# A page about history, or one that says it is kept only for the record: its title or opening
# words say so.
_HISTORY_PAGE = re.compile(rb"\b(?:history|historical|archived?|superseded|no longer (?:current|in use|valid|"
                           rb"maintained|updated)|(?:kept )?for reference only|for historical reference)\b")  # on fold()
_OPENING = 200  # characters of a text read with its title for _HISTORY_PAGE

# Sentence ends: ".", "!" or "?" (with closing quotes/brackets) before a capital or digit, or
# a blank line (a paragraph end in document text).
_BOUNDARY = re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s+(?=[\"'\u2018\u201c(\[]*[A-Z0-9])|\n\s*\n")
_ABBREVIATIONS = frozenset(("e.g", "i.e", "eg", "ie", "no", "nos", "para", "paras", "s", "ss", "mr", "mrs", "ms",
                            "dr", "st", "cf", "reg", "regs", "sch", "ch", "pp", "p", "vol", "ref", "approx", "fig",
                            "art", "sec"))
_LAST_WORD = re.compile(r"([\w.]+)$")


def find_outdated(text: str, title: str = "", folded: bytes | None = None,
                  every_key: bool = False) -> list[OutdatedRef]:
    """The first sentence per term of ``text`` (a page's visible main text, or one page of a
    document) that presents the term as current, in the order they appear. ``title`` (the
    page's or document's title) only serves to recognise a page about history. ``folded``:
    ``dates.fold(text)`` when the caller has it (the check folds a page once for every reading).
    The rarer terms are looked for only in a text that names a common one, unless ``every_key``
    (see terms.Term)."""
    if not text:
        return []
    folded = fold(text) if folded is None else folded
    if historical(title, folded):
        return []
    return _judged(text, _candidates(text, folded, every_key))


def find_outdated_pages(pages: list[str], title: str = "") -> list[OutdatedRef]:
    """``find_outdated`` over a document's pages, every term looked for on every page (policies
    are where the rarer terms live, and a document's pages are few): the first finding per
    term, with its page number. Whether the document is about history is read from its title
    and first page."""
    if not pages or historical(title, fold(pages[0][:_OPENING])):
        return []
    found: dict[str, OutdatedRef] = {}
    for number, text in enumerate(pages, 1):
        for ref in _judged(text, _candidates(text, fold(text), True)) if text else ():
            if ref.term not in found:
                found[ref.term] = OutdatedRef(ref.term, ref.quote, number)
    return list(found.values())


def historical(title: str, folded: bytes) -> bool:
    """Whether a page's title or opening words (``folded``: ``dates.fold`` of its text) say it
    is about history or kept for the record."""
    return bool(_HISTORY_PAGE.search(fold(title or "")) or _HISTORY_PAGE.search(folded, 0, _OPENING))


def _candidates(text: str, folded: bytes, every_key: bool) -> list[tuple[int, int, Term]]:
    """(start, end, term) of every term match around a key, each once, by start: the folded
    pattern searched near each key, confirmed on the text. The ``more_keys`` are searched only
    when a ``keys`` term matched, or ``every_key``."""
    seen: set[tuple[str, int]] = set()
    out = []
    for key, owners, more in _KEYED:
        if more and not (out or every_key):
            break
        at = folded.find(key)
        while at >= 0:
            for term, pattern, near in owners:
                before, after = term.reach
                lo, hi = max(0, at - before), at + len(key) + after
                if near and not any(folded.find(word, lo, hi) >= 0 for word in near):
                    continue
                for m in pattern.finditer(folded, lo, hi):
                    if m.start() <= at < m.end() and (term.id, m.start()) not in seen:
                        seen.add((term.id, m.start()))
                        confirmed = _PATTERNS[term.id].match(text, m.start(), hi)
                        if confirmed is not None:
                            out.append((m.start(), confirmed.end(), term))
            if len(out) >= MAX_CANDIDATES:
                break
            at = folded.find(key, at + 1)
    out.sort(key=lambda c: c[0])
    return out


def _judged(text: str, candidates: list[tuple[int, int, Term]]) -> list[OutdatedRef]:
    found: dict[str, OutdatedRef] = {}
    for start, end, term in candidates:
        if term.id in found:
            continue
        s, e = _sentence(text, start, end)
        sentence = text[s:e]
        if _presents_as_current(sentence, term, start - s, end - s):
            found[term.id] = OutdatedRef(term.id, _quote(sentence, start - s, end - s))
    return list(found.values())


def _presents_as_current(sentence: str, term: Term, start: int, end: int) -> bool:
    lower = sentence.lower()
    if _PAST_BEFORE.search(lower, max(0, start - 40), start) or _PAST_AFTER.search(lower[end:end + 60]):
        return False
    rest = _PATTERNS[term.id].sub(" \u00a7 ", lower)  # the term's own words ("transfer review") are no cue
    return not (_EXPLAINS.search(rest) or _PAST_YEAR.search(rest))


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence holding text[start:end] (at most SENTENCE_REACH either side)."""
    lo = max(0, start - SENTENCE_REACH)
    s = lo
    for b in _BOUNDARY.finditer(text, lo, start):
        if not _abbreviation(text, b.start()):
            s = b.end()
    if s == lo and lo > 0:  # no sentence start within reach: begin at a word
        space = text.find(" ", lo, start)
        s = space + 1 if space >= 0 else start
    hi = min(len(text), end + SENTENCE_REACH)
    e = hi
    for b in _BOUNDARY.finditer(text, end, hi):
        if not _abbreviation(text, b.start()):
            e = b.start() + 1 if text[b.start()] in ".!?" else b.start()
            break
    else:
        if hi < len(text):
            space = text.rfind(" ", end, hi)
            e = space if space >= 0 else end
    return s, e


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the "." at ``dot`` ends an abbreviation ("e.g.", "s.", "para.") rather than a sentence."""
    if text[dot] != ".":
        return False
    word = _LAST_WORD.search(text, max(0, dot - 8), dot)
    return word is not None and word.group(1).lower().lstrip(".") in _ABBREVIATIONS


def _quote(sentence: str, start: int, end: int) -> str:
    """The sentence squashed; a long one cut to MAX_QUOTE characters around the term (a third
    of the room before it), with "…" where it was cut."""
    quote = squash(sentence)
    if len(quote) <= MAX_QUOTE:
        return quote
    marked = squash(sentence[:start] + _MARK + sentence[start:])  # where the term starts, once squashed
    at = marked.index(_MARK)
    quote = marked[:at] + marked[at + 1:]
    room = MAX_QUOTE - 2  # two ellipses
    left = max(0, at - max(0, room - (end - start)) // 3)
    right = min(len(quote), left + room)
    left = max(0, min(left, right - room))
    return ("\u2026" if left else "") + quote[left:right].strip() + ("\u2026" if right < len(quote) else "")


_MARK = "\x00"


# --- stated review dates ---------------------------------------------------------------

@dataclass(frozen=True)
class ReviewDate:
    date: date  # the last day the stated date can mean ("September 2019" -> 2019-09-30)
    quote: str  # the label and the date as written ("Review date: September 2019")


_REVIEW_LABEL = re.compile(
    r"(?<!last )(?<!previous )\b(?:(?:date of )?next review(?: date)?|review date|"
    r"date (?:of|for) next review|date for review|(?:to|will|due to) be reviewed(?: (?:by|on|in|before))?|"
    r"due for review(?: (?:by|on|in))?|review due(?: (?:date|by|on|in))?|next reviewed?(?: (?:by|on|in))?)\b",
    re.IGNORECASE,
)
_LABEL_BEFORE_KEY, _LABEL_AFTER_KEY = 17, 30  # a label starts at most 14 characters before "eview"
# Every label holds one of these around its "review" (folded): "next review", "be reviewed",
# "for review", "review date", "review due". Most "review"s on a page ("annual reviews") hold
# none, and two byte comparisons rule them out without the regex.
_LABEL_BEFORE = (b"next r", b"be r", b"for r")
_LABEL_AFTER = (b"eview date", b"eview due")
_DATE_REACH = 60  # characters after a label in which its date must start
# What may come between a label and its date: words ("by the governing body in"), at most one
# field separator (":", "|"), no sentence end and no digit (a date's digits end the gap).
_GAP = re.compile(r"[^.;:|\n\d]*[:|]?[^.;:|\n\d]*")
_SEASON_END = {"spring": (5, 31), "summer": (8, 31), "autumn": (11, 30), "winter": (2, 28)}
_LOOSE_DATE = re.compile(r"\b(?:(?P<season>spring|summer|autumn|winter)(?: term)?\s+)?(?P<year>(?:19|20)\d\d)"
                         r"(?:\s*[-/\u2013]\s*(?P<end>\d\d(?:\d\d)?))?\b", re.IGNORECASE)


def review_dates(text: str, folded: bytes | None = None) -> list[ReviewDate]:
    """Every review date ``text`` states for itself, in order: "Review date: September 2019",
    "Next review: 01/09/2020", "Date of next review: Spring 2021", "To be reviewed by July 2024".
    A last or previous review ("Last reviewed: March 2023", "Date of review") is not one.
    Labels are looked for only around the word "review" (one search of the folded text;
    ``folded``: ``dates.fold(text)`` when the caller has it)."""
    if not text:
        return []
    folded = fold(text) if folded is None else folded
    out = []
    after = -1  # labels found so far end here
    at = folded.find(b"eview")  # five letters: see terms.Term.keys
    while at >= 0:
        if folded.endswith(_LABEL_BEFORE, 0, at) or folded.startswith(_LABEL_AFTER, at):
            label = _REVIEW_LABEL.search(text, max(0, at - _LABEL_BEFORE_KEY, after), at + _LABEL_AFTER_KEY)
            if label is not None and label.start() < at < label.end():
                after = label.end()
                found = _review_date(text[label.end():label.end() + _DATE_REACH])
                if found is not None:
                    deadline, length = found
                    out.append(ReviewDate(deadline, squash(text[label.start():label.end() + length])[:MAX_QUOTE]))
        at = folded.find(b"eview", at + 1)
    return out


def _review_date(window: str) -> tuple[date, int] | None:
    """The deadline the first date in ``window`` states (when only a gap without a sentence or
    field end comes before it), and where the date ends in the window."""
    gap = _GAP.match(window).end()
    exact = next((m for m in find_dates(window[:gap + 30]) if m.start <= gap), None)
    loose = _LOOSE_DATE.search(window, 0, gap + 30)
    if loose is not None and loose.start() > gap:
        loose = None
    if exact is not None and (loose is None or exact.start <= loose.start()):
        d = exact.date
        if exact.precision == "month":
            d = d.replace(day=monthrange(d.year, d.month)[1])
        return d, exact.end
    if loose is None:
        return None
    year = int(loose.group("year"))
    if loose.group("end"):
        end = loose.group("end")
        year = int(end) if len(end) == 4 else year // 100 * 100 + int(end)
    season = (loose.group("season") or "").lower()
    if season:
        month, day = _SEASON_END[season]
        return date(year + (season == "winter"), month, day), loose.end()
    return date(year, 12, 31), loose.end()


def overdue(dates: list[ReviewDate], as_of: date) -> ReviewDate | None:
    """The latest stated review date when it is before ``as_of`` (a document that lists its
    review history is governed by its latest one); None when none is stated or it is not past."""
    if not dates:
        return None
    latest = max(dates, key=lambda d: d.date)
    return latest if latest.date < as_of else None


# --- feedback recency ------------------------------------------------------------------

_FEEDBACK = re.compile(
    r"you said,?\s*(?:we did|we listened)|we asked,?\s*you said|local offer (?:annual )?(?:report|review)|"
    r"annual (?:report|review) (?:of|on) (?:the|our) local offer|what (?:you|families|parents|young people) "
    r"(?:have )?told us|(?<!give us )(?<!give )(?<!leave )(?<!send us )(?<!share your )(?<!your )"
    r"(?:local offer feedback|(?:feedback|comments) (?:on|about|from) (?:the|our) local offer)",
    re.IGNORECASE,
)

_YEAR = re.compile(r"\b(20[1-4]\d)(?:\s*(?:-|\u2013|\u2014|/|to)\s*(20[1-4]\d|\d\d))?\b")
_LAW_BEFORE_YEAR = re.compile(r"(?:act|regulations|practice|order|code|edition)\W{0,3}$", re.IGNORECASE)
_FEEDBACK_WORDS = (b"you said", b"local offer", b"told us")  # one of them is in every _FEEDBACK match
FIRST_FEEDBACK_YEAR = 2014  # the first Local Offers were published in September 2014


@dataclass(frozen=True)
class FeedbackReport:
    year: int | None  # the latest year it covers; None when no year can be read
    label: str  # the words that make it a feedback report ("You said, we did"), as written


def feedback_report(title: str, text: str, as_of: date | None = None,
                    folded: bytes | None = None) -> FeedbackReport | None:
    """The page or document as a Local Offer feedback report, when ``title`` or the opening of
    ``text`` says it is one ("You said, we did", "Local Offer annual report"; not "Give us
    feedback on the Local Offer"); None when it is not one. Its ``year`` is the latest year it
    covers: "2023-24" counts as 2024; a year in the title decides ("Annual report 2022"); else
    the latest year in the text (sections by year, a report dated inside it); None when there is
    none (an undated report is still a published one). Years of laws ("Children and Families Act
    2014") and, given ``as_of``, years after it (plans) do not count. ``folded``: ``dates.fold(text)``
    when the caller has it (most pages hold none of the words a report's label needs, and a byte
    search rules them out before the regex)."""
    opening = (text or "")[:_OPENING]
    cue = fold(title or "") + b"\n" + (fold(opening) if folded is None else folded[:_OPENING])
    if not any(word in cue for word in _FEEDBACK_WORDS):
        return None
    label = _FEEDBACK.search(title or "") or _FEEDBACK.search(opening)
    if label is None:
        return None
    latest = as_of.year if as_of is not None else None
    for source in (title or "", text or ""):
        years = [y for y in _years(source) if FIRST_FEEDBACK_YEAR <= y and (latest is None or y <= latest)]
        if years:
            return FeedbackReport(max(years), label.group(0))
    return FeedbackReport(None, label.group(0))


def _years(text: str) -> list[int]:
    out = []
    for m in _YEAR.finditer(text):
        if _LAW_BEFORE_YEAR.search(text, max(0, m.start() - 25), m.start()):
            continue
        year = int(m.group(1))
        end = m.group(2)
        if end:
            end_year = int(end) if len(end) == 4 else year // 100 * 100 + int(end)
            if year < end_year <= year + 5:
                year = end_year
        out.append(year)
    return out


__all__ = ["OutdatedRef", "ReviewDate", "FeedbackReport", "MAX_QUOTE", "find_outdated", "find_outdated_pages",
           "historical", "review_dates", "overdue", "feedback_report"]
