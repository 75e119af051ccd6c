"""The parts of a shortlist that several formats show: the requirements and method as lines,
per-zone extras (incentives, rank without each criterion), the data sources, and the flat rows
(one per zone: CSV, GeoJSON, XLSX)."""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import pandas as pd

from matching import i18n
from matching.export.text import (
    colon,
    fmt_any,
    fmt_number,
    fmt_pct,
    is_missing,
    is_number,
    jsonable,
)
from matching.export.view import View


def pairs(value: Any) -> list[tuple[str, Any]]:
    """A mapping or a list of items as (label, value) pairs, for key/value tables."""
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, Mapping) and len(item) == 2 and {"name", "value"} <= set(item):
                out.append((str(item["name"]), item["value"]))
            else:
                out.append(("", item))
        return out
    if value is None:
        return []
    return [("", value)]


def for_zone(extra: Any, zone_id: str) -> Any:
    """The part of a per-zone extra (incentives, leave_one_out) that concerns one zone.

    Accepts ``{zone_id: {...}}``, ``{key: {zone_id: value}}`` and ``[{"id": zone_id, ...}]``.
    """
    if isinstance(extra, Mapping):
        if zone_id in extra:
            return extra[zone_id]
        by_key = {k: v[zone_id] for k, v in extra.items() if isinstance(v, Mapping) and zone_id in v}
        return by_key or None
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, Mapping) and str(item.get("id")) == zone_id:
                return {k: v for k, v in item.items() if k not in ("id", "name")}
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def loo_for_zone(loo: Any, zone_id: str) -> Any:
    """A zone's rank without each criterion: ``{column: {"ranks": {zone: rank}}}`` (the engine's
    form) or any form :func:`for_zone` reads."""
    if isinstance(loo, Mapping) and zone_id not in loo:
        by_column = {}
        for column, info in loo.items():
            ranks = info.get("ranks") if isinstance(info, Mapping) else None
            if isinstance(ranks, Mapping) and zone_id in ranks:
                by_column[column] = ranks[zone_id]
        if by_column:
            return by_column
    return for_zone(loo, zone_id)


def loo_summary(view: View) -> list[tuple[str, str, str]]:
    """Per criterion left out: the zone then first and the largest rank change."""
    out = []
    names = {str(e["id"]): view.name(e) for e in view.ranked}
    if isinstance(view.leave_one_out, Mapping):
        for column, info in view.leave_one_out.items():
            if isinstance(info, Mapping) and ("first" in info or "max_rank_change" in info):
                first = names.get(str(info.get("first")), str(info.get("first") or "–"))
                out.append((view.column(str(column)), first,
                            fmt_any(info.get("max_rank_change"), view.lang)))
            elif info is None and column in view.criteria:
                out.append((view.column(str(column)), "–", "–"))
    return out


def sensitivity_summary(view: View) -> list[tuple[str, str, str, str, str]]:
    """Per criterion: its weight, the interval over which the first zone stays first, and the
    zone first below and above it (``–`` for nobody)."""
    names = {str(e["id"]): view.name(e) for e in view.ranked}
    lang = view.lang

    def zone(value: Any) -> str:
        return "–" if value is None else names.get(str(value), str(value))

    return [
        (view.column(str(row.get("criterion"))), fmt_number(row.get("weight"), lang, digits=3),
         f"{fmt_number(row.get('lower'), lang, digits=3)} – "
         f"{fmt_number(row.get('upper'), lang, digits=3)}",
         zone(row.get("below_zone")), zone(row.get("above_zone")))
        for row in as_list(view.raw.get("sensitivity")) if isinstance(row, Mapping)
    ]


def sensitivity_sentences(view: View) -> list[str]:
    """The intervals in words, in the view's language ("Tétouan Shore would come first if...")."""
    return [i18n.render(m, view.lang)
            for row in as_list(view.raw.get("sensitivity")) if isinstance(row, Mapping)
            for m in as_list(row.get("messages")) if isinstance(m, Mapping)]


