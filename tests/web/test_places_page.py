"""Real places on the pages (issue 11): the zone page says how well a zone is located, in
words; the map keeps Kénitra's air base, marked, and never measures to it."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.web.conftest import make_app
from valleys.dataset import default_data_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = make_app(default_data_path(), tmp_path_factory.mktemp("places") / "instance")
    return app.test_client()


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _location(page: str) -> str:
    cell = re.search(r'<td class="location">(.*?)</td>', page, re.S)
    assert cell, "no location row"
    return html.unescape(cell.group(1)).strip()


@pytest.mark.parametrize(
    ("zone", "english", "french"),
    [
        ("casanearshore", "published park marker", "repère publié du parc"),
        ("technopark-casablanca", "pinned from an address: Estimated (about ±1.5 km)",
         "placé d'après une adresse\u202f: Estimated (about ±1.5 km)"),
        ("technopark-rabat", "commune centre: approximate",
         "centre de la commune\u202f: approximatif"),
    ],
)
def test_the_zone_page_says_the_precision_in_words(client, zone, english, french):
    assert _location(_page(client, f"/sites/{zone}?lang=en")).startswith(english)
    page = _page(client, f"/sites/{zone}?lang=fr")
    assert _location(page).startswith(french)
    assert ">address<" not in page and ">site<" not in page and "location_note" not in page


def _tooltip(page: str, name: str) -> str:
    """The tooltip of the map feature named ``name``, as the browser reads it."""
    found = re.search(r'"tooltip":\s*"(' + re.escape(name) + r'[^"]*)"', page)
    assert found, name
    return json.loads(f'"{found.group(1)}"')


def _text(page: str) -> str:
    """A page with the JSON escapes of its embedded data read back."""
    return re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), page)


def test_the_map_marks_the_air_base_and_measures_to_a_civil_airport(client):
    tooltip = _tooltip(_page(client, "/?lang=en"), "Kénitra Air Base")
    assert tooltip == ("Kénitra Air Base <small>(Airports; military air base, no scheduled "
                       "flights)</small>")
    french = _tooltip(_page(client, "/?lang=fr"), "Kénitra Air Base")
    assert "base aérienne militaire, sans vols réguliers" in french
    assert _tooltip(_page(client, "/?lang=en"), "Rabat-Salé") == "Rabat-Salé <small>(Airports)</small>"
    zone = _text(_page(client, "/sites/atlantic-free-zone?lang=en"))
    # the line to the nearest airport goes to Rabat-Salé, 43 km, not to the base 20 km away
    assert "Rabat-Salé · 43.3 km" in zone
    assert "Kénitra Air Base ·" not in zone
