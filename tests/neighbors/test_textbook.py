"""The textbook KNN (glassml.neighbors.textbook) by hand, and textbook == fast estimator.

The fast path must return the textbook's neighbours in the textbook's order and the textbook's
distances bit for bit, on random data and on data full of ties.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import KNeighborsClassifier

import glassml.neighbors._tiles as tiles
from glassml.neighbors import KNNClassifier, textbook


def _random(n_train, n_query, n_features, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train, n_features))
    return X, rng.integers(0, 3, size=n_train), rng.normal(size=(n_query, n_features))


def _grid(n_train, n_query, n_features, seed, scale=1.0, offset=0.0):
    """Points on a small integer grid (times ``scale``, plus ``offset``): ties everywhere."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-2, 3, size=(n_train, n_features)) * scale + offset
    Q = rng.integers(-2, 3, size=(n_query, n_features)) * scale + offset
    return X, rng.integers(0, 3, size=n_train), Q


def _assert_textbook_equals_fast(X, y, Q, k):
    knn = KNNClassifier(n_neighbors=k).fit(X, y)
    dist, ind = knn.kneighbors(Q)
    ref_dist, ref_ind = textbook.kneighbors(X, Q, k)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_array_equal(knn.predict(Q), textbook.knn_predict(X, y, Q, k))
    np.testing.assert_allclose(dist, ref_dist, rtol=0, atol=1e-12)
    # NOTE: the fast path recomputes the winners' distances as the textbook does: equal bits.
    np.testing.assert_array_equal(dist, ref_dist)


# --- the textbook by hand ---------------------------------------------------------------------


def test_textbook_by_hand():
    X = [[0.0], [1.0], [2.0], [10.0], [11.0]]
    dist, ind = textbook.kneighbors(X, [[0.9], [9.0]], k=3)
    np.testing.assert_array_equal(ind, [[1, 0, 2], [3, 4, 2]])
    np.testing.assert_allclose(dist, [[0.1, 0.9, 1.1], [1.0, 2.0, 7.0]], rtol=1e-15)
    y = ["a", "a", "b", "b", "b"]
    assert textbook.knn_predict(X, y, [[0.9], [9.0]], k=3).tolist() == ["a", "b"]


def test_textbook_tie_rules():
    # Equidistant points in index order: 0 and 1 are both at 1, then 2 and 3 at 2.
    X = [[-1.0], [1.0], [-2.0], [2.0], [5.0]]
    np.testing.assert_array_equal(textbook.kneighbors(X, [[0.0]], k=3)[1], [[0, 1, 2]])
    # A vote tie goes to the smallest label, whichever neighbour is nearer.
    for y in (["zebra", "apple"], ["apple", "zebra"]):
        for q in (1.0, 5.0, 9.0):
            assert textbook.knn_predict([[0.0], [10.0]], y, [[q]], k=2).tolist() == ["apple"]
    # The issue-14 case: x=2 and x=0 are both at distance 1 from 1; index 0 comes first.
    assert textbook.knn_predict([[2.0], [0.0], [0.0]], [0, 1, 1], [[1.0]], k=2).tolist() == [0]


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [
        (([1.0, 2.0], [0, 1], [[1.0]], 1), ValueError, "X_train must be 2-D, got a 1-D array"),
        (([[1.0]], [0], [1.0], 1), ValueError, "X_query must be 2-D, got a 1-D array"),
        (([[np.nan]], [0], [[1.0]], 1), ValueError, "X_train contains NaN or infinity"),
        (([[1.0]], [0], [[np.inf]], 1), ValueError, "X_query contains NaN or infinity"),
        (([["a"]], [0], [[1.0]], 1), TypeError, "X_train must be numeric array-like"),
        ((np.empty((0, 2)), [], [[1.0, 2.0]], 1), ValueError, "X_train must not be empty"),
        (([[1.0, 2.0]], [0], [[1.0]], 1), ValueError, r"as many features as X_train \(2\), got 1"),
        (([[1.0], [2.0]], [0, 1], [[1.0]], 3), ValueError, r"k must be in the range \[1, 2\]"),
        (([[1.0], [2.0]], [0, 1], [[1.0]], 0), ValueError, r"k must be in the range \[1, 2\]"),
        (([[1.0], [2.0]], [0, 1], [[1.0]], 1.0), TypeError, "k must be an int, got 1.0"),
        (([[1.0], [2.0]], [0], [[1.0]], 1), ValueError, r"one label per row of X_train \(2\)"),
        (([[1.0], [2.0]], [[0, 1]], [[1.0]], 1), ValueError, r"got shape \(1, 2\)"),
    ],
)
def test_textbook_rejects_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        textbook.knn_predict(*args)
    if args[1] is not None and len(np.shape(args[1])) == 1 and len(args[1]) == len(args[0]):
        with pytest.raises(exc, match=match):  # kneighbors checks the same (y aside)
            textbook.kneighbors(args[0], args[2], args[3])


