"""The shortlist's shape: pydantic models of the shortlist JSON (``DESIGN.md``, "Shortlist
contract"), the one description of what :func:`matching.make_shortlist` returns.

:func:`~matching.shortlist.make_shortlist` validates its result through :class:`Shortlist`.
The result is exactly ``model_dump(mode="json", exclude_unset=True)`` of the validated model
(``tests/matching/test_schema.py`` checks it byte for byte): a key the engine leaves out
(``distance_shares`` of a weighted sum, the dataset's ``path``) stays out, a ``null`` stays
``null``; so the engine returns the dict it validated and spares the dump. Every model and typed
dict forbids unknown keys: a key the engine adds without describing it here fails the tests.
``Shortlist.model_json_schema()`` is the JSON Schema of the contract. Below the top level the
parts are typed dicts (validated and described the same, read with ``["key"]``): a shortlist
holds hundreds of them, and a model instance each doubled the validation time.

Numbers that may be whole or not (money, counts of the rules file) are ``int | float``, so a
round trip keeps ``0`` and ``0.0`` apart as the engine wrote them.

Examples
--------
>>> schema = Shortlist.model_json_schema()
>>> sorted(schema["required"])[:4]
['assumptions', 'consistency_ratio', 'constraints', 'criteria']
>>> schema["$defs"]["Message"]["required"]
['code', 'params', 'text']
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

__all__ = ["AppliedConstraint", "AppliedCriterion", "DatasetInfo", "ExcludedZone",
           "IncentiveEstimate", "LeaveOneOut", "Message", "RankedZone", "Robustness",
           "RobustnessMethod", "Shortlist", "WeightInterval", "ZoneRobustness"]

Number = int | float
Scalar = str | bool | int | float


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


@with_config(ConfigDict(extra="forbid"))
class Message(TypedDict):
    """One sentence of the engine as data (:mod:`matching.messages`)."""

    # TypedDicts, not models, for the many small leaves (messages, distance shares): a
    # shortlist holds hundreds, and a model instance each doubled the validation time
    code: Annotated[str, Field(description=(
        "Stable code naming the sentence's template, e.g. constraint.failed; "
        "docs/requirements.md lists them."))]
    # Any, not JsonValue: the same schema, half the validation time
    params: Annotated[dict[str, Any], Field(description=(
        "The template's parameters as plain JSON values: column ids, operator, limit, value "
        "and its unit, counts."))]
    text: Annotated[str, Field(description="The sentence in English (the same as the legacy "
                                           "string beside it).")]


@with_config(ConfigDict(extra="forbid"))
class AppliedCriterion(TypedDict):
    """A criterion as applied: the requirement's fields, its final weight and unit."""

    column: str
    direction: Literal["benefit", "cost"]
    weight: Annotated[float, Field(description="Normalised: the weights sum to 1.")]
    missing: Literal["exclude", "worst"]
    unit: Annotated[str, Field(description="The unit the column's name carries; empty when none.")]
    value: NotRequired[Annotated[Literal["linear", "log", "threshold", "none"] | None, Field(
        description="The value function that turned the column into 0-1 before weighting; null "
                    "under a published normalisation (vector, minmax, sum, none).")]]
    floor: NotRequired[Annotated[float, Field(
        description="threshold only: the value worth 0 (the worst acceptable).")]]
    target: NotRequired[Annotated[float, Field(
        description="threshold only: the value worth 1 (and anything better).")]]


@with_config(ConfigDict(extra="forbid"))
class AppliedConstraint(TypedDict):
    """A constraint as applied (the requirement's, the preset's, or the floor area's)."""

    column: str
    op: Literal["<", "<=", ">", ">=", "==", "!=", "in", "not in"]
    value: Annotated[Scalar | list[Scalar], Field(
        description="A number for <, <=, >, >=; a value for == and !=; a list for in, not in.")]
    missing: Annotated[Literal["exclude", "ignore"], Field(
        description="exclude a zone without a value, or ignore the constraint for it.")]
    text: Annotated[str, Field(
        description="The constraint in words, e.g. rent_mad_m2_month <= 120.")]


