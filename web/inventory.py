"""Staff keep the inventory: edit a zone's facts, pin it on the map, add a zone, export the overlay.

Every change is one :class:`~web.models.ZoneEdit` row (zone, column, old, new, who, when,
source), an overlay on the shipped facts (:mod:`valleys.overlay` checks and applies it;
:func:`web.data.get_data` reloads it in every worker when the store's revision moves on).
Two staff editing one zone at once: the form carries the zone's revision it was based on; the
second submit is refused with both values side by side and the form kept as typed.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from valleys.overlay import (
    EDITABLE_COLUMNS,
    STATUSES,
    OverlayError,
    check_value,
    check_zone_id,
    land_of,
    point_wkt,
    slug,
    text_value,
    write_overlay_csv,
)
from web import inventory_store
from web.data import clean, get_data, zone_label, zone_or_404
from web.i18n import _, _l, column_label, status_label
from web.models import now

bp = Blueprint("inventory", __name__, url_prefix="/staff/inventory")

#: form field -> the zone column it edits (lat/lon together make ``geometry``)
FIELD_COLUMNS: dict[str, str] = {
    "status": "status",
    "status_as_of": "status_as_of",
    "rent": "rent_mad_m2_month",
    "rent_as_of": "rent_mad_m2_month_as_of",
    "available": "available_m2",
    "available_as_of": "available_m2_as_of",
    "operator_contact": "operator_contact",
    "notes": "notes",
}
NEW_ZONE_FIELDS: dict[str, str] = {"name": "name", "city": "city"}

#: what a refused value's problem (:class:`valleys.overlay.OverlayError`) says, translated
PROBLEMS: dict[str, Any] = {
    "not-number": _l("%(field)s of %(zone)s: %(value)s is not a number."),
    "not-positive": _l("%(field)s of %(zone)s: %(value)s is not a positive number."),
    "negative": _l("%(field)s of %(zone)s: %(value)s is negative."),
    "not-date": _l("%(field)s of %(zone)s: %(value)s is not a date (YYYY-MM-DD)."),
    "future-date": _l("%(field)s of %(zone)s: %(value)s is in the future; give the date the value was true."),
    "required": _l("%(field)s of %(zone)s: a value is required."),
    "not-status": _l("%(field)s of %(zone)s: %(value)s is not a status."),
    "bad-text": _l("%(field)s of %(zone)s: the text is too long or has a control character."),
    "bad-id": _l("%(field)s of %(zone)s: use lower-case letters, digits and hyphens (at most 80)."),
    "swapped": _l("Location of %(zone)s: latitude %(lat)s, longitude %(lon)s is outside Morocco, but inside once swapped: latitude and longitude swapped?"),
    "outside-land": _l("Location of %(zone)s: latitude %(lat)s, longitude %(lon)s is outside Morocco's land."),
    "not-on-earth": _l("Location of %(zone)s: latitude %(lat)s, longitude %(lon)s are not coordinates."),
    "taken": _l("%(field)s of %(zone)s: a zone has this id already."),
}


def _status_choices() -> list[tuple[str, str]]:
    return [(s, status_label(s)) for s in STATUSES]


class ZoneForm(FlaskForm):
    """A zone's editable facts; ``source`` is required, ``base_revision`` guards concurrent edits."""

    status = SelectField(_l("Status"), choices=[])
    status_as_of = StringField(_l("Status as of"), validators=[Length(max=10)])
    rent = StringField(_l("Rent (MAD/m²/month)"), validators=[Length(max=40)])
    rent_as_of = StringField(_l("Rent as of"), validators=[Length(max=10)])
    available = StringField(_l("Available floor (m²)"), validators=[Length(max=40)])
    available_as_of = StringField(_l("Available floor as of"), validators=[Length(max=10)])
    operator_contact = StringField(_l("Operator contact"), validators=[Length(max=500)])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])
    lat = StringField(_l("Latitude"), validators=[Length(max=40)])
    lon = StringField(_l("Longitude"), validators=[Length(max=40)])
    source = TextAreaField(_l("Source or note (required)"), validators=[Length(max=2000)])
    base_revision = HiddenField()


class NewZoneForm(ZoneForm):
    name = StringField(_l("Name"), validators=[Length(max=500)])
    zone_id = StringField(_l("Id (made from the name when empty)"), validators=[Length(max=80)])
    city = StringField(_l("City"), validators=[Length(max=200)])


def _current(row: Any, column: str) -> str:
    if row is None:
        return ""
    if column == "geometry":
        return point_wkt(row.geometry) if row.geometry is not None and not row.geometry.is_empty else ""
    return text_value(clean(row.get(column)))


