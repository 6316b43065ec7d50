"""min_samples_leaf, max_features and random_state, for both trees.

- ``min_samples_leaf`` (int and fraction): the whole tree equals scikit-learn's node by node
  where every node has a unique best split, for the classifier and the regressor.
- ``max_features``: ``max_features_`` equals scikit-learn's for every accepted form; every
  split is the best among the features its node drew (re-derived here from the node's key,
  independently of the engine); the textbook tree grown with the same draws is the same tree;
  the seed matters; constant features make a node draw on (scikit-learn's rule), so a
  problem with a single varying feature gives scikit-learn's tree exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_friedman1
from sklearn.tree import DecisionTreeClassifier as SkClassifier
from sklearn.tree import DecisionTreeRegressor as SkRegressor

from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor, textbook
from glassml.tree._draws import ROOT_KEY, FeatureDraws

from ._reference import (
    all_split_gains,
    assert_same_tree_as_sklearn,
    assert_textbook_tree,
    best_split_is_unique,
    float32_exact,
)


def _classification(seed: int = 0, n: int = 500, d: int = 6):
    X, y = make_classification(
        n_samples=n + 200, n_features=d, n_informative=d - 1, n_redundant=0,
        n_classes=3, random_state=seed,
    )  # fmt: skip
    X = float32_exact(X)
    return X[:n], y[:n], X[n:]


def _regression(seed: int = 0, n: int = 500, d: int = 6):
    X, y = make_friedman1(n_samples=n + 200, n_features=d, noise=0.5, random_state=seed)
    X = float32_exact(X)
    return X[:n], y[:n], X[n:]


# ----------------------------------------------------------------------- min_samples_leaf

LEAF_CASES = [
    ("classifier", "gini", 0, 6, 10),
    ("classifier", "entropy", 1, 6, 25),
    ("classifier", "gini", 0, None, 0.02),
    ("regressor", "squared_error", 0, 6, 10),
    ("regressor", "squared_error", 1, None, 20),
    ("regressor", "squared_error", 2, 8, 0.03),
]


@pytest.mark.parametrize(("kind", "criterion", "seed", "max_depth", "leaf"), LEAF_CASES)
def test_min_samples_leaf_tree_equals_sklearn(kind, criterion, seed, max_depth, leaf):
    if kind == "classifier":
        X, y, X_test = _classification(seed)
        sk = SkClassifier(criterion=criterion, max_depth=max_depth, min_samples_leaf=leaf)
        ours = DecisionTreeClassifier(
            criterion=criterion, max_depth=max_depth, min_samples_leaf=leaf
        )
    else:
        X, y, X_test = _regression(seed)
        sk = SkRegressor(max_depth=max_depth, min_samples_leaf=leaf)
        ours = DecisionTreeRegressor(max_depth=max_depth, min_samples_leaf=leaf)
    sk.set_params(random_state=0).fit(X, y)
    ours.fit(X, y)
    n_leaf = leaf if isinstance(leaf, int) else int(np.ceil(leaf * X.shape[0]))
    assert best_split_is_unique(sk, X, y, criterion, n_leaf)  # precondition: no ties
    assert sk.tree_.n_node_samples.min() >= n_leaf  # the option did bind in sklearn ...
    assert_same_tree_as_sklearn(ours, sk, (X, X_test), atol=1e-10)
    assert np.any(ours.tree_.n_node_samples == n_leaf)  # ... and here


def test_min_samples_leaf_hand_built():
    # y = [0, 0, 0, 1, 1]: the best split isolates the 1s (threshold 2.5); with
    # min_samples_leaf=3 no split leaves 3 per side, so the root is a leaf.
    X = np.arange(5.0)[:, None]
    y = np.array([0, 0, 0, 1, 1])
    assert DecisionTreeClassifier().fit(X, y).tree_.threshold[0] == 2.5
    assert DecisionTreeClassifier(min_samples_leaf=3).fit(X, y).get_n_leaves() == 1
    # with 2 per side the only candidates are 1.5 and 2.5; 2.5 is still the best
    assert DecisionTreeClassifier(min_samples_leaf=2).fit(X, y).tree_.threshold[0] == 2.5
    # y = [5, 0, 0, 0, 0, 0]: alone the outlier would be cut off at 0.5; two per leaf -> 1.5
    reg = DecisionTreeRegressor(max_depth=1, min_samples_leaf=2)
    reg.fit(np.arange(6.0)[:, None], [5.0, 0, 0, 0, 0, 0])
    assert reg.tree_.threshold[0] == 1.5
    np.testing.assert_allclose(reg.predict([[0.0], [5.0]]), [2.5, 0.0], atol=0)


# -------------------------------------------------------------------------- max_features


@pytest.mark.parametrize("n_features", [1, 2, 3, 7, 16, 30])
@pytest.mark.parametrize("max_features", [None, 1, 2, 0.01, 0.3, 0.5, 1.0, "sqrt", "log2"])
def test_max_features_count_equals_sklearn(n_features, max_features):
    if isinstance(max_features, int) and max_features > n_features:
        return  # rejected by both (tested below)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, n_features))
    y = rng.integers(0, 2, size=20)
    ours = DecisionTreeClassifier(max_features=max_features, random_state=0).fit(X, y)
    sk = SkClassifier(max_features=max_features, random_state=0).fit(X, y)
    assert ours.max_features_ == sk.max_features_
    reg = DecisionTreeRegressor(max_features=max_features, random_state=0).fit(X, X[:, 0])
    assert reg.max_features_ == sk.max_features_
    assert (ours.feature_draws_ is None) == (ours.max_features_ == n_features)


def _node_keys(tree) -> dict[int, np.uint64]:
    """Each node's draw key, from its path: the root's, then child_keys down the tree."""
    keys = {0: np.uint64(ROOT_KEY)}
    for node in range(tree.node_count):  # pre-order: a parent comes before its children
        if tree.children_left[node] >= 0:
            left, right = FeatureDraws.child_keys(np.array([keys[node]]))
            keys[int(tree.children_left[node])] = left[0]
            keys[int(tree.children_right[node])] = right[0]
    return keys


def _drawn(order: np.ndarray, X_node: np.ndarray, max_features: int) -> list[int]:
    """scikit-learn's rule: draw in order until max_features drawn and one not constant."""
    drawn: list[int] = []
    for f in order:
        varies = [np.ptp(X_node[:, g]) > textbook.FEATURE_THRESHOLD for g in drawn]
        if len(drawn) >= max_features and any(varies):
            break
        drawn.append(int(f))
    return drawn


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("max_features", [1, 2, "sqrt"])
def test_each_split_is_the_best_among_the_drawn_features(kind, max_features):
    if kind == "classifier":
        X, y, _ = _classification(0, n=300, d=8)
        est, criterion = DecisionTreeClassifier(max_depth=5, random_state=3), "gini"
    else:
        X, y, _ = _regression(0, n=300, d=8)
        est, criterion = DecisionTreeRegressor(max_depth=5, random_state=3), "squared_error"
    est.set_params(max_features=max_features).fit(X, y)
    t, draws = est.tree_, est.feature_draws_
    rows = {0: np.arange(X.shape[0])}
    restricted = 0
    for node, key in sorted(_node_keys(t).items()):
        r = rows[node]
        if t.children_left[node] < 0:
            continue
        goes_left = X[r, t.feature[node]] <= t.threshold[node]
        rows[int(t.children_left[node])], rows[int(t.children_right[node])] = (
            r[goes_left],
            r[~goes_left],
        )
        drawn = _drawn(draws.orders(np.array([key]))[0], X[r], est.max_features_)
        assert t.feature[node] in drawn
        gain = textbook.information_gain(y[r], goes_left, criterion)
        best_drawn = max(all_split_gains(X[r][:, drawn], y[r], criterion))
        assert gain == pytest.approx(best_drawn, rel=1e-12, abs=1e-12)
        restricted += gain < max(all_split_gains(X[r], y[r], criterion)) - 1e-9
    assert restricted >= 2  # the draw really excluded the overall best split somewhere


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize(
    ("max_features", "min_samples_leaf", "max_depth"),
    [(1, 1, None), (2, 1, None), ("sqrt", 3, 4), (0.5, 2, None), ("log2", 1, 3)],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_textbook_equals_fast_with_the_same_draws(
    kind, max_features, min_samples_leaf, max_depth, seed
):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 5, size=(80, 6)).astype(float)  # ties and constant features in nodes
    X[:, 5] = rng.normal(size=80)
    if kind == "classifier":
        y = rng.integers(0, 3, size=80)
        est = DecisionTreeClassifier(criterion=["gini", "entropy"][seed])
    else:
        y = X[:, 0] - X[:, 1] + rng.normal(size=80)
        est = DecisionTreeRegressor()
    est.set_params(
        max_features=max_features,
        min_samples_leaf=min_samples_leaf,
        max_depth=max_depth,
        random_state=seed,
    ).fit(X, y)
    assert est.feature_draws_ is not None
    assert_textbook_tree(est, X, y)


