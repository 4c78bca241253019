"""A site's template links stored once: the link graph's rows split into shared sets and a
page's own rows.

About half of a varied page's ~240 links are the site's menus, header and footer: the same
(target, tag, text, in-scope) rows on every page. Written per page they were much of the
crawl's SQLite time and most of the database (``link_edges``). So each site learns its
template, the rows common to its first pages, cut into *link sets* of SET_ROWS rows in the
order the links come on the page (``link_sets``, each written once), and a page names each
set whose rows it has exactly (``page_link_sets``) and writes only its other rows to
``link_edges``. The ``links`` view joins them back: a page's rows are the same as when every
row was written per page. Sets of a few rows rather than one set a template: a page that
differs from the template in one row (its own entry in the menu, marked as the current page)
loses one set, not all of them (on the 10,000-page varied web, 189 rows a page with one set,
150 with sets of 16).

Exact by construction: a page's rows are first reduced to one per target, the last link to
a target winning (what ``INSERT OR REPLACE`` into ``link_edges`` kept before); a set is used
only when each of its rows is one of the page's rows unchanged, and those targets are then
left out of the page's own rows, so no target is stored twice for a page (the sets of a
template have no target in common). A set's id is a hash of its rows, so another worker, a
re-run or a resumed crawl learning the same set writes the same rows again (an idempotent
upsert), and a process learning a different one is still exact.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque

Row = tuple[str | None, str | None, int | None]  # a link's (tag, text, in_scope), by its target
LEARN_PAGES = 3  # the template is the rows the last LEARN_PAGES pages of a site all have
SET_ROWS = 16  # rows a set: fewer, a page names more sets; more, a page differing in one row loses more
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
    little keeps looking), in link order, as sets of SET_ROWS rows by id."""

    def __init__(self) -> None:
        self.sets: dict[int, dict[str, Row]] | None = None
        self._recent: deque[dict[str, Row]] = deque(maxlen=LEARN_PAGES)

    def split(self, rows: dict[str, Row]) -> tuple[list[int], dict[str, Row]]:
        """The ids of the template's sets whose every row the page has exactly, and the
        page's other rows; ([], all its rows) while the template is being learned."""
        if self.sets is None:
            self._learn(rows)
            return [], rows
        named = [set_id for set_id, members in self.sets.items()
                 if all(rows.get(target) == row for target, row in members.items())]
        if not named:
            return [], rows
        shared = {target for set_id in named for target in self.sets[set_id]}
        return named, {target: row for target, row in rows.items() if target not in shared}

    def _learn(self, rows: dict[str, Row]) -> None:
        self._recent.append(rows)
        if len(self._recent) < LEARN_PAGES:
            return
        first, *others = self._recent
        common = [(target, row) for target, row in first.items() if all(o.get(target) == row for o in others)]
        if len(common) >= MIN_SET_ROWS:
            chunks = [dict(common[i:i + SET_ROWS]) for i in range(0, len(common), SET_ROWS)]
            self.sets = {set_id(chunk): chunk for chunk in chunks}
            self._recent.clear()
