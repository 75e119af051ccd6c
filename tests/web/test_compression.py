"""Responses are compressed (brotli or gzip) when the client accepts it, and the home page on the
shipped dataset transfers under 250 KB with everything it loads."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from tests.web.conftest import app, client  # noqa: F401  (fixtures)

#: the budget of issue 13: the home page and every stylesheet and script it loads
HOME_BUDGET_BYTES = 250_000


def _decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, encoding
    return body


def _resources(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js))"', html)


@pytest.mark.parametrize("accept, expected", [("gzip", "gzip"), ("br, gzip", "br"), ("gzip;q=1, br;q=0", "gzip")])
def test_pages_and_assets_compressed_as_the_client_accepts(client, accept, expected):  # noqa: F811
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    page = client.get("/", headers={"Accept-Encoding": accept})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == expected
    assert "Accept-Encoding" in page.headers["Vary"]
    # a new CSP nonce and new map element ids on every response
    same = re.compile(rb'nonce="[^"]+"|[0-9a-f]{32}')
    assert same.sub(b"", _decoded(page)) == same.sub(b"", plain.get_data())
    assert len(page.get_data()) < len(plain.get_data()) / 2
    urls = _resources(plain.get_data(as_text=True))
    assert any(u.endswith(".css") for u in urls) and any(u.endswith(".js") for u in urls)
    for url in urls:
        asset = client.get(url, headers={"Accept-Encoding": accept})
        assert asset.status_code == 200, url
        if len(_decoded(asset)) > 1000:
            assert asset.headers.get("Content-Encoding") == expected, url


def test_api_json_compressed_and_downloads_left_alone(client):  # noqa: F811
    sites = client.get("/api/v1/sites", headers={"Accept-Encoding": "gzip"})
    assert sites.headers["Content-Encoding"] == "gzip"
    assert b'"FeatureCollection"' in _decoded(sites)
    # an error is small and answered as it is
    missing = client.get("/no/such/page", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers


@pytest.mark.slow
def test_home_page_on_the_shipped_dataset_under_250_kb(tmp_path):
    from web import create_app

    shipped = create_app({"TECHVALLEY_INSTANCE": str(tmp_path / "instance"), "TESTING": True,
                          "TECHVALLEY_RATELIMIT_ENABLED": False})
    browser = shipped.test_client()
    for accept in ("gzip", "br"):
        page = browser.get("/", headers={"Accept-Encoding": accept})
        assert page.status_code == 200
        total = len(page.get_data())
        sizes = {"/": total}
        for url in _resources(_decoded(page).decode("utf-8")):
            asset = browser.get(url, headers={"Accept-Encoding": accept})
            assert asset.status_code == 200, url
            sizes[url] = len(asset.get_data())
            total += sizes[url]
        print(f"home page, {accept}: {total / 1000:.0f} KB {sizes}")
        assert total < HOME_BUDGET_BYTES, sizes
