"""Folium map builders for the pages: the public map, a zone's map and a shortlist's score map.

Each builder makes a fresh :class:`folium.Map` and returns its :class:`MapParts`, three strings
that a page embeds inline (no iframe)::

    {{ parts.head(nonce=N)|safe }}                in <head>: stylesheets and scripts (local)
    {{ parts.html|safe }}                         where the map goes: one <div>
    <script nonce="N">{{ parts.script|safe }}</script>   after it: the map's JavaScript

where ``N`` is the request's Content-Security-Policy nonce (``csp_nonce()`` in templates): the
policy allows no inline script without it, and the maps need none of ``eval`` or inline event
handlers (popups are HTML without any; our controls bind events in ``techvalley-map.js``).

Every asset is served by the app (:mod:`web.assets`), never by a CDN; only the optional
OpenStreetMap tiles come from outside, and without them the regions of the dataset are drawn as
land. Text from the data reaches the page escaped: HTML-escaped in popups and tooltips, and
``<``, ``>``, ``&`` written as ``\\u003c``, ``\\u003e``, ``\\u0026`` in the embedded JSON.

In the browser, ``window.techvalleyMap`` (and ``window.techvalleyMaps[<map id>]``) is the
handle of the map: ``.map`` (the Leaflet map), ``.kind`` (``public``, ``site``, ``score``),
``.layers`` (Leaflet layers by name: ``zones``, ``communes``, ``regions``, ``tiles``, ``offline``,
one per point layer of the dataset, and ``nearest``/``area`` on a zone map), ``.zones`` (zone
markers by zone id), ``.setIndicator(key)``, ``.findZones(text)``, ``.showZone(id)`` (centres
on a zone and opens its popup; returns a Promise that resolves once the popup's auto-pan ends).
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from babel.numbers import format_decimal
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.map import Layer
from folium.template import Template

from valleys import settings as valleys_settings
from valleys.errors import TechValleyError
from valleys.features import SHARE_DEFINITIONS
from web import assets

if TYPE_CHECKING:  # the territory's Dataset: layers, communes, regions, point_layers
    from valleys.dataset import Dataset

__all__ = [
    "MapError",
    "prepare",
    "MapParts",
    "public_map",
    "site_map",
    "score_map",
    "STATUS_COLORS",
    "TALENT_INDICATORS",
]


class MapError(TechValleyError):
    """A map cannot be built from what was asked (e.g. a zone id that is not in the dataset)."""


# ----------------------------------------------------------------------------- settings

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

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "zones": "Zones",
        "status": "Zone status",
        "operating": "Operating",
        "under_development": "Under development",
        "planned": "Planned",
        "uncertain": "Uncertain",
        "unknown_status": "Status unknown",
        "city": "City",
        "region": "Region",
        "operator": "Operator",
        "office_floor_m2": "Office floor",
        "available_m2": "Available",
        "rent_mad_m2_month": "Rent",
        "airports_km": "Airport",
        "catchment_labour_active": "Labour force within reach",
        "zone_page": "Zone page",
        "communes": "Talent (communes)",
        "talent": "Talent indicator",
        "labour_active": "Labour force",
        "french_literate_pct": "French literacy",
        "english_literate_pct": "English literacy",
        "higher_education_pct": "Higher education",
        "regions": "Regions",
        "tiles": "OpenStreetMap",
        "offline": "Offline (regions only)",
        "search": "Search a zone",
        "no_zone": "No zone found",
        "fullscreen": "Full screen",
        "missing": "no data",
        "airports": "Airports",
        "rail_stations": "Rail stations",
        "universities": "Universities",
        "nearest": "Nearest infrastructure",
        "area": "Zone outline",
        "this_zone": "This zone",
        "score": "Score",
        "rank": "Rank",
        "ranked": "Ranked zones",
        "excluded": "Excluded",
        "not_on_map": "not in the current dataset, not on the map",
        "p_first": "Ranked first in draws",
        "reasons": "Reasons",
        "per_month": "MAD/m²/month",
    },
    "fr": {
        "zones": "Zones",
        "status": "Statut de la zone",
        "operating": "En activité",
        "under_development": "En développement",
        "planned": "Projetée",
        "uncertain": "Incertaine",
        "unknown_status": "Statut inconnu",
        "city": "Ville",
        "region": "Région",
        "operator": "Opérateur",
        "office_floor_m2": "Surface de bureaux",
        "available_m2": "Disponible",
        "rent_mad_m2_month": "Loyer",
        "airports_km": "Aéroport",
        "catchment_labour_active": "Population active à portée",
        "zone_page": "Fiche de la zone",
        "communes": "Talents (communes)",
        "talent": "Indicateur de talents",
        "labour_active": "Population active",
        "french_literate_pct": "Lecture du français",
        "english_literate_pct": "Lecture de l'anglais",
        "higher_education_pct": "Études supérieures",
        "regions": "Régions",
        "tiles": "OpenStreetMap",
        "offline": "Hors ligne (régions seules)",
        "search": "Chercher une zone",
        "no_zone": "Aucune zone trouvée",
        "fullscreen": "Plein écran",
        "missing": "pas de donnée",
        "airports": "Aéroports",
        "rail_stations": "Gares",
        "universities": "Universités",
        "nearest": "Infrastructures les plus proches",
        "area": "Contour de la zone",
        "this_zone": "Cette zone",
        "score": "Score",
        "rank": "Rang",
        "ranked": "Zones classées",
        "excluded": "Exclue",
        "not_on_map": "absentes du jeu de données actuel, hors carte",
        "p_first": "Classée première (tirages)",
        "reasons": "Raisons",
        "per_month": "MAD/m²/mois",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return LABELS.get((lang or "en")[:2].lower(), LABELS["en"])


def _locale(lang: str) -> str:
    code = (lang or "en")[:2].lower()
    return code if code in LABELS else "en"


# ----------------------------------------------------------------------------- output


_SCRIPT_TAG = re.compile(r"<script(?=[\s>])", re.IGNORECASE)
_NONCE = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


@dataclass(frozen=True)
class MapParts:
    """A map as three strings to embed inline in a page.

    Attributes
    ----------
    header
        Tags for ``<head>``: the map's stylesheets and scripts (all served by the app) and a
        ``<style>`` for its size.
    html
        The map's ``<div>``, where the map goes in the page.
    script
        JavaScript (without the ``<script>`` tags) to run after the ``<div>``.
    """

    header: str
    html: str
    script: str

    def head(self, *, nonce: str) -> str:
        """:attr:`header` with ``nonce`` on each of its ``<script>`` tags (for a page whose
        Content-Security-Policy allows scripts by nonce).

        >>> MapParts('<script src="/a.js"></script>', "", "").head(nonce="abc")
        '<script nonce="abc" src="/a.js"></script>'
        """
        if not _NONCE.fullmatch(nonce):
            raise ValueError(f"a CSP nonce is base64 text, not {nonce!r}")
        return _SCRIPT_TAG.sub(f'<script nonce="{nonce}"', self.header)

    def page(self, *, title: str = "techvalley map") -> str:
        """A whole HTML document with only this map (for previews, tests and size budgets)."""
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n{self.header}\n</head>\n<body>\n"
            f"{self.html}\n<script>\n{self.script}\n</script>\n</body>\n</html>\n"
        )


def _js_json(value: Any) -> str:
    """Compact JSON safe inside a <script>: ``<``, ``>``, ``&``, ``'`` escaped as ``\\uXXXX``.

    >>> _js_json({"name": "</script><b>&'"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u0027"}'
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


class _InlineMap(folium.Map):
    """A folium Map meant to sit inside a page: no global ``html, body`` styles, local assets."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} { height: {{ this.css_height }}; }</style>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map techvalley-map" id={{ this.get_name()|tojson }}
                 data-map-kind="{{ this.kind|e }}"></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *, kind: str, css_height: str, **kwargs: Any) -> None:
        super().__init__(tiles=None, control_scale=True, **kwargs)
        self.kind = kind
        self.css_height = css_height
        # per instance: never mutate folium's class-level lists
        self.default_js = assets.map_js()
        self.default_css = assets.map_css()


class _Raw(Element):
    """Text put in the page as it is.

    branca wraps what a MacroElement renders in a new ``Element(text)``, which compiles that
    text as a Jinja template: data containing ``{{ ... }}`` would then be evaluated on the
    server (template injection) and every embedded JSON parsed by Jinja's lexer (slow). Our
    elements therefore add their script as a ``_Raw``, never through a template.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "TechvalleyRaw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _ScriptLayer(Layer):
    """A Leaflet layer whose script we write ourselves (see :class:`_Raw`)."""

    def script(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def render(self, **kwargs: Any) -> None:
        script = self.get_root().script
        script.add_child(_Raw(self.script()), name=self.get_name())
        if self.show:
            script.add_child(
                _Raw(f"{self.get_name()}.addTo({self._parent.get_name()});"),
                name=self.get_name() + "_add",
            )


class _GeoJsonLayer(_ScriptLayer):
    """A GeoJSON layer drawn by our ``techvalley.geoJson`` (escaped, compact JSON)."""

    def __init__(
        self,
        features: list[dict] | str,
        *,
        kind: str,
        name: str,
        overlay: bool = True,
        control: bool = True,
        show: bool = True,
        style: Mapping[str, Any] | None = None,
        radius: float | None = None,
        legend_item: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "TechvalleyGeoJson"
        self.kind = kind
        self.legend_item = dict(legend_item) if legend_item else None
        if isinstance(features, str):  # already escaped JSON (a cached, packed layer)
            self.data_json = features
        else:
            self.data_json = _js_json({"type": "FeatureCollection", "features": features})
        options: dict[str, Any] = {"kind": kind, "style": dict(style or {})}
        if radius is not None:
            options["radius"] = radius
        self.options_json = _js_json(options)

    def script(self) -> str:
        return f"var {self.get_name()} = techvalley.geoJson({self.data_json}, {self.options_json});"


class _EmptyBase(_ScriptLayer):
    """The offline base layer: nothing to load (the regions layer draws the land)."""

    def __init__(self, *, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "TechvalleyOfflineBase"

    def script(self) -> str:
        return f"var {self.get_name()} = L.layerGroup();"


class _Init(MacroElement):
    """Calls ``techvalley.init(map, config, layers)``; added last, after every layer."""

    def __init__(self, config: Mapping[str, Any], layers: Mapping[str, Layer]) -> None:
        super().__init__()
        self._name = "TechvalleyInit"
        self.config = dict(config)
        self.layers = dict(layers)

    def render(self, **kwargs: Any) -> None:
        layers = ", ".join(
            f"{_js_json(key)}: {layer.get_name()}" for key, layer in self.layers.items()
        )
        text = f"techvalley.init({self._parent.get_name()}, {_js_json(self.config)}, {{{layers}}});"
        self.get_root().script.add_child(_Raw(text), name=self.get_name())


def _layer_control(layers: Mapping[str, Layer]) -> dict[str, list[dict[str, str]]]:
    """The layer control's entries; names HTML-escaped (Leaflet puts them in as HTML)."""
    control: dict[str, list[dict[str, str]]] = {"base": [], "overlays": []}
    for key, layer in layers.items():
        if getattr(layer, "control", False):
            entry = {"key": key, "name": html.escape(str(layer.layer_name))}
            control["overlays" if layer.overlay else "base"].append(entry)
    return control


def _render(m: folium.Map) -> MapParts:
    root = m.get_root()
    root.header._children.pop("meta_http", None)  # the page has its own charset
    root.render()
    for name, child in list(root.header._children.items()):
        link = getattr(child, "url", None)
        if isinstance(child, (JavascriptLink, CssLink)) and not str(link).startswith("/"):
            # a folium element brought a CDN link: we must serve it ourselves (a bug here)
            raise RuntimeError(f"map asset {name!r} would load from {link}: serve it locally")
    return MapParts(
        header=root.header.render(), html=root.html.render(), script=root.script.render()
    )


# ----------------------------------------------------------------------------- geometry


def _metric_crs_masks(geoms: gpd.GeoSeries) -> list[tuple[pd.Series, str]]:
    lat = geoms.representative_point().y
    north = lat >= valleys_settings.METRIC_CRS_SPLIT_LAT
    return [
        (north, valleys_settings.METRIC_CRS_NORTH),
        (~north, valleys_settings.METRIC_CRS_SOUTH),
    ]


def _polygonal(geom: Any) -> Any:
    """The polygons of a geometry (a repaired polygon may come back as a collection)."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons) if polygons else None


def _simplified(geoms: gpd.GeoSeries, tolerance_m: float, *, coverage: bool) -> gpd.GeoSeries:
    """Simplify in the metric CRSs of the conventions; a coverage keeps shared edges shared."""
    geoms = geoms.set_crs(valleys_settings.WGS84, allow_override=True)
    if coverage:
        geoms = gpd.GeoSeries([_polygonal(g) for g in geoms], index=geoms.index, crs=geoms.crs)
    if tolerance_m <= 0 or geoms.empty:
        return geoms
    out = geoms.copy()
    for mask, crs in _metric_crs_masks(geoms):
        if not mask.any():
            continue
        part = geoms[mask].to_crs(crs)
        values = part.values
        if coverage:
            try:
                simple = shapely.coverage_simplify(np.asarray(values), tolerance_m)
            except (shapely.errors.GEOSException, TypeError):  # not a coverage: one by one
                simple = shapely.simplify(np.asarray(values), tolerance_m, preserve_topology=True)
        else:
            simple = shapely.simplify(np.asarray(values), tolerance_m, preserve_topology=True)
        out[mask] = gpd.GeoSeries(simple, index=part.index, crs=crs).to_crs(valleys_settings.WGS84)
    return out


def _rounded(geoms: Sequence, decimals: int) -> np.ndarray:
    return shapely.transform(np.asarray(geoms, dtype=object), lambda xy: np.round(xy, decimals))


def _features(
    geoms: Sequence, properties: Sequence[Mapping[str, Any]], *, decimals: int
) -> list[dict]:
    """GeoJSON features (rounded coordinates); empty geometries cannot be drawn and are left out."""
    out = []
    for geom, props in zip(_rounded(geoms, decimals), properties, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        out.append(
            {
                "type": "Feature",
                "properties": dict(props),
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return out


def _pack_ring(ring: np.ndarray, scale: int) -> list[int] | None:
    """A ring as [x0, y0, dx1, dy1, ...] in integer units of 1/scale degree (None if collapsed)."""
    q = np.round(np.asarray(ring)[:, :2] * scale).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)  # repeated points after rounding
    q = q[keep]
    if len(q) < 4:
        return None
    deltas = np.vstack([q[:1], np.diff(q, axis=0)])
    return deltas.ravel().tolist()


def _pack_polygon(polygon: shapely.Polygon, scale: int) -> list[list[int]] | None:
    exterior = _pack_ring(shapely.get_coordinates(polygon.exterior), scale)
    if exterior is None:
        return None
    rings = [exterior]
    for interior in polygon.interiors:
        ring = _pack_ring(shapely.get_coordinates(interior), scale)
        if ring is not None:
            rings.append(ring)
    return rings


def _packed_features(
    geoms: Sequence, properties: Sequence[Mapping[str, Any]], *, decimals: int
) -> str:
    """Polygons as escaped JSON in our packed form (``techvalley.unpack`` in the browser).

    Coordinates are integers of 10**-decimals degree, each ring delta-encoded: about a third of
    the size of GeoJSON with rounded coordinates. ``{"packed": 1, "scale": s, "features":
    [[properties, [polygon, ...]], ...]}`` where a polygon is a list of rings.
    """
    scale = 10**decimals
    features = []
    for geom, props in zip(geoms, properties, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        parts = shapely.get_parts(geom)
        polygons = [
            packed
            for part in parts
            if part.geom_type == "Polygon" and (packed := _pack_polygon(part, scale)) is not None
        ]
        if polygons:
            features.append([dict(props), polygons])
    return _js_json({"packed": 1, "scale": scale, "features": features})


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


# ----------------------------------------------------------------------------- values


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
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


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
    if key == "other":
        return str(value)
    return labels[key]


def _zone_facts(row: pd.Series, lang: str) -> list[tuple[str, str]]:
    """(label, value) of the key facts of a zone that are known, as plain text."""
    labels = _labels(lang)
    facts: list[tuple[str, str]] = []
    for column in ("city", "region", "operator"):
        if not _missing(row.get(column)):
            facts.append((labels[column], str(row[column])))
    if "status" in row.index:
        facts.append((labels["status"], _status_label(row.get("status"), labels)))
    for column, unit, digits in (
        ("office_floor_m2", " m²", 0),
        ("available_m2", " m²", 0),
        ("rent_mad_m2_month", " " + labels["per_month"], 0),
        ("airports_km", " km", 1),
        ("catchment_labour_active", "", 0),
    ):
        number = _number(row.get(column))
        if number is not None:
            facts.append((labels[column], _fmt(number, lang, digits=digits) + unit))
    return facts


def _zone_popup(
    sid: str,
    name: str,
    row: pd.Series,
    *,
    lang: str,
    url: str | None,
    extra: Sequence[tuple[str, str]] = (),
    reasons: Sequence[str] = (),
) -> str:
    """Popup HTML of a zone: every value HTML-escaped here, on the server."""
    labels = _labels(lang)
    rows = "".join(
        f"<tr><th>{_e(label)}</th><td>{_e(value)}</td></tr>"
        for label, value in [*extra, *_zone_facts(row, lang)]
    )
    parts = [f'<div class="tv-popup" data-zone-id="{_e(sid)}"><h3>{_e(name)}</h3>']
    if rows:
        parts.append(f"<table>{rows}</table>")
    if reasons:
        items = "".join(f"<li>{_e(reason)}</li>" for reason in reasons)
        parts.append(f"<div>{_e(labels['reasons'])}:<ul>{items}</ul></div>")
    if url:
        parts.append(f'<a class="tv-zone-link" href="{_e(url)}">{_e(labels["zone_page"])}</a>')
    parts.append("</div>")
    return "".join(parts)


def _points(sites: pd.DataFrame) -> list[shapely.Point | None]:
    """A zone's point: its ``lon``/``lat`` (representative point), else its geometry's."""
    lons, lats = _column(sites, "lon"), _column(sites, "lat")
    geoms = sites.geometry if isinstance(sites, gpd.GeoDataFrame) else [None] * len(sites)
    out = []
    for lon, lat, geom in zip(lons, lats, geoms, strict=True):
        lon, lat = _number(lon), _number(lat)
        if lon is not None and lat is not None:
            out.append(shapely.Point(lon, lat))
        elif geom is not None and not shapely.is_empty(geom):
            out.append(geom.representative_point())
        else:
            out.append(None)
    return out


def _bounds(points: Sequence[shapely.Point | None]) -> list[list[float]] | None:
    usable = [p for p in points if p is not None]
    if not usable:
        return None
    xs = [p.x for p in usable]
    ys = [p.y for p in usable]
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def _layer_names(gdf: gpd.GeoDataFrame, default: str) -> list[str]:
    names = _column(gdf, "name")
    return [
        (f"{default} {i + 1}" if default else "") if _missing(n) else str(n)
        for i, n in enumerate(names)
    ]


def _layer_label(layer: str, labels: Mapping[str, str]) -> str:
    return labels.get(layer, layer.replace("_", " ").capitalize())


# ----------------------------------------------------------------------------- layers


def _regions_layer(dataset: Any, labels: Mapping[str, str]) -> _GeoJsonLayer | None:
    regions = getattr(dataset, "regions", None)
    if regions is None or len(regions) == 0:
        return None

    def build() -> str:
        geoms = _simplified(regions.geometry, REGION_TOLERANCE_M, coverage=True)
        props = [{"n": n} for n in _layer_names(regions, "")]
        return _packed_features(geoms, props, decimals=DECIMALS)

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
    geoms = _simplified(communes.geometry, COMMUNE_TOLERANCE_M, coverage=True)
    return _packed_features(geoms, props, decimals=DECIMALS), indicators


def _communes_layer(
    dataset: Any, labels: Mapping[str, str]
) -> tuple[_GeoJsonLayer | None, list[dict]]:
    communes = getattr(dataset, "communes", None)
    if communes is None or len(communes) == 0:
        return None, []
    prepared = _PREPARED.get(
        communes,
        ("communes", COMMUNE_TOLERANCE_M, DECIMALS),
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
            geoms = _simplified(geoms, AREA_TOLERANCE_M * 10, coverage=False)
        props = [{"tooltip": f"{_e(name)} <small>({_e(label)})</small>"} for name in names]
        out[layer_name] = _GeoJsonLayer(
            _features(geoms, props, decimals=POINT_DECIMALS),
            kind="points",
            name=label,
            show=show,
            radius=4,
            style={"color": "#ffffff", "weight": 1, "fillColor": color, "fillOpacity": 0.9},
            legend_item={"color": color, "label": label, "shape": "circle"},
        )
    return out


def _base_layers(
    m: folium.Map, labels: Mapping[str, str], *, tiles: str | None
) -> dict[str, Layer]:
    """Tiles when online, and an offline base (the regions drawn as land) to fall back to."""
    out: dict[str, Layer] = {}
    if tiles:
        out["tiles"] = folium.TileLayer(
            tiles, name=labels["tiles"], overlay=False, control=True, show=True
        ).add_to(m)
    out["offline"] = _EmptyBase(name=labels["offline"], show=not tiles).add_to(m)
    return out


def _new_map(kind: str, *, css_height: str) -> folium.Map:
    if not re.fullmatch(r"\d+(\.\d+)?(px|vh|em|rem|%)", str(css_height)):
        raise MapError(f"map height {css_height!r} is not a CSS length such as '420px' or '70vh'")
    return _InlineMap(kind=kind, css_height=css_height, location=[31.8, -7.1], zoom_start=5)


def _finish(
    m: folium.Map,
    layers: Mapping[str, Layer],
    config: dict[str, Any],
) -> MapParts:
    config.setdefault("id", m.get_name())
    config.setdefault("layerControl", _layer_control(layers))
    _Init(config, layers).add_to(m)
    return _render(m)


def _sites_frame(sites: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(sites, pd.DataFrame):
        raise MapError(
            f"the map needs the zones' features as a table (valleys.site_features), "
            f"not {type(sites).__name__}"
        )
    sites = sites.copy()
    sites.index = sites.index.map(str)
    return sites


# ----------------------------------------------------------------------------- builders


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
    legend = [{"key": "status", "title": labels["status"], "items": status_items}]
    infra_items = [layer.legend_item for layer in points.values()]
    if infra_items:
        legend.append({"key": "infrastructure", "title": "", "items": infra_items})

    config = {
        "kind": "public",
        "locale": _locale(lang),
        "labels": _ui_labels(labels),
        "legend": legend,
        "indicators": indicators,
        "search": True,
        "fullscreen": True,
        "fit": _bounds(zone_points) or _dataset_bounds(dataset) or DEFAULT_BOUNDS,
        "maxZoom": 11,
    }
    return _finish(m, layers, config)


def _ui_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {k: labels[k] for k in ("search", "no_zone", "fullscreen", "missing", "talent")}


def _dataset_bounds(dataset: Any) -> list[list[float]] | None:
    regions = getattr(dataset, "regions", None)
    if regions is None or len(regions) == 0:
        return None
    west, south, east, north = (float(v) for v in regions.total_bounds)
    return [[south, west], [north, east]]


def _haversine_km(lon1: float, lat1: float, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * valleys_settings.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


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
            extra.append((labels["p_first"], _fmt(100 * p_first, lang, digits=0) + " %"))
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
        reasons = [str(r) for r in (entry.get("reasons") or [])]
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
