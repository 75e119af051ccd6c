"""The shortlist engine: from requirements and zone features to an explained, robust ranking.

:func:`make_shortlist` applies the hard constraints (every failing zone is excluded with its
reasons, in words with units), scores the remaining zones with the requirement's method
(:func:`matching.topsis` or :func:`matching.weighted_sum`), ranks them (ties share a rank and
keep the input order), explains each score criterion by criterion, measures how sure the order
is (:mod:`matching.robustness`) and estimates the incentives (:mod:`matching.incentives`).
It returns the shortlist JSON of the contract (``DESIGN.md``, "Shortlist contract"): plain,
JSON-safe Python (no NaN, no numpy types).

Examples
--------
>>> import pandas as pd
>>> sites = pd.DataFrame({"name": ["A", "B", "C"], "rent_mad_m2_month": [90.0, 140.0, None],
...                       "catchment_labour_active": [1000.0, 3000.0, 2000.0]},
...                      index=["a", "b", "c"])
>>> result = make_shortlist({
...     "constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": 120}],
...     "criteria": [{"column": "catchment_labour_active", "direction": "benefit"}]},
...     sites, robustness_draws=0)
>>> [(z["id"], z["rank"], z["score"]) for z in result["ranked"]]
[('a', 1, 0.5)]
>>> [(z["id"], z["reasons"]) for z in result["excluded"]]
[('b', ['rent_mad_m2_month 140 MAD/m²/month > 120']), ('c', ['rent_mad_m2_month missing'])]
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings as python_warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from matching import incentives as incentive_rules
from matching import settings
from matching.errors import RequirementsError, RequirementsWarning
from matching.mcda import normalize, topsis_components, weighted_sum
from matching.phrases import say
from matching.requirements import (
    Constraint,
    Plan,
    Requirements,
    parse_requirements,
    resolve,
)
from matching.robustness import competition_ranks, leave_one_out, rank_acceptability
from matching.units import unit_of

__all__ = ["describe_constraint", "make_shortlist", "unit_of"]

#: Constraint operators and the relation that holds when a value fails them.
_FAILED: dict[str, str] = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}


def _number(value: float) -> str:
    if value == math.floor(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 else f"{value:.3g}"


def _with_unit(column: str, value: Any) -> str:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        unit = unit_of(column)
        text = _number(float(value))
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}".rstrip()
    return repr(value) if isinstance(value, str) else str(value)


def _limit(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_limit(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(float(value))
    return str(value)


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


class _Columns:
    """The zones' columns as numpy arrays, converted once per shortlist.

    Derived columns (the incentive estimates, :meth:`derive`) replace or add to the columns
    of ``sites`` without copying the frame.
    """

    def __init__(self, sites: pd.DataFrame, ids: Sequence[str]):
        self.sites = sites
        self.ids = ids
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


def _either(values: Sequence[Any]) -> str:
    """``CRM`` / ``CRM or BPO`` / ``CRM, BPO or KPO``."""
    words = [_limit(v) for v in values]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _text_reason(constraint: Constraint, cell: str, *, is_list: bool) -> str:
    """Why a text cell fails a constraint; a cell of a ``;``-list column reads as a list.

    Examples
    --------
    >>> crm = Constraint(column="activities", op="in", value=["CRM"])
    >>> _text_reason(crm, "ITO;BPO", is_list=True)
    'activities ITO, BPO do not include CRM'
    >>> status = Constraint(column="status", op="in", value=["operating", "under_development"])
    >>> _text_reason(status, "uncertain", is_list=False)
    "status 'uncertain' is not one of operating, under_development"
    """
    column, op, value = constraint.column, constraint.op, constraint.value
    values = value if isinstance(value, list) else [value]
    if op in ("==", "!="):
        return say("compare", column=column, value=repr(cell), op=_FAILED[op],
                   limit=repr(_limit(value)))
    if is_list:
        items = _listed(cell)
        if op == "in":
            return say("list_lacks", column=column, items=", ".join(items),
                       alternatives=_either(values))
        wanted = {str(v).strip().lower() for v in values}
        hits = [item for item in items if item.lower() in wanted]
        return say("list_excluded", column=column, items=", ".join(items), hits=", ".join(hits))
    if op == "in":
        return say("not_one_of", column=column, value=repr(cell), values=_limit(values))
    shared = _items(cell) & {str(v).strip().lower() for v in values}
    return say("value_excluded", column=column, value=repr(cell), hits=", ".join(sorted(shared)))


def _check_constraint(
    columns: _Columns, constraint: Constraint, where: str
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Evaluate one constraint over every zone at once.

    Returns (passes, missing, reason per failing zone position); the reasons are written for
    the failing zones only.
    """
    column, op, value = constraint.column, constraint.op, constraint.value
    values = value if isinstance(value, list) else [value]
    if column not in columns:
        raise RequirementsError(
            f"{where}: {column} is not available"
            + (" (it needs a headcount)" if column == "incentive_mad_total" else "")
        )
    numbers = columns.numeric(column, where)
    reasons: dict[int, str] = {}
    if numbers is not None:
        missing = np.isnan(numbers)
        if any(isinstance(v, str) for v in values):
            raise RequirementsError(
                f"{where} ({describe_constraint(constraint)}): column {column} holds numbers; "
                "give numbers as values"
            )
        limits = [float(v) for v in values]
        with np.errstate(invalid="ignore"):
            if op == "in":
                ok = np.isin(numbers, limits)
            elif op == "not in":
                ok = ~np.isin(numbers, limits)
            else:
                ok = _COMPARE[op](numbers, limits[0])
        passes = ok & ~missing
        for k in np.flatnonzero(~passes & ~missing).tolist():
            shown = _with_unit(column, numbers[k])
            if op in _FAILED:
                reasons[k] = say("compare", column=column, value=shown, op=_FAILED[op],
                                 limit=_limit(value))
            else:
                reasons[k] = say("not_one_of" if op == "in" else "one_of", column=column,
                                 value=shown, values=_limit(values))
        return passes, missing, reasons
    if op in ("<", "<=", ">", ">="):
        raise RequirementsError(
            f"{where} ({describe_constraint(constraint)}): column {column} holds text, which "
            f"'{op}' cannot compare; use '==', '!=', 'in' or 'not in'"
        )
    codes, uniques, _, missing = columns.text(column)
    cells = [str(u).strip() for u in uniques]
    # A column whose cells hold ;-separated lists (activities: ITO;CRM) is read as lists.
    is_list = any(";" in cell for cell in cells)
    wanted = {str(v).strip().lower() for v in values}
    # decide each distinct value once: does it pass, and the reason when it fails
    unique_ok = np.zeros(len(uniques) + 1, dtype=bool)  # the extra slot: code -1 (missing)
    unique_reason: list[str | None] = [None] * len(uniques)
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
        reasons[k] = unique_reason[codes[k]]
    return passes, missing, reasons


