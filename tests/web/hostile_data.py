"""A copy of the tiny dataset where every text attribute of every layer holds its own attack.

Each value carries its own number ``N`` (``alert(N)``), so a dialog or a raw payload in a page
names the field it came from: :data:`HOSTILE_FIELDS` maps ``N`` to ``(layer, row, column)``.
Zone ids are hostile too (they reach URLs, ``data-`` attributes and the map's JSON).

Import the fixtures into a test module: ``from tests.web.hostile_data import ...  # noqa: F401``.
"""

from __future__ import annotations

import json
import shutil
from itertools import count
from pathlib import Path

import pytest

#: the attacks, each with ``{n}`` for its number; a template that evaluated the ``{{ }}`` one
#: would show :data:`SSTI_RESULT`
PAYLOADS: tuple[str, ...] = (
    "<img src=x onerror=alert({n})>",
    '"><svg onload=alert({n})>',
    "</script><script>alert({n})</script>",
    "'-alert({n})-'",
    "{{{{7*7}}}}{{{{'tv-ssti'|upper}}}}{{{{config}}}}<img src=x onerror=alert({n})>",
    "' onmouseover='alert({n})' x='",
    '<iframe src="javascript:alert({n})"></iframe>',
)  # seven: no layer has a multiple of seven columns, so each column meets several attacks
#: columns that read as links somewhere (a source, a web site): a script URL
URL_PAYLOAD = "javascript:alert({n})"
URL_COLUMNS = frozenset({"source", "source_citations", "website"})

#: text columns added to every zone (the shipped dataset's, and a web site); not
#: location_precision, a vocabulary the dataset contract checks (a payload there is refused)
ZONE_TEXT_COLUMNS: tuple[str, ...] = (
    "name", "city", "status", "operator", "activities", "region", "commune", "province",
    "notes", "source", "source_citations", "location_note", "opened", "shared_services",
    "incentive_zone_class", "rent_note", "website",
)
#: text columns of the other layers
OTHER_TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "airports": ("id", "name"),
    "rail_stations": ("id", "name"),
    "communes": ("id", "name", "province", "region"),
    "regions": ("id", "name"),
}

#: what the SSTI payload would become if a template evaluated it
SSTI_RESULT = "TV-SSTI"


def hostile_value(column: str, n: int) -> str:
    """The attack for field number ``n`` (a script URL in link-like columns)."""
    if column in URL_COLUMNS:
        return URL_PAYLOAD.format(n=n)
    return PAYLOADS[n % len(PAYLOADS)].format(n=n)


def write_hostile_dataset(source: Path, target: Path) -> dict[int, tuple[str, int, str]]:
    """Copy the tiny dataset at ``source`` to ``target`` with every text attribute hostile.

    Returns
    -------
    dict
        ``N -> (layer, row, column)`` of every hostile value written.
    """
    shutil.copytree(source, target)
    numbers = count(1)
    fields: dict[int, tuple[str, int, str]] = {}
    layers = {"zones": ("id", *ZONE_TEXT_COLUMNS), **OTHER_TEXT_COLUMNS}
    for layer, columns in layers.items():
        path = target / f"{layer}.geojson"
        collection = json.loads(path.read_text(encoding="utf-8"))
        for row, feature in enumerate(collection["features"]):
            for column in columns:
                n = next(numbers)
                value = hostile_value(column, n)
                if column == "id":  # ids stay usable in a comma-separated ?ids= list
                    value = value.replace(",", ";")
                feature["properties"][column] = value
                fields[n] = (layer, row, column)
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return fields


#: filled by :func:`all_hostile_data_path`: N -> (layer, row, column)
HOSTILE_FIELDS: dict[int, tuple[str, int, str]] = {}


@pytest.fixture
def all_hostile_data_path(tiny_data_path, tmp_path) -> Path:
    """The tiny dataset with every text attribute of every layer hostile (see the module)."""
    target = tmp_path / "all-hostile"
    HOSTILE_FIELDS.clear()
    HOSTILE_FIELDS.update(write_hostile_dataset(tiny_data_path, target))
    return target


@pytest.fixture
def all_hostile_app(all_hostile_data_path, tmp_path):
    from tests.web.conftest import make_app

    return make_app(all_hostile_data_path, tmp_path / "instance-all-hostile")
