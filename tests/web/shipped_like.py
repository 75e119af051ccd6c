"""Fixtures of the web follow-ups: a tiny dataset with the shipped dataset's zone columns, and
past investors ("Investors like you") on the tiny zones.

Import the fixtures into a test module: ``from tests.web.shipped_like import ...  # noqa: F401``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

#: zone id -> the shipped columns the tiny fixture lacks (activities, incentive class, floor)
SHIPPED_COLUMNS: dict[str, dict[str, object]] = {
    "technopolis": {"activities": "ITO;CRM;BPO;ESO;KPO", "incentive_zone_class": "p2i_primary",
                    "office_floor_m2": 50000.0},
    "casanearshore": {"activities": "ITO;CRM;BPO", "incentive_zone_class": "p2i_primary",
                      "office_floor_m2": 250000.0},
    "technopark-casa": {"activities": "ITO", "incentive_zone_class": "other", "office_floor_m2": 25000.0},
    "technopark-rabat": {"activities": "ITO", "incentive_zone_class": "other", "office_floor_m2": 4000.0},
    "ctv": {"activities": "ITO;CRM;BPO", "incentive_zone_class": "p2i_secondary", "office_floor_m2": None},
}

SYNTHETIC_HEADER = "# SYNTHETIC example for the web tests: not real investors.\n"

#: past investors who chose tiny zones; the first three are CRM investors of about 300 people
PAST_INVESTORS: list[dict[str, object]] = [
    {"name": "Atlas Contact", "activity": "CRM", "headcount": 300, "chosen": "casanearshore"},
    {"name": "Rif Calls", "activity": "CRM", "headcount": 280, "chosen": "casanearshore"},
    {"name": "Sebou Voice", "activity": "CRM", "headcount": 350,
     "criteria": [{"column": "catchment_labour_active", "direction": "benefit", "weight": 5},
                  {"column": "rent_mad_m2_month", "direction": "cost", "weight": 3}],
     "chosen": "technopolis"},
    {"name": "Oasis Back Office", "activity": "BPO", "headcount": 500, "chosen": "technopolis"},
    {"name": "Cedar Code", "activity": "ITO", "headcount": 60, "chosen": "technopark-rabat"},
    {"name": "Argan Analytics", "activity": "KPO", "headcount": 40, "chosen": "technopark-casa"},
    {"name": "Dunes Engineering", "activity": "ESO", "headcount": 120,
     "constraints": [{"column": "airports_km", "op": "<=", "value": 30}], "chosen": "ctv"},
]


@pytest.fixture
def shipped_like_path(tiny_data_path: Path, tmp_path: Path) -> Path:
    """The tiny dataset with the shipped zone columns ``activities``, ``incentive_zone_class``
    (so the shortlist derives ``incentive_mad_per_job``...) and ``office_floor_m2``."""
    target = tmp_path / "shipped_like"
    shutil.copytree(tiny_data_path, target)
    zones_path = target / "zones.geojson"
    zones = json.loads(zones_path.read_text(encoding="utf-8"))
    for feature in zones["features"]:
        feature["properties"].update(SHIPPED_COLUMNS[feature["properties"]["id"]])
    zones_path.write_text(json.dumps(zones), encoding="utf-8")
    return target


def write_past_investors(path: Path, investors: list[dict[str, object]] | None = None, *,
                         header: str = SYNTHETIC_HEADER) -> Path:
    """Write past investors as YAML (the format of ``geodata/examples/PAST_INVESTORS.yaml``)."""
    text = yaml.safe_dump(PAST_INVESTORS if investors is None else investors, sort_keys=False,
                          allow_unicode=True)
    path.write_text(header + text, encoding="utf-8")
    return path


@pytest.fixture
def past_investors_path(tmp_path: Path) -> Path:
    """Seven synthetic past investors (the file's header says so) on the tiny zones."""
    return write_past_investors(tmp_path / "PAST_INVESTORS.yaml")
