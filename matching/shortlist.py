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
import warnings as python_warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from matching import incentives as incentive_rules
from matching import settings
from matching.errors import RequirementsError, RequirementsWarning
from matching.mcda import normalize, topsis_components, weighted_sum
from matching.requirements import (
    Constraint,
    Plan,
    Requirements,
    parse_requirements,
    resolve,
)
from matching.robustness import competition_ranks, leave_one_out, rank_acceptability

__all__ = ["describe_constraint", "make_shortlist", "unit_of"]

#: Units of columns whose name does not end in a unit suffix.
_UNITS: dict[str, str] = {
    "incentive_mad_per_job": "MAD/job",
    "incentive_mad_total": "MAD",
}
#: Unit suffixes, longest first (the dataset contract's unit names).
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_mad_m2_month", "MAD/m²/month"),
    ("_mad_month", "MAD/month"),
    ("_mad_m2", "MAD/m²"),
    ("_km", "km"),
    ("_m2", "m²"),
    ("_ha", "ha"),
    ("_pct", "%"),
    ("_mad", "MAD"),
    ("_month", "months"),
    ("_count", ""),
)
#: Constraint operators and the relation that holds when a value fails them.
_FAILED: dict[str, str] = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


def unit_of(column: str) -> str:
    """The unit a column's name carries (empty when none).

    Examples
    --------
    >>> unit_of("rent_mad_m2_month"), unit_of("airports_km"), unit_of("catchment_labour_active")
    ('MAD/m²/month', 'km', '')
    """
    if column in _UNITS:
        return _UNITS[column]
    for suffix, unit in _SUFFIXES:
        if column.endswith(suffix):
            return unit
    return ""


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


def _is_missing_text(series: pd.Series) -> pd.Series:
    return series.isna() | series.astype("string").str.strip().fillna("").eq("")


def _numeric(frame: pd.DataFrame, column: str, where: str) -> pd.Series | None:
    """The column as floats, or ``None`` when it holds text; text in a number column is an error."""
    series = frame[column]
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    missing = _is_missing_text(series)
    converted = pd.to_numeric(series.where(~missing), errors="coerce")
    bad = converted.isna() & ~missing
    if not bad.any():
        return converted.astype(float)
    if bad.sum() >= (~missing).sum() / 2:
        return None  # a text column
    rows = ", ".join(f"{zone} ({series[zone]!r})" for zone in series.index[bad][:5])
    raise RequirementsError(
        f"{where}: column {column} holds numbers but some zones have text: {rows}; fix the "
        "dataset (`techvalley validate` lists every problem)"
    )


def _items(value: Any) -> set[str]:
    """A cell as a set of lower-case items (``ITO;CRM`` -> {"ito", "crm"})."""
    return {part.strip().lower() for part in str(value).split(";") if part.strip()}


