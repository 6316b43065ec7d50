"""KNNClassifier: hand-computed votes, the tie rule, parity with scikit-learn, bad input."""

from __future__ import annotations

import os
import signal
import threading
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_info, threadpool_limits

import glassml._threads as threads_module
import glassml.neighbors._tiles as knn_module
from glassml.neighbors import KNNClassifier, textbook
from glassml.neighbors._tiles import k_smallest


def _data(n_train=300, n_test=200, n_features=4, n_classes=3, seed=0):
    # Continuous random coordinates: no two distances are equal (no distance ties).
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train + n_test, n_features))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (X[:, 2] > 0.8)
    y = y % n_classes
    return X[:n_train], y[:n_train], X[n_train:]


# --- hand-computed ---------------------------------------------------------------------------


def test_votes_by_hand():
    X = [[0.0], [1.0], [2.0], [10.0], [11.0]]
    y = ["a", "a", "b", "b", "b"]
    knn = KNNClassifier(n_neighbors=3).fit(X, y)
    # Query 0.9: nearest are 1 (a), 0 (a), 2 (b) → 2 votes a, 1 vote b.
    # Query 9.0: nearest are 10, 11 (b), 2 (b)  → 3 votes b.
    np.testing.assert_array_equal(knn.predict_proba([[0.9], [9.0]]), [[2 / 3, 1 / 3], [0, 1]])
    assert knn.predict([[0.9], [9.0]]).tolist() == ["a", "b"]
    dist, ind = knn.kneighbors([[0.9]])
    np.testing.assert_allclose(dist, [[0.1, 0.9, 1.1]], rtol=1e-12)
    np.testing.assert_array_equal(ind, [[1, 0, 2]])


def test_tie_rule_first_class_in_classes_wins():
    # Two neighbours, one vote each: the class that sorts first ("apple") wins,
    # whatever the order of the training data and whichever neighbour is nearer.
    X = [[0.0], [10.0]]
    for y in (["zebra", "apple"], ["apple", "zebra"]):
        knn = KNNClassifier(n_neighbors=2).fit(X, y)
        for q in ([1.0], [9.0], [5.0]):
            assert knn.predict([q]).tolist() == ["apple"]
            np.testing.assert_array_equal(knn.predict_proba([q]), [[0.5, 0.5]])
    # A three-way tie among integer labels: the smallest label wins, as in scikit-learn.
    X3 = [[0.0], [1.0], [2.0]]
    y3 = [7, 3, 5]
    ours = KNNClassifier(n_neighbors=3).fit(X3, y3).predict([[1.0], [100.0]])
    ref = (
        KNeighborsClassifier(n_neighbors=3, algorithm="brute").fit(X3, y3).predict([[1.0], [100.0]])
    )
    assert ours.tolist() == ref.tolist() == [3, 3]


def test_training_points_are_their_own_nearest_neighbours_at_distance_zero():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 3)) * 1e3
    knn = KNNClassifier(n_neighbors=2).fit(X, np.arange(50) % 2)
    dist, ind = knn.kneighbors(X)
    # |a|² + |b|² - 2a·b can round to -1e-13 for a true 0; the clip keeps sqrt finite.
    assert np.all(np.isfinite(dist)) and np.all(dist >= 0)
    np.testing.assert_array_equal(ind[:, 0], np.arange(50))
    # The identity's error is ~ε·|x|² in D², so ~sqrt(ε)·|x| ≈ 1.5e-8 · 3e3 in D.
    assert dist[:, 0].max() <= 1.5e-8 * np.linalg.norm(X, axis=1).max() * 4


def test_data_far_from_the_origin_keeps_its_digits():
    # All points near x₀ = 1e8: |a|² ≈ 1e16, so uncentred |a|² + |b|² - 2a·b is off by ~2
    # and would rank 1 and 2 apart wrongly. Centring on the training mean avoids that.
    X = np.array([[1e8, 0.0], [1e8, 1.0], [1e8, 3.0], [1e8 + 1, 7.0]])
    knn = KNNClassifier(n_neighbors=1).fit(X, [0, 1, 2, 3])
    dist, ind = knn.kneighbors([[1e8, 0.9], [1e8, 2.2], [1e8 + 1, 6.0]])
    np.testing.assert_array_equal(ind[:, 0], [1, 2, 3])
    np.testing.assert_allclose(dist[:, 0], [0.1, 0.8, 1.0], rtol=1e-6)


