"""The crawler's own WARC writer: standard records that warcio reads back, digests included;
and the audit's reader of them."""

from __future__ import annotations

import io

from warcio.archiveiterator import ArchiveIterator

from audit.core.evidence import WarcReader
from crawler.warc import response_record


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
