"""Activity presets: valid requirements, documented, built from the zone features."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matching.presets import PRESETS, preset
from matching.requirements import Constraint, Criterion, parse_requirements, resolve
from matching.shortlist import make_shortlist

DOCS = Path(__file__).parents[2] / "docs" / "requirements.md"

#: The zone features of the shipped dataset (docs/architecture.md) plus the incentive column.
FEATURES = {
    "status", "activities", "available_m2", "rent_mad_m2_month", "airports_km",
    "rail_stations_km", "universities_km", "catchment_labour_active",
    "catchment_french_literate_pct", "catchment_english_literate_pct",
    "catchment_higher_education", "incentive_mad_per_job",
}


def _weight(activity: str, column: str) -> float:
    for c in PRESETS[activity]["criteria"]:
        if c["column"] == column:
            return c["weight"]
    return 0.0


@pytest.mark.parametrize("activity", ["ITO", "CRM", "BPO", "ESO", "KPO"])
def test_every_preset_is_a_valid_requirement_on_the_features(activity):
    entry = preset(activity)
    for c in entry["constraints"]:
        Constraint.model_validate(c)
    for c in entry["criteria"]:
        Criterion.model_validate(c)
        assert c["column"] in FEATURES
    assert entry["rationale"]
    plan = resolve(parse_requirements({"activity": activity}), sorted(FEATURES))
    assert len(plan.criteria) == len(entry["criteria"])
    assert sum(plan.weights) == pytest.approx(1.0)
    assert plan.warnings == []
    rent = [c for c in plan.criteria if c.column == "rent_mad_m2_month"]
    assert rent and rent[0].missing == "worst" and rent[0].direction == "cost"


def test_rationale_weights_as_documented():
    # French-speaking labour and rent weigh most for CRM
    crm = sorted(PRESETS["CRM"]["criteria"], key=lambda c: -c["weight"])
    assert {c["column"] for c in crm[:3]} == {
        "catchment_french_literate_pct", "catchment_labour_active", "rent_mad_m2_month"}
    # higher education and universities for ESO
    assert _weight("ESO", "catchment_higher_education") == 5
    assert _weight("ESO", "universities_km") >= _weight("ESO", "rent_mad_m2_month") + 2
    assert _weight("KPO", "catchment_english_literate_pct") > _weight("CRM",
                                                                       "catchment_english_literate_pct")


def test_presets_are_documented():
    text = DOCS.read_text(encoding="utf-8")
    for activity in PRESETS:
        assert f"**{activity}**" in text
        for c in PRESETS[activity]["criteria"]:
            assert c["column"] in text


def test_preset_is_a_copy():
    entry = preset("ito")
    entry["criteria"].clear()
    assert PRESETS["ITO"]["criteria"]


def test_zones_only_dataset_drops_preset_columns_with_warnings():
    sites = pd.DataFrame({"name": ["A", "B"], "rent_mad_m2_month": [90.0, 120.0],
                          "area_ha": [3.0, 5.0]}, index=["a", "b"])
    result = make_shortlist({"activity": "CRM"}, sites, robustness_draws=0)
    assert list(result["weights"]) == ["rent_mad_m2_month"]
    dropped = [w for w in result["warnings"] if "was dropped" in w]
    assert len(dropped) == len(PRESETS["CRM"]["criteria"]) - 1
    assert any("status was not applied" in w for w in result["warnings"])
    assert [z["id"] for z in result["ranked"]] == ["a", "b"]


def test_preset_with_no_usable_column_is_an_error():
    sites = pd.DataFrame({"name": ["A"], "area_ha": [3.0]}, index=["a"])
    with pytest.raises(Exception, match="nothing to score.*area_ha"):
        make_shortlist({"activity": "ESO"}, sites, robustness_draws=0)


def test_explicit_lists_replace_the_presets_lists():
    req = parse_requirements({"activity": "BPO", "criteria": [
        {"column": "airports_km", "direction": "cost"}]})
    plan = resolve(req, sorted(FEATURES))
    assert [c.column for c in plan.criteria] == ["airports_km"]
    assert [c.column for c in plan.constraints] == ["status", "activities"]  # still the preset's
    req = parse_requirements({"activity": "BPO", "constraints": []})
    plan = resolve(req, sorted(FEATURES))
    assert plan.constraints == []
    assert len(plan.criteria) == len(PRESETS["BPO"]["criteria"])


def test_preset_constraints_keep_investable_zones_offering_the_activity():
    sites = pd.DataFrame({
        "name": ["A", "B", "C", "D"],
        "status": ["operating", "planned", "operating", "under_development"],
        "activities": ["ITO;CRM", "CRM", "ESO;KPO", None],
        "rent_mad_m2_month": [90.0, 80.0, 70.0, None],
    }, index=["a", "b", "c", "d"])
    result = make_shortlist({"activity": "crm"}, sites, robustness_draws=0)
    assert [z["id"] for z in result["ranked"]] == ["a", "d"]
    reasons = {z["id"]: z["reasons"] for z in result["excluded"]}
    assert reasons == {
        "b": ["status 'planned' is not one of operating, under_development"],
        "c": ["activities ESO, KPO do not include CRM"],
    }
    d = result["ranked"][1]
    assert "activities missing: activities in [CRM] not checked" in d["explanation"]
    assert d["imputed"] == {"rent_mad_m2_month": 90.0}
