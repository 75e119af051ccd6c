"""Features: distances checked against pyproj's WGS84 geodesic, catchments against brute force."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from valleys import DatasetError, DatasetWarning, load_dataset, site_features
from valleys.features import SHARE_DEFINITIONS, catchment, count_columns, haversine_km, nearest_km

GEOD = Geod(ellps="WGS84")
TOLERANCE = 0.005  # 0.5%


def _random_points(n: int, seed: int, *, lon=(-9.5, -2.0), lat=(30.0, 35.5)) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    return gpd.GeoSeries(
        gpd.points_from_xy(rng.uniform(*lon, n), rng.uniform(*lat, n)), crs="EPSG:4326"
    )


def _geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres) / 1000.0


def _geodesic_to_geometries_km(points: gpd.GeoSeries, geometries: gpd.GeoSeries) -> np.ndarray:
    """Brute force: geodesic km to the nearest vertex of the geometries densified every ~50 m
    (0 inside a polygon)."""
    dense = shapely.segmentize(geometries.array, 0.0005)
    vertices = shapely.get_coordinates(dense)
    out = []
    for p in points:
        inside = any(g.contains(p) for g in geometries if g.geom_type.endswith("Polygon"))
        if inside:
            out.append(0.0)
            continue
        n = len(vertices)
        out.append(_geodesic_km(np.full(n, p.x), np.full(n, p.y), vertices[:, 0], vertices[:, 1]).min())
    return np.array(out)


def test_nearest_point_distances_match_the_wgs84_geodesic():
    sites, targets = _random_points(300, 1), _random_points(50, 2)
    got = nearest_km(sites, gpd.GeoDataFrame(geometry=targets))
    tx, ty = targets.x.to_numpy(), targets.y.to_numpy()
    expected = np.array([_geodesic_km(np.full(50, p.x), np.full(50, p.y), tx, ty).min() for p in sites])
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=TOLERANCE)


def test_nearest_distances_to_lines_and_polygons_match_the_geodesic():
    sites = pd.concat([_random_points(40, 3), _random_points(20, 4, lat=(28.0, 31.4))])  # 26192 too
    sites.index = [f"s{i}" for i in range(len(sites))]
    layer = gpd.GeoDataFrame(geometry=[
        LineString([(-7.6, 33.6), (-6.8, 34.0), (-5.8, 35.7)]),  # a motorway
        box(-5.1, 33.9, -4.9, 34.1),  # a polygon
        LineString([(-9.6, 30.4), (-8.0, 31.6)]),  # a line across the two projections
        Point(-1.9, 34.8),
    ], crs="EPSG:4326")
    inside = gpd.GeoSeries([Point(-5.0, 34.0)], index=["in"], crs="EPSG:4326")
    sites = pd.concat([sites, inside])
    got = nearest_km(sites, layer)
    assert got.index.equals(sites.index)
    assert got["in"] == 0.0
    expected = _geodesic_to_geometries_km(sites, layer.geometry)
    far = expected > 1.0  # densifying every 50 m leaves up to 25 m of error
    np.testing.assert_allclose(got.to_numpy()[far], expected[far], rtol=TOLERANCE)
    np.testing.assert_allclose(got.to_numpy()[~far], expected[~far], atol=0.03)


def test_an_empty_layer_gives_nan_aligned_to_the_points():
    sites = _random_points(3, 5)
    sites.index = ["a", "b", "c"]
    got = nearest_km(sites, gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:4326")))
    assert got.index.tolist() == ["a", "b", "c"] and got.isna().all()


def test_haversine_of_a_degree_of_meridian():
    km = haversine_km(np.array(0.0), np.array(33.0), np.array(0.0), np.array(34.0))
    assert km == pytest.approx(6371.0088 * np.pi / 180)


@pytest.mark.parametrize("epsg", [26191, 3857])
def test_features_of_projected_layers_match_the_geodesic(tiny_layers, write_dataset, epsg):
    projected = {name: gdf.to_crs(epsg=epsg) for name, gdf in tiny_layers.items()}
    sites = site_features(load_dataset(write_dataset(projected, "gpkg")))
    reference = tiny_layers["zones"].geometry.representative_point()
    np.testing.assert_allclose(sites["lon"], reference.x, atol=1e-4)
    np.testing.assert_allclose(sites["lat"], reference.y, atol=1e-4)
    for layer in ("airports", "rail_stations"):
        targets = tiny_layers[layer].geometry
        expected = np.array([
            _geodesic_km(np.full(len(targets), x), np.full(len(targets), y), targets.x, targets.y).min()
            for x, y in zip(reference.x, reference.y, strict=True)
        ])
        np.testing.assert_allclose(sites[f"{layer}_km"], expected, rtol=TOLERANCE)
        if epsg == 3857:  # the planar distance in Web Mercator is about 20% off: not used
            planar = projected["zones"].geometry.representative_point().apply(
                lambda p, t=projected[layer].geometry: t.distance(p).min() / 1000
            )
            assert (planar.to_numpy() / expected > 1.15).all()


def test_technopolis_is_near_rabat_sale_airport(tiny_data_path):
    sites = site_features(load_dataset(tiny_data_path))
    row = sites.loc["technopolis"]
    expected = _geodesic_km(row["lon"], row["lat"], -6.75152, 34.051498)
    assert row["airports_km"] == pytest.approx(expected, rel=TOLERANCE)
    assert 2 < row["airports_km"] < 6


def test_site_features_columns_and_index(tiny_data_path):
    ds = load_dataset(tiny_data_path)
    sites = site_features(ds)
    assert isinstance(sites, gpd.GeoDataFrame) and sites.crs.to_epsg() == 4326
    assert sites.index.tolist() == ds.zones["id"].tolist() == sites["id"].tolist()
    columns = sites.columns.tolist()
    assert columns[:7] == ["id", "name", "city", "status", "area_ha", "available_m2", "rent_mad_m2_month"]
    assert columns[7:11] == ["lon", "lat", "airports_km", "rail_stations_km"]
    assert "catchment_labour_active" in columns and "catchment_french_literate_pct" in columns
    assert columns[-1] == "geometry"
    # polygons are taken at a point inside them
    assert sites.geometry.iloc[0].contains(Point(sites["lon"].iloc[0], sites["lat"].iloc[0]))


def test_zones_only_gives_lon_lat_and_no_feature(tiny_zones_only_path):
    sites = site_features(load_dataset(tiny_zones_only_path))
    assert not [c for c in sites.columns if c.endswith("_km") or c.startswith("catchment_")]
    assert {"lon", "lat"} <= set(sites.columns)


def test_catchment_sums_match_brute_force(tiny_layers):
    communes = tiny_layers["communes"]
    sites = _random_points(60, 7, lon=(-8.0, -6.5), lat=(33.2, 34.2))
    got = catchment(sites, communes, radius_km=25)
    centres = communes.geometry.representative_point()
    for i, p in enumerate(sites):
        km = haversine_km(np.full(len(centres), p.x), np.full(len(centres), p.y), centres.x, centres.y)
        within = km <= 25
        assert got["catchment_population"].iloc[i] == communes.loc[within, "population"].sum()
        assert got["catchment_labour_active"].iloc[i] == communes.loc[within, "labour_active"].sum()
    assert got.index.equals(sites.index)


def test_catchment_recomputes_shares_from_counts(tiny_layers):
    communes = tiny_layers["communes"]
    got = catchment(gpd.GeoSeries([Point(-6.80, 34.01)], crs="EPSG:4326"), communes, radius_km=30)
    near = communes[communes["id"].isin(["rabat", "sale", "temara"])]
    assert got["catchment_population"].iloc[0] == near["population"].sum()
    expected = 100 * near["labour_unemployed"].sum() / near["labour_active"].sum()
    assert got["catchment_unemployment_pct"].iloc[0] == pytest.approx(expected)
    assert "catchment_unemployment" not in got.columns  # shares are not summed


def test_an_unknown_share_is_population_weighted_or_not_computed(tiny_layers):
    communes = tiny_layers["communes"]
    communes["fibre_pct"] = [50.0, 100.0, np.nan, 0.0, 0.0, 0.0]
    communes["illiteracy_rate"] = [10.0, 20.0, 30.0, 0.0, 0.0, 0.0]
    point = gpd.GeoSeries([Point(-6.80, 34.01)], crs="EPSG:4326")
    got = catchment(point, communes, radius_km=30)
    expected = (50 * 515_000 + 100 * 1_100_000) / (515_000 + 1_100_000)  # Témara has no value
    assert got["catchment_fibre_pct"].iloc[0] == pytest.approx(expected)
    expected = (10 * 515_000 + 20 * 1_100_000 + 30 * 450_000) / (515_000 + 1_100_000 + 450_000)
    assert got["catchment_illiteracy_rate"].iloc[0] == pytest.approx(expected)
    without_population = communes.drop(columns="population")
    with pytest.warns(DatasetWarning, match=r"no catchment value for fibre_pct, illiteracy_rate"):
        got = catchment(point, without_population, radius_km=30)
    assert "catchment_fibre_pct" not in got.columns


def test_a_zero_denominator_gives_a_missing_share(tiny_layers):
    got = catchment(gpd.GeoSeries([Point(0.0, 0.0)], crs="EPSG:4326"), tiny_layers["communes"])
    assert got["catchment_population"].iloc[0] == 0
    assert np.isnan(got["catchment_unemployment_pct"].iloc[0])


def test_missing_counts_in_a_catchment_are_said(tiny_layers):
    communes = tiny_layers["communes"]
    communes.loc[0, "labour_active"] = np.nan  # Rabat
    with pytest.warns(DatasetWarning, match=r"1 commune\(s\) in the catchment of 1 site\(s\) "
                      r"have no value for labour_active \(Rabat\)"):
        got = catchment(gpd.GeoSeries([Point(-6.8, 34.0)], crs="EPSG:4326"), communes)
    assert got["catchment_labour_active"].iloc[0] == communes.loc[[1, 2], "labour_active"].sum()
    with warnings.catch_warnings():  # a gap outside every catchment is not worth a warning
        warnings.simplefilter("error")
        catchment(gpd.GeoSeries([Point(-7.6, 33.55)], crs="EPSG:4326"), communes)


@pytest.mark.parametrize("radius", [0, -5])
def test_a_non_positive_radius_is_refused(tiny_layers, radius):
    with pytest.raises(DatasetError, match=r"catchment radius must be a positive number of km"):
        catchment(gpd.GeoSeries([Point(-6.8, 34.0)], crs="EPSG:4326"), tiny_layers["communes"],
                  radius_km=radius)


def test_count_columns_leave_out_shares_codes_and_coordinates(tiny_layers):
    communes = tiny_layers["communes"].assign(code="01.511.01.0", province_code=511, lat=34.0)
    counts = count_columns(communes)
    assert counts == [
        "population", "population_10_plus", "population_15_plus", "labour_active",
        "labour_employed", "labour_unemployed", "french_literate", "english_literate",
        "higher_education",
    ]


def test_share_definitions_match_the_build():
    from valleys.build import CENSUS_SHARE_COLUMNS

    assert dict(SHARE_DEFINITIONS) == CENSUS_SHARE_COLUMNS


def test_a_zone_column_named_like_a_feature_is_replaced_with_a_warning(tiny_layers, write_dataset):
    tiny_layers["zones"]["airports_km"] = 1.0
    with pytest.warns(DatasetWarning, match=r"airports_km are computed features"):
        sites = site_features(load_dataset(write_dataset(tiny_layers)))
    assert sites.columns.tolist().count("airports_km") == 1
    assert sites.loc["casanearshore", "airports_km"] > 10
