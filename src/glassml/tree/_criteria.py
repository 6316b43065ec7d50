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

Speed: classification without weights or with integer weights (a forest's bootstrap counts)
sums class counts with integer cumulative sums (``int64``: exact, and about 4.5x faster than
``float64`` ones, whose additions wait for each other), the last class as the total minus the
others; the scores are the same numbers as from float sums (tested bit for bit). Measured on
one 4 x 6350 level: the proxy took 880 µs before, 410-460 µs after.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def _integer_weights(
    y: np.ndarray, n_classes: int, w: np.ndarray | None
) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """Weights that are all integers (bootstrap counts) as int64, and per class but the last.

    Returns ``(w_int, class_w)``: ``class_w[k]`` (n_samples,) is the weight of the class-k
    samples, 0 elsewhere; ``(None, [])`` without weights, when one is not an integer, or
    when their sum might not be exact in float64.
    """
    if w is None or not (np.all(w == np.floor(w)) and w.sum() < 2**53):
        return None, []
    w_int = w.astype(np.int64)
    return w_int, [np.where(y == k, w_int, 0) for k in range(n_classes - 1)]


class ClassCounts:
    """Classification by Gini or entropy: a node's statistics are its class counts.

    A node's statistics row is ``(c_0, ..., c_{K-1}, rows)``: the (weighted) class counts
    and the number of training rows in the node (what ``min_samples_*`` count, as in
    scikit-learn). Without weights every ``c_k`` is an integer count.

    Parameters
    ----------
    y : ndarray of shape (n_samples,), int
        Class index of each sample, in ``0..n_classes-1``.
    n_classes : int
    criterion : {"gini", "entropy"}
    sample_weight : ndarray of shape (n_samples,), float64, optional
        Non-negative weight of each sample (None: all 1). A sample of weight ``k`` counts
        as ``k`` samples in the class counts (scikit-learn's rule).
    """

    def __init__(
        self,
        y: np.ndarray,
        n_classes: int,
        criterion: str,
        sample_weight: np.ndarray | None = None,
    ) -> None:
        self.y = y
        self.y_small = y.astype(np.min_scalar_type(n_classes))  # fewer bytes to gather
        self.n_classes = n_classes
        self.criterion = criterion
        self.w = sample_weight
        self.w_int, self.class_w = _integer_weights(y, n_classes, sample_weight)
        n = y.shape[0] if criterion == "entropy" and sample_weight is None else 0
        self.xlogx = _xlogx_table(n)  # c log₂ c lookup (entropy without weights only)

    def root(self) -> np.ndarray:
        """Statistics of the root, shape (1, n_classes + 1)."""
        n = self.y.shape[0]
        return self.children(np.arange(n), np.zeros(n, dtype=np.intp), 1)

    def n_samples(self, stats: np.ndarray) -> np.ndarray:
        """Numbers of training rows of the nodes, shape (n_nodes,), int."""
        return stats[:, -1].astype(np.intp)

    def weighted_n_samples(self, stats: np.ndarray) -> np.ndarray:
        """Total weights of the nodes, shape (n_nodes,), float."""
        return stats[:, :-1].sum(axis=1).astype(np.float64)

    def counts(self, stats: np.ndarray) -> np.ndarray:
        """(Weighted) class counts of the nodes, shape (n_nodes, n_classes)."""
        return stats[:, :-1]

    def impurity(self, stats: np.ndarray) -> np.ndarray:
        """Gini or entropy of the nodes, shape (n_nodes,)."""
        return node_impurity(stats[:, :-1], self.criterion)

    def value(self, stats: np.ndarray) -> np.ndarray:
        """Class fractions of the nodes, shape (n_nodes, n_classes)."""
        return stats[:, :-1] / stats[:, :-1].sum(axis=1)[:, None]

    def children(self, samples: np.ndarray, child: np.ndarray, n_children: int) -> np.ndarray:
        """Statistics of ``n_children`` nodes; ``samples[i]`` belongs to node ``child[i]``."""
        K = self.n_classes
        w = None if self.w is None else self.w[samples]
        flat = np.bincount(child * K + self.y[samples], weights=w, minlength=n_children * K)
        rows = np.bincount(child, minlength=n_children)
        return np.concatenate([flat.reshape(n_children, K), rows[:, None]], axis=1)

    def tie_scale(self, best: np.ndarray, segments: _Segments) -> np.ndarray:
        """Size of the terms of the proxy (n for Gini, n log₂ n for entropy), per segment."""
        n = self.weighted_n_samples(segments.stats)
        return np.abs(best) + n * np.log2(n + 1.0)

    def proxy(self, idx: np.ndarray, segments: _Segments) -> np.ndarray:
        """Score of the split after every position of the layout ``idx`` (n_features, m).

        The score is minus the sample-weighted impurity of the two children,
        ``-(n_L·I_L + n_R·I_R)``, which is ``n ×`` the textbook's information gain up to a
        constant of the node. For Gini ``n·I = n - Σ_k c_k²/n``, so the proxy is
        ``Σ L_k²/n_L + Σ R_k²/n_R``; for entropy ``n·I = n log₂ n - Σ_k c_k log₂ c_k``.
        ``L_k`` is a prefix count of class ``k`` along the row minus the class-k samples of
        the earlier segments; ``R_k`` the rest of the segment. The last position of a
        segment (``n_right = 0``) gets a finite dummy score (without weights).

        The prefix counts are integer sums (:meth:`_prefix_counts`), exact, so the scores are
        the same numbers as from float prefix sums; weights that are not integers take
        :meth:`_float_weighted_proxy`.
        """
        s = segments
        if self.w is not None and self.w_int is None:
            return self._float_weighted_proxy(idx, segments)
        idx = idx.astype(np.intp, copy=False)  # NOTE: float64.take is slow with int32 indices
        counts = s.stats[:, :-1]
        before = np.cumsum(counts, axis=0) - counts  # (n_segments, K)
        through = before + counts
        n_left, n_right = s.n_left, s.n_right
        if self.w is not None:  # the children's total weights, per row
            total = s.stats[:, :-1].sum(axis=1)
            n_left = self._prefix_total(idx) - before.sum(axis=1)[s.of_pos]
            n_right = total[s.of_pos] - n_left
        left_part = np.zeros(idx.shape)  # Σ L_k² (Gini) or Σ L_k log₂ L_k (entropy)
        right_part = np.zeros(idx.shape)
        tmp = np.empty(idx.shape)
        for k, C in enumerate(self._prefix_counts(idx)):
            if self.criterion == "gini":
                np.subtract(C, before[s.of_pos, k], out=tmp)  # L_k
                tmp *= tmp
                left_part += tmp
                np.subtract(through[s.of_pos, k], C, out=tmp)  # R_k
                tmp *= tmp
                right_part += tmp
            else:  # NOTE: without weights one sum, as before (the same rounding)
                left_part += self._xlogx(C - before[s.of_pos, k].astype(np.int64))  # L_k
                right = right_part if self.w is not None else left_part
                right += self._xlogx(through[s.of_pos, k].astype(np.int64) - C)  # R_k
        if self.criterion == "entropy" and self.w is None:
            left_part -= self._xlogx(n_left) + self._xlogx(n_right)
            return left_part
        if self.criterion == "entropy":
            return left_part + right_part - self._xlogx(n_left) - self._xlogx(n_right)
        with np.errstate(divide="ignore", invalid="ignore"):  # weights: n_R may be 0
            left_part /= n_left
            right_part /= np.maximum(n_right, 1.0) if self.w is None else n_right
        left_part += right_part
        return left_part

    def _prefix_total(self, idx: np.ndarray) -> np.ndarray:
        """Prefix sums of the integer weights along each row of ``idx``, int64."""
        assert self.w_int is not None
        total = self.w_int.take(idx)
        np.cumsum(total, axis=1, out=total)
        return total

    def _prefix_counts(self, idx: np.ndarray) -> Iterator[np.ndarray]:
        """``C_k``: prefix (weighted) counts of class ``k`` along each row, int64, k = 0, 1, ...

        Integer cumulative sums (several times faster than float ones) of ``1`` or of the
        integer weight of each class-k sample; the last class is the prefix total minus
        the others' (one pass fewer).
        """
        if self.w_int is None:
            ys = self.y_small.take(idx)
            rest = np.broadcast_to(np.arange(1, idx.shape[1] + 1), idx.shape).copy()
        else:
            rest = self._prefix_total(idx)
        for k in range(self.n_classes - 1):
            if self.w_int is None:
                C = np.cumsum(ys == k, axis=1, dtype=np.int64)
            else:
                C = self.class_w[k].take(idx)
                np.cumsum(C, axis=1, out=C)
            rest -= C
            yield C
        yield rest

    def _xlogx(self, c: np.ndarray) -> np.ndarray:
        """``c log₂ c`` of integer (weighted) counts ``c >= 0`` (a table without weights)."""
        if self.w is None:
            return self.xlogx[c.astype(np.intp, copy=False)]
        return _xlog2x(c.astype(np.float64))

    def _float_weighted_proxy(self, idx: np.ndarray, segments: _Segments) -> np.ndarray:
        """:meth:`proxy` with sample weights: ``L_k`` are prefix sums of weights of class k.

        The children's sizes ``n_L``, ``n_R`` are their total weights (per row: they depend
        on where the row cuts the node). Entropy uses ``x log₂ x`` computed directly.
        """
        s = segments
        assert self.w is not None
        idx = idx.astype(np.intp, copy=False)
        ys = self.y_small[idx]
        ws = self.w.take(idx)  # (n_rows, m)
        counts = s.stats[:, :-1].astype(np.float64)
        before = np.cumsum(counts, axis=0) - counts  # (n_segments, K)
        through = before + counts
        n_left = np.cumsum(ws, axis=1)
        n_left -= before.sum(axis=1)[s.of_pos]
        n_right = counts.sum(axis=1)[s.of_pos] - n_left
        left_part = np.zeros(ys.shape)  # Σ L_k² (Gini) or Σ L_k log₂ L_k (entropy)
        right_part = np.zeros(ys.shape)
        C = np.empty(ys.shape)
        tmp = np.empty(ys.shape)
        for k in range(self.n_classes):
            np.multiply(ws, ys == k, out=C)
            np.cumsum(C, axis=1, out=C)  # prefix weight of class k
            np.subtract(C, before[s.of_pos, k], out=tmp)  # L_k
            if self.criterion == "gini":
                tmp *= tmp
                left_part += tmp
                np.subtract(through[s.of_pos, k], C, out=tmp)  # R_k
                tmp *= tmp
                right_part += tmp
            else:  # rounding must not make a weight negative before the log
                left_part += _xlog2x(np.maximum(tmp, 0.0))
                right_part += _xlog2x(np.maximum(through[s.of_pos, k] - C, 0.0))
        if self.criterion == "entropy":
            n_left_pos, n_right_pos = np.maximum(n_left, 0.0), np.maximum(n_right, 0.0)
            return left_part + right_part - _xlog2x(n_left_pos) - _xlog2x(n_right_pos)
        # the last position of a segment (n_right about 0) is never a valid split
        with np.errstate(divide="ignore", invalid="ignore"):
            left_part /= n_left
            right_part /= n_right
        left_part += right_part
        return left_part


def _xlog2x(x: np.ndarray) -> np.ndarray:
    """``x log₂ x`` element-wise, with ``0 log 0 = 0`` (x >= 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * (np.log(x) / np.log(2.0)), 0.0)


class SquaredError:
    """Regression by squared error: a node's statistics are ``(W, Σwy, Σw(y - ȳ)², rows)``.

    ``W`` is the node's total weight (its size without weights), ``ȳ = Σwy / W`` its value,
    ``Σw(y - ȳ)² / W`` its impurity (the variance), ``rows`` its number of training rows
    (what ``min_samples_*`` count, as in scikit-learn).

    Parameters
    ----------
    y : ndarray of shape (n_samples,), float64
    sample_weight : ndarray of shape (n_samples,), float64, optional
        Non-negative weight of each sample (None: all 1).
    """

    def __init__(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        self.y = y
        self.w = sample_weight
        self.w_int, _ = _integer_weights(y, 1, sample_weight)

    def root(self) -> np.ndarray:
        """Statistics of the root, shape (1, 4)."""
        return self.children(np.arange(self.y.shape[0]), np.zeros(self.y.shape[0], np.intp), 1)

    def n_samples(self, stats: np.ndarray) -> np.ndarray:
        """Numbers of training rows of the nodes, shape (n_nodes,), int."""
        return stats[:, 3].astype(np.intp)

    def weighted_n_samples(self, stats: np.ndarray) -> np.ndarray:
        """Total weights of the nodes, shape (n_nodes,), float."""
        return stats[:, 0]

    def counts(self, stats: np.ndarray) -> None:
        """No class counts in regression."""
        return None

    def impurity(self, stats: np.ndarray) -> np.ndarray:
        """Variance of the targets of each node, shape (n_nodes,)."""
        return stats[:, 2] / stats[:, 0]

    def value(self, stats: np.ndarray) -> np.ndarray:
        """Mean target of each node, shape (n_nodes, 1)."""
        return (stats[:, 1] / stats[:, 0])[:, None]

    def children(self, samples: np.ndarray, child: np.ndarray, n_children: int) -> np.ndarray:
        """Statistics of ``n_children`` nodes; ``samples[i]`` belongs to node ``child[i]``.

        ``Σw(y - ȳ)²`` is summed after the mean is known (two passes): no cancellation.
        """
        y = self.y[samples]
        rows = np.bincount(child, minlength=n_children).astype(np.float64)
        w = None if self.w is None else self.w[samples]
        n = rows if w is None else np.bincount(child, weights=w, minlength=n_children)
        total = np.bincount(child, weights=y if w is None else w * y, minlength=n_children)
        deviation = y - (total / n)[child]
        deviation2 = deviation * deviation if w is None else w * deviation * deviation
        sse = np.bincount(child, weights=deviation2, minlength=n_children)
        return np.stack([n, total, sse, rows], axis=1)

    def tie_scale(self, best: np.ndarray, segments: _Segments) -> np.ndarray:
        """Size of the proxy's terms per segment: the node's ``Σw(y - ȳ)²`` (proxy's maximum)."""
        return np.abs(best) + segments.stats[:, 2]

    def proxy(self, idx: np.ndarray, segments: _Segments) -> np.ndarray:
        """Score of the split after every position of the layout ``idx`` (n_features, m).

        With the node's targets centred (``c_i = y_i - ȳ``, so ``Σ w c = 0``) and ``S_L`` the
        (weighted) sum of the left child's ``c``, the impurity decrease of a split is

            ``W·I - W_L·I_L - W_R·I_R = S_L²/W_L + S_R²/W_R = S_L² · W / (W_L · W_R)``

        (``S_R = -S_L``; ``W`` = sizes without weights): exactly ``W ×`` the textbook's
        information gain. ``S_L`` is a prefix sum along the row minus the prefix sum before
        the segment. Centring first keeps the sums small (scikit-learn's proxy
        ``S_L²/W_L + S_R²/W_R`` of the raw sums differs by the constant ``(Σwy)²/W`` and
        loses digits when the mean is large).
        """
        s = segments
        idx = idx.astype(np.intp, copy=False)  # NOTE: float64.take is slow with int32 indices
        mean = s.stats[:, 1] / s.stats[:, 0]
        S = self.y.take(idx)  # (n_features, m)
        S -= mean[s.of_pos]
        if self.w is not None:
            ws = self.w.take(idx)
            S *= ws
        S = _in_segment_prefix(S, s)  # S_L
        S *= S
        if self.w is None:
            S *= s.count[s.of_pos] / (s.n_left * np.maximum(s.n_right, 1.0))
            return S
        # integer weights (bootstrap counts): exact integer sums, several times faster
        W_left = _in_segment_prefix(ws if self.w_int is None else self.w_int.take(idx), s)
        W_right = s.stats[s.of_pos, 0] - W_left
        with np.errstate(divide="ignore", invalid="ignore"):
            S *= s.stats[s.of_pos, 0] / (W_left * W_right)
        S[~np.isfinite(S)] = 0.0  # a child of weight 0 (or the last position)
        return S


def _in_segment_prefix(values: np.ndarray, s: _Segments) -> np.ndarray:
    """Prefix sums of ``values`` (n_rows, m) along each row, restarted at each segment."""
    np.cumsum(values, axis=1, out=values)
    before = np.zeros((values.shape[0], s.start.shape[0]), dtype=values.dtype)  # before each
    before[:, 1:] = values[:, s.start[1:] - 1]
    values -= before[:, s.of_pos]
    return values
