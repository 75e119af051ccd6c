"""Every page, in English and French, on a laptop (1366×768) and a phone (390×844): no sideways
scroll of the page, no critical or serious axe-core violation, and a screenshot of each.

The screenshots go to ``build/screenshots/`` (``TECHVALLEY_SCREENSHOTS`` to change it), named
``<page>-<lang>-<viewport>.png``, for a reviewer to look at. axe-core is the copy bundled in
``axe-playwright-python`` (offline; every non-local request is blocked).

One app and one browser for the module; each language is one browser context (its
``Accept-Language``), staff pages another context logged in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import abort
from playwright.sync_api import Browser, Page

from tests.browser.live import LiveServer, guard_page, log_in_as_staff, serve
from tests.web.conftest import add_staff, csrf_token, login, make_app, shortlist_body

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("TECHVALLEY_SCREENSHOTS") or ROOT / "build" / "screenshots")
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
#: axe impacts that fail the test
BLOCKING = {"critical", "serious"}
AXE = Axe()


@dataclass
class Site:
    live: LiveServer
    shortlist_id: str
    share_path: str


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    app = make_app(ROOT / "tests" / "fixtures" / "tiny", tmp_path_factory.mktemp("layout") / "instance")

    # the error pages a visitor can meet but a browser cannot easily cause
    @app.get("/_layout/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.get("/_layout/too-large")
    def too_large():
        abort(413)

    @app.get("/_layout/too-many")
    def too_many():
        abort(429, description="10 per 1 minute")

    add_staff(app)
    client = app.test_client()
    created = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    token = csrf_token(client, "/sites/technopolis")
    sent = client.post("/sites/technopolis/inquiry", data={
        "csrf_token": token, "name": "Amina Investor", "email": "amina@example.com",
        "message": "We look for 400 seats near Rabat, from next spring.",
    })
    assert sent.status_code in (200, 302), sent.status_code
    assert login(client).status_code == 302
    for name, stage, zone in (("Acme CRM", "committed", "technopolis"), ("Beta BPO", "lead", "")):
        project = client.post("/staff/pipeline/new", data={
            "csrf_token": csrf_token(client, "/staff/pipeline/new"), "name": name, "activity": "CRM",
            "ramp": "2026: 200\n2027: 300", "stage": stage, "zone_id": zone, "reason": "",
            "floor_area": "", "inquiry_id": "", "shortlists": "", "notes": ""})
        assert project.status_code == 302, project.get_data(as_text=True)
    live, server, thread = serve(app)
    yield Site(live, created["id"], "/s/" + created["url"].rsplit("/s/", 1)[1])
    server.close()
    thread.join(timeout=5)


def _match_result(page: Page, url: str) -> None:
    page.goto(url + "/match")
    page.fill("input[name=name]", "Project Argan")
    page.click("form.match button[type=submit]")
    page.wait_for_selector("table.ranked")


def _pages(site: Site) -> dict[str, str | Callable[[Page, str], None]]:
    return {
        "home": "/",
        "match-form": "/match",
        "match-result": _match_result,
        "share": site.share_path,
        "compare": "/compare?ids=technopolis,casanearshore,technopark-casa,ctv",
        "zone": "/sites/technopolis",
        "login": "/staff/login",
        "error-404": "/no/such/page",
        "error-405": "/match/save",
        "error-413": "/_layout/too-large",
        "error-429": "/_layout/too-many",
        "error-500": "/_layout/boom",
    }


def _staff_pages(site: Site) -> dict[str, str]:
    return {
        "staff-shortlists": "/staff/shortlists",
        "staff-inquiries": "/staff/inquiries",
        "staff-shortlist": f"/shortlists/{site.shortlist_id}",
        "staff-planning": "/staff/planning",
        "staff-rename": f"/staff/shortlists/{site.shortlist_id}/rename",
        "staff-delete": f"/staff/shortlists/{site.shortlist_id}/delete",
        "staff-inventory": "/staff/inventory/",
        "staff-inventory-edit": "/staff/inventory/technopolis/edit",
        "staff-inventory-new": "/staff/inventory/new",
        "staff-pipeline": "/staff/pipeline/",
        "staff-pipeline-dashboard": "/staff/pipeline/dashboard",
        "staff-pipeline-new": "/staff/pipeline/new",
        "staff-pipeline-edit": "/staff/pipeline/1/edit",
    }


def _settle(page: Page) -> None:
    page.wait_for_load_state("load")
    if page.evaluate("() => !!document.querySelector('.folium-map, .techvalley-map')"):
        page.wait_for_function("() => !!window.techvalleyMap")


def _check(page: Page, name: str, lang: str, viewport: str) -> list[str]:
    """The problems of the page shown (overflow, axe), after writing its screenshot."""
    problems = []
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                 .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
        )
        problems.append(f"{name} {lang} {viewport}: page {width[0]} px wide in {width[1]} px {wide}")
    # charts and the ranked list fit the page: no sideways scrolling inside their boxes either
    boxed = page.evaluate(
        """() => [...document.querySelectorAll('.chart-box, .scroll:has(table.ranked)')]
             .filter(e => e.scrollWidth > e.clientWidth + 1)
             .map(e => e.className + ' ' + e.scrollWidth + '>' + e.clientWidth)"""
    )
    if boxed:
        problems.append(f"{name} {lang} {viewport}: scrolls sideways inside {boxed}")
    results = AXE.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [n["target"] for n in violation["nodes"][:3]]
            problems.append(
                f"{name} {lang} {viewport}: axe {violation['impact']} {violation['id']} "
                f"({violation['help']}) at {targets}"
            )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{viewport}.png"), full_page=True)
    return problems


def _sweep(page: Page, base: str, pages: dict, lang: str) -> list[str]:
    problems: list[str] = []
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        for name, how in pages.items():
            if callable(how):
                how(page, base)
            else:
                page.goto(base + how)
            _settle(page)
            assert page.locator("html").get_attribute("lang") == lang, (name, lang)
            problems += _check(page, name, lang, viewport)
    return problems


@pytest.mark.parametrize("lang", list(LOCALES))
def test_every_page_fits_and_passes_axe(site: Site, browser: Browser, lang: str):
    context = browser.new_context(locale=LOCALES[lang])
    try:
        page = context.new_page()
        guard = guard_page(page)
        problems = _sweep(page, site.live.url, _pages(site), lang)
        log_in_as_staff(page, site.live.url)
        problems += _sweep(page, site.live.url, _staff_pages(site), lang)
        assert guard.cdn_requests() == []
        assert not guard.errors, guard.errors
    finally:
        context.close()
    assert not problems, "\n".join(problems)


SIDEWAYS = """() => [
  ...(document.documentElement.scrollWidth > window.innerWidth ? ['page'] : []),
  ...[...document.querySelectorAll('.chart-box, .scroll:has(table.ranked)')]
     .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)]"""


@pytest.mark.parametrize("lang", list(LOCALES))
def test_the_smallest_phones_360_px_wide_fit_every_page(site: Site, browser: Browser, lang: str):
    """The issue's floor: 360 px (French has the longer words). Overflow only: the sweep
    above runs axe and takes the screenshots."""
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        problems = []
        for name, how in _pages(site).items():
            how(page, site.live.url) if callable(how) else page.goto(site.live.url + how)
            _settle(page)
            wide = page.evaluate(SIDEWAYS)
            if wide:
                problems.append(f"{name} {lang} 360 px: scrolls sideways: {wide}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_language_switch_keeps_the_page_and_its_query(site: Site, browser: Browser):
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        guard_page(page)
        page.goto(site.live.url + "/compare?ids=technopolis&ids=ctv")
        chosen = page.locator("table.compare thead th a").all_inner_texts()
        page.click(".langs a[hreflang=fr]")
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert re.search(r"/compare\?ids=technopolis&ids=ctv&lang=fr$", page.url), page.url
        assert page.locator("table.compare thead th a").all_inner_texts() == chosen
        page.goto(site.live.url + site.share_path)
        page.click(".langs a[hreflang=en]")
        page.wait_for_load_state("load")
        assert page.url.startswith(site.live.url + site.share_path + "?")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("table.ranked").count() == 1
    finally:
        context.close()


def test_the_phone_menu_folds_and_opens(site: Site, browser: Browser):
    context = browser.new_context(locale="en-GB", viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        guard_page(page)
        page.goto(site.live.url + "/")
        toggle = page.locator(".menu-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#site-nav a[href='/match']").is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        link = page.locator("#site-nav a[href='/match']")
        assert link.is_visible()
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 390
        # the map's legend starts folded on a phone: it would cover the map
        assert page.locator(".tv-legend-toggle").get_attribute("aria-expanded") == "false"
    finally:
        context.close()
