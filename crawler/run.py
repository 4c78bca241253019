"""Run one crawl of the selected councils into the database and WARC files.

A crawl is a row in ``crawls``: ``running`` until Scrapy stops, then ``complete`` (or
``interrupted`` if the process was stopped). Every council gets a ``crawl_sites`` row
saying how its Local Offer was found (``seed_source``) or why it could not be read
(``not_assessed_reason``): one without a Local Offer URL, or whose URL is dead, is looked
for from the council's website first (crawler.discovery). ``lo-audit discover`` runs that
search alone: its crawl row has status ``discovery`` and is never audited.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import multiprocessing
import os
import signal
from multiprocessing.connection import Connection
from typing import Callable
from pathlib import Path

from .settings import CRAWL_GC_THRESHOLDS

# Set before Scrapy, Twisted and pyOpenSSL are imported: with Python's default thresholds
# their imports alone ran ~150 collections (~0.08 s of every crawl's start-up, a spawned
# worker's included, as it imports this module first).
gc.set_threshold(*CRAWL_GC_THRESHOLDS)

from audit import __version__
from audit.core import db as dbmod
from audit.core.process import exit_now
from audit.core.registry import Council
from audit.core.urls import host_of, is_local_seed

from . import resume
from .progress import SITE_COLUMNS, site_line
from .settings import USER_AGENT, CrawlOptions, scrapy_settings
from .store import Store, utcnow
from .workers import HostOwnership, LinkCheckInbox, previous_sizes, shard_councils, start_workers


def mark_dead_crawls(db) -> int:
    """A crawl still 'running' whose process is gone was killed: say so, so it is never
    mistaken for one in progress (its rows stay as evidence; audits use complete crawls)."""
    dead = [row["crawl_id"] for row in db.query("SELECT crawl_id, pid FROM crawls WHERE status = 'running'")
            if not _alive(row.get("pid"))]
    for crawl_id in dead:
        db.table("crawls").update(crawl_id, {"status": "interrupted"})
    return len(dead)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_crawl_row(db, councils: list[Council], options: CrawlOptions) -> int:
    mark_dead_crawls(db)
    db.table("councils").upsert_all([c.as_row() for c in councils], pk="code")
    crawl_id = db.table("crawls").insert({
        "started_at": utcnow(), "status": "running", "user_agent": USER_AGENT,
        "options": json.dumps(options.as_dict()), "version": __version__, "pid": os.getpid(),
    }).last_pk
    rows = []
    for c in councils:
        rows.append({
            "crawl_id": crawl_id, "council_code": c.code, "seed_url": c.local_offer_url or None,
            "scope": " ".join(c.scope) or None, "status": "running",
            "seed_source": "registry" if c.local_offer_url else None, "started_at": utcnow(),
        })
    db.table("crawl_sites").upsert_all(rows, pk=("crawl_id", "council_code"))
    return crawl_id


def run_crawl(db_path: str | Path, councils: list[Council], options: CrawlOptions,
              on_start: Callable[[int], None] | None = None) -> int:
    """Crawl ``councils`` (or with ``options.discover_only``, only look for their Local
    Offers); return the crawl id. Blocks until the crawl ends. ``on_start(crawl_id)``: called
    once the crawl's row exists (``crawler.progress.CrawlProgress.watch``)."""
    db = dbmod.connect(db_path)
    crawl_id = start_crawl_row(db, councils, options)
    if on_start is not None:
        on_start(crawl_id)
    _run(db, db_path, crawl_id, councils, options)
    return crawl_id


def resume_crawl(db_path: str | Path, crawl_id: int | None = None,
                 on_start: Callable[[int], None] | None = None) -> tuple[int, resume.Tails]:
    """Continue an interrupted crawl (``crawl_id``, or the latest interrupted one) with its
    own councils and options, to the same end as if it had never stopped (crawler.resume);
    return its id and what was cut from its WARC files' ends. Raises ``ResumeError`` when
    there is nothing to resume."""
    db = dbmod.connect(db_path)
    mark_dead_crawls(db)
    row = resume.crawl_to_resume(db, crawl_id)
    crawl_id = row["crawl_id"]
    options = CrawlOptions(**json.loads(row["options"]))
    councils = resume.crawl_councils(db, crawl_id)
    tails = resume.truncate_tails(db_path, crawl_id)
    db.table("crawls").update(crawl_id, {"status": "running", "pid": os.getpid(), "finished_at": None,
                                         "resumed": (row.get("resumed") or 0) + 1})
    if on_start is not None:
        on_start(crawl_id)
    _run(db, db_path, crawl_id, councils, options)
    return crawl_id, tails


