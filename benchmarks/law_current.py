"""The "Legally current" check's reading of text: precision and recall on labelled sentences,
and its CPU cost per page and per document.

    .venv/bin/python benchmarks/law_current.py [--pages 200] [--documents 20]

1. ``benchmarks/law/sentences.tsv``: each sentence is read on its own by ``find_outdated``,
   as a document's page is read (every term) and as a web page is (the rarer terms only in a text
   that names a common one, see audit/law/terms.py: a sentence alone names nothing else, so
   this is the worst case of that rule). A labelled term found is a true positive, a labelled
   term not found a false negative, any other term found a false positive. Printed for the
   held-out section (written before the detection code, never tuned on) and the tuning section
   apart, overall and per term (per term for document reading).
2. Cost per page: the check's reading of a page's main text (one ``fold``, then ``find_outdated``,
   ``review_dates`` and ``feedback_report`` on it, as ``audit/checks/legal.py`` does), in all and
   each part apart, on the national benchmark's generated pages and on generated Local Offer
   prose of 40-90 KB without and with terms, review dates and explanatory decoys.
3. Cost per document: ``document_pages`` and ``find_outdated_pages`` on generated PDF, DOCX and
   ODT files of 12 pages (text from the same generator), reading time apart from judging time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audit.core.doctext import document_pages  # noqa: E402
from audit.core.dates import fold  # noqa: E402
from audit.law.outdated import feedback_report, find_outdated, find_outdated_pages, review_dates  # noqa: E402
from audit.law.terms import TERMS  # noqa: E402

sys.path.insert(0, str(ROOT / "data" / "demo"))
from make_documents import docx_bytes, odt_bytes, pdf_bytes  # noqa: E402

SENTENCES = ROOT / "benchmarks" / "law" / "sentences.tsv"


def load() -> dict[str, list[tuple[int, set[str], str]]]:
    sections: dict[str, list[tuple[int, set[str], str]]] = defaultdict(list)
    section = "unsectioned"
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            name = line[1:].strip()
            if name in ("held-out", "tuning"):
                section = name
            continue
        if line.strip():
            label, terms, sentence = line.split("\t")
            sections[section].append((int(label), {t for t in terms.split(",") if t}, sentence))
    return sections


def score(rows, every_key: bool) -> tuple[Counter, dict[str, Counter], list[str]]:
    total: Counter = Counter()
    per_term: dict[str, Counter] = defaultdict(Counter)
    mistakes = []
    for label, gold, sentence in rows:
        found = {ref.term for ref in find_outdated(sentence, every_key=every_key)}
        truth = gold if label else set()
        for term in found & truth:
            total["tp"] += 1
            per_term[term]["tp"] += 1
        for term in found - truth:
            total["fp"] += 1
            per_term[term]["fp"] += 1
            mistakes.append(f"  FP {term}: {sentence}")
        for term in truth - found:
            total["fn"] += 1
            per_term[term]["fn"] += 1
            mistakes.append(f"  FN {term}: {sentence}")
    return total, per_term, mistakes


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def report_sentences(show_mistakes: bool) -> None:
    sections = load()
    print("Precision and recall on labelled sentences (benchmarks/law/sentences.tsv)")
    for name in ("held-out", "tuning"):
        rows = sections.get(name, [])
        positives = sum(1 for label, _, _ in rows if label)
        print(f"\n{name}: {len(rows)} sentences ({positives} presenting old law as current, "
              f"{len(rows) - positives} not)")
        for mode, every_key in (("as a web page", False), ("as a document", True)):
            total, per_term, mistakes = score(rows, every_key)
            print(f"  {mode:14} precision {ratio(total['tp'], total['tp'] + total['fp'])}  "
                  f"recall {ratio(total['tp'], total['tp'] + total['fn'])}  "
                  f"(tp {total['tp']}, fp {total['fp']}, fn {total['fn']})")
            if show_mistakes and mistakes:
                print("\n".join(mistakes))
        for term in TERMS:
            c = per_term.get(term.id, Counter())
            if c:
                print(f"    {term.id:26} precision {ratio(c['tp'], c['tp'] + c['fp'])}  "
                      f"recall {ratio(c['tp'], c['tp'] + c['fn'])}  (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})")


# --- generated text ---------------------------------------------------------------------

PROSE = [
    "Children and young people with special educational needs and disabilities can get support from their "
    "school, college or early years setting.",
    "The Local Offer brings together information about education, health and social care services for families.",
    "Short breaks give disabled children the chance to take part in activities and give parent carers a break.",
    "If you are worried about your child's progress, talk to the class teacher or the SENCO first.",
    "An Education, Health and Care needs assessment can be requested by parents, young people or schools.",
    "The local authority must decide within six weeks whether to carry out an EHC needs assessment.",
    "Our accessibility statement explains how to ask for information in a different format.",
    "Transport to school may be available for children who cannot walk to school because of their needs.",
    "The parent carer forum works with the council to make services better for families.",
    "You can find clubs, holiday activities and leisure services on the directory.",
    "Preparing for adulthood starts in Year 9 and covers work, independent living, friends and good health.",
    "We review this page regularly with families and young people.",
    "Personal budgets can be used to buy support that is set out in an EHC plan.",
    "The school will transfer records to the new school when your child moves in September.",
    "Contact the SEND team on 01632 960000 or email send@northshire.example.",
    "Mediation and disagreement resolution services are free and independent of the council.",
]
OLD = [
    "Pupils at School Action Plus receive advice from outside specialists.",
    "For independent advice, contact the Parent Partnership Service.",
    "This policy follows the SEN Code of Practice 2001.",
    "Children with a statement of special educational needs have an annual review.",
]
DECOYS = [
    "Statements of SEN were replaced by EHC plans in 2014.",
    "SENDIASS, formerly the Parent Partnership Service, gives impartial advice.",
    "SEN support replaces School Action and School Action Plus.",
    "Review date: September 2019.",
    "You said, we did: Local Offer annual report 2023-24.",
]


def page_text(rng: random.Random, size: int, old: float = 0.01, decoys: float = 0.02) -> str:
    parts = []
    length = 0
    while length < size:
        roll = rng.random()
        sentence = rng.choice(OLD if roll < old else DECOYS if roll < old + decoys else PROSE)
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)[:size]


def national_pages(count: int) -> list[str]:
    """The HTML of pages of the national benchmark's generated web (a site of ``count`` pages
    from benchmarks/national/generate.py, the pages of 20 KB of HTML or more)."""
    sys.path.insert(0, str(ROOT / "benchmarks" / "national"))
    import generate  # noqa: E402

    with tempfile.TemporaryDirectory() as work:
        generate.generate_single_site(Path(work), count, "localoffer.council001.example", {})
        files = [f for f in sorted(Path(work).rglob("*.html")) if f.stat().st_size >= 20_000]
        return [f.read_text(encoding="utf-8") for f in files[:count]]


def time_main_text(htmls: list[str]) -> list[str]:
    """``Page.main_text`` of each page, timed: the text the check reads, worked out once a page
    (cached) and shared with the other checks that read it, from the tree the runner parsed."""
    from audit.core.page import Page

    texts, times = [], []
    for html in htmls:
        page = Page("https://localoffer.council001.example/", html)
        page.tree  # parsed once for every check by the runner
        start = time.process_time()
        texts.append(page.main_text)
        times.append(time.process_time() - start)
    print(f"  national benchmark pages: Page.main_text (the text read; cached, shared with other checks) "
          f"median {statistics.median(times) * 1000:.3f} ms/page")
    return texts


def read_page(text: str, folded: bytes) -> None:
    """What the check does with a page's main text (audit/checks/legal.py)."""
    find_outdated(text, "Short breaks", folded)
    review_dates(text, folded)
    feedback_report("Short breaks", text, None, folded)


