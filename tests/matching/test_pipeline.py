"""The jobs pipeline's computations (matching.pipeline): ramp-ups, stages, totals, run-out years,
decisions for learn-weights, past investors and the targets file."""

from __future__ import annotations

import pandas as pd
import pytest

from matching import pipeline as calc
from matching.learning import check_decisions
from matching.neighbours import check_past_investors


def project(pid, stage, ramp, *, zone=None, considered=(), activity="CRM", floor=None, region=""):
    return {"id": pid, "name": f"P{pid}", "activity": activity, "stage": stage, "zone_id": zone,
            "considered": list(considered), "ramp": ramp, "floor_area_m2": floor, "region": region}


@pytest.mark.parametrize(("text", "problem"), [
    ("", "ramp-empty"), ("  \n ", "ramp-empty"), ("2026 200", "ramp-item"), ("26: 10", "ramp-year"),
    ("2026: 0", "ramp-jobs"), ("2026: -5", "ramp-jobs"), ("2026: 2.5", "ramp-jobs"),
    ("2026: many", "ramp-jobs"), ("2026: 1e3", "ramp-jobs"), ("2026: 10\n2026: 5", "ramp-twice"),
    ("2026: 2000000", "ramp-jobs"), ("year: 10", "ramp-year"),
])
def test_jobs_that_are_not_a_positive_whole_number_are_refused(text, problem):
    with pytest.raises(calc.PipelineInputError) as info:
        calc.parse_ramp(text)
    assert info.value.problem == problem


def test_a_ramp_reads_years_in_any_order_and_separator():
    assert calc.parse_ramp("2028: 50\n2026 = 1 200; 2027:3") == [(2026, 1200), (2027, 3), (2028, 50)]


@pytest.mark.parametrize(("old", "new", "reason", "ok"), [
    (None, "operating", "", True), ("lead", "committed", "", True), ("committed", "lead", "", False),
    ("committed", "lead", "the investor reopened the search", True), ("operating", "lost", "", True),
    ("lost", "lead", "", False), ("lost", "visit", "came back in March", True), ("visit", "visit", "", True),
])
def test_a_stage_going_backwards_needs_a_reason(old, new, reason, ok):
    if ok:
        calc.check_stage_change(old, new, reason)
    else:
        with pytest.raises(calc.PipelineInputError) as info:
            calc.check_stage_change(old, new, reason)
        assert info.value.problem == "backwards"


def test_an_unknown_stage_is_refused():
    with pytest.raises(calc.PipelineInputError):
        calc.check_stage_change("lead", "signed", "")


def test_jobs_by_stage_zone_region_and_activity_up_to_the_target_year():
    projects = [
        project(1, "committed", [(2026, 100), (2031, 50)], zone="a", region="R1", activity="ITO"),
        project(2, "lead", [(2027, 40)], region="", activity="CRM"),
        project(3, "lost", [(2026, 999)], zone="a", region="R1"),
        project(4, "operating", [(2025, 10)], zone="b", region="R1", activity="ITO"),
    ]
    stages = calc.jobs_by_stage(projects, until=2030)
    assert stages == {"lead": 40, "visit": 0, "shortlist_sent": 0, "committed": 100, "operating": 10,
                      "lost": 999}
    assert calc.jobs_by_stage(projects)["committed"] == 150
    zones = calc.jobs_by(projects, "zone_id", until=2030)
    assert zones["total"].to_dict() == {"a": 100, "": 40, "b": 10}  # lost counts nowhere
    regions = calc.jobs_by(projects, "region", until=2030)
    assert regions.loc["R1", "committed"] == 100 and regions.loc["R1", "operating"] == 10
    assert calc.jobs_by(projects, "activity", until=2030)["total"].to_dict() == {"ITO": 110, "CRM": 40}
    assert calc.jobs_by([], "zone_id").empty


