"""Settings of the web application, in one documented module.

Each setting can be overridden by the environment variable named beside it; a ``config`` dict
given to :func:`web.create_app` overrides both (tests use it).

- ``TECHVALLEY_DATA``: the dataset the app serves (a GeoPackage or a folder); default the shipped
  Morocco dataset. The app loads it and its per-zone features once, at startup.
- ``TECHVALLEY_INSTANCE``: the folder holding the SQLite store, the generated secret key and the
  compiled translations; default Flask's instance folder.
- ``TECHVALLEY_DATABASE_URL``: an SQLAlchemy database URL; default
  ``sqlite:///<instance>/techvalley.sqlite3`` (WAL mode, busy timeout). PostgreSQL works too
  (``postgresql+psycopg://user:pass@host/db``, with the driver installed).
- ``TECHVALLEY_SECRET_KEY``: the session signing key; default a random key generated once and
  stored in ``<instance>/secret_key``.
- ``TECHVALLEY_MAX_BODY_BYTES`` (default 262144): request bodies above it are answered 413.
- ``TECHVALLEY_RATELIMIT_ENABLED`` (default ``1``): ``0`` turns every rate limit off.
- ``TECHVALLEY_RATELIMIT_API`` (default ``120 per minute``): per client IP, for computing a
  shortlist through the API (``POST /api/v1/shortlists``) or the match form.
- ``TECHVALLEY_RATELIMIT_FORMS`` (default ``30 per minute``): per client IP, for the
  inquiry form and saving a shortlist.
- ``TECHVALLEY_RATELIMIT_LOGIN`` (default ``20 per minute``): per client IP, for the login form.
- ``TECHVALLEY_LOGIN_MAX_FAILURES`` (default 5) and ``TECHVALLEY_LOGIN_LOCK_MINUTES``
  (default 15): after that many failed logins for one account, or from one IP address, within
  the lock period, logins for it are refused until the period has passed.
- ``TECHVALLEY_SESSION_HOURS`` (default 12): a staff login lasts at most this long from the
  moment of logging in (then the login page again); it also bounds the signed session cookie
  (``PERMANENT_SESSION_LIFETIME``).
- ``TECHVALLEY_API_ROBUSTNESS_DRAWS`` (default 200, read from
  ``matching.settings.DEFAULT_API_ROBUSTNESS_DRAWS``): robustness draws used by the API and the
  match form when a requirement does not ask for a number; 200 keeps the API's p95 latency
  under 200 ms with 16 concurrent clients on two cores (see ``benchmarks/bench_api.py``).
- ``TECHVALLEY_API_MAX_DRAWS`` (default 2000): the most draws a requirement may ask for through
  the web; more is refused with 422.
- ``TECHVALLEY_TRUSTED_PROXIES`` (default 0): the number of reverse proxies in front of the app
  whose ``X-Forwarded-For`` is trusted for the client IP (rate limits, login locks).
- ``TECHVALLEY_COOKIE_SECURE`` (default 0): ``1`` marks the session cookie ``Secure`` (sent
  over HTTPS only): set it when the site is served over HTTPS.
- ``TECHVALLEY_SERVE_THREADS`` (default 8): waitress worker threads for ``techvalley serve``.
- ``TECHVALLEY_SERVE_WORKERS`` (default 1): worker processes ``techvalley serve`` starts under
  a supervisor, sharing its listening socket (:mod:`web.serve`); about one per core.
- ``TECHVALLEY_PAST_INVESTORS`` (default none): a YAML file of past investors (a list of
  requirements documents, each with ``chosen: <zone id>``; the format of
  ``geodata/examples/PAST_INVESTORS.yaml``) for "Investors like you" on the match result page
  and the API's ``similar_investors``. Read and checked once, at startup: a bad file stops the
  start with a message naming it. Past investors' names are shown to staff only. Unset: the
  section is hidden.
- ``TECHVALLEY_PUBLIC_URL`` (default none): the site's address as its users reach it, e.g.
  ``https://techvalley.invest.ma`` (``http(s)://host[:port][/prefix]``, checked at start). Share
  links and the OpenAPI document's server are built from it; unset, share links are built from
  the request's ``Host`` header and the OpenAPI server is relative (``/``). Set it in
  production, so that a forged ``Host`` header cannot put another site in a share link.
- ``TECHVALLEY_ANON_SAVES_PER_DAY`` (default 200): shortlists one client (IP address) may save
  through the API without staff credentials in 24 hours; more is answered 429 with
  ``Retry-After``. 0: anonymous callers cannot save (``POST /api/v1/rank`` still computes).
- ``TECHVALLEY_ANON_MAX_BYTES`` (default 16384): the largest requirements document (compact
  UTF-8 JSON, ``about`` included) an anonymous save stores; a larger one is answered 413.
- ``TECHVALLEY_ANON_RETENTION_DAYS`` (default 30): anonymous saved shortlists expire this many
  days after they were saved, unless staff keep them (then 410, like a revoked one; expired rows
  are deleted on later saves). Shortlists saved by staff never expire. 0: none expire.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from matching import settings as matching_settings
from valleys.errors import TechValleyError

TIMEZONE: str = "Africa/Casablanca"
LANGUAGES: tuple[str, ...] = ("en", "fr")

DEFAULTS: dict[str, Any] = {
    "TECHVALLEY_DATA": None,
    "TECHVALLEY_INSTANCE": None,
    "TECHVALLEY_DATABASE_URL": None,
    "TECHVALLEY_SECRET_KEY": None,
    "TECHVALLEY_MAX_BODY_BYTES": 256 * 1024,
    "TECHVALLEY_RATELIMIT_ENABLED": True,
    "TECHVALLEY_RATELIMIT_API": "120 per minute",
    "TECHVALLEY_RATELIMIT_FORMS": "30 per minute",
    "TECHVALLEY_RATELIMIT_LOGIN": "20 per minute",
    "TECHVALLEY_LOGIN_MAX_FAILURES": 5,
    "TECHVALLEY_LOGIN_LOCK_MINUTES": 15,
    "TECHVALLEY_SESSION_HOURS": 12,
    "TECHVALLEY_API_ROBUSTNESS_DRAWS": matching_settings.DEFAULT_API_ROBUSTNESS_DRAWS,
    "TECHVALLEY_API_MAX_DRAWS": 2000,
    "TECHVALLEY_TRUSTED_PROXIES": 0,
    "TECHVALLEY_COOKIE_SECURE": False,
    "TECHVALLEY_SERVE_THREADS": 8,
    "TECHVALLEY_SERVE_WORKERS": 1,
    "TECHVALLEY_PAST_INVESTORS": None,
    "TECHVALLEY_PUBLIC_URL": None,
    "TECHVALLEY_ANON_SAVES_PER_DAY": 200,
    "TECHVALLEY_ANON_MAX_BYTES": 16 * 1024,
    "TECHVALLEY_ANON_RETENTION_DAYS": 30,
}

_INTS = {
    "TECHVALLEY_MAX_BODY_BYTES",
    "TECHVALLEY_LOGIN_MAX_FAILURES",
    "TECHVALLEY_LOGIN_LOCK_MINUTES",
    "TECHVALLEY_SESSION_HOURS",
    "TECHVALLEY_API_ROBUSTNESS_DRAWS",
    "TECHVALLEY_API_MAX_DRAWS",
    "TECHVALLEY_TRUSTED_PROXIES",
    "TECHVALLEY_SERVE_THREADS",
    "TECHVALLEY_SERVE_WORKERS",
    "TECHVALLEY_ANON_SAVES_PER_DAY",
    "TECHVALLEY_ANON_MAX_BYTES",
    "TECHVALLEY_ANON_RETENTION_DAYS",
}
_BOOLS = {"TECHVALLEY_RATELIMIT_ENABLED", "TECHVALLEY_COOKIE_SECURE"}


class SettingsError(TechValleyError):
    """An environment variable holds a value of the wrong kind."""


def _coerce(name: str, raw: str) -> Any:
    if name in _INTS:
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(
                f"environment variable {name}={raw!r} is not a whole number; set it to e.g. "
                f"{DEFAULTS[name]}"
            ) from None
    if name in _BOOLS:
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"environment variable {name}={raw!r} is not 0/1 (or true/false)")
    return raw


def public_url(value: Any) -> str | None:
    """``TECHVALLEY_PUBLIC_URL`` checked: ``None`` when unset, else the URL without a final ``/``.

    Raises :class:`SettingsError` for anything but ``http(s)://host[:port][/prefix]``.

    Examples
    --------
    >>> public_url("https://techvalley.invest.ma/")
    'https://techvalley.invest.ma'
    >>> public_url("") is None
    True
    >>> public_url("techvalley.invest.ma")
    Traceback (most recent call last):
    ...
    web.settings.SettingsError: TECHVALLEY_PUBLIC_URL 'techvalley.invest.ma' is not the site's address: write it as https://host[:port][/prefix], e.g. https://techvalley.invest.ma
    """
    if value in (None, ""):
        return None
    parts = urlsplit(str(value))
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        raise SettingsError(
            f"TECHVALLEY_PUBLIC_URL {value!r} is not the site's address: write it as "
            "https://host[:port][/prefix], e.g. https://techvalley.invest.ma"
        )
    return str(value).rstrip("/")


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings: the defaults, overridden by the environment.

    Examples
    --------
    >>> from_env({"TECHVALLEY_MAX_BODY_BYTES": "1024"})["TECHVALLEY_MAX_BODY_BYTES"]
    1024
    >>> from_env({})["TECHVALLEY_RATELIMIT_API"]
    '120 per minute'
    """
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for name in DEFAULTS:
        raw = environ.get(name)
        if raw not in (None, ""):
            settings[name] = _coerce(name, raw)
    return settings