def _fill(form: ZoneForm, row: Any) -> None:
    """Put the zone's current facts into an unsubmitted form."""
    for field_name, column in FIELD_COLUMNS.items():
        getattr(form, field_name).data = _current(row, column)
    if row is not None and row.geometry is not None and not row.geometry.is_empty:
        point = row.geometry if row.geometry.geom_type == "Point" else row.geometry.representative_point()
        form.lat.data, form.lon.data = f"{point.y:.6f}", f"{point.x:.6f}"


def _message(exc: OverlayError, *, field: str, zone: str, lat: str = "", lon: str = "") -> str:
    template = PROBLEMS.get(exc.problem)
    if template is None:
        return exc.message  # pragma: no cover - every problem a form can cause is listed
    return str(template) % {"field": field, "zone": zone, "value": exc.value, "lat": lat, "lon": lon}


def _changes(form: ZoneForm, zone_id: str, row: Any, label: str) -> dict[str, tuple[str, str]] | None:
    """Column -> (old, new) for every value the form changes; ``None`` (errors on the form's
    fields) when one is wrong."""
    dataset = get_data().dataset
    changes: dict[str, tuple[str, str]] = {}
    ok = True
    fields = dict(FIELD_COLUMNS)
    if isinstance(form, NewZoneForm):
        fields.update(NEW_ZONE_FIELDS)
    for field_name, column in fields.items():
        field = getattr(form, field_name)
        try:
            new = check_value(column, field.data or "", zone_id=zone_id)
        except OverlayError as exc:
            field.errors = [*field.errors, _message(exc, field=str(field.label.text), zone=label)]
            ok = False
            continue
        old = _current(row, column)
        if new != old and not (column in ("rent_mad_m2_month", "available_m2") and old and new
                               and math.isclose(float(old), float(new))):
            changes[column] = (old, new)
    lat, lon = (form.lat.data or "").strip(), (form.lon.data or "").strip()
    if lat or lon or row is None:
        try:
            lat_f, lon_f = float(lat.replace(",", ".")), float(lon.replace(",", "."))
            if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
                raise ValueError
        except ValueError:
            form.lat.errors = [*form.lat.errors, str(PROBLEMS["not-on-earth"]) % {
                "zone": label, "lat": lat or "–", "lon": lon or "–"}]
            lat_f = lon_f = math.nan
        new = ""
        if math.isfinite(lat_f):
            try:
                new = check_value("geometry", f"POINT ({lon_f} {lat_f})", zone_id=zone_id,
                                  land=land_of(dataset))
            except OverlayError as exc:
                form.lat.errors = [*form.lat.errors, _message(exc, field="", zone=label, lat=lat, lon=lon)]
        old = _current(row, "geometry")
        if not new:
            ok = False
        elif new != old:
            changes["geometry"] = (old, new)
            if _current(row, "location_precision") != "address":
                changes["location_precision"] = (_current(row, "location_precision"), "address")
            # how the place was found: what the staff member gave as the edit's source
            note = (form.source.data or "").strip()[:500]
            if note and note != _current(row, "location_note"):
                changes["location_note"] = (_current(row, "location_note"), note)
    if not (form.source.data or "").strip():
        form.source.errors = [*form.source.errors, _("Say where the new values come from: a source or a note is required.")]
        ok = False
    return changes if ok else None


def _conflicts(zone_id: str, base: str, changes: dict[str, tuple[str, str]]) -> list[dict[str, str]] | None:
    """``None`` when nobody changed the zone since the form's revision; else every column the
    other edit changed, with its value now and the value this form gives."""
    try:
        based_on = int(base or 0)
    except ValueError:
        based_on = -1
    if based_on == inventory_store.zone_revision(zone_id):
        return None
    theirs = [e for e in inventory_store.history(zone_id) if e.id > based_on]
    columns = list(dict.fromkeys(e.column for e in reversed(theirs)))
    latest = {e.column: e for e in reversed(theirs)}
    return [
        {"column": c, "theirs": latest[c].new_value, "yours": changes[c][1] if c in changes else "",
         "by": latest[c].changed_by}
        for c in columns
    ]


def _save(zone_id: str, form: ZoneForm, row: Any, *, template: str, new: bool):
    label = (form.name.data if isinstance(form, NewZoneForm) else None) or (zone_label(row) if row is not None else zone_id)
    changes = _changes(form, zone_id, row, label)
    if changes is None:
        return _render(template, form, zone_id=zone_id, row=row, status=422)
    if not new:
        conflicts = _conflicts(zone_id, form.base_revision.data, changes)
        if conflicts is not None:
            form.base_revision.data = str(inventory_store.zone_revision(zone_id))
            return _render(template, form, zone_id=zone_id, row=row, status=409, conflicts=conflicts)
    if not changes:
        flash(_("Nothing changed."), "info")
        return redirect(url_for("inventory.edit", zone_id=zone_id))
    inventory_store.record(zone_id, changes, by=current_user.email,
                           source=form.source.data.strip(), at=now())
    flash(_("Saved: %(count)s value(s) of %(zone)s changed.", count=len(changes), zone=label), "success")
    return redirect(url_for("public.site", site_id=zone_id))


