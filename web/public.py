"""Public pages: the map ``/``, a zone ``/sites/<id>`` (with the inquiry form), ``/compare``."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale

from web import compare as compare_rows
from web import maps, profile
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
            figures=profile.key_figures(row),
            catchment_km=profile.catchment_km(),
            versus=profile.versus_chart(row, data.dataset),
            sources=profile.sources(row),
            status_warning=profile.status_warning(row.get("status")),
            form=form,
            others=[z for z in _zone_list() if z["id"] != site_id],
        ),
        status,
    )


@bp.get("/sites/<path:site_id>")
def site(site_id: str):
    return _render_site(site_id, InquiryForm())


@bp.get("/zones/<path:site_id>.pdf")
def zone_pdf(site_id: str):
    """The zone's one-page profile as PDF (key figures, a map with its catchment, sources)."""
    from matching.export.zone_pdf import zone_profile_pdf

    zone_or_404(site_id)
    content = zone_profile_pdf(site_id, get_data().sites, lang=str(get_locale()))
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in site_id)[:80] or "zone"
    return Response(content, content_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{safe}.pdf"'})


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


def _compared(ids: list[str]) -> tuple[list[dict], list[str]]:
    """The zones of ``ids`` with their values, and every column any of them has (404/422 when
    an id is unknown or there are too many)."""
    data = get_data()
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
        values.pop("source_citations", None)  # the zone page lists them with their links
        zones.append({"id": site_id, "name": zone_label(row), "values": values})
        for column in values:
            if column not in columns:
                columns.append(column)
    return zones, columns


def _compare_ids() -> list[str]:
    raw = request.args.getlist("ids")
    return list(dict.fromkeys(i.strip() for value in raw for i in value.split(",") if i.strip()))


@bp.get("/compare")
def compare():
    ids = _compare_ids()
    if not ids:
        return render_template("compare.html", zones=[], columns=[], key_rows=[], other_rows=[], best={},
                               all_zones=_zone_list(), formats=compare_rows.FORMATS)
    zones, columns = _compared(ids)
    key_rows, other_rows = compare_rows.split_rows(columns)
    best = {c: compare_rows.best_ids(zones, c) for c in columns}
    return render_template("compare.html", zones=zones, columns=columns, key_rows=key_rows,
                           other_rows=other_rows, best=best, all_zones=_zone_list(),
                           formats=compare_rows.FORMATS)


@bp.get("/compare/export/<fmt>")
def compare_export(fmt: str):
    """The comparison as a CSV or XLSX download, in the page's words."""
    from web.i18n import column_label, value_label

    if fmt not in compare_rows.FORMATS:
        abort(404, description=_("no export format %(format)s", format=repr(fmt)))
    ids = _compare_ids()
    if not ids:
        abort(422, description=_("choose the zones to compare (ids=a,b)"))
    zones, columns = _compared(ids)
    frame = compare_rows.table(zones, columns, label=column_label,
                               value=lambda v, c: value_label(v, c))
    mimetype, extension = compare_rows.FORMATS[fmt]
    return Response(compare_rows.to_bytes(frame, fmt), content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="comparison.{extension}"'})
