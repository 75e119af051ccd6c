"""Why a ranked zone scores what it does: per-criterion contributions, the strongest and
weakest criterion in words, and the warnings about criteria that cannot separate the zones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.mcda import Normalization, normalize, topsis_components, weighted_sum
from matching.messages import Message, message
from matching.units import unit_of
from matching.values import ValueSpec

__all__ = ["no_variance", "saturated_thresholds", "score", "strong_weak_words", "unfit_for_sum"]


def no_variance(matrix: np.ndarray, columns: Sequence[str]) -> list[Message]:
    if matrix.shape[0] < 2:
        return []
    return [
        message("warning.criterion_no_variance", column=column, value=float(matrix[0, j]),
                unit=unit_of(column))
        for j, column in enumerate(columns) if np.ptp(matrix[:, j]) == 0
    ]


def saturated_thresholds(matrix: np.ndarray, values: np.ndarray, specs: Sequence[ValueSpec],
                         columns: Sequence[str]) -> list[Message]:
    """A ``threshold`` criterion whose raw values vary over the ranked zones but whose values
    do not: every zone past the target (all 1) or beyond the floor (all 0). Its weight then
    moves nothing, which an officer moving a slider should be told."""
    if matrix.shape[0] < 2:
        return []
    out = []
    for j, (spec, column) in enumerate(zip(specs, columns, strict=True)):
        if spec.kind != "threshold" or np.ptp(matrix[:, j]) == 0 or np.ptp(values[:, j]) != 0:
            continue  # not a threshold, or said already (no variance), or it separates zones
        unit = unit_of(column)
        if values[0, j] >= 1:
            out.append(message("warning.threshold_all_full", column=column,
                               target=spec.target, unit=unit))
        else:
            out.append(message("warning.threshold_all_worthless", column=column,
                               floor=spec.floor, unit=unit))
    return out


def unfit_for_sum(matrix: np.ndarray, columns: Sequence[str]) -> list[Message]:
    """Sum normalisation divides by the column's sum: meaningless with signs mixed, void at 0."""
    out = []
    for j, column in enumerate(columns):
        values = matrix[:, j]
        if np.ptp(values) == 0:
            continue  # said already: no variance
        if values.sum() == 0:
            out.append(message("warning.sum_of_zero", column=column))
        elif values.min() < 0 < values.max():
            out.append(message("warning.sum_of_mixed_signs", column=column))
    return out


def strong_weak_words(columns: Sequence[str], row: np.ndarray, strong: int | None,
                       weak: int | None) -> list[Message]:
    words = []
    if strong is not None:
        words.append(message("criterion.strongest", column=columns[strong],
                             value=float(row[strong]), unit=unit_of(columns[strong])))
    if weak is not None and weak != strong:
        words.append(message("criterion.weakest", column=columns[weak], value=float(row[weak]),
                             unit=unit_of(columns[weak])))
    return words


def score(
    matrix: np.ndarray, weights: np.ndarray, benefit: np.ndarray, method: str,
    normalization: Normalization,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None, list[tuple]]:
    """Scores, per-criterion contributions, TOPSIS distance shares and (strongest, weakest)."""
    n_sites, n_criteria = matrix.shape
    if method == "weighted_sum":
        scores = weighted_sum(matrix, weights, benefit, normalization)
        normalised = normalize(matrix, benefit, normalization)
        if normalization != "minmax":
            normalised = normalised * np.where(benefit, 1.0, -1.0)
        unit = weights / weights.sum()
        contributions = normalised * unit  # rows add up to the score
        shortfall = (normalised.max(axis=0) - normalised) * unit
        strong_weak = [
            (int(np.argmax(contributions[k])) if contributions[k].max() > 0 else None,
             int(np.argmax(shortfall[k])) if shortfall[k].max() > 0 else None)
            for k in range(n_sites)
        ]
        return scores, contributions, None, strong_weak
    scores, plus_parts, minus_parts = topsis_components(matrix, weights, benefit, normalization)
    unit = weights / weights.sum() if weights.sum() > 0 else np.full(n_criteria, 1 / n_criteria)
    plus_total = plus_parts.sum(axis=1, keepdims=True)
    minus_total = minus_parts.sum(axis=1, keepdims=True)
    # A share of a zero distance (the zone is at that ideal point, or no criterion varies) is
    # the criterion's weight share, so that the shares always add up to 1.
    to_ideal = _shares(plus_parts, unit)
    to_anti = _shares(minus_parts, unit)
    # The score split in proportion to each criterion's weighted distance from the anti-ideal
    # |w_j (r_ij - a-_j)| (what keeps the zone away from the worst), not its square: a part
    # then grows with the weight, not with its square, and a weight means the swing its
    # criterion is worth. The parts add up to the score (0.5 split by weight when no
    # criterion varies).
    contributions = scores[:, None] * _shares(np.sqrt(minus_parts), unit)
    strong_weak = [
        (int(np.argmax(minus_parts[k])) if minus_total[k, 0] > 0 else None,
         int(np.argmax(plus_parts[k])) if plus_total[k, 0] > 0 else None)
        for k in range(n_sites)
    ]
    return scores, contributions, (to_ideal, to_anti), strong_weak


def _shares(parts: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Each row of ``parts`` divided by its sum; a row summing to 0 gets ``unit``."""
    total = parts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, parts / np.where(total > 0, total, 1.0), unit)
