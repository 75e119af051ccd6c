"""The engine's sentences in French: every template, and every sentence a shortlist can hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching.phrases import PHRASES, phrase_of, say, translate, translated
from matching.shortlist import make_shortlist

NNBSP = "\u202f"
ZONE_AND_HINT_KEYS = {"strongest", "weakest", "missing_not_checked", "missing_scored_worst",
                      "missing", "compare", "not_one_of", "one_of", "list_lacks", "list_excluded",
                      "value_excluded", "hint_relax", "hint_worst"}

SLOT_SAMPLES = {
    "column": "catchment_labour_active",
    "value": "1,759,609",
    "values": "operating, planned",
    "constraint": "available_m2 >= 2,400",
    "items": "ITO, BPO",
    "alternatives": "CRM, KPO or ESO",
    "hits": "BPO",
    "op": ">=",
    "limit": "2,400",
    "count": "4",
    "activity": "CRM",
    "area": "2,400 m²",
    "columns": "rent_mad_m2_month, airports_km",
    "ratio": "0.123",
    "size": "1,280",
    "headcount": "300",
    "m2_per_seat": "8",
    "draws": "200",
    "sigma": "0.3",
    "seed": "7",
    "cap": "20%",
    "zone_class": "'p2i_primary'",
    "years": "10",
    "until": "2035-12-31",
    "name": "Offre Offshoring Maroc",
    "version": "2025-07-01",
    "since": "2025-07-01",
    "months": "18",
    "salary": "8,000",
    "rate": "20%",
    "total": "12",
}


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_template_turns_into_french_with_its_slots(key):
    phrase = PHRASES[key]
    slots = {name: SLOT_SAMPLES[name] for name in SLOT_SAMPLES if "{" + name + "}" in phrase.en}
    english = say(key, **slots)
    french = translate(english, "fr")
    assert french != english or key == "compare"
    # the slots come through, numbers written the French way, "or" as "ou"
    expected = dict(slots)
    expected.update({
        name: text.replace(",", NNBSP) for name, text in slots.items()
        if name in ("value", "constraint", "limit", "area", "size", "salary")
    })
    if "ratio" in slots:
        expected["ratio"] = "0,123"
    if "sigma" in slots:
        expected["sigma"] = "0,3"
    if "alternatives" in slots:
        expected["alternatives"] = "CRM, KPO ou ESO"
    assert french == phrase.fr.format(**expected)
    assert translate(english, "en") == english


def test_a_comparison_keeps_its_words_and_writes_numbers_the_french_way():
    assert translate("rent_mad_m2_month 1,140 MAD/m²/month > 120.5", "fr") == (
        f"rent_mad_m2_month 1{NNBSP}140 MAD/m²/mois > 120,5")
    assert translate("status 'planned' != 'operating'", "fr") == "status 'planned' != 'operating'"
    # an operator inside a sentence with words does not make it a comparison
    assert translate("available_m2 missing: available_m2 >= 2,400 not checked", "fr") == (
        f"available_m2 manquant{NNBSP}: available_m2 >= 2{NNBSP}400 non vérifié")
    assert translated(["rent_mad_m2_month missing", "a 1 > 0", "not ours"], "fr") == [
        ("rent_mad_m2_month manquant", "fr"), ("a 1 > 0", "fr"), ("not ours", "en")]
    assert translated(["not ours"], "en") == [("not ours", "en")]


def test_numbers_and_units_read_the_french_way():
    assert translate("strongest criterion: rent_mad_m2_month (1,234.5 MAD/m²/month)", "fr") == (
        f"critère le plus fort{NNBSP}: rent_mad_m2_month (1{NNBSP}234,5 MAD/m²/mois)")
    # a column name keeps its digits and underscores
    assert translate("zone_2024_km missing", "fr") == "zone_2024_km manquant"


def test_an_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="unknown language 'de'"):
        translate("a_km missing", "de")


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
    assert worded and all(translate(s, "fr") != s for s in worded)
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
    assert all(translate(w, "fr") != w for w in warnings)
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
    assert all(translate(a, "fr") != a for a in assumptions)
