"""Staff pages: login and logout, saved shortlists, investor inquiries."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import login_required, login_user, logout_user

from web.auth import LoginLocked, authenticate
from web.extensions import db
from web.forms import ActionForm, LoginForm
from web.i18n import _
from web.models import Inquiry, Shortlist

bp = Blueprint("staff", __name__, url_prefix="/staff")

#: rows a staff list shows (newest first)
LIST_LIMIT = 500


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host) may be the page to go to after login."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("staff.shortlists")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    problem = None
    status = 200
    if form.validate_on_submit():
        try:
            staff = authenticate(form.email.data, form.password.data)
        except LoginLocked as locked:
            problem = _(
                "Too many failed logins for this account or from this address: try again after %(when)s.",
                when=format_datetime(locked.until, "short"),
            )
            status = 429
        else:
            if staff is not None:
                login_user(staff)
                return redirect(_safe_next(request.args.get("next")))
            problem = _("Wrong email or password.")
            status = 401
    elif form.is_submitted():
        status = 422
    return render_template("staff/login.html", form=form, problem=problem), status


@bp.post("/logout")
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.index"))


@bp.get("/")
@login_required
def home():
    return redirect(url_for("staff.shortlists"))


@bp.get("/shortlists")
@login_required
def shortlists():
    rows = db.session.execute(
        db.select(Shortlist).order_by(Shortlist.created_at.desc()).limit(LIST_LIMIT)
    ).scalars().all()
    return render_template("staff/shortlists.html", shortlists=rows)


@bp.get("/inquiries")
@login_required
def inquiries():
    rows = db.session.execute(
        db.select(Inquiry).order_by(Inquiry.created_at.desc()).limit(LIST_LIMIT)
    ).scalars().all()
    return render_template("staff/inquiries.html", inquiries=rows)
