"""Property test: on small random data full of ties and duplicates, the estimator's tree is the
textbook tree (:mod:`glassml.tree.textbook`) node by node, for any feature order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.tree import DecisionTreeClassifier

from ._reference import assert_textbook_tree


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
    criterion=st.sampled_from(["gini", "entropy", "log_loss"]),
    max_depth=st.one_of(st.none(), st.integers(1, 4)),
    min_samples_split=st.integers(2, 6),
    random_state=st.integers(0, 3),
)
def test_tree_is_the_textbook_tree(problem, criterion, max_depth, min_samples_split, random_state):
    X, y = problem
    tree = DecisionTreeClassifier(
        max_depth=max_depth,
        min_samples_split=min_samples_split,
        criterion=criterion,
        random_state=random_state,
    ).fit(X, y)
    assert_textbook_tree(tree, X, y)
    # Training predictions are the majority class of each sample's leaf.
    leaf = tree.apply(X)
    majority = np.argmax(tree.tree_.class_counts[leaf], axis=1)
    np.testing.assert_array_equal(tree.predict(X), tree.classes_[majority])
    assert tree.get_depth() <= (max_depth if max_depth is not None else X.shape[0])
