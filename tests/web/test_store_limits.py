"""No anonymous caller can flood the store: size cap, daily cap per client, expiry and purge,
paging with a "saved by" filter on every staff list, and links that ignore the Host header
(issue 9)."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.web.conftest import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    add_staff,
    csrf_token,
    make_app,
    shortlist_body,
)
from valleys.errors import TechValleyError
from web.extensions import db
from web.models import Inquiry, Shortlist, now

BASIC = {"Authorization": "Basic " + base64.b64encode(f"{STAFF_EMAIL}:{STAFF_PASSWORD}".encode()).decode()}


def _rows(app) -> int:
    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM shortlist")).scalar_one()


def _age(app, shortlist_id: str, days: float) -> None:
    """Move the clock: the shortlist was saved ``days`` ago."""
    with app.app_context():
        db.session.get(Shortlist, shortlist_id).created_at = now() - timedelta(days=days)
        db.session.commit()


# -- the daily cap per client -------------------------------------------------------------------


def test_505_anonymous_saves_from_one_client_stop_at_the_cap_with_429_and_retry_after(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_ANON_SAVES_PER_DAY=5)
    client = app.test_client()
    statuses = [client.post("/api/v1/shortlists", json=shortlist_body()).status_code for _ in range(505)]
    assert statuses[:5] == [201] * 5
    assert set(statuses[5:]) == {429}
    refused = client.post("/api/v1/shortlists", json=shortlist_body())
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 24 * 3600
    body = refused.get_json()
    assert set(body) == {"error", "details"}
    assert "5 shortlists in the last 24 hours" in body["error"] and "POST /api/v1/rank" in body["error"]
    assert f"try again in {retry_after} seconds" in body["error"]
    assert _rows(app) == 5  # nothing stored past the cap

    other = client.post("/api/v1/shortlists", json=shortlist_body(), environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 201  # the cap is per client
    add_staff(app)
    assert client.post("/api/v1/shortlists", json=shortlist_body(), headers=BASIC).status_code == 201  # staff: no cap
    assert client.post("/api/v1/rank", json=shortlist_body()).status_code == 200  # ranking stores nothing


def test_the_cap_counts_the_last_24_hours_and_retry_after_says_when_a_save_leaves_them(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_ANON_SAVES_PER_DAY=2)
    client = app.test_client()
    first = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    client.post("/api/v1/shortlists", json=shortlist_body())
    _age(app, first["id"], 1 - 1 / 24)  # saved 23 hours ago: leaves the window in an hour
    refused = client.post("/api/v1/shortlists", json=shortlist_body())
    assert refused.status_code == 429
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    _age(app, first["id"], 1.01)
    assert client.post("/api/v1/shortlists", json=shortlist_body()).status_code == 201


def test_an_ipv6_client_cannot_escape_the_cap_by_roaming_its_64(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_ANON_SAVES_PER_DAY=2)
    client = app.test_client()
    statuses = [
        client.post("/api/v1/shortlists", json=shortlist_body(), environ_base={"REMOTE_ADDR": f"2001:db8:5:6::{i:x}"}).status_code
        for i in range(1, 5)
    ]
    assert statuses == [201, 201, 429, 429]
    elsewhere = client.post("/api/v1/shortlists", json=shortlist_body(), environ_base={"REMOTE_ADDR": "2001:db8:5:7::1"})
    assert elsewhere.status_code == 201


def test_the_client_is_stored_as_a_keyed_hash_not_its_address(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i")
    client = app.test_client()
    created = client.post("/api/v1/shortlists", json=shortlist_body(), environ_base={"REMOTE_ADDR": "192.0.2.77"})
    with app.app_context():
        row = db.session.execute(text("SELECT * FROM shortlist")).mappings().one()
    assert created.status_code == 201
    assert re.fullmatch(r"[0-9a-f]{32}", row["client_key"])
    assert "192.0.2.77" not in json.dumps({k: str(v) for k, v in row.items()})
    import hashlib

    assert row["client_key"] != hashlib.sha256(b"192.0.2.77").hexdigest()[:32]  # keyed: not reversible by trying all IPs


# -- the size cap -------------------------------------------------------------------------------


def test_an_anonymous_save_over_the_size_cap_is_413_within_the_http_limit(app):
    client = app.test_client()
    body = shortlist_body(about={"notes": "x" * 100_000})  # 100 KB: under the 256 KB body limit
    raw = json.dumps(body).encode()
    assert len(raw) < app.config["TECHVALLEY_MAX_BODY_BYTES"]
    response = client.post("/api/v1/shortlists", data=raw, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert "16384 bytes" in error and "POST /api/v1/rank" in error and "about" in error
    assert _rows(app) == 0
    assert client.post("/api/v1/rank", data=raw, content_type="application/json").status_code == 200
    add_staff(app)
    assert client.post("/api/v1/shortlists", data=raw, content_type="application/json", headers=BASIC).status_code == 201


def test_about_is_stored_once_and_the_answers_keep_it(app):
    client = app.test_client()
    about = {"marker": "ONLY-ONCE-7f3a", "quality": {"top1_accuracy": 0.5}}
    created = client.post("/api/v1/shortlists", json=shortlist_body(about=about))
    assert created.status_code == 201
    answer = created.get_json()
    assert answer["requirements"]["about"] == about  # the answer is as before
    with app.app_context():
        row = db.session.execute(text("SELECT requirements, result FROM shortlist")).mappings().one()
    assert (row["requirements"] + row["result"]).count("ONLY-ONCE-7f3a") == 1
    assert json.loads(row["requirements"])["about"] == about
    fetched = client.get(f"/api/v1/shortlists/{answer['id']}").get_json()
    assert fetched == answer
    share = client.get(answer["url"].replace("http://localhost", "") + "/export/geojson")
    assert share.status_code == 200


# -- expiry, keep, purge ------------------------------------------------------------------------


def _urls(created: dict) -> list[str]:
    token = created["url"].rsplit("/s/", 1)[1]
    return [f"/api/v1/shortlists/{created['id']}", f"/s/{token}", f"/s/{token}/export/csv", f"/s/{token}/export/html"]


def test_an_expired_anonymous_shortlist_is_410_everywhere_until_staff_keep_it(app):
    anonymous = app.test_client()
    created = anonymous.post("/api/v1/shortlists", json=shortlist_body(name="Project Dune")).get_json()
    assert created["expires_at"] is not None
    for url in _urls(created):
        assert anonymous.get(url).status_code == 200, url
    _age(app, created["id"], 31)
    for url in _urls(created):
        response = anonymous.get(url)
        assert response.status_code == 410, url
        assert "expired" in response.get_data(as_text=True), url
    assert "kept 30 days" in anonymous.get(_urls(created)[0]).get_json()["error"]
    assert "a expiré" in anonymous.get(_urls(created)[1] + "?lang=fr").get_data(as_text=True)

    add_staff(app)
    staff = app.test_client()
    staff.post("/staff/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": csrf_token(staff)})
    page = staff.get(f"/shortlists/{created['id']}")
    assert page.status_code == 200 and "Keep" in page.get_data(as_text=True)
    assert staff.post(f"/shortlists/{created['id']}/keep").status_code == 400  # no CSRF token
    kept = staff.post(
        f"/shortlists/{created['id']}/keep", data={"csrf_token": csrf_token(staff, f"/shortlists/{created['id']}")}
    )
    assert kept.status_code == 302
    for url in _urls(created):
        assert anonymous.get(url).status_code == 200, url
    assert anonymous.get(_urls(created)[0]).get_json()["expires_at"] is None


def test_shortlists_saved_by_staff_never_expire(app):
    add_staff(app)
    client = app.test_client()
    created = client.post("/api/v1/shortlists", json=shortlist_body(), headers=BASIC).get_json()
    assert created["expires_at"] is None
    _age(app, created["id"], 3650)
    anonymous = app.test_client()
    for url in _urls(created):
        assert anonymous.get(url).status_code == 200, url


def test_no_retention_means_no_expiry(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_ANON_RETENTION_DAYS=0)
    client = app.test_client()
    created = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()
    _age(app, created["id"], 3650)
    assert client.get(_urls(created)[0]).status_code == 200


def test_an_anonymous_save_purges_expired_rows_but_not_kept_or_staff_ones(app):
    add_staff(app)
    client = app.test_client()
    old = [client.post("/api/v1/shortlists", json=shortlist_body()).get_json()["id"] for _ in range(3)]
    staff_saved = client.post("/api/v1/shortlists", json=shortlist_body(), headers=BASIC).get_json()["id"]
    for shortlist_id in [*old, staff_saved]:
        _age(app, shortlist_id, 45)
    with app.app_context():
        db.session.get(Shortlist, old[0]).kept = True
        db.session.commit()
    assert _rows(app) == 4
    fresh = client.post("/api/v1/shortlists", json=shortlist_body()).get_json()["id"]
    with app.app_context():
        left = set(db.session.execute(text("SELECT id FROM shortlist")).scalars())
    assert left == {old[0], staff_saved, fresh}
    assert client.get(f"/api/v1/shortlists/{old[1]}").status_code == 404  # deleted: no longer 410


# -- paging and the "saved by" filter -----------------------------------------------------------


def test_a_staff_record_stays_on_the_first_page_of_its_filter_after_many_anonymous_saves(app, staff_client):
    staff_created = staff_client.post("/api/v1/shortlists", json=shortlist_body(name="Staff Cedar")).get_json()
    anonymous = app.test_client()
    for i in range(60):
        assert anonymous.post("/api/v1/shortlists", json=shortlist_body(name=f"Anon {i}")).status_code == 201

    everything = anonymous.get("/api/v1/shortlists", headers=BASIC)
    page = everything.get_json()
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (1, 50, 61, 2)
    assert len(page["items"]) == 50 and "Staff Cedar" not in [s["name"] for s in page["items"]]
    assert page["next"] == "/api/v1/shortlists?page=2" and page["prev"] is None
    assert '</api/v1/shortlists?page=2>; rel="next"' in everything.headers["Link"]

    mine = anonymous.get("/api/v1/shortlists?saved_by=staff", headers=BASIC).get_json()
    assert [s["id"] for s in mine["items"]] == [staff_created["id"]]
    assert mine["items"][0]["saved_by"] == "staff" and mine["items"][0]["expires_at"] is None
    second = anonymous.get("/api/v1/shortlists?page=2&per_page=50", headers=BASIC).get_json()
    assert [s["name"] for s in second["items"]][-1] == "Staff Cedar"
    listed = [s["id"] for s in page["items"]] + [s["id"] for s in second["items"]]
    assert len(set(listed)) == 61  # no row skipped or repeated
    anon = anonymous.get("/api/v1/shortlists?saved_by=anonymous&per_page=200", headers=BASIC).get_json()
    assert anon["total"] == 60 and {s["saved_by"] for s in anon["items"]} == {"anonymous"}
    assert anonymous.get("/api/v1/shortlists?page=9", headers=BASIC).get_json()["items"] == []

    html = staff_client.get("/staff/shortlists").get_data(as_text=True)
    assert "Staff Cedar" not in html and "/staff/shortlists?page=2" in html and "Page 1 of 2" in html
    filtered = staff_client.get("/staff/shortlists?saved_by=staff").get_data(as_text=True)
    assert "Staff Cedar" in filtered and "Anon 1" not in filtered
    assert "Staff Cedar" in staff_client.get("/staff/shortlists?page=2").get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=0", "per_page=1000", "saved_by=robots"])
def test_paging_arguments_that_are_not_ones_are_400(app, query):
    add_staff(app)
    response = app.test_client().get(f"/api/v1/shortlists?{query}", headers=BASIC)
    assert response.status_code == 400
    assert query.split("=")[0] in response.get_json()["error"]


def test_inquiries_are_paged(app, staff_client):
    with app.app_context():
        start = now() - timedelta(days=1)
        for i in range(55):
            db.session.add(Inquiry(zone_id="ctv", zone_name="CTV", name=f"Investor {i:02d}",
                                   email=f"i{i}@example.ma", created_at=start + timedelta(minutes=i)))
        db.session.commit()
    first = staff_client.get("/staff/inquiries").get_data(as_text=True)
    assert "Investor 54" in first and "Investor 04" not in first and "/staff/inquiries?page=2" in first
    second = staff_client.get("/staff/inquiries?page=2").get_data(as_text=True)
    assert "Investor 04" in second and "Investor 54" not in second
    assert staff_client.get("/staff/inquiries?page=x").status_code == 400


# -- the public URL and a hostile Host header ---------------------------------------------------


def test_a_hostile_host_header_reaches_no_link_when_the_public_url_is_set(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_PUBLIC_URL="https://techvalley.invest.ma/")
    client = app.test_client()
    evil = {"Host": "evil.example"}
    created = client.post("/api/v1/shortlists", json=shortlist_body(), headers=evil).get_json()
    assert created["url"].startswith("https://techvalley.invest.ma/s/")
    document = client.get("/api/v1/openapi.json", headers=evil)
    assert document.get_json()["servers"] == [{"url": "https://techvalley.invest.ma"}]
    add_staff(app)
    listed = client.get("/api/v1/shortlists", headers={**evil, **BASIC})
    assert listed.get_json()["items"][0]["url"] == created["url"]
    for response in (document, listed):
        assert "evil.example" not in response.get_data(as_text=True) + str(response.headers)
    staff = app.test_client()  # logged in at evil.example: the test client keeps cookies per host
    form = staff.get("/staff/login", headers=evil).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    staff.post("/staff/login", headers=evil, data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token})
    page = staff.get(f"/shortlists/{created['id']}", headers=evil).get_data(as_text=True)
    assert f'value="{created["url"]}"' in page and "evil.example" not in page


def test_without_a_public_url_the_openapi_server_is_relative(client):
    document = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"})
    assert document.get_json()["servers"] == [{"url": "/"}]
    assert "evil.example" not in document.get_data(as_text=True)


@pytest.mark.parametrize("value", ["techvalley.invest.ma", "javascript:alert(1)", "https://u:p@x.ma", "https://x.ma/?q=1"])
def test_a_public_url_that_is_not_one_stops_the_start(tiny_data_path, tmp_path, value):
    with pytest.raises(TechValleyError, match="TECHVALLEY_PUBLIC_URL"):
        make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_PUBLIC_URL=value)


# -- an older store gets the new columns --------------------------------------------------------


def test_an_older_store_gets_the_new_columns_with_their_defaults(tiny_data_path, tmp_path):
    instance = tmp_path / "i"
    app = make_app(tiny_data_path, instance)
    created = app.test_client().post("/api/v1/shortlists", json=shortlist_body()).get_json()
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_shortlist_client_key_created_at"))
        for column in ("client_key", "kept", "kept_at"):
            connection.execute(text(f"ALTER TABLE shortlist DROP COLUMN {column}"))
    upgraded = make_app(tiny_data_path, instance)
    with upgraded.app_context():
        record = db.session.get(Shortlist, created["id"])
        assert record.kept is False and record.client_key is None
    assert upgraded.test_client().get(f"/api/v1/shortlists/{created['id']}").status_code == 200
