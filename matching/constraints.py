"""Hard constraints: which zones pass, which are missing the value, and why each one fails.

:func:`check_constraint` evaluates one constraint over every zone at once, on the zones'
columns converted once per shortlist (:class:`Columns`); the reasons are
:class:`matching.messages.Message` written for the failing zones only (text columns: once per
distinct value). :func:`compare` is the numeric comparison, shared with the grid cells of
:mod:`matching.suitability`.

Facts that age carry the date they were true in a ``<column>_as_of`` column (ISO date, or a
year). A value dated more than ``max_fact_age_years`` (default
:data:`DEFAULT_MAX_FACT_AGE_YEARS`) before ``today`` is *stale*: :func:`check_constraint`
counts it as missing, so the constraint's ``missing`` policy decides (exclude, or keep the
zone flagged "not checked"). :meth:`Columns.dated` says which values are stale and their dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from matching.errors import RequirementsError
from matching.messages import Message, limit_text, message
from matching.requirements import Constraint
from matching.units import unit_of
from valleys.settings import TIMEZONE

__all__ = ["AS_OF_SUFFIX", "DEFAULT_MAX_FACT_AGE_YEARS", "FAILED", "Columns", "Dated",
           "check_constraint", "compare", "describe_constraint", "fact_cutoff", "stale_dates",
           "today_in_morocco"]

#: a fact older than this many years counts as missing for the constraints (DESIGN.md)
DEFAULT_MAX_FACT_AGE_YEARS = 5.0
#: the suffix of the column holding the date a fact was true: ``rent_mad_m2_month_as_of``
AS_OF_SUFFIX = "_as_of"

#: Constraint operators and the relation that holds when a value fails them.
FAILED: dict[str, str] = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}


_limit = limit_text


def describe_constraint(constraint: Constraint) -> str:
    """A constraint in words, e.g. ``rent_mad_m2_month <= 120``.

    Examples
    --------
    >>> describe_constraint(Constraint(column="status", op="in", value=["operating", "planned"]))
    'status in [operating, planned]'
    """
    if constraint.op in ("in", "not in"):
        values = constraint.value if isinstance(constraint.value, list) else [constraint.value]
        return f"{constraint.column} {constraint.op} [{_limit(values)}]"
    return f"{constraint.column} {constraint.op} {_limit(constraint.value)}"


def compare(numbers: np.ndarray, op: str, values: Sequence[Any]) -> np.ndarray:
    """Where ``numbers op values`` holds (``values``: one limit, or the list of ``in``); false
    where a number is NaN, except for ``!=`` and ``not in`` (callers decide on missing values).

    The one comparison of zones (:func:`check_constraint`) and grid cells
    (:func:`matching.suitability.constraint_mask`).

    >>> compare(np.array([1.0, 5.0, np.nan]), "<=", [3]).tolist()
    [True, False, False]
    >>> compare(np.array([1.0, 2.0]), "not in", [2, 4]).tolist()
    [True, False]
    """
    limits = [float(v) for v in values]
    with np.errstate(invalid="ignore"):
        if op == "in":
            return np.isin(numbers, limits)
        if op == "not in":
            return ~np.isin(numbers, limits)
        return _COMPARE[op](numbers, limits[0])


# ---------------------------------------------------------------------------------------
# Dated facts


def today_in_morocco() -> date:
    """Today's date in Morocco (``Africa/Casablanca``), the reference for a fact's age."""
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def fact_cutoff(today: date, max_age_years: float) -> date:
    """The oldest date a fact may carry and still count: ``max_age_years`` whole calendar
    years before ``today``, less the fraction's days (of 365.2425).

    >>> fact_cutoff(date(2026, 12, 3), 5)
    datetime.date(2021, 12, 3)
    >>> fact_cutoff(date(2024, 2, 29), 1.5)
    datetime.date(2022, 8, 29)
    """
    whole = int(max_age_years)
    cutoff = pd.Timestamp(today) - pd.DateOffset(years=whole)
    cutoff -= pd.Timedelta(days=round((max_age_years - whole) * 365.2425))
    return cutoff.date()


def stale_dates(dates: np.ndarray, cutoff: date) -> np.ndarray:
    """Where a ``datetime64[D]`` date (NaT: no date) is before ``cutoff`` (a pure mask).

    >>> stale_dates(np.array(["2007-01-01", "NaT", "2024-06-30"], dtype="datetime64[D]"),
    ...             date(2021, 12, 3)).tolist()
    [True, False, False]
    """
    return ~np.isnat(dates) & (dates < np.datetime64(cutoff, "D"))


class Dated:
    """A column's dated values: ``stale`` per zone (bool) and ``as_of`` per zone (the ISO
    date as written, ``None`` without one)."""

    __slots__ = ("as_of", "stale")

    def __init__(self, stale: np.ndarray, as_of: list[str | None]):
        self.stale = stale
        self.as_of = as_of


def _read_dates(series: pd.Series, column: str, ids: Sequence[str]) -> tuple[np.ndarray,
                                                                             list[str | None]]:
    """A ``<column>_as_of`` column as ``datetime64[D]`` (NaT where blank) and its texts; text
    that is not an ISO date (``2007``, ``2007-06``, ``2007-06-30``) is an error naming zones."""
    codes, uniques = _factorize(series)
    # a year alone may have been read as a number (2007, 2007.0)
    texts = [None if str(u).strip() == "" else
             str(int(u)) if isinstance(u, (int, float, np.number)) and float(u).is_integer()
             else str(u).strip()[:10] for u in uniques]
    parsed = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[D]")
    bad: list[int] = []
    for u, text in enumerate(texts):
        if text is None:
            continue
        if isinstance(uniques[u], (date, pd.Timestamp)):
            parsed[u] = np.datetime64(pd.Timestamp(uniques[u]).date(), "D")
            texts[u] = pd.Timestamp(uniques[u]).date().isoformat()
            continue
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
            bad.append(u)
            continue
        try:
            parsed[u] = np.datetime64(pd.Timestamp(text).date(), "D")
        except ValueError:
            bad.append(u)
    if bad:
        rows = ", ".join(f"{ids[k]} ({uniques[codes[k]]!r})"
                         for k in np.flatnonzero(np.isin(codes, bad))[:5])
        raise RequirementsError(
            f"column {column} must hold ISO dates (YYYY-MM-DD, YYYY-MM or YYYY), but some zones "
            f"have other text: {rows}; fix the dataset"
        )
    as_of = [texts[c] if c >= 0 else None for c in codes.tolist()]
    return parsed[codes], as_of


# ---------------------------------------------------------------------------------------
# Columns


def _factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for NaN/None) and the distinct values as an object array.

    Text columns hold few distinct values (statuses, activity lists): what is decided about a
    value is decided once per distinct value, then spread to the zones through the codes.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes), np.asarray(uniques, dtype=object)


#: Text that pandas could read as a number holds a digit, or is inf/nan (any case).
_MAYBE_NUMBER = re.compile(r"\d|inf|nan", re.IGNORECASE)


class Columns:
    """The zones' columns as numpy arrays, converted once per shortlist.

    Derived columns (the incentive estimates, :meth:`derive`) replace or add to the columns
    of ``sites`` without copying the frame. ``max_fact_age_years`` and ``today`` say which
    dated values are stale (:meth:`dated`).
    """

    def __init__(self, sites: pd.DataFrame, ids: Sequence[str], *,
                 max_fact_age_years: float = DEFAULT_MAX_FACT_AGE_YEARS,
                 today: date | None = None):
        self.sites = sites
        self.ids = ids
        self.max_fact_age_years = float(max_fact_age_years)
        self.today = today or today_in_morocco()
        self.cutoff = fact_cutoff(self.today, self.max_fact_age_years)
        self._dated: dict[str, Dated | None] = {}
        self.extra: dict[str, np.ndarray] = {}
        self.names = list(sites.columns)
        self.known = set(self.names)
        self._numeric: dict[str, tuple[np.ndarray | None, str | None]] = {}
        self._text: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def derive(self, extra: Mapping[str, np.ndarray]) -> None:
        """Add derived columns (float arrays, one value per zone); they replace any column of
        ``sites`` with the same name and come last in :attr:`names`."""
        self.extra.update(extra)
        self.names = [c for c in self.names if c not in extra] + list(extra)
        self.known = set(self.names)
        for column in extra:
            self._numeric.pop(column, None)
            self._text.pop(column, None)

    def __contains__(self, column: str) -> bool:
        return column in self.known

    @property
    def dated_columns(self) -> list[str]:
        """The columns of ``sites`` that have a ``<column>_as_of`` column beside them."""
        return [c for c in self.names if c not in self.extra
                and f"{c}{AS_OF_SUFFIX}" in self.sites.columns]

    def dated(self, column: str) -> Dated | None:
        """Which values of ``column`` are stale, and each zone's date; ``None`` when the
        column carries no dates (no ``<column>_as_of``, or a derived column)."""
        if column not in self._dated:
            dates_column = f"{column}{AS_OF_SUFFIX}"
            if column in self.extra or dates_column not in self.sites.columns:
                self._dated[column] = None
            else:
                dates, as_of = _read_dates(self.sites[dates_column], dates_column, self.ids)
                self._dated[column] = Dated(stale_dates(dates, self.cutoff), as_of)
        return self._dated[column]

    def series(self, column: str) -> pd.Series:
        if column in self.extra:
            return pd.Series(self.extra[column], index=self.sites.index)
        return self.sites[column]

    def numeric(self, column: str, where: str) -> np.ndarray | None:
        """The column as floats (NaN where missing), or ``None`` when it holds text.

        Text in a column that mostly holds numbers is an error naming the zones.
        """
        if column not in self._numeric:
            try:
                self._numeric[column] = (self._convert(column), None)
            except RequirementsError as exc:
                self._numeric[column] = (None, exc.message)
        numbers, error = self._numeric[column]
        if error is not None:
            raise RequirementsError(f"{where}: {error}")
        return numbers

    def _convert(self, column: str) -> np.ndarray | None:
        if column in self.extra:
            return np.asarray(self.extra[column], dtype=float)
        series = self.sites[column]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            return series.to_numpy(dtype=float, na_value=np.nan)
        # text: read each distinct value as a number (blank text is missing)
        codes, uniques, blank, _ = self.text(column)
        converted = np.full(len(uniques), np.nan)
        readable = [u for u, value in enumerate(uniques) if not blank[u] and (
            not isinstance(value, str) or _MAYBE_NUMBER.search(value))]
        if readable:
            converted[readable] = pd.to_numeric(
                pd.Series(uniques[readable], dtype=object), errors="coerce"
            ).to_numpy(dtype=float, na_value=np.nan)
        bad_value = np.isnan(converted) & ~blank
        numbers = np.append(converted, np.nan)[codes]  # code -1 (missing) picks the NaN
        filled = (codes >= 0) & ~np.append(blank, True)[codes]
        bad = (codes >= 0) & np.append(bad_value, False)[codes]
        if not bad.any():
            return numbers
        if bad.sum() >= filled.sum() / 2:
            return None  # a text column
        rows = ", ".join(f"{self.ids[k]} ({uniques[codes[k]]!r})"
                         for k in np.flatnonzero(bad)[:5])
        raise RequirementsError(
            f"column {column} holds numbers but some zones have text: {rows}; fix the "
            "dataset (`techvalley validate` lists every problem)"
        )

    def text(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A column's codes, distinct values, which of them are blank, and the missing mask
        per zone (NaN, None or blank text)."""
        if column not in self._text:
            codes, uniques = _factorize(self.series(column))
            blank = np.fromiter((str(u).strip() == "" for u in uniques), dtype=bool,
                                count=len(uniques))
            missing = (codes < 0) | np.append(blank, True)[codes]
            self._text[column] = (codes, uniques, blank, missing)
        return self._text[column]


