"""The hot loop of :class:`~glassml.cluster.KMeans`: Lloyd's assign-and-sum pass, in blocks.

Read :func:`glassml.cluster.textbook.lloyd` first: ``assign_to_nearest`` (a distance per point
and centre, the nearest wins) then ``move_to_means`` (the mean of each cluster's points).
:func:`assign_and_sum` computes the same labels and the per-cluster sums and counts those means
come from (tested: same centres to 1e-12, same labels; ``tests/cluster/test_textbook.py`` and
``test_blocks.py``). What it does differently, and why (scikit-learn's ``_k_means_lloyd.pyx``
makes the same choices 1, 2 and 4, in Cython):

1. **Distances by one matrix product per block.** The nearest centre minimises
   ``|x - c|² - |x|² = |c|² - 2 x·c``: one BLAS product of ``[-2C, |c|²]`` with ``[x, 1]``.
2. **Cache-sized blocks** of at most :data:`BLOCK_ROWS` rows (:func:`block_ranges`). A block's
   rows of ``[X, 1]``, its (k, rows) distances and one-hot matrix stay in cache while they are
   used, so a pass reads the data from memory once, and no (n_samples, n_clusters) array ever
   exists. With whole-data matrices (64 MB each at 1M points, k=8) the cost per point grew
   3-4× from 20,000 to 1,000,000 points.
3. **Sums kept per block, updated by the points that moved.** Each block keeps its clusters'
   sums and counts (``block_sums``). When a pass relabels many of a block's rows (always in the
   first pass), the one-hot matrix times ``[X, 1]`` recomputes them in one small product (the
   last column, from the ones, gives the counts); when it relabels few (after the first
   iterations, a few percent), only those rows are taken from their old cluster and added to
   their new one. Like ``np.add.at`` the result is the sum of each cluster's rows; it differs
   from summing afresh only by rounding (about 1e-16 relative per update; the tests hold
   1e-12 against the textbook); it saves the second product over every block, which costs
   about as much as the distances.
4. **Threads, deterministic.** Blocks run in worker threads (:mod:`glassml._threads`), each
   product on a single-threaded BLAS (the caller holds
   :func:`glassml.neighbors._tiles.single_threaded_blas`). The blocks do not depend on the
   number of threads, every block updates only its own sums, and the blocks' sums are added in
   block order: the result is bit for bit the same for any number of threads (tested).
5. **float32 screening, float64 decisions** (:func:`screening_copy`, not in scikit-learn). A
   float32 product ``S32`` (half the memory traffic, twice the SIMD width) is computed first;
   a bound ``E_i >= |S32 - S64|`` for row ``i`` (``S64``: the float64 product the textbook-
   equal path computes) makes a centre ``j`` a *candidate* when ``S32_j <= min S32 + 2 E_i``.
   A row with one candidate ``j`` has, for every other ``l``,
   ``S64_l >= S32_l - E_i > min S32 + E_i >= S64_j``: ``j`` is the strict float64 argmin, the
   label the float64 path gives. Rows with several candidates (near and exact ties) are
   recomputed in float64 as before (lowest index wins). The labels are identical; only the
   time differs.

   The bound. The data are scaled by a power of two ``s`` (exact) so that ``max|x| <= 1``;
   the centres likewise. Write ``a = [-2cs, |cs|²]`` and ``x̃ = [xs, 1]`` (d + 1 terms) and
   ``A_i = 2 M ‖x_i‖ + M²`` with ``M = max_j ‖c_j s‖``: ``Σ_l |a_l x̃_l| <= A_i``. Rounding
   ``a`` and ``x̃`` to float32 errs by ``u = 2^-24`` relative each (plus ``2^-150`` absolute
   where a value is subnormal in float32), the (d + 1)-term dot product in any order, with or
   without FMA, by ``γ_{d+1} A_i <= 1.01 (d + 1) u A_i`` (Higham, Thm 3.5), the float64
   product by ``(d + 1) 2^-53 A_i``, and the float32 sum ``min S32 + 2 E_i`` by ``u`` of its
   size (``<= A_i``). Altogether
   ``E_i = (d + 6) u A_i + (d + 2) 2^-149 (1 + 2M + ‖x_i‖)``; it is computed in float64 and
   rounded up. When ``M`` is too large for the float32 squares (centres very far from the
   data, ``M > 2^40``) the pass uses float64 only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassml._distances import row_norms_sq
from glassml._threads import MAX_THREADS, run_on_threads, threads_for

__all__ = [
    "BLOCK_ROWS",
    "assign",
    "assign_and_sum",
    "block_ranges",
    "distances_to_own_centre",
    "new_block_sums",
    "screening_copy",
    "with_ones",
]

#: Most rows per block: 8192 rows of [X, 1] (11 columns) and two (k=8, 8192) matrices take
#: about 1.2 MiB, within a core's L2 and its share of L3 cache.
BLOCK_ROWS = 8192
#: A block is summed afresh when more than 1/RECOMPUTE_FRACTION of its rows changed cluster
#: (then one product over the block costs less than moving the rows one by one).
RECOMPUTE_FRACTION = 8
#: With fewer blocks than this, worker threads cost about what they save (measured: at 20,000
#: points, 4 blocks, one thread was faster than two).
PARALLEL_MIN_BLOCKS = 8


def with_ones(X: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``[X - shift, 1]``: shifted, a column of ones appended; float64 (n_samples, n_features + 1).

    The one copy of the data a fit makes (scikit-learn's centring makes one too); the shifted
    data are its view ``X_aug[:, :-1]``.
    """
    X_aug = np.empty((X.shape[0], X.shape[1] + 1))
    np.subtract(X, shift, out=X_aug[:, :-1])
    X_aug[:, -1] = 1.0
    return X_aug


