"""The offline demo web: fictional councils' Local Offer sites served from loopback.

The demo sites keep realistic host names (``localoffer.northmoor.example``) so that
scope, ``send_space`` and link classification behave exactly as on the real web. One
threaded HTTP server on 127.0.0.1 therefore acts as an HTTP *forward proxy*: the crawler
runs with ``http_proxy=http://127.0.0.1:PORT`` and sends absolute-URI requests
(``GET http://host/path HTTP/1.1``), which are mapped to files under
``data/demo/sites/<host>/``. Origin-form requests (``GET /path`` + ``Host:``) work too,
so a browser or curl pointed straight at the server also gets the right site.

The awkward parts of the real web (bot challenges, 429s, redirect loops, soft 404s,
endless calendars, faceted search, servers that stamp every response "now") are
configured per host and path in ``data/demo/behaviours.json``; the format is
documented in ``data/demo/README.md``. Nothing here reads file mtimes, because a git
checkout resets them: ``Last-Modified`` is only sent when a behaviour asks for it.
"""

from __future__ import annotations

import fnmatch
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from urllib.parse import parse_qsl, quote_plus, unquote, urlencode, urlsplit

DEMO_ROOT = Path(__file__).resolve().parents[2] / "data" / "demo"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".page": "text/html; charset=utf-8",
    ".action": "text/html; charset=utf-8",
    ".aspx": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
}
_HTML = _CONTENT_TYPES[".html"]

