"""Directory records read from open data: an Open Referral UK ``/services`` feed.

Three shapes are in use (field names checked against their sources):

- Open Referral UK 1.0 (the UK profile of HSDS 1.1; openreferraluk.org validators, Spring
  paging): ``{"totalElements", "totalPages", "number", "size", "first", "last", "content": [...]}``
  with ``eligibilitys`` [{eligibility, minimum_age, maximum_age}], ``cost_options``,
  ``contacts`` [{phones: [{number}]}], ``service_at_locations`` [{location:
  {physical_addresses: [{address_1, postal_code}]}}], ``regular_schedules``,
  ``service_areas``, ``fees``, ``attending_access``, ``assured_date``;
- HSDS 3 / ORUK 3 (openreferral/specification ``examples/service_list.json``):
  ``{"total_items", "total_pages", "page_number", ..., "contents": [...]}`` with
  ``eligibility_description``, ``minimum_age``, ``fees_description``, ``application_process``,
  ``phones``, ``schedules``, locations under ``addresses``, ``last_modified``,
  ``assured_date``;
- Outpost's API (wearefuturegov/outpost-api-service ``get-services.js``): the Spring paging
  keys with ``updated_at``, ``locations`` [{address_1, postal_code}], ``contacts`` [{phone,
  email}], ``cost_options``, ``regular_schedules``, ``min_age`` / ``max_age``.

Each service becomes a ``reading.Record`` (the same five fields as a record page), dated
from ``last_modified`` (else ``updated_at``, the Family Hubs ``pc_metadata.date_modified``,
else ``assured_date``), and is joined to a record page when one of its URLs is that page.

Never raises on bad input: a body that is not a services page gives ``FeedPage.problem``,
one line, and items that are not JSON objects are counted in ``skipped``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from audit.core.dates import parse_any
from audit.core.urls import canonical_url

# The module, not its names: reading imports the checks, whose directory check imports this module,
# so reading may still be loading here (its names are read when a feed is parsed).
from . import reading


@dataclass(frozen=True)
class DataService:
    id: str
    record: reading.Record  # url: the service's API address (feed base + /services/<id>)
    page_urls: tuple[str, ...]  # URLs the data gives that may be the service's record page


@dataclass(frozen=True)
class FeedPage:
    services: tuple[DataService, ...]
    page_number: int | None
    total_pages: int | None
    skipped: int = 0  # items that were not JSON objects
    problem: str | None = None  # one line when the body is not a usable services page


def _text(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _items(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _any_text(item: dict, *keys: str) -> str:
    for key in keys:
        text = _text(item.get(key))
        if text:
            return f"{key}: {text[:80]}"
    return ""


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _locations(service: dict) -> list[dict]:
    """Every location object: ORUK's service_at_locations[].location, Outpost's locations[]."""
    out = [sal["location"] for sal in _items(service.get("service_at_locations")) if isinstance(sal.get("location"), dict)]
    return out + _items(service.get("locations"))


def _fields(service: dict) -> dict[str, str]:
    """{SPEC field: evidence} for the fields the data gives."""
    out: dict[str, str] = {}
    # eligibility
    for elig in _items(service.get("eligibilitys")) + _items(service.get("eligibility")):
        evidence = _any_text(elig, "eligibility", "description") or next(
            (f"{k}: {elig[k]}" for k in ("minimum_age", "maximum_age") if _number(elig.get(k))), "")
        if evidence:
            out["has_eligibility"] = evidence
            break
    else:
        evidence = _any_text(service, "eligibility_description") or next(
            (f"{k}: {service[k]}" for k in ("minimum_age", "maximum_age", "min_age", "max_age") if _number(service.get(k))), "")
        if evidence:
            out["has_eligibility"] = evidence
    # access: how to apply, referral, schedules
    evidence = _any_text(service, "application_process", "attending_access", "referral_process", "how_to_access")
    if not evidence and isinstance(service.get("needs_referral"), bool):
        evidence = f"needs_referral: {service['needs_referral']}"
    if not evidence:
        for key in ("regular_schedules", "schedules"):
            if _items(service.get(key)):
                evidence = f"{key}: {len(_items(service.get(key)))}"
                break
    if evidence:
        out["has_access"] = evidence
    # contact
    contacts = _items(service.get("contacts"))
    phones = _items(service.get("phones")) + [p for c in contacts for p in _items(c.get("phones"))]
    evidence = _any_text(service, "email") or next((_any_text(c, "email", "phone") for c in contacts if
                                                      _any_text(c, "email", "phone")), "") or next(
        (_any_text(p, "number") for p in phones if _any_text(p, "number")), "")
    if evidence:
        out["has_contact"] = evidence
    # location
    for loc in _locations(service):
        addresses = [loc] + _items(loc.get("physical_addresses")) + _items(loc.get("addresses"))
        evidence = next((_any_text(a, "postal_code", "address_1") for a in addresses if _any_text(a, "postal_code", "address_1")), "")
        if evidence:
            out["has_location"] = evidence
            break
    else:
        areas = _items(service.get("service_areas"))
        evidence = next((_any_text(a, "service_area", "name", "description") for a in areas
                         if _any_text(a, "service_area", "name", "description")), "") or _any_text(
            service, "attending_type", "deliverable_type")
        if evidence:
            out["has_location"] = evidence
    # cost
    costs = _items(service.get("cost_options"))
    if costs:
        out["has_cost"] = _any_text(costs[0], "option", "amount_description", "cost_type") or f"cost_options: {len(costs)}"
    elif service.get("free") is True:
        out["has_cost"] = "free: true"
    else:
        evidence = _any_text(service, "fees_description", "fees")
        if evidence:
            out["has_cost"] = evidence
    return out


_DATE_KEYS = ("last_modified", "updated_at")


def _freshness(service: dict, as_of: date | datetime | None) -> tuple[date | None, str | None]:
    meta = service.get("pc_metadata") if isinstance(service.get("pc_metadata"), dict) else {}
    for source, key in [(service, k) for k in _DATE_KEYS] + [(meta, "date_modified"), (service, "assured_date")]:
        value = source.get(key)
        if isinstance(value, str):
            d = parse_any(value, as_of=as_of)
            if d is not None:
                return d, f"{key}={value.strip()}"
    return None, None


def _api_base(feed_url: str) -> str:
    parts = urlsplit(feed_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _service(item: dict, feed_url: str, as_of) -> DataService:
    sid = str(item.get("id") or "").strip()
    name = _text(item.get("name"))
    org = item.get("organization") if isinstance(item.get("organization"), dict) else (
        item.get("organisation") if isinstance(item.get("organisation"), dict) else {})
    urls = [u for u in [item.get("url")] + [a.get("url") for a in _items(item.get("additional_urls"))]
            if isinstance(u, str) and u.startswith(("http://", "https://"))]
    provider = urls[0] if urls else next((org[k] for k in ("website", "url") if isinstance(org.get(k), str)
                                          and org[k].startswith(("http://", "https://"))), None)
    fields = _fields(item)
    last_updated, evidence = _freshness(item, as_of)
    record = reading.Record(
        url=f"{_api_base(feed_url)}/{sid}" if sid else feed_url,
        title=name, last_updated=last_updated, date_evidence=evidence, provider_url=provider,
        evidence=tuple((f, fields[f]) for f in reading.FIELDS if f in fields), **{f: f in fields for f in reading.FIELDS})
    return DataService(sid, record, tuple(urls))


def _int(value) -> int | None:
    return int(value) if _number(value) else None


def parse_services(body: bytes | str, feed_url: str, as_of: date | datetime | None = None) -> FeedPage:
    """One page of a ``/services`` feed (see the module docstring for the shapes read)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and bad UTF-8 are ValueErrors
        return FeedPage((), None, None, problem=f"not JSON: {str(exc)[:120]}")
    if isinstance(data, list):  # an unpaged list of services
        raw, page_number, total_pages = data, 1, 1
    elif isinstance(data, dict):
        raw = data.get("content") if "content" in data else data.get("contents")
        page_number = _int(data.get("number")) if "number" in data else _int(data.get("page_number"))
        total_pages = _int(data.get("totalPages")) if "totalPages" in data else _int(data.get("total_pages"))
    else:
        return FeedPage((), None, None, problem=f"not a services page: a JSON {type(data).__name__}")
    if not isinstance(raw, list):
        return FeedPage((), page_number, total_pages,
                        problem="not a services page: no 'content' or 'contents' list")
    services = tuple(_service(item, feed_url, as_of) for item in raw if isinstance(item, dict))
    return FeedPage(services, page_number, total_pages, skipped=len(raw) - len(services))


