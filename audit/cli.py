"""The ``lo-audit`` command line: thin wrappers over the crawler, the audit and Datasette.

Every command exits 0 on success and non-zero with a one-line ``Error: ...`` on bad
input (no traceback). Broken or unreachable council sites are data, not errors.
"""

from __future__ import annotations

import math
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

from audit import __version__
from audit.core.process import exit_now

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = PACKAGE_ROOT / "data" / "councils.csv"
DEFAULT_DB = PACKAGE_ROOT / "data" / "localoffer.db"


def db_option(fn):
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
        show_default=True, help="SQLite database (WARC files go in a folder beside it).",
    )(fn)


def finite(ctx, param, value):
    """click's FloatRange lets NaN through (NaN < 0 is false): a delay or timeout must be a number."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


MAX_WORKERS = 16


def machine_cores() -> int:
    """The cores this process may run on: its CPU affinity where the OS says (a container or
    ``taskset`` may allow fewer than the machine has), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


class Workers(click.ParamType):
    """``--workers``: ``auto`` (the default: one process per core this machine gives us) or
    a number from 1 to 16. What a user types without the option is the fast path."""

    name = "auto|N"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        if str(value).strip().lower() == "auto":
            return max(1, min(machine_cores(), MAX_WORKERS))
        try:
            n = int(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is neither 'auto' nor a number", param, ctx)
        if not 1 <= n <= MAX_WORKERS:
            self.fail(f"{n} is not between 1 and {MAX_WORKERS}", param, ctx)
        return n


def workers_option(help_text: str):
    return click.option("--workers", type=Workers(), default="auto", show_default=True,
                        help=f"{help_text} auto = the cores this machine gives lo-audit ({machine_cores()} here); "
                             "1 = one process.")


def crawl_options(fn):
    fn = click.option("--seeds", type=click.Path(path_type=Path), default=DEFAULT_SEEDS, show_default=True,
                      help="Seeds / registry CSV (code,name,local_offer_url,council_url[,region,la_type,scope]).")(fn)
    fn = click.option("--council", "councils", multiple=True, metavar="CODE",
                      help="Only this council (repeatable).")(fn)
    fn = click.option("--max-pages", type=click.IntRange(min=1), default=5000, show_default=True,
                      help="Most pages and documents fetched per site.")(fn)
    fn = click.option("--download-delay", type=click.FloatRange(min=0), default=1.0, show_default=True, callback=finite,
                      help="Seconds between requests to one host.")(fn)
    fn = click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=20.0, show_default=True, callback=finite,
                      help="Seconds one request may take, from connect to last byte.")(fn)
    fn = click.option("--ignore-robots", is_flag=True,
                      help="Ignore robots.txt (for a council auditing its own site).")(fn)
    fn = click.option("--host-concurrency", type=click.IntRange(min=1, max=16), default=1, show_default=True,
                      help="Requests in flight at once per host. Keep 1 for other people's sites; "
                           "raise it for your own site or a benchmark.")(fn)
    fn = workers_option("Crawling processes; above 1, one more process checks the links to other sites "
                        "meanwhile. Each host is still contacted by one process only.")(fn)
    return fn


def check_db_path(db_path: Path) -> None:
    if db_path.exists() and db_path.is_dir():
        raise click.BadParameter(f"{db_path} is a folder, not a database file", param_hint="--db")
    if not db_path.parent.exists():
        raise click.BadParameter(f"folder {db_path.parent} does not exist", param_hint="--db")
    if db_path.exists():
        with open(db_path, "rb") as fh:
            head = fh.read(16)
        if head and not head.startswith(b"SQLite format 3\x00"):
            raise click.BadParameter(f"{db_path} exists and is not a SQLite database", param_hint="--db")


class OneLineErrors(click.Group):
    """Bad input gets exactly one line, ``Error: ...``, and a non-zero exit: no usage
    block, no traceback (SPEC). ``--help`` still shows the full usage."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("Error: aborted", err=True)
            sys.exit(1)
        except click.ClickException as e:
            click.echo(f"Error: {e.format_message()}", err=True)
            sys.exit(e.exit_code)
        except OSError as e:  # e.g. disk full or a read-only database: one line, not a traceback
            click.echo(f"Error: {e.strerror or e}{f': {e.filename}' if e.filename else ''}", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lo-audit")
def cli():
    """lo-audit: crawl, audit and publish English councils' SEND Local Offer websites."""


