#!/usr/bin/env python3
"""What rendering a JavaScript-built Local Offer costs: prints figures, asserts nothing.

    .venv/bin/python benchmarks/render.py [--pages 40]

Serves two versions of the same Local Offer of N pages from loopback (as a proxy, so the
sites keep realistic host names): one server-rendered, one an application shell whose
script builds each page from a JSON API (the shape of tests/test_render.py). Crawls each
with ``lo-audit crawl --download-delay 0`` and prints the wall and CPU time of each crawl,
the pages rendered, the browser's own time per page (from ``fetches.render_detail``),
and the extra wall time per rendered page. The server-rendered crawl starts no browser.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
BODY = "<p>" + "Support for children and young people with special educational needs and disabilities. " * 20 + "</p>"
APP_JS = """(async function () {
  const data = await (await fetch('/api' + location.pathname)).json();
  document.getElementById('root').innerHTML = '<main><h1>' + data.title + '</h1>' + data.body +
    '<p>Last updated: 3 March 2025</p><ul>' + data.links.map(l => '<li><a href="' + l + '">' + l + '</a></li>').join('')
    + '</ul></main>';
})();"""
SHELL = ('<!doctype html><html lang="en"><head><title>Local Offer</title><script defer src="/app.js"></script></head>'
         '<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>')


def site(pages: int):
    def links(n: int) -> list[str]:
        return [f"/lo/p{(n + k) % pages}" for k in (1, 2, 3)]

    def static(n: int) -> str:
        items = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links(n))
        return (f'<!doctype html><html lang="en"><head><title>Local Offer</title></head><body><main><h1>Page {n}</h1>'
                f"{BODY}<p>Last updated: 3 March 2025</p><ul>{items}</ul></main></body></html>")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            parts = urlsplit(self.path)
            host, path = parts.hostname or "", parts.path
            match = re.fullmatch(r"(/api)?/lo/p(\d+)", path)
            status, kind, body = 404, "text/html", "<h1>Not found</h1>"
            if path == "/app.js" and host.startswith("js."):
                status, kind, body = 200, "application/javascript", APP_JS
            elif match and int(match[2]) < pages:
                n = int(match[2])
                if match[1] and host.startswith("js."):
                    status, kind, body = 200, "application/json", json.dumps(
                        {"title": f"Page {n}", "body": BODY, "links": links(n)})
                elif not match[1]:
                    status, body = 200, SHELL if host.startswith("js.") else static(n)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def crawl(host: str, proxy: str, work: Path) -> dict:
    seeds = work / f"{host}.csv"
    seeds.write_text(f"code,name,local_offer_url,council_url,scope\nB1,Bench,http://{host}/lo/p0,,http://{host}/lo/\n")
    db = work / f"{host}.db"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["http_proxy"] = proxy
    exe = Path(sys.executable).parent / "lo-audit"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run([str(exe), "crawl", "--seeds", str(seeds), "--db", str(db), "--download-delay", "0"],
                   check=True, env=env, capture_output=True, cwd=REPO)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    conn = sqlite3.connect(db)
    site_row = conn.execute("SELECT pages_fetched, pages_rendered FROM crawl_sites").fetchone()
    details = [r[0] for r in conn.execute("SELECT render_detail FROM fetches WHERE render_status IS NOT NULL")]
    browser_s = [float(m[1]) for d in details if (m := re.search(r", ([\d.]+) s", d))]
    return {"wall": wall, "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "pages": site_row[0], "rendered": site_row[1], "browser_s": browser_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=40)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), site(args.pages))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        static = crawl("static.bench.example", proxy, Path(tmp))
        js = crawl("js.bench.example", proxy, Path(tmp))
    server.shutdown()
    print(f"lo-audit rendering benchmark: {args.pages} pages, --download-delay 0, through a loopback proxy")
    for name, r in (("server-rendered", static), ("JavaScript-built", js)):
        print(f"{name:17} pages {r['pages']:4}  rendered {r['rendered']:4}  wall {r['wall']:6.1f} s  "
              f"CPU (crawl process tree) {r['cpu']:6.1f} s")
    if js["browser_s"]:
        times = sorted(js["browser_s"])
        print(f"browser time per rendered page: median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s "
              f"(navigation, script, its API request through the crawler, settling {500} ms)")
        extra = (js["wall"] - static["wall"]) / max(js["rendered"], 1)
        print(f"extra wall per rendered page: {extra:.2f} s (2 pages rendered at once); "
              f"extra CPU per rendered page: {(js['cpu'] - static['cpu']) / max(js['rendered'], 1):.2f} s "
              "(crawl process tree; Chromium's own processes are its children)")


if __name__ == "__main__":
    main()
