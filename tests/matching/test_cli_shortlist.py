"""`techvalley shortlist`: formats, options, and exit status 2 with a message for bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from web.cli import main

CRM = """\
name: Test CRM
activity: CRM
headcount: 100
robustness: {draws: 300, seed: 1}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def crm_file(tmp_path):
    path = tmp_path / "crm.yaml"
    path.write_text(CRM, encoding="utf-8")
    return path


def _run(runner, *args):
    return runner.invoke(main, ["shortlist", *map(str, args)], catch_exceptions=False)


def test_json_lists_every_zone_once(runner, crm_file, tiny_data_path):
    result = _run(runner, crm_file, "--data", tiny_data_path, "--format", "json", "--top", "1")
    assert result.exit_code == 0, result.stderr
    shortlist = json.loads(result.stdout)
    ids = [z["id"] for z in shortlist["ranked"]] + [z["id"] for z in shortlist["excluded"]]
    assert sorted(ids) == ["casanearshore", "ctv", "technopark-casa", "technopark-rabat",
                           "technopolis"]  # --top does not shorten machine formats
    assert shortlist["requirements"]["name"] == "Test CRM"
    assert shortlist["dataset"]["zones"] == 5 and shortlist["dataset"]["path"].endswith("tiny")
    assert len(shortlist["dataset"]["version"]) >= 6
    assert shortlist["robustness_method"]["draws"] == 300
    assert "Warning: the CRM preset's criterion universities_km" not in result.stderr
    assert "Warning: " in result.stderr  # dropped preset criteria are reported


def test_draws_and_seed_options(runner, crm_file, tiny_data_path):
    args = (crm_file, "--data", tiny_data_path, "--format", "json", "--draws", "50")
    one = json.loads(_run(runner, *args, "--seed", "3").stdout)
    two = json.loads(_run(runner, *args, "--seed", "3").stdout)
    assert one["robustness_method"] == two["robustness_method"]
    assert one["robustness_method"]["draws"] == 50 and one["robustness_method"]["seed"] == 3
    assert one["robustness"] == two["robustness"]
    none = json.loads(_run(runner, *args[:-1], "0").stdout)
    assert none["robustness"] == {}


def test_table_is_readable_and_top_shortens_it(runner, crm_file, tiny_data_path):
    full = _run(runner, crm_file, "--data", tiny_data_path)
    assert full.exit_code == 0
    assert "Technopolis Rabat-Shore" in full.stdout and "Casanearshore Park" in full.stdout
    top = _run(runner, crm_file, "--data", tiny_data_path, "--top", "1")
    assert "Technopolis Rabat-Shore" in top.stdout
    assert "Casanearshore Park" not in top.stdout.split("Excluded")[0]


def test_csv_has_every_zone(runner, crm_file, tiny_data_path):
    result = _run(runner, crm_file, "--data", tiny_data_path, "--format", "csv", "--top", "1")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 5


@pytest.mark.parametrize("fmt, magic", [("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_binary_formats_to_a_file_or_a_pipe(runner, crm_file, tiny_data_path, tmp_path, fmt,
                                            magic):
    out = tmp_path / f"shortlist.{fmt}"
    result = _run(runner, crm_file, "--data", tiny_data_path, "--format", fmt, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(magic)
    assert f"Wrote {out}" in result.stderr
    piped = _run(runner, crm_file, "--data", tiny_data_path, "--format", fmt)
    assert piped.exit_code == 0 and piped.stdout_bytes.startswith(magic)


def test_zones_only_dataset_with_its_own_criteria(runner, tmp_path, tiny_zones_only_path):
    path = tmp_path / "own.json"
    path.write_text(json.dumps({"criteria": [
        {"column": "area_ha", "direction": "benefit"},
        {"column": "rent_mad_m2_month", "direction": "cost", "missing": "worst"}]}),
        encoding="utf-8")
    result = _run(runner, path, "--data", tiny_zones_only_path, "--format", "geojson")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["features"]) == 5


def _fails(result, *needles):
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.startswith("Error: ")
    for needle in needles:
        assert needle in result.stderr


def test_yaml_syntax_error_exits_2_with_its_line(runner, tmp_path, tiny_data_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ncriteria: [\n  {column: a\n", encoding="utf-8")
    _fails(_run(runner, path, "--data", tiny_data_path), "bad.yaml, line 4", "YAML syntax error")


def test_unknown_column_exits_2_with_a_suggestion(runner, tmp_path, tiny_data_path):
    path = tmp_path / "r.yaml"
    path.write_text("criteria: [{column: airport_km, direction: cost}]\n", encoding="utf-8")
    _fails(_run(runner, path, "--data", tiny_data_path),
           "criteria[0].column: unknown column 'airport_km'; did you mean airports_km?")


def test_inconsistent_ahp_exits_2_saying_by_how_much(runner, tmp_path, tiny_data_path):
    path = tmp_path / "ahp.yaml"
    path.write_text(
        "criteria:\n"
        "  - {column: airports_km, direction: cost}\n"
        "  - {column: rail_stations_km, direction: cost}\n"
        "  - {column: catchment_labour_active, direction: benefit}\n"
        "ahp:\n"
        "  criteria: [airports_km, rail_stations_km, catchment_labour_active]\n"
        "  matrix: [[1, 3, 0.2], [0.33333, 1, 3], [5, 0.33333, 1]]\n", encoding="utf-8")
    _fails(_run(runner, path, "--data", tiny_data_path), "inconsistent", "consistency ratio is",
           "times the 0.10")


def test_missing_files_exit_2(runner, tmp_path, crm_file):
    _fails(_run(runner, tmp_path / "nope.yaml"), "nope.yaml not found")
    result = _run(runner, crm_file, "--data", tmp_path / "no-such-dataset")
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_bad_option_exits_2(runner, crm_file):
    result = _run(runner, crm_file, "--format", "docx")
    assert result.exit_code == 2 and "docx" in result.stderr


@pytest.mark.slow
def test_shipped_dataset(runner, crm_file):
    result = _run(runner, crm_file, "--format", "json", "--draws", "200")
    assert result.exit_code == 0, result.stderr
    shortlist = json.loads(result.stdout)
    ranked = {z["id"]: z for z in shortlist["ranked"]}
    excluded = {z["id"]: z["reasons"] for z in shortlist["excluded"]}
    assert len(ranked) + len(excluded) == shortlist["dataset"]["zones"] >= 13
    # the preset's status limit is not checked on a status dated more than 5 years ago (an
    # "uncertain" of 2010): the zone is kept, flagged (DESIGN.md, "Stale and unknown facts")
    assert any(text.startswith("status 'uncertain' dates from ")
               for z in ranked.values() for text in z["explanation"]), excluded
    assert ranked and all(z["id"] in shortlist["incentives"] for z in shortlist["ranked"])
    # the shipped dataset has every preset column: no preset entry skipped; the warnings say how
    # many zones each limit kept unchecked, and that at the default salary the incentive is the
    # same in every zone (the tax stays under both caps)
    warned = {m["code"] for m in shortlist["messages"] if m["code"].startswith("warning.")}
    assert warned <= {"warning.kept_unchecked", "warning.criterion_no_variance"}, warned
