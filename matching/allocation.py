"""Capacity-aware allocation of a pipeline of investors to zones (issue 5).

When several investors are in the pipeline at once, the zones' floor space is finite: three
shortlists must not promise the same 5,000 m². :func:`allocate` gives each investor at most one
zone, maximising the total shortlist score under the zones' capacities (``available_m2``). The
problem is a generalised assignment problem, solved exactly as an integer program
(:func:`scipy.optimize.milp`, HiGHS branch and cut):

    maximise   sum_iz (s_iz + eps) x_iz
    subject to sum_z x_iz <= 1                 (each investor at most one zone)
               sum_i a_i x_iz <= c_z           (floor area a_i within capacity c_z)
               x_iz in {0, 1}, only for zones i's shortlist ranks and that fit a_i

``eps`` (1e-6) makes placing an investor in a zone where it scores 0 (TOPSIS's worst) better
than leaving it out. The solver stops when it has proved its total within ``mip_rel_gap``
(HiGHS's default, 1e-4) of the best possible, or at the time limit
(:data:`DEFAULT_TIME_LIMIT_S`); the result's ``solver`` says which, with the proven gap.
A gap of 1e-4 of a total of a few units is far more than ``eps``, so the solver may stop with an
investor left out although a zone it fits still has room: :func:`fill_free_room` then places
every such investor (it only raises the total), so the bonus holds whatever the gap. Placing
nobody is always feasible: when the solver stops at its time limit before finding any
allocation, the greedy one (:func:`greedy_assign`, then :func:`fill_free_room`) is returned with
its gap to the solver's bound (or to the sum of each investor's best score, when the solver has
no bound yet). A few
dozen investors are solved to optimality in milliseconds; large pipelines competing for the
same zones (200 investors x 50 zones) can take HiGHS minutes to *prove* optimality, and then
stop at the time limit with a proven gap of about 1% (``benchmarks/bench_allocation.py``).
Strengthening the program does not change that: the per-zone cardinality inequalities
(``formulation="cardinality"``, :func:`zone_cardinality_cuts`) leave HiGHS's bound where it
was, and even the Dantzig-Wolfe bound (a knapsack per zone, ``benchmarks/bound_allocation.py``)
stays 0.03% to 0.5% above the best allocation known on such instances, more than the 0.01%
to prove: the proof needs better allocations and branching, not only a stronger root (the
figures are in ``docs/learning.md``).
Greedy allocation (best score first) is kept as :func:`greedy_assign`, the baseline of the
tests and the benchmark: it can lose (see ``tests/matching/test_allocation.py``).

One module because the program, its formulations, the baseline, the repair after the solver
and the reasons given to the investors left out are one decision, each step reading the
previous one's arrays (over 500 lines).

Scores come from each investor's own shortlist (:func:`matching.shortlist.make_shortlist`):
TOPSIS closeness and min-max weighted sums lie in [0, 1], so they add up across investors.
Other weighted sums (``normalization`` none, sum, vector, as learned weights use) are on
scales of their own, possibly negative: the result's ``warnings`` say so, and an investor whose
every score is negative is left out (placing it would lower the total), with that reason.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from matching.errors import DecisionsError

__all__ = [
    "CARDINALITY_CUT_MAX_COUNT", "DEFAULT_TIME_LIMIT_S", "FORMULATIONS", "PLACEMENT_BONUS",
    "allocate", "assign", "fill_free_room", "greedy_assign", "zone_cardinality_cuts",
]

#: Added to every score in the objective: placing someone beats leaving them out at equal score.
PLACEMENT_BONUS: float = 1e-6
#: Seconds :func:`allocate` lets the solver run before it returns its best, with the gap.
DEFAULT_TIME_LIMIT_S: float = 30.0
#: Formulations of :func:`assign`: the plain integer program (the default), or the same with the
#: per-zone cardinality inequalities of :func:`zone_cardinality_cuts` (measured in
#: ``benchmarks/bench_allocation.py``: no faster proof; better solutions at some loads, worse at
#: others, so not the default).
FORMULATIONS: tuple[str, ...] = ("plain", "cardinality")
#: Largest right-hand side of the per-zone cardinality inequalities kept (plus each head count).
CARDINALITY_CUT_MAX_COUNT: int = 2


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    # HiGHS's MIP solver may print debug lines straight to file descriptor 1, which would
    # corrupt the JSON the command line prints there: send them to /dev/null while it runs.
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (e.g. some embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def assign(
    scores: NDArray[np.float64],
    demand: NDArray[np.float64],
    capacity: NDArray[np.float64],
    *,
    time_limit: float | None = None,
    mip_rel_gap: float = 1e-4,
    formulation: str = "plain",
) -> tuple[NDArray[np.int64], dict[str, Any]]:
    """Optimal assignment of investors to zones under capacities (pure numpy/scipy).

    Parameters
    ----------
    scores : numpy.ndarray, shape (n_investors, n_zones)
        Score of each zone for each investor; NaN where the zone is not eligible.
    demand : numpy.ndarray, shape (n_investors,)
        Floor area each investor needs (m²).
    capacity : numpy.ndarray, shape (n_zones,)
        Floor area each zone has available (m²); NaN: the zone is not allocated.
    time_limit
        Seconds for the solver (``None``: until it proves the solution optimal).
    mip_rel_gap
        Relative gap at which the solver stops: the total score found is then within this
        fraction of the best possible (HiGHS's default, 1e-4).
    formulation
        ``"plain"`` (default): the program above; ``"cardinality"``: plus the per-zone
        cardinality inequalities of :func:`zone_cardinality_cuts` (valid for every feasible
        allocation, so the optimum is the same; compared in ``benchmarks/bench_allocation.py``).

    Returns
    -------
    zone_of : numpy.ndarray of int, shape (n_investors,)
        The zone index given to each investor, -1 for none.
    solver : dict
        ``status`` ("optimal" or "time limit"), ``mip_gap`` (proven relative gap between the
        total found and the best possible), ``found_by`` ("solver", or "greedy" when the solver
        stopped before finding any allocation), ``filled`` (investors placed after the solver
        in zones with room left, see :func:`fill_free_room`), ``variables``, ``seconds``; with
        the ``"cardinality"`` formulation, also ``cuts`` (the inequalities added).

    Raises
    ------
    ValueError
        If ``formulation`` is not one of :data:`FORMULATIONS`.

    Examples
    --------
    >>> scores = np.array([[0.9, 0.8], [0.85, 0.1]])
    >>> zone_of, solver = assign(scores, np.array([100.0, 100.0]), np.array([100.0, 100.0]))
    >>> zone_of.tolist(), solver["status"]
    ([1, 0], 'optimal')
    """
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    if formulation not in FORMULATIONS:
        raise ValueError(f"formulation must be one of {', '.join(FORMULATIONS)}, "
                         f"not {formulation!r}")
    n_investors, n_zones = scores.shape
    result = np.full(n_investors, -1, dtype=np.int64)
    eligible = np.isfinite(scores) & np.isfinite(capacity)[None, :]
    eligible &= demand[:, None] <= np.nan_to_num(capacity, nan=-1.0)[None, :]
    investor, zone = np.nonzero(eligible)
    info: dict[str, Any] = {"status": "optimal", "mip_gap": 0.0, "found_by": "solver",
                            "filled": 0, "variables": int(investor.size), "seconds": 0.0}
    if investor.size == 0:
        return result, info
    n_vars = investor.size
    columns = np.arange(n_vars)
    one_zone = sparse.csr_array((np.ones(n_vars), (investor, columns)), shape=(n_investors, n_vars))
    room = sparse.csr_array((demand[investor], (zone, columns)), shape=(n_zones, n_vars))
    constraints = [
        LinearConstraint(one_zone, -np.inf, 1.0),
        LinearConstraint(room, -np.inf, np.nan_to_num(capacity, nan=0.0)),
    ]
    if formulation == "cardinality":
        column_of = np.full(scores.shape, -1, dtype=np.int64)
        column_of[investor, zone] = columns
        cuts = zone_cardinality_cuts(eligible, demand, capacity)
        if cuts:
            rows = np.repeat(np.arange(len(cuts)), [len(members) for _, members, _ in cuts])
            cut_columns = np.concatenate([column_of[members, z] for z, members, _ in cuts])
            constraints.append(LinearConstraint(
                sparse.csr_array((np.ones(rows.size), (rows, cut_columns)),
                                 shape=(len(cuts), n_vars)),
                -np.inf, np.array([float(k) for _, _, k in cuts])))
        info["cuts"] = len(cuts)
    started = time.perf_counter()
    with _quiet_stdout():
        solution = milp(
            c=-(scores[investor, zone] + PLACEMENT_BONUS),
            constraints=constraints,
            integrality=np.ones(n_vars, dtype=int),
            bounds=Bounds(0.0, 1.0),
            # a dict display, so that it is checked against milp's options
            options=({"mip_rel_gap": mip_rel_gap} if time_limit is None
                     else {"mip_rel_gap": mip_rel_gap, "time_limit": time_limit}),
        )
    info["seconds"] = round(time.perf_counter() - started, 3)
    info["status"] = "optimal" if solution.status == 0 else "time limit"
    # only pairs worth placing (a negative score would lower the total)
    worth = np.where(eligible & (np.nan_to_num(scores, nan=-np.inf) + PLACEMENT_BONUS > 0),
                     scores, np.nan)
    if solution.x is None:  # stopped before any allocation: nobody placed is feasible
        result = greedy_assign(worth, demand, capacity)
        info["found_by"] = "greedy"
    else:
        taken = solution.x > 0.5
        result[investor[taken]] = zone[taken]
    result, info["filled"] = fill_free_room(result, worth, demand, capacity)
    placed = result >= 0
    total = float(np.sum(scores[np.flatnonzero(placed), result[placed]] + PLACEMENT_BONUS))
    # milp minimises -(total): its dual bound is minus an upper bound of the total
    dual = getattr(solution, "mip_dual_bound", None)
    bound = -float(dual) if dual is not None and np.isfinite(dual) else float(
        np.sum(np.nanmax(np.where(np.isfinite(worth), worth + PLACEMENT_BONUS, 0.0), axis=1)))
    if info["status"] == "optimal" and info["found_by"] == "solver" and not info["filled"]:
        info["mip_gap"] = float(getattr(solution, "mip_gap", 0.0) or 0.0)
    else:
        info["mip_gap"] = max(0.0, (bound - total) / max(abs(bound), 1e-12)) if bound > 0 else 0.0
    return result, info


def fill_free_room(
    zone_of: NDArray[np.int64],
    scores: NDArray[np.float64],
    demand: NDArray[np.float64],
    capacity: NDArray[np.float64],
) -> tuple[NDArray[np.int64], int]:
    """Place every unplaced investor that still fits a zone it may go to (best score first).

    The placement bonus must hold whatever the solver's gap: an investor left out while a zone
    it scores (even 0) has room for it is placed there; the total only rises.

    Parameters
    ----------
    zone_of
        The allocation (zone index per investor, -1 for none); not changed.
    scores
        As for :func:`assign`, NaN where the investor may not go (or would lower the total).
    demand, capacity
        As for :func:`assign`.

    Returns
    -------
    zone_of : numpy.ndarray of int
        The allocation with the investors placed.
    filled : int
        How many were placed.

    Examples
    --------
    >>> fill_free_room(np.array([0, -1]), np.array([[0.9, np.nan], [np.nan, 0.0]]),
    ...                np.array([10.0, 10.0]), np.array([100.0, 100.0]))
    (array([0, 1]), 1)
    """
    result = zone_of.copy()
    left = np.nan_to_num(capacity, nan=-1.0).astype(float)
    np.subtract.at(left, result[result >= 0], demand[result >= 0])
    filled = 0
    waiting = np.flatnonzero((result < 0) & np.isfinite(scores).any(axis=1))
    best = np.nanmax(scores[waiting], axis=1) if waiting.size else np.empty(0)
    for i in waiting[np.argsort(-best, kind="stable")].tolist():
        fits = np.isfinite(scores[i]) & (left >= demand[i])
        if fits.any():
            z = int(np.nanargmax(np.where(fits, scores[i], np.nan)))
            result[i] = z
            left[z] -= demand[i]
            filled += 1
    return result, filled


def zone_cardinality_cuts(
    eligible: NDArray[np.bool_],
    demand: NDArray[np.float64],
    capacity: NDArray[np.float64],
    *,
    max_count: int = CARDINALITY_CUT_MAX_COUNT,
) -> list[tuple[int, NDArray[np.int64], int]]:
    """Per-zone cardinality inequalities ``sum_{i in S} x_iz <= k`` valid for every allocation.

    For zone ``z`` and its eligible investors sorted by floor area, largest first, ``S`` is a
    prefix (the ``j`` largest) and ``k`` the most of them that fit together in ``c_z``: the
    ``k`` smallest of ``S`` sum to at most ``c_z``, the ``k + 1`` smallest exceed it, so no
    ``k + 1`` members of ``S`` fit. ``k = 1`` is a clique (every two of ``S`` exceed the zone);
    the whole zone's ``S`` gives its head count. The linear relaxation of the capacity row does
    not imply them: it can spread fractions of many large investors over a zone.
    For each ``k``, only the largest such ``S`` is kept (it implies the smaller ones).

    Parameters
    ----------
    eligible : numpy.ndarray of bool, shape (n_investors, n_zones)
        The pairs that have a variable (the investor fits the zone and may be placed there).
    demand, capacity
        Floor areas (m²) and zone capacities (m²), as in :func:`assign`.
    max_count
        Keep the inequalities with ``k`` up to this, and each zone's head count; larger ``k``
        add many rows for little (``benchmarks/bench_allocation.py``).

    Returns
    -------
    list of (zone, investors, k)
        Zone index, the investors of ``S`` (indices), the right-hand side ``k``.

    Examples
    --------
    >>> eligible = np.ones((4, 1), dtype=bool)
    >>> [(z, members.tolist(), k) for z, members, k in zone_cardinality_cuts(
    ...     eligible, np.array([600.0, 500.0, 300.0, 200.0]), np.array([1000.0]))]
    [(0, [0, 1], 1), (0, [0, 1, 2], 2), (0, [0, 1, 2, 3], 3)]
    """
    cuts: list[tuple[int, NDArray[np.int64], int]] = []
    for z in range(eligible.shape[1]):
        members = np.flatnonzero(eligible[:, z])
        if members.size < 2:
            continue
        members = members[np.argsort(-demand[members], kind="stable")]
        prefix = np.concatenate([[0.0], np.cumsum(demand[members])])
        # the k smallest of the j largest are positions j-k .. j-1: fit iff
        # prefix[j] - prefix[j-k] <= c; the tolerance errs towards fitting (a weaker, safe cut)
        fits_from = np.searchsorted(prefix, prefix[1:] - capacity[z] * (1 + 1e-9) - 1e-9,
                                    side="left")
        sizes = np.arange(1, members.size + 1)
        most = sizes - fits_from
        largest_set: dict[int, int] = {}
        for j, k in zip(sizes.tolist(), most.tolist(), strict=True):
            if k < j and (k <= max_count or j == members.size):
                largest_set[k] = j
        cuts.extend((z, members[:j], k) for k, j in largest_set.items())
    return cuts


def greedy_assign(
    scores: NDArray[np.float64], demand: NDArray[np.float64], capacity: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Greedy baseline: repeatedly give the highest remaining (investor, zone) score that fits.

    Not optimal: kept to compare with :func:`assign`. Same parameters and result.

    Examples
    --------
    >>> scores = np.array([[0.9, 0.8], [0.85, 0.1]])
    >>> greedy_assign(scores, np.array([100.0, 100.0]), np.array([100.0, 100.0])).tolist()
    [0, 1]
    """
    left = np.nan_to_num(capacity, nan=-1.0).astype(float)
    result = np.full(scores.shape[0], -1, dtype=np.int64)
    order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), axis=None, kind="stable")
    for flat in order:
        i, z = divmod(int(flat), scores.shape[1])
        if not np.isfinite(scores[i, z]):
            break
        if result[i] < 0 and demand[i] <= left[z]:
            result[i] = z
            left[z] -= demand[i]
    return result


