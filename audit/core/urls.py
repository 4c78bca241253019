"""URL hygiene shared by the crawler, the link checker and the audit.

- ``check_http_url``: validate a URL given by a person (seeds file, CLI).
- ``canonical_url``: one spelling per resource, so traps and duplicates cost nothing.
- ``literal_address`` / ``is_forbidden_address``: the SSRF rule. A literal address in
  any notation that urllib, a browser or ``inet_aton`` would accept is decoded without
  any DNS lookup; names are left to the resolver (or to the proxy, when one is set).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string


class UrlError(ValueError):
    """A URL a person gave us is unusable; the message says why in one line."""


def check_http_url(url: str, what: str = "URL") -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise UrlError(f"{what} {url!r} is malformed ({e})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlError(f"{what} {url!r} must start with http:// or https://")
    if not parts.hostname:
        raise UrlError(f"{what} {url!r} has no host")
    if any(c in url for c in " \t\r\n\x00"):
        raise UrlError(f"{what} {url!r} contains whitespace or control characters")
    return url


# Query parameters that identify a visitor's session, not a resource.
SESSION_PARAMS = {
    "jsessionid", "phpsessid", "sid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "_ga",
}
_PATH_SESSION = re.compile(r";(jsessionid|sid|phpsessid)=[^/?#]*", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=1 << 16)
def canonical_url(url: str) -> str:
    """Lower-case scheme/host, drop default port, fragment and session parameters,
    percent-encode consistently; and what the URL standard does to a URL before it is
    requested (w3lib applies it to every Scrapy request's URL, more of it from 2.6): an
    IPv4 host in dotted-quad form, an internationalised host in punycode, backslashes as
    slashes and ``.``/``..`` segments resolved, so a fetch or check recorded under the
    request's URL has the key of the link that asked for it. Query order is kept: on many
    CMSs it matters. A URL too broken to parse is returned as given (the link checker reports it).
    Cached: a site's menu links are canonicalised once, not once per page."""
    try:
        return _canonical(url.strip())
    except ValueError:
        return url.strip()


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if "%" in host:  # the URL standard reads a host's percent-escapes ("ex%41mple.org")
        host = unquote(host).lower()
    if not host.isascii():
        host = _requested_host(host)
    if ":" in host:
        host = f"[{host}]"
    elif host.rsplit(".", 1)[-1][:1].isdigit():  # a last label that may be a number: an IPv4 address
        host = _dotted_quad(host)
    port = parts.port  # a bad port raises: the URL is kept as given, never rewritten to port 80
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = parts.username + "@" + netloc
    path = _PATH_SESSION.sub("", parts.path.replace("\\", "/")) or "/"
    path = quote(unquote(_without_dot_segments(path)), safe="/:@!$&'()*+,;=-._~")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SESSION_PARAMS]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True, safe="/:@!$'()*,;-._~"), ""))


def _requested_host(host: str) -> str:
    """An internationalised host name in the ASCII (punycode) form a request for it is sent
    under: the installed w3lib's, which Scrapy applies to every request's URL. Python's own
    IDNA codec is IDNA 2003, which maps "ß" and "ς" to "ss" and "σ"; browsers and w3lib 2.6
    keep them ("faß.example" is xn--fa-hia.example, another domain than fass.example), so
    taking the codec's form would key a link's check under a host that was never asked.
    A name neither can encode is kept as it is."""
    try:
        return urlsplit(safe_url_string(f"http://{host}/")).hostname or host
    except (UnicodeError, ValueError):
        return host


def _without_dot_segments(path: str) -> str:
    """``path`` (as written, percent-escapes and all) with its ``.`` and ``..`` segments
    resolved (RFC 3986, 5.2.4), as the URL standard does: a segment is ``.`` or ``..`` with
    any dot written ``%2e``, and an escaped slash (``%2F``) does not end a segment."""
    if "." not in path and "%2" not in path:
        return path
    segments = path.split("/")
    kept = segments[:1]
    for i, segment in enumerate(segments[1:], 1):
        dots = segment.lower().replace("%2e", ".") if "%" in segment else segment
        if dots in (".", ".."):
            if dots == ".." and len(kept) > 1:
                kept.pop()
            if i == len(segments) - 1:
                kept.append("")
        else:
            kept.append(segment)
    return "/".join(kept)


