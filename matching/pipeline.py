"""The jobs pipeline (issue 14): investor projects, their jobs against the 2030 target, and the
year each zone's floor space runs out.

Pure functions on plain records: a project is a mapping with ``id``, ``name``, ``activity``,
``stage`` (:data:`STAGES`), ``zone_id`` (the zone chosen, or ``None``), ``considered`` (zone ids
considered), ``ramp`` (``[(year, jobs), ...]``: the jobs *added* that year), ``floor_area_m2``
(``None``: jobs x m² per seat) and ``region``. The web application reads them from its store
and passes them here; nothing in this module reads the store.

Floor space a project takes grows with its jobs: by the end of year ``y`` it uses
``floor_area_m2 x (jobs added up to y) / (all its jobs)``. A zone runs out in the first year its
committed projects' cumulative floor exceeds its ``available_m2``.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from matching.errors import DecisionsError

__all__ = [
    "COMMITTED", "OPEN_STAGES", "STAGES", "PipelineInputError", "Targets", "check_stage_change", "decisions_table",
    "floor_by_year", "jobs_by", "jobs_by_stage", "parse_ramp", "past_investor_records",
    "project_floor", "read_targets", "runout_table",
]

#: The stages in their order; ``lost`` ends a project at any stage.
STAGES: tuple[str, ...] = ("lead", "visit", "shortlist_sent", "committed", "operating", "lost")
#: The stages whose floor is taken and whose zone choice is a real placement.
COMMITTED: frozenset[str] = frozenset({"committed", "operating"})
#: The stages of a project still on (not lost).
OPEN_STAGES: tuple[str, ...] = STAGES[:-1]
_ORDER = {stage: i for i, stage in enumerate(STAGES[:-1])}
#: Years a ramp-up may name.
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: Jobs one project may plan for one year.
MAX_JOBS = 1_000_000

TARGETS_PATH = Path(__file__).resolve().parents[1] / "geodata" / "facts" / "targets.csv"


class PipelineInputError(DecisionsError):
    """A project field a person typed is wrong; ``problem`` is a code the web translates."""

    def __init__(self, message: str, *, problem: str, value: str = "") -> None:
        super().__init__(message)
        self.problem = problem
        self.value = value


_RAMP_ITEM = re.compile(r"^\s*(?P<year>[^:=]+?)\s*[:=]\s*(?P<jobs>.+?)\s*$")


def parse_ramp(text: str) -> list[tuple[int, int]]:
    """Read a ramp-up typed as ``year: jobs`` items (one a line, or separated by ``,`` / ``;``).

    Returns the items sorted by year: the jobs each year adds.

    >>> parse_ramp("2026: 200\\n2027: 300")
    [(2026, 200), (2027, 300)]
    >>> parse_ramp("2028=50; 2026: 1 000")
    [(2026, 1000), (2028, 50)]
    >>> parse_ramp("2026: 2.5")
    Traceback (most recent call last):
    ...
    matching.pipeline.PipelineInputError: jobs for 2026: '2.5' is not a positive whole number

    Raises
    ------
    PipelineInputError
        Empty; an item not ``year: jobs``; a year that is not a year; jobs that are not a
        positive whole number; a year given twice.
    """
    items = [part for part in re.split(r"[\n;,]", text or "") if part.strip()]
    if not items:
        raise PipelineInputError("no jobs: give at least one 'year: jobs'", problem="ramp-empty")
    seen: dict[int, int] = {}
    for item in items:
        match = _RAMP_ITEM.match(item)
        if match is None:
            raise PipelineInputError(f"{item.strip()!r} is not 'year: jobs'", problem="ramp-item",
                                     value=item.strip())
        year_text, jobs_text = match["year"], match["jobs"].replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if not year_text.isdigit() or not FIRST_YEAR <= int(year_text) <= LAST_YEAR:
            raise PipelineInputError(f"{year_text!r} is not a year ({FIRST_YEAR}-{LAST_YEAR})",
                                     problem="ramp-year", value=year_text)
        year = int(year_text)
        if not jobs_text.isdigit() or not 0 < int(jobs_text) <= MAX_JOBS:
            raise PipelineInputError(f"jobs for {year}: {jobs_text!r} is not a positive whole number",
                                     problem="ramp-jobs", value=jobs_text)
        if year in seen:
            raise PipelineInputError(f"the year {year} is given twice", problem="ramp-twice",
                                     value=str(year))
        seen[year] = int(jobs_text)
    return sorted(seen.items())


def check_stage_change(old: str | None, new: str, reason: str) -> None:
    """Refuse a stage going backwards (``operating`` to ``visit``, ``lost`` to anything) without
    a reason.

    >>> check_stage_change("visit", "committed", "")
    >>> check_stage_change("committed", "lost", "")
    >>> check_stage_change("committed", "visit", "")
    Traceback (most recent call last):
    ...
    matching.pipeline.PipelineInputError: the stage goes back from committed to visit: say why
    """
    if new not in STAGES:
        raise PipelineInputError(f"{new!r} is not a stage", problem="stage", value=new)
    if old is None or old == new or new == "lost" or reason.strip():
        return
    if old == "lost" or _ORDER.get(new, 0) < _ORDER.get(old, 0):
        raise PipelineInputError(f"the stage goes back from {old} to {new}: say why",
                                 problem="backwards", value=new)


def project_floor(project: Mapping[str, Any], *, m2_per_seat: float) -> float:
    """The floor a project takes when its jobs are all there: given, else jobs x m² per seat.

    >>> project_floor({"ramp": [(2026, 100)], "floor_area_m2": None}, m2_per_seat=8)
    800.0
    """
    given = project.get("floor_area_m2")
    if given is not None and not (isinstance(given, float) and math.isnan(given)):
        return float(given)
    return float(sum(jobs for _, jobs in project["ramp"])) * m2_per_seat


def _jobs_until(project: Mapping[str, Any], year: int | None) -> int:
    return sum(jobs for y, jobs in project["ramp"] if year is None or y <= year)


def jobs_by_stage(projects: Iterable[Mapping[str, Any]], *, until: int | None = None) -> dict[str, int]:
    """Jobs planned per stage (every stage, 0 when none), counting the ramp-up years up to
    ``until`` (``None``: all).

    >>> p = [{"stage": "lead", "ramp": [(2026, 10), (2031, 5)]}, {"stage": "lead", "ramp": [(2027, 1)]}]
    >>> jobs_by_stage(p, until=2030)["lead"], jobs_by_stage(p)["lead"]
    (11, 16)
    """
    totals = dict.fromkeys(STAGES, 0)
    for project in projects:
        totals[project["stage"]] += _jobs_until(project, until)
    return totals


def jobs_by(projects: Iterable[Mapping[str, Any]], key: str, *, until: int | None = None,
            stages: Sequence[str] = OPEN_STAGES) -> pd.DataFrame:
    """Jobs per value of ``key`` (``zone_id``, ``region``, ``activity``) and stage: one row per
    value (``None`` kept as an empty string), one column per stage of ``stages``, and ``total``;
    largest total first, then by value.

    >>> p = [{"stage": "lead", "ramp": [(2026, 10)], "activity": "CRM"},
    ...      {"stage": "committed", "ramp": [(2026, 30)], "activity": "ITO"}]
    >>> jobs_by(p, "activity")[["lead", "committed", "total"]].to_dict("index")
    {'ITO': {'lead': 0, 'committed': 30, 'total': 30}, 'CRM': {'lead': 10, 'committed': 0, 'total': 10}}
    """
    rows: dict[str, dict[str, int]] = {}
    for project in projects:
        if project["stage"] not in stages:
            continue
        value = project.get(key) or ""
        row = rows.setdefault(str(value), dict.fromkeys(stages, 0))
        row[project["stage"]] += _jobs_until(project, until)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(stages)).fillna(0).astype(int)
    frame["total"] = frame.sum(axis=1)
    frame.index.name = key
    return frame.sort_values("total", ascending=False, kind="stable") if len(frame) else frame


def floor_by_year(projects: Iterable[Mapping[str, Any]], *, m2_per_seat: float) -> pd.DataFrame:
    """Cumulative committed floor (m²) per zone (rows) at the end of each year (columns), from
    the committed and operating projects with a zone; years from the first ramp-up year to the
    last, every one present.

    >>> p = [{"stage": "committed", "zone_id": "a", "ramp": [(2026, 50), (2028, 50)],
    ...       "floor_area_m2": 1000.0}]
    >>> floor_by_year(p, m2_per_seat=8).loc["a"].tolist()
    [500.0, 500.0, 1000.0]
    """
    adds: dict[tuple[str, int], float] = {}
    for project in projects:
        if project["stage"] not in COMMITTED or not project.get("zone_id"):
            continue
        total_jobs = _jobs_until(project, None)
        floor = project_floor(project, m2_per_seat=m2_per_seat)
        for year, jobs in project["ramp"]:
            key = (str(project["zone_id"]), int(year))
            adds[key] = adds.get(key, 0.0) + floor * jobs / total_jobs
    if not adds:
        return pd.DataFrame(dtype=float)
    years = range(min(y for _, y in adds), max(y for _, y in adds) + 1)
    zones = sorted({z for z, _ in adds})
    frame = pd.DataFrame(0.0, index=pd.Index(zones, name="zone_id"), columns=list(years))
    for (zone, year), floor in adds.items():
        frame.loc[zone, year] += floor
    return frame.cumsum(axis=1)


def runout_table(floor: pd.DataFrame, available: Mapping[str, float | None]) -> pd.DataFrame:
    """Per zone with committed floor: ``committed_m2`` (all years), ``available_m2``,
    ``share`` (committed / available), ``runs_out`` (the first year cumulative committed floor
    exceeds the available floor; ``None`` when it never does or the available floor is unknown)
    and ``known`` (the available floor is known). Zones are those of ``floor``; a zone missing
    from ``available`` has an unknown floor. Soonest run-out first, then unknown floors, then
    the rest by share.

    >>> floor = pd.DataFrame({2026: [500.0, 10.0], 2027: [1500.0, 20.0]}, index=["a", "b"])
    >>> runout_table(floor, {"a": 1000.0, "b": None})[["runs_out", "known"]].to_dict("index")
    {'a': {'runs_out': 2027, 'known': True}, 'b': {'runs_out': None, 'known': False}}
    """
    rows = []
    for zone, cumulative in floor.iterrows():
        raw = available.get(str(zone))
        known = raw is not None and not (isinstance(raw, float) and math.isnan(raw))
        avail = float(raw) if known and raw is not None else None
        committed = float(cumulative.iloc[-1]) if len(cumulative) else 0.0
        runs_out = None
        if avail is not None:
            over = [int(y) for y, v in cumulative.items() if v > avail]
            runs_out = over[0] if over else None
        rows.append({"zone_id": str(zone), "committed_m2": committed, "available_m2": avail,
                     "share": committed / avail if avail else None, "runs_out": runs_out,
                     "known": known})
    frame = pd.DataFrame(rows, columns=["zone_id", "committed_m2", "available_m2", "share",
                                        "runs_out", "known"], dtype=object).set_index("zone_id")
    if len(frame):
        order = frame.assign(_o=[0 if r is not None else (1 if not k else 2)
                                 for r, k in zip(frame.runs_out, frame.known, strict=True)],
                             _y=[r if r is not None else 0 for r in frame.runs_out],
                             _s=[-(s or 0) for s in frame.share])
        frame = frame.loc[order.sort_values(["_o", "_y", "_s"], kind="stable").index]
    return frame


def decisions_table(projects: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The committed and operating projects with a chosen zone as ``learn-weights`` reads them
    (``DECISIONS.csv``): ``decision_id`` (``pipeline-<id>``), ``site_id``, ``chosen`` (1 for the
    zone chosen, 0 for each other zone considered), ``activity``. A project that considered no
    other zone is left out: a decision needs a zone not chosen.

    >>> decisions_table([{"id": 3, "stage": "committed", "zone_id": "a", "considered": ["b", "a"],
    ...                   "activity": "CRM"}]).values.tolist()
    [['pipeline-3', 'a', 1, 'CRM'], ['pipeline-3', 'b', 0, 'CRM']]
    """
    rows = []
    for project in projects:
        chosen = project.get("zone_id")
        if project["stage"] not in COMMITTED or not chosen:
            continue
        others = [z for z in dict.fromkeys(project.get("considered") or []) if z and z != chosen]
        if not others:
            continue
        decision = f"pipeline-{project['id']}"
        activity = project.get("activity") or ""
        rows.append((decision, str(chosen), 1, activity))
        rows.extend((decision, str(z), 0, activity) for z in others)
    return pd.DataFrame(rows, columns=["decision_id", "site_id", "chosen", "activity"])


def past_investor_records(projects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The committed and operating projects with a chosen zone as past investors
    (:mod:`matching.neighbours`): ``name``, ``activity``, ``headcount`` (all planned jobs),
    ``floor_area_m2`` when given, ``chosen``, ``decision_id``.

    >>> past_investor_records([{"id": 1, "name": "X", "stage": "operating", "zone_id": "a",
    ...                         "activity": "ITO", "ramp": [(2026, 40)], "floor_area_m2": None}])
    [{'name': 'X', 'headcount': 40, 'chosen': 'a', 'decision_id': 'pipeline-1', 'activity': 'ITO'}]
    """
    records = []
    for project in projects:
        if project["stage"] not in COMMITTED or not project.get("zone_id"):
            continue
        record: dict[str, Any] = {"name": project["name"], "headcount": _jobs_until(project, None),
                                  "chosen": str(project["zone_id"]),
                                  "decision_id": f"pipeline-{project['id']}"}
        if project.get("activity"):
            record["activity"] = project["activity"]
        if project.get("floor_area_m2"):
            record["floor_area_m2"] = float(project["floor_area_m2"])
        records.append(record)
    return records


@dataclass(frozen=True)
class Targets:
    """The sector's baseline and target (``geodata/facts/targets.csv``), with their sources."""

    baseline_year: int
    baseline_jobs: int
    baseline_exports_bn_mad: float
    target_year: int
    target_jobs: int
    target_exports_bn_mad: float
    sources: tuple[str, ...]

    @property
    def jobs_gap(self) -> int:
        """Jobs to add between the baseline and the target."""
        return self.target_jobs - self.baseline_jobs


def read_targets(path: str | Path | None = None) -> Targets:
    """Read the baseline and target: rows ``metric`` (``jobs``, ``exports_bn_mad``), ``kind``
    (``baseline``, ``target``), ``year``, ``value``, ``source`` (keys of ``sources.csv``).

    >>> t = read_targets()
    >>> t.baseline_jobs, t.target_jobs, t.target_year, t.jobs_gap
    (148500, 270000, 2030, 121500)
    """
    path = Path(path or TARGETS_PATH)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise DecisionsError(f"{path}: the targets cannot be read ({exc.strerror})") from None
    values: dict[tuple[str, str], tuple[int, float]] = {}
    sources: list[str] = []
    try:
        for row in rows:
            values[(row["metric"], row["kind"])] = (int(row["year"]), float(row["value"]))
            sources.extend(k for k in (row.get("source") or "").split() if k not in sources)
        sources.sort()
        return Targets(
            baseline_year=values[("jobs", "baseline")][0],
            baseline_jobs=int(values[("jobs", "baseline")][1]),
            baseline_exports_bn_mad=values[("exports_bn_mad", "baseline")][1],
            target_year=values[("jobs", "target")][0],
            target_jobs=int(values[("jobs", "target")][1]),
            target_exports_bn_mad=values[("exports_bn_mad", "target")][1],
            sources=tuple(sources),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise DecisionsError(f"{path}: expected rows metric,kind,year,value,source for jobs and "
                             f"exports_bn_mad, baseline and target ({exc!r} is wrong or missing)") from None
