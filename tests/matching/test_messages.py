"""The engine's sentences as data: every code is written by real shortlists, and each message's
text is the English string it sits beside."""

from __future__ import annotations

import json
import warnings
from datetime import date

import numpy as np
import pandas as pd
import pytest

import valleys
from matching import incentives
from matching.messages import KEYS, Message, from_text, message
from matching.neighbours import similar_investors
from matching.phrases import CODES, PHRASES, phrase_of
from matching.shortlist import make_shortlist
from matching.suitability import score_cells, suitability
from valleys.grid import grid_features


@pytest.fixture
def sites() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["Alpha", "Bravo", "Charlie", "Delta", "Echo"],
        "status": ["operating", "planned", "operating", "operating", "operating"],
        "activities": ["ITO;CRM", "BPO", "ITO;BPO", None, "CRM"],
        "rent_mad_m2_month": [90.0, 140.0, np.nan, 100.0, np.nan],
        "airports_km": [5.0, 20.0, 40.0, np.nan, 12.0],
        "available_m2": [5000.0, np.nan, 20000.0, 800.0, np.nan],
        "floors": [1.0, 2.0, 3.0, 4.0, 2.0],
        "x": [1.0] * 5, "y": [-1.0, 2.0, 3.0, 1.0, 4.0], "z": [1.0, -1.0, 0.0, 0.0, 0.0],
        "e": [np.nan] * 5,
    }, index=["a", "b", "c", "d", "e"])


