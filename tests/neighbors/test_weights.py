"""Distance weights (both estimators) and KNNRegressor: by hand, parity with scikit-learn,
textbook == fast, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from glassml.neighbors import KNNClassifier, KNNRegressor, textbook
from glassml.neighbors._knn import distance_weights


def _data(n_train=300, n_test=200, n_features=4, seed=0):
    # Continuous random coordinates: no two distances are equal (no distance ties).
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_train + n_test, n_features))
    y_class = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (X[:, 2] > 0.8)
    y_reg = np.c_[np.sin(X[:, 0]) + X[:, 1] ** 2, X[:, 2] - X[:, 3]]
    return X[:n_train], y_class[:n_train], y_reg[:n_train], X[n_train:]


# --- hand-computed ---------------------------------------------------------------------------


def test_distance_weighted_votes_by_hand():
    X = [[0.0], [1.0], [2.0], [10.0], [11.0]]
    y = ["a", "a", "b", "b", "b"]
    knn = KNNClassifier(n_neighbors=3, weights="distance").fit(X, y)
    # Query 1.9: neighbours 2 (b, d=0.1), 1 (a, d=0.9), 0 (a, d=1.9): uniform says a (2 to 1),
    # distance says b: 10 against 1/0.9 + 1/1.9 = 1.637...
    w_a, w_b = 1 / 0.9 + 1 / 1.9, 1 / 0.1
    np.testing.assert_allclose(
        knn.predict_proba([[1.9]]), [[w_a / (w_a + w_b), w_b / (w_a + w_b)]], rtol=1e-14
    )
    assert knn.predict([[1.9]]).tolist() == ["b"]
    assert KNNClassifier(n_neighbors=3).fit(X, y).predict([[1.9]]).tolist() == ["a"]


def test_regression_by_hand():
    X = [[0.0], [1.0], [2.0], [10.0]]
    y = [0.0, 1.0, 4.0, 100.0]
    uniform = KNNRegressor(n_neighbors=2).fit(X, y)
    np.testing.assert_allclose(uniform.predict([[0.4], [9.0]]), [0.5, 52.0], rtol=1e-15)
    weighted = KNNRegressor(n_neighbors=2, weights="distance").fit(X, y)
    # 0.4: 1/0.4 on y=0, 1/0.6 on y=1 -> (1/0.6) / (1/0.4 + 1/0.6) = 0.4
    # 9.0: 1/1 on y=100, 1/7 on y=4 -> (100 + 4/7) / (1 + 1/7) = 88
    np.testing.assert_allclose(weighted.predict([[0.4], [9.0]]), [0.4, 88.0], rtol=1e-14)


def test_zero_distance_uses_only_the_exact_matches():
    # Query 1: two training points sit exactly on it (targets 1 and 2): their mean, whatever
    # the third neighbour; the classifier votes 1:1 between their labels.
    X = [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [3.0, 1.0], [0.5, 0.25]]
    y = [0.0, 1.0, 2.0, 3.0, 5.0]
    Q = [[1.0, 0.0], [0.5, 0.25], [0.3, 0.1]]
    reg = KNNRegressor(n_neighbors=3, weights="distance").fit(X, y)
    ref = KNeighborsRegressor(n_neighbors=3, weights="distance", algorithm="brute").fit(X, y)
    y_pred = reg.predict(Q)
    assert y_pred[:2].tolist() == [1.5, 5.0]
    np.testing.assert_allclose(y_pred, ref.predict(Q), rtol=1e-12)
    clf = KNNClassifier(n_neighbors=3, weights="distance").fit(X, [0, 1, 2, 1, 0])
    np.testing.assert_array_equal(clf.predict_proba(Q[:2]), [[0, 0.5, 0.5], [1, 0, 0]])
    np.testing.assert_array_equal(
        distance_weights(np.array([[0.0, 0.0, 2.0], [0.5, 1, 2]]))[0], [1, 1, 0]
    )


def test_training_points_get_their_own_target_exactly():
    # Distances are exact, so a query equal to a training point is at distance 0 and the
    # zero-distance rule returns its target exactly (scikit-learn's brute force finds up to
    # ~5e-6 here and returns targets off by ~1e-7, hence only 1e-6 against it).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5)) * 100 + 7
    y = rng.normal(size=300)
    reg = KNNRegressor(n_neighbors=3, weights="distance").fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), y)
    assert np.all(reg.kneighbors(X)[0][:, 0] == 0.0)
    ref = KNeighborsRegressor(n_neighbors=3, weights="distance", algorithm="brute").fit(X, y)
    np.testing.assert_allclose(reg.predict(X), ref.predict(X), atol=1e-6)


def test_distance_weights_equal_the_textbook_row_by_row():
    d = np.array([[0.0, 1.0, 2.0], [0.5, 1.0, 4.0], [0.0, 0.0, 0.0], [1e-300, 1.0, 1.0]])
    fast = distance_weights(d)
    for row, w in zip(d, fast, strict=True):
        np.testing.assert_array_equal(w, textbook.neighbor_weights(row, "distance"))
    np.testing.assert_array_equal(textbook.neighbor_weights(d[1], "uniform"), [1.0, 1.0, 1.0])


# --- parity with scikit-learn ------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 5, 9, 20])
def test_distance_classifier_matches_sklearn(k):
    X, y, _, Q = _data()
    labels = np.array(["red", "green", "blue"])[y]
    ours = KNNClassifier(n_neighbors=k, weights="distance").fit(X, labels)
    ref = KNeighborsClassifier(n_neighbors=k, weights="distance", algorithm="brute")
    ref.fit(X, labels)
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("k", [1, 4, 10])
@pytest.mark.parametrize("outputs", [1, 2])
def test_regressor_matches_sklearn(weights, k, outputs):
    X, _, y, Q = _data(n_train=2000, seed=k)
    y = y[:, 0] if outputs == 1 else y
    ours = KNNRegressor(n_neighbors=k, weights=weights).fit(X, y)
    ref = KNeighborsRegressor(n_neighbors=k, weights=weights, algorithm="brute").fit(X, y)
    y_pred = ours.predict(Q)
    assert y_pred.shape == ref.predict(Q).shape
    np.testing.assert_allclose(y_pred, ref.predict(Q), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.score(Q, ref.predict(Q)), 1.0, rtol=1e-12)
    dist, ind = ours.kneighbors(Q)
    ref_dist, ref_ind = ref.kneighbors(Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-10, atol=1e-12)


def test_regressor_accepts_integer_and_list_targets_as_sklearn():
    X, _, y, Q = _data()
    y_int = np.round(y[:, 0] * 10).astype(int)
    ours = KNNRegressor().fit(X.tolist(), y_int.tolist())
    ref = KNeighborsRegressor(algorithm="brute").fit(X, y_int)
    np.testing.assert_allclose(ours.predict(Q), ref.predict(Q), rtol=1e-12)
    assert ours.predict(Q).dtype == np.float64


# --- textbook == fast --------------------------------------------------------------------------


def _grid(n_train, n_query, n_features, seed, scale=1.0, offset=0.0):
    """Points on a small integer grid: ties and exact duplicates (distance 0) everywhere."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-2, 3, size=(n_train, n_features)) * scale + offset
    Q = rng.integers(-2, 3, size=(n_query, n_features)) * scale + offset
    return X, Q


