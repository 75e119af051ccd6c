"""Presets of criteria and constraints for the five offshoring activity lines.

A requirement that names an ``activity`` (ITO, CRM, BPO, ESO, KPO) gets that preset's
constraints and criteria unless it gives its own list of the same kind. Weights are on a 1-5
scale (normalised to sum to 1 when scoring). The rationale, here and in ``docs/requirements.md``:

- Every preset keeps only zones that can host an investor now or soon (``status`` operating or
  under development; ``planned`` and ``uncertain`` zones are excluded with the reason) and that
  declare the activity, when they declare any (``activities`` missing: not checked).
- Sparse facts (rent, the incentive estimate) are scored with ``missing: worst``: a zone whose
  rent is unpublished is scored as the dearest observed rent and flagged, instead of being
  excluded, so a preset does not hide most of the zones.
- Distances (``airports_km``, ``universities_km``, ``rail_stations_km``) are costs;
  ``catchment_*`` figures are the talent pool within the catchment radius (benefits).
- ``incentive_mad_per_job`` (added to the zones by the shortlist, see
  :mod:`matching.incentives`) counts a little everywhere: the grants are the same in every zone,
  so it only separates zones by their income-tax cap (10% in the secondary zones).

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
    {"column": "status", "op": "in", "value": ["operating", "under_development"]},
]

_RENT = {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}
_INCENTIVE = {"column": "incentive_mad_per_job", "direction": "benefit", "missing": "worst"}


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
        {"column": "catchment_higher_education", "direction": "benefit", "weight": 5},
        {"column": "catchment_english_literate_pct", "direction": "benefit", "weight": 3},
        {"column": "universities_km", "direction": "cost", "weight": 3},
        {"column": "airports_km", "direction": "cost", "weight": 3},
        {"column": "catchment_labour_active", "direction": "benefit", "weight": 2},
        {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 2},
        {**_RENT, "weight": 2},
        {**_INCENTIVE, "weight": 1},
    ], "graduates, English and universities for development teams; an airport for clients"),
    "CRM": _preset("CRM", [
        {"column": "catchment_labour_active", "direction": "benefit", "weight": 5},
        {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 5},
        {**_RENT, "weight": 4},
        {**_INCENTIVE, "weight": 2},
        {"column": "catchment_english_literate_pct", "direction": "benefit", "weight": 1},
        {"column": "airports_km", "direction": "cost", "weight": 1},
    ], "a large French-speaking labour pool and low rent for large contact centres"),
    "BPO": _preset("BPO", [
        {"column": "catchment_labour_active", "direction": "benefit", "weight": 4},
        {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 4},
        {**_RENT, "weight": 4},
        {"column": "catchment_higher_education", "direction": "benefit", "weight": 2},
        {**_INCENTIVE, "weight": 2},
        {"column": "airports_km", "direction": "cost", "weight": 1},
    ], "large French-speaking back-office teams at low cost, some graduates"),
    "ESO": _preset("ESO", [
        {"column": "catchment_higher_education", "direction": "benefit", "weight": 5},
        {"column": "universities_km", "direction": "cost", "weight": 4},
        {"column": "catchment_english_literate_pct", "direction": "benefit", "weight": 3},
        {"column": "airports_km", "direction": "cost", "weight": 3},
        {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 2},
        {"column": "rail_stations_km", "direction": "cost", "weight": 1},
        {**_RENT, "weight": 1},
        {**_INCENTIVE, "weight": 1},
    ], "engineers and universities first; English and an airport for foreign clients"),
    "KPO": _preset("KPO", [
        {"column": "catchment_higher_education", "direction": "benefit", "weight": 5},
        {"column": "catchment_english_literate_pct", "direction": "benefit", "weight": 4},
        {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 3},
        {"column": "universities_km", "direction": "cost", "weight": 3},
        {"column": "airports_km", "direction": "cost", "weight": 2},
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
