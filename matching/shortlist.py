"""The shortlist engine: from requirements and zone features to an explained, robust ranking.

:func:`make_shortlist` applies the hard constraints (every failing zone is excluded with its
reasons, in words with units), scores the remaining zones with the requirement's method
(:func:`matching.topsis` or :func:`matching.weighted_sum`), ranks them (ties share a rank and
keep the input order), explains each score criterion by criterion, measures how sure the order
is (:mod:`matching.robustness`) and estimates the incentives (:mod:`matching.incentives`).
It returns the shortlist JSON of the contract (``DESIGN.md``, "Shortlist contract"): plain,
JSON-safe Python (no NaN, no numpy types), checked against :class:`matching.schema.Shortlist`.
Every sentence is written as a :class:`matching.messages.Message` and given twice: as English
text (``explanation``, ``reasons``...) and as ``messages`` ``{"code", "params", "text"}``.
Facts dated more than ``max_fact_age_years`` ago (``<column>_as_of``) count as missing for the
constraints and are flagged where they show (:mod:`matching.constraints`).

One module because every step (constraints, missing and dated values, scoring, explanations,
incentives) writes to one ledger of what happens to each zone (``_Ledger``), and the result is
assembled from it in one place; the numeric work lives in :mod:`matching.mcda`,
:mod:`matching.explain`, :mod:`matching.robustness` and :mod:`matching.constraints`.

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
>>> result["excluded"][0]["messages"][0]["params"]
{'column': 'rent_mad_m2_month', 'value': 140.0, 'unit': 'MAD/m²/month', 'op': '>', 'limit': 120}
"""

from __future__ import annotations

import dataclasses
import math
import warnings as python_warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from matching import incentives as incentive_rules
from matching import settings
from matching.constraints import (
    DEFAULT_MAX_FACT_AGE_YEARS,
    Columns,
    check_constraint,
    describe_constraint,
)
from matching.errors import RequirementsError, RequirementsWarning
from matching.explain import (
    no_variance,
    saturated_thresholds,
    score,
    strong_weak_words,
    unfit_for_sum,
)
from matching.mcda import Normalization
from matching.messages import Message, message
from matching.requirements import (
    Constraint,
    Plan,
    Requirements,
    parse_requirements,
    resolve,
)
from matching.robustness import competition_ranks, leave_one_out, rank_acceptability
from matching.schema import Shortlist
from matching.sensitivity import sensitivity as weight_sensitivity
from matching.units import unit_of
from matching.values import ValueSpec, check_matrix, spec_of, value_matrix

