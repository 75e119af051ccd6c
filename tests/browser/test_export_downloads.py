"""In headless Chromium: every export button and link downloads its file (result, saved and
shared pages), "Investors like you" shows, and the HTML export's policy stops scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.live import guard_page, log_in_as_staff, serve
from tests.web.conftest import add_staff, make_app
from tests.web.shipped_like import write_past_investors
from web.shortlists import EXPORT_FORMATS

pytestmark = pytest.mark.browser

MAGIC = {"csv": b"", "xlsx": b"PK", "geojson": b"{", "pdf": b"%PDF", "html": b"<!doctype html>"}


@pytest.fixture
def live(tiny_data_path, tmp_path):
    past = write_past_investors(tmp_path / "past.yaml")
    app = make_app(tiny_data_path, tmp_path / "instance", TECHVALLEY_PAST_INVESTORS=str(past))
    add_staff(app)
    server_info, server, thread = serve(app)
    yield server_info
    server.close()
    thread.join(timeout=5)


def _download(page, click, fmt: str, tmp_path: Path) -> None:
    with page.expect_download() as info:
        click()
    download = info.value
    assert download.failure() is None, fmt
    assert download.suggested_filename.endswith(f".{fmt}"), download.suggested_filename
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    data = target.read_bytes()
    assert len(data) > 50, fmt
    assert data.lower().startswith(MAGIC[fmt].lower()), (fmt, data[:20])
    if fmt == "csv":
        assert b"rank,id,name" in data.split(b"\n", 1)[0]


def test_every_export_downloads_from_the_result_saved_and_shared_pages(live, browser, page, tmp_path):
    guard = guard_page(page)
    log_in_as_staff(page, live.url)

    page.goto(live.url + "/match")
    page.fill("input[name=name]", "Project Export")
    page.select_option("select[name=activity]", "CRM")
    page.fill("input[name=headcount]", "300")
    page.click("form.match button[type=submit]")
    page.wait_for_selector("table.ranked")

    section = page.locator("#similar-investors")
    assert section.is_visible()
    assert section.locator("table.similar tbody tr").count() == 5
    assert "Atlas Contact" in section.inner_text()  # staff see the names
    assert "Synthetic example" in section.inner_text()

    buttons = page.locator("div.actions form.inline button", has_text=re.compile(r"^[A-Z]+$"))
    labels = buttons.all_inner_texts()
    assert sorted(label.lower() for label in labels) == sorted(EXPORT_FORMATS)
    for label in labels:
        _download(page, lambda label=label: page.click(f"div.actions form.inline button:text-is('{label}')"),
                  label.lower(), tmp_path / "result")
    assert page.locator("table.ranked").count() == 1  # still on the result page

    page.click("text=Save and get a share link")
    page.wait_for_url(re.compile(r"/shortlists/[0-9a-f]{32}$"))
    share_url = page.input_value("input.share")
    for fmt in EXPORT_FORMATS:
        _download(page, lambda fmt=fmt: page.click(f"div.actions a[href$='/export/{fmt}']"), fmt, tmp_path / "saved")

    anonymous = browser.new_context()
    try:
        other = anonymous.new_page()
        other_guard = guard_page(other)
        other.goto(share_url)
        assert "Atlas Contact" not in other.content()
        assert other.locator("#similar-investors table.similar tbody tr").count() == 5
        for fmt in EXPORT_FORMATS:
            _download(other, lambda fmt=fmt: other.click(f"div.actions a[href$='/export/{fmt}']"), fmt,
                      tmp_path / "shared")
        assert other_guard.errors == [] and other_guard.dialogs == []
    finally:
        anonymous.close()
    assert guard.cdn_requests() == [] and guard.errors == [] and guard.dialogs == []


def _open_html_export_with_a_script(page, url: str, *, keep_policy: bool) -> list[str]:
    """Open the HTML export in the page (not as a download), with a script put before its own
    ``<meta>`` policy; return the dialogs the page opened."""
    guard = guard_page(page)

    def inject(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-disposition"}
        if not keep_policy:
            headers.pop("content-security-policy", None)
        assert response.body().startswith(b"<!doctype html>")
        body = b"<script>alert('export')</script>" + response.body()
        route.fulfill(status=response.status, headers=headers, body=body)

    page.route(re.compile(r".*/export/html$"), inject)
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    assert "Technopark" in page.inner_text("body")
    return guard.dialogs


def test_the_html_exports_policy_runs_no_script(live, browser, tmp_path):
    import json
    import urllib.request

    body = json.dumps({"name": "CSP", "criteria": [{"column": "rent_mad_m2_month", "direction": "cost",
                                                     "weight": 1}]}).encode()
    request = urllib.request.Request(live.url + "/api/v1/shortlists", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        share = json.load(response)["url"]
    url = share + "/export/html"
    for keep_policy, expected in ((True, []), (False, ["export"])):  # without it, the script would run
        context = browser.new_context()
        try:
            assert _open_html_export_with_a_script(context.new_page(), url, keep_policy=keep_policy) == expected
        finally:
            context.close()
