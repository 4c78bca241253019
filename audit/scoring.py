"""Turn a council's measured figures into points per dimension, a score and a rank.

Pure functions. Each check with a dimension says how its points are earned
(``Check.points`` reads the ``council_scores`` row it and the other checks wrote); this
module only adds them up and ranks. The methodology page renders the same dimensions.
"""

from __future__ import annotations

from audit.plugins import all_checks


def dimension_points(row: dict, checks=None) -> dict[str, float]:
    """Points earned per dimension from a council_scores row's measured columns."""
    checks = all_checks() if checks is None else checks
    return {check.dimension.key: round(check.points(row), 2) for check in checks if check.dimension is not None}


def add_scores(rows: list[dict], checks=None) -> list[dict]:
    """Fill score, score_<dimension> and rank (1 = best; ties share a rank) in place, for
    the councils that were assessed; a council that was not (``assessed`` = 0) keeps them
    NULL and comes after every ranked one. The built-in weights add up to 100; a plugin's
    dimension adds to that and the total is scaled back to 0-100."""
    checks = all_checks() if checks is None else checks
    total_weight = sum(check.dimension.weight for check in checks if check.dimension is not None)
    for row in rows:
        if row.get("assessed", 1) == 0:
            row.update({f"score_{c.dimension.key}": None for c in checks if c.dimension is not None},
                       score=None, rank=None)
            continue
        points = dimension_points(row, checks)
        for key, value in points.items():
            row[f"score_{key}"] = value
        score = sum(points.values())
        row["score"] = round(score if total_weight == 100 else score * 100 / total_weight, 1)
    ranked = sorted((r for r in rows if r["score"] is not None),
                    key=lambda r: (-r["score"], r["council_name"] or "", r["council_code"]))
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    not_assessed = sorted((r for r in rows if r["score"] is None), key=lambda r: (r["council_name"] or "", r["council_code"]))
    return ranked + not_assessed
