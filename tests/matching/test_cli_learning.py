"""The command line of issue 5: learn-weights, allocate, similar-investors."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from matching.cli_learning import COMMANDS
from matching.synthetic import synthetic_decisions

EXAMPLES = Path(__file__).parents[2] / "geodata" / "examples"


@click.group()
def group() -> None:
    """The commands as the console script registers them."""


for _command in COMMANDS:
    group.add_command(_command)


def run(*args: str):
    return CliRunner().invoke(group, [str(a) for a in args])


@pytest.fixture(scope="module")
def tiny_sites():
    import warnings

    import valleys

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return valleys.load_sites(Path(__file__).parents[1] / "fixtures" / "tiny")


@pytest.fixture
def decisions_csv(tmp_path, tiny_sites) -> Path:
    table = synthetic_decisions(tiny_sites, {"airports_km": -1.0, "area_ha": 0.5},
                                n_decisions=30, zones_per_decision=3, activities=["ITO"], seed=1)
    path = tmp_path / "DECISIONS.csv"
    table.to_csv(path, index=False)
    return path


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------- learn-weights


def test_learn_weights_prints_a_requirements_fragment(decisions_csv, tiny_data_path):
    result = run("learn-weights", decisions_csv, "--criteria", "airports_km,area_ha",
                 "--data", tiny_data_path)
    assert result.exit_code == 0, result.output
    fragment = json.loads(result.stdout)
    assert [c["column"] for c in fragment["criteria"]] == ["airports_km", "area_ha"]
    assert fragment["criteria"][0]["direction"] == "cost"
    assert fragment["method"] == "weighted_sum" and fragment["normalization"] == "none"
    assert fragment["about"]["quality"]["preset"]["activity"] == "each decision's own"
    assert "top-1 accuracy" in result.stderr


def test_learn_weights_out_file_is_usable_by_shortlist(decisions_csv, tiny_data_path, tmp_path,
                                                       tiny_sites):
    from matching.shortlist import make_shortlist

    out = tmp_path / "weights.json"
    result = run("learn-weights", decisions_csv, "--criteria", "airports_km,area_ha",
                 "--data", tiny_data_path, "--out", out, "--activity", "ito")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"Wrote {out}" in result.stderr
    fragment = json.loads(out.read_text())
    assert fragment["about"]["quality"]["preset"]["activity"] == "ITO"
    shortlist = make_shortlist(fragment, tiny_sites, robustness_draws=0)
    assert len(shortlist["ranked"]) == 5


@pytest.mark.parametrize(
    ("csv_text", "criteria", "message"),
    [
        ("decision_id,site_id,chosen\n1,technopolis,1\n1,atlantis,0\n2,ctv,1\n2,technopolis,0\n",
         "airports_km", "line 3: decision 1 names unknown zone 'atlantis'"),
        ("decision_id,site_id,chosen\n1,technopolis,0\n1,ctv,0\n2,ctv,1\n2,technopolis,0\n",
         "airports_km", "decision 1: no zone has chosen = 1"),
        ("decision_id,site_id,chosen\n1,technopolis,1\n1,ctv,1\n2,ctv,1\n2,technopolis,0\n",
         "airports_km", "decision 1: 2 zones have chosen = 1"),
        ("decision_id,site_id,chosen\n1,technopolis,1\n1,ctv,0\n2,ctv,1\n2,technopolis,0\n",
         "airport_km", "unknown criterion 'airport_km'"),
        ("decision_id,site_id,chosen\n1,technopark-casa,1\n1,ctv,0\n2,ctv,1\n2,casanearshore,0\n",
         "catchment_labour_active", "'catchment_labour_active' has no variance"),
        ("decision_id,site_id\n1,technopolis\n", "airports_km", "missing column(s) chosen"),
        ("decision_id,site_id,chosen\n1,technopolis,yes\n1,ctv,0\n2,ctv,1\n2,technopolis,0\n",
         "airports_km", "line 2: chosen is 'yes'"),
        ("", "airports_km", "is empty"),
        ('decision_id,site_id,chosen\n1,"technopolis,1\n', "airports_km", "not a valid CSV"),
    ],
)
def test_learn_weights_bad_input_exits_2_naming_it(tmp_path, tiny_data_path, csv_text, criteria,
                                                   message):
    path = _write(tmp_path, "DECISIONS.csv", csv_text)
    result = run("learn-weights", path, "--criteria", criteria, "--data", tiny_data_path)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_learn_weights_missing_file(tmp_path, tiny_data_path):
    result = run("learn-weights", tmp_path / "nope.csv", "--criteria", "airports_km",
                 "--data", tiny_data_path)
    assert result.exit_code == 2 and "nope.csv not found" in result.stderr


# ----------------------------------------------------------------- allocate

PIPELINE = """
- name: Big
  floor_area_m2: 25000
  criteria: [{column: airports_km, direction: cost}]
