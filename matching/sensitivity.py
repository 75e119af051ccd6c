"""How far can one weight move before another zone comes first? Weight sensitivity intervals.

For each criterion ``j`` of a ranking, the weight ``t`` of ``j`` is moved over ``[0, 1]`` with
the other weights rescaled proportionally, ``w_i(t) = w_i (1 - t) / (1 - w_j)``, so that they
still sum to 1 and keep their ratios (when ``w_j`` is 1, the others share ``1 - t`` equally).
The interval ``[lower, upper]`` around the current weight over which the zone ranked first stays
first (ties share first place, as the ranks do), and the zone that comes first just below
``lower`` and just above ``upper``, are the "weight stability intervals" of one-at-a-time
sensitivity analysis (Triantaphyllou and Sánchez 1997, *A sensitivity analysis approach for
some deterministic multi-criteria decision-making methods*, Decision Sciences 28(1); the
"sensitivity" view of Expert Choice and Decision Lens).

The scores are the engine's own: every weight vector is scored by
:func:`matching.robustness.batch_scores` on the matrix, directions, method and normalisation
that :func:`matching.shortlist.make_shortlist` scores with (its rows equal
:func:`matching.topsis` and :func:`matching.weighted_sum`), so the intervals stay true whatever
the values fed to the scoring. No closed form is assumed: the weight is bracketed on a grid of
:data:`GRID_STEPS` steps over ``[0, 1]`` walking out from the current weight, then each
boundary is narrowed (:data:`SECTIONS` parts per round, :data:`REFINEMENTS` rounds: to 1.5e-7,
a bisection done 16 points at a time). For the weighted sum the scores are linear in ``t`` and
the set where a zone is first is one interval, so the result is exact to that precision; for
TOPSIS it is the interval holding the current weight (a change of leader narrower than a grid
step, 0.01, could go unseen).

Examples
--------
Two zones, two benefit criteria, weighted sum with min-max values: A = (1, 0), B = (0, 1).
With weights (0.6, 0.4), A scores 0.6 and B 0.4; A stays first while the first weight is at
least 0.5, and B takes over below:

>>> rows = weight_intervals([[1.0, 0.0], [0.0, 1.0]], [0.6, 0.4], [True, True], top=0,
...                         method="weighted_sum", normalization="minmax")
>>> [(round(r.lower, 6), round(r.upper, 6), r.below, r.above) for r in rows]
[(0.5, 1.0, 1, None), (0.0, 0.5, None, 1)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from matching.mcda import Normalization
from matching.messages import Message, message
from matching.robustness import TIE_DECIMALS, Method, batch_scores

__all__ = ["GRID_STEPS", "REFINEMENTS", "SECTIONS", "Interval", "sensitivity",
           "weight_intervals"]

#: Steps of the grid over [0, 1] on which each weight is first bracketed.
GRID_STEPS: int = 100
#: Each bracket is then cut in this many parts per round, for this many rounds (a grid step
#: of 0.01 cut 16 ways 4 times: 1.5e-7), every criterion's brackets scored in one batch.
SECTIONS: int = 16
REFINEMENTS: int = 4
#: Most (weight vector, zone) scores computed at once.
_CHUNK_ELEMENTS: int = 1_000_000


class Interval(NamedTuple):
    """One criterion's interval: its weight, the bounds, and the zone (its position in the
    matrix) first just below ``lower`` and just above ``upper`` (``None`` at 0 or 1)."""

    weight: float
    lower: float
    upper: float
    below: int | None
    above: int | None


def _shares(weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Row ``j``: the other criteria's shares of what criterion ``j`` leaves (0 at ``j``)."""
    n = weights.size
    shares = np.tile(weights, (n, 1))
    np.fill_diagonal(shares, 0.0)
    totals = shares.sum(axis=1, keepdims=True)
    equal = (np.ones((n, n)) - np.eye(n)) / max(n - 1, 1)  # w_j = 1: the others alike
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, shares / np.where(totals > 0, totals, 1.0), equal)


