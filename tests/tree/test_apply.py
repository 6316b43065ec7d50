"""``apply`` (blocks, threads, leaves that loop on themselves) against a plain per-sample walk."""

from __future__ import annotations

import numpy as np
import pytest

import glassml._threads as threads_module
import glassml.tree._growth as growth
from glassml.tree import DecisionTreeClassifier


def walk(tree, X: np.ndarray) -> np.ndarray:
    """The textbook descent, one sample at a time: left while x[feature] <= threshold."""
    leaves = []
    for x in X:
        node = 0
        while tree.children_left[node] != growth.TREE_LEAF:
            go_left = x[tree.feature[node]] <= tree.threshold[node]
            node = tree.children_left[node] if go_left else tree.children_right[node]
        leaves.append(node)
    return np.array(leaves, dtype=np.intp)


def _fitted(max_depth, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((600, 5))
    y = (X[:, 0] + 0.5 * X[:, 1] ** 2 + 0.3 * rng.standard_normal(600) > 0.4).astype(int)
    y[rng.random(600) < 0.1] = 2  # noise: deep, unbalanced trees when max_depth is None
    return DecisionTreeClassifier(max_depth=max_depth).fit(X, y)


def _queries(tree, seed=1):
    rng = np.random.default_rng(seed)
    Q = rng.standard_normal((1003, 5))
    # samples exactly on a threshold must go left (x <= threshold)
    internal = np.flatnonzero(tree.tree_.children_left != growth.TREE_LEAF)
    Q[np.arange(len(internal)), tree.tree_.feature[internal]] = tree.tree_.threshold[internal]
    return Q


@pytest.mark.parametrize("max_depth", [1, 3, None])
@pytest.mark.parametrize(("block", "levels", "threads"), [(16384, 8, 1), (7, 1, 3), (100, 3, 2)])
def test_apply_equals_a_per_sample_walk(max_depth, block, levels, threads, monkeypatch):
    monkeypatch.setattr(growth, "APPLY_BLOCK", block)
    monkeypatch.setattr(growth, "APPLY_LEVELS", levels)
    monkeypatch.setattr(threads_module, "available_cpus", lambda: threads)
    tree = _fitted(max_depth)
    if max_depth is None:
        assert tree.get_depth() >= 10  # deep enough for leaves at many different depths
    Q = _queries(tree)
    expected = walk(tree.tree_, Q)
    np.testing.assert_array_equal(tree.apply(Q), expected)
    # predict is the majority class of that leaf (ties: the first class)
    majority = np.argmax(tree.tree_.value[expected], axis=1)
    np.testing.assert_array_equal(tree.predict(Q), tree.classes_[majority])


def test_a_tree_that_is_one_leaf_sends_everything_to_the_root():
    tree = DecisionTreeClassifier().fit(np.arange(6.0).reshape(3, 2), [1, 1, 1])
    assert tree.tree_.node_count == 1
    np.testing.assert_array_equal(tree.apply(np.ones((5, 2))), np.zeros(5))
    np.testing.assert_array_equal(tree.predict(np.ones((5, 2))), np.ones(5))


def test_no_samples_give_no_leaves():
    tree = _fitted(3)
    assert tree.tree_.apply(np.empty((0, 5))).shape == (0,)
