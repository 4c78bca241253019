"""Three weeks of a continuous audit, for real: a loopback web crawled and audited three
times with ``lo-audit crawl`` and ``lo-audit audit``, changing between weeks, with hostile
text in what the crawler reads (the feeds and prune tests share it).

Two councils on one loopback host (scopes ``/a/`` and ``/b/``):

* week 1 (crawl 1, audit 1 as of 2025-06-01): both sites fine; ``/a/old`` was last updated
  on 10 January 2025, fresh then;
* week 2 (crawl 2, audit 2 as of 2026-06-01): ``/a/old`` has gone out of date (507 days);
  ``/a/services`` gains a link to a missing leaflet (newly broken) whose text is hostile;
  council B's Local Offer answers 503 (newly not assessed);
* week 3 (crawl 3, audit 3 as of 2026-06-08): B is back.

The hostile strings are what a page title or link text can carry: markup
(``<script>``, ``<img onerror>``), the end of an XML CDATA section (``]]>``), control
characters XML cannot hold, and a ``javascript:`` link.
"""

from __future__ import annotations

from pathlib import Path

from conftest import Reply, Web, council, lo_audit, run_crawl  # tests/ is on sys.path (pytest's rootdir conftest)

HOSTILE = "Hostile & Sons Borough"
STEADY = "Steadyshire"
A, B = "E09990001", "E09990002"
SCRIPT_TITLE = "<script>alert(1)</script> ]]> Old\x01 page"
LINK_TEXT = "<img src=x onerror=alert(2)>]]>\x02 leaflet"
JS_HREF = "javascript:alert(3)"
AS_OF = ("2025-06-01", "2026-06-01", "2026-06-08")


def _page(title: str, body: str, updated: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body><main><h1>{title}</h1>'
            f"<p>Information for families of children with SEND. Last updated: {updated}</p>{body}</main></body></html>")


def serve_week(web: Web, week: int) -> None:
    """Set the web's answers for ``week`` (1, 2 or 3)."""
    links = '<a href="/a/old">Old page</a> <a href="/a/services">Services</a>'
    recent = "1 May 2025" if week == 1 else "1 May 2026"  # kept up to date, unlike /a/old
    web.route("/a/", _page("Hostileton SEND Local Offer", links, recent))
    web.route("/a/old", _page(SCRIPT_TITLE, "<p>Short breaks.</p>", "10 January 2025"))
    extra = (f'<a href="/a/missing-leaflet.pdf">{LINK_TEXT.replace("<", "&lt;")}</a> '
             f'<a href="{JS_HREF}">Email us</a>') if week > 1 else ""
    web.route("/a/services", _page("Services", f'<a href="/a/">Home</a> {extra}', recent))
    if week == 2:
        web.route("/b/", Reply(503, "Service unavailable"))
    else:
        web.route("/b/", _page("Steadyshire Local Offer", "", recent))


def build_weekly_db(tmp: Path) -> Path:
    """Run the three weeks into ``tmp/crawl.db``; return its path."""
    web = Web()
    try:
        rows = [council(A, web.url("/a/"), name=HOSTILE), council(B, web.url("/b/"), name=STEADY)]
        for week in (1, 2, 3):
            serve_week(web, week)
            result = run_crawl(tmp, rows)
            proc = lo_audit("audit", "--db", result.db_path, "--as-of", AS_OF[week - 1], "--axe-sample", "0",
                            timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
    finally:
        web.close()
    return result.db_path
