"""Growing a CART tree level by level: every node of one depth is split in one set of array ops.

This is the engine behind :class:`glassml.tree.DecisionTreeClassifier` and
:class:`glassml.tree.DecisionTreeRegressor`; what differs between them (node statistics and
split scores) is in :mod:`glassml.tree._criteria`. Read the textbook version first,
:mod:`glassml.tree.textbook`; this module computes exactly the same tree:

- :func:`grow_tree` equals :func:`~glassml.tree.textbook.build_tree` (same nodes, features,
  thresholds, class counts or means, in the same depth-first numbering), and
  :func:`_best_splits` equals :func:`~glassml.tree.textbook.best_split` applied to every node
  of a depth, with the same candidates (``min_samples_leaf``, the features drawn with
  ``max_features``) and the same tie rule (the feature first in ``feature_order`` -- or
  drawn first -- then the lowest threshold);
- what it does differently: no recursion and no "for each threshold" loop. The nodes of one
  depth are segments of one sorted layout and are all split at once; every candidate threshold
  of every feature is scored from prefix class counts (``cumsum``) instead of a boolean mask
  per threshold; samples move to their children without re-sorting; the flat arrays are put
  in depth-first order at the end (:func:`_assemble`).
- what it bought: fitting 2000 x 10 samples (3 classes) to depth 8 takes about 80 ms here
  against about 80 s for the textbook recursion, a speed-up of about 1000x (measured once on
  a loaded 2-core machine; the benchmark keeps this path at or below scikit-learn's time).

How one level is split
----------------------
Each feature is sorted once, at the start (``argsort`` of the ``(n_features, n_samples)``
transpose). From then on the samples of the nodes still to be split are kept in a layout
``idx`` of shape ``(n_features, m)``: row ``f`` lists the sample indices grouped node by node
(the same contiguous segment ``[start_j, start_j + count_j)`` in every row) and, inside a
segment, sorted by feature ``f``. For every position ``p`` of every row the split "left = the
segment up to and including ``p``" is a candidate, and all candidates of all nodes are scored at
once:

- prefix class counts: ``C_k = cumsum(y[idx] == k)`` along each row; the left counts are
  ``L_k = C_k - (class-k samples of the earlier segments)`` and the right counts
  ``R_k = (class-k samples up to the end of the segment) - C_k``. Both offsets are the same for
  every feature (a segment holds the same samples in every row), so they are vectors of length
  ``m``. Regression uses one prefix sum of the centred targets instead
  (:class:`~glassml.tree._criteria.SquaredError`);
- a candidate is valid when both children keep ``min_samples_leaf`` samples and the next
  value is larger (``x[p + 1] > x[p] + FEATURE_THRESHOLD``);
- with ``max_features`` each node searches only the features it drew: no full layout is kept,
  only the samples grouped node by node; each level sorts them by the drawn features into a
  layout of ``K = max_features`` rows (row ``j``: node by node, the ``j``-th feature that node
  drew), by sorting integer keys ``node · n + rank`` (:func:`_searched_layout`), so a level
  costs ``O(K * m log m)`` instead of ``O(n_features * m)``;
- the best candidate per segment is found with ``np.maximum.reduceat``.

Moving the samples to their children keeps every row sorted without sorting again: a sample's
new position is the start of its child's segment plus the number of samples that go to the same
child before it in that row (a running count, ``cumsum``). Samples of children that will not be
split again are dropped from the layout, so later levels only touch the samples still in play.

Sample weights (scikit-learn's semantics) change only the statistics and the proxy
(:mod:`glassml.tree._criteria`: weighted class counts or sums, the children's sizes ``n_L``,
``n_R`` become their total weights, per row); positions, ``min_samples_*`` and the layout still
count rows. An integer weight ``k`` gives the tree grown on the row repeated ``k`` times
(the sums of integers are exact), which the textbook grows; the tests check both.

Each level costs ``O(n_features * m * n_classes)``; the initial sort costs
``O(n_features * n log n)``. Nothing is ever quadratic in the number of samples. Measured on
10000 x 20 (loaded 2-core machine, ratio to scikit-learn): regression depth 3 about 0.6x,
depth None about 1.0x; ``max_features="sqrt"`` see the benchmark (``bench_tree.py``).

Several trees with feature draws can grow together (:func:`grow_trees`, what a forest does):
their roots are the first level's segments, each node draws with its own tree's seed, and
the result is split into one :class:`Tree` per root (:func:`_assemble`). Each level then
costs its ~150 NumPy calls once for all the trees instead of once per tree.

Measured per level (4 x 6350 layout, ``max_features="sqrt"``, bootstrap weights): sorting
``int32`` keys instead of ``int64`` 104 µs instead of 196 µs; ``float64.take`` with ``intp``
instead of ``int32`` indices up to 8x faster; a forest's presorted columns replace the
tree's initial ``argsort`` (4.3 ms per tree) by :func:`restrict_presorted` (~1.7 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from glassml._threads import run_on_threads, threads_for
from glassml.tree._criteria import node_impurity
from glassml.tree._draws import ROOT_KEY, FeatureDraws
from glassml.tree.textbook import EPSILON, FEATURE_THRESHOLD, TIE_TOLERANCE

#: Leaf marker in ``children_left`` / ``children_right`` (as in scikit-learn's ``tree_``).
TREE_LEAF = -1
#: ``feature`` of a leaf and ``threshold`` of a leaf (as in scikit-learn's ``tree_``).
TREE_UNDEFINED = -2

# FEATURE_THRESHOLD (1e-7): scikit-learn's "these two sorted neighbours are equal", never
# separated by a threshold. TIE_TOLERANCE (1e-12): scores this close (relative) are tied. Both
# are the textbook's, so that the two versions consider and choose the same splits.
# A node whose impurity is at most EPSILON is pure (scikit-learn's tolerance for rounding).

__all__ = [
    "EPSILON",
    "TREE_LEAF",
    "TREE_UNDEFINED",
    "Tree",
    "grow_tree",
    "grow_trees",
    "node_impurity",
    "restrict_presorted",
]


@dataclass
class Tree:
    """A fitted tree stored as flat arrays, node ``0`` being the root.

    The layout is scikit-learn's ``tree_``: nodes are numbered in depth-first pre-order (left
    child first), and a leaf has ``children_left == children_right == TREE_LEAF``,
    ``feature == TREE_UNDEFINED`` and ``threshold == TREE_UNDEFINED``. A sample goes to the left
    child when ``X[:, feature] <= threshold``.

    Attributes
    ----------
    children_left, children_right : ndarray of shape (node_count,), int
        Index of each node's children, ``TREE_LEAF`` for leaves.
    feature : ndarray of shape (node_count,), int
        Feature tested at each internal node.
    threshold : ndarray of shape (node_count,), float
        Threshold tested at each internal node (a midpoint between two sorted values).
    value : ndarray of shape (node_count, n_classes) or (node_count, 1), float
        Classification: fraction of the node's training samples in each class. Regression:
        one column, the mean target of the node's training samples. Both are what
        scikit-learn (>= 1.4) stores in ``tree_.value[:, 0, :]``.
    class_counts : ndarray of shape (node_count, n_classes), int, or None
        Number of the node's training samples in each class (None for regression).
    impurity : ndarray of shape (node_count,), float
        Gini impurity, entropy (in bits) or variance of the targets (regression) of each
        node.
    n_node_samples : ndarray of shape (node_count,), int
        Number of training samples (rows) reaching each node.
    weighted_n_node_samples : ndarray of shape (node_count,), float
        Total sample weight reaching each node (``n_node_samples`` without weights).
    max_depth : int
        Depth of the deepest leaf (the root alone has depth 0).
    """

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray
    class_counts: np.ndarray | None
    impurity: np.ndarray
    n_node_samples: np.ndarray
    max_depth: int
    weighted_n_node_samples: np.ndarray

    @property
    def node_count(self) -> int:
        """Number of nodes, leaves included."""
        return int(self.children_left.shape[0])

    @property
    def n_leaves(self) -> int:
        """Number of leaves."""
        return int(np.count_nonzero(self.children_left == TREE_LEAF))

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Index of the leaf each row of ``X`` (shape ``(n_samples, n_features)``) ends in.

        All samples descend together, one level per step, so the Python loop runs about
        ``max_depth`` times whatever the number of samples. Each step is four array operations
        on the node "keys" ``2·node + (went right)``: look up the tested feature, read it,
        compare with the threshold, look up the child. A leaf is its own child (with threshold
        +inf), so samples that have arrived simply stay; every :data:`APPLY_LEVELS` steps they
        are taken out, so a sample never costs much more than the length of its own path.

        Samples are processed in blocks of :data:`APPLY_BLOCK` rows, which keeps every
        temporary array in the CPU cache, and the blocks are shared among threads.
        """
        X = np.ascontiguousarray(X)
        n = X.shape[0]
        leaf = self.children_left == TREE_LEAF
        node = np.arange(self.node_count)
        # NOTE: tables indexed by key = 2·node + (x > threshold), so one gather finds the child
        feature = np.repeat(np.where(leaf, 0, self.feature), 2)
        threshold = np.repeat(np.where(leaf, np.inf, self.threshold), 2)
        child = 2 * np.stack(
            [np.where(leaf, node, self.children_left), np.where(leaf, node, self.children_right)],
            axis=1,
        ).reshape(-1)
        tables = feature, threshold, child, np.repeat(leaf, 2)
        out = np.empty(n, dtype=np.intp)
        blocks = [slice(a, min(a + APPLY_BLOCK, n)) for a in range(0, n, APPLY_BLOCK)]
        n_threads = min(threads_for(len(blocks), 2), len(blocks))  # one block: no threads

        def descend_blocks(share: list[slice]) -> None:
            for rows in share:
                _descend(X[rows], tables, self.max_depth, out[rows])

        run_on_threads(descend_blocks, [blocks[w::n_threads] for w in range(n_threads)])
        return out


