"""Candidate parcels (issue 14): cut, spaced, named, compared with the zones; bad options."""

from __future__ import annotations

import json
import math
import warnings
from itertools import combinations

import geopandas as gpd
import h3.api.basic_int as h3_int
import numpy as np
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import box

from matching.errors import RequirementsError
from matching.parcels import (
    ParcelOptions,
    check_parcel_options,
    criterion_shares,
    grow_parcel,
    haversine_km,
    spaced,
    urban_communes,
)
from matching.suitability import suitability
from valleys import DatasetWarning, load_dataset
from valleys.grid import land_geometry
from web.cli import main as cli


@pytest.fixture(scope="module")
def tiny():
    return load_dataset("tests/fixtures/tiny")


@pytest.fixture(scope="module")
def tiny_result(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        return suitability(tiny, resolution=6, percentile=10, top=5,
                           parcel_options=ParcelOptions(spacing_km=10))


def _run(*args):
    return CliRunner().invoke(cli, ["suitability", *map(str, args)], catch_exceptions=False)


# ----------------------------------------------------------------------------- pure parts


def test_spacing_keeps_the_best_of_points_closer_than_the_distance():
    lat = np.array([34.0, 34.05, 34.2, 34.25, 34.5])
    lon = np.full(5, -6.8)
    assert spaced(lat, lon, spacing_km=10) == [0, 2, 4]  # 5.6 km apart: the first kept
    assert spaced(lat, lon, spacing_km=5) == [0, 1, 2, 3, 4]
    assert spaced(lat, lon, spacing_km=10, count=2) == [0, 2]
    assert float(haversine_km(34.0, -6.8, 34.05, -6.8)) == pytest.approx(5.56, abs=0.01)


def test_a_parcel_grows_contiguous_best_first_within_its_area_bounds():
    centre = h3_int.latlng_to_cell(34.0, -6.8, 9)
    disk = np.array(h3_int.grid_disk(centre, 4), dtype=np.uint64)
    rng = np.random.default_rng(1)
    scores = rng.random(len(disk))
    km2 = np.array([h3_int.cell_area(int(c), unit="km^2") for c in disk])
    start = int(np.argmax(scores))
    chosen = grow_parcel(disk, scores, start=start, cell_km2=km2, min_km2=0.5, max_km2=2.0,
                         floor=0.0)
    assert start in chosen and 0.5 <= km2[chosen].sum() <= 2.0
    # contiguous: one polygon
    shape = h3_int.cells_to_h3shape([int(c) for c in disk[chosen]])
    assert shapely.geometry.shape(shape.__geo_interface__).geom_type == "Polygon"
    # a floor above every score stops growth once the smallest area is reached
    small = grow_parcel(disk, scores, start=start, cell_km2=km2, min_km2=0.5, max_km2=2.0,
                        floor=2.0)
    assert 0.5 <= km2[small].sum() < 0.5 + km2.max()
    # cells without a score never join
    holes = scores.copy()
    holes[[i for i in range(len(disk)) if i != start]] = np.nan
    assert grow_parcel(disk, holes, start=start, cell_km2=km2, min_km2=0.5, max_km2=2.0,
                       floor=0.0) == [start]


def test_criterion_shares_follow_the_direction():
    reference = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [np.nan, 40.0]])
    shares = criterion_shares(reference, np.array([[2.5, 15.0]]), np.array([True, False]))
    assert shares.tolist() == [[2 / 3, 0.75]]


def test_a_parcel_in_a_town_is_named_by_it_and_its_province():
    from matching.parcels import _name

    assert _name("Tiflet", "Sidi Abderrazak", "Khémisset").text == "near Tiflet, Sidi Abderrazak"
    assert _name("Aïn-Chock", "Aïn-Chock", "Casablanca").text == "in Aïn-Chock, Casablanca"
    assert _name("Salé", "Salé", None).text == "near Salé, Salé"  # nothing better to add


def test_towns_are_dense_populous_communes_or_the_layers_own_type():
    square = box(-7.0, 33.0, -6.99, 33.01)  # about 1 km²
    big = box(-7.0, 33.0, -6.0, 34.0)
    communes = gpd.GeoDataFrame({"name": ["dense", "sparse", "small"],
                                 "population": [50_000, 50_000, 800]},
                                geometry=[square, big, square], crs="EPSG:4326")
    assert urban_communes(communes).tolist() == [True, False, False]
    typed = communes.assign(type=["rural", "Urbaine", "municipality"])
    assert urban_communes(typed).tolist() == [False, True, True]


@pytest.mark.parametrize(("options", "error"), [
    ({"min_area_km2": 0}, "the smallest parcel area"),
    ({"max_area_km2": -1}, "the largest parcel area"),
    ({"spacing_km": 0}, "the spacing between parcels"),
    ({"spacing_km": -5}, "the spacing between parcels"),
    ({"spacing_km": math.nan}, "the spacing between parcels"),
    ({"min_area_km2": "x"}, "the smallest parcel area"),
    ({"min_area_km2": 6, "max_area_km2": 5}, "the smallest .* is above the largest"),
    ({"resolution": 6, "max_area_km2": 5}, "a cell .* is larger than the largest parcel"),
])
def test_bad_parcel_options_are_refused(options, error):
    with pytest.raises(RequirementsError, match=error):
        check_parcel_options(**options)


def test_suitability_refuses_bad_parcel_options_before_the_grid(tiny):
    with pytest.raises(RequirementsError, match="the spacing between parcels"):
        suitability(tiny, resolution=5, parcel_options=ParcelOptions(spacing_km=0))


# ----------------------------------------------------------------------------- on data


