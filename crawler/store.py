"""Where a crawl's evidence goes: raw bodies to WARC, rows to SQLite.

The spider and the robots gate both record through one ``Store`` so there is a single
writer. Rows are buffered and written in batches inside one transaction (upserts by
natural key, so a resumed or repeated crawl never duplicates a row); WARC records are
flushed as they are written so an interrupted crawl leaves readable files.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from audit import db as dbmod

# Response headers kept in the fetches table: enough to explain every date and status.
KEPT_HEADERS = (
    "content-type", "content-length", "content-encoding", "last-modified", "date", "etag", "server",
    "location", "retry-after", "cf-mitigated", "x-robots-tag", "cache-control",
)
FLUSH_ROWS = 500
FLUSH_SECONDS = 2.0


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    def __init__(self, db_path: str | Path, crawl_id: int):
        self.db_path = Path(db_path)
        self.db = dbmod.connect(self.db_path)
        self.crawl_id = crawl_id
        self.warc_dir = dbmod.warc_dir(self.db_path)
        self.warc_dir.mkdir(exist_ok=True)
        self._warcs: dict[str, tuple[object, WARCWriter, str]] = {}
        self._rows: dict[str, list[dict]] = {"fetches": [], "links": [], "link_checks": [], "sitemap_entries": []}
        self._pending = 0
        self._last_flush = time.monotonic()
        self.finished = False  # set when the spider closed normally

    # -- WARC ---------------------------------------------------------------
    def _warc(self, council_code: str) -> tuple[object, WARCWriter, str]:
        if council_code not in self._warcs:
            name = f"crawl-{self.crawl_id}-{council_code}.warc.gz"
            fh = open(self.warc_dir / name, "ab")
            self._warcs[council_code] = (fh, WARCWriter(fh, gzip=True), f"{self.warc_dir.name}/{name}")
        return self._warcs[council_code]

    def write_warc(self, council_code: str, url: str, status: int, reason: str,
                   headers: list[tuple[str, str]], body: bytes) -> tuple[str, int]:
        """Append a WARC response record; return (file relative to the db folder, offset)."""
        fh, writer, relname = self._warc(council_code)
        offset = fh.tell()
        http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http_headers)
        writer.write_record(record)
        fh.flush()
        return relname, offset

    # -- rows ---------------------------------------------------------------
    def add(self, table: str, row: dict) -> None:
        row.setdefault("crawl_id", self.crawl_id)
        self._rows[table].append(row)
        self._pending += 1
        if self._pending >= FLUSH_ROWS or time.monotonic() - self._last_flush > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        pks = {
            "fetches": ("crawl_id", "council_code", "url"),
            "links": ("crawl_id", "council_code", "source_url", "target_url"),
            "link_checks": ("crawl_id", "url"),
            "sitemap_entries": ("crawl_id", "council_code", "url"),
        }
        with self.db.conn:
            self.db.conn.execute("BEGIN")
            for table, rows in self._rows.items():
                if rows:
                    self.db.table(table).upsert_all(rows, pk=pks[table])
                    rows.clear()
        self._pending = 0
        self._last_flush = time.monotonic()

    def site_row(self, row: dict) -> None:
        row["crawl_id"] = self.crawl_id
        self.db.table("crawl_sites").upsert(row, pk=("crawl_id", "council_code"))

    def close(self) -> None:
        self.flush()
        for fh, _, _ in self._warcs.values():
            fh.close()
        self._warcs.clear()


def kept_headers(headers: dict[str, str]) -> str:
    return json.dumps({k: v for k, v in headers.items() if k in KEPT_HEADERS}, sort_keys=True)
