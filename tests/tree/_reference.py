"""Independent authorities for the tree tests: brute-force split search and tree comparison.

The brute force is deliberately naive (one boolean mask per candidate threshold, O(n²) per
feature) so that it shares no code or trick with glassml's vectorised level-wise search.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier as SkTree

FEATURE_THRESHOLD = 1e-7  # scikit-learn's "these two values are equal" tolerance


def impurity(counts: np.ndarray, criterion: str) -> np.ndarray:
    """Gini (1 - Σ p²) or entropy in bits (-Σ p log₂ p) of rows of class counts."""
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    p = counts / counts.sum(axis=1, keepdims=True)
    if criterion == "gini":
        return 1.0 - (p**2).sum(axis=1)
    logs = np.log2(np.where(p > 0, p, 1.0))  # p = 0 contributes 0
    return -(p * logs).sum(axis=1)


def all_split_decreases(X: np.ndarray, Y1: np.ndarray, criterion: str) -> list[tuple]:
    """Every candidate split of one node as (decrease, feature, threshold).

    ``decrease = n·I - n_L·I_L - n_R·I_R`` with thresholds at midpoints between sorted
    distinct values (neighbours closer than FEATURE_THRESHOLD count as equal).
    """
    n = X.shape[0]
    total = Y1.sum(axis=0)
    parent = n * impurity(total, criterion)[0]
    out = []
    for f in range(X.shape[1]):
        v = np.unique(X[:, f])
        distinct = v[1:] > v[:-1] + FEATURE_THRESHOLD
        thresholds = (v[:-1] / 2 + v[1:] / 2)[distinct]
        if thresholds.size == 0:
            continue
        masks = (X[None, :, f] <= thresholds[:, None]).astype(float)  # (n_thr, n)
        L = masks @ Y1
        R = total - L
        dec = parent - L.sum(1) * impurity(L, criterion) - R.sum(1) * impurity(R, criterion)
        out += [(d, f, t) for d, t in zip(dec, thresholds, strict=True)]
    return out


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
    Y1 = np.eye(y.max() + 1)[y]
    t = sk.tree_
    for node, rows in enumerate(node_samples(t, X)):
        if t.children_left[node] < 0:
            continue
        dec = sorted(
            (c[0] for c in all_split_decreases(X[rows], Y1[rows], criterion)), reverse=True
        )
        if len(dec) > 1 and dec[0] - dec[1] <= 1e-6:  # well above rounding and TIE_TOLERANCE
            return False
    return True


def float32_exact(X: np.ndarray) -> np.ndarray:
    """X rounded to float32 and back: scikit-learn fits on float32, so both see the same values."""
    return np.asarray(X, dtype=np.float32).astype(np.float64)


def node_depths(t) -> np.ndarray:
    """Depth of every node of a tree in pre-order (parents before children)."""
    depth = np.zeros(t.children_left.shape[0], dtype=int)
    for node in range(depth.shape[0]):
        if t.children_left[node] >= 0:
            depth[t.children_left[node]] = depth[t.children_right[node]] = depth[node] + 1
    return depth


def assert_greedy_tree(t, X, y, criterion, max_depth, min_samples_split) -> None:
    """Check every node of a glassml tree against the brute-force search.

    - class counts and impurity of each node are those of the training rows reaching it;
    - an internal node has room to split (depth < max_depth, n >= min_samples_split, impure)
      and its impurity decrease is the largest of all candidates; among equally good
      candidates it uses the lowest feature, then the lowest threshold;
    - a leaf is pure, at max_depth, below min_samples_split, or has no candidate at all.
    """
    Y1 = np.eye(t.class_counts.shape[1])[y]
    depth = node_depths(t)
    n = t.n_node_samples
    for node, rows in enumerate(node_samples(t, X)):
        counts = Y1[rows].sum(axis=0)
        np.testing.assert_array_equal(t.class_counts[node], counts)
        assert n[node] == rows.shape[0]
        assert t.impurity[node] == pytest.approx(impurity(counts, criterion)[0], abs=1e-12)
        candidates = all_split_decreases(X[rows], Y1[rows], criterion)
        at_limit = max_depth is not None and depth[node] >= max_depth
        if t.children_left[node] < 0:
            small = n[node] < min_samples_split
            assert t.impurity[node] <= 1e-15 or at_limit or small or not candidates
            continue
        assert not at_limit and n[node] >= min_samples_split and t.impurity[node] > 0
        best = max(c[0] for c in candidates)
        left, right = t.children_left[node], t.children_right[node]
        decrease = (
            n[node] * t.impurity[node] - n[left] * t.impurity[left] - n[right] * t.impurity[right]
        )
        assert decrease == pytest.approx(best, abs=1e-9)
        ties = sorted((f, thr) for dec, f, thr in candidates if dec >= best - 1e-9)
        assert (t.feature[node], t.threshold[node]) == pytest.approx(ties[0], abs=1e-12)
