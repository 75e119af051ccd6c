"""The Flask extensions, created unbound here and bound to an app in :func:`web.create_app`.

The rate limiter is made per app (:func:`make_limiter`) so that two apps in one process (tests)
keep separate counters and settings.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# objects stay readable after commit (the API answers from the record it just stored)
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()

#: endpoint -> the setting holding its rate limit (per client IP)
RATE_LIMITED_ENDPOINTS: dict[str, str] = {
    "api.create_shortlist": "TECHVALLEY_RATELIMIT_API",
    "match.match": "TECHVALLEY_RATELIMIT_API",
    "match.export_unsaved": "TECHVALLEY_RATELIMIT_API",
    "match.save": "TECHVALLEY_RATELIMIT_FORMS",
    "public.inquiry": "TECHVALLEY_RATELIMIT_FORMS",
    "staff.login": "TECHVALLEY_RATELIMIT_LOGIN",
}


def client_ip() -> str:
    """The client's IP address (behind proxies, ``ProxyFix`` has already rewritten it)."""
    return request.remote_addr or "unknown"


def make_limiter(app: Flask) -> Limiter:
    """Bind a fresh in-memory rate limiter to ``app`` and wrap its rate-limited endpoints.

    Only state-changing or costly requests are limited (``POST`` of the endpoints in
    :data:`RATE_LIMITED_ENDPOINTS`); pages and reads are not.
    """
    limiter = Limiter(
        client_ip,
        app=app,
        storage_uri="memory://",
        strategy="fixed-window",
        enabled=bool(app.config["TECHVALLEY_RATELIMIT_ENABLED"]),
    )
    for endpoint, setting in RATE_LIMITED_ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        limit = limiter.limit(lambda setting=setting: app.config[setting], methods=["POST"])
        app.view_functions[endpoint] = limit(view)
    app.extensions["techvalley_limiter"] = limiter
    return limiter
