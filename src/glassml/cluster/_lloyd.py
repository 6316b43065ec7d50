"""The hot loop of :class:`~glassml.cluster.KMeans`: Lloyd's assign-and-sum pass, in blocks.

Read :func:`glassml.cluster.textbook.lloyd` first: ``assign_to_nearest`` (a distance per point
and centre, the nearest wins) then ``move_to_means`` (the mean of each cluster's points).
:func:`assign_and_sum` computes the same labels and the per-cluster sums and counts those means
come from (tested: same centres to 1e-12, same labels; ``tests/cluster/test_textbook.py``).
What it does differently, and why (scikit-learn's ``_k_means_lloyd.pyx`` does the same):

1. **Distances by one matrix product per block.** The nearest centre minimises
   ``|x - c|² - |x|² = |c|² - 2 x·c``: one BLAS product of ``[-2C, |c|²]`` with ``[x, 1]``.
2. **Blocks of :data:`BLOCK_ROWS` rows.** Each block's distance matrix, one-hot assignment
   matrix and rows of ``[X, 1]`` fit in a core's cache (about 0.9 MiB at k=8, 10 features), so
   the pass reads the data from memory once; no (n_samples, n_clusters) array ever exists.
   Without blocks, the full matrices (64 MB each at 1M points, k=8) made the cost per point
   grow 3-4× from 20,000 to 1,000,000 points.
3. **Fused sums.** In the same block, the one-hot matrix times ``[X, 1]`` gives the sum of each
   cluster's rows and (last column) its count: a second small product instead of ``np.add.at``.
4. **Threads, deterministic.** Blocks run in worker threads (:mod:`glassml._threads`), each
   product on a single-threaded BLAS (the caller holds
   :func:`glassml.neighbors._tiles.single_threaded_blas`). Every block writes its own partial
   sums, added up in block order afterwards: the result is bit for bit the same for any
   number of threads (tested), unlike a reduction in the order threads finish.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassml._distances import row_norms_sq
from glassml._threads import run_on_threads, threads_for

__all__ = [
    "BLOCK_ROWS",
    "assign",
    "assign_and_sum",
    "distances_to_own_centre",
    "with_ones",
]

#: Rows per block: 4096 rows of [X, 1] (11 columns) plus two (k=8, 4096) matrices ≈ 0.9 MiB,
#: the size of a core's L2 cache here. Fixed, so that the partial sums (and the result) do not
#: depend on the number of threads.
BLOCK_ROWS = 4096
#: With fewer blocks than this, handing one to a worker thread costs about what it saves.
PARALLEL_MIN_BLOCKS = 2


def with_ones(X: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``[X - shift, 1]``: shifted, a column of ones appended; float64 (n_samples, n_features + 1).

    The one copy of the data a fit makes (scikit-learn's centring makes one too); the shifted
    data are its view ``X_aug[:, :-1]``.
    """
    X_aug = np.empty((X.shape[0], X.shape[1] + 1))
    np.subtract(X, shift, out=X_aug[:, :-1])
    X_aug[:, -1] = 1.0
    return X_aug


def _blocks(n_samples: int) -> list[slice]:
    """Row ranges of :data:`BLOCK_ROWS` rows (the last one shorter)."""
    return [slice(a, min(a + BLOCK_ROWS, n_samples)) for a in range(0, n_samples, BLOCK_ROWS)]


def _run_blocks(n_blocks: int, work: Callable[[range], None], n_threads: int | None = None) -> None:
    """Call ``work(block_indices)`` on groups of blocks, in threads when there are enough."""
    if n_threads is None:
        n_threads = threads_for(n_blocks, PARALLEL_MIN_BLOCKS)
    n_threads = max(1, min(n_threads, n_blocks))
    run_on_threads(work, [range(w, n_blocks, n_threads) for w in range(n_threads)])


def _assign_block(X_aug: np.ndarray, C_aug: np.ndarray) -> tuple[np.ndarray, ...]:
    """Nearest centre of each row of one block of ``[X, 1]``.

    Returns the labels as floats (b,), ``|c|² - 2 x·c`` for the nearest centre (b,) and the
    one-hot assignment matrix (k, b) of 0.0 and 1.0.
    """
    k, b = C_aug.shape[0], X_aug.shape[0]
    S = C_aug @ X_aug.T  # (k, b): the squared distances minus |x|²
    # NOTE: argmin along rows of length k is slow for small k. In this (k, b) layout the min is
    # an elementwise min of k long rows, S == min marks the nearest centre with 1.0 (the one-hot
    # matrix), and one product gives the label Σ_j j·one_hot[j] and the number of 1s per row.
    closest = S.min(axis=0)
    one_hot = np.equal(S, closest, out=S, casting="unsafe")  # 1.0 or 0.0, written over S
    label_and_count = _LABEL_AND_COUNT[k] @ one_hot  # (2, b)
    if label_and_count[1].sum() == b:  # one nearest centre per row: no exact ties
        return label_and_count[0], closest, one_hot
    labels = one_hot.argmax(axis=0)  # exact ties: the lowest index wins, as with argmin
    one_hot[:] = 0.0
    one_hot[labels, np.arange(b)] = 1.0
    return labels.astype(np.float64), closest, one_hot