def _items(value: Any) -> set[str]:
    """A cell as a set of lower-case items (``ITO;CRM`` -> {"ito", "crm"})."""
    return {part.strip().lower() for part in str(value).split(";") if part.strip()}


def _listed(value: Any) -> list[str]:
    """A ``;``-list cell's items as written (``ITO; CRM`` -> ["ITO", "CRM"])."""
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _text_reason(constraint: Constraint, cell: str, *, is_list: bool) -> Message:
    """Why a text cell fails a constraint; a cell of a ``;``-list column reads as a list.

    Examples
    --------
    >>> crm = Constraint(column="activities", op="in", value=["CRM"])
    >>> _text_reason(crm, "ITO;BPO", is_list=True).text
    'activities ITO, BPO do not include CRM'
    >>> status = Constraint(column="status", op="in", value=["operating", "under_development"])
    >>> _text_reason(status, "uncertain", is_list=False).text
    "status 'uncertain' is not one of operating, under_development"
    """
    column, op, value = constraint.column, constraint.op, constraint.value
    values = value if isinstance(value, list) else [value]
    if op in ("==", "!="):
        return message("constraint.failed", column=column, value=cell, op=FAILED[op],
                       limit=_limit(value))
    if is_list:
        items = _listed(cell)
        if op == "in":
            return message("constraint.list_lacks", column=column, items=items,
                           alternatives=list(values))
        wanted = {str(v).strip().lower() for v in values}
        hits = [item for item in items if item.lower() in wanted]
        return message("constraint.list_excluded", column=column, items=items, hits=hits)
    if op == "in":
        return message("constraint.not_one_of", column=column, value=cell, values=list(values))
    shared = _items(cell) & {str(v).strip().lower() for v in values}
    return message("constraint.value_excluded", column=column, value=cell, hits=sorted(shared))


