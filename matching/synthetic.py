"""SYNTHETIC past decisions, for tests, notebooks and examples: not real placements.

Real decisions are confidential to the agency. To check that :mod:`matching.learning` recovers
weights, and to demonstrate it, this module samples decisions from *known* weights with a
random-utility (logit) model: each investor considers a random set of zones and chooses the one
with the highest utility

    u = (sum_j w_j * z_j) / noise + Gumbel(0, 1)

where ``z_j`` is criterion ``j`` standardised over the zones, ``w_j`` the true signed weight
(positive: benefit, negative: cost; rescaled so that ``sum |w_j| = 1``) and ``noise`` the
temperature. Gumbel errors make the choice probabilities a multinomial logit:
``P(i) = exp(v_i / noise) / sum_k exp(v_k / noise)``. Everything this module returns is
marked synthetic (``DataFrame.attrs["synthetic"]``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from matching.errors import DecisionsError

__all__ = ["synthetic_decisions", "synthetic_sites"]

# Illustrative scales of a few zone features: (mean, standard deviation). Not facts.
_DEFAULT_FEATURES: dict[str, tuple[float, float]] = {
    "catchment_labour_active": (400_000.0, 150_000.0),
    "rent_mad_m2_month": (90.0, 25.0),
    "airports_km": (25.0, 15.0),
    "catchment_french_literate_pct": (55.0, 8.0),
}


def synthetic_sites(
    n_sites: int = 40,
    *,
    features: Mapping[str, tuple[float, float]] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """SYNTHETIC zones with normally distributed features (clipped at 0).

    Parameters
    ----------
    n_sites
        Number of zones, ids ``s001``, ``s002``...
    features
        Column -> (mean, standard deviation); default four illustrative columns.
    seed
        Seed of the random generator.

    Returns
    -------
    pandas.DataFrame
        Indexed by zone id, with ``id``, ``name`` and one column per feature.

    Examples
    --------
    >>> synthetic_sites(3, features={"rent_mad_m2_month": (90.0, 10.0)}).shape
    (3, 3)
    """
    features = dict(features or _DEFAULT_FEATURES)
    rng = np.random.default_rng(seed)
    ids = [f"s{i + 1:03d}" for i in range(n_sites)]
    data: dict[str, object] = {"id": ids, "name": [f"Synthetic zone {i + 1}" for i in range(n_sites)]}
    for column, (mean, sd) in features.items():
        data[column] = np.clip(rng.normal(mean, sd, n_sites), 0.0, None)
    sites = pd.DataFrame(data, index=pd.Index(ids, name="id"))
    sites.attrs["synthetic"] = True
    return sites


def synthetic_decisions(
    sites: pd.DataFrame,
    true_weights: Mapping[str, float],
    *,
    n_decisions: int = 300,
    zones_per_decision: int = 6,
    noise: float = 0.25,
    activities: Sequence[str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """SYNTHETIC decisions sampled from known weights with logit noise.

    Parameters
    ----------
    sites
        Zones indexed by id, with the columns of ``true_weights`` (no missing values).
    true_weights
        Column -> signed weight on the standardised scale (negative for a cost).
    n_decisions
        Number of decisions, ids ``d0001``...
    zones_per_decision
        Zones considered in each decision (sampled without replacement).
    noise
        Temperature of the logit: 0 chooses by the weights alone; larger is noisier.
    activities
        Optional activities, assigned to decisions in turn (column ``activity``).
    seed
        Seed of the random generator.

    Returns
    -------
    pandas.DataFrame
        ``decision_id, site_id, chosen`` (and ``activity``), one row per zone considered;
        ``attrs`` records ``synthetic``, the true weights and the parameters.

    Raises
    ------
    DecisionsError
        An unknown or incomplete column, a zero weight vector, more zones per decision than
        zones, a negative noise.

    Examples
    --------
    >>> sites = synthetic_sites(10, seed=1)
    >>> d = synthetic_decisions(sites, {"rent_mad_m2_month": -1.0}, n_decisions=4,
    ...                         zones_per_decision=3)
    >>> d.groupby("decision_id").chosen.sum().tolist()
    [1, 1, 1, 1]
    """
    columns = list(true_weights)
    unknown = [c for c in columns if c not in sites.columns]
    if unknown:
        raise DecisionsError(f"synthetic decisions: the zones have no column {', '.join(unknown)}.")
    values = sites[columns].astype(float)
    if values.isna().any().any():
        raise DecisionsError(
            "synthetic decisions: missing values in "
            f"{', '.join(values.columns[values.isna().any()])}; use complete columns."
        )
    weights = np.array([float(true_weights[c]) for c in columns])
    if not np.abs(weights).sum() > 0:
        raise DecisionsError("synthetic decisions: every true weight is 0.")
    if not 2 <= zones_per_decision <= len(sites):
        raise DecisionsError(
            f"synthetic decisions: zones_per_decision must be between 2 and the {len(sites)} zones."
        )
    if noise < 0:
        raise DecisionsError("synthetic decisions: noise must be >= 0.")
    weights = weights / np.abs(weights).sum()
    spread = values.std(ddof=0).replace(0.0, 1.0)
    standardised = ((values - values.mean()) / spread).to_numpy()
    utility = standardised @ weights

    rng = np.random.default_rng(seed)
    # One random permutation per decision, cut to its first zones: sampling without replacement.
    considered = np.argsort(rng.random((n_decisions, len(sites))), axis=1)[:, :zones_per_decision]
    value = utility[considered]
    if noise > 0:
        value = value / noise + rng.gumbel(size=value.shape)
    winner = value.argmax(axis=1)

    ids = np.asarray(sites.index.astype(str))
    decision_ids = np.array([f"d{i + 1:04d}" for i in range(n_decisions)])
    chosen = np.zeros(considered.shape, dtype=int)
    chosen[np.arange(n_decisions), winner] = 1
    out = pd.DataFrame(
        {
            "decision_id": np.repeat(decision_ids, zones_per_decision),
            "site_id": ids[considered.ravel()],
            "chosen": chosen.ravel(),
        }
    )
    if activities:
        out["activity"] = np.repeat(
            [activities[i % len(activities)] for i in range(n_decisions)], zones_per_decision
        )
    out.attrs.update(
        synthetic=True,
        true_weights=dict(zip(columns, map(float, weights), strict=True)),
        noise=noise,
        seed=seed,
    )
    return out