class CrawlId(click.ParamType):
    """``--resume``'s optional value: a crawl id, or nothing for the latest interrupted crawl."""

    name = "CRAWL_ID"

    def convert(self, value, param, ctx):
        if value is None or value == "latest" or isinstance(value, int):
            return value
        try:
            return int(value)
        except ValueError:
            self.fail(f"{value!r} is not a crawl id (a number)", param, ctx)


@cli.command()
@crawl_options
@click.option("--resume", type=CrawlId(), is_flag=False, flag_value="latest", default=None,
              help="Continue an interrupted crawl (CRAWL_ID, or without one the latest interrupted crawl) "
                   "instead of starting a new one: what it committed is replayed from the database and WARC "
                   "files, not fetched again, and it ends with the same rows as a crawl that never stopped. "
                   "It keeps its own councils and options (other options are ignored).")
@db_option
def crawl(seeds, councils, max_pages, download_delay, timeout, ignore_robots, host_concurrency, workers,
          resume, db_path):
    """Crawl the Local Offers listed in the seeds file into the database and WARC files.

    A council with no Local Offer URL, or whose URL is dead or redirects off its sites, has
    its Local Offer looked for from its website first (see `lo-audit discover`). A crawl
    that was stopped or killed continues with `--resume`."""
    check_db_path(db_path)
    if resume is not None:
        _resume(db_path, None if resume == "latest" else resume)
        return
    selected = _read_seeds(seeds, councils)
    from audit.core import db as dbmod
    from crawler.run import interrupted_hint

    hint = interrupted_hint(dbmod.connect(db_path)) if db_path.exists() else None
    if hint:
        click.echo(hint, err=True)
    _crawl(db_path, selected, max_pages, download_delay, timeout, ignore_robots, host_concurrency, workers)


def _resume(db_path, crawl_id: int | None) -> None:
    from audit.core import db as dbmod
    from crawler.progress import CrawlProgress
    from crawler.resume import ResumeError
    from crawler.run import crawl_summary, resume_crawl

    if not db_path.exists():
        raise click.ClickException(f"{db_path} does not exist: there is no crawl to resume")
    try:
        with CrawlProgress(db_path) as progress:
            crawl_id, tails = resume_crawl(db_path, crawl_id, on_start=progress.watch)
    except ResumeError as e:
        raise click.ClickException(str(e)) from None
    db = dbmod.connect(db_path)
    row = db["crawls"].get(crawl_id)
    times = row["resumed"]
    click.echo(f"crawl {crawl_id} resumed ({times} time{'s' if times != 1 else ''}): {row['status']} -> {db_path}")
    half = f" and {tails.half_written} half-written" if tails.half_written else ""
    click.echo(f"  cut from the WARC files' ends: {tails.records} whole{half} record(s) the interrupted run "
               "never committed (fetched again)")
    for line in crawl_summary(db, crawl_id):
        click.echo("  " + line)
    _fail_if_interrupted(db, crawl_id)


def _fail_if_interrupted(db, crawl_id: int) -> None:
    """A crawl that returned without finishing (one of its processes stopped early: killed,
    out of memory) exits non-zero with one line saying so, after its summary: a scheduled
    weekly crawl must not look complete when it is not."""
    if db["crawls"].get(crawl_id)["status"] == "interrupted":
        raise click.ClickException(f"crawl {crawl_id} did not finish: a crawl process stopped before the end "
                                   "(what it fetched is kept); `lo-audit crawl --resume` continues it")


@cli.command()
@click.option("--seeds", type=click.Path(path_type=Path), default=DEFAULT_SEEDS, show_default=True,
              help="Seeds / registry CSV (code,name,local_offer_url,council_url[,...]).")
@click.option("--council", "councils", multiple=True, metavar="CODE", help="Only this council (repeatable).")
@click.option("--download-delay", type=click.FloatRange(min=0), default=1.0, show_default=True, callback=finite,
              help="Seconds between requests to one host.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=20.0, show_default=True, callback=finite,
              help="Seconds one request may take.")
@db_option
def discover(seeds, councils, download_delay, timeout, db_path):
    """Look for each council's Local Offer from its website, as a parent would; crawl nothing.

    Every candidate and the choice go in the `discoveries` table (a crawl row with status
    `discovery`, never audited); one line per council says what was found and why."""
    from audit.core import db as dbmod
    from crawler.run import CrawlOptions, run_crawl

    check_db_path(db_path)
    selected = _read_seeds(seeds, councils)
    options = CrawlOptions(download_delay=download_delay, timeout=timeout, discover_only=True)
    crawl_id = run_crawl(db_path, selected, options)
    click.echo(f"discovery {crawl_id}: {len(selected)} councils -> {db_path}")
    db = dbmod.connect(db_path)
    for row in db.query(
        "SELECT s.council_code, c.name, c.local_offer_url, s.status, s.seed_url, s.reason FROM crawl_sites s "
        "JOIN councils c ON c.code = s.council_code WHERE s.crawl_id = ? ORDER BY s.council_code", [crawl_id]
    ):
        found = f"found {row['seed_url']}" if row["status"] == "found" else f"{row['status']}"
        registry = f" [registry: {row['local_offer_url'] or 'none'}]"
        click.echo(f"  {row['council_code']} {row['name']}: {found}{registry} ({row['reason']})")


