"""One vocabulary in English and French: the catalogue, column and value labels, numbers.

The words of the engine, the exports and the web pages live in one gettext catalogue,
``matching/locale/<lang>/LC_MESSAGES/techvalley.po`` (domain ``techvalley``). English is the
msgid itself; code marks a catalogue string with :func:`N_` (a no-op ``pybabel extract`` looks
for). The catalogue is compiled in memory with babel when first used, so no ``.mo`` is committed
and no system tool is needed.

Every function is pure: ``lang`` is ``"en"`` or ``"fr"`` (any other language reads English).

Examples
--------
>>> render({"code": "constraint.failed", "params": {"column": "rent_mad_m2_month",
...         "value": 1140.0, "unit": "MAD/m²/month", "op": "<=", "limit": 120.5}}, "fr")
'Loyer 1\\u202f140 MAD/m²/mois ≤ 120,5'
>>> column_label("airports_km", "fr"), value_label("status", "under_development", "fr")
('Aéroport le plus proche (km)', 'en développement')

One module because it is the one vocabulary: the catalogue, the label tables of every column,
unit and enumeration, and the number and date formats that fill a message's slots are read
together whenever a message is rendered; several tables is what issue 10 removed.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date as _babel_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_scientific

from matching.messages import KEYS, Message
from matching.phrases import FIXED, N_, PHRASES, slots_of
from matching.units import NAMED_UNITS, SUFFIX_UNITS, unit_of

__all__ = [
    "CODES_AND_TEMPLATES", "COLUMN_LABELS", "DOMAIN", "LANGUAGES", "LOCALE_DIR", "N_",
    "VALUE_LABELS", "catalogue_msgids", "column_label", "constraint_text", "format_date", "format_km",
    "format_money_mad", "format_number", "format_percent", "gettext", "language", "render",
    "translations", "unit_label", "value_label",
]

#: the languages the catalogue speaks; the first is the msgids' own
LANGUAGES = ("en", "fr")
DOMAIN = "techvalley"
LOCALE_DIR = Path(__file__).parent / "locale"

#: every message code with its English template (python-format slots)
CODES_AND_TEMPLATES: dict[str, str] = {code: PHRASES[key] for code, key in KEYS.items()}

#: the label of every column a shipped dataset, the suitability grid or a shortlist has
COLUMN_LABELS: dict[str, str] = {
    "id": N_("Id"),
    "name": N_("Name"),
    "city": N_("City"),
    "commune": N_("Commune"),
    "commune_code": N_("Commune code"),
    "region": N_("Region"),
    "operator": N_("Operator"),
    "status": N_("Status"),
    "opened": N_("Opened"),
    "activities": N_("Activities"),
    "area_ha": N_("Area (ha)"),
    "office_floor_m2": N_("Office floor (m²)"),
    "available_m2": N_("Available floor (m²)"),
    "rent_mad_m2_month": N_("Rent (MAD/m²/month)"),
    "rent_note": N_("About the rent"),
    "shared_services": N_("Shared services"),
    "incentive_zone_class": N_("Incentive zone class"),
    "location_precision": N_("Location precision"),
    "location_note": N_("How the location was found"),
    # kept by staff in the inventory (web/inventory.py, valleys/overlay.py)
    "operator_contact": N_("Operator contact"),
    "geometry": N_("Location"),
    "status_as_of": N_("Status as of"),
    "rent_mad_m2_month_as_of": N_("Rent as of"),
    "available_m2_as_of": N_("Available floor as of"),
    "civil": N_("Civil airport"),
    "scheduled": N_("Scheduled flights"),
    "notes": N_("Notes"),
    "source": N_("Sources"),
    "source_citations": N_("Source references"),
    "lon": N_("Longitude"),
    "lat": N_("Latitude"),
    "incentive_ir_cap_pct": N_("Income-tax cap (%)"),
    "incentive_mad_per_job": N_("Incentives per job (MAD)"),
    "incentive_mad_total": N_("Incentives in total (MAD)"),
    "zones_km": N_("Nearest existing zone (km)"),
    "airports_km": N_("Nearest airport (km)"),
    "rail_stations_km": N_("Nearest rail station (km)"),
    "universities_km": N_("Nearest university (km)"),
    "catchment_population": N_("Population within the catchment"),
    "catchment_population_10_plus": N_("Population aged 10 and over within the catchment"),
    "catchment_population_15_plus": N_("Population aged 15 and over within the catchment"),
    "catchment_labour_active": N_("Labour force within the catchment"),
    "catchment_labour_employed": N_("Employed within the catchment"),
    "catchment_labour_unemployed": N_("Unemployed within the catchment"),
    "catchment_unemployment_pct": N_("Unemployment rate (%)"),
    "catchment_french_literate": N_("French literate within the catchment"),
    "catchment_french_literate_pct": N_("French literacy (%)"),
    "catchment_english_literate": N_("English literate within the catchment"),
    "catchment_english_literate_pct": N_("English literacy (%)"),
    "catchment_higher_education": N_("Higher education graduates within the catchment"),
    "catchment_higher_education_pct": N_("Higher education (%)"),
    # a shortlist's incentive estimate, per zone
    "eligible": N_("Eligible to the offer"),
    "headcount": N_("Headcount"),
    "salary_mad_month": N_("Gross salary (MAD/month)"),
    "floor_area_m2": N_("Floor area (m²)"),
    "zone_class": N_("Incentive zone class"),
    "income_tax_cap_pct": N_("Income-tax cap (%)"),
    "training_grant_mad": N_("Training grant (MAD)"),
    "employment_grant_mad": N_("Employment grant (MAD)"),
    "income_tax_topup_mad_year": N_("Income-tax top-up (MAD/year)"),
    "income_tax_topup_mad": N_("Income-tax top-up (MAD)"),
    "total_mad": N_("Incentives in total (MAD)"),
    "corporate_tax": N_("Corporate tax (IS)"),
    "rules_version": N_("Rules version"),
    "assumptions": N_("Assumptions"),
    # the suitability grid's and the shortlist's own columns
    "h3": N_("H3 cell"),
    "score": N_("Score"),
    "rank": N_("Rank"),
    "area": N_("Area"),
    "area_km2": N_("Area (km²)"),
    "cells": N_("Cells"),
    "best_cell": N_("Best cell"),
    "mean_score": N_("Mean score"),
    "province": N_("Province"),
    "nearest_zone": N_("Nearest zone"),
    "p_first": N_("P(first)"),
    "p_top3": N_("P(top 3)"),
    "mean_rank": N_("Mean rank"),
}

_STATUS = {
    "operating": N_("operating"),
    "under_development": N_("under development"),
    "planned": N_("planned"),
    "uncertain": N_("uncertain"),
}
_ZONE_CLASS = {
    "p2i_primary": N_("primary P2I zone"),
    "p2i_secondary": N_("secondary P2I zone"),
    "no_p2i_region": N_("region without a P2I"),
    "other": N_("outside the offer's zone classes"),
}
#: the words of the enumerations a page or an export shows, by the column (or the requirement
#: field) that holds them
VALUE_LABELS: dict[str, dict[str, str]] = {
    "status": _STATUS,
    "incentive_zone_class": _ZONE_CLASS,
    "zone_class": _ZONE_CLASS,
    "location_precision": {"site": N_("published park marker"),
                           "address": N_("pinned from an address or a landmark"),
                           "commune": N_("commune centre")},
    # an airport that airports_km does not count (civil false): the map's word for it
    "airport": {"military": N_("military air base, no scheduled flights")},
    "direction": {"benefit": N_("benefit"), "cost": N_("cost")},
    "missing": {"exclude": N_("exclude the zone"),
                "worst": N_("score as the worst observed value"),
                "ignore": N_("keep the zone")},
    "method": {"topsis": N_("TOPSIS"), "weighted_sum": N_("weighted sum")},
    # the dataset's layers (its sources)
    "layer": {"zones": N_("zones"), "airports": N_("airports"),
              "rail_stations": N_("rail stations"), "universities": N_("universities"),
              "communes": N_("communes"), "regions": N_("regions")},
    "normalization": {"vector": N_("vector"), "minmax": N_("min-max"), "sum": N_("sum"),
                      "none": N_("none (raw values)"),
                      "values": N_("value functions (0 to 1 per criterion)")},
    # a criterion's value function (matching/values.py)
    "value": {"linear": N_("linear"), "log": N_("logarithmic"), "threshold": N_("threshold"),
              "none": N_("none (already 0 to 1)")},
}
#: the offer's activities: acronyms in both languages
ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")
_BOOLEANS = {True: N_("yes"), False: N_("no")}

#: units with words; the others (km, m², ha, MAD, %) are the same in every language
UNIT_LABELS: dict[str, str] = {
    "MAD/m²/month": N_("MAD/m²/month"),
    "MAD/month": N_("MAD/month"),
    "MAD/year": N_("MAD/year"),
    "MAD/job": N_("MAD/job"),
    "months": N_("months"),
    "count": N_("count"),
}
#: a comparison's operator, written as a typographic symbol
OPERATORS = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "<": "<", ">": ">"}
_CONSTRAINT_IN = N_("%(column)s is one of %(values)s")
_CONSTRAINT_NOT_IN = N_("%(column)s is none of %(values)s")
_MISSING = "–"


def language(lang: object) -> str:
    """``lang`` if the catalogue speaks it, else ``"en"``.

    >>> language("fr"), language("de"), language(None)
    ('fr', 'en', 'en')
    """
    return lang if isinstance(lang, str) and lang in LANGUAGES else LANGUAGES[0]


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue of ``lang``, compiled in memory from its ``.po`` once per process."""
    lang = language(lang)
    path = _po_path(lang)
    if lang == LANGUAGES[0] or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries left out, as msgfmt does
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def catalogue_msgids(lang: str) -> set[str]:
    """The msgids the ``.po`` of ``lang`` translates (non-empty, not fuzzy): for tests."""
    with _po_path(language(lang)).open("rb") as po_file:
        catalog = read_po(po_file, locale=lang, domain=DOMAIN)
    return {str(m.id) for m in catalog if m.id and m.string and not m.fuzzy}