def _dotted_quad(host: str) -> str:
    """An IPv4 host in any notation a browser accepts (``2130706433``, ``0x7f.1``, ``127.1``)
    as the dotted quad the URL standard makes of it, as w3lib (from 2.6) does to every
    Scrapy request's URL: a check or fetch recorded under the request's URL must have the
    key of the link that asked for it. Anything else is kept as it is."""
    address = literal_address(host)
    return str(address) if isinstance(address, ipaddress.IPv4Address) else host


def is_web_url(url: str) -> bool:
    """An http(s) address (any case): what can be crawled, checked, in scope or a page. A
    long table's tel: and mailto: links, each on one row, need no URL parsing to rule out."""
    return url[:8].lower().startswith(("http://", "https://"))


def check_key(url: str) -> str:
    """How link_checks rows are keyed: the canonical URL (the raw text when not http(s)).
    The crawler writes them under this key and the audit looks them up by it."""
    return canonical_url(url) if is_web_url(url) else url


DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".rtf")


@lru_cache(maxsize=1 << 16)
def is_document_url(url: str) -> bool:
    """A link to a PDF/DOC(X)/ODT/XLS(X) document, judged by the path's extension."""
    try:
        return urlsplit(url).path.lower().endswith(DOCUMENT_EXTENSIONS)
    except ValueError:
        return False


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def literal_address(host: str) -> ipaddress._BaseAddress | None:
    """Decode a host written as an IP literal in any notation, else None.

    Accepts what browsers and ``inet_aton`` accept: dotted quads, bare integers
    (``2130706433``), octal and hex parts (``0177.0.0.1``, ``0x7f.1``), short forms
    (``127.1``), and bracketed or bare IPv6 (incl. IPv4-mapped).
    """
    h = host.strip().lower().rstrip(".")
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if "%" in h:
        h = h.split("%", 1)[0]
    try:
        return ipaddress.ip_address(h)
    except ValueError:
        pass
    parts = h.split(".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return None
    values = []
    for part in parts:
        try:
            if part.startswith("0x"):
                values.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                values.append(int(part, 8))
            elif part.isdigit():
                values.append(int(part))
            else:
                return None
        except ValueError:
            return None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        return None
    number = 0
    for v in head:
        number = number * 256 + v
    number = number * 256 ** (5 - len(values)) + last
    return ipaddress.IPv4Address(number)


def is_forbidden_ip(ip: ipaddress._BaseAddress) -> bool:
    """Private, loopback, link-local, unspecified, multicast, reserved or shared space."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def is_forbidden_host(host: str) -> bool:
    """True for ``localhost`` names and literal forbidden addresses, without any lookup."""
    h = host.strip().lower().rstrip(".")
    if h == "localhost" or h.endswith(".localhost"):
        return True
    ip = literal_address(h)
    return ip is not None and is_forbidden_ip(ip)


def is_local_seed(url: str) -> bool:
    """A seed on a loopback/private address or ``localhost`` (the offline demo and tests)."""
    return is_forbidden_host(host_of(url))


def is_loopback_host(host: str) -> bool:
    h = host.strip().lower().rstrip(".")
    if h == "localhost" or h.endswith(".localhost"):
        return True
    ip = literal_address(h)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def private_allowance(seed_url: str) -> tuple[str, ...]:
    """The forbidden hosts a council's crawl may still reach: none for a public seed; the
    seed's own host for a private seed; and any loopback address for a loopback seed
    (tests and the demo serve several sites on loopback). Never other private ranges."""
    host = host_of(seed_url)
    if not is_forbidden_host(host):
        return ()
    return (host, "loopback") if is_loopback_host(host) else (host,)


def allowed_private(host: str, allowance: tuple[str, ...]) -> bool:
    h = host.strip().lower()
    return h in allowance or ("loopback" in allowance and is_loopback_host(h))
