"""In headless Chromium: a click on a parcel's row flies the planning map to it; the page in
both languages at a phone's and a laptop's width (screenshots in /tmp/shots_h14parcels)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.live import guard_page, log_in_as_staff, serve
from tests.web.conftest import add_staff, make_app

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots_h14parcels")


@pytest.fixture
def live(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance")
    add_staff(app)
    server_info, server, thread = serve(app)
    yield server_info
    server.close()
    thread.join(timeout=5)


def test_a_click_on_a_parcel_flies_the_map_to_it(live, page):
    guard = guard_page(page)
    log_in_as_staff(page, live.url)
    page.goto(live.url + "/staff/planning?resolution=6&percentile=10")
    page.wait_for_function("window.techvalleyMap && window.techvalleyMap.map")
    rows = page.locator("#parcels tbody tr")
    assert rows.count() >= 1
    before = page.evaluate("window.techvalleyMap.map.getZoom()")
    rows.nth(0).locator("a.fly").click()
    south, west, north, east = (float(v) for v in
                                rows.nth(0).get_attribute("data-bounds").split(","))
    # the flight ends with the parcel in view, zoomed in (polled: the page's CSP forbids eval)
    view = "() => { const m = window.techvalleyMap.map, c = m.getCenter(); " \
           "return [m.getZoom(), c.lat, c.lng]; }"
    for _ in range(50):
        zoom, lat, lng = page.evaluate(view)
        if (zoom > before and south - 0.02 < lat < north + 0.02
                and west - 0.02 < lng < east + 0.02):
            break
        page.wait_for_timeout(200)
    else:
        pytest.fail(f"the map did not fly to the parcel: zoom {zoom}, centre {lat}, {lng}")
    assert "selected" in rows.nth(0).get_attribute("class")
    assert not guard.errors and not guard.cdn_requests()  # map tiles are blocked offline


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_page_fits_and_is_translated(live, page, lang, width):
    guard_page(page)
    page.set_viewport_size({"width": width, "height": 900})
    log_in_as_staff(page, live.url)
    page.goto(live.url + f"/staff/planning?resolution=6&percentile=10&lang={lang}")
    page.wait_for_function("window.techvalleyMap && window.techvalleyMap.map")
    heading = page.locator("h2", has_text="Parcelles candidates" if lang == "fr"
                           else "Candidate parcels")
    assert heading.count() == 1
    # the page itself does not scroll sideways (wide tables scroll in their own box)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    SHOTS.mkdir(exist_ok=True)
    page.locator("#parcels tbody tr").first.locator("a.fly").click()
    page.wait_for_timeout(1200)
    page.screenshot(path=str(SHOTS / f"planning_{lang}_{width}.png"), full_page=True)
