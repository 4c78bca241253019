"""The crawler's own WARC writer: standard records that warcio reads back, digests included
(responses, and the revisits of conditional re-crawls); and the audit's reader of them."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from warcio.archiveiterator import ArchiveIterator

from audit.core.evidence import WarcReader
from crawler.warc import SERVER_NOT_MODIFIED, new_record_id, response_record, revisit_record


def test_records_read_back_with_verified_digests():
    body = "<html><body>Café – “quotes”</body></html>".encode("utf-8") * 100
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Last-Modified", "Tue, 03 Mar 2020 10:00:00 GMT")]
    data = response_record("http://a.example/lo/é?q=1", 200, "OK", headers, body) + \
        response_record("http://a.example/gone", 404, "", [("Evil", "x\r\nWARC-Type: resource")], b"")
    records = list(ArchiveIterator(io.BytesIO(data), check_digests="raise"))
    assert [r.rec_headers.get_header("WARC-Type") for r in records] == ["response", "response"]
    first, second = records
    assert first.rec_headers.get_header("WARC-Target-URI") == "http://a.example/lo/é?q=1"
    assert first.http_headers.get_statuscode() == "200"
    assert first.http_headers.get_header("Last-Modified") == "Tue, 03 Mar 2020 10:00:00 GMT"
    assert second.http_headers.get_statuscode() == "404"
    # A CR/LF inside a header value cannot start a new header line.
    assert second.http_headers.get_header("Evil") == "x  WARC-Type: resource"


def test_each_record_is_its_own_gzip_member_so_offsets_seek():
    one = response_record("http://a.example/1", 200, "", [], b"first")
    two = response_record("http://a.example/2", 200, "", [], b"second")
    stream = io.BytesIO(one + two)
    stream.seek(len(one))
    record = next(iter(ArchiveIterator(stream)))
    assert record.content_stream().read() == b"second"


def test_the_audit_reads_each_record_back_by_offset_and_loses_nothing_silently(tmp_path):
    """audit.core.evidence.WarcReader inflates the one gzip member at an offset: the exact payload
    comes back (binary, with blank lines inside, or looking like chunked data under a stale
    Transfer-Encoding header), and a missing file or a cut record gives None, not garbage."""
    bodies = [
        "<html><body>Café</body></html>".encode("utf-8") * 3000,  # ~100 KB: read in several chunks
        b"%PDF-1.4\r\n\r\n\x00\xff binary\r\n\r\nstill the body",
        b"1a\r\nlooks chunked\r\n0\r\n\r\n",  # archived de-chunked: returned as stored
        b"",
    ]
    warc = tmp_path / "lo-warc" / "crawl-1-E06000001.warc.gz"
    warc.parent.mkdir()
    offsets, data = [], b""
    for i, body in enumerate(bodies):
        offsets.append(len(data))
        data += response_record(f"http://a.example/{i}", 200, "", [("Transfer-Encoding", "chunked")], body)
    warc.write_bytes(data)
    reader = WarcReader(tmp_path / "lo.db")
    name = "lo-warc/crawl-1-E06000001.warc.gz"
    assert [reader.body(name, offset) for offset in reversed(offsets)] == list(reversed(bodies))
    assert reader.body("lo-warc/missing.warc.gz", 0) is None
    assert reader.body(name, offsets[1] + 5) is None  # not the start of a record
    reader.close()
    warc.write_bytes(data[:offsets[1] + 40])  # an interrupted crawl cut the second record
    reader = WarcReader(tmp_path / "lo.db")
    assert reader.body(name, offsets[0]) == bodies[0]
    assert reader.body(name, offsets[1]) is None
    reader.close()


def test_revisit_record_of_a_304_is_warc_1_1_server_not_modified_as_warcio_reads_it(tmp_path):
    """A 304 Not Modified is archived as a WARC/1.1 ``revisit`` record (profile
    server-not-modified) referring to the earlier response by id, URL and date; the audit's
    reader gives back that earlier response whole (id, date, status, headers, body), which is
    what the crawler stands in for the 304 (crawler.conditional)."""
    body = b"<html><body>unchanged</body></html>"
    record_id = new_record_id()
    earlier = response_record("http://a.example/lo/", 200, "OK", [("ETag", '"abc"'), ("Content-Type", "text/html")],
                              body, when=datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc), record_id=record_id)
    revisit = revisit_record("http://a.example/lo/", 304, "Not Modified", [("ETag", '"abc"')], record_id,
                             "http://a.example/lo/", "2026-11-22T02:00:00Z")
    records = list(ArchiveIterator(io.BytesIO(earlier + revisit), check_digests="raise"))
    assert [r.rec_type for r in records] == ["response", "revisit"]
    headers = records[1].rec_headers
    assert headers.protocol == "WARC/1.1"
    assert headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
    assert headers.get_header("WARC-Refers-To") == record_id == records[0].rec_headers.get_header("WARC-Record-ID")
    assert headers.get_header("WARC-Refers-To-Target-URI") == "http://a.example/lo/"
    assert headers.get_header("WARC-Refers-To-Date") == records[0].rec_headers.get_header("WARC-Date")
    assert headers.get_header("WARC-Payload-Digest") is None  # no payload to digest
    assert records[1].http_headers.get_statuscode() == "304"
    assert records[1].http_headers.get_header("ETag") == '"abc"'

    warc = tmp_path / "lo-warc" / "crawl-1-E06000001.warc.gz"
    warc.parent.mkdir()
    warc.write_bytes(earlier + revisit)
    reader = WarcReader(tmp_path / "lo.db")
    name = "lo-warc/crawl-1-E06000001.warc.gz"
    archived = reader.response(name, 0)
    assert (archived.record_id, archived.date, archived.url, archived.status, archived.body) == \
        (record_id, "2026-11-22T02:00:00Z", "http://a.example/lo/", 200, body)
    assert archived.headers == [("ETag", '"abc"'), ("Content-Type", "text/html")]
    assert reader.response(name, len(earlier)) is None  # a revisit holds no body to stand in
    assert reader.body(name, 0) == body
    reader.close()