def check_constraint(
    columns: Columns, constraint: Constraint, where: str
) -> tuple[np.ndarray, np.ndarray, dict[int, Message]]:
    """Evaluate one constraint over every zone at once.

    Returns (passes, missing, reason per failing zone position); the reasons are written for
    the failing zones only. ``missing`` holds the stale values too (:meth:`Columns.dated`):
    a value dated too long ago is not compared.
    """
    column, op, value = constraint.column, constraint.op, constraint.value
    values = value if isinstance(value, list) else [value]
    if column not in columns:
        raise RequirementsError(
            f"{where}: {column} is not available"
            + (" (it needs a headcount)" if column == "incentive_mad_total" else "")
        )
    numbers = columns.numeric(column, where)
    reasons: dict[int, Message] = {}
    try:
        dated = columns.dated(column)
    except RequirementsError as exc:
        raise RequirementsError(f"{where}: {exc.message}") from None
    stale = dated.stale if dated is not None else np.zeros(len(columns.ids), dtype=bool)
    if numbers is not None:
        missing = np.isnan(numbers) | stale
        if any(isinstance(v, str) for v in values):
            raise RequirementsError(
                f"{where} ({describe_constraint(constraint)}): column {column} holds numbers; "
                "give numbers as values"
            )
        passes = compare(numbers, op, values) & ~missing
        unit = unit_of(column)
        for k in np.flatnonzero(~passes & ~missing).tolist():
            if op in FAILED:
                reasons[k] = message("constraint.failed", column=column, value=float(numbers[k]),
                                     unit=unit, op=FAILED[op], limit=value)
            else:
                reasons[k] = message(
                    "constraint.not_one_of" if op == "in" else "constraint.one_of",
                    column=column, value=float(numbers[k]), unit=unit, values=list(values))
        return passes, missing, reasons
    if op in ("<", "<=", ">", ">="):
        raise RequirementsError(
            f"{where} ({describe_constraint(constraint)}): column {column} holds text, which "
            f"'{op}' cannot compare; use '==', '!=', 'in' or 'not in'"
        )
    codes, uniques, _, missing = columns.text(column)
    missing = missing | stale
    cells = [str(u).strip() for u in uniques]
    # A column whose cells hold ;-separated lists (activities: ITO;CRM) is read as lists.
    is_list = any(";" in cell for cell in cells)
    wanted = {str(v).strip().lower() for v in values}
    # decide each distinct value once: does it pass, and the reason when it fails
    unique_ok = np.zeros(len(uniques) + 1, dtype=bool)  # the extra slot: code -1 (missing)
    unique_reason: list[Message | None] = [None] * len(uniques)
    for u, cell in enumerate(cells):
        if not cell:
            continue
        if op in ("==", "!="):
            equal = cell.lower() == str(value).strip().lower()
            unique_ok[u] = equal if op == "==" else not equal
        else:
            shared = _items(cell) & wanted
            unique_ok[u] = bool(shared) if op == "in" else not shared
        if not unique_ok[u]:
            unique_reason[u] = _text_reason(constraint, cell, is_list=is_list)
    passes = unique_ok[codes] & ~missing
    for k in np.flatnonzero(~passes & ~missing).tolist():
        reasons[k] = unique_reason[codes[k]]  # failing: its reason was written above
    return passes, missing, reasons
