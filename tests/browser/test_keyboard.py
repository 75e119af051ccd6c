"""By keyboard alone: the zone list from the home page in under 20 Tab presses (the commune
polygons are not stops), the skip link, and the match flow from the form to the PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.live import guard_page, live_server  # noqa: F401  (browser, page: conftest)
from tests.web.conftest import app  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

IN_ZONE_LIST = "() => !!(document.activeElement && document.activeElement.closest('table.zones'))"


def tab_until(page: Page, test: str, *, limit: int, shift: bool = False) -> int:
    """Press Tab until ``test`` (a JS function) is true of the page; the presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if page.evaluate(test):
            return presses
    raise AssertionError(
        f"not reached in {limit} Tab presses; focus on "
        + page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
    )


def focused_is(selector: str) -> str:
    return f"() => !!(document.activeElement && document.activeElement.matches({selector!r}))"


@pytest.mark.parametrize("size", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_zone_list_within_20_tab_presses_of_the_home_page(live_server, page, size):  # noqa: F811
    guard = guard_page(page)
    page.set_viewport_size(size)
    page.goto(live_server.url + "/")
    page.wait_for_function("() => window.techvalleyMap && window.techvalleyMap.layers.communes")
    polygons = page.evaluate(
        "() => Object.values(window.techvalleyMap.layers.communes._layers).length"
    )
    assert polygons > 0
    assert tab_until(page, IN_ZONE_LIST, limit=19) < 20
    assert page.evaluate("() => document.activeElement.getAttribute('href')").startswith("/sites/")
    assert not guard.errors


def test_skip_link_moves_past_the_map(live_server, page):  # noqa: F811
    guard_page(page)
    page.goto(live_server.url + "/")
    page.wait_for_function("() => !!window.techvalleyMap")
    tab_until(page, focused_is("a.skip-map"), limit=15)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "zones"
    page.keyboard.press("Tab")
    assert page.evaluate(IN_ZONE_LIST)


def test_match_flow_from_form_to_pdf_by_keyboard(live_server, page):  # noqa: F811
    guard = guard_page(page)
    page.goto(live_server.url + "/match")
    tab_until(page, focused_is("input[name=name]"), limit=20)
    page.keyboard.type("Project Argan")
    tab_until(page, focused_is("input[name=max_rent]"), limit=10)
    page.keyboard.type("100")
    tab_until(page, focused_is("select[name=weight_labour]"), limit=10)
    page.keyboard.press("End")  # the highest weight
    tab_until(page, focused_is("form.match button[type=submit]"), limit=20)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("table.ranked")
    assert "Project Argan" in page.locator("h1").inner_text()
    assert page.locator("table.ranked tbody tr").count() >= 1
    # the PDF export is a button of the result's actions
    pdf = "() => !!(document.activeElement && document.activeElement.matches('.actions button')"
    pdf += " && document.activeElement.textContent.trim() === 'PDF')"
    tab_until(page, pdf, limit=40)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = download.path()
    assert path is not None
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert not guard.errors
