"""Authorities for the tree tests: the public textbook tree, and node-by-node comparisons.

The authority for "which split is best" is :mod:`glassml.tree.textbook` (recursive, one
boolean mask per candidate threshold): it shares no code or trick with glassml's vectorised
level-wise search, and ``assert_same_tree`` checks a fast tree against it node by node.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier as SkTree

from glassml.tree import textbook
from glassml.tree._growth import TREE_LEAF


def flatten(root: textbook.Node) -> list[textbook.Node]:
    """The textbook nodes in depth-first pre-order, left first (scikit-learn's numbering)."""
    nodes, stack = [], [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        if not node.is_leaf:
            stack += [node.right, node.left]
    return nodes


def assert_same_tree(root: textbook.Node, tree) -> None:
    """Node by node: children, feature, threshold (exactly), counts, value, impurity."""
    nodes = flatten(root)
    assert len(nodes) == tree.node_count
    number = {id(node): i for i, node in enumerate(nodes)}
    for i, node in enumerate(nodes):
        if node.counts is None:  # regression: the mean
            assert tree.class_counts is None
            assert tree.value[i, 0] == pytest.approx(node.prediction, rel=1e-12, abs=1e-12)
        else:
            np.testing.assert_array_equal(tree.class_counts[i], node.counts)
            np.testing.assert_allclose(tree.value[i], node.counts / node.n_samples, atol=1e-15)
        assert tree.n_node_samples[i] == node.n_samples
        assert tree.impurity[i] == pytest.approx(node.impurity, rel=1e-12, abs=1e-12)
        if node.is_leaf:
            assert tree.children_left[i] == TREE_LEAF == tree.children_right[i]
            continue
        assert tree.children_left[i] == number[id(node.left)]
        assert tree.children_right[i] == number[id(node.right)]
        assert tree.feature[i] == node.feature
        assert tree.threshold[i] == node.threshold  # exactly the same float


def textbook_tree(est, X, y) -> textbook.Node:
    """The textbook tree grown with a fitted estimator's settings and feature draws."""
    criterion = "entropy" if est.criterion == "log_loss" else est.criterion
    msl = est.min_samples_leaf
    if isinstance(msl, float):
        msl = int(np.ceil(msl * X.shape[0]))
    return textbook.build_tree(
        X,
        y,
        est.max_depth,
        est.min_samples_split,
        criterion,
        feature_order=est.feature_order_,
        min_samples_leaf=msl,
        max_features=est.max_features_,
        feature_draws=est.feature_draws_,
    )


def assert_textbook_tree(est, X, y) -> None:
    """A fitted DecisionTree* is the textbook tree grown with its settings, node by node."""
    assert_same_tree(textbook_tree(est, X, y), est.tree_)


def all_split_gains(
    X: np.ndarray, y: np.ndarray, criterion: str, min_samples_leaf: int = 1
) -> list[float]:
    """Information gain of every candidate split of one node (textbook formulas)."""
    gains = []
    for f in range(X.shape[1]):
        for threshold in textbook.candidate_thresholds(X[:, f]):
            goes_left = X[:, f] <= threshold
            if min(goes_left.sum(), (~goes_left).sum()) >= min_samples_leaf:
                gains.append(textbook.information_gain(y, goes_left, criterion))
    return gains


def node_samples(tree_arrays, X: np.ndarray) -> list[np.ndarray]:
    """Training rows reaching each node of a tree given by sklearn-style arrays."""
    rows: list[np.ndarray] = [np.array([], dtype=int)] * tree_arrays.children_left.shape[0]
    rows[0] = np.arange(X.shape[0])
    for node in range(len(rows)):  # pre-order: parents come before children
        left = tree_arrays.children_left[node]
        if left < 0:
            continue
        r = rows[node]
        go = X[r, tree_arrays.feature[node]] <= tree_arrays.threshold[node]
        rows[left] = r[go]
        rows[tree_arrays.children_right[node]] = r[~go]
    return rows


def best_split_is_unique(
    sk: SkTree, X: np.ndarray, y: np.ndarray, criterion: str, min_samples_leaf: int = 1
) -> bool:
    """True when every internal node of scikit-learn's tree has one strictly best split."""
    t = sk.tree_
    for node, rows in enumerate(node_samples(t, X)):
        if t.children_left[node] < 0:
            continue
        gains = all_split_gains(X[rows], y[rows], criterion, min_samples_leaf)
        gains = sorted(gains, reverse=True)
        # gain gaps below 1e-6 / n (impurity decreases below 1e-6) count as ties
        if len(gains) > 1 and (gains[0] - gains[1]) * rows.shape[0] <= 1e-6:
            return False
    return True


def float32_exact(X: np.ndarray) -> np.ndarray:
    """X rounded to float32 and back: scikit-learn fits on float32, so both see the same values."""
    return np.asarray(X, dtype=np.float32).astype(np.float64)


def assert_same_tree_as_sklearn(ours, sk, datasets, atol: float = 1e-12) -> None:
    """The whole ``tree_`` node by node, importances, leaves and predictions on ``datasets``."""
    t, s = ours.tree_, sk.tree_
    assert t.node_count == s.node_count
    np.testing.assert_array_equal(t.children_left, s.children_left)
    np.testing.assert_array_equal(t.children_right, s.children_right)
    np.testing.assert_array_equal(t.feature, s.feature)
    np.testing.assert_allclose(t.threshold, s.threshold, rtol=0, atol=atol)
    np.testing.assert_allclose(t.impurity, s.impurity, rtol=0, atol=atol)
    np.testing.assert_array_equal(t.n_node_samples, s.n_node_samples)
    assert t.value.shape == s.value[:, 0, :].shape
    np.testing.assert_allclose(t.value, s.value[:, 0, :], rtol=0, atol=atol)
    assert ours.get_depth() == sk.get_depth() and ours.get_n_leaves() == sk.get_n_leaves()
    np.testing.assert_allclose(ours.feature_importances_, sk.feature_importances_, atol=atol)
    for data in datasets:
        np.testing.assert_array_equal(ours.apply(data), sk.apply(data))
        if ours.tree_.class_counts is None:
            np.testing.assert_allclose(ours.predict(data), sk.predict(data), rtol=0, atol=atol)
        else:
            np.testing.assert_array_equal(ours.predict(data), sk.predict(data))
