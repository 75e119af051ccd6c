"""The planners' page ``/staff/planning`` as registered in the app: staff only, inputs checked."""

from __future__ import annotations

from tests.web.conftest import add_staff, login


def test_anonymous_callers_go_to_login(client):
    response = client.get("/staff/planning")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_staff_see_the_grid_and_the_candidate_areas(app, staff_client):
    response = staff_client.get("/staff/planning?resolution=6&percentile=10")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    page = response.get_data(as_text=True)
    assert "Candidate areas" in page
    assert "<iframe" not in page
    assert 'href="/staff/planning"' in page  # in the staff navigation
    french = staff_client.get("/staff/planning?resolution=6&percentile=10&lang=fr").get_data(as_text=True)
    assert "Zones candidates" in french


def test_bad_inputs_are_400_not_500(staff_client):
    for query in ("resolution=12", "resolution=x", "percentile=3.3", "percentile=nan"):
        assert staff_client.get(f"/staff/planning?{query}").status_code == 400, query


def test_zones_only_dataset_does_not_break_the_page(zones_only_app):
    client = zones_only_app.test_client()
    add_staff(zones_only_app)
    login(client)
    response = client.get("/staff/planning?resolution=6&percentile=10")
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]
