"""Value functions: each criterion's column turned into a 0-1 value before weighting.

A weight then means the worth of moving from the worst to the best ranked zone on its
criterion (a *swing weight*, Keeney and Raiffa 1976; Belton and Stewart 2002, ch. 5), not a
share of whatever scale the column happens to use: a count of 1.7 million workers no longer
outweighs a share between 40% and 60%. Four value functions:

- ``linear``: (x - worst) / (best - worst) over the zones being ranked (the swing);
- ``log``: the same on log(x), for counts spanning orders of magnitude (a catchment
  population); needs positive values;
- ``threshold``: 0 beyond ``floor``, 1 past ``target``, linear between. For a benefit the
  floor is below the target (literacy: 0 under 40%, full from 60%); for a cost the floor is
  the worst acceptable value, above the target (an airport within 30 km is as good as one at
  5 km: ``target: 30``; beyond ``floor: 150`` km it is worth nothing). The value does not
  depend on the other zones;
- ``none``: the column is already a 0-1 value (1 best for a benefit; a cost gives 1 - x).

Every value is 1 for the best, whatever the criterion's direction, so the numeric core scores
the value matrix with every criterion a benefit and normalisation ``none``
(:func:`matching.mcda.topsis`, :func:`matching.mcda.weighted_sum`; their signatures do not
change). A column that does not vary over the zones gets value 0 with ``linear`` and ``log``
(it cannot tell the zones apart and adds nothing to any score).

The pure functions (:func:`linear`, :func:`logarithmic`, :func:`threshold`, :func:`identity`,
:func:`value_matrix`, :func:`core_inputs`) trust their input; :func:`check_matrix` is the thin
validating layer that refuses, naming the column, what they cannot value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from matching import mcda
from matching.errors import RequirementsError

__all__ = [
    "VALUE_FUNCTIONS",
    "ValueSpec",
    "check_matrix",
    "core_inputs",
    "identity",
    "linear",
    "logarithmic",
    "spec_of",
    "threshold",
    "topsis_of_values",
    "value_matrix",
]

ValueFunction = Literal["linear", "log", "threshold", "none"]

#: The value functions a criterion may name (``value:``).
VALUE_FUNCTIONS: tuple[str, ...] = ("linear", "log", "threshold", "none")


@dataclass(frozen=True)
class ValueSpec:
    """How one criterion's column becomes a value: the function, the direction and, for
    ``threshold``, the ``floor`` (worthless beyond) and the ``target`` (full value past)."""

    kind: ValueFunction = "linear"
    benefit: bool = True
    floor: float | None = None
    target: float | None = None


class _Criterion(Protocol):
    @property
    def direction(self) -> str: ...
    @property
    def value(self) -> str | None: ...
    @property
    def floor(self) -> float | None: ...
    @property
    def target(self) -> float | None: ...


def spec_of(criterion: _Criterion) -> ValueSpec:
    """The :class:`ValueSpec` of a criterion (:class:`matching.requirements.Criterion`): its
    ``value`` (default ``linear``), direction, floor and target."""
    kind = criterion.value or "linear"
    if kind not in VALUE_FUNCTIONS:
        raise ValueError(f"unknown value function {kind!r}; expected one of {VALUE_FUNCTIONS}")
    return ValueSpec(kind, criterion.direction == "benefit",  # type: ignore[arg-type]
                     criterion.floor, criterion.target)


def linear(values: ArrayLike, *, benefit: bool = True) -> NDArray[np.float64]:
    """(x - worst) / (best - worst) over the values given; 0 everywhere when they are equal.

    Examples
    --------
    >>> linear([10.0, 20.0, 30.0]).tolist(), linear([10.0, 20.0, 30.0], benefit=False).tolist()
    ([0.0, 0.5, 1.0], [1.0, 0.5, 0.0])
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return x.copy()
    low, high = x.min(axis=0), x.max(axis=0)
    with np.errstate(over="ignore"):
        span = high - low
    if not np.isfinite(span):  # |x| near 1e308: scale down first (a ratio is unchanged)
        largest = max(abs(low), abs(high))
        return linear(x / largest, benefit=benefit)
    if span <= 0:
        return np.zeros_like(x)
    out = (x - low) / span if benefit else (high - x) / span
    return np.clip(out, 0.0, 1.0, out=out)  # rounding may step past 1 by an ulp


def logarithmic(values: ArrayLike, *, benefit: bool = True) -> NDArray[np.float64]:
    """:func:`linear` on log(x): equal ratios give equal steps. Values must be > 0.

    Examples
    --------
    >>> logarithmic([1_000.0, 10_000.0, 100_000.0]).round(6).tolist()
    [0.0, 0.5, 1.0]
    """
    return linear(np.log(np.asarray(values, dtype=np.float64)), benefit=benefit)