def _rows(shares: NDArray[np.float64], j: NDArray[np.int64],
          t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weight vectors with criterion ``j[k]`` at ``t[k]``, the others rescaled proportionally."""
    rows = shares[j] * (1.0 - t)[:, None]
    rows[np.arange(j.size), j] = t
    return rows


def _scores(matrix: NDArray[np.float64], rows: NDArray[np.float64], benefit: NDArray[np.bool_],
            method: Method, normalization: Normalization) -> NDArray[np.float64]:
    chunk = max(1, _CHUNK_ELEMENTS // max(matrix.shape[0], 1))
    parts = [batch_scores(matrix, rows[start:start + chunk], benefit, method=method,
                          normalization=normalization)
             for start in range(0, rows.shape[0], chunk)]
    return np.vstack(parts) if parts else np.empty((0, matrix.shape[0]))


def _leader(scores: NDArray[np.float64], top: int) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Per row: is ``top`` first (ties share first place), and the first of the others."""
    rounded = np.round(np.nan_to_num(scores, nan=-np.inf), TIE_DECIMALS)
    others = rounded.copy()
    others[:, top] = -np.inf
    best_other = np.argmax(others, axis=1)  # the earliest of equals, as ranks keep input order
    first = rounded[:, top] >= others[np.arange(len(others)), best_other]
    return first, best_other.astype(np.int64)


def weight_intervals(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    *,
    top: int,
    method: Method = "topsis",
    normalization: Normalization = "vector",
) -> list[Interval]:
    """Per criterion, the weight interval over which zone ``top`` stays first (pure numpy).

    Parameters
    ----------
    matrix : array_like, shape (n_sites, n_criteria)
        The values scored (as :func:`matching.topsis` takes them).
    weights : array_like, shape (n_criteria,)
        Non-negative, not all 0 (normalised to sum to 1 here).
    benefit : array_like of bool, shape (n_criteria,)
    top
        Position of the zone ranked first.
    method, normalization
        As for :func:`matching.robustness.batch_scores`.

    Returns
    -------
    list of Interval
        One per criterion, in order. With one criterion its weight cannot move (the weights
        sum to 1): the interval is [0, 1] with nobody taking over.
    """
    values = np.asarray(matrix, dtype=float)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    is_benefit = np.asarray(benefit, dtype=bool)
    n = w.size
    if n < 2:
        return [Interval(float(w[0]) if n else 1.0, 0.0, 1.0, None, None)] * n
    grid = np.linspace(0.0, 1.0, GRID_STEPS + 1)
    shares = _shares(w)
    # one batch for every criterion's grid: rows j * (GRID_STEPS + 1) + g
    rows = _rows(shares, np.repeat(np.arange(n), grid.size), np.tile(grid, n))
    first, _ = _leader(_scores(values, rows, is_benefit, method, normalization), top)
    first = first.reshape(n, GRID_STEPS + 1)
    # brackets (inside: top first, outside: top not first), per criterion and side
    inside = np.empty((n, 2))
    outside = np.full((n, 2), np.nan)
    for j in range(n):
        here = w[j]
        # the top zone is first at ``here`` (it is ranked first): each bracket runs from the
        # nearest grid point where it is not, to the next one towards ``here`` (or ``here``)
        below = np.flatnonzero(~first[j] & (grid < here))
        above = np.flatnonzero(~first[j] & (grid > here))
        inside[j, 0], inside[j, 1] = 0.0, 1.0
        if below.size:
            outside[j, 0] = grid[below[-1]]
            inside[j, 0] = min(grid[below[-1] + 1], here)
        if above.size:
            outside[j, 1] = grid[above[0]]
            inside[j, 1] = max(grid[above[0] - 1], here)
    open_side = ~np.isnan(outside)
    criterion = np.repeat(np.arange(n)[:, None], 2, axis=1)[open_side]
    good, bad = inside[open_side], outside[open_side]
    taker = np.zeros(good.size, dtype=np.int64)
    if good.size:
        # each round splits every bracket in SECTIONS parts at once, keeping the part where
        # first place is lost nearest the inside end
        fractions = np.arange(1, SECTIONS) / SECTIONS
        for _ in range(REFINEMENTS):
            points = good[:, None] + (bad - good)[:, None] * fractions[None, :]
            is_first, _ = _leader(_scores(values, _rows(
                shares, np.repeat(criterion, fractions.size), points.ravel()), is_benefit,
                method, normalization), top)
            lost = ~is_first.reshape(points.shape)
            any_lost = lost.any(axis=1)
            k = np.where(any_lost, np.argmax(lost, axis=1), fractions.size)
            rows_ = np.arange(good.size)
            new_bad = np.where(any_lost, points[rows_, np.minimum(k, fractions.size - 1)], bad)
            good = np.where(k > 0, points[rows_, np.maximum(k - 1, 0)], good)
            bad = new_bad
        _, taker = _leader(_scores(values, _rows(shares, criterion, bad), is_benefit, method,
                                   normalization), top)
    bounds = inside.copy()
    bounds[open_side] = good
    takers = np.full((n, 2), -1, dtype=np.int64)
    takers[open_side] = taker
    return [
        Interval(float(w[j]), float(bounds[j, 0]), float(bounds[j, 1]),
                 int(takers[j, 0]) if takers[j, 0] >= 0 else None,
                 int(takers[j, 1]) if takers[j, 1] >= 0 else None)
        for j in range(n)
    ]


def _quoted(bound: float, *, up: bool) -> float:
    """The bound as the sentence quotes it: two decimals, rounded away from the interval (so
    that "more than 0.42" holds), more decimals where two would say 0 or 1."""
    for digits in (2, 3, 4, 6):
        scale = 10.0 ** digits
        quoted = (math.ceil(bound * scale - 1e-9) if up
                  else math.floor(bound * scale + 1e-9)) / scale
        if 0.0 < quoted < 1.0:
            return quoted
    return round(bound, 6)


def sensitivity(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    *,
    columns: Sequence[str],
    zone_ids: Sequence[str],
    zone_names: Sequence[Any],
    top: int,
    method: Method = "topsis",
    normalization: Normalization = "vector",
) -> list[dict[str, Any]]:
    """The shortlist's ``sensitivity``: per criterion, its interval with the zones and sentences.

    Parameters
    ----------
    matrix, weights, benefit, top, method, normalization
        As for :func:`weight_intervals` (the ranked zones, in the shortlist engine's order).
    columns
        The criteria's column ids.
    zone_ids, zone_names
        Of the zones of the matrix's rows (a name ``None`` is shown by the id).

    Returns
    -------
    list of dict
        ``{"criterion", "weight", "lower", "upper", "below_zone", "above_zone", "messages"}``;
        ``below_zone`` / ``above_zone`` are zone ids or ``None``; ``messages`` say it in words
        (``sensitivity.below``, ``sensitivity.above``, or ``sensitivity.stable``).

    Examples
    --------
    >>> rows = sensitivity([[1.0, 0.0], [0.0, 1.0]], [0.6, 0.4], [True, True],
    ...                    columns=["labour", "rent"], zone_ids=["a", "b"],
    ...                    zone_names=["Alpha", "Beta"], top=0, method="weighted_sum",
    ...                    normalization="minmax")
    >>> [m["text"] for m in rows[0]["messages"]]
    ['Beta would come first if labour weighed less than 0.5']
    """
    if len(zone_ids) != np.asarray(matrix).shape[0]:
        raise ValueError("sensitivity: one zone id per row of the matrix")

    def name(k: int) -> str:
        return str(zone_names[k]) if zone_names[k] is not None else str(zone_ids[k])

    out: list[dict[str, Any]] = []
    intervals = weight_intervals(matrix, weights, benefit, top=top, method=method,
                                 normalization=normalization)
    for column, row in zip(columns, intervals, strict=True):
        said: list[Message] = []
        if row.below is not None:
            said.append(message("sensitivity.below", name=name(row.below), column=column,
                                weight=_quoted(row.lower, up=False)))
        if row.above is not None:
            said.append(message("sensitivity.above", name=name(row.above), column=column,
                                weight=_quoted(row.upper, up=True)))
        if not said:
            said.append(message("sensitivity.stable", name=name(top), column=column))
        out.append({
            "criterion": column, "weight": row.weight, "lower": row.lower, "upper": row.upper,
            "below_zone": str(zone_ids[row.below]) if row.below is not None else None,
            "above_zone": str(zone_ids[row.above]) if row.above is not None else None,
            "messages": [m.as_json() for m in said],
        })
    return out
