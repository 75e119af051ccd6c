"""The maps' settings: palettes, talent indicators, simplification tolerances, default view."""

from __future__ import annotations

from typing import Any

from valleys.features import SHARE_DEFINITIONS

#: Colour of each zone status (``status`` column of ``zones``); any other value is "other".
STATUS_COLORS: dict[str, str] = {  # Okabe-Ito: told apart with any colour vision
    "operating": "#009E73",
    "under_development": "#E69F00",
    "planned": "#0072B2",
    "uncertain": "#999999",
}
OTHER_STATUS_COLOR = "#CC79A7"
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
#: the talent layer shown first: a share (comparable between communes), not a raw count
DEFAULT_TALENT_INDICATOR = "french_literate_pct"
TALENT_COLORS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]  # ColorBrewer YlGnBu
#: viridis (sequential, colour-blind safe, light = best); never red to green
SCORE_COLORS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
EXCLUDED_COLOR = "#9e9e9e"
#: infrastructure: dark, muted tones (Paul Tol) that the status colours do not use
POINT_LAYER_COLORS = ["#332288", "#882255", "#AA4499", "#661100", "#6699CC", "#DDCC77"]
#: An airport without scheduled flights (an air base): on the map, not in ``airports_km``.
UNSCHEDULED_AIRPORT_COLOR = "#888888"

#: Simplification tolerance (metres, in the metric CRS of the conventions) and decimals kept.
#: communes at 1 km and 3 decimals (~110 m): the home page stays under its 250 KB budget
COMMUNE_TOLERANCE_M = 1000.0
COMMUNE_DECIMALS = 3
REGION_TOLERANCE_M = 1000.0
AREA_TOLERANCE_M = 10.0
DECIMALS = 4  # 4 decimals of a degree: about 11 m, far below the simplification
POINT_DECIMALS = 5

#: Morocco, for a map with nothing to fit.
DEFAULT_BOUNDS = [[27.6, -13.2], [35.95, -0.95]]
