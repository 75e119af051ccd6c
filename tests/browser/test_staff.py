"""In headless Chromium, as staff: search saved shortlists, rename one, delete one after the
confirmation, mark an inquiry handled and download the inquiries as CSV; the staff pages fit a
phone's width."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.browser.live import guard_page, log_in_as_staff, serve
from tests.web.conftest import add_staff, make_app, shortlist_body

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance")
    add_staff(app)
    client = app.test_client()
    for name, about in [("Acme call centre", {"investor": "Acme Holdings"}),
                        ("Nearshore IT", "Ōkami Société"), ("Fes back office", None)]:
        body = shortlist_body(name=name, **({"about": about} if about else {}))
        assert client.post("/api/v1/shortlists", json=body).status_code == 201
    from web.extensions import db
    from web.models import Inquiry

    with app.app_context():
        db.session.add(Inquiry(zone_id="technopolis", zone_name="Technopolis", name="=Ana Formula",
                               email="ana@example.com", message="500 seats"))
        db.session.commit()
    server_info, server, thread = serve(app)
    yield server_info
    server.close()
    thread.join(timeout=5)


def _names(page) -> list[str]:
    return page.locator("table.list tbody tr td:first-child").all_inner_texts()


def test_search_rename_delete_and_handle_an_inquiry(live, page, tmp_path):
    guard = guard_page(page)
    log_in_as_staff(page, live.url)

    page.get_by_label("Search by name, investor or notes").fill("holdings")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=holdings"))
    assert _names(page) == ["Acme call centre"]

    page.get_by_role("link", name="Rename Acme call centre").click()
    page.fill("input[name=name]", "")
    page.get_by_role("button", name="Rename").click()
    assert "cannot be empty" in page.locator(".field .error").inner_text()
    page.fill("input[name=name]", "Casablanca CRM")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_url(re.compile(r"/staff/shortlists$"))
    assert "Casablanca CRM" in page.locator(".flash").inner_text()
    assert sorted(_names(page)) == ["Casablanca CRM", "Fes back office", "Nearshore IT"]

    page.get_by_role("link", name="Delete Nearshore IT").click()
    assert "Nearshore IT" in page.locator("main").inner_text()
    page.get_by_role("link", name="Keep it").click()  # changing one's mind deletes nothing
    assert len(_names(page)) == 3
    page.get_by_role("link", name="Delete Nearshore IT").click()
    page.get_by_role("button", name="Delete for good").click()
    page.wait_for_url(re.compile(r"/staff/shortlists$"))
    assert sorted(_names(page)) == ["Casablanca CRM", "Fes back office"]

    page.goto(live.url + "/staff/inquiries?status=unhandled")
    assert "=Ana Formula" in page.locator("table.list").inner_text()
    page.get_by_role("button", name="Mark the inquiry from =Ana Formula handled").click()
    page.wait_for_url(re.compile(r"status=unhandled"))
    assert page.locator("table.list").count() == 0  # handled: gone from the unhandled view
    page.goto(live.url + "/staff/inquiries?status=handled")
    assert "Handled by staff@amdie.example" in page.locator("table.list").inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download these inquiries (CSV)").click()
    download = info.value
    assert download.failure() is None
    assert re.fullmatch(r"inquiries-handled-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["name"], r["status"], r["handled_by"]) for r in rows] == [
        ("'=Ana Formula", "handled", "staff@amdie.example")
    ]
    assert guard.blocked == [] and guard.errors == []


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [390, 1366])
def test_staff_pages_fit_the_width(live, browser, lang, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 768})
    page = context.new_page()
    guard_page(page)
    log_in_as_staff(page, live.url)
    try:
        for path in ["/staff/shortlists", "/staff/shortlists?q=acme", "/staff/inquiries"]:
            page.goto(f"{live.url}{path}{'&' if '?' in path else '?'}lang={lang}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (path, width, lang, overflow)
        links = page.goto(live.url + f"/staff/shortlists?lang={lang}")
        assert links is not None and links.ok
        for action in ("rename", "delete"):
            page.goto(live.url + f"/staff/shortlists?lang={lang}")
            page.locator(f"a[href$='/{action}']").first.click()
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (action, width, lang, overflow)
    finally:
        context.close()