def time_texts(label: str, texts: list[str]) -> None:
    sizes = [len(t) for t in texts]
    print(f"  {label}: {len(texts)} texts, mean {statistics.mean(sizes) / 1000:.0f} KB")
    parts = (("the check, in all", lambda t, f: read_page(t, fold(t))), ("fold", lambda t, f: fold(t)),
             ("find_outdated", lambda t, f: find_outdated(t, "Short breaks", f)),
             ("review_dates", lambda t, f: review_dates(t, f)),
             ("feedback_report", lambda t, f: feedback_report("Short breaks", t, None, f)))
    for name, fn in parts:
        times = []
        for text in texts:
            fresh = (text + " ")[:-1]  # a new string, as each page's text is
            folded = fold(fresh)
            start = time.process_time()
            fn(fresh, folded)
            times.append(time.process_time() - start)
        per_50kb = sum(times) / sum(sizes) * 50_000 * 1000
        print(f"    {name:18} median {statistics.median(times) * 1000:.3f} ms/page, mean {statistics.mean(times) * 1000:.3f}, "
              f"{per_50kb:.3f} ms per 50 KB")


def report_pages(count: int) -> None:
    print("\nCost per page (CPU, process_time; each text a fresh string as the audit gives each page)")
    time_texts("national benchmark pages' main text", time_main_text(national_pages(count)))
    rng = random.Random(1)
    time_texts("Local Offer prose of 40-90 KB, no term", [page_text(rng, rng.randint(40_000, 90_000), 0.0, 0.0)
                                                          for _ in range(count)])
    time_texts("Local Offer prose of 40-90 KB, 1% old-law and 2% decoy sentences",
               [page_text(rng, rng.randint(40_000, 90_000)) for _ in range(count)])


def paragraphs(rng: random.Random) -> str:
    """A page of ~4.5 KB: paragraphs of generated text, as a policy's page holds."""
    return "\n\n".join(page_text(rng, 750) for _ in range(6))


def report_documents(count: int) -> None:
    rng = random.Random(2)
    print(f"\nCost per document: {count} documents of each kind, 12 pages of ~4.5 KB text "
          "(made by data/demo/make_documents.py)")
    makers = (("pdf", lambda pages: pdf_bytes("Policy", "D:20190601000000Z", True, pages), "application/pdf"),
              ("docx", lambda pages: docx_bytes("Policy", None, pages),
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              ("odt", lambda pages: odt_bytes("Policy", pages), "application/vnd.oasis.opendocument.text"))
    for kind, make, content_type in makers:
        bodies = [make(tuple(paragraphs(rng) for _ in range(12))) for _ in range(count)]
        read, judge, pages = [], [], 0
        for body in bodies:
            start = time.process_time()
            texts = document_pages(body, content_type, f"https://council.example/doc.{kind}")
            middle = time.process_time()
            find_outdated_pages(texts, "Policy")
            for text in texts:
                review_dates(text)
            read.append(middle - start)
            judge.append(time.process_time() - middle)
            pages += len(texts)
        print(f"  {kind:5} {pages / count:.0f} pages read: reading median {statistics.median(read) * 1000:.2f} ms/document, "
              f"judging median {statistics.median(judge) * 1000:.3f} ms/document")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--mistakes", action="store_true", help="list every false positive and negative")
    args = parser.parse_args()
    report_sentences(args.mistakes)
    report_pages(args.pages)
    report_documents(args.documents)


if __name__ == "__main__":
    main()
