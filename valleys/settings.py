"""Settings of the territory, in one documented module; and the settings mechanism of every package.

Each setting can be overridden by the environment variable named beside it.

- ``CATCHMENT_RADIUS_KM`` (``TECHVALLEY_CATCHMENT_KM``, default 30): radius of the talent
  catchment around a zone; communes whose representative point lies within it are summed.
- ``DATA_PATH`` (``TECHVALLEY_DATA``): the dataset used when no ``--data`` is given; default the
  shipped Morocco dataset, built on first use into ``geodata/build/`` (or the user cache folder
  when the package folder is read-only).
- ``EARTH_RADIUS_KM``: the mean Earth radius (IUGG) used for great-circle distances.
- ``METRIC_CRS_NORTH`` / ``METRIC_CRS_SOUTH`` / ``METRIC_CRS_SPLIT_LAT``: Merchich / Nord Maroc
  (EPSG:26191) north of 31.5°N and Sud Maroc (EPSG:26192) south of it, for metric work.
- ``TIMEZONE``: ``Africa/Casablanca`` (never a fixed offset: Morocco returns to UTC in Ramadan).

The mechanism: each package declares its environment variables as the fields of one
:class:`Settings` model (pydantic-settings; the field's ``alias`` is the variable, its type and
bounds say what it takes). A module reads its model at import with :func:`load`, which never
fails (a bad value gives the default meanwhile); :func:`check` validates every package's model
against the environment now (and a ``config`` dict's overrides, for :func:`web.create_app`) and
raises one :class:`SettingsError` with one detail per bad variable. Every command and
``web.create_app`` call it first, so a bad setting stops the start with exit 2 (or the error),
never a traceback at import, and every bad setting is named at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from valleys.errors import TechValleyError

#: Every package's settings model, by qualified name (a reloaded module replaces its own).
MODELS: dict[str, type[Settings]] = {}

S = TypeVar("S", bound="Settings")


class SettingsError(TechValleyError):
    """Environment variables (or ``create_app`` settings) hold values of the wrong kind."""


class Settings(BaseSettings):
    """Base of the settings models: case-sensitive variable names, an empty one is unset."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        MODELS[f"{cls.__module__}.{cls.__qualname__}"] = cls


def _refuse_bool(value: Any) -> Any:
    # pydantic takes True for 1; a boolean in a whole-number setting is a mistake
    if isinstance(value, bool):
        raise ValueError("a boolean is not a whole number")
    return value


def _path_text(value: Any) -> Any:
    return os.fspath(value) if isinstance(value, os.PathLike) else value


#: A file or folder, as text (a :class:`~pathlib.Path` given in a config dict is taken too).
PathText = Annotated[str, BeforeValidator(_path_text)]
#: A whole number (not a boolean); give its bounds with ``Field(ge=...)``.
WholeNumber = Annotated[int, BeforeValidator(_refuse_bool)]
#: A finite number above 0.
PositiveNumber = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def _expected(field: Any) -> str:
    """What a field takes, in words, from its type and bounds (or its ``expected`` extra)."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "expected" in extra:
        return str(extra["expected"])
    bounds = {name: getattr(m, name) for m in field.metadata for name in ("ge", "gt")
              if getattr(m, name, None) is not None}
    if field.annotation is bool:
        return "0 or 1 (or true/false, yes/no, on/off)"
    if field.annotation is int:
        return f"a whole number >= {bounds.get('ge', 0)}"
    if "gt" in bounds:
        return f"a number above {bounds['gt']:g}"
    return "a number" if field.annotation is float else "text"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else str(value)


def _problems(model: type[Settings], environ: Mapping[str, str] | None,
              overrides: Mapping[str, Any]) -> tuple[Settings | None, dict[str, str]]:
    """The model read (``None`` if it cannot be) and one message per bad variable."""
    fields = {f.alias or name: f for name, f in model.model_fields.items()}
    values = {k: v for k, v in overrides.items() if k in fields}
    if environ is not None:  # every field given: os.environ is not read
        values = {alias: environ.get(alias) or f.default for alias, f in fields.items()} | values
    try:
        return model(**values), {}
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            alias = str(error["loc"][0])
            field = fields[alias]
            default = "" if field.default is None else f" (default {_shown(field.default)})"
            problems.setdefault(
                alias, f"{alias} {error['input']!r} must be {_expected(field)}{default}"
            )
        return None, problems


def read(model: type[S], *, environ: Mapping[str, str] | None = None,
         overrides: Mapping[str, Any] | None = None) -> S:
    """The settings of ``model`` from the environment (or ``environ``), with ``overrides``.

    Raises
    ------
    SettingsError
        Naming every bad variable, its value and what it takes.
    """
    settings, problems = _problems(model, environ, overrides or {})
    if settings is None:
        raise SettingsError(_HEADLINE, details=list(problems.values()))
    return settings  # type: ignore[return-value]


def load(model: type[S]) -> S:
    """The settings of ``model`` at import: never fails; a bad variable gives its default."""
    settings, problems = _problems(model, None, {})
    if settings is None:
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        settings = model(**{alias: fields[alias].default for alias in problems})
    return settings  # type: ignore[return-value]


_HEADLINE = "some settings are wrong; fix them (see docs/web.md, Configuration) and try again."


def check(*, overrides: Mapping[str, Any] | None = None) -> None:
    """Raise :class:`SettingsError` naming every bad setting of every package, if any.

    ``overrides`` (a ``config`` dict given to ``web.create_app``) win over the environment.

    >>> check()
    """
    problems: dict[str, str] = {}
    for model in list(MODELS.values()):
        for alias, message in _problems(model, None, overrides or {})[1].items():
            problems.setdefault(alias, message)  # a variable read by two packages: named once
    if problems:
        raise SettingsError(_HEADLINE, details=list(problems.values()))


class ValleysSettings(Settings):
    """The territory's environment variables."""

    catchment_km: PositiveNumber = Field(
        30.0, alias="TECHVALLEY_CATCHMENT_KM", description="Talent catchment radius, km."
    )
    data: PathText | None = Field(
        None, alias="TECHVALLEY_DATA", description="The default dataset (file or folder)."
    )


_SETTINGS = load(ValleysSettings)
CATCHMENT_RADIUS_KM: float = _SETTINGS.catchment_km
DATA_PATH: str | None = _SETTINGS.data
EARTH_RADIUS_KM: float = 6371.0088
METRIC_CRS_NORTH: str = "EPSG:26191"
METRIC_CRS_SOUTH: str = "EPSG:26192"
METRIC_CRS_SPLIT_LAT: float = 31.5
TIMEZONE: str = "Africa/Casablanca"
WGS84: str = "EPSG:4326"
