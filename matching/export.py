"""Shortlist exports: the same shortlist as a terminal table, JSON, CSV, XLSX, GeoJSON, HTML or PDF.

Every function takes the shortlist JSON of the contract (``matching.shortlist.make_shortlist``)
and, optionally, the ``sites`` it was made from (``valleys.site_features``: zones indexed by id,
with geometry, ``lon``/``lat``, ``city``, ``region``, ``source``...), and returns ``str`` (text
formats) or ``bytes`` (``xlsx``, ``pdf``). The command line and the web app serve the same output.

- Machine formats (:func:`to_json`, :func:`to_csv`, :func:`to_geojson`) always hold every zone,
  ranked then excluded, exactly once; ``top`` is accepted and ignored.
- Human formats (:func:`to_table`, :func:`to_html`, :func:`to_pdf`, :func:`to_xlsx`) show the
  first ``top`` ranked zones (and say how many more there are) and every excluded zone with its
  reasons; ``lang`` (``"en"`` or ``"fr"``) chooses the labels.

Optional parts of the shortlist are shown when present: ``warnings``, ``hint``, ``criteria``
and ``constraints`` as applied, ``incentives``, ``leave_one_out``, ``robustness_method``,
``assumptions`` and ``dataset`` (``path``, ``version``, ``sources``; also read from
``sites.attrs``); per ranked zone, ``explanation`` and ``imputed``. Every user error is an
:class:`ExportError`. What each format holds is in ``docs/exports.md``.

Examples
--------
>>> shortlist = {
...     "requirements": {"name": "Demo"}, "method": "weighted_sum", "normalization": "minmax",
...     "weights": {"rent_mad_m2_month": 1.0}, "consistency_ratio": None,
...     "ranked": [{"id": "fes", "name": "Fès Shore", "rank": 1, "score": 1.0,
...                 "values": {"rent_mad_m2_month": 70}, "contributions": {"rent_mad_m2_month": 1.0}}],
...     "excluded": [{"id": "agd", "name": "Agadir Shore",
...                   "reasons": ["rent_mad_m2_month missing"]}],
...     "robustness": {"fes": {"p_first": 1.0, "p_top3": 1.0}},
... }
>>> print(to_csv(shortlist), end="")
status,rank,id,name,score,p_first,p_top3,value_rent_mad_m2_month,contribution_rent_mad_m2_month,reasons
ranked,1,fes,Fès Shore,1.0,1.0,1.0,70,1.0,
excluded,,agd,Agadir Shore,,,,,,rent_mad_m2_month missing
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
import numbers
import os
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from matching.phrases import translate
from matching.units import column_label
from valleys.errors import TechValleyError

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "HUMAN_FORMATS",
    "LANGS",
    "MACHINE_FORMATS",
    "MEDIA_TYPES",
    "ExportError",
    "column_label",
    "export",
    "to_csv",
    "to_geojson",
    "to_html",
    "to_json",
    "to_pdf",
    "to_table",
    "to_xlsx",
]

LANGS = ("en", "fr")
MACHINE_FORMATS = ("json", "csv", "geojson")
HUMAN_FORMATS = ("table", "xlsx", "html", "pdf")
FORMATS = ("table", "json", "csv", "xlsx", "geojson", "html", "pdf")
EXTENSIONS = {
    "table": "txt", "json": "json", "csv": "csv", "xlsx": "xlsx",
    "geojson": "geojson", "html": "html", "pdf": "pdf",
}
MEDIA_TYPES = {
    "table": "text/plain; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


class ExportError(TechValleyError):
    """A shortlist, its sites or an export option cannot be rendered (names what and where)."""


# --------------------------------------------------------------------------------------------
# labels

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Shortlist",
        "requirements": "Requirements",
        "ranked": "Ranked zones",
        "excluded": "Excluded zones",
        "rank": "rank",
        "zone": "zone",
        "score": "score",
        "reasons": "reasons",
        "p_first": "P(first)",
        "p_top3": "P(top 3)",
        "criterion": "criterion",
        "direction": "direction",
        "weight": "weight",
        "value": "value",
        "contribution": "contribution",
        "benefit": "benefit",
        "cost": "cost",
        "method": "Method",
        "normalization": "normalisation",
        "weights": "Weights",
        "consistency_ratio": "AHP consistency ratio",
        "robustness": "Robustness",
        "robustness_text": "Share of random weight draws around the given weights in which the zone "
        "ranks first and in the top 3.",
        "leave_one_out": "Rank without each criterion",
        "loo_first": "first without it",
        "loo_change": "largest rank change",
        "mean_rank": "mean rank",
        "worst": "* missing: scored as the worst observed value",
        "incentives": "Incentives (estimate)",
        "location": "Location",
        "sources": "Data sources",
        "dataset": "Dataset",
        "version": "version",
        "assumptions": "Assumptions",
        "warnings": "Warnings",
        "hint": "Hint",
        "nothing_ranked": "No zone meets every constraint.",
        "more_ranked": "{n} more ranked zone(s) not shown (top {top}).",
        "zones_summary": "{ranked} zone(s) ranked, {excluded} excluded",
        "constraints": "Constraints (hard: a zone failing one is excluded)",
        "criteria": "Criteria (soft: what is scored)",
        "name": "name",
        "activity": "activity",
        "headcount": "headcount",
        "floor_area_m2": "floor area (m²)",
        "salary_mad_month": "gross salary (MAD/month)",
        "explanation": "Why this zone",
        "item": "item",
        "none": "none",
        "generated": "Made with techvalley",
        "city": "city",
        "region": "region",
        "status": "status",
        "lonlat": "longitude, latitude",
        "notes": "notes",
        "contents": "Contents",
        "topsis": "TOPSIS ranks each zone by its relative closeness to the ideal zone (the best "
        "observed value of every criterion) and its distance from the anti-ideal zone, after "
        "normalising each criterion and multiplying it by its weight. The score is the closeness "
        "coefficient, from 0 (the anti-ideal) to 1 (the ideal). The score is split among the "
        "criteria in proportion to each one's share of the zone's distance from the anti-ideal: "
        "the contributions add up to the score.",
        "weighted_sum": "The weighted sum adds each criterion's normalised value times its weight. "
        "A cost criterion counts against the score (with min-max normalisation its value is "
        "(max - x) / (max - min)). A criterion's contribution is its term of the sum, so the "
        "contributions add up to the score.",
        "norm_vector": "vector: each value divided by the square root of the column's sum of squares.",
        "norm_minmax": "min-max: (x - min) / (max - min), so the column spans 0 to 1.",
        "norm_sum": "sum: each value divided by the column's sum.",
        "norm_none": "none: the raw values are used.",
        "ahp": "Weights from an AHP pairwise matrix (principal eigenvector); a consistency ratio "
        "above 0.10 is refused unless explicitly allowed.",
    },
    "fr": {
        "title": "Liste restreinte",
        "requirements": "Besoins de l'investisseur",
        "ranked": "Zones classées",
        "excluded": "Zones exclues",
        "rank": "rang",
        "zone": "zone",
        "score": "score",
        "reasons": "motifs",
        "p_first": "P(1er)",
        "p_top3": "P(top 3)",
        "criterion": "critère",
        "direction": "sens",
        "weight": "poids",
        "value": "valeur",
        "contribution": "contribution",
        "benefit": "bénéfice",
        "cost": "coût",
        "method": "Méthode",
        "normalization": "normalisation",
        "weights": "Poids",
        "consistency_ratio": "Ratio de cohérence AHP",
        "robustness": "Robustesse",
        "robustness_text": "Part des tirages aléatoires de poids autour des poids donnés où la "
        "zone est classée première et dans les 3 premières.",
        "leave_one_out": "Rang sans chaque critère",
        "loo_first": "premier sans lui",
        "loo_change": "plus grand changement de rang",
        "mean_rank": "rang moyen",
        "worst": "* manquant : noté comme la pire valeur observée",
        "incentives": "Incitations (estimation)",
        "location": "Localisation",
        "sources": "Sources des données",
        "dataset": "Jeu de données",
        "version": "version",
        "assumptions": "Hypothèses",
        "warnings": "Avertissements",
        "hint": "Indication",
        "nothing_ranked": "Aucune zone ne satisfait toutes les contraintes.",
        "more_ranked": "{n} autre(s) zone(s) classée(s) non affichée(s) (top {top}).",
        "zones_summary": "{ranked} zone(s) classée(s), {excluded} exclue(s)",
        "constraints": "Contraintes (strictes : une zone qui en échoue une est exclue)",
        "criteria": "Critères (pondérés : ce qui est noté)",
        "name": "nom",
        "activity": "activité",
        "headcount": "effectif",
        "floor_area_m2": "surface de bureaux (m²)",
        "salary_mad_month": "salaire brut (MAD/mois)",
        "explanation": "Pourquoi cette zone",
        "item": "élément",
        "none": "aucun",
        "generated": "Réalisé avec techvalley",
        "city": "ville",
        "region": "région",
        "status": "statut",
        "lonlat": "longitude, latitude",
        "notes": "notes",
        "contents": "Sommaire",
        "topsis": "TOPSIS classe chaque zone selon sa proximité relative à la zone idéale (la "
        "meilleure valeur observée de chaque critère) et son éloignement de la zone anti-idéale, "
        "après normalisation et pondération de chaque critère. Le score est le coefficient de "
        "proximité, de 0 (l'anti-idéal) à 1 (l'idéal). Le score est réparti entre les critères "
        "au prorata de la part de chacun dans la distance de la zone à l'anti-idéal : les "
        "contributions s'additionnent pour donner le score.",
        "weighted_sum": "La somme pondérée additionne la valeur normalisée de chaque critère "
        "multipliée par son poids. Un critère de coût compte contre le score (en min-max sa valeur "
        "est (max - x) / (max - min)). La contribution d'un critère est son terme de la somme : "
        "les contributions s'additionnent pour donner le score.",
        "norm_vector": "vectorielle : chaque valeur divisée par la racine de la somme des carrés "
        "de la colonne.",
        "norm_minmax": "min-max : (x - min) / (max - min), la colonne va de 0 à 1.",
        "norm_sum": "somme : chaque valeur divisée par la somme de la colonne.",
        "norm_none": "aucune : les valeurs brutes sont utilisées.",
        "ahp": "Poids issus d'une matrice de comparaisons par paires AHP (vecteur propre "
        "principal) ; un ratio de cohérence supérieur à 0,10 est refusé sauf autorisation explicite.",
    },
}

# --------------------------------------------------------------------------------------------
# reading and checking the input (the thin validating layer)


@dataclass
class _View:
    """A checked, normalised reading of a shortlist dict that every renderer shares."""

    raw: Mapping[str, Any]
    requirements: Mapping[str, Any]
    method: str
    normalization: str
    weights: dict[str, float]
    consistency_ratio: float | None
    ranked: list[Mapping[str, Any]]
    excluded: list[Mapping[str, Any]]
    robustness: Mapping[str, Any]
    criteria: list[str]
    applied_criteria: list[Mapping[str, Any]]
    applied_constraints: list[Mapping[str, Any]]
    directions: dict[str, str]
    constraint_columns: list[str]
    hint: str | None
    warnings: list[str]
    incentives: Any
    leave_one_out: Any
    assumptions: Any
    dataset: dict[str, Any]
    sites: pd.DataFrame | None = None
    shown: list[Mapping[str, Any]] = field(default_factory=list)
    lang: str = "en"

    def label(self, key: str) -> str:
        return _LABELS[self.lang][key]

    def name(self, entry: Mapping[str, Any]) -> str:
        """A zone's name: the shortlist's, else the sites', else its id."""
        name = entry.get("name")
        if _is_missing(name) or name == "":
            name = self.site(str(entry["id"])).get("name")
        return str(entry["id"]) if _is_missing(name) or name == "" else str(name)

    def site(self, zone_id: str) -> Mapping[str, Any]:
        if self.sites is None or zone_id not in self.sites.index:
            return {}
        return self.sites.loc[zone_id].to_dict()


