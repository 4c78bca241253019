"""Chart geometry for the published pages: server-rendered SVG, no script, no CDN.

Each function returns a plain dict (sizes, bars, points, axis ticks, and a ``table``
holding the same numbers) that ``templates/_lo_charts.html`` draws. The geometry lives
here, not in the template, so it can be unit-tested and the template stays a dumb
renderer; all text is escaped by Jinja there, because labels (council names) come from
the registry and values may come from crawled sites.

Every chart carries its data as a table too: the SVG is one ``role="img"`` with a title
and a description, and the table is the accessible alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 190  # horizontal bar charts: room for a council name
BAR_AREA = 300
ROW_HEIGHT = 22
LABEL_CHARS = 28


@dataclass(frozen=True)
class Item:
    label: str
    value: float
    text: str  # the value as a reader should see it ("40%", "12")
    href: str = ""


def _short(label: str) -> str:
    """SVG text does not wrap: shorten long names (the table has them in full)."""
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 < value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def hbar_chart(chart_id: str, title: str, desc: str, items: list[Item], headers: tuple[str, str],
               max_value: float | None = None) -> dict:
    """One horizontal bar per item, label on the left and value at the bar's end."""
    top = max_value if max_value is not None else _nice_max(max((i.value for i in items), default=0))
    bars = []
    for n, item in enumerate(items):
        width = 0 if not top else round(BAR_AREA * max(item.value, 0) / top, 1)
        y = 8 + n * ROW_HEIGHT
        bars.append({"label": _short(item.label), "text": item.text, "y": y, "width": width,
                     "text_x": LABEL_WIDTH + width + 6, "mid": y + 11})
    return {
        "id": chart_id, "kind": "hbar", "title": title, "desc": desc,
        "width": LABEL_WIDTH + BAR_AREA + 70, "height": 16 + len(items) * ROW_HEIGHT,
        "x0": LABEL_WIDTH, "bars": bars,
        "table": {"headers": headers, "rows": [({"text": i.label, "href": i.href}, i.text) for i in items]},
    }


def histogram(chart_id: str, title: str, desc: str, values: list[float], headers: tuple[str, str],
              bins: int = 10, top: float = 100) -> dict:
    """Counts of ``values`` in equal bins over 0..top (the last bin includes ``top``)."""
    size = top / bins
    counts = [0] * bins
    for v in values:
        counts[min(int(max(v, 0) // size), bins - 1)] += 1
    names = [f"{round(i * size)}-{round((i + 1) * size) - (0 if i == bins - 1 else 1)}" for i in range(bins)]
    height, base, slot = 180, 200, 50
    peak = max(counts, default=0) or 1
    columns = []
    for i, (name, count) in enumerate(zip(names, counts)):
        h = round(height * count / peak, 1)
        columns.append({"x": 40 + i * slot, "w": slot - 8, "y": base - h, "h": h, "count": count,
                        "label": name, "mid": 40 + i * slot + (slot - 8) / 2})
    return {
        "id": chart_id, "kind": "histogram", "title": title, "desc": desc,
        "width": 40 + bins * slot + 10, "height": base + 40, "base": base, "columns": columns,
        "table": {"headers": headers, "rows": [(name, str(count)) for name, count in zip(names, counts)]},
    }


def line_chart(chart_id: str, title: str, desc: str, points: list[tuple[str, float | None]], top: float,
               small: bool = False) -> dict:
    """Values over audits (x: one step per audit, y: 0..top); missing values leave a gap."""
    width, height = (220, 90) if small else (560, 200)
    left, right, upper, lower = (30, 10, 10, 22) if small else (40, 20, 14, 30)
    plot_w, plot_h = width - left - right, height - upper - lower
    step = plot_w / (len(points) - 1) if len(points) > 1 else 0
    marks = []
    for i, (label, value) in enumerate(points):
        x = round(left + (i * step if len(points) > 1 else plot_w / 2), 1)
        y = None if value is None else round(upper + plot_h * (1 - min(max(value, 0), top) / top), 1)
        marks.append({"x": x, "y": y, "label": label, "value": value})
    drawn = [m for m in marks if m["y"] is not None]
    return {
        "id": chart_id, "kind": "line", "title": title, "desc": desc, "small": small,
        "width": width, "height": height, "left": left, "right": width - right, "top_y": upper,
        "base": upper + plot_h, "top": top, "marks": marks,
        "polyline": " ".join(f"{m['x']},{m['y']}" for m in drawn),
        "x_labels": _x_labels(marks, 2 if small else 6),
    }


def _x_labels(marks: list[dict], most: int) -> list[dict]:
    """At most ``most`` date labels, evenly picked, the outer ones kept inside the chart."""
    if not marks:
        return []
    every = max(1, -(-(len(marks) - 1) // max(most - 1, 1)))
    picked = marks[::every] if len(marks) > 1 else marks
    if picked[-1] is not marks[-1]:
        picked.append(marks[-1])
    labels = []
    for m in picked:
        anchor = "middle"
        if len(marks) > 1 and m is marks[0]:
            anchor = "start"
        elif len(marks) > 1 and m is marks[-1]:
            anchor = "end"
        labels.append({"x": m["x"], "label": m["label"], "anchor": anchor})
    return labels
