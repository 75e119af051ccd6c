"""Value functions (matching.values) and what a weight means (issue 12, parts 1 and 2):
the functions, their validation, the shortlist scoring values, swing weights on the shipped
data and on a fixture, and the done-when test of the CRM preset."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import valleys
from matching import mcda, values
from matching.errors import RequirementsError
from matching.presets import PRESETS
from matching.requirements import parse_requirements
from matching.schema import Shortlist
from matching.shortlist import make_shortlist
from matching.values import ValueSpec

# --------------------------------------------------------------------------- the functions


def test_linear_spans_the_ranked_zones_best_is_one():
    x = np.array([40.0, 50.0, 60.0])
    np.testing.assert_allclose(values.linear(x), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(values.linear(x, benefit=False), [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(values.linear(np.full(4, 7.0)), 0.0)  # no swing: no value


def test_log_gives_equal_steps_to_equal_ratios_and_linear_on_the_log():
    x = np.array([50_000.0, 500_000.0, 5_000_000.0])
    np.testing.assert_allclose(values.logarithmic(x), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(values.logarithmic(x, benefit=False), [1.0, 0.5, 0.0])
    y = np.array([3.0, 17.0, 250.0, 1e6])
    np.testing.assert_allclose(values.logarithmic(y), values.linear(np.log(y)))


def test_threshold_is_flat_beyond_the_floor_and_past_the_target():
    # benefit: 0 up to the floor, 1 from the target
    np.testing.assert_allclose(values.threshold([10, 40, 45, 60, 90], floor=40, target=60),
                               [0, 0, 0.25, 1, 1])
    # cost (the floor is the worst acceptable value): a university within 10 km is as good as
    # one on site, one past 50 km is worth nothing
    np.testing.assert_allclose(values.threshold([0, 10, 30, 50, 200], floor=50, target=10),
                               [1, 1, 0.5, 0, 0])


def test_none_keeps_a_zero_one_value_and_reverses_a_cost():
    np.testing.assert_allclose(values.identity([0.2, 0.9]), [0.2, 0.9])
    np.testing.assert_allclose(values.identity([0.2, 0.9], benefit=False), [0.8, 0.1])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 12), st.just(4)),
              elements=st.floats(0.5, 1e6)),
       st.lists(st.booleans(), min_size=4, max_size=4))
def test_every_value_is_in_the_unit_interval_and_order_follows_direction(matrix, benefit):
    specs = [ValueSpec("linear", benefit[0]), ValueSpec("log", benefit[1]),
             ValueSpec("threshold", benefit[2], *((10.0, 1e5) if benefit[2] else (1e5, 10.0))),
             ValueSpec("linear", benefit[3])]
    v = values.value_matrix(matrix, specs)
    assert np.all((v >= 0) & (v <= 1))
    for j, b in enumerate(benefit):
        order = np.argsort(matrix[:, j], kind="stable")
        sign = 1 if b else -1
        assert np.all(np.diff(sign * v[order, j]) >= -1e-12)  # monotone in the direction


def test_linear_handles_values_near_the_float_limits():
    np.testing.assert_allclose(values.linear([-1e308, 0.0, 1e308]), [0.0, 0.5, 1.0])


@pytest.mark.parametrize("n_sites", [7, 5000])  # the direct and the blocked TOPSIS
def test_core_inputs_give_topsis_of_the_values_without_copying_linear_columns(n_sites):
    rng = np.random.default_rng(n_sites)
    matrix = rng.uniform(1.0, 100.0, size=(n_sites, 5))
    specs = [ValueSpec("linear", True), ValueSpec("log", False),
             ValueSpec("threshold", False, 80.0, 20.0), ValueSpec("linear", False),
             ValueSpec("none", True)]
    matrix[:, 4] /= 100.0
    weights = np.array([5.0, 1.0, 3.0, 2.0, 1.0])
    expected = mcda.topsis(values.value_matrix(matrix, specs), weights, [True] * 5, "none")
    core_matrix, core_weights, core_benefit = values.core_inputs(matrix, weights, specs)
    np.testing.assert_allclose(mcda.topsis(core_matrix, core_weights, core_benefit, "minmax"),
                               expected, rtol=0, atol=1e-12)
    linear_only = [ValueSpec("linear", b) for b in (True, False, True, False, True)]
    same, _, _ = values.core_inputs(matrix, weights, linear_only)
    assert same is matrix


def test_core_inputs_saturated_everywhere_scores_one_half():
    matrix = np.array([[5.0], [8.0], [9.0]])
    core = values.core_inputs(matrix, [1.0], [ValueSpec("threshold", False, 50.0, 10.0)])
    np.testing.assert_array_equal(mcda.topsis(*core, "minmax"), 0.5)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("criterion", "expected"), [
    ({"value": "threshold"}, "needs floor and target"),
    ({"value": "threshold", "floor": 10}, "needs target"),
    ({"value": "threshold", "floor": 10, "target": 10}, "both 10; give two different values"),
    ({"value": "threshold", "floor": 60, "target": 40}, "target must be above its floor"),
    ({"value": "threshold", "direction": "cost", "floor": 10, "target": 50},
     "target must be below its floor"),
    ({"value": "threshold", "floor": "low", "target": 40}, "criteria[0].floor"),
    ({"value": "threshold", "floor": float("nan"), "target": 40}, "criteria[0].floor"),
    ({"value": "log", "floor": 3}, "floor applies only to value: threshold"),
    ({"floor": 3, "target": 9}, "floor and target apply only to value: threshold"),
    ({"value": "cubic"}, "criteria[0].value (column catchment_labour_active): unknown value 'cubic'"),
    ({"value": 3}, "criteria[0].value"),
])
def test_bad_value_functions_are_refused_naming_the_criterion(criterion, expected):
    entry = {"column": "catchment_labour_active", "direction": "benefit", **criterion}
    with pytest.raises(RequirementsError) as caught:
        parse_requirements({"criteria": [entry]})
    assert expected in str(caught.value)
    assert "criteria[0]" in str(caught.value)


def test_a_value_function_with_a_published_normalisation_is_refused():
    with pytest.raises(RequirementsError, match=r"criteria\[1\]\.value: value functions apply "
                                                r"with normalization values"):
        parse_requirements({"normalization": "vector", "criteria": [
            {"column": "a", "direction": "benefit"},
            {"column": "b", "direction": "cost", "value": "log"}]})


@pytest.fixture
def zones() -> pd.DataFrame:
    """Seven zones: a skewed count, a share, a rent and a distance."""
    return pd.DataFrame({
        "name": [f"Zone {c}" for c in "ABCDEFG"],
        "labour": [1_700_000.0, 60_000.0, 450_000.0, 50_000.0, 900_000.0, 120_000.0, 300_000.0],
        "french_pct": [52.0, 60.0, 41.0, 58.0, 44.0, 55.0, 49.0],
        "rent": [110.0, 70.0, 90.0, 60.0, 120.0, 80.0, 100.0],
        "airport_km": [12.0, 45.0, 8.0, 90.0, 20.0, 25.0, 140.0],
        "score_01": [0.9, 0.2, 0.5, 0.1, 0.7, 0.4, 0.3],
    }, index=list("abcdefg"))


def _criteria(**weights):
    base = {"labour": {"direction": "benefit", "value": "log"},
            "french_pct": {"direction": "benefit"},
            "rent": {"direction": "cost"},
            "airport_km": {"direction": "cost", "value": "threshold", "floor": 100.0,
                           "target": 15.0}}
    return [{"column": c, **spec, "weight": weights.get(c, 1.0)} for c, spec in base.items()]


@pytest.mark.parametrize(("entry", "expected"), [
    ({"column": "labour", "direction": "benefit", "value": "log"}, None),
    ({"column": "french_pct", "direction": "benefit", "value": "none"},
     "french_pct: value function 'none' needs values between 0 and 1; they run from 41 to 60"),
    ({"column": "shifted", "direction": "benefit", "value": "log"},
     "shifted: value function 'log' needs values > 0; the smallest is 0"),
    ({"column": "infinite", "direction": "cost"}, "infinite: 1 value(s) are not finite"),
])
def test_values_the_data_cannot_take_are_refused_naming_the_column(zones, entry, expected):
    zones = zones.assign(shifted=zones["labour"] - 50_000.0,
                         infinite=[1.0, 2.0, math.inf, 4.0, 5.0, 6.0, 7.0])
    requirement = {"criteria": [entry, {"column": "rent", "direction": "cost"}]}
    if expected is None:
        assert make_shortlist(requirement, zones, robustness_draws=0)["ranked"]
        return
    with pytest.raises(RequirementsError) as caught:
        make_shortlist(requirement, zones, robustness_draws=0, source="req.yaml")
    assert str(caught.value).startswith("req.yaml: 1 column cannot be valued")
    assert caught.value.details[0].startswith(expected)


def test_an_infinite_value_under_a_published_normalisation_is_refused_too(zones):
    zones = zones.assign(rent=[110.0, math.inf, 90.0, 60.0, 120.0, 80.0, 100.0])
    with pytest.raises(RequirementsError, match="rent: 1 value"):
        make_shortlist({"normalization": "vector", "criteria": [
            {"column": "rent", "direction": "cost"}, {"column": "labour", "direction": "benefit"}]},
            zones, robustness_draws=0)


# --------------------------------------------------------------------------- the shortlist


def test_the_shortlist_scores_the_values_and_records_the_value_functions(zones):
    result = make_shortlist({"criteria": _criteria(labour=3)}, zones, robustness_draws=0)
    Shortlist.model_validate(result)
    assert result["normalization"] == "values"
    applied = {c["column"]: c for c in result["criteria"]}
    assert applied["labour"]["value"] == "log"
    assert applied["french_pct"]["value"] == "linear"  # the default
    assert (applied["airport_km"]["floor"], applied["airport_km"]["target"]) == (100.0, 15.0)
    assert "floor" not in applied["rent"]
    specs = [ValueSpec("log", True), ValueSpec("linear", True), ValueSpec("linear", False),
             ValueSpec("threshold", False, 100.0, 15.0)]
    columns = ["labour", "french_pct", "rent", "airport_km"]
    value = values.value_matrix(zones[columns].to_numpy(), specs)
    expected = dict(zip(zones.index, mcda.topsis(value, [3, 1, 1, 1], [True] * 4, "none"),
                        strict=True))
    for entry in result["ranked"]:
        assert entry["score"] == pytest.approx(expected[entry["id"]], abs=1e-12)
        assert sum(entry["contributions"].values()) == pytest.approx(entry["score"], abs=1e-12)
        assert entry["values"]["labour"] == zones.loc[entry["id"], "labour"]  # raw, not values


def test_weighted_sum_on_values_is_the_sum_of_weight_times_value(zones):
    result = make_shortlist({"method": "weighted_sum", "criteria": _criteria(rent=2)}, zones,
                            robustness_draws=0)
    assert result["normalization"] == "values"
    by_id = {e["id"]: e for e in result["ranked"]}
    a = by_id["a"]  # the largest pool (value 1), dearest rent but one (value 1/6)
    assert a["contributions"]["labour"] == pytest.approx(1 / 5)
    assert a["contributions"]["rent"] == pytest.approx(2 / 5 * (120 - 110) / 60)
    assert a["contributions"]["airport_km"] == pytest.approx(1 / 5)  # within the target
    assert a["score"] == pytest.approx(sum(a["contributions"].values()))


def test_a_published_normalisation_scores_the_raw_columns_and_records_no_value(zones):
    requirement = {"normalization": "vector", "criteria": [
        {"column": "labour", "direction": "benefit", "weight": 2},
        {"column": "rent", "direction": "cost"}]}
    result = make_shortlist(requirement, zones, robustness_draws=0)
    assert [c["value"] for c in result["criteria"]] == [None, None]
    expected = mcda.topsis(zones[["labour", "rent"]].to_numpy(), [2, 1], [True, False], "vector")
    by_id = {e["id"]: e["score"] for e in result["ranked"]}
    np.testing.assert_allclose([by_id[z] for z in zones.index], expected, atol=1e-12)


def test_a_preset_under_a_published_normalisation_drops_its_value_functions():
    sites = pd.DataFrame({"name": ["A", "B", "C"], "status": ["operating"] * 3,
                          "catchment_labour_active": [1e6, 2e5, 5e4],
                          "rent_mad_m2_month": [100.0, 80.0, 60.0]}, index=list("abc"))
    result = make_shortlist({"activity": "CRM", "normalization": "minmax"}, sites,
                            robustness_draws=0)
    assert all(c["value"] is None for c in result["criteria"])
    valued = make_shortlist({"activity": "CRM"}, sites, robustness_draws=0)
    assert {c["column"]: c["value"] for c in valued["criteria"]} == {
        "catchment_labour_active": "log", "rent_mad_m2_month": "linear"}


def test_every_preset_criterion_names_a_value_function_and_the_docs_say_why():
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "requirements.md").read_text()
    for preset in PRESETS.values():
        for criterion in preset["criteria"]:
            assert criterion.get("value") in values.VALUE_FUNCTIONS
            if criterion["value"] == "threshold":
                assert f"`{criterion['column']}` is a `threshold`" in docs or (
                    f"`{criterion['column']}` one" in docs)
    assert "swing weight" in docs.lower()
    for kind in ("`log`", "`threshold`", "`linear`", "`none`"):
        assert kind in docs


# --------------------------------------------------------------------------- swing weights


def _spread_and_weight_shares(result):
    """Per criterion whose value varies over the ranked zones: (spread share, weight share)."""
    columns = [c["column"] for c in result["criteria"]]
    contributions = np.array([[e["contributions"][c] for c in columns] for e in result["ranked"]])
    spread = contributions.max(axis=0) - contributions.min(axis=0)
    weights = np.array([result["weights"][c] for c in columns])
    varies = spread > 1e-12
    return (columns, varies, spread[varies] / spread[varies].sum(),
            weights[varies] / weights[varies].sum())


def _assert_weights_mean_swing(result):
    columns, varies, spread_share, weight_share = _spread_and_weight_shares(result)
    assert varies.sum() >= 2, "too few criteria vary to test anything"
    gaps = dict(zip([c for c, v in zip(columns, varies, strict=True) if v],
                    np.abs(spread_share - weight_share), strict=True))
    assert max(gaps.values()) <= 0.10, gaps


@pytest.mark.parametrize("weights", [{}, {"labour": 5}, {"french_pct": 4, "rent": 2},
                                     {"airport_km": 5, "labour": 0.5}])
def test_weights_mean_swing_on_a_fixture(zones, weights):
    """TOPSIS (the default method): each criterion's share of the spread of contributions is
    within 10 points of its weight's share, whatever the unit or skew of its column."""
    result = make_shortlist({"criteria": _criteria(**weights)}, zones, robustness_draws=0)
    assert result["method"] == "topsis"
    _assert_weights_mean_swing(result)


