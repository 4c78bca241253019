"""What changed between consecutive complete audits, defined once and read twice: by the
report card ("What changed since the last audit", the latest pair of audits, one council) and
by the Atom feeds (the last few pairs, one council or every council) that council web teams
and campaigners subscribe to.

Each kind of change is one SQL ``select`` over ``scope``, a relation of rows
``(a, p, crawl, code)``: an audit, the complete audit before it, the audit's crawl and a
council. The report card binds ``scope`` to one row; a feed to every council of its recent
audits. A kind whose table may be missing (``directory_records``, written by the directory
check) names it in ``needs`` and is left out, silently, when the database has no such table.

The feeds are canned queries rendered by the ``datasette-atom`` plugin (``.atom`` after the
query's URL, columns ``atom_id``, ``atom_title``, ``atom_updated``, ``atom_content_html``,
``atom_link``), with one entry per audit, council and kind of change, plus one per audit and
council saying its score and rank (in the national feed only when they moved) and, in the
national feed, one per audit. Entries are built from crawled text (page titles, link text,
URLs): the SQL functions below escape every string, drop the characters XML cannot carry,
and make links only of plain http(s) URLs (:func:`safe_href`); ``datasette-atom`` then
cleans the HTML again with bleach's allow-list.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass

from datasette.utils import tilde_encode

from audit.checks.assessment import REASON_TEXT
from audit.core.wording import plural
from datasette_config.published.common import movement, query_rows, safe_href


@dataclass(frozen=True)
class Change:
    name: str
    sql: str  # select over `scope x`: columns a, code, then the kind's own
    order: str  # the report card's order of its rows
    labels: tuple[str, str] | None = None  # (one, many) in a feed entry's title; None: report card only
    item: str = ""  # the feed's item columns: url, target, text, detail
    needs: str | None = None  # a table the kind reads that a database may not have


KINDS = (
    Change("newly_broken", """
        select x.a, x.code, f.url, f.target, f.evidence,
          (select l.link_text from links l where l.crawl_id = x.crawl and l.council_code = f.council_code
             and l.source_url = f.url and l.target_url = f.target) as link_text
        from scope x
        join findings f on f.audit_id = x.a and f.council_code = x.code and f.check_name = 'broken_link'
        where not exists (select 1 from broken g where g.audit_id = x.p and g.council_code = x.code
                          and g.target = f.target)""",
           "target, url", ("link newly broken", "links newly broken"), "url, target, link_text, evidence"),
    # broken in the previous audit, not in this one: fixed, or no longer linked at all
    Change("fixed", """
        select x.a, x.code, f.url, f.target, f.evidence as was, lc.outcome, lc.status,
          f.target in (select t.url from link_edges e join urls t on t.url_id = e.target_id
                       where e.crawl_id = x.crawl and e.council_code = x.code
                       union all
                       select t.url from link_sets m join urls t on t.url_id = m.target_id
                       where m.crawl_id = x.crawl and m.council_code = x.code) as still_linked
        from scope x
        join findings f on f.audit_id = x.p and f.council_code = x.code and f.check_name = 'broken_link'
        left join link_checks lc on lc.crawl_id = x.crawl and lc.url = f.target
        where not exists (select 1 from broken g where g.audit_id = x.a and g.council_code = x.code
                          and g.target = f.target)""",
           "target, url"),
    # a page in both audits whose last-updated date moved forward (or appeared)
    Change("updated", """
        select x.a, x.code, p.url, p.title, q.last_updated as before, p.last_updated as after, p.date_evidence
        from scope x
        join page_audits p on p.audit_id = x.a and p.council_code = x.code
        join page_audits q on q.audit_id = x.p and q.council_code = x.code and q.url = p.url
        where p.last_updated is not null and (q.last_updated is null or p.last_updated > q.last_updated)""",
           "url"),
    # a page in both audits, fresh (or undated) before and stale now
    Change("gone_stale", """
        select x.a, x.code, p.url, p.title, p.last_updated, p.age_days, p.date_evidence
        from scope x
        join page_audits p on p.audit_id = x.a and p.council_code = x.code
        join page_audits q on q.audit_id = x.p and q.council_code = x.code and q.url = p.url
        where p.stale = 1 and coalesce(q.stale, 0) = 0""",
           "url", ("page gone out of date", "pages gone out of date"), "url, '', title, last_updated"),
    # a directory record (a service, club, setting) in both audits, fresh before and stale now
    Change("directory_gone_stale", """
        select x.a, x.code, d.url, d.title, d.last_updated
        from scope x
        join directory_records d on d.audit_id = x.a and d.council_code = x.code
        join directory_records e on e.audit_id = x.p and e.council_code = x.code and e.url = d.url
        where d.stale = 1 and coalesce(e.stale, 0) = 0""",
           "url", ("directory record gone out of date", "directory records gone out of date"),
           "url, '', title, last_updated", needs="directory_records"),
)


# What the kinds share, after `scope`: the broken link targets of the audits compared, once per
# (audit, council, target), so "was it broken before?" is an indexed look-up rather than a scan
# of the council's findings for every finding (0.18 s against 0.84 s on a 3,000-page audit).
SHARED = """broken (audit_id, council_code, target) as materialized (
    select distinct f.audit_id, f.council_code, f.target from scope x
    join findings f on f.audit_id in (x.a, x.p) and f.council_code = x.code and f.check_name = 'broken_link')"""


async def present_kinds(db) -> list[Change]:
    """The kinds this database can answer: those whose table exists."""
    return [k for k in KINDS if k.needs is None or await db.table_exists(k.needs)]


CHANGES_PER_LIST = 200


async def what_changed(db, code: str, audit: dict, before: dict) -> dict:
    """Every kind of change for one council between ``before`` and ``audit`` (the report
    card's lists, each at most ``CHANGES_PER_LIST`` long)."""
    params = {"a": audit["audit_id"], "p": before["audit_id"], "crawl": audit["crawl_id"], "code": code,
              "n": CHANGES_PER_LIST}
    changes = {}
    for kind in await present_kinds(db):
        changes[kind.name] = await query_rows(
            db, f"with scope (a, p, crawl, code) as (select :a, :p, :crawl, :code), {SHARED} "
                f"select * from ({kind.sql}) order by {kind.order} limit :n", params)
    for rows in changes.values():
        for r in rows:
            r["url_href"] = safe_href(r.get("url"))
            r["target_href"] = safe_href(r.get("target"))
    for r in changes["fixed"]:
        r["now"] = (f"now {r['status'] or r['outcome']}" if r["still_linked"] and r["outcome"]
                    else "no longer linked from the site")
    return changes


# ---- the feeds -------------------------------------------------------------------------------

FEED_AUDITS = 10  # the feeds cover the changes of the last ten complete audits
FEED_ITEMS = 20  # items listed in one entry; the rest are counted
NATIONAL_ENTRIES = 500
COLUMNS = (" Besides the atom_ columns: kind (newly_broken, gone_stale, directory_gone_stale, score, "
           "not_assessed, audit), audit_id, as_of, council_code, council_name and changes (the items the entry "
           "counts). Covers the last 10 complete audits; at most 20 items are listed in an entry.")
FEEDS = {
    "changes_feed": {
        "title": "SEND Local Offers: what changed (lo-audit)",
        "description": "What changed in every council's SEND Local Offer between consecutive audits: links newly "
                       "broken, pages and directory records gone out of date, scores and ranks that moved, "
                       "councils newly not assessed. Add .atom to this page's address for the Atom feed." + COLUMNS,
    },
    "council_changes_feed": {
        "title": "A council's SEND Local Offer: what changed (lo-audit)",
        "description": "What changed in one council's SEND Local Offer at each audit: links newly broken, pages "
                       "and directory records gone out of date, its score and rank, whether it could be "
                       "assessed. Add .atom to this page's address (with ?council_code=) for the Atom feed." + COLUMNS,
    },
}


def feed_metadata() -> dict:
    """The feeds' titles and descriptions, for metadata.yml's queries (datasette-atom takes a
    feed's title from there); their SQL comes from the ``canned_queries`` hook, which knows
    which tables the database has."""
    return {name: dict(about) for name, about in FEEDS.items()}


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def feed_sql(kinds: list[Change], report_card_path: str, council: bool) -> str:
    """One feed's canned query: every council's (``council`` False) or ``:council_code``'s."""
    one = "where s.council_code = :council_code" if council else ""
    changes = " union all ".join(
        f"select {_sql_text(k.name)} as kind, a, code, count(*) as n, "
        f"lo_feed_items({_sql_text(k.name)}, {k.item}) as html from ({k.sql}) group by a, code"
        for k in kinds if k.labels)
    moved = "" if council else """
        where q.council_code is not null and ((s.score is null) != (q.score is null)
          or abs(s.score - q.score) >= 0.05 or s.rank != q.rank)"""
    national = "" if council else """
        union all
        select 'audit', r.a, '', (select count(*) from council_scores s where s.audit_id = r.a),
          lo_feed_audit(r.a, r.as_of, (select count(*) from council_scores s where s.audit_id = r.a and s.score is not null),
                        (select count(*) from council_scores s where s.audit_id = r.a and s.score is null))
        from recent r"""
    return f"""
with recent as (
  select audit_id as a, crawl_id as crawl, as_of, started_at, finished_at,
    (select max(b.audit_id) from audits b where b.status = 'complete' and b.audit_id < audits.audit_id) as p
  from audits where status = 'complete' order by audit_id desc limit {FEED_AUDITS}
),
members as (
  select r.a, r.p, r.crawl, s.council_code as code from recent r join council_scores s on s.audit_id = r.a {one}
),
scope as (select a, p, crawl, code from members where p is not null),
{SHARED},
entries (kind, a, code, n, html) as (
  {changes}
  union all
  select case when s.score is null then 'not_assessed' else 'score' end, m.a, m.code, 1,
    lo_feed_status(m.a, m.p, s.score, s.rank, (select count(*) from council_scores t where t.audit_id = m.a),
                   s.not_assessed_reason, q.council_code is not null, q.score, q.rank)
  from members m
  join council_scores s on s.audit_id = m.a and s.council_code = m.code
  left join council_scores q on q.audit_id = m.p and q.council_code = m.code {moved}
  {national}
)
select lo_feed_id(r.started_at, e.a, e.code, e.kind) as atom_id,
  lo_feed_title(e.kind, coalesce(c.name, s.council_name, e.code), e.n, e.html) as atom_title,
  r.finished_at as atom_updated,
  e.html as atom_content_html,
  case when e.code = '' then {_sql_text(report_card_path.rsplit('/', 2)[0] + '/')}
       else {_sql_text(report_card_path)} || lo_feed_path(e.code) || '#changes' end as atom_link,
  e.kind, e.a as audit_id, r.as_of, e.code as council_code, coalesce(c.name, s.council_name) as council_name,
  e.n as changes
from entries e
join recent r on r.a = e.a
left join councils c on c.code = e.code
left join council_scores s on s.audit_id = e.a and s.council_code = e.code
union all
select lo_feed_id('', 0, {':council_code' if council else "''"}, 'nothing'), 'No audit has been published yet',
  strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'),
  '<p>lo-audit has not published a complete audit{" of this council" if council else ""} yet. '
    || 'Entries will appear here after each weekly audit.</p>',
  {_sql_text(report_card_path.rsplit('/', 2)[0] + '/')}, 'nothing', null, null, null, null, 0
where not exists (select 1 from members)
order by audit_id desc, council_code, kind
limit {NATIONAL_ENTRIES}"""


async def feed_queries(datasette, database: str) -> dict:
    """The two feeds as canned queries (the ``canned_queries`` hook)."""
    db = datasette.get_database(database)
    kinds = await present_kinds(db)
    path = datasette.urls.path("/council/")
    queries = {}
    for name, council in (("changes_feed", False), ("council_changes_feed", True)):
        queries[name] = {**FEEDS[name], "sql": feed_sql(kinds, path, council)}
        if council:
            queries[name]["params"] = ["council_code"]
    return queries


# ---- SQL functions the feeds' queries call (registered on every connection) -------------------

# What XML 1.0 cannot carry (C0 controls but tab, newline and return; lone surrogates; U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """Crawled text fit for an XML document: characters XML forbids are dropped."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def _e(value) -> str:
    return html.escape(xml_text(value), quote=True)


def _link(url) -> str:
    """A link when the URL is plain http(s), else the URL as text: never a live ``javascript:``."""
    href = safe_href(url)
    return f'<a href="{_e(href)}">{_e(url)}</a>' if href else f"<code>{_e(url)}</code>"


def _item(kind: str, url, target, text, detail) -> str:
    if kind == "newly_broken":
        said = f", &ldquo;{_e(text)}&rdquo;" if text else ""
        return f"{_link(target)} ({_e(detail or 'broken')}){said} on {_link(url)}"
    titled = f" ({_e(text)})" if text else ""
    return f"{_link(url)}{titled}: last updated {_e(detail or 'undated')}"


class FeedItems:
    """``lo_feed_items(kind, url, target, text, detail)``: the entry's items as an HTML list,
    in URL order, the first ``FEED_ITEMS`` shown and the rest counted."""

    def __init__(self):
        self.rows = []

    def step(self, kind, url, target, text, detail):
        self.kind = kind
        self.rows.append((target or "", url or "", text, detail))

    def finalize(self):
        self.rows.sort(key=lambda r: (r[0], r[1]))
        shown = "".join(f"<li>{_item(self.kind, url, target, text, detail)}</li>"
                        for target, url, text, detail in self.rows[:FEED_ITEMS])
        more = len(self.rows) - FEED_ITEMS
        rest = f"<p>And {plural(more, 'more')}: the report card and the findings table list every one.</p>" if more > 0 else ""
        return f"<ul>{shown}</ul>{rest}"


def feed_title(kind, name, n, content) -> str:
    """An entry's title: the council and what happened, in plain words."""
    name = xml_text(name)
    labels = {k.name: k.labels for k in KINDS if k.labels}
    if kind in labels:
        one, many = labels[kind]
        return f"{name}: {n} {one if n == 1 else many}"
    if kind == "audit":
        return f"New audit published ({n} councils)"
    # score / not_assessed: the first sentence of the content, without its markup
    return f"{name}: {html.unescape(re.sub('<[^>]+>', '', content.split('</p>', 1)[0])).rstrip('.')}"


def feed_status(audit, previous, score, rank, total, reason, was_there, was_score, was_rank) -> str:
    """A council's score and rank at an audit and how they moved since the previous one
    (the same words as the league table's movement column)."""
    if score is None:
        what = REASON_TEXT.get(reason or "", reason or "not assessed")
        was = f" It was assessed in audit {previous} ({was_score:.1f}/100, rank {was_rank})." \
            if was_there and was_score is not None else ""
        return (f"<p>Not assessed in audit {audit}: {_e(what)}.</p><p>lo-audit scores only what its crawler "
                f"could see, so the council has no score or rank this time.{was}</p>")
    if not previous:
        since = "first audit"
    elif not was_there:
        since = f"not in audit {previous}"
    elif was_score is None:
        since = f"assessed again: not assessed in audit {previous}"
    else:
        move = movement({"score": score, "rank": rank}, {"score": was_score, "rank": was_rank})
        since = f"{move['points']}, {move['rank']} since audit {previous}"
    return f"<p>{score:.1f}/100, rank {rank} of {total} ({_e(since)}).</p>"


def feed_audit(audit, as_of, assessed, not_assessed) -> str:
    return (f"<p>Audit {audit}, as of {_e(as_of)}: {plural(assessed, 'council')} assessed and ranked, "
            f"{not_assessed} not assessed.</p>")


def feed_id(started_at, audit, code, kind) -> str:
    """A stable, unique entry id (Atom requires an absolute IRI): a name-based UUID of the
    audit (its number and start time, so two databases' audit 3 differ), council and kind."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"lo-audit:{started_at}:{audit}:{code}:{kind}").urn


def register_functions(conn) -> None:
    """The SQL functions the feeds' queries call (the ``prepare_connection`` hook)."""
    conn.create_function("lo_feed_id", 4, feed_id, deterministic=True)
    conn.create_function("lo_feed_title", 4, feed_title, deterministic=True)
    conn.create_function("lo_feed_status", 9, feed_status, deterministic=True)
    conn.create_function("lo_feed_audit", 4, feed_audit, deterministic=True)
    conn.create_function("lo_feed_path", 1, lambda code: tilde_encode(xml_text(code)), deterministic=True)
    conn.create_aggregate("lo_feed_items", 5, FeedItems)