def shared_part(extra: Any, zone_ids: Iterable[str]) -> Any:
    """The part of an extra that is not per zone (e.g. the incentive assumptions)."""
    ids = set(zone_ids)
    if isinstance(extra, Mapping):
        shared = {
            k: v for k, v in extra.items()
            if k not in ids and not (isinstance(v, Mapping) and ids & set(map(str, v)))
        }
        return shared or None
    return None


def direction_label(view: View, column: str) -> str:
    direction = view.directions.get(column, "")
    return view.value("direction", direction) if direction else ""


def dataset_sources(view: View) -> list[tuple[str, str]]:
    """Data sources as (what, source): the dataset's files, then the zones' source keys."""
    out: list[tuple[str, str]] = []
    if view.dataset.get("path"):
        out.append((view.label("dataset"), str(view.dataset["path"])))
    if view.dataset.get("version"):
        out.append((view.label("version"), str(view.dataset["version"])))
    for layer, path in (view.dataset.get("sources") or {}).items():
        out.append((view.value("layer", str(layer)), str(path)))
    if view.sites is not None and "source" in view.sites.columns:
        ids = [str(e["id"]) for e in view.ranked + view.excluded]
        for zid in ids:
            if zid not in view.sites.index:
                continue
            src = view.sites.at[zid, "source"]
            if not is_missing(src) and str(src).strip():
                out.append((str(view.sites.at[zid, "name"]) if "name" in view.sites.columns else zid,
                            str(src)))
    return out


#: a citation that starts with a web address (``lematin.ma/...``): linked in the dossier
_WEB_ADDRESS = re.compile(r"^(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s;,()]*)?)", re.IGNORECASE)


def citation_url(citation: str) -> str | None:
    """The web address a citation starts with, as an ``https://`` URL, or ``None``.

    >>> citation_url("lavieeco.com/?p=30000"), citation_url("MAP dispatch, 2010")
    ('https://lavieeco.com/?p=30000', None)
    """
    found = _WEB_ADDRESS.match(citation.strip())
    return f"https://{found.group(1)}" if found else None


def zone_source_keys(view: View, zone_id: str) -> list[str]:
    """The source keys (``S1``...) a zone's facts cite, in their order."""
    src = view.site(zone_id).get("source")
    return [] if is_missing(src) else str(src).split()


class CitedSource(NamedTuple):
    """A cited source as the dossier lists it: ``title`` is the fact sheet's title, else the
    citation itself; ``title_from`` is ``source``, ``address`` (read from the web address) or
    ``""`` (no source list entry: the citation is shown as it is)."""

    key: str
    title: str
    publisher: str
    date: str
    url: str | None
    title_from: str
    citation: str


def cited_source(key: str, citation: str) -> CitedSource:
    """One source by its key and citation: the shipped source list's entry when it is the same
    citation (title, publisher, date, address), else the citation alone with its web address."""
    from valleys.citations import shipped_source

    found = shipped_source(key, citation) if citation else None
    if found is not None:
        return CitedSource(key, found.title, found.publisher, found.date, found.url or None,
                           found.title_from, found.citation)
    return CitedSource(key, citation, "", "", citation_url(citation) if citation else None, "", citation)


def split_citations(cited: Any) -> dict[str, str]:
    """``S1: text; S2: text`` (a ``source_citations`` cell) as key -> citation.

    >>> split_citations("S1: a.ma/x; S14: MAP dispatch, 2010")
    {'S1': 'a.ma/x', 'S14': 'MAP dispatch, 2010'}
    """
    texts: dict[str, str] = {}
    if not is_missing(cited):
        for part in re.split(r";\s*(?=[A-Z]+\d+:)", str(cited)):
            key, sep, text = part.partition(":")
            if sep:
                texts[key.strip()] = text.strip()
    return texts