def test_the_old_vector_normalisation_did_not_mean_swing(zones):
    """Why value functions: vector normalisation lets the skewed count dominate."""
    criteria = [{k: v for k, v in c.items() if k not in ("value", "floor", "target")}
                for c in _criteria()]
    result = make_shortlist({"criteria": criteria, "normalization": "vector"}, zones,
                            robustness_draws=0)
    _, _, spread_share, weight_share = _spread_and_weight_shares(result)
    assert np.abs(spread_share - weight_share).max() > 0.10


def test_a_saturated_threshold_is_left_out_of_both_shares(zones):
    criteria = _criteria(airport_km=3)
    criteria[3].update(floor=500.0, target=200.0)  # every zone within the target: value 1
    result = make_shortlist({"criteria": criteria}, zones, robustness_draws=0)
    columns, varies, _, _ = _spread_and_weight_shares(result)
    assert not varies[columns.index("airport_km")]
    assert all(e["contributions"]["airport_km"] == 0 for e in result["ranked"])
    _assert_weights_mean_swing(result)


@pytest.mark.parametrize(("floor", "target", "code", "said"), [
    (500.0, 200.0, "warning.threshold_all_full", "reaches its target (200 km)"),
    (5.0, 1.0, "warning.threshold_all_worthless", "no ranked zone does better than its floor (5 km)"),
    (100.0, 15.0, None, None),  # the airports spread over the floor and the target: no warning
])
def test_a_saturated_threshold_is_said_in_the_warnings(zones, floor, target, code, said):
    criteria = _criteria()
    criteria[3].update(floor=floor, target=target)
    zones = zones.rename(columns={"airport_km": "airports_km"})  # a known unit: km
    criteria[3]["column"] = "airports_km"
    result = make_shortlist({"criteria": criteria}, zones, robustness_draws=0)
    found = [m for m in result["messages"] if m["code"].startswith("warning.threshold_all")]
    if code is None:
        assert found == []
        return
    assert [m["code"] for m in found] == [code]
    assert said in found[0]["text"] and found[0]["text"] in result["warnings"]
    assert found[0]["params"]["column"] == "airports_km"


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return valleys.load_sites()


