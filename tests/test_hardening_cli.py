"""The command line fed the hostile inputs of issue 9: exit 2 with a message naming what is
wrong and where, never a traceback; or, for a control character in a name, a working export."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from web.cli import main

ALIAS_BOMB = "\n".join(
    ["l0: &l0 [a, a, a, a, a, a, a, a, a]"]
    + [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
) + "\n"
RENT = '{column: rent_mad_m2_month, direction: cost, missing: worst}'


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_user_error(result, *fragments: str) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}\n{result.output}")
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result.stderr


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def nan_data(tiny_data_path, tmp_path) -> Path:
    """The tiny dataset with zone ``technopolis`` at ``[NaN, Infinity]`` (written by hand)."""
    target = tmp_path / "nan"
    shutil.copytree(tiny_data_path, target)
    path = target / "zones.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["features"][0]["properties"]["id"] == "technopolis"
    document["features"][0]["geometry"] = "@G@"
    path.write_text(json.dumps(document).replace(
        '"@G@"', '{"type": "Point", "coordinates": [NaN, Infinity]}'), encoding="utf-8")
    return target


@pytest.fixture
def loop(tmp_path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    Path("loop").symlink_to("loop")
    return "loop"


def test_shortlist_alias_bomb_exits_2_naming_the_line(tmp_path, tiny_data_path):
    req = write(tmp_path, "bomb.yaml", ALIAS_BOMB)
    result = run("shortlist", req, "--data", tiny_data_path)
    assert_user_error(result, f"{req}, line 1, column 5: YAML anchors and aliases (here &l0) are "
                              "not accepted")


@pytest.mark.parametrize("depth", [300, 500])
def test_shortlist_deep_json_and_yaml_exit_2(tmp_path, tiny_data_path, depth):
    req = write(tmp_path, "deep.json", '{"name": ' + "[" * depth + "]" * depth + "}")
    assert_user_error(run("shortlist", req, "--data", tiny_data_path),
                      "is nested more than 32 levels deep (at name[0][0]")
    req = write(tmp_path, "deep.yaml", f"criteria: [{RENT}]\nabout: " + "{a: " * depth + "1" + "}" * depth)
    assert_user_error(run("shortlist", req, "--data", tiny_data_path),
                      f"{req}, line 2, column ", "nested more than 32 levels deep")


def test_shortlist_constraint_of_ten_to_the_309_exits_2_naming_the_field(tmp_path, tiny_data_path):
    req = write(tmp_path, "big.json", '{"constraints":[{"column":"rent_mad_m2_month","op":"<=","value": 1'
                + "0" * 309 + '}], "criteria": [{"column": "rent_mad_m2_month", "direction": "cost"}]}')
    assert_user_error(run("shortlist", req, "--data", tiny_data_path, "--format", "json"),
                      "constraints[0].value (column rent_mad_m2_month): 310-digit number is too large")


def test_shortlist_xlsx_of_a_name_with_control_characters(tmp_path, tiny_data_path):
    req = write(tmp_path, "ctl.json", json.dumps(
        {"name": "Acme\x01\x0bBPO", "criteria": [{"column": "rent_mad_m2_month", "direction": "cost",
                                                  "missing": "worst"}]}))
    out = tmp_path / "out.xlsx"
    result = run("shortlist", req, "--data", tiny_data_path, "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    values = [cell.value for row in workbook["assumptions"].iter_rows() for cell in row]
    assert "Acme\ufffd\ufffdBPO" in values


@pytest.mark.parametrize("command", [["sites", "--data"], ["shortlist", "REQ", "--data"], ["validate"]])
def test_a_zone_at_nan_infinity_exits_2_naming_file_layer_and_row(tmp_path, nan_data, command):
    req = write(tmp_path, "ok.yaml", f"criteria: [{RENT}]\n")
    args = [req if a == "REQ" else a for a in command] + [nan_data]
    stderr = assert_user_error(run(*args))
    assert (f"{nan_data / 'zones.geojson'}: layer zones, row 'technopolis', column geometry: "
            "coordinates that are not finite numbers (NaN or Infinity)") in stderr


@pytest.mark.parametrize("command", [["sites", "--data"], ["validate"], ["shortlist", "REQ", "--data"]])
def test_a_dataset_path_that_is_a_symlink_to_itself_exits_2(tmp_path, loop, command):
    req = write(tmp_path, "ok.yaml", f"criteria: [{RENT}]\n")
    args = [req if a == "REQ" else a for a in command] + [loop]
    assert_user_error(run(*args), "loop is a symbolic link that leads back to itself (a loop)")


def test_serve_with_a_zone_at_nan_infinity_exits_2_without_starting(nan_data, tmp_path):
    env = {**os.environ, "TECHVALLEY_INSTANCE": str(tmp_path / "instance")}
    done = subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "serve", "--data", str(nan_data),
         "--port", "5996"],
        capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2, done.stderr[-800:]
    assert "Traceback" not in done.stderr
    assert "layer zones, row 'technopolis'" in done.stderr and "NaN or Infinity" in done.stderr