def _check_constraint(
    frame: pd.DataFrame, constraint: Constraint, where: str
) -> tuple[pd.Series, pd.Series, dict[str, str]]:
    """Evaluate one constraint: (passes, missing, reason per failing zone)."""
    column, op, value = constraint.column, constraint.op, constraint.value
    values = value if isinstance(value, list) else [value]
    if column not in frame.columns:
        raise RequirementsError(
            f"{where}: {column} is not available"
            + (" (it needs a headcount)" if column == "incentive_mad_total" else "")
        )
    numbers = _numeric(frame, column, where)
    reasons: dict[str, str] = {}
    if numbers is not None:
        missing = numbers.isna()
        if any(isinstance(v, str) for v in values):
            raise RequirementsError(
                f"{where} ({describe_constraint(constraint)}): column {column} holds numbers; "
                "give numbers as values"
            )
        limits = [float(v) for v in values]
        x = numbers.to_numpy()
        with np.errstate(invalid="ignore"):
            if op == "in":
                ok = np.isin(x, limits)
            elif op == "not in":
                ok = ~np.isin(x, limits)
            else:
                ok = {"<": np.less, "<=": np.less_equal, ">": np.greater,
                      ">=": np.greater_equal, "==": np.equal, "!=": np.not_equal}[op](x, limits[0])
        passes = pd.Series(ok, index=frame.index) & ~missing
        for zone in frame.index[~passes & ~missing]:
            shown = _with_unit(column, numbers[zone])
            if op in _FAILED:
                reasons[zone] = f"{column} {shown} {_FAILED[op]} {_limit(value)}"
            else:
                verb = "is not one of" if op == "in" else "is one of"
                reasons[zone] = f"{column} {shown} {verb} {_limit(values)}"
        return passes, missing, reasons
    if op in ("<", "<=", ">", ">="):
        raise RequirementsError(
            f"{where} ({describe_constraint(constraint)}): column {column} holds text, which "
            f"'{op}' cannot compare; use '==', '!=', 'in' or 'not in'"
        )
    text = frame[column]
    missing = _is_missing_text(text)
    wanted = {str(v).strip().lower() for v in values}
    passed = []
    for zone in frame.index:
        if missing[zone]:
            passed.append(False)
            continue
        cell = str(text[zone]).strip()
        if op in ("==", "!="):
            equal = cell.lower() == str(value).strip().lower()
            ok = equal if op == "==" else not equal
            if not ok:
                reasons[zone] = f"{column} {cell!r} {_FAILED[op]} {_limit(value)!r}"
        else:
            shared = _items(cell) & wanted
            ok = bool(shared) if op == "in" else not shared
            listed = ";" in cell
            if not ok and op == "in":
                verb = "has none of" if listed else "is not one of"
                reasons[zone] = f"{column} {cell!r} {verb} {_limit(values)}"
            elif not ok:
                verb = "includes" if listed else "is"
                reasons[zone] = (f"{column} {cell!r} {verb} {', '.join(sorted(shared))}, which "
                                 "the requirement excludes")
        passed.append(ok)
    return pd.Series(passed, index=frame.index), missing, reasons


# ---------------------------------------------------------------------------------------
# JSON


