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
- ``TECHVALLEY_SERVE_WORKERS`` (default 1): processes ``techvalley serve`` starts, sharing the
  port (``SO_REUSEPORT``); about one per core.
- ``TECHVALLEY_PAST_INVESTORS`` (default none): a YAML file of past investors (a list of
  requirements documents, each with ``chosen: <zone id>``; the format of
  ``geodata/examples/PAST_INVESTORS.yaml``) for "Investors like you" on the match result page
  and the API's ``similar_investors``. Read and checked once, at startup: a bad file stops the
  start with a message naming it. Past investors' names are shown to staff only. Unset: the
  section is hidden.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

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
    "TECHVALLEY_API_ROBUSTNESS_DRAWS": matching_settings.DEFAULT_API_ROBUSTNESS_DRAWS,
    "TECHVALLEY_API_MAX_DRAWS": 2000,
    "TECHVALLEY_TRUSTED_PROXIES": 0,
    "TECHVALLEY_COOKIE_SECURE": False,
    "TECHVALLEY_SERVE_THREADS": 8,
    "TECHVALLEY_SERVE_WORKERS": 1,
    "TECHVALLEY_PAST_INVESTORS": None,
}

_INTS = {
    "TECHVALLEY_MAX_BODY_BYTES",
    "TECHVALLEY_LOGIN_MAX_FAILURES",
    "TECHVALLEY_LOGIN_LOCK_MINUTES",
    "TECHVALLEY_API_ROBUSTNESS_DRAWS",
    "TECHVALLEY_API_MAX_DRAWS",
    "TECHVALLEY_TRUSTED_PROXIES",
    "TECHVALLEY_SERVE_THREADS",
    "TECHVALLEY_SERVE_WORKERS",
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
