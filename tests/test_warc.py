"""The crawler's own WARC writer: standard records that warcio reads back, digests included."""

from __future__ import annotations

import io

from warcio.archiveiterator import ArchiveIterator

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
