"""The jobs pipeline in the web app: recording projects, bad input, two staff at once, the
dashboard, its CSV and API, the decisions CSV and "Investors like you"."""

from __future__ import annotations

import base64
import csv
import io
import re

import pandas as pd
import pytest

from tests.web.conftest import STAFF_EMAIL, STAFF_PASSWORD, add_staff, csrf_token, login
from web.extensions import db
from web.models import Project, ProjectStage

NEW = "/staff/pipeline/new"


def basic() -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{STAFF_EMAIL}:{STAFF_PASSWORD}".encode()).decode()}


def fields(**values) -> dict:
    data = {"name": "Acme CRM", "activity": "CRM", "ramp": "2026: 200\n2027: 300", "floor_area": "",
            "stage": "lead", "reason": "", "zone_id": "", "considered": [], "inquiry_id": "",
            "shortlists": "", "notes": ""}
    data.update(values)
    return data


def save(client, url: str = NEW, **values):
    data = fields(**values)
    data["csrf_token"] = csrf_token(client, url)
    if "version" not in data and url != NEW:
        data["version"] = re.search(r'name="version"[^>]*value="(\d+)"', client.get(url).get_data(as_text=True)).group(1)
    return client.post(url, data=data)


def projects(app) -> list[Project]:
    with app.app_context():
        return db.session.query(Project).order_by(Project.id).all()


def board(client) -> dict:
    response = client.get("/api/v1/pipeline")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_pipeline_is_for_staff_only(client, app):
    for url in ("/staff/pipeline/", NEW, "/staff/pipeline/dashboard", "/staff/pipeline/dashboard.csv",
                "/staff/pipeline/decisions.csv", "/staff/pipeline/1/edit"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], url
    assert client.get("/api/v1/pipeline").status_code == 401
    add_staff(app)
    answer = client.get("/api/v1/pipeline", headers=basic())
    assert answer.status_code == 200 and answer.get_json()["targets"]["target_jobs"] == 270_000


def test_a_project_through_its_stages_moves_the_dashboard(app, staff_client):
    assert save(staff_client).status_code == 302
    empty_floor = board(staff_client)
    assert empty_floor["by_stage"]["lead"] == 500 and empty_floor["floor"] == []
    url = f"/staff/pipeline/{projects(app)[0].id}/edit"
    assert save(staff_client, url, stage="visit").status_code == 302
    assert save(staff_client, url, stage="committed", zone_id="technopark-rabat",
                considered=["technopark-rabat", "technopolis"]).status_code == 302
    figures = board(staff_client)
    assert figures["by_stage"]["lead"] == 0 and figures["by_stage"]["committed"] == 500
    assert figures["committed_jobs"] == 500 and figures["projected_jobs"] == 148_500 + 500
    assert figures["gap_jobs"] == 270_000 - 148_500 - 500
    # 200 jobs x 8 m² = 1,600 m² in 2026 > the 400 m² technopark-rabat has: runs out in 2026
    [floor] = figures["floor"]
    assert (floor["zone_id"], floor["committed_m2"], floor["available_m2"], floor["runs_out"]) == (
        "technopark-rabat", 4000.0, 400.0, 2026)
    assert figures["by_region"][0]["name"] == "Rabat-Salé-Kénitra"
    with app.app_context():
        trail = db.session.query(ProjectStage).order_by(ProjectStage.id).all()
        assert [s.stage for s in trail] == ["lead", "visit", "committed"]
        assert {s.changed_by for s in trail} == {STAFF_EMAIL}
    page = staff_client.get("/staff/pipeline/dashboard").get_data(as_text=True)
    assert re.search(r'<td class="runs-out">\s*2026\s*</td>', page)
    assert "<svg" in page and 'id="committed-jobs">500<' in page
    edit = staff_client.get(url).get_data(as_text=True)
    assert edit.count(STAFF_EMAIL) >= 3  # the stages' table: who moved it


