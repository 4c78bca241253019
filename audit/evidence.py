"""Read raw evidence back from the WARC files a crawl wrote, so an audit can be re-run
without re-crawling."""

from __future__ import annotations

from pathlib import Path

from w3lib.encoding import html_to_unicode
from warcio.archiveiterator import ArchiveIterator


class WarcReader:
    """Random access to WARC records by (file, offset), keeping files open between reads."""

    def __init__(self, db_path: str | Path):
        self.base = Path(db_path).resolve().parent
        self._files: dict[str, object] = {}

    def body(self, warc_file: str, offset: int) -> bytes | None:
        fh = self._files.get(warc_file)
        if fh is None:
            try:
                fh = open(self.base / warc_file, "rb")
            except OSError:
                return None
            self._files[warc_file] = fh
        fh.seek(offset)
        try:
            for record in ArchiveIterator(fh):
                return record.content_stream().read()
        except Exception:  # a truncated record from an interrupted crawl: evidence lost, say so upstream
            return None
        return None

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()


def decode_html(body: bytes, content_type: str | None) -> str:
    """Bytes to text using the HTTP charset, then <meta charset>, then a guess (never raises)."""
    _, text = html_to_unicode(content_type or "", body)
    return text