@pytest.mark.parametrize(
    ("n_cols", "k"), [(3, 3), (100, 5), (640, 5), (1000, 1), (1000, 5), (1001, 25), (5000, 7)]
)
def test_k_smallest_equals_a_stable_full_sort(n_cols, k):
    # Covers rows shorter than GROUPS (exact k-th value as threshold), whole groups, and
    # leftover columns past the last full row of groups.
    rng = np.random.default_rng(n_cols + k)
    S = rng.normal(size=(40, n_cols))
    np.testing.assert_array_equal(k_smallest(S, k), np.argsort(S, axis=1, kind="stable")[:, :k])
    # Heavy ties (few distinct values): equal values come in column order.
    T = rng.integers(0, 4, size=(40, n_cols)).astype(float)
    np.testing.assert_array_equal(k_smallest(T, k), np.argsort(T, axis=1, kind="stable")[:, :k])


def test_equidistant_neighbours_come_in_training_order():
    X = [[-1.0], [1.0], [-2.0], [2.0], [5.0]]
    knn = KNNClassifier(n_neighbors=3).fit(X, [0, 1, 0, 1, 1])
    dist, ind = knn.kneighbors([[0.0]])
    np.testing.assert_array_equal(ind, [[0, 1, 2]])  # 1 and 1 tie, then 2 and 2 tie
    np.testing.assert_allclose(dist, [[1.0, 1.0, 2.0]])


# --- parity with scikit-learn ----------------------------------------------------------------


@pytest.mark.parametrize(("k", "n_train"), [(1, 300), (2, 2000), (5, 2000), (8, 300), (8, 2000)])
def test_predictions_and_probabilities_match_sklearn_brute(k, n_train):
    # n_train=300 and 2000: groups of 2 and 15 columns, each with leftover columns.
    X, y, Q = _data(n_train=n_train)
    labels = np.array(["red", "green", "blue"])[y]
    ours = KNNClassifier(n_neighbors=k).fit(X, labels)
    ref = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X, labels)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_array_equal(ours.predict_proba(Q), ref.predict_proba(Q))
    dist, ind = ours.kneighbors(Q)
    ref_dist, ref_ind = ref.kneighbors(Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-10, atol=1e-12)


def test_k_equal_to_n_samples_uses_every_point():
    X, y, Q = _data(n_train=9)
    ours = KNNClassifier(n_neighbors=9).fit(X, y)
    ref = KNeighborsClassifier(n_neighbors=9, algorithm="brute").fit(X, y)
    np.testing.assert_array_equal(ours.predict_proba(Q), ref.predict_proba(Q))


def test_tiny_tiles_give_the_same_answer(monkeypatch):
    # Tiles of 7 queries × 50 training points (8 groups): 300 training points make a first
    # tile of 50 and five more, so the threshold-and-merge path runs many times.
    X, y, Q = _data()
    whole = KNNClassifier(n_neighbors=5).fit(X, y)
    expected_proba = whole.predict_proba(Q)
    expected_dist, expected_ind = whole.kneighbors(Q)
    monkeypatch.setattr(knn_module, "TILE_ROWS", 7)
    monkeypatch.setattr(knn_module, "TILE_COLS", 50)
    monkeypatch.setattr(knn_module, "GROUPS", 8)
    assert len(knn_module.chunks(len(Q), n_workers=1)) == 29
    np.testing.assert_array_equal(whole.predict_proba(Q), expected_proba)
    dist, ind = whole.kneighbors(Q)
    np.testing.assert_array_equal(ind, expected_ind)
    # BLAS may sum a 7-row product differently from a 64-row one: last-bit differences.
    np.testing.assert_allclose(dist, expected_dist, rtol=1e-14, atol=0)


