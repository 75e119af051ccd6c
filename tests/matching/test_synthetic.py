"""The synthetic-decisions generator, and that the learner recovers its weights."""

from __future__ import annotations

import numpy as np
import pytest

from matching.errors import DecisionsError
from matching.learning import cosine_similarity, learn_weights
from matching.synthetic import synthetic_decisions, synthetic_sites

TRUE_WEIGHTS = {
    "catchment_labour_active": 0.45,
    "rent_mad_m2_month": -0.30,
    "airports_km": -0.15,
    "catchment_french_literate_pct": 0.10,
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_learner_recovers_true_weights_from_300_decisions_of_6_zones(seed):
    sites = synthetic_sites(40, seed=seed)
    decisions = synthetic_decisions(sites, TRUE_WEIGHTS, n_decisions=300, zones_per_decision=6,
                                    seed=seed)
    learned = learn_weights(decisions, sites, list(TRUE_WEIGHTS))
    recovered = dict(zip(learned.criteria, learned.coef_standardised, strict=True))
    assert cosine_similarity(recovered, TRUE_WEIGHTS) >= 0.95
    assert learned.directions.to_dict() == {
        "catchment_labour_active": "benefit", "rent_mad_m2_month": "cost",
        "airports_km": "cost", "catchment_french_literate_pct": "benefit",
    }


def test_decisions_have_one_chosen_zone_among_distinct_considered_zones():
    sites = synthetic_sites(12, seed=3)
    decisions = synthetic_decisions(sites, {"rent_mad_m2_month": -1.0}, n_decisions=50,
                                    zones_per_decision=4, activities=["BPO", "ITO"], seed=3)
    assert len(decisions) == 200
    assert list(decisions.columns) == ["decision_id", "site_id", "chosen", "activity"]
    per_decision = decisions.groupby("decision_id")
    assert (per_decision.chosen.sum() == 1).all()
    assert (per_decision.site_id.nunique() == 4).all()
    assert set(decisions.site_id) <= set(sites.index)
    assert decisions.attrs["synthetic"] is True and sites.attrs["synthetic"] is True
    assert decisions.groupby("decision_id").activity.first().iloc[:2].tolist() == ["BPO", "ITO"]


def test_without_noise_the_best_zone_by_the_true_weights_is_chosen():
    sites = synthetic_sites(20, seed=4)
    decisions = synthetic_decisions(sites, {"rent_mad_m2_month": -1.0}, n_decisions=30,
                                    zones_per_decision=5, noise=0.0, seed=4)
    rent = sites.loc[decisions.site_id, "rent_mad_m2_month"].to_numpy()
    decisions = decisions.assign(rent=rent)
    cheapest = decisions.loc[decisions.groupby("decision_id").rent.idxmin(), "chosen"]
    assert (cheapest == 1).all()


def test_noise_makes_choices_less_predictable():
    sites = synthetic_sites(30, seed=5)

    def agreement(noise: float) -> float:
        d = synthetic_decisions(sites, {"rent_mad_m2_month": -1.0}, n_decisions=400,
                                zones_per_decision=5, noise=noise, seed=5)
        d = d.assign(rent=sites.loc[d.site_id, "rent_mad_m2_month"].to_numpy())
        return float(d.loc[d.groupby("decision_id").rent.idxmin(), "chosen"].mean())

    assert agreement(0.01) > 0.95
    assert agreement(2.0) < 0.6


def test_same_seed_same_decisions_other_seed_other_decisions():
    sites = synthetic_sites(15, seed=6)
    a = synthetic_decisions(sites, TRUE_WEIGHTS, n_decisions=20, seed=6)
    b = synthetic_decisions(sites, TRUE_WEIGHTS, n_decisions=20, seed=6)
    c = synthetic_decisions(sites, TRUE_WEIGHTS, n_decisions=20, seed=7)
    assert a.equals(b)
    assert not a.equals(c)


@pytest.mark.parametrize(
    ("weights", "kwargs", "message"),
    [
        ({"nope": 1.0}, {}, "no column nope"),
        ({"rent_mad_m2_month": 0.0}, {}, "every true weight is 0"),
        ({"rent_mad_m2_month": 1.0}, {"zones_per_decision": 99}, "zones_per_decision"),
        ({"rent_mad_m2_month": 1.0}, {"noise": -1.0}, "noise"),
    ],
)
def test_bad_generator_arguments_are_refused(weights, kwargs, message):
    with pytest.raises(DecisionsError, match=message):
        synthetic_decisions(synthetic_sites(8), weights, **kwargs)


def test_generator_refuses_missing_values():
    sites = synthetic_sites(8)
    sites.loc["s003", "rent_mad_m2_month"] = np.nan
    with pytest.raises(DecisionsError, match="missing values in rent_mad_m2_month"):
        synthetic_decisions(sites, {"rent_mad_m2_month": -1.0})