def gettext(msgid: str, lang: str, **params: Any) -> str:
    """``msgid`` in ``lang``, its ``%(name)s`` slots filled from ``params``.

    >>> gettext("Ranked zones", "fr"), gettext("%(n)s more", "en", n=3)
    ('Zones classées', '3 more')
    """
    text = translations(lang).gettext(msgid)
    return text % params if params else text


# -- numbers and dates -------------------------------------------------------------------------

def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def format_number(value: Any, lang: str, *, digits: int | None = None,
                  fixed: bool = False) -> str:
    """A number the way ``lang`` writes it; at most ``digits`` decimals (by default: none for
    a whole number, two otherwise, three significant ones below 0.01), exactly ``digits`` with
    ``fixed``; ``–`` when missing.

    >>> format_number(1759609, "fr"), format_number(18.684, "en"), format_number(0.004, "fr")
    ('1\\u202f759\\u202f609', '18.68', '0,004')
    >>> format_number(2e200, "en")
    '2E200'
    """
    if value is None or not _is_number(value):
        return _MISSING if value is None else str(value)
    number = float(value)
    if math.isnan(number):
        return _MISSING
    if digits is None:
        if number == math.floor(number):
            digits = 0
        elif abs(number) < 0.01:
            digits = max(2, 2 - math.floor(math.log10(abs(number))))
        else:
            digits = 2
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if abs(number) >= 1e15:  # beyond what babel's Decimal context rounds; nobody reads 16 digits
        return format_scientific(number, format="0.###E0", locale=language(lang))
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * digits if digits > 0 else "")
    return format_decimal(number, format=pattern, locale=language(lang))