@with_config(ConfigDict(extra="forbid"))
class DistanceShare(TypedDict):
    """A criterion's share of a zone's TOPSIS distances."""

    to_ideal: float | None
    to_anti_ideal: float | None


@with_config(ConfigDict(extra="forbid"))
class RankedZone(TypedDict):
    """A zone that passed every constraint, with its score and why."""

    id: str
    name: Scalar | None
    rank: Annotated[int, Field(description="1 is best; ties share a rank (1, 2, 2, 4).")]
    score: Annotated[float | None, Field(
        description="TOPSIS closeness (0..1) or the weighted sum.")]
    values: Annotated[dict[str, float | None], Field(
        description="Per criterion, the zone's value; null where missing (scored as worst).")]
    contributions: Annotated[dict[str, float | None], Field(
        description="Per criterion, its part of the score (the parts add up to it).")]
    distance_shares: NotRequired[Annotated[dict[str, DistanceShare], Field(
        description="TOPSIS only (absent for weighted_sum): per criterion, its share of the "
                    "distances to the ideal and anti-ideal.")]]
    imputed: Annotated[dict[str, float], Field(
        description="Criteria scored at the worst observed value (missing: worst).")]
    dated: NotRequired[Annotated[dict[str, str], Field(
        description="Facts older than the requirement's max_fact_age_years, by column: the "
                    "date they were true (ISO); a fact.dated message says so.")]]
    explanation: Annotated[list[str], Field(description="In English; the same as messages' texts.")]
    messages: list[Message]


@with_config(ConfigDict(extra="forbid"))
class ExcludedZone(TypedDict):
    """A zone that failed a constraint or lacks a value, with every reason."""

    id: str
    name: Scalar | None
    reasons: Annotated[list[str], Field(description="In English; the same as messages' texts.")]
    dated: NotRequired[Annotated[dict[str, str], Field(
        description="Facts older than the requirement's max_fact_age_years, by column: the "
                    "date they were true (ISO).")]]
    messages: list[Message]


@with_config(ConfigDict(extra="forbid"))
class ZoneRobustness(TypedDict):
    """How sure a zone's rank is under perturbed weights."""

    p_first: Annotated[float, Field(description="Share of the draws that rank it first.")]
    p_top3: Annotated[float, Field(description="Share of the draws that rank it in the top 3.")]
    mean_rank: Annotated[float, Field(description="Its mean rank over the draws.")]


#: the former name (the API's document names it ZoneRobustness: the requirements have a
#: Robustness too)
Robustness = ZoneRobustness


@with_config(ConfigDict(extra="forbid"))
class RobustnessMethod(TypedDict):
    """How the weights were perturbed."""

    draws: Annotated[int, Field(description="How many weight vectors were drawn.")]
    seed: Annotated[int, Field(description="The random seed: the same seed, the same draws.")]
    sigma: Annotated[Number, Field(description="The spread of the perturbation (of the log "
                                               "of each weight).")]
    distribution: Annotated[str, Field(description="How the weights were drawn, in words.")]


@with_config(ConfigDict(extra="forbid"))
class LeaveOneOut(TypedDict):
    """The ranking without one criterion."""

    first: Annotated[str, Field(description="The zone then ranked first.")]
    max_rank_change: Annotated[int, Field(description="The largest move of a zone's rank.")]
    ranks: Annotated[dict[str, int], Field(description="By zone id, its rank then.")]


@with_config(ConfigDict(extra="forbid"))
class WeightInterval(TypedDict):
    """How far one criterion's weight can move, the others rescaled proportionally, before
    the zone ranked first loses first place (:mod:`matching.sensitivity`)."""

    criterion: Annotated[str, Field(description="The criterion's column.")]
    weight: Annotated[float, Field(description="Its weight now (the weights sum to 1).")]
    lower: Annotated[float, Field(description="The top zone stays first down to this weight.")]
    upper: Annotated[float, Field(description="The top zone stays first up to this weight.")]
    below_zone: Annotated[str | None, Field(
        description="The zone first below lower; null when lower is 0.")]
    above_zone: Annotated[str | None, Field(
        description="The zone first above upper; null when upper is 1.")]
    messages: Annotated[list[Message], Field(description=(
        "The interval in words: sensitivity.below, sensitivity.above or sensitivity.stable."))]