def test_seeds_give_different_trees_and_a_seed_the_same():
    X, y, _ = _regression(0, n=300, d=8)
    trees = [DecisionTreeRegressor(max_features=2, random_state=s).fit(X, y) for s in range(4)]
    again = DecisionTreeRegressor(max_features=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.tree_.feature, trees[0].tree_.feature)
    np.testing.assert_array_equal(again.tree_.threshold, trees[0].tree_.threshold)
    roots = {int(t.tree_.feature[0]) for t in trees}
    shapes = {tuple(t.tree_.feature) for t in trees}
    assert len(shapes) == 4 and len(roots) >= 2
    # a Generator is used as it is: two fits from one generator draw differently
    rng = np.random.default_rng(0)
    a = DecisionTreeRegressor(max_features=2, random_state=rng).fit(X, y).tree_
    b = DecisionTreeRegressor(max_features=2, random_state=rng).fit(X, y).tree_
    assert a.node_count != b.node_count or not np.array_equal(a.feature, b.feature)


def test_draws_are_uniform_permutations():
    draws = FeatureDraws(4, seed=123)
    orders = draws.orders(np.arange(20000, dtype=np.uint64))
    assert np.all(np.sort(orders, axis=1) == np.arange(4))  # permutations
    first = np.bincount(orders[:, 0], minlength=4) / 20000
    np.testing.assert_allclose(first, 0.25, atol=0.015)  # each feature first ~1/4 of the time
    other = FeatureDraws(4, seed=124).orders(np.arange(20000, dtype=np.uint64))
    assert np.mean(np.all(orders == other, axis=1)) < 0.06  # ~1/24 by chance


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_constant_features_do_not_count_so_one_varying_feature_gives_sklearns_tree(kind):
    # Features 0-4 constant, 5 varies: with max_features=1 a node draws on past the constant
    # ones until it reaches feature 5 (scikit-learn's rule), so every node splits on it and
    # both trees are the full tree on feature 5, whatever the draws.
    rng = np.random.default_rng(0)
    X = np.hstack([np.ones((200, 5)), float32_exact(rng.normal(size=(200, 1)))])
    if kind == "classifier":
        y = (np.sin(3 * X[:, 5]) > 0).astype(int)
        ours, sk = DecisionTreeClassifier(max_features=1), SkClassifier(max_features=1)
    else:
        y = np.sin(3 * X[:, 5]) + 0.1 * rng.normal(size=200)
        ours, sk = DecisionTreeRegressor(max_features=1), SkRegressor(max_features=1)
    for seed in range(3):
        ours.set_params(random_state=seed, max_depth=6).fit(X, y)
        sk.set_params(random_state=seed, max_depth=6).fit(X, y)
        assert_same_tree_as_sklearn(ours, sk, (X,), atol=1e-10)


