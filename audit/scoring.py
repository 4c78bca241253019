"""Turn a council's measured figures into points per dimension, a score and a rank.

Pure functions; the weights and rules live in ``audit.weights`` and are what the
methodology page shows.
"""

from __future__ import annotations

from audit import weights as w


def dimension_points(m: dict) -> dict[str, float]:
    """Points earned per dimension from a council_scores row's measured columns."""
    pages = m.get("pages_crawled") or 0
    fresh = (m.get("dated_pages") or 0) - (m.get("stale_pages") or 0)
    points = {
        "freshness": w.WEIGHTS["freshness"] * fresh / pages if pages else 0.0,
        "links": 0.0,
        "accessibility": 0.0,
        "statutory": 0.0,
        "pfa": 0.0,
        "send_space": float(w.SEND_SPACE_POINTS.get(m.get("send_space") or "not_found", 0)),
        "features": 0.0,
    }
    if pages:
        checked = m.get("links_checked") or 0
        broken_share = (m.get("broken_links") or 0) / checked if checked else 0.0
        points["links"] = w.WEIGHTS["links"] * max(0.0, 1 - w.BROKEN_SHARE_PENALTY * broken_share)
        a11y_checked = m.get("a11y_pages_checked") or 0
        if a11y_checked:
            passing = a11y_checked - (m.get("a11y_pages_failing") or 0)
            points["accessibility"] = w.A11Y_PAGES_POINTS * passing / a11y_checked
        aids = [a for a in (m.get("a11y_features") or "").split(",") if a in w.A11Y_AIDS]
        points["accessibility"] += w.A11Y_AIDS_POINTS * len(set(aids)) / len(w.A11Y_AIDS)
        total = m.get("statutory_total") or 0
        if total:
            points["statutory"] = w.WEIGHTS["statutory"] * (m.get("statutory_found") or 0) / total
        if m.get("pfa_section"):
            clicks = m.get("pfa_clicks")
            extra = max(0, (clicks if clicks is not None else w.PFA_FREE_CLICKS) - w.PFA_FREE_CLICKS)
            points["pfa"] = float(max(w.PFA_MIN_POINTS, w.WEIGHTS["pfa"] - extra))
        per_feature = w.WEIGHTS["features"] / len(w.FEATURE_COLUMNS)
        points["features"] = per_feature * sum(1 for c in w.FEATURE_COLUMNS if m.get(c))
    return {k: round(v, 2) for k, v in points.items()}


def add_scores(rows: list[dict]) -> list[dict]:
    """Fill score, score_<dimension> and rank (1 = best; ties share a rank) in place."""
    for row in rows:
        points = dimension_points(row)
        for key, value in points.items():
            row[f"score_{key}"] = value
        row["score"] = round(sum(points.values()), 1)
    ordered = sorted(rows, key=lambda r: (-r["score"], r["council_name"] or "", r["council_code"]))
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    return ordered
