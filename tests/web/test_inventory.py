"""Staff keep the inventory: edit forms, the overlay in the store, every worker, export/import."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner

from tests.web.conftest import add_staff, csrf_token, login, make_app, shortlist_body
from valleys import overlay
from web.cli import main as cli
from web.extensions import db
from web.models import ZoneEdit

EDIT = "/staff/inventory/technopolis/edit"


def form_values(client, url: str = EDIT) -> dict[str, str]:
    """The form as the page gives it: every input's value, the selected status, empty text areas."""
    page = client.get(url).get_data(as_text=True)
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="(\w+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            values[name.group(1)] = value.group(1) if value else ""
    status = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', page)
    values["status"] = next(g for g in status.groups() if g) if status else "operating"
    values["notes"] = values["source"] = ""
    return values


def edits(app) -> int:
    with app.app_context():
        return db.session.query(ZoneEdit).count()


def test_the_inventory_is_for_staff_only(client):
    for url in ("/staff/inventory/", EDIT, "/staff/inventory/new", "/staff/inventory/overlay.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], url


def test_an_edit_changes_the_zone_page_the_shortlist_and_its_version(app, staff_client, client):
    before = client.post("/api/v1/rank", json=shortlist_body()).get_json()
    values = form_values(staff_client)
    assert values["rent"] == "95" and values["lat"] and values["base_revision"] == "0"
    values.update(rent="60", rent_as_of="2025-11-03", lat="33.55", lon="-7.6",
                  source="Operator price list, Nov. 2025")
    response = staff_client.post(EDIT, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert edits(app) == 5  # rent, its date, the location, its precision and its note
    page = staff_client.get("/sites/technopolis").get_data(as_text=True)
    assert "Updated on" in page and "by staff" in page
    assert "History of the facts" in page and "Operator price list, Nov. 2025" in page
    assert "33.55000, -7.60000" in page
    after = client.post("/api/v1/rank", json=shortlist_body()).get_json()
    saved = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    assert saved["dataset_version"] == f"{app.extensions['techvalley_data'].base.version}+" \
        f"{app.extensions['techvalley_data'].version.split('+')[1]}"
    # a ranking saves nothing but says which data it ranked, as a saved shortlist does
    assert after["dataset_version"] == saved["dataset_version"] != before["dataset_version"]
    rent = {z["id"]: z["values"]["rent_mad_m2_month"] for z in after["ranked"]}
    assert rent["technopolis"] == 60
    moved = {z["id"]: z["values"]["airports_km"] for z in after["ranked"]}
    old = {z["id"]: z["values"]["airports_km"] for z in before["ranked"]}
    assert moved["technopolis"] > old["technopolis"] + 10  # now in Casablanca, far from RBA


def test_the_public_sees_the_date_but_not_the_history(app, staff_client):
    values = form_values(staff_client)
    values.update(rent="80", source="call")
    assert staff_client.post(EDIT, data=values).status_code == 302
    public = app.test_client().get("/sites/technopolis").get_data(as_text=True)
    assert "Updated on" in public and "History of the facts" not in public and "call" not in public


@pytest.mark.parametrize(("changes", "messages"), [
    ({"rent": "-3"}, ["Rent (MAD/m²/month) of Technopolis Rabat-Shore: -3 is not a positive number."]),
    ({"rent": "cheap"}, ["cheap is not a number"]),
    ({"lat": "-6.74", "lon": "34.02"}, ["latitude -6.74, longitude 34.02 is outside Morocco", "swapped?"]),
    ({"lat": "48.85", "lon": "2.35"}, ["outside Morocco&#39;s land"]),
    ({"rent_as_of": "2999-01-01"}, ["2999-01-01 is in the future"]),
    ({"source": ""}, ["a source or a note is required"]),
])
def test_bad_input_is_refused_with_the_field_and_zone(app, staff_client, changes, messages):
    values = form_values(staff_client)
    values.update(source="note")
    values.update(changes)
    response = staff_client.post(EDIT, data=values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in messages:
        assert message in page
    assert edits(app) == 0


def test_two_staff_at_once_the_second_is_told_and_nothing_is_lost(app, staff_client):
    first = form_values(staff_client)
    second = dict(first)
    first.update(rent="70", source="first")
    assert staff_client.post(EDIT, data=first).status_code == 302
    second.update(rent="85", notes="second's note", source="second")
    response = staff_client.post(EDIT, data=second)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed this zone" in page
    assert "70" in page and "85" in page  # both values shown
    assert 'value="85"' in page and "second&#39;s note" in page  # the form keeps what was typed
    assert edits(app) == 1
    # saving again from the refreshed form (the new base revision) succeeds
    resend = dict(second, base_revision=re.search(r'name="base_revision"[^>]*value="(\d+)"', page).group(1),
                  csrf_token=csrf_token(staff_client, EDIT))
    assert staff_client.post(EDIT, data=resend).status_code == 302
    with app.app_context():
        rents = [e.new_value for e in db.session.query(ZoneEdit).filter_by(column="rent_mad_m2_month").order_by(ZoneEdit.id)]
    assert rents == ["70", "85"]


def test_a_new_zone_is_added_with_its_features(app, staff_client):
    values = form_values(staff_client, "/staff/inventory/new")
    values.update(name="Tech Valley Kénitra", zone_id="", city="Kénitra", status="planned",
                  lat="34.26", lon="-6.58", source="2026 agreement")
    response = staff_client.post("/staff/inventory/new", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = staff_client.get("/sites/tech-valley-kenitra")
    assert page.status_code == 200 and "Tech Valley Kénitra" in page.get_data(as_text=True)
    again = staff_client.post("/staff/inventory/new", data={**values, "csrf_token": csrf_token(staff_client, "/staff/inventory/new")})
    assert again.status_code == 422 and "a zone has this id already" in again.get_data(as_text=True)


def test_every_worker_sees_an_edit_on_its_next_request(tiny_data_path, tmp_path):
    one = make_app(tiny_data_path, tmp_path / "shared")
    two = make_app(tiny_data_path, tmp_path / "shared")  # another process on the same store
    add_staff(one)
    client = one.test_client()
    login(client)
    assert "Updated on" not in two.test_client().get("/sites/ctv").get_data(as_text=True)
    values = form_values(client, "/staff/inventory/ctv/edit")
    values.update(rent="42", source="visit")
    assert client.post("/staff/inventory/ctv/edit", data=values).status_code == 302
    ranked = two.test_client().post("/api/v1/rank", json=shortlist_body()).get_json()
    assert {z["id"]: z["values"].get("rent_mad_m2_month") for z in ranked["ranked"]}["ctv"] == 42
    assert "Updated on" in two.test_client().get("/sites/ctv").get_data(as_text=True)


def test_a_saved_shortlist_keeps_the_version_it_used(app, staff_client, client):
    saved = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    values = form_values(staff_client)
    values.update(rent="61", source="call")
    assert staff_client.post(EDIT, data=values).status_code == 302
    newer = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    assert saved["dataset_version"] != newer["dataset_version"]
    assert "+" in newer["dataset_version"] and "+" not in saved["dataset_version"]


def test_french_messages(app, staff_client):
    values = form_values(staff_client)
    values.update(rent="-1", source="")
    page = staff_client.post(EDIT + "?lang=fr", data=values).get_data(as_text=True)
    assert "n’est pas un nombre positif" in page or "n'est pas un nombre positif" in page
    assert "une source ou une note est requise" in page


def test_export_import_round_trip_gives_the_same_overlay(app, staff_client, tiny_data_path, tmp_path, monkeypatch):
    values = form_values(staff_client)
    values.update(rent="66", lat="33.98", lon="-6.86", notes='a "note", with commas', source="visit")
    assert staff_client.post(EDIT, data=values).status_code == 302
    exported = staff_client.get("/staff/inventory/overlay.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    monkeypatch.setenv("TECHVALLEY_DATA", str(tiny_data_path))
    monkeypatch.setenv("TECHVALLEY_INSTANCE", app.instance_path)
    first = CliRunner().invoke(cli, ["inventory", "export"])
    assert first.exit_code == 0, first.output
    assert first.stdout == exported.get_data(as_text=True)
    path = tmp_path / "overlay.csv"
    path.write_text(first.stdout, encoding="utf-8")
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(tmp_path / "other-store"))
    imported = CliRunner().invoke(cli, ["inventory", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    assert "5 edit(s) added" in imported.stderr  # rent, notes, location, precision, note
    second = CliRunner().invoke(cli, ["inventory", "export"])
    assert second.stdout == first.stdout
    assert overlay.read_overlay_csv(path).equals(overlay.read_overlay_csv(io.StringIO(second.stdout)))
    again = CliRunner().invoke(cli, ["inventory", "import", str(path)])
    assert "0 edit(s) added" in again.stderr


def test_import_refuses_a_malformed_csv_naming_row_and_column(tmp_path, tiny_data_path, monkeypatch):
    monkeypatch.setenv("TECHVALLEY_DATA", str(tiny_data_path))
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(tmp_path / "store"))
    path = tmp_path / "bad.csv"
    path.write_text("zone_id,column,old_value,new_value,changed_by,changed_at,source\n"
                    "technopolis,rent_mad_m2_month,95,70,a,2026-01-05T10:00:00+01:00,call\n"
                    "technopolis,available_m2_as_of,,2999-01-01,a,2026-01-05T10:00:00+01:00,call\n")
    result = CliRunner().invoke(cli, ["inventory", "import", str(path)])
    assert result.exit_code == 2
    assert "row 3, column new_value" in result.stderr and "in the future" in result.stderr
    assert "Traceback" not in result.output
    exported = CliRunner().invoke(cli, ["inventory", "export"])
    assert exported.stdout.count("\n") == 1  # nothing stored: only the header