CRITERIA = [{"column": "airports_km", "direction": "cost"}]
REQUIREMENTS = [
    # explanations, every kind of reason
    {"constraints": [{"column": "status", "op": "in", "value": ["operating"]},
                     {"column": "activities", "op": "in", "value": ["CRM", "KPO"]},
                     {"column": "available_m2", "op": ">=", "value": 1000, "missing": "ignore"},
                     {"column": "floors", "op": "in", "value": [1, 2, 4]}],
     "criteria": [{"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"},
                  {"column": "airports_km", "direction": "cost", "missing": "worst"}]},
    {"constraints": [{"column": "activities", "op": "not in", "value": ["BPO"]},
                     {"column": "status", "op": "not in", "value": ["planned"]},
                     {"column": "floors", "op": "not in", "value": [3]},
                     {"column": "status", "op": "==", "value": "operating"},
                     {"column": "floors", "op": "<=", "value": 3}],
     "criteria": CRITERIA},
    # the hints: a constraint, a criterion's missing values
    {"constraints": [{"column": "floors", "op": ">", "value": 9}], "criteria": CRITERIA},
    {"criteria": [{"column": "e", "direction": "benefit"}]},
    {"criteria": [{"column": "rent_mad_m2_month", "direction": "cost"}],
     "constraints": [{"column": "airports_km", "op": "<=", "value": 30, "missing": "ignore"},
                     {"column": "floors", "op": "<", "value": 3}]},
    # warnings
    {"criteria": [{"column": "x", "direction": "benefit"},
                  {"column": "y", "direction": "benefit"}]},
    {"normalization": "sum", "method": "weighted_sum",
     "criteria": [{"column": "y", "direction": "benefit"},
                  {"column": "z", "direction": "benefit"}]},
    {"criteria": [{"column": "e", "direction": "benefit", "missing": "worst"},
                  {"column": "y", "direction": "benefit"}]},
    {"activity": "CRM", "headcount": 100},
    {"activity": "CRM", "ahp": {"criteria": ["airports_km"], "matrix": [[1]]}},
    {"criteria": [{"column": "y", "direction": "benefit", "weight": 2},
                  {"column": "floors", "direction": "benefit"},
                  {"column": "airports_km", "direction": "cost", "missing": "worst"}],
     "ahp": {"criteria": ["y", "floors", "airports_km"],
             "matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], "allow_inconsistent": True}},
]


def _shortlists(sites, tiny_data_path) -> list[dict]:
    results = [make_shortlist(requirement, sites, robustness_draws=0)
               for requirement in REQUIREMENTS]
    results.append(make_shortlist({"activity": "CRM", "headcount": 100},
                                  sites.drop(columns="available_m2"), robustness_draws=0))
    # dated facts: a rent of 2007 and a status of 2015 are out of date on 2026-12-03
    dated = sites.assign(rent_mad_m2_month_as_of=["2007-10-16", "2025-01-01", None, "2010",
                                                  None],
                         status_as_of=["2015-01-01", None, None, None, None])
    rent_150 = {"column": "rent_mad_m2_month", "op": "<=", "value": 150}
    rent_worst = {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}
    for requirement in (
            {"constraints": [{**rent_150, "missing": "ignore"},
                             {"column": "status", "op": "in", "value": ["operating"],
                              "missing": "ignore"}], "criteria": [rent_worst]},
            {"constraints": [rent_150], "criteria": CRITERIA},
            {"criteria": [rent_worst]}):
        results.append(make_shortlist(requirement, dated, robustness_draws=0,
                                      today=date(2026, 12, 3)))
    # a threshold every zone reaches, and one no zone does better than (issue 12)
    for floor, target in ((5000.0, 4000.0), (0.2, 0.1)):
        results.append(make_shortlist({"criteria": [
            {"column": "airports_km", "direction": "cost", "value": "threshold", "floor": floor,
             "target": target},
            {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}]}, sites,
            robustness_draws=0))
    real = valleys.site_features(valleys.load_dataset(tiny_data_path))
    real["incentive_zone_class"] = ["p2i_primary", "p2i_secondary", "other", None,
                                    "no_p2i_region"][: len(real)]
    for requirement in ({"activity": "CRM", "headcount": 300},
                        {"activity": "ITO", "floor_area_m2": 1500, "robustness": {"draws": 50}},
                        {"criteria": [{"column": "airports_km", "direction": "cost"}],
                         "headcount": 80, "salary_mad_month": 9000}):
        results.append(make_shortlist(requirement, real, robustness_draws=20))
    return results


def _check_beside(result: dict) -> list[dict]:
    """Each message's text is the English string beside it; returns every message."""
    found = []
    for zone in result["ranked"]:
        assert [m["text"] for m in zone["messages"]] == zone["explanation"]
        found += zone["messages"]
    for zone in result["excluded"]:
        assert [m["text"] for m in zone["messages"]] == zone["reasons"]
        found += zone["messages"]
    top = result["messages"]
    kinds = {kind: [m["text"] for m in top if m["code"].split(".")[0] == kind]
             for kind in ("warning", "hint", "assumption", "incentive")}
    assert kinds["warning"] == result["warnings"]
    assert kinds["hint"] == ([result["hint"]] if result["hint"] else [])
    assert kinds["assumption"] == result["assumptions"]
    notes = list(dict.fromkeys(z["corporate_tax"] for z in result["incentives"].values()))
    assert kinds["incentive"] == notes
    assert sum(map(len, kinds.values())) == len(top)  # nothing else at the top
    return found + top


def _grid_sentences(tiny_data_path) -> list[Message]:
    """The suitability grid's warnings, as its JSON gives them."""
    dataset = valleys.load_dataset(tiny_data_path)
    flat = {"criteria": [{"column": "airports_km", "direction": "cost"},
                         {"column": "catchment_labour_active", "direction": "benefit"}],
            "constraints": [{"column": "airports_km", "op": "<", "value": -1}]}
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", valleys.DatasetWarning)
        for profile in (None, flat):  # the default's criterion dropped; nothing scored
            result = suitability(dataset, resolution=6, percentile=10, top=5,
                                 profile=profile).to_json()
            assert [m["text"] for m in result["messages"]] == result["warnings"]
            found += [Message(**m) for m in result["messages"]]
            found += [Message(**m) for p in result["parcels"] for m in p["messages"]]
        cells = grid_features(dataset, resolution=6).assign(flat=1.0)
    # a parcel's comparison with the zones: whichever the data gives, all three (issue 14)
    found += [message(f"parcel.{kind}", score=0.5, zone="Technopolis", zone_score=0.4)
              for kind in ("as_good_as", "above_zones", "below_zones")]
    found.append(message("warning.grid_parcels_one_machine"))
    found += [message("parcel.name", town="Tiflet", commune="Sidi Abderrazak"),
              message("parcel.in_town", commune="Aïn-Chock", province="Casablanca")]
    scored = score_cells(cells, {"criteria": [{"column": "flat", "direction": "benefit"},
                                              {"column": "airports_km", "direction": "cost"}]})
    found += [from_text(w) for w in scored.warnings]
    assert "warning.grid_no_variance" in {m.code for m in found}
    return found


def _other_sentences() -> list[Message]:
    """The sentences the shipped rules and presets never write in a shortlist."""
    rules = incentives.load_rules()
    narrow = rules.model_copy(update={
        "eligible_activities": ["ITO"],
        "corporate_tax_contribution": rules.corporate_tax_contribution.model_copy(
            update={"uncertain": not rules.corporate_tax_contribution.uncertain}),
    })
    said = incentives.estimate(headcount=10, zone_class="p2i_primary", activity="CRM",
                               rules=narrow, messages=True)["messages"]
    said += incentives.estimate(headcount=10, zone_class=None, messages=True)["messages"]
    past = [{"name": f"P{i}", "activity": "CRM", "headcount": 100 * i, "chosen": "a"}
            for i in range(1, 4)]
    sites = pd.DataFrame({"name": ["Alpha"]}, index=["a"])
    result = similar_investors({"activity": "CRM"}, past, k=2, sites=sites)
    assert [m["text"] for m in result["messages"]] == result["notes"]
    return [*said, *(Message(**m) for m in result["messages"]), *_sensitivity_sentences(),
            *_learning_sentences()]


def _sensitivity_sentences() -> list[Message]:
    """A shortlist's weight intervals: who takes over below and above, and a stable one."""
    from matching.sensitivity import sensitivity

    matrix = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [0.5, 0.5, 1.0]])
    rows = sensitivity(matrix, [0.6, 0.2, 0.2], [True] * 3, top=0, zone_ids=list("abc"),
                       zone_names=["Alpha", "Beta", "Gamma"], method="weighted_sum",
                       normalization="minmax",
                       columns=["airports_km", "rent_mad_m2_month", "area_ha"])
    rows += sensitivity(matrix[:, :1], [1.0], [True], top=0, zone_ids=list("abc"),
                        zone_names=["Alpha", "Beta", "Gamma"], columns=["airports_km"])
    return [Message(**m) for row in rows for m in row["messages"]]