@pytest.mark.parametrize("activity", sorted(PRESETS))
def test_weights_mean_swing_on_the_shipped_data(shipped, activity):
    result = make_shortlist({"activity": activity}, shipped, robustness_draws=0)
    assert result["method"] == "topsis" and len(result["ranked"]) >= 3
    _assert_weights_mean_swing(result)


def test_contributions_are_a_stacked_bar_per_zone(shipped):
    result = make_shortlist({"activity": "CRM"}, shipped, robustness_draws=0)
    columns = [c["column"] for c in result["criteria"]]
    for entry in result["ranked"]:
        assert list(entry["contributions"]) == columns
        assert all(part >= 0 for part in entry["contributions"].values())
        assert sum(entry["contributions"].values()) == pytest.approx(entry["score"], abs=1e-12)


# --------------------------------------------------------------------------- done when


def _in_best_third(entries, column, direction, zone):
    """Whether ``zone`` is among the best third of the ranked zones on ``column`` (its raw
    value, a missing one as the value scored; ties count with the better)."""
    def value(entry):
        raw = entry["values"][column]
        return entry["imputed"].get(column) if raw is None else raw
    sign = 1 if direction == "benefit" else -1
    ordered = sorted((sign * value(e) for e in entries), reverse=True)
    cut = ordered[math.ceil(len(entries) / 3) - 1]
    return sign * value(next(e for e in entries if e["id"] == zone)) >= cut


