"""Incentive estimates from the offshoring offer, kept as a versioned rules file.

The renewed Offre Offshoring Maroc (in force since 2025-07-01) lives in
``matching/rules/offre_offshoring_2025.yaml``: rates, years, eligible activities, the
income-tax cap per ``incentive_zone_class`` and the sources. This module only applies it.

For ``headcount`` new jobs at a gross taxable salary of ``salary_mad_month`` (default
:data:`matching.settings.SALARY_MAD_MONTH`), S = 12 x salary_mad_month a year:

- training grant: ``training_grant.rate`` x S per recruit per year, over ``years`` (3.5%, 5);
- employment grant: ``employment_grant.rate`` x S per new stable job, once (17%, if the employee
  stays 18 months);
- income-tax cap: the state tops up the income tax (IR) above ``cap`` x S; the estimate values
  it as max(0, IR(S) - cap x S) a year per employee, over ``income_tax_cap.years``. IR(S) is
  computed as a payslip does (:func:`taxable_income`, :func:`income_tax_on_salary`): the
  gross less the employee's CNSS (4.48% of the salary up to 6,000 MAD/month), AMO (2.26%) and
  professional expenses (35% of the gross when it is at most 78,000 MAD a year, else 25%; at
  most 35,000 MAD a year), then the 2025 scale; every figure is in the rules file with its
  source. The effective rate is 0.27% of the gross at 6,000 MAD/month, 4.7% at 9,000, 13.8% at
  15,000 and 24.6% at 30,000: a 10% cap is worth nothing below about 12,600 MAD/month, a 20%
  cap below about 21,450. It goes to the employees: the employer can pay less gross for the
  same net salary. Zones of a class the rules do not list (``other``) or with no class are not
  estimated (``None``, never 0);
- the corporate-tax contribution (up to 56% of the IS due; uncertain) depends on profits: it is
  reported, never added to a total.

Examples
--------
>>> est = estimate(headcount=100, salary_mad_month=9000, zone_class="p2i_secondary",
...                activity="CRM")
>>> est["training_grant_mad"], est["employment_grant_mad"], est["income_tax_topup_mad"]
(1890000.0, 1836000.0, 0.0)
>>> est["total_mad"]
3726000.0
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from matching import settings
from matching.errors import RequirementsError
from matching.messages import message

__all__ = [
    "DERIVED_COLUMNS",
    "IncentiveRules",
    "estimate",
    "income_tax",
    "income_tax_on_salary",
    "taxable_income",
    "incentive_arrays",
    "incentive_columns",
    "load_rules",
]

ZONE_CLASS_COLUMN = "incentive_zone_class"
#: Columns :func:`incentive_columns` adds to a dataset that has :data:`ZONE_CLASS_COLUMN`.
DERIVED_COLUMNS: tuple[str, ...] = (
    "incentive_ir_cap_pct", "incentive_mad_per_job", "incentive_mad_total",
)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Grant(_Rule):
    rate: float = Field(ge=0, le=1)
    years: int = Field(1, ge=1)
    retention_months: int | None = None
    source: str = ""


class _Bracket(_Rule):
    up_to: float | None
    rate: float = Field(ge=0, le=1)


def _check_brackets(brackets: list[_Bracket], what: str) -> list[_Bracket]:
    """Brackets rise strictly, each with a positive bound; only the last is open (``null``)."""
    if not brackets:
        raise ValueError(f"{what} needs at least one bracket")
    bounds = [b.up_to for b in brackets]
    if any(bound is None for bound in bounds[:-1]):
        raise ValueError(f"{what}: only the last bracket may have up_to: null (no upper bound)")
    if bounds[-1] is not None:
        raise ValueError(f"{what}: the last bracket must have up_to: null (no upper bound)")
    known = [float(bound) for bound in bounds[:-1] if bound is not None]
    if any(bound <= 0 for bound in known):
        raise ValueError(f"{what}: every up_to must be a positive amount (got {known})")
    if any(later <= earlier for earlier, later in zip(known, known[1:], strict=False)):
        raise ValueError(f"{what}: brackets must be sorted by up_to, each above the one before "
                         f"(got {known})")
    return brackets


class _Contribution(_Rule):
    """An employee's social contribution: ``rate`` of the salary, up to a monthly ceiling."""

    rate: float = Field(ge=0, le=1)
    monthly_ceiling_mad: float | None = Field(None, gt=0)
    source: str = ""


