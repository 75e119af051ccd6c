"""Settings of the decision, in one documented module.

Each setting can be overridden by the environment variable named beside it (the fields of
:class:`MatchingSettings`; a bad value is reported by :func:`valleys.settings.check` with every
other bad setting, and its default used meanwhile).

- ``M2_PER_SEAT`` (``TECHVALLEY_M2_PER_SEAT``, default 8): office floor per seat used to turn a
  headcount into ``floor_area_m2`` when the requirement gives none. 8 m² is the low end of the
  British Council for Offices' planning range for open-plan offices (8 to 13 m² of net internal
  area per workplace, BCO Guide to Specification 2019) and the usual planning figure for dense
  contact centres and back offices, which make most of offshoring jobs; set it higher for
  engineering (ESO) teams.
- ``SALARY_MAD_MONTH`` (``TECHVALLEY_SALARY_MAD_MONTH``, default 9000): the gross taxable
  monthly salary assumed by the incentive estimate when the requirement gives none. It is an
  assumption (the figure of the requirements example in DESIGN.md), not a market statistic:
  staff should enter the investor's own salary grid.
- ``ROBUSTNESS_DRAWS`` (``TECHVALLEY_ROBUSTNESS_DRAWS``, default 1000): Monte-Carlo weight draws
  when neither the caller nor the requirement says how many.
- ``API_ROBUSTNESS_DRAWS`` (``TECHVALLEY_API_ROBUSTNESS_DRAWS``, default
  ``DEFAULT_API_ROBUSTNESS_DRAWS``, 200): draws the JSON API and the web form use when a
  requirement does not ask for a number (the web passes it as ``robustness_draws``; its
  setting of the same name defaults to this constant). 200 draws settle ``p_first`` to about
  +-0.035 (a binomial share's standard error at 0.5) and cost well under a millisecond on
  the shipped dataset, within the API's latency target (``benchmarks/bench_shortlist.py``,
  ``benchmarks/bench_api.py``).
- ``MAX_ROBUSTNESS_DRAWS`` (``TECHVALLEY_MAX_ROBUSTNESS_DRAWS``, default 100000): the most draws
  a requirement may ask for (memory grows with draws x zones).
- ``WEIGHT_NOISE_SIGMA`` (``TECHVALLEY_WEIGHT_NOISE_SIGMA``, default 0.3): standard deviation of
  the multiplicative log-normal noise on each weight in the robustness analysis (a weight of 0.2
  is drawn between about 0.11 and 0.36 in 95% of the draws, before renormalisation).
- ``INCENTIVE_RULES`` (``TECHVALLEY_INCENTIVE_RULES``): the incentive rules file; default the
  shipped ``matching/rules/offre_offshoring_2025.yaml``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from valleys.settings import PathText, PositiveNumber, Settings, WholeNumber, load

DEFAULT_API_ROBUSTNESS_DRAWS: int = 200


class MatchingSettings(Settings):
    """The decision's environment variables."""

    m2_per_seat: PositiveNumber = Field(8.0, alias="TECHVALLEY_M2_PER_SEAT")
    salary_mad_month: PositiveNumber = Field(9000.0, alias="TECHVALLEY_SALARY_MAD_MONTH")
    robustness_draws: WholeNumber = Field(1000, alias="TECHVALLEY_ROBUSTNESS_DRAWS", ge=0)
    api_robustness_draws: WholeNumber = Field(
        DEFAULT_API_ROBUSTNESS_DRAWS, alias="TECHVALLEY_API_ROBUSTNESS_DRAWS", ge=0
    )
    max_robustness_draws: WholeNumber = Field(100000, alias="TECHVALLEY_MAX_ROBUSTNESS_DRAWS", ge=1)
    weight_noise_sigma: PositiveNumber = Field(0.3, alias="TECHVALLEY_WEIGHT_NOISE_SIGMA")
    incentive_rules: PathText = Field(
        str(Path(__file__).parent / "rules" / "offre_offshoring_2025.yaml"),
        alias="TECHVALLEY_INCENTIVE_RULES",
    )


_SETTINGS = load(MatchingSettings)
M2_PER_SEAT: float = _SETTINGS.m2_per_seat
SALARY_MAD_MONTH: float = _SETTINGS.salary_mad_month
ROBUSTNESS_DRAWS: int = _SETTINGS.robustness_draws
API_ROBUSTNESS_DRAWS: int = _SETTINGS.api_robustness_draws
MAX_ROBUSTNESS_DRAWS: int = _SETTINGS.max_robustness_draws
WEIGHT_NOISE_SIGMA: float = _SETTINGS.weight_noise_sigma
INCENTIVE_RULES: Path = Path(_SETTINGS.incentive_rules)
