"""Staff pages: login and logout, saved shortlists, investor inquiries.

- ``GET /staff/shortlists``: saved shortlists, newest first, paged; ``?q=`` searches their name,
  investor and ``about`` (every word must appear), ``?saved_by=`` filters.
- ``GET|POST /staff/shortlists/<id>/rename``, ``GET|POST /staff/shortlists/<id>/delete`` (the
  GET asks for confirmation). The team shares its shortlists: any staff account may rename or
  delete any of them, as it may revoke one.
- ``GET /staff/inquiries``: investor inquiries, paged; ``?status=unhandled|handled|all``.
- ``POST /staff/inquiries/<id>/status``: mark one handled (who, when) or unhandled again.
- ``GET /staff/inquiries.csv``: the inquiries of the same filter as a spreadsheet-safe CSV.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from matching.export.text import defuse
from web import auth, paging
from web import shortlist_search as search
from web import shortlists as saved_lists
from web.auth import LoginLocked, authenticate, end_sessions, start_session
from web.extensions import db
from web.forms import ActionForm, LoginForm
from web.i18n import _, _l
from web.models import Inquiry, now

bp = Blueprint("staff", __name__, url_prefix="/staff")

#: rows a page of a staff list shows (newest first; ``?page=`` turns the pages)
LIST_PAGE_SIZE = 50


def _safe_next(target: str | None, *, default: str = "staff.shortlists") -> str:
    """Only a path on this site (no scheme, no host) may be the page to go to after login."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(default)


def _single_line(form: FlaskForm, field: Any) -> None:
    """Refuse control characters, line breaks and tabs included (a name is one line)."""
    if any(unicodedata.category(ch) == "Cc" for ch in field.data or ""):
        raise ValidationError(_("contains a control character (a line break, a tab...): remove it"))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class RenameForm(FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Give a name: it cannot be empty.")),
            Length(max=saved_lists.MAX_NAME, message=_l("At most %(max)d characters.")),
            _single_line,
        ],
    )


class InquiryStatusForm(FlaskForm):
    """Marks an inquiry handled (``handled=yes``) or unhandled again (``no``)."""

    handled = HiddenField(validators=[AnyOf(["yes", "no"])])
    next = HiddenField()


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    problem = None
    status = 200
    headers: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            staff = authenticate(form.email.data, form.password.data)
        except LoginLocked as locked:
            problem = _(
                "Too many failed logins for this account or from this address: try again after %(when)s.",
                when=format_datetime(locked.until, "short"),
            )
            status = 429
            headers["Retry-After"] = str(max(1, math.ceil((locked.until - auth.now()).total_seconds())))
        else:
            if staff is not None:
                start_session(staff)
                return redirect(_safe_next(request.args.get("next")))
            problem = _("Wrong email or password.")
            status = 401
    elif form.is_submitted():
        status = 422
    return render_template("staff/login.html", form=form, problem=problem), status, headers


@bp.post("/logout")
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    end_sessions()  # every session of the account, copies of the cookie included
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.index"))


@bp.get("/")
@login_required
def home():
    return redirect(url_for("staff.shortlists"))


@bp.get("/shortlists")
@login_required
def shortlists():
    # the filter keeps staff records in sight however many anonymous saves arrive
    saved_by = request.args.get("saved_by") or "all"
    query = request.args.get("q") or ""
    words = search.search_words(query)
    select = saved_lists.saved_by_filter(saved_lists.newest(), saved_by)
    if words:
        if search.fill_search_text():  # rows saved before search existed, once
            db.session.commit()
        select = search.search_filter(select, words)
    page = paging.paginate(select, per_page=LIST_PAGE_SIZE)
    return render_template(
        "staff/shortlists.html", shortlists=page.items, page=page, saved_by=saved_by,
        query=query.strip(), page_url=paging.page_url, expires_at=saved_lists.expires_at,
        is_expired=saved_lists.is_expired,
    )


@bp.route("/shortlists/<shortlist_id>/rename", methods=["GET", "POST"])
@login_required
def rename_shortlist(shortlist_id: str):
    record = saved_lists.get_or_404(shortlist_id)
    form = RenameForm(name=record.name)
    if form.validate_on_submit():
        saved_lists.rename(record, form.name.data)
        db.session.commit()
        flash(_("The shortlist is now named “%(name)s”.", name=record.name), "success")
        return redirect(url_for("staff.shortlists"))
    if form.is_submitted():
        if form.csrf_token.errors:
            abort(400, description=_("the form expired or came from another site: open it again"))
        return render_template("staff/shortlist_rename.html", form=form, record=record), 422
    return render_template("staff/shortlist_rename.html", form=form, record=record)


