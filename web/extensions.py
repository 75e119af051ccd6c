"""The Flask extensions, created unbound here and bound to an app in :func:`web.create_app`.

The rate limiter is made per app (:func:`make_limiter`); its counters live in the app's instance
folder (``ratelimits.sqlite3``, :mod:`web.ratelimit_store`), so the processes of
``techvalley serve --workers N`` share them and two apps with their own instance folders
(tests) keep separate ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue
from flask_babel import Babel
from flask_limiter import Limiter, RequestLimit
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# objects stay readable after commit (the API answers from the record it just stored)
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
if TYPE_CHECKING:
    # db.Model is made at run time from Base, which a type checker cannot follow: read it as Base
    Model = Base
else:
    Model = db.Model
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()

#: endpoint -> the setting holding its rate limit (per client IP)
RATE_LIMITED_ENDPOINTS: dict[str, str] = {
    "api.create_shortlist": "TECHVALLEY_RATELIMIT_API",
    "api.rank": "TECHVALLEY_RATELIMIT_API",
    "match.match": "TECHVALLEY_RATELIMIT_API",
    "match.export_unsaved": "TECHVALLEY_RATELIMIT_API",
    "match.reweight": "TECHVALLEY_RATELIMIT_API",
    "match.reshow": "TECHVALLEY_RATELIMIT_API",
    "match.save": "TECHVALLEY_RATELIMIT_FORMS",
    "public.inquiry": "TECHVALLEY_RATELIMIT_FORMS",
    "staff.login": "TECHVALLEY_RATELIMIT_LOGIN",
}


def client_ip() -> str:
    """The client's IP address (behind proxies, ``ProxyFix`` has already rewritten it)."""
    return request.remote_addr or "unknown"


def _retry_after(limit: RequestLimit) -> Response:
    """The headers of a 429: ``Retry-After``, whole seconds until the window ends (at least 1).

    :func:`web.errors._http_error` renders the answer and copies this header onto it.
    """
    seconds = max(1, int(limit.reset_at - time.time()))  # reset_at is rounded up already
    return Response(status=429, headers={"Retry-After": str(seconds)})


def _setting(app: Flask, name: str) -> Callable[[], str]:
    """The current value of setting ``name`` (read per request, so tests can change it)."""
    return lambda: str(app.config[name])


def make_limiter(app: Flask) -> Limiter:
    """Bind a fresh rate limiter to ``app`` and wrap its rate-limited endpoints.

    Only state-changing or costly requests are limited (``POST`` of the endpoints in
    :data:`RATE_LIMITED_ENDPOINTS`); pages and reads are not. The counters are kept in
    ``<instance>/ratelimits.sqlite3``, shared by every process serving that instance (about
    0.07 ms a request); every 429 carries ``Retry-After``.
    """
    from web.ratelimit_store import storage_uri

    limiter = Limiter(
        client_ip,
        app=app,
        storage_uri=storage_uri(Path(app.instance_path) / "ratelimits.sqlite3"),
        strategy="fixed-window",
        enabled=bool(app.config["TECHVALLEY_RATELIMIT_ENABLED"]),
        on_breach=_retry_after,
    )
    for endpoint, setting in RATE_LIMITED_ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        limit = limiter.limit(_setting(app, setting), methods=["POST"])
        # Flask types a view as sync or async; ours are sync, and the limiter keeps the type
        app.view_functions[endpoint] = limit(cast(Callable[..., ResponseReturnValue], view))
    app.extensions["techvalley_limiter"] = limiter
    return limiter
