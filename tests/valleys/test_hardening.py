"""Hostile datasets (issue 9): a zone at [NaN, Infinity] and a dataset path that is a symlink
to itself are errors of the dataset contract naming the file, layer and row, never a crash."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import valleys
from valleys.errors import DatasetError
from valleys.validation import validate

NAN_POINT = '{"type": "Point", "coordinates": [NaN, Infinity]}'


def with_zone_at(tiny_data_path: Path, tmp_path: Path, geometry: str, layer: str = "zones") -> Path:
    """The tiny dataset with the first feature of ``layer`` at ``geometry``, written by hand:
    ``json.dumps`` cannot write the NaN/Infinity tokens that the hostile file holds."""
    target = tmp_path / "hostile"
    shutil.copytree(tiny_data_path, target)
    path = target / f"{layer}.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["features"][0]["geometry"] = "@GEOMETRY@"
    path.write_text(json.dumps(document).replace('"@GEOMETRY@"', geometry), encoding="utf-8")
    return target


def test_validate_names_the_zone_at_nan_infinity(tiny_data_path, tmp_path):
    data = with_zone_at(tiny_data_path, tmp_path, NAN_POINT)
    assert "[NaN, Infinity]" in (data / "zones.geojson").read_text(encoding="utf-8")
    problems = [p for p in validate(data) if p.level == "error"]
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.layer, problem.row, problem.column, problem.kind) == (
        "zones", "technopolis", "geometry", "non-finite-coordinates")
    assert str(problem).startswith(f"error: {data / 'zones.geojson'}: layer zones, row 'technopolis'")
    assert "not finite numbers (NaN or Infinity)" in str(problem)


@pytest.mark.parametrize("layer", ["zones", "airports"])
def test_loading_refuses_non_finite_coordinates_instead_of_crashing_in_make_valid(
        tiny_data_path, tmp_path, layer):
    polygon = '{"type": "Polygon", "coordinates": [[[-6.8, 34.0], [NaN, 34.1], [-6.7, 34.0], [-6.8, 34.0]]]}'
    data = with_zone_at(tiny_data_path, tmp_path, polygon if layer == "zones" else NAN_POINT, layer)
    with pytest.raises(DatasetError) as info:
        valleys.load_sites(data)
    message = "\n".join([str(info.value), *info.value.details])
    assert f"{data / (layer + '.geojson')}: layer {layer}, row " in message
    assert "not finite numbers (NaN or Infinity)" in message


def test_a_symlink_to_itself_is_a_dataset_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("loop").symlink_to("loop")
    with pytest.raises(DatasetError, match="The dataset path .*loop is a symbolic link that leads back to itself"):
        valleys.load_sites("loop")
    problems = validate("loop")
    assert [p.kind for p in problems] == ["not-a-dataset"]
    assert "symbolic link that leads back to itself" in str(problems[0])