class _LabelAndCount(dict[int, np.ndarray]):
    """``[[0, 1, …, k-1], [1, 1, …, 1]]`` of shape (2, k), made once per ``k``."""

    def __missing__(self, k: int) -> np.ndarray:
        self[k] = np.vstack([np.arange(k, dtype=np.float64), np.ones(k)])
        return self[k]


_LABEL_AND_COUNT = _LabelAndCount()


def _centers_aug(centers: np.ndarray) -> np.ndarray:
    """``[-2C, |c|²]`` of shape (n_clusters, n_features + 1): ``C_aug @ [x, 1] = |c|² - 2 x·c``."""
    return np.hstack([-2.0 * centers, row_norms_sq(centers)[:, None]])


def assign_and_sum(
    X_aug: np.ndarray, centers: np.ndarray, labels: np.ndarray, n_threads: int | None = None
) -> tuple[int, float, np.ndarray]:
    """One Lloyd pass: every row to its nearest centre, and each cluster's sum and count.

    Parameters
    ----------
    X_aug : ndarray of shape (n_samples, n_features + 1)
        ``[X, 1]`` (:func:`with_ones`), float64.
    centers : ndarray of shape (n_clusters, n_features)
    labels : ndarray of shape (n_samples,)
        Integer labels of the previous pass (``-1`` before the first); overwritten in place
        with the index of each row's nearest centre (the lowest index on exact ties).
    n_threads : int, optional
        Worker threads; by default :func:`glassml._threads.threads_for`. The result does not
        depend on it.

    Returns
    -------
    n_changed : int
        Number of rows whose label changed.
    closest_total : float
        ``Σᵢ (|c_{labelᵢ}|² - 2 xᵢ·c_{labelᵢ})``: the inertia minus ``Σᵢ |xᵢ|²``.
    sums_aug : ndarray of shape (n_clusters, n_features + 1)
        Sum of the rows of each cluster; the last column is its number of rows.
    """
    C_aug = _centers_aug(centers)
    blocks = _blocks(X_aug.shape[0])
    changed = np.zeros(len(blocks), dtype=np.intp)
    closest_totals = np.zeros(len(blocks))
    partial_sums = np.zeros((len(blocks), *C_aug.shape))  # one (k, n_features + 1) per block

    def work(block_indices: range) -> None:
        for i in block_indices:
            rows = blocks[i]
            new, closest, one_hot = _assign_block(X_aug[rows], C_aug)
            np.matmul(one_hot, X_aug[rows], out=partial_sums[i])  # sums and counts, (k, d + 1)
            changed[i] = np.count_nonzero(labels[rows] != new)
            labels[rows] = new
            closest_totals[i] = closest.sum()

    _run_blocks(len(blocks), work, n_threads)
    # NOTE: summed in block order, whatever the number of threads: a deterministic result.
    return int(changed.sum()), float(closest_totals.sum()), partial_sums.sum(axis=0)


def assign(
    X_aug: np.ndarray, centers: np.ndarray, labels: np.ndarray, n_threads: int | None = None
) -> float:
    """Every row to its nearest centre (``labels`` overwritten in place); returns the inertia.

    Parameters and labels as :func:`assign_and_sum`. The inertia ``Σᵢ |xᵢ - c_{labelᵢ}|²`` is
    computed from direct differences (as the textbook does: no cancellation), block by block
    while the block is in cache.
    """
    C_aug = _centers_aug(centers)
    blocks = _blocks(X_aug.shape[0])
    inertias = np.zeros(len(blocks))

    def work(block_indices: range) -> None:
        for i in block_indices:
            rows = blocks[i]
            labels[rows] = _assign_block(X_aug[rows], C_aug)[0]
            inertias[i] = _sq_distances(X_aug[rows, :-1], centers, labels[rows]).sum()

    _run_blocks(len(blocks), work, n_threads)
    return float(inertias.sum())


def _sq_distances(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``|xᵢ - c_{labelᵢ}|²`` by direct differences, shape (n_samples,)."""
    diff = X - np.take(centers, labels, axis=0)  # NOTE: np.take is ~4× faster than [labels]
    return np.einsum("ij,ij->i", diff, diff)


def distances_to_own_centre(
    X: np.ndarray, centers: np.ndarray, labels: np.ndarray, n_threads: int | None = None
) -> np.ndarray:
    """``|xᵢ - c_{labelᵢ}|²`` for every row, by direct differences, shape (n_samples,).

    Direct (not expanded) so that a point on its centre gets exactly 0, as in the textbook.
    Computed in blocks: the (n_samples, n_features) difference never exists whole.
    """
    out = np.empty(X.shape[0])
    blocks = _blocks(X.shape[0])

    def work(block_indices: range) -> None:
        for i in block_indices:
            out[blocks[i]] = _sq_distances(X[blocks[i]], centers, labels[blocks[i]])

    _run_blocks(len(blocks), work, n_threads)
    return out
