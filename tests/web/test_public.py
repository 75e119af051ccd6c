"""Public pages: the map, a zone, compare, the inquiry form."""

from __future__ import annotations

from tests.web.conftest import csrf_token


def test_map_page_embeds_the_map_inline_and_lists_zones(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<iframe" not in page
    assert "Technopolis Rabat-Shore" in page
    assert 'href="/sites/casanearshore"' in page
    assert "/assets/" in page  # map assets served by the app
    assert "cdn" not in page.lower()


def test_zone_page_shows_facts_features_and_catchment(client):
    page = client.get("/sites/technopolis").get_data(as_text=True)
    assert "Technopolis Rabat-Shore" in page
    assert "Salé" in page
    assert "Nearest airport" in page and "Nearest airport (km)" not in page  # the value shows the km
    assert "km · Rabat-Salé" in page  # the nearest airport is named
    assert "Labour force within the catchment" in page
    assert 'name="csrf_token"' in page


def test_nearest_features_are_named_per_zone(app):
    nearest = app.extensions["techvalley_data"].nearest
    assert nearest["casanearshore"]["airports"] == "Mohammed V International"
    assert nearest["technopolis"]["airports"] == "Rabat-Salé"
    assert set(nearest["ctv"]) == {"airports", "rail_stations"}


def test_zone_page_unknown_id_is_404(client):
    response = client.get("/sites/atlantis")
    assert response.status_code == 404
    assert "atlantis" in response.get_data(as_text=True)


def test_compare_side_by_side(client):
    response = client.get("/compare?ids=technopolis,ctv")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.index("Technopolis Rabat-Shore") < page.index("Casablanca Tech Valley")
    assert "Rent (MAD/m²/month)" in page


def test_compare_repeated_ids_parameter(client):
    page = client.get("/compare?ids=technopolis&ids=ctv").get_data(as_text=True)
    assert "Casablanca Tech Valley" in page and "Technopolis Rabat-Shore" in page


def test_compare_without_ids_offers_a_choice(client):
    response = client.get("/compare")
    assert response.status_code == 200
    assert 'type="checkbox" name="ids" value="technopolis"' in response.get_data(as_text=True)


def test_compare_unknown_id_is_404_naming_it(client):
    response = client.get("/compare?ids=technopolis,atlantis")
    assert response.status_code == 404
    assert "atlantis" in response.get_data(as_text=True)


def test_compare_too_many_is_422(client):
    ids = ",".join(["technopolis"] + [f"z{i}" for i in range(20)])
    assert client.get(f"/compare?ids={ids}").status_code in (404, 422)


def test_inquiry_is_stored(app, client):
    token = csrf_token(client, "/sites/technopolis")
    response = client.post(
        "/sites/technopolis/inquiry",
        data={"name": "Ana", "email": "ana@example.com", "message": "500 seats", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sites/technopolis")
    from web.extensions import db
    from web.models import Inquiry

    with app.app_context():
        rows = db.session.execute(db.select(Inquiry)).scalars().all()
    assert [(r.zone_id, r.name, r.email, r.message) for r in rows] == [
        ("technopolis", "Ana", "ana@example.com", "500 seats")
    ]
    assert str(rows[0].created_at.tzinfo) == "Africa/Casablanca"
    assert "will contact you" in client.get("/sites/technopolis").get_data(as_text=True)


def test_inquiry_with_bad_email_is_422_and_not_stored(app, client):
    token = csrf_token(client, "/sites/technopolis")
    response = client.post(
        "/sites/technopolis/inquiry", data={"name": "Ana", "email": "not-an-email", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "email" in response.get_data(as_text=True).lower()
    from web.extensions import db
    from web.models import Inquiry

    with app.app_context():
        assert db.session.execute(db.select(Inquiry)).first() is None


def test_inquiry_with_a_nul_byte_is_422_and_not_stored(app, client):
    token = csrf_token(client, "/sites/technopolis")
    response = client.post(
        "/sites/technopolis/inquiry",
        data={"name": "A\x00na", "email": "ana@example.com", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "control character" in response.get_data(as_text=True)
    from web.extensions import db
    from web.models import Inquiry

    with app.app_context():
        assert db.session.execute(db.select(Inquiry)).first() is None


def test_inquiry_without_csrf_token_is_400(app, client):
    response = client.post("/sites/technopolis/inquiry", data={"name": "Ana", "email": "ana@example.com"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_inquiry_for_unknown_zone_is_404(client):
    token = csrf_token(client, "/sites/technopolis")
    response = client.post(
        "/sites/atlantis/inquiry", data={"name": "A", "email": "a@example.com", "csrf_token": token}
    )
    assert response.status_code == 404


def test_form_body_over_the_limit_is_a_413_page(tiny_data_path, tmp_path):
    from tests.web.conftest import make_app

    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_MAX_BODY_BYTES=2000)
    client = app.test_client()
    token = csrf_token(client, "/sites/technopolis")
    response = client.post(
        "/sites/technopolis/inquiry",
        data={"name": "Ana", "email": "ana@example.com", "message": "x" * 5000, "csrf_token": token},
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "2000 bytes" in response.get_data(as_text=True)
