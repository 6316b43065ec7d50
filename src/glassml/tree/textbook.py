"""Decision tree, the textbook version (seed 05) -- read this before the DecisionTree estimators.

The seed's CART classifier, in the seed's words, and its regression twin:

- Gini impurity ``Gini(t) = 1 - Σ_k p_k²`` measures how impure a node is (0: pure); entropy
  ``H(t) = -Σ_k p_k log₂ p_k`` is the other criterion (:func:`impurity`). For regression the
  impurity is the variance ``(1/n) Σ_i (y_i - ȳ)²`` ("squared_error"), and a leaf predicts
  the mean ``ȳ`` of its samples.
- :func:`best_split` greedily searches for the best feature and threshold: it tries every
  unique value of every feature as a potential threshold and keeps the split with the largest
  information gain ``parent_gini - weighted_average(child_ginis)``.
- :func:`build_tree` grows the tree recursively until hitting a stopping criterion: max depth,
  minimum samples per node, or a pure node. Otherwise it splits and recurses into both sides.
- :func:`predict` walks each sample from the root to a leaf and returns the leaf's majority class
  (its mean, for regression).

Two options restrict the search, as in scikit-learn: ``min_samples_leaf`` (a split must leave
at least that many samples on each side) and ``max_features`` (each node tries only features
drawn at random, see :func:`best_split`; the draws come from a
:class:`~glassml.tree._draws.FeatureDraws`, so that the fast engine can draw the same ones).

Ties: when several splits have the same gain (up to rounding, :data:`TIE_TOLERANCE`), the
first one tried wins: features are tried in ``feature_order`` (default: ``0, 1, 2, ...``) and
thresholds from the smallest up. The estimators use the same rule (their ``random_state``
draws ``feature_order``), so both grow the same tree node by node.

This version is deliberately slow (``O(n · d · unique values)`` per node, one boolean mask per
threshold). The estimator grows the same tree with sorted prefix counts, all nodes of a depth
at once: see :mod:`glassml.tree._growth`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from glassml._validation import check_finite_array, check_option, check_scalar_number
from glassml.tree._draws import ROOT_KEY, FeatureDraws

__all__ = [
    "EPSILON",
    "Node",
    "best_split",
    "build_tree",
    "candidate_thresholds",
    "impurity",
    "information_gain",
    "predict",
]

# NOTE: scikit-learn treats two sorted values as equal unless they differ by more than this;
# no threshold is ever placed between them (the fast path copies the rule).
FEATURE_THRESHOLD = 1e-7
#: Gains closer than this count as tied (they can differ in the last bits through rounding);
#: for "squared_error" it is relative to the node's variance (regression gains scale with y²).
TIE_TOLERANCE = 1e-12
#: The impurity measures :func:`impurity` knows ("squared_error": regression).
CRITERIA = ("gini", "entropy", "squared_error")
#: A node whose impurity is at most this is pure (scikit-learn's tolerance for rounding).
EPSILON = float(np.finfo(np.float64).eps)


@dataclass
class Node:
    """One node of a textbook tree.

    Attributes
    ----------
    prediction : object
        The majority class (ties: the first class), or the mean of ``y`` for regression.
    impurity : float
    n_samples : int
        Training samples reaching the node.
    counts : ndarray of shape (n_classes,), or None for regression
        Training samples of each class (in ``classes`` order) reaching the node.
    feature, threshold : int and float, or None for a leaf
        Samples with ``x[feature] <= threshold`` go to ``left``, the others to ``right``.
    left, right : Node or None
    """

    prediction: object
    impurity: float
    n_samples: int
    counts: np.ndarray | None = None
    feature: int | None = None
    threshold: float | None = None
    left: Node | None = None
    right: Node | None = None

    @property
    def is_leaf(self) -> bool:
        """True when the node has no children."""
        return self.left is None


def build_tree(
    X: np.ndarray,
    y: np.ndarray,
    max_depth: int | None = None,
    min_samples_split: int = 2,
    criterion: str = "gini",
    *,
    feature_order: Sequence[int] | None = None,
    min_samples_leaf: int = 1,
    max_features: int | None = None,
    feature_draws: FeatureDraws | None = None,
) -> Node:
    """Grow a CART tree recursively, as the seed describes.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels, or real targets for ``criterion="squared_error"``.
    max_depth : int or None
        Nodes at this depth become leaves (the root has depth 0; None: no limit).
    min_samples_split : int
        Nodes with fewer samples become leaves.
    criterion : {"gini", "entropy", "squared_error"}
    feature_order : sequence of int, optional
        Order in which :func:`best_split` tries the features (decides ties).
    min_samples_leaf : int
        Each child of a split keeps at least this many samples (nodes with fewer than twice
        as many become leaves).
    max_features : int or None
        Features tried per node (see :func:`best_split`; None: all).
    feature_draws : FeatureDraws, optional
        Gives every node its own random feature order (``feature_draws.orders([key])``,
        the children's keys from ``feature_draws.child_keys``); replaces ``feature_order``.

    Returns
    -------
    Node
        The root.

    Examples
    --------
    >>> X = [[1.0], [2.0], [3.0], [4.0]]
    >>> root = build_tree(X, ["no", "no", "yes", "yes"])
    >>> root.feature, root.threshold, root.left.prediction, root.right.prediction
    (0, 2.5, 'no', 'yes')
    >>> predict(root, [[0.0], [3.9]]).tolist()
    ['no', 'yes']
    >>> reg = build_tree(X, [1.0, 2.0, 6.0, 8.0], max_depth=1, criterion="squared_error")
    >>> reg.threshold, reg.left.prediction, reg.right.prediction
    (2.5, 1.5, 7.0)
    """
    X, y = _check_training_data(X, y, max_depth, min_samples_split, criterion)
    check_scalar_number(min_samples_leaf, "min_samples_leaf", low=1, integer=True)
    classes = None if criterion == "squared_error" else np.unique(y)

    def grow(rows: np.ndarray, depth: int, key: np.uint64) -> Node:
        node = _make_node(y[rows], classes, criterion)
        # stopping criteria: max depth, too few samples, pure node
        if max_depth is not None and depth >= max_depth:
            return node
        if len(rows) < max(min_samples_split, 2 * min_samples_leaf) or node.impurity <= EPSILON:
            return node
        order = feature_order if feature_draws is None else feature_draws.orders(np.array([key]))[0]
        split = best_split(
            X[rows],
            y[rows],
            criterion,
            feature_order=order,
            min_samples_leaf=min_samples_leaf,
            max_features=max_features,
        )
        if split is None:
            return node  # no feature varies here, or no split leaves min_samples_leaf per side
        node.feature, node.threshold, _ = split
        goes_left = X[rows, node.feature] <= node.threshold
        left_key, right_key = FeatureDraws.child_keys(np.array([key]))
        node.left = grow(rows[goes_left], depth + 1, left_key[0])
        node.right = grow(rows[~goes_left], depth + 1, right_key[0])
        return node

    return grow(np.arange(len(y)), depth=0, key=np.uint64(ROOT_KEY))


def _make_node(y_node: np.ndarray, classes: np.ndarray | None, criterion: str) -> Node:
    """A leaf holding the node's statistics: class counts (classification) or the mean."""
    imp = impurity(y_node, criterion)
    if classes is None:  # regression: predict the mean
        return Node(float(np.mean(y_node)), imp, len(y_node))
    counts = np.array([np.sum(y_node == c) for c in classes])
    return Node(classes[np.argmax(counts)].item(), imp, len(y_node), counts)


def _check_training_data(
    X: np.ndarray, y: np.ndarray, max_depth: int | None, min_samples_split: int, criterion: str
) -> tuple[np.ndarray, np.ndarray]:
    """Validate :func:`build_tree`'s arguments; return ``X`` as float64 and ``y`` as arrays."""
    X = check_finite_array(X, "X", ndim=2)
    check_option(criterion, "criterion", CRITERIA)
    y = check_finite_array(y, "y", ndim=1) if criterion == "squared_error" else np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have shape ({X.shape[0]},), one label per row of X, got {y.shape}."
        )
    if max_depth is not None:
        check_scalar_number(max_depth, "max_depth", low=0, integer=True)
    check_scalar_number(min_samples_split, "min_samples_split", low=2, integer=True)
    return X, y


