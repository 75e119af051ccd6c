"""Reading the zones' table: missing values, numbers and their formats, names, statuses."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from matching.i18n import format_number, value_label
from web.maps.errors import MapError
from web.maps.labels import _locale
from web.maps.settings import OTHER_STATUS_COLOR, STATUS_COLORS, UNKNOWN_STATUS_COLOR


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any) -> float | None:
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _fmt(value: float, lang: str, *, digits: int = 0) -> str:
    return format_number(value, _locale(lang), digits=digits)


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _zone_names(sites: pd.DataFrame) -> pd.Series:
    names = _column(sites, "name")
    return pd.Series(
        [str(sid) if _missing(n) else str(n) for sid, n in zip(sites.index, names, strict=True)],
        index=sites.index,
    )


def _layer_names(gdf: gpd.GeoDataFrame, default: str) -> list[str]:
    names = _column(gdf, "name")
    return [
        (f"{default} {i + 1}" if default else "") if _missing(n) else str(n)
        for i, n in enumerate(names)
    ]


def _status_key(value: Any) -> str:
    if _missing(value):
        return "unknown"
    text = str(value).strip()
    return text if text in STATUS_COLORS else "other"


def _status_color(value: Any) -> str:
    key = _status_key(value)
    if key == "unknown":
        return UNKNOWN_STATUS_COLOR
    return STATUS_COLORS.get(key, OTHER_STATUS_COLOR)


def _status_label(value: Any, labels: Mapping[str, str]) -> str:
    key = _status_key(value)
    if key == "unknown":
        return labels["unknown_status"]
    if key == "other":  # the catalogue's word, or the value made readable (never raw)
        return value_label("status", str(value), labels.get("lang", "en"))
    return labels[key]


def _sites_frame(sites: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(sites, pd.DataFrame):
        raise MapError(
            f"the map needs the zones' features as a table (valleys.site_features), "
            f"not {type(sites).__name__}"
        )
    sites = sites.copy()
    sites.index = sites.index.map(str)
    return sites