@with_config(ConfigDict(extra="forbid"))
class IncentiveEstimate(TypedDict):
    """The offshoring offer's estimate for one ranked zone
    (:func:`matching.incentives.estimate`)."""

    eligible: Annotated[bool | None, Field(
        description="null when the zone's class is not covered.")]
    headcount: int
    salary_mad_month: Number
    zone_class: str | None
    income_tax_cap_pct: Number | None
    training_grant_mad: Number | None
    employment_grant_mad: Number | None
    income_tax_topup_mad_year: Number | None
    income_tax_topup_mad: Number | None
    total_mad: Annotated[Number | None, Field(description="null when it cannot be estimated.")]
    corporate_tax: Annotated[str, Field(
        description="In English; reported, never added to a total.")]
    rules_version: str


@with_config(ConfigDict(extra="forbid"))
class DatasetInfo(TypedDict):
    """What the shortlist was computed on."""

    zones: Annotated[int, Field(description="Zones in the dataset.")]
    ranked: Annotated[int, Field(description="Zones ranked.")]
    excluded: Annotated[int, Field(description="Zones excluded.")]
    path: NotRequired[Annotated[Scalar | None, Field(
        description="Where the dataset was read from, when it says.")]]
    version: NotRequired[Annotated[Scalar | None, Field(
        description="The dataset's version, when it says.")]]


class Shortlist(_Model):
    """The shortlist JSON (``DESIGN.md``, "Shortlist contract"), as the engine returns it.

    ``similar_investors`` and ``dataset_version`` are added by the web application.
    """

    requirements: dict[str, Any] = Field(
        description="The requirements as given, normalised (the requirements contract).")
    method: Literal["topsis", "weighted_sum"] = Field(
        description="The scoring method: TOPSIS closeness, or the weighted sum.")
    normalization: str = Field(description="How the criteria's values were put on one scale: "
                                           "values (each criterion's value function, see "
                                           "criteria[].value), or vector, minmax, sum, none.")
    weights: dict[str, float] = Field(description="Per criterion; they sum to 1.")
    consistency_ratio: float | None = Field(description="AHP only; null otherwise.")
    criteria: list[AppliedCriterion] = Field(
        description="The criteria as applied (the requirement's or its activity's preset).")
    constraints: list[AppliedConstraint] = Field(
        description="The constraints as applied (the requirement's, the preset's, the floor "
                    "area's).")
    ranked: list[RankedZone] = Field(description="Best first; ties keep the input order.")
    excluded: list[ExcludedZone] = Field(description="In the dataset's order.")
    hint: str | None = Field(description="When nothing is ranked: the constraint that excluded "
                                         "the most zones, in English; null otherwise.")
    robustness: dict[str, ZoneRobustness] = Field(description="By ranked zone id; empty without "
                                                          "robustness draws.")
    robustness_method: RobustnessMethod | None = Field(
        description="How the weights were perturbed; null without robustness draws.")
    leave_one_out: dict[str, LeaveOneOut | None] = Field(
        description="By criterion; null where every other criterion has weight 0; empty with "
                    "fewer than two criteria.")
    sensitivity: list[WeightInterval] = Field(
        [], description="Per criterion, the weight interval over which the zone ranked first "
                        "stays first, and who comes first outside it; empty when nothing is "
                        "ranked.")
    incentives: dict[str, IncentiveEstimate] = Field(
        description="By ranked zone id, with a headcount and zone classes; else empty.")
    assumptions: list[str] = Field(description="In English.")
    warnings: list[str] = Field(description="In English.")
    dataset: DatasetInfo = Field(description="What the shortlist was computed on.")
    messages: list[Message] = Field(
        description="The warnings, the hint, the assumptions and the incentives' notes as "
                    "messages, in that order; the code's prefix says which (warning., hint., "
                    "assumption., incentive.).")
    similar_investors: dict[str, Any] | None = Field(
        None, description='"Investors like you" (added by the web application).')
    dataset_version: str | None = Field(None, description="Added by the web application.")
