"""Robustness: batched scoring equals the numeric core; seeded, reproducible rank acceptability."""

from __future__ import annotations

import numpy as np
import pytest

from matching import robustness, topsis, weighted_sum
from matching.robustness import (
    batch_scores,
    competition_ranks,
    leave_one_out,
    perturb_weights,
    rank_acceptability,
)


@pytest.mark.parametrize("method", ["topsis", "weighted_sum"])
@pytest.mark.parametrize("normalization", ["vector", "minmax", "sum", "none"])
def test_batch_scores_equal_the_numeric_core_on_random_matrices(method, normalization):
    rng = np.random.default_rng(42)
    for _ in range(5):
        n, m = rng.integers(2, 30), rng.integers(1, 8)
        matrix = rng.uniform(0.1, 100, size=(n, m))
        benefit = rng.random(m) < 0.5
        weights = rng.uniform(0, 1, size=(7, m))
        weights[0, 0] = 0.0  # a zero weight is allowed
        batch = batch_scores(matrix, weights, benefit, method=method, normalization=normalization)
        assert batch.shape == (7, n)
        core = topsis if method == "topsis" else weighted_sum
        for row, w in zip(batch, weights, strict=True):
            np.testing.assert_allclose(row, core(matrix, w, benefit, normalization), atol=1e-12)


def test_competition_ranks_share_ties_along_rows():
    scores = np.array([[0.9, 0.5, 0.5, 0.1], [0.1, 0.2, 0.3, 0.3]])
    assert competition_ranks(scores).tolist() == [[1, 2, 2, 4], [4, 3, 1, 1]]
    # identical rows computed through different sums still tie
    assert competition_ranks([0.1 + 0.2, 0.3]).tolist() == [1, 1]


def test_perturbed_weights_centre_on_the_given_ones():
    w = perturb_weights([0.6, 0.3, 0.1], 20_000, sigma=0.3, rng=0)
    assert np.allclose(w.sum(axis=1), 1.0) and (w > 0).all()
    np.testing.assert_allclose(np.median(w, axis=0), [0.6, 0.3, 0.1], rtol=0.06)
    assert np.array_equal(w, perturb_weights([0.6, 0.3, 0.1], 20_000, sigma=0.3, rng=0))
    assert not np.array_equal(w, perturb_weights([0.6, 0.3, 0.1], 20_000, sigma=0.3, rng=1))
    assert np.array_equal(perturb_weights([0.6, 0.4], 5, sigma=0.0, rng=0),
                          np.tile([0.6, 0.4], (5, 1)))


def test_dominant_zone_is_always_first():
    matrix = np.array([[10.0, 1.0], [5.0, 5.0], [1.0, 9.0], [0.5, 0.5]])
    result = rank_acceptability(matrix, [0.5, 0.5], [True, False], draws=3000, seed=0)
    assert result["p_first"].tolist() == [1.0, 0.0, 0.0, 0.0]  # best on both criteria
    assert result["p_top3"][0] == 1.0
    assert result["p_first"].sum() == pytest.approx(1.0)


def test_close_call_is_uncertain_and_reproducible():
    matrix = np.array([[10.0, 6.0], [6.0, 10.0], [1.0, 1.0]])
    one = rank_acceptability(matrix, [0.52, 0.48], [True, True], draws=4000, seed=7)
    assert 0.5 < one["p_first"][0] < 0.9 and 0.1 < one["p_first"][1] < 0.5
    two = rank_acceptability(matrix, [0.52, 0.48], [True, True], draws=4000, seed=7)
    assert np.array_equal(one["p_first"], two["p_first"])
    assert one["draws"] == 4000 and one["seed"] == 7
    assert one["mean_rank"][2] == 3.0


def test_chunking_does_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(1)
    matrix = rng.uniform(size=(12, 4))
    args = (matrix, [0.4, 0.3, 0.2, 0.1], [True, False, True, True])
    whole = rank_acceptability(*args, draws=1000, seed=5)
    monkeypatch.setattr(robustness, "CHUNK_ELEMENTS", 12 * 64)  # 64 draws per chunk
    chunked = rank_acceptability(*args, draws=1000, seed=5)
    np.testing.assert_array_equal(whole["p_first"], chunked["p_first"])
    np.testing.assert_array_equal(whole["p_top3"], chunked["p_top3"])


def test_tied_zones_share_first_place():
    matrix = np.array([[5.0, 5.0], [5.0, 5.0], [1.0, 1.0]])
    result = rank_acceptability(matrix, [0.5, 0.5], [True, True], draws=200, seed=0)
    assert result["p_first"].tolist() == [1.0, 1.0, 0.0]


def test_leave_one_out_ranks():
    matrix = np.array([[9.0, 1.0, 5.0], [1.0, 9.0, 5.0], [5.0, 5.0, 1.0]])
    ranks = leave_one_out(matrix, [0.5, 0.3, 0.2], [True, True, True], method="weighted_sum",
                          normalization="minmax")
    assert ranks.shape == (3, 3)
    # minmax columns: [1, 0, .5], [0, 1, .5], [1, 1, 0]
    assert ranks[0].tolist() == [2.0, 1.0, 3.0]  # weights 0, .6, .4: scores .4, 1, .3
    assert ranks[1].tolist() == [1.0, 3.0, 2.0]  # weights 5/7, 0, 2/7: scores 1, 2/7, 2.5/7
    single = leave_one_out(matrix[:, :1], [1.0], [True])
    assert np.isnan(single).all()  # nothing left to rank with


def test_acceptability_counts_match_full_ranks():
    rng = np.random.default_rng(3)
    scores = np.round(rng.random((400, 9)), 1)  # many ties
    first, top3, rank_sum = robustness._acceptability_counts(scores)
    ranks = competition_ranks(scores)
    assert first.tolist() == (ranks == 1).sum(axis=0).tolist()
    assert top3.tolist() == (ranks <= 3).sum(axis=0).tolist()
    assert rank_sum.tolist() == ranks.sum(axis=0).tolist()
    signed = scores - 0.7  # weighted sums can be negative
    assert robustness._acceptability_counts(signed)[2].tolist() == rank_sum.tolist()


def test_competition_ranks_pairwise_and_sorted_paths_agree():
    # few zones are ranked by comparing pairs, many by scipy's rankdata: the same ranks
    from scipy.stats import rankdata

    from matching.robustness import PAIRWISE_RANK_MAX

    rng = np.random.default_rng(5)
    for n in (1, 2, 13, PAIRWISE_RANK_MAX, PAIRWISE_RANK_MAX + 1, 300):
        scores = rng.integers(0, 5, size=(7, n)) / 4  # many ties
        expected = rankdata(-scores, method="min", axis=-1)
        assert competition_ranks(scores).tolist() == expected.tolist()
        assert competition_ranks(scores[0]).tolist() == expected[0].tolist()
    assert competition_ranks(np.array([])).tolist() == []
