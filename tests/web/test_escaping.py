"""A zone named like an attack shows as text on every page and never appears raw in the source
(markup escaped; ``<``, ``>``, ``&`` escaped as ``\\u003c``... in embedded JSON)."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.conftest import (
    HOSTILE_CITY,
    HOSTILE_NAME,
    add_staff,
    csrf_token,
    login,
    shortlist_body,
)

HOSTILE_ID = "technopolis"


def assert_never_raw(page: str) -> None:
    assert HOSTILE_NAME not in page
    assert HOSTILE_CITY not in page
    assert "<img src=x" not in page
    assert "<script>alert" not in page


@pytest.mark.parametrize(
    "url", ["/", f"/sites/{HOSTILE_ID}", "/sites/casanearshore", f"/compare?ids={HOSTILE_ID},ctv", "/compare"]
)
def test_public_pages_escape_the_hostile_zone(hostile_app, url):
    response = hostile_app.test_client().get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert_never_raw(page)


def test_hostile_name_shows_as_text_in_markup(hostile_app):
    page = hostile_app.test_client().get(f"/sites/{HOSTILE_ID}").get_data(as_text=True)
    assert html.escape(HOSTILE_NAME, quote=False) in page
    index = hostile_app.test_client().get("/").get_data(as_text=True)
    # in the map data, as JSON with <, > escaped
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in index


def test_result_saved_shared_and_staff_pages_escape(hostile_app):
    client = hostile_app.test_client()
    add_staff(hostile_app)
    login(client)
    hostile_requirement = "name: \"<script>alert('req')</script>\"\ncriteria:\n  - {column: area_ha, direction: benefit, weight: 1}\n"
    result = client.post(
        "/match", data={"requirements_text": hostile_requirement, "csrf_token": csrf_token(client, "/match")}
    )
    assert result.status_code == 200
    page = result.get_data(as_text=True)
    assert_never_raw(page)
    assert "<script>alert('req')" not in page
    requirements = html.unescape(re.search(r'name="requirements" type="hidden" value="([^"]*)"', page).group(1))
    saved = client.post("/match/save", data={"requirements": requirements, "csrf_token": csrf_token(client, "/match")})
    location = saved.headers["Location"]
    for url in (location, "/staff/shortlists"):
        staff_page = client.get(url).get_data(as_text=True)
        assert_never_raw(staff_page)
        assert "<script>alert('req')" not in staff_page
    token = re.search(r"/s/([A-Za-z0-9_-]+)", client.get(location).get_data(as_text=True)).group(1)
    shared = hostile_app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert_never_raw(shared)


def test_inquiry_list_escapes_what_investors_wrote(hostile_app):
    client = hostile_app.test_client()
    client.post(
        f"/sites/{HOSTILE_ID}/inquiry",
        data={"name": HOSTILE_NAME, "email": "a@example.com", "message": HOSTILE_CITY,
              "csrf_token": csrf_token(client, f"/sites/{HOSTILE_ID}")},
    )
    add_staff(hostile_app)
    login(client)
    page = client.get("/staff/inquiries").get_data(as_text=True)
    assert_never_raw(page)
    assert html.escape(HOSTILE_NAME, quote=False) in page


def test_api_json_escapes_nothing_it_should_not(hostile_app):
    # JSON responses are data, not HTML: the name comes back intact, served as JSON
    client = hostile_app.test_client()
    response = client.post("/api/v1/shortlists", json=shortlist_body(constraints=[]))
    assert response.mimetype == "application/json"
    names = [z["name"] for z in response.get_json()["ranked"]]
    assert HOSTILE_NAME in names
    assert response.headers["X-Content-Type-Options"] == "nosniff"
