"""glassml.tree.textbook: hand-computed cases, and textbook == fast, node by node.

The textbook tree (recursive, one boolean mask per candidate threshold) and the estimator's
level-wise tree must be the same tree: same structure, same feature and threshold (exactly),
same class counts and values at every node, on random data and on data full of ties
(duplicate rows, integer features, exact copies of a feature), for both criteria, several
depths and min_samples_split values, and for any tie-breaking feature order.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassml.tree import DecisionTreeClassifier, textbook
from glassml.tree._criteria import ClassCounts
from glassml.tree._growth import grow_tree

from ._reference import assert_same_tree, flatten


def test_impurity_and_gain_hand_computed():
    y = np.array([0, 0, 1, 1])
    assert textbook.impurity(y, "gini") == 0.5  # 1 - (1/4 + 1/4)
    assert textbook.impurity(y, "entropy") == 1.0  # two equally likely classes: one bit
    assert textbook.impurity(np.array([2, 2, 2]), "gini") == 0.0
    # [0, 0 | 1, 1]: both children pure, the whole parent impurity is gained
    assert textbook.information_gain(y, np.array([True, True, False, False])) == 0.5
    # [0 | 0, 1, 1]: 0.5 - 3/4 · (1 - 1/9 - 4/9) = 0.5 - 1/3
    gain = textbook.information_gain(y, np.array([True, False, False, False]))
    assert gain == pytest.approx(1 / 6, abs=1e-15)


def test_best_split_hand_computed():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 6.0], [4.0, 6.0]])
    y = np.array([0, 1, 1, 1])
    feature, threshold, gain = textbook.best_split(X, y, "gini")
    # feature 0 between 1 and 2 isolates the only class-0 sample: gain = 0.375 - 0
    assert (feature, threshold) == (0, 1.5) and gain == pytest.approx(0.375, abs=1e-15)
    assert textbook.best_split(np.ones((3, 2)), np.array([0, 1, 0]), "gini") is None


def test_candidate_thresholds_are_midpoints_of_unique_values():
    x = np.array([3.0, 1.0, 3.0, 2.0, 2.0 + 5e-8, 7.0])
    # 1|2: 1.5; 2 and 2+5e-8 count as equal (no threshold); 2+5e-8|3; 3|7: 5.0
    assert textbook.candidate_thresholds(x) == [1.5, (2.0 + 5e-8) / 2 + 1.5, 5.0]
    assert textbook.candidate_thresholds(np.array([4.0, 4.0])) == []
    low = np.nextafter(1e10, np.inf)
    high = np.nextafter(low, np.inf)  # adjacent doubles 1.9e-6 apart
    assert low / 2 + high / 2 == high  # the midpoint rounds up to high: fall back to low
    assert textbook.candidate_thresholds(np.array([low, high])) == [low]


def test_ties_first_feature_in_order_then_lowest_threshold():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    y = np.array([0, 1, 1, 0])  # thresholds 0.5 and 2.5 tie, and both features are copies
    assert textbook.best_split(X, y)[:2] == (0, 0.5)
    assert textbook.best_split(X, y, feature_order=[1, 0])[:2] == (1, 0.5)


def test_build_tree_and_predict_hand_built():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array(["a", "a", "b", "b"])
    root = textbook.build_tree(X, y)
    assert (root.feature, root.threshold) == (0, 1.5)
    assert root.left.is_leaf and root.right.is_leaf
    assert root.left.prediction == "a" and list(root.right.counts) == [0, 2]
    np.testing.assert_array_equal(textbook.predict(root, [[-5.0], [1.4], [9.0]]), ["a", "a", "b"])
    assert textbook.build_tree(X, y, max_depth=0).is_leaf  # stops at max depth
    assert textbook.build_tree(X, y, min_samples_split=5).is_leaf  # too few samples


def _random(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * rng.normal(size=120) > 0).astype(int)
    y[rng.random(120) < 0.3] = 2
    return X, y


def _tied(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer features with few values, a feature copied twice, duplicate rows."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(60, 3)).astype(float)
    X = np.hstack([X, X[:, [1]], X[:, [1]], rng.integers(0, 2, size=(60, 1))])
    X = np.vstack([X, X[:25]])  # duplicate rows, some with another label
    y = rng.integers(0, 3, size=X.shape[0])
    return X, y


DATA = {f"random{s}": _random(s) for s in range(2)} | {f"tied{s}": _tied(s) for s in range(3)}


@pytest.mark.parametrize("name", sorted(DATA))
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize(("max_depth", "min_samples_split"), [(1, 2), (3, 2), (None, 2), (None, 9)])
def test_textbook_equals_fast_node_by_node(name, criterion, max_depth, min_samples_split):
    X, y = DATA[name]
    root = textbook.build_tree(X, y, max_depth, min_samples_split, criterion)
    counts = ClassCounts(y, int(y.max()) + 1, criterion)
    tree = grow_tree(X, counts, max_depth=max_depth, min_samples_split=min_samples_split)
    assert_same_tree(root, tree)


@pytest.mark.parametrize("seed", range(4))
def test_textbook_equals_estimator_for_any_feature_order(seed):
    X, y = DATA["tied0"]
    est = DecisionTreeClassifier(criterion="entropy", random_state=seed).fit(X, y)
    root = textbook.build_tree(X, y, criterion="entropy", feature_order=est.feature_order_)
    assert_same_tree(root, est.tree_)
    np.testing.assert_array_equal(textbook.predict(root, X), est.predict(X))


def test_the_tied_data_really_has_ties():
    """Precondition of the tied cases: with another feature order, another tree."""
    X, y = DATA["tied0"]
    first = textbook.build_tree(X, y, max_depth=2)
    other = textbook.build_tree(X, y, max_depth=2, feature_order=[4, 3, 2, 1, 0, 5])
    assert [n.feature for n in flatten(first)] != [n.feature for n in flatten(other)]


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(textbook, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"criterion": "mse"},
            ValueError,
            r"criterion must be one of 'gini', 'entropy', 'squared_error', got 'mse'",
        ),
        ({"max_depth": -1}, ValueError, r"max_depth must be in the range \[0, inf\), got -1"),
        ({"min_samples_split": 1}, ValueError, r"min_samples_split must be in the range \[2"),
        ({"X": [1.0, 2.0]}, ValueError, r"X must be 2-D"),
        ({"X": [[np.nan], [1.0]]}, ValueError, r"X contains NaN"),
        (
            {"y": [0, 1, 0]},
            ValueError,
            r"y must have shape \(2,\), one label per row of X, got \(3,\)",
        ),
    ],
)
def test_build_tree_rejects_bad_input(kwargs, error, match):
    args = {"X": [[0.0], [1.0]], "y": [0, 1]} | kwargs
    with pytest.raises(error, match=match):
        textbook.build_tree(**args)


def test_impurity_rejects_an_unknown_criterion():
    # NOTE: the trap: without the check any name but "gini" would silently mean entropy
    with pytest.raises(ValueError, match=r"criterion must be one of 'gini', 'entropy'"):
        textbook.impurity(np.array([0, 1]), "log_loss")
