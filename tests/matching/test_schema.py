"""The typed shortlist: the model describes exactly what the engine returns."""

from __future__ import annotations

import json

import pandas as pd
import pydantic
import pytest

import valleys
from matching.schema import Shortlist
from matching.shortlist import make_shortlist

REQUIREMENTS = [
    {"activity": "CRM", "headcount": 300},
    {"activity": "ITO", "floor_area_m2": 1500, "method": "weighted_sum"},
    {"criteria": [{"column": "airports_km", "direction": "cost", "weight": 2},
                  {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}],
     "ahp": {"criteria": ["airports_km", "rent_mad_m2_month"], "matrix": [[1, 3], [1 / 3, 1]]}},
    {"constraints": [{"column": "airports_km", "op": "<", "value": 0}],
     "criteria": [{"column": "airports_km", "direction": "cost"}]},  # nothing ranked
]


@pytest.fixture
def sites(tiny_data_path) -> pd.DataFrame:
    table = valleys.site_features(valleys.load_dataset(tiny_data_path))
    table["incentive_zone_class"] = ["p2i_primary", "p2i_secondary", "other", None,
                                     "no_p2i_region"][: len(table)]
    table.attrs["version"] = "tiny-1"
    return table


@pytest.mark.parametrize("requirement", REQUIREMENTS)
def test_the_model_dump_is_the_engines_result_byte_for_byte(sites, requirement):
    result = make_shortlist(requirement, sites, robustness_draws=30)
    dumped = Shortlist.model_validate(result).model_dump(mode="json", exclude_unset=True)
    assert json.dumps(dumped) == json.dumps(result)  # same keys, order, values and types


def test_keys_the_engine_leaves_out_stay_out(sites):
    weighted = make_shortlist(REQUIREMENTS[1], sites, robustness_draws=0)
    assert "distance_shares" not in weighted["ranked"][0]
    assert weighted["robustness_method"] is None and weighted["hint"] is None
    bare = make_shortlist(REQUIREMENTS[1], pd.DataFrame(sites), robustness_draws=0)
    assert set(bare["dataset"]) == {"zones", "ranked", "excluded"}


def test_an_undescribed_or_missing_key_fails(sites):
    result = make_shortlist(REQUIREMENTS[0], sites, robustness_draws=0)
    with pytest.raises(pydantic.ValidationError, match="ranked.0.surprise"):
        Shortlist.model_validate({**result, "ranked": [
            {**result["ranked"][0], "surprise": 1}, *result["ranked"][1:]]})
    without = {key: value for key, value in result.items() if key != "messages"}
    with pytest.raises(pydantic.ValidationError, match="messages"):
        Shortlist.model_validate(without)
    # what the web application adds is described too
    Shortlist.model_validate({**result, "similar_investors": {"k": 1}, "dataset_version": "v"})


def test_the_json_schema_states_what_is_required():
    schema = Shortlist.model_json_schema()
    assert set(schema["required"]) == {
        "requirements", "method", "normalization", "weights", "consistency_ratio", "criteria",
        "constraints", "ranked", "excluded", "hint", "robustness", "robustness_method",
        "leave_one_out", "incentives", "assumptions", "warnings", "dataset", "messages"}
    ranked = schema["$defs"]["RankedZone"]
    assert "messages" in ranked["required"] and "distance_shares" not in ranked["required"]
    assert schema["$defs"]["ExcludedZone"]["required"] == ["id", "name", "reasons", "messages"]
    assert schema["$defs"]["Message"]["required"] == ["code", "params", "text"]
    json.dumps(schema)
