"""The seeds / registry CSV: which councils to crawl, from where, within what scope.

A bad row never stops the run: it is reported by line number and skipped, and the
rest go on (SPEC "Seeds / registry CSV"). A council with an empty ``local_offer_url``
stays in the registry so the league table can show it as ``not_found``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from audit.core.scope import default_scope, parse_scope_column
from audit.core.urls import UrlError, check_http_url

REQUIRED_COLUMNS = ("code", "name", "local_offer_url", "council_url")


class RegistryError(Exception):
    """The file as a whole cannot be used (unreadable, no header, missing columns)."""


@dataclass(frozen=True)
class Council:
    code: str
    name: str
    local_offer_url: str  # "" when no Local Offer is known
    council_url: str
    region: str = ""
    la_type: str = ""
    scope: tuple[str, ...] = ()  # URL prefixes; empty when there is no local_offer_url

    @classmethod
    def as_crawled(cls, site: dict) -> "Council":
        """The council as one crawl saw it, from its ``crawl_sites`` row joined with the
        registry: its Local Offer is the URL crawled (the registry's, or the one discovery
        found), its scope the prefixes the crawl used."""
        return cls(site["council_code"], site["name"], site.get("seed_url") or site["local_offer_url"] or "",
                   site["council_url"] or "", site["region"] or "", site["la_type"] or "",
                   tuple((site["scope"] or "").split()))

    def as_row(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "region": self.region,
            "la_type": self.la_type,
            "local_offer_url": self.local_offer_url,
            "council_url": self.council_url,
            "scope": " ".join(self.scope),
        }


@dataclass
class Registry:
    councils: list[Council] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line each: "line 7: ..."


def read_registry(path: str | Path) -> Registry:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RegistryError(f"seeds file not found: {path}") from None
    except IsADirectoryError:
        raise RegistryError(f"seeds file is a folder: {path}") from None
    except OSError as e:
        raise RegistryError(f"cannot read seeds file {path}: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RegistryError(f"{path}: not UTF-8 text (byte {e.start})") from None
    return parse_registry(text, source=str(path))


def parse_registry(text: str, source: str = "seeds") -> Registry:
    if "\x00" in text:
        raise RegistryError(f"{source}: contains NUL bytes; not a CSV file")
    # One physical line per row, parsed on its own: an unbalanced quote then spoils only
    # its own line (csv.reader would swallow every later row into one field, silently).
    lines = re.split(r"\r\n|\r|\n", text)
    try:
        header = next(csv.reader([lines[0]], strict=True)) if lines[0].strip() else None
    except csv.Error as e:
        raise RegistryError(f"{source}: line 1: {e}") from None
    if header is None:
        raise RegistryError(f"{source}: empty file (a header row is required)")
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RegistryError(f"{source}: header lacks required column(s): {', '.join(missing)}")
    index = {name: columns.index(name) for name in set(columns)}

    registry = Registry()
    seen: dict[str, int] = {}
    for line, raw in enumerate(lines[1:], start=2):
        try:
            row = next(csv.reader([raw], strict=True), [])
        except csv.Error as e:
            registry.problems.append(f"line {line}: unreadable CSV ({e}); skipped")
            continue
        if not any(cell.strip() for cell in row):
            continue

        def get(name: str) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        code, name = get("code"), get("name")
        if not code:
            registry.problems.append(f"line {line}: missing code; skipped")
            continue
        if not code.isprintable():  # a form feed or U+2028 would split the problem line on a terminal
            registry.problems.append(f"line {line}: code {ascii(code)} holds control or separator characters; skipped")
            continue
        if code in seen:
            registry.problems.append(f"line {line}: duplicate code {code} (first on line {seen[code]}); skipped")
            continue
        try:
            council = _council_from_row(code, name or code, get, registry.problems, line)
        except UrlError as e:
            registry.problems.append(f"line {line}: {code}: {e}; skipped")
            continue
        seen[code] = line
        registry.councils.append(council)
    return registry


def _council_from_row(code: str, name: str, get, problems: list[str], line: int) -> Council:
    """A council from its row. A bad ``council_url`` costs only itself (the council is still
    crawled, or reported as not found, but its website cannot be searched for the Local
    Offer); a bad Local Offer URL or scope costs the row (raises UrlError)."""
    local_offer_url = get("local_offer_url")
    scope: tuple[str, ...] = ()
    if local_offer_url:
        local_offer_url = check_http_url(local_offer_url, "local_offer_url")
        scope = parse_scope_column(get("scope")) or default_scope(local_offer_url)
    elif get("scope"):
        parse_scope_column(get("scope"))  # still validated, so a typo is reported
    council_url = get("council_url")
    if council_url:
        try:
            council_url = check_http_url(council_url, "council_url")
        except UrlError as e:
            problems.append(f"line {line}: {code}: {e}; kept without it (its website cannot be searched for the "
                            "Local Offer)")
            council_url = ""
    return Council(code, name, local_offer_url, council_url, get("region"), get("la_type"), scope)


def select(registry: Registry, codes: list[str]) -> list[Council]:
    """The councils named by ``--council``; an unknown code is an error."""
    if not codes:
        return list(registry.councils)
    by_code = {c.code: c for c in registry.councils}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        shown = ", ".join(c if c.isprintable() else ascii(c) for c in unknown)  # one line, always
        raise RegistryError(f"--council: unknown code(s) {shown}")
    return [by_code[c] for c in dict.fromkeys(codes)]
