"""Fuzzing the seeds / registry CSV (SPEC "Seeds / registry CSV" and "bad input").

In process, ``parse_registry`` gets thousands of generated texts (columns in any order,
missing and extra columns, bad URLs, unicode, NUL bytes, quotes, duplicate codes, empty
files): it either raises ``RegistryError`` with a one-line message or returns a
``Registry`` whose problems are all ``line N: ...`` lines; nothing else ever escapes.
Then a few generated files go through the real ``lo-audit crawl`` (seed URLs on a closed
loopback port, so nothing leaves the machine): exit 0 with a complete crawl when a row is
usable, otherwise exit 1 with one ``Error:`` line; an existing database never loses rows.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from audit.core.registry import Registry, RegistryError, parse_registry

from conftest import closed_port, lo_audit, query

COLUMNS = ["code", "name", "local_offer_url", "council_url", "scope", "region", "la_type"]
LINE = re.compile(r"^line \d+: ")
PORT = closed_port()
LOCAL = f"http://127.0.0.1:{PORT}"

# Cells: good and bad URLs, unicode, quotes, separators, control characters.
BAD_URLS = ["", "ftp://x.example/", "http://", "http://[::1", "http://a.example:99999/", "not a url",
            "javascript:alert(1)", "http://a b.example/", "https://bücher.example/lo/", "//a.example/lo/",
            "HTTP://A.EXAMPLE/LO/", "http://a.example/lo/\t", "\ufeffhttp://a.example/", "http:///lo/"]
GOOD_URLS = [f"{LOCAL}/lo/", f"{LOCAL}/lo/index.html", f"{LOCAL}/send", f"  {LOCAL}/x/  "]
odd_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
cell = st.one_of(st.sampled_from(BAD_URLS + GOOD_URLS), odd_text,
                 st.sampled_from(['"', '""', 'a"b', ",", "\x00", "E1", "E1 ", "é", "\u2028", "\x85", "\x0c"]))
codes = st.one_of(st.sampled_from(["E1", "E2", "E1", "", " ", "E\u00e9"]), odd_text)


@st.composite
def csv_texts(draw, good_only: bool = False) -> str:
    """A seeds file: a header (shuffled, maybe missing/extra columns) and rows."""
    cols = draw(st.permutations(COLUMNS))
    cols = cols[: draw(st.integers(min_value=0 if not good_only else 4, max_value=len(cols)))]
    if good_only:
        cols = list(dict.fromkeys([*cols, "code", "name", "local_offer_url", "council_url"]))
    if draw(st.booleans()):
        cols = [*cols, draw(st.sampled_from(["extra", "Code", " NAME ", "", "code"]))]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerow(cols)
    for _ in range(draw(st.integers(min_value=int(good_only), max_value=5))):
        row = []
        for c in cols:
            if c == "code":
                row.append(draw(codes))
            elif good_only and c in ("local_offer_url", "council_url", "scope"):
                row.append(draw(st.sampled_from(GOOD_URLS + ["", "ftp://x.example/", "not a url"])))
            else:
                row.append(draw(cell))
        if not good_only or draw(st.booleans()):
            row = row[: draw(st.integers(min_value=0, max_value=len(row) + 1))] + draw(st.lists(cell, max_size=2))
        writer.writerow(row)
    text = buf.getvalue()
    if not good_only and draw(st.integers(0, 9)) == 0:  # raw damage: a cut, a stray quote, a NUL
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["", '"', "\x00", "\ufeff", "\n\n", ",,,"])) + text[at:]
    return text


def check_parse(text: str) -> Registry | None:
    try:
        registry = parse_registry(text)
    except RegistryError as e:
        message = str(e)
        assert message and len(message.splitlines()) == 1, repr(message)
        return None
    assert isinstance(registry, Registry)
    for problem in registry.problems:
        assert LINE.match(problem), repr(problem)
        # One physical line: no separator of any kind is echoed (see the test below).
        assert len(problem.splitlines()) == 1, repr(problem)
    for c in registry.councils:
        assert c.code and c.code == c.code.strip()
    assert len({c.code for c in registry.councils}) == len(registry.councils)
    return registry


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_texts())
def test_generated_seed_files_parse_or_fail_cleanly(text):
    check_parse(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                 st.just(""), st.just("\n"), st.just("\x00"), st.just('"'), st.just("code,name\n")))
def test_arbitrary_text_parses_or_fails_cleanly(text):
    check_parse(text)


@pytest.mark.parametrize("sep", ["\x0c", "\x85", "\u2028"])
def test_problem_lines_never_hold_line_separators(sep):
    reg = parse_registry(f"name,local_offer_url,code,council_url\n,,0{sep}0,ftp://x.example/\n,,0{sep}0,\n,,0{sep}0,\n")
    assert reg.councils == []
    assert len(reg.problems) == 3 and all(len(p.splitlines()) == 1 for p in reg.problems), reg.problems
    assert all("control or separator" in p for p in reg.problems)


# ------------------------------------------------------------------------- the real CLI
TABLES = ("crawls", "crawl_sites", "councils", "fetches", "link_checks")


def counts(db) -> dict[str, int]:
    return {t: query(db, f"SELECT count(*) n FROM {t}")[0]["n"] for t in TABLES}


@pytest.fixture(scope="module")
def existing_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzzcli")
    seeds = tmp / "good.csv"
    seeds.write_text(f"code,name,local_offer_url,council_url\nE0,Zero,{LOCAL}/lo/,http://www.council.example/\n")
    db = tmp / "existing.db"
    proc = lo_audit("crawl", "--seeds", seeds, "--db", db, "--download-delay", "0", "--timeout", "2")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return tmp, db


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.one_of(csv_texts(good_only=True), csv_texts(good_only=True), csv_texts()))
def test_generated_seed_files_through_the_cli(existing_db, text):
    tmp, db = existing_db
    seeds = tmp / "fuzz.csv"
    seeds.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    before = counts(db)
    try:
        expected = parse_registry(text[1:] if text.startswith("\ufeff") else text)  # as read_registry does
    except RegistryError:
        expected = None
    usable = expected is not None and expected.councils
    proc = lo_audit("crawl", "--seeds", seeds, "--db", db, "--download-delay", "0", "--timeout", "2", timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    after = counts(db)
    assert all(after[t] >= before[t] for t in TABLES), (before, after)
    if usable:
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert after["crawls"] == before["crawls"] + 1
        assert query(db, "SELECT status FROM crawls ORDER BY crawl_id DESC LIMIT 1")[0]["status"] == "complete"
        assert proc.stderr.count("warning:") == len(expected.problems)
    else:
        assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
        assert after == before
        errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error:")]
        assert len(errors) == 1, proc.stderr
