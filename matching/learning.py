"""Learn criterion weights from past placements (issue 5).

An agency knows, for each past decision, the zones an investor considered and the one it
chose. :func:`learn_weights` turns that evidence into criterion weights:

1. each criterion is standardised over the zones named in the decisions;
2. the **pairwise transform** (Herbrich et al. 2000, RankSVM): within a decision, every
   (chosen, not chosen) pair gives the difference of their standardised features, labelled 1,
   and its negation, labelled 0;
3. a linear model without intercept (scikit-learn ``LogisticRegression``) separates the two:
   its coefficients are the weights, their signs the directions (benefit or cost);
4. cross-validation by decision (``GroupKFold``) reports top-1 accuracy and NDCG of the learned
   weights against equal weights and against the activity preset;
5. how far to trust each weight: a percentile confidence interval from refitting on decisions
   resampled with replacement (:func:`bootstrap_weights`, seeded), a warning naming each pair
   of criteria correlated beyond :data:`CORRELATION_LIMIT` over the decisions' zones (their
   weights trade off against each other: only their sum is learned,
   :func:`correlated_pairs`), and one when there are fewer than
   :data:`DECISIONS_PER_CRITERION` decisions per criterion.

One module because checking the decisions, fitting the weights and saying how far to trust
them are one procedure, read together from the decisions to the fragment (over 500 lines).

The fitted model ranks zones by ``sum_j coef_j * (x_j - mean_j) / sd_j``, i.e. by
``sum_j (coef_j / sd_j) * x_j``. :meth:`LearnedWeights.to_requirements` writes exactly those
per-unit coefficients as a requirements fragment with ``method: weighted_sum`` and
``normalization: none``: a cost criterion is subtracted there, so the shortlist's score is a
positive multiple of the model's and ranks zones as the model does, on any set of zones.
(``minmax`` would rescale each criterion by the range of the zones being ranked, which changes
from one dataset or shortlist to another, so no fixed weights could reproduce the model.)

The domain functions here take DataFrames and read no files; ``matching.cli_learning`` parses
``DECISIONS.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.api.types import is_numeric_dtype

from matching.errors import DecisionsError
from matching.messages import Message, message

__all__ = [
    "CORRELATION_LIMIT",
    "DECISIONS_PER_CRITERION",
    "DECISION_COLUMNS",
    "DEFAULT_BOOTSTRAP",
    "LearnedWeights",
    "bootstrap_weights",
    "check_criteria",
    "check_decisions",
    "correlated_pairs",
    "cosine_similarity",
    "fit_pairwise",
    "learn_weights",
    "pairwise_differences",
    "preset_scores",
    "ranking_quality",
]

#: The columns a decisions table must have (``activity`` is optional).
DECISION_COLUMNS: tuple[str, ...] = ("decision_id", "site_id", "chosen")
#: Two criteria whose values over the decisions' zones correlate beyond this (in absolute
#: value) cannot be weighed apart: the fit trades one for the other (issue 12: cosine 0.5 on
#: 50 decisions).
CORRELATION_LIMIT: float = 0.95
#: Fewer decisions than this many per criterion and the learned weights are flagged as not
#: reliable yet (the figures are in docs/learning.md, "How many decisions").
DECISIONS_PER_CRITERION: int = 25
#: Bootstrap resamples of the decisions for the weights' confidence intervals.
DEFAULT_BOOTSTRAP: int = 200
#: Coverage of the confidence intervals.
CONFIDENCE_LEVEL: float = 0.95

# Most problems listed in one error before "... and N more".
_MAX_DETAILS = 20


def _line(position: int | np.integer) -> str:
    # Row ``position`` (0-based) of the table is line position + 2 of its CSV (line 1: header).
    return f"line {position + 2}"


def _raise_all(message: str, problems: list[str]) -> None:
    if problems:
        shown = problems[:_MAX_DETAILS]
        if len(problems) > _MAX_DETAILS:
            shown.append(f"... and {len(problems) - _MAX_DETAILS} more")
        raise DecisionsError(message, details=shown)


# --------------------------------------------------------------------------- validation


def check_criteria(
    criteria: Sequence[str], sites: pd.DataFrame, *, option: str = "--criteria"
) -> list[str]:
    """Check that every criterion is a numeric column of the zones.

    Parameters
    ----------
    criteria
        Column names.
    sites
        The zones with their features (``valleys.load_sites``).
    option
        How the user gave the criteria, to name it in the message.

    Returns
    -------
    list of str
        The criteria, stripped, in order.

    Raises
    ------
    DecisionsError
        No criterion, a duplicate, an unknown column or a non-numeric one.

    Examples
    --------
    >>> sites = pd.DataFrame({"name": ["A", "B"], "rent_mad_m2_month": [90.0, 120.0]})
    >>> check_criteria([" rent_mad_m2_month "], sites)
    ['rent_mad_m2_month']
    """
    names = [str(c).strip() for c in criteria if str(c).strip()]
    if not names:
        raise DecisionsError(f"{option} names no criterion: give numeric zone columns, e.g. "
                             f"{option} catchment_labour_active,rent_mad_m2_month.")
    numeric = [c for c in sites.columns if c != "geometry" and is_numeric_dtype(sites[c])]
    problems = []
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name!r} is given twice")
    for name in names:
        if name not in sites.columns:
            problems.append(f"unknown criterion {name!r}: the zones have no such column")
        elif name not in numeric:
            problems.append(f"criterion {name!r} is not a numeric column of the zones")
    _raise_all(
        f"{option}: {len(problems)} problem(s). The numeric zone columns are: "
        f"{', '.join(numeric) or '(none)'}.",
        problems,
    )
    return names


def check_decisions(
    decisions: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    criteria: Sequence[str],
    source: str = "decisions",
) -> pd.DataFrame:
    """Validate a table of past decisions against the zones and the criteria.

    Parameters
    ----------
    decisions
        One row per zone considered in a decision: ``decision_id``, ``site_id``, ``chosen``
        (1 for the zone chosen, 0 for the others) and optionally ``activity``. Row ``i`` is
        reported as line ``i + 2`` of its CSV file.
    sites
        The zones with their features, indexed by zone id.
    criteria
        Numeric zone columns (already checked by :func:`check_criteria`).
    source
        The file name, to name it in messages.

    Returns
    -------
    pandas.DataFrame
        ``decision_id`` and ``site_id`` as text, ``chosen`` as 0/1 integers, ``activity`` as
        text (or missing), in the input order.

    Raises
    ------
    DecisionsError
        Listing every problem: a missing column, an empty id, a ``chosen`` that is not 0 or
        1, an unknown zone, a zone given twice in a decision, a decision with no chosen zone,
        two chosen zones or a single zone, fewer than two decisions, a criterion missing for a
        zone named in the decisions, a criterion with no variance over those zones.
    """
    missing = [c for c in DECISION_COLUMNS if c not in decisions.columns]
    if missing:
        raise DecisionsError(
            f"{source}: missing column(s) {', '.join(missing)}. A decisions file has the "
            f"columns decision_id, site_id, chosen (1 for the zone chosen, 0 for the others "
            f"considered) and optionally activity; it has: {', '.join(map(str, decisions.columns))}."
        )
    if decisions.empty:
        raise DecisionsError(f"{source}: no decisions (the table has no rows).")
    table = decisions.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "decision_id": table["decision_id"].astype("string").str.strip(),
            "site_id": table["site_id"].astype("string").str.strip(),
        }
    )
    problems: list[str] = []
    for column in ("decision_id", "site_id"):
        for pos in np.flatnonzero((out[column].isna() | (out[column] == "")).to_numpy()):
            problems.append(f"{_line(pos)}: empty {column}")
    chosen = pd.to_numeric(table["chosen"], errors="coerce")
    for pos in np.flatnonzero(~chosen.isin([0, 1]).to_numpy()):
        problems.append(
            f"{_line(pos)}: chosen is {table['chosen'].iloc[pos]!r}; it must be 1 (the zone "
            f"chosen) or 0 (considered, not chosen)"
        )
    _raise_all(f"{source}: {len(problems)} malformed row(s).", problems)
    out["chosen"] = chosen.astype(int)
    if "activity" in table.columns:
        out["activity"] = table["activity"].astype("string").str.strip().replace("", pd.NA)

    if "activity" in out.columns:
        from matching.presets import PRESETS

        upper = out["activity"].str.upper()
        out["activity"] = upper
        for pos in np.flatnonzero((upper.notna() & ~upper.isin(list(PRESETS))).to_numpy()):
            problems.append(
                f"{_line(pos)}: unknown activity {table['activity'].iloc[pos]!r}; use one of "
                f"{', '.join(PRESETS)} or leave it empty"
            )
    known = set(map(str, sites.index))
    for pos in np.flatnonzero(~out["site_id"].isin(known).to_numpy()):
        problems.append(
            f"{_line(pos)}: decision {out['decision_id'].iloc[pos]} names unknown zone "
            f"{out['site_id'].iloc[pos]!r}"
        )
    for pos in np.flatnonzero(out.duplicated(["decision_id", "site_id"]).to_numpy()):
        problems.append(
            f"{_line(pos)}: decision {out['decision_id'].iloc[pos]} lists zone "
            f"{out['site_id'].iloc[pos]!r} twice"
        )
    grouped = out.groupby("decision_id", sort=False)["chosen"]
    for decision, n_chosen in grouped.sum().items():
        if n_chosen == 0:
            problems.append(f"decision {decision}: no zone has chosen = 1; mark the zone chosen")
        elif n_chosen > 1:
            zones = out.loc[(out.decision_id == decision) & (out.chosen == 1), "site_id"]
            problems.append(
                f"decision {decision}: {n_chosen} zones have chosen = 1 ({', '.join(zones)}); "
                f"a decision chooses exactly one"
            )
    for decision, size in grouped.size().items():
        if size < 2:
            problems.append(
                f"decision {decision}: only one zone; a decision needs the zone chosen and at "
                f"least one zone considered but not chosen"
            )
    if out["decision_id"].nunique() < 2:
        problems.append("fewer than two decisions: learning and cross-validation need more")
    _raise_all(
        f"{source}: {len(problems)} problem(s) with the decisions. Zone ids are those of the "
        f"dataset (`techvalley sites`).",
        problems,
    )

    values = sites.loc[out["site_id"].to_numpy(), list(criteria)]
    for criterion in criteria:
        lacking = sorted(set(values.index[values[criterion].isna().to_numpy()]))
        if lacking:
            problems.append(
                f"criterion {criterion!r} is missing for zone(s) {', '.join(lacking)}: choose "
                f"criteria every zone in the decisions has, or complete the dataset"
            )
        elif values[criterion].nunique() < 2:
            problems.append(
                f"criterion {criterion!r} has no variance over the zones in the decisions (all "
                f"{values[criterion].iloc[0]}): it cannot explain any choice; drop it"
            )
    _raise_all(f"{source}: {len(problems)} problem(s) with the criteria.", problems)
    return out


# --------------------------------------------------------------------------- numeric core


def pairwise_differences(
    features: NDArray[np.float64], groups: NDArray[np.int64], chosen: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The pairwise transform of ranked choices (pure numpy; trusts its input).

    Parameters
    ----------
    features : numpy.ndarray, shape (n_rows, n_criteria)
        Standardised features, one row per zone considered in a decision.
    groups : numpy.ndarray of int, shape (n_rows,)
        Decision codes ``0 .. n_decisions - 1``; each decision has exactly one chosen row.
    chosen : numpy.ndarray of bool, shape (n_rows,)

    Returns
    -------
    differences : numpy.ndarray, shape (2 * n_pairs, n_criteria)
        ``chosen - other`` for every other zone of the decision, then the negations.
    labels : numpy.ndarray of int, shape (2 * n_pairs,)
        1 for the first half, 0 for the second.

    Examples
    --------
    >>> d, y = pairwise_differences(np.array([[1.0], [0.0], [3.0]]), np.array([0, 0, 0]),
    ...                             np.array([False, False, True]))
    >>> d.ravel().tolist(), y.tolist()
    ([2.0, 3.0, -2.0, -3.0], [1, 1, 0, 0])
    """
    chosen_row = np.empty(groups.max() + 1, dtype=np.int64)
    chosen_row[groups[chosen]] = np.flatnonzero(chosen)
    others = np.flatnonzero(~chosen)
    differences = features[chosen_row[groups[others]]] - features[others]
    labels = np.r_[np.ones(len(others), dtype=np.int64), np.zeros(len(others), dtype=np.int64)]
    return np.vstack([differences, -differences]), labels


