"""The words on the maps: msgids of the shared catalogue (``matching/locale``, domain
``techvalley``), given in the map's language by :mod:`matching.i18n`; the zones' statuses are
the catalogue's words for the ``status`` column (:func:`matching.i18n.value_label`)."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from matching.i18n import gettext, language, unit_label, value_label

#: the statuses the maps colour (web.maps.settings.STATUS_COLORS); each labelled by the catalogue
STATUSES = ("operating", "under_development", "planned", "uncertain")


def _labels(lang: str) -> dict[str, str]:
    """Every map word in ``lang`` (any other language: English), the statuses' too."""
    return dict(_words(_locale(lang)))


@functools.cache
def _words(lang: str) -> dict[str, str]:
    # literal msgids only (pybabel extracts them; tests/web/test_csp.py checks no data is one)
    words = {
        "zones": gettext("Zones", lang),
        "status": gettext("Zone status", lang),
        "unknown_status": gettext("Status unknown", lang),
        "city": gettext("City", lang),
        "region": gettext("Region", lang),
        "operator": gettext("Operator", lang),
        "office_floor_m2": gettext("Office floor", lang),
        "available_m2": gettext("Available", lang),
        "rent_mad_m2_month": gettext("Rent", lang),
        "airports_km": gettext("Airport", lang),
        "catchment_labour_active": gettext("Labour force within reach", lang),
        "zone_page": gettext("Zone page", lang),
        "communes": gettext("Talent (communes)", lang),
        "talent": gettext("Talent indicator", lang),
        "labour_active": gettext("Labour force", lang),
        "french_literate_pct": gettext("French literacy", lang),
        "english_literate_pct": gettext("English literacy", lang),
        "higher_education_pct": gettext("Higher education", lang),
        "regions": gettext("Regions", lang),
        "tiles": gettext("OpenStreetMap", lang),
        "offline": gettext("Offline (regions only)", lang),
        "search": gettext("Search a zone", lang),
        "no_zone": gettext("No zone found", lang),
        "fullscreen": gettext("Full screen", lang),
        "legend": gettext("Legend", lang),
        "missing": gettext("no data", lang),
        "airports": gettext("Airports", lang),
        "military_airport": gettext("military air base, no scheduled flights", lang),
        "unscheduled_airport": gettext("no scheduled flights", lang),
        "rail_stations": gettext("Rail stations", lang),
        "universities": gettext("Universities", lang),
        "nearest": gettext("Nearest infrastructure", lang),
        "area": gettext("Zone outline", lang),
        "this_zone": gettext("This zone", lang),
        "score": gettext("Score", lang),
        "rank": gettext("Rank", lang),
        "ranked": gettext("Ranked zones", lang),
        "excluded": gettext("Excluded", lang),
        "not_on_map": gettext("not in the current dataset, not on the map", lang),
        "p_first": gettext("Ranked first in draws", lang),
        "reasons": gettext("Reasons", lang),
        # picking zones to compare on the map (web.maps.popups, techvalley-map.js)
        "compare_add": gettext("Add to comparison", lang),
        "compare_remove": gettext("Remove from comparison", lang),
        "compare_picked": gettext("Picked for comparison", lang),
        "compare_open": gettext("Compare", lang),
        # the planners' suitability map (web.suitability)
        "suitability": gettext("Suitability", lang),
        "suitability_cells": gettext("Suitability (best score per cell)", lang),
        "candidate_areas": gettext("Candidate areas", lang),
        "candidate_area": gettext("candidate area", lang),
    }
    for status in STATUSES:
        word = value_label("status", status, lang)
        words[status] = word[:1].upper() + word[1:]
    words["per_month"] = unit_label("MAD/m²/month", lang)
    words["lang"] = lang
    return words


def _locale(lang: str) -> str:
    return language((lang or "en")[:2].lower())


def _ui_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: labels[k] for k in ("search", "no_zone", "fullscreen", "missing", "talent", "legend",
                                       "compare_add", "compare_remove", "compare_picked", "compare_open")}


def _layer_label(layer: str, labels: Mapping[str, str]) -> str:
    """A point layer's name: the map's word for a shipped one, else its name made readable."""
    if layer in labels:
        return labels[layer]
    return layer.replace("_", " ").capitalize()
