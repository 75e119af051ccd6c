"""The one-page printable profile of one zone (``/zones/<id>.pdf``): its status, key figures
beside a map with its catchment, its facts and its sources in full. Laid out by the dossier's
:class:`~matching.export.pdf_format._PdfDossier`."""

from __future__ import annotations

import math
from typing import Any

from matching.export.figures import MapPoint, draw_map, regions_of
from matching.export.pdf_format import _PDF_CREATED, _PdfDossier
from matching.export.report import report_context
from matching.export.text import fmt_number, is_missing, is_number
from matching.export.view import ExportError, check_options, read_shortlist


def zone_profile_pdf(zone_id: str, sites: Any, *, lang: str = "en") -> bytes:
    """A one-page printable profile of one zone: its status, key figures, a map with its
    catchment, its facts and its sources in full.

    Raises
    ------
    ExportError
        When ``zone_id`` is not a zone of ``sites``.
    """
    check_options(None, lang)
    if sites is None or zone_id not in sites.index:
        raise ExportError(f"no zone with id {zone_id!r} in this dataset")
    entry = {"id": zone_id, "name": sites.loc[zone_id].get("name"), "rank": 1, "score": 0.0}
    view = read_shortlist({"ranked": [entry], "excluded": [], "weights": {}}, sites, top=None, lang=lang)
    ctx = dict(report_context(view, None))
    zone = ctx["zones"][0]
    ctx["name"] = zone["name"]
    others = [MapPoint("", float(r["lon"]), float(r["lat"]), ranked=False)
              for i, r in sites.iterrows() if i != zone_id and _finite(r.get("lon")) and _finite(r.get("lat"))]
    point = MapPoint("", zone["lon"], zone["lat"])
    png = draw_map([point, *others], regions_of(sites, None), focus=point, radius_km=ctx["catchment_km"],
                   size_in=(3.4, 3.0))
    doc = _PdfDossier(ctx, created=_PDF_CREATED, maps={zone_id: png} if png else {})
    return doc.render_profile(zone, facts=_zone_facts(view, zone_id))


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


#: the facts of a zone's profile, after its key figures
PROFILE_FACTS = ("operator", "opened", "activities", "area_ha", "office_floor_m2", "available_m2",
                 "rent_mad_m2_month", "incentive_zone_class", "location_precision")


def _zone_facts(view: Any, zone_id: str) -> list[tuple[str, str]]:
    site = view.site(zone_id)
    out = []
    for col in PROFILE_FACTS:
        value = site.get(col)
        if is_missing(value) or value == "":
            continue
        if is_number(value):
            text = fmt_number(value, view.lang)
        elif col in ("incentive_zone_class", "location_precision", "status"):
            text = view.value(col, value)
        elif col == "activities":
            text = ", ".join(str(value).split(";"))
        else:
            text = str(value)
        out.append((view.column(col), text))
    return out
