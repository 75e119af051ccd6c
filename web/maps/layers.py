"""The layers a map draws: regions, the communes' talent choropleth, the dataset's point layers
and the base layers; the heavy ones (regions, communes) prepared once per table (:func:`prepare`).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.map import Layer

from valleys.fact_values import measured_layer
from web.maps import geometry  # looked up at call time: a test counts the simplifications
from web.maps.elements import _EmptyBase, _GeoJsonLayer
from web.maps.escaping import _e
from web.maps.labels import _labels, _layer_label
from web.maps.settings import (
    AREA_TOLERANCE_M,
    COMMUNE_DECIMALS,
    COMMUNE_TOLERANCE_M,
    DECIMALS,
    POINT_DECIMALS,
    POINT_LAYER_COLORS,
    REGION_TOLERANCE_M,
    TALENT_COLORS,
    TALENT_INDICATORS,
    UNSCHEDULED_AIRPORT_COLOR,
)
from web.maps.values import _layer_names

if TYPE_CHECKING:  # the territory's Dataset: layers, communes, regions, point_layers
    from valleys.dataset import Dataset


class _PreparedCache:
    """Layers prepared once per layer table (simplified, packed), not once per page.

    Keyed by the table's identity and checked through a weak reference, so a table that is
    gone (or a new one at the same address) is never served another's data.
    """

    def __init__(self, size: int = 16) -> None:
        self._items: OrderedDict[tuple, tuple[weakref.ref, Any]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, table: Any, key: tuple, build: Callable[[], Any]) -> Any:
        full_key = (id(table), *key)
        with self._lock:
            hit = self._items.get(full_key)
            if hit is not None and hit[0]() is table:
                self._items.move_to_end(full_key)
                return hit[1]
            value = build()
            try:
                ref = weakref.ref(table)
            except TypeError:  # not weak-referenceable: do not cache
                return value
            self._items[full_key] = (ref, value)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_PREPARED = _PreparedCache()


def _regions_layer(dataset: Any, labels: Mapping[str, str]) -> _GeoJsonLayer | None:
    regions = getattr(dataset, "regions", None)
    if regions is None or len(regions) == 0:
        return None

    def build() -> str:
        geoms = geometry._simplified(regions.geometry, REGION_TOLERANCE_M, coverage=True)
        props = [{"n": n} for n in _layer_names(regions, "")]
        return geometry._packed_features(geoms, props, decimals=DECIMALS)

    return _GeoJsonLayer(
        _PREPARED.get(regions, ("regions", REGION_TOLERANCE_M, DECIMALS), build),
        kind="regions",
        name=labels["regions"],
        style={"color": "#666666", "weight": 1.2, "fillOpacity": 0},
    )


def _talent_values(communes: gpd.GeoDataFrame) -> list[tuple[dict, pd.Series]]:
    """(indicator, values) for each talent indicator the communes can give."""
    out = []
    for indicator in TALENT_INDICATORS:
        if indicator["column"] in communes.columns:
            values = pd.to_numeric(communes[indicator["column"]], errors="coerce")
        elif all(c in communes.columns for c in indicator.get("from_counts", ("?",))):
            numerator, denominator = (
                pd.to_numeric(communes[c], errors="coerce") for c in indicator["from_counts"]
            )
            values = 100.0 * numerator / denominator.where(denominator > 0)
        else:
            continue
        values = values.astype("float64")
        values = values.where(np.isfinite(values))
        if values.notna().any():
            out.append((indicator, values))
    return out


def _class_breaks(values: pd.Series, n_classes: int, digits: int) -> list[float]:
    """Quantile class breaks (upper bounds of every class but the last), distinct."""
    finite = values.dropna().to_numpy(dtype=float)
    if finite.size == 0:
        return []
    qs = np.quantile(finite, np.linspace(0, 1, n_classes + 1)[1:-1])
    breaks: list[float] = []
    for q in qs:
        q = float(np.round(q, digits))
        if not breaks or q > breaks[-1]:
            breaks.append(q)
    return breaks


def _prepare_communes(communes: gpd.GeoDataFrame) -> tuple[str, list[dict]] | None:
    """The packed commune layer (one copy, every indicator's value on each commune) and the
    indicators it carries (without labels)."""
    talent = _talent_values(communes)
    if not talent:
        return None
    indicators = []
    columns = []
    for indicator, values in talent:
        digits = indicator["digits"]
        breaks = _class_breaks(values, len(TALENT_COLORS), digits)
        indicators.append(
            {
                "key": indicator["key"],
                "unit": indicator["unit"],
                "digits": digits,
                "breaks": breaks,
                "colors": TALENT_COLORS[: len(breaks) + 1],
                "min": float(np.round(values.min(), digits)),
                "max": float(np.round(values.max(), digits)),
            }
        )
        columns.append(values.round(digits).to_numpy(dtype=float))
    value_rows = np.column_stack(columns)
    digits = [i["digits"] for i in indicators]
    names = _layer_names(communes, "")
    props = [
        {
            "n": name,
            "v": [
                None if math.isnan(v) else (int(v) if d == 0 else float(v))
                for v, d in zip(row, digits, strict=True)
            ],
        }
        for name, row in zip(names, value_rows, strict=True)
    ]
    geoms = geometry._simplified(communes.geometry, COMMUNE_TOLERANCE_M, coverage=True)
    return geometry._packed_features(geoms, props, decimals=COMMUNE_DECIMALS), indicators


def _communes_layer(
    dataset: Any, labels: Mapping[str, str]
) -> tuple[_GeoJsonLayer | None, list[dict]]:
    communes = getattr(dataset, "communes", None)
    if communes is None or len(communes) == 0:
        return None, []
    prepared = _PREPARED.get(
        communes,
        ("communes", COMMUNE_TOLERANCE_M, COMMUNE_DECIMALS),
        lambda: _prepare_communes(communes),
    )
    if prepared is None:
        return None, []
    data_json, indicators = prepared
    layer = _GeoJsonLayer(
        data_json,
        kind="communes",
        name=labels["communes"],
        style={"color": "#7a7a7a", "weight": 0.4, "fillOpacity": 0.6},
    )
    return layer, [{**ind, "label": labels[ind["key"]]} for ind in indicators]


def prepare(dataset: Dataset) -> None:
    """Prepare the dataset's heavy layers (communes, regions) now, e.g. when the app starts,
    so that the first page does not wait for their simplification (seconds on Morocco)."""
    labels = _labels("en")
    _regions_layer(dataset, labels)
    _communes_layer(dataset, labels)


def _point_layers(
    dataset: Any, labels: Mapping[str, str], *, show: bool
) -> dict[str, _GeoJsonLayer]:
    out: dict[str, _GeoJsonLayer] = {}
    point_layers = getattr(dataset, "point_layers", None) or {}
    for i, (layer_name, gdf) in enumerate(sorted(point_layers.items())):
        if gdf is None or len(gdf) == 0:
            continue
        label = _layer_label(layer_name, labels)
        color = POINT_LAYER_COLORS[i % len(POINT_LAYER_COLORS)]
        names = _layer_names(gdf, label)
        geoms = gdf.geometry
        if not all(gt == "Point" for gt in geoms.geom_type.dropna()):
            geoms = geometry._simplified(geoms, AREA_TOLERANCE_M * 10, coverage=False)
        props = [{"tooltip": f"{_e(name)} <small>({_e(label)})</small>"} for name in names]
        if layer_name == "airports":
            _mark_unscheduled(gdf, props, labels)
        out[layer_name] = _GeoJsonLayer(
            geometry._features(geoms, props, decimals=POINT_DECIMALS),
            kind="points",
            name=label,
            show=show,
            radius=4,
            style={"color": "#ffffff", "weight": 1, "fillColor": color, "fillOpacity": 0.9},
            legend_item={"color": color, "label": label, "shape": "circle"},
        )
    return out


def _mark_unscheduled(
    airports: gpd.GeoDataFrame, props: list[dict], labels: Mapping[str, str]
) -> None:
    """Airports that ``airports_km`` does not count (an air base, a field without scheduled
    flights) stay on the map, smaller and grey, and their tooltip says why."""
    counted = measured_layer("airports", airports).index
    for prop, index, civil in zip(props, airports.index, _column_or_none(airports, "civil"),
                                  strict=True):
        if index in counted:
            continue
        military = str(civil).strip().lower() in ("false", "0")
        why = labels["military_airport" if military else "unscheduled_airport"]
        prop.update(color=UNSCHEDULED_AIRPORT_COLOR, radius=3)
        prop["tooltip"] = prop["tooltip"].replace(")</small>", f"; {_e(why)})</small>")


def _column_or_none(frame: pd.DataFrame, column: str) -> list[Any]:
    return frame[column].tolist() if column in frame.columns else [None] * len(frame)


def _base_layers(
    m: folium.Map, labels: Mapping[str, str], *, tiles: str | None
) -> dict[str, Layer]:
    """Tiles when online, and an offline base (the regions drawn as land) to fall back to."""
    out: dict[str, Layer] = {}
    if tiles:
        out["tiles"] = folium.TileLayer(
            tiles, name=labels["tiles"], overlay=False, control=True, show=True
        )
        out["tiles"].add_to(m)
    out["offline"] = _EmptyBase(name=labels["offline"], show=not tiles).add_to(m)
    return out
