"""Sessions that end (logout, a new password, their lifetime) and logins that do not tell
which emails are staff accounts (issue 9)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from click.testing import CliRunner

from tests.web.conftest import STAFF_EMAIL, STAFF_PASSWORD, add_staff, csrf_token, login, make_app

STAFF_PAGES = ["/staff/shortlists", "/staff/inquiries"]


def _logged_in_cookie(app):
    """Log in with a fresh client; return it and its session cookie (what an attacker copies)."""
    client = app.test_client()
    assert login(client).status_code == 302
    assert client.get("/staff/shortlists").status_code == 200
    return client, client.get_cookie("session").value


def _replay(app, cookie: str):
    """A fresh client that sends only the copied cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def _assert_refused(client) -> None:
    for url in STAFF_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/staff/login" in response.headers["Location"]
    response = client.get("/api/v1/shortlists")
    assert response.status_code == 401
    assert "Staff only" in response.get_json()["error"]


def _assert_accepted(client) -> None:
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/shortlists").status_code == 200


def _logout(client) -> None:
    response = client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302


def test_a_copied_cookie_works_until_logout(app):
    add_staff(app)
    _, cookie = _logged_in_cookie(app)
    _assert_accepted(_replay(app, cookie))  # the replay is a real session (the test can fail)


def test_logout_ends_a_copied_session_cookie(app):
    add_staff(app)
    client, cookie = _logged_in_cookie(app)
    _logout(client)
    _assert_refused(_replay(app, cookie))


def test_logout_ends_every_session_of_the_account(app):
    add_staff(app)
    _, other_cookie = _logged_in_cookie(app)  # another browser of the same person
    client, _ = _logged_in_cookie(app)
    _logout(client)
    _assert_refused(_replay(app, other_cookie))
    # and logging in again works, with a new session
    again = app.test_client()
    assert login(again).status_code == 302
    _assert_accepted(again)


def test_a_new_password_ends_copied_sessions(app):
    from web.auth import create_staff

    add_staff(app)
    _, cookie = _logged_in_cookie(app)
    with app.app_context():
        create_staff(STAFF_EMAIL, "a brand new password")
    _assert_refused(_replay(app, cookie))
    assert login(app.test_client(), password="a brand new password").status_code == 302


def test_create_staff_command_ends_copied_sessions(tiny_data_path, tmp_path, monkeypatch):
    from web.cli import main

    instance = tmp_path / "instance"
    monkeypatch.setenv("TECHVALLEY_INSTANCE", str(instance))
    app = make_app(tiny_data_path, instance)
    add_staff(app)
    _, cookie = _logged_in_cookie(app)
    result = CliRunner().invoke(
        main, ["create-staff", STAFF_EMAIL, "--password-stdin"], input="a brand new password\n"
    )
    assert result.exit_code == 0, result.output
    assert "sessions" in result.output
    _assert_refused(_replay(app, cookie))


def test_a_session_of_the_old_schema_is_refused(app):
    """A cookie carrying a plain staff id (sessions made before session versions)."""
    add_staff(app)
    client = app.test_client()
    assert login(client).status_code == 302
    with client.session_transaction() as session:
        assert session["_user_id"] == "1:1"
        session["_user_id"] = "1"  # what a login made before this change holds
    _assert_refused(client)


@pytest.mark.parametrize("user_id", ["1:", ":0", "1:0:0", "1:x", "1:-1", "1:１", " 1:1"])
def test_a_malformed_session_id_is_refused(app, user_id):
    add_staff(app)
    client = app.test_client()
    assert login(client).status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    _assert_refused(client)


def test_a_login_ends_after_the_session_hours_even_when_the_cookie_is_renewed(app, monkeypatch):
    from web import auth, models

    assert app.permanent_session_lifetime == timedelta(hours=12)
    add_staff(app)
    client = app.test_client()
    assert login(client).status_code == 302
    hours = app.config["TECHVALLEY_SESSION_HOURS"]
    almost = models.now() + timedelta(hours=hours, minutes=-1)
    monkeypatch.setattr(auth, "now", lambda: almost)
    assert client.get("/staff/shortlists?lang=fr").status_code == 200  # writes the session
    later = models.now() + timedelta(hours=hours, minutes=1)
    monkeypatch.setattr(auth, "now", lambda: later)
    _assert_refused(client)


def test_session_hours_setting(tiny_data_path, tmp_path):
    from valleys.errors import TechValleyError

    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_SESSION_HOURS=2)
    assert app.permanent_session_lifetime == timedelta(hours=2)
    with pytest.raises(TechValleyError, match="TECHVALLEY_SESSION_HOURS 0 must be"):
        make_app(tiny_data_path, tmp_path / "j", TECHVALLEY_SESSION_HOURS=0)


def test_session_version_column_is_added_to_a_store_made_before_it(tiny_data_path, tmp_path):
    """A store whose staff table predates session versions: the column is added, logins work."""
    instance = tmp_path / "old"
    instance.mkdir()
    with sqlite3.connect(instance / "techvalley.sqlite3") as connection:
        connection.execute(
            "CREATE TABLE staff (id INTEGER PRIMARY KEY, email VARCHAR(254) UNIQUE, "
            "password_hash VARCHAR(255), created_at DATETIME)"
        )
    from werkzeug.security import generate_password_hash

    with sqlite3.connect(instance / "techvalley.sqlite3") as connection:
        connection.execute(
            "INSERT INTO staff (email, password_hash, created_at) VALUES (?, ?, ?)",
            (STAFF_EMAIL, generate_password_hash(STAFF_PASSWORD, method="scrypt"), "2024-01-01 00:00:00"),
        )
    app = make_app(tiny_data_path, instance)
    client = app.test_client()
    assert login(client).status_code == 302
    _assert_accepted(client)
    _logout(client)
    _assert_refused(client)


@pytest.mark.parametrize("email", [STAFF_EMAIL, "nobody@amdie.example"])
def test_one_password_check_for_known_and_unknown_emails(app, client, monkeypatch, email):
    """The timing of a failed login must not tell a staff email from an unknown one: both cost
    exactly one scrypt check."""
    from web import auth

    add_staff(app)
    calls = []
    real = auth.check_password_hash

    def spy(password_hash: str, password: str) -> bool:
        calls.append(password_hash.split("$", 1)[0])
        return real(password_hash, password)

    monkeypatch.setattr(auth, "check_password_hash", spy)
    response = login(client, email=email, password="wrong password")
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert len(calls) == 1
    with app.app_context():
        from web.extensions import db
        from web.models import Staff

        real_method = db.session.execute(db.select(Staff)).scalar_one().password_hash.split("$", 1)[0]
    assert calls == [real_method]  # same scrypt parameters as a real hash


@pytest.mark.parametrize("email", [STAFF_EMAIL, "nobody@amdie.example"])
def test_one_password_check_for_http_basic(app, client, monkeypatch, email):
    from base64 import b64encode

    from web import auth

    add_staff(app)
    calls = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    token = b64encode(f"{email}:wrong password".encode()).decode()
    response = client.get("/api/v1/shortlists", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401
    assert len(calls) == 1
