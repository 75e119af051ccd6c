"""A zone's profile: its key figures, its catchment against the country, its sources and its
status warning (the zone page and its one-page PDF).

Pure functions of the zone's row and the dataset; the words come from :mod:`web.i18n` (the page's
language).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from matching.export.sections import KEY_CATCHMENT, KEY_DISTANCES, cited_source, split_citations
from valleys.features import SHARE_DEFINITIONS

#: the shares the catchment chart sets against the country
COMPARED = ("french_literate_pct", "english_literate_pct", "higher_education_pct", "unemployment_pct")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def catchment_km() -> float:
    from valleys.settings import CATCHMENT_RADIUS_KM

    return float(CATCHMENT_RADIUS_KM)


def key_figures(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cards of a zone: ``column`` and ``value`` (a number) for the distances to the nearest
    civil airport, station and university, then the catchment's labour force, graduates and
    literacy. A figure the dataset lacks is left out."""
    out = []
    for column in (*KEY_DISTANCES, *KEY_CATCHMENT):
        value = _number(row.get(column))
        if value is not None:
            out.append({"column": column, "value": value, "km": column.endswith("_km"),
                        "share": column.endswith("_pct"), "catchment": column.startswith("catchment_")})
    return out


_NATIONAL: dict[int, tuple[Any, dict[str, float]]] = {}


def _national(communes: Any) -> dict[str, float]:
    cached = _NATIONAL.get(id(communes))
    if cached is not None and cached[0] is communes:  # the same frame, not a reused id
        return cached[1]
    out: dict[str, float] = {}
    for share, (num, den) in SHARE_DEFINITIONS.items():
        if num in communes.columns and den in communes.columns:
            both = communes[[num, den]].astype(float).dropna()
            total = float(both[den].sum())
            if total > 0:
                out[share] = 100 * float(both[num].sum()) / total
    _NATIONAL.clear()  # one dataset at a time
    _NATIONAL[id(communes)] = (communes, out)
    return out


def national_shares(dataset: Any) -> dict[str, float]:
    """The country's shares (0-100) from the communes' counts, as the catchments' are made."""
    communes = getattr(dataset, "communes", None)
    if communes is None or not len(communes):
        return {}
    return _national(communes)


def versus_rows(row: Mapping[str, Any], national: Mapping[str, float]) -> list[tuple[str, float, float]]:
    """(share, the catchment's, the country's) for the shares both have."""
    out = []
    for share in COMPARED:
        here = _number(row.get(f"catchment_{share}"))
        if here is not None and share in national:
            out.append((share, here, national[share]))
    return out


def versus_chart(row: Mapping[str, Any], dataset: Any) -> Markup:
    """The catchment's shares against the country's, as SVG in the page's language."""
    from matching import i18n as vocabulary
    from web import charts
    from web.i18n import _, bare_label, colon, format_number, page_lang

    rows = [(bare_label(f"catchment_{s}"), a, b)
            for s, a, b in versus_rows(row, national_shares(dataset))]
    km = format_number(catchment_km(), 0)
    return charts.versus_chart(
        rows, here=_("within %(km)s km", km=km), country=_("Morocco"),
        percent=lambda x: vocabulary.format_percent(x, page_lang()),
        title=_("The catchment (%(km)s km) against the whole country", km=km), colon=colon())


def sources(row: Mapping[str, Any]) -> list[dict[str, str | None]]:
    """The zone's sources: ``key``, ``title``, ``publisher``, ``date``, ``url`` (when it is a web
    address) and ``title_from`` (``address`` when the title was read from the web address)."""
    texts = split_citations(row.get("source_citations"))
    keys = str(row.get("source") or "").split()
    return [cited_source(k, texts.get(k, ""))._asdict() for k in keys]


def status_warning(status: Any) -> str:
    """The warning of a zone not (all) built, in the page's language; ``""`` when operating."""
    from web.i18n import _

    if status == "planned":
        return _("Planned: none built yet. Its figures are announcements.")
    if status == "under_development":
        return _("Under development: not all of it is built yet.")
    if status == "uncertain":
        return _("Status uncertain: check with the operator before a visit.")
    return ""
