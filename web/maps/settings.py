"""The maps' settings: palettes, talent indicators, simplification tolerances, default view."""

from __future__ import annotations

from typing import Any

from valleys.features import SHARE_DEFINITIONS

#: Colour of each zone status (``status`` column of ``zones``); any other value is "other".
STATUS_COLORS: dict[str, str] = {
    "operating": "#1a9641",
    "under_development": "#fdae61",
    "planned": "#2b83ba",
    "uncertain": "#9e9e9e",
}
OTHER_STATUS_COLOR = "#9c27b0"
UNKNOWN_STATUS_COLOR = "#555555"

#: Talent indicators of the choropleth: key, the commune column, how to compute it from counts
#: when the column is absent (numerator, denominator), digits shown and unit suffix.
TALENT_INDICATORS: tuple[dict[str, Any], ...] = (
    {"key": "labour_active", "column": "labour_active", "digits": 0, "unit": ""},
    *(
        {
            "key": key,
            "column": key,
            "from_counts": SHARE_DEFINITIONS[key],
            "digits": 1,
            "unit": " %",
        }
        for key in ("french_literate_pct", "english_literate_pct", "higher_education_pct")
    ),
)
TALENT_COLORS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]  # ColorBrewer YlGnBu
SCORE_COLORS = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]  # ColorBrewer RdYlGn
EXCLUDED_COLOR = "#9e9e9e"
POINT_LAYER_COLORS = ["#6a3d9a", "#e31a1c", "#ff7f00", "#b15928", "#1f78b4", "#33a02c"]

#: Simplification tolerance (metres, in the metric CRS of the conventions) and decimals kept.
COMMUNE_TOLERANCE_M = 400.0
REGION_TOLERANCE_M = 1000.0
AREA_TOLERANCE_M = 10.0
DECIMALS = 4  # 4 decimals of a degree: about 11 m, far below the simplification
POINT_DECIMALS = 5

#: Morocco, for a map with nothing to fit.
DEFAULT_BOUNDS = [[27.6, -13.2], [35.95, -0.95]]
