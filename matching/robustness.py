"""How sure is a ranking? Rank acceptability under weight uncertainty, and leave-one-out.

SMAA-style rank acceptability (Lahdelma, Hokkanen and Salminen 1998, *SMAA: stochastic
multiobjective acceptability analysis*): the weights are drawn many times around the given ones
and each zone's share of draws in which it ranks first (``p_first``) or in the top three
(``p_top3``) is counted.

The distribution: each weight is multiplied by an independent log-normal factor
``exp(sigma * Z)``, ``Z ~ N(0, 1)`` (``sigma`` = :data:`matching.settings.WEIGHT_NOISE_SIGMA`,
0.3 by default: a weight is drawn within a factor 1.8 of its value in 95% of the draws), then
the draw is renormalised to sum to 1. The factor's median is 1, so the draws centre on the
given weights; a zero weight stays zero, and a weight never turns negative. The criterion
values are held fixed: only the weights vary.

Everything is vectorised: the normalisation does not depend on the weights, so all draws are
scored at once (for TOPSIS, the squared distances to the ideal points of every draw are one
matrix product ``(N - ideal)**2 @ (W**2).T``), in chunks that bound the memory, and ranked
with one argsort per chunk. Seeded with :class:`numpy.random.Generator`: the same seed gives the
same figures.

Examples
--------
>>> matrix = np.array([[1.0, 9.0], [2.0, 8.0], [9.0, 1.0]])
>>> result = rank_acceptability(matrix, [0.5, 0.5], [True, True], draws=2000, seed=0)
>>> result["p_top3"].tolist()
[1.0, 1.0, 1.0]
>>> bool(result["p_first"].sum() == 1.0)
True
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata
from threadpoolctl import ThreadpoolController

from matching import settings
from matching.mcda import Normalization, normalize

__all__ = [
    "batch_scores",
    "competition_ranks",
    "leave_one_out",
    "perturb_weights",
    "rank_acceptability",
]

Method = Literal["topsis", "weighted_sum"]

#: Scores are rounded to this many decimals before ranking, so that zones with identical
#: values tie exactly even when floating-point sums differ in the last bit.
TIE_DECIMALS: int = 12
#: Up to this many zones, :func:`competition_ranks` compares every pair instead of sorting.
PAIRWISE_RANK_MAX: int = 64
#: Largest number of (draw, zone) scores held at once.
CHUNK_ELEMENTS: int = 1_000_000
#: Products of at most this many multiply-adds (zones x criteria x draws) run on one thread in
#: OpenBLAS (its GEMM threading threshold, 65536 x 4), so no thread limit is set for them:
#: a shortlist's robustness (13 zones x 8 criteria x 200 draws) is far below.
BLAS_SINGLE_THREAD_WORK: int = 65_536 * 4

_controller: ThreadpoolController | None = None


def _blas_controller() -> ThreadpoolController:
    """One controller per process: building one inspects every loaded library (milliseconds)."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def batch_scores(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    *,
    method: Method = "topsis",
    normalization: Normalization = "vector",
) -> NDArray[np.float64]:
    """Score every zone under many weight vectors at once.

    Parameters
    ----------
    matrix : array_like, shape (n_sites, n_criteria)
    weights : array_like, shape (n_draws, n_criteria)
        Non-negative weight vectors, one per row (each normalised to sum to 1 here; a row of
        zeros gives NaN scores).
    benefit : array_like of bool, shape (n_criteria,)
    method, normalization
        As for :func:`matching.topsis` / :func:`matching.weighted_sum`, whose results each row
        equals.

    Returns
    -------
    numpy.ndarray, shape (n_draws, n_sites)

    Examples
    --------
    >>> batch_scores([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]], [[1, 1], [1, 0]], [True, True],
    ...              normalization="vector").round(3)
    array([[0. , 1. , 0.5],
           [0. , 1. , 0.5]])
    """
    values = np.asarray(matrix, dtype=float)
    rows = np.atleast_2d(np.asarray(weights, dtype=float))
    is_benefit = np.asarray(benefit, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        rows = rows / rows.sum(axis=1, keepdims=True)
    if method == "weighted_sum":
        normalised = normalize(values, is_benefit, normalization)
        if normalization != "minmax":  # minmax already reverses costs
            normalised = normalised * np.where(is_benefit, 1.0, -1.0)
        return rows @ normalised.T
    normalised = normalize(values, np.ones_like(is_benefit), normalization)
    largest = float(np.abs(normalised).max()) if normalised.size else 0.0
    if largest > 1e100 or 0 < largest < 1e-100:  # squares would overflow or underflow
        normalised = normalised / largest  # one factor for all: closeness unchanged
    high, low = normalised.max(axis=0), normalised.min(axis=0)
    ideal = np.where(is_benefit, high, low)
    anti_ideal = np.where(is_benefit, low, high)
    squared_weights = np.ascontiguousarray((rows**2).T)  # (n_criteria, n_draws): BLAS-ready
    d_plus = np.sqrt(((normalised - ideal) ** 2) @ squared_weights)
    d_minus = np.sqrt(((normalised - anti_ideal) ** 2) @ squared_weights)
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness = d_minus / total
    closeness[total == 0] = 0.5  # every zone at both ideal points: no preference
    closeness[:, np.isnan(rows).any(axis=1)] = np.nan
    return np.ascontiguousarray(closeness.T)


def competition_ranks(scores: ArrayLike) -> NDArray[np.int64]:
    """Rank along the last axis, 1 = highest score; ties share the best rank (1, 2, 2, 4).

    Examples
    --------
    >>> competition_ranks([0.9, 0.5, 0.5, 0.1]).tolist()
    [1, 2, 2, 4]
    """
    rounded = np.round(np.asarray(scores, dtype=float), TIE_DECIMALS)
    if rounded.ndim and rounded.shape[-1] <= PAIRWISE_RANK_MAX and not np.isnan(rounded).any():
        # a shortlist's few zones: rank = 1 + how many score strictly higher, counted over
        # every pair at once (faster than a sort at this size; NaN goes to rankdata)
        higher = rounded[..., None, :] > rounded[..., :, None]
        return 1 + higher.sum(axis=-1, dtype=np.int64)
    return rankdata(-rounded, method="min", axis=-1).astype(np.int64)


def _acceptability_counts(scores: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
    """Per zone, over the rows (draws): times ranked first, times in the top 3, sum of ranks.

    One argsort per chunk: in each sorted row a zone's competition rank (ties share the best
    rank) is the number of zones from the end of its run of equal scores to the row's end;
    the ranks go back to the zones with one :func:`numpy.bincount`.
    """
    n_draws, n_sites = scores.shape
    rounded = np.round(scores, TIE_DECIMALS)
    order = np.argsort(rounded, axis=1)
    ordered = np.take_along_axis(rounded, order, axis=1)
    last_of_run = np.ones((n_draws, n_sites), dtype=bool)
    last_of_run[:, :-1] = ordered[:, 1:] != ordered[:, :-1]
    run_end = np.where(last_of_run, np.arange(n_sites), n_sites)
    run_end = np.minimum.accumulate(run_end[:, ::-1], axis=1)[:, ::-1]
    ranks = (n_sites - run_end).ravel()
    zones = order.ravel()
    first = np.bincount(zones[ranks == 1], minlength=n_sites)
    top3 = np.bincount(zones[ranks <= 3], minlength=n_sites)
    rank_sum = np.bincount(zones, weights=ranks, minlength=n_sites)
    return first, top3, rank_sum


def perturb_weights(
    weights: ArrayLike,
    draws: int,
    *,
    sigma: float | None = None,
    rng: np.random.Generator | int | None = 0,
) -> NDArray[np.float64]:
    """Draw weight vectors around ``weights`` (multiplicative log-normal noise, renormalised).

    Returns
    -------
    numpy.ndarray, shape (draws, n_criteria)
        Each row sums to 1.

    Examples
    --------
    >>> w = perturb_weights([0.5, 0.3, 0.2, 0.0], 4000, rng=1)
    >>> w.shape, bool(np.allclose(w.sum(axis=1), 1)), bool((w[:, 3] == 0).all())
    ((4000, 4), True, True)
    >>> np.median(w, axis=0).round(1).tolist()
    [0.5, 0.3, 0.2, 0.0]
    """
    sigma = settings.WEIGHT_NOISE_SIGMA if sigma is None else sigma
    rng = np.random.default_rng(rng)
    weights = np.asarray(weights, dtype=float)
    drawn = weights * np.exp(sigma * rng.standard_normal((draws, weights.size)))
    return drawn / drawn.sum(axis=1, keepdims=True)


def rank_acceptability(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    *,
    method: Method = "topsis",
    normalization: Normalization = "vector",
    draws: int = 1000,
    seed: int | None = 0,
    sigma: float | None = None,
) -> dict[str, Any]:
    """Rank acceptability of each zone under weight perturbation.

    Parameters
    ----------
    matrix, weights, benefit, method, normalization
        The decision (weights: shape (n_criteria,)).
    draws
        Monte-Carlo draws.
    seed
        Seed of :func:`numpy.random.default_rng`.
    sigma
        Log-normal noise; default :data:`matching.settings.WEIGHT_NOISE_SIGMA`.

    Returns
    -------
    dict
        ``p_first``, ``p_top3``, ``mean_rank``: arrays of shape (n_sites,); ``draws``,
        ``seed``, ``sigma``.
    """
    matrix = np.asarray(matrix, dtype=float)
    sigma = settings.WEIGHT_NOISE_SIGMA if sigma is None else sigma
    rng = np.random.default_rng(seed)
    n_sites, n_criteria = matrix.shape if matrix.ndim == 2 else (len(matrix), 1)
    chunk = min(draws, max(1, CHUNK_ELEMENTS // max(n_sites, 1)))
    if n_sites * n_criteria * chunk <= BLAS_SINGLE_THREAD_WORK:
        # BLAS runs such small products on one thread anyway: no limit to set (setting one
        # costs milliseconds and changes a process-wide setting under concurrent callers)
        first, top3, rank_sum = _chunked_counts(matrix, weights, benefit, method,
                                                normalization, draws, sigma, rng)
    else:
        # The products are small per draw: one BLAS thread avoids thread start-up and
        # contention costs that dominate them on a shared machine.
        with _blas_controller().limit(limits=1, user_api="blas"):
            first, top3, rank_sum = _chunked_counts(matrix, weights, benefit, method,
                                                    normalization, draws, sigma, rng)
    scale = 1.0 / max(draws, 1)
    return {"p_first": first * scale, "p_top3": top3 * scale, "mean_rank": rank_sum * scale,
            "draws": draws, "seed": seed, "sigma": sigma}


def _chunked_counts(matrix, weights, benefit, method, normalization, draws, sigma, rng):
    n_sites = matrix.shape[0]
    first = np.zeros(n_sites)
    top3 = np.zeros(n_sites)
    rank_sum = np.zeros(n_sites)
    chunk = max(1, CHUNK_ELEMENTS // max(n_sites, 1))
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        drawn = perturb_weights(weights, size, sigma=sigma, rng=rng)
        counts = _acceptability_counts(
            batch_scores(matrix, drawn, benefit, method=method, normalization=normalization)
        )
        first += counts[0]
        top3 += counts[1]
        rank_sum += counts[2]
        done += size
    return first, top3, rank_sum


def leave_one_out(
    matrix: ArrayLike,
    weights: ArrayLike,
    benefit: ArrayLike,
    *,
    method: Method = "topsis",
    normalization: Normalization = "vector",
) -> NDArray[np.float64]:
    """The ranks when each criterion in turn is left out (the others' weights renormalised).

    Returns
    -------
    numpy.ndarray, shape (n_criteria, n_sites)
        Row j: the ranks without criterion j; NaN when no other criterion has weight.

    Examples
    --------
    >>> leave_one_out([[1.0, 3.0], [3.0, 1.0]], [0.6, 0.4], [True, True]).tolist()
    [[1.0, 2.0], [2.0, 1.0]]
    """
    weights = np.asarray(weights, dtype=float)
    dropped = np.tile(weights, (weights.size, 1))
    np.fill_diagonal(dropped, 0.0)
    scores = batch_scores(matrix, dropped, benefit, method=method, normalization=normalization)
    empty = dropped.sum(axis=1) <= 0
    ranks = competition_ranks(np.where(empty[:, None], 0.0, scores)).astype(float)
    ranks[empty] = np.nan
    return ranks
