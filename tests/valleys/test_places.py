"""Real places (issue 11): the shipped zones where the published record puts them, airports that
count, facts with their date, and the contract's checks on all three."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point

import valleys
from valleys import fact_values
from valleys.build import read_facts
from valleys.dataset import default_data_path
from valleys.features import haversine_km, site_features
from valleys.validation import numeric_columns
from web.cli import main as cli

pytestmark = pytest.mark.slow


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    """``techvalley sites --format json`` on the shipped dataset, by zone id."""
    result = run("sites", "--format", "json")
    assert result.exit_code == 0, result.output
    return pd.DataFrame(json.loads(result.stdout)).set_index("id")


# ---------------------------------------------------------------------------- the shipped zones


def test_distances_from_the_published_markers(shipped):
    # the commune points gave 13.4 km, 3.1 km and 1.7 km (rail) / NNA as "airport"
    assert shipped.loc["oujda-shore", "airports_km"] < 4.0
    assert 5.0 <= shipped.loc["technopolis-rabat-shore", "airports_km"] <= 9.0
    assert shipped.loc["atlantic-free-zone", "airports_km"] > 20.0


def test_the_free_zone_is_not_measured_to_the_air_base(shipped):
    airports = gpd.read_file(default_data_path() / "airports.geojson")
    nna = airports.set_index("code").geometry["NNA"]
    zone = shipped.loc["atlantic-free-zone"]
    to_nna = float(haversine_km(np.array(zone["lon"]), np.array(zone["lat"]),
                                np.array(nna.x), np.array(nna.y)))
    assert to_nna < 25.0 < zone["airports_km"]  # the base is nearer; it does not count
    assert not airports.set_index("code").loc["NNA", ["civil", "scheduled"]].any()


def test_casanearshore_and_technopark_casablanca_are_apart(shipped):
    a, b = (shipped.loc[z, ["lon", "lat"]].astype(float) for z in
            ("casanearshore", "technopark-casablanca"))
    assert not np.allclose(a, b)
    km = float(haversine_km(np.array(a["lon"]), np.array(a["lat"]), np.array(b["lon"]),
                            np.array(b["lat"])))
    assert 0.5 < km < 3.0


def test_precision_counts(shipped):
    precision = shipped["location_precision"]
    assert set(precision) <= set(fact_values.LOCATION_PRECISIONS)
    assert (precision == "site").sum() >= 6
    assert precision.isin(["site", "address"]).sum() >= 8
    # an estimate says how it was made
    assert shipped.loc[precision == "address", "location_note"].str.len().gt(20).all()


def test_two_zones_share_a_point_only_when_both_are_commune_centres(shipped):
    shared = []
    for a, b in itertools.combinations(shipped.index, 2):
        same = np.allclose(shipped.loc[a, ["lon", "lat"]].astype(float),
                           shipped.loc[b, ["lon", "lat"]].astype(float), atol=1e-6)
        if same:
            shared.append((a, b))
            assert shipped.loc[[a, b], "location_precision"].eq("commune").all(), (a, b)
    assert shared == [("technopark-agadir", "agadir-shore")]  # nothing better published


def test_facts_that_age_carry_their_date(shipped):
    for column in ("rent_mad_m2_month", "available_m2", "status"):
        dated = shipped[f"{column}_as_of"]
        for day in dated.dropna():
            assert fact_values.parse_as_of(day) <= date.today()
        # every value has its date, but Tétouan Shore's occupancy and status (no dated source)
        undated = shipped[shipped[column].notna() & dated.isna()].index.tolist()
        assert set(undated) <= {"tetouan-shore"}, (column, undated)
    # Casanearshore's rent is the 2007 launch price, not today's
    assert shipped.loc["casanearshore", "rent_mad_m2_month_as_of"] == "2007"
    assert shipped.loc["casablanca-tech-valley", "status_as_of"] == "2025-04-30"


# ---------------------------------------------------------------------------- one implementation


def test_airports_km_counts_civil_airports_with_scheduled_flights_only(tiny_data_path):
    dataset = valleys.load_dataset(tiny_data_path)
    before = site_features(dataset)["airports_km"]
    airports = dataset.layers["airports"]
    # an air base right on every zone: does not count
    bases = gpd.GeoDataFrame(
        {"code": [f"B{i}" for i in range(len(dataset.zones))], "civil": False,
         "scheduled": False},
        geometry=list(dataset.zones.geometry.representative_point()), crs=airports.crs)
    airports = pd.concat([airports.assign(civil=True, scheduled=True), bases], ignore_index=True)
    dataset.layers["airports"] = gpd.GeoDataFrame(airports, crs=bases.crs)
    after = site_features(dataset)["airports_km"]
    pd.testing.assert_series_equal(before, after)
    # a civil field without scheduled flights does not count either; one with them does
    dataset.layers["airports"].loc[len(airports) - 1, ["civil", "scheduled"]] = [True, True]
    assert site_features(dataset)["airports_km"].min() == pytest.approx(0.0, abs=1e-6)


def test_loading_writes_dates_as_iso_text_and_service_as_booleans(tiny_layers, write_dataset):
    tiny_layers["zones"]["status_as_of"] = "2024-05-01"  # a reader may make dates of these
    tiny_layers["zones"]["rent_mad_m2_month_as_of"] = ["2007", None, "2008-10", None, None][
        : len(tiny_layers["zones"])]
    tiny_layers["airports"]["civil"] = "true"
    tiny_layers["airports"]["scheduled"] = True
    dataset = valleys.load_dataset(write_dataset(tiny_layers))
    zones = dataset.zones
    assert zones["status_as_of"].tolist() == ["2024-05-01"] * len(zones)
    rent_dates = zones["rent_mad_m2_month_as_of"]
    assert rent_dates[0] == "2007" and pd.isna(rent_dates[1]) and rent_dates[2] == "2008-10"
    assert dataset.layers["airports"]["civil"].dtype == bool
    assert "status_as_of" not in numeric_columns(zones)


# ---------------------------------------------------------------------------- bad inputs: exit 2


TOMORROW = (date.today() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("layer", "column", "value", "row", "words"),
    [
        ("zones", "location_precision", "surveyed", "technopolis", "is not a location precision"),
        ("zones", "status_as_of", "31/12/2020", "technopolis", "is not an ISO date"),
        ("zones", "rent_mad_m2_month_as_of", "2021-02-30", "technopolis", "not a date of the calendar"),
        ("zones", "status_as_of", TOMORROW, "technopolis", "is in the future"),
        ("airports", "civil", "maybe", "RBA", "is not a boolean: write true or false"),
        ("airports", "scheduled", "", "RBA", "empty: write true or false"),
    ],
)
def test_a_bad_place_or_date_exits_2_naming_row_and_column(tiny_layers, write_dataset, layer,
                                                          column, value, row, words):
    frame = tiny_layers[layer]
    ids = frame["id"] if "id" in frame else frame["code"]
    if layer == "airports":
        frame["civil"], frame["scheduled"] = "true", "true"
    frame[column] = pd.Series([None] * len(frame), dtype=object)
    frame.loc[ids == row, column] = value
    path = write_dataset(tiny_layers)
    for command in (("validate", path), ("sites", "--data", path)):
        result = run(*command)
        assert result.exit_code == 2, (command, result.output)
        assert "Traceback" not in result.output
        assert f"row {row!r}, column {column}:" in result.stderr, result.stderr
        assert words in result.stderr, result.stderr


def test_the_build_refuses_bad_places_and_dates(tmp_path):
    import csv
    import shutil

    from valleys.build import FACTS_DIR

    facts = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, facts)

    def edit(name: str, row_id: str, **changes: str) -> None:
        path = facts / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            if r["id"] == row_id:
                r.update(changes)
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    edit("zones", "technopark-casablanca", location_note="")
    edit("zones", "fes-shore", location_precision="gps", available_m2_as_of=TOMORROW)
    edit("zones", "casanearshore", rent_mad_m2_month_as_of="2007-13")
    edit("airports", "NNA", civil="military")
    with pytest.raises(valleys.DatasetError) as err:
        read_facts("zones", facts_dir=facts)
    details = "\n".join(err.value.details)
    assert "id 'technopark-casablanca'), column location_note: empty" in details
    assert "id 'fes-shore'), column location_precision: 'gps' is not a location precision" in details
    assert f"id 'fes-shore'), column available_m2_as_of: '{TOMORROW}' is in the future" in details
    assert "id 'casanearshore'), column rent_mad_m2_month_as_of: '2007-13'" in details
    with pytest.raises(valleys.DatasetError, match=r"id 'NNA'\), column civil: 'military' is not"):
        read_facts("airports", facts_dir=facts)


def test_measured_layer_keeps_other_layers_whole():
    stations = gpd.GeoDataFrame({"civil": [False]}, geometry=[Point(0, 0)])
    assert fact_values.measured_layer("rail_stations", stations) is stations


def test_the_new_columns_and_values_have_words_in_both_languages():
    from matching import i18n

    french = i18n.catalogue_msgids("fr")
    for column in ("location_precision", "location_note", "civil", "scheduled", "status_as_of",
                   "rent_mad_m2_month_as_of", "available_m2_as_of"):
        assert i18n.COLUMN_LABELS[column] in french, column
    for value in (*fact_values.LOCATION_PRECISIONS, ):
        assert i18n.VALUE_LABELS["location_precision"][value] in french, value
    assert i18n.value_label("airport", "military", "fr") == (
        "base aérienne militaire, sans vols réguliers")
    assert i18n.value_label("location_precision", "site", "en") == "published park marker"