#: Centres (scaled like the data, whose largest entry is at most 1) beyond this norm: float64 only.
SCREEN_MAX_NORM = 2.0**40
_U32 = 2.0**-24
_TINY32 = 2.0**-149


class Screening:
    """A float32 copy for the screening pass (:func:`screening_copy`; module Notes, 5).

    Attributes: ``X32`` (n_samples, n_features + 1) float32 ``[X s, 1]``, ``norms``
    (n_samples,) float32 ``‖x_i s‖`` rounded up and the scale ``s`` (a power of two).
    """

    def __init__(self, X32: np.ndarray, norms: np.ndarray, scale: float) -> None:
        self.X32, self.norms, self.scale = X32, norms, scale


def screening_copy(X_aug: np.ndarray) -> Screening:
    """The float32 copy of ``[X s, 1]`` for :func:`assign_and_sum` (Notes, 5).

    ``s`` is the power of two that brings the largest ``|x|`` into [0.5, 1] (exact scaling).
    """
    X = X_aug[:, :-1]
    top = max(float(X.max(initial=0.0)), -float(X.min(initial=0.0)))
    scale = 2.0 ** -int(np.frexp(top)[1]) if top > 0 else 1.0
    X32 = np.empty(X_aug.shape, dtype=np.float32)
    X32[:, -1] = 1.0
    norms = np.empty(X.shape[0], dtype=np.float32)
    blocks = block_ranges(X.shape[0])

    def work(block_indices: range) -> None:  # in blocks: no overflow, no big temporary
        for i in block_indices:
            Xs = X[blocks[i]] * scale  # exact (a power of two), then rounded once to float32
            X32[blocks[i], :-1] = Xs
            norms[blocks[i]] = np.sqrt(row_norms_sq(Xs))

    _run_blocks(len(blocks), work)
    np.nextafter(norms, np.float32(np.inf), out=norms)  # rounded up: E is an upper bound
    return Screening(X32, norms, scale)