def cited_sources(view: View) -> list[CitedSource]:
    """Every source the shown and excluded zones cite, each once, with its title and publisher.

    The citations come with the zones (their ``source_citations``, ``key: citation; ...``); a
    key without one is given as the key alone.
    """
    out: dict[str, CitedSource] = {}
    for entry in view.ranked + view.excluded:
        zid = str(entry["id"])
        texts = split_citations(view.site(zid).get("source_citations"))
        for key in zone_source_keys(view, zid):
            if key not in out:
                out[key] = cited_source(key, texts.get(key, ""))
    return list(out.values())


def layer_names(view: View) -> str:
    """The dataset's layers by their words (never a file path)."""
    layers = view.dataset.get("sources") or {}
    return ", ".join(view.value("layer", str(layer)) for layer in layers) if isinstance(layers, Mapping) else ""


#: the key figures of a zone page: distances, then the talent within the catchment
KEY_DISTANCES = ("airports_km", "rail_stations_km", "universities_km")
KEY_CATCHMENT = ("catchment_labour_active", "catchment_higher_education",
                 "catchment_french_literate_pct", "catchment_english_literate_pct")


def key_figures(view: View, zone_id: str, *, radius_km: float) -> list[tuple[str, str]]:
    """A zone's key figures as (label, value) text: the distances to the nearest civil airport,
    station and university, then the catchment's labour force, graduates and literacy with the
    radius stated. Figures the dataset lacks are left out."""
    site = view.site(zone_id)
    lang = view.lang
    out: list[tuple[str, str]] = []
    for col in KEY_DISTANCES:
        if is_number(site.get(col)):
            out.append((view.column(col), fmt_number(site[col], lang, digits=1)))  # label says km
    within = view.label("within_km", km=i18n.format_number(radius_km, lang))
    for col in KEY_CATCHMENT:
        value = site.get(col)
        if is_number(value):
            text = (i18n.format_percent(value, lang) if col.endswith("_pct")
                    else fmt_number(value, lang, digits=0))
            out.append((f"{view.column(col)} ({within})", text))
    return out


def requirement_lines(view: View, *, raw: bool = False) -> list[tuple[str, Any]]:
    """The requirements as (label, text) lines: name, activity, sizes, constraints, criteria.

    With ``raw``, numbers stay numbers (for a spreadsheet).
    """
    req = view.requirements
    lines: list[tuple[str, Any]] = []
    for key in ("name", "activity", "headcount", "floor_area_m2", "salary_mad_month"):
        value = req.get(key)
        if not is_missing(value):
            lines.append((view.label(key), value if raw and is_number(value)
                          else str(value) if key == "name" else view.field(key, value)))
    for i, con in enumerate(view.applied_constraints):
        text = i18n.constraint_text(con, view.lang)
        if con.get("missing"):
            text += f" ({if_missing(view, con['missing'])})"
        lines.append((view.label("constraints") if i == 0 else "", text))
    for i, crit in enumerate(view.applied_criteria):
        column = str(crit.get("column", ""))
        text = view.column(column)
        if crit.get("direction"):
            text += f", {view.value('direction', crit['direction'])}"
        if column in view.weights:  # the weight as applied, normalised to sum to 1
            text += f", {view.label('weight')} {fmt_pct(view.weights[column], view.lang)}"
        elif is_number(crit.get("weight")):
            text += f", {view.label('weight')} {fmt_number(crit['weight'], view.lang)}"
        if crit.get("missing"):
            text += f" ({if_missing(view, crit['missing'])})"
        lines.append((view.label("criteria") if i == 0 else "", text))
    return lines


def if_missing(view: View, missing: Any) -> str:
    """What is done with a zone whose value is missing: ``if missing: exclude the zone``."""
    return f"{view.label('if_missing')}{colon(view.lang)}{view.value('missing', missing)}"