def _clean(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN and infinities to ``None``."""
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
    """What happens to each zone: exclusion reasons, explanation notes, imputed values."""

    zones: pd.Index
    reasons: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    imputed: dict[str, dict[str, float]] = field(default_factory=dict)
    #: zones excluded per cause (a constraint, a criterion's missing values), keyed by the
    #: advice that the hint gives when nothing is ranked
    excluded_by: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for zone in self.zones:
            self.reasons[zone], self.notes[zone], self.imputed[zone] = [], [], {}


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
        :func:`valleys.site_features`); a ``name`` column names them.
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
    """
    frame = pd.DataFrame(sites).copy()
    frame.index = frame.index.map(str)
    if frame.index.has_duplicates:
        twice = sorted(set(frame.index[frame.index.duplicated()]))
        raise RequirementsError(f"sites: zone ids {', '.join(twice)} appear more than once")
    req = parse_requirements(requirements, columns=list(frame.columns), source=source)
    has_classes = incentive_rules.ZONE_CLASS_COLUMN in frame.columns
    if has_classes:
        extra = incentive_rules.incentive_columns(
            frame, headcount=req.headcount, salary_mad_month=req.salary_mad_month,
            activity=req.activity,
        )
        frame = frame.drop(columns=[c for c in extra.columns if c in frame.columns]).join(extra)
    plan = resolve(req, list(frame.columns))
    warnings, assumptions = list(plan.warnings), list(plan.assumptions)
    if not plan.criteria:
        numeric = [c for c in frame.columns if c != "name" and _numeric_quiet(frame, c)]
        raise RequirementsError(
            f"{source}: nothing to score: give criteria (or an activity whose preset criteria "
            f"the dataset has); this dataset's numeric columns: {', '.join(numeric) or 'none'}"
        )
    names = frame["name"] if "name" in frame.columns else pd.Series(frame.index, frame.index)

    ledger = _Ledger(frame.index)
    _apply_constraints(frame, plan.constraints, ledger)
    plan, values, raw_numbers = _criterion_values(frame, plan, ledger, warnings, source)
    columns = [c.column for c in plan.criteria]
    candidates = [zone for zone in frame.index if not ledger.reasons[zone]]
    benefit = np.array([c.direction == "benefit" for c in plan.criteria])
    weights = np.array(plan.weights, dtype=float)
    matrix = values.loc[candidates, columns].to_numpy(dtype=float)
    method, normalization = req.method, req.normalization or "vector"

    ranked: list[dict[str, Any]] = []
    robustness: dict[str, Any] = {}
    robustness_method: dict[str, Any] | None = None
    loo: dict[str, Any] = {}
    if candidates:
        warnings.extend(_no_variance(matrix, columns))
        scores, contributions, shares, strong_weak = _score(
            matrix, weights, benefit, method, normalization
        )
        ranks = competition_ranks(scores)
        for k in np.lexsort((np.arange(len(candidates)), ranks)):
            zone = candidates[k]
            entry: dict[str, Any] = {
                "id": zone,
                "name": _raw_value(names[zone]),
                "rank": int(ranks[k]),
                "score": float(scores[k]),
                "values": {c: _raw_value(raw_numbers[c][zone]) for c in columns},
                "contributions": {c: float(contributions[k, j]) for j, c in enumerate(columns)},
            }
            if shares is not None:
                entry["distance_shares"] = {
                    c: {"to_ideal": float(shares[0][k, j]),
                        "to_anti_ideal": float(shares[1][k, j])}
                    for j, c in enumerate(columns)
                }
            entry["imputed"] = ledger.imputed[zone]
            entry["explanation"] = (
                _strong_weak_words(columns, matrix[k], *strong_weak[k]) + ledger.notes[zone]
            )
            ranked.append(entry)

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
            assumptions.append(
                f"robustness: {draws} weight draws, each weight multiplied by a log-normal "
                f"factor exp({robustness_method['sigma']:g} Z), renormalised; seed {seed}"
            )
        loo = _leave_one_out(matrix, weights, benefit, candidates, columns, ranks,
                             method=method, normalization=normalization)

    excluded = [
        {"id": zone, "name": _raw_value(names[zone]), "reasons": ledger.reasons[zone]}
        for zone in frame.index if ledger.reasons[zone]
    ]
    hint = None
    if not ranked and excluded:
        advice, count = max(ledger.excluded_by.items(), key=lambda item: item[1])
        hint = f"{advice}: it excluded the most zones ({count} of {len(frame)})."

    incentives: dict[str, Any] = {}
    if req.headcount is not None and has_classes:
        incentives = _incentives(req, frame, [entry["id"] for entry in ranked], assumptions)
    elif req.headcount is not None:
        warnings.append(
            "incentives were not estimated: the dataset has no incentive_zone_class column"
        )

    result = {
        "requirements": req.model_dump(mode="json", exclude_none=True),
        "method": method,
        "normalization": normalization,
        "weights": {c: float(w) for c, w in zip(columns, weights, strict=True)},
        "consistency_ratio": plan.consistency_ratio,
        "criteria": [
            {**c.model_dump(mode="json"), "weight": float(w), "unit": unit_of(c.column)}
            for c, w in zip(plan.criteria, weights, strict=True)
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
        "dataset": _dataset_info(frame, sites, len(ranked)),
    }
    if warn:
        for message in warnings:
            python_warnings.warn(message, RequirementsWarning, stacklevel=2)
    return _clean(result)


def _apply_constraints(frame: pd.DataFrame, constraints: Sequence[Constraint],
                       ledger: _Ledger) -> None:
    """Record every failing constraint (and missing value) of every zone."""
    for i, constraint in enumerate(constraints):
        passes, missing, failed = _check_constraint(frame, constraint, f"constraints[{i}]")
        label = describe_constraint(constraint)
        for zone, reason in failed.items():
            ledger.reasons[zone].append(reason)
        ignored = missing & (constraint.missing == "ignore")  # passes, unchecked
        for zone in frame.index[missing]:
            if constraint.missing == "ignore":
                ledger.notes[zone].append(f"{constraint.column} missing: {label} not checked")
            else:
                ledger.reasons[zone].append(f"{constraint.column} missing")
        ledger.excluded_by[f"Relax the constraint {label} first"] = int((~passes & ~ignored).sum())


def _criterion_values(
    frame: pd.DataFrame, plan: Plan, ledger: _Ledger, warnings: list[str], source: str
) -> tuple[Plan, pd.DataFrame, dict[str, pd.Series]]:
    """The criteria as numbers, missing values excluded or imputed (``missing: worst``).

    Returns the plan (less any criterion that no zone fills), the values to score and the raw
    values (NaN where missing) to show.
    """
    values = pd.DataFrame(index=frame.index)
    raw: dict[str, pd.Series] = {}
    kept: list[int] = []
    for j, criterion in enumerate(plan.criteria):
        column = criterion.column
        where = f"criterion {column}"
        if column not in frame.columns:
            raise RequirementsError(
                f"{where}: {column} is not available"
                + (" (it needs a headcount)" if column == "incentive_mad_total" else "")
            )
        numbers = _numeric(frame, column, where)
        if numbers is None:
            sample = frame[column].dropna().astype(str).head(1).tolist()
            raise RequirementsError(
                f"{where}: column {column} holds text (e.g. {sample[0]!r}) and a criterion "
                "needs numbers; use it in a constraint (== or in) instead"
                if sample else f"{where}: column {column} holds no numbers"
            )
        missing = numbers.isna()
        raw[column] = numbers
        if criterion.missing == "worst" and missing.any():
            observed = numbers.dropna()
            if observed.empty:
                warnings.append(f"criterion {column} was dropped: no zone has a value to score")
                continue
            worst = float(observed.max() if criterion.direction == "cost" else observed.min())
            for zone in frame.index[missing]:
                ledger.imputed[zone][column] = worst
                ledger.notes[zone].append(
                    f"{column} missing: scored as the worst observed value "
                    f"({_with_unit(column, worst)})"
                )
            numbers = numbers.fillna(worst)
        elif missing.any():
            for zone in frame.index[missing]:
                ledger.reasons[zone].append(f"{column} missing")
            ledger.excluded_by[
                f"Score the criterion {column} with missing: worst, or drop it"
            ] = int(missing.sum())
        values[column] = numbers
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
    return plan, values, raw


def _no_variance(matrix: np.ndarray, columns: Sequence[str]) -> list[str]:
    if matrix.shape[0] < 2:
        return []
    return [
        f"criterion {column} has the same value ({_with_unit(column, matrix[0, j])}) in every "
        "ranked zone: it cannot separate them"
        for j, column in enumerate(columns) if np.ptp(matrix[:, j]) == 0
    ]


def _strong_weak_words(columns: Sequence[str], row: np.ndarray, strong: int | None,
                       weak: int | None) -> list[str]:
    words = []
    if strong is not None:
        words.append(f"strongest criterion: {columns[strong]} "
                     f"({_with_unit(columns[strong], row[strong])})")
    if weak is not None and weak != strong:
        words.append(f"weakest criterion: {columns[weak]} ({_with_unit(columns[weak], row[weak])})")
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


def _incentives(req: Requirements, frame: pd.DataFrame, zones: Sequence[str],
                assumptions: list[str]) -> dict[str, Any]:
    """The incentive estimate of each ranked zone; its assumptions go to ``assumptions`` once."""
    estimates: dict[str, Any] = {}
    for zone in zones:
        estimate = incentive_rules.estimate(
            headcount=req.headcount, salary_mad_month=req.salary_mad_month,
            zone_class=_raw_value(frame.at[zone, incentive_rules.ZONE_CLASS_COLUMN]),
            activity=req.activity,
        )
        for line in estimate.pop("assumptions"):
            if line not in assumptions:
                assumptions.append(line)
        estimates[zone] = estimate
    return estimates


def _numeric_quiet(frame: pd.DataFrame, column: str) -> bool:
    try:
        return _numeric(frame, column, column) is not None
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


def _dataset_info(frame: pd.DataFrame, sites: pd.DataFrame, n_ranked: int) -> dict[str, Any]:
    info: dict[str, Any] = {"zones": len(frame), "ranked": n_ranked,
                            "excluded": len(frame) - n_ranked}
    for key in ("path", "version"):
        value = getattr(sites, "attrs", {}).get(key)
        if isinstance(value, (str, int, float)):
            info[key] = value
    return info
