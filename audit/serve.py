"""Publish the database with Datasette 0.65.x and this project's configuration.

Everything Datasette needs lives in the ``datasette_config`` package:

* ``metadata.yml``   titles, licences, table/column descriptions, facets, canned queries
* ``templates/``     ``index.html`` (front page), ``council.html`` (report card),
                     ``pages/methodology.html`` (served at ``/methodology``), ``_lo_base.html``
* ``plugins/``       ``lo_audit.py``: the hooks registering the pages of ``published/`` (``/``,
                     ``/council/<code>``, ``/data-dictionary``) and the
                     template variables the pages need
* ``static/``        ``lo-audit.css``, mounted at ``/lo-audit-static/``

Datasette names a database after its file's stem (``data/localoffer.db`` ->
``localoffer``), and metadata.yml keys its descriptions and canned queries by database
name. metadata.yml is written for ``localoffer``; :func:`load_metadata` re-keys that
block to the stem of the file actually served, so the queries work for any file name
(``tests/.../sample.db`` -> ``/sample/league``). For the command line the re-keyed
metadata is written to a content-addressed temporary file
(``$TMPDIR/lo-audit-metadata-<stem>-<hash>.yml``); :func:`make_datasette` passes the
dict straight to ``Datasette(metadata=...)``.
"""

from __future__ import annotations

import copy
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import yaml

import datasette_config
from datasette_config.published.changes import feed_metadata
from audit.plugins import all_checks

CONFIG_DIR = Path(datasette_config.__file__).resolve().parent
METADATA_FILE = CONFIG_DIR / "metadata.yml"
TEMPLATES_DIR = CONFIG_DIR / "templates"
PLUGINS_DIR = CONFIG_DIR / "plugins"
STATIC_DIR = CONFIG_DIR / "static"
STATIC_MOUNT = "lo-audit-static"  # /lo-audit-static/lo-audit.css
TEMPLATE_DB_NAME = "localoffer"  # the key metadata.yml is written under

SETTINGS: dict[str, object] = {
    # report cards join findings with link checks and page audits: allow a few seconds
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 500,
}


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the database: its file's stem."""
    return Path(db_path).stem


def load_metadata(db_name: str = TEMPLATE_DB_NAME) -> dict:
    """metadata.yml with its ``databases: localoffer:`` block re-keyed to ``db_name``."""
    with METADATA_FILE.open(encoding="utf-8") as f:
        metadata = yaml.safe_load(f) or {}
    metadata = copy.deepcopy(metadata)
    add_check_metadata(metadata["databases"][TEMPLATE_DB_NAME])
    # the feeds' titles (datasette-atom reads them here); their SQL comes from the plugin
    metadata["databases"][TEMPLATE_DB_NAME]["queries"].update(feed_metadata())
    databases = metadata.get("databases") or {}
    if TEMPLATE_DB_NAME in databases and db_name != TEMPLATE_DB_NAME:
        block = databases.pop(TEMPLATE_DB_NAME)
        databases[db_name] = block
    metadata["databases"] = databases
    return metadata


# The columns the runner adds to every row of a check's own tables.
RUNNER_COLUMNS = {"audit_id": "The audit run.", "council_code": "ONS/GSS code of the council."}


def add_check_metadata(database: dict) -> None:
    """What each check declares about the data it writes, merged into the database's
    metadata: its ``council_scores`` columns (also shown in ``league_table``), the points
    column of its dimension, and its own tables and canned queries (``Check.metadata``).
    metadata.yml's own words win where both describe the same thing."""
    tables = database.setdefault("tables", {})
    queries = database.setdefault("queries", {})
    for name in ("council_scores", "league_table"):
        tables.setdefault(name, {}).setdefault("columns", {})
    declared_columns = {column.name: column.description for check in all_checks() for column in check.columns}
    # council_scores: the measurements before the score columns, as in the table itself;
    # league_table: columns beyond the published ones come last, as in the view.
    scores = tables["council_scores"]["columns"]
    keys = list(scores)
    before = keys.index("score") if "score" in keys else len(keys)
    merged = {k: scores[k] for k in keys[:before]}
    merged.update((k, scores.get(k, v)) for k, v in declared_columns.items())
    merged.update((k, scores[k]) for k in keys[before:])
    tables["council_scores"]["columns"] = merged
    for column, description in declared_columns.items():
        tables["league_table"]["columns"].setdefault(column, description)
    for check in all_checks():
        if check.dimension is not None:
            d = check.dimension
            tables["council_scores"]["columns"].setdefault(
                f"score_{d.key}", f"Points earned for {d.label} (out of {d.weight:g}).")
        declared = yaml.safe_load(check.metadata) if check.metadata else {}
        for name, table in (declared.get("tables") or {}).items():
            tables.setdefault(name, table)
            columns = tables[name].setdefault("columns", {})
            for column, description in RUNNER_COLUMNS.items():  # every check table has them
                columns.setdefault(column, description)
        for name, query in (declared.get("queries") or {}).items():
            queries.setdefault(name, query)


def write_metadata(db_name: str) -> Path:
    """Write the re-keyed metadata to a temporary file and return its path.

    The file name carries a hash of its content, so repeated start-ups reuse one file
    and two servers of different databases never overwrite each other's.
    """
    text = yaml.safe_dump(load_metadata(db_name), sort_keys=False, allow_unicode=True)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    safe_stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in db_name)[:60]
    path = Path(tempfile.gettempdir()) / f"lo-audit-metadata-{safe_stem}-{digest}.yml"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return path


def build_datasette_args(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """Arguments for the ``datasette`` command (without the program name).

    Run them as ``datasette *args`` or ``python -m datasette *args``. The metadata file
    they name is written as a side effect (see :func:`write_metadata`).
    """
    db_path = Path(db_path)
    metadata_path = write_metadata(database_name(db_path))
    args = [
        "serve",
        str(db_path),
        "--metadata", str(metadata_path),
        "--template-dir", str(TEMPLATES_DIR),
        "--plugins-dir", str(PLUGINS_DIR),
        "--static", f"{STATIC_MOUNT}:{STATIC_DIR}",
        "--host", str(host),
        "--port", str(int(port)),
    ]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def subprocess_env() -> dict[str, str]:
    """Environment for running ``python -m datasette`` in a child process: the project
    root on PYTHONPATH so the plugin can import ``audit.weights``."""
    env = dict(os.environ)
    root = str(CONFIG_DIR.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the database with Datasette until interrupted (Ctrl-C)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"database {db_path} does not exist")
    from datasette.cli import cli

    args = build_datasette_args(db_path, host, port)
    try:
        cli.main(args=args, prog_name="datasette", standalone_mode=False)
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:  # click may still exit on --help style paths
        if exc.code not in (0, None):
            raise


def make_datasette(db_path: str | Path):
    """A configured in-process :class:`datasette.app.Datasette` (for tests and scripts)."""
    from datasette.app import Datasette

    db_path = Path(db_path)
    return Datasette(
        files=[str(db_path)],
        metadata=load_metadata(database_name(db_path)),
        template_dir=str(TEMPLATES_DIR),
        plugins_dir=str(PLUGINS_DIR),
        static_mounts=[(STATIC_MOUNT, str(STATIC_DIR))],
        settings=dict(SETTINGS),
    )


if __name__ == "__main__":  # python -m audit.serve FILE.db [HOST] [PORT]
    serve(sys.argv[1], *(sys.argv[2:3] or ["127.0.0.1"]), *(int(p) for p in sys.argv[3:4]))
