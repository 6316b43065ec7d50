"""Property test: on small random data full of ties and duplicates, every node of the tree is
what a brute-force search says it must be (see ``_reference.assert_greedy_tree``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.tree import DecisionTreeClassifier

from ._reference import assert_greedy_tree


@st.composite
def small_problems(draw):
    n = draw(st.integers(1, 30))
    d = draw(st.integers(1, 3))
    k = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.integers(0, draw(st.integers(1, 5)), size=(n, d)).astype(float)  # many ties
    y = rng.integers(0, k, size=n)
    _, y = np.unique(y, return_inverse=True)  # classes 0..K-1, all present
    return X, y


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    problem=small_problems(),
    criterion=st.sampled_from(["gini", "entropy"]),
    max_depth=st.one_of(st.none(), st.integers(1, 4)),
    min_samples_split=st.integers(2, 6),
)
def test_every_node_matches_brute_force(problem, criterion, max_depth, min_samples_split):
    X, y = problem
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_split=min_samples_split, criterion=criterion
    ).fit(X, y)
    assert_greedy_tree(tree.tree_, X, y, criterion, max_depth, min_samples_split)
    # Training predictions are the majority class of each sample's leaf.
    leaf = tree.apply(X)
    majority = np.argmax(tree.tree_.class_counts[leaf], axis=1)
    np.testing.assert_array_equal(tree.predict(X), tree.classes_[majority])
    assert tree.get_depth() <= (max_depth if max_depth is not None else X.shape[0])
