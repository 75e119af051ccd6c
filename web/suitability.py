"""The suitability map for planners: the national grid's scores and the best candidate areas.

:func:`suitability_map` builds an inline map (:class:`web.maps.MapParts`, as the other map
builders) from a :class:`matching.suitability.SuitabilityResult`: the grid's scores aggregated
to coarse H3 cells (the best score of the cells in each, at the finest resolution that keeps at
most ``max_cells`` of them, so the page stays within its size budget whatever the grid's
resolution), and the candidate areas' outlines with their rank, place and score. It reuses the
builders and the escaping of :mod:`web.maps` (names reach the page HTML-escaped, JSON with
``<``, ``>``, ``&`` as ``\\u003c``...).

Examples
--------
>>> import warnings
>>> from valleys import load_dataset
>>> from matching.suitability import suitability
>>> dataset = load_dataset("tests/fixtures/tiny")
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     result = suitability(dataset, resolution=6, percentile=10)
>>> parts = suitability_map(result, dataset, tiles=None)
>>> 'data-map-kind="suitability"' in parts.html, len(parts.page()) < 500_000
(True, True)
"""

from __future__ import annotations

from typing import Any

import branca.colormap
import h3.api.basic_int as h3_int
import numpy as np
import pandas as pd

from matching.i18n import format_number, gettext, render
from matching.suitability import SuitabilityResult
from valleys.grid import cell_parents, cells_to_polygons
from web import maps

__all__ = ["MAX_OVERVIEW_CELLS", "overview_cells", "suitability_map"]

#: The most coarse cells drawn for the scores (about 150 bytes each in the page).
MAX_OVERVIEW_CELLS: int = 4000
#: Decimals of a degree kept in the cells' outlines (about 100 m, far below a cell's size).
_DECIMALS = 3


def overview_cells(result: SuitabilityResult, *, max_cells: int = MAX_OVERVIEW_CELLS) -> pd.Series:
    """The best score per coarse cell, at the finest resolution with at most ``max_cells``.

    Returns
    -------
    pandas.Series
        Index: H3 cells (unsigned integers); values: the best score of the grid cells in each.
    """
    scores = result.overview["max_score"]
    if scores.empty:
        return scores
    cells = np.asarray(scores.index, dtype=np.uint64)
    resolution = h3_int.get_resolution(int(cells[0]))
    while len(scores) > max_cells and resolution > 0:
        resolution -= 1
        parents = cell_parents(np.asarray(scores.index, dtype=np.uint64), resolution)
        scores = scores.groupby(parents).max()
    return scores


def _areas_bounds(result: SuitabilityResult) -> list[list[float]] | None:
    """The candidate areas' bounds, [[south, west], [north, east]] (the map opens on them)."""
    if result.areas.empty:
        return None
    west, south, east, north = (float(v) for v in result.areas.total_bounds)
    return [[south, west], [north, east]]


def suitability_map(
    result: SuitabilityResult,
    dataset: Any,
    *,
    lang: str = "en",
    tiles: str | None = "OpenStreetMap",
    height: str = "520px",
    max_cells: int = MAX_OVERVIEW_CELLS,
) -> maps.MapParts:
    """A map of the grid's scores (aggregated) and of the best candidate areas.

    Parameters
    ----------
    result
        :func:`matching.suitability.suitability`'s result.
    dataset
        The dataset (its regions are drawn as land offline).
    lang, tiles, height
        As for :func:`web.maps.public_map`.
    max_cells
        The most coarse cells drawn for the scores.
    """
    lang = maps._locale(lang)
    labels = maps._labels(lang)
    m = maps._new_map("suitability", css_height=height)
    layers: dict[str, Any] = dict(maps._base_layers(m, labels, tiles=tiles))
    regions = maps._regions_layer(dataset, labels)
    if regions is not None:
        layers["regions"] = regions.add_to(m)

    scores = overview_cells(result, max_cells=max_cells)
    low, high = (float(scores.min()), float(scores.max())) if len(scores) else (0.0, 1.0)
    if high - low < 1e-12:
        high = low + 1.0
    colormap = branca.colormap.LinearColormap(maps.SCORE_COLORS, vmin=low, vmax=high)
    cell_geoms = [cells_to_polygons([int(c)]) for c in scores.index]
    cell_props = [
        {"color": colormap.rgb_hex_str(float(s)), "tooltip": maps._e(format_number(float(s), lang, digits=3))}
        for s in scores.to_numpy()
    ]
    layers["scores"] = maps._GeoJsonLayer(
        maps._features(cell_geoms, cell_props, decimals=_DECIMALS),
        kind="area", name=labels["suitability_cells"],
        style={"weight": 1, "opacity": 0.5, "fillOpacity": 0.5},  # no seams between cells
    ).add_to(m)

    area_props = []
    for row in result.areas.itertuples(index=False):
        place = ", ".join(str(v) for v in (row.commune, row.region) if v is not None)
        area_props.append({
            "color": "#1a1a1a",
            "tooltip": maps._e(f"{row.id} · {place} · {labels['score']} "
                               f"{format_number(float(row.score), lang, digits=3)} · "
                               f"{format_number(float(row.area_km2), lang, digits=0)} km²"),
        })
    layers["areas"] = maps._GeoJsonLayer(
        maps._features(list(result.areas.geometry), area_props, decimals=_DECIMALS),
        kind="area", name=labels["candidate_areas"],
        style={"weight": 2, "fillOpacity": 0.0, "color": "#1a1a1a"},
    ).add_to(m)
    parcels = result.parcels
    if parcels is not None and len(parcels):
        parcel_props = []
        for i, (row, msgs) in enumerate(zip(parcels.itertuples(index=False),
                                            result.parcel_messages, strict=True)):
            parcel_props.append({
                "id": row.id,
                "color": "#c2185b",
                "tooltip": maps._e(f"{i + 1}. {render(msgs[0], lang)} · {labels['score']} "
                                   f"{format_number(float(row.score), lang, digits=3)} · "
                                   f"{format_number(float(row.area_km2), lang, digits=1)} km²"),
            })
        layers["parcels"] = maps._GeoJsonLayer(
            maps._features(list(parcels.geometry), parcel_props, decimals=4),
            kind="area", name=gettext("Candidate parcels", lang),
            style={"weight": 3, "fillOpacity": 0.3, "color": "#c2185b"},
        ).add_to(m)
    legend = [{
        "key": "suitability",
        "title": labels["suitability"],
        "gradient": [colormap.rgb_hex_str(low + (high - low) * t) for t in np.linspace(0, 1, 5)],
        "min": format_number(low, lang, digits=3),
        "max": format_number(float(scores.max()) if len(scores) else high, lang, digits=3),
        "items": [{"color": "#1a1a1a", "label": labels["candidate_area"], "shape": "line"},
                  {"color": "#c2185b", "label": gettext("candidate parcel", lang),
                   "shape": "line"}],
    }]
    config = {
        "kind": "suitability",
        "locale": maps._locale(lang),
        "labels": maps._ui_labels(labels),
        "legend": legend,
        "search": False,
        "fullscreen": True,
        "fit": _areas_bounds(result) or maps._dataset_bounds(dataset) or maps.DEFAULT_BOUNDS,
        "maxZoom": 12,
    }
    return maps._finish(m, layers, config)
