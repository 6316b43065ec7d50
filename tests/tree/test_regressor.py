"""DecisionTreeRegressor: hand-computed cases, scikit-learn node by node, textbook == fast.

- Hand-computed: variances, the best split of a small set, leaf means, importances.
- Data with a unique best split at every node (checked by brute force with the textbook
  gains): the whole ``tree_`` (structure, features, thresholds, means, variances, sample
  counts), leaves, predictions and feature importances equal scikit-learn's to 1e-10.
- The textbook tree (:func:`glassml.tree.textbook.build_tree` with ``"squared_error"``) and
  the estimator's level-wise tree are the same tree node by node, on random and tied data.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, make_friedman1, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.tree import DecisionTreeRegressor as SkTree
from sklearn.tree import export_text as sk_export_text

from glassml.tree import DecisionTreeRegressor, export_text, textbook
from glassml.tree._criteria import SquaredError
from glassml.tree._growth import grow_tree

from ._reference import (
    assert_same_tree,
    assert_same_tree_as_sklearn,
    assert_textbook_tree,
    best_split_is_unique,
    float32_exact,
)

# ----------------------------------------------------------------------------- hand-computed


def test_variance_split_and_leaf_means_hand_computed():
    # y = [1, 2, 6, 8]: mean 4.25, variance (10.5625 + 5.0625 + 3.0625 + 14.0625) / 4 = 8.1875.
    # Decrease S_L² n / (n_L n_R), S_L the sum of the centred left targets (-3.25, -2.25,
    # 1.75, 3.75): 1.5: 3.25²·4/3 = 14.083; 2.5: 5.5²·4/4 = 30.25; 3.5: 3.75²·4/3 = 18.75.
    # Best: 2.5, children [1,2] (var 0.25) | [6,8] (var 1).
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = np.array([1.0, 2.0, 6.0, 8.0])
    reg = DecisionTreeRegressor(max_depth=1).fit(X, y)
    t = reg.tree_
    assert (t.feature[0], t.threshold[0]) == (0, 2.5)
    np.testing.assert_allclose(t.impurity, [8.1875, 0.25, 1.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(t.value, [[4.25], [1.5], [7.0]], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(t.n_node_samples, [4, 2, 2])
    assert t.class_counts is None and t.value.shape == (3, 1)
    np.testing.assert_array_equal(reg.predict([[2.5], [2.6]]), [1.5, 7.0])  # <= goes left
    assert textbook.impurity(y, "squared_error") == 8.1875
    gain = textbook.information_gain(y, X[:, 0] <= 2.5, "squared_error")
    assert gain == pytest.approx(30.25 / 4, abs=1e-15)  # = 8.1875 - (0.25 + 1) / 2


def test_importances_hand_computed():
    # Root splits on feature 1 (decrease 30.25), then the left child [1, 2] on feature 0
    # (decrease 2·0.25 = 0.5) and the right [6, 8] on feature 0 (decrease 2·1 = 2).
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([1.0, 2.0, 6.0, 8.0])
    reg = DecisionTreeRegressor().fit(X, y)
    total = 30.25 + 0.5 + 2.0
    np.testing.assert_allclose(
        reg.feature_importances_, [2.5 / total, 30.25 / total], rtol=0, atol=1e-15
    )
    np.testing.assert_array_equal(reg.predict(X), y)  # every leaf holds one sample
    assert reg.get_depth() == 2 and reg.get_n_leaves() == 4


def test_constant_target_is_a_single_leaf():
    X = np.arange(10.0)[:, None]
    reg = DecisionTreeRegressor().fit(X, np.full(10, 3.5))
    assert reg.tree_.node_count == 1 and reg.get_depth() == 0
    np.testing.assert_array_equal(reg.feature_importances_, [0.0])
    np.testing.assert_array_equal(reg.predict([[100.0]]), [3.5])


def test_large_mean_does_not_lose_the_split():
    # Centred prefix sums: an offset of 1e8 changes neither the split nor the variances.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=200)
    a = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y).tree_
    b = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y + 1e8).tree_
    np.testing.assert_array_equal(a.feature, b.feature)
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_allclose(a.impurity, b.impurity, rtol=1e-6)


# --------------------------------------------------------------------- against scikit-learn

# (dataset, seed, max_depth, min_samples_split); each checked to have a unique best split per
# node (the test re-checks it).
UNIQUE_CASES = [
    ("friedman", 0, 1, 2),
    ("friedman", 0, 4, 2),
    ("friedman", 1, 8, 30),
    ("friedman", 2, 6, 20),
    ("linear", 0, 5, 2),
    ("linear", 1, 6, 20),
    ("diabetes", 0, 3, 2),
    ("diabetes", 0, 8, 30),
]


def _regression_data(name: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if name == "friedman":
        X, y = make_friedman1(n_samples=700, n_features=6, noise=0.5, random_state=seed)
    elif name == "linear":
        X, y = make_regression(n_samples=700, n_features=5, noise=5.0, random_state=seed)
    else:
        X, y = load_diabetes(return_X_y=True)
        X, y = X[:, :6], y
    X = float32_exact(X)  # scikit-learn fits on float32: both see the same values
    n = X.shape[0] - 200  # the last 200 rows are unseen test data
    return X[:n], y[:n], X[n:]


@pytest.mark.parametrize(("name", "seed", "max_depth", "min_split"), UNIQUE_CASES)
def test_identical_tree_where_best_split_is_unique(name, seed, max_depth, min_split):
    X, y, X_test = _regression_data(name, seed)
    sk = SkTree(max_depth=max_depth, min_samples_split=min_split, random_state=0).fit(X, y)
    assert best_split_is_unique(sk, X, y, "squared_error")  # precondition: no ties
    ours = DecisionTreeRegressor(max_depth=max_depth, min_samples_split=min_split).fit(X, y)
    # relative to the targets' scale (diabetes y is in the hundreds)
    assert_same_tree_as_sklearn(ours, sk, (X, X_test), atol=1e-10 * max(1.0, np.var(y)))
    assert ours.export_text() == sk_export_text(sk, max_depth=100)
    assert ours.export_text(decimals=4) == sk_export_text(sk, max_depth=100, decimals=4)


def test_predictions_to_1e_10_on_a_deep_tree():
    # A fully grown tree has tied splits in tiny nodes, so the structure may differ there;
    # the training predictions are the targets in both (distinct rows), to 1e-10.
    X, y, _ = _regression_data("friedman", 3)
    ours = DecisionTreeRegressor(random_state=0).fit(X, y)
    sk = SkTree(random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), y, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=0, atol=1e-10)


# --------------------------------------------------------------------- textbook == fast


def _random(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(100, 4))
    return X, X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + 0.3 * rng.normal(size=100)


def _tied(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer features with few values, a copied feature, duplicate rows, repeated targets."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(60, 3)).astype(float)
    X = np.hstack([X, X[:, [1]], rng.integers(0, 2, size=(60, 1))])
    X = np.vstack([X, X[:20]])
    return X, rng.integers(0, 5, size=X.shape[0]).astype(float)


DATA = {f"random{s}": _random(s) for s in range(2)} | {f"tied{s}": _tied(s) for s in range(2)}


@pytest.mark.parametrize("name", sorted(DATA))
@pytest.mark.parametrize(("max_depth", "min_samples_split"), [(1, 2), (3, 2), (None, 2), (None, 9)])
def test_textbook_equals_fast_node_by_node(name, max_depth, min_samples_split):
    X, y = DATA[name]
    root = textbook.build_tree(X, y, max_depth, min_samples_split, "squared_error")
    tree = grow_tree(X, SquaredError(y), max_depth=max_depth, min_samples_split=min_samples_split)
    assert_same_tree(root, tree)
    np.testing.assert_allclose(textbook.predict(root, X), tree.value[tree.apply(X), 0], atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_textbook_equals_estimator_for_any_feature_order(seed):
    X, y = DATA["tied0"]
    est = DecisionTreeRegressor(random_state=seed).fit(X, y)
    assert_textbook_tree(est, X, y)


# ------------------------------------------------------------------------- API and input


def test_export_text_function_and_feature_names():
    X, y, _ = _regression_data("friedman", 0)
    ours = DecisionTreeRegressor(max_depth=2).fit(X, y)
    sk = SkTree(max_depth=2).fit(X, y)
    names = [f"x{i}" for i in range(X.shape[1])]
    assert export_text(ours, names) == sk_export_text(sk, feature_names=names)
    assert "value: [" in export_text(ours) and "class" not in export_text(ours)


def test_int_targets_and_score():
    X, y, _ = _regression_data("friedman", 0)
    y_int = np.round(y).astype(int)
    ours = DecisionTreeRegressor(max_depth=3).fit(X, y_int)
    assert ours.predict(X).dtype == np.float64
    np.testing.assert_allclose(
        ours.score(X, y_int), SkTree(max_depth=3).fit(X, y_int).score(X, y_int), atol=1e-12
    )


X_OK = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
Y_OK = np.array([0.5, 1.5, 0.0, 2.0])


@pytest.mark.parametrize(
    ("X", "y", "error", "match"),
    [
        ([[0.0, np.nan], [1.0, 0.0]], [0.0, 1.0], ValueError, "Input X contains NaN"),
        (X_OK, [0.0, 1.0, np.inf, 1.0], ValueError, "Input y contains infinity"),
        (X_OK, [0.0, 1.0, np.nan, 1.0], ValueError, "Input y contains NaN"),
        (X_OK, [0.0, 1.0], ValueError, "inconsistent numbers of samples: \\[4, 2\\]"),
        (X_OK, ["a", "b", "c", "d"], ValueError, "could not convert string to float"),
        (X_OK, None, ValueError, "requires y to be passed"),
        ([[0.0], [1.0]], [[0.0, 1.0], [1.0, 0.0]], ValueError, "y should be a 1d array"),
    ],
)
def test_fit_rejects_bad_data(X, y, error, match):
    with pytest.raises(error, match=match):
        DecisionTreeRegressor().fit(X, y)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"criterion": "gini"}, ValueError, r"criterion must be one of 'squared_error', got"),
        ({"criterion": "friedman_mse"}, ValueError, r"criterion must be one of 'squared_err"),
        ({"max_depth": 0}, ValueError, r"max_depth must be in the range \[1, inf\), got 0"),
        ({"min_samples_split": 1}, ValueError, r"min_samples_split must be in the range \[2"),
        ({"random_state": 1.5}, TypeError, r"random_state must be None, an int or"),
    ],
)
def test_fit_rejects_bad_hyperparameters(params, error, match):
    with pytest.raises(error, match=match):
        DecisionTreeRegressor(**params).fit(X_OK, Y_OK)


def test_not_fitted_and_failed_fit_keeps_the_model():
    reg = DecisionTreeRegressor()
    for method in (reg.predict, reg.apply):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            method(X_OK)
    reg.fit(X_OK, Y_OK)
    tree, predictions = reg.tree_, reg.predict(X_OK)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        reg.fit(np.zeros((4, 5)), [0.0, np.nan, 1.0, 2.0])
    with pytest.raises(ValueError, match="X has 3 features, but DecisionTreeRegressor"):
        reg.predict(np.zeros((2, 3)))
    reg.set_params(min_samples_leaf=0)
    with pytest.raises(ValueError, match="min_samples_leaf"):
        reg.fit(np.zeros((4, 5)), Y_OK)
    assert reg.tree_ is tree and reg.n_features_in_ == 2
    np.testing.assert_array_equal(reg.predict(X_OK), predictions)