def threshold(values: ArrayLike, *, floor: float, target: float) -> NDArray[np.float64]:
    """0 at and beyond ``floor``, 1 at and past ``target``, linear between.

    The direction is in the order of the two: ``floor < target`` for a benefit, ``floor >
    target`` for a cost (the floor is then the worst acceptable value).

    Examples
    --------
    >>> threshold([20.0, 50.0, 70.0], floor=40, target=60).tolist()
    [0.0, 0.5, 1.0]
    >>> threshold([5.0, 30.0, 90.0, 200.0], floor=150, target=30).tolist()
    [1.0, 1.0, 0.5, 0.0]
    """
    x = np.asarray(values, dtype=np.float64)
    out = (x - floor) / (target - floor)
    return np.clip(out, 0.0, 1.0, out=out)


def identity(values: ArrayLike, *, benefit: bool = True) -> NDArray[np.float64]:
    """The values as they are (already 0-1, 1 best), or 1 - x for a cost.

    Examples
    --------
    >>> identity([0.25, 1.0], benefit=False).tolist()
    [0.75, 0.0]
    """
    x = np.asarray(values, dtype=np.float64)
    return x.copy() if benefit else 1.0 - x


def _column_values(x: NDArray[np.float64], spec: ValueSpec) -> NDArray[np.float64]:
    if spec.kind == "linear":
        return linear(x, benefit=spec.benefit)
    if spec.kind == "log":
        return logarithmic(x, benefit=spec.benefit)
    if spec.kind == "threshold":
        assert spec.floor is not None and spec.target is not None
        return threshold(x, floor=spec.floor, target=spec.target)
    if spec.kind == "none":
        return identity(x, benefit=spec.benefit)
    raise ValueError(f"unknown value function {spec.kind!r}; expected one of {VALUE_FUNCTIONS}")


def value_matrix(matrix: ArrayLike, specs: Sequence[ValueSpec]) -> NDArray[np.float64]:
    """The 0-1 value of every cell, 1 best: one :class:`ValueSpec` per column.

    Parameters
    ----------
    matrix : array_like, shape (n_sites, n_criteria)
        Finite criterion values (the zones being ranked: ``linear`` and ``log`` take their
        range over these rows).
    specs : sequence of ValueSpec, length n_criteria

    Returns
    -------
    numpy.ndarray, shape (n_sites, n_criteria)
        Values in [0, 1], 1 the best; score them with every criterion a benefit and
        normalisation ``none``.

    Examples
    --------
    >>> value_matrix([[1.0, 10.0], [3.0, 30.0]],
    ...              [ValueSpec("linear"), ValueSpec("threshold", False, 40.0, 20.0)]).tolist()
    [[0.0, 1.0], [1.0, 0.5]]
    """
    x = np.asarray(matrix, dtype=np.float64)
    out = np.empty(x.shape, dtype=np.float64)
    for j, spec in enumerate(specs):
        out[:, j] = _column_values(x[:, j], spec)
    return out