#: Rows per block in :meth:`Tree.apply` (16384 rows: every temporary is 128 KiB).
APPLY_BLOCK = 16384
#: :meth:`Tree.apply` takes samples that reached their leaf out every this many levels.
APPLY_LEVELS = 8


def _descend(
    X: np.ndarray,
    tables: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    max_depth: int,
    out: np.ndarray,
) -> None:
    """Write into ``out`` the leaf each row of ``X`` reaches (see :meth:`Tree.apply`)."""
    feature, threshold, child, is_leaf = tables
    flat = X.reshape(-1)
    rows = np.arange(X.shape[0])
    base = rows * X.shape[1]  # where each row starts in flat
    key = np.zeros(X.shape[0], dtype=np.intp)  # 2 · node; everyone starts at the root
    depth = 0
    while True:
        # after max_depth steps all are at leaves (at least one step: always progress)
        steps = max(1, min(APPLY_LEVELS, max_depth - depth))
        depth += steps
        for _ in range(steps):
            column = feature[key]
            column += base
            key += flat[column] > threshold[key]  # right child if x > threshold
            key = child[key]
        done = is_leaf[key]
        if done.all():
            out[rows] = key >> 1
            return
        if done.any():
            out[rows[done]] = key[done] >> 1
            going = ~done
            rows, base, key = rows[going], base[going], key[going]


