"""The suitability grid scored like a shortlist: engine, merging, Dask equality, command line."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from matching import topsis, weighted_sum
from matching.errors import RequirementsError
from matching.suitability import (
    DEFAULT_PROFILE,
    candidate_areas,
    score_cells,
    select_best,
    suitability,
)
from matching.suitability_dask import suitability_dask
from valleys import DatasetError, DatasetWarning, load_dataset
from valleys.grid import grid_features
from web.cli import main as cli  # the one techvalley group

AREA_KEYS = {"id", "lat", "lon", "area_km2", "score", "commune", "region"}


@pytest.fixture(scope="module")
def tiny():
    return load_dataset("tests/fixtures/tiny")


@pytest.fixture(scope="module")
def tiny_cells(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        return grid_features(tiny, resolution=6)


@pytest.fixture(scope="module")
def tiny_result(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        return suitability(tiny, resolution=6, percentile=10, top=5)


# ----------------------------------------------------------------------------- scoring


def test_scores_are_the_shortlist_engine_on_the_cell_matrix(tiny_cells):
    scored = score_cells(tiny_cells)
    columns = [c["column"] for c in DEFAULT_PROFILE["criteria"] if c["column"] in tiny_cells]
    assert scored.plan.columns == columns
    matrix = tiny_cells[columns].to_numpy(float).copy()
    j = columns.index("catchment_french_literate_pct")  # missing: worst (no one around)
    matrix[np.isnan(matrix[:, j]), j] = np.nanmin(matrix[:, j])
    weights = [c["weight"] for c in DEFAULT_PROFILE["criteria"] if c["column"] in tiny_cells]
    benefit = [c["direction"] == "benefit" for c in DEFAULT_PROFILE["criteria"]
               if c["column"] in tiny_cells]
    # linear values (the default, issue 12) are the min-max normalisation, to TOPSIS
    np.testing.assert_allclose(scored.scores.to_numpy(),
                               topsis(matrix, weights, benefit, "minmax"), rtol=1e-12)
    assert "the default profile's criterion universities_km was dropped" in " ".join(
        scored.warnings)


def test_constraints_exclude_cells_and_missing_values_exclude_by_default(tiny_cells):
    profile = {
        "method": "weighted_sum",
        "constraints": [{"column": "airports_km", "op": "<=", "value": 40}],
        "criteria": [{"column": "catchment_higher_education_pct", "direction": "benefit"},
                     {"column": "zones_km", "direction": "benefit", "weight": 2}],
    }
    scored = score_cells(tiny_cells, profile)
    near = tiny_cells["airports_km"] <= 40
    known = tiny_cells["catchment_higher_education_pct"].notna()
    assert scored.scores.notna().to_numpy().tolist() == (near & known).to_numpy().tolist()
    chosen = tiny_cells.loc[near & known, ["catchment_higher_education_pct", "zones_km"]]
    np.testing.assert_allclose(scored.scores.dropna().to_numpy(),
                               weighted_sum(chosen.to_numpy(), [1, 2], [True, True]), rtol=1e-12)
    assert scored.excluded["constraints"] == int((~near).sum())


def test_a_profile_naming_an_unknown_column_is_refused(tiny_cells):
    profile = {"criteria": [{"column": "rent_mad_m2_month", "direction": "cost"}]}
    with pytest.raises(RequirementsError) as caught:
        score_cells(tiny_cells, profile, source="plan.yaml")
    text = str(caught.value)
    assert "plan.yaml" in text and "criteria[0].column: unknown column 'rent_mad_m2_month'" in text
    assert "the grid's cells have: " in text and "zones_km" in text


def test_a_text_constraint_is_refused(tiny_cells):
    profile = {"constraints": [{"column": "zones_km", "op": "in", "value": ["far"]}],
               "criteria": [{"column": "zones_km", "direction": "benefit"}]}
    with pytest.raises(RequirementsError, match=r"constraints\[0\].*cells have numbers only"):
        score_cells(tiny_cells, profile)


# ----------------------------------------------------------------------------- merging


def test_select_best_keeps_the_best_percentile_and_its_ties():
    scores = pd.Series([0.2, 0.9, np.nan, 0.5, 0.9, 0.1, 0.3, 0.4, 0.6, 0.7, 0.8])
    assert select_best(scores, percentile=10).index.tolist() == [1, 4]  # k = 1, tie kept
    assert select_best(scores, percentile=30).index.tolist() == [1, 4, 10]
    with pytest.raises(RequirementsError, match="percentile 0 is outside"):
        select_best(scores, percentile=0)
    with pytest.raises(RequirementsError, match="percentile 150 is outside"):
        select_best(scores, percentile=150)


def _disk(lat, lon, k, res=7):
    return [h3.str_to_int(c) for c in h3.grid_disk(h3.latlng_to_cell(lat, lon, res), k)]


def test_neighbouring_cells_merge_and_separate_groups_stay_apart():
    a, b = _disk(34.0, -6.8, 1), _disk(33.6, -7.6, 1)
    labels = candidate_areas(pd.Series(1.0, index=a + b), prominence=None)
    assert labels.loc[a].nunique() == 1 and labels.loc[b].nunique() == 1
    assert labels.loc[a[0]] != labels.loc[b[0]]


def test_two_peaks_joined_by_a_low_saddle_stay_two_areas():
    centre = h3.latlng_to_cell(34.0, -6.8, 8)
    line = h3.grid_path_cells(centre, h3.latlng_to_cell(34.0, -6.7, 8))  # a row of cells
    n = len(line)
    x = np.linspace(-1, 1, n)
    scores = np.exp(-((x + 0.6) / 0.2) ** 2) + 0.8 * np.exp(-((x - 0.6) / 0.2) ** 2) + 0.1
    series = pd.Series(scores, index=[h3.str_to_int(c) for c in line])
    split = candidate_areas(series, prominence=0.05)
    assert split.nunique() == 2
    assert split.iloc[0] == split.iloc[n // 4] != split.iloc[-1]  # each side its own peak
    assert candidate_areas(series, prominence=None).nunique() == 1
    assert candidate_areas(series, prominence=1.0).nunique() == 1  # the lower peak absorbed


# ----------------------------------------------------------------------------- result


def test_areas_are_best_first_inside_the_land_with_their_outline(tiny, tiny_result):
    result = tiny_result.to_json()
    assert result["resolution"] == 6 and result["cells"] == 1142
    assert 1 <= len(result["areas"]) <= 5
    scores = [a["score"] for a in result["areas"]]
    assert scores == sorted(scores, reverse=True) and scores[0] == pytest.approx(
        tiny_result.grid["score"].max())
    assert [a["id"] for a in result["areas"]] == [f"area-{i + 1}" for i in range(len(scores))]
    land = shapely.union_all(tiny.regions.geometry.array)
    for area, outline in zip(result["areas"], tiny_result.areas.geometry, strict=True):
        assert AREA_KEYS <= set(area)
        assert land.contains(shapely.Point(area["lon"], area["lat"]))
        assert outline.contains(shapely.Point(area["lon"], area["lat"]))
        assert area["region"] in set(tiny.regions["name"])
        assert area["area_km2"] == pytest.approx(
            area["cells"] * h3.average_hexagon_area(6, unit="km^2"), rel=0.1)
    assert sum(a["cells"] for a in result["areas"]) <= len(tiny_result.best)
    assert json.loads(json.dumps(result)) == result  # plain JSON


def test_the_dask_path_gives_the_same_result(tiny):
    profile = {"constraints": [{"column": "airports_km", "op": "<=", "value": 80}],
               "criteria": [{"column": "catchment_labour_active", "direction": "benefit"},
                            {"column": "catchment_french_literate_pct", "direction": "benefit",
                             "missing": "worst"},
                            {"column": "rail_stations_km", "direction": "cost", "weight": 2}]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        one = suitability(tiny, resolution=6, profile=profile, percentile=30, top=None,
                          prominence=0.0)
        parts = suitability(tiny, resolution=6, profile=profile, percentile=30, top=None,
                            prominence=0.0, partitions=3)
    a, b = one.to_json(), parts.to_json()
    assert len(a["areas"]) > 1
    assert (a["cells"], a["scored"], a["excluded"]) == (b["cells"], b["scored"], b["excluded"])
    for x, y in zip(a["areas"], b["areas"], strict=True):
        assert x.keys() == y.keys()
        for key in x:
            same = x[key] == y[key] or x[key] == pytest.approx(y[key], rel=1e-12)
            assert same, (key, x[key], y[key])
    pd.testing.assert_frame_equal(one.best.sort_index(), parts.best.sort_index(), rtol=1e-12)
    pd.testing.assert_frame_equal(one.overview, parts.overview, rtol=1e-12)
    streamed = suitability_dask(tiny, resolution=6, profile=profile, percentile=30, top=None,
                                prominence=0.0, partitions=5, persist=False,
                                scheduler="synchronous")
    pd.testing.assert_frame_equal(one.best.sort_index(), streamed.best.sort_index(), rtol=1e-12)


def test_bad_options_are_refused(tiny):
    with pytest.raises(DatasetError, match="H3 resolution 16 is outside 0 to 15"):
        suitability(tiny, resolution=16)
    with pytest.raises(RequirementsError, match="top must be a whole number"):
        suitability(tiny, resolution=5, top=0)
    with pytest.raises(RequirementsError, match="prominence must be"):
        suitability(tiny, resolution=5, prominence=2)


# ----------------------------------------------------------------------------- command line


def _run(*args):
    return CliRunner().invoke(cli, ["suitability", *map(str, args)], catch_exceptions=False)


def test_command_prints_the_areas_as_json(tiny_data_path):
    options = ["--data", tiny_data_path, "--resolution", 6, "--percentile", 30, "--prominence", 0]
    result = _run(*options, "--top", 1)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["resolution"] == 6 and payload["cells"] == 1142
    assert len(payload["areas"]) == 1 and AREA_KEYS <= set(payload["areas"][0])
    everything = json.loads(_run(*options).stdout)
    assert len(everything["areas"]) > 1
    assert everything["areas"][0] == payload["areas"][0]


def test_command_writes_geojson_and_gpkg_outlines(tiny_data_path, tmp_path):
    result = _run("--data", tiny_data_path, "--resolution", 6, "--format", "geojson")
    assert result.exit_code == 0, result.stderr
    collection = json.loads(result.stdout)
    assert collection["type"] == "FeatureCollection"
    assert collection["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    out = tmp_path / "areas.gpkg"
    result = _run("--data", tiny_data_path, "--resolution", 6, "--format", "gpkg", "--out", out)
    assert result.exit_code == 0, result.stderr
    areas = gpd.read_file(out, layer="areas")
    assert len(areas) == len(collection["features"]) and areas.crs.to_epsg() == 4326
    assert areas["id"].iloc[0] == "area-1"


@pytest.mark.parametrize("resolution", ["-1", "16"])
def test_command_refuses_a_resolution_outside_0_to_15(tiny_data_path, resolution):
    result = _run("--data", tiny_data_path, "--resolution", resolution)
    assert result.exit_code == 2
    assert f"Error: H3 resolution {resolution} is outside 0 to 15" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_warns_with_the_cell_count_above_resolution_9(tiny_data_path, monkeypatch):
    import valleys.grid

    monkeypatch.setattr(valleys.grid, "MAX_CELLS", 1000)
    monkeypatch.setattr(valleys.grid.grid_features, "__kwdefaults__",
                        {**valleys.grid.grid_features.__kwdefaults__, "max_cells": 1000})
    result = _run("--data", tiny_data_path, "--resolution", 10)
    assert result.exit_code == 2
    assert "Warning: H3 resolution 10 gives about" in result.stderr
    assert "Error: H3 resolution 10 gives about" in result.stderr


def test_command_refuses_a_profile_naming_an_unknown_column(tiny_data_path, tmp_path):
    profile = tmp_path / "plan.yaml"
    profile.write_text("criteria:\n  - {column: catchment_labour, direction: benefit}\n")
    result = _run("--data", tiny_data_path, "--resolution", 5, "--profile", profile)
    assert result.exit_code == 2
    assert "plan.yaml" in result.stderr
    assert "unknown column 'catchment_labour'" in result.stderr
    assert "did you mean catchment_labour_active" in result.stderr


def test_command_refuses_a_dataset_without_land(tiny_zones_only_path):
    result = _run("--data", tiny_zones_only_path, "--resolution", 5)
    assert result.exit_code == 2
    assert "has no land to grid" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_ten_plausible_areas_on_the_shipped_dataset():
    result = _run("--resolution", 7)
    assert result.exit_code == 0, result.stderr
    areas = json.loads(result.stdout)["areas"]
    assert len(areas) == 10
    regions = [a["region"] for a in areas]
    assert regions[0] == "Casablanca-Settat" and regions[1] == "Rabat-Salé-Kénitra"
    assert {"Fès-Meknès", "Tanger-Tétouan-Al Hoceima", "Marrakech-Safi",
            "Souss-Massa"} <= set(regions[:6])
    for area in areas:  # inside Morocco, near an airport and a labour pool
        assert 27.0 < area["lat"] < 36.0 and -13.5 < area["lon"] < -1.0


def test_command_refuses_a_percentile_outside_0_to_100(tiny_data_path):
    result = _run("--data", tiny_data_path, "--resolution", 5, "--percentile", 0)
    assert result.exit_code == 2
    assert "Error: percentile 0.0 is outside (0, 100]" in result.stderr


def test_command_on_dask_partitions_prints_the_same_areas(tiny_data_path):
    options = ["--data", tiny_data_path, "--resolution", 5, "--percentile", 20]
    one = json.loads(_run(*options).stdout)
    parts = _run(*options, "--partitions", 2)
    assert parts.exit_code == 0, parts.stderr
    assert [a["best_cell"] for a in json.loads(parts.stdout)["areas"]] == [
        a["best_cell"] for a in one["areas"]]
