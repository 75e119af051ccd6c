/*
 * techvalley map controls (our code, no third-party code): data layers, legend, talent
 * indicator switch, zone search, fullscreen, offline base, zones picked for comparison.
 *
 * web/maps/ builds the map with Folium and calls, in the page's inline script:
 *   techvalley.geoJson(data, options)      -> an L.GeoJSON layer (see below)
 *   techvalley.init(map, config, layers)   -> the handle window.techvalleyMap
 *
 * Text from the data is either HTML the server already escaped (properties `popup` and
 * `tooltip`) or raw text we only ever put in the page with textContent.
 */
(function () {
  "use strict";

  var TV = (window.techvalley = window.techvalley || {});
  // below this map width the top controls fold away while a popup is open
  var NARROW_MAP_PX = 600;
  window.techvalleyMaps = window.techvalleyMaps || {};

  function el(tag, className, parent, text) {
    var node = L.DomUtil.create(tag, className || "", parent);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fold(text) {
    // case- and accent-insensitive comparison (Fès ~ fes)
    return String(text || "")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }

  /* ---------------------------------------------------------------- data layers */

  /**
   * An L.GeoJSON layer of one of our kinds.
   *
   * options.kind:
   *   "zones"   points; properties id, name, color, popup (escaped HTML), tooltip (escaped HTML),
   *             label (optional permanent escaped HTML label)
   *   "points"  infrastructure points; properties tooltip (escaped HTML)
   *   "lines"   lines; properties color, tooltip (escaped HTML), label (permanent, escaped HTML)
   *   "communes" polygons; properties n (raw name), v (indicator values); styled by init()
   *   "regions" polygons; properties n (raw name); styled by init() (land fill offline)
   *   "area"    polygons (a zone's outline); properties color, tooltip
   * options.style: the default path style; options.radius: marker radius.
   */
  /**
   * Our packed polygons back to GeoJSON: {packed: 1, scale, features: [[props, polygons]]},
   * a polygon a list of rings, a ring [x0, y0, dx1, dy1, ...] in 1/scale degree.
   */
  TV.unpack = function (data) {
    if (!data || !data.packed) return data;
    var scale = data.scale;
    function ring(flat) {
      var out = [];
      var x = 0;
      var y = 0;
      for (var i = 0; i + 1 < flat.length; i += 2) {
        x += flat[i];
        y += flat[i + 1];
        out.push([x / scale, y / scale]);
      }
      return out;
    }
    return {
      type: "FeatureCollection",
      features: data.features.map(function (f) {
        var polygons = f[1].map(function (rings) {
          return rings.map(ring);
        });
        return {
          type: "Feature",
          properties: f[0],
          geometry:
            polygons.length === 1
              ? { type: "Polygon", coordinates: polygons[0] }
              : { type: "MultiPolygon", coordinates: polygons },
        };
      }),
    };
  };

  TV.geoJson = function (data, options) {
    options = options || {};
    data = TV.unpack(data);
    var kind = options.kind || "points";
    var base = options.style || {};
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var props = feature.properties || {};
        var style = L.extend({}, base, {
          radius: props.radius || options.radius || 6,
        });
        if (props.color) {
          style.color = options.outline || props.color;
          style.fillColor = props.color;
        }
        return L.circleMarker(latlng, style);
      },
      style: function (feature) {
        var props = feature.properties || {};
        var style = L.extend({}, base);
        if (props.color) {
          style.color = props.color;
          if (kind !== "lines") style.fillColor = props.color;
        }
        return style;
      },
      onEachFeature: function (feature, sub) {
        var props = feature.properties || {};
        if (kind === "communes" || kind === "regions") {
          // raw names: never through innerHTML
          sub.bindTooltip(function () {
            return communeTooltip(layer, feature);
          }, { sticky: true });
          return;
        }
        if (props.popup) sub.bindPopup(props.popup, { maxWidth: 320 });
        if (props.label) {
          sub.bindTooltip(props.label, {
            permanent: true,
            direction: kind === "lines" ? "center" : "right",
            className: "tv-label",
          });
        } else if (props.tooltip) {
          sub.bindTooltip(props.tooltip, { sticky: kind !== "zones" });
        }
      },
    });
    layer.techvalleyKind = kind;
    return layer;
  };

  function communeTooltip(layer, feature) {
    var props = feature.properties || {};
    var box = el("div", "tv-tooltip");
    el("strong", "", box, props.n || "");
    var ind = layer.techvalleyIndicator;
    if (ind && props.v) {
      var value = props.v[ind.index];
      el(
        "div",
        "",
        box,
        ind.label + ": " + (value === null || value === undefined ? ind.missing : formatNumber(value, ind))
      );
    }
    return box;
  }

  function formatNumber(value, ind) {
    try {
      return (
        Number(value).toLocaleString(ind.locale || undefined, {
          maximumFractionDigits: ind.digits === undefined ? 1 : ind.digits,
        }) + (ind.unit || "")
      );
    } catch (e) {
      return String(value);
    }
  }

  /* ---------------------------------------------------------------- controls */

  var Legend = L.Control.extend({
    options: { position: "bottomright", title: "Legend", folded: false },
    onAdd: function () {
      var self = this;
      this._div = el("div", "tv-legend leaflet-bar");
      // a button folds the legend (folded at first on a narrow map: it would cover it)
      var toggle = (this._toggle = el("button", "tv-legend-toggle", this._div, this.options.title));
      toggle.type = "button";
      this._body = el("div", "tv-legend-body", this._div);
      this._body.id = "tv-legend-" + L.stamp(this);
      toggle.setAttribute("aria-controls", this._body.id);
      L.DomEvent.on(toggle, "click", function (e) {
        L.DomEvent.preventDefault(e);
        self.fold(!self._folded);
      });
      this.fold(!!this.options.folded);
      this._sections = {};
      L.DomEvent.disableClickPropagation(this._div);
      L.DomEvent.disableScrollPropagation(this._div);
      return this._div;
    },
    fold: function (folded) {
      this._folded = !!folded;
      this._toggle.setAttribute("aria-expanded", folded ? "false" : "true");
      (folded ? L.DomUtil.addClass : L.DomUtil.removeClass)(this._div, "tv-legend-folded");
    },
    // section: {title, items: [{color, label, shape}]} or {title, gradient: [colors], min, max}
    setSection: function (key, section) {
      var box = this._sections[key];
      if (!box) {
        box = this._sections[key] = el("div", "tv-legend-section", this._body);
        box.setAttribute("data-legend", key);
      }
      box.textContent = "";
      if (!section) {
        box.style.display = "none";
        return;
      }
      box.style.display = "";
      el("div", "tv-legend-title", box, section.title);
      if (section.gradient) {
        var bar = el("div", "tv-legend-gradient", box);
        bar.style.background = "linear-gradient(to right, " + section.gradient.join(", ") + ")";
        var ends = el("div", "tv-legend-ends", box);
        el("span", "", ends, section.min);
        el("span", "", ends, section.max);
      }
      (section.items || []).forEach(function (item) {
        var row = el("div", "tv-legend-row", box);
        var swatch = el("span", "tv-swatch tv-swatch-" + (item.shape || "box"), row);
        if (item.shape === "line") swatch.style.borderTopColor = item.color;
        else swatch.style.background = item.color;
        if (item.border) swatch.style.borderColor = item.border;
        el("span", "", row, item.label);
      });
    },
  });

  function fullscreenIcon() {
    // four corners, drawn (no icon font to load)
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    svg.appendChild(path);
    return svg;
  }

  var Fullscreen = L.Control.extend({
    options: { position: "topleft", title: "Full screen" },
    onAdd: function (map) {
      var bar = el("div", "leaflet-bar tv-fullscreen");
      var link = el("a", "tv-fullscreen-button", bar);
      link.appendChild(fullscreenIcon());
      link.href = "#";
      link.title = this.options.title;
      link.setAttribute("role", "button");
      link.setAttribute("aria-label", this.options.title);
      var container = map.getContainer();
      L.DomEvent.on(link, "click", function (e) {
        L.DomEvent.preventDefault(e);
        L.DomEvent.stopPropagation(e);
        if (document.fullscreenElement) {
          document.exitFullscreen();
        } else if (container.requestFullscreen) {
          container.requestFullscreen();
        } else {
          // no Fullscreen API (old browsers): fill the window instead
          L.DomUtil.hasClass(container, "tv-pseudo-fullscreen")
            ? L.DomUtil.removeClass(container, "tv-pseudo-fullscreen")
            : L.DomUtil.addClass(container, "tv-pseudo-fullscreen");
          map.invalidateSize();
        }
      });
      L.DomEvent.on(document, "fullscreenchange", function () {
        var on = document.fullscreenElement === container;
        (on ? L.DomUtil.addClass : L.DomUtil.removeClass)(container, "tv-is-fullscreen");
        map.invalidateSize();
      });
      return bar;
    },
  });

  var Search = L.Control.extend({
    options: { position: "topleft", placeholder: "Search", empty: "No zone found" },
    initialize: function (handle, options) {
      L.setOptions(this, options);
      this._handle = handle;
    },
    onAdd: function () {
      var self = this;
      var box = el("div", "tv-search leaflet-bar");
      var input = (this._input = el("input", "tv-search-input", box));
      input.type = "search";
      input.placeholder = this.options.placeholder;
      input.setAttribute("aria-label", this.options.placeholder);
      var list = (this._list = el("ul", "tv-search-results", box));
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", this.options.placeholder);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.on(input, "input", function () {
        self._show(self._handle.findZones(input.value));
      });
      L.DomEvent.on(input, "keydown", function (e) {
        if (e.key === "Enter") {
          var found = self._handle.findZones(input.value);
          if (found.length) self._pick(found[0]);
        } else if (e.key === "Escape") {
          self._show([]);
        }
      });
      return box;
    },
    _show: function (found) {
      var self = this;
      this._list.textContent = "";
      if (!this._input.value) return;
      if (!found.length) {
        el("li", "tv-search-empty", this._list, this.options.empty);
        return;
      }
      found.slice(0, 8).forEach(function (layer) {
        var item = el("li", "tv-search-result", self._list, layer.feature.properties.name);
        item.setAttribute("role", "option");
        item.setAttribute("tabindex", "0");
        item.setAttribute("data-zone-id", layer.feature.properties.id);
        L.DomEvent.on(item, "click", function () {
          self._pick(layer);
        });
        L.DomEvent.on(item, "keydown", function (e) {
          if (e.key === "Enter") self._pick(layer);
        });
      });
    },
    _pick: function (layer) {
      this._list.textContent = "";
      this._input.value = layer.feature.properties.name;
      this._handle.showZone(layer.feature.properties.id);
    },
  });

  /* ---------------------------------------------------------------- choropleth */

  function classify(value, breaks) {
    // breaks: upper bounds of all classes but the last
    for (var i = 0; i < breaks.length; i++) {
      if (value <= breaks[i]) return i;
    }
    return breaks.length;
  }

  function indicatorStyle(ind) {
    return function (feature) {
      var v = feature.properties && feature.properties.v ? feature.properties.v[ind.index] : null;
      var missing = v === null || v === undefined;
      return {
        color: "#7a7a7a",
        weight: 0.4,
        opacity: 0.6,
        fillOpacity: missing ? 0.15 : 0.65,
        fillColor: missing ? "#cccccc" : ind.colors[classify(v, ind.breaks)],
      };
    };
  }

  function indicatorLegend(ind) {
    var items = ind.colors.map(function (color, i) {
      var lo = i === 0 ? ind.min : ind.breaks[i - 1];
      var hi = i === ind.breaks.length ? ind.max : ind.breaks[i];
      return { color: color, label: formatNumber(lo, ind) + " \u2013 " + formatNumber(hi, ind) };
    });
    items.push({ color: "#cccccc", label: ind.missing });
    return { title: ind.label, items: items };
  }

  var IndicatorSwitch = L.Control.extend({
    options: { position: "bottomleft", title: "Talent" },
    initialize: function (handle, indicators, options) {
      L.setOptions(this, options);
      this._handle = handle;
      this._indicators = indicators;
    },
    onAdd: function () {
      var self = this;
      var box = el("div", "tv-indicator leaflet-bar");
      var label = el("label", "tv-indicator-label", box, this.options.title);
      var select = (this._select = el("select", "tv-indicator-select", box));
      select.id = L.stamp(this) + "-tv-indicator";
      label.htmlFor = select.id;
      this._indicators.forEach(function (ind) {
        var option = el("option", "", select, ind.label);
        option.value = ind.key;
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(select, "change", function () {
        self._handle.setIndicator(select.value);
      });
      return box;
    },
  });

  /* ---------------------------------------------------------------- zones' stacking */

  function rankOf(sub) {
    var rank = sub.feature && sub.feature.properties && sub.feature.properties.rank;
    return typeof rank === "number" ? rank : Infinity;
  }

  // the best ranked zone drawn last (on top), its label above the others' labels
  function stackByRank(layer) {
    var subs = layer.getLayers().slice();
    subs.sort(function (a, b) {
      return rankOf(b) - rankOf(a);
    });
    subs.forEach(function (sub, i) {
      if (sub.bringToFront) sub.bringToFront();
      var tooltip = sub.getTooltip && sub.getTooltip();
      var node = tooltip && tooltip.getElement && tooltip.getElement();
      if (node) node.style.zIndex = String(100 + i);
    });
  }

  // markers closer than a few pixels are set on a small circle around their place, so each one
  // can be clicked; recomputed at every zoom, from the position the data gives
  var SPREAD_PX = 14;
  function spreadZones(map, zoneLayers) {
    var subs = [];
    zoneLayers.forEach(function (layer) {
      if (!map.hasLayer(layer)) return;
      layer.eachLayer(function (sub) {
        if (!sub.getLatLng) return;
        if (!sub._tvOrigin) sub._tvOrigin = sub.getLatLng();
        subs.push(sub);
      });
    });
    var groups = [];
    subs.forEach(function (sub) {
      var p = map.latLngToLayerPoint(sub._tvOrigin);
      var group = null;
      for (var i = 0; i < groups.length && !group; i++) {
        if (groups[i].point.distanceTo(p) < SPREAD_PX) group = groups[i];
      }
      if (!group) groups.push((group = { point: p, subs: [] }));
      group.subs.push(sub);
    });
    groups.forEach(function (group) {
      if (group.subs.length === 1) {
        var only = group.subs[0];
        if (!only.getLatLng().equals(only._tvOrigin)) only.setLatLng(only._tvOrigin);
        return;
      }
      group.subs.sort(function (a, b) {
        return rankOf(a) - rankOf(b);
      });
      var n = group.subs.length;
      var radius = Math.max(14, (n * 16) / (2 * Math.PI));
      group.subs.forEach(function (sub, i) {
        var angle = -Math.PI / 2 + (2 * Math.PI * i) / n;
        var at = group.point.add(L.point(Math.cos(angle) * radius, Math.sin(angle) * radius));
        sub.setLatLng(map.layerPointToLatLng(at));
      });
    });
  }

  /* ---------------------------------------------------------------- picking zones to compare */

  // The zones picked for comparison, [{id, name}], kept for the browser tab in sessionStorage
  // (shared by every map of the tab: the home page's and a result's), in memory without it.
  var PICKS_KEY = "techvalley.compare";
  var picksInMemory = [];
  var compareViews = [];

  function readPicks() {
    try {
      var raw = window.sessionStorage.getItem(PICKS_KEY);
      var picks = raw ? JSON.parse(raw) : [];
      if (!Array.isArray(picks)) return [];
      return picks.filter(function (p) {
        return p && typeof p.id === "string" && p.id;
      });
    } catch (e) {
      return picksInMemory.slice();
    }
  }

  function writePicks(picks) {
    picksInMemory = picks.slice();
    try {
      window.sessionStorage.setItem(PICKS_KEY, JSON.stringify(picks));
    } catch (e) {
      // storage refused (private mode, quota): the picks last as long as the page
    }
    compareViews.forEach(function (render) {
      render();
    });
  }

  function isPicked(id) {
    return readPicks().some(function (p) {
      return p.id === id;
    });
  }

  function togglePick(id, name) {
    var picks = readPicks();
    var kept = picks.filter(function (p) {
      return p.id !== id;
    });
    if (kept.length === picks.length) kept.push({ id: id, name: String(name || id) });
    writePicks(kept);
  }

  function compareHref(base, picks) {
    return (
      base +
      (base.indexOf("?") < 0 ? "?" : "&") +
      "ids=" +
      picks
        .map(function (p) {
          return encodeURIComponent(p.id);
        })
        .join(",")
    );
  }

  // the popup's button (built by web/maps/popups.py): its words follow the pick
  function syncToggle(button, labels) {
    var picked = isPicked(button.getAttribute("data-compare-id"));
    button.textContent = picked
      ? labels.compare_remove || "Remove from comparison"
      : labels.compare_add || "Add to comparison";
    (picked ? L.DomUtil.addClass : L.DomUtil.removeClass)(button, "tv-compare-picked");
  }

  /**
   * The "Add to comparison" buttons of the popups, and the bar under the map listing the picks
   * (each removable) with the link "Compare (n)" to the comparison page. The page gives that
   * page's address in <meta name="techvalley-compare">.
   */
  function setupCompare(map, labels, locale) {
    // French puts a narrow no-break space before a colon
    var colon = /^fr/i.test(locale || "") ? "\u202f:" : ":";
    var meta = document.querySelector('meta[name="techvalley-compare"]');
    var base = (meta && meta.getAttribute("content")) || "/compare";
    var container = map.getContainer();
    var frame = container.closest ? container.closest(".map") || container : container;

    var bar = document.createElement("div");
    bar.className = "tv-compare-bar";
    bar.setAttribute("role", "region");
    bar.setAttribute("aria-label", labels.compare_picked || "Picked for comparison");
    bar.hidden = true;
    var title = el("span", "tv-compare-title", bar, (labels.compare_picked || "Picked for comparison") + colon);
    title.setAttribute("aria-hidden", "true");
    var list = el("ul", "tv-compare-picks", bar);
    var open = el("a", "tv-compare-open", bar);
    frame.parentNode.insertBefore(bar, frame.nextSibling);

    function render() {
      var picks = readPicks();
      bar.hidden = picks.length === 0;
      list.textContent = "";
      picks.forEach(function (p) {
        var item = el("li", "", list);
        el("span", "tv-compare-name", item, p.name);
        var remove = el("button", "tv-compare-remove", item, "×");
        remove.type = "button";
        remove.setAttribute("data-compare-id", p.id);
        remove.setAttribute("aria-label", (labels.compare_remove || "Remove from comparison") + colon + " " + p.name);
        remove.title = remove.getAttribute("aria-label");
        L.DomEvent.on(remove, "click", function () {
          var next = readPicks();
          var at = -1;
          next.forEach(function (q, i) {
            if (q.id === p.id) at = i;
          });
          togglePick(p.id, p.name);
          // keep the keyboard in the bar: on the next pick's button, else on the map
          var buttons = list.querySelectorAll(".tv-compare-remove");
          var target = buttons[Math.min(at, buttons.length - 1)];
          if (target) target.focus();
          else container.focus();
        });
      });
      open.textContent = (labels.compare_open || "Compare") + " (" + picks.length + ")";
      open.href = compareHref(base, picks);
      var popup = map._popup;
      var node = popup && popup.isOpen && popup.isOpen() && popup.getElement();
      var toggle = node && node.querySelector(".tv-compare-toggle");
      if (toggle) syncToggle(toggle, labels);
    }

    map.on("popupopen", function (e) {
      var node = e.popup.getElement();
      var toggle = node && node.querySelector(".tv-compare-toggle");
      if (!toggle) return;
      syncToggle(toggle, labels);
      if (toggle._tvWired) return;
      toggle._tvWired = true;
      L.DomEvent.on(toggle, "click", function (ev) {
        L.DomEvent.stop(ev);
        togglePick(toggle.getAttribute("data-compare-id"), toggle.getAttribute("data-compare-name"));
      });
    });

    compareViews.push(render);
    // another tab of the same page does not share sessionStorage; this tab's other maps do
    render();
    return { bar: bar, picks: readPicks, toggle: togglePick, render: render };
  }

  /* ---------------------------------------------------------------- init */

  /**
   * Wire a map built by web/maps/ and publish its handle.
   *
   * config: {id, kind, labels, legend: [{key, title, items}], indicators: [...],
   *          search: bool, fullscreen: bool, fit: [[s, w], [n, e]], maxZoom}
   * layers: {name: L.Layer} (zones, communes, regions, tiles, offline, <point layers>, ...)
   */
  TV.init = function (map, config, layers) {
    config = config || {};
    var labels = config.labels || {};
    var handle = {
      map: map,
      id: config.id,
      kind: config.kind,
      layers: layers,
      config: config,
      zones: {},
      indicator: null,
      offline: false,
    };

    var zonesLayer = layers.zones;
    if (zonesLayer) {
      zonesLayer.eachLayer(function (sub) {
        var props = sub.feature && sub.feature.properties;
        if (props && props.id !== undefined) handle.zones[props.id] = sub;
      });
    }

    handle.findZones = function (text) {
      var wanted = fold(text).trim();
      if (!wanted) return [];
      var starts = [];
      var contains = [];
      Object.keys(handle.zones).forEach(function (id) {
        var layer = handle.zones[id];
        var name = fold(layer.feature.properties.name);
        var at = name.indexOf(wanted);
        if (at === 0) starts.push(layer);
        else if (at > 0) contains.push(layer);
      });
      return starts.concat(contains);
    };

    // Centre on a zone and open its popup. Resolves (true) once the view has settled: the
    // popup's auto-pan animates, and a link clicked mid-pan can miss its target.
    handle.showZone = function (id) {
      var layer = handle.zones[id];
      if (!layer) return Promise.resolve(false);
      if (zonesLayer && !map.hasLayer(zonesLayer)) zonesLayer.addTo(map);
      var latlng = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
      return new Promise(function (resolve) {
        var panning = false;
        function started() {
          panning = true;
        }
        function ended() {
          if (panning) settle();
        }
        function settle() {
          map.off("autopanstart", started);
          map.off("moveend", ended);
          resolve(true);
        }
        map.on("autopanstart", started);
        map.on("moveend", ended);
        map.setView(latlng, Math.max(map.getZoom(), 11), { animate: false });
        layer.openPopup(latlng);
        if (!panning) settle();
      });
    };

    // On a narrow map an open popup sits under the top controls: fold them away meanwhile.
    map.on("popupopen", function (e) {
      var width = map.getSize().x;
      var popup = e.popup;
      if (popup.tvMaxWidth === undefined) popup.tvMaxWidth = popup.options.maxWidth;
      // never wider than the map, so the close button stays inside (a resized window included)
      var fitting = Math.min(popup.tvMaxWidth, width - 40);
      if (popup.options.maxWidth !== fitting) {
        popup.options.maxWidth = fitting;
        popup.update();
      }
      if (width < NARROW_MAP_PX) L.DomUtil.addClass(map.getContainer(), "tv-popup-open");
    });
    map.on("popupclose", function () {
      L.DomUtil.removeClass(map.getContainer(), "tv-popup-open");
    });

    // layer control: names arrive HTML-escaped (Leaflet writes them as HTML)
    if (config.layerControl) {
      var bases = {};
      var overlays = {};
      (config.layerControl.base || []).forEach(function (entry) {
        if (layers[entry.key]) bases[entry.name] = layers[entry.key];
      });
      (config.layerControl.overlays || []).forEach(function (entry) {
        if (layers[entry.key]) overlays[entry.name] = layers[entry.key];
      });
      handle.layerControl = L.control.layers(bases, overlays, { collapsed: true }).addTo(map);
    }

    // legend
    var legend = null;
    if ((config.legend && config.legend.length) || (config.indicators && config.indicators.length)) {
      legend = handle.legend = new Legend({
        title: labels.legend || "Legend",
        folded: map.getSize().x < 600,
      });
      legend.addTo(map);
      (config.legend || []).forEach(function (section) {
        legend.setSection(section.key, section);
      });
    }

    // talent choropleth: one layer, restyled per indicator
    var communes = layers.communes;
    var indicators = (config.indicators || []).map(function (ind, index) {
      return L.extend({ index: index, missing: labels.missing || "no data", locale: config.locale }, ind);
    });
    handle.indicators = indicators;
    handle.setIndicator = function (key) {
      var ind = null;
      indicators.forEach(function (candidate) {
        if (candidate.key === key) ind = candidate;
      });
      if (!ind || !communes) return null;
      handle.indicator = ind.key;
      communes.techvalleyIndicator = ind;
      communes.setStyle(indicatorStyle(ind));
      if (legend) legend.setSection("talent", map.hasLayer(communes) ? indicatorLegend(ind) : null);
      if (handle.indicatorSwitch) handle.indicatorSwitch._select.value = ind.key;
      map.getContainer().setAttribute("data-indicator", ind.key);
      return ind;
    };
    if (communes && indicators.length) {
      handle.indicatorSwitch = new IndicatorSwitch(handle, indicators, {
        title: labels.talent || "Talent",
      }).addTo(map);
      // a share by default (web.maps.settings.DEFAULT_TALENT_INDICATOR), else the first one
      if (!handle.setIndicator(config.defaultIndicator)) handle.setIndicator(indicators[0].key);
      map.on("overlayadd overlayremove", function (e) {
        if (e.layer === communes && legend) {
          var current = communes.techvalleyIndicator;
          legend.setSection("talent", e.type === "overlayadd" && current ? indicatorLegend(current) : null);
        }
      });
    }

    // base: tiles when online, the regions as land when offline
    var regions = layers.regions;
    var landStyle = {
      color: "#8c8c8c",
      weight: 1,
      opacity: 0.9,
      fillColor: "#f4f1ea",
      fillOpacity: 1,
    };
    var outlineStyle = { color: "#666666", weight: 1.2, opacity: 0.8, fillOpacity: 0 };
    handle.setOffline = function (offline) {
      handle.offline = !!offline;
      (offline ? L.DomUtil.addClass : L.DomUtil.removeClass)(map.getContainer(), "tv-offline");
      map.getContainer().setAttribute("data-base", offline ? "offline" : "tiles");
      if (regions) {
        regions.setStyle(offline ? landStyle : outlineStyle);
        regions.bringToBack();
      }
    };
    var tiles = layers.tiles;
    var offlineBase = layers.offline;
    if (tiles && offlineBase) {
      map.on("baselayerchange", function (e) {
        handle.setOffline(e.layer === offlineBase);
      });
      var switched = false;
      var goOffline = function () {
        if (switched || !map.hasLayer(tiles)) return;
        switched = true;
        map.removeLayer(tiles);
        offlineBase.addTo(map);
        handle.setOffline(true);
      };
      tiles.on("tileerror", goOffline);
      if (navigator.onLine === false) goOffline();
      else handle.setOffline(!map.hasLayer(tiles));
    } else {
      handle.setOffline(!tiles);
    }

    // keep the stacking whatever the user toggles: land and talent below, zones on top
    handle.restack = function () {
      if (communes && map.hasLayer(communes)) communes.bringToBack();
      if (regions && map.hasLayer(regions)) regions.bringToBack();
      Object.keys(layers).forEach(function (key) {
        var layer = layers[key];
        var kind = layer && layer.techvalleyKind;
        if ((kind === "points" || kind === "lines") && map.hasLayer(layer)) layer.bringToFront();
      });
      Object.keys(layers).forEach(function (key) {
        var layer = layers[key];
        if (layer && layer.techvalleyKind === "zones" && map.hasLayer(layer)) layer.bringToFront();
      });
      if (zonesLayer && map.hasLayer(zonesLayer)) stackByRank(zonesLayer);
    };
    map.on("overlayadd", handle.restack);
    handle.restack();

    // zones at the same place are spread apart on screen (the data keeps their position)
    var zoneLayers = [];
    Object.keys(layers).forEach(function (key) {
      var layer = layers[key];
      if (layer && layer.techvalleyKind === "zones") zoneLayers.push(layer);
    });
    handle.spread = function () {
      spreadZones(map, zoneLayers);
      if (zonesLayer && map.hasLayer(zonesLayer)) stackByRank(zonesLayer);
    };
    map.on("zoomend overlayadd", handle.spread);

    // drawn features are no stops of the Tab key (the communes alone are ~1,600): the search
    // box opens a zone's popup, and the page's zone list follows the map
    Object.keys(layers).forEach(function (key) {
      var layer = layers[key];
      if (!layer || !layer.techvalleyKind || !layer.eachLayer) return;
      var quiet = function () {
        layer.eachLayer(function (sub) {
          var node = sub.getElement && sub.getElement();
          if (node) node.setAttribute("tabindex", "-1");
        });
      };
      layer.on("add", quiet);
      if (map.hasLayer(layer)) quiet();
    });

    if (config.search && zonesLayer) {
      handle.search = new Search(handle, {
        placeholder: labels.search || "Search a zone",
        empty: labels.no_zone || "No zone found",
      }).addTo(map);
    }
    if (zonesLayer) handle.compare = setupCompare(map, labels, config.locale);
    if (config.fullscreen) {
      new Fullscreen({ title: labels.fullscreen || "Full screen" }).addTo(map);
    }
    if (config.fit) {
      // keep the fitted features clear of the legend in the bottom-right corner
      var legendBox = map.getContainer().querySelector("[data-legend]");
      var size = map.getSize();
      var right = legendBox ? Math.min(legendBox.offsetWidth + 20, size.x / 2) : 40;
      // no animation: a zoom still running would move the view after showZone() has set it
      map.fitBounds(config.fit, {
        animate: false,
        maxZoom: config.maxZoom || 12,
        paddingTopLeft: [60, 40],
        paddingBottomRight: [right, 40],
      });
    }

    handle.spread();
    map.getContainer().setAttribute("data-map-kind", config.kind || "");
    map.techvalley = handle;
    window.techvalleyMap = handle;
    if (config.id) window.techvalleyMaps[config.id] = handle;
    return handle;
  };
})();
