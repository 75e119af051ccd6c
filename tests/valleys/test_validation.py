"""Validation: every problem of the dataset contract, each read back from its message."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from valleys import numeric_columns, validate
from valleys.validation import Problem

BOWTIE = Polygon([(-6.80, 34.00), (-6.78, 34.02), (-6.78, 34.00), (-6.80, 34.02)])


def _lines(problems: list[Problem], level: str | None = None) -> list[str]:
    return [str(p) for p in problems if level is None or p.level == level]


def test_the_tiny_dataset_is_valid(tiny_data_path, tiny_zones_only_path):
    assert validate(tiny_data_path) == []
    assert validate(tiny_zones_only_path) == []


def test_a_layer_with_no_crs_is_an_error_naming_file_and_layer(tiny_layers, write_dataset):
    tiny_layers["airports"] = tiny_layers["airports"].set_crs(None, allow_override=True)
    path = write_dataset(tiny_layers, "gpkg")
    (line,) = _lines(validate(path), "error")
    assert line.startswith(f"error: {path}: layer airports: the layer has no CRS")


def test_a_shapefile_without_prj_has_no_crs(tiny_layers, write_dataset):
    path = write_dataset({"zones": tiny_layers["zones"].representative_point().to_frame("geometry")
                          .join(tiny_layers["zones"].drop(columns="geometry"))}, "shp")
    (path / "zones.prj").unlink()
    (problem,) = [p for p in validate(path) if p.level == "error"]
    assert problem.kind == "no-crs" and problem.file.endswith("zones.shp")


def test_no_id_and_no_name_columns_are_errors(tiny_layers, write_dataset):
    tiny_layers["zones"] = tiny_layers["zones"].drop(columns=["id", "name"])
    errors = _lines(validate(write_dataset(tiny_layers)), "error")
    assert len(errors) == 2
    assert "layer zones, column id: the zones layer has no 'id' column" in errors[0]
    assert "layer zones, column name: the zones layer has no 'name' column" in errors[1]


def test_duplicate_and_empty_ids_are_errors_naming_the_rows(tiny_layers, write_dataset):
    zones = tiny_layers["zones"]
    zones.loc[2, "id"] = "casanearshore"
    zones.loc[4, "id"] = "  "
    errors = _lines(validate(write_dataset(tiny_layers)), "error")
    assert any("layer zones, row 5, column id: empty id" in e for e in errors)
    assert any(
        "row 'casanearshore', column id: duplicate id: rows 2, 3 share it" in e for e in errors
    )
    assert len(errors) == 2


def test_a_self_intersecting_polygon_is_an_error_naming_the_row(tiny_layers, write_dataset):
    tiny_layers["zones"].loc[3, "geometry"] = BOWTIE
    (line,) = _lines(validate(write_dataset(tiny_layers, "gpkg")), "error")
    assert "layer zones, row 'technopark-rabat', column geometry: invalid geometry" in line
    assert "Self-intersection" in line and "make_valid" in line


def test_an_empty_geometry_is_an_error(tiny_layers, write_dataset):
    tiny_layers["zones"].loc[1, "geometry"] = None
    (line,) = _lines(validate(write_dataset(tiny_layers)), "error")
    assert "row 'casanearshore', column geometry: empty or missing geometry" in line


def test_text_in_a_numeric_column_names_the_row_and_column(tiny_layers, write_dataset):
    zones = tiny_layers["zones"]
    zones["rent_mad_m2_month"] = zones["rent_mad_m2_month"].astype(object)
    zones.loc[2, "rent_mad_m2_month"] = "120 MAD"
    zones["seats"] = ["100", "200", "lots", "50", ""]  # numeric: most values are numbers
    path = write_dataset(tiny_layers)
    errors = _lines(validate(path), "error")
    assert errors == [
        f"error: {path / 'zones.geojson'}: layer zones, row 'technopark-casa', column "
        "rent_mad_m2_month: text '120 MAD' in a numeric column: write a number (with a dot for "
        "decimals, no unit) or leave it empty for a missing value",
        f"error: {path / 'zones.geojson'}: layer zones, row 'technopark-casa', column seats: "
        "text 'lots' in a numeric column: write a number (with a dot for decimals, no unit) or "
        "leave it empty for a missing value",
    ]


def test_a_path_that_is_not_a_dataset_is_one_error(tmp_path):
    (problem,) = validate(tmp_path)
    assert problem.level == "error" and problem.kind == "not-a-dataset"
    assert "holds no layer file" in str(problem)
    (problem,) = validate(tmp_path / "missing.gpkg")
    assert "does not exist" in str(problem)


def test_an_unreadable_file_is_an_error_and_the_rest_is_still_checked(tiny_layers, write_dataset):
    path = write_dataset(tiny_layers)
    (path / "airports.geojson").write_text("{ not json")
    tiny_layers["zones"].loc[0, "geometry"] = None
    tiny_layers["zones"].to_file(path / "zones.geojson", driver="GeoJSON")
    lines = _lines(validate(path), "error")
    assert len(lines) == 2
    assert "layer airports: Cannot read layer airports" in lines[0]
    assert "row 'technopolis', column geometry: empty" in lines[1]


def test_a_missing_zones_layer_is_an_error(tiny_layers, write_dataset):
    del tiny_layers["zones"]
    path = write_dataset(tiny_layers)
    (line,) = _lines(validate(path), "error")
    assert line.startswith(f"error: {path}: no 'zones' layer (layers found: airports, communes")


@pytest.mark.parametrize("epsg", [4261, 26191])
def test_coordinates_outside_the_crs_area_of_use_are_a_warning(tiny_layers, write_dataset, epsg):
    # EPSG:4261 (Merchich, Morocco) with latitude and longitude swapped; EPSG:26191 declared
    # for longitude/latitude degrees
    zones = tiny_layers["zones"].to_crs(epsg)
    if epsg == 4261:
        point = zones.geometry.iloc[1]
        zones.loc[1, "geometry"] = Point(point.y, point.x)
    else:
        zones.loc[1, "geometry"] = Point(-7.646, 33.536)
    path = write_dataset({"zones": zones}, "gpkg")
    problems = validate(path)
    assert [p.level for p in problems] == ["warning"]
    line = str(problems[0])
    assert "row 'casanearshore', column geometry: coordinates" in line
    assert f"outside the area of use of the layer's CRS EPSG:{epsg}" in line
    assert "latitude and longitude may be swapped" in line


def test_swapped_coordinates_in_wgs84_are_caught_by_the_regions(tiny_layers, write_dataset):
    tiny_layers["zones"].loc[1, "geometry"] = Point(33.536, -7.646)
    problems = validate(write_dataset(tiny_layers))
    (line,) = _lines(problems, "warning")
    assert "row 'casanearshore', column geometry: the zone lies outside every polygon" in line
    assert "latitude and longitude may be swapped" in line


def test_a_numeric_column_with_no_variance_is_a_warning(tiny_layers, write_dataset):
    tiny_layers["zones"]["rent_mad_m2_month"] = 90.0
    (line,) = _lines(validate(write_dataset(tiny_layers)))
    assert line.startswith("warning: ")
    assert "layer zones, column rent_mad_m2_month: numeric column with no variance" in line


def test_validate_lists_every_problem_not_only_the_first(tiny_layers, write_dataset):
    zones = tiny_layers["zones"]
    zones.loc[0, "geometry"] = BOWTIE
    zones.loc[1, "geometry"] = None
    zones.loc[2, "id"] = "technopolis"
    zones["rent_mad_m2_month"] = zones["rent_mad_m2_month"].astype(object)
    zones.loc[3, "rent_mad_m2_month"] = "cheap"
    zones.loc[4, "rent_mad_m2_month"] = "dear"
    zones["floors_count"] = 3
    tiny_layers["rail_stations"] = tiny_layers["rail_stations"].set_crs(None, allow_override=True)
    problems = validate(write_dataset(tiny_layers, "gpkg"))
    kinds = sorted(p.kind for p in problems)
    assert kinds == sorted([
        "invalid-geometry", "empty-geometry", "duplicate-id", "text-in-numeric",
        "text-in-numeric", "no-variance", "no-crs",
    ])
    assert sum(p.level == "error" for p in problems) == 6


def test_problem_lines_name_file_layer_row_and_column():
    problem = Problem("error", "z.gpkg", "zones", 3, "id", "empty id")
    assert str(problem) == "error: z.gpkg: layer zones, row 3, column id: empty id"
    assert str(Problem("warning", "d", None, None, None, "m")) == "warning: d: m"


def test_numeric_columns_follow_the_contract_rule():
    frame = pd.DataFrame({
        "id": ["1", "2", "3"],  # never numeric
        "name": ["a", "b", "c"],
        "available_m2": ["x", None, None],  # unit suffix: numeric whatever its values
        "population": ["", "", ""],  # a shipped numeric column
        "score": [1.5, 2.0, None],  # numeric dtype
        "seats": ["10", "20", "many"],  # two of three are numbers
        "floor": ["1", "ground", "roof"],  # one of three: text
        "open": [True, False, True],  # boolean: not a criterion
        "opened": ["2001", "2012", "2008-10-16"],  # a shipped text column: years and dates
    })
    assert numeric_columns(frame) == ["available_m2", "population", "score", "seats"]
    assert numeric_columns(gpd.GeoDataFrame(frame, geometry=[Point(0, 0)] * 3)) == [
        "available_m2", "population", "score", "seats"
    ]


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "parquet"])
def test_validate_reads_each_format(tiny_layers, write_dataset, fmt):
    tiny_layers["zones"]["geometry"] = tiny_layers["zones"].geometry.representative_point()
    tiny_layers["zones"].loc[0, "id"] = "casanearshore"
    kinds = [p.kind for p in validate(write_dataset(tiny_layers, fmt))]
    assert kinds == ["duplicate-id"]


def test_an_empty_zones_layer_is_a_warning_and_gives_no_sites(tiny_layers, write_dataset):
    from valleys import load_sites

    tiny_layers["zones"] = tiny_layers["zones"].iloc[:0]
    path = write_dataset(tiny_layers, "gpkg")  # GeoJSON keeps no columns without features
    (line,) = _lines(validate(path))
    assert line == f"warning: {path}: layer zones: the zones layer has no rows: there is nothing to rank"
    sites = load_sites(path)
    assert sites.empty and {"airports_km", "catchment_population"} <= set(sites.columns)


def test_a_table_without_geometry_is_an_error_naming_the_layer(tiny_layers, write_dataset):
    import pyogrio

    path = write_dataset(tiny_layers, "gpkg")
    pyogrio.write_dataframe(pd.DataFrame({"source": ["S1"]}), path, layer="sources")
    (problem,) = validate(path)
    assert problem.level == "error" and problem.layer == "sources"
    assert "Layer sources in" in str(problem) and "has no geometry column" in str(problem)
