"""The factory: settings, instance folder, secret key, store, security headers."""

from __future__ import annotations

import sqlite3

import pytest

from tests.web.conftest import make_app
from web.settings import SettingsError, from_env


def test_instance_folder_holds_store_secret_and_translations(app, tmp_path):
    instance = tmp_path / "instance"
    assert (instance / "techvalley.sqlite3").exists()
    assert (instance / "secret_key").read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) == 64
    assert (instance / "translations" / "fr" / "LC_MESSAGES" / "techvalley.mo").exists()
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_is_kept_across_restarts(tiny_data_path, tmp_path):
    first = make_app(tiny_data_path, tmp_path / "i").config["SECRET_KEY"]
    second = make_app(tiny_data_path, tmp_path / "i").config["SECRET_KEY"]
    assert first == second


def test_secret_key_setting_wins(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_SECRET_KEY="s3cret")
    assert app.config["SECRET_KEY"] == "s3cret"
    assert not (tmp_path / "i" / "secret_key").exists()


def test_database_url_setting(tiny_data_path, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_DATABASE_URL=url)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
    assert (tmp_path / "elsewhere.db").exists()


def test_sqlite_store_is_in_wal_mode(app, tmp_path):
    with sqlite3.connect(tmp_path / "instance" / "techvalley.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    from web.extensions import db

    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("TECHVALLEY_MAX_BODY_BYTES", "1000")
    monkeypatch.setenv("TECHVALLEY_RATELIMIT_ENABLED", "off")
    settings = from_env()
    assert settings["TECHVALLEY_MAX_BODY_BYTES"] == 1000
    assert settings["TECHVALLEY_RATELIMIT_ENABLED"] is False


@pytest.mark.parametrize(
    ("name", "value"),
    [("TECHVALLEY_MAX_BODY_BYTES", "lots"), ("TECHVALLEY_RATELIMIT_ENABLED", "maybe")],
)
def test_bad_setting_names_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        from_env({name: value})


def test_dataset_is_loaded_once_at_startup(app):
    data = app.extensions["techvalley_data"]
    assert list(data.sites.index) == ["technopolis", "casanearshore", "technopark-casa", "technopark-rabat", "ctv"]
    assert data.version


def test_bad_dataset_path_is_a_user_error(tmp_path):
    from valleys.errors import TechValleyError

    with pytest.raises(TechValleyError):
        make_app(tmp_path / "no-such-dataset", tmp_path / "i")


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_private_pages_are_not_cached_or_indexed(client):
    created = client.post("/api/v1/shortlists", json={"criteria": [{"column": "area_ha", "direction": "benefit", "weight": 1}]})
    share = client.get(created.get_json()["url"].replace("http://localhost", ""))
    for response in (created, share, client.get("/staff/login"), client.get("/match")):
        assert response.headers["Cache-Control"] == "no-store"
        assert "noindex" in response.headers["X-Robots-Tag"]
    assert "Cache-Control" not in client.get("/sites/ctv").headers


def test_secure_cookie_setting(tiny_data_path, tmp_path):
    app = make_app(tiny_data_path, tmp_path / "i", TECHVALLEY_COOKIE_SECURE=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_unknown_api_route_is_a_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert set(response.get_json()) == {"error", "details"}


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/sites")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "error" in response.get_json()


def test_unexpected_error_is_a_500_page_without_traceback(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