class _ProfessionalExpenses(_Rule):
    """The flat deduction for professional expenses (frais professionnels)."""

    low_rate: float = Field(ge=0, le=1)
    low_up_to_mad_year: float = Field(gt=0)
    rate: float = Field(ge=0, le=1)
    cap_mad_year: float | None = Field(None, gt=0)
    source: str = ""


class _TaxableIncome(_Rule):
    """From the gross salary to the net taxable salary the scale applies to."""

    employee_cnss: _Contribution
    amo: _Contribution
    professional_expenses: _ProfessionalExpenses


class _IncomeTaxCap(_Rule):
    until: str
    years: int = Field(ge=1)
    by_zone_class: dict[str, float]
    taxable_income: _TaxableIncome
    scale: list[_Bracket]
    source: str = ""

    @field_validator("by_zone_class")
    @classmethod
    def _caps_are_shares(cls, caps: dict[str, float]) -> dict[str, float]:
        bad = {zone_class: cap for zone_class, cap in caps.items() if not 0 <= cap <= 1}
        if bad:
            raise ValueError(f"each cap is a share of the gross salary, from 0 to 1 (got {bad})")
        return caps

    @field_validator("scale")
    @classmethod
    def _sorted_scale(cls, scale: list[_Bracket]) -> list[_Bracket]:
        return _check_brackets(scale, "the income-tax scale")


class _CorporateTax(_Rule):
    max_rate: float = Field(ge=0, le=1)
    uncertain: bool = True
    estimated: bool = False
    source: str = ""


class IncentiveRules(_Rule):
    """The offer, as read from a rules file (see the module docstring)."""

    name: str
    version: str
    in_force_from: str
    sources: dict[str, str] = {}
    eligible_activities: list[str]
    training_grant: _Grant
    employment_grant: _Grant
    income_tax_cap: _IncomeTaxCap
    corporate_tax_contribution: _CorporateTax
    path: str = ""


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> IncentiveRules:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return IncentiveRules.model_validate({**data, "path": path})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'the file'}: "
            f"{error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors())
        raise RequirementsError(
            f"incentive rules file {path} cannot be used: {problems}. Fix it or point "
            "TECHVALLEY_INCENTIVE_RULES at a valid rules file."
        ) from None
    except (OSError, yaml.YAMLError, TypeError) as exc:
        raise RequirementsError(
            f"incentive rules file {path} cannot be used: {exc}. Fix it or point "
            "TECHVALLEY_INCENTIVE_RULES at a valid rules file."
        ) from None


def load_rules(path: str | Path | None = None) -> IncentiveRules:
    """Read (and cache, per file and modification time) an incentive rules file.

    Parameters
    ----------
    path
        Default :data:`matching.settings.INCENTIVE_RULES`.
    """
    path = Path(path or settings.INCENTIVE_RULES)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise RequirementsError(
            f"incentive rules file {path} not found; set TECHVALLEY_INCENTIVE_RULES to a rules "
            "file such as matching/rules/offre_offshoring_2025.yaml"
        ) from None
    return _load(str(path), mtime)


def income_tax(annual_taxable_mad: float | np.ndarray, rules: IncentiveRules) -> np.ndarray:
    """Income tax (IR) due a year on a taxable income, by the scale in the rules file.

    Examples
    --------
    >>> float(income_tax(108_000, load_rules()))
    14720.0
    """
    income = np.asarray(annual_taxable_mad, dtype=float)
    tax = np.zeros_like(income)
    lower = 0.0
    for bracket in rules.income_tax_cap.scale:
        upper = math.inf if bracket.up_to is None else bracket.up_to
        tax += bracket.rate * np.clip(income - lower, 0.0, upper - lower)
        lower = upper
    return tax