class _Criterion(Protocol):
    """What the engine needs from a kind of tree (see :mod:`glassml.tree._criteria`)."""

    y: np.ndarray

    def root(self) -> np.ndarray: ...
    def n_samples(self, stats: np.ndarray) -> np.ndarray: ...
    def weighted_n_samples(self, stats: np.ndarray) -> np.ndarray: ...
    def counts(self, stats: np.ndarray) -> np.ndarray | None: ...
    def impurity(self, stats: np.ndarray) -> np.ndarray: ...
    def value(self, stats: np.ndarray) -> np.ndarray: ...
    def children(self, samples: np.ndarray, child: np.ndarray, n_children: int) -> np.ndarray: ...
    def tie_scale(self, best: np.ndarray, segments: _Segments) -> np.ndarray: ...
    def proxy(self, idx: np.ndarray, segments: _Segments) -> np.ndarray: ...


@dataclass
class _Rules:
    """The stopping and search rules of one fit (see :func:`grow_tree`)."""

    max_depth: int
    min_samples_split: int
    min_samples_leaf: int
    max_features: int
    feature_draws: FeatureDraws | None
    root_seeds: np.ndarray  # (n_roots,) uint64: each tree's feature-draw seed


def _best_splits(
    XT: np.ndarray,
    idx: np.ndarray,
    rows: np.ndarray,
    segments: _Segments,
    criterion: _Criterion,
    rules: _Rules,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Best split of every segment (node) of the search layout ``idx``.

    Equals :func:`glassml.tree.textbook.best_split` run on each node: the same candidates
    (midpoints between sorted neighbours more than ``FEATURE_THRESHOLD`` apart, leaving at
    least ``min_samples_leaf`` samples per side, among the searched features), the same
    winner, the same tie rule (the first row of the search -- the first feature in the tie
    order or drawn first -- then the lowest threshold, among scores within
    ``TIE_TOLERANCE``).

    Parameters
    ----------
    XT : ndarray of shape (n_features, n_samples)
        The training inputs, one contiguous row per feature (in tie-breaking order).
    idx : ndarray of shape (n_rows, m)
        The search layout: node by node, each row sorted by its feature inside a node.
    rows : ndarray of shape (n_rows, m) or (n_rows, 1), int
        The row of ``XT`` (feature) each position of ``idx`` is sorted by.
    segments : _Segments
        Where each node's samples lie in ``idx`` and its statistics.
    criterion : _Criterion
    rules : _Rules

    Returns
    -------
    has_split : ndarray of shape (n_segments,), bool
        False where no searched feature has a valid threshold.
    row : ndarray of shape (n_segments,), int
        Row of ``idx`` of each split.
    pos : ndarray of shape (n_segments,), int
        Last position (in ``idx``) of the left child.
    threshold : ndarray of shape (n_segments,), float
    """
    # Xs[j, p] = XT[rows[j, p], idx[j, p]]; a flat take is much faster than take_along_axis.
    Xs = XT.reshape(-1).take(idx + rows * XT.shape[1])  # (n_rows, m)
    proxy = criterion.proxy(idx, segments)  # (n_rows, m)

    valid = np.zeros(idx.shape, dtype=bool)
    np.greater(Xs[:, 1:], Xs[:, :-1] + FEATURE_THRESHOLD, out=valid[:, :-1])
    msl = rules.min_samples_leaf
    valid &= (segments.n_left >= msl) & (segments.n_right >= msl)  # also: right not empty
    proxy[~valid] = -np.inf

    has_split, row, pos = _first_best(proxy, segments, criterion)
    lo = Xs[row, pos]
    hi = Xs[row, pos + 1]
    threshold = lo / 2.0 + hi / 2.0  # sum of halves cannot overflow (scikit-learn's formula)
    # NOTE: in float64 the midpoint of two neighbours can round up to the larger one, which
    # would send it left; fall back to the smaller value (scikit-learn works in float32, where
    # the midpoint is always exact in float64).
    threshold = np.where(threshold >= hi, lo, threshold)
    return has_split, row, pos, threshold


def _searched_layout(
    X: np.ndarray,
    XT: np.ndarray,
    sorted_samples: tuple[np.ndarray, np.ndarray],
    members: np.ndarray,
    segments: _Segments,
    draw_rows: np.ndarray,
    K: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The features each node searches (``K = max_features`` rows) and the search layout.

    The textbook rule (:func:`~glassml.tree.textbook.best_split`): a node draws features in
    its order (``draw_rows``, shape (n_segments, n_features)) until ``K`` are drawn and one
    of them is not constant in the node (``max <= min + FEATURE_THRESHOLD``). So row ``j``
    holds, node by node, the ``j``-th feature the node drew; a constant one has no valid
    threshold (every neighbour gap is at most ``max - min``) and is simply never chosen,
    and ties go to the row drawn first. A node whose ``K`` drawn features are all constant
    draws on: its row 0 becomes the first varying feature in its order (if any).

    ``X`` (n_samples, n_features) and ``XT`` are the inputs; ``members`` (m,) the level's
    samples node by node. Returns ``rows`` (features) and ``idx`` (samples sorted by them
    inside each node), both of shape (K, m).
    """
    s = segments
    n = XT.shape[1]
    rows = np.ascontiguousarray(draw_rows[:, :K].T)  # (K, n_segments)
    rows_at = rows[:, s.of_pos]  # (K, m): the feature of each position
    idx = _sorted_rows(*sorted_samples, members, rows_at, s)
    low = XT.reshape(-1).take(idx[:, s.start] + rows * n)  # (K, n_segments): node minimum
    high = XT.reshape(-1).take(idx[:, s.start + s.count - 1] + rows * n)
    late = np.flatnonzero(np.all(high <= low + FEATURE_THRESHOLD, axis=0))
    if late.shape[0] > 0:  # scikit-learn draws on past K while all drawn are constant
        Xm = X.take(members[np.isin(s.of_pos, late)], axis=0)  # the late nodes' samples
        late_start = np.cumsum(s.count[late]) - s.count[late]
        constant = np.maximum.reduceat(Xm, late_start, axis=0) <= (
            np.minimum.reduceat(Xm, late_start, axis=0) + FEATURE_THRESHOLD
        )  # (n_late, n_features)
        varies = ~np.take_along_axis(constant, draw_rows[late], axis=1)  # draw order
        found = varies.any(axis=1)
        first = draw_rows[late, varies.argmax(axis=1)]
        rows[0, late[found]] = first[found]
        rows_at = rows[:, s.of_pos]
        idx = _sorted_rows(*sorted_samples, members, rows_at, s)
    return rows_at, idx


def _sorted_rows(
    order: np.ndarray, rank: np.ndarray, members: np.ndarray, rows: np.ndarray, s: _Segments
) -> np.ndarray:
    """Each node's samples sorted by each of its searched features: a layout (K, m).

    ``order[f]`` sorts all samples by feature ``f`` and ``rank[f, i]`` is sample ``i``'s
    place in it, so sorting the integer keys ``node · n + rank`` groups the samples node by
    node, each node sorted by its own feature; the sorted ranks give back the samples.
    """
    n = order.shape[1]
    # NOTE: int32 keys where they fit: numpy sorts them about 3x faster than int64 ones
    key_type: type[np.signedinteger] = np.int32 if s.start.shape[0] * n < 2**31 else np.int64
    base = s.of_pos.astype(key_type) * n  # (m,), in key_type
    flat = rows.astype(np.intp) * n  # (K, m)
    key = rank.reshape(-1).take(flat + members).astype(key_type, copy=False)
    key += base
    key.sort(axis=1)
    key -= base
    return order.reshape(-1).take(flat + key).astype(np.intp, copy=False)


@dataclass
class _Segments:
    """The nodes of one level as segments of the layout, and per-position lookups.

    ``start``, ``count`` (n_segments,): where each node's samples lie in the layout;
    ``stats`` (n_segments, S): the nodes' statistics; ``of_pos`` (m,): the segment of each
    position; ``n_left``, ``n_right`` (m,), float: the children's sizes if the split is after
    a position.
    """

    start: np.ndarray
    count: np.ndarray
    stats: np.ndarray
    of_pos: np.ndarray
    n_left: np.ndarray
    n_right: np.ndarray

    @classmethod
    def from_stats(cls, stats: np.ndarray, count: np.ndarray) -> _Segments:
        """Segments laid out one after the other, with sizes ``count`` (n_segments,)."""
        start = np.cumsum(count) - count
        m = int(count.sum())
        of_pos = np.repeat(np.arange(count.shape[0]), count)  # (m,)
        n_left = np.arange(1, m + 1, dtype=np.float64) - start[of_pos]
        n_right = count[of_pos] - n_left
        return cls(start, count, stats, of_pos, n_left, n_right)


def _first_best(
    proxy: np.ndarray, segments: _Segments, criterion: _Criterion
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per segment: is there a split, and the first row, then first position, of the best.

    "Best" means within ``TIE_TOLERANCE`` of the segment's maximum of ``proxy`` (shape
    ``(n_features, m)``, ``-inf`` where invalid), so the textbook's "first strictly better
    split wins" rule picks the same one. Returns ``has_split``, ``row``, ``pos``, each of
    shape (n_segments,).
    """
    m = proxy.shape[1]
    s = segments
    best = np.maximum.reduceat(proxy, s.start, axis=1).max(axis=0)  # (n_segments,)
    has_split = best > -np.inf
    # NOTE: mathematically equal scores can differ in the last bits (they are computed from
    # different sums), so "tied" means within TIE_TOLERANCE of the best, relative to the
    # size of the terms (criterion.tie_scale).
    scale = criterion.tie_scale(best, s)
    tied = proxy >= (best - TIE_TOLERANCE * scale)[s.of_pos]  # (n_features, m)
    first_row = np.argmax(np.logical_or.reduceat(tied, s.start, axis=1), axis=0)
    in_row = tied[first_row[s.of_pos], np.arange(m)]  # tied positions in the chosen row
    candidates = np.where(in_row, np.arange(m), m)
    pos = np.minimum(np.minimum.reduceat(candidates, s.start), s.start + s.count - 2)
    return has_split, first_row, pos


@dataclass
class _Levels:
    """What growth records per depth, in level order (the nodes of one depth are contiguous).

    ``stats[d]`` (n_nodes_d, S): statistics of the nodes at depth ``d``;
    ``parents[d]`` (n_nodes_d,): level-order id of each node's parent (-1 for the root);
    ``splits[d]``: (position in level ``d``, feature, threshold) of the nodes split there.
    """

    stats: list[np.ndarray]
    parents: list[np.ndarray]
    splits: list[tuple[np.ndarray, np.ndarray, np.ndarray]]


def grow_tree(
    X: np.ndarray,
    criterion: _Criterion,
    *,
    max_depth: int | None = None,
    min_samples_split: int = 2,
    min_samples_leaf: int = 1,
    max_features: int | None = None,
    feature_order: np.ndarray | None = None,
    feature_draws: FeatureDraws | None = None,
    presorted: np.ndarray | None = None,
) -> Tree:
    """Grow a CART tree breadth-first.

    Equals :func:`glassml.tree.textbook.build_tree` (the same tree, node by node); see the
    module docstring for what it does differently.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64
        Finite training inputs.
    criterion : ClassCounts or SquaredError
        The kind of tree, holding the targets (:mod:`glassml.tree._criteria`).
    max_depth : int or None
        Nodes at this depth become leaves (``None``: no limit).
    min_samples_split : int
        Nodes with fewer samples become leaves.
    min_samples_leaf : int
        Each child keeps at least this many samples.
    max_features : int or None
        Features drawn per node (``None``: all); needs ``feature_draws``.
    feature_order : ndarray of shape (n_features,), int, optional
        A permutation: among tied splits the feature that comes first wins (default: the
        lowest index). Ignored when ``feature_draws`` is given.
    feature_draws : FeatureDraws, optional
        Every node's own random feature order (decides the draws and the ties).
    presorted : ndarray of shape (n_features, n_samples), int, optional
        Row ``f``: the samples sorted by feature ``f`` (an argsort of ``X[:, f]``, ties in
        any order), when the caller has it (a forest sorts once for all its trees, see
        :func:`restrict_presorted`); otherwise the columns are sorted here.

    Returns
    -------
    Tree
        The fitted tree, nodes in scikit-learn's depth-first order.

    Notes
    -----
    A node becomes a leaf when it is at ``max_depth``, has fewer than ``min_samples_split``
    or ``2 * min_samples_leaf`` samples, is pure (impurity ``<= EPSILON``) or has no valid
    threshold among its drawn features. Otherwise it is split at its best threshold, even
    when the impurity decrease is zero: scikit-learn's rule with ``min_impurity_decrease=0``.
    """
    n_features = X.shape[1]
    order = np.arange(n_features) if feature_order is None else np.asarray(feature_order)
    if feature_draws is not None:
        order = np.arange(n_features)  # the nodes' own orders decide
    rules = _Rules(
        max_depth=np.iinfo(np.intp).max if max_depth is None else max_depth,
        min_samples_split=max(min_samples_split, 2 * min_samples_leaf),
        min_samples_leaf=min_samples_leaf,
        max_features=n_features if max_features is None else max_features,
        feature_draws=feature_draws,
        root_seeds=np.array([0 if feature_draws is None else feature_draws.seed], np.uint64),
    )
    levels = _Levels([criterion.root()], [np.array([-1])], [])
    _grow_levels(X, criterion, order, rules, levels, presorted)
    return _assemble(levels, criterion)[0]


def grow_trees(
    X: np.ndarray,
    criterion: _Criterion,
    root_sizes: np.ndarray,
    seeds: np.ndarray,
    presorted: np.ndarray,
    *,
    max_depth: int | None,
    min_samples_split: int,
    min_samples_leaf: int,
    max_features: int,
) -> list[Tree]:
    """Grow several trees with feature draws together, in one level-wise pass.

    Tree ``t`` is grown on its own block of samples (the blocks one after the other, of
    sizes ``root_sizes``) with ``FeatureDraws(n_features, seeds[t])``: it is
    :func:`grow_tree` on that block, node for node. The nodes of one depth of all the trees
    are the segments of one layout, so every array operation of a level serves all of them
    (a forest pays the per-level cost of the engine once per batch of trees, and each call
    does more work between two returns to the interpreter). The scores are the same numbers
    when the criterion's sums are exact (class counts, integer weights), so the trees are
    then bit for bit those of :func:`grow_tree`.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The blocks' samples, block after block.
    criterion : ClassCounts
        Over the same samples.
    root_sizes : ndarray of shape (n_trees,), int
    seeds : ndarray of shape (n_trees,), int
        Each tree's feature-draw seed.
    presorted : ndarray of shape (n_features, n_samples), int
        Row ``f``: every block's samples sorted by feature ``f`` (blocks in any order).
    max_depth, min_samples_split, min_samples_leaf, max_features
        As for :func:`grow_tree` (``max_features < n_features``).

    Returns
    -------
    list of Tree
        One per block, in order.
    """
    n_features = X.shape[1]
    n_roots = root_sizes.shape[0]
    rules = _Rules(
        max_depth=np.iinfo(np.intp).max if max_depth is None else max_depth,
        min_samples_split=max(min_samples_split, 2 * min_samples_leaf),
        min_samples_leaf=min_samples_leaf,
        max_features=max_features,
        feature_draws=FeatureDraws(n_features, 0),  # the nodes' seeds: root_seeds
        root_seeds=np.asarray(seeds, dtype=np.uint64),
    )
    tree_of = np.repeat(np.arange(n_roots), root_sizes)
    roots = criterion.children(np.arange(X.shape[0]), tree_of, n_roots)
    levels = _Levels([roots], [np.full(n_roots, -1)], [])
    _grow_levels(X, criterion, np.arange(n_features), rules, levels, presorted)
    return _assemble(levels, criterion)


def restrict_presorted(presorted: np.ndarray, keep: slice | np.ndarray) -> np.ndarray:
    """Sorted orders of all the samples, restricted to the samples ``keep`` (renumbered).

    Parameters
    ----------
    presorted : ndarray of shape (n_features, n_samples), int
        Row ``f``: all samples sorted by feature ``f``.
    keep : slice(None) or ndarray of shape (n_kept,), int
        Increasing indices of the samples a tree is grown on.

    Returns
    -------
    ndarray of shape (n_features, n_kept), int
        Row ``f``: the kept samples (numbered ``0..n_kept-1`` in the order of ``keep``)
        sorted by feature ``f``: an argsort of ``X[keep][:, f]`` in ``O(n_samples)`` per
        feature instead of a sort.
    """
    if isinstance(keep, slice):
        return presorted
    new_id = np.full(presorted.shape[1], -1, dtype=presorted.dtype)
    new_id[keep] = np.arange(keep.shape[0], dtype=presorted.dtype)
    ids = new_id.take(presorted).reshape(-1)
    # NOTE: np.compress on the flat array is about 4x faster than 2-D boolean indexing
    return np.compress(ids >= 0, ids).reshape(presorted.shape[0], keep.shape[0])


def _sorted_layout(
    XT: np.ndarray, order: np.ndarray, presorted: np.ndarray | None, any_active: bool
) -> np.ndarray:
    """Every row of ``XT`` (n_features, n_samples) argsorted (empty when no root is split)."""
    # NOTE: the sort need not be stable: equal values always end up on the same side.
    # int32 positions where they fit: half the memory traffic of every pass over the layout
    index_type = np.int32 if XT.size < 2**31 else np.intp
    if presorted is None or not any_active:
        idx = np.argsort(XT if any_active else XT[:, :0], axis=1)
    else:
        idx = presorted[order]  # rows in tie-breaking order, as XT's
    return idx.astype(index_type, copy=False)


def _rank_table(sorted_order: np.ndarray) -> np.ndarray:
    """``rank[f, i]``: the place of sample ``i`` in ``sorted_order[f]`` (same shape)."""
    rank = np.empty_like(sorted_order)
    places = np.arange(sorted_order.shape[1], dtype=rank.dtype)
    for f in range(sorted_order.shape[0]):  # NOTE: one row at a time: 2x faster than 2-D
        rank[f, sorted_order[f]] = places
    return rank


def _splittable(criterion: _Criterion, rules: _Rules, stats: np.ndarray, depth: int) -> np.ndarray:
    """Which nodes of one depth (statistics ``stats`` of shape (n_nodes, S)) may be split."""
    n = criterion.n_samples(stats)
    impure = criterion.impurity(stats) > EPSILON
    return (n >= rules.min_samples_split) & impure & (depth < rules.max_depth)


def _grow_levels(
    X: np.ndarray,
    criterion: _Criterion,
    order: np.ndarray,
    rules: _Rules,
    levels: _Levels,
    presorted: np.ndarray | None,
) -> None:
    """Split every splittable node of each depth in turn, appending to ``levels``.

    ``levels`` starts with the root only. Without feature draws the samples of the level are
    kept in the full sorted layout ``idx`` (n_features, m); with draws only the node-grouped
    samples ``members`` (m,) are kept, and each level sorts them by the drawn features only
    (:func:`_searched_layout`), which is cheaper when ``max_features`` is small.
    """
    XT = np.ascontiguousarray(X[:, order].T)  # (n_features, n_samples), tie-breaking order
    n_features = XT.shape[0]
    active = _splittable(criterion, rules, levels.stats[0], 0)
    idx = _sorted_layout(XT, order, presorted, bool(active.any()))
    index_type = idx.dtype
    draws = rules.feature_draws
    if draws is not None:
        sorted_order, idx = idx, idx[:, :0]
        rank = _rank_table(sorted_order)
        root_n = criterion.n_samples(levels.stats[0])  # the roots' samples, one after the other
        members = np.flatnonzero(np.repeat(active, root_n)).astype(index_type)
    keys = np.full(active.shape[0], ROOT_KEY, dtype=np.uint64)  # feature-draw key of each node
    seeds = rules.root_seeds  # the feature-draw seed of each node (its tree's)
    first_id = 0  # level-order id of the first node of the current depth
    while active.any():
        stats = levels.stats[-1][active]
        segments = _Segments.from_stats(stats, criterion.n_samples(stats))
        if draws is None:
            rows = np.arange(n_features)[:, None]  # search row r is XT row r
        else:
            draw_rows = draws.orders(keys[active], seeds[active])  # rows = features here
            rows, idx = _searched_layout(
                X, XT, (sorted_order, rank), members, segments, draw_rows, rules.max_features
            )
        has_split, row, pos, threshold = _best_splits(XT, idx, rows, segments, criterion, rules)
        feature = row if draws is None else rows[row, pos]
        active_local = np.flatnonzero(active)
        split = np.flatnonzero(has_split)
        levels.splits.append((active_local[split], order[feature[split]], threshold[split]))
        if split.shape[0] == 0:
            break
        samples = idx[row[segments.of_pos], np.arange(idx.shape[1])]  # each sample once
        goes_left, child_stats, child = _split_samples(samples, criterion, segments, pos, has_split)
        keys = np.stack(FeatureDraws.child_keys(keys[active_local[split]]), axis=1).reshape(-1)
        seeds = np.repeat(seeds[active_local[split]], 2)
        levels.parents.append(first_id + np.repeat(active_local[split], 2))
        first_id += levels.stats[-1].shape[0]
        levels.stats.append(child_stats)
        active = _splittable(criterion, rules, child_stats, len(levels.stats) - 1)
        if not active.any():
            break
        if draws is None:
            child_n = criterion.n_samples(child_stats)
            idx = _next_layout(idx, goes_left, segments, pos, has_split, active, child_n)
        else:  # samples are node by node, left child then right: keep the active children's
            members = samples[(child >= 0) & active[np.maximum(child, 0)]]


def _split_samples(
    samples: np.ndarray,
    criterion: _Criterion,
    segments: _Segments,
    pos: np.ndarray,
    has_split: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Send each sample of a split segment left or right, and compute the children's statistics.

    ``samples`` (m,) lists the level's samples node by node, sorted by the node's split
    feature, so positions up to ``pos`` go left.

    Returns ``goes_left`` (n_samples,), bool (False outside split segments), the statistics
    of the children, shape ``(2 * n_split, S)``, in the order left, right, left, right, ...
    of the split segments, and the child of each position (m,) (-1 outside split segments).
    """
    s = segments
    m = samples.shape[0]
    n_split = int(np.count_nonzero(has_split))
    left = np.arange(m) <= pos[s.of_pos]
    in_split = has_split[s.of_pos]
    goes_left = np.zeros(criterion.y.shape[0], dtype=bool)
    goes_left[samples] = left & in_split
    child = np.where(in_split, 2 * np.cumsum(has_split)[s.of_pos] - 2 + ~left, -1)
    child_stats = criterion.children(samples[in_split], child[in_split], 2 * n_split)
    return goes_left, child_stats, child


def _next_layout(
    idx: np.ndarray,
    goes_left: np.ndarray,
    segments: _Segments,
    pos: np.ndarray,
    has_split: np.ndarray,
    child_active: np.ndarray,
    child_n: np.ndarray,
) -> np.ndarray:
    """Move the samples of the children still to be split into the next level's layout.

    Every row of ``idx`` (one per feature) is partitioned segment by segment into the left
    child, then the right child, keeping the order inside each child, so the rows stay sorted
    by their feature without sorting again. A sample's new position is the start of its
    child's segment plus its rank among the samples of the same child before it in the row
    (a running count). Samples of leaves are dropped.

    Parameters
    ----------
    idx : ndarray of shape (n_features, m)
        Current layout (segments of the nodes split at this level).
    goes_left : ndarray of shape (n_samples,), bool
        Side of each sample (False for samples of segments that were not split).
    segments : _Segments
        The nodes split at this level.
    pos, has_split : ndarray of shape (n_segments,)
        Their splits (``pos``: last position of the left child).
    child_active, child_n : ndarray of shape (2 * n_split,)
        The children (left, right, left, right, ... in segment order): will they be split,
        and their sizes.

    Returns
    -------
    ndarray of shape (n_features, m_new)
        The new layout, one segment per active child, in the same order.
    """
    n_features, m = idx.shape
    left_offset, right_offset, m_new = _child_tables(
        segments, pos, has_split, child_active, child_n
    )
    gl = goes_left[idx]  # (n_features, m)
    cs = np.cumsum(gl, axis=1, dtype=idx.dtype)  # running count of left-goers along each row
    at = np.arange(m, dtype=idx.dtype)
    dest = (at + right_offset[segments.of_pos].astype(idx.dtype)) - cs  # right-goers land
    cs += left_offset[segments.of_pos].astype(idx.dtype)
    np.copyto(dest, cs, where=gl)  # where left-goers land
    dest += (np.arange(n_features, dtype=idx.dtype) * m)[:, None]  # flat index into new_idx
    new_idx = np.empty((n_features, m), dtype=idx.dtype)
    new_idx.reshape(-1)[dest] = idx
    return np.ascontiguousarray(new_idx[:, :m_new])  # the samples that leave are at the end


def _child_tables(
    segments: _Segments,
    pos: np.ndarray,
    has_split: np.ndarray,
    child_active: np.ndarray,
    child_n: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-segment offsets for :func:`_next_layout`, and the new layout width ``m_new``.

    Every segment is cut into two blocks, its left and right child (an unsplit segment: an
    empty left block and all of it on the right). The blocks of the children still to be
    split are laid out first, in order, in ``[0, m_new)``; all the others after them, so
    that cutting the layout at ``m_new`` drops the samples that leave.

    Returns ``left_offset`` and ``right_offset`` of shape (n_segments,) and ``m_new``.
    """
    s = segments
    n_left_seg = np.where(has_split, pos - s.start + 1, 0)  # left samples per segment
    size = np.stack([n_left_seg, s.count - n_left_seg], axis=1).reshape(-1)  # L, R, L, R...
    kept = np.zeros(size.shape[0], dtype=bool)  # samples of unsplit segments: dropped
    split = np.flatnonzero(has_split)
    kept[2 * split] = child_active[0::2]
    kept[2 * split + 1] = child_active[1::2]
    kept_size = np.where(kept, size, 0)
    m_new = int(kept_size.sum())
    dropped_size = size - kept_size
    block_start = np.where(
        kept,
        np.cumsum(kept_size) - kept_size,
        m_new + np.cumsum(dropped_size) - dropped_size,
    )
    left_before = np.cumsum(n_left_seg) - n_left_seg  # left samples in earlier segments

    # With cs = running count of left-goers along a row, a sample at position p lands at
    #   left block:  block_start[L] + (cs - 1 - left_before)                = cs + left_offset
    #   right block: block_start[R] + (p - seg_start) - (cs - left_before)  = p - cs + right_offset
    left_offset = block_start[0::2] - left_before - 1
    right_offset = block_start[1::2] + left_before - s.start
    return left_offset, right_offset, m_new


def _assemble(levels: _Levels, criterion: _Criterion) -> list[Tree]:
    """Turn the per-level records into flat arrays in depth-first pre-order (left first).

    The first level may hold several roots (trees grown together, :func:`grow_trees`): one
    :class:`Tree` per root, in root order.
    """
    stats_levels, parent_levels, split_levels = levels.stats, levels.parents, levels.splits
    sizes = [c.shape[0] for c in stats_levels]
    first = np.cumsum(sizes) - sizes
    stats = np.concatenate(stats_levels)
    n_nodes = stats.shape[0]
    parent = np.concatenate(parent_levels)
    left = np.full(n_nodes, TREE_LEAF)
    right = np.full(n_nodes, TREE_LEAF)
    feature = np.full(n_nodes, TREE_UNDEFINED)
    threshold = np.full(n_nodes, float(TREE_UNDEFINED))
    for level, (local, f, thr) in enumerate(split_levels):
        if local.shape[0] == 0:
            continue
        ids = first[level] + local
        children = first[level + 1] + np.arange(2 * local.shape[0])
        left[ids] = children[0::2]
        right[ids] = children[1::2]
        feature[ids] = f
        threshold[ids] = thr

    # Subtree sizes bottom-up, then pre-order numbers top-down, one level at a time.
    subtree = np.ones(n_nodes, dtype=np.intp)
    for level in range(len(sizes) - 1, 0, -1):
        ids = np.arange(first[level], first[level] + sizes[level])
        np.add.at(subtree, parent[ids], subtree[ids])
    order = np.zeros(n_nodes, dtype=np.intp)  # every root is number 0 of its tree
    root_of = np.zeros(n_nodes, dtype=np.intp)
    root_of[: sizes[0]] = np.arange(sizes[0])
    for level in range(len(sizes)):
        ids = np.arange(first[level], first[level] + sizes[level])
        if level > 0:
            root_of[ids] = root_of[parent[ids]]
        ids = ids[left[ids] != TREE_LEAF]
        order[left[ids]] = order[ids] + 1
        order[right[ids]] = order[ids] + 1 + subtree[left[ids]]

    internal = left != TREE_LEAF
    left = np.where(internal, order[np.maximum(left, 0)], TREE_LEAF)
    right = np.where(internal, order[np.maximum(right, 0)], TREE_LEAF)
    depth = np.repeat(np.arange(len(sizes)), sizes)
    columns = [
        left,
        right,
        feature,
        threshold,
        criterion.value(stats),
        criterion.counts(stats),
        criterion.impurity(stats),
        criterion.n_samples(stats),
        criterion.weighted_n_samples(stats),
    ]
    return _split_trees(columns, order, root_of, subtree[: sizes[0]], depth)


def _split_trees(
    columns: list[np.ndarray | None],
    order: np.ndarray,
    root_of: np.ndarray,
    tree_sizes: np.ndarray,
    depth: np.ndarray,
) -> list[Tree]:
    """One :class:`Tree` per root: its nodes' rows of the node arrays ``columns`` (in the
    field order of :class:`Tree`, ``max_depth`` left out), placed at their pre-order numbers
    ``order`` (``root_of``: each node's root; ``tree_sizes``: nodes per root)."""
    trees = []
    for node in np.split(np.argsort(root_of, kind="stable"), np.cumsum(tree_sizes)[:-1]):
        place = order[node]

        def permute(a: np.ndarray | None, node: np.ndarray = node, place: np.ndarray = place):
            if a is None:
                return None
            out = np.empty((node.shape[0], *a.shape[1:]), dtype=a.dtype)
            out[place] = a[node]
            return out

        cl, cr, f, thr, value, cc, imp, n, wn = (permute(a) for a in columns)
        trees.append(
            Tree(cl, cr, f, thr, value, cc, imp, n, int(depth[node].max()), wn)  # type: ignore[arg-type]
        )
    return trees
