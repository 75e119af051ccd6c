"""Capacity-aware allocation (matching.allocation)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from matching.allocation import (
    FORMULATIONS,
    allocate,
    assign,
    greedy_assign,
    zone_cardinality_cuts,
)
from matching.errors import DecisionsError, RequirementsError


def _total(scores, zone_of):
    return sum(scores[i, z] for i, z in enumerate(zone_of) if z >= 0)


def _feasible(zone_of, demand, capacity):
    used = np.zeros(len(capacity))
    for i, z in enumerate(zone_of):
        if z >= 0:
            used[z] += demand[i]
    return bool(np.all(used <= np.nan_to_num(capacity, nan=0.0) + 1e-9))


def _brute_force(scores, demand, capacity):
    n, m = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, m), repeat=n):
        if any(z >= 0 and not np.isfinite(scores[i, z]) for i, z in enumerate(choice)):
            continue
        if _feasible(choice, demand, capacity):
            best = max(best, _total(scores, choice))
    return best


def test_greedy_loses_where_the_integer_program_wins():
    # Investor 0 is happy in either zone; investor 1 only in zone 0. Greedy gives zone 0 to
    # investor 0 (its single best score, 0.9), leaving investor 1 the poor zone 1.
    scores = np.array([[0.90, 0.80], [0.85, 0.10]])
    demand = np.array([1000.0, 1000.0])
    capacity = np.array([1000.0, 1000.0])
    greedy = greedy_assign(scores, demand, capacity)
    exact, solver = assign(scores, demand, capacity)
    assert greedy.tolist() == [0, 1] and _total(scores, greedy) == pytest.approx(1.0)
    assert exact.tolist() == [1, 0] and _total(scores, exact) == pytest.approx(1.65)
    assert solver["status"] == "optimal"


def test_greedy_loses_on_floor_area_too():
    # One large zone: greedy fills it with the best-scoring big investor; two smaller ones
    # together score more.
    scores = np.array([[0.9], [0.6], [0.6]])
    demand = np.array([1000.0, 500.0, 500.0])
    capacity = np.array([1000.0])
    assert _total(scores, greedy_assign(scores, demand, capacity)) == pytest.approx(0.9)
    zone_of, _ = assign(scores, demand, capacity)
    assert zone_of.tolist() == [-1, 0, 0]


@pytest.mark.parametrize("formulation", FORMULATIONS)
@pytest.mark.parametrize("seed", range(6))
def test_assignment_is_optimal_on_small_random_instances(seed, formulation):
    rng = np.random.default_rng(seed)
    scores = rng.random((5, 3))
    scores[rng.random(scores.shape) < 0.2] = np.nan
    demand = rng.integers(1, 6, 5).astype(float) * 100
    capacity = rng.integers(2, 9, 3).astype(float) * 100
    zone_of, solver = assign(scores, demand, capacity, formulation=formulation)
    assert solver["status"] == "optimal"
    assert _feasible(zone_of, demand, capacity)
    assert all(np.isfinite(scores[i, z]) for i, z in enumerate(zone_of) if z >= 0)
    assert _total(scores, zone_of) == pytest.approx(_brute_force(scores, demand, capacity))
    assert _total(scores, zone_of) >= _total(scores, greedy_assign(scores, demand, capacity)) - 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_cardinality_cuts_hold_for_every_set_that_fits_and_cut_something(seed):
    # Every subset of a zone's investors that fits its capacity satisfies every inequality,
    # and each inequality excludes at least one subset (it is not trivially true).
    rng = np.random.default_rng(seed)
    n = 8
    demand = rng.integers(2, 12, n).astype(float) * 100
    capacity = np.array([1500.0, 2300.0])
    eligible = rng.random((n, 2)) < 0.8
    eligible &= demand[:, None] <= capacity[None, :]
    cuts = zone_cardinality_cuts(eligible, demand, capacity, max_count=n)
    assert cuts
    for z, members, k in cuts:
        assert eligible[members, z].all() and k < len(members)
        fits = [subset for size in range(len(members) + 1)
                for subset in itertools.combinations(members.tolist(), size)
                if demand[list(subset)].sum() <= capacity[z]]
        assert max(len(subset) for subset in fits) == k


def test_cardinality_cuts_clique_and_head_count():
    # 600 and 500 cannot share 1000 m² (a clique), nor can any three of the four.
    eligible = np.ones((4, 1), dtype=bool)
    cuts = zone_cardinality_cuts(eligible, np.array([600.0, 500.0, 300.0, 200.0]),
                                 np.array([1000.0]), max_count=1)
    assert [(members.tolist(), k) for _, members, k in cuts] == [([0, 1], 1), ([0, 1, 2, 3], 3)]


def test_unknown_formulation():
    with pytest.raises(ValueError, match="formulation must be one of plain, cardinality"):
        assign(np.array([[0.5]]), np.array([1.0]), np.array([2.0]), formulation="tight")


def test_zone_without_capacity_gets_nobody():
    scores = np.array([[0.9, 0.1]])
    zone_of, _ = assign(scores, np.array([10.0]), np.array([np.nan, 100.0]))
    assert zone_of.tolist() == [1]


def test_a_zero_score_still_places_the_investor():
    zone_of, _ = assign(np.array([[0.0]]), np.array([10.0]), np.array([100.0]))
    assert zone_of.tolist() == [0]


# ----------------------------------------------------------------- allocate() on zones


@pytest.fixture
def sites() -> pd.DataFrame:
    return pd.DataFrame(
        {"name": ["Alpha", "Beta", "Gamma"], "labour": [100.0, 80.0, 60.0],
         "rent": [120.0, 60.0, 90.0], "available_m2": [2000.0, 1500.0, np.nan]},
        index=pd.Index(["alpha", "beta", "gamma"], name="id"),
    )


def _investor(name, area, *, rent_weight=1.0, labour_weight=1.0, **extra):
    return {"name": name, "floor_area_m2": area,
            "criteria": [{"column": "labour", "direction": "benefit", "weight": labour_weight},
                         {"column": "rent", "direction": "cost", "weight": rent_weight}],
            **extra}


def test_allocate_respects_capacities_and_reports_zones_without_available_m2(sites):
    pipeline = [_investor("A", 1500), _investor("B", 1000), _investor("C", 1200)]
    result = allocate(pipeline, sites)
    assert set(result) >= {"assignments", "unassigned", "total_score", "not_allocated_zones"}
    placed = {a["investor"]: a["site_id"] for a in result["assignments"]}
    used = {z["site_id"]: z["allocated_m2"] for z in result["zones"]}
    assert used["alpha"] <= 2000 and used["beta"] <= 1500
    assert "gamma" not in placed.values()
    [gamma] = result["not_allocated_zones"]
    assert gamma["site_id"] == "gamma" and gamma["reason"].startswith("available_m2 missing")
    assert len(placed) == 2 and len(result["unassigned"]) == 1
    assert result["total_score"] == pytest.approx(sum(a["score"] for a in result["assignments"]))
    left_out = result["unassigned"][0]
    assert "allocated to other investors" in left_out["reason"]


def test_pipeline_nobody_can_be_placed_in_is_not_an_error(sites):
    pipeline = [_investor("Huge", 50_000), _investor("Picky", 100, constraints=[
        {"column": "rent", "op": "<", "value": 10}]), _investor("Cheap", 1800, constraints=[
        {"column": "rent", "op": "<=", "value": 100}])]
    result = allocate(pipeline, sites)
    assert result["assignments"] == [] and result["total_score"] == 0
    reasons = {u["investor"]: u["reason"] for u in result["unassigned"]}
    assert reasons["Huge"] == ("needs 50000 m²; the most any zone has available is 2000 m² "
                               "(alpha)")
    assert "every zone is excluded" in reasons["Picky"] and "rent" in reasons["Picky"]
    # alpha is too dear, beta too small, gamma publishes no capacity
    assert reasons["Cheap"] == ("needs 1800 m²; no zone with a known available_m2 both meets its "
                                "requirements and has that much room (zones it accepts whose "
                                "capacity is unknown: gamma)")


def test_headcount_gives_the_floor_area(sites):
    from matching.settings import M2_PER_SEAT

    item = _investor("H", None)
    del item["floor_area_m2"]
    item["headcount"] = 100
    result = allocate([item], sites)
    assert result["assignments"][0]["floor_area_m2"] == 100 * M2_PER_SEAT


@pytest.mark.parametrize(
    ("pipeline", "message"),
    [
        ([], "the pipeline is empty"),
        ([{"floor_area_m2": 10, "criteria": [{"column": "labour", "direction": "benefit"}]}],
         "item 1 has no name"),
        ([_investor("A", 10), _investor("A", 20)], "name 'A' is used twice"),
        (["not a mapping"], "item 1 is not a requirements document"),
        ([{"name": "N", "criteria": [{"column": "labour", "direction": "benefit"}]}],
         "'N'\\): no floor_area_m2"),
    ],
)
def test_bad_pipelines(sites, pipeline, message):
    with pytest.raises(DecisionsError, match=message):
        allocate(pipeline, sites, source="PIPELINE.yaml")


def test_bad_requirement_names_the_investor(sites):
    bad = _investor("Zed", 10)
    bad["criteria"][0]["column"] = "nope"
    with pytest.raises(RequirementsError, match="PIPELINE.yaml, investor 'Zed'"):
        allocate([bad], sites, source="PIPELINE.yaml")


def test_zones_without_the_available_m2_column(sites):
    with pytest.raises(DecisionsError, match="no available_m2 column"):
        allocate([_investor("A", 10)], sites.drop(columns="available_m2"))


def test_scores_on_their_own_scale_are_flagged_and_negative_ones_not_placed(sites):
    own_scale = {"name": "Learned", "floor_area_m2": 100, "method": "weighted_sum",
                 "normalization": "none",
                 "criteria": [{"column": "rent", "direction": "cost", "weight": 1}]}
    result = allocate([own_scale, _investor("Plain", 100)], sites)
    assert [a["investor"] for a in result["assignments"]] == ["Plain"]
    [left_out] = result["unassigned"]
    assert left_out["investor"] == "Learned" and "negative" in left_out["reason"]
    assert len(result["warnings"]) == 1 and "'Learned'" in result["warnings"][0]
    assert "normalization none" in result["warnings"][0]


# ----------------------------------------------------------------- issue 12: loose ends


def _solver_that_stops(keep, **changes):
    """scipy's milp, then forgetting the placements ``keep`` rejects, as a solver stopped
    within its gap (or at its time limit) may: ``keep(x)`` gives the solution it returns;
    ``changes`` other fields of its result."""
    from scipy.optimize import milp as real_milp

    def stopped(*args, **kwargs):
        result = real_milp(*args, **kwargs)
        return type(result)({**result, "x": keep(result.x), "status": 1,
                             "message": "Time limit reached.", **changes})
    return stopped


def test_fill_free_room_places_whoever_still_fits_best_score_first():
    scores = np.array([[0.9, np.nan], [0.5, 0.0], [np.nan, 0.2]])
    from matching.allocation import fill_free_room

    zone_of, filled = fill_free_room(np.array([-1, -1, -1]), scores,
                                     np.array([60.0, 60.0, 60.0]), np.array([100.0, 100.0]))
    # investor 0 (best 0.9) takes zone 0; investor 1 then fits only zone 1 (score 0);
    # investor 2 finds zone 1 full
    assert zone_of.tolist() == [0, 1, -1] and filled == 2


def test_placement_bonus_holds_when_the_solver_stops_within_its_gap(monkeypatch):
    import scipy.optimize

    # The solver leaves out the last investor (score 0 in its only zone, which has room): its
    # 1e-6 is within any gap. The bonus must hold all the same.
    scores = np.array([[0.9, np.nan], [0.8, np.nan], [np.nan, 0.0]])
    monkeypatch.setattr(scipy.optimize, "milp", _solver_that_stops(
        lambda x: np.where(np.arange(x.size) == x.size - 1, 0.0, x)))
    zone_of, solver = assign(scores, np.array([10.0, 10.0, 10.0]), np.array([100.0, 100.0]))
    assert zone_of.tolist() == [0, 0, 1]
    assert solver["filled"] == 1 and solver["found_by"] == "solver"


def test_an_investor_whose_only_zone_scores_zero_is_placed(sites):
    # Zero accepts beta and gamma; beta is its anti-ideal (TOPSIS score 0) and gamma has no
    # known capacity: beta, with room, is its only place, and the bonus must put it there
    zero = {"name": "Zero", "floor_area_m2": 100,
            "constraints": [{"column": "labour", "op": "<=", "value": 90}],
            "criteria": [{"column": "labour", "direction": "cost"}]}
    result = allocate([_investor("Other", 1000), zero], sites)
    placed = {a["investor"]: (a["site_id"], a["score"]) for a in result["assignments"]}
    assert placed["Zero"] == ("beta", 0.0)
    assert result["unassigned"] == []


def test_no_solution_within_the_time_limit_returns_the_greedy_allocation_with_its_gap(
        monkeypatch, sites):
    import scipy.optimize

    # the greedy-loses instance: greedy totals 1.00 of a possible 1.65
    scores = np.array([[0.90, 0.80], [0.85, 0.10]])
    demand, capacity = np.array([100.0, 100.0]), np.array([100.0, 100.0])
    monkeypatch.setattr(scipy.optimize, "milp", _solver_that_stops(lambda x: None))
    zone_of, solver = assign(scores, demand, capacity, time_limit=0.05)
    assert zone_of.tolist() == [0, 1]
    assert solver["status"] == "time limit" and solver["found_by"] == "greedy"
    # the gap to the solver's bound (here the optimum, 1.65)
    assert solver["mip_gap"] == pytest.approx((1.65 - 1.0) / 1.65, abs=1e-5)
    # no bound from the solver: the gap to the sum of each one's best score, 0.90 + 0.85
    monkeypatch.setattr(scipy.optimize, "milp", _solver_that_stops(
        lambda x: None, mip_dual_bound=np.nan))
    zone_of, solver = assign(scores, demand, capacity, time_limit=0.05)
    assert zone_of.tolist() == [0, 1]
    assert solver["mip_gap"] == pytest.approx((1.75 - 1.0) / 1.75, abs=1e-5)


def test_reasons_do_not_claim_optimality_when_the_solver_stopped(monkeypatch, sites):
    import scipy.optimize

    pipeline = [_investor("A", 1500), _investor("B", 1000), _investor("C", 1200)]
    optimal = allocate(pipeline, sites)
    [left_out] = optimal["unassigned"]
    assert left_out["reason"].endswith("which gives a higher total score")
    monkeypatch.setattr(scipy.optimize, "milp", _solver_that_stops(lambda x: x))
    stopped = allocate(pipeline, sites, time_limit=0.05)
    assert stopped["solver"]["status"] == "time limit"
    [left_out] = stopped["unassigned"]
    assert "higher total score" not in left_out["reason"]
    assert "stopped at its time limit" in left_out["reason"]
    assert "not proven the best" in left_out["reason"]
    assert "m² left" in left_out["reason"]
