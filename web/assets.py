"""Map assets served by the app itself: no CDN, so the maps work with no internet.

Third-party files come from installed XStatic packages (``xstatic-leaflet``); our own small
controls (search, fullscreen, legend, indicator switch) are in ``web/static/maps/``. Every URL
carries a version (the package version, or a hash of our file), so responses can be cached for
a year.

URLs (the blueprint's ``url_prefix`` is ``/assets``):

- ``/assets/xstatic/<package>/<version>/<path>``: a file of an allowed XStatic package;
- ``/assets/maps/<hash>/<path>``: a file of ``web/static/maps/``.

Use :func:`url` to build them, and :func:`map_js` / :func:`map_css` for the list a map needs.

>>> url("xstatic/leaflet/leaflet.js")  # doctest: +ELLIPSIS
'/assets/xstatic/leaflet/1.9.3/leaflet.js'
"""

from __future__ import annotations

import functools
import hashlib
import importlib
from pathlib import Path

from flask import Blueprint, abort, current_app, has_request_context, send_from_directory

#: Seconds a versioned asset may be cached (one year: its URL changes with its content).
CACHE_SECONDS = 365 * 24 * 3600

#: XStatic packages whose files we serve, by their short name (``xstatic.pkg.<name>``).
XSTATIC_PACKAGES = ("leaflet",)

#: Our own map code.
OWN_DIR = Path(__file__).parent / "static" / "maps"

bp = Blueprint("assets", __name__, url_prefix="/assets")


@functools.cache
def _xstatic(name: str):
    """The ``xstatic.pkg.<name>`` module, or ``None`` when it is not an allowed package."""
    if name not in XSTATIC_PACKAGES:
        return None
    return importlib.import_module(f"xstatic.pkg.{name}")


@functools.cache
def _own_version(path: str) -> str:
    """A short hash of one of our files (so its URL changes when it changes)."""
    return hashlib.sha256((OWN_DIR / path).read_bytes()).hexdigest()[:12]


def _prefix() -> str:
    # Mounted under a script root (e.g. behind a proxy at /techvalley): follow it.
    if has_request_context():
        from flask import request

        return request.script_root + (bp.url_prefix or "")
    return bp.url_prefix or ""


def url(path: str) -> str:
    """The versioned URL of an asset.

    Parameters
    ----------
    path
        ``xstatic/<package>/<file>`` for a file of an XStatic package, or ``maps/<file>`` for
        one of ours.

    Raises
    ------
    KeyError
        When the package or file is unknown (a programming error, not a user error).
    """
    kind, _, rest = path.partition("/")
    if kind == "xstatic":
        name, _, filename = rest.partition("/")
        module = _xstatic(name)
        if module is None or not (Path(module.BASE_DIR) / filename).is_file():
            raise KeyError(f"no asset {path!r}: not a file of an allowed XStatic package")
        return f"{_prefix()}/xstatic/{name}/{module.VERSION}/{filename}"
    if kind == "maps":
        if not (OWN_DIR / rest).is_file():
            raise KeyError(f"no asset {path!r} in {OWN_DIR}")
        return f"{_prefix()}/maps/{_own_version(rest)}/{rest}"
    raise KeyError(f"no asset {path!r}: it must start with 'xstatic/' or 'maps/'")


def map_js() -> list[tuple[str, str]]:
    """(name, URL) of every script a map page needs, in load order."""
    return [
        ("leaflet", url("xstatic/leaflet/leaflet.js")),
        ("techvalley_map_js", url("maps/techvalley-map.js")),
    ]


def map_css() -> list[tuple[str, str]]:
    """(name, URL) of every stylesheet a map page needs."""
    return [
        ("leaflet_css", url("xstatic/leaflet/leaflet.css")),
        ("techvalley_map_css", url("maps/techvalley-map.css")),
    ]


def _send(directory: str | Path, filename: str):
    response = send_from_directory(directory, filename, max_age=CACHE_SECONDS)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/xstatic/<name>/<version>/<path:filename>")
def xstatic_file(name: str, version: str, filename: str):
    """A file of an allowed XStatic package (404 for any other package or a wrong version)."""
    module = _xstatic(name)
    if module is None or version != module.VERSION:
        abort(404)
    return _send(module.BASE_DIR, filename)


@bp.get("/maps/<version>/<path:filename>")
def own_file(version: str, filename: str):
    """One of our own map files; an old version is served as the current one, not cached."""
    response = _send(OWN_DIR, filename)
    try:
        current = _own_version(filename)
    except OSError:  # pragma: no cover - send_from_directory already answered 404
        abort(404)
    if version != current:
        response.cache_control.max_age = 0
        response.cache_control.immutable = False
        current_app.logger.debug("stale map asset version %s for %s", version, filename)
    return response