def _read_seeds(seeds, councils):
    """The selected councils of a seeds file; its bad rows reported one line each on stderr."""
    from audit.core.registry import RegistryError, read_registry, select

    try:
        registry = read_registry(seeds)
        selected = select(registry, list(councils))
    except RegistryError as e:
        raise click.ClickException(str(e)) from None
    for problem in registry.problems:
        click.echo(f"warning: {seeds}: {problem}", err=True)
    if not selected:
        raise click.ClickException(f"{seeds}: no usable council rows")
    return selected


def _crawl(db_path, selected, max_pages, download_delay, timeout, ignore_robots, host_concurrency=1,
           workers=1) -> int:
    from audit.core import db as dbmod
    from crawler.progress import CrawlProgress
    from crawler.run import CrawlOptions, crawl_summary, run_crawl

    options = CrawlOptions(max_pages=max_pages, download_delay=download_delay, timeout=timeout,
                           ignore_robots=ignore_robots, host_concurrency=host_concurrency, workers=workers)
    with CrawlProgress(db_path) as progress:
        crawl_id = run_crawl(db_path, selected, options, on_start=progress.watch)
    click.echo(f"crawl {crawl_id}: {len(selected)} councils -> {db_path}")
    db = dbmod.connect(db_path)
    for line in crawl_summary(db, crawl_id):
        click.echo("  " + line)
    _fail_if_interrupted(db, crawl_id)
    return crawl_id


def parse_as_of(ctx, param, value):
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def audit_options(fn):
    fn = click.option("--as-of", callback=parse_as_of, metavar="YYYY-MM-DD",
                      help="Reference date for staleness (default: today), for reproducible audits.")(fn)
    fn = click.option("--stale-after-days", type=click.IntRange(min=1), default=365, show_default=True,
                      help="A page or document older than this at --as-of is stale.")(fn)
    return fn


def serve_options(fn):
    fn = click.option("--host", default="127.0.0.1", show_default=True, help="Address Datasette listens on.")(fn)
    fn = click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)(fn)
    return fn


DEMO_AXE_SAMPLE = 3
DEFAULT_AXE_SAMPLE = 10


@cli.command()
@db_option
@audit_options
@click.option("--axe-sample", type=click.IntRange(min=0), default=DEFAULT_AXE_SAMPLE, show_default=True,
              metavar="N", help="Also run axe-core in headless Chromium on each council's home, 16-25, contact "
              "and form pages and its N most-linked pages (archived HTML, no live fetches); 0 disables.")
@workers_option("Audit councils in this many processes (the audit is the same, written in one transaction).")
def audit(db_path, as_of, stale_after_days, axe_sample, workers):
    """Run every check over the latest crawl and write scores (a new audit; earlier ones are kept)."""
    check_db_path(db_path)
    if not db_path.exists():
        raise click.ClickException(f"{db_path} does not exist: run `lo-audit crawl --db {db_path}` first")
    _audit(db_path, as_of, stale_after_days, axe_sample, workers)


def _audit(db_path, as_of, stale_after_days, axe_sample: int | None = DEFAULT_AXE_SAMPLE, workers: int = 1) -> int:
    from audit.core import db as dbmod
    from audit.runner import AuditError, run_audit

    try:
        audit_id = run_audit(db_path, as_of, stale_after_days, axe_sample=axe_sample, workers=workers)
    except AuditError as e:
        raise click.ClickException(str(e)) from None
    db = dbmod.connect(db_path)
    click.echo(f"audit {audit_id} (as of {as_of.isoformat()}) -> {db_path}")
    for row in db.query("SELECT rank, council_code, council_name, score, send_space, crawl_status, not_assessed_reason "
                        "FROM council_scores WHERE audit_id = ? ORDER BY rank IS NULL, rank, council_name", [audit_id]):
        if row["score"] is None:
            click.echo(f"     not assessed  {row['council_code']} {row['council_name']}"
                       f" ({(row['not_assessed_reason'] or '').replace('_', ' ')})")
            continue
        click.echo(f"  {row['rank']:>3}. {row['score']:5.1f}  {row['council_code']} {row['council_name']}"
                   f" ({row['send_space']}, crawl {row['crawl_status']})")
    return audit_id