def interrupted_hint(db) -> str | None:
    """One line for the user when the latest crawl in the database was interrupted."""
    mark_dead_crawls(db)
    row = next(db.query("SELECT crawl_id, status FROM crawls ORDER BY crawl_id DESC LIMIT 1"), None)
    if row is None or row["status"] != "interrupted":
        return None
    return (f"note: crawl {row['crawl_id']} was interrupted; `lo-audit crawl --resume` continues it "
            "instead of starting again")


def _run(db, db_path: str | Path, crawl_id: int, councils: list[Council], options: CrawlOptions) -> None:
    seeded = [c for c in councils if c.local_offer_url]
    finished = False
    try:
        if options.workers > 1 and seeded and not options.discover_only:
            finished = _crawl_with_workers(db_path, crawl_id, councils, options)
        else:
            finished = _scrapy_crawl(db_path, crawl_id, councils, options)
    finally:
        done = "discovery" if options.discover_only else "complete"
        db.table("crawls").update(crawl_id, {"finished_at": utcnow(), "status": done if finished else "interrupted"})


def _scrapy_crawl(db_path: str | Path, crawl_id: int, councils: list[Council], options: CrawlOptions,
                  ownership: HostOwnership | None = None, outbox: Connection | None = None,
                  inbox: LinkCheckInbox | None = None, deferred: list[tuple[str, str]] | None = None,
                  checked: frozenset[str] = frozenset()) -> bool:
    """One Scrapy process over ``councils``; True when the spider finished normally.
    With several workers (see crawler.workers): ``ownership`` and ``outbox``, a crawl
    worker's hosts and its pipe to the link checker; ``inbox``, this is the link checker;
    ``deferred``, only check these (council code, link target) pairs, the handed-over
    targets the link checker left unchecked; ``checked``, link targets this crawl has
    checked already (by earlier processes), never checked again.

    Scrapy is imported here, not with the module: the parent of several workers does not
    need it (~0.4 s of start-up on the critical path)."""
    # crawler.http first: Scrapy's crawler would otherwise import Scrapy's TLS modules
    # outside crawler.http's cheaper inspect.stack() (see _stack_without_source there).
    from . import http  # noqa: F401
    from scrapy.crawler import CrawlerProcess

    from .guard import show_faults
    from .spider import LocalOfferSpider

    store = Store(db_path, crawl_id)
    settings = scrapy_settings(options)
    if store.resume is not None:  # answer what earlier runs committed from the database and WARC files
        settings["DOWNLOADER_MIDDLEWARES"]["crawler.resume.ReplayMiddleware"] = 70
        settings["LO_DB_PATH"] = str(db_path)
        checked = checked | store.resume.checked
    settings["LO_IGNORE_ROBOTS"] = options.ignore_robots
    # Names given as local seeds (e.g. http://localhost:8000/) may resolve to loopback.
    settings["LO_ALLOWED_PRIVATE_NAMES"] = sorted(
        {host_of(c.local_offer_url) for c in councils if c.local_offer_url and is_local_seed(c.local_offer_url)}
    )
    # Quiet by default (the summary says what happened); LO_AUDIT_LOG_LEVEL=INFO shows Scrapy's log.
    settings["LOG_LEVEL"] = os.environ.get("LO_AUDIT_LOG_LEVEL", "ERROR")
    settings["LOG_INSTALL_ROOT_HANDLER"] = "LO_AUDIT_LOG_LEVEL" in os.environ
    if not settings["LOG_INSTALL_ROOT_HANDLER"]:
        show_faults()  # a response lo-audit failed to process is still said, in one line
    if settings["LOG_LEVEL"].upper() not in ("DEBUG", "INFO"):
        # Scrapy looks up its dependencies' versions for an INFO line nobody sees (~9 ms a process).
        settings["LOG_VERSIONS"] = []
    process = CrawlerProcess(settings)
    process.crawl(LocalOfferSpider, councils=councils, store=store, options=options, ownership=ownership,
                  outbox=outbox, inbox=inbox, deferred=deferred, checked=checked)
    try:
        process.start()
        return store.finished
    finally:
        store.close()


def _worker(shard: list[Council], ownership: HostOwnership, outbox: Connection, db_path: Path, crawl_id: int,
            options: CrawlOptions) -> None:
    _stop_with_parent()
    exit_now(0 if _scrapy_crawl(db_path, crawl_id, shard, options, ownership=ownership, outbox=outbox) else 1)


