"""A map's parts (:class:`MapParts`) and its frame: a new inline map, and how it is finished
(the ``techvalley.init`` call, the layer control) and rendered into the parts."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import CssLink, JavascriptLink
from folium.map import Layer

from web.maps.elements import _figure, _Init, _InlineMap
from web.maps.errors import MapError

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



def _layer_control(layers: Mapping[str, Layer]) -> dict[str, list[dict[str, str]]]:
    """The layer control's entries; names HTML-escaped (Leaflet puts them in as HTML)."""
    control: dict[str, list[dict[str, str]]] = {"base": [], "overlays": []}
    for key, layer in layers.items():
        if getattr(layer, "control", False):
            entry = {"key": key, "name": html.escape(str(layer.layer_name))}
            control["overlays" if layer.overlay else "base"].append(entry)
    return control


def _render(m: folium.Map) -> MapParts:
    root = _figure(m)
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
