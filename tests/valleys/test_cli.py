"""The territory commands: validate, sites, build-geodata."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import Polygon

import valleys
from web.cli import main as cli  # the one techvalley group

BOWTIE = Polygon([(-6.80, 34.00), (-6.78, 34.02), (-6.78, 34.00), (-6.80, 34.02)])


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_validate_a_valid_dataset_exits_0(tiny_data_path):
    result = run("validate", tiny_data_path)
    assert result.exit_code == 0, result.stderr
    assert "valid (0 warning(s))" in result.stdout and result.stderr == ""


def test_validate_lists_every_problem_on_stderr_and_exits_2(tiny_layers, write_dataset):
    zones = tiny_layers["zones"]
    zones.loc[0, "geometry"] = BOWTIE
    zones.loc[2, "id"] = "casanearshore"
    zones["rent_mad_m2_month"] = zones["rent_mad_m2_month"].astype(object)
    zones.loc[3, "rent_mad_m2_month"] = "cheap"
    path = write_dataset(tiny_layers)
    result = run("validate", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {path / 'zones.geojson'}: layer zones, row 'casanearshore'")
    assert "row 'technopolis', column geometry: invalid geometry" in result.stderr
    assert "row 'technopark-rabat', column rent_mad_m2_month: text 'cheap'" in result.stderr
    assert lines[-1] == f"Error: {path} is not a valid dataset: 3 error(s), 0 warning(s) above."


def test_validate_with_only_warnings_exits_0(tiny_layers, write_dataset):
    tiny_layers["zones"]["rent_mad_m2_month"] = 80.0
    result = run("validate", write_dataset(tiny_layers))
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "no variance" in result.stderr
    assert "valid (1 warning(s))" in result.stdout


def test_validate_a_path_that_is_not_a_dataset_exits_2(tmp_path):
    result = run("validate", tmp_path / "nothing.gpkg")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_sites_json_is_an_array_of_flat_objects(tiny_data_path):
    result = run("sites", "--data", tiny_data_path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert [r["id"] for r in rows] == ["technopolis", "casanearshore", "technopark-casa",
                                       "technopark-rabat", "ctv"]
    ctv = rows[-1]
    assert ctv["rent_mad_m2_month"] is None  # NaN -> null
    assert ctv["name"] == "Casablanca Tech Valley" and ctv["status"] == "under_development"
    assert {"lon", "lat", "airports_km", "rail_stations_km", "catchment_labour_active",
            "catchment_unemployment_pct"} <= set(ctv)
    assert all(not isinstance(v, dict | list) for r in rows for v in r.values())
    assert "geometry" not in ctv
    assert rows[0]["airports_km"] == pytest.approx(2.83, abs=0.01)


def test_sites_geojson_csv_and_table(tiny_data_path):
    geojson = json.loads(run("sites", "--data", tiny_data_path, "--format", "geojson").stdout)
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 5
    assert geojson["features"][4]["properties"]["rent_mad_m2_month"] is None
    assert geojson["features"][0]["geometry"]["type"] == "Polygon"
    table = pd.read_csv(io.StringIO(run("sites", "--data", tiny_data_path, "--format", "csv").stdout))
    assert table["id"].tolist()[0] == "technopolis" and table["rent_mad_m2_month"].isna().sum() == 1
    assert "airports_km" in table.columns and "lon" in table.columns
    result = run("sites", "--data", tiny_data_path)
    assert result.exit_code == 0
    header, first = result.stdout.splitlines()[:2]
    assert header.split()[:4] == ["id", "name", "airports_km", "rail_stations_km"]
    assert "Technopolis Rabat-Shore" in first and " 2.8 " in first and "2,065,000" in first


def test_sites_catchment_radius_option(tiny_data_path):
    def population(*extra):
        out = run("sites", "--data", tiny_data_path, "--format", "json", *extra).stdout
        return [r["catchment_population"] for r in json.loads(out)]

    assert population("--catchment-km", "5") < population() <= population("--catchment-km", "100")
    result = run("sites", "--data", tiny_data_path, "--catchment-km", "0")
    assert result.exit_code == 2 and "--catchment-km" in result.stderr


def test_sites_on_a_broken_dataset_is_one_paragraph_and_exit_2(tiny_layers, write_dataset):
    tiny_layers["zones"] = tiny_layers["zones"].drop(columns="name")
    result = run("sites", "--data", write_dataset(tiny_layers))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: The dataset ")
    assert "layer zones, column name: the zones layer has no 'name' column" in result.stderr
    assert "Traceback" not in result.stderr


def test_sites_repairs_and_says_which_rows(tiny_layers, write_dataset):
    tiny_layers["zones"].loc[0, "geometry"] = BOWTIE
    result = run("sites", "--data", write_dataset(tiny_layers), "--format", "json")
    assert result.exit_code == 0
    assert result.stderr.startswith("Warning: Layer zones")
    assert "repaired the invalid geometry of rows technopolis" in result.stderr
    assert len(json.loads(result.stdout)) == 5


def test_sites_default_data_is_the_configured_dataset(monkeypatch, tiny_zones_only_path):
    monkeypatch.setattr(valleys.settings, "DATA_PATH", str(tiny_zones_only_path))
    rows = json.loads(run("sites", "--format", "json").stdout)
    assert len(rows) == 5 and "airports_km" not in rows[0]


def test_build_geodata_calls_the_build_with_the_folder(monkeypatch, tmp_path):
    import valleys.build

    calls = []

    def fake_build(out_dir=None, *, echo=print):
        calls.append(out_dir)
        echo(f"built into {out_dir}")

    monkeypatch.setattr(valleys.build, "build_geodata", fake_build)
    result = run("build-geodata", "--out", tmp_path / "morocco")
    assert result.exit_code == 0 and calls == [tmp_path / "morocco"]
    assert f"built into {tmp_path / 'morocco'}" in result.stdout
    assert run("build-geodata").exit_code == 0 and calls[-1] is None


def test_the_console_script_prints_no_traceback(tmp_path):
    script = Path(sys.executable).parent / "techvalley"
    done = subprocess.run([str(script), "validate", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "is not a dataset" in done.stderr and "Traceback" not in done.stderr
