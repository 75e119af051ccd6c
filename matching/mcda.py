"""The numeric core of the decision model: normalisations, TOPSIS, weighted sum and AHP.

Pure numpy functions that trust their input (the requirements layer validates what users
give). Shapes and dtypes:

- ``matrix``: (n_sites, n_criteria) float array, finite values (alternatives in rows);
- ``weights``: (n_criteria,) non-negative floats (normalised to sum to 1 here);
- ``benefit``: (n_criteria,) bool, ``True`` where more is better, ``False`` for a cost.

Every function returns new arrays and leaves its inputs untouched; memory use is O(matrix).
A NaN or infinite cell is refused (``ValueError`` naming its column); values whose squares
would underflow (below ~1e-160) or overflow (above ~1e154) are rescaled first.

One module because the blocked TOPSIS for large matrices (a national grid) must keep the
direct path's formulas and conventions (0.5 when nothing varies, the rescaling, the
refusals) to 1e-12, and is tested against it: splitting them would split one definition.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import ThreadpoolController

__all__ = [
    "NORMALIZATIONS",
    "RANDOM_INDEX",
    "ahp_weights",
    "normalize",
    "topsis",
    "topsis_components",
    "weighted_sum",
]

Normalization = Literal["vector", "minmax", "sum", "none"]

#: The normalisations :func:`normalize` knows.
NORMALIZATIONS: tuple[str, ...] = ("vector", "minmax", "sum", "none")

#: Saaty's random consistency index by matrix order (Saaty 1980, *The Analytic Hierarchy
#: Process*, the table extended to n = 15; larger orders use the n = 15 value). Orders 1
#: and 2 are always consistent.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}


def _as_float_matrix(matrix: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(matrix, dtype=np.float64)


def _unit_weights(weights: ArrayLike) -> NDArray[np.float64]:
    unit = np.asarray(weights, dtype=np.float64)
    largest = unit.max() if unit.size else 0.0
    if not largest > 0:  # every weight 0 (every criterion saturated): nothing separates sites
        return np.zeros_like(unit)
    unit = unit / largest  # no overflow of the sum for weights near 1e308
    return unit / unit.sum()


def _check_finite(matrix: NDArray[np.float64]) -> None:
    """Refuse a NaN or infinite cell, naming its column: one would make every score NaN or
    every site equal (0.5), which reads as a result."""
    finite = np.isfinite(matrix)
    if not finite.all():
        bad = np.flatnonzero(~finite.all(axis=0))
        raise ValueError(
            f"matrix column {', '.join(str(j) for j in bad)} holds a value that is not a finite "
            "number (NaN or infinity); drop those sites or fill the values before scoring"
        )


#: Magnitudes outside [_TINY, _HUGE] are rescaled before squaring: a square below ~1e-308
#: underflows to 0 and one above ~1e308 overflows to infinity.
_TINY, _HUGE = 1e-100, 1e100


def normalize(
    matrix: ArrayLike, benefit: ArrayLike, method: Normalization = "vector"
) -> NDArray[np.float64]:
    """Normalise each criterion (column) of a decision matrix.

    Parameters
    ----------
    matrix : array_like, shape (n_sites, n_criteria)
        Raw criterion values.
    benefit : array_like of bool, shape (n_criteria,)
        ``True`` where more is better. Only ``minmax`` uses it: a cost column is reversed.
    method : {"vector", "minmax", "sum", "none"}
        ``vector``: x / sqrt(sum x^2); ``sum``: x / sum x; ``none``: unchanged; ``minmax``:
        (x - min) / (max - min) for a benefit, (max - x) / (max - min) for a cost, so 1 is
        always the best. A column of zeros (vector, sum) or with no variance (minmax)
        normalises to 0: it cannot tell sites apart, and 0 keeps it out of every score.

    Returns
    -------
    numpy.ndarray, shape (n_sites, n_criteria)

    Examples
    --------
    >>> normalize([[1.0, 10.0], [3.0, 30.0]], [True, False], "minmax")
    array([[0., 1.],
           [1., 0.]])
    >>> normalize([[3.0, 5.0], [4.0, 5.0]], [True, True], "vector").round(3)
    array([[0.6  , 0.707],
           [0.8  , 0.707]])
    """
    matrix = _as_float_matrix(matrix)
    benefit = np.asarray(benefit, dtype=bool)
    if method == "none" or matrix.shape[0] == 0:  # no site: nothing to normalise
        return matrix.copy()
    if method == "vector":
        scale = np.sqrt(np.einsum("ij,ij->j", matrix, matrix))
        # |x| above ~1e154 overflows the squares, below ~1e-160 they underflow to 0
        if not np.all(np.isfinite(scale)) or np.any(scale < _TINY):
            largest = np.abs(matrix).max(axis=0)
            largest[largest == 0] = 1.0
            scaled = matrix / largest
            scale = largest * np.sqrt(np.einsum("ij,ij->j", scaled, scaled))
    elif method == "sum":
        scale = matrix.sum(axis=0)
        if not np.all(np.isfinite(scale)):  # the sum overflows
            largest = np.abs(matrix).max(axis=0)
            largest[largest == 0] = 1.0
            scale = largest * (matrix / largest).sum(axis=0)
    elif method == "minmax":
        low, high = matrix.min(axis=0), matrix.max(axis=0)
        span = high - low
        if not np.all(np.isfinite(span)):  # from -1e308 to 1e308: the span overflows
            largest = np.maximum(np.abs(low), np.abs(high))
            largest[largest == 0] = 1.0
            return normalize(matrix / largest, benefit, "minmax")
        safe = np.where(span > 0, span, 1.0)
        out = np.where(benefit, matrix - low, high - matrix) / safe
        out[:, span <= 0] = 0.0
        return out
    else:
        raise ValueError(f"unknown normalization {method!r}; expected one of {NORMALIZATIONS}")
    safe = np.where(scale != 0, scale, 1.0)
    out = matrix / safe
    out[:, scale == 0] = 0.0
    return out


def weighted_sum(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    normalization: Normalization = "minmax",
) -> NDArray[np.float64]:
    """Weighted sum of normalised criterion values (simple additive weighting).

    Parameters
    ----------
    matrix : array_like, shape (n_sites, n_criteria)
    weights : array_like, shape (n_criteria,)
        Non-negative; normalised to sum to 1.
    benefit : array_like of bool, shape (n_criteria,)
    normalization : {"minmax", "vector", "sum", "none"}
        With ``minmax`` a cost criterion is already reversed by :func:`normalize`
        ((max - x) / (max - min)) and added; with the others its normalised value is
        subtracted. A column with no variance (minmax) or of zeros (vector, sum) adds 0.

    Returns
    -------
    numpy.ndarray, shape (n_sites,)
        Higher is better.

    Examples
    --------
    >>> weighted_sum([[1.0, 10.0], [3.0, 30.0]], [0.5, 0.5], [True, False])
    array([0.5, 0.5])
    >>> weighted_sum([[1.0, 10.0], [3.0, 30.0]], [3, 1], [True, False])
    array([0.25, 0.75])
    """
    weights = _unit_weights(weights)
    benefit = np.asarray(benefit, dtype=bool)
    matrix = _as_float_matrix(matrix)
    _check_finite(matrix)
    normalised = normalize(matrix, benefit, normalization)
    if normalization == "minmax":
        signed = weights
    else:
        signed = np.where(benefit, weights, -weights)
    return normalised @ signed


def topsis_components(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    normalization: Normalization = "vector",
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """TOPSIS closeness and the per-criterion parts of the distances, to explain a score.

    Parameters
    ----------
    matrix, weights, benefit, normalization
        As for :func:`topsis`.

    Returns
    -------
    score : numpy.ndarray, shape (n_sites,)
        Closeness coefficient d- / (d+ + d-).
    d_plus_sq_parts : numpy.ndarray, shape (n_sites, n_criteria)
        (w_j (r_ij - a+_j))^2: summed over j and square-rooted, the distance d+ to the ideal.
    d_minus_sq_parts : numpy.ndarray, shape (n_sites, n_criteria)
        The same for the anti-ideal: their row sums are d-^2.

    Examples
    --------
    >>> score, plus, minus = topsis_components([[1.0], [3.0]], [1.0], [True], "none")
    >>> score.tolist(), plus.tolist(), minus.tolist()
    ([0.0, 1.0], [[4.0], [0.0]], [[0.0], [4.0]])
    """
    weights = _unit_weights(weights)
    benefit = np.asarray(benefit, dtype=bool)
    matrix = _as_float_matrix(matrix)
    _check_finite(matrix)
    # TOPSIS reverses costs through the ideal points, so normalise without reversing them.
    weighted = normalize(matrix, np.ones_like(benefit), normalization) * weights
    if weighted.shape[0] == 0:  # every zone excluded: an empty ranking, not an error
        return np.empty(0), weighted, weighted.copy()
    largest = float(np.abs(weighted).max()) if weighted.size else 0.0
    if largest > _HUGE or 0 < largest < _TINY:
        # one factor for every column leaves d- / (d+ + d-) unchanged and keeps the squares
        # of the differences from overflowing (NaN scores) or underflowing (0.5 for all)
        weighted = weighted / largest
    high, low = weighted.max(axis=0), weighted.min(axis=0)
    ideal = np.where(benefit, high, low)
    anti_ideal = np.where(benefit, low, high)
    d_plus_sq_parts = (weighted - ideal) ** 2
    d_minus_sq_parts = (weighted - anti_ideal) ** 2
    d_plus = np.sqrt(d_plus_sq_parts.sum(axis=1))
    d_minus = np.sqrt(d_minus_sq_parts.sum(axis=1))
    score = _closeness(d_plus, d_minus)
    return score, d_plus_sq_parts, d_minus_sq_parts


def _closeness(d_plus: NDArray[np.float64], d_minus: NDArray[np.float64]) -> NDArray[np.float64]:
    total = d_plus + d_minus
    # Every site at both ideal points at once (no criterion varies): no preference, 0.5.
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)


def topsis(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    normalization: Normalization = "vector",
) -> NDArray[np.float64]:
    """TOPSIS closeness coefficient (Hwang and Yoon 1981).

    Parameters
    ----------
    matrix : array_like, shape (n_sites, n_criteria)
        Float criterion values, sites in rows.
    weights : array_like, shape (n_criteria,)
        Non-negative; normalised to sum to 1.
    benefit : array_like of bool, shape (n_criteria,)
        ``True`` where more is better; a cost criterion's ideal is its minimum.
    normalization : {"vector", "minmax", "sum", "none"}
        Applied to every column without reversing costs (the ideal points do that).

    Returns
    -------
    numpy.ndarray, shape (n_sites,)
        d- / (d+ + d-) in [0, 1], where d+ and d- are the Euclidean distances of the
        weighted normalised rows to the ideal and anti-ideal points; 1 is best. When no
        criterion varies every site scores 0.5.

    Notes
    -----
    Large matrices (a national grid) go through a blocked path: two passes over the
    matrix in cache-sized blocks of rows, spread over the cores (numpy and BLAS release
    the GIL), the first for the column statistics, the second for both distances at once,
    ``||u -+ h||^2 = ||u||^2 -+ 2 u.h + ||h||^2`` with ``u`` a weighted normalised row
    centred on the midpoint of the two ideal points and ``h`` half their difference (two
    BLAS matrix-vector products per block). Rows whose distance is too small for that
    expansion to stay within 1e-12 of the direct formula (near an ideal point) are
    recomputed directly. Extra memory: one block per thread and the output (and a
    contiguous float64 copy of ``matrix`` if it is not one already).

    Examples
    --------
    >>> topsis([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]], [0.5, 0.5], [True, True]).round(3)
    array([0. , 1. , 0.5])
    """
    x = np.asarray(matrix, dtype=np.float64)
    if x.size < _BLOCKED_MIN_ELEMENTS:
        return topsis_components(x, weights, benefit, normalization)[0]
    return _topsis_blocked(np.ascontiguousarray(x), weights, benefit, normalization)


# Blocked TOPSIS ----------------------------------------------------------------------------
# Tuned on 2 cores (Skylake-X, then AMD EPYC; 1 MiB L2 each); see benchmarks/bench_topsis.py.

#: Below this many matrix elements (a shortlist's few zones) the direct numpy path runs:
#: as fast there, and the reference the blocked path is tested against.
_BLOCKED_MIN_ELEMENTS = 1 << 13
#: Bytes of matrix per block. 1 MiB (a block and its work buffer in L2 and L3): with 256 KiB
#: blocks, two threads made so many short numpy calls that they queued for the GIL and ran
#: slower than one (1M x 10, EPYC: 62 ms on two threads, 54 on one; 25 ms with 1 MiB).
_BLOCK_BYTES = 1 << 20
#: Elementwise work runs on rows folded to at least this many elements, so numpy's inner
#: loops are long (a (rows, 10) array has 10-element inner loops, several times slower).
_WIDE_ROW = 4096
#: A squared distance below this fraction of ||h||^2 is recomputed directly: the expansion
#: loses about 8 eps ||h||^2, so the closeness stays within ~1e-12 of the direct formula.
_CANCELLATION_TOLERANCE = 1e-6

_executor: ThreadPoolExecutor | None = None
_blas_controller: ThreadpoolController | None = None
_pool_lock = threading.Lock()


def _forget_pool() -> None:
    # A forked child (a pre-forking web server) inherits the pool but not its threads.
    global _executor, _pool_lock
    _executor, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _worker_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _parallel_map(function, chunks):
    """Run ``function(lo, hi)`` over row chunks on the shared thread pool, BLAS at 1 thread
    (the parallelism is over blocks: nested BLAS threads would oversubscribe the cores)."""
    global _executor, _blas_controller
    if len(chunks) == 1:
        return [function(*chunks[0])]
    with _pool_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(_worker_count(), thread_name_prefix="mcda")
        if _blas_controller is None:
            _blas_controller = ThreadpoolController()
    with _blas_controller.limit(limits=1, user_api="blas"):
        return list(_executor.map(lambda chunk: function(*chunk), chunks))


def _layout(n_rows: int, n_criteria: int) -> tuple[int, int, list[tuple[int, int]]]:
    """(rows folded into one wide row, rows per block, row chunks, one per worker)."""
    fold = -(-_WIDE_ROW // n_criteria)
    block_rows = max(fold, _BLOCK_BYTES // (8 * n_criteria) // fold * fold)
    n_blocks = -(-n_rows // block_rows)
    workers = min(_worker_count(), n_blocks)
    bounds = [round(i * n_blocks / workers) * block_rows for i in range(workers + 1)]
    bounds[-1] = n_rows
    return fold, block_rows, [(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]


def _column_stats(x, lo, hi, *, fold, block_rows, normalization):
    """Per-column max, min, and the sum of squares (vector) or sum (sum) over rows lo:hi."""
    n_criteria = x.shape[1]
    width = fold * n_criteria
    high, low = np.full(width, -np.inf), np.full(width, np.inf)
    sum_sq, total = np.zeros(width), np.zeros(width)
    for start in range(lo, hi, block_rows):
        stop = min(start + block_rows, hi)
        folded_stop = start + (stop - start) // fold * fold
        parts = []
        if folded_stop > start:
            parts.append((x[start:folded_stop].reshape(-1, width), slice(None)))
        if stop > folded_stop:  # the ragged tail of the last block
            parts.append((x[folded_stop:stop], slice(0, n_criteria)))
        for block, where in parts:
            np.maximum(high[where], block.max(axis=0), out=high[where])
            np.minimum(low[where], block.min(axis=0), out=low[where])
            if normalization == "vector":
                sum_sq[where] += np.einsum("ij,ij->j", block, block)
            elif normalization == "sum":
                total[where] += block.sum(axis=0)
    shape = (fold, n_criteria)
    return (
        high.reshape(shape).max(axis=0),
        low.reshape(shape).min(axis=0),
        sum_sq.reshape(shape).sum(axis=0),
        total.reshape(shape).sum(axis=0),
    )


def _apply_transforms(block, out, transforms, center=None):
    """``out[:, j] = f(block[:, j]) - center[j]`` for each column ``j`` in ``transforms``,
    where ``out`` holds ``block - center`` on entry (``center`` None: 0). Each ``function(src,
    out, c)`` writes ``f(src) - c`` into its (strided) ``out`` column: a clip can work in place
    on the centred column, a logarithm reads its source once. Strided access is what these
    cost (about 1 ns a value each way; ``benchmarks/bench_values.py``), so each column is
    read and written once."""
    for j, function in transforms.items():
        function(block[:, j], out[:, j], 0.0 if center is None else float(center[j]))


def _closeness_rows(x, lo, hi, out, *, fold, block_rows, center, scale, ideal, anti,
                    transforms=None):
    """Write the closeness of rows lo:hi into ``out``; see :func:`topsis` (Notes).

    With ``u = scale * (x - center)`` and the ideal points ``ideal``, ``anti`` relative to
    ``scale * center``: ``||u - p||^2 = ||u||^2 - 2 u.p + ||p||^2``, where
    ``u.p = (x - center) @ (scale p)`` and ``||u||^2 = (x - center)^2 @ scale^2``, so a block
    costs one subtraction, one square and two matrix-vector products. ``center`` need not be
    the exact midpoint of the ideal points (it is rounded to the data's precision, which is
    coarse next to a small spread on a large offset): each ideal point is used as it is.
    """
    n_criteria = x.shape[1]
    width = fold * n_criteria
    center_wide = np.tile(center, fold)
    towards = np.column_stack([2.0 * scale * ideal, 2.0 * scale * anti])
    scale_sq = scale * scale
    ideal_sq, anti_sq = float(ideal @ ideal), float(anti @ anti)
    half = (ideal - anti) / 2
    small_below = _CANCELLATION_TOLERANCE * float(half @ half)
    buffer = np.empty(block_rows * n_criteria)
    for start in range(lo, hi, block_rows):
        stop = min(start + block_rows, hi)
        rows = stop - start
        block = x[start:stop]
        offset = buffer[: rows * n_criteria].reshape(rows, n_criteria)
        if rows % fold == 0:
            wide = offset.reshape(-1, width)
            np.subtract(block.reshape(-1, width), center_wide, out=wide)
        else:  # the ragged last block
            wide = offset
            np.subtract(block, center, out=offset)
        if transforms:
            _apply_transforms(block, offset, transforms, center)
        twice_dots = offset @ towards
        np.square(wide, out=wide)
        base = offset @ scale_sq
        d_plus_sq = base - twice_dots[:, 0]
        d_plus_sq += ideal_sq
        d_minus_sq = np.subtract(base, twice_dots[:, 1], out=base)
        d_minus_sq += anti_sq
        near = np.flatnonzero(np.minimum(d_plus_sq, d_minus_sq) < small_below)
        if near.size:
            rows_near = block[near]
            if transforms:
                _apply_transforms(rows_near.copy(), rows_near, transforms)
            exact = (rows_near - center) * scale
            d_plus_sq[near] = np.square(exact - ideal).sum(axis=1)
            d_minus_sq[near] = np.square(exact - anti).sum(axis=1)
        # Every value left is >= small_below > 0: no negative rounding reaches the roots.
        d_plus = np.sqrt(d_plus_sq, out=d_plus_sq)
        d_minus = np.sqrt(d_minus_sq, out=d_minus_sq)
        d_plus += d_minus  # > 0: the two ideal points are ||ideal - anti|| > 0 apart
        np.divide(d_minus, d_plus, out=out[start:stop])


def _topsis_blocked(x, weights, benefit, normalization, transforms=None, divisors=None):
    """The blocked TOPSIS; see :func:`topsis` (Notes).

    ``transforms`` (column -> ``f(src, out, center)`` writing a monotone function of the
    column, minus ``center``, into ``out``, which holds ``src - center``; see
    :func:`_apply_transforms` and :func:`matching.values.topsis_of_values`) are applied block
    by block in the second pass (their column statistics are the function of the raw ones, by
    monotony); ``divisors`` (per column, NaN where ``normalization`` decides) fixes the
    divisor of columns already on their scale. Neither copies the matrix.
    """
    n_rows, n_criteria = x.shape
    weights = _unit_weights(weights)
    benefit = np.asarray(benefit, dtype=bool)
    fold, block_rows, chunks = _layout(n_rows, n_criteria)
    transforms = transforms or {}

    def stats(lo, hi):
        return _column_stats(
            x, lo, hi, fold=fold, block_rows=block_rows, normalization=normalization
        )

    parts = _parallel_map(stats, chunks)
    high = np.max([part[0] for part in parts], axis=0)
    low = np.min([part[1] for part in parts], axis=0)
    if not (np.all(np.isfinite(high)) and np.all(np.isfinite(low))):
        _check_finite(x)  # names the column
    for j, function in transforms.items():  # monotone: the ends map to the ends
        ends = np.array([high[j], low[j]])
        function(ends.copy(), ends, 0.0)
        high[j], low[j] = ends.max(), ends.min()
    if transforms and normalization in ("vector", "sum"):
        raise ValueError("column transforms need minmax or none normalisation")
    if normalization == "vector":
        divisor = np.sqrt(np.sum([part[2] for part in parts], axis=0))
    elif normalization == "sum":
        divisor = np.sum([part[3] for part in parts], axis=0)
    elif normalization == "minmax":
        divisor = high - low
    elif normalization == "none":
        divisor = np.ones(n_criteria)
    else:
        raise ValueError(
            f"unknown normalization {normalization!r}; expected one of {NORMALIZATIONS}"
        )
    if divisors is not None:
        divisor = np.where(np.isnan(divisors), divisor, divisors)
    largest = max(np.abs(high).max(), np.abs(low).max())
    if (not np.all(np.isfinite(divisor)) or largest > _HUGE or 0 < largest < _TINY
            or np.any((divisor != 0) & (np.abs(divisor) < _TINY))):
        # squares that would overflow or underflow the blocked expansion: the direct path,
        # which rescales first
        if transforms or divisors is not None:
            x = x.copy()
            _apply_transforms(x.copy(), x, transforms)
            safe = np.where(divisor != 0, divisor, 1.0)
            # each column on its final scale (TOPSIS ignores the shifts): then no normalisation
            return topsis_components(x / safe, weights, benefit, "none")[0]
        return topsis_components(x, weights, benefit, normalization)[0]
    # A column that normalises to 0 everywhere (see normalize) gets scale 0.
    usable = (divisor > 0) if normalization == "minmax" else (divisor != 0)
    scale = np.where(usable, weights / np.where(usable, divisor, 1.0), 0.0)
    # Ideal points, in the weighted normalised space: the weighted column's max or min.
    # Centring on their midpoint (hi + lo) / 2, in data units, keeps the subtraction exact
    # where values are close, whatever the normalisation's offset.
    center = (high + low) / 2
    # scale may be negative (a negative column sum): the weighted max is then at ``low``
    at_high, at_low = scale * (high - center), scale * (low - center)
    upper, lower = np.maximum(at_high, at_low), np.minimum(at_high, at_low)
    ideal = np.where(benefit, upper, lower)
    anti = np.where(benefit, lower, upper)
    out = np.empty(n_rows)
    if not (np.any(ideal != anti)):  # no criterion varies: every site is at both ideal points
        out.fill(0.5)
        return out

    def closeness(lo, hi):
        _closeness_rows(
            x,
            lo,
            hi,
            out,
            fold=fold,
            block_rows=block_rows,
            center=center,
            scale=scale,
            ideal=ideal,
            anti=anti,
            transforms=transforms,
        )

    _parallel_map(closeness, chunks)
    return out


def ahp_weights(matrix: ArrayLike) -> tuple[NDArray[np.float64], float]:
    """Priority weights and consistency ratio of an AHP pairwise-comparison matrix.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Positive reciprocal matrix: ``matrix[i, j]`` says how much criterion i matters more
        than criterion j (Saaty's 1-9 scale), ``matrix[j, i] == 1 / matrix[i, j]``.

    Returns
    -------
    weights : numpy.ndarray, shape (n,)
        The principal right eigenvector, scaled to sum to 1.
    consistency_ratio : float
        CI / RI with CI = (lambda_max - n) / (n - 1) and RI Saaty's random index
        (:data:`RANDOM_INDEX`); 0 for n <= 2, which are always consistent.

    Examples
    --------
    >>> weights, cr = ahp_weights([[1, 3], [1 / 3, 1]])
    >>> weights.round(3).tolist(), cr
    ([0.75, 0.25], 0.0)
    """
    matrix = _as_float_matrix(matrix)
    n = matrix.shape[0]
    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    # Perron-Frobenius: a positive matrix has a real largest eigenvalue with a positive vector.
    principal = int(np.argmax(eigenvalues.real))
    lambda_max = float(eigenvalues[principal].real)
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()
    if n <= 2:
        return weights, 0.0
    consistency_index = (lambda_max - n) / (n - 1)
    random_index = RANDOM_INDEX.get(n, RANDOM_INDEX[max(RANDOM_INDEX)])
    return weights, float(max(consistency_index, 0.0) / random_index)
