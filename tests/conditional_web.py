"""A Local Offer that answers validators as a CMS does (ETag and Last-Modified), crawled and
audited once per call: the conditional re-crawl tests and the prune test share it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import Reply, council, lo_audit, query, run_crawl  # tests/ is on sys.path (pytest's rootdir conftest)

CODE = "E06000099"
AS_OF = "2026-11-23"
LAST_MODIFIED = "Tue, 03 Mar 2026 10:00:00 GMT"
FILLER = ("<p>Short breaks give disabled children and young people time away from their parents, "
          "and give parents a break from caring. Ask your social worker or contact the team.</p>")


def local_offer_page(title: str, links: list[str], updated: str = "2 March 2026") -> str:
    """A page about the size of a real Local Offer page (~20 KB) with its own date."""
    items = "".join(f'<li><a href="{href}">{href.rsplit("/", 1)[-1] or "Home"}</a></li>' for href in links)
    return (f'<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body><main><h1>{title}</h1>'
            f"<p>Last updated: {updated}</p><ul>{items}</ul>{FILLER * 80}</main></body></html>")


def reply(body: str | bytes, content_type: str = "text/html; charset=utf-8", etag: bool = True) -> Reply:
    """A 200 with the validators a CMS sends: a strong ETag of the body and a Last-Modified."""
    data = body.encode() if isinstance(body, str) else body
    headers = {"Last-Modified": LAST_MODIFIED}
    if etag:
        headers["ETag"] = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
    return Reply(200, data, headers, content_type)


def serve_site(web, other, changed: bool = False) -> None:
    """A 12-page Local Offer with a sitemap, a PDF (Last-Modified only) and links to another
    site (one of them broken). ``changed``: /lo/p3 has been updated since."""
    pages = [f"/lo/p{i}" for i in range(1, 12)]
    external = [other.url("/ok"), other.url("/gone")]
    web.route("/lo/", reply(local_offer_page("SEND Local Offer", [*pages, "/lo/leaflet.pdf", *external])))
    for i, path in enumerate(pages, 1):
        updated = "1 December 2026" if changed and i == 3 else "2 March 2026"
        web.route(path, reply(local_offer_page(f"Page {i}", ["/lo/", pages[i % len(pages)]], updated)))
    pdf = b"%PDF-1.4\n" + b"0" * 30000 + b"\n%%EOF\n"
    web.route("/lo/leaflet.pdf", reply(pdf, "application/pdf", etag=False))
    sitemap = "".join(f"<url><loc>{web.url(p)}</loc><lastmod>2026-03-02</lastmod></url>" for p in pages)
    web.route("/sitemap.xml", reply(f'<?xml version="1.0"?><urlset>{sitemap}</urlset>', "application/xml"))
    web.route("/robots.txt", Reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain"))
    other.route("/ok", "<html><body>ok</body></html>")
    other.route("/gone", Reply(404, "gone"))


def crawl_and_audit(tmp: Path, web, *extra) -> tuple[int, int]:
    """One crawl and one audit as of AS_OF; the bytes the Local Offer's server sent for it."""
    before = web.bytes_sent
    result = run_crawl(tmp, [council(CODE, web.url("/lo/"))], *extra)
    sent = web.bytes_sent - before
    proc = lo_audit("audit", "--db", result.db_path, "--as-of", AS_OF, "--axe-sample", "0", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return sent, query(result.db_path, "select max(audit_id) as a from audits")[0]["a"]