def fit_pairwise(
    differences: NDArray[np.float64], labels: NDArray[np.int64], *, C: float = 1.0
) -> NDArray[np.float64]:
    """Fit a logistic regression without intercept to pairwise differences.

    Parameters
    ----------
    differences, labels
        From :func:`pairwise_differences`.
    C
        Inverse of the L2 regularisation strength (scikit-learn's ``C``).

    Returns
    -------
    numpy.ndarray, shape (n_criteria,)
        Signed coefficients on the standardised scale.
    """
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(fit_intercept=False, C=C, max_iter=1000)
    model.fit(differences, labels)
    return model.coef_[0].astype(np.float64)


def ranking_quality(
    scores: NDArray[np.float64], groups: NDArray[np.int64], chosen: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Top-1 accuracy and NDCG of scores, per decision.

    Ties are shared: a chosen zone tied at the top with ``t - 1`` others counts ``1 / t`` for
    top-1, and its NDCG is averaged over the tied positions (as scikit-learn's ``ndcg_score``).

    Parameters
    ----------
    scores : numpy.ndarray, shape (n_rows,)
        Higher is better; ``-inf`` ranks a zone last.
    groups, chosen
        As for :func:`pairwise_differences`.

    Returns
    -------
    top1, ndcg : numpy.ndarray, shape (n_decisions,)

    Examples
    --------
    >>> top1, ndcg = ranking_quality(np.array([0.2, 0.9, 0.5]), np.array([0, 0, 0]),
    ...                              np.array([False, False, True]))
    >>> top1.tolist(), ndcg.round(3).tolist()
    ([0.0], [0.631])
    """
    n_groups = groups.max() + 1
    chosen_score = np.empty(n_groups)
    chosen_score[groups[chosen]] = scores[chosen]
    ref = chosen_score[groups]
    above = np.bincount(groups, weights=(scores > ref), minlength=n_groups)
    tied = np.bincount(groups, weights=(scores == ref), minlength=n_groups)  # includes itself
    top1 = np.where(above == 0, 1.0 / tied, 0.0)
    # One relevant zone: DCG = 1 / log2(1 + rank), averaged over the tied ranks; IDCG = 1.
    ndcg = np.empty(n_groups)
    for g in range(n_groups):
        ranks = np.arange(above[g] + 1, above[g] + tied[g] + 1)
        ndcg[g] = np.mean(1.0 / np.log2(1.0 + ranks))
    return top1, ndcg


def correlated_pairs(
    values: NDArray[np.float64], criteria: Sequence[str], *, limit: float = CORRELATION_LIMIT
) -> list[tuple[str, str, float]]:
    """The pairs of criteria whose Pearson correlation exceeds ``limit`` in absolute value.

    Parameters
    ----------
    values : numpy.ndarray, shape (n_rows, n_criteria)
        The criteria over the zones of the decisions (one row per zone considered).
    criteria
        Their names.
    limit
        The absolute correlation above which a pair is named.

    Returns
    -------
    list of (str, str, float)
        Each pair once, in the criteria's order, with its correlation.

    Examples
    --------
    >>> x = np.array([[1.0, 2.1, 5.0], [2.0, 3.9, 1.0], [3.0, 6.0, 4.0], [4.0, 8.1, 2.0]])
    >>> [(a, b, round(r, 3)) for a, b, r in correlated_pairs(x, ["a", "b", "c"])]
    [('a', 'b', 0.999)]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.atleast_2d(np.corrcoef(values, rowvar=False))
    pairs = []
    for i in range(len(criteria)):
        for j in range(i + 1, len(criteria)):
            if np.isfinite(r[i, j]) and abs(r[i, j]) > limit:
                pairs.append((criteria[i], criteria[j], float(r[i, j])))
    return pairs


def bootstrap_weights(
    features: NDArray[np.float64],
    groups: NDArray[np.int64],
    chosen: NDArray[np.bool_],
    scale: NDArray[np.float64],
    *,
    C: float = 1.0,
    resamples: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    level: float = CONFIDENCE_LEVEL,
) -> dict[str, Any]:
    """Percentile confidence intervals of the weights, refitting on resampled decisions.

    Each resample draws as many decisions as there are, with replacement (a decision drawn
    twice counts twice), and refits :func:`fit_pairwise`; the interval of a weight is the
    ``(1 - level) / 2`` and ``(1 + level) / 2`` percentiles over the resamples (Efron and
    Tibshirani 1993, the percentile interval; decisions, not rows, are resampled, because the
    zones of one decision are not independent).

    Parameters
    ----------
    features, groups, chosen
        As for :func:`pairwise_differences` (standardised over all the decisions).
    scale
        Each criterion's standard deviation (for the per-unit weights).
    C
        As for :func:`fit_pairwise`.
    resamples
        How many resamples (at least 2).
    seed
        Seed of :func:`numpy.random.default_rng`: the same seed, the same intervals.
    level
        Coverage of the intervals.

    Returns
    -------
    dict
        ``weights`` and ``importance`` (``(n_criteria, 2)`` arrays: low and high of the
        per-unit weights and of the weights per standard deviation, each summing to 1 in a
        resample), ``same_direction`` (per criterion, the share of resamples whose sign
        agrees with the majority's), ``resamples``, ``seed``, ``level``.
    """
    rng = np.random.default_rng(seed)
    n_groups = int(groups.max() + 1)
    order = np.argsort(groups, kind="stable")
    starts = np.searchsorted(groups[order], np.arange(n_groups + 1))
    members = [order[starts[g]:starts[g + 1]] for g in range(n_groups)]
    from threadpoolctl import threadpool_limits

    coefs = np.empty((resamples, features.shape[1]))
    # small fits: one BLAS thread is three times faster than several (measured 11 ms
    # against 30 ms a fit of 800 pairs on the 2-core machine)
    with threadpool_limits(limits=1, user_api="blas"):
        for b in range(resamples):
            drawn = rng.integers(0, n_groups, n_groups)
            rows = np.concatenate([members[g] for g in drawn])
            regrouped = np.repeat(np.arange(n_groups), [members[g].size for g in drawn])
            coefs[b] = fit_pairwise(*pairwise_differences(features[rows], regrouped,
                                                          chosen[rows]), C=C)
    with np.errstate(invalid="ignore", divide="ignore"):
        importance = np.abs(coefs) / np.abs(coefs).sum(axis=1, keepdims=True)
        per_unit = np.abs(coefs / scale)
        weights = per_unit / per_unit.sum(axis=1, keepdims=True)
    tails = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    signs = np.sign(coefs)
    majority = np.where(signs.sum(axis=0) >= 0, 1.0, -1.0)
    return {
        "weights": np.nanpercentile(weights, tails, axis=0).T,
        "importance": np.nanpercentile(importance, tails, axis=0).T,
        "same_direction": (signs == majority).mean(axis=0),
        "resamples": resamples, "seed": seed, "level": level,
    }


# --------------------------------------------------------------------------- learning


@dataclass(frozen=True)
class LearnedWeights:
    """Criterion weights learned from past decisions.

    Attributes
    ----------
    criteria
        The zone columns, in order.
    coef_standardised
        Signed coefficients of the pairwise model, per standard deviation of each criterion.
    mean, scale
        Mean and standard deviation of each criterion over the zones named in the decisions.
    quality
        The cross-validated figures (see :func:`learn_weights`).
    n_decisions, n_pairs
        The evidence: decisions and (chosen, not chosen) pairs.
    C
        The regularisation used.
    confidence
        The bootstrap's intervals, by criterion (see :meth:`to_requirements`).
    messages
        Warnings about the weights (correlated criteria, too few decisions).
    """

    criteria: tuple[str, ...]
    coef_standardised: NDArray[np.float64]
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    quality: dict[str, Any] = field(default_factory=dict)
    n_decisions: int = 0
    n_pairs: int = 0
    C: float = 1.0
    #: the bootstrap's intervals (:func:`bootstrap_weights`); empty without resamples
    confidence: dict[str, Any] = field(default_factory=dict)
    #: warnings: correlated criteria, too few decisions (``learning.*`` messages)
    messages: tuple[Message, ...] = ()

    @property
    def coef(self) -> NDArray[np.float64]:
        """Signed coefficients per unit of each column (the scale the shortlist scores on)."""
        return self.coef_standardised / self.scale

    @property
    def directions(self) -> pd.Series:
        """``benefit`` where the model prefers more, ``cost`` where it prefers less."""
        return pd.Series(
            np.where(self.coef_standardised >= 0, "benefit", "cost"), index=list(self.criteria)
        )

    @property
    def weights(self) -> pd.Series:
        """Non-negative weights on the scoring scale (per unit of each column), summing to 1."""
        magnitude = np.abs(self.coef)
        return pd.Series(magnitude / magnitude.sum(), index=list(self.criteria))

    @property
    def importance(self) -> pd.Series:
        """Non-negative weights per standard deviation, summing to 1: comparable across columns."""
        magnitude = np.abs(self.coef_standardised)
        return pd.Series(magnitude / magnitude.sum(), index=list(self.criteria))

    def score(self, sites: pd.DataFrame) -> pd.Series:
        """The fitted model's score of each zone (higher is better), aligned to ``sites.index``.

        A zone missing a criterion scores NaN.
        """
        values = sites[list(self.criteria)].astype(float).to_numpy()
        return pd.Series(values @ self.coef, index=sites.index, name="learned_score")

    def to_requirements(self) -> dict[str, Any]:
        """The requirements fragment: criteria, the scoring that reproduces the model, quality.

        ``method: weighted_sum`` with ``normalization: none`` scores a zone by
        ``sum(w x) over benefits - sum(w x) over costs``, a positive multiple of the model's
        score, so a shortlist ranks zones as the model does (see the module docstring).
        """
        weights, directions = self.weights, self.directions
        return {
            "method": "weighted_sum",
            "normalization": "none",
            "criteria": [
                {"column": c, "direction": str(directions[c]), "weight": float(weights[c])}
                for c in self.criteria
            ],
            "about": {
                "learned_from": {
                    "decisions": self.n_decisions,
                    "pairs": self.n_pairs,
                    "model": "pairwise transform over standardised criteria, logistic "
                    f"regression without intercept (scikit-learn), C={self.C:g}",
                },
                "weights_per_standard_deviation": {
                    c: float(v) for c, v in self.importance.items()
                },
                "standard_deviation": dict(zip(self.criteria, map(float, self.scale), strict=True)),
                "scale_note": "criteria weights are per unit of each column (normalization "
                "none), so they are not comparable across columns; "
                "weights_per_standard_deviation are",
                "quality": self.quality,
                **({"confidence": self.confidence} if self.confidence else {}),
                "warnings": [m.text for m in self.messages],
                "messages": [m.as_json() for m in self.messages],
            },
        }


def _codes(decision_ids: pd.Series) -> NDArray[np.int64]:
    return pd.factorize(decision_ids, sort=False)[0].astype(np.int64)


def _regroup(groups: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.unique(groups, return_inverse=True)[1].astype(np.int64)


def _summary(top1: NDArray[np.float64], ndcg: NDArray[np.float64]) -> dict[str, float]:
    return {"top1_accuracy": round(float(top1.mean()), 4), "ndcg": round(float(ndcg.mean()), 4)}


def preset_scores(
    decisions: pd.DataFrame, sites: pd.DataFrame, activity: str | Sequence[str | None]
) -> NDArray[np.float64]:
    """Score each decision's zones as the activity preset's shortlist ranks them.

    One shortlist per activity (:func:`matching.shortlist.make_shortlist` over every zone of
    the dataset, the preset's criteria, weights, method and treatment of missing values), so
    the zones of a decision keep the order the tool would have shown. The preset's
    constraints are left out (``constraints: []``): the zones were the investor's own
    candidates. A zone the shortlist excludes (a missing value) ranks last.

    Parameters
    ----------
    decisions
        Checked decisions (:func:`check_decisions`).
    sites
        The zones with their features.
    activity
        One activity for every decision, or one per row (``None``: no preset, scores NaN).

    Returns
    -------
    numpy.ndarray, shape (n_rows,)
    """
    from matching.shortlist import make_shortlist

    activities = (
        [activity] * len(decisions) if isinstance(activity, str) or activity is None
        else list(activity)
    )
    scores = np.full(len(decisions), np.nan)
    by_activity: dict[str, dict[str, float]] = {}
    site_ids = decisions["site_id"].to_numpy()
    for row, name in enumerate(activities):
        if name is None or pd.isna(name):
            continue
        name = str(name).strip().upper()
        if name not in by_activity:
            shortlist = make_shortlist(
                {"name": f"{name} preset", "activity": name, "constraints": []},
                sites, robustness_draws=0, source=f"the {name} preset",
            )
            by_activity[name] = {str(r["id"]): float(r["score"]) for r in shortlist["ranked"]}
        scores[row] = by_activity[name].get(str(site_ids[row]), -np.inf)
    return scores


def learn_weights(
    decisions: pd.DataFrame,
    sites: pd.DataFrame,
    criteria: Sequence[str],
    *,
    activity: str | None = None,
    n_splits: int = 5,
    C: float = 1.0,
    source: str = "decisions",
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> LearnedWeights:
    """Learn criterion weights from past decisions, with cross-validated quality.

    Parameters
    ----------
    decisions
        ``decision_id, site_id, chosen`` (and optionally ``activity``), as in ``DECISIONS.csv``.
    sites
        The zones with their features, indexed by zone id (``valleys.load_sites``).
    criteria
        Numeric zone columns to weigh.
    activity
        The preset to compare with (ITO, CRM, BPO, ESO, KPO). When ``None`` and the decisions
        have an ``activity`` column, each decision is compared with its own activity's preset.
    n_splits
        Folds of ``GroupKFold`` (fewer when there are fewer decisions).
    C
        Inverse L2 regularisation of the logistic regression.
    source
        The decisions file name, for messages.
    bootstrap
        Resamples of the decisions for the weights' confidence intervals (0: none; else at
        least 2), :func:`bootstrap_weights`.
    seed
        Seed of the resamples.

    Returns
    -------
    LearnedWeights
        ``confidence`` holds the intervals and ``messages`` the warnings (criteria correlated
        beyond :data:`CORRELATION_LIMIT`, fewer than :data:`DECISIONS_PER_CRITERION` decisions
        per criterion).
        ``quality`` holds ``learned``, ``equal_weights`` (same directions as the fold's model,
        every standardised criterion weighted alike) and, when there is an activity,
        ``preset``: each ``{"top1_accuracy", "ndcg"}`` averaged over the held-out decisions;
        and ``chance_top1`` (the top-1 accuracy of a random pick).

    Raises
    ------
    DecisionsError
        For every problem :func:`check_criteria` and :func:`check_decisions` find.
    """
    from sklearn.model_selection import GroupKFold

    if bootstrap < 0 or bootstrap == 1:
        raise DecisionsError(f"--bootstrap {bootstrap}: give 0 (no confidence intervals) or at "
                             "least 2 resamples of the decisions (the default is "
                             f"{DEFAULT_BOOTSTRAP}).")
    if activity is not None:
        from matching.presets import PRESETS

        activity = activity.strip().upper()
        if activity not in PRESETS:
            raise DecisionsError(
                f"--activity {activity!r} is not an activity; use one of {', '.join(PRESETS)}."
            )
    criteria = check_criteria(criteria, sites)
    table = check_decisions(decisions, sites, criteria=criteria, source=source)
    values = sites.loc[table["site_id"].to_numpy(), criteria].astype(float).to_numpy()
    mean, scale = values.mean(axis=0), values.std(axis=0)
    # The scale is unsupervised (no label), so the folds share it.
    features = (values - mean) / scale
    groups = _codes(table["decision_id"])
    chosen = table["chosen"].to_numpy() == 1
    n_decisions = int(groups.max() + 1)

    if activity is not None:
        preset_activity: str | list[Any] | None = activity
    elif "activity" in table.columns and table["activity"].notna().any():
        preset_activity = [None if pd.isna(a) else a for a in table["activity"]]
    else:
        preset_activity = None
    preset = preset_scores(table, sites, preset_activity) if preset_activity is not None else None

    folds = GroupKFold(n_splits=min(n_splits, n_decisions))
    results = {name: (np.empty(n_decisions), np.empty(n_decisions))
               for name in ("learned", "equal_weights", "preset")}
    for train, test in folds.split(features, groups=groups):
        coef = fit_pairwise(*pairwise_differences(features[train], _regroup(groups[train]),
                                                  chosen[train]), C=C)
        test_groups = _regroup(groups[test])
        held_out = np.unique(groups[test])
        candidates = {"learned": features[test] @ coef,
                      "equal_weights": features[test] @ np.sign(coef)}
        if preset is not None:
            candidates["preset"] = preset[test]
        for name, scores in candidates.items():
            top1, ndcg = ranking_quality(np.nan_to_num(scores, nan=-np.inf), test_groups,
                                         chosen[test])
            results[name][0][held_out], results[name][1][held_out] = top1, ndcg

    sizes = np.bincount(groups)
    quality: dict[str, Any] = {
        "cross_validation": f"GroupKFold by decision_id, {folds.n_splits} folds",
        "decisions": n_decisions,
        "chance_top1": round(float(np.mean(1.0 / sizes)), 4),
        "learned": _summary(*results["learned"]),
        "equal_weights": _summary(*results["equal_weights"]),
    }
    if preset is not None:
        with_preset = np.bincount(groups, weights=~np.isnan(preset), minlength=n_decisions) > 0
        quality["preset"] = {
            "activity": activity if activity is not None else "each decision's own",
            "decisions": int(with_preset.sum()),
            **(_summary(results["preset"][0][with_preset], results["preset"][1][with_preset])
               if with_preset.any() else {"top1_accuracy": None, "ndcg": None}),
        }

    differences, labels = pairwise_differences(features, groups, chosen)
    coef = fit_pairwise(differences, labels, C=C)
    if not np.any(np.abs(coef) > 0):
        raise DecisionsError(
            f"the model learned no preference: every coefficient is 0 with regularization "
            f"C={C:g}, which is too strong; give a larger --regularization (the default is 1)"
        )
    said = [message("learning.correlated_criteria", column=a, other_column=b, ratio=round(r, 3))
            for a, b, r in correlated_pairs(values, criteria)]
    minimum = DECISIONS_PER_CRITERION * len(criteria)
    if n_decisions < minimum:
        said.append(message("learning.few_decisions", count=n_decisions, minimum=minimum))
    confidence: dict[str, Any] = {}
    if bootstrap:
        found = bootstrap_weights(features, groups, chosen, scale, C=C, resamples=bootstrap,
                                  seed=seed)
        confidence = {
            "method": "percentile bootstrap, decisions resampled with replacement",
            "level": found["level"], "resamples": bootstrap, "seed": seed,
            **{key: {c: [round(float(lo), 4), round(float(hi), 4)]
                     for c, (lo, hi) in zip(criteria, found[name], strict=True)}
               for key, name in (("weights", "weights"),
                                 ("weights_per_standard_deviation", "importance"))},
            "same_direction": {c: round(float(v), 4)
                               for c, v in zip(criteria, found["same_direction"], strict=True)},
        }
    return LearnedWeights(
        criteria=tuple(criteria),
        coef_standardised=coef,
        mean=mean,
        scale=scale,
        quality=quality,
        n_decisions=n_decisions,
        n_pairs=int(len(labels) // 2),
        C=C,
        confidence=confidence,
        messages=tuple(said),
    )


def cosine_similarity(a: Mapping[str, float] | pd.Series, b: Mapping[str, float] | pd.Series) -> float:
    """Cosine similarity of two signed weight vectors keyed by criterion (missing keys: 0).

    Examples
    --------
    >>> cosine_similarity({"a": 1.0, "b": -1.0}, {"a": 2.0, "b": -2.0})
    1.0
    """
    keys = sorted(set(a) | set(b))
    x = np.array([float(a.get(k, 0.0)) for k in keys])
    y = np.array([float(b.get(k, 0.0)) for k in keys])
    return float(round(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)), 12))
