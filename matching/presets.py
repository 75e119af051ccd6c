"""Presets of criteria and constraints for the five offshoring activity lines.

A requirement that names an ``activity`` (ITO, CRM, BPO, ESO, KPO) gets that preset's
constraints and criteria unless it gives its own list of the same kind. Weights are on a 1-5
scale (normalised to sum to 1 when scoring). The rationale, here and in ``docs/requirements.md``:

- Every preset keeps only zones that can host an investor now or soon (``status`` operating or
  under development; ``planned`` and ``uncertain`` zones are excluded with the reason) and that
  declare the activity, when they declare any. Both constraints use ``missing: ignore``: a zone
  whose status or activities are unknown, or dated more than ``max_fact_age_years`` ago
  (``status_as_of``), is kept and flagged "not checked" rather than hidden (DESIGN.md, "Stale
  and unknown facts"); requirements files and the API keep ``exclude`` as their default.
- Sparse facts (rent, the incentive estimate) are scored with ``missing: worst``: a zone whose
  rent is unpublished is scored as the dearest observed rent and flagged, instead of being
  excluded, so a preset does not hide most of the zones.
- Distances (``airports_km``, ``universities_km``, ``rail_stations_km``) are costs;
  ``catchment_*`` figures are the talent pool within the catchment radius (benefits).
- Value functions (``value``, see :mod:`matching.values`): catchment counts
  (``catchment_labour_active``, ``catchment_higher_education``) are ``log``: the Casablanca
  pool is 10 times Oujda's, and the tenth large city matters less than the first, so ratios,
  not differences, make a zone better; the distance to a university and to a station is a
  ``threshold`` (a university within 10 km is as good as one on site, one past 50 km is worth
  nothing for a hiring pipeline; a station within 5 km is as good as next door, nothing past 50
  km); literacy shares, rent, the incentive and the airport distance are ``linear`` over the
  zones ranked (each step is worth the same). The airport is not a threshold: every shipped
  zone is within 30 km of a scheduled airport, so a threshold there (30 km as good as 5 km)
  would give every zone the same value and make its weight do nothing.
- ``incentive_mad_per_job`` (added to the zones by the shortlist, see
  :mod:`matching.incentives`) counts a little everywhere: the grants are the same in every zone,
  so it only separates zones by their income-tax cap (10% in the secondary zones), and only
  for salaries above about 12,600 MAD/month: below, the tax on the net taxable salary stays
  under both caps (:mod:`matching.incentives`).

**ITO** (IT outsourcing: application development and maintenance, infrastructure): graduates
first (higher education 5), then English for international clients (3) and nearby universities
for hiring pipelines (3); an airport for client visits (3); rent matters less than talent (2).

**CRM** (customer-relationship centres, mostly for French-speaking markets): a large
French-speaking labour pool weighs most (French literacy 5, active labour 5), and rent (4)
because these are large, cost-driven floors; English for bilingual campaigns (1).

**BPO** (back-office processing: finance, HR, data): large teams (labour 4), French (4) and
cost (rent 4); some graduates (higher education 2).

**ESO** (engineering services: embedded software, automotive and aerospace engineering):
engineers and universities weigh most (higher education 5, universities 4); English (3) and an
airport (3) for foreign clients; rail (1) to reach industrial clients along the Al Boraq line.

**KPO** (knowledge process: analytics, research, legal and financial services): graduates (5)
with languages (English 4, French 3), universities (3); rent and airport access (2).
"""

from __future__ import annotations

import copy
from typing import Any

#: Constraints shared by every preset.
_COMMON_CONSTRAINTS: list[dict[str, Any]] = [
    {"column": "status", "op": "in", "value": ["operating", "under_development"],
     "missing": "ignore"},
]

_RENT = {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst",
         "value": "linear"}
_INCENTIVE = {"column": "incentive_mad_per_job", "direction": "benefit", "missing": "worst",
              "value": "linear"}
