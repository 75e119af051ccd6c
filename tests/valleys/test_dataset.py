"""Loading datasets: formats, CRSs, repairs, refusals."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

import valleys
from valleys import DatasetError, DatasetWarning, load_dataset, load_sites
from valleys.dataset import default_data_path

BOWTIE = Polygon([(-6.80, 34.00), (-6.78, 34.02), (-6.78, 34.00), (-6.80, 34.02)])


def test_tiny_dataset_loads_in_wgs84_with_numbers_and_text_ids(tiny_data_path):
    ds = load_dataset(tiny_data_path)
    assert sorted(ds.layers) == ["airports", "communes", "rail_stations", "regions", "zones"]
    assert all(gdf.crs.to_epsg() == 4326 for gdf in ds.layers.values())
    assert list(ds.point_layers) == ["airports", "rail_stations"]
    assert ds.communes is not None and ds.regions is not None
    assert ds.zones["id"].tolist()[:2] == ["technopolis", "casanearshore"]
    assert ds.zones["rent_mad_m2_month"].dtype.kind == "f"
    assert ds.zones["rent_mad_m2_month"].isna().sum() == 1
    assert re.fullmatch(r"[0-9a-f]{12}", ds.version)
    assert ds.sources["zones"].endswith("zones.geojson")
    assert ds.path == str(tiny_data_path)


def test_zones_only_dataset_has_no_feature_layers(tiny_zones_only_path):
    ds = load_dataset(tiny_zones_only_path)
    assert list(ds.layers) == ["zones"] and ds.point_layers == {}
    assert ds.communes is None and ds.regions is None


def test_version_changes_with_content(tiny_layers, write_dataset):
    first = write_dataset(tiny_layers)
    tiny_layers["zones"].loc[0, "rent_mad_m2_month"] = 99.0
    second = write_dataset(tiny_layers)
    assert load_dataset(first).version == load_dataset(first).version
    assert load_dataset(first).version != load_dataset(second).version


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "parquet"])
def test_each_format_loads_the_same_zones(tiny_layers, write_dataset, fmt):
    if fmt == "shp":  # a Shapefile holds one geometry type: points here
        zones = tiny_layers["zones"]
        zones["geometry"] = zones.geometry.representative_point()
    path = write_dataset(tiny_layers, fmt)
    ds = load_dataset(path)
    assert sorted(ds.layers) == sorted(tiny_layers)
    assert ds.zones["id"].tolist() == tiny_layers["zones"]["id"].tolist()
    assert ds.zones.crs.to_epsg() == 4326
    assert ds.zones.geometry.geom_equals_exact(tiny_layers["zones"].geometry, 1e-9).all()
    sites = valleys.site_features(ds)
    reference = valleys.site_features(load_dataset(write_dataset(tiny_layers)))
    np.testing.assert_allclose(sites["airports_km"], reference["airports_km"], rtol=1e-9)


def test_a_single_layer_file_is_a_dataset(tiny_data_path):
    ds = load_dataset(tiny_data_path / "zones.geojson")
    assert list(ds.layers) == ["zones"]


@pytest.mark.parametrize("epsg", [26191, 3857])
@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_projected_layers_are_brought_to_wgs84(tiny_layers, write_dataset, epsg, fmt):
    projected = {name: gdf.to_crs(epsg=epsg) for name, gdf in tiny_layers.items()}
    ds = load_dataset(write_dataset(projected, fmt))
    for name, gdf in ds.layers.items():
        assert gdf.crs.to_epsg() == 4326
        original = tiny_layers[name].geometry
        np.testing.assert_allclose(
            gdf.geometry.representative_point().x, original.representative_point().x, atol=1e-6
        )
        np.testing.assert_allclose(
            gdf.geometry.representative_point().y, original.representative_point().y, atol=1e-6
        )


def test_a_missing_path_is_refused_with_what_a_dataset_is(tmp_path):
    with pytest.raises(DatasetError, match=r"does not exist; a dataset is a GeoPackage"):
        load_dataset(tmp_path / "nowhere")


def test_a_path_that_is_not_a_dataset_is_refused(tmp_path):
    text = tmp_path / "zones.txt"
    text.write_text("not a layer")
    with pytest.raises(DatasetError, match=r"zones.txt is not a dataset"):
        load_dataset(text)
    with pytest.raises(DatasetError, match=r"the folder holds no layer file"):
        load_dataset(tmp_path)


def test_a_broken_geopackage_is_refused_naming_the_file(tmp_path):
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"this is not sqlite")
    with pytest.raises(DatasetError, match=r"Cannot read the GeoPackage .*broken.gpkg"):
        load_dataset(broken)


def test_a_missing_zones_layer_is_refused_naming_the_layers(tiny_layers, write_dataset):
    del tiny_layers["zones"]
    with pytest.raises(DatasetError) as info:
        load_dataset(write_dataset(tiny_layers))
    text = str(info.value)
    assert "no 'zones' layer" in text and "airports, communes, rail_stations, regions" in text


def test_two_files_for_one_layer_are_refused(tiny_layers, write_dataset):
    path = write_dataset(tiny_layers)
    tiny_layers["zones"].to_parquet(path / "zones.parquet")
    with pytest.raises(DatasetError, match=r"more than one file for the same layer") as info:
        load_dataset(path)
    assert "zones.geojson" in str(info.value) and "zones.parquet" in str(info.value)


def test_loading_lists_every_error_at_once(tiny_layers, write_dataset):
    zones = tiny_layers["zones"]
    zones.loc[1, "id"] = "technopolis"
    zones["rent_mad_m2_month"] = zones["rent_mad_m2_month"].astype(object)
    zones.loc[2, "rent_mad_m2_month"] = "cheap"
    with pytest.raises(DatasetError) as info:
        load_dataset(write_dataset(tiny_layers))
    assert "2 errors" in info.value.message
    details = "\n".join(info.value.details)
    assert "duplicate id" in details and "'cheap'" in details and "technopark-casa" in details


def test_an_invalid_zone_polygon_is_repaired_with_a_warning_naming_the_row(tiny_layers, write_dataset):
    tiny_layers["zones"].loc[3, "geometry"] = BOWTIE
    path = write_dataset(tiny_layers)
    with pytest.warns(DatasetWarning, match=r"repaired the invalid geometry of rows technopark-rabat"):
        ds = load_dataset(path)
    assert ds.zones.geometry.is_valid.all()
    assert ds.zones.geometry.iloc[3].geom_type == "MultiPolygon"
    with pytest.raises(DatasetError, match=r"Self-intersection"):
        load_dataset(path, repair=False)


def test_an_empty_feature_geometry_is_left_out_with_a_warning(tiny_layers, write_dataset):
    tiny_layers["airports"].loc[1, "geometry"] = None
    path = write_dataset(tiny_layers, "gpkg")
    with pytest.warns(DatasetWarning, match=r"Layer airports .*left out rows RBA"):
        ds = load_dataset(path)
    assert ds.layers["airports"]["id"].tolist() == ["CMN"]
    with pytest.raises(DatasetError, match=r"empty or missing geometry"):
        load_dataset(path, repair=False)


def test_an_empty_zone_geometry_is_an_error_even_when_repairing(tiny_layers, write_dataset):
    tiny_layers["zones"].loc[0, "geometry"] = Point()
    with pytest.raises(DatasetError, match=r"row 'technopolis', column geometry: empty"):
        load_dataset(write_dataset(tiny_layers, "gpkg"))


def test_swapped_coordinates_warn_when_loading(tiny_layers, write_dataset):
    zones = tiny_layers["zones"]
    zones.loc[1, "geometry"] = Point(33.536, -7.646)
    with pytest.warns(DatasetWarning, match=r"latitude and longitude may be swapped"):
        load_dataset(write_dataset(tiny_layers))


def test_default_data_path_follows_the_environment_setting(monkeypatch, tiny_data_path):
    monkeypatch.setattr(valleys.settings, "DATA_PATH", str(tiny_data_path))
    assert default_data_path() == tiny_data_path
    assert load_dataset().zones["id"].iloc[0] == "technopolis"


def test_load_sites_caches_and_recomputes_when_a_file_changes(tiny_layers, write_dataset):
    path = write_dataset(tiny_layers)
    first = load_sites(path)
    first.loc["technopolis", "airports_km"] = -1.0  # a copy: the cache is not touched
    assert load_sites(path).loc["technopolis", "airports_km"] > 0
    airports = tiny_layers["airports"]
    airports.loc[1, "geometry"] = Point(-6.735, 34.03)  # move RBA onto Technopolis
    airports.to_file(path / "airports.geojson", driver="GeoJSON")
    assert load_sites(path).loc["technopolis", "airports_km"] == pytest.approx(0.0, abs=1e-6)
    wider = load_sites(path, catchment_km=200)
    assert (wider["catchment_population"] >= load_sites(path)["catchment_population"]).all()


def test_loading_the_tiny_dataset_gives_no_warning(tiny_data_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_index_equal(
            valleys.site_features(load_dataset(tiny_data_path)).index,
            pd.Index(gpd.read_file(tiny_data_path / "zones.geojson")["id"].tolist()),
        )
