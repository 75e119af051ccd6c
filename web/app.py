"""The application factory."""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, Response, g, request
from flask_compress import Compress
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from valleys.errors import TechValleyError
from web import errors, i18n
from web.extensions import babel, csrf, db, login_manager, make_limiter
from web.settings import TIMEZONE, from_env
from web.store import upgrade_schema


def _secret_key(instance: Path) -> str:
    """The key stored in the instance folder, generated (readable by the owner only) if absent."""
    path = instance / "secret_key"
    if not path.exists():
        tmp = instance / f"secret_key.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:  # a link fails if another process made the key first: then keep theirs
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # WAL lets readers work while one writer writes; the busy timeout makes a second writer
    # wait for the lock instead of failing with "database is locked".
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


#: pages holding an investor's requirements or staff data: never cached, never indexed
PRIVATE_PREFIXES = ("/s/", "/shortlists/", "/staff/", "/match", "/api/v1/shortlists")


def csp_nonce() -> str:
    """This request's Content-Security-Policy nonce (made on first use, new for every request).

    Templates call it as ``csp_nonce()`` for the ``nonce`` of each ``<script>`` they emit; the
    policy lets no other inline script run (nor any inline event handler).
    """
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def lang_url(code: str) -> str:
    """This page's URL in language ``code``: the same path and query string (a comparison, a
    filter, a page number are kept), with ``lang`` set."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=-._~")
    return f"{path}?{urlencode([*pairs, ('lang', code)])}"


def _security_headers(response: Response) -> Response:
    if request.path.startswith(PRIVATE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # scripts: our files, or inline with this response's nonce; styles stay 'unsafe-inline'
    # because Folium and Leaflet write style attributes
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src 'self' 'nonce-{csp_nonce()}'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    )
    return response


def create_app(config: dict[str, Any] | None = None, *, load_data: bool = True) -> Flask:
    """Create the techvalley web application.

    Parameters
    ----------
    config
        Settings overriding the environment (see :mod:`web.settings`) and any Flask setting
        (``TESTING``, ``WTF_CSRF_ENABLED``, ...).
    load_data
        Load the dataset (``TECHVALLEY_DATA``) and its zone features now. ``False`` makes an app
        for the store only (``techvalley create-staff``); its pages that show zones then fail.

    Returns
    -------
    flask.Flask
    """
    import matching.settings  # noqa: F401  (its settings are checked with the others)
    import valleys.settings

    # every bad setting of every package at once, from the environment or `config` alike
    valleys.settings.check(overrides=config)
    settings = {**(config or {}), **from_env(overrides=config)}
    instance = settings.get("TECHVALLEY_INSTANCE")
    app = Flask("web", instance_path=str(Path(instance).resolve()) if instance else None)
    app.config.update(settings)
    instance_dir = Path(app.instance_path)
    instance_dir.mkdir(parents=True, exist_ok=True)

    app.config["SECRET_KEY"] = app.config.get("TECHVALLEY_SECRET_KEY") or app.config.get(
        "SECRET_KEY"
    ) or _secret_key(instance_dir)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["TECHVALLEY_MAX_BODY_BYTES"])
    app.config["MAX_FORM_MEMORY_SIZE"] = int(app.config["TECHVALLEY_MAX_BODY_BYTES"])
    database_url = app.config.get("TECHVALLEY_DATABASE_URL") or (
        f"sqlite:///{instance_dir / 'techvalley.sqlite3'}"
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    if database_url.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    app.config["RATELIMIT_ENABLED"] = bool(app.config["TECHVALLEY_RATELIMIT_ENABLED"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["TECHVALLEY_COOKIE_SECURE"])
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["WTF_CSRF_TIME_LIMIT"] = app.config.get("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    app.config["BABEL_DEFAULT_TIMEZONE"] = TIMEZONE
    # the catalogue the engine shares (matching/locale, domain techvalley), compiled for Flask-Babel
    app.config["BABEL_DOMAIN"] = i18n.DOMAIN
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(
        i18n.compile_translations(instance_dir / "translations")
    )

    if int(app.config["TECHVALLEY_TRUSTED_PROXIES"]) > 0:
        hops = int(app.config["TECHVALLEY_TRUSTED_PROXIES"])
        # Flask's documented way to wrap its WSGI callable (typed there as a method)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    try:
        db.init_app(app)  # makes the engine: a malformed URL fails here
    except (SQLAlchemyError, ValueError) as exc:
        raise TechValleyError(
            f"TECHVALLEY_DATABASE_URL {database_url!r} is not a database URL this installation "
            f"can use ({exc}); give e.g. sqlite:////path/to/techvalley.sqlite3 or "
            "postgresql://user:password@host/dbname"
        ) from None
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    errors.init_app(app)

    from web import assets, auth
    from web.api import bp as api_bp
    from web.inventory import bp as inventory_bp
    from web.match import bp as match_bp
    from web.pipeline import bp as pipeline_bp
    from web.planning import bp as planning_bp
    from web.public import bp as public_bp
    from web.staff import bp as staff_bp

    auth.init_app(app)
    for blueprint in (public_bp, match_bp, staff_bp, inventory_bp, planning_bp, pipeline_bp,
                      api_bp, assets.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)
    make_limiter(app)
    app.after_request(_security_headers)
    # brotli or gzip when the client accepts it (pages, JSON, CSS, JS, SVG); PDF/XLSX stay as they are
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])  # files (assets) stream
    app.config.setdefault("COMPRESS_BR_LEVEL", 6)  # the home page: 6 beats gzip's size, in ~80 ms
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/csv", "application/javascript",
        "text/javascript", "application/json", "application/geo+json", "image/svg+xml",
    ])
    Compress(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["lang_url"] = lang_url

    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)
        added = upgrade_schema(db.engine, db.metadata)
        if added:
            app.logger.warning("store upgraded: added %s", ", ".join(added))

    if load_data:
        from web.data import load_app_data

        app.extensions["techvalley_data"] = load_app_data(app.config.get("TECHVALLEY_DATA"), past_investors=app.config.get("TECHVALLEY_PAST_INVESTORS"))
    return app
