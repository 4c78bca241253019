"""Shared fixtures for the crawler and CLI tests: real HTTP servers on loopback, the real
``lo-audit`` command in a subprocess (Scrapy's reactor cannot restart inside one
process), and a real SQLite database to read the results from.

``Web`` is a small threaded HTTP server whose answers are set per path. It records every
request it receives (method, host, path + query, headers), so tests can assert what was
and what was never requested, and counts the bytes it sends (``bytes_sent``, headers
included). Like a real server it answers a conditional GET or HEAD of a 200 reply that has an
``ETag`` or ``Last-Modified`` with ``304 Not Modified`` when the validators match (RFC 9110
13.1: ``If-None-Match`` first, else ``If-Modified-Since``); ``honour_validators = False``
makes it a server that ignores them. When the crawler uses it as an ``http_proxy`` it receives
absolute-URI requests and routes them by host name too (``web.route("/x",
host="www.council.example")``).
"""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
HTML = "text/html; charset=utf-8"
PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
              "no_proxy", "NO_PROXY")


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = HTML


@dataclass
class Req:
    method: str
    host: str  # from the absolute URI (proxy mode) or the Host header
    target: str  # path + "?query"
    headers: dict[str, str]


Handler = Callable[[Req, BaseHTTPRequestHandler], "Reply | None"]