__all__ = ["describe_constraint", "make_shortlist", "unit_of"]

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
    reasons: list[list[Message]] = field(default_factory=list)
    notes: list[list[Message]] = field(default_factory=list)
    imputed: list[dict[str, float]] = field(default_factory=list)
    #: per zone, the facts flagged as dated (stale): column -> its date (ISO)
    dated: list[dict[str, str]] = field(default_factory=list)
    #: per constraint with ``missing: ignore``, its parameters and the zones kept unchecked
    unchecked: list[tuple[dict[str, Any], list[int]]] = field(default_factory=list)
    #: zones excluded per cause (a constraint, a criterion's missing values), for the hint when
    #: nothing is ranked; keyed by (hint code, the cause in words), valued by the hint's
    #: parameters and the count
    excluded_by: dict[tuple[str, str], tuple[dict[str, Any], int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reasons = [[] for _ in range(self.n_zones)]
        self.notes = [[] for _ in range(self.n_zones)]
        self.imputed = [{} for _ in range(self.n_zones)]
        self.dated = [{} for _ in range(self.n_zones)]

    def exclude(self, positions: Iterable[int], reason: Message) -> None:
        for k in positions:
            if all(reason.text != known.text for known in self.reasons[k]):
                self.reasons[k].append(reason)

    def note(self, positions: Iterable[int], note: Message) -> None:
        for k in positions:
            if all(note.text != known.text for known in self.notes[k]):
                self.notes[k].append(note)


def make_shortlist(
    requirements: Requirements | dict[str, Any],
    sites: pd.DataFrame,
    *,
    robustness_draws: int | None = None,
    seed: int | None = None,
    source: str = "requirements",
    warn: bool = False,
    today: date | None = None,
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
    today
        The date facts are aged from (``<column>_as_of`` against the requirement's
        ``max_fact_age_years``); default today in Morocco.
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
        twice = sorted(zone for zone, count in Counter(ids).items() if count > 1)
        raise RequirementsError(f"sites: zone ids {', '.join(twice)} appear more than once")
    req = parse_requirements(requirements, columns=list(sites.columns), source=source)
    max_age = (req.max_fact_age_years if req.max_fact_age_years is not None
               else DEFAULT_MAX_FACT_AGE_YEARS)
    table = Columns(sites, ids, max_fact_age_years=max_age, today=today)
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
    warnings = list(plan.warning_messages)
    assumptions = list(plan.assumption_messages)
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
    _flag_dated(table, columns, ledger)
    positions = [k for k in range(len(ids)) if not ledger.reasons[k]]
    for params, unchecked in ledger.unchecked:  # how many zones a constraint kept unchecked
        kept = sum(1 for k in unchecked if not ledger.reasons[k])
        if kept:
            warnings.append(message("warning.kept_unchecked", count=kept, total=len(ids),
                                    constraint=params))
    used = {c.column for c in plan.constraints} | set(columns)
    if any(c in used for c in table.dated_columns):
        assumptions.append(message("assumption.fact_age", since=table.cutoff.isoformat(),
                                   years=int(max_age) if float(max_age).is_integer()
                                   else max_age))
    candidates = [ids[k] for k in positions]
    benefit = np.array([c.direction == "benefit" for c in plan.criteria])
    weights = np.array(plan.weights, dtype=float)
    # column-major, as the frame's values were: the same sums in the same order, so the same
    # scores to the last bit
    matrix = np.asfortranarray(all_values[positions])
    method, normalization = req.method, req.normalization or "values"
    # With value functions the core scores the 0-1 values, every criterion a benefit;
    # ``matrix`` keeps the raw values for the words.
    specs = ([spec_of(c) for c in plan.criteria] if normalization == "values"
             else [ValueSpec(benefit=bool(b)) for b in benefit])
    core_benefit = np.ones_like(benefit) if normalization == "values" else benefit
    core_normalization: Normalization = "none" if normalization == "values" else normalization

    ranked: list[dict[str, Any]] = []
    ranked_messages: list[list[Message]] = []
    ranked_positions: list[int] = []
    robustness: dict[str, Any] = {}
    robustness_method: dict[str, Any] | None = None
    loo: dict[str, Any] = {}
    sensitivity: list[dict[str, Any]] = []
    if candidates:
        warnings.extend(no_variance(matrix, columns))
        if normalization == "sum":
            warnings.extend(unfit_for_sum(matrix, columns))
        check_matrix(matrix, specs, columns, source=source)  # names a column it cannot value
        scored = value_matrix(matrix, specs) if normalization == "values" else matrix
        if normalization == "values":
            warnings.extend(saturated_thresholds(matrix, scored, specs, columns))
        scores, contributions, shares, strong_weak = score(
            scored, weights, core_benefit, method, core_normalization
        )
        ranks = competition_ranks(scores)
        raw_rows = raw_numbers[positions].tolist()
        contribution_rows = contributions.tolist()
        score_list = scores.tolist()
        to_ideal_rows, to_anti_rows = (
            (shares[0].tolist(), shares[1].tolist()) if shares is not None else ([], [])
        )
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
            entry["dated"] = ledger.dated[position]
            said = strong_weak_words(columns, matrix[k], *strong_weak[k]) + ledger.notes[position]
            entry["explanation"] = [m.text for m in said]
            ranked.append(entry)
            ranked_messages.append(said)
            ranked_positions.append(position)

        draws = robustness_draws
        if draws is None:
            draws = req.robustness.draws if req.robustness else settings.ROBUSTNESS_DRAWS
        draws = max(0, min(int(draws), settings.MAX_ROBUSTNESS_DRAWS))
        if seed is None:
            seed = req.robustness.seed if req.robustness else 0
        if draws > 0:
            robustness, robustness_method = _robustness(
                scored, weights, core_benefit, candidates, method=method,
                normalization=core_normalization, draws=draws, seed=seed,
            )
            assumptions.append(message("assumption.robustness_draws", draws=draws, seed=seed,
                                       sigma=robustness_method["sigma"]))
        loo = _leave_one_out(scored, weights, core_benefit, candidates, columns, ranks,
                             method=method, normalization=core_normalization)
        # scored as above: the intervals hold for the values and method the ranks come from
        sensitivity = weight_sensitivity(
            scored, weights, core_benefit, columns=columns, zone_ids=candidates,
            zone_names=[_raw_value(names[k]) for k in positions],
            top=int(np.lexsort((np.arange(len(candidates)), ranks))[0]), method=method,
            normalization=core_normalization,
        )

    excluded = [
        {"id": zone, "name": _raw_value(names[k]), "reasons": [m.text for m in ledger.reasons[k]],
         "dated": ledger.dated[k]}
        for k, zone in enumerate(ids) if ledger.reasons[k]
    ]
    hint: Message | None = None
    if not ranked and excluded:
        (code, _), (params, count) = max(ledger.excluded_by.items(),
                                         key=lambda item: item[1][1])
        hint = message(code, **params, count=count, total=len(ids))

    incentives: dict[str, Any] = {}
    incentive_notes: list[Message] = []
    if req.headcount is not None and has_classes:
        incentives = _incentives(req, table, ranked_positions, ids, assumptions,
                                 incentive_notes, headcount=req.headcount)
    elif req.headcount is not None:
        warnings.append(message("warning.no_incentive_class"))

    result = {
        "requirements": req.model_dump(mode="json", exclude_none=True),
        "method": method,
        "normalization": normalization,
        "weights": dict(zip(columns, weights.tolist(), strict=True)),
        "consistency_ratio": plan.consistency_ratio,
        "criteria": [
            {**c.model_dump(mode="json", exclude={"value", "floor", "target"}), "weight": w,
             "unit": unit_of(c.column), **_value_record(spec, normalization)}
            for c, w, spec in zip(plan.criteria, weights.tolist(), specs, strict=True)
        ],
        "constraints": [
            {**c.model_dump(mode="json"), "text": describe_constraint(c)}
            for c in plan.constraints
        ],
        "ranked": ranked,
        "excluded": excluded,
        "hint": hint.text if hint else None,
        "robustness": robustness,
        "robustness_method": robustness_method,
        "leave_one_out": loo,
        "sensitivity": sensitivity,
        "incentives": incentives,
        "assumptions": [m.text for m in assumptions],
        "warnings": [m.text for m in warnings],
        "dataset": _dataset_info(len(ids), sites, len(ranked)),
    }
    if warn:
        for warning in warnings:
            python_warnings.warn(warning.text, RequirementsWarning, stacklevel=2)
    result = _clean(result)
    # messages hold plain values already: added after the cleaning pass, each entry's last
    for entry, said in zip(result["ranked"], ranked_messages, strict=True):
        entry["messages"] = [m.as_json() for m in said]
    excluded_messages = (ledger.reasons[k] for k in range(len(ids)) if ledger.reasons[k])
    for entry, said in zip(result["excluded"], excluded_messages, strict=True):
        entry["messages"] = [m.as_json() for m in said]
    result["messages"] = [m.as_json() for m in
                          [*warnings, *([hint] if hint else []), *assumptions, *incentive_notes]]
    # The model checks the shape. Its dump (mode="json", exclude_unset=True) equals ``result``
    # key for key (tests/matching/test_schema.py checks it); returning ``result`` spares the
    # dump, half the model's cost.
    Shortlist.model_validate(result)
    return result


#: facts only a zone's operator can give: unknown or out of date, the reader is told to ask
ASK_OPERATOR = frozenset({"rent_mad_m2_month"})


def _fact(table: Columns, column: str, k: int) -> tuple[Any, str]:
    """A zone's value of ``column`` and its unit (a number, or the text of a text column)."""
    numbers = table.numeric(column, column)
    if numbers is not None:
        return float(numbers[k]), unit_of(column)
    codes, uniques, _, _ = table.text(column)
    return str(uniques[codes[k]]).strip(), ""


def _stale_positions(table: Columns, column: str, positions: Iterable[int]) -> dict[int, str]:
    """Of ``positions`` (zones missing a value for a constraint), those whose value is known
    but dated too long ago, with the date."""
    dated = table.dated(column)
    if dated is None:
        return {}
    numbers = table.numeric(column, column)
    unknown = np.isnan(numbers) if numbers is not None else table.text(column)[3]
    found: dict[int, str] = {}
    for k in positions:
        known = not unknown[k]
        as_of = dated.as_of[k]
        if dated.stale[k] and known and as_of is not None:
            found[k] = as_of
    return found


def _value_record(spec: ValueSpec, normalization: str) -> dict[str, Any]:
    """The value function a criterion was scored with (none under a published normalisation)."""
    if normalization != "values":
        return {"value": None}
    record: dict[str, Any] = {"value": spec.kind}
    if spec.kind == "threshold":
        record.update(floor=spec.floor, target=spec.target)
    return record


def _apply_constraints(table: Columns, constraints: Sequence[Constraint],
                       ledger: _Ledger) -> None:
    """Record every failing constraint (and missing or stale value) of every zone."""
    for i, constraint in enumerate(constraints):
        passes, missing, failed = check_constraint(table, constraint, f"constraints[{i}]")
        column = constraint.column
        label = describe_constraint(constraint)
        as_params = {"column": column, "op": constraint.op, "value": constraint.value}
        for k, reason in failed.items():
            ledger.exclude((k,), reason)
        missing_positions = np.flatnonzero(missing).tolist()
        stale = _stale_positions(table, column, missing_positions)
        ask = column in ASK_OPERATOR
        for k in missing_positions:
            if k in stale:
                value, unit = _fact(table, column, k)
                ledger.dated[k][column] = stale[k]
                dated_params = {"column": column, "value": value, "unit": unit,
                                "as_of": stale[k]}
                if constraint.missing == "exclude":
                    said = message("value.dated", **dated_params)
                elif ask:
                    said = message("constraint.dated_ask_operator", **dated_params)
                else:
                    said = message("constraint.dated_not_checked", **dated_params,
                                   constraint=as_params)
            elif constraint.missing == "exclude":
                said = message("value.missing", column=column)
            elif ask:
                said = message("constraint.unknown_ask_operator", column=column)
            else:
                said = message("constraint.not_checked", column=column, constraint=as_params)
            if constraint.missing == "exclude":
                ledger.exclude((k,), said)
            else:
                ledger.note((k,), said)
        if constraint.missing == "ignore":  # passes, unchecked
            excluded = ~passes & ~missing
            ledger.unchecked.append((as_params, missing_positions))
        else:
            excluded = ~passes
        ledger.excluded_by[("hint.relax_constraint", label)] = (
            {"constraint": as_params}, int(excluded.sum()))


def _criterion_values(
    table: Columns, plan: Plan, ledger: _Ledger, warnings: list[Message], source: str
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
                warnings.append(message("warning.criterion_without_values", column=column))
                continue
            worst = float(observed.max() if criterion.direction == "cost" else observed.min())
            missing_positions = np.flatnonzero(missing).tolist()
            for k in missing_positions:
                ledger.imputed[k][column] = worst
            ledger.note(missing_positions, message("criterion.scored_worst", column=column,
                                                   value=worst, unit=unit_of(column)))
            scored = np.where(missing, worst, numbers)
        elif missing.any():
            ledger.exclude(np.flatnonzero(missing).tolist(),
                           message("value.missing", column=column))
            ledger.excluded_by[("hint.score_worst", column)] = ({"column": column},
                                                                int(missing.sum()))
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


def _flag_dated(table: Columns, columns: Sequence[str], ledger: _Ledger) -> None:
    """Flag each criterion's stale values (scored as they are, said to be dated), unless a
    constraint on the column flagged them already."""
    for column in columns:
        try:
            dated = table.dated(column)
        except RequirementsError as exc:
            raise RequirementsError(f"criterion {column}: {exc.message}") from None
        if dated is None:
            continue
        numbers = table.numeric(column, column)
        if numbers is None:
            continue
        for k in np.flatnonzero(dated.stale & ~np.isnan(numbers)).tolist():
            as_of = dated.as_of[k]
            if column in ledger.dated[k] or as_of is None:
                continue
            ledger.dated[k][column] = as_of
            ledger.note((k,), message("fact.dated", column=column, value=float(numbers[k]),
                                      unit=unit_of(column), as_of=as_of))


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


def _incentives(req: Requirements, table: Columns, positions: Sequence[int],
                ids: Sequence[str], assumptions: list[Message],
                notes: list[Message], *, headcount: int) -> dict[str, Any]:
    """The incentive estimate of each ranked zone (``headcount`` new jobs); its assumptions go to ``assumptions`` once,
    its corporate-tax note to ``notes`` once.

    Estimated once per zone class (the estimate depends on the zone only through it).
    """
    codes, uniques, _, _ = table.text(incentive_rules.ZONE_CLASS_COLUMN)
    by_class: dict[int, dict[str, Any]] = {}
    estimates: dict[str, Any] = {}
    for k in positions:
        code = int(codes[k])
        if code not in by_class:
            estimate = incentive_rules.estimate(
                headcount=headcount, salary_mad_month=req.salary_mad_month,
                zone_class=_raw_value(uniques[code]) if code >= 0 else None,
                activity=req.activity, messages=True,
            )
            estimate.pop("assumptions")
            for said in estimate.pop("messages"):
                known = notes if said.code.startswith("incentive.") else assumptions
                if all(said.text != m.text for m in known):
                    known.append(said)
            by_class[code] = estimate
        estimates[ids[k]] = dict(by_class[code])
    return estimates


def _numeric_quiet(table: Columns, column: str) -> bool:
    try:
        return table.numeric(column, column) is not None
    except RequirementsError:
        return False


def _dataset_info(n_zones: int, sites: pd.DataFrame, n_ranked: int) -> dict[str, Any]:
    info: dict[str, Any] = {"zones": n_zones, "ranked": n_ranked,
                            "excluded": n_zones - n_ranked}
    for key in ("path", "version"):
        value = getattr(sites, "attrs", {}).get(key)
        if isinstance(value, (str, int, float)):
            info[key] = value
    return info
