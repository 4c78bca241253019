"""The list of superseded SEND law and terms: complete entries, and patterns, keys and reaches
that agree (the matcher only looks near a key, so a key or reach that misses part of what the
pattern matches would silently lose findings)."""

import re
from datetime import date
from pathlib import Path

import pytest

from audit.core.dates import fold
from audit.law import outdated
from audit.law.terms import TERMS, TERMS_BY_ID

SENTENCES = Path(__file__).resolve().parents[2] / "benchmarks" / "law" / "sentences.tsv"


def labelled_sentences() -> list[str]:
    return [line.split("\t")[2] for line in SENTENCES.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def test_entries_are_complete_for_the_methodology_page():
    assert len(TERMS_BY_ID) == len(TERMS)
    for term in TERMS:
        assert re.fullmatch(r"[a-z0-9_]+", term.id)
        assert term.label and term.replaced_by and term.source and term.variants
        assert term.explanation.endswith(".") and len(term.explanation) < 300
        assert date(2008, 1, 1) <= date.fromisoformat(term.since) <= date(2018, 4, 1)


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_every_variant_is_matched_and_holds_a_key(term):
    for variant in term.variants:
        assert term.regex().search(variant), variant
        assert term.folded_regex().search(fold(variant)), variant
        assert any(key.encode() in fold(variant) for key in term.keys + term.more_keys), variant


def test_a_web_page_is_read_for_the_rarer_terms_only_where_it_names_a_common_one():
    dda = "Our building is DDA compliant."
    assert outdated.find_outdated(dda) == []
    assert [ref.term for ref in outdated.find_outdated(dda, every_key=True)] == ["dda"]
    assert [ref.term for ref in outdated.find_outdated_pages([dda])] == ["dda"]  # a document: every key
    [ref] = outdated.find_outdated("Statements of SEN were replaced by EHC plans in 2014. " + dda)
    assert (ref.term, ref.quote) == ("dda", dda)


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.id)
def test_keys_are_short_and_the_pattern_is_lower_case_outside_its_cased_parts(term):
    # Five characters at most: CPython's fast path for bytes.find (see terms.Term.keys).
    assert (term.keys or term.more_keys) and all(1 <= len(key) <= 5 and key == key.lower() for key in term.keys + term.more_keys)
    uncased = re.sub(r"\(\?-i:[^()]*\)", "", term.pattern)
    assert uncased == uncased.lower(), "an upper-case letter outside (?-i:...) would not match folded text"


def test_the_key_search_finds_exactly_what_a_full_scan_finds():
    """Every match of every pattern in the labelled sentences (and in a page made of all of
    them) is found by searching near the keys: keys and reaches cover each pattern."""
    sentences = labelled_sentences()
    for text in sentences + [" ".join(sentences)]:
        full = {(t.id, m.start()) for t in TERMS for m in t.regex().finditer(text)}
        keyed = {(term.id, start) for start, _, term in outdated._candidates(text, fold(text), True)}
        assert keyed == full, text[:80]


def test_cased_parts_keep_their_capitals():
    partnership, dda = TERMS_BY_ID["parent_partnership"], TERMS_BY_ID["dda"]
    assert partnership.regex().search("contact Parent Partnership for advice")
    assert not partnership.regex().search("parent partnership is at the heart of our school")
    assert dda.regex().search("the building is DDA compliant")
    assert not dda.regex().search("Add a comment: dda")
