"""Staff pages: login and logout, saved shortlists, investor inquiries."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import login_required

from web import auth, paging
from web import shortlists as saved_lists
from web.auth import LoginLocked, authenticate, end_sessions, start_session
from web.extensions import db
from web.forms import ActionForm, LoginForm
from web.i18n import _
from web.models import Inquiry

bp = Blueprint("staff", __name__, url_prefix="/staff")

#: rows a page of a staff list shows (newest first; ``?page=`` turns the pages)
LIST_PAGE_SIZE = 50


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
    page = paging.paginate(
        saved_lists.saved_by_filter(saved_lists.newest(), saved_by), per_page=LIST_PAGE_SIZE
    )
    return render_template(
        "staff/shortlists.html", shortlists=page.items, page=page, saved_by=saved_by,
        page_url=paging.page_url, expires_at=saved_lists.expires_at, is_expired=saved_lists.is_expired,
    )


@bp.get("/inquiries")
@login_required
def inquiries():
    page = paging.paginate(
        db.select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc()), per_page=LIST_PAGE_SIZE
    )
    return render_template("staff/inquiries.html", inquiries=page.items, page=page, page_url=paging.page_url)