@cli.command()
@db_option
@serve_options
def serve(db_path, host, port):
    """Publish the database with Datasette: league table, report cards, methodology."""
    if not db_path.exists():
        raise click.ClickException(f"{db_path} does not exist: run `lo-audit crawl` and `lo-audit audit` first")
    check_db_path(db_path)
    from audit.serve import serve as run_datasette

    run_datasette(db_path, host=host, port=port)


@cli.command()
@crawl_options
@db_option
@audit_options
@serve_options
def run(seeds, councils, max_pages, download_delay, timeout, ignore_robots, host_concurrency, workers, db_path,
        as_of, stale_after_days, host, port):
    """Crawl + audit + serve over the full registry (needs internet)."""
    crawl.callback(seeds, councils, max_pages, download_delay, timeout, ignore_robots, host_concurrency, workers,
                   db_path)
    _audit(db_path, as_of, stale_after_days, workers=workers)
    serve.callback(db_path, host, port)


@cli.command()
@db_option
@click.option("--keep", type=click.IntRange(min=1), required=True, metavar="N",
              help="Keep the evidence of the crawls the N most recent complete audits were made from.")
@click.option("--dry-run", is_flag=True, help="Say what would be freed; change nothing.")
def prune(db_path, keep, dry_run):
    """Free the space of old crawls: their WARC files and per-page rows. Every audit's results
    are kept; so is everything the N most recent audits, a running audit and crawls not yet
    audited need."""
    from audit.prune import PruneError, prune as run_prune, report

    check_db_path(db_path)
    try:
        result = run_prune(db_path, keep, dry_run)
    except PruneError as e:
        raise click.ClickException(str(e)) from None
    for line in report(result, dry_run):
        click.echo(line)


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=PACKAGE_ROOT / "data" / "demo.db", show_default=True)
@serve_options
@click.option("--no-serve", is_flag=True, help="Stop after the audit instead of starting Datasette.")
@click.option("--as-of", callback=parse_as_of, metavar="YYYY-MM-DD", default="2026-11-23", show_default=True,
              help="Reference date (fixed so the demo's scores do not drift with the calendar).")
@click.option("--axe-sample", type=click.IntRange(min=0), default=DEMO_AXE_SAMPLE, show_default=True, metavar="N",
              help="axe-core on each council's home, 16-25, contact and form pages plus the N most-linked "
                   "(smaller than the audit's default so the demo stays under a minute; 0 disables).")
def demo(db_path, host, port, no_serve, as_of, axe_sample):
    """Offline: serve the bundled demo Local Offer sites on loopback, crawl, audit, then serve Datasette."""
    import os

    from audit.demo.web import DEMO_ROOT, DemoWeb
    from audit.core.registry import read_registry

    check_db_path(db_path)
    registry = read_registry(DEMO_ROOT / "councils.csv")
    with DemoWeb().start() as web:
        # The demo sites keep their own host names; the demo web answers as their proxy.
        for name in ("http_proxy", "HTTP_PROXY"):
            os.environ[name] = web.proxy_url
        for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            os.environ.pop(name, None)
        click.echo(f"demo web on {web.proxy_url} serving {len(registry.councils)} councils")
        _crawl(db_path, registry.councils, max_pages=5000, download_delay=0, timeout=10, ignore_robots=False)
    _audit(db_path, as_of, 365, axe_sample)
    if no_serve:
        return
    serve.callback(db_path, host, port)


@cli.command()
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--engine", type=click.Choice(["static", "axe"]), default="static", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def a11y(target, engine, as_json):
    """Accessibility check of one page (a file or an http(s) URL)."""
    import json as jsonlib

    from audit.a11y.page import A11yError, check_target

    try:
        result = check_target(target, engine)
    except A11yError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(jsonlib.dumps(result, indent=2))
        return
    click.echo(f"{result['url']} ({result['engine']}): {len(result['violations'])} rule(s) failing")
    for v in result["violations"]:
        click.echo(f"  {v['rule']} x{v['count']} ({v['impact']}): {', '.join(v['targets'][:5])}")


def main() -> NoReturn:
    """The ``lo-audit`` program: ``cli``, then the process ends at once (audit.core.process),
    with the exit status ``sys.exit`` would have given."""
    try:
        cli()
        code = 0
    except SystemExit as e:
        code = e.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    exit_now(code)


if __name__ == "__main__":  # pragma: no cover
    main()
