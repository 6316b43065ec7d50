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
        np.testing.assert_array_equal(tree.class_counts[i], node.counts)
        np.testing.assert_allclose(tree.value[i], node.counts / node.counts.sum(), atol=1e-15)
        assert tree.n_node_samples[i] == node.counts.sum()
        assert tree.impurity[i] == pytest.approx(node.impurity, abs=1e-12)
        if node.is_leaf:
            assert tree.children_left[i] == TREE_LEAF == tree.children_right[i]
            continue
        assert tree.children_left[i] == number[id(node.left)]
        assert tree.children_right[i] == number[id(node.right)]
        assert tree.feature[i] == node.feature
        assert tree.threshold[i] == node.threshold  # exactly the same float


def assert_textbook_tree(est, X, y) -> None:
    """A fitted DecisionTreeClassifier is the textbook tree grown with its settings."""
    criterion = "entropy" if est.criterion == "log_loss" else est.criterion
    root = textbook.build_tree(
        X,
        y,
        est.max_depth,
        est.min_samples_split,
        criterion,
        feature_order=est.feature_order_,
    )
    assert_same_tree(root, est.tree_)


def all_split_gains(X: np.ndarray, y: np.ndarray, criterion: str) -> list[float]:
    """Information gain of every candidate split of one node (textbook formulas)."""
    return [
        textbook.information_gain(y, X[:, f] <= threshold, criterion)
        for f in range(X.shape[1])
        for threshold in textbook.candidate_thresholds(X[:, f])
    ]


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


def best_split_is_unique(sk: SkTree, X: np.ndarray, y: np.ndarray, criterion: str) -> bool:
    """True when every internal node of scikit-learn's tree has one strictly best split."""
    t = sk.tree_
    for node, rows in enumerate(node_samples(t, X)):
        if t.children_left[node] < 0:
            continue
        gains = sorted(all_split_gains(X[rows], y[rows], criterion), reverse=True)
        # gain gaps below 1e-6 / n (impurity decreases below 1e-6) count as ties
        if len(gains) > 1 and (gains[0] - gains[1]) * rows.shape[0] <= 1e-6:
            return False
    return True


def float32_exact(X: np.ndarray) -> np.ndarray:
    """X rounded to float32 and back: scikit-learn fits on float32, so both see the same values."""
    return np.asarray(X, dtype=np.float32).astype(np.float64)
