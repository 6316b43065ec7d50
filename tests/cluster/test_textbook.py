"""textbook == fast: glassml.cluster.textbook against KMeans and the public kmeans_plusplus.

Same starting centres give the same centres (to 1e-12), the same labels, the same inertia and
the same iteration count, on random data, on data with empty clusters and on tied data (duplicate
points, points exactly halfway between two centres; integer data so the ties are exact in both
versions' arithmetic). The same ``random_state`` gives the same k-means++ indices.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from glassml.cluster import KMeans, kmeans_plusplus, textbook

# Integer data with more clusters than distinct points warns (as scikit-learn): expected here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Number of distinct clusters:sklearn.exceptions.ConvergenceWarning"
)


def _assert_same_run(X, init, **params):
    fast = KMeans(n_clusters=len(init), init=init, **params).fit(X)
    centers, labels, inertia, n_iter = textbook.lloyd(X, init, **params)
    np.testing.assert_allclose(fast.cluster_centers_, centers, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.labels_, labels)
    assert fast.inertia_ == pytest.approx(inertia, rel=1e-12, abs=1e-12)
    assert fast.n_iter_ == n_iter
    return fast


@pytest.mark.parametrize(
    ("k", "tol", "max_iter", "seed"),
    [(3, 1e-4, 300, 0), (5, 0.0, 300, 1), (8, 1e-2, 300, 2), (6, 0.0, 2, 3), (1, 1e-4, 300, 4)],
)
def test_lloyd_textbook_equals_fast_on_random_data(k, tol, max_iter, seed):
    X, _ = make_blobs(300, 3, centers=5, cluster_std=2.5, random_state=seed)
    init = X[np.random.default_rng(seed).choice(len(X), k, replace=False)]
    fast = _assert_same_run(X, init, tol=tol, max_iter=max_iter)
    assert fast.n_iter_ > 1  # the runs really iterate


def test_lloyd_textbook_equals_fast_with_empty_clusters():
    # Two starting centres far from every point: both clusters start empty and take the two
    # farthest points; the run goes on from there.
    X, _ = make_blobs(200, 2, centers=3, random_state=5)
    init = np.vstack([X[:2], [[1e3, 1e3], [-1e3, 1e3]]])
    fast = _assert_same_run(X, init)
    assert len(np.unique(fast.labels_)) == 4


@pytest.mark.parametrize("seed", range(6))
def test_lloyd_textbook_equals_fast_on_tied_data(seed):
    # 64 points on a 4x4 integer grid: many duplicates, and with integer starting centres
    # many points lie exactly halfway between two centres (the lowest index must win in both).
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(64, 2)).astype(float)
    init = X[rng.choice(64, 5, replace=False)]
    _assert_same_run(X, init, tol=0.0)


def test_tie_goes_to_the_lowest_index_in_both():
    # 1 is exactly halfway between 0 and 2 (by hand): the first centre wins.
    X = np.array([[1.0], [1.0], [-3.0], [5.0]])
    init = np.array([[0.0], [2.0]])
    assert textbook.assign_to_nearest(X[:1], init).tolist() == [0]
    fast = _assert_same_run(X, init, max_iter=1)
    # Iteration 1: labels (0, 0, 0, 1) -> centres -1/3 and 5 (by hand).
    np.testing.assert_allclose(fast.cluster_centers_, [[-1 / 3], [5.0]], atol=1e-15)


@pytest.mark.parametrize(
    "X",
    [
        make_blobs(150, 3, centers=4, random_state=0)[0],
        np.random.default_rng(1).integers(0, 3, size=(40, 2)).astype(float),  # duplicates
        np.ones((5, 2)),  # every point on the first centre: the uniform fallback
    ],
    ids=["blobs", "duplicates", "all-equal"],
)
def test_kmeans_plusplus_textbook_equals_fast(X):
    k = min(6, len(X))
    for seed in range(20):
        c_fast, i_fast = kmeans_plusplus(X, k, random_state=seed)
        c_book, i_book = textbook.kmeans_plusplus(X, k, random_state=seed)
        np.testing.assert_array_equal(i_fast, i_book)
        np.testing.assert_array_equal(c_fast, c_book)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_estimator_equals_textbook_start_and_iterations(seed):
    # KMeans(init="k-means++") = textbook k-means++ from the same seed, then textbook Lloyd.
    X, _ = make_blobs(250, 2, centers=4, cluster_std=2.0, random_state=seed)
    fast = KMeans(n_clusters=4, random_state=seed).fit(X)
    init, _ = textbook.kmeans_plusplus(X, 4, random_state=seed)
    centers, labels, inertia, n_iter = textbook.lloyd(X, init)
    np.testing.assert_allclose(fast.cluster_centers_, centers, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.labels_, labels)
    assert fast.inertia_ == pytest.approx(inertia, rel=1e-12)
    assert fast.n_iter_ == n_iter


def test_lloyd_textbook_equals_fast_with_more_clusters_than_distinct_points():
    # Every point sits on a centre, nothing can be relocated: the empty cluster goes to the
    # centre of the largest cluster (the first of the two of size 5; by hand (1, 1)).
    X = np.array([[1.0, 1.0]] * 5 + [[2.0, 2.0]] * 5 + [[4.0, 4.0]] * 2)
    init = np.array([[4.0, 4.0], [1.0, 1.0], [2.0, 2.0], [9.0, 9.0]])
    fast = _assert_same_run(X, init)
    np.testing.assert_array_equal(fast.cluster_centers_, [[4, 4], [1, 1], [2, 2], [1, 1]])