# value functions (module docstring): counts on a log scale, distances with a threshold
_LABOUR = {"column": "catchment_labour_active", "direction": "benefit", "value": "log"}
_GRADUATES = {"column": "catchment_higher_education", "direction": "benefit", "value": "log"}
_FRENCH = {"column": "catchment_french_literate_pct", "direction": "benefit", "value": "linear"}
_ENGLISH = {"column": "catchment_english_literate_pct", "direction": "benefit",
            "value": "linear"}
_AIRPORT = {"column": "airports_km", "direction": "cost", "value": "linear"}
_UNIVERSITY = {"column": "universities_km", "direction": "cost", "value": "threshold",
               "floor": 50.0, "target": 10.0}
_RAIL = {"column": "rail_stations_km", "direction": "cost", "value": "threshold", "floor": 50.0,
         "target": 5.0}


def _preset(activity: str, criteria: list[dict[str, Any]], rationale: str) -> dict[str, Any]:
    constraints = [
        *_COMMON_CONSTRAINTS,
        {"column": "activities", "op": "in", "value": [activity], "missing": "ignore"},
    ]
    return {"activity": activity, "constraints": constraints, "criteria": criteria,
            "rationale": rationale}


#: The five presets by activity: ``constraints`` and ``criteria`` in the requirements schema,
#: and a one-line ``rationale``.
PRESETS: dict[str, dict[str, Any]] = {
    "ITO": _preset("ITO", [
        {**_GRADUATES, "weight": 5},
        {**_ENGLISH, "weight": 3},
        {**_UNIVERSITY, "weight": 3},
        {**_AIRPORT, "weight": 3},
        {**_LABOUR, "weight": 2},
        {**_FRENCH, "weight": 2},
        {**_RENT, "weight": 2},
        {**_INCENTIVE, "weight": 1},
    ], "graduates, English and universities for development teams; an airport for clients"),
    "CRM": _preset("CRM", [
        {**_LABOUR, "weight": 5},
        {**_FRENCH, "weight": 5},
        {**_RENT, "weight": 4},
        {**_INCENTIVE, "weight": 2},
        {**_ENGLISH, "weight": 1},
        {**_AIRPORT, "weight": 1},
    ], "a large French-speaking labour pool and low rent for large contact centres"),
    "BPO": _preset("BPO", [
        {**_LABOUR, "weight": 4},
        {**_FRENCH, "weight": 4},
        {**_RENT, "weight": 4},
        {**_GRADUATES, "weight": 2},
        {**_INCENTIVE, "weight": 2},
        {**_AIRPORT, "weight": 1},
    ], "large French-speaking back-office teams at low cost, some graduates"),
    "ESO": _preset("ESO", [
        {**_GRADUATES, "weight": 5},
        {**_UNIVERSITY, "weight": 4},
        {**_ENGLISH, "weight": 3},
        {**_AIRPORT, "weight": 3},
        {**_FRENCH, "weight": 2},
        {**_RAIL, "weight": 1},
        {**_RENT, "weight": 1},
        {**_INCENTIVE, "weight": 1},
    ], "engineers and universities first; English and an airport for foreign clients"),
    "KPO": _preset("KPO", [
        {**_GRADUATES, "weight": 5},
        {**_ENGLISH, "weight": 4},
        {**_FRENCH, "weight": 3},
        {**_UNIVERSITY, "weight": 3},
        {**_AIRPORT, "weight": 2},
        {**_RENT, "weight": 2},
        {**_INCENTIVE, "weight": 1},
    ], "graduates with English and French for analytics, research and legal work"),
}


def preset(activity: str) -> dict[str, Any]:
    """The preset of an activity (a copy: safe to change).

    Examples
    --------
    >>> [c["column"] for c in preset("crm")["criteria"]][:2]
    ['catchment_labour_active', 'catchment_french_literate_pct']
    """
    return copy.deepcopy(PRESETS[activity.upper()])


__all__ = ["PRESETS", "preset"]