def _floor_area(
    item: Mapping[str, Any], normalised: Mapping[str, Any], position: int, name: str
) -> float:
    # The shortlist's normalised requirements may already derive it from the headcount.
    area = normalised.get("floor_area_m2")
    if area is None:
        area = item.get("floor_area_m2")
    if area is None and item.get("headcount") is not None:
        from matching.settings import M2_PER_SEAT

        area = float(item["headcount"]) * M2_PER_SEAT
    if area is None:
        raise DecisionsError(
            f"pipeline item {position + 1} ({name!r}): no floor_area_m2 (nor headcount to "
            f"derive it from); give the floor area the investor needs in m²."
        )
    return float(area)


def allocate(
    pipeline: Sequence[Mapping[str, Any]],
    sites: pd.DataFrame,
    *,
    source: str = "pipeline",
    time_limit: float | None = DEFAULT_TIME_LIMIT_S,
    mip_rel_gap: float = 1e-4,
) -> dict[str, Any]:
    """Allocate a pipeline of investors to zones, at most one zone each, within capacities.

    Parameters
    ----------
    pipeline
        Requirements documents (the requirements contract), each with a unique ``name`` and a
        ``floor_area_m2`` (or a ``headcount``, times ``matching.settings.M2_PER_SEAT``).
    sites
        The zones with their features, indexed by zone id; capacities are ``available_m2``.
    source
        The pipeline file name, for messages.
    time_limit
        Seconds for the solver (``None``: until proven optimal).
    mip_rel_gap
        Stop once the total is proven within this fraction of the best possible.

    Returns
    -------
    dict
        ``solver`` {status ("optimal" or "time limit"), mip_gap, variables, seconds};
        ``assignments`` [{investor, site_id, name, score, floor_area_m2}], ``unassigned``
        [{investor, reason}], ``total_score`` (sum of the assigned scores), ``zones``
        [{site_id, name, available_m2, allocated_m2, remaining_m2}] for the zones with a
        capacity, ``not_allocated_zones`` [{site_id, name, reason}] for those without, and
        ``method``. A pipeline nobody can be placed in is not an error: everyone is
        unassigned, each with the reason.

    Raises
    ------
    DecisionsError
        An empty pipeline, an item that is not a mapping, a missing or duplicate ``name``, a
        missing floor area, no ``available_m2`` column; a bad requirement raises the
        :class:`~matching.errors.RequirementsError` of :func:`matching.shortlist.make_shortlist`,
        prefixed with the investor's name.
    """
    from matching.errors import RequirementsError
    from matching.shortlist import make_shortlist

    if not pipeline:
        raise DecisionsError(f"{source}: the pipeline is empty; list requirements documents.")
    if "available_m2" not in sites.columns:
        raise DecisionsError(
            f"{source}: the zones have no available_m2 column, so no capacity is known; add "
            f"available_m2 (floor space free for new investors, m²) to the zones layer."
        )
    names: list[str] = []
    problems: list[str] = []
    for position, item in enumerate(pipeline):
        if not isinstance(item, Mapping):
            problems.append(f"item {position + 1} is not a requirements document (a mapping)")
            names.append("")
            continue
        name = str(item.get("name") or "").strip()
        if not name:
            problems.append(f"item {position + 1} has no name")
        elif name in names:
            problems.append(f"item {position + 1}: name {name!r} is used twice")
        names.append(name)
    if problems:
        raise DecisionsError(
            f"{source}: {len(problems)} problem(s); every investor needs its own name.",
            details=problems,
        )

    capacity = pd.to_numeric(sites["available_m2"], errors="coerce").to_numpy(dtype=float)
    site_ids = np.asarray(sites.index.astype(str))
    site_names = sites["name"].astype(str).to_numpy() if "name" in sites else site_ids
    position_of = {sid: z for z, sid in enumerate(site_ids)}
    scores = np.full((len(pipeline), len(sites)), np.nan)
    demand = np.empty(len(pipeline))
    nothing_ranked: dict[int, str] = {}
    warnings: list[str] = []
    for i, (item, name) in enumerate(zip(pipeline, names, strict=True)):
        try:
            shortlist = make_shortlist(dict(item), sites, robustness_draws=0)
            demand[i] = _floor_area(item, shortlist.get("requirements") or {}, i, name)
        except RequirementsError as exc:
            raise type(exc)(f"{source}, investor {name!r}: {exc.message}",
                            details=exc.details) from exc
        if not np.isfinite(demand[i]) or demand[i] <= 0:
            raise DecisionsError(
                f"{source}, investor {name!r}: floor_area_m2 must be a positive number of m²."
            )
        for entry in shortlist["ranked"]:
            scores[i, position_of[str(entry["id"])]] = float(entry["score"])
        if shortlist.get("method") == "weighted_sum" and shortlist.get("normalization") not in (
                "minmax", "values"):  # value functions: 0..1 too (issue 12)
            warnings.append(
                f"investor {name!r}: weighted_sum with normalization "
                f"{shortlist.get('normalization')} scores on its own scale, not 0..1; its "
                "scores are added to the others' as they are (use topsis or minmax to compare)"
            )
        if not shortlist["ranked"]:
            hint = shortlist.get("hint")
            nothing_ranked[i] = "every zone is excluded by its requirements" + (
                f" ({hint})" if hint else ""
            )

    chosen, solver = assign(scores, demand, capacity, time_limit=time_limit,
                            mip_rel_gap=mip_rel_gap)

    assignments: list[dict[str, Any]] = []
    unassigned: list[dict[str, Any]] = []
    for i, z in enumerate(chosen):
        if z >= 0:
            assignments.append({
                "investor": names[i], "site_id": str(site_ids[z]), "name": str(site_names[z]),
                "score": float(scores[i, z]), "floor_area_m2": float(demand[i]),
            })
        else:
            unassigned.append({"investor": names[i],
                               "reason": _reason(i, scores, demand, capacity, site_ids,
                                                 nothing_ranked, chosen, solver)})
    allocated = np.zeros(len(sites))
    np.add.at(allocated, chosen[chosen >= 0], demand[chosen >= 0])
    zones = [
        {"site_id": str(site_ids[z]), "name": str(site_names[z]),
         "available_m2": float(capacity[z]), "allocated_m2": float(allocated[z]),
         "remaining_m2": float(capacity[z] - allocated[z])}
        for z in np.flatnonzero(np.isfinite(capacity))
    ]
    not_allocated = [
        {"site_id": str(site_ids[z]), "name": str(site_names[z]),
         "reason": "available_m2 missing: the zone's free floor space is unknown, so it is not "
                   "allocated"}
        for z in np.flatnonzero(~np.isfinite(capacity))
    ]
    return {
        "assignments": assignments,
        "unassigned": unassigned,
        "total_score": float(sum(a["score"] for a in assignments)),
        "zones": zones,
        "not_allocated_zones": not_allocated,
        "warnings": warnings,
        "solver": solver,
        "method": "integer program (scipy.optimize.milp, HiGHS): at most one zone per "
                  "investor, floor area within available_m2, total shortlist score maximised",
    }


