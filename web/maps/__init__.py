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

The package, one module per concern:

- :mod:`~web.maps.builders`: the three maps (``public_map``, ``site_map``, ``score_map``);
- :mod:`~web.maps.parts`: :class:`MapParts`, a new map and its rendering into the parts;
- :mod:`~web.maps.elements`: our folium elements, which keep data out of folium's Jinja;
- :mod:`~web.maps.layers`: regions, the talent choropleth, point and base layers, ``prepare``;
- :mod:`~web.maps.geometry`: simplification, rounding, packing of polygons, points, bounds;
- :mod:`~web.maps.popups`: a zone's popup and its facts;
- :mod:`~web.maps.escaping`: HTML escaping and JSON safe in a ``<script>``;
- :mod:`~web.maps.values`: reading the zones' table (missing values, numbers, names, statuses);
- :mod:`~web.maps.settings` (palettes, tolerances), :mod:`~web.maps.labels` (the map's words: msgids of the
  shared catalogue, :mod:`matching.i18n`),
  :mod:`~web.maps.errors` (:class:`MapError`).
"""

# ruff: noqa: F401  (a re-exporting module; see the comment on the imports)

from __future__ import annotations

# The public API is __all__. The underscored names are re-exported as they were before the
# split: web.suitability builds its map with them, the tests and benchmarks reach into them.
from web.maps.builders import public_map, score_map, site_map
from web.maps.elements import _GeoJsonLayer
from web.maps.errors import MapError
from web.maps.escaping import _e, _js_json
from web.maps.geometry import (
    _dataset_bounds,
    _features,
    _haversine_km,
    _packed_features,
    _rounded,
    _simplified,
)
from web.maps.labels import _labels, _locale, _ui_labels
from web.maps.layers import _PREPARED, _base_layers, _regions_layer, prepare
from web.maps.parts import MapParts, _finish, _new_map, _render
from web.maps.settings import (
    COMMUNE_TOLERANCE_M,
    DEFAULT_BOUNDS,
    EXCLUDED_COLOR,
    SCORE_COLORS,
    STATUS_COLORS,
    TALENT_INDICATORS,
    UNKNOWN_STATUS_COLOR,
)

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