def _assert_textbook_equals_fast(X, y_class, y_reg, Q, k, weights):
    clf = KNNClassifier(n_neighbors=k, weights=weights).fit(X, y_class)
    np.testing.assert_array_equal(
        clf.predict_proba(Q), textbook.knn_predict_proba(X, y_class, Q, k, weights)
    )
    np.testing.assert_array_equal(clf.predict(Q), textbook.knn_predict(X, y_class, Q, k, weights))
    reg = KNNRegressor(n_neighbors=k, weights=weights).fit(X, y_reg)
    np.testing.assert_array_equal(reg.predict(Q), textbook.knn_regress(X, y_reg, Q, k, weights))


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("k", [1, 3, 8])
def test_textbook_equals_fast_on_random_and_tied_data(weights, k):
    X, y, y_reg, Q = _data()
    _assert_textbook_equals_fast(X, y, y_reg, Q, k, weights)  # bit for bit
    _assert_textbook_equals_fast(X, y, y_reg[:, 0], Q, k, weights)
    for seed in range(3):
        Xg, Qg = _grid(150, 60, 2, seed, scale=0.7, offset=1e3)
        rng = np.random.default_rng(seed)
        _assert_textbook_equals_fast(
            Xg, rng.integers(0, 3, 150), rng.normal(size=(150, 2)), Qg, k, weights
        )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    n_train=st.integers(1, 80),
    k_frac=st.floats(0, 1),
    values=st.integers(2, 4),
    offset=st.sampled_from([0.0, -2.5, 1e3]),
    seed=st.integers(0, 2**16),
)
def test_distance_weights_textbook_equals_fast_property(n_train, k_frac, values, offset, seed):
    k = 1 + int(k_frac * (n_train - 1))
    rng = np.random.default_rng(seed)
    X = rng.integers(0, values, size=(n_train, 2)) * 0.5 + offset
    Q = rng.integers(0, values, size=(15, 2)) * 0.5 + offset
    _assert_textbook_equals_fast(
        X, rng.integers(0, 3, n_train), rng.normal(size=n_train), Q, k, "distance"
    )


def test_textbook_votes_by_hand():
    X = [[0.0], [1.0], [2.0], [10.0], [11.0]]
    y = ["a", "a", "b", "b", "b"]
    classes, votes = textbook.knn_votes(X, y, [[1.9]], 3)
    assert classes.tolist() == ["a", "b"] and votes.tolist() == [[2.0, 1.0]]
    _, votes = textbook.knn_votes(X, y, [[1.9]], 3, "distance")
    np.testing.assert_allclose(votes, [[1 / 0.9 + 1 / 1.9, 1 / 0.1]], rtol=1e-14)