def next_page_url(feed_url: str, page: FeedPage) -> str | None:
    """The URL of the feed's next page (``page=N+1``), or None on the last page. Page numbers
    are 1-based as ORUK 3 and Outpost number them; a Spring-style 0-based first page
    (``"number": 0``) counts as page 1."""
    if page.problem or page.total_pages is None:
        return None
    current = max(page.page_number or 1, 1)
    if current >= page.total_pages:
        return None
    parts = urlsplit(feed_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"] + [("page", str(current + 1))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _page_key(url: str) -> str:
    """A record page's URL for matching: canonical without its scheme (data written with
    http:// names the same page), and on kb5 only its ``id`` kept (the same record is
    linked with different channel parameters)."""
    parts = urlsplit(canonical_url(url))
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k == "id"]) if parts.path.endswith(".page") else parts.query
    return urlunsplit(("", parts.netloc, parts.path.rstrip("/") or "/", query, ""))


def join(services: Iterable[DataService], record_page_urls: Iterable[str]) -> dict[str, str]:
    """{service id: record page URL} for the services whose data names one of the pages."""
    pages = {_page_key(url): url for url in record_page_urls}
    out = {}
    for service in services:
        for url in service.page_urls:
            match = pages.get(_page_key(url))
            if match is not None:
                out[service.id] = match
                break
    return out


__all__ = ["DataService", "FeedPage", "join", "next_page_url", "parse_services"]
