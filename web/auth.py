"""Staff authentication: the login manager, failed-login locks, HTTP Basic for the API.

Failed logins are counted per account (``email:<address>``) and per client IP (``ip:<address>``)
in the store; after ``TECHVALLEY_LOGIN_MAX_FAILURES`` failures within
``TECHVALLEY_LOGIN_LOCK_MINUTES``, logins for that account or from that address are refused until
the lock ends, even with the right password.

Sessions end: the id a login session carries is ``"<staff id>:<session version>"``
(:meth:`web.models.Staff.get_id`), and logging out or setting a new password raises the version,
so every earlier session of the account (a copied cookie too) is refused; a login also lasts at
most ``TECHVALLEY_SESSION_HOURS`` from the moment of logging in. An unknown email costs the same
password check as a known one (:func:`authenticate`), so the answer's timing does not tell which
emails are staff accounts.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from valleys.errors import TechValleyError
from web.errors import error_response, wants_json
from web.extensions import client_ip, db, login_manager
from web.i18n import _, _l
from web.models import LoginFailure, Staff, now

#: the session key holding when the staff member logged in (seconds since the epoch)
LOGIN_AT_KEY = "staff_login_at"
_SESSION_ID = re.compile(r"(\d+):(\d+)", re.ASCII)


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively, without surrounding spaces.

    >>> normalise_email("  Ana@Example.MA ")
    'ana@example.ma'
    """
    return email.strip().lower()


def _keys(email: str, ip: str) -> list[str]:
    return [f"email:{normalise_email(email)}", f"ip:{ip}"]


def locked_until(email: str, ip: str, *, at: datetime | None = None) -> datetime | None:
    """The end of the lock on this account or address, or ``None`` when logins are allowed."""
    at = at or now()
    ends = [
        row.locked_until
        for key in _keys(email, ip)
        if (row := db.session.get(LoginFailure, key)) is not None
        and row.locked_until is not None
        and row.locked_until > at
    ]
    return max(ends) if ends else None


def record_failure(email: str, ip: str, *, at: datetime | None = None) -> None:
    """Count a failed login for the account and the address; lock them at the threshold."""
    at = at or now()
    window = timedelta(minutes=int(current_app.config["TECHVALLEY_LOGIN_LOCK_MINUTES"]))
    max_failures = int(current_app.config["TECHVALLEY_LOGIN_MAX_FAILURES"])
    for key in _keys(email, ip):
        row = db.session.get(LoginFailure, key)
        if row is None:
            row = LoginFailure(key=key, count=0, first_at=at)
            db.session.add(row)
        elif at - row.first_at > window:
            row.count, row.first_at, row.locked_until = 0, at, None
        row.count += 1
        if row.count >= max_failures:
            row.locked_until = at + window
    db.session.commit()


def clear_failures(email: str) -> None:
    """Forget the failures of an account after it logged in."""
    row = db.session.get(LoginFailure, _keys(email, "")[0])
    if row is not None:
        db.session.delete(row)
        db.session.commit()


class LoginLocked(Exception):
    """Logins for this account or address are locked until :attr:`until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(str(until))
        self.until = until


@cache
def _dummy_hash() -> str:
    # made once per process, with the parameters of real hashes (scrypt, werkzeug's defaults)
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def authenticate(email: str, password: str) -> Staff | None:
    """The staff member with these credentials, or ``None``; raises :class:`LoginLocked`.

    Every failure is counted; a locked account or address is refused before the password is
    even checked. An unknown email is checked against a dummy hash, so it costs the same one
    scrypt check as a wrong password (the login form and HTTP Basic both come here).
    """
    ip = client_ip()
    until = locked_until(email, ip)
    if until is not None:
        raise LoginLocked(until)
    staff = db.session.execute(
        db.select(Staff).filter_by(email=normalise_email(email))
    ).scalar_one_or_none()
    password_hash = staff.password_hash if staff is not None else _dummy_hash()
    if not check_password_hash(password_hash, password) or staff is None:
        record_failure(email, ip)
        return None
    clear_failures(email)
    return staff


def start_session(staff: Staff) -> None:
    """Log ``staff`` in to this browser session, noting when (the login's lifetime counts from it)."""
    login_user(staff)
    session[LOGIN_AT_KEY] = now().timestamp()


def end_sessions() -> None:
    """Log out: end every session of the logged-in account, this one and any copy of it."""
    if current_user.is_authenticated:
        staff = current_user._get_current_object()
        staff.end_sessions()
        db.session.commit()
    logout_user()
    session.pop(LOGIN_AT_KEY, None)


def create_staff(email: str, password: str) -> Staff:
    """Create a staff account, or set the password of an existing one."""
    from email_validator import EmailNotValidError, validate_email

    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise TechValleyError(
            f"{email!r} is not an email address ({exc}): give the staff member's email"
        ) from None
    if len(password) < 8:
        raise TechValleyError("the password is shorter than 8 characters: choose a longer one")
    staff = db.session.execute(db.select(Staff).filter_by(email=email)).scalar_one_or_none()
    if staff is None:
        staff = Staff(email=email)
        db.session.add(staff)
    staff.set_password(password)  # also ends the account's sessions
    db.session.commit()
    return staff


def _session_hours() -> int:
    return int(current_app.config["TECHVALLEY_SESSION_HOURS"])


@login_manager.user_loader
def _load_user(user_id: str) -> Staff | None:
    # Refused: an id without a version (a session of the store before versions), a version the
    # account has moved past (logout, new password), a login older than the session lifetime
    # (checked here, not only by the cookie's signature age, which any session write renews).
    # There is no "remember me" cookie: without a login time in the session, this refuses it.
    match = _SESSION_ID.fullmatch(user_id or "")
    login_at = session.get(LOGIN_AT_KEY)
    if match is None or not isinstance(login_at, int | float):
        return None
    if now().timestamp() - login_at > _session_hours() * 3600:
        return None
    staff = db.session.get(Staff, int(match.group(1)))
    if staff is None or (staff.session_version or 0) != int(match.group(2)):
        return None
    return staff


@login_manager.request_loader
def _load_user_from_request(req) -> Staff | None:
    # HTTP Basic, for API clients only (browsers use the session cookie of the login form).
    if not req.path.startswith("/api/") or req.authorization is None:
        return None
    auth = req.authorization
    if auth.type != "basic" or not auth.username or auth.password is None:
        return None
    try:
        return authenticate(auth.username, auth.password)
    except LoginLocked:
        return None


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        return error_response(
            401,
            _("Staff only: send the credentials of a staff account (HTTP Basic)."),
            WWW_Authenticate='Basic realm="techvalley staff"',
        )
    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    hours = app.config["TECHVALLEY_SESSION_HOURS"]  # a whole number >= 1 (web.settings)
    # the signed session cookie is refused once older than this (Flask's default: 31 days)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(hours=hours)
    login_manager.login_view = "staff.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "strong"
    _dummy_hash()  # now, so that the first unknown email costs no more than the others


__all__ = [
    "authenticate", "create_staff", "end_sessions", "login_user", "LoginLocked", "start_session",
]