def test_textbook_regress_by_hand_and_bad_input():
    X = [[0.0], [1.0], [2.0], [10.0]]
    y = [0.0, 1.0, 4.0, 100.0]
    np.testing.assert_allclose(textbook.knn_regress(X, y, [[9.0]], 2, "distance"), [88.0])
    with pytest.raises(
        ValueError, match="weights must be one of 'uniform', 'distance', got 'dist'"
    ):
        textbook.knn_regress(X, y, [[9.0]], 2, "dist")
    with pytest.raises(ValueError, match=r"y_train must be 1-D or 2-D with one label per row"):
        textbook.knn_regress(X, y[:3], [[9.0]], 2)
    with pytest.raises(ValueError, match="y_train contains NaN"):
        textbook.knn_regress(X, [0.0, np.nan, 1.0, 2.0], [[9.0]], 2)
    with pytest.raises(ValueError, match=r"y_train must be 1-D with one label per row"):
        textbook.knn_predict(X, [[0], [1], [0], [1]], [[9.0]], 2)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", [KNNClassifier, KNNRegressor])
@pytest.mark.parametrize("weights", ["Distance", "", None, 1.0, lambda d: d])
def test_bad_weights(estimator, weights):
    X, y, _, _ = _data()
    with pytest.raises(ValueError, match="weights must be one of 'uniform', 'distance', got"):
        estimator(weights=weights).fit(X, y)


@pytest.mark.parametrize("estimator", [KNNClassifier, KNNRegressor])
def test_weights_set_after_fit_are_checked_at_predict(estimator):
    X, y, _, Q = _data()
    model = estimator().fit(X, y)
    model.set_params(weights="inverse")
    with pytest.raises(
        ValueError, match="weights must be one of 'uniform', 'distance', got 'inverse'"
    ):
        model.predict(Q)
    model.set_params(weights="distance")
    expected = estimator(weights="distance").fit(X, y).predict(Q)
    np.testing.assert_array_equal(model.predict(Q), expected)


@pytest.mark.parametrize(
    ("X", "y", "exc", "match"),
    [
        ([[1.0], [2.0]], [0.0, np.nan], ValueError, "Input y contains NaN"),
        ([[1.0], [2.0]], ["a", "b"], TypeError, "y must be numeric array-like .* got strings"),
        ([[1.0], [np.inf]], [0.0, 1.0], ValueError, "infinity"),
        (np.ones((3, 1)), [0.0, 1.0, 2.0], ValueError, "n_neighbors must be <= the number of"),
        ([[1.0], [2.0], [3.0]], [0.0, 1.0], ValueError, "inconsistent numbers of samples"),
    ],
)
def test_regressor_bad_fit_input(X, y, exc, match):
    with pytest.raises(exc, match=match):
        KNNRegressor(n_neighbors=1 if len(X) == 2 else 5).fit(X, y)


def test_regressor_unfitted_and_wrong_feature_count():
    with pytest.raises(NotFittedError):
        KNNRegressor().predict([[1.0]])
    X, _, y, _ = _data()
    reg = KNNRegressor().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but KNNRegressor is expecting 4"):
        reg.predict(np.ones((3, 2)))
    reg.set_params(n_neighbors=301)
    with pytest.raises(ValueError, match="n_neighbors=301 for n_samples_fit_=300"):
        reg.predict(np.ones((3, 4)))


@pytest.mark.parametrize(
    ("X", "y", "params"),
    [
        (np.ones((3, 2)), [0.1, np.nan, 0.3], {}),
        (np.ones((3, 4)), [0, 1, 0], {"n_neighbors": 4}),
        (np.ones((6, 4)), [0, 1, 0, 1, 0, 1], {"weights": "far"}),
        ([[np.nan, 1.0], [1.0, 2.0]], [0, 1], {"n_neighbors": 1}),
    ],
)
def test_failed_refit_leaves_the_fitted_regressor_unchanged(X, y, params):
    X0, _, y0, Q = _data()
    reg = KNNRegressor(weights="distance").fit(X0, y0)
    before = {k: np.copy(v) for k, v in vars(reg).items() if k.endswith("_") or k == "_y"}
    expected = reg.predict(Q)
    reg.set_params(**params)
    with pytest.raises((ValueError, TypeError)):
        reg.fit(X, y)
    after = {k: v for k, v in vars(reg).items() if k.endswith("_") or k == "_y"}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
    reg.set_params(n_neighbors=5, weights="distance")
    np.testing.assert_array_equal(reg.predict(Q), expected)


def test_docstring_examples_run():
    import doctest

    import glassml.neighbors._knn as fast

    for module in (textbook, fast):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