# ------------------------------------------------------------------------- bad values


@pytest.mark.parametrize("Estimator", [DecisionTreeClassifier, DecisionTreeRegressor])
@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"min_samples_leaf": 0}, ValueError, r"min_samples_leaf must be in the range \[1, inf"),
        ({"min_samples_leaf": 1.0}, ValueError, r"min_samples_leaf must be in the range \(0, 1\)"),
        ({"min_samples_leaf": -0.5}, ValueError, r"min_samples_leaf must be in the range \(0"),
        ({"min_samples_leaf": "2"}, TypeError, r"min_samples_leaf must be an int >= 1 or a fl"),
        ({"min_samples_leaf": True}, TypeError, r"min_samples_leaf must be an int >= 1 or a f"),
        ({"max_features": 0}, ValueError, r"max_features must be in the range \[1, inf\), got 0"),
        ({"max_features": 0.0}, ValueError, r"max_features must be in the range \(0, 1\]"),
        ({"max_features": 1.5}, ValueError, r"max_features must be in the range \(0, 1\], got"),
        ({"max_features": "auto"}, ValueError, r"max_features must be one of 'sqrt', 'log2'"),
        ({"max_features": 3}, ValueError, r"max_features must be at most n_features \(2\), got 3"),
        ({"max_features": [1]}, TypeError, r"max_features must be an int >= 1 or a float"),
    ],
)
def test_bad_option_values_are_rejected(Estimator, params, error, match):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    y = np.array([0, 1, 0, 1])
    est = Estimator().fit(X, y)
    tree = est.tree_
    with pytest.raises(error, match=match):
        est.set_params(**params).fit(X[:, ::-1] + 1.0, y)
    assert est.tree_ is tree  # a failed fit leaves the fitted tree


def test_textbook_rejects_bad_min_samples_leaf():
    with pytest.raises(ValueError, match=r"min_samples_leaf must be in the range \[1, inf"):
        textbook.build_tree([[0.0], [1.0]], [0, 1], min_samples_leaf=0)


@pytest.mark.parametrize("max_features", [1, "sqrt", None])
def test_a_pure_root_is_one_leaf_with_feature_draws(max_features):
    """One class only: the root is a leaf (it crashed with feature draws: rank of 0 samples)."""
    X = np.random.default_rng(0).random((10, 3))
    tree = DecisionTreeClassifier(max_features=max_features, random_state=0).fit(X, np.ones(10))
    assert tree.get_n_leaves() == 1 and np.all(tree.predict(X) == 1)
