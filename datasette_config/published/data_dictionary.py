"""``/data-dictionary``: every table and column with its description (metadata.yml and the
checks' own declarations), CSV and JSON downloads and the licence, so the open data stands
on its own (``data_dictionary.html``)."""

from __future__ import annotations

from datasette.utils.asgi import Response

from datasette_config.published.common import database


async def dictionary_entries(datasette, db) -> list[dict]:
    """Every table and view with its description, columns and download links."""
    names = [(n, "table") for n in await db.table_names() if not n.startswith("sqlite_")]
    names += [(n, "view") for n in await db.view_names()]
    entries = []
    for name, kind in sorted(names):
        meta = datasette.table_metadata(db.name, name) or {}
        described = meta.get("columns") or {}
        base = datasette.urls.table(db.name, name)
        entries.append({
            "name": name, "kind": kind, "description": meta.get("description") or "",
            "columns": [(col, described.get(col) or "") for col in await db.table_columns(name)],
            "href": base,
            "csv": datasette.urls.table(db.name, name, format="csv") + "?_stream=on&_size=max",
            "json": datasette.urls.table(db.name, name, format="json") + "?_shape=array&_size=max",
        })
    return entries


async def data_dictionary(datasette, request):
    """``/data-dictionary``: every table and column, described from metadata.yml, with
    CSV and JSON downloads and the licence, so the open data stands on its own."""
    db = database(datasette)
    queries = await datasette.get_canned_queries(db.name, None)
    context = {
        "lo_tables": await dictionary_entries(datasette, db),
        "lo_queries": [{"name": name, "title": q.get("title") or name, "description": q.get("description") or "",
                        "href": datasette.urls.query(db.name, name),
                        "csv": datasette.urls.query(db.name, name, format="csv")}
                       for name, q in queries.items()],
        "metadata": datasette.metadata(),
    }
    html = await datasette.render_template("data_dictionary.html", context, request=request,
                                           view_name="lo_data_dictionary")
    return Response.html(html)