def test_floor_follows_the_jobs_and_a_zone_runs_out_the_first_year_it_is_exceeded():
    projects = [
        project(1, "committed", [(2026, 100), (2028, 100)], zone="a", floor=2000.0),  # 1000 then 2000
        project(2, "operating", [(2027, 50)], zone="a"),  # 50 x 8 m² = 400 from 2027
        project(3, "shortlist_sent", [(2026, 1000)], zone="a"),  # not committed: no floor
        project(4, "committed", [(2026, 10)], zone="b"),
        project(5, "committed", [(2026, 10)], zone="c"),
    ]
    floor = calc.floor_by_year(projects, m2_per_seat=8)
    assert list(floor.columns) == [2026, 2027, 2028]
    assert floor.loc["a"].tolist() == [1000.0, 1400.0, 2400.0]
    table = calc.runout_table(floor, {"a": 1500.0, "b": None, "c": 1000.0})
    assert table.loc["a", "runs_out"] == 2028 and table.loc["a", "share"] == pytest.approx(2400 / 1500)
    assert table.loc["b", "runs_out"] is None and not table.loc["b", "known"]
    assert table.loc["c", "runs_out"] is None and table.loc["c", "known"]
    assert list(table.index) == ["a", "b", "c"]  # soonest run-out, then unknown floors, then the rest
    # exactly the available floor is not "exceeds"
    assert calc.runout_table(floor, {"a": 2400.0}).loc["a", "runs_out"] is None
    assert calc.runout_table(floor, {"a": 1399.0}).loc["a", "runs_out"] == 2027


def test_committed_projects_become_decisions_learn_weights_reads(tiny_layers):
    sites = tiny_layers["zones"].set_index("id")
    projects = [
        project(1, "committed", [(2026, 10)], zone="technopolis", considered=["casanearshore", "technopolis"]),
        project(2, "operating", [(2026, 10)], zone="casanearshore", considered=["technopark-casa", "ctv"],
                activity="ITO"),
        project(3, "committed", [(2026, 10)], zone="ctv"),  # no other zone considered: left out
        project(4, "visit", [(2026, 10)], zone="ctv", considered=["technopolis"]),  # not committed
    ]
    table = calc.decisions_table(projects)
    assert list(table.columns) == ["decision_id", "site_id", "chosen", "activity"]
    assert table.groupby("decision_id")["chosen"].sum().to_dict() == {"pipeline-1": 1, "pipeline-2": 1}
    assert len(table) == 5
    checked = check_decisions(table, sites=sites, criteria=["area_ha"])
    assert set(checked["decision_id"]) == {"pipeline-1", "pipeline-2"}


def test_committed_projects_are_past_investors(tiny_layers):
    sites = tiny_layers["zones"].set_index("id")
    records = calc.past_investor_records([
        project(1, "committed", [(2026, 100), (2027, 20)], zone="technopolis", floor=900.0),
        project(2, "lead", [(2026, 10)], zone="ctv"),
    ])
    assert records == [{"name": "P1", "headcount": 120, "chosen": "technopolis",
                        "decision_id": "pipeline-1", "activity": "CRM", "floor_area_m2": 900.0}]
    parsed = check_past_investors(records, sites=sites)
    assert parsed[0][1]["chosen"] == "technopolis"


def test_the_targets_file_has_the_baseline_and_the_target_with_sources(tmp_path):
    targets = calc.read_targets()
    assert (targets.baseline_year, targets.baseline_jobs, targets.baseline_exports_bn_mad) == (2024, 148_500, 26.22)
    assert (targets.target_year, targets.target_jobs, targets.target_exports_bn_mad) == (2030, 270_000, 40.0)
    sources = pd.read_csv(calc.TARGETS_PATH.parent / "sources.csv")
    assert set(targets.sources) == {"I11", "I12"} and set(targets.sources) <= set(sources["key"])
    bad = tmp_path / "targets.csv"
    bad.write_text("metric,kind,year,value,source\njobs,baseline,2024,many,I12\n", encoding="utf-8")
    with pytest.raises(calc.DecisionsError, match="targets.csv"):
        calc.read_targets(bad)
    with pytest.raises(calc.DecisionsError, match="cannot be read"):
        calc.read_targets(tmp_path / "none.csv")