def page(*links: str, title: str = "Page", text: str = "") -> str:
    """A minimal HTML page linking to ``links``."""
    items = "".join(f'<li><a href="{href}">link {i}</a></li>' for i, href in enumerate(links))
    return (f'<!DOCTYPE html><html lang="en"><head><title>{title}</title></head>'
            f"<body><h1>{title}</h1><p>{text}</p><ul>{items}</ul></body></html>")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never wait for a sleeping or keep-alive handler at teardown
    # Scrapy opens a new connection for most requests; the default backlog of 5 overflows
    # on a busy machine and each dropped SYN costs a 1 s retransmit.
    request_queue_size = 128

    def handle_error(self, request, client_address):
        """A crawler closing a connection early (size caps, timeouts) is expected here."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class Web:
    """A loopback HTTP server with per-path answers and a request log."""

    def __init__(self, host: str = "127.0.0.1"):
        self.routes: dict[str, Reply | Handler] = {}
        self.requests: list[Req] = []
        self.connections = 0  # TCP connections accepted
        self.bytes_sent = 0  # response bytes written, status lines and headers included
        self.honour_validators = True
        self.fallback: Reply | Handler = Reply(404, page(title="Not found"))
        self._lock = threading.Lock()
        web = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One buffered write per response and no Nagle: otherwise every response waits
            # for the client's delayed ACK (~40 ms), which makes a 300-page crawl slow.
            wbufsize = -1
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                self.wfile = _CountingWriter(self.wfile, web)
                with web._lock:
                    web.connections += 1

            def _serve(self):
                web._serve(self)

            do_GET = do_HEAD = do_POST = _serve

        self.server = _Server((host, 0), _Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://{self.server.server_address[0]}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Handler | str | bytes, host: str | None = None) -> None:
        """Answer ``path`` (with its query, exactly) with a reply, a handler or an HTML body."""
        if isinstance(reply, (str, bytes)):
            reply = Reply(200, reply)
        self.routes[(host or "") + path] = reply

    def hits(self, target: str, method: str | None = None, host: str | None = None) -> int:
        return sum(1 for r in self.requests if r.target == target and (method is None or r.method == method)
                   and (host is None or r.host == host))

    def targets(self) -> list[str]:
        return [r.target for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- serving ---------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        raw = h.path
        if raw.startswith(("http://", "https://")):  # proxy mode: absolute URI
            parts = urlsplit(raw)
            host = parts.netloc.lower()
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            host = (h.headers.get("Host") or "").lower()
            target = raw
        req = Req(h.command, host, target, {k.lower(): v for k, v in h.headers.items()})
        with self._lock:
            self.requests.append(req)
        hostname = host.split(":")[0] if not host.startswith("[") else host
        reply = (self.routes.get(host + target) or self.routes.get(hostname + target)
                 or self.routes.get(target) or self.fallback)
        if callable(reply):
            reply = reply(req, h)
            if reply is None:  # the handler wrote its own answer
                return
        body = reply.body.encode() if isinstance(reply.body, str) else reply.body
        if self.honour_validators and h.command in ("GET", "HEAD") and _not_modified(reply, req.headers):
            reply = Reply(304, b"", {k: v for k, v in reply.headers.items()
                                     if k.lower() in ("etag", "last-modified", "cache-control")}, None)
            body = b""
        try:
            h.send_response(reply.status)
            if reply.content_type and "Content-Type" not in reply.headers:
                h.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                h.send_header(name, value)
            if "Content-Length" not in reply.headers and reply.status != 304:
                h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _CountingWriter:
    """A handler's output stream that adds what it writes to its ``Web.bytes_sent``."""

    def __init__(self, stream, web: Web):
        self._stream, self._web = stream, web

    def write(self, data) -> int:
        with self._web._lock:
            self._web.bytes_sent += len(data)
        return self._stream.write(data)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _not_modified(reply: Reply, headers: dict[str, str]) -> bool:
    """Do the request's validators match this reply (RFC 9110 13.1.2 and 13.1.3)?"""
    if reply.status != 200:
        return False
    given = {k.lower(): v for k, v in reply.headers.items()}
    if "if-none-match" in headers:
        etag = given.get("etag")
        wanted = {t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")}
        return etag is not None and ("*" in wanted or etag.removeprefix("W/") in wanted)
    if "if-modified-since" in headers and "last-modified" in given:
        try:
            return parsedate_to_datetime(given["last-modified"]) <= parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
    return False


@pytest.fixture
def web():
    server = Web()
    yield server
    server.close()


@contextmanager
def web_factory():
    """``make(host)`` starts another Web on ``host`` (``"127.0.0.2"`` is its own politeness
    slot); every one made is closed at the end."""
    servers: list[Web] = []

    def make(host: str = "127.0.0.1") -> Web:
        servers.append(Web(host))
        return servers[-1]

    try:
        yield make
    finally:
        for s in servers:
            s.close()


@pytest.fixture
def make_web():
    """Factory for extra servers, closed after the test."""
    with web_factory() as make:
        yield make


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    return free_port()


# -- running the CLI -------------------------------------------------------------------

COLUMNS = ["code", "name", "local_offer_url", "council_url", "scope"]


def write_seeds(path: Path, rows: list[dict | list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows:
            w.writerow([row.get(c, "") for c in COLUMNS] if isinstance(row, dict) else row)
    return path


def council(code: str, url: str, scope: str = "", name: str | None = None, council_url: str = "") -> dict:
    return {"code": code, "name": name or f"Council {code}", "local_offer_url": url,
            "council_url": council_url or "http://www.council.example/", "scope": scope}


def query(db_path: Path, sql: str, params=()) -> list[dict]:
    """Rows of a query on a database file, as dicts (a fresh connection each time)."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def rendered_pages(db_path: Path) -> dict[str, tuple]:
    """Each rendered page of a crawl: (render status, requests fetched and refused for it, its
    link rows). Tests comparing two crawls of the same web compare these first: a render that
    came out differently (a request refused, the page still busy at its limit) is then named,
    where a comparison of whole tables would only show links or fetches missing downstream."""
    out = {}
    for row in query(db_path, "SELECT f.url, f.render_status, f.render_detail, (SELECT count(*) FROM links l "
                              "WHERE l.source_url = f.url) AS links FROM fetches f WHERE f.render_status IS NOT NULL"):
        detail = re.sub(r", [0-9.]+ s\b", "", row["render_detail"] or "")  # how long it took varies
        out[row["url"]] = (row["render_status"], detail, row["links"])
    return out


@dataclass
class CrawlResult:
    proc: subprocess.CompletedProcess
    db_path: Path

    @property
    def stdout(self) -> str:
        return self.proc.stdout

    @property
    def stderr(self) -> str:
        return self.proc.stderr

    def rows(self, sql: str, params=()) -> list[dict]:
        return query(self.db_path, sql, params)

    def one(self, sql: str, params=()) -> dict:
        rows = self.rows(sql, params)
        assert len(rows) == 1, rows
        return rows[0]

    def site(self, code: str) -> dict:
        return self.one("SELECT * FROM crawl_sites WHERE council_code = ?", [code])

    def fetch(self, url: str) -> dict | None:
        rows = self.rows("SELECT * FROM fetches WHERE url = ?", [url])
        return rows[0] if rows else None

    def check(self, url: str) -> dict | None:
        rows = self.rows("SELECT * FROM link_checks WHERE url = ?", [url])
        return rows[0] if rows else None


def cli_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.update(extra or {})
    return env


def plain(text: str) -> str:
    """Terminal output without its control codes (colours, cursor moves, line clearing)."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def on_terminal(args: list[str], timeout: float = 300) -> tuple[list[tuple[float, str]], str, int]:
    """Run a command with a real pseudo-terminal (``pty.openpty``) as its stdout: the
    (arrival time, text) chunks it wrote, its stderr, its exit code. ``plain`` removes the
    terminal's codes (from joined text: a code may be split across chunks)."""
    import pty
    import time

    main, child = pty.openpty()
    proc = subprocess.Popen(args, stdout=child, stderr=subprocess.PIPE, env=cli_env(), cwd=ROOT)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append((time.monotonic(), chunk.decode("utf-8", "replace")))
    code = proc.wait(timeout=timeout)
    os.close(main)
    return chunks, proc.stderr.read().decode(), code


def lo_audit(*args, env: dict | None = None, timeout: float = 120, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the ``lo-audit`` command line in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "audit.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=cli_env(env), cwd=cwd)


def run_crawl(tmp: Path, rows: list[dict | list], *extra, env: dict | None = None, timeout: float = 120,
              check: bool = True) -> CrawlResult:
    """``lo-audit crawl`` over ``rows`` into ``tmp/crawl.db`` (fast, bounded options)."""
    tmp.mkdir(parents=True, exist_ok=True)
    seeds = write_seeds(tmp / "seeds.csv", rows)
    db = tmp / "crawl.db"
    args = ["crawl", "--seeds", seeds, "--db", db, "--download-delay", "0", *extra]
    if "--timeout" not in extra:
        args += ["--timeout", "5"]
    proc = lo_audit(*args, env=env, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return CrawlResult(proc, db)


# -- the offline demo, built once per test session ------------------------------------------

@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """``lo-audit demo --no-serve`` run once (crawl + audit with axe): tests that only read
    it share it; tests that write to it take a copy with :func:`copy_demo`."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    proc = lo_audit("demo", "--db", db, "--no-serve", timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return db


@pytest.fixture(scope="session")
def weekly_db(tmp_path_factory) -> Path:
    """Three weeks of crawls and audits of a changing, hostile loopback web
    (``tests/weekly_web.py``), built once: tests that change it take a copy with
    :func:`copy_demo`."""
    from weekly_web import build_weekly_db

    return build_weekly_db(tmp_path_factory.mktemp("weekly"))


def copy_demo(demo_db: Path, target_dir: Path) -> Path:
    """A private copy of the demo database and its WARC folder."""
    import shutil

    target_dir.mkdir(parents=True, exist_ok=True)
    db = target_dir / demo_db.name
    source = sqlite3.connect(demo_db)
    try:
        with sqlite3.connect(db) as copy:
            source.backup(copy)
    finally:
        source.close()
    warc = demo_db.with_name(demo_db.stem + "-warc")
    shutil.copytree(warc, target_dir / warc.name)
    return db
