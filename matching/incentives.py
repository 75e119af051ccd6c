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
  it as max(0, IR(S) - cap x S) a year per employee (IR from the scale in the rules file), over
  ``income_tax_cap.years``. It goes to the employees: the employer can pay less gross for the
  same net salary. Zones of a class the rules do not list (``other``) or with no class are not
  estimated (``None``, never 0);
- the corporate-tax contribution (up to 56% of the IS due; uncertain) depends on profits: it is
  reported, never added to a total.

Examples
--------
>>> est = estimate(headcount=100, salary_mad_month=9000, zone_class="p2i_secondary",
...                activity="CRM")
>>> est["training_grant_mad"], est["employment_grant_mad"], est["income_tax_topup_mad"]
(1890000.0, 1836000.0, 1960000.0)
>>> est["total_mad"]
5686000.0
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
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matching import settings
from matching.errors import RequirementsError
from matching.messages import message

__all__ = [
    "DERIVED_COLUMNS",
    "IncentiveRules",
    "estimate",
    "income_tax",
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


class _IncomeTaxCap(_Rule):
    until: str
    years: int = Field(ge=1)
    by_zone_class: dict[str, float]
    scale: list[_Bracket]
    source: str = ""


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
    except (OSError, yaml.YAMLError, ValidationError, TypeError) as exc:
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


def _per_job(salary_mad_month: float, cap: float | None, rules: IncentiveRules) -> dict[str, Any]:
    annual = 12.0 * salary_mad_month
    training = rules.training_grant.rate * annual * rules.training_grant.years
    employment = rules.employment_grant.rate * annual
    if cap is None:
        topup_year = None
    else:
        topup_year = float(max(0.0, _income_tax_one(annual, rules) - cap * annual))
    return {"training": training, "employment": employment, "topup_year": topup_year}


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
    >>> incentive_columns(sites, salary_mad_month=9000)["incentive_mad_per_job"].tolist()
    [37260.0, 56860.0, nan]
    """
    if ZONE_CLASS_COLUMN not in sites.columns:
        return pd.DataFrame(index=sites.index)
    arrays = incentive_arrays(sites[ZONE_CLASS_COLUMN], headcount=headcount,
                              salary_mad_month=salary_mad_month, activity=activity, rules=rules)
    return pd.DataFrame(arrays, index=sites.index)
