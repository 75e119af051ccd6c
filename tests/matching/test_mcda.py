"""Tests of the numeric core (matching.mcda): published examples, scikit-criteria as an
oracle, properties, and the edge cases the shortlist relies on."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skcriteria import mkdm
from skcriteria.agg.simple import WeightedSumModel, wsm
from skcriteria.agg.topsis import TOPSIS
from skcriteria.pipelines import mkpipe
from skcriteria.preprocessing.invert_objectives import MinMaxInverter, NegateMinimize
from skcriteria.preprocessing.scalers import MinMaxScaler, SumScaler, VectorScaler

import matching
from matching import mcda

# Hwang & Yoon (1981), Multiple Attribute Decision Making, pp. 128-133: choosing a fighter
# aircraft. Criteria: maximum speed (Mach), ferry range (NM), maximum payload (lb),
# acquisition cost ($10^6, a cost), reliability, manoeuvrability (interval scales).
AIRCRAFT = np.array(
    [
        [2.0, 1500, 20000, 5.5, 5, 9],
        [2.5, 2700, 18000, 6.5, 3, 5],
        [1.8, 2000, 21000, 4.5, 7, 7],
        [2.2, 1800, 20000, 5.0, 5, 5],
    ]
)
AIRCRAFT_WEIGHTS = np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.3])
AIRCRAFT_BENEFIT = np.array([True, True, True, False, True, True])

# Saaty (1990), "How to make a decision: the Analytic Hierarchy Process", European Journal
# of Operational Research 48, 9-26, Table 2: the eight criteria for buying a house (size,
# transportation, neighbourhood, age, yard, modern facilities, general condition, financing).
HOUSE = np.array(
    [
        [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
        [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
        [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
        [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
        [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
        [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
        [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
        [4, 7, 5, 8, 6, 6, 2, 1],
    ]
)


# --------------------------------------------------------------------------- published


def test_topsis_reproduces_hwang_yoon_aircraft_example():
    """Hwang & Yoon (1981), Multiple Attribute Decision Making: Methods and Applications,
    Springer LNEMS 186, pp. 131-133: relative closeness C* = 0.643, 0.268, 0.613, 0.312
    (order A1 > A3 > A4 > A2), separations S* = 0.0545, 0.1197, 0.0580, 0.1009 and
    S- = 0.0983, 0.0439, 0.0920, 0.0458."""
    score = matching.topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_BENEFIT)
    np.testing.assert_allclose(score, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert list(np.argsort(-score)) == [0, 2, 3, 1]

    same, plus_parts, minus_parts = mcda.topsis_components(
        AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_BENEFIT
    )
    np.testing.assert_array_equal(same, score)
    np.testing.assert_allclose(
        np.sqrt(plus_parts.sum(axis=1)), [0.0545, 0.1197, 0.0580, 0.1009], atol=1e-4
    )
    np.testing.assert_allclose(
        np.sqrt(minus_parts.sum(axis=1)), [0.0983, 0.0439, 0.0920, 0.0458], atol=1e-4
    )


def test_topsis_weights_are_normalised_to_sum_to_one():
    """The same aircraft example with weights given on another scale (2:1:1:1:2:3)."""
    score = matching.topsis(AIRCRAFT, AIRCRAFT_WEIGHTS * 10, AIRCRAFT_BENEFIT)
    np.testing.assert_allclose(score, [0.643, 0.268, 0.613, 0.312], atol=1e-3)


def test_ahp_reproduces_saaty_house_example():
    """Saaty (1990), EJOR 48:9-26, Table 2 (buying a house): priorities 0.173, 0.054,
    0.188, 0.018, 0.031, 0.036, 0.167, 0.333; lambda_max = 9.669, C.I. = 0.238,
    C.R. = 0.169."""
    weights, consistency_ratio = matching.ahp_weights(HOUSE)
    np.testing.assert_allclose(
        weights, [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333], atol=1e-3
    )
    assert consistency_ratio == pytest.approx(0.169, abs=1e-3)
    assert weights.sum() == pytest.approx(1.0)


def test_ahp_consistent_matrix_has_zero_ratio_and_exact_weights():
    """A matrix built from ratios w_i / w_j is perfectly consistent: CR 0, weights w."""
    true_weights = np.array([0.5, 0.25, 0.15, 0.1])
    weights, consistency_ratio = matching.ahp_weights(np.outer(true_weights, 1 / true_weights))
    np.testing.assert_allclose(weights, true_weights, atol=1e-12)
    assert consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_ahp_small_matrices_are_always_consistent():
    weights, consistency_ratio = matching.ahp_weights([[1.0, 3.0], [1 / 3, 1.0]])
    np.testing.assert_allclose(weights, [0.75, 0.25])
    assert consistency_ratio == 0.0
    weights, consistency_ratio = matching.ahp_weights([[1.0]])
    assert weights.tolist() == [1.0] and consistency_ratio == 0.0


def test_ahp_inconsistent_three_by_three_uses_saaty_random_index():
    """A preference cycle: a beats b, b beats c and c beats a, each twice over. The matrix
    is circulant, so its principal eigenvalue is its row sum 1 + 2 + 1/2 = 3.5 with a
    uniform eigenvector; CI = (3.5 - 3) / 2 and RI(3) = 0.58 (Saaty 1980)."""
    matrix = np.array([[1, 2, 0.5], [0.5, 1, 2], [2, 0.5, 1]])
    weights, consistency_ratio = matching.ahp_weights(matrix)
    np.testing.assert_allclose(weights, [1 / 3] * 3)
    assert consistency_ratio == pytest.approx((3.5 - 3) / 2 / 0.58)
    assert consistency_ratio > 0.10  # the requirements layer refuses this one


# --------------------------------------------------------------------------- oracle


def _skc_topsis(matrix, weights, benefit, normalization):
    objectives = np.where(benefit, max, min)
    scalers = {
        "vector": [VectorScaler(target="matrix")],
        "minmax": [MinMaxScaler(target="matrix")],
        "sum": [SumScaler(target="matrix")],
        "none": [],
    }[normalization]
    pipe = mkpipe(*scalers, SumScaler(target="weights"), TOPSIS())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skcriteria warns about cost criteria in TOPSIS
        result = pipe.evaluate(mkdm(matrix, objectives, weights=weights))
    return np.asarray(result.e_.similarity)


def _skc_weighted_sum(matrix, weights, benefit, normalization):
    objectives = np.where(benefit, max, min)
    decision = mkdm(matrix, objectives, weights=weights)
    if normalization == "minmax":
        pipe = mkpipe(MinMaxInverter(), SumScaler(target="weights"), WeightedSumModel())
        return np.asarray(pipe.evaluate(decision).e_.score)
    # skcriteria's WeightedSumModel refuses negative values; run its transformers and
    # its raw weighted-sum function, with costs negated after scaling (our convention).
    scalers = {
        "vector": [VectorScaler(target="matrix")],
        "sum": [SumScaler(target="matrix")],
        "none": [],
    }[normalization]
    for step in [*scalers, NegateMinimize(), SumScaler(target="weights")]:
        decision = step.transform(decision)
    _, score = wsm(decision.matrix.to_numpy(), decision.weights.to_numpy())
    return np.asarray(score)


@pytest.mark.parametrize("normalization", ["vector", "minmax", "sum", "none"])
@pytest.mark.parametrize("seed", range(5))
def test_topsis_matches_scikit_criteria(normalization, seed):
    rng = np.random.default_rng(seed)
    n_sites, n_criteria = rng.integers(2, 40), rng.integers(1, 8)
    matrix = rng.uniform(0.1, 100.0, size=(n_sites, n_criteria))
    weights = rng.uniform(0.05, 5.0, size=n_criteria)
    benefit = rng.random(n_criteria) < 0.6
    ours = matching.topsis(matrix, weights, benefit, normalization)
    theirs = _skc_topsis(matrix, weights, benefit, normalization)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("normalization", ["vector", "minmax", "sum", "none"])
@pytest.mark.parametrize("seed", range(5))
def test_weighted_sum_matches_scikit_criteria(normalization, seed):
    rng = np.random.default_rng(100 + seed)
    n_sites, n_criteria = rng.integers(2, 40), rng.integers(1, 8)
    matrix = rng.uniform(0.1, 100.0, size=(n_sites, n_criteria))
    weights = rng.uniform(0.05, 5.0, size=n_criteria)
    benefit = rng.random(n_criteria) < 0.6
    ours = matching.weighted_sum(matrix, weights, benefit, normalization)
    theirs = _skc_weighted_sum(matrix, weights, benefit, normalization)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- contract


def test_weighted_sum_cost_conventions():
    """The contract: with minmax a cost is (max - x) / (max - min) and added; with sum,
    vector and none its normalised value is subtracted."""
    matrix = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]])
    benefit = [True, False]
    np.testing.assert_allclose(
        matching.weighted_sum(matrix, [1, 1], benefit, "minmax"),
        0.5 * np.array([0 + 1, 1 + 0, 0.5 + 0.5]),
    )
    np.testing.assert_allclose(
        matching.weighted_sum(matrix, [1, 1], benefit, "none"),
        0.5 * np.array([1 - 10, 3 - 30, 2 - 20]),
    )
    np.testing.assert_allclose(
        matching.weighted_sum(matrix, [1, 1], benefit, "sum"),
        0.5 * np.array([1 / 6 - 10 / 60, 3 / 6 - 30 / 60, 2 / 6 - 20 / 60]),
    )
    norm = np.sqrt(14.0)
    np.testing.assert_allclose(
        matching.weighted_sum(matrix, [1, 1], benefit, "vector"),
        0.5 * (matrix[:, 0] / norm - matrix[:, 1] / (10 * norm)),
    )


@pytest.mark.parametrize("method", ["vector", "minmax", "sum", "none"])
def test_normalize_formulas(method):
    matrix = np.array([[1.0, 4.0], [3.0, 2.0], [2.0, 6.0]])
    benefit = np.array([True, False])
    expected = {
        "vector": matrix / np.sqrt((matrix**2).sum(axis=0)),
        "sum": matrix / matrix.sum(axis=0),
        "none": matrix,
        "minmax": np.array([[0.0, 0.5], [1.0, 1.0], [0.5, 0.0]]),
    }[method]
    np.testing.assert_allclose(matching.normalize(matrix, benefit, method), expected)


def test_minmax_column_without_variance_normalises_to_zero_not_nan():
    matrix = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]])
    for benefit in ([True, True], [False, True]):
        normalised = matching.normalize(matrix, benefit, "minmax")
        assert np.isfinite(normalised).all()
        np.testing.assert_array_equal(normalised[:, 0], 0.0)
    score = matching.weighted_sum(matrix, [1, 1], [False, True])
    np.testing.assert_allclose(score, [0.0, 0.25, 0.5])


@pytest.mark.parametrize("method", ["vector", "sum"])
def test_zero_column_normalises_to_zero_not_nan(method):
    matrix = np.array([[0.0, 1.0], [0.0, 2.0]])
    normalised = matching.normalize(matrix, [True, True], method)
    np.testing.assert_array_equal(normalised[:, 0], 0.0)
    assert np.isfinite(matching.topsis(matrix, [1, 1], [True, True], method)).all()


def test_topsis_without_variance_scores_one_half():
    matrix = np.array([[2.0, 7.0], [2.0, 7.0], [2.0, 7.0]])
    for normalization in ("vector", "minmax", "sum", "none"):
        score = matching.topsis(matrix, [1, 2], [True, False], normalization)
        np.testing.assert_array_equal(score, 0.5)


def test_topsis_single_site_and_single_criterion():
    assert matching.topsis([[3.0, 4.0]], [1, 1], [True, False]).tolist() == [0.5]
    np.testing.assert_allclose(
        matching.topsis([[1.0], [2.0], [3.0]], [1.0], [False]), [1.0, 0.5, 0.0]
    )


def test_topsis_components_explain_the_score():
    score, plus, minus = mcda.topsis_components(
        AIRCRAFT, AIRCRAFT_WEIGHTS, AIRCRAFT_BENEFIT, "minmax"
    )
    assert plus.shape == minus.shape == AIRCRAFT.shape
    assert (plus >= 0).all() and (minus >= 0).all()
    d_plus, d_minus = np.sqrt(plus.sum(axis=1)), np.sqrt(minus.sum(axis=1))
    np.testing.assert_allclose(score, d_minus / (d_plus + d_minus))
    # the best aircraft on a criterion is at the ideal on it
    best_speed = np.argmax(AIRCRAFT[:, 0])
    assert plus[best_speed, 0] == 0 and minus[best_speed, 0] > 0
    cheapest = np.argmin(AIRCRAFT[:, 3])
    assert plus[cheapest, 3] == 0 and minus[cheapest, 3] > 0


def test_inputs_are_left_untouched():
    matrix, weights = AIRCRAFT.copy(), AIRCRAFT_WEIGHTS * 3
    for function in (matching.topsis, matching.weighted_sum):
        for normalization in ("vector", "minmax", "sum", "none"):
            function(matrix, weights, AIRCRAFT_BENEFIT, normalization)
    np.testing.assert_array_equal(matrix, AIRCRAFT)
    np.testing.assert_array_equal(weights, AIRCRAFT_WEIGHTS * 3)
    matching.normalize(matrix, AIRCRAFT_BENEFIT, "none")[0, 0] = -1
    np.testing.assert_array_equal(matrix, AIRCRAFT)


def test_accepts_integer_matrices_and_lists():
    ints = AIRCRAFT.astype(int) * 10
    np.testing.assert_allclose(
        matching.topsis(ints, list(AIRCRAFT_WEIGHTS), list(AIRCRAFT_BENEFIT)),
        matching.topsis(ints.astype(float), AIRCRAFT_WEIGHTS, AIRCRAFT_BENEFIT),
    )


# --------------------------------------------------------------------------- properties

finite_positive = st.floats(0.5, 1e4, allow_nan=False, allow_infinity=False)


@st.composite
def problems(draw):
    n_sites = draw(st.integers(2, 12))
    n_criteria = draw(st.integers(1, 5))
    matrix = draw(arrays(np.float64, (n_sites, n_criteria), elements=finite_positive))
    weights = draw(arrays(np.float64, n_criteria, elements=st.floats(0.1, 10)))
    benefit = draw(arrays(np.bool_, n_criteria))
    return matrix, weights, benefit


@settings(max_examples=60, deadline=None)
@given(problems(), arrays(np.float64, 5, elements=st.floats(0.01, 100)))
def test_scores_do_not_depend_on_the_unit_of_a_criterion(problem, factors):
    """Rescaling a column (km -> m, MAD -> kMAD) changes no score, for every method whose
    normalisation divides by a column statistic."""
    matrix, weights, benefit = problem
    rescaled = matrix * factors[: matrix.shape[1]]
    for normalization in ("vector", "minmax", "sum"):
        np.testing.assert_allclose(
            matching.topsis(rescaled, weights, benefit, normalization),
            matching.topsis(matrix, weights, benefit, normalization),
            atol=1e-9,
        )
        np.testing.assert_allclose(
            matching.weighted_sum(rescaled, weights, benefit, normalization),
            matching.weighted_sum(matrix, weights, benefit, normalization),
            atol=1e-9,
        )


@settings(max_examples=60, deadline=None)
@given(problems(), st.data())
def test_improving_a_site_never_lowers_its_score(problem, data):
    """Monotonicity: a site that gets better on one criterion (more of a benefit, less of a
    cost), all else equal, does not score lower (minmax weighted sum; TOPSIS without
    normalisation, where the ideal points move with it)."""
    matrix, weights, benefit = problem
    site = data.draw(st.integers(0, matrix.shape[0] - 1))
    criterion = data.draw(st.integers(0, matrix.shape[1] - 1))
    step = data.draw(st.floats(0.1, 1e3))
    better = matrix.copy()
    better[site, criterion] += step if benefit[criterion] else -step
    for function, normalization in (
        (matching.weighted_sum, "minmax"),
        (matching.topsis, "none"),
    ):
        before = function(matrix, weights, benefit, normalization)[site]
        after = function(better, weights, benefit, normalization)[site]
        assert after >= before - 1e-12


@settings(max_examples=60, deadline=None)
@given(problems())
def test_topsis_is_a_closeness_in_unit_interval(problem):
    matrix, weights, benefit = problem
    for normalization in ("vector", "minmax", "sum", "none"):
        score = matching.topsis(matrix, weights, benefit, normalization)
        assert score.shape == (matrix.shape[0],)
        assert ((score >= 0) & (score <= 1)).all()


# --------------------------------------------------------------------------- blocked path


@pytest.fixture
def small_blocks(monkeypatch):
    """Send even small matrices through the blocked, threaded TOPSIS path, with blocks of
    a few rows so that every matrix spans several blocks, a ragged tail and two workers."""
    monkeypatch.setattr(mcda, "_BLOCKED_MIN_ELEMENTS", 0)
    monkeypatch.setattr(mcda, "_BLOCK_BYTES", 8 * 64)
    monkeypatch.setattr(mcda, "_WIDE_ROW", 24)
    monkeypatch.setattr(mcda, "_worker_count", lambda: 2)


def _direct_topsis(matrix, weights, benefit, normalization):
    return mcda.topsis_components(matrix, weights, benefit, normalization)[0]


@pytest.mark.parametrize("normalization", ["vector", "minmax", "sum", "none"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (97, 1), (257, 4), (1000, 10)])
def test_blocked_topsis_matches_direct_and_scikit_criteria(small_blocks, normalization, shape):
    rng = np.random.default_rng(shape[0] * 31 + shape[1])
    matrix = rng.uniform(-50.0, 100.0, size=shape)
    if normalization == "sum":
        matrix = np.abs(matrix)
    weights = rng.uniform(0.05, 5.0, size=shape[1])
    benefit = rng.random(shape[1]) < 0.5
    if shape[0] > 3:  # sites exactly at the ideal and anti-ideal points
        matrix[1] = np.where(benefit, matrix.max(axis=0), matrix.min(axis=0))
        matrix[2] = np.where(benefit, matrix.min(axis=0), matrix.max(axis=0))
    fold, block_rows, chunks = mcda._layout(*shape)
    assert shape[0] < 100 or (len(chunks) == 2 and shape[0] % block_rows)
    blocked = matching.topsis(matrix, weights, benefit, normalization)
    np.testing.assert_allclose(
        blocked, _direct_topsis(matrix, weights, benefit, normalization), rtol=0, atol=1e-12
    )
    if shape[0] == 1:  # no variance: 0.5 by our convention (scikit-criteria gives NaN)
        np.testing.assert_array_equal(blocked, 0.5)
    else:
        np.testing.assert_allclose(
            blocked, _skc_topsis(matrix, weights, benefit, normalization), rtol=0, atol=1e-12
        )
    if shape[0] > 3:
        assert blocked[1] == pytest.approx(1.0, abs=1e-12)
        assert blocked[2] == pytest.approx(0.0, abs=1e-12)


def test_blocked_topsis_is_exact_near_the_ideal_despite_large_offsets(small_blocks):
    """Values far from zero (years, coordinates) with small spreads, and many sites a hair
    from the ideal point: where ||u||^2 - 2u.h + ||h||^2 would cancel, rows are recomputed."""
    rng = np.random.default_rng(7)
    matrix = 2000.0 + rng.uniform(0.0, 1e-3, size=(600, 3))
    benefit = np.array([True, False, True])
    ideal = np.where(benefit, matrix.max(axis=0), matrix.min(axis=0))
    matrix[::3] = ideal + rng.normal(0.0, 1e-12, size=(200, 3))
    matrix[::3] = np.clip(matrix[::3], matrix.min(axis=0), matrix.max(axis=0))
    for normalization in ("vector", "minmax", "none"):
        np.testing.assert_allclose(
            matching.topsis(matrix, [1, 2, 3], benefit, normalization),
            _direct_topsis(matrix, [1, 2, 3], benefit, normalization),
            rtol=0,
            atol=1e-9,
        )


def test_blocked_topsis_edge_cases(small_blocks):
    constant = np.full((300, 3), 4.0)
    np.testing.assert_array_equal(matching.topsis(constant, [1, 1, 1], [True] * 3), 0.5)
    # one constant column among varying ones: it counts for nothing, never NaN
    rng = np.random.default_rng(3)
    matrix = rng.uniform(1, 9, size=(300, 3))
    matrix[:, 1] = 5.0
    for normalization in ("vector", "minmax", "sum", "none"):
        blocked = matching.topsis(matrix, [1, 1, 1], [True, False, True], normalization)
        assert np.isfinite(blocked).all()
        np.testing.assert_allclose(
            blocked,
            _direct_topsis(matrix, [1, 1, 1], [True, False, True], normalization),
            atol=1e-12,
        )
    # a column of zeros under sum and vector normalisation, and a negative column sum
    matrix[:, 1] = 0.0
    matrix[:, 2] -= 20.0
    for normalization in ("vector", "sum"):
        np.testing.assert_allclose(
            matching.topsis(matrix, [1, 1, 1], [True, False, True], normalization),
            _direct_topsis(matrix, [1, 1, 1], [True, False, True], normalization),
            atol=1e-12,
        )
    # Fortran-ordered and integer input
    fortran = np.asfortranarray(rng.integers(0, 50, size=(300, 4)))
    np.testing.assert_allclose(
        matching.topsis(fortran, [1, 2, 3, 4], [True, True, False, False]),
        _direct_topsis(fortran.astype(float), [1, 2, 3, 4], [True, True, False, False], "vector"),
        atol=1e-12,
    )


def test_default_sizes_use_the_blocked_path_for_large_matrices(monkeypatch):
    """A matrix over the threshold goes through the blocked path with the real block size,
    and gives the direct formula's answer."""
    rng = np.random.default_rng(11)
    matrix = rng.uniform(0, 1000, size=(mcda._BLOCKED_MIN_ELEMENTS // 5 + 12345, 10))
    weights, benefit = rng.uniform(0.1, 1, 10), rng.random(10) < 0.5
    calls = []
    original = mcda._topsis_blocked
    monkeypatch.setattr(mcda, "_topsis_blocked", lambda *args: calls.append(1) or original(*args))
    np.testing.assert_allclose(
        matching.topsis(matrix, weights, benefit),
        _direct_topsis(matrix, weights, benefit, "vector"),
        rtol=0,
        atol=1e-12,
    )
    assert calls == [1]


@pytest.mark.parametrize("normalization", ["vector", "minmax", "sum", "none"])
def test_no_sites_give_empty_scores(normalization):
    """Constraints may exclude every zone: the core returns empty scores, not an error."""
    empty = np.empty((0, 3))
    assert matching.topsis(empty, [1, 1, 1], [True] * 3, normalization).shape == (0,)
    assert matching.weighted_sum(empty, [1, 1, 1], [True] * 3, normalization).shape == (0,)
    score, plus, minus = mcda.topsis_components(empty, [1, 1, 1], [True] * 3, normalization)
    assert score.shape == (0,) and plus.shape == minus.shape == (0, 3)


@pytest.mark.parametrize("normalization", ["vector", "sum", "minmax"])
@pytest.mark.parametrize("n_sites", [5, 5000])  # the direct and the blocked path
def test_huge_values_rank_as_their_rescaled_copy(normalization, n_sites):
    """Values above ~1e154 overflow a plain sum of squares; per-column scaling changes nothing."""
    rng = np.random.default_rng(7)
    small = rng.random((n_sites, 3)) + 0.1
    huge = small * np.array([1e200, 1.0, 1e300])
    weights, benefit = [0.5, 0.3, 0.2], [True, False, True]
    expected = mcda.topsis(small, weights, benefit, normalization)
    got = mcda.topsis(huge, weights, benefit, normalization)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_weights_near_float_max_are_normalised():
    matrix = [[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]]
    np.testing.assert_allclose(
        mcda.topsis(matrix, [1e308, 1e308], [True, True]), mcda.topsis(matrix, [1, 1], [True, True])
    )


# --------------------------------------------------------------------------- issue 12 loose ends


def test_topsis_contributions_add_up_when_no_criterion_varies():
    """Every zone scores 0.5 then: the contributions split it by weight, not 0 each."""
    from matching.explain import score

    matrix = np.array([[4.0, 10.0], [4.0, 10.0], [4.0, 10.0]])
    scores, contributions, (to_ideal, to_anti), _ = score(
        matrix, np.array([3.0, 1.0]), np.array([True, False]), "topsis", "vector")
    np.testing.assert_array_equal(scores, 0.5)
    np.testing.assert_allclose(contributions.sum(axis=1), scores, atol=1e-15)
    np.testing.assert_allclose(contributions[0], [0.375, 0.125])
    np.testing.assert_allclose(to_ideal.sum(axis=1), 1.0)
    np.testing.assert_allclose(to_anti.sum(axis=1), 1.0)


def test_distance_shares_add_up_to_one_at_the_ideal_and_anti_ideal_points():
    from matching.explain import score

    matrix = np.array([[3.0, 1.0], [1.0, 3.0], [2.0, 2.0]])  # ideal, anti-ideal, between
    scores, contributions, (to_ideal, to_anti), strong_weak = score(
        matrix, np.array([1.0, 3.0]), np.array([True, False]), "topsis", "vector")
    assert scores[0] == 1.0 and scores[1] == 0.0
    np.testing.assert_allclose(to_ideal.sum(axis=1), 1.0)  # at the ideal: 1, not 0
    np.testing.assert_allclose(to_anti.sum(axis=1), 1.0)
    np.testing.assert_allclose(contributions.sum(axis=1), scores, atol=1e-15)
    assert strong_weak[0][1] is None  # nothing falls short at the ideal: no weakest
    assert strong_weak[1][0] is None  # nothing keeps the anti-ideal away: no strongest


def test_topsis_contributions_grow_with_the_weight_not_its_square():
    from matching.explain import score

    matrix = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    _, contributions, _, _ = score(matrix, np.array([3.0, 1.0]), np.array([True, True]),
                                   "topsis", "none")
    np.testing.assert_allclose(contributions[2, 0] / contributions[2, 1], 3.0)


def test_blocked_minmax_meets_its_precision_on_a_large_offset():
    """1e6 + U(0, 1e-4): the midpoint of the ideal points is not representable to the
    spread's precision; each ideal point is used as it is (was 4e-7 off)."""
    for seed, columns in ((0, 1), (0, 2), (1, 2), (2, 3)):  # 3e-7 to 6e-7 before
        rng = np.random.default_rng(seed)
        matrix = rng.uniform(0.0, 1.0, size=(10_000, columns))  # the blocked path
        matrix[:, 0] = 1e6 + rng.uniform(0.0, 1e-4, 10_000)
        _assert_blocked_minmax_exact(matrix, np.ones(columns), np.ones(columns, dtype=bool))
    rng = np.random.default_rng(12)
    matrix = rng.uniform(0.0, 1.0, size=(10_000, 4))
    matrix[:, 0] = 1e6 + rng.uniform(0.0, 1e-4, 10_000)
    matrix[:, 2] = -3e7 + rng.uniform(0.0, 1e-3, 10_000)
    _assert_blocked_minmax_exact(matrix, [1, 2, 3, 1], [True, False, True, False])


def _assert_blocked_minmax_exact(matrix, weights, benefit):
    assert matrix.size >= mcda._BLOCKED_MIN_ELEMENTS
    blocked = matching.topsis(matrix, weights, benefit, "minmax")
    np.testing.assert_allclose(
        blocked, _direct_topsis(matrix, weights, benefit, "minmax"), rtol=0, atol=1e-12)
    # min-max does not change when a column is shifted: the shifted copy is the exact answer
    shifted = matrix - matrix.min(axis=0)
    np.testing.assert_allclose(
        blocked, _direct_topsis(shifted, weights, benefit, "minmax"), rtol=0, atol=1e-12)


@pytest.mark.parametrize("normalization", ["vector", "none", "minmax", "sum"])
@pytest.mark.parametrize("n_sites", [5, 5000])  # the direct and the blocked path
@pytest.mark.parametrize("factor", [1e-170, 1e-300, 1e155, 1e300])
def test_tiny_and_huge_values_rank_as_their_rescaled_copy(normalization, n_sites, factor):
    """Below ~1e-160 squares underflow to 0 (every zone 0.5), above ~1e154 they overflow (NaN):
    both are rescaled first."""
    rng = np.random.default_rng(3)
    small = rng.random((n_sites, 3)) + 0.1
    weights, benefit = [0.5, 0.3, 0.2], [True, False, True]
    expected = mcda.topsis(small, weights, benefit, normalization)
    got = mcda.topsis(small * factor, weights, benefit, normalization)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    score, _, _ = mcda.topsis_components(small[:5] * factor, weights, benefit, normalization)
    np.testing.assert_allclose(score, mcda.topsis(small[:5], weights, benefit, normalization),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("n_sites", [5, 5000])
def test_a_non_finite_cell_is_refused_naming_its_column(bad, n_sites):
    matrix = np.random.default_rng(1).random((n_sites, 3))
    matrix[2, 1] = bad
    for function in (matching.topsis, matching.weighted_sum):
        with pytest.raises(ValueError, match="matrix column 1 holds a value that is not a finite"):
            function(matrix, [1, 1, 1], [True, False, True])


def test_all_weights_zero_scores_one_half_not_nan():
    """Every criterion saturated (value functions give each weight times 0 range)."""
    np.testing.assert_array_equal(mcda.topsis([[1.0, 2.0], [3.0, 4.0]], [0, 0], [True, True]),
                                  0.5)
