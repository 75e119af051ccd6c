"""Weight sensitivity intervals (matching.sensitivity) and their place in the shortlist.

The hand-computed fixture (weighted sum; each column already spans 0..1, so min-max leaves it
as it is). Zones A = (1, 0, 0.5), B = (0, 1, 0), C = (0.5, 0.5, 1); weights (0.6, 0.2, 0.2):
A scores 0.7, C 0.6, B 0.2. Moving weight ``t`` of one criterion, the others rescaled
proportionally (the definition of Triantaphyllou and Sánchez 1997, Decision Sciences 28(1)):

- criterion 1, others 0.5 (1 - t) each: A = 0.25 + 0.75 t, B = 0.5 - 0.5 t, C = 0.75 - 0.25 t;
  A >= C iff t >= 0.5 (and A >= B iff t >= 0.2): [0.5, 1], C below.
- criterion 2, others 0.75 (1 - t) and 0.25 (1 - t): A = 0.875 (1 - t), B = t,
  C = 0.625 (1 - t) + 0.5 t; A >= C iff t <= 1/3 (A >= B iff t <= 0.467): [0, 1/3], C above.
- criterion 3, likewise: A = 0.75 (1 - t) + 0.5 t, B = 0.25 (1 - t), C = 0.5 + 0.5 t;
  A >= C iff t <= 1/3: [0, 1/3], C above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matching import topsis
from matching.i18n import render
from matching.sensitivity import weight_intervals
from matching.shortlist import make_shortlist

HAND = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0], [0.5, 0.5, 1.0]])
BENEFIT = np.array([True, True, True])
PRECISION = 1e-6


def _sites(matrix=HAND, names=("Alpha", "Beta", "Gamma")) -> pd.DataFrame:
    return pd.DataFrame({"name": list(names), **{f"c{j + 1}": matrix[:, j]
                                                 for j in range(matrix.shape[1])}},
                        index=pd.Index([n.lower() for n in names], name="id"))


def _requirement(weights, *, method="weighted_sum", normalization="minmax"):
    return {"method": method, "normalization": normalization,
            "criteria": [{"column": f"c{j + 1}", "direction": "benefit", "weight": w}
                         for j, w in enumerate(weights)]}


def test_intervals_of_the_hand_computed_fixture():
    rows = weight_intervals(HAND, [0.6, 0.2, 0.2], BENEFIT, top=0, method="weighted_sum",
                            normalization="minmax")
    assert [r.weight for r in rows] == pytest.approx([0.6, 0.2, 0.2])
    assert rows[0].lower == pytest.approx(0.5, abs=PRECISION) and rows[0].upper == 1.0
    assert (rows[0].below, rows[0].above) == (2, None)
    for row in rows[1:]:
        assert row.lower == 0.0 and row.upper == pytest.approx(1 / 3, abs=PRECISION)
        assert (row.below, row.above) == (None, 2)


def test_the_shortlist_carries_the_table_and_the_sentences():
    result = make_shortlist(_requirement([3, 1, 1]), _sites(), robustness_draws=0)
    assert result["ranked"][0]["id"] == "alpha"
    table = {row["criterion"]: row for row in result["sensitivity"]}
    assert list(table) == ["c1", "c2", "c3"]
    assert table["c1"]["lower"] == pytest.approx(0.5, abs=PRECISION)
    assert (table["c1"]["below_zone"], table["c1"]["above_zone"]) == ("gamma", None)
    assert table["c2"]["upper"] == pytest.approx(1 / 3, abs=PRECISION)
    assert table["c2"]["above_zone"] == "gamma"
    [below] = table["c1"]["messages"]
    assert below["code"] == "sensitivity.below"
    assert below["text"] == "Gamma would come first if c1 weighed less than 0.5"
    [above] = table["c2"]["messages"]
    # 1/3 quoted rounded away from the interval: above 0.34 Gamma is first
    assert above["text"] == "Gamma would come first if c2 weighed more than 0.34"
    assert render(above, "fr") == "Gamma passerait en tête si c2 pesait plus de 0,34"


def test_one_criterion_has_the_full_interval():
    result = make_shortlist(_requirement([1], method="topsis", normalization="vector"),
                            _sites(HAND[:, :1]), robustness_draws=0)
    [row] = result["sensitivity"]
    assert (row["weight"], row["lower"], row["upper"]) == (1.0, 0.0, 1.0)
    assert row["below_zone"] is None and row["above_zone"] is None
    assert [m["code"] for m in row["messages"]] == ["sensitivity.stable"]
    assert row["messages"][0]["text"] == "Alpha stays first whatever the weight of c1"


def test_a_twin_of_the_top_zone_never_takes_over():
    # Alpha's twin ties with it everywhere: ties share first place, so nothing changes
    twin = np.vstack([HAND, HAND[:1]])
    rows = weight_intervals(twin, [0.6, 0.2, 0.2], BENEFIT, top=0, method="weighted_sum",
                            normalization="minmax")
    assert rows[0].lower == pytest.approx(0.5, abs=PRECISION) and rows[0].below == 2
    assert [r.above for r in rows[1:]] == [2, 2]


def test_a_tie_at_the_current_weight_closes_the_interval_there():
    # weights (0.5, 0.25, 0.25): A and C tie at 0.625; A is first by input order, and loses
    # first place as soon as criterion 1 weighs less
    result = make_shortlist(_requirement([2, 1, 1]), _sites(), robustness_draws=0)
    assert [z["rank"] for z in result["ranked"][:2]] == [1, 1]
    assert result["ranked"][0]["id"] == "alpha"
    row = result["sensitivity"][0]
    assert row["lower"] == pytest.approx(0.5, abs=PRECISION)
    assert row["weight"] == pytest.approx(0.5) and row["below_zone"] == "gamma"


def test_nothing_ranked_gives_no_table():
    requirement = {**_requirement([1, 1, 1]),
                   "constraints": [{"column": "c1", "op": ">", "value": 5}]}
    assert make_shortlist(requirement, _sites(), robustness_draws=0)["sensitivity"] == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_topsis_intervals_agree_with_the_numeric_core(seed):
    """Inside the bounds the top zone is first by :func:`matching.topsis` itself; just past a
    bound, the zone reported is."""
    rng = np.random.default_rng(seed)
    matrix = rng.uniform(1, 10, (8, 4))
    weights = rng.uniform(0.1, 1, 4)
    weights /= weights.sum()
    benefit = np.array([True, False, True, False])
    top = int(np.argmax(topsis(matrix, weights, benefit)))
    rows = weight_intervals(matrix, weights, benefit, top=top)

    def at(j, t):
        w = np.delete(weights, j) * (1 - t) / (1 - weights[j])
        return topsis(matrix, np.insert(w, j, t), benefit)

    for j, row in enumerate(rows):
        assert row.lower <= weights[j] <= row.upper
        for t in (row.lower + 1e-5, row.upper - 1e-5, weights[j]):
            scores = at(j, min(max(t, 0.0), 1.0))
            assert scores[top] >= scores.max() - 1e-12
        if row.below is not None:
            scores = at(j, row.lower - 1e-5)
            assert int(np.argmax(scores)) == row.below != top
        if row.above is not None:
            scores = at(j, row.upper + 1e-5)
            assert int(np.argmax(scores)) == row.above != top
    assert any(r.below is not None or r.above is not None for r in rows)


def test_intervals_follow_the_value_functions_of_the_default_scoring():
    """The default scoring (value functions) is the one the intervals use: a log value
    function changes the table as it changes the ranking."""
    sites = _sites(np.array([[1.0, 0.0, 0.5], [0.01, 1.0, 0.0], [0.5, 0.5, 1.0]]) + 1.0)
    linear = make_shortlist({"criteria": [
        {"column": "c1", "direction": "benefit", "weight": 3},
        {"column": "c2", "direction": "benefit", "weight": 1}]}, sites, robustness_draws=0)
    logged = make_shortlist({"criteria": [
        {"column": "c1", "direction": "benefit", "weight": 3, "value": "log"},
        {"column": "c2", "direction": "benefit", "weight": 1}]}, sites, robustness_draws=0)
    for result in (linear, logged):
        top = result["ranked"][0]
        for row in result["sensitivity"]:
            # re-rank at the bounds through the engine itself, with the weight moved
            for t, must_be_first in ((row["lower"] + 1e-4, True), (row["upper"] - 1e-4, True)):
                other = 1.0 - t
                criteria = result["requirements"]["criteria"]
                moved = [{**c, "weight": t if c["column"] == row["criterion"] else other}
                         for c in criteria]
                again = make_shortlist({**result["requirements"], "criteria": moved}, sites,
                                       robustness_draws=0)
                assert (again["ranked"][0]["rank"] == 1
                        and any(z["id"] == top["id"] and z["rank"] == 1
                                for z in again["ranked"])) is must_be_first
