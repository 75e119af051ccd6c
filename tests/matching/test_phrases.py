"""The table of the engine's sentences: each code's English template, python-format, marked
for the catalogue; every sentence a shortlist can hold is recognised and renders in French."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from matching.i18n import gettext, render
from matching.messages import from_text
from matching.phrases import CODES, FIXED, PHRASES, phrase_of, slots_of
from matching.shortlist import make_shortlist

ZONE_AND_HINT_KEYS = {"strongest", "weakest", "missing_not_checked", "missing_scored_worst",
                      "missing", "compare", "not_one_of", "one_of", "list_lacks", "list_excluded",
                      "value_excluded", "hint_relax", "hint_worst"}


def french(text: str) -> str:
    """An English sentence of the engine rendered in French (through its recognised message)."""
    message = from_text(text)
    assert message is not None, text
    return render(message, "fr")


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_template_is_python_format_with_a_french_entry(key):
    template = PHRASES[key]
    assert "{" not in template and "}" not in template  # no str.format slots left
    assert re.sub(r"%\(\w+\)s", "", template).count("%") == 0  # no stray % sign
    assert set(FIXED.get(key, {})) <= set(slots_of(template))
    assert key in CODES
    if key != "compare":  # a bare comparison has no words
        assert gettext(template, "fr") != template


def test_a_fixed_slot_is_not_a_parameter_but_is_recognised():
    found = phrase_of("incentives were not estimated: the dataset has no incentive_zone_class "
                      "column")
    assert found == ("no_incentive_class", {})
    assert phrase_of("incentives were not estimated: the dataset has no other_column column") is None


def test_an_operator_inside_a_sentence_does_not_make_it_a_comparison():
    assert phrase_of("available_m2 missing: available_m2 >= 2,400 not checked")[0] == (
        "missing_not_checked")
    assert phrase_of("rent_mad_m2_month 1,140 MAD/m²/month > 120.5")[0] == "compare"
    assert phrase_of("zone_2024_km missing") == ("missing", {"column": "zone_2024_km"})


def test_every_sentence_of_real_shortlists_is_known():
    """Shortlists that give every kind of explanation, reason and hint: each sentence with
    words in it has a French version."""
    sites = pd.DataFrame({
        "name": ["Alpha", "Bravo", "Charlie", "Delta", "Echo"],
        "status": ["operating", "planned", "operating", "operating", "operating"],
        "activities": ["ITO;CRM", "BPO", "ITO;BPO", None, "CRM"],
        "rent_mad_m2_month": [90.0, 140.0, np.nan, 100.0, np.nan],
        "airports_km": [5.0, 20.0, 40.0, np.nan, 12.0],
        "available_m2": [5000.0, np.nan, 20000.0, 800.0, np.nan],
        "floors": [1.0, 2.0, 3.0, 4.0, 2.0],
    }, index=["a", "b", "c", "d", "e"])
    results = [
        make_shortlist({
            "constraints": [
                {"column": "status", "op": "in", "value": ["operating"]},
                {"column": "activities", "op": "in", "value": ["CRM", "KPO"]},
                {"column": "available_m2", "op": ">=", "value": 1000, "missing": "ignore"},
                {"column": "floors", "op": "in", "value": [1, 2, 4]},
            ],
            "criteria": [{"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"},
                         {"column": "airports_km", "direction": "cost", "missing": "worst"}],
        }, sites, robustness_draws=0),
        make_shortlist({
            "constraints": [{"column": "activities", "op": "not in", "value": ["BPO"]},
                            {"column": "status", "op": "not in", "value": ["planned"]},
                            {"column": "floors", "op": "not in", "value": [3]}],
            "criteria": [{"column": "airports_km", "direction": "cost"}],
        }, sites, robustness_draws=0),
        make_shortlist({"constraints": [{"column": "floors", "op": ">", "value": 9}],
                        "criteria": [{"column": "airports_km", "direction": "cost"}]},
                       sites, robustness_draws=0),
        make_shortlist({"criteria": [{"column": "available_m2", "direction": "benefit"}]},
                       sites.assign(available_m2=np.nan, floors=1.0),
                       robustness_draws=0),
    ]
    sentences = [s for r in results for z in r["ranked"] for s in z["explanation"]]
    sentences += [s for r in results for z in r["excluded"] for s in z["reasons"]]
    sentences += [r["hint"] for r in results if r["hint"]]
    found = {s: phrase_of(s) for s in sentences}
    assert all(found.values()), [s for s, f in found.items() if f is None]
    worded = [s for s, f in found.items() if f[0] != "compare"]
    assert worded and all(french(s) != s for s in worded)
    # every per-zone and hint template is written by the engine in these shortlists: none is dead
    zone_keys = {key for key in PHRASES if key in ZONE_AND_HINT_KEYS}
    assert {f[0] for f in found.values() if f} == zone_keys
    # and the warnings they give are known too
    warnings = [w for r in results for w in r["warnings"]]
    assert all(phrase_of(w) for w in warnings), warnings


def test_every_warning_of_the_engine_is_known(tmp_path):
    """Requirements that give each warning the engine writes; each has a French version."""
    sites = pd.DataFrame({"name": list("abc"), "x": [1.0, 1.0, 1.0], "y": [-1.0, 2.0, 3.0],
                          "z": [1.0, -1.0, 0.0], "e": [np.nan] * 3, "w": [1.0, 2.0, 3.0],
                          "airports_km": [5.0, 9.0, 20.0]},
                         index=list("abc"))
    requirements = [
        {"criteria": [{"column": "x", "direction": "benefit"},
                      {"column": "w", "direction": "benefit"}]},  # no variance
        {"normalization": "sum", "method": "weighted_sum",
         "criteria": [{"column": "y", "direction": "benefit"},
                      {"column": "z", "direction": "benefit"}]},  # mixed signs, sum of 0
        {"criteria": [{"column": "e", "direction": "benefit", "missing": "worst"},
                      {"column": "w", "direction": "benefit"}]},  # dropped: no values
        # the preset's other columns missing, floor area unchecked, incentives not estimated
        {"activity": "CRM", "headcount": 100},
        {"activity": "CRM", "criteria": [{"column": "w", "direction": "benefit", "weight": 2},
                                         {"column": "y", "direction": "benefit"}],
         "ahp": {"criteria": ["w", "y"], "matrix": [[1, 3], [1 / 3, 1]]}},
    ]
    warnings = []
    for requirement in requirements:
        try:
            warnings += make_shortlist(requirement, sites, robustness_draws=0)["warnings"]
        except Exception as exc:  # noqa: BLE001  (say which requirement failed)
            raise AssertionError(f"{requirement}: {exc}") from exc
    found = {w: phrase_of(w) for w in warnings}
    assert all(found.values()), [w for w, f in found.items() if f is None]
    assert all(french(w) != w for w in warnings)
    assert {f[0] for f in found.values()} >= {
        "criterion_no_variance", "sum_of_mixed_signs", "sum_of_zero", "criterion_without_values",
        "preset_constraint_skipped", "preset_criterion_no_column", "floor_area_unchecked",
        "ahp_overrides_weights"}


def test_every_assumption_of_a_shortlist_on_a_real_dataset_is_known(tiny_data_path):
    import valleys

    sites = valleys.site_features(valleys.load_dataset(tiny_data_path))
    sites["incentive_zone_class"] = ["p2i_primary", "p2i_secondary", "other", None,
                                     "no_p2i_region"][: len(sites)]
    assumptions = []
    for requirement in ({"activity": "CRM", "headcount": 300},
                        {"activity": "ITO", "floor_area_m2": 1500, "robustness": {"draws": 50}},
                        {"criteria": [{"column": "airports_km", "direction": "cost"},
                                      {"column": "incentive_mad_total", "direction": "benefit"}],
                         "headcount": 80}):
        result = make_shortlist(requirement, sites, robustness_draws=20)
        assumptions += result["assumptions"]
        assumptions += [z["corporate_tax"] for z in (result["incentives"] or {}).values()]
    found = {a: phrase_of(a) for a in assumptions}
    assert all(found.values()), [a for a, f in found.items() if f is None]
    assert {f[0] for f in found.values()} >= {"preset_used", "floor_area_from_headcount",
                                               "robustness_draws", "activity_assumed_eligible",
                                               "income_tax_cap", "incentive_rules",
                                               "jobs_assumed", "salary_default", "training_grant",
                                               "employment_grant"}
    assert all(french(a) != a for a in assumptions)
