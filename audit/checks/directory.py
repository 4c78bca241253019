"""Directory entries and site search (SPEC "Second edition": "Directory entries", "Searchable").

The directory of services is what families use most on a Local Offer and what goes stale
first. This check finds the council's directory records among its pages, reads each one,
reads the directory's open data when the crawl found a feed, and judges the answers the
Local Offer's own search gave to three everyday topics. The judgement is
``audit.directory``'s; this module turns it into rows, findings, columns and points.

- Records: ``records.page_signature`` on every page while its tree is held (a cheap test;
  only candidates are read further), and ``reading.read_record`` on the candidates there and
  then, since a record must be read while its tree is held. ``finish`` keeps the candidates
  ``records.decide`` says are records (the generic fallback needs the whole site's templates).
- Open data: the feed pages the crawler archived (``CouncilContext.open_data``), read by
  ``openreferral.parse_services`` and joined to the record pages by the URLs the data gives.
- Site search: the crawler's archived queries (``CouncilContext.searches``), each judged by
  ``search.judge_results``; ``search.site_search_verdict`` gives ``site_search``.

Points (weight 10): 4 for dated-and-fresh records, 4 for complete ones, 2 for a search that
works. Why: see ``Directory.dimension``'s rule, which the methodology page shows.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from audit.check import Check, Column, Dimension, Table
from audit.checks.staleness import age_days
from audit.core.evidence import decode_html
from audit.core.page import Page
from audit.core.urls import check_key, host_of
from audit.core.wording import as_int, plural
# Modules, not names: audit.directory reuses the checks' own judgements (staleness.own_date,
# features.SEARCH_FIELD_NAMES, soft404), so whichever side is imported first, the other is
# still loading when this line runs; its names are read when the check runs.
from audit.directory import openreferral, reading, records as directory, search

FIELD_WORDS = {"has_eligibility": "who it is for", "has_access": "how to get it", "has_contact": "contact",
               "has_location": "where", "has_cost": "cost"}
ASSESSED = ("ok", "partial")  # crawl_sites statuses whose Local Offer was read
PROVIDER_STATUSES = ("ok", "broken", "blocked")
FRESH_POINTS, COMPLETE_POINTS, SEARCH_POINTS = 4.0, 4.0, 2.0

_RECORD_COLUMNS = """
    title TEXT, last_updated TEXT, date_evidence TEXT, stale INTEGER,
    has_eligibility INTEGER, has_access INTEGER, has_contact INTEGER, has_location INTEGER, has_cost INTEGER,
    complete INTEGER"""

METADATA = """
tables:
  directory_records:
    description: >-
      One row per audit, council and in-scope page that is a single directory record (a
      service, group, club, provider or setting), as recognised and read by audit/directory
      (see /methodology#directory).
    columns:
      url: The record's page.
      title: The record's name (its main heading, else the page title).
      last_updated: The record's own last-updated or reviewed date (ISO), from its visible text or schema.org dateModified; empty when undated.
      date_evidence: The exact text the date came from.
      stale: 1 when last_updated is more than the audit's stale threshold (default 365 days) before as_of; empty when undated.
      has_eligibility: 1 when the record says who it is for (ages, needs, criteria).
      has_access: 1 when it says how to get it (referral, how to apply, booking, opening times).
      has_contact: 1 when it gives a phone number, an email address or a contact form.
      has_location: 1 when it gives an address, a postcode, an area served, or says it is online or by telephone only.
      has_cost: 1 when it says what it costs, that it is free, or how it is funded.
      complete: 1 when all five above are 1.
      provider_url: The provider's own website, when the record links it.
      provider_url_status: "The crawl's check of provider_url: ok, broken, blocked (could not be verified), or empty when not checked."
  directory_open_data:
    description: >-
      One row per audit, council and service read from the directory's open data (an Open
      Referral UK /services feed the crawl fetched), with its freshness and completeness read
      from the data itself.
    columns:
      service_url: The service's address in the feed (feed address + /<id>).
      feed_url: The feed page it was read from.
      page_url: The directory record page the data names for it, when that page was crawled; empty otherwise.
      title: The service's name in the data.
      last_updated: The data's own date for the service (last_modified, else updated_at, else date_modified, else assured_date).
      date_evidence: The field and value the date came from.
      stale: 1 when last_updated is more than the stale threshold before as_of; empty when undated.
      has_eligibility: 1 when the data says who it is for (eligibility, ages).
      has_access: 1 when it says how to get it (application process, referral, schedules).
      has_contact: 1 when it gives a phone number or an email address.
      has_location: 1 when it gives an address, a postcode or a service area.
      has_cost: 1 when it gives cost options, fees or says it is free.
      complete: 1 when all five above are 1.
  site_search_queries:
    description: >-
      One row per audit, council and everyday topic asked of the Local Offer's own search form
      (SPEC "Searchable"): the query, the answer and how it was judged.
    columns:
      topic: The topic asked (autism, short breaks, speech and language therapy).
      query_url: The GET address the form produced for it.
      form_page: The page whose search form was used.
      status: The HTTP status of the answer; empty when the request failed.
      answer: "results (links to in-scope pages about the topic), empty (a no-results page, or results about something else), error (an HTTP error, a soft 404, an error page, a timeout), refused (robots.txt forbids it: not counted) or unread (answered, but its archived copy could not be read: not counted)."
      evidence: The answer page's title, or why the request failed.
