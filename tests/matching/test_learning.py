"""Learning criterion weights from past decisions (matching.learning)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching.errors import DecisionsError
from matching.learning import (
    check_decisions,
    learn_weights,
    pairwise_differences,
    ranking_quality,
)
from matching.requirements import parse_requirements
from matching.shortlist import make_shortlist
from matching.synthetic import synthetic_decisions, synthetic_sites

CRITERIA = ["catchment_labour_active", "rent_mad_m2_month", "airports_km",
            "catchment_french_literate_pct"]
TRUE = {"catchment_labour_active": 0.5, "rent_mad_m2_month": -0.3, "airports_km": -0.15,
        "catchment_french_literate_pct": 0.05}


@pytest.fixture(scope="module")
def synthetic():
    sites = synthetic_sites(40, seed=11)
    decisions = synthetic_decisions(sites, TRUE, n_decisions=200, zones_per_decision=6, seed=11)
    return sites, decisions, learn_weights(decisions, sites, CRITERIA)


def _table(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["decision_id", "site_id", "chosen"])


@pytest.fixture
def sites() -> pd.DataFrame:
    return pd.DataFrame(
        {"name": list("ABCD"), "rent_mad_m2_month": [50.0, 80.0, 120.0, 90.0],
         "airports_km": [10.0, 20.0, 5.0, 40.0], "flat": [1.0, 1.0, 1.0, 1.0],
         "city": ["x", "y", "z", "w"], "sparse": [1.0, np.nan, 3.0, 4.0]},
        index=pd.Index(["a", "b", "c", "d"], name="id"),
    )


GOOD = [("1", "a", 1), ("1", "b", 0), ("1", "c", 0), ("2", "b", 1), ("2", "c", 0),
        ("2", "d", 0)]


# ----------------------------------------------------------------- the fragment ranks as the model


@pytest.mark.parametrize("subset", [slice(None), slice(0, 7), slice(10, 40, 3)])
def test_shortlist_with_learned_criteria_ranks_zones_as_the_fitted_model(synthetic, subset):
    sites, _, learned = synthetic
    zones = sites.iloc[subset]
    fragment = learned.to_requirements()
    shortlist = make_shortlist({"name": "learned", **fragment}, zones, robustness_draws=0)
    model_order = learned.score(zones).sort_values(ascending=False, kind="stable").index.tolist()
    assert [z["id"] for z in shortlist["ranked"]] == model_order
    # the shortlist's score is a positive multiple of the model's
    scores = pd.Series({z["id"]: z["score"] for z in shortlist["ranked"]})
    model = learned.score(zones)[scores.index]
    ratio = scores / model
    assert np.allclose(ratio, ratio.iloc[0]) and ratio.iloc[0] > 0


def test_fragment_is_usable_as_a_requirements_file(synthetic):
    sites, _, learned = synthetic
    fragment = learned.to_requirements()
    requirement = parse_requirements(fragment, columns=list(sites.columns))
    assert requirement.method == "weighted_sum" and requirement.normalization == "none"
    assert [c.column for c in requirement.criteria] == CRITERIA
    assert sum(c["weight"] for c in fragment["criteria"]) == pytest.approx(1.0)
    assert all(c["weight"] >= 0 for c in fragment["criteria"])
    assert {c["column"]: c["direction"] for c in fragment["criteria"]} == {
        c: ("benefit" if w > 0 else "cost") for c, w in TRUE.items()}
    quality = fragment["about"]["quality"]
    assert set(quality) >= {"learned", "equal_weights", "chance_top1", "cross_validation"}


def test_weights_are_converted_from_the_standardised_scale(synthetic):
    sites, decisions, learned = synthetic
    values = sites.loc[decisions.site_id, CRITERIA]
    per_unit = learned.coef_standardised / values.std(ddof=0).to_numpy()
    expected = np.abs(per_unit) / np.abs(per_unit).sum()
    assert np.allclose(learned.weights.to_numpy(), expected)
    # per standard deviation, the labour pool matters most (as in TRUE); per unit it is tiny
    assert learned.importance.idxmax() == "catchment_labour_active"
    assert learned.weights["catchment_labour_active"] < 1e-3


def test_cross_validated_quality_beats_equal_weights_and_chance(synthetic):
    _, _, learned = synthetic
    q = learned.quality
    assert q["decisions"] == 200 and q["chance_top1"] == pytest.approx(1 / 6, abs=1e-4)
    assert q["learned"]["top1_accuracy"] > q["equal_weights"]["top1_accuracy"]
    assert q["learned"]["top1_accuracy"] > 2 * q["chance_top1"]
    assert 0 < q["equal_weights"]["ndcg"] < q["learned"]["ndcg"] <= 1


def test_preset_baseline_on_a_real_dataset(tiny_data_path):
    import warnings

    import valleys

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sites = valleys.load_sites(tiny_data_path)
    decisions = synthetic_decisions(
        sites, {"airports_km": -1.0, "catchment_labour_active": 0.5}, n_decisions=40,
        zones_per_decision=3, activities=["CRM", "ITO"], seed=2)
    learned = learn_weights(decisions, sites, ["airports_km", "catchment_labour_active"])
    preset = learned.quality["preset"]
    assert preset["activity"] == "each decision's own" and preset["decisions"] == 40
    assert 0 <= preset["top1_accuracy"] <= 1 and 0 < preset["ndcg"] <= 1
    one = learn_weights(decisions, sites, ["airports_km", "catchment_labour_active"],
                        activity="crm")
    assert one.quality["preset"]["activity"] == "CRM"


# ----------------------------------------------------------------- numeric core


def test_pairwise_differences_pair_the_chosen_zone_with_each_other():
    features = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [5.0, 5.0], [4.0, 4.0]])
    groups = np.array([0, 0, 0, 1, 1])
    chosen = np.array([True, False, False, False, True])
    diffs, labels = pairwise_differences(features, groups, chosen)
    assert diffs.tolist() == [[1.0, -1.0], [-1.0, -2.0], [-1.0, -1.0],
                              [-1.0, 1.0], [1.0, 2.0], [1.0, 1.0]]
    assert labels.tolist() == [1, 1, 1, 0, 0, 0]


def test_ranking_quality_shares_ties():
    scores = np.array([1.0, 1.0, 0.0, 0.5, 0.9])
    groups = np.array([0, 0, 0, 1, 1])
    chosen = np.array([True, False, False, True, False])
    top1, ndcg = ranking_quality(scores, groups, chosen)
    assert top1.tolist() == [0.5, 0.0]
    assert ndcg[0] == pytest.approx((1 + 1 / np.log2(3)) / 2)
    assert ndcg[1] == pytest.approx(1 / np.log2(3))


def test_a_cost_criterion_is_learned_as_cost(sites):
    rows = []
    for d in range(6):  # always the cheapest of the three
        trio = [["a", "b", "c"], ["b", "c", "d"], ["a", "c", "d"]][d % 3]
        cheapest = min(trio, key=lambda z: sites.loc[z, "rent_mad_m2_month"])
        rows += [(str(d), z, int(z == cheapest)) for z in trio]
    learned = learn_weights(_table(rows), sites, ["rent_mad_m2_month"], n_splits=3)
    assert learned.directions["rent_mad_m2_month"] == "cost"
    assert learned.weights["rent_mad_m2_month"] == pytest.approx(1.0)


# ----------------------------------------------------------------- bad input


def _fails(table, sites, criteria=("rent_mad_m2_month",)) -> str:
    with pytest.raises(DecisionsError) as info:
        learn_weights(table, sites, list(criteria), source="DECISIONS.csv")
    return str(info.value)


def test_unknown_zone_is_named_with_its_line(sites):
    message = _fails(_table(GOOD + [("2", "zz", 0)]), sites)
    assert "DECISIONS.csv" in message and "line 8" in message and "'zz'" in message
    assert "decision 2" in message


def test_decision_with_no_chosen_zone(sites):
    rows = [(d, z, 0 if d == "1" else c) for d, z, c in GOOD]
    assert "decision 1: no zone has chosen = 1" in _fails(_table(rows), sites)


def test_decision_with_two_chosen_zones(sites):
    rows = [(d, z, 1 if (d, z) in {("2", "b"), ("2", "d")} else c) for d, z, c in GOOD]
    assert "decision 2: 2 zones have chosen = 1 (b, d)" in _fails(_table(rows), sites)


def test_unknown_criterion_lists_the_numeric_columns(sites):
    message = _fails(_table(GOOD), sites, ["rent", "rent_mad_m2_month"])
    assert "unknown criterion 'rent'" in message and "airports_km" in message


def test_text_column_is_not_a_criterion(sites):
    assert "'city' is not a numeric column" in _fails(_table(GOOD), sites, ["city"])


def test_criterion_with_no_variance(sites):
    assert "'flat' has no variance" in _fails(_table(GOOD), sites, ["flat"])


def test_criterion_missing_for_a_zone_in_the_decisions(sites):
    assert "'sparse' is missing for zone(s) b" in _fails(_table(GOOD), sites, ["sparse"])


def test_missing_columns(sites):
    table = _table(GOOD).drop(columns="chosen")
    message = _fails(table, sites)
    assert "missing column(s) chosen" in message and "decision_id, site_id" in message


@pytest.mark.parametrize("bad", ["yes", "2", "", "0.5"])
def test_chosen_must_be_0_or_1(sites, bad):
    table = _table(GOOD).astype(str)
    table.loc[2, "chosen"] = bad
    assert f"line 4: chosen is {bad!r}" in _fails(table, sites)


def test_single_zone_decision_and_duplicate_zone(sites):
    rows = GOOD + [("3", "a", 1), ("1", "b", 0)]
    message = _fails(_table(rows), sites)
    assert "decision 3: only one zone" in message
    assert "line 9: decision 1 lists zone 'b' twice" in message


def test_fewer_than_two_decisions(sites):
    assert "fewer than two decisions" in _fails(_table(GOOD[:3]), sites)


def test_unknown_activity(sites):
    table = _table(GOOD).assign(activity=["BPO", "BPO", "BPO", "xyz", "xyz", "xyz"])
    assert "line 5: unknown activity 'xyz'" in _fails(table, sites)
    with pytest.raises(DecisionsError, match="--activity 'NOPE'"):
        learn_weights(_table(GOOD), sites, ["rent_mad_m2_month"], activity="nope")


def test_every_problem_is_listed_not_only_the_first(sites):
    rows = [("1", "a", 1), ("1", "qq", 0), ("2", "b", 0), ("2", "c", 0), ("3", "rr", 1),
            ("3", "c", 0)]
    with pytest.raises(DecisionsError) as info:
        check_decisions(_table(rows), sites, criteria=["rent_mad_m2_month"])
    assert len(info.value.details) == 3


# ----------------------------------------------------------------- issue 12: how far to trust them


def test_correlated_criteria_are_named_and_their_weights_flagged():
    sites = synthetic_sites(40, seed=5)
    rng = np.random.default_rng(5)
    labour = sites["catchment_labour_active"]
    # a near copy of the labour pool (r > 0.99): the fit can trade one for the other
    sites["labour_copy"] = labour * 1.02 + rng.normal(0, labour.std() * 0.05, len(sites))
    decisions = synthetic_decisions(sites, {"catchment_labour_active": 0.5,
                                            "rent_mad_m2_month": -0.5},
                                    n_decisions=50, zones_per_decision=5, seed=5)
    learned = learn_weights(decisions, sites, ["catchment_labour_active", "labour_copy",
                                               "rent_mad_m2_month"], bootstrap=0)
    said = [m for m in learned.messages if m.code == "learning.correlated_criteria"]
    assert len(said) == 1
    params = said[0].params
    assert (params["column"], params["other_column"]) == ("catchment_labour_active",
                                                          "labour_copy")
    assert params["ratio"] > 0.95
    about = learned.to_requirements()["about"]
    assert said[0].text in about["warnings"]
    assert said[0].as_json() in about["messages"]


def test_uncorrelated_criteria_give_no_correlation_warning(synthetic):
    _, _, learned = synthetic
    assert [m.code for m in learned.messages] == []  # 200 decisions, 4 criteria: enough


def test_correlated_pairs_threshold_is_on_the_absolute_correlation():
    from matching.learning import correlated_pairs

    x = np.arange(10.0)
    values = np.column_stack([x, -x + 0.01 * np.sin(x), np.cos(x)])
    assert [(a, b) for a, b, _ in correlated_pairs(values, ["a", "b", "c"])] == [("a", "b")]
    assert correlated_pairs(values, ["a", "b", "c"], limit=1.0) == []


def test_too_few_decisions_are_flagged():
    sites = synthetic_sites(40, seed=2)
    decisions = synthetic_decisions(sites, TRUE, n_decisions=30, zones_per_decision=5, seed=2)
    learned = learn_weights(decisions, sites, CRITERIA, bootstrap=0)
    [few] = [m for m in learned.messages if m.code == "learning.few_decisions"]
    assert few.params == {"count": 30, "minimum": 100}  # 25 per criterion
    assert learned.confidence == {} and "confidence" not in learned.to_requirements()["about"]


def test_bootstrap_intervals_are_seeded_hold_the_estimate_and_narrow_with_evidence():
    sites = synthetic_sites(40, seed=7)
    widths = []
    for n_decisions in (30, 300):
        decisions = synthetic_decisions(sites, TRUE, n_decisions=n_decisions,
                                        zones_per_decision=5, seed=7)
        learned = learn_weights(decisions, sites, CRITERIA, bootstrap=60, seed=3)
        again = learn_weights(decisions, sites, CRITERIA, bootstrap=60, seed=3)
        other = learn_weights(decisions, sites, CRITERIA, bootstrap=60, seed=4)
        confidence = learned.confidence
        assert confidence == again.confidence and confidence != other.confidence
        assert (confidence["resamples"], confidence["seed"], confidence["level"]) == (60, 3, 0.95)
        intervals = confidence["weights_per_standard_deviation"]
        assert list(intervals) == CRITERIA and list(confidence["weights"]) == CRITERIA
        for column, (low, high) in intervals.items():
            assert 0 <= low <= learned.importance[column] <= high <= 1
        widths.append(np.mean([high - low for low, high in intervals.values()]))
        assert learned.to_requirements()["about"]["confidence"] == confidence
    assert widths[1] < widths[0] / 2


@pytest.mark.parametrize("count", [-1, 1])
def test_bootstrap_needs_zero_or_at_least_two_resamples(count):
    sites = synthetic_sites(20, seed=1)
    decisions = synthetic_decisions(sites, TRUE, n_decisions=10, zones_per_decision=4, seed=1)
    with pytest.raises(DecisionsError, match=f"--bootstrap {count}: give 0"):
        learn_weights(decisions, sites, CRITERIA, bootstrap=count)