@pytest.mark.parametrize(("n_train", "k", "tile"), [(300, 5, 50), (1000, 3, 64), (999, 9, 100)])
def test_nearest_in_tiles_equals_a_stable_full_sort(monkeypatch, n_train, k, tile):
    monkeypatch.setattr(knn_module, "TILE_COLS", tile)
    monkeypatch.setattr(knn_module, "GROUPS", 4)
    rng = np.random.default_rng(n_train)
    # Few distinct values: many exact ties, which must resolve to the lower index.
    Q_aug = np.c_[rng.integers(-2, 3, size=(30, 3)), np.ones(30)].astype(float)
    XT_aug = rng.integers(-2, 3, size=(4, n_train)).astype(float)
    values, indices = knn_module.nearest_in_tiles(Q_aug, XT_aug, k)
    S = Q_aug @ XT_aug
    expected = np.argsort(S, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_array_equal(values, np.take_along_axis(S, expected, axis=1))


def test_tiles_are_cache_sized_and_every_worker_gets_a_chunk():
    assert knn_module.TILE_ROWS * knn_module.TILE_COLS * 8 <= 4 * 2**20
    for n_workers in (1, 2, 4):
        chunks = knn_module.chunks(10_000, n_workers)
        assert sum(c.stop - c.start for c in chunks) == 10_000
        assert max(c.stop - c.start for c in chunks) <= knn_module.TILE_ROWS
    assert len(knn_module.chunks(100, 2)) == 2  # few queries: still one chunk per worker


def test_threaded_and_single_threaded_predictions_agree(monkeypatch):
    X, y, Q = _data(n_train=2000, n_test=600)  # 1.2M pairs: enough work to use threads
    knn = KNNClassifier(n_neighbors=5).fit(X, y)
    monkeypatch.setattr(threads_module, "available_cpus", lambda: 3)
    # TILE_ROWS-query chunks spread over 3 threads
    assert len(knn_module.chunks(len(Q), 3)) == -(-len(Q) // knn_module.TILE_ROWS) > 3
    threaded = knn.kneighbors(Q)
    monkeypatch.setattr(threads_module, "available_cpus", lambda: 1)
    single = knn.kneighbors(Q)
    np.testing.assert_array_equal(threaded[1], single[1])
    np.testing.assert_allclose(threaded[0], single[0], rtol=1e-14)


def test_predict_works_in_a_forked_child():
    # The thread pool is started once per process; a forked child inherits the pool object but
    # not its threads, so it must start its own (a stale pool would hang).
    X, y, Q = _data(n_train=2000, n_test=600)  # enough work to use the thread pool
    knn = KNNClassifier(n_neighbors=5).fit(X, y)
    expected = knn.predict(Q)  # the parent's pool now exists
    pid = os.fork()
    if pid == 0:  # the child
        signal.alarm(20)  # a hang ends the child, not the test run
        os._exit(0 if np.array_equal(knn.predict(Q), expected) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def _blas_threads():
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_concurrent_predicts_restore_the_blas_thread_limit():
    # Issue 14: every predict limits BLAS to one thread for its duration. With threadpoolctl's
    # limit() per call, overlapping calls in several threads restored in the wrong order and
    # left the whole process on one BLAS thread for good.
    before = _blas_threads()
    if not before or max(before) <= 1:
        pytest.skip("BLAS runs on one thread here: nothing to restore")
    X, y, Q = _data(n_train=2000, n_test=64)
    knn = KNNClassifier(n_neighbors=5).fit(X, y)
    errors = []

    def worker(barrier):
        barrier.wait()
        try:
            for _ in range(15):
                knn.predict(Q)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    try:
        for _ in range(3):  # the race is likely in one round, near certain in three
            barrier = threading.Barrier(6)
            threads = [threading.Thread(target=worker, args=(barrier,)) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            assert _blas_threads() == before
    finally:
        if _blas_threads() != before:  # do not leave later tests on one thread
            threadpool_limits(limits=max(before), user_api="blas")


def test_single_threaded_blas_limits_inside_and_hands_control_back():
    before = _blas_threads()
    if not before or max(before) <= 1:
        pytest.skip("BLAS runs on one thread here: nothing to limit")
    inside = []

    def other_thread():
        with knn_module.single_threaded_blas():
            inside.append(_blas_threads())

    with knn_module.single_threaded_blas():
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()  # it entered and left while this context still holds the limit
        inside.append(_blas_threads())
    assert inside == [[1] * len(before)] * 2
    assert _blas_threads() == before
    # threadpoolctl lets only the thread that set an OpenBLAS limit change it again until it
    # lets go: a user's own limit must still work afterwards.
    with threadpool_limits(limits=1, user_api="blas"):
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before


@pytest.mark.parametrize("method", ["predict", "predict_proba", "kneighbors"])
def test_n_neighbors_set_after_fit_is_checked_at_predict(method):
    # Issue 14: set_params(n_neighbors=15) on 10 samples raised IndexError deep in the search.
    knn = KNNClassifier(n_neighbors=3).fit(np.arange(20.0).reshape(10, 2), np.arange(10) % 2)
    knn.set_params(n_neighbors=15)
    with pytest.raises(ValueError, match=r"n_neighbors=15 for n_samples_fit_=10"):
        getattr(knn, method)([[0.0, 1.0]])
    knn.set_params(n_neighbors=0)
    with pytest.raises(ValueError, match=r"n_neighbors must be in the range \(0, inf\), got 0"):
        getattr(knn, method)([[0.0, 1.0]])
    knn.set_params(n_neighbors=10)  # all of them is fine
    shape = {"predict": (1,), "predict_proba": (1, 2), "kneighbors": (2, 1, 10)}[method]
    assert np.shape(getattr(knn, method)([[0.0, 1.0]])) == shape


@pytest.mark.parametrize("which", ["both", "train", "query"])
def test_float32_input_as_sklearn(which):
    # scikit-learn's brute force takes float32 and returns float64 distances and probabilities.
    X, y, Q = _data()
    X_in = X.astype(np.float32) if which in ("both", "train") else X
    Q_in = Q.astype(np.float32) if which in ("both", "query") else Q
    ours = KNNClassifier(n_neighbors=5).fit(X_in, y)
    ref = KNeighborsClassifier(n_neighbors=5, algorithm="brute").fit(X_in, y)
    dist, ind = ours.kneighbors(Q_in)
    ref_dist, ref_ind = ref.kneighbors(Q_in)
    assert dist.dtype == ref_dist.dtype == np.float64
    assert ind.dtype == ref_ind.dtype
    np.testing.assert_array_equal(ind, ref_ind)
    # NOTE: scikit-learn takes |x|² of float32 data in float32 (~1e-7 relative); we compute the
    # float32 values' distances in float64, exactly as the textbook does.
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-6)
    np.testing.assert_array_equal(dist, textbook.kneighbors(X_in, Q_in, 5)[0])
    proba, ref_proba = ours.predict_proba(Q_in), ref.predict_proba(Q_in)
    assert proba.dtype == ref_proba.dtype
    np.testing.assert_array_equal(proba, ref_proba)
    np.testing.assert_array_equal(ours.predict(Q_in), ref.predict(Q_in))


# --- bad input -------------------------------------------------------------------------------

BAD_FIT = [
    ([[np.nan, 1.0], [2.0, 3.0]], [0, 1], ValueError, "NaN"),
    ([[np.inf, 1.0], [2.0, 3.0]], [0, 1], ValueError, "infinity"),
    ([1.0, 2.0, 3.0], [0, 1, 0], ValueError, "Expected 2D array, got 1D array"),
    (np.ones((3, 2, 2)), [0, 1, 0], ValueError, "Found array with dim 3"),
    ([[1.0], [2.0], [3.0]], [0, 1], ValueError, "inconsistent numbers of samples"),
    (np.empty((0, 2)), [], ValueError, "0 sample"),
    ([["a", "b"], ["c", "d"]], [0, 1], ValueError, "could not convert string to float"),
    (np.ones((6, 1)), [0.5, 1.5, 2.7, 0.1, 0.2, 0.3], ValueError, "Unknown label type: continuous"),
    (np.ones((3, 1)), [0, 1, 0], ValueError, "n_neighbors must be <= the number of training"),
]


@pytest.mark.parametrize(("X", "y", "exc", "match"), BAD_FIT)
def test_bad_fit_input_is_rejected(X, y, exc, match):
    with pytest.raises(exc, match=match):
        KNNClassifier().fit(X, y)


@pytest.mark.parametrize(
    ("k", "exc", "match"),
    [
        (0, ValueError, r"n_neighbors must be in the range \(0, inf\), got 0"),
        (-2, ValueError, "n_neighbors must be in the range"),
        (2.5, TypeError, "n_neighbors must be an int, got 2.5"),
        (None, TypeError, "n_neighbors must be an int, got None"),
        (11, ValueError, "got n_neighbors=11 for 10 samples"),
    ],
)
def test_bad_n_neighbors(k, exc, match):
    with pytest.raises(exc, match=match):
        KNNClassifier(n_neighbors=k).fit(np.ones((10, 2)), np.arange(10) % 2)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "kneighbors"])
def test_unfitted_and_wrong_feature_count(method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(KNNClassifier(), method)([[1.0]])
    X, y, _ = _data()
    knn = KNNClassifier().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but KNNClassifier is expecting 4"):
        getattr(knn, method)(np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        getattr(knn, method)(np.full((3, 4), np.nan))


@pytest.mark.parametrize(
    ("X", "y", "params"),
    [
        (np.ones((3, 2)), [0.1, 0.2, 0.3], {}),
        (np.ones((3, 4)), [0, 1, 0], {"n_neighbors": 4}),
        (np.ones((3, 4)), [0, 1, 0], {"n_neighbors": 0}),
        ([[np.nan, 1.0], [1.0, 2.0]], [0, 1], {"n_neighbors": 1}),
        (np.ones((6, 4)), [0, 1, 0, 1, 0, 1], {"weights": "closest"}),
    ],
)
def test_failed_refit_leaves_the_fitted_model_unchanged(X, y, params):
    X0, y0, Q = _data()
    knn = KNNClassifier().fit(X0, y0)
    before = {k: np.copy(v) for k, v in vars(knn).items() if k.endswith("_")}
    expected = knn.predict_proba(Q)
    knn.set_params(**params)
    with pytest.raises((ValueError, TypeError)):
        knn.fit(X, y)
    after = {k: v for k, v in vars(knn).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
    knn.set_params(n_neighbors=5, weights="uniform")
    np.testing.assert_array_equal(knn.predict_proba(Q), expected)


# --- property: the tiled search equals a stable full sort, whatever the tiling ----------------


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    n_rows=st.integers(1, 12),
    n_train=st.integers(1, 300),
    k_frac=st.floats(0, 1),
    tile=st.integers(1, 64),
    groups=st.integers(1, 16),
    seed=st.integers(0, 2**16),
)
def test_nearest_in_tiles_property(n_rows, n_train, k_frac, tile, groups, seed):
    k = 1 + int(k_frac * (n_train - 1))
    rng = np.random.default_rng(seed)
    Q_aug = np.c_[rng.integers(-2, 3, size=(n_rows, 2)), np.ones(n_rows)].astype(float)
    XT_aug = rng.integers(-2, 3, size=(3, n_train)).astype(float)  # many exact ties
    with (
        mock.patch.object(knn_module, "TILE_COLS", tile),
        mock.patch.object(knn_module, "GROUPS", groups),
    ):
        values, indices = knn_module.nearest_in_tiles(Q_aug, XT_aug, k)
    S = Q_aug @ XT_aug
    expected = np.argsort(S, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_array_equal(values, np.take_along_axis(S, expected, axis=1))