def best_split(
    X: np.ndarray,
    y: np.ndarray,
    criterion: str = "gini",
    *,
    feature_order: Sequence[int] | None = None,
    min_samples_leaf: int = 1,
    max_features: int | None = None,
) -> tuple[int, float, float] | None:
    """The split ``X[:, feature] <= threshold`` with the largest information gain.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    criterion : {"gini", "entropy", "squared_error"}
    feature_order : sequence of int, optional
        Order in which features are drawn; decides ties (default ``range(n_features)``).
    min_samples_leaf : int
        Splits leaving fewer samples on a side are not candidates.
    max_features : int, optional
        Draw features (in ``feature_order``) until ``max_features`` are drawn *and* one of them
        is not constant in the node -- scikit-learn's rule: constant features count as drawn,
        but drawing goes on past ``max_features`` while every drawn feature is constant. Only
        the drawn features are searched. None: all features.

    Returns
    -------
    (feature, threshold, gain), or None when no drawn feature has a valid split.
        The threshold is the midpoint between a unique value and the next one, as in
        scikit-learn: it separates the same samples as the unique value itself.
    """
    order = range(X.shape[1]) if feature_order is None else feature_order
    n_draws = len(order) if max_features is None else max_features
    scale = impurity(y, criterion) if criterion == "squared_error" else 1.0
    best = None
    n_drawn = n_constant = 0
    for feature in order:  # draw the features one by one ...
        if n_drawn >= n_draws and n_drawn > n_constant:
            break  # ... until n_draws are drawn and one of them varies
        n_drawn += 1
        x = X[:, feature]
        if x.max() <= x.min() + FEATURE_THRESHOLD:
            n_constant += 1  # constant in this node: nothing to split
            continue
        for threshold in candidate_thresholds(x):  # ... every unique value
            goes_left = x <= threshold
            if min(goes_left.sum(), (~goes_left).sum()) < min_samples_leaf:
                continue
            gain = information_gain(y, goes_left, criterion)
            if best is None or gain > best[2] + TIE_TOLERANCE * scale:  # first wins ties
                best = (int(feature), threshold, gain)
    return best