def format_percent(value_0_100: Any, lang: str, *, digits: int = 1) -> str:
    """A percentage (given from 0 to 100): ``12.5%`` / ``12,5 %``.

    >>> format_percent(12.5, "en"), format_percent(20, "fr")
    ('12.5%', '20\\u202f%')
    """
    text = format_number(value_0_100, lang, digits=digits)
    if text == _MISSING:
        return text
    return text + ("\u202f%" if language(lang) == "fr" else "%")


def format_km(value: Any, lang: str) -> str:
    """A distance: ``18.7 km`` / ``18,7 km``.

    >>> format_km(18.684, "fr")
    '18,7 km'
    """
    text = format_number(value, lang, digits=1)
    return text if text == _MISSING else f"{text} km"


def format_money_mad(value: Any, lang: str) -> str:
    """An amount in dirhams, rounded: ``1,234,567 MAD`` / ``1 234 567 MAD``.

    >>> format_money_mad(1234567.4, "en")
    '1,234,567 MAD'
    """
    text = format_number(value, lang, digits=0)
    return text if text == _MISSING else f"{text} MAD"


def format_date(value: date | str, lang: str) -> str:
    """A date in words (an ISO string is read as a date; other text is returned as it is).

    >>> format_date("2030-12-31", "fr"), format_date("2030-12-31", "en")
    ('31 décembre 2030', 'December 31, 2030')
    """
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value.date() if isinstance(value, datetime) else value
    return _babel_date(day, format="long", locale=language(lang))


