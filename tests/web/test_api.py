"""The JSON API: sites, computing and storing shortlists, staff-only lists, every bad input."""

from __future__ import annotations

import base64

import pytest

from tests.web.conftest import STAFF_EMAIL, STAFF_PASSWORD, add_staff, make_app, shortlist_body


def test_sites_is_a_feature_collection_of_zones_with_features(client):
    response = client.get("/api/v1/sites")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = response.get_json()
    assert collection["type"] == "FeatureCollection"
    by_id = {f["properties"]["id"]: f for f in collection["features"]}
    assert set(by_id) == {"technopolis", "casanearshore", "technopark-casa", "technopark-rabat", "ctv"}
    assert by_id["technopolis"]["properties"]["airports_km"] > 0
    assert "catchment_labour_active" in by_id["technopolis"]["properties"]
    assert by_id["ctv"]["properties"]["rent_mad_m2_month"] is None  # missing stays missing


def test_post_shortlist_returns_201_with_id_and_url(client):
    response = client.post("/api/v1/shortlists", json=shortlist_body())
    assert response.status_code == 201
    body = response.get_json()
    assert body["method"] == "topsis"
    ids = [z["id"] for z in body["ranked"]] + [z["id"] for z in body["excluded"]]
    assert sorted(ids) == sorted(["technopolis", "casanearshore", "technopark-casa", "technopark-rabat", "ctv"])
    assert [z["id"] for z in body["excluded"]] == ["ctv"]
    assert body["url"].startswith("http://localhost/s/")
    assert response.headers["Location"] == f"/api/v1/shortlists/{body['id']}"
    assert body["created_at"].endswith(("+00:00", "+01:00"))
    assert set(body["robustness"]) == {z["id"] for z in body["ranked"]}


def test_post_then_get_returns_what_was_stored(client):
    created = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    fetched = client.get(f"/api/v1/shortlists/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == created
    assert client.get(created["url"].replace("http://localhost", "")).status_code == 200


def test_api_needs_no_csrf_token_and_no_cookie(app):
    client = app.test_client(use_cookies=False)
    response = client.post("/api/v1/shortlists", json=shortlist_body(), headers={"Accept-Language": "fr"})
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers  # no session is started for API callers


def test_default_draws_come_from_the_setting(app, client):
    body = shortlist_body()
    del body["robustness"]
    result = client.post("/api/v1/shortlists", json=body).get_json()
    assert f"{app.config['TECHVALLEY_API_ROBUSTNESS_DRAWS']} weight draws" in " ".join(result["assumptions"])


def test_too_many_draws_is_422(app, client):
    body = shortlist_body(robustness={"draws": app.config["TECHVALLEY_API_MAX_DRAWS"] + 1})
    response = client.post("/api/v1/shortlists", json=body)
    assert response.status_code == 422
    assert "robustness.draws" in response.get_json()["error"]


@pytest.mark.parametrize(
    "raw",
    [b"{", b"{'name': 1}", b"not json", b"", b"   ", b"\xff\xfe", b"[" * 100_000, b'{"a": NaN}'],
    ids=["truncated", "single-quotes", "text", "empty", "blank", "not-utf8", "deep", "nan"],
)
def test_malformed_json_is_400(client, raw):
    response = client.post("/api/v1/shortlists", data=raw, content_type="application/json")
    assert response.status_code == 400
    body = response.get_json()
    assert "not valid JSON" in body["error"]
    assert body["details"]


@pytest.mark.parametrize("raw", [b"[]", b"[1, 2]", b'"BPO"', b"3", b"null", b"true"])
def test_json_that_is_not_an_object_is_422(client, raw):
    response = client.post("/api/v1/shortlists", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert "object" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"criteria": [{"column": "no_such_column", "direction": "benefit", "weight": 1}]}, "no_such_column"),
        ({"criteria": [{"column": "rent_mad_m2_month", "direction": "benefit", "weight": "heavy"}]}, "weight"),
        ({"headcount": "many"}, "headcount"),
        ({"colour": "blue"}, "colour"),
        ({"method": "astrology"}, "method"),
        ({"constraints": [{"column": "rent_mad_m2_month", "op": "~", "value": 1}]}, "op"),
    ],
)
def test_invalid_requirements_are_422_with_details(client, body, needle):
    response = client.post("/api/v1/shortlists", json=body)
    assert response.status_code == 422
    payload = response.get_json()
    assert set(payload) == {"error", "details"}
    assert needle in payload["error"] + " ".join(payload["details"])


def test_body_over_the_limit_is_413(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_MAX_BODY_BYTES=1000)
    response = app.test_client().post(
        "/api/v1/shortlists", data=b'{"name": "' + b"x" * 2000 + b'"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert "1000" in response.get_json()["error"]


def test_unknown_shortlist_id_is_404(client):
    for shortlist_id in ("0" * 32, "x" * 500, "../etc"):
        response = client.get(f"/api/v1/shortlists/{shortlist_id}")
        assert response.status_code == 404
        assert "error" in response.get_json()


def test_revoked_shortlist_is_410_for_anonymous_callers(app, client):
    created = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    from web.extensions import db
    from web.models import Shortlist

    with app.app_context():
        db.session.get(Shortlist, created["id"]).revoked = True
        db.session.commit()
    response = client.get(f"/api/v1/shortlists/{created['id']}")
    assert response.status_code == 410
    assert "revoked" in response.get_json()["error"]


def _basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def test_list_of_shortlists_is_staff_only(app, client):
    client.post("/api/v1/shortlists", json=shortlist_body(name="Project Atlas"))
    response = client.get("/api/v1/shortlists")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert "Project Atlas" not in response.get_data(as_text=True)
    add_staff(app)
    assert client.get("/api/v1/shortlists", headers=_basic(STAFF_EMAIL, "wrong")).status_code == 401
    listed = client.get("/api/v1/shortlists", headers=_basic(STAFF_EMAIL, STAFF_PASSWORD))
    assert listed.status_code == 200
    assert [s["name"] for s in listed.get_json()["items"]] == ["Project Atlas"]  # a page (docs/web.md)


def test_api_is_rate_limited_per_client(tiny_data_path, tmp_path):
    app = make_app(
        tiny_data_path, tmp_path / "i", TECHVALLEY_RATELIMIT_ENABLED=True, TECHVALLEY_RATELIMIT_API="2 per minute"
    )
    client = app.test_client()
    statuses = [client.post("/api/v1/shortlists", json=shortlist_body()).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    limited = client.post("/api/v1/shortlists", json=shortlist_body())
    assert "error" in limited.get_json()
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    other = client.post(
        "/api/v1/shortlists", json=shortlist_body(), environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 201
    assert client.get("/api/v1/sites").status_code == 200  # reads are not limited


def test_identical_requests_are_computed_once(app, client, monkeypatch):
    import matching.shortlist

    calls = []
    real = matching.shortlist.make_shortlist

    def counting(*args, **kwargs):
        calls.append(kwargs.get("robustness_draws"))
        return real(*args, **kwargs)

    monkeypatch.setattr(matching.shortlist, "make_shortlist", counting)
    first = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    second = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    assert len(calls) == 1
    assert first["id"] != second["id"]  # two stored shortlists all the same
    assert first["ranked"] == second["ranked"]
    client.post("/api/v1/shortlists", json=shortlist_body(robustness={"draws": 20, "seed": 0}))
    assert calls == [50, 20]
