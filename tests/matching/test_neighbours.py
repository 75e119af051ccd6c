""""Investors like you" (matching.neighbours)."""

from __future__ import annotations

import pandas as pd
import pytest

from matching.errors import DecisionsError
from matching.neighbours import similar_investors


@pytest.fixture
def sites() -> pd.DataFrame:
    return pd.DataFrame({"name": ["Alpha", "Beta", "Gamma"]},
                        index=pd.Index(["alpha", "beta", "gamma"], name="id"))


def _crm(name, headcount, chosen, **extra):
    return {"name": name, "activity": "CRM", "headcount": headcount, "chosen": chosen, **extra}


FRENCH = [{"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 3},
          {"column": "rent_mad_m2_month", "direction": "cost", "weight": 1}]
ENGLISH = [{"column": "catchment_english_literate_pct", "direction": "benefit", "weight": 3},
           {"column": "airports_km", "direction": "cost", "weight": 1}]


@pytest.fixture
def past() -> list[dict]:
    return [
        _crm("Call A", 400, "alpha", criteria=FRENCH),
        _crm("Call B", 500, "alpha", criteria=FRENCH),
        _crm("Call C", 450, "beta", criteria=FRENCH),
        {"name": "Dev X", "activity": "ITO", "headcount": 40, "chosen": "gamma",
         "criteria": ENGLISH, "constraints": [{"column": "airports_km", "op": "<=", "value": 20}]},
        {"name": "Dev Y", "activity": "ITO", "headcount": 60, "chosen": "gamma",
         "criteria": ENGLISH, "constraints": [{"column": "airports_km", "op": "<=", "value": 30}]},
    ]


def test_nearest_investors_share_activity_size_and_languages(past, sites):
    query = {"name": "New call centre", "activity": "CRM", "headcount": 420, "criteria": FRENCH}
    result = similar_investors(query, past, k=3, sites=sites)
    assert [n["investor"] for n in result["neighbours"]][:1] == ["Call A"]
    assert {n["investor"] for n in result["neighbours"]} == {"Call A", "Call B", "Call C"}
    distances = [n["distance"] for n in result["neighbours"]]
    assert distances == sorted(distances)
    assert result["chosen_zones"] == [{"site_id": "alpha", "name": "Alpha", "count": 2},
                                      {"site_id": "beta", "name": "Beta", "count": 1}]
    suggested = {c["column"]: (c["direction"], c["weight"]) for c in result["suggested_criteria"]}
    assert suggested == {"catchment_french_literate_pct": ("benefit", 0.75),
                         "rent_mad_m2_month": ("cost", 0.25)}


def test_constraints_and_languages_separate_investors(past, sites):
    query = {"name": "New dev shop", "activity": "ITO", "headcount": 50, "criteria": ENGLISH,
             "constraints": [{"column": "airports_km", "op": "<=", "value": 25}]}
    result = similar_investors(query, past, k=2, sites=sites)
    assert {n["investor"] for n in result["neighbours"]} == {"Dev X", "Dev Y"}
    assert result["chosen_zones"][0]["site_id"] == "gamma"
    assert "constrains=airports_km" in result["features"]
    assert "language=english" in result["features"]


def test_preset_criteria_count_when_a_past_investor_gives_none(past, sites):
    past.append({"name": "Preset P", "activity": "BPO", "headcount": 300, "chosen": "beta"})
    result = similar_investors({"activity": "BPO", "headcount": 300}, past, k=1, sites=sites)
    assert result["neighbours"][0]["investor"] == "Preset P"
    columns = [c["column"] for c in result["suggested_criteria"]]
    assert "catchment_labour_active" in columns  # from the BPO preset
    assert sum(c["weight"] for c in result["suggested_criteria"]) == pytest.approx(1, abs=1e-3)


def test_unknown_size_is_noted_and_k_is_capped(past, sites):
    result = similar_investors({"activity": "CRM"}, past, k=50, sites=sites)
    assert result["k"] == 5 and len(result["neighbours"]) == 5
    assert "no headcount" in result["notes"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p[1].pop("chosen"), "item 2 \\('Call B'\\): no chosen zone"),
        (lambda p: p[2].update(chosen="atlantis"), "chosen zone 'atlantis' is not a zone"),
        (lambda p: p[0].update(headcount=-3), "item 1 \\('Call A'\\)"),
        (lambda p: p[3].pop("name"), "item 4: no name"),
    ],
)
def test_bad_past_investors_are_named(past, sites, change, message):
    change(past)
    with pytest.raises(DecisionsError, match=message):
        similar_investors({"activity": "CRM"}, past, sites=sites)


@pytest.mark.parametrize("past_value", [[], {"name": "x"}, None])
def test_past_must_be_a_non_empty_list(sites, past_value):
    with pytest.raises(DecisionsError, match="non-empty list of past investors"):
        similar_investors({"activity": "CRM"}, past_value, sites=sites)


def test_k_must_be_positive(past, sites):
    with pytest.raises(DecisionsError, match="k must be at least 1"):
        similar_investors({"activity": "CRM"}, past, k=0, sites=sites)