def _render(template: str, form: ZoneForm, *, zone_id: str, row: Any, status: int = 200,
            conflicts: list[dict[str, str]] | None = None):
    from web import assets

    return render_template(
        template, form=form, zone_id=zone_id, zone_name=zone_label(row) if row is not None else "",
        conflicts=conflicts, history=inventory_store.history(zone_id) if row is not None else [],
        leaflet_js=assets.url("xstatic/leaflet/leaflet.js"),
        leaflet_css=assets.url("xstatic/leaflet/leaflet.css"),
        picker_js=assets.url("maps/inventory-picker.js"),
        others=[{"id": str(i), "name": zone_label(r), "lat": clean(r.get("lat")), "lon": clean(r.get("lon"))}
                for i, r in get_data().sites.iterrows() if str(i) != zone_id],
    ), status


@bp.get("/")
@login_required
def index():
    sites = get_data().sites
    zones = []
    for site_id, row in sites.iterrows():
        last = inventory_store.last_edit(str(site_id))
        zones.append({"id": str(site_id), "name": zone_label(row), "status": clean(row.get("status")),
                      "last": last})
    return render_template("staff/inventory.html", zones=zones)


@bp.route("/<path:zone_id>/edit", methods=["GET", "POST"])
@login_required
def edit(zone_id: str):
    row = zone_or_404(zone_id)
    form = ZoneForm()
    form.status.choices = _status_choices()
    if form.is_submitted():
        if not form.validate():
            return _render("staff/inventory_edit.html", form, zone_id=zone_id, row=row, status=422)
        return _save(zone_id, form, row, template="staff/inventory_edit.html", new=False)
    _fill(form, row)
    form.base_revision.data = str(inventory_store.zone_revision(zone_id))
    return _render("staff/inventory_edit.html", form, zone_id=zone_id, row=row)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = NewZoneForm()
    form.status.choices = _status_choices()
    if form.is_submitted():
        if not form.validate():
            return _render("staff/inventory_new.html", form, zone_id="", row=None, status=422)
        zone_id = (form.zone_id.data or "").strip() or slug(form.name.data or "")
        label = form.name.data or zone_id
        try:
            check_zone_id(zone_id)
            if zone_id in get_data().sites.index or inventory_store.zone_revision(zone_id):
                raise OverlayError("taken", problem="taken", zone_id=zone_id, value=zone_id)
        except OverlayError as exc:
            form.zone_id.errors = [_message(exc, field=str(form.zone_id.label.text), zone=label)]
            return _render("staff/inventory_new.html", form, zone_id="", row=None, status=422)
        return _save(zone_id, form, None, template="staff/inventory_new.html", new=True)
    form.status.data = "planned"
    return _render("staff/inventory_new.html", form, zone_id="", row=None)


@bp.get("/overlay.csv")
@login_required
def export():
    table, _revision = inventory_store.overlay_table()
    return Response(write_overlay_csv(table), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=techvalley-inventory-overlay.csv"})


@bp.app_template_global()
def inventory_trail(zone_id: str) -> dict[str, Any]:
    """For a zone page: its last edit (``last``) and, for staff, every edit (``history``)."""
    last = inventory_store.last_edit(zone_id)
    staff = bool(getattr(current_user, "is_authenticated", False))
    return {"last": last, "history": inventory_store.history(zone_id) if staff and last else [],
            "staff": staff, "columns": {c: column_label(c) for c in EDITABLE_COLUMNS}}


@bp.app_template_filter("day")
def day(value: Any) -> str:
    """The date of a datetime in the page's language (``Updated on 5 January 2026``)."""
    from flask_babel import format_date

    return format_date(value, "long") if value is not None else "–"


@bp.app_template_filter("overlay_value")
def overlay_value(value: str, column: str) -> str:
    """An overlay value as a page shows it: a location as "latitude, longitude", enumerations,
    numbers and dates in the page's language, "–" for none."""
    from web.i18n import format_fact

    if not value:
        return "–"
    if column == "geometry":
        lon, lat = value.removeprefix("POINT (").removesuffix(")").split()
        return f"{float(lat):.5f}, {float(lon):.5f}"
    if column in ("rent_mad_m2_month", "available_m2"):
        return format_fact(float(value), column)
    return format_fact(value, column)
