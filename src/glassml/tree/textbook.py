"""Decision tree, the textbook version (seed 05) -- read this before DecisionTreeClassifier.

The seed's CART classifier, in the seed's words:

- Gini impurity ``Gini(t) = 1 - Σ_k p_k²`` measures how impure a node is (0: pure); entropy
  ``H(t) = -Σ_k p_k log₂ p_k`` is the other criterion (:func:`impurity`).
- :func:`best_split` greedily searches for the best feature and threshold: it tries every
  unique value of every feature as a potential threshold and keeps the split with the largest
  information gain ``parent_gini - weighted_average(child_ginis)``.
- :func:`build_tree` grows the tree recursively until hitting a stopping criterion: max depth,
  minimum samples per node, or a pure node. Otherwise it splits and recurses into both sides.
- :func:`predict` walks each sample from the root to a leaf and returns the leaf's majority class.

Ties: when several splits have the same gain (up to rounding, :data:`TIE_TOLERANCE`), the
first one tried wins: features are tried in ``feature_order`` (default: ``0, 1, 2, ...``) and
thresholds from the smallest up. :class:`glassml.tree.DecisionTreeClassifier` uses the same
rule (its ``random_state`` draws ``feature_order``), so both grow the same tree node by node.

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

__all__ = [
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
#: Gains closer than this count as tied (they can differ in the last bits through rounding).
TIE_TOLERANCE = 1e-12
#: The impurity measures :func:`impurity` knows.
CRITERIA = ("gini", "entropy")


@dataclass
class Node:
    """One node of a textbook tree.

    Attributes
    ----------
    counts : ndarray of shape (n_classes,)
        Training samples of each class (in ``classes`` order) reaching the node.
    prediction : object
        The majority class (ties: the first class).
    impurity : float
    feature, threshold : int and float, or None for a leaf
        Samples with ``x[feature] <= threshold`` go to ``left``, the others to ``right``.
    left, right : Node or None
    """

    counts: np.ndarray
    prediction: object
    impurity: float
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
) -> Node:
    """Grow a CART classification tree recursively, as the seed describes.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels.
    max_depth : int or None
        Nodes at this depth become leaves (the root has depth 0; None: no limit).
    min_samples_split : int
        Nodes with fewer samples become leaves.
    criterion : {"gini", "entropy"}
    feature_order : sequence of int, optional
        Order in which :func:`best_split` tries the features (decides ties).

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
    """
    X, y = _check_training_data(X, y, max_depth, min_samples_split, criterion)
    classes = np.unique(y)

    def grow(rows: np.ndarray, depth: int) -> Node:
        y_node = y[rows]
        counts = np.array([np.sum(y_node == c) for c in classes])
        node = Node(counts, classes[np.argmax(counts)].item(), impurity(y_node, criterion))
        # stopping criteria: max depth, too few samples, pure node
        if max_depth is not None and depth >= max_depth:
            return node
        if len(rows) < min_samples_split or np.count_nonzero(counts) == 1:
            return node
        split = best_split(X[rows], y_node, criterion, feature_order=feature_order)
        if split is None:
            return node  # every feature is constant here: nothing to split on
        node.feature, node.threshold, _ = split
        goes_left = X[rows, node.feature] <= node.threshold
        node.left = grow(rows[goes_left], depth + 1)
        node.right = grow(rows[~goes_left], depth + 1)
        return node

    return grow(np.arange(len(y)), depth=0)


def _check_training_data(
    X: np.ndarray, y: np.ndarray, max_depth: int | None, min_samples_split: int, criterion: str
) -> tuple[np.ndarray, np.ndarray]:
    """Validate :func:`build_tree`'s arguments; return ``X`` as float64 and ``y`` as arrays."""
    X = check_finite_array(X, "X", ndim=2)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have shape ({X.shape[0]},), one label per row of X, got {y.shape}."
        )
    if max_depth is not None:
        check_scalar_number(max_depth, "max_depth", low=0, integer=True)
    check_scalar_number(min_samples_split, "min_samples_split", low=2, integer=True)
    check_option(criterion, "criterion", CRITERIA)
    return X, y


def best_split(
    X: np.ndarray,
    y: np.ndarray,
    criterion: str = "gini",
    *,
    feature_order: Sequence[int] | None = None,
) -> tuple[int, float, float] | None:
    """The split ``X[:, feature] <= threshold`` with the largest information gain.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    criterion : {"gini", "entropy"}
    feature_order : sequence of int, optional
        Order in which features are tried; decides ties (default ``range(n_features)``).

    Returns
    -------
    (feature, threshold, gain), or None when every feature is constant.
        The threshold is the midpoint between a unique value and the next one, as in
        scikit-learn: it separates the same samples as the unique value itself.
    """
    order = range(X.shape[1]) if feature_order is None else feature_order
    best = None
    for feature in order:  # try every feature ...
        for threshold in candidate_thresholds(X[:, feature]):  # ... every unique value
            gain = information_gain(y, X[:, feature] <= threshold, criterion)
            if best is None or gain > best[2] + TIE_TOLERANCE:  # strictly better: first wins
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
    """Gini ``1 - Σ_k p_k²`` or entropy ``-Σ_k p_k log₂ p_k`` of the labels ``y`` (n,)."""
    check_option(criterion, "criterion", CRITERIA)
    _, counts = np.unique(y, return_counts=True)
    p = counts / len(y)  # class proportions p_k
    if criterion == "gini":
        return float(1.0 - np.sum(p**2))
    return float(-np.sum(p * np.log2(p)))  # entropy, in bits


def predict(tree: Node, X: np.ndarray) -> np.ndarray:
    """Majority class of the leaf each row of ``X`` (n_samples, n_features) reaches, (n_samples,)."""
    predictions = []
    for x in np.asarray(X, dtype=np.float64):
        node = tree
        while node.left is not None and node.right is not None:  # not a leaf yet
            node = node.left if x[node.feature] <= node.threshold else node.right
        predictions.append(node.prediction)
    return np.array(predictions)