# -- words ---------------------------------------------------------------------------------------

def unit_label(unit: str, lang: str) -> str:
    """A unit in ``lang``.

    >>> unit_label("MAD/m²/month", "fr"), unit_label("km", "fr")
    ('MAD/m²/mois', 'km')
    """
    msgid = UNIT_LABELS.get(unit)
    return unit if msgid is None else gettext(msgid, lang)


def _humanised(column: str, lang: str) -> str:
    unit = NAMED_UNITS.get(column, "")
    stem = column
    if not unit:
        for suffix, suffix_unit in (*SUFFIX_UNITS, ("_pct", "%")):
            if column.endswith(suffix) and len(column) > len(suffix):
                stem = column[: -len(suffix)]
                unit = suffix_unit or ("count" if suffix == "_count" else "")
                break
    if stem.startswith("catchment_") and len(stem) > len("catchment_"):
        stem = stem[len("catchment_"):]
    text = stem.replace("_", " ").strip()
    return f"{text} ({unit_label(unit, lang)})" if unit else text


def column_label(column: str, lang: str) -> str:
    """The label of a column: from the catalogue for every shipped column, else its name made
    readable, with the unit its suffix carries.

    >>> column_label("rent_mad_m2_month", "en")
    'Rent (MAD/m²/month)'
    >>> column_label("catchment_call_centres_count", "en")
    'call centres (count)'
    >>> column_label("office_rent_mad_m2_month", "fr")
    'office rent (MAD/m²/mois)'
    """
    msgid = COLUMN_LABELS.get(column)
    return gettext(msgid, lang) if msgid is not None else _humanised(str(column), lang)


def bare_label(column: str, lang: str) -> str:
    """A column's label without its unit, for a place where the value shows the unit.

    >>> bare_label("airports_km", "fr"), bare_label("catchment_french_literate_pct", "en")
    ('Aéroport le plus proche', 'French literacy')
    """
    label = column_label(column, lang)
    unit = unit_of(str(column))
    suffix = f" ({unit_label(unit, lang)})" if unit else ""
    return label[: -len(suffix)] if suffix and label.endswith(suffix) else label


def _humanised_value(value: str) -> str:
    return value.replace("_", " ")


