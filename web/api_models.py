"""The JSON API's own shapes around the engine's shortlist (:mod:`matching.schema`): the saved
shortlist, the staff list's page, "Investors like you" and the error body.

With :class:`matching.schema.Shortlist` and :class:`matching.requirements.Requirements` they are
the one description of the API's JSON: :mod:`web.openapi` generates the document's schemas
from them (``model_json_schema``), and ``tests/web/test_openapi.py`` validates a live answer of
every route against the schema the document declares for it.

Examples
--------
>>> ErrorBody(error="the body is empty", details=[]).model_dump()
{'error': 'the body is empty', 'details': []}
>>> sorted(set(SavedShortlist.model_fields) - set(RankedShortlist.model_fields))
['created_at', 'expires_at', 'id', 'revoked', 'url']
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from matching.schema import Message, Shortlist

__all__ = ["ErrorBody", "FeatureCollection", "PipelineDashboard", "RankedShortlist",
           "SavedShortlist", "ShortlistPage", "ShortlistSummary", "SimilarInvestors"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(_Model):
    """Every error answer of the API (4xx and 500)."""

    error: str = Field(description="What is wrong and what to do.")
    details: list[str] = Field(description="One line per problem (field, row); may be empty.")


@with_config(ConfigDict(extra="forbid"))
class Neighbour(TypedDict):
    """A past investor near the requirement."""

    investor: Annotated[str | None, Field(
        description="The past investor's name: null unless the caller is staff (HTTP Basic).")]
    distance: Annotated[float, Field(description="In standard deviations of the features.")]
    chosen: Annotated[str, Field(description="The id of the zone it chose.")]
    chosen_name: str
    activity: NotRequired[str | None]
    headcount: NotRequired[int | None]


@with_config(ConfigDict(extra="forbid"))
class ChosenZone(TypedDict):
    """A zone past investors near the requirement chose, and how many did."""

    site_id: str
    name: str
    count: int


@with_config(ConfigDict(extra="forbid"))
class SuggestedCriterion(TypedDict):
    """A criterion of the past investors' mean weights (a requirements fragment)."""

    column: str
    direction: Literal["benefit", "cost"]
    weight: float


class SimilarInvestors(_Model):
    """"Investors like you": present only when the service has past investors
    (``TECHVALLEY_PAST_INVESTORS``). The k past investors nearest to the requirement (activity,
    size, languages, constraints; scikit-learn NearestNeighbors over standardised features),
    the zones they chose and the mean of their criteria weights."""

    k: int = Field(ge=1)
    neighbours: list[Neighbour] = Field(description="Nearest first.")
    chosen_zones: list[ChosenZone] = Field(description="Most chosen first.")
    suggested_criteria: list[SuggestedCriterion] = Field(description="Weights sum to 1.")
    notes: list[str] = Field(description="In English; the same as messages' texts.")
    messages: list[Message] = Field(default_factory=list)
    synthetic: bool = Field(description="The past investors are a synthetic example, not real "
                                        "placements.")


class RankedShortlist(Shortlist):
    """The shortlist as ``POST /api/v1/rank`` answers it: computed, nothing stored."""

    # narrower than the engine's dict: the engine leaves it to the web application
    similar_investors: SimilarInvestors | None = Field(  # type: ignore[assignment]
        None, description='"Investors like you" (only with TECHVALLEY_PAST_INVESTORS).')
    dataset_version: str | None = Field(
        description="The version of the data it was ranked on (staff's inventory edits "
                    "included).")


class SavedShortlist(RankedShortlist):
    """A stored shortlist: the computed one plus where it is kept."""

    id: str = Field(description="Use it with GET /api/v1/shortlists/{shortlist_id}.")
    url: str = Field(description="The read-only share page (no login), under "
                                 "TECHVALLEY_PUBLIC_URL when the service sets it.")
    created_at: str = Field(description="ISO 8601, in Africa/Casablanca.",
                            json_schema_extra={"format": "date-time"})
    dataset_version: str | None = Field(description="The dataset it was computed on.")
    revoked: bool = Field(description="Revoked by staff (then 410 without staff credentials).")
    expires_at: str | None = Field(
        description="When a shortlist saved without staff credentials expires (then 410); "
                    "null: never.", json_schema_extra={"format": "date-time"})


class ShortlistSummary(_Model):
    """A saved shortlist as the staff list shows it."""

    id: str
    name: str | None
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    dataset_version: str | None
    revoked: bool
    url: str = Field(description="The share page.")
    saved_by: Literal["staff", "anonymous"]
    kept: bool = Field(description="Staff kept this anonymous save: it does not expire.")
    expires_at: str | None = Field(json_schema_extra={"format": "date-time"})
    expired: bool


class ShortlistPage(_Model):
    """A page of saved shortlists, newest first. The ``Link`` header gives the first, prev,
    next and last pages (RFC 8288)."""

    items: list[ShortlistSummary]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    total: int = Field(ge=0, description="Shortlists matching the filter, on every page.")
    pages: int = Field(ge=0)
    next: str | None = Field(description="The next page's address (relative), null on the last.")
    prev: str | None = Field(description="The previous page's address (relative), null on the "
                                         "first.")
    saved_by: Literal["all", "staff", "anonymous"]


class FeatureCollection(_Model):
    """GeoJSON (RFC 7946), one feature per zone with its features as properties (EPSG:4326)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[dict[str, Any]]


class PipelineTargets(_Model):
    """The sector's baseline and 2030 target (``geodata/facts/targets.csv``)."""

    baseline_year: int
    baseline_jobs: int
    baseline_exports_bn_mad: float
    target_year: int
    target_jobs: int
    target_exports_bn_mad: float
    sources: list[str] = Field(description="Keys of geodata/facts/sources.csv.")
    citations: list[str] = Field(description="Each source key with its citation.")


class PipelineJobs(_Model):
    """Jobs planned up to the target year for one zone, region or activity, by open stage."""

    key: str = Field(description="The zone id, region or activity; empty: none yet.")
    name: str
    jobs: dict[str, int] = Field(description="Stage (lead, visit, shortlist_sent, committed, "
                                             "operating) -> jobs.")
    total: int = Field(ge=0)


class PipelineFloor(_Model):
    """A zone's committed floor against its available floor."""

    zone_id: str
    name: str
    committed_m2: float = Field(ge=0, description="Committed and operating projects, all years.")
    available_m2: float | None = Field(description="null: unknown.")
    share: float | None = Field(description="committed / available; null when unknown.")
    runs_out: int | None = Field(description="The first year the cumulative committed floor "
                                             "exceeds the available floor; null: never, or unknown.")
    known: bool = Field(description="The zone's available floor is known.")
    by_year: dict[str, float] = Field(description="Year -> cumulative committed floor (m²).")


class PipelineDashboard(_Model):
    """The jobs pipeline against the target (staff only): what the staff dashboard and its CSV
    show. Jobs count the ramp-up years up to the target year; lost projects only in by_stage."""

    targets: PipelineTargets
    projects: int = Field(ge=0)
    by_stage: dict[str, int] = Field(description="Every stage, lost included -> jobs.")
    committed_jobs: int = Field(ge=0)
    pipeline_jobs: int = Field(ge=0, description="Jobs of every open stage.")
    projected_jobs: int = Field(ge=0, description="The baseline plus the committed jobs.")
    gap_jobs: int = Field(ge=0, description="Jobs still to find for the target.")
    by_zone: list[PipelineJobs]
    by_region: list[PipelineJobs]
    by_activity: list[PipelineJobs]
    floor: list[PipelineFloor] = Field(description="Soonest run-out first, then unknown floors.")
    m2_per_seat: float
