"""Reading and checking a shortlist before any format renders it (the thin validating layer).

:func:`read_shortlist` turns the shortlist JSON (and optionally its sites) into a :class:`View`
that every renderer shares, or raises :class:`ExportError` naming every malformed part.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from matching import i18n
from matching.export.labels import LABELS, LANGS
from matching.export.text import colon, is_missing, is_number
from matching.messages import Message, from_text
from valleys.errors import TechValleyError


class ExportError(TechValleyError):
    """A shortlist, its sites or an export option cannot be rendered (names what and where)."""



@dataclass
class View:
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
    #: the shortlist's top-level messages by their English text
    said: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def label(self, key: str, **params: Any) -> str:
        """The export's word ``key`` (:data:`~matching.export.labels.LABELS`) in its language."""
        return i18n.gettext(LABELS[key], self.lang, **params)

    def labels(self) -> dict[str, str]:
        """Every word of :data:`~matching.export.labels.LABELS` in the export's language (the
        templates' ``L``); the ones with slots as their msgid."""
        return {key: i18n.gettext(msgid, self.lang) for key, msgid in LABELS.items()}

    def column(self, column: str) -> str:
        """A column's label in the export's language."""
        return i18n.column_label(str(column), self.lang)

    def value(self, column: str, value: Any) -> str:
        """A cell's value in the export's language (enumerations by their word)."""
        return i18n.value_label(str(column), value, self.lang)

    def field(self, key: str, value: Any) -> str:
        """A value of the shortlist's extras (incentives, assumptions) as text: numbers the
        language's way, yes/no, enumerations by their word, the engine's sentences rendered."""
        lang = self.lang
        if isinstance(value, Mapping):
            return "; ".join(f"{self.column(str(k))}{colon(lang)}{self.field(str(k), v)}"
                             for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return "\n".join(self.field(key, v) for v in value)
        if is_missing(value):
            return "–"
        if isinstance(value, bool) or key in i18n.VALUE_LABELS:
            return self.value(key, value)
        if is_number(value):
            if key.endswith("_pct"):
                return i18n.format_percent(value, lang)
            return i18n.format_number(value, lang)
        return say(str(value), lang, self.said)

    def name(self, entry: Mapping[str, Any]) -> str:
        """A zone's name: the shortlist's, else the sites', else its id."""
        name = entry.get("name")
        if is_missing(name) or name == "":
            name = self.site(str(entry["id"])).get("name")
        return str(entry["id"]) if is_missing(name) or name == "" else str(name)

    def site(self, zone_id: str) -> Mapping[str, Any]:
        if self.sites is None or zone_id not in self.sites.index:
            return {}
        return self.sites.loc[zone_id].to_dict()


def check_options(top: int | None, lang: str) -> None:
    if lang not in LANGS:
        raise ExportError(f"Unknown export language {lang!r}: use one of {', '.join(LANGS)}.")
    if top is not None and (isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1):
        raise ExportError(f"--top must be a whole number of at least 1, not {top!r}.")


def read_shortlist(
    shortlist: Any, sites: Any, *, top: int | None, lang: str, need_sites: bool = False,
    machine: bool = False,
) -> View:
    check_options(top, lang)
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
                    if not is_number(entry.get(num)):
                        problems.append(f"{where} (zone {zid!r}) has no numeric '{num}'")
            elif not isinstance(entry.get("reasons", []), list):
                problems.append(f"{where} (zone {zid!r}) has 'reasons' that is not a list")
    if problems:
        raise ExportError("The shortlist cannot be exported: its zones are malformed.", details=problems)

    # the engine's sentences rendered from their messages in the reader's language; machine
    # formats keep the contract's English text
    said = {} if machine else said_at_top(shortlist)
    if machine:
        ranked, excluded = list(shortlist["ranked"]), list(shortlist["excluded"])
    else:
        ranked = [in_language(entry, "explanation", lang) for entry in shortlist["ranked"]]
        excluded = [in_language(entry, "reasons", lang) for entry in shortlist["excluded"]]
    requirements = shortlist.get("requirements") or {}
    if not isinstance(requirements, Mapping):
        requirements = {}
    weights_in = shortlist.get("weights") or {}
    weights = {str(k): float(v) for k, v in weights_in.items() if is_number(v)} if isinstance(
        weights_in, Mapping
    ) else {}

    criteria = list(weights)
    for entry in ranked:  # criteria that carry values but no weight still get their column
        for col in list(entry.get("values") or {}) + list(entry.get("contributions") or {}):
            if col not in criteria:
                criteria.append(col)
    # the criteria and constraints as applied (presets filled in) when the engine gives them
    applied_criteria = mappings(shortlist.get("criteria")) or mappings(requirements.get("criteria"))
    applied_constraints = (mappings(shortlist.get("constraints"))
                           or mappings(requirements.get("constraints")))
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

    site_table = index_sites(sites, seen, need_sites=need_sites)
    dataset: dict[str, Any] = {}
    if site_table is not None:  # valleys may record the dataset on the sites
        attrs = getattr(site_table, "attrs", {})
        dataset.update({k: attrs[k] for k in ("path", "version", "sources") if attrs.get(k)})
        if isinstance(attrs.get("dataset"), Mapping):
            dataset.update(attrs["dataset"])
    if isinstance(shortlist.get("dataset"), Mapping):
        dataset.update({k: v for k, v in shortlist["dataset"].items() if v not in (None, "")})

    cr = shortlist.get("consistency_ratio")
    view = View(
        raw=shortlist,
        requirements=requirements,
        method=str(shortlist.get("method") or requirements.get("method") or ""),
        normalization=str(shortlist.get("normalization") or requirements.get("normalization") or ""),
        weights=weights,
        consistency_ratio=float(cr) if is_number(cr) else None,
        ranked=ranked,
        excluded=excluded,
        robustness=shortlist.get("robustness") or {},
        criteria=criteria,
        applied_criteria=applied_criteria,
        applied_constraints=applied_constraints,
        directions=directions,
        constraint_columns=constraint_columns,
        hint=(sentences_in(str(shortlist["hint"]), lang, said, machine=machine)
              if shortlist.get("hint") else None),
        warnings=sentences_in([str(w) for w in (shortlist.get("warnings") or [])], lang, said,
                              machine=machine),
        incentives=shortlist.get("incentives"),
        leave_one_out=shortlist.get("leave_one_out"),
        assumptions=sentences_in(shortlist.get("assumptions"), lang, said, machine=machine),
        dataset=dataset,
        sites=site_table,
        lang=lang,
        said=said,
    )
    view.shown = ranked if top is None else ranked[:top]
    return view


def said_at_top(shortlist: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The shortlist's top-level messages (warnings, hint, assumptions, incentive notes) by
    their English text."""
    messages = shortlist.get("messages")
    if not isinstance(messages, list):
        return {}
    return {str(m["text"]): m for m in messages if isinstance(m, Mapping) and "text" in m}


def say(text: str, lang: str, said: Mapping[str, Mapping[str, Any]]) -> str:
    """One English sentence of the engine in ``lang``: rendered from its message (the
    shortlist's, else the one a template recognises in the text: a shortlist saved before it
    carried messages); any other text as it is."""
    message: Mapping[str, Any] | Message | None = said.get(text)
    if message is None:
        message = from_text(text)
    return text if message is None else i18n.render(message, lang)


def sentences_in(value: Any, lang: str, said: Mapping[str, Mapping[str, Any]] | None = None,
                 *, machine: bool = False) -> Any:
    """``value`` (the hint, warnings, assumptions) with the engine's sentences rendered in
    ``lang``; a machine format keeps the English text."""
    if machine:
        return value
    if isinstance(value, str):
        return say(value, lang, said or {})
    if isinstance(value, list):
        return [sentences_in(item, lang, said) for item in value]
    if isinstance(value, Mapping):
        return {key: sentences_in(item, lang, said) for key, item in value.items()}
    return value


def in_language(entry: Mapping[str, Any], key: str, lang: str) -> Mapping[str, Any]:
    """``entry`` (a zone) with its sentences under ``key`` rendered in ``lang`` from its
    ``messages`` (from its English text when it has none, or not one per sentence); its other
    text, the zone's name included, as it is."""
    texts = entry.get(key)
    if not isinstance(texts, list):
        return entry
    messages = entry.get("messages")
    if isinstance(messages, list) and len(messages) == len(texts) and all(
            isinstance(m, Mapping) for m in messages):
        return {**entry, key: [i18n.render(m, lang) for m in messages]}
    return {**entry, key: [say(str(t), lang, {}) for t in texts]}


def index_sites(sites: Any, zone_ids: Mapping[str, str], *, need_sites: bool) -> pd.DataFrame | None:
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


def mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []
