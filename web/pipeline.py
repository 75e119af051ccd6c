"""Staff record investor projects (the jobs pipeline) and see them against the 2030 target.

- ``GET /staff/pipeline/``: the projects; ``GET|POST /staff/pipeline/new`` and
  ``/<id>/edit``: a project's name, activity, jobs per year, floor, stage (each change dated,
  with who; going back needs a reason), zone chosen and considered, inquiry, saved shortlists.
- ``GET /staff/pipeline/dashboard``: jobs by stage against the target, by zone, region and
  activity, and each zone's committed floor against its available floor (the year it runs out).
- ``GET /staff/pipeline/dashboard.csv``: the dashboard's figures; ``GET
  /staff/pipeline/decisions.csv``: the committed projects as ``learn-weights`` reads them.
- ``GET /api/v1/pipeline`` (:mod:`web.api`): the dashboard as JSON (:func:`dashboard`).

The computations are :mod:`matching.pipeline`'s; this module reads and writes the store's
:class:`~web.models.Project` rows. Committed projects with a zone are also past investors for
"Investors like you" (:func:`past_investors`). Two staff editing one project: the form carries
the version it was based on; a second save based on an older one is refused (409), both values
side by side, the form kept as typed.

One module because the project form, its checks and the figures the saved projects feed (the
dashboard, its CSV, the decisions, the past investors) read and write the same rows; the charts
are :mod:`web.pipeline_charts`, the computations :mod:`matching.pipeline`.
"""

from __future__ import annotations

import csv
import io
import math
import threading
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from matching import pipeline as calc
from matching.export.text import defuse, defuse_id
from valleys.errors import TechValleyError
from web.data import AppData, clean, get_data, zone_label
from web.extensions import db
from web.i18n import _, _l
from web.models import Inquiry, Project, ProjectStage, Shortlist, StoreRevision, now

bp = Blueprint("pipeline", __name__, url_prefix="/staff/pipeline")

ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")
STAGE_LABELS: dict[str, Any] = {
    "lead": _l("Lead"), "visit": _l("Visit"), "shortlist_sent": _l("Shortlist sent"),
    "committed": _l("Committed"), "operating": _l("Operating"), "lost": _l("Lost"),
}
#: the counter raised by every save (:class:`~web.models.StoreRevision`)
PIPELINE = "pipeline"

#: what a refused field says (:class:`matching.pipeline.PipelineInputError` ``problem``)
PROBLEMS: dict[str, Any] = {
    "ramp-empty": _l("Give the jobs planned: at least one line 'year: jobs', e.g. 2026: 200."),
    "ramp-item": _l("%(value)s is not 'year: jobs' (e.g. 2026: 200)."),
    "ramp-year": _l("%(value)s is not a year (2000 to 2100)."),
    "ramp-jobs": _l("Jobs must be a positive whole number: %(value)s is not."),
    "ramp-twice": _l("The year %(value)s is given twice: give each year once."),
    "backwards": _l("The stage goes back (from %(old)s to %(new)s): say why in the reason."),
    "stage": _l("%(value)s is not a stage."),
}


def stage_label(stage: str) -> str:
    label = STAGE_LABELS.get(stage)
    return str(label) if label is not None else str(stage)


# --- the store ---------------------------------------------------------------------------------

def revision() -> int:
    """The pipeline's revision (0: no project was ever saved)."""
    row = db.session.get(StoreRevision, PIPELINE)
    return int(row.value or 0) if row is not None else 0


def _bump() -> None:
    row = db.session.get(StoreRevision, PIPELINE, with_for_update=True)
    if row is None:
        row = StoreRevision(name=PIPELINE, value=0)
        db.session.add(row)
    row.value = int(row.value or 0) + 1


def _projects() -> list[Project]:
    return list(db.session.execute(select(Project).order_by(Project.id)).scalars())


def _stages(project_id: int) -> list[ProjectStage]:
    return list(db.session.execute(select(ProjectStage).where(ProjectStage.project_id == project_id)
                                   .order_by(ProjectStage.id)).scalars())


def zone_regions(data: AppData) -> dict[str, str]:
    """Zone id -> region name: the zones' ``region`` column, else the region layer the zone lies in."""
    sites = data.sites
    if "region" in sites.columns:
        return {str(i): str(clean(v) or "") for i, v in sites["region"].items()}
    regions = getattr(data.dataset, "layers", {}).get("regions")
    if regions is None or not len(regions) or "name" not in regions.columns:
        return {}
    points = sites.geometry.representative_point().to_frame("geometry").set_crs(sites.crs)
    joined = points.sjoin(regions[["name", "geometry"]].to_crs(sites.crs), how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    return {str(i): str(clean(v) or "") for i, v in joined["name"].items()}


def record(project: Project, regions: dict[str, str]) -> dict[str, Any]:
    """A project as :mod:`matching.pipeline` takes it."""
    return {
        "id": project.id, "name": project.name, "activity": project.activity or "",
        "stage": project.stage, "zone_id": project.zone_id, "considered": list(project.considered or []),
        "ramp": [(int(y), int(j)) for y, j in project.ramp or []],
        "floor_area_m2": project.floor_area_m2,
        "region": (regions.get(project.zone_id) or _("region unknown")) if project.zone_id else "",
    }


def records(data: AppData | None = None) -> list[dict[str, Any]]:
    data = data or get_data()
    regions = zone_regions(data)
    return [record(p, regions) for p in _projects()]


# --- the dashboard -----------------------------------------------------------------------------

def _m2_per_seat() -> float:
    from matching.settings import M2_PER_SEAT

    return float(M2_PER_SEAT)


def dashboard(data: AppData | None = None) -> dict[str, Any]:
    """Every figure of the dashboard (the page, its CSV and ``/api/v1/pipeline`` show these).

    Jobs count the ramp-up years up to the target year; lost projects count nowhere but in
    ``by_stage``.
    """
    data = data or get_data()
    projects = records(data)
    targets = calc.read_targets()
    year = targets.target_year
    by_stage = calc.jobs_by_stage(projects, until=year)
    committed = by_stage["committed"] + by_stage["operating"]
    names = {str(i): zone_label(r) for i, r in data.sites.iterrows()}

    def table(key: str) -> list[dict[str, Any]]:
        frame = calc.jobs_by(projects, key, until=year)
        rows = []
        for value, row in frame.iterrows():
            value = str(value)
            if key == "zone_id":
                name = names.get(value) if value else None
                name = name or (_("zone %(id)s (no longer in the dataset)", id=value) if value else _("no zone yet"))
            else:
                name = value or (_("no zone yet") if key == "region" else "–")
            rows.append({"key": value, "name": name, "jobs": {s: int(row[s]) for s in calc.OPEN_STAGES},
                         "total": int(row["total"])})
        return rows

    available = {str(i): clean(v) for i, v in data.sites["available_m2"].items()} \
        if "available_m2" in data.sites.columns else {}
    floor = calc.floor_by_year(projects, m2_per_seat=_m2_per_seat())
    runout = calc.runout_table(floor, available)
    floor_rows = [
        {"zone_id": zone, "name": names.get(zone) or _("zone %(id)s (no longer in the dataset)", id=zone),
         "committed_m2": round(float(row["committed_m2"]), 1),
         "available_m2": None if row["available_m2"] is None else float(row["available_m2"]),
         "share": None if row["share"] is None else float(row["share"]),
         "runs_out": None if row["runs_out"] is None else int(row["runs_out"]),
         "known": bool(row["known"]),
         "by_year": {str(y): round(float(v), 1) for y, v in floor.loc[zone].items()}}
        for zone, row in runout.iterrows()
    ]
    return {
        "targets": {"baseline_year": targets.baseline_year, "baseline_jobs": targets.baseline_jobs,
                    "baseline_exports_bn_mad": targets.baseline_exports_bn_mad,
                    "target_year": year, "target_jobs": targets.target_jobs,
                    "target_exports_bn_mad": targets.target_exports_bn_mad,
                    "sources": list(targets.sources), "citations": _citations(targets.sources)},
        "projects": len(projects),
        "by_stage": {s: by_stage[s] for s in calc.STAGES},
        "committed_jobs": committed,
        "pipeline_jobs": sum(by_stage[s] for s in calc.OPEN_STAGES),
        "projected_jobs": targets.baseline_jobs + committed,
        "gap_jobs": max(0, targets.jobs_gap - committed),
        "by_zone": table("zone_id"),
        "by_region": table("region"),
        "by_activity": table("activity"),
        "floor": floor_rows,
        "m2_per_seat": _m2_per_seat(),
    }


def _citations(keys: tuple[str, ...]) -> list[str]:
    """The citations of source keys (``geodata/facts/sources.csv``), a key left as it is when unlisted."""
    path = calc.TARGETS_PATH.parent / "sources.csv"
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            cited = {row["key"]: row["citation"] for row in csv.DictReader(f)}
    except (OSError, KeyError):
        cited = {}
    return [f"{key}: {cited[key]}" if key in cited else key for key in keys]


CSV_COLUMNS = ("table", "key", "name", "measure", "value")


def dashboard_csv(board: dict[str, Any]) -> str:
    """The dashboard's figures, one a row (``table, key, name, measure, value``), formula-guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for key, value in board["targets"].items():
        if key not in ("sources", "citations"):
            writer.writerow(["targets", key, "", key, value])
    for key in ("projects", "committed_jobs", "pipeline_jobs", "projected_jobs", "gap_jobs"):
        writer.writerow(["summary", key, "", key, board[key]])
    for stage, jobs in board["by_stage"].items():
        writer.writerow(["stage", stage, stage_label(stage), "jobs", jobs])
    for table in ("zone", "region", "activity"):
        for row in board[f"by_{table}"]:
            for stage, jobs in row["jobs"].items():
                writer.writerow([table, defuse_id(row["key"]), defuse(row["name"]), stage, jobs])
            writer.writerow([table, defuse_id(row["key"]), defuse(row["name"]), "total", row["total"]])
    for row in board["floor"]:
        for measure in ("committed_m2", "available_m2", "runs_out"):
            value = row[measure]
            writer.writerow(["floor", defuse_id(row["zone_id"]), defuse(row["name"]), measure,
                             "" if value is None else value])
    return out.getvalue()


def decisions_csv(projects: list[dict[str, Any]], known: set[str]) -> str:
    """The committed projects as ``DECISIONS.csv`` (zones no longer in the dataset left out)."""
    kept = [dict(p, considered=[z for z in p["considered"] if z in known])
            for p in projects if p["zone_id"] in known]
    return calc.decisions_table(kept).to_csv(index=False, lineterminator="\n")


# --- "Investors like you" ----------------------------------------------------------------------

_PAST_LOCK = threading.Lock()
_PAST_CACHE: dict[tuple[int, int, str], Any] = {}


def past_investors(data: AppData) -> Any:
    """The past investors of "Investors like you": the file's (``TECHVALLEY_PAST_INVESTORS``)
    and the committed projects with a zone of the dataset (:class:`web.data.PastInvestors`, or
    ``None`` when there are neither)."""
    from matching.neighbours import check_past_investors
    from web.data import PastInvestors

    base = data.past_investors
    key = (id(current_app._get_current_object()), revision(), data.version)  # type: ignore[attr-defined]
    with _PAST_LOCK:
        if key in _PAST_CACHE:
            return _PAST_CACHE[key]
    known = set(map(str, data.sites.index))
    mine = [r for r in calc.past_investor_records(records(data)) if r["chosen"] in known]
    checked: list[Any] = []
    kept: list[dict[str, Any]] = []
    for item in mine:  # one the requirements contract refuses (too many jobs) is left out
        try:
            checked += check_past_investors([item], sites=data.table, source="the pipeline")
            kept.append(item)
        except TechValleyError as exc:
            current_app.logger.warning("project left out of investors like you: %s", exc)
    if not kept:
        result = base
    elif base is None:
        result = PastInvestors(path="", records=kept, checked=checked, synthetic=False)
    else:
        result = replace(base, records=[*base.records, *kept], checked=[*base.checked, *checked])
    with _PAST_LOCK:
        _PAST_CACHE.clear()  # one revision at a time
        _PAST_CACHE[key] = result
    return result


# --- the form ----------------------------------------------------------------------------------

def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ProjectForm(FlaskForm):
    name = StringField(_l("Project name"), filters=[_strip], validators=[
        DataRequired(message=_l("Give the project a name.")), Length(max=200)])
    activity = SelectField(_l("Activity"), choices=[SelectChoice(a) for a in ACTIVITIES])
    ramp = TextAreaField(_l("Jobs added per year (one 'year: jobs' a line)"), validators=[Length(max=2000)])
    floor_area = StringField(_l("Floor area (m²; empty: jobs × m² per seat)"), validators=[Length(max=40)])
    stage = SelectField(_l("Stage"), choices=[])
    reason = StringField(_l("Reason (needed when the stage goes back)"), validators=[Length(max=500)])
    zone_id = SelectField(_l("Zone chosen"), choices=[], validate_choice=False)
    considered = SelectMultipleField(_l("Zones considered"), choices=[], validate_choice=False,
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    inquiry_id = SelectField(_l("Inquiry"), choices=[], validate_choice=False)
    shortlists = StringField(_l("Saved shortlists (ids or links, separated by spaces)"),
                             validators=[Length(max=2000)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])
    version = HiddenField()


def _choices(form: ProjectForm, project: Project | None) -> None:
    data = get_data()
    zones = [SelectChoice(str(i), zone_label(r)) for i, r in data.sites.iterrows()]
    known = {z.value for z in zones}
    # a zone the dataset lost stays selectable, so the form shows it and says it is gone
    gone = [z for z in ([project.zone_id] if project and project.zone_id else []) +
            list(project.considered or [] if project else []) if z not in known]
    gone_choices = [SelectChoice(z, _("zone %(id)s (no longer in the dataset)", id=z))
                    for z in dict.fromkeys(gone)]
    form.stage.choices = [SelectChoice(s, stage_label(s)) for s in calc.STAGES]
    form.zone_id.choices = [SelectChoice("", _("none yet")), *zones, *gone_choices]
    form.considered.choices = [*zones, *gone_choices]
    inquiries = db.session.execute(select(Inquiry).order_by(Inquiry.id.desc()).limit(200)).scalars()
    form.inquiry_id.choices = [SelectChoice("", _("none")), *(
        SelectChoice(str(q.id), f"#{q.id} {q.name} ({q.zone_name or q.zone_id})") for q in inquiries)]


def _fill(form: ProjectForm, project: Project) -> None:
    form.name.data = project.name
    form.activity.data = project.activity
    form.ramp.data = "\n".join(f"{y}: {j}" for y, j in project.ramp or [])
    form.floor_area.data = "" if project.floor_area_m2 is None else f"{project.floor_area_m2:g}"
    form.stage.data = project.stage
    form.zone_id.data = project.zone_id or ""
    form.considered.data = list(project.considered or [])
    form.inquiry_id.data = str(project.inquiry_id or "")
    form.shortlists.data = " ".join(project.shortlist_ids or [])
    form.notes.data = project.notes
    form.version.data = str(project.version)


def _problem(exc: calc.PipelineInputError, **extra: str) -> str:
    return str(PROBLEMS[exc.problem]) % {"value": exc.value, **extra}


def _values(form: ProjectForm, project: Project | None, *, stage_check: bool = True) -> dict[str, Any] | None:
    """The form's values checked (``None``: errors are on the form's fields). ``stage_check``
    False: a stage going back is not refused (the form was based on another stored stage)."""
    ok = True

    def refuse(field: Any, text: str) -> None:
        nonlocal ok
        field.errors = [*field.errors, text]
        ok = False

    values: dict[str, Any] = {"name": form.name.data, "notes": (form.notes.data or "").strip()}
    if form.activity.data not in ACTIVITIES:
        refuse(form.activity, _("Choose an activity."))
    values["activity"] = form.activity.data
    try:
        values["ramp"] = [[y, j] for y, j in calc.parse_ramp(form.ramp.data or "")]
    except calc.PipelineInputError as exc:
        refuse(form.ramp, _problem(exc))
    floor_text = (form.floor_area.data or "").strip().replace(" ", "").replace(",", ".")
    values["floor_area_m2"] = None
    if floor_text:
        try:
            floor = float(floor_text)
            if not math.isfinite(floor) or floor <= 0 or floor > 10_000_000:
                raise ValueError
            values["floor_area_m2"] = floor
        except ValueError:
            refuse(form.floor_area, _("The floor area must be a positive number of m²: %(value)s is not.",
                                      value=form.floor_area.data))
    stage = form.stage.data or ""
    old_stage = project.stage if project is not None else None
    try:
        calc.check_stage_change(old_stage if stage_check else None, stage, form.reason.data or "")
    except calc.PipelineInputError as exc:
        refuse(form.reason if exc.problem == "backwards" else form.stage,
               _problem(exc, old=stage_label(old_stage or ""), new=stage_label(stage)))
    values["stage"] = stage
    known = set(map(str, get_data().sites.index))
    zone = (form.zone_id.data or "").strip() or None
    if zone is not None and zone not in known:
        refuse(form.zone_id, _("The zone %(id)s is no longer in the dataset: choose another.", id=zone))
    if stage in calc.COMMITTED and zone is None:
        refuse(form.zone_id, _("A committed or operating project needs the zone it chose."))
    values["zone_id"] = zone
    considered = [z for z in dict.fromkeys(form.considered.data or []) if z]
    for z in considered:
        if z not in known:
            refuse(form.considered, _("The zone %(id)s is no longer in the dataset: choose another.", id=z))
    values["considered"] = considered
    inquiry = (form.inquiry_id.data or "").strip()
    values["inquiry_id"] = None
    if inquiry:
        if not inquiry.isdigit() or db.session.get(Inquiry, int(inquiry)) is None:
            refuse(form.inquiry_id, _("No inquiry #%(id)s.", id=inquiry))
        else:
            values["inquiry_id"] = int(inquiry)
    ids = []
    for token in (form.shortlists.data or "").replace(",", " ").split():
        shortlist_id = token.rstrip("/").rsplit("/", 1)[-1]
        if db.session.get(Shortlist, shortlist_id) is None:
            refuse(form.shortlists, _("No saved shortlist %(id)s.", id=shortlist_id))
        elif shortlist_id not in ids:
            ids.append(shortlist_id)
    values["shortlist_ids"] = ids
    return values if ok else None


_FIELDS = {"name": _l("Project name"), "activity": _l("Activity"), "ramp": _l("Jobs added per year"),
           "floor_area_m2": _l("Floor area (m²)"), "stage": _l("Stage"), "zone_id": _l("Zone chosen"),
           "considered": _l("Zones considered"), "inquiry_id": _l("Inquiry"),
           "shortlist_ids": _l("Saved shortlists"), "notes": _l("Notes")}


def _shown(column: str, value: Any) -> str:
    if value in (None, "", []):
        return "–"
    if column == "ramp":
        return ", ".join(f"{y}: {j}" for y, j in value)
    if column == "stage":
        return stage_label(value)
    if column in ("zone_id", "considered"):
        names = {str(i): zone_label(r) for i, r in get_data().sites.iterrows()}
        items = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(z)) or str(z) for z in items)
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)


def _conflicts(project: Project, values: dict[str, Any]) -> list[dict[str, str]]:
    """Each field where the stored project and this form differ: both values, as shown."""
    rows = []
    for column, label in _FIELDS.items():
        theirs, yours = getattr(project, column), values.get(column)
        if column == "ramp":
            theirs = [list(map(int, item)) for item in theirs or []]
        if theirs != yours and not (theirs in (None, "", []) and yours in (None, "", [])):
            rows.append({"field": str(label), "theirs": _shown(column, theirs), "yours": _shown(column, yours)})
    return rows


def _render(form: ProjectForm, project: Project | None, *, status: int = 200,
            conflicts: list[dict[str, str]] | None = None):
    return render_template("staff/pipeline_form.html", form=form, project=project, conflicts=conflicts,
                           stages=_stages(project.id) if project is not None else [],
                           stage_label=stage_label), status


def _save(form: ProjectForm, project: Project | None):
    if not form.validate():
        return _render(form, project, status=422)
    stale = project is not None and (form.version.data or "") != str(project.version)
    values = _values(form, project, stage_check=not stale)
    if values is None:
        return _render(form, project, status=422)
    if project is not None and stale:
        conflicts = _conflicts(project, values)
        form.version.data = str(project.version)  # saving again keeps this form's values
        return _render(form, project, status=409, conflicts=conflicts)
    by = current_user.email
    at = now()
    stage_changed = project is None or project.stage != values["stage"]
    if project is None:
        project = Project(created_at=at, version=0)
        db.session.add(project)
    for column, value in values.items():
        setattr(project, column, value)
    project.version = (project.version or 0) + 1
    project.updated_at, project.updated_by = at, by
    db.session.flush()
    if stage_changed:
        db.session.add(ProjectStage(project_id=project.id, stage=values["stage"], changed_at=at,
                                    changed_by=by, reason=(form.reason.data or "").strip()))
    _bump()
    db.session.commit()
    flash(_("Saved: %(name)s.", name=project.name), "success")
    return redirect(url_for("pipeline.index"))


# --- pages -------------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    data = get_data()
    names = {str(i): zone_label(r) for i, r in data.sites.iterrows()}
    rows = []
    for project in _projects():
        last = _stages(project.id)
        rows.append({"project": project, "jobs": sum(int(j) for _y, j in project.ramp or []),
                     "zone": names.get(project.zone_id or "") or (
                         _("zone %(id)s (no longer in the dataset)", id=project.zone_id) if project.zone_id else "–"),
                     "since": last[-1] if last else None})
    return render_template("staff/pipeline.html", rows=rows, stage_label=stage_label)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = ProjectForm()
    _choices(form, None)
    if form.is_submitted():
        return _save(form, None)
    form.stage.data = "lead"
    return _render(form, None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404, description=_("No project #%(id)s.", id=project_id))
    form = ProjectForm()
    _choices(form, project)
    if form.is_submitted():
        return _save(form, project)
    _fill(form, project)
    return _render(form, project)


@bp.get("/dashboard")
@login_required
def dashboard_page():
    from web import pipeline_charts as charts

    board = dashboard()
    return render_template("staff/pipeline_dashboard.html", board=board, stage_label=stage_label,
                           stages=calc.OPEN_STAGES, charts=charts.dashboard_charts(board, stage_label))


@bp.get("/dashboard.csv")
@login_required
def dashboard_export():
    return Response(dashboard_csv(dashboard()), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="techvalley-pipeline.csv"'})


@bp.get("/decisions.csv")
@login_required
def decisions_export():
    data = get_data()
    return Response(decisions_csv(records(data), set(map(str, data.sites.index))),
                    content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="techvalley-decisions.csv"'})
