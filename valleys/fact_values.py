"""The fact columns the dataset contract gives a meaning: how well a place is located, which
airports count, and when a fact was true.

- ``location_precision``: ``site`` (a published park marker or outline), ``address`` (pinned
  from an address, a landmark, or by staff on the map; ``location_note`` says how) or
  ``commune`` (a commune's representative point: nothing better known).
- ``civil`` and ``scheduled`` (airports): booleans; ``airports_km`` measures to the airports
  that are both (:func:`measured_layer`).
- ``<column>_as_of``: the date ``<column>`` was true, an ISO 8601 date (``YYYY-MM-DD``, or
  ``YYYY-MM`` / ``YYYY`` when the source gives only the month or the year), never in the future
  (in Morocco's time zone).

Pure parsing, one value at a time: :mod:`valleys.validation` reports the problems of a dataset,
the build (:mod:`valleys.build.facts`) those of the curated facts, both with these rules, and
:func:`valleys.dataset.prepare_layer` writes the values one way (booleans, ISO text).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from valleys import settings

__all__ = [
    "AIRPORT_SERVICE_COLUMNS",
    "AS_OF_SUFFIX",
    "LOCATION_PRECISIONS",
    "as_boolean",
    "as_of_columns",
    "as_of_problem",
    "boolean_problem",
    "iso_as_of",
    "is_blank",
    "measured_layer",
    "parse_as_of",
    "precision_problem",
    "today_in_morocco",
]

FrameT = TypeVar("FrameT", bound=pd.DataFrame)

#: How well a place is located, best first.
LOCATION_PRECISIONS: tuple[str, ...] = ("site", "address", "commune")
#: Airport columns that say whether it counts for ``airports_km`` (both must be true).
AIRPORT_SERVICE_COLUMNS: tuple[str, ...] = ("civil", "scheduled")
#: The suffix of a fact's date column.
AS_OF_SUFFIX = "_as_of"

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_BOOLEAN_TEXT = {"true": True, "false": False}


def today_in_morocco() -> date:
    """Today's date in Morocco (``Africa/Casablanca``): no fact may be dated after it."""
    return datetime.now(ZoneInfo(settings.TIMEZONE)).date()


def is_blank(value: Any) -> bool:
    """Whether a cell holds nothing (``None``, NaN, NaT, ``<NA>``, empty text).

    >>> [is_blank(v) for v in (None, float("nan"), "", " ", "x", 0)]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN, NaT and pandas' NA are not equal to themselves
    except (TypeError, ValueError):  # pandas' NA refuses bool()
        return True


def as_of_columns(columns: Iterable[object]) -> list[str]:
    """The date columns (``<column>_as_of``) among ``columns``.

    >>> as_of_columns(["status", "status_as_of", "rent_mad_m2_month_as_of", "as_of"])
    ['status_as_of', 'rent_mad_m2_month_as_of']
    """
    return [str(c) for c in columns
            if str(c).endswith(AS_OF_SUFFIX) and len(str(c)) > len(AS_OF_SUFFIX)]


def parse_as_of(value: Any) -> date | None:
    """The first day a fact's date covers (``2007`` is 2007-01-01); ``None`` when blank.

    Raises
    ------
    ValueError
        When the value is not an ISO date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``).

    Examples
    --------
    >>> parse_as_of("2008-10-11"), parse_as_of("2007"), parse_as_of(2023.0), parse_as_of("")
    (datetime.date(2008, 10, 11), datetime.date(2007, 1, 1), datetime.date(2023, 1, 1), None)
    >>> parse_as_of("11/10/2008")
    Traceback (most recent call last):
    ...
    ValueError: '11/10/2008' is not an ISO date
    """
    if is_blank(value):
        return None
    if isinstance(value, datetime):  # pandas' Timestamp too
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        # a year alone, read as a number by a reader that guesses types
        year = float(value)
        if year.is_integer() and 1000 <= year <= 9999:
            return date(int(year), 1, 1)
        raise ValueError(f"{value!r} is not an ISO date")
    text = str(value).strip()
    match = _ISO_DATE.fullmatch(text[:10] if text[10:] in ("", "T00:00:00") else text)
    if match is None:
        raise ValueError(f"{text!r} is not an ISO date")
    y, m, d = match.groups()
    try:
        return date(int(y), int(m or 1), int(d or 1))
    except ValueError:
        raise ValueError(f"{text!r} is not a date of the calendar") from None


def iso_as_of(value: Any) -> str | None:
    """A fact's date written one way: ISO text as precise as given (``2007``, ``2008-10-11``);
    ``None`` when blank. The value must parse (:func:`parse_as_of`).

    >>> from datetime import datetime
    >>> iso_as_of(datetime(2008, 10, 11)), iso_as_of(2007), iso_as_of(" 2023-05 "), iso_as_of("")
    ('2008-10-11', '2007', '2023-05', None)
    """
    day = parse_as_of(value)
    if day is None:
        return None
    if isinstance(value, (date, datetime)):
        return day.isoformat()
    if isinstance(value, numbers.Real):
        return str(day.year)
    return str(value).strip()[:10]


def as_of_problem(value: Any, *, today: date) -> str | None:
    """What is wrong with a fact's date, in words a staff member can act on; ``None`` if
    nothing (a blank date is allowed: the source gave none).

    >>> as_of_problem("2030-01-01", today=date(2026, 12, 3))
    "'2030-01-01' is in the future (today is 2026-12-03 in Morocco): write the date the value was true"
    >>> as_of_problem("2007", today=date(2026, 12, 3)) is None
    True
    """
    try:
        day = parse_as_of(value)
    except ValueError as exc:
        return (f"{exc}: write the date the value was true as YYYY-MM-DD (or YYYY-MM, or YYYY "
                "when the source gives only the month or the year)")
    if day is not None and day > today:
        shown = iso_as_of(value)
        return (f"{shown!r} is in the future (today is {today.isoformat()} in Morocco): write "
                "the date the value was true")
    return None


def as_boolean(value: Any) -> bool:
    """A boolean cell: ``True``/``False``, ``1``/``0`` or the text ``true``/``false`` (any case).

    Raises
    ------
    ValueError
        For anything else, blank included.

    >>> as_boolean("FALSE"), as_boolean(1), as_boolean(True)
    (False, True, True)
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Real) and not (isinstance(value, float) and math.isnan(value)):
        if value in (0, 1):
            return bool(value)
    elif isinstance(value, str) and value.strip().lower() in _BOOLEAN_TEXT:
        return _BOOLEAN_TEXT[value.strip().lower()]
    raise ValueError(f"{value!r} is not a boolean")


