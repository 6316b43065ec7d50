"""Node statistics and split scores for the level-wise engine (:mod:`glassml.tree._growth`).

The engine is the same for classification and regression; what differs is kept here, in one
small class per kind of tree. Each holds the training targets and knows

- the *statistics* of a node, one row of a ``(n_nodes, S)`` array: the class counts
  (classification, ``S = n_classes``) or ``(n, Σy, Σ(y - ȳ)²)`` (regression, ``S = 3``), and
  from them the node's size, impurity and value;
- the *proxy score* of every candidate split of every node of a level at once, from prefix
  sums along the sorted layout (see :func:`ClassCounts.proxy` and :func:`SquaredError.proxy`):
  it is ``n ×`` the textbook's information gain up to a constant of the node, so the best
  split is the one with the largest proxy.

Textbook equivalents: :func:`glassml.tree.textbook.impurity` and
:func:`~glassml.tree.textbook.information_gain`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from glassml.tree._growth import _Segments

__all__ = ["ClassCounts", "SquaredError", "node_impurity"]


def node_impurity(counts: np.ndarray, criterion: str) -> np.ndarray:
    """Impurity of nodes with the given class counts.

    Parameters
    ----------
    counts : ndarray of shape (n_nodes, n_classes)
        Class counts of each node (every node non-empty).
    criterion : {"gini", "entropy"}
        ``"gini"``: ``1 - Σ_k p_k²``; ``"entropy"``: ``-Σ_k p_k log₂ p_k`` (in bits, as
        scikit-learn), with ``p_k = counts_k / n``.

    Returns
    -------
    ndarray of shape (n_nodes,)
    """
    counts = counts.astype(np.float64)
    n = counts.sum(axis=1)
    if criterion == "gini":
        return 1.0 - (counts * counts).sum(axis=1) / (n * n)
    p = counts / n[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) / np.log(2.0)), 0.0)
    return -terms.sum(axis=1)


def _xlogx_table(n: int) -> np.ndarray:
    """``t[c] = c log₂ c`` for the integers ``c = 0..n`` (with ``0 log 0 = 0``)."""
    c = np.arange(n + 1, dtype=np.float64)
    table = np.zeros(n + 1)
    table[1:] = c[1:] * (np.log(c[1:]) / np.log(2.0))
    return table


class ClassCounts:
    """Classification by Gini or entropy: a node's statistics are its class counts.

    Parameters
    ----------
    y : ndarray of shape (n_samples,), int
        Class index of each sample, in ``0..n_classes-1``.
    n_classes : int
    criterion : {"gini", "entropy"}
    """

    def __init__(self, y: np.ndarray, n_classes: int, criterion: str) -> None:
        self.y = y
        self.y_small = y.astype(np.min_scalar_type(n_classes))  # fewer bytes to gather
        self.n_classes = n_classes
        self.criterion = criterion
        n = y.shape[0] if criterion == "entropy" else 0
        self.xlogx = _xlogx_table(n)  # c log₂ c lookup (entropy only)

    def root(self) -> np.ndarray:
        """Statistics of the root, shape (1, n_classes)."""
        return np.bincount(self.y, minlength=self.n_classes)[None, :]

    def n_samples(self, stats: np.ndarray) -> np.ndarray:
        """Sizes of the nodes, shape (n_nodes,), int."""
        return stats.sum(axis=1)

    def impurity(self, stats: np.ndarray) -> np.ndarray:
        """Gini or entropy of the nodes, shape (n_nodes,)."""
        return node_impurity(stats, self.criterion)

    def value(self, stats: np.ndarray) -> np.ndarray:
        """Class fractions of the nodes, shape (n_nodes, n_classes)."""
        return stats / stats.sum(axis=1)[:, None]

    def children(self, samples: np.ndarray, child: np.ndarray, n_children: int) -> np.ndarray:
        """Statistics of ``n_children`` nodes; ``samples[i]`` belongs to node ``child[i]``."""
        K = self.n_classes
        flat = np.bincount(child * K + self.y[samples], minlength=n_children * K)
        return flat.reshape(n_children, K)

    def tie_scale(self, best: np.ndarray, segments: _Segments) -> np.ndarray:
        """Size of the terms of the proxy (n for Gini, n log₂ n for entropy), per segment."""
        return np.abs(best) + segments.count * np.log2(segments.count + 1.0)

    def proxy(self, idx: np.ndarray, segments: _Segments) -> np.ndarray:
        """Score of the split after every position of the layout ``idx`` (n_features, m).

        The score is minus the sample-weighted impurity of the two children,
        ``-(n_L·I_L + n_R·I_R)``, which is ``n ×`` the textbook's information gain up to a
        constant of the node. For Gini ``n·I = n - Σ_k c_k²/n``, so the proxy is
        ``Σ L_k²/n_L + Σ R_k²/n_R``; for entropy ``n·I = n log₂ n - Σ_k c_k log₂ c_k``.
        ``L_k`` is a prefix count of class ``k`` along the row minus the class-k samples of
        the earlier segments; ``R_k`` the rest of the segment. The last position of a
        segment (``n_right = 0``) gets a finite dummy score.
        """
        s = segments
        ys = self.y_small[idx]
        before = np.cumsum(s.stats, axis=0) - s.stats  # (n_segments, K)
        through = before + s.stats
        proxy = np.zeros(ys.shape)
        right_part = np.zeros(ys.shape)
        tmp = np.empty(ys.shape)
        C = np.empty(ys.shape)
        for k in range(self.n_classes):
            # Prefix counts of class k along each row (integers: exact in float64).
            np.cumsum(ys == k, axis=1, dtype=np.float64, out=C)
            if self.criterion == "gini":
                np.subtract(C, before[s.of_pos, k], out=tmp)  # L_k
                tmp *= tmp
                proxy += tmp
                np.subtract(through[s.of_pos, k], C, out=tmp)  # R_k
                tmp *= tmp
                right_part += tmp
            else:
                Ci = C.astype(np.intp)
                proxy += self.xlogx[Ci - before[s.of_pos, k]]  # L_k log L_k
                proxy += self.xlogx[through[s.of_pos, k] - Ci]  # R_k log R_k
        if self.criterion == "gini":
            proxy /= s.n_left
            right_part /= np.maximum(s.n_right, 1.0)
            proxy += right_part
        else:
            xlogx = self.xlogx
            proxy -= xlogx[s.n_left.astype(np.intp)] + xlogx[s.n_right.astype(np.intp)]
        return proxy


class SquaredError:
    """Regression by squared error: a node's statistics are ``(n, Σy, Σ(y - ȳ)²)``.

    The impurity is the variance ``Σ(y - ȳ)² / n`` and the value the mean ``ȳ``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,), float64
    """

    def __init__(self, y: np.ndarray) -> None:
        self.y = y

    def root(self) -> np.ndarray:
        """Statistics of the root, shape (1, 3)."""
        return self.children(np.arange(self.y.shape[0]), np.zeros(self.y.shape[0], np.intp), 1)

    def n_samples(self, stats: np.ndarray) -> np.ndarray:
        """Sizes of the nodes, shape (n_nodes,), int."""
        return stats[:, 0].astype(np.intp)

    def impurity(self, stats: np.ndarray) -> np.ndarray:
        """Variance of the targets of each node, shape (n_nodes,)."""
        return stats[:, 2] / stats[:, 0]

    def value(self, stats: np.ndarray) -> np.ndarray:
        """Mean target of each node, shape (n_nodes, 1)."""
        return (stats[:, 1] / stats[:, 0])[:, None]

    def children(self, samples: np.ndarray, child: np.ndarray, n_children: int) -> np.ndarray:
        """Statistics of ``n_children`` nodes; ``samples[i]`` belongs to node ``child[i]``.

        ``Σ(y - ȳ)²`` is summed after the mean is known (two passes): no cancellation.
        """
        y = self.y[samples]
        n = np.bincount(child, minlength=n_children).astype(np.float64)
        total = np.bincount(child, weights=y, minlength=n_children)
        deviation = y - (total / n)[child]
        sse = np.bincount(child, weights=deviation * deviation, minlength=n_children)
        return np.stack([n, total, sse], axis=1)

    def tie_scale(self, best: np.ndarray, segments: _Segments) -> np.ndarray:
        """Size of the proxy's terms per segment: the node's ``Σ(y - ȳ)²`` (proxy's maximum)."""
        return np.abs(best) + segments.stats[:, 2]

    def proxy(self, idx: np.ndarray, segments: _Segments) -> np.ndarray:
        """Score of the split after every position of the layout ``idx`` (n_features, m).

        With the node's targets centred (``c_i = y_i - ȳ``, so ``Σ c = 0``) and ``S_L`` the
        sum of the left child's ``c``, the impurity decrease of a split is

            ``n·I - n_L·I_L - n_R·I_R = S_L²/n_L + S_R²/n_R = S_L² · n / (n_L · n_R)``

        (``S_R = -S_L``): exactly ``n ×`` the textbook's information gain. ``S_L`` is a
        prefix sum along the row minus the prefix sum before the segment. Centring first
        keeps the sums small (scikit-learn's proxy ``S_L²/n_L + S_R²/n_R`` of the raw sums
        differs by the constant ``(Σy)²/n`` and loses digits when the mean is large).
        """
        s = segments
        mean = s.stats[:, 1] / s.stats[:, 0]
        S = self.y.take(idx)  # (n_features, m)
        S -= mean[s.of_pos]
        np.cumsum(S, axis=1, out=S)
        before = np.zeros((S.shape[0], s.start.shape[0]))  # prefix sum before each segment
        before[:, 1:] = S[:, s.start[1:] - 1]
        S -= before[:, s.of_pos]  # S_L
        S *= S
        S *= s.count[s.of_pos] / (s.n_left * np.maximum(s.n_right, 1.0))
        return S