def value_label(column: str, value: Any, lang: str) -> str:
    """A cell's value in ``lang``: an enumeration's word, ``yes``/``no``, a number written the
    language's way, a list joined; any other text made readable (underscores to spaces).

    >>> value_label("incentive_zone_class", "p2i_primary", "fr")
    'zone P2I principale'
    >>> value_label("missing", "exclude", "en"), value_label("flag", True, "fr")
    ('exclude the zone', 'oui')
    >>> value_label("activities", "ITO;CRM", "fr")
    'ITO et CRM'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return gettext(_BOOLEANS[bool(value)], lang)
    if _is_number(value):
        return format_number(value, lang)
    if isinstance(value, (list, tuple)):
        return join([value_label(column, v, lang) for v in value], lang)
    text = str(value)
    if column in ("activities", "activity") and ";" in text:
        return join([t.strip() for t in text.split(";") if t.strip()], lang)
    words = VALUE_LABELS.get(column, {})
    key = text.strip()
    msgid = words.get(key) or words.get(key.lower().replace(" ", "_"))
    if msgid is not None:
        return gettext(msgid, lang)
    if text.lower() in ("true", "false"):
        return gettext(_BOOLEANS[text.lower() == "true"], lang)
    return _humanised_value(text)


def join(words: Iterable[str], lang: str, *, style: str = "standard") -> str:
    """Words joined the language's way; ``style="or"`` for alternatives.

    >>> join(["CRM", "BPO", "KPO"], "fr", style="or")
    'CRM, BPO ou KPO'
    """
    items = [str(w) for w in words]
    if not items:
        return _MISSING
    return format_list(items, style=style, locale=language(lang))  # type: ignore[arg-type]


# -- messages -------------------------------------------------------------------------------

# an English number with thousands commas and/or a decimal point (a saved sentence's slot)
_EN_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])")
_TEXT_UNITS = sorted(UNIT_LABELS, key=len, reverse=True)


def _text_slot(column: str, text: str, lang: str) -> str:
    """A slot of a sentence saved as text only: its numbers, units and enum values in ``lang``."""
    bare = text.strip().strip("'\"")
    if column in VALUE_LABELS and bare in VALUE_LABELS[column]:
        return value_label(column, bare, lang)
    if lang == LANGUAGES[0]:
        return text

    def number(match: re.Match[str]) -> str:
        return format_number(float(match.group(1).replace(",", "")), lang)

    out = _EN_NUMBER.sub(number, text)
    for unit in _TEXT_UNITS:
        if unit in out and unit not in ("count",):
            out = re.sub(rf"(?<![\w/]){re.escape(unit)}(?![\w/])", unit_label(unit, lang), out)
    return out


def _value(column: str, value: Any, unit: str, lang: str) -> str:
    if _is_number(value):
        text = format_number(value, lang)
        if unit == "%":
            return text + ("\u202f%" if language(lang) == "fr" else "%")
        return f"{text} {unit_label(unit, lang)}" if unit else text
    if isinstance(value, str):
        if column in VALUE_LABELS or value in ("true", "false"):
            return value_label(column, value, lang)
        return _text_slot(column, value, lang)
    return value_label(column, value, lang)


def _listed(column: str, value: Any, lang: str, style: str) -> str:
    if isinstance(value, (list, tuple)):
        return join([_value(column, v, "", lang) for v in value], lang, style=style)
    return _text_slot(column, str(value), lang)


def constraint_text(value: Any, lang: str) -> str:
    """A constraint ``{"column", "op", "value"}`` in words: its column's label, the operator as
    a symbol, the limit in the language (enumerations by their word).

    >>> constraint_text({"column": "status", "op": "in", "value": ["operating", "planned"]}, "fr")
    'Statut parmi en activité ou prévue'
    """
    if not isinstance(value, Mapping):
        return _text_slot("", str(value), lang)
    column, op, limit = str(value.get("column", "")), value.get("op"), value.get("value")
    label = column_label(column, lang)
    if op in ("in", "not in"):
        limits = limit if isinstance(limit, list) else [limit]
        return gettext(_CONSTRAINT_IN if op == "in" else _CONSTRAINT_NOT_IN, lang,
                       column=label, values=_listed(column, limits, lang, "or"))
    return f"{label} {OPERATORS.get(str(op), op)} {_value(column, limit, '', lang)}"


def _slot(name: str, params: Mapping[str, Any], lang: str) -> str:
    value = params[name]
    column = str(params.get("column", ""))
    if name == "column" or name.endswith("_column"):
        label = column_label(str(value), lang)
        unit = str(params.get("unit", "")) or unit_of(str(value))
        suffix = f" ({unit_label(unit, lang)})"
        shown = params.get("value")
        carries_unit = bool(params.get("unit")) or (isinstance(shown, str) and shown.endswith(unit))
        if unit and "value" in params and carries_unit and label.endswith(suffix):
            return label[: -len(suffix)]  # the value that follows carries the unit
        return label
    if name == "columns":
        names = value if isinstance(value, list) else str(value).split(", ")
        return join([column_label(str(c), lang) for c in names], lang)
    if name == "op":
        return OPERATORS.get(str(value), str(value))
    if name in ("value", "floor", "target"):  # floor, target: a threshold's ends
        return _value(column, value, str(params.get("unit", "")), lang)
    if name == "limit":
        if isinstance(value, list):
            return _listed(column, value, lang, "or")
        return _value(column, value, "", lang)
    if name in ("values", "alternatives"):
        return _listed(column, value, lang, "or")
    if name in ("items", "hits"):
        return _listed(column, value, lang, "standard")
    if name == "constraint":
        return constraint_text(value, lang)
    if name in ("name", "version", "seed"):  # identifiers: as they are
        return str(value)
    if name == "as_of":  # a dated fact shows its year (messages.py writes it so)
        return str(value)[:4]
    if not _is_number(value):
        if name == "activity":
            return value_label("activity", value, lang)
        if name == "zone_class":
            return value_label("zone_class", value, lang)
        if name in ("since", "until") and isinstance(value, (str, date)):
            return format_date(value, lang)
        return _text_slot(column, str(value), lang)
    if name == "area":
        return f"{format_number(value, lang, digits=0)} m²"
    if name in ("rate", "cap"):
        return format_percent(float(value) * 100, lang, digits=1)
    if name.endswith("_rate"):  # a share (0.0448): as a percentage, up to two decimals
        return format_percent(float(value) * 100, lang, digits=2)
    if name in ("ratio", "score", "zone_score"):  # scores: three decimals (parcels, issue 14)
        return format_number(value, lang, digits=3)
    if name == "weight":  # a sensitivity bound, quoted with as many decimals as it needs
        return format_number(value, lang, digits=6)
    if name in ("salary", "size", "ceiling", "threshold", "expenses_cap"):
        return format_number(value, lang, digits=0)
    if name == "seed":
        return str(value)
    return format_number(value, lang)


def render(message: Mapping[str, Any] | Message, lang: str) -> str:
    """A message ``{"code", "params", "text"}`` in ``lang``: its code's template from the
    catalogue, each parameter written for the language (columns by their label, numbers with
    their unit, enumerations by their word, lists joined). A code the catalogue does not know,
    or parameters its template cannot take, give the message's own text.

    >>> render({"code": "value.missing", "params": {"column": "airports_km"}}, "fr")
    'Aéroport le plus proche (km) : valeur manquante'
    >>> render({"code": "somebody.else", "params": {}, "text": "as it is"}, "fr")
    'as it is'
    """
    if isinstance(message, Message):
        code, params, text = message
    else:
        code = str(message.get("code", ""))
        params = message.get("params") or {}
        text = str(message.get("text", ""))
    key = KEYS.get(code)
    if key is None or not isinstance(params, Mapping):
        return text
    values = {**FIXED.get(key, {}), **params}
    try:
        slots = {name: _slot(name, values, lang) for name in slots_of(PHRASES[key])}
        return translations(lang).gettext(PHRASES[key]) % slots
    except (KeyError, ValueError, TypeError):
        return text
