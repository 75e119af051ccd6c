"""Settings of the web application, in one documented module.

Each setting can be overridden by the environment variable named beside it; a ``config`` dict
given to :func:`web.create_app` overrides both (tests use it). They are the fields of
:class:`WebSettings` (the mechanism of :mod:`valleys.settings`): ``create_app`` refuses to start
with one :class:`SettingsError` naming every bad setting of every package, from the environment
or the ``config`` dict alike.

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
- ``TECHVALLEY_AGENCY_NAME`` (default "the investment team") and ``TECHVALLEY_AGENCY_CONTACT``
  (default none; an e-mail address, a telephone number or both, as text): who the investor-facing
  share page (``/s/<token>``) says the shortlist comes from, and how to reach them.
- ``TECHVALLEY_ANON_RETENTION_DAYS`` (default 30): anonymous saved shortlists expire this many
  days after they were saved, unless staff keep them (then 410, like a revoked one; expired rows
  are deleted on later saves). Shortlists saved by staff never expire. 0: none expire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.json_schema import JsonDict

from matching.settings import DEFAULT_API_ROBUSTNESS_DRAWS
from valleys.settings import PathText, Settings, SettingsError, WholeNumber, read

__all__ = ["DEFAULTS", "LANGUAGES", "SettingsError", "TIMEZONE", "WebSettings", "from_env",
           "public_url"]

TIMEZONE: str = "Africa/Casablanca"
LANGUAGES: tuple[str, ...] = ("en", "fr")


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
    valleys.settings.SettingsError: TECHVALLEY_PUBLIC_URL 'techvalley.invest.ma' is not the site's address: write it as https://host[:port][/prefix], e.g. https://techvalley.invest.ma
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


def _rate_limit(value: str) -> str:
    from limits import parse_many  # Flask-Limiter would ignore a string it cannot parse

    parse_many(value)
    return value


RateLimit = Annotated[str, AfterValidator(_rate_limit), Field(
    json_schema_extra={"expected": "a rate limit, e.g. '120 per minute' or '10/second; 1000/hour'"}
)]
PublicUrl = Annotated[str | None, BeforeValidator(public_url)]
_URL: JsonDict = {"expected": "the site's address, written https://host[:port][/prefix], e.g. "
                    "https://techvalley.invest.ma"}


class WebSettings(Settings):
    """The web application's environment variables (documented in the module's docstring)."""

    data: PathText | None = Field(None, alias="TECHVALLEY_DATA")
    instance: PathText | None = Field(None, alias="TECHVALLEY_INSTANCE")
    database_url: str | None = Field(None, alias="TECHVALLEY_DATABASE_URL")
    secret_key: str | None = Field(None, alias="TECHVALLEY_SECRET_KEY")
    max_body_bytes: WholeNumber = Field(256 * 1024, alias="TECHVALLEY_MAX_BODY_BYTES", ge=1)
    ratelimit_enabled: bool = Field(True, alias="TECHVALLEY_RATELIMIT_ENABLED")
    ratelimit_api: RateLimit = Field("120 per minute", alias="TECHVALLEY_RATELIMIT_API")
    ratelimit_forms: RateLimit = Field("30 per minute", alias="TECHVALLEY_RATELIMIT_FORMS")
    ratelimit_login: RateLimit = Field("20 per minute", alias="TECHVALLEY_RATELIMIT_LOGIN")
    login_max_failures: WholeNumber = Field(5, alias="TECHVALLEY_LOGIN_MAX_FAILURES", ge=0)
    login_lock_minutes: WholeNumber = Field(15, alias="TECHVALLEY_LOGIN_LOCK_MINUTES", ge=0)
    session_hours: WholeNumber = Field(12, alias="TECHVALLEY_SESSION_HOURS", ge=1)
    api_robustness_draws: WholeNumber = Field(
        DEFAULT_API_ROBUSTNESS_DRAWS, alias="TECHVALLEY_API_ROBUSTNESS_DRAWS", ge=0
    )
    api_max_draws: WholeNumber = Field(2000, alias="TECHVALLEY_API_MAX_DRAWS", ge=0)
    trusted_proxies: WholeNumber = Field(0, alias="TECHVALLEY_TRUSTED_PROXIES", ge=0)
    cookie_secure: bool = Field(False, alias="TECHVALLEY_COOKIE_SECURE")
    serve_threads: WholeNumber = Field(8, alias="TECHVALLEY_SERVE_THREADS", ge=1)
    serve_workers: WholeNumber = Field(1, alias="TECHVALLEY_SERVE_WORKERS", ge=1)
    past_investors: PathText | None = Field(None, alias="TECHVALLEY_PAST_INVESTORS")
    public_url: PublicUrl = Field(
        None, alias="TECHVALLEY_PUBLIC_URL", json_schema_extra=_URL
    )
    anon_saves_per_day: WholeNumber = Field(200, alias="TECHVALLEY_ANON_SAVES_PER_DAY", ge=0)
    anon_max_bytes: WholeNumber = Field(16 * 1024, alias="TECHVALLEY_ANON_MAX_BYTES", ge=0)
    anon_retention_days: WholeNumber = Field(30, alias="TECHVALLEY_ANON_RETENTION_DAYS", ge=0)
    agency_name: str = Field("the investment team", alias="TECHVALLEY_AGENCY_NAME", min_length=1,
                             max_length=200)
    agency_contact: str = Field("", alias="TECHVALLEY_AGENCY_CONTACT", max_length=500)


#: Each setting's default, by variable name.
DEFAULTS: dict[str, Any] = {
    f.alias: f.default for f in WebSettings.model_fields.values() if f.alias is not None
}


def from_env(environ: Mapping[str, str] | None = None, *,
             overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings by variable name: the defaults, overridden by the environment
    (``environ``, default ``os.environ``), overridden by ``overrides``.

    Raises :class:`SettingsError` naming every bad setting.

    Examples
    --------
    >>> from_env({"TECHVALLEY_MAX_BODY_BYTES": "1024"})["TECHVALLEY_MAX_BODY_BYTES"]
    1024
    >>> from_env({})["TECHVALLEY_RATELIMIT_API"]
    '120 per minute'
    """
    settings = read(WebSettings, environ=environ, overrides=overrides)
    return settings.model_dump(by_alias=True)