queries:
  stale_directory_records:
    title: Stale and undated directory records (latest complete audit)
    description: >-
      Directory records whose own last-updated date is older than the audit's stale threshold,
      or which show no date at all, oldest first, with the text the date came from. Leave
      council_code empty for every council.
    sql: |-
      select r.council_code, c.name as council_name, r.url, r.title, r.last_updated, r.date_evidence,
        case when r.stale = 1 then 'stale' else 'undated' end as problem
      from directory_records r
      join latest_audit a on a.audit_id = r.audit_id
      left join councils c on c.code = r.council_code
      where (r.stale = 1 or r.last_updated is null)
        and (:council_code = '' or r.council_code = :council_code)
      order by r.council_code, r.last_updated is null, r.last_updated, r.url
  incomplete_directory_records:
    title: Incomplete directory records (latest complete audit)
    description: >-
      Directory records that do not say all five things a family needs (who it is for, how to
      get it, contact, where, cost), with the fields missing, most missing first. Leave
      council_code empty for every council.
    sql: |-
      select r.council_code, c.name as council_name, r.url, r.title,
        5 - (r.has_eligibility + r.has_access + r.has_contact + r.has_location + r.has_cost) as fields_missing,
        trim(case when r.has_eligibility then '' else 'who it is for; ' end
          || case when r.has_access then '' else 'how to get it; ' end
          || case when r.has_contact then '' else 'contact; ' end
          || case when r.has_location then '' else 'where; ' end
          || case when r.has_cost then '' else 'cost; ' end, '; ') as missing,
        r.last_updated, r.provider_url, r.provider_url_status
      from directory_records r
      join latest_audit a on a.audit_id = r.audit_id
      left join councils c on c.code = r.council_code
      where r.complete = 0
        and (:council_code = '' or r.council_code = :council_code)
      order by r.council_code, fields_missing desc, r.url