def _check_options(top: int | None, lang: str) -> None:
    if lang not in LANGS:
        raise ExportError(f"Unknown export language {lang!r}: use one of {', '.join(LANGS)}.")
    if top is not None and (isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1):
        raise ExportError(f"--top must be a whole number of at least 1, not {top!r}.")


def _read(
    shortlist: Any, sites: Any, *, top: int | None, lang: str, need_sites: bool = False,
    machine: bool = False,
) -> _View:
    _check_options(top, lang)
    if not isinstance(shortlist, Mapping):
        raise ExportError(
            f"The shortlist to export must be a shortlist JSON object (a dict), not a "
            f"{type(shortlist).__name__}: pass the result of matching.shortlist.make_shortlist."
        )
    problems: list[str] = []
    for key in ("ranked", "excluded"):
        if not isinstance(shortlist.get(key), list):
            problems.append(f"'{key}' is missing or not a list")
    if problems:
        raise ExportError(
            "The shortlist cannot be exported: it is not a shortlist of the contract "
            "(keys 'ranked' and 'excluded' are required).",
            details=problems,
        )
    seen: dict[str, str] = {}
    for key in ("ranked", "excluded"):
        for i, entry in enumerate(shortlist[key]):
            where = f"{key}[{i}]"
            if not isinstance(entry, Mapping) or entry.get("id") in (None, ""):
                problems.append(f"{where} has no zone 'id'")
                continue
            zid = str(entry["id"])
            if zid in seen:
                problems.append(f"zone {zid!r} appears twice ({seen[zid]} and {where})")
            seen[zid] = where
            if key == "ranked":
                for num in ("rank", "score"):
                    if not _is_number(entry.get(num)):
                        problems.append(f"{where} (zone {zid!r}) has no numeric '{num}'")
            elif not isinstance(entry.get("reasons", []), list):
                problems.append(f"{where} (zone {zid!r}) has 'reasons' that is not a list")
    if problems:
        raise ExportError("The shortlist cannot be exported: its zones are malformed.", details=problems)

    # the engine's sentences in the reader's language; machine formats keep the contract's
    text = "en" if machine else lang
    ranked = [_in_language(entry, "explanation", text) for entry in shortlist["ranked"]]
    excluded = [_in_language(entry, "reasons", text) for entry in shortlist["excluded"]]
    requirements = shortlist.get("requirements") or {}
    if not isinstance(requirements, Mapping):
        requirements = {}
    weights_in = shortlist.get("weights") or {}
    weights = {str(k): float(v) for k, v in weights_in.items() if _is_number(v)} if isinstance(
        weights_in, Mapping
    ) else {}

    criteria = list(weights)
    for entry in ranked:  # criteria that carry values but no weight still get their column
        for col in list(entry.get("values") or {}) + list(entry.get("contributions") or {}):
            if col not in criteria:
                criteria.append(col)
    # the criteria and constraints as applied (presets filled in) when the engine gives them
    applied_criteria = _mappings(shortlist.get("criteria")) or _mappings(requirements.get("criteria"))
    applied_constraints = (_mappings(shortlist.get("constraints"))
                           or _mappings(requirements.get("constraints")))
    directions: dict[str, str] = {}
    for crit in applied_criteria:
        if crit.get("column"):
            directions[str(crit["column"])] = str(crit.get("direction", ""))
    constraint_columns = []
    for con in applied_constraints:
        if con.get("column"):
            col = str(con["column"])
            if col not in criteria and col not in constraint_columns:
                constraint_columns.append(col)

    site_table = _index_sites(sites, seen, need_sites=need_sites)
    dataset: dict[str, Any] = {}
    if site_table is not None:  # valleys may record the dataset on the sites
        attrs = getattr(site_table, "attrs", {})
        dataset.update({k: attrs[k] for k in ("path", "version", "sources") if attrs.get(k)})
        if isinstance(attrs.get("dataset"), Mapping):
            dataset.update(attrs["dataset"])
    if isinstance(shortlist.get("dataset"), Mapping):
        dataset.update({k: v for k, v in shortlist["dataset"].items() if v not in (None, "")})

    cr = shortlist.get("consistency_ratio")
    view = _View(
        raw=shortlist,
        requirements=requirements,
        method=str(shortlist.get("method") or requirements.get("method") or ""),
        normalization=str(shortlist.get("normalization") or requirements.get("normalization") or ""),
        weights=weights,
        consistency_ratio=float(cr) if _is_number(cr) else None,
        ranked=ranked,
        excluded=excluded,
        robustness=shortlist.get("robustness") or {},
        criteria=criteria,
        applied_criteria=applied_criteria,
        applied_constraints=applied_constraints,
        directions=directions,
        constraint_columns=constraint_columns,
        hint=_sentences_in(str(shortlist["hint"]), text) if shortlist.get("hint") else None,
        warnings=_sentences_in([str(w) for w in (shortlist.get("warnings") or [])], text),
        incentives=_sentences_in(shortlist.get("incentives"), text),
        leave_one_out=shortlist.get("leave_one_out"),
        assumptions=_sentences_in(shortlist.get("assumptions"), text),
        dataset=dataset,
        sites=site_table,
        lang=lang,
    )
    view.shown = ranked if top is None else ranked[:top]
    return view


