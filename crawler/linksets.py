"""A site's template links stored once: the link graph's rows split into a shared set and a
page's own rows.

About 200 of a varied page's ~240 links are the site's menus, header and footer: the same
(target, tag, text, in-scope) rows on every page. Written per page they were most of the
crawl's SQLite time and most of the database (``link_edges``). So each site learns its
template, the rows common to its first pages, as a *link set* (``link_sets``, written once),
and a page that has every row of it exactly names the set (``page_link_sets``) and writes
only its other rows to ``link_edges``. The ``links`` view joins them back: a page's rows are
the same as when every row was written per page.

Exact by construction: a page's rows are first reduced to one per target, the last link to
a target winning (what ``INSERT OR REPLACE`` into ``link_edges`` kept before); a set is used
only when each of its rows is one of the page's rows unchanged, and those targets are then
left out of the page's own rows, so no target is stored twice for a page. A page that
differs from the template in any of its rows (a menu link missing, or its text changed by a
later link to the same target) is written whole, as before. The set's id is a hash of its
rows, so another worker, a re-run or a resumed crawl learning the same set writes the same
rows again (an idempotent upsert), and a process learning a different one is still exact.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque

Row = tuple[str | None, str | None, int | None]  # a link's (tag, text, in_scope), by its target
LEARN_PAGES = 3  # the template is the rows the last LEARN_PAGES pages of a site all have
MIN_SET_ROWS = 2  # a set costs a page one row: smaller, it saves nothing


def page_rows(links: list[tuple[str, str | None, str | None, int | None]]) -> dict[str, Row]:
    """A page's links (target, tag, text, in_scope) as its rows in the link graph: one per
    target, the last link to it winning."""
    return {target: (tag, text, scope_ok) for target, tag, text, scope_ok in links}


def set_id(rows: dict[str, Row]) -> int:
    """A 63-bit id (a positive SQLite integer) made of the set's rows: the same rows, the same id."""
    digest = hashlib.blake2b(json.dumps(sorted(rows.items())).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


class Template:
    """One site's template, learned from its first pages and then fixed: while unknown, the
    rows every one of the last LEARN_PAGES pages has (a site whose first pages share too
    little keeps looking)."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] | None = None
        self.id = 0
        self._recent: deque[dict[str, Row]] = deque(maxlen=LEARN_PAGES)

    def split(self, rows: dict[str, Row]) -> tuple[int | None, dict[str, Row]]:
        """(the set's id, the page's own rows) when the page has every template row
        exactly; (None, all its rows) otherwise, or while the template is being learned."""
        if self.rows is None:
            self._learn(rows)
            return None, rows
        if any(rows.get(target) != row for target, row in self.rows.items()):
            return None, rows
        return self.id, {target: row for target, row in rows.items() if target not in self.rows}

    def _learn(self, rows: dict[str, Row]) -> None:
        self._recent.append(rows)
        if len(self._recent) < LEARN_PAGES:
            return
        first, *others = self._recent
        common = {target: row for target, row in first.items() if all(o.get(target) == row for o in others)}
        if len(common) >= MIN_SET_ROWS:
            self.rows, self.id = common, set_id(common)
            self._recent.clear()