def core_inputs(
    matrix: ArrayLike, weights: ArrayLike, specs: Sequence[ValueSpec]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Inputs on which :func:`matching.mcda.topsis` with ``minmax`` gives the TOPSIS
    closeness of the values, without copying the linear columns (a national grid).

    TOPSIS does not change when a column is shifted, and scaling a column by ``s`` is scaling
    its weight by ``s``. A ``linear`` value is the ``minmax`` normalisation of its column;
    a ``log`` value the ``minmax`` of log(x); a ``threshold`` or ``none`` value ``v`` is the
    ``minmax`` of ``v`` times its range over the rows, which goes into the weight. So only the
    ``log``, ``threshold`` and ``none`` columns are computed, and the matrix is copied only
    when there is one.

    Returns
    -------
    matrix : numpy.ndarray
        ``matrix`` itself when every criterion is ``linear``, else a copy with the other
        columns replaced by their values (or logarithms).
    weights : numpy.ndarray
        The weights, those of ``threshold`` and ``none`` columns times their value's range
        (all 0 when no column varies: then every row scores 0.5).
    benefit : numpy.ndarray of bool
        The direction to give the core for each column.

    Examples
    --------
    >>> from matching.mcda import topsis
    >>> x = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 35.0]])
    >>> specs = [ValueSpec("linear"), ValueSpec("threshold", False, 40.0, 20.0)]
    >>> m, w, b = core_inputs(x, [1.0, 1.0], specs)
    >>> bool(np.allclose(topsis(m, w, b, "minmax"),
    ...                  topsis(value_matrix(x, specs), [1.0, 1.0], [True, True], "none")))
    True
    """
    x = np.asarray(matrix, dtype=np.float64)
    out_weights = np.array(weights, dtype=np.float64)
    benefit = np.array([spec.benefit for spec in specs], dtype=bool)
    other = [j for j, spec in enumerate(specs) if spec.kind != "linear"]
    if not other:
        return x, out_weights, benefit
    out = x.copy()
    for j in other:
        spec = specs[j]
        if spec.kind == "log":
            out[:, j] = np.log(x[:, j])
            continue
        value = _column_values(x[:, j], spec)
        out[:, j] = value
        benefit[j] = True
        out_weights[j] *= float(value.max() - value.min()) if value.size else 0.0
    return out, out_weights, benefit


def _log_into(src: NDArray[np.float64], out: NDArray[np.float64], center: float) -> None:
    work = np.log(src)  # into a contiguous buffer: numpy's fast loop, then one strided write
    np.subtract(work, center, out=out)


def _clip_into(src: NDArray[np.float64], out: NDArray[np.float64], center: float, *,
               low: float, high: float) -> None:
    # ``out`` holds src - center already: clip it in place, one pass over a strided column
    np.clip(out, low - center, high - center, out=out)


def topsis_of_values(matrix: ArrayLike, weights: ArrayLike,
                     specs: Sequence[ValueSpec]) -> NDArray[np.float64]:
    """TOPSIS closeness of the values, ``topsis(value_matrix(matrix, specs), weights, every
    criterion a benefit, "none")``, without computing the value matrix (a national grid).

    Small matrices take that direct route. Large ones go through the blocked TOPSIS of
    :mod:`matching.mcda` on the raw matrix: ``linear`` columns are its ``minmax``
    normalisation; ``log`` and ``threshold`` columns are computed block by block, in the
    cache, in its second pass (both are monotone, so their ranges are those of the raw
    column's ends); a ``threshold`` column is the raw column clipped to its floor and target
    (in place, on the centred block) and divided by ``|target - floor|``, a ``none`` column
    keeps its scale. No copy of the matrix is made; ``benchmarks/bench_values.py`` measures
    what this adds to the core.

    Examples
    --------
    >>> x = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 35.0]])
    >>> specs = [ValueSpec("log"), ValueSpec("threshold", False, 40.0, 20.0)]
    >>> topsis_of_values(x, [1.0, 1.0], specs).round(3).tolist()
    [0.429, 0.673, 0.43]
    """
    x = np.asarray(matrix, dtype=np.float64)
    ones = np.ones(len(specs), dtype=bool)
    if x.size < mcda._BLOCKED_MIN_ELEMENTS:
        return mcda.topsis(value_matrix(x, specs), weights, ones, "none")
    transforms: dict[int, Callable[[NDArray[np.float64], NDArray[np.float64], float], None]] = {}
    benefit = np.array([spec.benefit for spec in specs], dtype=bool)
    divisors = np.full(len(specs), np.nan)  # NaN: the minmax range
    for j, spec in enumerate(specs):
        if spec.kind == "log":
            transforms[j] = _log_into
        elif spec.kind == "threshold":
            # clip(x, floor..target) is the value times (target - floor), plus a shift that
            # TOPSIS ignores: the raw column clipped, divided by |target - floor|
            assert spec.floor is not None and spec.target is not None
            floor, target = float(spec.floor), float(spec.target)
            transforms[j] = functools.partial(_clip_into, low=min(floor, target),
                                              high=max(floor, target))
            benefit[j] = target > floor
            divisors[j] = abs(target - floor)
        elif spec.kind == "none":
            divisors[j] = 1.0
    return mcda._topsis_blocked(np.ascontiguousarray(x), weights, benefit, "minmax",
                                transforms, divisors)


def check_matrix(matrix: ArrayLike, specs: Sequence[ValueSpec], columns: Sequence[str],
                 *, source: str = "criteria") -> None:
    """Refuse, naming the column, a matrix the value functions cannot value.

    Raises
    ------
    RequirementsError
        A cell that is not a finite number; ``log`` on a value <= 0; ``none`` on a value
        outside [0, 1]. One detail per column at fault.

    Examples
    --------
    >>> check_matrix([[0.0], [5.0]], [ValueSpec("log")], ["catchment_population"])
    Traceback (most recent call last):
    ...
    matching.errors.RequirementsError: criteria: 1 column cannot be valued; fix it and try again.
      - catchment_population: value function 'log' needs values > 0; the smallest is 0 (use 'linear')
    """
    x = np.asarray(matrix, dtype=np.float64)
    problems: list[str] = []
    for j, (spec, column) in enumerate(zip(specs, columns, strict=True)):
        values = x[:, j]
        if values.size == 0:
            continue
        finite = np.isfinite(values)
        if not finite.all():
            bad = values[~finite][0]
            problems.append(f"{column}: {int((~finite).sum())} value(s) are not finite numbers "
                            f"(e.g. {bad!r}); fix the data or drop the criterion")
            continue
        low, high = float(values.min()), float(values.max())
        if spec.kind == "log" and low <= 0:
            problems.append(f"{column}: value function 'log' needs values > 0; the smallest is "
                            f"{low:g} (use 'linear')")
        elif spec.kind == "none" and (low < 0 or high > 1):
            problems.append(f"{column}: value function 'none' needs values between 0 and 1; "
                            f"they run from {low:g} to {high:g} (use 'linear' or 'threshold')")
    if problems:
        count = f"{len(problems)} column{'s' if len(problems) > 1 else ''}"
        raise RequirementsError(
            f"{source}: {count} cannot be valued; fix {'them' if len(problems) > 1 else 'it'} "
            "and try again.", details=problems)
