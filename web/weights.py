"""The result page's weight sliders: what they show, and the requirements they make.

The sliders give each criterion of a shortlist a whole weight from 0 to 100 (the shortlist's
weights, which sum to 1, times 100). The page's script re-ranks through ``POST /api/v1/rank`` as
they move; without JavaScript their form posts to ``/match/reweight``, which calls
:func:`reweighted` and shows the result.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from valleys.errors import TechValleyError

#: a slider's range
MAX_WEIGHT = 100


class WeightError(TechValleyError):
    """A slider's value that is not a weight (names the criterion and the value)."""


def sliders(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One slider per weighted criterion: ``column``, ``direction`` and ``value`` (0-100).

    >>> sliders({"weights": {"rent_mad_m2_month": 0.25, "airports_km": 0.75},
    ...          "criteria": [{"column": "airports_km", "direction": "cost"}]})[1]
    {'column': 'airports_km', 'direction': 'cost', 'value': 75}
    """
    directions = {str(c.get("column")): c.get("direction") for c in result.get("criteria") or []
                  if isinstance(c, Mapping)}
    out = []
    for column, weight in (result.get("weights") or {}).items():
        value = float(weight) if isinstance(weight, (int, float)) and math.isfinite(weight) else 0.0
        out.append({"column": str(column), "direction": directions.get(str(column)),
                    "value": int(round(MAX_WEIGHT * min(max(value, 0.0), 1.0)))})
    return out


def with_criteria(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` whose criteria are written out: its own, else its activity
    preset's (the ones the engine applied), so that new weights apply to them."""
    out = copy.deepcopy(dict(document))
    criteria = out.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        from matching import presets

        activity = out.get("activity")
        preset = presets.preset(activity) if isinstance(activity, str) and activity else None
        if preset is not None and preset.get("criteria"):
            out["criteria"] = copy.deepcopy(list(preset["criteria"]))
    return out


def reweighted(document: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with its criteria's weights taken from ``form`` (``w_<column>``: 0-100).

    The criteria are the shortlist's applied ones when the document has none of its own (an
    activity preset chose them): they are written out, so the weights apply to them. A
    criterion the form does not name keeps its weight.

    Raises
    ------
    WeightError
        A weight that is not a number from 0 to 100, or all weights 0.
    """
    out = with_criteria(document)
    given = out.get("criteria")
    criteria = given if isinstance(given, list) else []
    problems = []
    total = 0.0
    for crit in criteria:
        if not isinstance(crit, dict):
            continue
        key = f"w_{crit.get('column')}"
        if key not in form:
            total += float(crit.get("weight") or 0) if isinstance(crit.get("weight"), (int, float)) else 0
            continue
        raw = str(form[key]).strip()
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
            problems.append(f"weight of {crit.get('column')}: {raw!r} is not a number from 0 to {MAX_WEIGHT}")
            continue
        crit["weight"] = value
        total += value
    if problems:
        raise WeightError("; ".join(problems))
    if total <= 0:
        raise WeightError("at least one criterion needs a weight above 0")
    out["criteria"] = criteria
    out.pop("ahp", None)  # the sliders' weights replace a pairwise matrix
    return out