def test_the_csv_export_matches_the_dashboard(app, staff_client):
    save(staff_client, stage="committed", zone_id="casanearshore", considered=["ctv"], floor_area="5000")
    save(staff_client, name="Beta", activity="ITO", ramp="2026: 50", stage="operating", zone_id="ctv")
    save(staff_client, name="Gamma", activity="BPO", ramp="2029: 40\n2032: 60", stage="shortlist_sent")
    response = staff_client.get("/staff/pipeline/dashboard.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    figures = board(staff_client)
    value = {(r["table"], r["key"], r["measure"]): r["value"] for r in rows}
    for stage, jobs in figures["by_stage"].items():
        assert int(value[("stage", stage, "jobs")]) == jobs
    for key in ("committed_jobs", "pipeline_jobs", "projected_jobs", "gap_jobs", "projects"):
        assert int(value[("summary", key, key)]) == figures[key]
    for table in ("zone", "region", "activity"):
        for row in figures[f"by_{table}"]:
            assert int(value[(table, row["key"], "total")]) == row["total"]
            for stage, jobs in row["jobs"].items():
                assert int(value[(table, row["key"], stage)]) == jobs
    for row in figures["floor"]:
        assert float(value[("floor", row["zone_id"], "committed_m2")]) == row["committed_m2"]
        assert value[("floor", row["zone_id"], "runs_out")] == str(row["runs_out"] or "")
    assert figures["by_stage"]["shortlist_sent"] == 40  # 2032 is after the target year
    # and the page shows the same figures
    page = staff_client.get("/staff/pipeline/dashboard").get_data(as_text=True)
    assert f'id="pipeline-jobs">{figures["pipeline_jobs"]}<' in page
    for stage, jobs in figures["by_stage"].items():
        assert re.search(rf'<tr data-stage="{stage}"><th>[^<]+</th><td class="num">{jobs}</td>', page), stage


def test_the_csv_export_is_formula_guarded():
    from web.pipeline import dashboard_csv

    figures = {"targets": {"target_year": 2030}, "projects": 1, "committed_jobs": 0, "pipeline_jobs": 0,
               "projected_jobs": 0, "gap_jobs": 0, "by_stage": {},
               "by_zone": [{"key": "=z", "name": "=HYPERLINK(\"x\")", "jobs": {"lead": 1}, "total": 1}],
               "by_region": [], "by_activity": [],
               "floor": [{"zone_id": "@z", "name": "+1", "committed_m2": 1.0, "available_m2": None, "runs_out": None}]}
    text = dashboard_csv(figures)
    assert "'=HYPERLINK" in text and "\n'=z" not in text and ",'=z," in text and ",'+1," in text
    assert not re.search(r"(^|,)[=+@-][^,]", text.replace(",-,", ","), re.M)


@pytest.mark.parametrize("ramp", ["2026: 0", "2026: -10", "2026: 12.5", "2026: lots", "", "2026 200"])
def test_jobs_that_are_not_a_positive_whole_number_are_refused(app, staff_client, ramp):
    response = save(staff_client, ramp=ramp)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'class="error"' in page
    assert projects(app) == []
    assert "Acme CRM" in page  # the form is kept as typed


def test_a_stage_going_backwards_needs_a_reason(app, staff_client):
    save(staff_client, stage="committed", zone_id="technopolis")
    url = f"/staff/pipeline/{projects(app)[0].id}/edit"
    response = save(staff_client, url, stage="visit", zone_id="technopolis")
    assert response.status_code == 422
    assert "The stage goes back (from Committed to Visit): say why in the reason." in response.get_data(as_text=True)
    assert projects(app)[0].stage == "committed"
    assert save(staff_client, url, stage="visit", zone_id="technopolis",
                reason="the board postponed the decision").status_code == 302
    with app.app_context():
        last = db.session.query(ProjectStage).order_by(ProjectStage.id.desc()).first()
        assert (last.stage, last.reason) == ("visit", "the board postponed the decision")


@pytest.mark.parametrize("stage", ["committed", "operating"])
def test_a_committed_project_needs_a_zone(app, staff_client, stage):
    response = save(staff_client, stage=stage)
    assert response.status_code == 422
    assert "A committed or operating project needs the zone it chose." in response.get_data(as_text=True)
    assert projects(app) == []


def test_a_zone_that_no_longer_exists(app, staff_client):
    response = save(staff_client, stage="committed", zone_id="atlantis", considered=["ctv", "gone-too"])
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "The zone atlantis is no longer in the dataset" in page
    assert "The zone gone-too is no longer in the dataset" in page and projects(app) == []
    # a project whose zone the dataset lost since (a zone removed from the data)
    with app.app_context():
        db.session.add(Project(name="Old", activity="ITO", ramp=[[2026, 100]], stage="committed",
                               zone_id="vanished", considered=["ctv"], version=1))
        db.session.commit()
    figures = board(staff_client)
    assert figures["by_zone"][0]["name"] == "zone vanished (no longer in the dataset)"
    assert figures["floor"][0]["known"] is False
    listing = staff_client.get("/staff/pipeline/").get_data(as_text=True)
    assert "zone vanished (no longer in the dataset)" in listing
    url = f"/staff/pipeline/{projects(app)[0].id}/edit"
    response = save(staff_client, url, name="Old", activity="ITO", ramp="2026: 100", stage="committed",
                    zone_id="vanished", considered=["ctv"])
    assert response.status_code == 422 and "The zone vanished is no longer in the dataset" in response.get_data(as_text=True)
    assert "pipeline" not in staff_client.get("/staff/pipeline/decisions.csv").get_data(as_text=True)


def test_two_staff_editing_one_project(app, staff_client):
    save(staff_client, stage="visit")
    url = f"/staff/pipeline/{projects(app)[0].id}/edit"
    other = app.test_client()
    add_staff(app, "second@amdie.example", STAFF_PASSWORD)
    login(other, "second@amdie.example")
    mine = re.search(r'name="version"[^>]*value="(\d+)"', staff_client.get(url).get_data(as_text=True)).group(1)
    assert save(other, url, stage="shortlist_sent", ramp="2026: 250\n2027: 300").status_code == 302
    response = save(staff_client, url, version=mine, stage="visit", ramp="2026: 999", notes="call back in May")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this project since you opened it" in page
    assert "2026: 250, 2027: 300" in page and "2026: 999" in page  # both values, side by side
    assert "Shortlist sent" in page and "call back in May" in page
    stored = projects(app)[0]
    assert (stored.stage, stored.ramp, stored.notes) == ("shortlist_sent", [[2026, 250], [2027, 300]], "")
    # the form keeps what was typed, now based on the stored version: saving again keeps it
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    assert version == str(stored.version)
    assert re.search(r"<textarea[^>]*name=\"ramp\"[^>]*>\s*2026: 999", page)
    response = save(staff_client, url, version=version, stage="shortlist_sent", ramp="2026: 999",
                    notes="call back in May")
    assert response.status_code == 302
    assert projects(app)[0].ramp == [[2026, 999]] and projects(app)[0].notes == "call back in May"


def test_links_to_an_inquiry_and_saved_shortlists(app, staff_client):
    from tests.web.conftest import shortlist_body

    saved = staff_client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    response = save(staff_client, shortlists="nope-nope")
    assert response.status_code == 422 and "No saved shortlist nope-nope." in response.get_data(as_text=True)
    response = save(staff_client, inquiry_id="77")
    assert response.status_code == 422 and "No inquiry #77." in response.get_data(as_text=True)
    assert save(staff_client, shortlists=f"http://x.example/shortlists/{saved['id']}").status_code == 302
    assert projects(app)[0].shortlist_ids == [saved["id"]]
    page = staff_client.get(f"/staff/pipeline/{projects(app)[0].id}/edit").get_data(as_text=True)
    assert f"/shortlists/{saved['id']}" in page


def test_committed_projects_are_the_decisions_learn_weights_reads(app, staff_client, tiny_data_path, tmp_path):
    from click.testing import CliRunner

    from web.cli import main as cli

    save(staff_client, stage="committed", zone_id="casanearshore", considered=["technopolis", "ctv"])
    save(staff_client, name="B", activity="ITO", stage="operating", zone_id="technopolis",
         considered=["technopark-rabat", "casanearshore"])
    save(staff_client, name="C", stage="committed", zone_id="ctv")  # nothing else considered
    save(staff_client, name="D", stage="visit", zone_id="ctv", considered=["technopolis"])
    text = staff_client.get("/staff/pipeline/decisions.csv").get_data(as_text=True)
    table = pd.read_csv(io.StringIO(text))
    example = pd.read_csv("geodata/examples/DECISIONS.csv", nrows=1)
    assert list(table.columns) == list(example.columns)
    ids = {p.name: p.id for p in projects(app)}
    assert table.groupby("decision_id")["chosen"].apply(list).to_dict() == {
        f"pipeline-{ids['Acme CRM']}": [1, 0, 0], f"pipeline-{ids['B']}": [1, 0, 0]}
    path = tmp_path / "decisions.csv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["learn-weights", str(path), "--data", str(tiny_data_path),
                                      "--criteria", "area_ha,available_m2", "--folds", "2",
                                      "--bootstrap", "0"])
    assert result.exit_code == 0, result.output


