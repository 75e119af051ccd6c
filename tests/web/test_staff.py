"""Staff accounts: login, logout, locks after failed logins, staff-only pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.conftest import STAFF_EMAIL, STAFF_PASSWORD, add_staff, csrf_token, login, make_app


def test_password_is_stored_hashed(app):
    add_staff(app)
    from web.extensions import db
    from web.models import Staff

    with app.app_context():
        staff = db.session.execute(db.select(Staff)).scalar_one()
    assert STAFF_PASSWORD not in staff.password_hash
    assert staff.password_hash.startswith("scrypt:")
    assert staff.check_password(STAFF_PASSWORD) and not staff.check_password("wrong")


def test_login_then_staff_pages_then_logout(app, client):
    add_staff(app)
    response = login(client, email="  STAFF@amdie.example ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/shortlists")
    assert client.get("/staff/shortlists").status_code == 200
    assert client.get("/staff/inquiries").status_code == 200
    assert client.get("/staff/").status_code == 302
    response = client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/staff/shortlists").status_code == 302


def test_logout_without_csrf_is_400(staff_client):
    assert staff_client.post("/staff/logout").status_code == 400
    assert staff_client.get("/staff/shortlists").status_code == 200


def test_login_form_without_csrf_is_400(app, client):
    add_staff(app)
    response = client.post("/staff/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert response.status_code == 400


def test_login_goes_to_next_page_on_this_site_only(app, client):
    add_staff(app)
    token = csrf_token(client)
    data = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": token}
    response = client.post("/staff/login?next=/staff/inquiries", data=data)
    assert response.headers["Location"].endswith("/staff/inquiries")
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/")})
    response = client.post("/staff/login?next=https://evil.example/x", data=dict(data, csrf_token=csrf_token(client)))
    assert response.headers["Location"].endswith("/staff/shortlists")


@pytest.mark.parametrize("url", ["/staff/shortlists", "/staff/inquiries", "/staff/"])
def test_staff_pages_redirect_anonymous_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_wrong_password_is_refused(app, client):
    add_staff(app)
    response = login(client, password="wrong password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/staff/shortlists").status_code == 302


def test_empty_login_form_is_422(client):
    response = client.post("/staff/login", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 422


def test_repeated_failures_lock_the_account_even_with_the_right_password(app, client):
    add_staff(app)
    for _ in range(app.config["TECHVALLEY_LOGIN_MAX_FAILURES"]):
        assert login(client, password="guess").status_code == 401
    response = login(client)
    assert response.status_code == 429
    assert "Too many failed logins" in response.get_data(as_text=True)
    assert client.get("/staff/shortlists").status_code == 302


def test_lock_counts_per_ip_across_accounts(app, client):
    add_staff(app)
    for i in range(app.config["TECHVALLEY_LOGIN_MAX_FAILURES"]):
        login(client, email=f"nobody{i}@example.com", password="guess")
    assert login(client).status_code == 429


def test_lock_ends_after_the_lock_period(app, client, monkeypatch):
    add_staff(app)
    for _ in range(app.config["TECHVALLEY_LOGIN_MAX_FAILURES"]):
        login(client, password="guess")
    assert login(client).status_code == 429
    from web import auth, models

    later = models.now() + timedelta(minutes=app.config["TECHVALLEY_LOGIN_LOCK_MINUTES"] + 1)
    monkeypatch.setattr(auth, "now", lambda: later)
    assert login(client).status_code == 302


def test_a_success_clears_the_account_count(app, client):
    add_staff(app)
    for _ in range(app.config["TECHVALLEY_LOGIN_MAX_FAILURES"] - 1):
        login(client, password="guess")
    assert login(client).status_code == 302
    from web.extensions import db
    from web.models import LoginFailure

    with app.app_context():
        assert db.session.get(LoginFailure, f"email:{STAFF_EMAIL}") is None


def test_login_form_is_rate_limited_per_ip(tiny_data_path, tmp_path):
    app = make_app(
        tiny_data_path, tmp_path / "i", TECHVALLEY_RATELIMIT_ENABLED=True, TECHVALLEY_RATELIMIT_LOGIN="3 per minute"
    )
    client = app.test_client()
    token = csrf_token(client)
    statuses = [
        client.post("/staff/login", data={"email": "a@b.ma", "password": "x", "csrf_token": token}).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429
    assert client.get("/staff/login").status_code == 200  # reading the form is not limited


def test_create_staff_refuses_short_password_and_bad_email(app):
    from valleys.errors import TechValleyError
    from web.auth import create_staff

    with app.app_context():
        with pytest.raises(TechValleyError, match="shorter than 8"):
            create_staff("a@b.ma", "short")
        with pytest.raises(TechValleyError, match="not an email"):
            create_staff("nobody", "long enough password")