def block_ranges(n_samples: int) -> list[slice]:
    """Row ranges of about equal size, at most :data:`BLOCK_ROWS` rows each.

    Their number is rounded up to a multiple of :data:`~glassml._threads.MAX_THREADS`, so that
    the threads get equal shares. NOTE: the blocks depend on ``n_samples`` only, never on the
    number of threads: that is what makes the results the same for any number of threads.
    """
    n_blocks = -(-n_samples // BLOCK_ROWS)  # -(-a // b) = ceil(a / b)
    if n_blocks > 1:
        n_blocks = -(-n_blocks // MAX_THREADS) * MAX_THREADS
    rows = -(-n_samples // n_blocks)
    return [slice(a, min(a + rows, n_samples)) for a in range(0, n_samples, rows)]


def new_block_sums(n_samples: int, n_clusters: int, n_features: int) -> np.ndarray:
    """Zeroed per-block cluster sums, shape (n_blocks, n_clusters, n_features + 1).

    For :func:`assign_and_sum`, whose first pass (labels all ``-1``) fills them.
    """
    return np.zeros((len(block_ranges(n_samples)), n_clusters, n_features + 1))


def _run_blocks(n_blocks: int, work: Callable[[range], None], n_threads: int | None = None) -> None:
    """Call ``work(block_indices)`` on groups of blocks, in threads when there are enough."""
    if n_threads is None:
        n_threads = threads_for(n_blocks, PARALLEL_MIN_BLOCKS)
    n_threads = max(1, min(n_threads, n_blocks))
    run_on_threads(work, [range(w, n_blocks, n_threads) for w in range(n_threads)])


def _assign_block(X_aug: np.ndarray, C_aug: np.ndarray) -> tuple[np.ndarray, ...]:
    """Nearest centre of each row of one block of ``[X, 1]``.

    Returns the labels (b,), ``|c|² - 2 x·c`` for the nearest centre (b,) and the one-hot
    assignment matrix (k, b) of 0.0 and 1.0.
    """
    k, b = C_aug.shape[0], X_aug.shape[0]
    S = C_aug @ X_aug.T  # (k, b): the squared distances minus |x|²
    # NOTE: argmin along rows of length k is slow for small k. In this (k, b) layout the min is
    # an elementwise min of k long rows, S == min marks the nearest centre with 1.0 (the one-hot
    # matrix), and the label is Σ_j j·one_hot[j] (one matrix-vector product).
    closest = S.min(axis=0)
    one_hot = np.equal(S, closest, out=S, casting="unsafe")  # 1.0 or 0.0, written over S
    if one_hot.sum() == b:  # one nearest centre per row: no exact ties
        labels = (np.arange(k, dtype=np.float64) @ one_hot).astype(np.intp)
        return labels, closest, one_hot
    labels = one_hot.argmax(axis=0)  # exact ties: the lowest index wins, as with argmin
    one_hot[:] = 0.0
    one_hot[labels, np.arange(b)] = 1.0
    return labels, closest, one_hot


def _screen_block(
    X_aug: np.ndarray,
    C_aug: np.ndarray,
    X32: np.ndarray,
    C32: np.ndarray,
    E: np.ndarray,
    label_count: np.ndarray,
) -> np.ndarray:
    """Labels (b,) of one block by float32 screening (Notes, 5); equal to :func:`_assign_block`'s.

    ``X32`` (b, d + 1) is the block of the float32 copy, ``C32`` the scaled float32 centres
    ``[-2Cs, |Cs|²]``, ``E`` (b,) the float32 bound (already doubled: ``2 E_i``),
    ``label_count`` (2, k) float32 rows ``[0, 1, ..., k-1]`` and ``[1, ..., 1]``.
    """
    S = C32 @ X32.T  # (k, b) float32
    threshold = S.min(axis=0)
    threshold += E
    cand = np.less_equal(S, threshold, out=S, casting="unsafe")  # 1.0 / 0.0 in float32
    # one product gives both Σ_j j·cand_j (the label, if alone) and Σ_j cand_j (how many)
    label_f, n_cand = label_count @ cand
    labels = label_f.astype(np.intp)
    unsure = np.flatnonzero(n_cand != 1)
    if unsure.size:  # near or exact ties: decided in float64, as the float64 path does
        labels[unsure] = _assign_block(np.take(X_aug, unsure, axis=0), C_aug)[0]
    return labels


def _screen_setup(
    screen: Screening | None, centers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(C32, [α, β], label_count)``: scaled float32 centres, ``2 E_i = α ‖x_i‖ + β`` (Notes,
    5) and the (2, k) rows for :func:`_screen_block`; None where float64 must do it all."""
    if screen is None:
        return None
    Cs = centers * screen.scale
    M = float(np.sqrt(row_norms_sq(Cs).max()))
    if not M <= SCREEN_MAX_NORM:
        return None
    d = centers.shape[1]
    # 2 E_i = α ‖x_i‖ + β, with E_i = (d+6) u (2M‖x_i‖ + M²) + (d+2) 2^-149 (1 + 2M + ‖x_i‖),
    # evaluated per block in float32 (norms rounded up; α, β enlarged by 2^-20 to cover the
    # two float32 roundings of α‖x_i‖ + β)
    alpha = 2.0 * ((d + 6) * _U32 * 2.0 * M + (d + 2) * _TINY32) * (1.0 + 2.0**-20)
    beta = 2.0 * ((d + 6) * _U32 * M * M + (d + 2) * _TINY32 * (1.0 + 2.0 * M)) * (1.0 + 2.0**-20)
    E2 = np.nextafter(np.array([alpha, beta], dtype=np.float32), np.float32(np.inf))
    label_count = np.vstack([np.arange(len(Cs)), np.ones(len(Cs))]).astype(np.float32)
    return _centers_aug(Cs).astype(np.float32), E2, label_count


def _block_labels(
    X_aug: np.ndarray,
    rows: slice,
    C_aug: np.ndarray,
    screen: Screening | None,
    setup: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> np.ndarray:
    """Labels of the rows ``rows``: screened in float32 when ``setup`` is given, else float64."""
    if setup is None or screen is None:
        return _assign_block(X_aug[rows], C_aug)[0]
    E = screen.norms[rows] * setup[1][0]
    E += setup[1][1]
    return _screen_block(X_aug[rows], C_aug, screen.X32[rows], setup[0], E, setup[2])


def _centers_aug(centers: np.ndarray) -> np.ndarray:
    """``[-2C, |c|²]`` of shape (n_clusters, n_features + 1): ``C_aug @ [x, 1] = |c|² - 2 x·c``."""
    return np.hstack([-2.0 * centers, row_norms_sq(centers)[:, None]])


def _update_sums(sums: np.ndarray, X_aug: np.ndarray, old: np.ndarray, new: np.ndarray) -> int:
    """Bring one block's cluster sums (k, n_features + 1) from labels ``old`` to ``new``.

    Returns the number of rows whose label changed.
    """
    moved = np.flatnonzero(old != new)
    if moved.size * RECOMPUTE_FRACTION > new.size:  # many moved (first pass: all): afresh
        one_hot = np.equal(new, np.arange(sums.shape[0])[:, None]).astype(np.float64)
        np.matmul(one_hot, X_aug, out=sums)  # sums and, from the ones, counts
    elif moved.size:  # a few moved: out of the old cluster (-1), into the new one (+1)
        moves = np.zeros((sums.shape[0], moved.size))  # (k, n_moved)
        cols = np.arange(moved.size)
        moves[new[moved], cols] = 1.0
        moves[old[moved], cols] = -1.0
        sums += moves @ np.take(X_aug, moved, axis=0)
    return int(moved.size)


def assign_and_sum(
    X_aug: np.ndarray,
    centers: np.ndarray,
    labels: np.ndarray,
    block_sums: np.ndarray,
    n_threads: int | None = None,
    screen: Screening | None = None,
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
    block_sums : ndarray of shape (n_blocks, n_clusters, n_features + 1)
        Each block's cluster sums and counts for the ``labels`` given (from the previous pass,
        or :func:`new_block_sums` before the first); updated in place for the new labels.
    n_threads : int, optional
        Worker threads; by default :func:`glassml._threads.threads_for`. The result does not
        depend on it.
    screen : Screening, optional
        :func:`screening_copy` of ``X_aug``: labels screened in float32 (module Notes, 5);
        the same labels, faster.

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
    blocks = block_ranges(X_aug.shape[0])
    changed = np.zeros(len(blocks), dtype=np.intp)
    setup = _screen_setup(screen, centers)

    def work(block_indices: range) -> None:
        for i in block_indices:
            rows = blocks[i]
            new = _block_labels(X_aug, rows, C_aug, screen, setup)
            changed[i] = _update_sums(block_sums[i], X_aug[rows], labels[rows], new)
            labels[rows] = new

    _run_blocks(len(blocks), work, n_threads)
    # NOTE: summed in block order, whatever the number of threads: a deterministic result.
    sums_aug = block_sums.sum(axis=0)
    # Σᵢ (|c_{lᵢ}|² - 2 xᵢ·c_{lᵢ}) = Σⱼ (nⱼ |cⱼ|² - 2 cⱼ·sumⱼ), from the sums: C_aug · sums_aug.
    return int(changed.sum()), float(np.einsum("ij,ij->", C_aug, sums_aug)), sums_aug


def assign(
    X_aug: np.ndarray,
    centers: np.ndarray,
    labels: np.ndarray,
    n_threads: int | None = None,
    screen: Screening | None = None,
) -> float:
    """Every row to its nearest centre (``labels`` overwritten in place); returns the inertia.

    Parameters (``screen`` included) and labels as :func:`assign_and_sum`. The inertia ``Σᵢ |xᵢ - c_{labelᵢ}|²`` is
    computed from direct differences (as the textbook does: no cancellation), block by block
    while the block is in cache.
    """
    C_aug = _centers_aug(centers)
    blocks = block_ranges(X_aug.shape[0])
    inertias = np.zeros(len(blocks))
    setup = _screen_setup(screen, centers)

    def work(block_indices: range) -> None:
        for i in block_indices:
            rows = blocks[i]
            labels[rows] = _block_labels(X_aug, rows, C_aug, screen, setup)
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
    blocks = block_ranges(X.shape[0])

    def work(block_indices: range) -> None:
        for i in block_indices:
            out[blocks[i]] = _sq_distances(X[blocks[i]], centers, labels[blocks[i]])

    _run_blocks(len(blocks), work, n_threads)
    return out
