"""French and English: locale choice, the message catalogue, number and date formats.

The catalogue is kept as text (``web/translations/<lang>/LC_MESSAGES/messages.po``) and compiled
to ``.mo`` with babel's Python API when the app starts (into the instance folder), so no system
tool is needed and no binary file is committed.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matching.phrases import translated
from web.settings import LANGUAGES

SOURCE_DIR = Path(__file__).parent / "translations"


def select_locale() -> str:
    """``?lang=xx`` (remembered in the session), else the session, else the browser, else en."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        if not request.path.startswith("/api/"):
            session["lang"] = asked
        return asked
    remembered = session.get("lang") if not request.path.startswith("/api/") else None
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def compile_translations(target_dir: str | Path) -> Path:
    """Compile every ``.po`` under :data:`SOURCE_DIR` to ``.mo`` under ``target_dir``.

    A ``.mo`` newer than its ``.po`` is kept. Returns ``target_dir``.
    """
    target_dir = Path(target_dir)
    for po_path in SOURCE_DIR.glob("*/LC_MESSAGES/*.po"):
        mo_path = target_dir / po_path.relative_to(SOURCE_DIR).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp_path = mo_path.with_suffix(f".mo.tmp{id(catalog)}")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)  # atomic: two apps starting at once both see a whole file
    return target_dir


def format_number(value: Any, digits: int = 2) -> str:
    """A number in the current locale (``1,234.5`` / ``1 234,5``), ``–`` when missing."""
    if value is None or isinstance(value, bool):
        return "–" if value is None else str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "–"
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(number, format=pattern)


def format_percent_share(value: Any) -> str:
    """A 0..1 share as a percentage in the current locale (``71 %`` in French)."""
    if value is None:
        return "–"
    return format_number(float(value) * 100, 0) + ("\u202f%" if str(get_locale()) == "fr" else "%")


def format_when(value: datetime | None) -> str:
    """A date and time in the current locale, in ``Africa/Casablanca``."""
    if value is None:
        return "–"
    return format_datetime(value, "medium")


def format_value(value: Any) -> str:
    """Any fact: numbers through :func:`format_number`, the rest as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return "–" if value is None else str(value)


#: labels of the columns a shipped dataset has; any other column shows its own name
COLUMN_LABELS: dict[str, Any] = {
    "id": _l("Id"),
    "name": _l("Name"),
    "city": _l("City"),
    "commune": _l("Commune"),
    "commune_code": _l("Commune code"),
    "region": _l("Region"),
    "operator": _l("Operator"),
    "status": _l("Status"),
    "opened": _l("Opened"),
    "activities": _l("Activities"),
    "area_ha": _l("Area (ha)"),
    "office_floor_m2": _l("Office floor (m²)"),
    "available_m2": _l("Available floor (m²)"),
    "rent_mad_m2_month": _l("Rent (MAD/m²/month)"),
    "rent_note": _l("About the rent"),
    "shared_services": _l("Shared services"),
    "incentive_zone_class": _l("Incentive zone class"),
    "location_precision": _l("Location precision"),
    "notes": _l("Notes"),
    "source": _l("Sources"),
    "source_citations": _l("Source references"),
    "incentive_ir_cap_pct": _l("Income-tax cap (%)"),
    "incentive_mad_per_job": _l("Incentives per job (MAD)"),
    "incentive_mad_total": _l("Incentives in total (MAD)"),
    "zones_km": _l("Nearest existing zone (km)"),
    "airports_km": _l("Nearest airport (km)"),
    "rail_stations_km": _l("Nearest rail station (km)"),
    "universities_km": _l("Nearest university (km)"),
    "catchment_population": _l("Population within the catchment"),
    "catchment_population_10_plus": _l("Population aged 10 and over within the catchment"),
    "catchment_population_15_plus": _l("Population aged 15 and over within the catchment"),
    "catchment_labour_active": _l("Labour force within the catchment"),
    "catchment_labour_employed": _l("Employed within the catchment"),
    "catchment_labour_unemployed": _l("Unemployed within the catchment"),
    "catchment_unemployment_pct": _l("Unemployment rate (%)"),
    "catchment_french_literate": _l("French literate within the catchment"),
    "catchment_french_literate_pct": _l("French literacy (%)"),
    "catchment_english_literate": _l("English literate within the catchment"),
    "catchment_english_literate_pct": _l("English literacy (%)"),
    "catchment_higher_education": _l("Higher education graduates within the catchment"),
    "catchment_higher_education_pct": _l("Higher education (%)"),
}


def column_label(column: str) -> str:
    """A readable, translated label for a column."""
    label = COLUMN_LABELS.get(column)
    return str(label) if label is not None else column.replace("_", " ")


#: a zone's known statuses and their labels: literal msgids only, never the data itself (a
#: msgid taken from the data would come back from ``_()`` marked safe: stored XSS)
ZONE_STATUS_LABELS: dict[str, Any] = {
    "operating": _l("operating"),
    "under_development": _l("under development"),
    "planned": _l("planned"),
    "uncertain": _l("uncertain"),
}

_CSS_WORD = re.compile(r"[a-z0-9-]+")


def _status_key(value: Any) -> str:
    return str(value).strip().lower().replace(" ", "_") if value is not None else ""


def status_label(value: Any) -> str:
    """A zone's status for a page: translated when known, else the value as plain text (which
    the template escapes).

    >>> status_label("<img src=x onerror=alert(1)>")
    '<img src=x onerror=alert(1)>'
    """
    if value is None:
        return ""
    label = ZONE_STATUS_LABELS.get(_status_key(value))
    return str(value) if label is None else str(label)


def status_class(value: Any) -> str:
    """The CSS class suffix of a zone's status: letters, digits and ``-`` only, else ``other``.

    >>> status_class("under_development"), status_class('x" onmouseover="alert(1)')
    ('under-development', 'other')
    """
    key = _status_key(value).replace("_", "-")
    return key if _CSS_WORD.fullmatch(key) else "other"


def engine_texts(texts: Any) -> list[tuple[str, str]]:
    """The engine's sentences (explanations, reasons, hint) in the page's language where
    :mod:`matching.phrases` knows them, each with the language it is in."""
    return translated(texts or [], str(get_locale()))


def init_app(app: Flask) -> None:
    """Register the template filters and globals of this module."""
    app.jinja_env.filters.update(
        num=format_number,
        share=format_percent_share,
        when=format_when,
        value=format_value,
        label=column_label,
        engine=engine_texts,
        status_label=status_label,
        status_class=status_class,
    )
    app.jinja_env.globals.update(languages=LANGUAGES, current_locale=lambda: str(get_locale()))


__all__ = [
    "_",
    "_l",
    "compile_translations",
    "init_app",
    "select_locale",
    "status_class",
    "status_label",
]
