"""End to end in headless Chromium: staff record three investor projects, move them through their
stages, and watch the pipeline dashboard's totals and its space-runs-out table change; the CSV
export says what the dashboard shows."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.browser.live import guard_page, live_server, log_in_as_staff  # noqa: F401  (browser, page: conftest)
from tests.web.conftest import add_staff, app  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def record(page, base: str, *, name: str, activity: str, ramp: str) -> None:
    page.goto(base + "/staff/pipeline/")
    page.click("text=Record a project")
    page.fill("#name", name)
    page.select_option("#activity", activity)
    page.fill("#ramp", ramp)
    page.click("form.project button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/pipeline/$"))


def move(page, base: str, name: str, stage: str, *, zone: str = "", considered=(), reason: str = "") -> None:
    page.goto(base + "/staff/pipeline/")
    page.click(f"table.projects a:text-is('{name}')")
    page.select_option("#stage", stage)
    if zone:
        page.select_option("#zone_id", zone)
    for other in considered:
        page.check(f"input[name=considered][value='{other}']")
    page.fill("#reason", reason)
    page.click("form.project button[type=submit]")


def dashboard(page, base: str) -> dict:
    page.goto(base + "/staff/pipeline/dashboard")
    figures = {key: number(page.inner_text(f"#{key}-jobs"))
               for key in ("committed", "pipeline", "projected", "gap")}
    figures["stages"] = {row.get_attribute("data-stage"): number(row.locator("td").inner_text())
                         for row in page.locator("table.by-stage tbody tr").all()}
    figures["runout"] = {row.get_attribute("data-zone"): [c.strip() for c in row.locator("td").all_inner_texts()]
                         for row in page.locator("table.runout tbody tr").all()}
    return figures


def test_three_projects_through_their_stages(app, live_server, page):  # noqa: F811
    add_staff(app)
    guard = guard_page(page)
    base = live_server.url
    log_in_as_staff(page, base)
    record(page, base, name="Alpha CRM", activity="CRM", ramp="2026: 100\n2027: 100")
    record(page, base, name="Beta ITO", activity="ITO", ramp="2026: 30")
    record(page, base, name="Gamma BPO", activity="BPO", ramp="2027: 60")
    start = dashboard(page, base)
    assert (start["committed"], start["pipeline"], start["gap"]) == (0, 290, 270_000 - 148_500)
    assert start["stages"]["lead"] == 290 and start["runout"] == {}
    assert page.locator("svg.chart").count() >= 3

    # Alpha commits to Technopark Rabat: 200 jobs x 8 m², 400 m² available: it runs out in 2026
    move(page, base, "Alpha CRM", "committed", zone="technopark-rabat", considered=["technopolis"])
    page.wait_for_url(re.compile(r"/staff/pipeline/$"))
    committed = dashboard(page, base)
    assert committed["committed"] == 200 and committed["projected"] == 148_500 + 200
    assert committed["stages"]["lead"] == 90 and committed["stages"]["committed"] == 200
    assert committed["runout"]["technopark-rabat"][0] == "1,600"
    assert committed["runout"]["technopark-rabat"][-1] == "2026"

    # Beta operates at Technopolis (12,000 m²): room left; Gamma is lost
    move(page, base, "Beta ITO", "visit")
    page.wait_for_url(re.compile(r"/staff/pipeline/$"))
    move(page, base, "Beta ITO", "operating", zone="technopolis")
    page.wait_for_url(re.compile(r"/staff/pipeline/$"))
    move(page, base, "Gamma BPO", "lost")
    page.wait_for_url(re.compile(r"/staff/pipeline/$"))
    later = dashboard(page, base)
    assert later["committed"] == 230 and later["pipeline"] == 230 and later["stages"]["lost"] == 60
    assert later["runout"]["technopolis"][-1] == "not with these plans"
    assert list(later["runout"]) == ["technopark-rabat", "technopolis"]  # the soonest first

    # going back needs a reason: refused without one, then taken, and the table changes again
    move(page, base, "Alpha CRM", "visit")
    assert "The stage goes back (from Committed to Visit): say why in the reason." in page.inner_text("form.project")
    move(page, base, "Alpha CRM", "visit", reason="the board postponed its decision")
    page.wait_for_url(re.compile(r"/staff/pipeline/$"))
    back = dashboard(page, base)
    assert back["committed"] == 30 and list(back["runout"]) == ["technopolis"]

    # the CSV export says what the dashboard shows
    text = page.request.get(base + "/staff/pipeline/dashboard.csv").text()
    rows = {(r["table"], r["key"], r["measure"]): r["value"] for r in csv.DictReader(io.StringIO(text))}
    assert int(rows[("summary", "committed_jobs", "committed_jobs")]) == back["committed"]
    assert int(rows[("summary", "pipeline_jobs", "pipeline_jobs")]) == back["pipeline"]
    assert int(rows[("summary", "projected_jobs", "projected_jobs")]) == back["projected"]
    assert int(rows[("summary", "gap_jobs", "gap_jobs")]) == back["gap"]
    for stage, jobs in back["stages"].items():
        assert int(rows[("stage", stage, "jobs")]) == jobs
    for zone, cells in back["runout"].items():
        assert float(rows[("floor", zone, "committed_m2")]) == number(cells[0])
    assert guard.errors == [] and guard.cdn_requests() == []