def test_raising_one_weight_moves_a_zone_good_on_it_to_first_crm_shipped(shipped):
    """Done when (issue 12): on the shipped data with the CRM preset, raising one criterion's
    weight from 1 to 5 (others 1) puts first a zone in the best third on that criterion, for
    each criterion on which the zone first at equal weights is not in the best third."""
    preset = PRESETS["CRM"]
    keep = ("column", "direction", "missing", "value", "floor", "target")
    base = [{k: v for k, v in c.items() if k in keep} for c in preset["criteria"]]

    def first(weights):
        criteria = [{**c, "weight": w} for c, w in zip(base, weights, strict=True)]
        return make_shortlist({"activity": "CRM", "criteria": criteria}, shipped,
                              robustness_draws=0)

    equal = first([1.0] * len(base))
    leader = equal["ranked"][0]["id"]
    tested = 0
    for j, criterion in enumerate(base):
        if _in_best_third(equal["ranked"], criterion["column"], criterion["direction"], leader):
            continue
        tested += 1
        weights = [1.0] * len(base)
        weights[j] = 5.0
        raised = first(weights)
        top = raised["ranked"][0]["id"]
        assert _in_best_third(equal["ranked"], criterion["column"], criterion["direction"],
                              top), (criterion["column"], leader, top)
    assert tested >= 1  # the data gives the test something to check


