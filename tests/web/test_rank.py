"""``POST /api/v1/rank``: the shortlist of ``POST /api/v1/shortlists``, 200, nothing stored."""

from __future__ import annotations

from sqlalchemy import text

from tests.web.conftest import make_app, shortlist_body
from web.extensions import db

STORED_ONLY = {"id", "url", "created_at", "revoked", "expires_at"}  # a ranking says its dataset_version too


def _rows(app) -> int:
    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM shortlist")).scalar_one()


def test_rank_answers_200_with_the_shortlist_and_stores_no_row(app, client):
    before = _rows(app)
    response = client.post("/api/v1/rank", json=shortlist_body())
    assert response.status_code == 200
    assert _rows(app) == before == 0
    ranked = response.get_json()
    assert not STORED_ONLY & set(ranked)
    assert "Location" not in response.headers
    assert [z["id"] for z in ranked["excluded"]] == ["ctv"]

    saved = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    assert _rows(app) == 1
    assert {k: v for k, v in saved.items() if k not in STORED_ONLY} == ranked  # the same shortlist


def test_rank_answers_bad_bodies_like_the_save(client):
    assert client.post("/api/v1/rank", data=b"{", content_type="application/json").status_code == 400
    not_object = client.post("/api/v1/rank", json=[1, 2])
    assert not_object.status_code == 422 and "object" in not_object.get_json()["error"]
    unknown = client.post("/api/v1/rank", json=shortlist_body(criteria=[{"column": "nope", "direction": "benefit", "weight": 1}]))
    assert unknown.status_code == 422 and "nope" in str(unknown.get_json())


def test_rank_needs_no_cookie_and_is_rate_limited_per_client(tiny_data_path, tmp_path):
    app = make_app(
        tiny_data_path, tmp_path / "i", TECHVALLEY_RATELIMIT_ENABLED=True, TECHVALLEY_RATELIMIT_API="2 per minute",
        TECHVALLEY_ANON_SAVES_PER_DAY=0,
    )
    client = app.test_client(use_cookies=False)
    statuses = [client.post("/api/v1/rank", json=shortlist_body()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the daily cap of saves (0 here) does not apply
    other = client.post("/api/v1/rank", json=shortlist_body(), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200 and "Set-Cookie" not in other.headers
    assert _rows(app) == 0


def test_rank_is_in_the_openapi_document(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/rank"]["post"]
    assert {"200", "400", "413", "422", "429"} <= set(operation["responses"])
    assert "stored" in operation["description"]
