""""Investors like you": the past investors most similar to a new requirement (issue 5).

A past investor is a requirements document (the requirements contract) plus ``chosen``, the
id of the zone it finally chose (and optionally ``decision_id``, its row group in
``DECISIONS.csv``). :func:`similar_investors` describes every investor by

- its activity (one indicator per activity: ITO, CRM, BPO, ESO, KPO);
- its size: log10 of the headcount (or of ``floor_area_m2`` / m² per seat);
- its languages: for French and English, the share of its criteria weight on the
  ``*_<language>_literate*`` columns, plus 1 when a constraint names such a column;
- its constraints: one indicator per column that any investor constrains,

scales each feature over the past investors (scikit-learn ``StandardScaler``) and finds the
``k`` nearest (``NearestNeighbors``, Euclidean). It returns them, the zones they chose, and
suggested weights: the mean of their criteria weights (each investor's effective criteria,
explicit or from its activity preset, normalised to sum to 1, signed by direction).
A requirement with no headcount gets the past investors' median size, and the result says so.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from matching.errors import DecisionsError
from matching.messages import Message, message

__all__ = ["LANGUAGES", "PAST_KEYS", "check_past_investors", "investor_features", "nearest_investors",
           "similar_investors"]

#: Languages recognised in column names (``catchment_french_literate_pct``...).
LANGUAGES: tuple[str, ...] = ("french", "english")
#: Keys of a past investor beside the requirements contract.
PAST_KEYS: tuple[str, ...] = ("chosen", "decision_id")
_ACTIVITIES: tuple[str, ...] = ("ITO", "CRM", "BPO", "ESO", "KPO")
# Derived by the shortlist from the floor area: not a choice of the investor.
_IGNORED_CONSTRAINTS = {"available_m2"}


def _split(record: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    requirement = {k: v for k, v in record.items() if k not in PAST_KEYS}
    extra = {k: record[k] for k in PAST_KEYS if k in record}
    return requirement, extra


def check_past_investors(
    past: Any, *, sites: pd.DataFrame | None = None, source: str = "past investors"
) -> list[tuple[Any, dict[str, Any]]]:
    """Validate past investors: a list of requirements documents, each with ``chosen``.

    Parameters
    ----------
    past
        The parsed file: a list of mappings.
    sites
        When given, every ``chosen`` must be one of its zone ids.
    source
        The file name, for messages.

    Returns
    -------
    list of (Requirements, dict)
        Each investor's parsed requirements and its ``chosen`` / ``decision_id``.

    Raises
    ------
    DecisionsError
        Not a list, empty, an item that is not a mapping, a missing ``name`` or ``chosen``,
        an unknown zone; :class:`~matching.errors.RequirementsError` for a bad requirement,
        naming the investor.
    """
    from matching.errors import RequirementsError
    from matching.requirements import parse_requirements

    if not isinstance(past, list) or not past:
        raise DecisionsError(
            f"{source}: expected a non-empty list of past investors (requirements documents "
            f"each with a name and chosen: <zone id>), got {type(past).__name__}."
        )
    problems: list[str] = []
    parsed: list[tuple[Any, dict[str, Any]]] = []
    known = set(map(str, sites.index)) if sites is not None else None
    for i, record in enumerate(past):
        if not isinstance(record, Mapping):
            problems.append(f"item {i + 1} is not a mapping")
            continue
        label = f"item {i + 1} ({record.get('name')!r})" if record.get("name") else f"item {i + 1}"
        if not record.get("name"):
            problems.append(f"{label}: no name")
        chosen = record.get("chosen")
        if chosen is None or str(chosen).strip() == "":
            problems.append(f"{label}: no chosen zone; add chosen: <zone id>")
        elif known is not None and str(chosen) not in known:
            problems.append(f"{label}: chosen zone {chosen!r} is not a zone of the dataset")
        requirement, extra = _split(record)
        try:
            parsed.append((parse_requirements(requirement, source=f"{source}, {label}"), extra))
        except RequirementsError as exc:
            problems.append(str(exc).replace("\n", " "))
    if problems:
        raise DecisionsError(f"{source}: {len(problems)} problem(s).", details=problems)
    return parsed


def _effective_criteria(requirement: Any) -> list[tuple[str, str, float]]:
    from matching.presets import PRESETS

    if requirement.criteria is not None:
        entries = [(c.column, c.direction, c.weight) for c in requirement.criteria]
    elif requirement.activity in PRESETS:
        entries = [(c["column"], c["direction"], c.get("weight"))
                   for c in PRESETS[requirement.activity]["criteria"]]
    else:
        entries = []
    weights = [1.0 if w is None else float(w) for _, _, w in entries]
    total = sum(weights) or 1.0
    return [(col, d, w / total) for (col, d, _), w in zip(entries, weights, strict=True)]


def _size(requirement: Any) -> float:
    from matching.settings import M2_PER_SEAT

    if requirement.headcount is not None:
        return math.log10(requirement.headcount)
    if requirement.floor_area_m2 is not None:
        return math.log10(max(requirement.floor_area_m2 / M2_PER_SEAT, 1.0))
    return math.nan


def investor_features(requirements: Sequence[Any], *, constrained: Sequence[str]) -> pd.DataFrame:
    """The features of investors (parsed :class:`~matching.requirements.Requirements`).

    Parameters
    ----------
    requirements
        Parsed requirements, one per investor.
    constrained
        The columns that get a constraint indicator.

    Returns
    -------
    pandas.DataFrame
        One row per investor: ``activity=<A>``, ``log10_headcount`` (NaN when unknown),
        ``language=<l>``, ``constrains=<column>``.
    """
    rows = []
    for req in requirements:
        row: dict[str, float] = {f"activity={a}": float(req.activity == a) for a in _ACTIVITIES}
        row["log10_headcount"] = _size(req)
        criteria = _effective_criteria(req)
        constraint_columns = {c.column for c in (req.constraints or [])}
        for language in LANGUAGES:
            share = sum(w for col, _, w in criteria if f"{language}_literate" in col)
            named = any(f"{language}_literate" in col for col in constraint_columns)
            row[f"language={language}"] = share + float(named)
        for column in constrained:
            row[f"constrains={column}"] = float(column in constraint_columns)
        rows.append(row)
    return pd.DataFrame(rows)


def similar_investors(
    requirements: Mapping[str, Any] | Any,
    past: Any,
    *,
    k: int = 5,
    sites: pd.DataFrame | None = None,
    source: str = "past investors",
) -> dict[str, Any]:
    """The ``k`` past investors most like a new requirement, the zones they chose, weights.

    Parameters
    ----------
    requirements
        The new investor's requirements (a dict or a parsed ``Requirements``).
    past
        Past investors: a list of requirements documents, each with ``chosen`` (a zone id).
    k
        How many neighbours (at most the number of past investors).
    sites
        The zones, to check ``chosen`` and to name the zones.
    source
        The past investors' file name, for messages.

    Returns
    -------
    dict
        ``neighbours`` [{investor, distance, chosen, chosen_name, activity, headcount}],
        nearest first; ``chosen_zones`` [{site_id, name, count}], most chosen first;
        ``suggested_criteria`` [{column, direction, weight}] (a requirements fragment);
        ``features`` (names), ``notes`` and the same as ``messages``
        (``{"code", "params", "text"}``, :mod:`matching.messages`).

    Raises
    ------
    DecisionsError
        Bad past investors (:func:`check_past_investors`) or ``k < 1``.
    """
    if k < 1:
        raise DecisionsError(f"k must be at least 1 (got {k}).")
    records = check_past_investors(past, sites=sites, source=source)
    return nearest_investors(requirements, records, k=k, sites=sites)


def nearest_investors(
    requirements: Mapping[str, Any] | Any,
    records: list[tuple[Any, dict[str, Any]]],
    *,
    k: int = 5,
    sites: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """:func:`similar_investors` on past investors already checked by
    :func:`check_past_investors` (what a server does once, at start, rather than per request).
    """
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    from matching.requirements import parse_requirements

    # parse_requirements reads a dict, not any mapping
    query = (parse_requirements(dict(requirements)) if isinstance(requirements, Mapping)
             else requirements)
    everyone = [req for req, _ in records] + [query]
    constrained = sorted(
        {c.column for req in everyone for c in (req.constraints or [])} - _IGNORED_CONSTRAINTS
    )
    features = investor_features(everyone, constrained=constrained)
    notes: list[Message] = []
    sizes = features["log10_headcount"]
    median = float(sizes.iloc[:-1].median()) if sizes.iloc[:-1].notna().any() else 0.0
    if np.isnan(sizes.iloc[-1]):
        notes.append(message("neighbours.median_size_assumed", size=float(10 ** median)))
    features["log10_headcount"] = sizes.fillna(median)

    scaler = StandardScaler().fit(features.iloc[:-1])
    scaled = scaler.transform(features)
    n_neighbours = min(k, len(records))
    index = NearestNeighbors(n_neighbors=n_neighbours).fit(scaled[:-1])
    distances, positions = index.kneighbors(scaled[-1:])

    names = sites["name"].astype(str) if sites is not None and "name" in sites else None
    neighbours = []
    signed: dict[str, float] = {}
    for distance, position in zip(distances[0], positions[0], strict=True):
        req, extra = records[position]
        chosen = str(extra["chosen"])
        neighbours.append({
            "investor": req.name, "distance": round(float(distance), 4), "chosen": chosen,
            "chosen_name": str(names[chosen]) if names is not None else chosen,
            "activity": req.activity, "headcount": req.headcount,
        })
        for column, direction, weight in _effective_criteria(req):
            signed[column] = signed.get(column, 0.0) + (weight if direction == "benefit"
                                                        else -weight) / n_neighbours
    counts = Counter(n["chosen"] for n in neighbours)
    chosen_zones = [{"site_id": zone, "name": next(n["chosen_name"] for n in neighbours
                                                   if n["chosen"] == zone), "count": count}
                    for zone, count in counts.most_common()]
    total = sum(abs(v) for v in signed.values())
    suggested = [
        {"column": column, "direction": "benefit" if value >= 0 else "cost",
         "weight": round(abs(value) / total, 4)}
        for column, value in sorted(signed.items(), key=lambda item: -abs(item[1]))
        if total > 0 and abs(value) > 0
    ]
    return {
        "k": n_neighbours,
        "neighbours": neighbours,
        "chosen_zones": chosen_zones,
        "suggested_criteria": suggested,
        "features": list(features.columns),
        "notes": [note.text for note in notes],
        "messages": [note.as_json() for note in notes],
    }