def boolean_problem(value: Any) -> str | None:
    """What is wrong with a ``civil``/``scheduled`` cell; ``None`` if nothing.

    >>> boolean_problem("yes")
    "'yes' is not a boolean: write true or false"
    """
    if is_blank(value):
        return "empty: write true or false"
    try:
        as_boolean(value)
    except ValueError as exc:
        return f"{exc}: write true or false"
    return None


def precision_problem(value: Any) -> str | None:
    """What is wrong with a ``location_precision`` cell (blank is allowed); ``None`` if nothing.

    >>> precision_problem("surveyed")
    "'surveyed' is not a location precision: use site (a published park marker or outline), address (pinned from an address, a landmark or on the map) or commune (a commune's representative point)"
    """
    if is_blank(value) or str(value).strip() in LOCATION_PRECISIONS:
        return None
    return (f"{value!r} is not a location precision: use site (a published park marker or "
            "outline), address (pinned from an address, a landmark or on the map) or commune "
            "(a commune's representative point)")


def measured_layer(name: str, layer: FrameT) -> FrameT:
    """The features of a layer that ``<name>_km`` measures to.

    For ``airports``: the civil airports with scheduled flights, that is every row whose
    ``civil`` and ``scheduled`` (when the layer has them) are true; an investor does not fly
    from an air base. Every other layer is measured whole. Pages that name the nearest feature
    use this too, so they name the one the distance is to.

    >>> airports = pd.DataFrame({"code": ["RBA", "NNA"], "civil": [True, False],
    ...     "scheduled": [True, False]})
    >>> measured_layer("airports", airports)["code"].tolist()
    ['RBA']
    """
    if name != "airports":
        return layer
    keep = np.ones(len(layer), dtype=bool)
    for column in AIRPORT_SERVICE_COLUMNS:
        if column in layer.columns:
            # a blank or unreadable cell is refused by validation; here it counts as unknown
            # (kept), so a raw layer is never emptied by one bad cell
            keep &= np.array([is_blank(v) or _truthy(v) for v in layer[column].tolist()], bool)
    return layer if keep.all() else cast(FrameT, layer[keep])


def _truthy(value: object) -> bool:
    try:
        return as_boolean(value)
    except ValueError:
        return True
