"""Our map controls in headless Chromium (web/static/maps/techvalley-map.js), every non-local
request blocked: offline base, indicator switch, search, legends, escaping of hostile names.

The pages are the bare maps of web/maps/ (``MapParts.page()``) served with the assets
blueprint; the app's own pages have their browser tests beside this file. ``browser`` is the
session's Chromium of ``conftest.py``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from flask import Flask
from playwright.sync_api import expect
from werkzeug.serving import make_server

import valleys
from web import assets, maps

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>alert(2)</script>"


@pytest.fixture(scope="module")
def map_server():
    path = Path(__file__).parents[1] / "fixtures" / "tiny"
    dataset = valleys.load_dataset(path)
    sites = valleys.site_features(dataset).copy()
    first, second = sites.index[:2]
    sites.loc[first, "name"] = HOSTILE
    sites.loc[second, "name"] = HOSTILE_SCRIPT
    ids = list(sites.index)
    shortlist = {
        "ranked": [{"id": sid, "rank": i + 1, "score": 1 - i / 4} for i, sid in enumerate(ids[:4])],
        "excluded": [{"id": ids[4], "reasons": ["<b>rent</b> missing"]}],
    }
    zones_only = gpd.GeoDataFrame(
        {"id": ["a"], "name": ["Only"]}, geometry=[shapely.Point(-6.8, 34.0)], crs=4326
    )
    zones_only_sites = zones_only.set_index("id", drop=False)
    bare = type(
        "Bare",
        (),
        {
            "zones": zones_only,
            "communes": None,
            "regions": None,
            "point_layers": {},
            "layers": {"zones": zones_only},
        },
    )()

    app = Flask(__name__)
    app.register_blueprint(assets.bp)
    pages = {
        "public": lambda: maps.public_map(sites, dataset),
        "site": lambda: maps.site_map(sites, dataset, "technopolis"),
        "score": lambda: maps.score_map(shortlist, sites, dataset),
        "bare": lambda: maps.public_map(zones_only_sites, bare),
    }

    @app.get("/map/<kind>")
    def page(kind):
        return pages[kind]().page()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", sites
    server.shutdown()


@pytest.fixture
def open_map(browser, map_server):
    base, _ = map_server
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    events = {"dialogs": [], "errors": [], "remote": []}

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            events["remote"].append(r.request.url)
            r.abort()

    context.route("**/*", route)

    def open_(kind):
        page = context.new_page()
        page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: events["errors"].append(str(e)))
        page.goto(f"{base}/map/{kind}")
        page.wait_for_function("() => window.techvalleyMap !== undefined")
        return page

    yield open_, events
    context.close()


def test_public_map_works_offline(open_map):
    open_, events = open_map
    page = open_("public")
    # the tile requests fail (no internet here): the map falls back to the regions as land
    page.wait_for_function("() => window.techvalleyMap.offline === true", timeout=10_000)
    state = page.evaluate(
        """() => {
        const h = window.techvalleyMap;
        const region = Object.values(h.layers.regions._layers)[0];
        return {layers: Object.keys(h.layers), zones: Object.keys(h.zones).length,
                tilesOn: h.map.hasLayer(h.layers.tiles), land: region.options.fillOpacity,
                base: h.map.getContainer().dataset.base};
    }"""
    )
    assert state["zones"] == 5 and not state["tilesOn"]
    assert state["land"] == 1 and state["base"] == "offline"
    assert {"zones", "communes", "regions", "airports", "rail_stations"} <= set(state["layers"])
    assert all("tile.openstreetmap.org" in url for url in events["remote"]), events["remote"]
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".tv-fullscreen-button").count() == 1
    assert not events["errors"] and not events["dialogs"]


def test_indicator_switch_restyles_the_one_commune_layer(open_map):
    open_, events = open_map
    page = open_("public")

    def fills():
        return page.evaluate(
            "() => Object.values(window.techvalleyMap.layers.communes._layers)"
            ".map(l => l.options.fillColor)"
        )

    title = page.locator('[data-legend="talent"] .tv-legend-title')
    # a share by default (web.maps.settings.DEFAULT_TALENT_INDICATOR), not a raw count
    assert title.text_content() == "French literacy"
    assert page.evaluate("() => window.techvalleyMap.indicator") == "french_literate_pct"
    before = fills()
    page.select_option(".tv-indicator-select", "labour_active")
    assert page.evaluate("() => window.techvalleyMap.indicator") == "labour_active"
    assert title.text_content() == "Labour force"
    after = fills()
    assert len(after) == len(before) and after != before
    # legend rows: one per class, and "no data"
    rows = page.locator('[data-legend="talent"] .tv-legend-row')
    indicator = page.evaluate("() => window.techvalleyMap.indicators[0]")
    assert rows.count() == len(indicator["colors"]) + 1
    assert not events["errors"]


def test_search_and_hostile_popups_run_no_script(open_map):
    open_, events = open_map
    page = open_("public")
    page.fill(".tv-search-input", "img src")
    result = page.locator(".tv-search-result")
    assert result.count() == 1 and result.text_content() == HOSTILE
    result.click()
    popup = page.locator(".leaflet-popup-content h3")
    assert popup.text_content() == HOSTILE
    page.fill(".tv-search-input", "script")
    page.press(".tv-search-input", "Enter")
    expect(popup).to_have_count(1)  # the first popup closed
    assert popup.text_content() == HOSTILE_SCRIPT
    page.fill(".tv-search-input", "zzzz")
    assert page.locator(".tv-search-empty").count() == 1
    # tooltips of every zone, opened by hovering
    for zone_id in page.evaluate("() => Object.keys(window.techvalleyMap.zones)"):
        page.evaluate(f"() => window.techvalleyMap.zones[{zone_id!r}].openTooltip()")
    page.wait_for_timeout(300)
    assert page.locator("img[src=x]").count() == 0
    assert not events["dialogs"] and not events["errors"]


def test_site_map_labels_distances(open_map, map_server):
    _, sites = map_server
    open_, events = open_map
    page = open_("site")
    labels = page.locator(".tv-label").all_text_contents()
    km = sites.loc["technopolis", "airports_km"]
    assert any(f"{km:.1f} km" in label for label in labels), labels
    assert page.evaluate("() => window.techvalleyMap.kind") == "site"
    assert not events["errors"]


def test_score_map_legend_and_excluded(open_map):
    open_, events = open_map
    page = open_("score")
    assert page.locator('[data-legend="score"] .tv-legend-gradient').count() == 1
    colors = page.evaluate(
        "() => Object.values(window.techvalleyMap.layers.excluded._layers)"
        ".map(l => l.options.fillColor)"
    )
    assert colors == [maps.EXCLUDED_COLOR]
    page.evaluate(
        "() => Object.values(window.techvalleyMap.layers.excluded._layers)[0].openPopup()"
    )
    assert "<b>rent</b> missing" in page.locator(".leaflet-popup-content li").text_content()
    assert page.locator(".leaflet-popup-content b").count() == 0
    assert not events["errors"] and not events["dialogs"]


def test_zones_only_map(open_map):
    open_, events = open_map
    page = open_("bare")
    state = page.evaluate(
        "() => ({layers: Object.keys(window.techvalleyMap.layers),"
        " switch: document.querySelectorAll('.tv-indicator').length})"
    )
    assert set(state["layers"]) == {"tiles", "offline", "zones"} and state["switch"] == 0
    assert not events["errors"]
