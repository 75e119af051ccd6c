"""Fixtures of the web tests: apps on the tiny datasets, each with its own store."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from web import create_app

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_CITY = "</script><script>alert(2)</script>"
STAFF_EMAIL = "staff@amdie.example"
STAFF_PASSWORD = "correct horse battery"


def make_app(data_path: Path, instance: Path, **config):
    settings = {
        "TECHVALLEY_DATA": str(data_path),
        "TECHVALLEY_INSTANCE": str(instance),
        "TECHVALLEY_RATELIMIT_ENABLED": False,
        "TECHVALLEY_API_ROBUSTNESS_DRAWS": 50,
        "TESTING": True,
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app(tiny_data_path, tmp_path):
    return make_app(tiny_data_path, tmp_path / "instance")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def zones_only_app(tiny_zones_only_path, tmp_path):
    return make_app(tiny_zones_only_path, tmp_path / "instance-zones")


def tiny_copy(tiny_data_path: Path, target: Path, edit: Callable[[list[dict]], None]) -> Path:
    """A copy of the tiny dataset at ``target`` whose zones' GeoJSON features ``edit`` changed
    in place."""
    shutil.copytree(tiny_data_path, target)
    zones_path = target / "zones.geojson"
    zones = json.loads(zones_path.read_text(encoding="utf-8"))
    edit(zones["features"])
    zones_path.write_text(json.dumps(zones), encoding="utf-8")
    return target


@pytest.fixture
def hostile_data_path(tiny_data_path, tmp_path) -> Path:
    """The tiny dataset with a zone named like an XSS attack, and a hostile city."""
    def edit(features: list[dict]) -> None:
        features[0]["properties"].update(name=HOSTILE_NAME, city=HOSTILE_CITY)

    return tiny_copy(tiny_data_path, tmp_path / "hostile", edit)


@pytest.fixture
def hostile_app(hostile_data_path, tmp_path):
    return make_app(hostile_data_path, tmp_path / "instance-hostile")


def add_staff(app, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD):
    from web.auth import create_staff

    with app.app_context():
        create_staff(email, password)


def csrf_token(client, url: str = "/staff/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD):
    return client.post(
        "/staff/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )


@pytest.fixture
def staff_client(app, client):
    add_staff(app)
    response = login(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def shortlist_body(**overrides) -> dict:
    """A requirement that the tiny dataset can score."""
    body = {
        "name": "Example BPO",
        "constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": 120}],
        "criteria": [
            {"column": "catchment_labour_active", "direction": "benefit", "weight": 5},
            {"column": "rent_mad_m2_month", "direction": "cost", "weight": 3},
            {"column": "airports_km", "direction": "cost", "weight": 2},
        ],
        "robustness": {"draws": 50, "seed": 0},
    }
    body.update(overrides)
    return body
