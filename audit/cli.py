"""The ``lo-audit`` command line: thin wrappers over the crawler, the audit and Datasette.

Every command exits 0 on success and non-zero with a one-line ``Error: ...`` on bad
input (no traceback). Broken or unreachable council sites are data, not errors.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from . import __version__

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = PACKAGE_ROOT / "data" / "councils.csv"
DEFAULT_DB = PACKAGE_ROOT / "data" / "localoffer.db"


def db_option(fn):
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
        show_default=True, help="SQLite database (WARC files go in a folder beside it).",
    )(fn)


def crawl_options(fn):
    fn = click.option("--seeds", type=click.Path(path_type=Path), default=DEFAULT_SEEDS, show_default=True,
                      help="Seeds / registry CSV (code,name,local_offer_url,council_url[,region,la_type,scope]).")(fn)
    fn = click.option("--council", "councils", multiple=True, metavar="CODE",
                      help="Only this council (repeatable).")(fn)
    fn = click.option("--max-pages", type=click.IntRange(min=1), default=5000, show_default=True,
                      help="Most pages and documents fetched per site.")(fn)
    fn = click.option("--download-delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
                      help="Seconds between requests to one host.")(fn)
    fn = click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=20.0, show_default=True,
                      help="Seconds one request may take, from connect to last byte.")(fn)
    fn = click.option("--ignore-robots", is_flag=True,
                      help="Ignore robots.txt (for a council auditing its own site).")(fn)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lo-audit")
def cli():
    """lo-audit: crawl, audit and publish English councils' SEND Local Offer websites."""


@cli.command()
@crawl_options
@db_option
def crawl(seeds, councils, max_pages, download_delay, timeout, ignore_robots, db_path):
    """Crawl the Local Offers listed in the seeds file into the database and WARC files."""
    from .registry import RegistryError, read_registry, select

    check_db_path(db_path)
    try:
        registry = read_registry(seeds)
        selected = select(registry, list(councils))
    except RegistryError as e:
        raise click.ClickException(str(e)) from None
    for problem in registry.problems:
        click.echo(f"warning: {seeds}: {problem}", err=True)
    if not selected:
        raise click.ClickException(f"{seeds}: no usable council rows")
    _crawl(db_path, selected, max_pages, download_delay, timeout, ignore_robots)


def _crawl(db_path, selected, max_pages, download_delay, timeout, ignore_robots) -> int:
    from audit import db as dbmod
    from crawler.run import CrawlOptions, crawl_summary, run_crawl

    options = CrawlOptions(max_pages=max_pages, download_delay=download_delay, timeout=timeout,
                           ignore_robots=ignore_robots)
    crawl_id = run_crawl(db_path, selected, options)
    click.echo(f"crawl {crawl_id}: {len(selected)} councils -> {db_path}")
    for line in crawl_summary(dbmod.connect(db_path), crawl_id):
        click.echo("  " + line)
    return crawl_id


def main():  # pragma: no cover - console entry point
    cli()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(cli())