def _learning_sentences() -> list[Message]:
    """Learned weights' warnings: two criteria that move together, too few decisions."""
    from matching.learning import learn_weights
    from matching.synthetic import synthetic_decisions, synthetic_sites

    sites = synthetic_sites(20, seed=4)
    sites["catchment_french_literate_pct"] = sites["catchment_labour_active"] / 1e4
    decisions = synthetic_decisions(sites, {"catchment_labour_active": 1.0}, n_decisions=10,
                                    zones_per_decision=4, seed=4)
    learned = learn_weights(decisions, sites, ["catchment_labour_active",
                                               "catchment_french_literate_pct"], bootstrap=0)
    return list(learned.messages)


def test_every_code_is_written_by_real_shortlists_and_reads_as_its_english_string(
        sites, tiny_data_path):
    found = [m for result in _shortlists(sites, tiny_data_path) for m in _check_beside(result)]
    found += [m.as_json() for m in [*_other_sentences(), *_grid_sentences(tiny_data_path)]]
    assert {m["code"] for m in found} == set(KEYS)  # every code, and only known ones
    for m in found:
        assert set(m) == {"code", "params", "text"}
        # plain JSON, and the text is the code's template filled from the parameters
        assert json.loads(json.dumps(m["params"], allow_nan=False)) == m["params"]
        assert message(m["code"], **m["params"]).text == m["text"]
        assert phrase_of(m["text"])[0] == KEYS[m["code"]]


def test_parameters_are_values_not_words(sites):
    result = make_shortlist(REQUIREMENTS[1], sites, robustness_draws=0)
    by_zone = {z["id"]: z["messages"] for z in result["excluded"]}
    assert by_zone["b"][0] == {
        "code": "constraint.list_excluded",
        "params": {"column": "activities", "items": ["BPO"], "hits": ["BPO"]},
        "text": "activities BPO include BPO, which the requirement excludes"}
    assert {"code": "constraint.failed",
            "params": {"column": "floors", "value": 4.0, "unit": "", "op": ">", "limit": 3},
            "text": "floors 4 > 3"} in by_zone["d"]
    rent = make_shortlist({"constraints": [{"column": "rent_mad_m2_month", "op": "<=",
                                            "value": 120}], "criteria": CRITERIA},
                          sites.fillna({"airports_km": 1.0}), robustness_draws=0)
    failed = {z["id"]: z["messages"] for z in rent["excluded"]}["b"][0]
    assert failed["params"] == {"column": "rent_mad_m2_month", "value": 140.0,
                                "unit": "MAD/m²/month", "op": ">", "limit": 120}
    assert failed["text"] == "rent_mad_m2_month 140 MAD/m²/month > 120"


def test_the_code_table_covers_every_template():
    assert set(CODES) == set(PHRASES)
    assert len(set(CODES.values())) == len(CODES)
    assert all(code.count(".") == 1 for code in CODES.values())


def test_a_sentence_written_as_text_becomes_a_message():
    said = from_text("the floor area (2,400 m²) was not checked: the dataset has no available_m2 "
                     "column")
    assert said is not None and said.code == "warning.floor_area_unchecked"
    assert said.params == {"area": "2,400 m²"}
    assert from_text("somebody else's sentence") is None
