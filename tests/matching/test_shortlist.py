"""The shortlist engine: exclusions with reasons, ranks, explanations, robustness, incentives."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import valleys
from matching import settings, topsis, weighted_sum
from matching.errors import RequirementsError, RequirementsWarning
from matching.shortlist import make_shortlist


@pytest.fixture
def sites() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["a", "b", "c", "d", "e"],
        "name": ["Alpha", "Bravo", "Charlie", "Delta", "Echo"],
        "status": ["operating", "operating", "planned", "operating", "under_development"],
        "activities": ["ITO;CRM;BPO", "BPO", "ITO", "CRM;BPO", None],
        "rent_mad_m2_month": [90.0, 140.0, 60.0, None, 100.0],
        "airports_km": [5.0, 20.0, 40.0, 12.0, None],
        "available_m2": [5000.0, None, 20000.0, 800.0, 3000.0],
        "catchment_labour_active": [300_000.0, 500_000.0, 100_000.0, 250_000.0, 400_000.0],
        "incentive_zone_class": ["p2i_primary", "p2i_secondary", "p2i_primary", "other",
                                 "no_p2i_region"],
    }, index=["a", "b", "c", "d", "e"])


def _ids(entries):
    return [entry["id"] for entry in entries]


def _every_zone_once(result, sites):
    listed = _ids(result["ranked"]) + _ids(result["excluded"])
    assert sorted(listed) == sorted(sites.index) and len(set(listed)) == len(listed)


def test_reasons_in_words_with_units_and_every_zone_once(sites):
    result = make_shortlist({
        "constraints": [
            {"column": "rent_mad_m2_month", "op": "<=", "value": 120},
            {"column": "airports_km", "op": "<=", "value": 30, "missing": "exclude"},
            {"column": "status", "op": "==", "value": "operating"},
        ],
        "criteria": [{"column": "catchment_labour_active", "direction": "benefit"}],
    }, sites, robustness_draws=0)
    _every_zone_once(result, sites)
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons == {
        "b": ["rent_mad_m2_month 140 MAD/m²/month > 120"],
        "c": ["airports_km 40 km > 30", "status 'planned' != 'operating'"],
        "d": ["rent_mad_m2_month missing"],
        "e": ["airports_km missing", "status 'under_development' != 'operating'"],
    }
    assert _ids(result["ranked"]) == ["a"]
    json.dumps(result, allow_nan=False)


def test_missing_criterion_value_excludes_never_scores_zero(sites):
    result = make_shortlist({"criteria": [
        {"column": "rent_mad_m2_month", "direction": "cost"},
        {"column": "airports_km", "direction": "cost"}]}, sites, robustness_draws=0)
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons == {"d": ["rent_mad_m2_month missing"], "e": ["airports_km missing"]}
    _every_zone_once(result, sites)


def test_missing_worst_scores_the_worst_observed_value_and_says_so(sites):
    result = make_shortlist({"criteria": [
        {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}]},
        sites, robustness_draws=0)
    by_id = {z["id"]: z for z in result["ranked"]}
    assert set(by_id) == set(sites.index)
    assert by_id["d"]["imputed"] == {"rent_mad_m2_month": 140.0}
    assert by_id["d"]["values"]["rent_mad_m2_month"] is None
    assert ("rent_mad_m2_month missing: scored as the worst observed value "
            "(140 MAD/m²/month)") in by_id["d"]["explanation"]
    # scored exactly as the dearest zone: the two tie
    assert by_id["d"]["score"] == by_id["b"]["score"] and by_id["d"]["rank"] == by_id["b"]["rank"]


def test_ties_share_a_rank_and_keep_input_order():
    sites = pd.DataFrame({"name": list("wxyz"), "v": [1.0, 2.0, 2.0, 0.5]},
                         index=["w", "x", "y", "z"])
    result = make_shortlist({"method": "weighted_sum",
                             "criteria": [{"column": "v", "direction": "benefit"}]},
                            sites, robustness_draws=0)
    assert [(z["id"], z["rank"]) for z in result["ranked"]] == [
        ("x", 1), ("y", 1), ("w", 3), ("z", 4)]
    sites = pd.DataFrame({"name": list("wxyz"), "v": [3.0, 2.0, 2.0, 1.0]},
                         index=["w", "x", "y", "z"])
    result = make_shortlist({"criteria": [{"column": "v", "direction": "benefit"}]},
                            sites, robustness_draws=0)
    assert [z["rank"] for z in result["ranked"]] == [1, 2, 2, 4]
    assert _ids(result["ranked"]) == ["w", "x", "y", "z"]


@pytest.mark.parametrize("normalization", ["minmax", "vector", "sum", "none"])
def test_weighted_sum_contributions_add_up_to_the_score(sites, normalization):
    req = {"method": "weighted_sum", "normalization": normalization, "criteria": [
        {"column": "catchment_labour_active", "direction": "benefit", "weight": 2},
        {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}]}
    result = make_shortlist(req, sites, robustness_draws=0)
    assert result["normalization"] == normalization
    matrix = np.array([[z["values"]["catchment_labour_active"],
                        z["imputed"].get("rent_mad_m2_month", z["values"]["rent_mad_m2_month"])]
                       for z in result["ranked"]])
    expected = weighted_sum(matrix, [2, 1], [True, False], normalization)
    for entry, score in zip(result["ranked"], expected, strict=True):
        assert sum(entry["contributions"].values()) == pytest.approx(entry["score"], abs=1e-12)
        assert entry["score"] == pytest.approx(score, abs=1e-12)


def test_topsis_scores_and_distance_shares(sites):
    req = {"criteria": [
        {"column": "catchment_labour_active", "direction": "benefit", "weight": 3},
        {"column": "rent_mad_m2_month", "direction": "cost", "weight": 2, "missing": "worst"},
        {"column": "available_m2", "direction": "benefit", "missing": "worst"}]}
    result = make_shortlist(req, sites, robustness_draws=0)
    assert result["method"] == "topsis" and result["weights"] == pytest.approx(
        {"catchment_labour_active": 0.5, "rent_mad_m2_month": 1 / 3, "available_m2": 1 / 6})
    ids = list(sites.index)
    rent = sites["rent_mad_m2_month"].fillna(140.0)
    avail = sites["available_m2"].fillna(800.0)
    matrix = np.column_stack([sites["catchment_labour_active"], rent, avail])
    # linear values (the default) are the min-max normalisation, to TOPSIS (issue 12)
    expected = dict(zip(ids, topsis(matrix, [3, 2, 1], [True, False, True], "minmax"),
                        strict=True))
    for entry in result["ranked"]:
        assert entry["score"] == pytest.approx(expected[entry["id"]], abs=1e-12)
        assert sum(entry["contributions"].values()) == pytest.approx(entry["score"], abs=1e-12)
        shares = entry["distance_shares"]
        for side in ("to_ideal", "to_anti_ideal"):
            total = sum(s[side] for s in shares.values())
            assert total == pytest.approx(1.0) or total == 0.0
    scores = [z["score"] for z in result["ranked"]]
    assert scores == sorted(scores, reverse=True)
    top = result["ranked"][0]
    assert top["explanation"][0].startswith("strongest criterion: ")


def test_nothing_ranked_gives_a_hint(sites):
    result = make_shortlist({
        "constraints": [{"column": "rent_mad_m2_month", "op": "<", "value": 50},
                        {"column": "airports_km", "op": "<", "value": 30}],
        "criteria": [{"column": "airports_km", "direction": "cost"}]}, sites, robustness_draws=0)
    assert result["ranked"] == []
    _every_zone_once(result, sites)
    assert result["hint"] == ("Relax the constraint rent_mad_m2_month < 50 first: it excluded "
                              "the most zones (5 of 5).")
    missing = make_shortlist({"criteria": [{"column": "available_m2", "direction": "benefit"}],
                              "constraints": [{"column": "status", "op": "==", "value": "operating"}]},
                             sites.assign(available_m2=np.nan), robustness_draws=0)
    assert missing["hint"] == ("Score the criterion available_m2 with missing: worst, or drop "
                               "it: it excluded the most zones (5 of 5).")
    assert result["robustness"] == {}
    json.dumps(result, allow_nan=False)


def test_no_variance_is_a_warning_not_a_crash(sites):
    sites = sites.assign(flat_km=7.0)
    result = make_shortlist({"criteria": [
        {"column": "flat_km", "direction": "cost"},
        {"column": "catchment_labour_active", "direction": "benefit"}]}, sites)
    assert any("flat_km has the same value (7 km) in every ranked zone" in w
               for w in result["warnings"])
    assert len(result["ranked"]) == 5
    only_flat = make_shortlist({"criteria": [{"column": "flat_km", "direction": "cost"}]},
                               sites, robustness_draws=10)
    assert {z["rank"] for z in only_flat["ranked"]} == {1}


def test_warnings_can_be_issued_as_python_warnings(sites):
    sites = sites.assign(flat_km=7.0)
    req = {"criteria": [{"column": "flat_km", "direction": "cost"}]}
    with pytest.warns(RequirementsWarning, match="flat_km has the same value"):
        make_shortlist(req, sites, robustness_draws=0, warn=True)


def test_text_columns_in_and_not_in(sites):
    result = make_shortlist({
        "constraints": [{"column": "activities", "op": "in", "value": ["crm"]},
                        {"column": "status", "op": "not in", "value": ["planned", "uncertain"]}],
        "criteria": [{"column": "catchment_labour_active", "direction": "benefit"}]},
        sites, robustness_draws=0)
    assert _ids(result["ranked"]) == ["a", "d"]
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    # activities holds ;-lists: its reasons read as lists; status is single-valued
    assert reasons["b"] == ["activities BPO do not include crm"]
    assert reasons["c"] == ["activities ITO do not include crm",
                            "status 'planned' is planned, which the requirement excludes"]
    assert reasons["e"] == ["activities missing"]


def test_reasons_of_list_and_single_valued_columns_read_as_such(sites):
    result = make_shortlist({
        "constraints": [{"column": "activities", "op": "in", "value": ["KPO", "ESO"]},
                        {"column": "status", "op": "in", "value": ["under_development"]}],
        "criteria": [{"column": "catchment_labour_active", "direction": "benefit"}]},
        sites, robustness_draws=0)
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons["a"] == ["activities ITO, CRM, BPO do not include KPO or ESO",
                            "status 'operating' is not one of under_development"]
    assert reasons["c"] == ["activities ITO do not include KPO or ESO",
                            "status 'planned' is not one of under_development"]
    result = make_shortlist({
        "constraints": [{"column": "activities", "op": "not in", "value": ["crm", "KPO"]}],
        "criteria": [{"column": "catchment_labour_active", "direction": "benefit"}]},
        sites, robustness_draws=0)
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons == {"a": ["activities ITO, CRM, BPO include CRM, which the requirement "
                             "excludes"],
                       "d": ["activities CRM, BPO include CRM, which the requirement excludes"],
                       "e": ["activities missing"]}


def test_each_reason_is_listed_once(sites):
    # rent is a constraint and a criterion: a zone with no rent is excluded by both, for the
    # same reason, which its reasons list once
    result = make_shortlist({
        "constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": 120},
                        {"column": "airports_km", "op": "<=", "value": 100}],
        "criteria": [{"column": "rent_mad_m2_month", "direction": "cost"},
                     {"column": "airports_km", "direction": "cost"}]}, sites, robustness_draws=0)
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons == {"b": ["rent_mad_m2_month 140 MAD/m²/month > 120"],
                       "d": ["rent_mad_m2_month missing"],
                       "e": ["airports_km missing"]}
    # the same constraint given twice: its reason and its note once
    twice = {"column": "available_m2", "op": ">=", "value": 1000, "missing": "ignore"}
    result = make_shortlist({"constraints": [twice, dict(twice)],
                             "criteria": [{"column": "catchment_labour_active",
                                           "direction": "benefit"}]}, sites, robustness_draws=0)
    assert {z["id"]: z["reasons"] for z in result["excluded"]} == {
        "d": ["available_m2 800 m² < 1,000"]}
    b = next(z for z in result["ranked"] if z["id"] == "b")
    assert b["explanation"].count("available_m2 missing: available_m2 >= 1,000 not checked") == 1


def test_numeric_in_and_not_equal(sites):
    result = make_shortlist({
        "constraints": [{"column": "airports_km", "op": "in", "value": [5, 12]},
                        {"column": "rent_mad_m2_month", "op": "!=", "value": 90,
                         "missing": "ignore"}],
        "criteria": [{"column": "catchment_labour_active", "direction": "benefit"}]},
        sites, robustness_draws=0)
    assert _ids(result["ranked"]) == ["d"]
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons["a"] == ["rent_mad_m2_month 90 MAD/m²/month == 90"]
    assert reasons["b"] == ["airports_km 20 km is not one of 5, 12"]


def test_text_column_as_criterion_or_in_order_constraint_is_an_error(sites):
    with pytest.raises(RequirementsError, match="status holds text .*'operating'.* needs numbers"):
        make_shortlist({"criteria": [{"column": "status", "direction": "benefit"}]}, sites)
    with pytest.raises(RequirementsError, match="status holds text, which '<' cannot compare"):
        make_shortlist({"constraints": [{"column": "status", "op": "<", "value": 3}],
                        "criteria": [{"column": "airports_km", "direction": "cost"}]}, sites)
    with pytest.raises(RequirementsError, match="airports_km holds numbers; give numbers"):
        make_shortlist({"constraints": [{"column": "airports_km", "op": "in", "value": ["far"]}],
                        "criteria": [{"column": "airports_km", "direction": "cost"}]}, sites)


def test_text_in_a_number_column_names_the_zone_and_empty_columns_are_errors():
    sites = pd.DataFrame({"v": ["1", "2", "n/a"], "w": [None, None, None]}, index=list("abc"),
                         dtype=object)
    with pytest.raises(RequirementsError, match=r"column v holds numbers but some zones have "
                                                r"text: c \('n/a'\)"):
        make_shortlist({"criteria": [{"column": "v", "direction": "benefit"}]}, sites)
    with pytest.raises(RequirementsError, match="nothing to score: no zone has a value for w"):
        make_shortlist({"criteria": [{"column": "w", "direction": "cost", "missing": "worst"}]},
                       sites)


def test_numbers_stored_as_text_are_scored():
    sites = pd.DataFrame({"v": ["1", "2", None, ""]}, index=list("abcd"))
    result = make_shortlist({"criteria": [{"column": "v", "direction": "benefit"}]}, sites,
                            robustness_draws=0)
    assert [(z["id"], z["score"]) for z in result["ranked"]] == [("b", 1.0), ("a", 0.0)]
    assert result["ranked"][0]["values"] == {"v": 2.0}
    assert [z["reasons"] for z in result["excluded"]] == [["v missing"], ["v missing"]]


def test_text_with_digits_is_still_text_and_compared_case_insensitively():
    sites = pd.DataFrame({"phase": ["phase 1", "Phase 2", "phase 2 ", None, "nan"],
                          "v": [1.0, 2.0, 3.0, 4.0, 5.0]}, index=list("abcde"))
    result = make_shortlist({"constraints": [{"column": "phase", "op": "==", "value": "PHASE 2"}],
                             "criteria": [{"column": "v", "direction": "benefit"}]},
                            sites, robustness_draws=0)
    assert _ids(result["ranked"]) == ["c", "b"]
    assert {z["id"]: z["reasons"] for z in result["excluded"]} == {
        "a": ["phase 'phase 1' != 'PHASE 2'"], "d": ["phase missing"],
        "e": ["phase 'nan' != 'PHASE 2'"]}


def test_unknown_explicit_column_is_an_error_with_suggestions(sites):
    with pytest.raises(RequirementsError) as info:
        make_shortlist({"criteria": [{"column": "airport_km", "direction": "cost"}]}, sites,
                       source="my.yaml")
    assert "my.yaml" in str(info.value) and "did you mean airports_km?" in str(info.value)


def test_floor_area_constraint_ignores_missing_and_says_so(sites):
    result = make_shortlist({"headcount": 200,
                             "criteria": [{"column": "airports_km", "direction": "cost",
                                           "missing": "worst"}]}, sites, robustness_draws=0)
    floor = 200 * settings.M2_PER_SEAT
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons == {"d": [f"available_m2 800 m² < {floor:,.0f}"]}
    b = next(z for z in result["ranked"] if z["id"] == "b")
    assert f"available_m2 missing: available_m2 >= {floor:,.0f} not checked" in b["explanation"]
    assert any(f"{settings.M2_PER_SEAT:g} m² per seat" in a for a in result["assumptions"])


def test_leave_one_out_and_robustness(sites):
    req = {"criteria": [
        {"column": "catchment_labour_active", "direction": "benefit", "weight": 1},
        {"column": "rent_mad_m2_month", "direction": "cost", "weight": 1, "missing": "worst"}],
        "robustness": {"draws": 500, "seed": 3}}
    result = make_shortlist(req, sites)
    ranked = _ids(result["ranked"])
    assert set(result["robustness"]) == set(ranked)
    assert sum(r["p_first"] for r in result["robustness"].values()) == pytest.approx(1.0)
    assert all(r["p_top3"] >= r["p_first"] for r in result["robustness"].values())
    assert result["robustness_method"]["draws"] == 500 and result["robustness_method"]["seed"] == 3
    assert make_shortlist(req, sites)["robustness"] == result["robustness"]  # seeded
    assert make_shortlist(req, sites, seed=4)["robustness"] != result["robustness"]
    assert make_shortlist(req, sites, robustness_draws=0)["robustness"] == {}
    loo = result["leave_one_out"]
    # without rent, the largest labour pool (b) comes first; without labour, the cheapest (c)
    assert loo["rent_mad_m2_month"]["first"] == "b"
    assert loo["catchment_labour_active"]["first"] == "c"
    assert loo["rent_mad_m2_month"]["ranks"]["b"] == 1
    assert loo["catchment_labour_active"]["max_rank_change"] >= 1


def test_incentives_per_ranked_zone_and_as_a_criterion(sites):
    result = make_shortlist({
        "activity": "BPO", "headcount": 100, "salary_mad_month": 15000, "constraints": [],
        "criteria": [{"column": "incentive_mad_per_job", "direction": "benefit",
                      "missing": "worst"}]}, sites, robustness_draws=0)
    incentives = result["incentives"]
    assert set(incentives) == set(_ids(result["ranked"]))
    # grants 3.5% x 180,000 x 5 + 17% x 180,000; the tax (13.8% of gross) is under a 20% cap
    assert incentives["a"]["total_mad"] == pytest.approx(100 * 62_100)
    # above a 10% cap: 24,820.09 - 18,000 a year, over 5 years
    assert incentives["b"]["total_mad"] == pytest.approx(100 * (62_100 + 5 * 6_820.176), rel=1e-6)
    assert incentives["d"]["total_mad"] is None and incentives["d"]["eligible"] is None
    # the secondary zones' 10% cap is worth more: they rank first
    assert [z["rank"] for z in result["ranked"] if z["id"] in ("b", "e")] == [1, 1]
    assert any("15,000 MAD/month" in a for a in result["assumptions"])
    assert "not estimated" in incentives["a"]["corporate_tax"]
    json.dumps(result, allow_nan=False)


def test_incentive_total_needs_a_headcount(sites):
    for kind, entry in (("constraints", {"column": "incentive_mad_total", "op": ">", "value": 1}),
                        ("criteria", {"column": "incentive_mad_total", "direction": "benefit"})):
        req = {kind: [entry], "criteria": [{"column": "airports_km", "direction": "cost"}]}
        req[kind] = [entry]
        with pytest.raises(RequirementsError, match="incentive_mad_total is not available "
                                                    r"\(it needs a headcount\)"):
            make_shortlist(req, sites)
    result = make_shortlist({"headcount": 10, "salary_mad_month": 15000, "constraints": [
        {"column": "incentive_mad_total", "op": ">", "value": 700_000, "missing": "ignore"}],
        "criteria": [{"column": "incentive_mad_total", "direction": "benefit",
                      "missing": "worst"}]}, sites, robustness_draws=0)
    assert {z["id"] for z in result["excluded"]} == {"a", "c"}  # 621,000 MAD in primary zones


def test_no_headcount_no_incentives_and_classless_dataset_warns(sites):
    result = make_shortlist({"criteria": [{"column": "airports_km", "direction": "cost",
                                           "missing": "worst"}]}, sites, robustness_draws=0)
    assert result["incentives"] == {}
    classless = sites.drop(columns="incentive_zone_class")
    result = make_shortlist({"headcount": 10, "criteria": [
        {"column": "airports_km", "direction": "cost", "missing": "worst"}]},
        classless, robustness_draws=0)
    assert any("incentives were not estimated" in w for w in result["warnings"])


def test_ahp_weights_and_consistency_ratio_reported(sites):
    result = make_shortlist({
        "criteria": [{"column": "catchment_labour_active", "direction": "benefit"},
                     {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}],
        "ahp": {"criteria": ["catchment_labour_active", "rent_mad_m2_month"],
                "matrix": [[1, 3], [0.3333, 1]]}}, sites, robustness_draws=0)
    assert result["weights"]["catchment_labour_active"] == pytest.approx(0.75, abs=1e-4)
    assert result["consistency_ratio"] == 0.0


def test_requirements_echoed_normalised(sites):
    result = make_shortlist({"name": "X", "activity": "bpo", "criteria": [
        {"column": "airports_km", "direction": "cost", "missing": "worst"}]}, sites,
        robustness_draws=0)
    assert result["requirements"]["activity"] == "BPO"
    assert result["requirements"]["normalization"] == "values"
    assert result["dataset"] == {"zones": 5, "ranked": len(result["ranked"]),
                                 "excluded": len(result["excluded"])}


def test_duplicate_zone_ids_refused(sites):
    with pytest.raises(RequirementsError, match="zone ids a appear more than once"):
        make_shortlist({"criteria": [{"column": "airports_km", "direction": "cost"}]},
                       pd.concat([sites, sites.loc[["a"]]]))


def test_on_the_tiny_dataset(tiny_data_path):
    sites = valleys.load_sites(tiny_data_path)
    result = make_shortlist({"activity": "CRM", "headcount": 400}, sites, robustness_draws=200)
    _every_zone_once(result, sites)
    assert result["ranked"][0]["id"] == "technopolis"  # the largest French-speaking pool
    ctv = next(z for z in result["ranked"] if z["id"] == "ctv")
    assert ctv["imputed"] == {"rent_mad_m2_month": 110.0}
    excluded = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert excluded["technopark-rabat"] == ["available_m2 400 m² < 3,200"]
    json.dumps(result, allow_nan=False)


def test_on_a_zones_only_dataset(tiny_zones_only_path):
    sites = valleys.load_sites(tiny_zones_only_path)
    result = make_shortlist({"criteria": [
        {"column": "area_ha", "direction": "benefit", "weight": 1},
        {"column": "rent_mad_m2_month", "direction": "cost", "weight": 2}]}, sites)
    _every_zone_once(result, sites)
    assert {z["id"]: z["reasons"] for z in result["excluded"]} == {
        "ctv": ["rent_mad_m2_month missing"]}