def _reason(
    i: int,
    scores: NDArray[np.float64],
    demand: NDArray[np.float64],
    capacity: NDArray[np.float64],
    site_ids: NDArray[Any],
    nothing_ranked: Mapping[int, str],
    chosen: NDArray[np.int64],
    solver: Mapping[str, Any],
) -> str:
    known = np.isfinite(capacity)
    if known.any() and demand[i] > np.nanmax(capacity):
        largest = int(np.nanargmax(capacity))
        return (f"needs {demand[i]:g} m²; the most any zone has available is "
                f"{capacity[largest]:g} m² ({site_ids[largest]})")
    if i in nothing_ranked:
        return nothing_ranked[i]
    ranked = np.isfinite(scores[i])
    fits = ranked & known & (np.nan_to_num(capacity, nan=-1.0) >= demand[i])
    if fits.any() and np.nanmax(np.where(fits, scores[i], np.nan)) + PLACEMENT_BONUS <= 0:
        return ("its scores in the zones that fit it are negative (its method scores on its own "
                "scale): placing it would lower the total score")
    if fits.any():
        # fill_free_room placed everyone who still fits: these zones' room went to others
        used = np.zeros(len(capacity))
        np.add.at(used, chosen[chosen >= 0], demand[chosen >= 0])
        listed = ", ".join(f"{site_ids[z]} ({capacity[z] - used[z]:g} m² left)"
                           for z in np.flatnonzero(fits)[:10])
        said = (f"needs {demand[i]:g} m²; the zones that fit it ({listed}) are allocated to "
                "other investors")
        if solver.get("status") == "optimal":
            return said + ", which gives a higher total score"
        return (said + f"; the solver stopped at its time limit (gap {solver.get('mip_gap', 0):.2g}"
                "), so this allocation is the best found, not proven the best: a longer "
                "--time-limit may place it")
    unknown = ranked & ~known
    return (f"needs {demand[i]:g} m²; no zone with a known available_m2 both meets its "
            "requirements and has that much room"
            + (" (zones it accepts whose capacity is unknown: "
               + ", ".join(site_ids[unknown][:10]) + ")" if unknown.any() else ""))
