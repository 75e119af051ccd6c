"""The map assets blueprint (web/assets.py): local files, versioned URLs, long cache headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xstatic.pkg.leaflet as xleaflet
from flask import Flask

from web import assets

YEAR = 365 * 24 * 3600


@pytest.fixture
def client():
    app = Flask(__name__)
    app.register_blueprint(assets.bp)
    return app.test_client()


def test_leaflet_served_from_the_installed_package_with_long_cache(client):
    url = assets.url("xstatic/leaflet/leaflet.js")
    assert url == f"/assets/xstatic/leaflet/{xleaflet.VERSION}/leaflet.js"
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == (Path(xleaflet.BASE_DIR) / "leaflet.js").read_bytes()
    assert response.cache_control.max_age == YEAR
    assert response.cache_control.public and response.cache_control.immutable
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype in ("text/javascript", "application/javascript")


def test_every_asset_a_map_links_is_served(client):
    for _, url in [*assets.map_js(), *assets.map_css()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cache_control.max_age == YEAR
    # the images leaflet.css refers to, relative to it
    css = client.get(assets.url("xstatic/leaflet/leaflet.css")).get_data(as_text=True)
    images = set(re.findall(r"url\((images/[^)]+)\)", css))
    assert images
    base = assets.url("xstatic/leaflet/leaflet.css").rsplit("/", 1)[0]
    for image in images:
        assert client.get(f"{base}/{image}").status_code == 200, image


def test_own_files_versioned_by_content(client):
    url = assets.url("maps/techvalley-map.js")
    version = url.split("/")[3]
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == (assets.OWN_DIR / "techvalley-map.js").read_bytes()
    assert response.cache_control.max_age == YEAR
    # an old page asking for an old version gets today's file, not cached for a year
    stale = client.get(url.replace(version, "0" * 12))
    assert stale.status_code == 200 and stale.cache_control.max_age == 0
    assert not stale.cache_control.immutable


@pytest.mark.parametrize(
    "path",
    [
        "/assets/xstatic/leaflet/0.0.1/leaflet.js",  # wrong version
        f"/assets/xstatic/os/{xleaflet.VERSION}/leaflet.js",  # not an allowed package
        f"/assets/xstatic/leaflet/{xleaflet.VERSION}/nothing.js",
        f"/assets/xstatic/leaflet/{xleaflet.VERSION}/../__init__.py",
        f"/assets/xstatic/leaflet/{xleaflet.VERSION}/%2e%2e/__init__.py",
        "/assets/maps/abc/../../assets.py",
        "/assets/maps/abc/%2e%2e/%2e%2e/assets.py",
        "/assets/maps/abc/nothing.js",
    ],
)
def test_unknown_or_escaping_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_url_of_unknown_asset_is_a_programming_error():
    for path in (
        "xstatic/leaflet/nothing.js",
        "xstatic/jquery/jquery.js",
        "maps/none.js",
        "cdn/leaflet.js",
    ):
        with pytest.raises(KeyError):
            assets.url(path)


def test_urls_follow_the_script_root():
    app = Flask(__name__)
    app.register_blueprint(assets.bp)
    with app.test_request_context("/", base_url="http://localhost/techvalley"):
        assert assets.url("xstatic/leaflet/leaflet.css").startswith("/techvalley/assets/")
    assert assets.url("xstatic/leaflet/leaflet.css").startswith("/assets/")


def test_our_static_folder_holds_only_our_code():
    files = sorted(p.name for p in assets.OWN_DIR.iterdir() if p.is_file())
    assert files == ["inventory-picker.js", "techvalley-map.css", "techvalley-map.js"]
    for name in files:
        head = (assets.OWN_DIR / name).read_text(encoding="utf-8")[:200]
        assert "techvalley" in head and "our code" in head