def _sentences_in(value: Any, lang: str) -> Any:
    """``value`` (the assumptions, the incentives) with the engine's sentences in ``lang``: the
    text in its lists and mappings that a template of :mod:`matching.phrases` knows."""
    if lang == "en":
        return value
    if isinstance(value, str):
        return translate(value, lang)
    if isinstance(value, list):
        return [_sentences_in(item, lang) for item in value]
    if isinstance(value, Mapping):
        return {key: _sentences_in(item, lang) for key, item in value.items()}
    return value


def _in_language(entry: Mapping[str, Any], key: str, lang: str) -> Mapping[str, Any]:
    """``entry`` (a zone) with its sentences under ``key`` in ``lang``; its other text, the
    zone's name included, as it is."""
    if lang == "en" or not isinstance(entry.get(key), list):
        return entry
    return {**entry, key: _sentences_in([str(t) for t in entry[key]], lang)}


def _index_sites(sites: Any, zone_ids: Mapping[str, str], *, need_sites: bool) -> pd.DataFrame | None:
    """The sites indexed by zone id (as text).

    For GeoJSON every shortlisted zone must be among them; other formats show a zone the sites
    lack (a saved shortlist of an older dataset) without its location.
    """
    if sites is None:
        if need_sites:
            raise ExportError(
                "GeoJSON needs the zones' geometry: pass the sites the shortlist was made from "
                "(valleys.site_features(dataset)), e.g. `techvalley shortlist --data PATH`."
            )
        return None
    if not isinstance(sites, pd.DataFrame):
        raise ExportError(
            f"The sites must be a (Geo)DataFrame of zones (valleys.site_features), not a "
            f"{type(sites).__name__}."
        )
    table = sites
    if "id" in sites.columns:
        table = sites.set_index(sites["id"].astype(str), drop=False)
    else:
        table = sites.set_axis(sites.index.astype(str), axis=0)
    table.attrs = dict(sites.attrs)
    if table.index.has_duplicates:
        dups = sorted(set(table.index[table.index.duplicated()]))
        raise ExportError(f"The sites have duplicate zone ids: {', '.join(dups)}; ids must be unique.")
    if need_sites and not hasattr(table, "geometry"):
        raise ExportError(
            "GeoJSON needs the zones' geometry, but the sites have no geometry column: pass a "
            "GeoDataFrame (valleys.site_features)."
        )
    missing = [zid for zid in zone_ids if zid not in table.index]
    if missing and need_sites:  # other formats show such a zone without its location
        raise ExportError(
            f"{len(missing)} shortlisted zone(s) are not in the sites given ({', '.join(missing[:10])}"
            f"{', ...' if len(missing) > 10 else ''}): pass the sites the shortlist was made from "
            f"(the same --data).",
        )
    return table


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or a dict is a value
        return False


# --------------------------------------------------------------------------------------------
# formatting helpers


def _fmt_number(value: Any, lang: str, *, digits: int | None = None) -> str:
    """A number for people: thousands separated, few decimals, French or English style."""
    if _is_missing(value):
        return "–"
    if not _is_number(value):
        return str(value)
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if digits is None:
        digits = 0 if abs(x) >= 1000 or x == int(x) else (2 if abs(x) >= 1 else 3)
    text = f"{x:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _fmt_pct(value: Any, lang: str) -> str:
    """A share as a percentage; never rounds a small chance to 0% or a near-certainty to 100%.

    >>> _fmt_pct(0.71, "en"), _fmt_pct(0.005, "en"), _fmt_pct(0.995, "en"), _fmt_pct(1, "fr")
    ('71%', '<1%', '>99%', '100\u202f%')
    """
    if not _is_number(value):
        return "–" if _is_missing(value) else str(value)
    pct = 100 * float(value)
    if 0 < pct < 1:
        text = "<1"
    elif 99 < pct < 100:
        text = ">99"
    else:
        text = f"{pct:.0f}"
    return f"{text}\u202f%" if lang == "fr" else f"{text}%"


def _colon(lang: str) -> str:
    return "\u202f: " if lang == "fr" else ": "


def _printable(text: str) -> str:
    """Text safe for a terminal: control and bidirectional-override characters made visible."""
    return "".join(
        ch if ch == " " or not (unicodedata.category(ch) in ("Cc", "Cf") or ch in _BIDI) else f"\\u{ord(ch):04x}"
        for ch in text
    )