# --- textbook == fast -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_train", "n_features", "k"), [(1, 3, 1), (7, 2, 7), (300, 4, 5), (2000, 20, 8)]
)
def test_textbook_equals_fast_on_random_data(n_train, n_features, k):
    _assert_textbook_equals_fast(*_random(n_train, 150, n_features, seed=n_train), k=k)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 9, 20])
@pytest.mark.parametrize(
    ("scale", "offset"),
    [(1.0, 0.0), (1 / 3, 0.1), (0.7, 1e3), (3.0, -1e6)],
    ids=["integers", "thirds", "offset-1e3", "offset-1e6"],
)
def test_textbook_equals_fast_on_grids_full_of_ties(k, scale, offset):
    # Scaled and offset grids: centring rounds, so the expanded |x|² - 2q·x no longer ties
    # exactly where the direct distances do (the bug of issue 14).
    for seed in range(4):
        X, y, Q = _grid(200, 60, 2, seed=seed, scale=scale, offset=offset)
        _assert_textbook_equals_fast(X, y, Q, k)


@pytest.mark.parametrize("threads", [1, 3])
def test_textbook_equals_fast_when_the_exact_rerank_runs_in_small_blocks(threads, monkeypatch):
    # blocks of 7 queries (last one short), on threads or not; tied grids need re-searches
    import glassml._threads as threads_module

    monkeypatch.setattr(tiles, "RERANK_ROWS", 7)
    monkeypatch.setattr(tiles, "PARALLEL_MIN_PAIRS", 1)
    monkeypatch.setattr(threads_module, "available_cpus", lambda: threads)
    for seed in range(3):
        X, y, Q = _grid(150, 61, 2, seed=seed, scale=0.7, offset=1e3)
        _assert_textbook_equals_fast(X, y, Q, k=4)


def test_textbook_equals_fast_on_duplicates_and_symmetric_points():
    # 30 copies of one point, symmetric pairs around the queries, k inside and across groups.
    X = np.r_[np.zeros((30, 2)), [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]] * 5]
    y = np.arange(len(X)) % 4
    Q = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.5], [0.5, 0.5], [3.0, 3.0]])
    for k in (1, 4, 29, 30, 31, 35, 50):
        _assert_textbook_equals_fast(X, y, Q, k)


def test_vote_ties_go_to_the_smallest_label_in_both():
    # Two classes, k even: every query far away sees a 2-2 tie.
    X = np.array([[0.0], [0.1], [10.0], [10.1]])
    y = np.array(["b", "b", "a", "a"])
    Q = np.array([[5.0], [5.05], [100.0], [-100.0]])
    _assert_textbook_equals_fast(X, y, Q, k=4)
    assert KNNClassifier(n_neighbors=4).fit(X, y).predict(Q).tolist() == ["a"] * 4


def test_the_issue_14_tie_is_decided_on_exact_distances():
    X, y = [[2.0], [0.0], [0.0]], [0, 1, 1]
    knn = KNNClassifier(n_neighbors=2).fit(X, y)
    ref = KNeighborsClassifier(n_neighbors=2, algorithm="brute").fit(X, y)
    assert knn.predict([[1.0]]).tolist() == ref.predict([[1.0]]).tolist() == [0]
    np.testing.assert_array_equal(knn.kneighbors([[1.0]])[1], [[0, 1]])


@pytest.mark.parametrize(("k", "expected_counts"), [(3, [4, 16]), (10, [11, 32])])
def test_near_ties_past_the_candidates_are_searched_again_with_more(k, expected_counts):
    # 12 integer points exactly 5 from the centre (3-4-5 triangles), then 20 points farther
    # out, all offset by 1e4 so that centring rounds: k + EXTRA_CANDIDATES candidates cannot
    # hold the whole tie, so the centre query is searched again with 4× as many (capped at
    # all 32 points); the clear-cut query is answered by the first search.
    ring = [(3, 4), (4, 3), (5, 0), (0, 5)]
    ring = [(sx * a, sy * b) for a, b in ring for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1))]
    ring = list(dict.fromkeys(ring))  # (5, 0) and (0, 5) come twice with signs: keep once
    rng = np.random.default_rng(0)
    far = rng.integers(7, 20, size=(32 - len(ring), 2)) * rng.choice([-1, 1], size=(20, 2))
    X = np.r_[np.array(ring, dtype=float), far] + 1e4
    y = np.arange(len(X)) % 3
    Q = np.array([[1e4, 1e4], [1e4 + 30.3, 1e4 + 29.1]])
    knn = KNNClassifier(n_neighbors=k).fit(X, y)
    with mock.patch.object(tiles, "nearest_in_tiles", wraps=tiles.nearest_in_tiles) as search:
        dist, ind = knn.kneighbors(Q)
    calls = [(len(call.args[0]), call.args[2]) for call in search.call_args_list]
    assert calls == [(2, expected_counts[0]), (1, expected_counts[1])]
    ref_dist, ref_ind = textbook.kneighbors(X, Q, k)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_array_equal(dist, ref_dist)
    np.testing.assert_array_equal(ind[0], np.arange(k))  # equidistant: in index order
    _assert_textbook_equals_fast(X, y, Q, k=k)


