#!/usr/bin/env python3
"""Serve the synthetic web from loopback: Debian's nginx if present, else a Python server.

Proxy mode (the national run): one listener on 127.0.0.1:PORT answers absolute-URI
requests (``GET http://localoffer.council001.example/x HTTP/1.1``), which is what the
crawler sends when ``http_proxy`` points at it; the file is ``<root>/<host>/<path>``
(``$uri``, then ``$uri/index.html``, else 404). nginx takes ``$host`` from the absolute
URI, so no DNS is involved and the sites keep their own host names.

Both answer conditional requests as a web server does for static files (``ETag`` and
``Last-Modified`` from the file, ``304 Not Modified`` when ``If-None-Match`` or
``If-Modified-Since`` match: nginx's own handling, and the Python server's ``_not_modified``).
``count_bytes``: the server counts the bytes it sends, headers included (``bytes_sent()``;
nginx logs ``$bytes_sent`` per request, read after it stops), for a re-crawl's transfer.

Direct mode (the peer comparison): listeners ``addr:port -> folder`` for tools that cannot
use a proxy. They answer with a ``LinkChecker`` header, which is what makes LinkChecker
lift its per-host rate cap (see run.py).

    .venv/bin/python benchmarks/national/serve.py --root /tmp/lo-audit-bench/web-10000/sites --port 8400
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

NGINX_CONF = """\
worker_processes {workers};
worker_rlimit_nofile 65536;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; multi_accept on; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    {access_log}
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    # Cached descriptors count against the open-files limit: a cache bigger than the limit
    # turns pages into 404s ("Too many open files") once the web is large.
    open_file_cache max=8000 inactive=120s;
    open_file_cache_errors on;
    server_tokens off;
    client_body_temp_path {work}/tmp/body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;
{servers}
}}
"""
PROXY_SERVER = """\
    server {{
        listen {addr}:{port} default_server;
        server_name _;
        root {root}/$host;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
"""
DIRECT_SERVER = """\
    server {{
        listen {addr}:{port};
        server_name _;
        root {root};
        add_header LinkChecker 1 always;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (("/usr/sbin/nginx") if os.path.exists("/usr/sbin/nginx") else None)


def ensure_nginx() -> str | None:
    """nginx's path; installs Debian's package when missing and we are root with apt-get."""
    found = nginx_binary()
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("nginx not found: apt-get install -y nginx", flush=True)
    subprocess.run(["apt-get", "install", "-y", "nginx"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return nginx_binary()


class Server:
    """A running loopback web server (nginx or Python); ``stop()`` ends it."""

    def __init__(self, kind: str, pids: list[int], stop, sent=None):
        self.kind = kind
        self._pids = pids
        self._stop = stop
        self._sent = sent

    def bytes_sent(self) -> int | None:
        """Bytes sent to clients, headers included, when started with ``count_bytes`` (nginx:
        once stopped, as it buffers its log)."""
        return self._sent() if self._sent else None

    def cpu_seconds(self) -> float | None:
        """user+system CPU of the server so far (nginx: master + workers, read from /proc)."""
        if self.kind != "nginx":
            return None  # the Python server runs in this process
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        return total

    def pids(self) -> list[int]:
        out = list(self._pids)
        for pid in self._pids:
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                out += [int(c) for c in children]
            except OSError:
                pass
        return out

    def stop(self) -> None:
        self._stop()


def start(proxy: tuple[str, int, Path] | None = None, direct: list[tuple[str, int, Path]] = (),
          work: Path = Path("/tmp/lo-audit-bench/nginx"), workers: int = 2, prefer: str = "nginx",
          count_bytes: bool = False) -> Server:
    """Start serving. ``proxy`` = (addr, port, sites root); ``direct`` = [(addr, port, folder)]."""
    nginx = ensure_nginx() if prefer == "nginx" else None
    if nginx:
        return _start_nginx(nginx, proxy, list(direct), Path(work), workers, count_bytes)
    return _start_python(proxy, list(direct))


def _start_nginx(nginx: str, proxy, direct, work: Path, workers: int, count_bytes: bool = False) -> Server:
    work.mkdir(parents=True, exist_ok=True)
    (work / "tmp").mkdir(exist_ok=True)
    sent_log = work.resolve() / "bytes-sent.log"
    sent_log.unlink(missing_ok=True)
    access_log = (f"log_format sent '$bytes_sent';\n    access_log {sent_log} sent buffer=256k;"
                  if count_bytes else "access_log off;")
    servers = ""
    if proxy:
        servers += PROXY_SERVER.format(addr=proxy[0], port=proxy[1], root=Path(proxy[2]).resolve())
    for addr, port, folder in direct:
        servers += DIRECT_SERVER.format(addr=addr, port=port, root=Path(folder).resolve())
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=workers, work=work.resolve(), servers=servers, access_log=access_log))
    proc = subprocess.Popen([nginx, "-p", str(work.resolve()), "-c", str(conf.resolve())],
                            stdout=subprocess.DEVNULL, stderr=open(work / "nginx-stderr.log", "wb"))
    listeners = ([(proxy[0], proxy[1])] if proxy else []) + [(a, p) for a, p, _ in direct]
    _wait_listening(listeners, proc, work)

    def stop():
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def sent() -> int:
        with open(sent_log, "rb") as fh:
            return sum(int(line) for line in fh if line.strip())

    return Server("nginx", [proc.pid], stop, sent if count_bytes else None)


def _wait_listening(listeners, proc, work: Path) -> None:
    import socket
    deadline = time.monotonic() + 10
    for addr, port in listeners:
        while True:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {(work / 'nginx-stderr.log').read_text()[-500:]}")
            try:
                socket.create_connection((addr, port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start listening on {addr}:{port}")
                time.sleep(0.05)


# ---- Python fallback -----------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lo-audit-bench"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        target = self.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host, path = (parts.hostname or ""), parts.path or "/"
        else:
            host, path = (self.headers.get("Host") or "").split(":")[0].lower(), target.split("?")[0]
        root = self.server.folder if self.server.folder else (Path(self.server.sites) / host)
        file = _locate(root, unquote(path)) if host and "/" not in host and ".." not in host else None
        validators = {}
        if file is None:
            body, status, ctype = b"<h1>404 Not Found</h1>", 404, "text/html"
        else:
            stat = file.stat()
            validators = {"ETag": f'"{int(stat.st_mtime):x}-{stat.st_size:x}"',  # nginx's form
                          "Last-Modified": formatdate(int(stat.st_mtime), usegmt=True)}
            status = 304 if _not_modified(self.headers, validators) else 200
            body = file.read_bytes() if status == 200 else b""
            ctype = {"html": "text/html", "pdf": "application/pdf", "xml": "text/xml", "txt": "text/plain"}.get(
                file.suffix.lstrip("."), "application/octet-stream")
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for name, value in validators.items():
            self.send_header(name, value)
        if self.server.folder:
            self.send_header("LinkChecker", "1")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def setup(self) -> None:
        super().setup()
        self.wfile = _Counted(self.wfile, self.server)


class _Counted:
    """A handler's output stream counting what it writes into its server's ``sent``."""

    def __init__(self, stream, server):
        self._stream, self._server = stream, server

    def write(self, data) -> int:
        with self._server.lock:
            self._server.sent += len(data)
        return self._stream.write(data)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _not_modified(headers, validators: dict[str, str]) -> bool:
    """RFC 9110 13.1: If-None-Match decides when present, else If-Modified-Since (exact, as nginx)."""
    if "If-None-Match" in headers:
        return validators["ETag"] in {t.strip() for t in headers["If-None-Match"].split(",")}
    return headers.get("If-Modified-Since") == validators["Last-Modified"]


def _locate(root: Path, path: str) -> Path | None:
    rel = path.lstrip("/")
    if ".." in rel.split("/"):
        return None
    for cand in (root / rel, root / rel / "index.html"):
        if cand.is_file():
            return cand
    return None


class _Srv(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512


def _start_python(proxy, direct) -> Server:
    servers = []
    if proxy:
        s = _Srv((proxy[0], proxy[1]), _Handler)
        s.sites, s.folder = proxy[2], None
        servers.append(s)
    for addr, port, folder in direct:
        s = _Srv((addr, port), _Handler)
        s.sites, s.folder = None, Path(folder)
        servers.append(s)
    for s in servers:
        s.sent, s.lock = 0, threading.Lock()
        threading.Thread(target=s.serve_forever, daemon=True).start()

    def stop():
        for s in servers:
            s.shutdown()
            s.server_close()

    return Server("python", [], stop, lambda: sum(s.sent for s in servers))


def free_port(addr: str = "127.0.0.1") -> int:
    import socket
    with socket.socket() as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description="Serve a generated web as a loopback forward proxy.")
    ap.add_argument("--root", type=Path, required=True, help="<out>/sites from generate.py")
    ap.add_argument("--port", type=int, default=8400)
    ap.add_argument("--server", choices=("nginx", "python"), default="nginx")
    ap.add_argument("--work", type=Path, default=Path("/tmp/lo-audit-bench/nginx"))
    args = ap.parse_args()
    srv = start(proxy=("127.0.0.1", args.port, args.root), work=args.work, prefer=args.server)
    print(f"{srv.kind} serving {args.root} as http_proxy=http://127.0.0.1:{args.port} (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
