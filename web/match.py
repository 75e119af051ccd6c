"""The match workflow: the requirement form and its result, saving, sharing, exports.

- ``GET|POST /match``: the form; a valid post shows the ranked shortlist.
- ``POST /match/export/<fmt>``: an export of the shortlist just computed.
- ``POST /match/shown``: the shortlist just computed shown again (the EN/FR switch of a
  re-weighted result re-posts its requirement here with ``?lang=``; that of ``POST /match``
  re-posts the form's fields to ``/match?lang=``).
- ``POST /match/save`` (staff): store it and open ``/shortlists/<id>``.
- ``GET /shortlists/<id>`` (staff), ``POST /shortlists/<id>/revoke`` (staff),
  ``POST /shortlists/<id>/keep`` (staff: an anonymous save no longer expires),
  ``GET /shortlists/<id>/export/<fmt>`` (staff).
- ``GET /s/<token>``, ``GET /s/<token>/export/<fmt>``: the read-only share link (no login);
  a revoked or expired link answers 410 with a page saying so.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_login import current_user, login_required

from valleys.errors import TechValleyError
from web import charts, maps, shortlists, weights
from web.data import get_data
from web.extensions import db
from web.forms import ActionForm, InquiryForm, MatchForm, RequirementsForm, requirements_from_form
from web.i18n import _
from web.models import Shortlist, now

bp = Blueprint("match", __name__)


def _site_url(site_id: str) -> str:
    return url_for("public.site", site_id=site_id)


def _preset(activity: str | None) -> dict[str, Any] | None:
    """The activity preset's constraints and criteria as plain dicts (``None`` without one)."""
    if not activity:
        return None
    from matching import presets

    return shortlists.jsonable(presets.preset(activity))


def _with_stored_names(sites, result: dict[str, Any]):
    """The zones named as the shortlist named them (a saved one keeps its names after the data
    changed); the frame is copied only when a name differs."""
    stored = {
        entry["id"]: entry["name"]
        for key in ("ranked", "excluded")
        for entry in result.get(key) or []
        if isinstance(entry, dict) and entry.get("id") in sites.index and entry.get("name") is not None
    }
    if "name" not in sites.columns or all(sites.at[i, "name"] == n for i, n in stored.items()):
        return sites
    sites = sites.copy()
    for site_id, name in stored.items():
        sites.at[site_id, "name"] = name
    return sites


def _lang_repost(document: dict[str, Any]) -> dict[str, Any] | None:
    """What the EN/FR switch of a posted result posts again (it has no address to link to):
    the match form's own fields (its notes on what was left out come back in the other
    language), else the requirement itself (after a re-weighting). ``None`` for a GET page."""
    if request.method != "POST":
        return None
    if request.endpoint == "match.match":
        fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
        return {"endpoint": "match.match", "fields": fields}
    return {"endpoint": "match.reshow", "fields": [("requirements", shortlists.dumps(document))]}


def _render_result(result: dict[str, Any], *, document: dict[str, Any], record: Shortlist | None = None,
                   shared: bool = False, notes: list[str] | None = None):
    data = get_data()
    parts = maps.score_map(
        result, _with_stored_names(data.sites, result), data.dataset, lang=str(get_locale()), site_url=_site_url
    )
    viewed = shortlists.for_viewer(result)
    return render_template(
        "match/result.html",
        result=viewed,
        charts=charts.result_charts(viewed),
        statuses={str(i): s for i, s in data.sites["status"].items()} if "status" in data.sites else {},
        sliders=weights.sliders(result),
        rerank_document=shortlists.dumps(weights.with_criteria(document)),
        agency_name=current_app.config.get("TECHVALLEY_AGENCY_NAME"),
        agency_contact=current_app.config.get("TECHVALLEY_AGENCY_CONTACT"),
        inquiry_form=InquiryForm(formdata=None) if shared else None,
        document=document,
        document_json=shortlists.dumps(document),
        record=record,
        shared=shared,
        notes=notes or [],
        parts=parts,
        requirements_form=RequirementsForm(formdata=None, requirements=shortlists.dumps(document)),
        action_form=ActionForm(formdata=None),
        share_url=shortlists.share_url(record) if record is not None else None,
        expires_at=shortlists.expires_at(record) if record is not None else None,
        expired=record is not None and shortlists.is_expired(record),
        formats=list(shortlists.EXPORT_FORMATS),  # the registry's downloads, by name
        current_version=data.version,
        lang_repost=_lang_repost(document),
    )


@bp.route("/match", methods=["GET", "POST"])
def match():
    form = MatchForm()
    data = get_data()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("match/form.html", form=form, problem=None, columns=data.columns), status
    notes: list[str] = []
    try:
        if form.requirements_text.data and form.requirements_text.data.strip():
            from matching.requirements import parse_requirements_text

            document = parse_requirements_text(form.requirements_text.data, source="requirements box")
        else:
            document, notes = requirements_from_form(
                form, columns=data.columns, preset=_preset(form.activity.data)
            )
        result = shortlists.compute(document, source="the match form")
    except TechValleyError as exc:
        return render_template("match/form.html", form=form, problem=exc, columns=data.columns), 422
    return _render_result(result, document=document, notes=notes)