@pytest.mark.parametrize(("scale", "offset"), [(1.0, 0.0), (1e-3, 1e5), (1e4, -3e6)])
def test_rounding_bound_covers_the_fast_distances(scale, offset):
    # S + |q_c|² from the matrix product vs the direct sum((q - x)**2), for every pair.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 7)) * scale + offset
    Q = rng.normal(size=(80, 7)) * scale + offset
    index = tiles.TrainingIndex.build(X)
    Q_c = Q - index.mean
    S = np.c_[Q_c, np.ones(len(Q))] @ index.XT_aug + (Q_c**2).sum(axis=1)[:, None]
    direct = ((Q[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1)
    bound = tiles.rounding_bound((Q_c**2).sum(axis=1), index.x_sq_max, 7)
    assert np.all(np.abs(S - direct) <= bound[:, None])
    assert np.any(np.abs(S - direct) > bound[:, None] / 1e4)  # the bound is not absurdly loose


# --- against scikit-learn on tied data ---------------------------------------------------------


@pytest.mark.parametrize("k", [1, 4, 7])
def test_matches_sklearn_brute_on_integer_grids(k):
    # scikit-learn orders equidistant neighbours by its heap, not by index, so where a tie
    # straddles the k-th place the two may pick different (equally near) points. Everything
    # else must agree: the distances, the neighbour sets and the votes away from such ties.
    rng = np.random.default_rng(k)
    X = rng.integers(-5, 6, size=(300, 3)).astype(float)  # integer d²: many equal distances
    y, Q = rng.integers(0, 3, size=300), rng.integers(-5, 6, size=(200, 3)).astype(float)
    ours = KNNClassifier(n_neighbors=k).fit(X, y)
    ref = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X, y)
    dist, ind = ours.kneighbors(Q)
    ref_dist, ref_ind = ref.kneighbors(Q)
    np.testing.assert_allclose(dist, ref_dist, rtol=0, atol=1e-12)
    d2_sorted = np.sort(((Q[:, None, :] - X[None]) ** 2).sum(-1), axis=1)  # exact: integers
    clear = d2_sorted[:, k - 1] < d2_sorted[:, k]  # the k-th nearest is nearer than the next
    assert 20 <= clear.sum() < len(Q)  # enough clear-cut rows to mean something
    np.testing.assert_array_equal(np.sort(ind[clear], 1), np.sort(ref_ind[clear], 1))
    np.testing.assert_array_equal(ours.predict(Q[clear]), ref.predict(Q[clear]))
    np.testing.assert_array_equal(ours.predict_proba(Q[clear]), ref.predict_proba(Q[clear]))


# --- property: many random tie cases ---------------------------------------------------------


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    n_train=st.integers(1, 120),
    n_features=st.integers(1, 4),
    k_frac=st.floats(0, 1),
    values=st.integers(2, 5),
    scale=st.sampled_from([1.0, 1 / 3, 0.1, 7.0]),
    offset=st.sampled_from([0.0, 0.1, -2.5, 1e3, 1e6]),
    seed=st.integers(0, 2**16),
)
def test_textbook_equals_fast_on_random_tie_cases(
    n_train, n_features, k_frac, values, scale, offset, seed
):
    # Few distinct coordinates: duplicated points, equidistant neighbours and vote ties
    # everywhere, on grids whose centring rounds.
    k = 1 + int(k_frac * (n_train - 1))
    rng = np.random.default_rng(seed)
    X = rng.integers(0, values, size=(n_train, n_features)) * scale + offset
    Q = rng.integers(0, values, size=(20, n_features)) * scale + offset
    y = rng.integers(0, 3, size=n_train)
    _assert_textbook_equals_fast(X, y, Q, k)