# What Cloudflare's managed challenge answers to a client without JavaScript; the
# crawler must classify it as "blocked", not "broken".
_CHALLENGE_BODY = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper" role="main">
<h1>Just a moment...</h1><p>Verifying you are human. This may take a few seconds.</p>
<noscript>Enable JavaScript and cookies to continue</noscript></div></body></html>
"""


@dataclass
class Reply:
    """A response before it is written, so HEAD can send GET's headers without the body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class DemoWeb:
    """A threaded loopback HTTP server that serves the demo sites, used as a proxy."""

    def __init__(self, root: Path = DEMO_ROOT, host: str = "127.0.0.1", port: int = 0):
        self.root = Path(root)
        self.sites = self.root / "sites"
        config_file = self.root / "behaviours.json"
        config = json.loads(config_file.read_text("utf-8")) if config_file.exists() else {}
        self.rules: list[dict] = config.get("rules", [])
        self.requests: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.demo = self
        self._thread: threading.Thread | None = None

    @property
    def proxy_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "DemoWeb":
        self._thread = threading.Thread(target=self._server.serve_forever, name="demoweb", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "DemoWeb":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- request -> reply -------------------------------------------------------------

    def known_host(self, host: str) -> bool:
        if not host or "/" in host or host.startswith("."):
            return False
        return (self.sites / host).is_dir() or any(r.get("host") == host for r in self.rules)

    def respond(self, method: str, host: str, path: str, query: str) -> Reply:
        """The reply for one request; ``method`` is GET or HEAD (HEAD drops the body later)."""
        with self._lock:
            self.requests.append((method, host, path + ("?" + query if query else "")))
        if not self.known_host(host):
            # What a real proxy answers when the name does not resolve; Proxy-Status (RFC 9209)
            # lets a client tell a DNS failure from a 502 sent by the origin itself.
            return Reply(502, b"demo proxy: unknown host\n", {"Content-Type": "text/plain; charset=utf-8",
                                                               "Proxy-Status": "demoweb; error=dns_error"})
        rule = self._match(method, host, path, query)
        if rule is None:
            return self._file(host, path, query)
        if rule.get("delay"):
            time.sleep(float(rule["delay"]))
        reply = self._apply(rule, host, path, query)
        reply.headers.update(rule.get("headers", {}))
        last_modified = rule.get("last_modified")
        if last_modified == "now":
            reply.headers["Last-Modified"] = format_datetime(datetime.now(timezone.utc), usegmt=True)
        elif last_modified:
            reply.headers["Last-Modified"] = last_modified
        return reply

    def _match(self, method: str, host: str, path: str, query: str) -> dict | None:
        for rule in self.rules:
            if rule.get("host") not in (host, "*"):
                continue
            if not fnmatch.fnmatchcase(path, rule.get("path", "*")):
                continue
            if "query" in rule and not fnmatch.fnmatchcase(query, rule["query"]):
                continue
            if "methods" in rule and method not in rule["methods"]:
                continue
            return rule
        return None

    def _apply(self, rule: dict, host: str, path: str, query: str) -> Reply:
        if rule.get("challenge"):
            return Reply(403, _CHALLENGE_BODY.encode(), {"Content-Type": _HTML, "cf-mitigated": "challenge",
                                                         "Server": "cloudflare", "Cache-Control": "no-store"})
        if "redirect" in rule:
            return Reply(int(rule.get("status", 301)), b"", {"Location": rule["redirect"]})
        if "generate" in rule:
            return _GENERATORS[rule["generate"]](self, rule, host, path, query)
        if "status" in rule:
            return Reply(int(rule["status"]), self._body(rule), {"Content-Type": rule.get("content_type", _HTML)})
        return self._file(host, path, query)

    def _body(self, rule: dict) -> bytes:
        if "body_file" in rule:
            return (self.root / rule["body_file"]).read_bytes()
        return rule.get("body", "").encode()

    def _file(self, host: str, path: str, query: str) -> Reply:
        site = (self.sites / host).resolve()
        target = self._locate(site, path, query)
        if target is None:
            not_found = site / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"<h1>Not Found</h1>"
            return Reply(404, body, {"Content-Type": _HTML})
        return Reply(200, target.read_bytes(), {"Content-Type": _content_type(path, target)})

    def _locate(self, site: Path, path: str, query: str) -> Path | None:
        """The file for a URL: ``name--<query>`` when a query variant exists, else ``name``.

        Unknown query parameters are ignored (as static servers do), so tracking
        parameters and session ids still reach the page.
        """
        try:
            base = (site / unquote(path).lstrip("/")).resolve()
        except (OSError, ValueError):
            return None
        if base != site and site not in base.parents:
            return None  # ../ traversal out of the site
        if base.is_dir():
            base = base / "index.html"
        if query and "/" not in query and "\x00" not in query:
            variant = base.with_name(base.name + "--" + query.replace("&", ","))
            if variant.is_file() and site in variant.parents:
                return variant
        return base if base.is_file() else None


def _content_type(url_path: str, file: Path) -> str:
    """By the URL's extension (``service.page`` is HTML), else the served file's (``index.html``)."""
    suffix = Path(url_path).suffix.lower() or file.suffix.lower()
    return _CONTENT_TYPES.get(suffix, "application/octet-stream")


# -- generated pages ------------------------------------------------------------------
# Each generator takes the rule from behaviours.json; templates use string.Template
# ($name) because page CSS and JS are full of braces.


def _template(web: DemoWeb, rule: dict) -> Template:
    return Template((web.root / rule["template"]).read_text("utf-8"))


def _record_values(web: DemoWeb, rule: dict, n: int) -> dict | None:
    """The data of kb5 record ``n`` (unescaped), or None outside the rule's ids. Ids beyond
    the handmade records are other branches of the same services."""
    low, high = rule.get("ids", [1, 60])
    if not low <= n <= high:
        return None
    records = json.loads((web.root / rule["data"]).read_text("utf-8"))
    values = dict(records[(n - low) % len(records)], id=str(n))
    copy = (n - low) // len(records)
    if copy:
        branches = rule.get("branches", [])
        branch = branches[(copy - 1) % len(branches)] if branches else f"site {copy + 1}"
        values["name"] = f"{values['name']} ({branch})"
    dates = rule["updated"]  # spread deterministically, so some records are stale and some fresh
    values["updated"] = "" if values.get("undated") else dates[n % len(dates)]
    return values


def _record(web: DemoWeb, rule: dict, host: str, path: str, query: str) -> Reply:
    """A kb5 ``service.page?id=N`` record: many legitimate pages from one template. Optional
    fields (telephone, e-mail, website, cost, how to access, the "Last updated" line) are
    shown only when the record's data has them, as kb5 leaves empty fields out."""
    params = dict(parse_qsl(query))
    n = int(params["id"]) if params.get("id", "").isdigit() else 0
    data = _record_values(web, rule, n)
    if data is None:
        return web._file(host, "/__no_such_record__", "")
    values = {k: html.escape(str(v)) for k, v in data.items()}
    values["category_q"] = quote_plus(data.get("category", ""))
    contact = []
    if data.get("phone"):
        contact.append(f"  <dt>Telephone</dt><dd>{values['phone']}</dd>")
    if data.get("email"):
        contact.append(f'  <dt>E-mail</dt><dd><a href="mailto:{values["email"]}">{values["email"]}</a></dd>')
    if data.get("website"):
        contact.append(f'  <dt>Website</dt><dd><a href="{values["website"]}">{values["website"]}</a></dd>')
    offer = []
    if data.get("access"):
        offer.append(f"  <dt>Referral route</dt><dd>{values['access']}</dd>")
    if data.get("cost"):
        offer.append(f"  <dt>Cost</dt><dd>{values['cost']}</dd>")
    values.update(contact_fields="\n".join(contact), offer_fields="\n".join(offer),
                  updated_line=f'<p class="lastupdated">Last updated: {values["updated"]}</p>' if data["updated"] else "")
    return Reply(200, _template(web, rule).substitute(values).encode(), {"Content-Type": _HTML})


def _oruk_services(web: DemoWeb, rule: dict, host: str, path: str, query: str) -> Reply:
    """The kb5 records of the rule for ``records_of`` on this host as an Open Referral UK 1.0
    ``/services`` feed (Spring paging, ``?page=N`` from 1), each naming its record page as
    ``url`` so the audit can join data to pages; dated by ``assured_date`` as ORUK 1.0 is."""
    source = next(r for r in web.rules if r.get("host") == host and r.get("path") == rule["records_of"])
    low, high = source.get("ids", [1, 60])
    size = int(rule.get("size", 25))
    params = dict(parse_qsl(query))
    page = int(params["page"]) if params.get("page", "").isdigit() and int(params["page"]) >= 1 else 1
    pages = (high - low) // size + 1
    content = []
    for n in range(low + (page - 1) * size, min(high, low + page * size - 1) + 1):
        data = _record_values(web, source, n)
        ages = [int(a) for a in re.findall(r"\d+", data["ages"])]
        service = {"id": str(n), "name": data["name"], "description": data["description"],
                   "url": f"http://{host}{rule['records_of']}?id={n}", "email": data.get("email") or None,
                   "eligibilitys": [{"eligibility": data["who"], "minimum_age": ages[0] if ages else None,
                                     "maximum_age": ages[1] if len(ages) > 1 else None}],
                   "service_at_locations": [{"location": {"name": data["venue"],
                                                          "physical_addresses": [{"address_1": data["venue"]}]}}],
                   "contacts": [{"name": data["contact"], "phones": [{"number": data["phone"]}] if data.get("phone") else []}],
                   "cost_options": [{"amount_description": data["cost"]}] if data.get("cost") else [],
                   "application_process": data.get("access") or None,
                   "organization": {"name": data["contact"], "website": data.get("website")}}
        if data["updated"]:
            service["assured_date"] = datetime.strptime(data["updated"], "%d %B %Y").date().isoformat()
        content.append(service)
    body = {"totalElements": high - low + 1, "totalPages": pages, "number": page, "size": size,
            "first": page == 1, "last": page >= pages, "content": content}
    return Reply(200, json.dumps(body, indent=1).encode(), {"Content-Type": "application/json"})


_TAG = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


def _site_search(web: DemoWeb, rule: dict, host: str, path: str, query: str) -> Reply:
    """A site's own search: the pages of ``sites/<host>/`` under ``under`` whose text holds
    every word (of four letters or more) of the query in ``param``, listed with their titles."""
    asked = dict(parse_qsl(query)).get(rule.get("param", "q"), "")
    words = [w for w in re.findall(r"[a-z]+", asked.lower()) if len(w) >= 4]
    site = web.sites / host
    found = []
    for file in sorted(site.rglob("index.html")) if words else ():
        folder = file.parent.relative_to(site)
        url_path = "/" + folder.as_posix() if folder.parts else "/"
        if not url_path.startswith(rule.get("under", "")):
            continue
        page = file.read_text("utf-8")
        text = html.unescape(_TAG.sub(" ", page)).lower()
        if all(w in text for w in words):
            title = _TITLE.search(page)
            at = text.index(words[0])
            snippet = html.escape(" ".join(text[max(0, at - 80):at + 120].split()))
            found.append(f'<li><a href="{url_path}">{title.group(1).strip() if title else url_path}</a>'
                         f"<p>&hellip;{snippet}&hellip;</p></li>")
    results = (f"<p>{len(found)} results for &ldquo;{html.escape(asked)}&rdquo;</p>\n<ol>\n" + "\n".join(found[:10])
               + "\n</ol>") if found else "<p>Nothing found. Sorry, no pages matched your search.</p>"
    values = {"site_name": html.escape(rule.get("site_name", host)), "query": html.escape(asked), "results": results}
    return Reply(200, _template(web, rule).substitute(values).encode(), {"Content-Type": _HTML})


def _calendar(web: DemoWeb, rule: dict, host: str, path: str, query: str) -> Reply:
    """An events calendar that links to the next and previous month forever (a crawler trap)."""
    month = dict(parse_qsl(query)).get("month", rule.get("start", "2026-11"))
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not match or not 1 <= int(match[2]) <= 12 or not 1 <= int(match[1]) <= 9998:
        return web._file(host, "/__bad_month__", "")
    year, mon = int(match[1]), int(match[2])
    prev_y, prev_m = (year, mon - 1) if mon > 1 else (year - 1, 12)
    next_y, next_m = (year, mon + 1) if mon < 12 else (year + 1, 1)
    values = {
        "month_name": date(year, mon, 1).strftime("%B %Y"),
        "prev": f"{path}?month={prev_y:04d}-{prev_m:02d}",
        "next": f"{path}?month={next_y:04d}-{next_m:02d}",
    }
    return Reply(200, _template(web, rule).substitute(values).encode(), {"Content-Type": _HTML})


def _facets(web: DemoWeb, rule: dict, host: str, path: str, query: str) -> Reply:
    """kb5 search results whose facet and sort links combine without end (a crawler trap)."""
    params = dict(parse_qsl(query))
    links = []
    for name, values in rule.get("facets", {}).items():
        for value in values:
            combined = dict(params, **{name: value})
            label = f"{name}: {value}"
            links.append(f'<li><a href="{path}?{html.escape(urlencode(combined))}">{html.escape(label)}</a></li>')
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    next_page = dict(params, page=str(page + 1))
    low, high = rule.get("ids", [1, 60])
    span = high - low + 1
    start = (sum(map(ord, query)) + page) % span  # different filters show different records
    ids = [low + (start + i) % span for i in range(10)]
    results = "\n".join(f'<li class="result"><a href="{rule["record_path"]}?id={n}">Service record {n}</a></li>'
                         for n in ids)
    values = {
        "query": html.escape(params.get("qt", "")),
        "facets": "\n".join(links),
        "results": results,
        "page": str(page),
        "next": f"{path}?{html.escape(urlencode(next_page))}",
    }
    return Reply(200, _template(web, rule).substitute(values).encode(), {"Content-Type": _HTML})


_GENERATORS = {"kb5_record": _record, "calendar": _calendar, "facets": _facets, "oruk_services": _oruk_services,
               "site_search": _site_search}


# -- HTTP plumbing ----------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoWeb

    def handle_error(self, request, client_address) -> None:
        """Stay quiet: a client hanging up mid-reply is routine for a crawler's proxy."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "demoweb/1.0"
    sys_version = ""

    def log_message(self, format, *args) -> None:
        """No per-request logging: the crawler's output is what the demo user watches."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_CONNECT(self) -> None:
        # The demo is plain http:// only; a TLS tunnel would mean a seed slipped through as https.
        self._send(Reply(501, b"demo proxy: CONNECT (https) not supported\n",
                         {"Content-Type": "text/plain; charset=utf-8"}), head=False)

    def _serve(self, head: bool) -> None:
        try:
            host, path, query = self._target()
            if host is None:
                reply = Reply(400, b"demo proxy: bad request target\n", {"Content-Type": "text/plain; charset=utf-8"})
            else:
                reply = self.server.demo.respond("HEAD" if head else "GET", host, path, query)
        except Exception:  # a bad rule or unreadable file must not take the server down
            reply = Reply(500, b"demo proxy: internal error\n", {"Content-Type": "text/plain; charset=utf-8"})
        self._send(reply, head)

    def _target(self) -> tuple[str | None, str, str]:
        """Host, path and query from an absolute-URI (proxy) or origin-form request."""
        try:
            if self.path.lower().startswith("http://"):
                parts = urlsplit(self.path)
                host = parts.hostname or ""
            elif self.path.startswith("/"):
                parts = urlsplit(self.path)
                host = urlsplit("http://" + (self.headers.get("Host") or "").strip()).hostname or ""
            else:
                return None, "", ""
        except ValueError:
            return None, "", ""
        host = host.rstrip(".")
        return (host or None), parts.path or "/", parts.query

    def _send(self, reply: Reply, head: bool) -> None:
        """One of each header: a reply's own ``Server`` (a Cloudflare challenge says
        ``cloudflare``) replaces the demo web's, as a real origin sends only one."""
        body = reply.body
        self.send_response_only(reply.status)
        headers = {"Server": self.version_string(), "Date": self.date_time_string(), "Content-Length": str(len(body)),
                   **reply.headers}
        if reply.status in (301, 302, 303, 307, 308) or reply.status >= 400:
            headers.setdefault("Cache-Control", "no-cache")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head and body:
            self.wfile.write(body)