- name: Small
  headcount: 100
  criteria: [{column: catchment_labour_active, direction: benefit}]
"""


def test_allocate_prints_assignments(tmp_path, tiny_data_path):
    result = run("allocate", _write(tmp_path, "PIPELINE.yaml", PIPELINE), "--data", tiny_data_path)
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    placed = {a["investor"]: a["site_id"] for a in output["assignments"]}
    assert placed["Big"] == "casanearshore"  # the only zone with 25,000 m² free
    assert output["unassigned"] == [] and output["not_allocated_zones"] == []
    assert output["total_score"] == pytest.approx(sum(a["score"] for a in output["assignments"]))
    assert "2 of 2 investors placed" in result.stderr
    assert output["solver"]["status"] == "optimal" and output["solver"]["mip_gap"] <= 1e-4


def test_allocate_nobody_placed_is_not_an_error(tmp_path, tiny_data_path):
    text = PIPELINE.replace("25000", "99000").replace("headcount: 100", "floor_area_m2: 50000")
    result = run("allocate", _write(tmp_path, "PIPELINE.yaml", text), "--data", tiny_data_path)
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["assignments"] == [] and len(output["unassigned"]) == 2
    assert all("the most any zone has available is 30000 m²" in u["reason"]
               for u in output["unassigned"])


def test_allocate_zone_without_available_m2_is_reported(tmp_path, tiny_layers, write_dataset):
    zones = tiny_layers["zones"]
    zones.loc[zones["id"] == "casanearshore", "available_m2"] = None
    data = write_dataset({**tiny_layers, "zones": zones})
    result = run("allocate", _write(tmp_path, "PIPELINE.yaml", PIPELINE), "--data", data)
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert [z["site_id"] for z in output["not_allocated_zones"]] == ["casanearshore"]
    assert output["unassigned"][0]["investor"] == "Big"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- name: A\n  floor_area_m2: [1, 2\n", "line 3, column 1: YAML syntax error"),
        ("name: A\nfloor_area_m2: 10\n", "expected a YAML list"),
        ("", "got nothing"),
        ("- name: A\n  criteria: [{column: airports_km, direction: cost}]\n",
         "no floor_area_m2"),
        ("- name: A\n  floor_area_m2: 10\n  criteria: [{column: nope, direction: cost}]\n",
         "investor 'A'"),
    ],
)
def test_allocate_bad_input_exits_2(tmp_path, tiny_data_path, text, message):
    result = run("allocate", _write(tmp_path, "PIPELINE.yaml", text), "--data", tiny_data_path)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_allocate_needs_an_available_m2_column(tmp_path, tiny_layers, write_dataset):
    data = write_dataset({**tiny_layers, "zones": tiny_layers["zones"].drop(columns="available_m2")})
    result = run("allocate", _write(tmp_path, "PIPELINE.yaml", PIPELINE), "--data", data)
    assert result.exit_code == 2 and "no available_m2 column" in result.stderr


# ----------------------------------------------------------------- similar-investors

PAST = """
- {name: P1, activity: CRM, headcount: 300, chosen: casanearshore}
- {name: P2, activity: ITO, headcount: 40, chosen: technopolis}
- {name: P3, activity: CRM, headcount: 500, chosen: ctv}
"""


def test_similar_investors(tmp_path, tiny_data_path):
    req = _write(tmp_path, "req.yaml", "name: New\nactivity: CRM\nheadcount: 320\n")
    past = _write(tmp_path, "past.yaml", PAST)
    result = run("similar-investors", req, "--past", past, "--data", tiny_data_path, "-k", "2")
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert [n["investor"] for n in output["neighbours"]] == ["P1", "P3"]
    assert output["neighbours"][0]["chosen_name"] == "Casanearshore Park"


def test_similar_investors_unknown_zone_exits_2(tmp_path, tiny_data_path):
    req = _write(tmp_path, "req.yaml", "activity: CRM\n")
    past = _write(tmp_path, "past.yaml", PAST.replace("chosen: ctv", "chosen: atlantis"))
    result = run("similar-investors", req, "--past", past, "--data", tiny_data_path)
    assert result.exit_code == 2 and "item 3 ('P3'): chosen zone 'atlantis'" in result.stderr


# ----------------------------------------------------------------- the shipped examples


@pytest.mark.slow
def test_commands_work_on_the_shipped_dataset_and_examples():
    learned = run("learn-weights", EXAMPLES / "DECISIONS.csv", "--criteria",
                  "catchment_labour_active,catchment_french_literate_pct,airports_km,"
                  "universities_km")
    assert learned.exit_code == 0, learned.output
    assert json.loads(learned.stdout)["about"]["quality"]["decisions"] == 150
    allocated = run("allocate", EXAMPLES / "PIPELINE.yaml")
    assert allocated.exit_code == 0, allocated.output
    output = json.loads(allocated.stdout)
    assert {a["site_id"] for a in output["assignments"]} <= {"fes-shore", "tetouan-shore"}
    assert len(output["not_allocated_zones"]) == 11
    similar = run("similar-investors", EXAMPLES / "PIPELINE.yaml", "--past",
                  EXAMPLES / "PAST_INVESTORS.yaml")
    assert similar.exit_code == 2  # a pipeline (a list) is not one requirements document
    assert "must be a mapping" in similar.stderr


def test_allocate_time_limit_without_a_solution_is_not_a_traceback(tmp_path, tiny_data_path,
                                                                   monkeypatch):
    # the solver stops at --time-limit before any allocation (as on a large pipeline at 0.05 s)
    import scipy.optimize

    real_milp = scipy.optimize.milp

    def stopped(*args, **kwargs):
        result = real_milp(*args, **kwargs)
        return type(result)({**result, "x": None, "status": 1, "mip_dual_bound": np.nan,
                             "message": "Time limit reached."})

    monkeypatch.setattr(scipy.optimize, "milp", stopped)
    result = run("allocate", _write(tmp_path, "PIPELINE.yaml", PIPELINE), "--data",
                 tiny_data_path, "--time-limit", "0.05")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    output = json.loads(result.stdout)
    assert output["solver"]["status"] == "time limit"
    assert output["solver"]["found_by"] == "greedy"
    assert {a["investor"] for a in output["assignments"]} == {"Big", "Small"}
    assert "Warning: the solver stopped at --time-limit 0.05 s" in result.stderr
    assert "the greedy one, best found" in result.stderr


def test_learn_weights_reports_intervals_and_warns_about_correlated_criteria(decisions_csv,
                                                                             tiny_data_path):
    # on the tiny dataset the labour pool and the French literacy share move together (r = 1)
    result = run("learn-weights", decisions_csv, "--criteria",
                 "airports_km,catchment_labour_active,catchment_french_literate_pct",
                 "--data", tiny_data_path, "--bootstrap", "20", "--seed", "1")
    assert result.exit_code == 0, result.output
    about = json.loads(result.stdout)["about"]
    assert about["confidence"]["resamples"] == 20 and about["confidence"]["seed"] == 1
    assert set(about["confidence"]["weights"]) == {
        "airports_km", "catchment_labour_active", "catchment_french_literate_pct"}
    codes = [m["code"] for m in about["messages"]]
    assert codes == ["learning.correlated_criteria", "learning.few_decisions"]
    assert ("Warning: criteria catchment_labour_active and catchment_french_literate_pct move "
            "together") in result.stderr
    assert "95% intervals from 20 resamples" in result.stderr


@pytest.mark.parametrize(("value", "message"), [("1", "--bootstrap 1: give 0"),
                                                ("-3", "-3 is not in the range x>=0")])
def test_learn_weights_bad_bootstrap(decisions_csv, tiny_data_path, value, message):
    result = run("learn-weights", decisions_csv, "--criteria", "airports_km,area_ha",
                 "--data", tiny_data_path, "--bootstrap", value)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output
