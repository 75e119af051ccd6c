"""The three map builders of the pages: :func:`public_map`, :func:`site_map`, :func:`score_map`.

Each makes a fresh map (:func:`web.maps.parts._new_map`), adds its layers and returns the
:class:`~web.maps.parts.MapParts` of :func:`web.maps.parts._finish`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import branca.colormap
import numpy as np
import pandas as pd
import shapely
from folium.map import Layer

from matching.i18n import format_percent
from valleys.fact_values import measured_layer
from web.i18n import entry_texts
from web.maps.elements import _GeoJsonLayer
from web.maps.errors import MapError
from web.maps.escaping import _e
from web.maps.geometry import (
    _bounds,
    _dataset_bounds,
    _features,
    _haversine_km,
    _points,
    _rounded,
    _simplified,
)
from web.maps.labels import _labels, _layer_label, _locale, _ui_labels
from web.maps.layers import _base_layers, _communes_layer, _point_layers, _regions_layer
from web.maps.parts import MapParts, _finish, _new_map
from web.maps.popups import _zone_popup
from web.maps.settings import (
    AREA_TOLERANCE_M,
    DEFAULT_BOUNDS,
    DEFAULT_TALENT_INDICATOR,
    EXCLUDED_COLOR,
    OTHER_STATUS_COLOR,
    POINT_DECIMALS,
    POINT_LAYER_COLORS,
    SCORE_COLORS,
    STATUS_COLORS,
    UNKNOWN_STATUS_COLOR,
)
from web.maps.values import (
    _column,
    _fmt,
    _layer_names,
    _missing,
    _number,
    _sites_frame,
    _status_color,
    _status_key,
    _status_label,
    _zone_names,
)

if TYPE_CHECKING:  # the territory's Dataset: layers, communes, regions, point_layers
    from valleys.dataset import Dataset


def public_map(
    sites: pd.DataFrame,
    dataset: Dataset,
    *,
    lang: str = "en",
    site_url: Callable[[str], str] = lambda sid: f"/sites/{sid}",
    tiles: str | None = "OpenStreetMap",
    height: str = "75vh",
) -> MapParts:
    """The public map: zones by status, infrastructure, talent choropleth and regions.

    Parameters
    ----------
    sites
        ``valleys.site_features(dataset)``: index the zone id; ``name``, ``lon``, ``lat`` and,
        when present, ``status``, ``city``, ``operator``, ``rent_mad_m2_month``... for popups.
    dataset
        The :class:`valleys.dataset.Dataset` the sites come from (its ``communes``,
        ``regions`` and ``point_layers``; any of them may be missing).
    lang
        ``"en"`` or ``"fr"``: labels and number formats.
    site_url
        The URL of a zone's page, from its id (linked from its popup).
    tiles
        A folium tile name for the online base, or ``None`` for the offline base only.
    height
        CSS height of the map.

    Returns
    -------
    MapParts
    """
    sites = _sites_frame(sites)
    labels = _labels(lang)
    m = _new_map("public", css_height=height)
    layers: dict[str, Layer] = dict(_base_layers(m, labels, tiles=tiles))

    regions = _regions_layer(dataset, labels)
    if regions is not None:
        layers["regions"] = regions.add_to(m)
    communes, indicators = _communes_layer(dataset, labels)
    if communes is not None:
        layers["communes"] = communes.add_to(m)
    points = _point_layers(dataset, labels, show=True)
    for name, layer in points.items():
        layers[name] = layer.add_to(m)

    names = _zone_names(sites)
    statuses = _column(sites, "status")
    zone_points = _points(sites)
    props = []
    for (sid, row), name, status in zip(sites.iterrows(), names, statuses, strict=True):
        props.append(
            {
                "id": sid,
                "name": name,
                "status": None if _missing(status) else str(status),
                "color": _status_color(status),
                "tooltip": _e(f"{name} · {_status_label(status, labels)}"),
                "popup": _zone_popup(sid, name, row, lang=lang, url=site_url(sid)),
            }
        )
    layers["zones"] = _GeoJsonLayer(
        _features(zone_points, props, decimals=POINT_DECIMALS),
        kind="zones",
        name=labels["zones"],
        radius=8,
        style={"weight": 2, "color": "#ffffff", "fillOpacity": 0.95, "opacity": 1},
    ).add_to(m)

    status_items = []
    seen = []
    for status in statuses:
        key = _status_key(status)
        label = _status_label(status, labels)
        if (key, label) not in seen:
            seen.append((key, label))
    order = {k: i for i, k in enumerate([*STATUS_COLORS, "other", "unknown"])}
    for key, label in sorted(seen, key=lambda kl: order[kl[0]]):
        color = STATUS_COLORS.get(
            key, OTHER_STATUS_COLOR if key == "other" else UNKNOWN_STATUS_COLOR
        )
        status_items.append({"color": color, "label": label, "shape": "circle"})
    legend: list[dict[str, Any]] = [{"key": "status", "title": labels["status"], "items": status_items}]
    infra_items = [layer.legend_item for layer in points.values()]
    if infra_items:
        legend.append({"key": "infrastructure", "title": "", "items": infra_items})

    config = {
        "kind": "public",
        "locale": _locale(lang),
        "labels": _ui_labels(labels),
        "legend": legend,
        "indicators": indicators,
        "defaultIndicator": DEFAULT_TALENT_INDICATOR,
        "search": True,
        "fullscreen": True,
        "fit": _bounds(zone_points) or _dataset_bounds(dataset) or DEFAULT_BOUNDS,
        "maxZoom": 11,
    }
    return _finish(m, layers, config)


def site_map(
    sites: pd.DataFrame,
    dataset: Dataset,
    site_id: str,
    *,
    lang: str = "en",
    tiles: str | None = "OpenStreetMap",
    height: str = "360px",
) -> MapParts:
    """A zone's small map: the zone, and a line with its length to the nearest feature of each
    infrastructure layer.

    Raises
    ------
    MapError
        When ``site_id`` is not a zone of ``sites``.
    """
    sites = _sites_frame(sites)
    sid = str(site_id)
    if sid not in sites.index:
        raise MapError(
            f"zone {sid!r} is not in the dataset; the zone ids are listed by `techvalley sites`"
        )
    labels = _labels(lang)
    row = sites.loc[sid]
    name = _zone_names(sites)[sid]
    point = _points(sites.loc[[sid]])[0]
    m = _new_map("site", css_height=height)
    layers: dict[str, Layer] = dict(_base_layers(m, labels, tiles=tiles))
    regions = _regions_layer(dataset, labels)
    if regions is not None:
        layers["regions"] = regions.add_to(m)

    # the zone's own outline when the dataset has a polygon for it
    zones = getattr(dataset, "zones", None)
    if zones is not None and len(zones):
        zone_ids = _column(zones, "id").map(str)
        own = zones[(zone_ids == sid).to_numpy()]
        own = own[~own.geometry.geom_type.isin(["Point", "MultiPoint"])]
        if len(own):
            geoms = _simplified(own.geometry, AREA_TOLERANCE_M, coverage=False)
            layers["area"] = _GeoJsonLayer(
                _features(geoms, [{"tooltip": _e(name)}] * len(own), decimals=POINT_DECIMALS),
                kind="area",
                name=labels["area"],
                style={"color": _status_color(row.get("status")), "weight": 2, "fillOpacity": 0.25},
            ).add_to(m)

    line_features = []
    target_features = []
    fit_points = [point]
    legend_items = []
    point_layers = getattr(dataset, "point_layers", None) or {}
    if point is not None:
        for i, (layer_name, gdf) in enumerate(sorted(point_layers.items())):
            if gdf is not None:  # the line goes where the distance is measured to
                gdf = measured_layer(layer_name, gdf)
            if gdf is None or len(gdf) == 0:
                continue
            label = _layer_label(layer_name, labels)
            color = POINT_LAYER_COLORS[i % len(POINT_LAYER_COLORS)]
            reps = gdf.geometry.representative_point()
            usable = ~reps.is_empty & reps.notna()
            if not usable.any():
                continue
            reps = reps[usable]
            km = _haversine_km(point.x, point.y, reps.x.to_numpy(), reps.y.to_numpy())
            nearest = int(np.argmin(km))
            target = reps.iloc[nearest]
            target_name = _layer_names(gdf[usable.to_numpy()], label)[nearest]
            distance = _number(row.get(f"{layer_name}_km"))
            distance = float(km[nearest]) if distance is None else distance
            text = f"{target_name} · {_fmt(distance, lang, digits=1)} km"
            line_features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "color": color,
                        "layer": layer_name,
                        "km": round(distance, 2),
                        "label": _e(text),
                    },
                    "geometry": shapely.geometry.mapping(
                        _rounded([shapely.LineString([point, target])], POINT_DECIMALS)[0]
                    ),
                }
            )
            target_features.append(
                {
                    "type": "Feature",
                    "properties": {"color": color, "tooltip": f"{_e(target_name)} ({_e(label)})"},
                    "geometry": shapely.geometry.mapping(_rounded([target], POINT_DECIMALS)[0]),
                }
            )
            fit_points.append(target)
            legend_items.append({"color": color, "label": f"{label}: {text}", "shape": "line"})
    if line_features:
        layers["nearest"] = _GeoJsonLayer(
            line_features,
            kind="lines",
            name=labels["nearest"],
            style={"weight": 2.5, "opacity": 0.9, "dashArray": "6 4"},
        ).add_to(m)
        layers["nearest_points"] = _GeoJsonLayer(
            target_features,
            kind="points",
            name=labels["nearest"],
            control=False,
            radius=5,
            style={"color": "#ffffff", "weight": 1, "fillOpacity": 0.95},
        ).add_to(m)

    zone_props = [
        {
            "id": sid,
            "name": name,
            "color": _status_color(row.get("status")),
            "tooltip": _e(name),
            "popup": _zone_popup(sid, name, row, lang=lang, url=None),
        }
    ]
    layers["zones"] = _GeoJsonLayer(
        _features([point], zone_props, decimals=POINT_DECIMALS),
        kind="zones",
        name=labels["this_zone"],
        radius=9,
        style={"weight": 2, "color": "#ffffff", "fillOpacity": 0.95},
    ).add_to(m)
    legend = [
        {
            "key": "site",
            "title": labels["nearest"] if legend_items else "",
            "items": [
                {"color": _status_color(row.get("status")), "label": name, "shape": "circle"},
                *legend_items,
            ],
        }
    ]
    config = {
        "kind": "site",
        "zone": sid,
        "locale": _locale(lang),
        "labels": _ui_labels(labels),
        "legend": legend,
        "fullscreen": True,
        "fit": _bounds(fit_points) or _dataset_bounds(dataset) or DEFAULT_BOUNDS,
        "maxZoom": 13,
    }
    return _finish(m, layers, config)


def score_map(
    shortlist: Mapping[str, Any],
    sites: pd.DataFrame,
    dataset: Dataset,
    *,
    lang: str = "en",
    site_url: Callable[[str], str] = lambda sid: f"/sites/{sid}",
    tiles: str | None = "OpenStreetMap",
    height: str = "420px",
) -> MapParts:
    """A shortlist's map: ranked zones coloured by score, excluded zones in grey.

    Parameters
    ----------
    shortlist
        The shortlist JSON of the contract (``ranked`` with ``id``, ``rank``, ``score``;
        ``excluded`` with ``id``, ``reasons``).
    sites, dataset, lang, site_url, tiles, height
        As for :func:`public_map`.
    """
    sites = _sites_frame(sites)
    if not isinstance(shortlist, Mapping):
        raise MapError(f"a shortlist is a JSON object, not {type(shortlist).__name__}")
    labels = _labels(lang)
    ranked = list(shortlist.get("ranked") or [])
    excluded = list(shortlist.get("excluded") or [])
    m = _new_map("score", css_height=height)
    layers: dict[str, Layer] = dict(_base_layers(m, labels, tiles=tiles))
    regions = _regions_layer(dataset, labels)
    if regions is not None:
        layers["regions"] = regions.add_to(m)

    robustness = shortlist.get("robustness") or {}
    if not isinstance(robustness, Mapping):
        robustness = {}
    scores = [_number(entry.get("score")) for entry in ranked]
    known = [s for s in scores if s is not None]
    vmin, vmax = (min(known), max(known)) if known else (0.0, 1.0)
    legend_min, legend_max = vmin, vmax
    if vmax - vmin < 1e-12:  # one score (or all equal): all of them the best colour
        vmin = vmax - 1.0
    colormap = branca.colormap.LinearColormap(SCORE_COLORS, vmin=vmin, vmax=vmax)

    names = _zone_names(sites)
    site_points = dict(zip(sites.index, _points(sites), strict=True))
    geoms, props, not_on_map = [], [], []
    for entry, score in zip(ranked, scores, strict=True):
        sid = str(entry.get("id"))
        if sid not in sites.index or site_points.get(sid) is None:
            not_on_map.append(sid)
            continue
        rank = entry.get("rank")
        name = names[sid]
        score_text = "–" if score is None else _fmt(score, lang, digits=3)
        extra = [(labels["rank"], str(rank)), (labels["score"], score_text)]
        p_first = _number((robustness.get(sid) or {}).get("p_first"))
        if p_first is not None:
            extra.append((labels["p_first"], format_percent(100 * p_first, _locale(lang), digits=0)))
        color = EXCLUDED_COLOR if score is None else colormap.rgb_hex_str(score)
        geoms.append(site_points[sid])
        props.append(
            {
                "id": sid,
                "name": name,
                "rank": rank,
                "score": score,
                "color": color,
                "radius": 10 if isinstance(rank, int) and rank <= 3 else 7,
                "tooltip": _e(f"#{rank} · {name} · {score_text}"),
                "label": _e(str(rank)) if isinstance(rank, int) and rank <= 10 else None,
                "popup": _zone_popup(
                    sid, name, sites.loc[sid], lang=lang, url=site_url(sid), extra=extra
                ),
            }
        )
    excluded_geoms, excluded_props = [], []
    for entry in excluded:
        sid = str(entry.get("id"))
        if sid not in sites.index or site_points.get(sid) is None:
            not_on_map.append(sid)
            continue
        name = names[sid]
        reasons = entry_texts(entry, "reasons", _locale(lang))  # its messages, in the map's language
        excluded_geoms.append(site_points[sid])
        excluded_props.append(
            {
                "id": sid,
                "name": name,
                "color": EXCLUDED_COLOR,
                "tooltip": _e(f"{name} · {labels['excluded']}"),
                "popup": _zone_popup(
                    sid, name, sites.loc[sid], lang=lang, url=site_url(sid), reasons=reasons
                ),
            }
        )
    if excluded_geoms:
        layers["excluded"] = _GeoJsonLayer(
            _features(excluded_geoms, excluded_props, decimals=POINT_DECIMALS),
            kind="zones",
            name=labels["excluded"],
            radius=5,
            style={"weight": 1, "color": "#ffffff", "fillOpacity": 0.8},
        ).add_to(m)
    layers["zones"] = _GeoJsonLayer(
        _features(geoms, props, decimals=POINT_DECIMALS),
        kind="zones",
        name=labels["ranked"],
        radius=8,
        style={"weight": 2, "color": "#333333", "fillOpacity": 0.95},
    ).add_to(m)

    legend = [
        {
            "key": "score",
            "title": labels["score"],
            "gradient": [
                colormap.rgb_hex_str(vmin + (vmax - vmin) * t) for t in np.linspace(0, 1, 5)
            ]
            if legend_max > legend_min
            else [colormap.rgb_hex_str(vmax)] * 2,
            "min": _fmt(legend_min, lang, digits=3) if known else "",
            "max": _fmt(legend_max, lang, digits=3) if known else "",
            "items": [{"color": EXCLUDED_COLOR, "label": labels["excluded"], "shape": "circle"}]
            if excluded_geoms
            else [],
        }
    ]
    if not_on_map:
        legend.append(
            {
                "key": "not_on_map",
                "title": f"{len(not_on_map)} {labels['not_on_map']}",
                "items": [{"color": "#ffffff", "label": s} for s in not_on_map],
            }
        )
    config = {
        "kind": "score",
        "locale": _locale(lang),
        "labels": _ui_labels(labels),
        "legend": legend,
        "search": bool(geoms),
        "fullscreen": True,
        "notOnMap": not_on_map,
        "fit": _bounds([*geoms, *excluded_geoms]) or _dataset_bounds(dataset) or DEFAULT_BOUNDS,
        "maxZoom": 11,
    }
    return _finish(m, layers, config)
