"""The national grid: the cells H3 would fill, the features a zone at the same place gets."""

from __future__ import annotations

import warnings

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from valleys import DatasetError, DatasetWarning, grid, load_dataset
from valleys.features import catchment, nearest_km


@pytest.fixture(scope="module")
def tiny():
    return load_dataset("tests/fixtures/tiny")


@pytest.fixture(scope="module")
def tiny_grid(tiny):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        return grid.grid_features(tiny, resolution=6)


def test_cells_are_the_ones_h3_fills_the_land_with(tiny, tiny_grid):
    land = shapely.union_all(tiny.regions.geometry.array)
    expected = np.sort(np.array(
        [h3.str_to_int(c) for c in h3.geo_to_cells(land.__geo_interface__, 6)], dtype=np.uint64
    ))
    assert len(tiny_grid) == len(expected) > 500
    np.testing.assert_array_equal(tiny_grid.index.to_numpy(), expected)
    assert tiny_grid.index.name == "h3" and tiny_grid.index.is_monotonic_increasing
    lat, lon = h3.cell_to_latlng(h3.int_to_str(int(tiny_grid.index[10])))
    assert tiny_grid["lat"].iloc[10] == pytest.approx(lat)
    assert tiny_grid["lon"].iloc[10] == pytest.approx(lon)


def test_cell_features_equal_a_zones_features_at_the_cell_centre(tiny, tiny_grid):
    sample = tiny_grid.iloc[::37]
    points = gpd.GeoSeries(gpd.points_from_xy(sample["lon"], sample["lat"]), index=sample.index,
                           crs="EPSG:4326")
    for name, layer in tiny.point_layers.items():
        np.testing.assert_allclose(sample[f"{name}_km"], nearest_km(points, layer), rtol=1e-12)
    np.testing.assert_allclose(sample["zones_km"], nearest_km(points, tiny.zones), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        expected = catchment(points, tiny.communes, radius_km=30)
    assert set(expected.columns) <= set(sample.columns)
    pd.testing.assert_frame_equal(sample[expected.columns], expected, rtol=1e-12)
    assert sample["catchment_labour_active"].max() > 0


def test_a_cell_gets_every_share_a_zone_gets(tiny_layers, write_dataset):
    # one implementation: a share ending in _rate or _share is averaged weighted by
    # population for cells as for zones (the grid once knew only _pct)
    communes = tiny_layers["communes"]
    communes["illiteracy_rate"] = np.linspace(10.0, 35.0, len(communes))
    communes["fibre_share"] = np.linspace(0.9, 0.2, len(communes))
    dataset = load_dataset(write_dataset({**tiny_layers, "communes": communes}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)
        cells = grid.grid_features(dataset, resolution=6)
    sample = cells.iloc[::41]
    points = gpd.GeoSeries(gpd.points_from_xy(sample["lon"], sample["lat"]), index=sample.index,
                           crs="EPSG:4326")
    expected = catchment(points, dataset.communes, radius_km=30)
    for share in ("catchment_illiteracy_rate", "catchment_fibre_share"):
        assert expected[share].notna().any()
        pd.testing.assert_series_equal(sample[share], expected[share], rtol=1e-12)


def test_the_cell_of_a_zone_is_near_it(tiny, tiny_grid):
    zone = tiny.zones.geometry.representative_point().iloc[0]
    cell = h3.str_to_int(h3.latlng_to_cell(zone.y, zone.x, 6))
    assert tiny_grid.loc[np.uint64(cell), "zones_km"] < 4.0  # an edge of a resolution-6 cell


def test_a_land_layer_is_gridded_instead_of_the_regions(tiny_layers, write_dataset):
    land = gpd.GeoDataFrame({"name": ["Rabat"]}, geometry=[box(-6.9, 33.9, -6.7, 34.1)],
                            crs="EPSG:4326")
    path = write_dataset({**tiny_layers, "land": land})
    cells = grid.grid_features(load_dataset(path), resolution=7)
    assert 50 < len(cells) < 150
    assert cells["lon"].between(-6.9, -6.7).all() and cells["lat"].between(33.9, 34.1).all()


def test_partitions_together_are_the_grid(tiny, tiny_grid):
    parts = [grid.cells_in_land(parents, land, 6)
             for parents, land in grid.grid_partitions(tiny, resolution=6, partitions=4)]
    assert len(parts) == 4
    merged = pd.concat(parts).sort_index()
    np.testing.assert_array_equal(merged.index.to_numpy(), tiny_grid.index.to_numpy())


@pytest.mark.parametrize("resolution", [-1, 16, 8.5, True, "8"])
def test_a_resolution_outside_0_to_15_is_refused(tiny, resolution):
    with pytest.raises(DatasetError, match=r"H3 resolution .* (outside 0 to 15|not a whole number)"):
        grid.grid_features(tiny, resolution=resolution)


def test_a_fine_resolution_warns_with_the_cell_count(tiny):
    with pytest.warns(DatasetWarning, match=r"H3 resolution 10 gives about [\d,]+ cells"):
        with pytest.raises(DatasetError, match="more than the 1,000 a single machine builds"):
            grid.grid_features(tiny, resolution=10, max_cells=1000)


def test_a_dataset_without_land_is_refused(tiny_zones_only_path):
    with pytest.raises(DatasetError, match="has no land to grid.*'regions' layer.*'land' layer"):
        grid.grid_features(load_dataset(tiny_zones_only_path), resolution=5)


def test_a_regions_layer_without_polygons_is_refused(tiny_layers, write_dataset):
    points = tiny_layers["regions"].copy()
    points["geometry"] = points.geometry.representative_point()
    path = write_dataset({**tiny_layers, "regions": points})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DatasetWarning)  # zones outside every "region"
        dataset = load_dataset(path)
    with pytest.raises(DatasetError, match="regions layer has no polygon"):
        grid.grid_features(dataset, resolution=5)


def test_cells_to_polygons_outlines_an_area():
    cells = h3.grid_disk(h3.latlng_to_cell(34.0, -6.8, 7), 2)
    outline = grid.cells_to_polygons([h3.str_to_int(c) for c in cells])
    assert outline.geom_type == "Polygon"
    total = sum(h3.cell_area(c, unit="km^2") for c in cells)
    metric = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs("EPSG:26191").area.iloc[0] / 1e6
    assert metric == pytest.approx(total, rel=0.02)


@pytest.mark.parametrize("resolution", [0, 3, 5, 6])
def test_cell_parents_are_h3s(tiny_grid, resolution):
    cells = tiny_grid.index.to_numpy()[::13]  # resolution 6
    expected = [h3.str_to_int(h3.cell_to_parent(h3.int_to_str(int(c)), resolution)) for c in cells]
    np.testing.assert_array_equal(grid.cell_parents(cells, resolution),
                                  np.asarray(expected, dtype=np.uint64))