"""


class Directory(Check):
    """Directory records, the directory's open data and the Local Offer's own search (see the
    module docstring). Listed after Statutory: its dimension is published in SPEC's order of
    the weights (up to date, links, accessibility, statutory content, directory entries ...);
    it reads only the pages and what the crawl fetched, so no earlier check's columns."""

    name = "directory"
    metadata = METADATA
    dimension = Dimension(
        "directory", "Directory entries", 10,
        "Over the directory's record pages (else the services in its open data): 4 x (records with a "
        "last-updated date within the stale threshold) / (records) + 4 x (records saying all five: who it is "
        "for, how to get it, contact, where, cost) / (records); plus 2 when the Local Offer's own search "
        "answers at least two of three everyday topics with results about them. A Local Offer where no "
        "directory record is recognised gets half of the 8 record points (4): a directory we could not "
        "recognise cannot be told from none, so it is neither rewarded nor zeroed. A search we were not "
        "allowed to ask (robots.txt) gets half of its 2.",
        advice="Review the oldest directory records first, show a 'Last updated' date on each, and make every "
               "record say who it is for, how to get it, where, what it costs and who to contact.",
        explained_by=("stale_record", "undated_record", "incomplete_record", "dead_provider_website",
                      "site_search_failed"),
    )
    columns = (
        Column("directory_records", "INTEGER", "In-scope pages that are a single directory record (a service, "
               "group, club, provider or setting): see /methodology#directory."),
        Column("directory_records_undated", "INTEGER", "Directory records showing no last-updated or reviewed date."),
        Column("directory_records_stale", "INTEGER", "Directory records last updated more than the stale threshold "
               "(default 365 days) before as_of."),
        Column("directory_records_incomplete", "INTEGER", "Directory records not saying all five of: who it is for, "
               "how to get it, contact, where, cost."),
        Column("has_open_data", "INTEGER", "1 when the directory also publishes its records as machine-readable open "
               "data (an Open Referral UK /services feed) and the audit read services from it; else 0."),
        Column("open_data_services", "INTEGER", "Services read from the directory's open data feed(s)."),
        Column("open_data_services_undated", "INTEGER", "Services in the open data with no date of their own."),
        Column("open_data_services_stale", "INTEGER", "Services in the open data whose own date is more than the stale "
               "threshold before as_of."),
        Column("open_data_services_incomplete", "INTEGER", "Services in the open data not giving all five of: who it is "
               "for, how to get it, contact, where, cost."),
        Column("site_search", "TEXT", "The Local Offer's own search asked three everyday topics: works (results about "
               "at least two), no_results (nothing relevant for at least two), broken (mostly errors, soft 404s or "
               "timeouts), none (no search form found); empty when not assessed (the site was not crawled, or "
               "robots.txt forbids its search)."),
    )
    tables = (
        Table("directory_records", ("audit_id", "council_code", "url"), f"""
            CREATE TABLE IF NOT EXISTS directory_records (
                audit_id INTEGER NOT NULL, council_code TEXT NOT NULL, url TEXT NOT NULL,{_RECORD_COLUMNS},
                provider_url TEXT, provider_url_status TEXT,
                PRIMARY KEY (audit_id, council_code, url));"""),
        Table("directory_open_data", ("audit_id", "council_code", "service_url"), f"""
            CREATE TABLE IF NOT EXISTS directory_open_data (
                audit_id INTEGER NOT NULL, council_code TEXT NOT NULL, service_url TEXT NOT NULL,
                feed_url TEXT, page_url TEXT,{_RECORD_COLUMNS},
                PRIMARY KEY (audit_id, council_code, service_url));"""),
        Table("site_search_queries", ("audit_id", "council_code", "topic"), """
            CREATE TABLE IF NOT EXISTS site_search_queries (
                audit_id INTEGER NOT NULL, council_code TEXT NOT NULL, topic TEXT NOT NULL,
                query_url TEXT, form_page TEXT, status INTEGER, answer TEXT, evidence TEXT,
                PRIMARY KEY (audit_id, council_code, topic));"""),
    )
    findings = {
        "stale_record": "Directory records out of date",
        "undated_record": "Directory records with no date",
        "incomplete_record": "Directory records missing what a family needs",
        "dead_provider_website": "Directory records linking a dead provider website",
        "open_data_problem": "Open data feed that could not be read",
        "site_search_failed": "Site search queries that found nothing or failed",
    }

    def __init__(self, context):
        super().__init__(context)
        self.signals: dict[str, directory.RecordSignals | None] = {}
        self.candidates: dict[str, reading.Record] = {}  # read while each candidate's tree was held
        council = context.council
        self.council_hosts = tuple({host_of(u) for u in (council.council_url, context.home, *context.scope) if u})

    def page(self, page: Page) -> None:
        signals = directory.page_signature(page)
        self.signals[page.url] = signals
        if signals is not None and signals.verdict != "no":
            self.candidates[page.url] = reading.read_record(page, self.council_hosts)

    def finish(self) -> None:
        context = self.context
        assessed = context.site["status"] in ASSESSED
        records = [self.candidates[url] for url in sorted(directory.decide(self.signals))]
        for record in records:
            self._record_row(record)
        services = [service.record for service in self._open_data(records)]
        self.score.update(has_open_data=int(bool(services)), site_search=self._site_search() if assessed else None,
                          **self._counts("directory_records", records), **self._counts("open_data_services", services))

    def _counts(self, prefix: str, records: list[reading.Record]) -> dict:
        as_of, stale_after = self.context.as_of, self.context.stale_after_days
        return {prefix: len(records),
                f"{prefix}_undated": sum(1 for r in records if r.last_updated is None),
                f"{prefix}_stale": sum(1 for r in records if r.stale(as_of, stale_after)),
                f"{prefix}_incomplete": sum(1 for r in records if not r.complete)}

    # -- records -------------------------------------------------------------------------
    def _record_row(self, record: reading.Record) -> None:
        as_of, stale_after = self.context.as_of, self.context.stale_after_days
        status = None
        if record.provider_url:
            check = self.context.link_checks.get(check_key(record.provider_url))
            status = check.outcome if check is not None and check.outcome in PROVIDER_STATUSES else None
        self.rows("directory_records").append(
            {"url": record.url, **_record_columns(record, as_of, stale_after),
             "provider_url": record.provider_url, "provider_url_status": status})
        found = "; ".join(f"{FIELD_WORDS[f]}: {text}" for f, text in record.evidence)[:400]
        if record.last_updated is None:
            self.find("undated_record", record.url, "", "low", "This directory record shows no last-updated date",
                      "no 'Last updated' / 'Page last reviewed' text or schema.org dateModified")
        elif record.stale(as_of, stale_after):
            age = age_days(record.last_updated, as_of)
            self.find("stale_record", record.url, "", "medium",
                      f"Record last updated {record.last_updated.isoformat()}, {age} days before {as_of.isoformat()}",
                      record.date_evidence or "")
        if not record.complete:
            missing = ", ".join(FIELD_WORDS[f] for f in record.missing)
            self.find("incomplete_record", record.url, "", "medium" if len(record.missing) > 1 else "low",
                      f"Does not say: {missing}", found or "none of the five found")
        if status == "broken":
            check = self.context.link_checks[check_key(record.provider_url)]
            self.find("dead_provider_website", record.url, record.provider_url, "high",
                      "The provider's website this record links to is broken", check.reason or "broken")

    # -- open data -----------------------------------------------------------------------
    def _open_data(self, records: list[reading.Record]) -> list[openreferral.DataService]:
        """Every service read from the archived feed pages (once each), with its row; feeds that
        were linked but could not be read are findings. A ``/api/services`` probe that found no
        feed (no archived body: a 404, or an HTML page) is nothing to report."""
        context = self.context
        services: dict[str, tuple[openreferral.DataService, str]] = {}
        for fetch in context.open_data():
            row = fetch.row
            body = fetch.body()
            url = row["final_url"] or row["url"]
            if body is None:
                if row["referrer"]:
                    why = row["error"] or f"HTTP {row['status']}"
                    self.find("open_data_problem", url, "", "medium", "The directory's open data feed did not answer",
                              f"{why}: {row['error_detail'] or ''}".strip(": "))
                continue
            feed = openreferral.parse_services(body, url, as_of=context.as_of)
            if feed.problem:
                self.find("open_data_problem", url, "", "medium", "The directory's open data feed is not readable",
                          feed.problem)
                continue
            if feed.skipped:
                self.find("open_data_problem", url, "", "low",
                          f"{plural(feed.skipped, 'item')} in the feed page are not services", "not JSON objects")
            for service in feed.services:
                services.setdefault(service.record.url, (service, url))
        found = [service for service, _ in services.values()]
        pages = openreferral.join(found, [r.url for r in records])
        for service, feed_url in services.values():
            self.rows("directory_open_data").append(
                {"service_url": service.record.url, "feed_url": feed_url, "page_url": pages.get(service.id),
                 **_record_columns(service.record, context.as_of, context.stale_after_days)})
        return found

    # -- site search ---------------------------------------------------------------------
    def _site_search(self) -> str | None:
        """``site_search`` from the archived answers; None when none could be judged: robots.txt
        refused every query, or the answers' archived copies cannot be read (lo-audit's loss,
        never called a broken search)."""
        answers = []
        unjudged = 0  # refused by robots.txt, or unread
        scope = self.context.scope
        for fetch in self.context.searches():
            row = fetch.row
            topic = _topic(row["url"])
            if topic is None:
                continue
            body = fetch.body()
            if row["error"] == "robots":
                answer, evidence, unjudged = "refused", row["error_detail"] or "robots.txt", unjudged + 1
            elif row["status"] is not None and row["warc_file"] and body is None:
                answer, evidence, unjudged = "unread", f"archived copy unreadable: {row['warc_file']}", unjudged + 1
            elif row["status"] is None or body is None:
                answer, evidence = "error", f"{row['error'] or 'no answer'}: {row['error_detail'] or ''}".strip(": ")
            else:
                page = Page(row["final_url"] or row["url"], decode_html(body, row["content_type"]),
                            status=row["status"], fetched_at=fetch.fetched_at)
                answer = search.judge_results(page, topic, scope)
                evidence = f"HTTP {row['status']}: {page.title or page.h1 or '(no title)'}"[:300]
            self.rows("site_search_queries").append(
                {"topic": topic, "query_url": row["url"], "form_page": row["referrer"], "status": row["status"],
                 "answer": answer, "evidence": evidence})
            if answer not in ("refused", "unread"):
                answers.append(answer)
        if unjudged and not answers:
            return None
        verdict = search.site_search_verdict(answers)
        if verdict in ("no_results", "broken"):
            for query in self.rows("site_search_queries"):
                if query["answer"] in ("empty", "error"):
                    self.find("site_search_failed", query["query_url"], "", "medium",
                              f"Searching for '{query['topic']}' gave {'an error' if query['answer'] == 'error' else 'nothing about it'}",
                              query["evidence"])
        return verdict

    # -- scoring and publishing ------------------------------------------------------------
    @staticmethod
    def points(row: dict) -> float:
        if not row.get("pages_crawled"):
            return 0.0
        prefix = "directory_records" if as_int(row.get("directory_records")) else "open_data_services"
        records = as_int(row.get(prefix))
        fresh = records - as_int(row.get(f"{prefix}_stale")) - as_int(row.get(f"{prefix}_undated"))
        complete = records - as_int(row.get(f"{prefix}_incomplete"))
        if records:
            earned = FRESH_POINTS * fresh / records + COMPLETE_POINTS * complete / records
        else:
            earned = (FRESH_POINTS + COMPLETE_POINTS) / 2
        search = row.get("site_search")
        return earned + (SEARCH_POINTS if search == "works" else SEARCH_POINTS / 2 if search is None else 0.0)

    @staticmethod
    def summary(row: dict, stale_after_days: int = 365) -> str:
        records = as_int(row.get("directory_records"))
        if records:
            text = (f"{plural(records, 'directory record')}: {as_int(row.get('directory_records_stale'))} out of date, "
                    f"{as_int(row.get('directory_records_undated'))} undated, "
                    f"{as_int(row.get('directory_records_incomplete'))} incomplete")
        elif as_int(row.get("open_data_services")):
            text = f"No record pages recognised; {plural(as_int(row['open_data_services']), 'service')} in its open data"
        else:
            text = "No directory records recognised"
        if as_int(row.get("has_open_data")):
            text += "; publishes open data"
        search = row.get("site_search")
        return text + (f"; site search: {search.replace('_', ' ')}" if search else "")


def _record_columns(record: reading.Record, as_of, stale_after_days: int) -> dict:
    return {"title": (record.title or "")[:300],
            "last_updated": record.last_updated.isoformat() if record.last_updated else None,
            "date_evidence": (record.date_evidence or "")[:300] or None,
            "stale": record.stale(as_of, stale_after_days),
            **{f: int(getattr(record, f)) for f in reading.FIELDS}, "complete": int(record.complete)}


def _topic(url: str) -> str | None:
    """The everyday topic a search query asked (one of the query's values), or None."""
    values = {value.strip().lower() for _, value in parse_qsl(urlsplit(url).query)}
    return next((topic for topic in search.TOPICS if topic in values), None)