_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _fmt_any(value: Any, lang: str, *, sep: str = "; ") -> str:
    """Any JSON value as text: lists and mappings joined with ``sep``."""
    if isinstance(value, Mapping):
        return sep.join(f"{k}: {_fmt_any(v, lang)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sep.join(_fmt_any(v, lang) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    if _is_number(value):
        return _fmt_number(value, lang)
    if _is_missing(value):
        return "–"
    return str(value)


def _pairs(value: Any) -> list[tuple[str, Any]]:
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


def _for_zone(extra: Any, zone_id: str) -> Any:
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


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _loo_for_zone(loo: Any, zone_id: str) -> Any:
    """A zone's rank without each criterion: ``{column: {"ranks": {zone: rank}}}`` (the engine's
    form) or any form :func:`_for_zone` reads."""
    if isinstance(loo, Mapping) and zone_id not in loo:
        by_column = {}
        for column, info in loo.items():
            ranks = info.get("ranks") if isinstance(info, Mapping) else None
            if isinstance(ranks, Mapping) and zone_id in ranks:
                by_column[column] = ranks[zone_id]
        if by_column:
            return by_column
    return _for_zone(loo, zone_id)


def _loo_summary(view: _View) -> list[tuple[str, str, str]]:
    """Per criterion left out: the zone then first and the largest rank change."""
    out = []
    names = {str(e["id"]): view.name(e) for e in view.ranked}
    if isinstance(view.leave_one_out, Mapping):
        for column, info in view.leave_one_out.items():
            if isinstance(info, Mapping) and ("first" in info or "max_rank_change" in info):
                first = names.get(str(info.get("first")), str(info.get("first") or "–"))
                out.append((column_label(str(column)), first,
                            _fmt_any(info.get("max_rank_change"), view.lang)))
            elif info is None and column in view.criteria:
                out.append((column_label(str(column)), "–", "–"))
    return out


def _shared_part(extra: Any, zone_ids: Iterable[str]) -> Any:
    """The part of an extra that is not per zone (e.g. the incentive assumptions)."""
    ids = set(zone_ids)
    if isinstance(extra, Mapping):
        shared = {
            k: v for k, v in extra.items()
            if k not in ids and not (isinstance(v, Mapping) and ids & set(map(str, v)))
        }
        return shared or None
    return None


def _direction(view: _View, column: str) -> str:
    direction = view.directions.get(column, "")
    return view.label(direction) if direction in ("benefit", "cost") else direction


def _dataset_sources(view: _View) -> list[tuple[str, str]]:
    """Data sources as (what, source): the dataset's files, then the zones' source keys."""
    out: list[tuple[str, str]] = []
    if view.dataset.get("path"):
        out.append((view.label("dataset"), str(view.dataset["path"])))
    if view.dataset.get("version"):
        out.append((view.label("version"), str(view.dataset["version"])))
    for layer, path in (view.dataset.get("sources") or {}).items():
        out.append((str(layer), str(path)))
    if view.sites is not None and "source" in view.sites.columns:
        ids = [str(e["id"]) for e in view.ranked + view.excluded]
        for zid in ids:
            if zid not in view.sites.index:
                continue
            src = view.sites.at[zid, "source"]
            if not _is_missing(src) and str(src).strip():
                out.append((str(view.sites.at[zid, "name"]) if "name" in view.sites.columns else zid,
                            str(src)))
    return out


def _requirement_lines(view: _View, *, raw: bool = False) -> list[tuple[str, Any]]:
    """The requirements as (label, text) lines: name, activity, sizes, constraints, criteria.

    With ``raw``, numbers stay numbers (for a spreadsheet).
    """
    req = view.requirements
    lines: list[tuple[str, Any]] = []
    for key in ("name", "activity", "headcount", "floor_area_m2", "salary_mad_month"):
        value = req.get(key)
        if not _is_missing(value):
            lines.append((view.label(key), value if raw and _is_number(value) else _fmt_any(value, view.lang)))
    for i, con in enumerate(view.applied_constraints):
        text = str(con.get("text") or "") or (
            f"{column_label(str(con.get('column', '')))} {con.get('op', '')} "
            f"{_fmt_any(con.get('value'), view.lang)}")
        if con.get("missing"):
            text += f" (missing: {con['missing']})"
        lines.append((view.label("constraints") if i == 0 else "", text))
    for i, crit in enumerate(view.applied_criteria):
        direction = str(crit.get("direction", ""))
        text = f"{column_label(str(crit.get('column', '')))}, {view.label(direction) if direction in ('benefit', 'cost') else direction}"
        column = str(crit.get("column", ""))
        if column in view.weights:  # the weight as applied, normalised to sum to 1
            text += f", {view.label('weight')} {_fmt_pct(view.weights[column], view.lang)}"
        elif _is_number(crit.get("weight")):
            text += f", {view.label('weight')} {_fmt_number(crit['weight'], view.lang)}"
        if crit.get("missing"):
            text += f" (missing: {crit['missing']})"
        lines.append((view.label("criteria") if i == 0 else "", text))
    return lines


def _method_lines(view: _View) -> list[str]:
    """Plain-language paragraphs on the method and the normalisation."""
    out = []
    if view.method in ("topsis", "weighted_sum"):
        out.append(view.label(view.method))
    elif view.method:
        out.append(f"{view.label('method')}: {view.method}")
    if view.normalization in ("vector", "minmax", "sum", "none"):
        out.append(f"{view.label('normalization').capitalize()}{_colon(view.lang)}{view.label('norm_' + view.normalization)}")
    elif view.normalization:
        out.append(f"{view.label('normalization').capitalize()}{_colon(view.lang)}{view.normalization}")
    rob = view.raw.get("robustness_method")
    if isinstance(rob, Mapping) and rob:
        out.append(f"{view.label('robustness')}{_colon(view.lang)}{view.label('robustness_text')} "
                   f"({_fmt_any(rob, view.lang)})")
    if view.consistency_ratio is not None or view.requirements.get("ahp"):
        cr = _fmt_number(view.consistency_ratio, view.lang, digits=3)
        out.append(f"{view.label('ahp')} {view.label('consistency_ratio')}{_colon(view.lang)}{cr}")
    return out


# --------------------------------------------------------------------------------------------
# flat rows: one per zone, ranked then excluded (csv, geojson, xlsx)


def _flat_rows(view: _View, entries_ranked: Sequence[Mapping[str, Any]], *, with_location: bool) -> pd.DataFrame:
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
                row[key] = val if (val is None or _is_number(val)) else json.dumps(_jsonable(val))
            values = entry.get("values") or {}
            for col in value_cols:
                val = values.get(col, site.get(col))
                row[f"value_{col}"] = None if _is_missing(val) else val
            contributions = entry.get("contributions") or {}
            for col in view.criteria:
                row[f"contribution_{col}"] = contributions.get(col)
            incentives = _for_zone(view.incentives, zid)
            if isinstance(incentives, Mapping):
                for key, val in incentives.items():  # the figures; inputs and prose are elsewhere
                    if key not in _INCENTIVE_INPUTS and (val is None or isinstance(val, numbers.Real)):
                        row[f"incentive_{key}"] = val
            if status == "ranked" and "imputed" in entry:  # criteria scored as the worst value
                imputed = entry["imputed"]
                row["imputed"] = "; ".join(map(str, imputed)) if isinstance(imputed, (Mapping, list)) else imputed
            if status == "ranked" and "explanation" in entry:
                row["explanation"] = "; ".join(str(n) for n in _as_list(entry["explanation"]))
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


_INCENTIVE_INPUTS = {"headcount", "salary_mad_month"}


def _jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars to Python, NaN and infinities to null."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalar or array
        return _jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------------------------
# machine formats


def to_json(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """The shortlist JSON of the contract, every zone, UTF-8 text (``top`` is ignored).

    NaN and infinities become ``null`` so that the output is strict JSON.
    """
    _read(shortlist, None, top=top, lang=lang)
    return json.dumps(_jsonable(shortlist), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defuse(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with ``'`` (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _defuse_id(value: Any) -> Any:
    """A zone id defused as :func:`_defuse` does, and one that starts with ``'`` prefixed too,
    so that the id column stays reversible: remove one leading ``'`` to get the id back.

    >>> [_defuse_id(v) for v in ["=1+1", "'=1+1", "'quoted", "ok"]]
    ["'=1+1", "''=1+1", "''quoted", 'ok']
    """
    if isinstance(value, str) and value.startswith((*_FORMULA_START, "'")):
        return "'" + value
    return value


def to_csv(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """One row per zone, ranked then excluded, every zone (``top`` is ignored).

    Columns: ``status`` (ranked/excluded), ``rank``, ``id``, ``name``, ``city`` and ``region``
    (with ``sites``), ``score``, the robustness figures (``p_first``, ``p_top3``...),
    ``value_<column>`` for each criterion and constraint column, ``contribution_<criterion>``,
    ``reasons`` (joined with ``"; "``), ``lon``/``lat`` (with ``sites``). Text that a spreadsheet
    would evaluate as a formula (starting with ``= + - @``, tab or CR) is prefixed with ``'``,
    in every column. In the ``id`` column an id that starts with ``'`` is prefixed too, so
    that ids stay exact for joins: remove one leading ``'`` from an id to get the zone's id.
    """
    view = _read(shortlist, sites, top=None, lang=lang, machine=True)
    frame = _flat_rows(view, view.ranked, with_location=True)
    if frame.empty:
        return "status,rank,id,name,score,reasons\n"
    for col in frame.columns:  # cell by cell: DataFrame.map would turn 70 into 70.0
        if frame[col].dtype == object:
            defuse = _defuse_id if col == "id" else _defuse
            frame[col] = pd.Series([defuse(v) for v in frame[col]], index=frame.index, dtype=object)
    return frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def to_geojson(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """A GeoJSON FeatureCollection (WGS84) with one feature per zone, ranked then excluded.

    The geometry is the zone's own (point or polygon) from ``sites``, which is required; the
    properties are the flat columns of :func:`to_csv` (without the formula prefix); the
    feature ``id`` is the zone id.
    """
    import geopandas as gpd

    view = _read(shortlist, sites, top=None, lang=lang, need_sites=True, machine=True)
    assert view.sites is not None
    frame = _flat_rows(view, view.ranked, with_location=True)
    if frame.empty:
        return json.dumps({"type": "FeatureCollection", "features": []}) + "\n"
    frame.index = pd.Index(frame["id"].tolist())
    geometry = gpd.GeoSeries(view.sites.geometry.loc[frame.index].values, index=frame.index,
                             crs=view.sites.crs)
    gdf = gpd.GeoDataFrame(frame.astype(object).where(frame.notna(), None), geometry=geometry)
    if gdf.crs is None:
        raise ExportError("The sites have no CRS: load them with valleys.load_sites (EPSG:4326).")
    return gdf.to_json(na="null", drop_id=False, to_wgs84=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# terminal table


def _display_width(text: str) -> int:
    """Terminal columns: East Asian wide characters take two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _align(rows: list[list[str]], right: Sequence[bool]) -> list[str]:
    widths = [max(_display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = []
        for text, width, to_right in zip(r, widths, right, strict=True):
            fill = " " * (width - _display_width(text))
            cells.append(fill + text if to_right else text + fill)
        out.append("  ".join(cells).rstrip())
    return out


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def to_table(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """A plain-text report for a terminal: the ranked zones, then the excluded ones with reasons.

    Columns: rank, zone, score, P(first) when robustness was computed, and the values of the
    (up to) three heaviest criteria. When nothing is ranked, the hint is printed. Control
    characters in any text are shown escaped (``\\u001b``), never sent to the terminal.
    """
    view = _read(shortlist, sites, top=top, lang=lang)
    L = view.label
    lines: list[str] = []
    name = view.requirements.get("name")
    lines.append(L("title") + (f"{_colon(lang)}{name}" if name else ""))
    summary = [view.method, view.normalization and f"{L('normalization')} {view.normalization}",
               L("zones_summary").format(ranked=len(view.ranked), excluded=len(view.excluded))]
    lines.append(" · ".join(s for s in summary if s))
    for warning in view.warnings:
        lines.append(f"! {warning}")
    lines.append("")

    top_criteria = sorted(view.weights, key=lambda c: -view.weights[c])[:3]
    has_rob = any(str(e["id"]) in view.robustness for e in view.shown)
    if view.shown:
        header = [L("rank"), L("zone"), L("score")] + ([L("p_first")] if has_rob else [])
        header += [_clip(column_label(c), 28) for c in top_criteria]
        rows = [header]
        for entry in view.shown:
            zid = str(entry["id"])
            row = [str(entry["rank"]), _clip(_printable(view.name(entry)), 36),
                   _fmt_number(entry["score"], lang, digits=3)]
            if has_rob:
                row.append(_fmt_pct((view.robustness.get(zid) or {}).get("p_first"), lang))
            values = entry.get("values") or {}
            row += [_fmt_number(values.get(c), lang) for c in top_criteria]
            rows.append(row)
        right = [True, False] + [True] * (len(header) - 2)
        lines += _align(rows, right)
        hidden = len(view.ranked) - len(view.shown)
        if hidden:
            lines.append(L("more_ranked").format(n=hidden, top=top))
    else:
        lines.append(L("nothing_ranked"))
        if view.hint:
            lines.append(f"{L('hint')}{_colon(lang)}{view.hint}")
    if view.excluded:
        lines.append("")
        lines.append(f"{L('excluded')} ({len(view.excluded)})")
        for entry in view.excluded:
            reasons = "; ".join(str(r) for r in entry.get("reasons") or []) or "–"
            lines.append(f"  {view.name(entry)}{_colon(lang)}{reasons}")
    return "\n".join(_printable(line) for line in lines) + "\n"


# --------------------------------------------------------------------------------------------
# xlsx


#: Excel's limit on the characters of one cell (openpyxl writes more; Excel then refuses).
XLSX_MAX_CELL_CHARS: int = 32_767


def _xlsx_text(value: Any) -> Any:
    """Text that an XLSX file can hold; anything else unchanged.

    XML 1.0 has no place for most control characters (``\x00``-``\x08``, ``\x0b``, ``\x0c``,
    ``\x0e``-``\x1f``): openpyxl refuses them with ``IllegalCharacterError``, so a zone or
    requirement name holding one would make the export fail every time. Each one is
    *replaced* with U+FFFD (the replacement character), so the reader sees that something was
    there. Text longer than Excel's :data:`XLSX_MAX_CELL_CHARS` is cut, ending with ``…``.

    >>> _xlsx_text("Acme\x01\x0bBPO"), _xlsx_text(3)
    ('Acme\ufffd\ufffdBPO', 3)
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(value) > XLSX_MAX_CELL_CHARS:
        value = value[: XLSX_MAX_CELL_CHARS - 1] + "…"
    return value


def to_xlsx(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> bytes:
    """An Excel workbook: sheets ``ranked`` (the first ``top``), ``excluded`` (all, with reasons)
    and ``assumptions`` (requirements, method, normalisation, weights, consistency ratio,
    dataset version, incentive assumptions, warnings, sources).

    Numbers are stored as numbers; text that looks like a formula is stored as text. Every
    text (cells, headers, the title) goes through :func:`_xlsx_text`: control characters
    become U+FFFD, and a cell holds at most 32,767 characters.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    view = _read(shortlist, sites, top=top, lang=lang)
    L = view.label
    wb = Workbook()
    wb.properties.title = _xlsx_text(
        f"{L('title')}: {view.requirements.get('name') or ''}".rstrip(": ")[:255])
    wb.properties.creator = "techvalley"
    bold = Font(bold=True)

    def write_sheet(ws: Any, header: list[str], rows: Iterable[Sequence[Any]], formats: dict[str, str]) -> None:
        ws.append([_xlsx_text(name) for name in header])
        for cell in ws[1]:
            cell.font = bold
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                if isinstance(value, (list, dict)):
                    value = _fmt_any(value, lang)
                elif _is_missing(value):
                    continue
                if hasattr(value, "item"):  # numpy scalar
                    value = value.item()
                value = _xlsx_text(value)
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
                elif header[c - 1] in formats:
                    cell.number_format = formats[header[c - 1]]
        for c, name in enumerate(header, start=1):
            width = max([len(str(name))] + [len(str(ws.cell(row=r, column=c).value or ""))
                                            for r in range(2, ws.max_row + 1)])
            ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "C2" if len(header) > 2 else "A2"
        if ws.max_row > 1:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{ws.max_row}"

    frame = _flat_rows(view, view.shown, with_location=True)
    rob_cols = [c for c in frame.columns if c.startswith("p_")] if not frame.empty else []
    formats = {"score": "0.000"} | {c: "0%" for c in rob_cols}
    formats |= {f"contribution_{c}": "0.000" for c in view.criteria}

    ws = wb.active
    ws.title = "ranked"
    ranked = frame[frame["status"] == "ranked"] if not frame.empty else frame
    cols = [c for c in ranked.columns if c not in ("status", "reasons")] if not ranked.empty else [
        "rank", "id", "name", "score"]
    write_sheet(ws, cols, ranked[cols].itertuples(index=False) if not ranked.empty else [], formats)
    hidden = len(view.ranked) - len(view.shown)
    if hidden:
        ws.cell(row=ws.max_row + 2, column=1,
                value=_xlsx_text(L("more_ranked").format(n=hidden, top=top)))
    if not view.ranked:
        ws.cell(row=3, column=1, value=_xlsx_text(L("nothing_ranked")))
        if view.hint:
            ws.cell(row=4, column=1, value=_xlsx_text(f"{L('hint')}: {view.hint}")).data_type = "s"

    ws = wb.create_sheet("excluded")
    excluded = frame[frame["status"] == "excluded"] if not frame.empty else frame
    cols = ["id", "name"] + [c for c in ("city", "region") if c in excluded.columns] + ["reasons"]
    cols += [c for c in excluded.columns if c.startswith("value_")] if not excluded.empty else []
    write_sheet(ws, cols, excluded[cols].itertuples(index=False) if not excluded.empty else [], {})

    ws = wb.create_sheet("assumptions")
    rows: list[tuple[str, str, Any]] = []
    for label, text in _requirement_lines(view, raw=True):
        rows.append((L("requirements"), label, text))
    rows.append((L("method"), L("method").lower(), view.method))
    rows.append((L("method"), L("normalization"), view.normalization))
    for paragraph in _method_lines(view):
        rows.append((L("method"), "", paragraph))
    for col, w in view.weights.items():
        rows.append((L("weights"), col, w))
    if view.consistency_ratio is not None:
        rows.append((L("method"), L("consistency_ratio"), view.consistency_ratio))
    for key, value in view.dataset.items():
        if key != "sources":
            rows.append((L("dataset"), str(key), value))
    shared_incentives = _shared_part(view.incentives, [str(e["id"]) for e in view.ranked + view.excluded])
    for key, value in _pairs(view.assumptions) + _pairs(shared_incentives):
        rows.append((L("assumptions"), key, value))
    for warning in view.warnings:
        rows.append((L("warnings"), "", warning))
    if view.hint:
        rows.append((L("hint"), "", view.hint))
    for what, src in _dataset_sources(view):
        rows.append((L("sources"), what, src))
    write_sheet(ws, ["section", L("item"), L("value")], rows, {})
    ws.freeze_panes = "A2"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# html


def _template_env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("matching", "templates"),
        autoescape=True,  # zone names and every text may be hostile
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _contribution_scale(entries: Iterable[Mapping[str, Any]]) -> float:
    """The largest contribution among the zones shown: bars compare across zones."""
    numeric = [abs(float(v)) for e in entries for v in (e.get("contributions") or {}).values()
               if _is_number(v) and math.isfinite(v)]
    return max(numeric) if numeric and max(numeric) > 0 else 1.0


def _zone_view(view: _View, entry: Mapping[str, Any], scale: float) -> dict[str, Any]:
    """What the HTML and PDF show for one ranked zone (bars relative to ``scale``)."""
    lang = view.lang
    zid = str(entry["id"])
    site = view.site(zid)
    values = entry.get("values") or {}
    contributions = entry.get("contributions") or {}
    imputed = entry.get("imputed") if isinstance(entry.get("imputed"), Mapping) else {}
    rows = []
    for col in view.criteria:
        contrib = contributions.get(col)
        value = _fmt_number(values.get(col), lang)
        if col in imputed:  # missing: scored as the worst observed value, and flagged
            value = f"{_fmt_number(imputed[col], lang)}*"
        share = abs(float(contrib)) / scale if _is_number(contrib) and math.isfinite(contrib) else 0.0
        rows.append({
            "column": col,
            "label": column_label(col),
            "direction": _direction(view, col),
            "weight": _fmt_pct(view.weights.get(col), lang) if col in view.weights else "–",
            "value": value,
            "contribution": _fmt_number(contrib, lang, digits=3),
            "negative": _is_number(contrib) and contrib < 0,
            "bar": round(100 * share, 1),
        })
    location = []
    for col in ("city", "region", "status", "operator"):
        if not _is_missing(site.get(col)):
            location.append((view.label(col) if col in _LABELS["en"] else col, str(site[col])))
    if _is_number(site.get("lon")) and _is_number(site.get("lat")):
        location.append((view.label("lonlat"), f"{site['lon']:.5f}, {site['lat']:.5f}"))
    for col in ("location_precision", "source"):
        if not _is_missing(site.get(col)):
            location.append((column_label(col), str(site[col])))
    rob = view.robustness.get(zid) or {}
    notes = [str(n) for key in ("explanation", "notes", "flags") for n in _as_list(entry.get(key))]
    return {
        "id": zid,
        "name": view.name(entry),
        "rank": entry.get("rank"),
        "score": _fmt_number(entry.get("score"), lang, digits=3),
        "p_first": _fmt_pct(rob.get("p_first"), lang) if "p_first" in rob else None,
        "p_top3": _fmt_pct(rob.get("p_top3"), lang) if "p_top3" in rob else None,
        "robustness": [(view.label(k) if k in ("p_first", "p_top3", "mean_rank") else k,
                        _fmt_pct(v, lang) if k.startswith("p_") else _fmt_number(v, lang, digits=2))
                       for k, v in rob.items()],
        "criteria": rows,
        "incentives": [(column_label(k), _fmt_any(v, lang, sep="\n"))
                       for k, v in _pairs(_for_zone(view.incentives, zid))],
        "leave_one_out": [(column_label(k) if k in view.criteria else k, _fmt_any(v, lang))
                          for k, v in _pairs(_loo_for_zone(view.leave_one_out, zid))],
        "location": location,
        "notes": ([view.label("worst")] if any(c in imputed for c in view.criteria) else []) + notes,
    }


def _score_bars(view: _View) -> dict[str, float]:
    scores = [float(e["score"]) for e in view.shown if math.isfinite(float(e["score"]))]
    scale = max([abs(s) for s in scores] + [0.0]) or 1.0
    if view.method == "topsis":
        scale = max(scale, 1.0)  # closeness is 0..1: draw it on that scale
    return {str(e["id"]): round(100 * max(float(e["score"]), 0.0) / scale, 1)
            if math.isfinite(float(e["score"])) else 0.0 for e in view.shown}


def _context(view: _View, top: int | None) -> dict[str, Any]:
    """Everything the HTML template and the PDF show, already formatted as text."""
    lang = view.lang
    ids = [str(e["id"]) for e in view.ranked + view.excluded]
    bars = _score_bars(view)
    scale = _contribution_scale(view.shown)
    zones = [_zone_view(view, e, scale) | {"bar": bars[str(e["id"])]} for e in view.shown]
    return {
        "lang": lang,
        "L": _LABELS[lang],
        "colon": _colon(lang),
        "name": str(view.requirements.get("name") or ""),
        "summary": " · ".join(s for s in [
            view.method, view.normalization and f"{view.label('normalization')} {view.normalization}",
            view.label("zones_summary").format(ranked=len(view.ranked), excluded=len(view.excluded)),
        ] if s),
        "requirements": _requirement_lines(view),
        "zones": zones,
        "has_robustness": any(z["p_first"] is not None or z["p_top3"] is not None for z in zones),
        "more_ranked": (view.label("more_ranked").format(n=len(view.ranked) - len(view.shown), top=top)
                        if len(view.shown) < len(view.ranked) else ""),
        "excluded": [{"id": str(e["id"]), "name": view.name(e),
                      "reasons": [str(r) for r in e.get("reasons") or []]} for e in view.excluded],
        "hint": str(view.hint) if view.hint else "",
        "warnings": view.warnings,
        "method": _method_lines(view),
        "weights": [(column_label(c), _direction(view, c), _fmt_pct(w, lang)) for c, w in view.weights.items()],
        "loo_summary": _loo_summary(view),
        "consistency_ratio": (_fmt_number(view.consistency_ratio, lang, digits=3)
                              if view.consistency_ratio is not None else ""),
        "assumptions": [(column_label(k), _fmt_any(v, lang, sep="\n")) for k, v in
                        _pairs(view.assumptions) + _pairs(_shared_part(view.incentives, ids))],
        "sources": _dataset_sources(view),
        "dataset_version": str(view.dataset.get("version") or ""),
    }


def to_html(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """A standalone, printable HTML page (no external resources, every text HTML-escaped).

    The ranked table with score bars, a section per shown zone (values, contributions as bars,
    robustness, incentives, location), the excluded zones with reasons, the method, the
    requirements and the data sources.
    """
    view = _read(shortlist, sites, top=top, lang=lang)
    template = _template_env().get_template("shortlist.html")
    return template.render(**_context(view, top))


# --------------------------------------------------------------------------------------------
# pdf


def _font_path(name: str) -> str:
    """A DejaVu TTF shipped inside matplotlib (a dependency), found without importing it."""
    spec = importlib.util.find_spec("matplotlib")  # locates the package without running it
    assert spec is not None and spec.submodule_search_locations, "matplotlib is a dependency"
    return os.path.join(spec.submodule_search_locations[0], "mpl-data", "fonts", "ttf", name)


_PDF_CREATED = datetime(2000, 1, 1, tzinfo=UTC)


def to_pdf(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> bytes:
    """A dossier to send to an investor or to management, as PDF bytes (fpdf2, DejaVu Sans).

    A cover with the requirements, the ranked table, a page per shown ranked zone (values,
    contributions as bars, robustness, incentives, location), the excluded zones with reasons,
    the method (method, normalisation, weights, AHP consistency ratio), assumptions and the data
    sources. The output is deterministic for a given shortlist (the creation date is the
    shortlist's ``created_at`` when it has one).
    """
    view = _read(shortlist, sites, top=top, lang=lang)
    ctx = _context(view, top)
    return _PdfDossier(ctx, created=_created(shortlist)).render()


def _created(shortlist: Mapping[str, Any]) -> datetime:
    value = shortlist.get("created_at")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return _PDF_CREATED


class _PdfDossier:
    """Lays out the dossier with fpdf2; all text comes pre-formatted from :func:`_context`."""

    INK = (33, 37, 41)
    MUTED = (108, 117, 125)
    ACCENT = (13, 110, 253)
    NEGATIVE = (220, 53, 69)
    RULE = (222, 226, 230)

    def __init__(self, ctx: Mapping[str, Any], *, created: datetime) -> None:
        from fpdf import FPDF

        self.ctx = ctx
        self.L = ctx["L"]
        self._widths: dict[tuple[str, float, str], float] = {}
        # one line on every page: a long name is cut (written in full on the cover)
        footer_text = _printable(f"{self.L['generated']} · {_clip(str(ctx['name'] or ''), 80)}".strip(" ·"))

        class _Doc(FPDF):
            def footer(self) -> None:
                self.set_y(-12)
                self.set_font("DejaVu", size=8)
                self.set_text_color(*_PdfDossier.MUTED)
                self.cell(0, 6, f"{footer_text} · {self.page_no()}/{{nb}}", align="C")

        pdf = _Doc(format="A4", unit="mm")
        pdf.add_font("DejaVu", "", _font_path("DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", _font_path("DejaVuSans-Bold.ttf"))
        pdf.set_font("DejaVu", size=10)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(18, 18, 18)
        pdf.set_creation_date(created)
        pdf.set_title(f"{self.L['title']}: {ctx['name']}" if ctx["name"] else self.L["title"])
        pdf.set_creator("techvalley")
        pdf.set_lang(ctx["lang"])
        self.pdf = pdf

    # building blocks ---------------------------------------------------------------------

    def heading(self, text: str, size: int = 14) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(*self.INK)
        pdf.multi_cell(0, size * 0.5, _printable(text), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
        pdf.set_font("DejaVu", size=10)

    def para(self, text: str, *, size: int = 10, muted: bool = False, style: str = "") -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*(self.MUTED if muted else self.INK))
        for line in self.wrap(text, pdf.epw):
            pdf.cell(0, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*self.INK)
        pdf.set_font("DejaVu", size=10)

    def _width(self, text: str) -> float:
        key = (self.pdf.font_style, self.pdf.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.pdf.get_string_width(text)
        return width

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines that fit ``width`` in the current font: at spaces, at
        newlines, and inside a word longer than a line. (fpdf2's multi_cell does the same
        character by character, several times slower.)"""
        lines: list[str] = []
        space = self._width(" ")
        for paragraph in text.split("\n"):
            paragraph = _printable(paragraph)
            line, line_w = "", 0.0
            for word in paragraph.split(" "):
                word_w = self._width(word)
                if line and line_w + space + word_w <= width:
                    line, line_w = f"{line} {word}", line_w + space + word_w
                    continue
                if line:
                    lines.append(line)
                while word_w > width and len(word) > 1:  # an unbroken string: cut it
                    cut, used = 0, 0.0
                    for ch in word:
                        ch_w = self._width(ch)
                        if used + ch_w > width and cut:
                            break
                        cut, used = cut + 1, used + ch_w
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_w = self._width(word)
                line, line_w = word, word_w
            lines.append(line)
        return lines

    def _cell_lines(self, text: str, width: float) -> int:
        return len(self.wrap(text, width))

    def _grid_row(self, cells: Sequence[str], widths: Sequence[float], aligns: Sequence[str],
                  *, bold: bool = False, fill: bool = False) -> float:
        """One row of a grid: every cell measured once, then drawn; returns its height."""
        pdf = self.pdf
        pdf.set_font("DejaVu", "B" if bold else "", 9)
        pad, line_h = 1.0, 4.6
        wrapped = [self.wrap(text, w - 2 * pad) for text, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped) * line_h + 2 * pad
        y, x = pdf.get_y(), pdf.l_margin
        if fill:
            pdf.set_fill_color(241, 243, 245)
            pdf.rect(x, y, sum(widths), height, style="F")
        for lines, w, align in zip(wrapped, widths, aligns, strict=True):
            for i, line in enumerate(lines):
                if line:
                    pdf.set_xy(x + pad, y + pad + i * line_h)
                    pdf.cell(w - 2 * pad, line_h, line, align=align)
            x += w
        pdf.set_draw_color(*self.RULE)
        pdf.line(pdf.l_margin, y + height, pdf.l_margin + sum(widths), y + height)
        pdf.set_xy(pdf.l_margin, y + height)
        return height

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]], widths: Sequence[float],
              aligns: Sequence[str] | None = None) -> None:
        """A grid with horizontal rules; the header row repeats after a page break."""
        pdf = self.pdf
        total = sum(widths)
        col_widths = [pdf.epw * w / total for w in widths]
        align = [a[0].upper() for a in (aligns or ["LEFT"] * len(widths))]
        if header is not None:
            if pdf.will_page_break(14):
                pdf.add_page()
            self._grid_row([str(h) for h in header], col_widths, align, bold=True, fill=True)
        for row in rows:
            cells = [str(c) for c in row]
            pdf.set_font("DejaVu", size=9)
            needed = max(self._cell_lines(t, w - 2) for t, w in zip(cells, col_widths, strict=True))
            if pdf.will_page_break(needed * 4.6 + 2):
                pdf.add_page()
                if header is not None:
                    self._grid_row([str(h) for h in header], col_widths, align, bold=True, fill=True)
            self._grid_row(cells, col_widths, align)
        pdf.set_font("DejaVu", size=10)
        pdf.ln(3)

    def pairs(self, pairs: Sequence[tuple[str, str]]) -> None:
        if pairs and not any(k for k, _ in pairs):  # a plain list: bullets
            for _, value in pairs:
                self.para(f"• {value}", size=9)
            self.pdf.ln(2)
        elif pairs:
            self.table(None, [(k, v) for k, v in pairs], (1, 2))

    def bar_rows(self, zone: Mapping[str, Any]) -> None:
        """The criteria table of a zone with contributions drawn as bars."""
        pdf = self.pdf
        cols = (0.34, 0.12, 0.16, 0.14, 0.24)
        widths = [pdf.epw * c for c in cols]
        header = [self.L["criterion"], self.L["weight"], self.L["value"], self.L["contribution"], ""]
        aligns = ["L", "R", "R", "R", "L"]
        self._grid_row(header, widths, aligns, bold=True, fill=True)
        for row in zone["criteria"]:
            label = row["label"] + (f" ({row['direction']})" if row["direction"] else "")
            pdf.set_font("DejaVu", size=9)
            if pdf.will_page_break(self._cell_lines(label, widths[0] - 2) * 4.6 + 2):
                pdf.add_page()
            y = pdf.get_y()
            self._grid_row([label, row["weight"], row["value"], row["contribution"], ""], widths, aligns)
            if row["bar"] > 0:
                pdf.set_fill_color(*(self.NEGATIVE if row["negative"] else self.ACCENT))
                pdf.rect(pdf.l_margin + sum(widths[:4]) + 2, y + 1.6,
                         (widths[4] - 4) * row["bar"] / 100, 3, style="F")
        pdf.ln(3)

    # the document ------------------------------------------------------------------------

    def render(self) -> bytes:
        ctx, L, pdf = self.ctx, self.L, self.pdf
        pdf.alias_nb_pages()

        # cover: requirements and summary
        pdf.add_page()
        pdf.start_section(L["requirements"])
        self.heading(f"{L['title']}: {ctx['name']}" if ctx["name"] else L["title"], size=20)
        self.para(ctx["summary"], muted=True)
        if ctx["dataset_version"]:
            self.para(f"{L['dataset']} {L['version']} {ctx['dataset_version']}", muted=True)
        pdf.ln(4)
        self.heading(L["requirements"])
        self.pairs(ctx["requirements"] or [(L["none"], "")])
        if ctx["warnings"]:
            self.heading(L["warnings"], size=12)
            for w in ctx["warnings"]:
                self.para(f"• {w}")
            pdf.ln(2)

        # ranked table
        pdf.add_page()
        pdf.start_section(L["ranked"])
        self.heading(L["ranked"])
        if ctx["zones"]:
            header = [L["rank"], L["zone"], L["score"]]
            widths = [0.1, 0.5, 0.14]
            if ctx["has_robustness"]:
                header += [L["p_first"], L["p_top3"]]
                widths += [0.13, 0.13]
            rows = []
            for z in ctx["zones"]:
                row = [str(z["rank"]), z["name"], z["score"]]
                if ctx["has_robustness"]:
                    row += [z["p_first"] or "–", z["p_top3"] or "–"]
                rows.append(row)
            aligns = ["RIGHT", "LEFT"] + ["RIGHT"] * (len(header) - 2)
            self.table(header, rows, widths, aligns)
            if ctx["more_ranked"]:
                self.para(ctx["more_ranked"], muted=True)
            if ctx["has_robustness"]:
                self.para(f"{L['robustness']}{ctx['colon']}{L['robustness_text']}", size=9, muted=True)
                pdf.ln(2)
            if ctx["loo_summary"]:
                self.heading(L["leave_one_out"], size=12)
                self.table([L["criterion"], L["loo_first"], L["loo_change"]], ctx["loo_summary"],
                           (0.45, 0.35, 0.2), ["LEFT", "LEFT", "RIGHT"])
        else:
            self.para(L["nothing_ranked"], style="B")
            if ctx["hint"]:
                self.para(f"{L['hint']}{ctx['colon']}{ctx['hint']}")
        if ctx["excluded"] and ctx["zones"]:
            pdf.ln(2)
            self.para(f"{L['excluded']}{ctx['colon']}{len(ctx['excluded'])}", muted=True)

        # a page per ranked zone
        for z in ctx["zones"]:
            pdf.add_page()
            pdf.start_section(f"{z['rank']}. {z['name']}", level=1)
            self.heading(f"{z['rank']}. {z['name']}", size=16)
            line = f"{L['score']} {z['score']}"
            if z["p_first"] is not None:
                line += f" · {L['p_first']} {z['p_first']}"
            if z["p_top3"] is not None:
                line += f" · {L['p_top3']} {z['p_top3']}"
            self.para(line, muted=True)
            pdf.ln(2)
            self.heading(L["explanation"], size=12)
            self.bar_rows(z)
            for note in z["notes"]:
                self.para(f"• {note}", size=9, muted=True)
            pdf.ln(3 if z["notes"] else 0)
            if z["robustness"]:
                self.heading(L["robustness"], size=12)
                self.para(L["robustness_text"], size=9, muted=True)
                self.pairs(z["robustness"])
            if z["leave_one_out"]:
                self.heading(L["leave_one_out"], size=12)
                self.pairs(z["leave_one_out"])
            if z["incentives"]:
                self.heading(L["incentives"], size=12)
                self.pairs(z["incentives"])
            if z["location"]:
                self.heading(L["location"], size=12)
                self.pairs(z["location"])

        # excluded: on the ranked page when nothing is ranked
        if ctx["zones"]:
            pdf.add_page()
        else:
            pdf.ln(6)
        pdf.start_section(L["excluded"])
        self.heading(f"{L['excluded']} ({len(ctx['excluded'])})")
        if ctx["excluded"]:
            self.table([L["zone"], L["reasons"]],
                       [(e["name"], "\n".join(e["reasons"]) or "–") for e in ctx["excluded"]], (0.35, 0.65))
        else:
            self.para(L["none"], muted=True)

        # method, assumptions, sources
        pdf.add_page()
        pdf.start_section(L["method"])
        self.heading(L["method"])
        for paragraph in ctx["method"]:
            self.para(paragraph)
            pdf.ln(1)
        if ctx["weights"]:
            self.heading(L["weights"], size=12)
            self.table([L["criterion"], L["direction"], L["weight"]], ctx["weights"], (0.55, 0.25, 0.2),
                       ["LEFT", "LEFT", "RIGHT"])
        if ctx["assumptions"]:
            self.heading(L["assumptions"], size=12)
            self.pairs(ctx["assumptions"])
        self.heading(L["sources"], size=12)
        self.pairs(ctx["sources"] or [(L["none"], "")])
        return bytes(pdf.output())


# --------------------------------------------------------------------------------------------
# dispatch

_RENDERERS: dict[str, Callable[..., str | bytes]] = {
    "table": to_table, "json": to_json, "csv": to_csv, "xlsx": to_xlsx,
    "geojson": to_geojson, "html": to_html, "pdf": to_pdf,
}


def export(shortlist: dict, fmt: str, sites: Any = None, *, top: int | None = None,
           lang: str = "en") -> str | bytes:
    """Render ``shortlist`` in format ``fmt`` (one of :data:`FORMATS`).

    >>> export({"ranked": [], "excluded": []}, "yaml")
    Traceback (most recent call last):
    ...
    matching.export.ExportError: Unknown export format 'yaml': use one of table, json, csv, xlsx, geojson, html, pdf.
    """
    if fmt not in _RENDERERS:
        raise ExportError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return _RENDERERS[fmt](shortlist, sites, top=top, lang=lang)
