"""Our folium/branca elements: the workaround that keeps data out of folium's Jinja rendering.

Why this module exists (upstream hole): folium renders every element through Jinja templates,
and branca's ``MacroElement.render`` wraps what a macro returns in a new ``Element(text)``,
whose text is compiled as a Jinja template *again* when the page is rendered. Data placed in a
template (a zone named ``{{ ... }}``, say) would therefore be evaluated on the server (template
injection), and unescaped where a template says ``|safe``; every embedded JSON would also be
parsed by Jinja's lexer (slow). So we never put data in a template: each element below writes
its JavaScript itself, as a :class:`_Raw` child that is output as it is, and passes the data as
escaped JSON (:func:`web.maps.escaping._js_json`) to our own code in ``techvalley-map.js``
(``techvalley.geoJson``, ``techvalley.init``). The only template left, :class:`_InlineMap`'s,
renders the map's own options, never data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

import folium
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template

from web import assets
from web.maps.escaping import _js_json


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


def _figure(element: Element) -> Figure:
    """The figure ``element`` is drawn in (a map's root is a ``Figure`` once it renders)."""
    root = element.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"{element.get_name()} is not on a folium map")
    return root


def _parent_name(element: Element) -> str:
    if element._parent is None:
        raise TypeError(f"{element.get_name()} is not on a folium map")
    return element._parent.get_name()


class _ScriptLayer(Layer):
    """A Leaflet layer whose script we write ourselves (see :class:`_Raw`)."""

    def script(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def add_to(self, parent: Element, name: str | None = None, index: int | None = None) -> Self:
        """Add this layer to ``parent`` and return it (branca types the return as ``Element``)."""
        super().add_to(parent, name=name, index=index)
        return self

    def render(self, **kwargs: Any) -> str:
        script = _figure(self).script
        script.add_child(_Raw(self.script()), name=self.get_name())
        if self.show:
            script.add_child(
                _Raw(f"{self.get_name()}.addTo({_parent_name(self)});"),
                name=self.get_name() + "_add",
            )
        return ""  # the script went into the figure's; nothing is drawn in place


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

    def render(self, **kwargs: Any) -> str:
        layers = ", ".join(
            f"{_js_json(key)}: {layer.get_name()}" for key, layer in self.layers.items()
        )
        text = f"techvalley.init({_parent_name(self)}, {_js_json(self.config)}, {{{layers}}});"
        _figure(self).script.add_child(_Raw(text), name=self.get_name())
        return ""
