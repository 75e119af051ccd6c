"""End to end in headless Chromium: staff move a zone on the map and edit its rent; the next
shortlist and the zone page show the change with its history."""

from __future__ import annotations

import re

import pytest

from tests.browser.live import guard_page, live_server, log_in_as_staff  # noqa: F401  (browser, page: conftest)
from tests.web.conftest import add_staff, app, shortlist_body  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

#: a point on land in Casablanca, far from technopolis (Salé), in the tiny dataset's regions
TARGET = (33.55, -7.60)


def test_staff_move_a_zone_on_the_map_and_edit_its_rent(app, live_server, page):  # noqa: F811
    add_staff(app)
    guard = guard_page(page)
    log_in_as_staff(page, live_server.url)
    before = page.request.post(live_server.url + "/api/v1/rank", data=shortlist_body()).json()
    old_km = {z["id"]: z["values"]["airports_km"] for z in before["ranked"]}["technopolis"]

    page.goto(live_server.url + "/staff/inventory/")
    page.click("a[href$='/staff/inventory/technopolis/edit']")
    page.wait_for_function("() => window.inventoryPicker && window.inventoryPicker.map")
    # centre the map on the target, then click the map's centre: the pin and the fields follow
    page.evaluate(f"window.inventoryPicker.map.setView([{TARGET[0]}, {TARGET[1]}], 14, {{animate: false}})")
    page.locator("#picker").scroll_into_view_if_needed()
    box = page.locator("#picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert float(page.input_value("#lat")) == pytest.approx(TARGET[0], abs=0.001)
    assert float(page.input_value("#lon")) == pytest.approx(TARGET[1], abs=0.001)
    assert page.locator(".leaflet-marker-icon").count() == 1
    page.fill("#rent", "64")
    page.fill("#rent_as_of", "2025-12-01")
    page.fill("#source", "Operator's price list, December 2025")
    page.click("form.inventory button[type=submit]")
    page.wait_for_url(re.compile(r"/sites/technopolis$"))

    assert page.locator("p.updated").inner_text().startswith("Updated on")
    history = page.locator("table.history").inner_text()
    assert "Rent (MAD/m²/month)" in history and "95" in history and "64" in history
    assert "Operator's price list, December 2025" in history
    assert re.search(r"\t33\.5\d+, -7\.[56]\d+\t", history), history  # the new location
    assert "pinned from an address or a landmark" in history  # its precision now: address

    after = page.request.post(live_server.url + "/api/v1/rank", data=shortlist_body()).json()
    technopolis = next(z for z in after["ranked"] if z["id"] == "technopolis")
    assert technopolis["values"]["rent_mad_m2_month"] == 64
    assert technopolis["values"]["airports_km"] > old_km + 10  # recomputed at the new place
    assert guard.errors == [] and guard.cdn_requests() == []