def _income_tax_one(annual_taxable_mad: float, rules: IncentiveRules) -> float:
    """:func:`income_tax` of one income, in plain floats (the same operations, in order)."""
    tax, lower = 0.0, 0.0
    for bracket in rules.income_tax_cap.scale:
        upper = math.inf if bracket.up_to is None else bracket.up_to
        tax += bracket.rate * min(max(annual_taxable_mad - lower, 0.0), upper - lower)
        lower = upper
    return tax


def _contribution(annual_gross: float, contribution: _Contribution) -> float:
    base = annual_gross
    if contribution.monthly_ceiling_mad is not None:
        base = min(base, 12.0 * contribution.monthly_ceiling_mad)
    return contribution.rate * base


def taxable_income(annual_gross_mad: float, rules: IncentiveRules) -> float:
    """The net taxable salary of a year: the gross less the employee's CNSS (up to its
    ceiling), AMO and the professional expenses (their rate by the gross, capped).

    Examples
    --------
    >>> round(taxable_income(108_000, load_rules()), 1)  # 9,000 MAD/month
    75333.6
    """
    rules_income = rules.income_tax_cap.taxable_income
    expenses = rules_income.professional_expenses
    rate = (expenses.low_rate if annual_gross_mad <= expenses.low_up_to_mad_year
            else expenses.rate)
    deduction = rate * annual_gross_mad
    if expenses.cap_mad_year is not None:
        deduction = min(deduction, expenses.cap_mad_year)
    net = (annual_gross_mad - _contribution(annual_gross_mad, rules_income.employee_cnss)
           - _contribution(annual_gross_mad, rules_income.amo) - deduction)
    return max(net, 0.0)


def income_tax_on_salary(annual_gross_mad: float, rules: IncentiveRules) -> float:
    """The income tax due a year on a gross salary: :func:`income_tax` of its
    :func:`taxable_income`.

    Examples
    --------
    >>> rules = load_rules()
    >>> [round(100 * income_tax_on_salary(12 * m, rules) / (12 * m), 2)
    ...  for m in (6_000, 9_000, 15_000, 30_000)]
    [0.27, 4.69, 13.79, 24.62]
    """
    return _income_tax_one(taxable_income(annual_gross_mad, rules), rules)


def _per_job(salary_mad_month: float, cap: float | None, rules: IncentiveRules) -> dict[str, Any]:
    annual = 12.0 * salary_mad_month
    training = rules.training_grant.rate * annual * rules.training_grant.years
    employment = rules.employment_grant.rate * annual
    if cap is None:
        topup_year = None
    else:
        topup_year = float(max(0.0, income_tax_on_salary(annual, rules) - cap * annual))
    return {"training": training, "employment": employment, "topup_year": topup_year}


def _tax_note(salary: float, rules: IncentiveRules) -> Any:
    """How the income tax is computed, in words, with the effective rate at ``salary``."""
    income = rules.income_tax_cap.taxable_income
    expenses = income.professional_expenses
    annual = 12.0 * salary
    return message(
        "assumption.income_tax_computed",
        cnss_rate=income.employee_cnss.rate,
        # no ceiling or cap in the file: the salary's own figure (never reached) keeps JSON finite
        ceiling=income.employee_cnss.monthly_ceiling_mad or salary,
        amo_rate=income.amo.rate,
        low_rate=expenses.low_rate, threshold=expenses.low_up_to_mad_year,
        expenses_rate=expenses.rate, expenses_cap=expenses.cap_mad_year or annual,
        salary=salary,
        effective_rate=round(income_tax_on_salary(annual, rules) / annual, 4),
    )