def test_parcels_are_cut_spaced_named_and_compared(tiny, tiny_result):
    parcels = tiny_result.parcels_json()
    assert 1 <= len(parcels) <= 5
    land = land_geometry(tiny)
    scores = [p["score"] for p in parcels]
    assert scores == sorted(scores, reverse=True)
    for p in parcels:
        assert 0.5 <= p["area_km2"] <= 5.0
        assert shapely.contains_xy(land, p["lon"], p["lat"])
        codes = [m["code"] for m in p["messages"]]
        assert p["name"] == p["messages"][0]["text"] and p["commune"] and p["town"]
        assert p["name"] == (f"near {p['town']}, {p['commune']}" if codes[0] == "parcel.name"
                             else f"in {p['commune']}, {p['province'] or p['region']}")
        assert codes[1] in {"parcel.as_good_as", "parcel.above_zones", "parcel.below_zones"}
        assert "criterion.strongest" in codes
        assert p["nearest_zone"] and p["zones_km"] >= 0
        south, west, north, east = p["bounds"]
        assert south <= p["lat"] <= north and west <= p["lon"] <= east
    for a, b in combinations(parcels, 2):
        assert float(haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])) >= 10
    assert json.loads(json.dumps(parcels)) == parcels


def test_a_parcel_and_the_zones_are_scored_on_the_grids_scale(tiny, tiny_result):
    """The comparison holds: the zone named scores as the text says, on the grid's scale."""
    p = tiny_result.parcels_json()[0]
    compared = p["messages"][1]
    zone_score = float(compared["params"]["zone_score"])
    assert compared["params"]["score"] == round(p["score"], 3)
    assert f"scores {p['score']:.3f} on this profile" in compared["text"]
    if compared["code"] == "parcel.below_zones":
        assert zone_score >= round(p["score"], 3)
    else:  # as good as a zone, or above every one
        assert zone_score <= round(p["score"], 3)
    # a parcel's best cell scores within the grid's range (the same scale)
    grid_scores = tiny_result.grid["score"].dropna()
    assert grid_scores.min() - 1e-9 <= p["best_score"] <= 1.0


def test_areas_only_has_no_parcels_and_dask_warns(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        areas = suitability(tiny, resolution=6, percentile=10, top=3, parcels=False)
        dask = suitability(tiny, resolution=6, percentile=10, top=3, partitions=2)
    assert areas.to_json()["parcels"] == [] and len(areas.to_json()["areas"]) >= 1
    assert dask.to_json()["parcels"] == []
    assert "parcels are cut on one machine only" in " ".join(dask.warnings)


# ----------------------------------------------------------------------------- command


def test_command_lists_parcels_and_writes_them_as_a_layer(tiny_data_path, tmp_path):
    options = ["--data", tiny_data_path, "--resolution", 6, "--percentile", 10, "--top", 3]
    result = _run(*options)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["parcels"] and payload["areas"]
    areas_only = json.loads(_run(*options, "--view", "areas").stdout)
    assert areas_only["parcels"] == [] and areas_only["areas"] == payload["areas"]
    geojson = json.loads(_run(*options, "--format", "geojson").stdout)
    assert [f["properties"]["id"] for f in geojson["features"]] == [
        p["id"] for p in payload["parcels"]]
    out = tmp_path / "s.gpkg"
    assert _run(*options, "--format", "gpkg", "--out", out).exit_code == 0
    layers = [name for name, _ in pyogrio.list_layers(out)]
    assert layers == ["areas", "parcels"]
    assert len(gpd.read_file(out, layer="parcels")) == len(payload["parcels"])


@pytest.mark.parametrize(("option", "error"), [
    (["--spacing-km", 0], "the spacing between parcels (km) must be a positive number"),
    (["--min-area-km2", -1], "the smallest parcel area (km²) must be a positive number"),
    (["--max-area-km2", 0], "the largest parcel area (km²) must be a positive number"),
    (["--min-area-km2", 3, "--max-area-km2", 2], "the smallest (3 km²) is above the largest"),
])
def test_command_refuses_bad_parcel_options(tiny_data_path, option, error):
    result = _run("--data", tiny_data_path, "--resolution", 5, *option)
    assert result.exit_code == 2
    assert error in result.stderr and "Traceback" not in result.stderr


def test_command_refuses_a_profile_naming_an_unknown_column_with_parcels(tiny_data_path,
                                                                         tmp_path):
    profile = tmp_path / "plan.yaml"
    profile.write_text("criteria:\n  - {column: talent_pool, direction: benefit}\n")
    result = _run("--data", tiny_data_path, "--resolution", 5, "--profile", profile)
    assert result.exit_code == 2
    assert "talent_pool" in result.stderr and "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- shipped data


@pytest.mark.slow
def test_ten_parcels_on_the_shipped_dataset():
    dataset = load_dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        result = suitability(dataset, resolution=7)
    parcels = result.parcels_json()
    assert len(parcels) == 10
    land = land_geometry(dataset)
    for p, outline in zip(parcels, result.parcels.geometry, strict=True):
        assert 0.5 <= p["area_km2"] <= 5.0
        assert shapely.contains_xy(land, p["lon"], p["lat"])
        assert outline.intersection(land).area >= 0.9 * outline.area  # the coast may clip
        assert p["town"] and p["commune"] and p["region"]
        assert p["name"] in (f"near {p['town']}, {p['commune']}",
                             f"in {p['commune']}, {p['province']}")
        assert p["messages"][0]["code"] == ("parcel.in_town" if p["town"] == p["commune"]
                                            else "parcel.name")
    for a, b in combinations(parcels, 2):
        assert float(haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])) >= 10
    assert parcels[0]["region"] == "Casablanca-Settat"