def _link_checker(inbox: LinkCheckInbox, councils: list[Council], db_path: Path, crawl_id: int,
                  options: CrawlOptions) -> None:
    _stop_with_parent()
    exit_now(0 if _scrapy_crawl(db_path, crawl_id, councils, options, inbox=inbox) else 1)


def _interrupted(signum, frame):
    """SIGTERM in the parent: unwind like Ctrl-C, so the workers are stopped and the crawl
    is recorded as interrupted (Python's default would end the process on the spot)."""
    raise KeyboardInterrupt


def _stop_with_parent() -> None:
    """A worker whose parent dies (killed, so its clean-up never ran) gets SIGTERM, which
    Scrapy turns into a clean stop, instead of crawling on unseen (Linux prctl
    PR_SET_PDEATHSIG; elsewhere nothing happens)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _discovery_pass(councils: list[Council], db_path: Path, crawl_id: int, options: CrawlOptions) -> None:
    """Look for (and crawl) the Local Offers the workers could not: the link targets the
    workers and the link checker already checked are not checked again (a discovered Local
    Offer links to the same gov.uk pages as the others), as in a crawl by one process."""
    _stop_with_parent()
    checked = frozenset(row["url"] for row in dbmod.connect(db_path).query(
        "SELECT url FROM link_checks WHERE crawl_id = ?", [crawl_id]))
    exit_now(0 if _scrapy_crawl(db_path, crawl_id, councils, options, checked=checked) else 1)


def _crawl_with_workers(db_path: str | Path, crawl_id: int, councils: list[Council], options: CrawlOptions) -> bool:
    """Up to ``options.workers`` processes crawl their share of the councils with a Local
    Offer URL side by side, and the link checker checks the targets on other hosts as they
    hand them over. Then one process looks for (and crawls) the Local Offers the registry
    had no live URL for: discovery reads the councils' main sites, hosts no worker owned.
    True when every crawl process finished normally. Targets handed over but left
    unchecked (the link checker stopped early) are checked here at the end, once each."""
    seeded = [c for c in councils if c.local_offer_url]
    sizes = previous_sizes(dbmod.connect(db_path), crawl_id)
    processes = start_workers(_worker, _link_checker, shard_councils(seeded, options.workers, sizes), Path(db_path),
                              crawl_id, options)
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        for process in processes:
            process.join()
    finally:  # Ctrl-C or SIGTERM in the parent: the workers stop too (cleanly: SIGTERM)
        signal.signal(signal.SIGTERM, previous)
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    if any(process.exitcode != 0 for process in processes[:-1]):  # a crawl worker (the last is the link checker)
        return False
    left = {row["council_code"] for row in dbmod.connect(db_path).query(
        "SELECT council_code FROM crawl_sites WHERE crawl_id = ? AND status = 'needs_discovery'", [crawl_id])}
    unfound = [c for c in councils if not c.local_offer_url or c.code in left]
    if unfound and not _run_process(_discovery_pass, unfound, Path(db_path), crawl_id, options):
        return False
    deferred = [(row["council_code"], row["target"]) for row in dbmod.connect(db_path).query(
        "SELECT d.council_code, d.target FROM deferred_link_checks d WHERE d.crawl_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM link_checks c WHERE c.crawl_id = d.crawl_id AND c.url = d.url) ORDER BY d.url", [crawl_id])]
    return _scrapy_crawl(db_path, crawl_id, councils, options, deferred=deferred) if deferred else True


def _run_process(target, *args) -> bool:
    """``target(*args)`` in a spawned process (a Scrapy reactor of its own); True on exit 0."""
    process = multiprocessing.get_context("spawn").Process(target=target, args=args, name="lo-audit-discovery")
    process.start()
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        process.join()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.is_alive():
            process.terminate()
            process.join()
    return process.exitcode == 0


def crawl_summary(db, crawl_id: int) -> list[str]:
    """One line per council: how its crawl went, and where its Local Offer was found."""
    return [site_line(row) for row in db.query(
        f"SELECT {SITE_COLUMNS}, (SELECT count(*) FROM fetches f WHERE f.crawl_id = s.crawl_id "
        "AND f.council_code = s.council_code AND f.not_modified = 1) AS not_modified "
        "FROM crawl_sites s JOIN councils c ON c.code = s.council_code WHERE s.crawl_id = ? "
        "ORDER BY s.council_code", [crawl_id])]


__all__ = ["run_crawl", "resume_crawl", "interrupted_hint", "crawl_summary", "CrawlOptions"]