def estimate(
    *,
    headcount: int,
    salary_mad_month: float | None = None,
    zone_class: str | None,
    activity: str | None = None,
    rules: IncentiveRules | None = None,
    messages: bool = False,
) -> dict[str, Any]:
    """Estimate the offer's value for new jobs in one zone, with every assumption.

    Parameters
    ----------
    headcount
        New jobs (all assumed new, stable and Moroccan recruits).
    salary_mad_month
        Gross taxable monthly salary; default :data:`matching.settings.SALARY_MAD_MONTH`.
    zone_class
        The zone's ``incentive_zone_class`` (``p2i_primary``, ``p2i_secondary``,
        ``no_p2i_region``, ``other``) or ``None`` when unknown.
    activity
        ITO, CRM, BPO, ESO or KPO; ``None`` is assumed eligible (and says so).
    rules
        Default: :func:`load_rules`.
    messages
        Also give the sentences as messages (the shortlist engine's ``messages``).

    Returns
    -------
    dict
        ``eligible`` (``True``, ``False`` or ``None`` when the zone's class is not covered),
        ``training_grant_mad``, ``employment_grant_mad``, ``income_tax_cap_pct``,
        ``income_tax_topup_mad_year``, ``income_tax_topup_mad``, ``total_mad`` (``None`` when it
        cannot be estimated), ``corporate_tax`` (text), ``rules_version`` and ``assumptions``;
        with ``messages``, also ``messages``: the assumptions then the corporate-tax note as
        :class:`matching.messages.Message`.
    """
    rules = rules or load_rules()
    salary_given = salary_mad_month is not None
    salary = float(settings.SALARY_MAD_MONTH if salary_mad_month is None else salary_mad_month)
    caps = rules.income_tax_cap.by_zone_class
    notes = [
        message("assumption.incentive_rules", name=rules.name, version=rules.version,
                since=rules.in_force_from),
        message("assumption.jobs_assumed", headcount=headcount,
                months=rules.employment_grant.retention_months or 18),
        message("assumption.salary_given" if salary_given else "assumption.salary_default",
                salary=salary),
        message("assumption.training_grant", rate=rules.training_grant.rate,
                years=rules.training_grant.years),
        message("assumption.employment_grant", rate=rules.employment_grant.rate),
    ]
    eligible: bool | None = True
    if activity is None:
        notes.append(message("assumption.activity_assumed_eligible"))
    elif activity.upper() not in rules.eligible_activities:
        eligible = False
        notes.append(message("assumption.activity_not_eligible", activity=activity))
    cap = caps.get(zone_class) if zone_class else None
    if zone_class is None:
        notes.append(message("assumption.zone_class_unknown"))
        eligible = None if eligible else eligible
    elif cap is None:
        notes.append(message("assumption.zone_class_not_in_rules", zone_class=zone_class))
        eligible = None if eligible else eligible
    else:
        notes.append(message("assumption.income_tax_cap", cap=cap, zone_class=zone_class,
                             years=rules.income_tax_cap.years,
                             until=rules.income_tax_cap.until))
        notes.append(_tax_note(salary, rules))
    corporate = message(
        "incentive.corporate_tax_uncertain" if rules.corporate_tax_contribution.uncertain
        else "incentive.corporate_tax",
        rate=rules.corporate_tax_contribution.max_rate,
    )
    assumptions = [note.text for note in notes]
    result: dict[str, Any] = {
        "eligible": eligible,
        "headcount": headcount,
        "salary_mad_month": salary,
        "zone_class": zone_class,
        "income_tax_cap_pct": None if cap is None else round(100 * cap, 1),
        "training_grant_mad": None,
        "employment_grant_mad": None,
        "income_tax_topup_mad_year": None,
        "income_tax_topup_mad": None,
        "total_mad": None,
        "corporate_tax": corporate.text,
        "rules_version": rules.version,
        "assumptions": assumptions,
    }
    if messages:
        result["messages"] = [*notes, corporate]
    if eligible is False:
        for key in ("training_grant_mad", "employment_grant_mad", "total_mad"):
            result[key] = 0.0
        return result
    per_job = _per_job(salary, cap, rules)
    result["training_grant_mad"] = round(per_job["training"] * headcount, 2)
    result["employment_grant_mad"] = round(per_job["employment"] * headcount, 2)
    if per_job["topup_year"] is not None:
        result["income_tax_topup_mad_year"] = round(per_job["topup_year"] * headcount, 2)
        result["income_tax_topup_mad"] = round(
            per_job["topup_year"] * headcount * rules.income_tax_cap.years, 2
        )
        result["total_mad"] = round(
            result["training_grant_mad"] + result["employment_grant_mad"]
            + result["income_tax_topup_mad"], 2
        )
    return result


