"""Stale and unknown facts: a value dated (``<column>_as_of``) more than ``max_fact_age_years``
before today counts as missing for the constraints, and is shown as dated everywhere."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from matching.constraints import Columns, check_constraint, fact_cutoff, stale_dates
from matching.errors import RequirementsError
from matching.presets import PRESETS
from matching.requirements import Constraint
from matching.shortlist import make_shortlist

TODAY = date(2026, 12, 3)
RENT_150 = {"column": "rent_mad_m2_month", "op": "<=", "value": 150}
LABOUR = {"column": "labour", "direction": "benefit"}


@pytest.fixture
def sites() -> pd.DataFrame:
    return pd.DataFrame({
        "name": ["Old", "Fresh", "Unknown", "Undated", "Dear"],
        "status": ["operating", "operating", "operating", "planned", "operating"],
        "status_as_of": ["2012", "2025-04-30", None, None, "2024-01-01"],
        "rent_mad_m2_month": [90.0, 110.0, np.nan, 100.0, 180.0],
        "rent_mad_m2_month_as_of": ["2007-10-16", "2024-06", None, None, "2023-01-01"],
        "labour": [5.0, 4.0, 3.0, 2.0, 1.0],
    }, index=["old", "fresh", "unknown", "undated", "dear"])


def _by_id(entries):
    return {z["id"]: z for z in entries}


def test_cutoff_and_stale_mask_are_pure():
    assert fact_cutoff(TODAY, 5) == date(2021, 12, 3)
    assert fact_cutoff(TODAY, 0.5) == date(2026, 6, 3)  # 183 days
    dates = np.array(["2021-12-02", "2021-12-03", "NaT"], dtype="datetime64[D]")
    assert stale_dates(dates, date(2021, 12, 3)).tolist() == [True, False, False]


def test_a_stale_value_counts_as_missing_for_a_constraint(sites):
    table = Columns(sites, list(sites.index), today=TODAY)
    passes, missing, reasons = check_constraint(
        table, Constraint.model_validate(RENT_150), "constraints[0]")
    assert missing.tolist() == [True, False, True, False, False]  # 2007: stale; NaN: unknown
    assert passes.tolist() == [False, True, False, True, False]
    assert list(reasons) == [4]  # 180 > 150: only the known, current value is compared
    dated = table.dated("rent_mad_m2_month")
    assert dated.stale.tolist() == [True, False, False, False, False]
    assert dated.as_of == ["2007-10-16", "2024-06", None, None, "2023-01-01"]
    assert table.dated("labour") is None  # no labour_as_of
    # a longer horizon, or an earlier today, counts the 2007 value again
    for table in (Columns(sites, list(sites.index), max_fact_age_years=20, today=TODAY),
                  Columns(sites, list(sites.index), today=date(2010, 1, 1))):
        _, missing, _ = check_constraint(table, Constraint.model_validate(RENT_150), "c")
        assert missing.tolist() == [False, False, True, False, False]


def test_a_stale_text_value_counts_as_missing_too(sites):
    table = Columns(sites, list(sites.index), today=TODAY)
    status = Constraint(column="status", op="in", value=["operating"])
    passes, missing, reasons = check_constraint(table, status, "constraints[0]")
    assert missing.tolist() == [True, False, False, False, False]
    assert passes.tolist() == [False, True, True, False, True]
    assert list(reasons) == [3]  # planned, undated: compared


@pytest.mark.parametrize("as_of", [2007, 2007.0, pd.Timestamp("2007-10-16"), "2007", "2007-10"])
def test_dates_read_as_years_numbers_or_timestamps(sites, as_of):
    sites["rent_mad_m2_month_as_of"] = pd.Series([as_of, None, None, None, None],
                                                 index=sites.index, dtype=object)
    dated = Columns(sites, list(sites.index), today=TODAY).dated("rent_mad_m2_month")
    assert dated.stale.tolist()[0] and dated.as_of[0].startswith("2007")


@pytest.mark.parametrize("bad", ["last year", "07/10/2007", "2007-13-01", "20070"])
def test_a_date_that_is_not_a_date_is_an_error_naming_the_zone(sites, bad):
    sites.loc["fresh", "rent_mad_m2_month_as_of"] = bad
    with pytest.raises(RequirementsError, match=(
            rf"constraints\[0\]: column rent_mad_m2_month_as_of must hold ISO dates .* "
            rf"fresh \('{bad}'\)")):
        make_shortlist({"constraints": [RENT_150], "criteria": [LABOUR]}, sites,
                       robustness_draws=0, today=TODAY)
    rent = {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}
    with pytest.raises(RequirementsError, match=(
            r"criterion rent_mad_m2_month: column rent_mad_m2_month_as_of must hold ISO dates")):
        make_shortlist({"criteria": [rent]}, sites, robustness_draws=0, today=TODAY)


def test_exclude_says_the_value_is_out_of_date(sites):
    result = make_shortlist({"constraints": [RENT_150], "criteria": [LABOUR]}, sites,
                            robustness_draws=0, today=TODAY)
    excluded = _by_id(result["excluded"])
    assert excluded["old"]["reasons"] == [
        "rent_mad_m2_month 90 MAD/m²/month dates from 2007: out of date"]
    assert excluded["old"]["messages"][0] == {
        "code": "value.dated", "params": {"column": "rent_mad_m2_month", "value": 90.0,
                                          "unit": "MAD/m²/month", "as_of": "2007-10-16"},
        "text": excluded["old"]["reasons"][0]}
    assert excluded["old"]["dated"] == {"rent_mad_m2_month": "2007-10-16"}
    assert excluded["unknown"]["reasons"] == ["rent_mad_m2_month missing"]
    assert [z["id"] for z in result["ranked"]] == ["fresh", "undated"]
    assert "facts dated before 2021-12-03 (more than 5 years old) count as missing for the " \
           "constraints" in result["assumptions"]
    assert not any("kept without checking" in w for w in result["warnings"])


def test_ignore_keeps_the_zone_flags_it_and_counts_it(sites):
    result = make_shortlist({"constraints": [{**RENT_150, "missing": "ignore"}],
                             "criteria": [LABOUR]}, sites, robustness_draws=0, today=TODAY)
    ranked = _by_id(result["ranked"])
    assert set(ranked) == {"old", "fresh", "unknown", "undated"}
    assert _by_id(result["excluded"])["dear"]["reasons"] == [
        "rent_mad_m2_month 180 MAD/m²/month > 150"]
    assert ranked["old"]["explanation"][-1] == (
        "rent_mad_m2_month 90 MAD/m²/month dates from 2007: not checked, ask the operator")
    assert ranked["old"]["messages"][-1]["code"] == "constraint.dated_ask_operator"
    assert ranked["old"]["dated"] == {"rent_mad_m2_month": "2007-10-16"}
    assert ranked["unknown"]["explanation"][-1] == (
        "rent_mad_m2_month unknown: not checked, ask the operator")
    assert ranked["unknown"]["messages"][-1] == {
        "code": "constraint.unknown_ask_operator", "params": {"column": "rent_mad_m2_month"},
        "text": ranked["unknown"]["explanation"][-1]}
    assert ranked["fresh"]["dated"] == {} and ranked["unknown"]["dated"] == {}
    kept = [m for m in result["messages"] if m["code"] == "warning.kept_unchecked"]
    assert kept == [{"code": "warning.kept_unchecked",
                     "params": {"count": 2, "total": 5, "constraint": {
                         "column": "rent_mad_m2_month", "op": "<=", "value": 150}},
                     "text": "2 of 5 zones kept without checking rent_mad_m2_month <= 150: "
                             "their value is unknown or out of date"}]
    assert kept[0]["text"] in result["warnings"]


def test_kept_counts_only_the_zones_that_stay_ranked(sites):
    result = make_shortlist({"constraints": [
        {**RENT_150, "missing": "ignore"},
        {"column": "labour", "op": ">=", "value": 4}]}
        | {"criteria": [LABOUR]}, sites, robustness_draws=0, today=TODAY)
    assert "1 of 5 zones kept without checking rent_mad_m2_month <= 150: their value is " \
           "unknown or out of date" in result["warnings"]  # "unknown" fails labour >= 4


def test_another_column_says_which_constraint_was_not_checked(sites):
    status = {"column": "status", "op": "in", "value": ["operating"], "missing": "ignore"}
    result = make_shortlist({"constraints": [status], "criteria": [LABOUR]}, sites,
                            robustness_draws=0, today=TODAY)
    old = _by_id(result["ranked"])["old"]
    assert old["explanation"][-1] == (
        "status 'operating' dates from 2012: status in [operating] not checked")
    assert old["dated"] == {"status": "2012"}


def test_a_criterion_scores_a_dated_value_and_flags_it(sites):
    rent = {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}
    result = make_shortlist({"criteria": [rent, LABOUR]}, sites, robustness_draws=0,
                            today=TODAY)
    old = _by_id(result["ranked"])["old"]
    assert old["values"]["rent_mad_m2_month"] == 90.0 and old["imputed"] == {}
    assert "rent_mad_m2_month 90 MAD/m²/month dates from 2007" in old["explanation"]
    assert old["dated"] == {"rent_mad_m2_month": "2007-10-16"}
    # a constraint on the same column said it already: flagged once
    both = make_shortlist({"constraints": [{**RENT_150, "missing": "ignore"}],
                           "criteria": [rent, LABOUR]}, sites, robustness_draws=0, today=TODAY)
    said = _by_id(both["ranked"])["old"]["explanation"]
    assert sum("dates from 2007" in text for text in said) == 1


def test_max_fact_age_years_is_the_requirements(sites):
    result = make_shortlist({"constraints": [RENT_150], "criteria": [LABOUR],
                             "max_fact_age_years": 20}, sites, robustness_draws=0, today=TODAY)
    assert "old" in _by_id(result["ranked"])
    assert result["requirements"]["max_fact_age_years"] == 20
    assert "facts dated before 2006-12-03 (more than 20 years old) count as missing for the " \
           "constraints" in result["assumptions"]
    half = make_shortlist({"constraints": [RENT_150], "criteria": [LABOUR],
                           "max_fact_age_years": 2.5}, sites, robustness_draws=0, today=TODAY)
    # the cut-off is 2024-06-03: a rent of 2024-06 (read as its first day) is out of date
    assert _by_id(half["excluded"])["fresh"]["reasons"] == [
        "rent_mad_m2_month 110 MAD/m²/month dates from 2024: out of date"]
    assert any("(more than 2.5 years old)" in a for a in half["assumptions"])


def test_no_dates_no_assumption(sites):
    result = make_shortlist({"constraints": [RENT_150], "criteria": [LABOUR]},
                            sites.drop(columns=["rent_mad_m2_month_as_of", "status_as_of"]),
                            robustness_draws=0, today=TODAY)
    assert not any("dated" in a for a in result["assumptions"])
    assert all(z["dated"] == {} for z in result["ranked"] + result["excluded"])


def test_every_preset_constraint_keeps_unknown_values():
    for activity, preset in PRESETS.items():
        assert [c.get("missing") for c in preset["constraints"]] == ["ignore", "ignore"], activity
