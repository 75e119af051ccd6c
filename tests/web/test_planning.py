"""The planners' page: staff only, the suitability map and the areas, bad options refused."""

from __future__ import annotations

import pytest

from tests.web.conftest import add_staff, login, make_app
from web.planning import bp


@pytest.fixture
def planning_client(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance")
    if "planning" not in app.blueprints:  # until web/app.py registers it
        app.register_blueprint(bp)
    add_staff(app)
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def test_staff_see_the_map_and_the_areas(planning_client):
    response = planning_client.get("/staff/planning?resolution=6&percentile=10")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-map-kind="suitability"' in page
    assert "Candidate areas" in page and "Rabat-Salé-Kénitra" in page
    assert len(page.encode()) < 2_000_000


def test_anonymous_users_are_sent_to_log_in(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "instance-anonymous")
    if "planning" not in app.blueprints:
        app.register_blueprint(bp)
    response = app.test_client().get("/staff/planning")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize("query", ["resolution=12", "resolution=x", "percentile=3"])
def test_options_outside_the_choices_are_refused(planning_client, query):
    assert planning_client.get(f"/staff/planning?{query}").status_code == 400
