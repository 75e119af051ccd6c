"""Public pages: the map ``/``, a zone ``/sites/<id>`` (with the inquiry form), ``/compare``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale

from web import maps
from web.data import clean, get_data, zone_label, zone_or_404, zone_rows
from web.extensions import db
from web.forms import InquiryForm
from web.i18n import _
from web.models import Inquiry, now

bp = Blueprint("public", __name__)

#: the most zones a comparison shows side by side
MAX_COMPARE = 12


def _site_url(site_id: str) -> str:
    return url_for("public.site", site_id=site_id)


def _zone_list() -> list[dict]:
    sites = get_data().sites
    return [
        {
            "id": str(site_id),
            "name": zone_label(row),
            "city": clean(row.get("city")),
            "status": clean(row.get("status")),
        }
        for site_id, row in sites.iterrows()
    ]


@bp.get("/")
def index():
    data = get_data()
    parts = maps.public_map(data.sites, data.dataset, lang=str(get_locale()), site_url=_site_url)
    return render_template("index.html", parts=parts, zones=_zone_list())


def _render_site(site_id: str, form: InquiryForm, status: int = 200):
    data = get_data()
    row = zone_or_404(site_id)
    parts = maps.site_map(data.sites, data.dataset, site_id, lang=str(get_locale()))
    return (
        render_template(
            "site.html",
            site_id=site_id,
            zone_name=zone_label(row),
            rows=zone_rows(row),
            nearest=data.nearest.get(site_id, {}),
            parts=parts,
            form=form,
            others=[z for z in _zone_list() if z["id"] != site_id],
        ),
        status,
    )


@bp.get("/sites/<path:site_id>")
def site(site_id: str):
    return _render_site(site_id, InquiryForm())


@bp.post("/sites/<path:site_id>/inquiry")
def inquiry(site_id: str):
    row = zone_or_404(site_id)
    form = InquiryForm()
    if not form.validate_on_submit():
        return _render_site(site_id, form, 422)
    db.session.add(
        Inquiry(
            zone_id=site_id,
            zone_name=zone_label(row)[:500],
            name=form.name.data.strip(),
            email=form.email.data.strip(),
            message=(form.message.data or "").strip(),
            created_at=now(),
        )
    )
    db.session.commit()
    flash(_("Thank you: the investment team will contact you about this zone."), "success")
    return redirect(url_for("public.site", site_id=site_id))


@bp.get("/compare")
def compare():
    data = get_data()
    raw = request.args.getlist("ids")
    ids = list(dict.fromkeys(i.strip() for value in raw for i in value.split(",") if i.strip()))
    if not ids:
        return render_template("compare.html", zones=[], columns=[], all_zones=_zone_list())
    unknown = [i for i in ids if i not in data.sites.index]
    if unknown:
        abort(404, description=_("no zone with id %(ids)s", ids=", ".join(repr(i) for i in unknown)))
    if len(ids) > MAX_COMPARE:
        abort(422, description=_("compare at most %(most)s zones at a time (%(given)s given)",
                                   most=MAX_COMPARE, given=len(ids)))
    zones = []
    columns: list[str] = []
    for site_id in ids:
        row = data.sites.loc[site_id]
        split = zone_rows(row)
        values = dict(split["facts"] + split["distances"] + split["catchment"])
        zones.append({"id": site_id, "name": zone_label(row), "values": values})
        for column in values:
            if column not in columns:
                columns.append(column)
    return render_template("compare.html", zones=zones, columns=columns, all_zones=_zone_list())