def incentive_arrays(
    zone_classes: pd.Series | Sequence[Any],
    *,
    headcount: int | None = None,
    salary_mad_month: float | None = None,
    activity: str | None = None,
    rules: IncentiveRules | None = None,
) -> dict[str, np.ndarray]:
    """The columns of :func:`incentive_columns` as float arrays, from the zones' classes.

    Computed once per distinct class and spread to the zones (a dataset has a handful of
    classes), so the cost barely grows with the number of zones.

    Examples
    --------
    >>> arrays = incentive_arrays(["p2i_primary", None, "p2i_primary"], salary_mad_month=9000)
    >>> arrays["incentive_mad_per_job"].tolist(), sorted(arrays)
    ([37260.0, nan, 37260.0], ['incentive_ir_cap_pct', 'incentive_mad_per_job'])
    """
    rules = rules or load_rules()
    salary = float(salary_mad_month if salary_mad_month is not None else settings.SALARY_MAD_MONTH)
    eligible = activity is None or activity.upper() in rules.eligible_activities
    caps: Mapping[str, float] = rules.income_tax_cap.by_zone_class
    codes, uniques = pd.factorize(pd.Series(zone_classes, dtype=object), use_na_sentinel=True)
    cap_pct = np.full(len(uniques) + 1, np.nan)  # the last slot: code -1 (no class)
    per_job = np.full(len(uniques) + 1, np.nan)
    for u, zone_class in enumerate(uniques):
        if isinstance(zone_class, str) and zone_class in caps:
            cap = caps[zone_class]
            parts = _per_job(salary, cap, rules)
            cap_pct[u] = 100 * cap
            per_job[u] = (parts["training"] + parts["employment"]
                          + parts["topup_year"] * rules.income_tax_cap.years) if eligible else 0.0
    out = {"incentive_ir_cap_pct": cap_pct[codes], "incentive_mad_per_job": per_job[codes]}
    if headcount is not None:
        out["incentive_mad_total"] = out["incentive_mad_per_job"] * headcount
    return out


def incentive_columns(
    sites: pd.DataFrame,
    *,
    headcount: int | None = None,
    salary_mad_month: float | None = None,
    activity: str | None = None,
    rules: IncentiveRules | None = None,
) -> pd.DataFrame:
    """Incentive figures per zone, usable as criteria, aligned to ``sites.index``.

    Columns: ``incentive_ir_cap_pct``, ``incentive_mad_per_job`` (the value of one new job over
    the estimate's years: grants plus the income-tax top-up) and, with a ``headcount``,
    ``incentive_mad_total``. Zones with no class, or a class the rules do not cover, get NaN
    (a criterion's ``missing`` policy decides). Without an ``incentive_zone_class`` column the
    frame has no columns.

    Examples
    --------
    >>> sites = pd.DataFrame({"incentive_zone_class": ["p2i_primary", "p2i_secondary", None]},
    ...                      index=["casa", "fes", "new"])
    >>> incentive_columns(sites, salary_mad_month=15000)["incentive_mad_per_job"].round().tolist()
    [62100.0, 96201.0, nan]
    """
    if ZONE_CLASS_COLUMN not in sites.columns:
        return pd.DataFrame(index=sites.index)
    arrays = incentive_arrays(sites[ZONE_CLASS_COLUMN], headcount=headcount,
                              salary_mad_month=salary_mad_month, activity=activity, rules=rules)
    return pd.DataFrame(arrays, index=sites.index)