def method_lines(view: View) -> list[str]:
    """Plain-language paragraphs on the method and the normalisation."""
    out = []
    if view.method in ("topsis", "weighted_sum"):
        out.append(view.label(view.method))
    elif view.method:
        out.append(f"{view.label('method')}{colon(view.lang)}{view.value('method', view.method)}")
    if view.normalization in ("vector", "minmax", "sum", "none"):
        out.append(f"{view.label('normalization').capitalize()}{colon(view.lang)}{view.label('norm_' + view.normalization)}")
    elif view.normalization:
        out.append(f"{view.label('normalization').capitalize()}{colon(view.lang)}"
                   f"{view.value('normalization', view.normalization)}")
    rob = view.raw.get("robustness_method")
    if isinstance(rob, Mapping) and rob:
        text = f"{view.label('robustness')}{colon(view.lang)}{view.label('robustness_text')}"
        if all(is_number(rob.get(k)) for k in ("draws", "sigma", "seed")):
            text += " (" + view.label(
                "robustness_params", draws=i18n.format_number(rob["draws"], view.lang),
                sigma=i18n.format_number(rob["sigma"], view.lang), seed=str(rob["seed"])) + ")"
        out.append(text)
    if view.consistency_ratio is not None or view.requirements.get("ahp"):
        cr = fmt_number(view.consistency_ratio, view.lang, digits=3)
        out.append(f"{view.label('ahp')} {view.label('consistency_ratio')}{colon(view.lang)}{cr}")
    return out



def flat_rows(view: View, entries_ranked: Sequence[Mapping[str, Any]], *, with_location: bool) -> pd.DataFrame:
    """One flat row per zone: ranked then every excluded one, in the columns documented in exports.md."""
    rob_keys: list[str] = []
    for entry in view.ranked:
        for key in (view.robustness.get(str(entry["id"])) or {}):
            if key not in rob_keys:
                rob_keys.append(key)
    value_cols = view.criteria + view.constraint_columns
    rows: list[dict[str, Any]] = []
    for status, entries in (("ranked", entries_ranked), ("excluded", view.excluded)):
        for entry in entries:
            zid = str(entry["id"])
            site = view.site(zid)
            row: dict[str, Any] = {
                "status": status,
                "rank": entry.get("rank") if status == "ranked" else None,
                "id": zid,
                "name": view.name(entry),
            }
            if view.sites is not None:
                for col in ("city", "region"):
                    if col in view.sites.columns:
                        row[col] = site.get(col)
            row["score"] = entry.get("score") if status == "ranked" else None
            rob = view.robustness.get(zid) or {}
            for key in rob_keys:
                val = rob.get(key)
                row[key] = val if (val is None or is_number(val)) else json.dumps(jsonable(val))
            values = entry.get("values") or {}
            for col in value_cols:
                val = values.get(col, site.get(col))
                row[f"value_{col}"] = None if is_missing(val) else val
            contributions = entry.get("contributions") or {}
            for col in view.criteria:
                row[f"contribution_{col}"] = contributions.get(col)
            incentives = for_zone(view.incentives, zid)
            if isinstance(incentives, Mapping):
                for key, val in incentives.items():  # the figures; inputs and prose are elsewhere
                    if key not in INCENTIVE_INPUTS and (val is None or isinstance(val, numbers.Real)):
                        row[f"incentive_{key}"] = val
            if status == "ranked" and "imputed" in entry:  # criteria scored as the worst value
                imputed = entry["imputed"]
                row["imputed"] = "; ".join(map(str, imputed)) if isinstance(imputed, (Mapping, list)) else imputed
            if status == "ranked" and "explanation" in entry:
                row["explanation"] = "; ".join(str(n) for n in as_list(entry["explanation"]))
            row["reasons"] = "; ".join(str(r) for r in entry.get("reasons") or [])
            if with_location and view.sites is not None:
                for col in ("lon", "lat"):
                    if col in view.sites.columns:
                        row[col] = site.get(col)
            rows.append(row)
    frame = pd.DataFrame(rows, dtype=object)  # keeps 70 as 70, not 70.0
    if frame.empty:
        return frame
    # constraint-only columns that nothing fills are noise, not data
    empty = [f"value_{c}" for c in view.constraint_columns if frame[f"value_{c}"].isna().all()]
    frame = frame.drop(columns=empty)
    if "rank" in frame:
        frame["rank"] = frame["rank"].astype("Int64")
    return frame


INCENTIVE_INPUTS = {"headcount", "salary_mad_month"}