# ---------------------------------------------------------------------------------------
# JSON


def _clean(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN and infinities to ``None``."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if value - value == 0.0 else None  # NaN and infinities give NaN
    if kind is dict:
        return {k if type(k) is str else str(k): _clean(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_clean(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_clean(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _raw_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


# ---------------------------------------------------------------------------------------
# The engine


@dataclass
class _Ledger:
    """What happens to each zone (by position): exclusion reasons, notes, imputed values.

    Each reason and note is listed once per zone, even when two entries give it (rent both
    a constraint and a criterion, each excluding a zone whose rent is missing).
    """

    n_zones: int
    reasons: list[list[str]] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)
    imputed: list[dict[str, float]] = field(default_factory=list)
    #: zones excluded per cause (a constraint, a criterion's missing values), for the hint when
    #: nothing is ranked; keyed by the advice as (phrase key, slot name, slot value) of
    #: :data:`matching.phrases.PHRASES`
    excluded_by: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reasons = [[] for _ in range(self.n_zones)]
        self.notes = [[] for _ in range(self.n_zones)]
        self.imputed = [{} for _ in range(self.n_zones)]

    def exclude(self, positions: Iterable[int], reason: str) -> None:
        for k in positions:
            if reason not in self.reasons[k]:
                self.reasons[k].append(reason)

    def note(self, positions: Iterable[int], note: str) -> None:
        for k in positions:
            if note not in self.notes[k]:
                self.notes[k].append(note)


def make_shortlist(
    requirements: Requirements | dict[str, Any],
    sites: pd.DataFrame,
    *,
    robustness_draws: int | None = None,
    seed: int | None = None,
    source: str = "requirements",
    warn: bool = False,
) -> dict[str, Any]:
    """Rank the zones for a requirement, with exclusions, explanations and robustness.

    Parameters
    ----------
    requirements
        A :class:`~matching.requirements.Requirements`, or a dict validated here.
    sites
        Zones with their features, index = zone id (the output of
        :func:`valleys.site_features`); a ``name`` column names them. It is read, never
        changed or copied.
    robustness_draws
        Monte-Carlo weight draws; default the requirement's ``robustness.draws``, else
        :data:`matching.settings.ROBUSTNESS_DRAWS`. 0 skips the analysis.
    seed
        Seed of the draws; default the requirement's ``robustness.seed``, else 0.
    source
        What to call the requirements in error messages (a file name).
    warn
        Also issue each of the shortlist's ``warnings`` as a
        :class:`~matching.errors.RequirementsWarning` (for scripts and notebooks; the command
        line and the web app show the ``warnings`` field instead).

    Returns
    -------
    dict
        The shortlist JSON: ``requirements``, ``method``, ``normalization``, ``weights``,
        ``consistency_ratio``, ``ranked``, ``excluded``, ``robustness`` (by zone id), and
        ``criteria``, ``constraints`` (as applied), ``hint``, ``leave_one_out``,
        ``incentives`` (by ranked zone id, with a headcount), ``assumptions``, ``warnings``,
        ``robustness_method``, ``dataset``.

    Raises
    ------
    RequirementsError
        Invalid requirements, an unknown column (with the closest names), a criterion on a text
        column, nothing left to score.

    Notes
    -----
    Every step works on whole columns (numpy arrays, one per column, converted once per call);
    text constraints are decided once per distinct value (a few statuses and activity lists)
    and spread to the zones, and reasons are written for the failing zones only.
    """
    if not isinstance(sites, pd.DataFrame):
        sites = pd.DataFrame(sites)
    ids = [str(zone) for zone in sites.index]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        twice = sorted({zone for zone in ids if zone in seen or seen.add(zone)})
        raise RequirementsError(f"sites: zone ids {', '.join(twice)} appear more than once")
    req = parse_requirements(requirements, columns=list(sites.columns), source=source)
    table = _Columns(sites, ids)
    has_classes = incentive_rules.ZONE_CLASS_COLUMN in sites.columns
    if has_classes:
        # estimated once per distinct class, then spread to the zones
        codes, classes, _, _ = table.text(incentive_rules.ZONE_CLASS_COLUMN)
        per_class = incentive_rules.incentive_arrays(
            classes, headcount=req.headcount, salary_mad_month=req.salary_mad_month,
            activity=req.activity,
        )
        table.derive({column: np.append(values, np.nan)[codes]  # code -1: no class, NaN
                      for column, values in per_class.items()})
    plan = resolve(req, table.names)
    warnings, assumptions = list(plan.warnings), list(plan.assumptions)
    if not plan.criteria:
        numeric = [c for c in table.names if c != "name" and _numeric_quiet(table, c)]
        raise RequirementsError(
            f"{source}: nothing to score: give criteria (or an activity whose preset criteria "
            f"the dataset has); this dataset's numeric columns: {', '.join(numeric) or 'none'}"
        )
    names = sites["name"].tolist() if "name" in sites.columns else list(ids)

    ledger = _Ledger(len(ids))
    _apply_constraints(table, plan.constraints, ledger)
    plan, all_values, raw_numbers = _criterion_values(table, plan, ledger, warnings, source)
    columns = [c.column for c in plan.criteria]
    positions = [k for k in range(len(ids)) if not ledger.reasons[k]]
    candidates = [ids[k] for k in positions]
    benefit = np.array([c.direction == "benefit" for c in plan.criteria])
    weights = np.array(plan.weights, dtype=float)
    # column-major, as the frame's values were: the same sums in the same order, so the same
    # scores to the last bit
    matrix = np.asfortranarray(all_values[positions])
    method, normalization = req.method, req.normalization or "vector"

    ranked: list[dict[str, Any]] = []
    ranked_positions: list[int] = []
    robustness: dict[str, Any] = {}
    robustness_method: dict[str, Any] | None = None
    loo: dict[str, Any] = {}
    if candidates:
        warnings.extend(_no_variance(matrix, columns))
        if normalization == "sum":
            warnings.extend(_unfit_for_sum(matrix, columns))
        scores, contributions, shares, strong_weak = _score(
            matrix, weights, benefit, method, normalization
        )
        ranks = competition_ranks(scores)
        raw_rows = raw_numbers[positions].tolist()
        contribution_rows = contributions.tolist()
        score_list = scores.tolist()
        if shares is not None:
            to_ideal_rows, to_anti_rows = shares[0].tolist(), shares[1].tolist()
        for k in np.lexsort((np.arange(len(candidates)), ranks)).tolist():
            position = positions[k]
            entry: dict[str, Any] = {
                "id": candidates[k],
                "name": _raw_value(names[position]),
                "rank": int(ranks[k]),
                "score": score_list[k],
                "values": dict(zip(columns, raw_rows[k], strict=True)),
                "contributions": dict(zip(columns, contribution_rows[k], strict=True)),
            }
            if shares is not None:
                entry["distance_shares"] = {
                    c: {"to_ideal": to_ideal, "to_anti_ideal": to_anti}
                    for c, to_ideal, to_anti in zip(columns, to_ideal_rows[k], to_anti_rows[k],
                                                    strict=True)
                }
            entry["imputed"] = ledger.imputed[position]
            entry["explanation"] = (
                _strong_weak_words(columns, matrix[k], *strong_weak[k]) + ledger.notes[position]
            )
            ranked.append(entry)
            ranked_positions.append(position)

        draws = robustness_draws
        if draws is None:
            draws = req.robustness.draws if req.robustness else settings.ROBUSTNESS_DRAWS
        draws = max(0, min(int(draws), settings.MAX_ROBUSTNESS_DRAWS))
        if seed is None:
            seed = req.robustness.seed if req.robustness else 0
        if draws > 0:
            robustness, robustness_method = _robustness(
                matrix, weights, benefit, candidates, method=method,
                normalization=normalization, draws=draws, seed=seed,
            )
            assumptions.append(say("robustness_draws", draws=draws, seed=seed,
                                   sigma=f"{robustness_method['sigma']:g}"))
        loo = _leave_one_out(matrix, weights, benefit, candidates, columns, ranks,
                             method=method, normalization=normalization)

    excluded = [
        {"id": zone, "name": _raw_value(names[k]), "reasons": ledger.reasons[k]}
        for k, zone in enumerate(ids) if ledger.reasons[k]
    ]
    hint = None
    if not ranked and excluded:
        (key, slot, value), count = max(ledger.excluded_by.items(), key=lambda item: item[1])
        hint = say(key, **{slot: value}, count=count, total=len(ids))

    incentives: dict[str, Any] = {}
    if req.headcount is not None and has_classes:
        incentives = _incentives(req, table, ranked_positions, ids, assumptions)
    elif req.headcount is not None:
        warnings.append(say("no_incentive_class"))

    result = {
        "requirements": req.model_dump(mode="json", exclude_none=True),
        "method": method,
        "normalization": normalization,
        "weights": dict(zip(columns, weights.tolist(), strict=True)),
        "consistency_ratio": plan.consistency_ratio,
        "criteria": [
            {**c.model_dump(mode="json"), "weight": w, "unit": unit_of(c.column)}
            for c, w in zip(plan.criteria, weights.tolist(), strict=True)
        ],
        "constraints": [
            {**c.model_dump(mode="json"), "text": describe_constraint(c)}
            for c in plan.constraints
        ],
        "ranked": ranked,
        "excluded": excluded,
        "hint": hint,
        "robustness": robustness,
        "robustness_method": robustness_method,
        "leave_one_out": loo,
        "incentives": incentives,
        "assumptions": assumptions,
        "warnings": warnings,
        "dataset": _dataset_info(len(ids), sites, len(ranked)),
    }
    if warn:
        for message in warnings:
            python_warnings.warn(message, RequirementsWarning, stacklevel=2)
    return _clean(result)


def _apply_constraints(table: _Columns, constraints: Sequence[Constraint],
                       ledger: _Ledger) -> None:
    """Record every failing constraint (and missing value) of every zone."""
    for i, constraint in enumerate(constraints):
        passes, missing, failed = _check_constraint(table, constraint, f"constraints[{i}]")
        label = describe_constraint(constraint)
        for k, reason in failed.items():
            ledger.exclude((k,), reason)
        missing_positions = np.flatnonzero(missing).tolist()
        if constraint.missing == "ignore":  # passes, unchecked
            ledger.note(missing_positions,
                        say("missing_not_checked", column=constraint.column, constraint=label))
            excluded = ~passes & ~missing
        else:
            ledger.exclude(missing_positions, say("missing", column=constraint.column))
            excluded = ~passes
        ledger.excluded_by[("hint_relax", "constraint", label)] = int(excluded.sum())


def _criterion_values(
    table: _Columns, plan: Plan, ledger: _Ledger, warnings: list[str], source: str
) -> tuple[Plan, np.ndarray, np.ndarray]:
    """The criteria as numbers, missing values excluded or imputed (``missing: worst``).

    Returns the plan (less any criterion that no zone fills), the values to score and the raw
    values (NaN where missing) to show, both of shape (n_zones, n_criteria kept).
    """
    values: list[np.ndarray] = []
    raw: list[np.ndarray] = []
    kept: list[int] = []
    for j, criterion in enumerate(plan.criteria):
        column = criterion.column
        where = f"criterion {column}"
        if column not in table:
            raise RequirementsError(
                f"{where}: {column} is not available"
                + (" (it needs a headcount)" if column == "incentive_mad_total" else "")
            )
        numbers = table.numeric(column, where)
        if numbers is None:
            sample = table.series(column).dropna().astype(str).head(1).tolist()
            raise RequirementsError(
                f"{where}: column {column} holds text (e.g. {sample[0]!r}) and a criterion "
                "needs numbers; use it in a constraint (== or in) instead"
                if sample else f"{where}: column {column} holds no numbers"
            )
        missing = np.isnan(numbers)
        scored = numbers
        if criterion.missing == "worst" and missing.any():
            observed = numbers[~missing]
            if observed.size == 0:
                warnings.append(say("criterion_without_values", column=column))
                continue
            worst = float(observed.max() if criterion.direction == "cost" else observed.min())
            missing_positions = np.flatnonzero(missing).tolist()
            for k in missing_positions:
                ledger.imputed[k][column] = worst
            ledger.note(missing_positions, say("missing_scored_worst", column=column,
                                               value=_with_unit(column, worst)))
            scored = np.where(missing, worst, numbers)
        elif missing.any():
            ledger.exclude(np.flatnonzero(missing).tolist(), say("missing", column=column))
            ledger.excluded_by[("hint_worst", "column", column)] = int(missing.sum())
        values.append(scored)
        raw.append(numbers)
        kept.append(j)
    if not kept:
        raise RequirementsError(
            f"{source}: nothing to score: no zone has a value for "
            + ", ".join(c.column for c in plan.criteria)
            + "; choose criteria that the dataset fills"
        )
    if len(kept) < len(plan.criteria):
        weights = np.array([plan.weights[j] for j in kept], dtype=float)
        if weights.sum() <= 0:
            raise RequirementsError(
                f"{source}: every criterion left to score has weight 0; give one a weight > 0"
            )
        plan = dataclasses.replace(
            plan, criteria=[plan.criteria[j] for j in kept], weights=list(weights / weights.sum())
        )
    return plan, np.column_stack(values), np.column_stack(raw)


def _no_variance(matrix: np.ndarray, columns: Sequence[str]) -> list[str]:
    if matrix.shape[0] < 2:
        return []
    return [
        say("criterion_no_variance", column=column, value=_with_unit(column, matrix[0, j]))
        for j, column in enumerate(columns) if np.ptp(matrix[:, j]) == 0
    ]


def _unfit_for_sum(matrix: np.ndarray, columns: Sequence[str]) -> list[str]:
    """Sum normalisation divides by the column's sum: meaningless with signs mixed, void at 0."""
    out = []
    for j, column in enumerate(columns):
        values = matrix[:, j]
        if np.ptp(values) == 0:
            continue  # said already: no variance
        if values.sum() == 0:
            out.append(say("sum_of_zero", column=column))
        elif values.min() < 0 < values.max():
            out.append(say("sum_of_mixed_signs", column=column))
    return out


def _strong_weak_words(columns: Sequence[str], row: np.ndarray, strong: int | None,
                       weak: int | None) -> list[str]:
    words = []
    if strong is not None:
        words.append(say("strongest", column=columns[strong],
                         value=_with_unit(columns[strong], row[strong])))
    if weak is not None and weak != strong:
        words.append(say("weakest", column=columns[weak], value=_with_unit(columns[weak], row[weak])))
    return words


def _robustness(matrix, weights, benefit, candidates, *, method, normalization, draws, seed):
    smaa = rank_acceptability(matrix, weights, benefit, method=method,
                              normalization=normalization, draws=draws, seed=seed)
    by_zone = {
        zone: {"p_first": float(smaa["p_first"][k]), "p_top3": float(smaa["p_top3"][k]),
               "mean_rank": round(float(smaa["mean_rank"][k]), 3)}
        for k, zone in enumerate(candidates)
    }
    method_info = {
        "draws": draws, "seed": seed, "sigma": smaa["sigma"],
        "distribution": "each weight times exp(sigma * N(0, 1)), renormalised to sum 1",
    }
    return by_zone, method_info


def _leave_one_out(matrix, weights, benefit, candidates, columns, ranks, *, method,
                   normalization) -> dict[str, Any]:
    """Per criterion: the ranks without it, the zone then first, the largest rank change."""
    if len(columns) < 2:
        return {}
    result: dict[str, Any] = {}
    order = np.arange(len(candidates))
    loo_ranks = leave_one_out(matrix, weights, benefit, method=method,
                              normalization=normalization)
    for j, column in enumerate(columns):
        row = loo_ranks[j]
        if np.isnan(row).any():  # every other criterion has weight 0
            result[column] = None
            continue
        result[column] = {
            "first": candidates[int(np.lexsort((order, row))[0])],
            "max_rank_change": int(np.abs(row - ranks).max()),
            "ranks": {zone: int(row[k]) for k, zone in enumerate(candidates)},
        }
    return result


def _incentives(req: Requirements, table: _Columns, positions: Sequence[int],
                ids: Sequence[str], assumptions: list[str]) -> dict[str, Any]:
    """The incentive estimate of each ranked zone; its assumptions go to ``assumptions`` once.

    Estimated once per zone class (the estimate depends on the zone only through it).
    """
    codes, uniques, _, _ = table.text(incentive_rules.ZONE_CLASS_COLUMN)
    by_class: dict[int, dict[str, Any]] = {}
    estimates: dict[str, Any] = {}
    for k in positions:
        code = int(codes[k])
        if code not in by_class:
            estimate = incentive_rules.estimate(
                headcount=req.headcount, salary_mad_month=req.salary_mad_month,
                zone_class=_raw_value(uniques[code]) if code >= 0 else None,
                activity=req.activity,
            )
            for line in estimate.pop("assumptions"):
                if line not in assumptions:
                    assumptions.append(line)
            by_class[code] = estimate
        estimates[ids[k]] = dict(by_class[code])
    return estimates


def _numeric_quiet(table: _Columns, column: str) -> bool:
    try:
        return table.numeric(column, column) is not None
    except RequirementsError:
        return False


def _score(
    matrix: np.ndarray, weights: np.ndarray, benefit: np.ndarray, method: str, normalization: str
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None, list[tuple]]:
    """Scores, per-criterion contributions, TOPSIS distance shares and (strongest, weakest)."""
    n_sites, n_criteria = matrix.shape
    if method == "weighted_sum":
        scores = weighted_sum(matrix, weights, benefit, normalization)
        normalised = normalize(matrix, benefit, normalization)
        if normalization != "minmax":
            normalised = normalised * np.where(benefit, 1.0, -1.0)
        unit = weights / weights.sum()
        contributions = normalised * unit  # rows add up to the score
        shortfall = (normalised.max(axis=0) - normalised) * unit
        strong_weak = [
            (int(np.argmax(contributions[k])) if contributions[k].max() > 0 else None,
             int(np.argmax(shortfall[k])) if shortfall[k].max() > 0 else None)
            for k in range(n_sites)
        ]
        return scores, contributions, None, strong_weak
    scores, plus_parts, minus_parts = topsis_components(matrix, weights, benefit, normalization)
    with np.errstate(invalid="ignore", divide="ignore"):
        plus_total = plus_parts.sum(axis=1, keepdims=True)
        minus_total = minus_parts.sum(axis=1, keepdims=True)
        to_ideal = np.where(plus_total > 0, plus_parts / np.where(plus_total > 0, plus_total, 1),
                            0.0)
        to_anti = np.where(minus_total > 0,
                           minus_parts / np.where(minus_total > 0, minus_total, 1), 0.0)
    # The score split in proportion to each criterion's share of the distance to the
    # anti-ideal (what keeps the zone away from the worst): the parts add up to the score.
    contributions = scores[:, None] * to_anti
    strong_weak = [
        (int(np.argmax(to_anti[k])) if to_anti[k].max() > 0 else None,
         int(np.argmax(to_ideal[k])) if to_ideal[k].max() > 0 else None)
        for k in range(n_sites)
    ]
    return scores, contributions, (to_ideal, to_anti), strong_weak


def _dataset_info(n_zones: int, sites: pd.DataFrame, n_ranked: int) -> dict[str, Any]:
    info: dict[str, Any] = {"zones": n_zones, "ranked": n_ranked,
                            "excluded": n_zones - n_ranked}
    for key in ("path", "version"):
        value = getattr(sites, "attrs", {}).get(key)
        if isinstance(value, (str, int, float)):
            info[key] = value
    return info
