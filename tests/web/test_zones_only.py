"""Every route on a dataset with only a ``zones`` layer (no infrastructure, no census)."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import add_staff, csrf_token, login


@pytest.fixture
def client(zones_only_app):
    return zones_only_app.test_client()


@pytest.mark.parametrize(
    "url",
    ["/", "/?lang=fr", "/sites/technopolis", "/sites/ctv", "/compare?ids=technopolis,ctv", "/compare",
     "/match", "/staff/login", "/api/v1/sites", "/api/v1/openapi.json"],
)
def test_pages_render(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_zone_page_says_there_is_no_census(client):
    page = client.get("/sites/technopolis").get_data(as_text=True)
    assert "no census layer" in page
    assert "Nearest airport" not in page


@pytest.mark.parametrize(
    "fields",
    [{}, {"activity": "BPO"}, {"activity": "ITO", "max_rent": "100"}, {"french": "y", "weight_rent": "2"},
     {"max_airport_km": "50", "weight_rent": "3"}],
)
def test_match_form_copes(client, fields):
    data = {"csrf_token": csrf_token(client, "/match"), **fields}
    response = client.post("/match", data=data)
    assert response.status_code in (200, 422)
    page = response.get_data(as_text=True)
    if response.status_code == 200:
        assert "Ranked zones" in page
    else:
        assert 'class="problem"' in page  # said why, in words


def test_default_form_ranks_on_what_the_dataset_has(client):
    response = client.post("/match", data={"csrf_token": csrf_token(client, "/match")})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nearest airport (km) is not in this dataset" in page
    assert "Rent (MAD/m²/month)" in page


def test_api_and_share_flow(zones_only_app, client):
    body = {"criteria": [{"column": "area_ha", "direction": "benefit", "weight": 1}]}
    created = client.post("/api/v1/shortlists", json=body)
    assert created.status_code == 201
    shortlist = created.get_json()
    assert client.get(f"/api/v1/shortlists/{shortlist['id']}").status_code == 200
    share_path = shortlist["url"].replace("http://localhost", "")
    assert client.get(share_path).status_code == 200
    for fmt in ("csv", "xlsx", "geojson", "pdf"):
        assert client.get(f"{share_path}/export/{fmt}").status_code == 200, fmt
    missing = client.post("/api/v1/shortlists", json={"criteria": [{"column": "airports_km", "direction": "cost", "weight": 1}]})
    assert missing.status_code == 422
    assert "airports_km" in missing.get_json()["error"] + " ".join(missing.get_json()["details"])


def test_staff_pages(zones_only_app, client):
    add_staff(zones_only_app)
    login(client)
    response = client.post("/match", data={"csrf_token": csrf_token(client, "/match"), "weight_rent": "3"})
    page = response.get_data(as_text=True)
    requirements = re.search(r'name="requirements" type="hidden" value="([^"]*)"', page).group(1)
    import html

    saved = client.post(
        "/match/save", data={"requirements": html.unescape(requirements), "csrf_token": csrf_token(client, "/match")}
    )
    assert saved.status_code == 302
    for url in (saved.headers["Location"], "/staff/shortlists", "/staff/inquiries"):
        assert client.get(url).status_code == 200


def test_inquiry_and_revoke(zones_only_app, client):
    token = csrf_token(client, "/sites/ctv")
    response = client.post("/sites/ctv/inquiry", data={"name": "B", "email": "b@example.com", "csrf_token": token})
    assert response.status_code == 302
    created = client.post("/api/v1/shortlists", json={"criteria": [{"column": "area_ha", "direction": "benefit", "weight": 1}]})
    add_staff(zones_only_app)
    login(client)
    assert "ctv" in client.get("/staff/inquiries").get_data(as_text=True)
    location = f"/shortlists/{created.get_json()['id']}"
    response = client.post(f"{location}/revoke", data={"csrf_token": csrf_token(client, location)})
    assert response.status_code == 302
    assert client.get(created.get_json()["url"].replace("http://localhost", "")).status_code == 410