def candidate_thresholds(x: np.ndarray) -> list[float]:
    """One threshold per unique value of the feature ``x`` (n,) except the largest.

    ``x <= threshold`` must send that value and the smaller ones left: the threshold is the
    midpoint to the next unique value (scikit-learn's choice), skipped where the next value is
    within ``FEATURE_THRESHOLD`` (the two count as equal).
    """
    values = np.unique(x)  # sorted
    thresholds = []
    for value, next_value in pairwise(values):
        if next_value > value + FEATURE_THRESHOLD:
            middle = value / 2.0 + next_value / 2.0  # cannot overflow, unlike (a + b) / 2
            # NOTE: in float64 the midpoint can round up to next_value; then use value itself
            thresholds.append(float(value if middle >= next_value else middle))
    return thresholds


def information_gain(y: np.ndarray, goes_left: np.ndarray, criterion: str = "gini") -> float:
    """``impurity(parent) - weighted_average(impurity(left), impurity(right))``.

    ``y`` (n,) are the node's labels, ``goes_left`` (n,) bool says which samples go left.
    """
    y_left, y_right = y[goes_left], y[~goes_left]
    w_left, w_right = len(y_left) / len(y), len(y_right) / len(y)
    children = w_left * impurity(y_left, criterion) + w_right * impurity(y_right, criterion)
    return impurity(y, criterion) - children


def impurity(y: np.ndarray, criterion: str = "gini") -> float:
    """Gini ``1 - Σ_k p_k²``, entropy ``-Σ_k p_k log₂ p_k`` or variance of ``y`` (n,).

    ``"squared_error"``: the variance ``(1/n) Σ_i (y_i - ȳ)²``, the mean squared error of
    predicting the mean ``ȳ``.
    """
    check_option(criterion, "criterion", CRITERIA)
    if criterion == "squared_error":
        return float(np.mean((y - np.mean(y)) ** 2))
    _, counts = np.unique(y, return_counts=True)
    p = counts / len(y)  # class proportions p_k
    if criterion == "gini":
        return float(1.0 - np.sum(p**2))
    return float(-np.sum(p * np.log2(p)))  # entropy, in bits


def predict(tree: Node, X: np.ndarray) -> np.ndarray:
    """Prediction (majority class or mean) of the leaf each row of ``X`` reaches.

    ``X`` has shape (n_samples, n_features); returns shape (n_samples,).
    """
    predictions = []
    for x in np.asarray(X, dtype=np.float64):
        node = tree
        while node.left is not None and node.right is not None:  # not a leaf yet
            node = node.left if x[node.feature] <= node.threshold else node.right
        predictions.append(node.prediction)
    return np.array(predictions)
