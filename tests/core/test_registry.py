"""The seeds / registry CSV: bad rows are reported by line number and skipped; the rest run."""

from __future__ import annotations

import sqlite3

import pytest

from audit.core.registry import RegistryError, parse_registry, read_registry, select

from conftest import council, lo_audit, page

HEADER = "code,name,local_offer_url,council_url,region,la_type,scope\n"


def test_good_rows_with_default_and_explicit_scope():
    reg = parse_registry(HEADER
                         + "E1,One,http://a.example/lo/index.html,http://a.example/,North,county,\n"
                         + "E2,Two,https://b.example/send,https://b.example/,,,https://b.example/send/ https://b.example/edu/\n"
                         + "E3,Three,,http://c.example/,,,\n")
    assert reg.problems == []
    one, two, three = reg.councils
    assert one.scope == ("http://a.example/lo/",) and one.region == "North" and one.la_type == "county"
    assert two.scope == ("https://b.example/send/", "https://b.example/edu/")
    assert three.local_offer_url == "" and three.scope == ()  # stays in the registry as not_found


def test_bad_rows_reported_by_line_and_skipped():
    text = (HEADER
            + "E1,Good,http://a.example/lo/,http://a.example/,,,\n"      # line 2
            + "E2,No scheme,www.b.example/lo/,http://b.example/,,,\n"    # line 3
            + "E3,FTP,ftp://c.example/lo/,http://c.example/,,,\n"        # line 4
            + "E1,Duplicate,http://d.example/lo/,http://d.example/,,,\n"  # line 5
            + ",No code,http://e.example/lo/,http://e.example/,,,\n"     # line 6
            + 'E7,"Broken quote,http://f.example/lo/,http://f.example/,,,\n'  # line 7
            + "\n"                                                       # line 8: blank, ignored
            + "E9,Also good,http://g.example/lo/,http://g.example/,,,\n"  # line 9
            + "E10,Bad scope,http://h.example/lo/,http://h.example/,,,gopher://h.example/\n")  # line 10
    reg = parse_registry(text)
    assert [c.code for c in reg.councils] == ["E1", "E9"]
    assert reg.councils[0].name == "Good"
    lines = [p.split(":")[0] for p in reg.problems]
    assert lines == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 10"], reg.problems
    assert "http://" in reg.problems[0] and "ftp://c.example" in reg.problems[1]
    assert "duplicate code E1" in reg.problems[2] and "line 2" in reg.problems[2]
    assert "missing code" in reg.problems[3]
    assert "skipped" in reg.problems[4]


def test_quoted_fields_still_parse():
    reg = parse_registry(HEADER + 'E1,"Bath, and North East Somerset",http://a.example/lo/,http://a.example/,,,\n')
    assert reg.problems == [] and reg.councils[0].name == "Bath, and North East Somerset"


def test_extra_columns_ignored_and_header_case_insensitive():
    reg = parse_registry("Code,Name,Local_Offer_URL,Council_URL,notes\nE1,One,http://a.example/,http://a.example/,x\n")
    assert reg.problems == [] and reg.councils[0].local_offer_url == "http://a.example/"


@pytest.mark.parametrize("text,message", [
    ("", "empty"),
    ("code,name,council_url\nE1,One,http://a.example/\n", "local_offer_url"),
    ("code,name,local_offer_url,council_url\x00\n", "NUL"),
])
def test_unusable_files_raise(text, message):
    with pytest.raises(RegistryError, match=message):
        parse_registry(text)


def test_read_registry_file_errors(tmp_path):
    with pytest.raises(RegistryError, match="not found"):
        read_registry(tmp_path / "missing.csv")
    with pytest.raises(RegistryError, match="folder"):
        read_registry(tmp_path)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(HEADER.encode() + "E1,Sh\xe9ffield,http://a.example/,http://a.example/,,,\n".encode("latin-1"))
    with pytest.raises(RegistryError, match="UTF-8"):
        read_registry(latin1)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"E1,One,http://a.example/,http://a.example/,,,\n")
    assert [c.code for c in read_registry(bom).councils] == ["E1"]


def test_select_unknown_code():
    reg = parse_registry(HEADER + "E1,One,http://a.example/,http://a.example/,,,\n")
    assert [c.code for c in select(reg, ["E1", "E1"])] == ["E1"]
    with pytest.raises(RegistryError, match="E404"):
        select(reg, ["E1", "E404"])


def test_crawl_reports_bad_rows_on_stderr_and_crawls_the_rest(web, tmp_path):
    web.route("/lo/", page("a", title="Good"))
    web.route("/lo/a", page(title="A"))
    good = council("E1", web.url("/lo/"))
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(
        "code,name,local_offer_url,council_url,scope\n"
        f"E1,Good,{good['local_offer_url']},http://www.council.example/,\n"   # line 2
        "E2,No scheme,www.council.example/lo/,http://www.council.example/,\n"  # line 3
        "E3,FTP,ftp://www.council.example/lo/,http://www.council.example/,\n"  # line 4
        f"E1,Dup,{good['local_offer_url']},http://www.council.example/,\n"    # line 5
        ",Anon,http://www.council.example/lo/,http://www.council.example/,\n"  # line 6
        'E6,"Oops,http://www.council.example/lo/,http://www.council.example/,\n'  # line 7
        "E7,No Local Offer,,http://www.council.example/,\n",                   # line 8
        encoding="utf-8")
    db = tmp_path / "crawl.db"
    proc = lo_audit("crawl", "--seeds", seeds, "--db", db, "--download-delay", "0", "--timeout", "5")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for line in (3, 4, 5, 6, 7):
        assert f"line {line}:" in proc.stderr, (line, proc.stderr)
    assert "line 2:" not in proc.stderr and "line 8:" not in proc.stderr
    conn = sqlite3.connect(db)
    sites = dict(conn.execute("SELECT council_code, status FROM crawl_sites").fetchall())
    # E7 has no Local Offer URL: its council's website was searched (www.council.example never
    # resolves), and it is accounted for as not found.
    assert sites == {"E1": "ok", "E7": "no_local_offer_found"}
    assert conn.execute("SELECT pages_fetched FROM crawl_sites WHERE council_code='E1'").fetchone()[0] == 2
    assert web.hits("/lo/a", "GET") == 1


def test_bad_council_url_costs_only_itself():
    """Every council accounted for: a council whose website address is unusable is still
    crawled (or reported as not found), with one line saying its site cannot be searched."""
    reg = parse_registry(HEADER
                         + "E1,One,http://a.example/lo/,ftp://a.example/,,,\n"
                         + "E2,Two,,javascript:alert(1),,,\n"
                         + "E3,Three,www.c.example/lo/,gopher://c.example/,,,\n")
    assert [(c.code, c.local_offer_url, c.council_url) for c in reg.councils] == [
        ("E1", "http://a.example/lo/", ""), ("E2", "", "")]
    assert reg.problems[0].startswith("line 2: E1: council_url 'ftp://a.example/' must start with http")
    assert "kept without it" in reg.problems[0] and "kept without it" in reg.problems[1]
    assert reg.problems[2].startswith("line 4: E3: local_offer_url") and reg.problems[2].endswith("skipped")
    assert len(reg.problems) == 3
