"""How the maps present zones: zones at one place spread apart on screen (their data unchanged),
the best ranked zone and its label on top, colour-blind-safe palettes, the legend's fold."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.live import guard_page, serve
from tests.web.conftest import make_app, tiny_copy
from web.maps import settings

pytestmark = pytest.mark.browser

SAME_PLACE = [-7.646, 33.536]  # casanearshore's point: technopark-casa is put there too


@pytest.fixture
def crowded(tiny_data_path, tmp_path):
    def edit(features: list[dict]) -> None:
        for feature in features:
            if feature["properties"]["id"] == "technopark-casa":
                feature["geometry"] = {"type": "Point", "coordinates": SAME_PLACE}

    target = tiny_copy(tiny_data_path, tmp_path / "crowded", edit)
    app = make_app(target, tmp_path / "instance")
    live, server, thread = serve(app)
    yield live
    server.close()
    thread.join(timeout=5)


def open_home(page, live, width: int, height: int) -> None:
    """The home page's map at a window size, once its handle is published."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live.url + "/")
    page.wait_for_function("() => !!window.techvalleyMap")


MARKERS = """() => {
  const h = window.techvalleyMap;
  return Object.fromEntries(Object.entries(h.zones).map(([id, l]) => {
    const p = h.map.latLngToContainerPoint(l.getLatLng());
    return [id, {x: p.x, y: p.y, data: l.feature.geometry.coordinates}];
  }));
}"""


def test_zones_at_one_place_are_spread_and_each_can_be_clicked(crowded, page):
    guard = guard_page(page)
    open_home(page, crowded, 1366, 768)
    for zoom in (8, 12):
        page.evaluate(
            f"() => window.techvalleyMap.map.setView([{SAME_PLACE[1]}, {SAME_PLACE[0]}], {zoom}, "
            "{animate: false})"
        )
        markers = page.evaluate(MARKERS)
        a, b = markers["casanearshore"], markers["technopark-casa"]
        # the data keeps the shared place; the screen does not
        assert a["data"] == b["data"] == SAME_PLACE
        assert ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 >= 14
        # a click on each one's drawn centre opens its own popup
        for zone_id, name in (("casanearshore", "Casanearshore Park"), ("technopark-casa", "Technopark Casablanca")):
            point = page.evaluate(MARKERS)[zone_id]
            box = page.locator(".folium-map").bounding_box()
            page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
            popup = page.locator(".leaflet-popup-content h3")
            popup.wait_for()
            assert popup.inner_text() == name
            page.evaluate("() => window.techvalleyMap.map.closePopup()")
            expect(popup).to_have_count(0)
    assert not guard.errors


def test_the_best_ranked_zone_and_its_label_are_on_top(crowded, page):
    guard = guard_page(page)
    page.goto(crowded.url + "/match")
    page.fill("input[name=name]", "Top")
    page.click("form.match button[type=submit]")
    page.wait_for_function("() => window.techvalleyMap && window.techvalleyMap.kind === 'score'")
    order = page.evaluate(
        """() => {
          const h = window.techvalleyMap;
          const layers = Object.values(h.zones);
          const paths = [...layers[0]._path.parentNode.children];
          return layers.map(l => ({
            rank: l.feature.properties.rank,
            dom: paths.indexOf(l._path),
            z: Number((l.getTooltip() && l.getTooltip().getElement().style.zIndex) || 0),
          }));
        }"""
    )
    best = min(order, key=lambda o: o["rank"])
    assert best["dom"] == max(o["dom"] for o in order)  # drawn last: on top
    assert best["z"] == max(o["z"] for o in order)
    # the score scale is viridis, not red to green
    colors = page.evaluate("() => Object.values(window.techvalleyMap.zones).map(l => l.options.fillColor)")
    assert "#d7191c" not in colors and "#1a9641" not in colors
    assert settings.SCORE_COLORS[0] == "#440154" and settings.SCORE_COLORS[-1] == "#fde725"
    assert not guard.errors


def test_legend_folds_and_unfolds(crowded, page):
    guard_page(page)
    open_home(page, crowded, 1366, 768)
    toggle = page.locator(".tv-legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"  # a wide map: open
    assert page.locator(".tv-legend-body").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator(".tv-legend-body").is_visible()
    toggle.press("Enter")
    assert page.locator(".tv-legend-body").is_visible()


OVERLAPS = """() => {
  const popup = document.querySelector('.leaflet-popup').getBoundingClientRect();
  const map = document.querySelector('.folium-map').getBoundingClientRect();
  const hit = [...document.querySelectorAll('.leaflet-control')]
    .filter(c => getComputedStyle(c).visibility !== 'hidden')
    .filter(c => { const r = c.getBoundingClientRect();
      return r.left < popup.right && popup.left < r.right && r.top < popup.bottom && popup.top < r.bottom; })
    .map(c => c.className);
  return {hit, inside: popup.left >= map.left && popup.right <= map.right};
}"""


def test_a_popup_on_a_phone_is_not_covered_by_the_map_controls(crowded, page):
    guard = guard_page(page)
    open_home(page, crowded, 390, 844)
    search = page.locator(".tv-search-input")
    assert search.is_visible()
    # the zone nearest the top-left corner: its popup opens where the controls are
    zone = page.evaluate("""() => { const h = window.techvalleyMap; let best = null;
      for (const id in h.zones) { const p = h.map.latLngToContainerPoint(h.zones[id].getLatLng());
        if (!best || p.x + p.y < best[1]) best = [id, p.x + p.y]; } return best[0]; }""")
    assert page.evaluate(f"window.techvalleyMap.showZone({json.dumps(zone)})")
    expect(page.locator(".leaflet-popup")).to_be_visible()
    found = page.evaluate(OVERLAPS)
    assert found == {"hit": [], "inside": True}
    assert not search.is_visible()
    page.locator(".leaflet-popup-close-button").click()
    expect(search).to_be_visible()  # back once the popup closes
    assert not guard.errors


def test_a_popup_on_a_wide_map_keeps_the_controls(crowded, page):
    open_home(page, crowded, 1366, 768)
    page.evaluate("window.techvalleyMap.showZone('technopark-casa')")
    expect(page.locator(".leaflet-popup")).to_be_visible()
    assert page.locator(".tv-search-input").is_visible()
