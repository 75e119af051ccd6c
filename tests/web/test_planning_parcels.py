"""The planners' page lists the candidate parcels (issue 14), in both languages, and refuses a
profile naming an unknown column with a 400 that says so."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import add_staff, login, make_app


@pytest.fixture
def planning_client(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance")
    add_staff(app)
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def test_the_parcels_are_listed_and_drawn(planning_client):
    response = planning_client.get("/staff/planning?resolution=6&percentile=10")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = re.findall(r'<tr data-bounds="([^"]+)" data-id="(parcel-\d+)"', page)
    assert rows and rows[0][1] == "parcel-1"
    assert all(len(bounds.split(",")) == 4 for bounds, _ in rows)
    assert "Candidate parcels" in page and ("near " in page or "in " in page)
    assert '"id": "parcel-1"' in page or '"id":"parcel-1"' in page  # outlined on the map
    assert "js/planning.js" in page
    assert "catchment_" not in page.split("<table class=\"list parcels\"", 1)[1].split(
        "</table>", 1)[0]  # criteria by their label, not their id


def test_the_parcels_read_in_french(planning_client):
    page = planning_client.get("/staff/planning?resolution=6&percentile=10&lang=fr").get_data(
        as_text=True)
    assert "Parcelles candidates" in page and ("près de " in page or "à " in page)
    assert "critère le plus fort" in page
    assert re.search(r"note \d,\d{3} sur ce profil", page)  # a score's three decimals
    assert "near " not in page and "scores " not in page


def test_a_profile_naming_an_unknown_column_is_a_400_naming_it(planning_client):
    profile = "criteria:\n  - {column: talent_pool, direction: benefit}\n"
    response = planning_client.get("/staff/planning", query_string={
        "resolution": 6, "percentile": 10, "profile": profile})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "talent_pool" in page and "This planning profile cannot be used" in page
    assert 'role="alert"' in page


def test_a_profile_that_is_not_yaml_is_a_400(planning_client):
    response = planning_client.get("/staff/planning", query_string={
        "resolution": 6, "percentile": 10, "profile": "criteria: [\n  {column: x\n"})
    assert response.status_code == 400
    assert "YAML syntax error" in response.get_data(as_text=True)


def test_a_good_profile_is_used(planning_client):
    profile = ("criteria:\n  - {column: catchment_labour_active, direction: benefit}\n"
               "  - {column: zones_km, direction: benefit}\n")
    response = planning_client.get("/staff/planning", query_string={
        "resolution": 6, "percentile": 10, "profile": profile})
    assert response.status_code == 200
    assert 'data-id="parcel-1"' in response.get_data(as_text=True)
