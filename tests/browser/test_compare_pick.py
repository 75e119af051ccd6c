"""Picking zones to compare on the map (web/static/maps/techvalley-map.js): each zone's popup has
an "Add to comparison" button, the bar under the map lists the picks (each removable) and links
"Compare (n)" to /compare?ids=...; by mouse and keyboard, at 1366 and 390 px, on the home page
and on a result's map. Also the EN/FR switch of a posted result (a form re-posting it)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.live import guard_page, live_server  # noqa: F401  (browser, page: conftest)
from tests.web.conftest import app  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

SIZES = [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]
POPUP_TOGGLE = ".leaflet-popup .tv-compare-toggle"


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's critical and serious violations of the page as shown (popup, bar, switch)."""
    return [
        f"{v['id']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"critical", "serious"}
    ]


def popup_toggle(page: Page, zone_id: str):
    # the popup closing fades out: the open one is the zone's
    return page.locator(f'{POPUP_TOGGLE}[data-compare-id="{zone_id}"]')


def open_popup(page: Page, zone_id: str):
    assert page.evaluate("(id) => window.techvalleyMap.showZone(id)", zone_id) is True
    expect(popup_toggle(page, zone_id)).to_be_visible()
    return popup_toggle(page, zone_id)


def compared_ids(page: Page) -> list[str]:
    """The zones of the comparison page, by the links of its table's head."""
    hrefs = page.locator("table.compare").first.locator("thead a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    return [href.rsplit("/", 1)[-1] for href in hrefs]


@pytest.mark.parametrize("size", SIZES, ids=["1366", "390"])
def test_pick_three_zones_on_the_home_map_compare_them_and_remove_one(live_server, page, size):  # noqa: F811
    guard = guard_page(page)
    page.set_viewport_size(size)
    page.goto(live_server.url + "/")
    page.wait_for_function("() => !!window.techvalleyMap")
    bar = page.locator(".tv-compare-bar")
    expect(bar).to_be_hidden()  # nothing picked yet
    ids = page.evaluate("() => Object.keys(window.techvalleyMap.zones)")[:3]
    assert len(ids) == 3

    for n, zone_id in enumerate(ids, start=1):
        toggle = open_popup(page, zone_id)
        expect(toggle).to_have_text("Add to comparison")
        box = toggle.bounding_box()
        assert box and box["height"] >= 44  # a finger's tap target
        toggle.click()
        expect(toggle).to_have_text("Remove from comparison")
        expect(bar.locator(".tv-compare-open")).to_have_text(f"Compare ({n})")

    expect(bar.locator(".tv-compare-picks li")).to_have_count(3)
    for button in bar.locator(".tv-compare-remove").all():
        box = button.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
    assert serious_axe_violations(page) == []

    bar.locator(".tv-compare-open").click()
    page.wait_for_url(re.compile(r"/compare\?ids="))
    assert compared_ids(page) == ids

    # back on the map the picks are still there; the second one is removed from the bar
    page.goto(live_server.url + "/")
    page.wait_for_function("() => !!window.techvalleyMap")
    expect(bar.locator(".tv-compare-picks li")).to_have_count(3)
    bar.locator(f'.tv-compare-remove[data-compare-id="{ids[1]}"]').click()
    expect(bar.locator(".tv-compare-open")).to_have_text("Compare (2)")
    expect(open_popup(page, ids[1])).to_have_text("Add to comparison")
    # and the first from its popup
    open_popup(page, ids[0]).click()
    expect(bar.locator(".tv-compare-open")).to_have_text("Compare (1)")
    bar.locator(".tv-compare-open").click()
    page.wait_for_url(re.compile(r"/compare\?ids="))
    assert compared_ids(page) == [ids[2]]
    assert guard.errors == [] and guard.cdn_requests() == []


def test_pick_and_remove_by_keyboard(live_server, page):  # noqa: F811
    guard = guard_page(page)
    page.goto(live_server.url + "/?lang=fr")
    page.wait_for_function("() => !!window.techvalleyMap")
    first = page.evaluate(
        "() => { const z = Object.values(window.techvalleyMap.zones)[0]; return [z.feature.properties.id, z.feature.properties.name]; }"
    )
    # the search box opens the zone's popup; its button is a Tab stop of the popup
    page.focus(".tv-search-input")
    page.keyboard.type(first[1])
    page.keyboard.press("Enter")
    toggle = popup_toggle(page, first[0])
    expect(toggle).to_be_visible()
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.matches('.leaflet-popup .tv-compare-toggle')"):
            break
    else:
        raise AssertionError("the popup's button is not reached by the keyboard")
    expect(toggle).to_have_text("Ajouter à la comparaison")
    page.keyboard.press("Enter")
    bar = page.locator(".tv-compare-bar")
    expect(bar.locator(".tv-compare-open")).to_have_text("Comparer (1)")
    expect(toggle).to_have_text("Retirer de la comparaison")
    # the bar's remove button, reached by Tab, takes it away and hides the bar
    remove = bar.locator(".tv-compare-remove")
    expect(remove).to_have_attribute("aria-label", f"Retirer de la comparaison\u202f: {first[1]}")
    remove.focus()
    page.keyboard.press("Enter")
    expect(bar).to_be_hidden()
    expect(toggle).to_have_text("Ajouter à la comparaison")
    assert guard.errors == []


def test_pick_on_a_result_map_and_switch_its_language(live_server, page):  # noqa: F811
    guard = guard_page(page)
    page.goto(live_server.url + "/match?lang=en")
    page.fill("input[name=max_rent]", "100")
    page.select_option("select[name=weight_labour]", "5")
    page.click("form.match button[type=submit]")
    page.wait_for_selector("table.ranked")
    page.wait_for_function("() => window.techvalleyMap && window.techvalleyMap.kind === 'score'")
    ranked = page.locator("table.ranked tbody tr").evaluate_all("(rows) => rows.map((r) => r.dataset.id)")
    scores = page.locator("table.ranked .score-value").all_inner_texts()
    for zone_id in ranked[:2]:
        open_popup(page, zone_id).click()
    bar = page.locator(".tv-compare-bar")
    expect(bar.locator(".tv-compare-open")).to_have_text("Compare (2)")
    assert serious_axe_violations(page) == []

    # the switch on a posted result shows the same result in French, the picks kept
    page.locator('form.lang-repost button[data-lang="fr"]').click()
    page.wait_for_selector('html[lang="fr"] table.ranked')
    page.wait_for_function("() => window.techvalleyMap && window.techvalleyMap.kind === 'score'")
    assert page.locator("table.ranked tbody tr").evaluate_all("(rows) => rows.map((r) => r.dataset.id)") == ranked
    french_scores = page.locator("table.ranked .score-value").all_inner_texts()
    assert [s.replace(",", ".") for s in french_scores] == scores
    expect(bar.locator(".tv-compare-open")).to_have_text("Comparer (2)")
    bar.locator(".tv-compare-open").click()
    page.wait_for_url(re.compile(r"/compare\?ids="))
    assert compared_ids(page) == ranked[:2]
    assert page.locator("html").get_attribute("lang") == "fr"
    assert guard.errors == [] and guard.cdn_requests() == []