def test_huge_and_tiny_columns_under_a_published_normalisation_score_as_rescaled(zones):
    """~1e155 gave NaN scores (and an export's "zones are malformed"), ~1e-170 every zone 0.5."""
    requirement = {"normalization": "none", "criteria": [
        {"column": "labour", "direction": "benefit"}, {"column": "rent", "direction": "cost"}]}
    expected = make_shortlist(requirement, zones, robustness_draws=0)
    for factor in (1e155, 1e-170):
        scaled = zones.assign(labour=zones["labour"] * factor, rent=zones["rent"] * factor)
        got = make_shortlist(requirement, scaled, robustness_draws=0)
        assert [e["id"] for e in got["ranked"]] == [e["id"] for e in expected["ranked"]]
        np.testing.assert_allclose([e["score"] for e in got["ranked"]],
                                   [e["score"] for e in expected["ranked"]], rtol=1e-9)


@pytest.mark.parametrize("n_sites", [7, 5000, 40_000])  # direct, blocked, several blocks
def test_topsis_of_values_is_topsis_of_the_value_matrix(n_sites):
    rng = np.random.default_rng(n_sites)
    matrix = rng.uniform(1.0, 100.0, size=(n_sites, 6))
    matrix[:, 5] /= 100.0
    specs = [ValueSpec("linear", True), ValueSpec("log", False), ValueSpec("log", True),
             ValueSpec("threshold", False, 80.0, 20.0), ValueSpec("threshold", True, 30.0, 60.0),
             ValueSpec("none", False)]
    weights = [5.0, 1.0, 2.0, 3.0, 2.0, 1.0]
    expected = mcda.topsis(values.value_matrix(matrix, specs), weights, [True] * 6, "none")
    np.testing.assert_allclose(values.topsis_of_values(matrix, weights, specs), expected,
                               rtol=0, atol=1e-12)


