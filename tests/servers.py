"""Real servers for the publishing tests, in one place: a free port, waiting for a server
to answer, Datasette in a subprocess, a static site on loopback, and Debian's Chromium.

Everything binds 127.0.0.1 and is fetched without any proxy, so a proxy configured in
the environment (CI) never sees loopback traffic.
"""

from __future__ import annotations

import functools
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

from audit.serve import build_datasette_args, subprocess_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--no-proxy-server"]


class ServerFailed(RuntimeError):
    """A server exited or never answered; the message carries its output."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def no_proxy_get(url: str, timeout: float = 5.0):
    """urlopen that ignores http_proxy & co (loopback must never go through a proxy)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=timeout)


def wait_for_http(url: str, alive: Callable[[], bool], output: Callable[[], str], timeout: float = 30) -> None:
    """Poll ``url`` until it answers 200; fail early (with the server's output) if the
    server process dies, instead of waiting out the whole timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            raise ServerFailed(f"server exited before answering {url}:\n{output()}")
        try:
            with no_proxy_get(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise ServerFailed(f"{url} did not answer within {timeout}s:\n{output()}")
        time.sleep(0.2)


@contextmanager
def serving(cmd: list[str], port: int, log: Path, **popen) -> Iterator[str]:
    """Run ``cmd`` (an HTTP server on 127.0.0.1:``port``), output to ``log``; yield its base
    URL once it answers, stop it afterwards. A server that dies first fails with its output."""
    with open(log, "w+b") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, **popen)

        def output() -> str:
            out.flush()
            out.seek(0)
            return out.read().decode("utf-8", "replace")

        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(base + "/-/versions.json", lambda: process.poll() is None, output)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@contextmanager
def datasette_server(db_path: Path, workdir: Path) -> Iterator[str]:
    """``python -m datasette`` with the project's configuration, as ``lo-audit serve``
    runs it; yields the base URL and stops the process afterwards."""
    port = free_port()
    args = build_datasette_args(db_path, "127.0.0.1", port)
    with serving([sys.executable, "-m", "datasette", *args], port, workdir / f"datasette-{port}.out",
                 env=subprocess_env(), cwd=str(workdir)) as base:
        yield base


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def static_site(directory: Path) -> Iterator[str]:
    """Serve ``directory`` with http.server on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright; yields the Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
