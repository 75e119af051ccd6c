"""Incentives: the offshoring offer applied from its rules file, every assumption printed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from matching import settings
from matching.errors import RequirementsError
from matching.incentives import estimate, incentive_columns, income_tax, load_rules

RULES = Path(__file__).parents[2] / "matching" / "rules" / "offre_offshoring_2025.yaml"


def test_rules_file_holds_the_fact_sheet_figures():
    rules = load_rules(RULES)
    assert rules.in_force_from == "2025-07-01"
    assert rules.training_grant.rate == 0.035 and rules.training_grant.years == 5
    assert rules.employment_grant.rate == 0.17 and rules.employment_grant.retention_months == 18
    assert rules.income_tax_cap.by_zone_class == {
        "p2i_primary": 0.20, "p2i_secondary": 0.10, "no_p2i_region": 0.10}
    assert rules.corporate_tax_contribution.max_rate == 0.56
    assert rules.corporate_tax_contribution.uncertain
    assert rules.eligible_activities == ["ITO", "CRM", "BPO", "ESO", "KPO"]


def test_income_tax_scale():
    rules = load_rules(RULES)
    # 2025 scale: 0 to 40,000 free, then 10, 20, 30, 34, 37 %
    incomes = np.array([30_000, 50_000, 70_000, 90_000, 108_000, 200_000])
    expected = [0, 1_000, 4_000, 9_000, 14_720, 39_200 + 0.37 * 20_000]
    np.testing.assert_allclose(income_tax(incomes, rules), expected)


def test_estimate_by_hand_primary_zone():
    est = estimate(headcount=10, salary_mad_month=10_000, zone_class="p2i_primary",
                   activity="ITO")
    annual = 120_000
    assert est["training_grant_mad"] == pytest.approx(10 * 0.035 * annual * 5)
    assert est["employment_grant_mad"] == pytest.approx(10 * 0.17 * annual)
    # net taxable 120,000 - CNSS 3,225.6 - AMO 2,712 - 25% expenses 30,000 = 84,062.4:
    # IR 7,218.72, 6.0% of the gross < 20%: no top-up
    assert est["income_tax_topup_mad_year"] == 0.0
    assert est["income_tax_cap_pct"] == 20.0
    assert est["total_mad"] == pytest.approx(10 * (21_000 + 20_400))
    assert est["eligible"] is True


def test_estimate_secondary_zone_values_the_lower_cap():
    est = estimate(headcount=10, salary_mad_month=15_000, zone_class="p2i_secondary",
                   activity="CRM")
    # net taxable 180,000 - 3,225.6 - 4,068 - 35,000 (capped) = 137,706.4; IR 24,820.176
    assert est["income_tax_topup_mad_year"] == pytest.approx(10 * (24_820.176 - 18_000))
    assert est["income_tax_topup_mad"] == pytest.approx(5 * 10 * 6_820.176)
    assert est["total_mad"] == pytest.approx(10 * (31_500 + 30_600 + 5 * 6_820.176))
    text = "\n".join(est["assumptions"])
    for needle in ("10 new stable jobs", "15,000 MAD/month", "3.5%", "17%",
                   "income-tax cap 10% (p2i_secondary)", "rules version 2025-07-01"):
        assert needle in text
    assert "56%" in est["corporate_tax"] and "uncertain" in est["corporate_tax"]


def test_default_salary_is_an_assumption_that_says_so():
    est = estimate(headcount=1, zone_class="p2i_primary")
    assert est["salary_mad_month"] == settings.SALARY_MAD_MONTH
    assert any("default assumption" in a for a in est["assumptions"])
    assert any("activity not given: assumed eligible" in a for a in est["assumptions"])


def test_uncovered_class_is_not_estimated_never_zero():
    for zone_class in ("other", None):
        est = estimate(headcount=5, salary_mad_month=9000, zone_class=zone_class, activity="BPO")
        assert est["eligible"] is None and est["total_mad"] is None
        assert est["income_tax_topup_mad"] is None
        assert est["training_grant_mad"] > 0  # the grants do not depend on the zone


def test_ineligible_activity_gets_nothing():
    est = estimate(headcount=5, salary_mad_month=9000, zone_class="p2i_primary",
                   activity="manufacturing")
    assert est["eligible"] is False and est["total_mad"] == 0.0
    assert any("not eligible" in a for a in est["assumptions"])


def test_incentive_columns_aligned_and_missing_for_unknown_classes():
    sites = pd.DataFrame({"incentive_zone_class": ["p2i_secondary", "other", "p2i_primary"]},
                         index=["fes", "tp", "casa"])
    out = incentive_columns(sites, headcount=100, salary_mad_month=9000, activity="KPO")
    assert list(out.index) == ["fes", "tp", "casa"]
    assert out["incentive_ir_cap_pct"].tolist()[::2] == [10.0, 20.0]
    assert np.isnan(out.loc["tp", "incentive_mad_per_job"])
    assert out.loc["casa", "incentive_mad_total"] == pytest.approx(100 * 37_260)
    assert incentive_columns(pd.DataFrame(index=["a"])).columns.tolist() == []


def test_rules_file_not_code_changing_it_changes_the_estimate(tmp_path):
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    data["version"] = "test"
    data["training_grant"]["rate"] = 0.05
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    est = estimate(headcount=1, salary_mad_month=10_000, zone_class="p2i_primary",
                   rules=load_rules(path))
    assert est["training_grant_mad"] == pytest.approx(0.05 * 120_000 * 5)
    assert est["rules_version"] == "test"


def test_bad_rules_file_is_a_clear_error(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("name: x\nversion: 1\n", encoding="utf-8")
    with pytest.raises(RequirementsError, match="rules.yaml cannot be used"):
        load_rules(path)
    with pytest.raises(RequirementsError, match="not found"):
        load_rules(tmp_path / "missing.yaml")


def test_one_income_tax_is_the_vectorised_one_exactly():
    from matching.incentives import _income_tax_one

    rules = load_rules(RULES)
    incomes = np.concatenate([np.linspace(0, 400_000, 401), [39_999.99, 40_000.0, 1e9]])
    assert [_income_tax_one(float(x), rules) for x in incomes] == income_tax(incomes, rules).tolist()


def test_incentive_arrays_per_class_spread_to_the_zones():
    from matching.incentives import incentive_arrays

    classes = ["p2i_secondary", None, "", "other", "p2i_secondary", np.nan, "p2i_primary"]
    arrays = incentive_arrays(classes, headcount=3, salary_mad_month=15000, activity="crm")
    per_job = arrays["incentive_mad_per_job"]
    np.testing.assert_allclose(per_job[[0, 4, 6]], [96_200.88, 96_200.88, 62_100.0])
    assert np.isnan(per_job[[1, 2, 3, 5]]).all()  # no class, blank, not covered
    assert arrays["incentive_ir_cap_pct"][[0, 6]].tolist() == [10.0, 20.0]
    np.testing.assert_array_equal(arrays["incentive_mad_total"], per_job * 3)
    frame = pd.DataFrame({"incentive_zone_class": classes}, index=list("abcdefg"))
    pd.testing.assert_frame_equal(
        incentive_columns(frame, headcount=3, salary_mad_month=15000, activity="crm"),
        pd.DataFrame(arrays, index=frame.index))
    ineligible = incentive_arrays(classes, activity="AGRI")["incentive_mad_per_job"]
    assert ineligible[[0, 6]].tolist() == [0.0, 0.0] and np.isnan(ineligible[1])


# --- the income tax computed as a payslip does (net taxable salary, LF 2025 scale) ---------

from matching.incentives import income_tax_on_salary, taxable_income  # noqa: E402


def test_net_taxable_salary_by_hand():
    rules = load_rules(RULES)
    # 9,000 MAD/month: CNSS 4.48% of 72,000 (capped), AMO 2.26% of 108,000, 25% expenses
    assert taxable_income(108_000, rules) == pytest.approx(108_000 - 3_225.6 - 2_440.8 - 27_000)
    # 6,000 MAD/month: 35% expenses (annual gross at most 78,000)
    assert taxable_income(72_000, rules) == pytest.approx(72_000 - 3_225.6 - 1_627.2 - 25_200)
    # 30,000 MAD/month: the expenses stop at 35,000 MAD a year
    assert taxable_income(360_000, rules) == pytest.approx(360_000 - 3_225.6 - 8_136 - 35_000)


@pytest.mark.parametrize(("salary", "rate_pct"),
                         [(6_000, 0.27), (9_000, 4.7), (15_000, 13.8), (30_000, 24.6)])
def test_effective_rate_of_the_gross_salary(salary, rate_pct):
    rules = load_rules(RULES)
    annual = 12 * salary
    assert 100 * income_tax_on_salary(annual, rules) / annual == pytest.approx(rate_pct, abs=0.3)


def test_what_each_cap_is_worth_by_salary():
    worth = {(cap_class, salary): estimate(headcount=1, salary_mad_month=salary,
                                           zone_class=cap_class)["income_tax_topup_mad_year"]
             for cap_class in ("p2i_primary", "p2i_secondary")
             for salary in (6_000, 9_000, 15_000, 30_000)}
    # 10% cap: nothing at 6,000 and 9,000 (the tax is 0.27% and 4.7% of the gross)
    assert worth["p2i_secondary", 6_000] == worth["p2i_secondary", 9_000] == 0.0
    assert worth["p2i_secondary", 15_000] > 0
    # 20% cap: something only at 30,000 (24.6% of 360,000 less 20%)
    assert [worth["p2i_primary", s] for s in (6_000, 9_000, 15_000)] == [0.0, 0.0, 0.0]
    assert worth["p2i_primary", 30_000] == pytest.approx(
        income_tax_on_salary(360_000, load_rules(RULES)) - 72_000)
    assert worth["p2i_primary", 30_000] > 10_000


def test_the_assumption_says_how_the_tax_is_computed_in_both_languages():
    from matching import i18n

    est = estimate(headcount=1, salary_mad_month=9_000, zone_class="p2i_secondary",
                   messages=True)
    said = [m for m in est["messages"] if m.code == "assumption.income_tax_computed"]
    assert len(said) == 1 and said[0].text in est["assumptions"]
    english, french = i18n.render(said[0], "en"), i18n.render(said[0], "fr")
    for needle in ("CNSS 4.48%", "6,000 MAD/month", "AMO 2.26%", "35% of the gross up to 78,000",
                   "else 25%", "at most 35,000 MAD a year", "2025 scale", "4.69% of the gross"):
        assert needle in english, needle
    for needle in ("bulletin de paie", "4,48\u202f%", "6\u202f000 MAD/mois", "2,26\u202f%",
                   "barème 2025", "4,69\u202f% du salaire brut"):
        assert needle in french, needle
    # no cap to value (a class the rules do not cover): nothing to say about the tax
    other = estimate(headcount=1, salary_mad_month=9_000, zone_class="other", messages=True)
    assert "assumption.income_tax_computed" not in {m.code for m in other["messages"]}


def _rules_with(tmp_path, change) -> Path:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["income_tax_cap"]["scale"][2].update(rate=-0.2),
     r"income_tax_cap\.scale\.2\.rate: Input should be greater than or equal to 0"),
    (lambda d: d["income_tax_cap"]["scale"].reverse(),
     r"income_tax_cap\.scale: the income-tax scale: only the last bracket may have up_to: null"),
    (lambda d: d["income_tax_cap"]["scale"][1].update(up_to=90_000),
     r"brackets must be sorted by up_to, each above the one before \(got \[40000\.0, 90000\.0"),
    (lambda d: d["income_tax_cap"]["scale"].pop(),
     r"the last bracket must have up_to: null"),
    (lambda d: d["income_tax_cap"]["taxable_income"]["employee_cnss"].update(rate=-0.0448),
     r"taxable_income\.employee_cnss\.rate: Input should be greater than or equal to 0"),
    (lambda d: d["income_tax_cap"]["taxable_income"]["professional_expenses"].update(
        cap_mad_year=-1), r"professional_expenses\.cap_mad_year: Input should be greater than 0"),
    (lambda d: d["income_tax_cap"]["by_zone_class"].update(p2i_primary=20),
     r"each cap is a share of the gross salary, from 0 to 1 \(got \{'p2i_primary': 20"),
    (lambda d: d["income_tax_cap"].pop("taxable_income"),
     r"income_tax_cap\.taxable_income: Field required"),
])
def test_bad_rules_values_are_clear_errors(tmp_path, change, expected):
    path = _rules_with(tmp_path, change)
    with pytest.raises(RequirementsError, match=expected) as raised:
        load_rules(path)
    assert str(path) in str(raised.value) and "Traceback" not in str(raised.value)