def test_topsis_of_values_on_huge_values_takes_the_rescaled_direct_path():
    rng = np.random.default_rng(5)
    small = rng.uniform(1.0, 2.0, size=(5000, 2))
    specs = [ValueSpec("log", True), ValueSpec("linear", False)]
    expected = values.topsis_of_values(small, [1.0, 2.0], specs)
    got = values.topsis_of_values(small * 1e200, [1.0, 2.0], specs)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    saturated = [ValueSpec("threshold", True, 0.0, 0.5), ValueSpec("threshold", False, 9.0, 5.0)]
    np.testing.assert_array_equal(values.topsis_of_values(small, [1.0, 1.0], saturated), 0.5)


def test_the_grid_scores_value_functions_like_a_shortlist():
    from matching.suitability import score_cells

    rng = np.random.default_rng(9)
    cells = pd.DataFrame({"catchment_labour_active": rng.uniform(1e3, 2e6, 3000),
                          "airports_km": rng.uniform(0.0, 200.0, 3000)})
    profile = {"criteria": [
        {"column": "catchment_labour_active", "direction": "benefit", "value": "log",
         "weight": 2},
        {"column": "airports_km", "direction": "cost", "value": "threshold", "floor": 90.0,
         "target": 30.0}]}
    scored = score_cells(cells, profile)
    specs = [ValueSpec("log", True), ValueSpec("threshold", False, 90.0, 30.0)]
    expected = mcda.topsis(values.value_matrix(cells.to_numpy(), specs), [2, 1], [True] * 2,
                           "none")
    np.testing.assert_allclose(scored.scores.to_numpy(), expected, rtol=0, atol=1e-12)
    linear = score_cells(cells, {"criteria": [
        {"column": "catchment_labour_active", "direction": "benefit"}]})
    assert linear.plan.normalization == "minmax"  # the same scores as linear values
