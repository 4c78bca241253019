"""lo-audit's published pages, as a Datasette 0.65 plugin (loaded with --plugins-dir): the
hooks only. Each page is a module of ``datasette_config.published``:

* ``/``                ``front_page``: the league table of the latest complete audit
* ``/council/<code>``  ``report_card``: a council's report card
* ``/data-dictionary`` ``data_dictionary``: every table and column, with downloads
* ``/accessibility``   ``accessibility``: the national accessibility report (and a council's part)
* ``/methodology``     a Datasette custom page (``templates/pages/methodology.html``) whose
                       data comes from ``methodology`` through :func:`extra_template_vars`
* ``/<db>/changes_feed.atom``, ``/<db>/council_changes_feed.atom?council_code=``: the Atom
                       feeds of what changed (``changes``), canned queries rendered by the
                       datasette-atom plugin, their SQL functions registered on every connection

Routes are registered before Datasette's own, so ``/`` is ours; ``/.json`` and everything
under ``/<database>/`` stay Datasette's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from datasette import hookimpl

try:
    import audit  # noqa: F401  (the project is importable: nothing to do)
except ImportError:  # plugins-dir module run without the project on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from datasette_config.published import (accessibility, changes, data_dictionary, front_page, methodology,
                                       report_card)
from datasette_config.published.common import fmt_weight, safe_href


@hookimpl
def register_routes():
    return [
        (r"^/$", front_page.front_page),
        (r"^/council/(?P<code>[^/]+)$", report_card.council_page),
        (r"^/data-dictionary$", data_dictionary.data_dictionary),
        (r"^/accessibility$", accessibility.accessibility_page),
    ]


@hookimpl
def prepare_connection(conn):
    changes.register_functions(conn)


@hookimpl
def canned_queries(datasette, database):
    async def feeds():
        return await changes.feed_queries(datasette, database)

    return feeds


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["lo_href"] = safe_href
    env.filters["lo_weight"] = fmt_weight


@hookimpl
def extra_template_vars(datasette, template):
    """Data the methodology page (and the shared base template) needs. Only the
    methodology page pays for the query behind ``lo_published``."""
    context = methodology.static_template_vars(datasette)
    if template != "pages/methodology.html" or not context["lo_db_name"]:
        return context

    async def with_published():
        context["lo_published"] = await methodology.reproduction(datasette.get_database())
        return context

    return with_published