def _document_from(form: RequirementsForm) -> dict[str, Any]:
    if not form.validate_on_submit():
        abort(400, description=_("the requirements of this shortlist are missing: compute it again"))
    try:
        document = json.loads(form.requirements.data)
    except (ValueError, RecursionError):
        abort(400, description=_("the requirements of this shortlist are not valid JSON: compute it again"))
    return document


def _download(content: bytes, mimetype: str, stem: str, fmt: str) -> Response:
    spec = shortlists.EXPORT_FORMATS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="{stem}.{spec.extension}"', **spec.headers}
    return Response(content, content_type=mimetype, headers=headers)


@bp.post("/match/export/<fmt>")
def export_unsaved(fmt: str):
    if fmt not in shortlists.EXPORT_FORMATS:
        abort(404, description=_("no export format %(format)s", format=repr(fmt)))
    document = _document_from(RequirementsForm())
    result = shortlists.compute(document, source="the exported requirements")
    content, mimetype = shortlists.export(result, fmt, lang=str(get_locale()))
    return _download(content, mimetype, "shortlist", fmt)


@bp.post("/match/shown")
def reshow():
    """The result of a requirement again (the EN/FR switch of a posted result): the same
    requirement, computed the same way, in the language of ``?lang=``."""
    document = _document_from(RequirementsForm())
    try:
        result = shortlists.compute(document, source="the shown requirements")
    except TechValleyError as exc:
        abort(422, description=str(exc))
    return _render_result(result, document=document)


@bp.post("/match/reweight")
def reweight():
    """The result again with the weights of the sliders (``w_<column>``, 0-100): the same as the
    page's live re-rank, for a browser without JavaScript."""
    document = _document_from(RequirementsForm())
    try:
        document = weights.reweighted(document, request.form)
        result = shortlists.compute(document, source="the weight sliders")
    except TechValleyError as exc:
        abort(422, description=str(exc))
    return _render_result(result, document=document)


@bp.post("/match/save")
@login_required
def save():
    document = _document_from(RequirementsForm())
    result = shortlists.compute(document, source="the saved requirements")
    record = shortlists.save(document, result, staff=current_user)
    flash(_("Shortlist saved. Send the share link below to the investor."), "success")
    return redirect(url_for("match.saved", shortlist_id=record.id))


@bp.get("/shortlists/<shortlist_id>")
@login_required
def saved(shortlist_id: str):
    record = shortlists.get_or_404(shortlist_id)
    return _render_result(shortlists.full_result(record), document=record.requirements, record=record)


@bp.post("/shortlists/<shortlist_id>/revoke")
@login_required
def revoke(shortlist_id: str):
    record = shortlists.get_or_404(shortlist_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    record.revoked = True
    record.revoked_at = now()
    db.session.commit()
    flash(_("The share link was revoked: it no longer opens."), "success")
    return redirect(url_for("match.saved", shortlist_id=record.id))


@bp.post("/shortlists/<shortlist_id>/keep")
@login_required
def keep(shortlist_id: str):
    record = shortlists.get_or_404(shortlist_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not record.kept:
        record.kept = True
        record.kept_at = now()
        db.session.commit()
    flash(_("The shortlist is kept: it no longer expires."), "success")
    return redirect(url_for("match.saved", shortlist_id=record.id))


@bp.get("/shortlists/<shortlist_id>/export/<fmt>")
@login_required
def export_saved(shortlist_id: str, fmt: str):
    record = shortlists.get_or_404(shortlist_id)
    content, mimetype = shortlists.export(shortlists.full_result(record), fmt, lang=str(get_locale()))
    return _download(content, mimetype, f"shortlist-{record.id}", fmt)


def _shared_or_410(token: str) -> Shortlist:
    record = shortlists.by_token_or_404(token)
    if record.revoked:
        abort(410, description=_("This share link was revoked by the investment team. Ask them for a new one."))
    if shortlists.is_expired(record):
        abort(410, description=_(
            "This share link expired on %(day)s: shortlists saved without a staff account are kept "
            "%(days)s days. Ask the investment team for a new one.",
            day=format_date(shortlists.expires_at(record), "long"), days=shortlists.retention_days(),
        ))
    return record


@bp.get("/s/<token>")
def shared(token: str):
    record = _shared_or_410(token)
    return _render_result(shortlists.full_result(record), document=record.requirements, record=record, shared=True)


@bp.get("/s/<token>/export/<fmt>")
def export_shared(token: str, fmt: str):
    record = _shared_or_410(token)
    content, mimetype = shortlists.export(shortlists.full_result(record), fmt, lang=str(get_locale()))
    return _download(content, mimetype, "shortlist", fmt)


