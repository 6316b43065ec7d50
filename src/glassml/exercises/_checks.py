"""The checks behind ``glassml exercises check``: each one proves one textbook function.

Every check takes the module under test (the learner's file, or glassml's own textbook module —
``tests/test_exercises.py`` runs every check on both) and raises ``AssertionError`` with a
message a learner can act on. The reference is never the textbook module itself: it is a
hand-computed case, NumPy, scikit-learn, or glassml's fast estimator (which the test suite
proves equal to scikit-learn / PyTorch).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

Check = Callable[[ModuleType], None]

#: Agreement demanded of a learner's float64 result (the textbook versions meet it).
TOL = 1e-10


def _close(got: object, want: object, what: str, tol: float = TOL) -> None:
    got_a, want_a = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got_a.shape == want_a.shape, f"{what}: shape {got_a.shape}, expected {want_a.shape}"
    gap = float(np.max(np.abs(got_a - want_a))) if got_a.size else 0.0
    assert gap <= tol, f"{what}: off by {gap:.3g} (allowed {tol:g})\n got  {got_a}\n want {want_a}"


def _blobs(seed: int, n: int = 40, d: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d))


# --- k-nearest neighbours (glassml.neighbors.textbook) -------------------------------------


def check_k_nearest(m: ModuleType) -> None:
    X = np.array([[0.0, 0.0], [3.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 2.0]])
    d2, idx = m.k_nearest(X, np.array([0.0, 0.0]), 3)
    _close(d2, [0.0, 1.0, 1.0], "k_nearest squared distances for the hand case")
    assert list(idx) == [0, 2, 3], f"k_nearest indices {list(idx)}: ties keep index order [0, 2, 3]"
    X = _blobs(0)
    for x in _blobs(1, n=5):
        d2, idx = m.k_nearest(X, x, 4)
        want = np.sort(((X - x) ** 2).sum(axis=1))[:4]
        _close(d2, want, "k_nearest squared distances on random points")


def check_kneighbors(m: ModuleType) -> None:
    from sklearn.neighbors import NearestNeighbors

    X, Q = _blobs(2), _blobs(3, n=7)
    dist, idx = m.kneighbors(X, Q, 5)
    ref_d, ref_i = NearestNeighbors(n_neighbors=5, algorithm="brute").fit(X).kneighbors(Q)
    _close(dist, ref_d, "kneighbors distances vs scikit-learn")
    assert np.array_equal(idx, ref_i), "kneighbors indices differ from scikit-learn's"


def check_knn_predict(m: ModuleType) -> None:
    from glassml.neighbors import KNNClassifier

    got = m.knn_predict([[0.0], [1.0], [2.0], [10.0], [11.0]], list("aaabb"), [[1.5], [10.5]], 3)
    assert list(got) == ["a", "b"], f"knn_predict hand case: got {list(got)}, expected a, b"
    tie = m.knn_predict([[0.0], [2.0]], [1, 0], [[1.0]], 2)
    assert list(tie) == [0], f"a 1-1 vote must go to the smallest label 0, got {list(tie)}"
    X, Q = _blobs(4), _blobs(5, n=12)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    want = KNNClassifier(n_neighbors=5).fit(X, y).predict(Q)
    assert np.array_equal(m.knn_predict(X, y, Q, 5), want), "knn_predict vs KNNClassifier"


# --- k-means (glassml.cluster.textbook) ----------------------------------------------------


def check_squared_distance(m: ModuleType) -> None:
    _close(m.squared_distance(np.array([1.0, 2.0]), np.array([4.0, -2.0])), 25.0, "|x - c|²")


def check_assign_to_nearest(m: ModuleType) -> None:
    X, C = _blobs(6), _blobs(7, n=4)
    want = np.argmin(((X[:, None, :] - C[None]) ** 2).sum(axis=2), axis=1)
    assert np.array_equal(m.assign_to_nearest(X, C), want), "assign_to_nearest vs argmin"
    tie = m.assign_to_nearest(np.array([[0.0]]), np.array([[1.0], [-1.0]]))
    assert list(tie) == [0], "a point equally near two centres goes to the lower index"


def check_move_to_means(m: ModuleType) -> None:
    X = np.array([[0.0], [2.0], [10.0], [14.0]])
    got = m.move_to_means(X, np.array([0, 0, 1, 1]), np.array([[1.0], [5.0]]))
    _close(got, [[1.0], [12.0]], "move_to_means: each centre goes to its points' mean")


def check_lloyd(m: ModuleType) -> None:
    from sklearn.cluster import KMeans

    X, C = _blobs(8, n=60), _blobs(8, n=60)[:3]
    centers, labels, inertia, _ = m.lloyd(X, C, max_iter=100, tol=1e-8)
    ref = KMeans(3, init=C, n_init=1, max_iter=100, tol=1e-8, algorithm="lloyd").fit(X)
    _close(centers, ref.cluster_centers_, "lloyd centres vs scikit-learn's KMeans", 1e-8)
    assert np.array_equal(labels, ref.labels_), "lloyd labels differ from scikit-learn's"
    _close(inertia, ref.inertia_, "lloyd inertia vs scikit-learn", 1e-8)


def check_kmeans_plusplus(m: ModuleType) -> None:
    X = _blobs(9, n=30)
    centers, idx = m.kmeans_plusplus(X, 4, random_state=0)
    assert len(set(np.asarray(idx).tolist())) == 4, "k-means++ must pick 4 distinct points"
    _close(centers, X[np.asarray(idx)], "k-means++ centres are the chosen rows of X")
    far = np.array([[0.0], [0.0], [0.0], [100.0]])
    for seed in range(5):
        _, idx = m.kmeans_plusplus(far, 2, random_state=seed)
        assert 3 in set(np.asarray(idx).tolist()), "D² sampling must reach the far point"


# --- linear models (glassml.linear_model.textbook) -----------------------------------------


def _regression(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(50, 3))
    return X, X @ np.array([1.5, -2.0, 0.5]) + 3.0 + 0.1 * rng.normal(size=50)


def check_normal_equation(m: ModuleType) -> None:
    from sklearn.linear_model import LinearRegression

    X, y = _regression(10)
    w, b = m.normal_equation(X, y)
    ref = LinearRegression().fit(X, y)
    _close(w, ref.coef_, "normal_equation weights vs scikit-learn", 1e-8)
    _close(b, ref.intercept_, "normal_equation bias vs scikit-learn", 1e-8)


def check_gradient_descent_linear(m: ModuleType) -> None:
    X, y = _regression(11)
    w, b = m.gradient_descent_linear(X, y, learning_rate=0.05, n_iters=3)
    w_ref, b_ref = np.zeros(3), 0.0
    for _ in range(3):  # the MSE gradient, written out once more as the reference
        r = X @ w_ref + b_ref - y
        w_ref, b_ref = w_ref - 0.05 * 2 / 50 * X.T @ r, b_ref - 0.05 * 2 / 50 * r.sum()
    _close(w, w_ref, "gradient_descent_linear weights after 3 steps")
    _close(b, b_ref, "gradient_descent_linear bias after 3 steps")


def check_gradient_descent_logistic(m: ModuleType) -> None:
    X, _ = _regression(12)
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    w, b = m.gradient_descent_logistic(X, y, learning_rate=0.5, n_iters=1)
    _close(w, 0.5 * X.T @ (y - 0.5) / 50, "logistic weights after one step from 0")
    _close(b, 0.5 * np.mean(y - 0.5), "logistic bias after one step from 0")


# --- decision trees (glassml.tree.textbook) ------------------------------------------------


def check_impurity(m: ModuleType) -> None:
    y = np.array([0, 0, 0, 1])
    _close(m.impurity(y, "gini"), 1 - (0.75**2 + 0.25**2), "Gini of [0, 0, 0, 1]")
    _close(m.impurity(y, "entropy"), -(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25)), "entropy")
    _close(m.impurity(np.array([2, 2]), "gini"), 0.0, "a pure node has Gini 0")


def check_information_gain(m: ModuleType) -> None:
    y = np.array([0, 0, 1, 1])
    _close(m.information_gain(y, np.array([True, True, False, False])), 0.5, "a perfect split")
    _close(m.information_gain(y, np.array([True, False, True, False])), 0.0, "a useless split")


def check_candidate_thresholds(m: ModuleType) -> None:
    got = m.candidate_thresholds(np.array([3.0, 1.0, 2.0, 1.0]))
    _close(got, [1.5, 2.5], "midpoints between sorted unique values")


def check_best_split(m: ModuleType) -> None:
    X = np.array([[5.0, 1.0], [6.0, 2.0], [7.0, 3.0], [8.0, 4.0]])
    feature, threshold, gain = m.best_split(X, np.array([0, 0, 1, 1]))
    assert (feature, threshold) == (0, 6.5), f"best split ({feature}, {threshold}), want (0, 6.5)"
    _close(gain, 0.5, "its Gini gain")


def check_build_tree_and_predict(m: ModuleType) -> None:
    from glassml.tree import DecisionTreeClassifier

    rng = np.random.default_rng(13)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0.2).astype(int) + (X[:, 2] > 0)
    root = m.build_tree(X, y, max_depth=3)
    Q = rng.normal(size=(40, 3))
    want = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y).predict(Q)
    assert np.array_equal(m.predict(root, Q), want), "predictions differ from the fast tree's"


# --- convolution (glassml.nn.textbook_conv) ------------------------------------------------


def _conv_case() -> tuple[Any, np.ndarray, np.ndarray]:
    from glassml.nn.conv import Conv2d

    layer = Conv2d(2, 3, 3, stride=2, padding=1, random_state=0)
    layer.b[:] = np.array([0.1, -0.2, 0.3])
    X = np.random.default_rng(14).normal(size=(2, 2, 5, 6))
    return layer, X, np.random.default_rng(15).normal(size=layer.forward(X).shape)


def check_conv2d_forward(m: ModuleType) -> None:
    layer, X, _ = _conv_case()
    got = m.conv2d_forward(X, layer.W, layer.b, stride=2, padding=1)
    _close(got, layer.forward(X), "conv2d_forward vs glassml.nn.conv.Conv2d")


def check_conv2d_backward(m: ModuleType) -> None:
    layer, X, dZ = _conv_case()
    layer.forward(X)
    dX_ref = layer.backward(dZ)
    dX, dW, db = m.conv2d_backward(X, layer.W, dZ, stride=2, padding=1)
    _close(dX, dX_ref, "conv2d_backward dX vs Conv2d")
    _close(dW, layer.dW, "conv2d_backward dW vs Conv2d")
    _close(db, layer.db, "conv2d_backward db vs Conv2d")


def check_maxpool2d(m: ModuleType) -> None:
    from glassml.nn.conv import MaxPool2d

    X = np.random.default_rng(16).normal(size=(2, 3, 6, 4))
    dA = np.random.default_rng(17).normal(size=(2, 3, 3, 2))
    pool = MaxPool2d(2)
    _close(m.maxpool2d_forward(X, 2), pool.forward(X), "maxpool2d_forward vs MaxPool2d")
    _close(m.maxpool2d_backward(X, dA, 2), pool.backward(dA), "maxpool2d_backward vs MaxPool2d")
