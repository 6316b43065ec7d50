"""The engine's fast paths compute the same numbers as the plain ones, bit for bit.

- integer weights (bootstrap counts) take integer prefix sums: the same scores as the float
  prefix sums of the same weights;
- a forest's presorted columns, restricted to a tree's rows, are an argsort of those rows;
- several trees grown together (:func:`~glassml.tree._growth.grow_trees`, what a forest does)
  are, node for node and bit for bit, the trees grown one by one;
- a node's feature order depends on its own seed only (trees grown together keep theirs).
"""

from __future__ import annotations

import numpy as np
import pytest

from glassml.tree._criteria import ClassCounts
from glassml.tree._draws import FeatureDraws
from glassml.tree._growth import _Segments, grow_tree, grow_trees, restrict_presorted

TREE_ARRAYS = (
    "children_left",
    "children_right",
    "feature",
    "threshold",
    "value",
    "class_counts",
    "impurity",
    "n_node_samples",
    "weighted_n_node_samples",
)


def _assert_identical(a, b) -> None:
    for name in TREE_ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.max_depth == b.max_depth


def _blocks(seed: int, n_trees: int, n: int = 150, d: int = 6, n_classes: int = 3):
    """Data with ties, and one block of rows (with integer weights) per tree."""
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)), 1)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.intp) + (X[:, 3] > 0.8)
    y = np.minimum(y, n_classes - 1)
    keeps = [np.flatnonzero(rng.random(n) < 0.7) for _ in range(n_trees)]
    weights = [rng.integers(1, 4, size=k.shape[0]).astype(np.float64) for k in keeps]
    return X, y, keeps, weights


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize(("max_depth", "min_samples_leaf"), [(None, 1), (4, 3)])
def test_trees_grown_together_are_the_trees_grown_alone(
    criterion, weighted, max_depth, min_samples_leaf
):
    X, y, keeps, weights = _blocks(0, n_trees=4)
    presorted = np.argsort(X.T, axis=1)
    seeds = np.array([11, 2**63 + 5, 7, 11], dtype=np.uint64)
    options = dict(max_depth=max_depth, min_samples_split=2, min_samples_leaf=min_samples_leaf)
    alone = [
        grow_tree(
            X[keep],
            ClassCounts(y[keep], 3, criterion, w if weighted else None),
            max_features=2,
            feature_draws=FeatureDraws(X.shape[1], int(seed)),
            **options,
        )
        for keep, w, seed in zip(keeps, weights, seeds, strict=True)
    ]
    sizes = np.array([k.shape[0] for k in keeps])
    offsets = np.cumsum(sizes) - sizes
    together = grow_trees(
        np.concatenate([X[k] for k in keeps]),
        ClassCounts(
            np.concatenate([y[k] for k in keeps]),
            3,
            criterion,
            np.concatenate(weights) if weighted else None,
        ),
        sizes,
        seeds,
        np.concatenate(
            [restrict_presorted(presorted, k) + o for k, o in zip(keeps, offsets, strict=True)],
            axis=1,
        ),
        max_features=2,
        **options,
    )
    assert len(together) == len(alone)
    assert alone[0].node_count > 15  # deep enough to mean something
    for a, b in zip(alone, together, strict=True):
        _assert_identical(a, b)


def test_restricted_presorted_orders_are_argsorts_of_the_kept_rows():
    X, _, keeps, _ = _blocks(1, n_trees=1)
    keep = keeps[0]
    presorted = np.argsort(X.T, axis=1).astype(np.int32)
    got = restrict_presorted(presorted, keep)
    assert got.shape == (X.shape[1], keep.shape[0])
    kept = X[keep]
    for f in range(X.shape[1]):
        np.testing.assert_array_equal(np.sort(got[f]), np.arange(keep.shape[0]))
        np.testing.assert_array_equal(kept[got[f], f], np.sort(kept[:, f]))
    assert restrict_presorted(presorted, slice(None)) is presorted


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_integer_weights_score_as_float_weights(criterion):
    X, y, keeps, weights = _blocks(2, n_trees=1, n_classes=3)
    keep, w = keeps[0], weights[0]
    counts = ClassCounts(y[keep], 3, criterion, w)
    assert counts.w_int is not None  # the integer path
    stats = counts.children(np.arange(keep.shape[0]), np.zeros(keep.shape[0], np.intp), 1)
    layout = np.argsort(X[keep].T, axis=1)[:3]  # three rows of one segment
    segments = _Segments.from_stats(stats, counts.n_samples(stats))
    fast = counts.proxy(layout, segments)
    plain = counts._float_weighted_proxy(layout, segments)
    finite = np.isfinite(plain)
    assert finite.sum() > 100
    np.testing.assert_array_equal(fast[finite], plain[finite])
    halves = ClassCounts(y[keep], 3, criterion, w + 0.5)
    assert halves.w_int is None  # not integers: the float path


def test_node_orders_depend_on_their_own_seed():
    draws = FeatureDraws(7, 123)
    keys = np.array([0, 5, 9, 2**40], dtype=np.uint64)
    seeds = np.array([123, 4, 123, 2**63], dtype=np.uint64)
    together = draws.orders(keys, seeds)
    for i in range(keys.shape[0]):
        alone = FeatureDraws(7, int(seeds[i])).orders(keys[i : i + 1])
        np.testing.assert_array_equal(together[i], alone[0])
    np.testing.assert_array_equal(draws.orders(keys), draws.orders(keys, np.full(4, 123)))