def test_committed_projects_are_investors_like_you(app, staff_client):
    client = app.test_client()  # anonymous (staff_client is the fixture `client`, logged in)
    body = {"activity": "CRM", "headcount": 480, "robustness": {"draws": 10, "seed": 0}}
    assert "similar_investors" not in client.post("/api/v1/rank", json=body).get_json()
    save(staff_client, stage="committed", zone_id="technopolis", considered=["ctv"])
    save(staff_client, name="Far", activity="ITO", ramp="2026: 20", stage="operating", zone_id="ctv")
    save(staff_client, name="Not yet", stage="visit", zone_id="casanearshore")
    similar = client.post("/api/v1/rank", json=body).get_json()["similar_investors"]
    assert [n["chosen"] for n in similar["neighbours"]] == ["technopolis", "ctv"]
    assert similar["neighbours"][0]["investor"] is None  # the public never sees the names
    assert similar["synthetic"] is False
    named = staff_client.post("/api/v1/rank", json=body).get_json()["similar_investors"]
    assert named["neighbours"][0]["investor"] == "Acme CRM"


def test_the_pipeline_pages_speak_french(app, staff_client):
    save(staff_client, stage="shortlist_sent")
    save(staff_client, name="B", stage="committed", zone_id="ctv")
    staff_client.get("/?lang=fr")
    for url in ("/staff/pipeline/", "/staff/pipeline/dashboard", f"/staff/pipeline/{projects(app)[0].id}/edit"):
        page = staff_client.get(url).get_data(as_text=True)
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S))
        assert "Liste envoyée" in visible or "Étape" in visible, url
        for raw in ("shortlist_sent", "Shortlist sent", "committed", "Jobs", "Stage"):
            assert not re.search(rf"\b{raw}\b", visible), (url, raw)
    svg = staff_client.get("/staff/pipeline/dashboard").get_data(as_text=True)
    assert "emplois à créer de 2024 à 2030" in svg and "Emplois par zone" in svg