@bp.route("/shortlists/<shortlist_id>/delete", methods=["GET", "POST"])
@login_required
def delete_shortlist(shortlist_id: str):
    record = saved_lists.get_or_404(shortlist_id)
    form = ActionForm()
    if request.method == "GET":
        return render_template("staff/shortlist_delete.html", form=form, record=record)
    if not form.validate_on_submit():
        abort(400, description=_("the form expired or came from another site: open it again"))
    name = record.name or _("untitled")
    db.session.delete(record)
    db.session.commit()
    flash(_("The shortlist “%(name)s” was deleted: its share link no longer opens.", name=name), "success")
    return redirect(url_for("staff.shortlists"))


#: the inquiry filter: ``?status=`` value -> condition (``all``: none)
INQUIRY_STATUSES = ("all", "unhandled", "handled")
#: the columns of the inquiries CSV
INQUIRY_CSV_COLUMNS = (
    "id", "received_at", "zone_id", "zone_name", "name", "email", "message",
    "status", "handled_at", "handled_by",
)


def _inquiries(status: str) -> Any:
    """Inquiries of ``status``, newest first (the id breaks ties); 400 for an unknown status."""
    if status not in INQUIRY_STATUSES:
        abort(400, description=_("?status=%(value)s is not a filter: use unhandled, handled or all",
                                 value=repr(status[:40])))
    select = db.select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    if status == "handled":
        return select.where(Inquiry.handled_at.is_not(None))
    if status == "unhandled":
        return select.where(Inquiry.handled_at.is_(None))
    return select


@bp.get("/inquiries")
@login_required
def inquiries():
    status = request.args.get("status") or "all"
    page = paging.paginate(_inquiries(status), per_page=LIST_PAGE_SIZE)
    return render_template(
        "staff/inquiries.html", inquiries=page.items, page=page, page_url=paging.page_url,
        status=status, action_form=ActionForm(),
    )


@bp.post("/inquiries/<int:inquiry_id>/status")
@login_required
def inquiry_status(inquiry_id: int):
    # an id past SQLite's 64-bit integers is no inquiry (and would overflow the driver)
    inquiry = db.session.get(Inquiry, inquiry_id) if inquiry_id < 2**63 else None
    if inquiry is None:
        abort(404, description=_("no inquiry with number %(id)s", id=inquiry_id))
    form = InquiryStatusForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400, description=_("the form expired or came from another site: open it again"))
        abort(400, description=_("handled must be yes or no"))
    if form.handled.data == "yes":
        if inquiry.handled_at is None:  # a second click keeps who handled it first
            inquiry.handled_at = now()
            inquiry.handled_by = current_user.email
        flash(_("Inquiry from %(name)s marked handled.", name=inquiry.name), "success")
    else:
        inquiry.handled_at = None
        inquiry.handled_by = None
        flash(_("Inquiry from %(name)s marked unhandled.", name=inquiry.name), "success")
    db.session.commit()
    return redirect(_safe_next(form.next.data, default="staff.inquiries"))


def inquiries_csv_text(rows: list[Inquiry]) -> str:
    """The CSV of ``rows``: one line each, columns :data:`INQUIRY_CSV_COLUMNS`; ids as numbers,
    times in ISO 8601, text that a spreadsheet would run as a formula prefixed with ``'``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(INQUIRY_CSV_COLUMNS)
    for row in rows:
        writer.writerow([
            row.id,
            row.created_at.isoformat(),
            *(defuse(v) for v in (row.zone_id, row.zone_name, row.name, row.email, row.message)),
            "handled" if row.handled_at is not None else "unhandled",
            row.handled_at.isoformat() if row.handled_at is not None else "",
            defuse(row.handled_by or ""),
        ])
    return out.getvalue()


@bp.get("/inquiries.csv")
@login_required
def inquiries_csv():
    status = request.args.get("status") or "all"
    rows = list(db.session.execute(_inquiries(status)).scalars())
    stem = f"inquiries-{status}-{now().date().isoformat()}"
    return Response(
        inquiries_csv_text(rows), content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
    )