def test_the_run_out_year_uses_the_inventory_as_staff_keep_it(app, staff_client):
    from tests.web.test_inventory import form_values

    save(staff_client, ramp="2026: 100\n2027: 100", stage="committed", zone_id="technopark-rabat")
    [floor] = board(staff_client)["floor"]
    assert (floor["available_m2"], floor["runs_out"]) == (400.0, 2026)  # 800 m² > 400 m² in 2026
    edit = "/staff/inventory/technopark-rabat/edit"
    values = form_values(staff_client, edit)
    values.update(available="1000", available_as_of="2026-01-15", source="Operator, January 2026")
    assert staff_client.post(edit, data=values).status_code == 302
    [floor] = board(staff_client)["floor"]
    assert (floor["available_m2"], floor["runs_out"]) == (1000.0, 2027)  # 1,600 m² > 1,000 in 2027
    values = form_values(staff_client, edit)
    values.update(available="", available_as_of="", source="The operator withdrew the figure")
    assert staff_client.post(edit, data=values).status_code == 302
    [floor] = board(staff_client)["floor"]
    assert (floor["known"], floor["runs_out"]) == (False, None)
    page = staff_client.get("/staff/pipeline/dashboard").get_data(as_text=True)
    assert re.search(r'<td class="runs-out">\s*available floor unknown\s*</td>', page)


def test_a_dataset_with_zones_only(zones_only_app):
    add_staff(zones_only_app)
    client = zones_only_app.test_client()
    login(client)
    save(client, stage="committed", zone_id="technopolis")
    figures = board(client)
    assert figures["by_region"][0]["name"] == "region unknown"
    assert client.get("/staff/pipeline/dashboard").status_code == 200


def test_hostile_names_are_text(hostile_app):
    from tests.web.conftest import HOSTILE_NAME

    add_staff(hostile_app)
    client = hostile_app.test_client()
    login(client)
    save(client, name="<script>alert(3)</script>", stage="committed", zone_id="technopolis",
         ramp="2026: 5000")
    for url in ("/staff/pipeline/", "/staff/pipeline/dashboard", "/staff/pipeline/1/edit"):
        page = client.get(url).get_data(as_text=True)
        assert HOSTILE_NAME not in page and "<script>alert(3)" not in page, url
    assert "&lt;img src=x" in client.get("/staff/pipeline/dashboard").get_data(as_text=True)
