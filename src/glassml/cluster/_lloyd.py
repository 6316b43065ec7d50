"""The hot loop of :class:`~glassml.cluster.KMeans`: Lloyd's assign-and-sum pass, in blocks.

Read :func:`glassml.cluster.textbook.lloyd` first: ``assign_to_nearest`` (a distance per point
and centre, the nearest wins) then ``move_to_means`` (the mean of each cluster's points).
:func:`assign_and_sum` computes the same labels and the per-cluster sums and counts those means
come from (tested: same centres to 1e-12, same labels; ``tests/cluster/test_textbook.py`` and
``test_blocks.py``). What it does differently, and why (scikit-learn's ``_k_means_lloyd.pyx``
makes the same choices 1, 2 and 4, in Cython):

1. **Distances by one matrix product per block.** The nearest centre minimises
   ``|x - c|² - |x|² = |c|² - 2 x·c``: one BLAS product of ``[-2C, |c|²]`` with ``[x, 1]``.
2. **Cache-sized blocks** of at most :data:`BLOCK_ROWS` rows (:func:`block_ranges`; fewer for
   wide data or many clusters, and a quarter of that in the passes that read float64 rows). A
   block's rows, its (k, rows) distances and candidate matrix stay in cache while they are
   used, so a pass reads the data from memory once, and no (n_samples, n_clusters) array ever
   exists. With whole-data matrices (64 MB each at 1M points, k=8) the cost per point grew
   3-4× from 20,000 to 1,000,000 points. The data are centred on the fly (``x - shift``, a
   block at a time): a fit keeps no centred copy of X, only the float32 copy of item 5.
3. **Sums updated by the points that moved.** The cluster sums and counts are kept from one
   pass to the next. After the first pass, where every row moves "from nowhere", every
   cluster is summed afresh (:func:`_first_sums`): one product of each block's one-hot matrix
   with its rows ``x - shift``, the one-hot matrix's row sums for the counts. A later pass
   takes each row that
   changed cluster out of its old cluster's sum and adds it to its new one's
   (:func:`_add_moves`: one product of a ±1 matrix with the moved rows). After the first
   iterations a few percent of the rows move, so later passes read the float64 data only where
   rows moved. Like ``np.add.at``, the result is the sum of each cluster's rows, differing from
   summing afresh only by rounding (about 1e-16 relative per update; the tests hold 1e-12
   against the textbook).
4. **Threads, deterministic.** Blocks (and chunks of :data:`CHUNK_ROWS` moved rows) run in
   worker threads (:mod:`glassml._threads`), each product on a single-threaded BLAS (the
   caller holds :func:`glassml.neighbors._tiles.single_threaded_blas`). The blocks and chunks
   depend on the data only, never on the number of threads, each writes only its own outputs,
   and partial sums are added in block (chunk) order: the result is bit for bit the same for
   any number of threads (tested). The rows that changed are gathered after the threaded
   screening and handled in a few large NumPy calls: many small calls per block would hold
   Python's lock and keep the threads from running at the same time (measured: no gain from
   a second thread that way). Below :data:`PARALLEL_MIN_BLOCKS` blocks (or chunks) a pass
   runs on the caller's thread alone: handing a block of 10,000 rows to a thread costs more
   than it saves (measured on a 2-CPU virtual machine: the screening of 20,000 rows took
   130 µs on one thread, 245 µs split over two).
5. **float32 screening, float64 decisions** (:func:`prepare`, not in scikit-learn). A float32
   product ``S32`` (half the memory traffic, twice the SIMD width) is computed first; a bound
   ``E >= |S32 - S64|`` (``S64``: the float64 product the textbook-equal path computes) makes a
   centre ``j`` a *candidate* for row ``i`` when ``S32_j <= min S32 + 2 E``. A row with one
   candidate ``j`` has, for every other ``l``,
   ``S64_l >= S32_l - E > min S32 + E >= S64_j``: ``j`` is the strict float64 argmin, the label
   the float64 path gives. Rows with several candidates (near and exact ties) are recomputed in
   float64 (lowest index wins). The labels are identical; only the time differs. One weighted
   sum gives the label and the number of candidates at once: the integer
   ``code = Σ_j (k + j) cand_j`` is ``k + j`` for a single candidate ``j`` and at least
   ``2k + 1`` for several (:func:`code_dtype`: one byte per row up to 13 clusters).

   The bound. The centred data are scaled by a power of two ``s`` (exact) so that every
   ``|x - shift| s <= 1/2``; the centres likewise. Write ``a = [-2cs, |cs|²]`` and
   ``x̃ = [xs, 1]`` (d + 1 terms), ``M = max_j ‖c_j s‖``, ``N = √d / 2`` (at least every
   ``‖x_i s‖``) and ``A = 2MN + M²``: ``Σ_l |a_l x̃_l| <= A`` for every row. Rounding ``a``
   and ``x̃`` to float32 errs by ``u = 2^-24`` relative each (plus ``2^-150`` absolute where a
   value is subnormal in float32), the (d + 1)-term dot product in any order, with or without
   FMA, by ``γ_{d+1} A <= 1.01 (d + 1) u A`` (Higham, Thm 3.5), the float64 product by
   ``(d + 1) 2^-53 A``, and the float32 sum ``min S32 + 2 E`` by ``u`` of its size
   (``<= A``). Altogether ``E = (d + 6) u A + (d + 2) 2^-149 (1 + 2M + N)``, one number per
   pass, computed in float64 and enlarged by ``2^-20`` relative. When ``M`` is too large for
   the float32 squares (centres very far from the data, ``M > 2^40``) the pass uses float64
   only. The bound is loose by the factor ``N / max_i ‖x_i s‖`` (about 2 on blobs): a few more
   rows are recomputed in float64, none is mislabelled.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from glassml._distances import row_norms_sq
from glassml._threads import MAX_THREADS, run_on_threads, threads_for

__all__ = [
    "BLOCK_ROWS",
    "Points",
    "assign",
    "assign_and_sum",
    "block_ranges",
    "distances_to_own_centre",
    "labels_of",
    "no_codes",
    "prepare",
]

#: Most rows per block for data with up to 10 features and 10 clusters: 16384 rows of the
#: float32 copy (11 columns) and the (k=8, 16384) float32 distances take 1.2 MiB, about a
#: core's L2 cache. Measured per fit, against 32768 rows: 11% faster at 20,000 points (two
#: blocks of 10,000; the product alone 42 µs instead of 67 µs), 17% at 200,000, 7% at
#: 1,000,000; 8192 rows was slower again (more NumPy calls). Wider data or more clusters get
#: proportionally fewer rows (:func:`block_ranges`).
BLOCK_ROWS = 16384
#: With fewer blocks than this, worker threads cost about what they save (module Notes, 4).
PARALLEL_MIN_BLOCKS = 8
#: Most moved rows per product of :func:`_add_moves`: a (k, 4096) ±1 matrix and the rows'
#: float64 ``x - shift`` (0.3 MiB for 10 features).
CHUNK_ROWS = 4096
#: Centres (scaled like the data, whose largest entry is at most 1/2) beyond this norm: float64.
SCREEN_MAX_NORM = 2.0**40
#: Rows of the repeated shift in :func:`_centre` (64 rows of 10 features: 5 KiB).
_TILE_ROWS = 64
_U32 = 2.0**-24
_TINY32 = 2.0**-149


def _centre(points: Points, X: np.ndarray) -> np.ndarray:
    """``X - shift`` for some rows ``X`` (m, n_features) of the data, float64 (a new array).

    NOTE: NumPy subtracts a broadcast (n_features,) row with an inner loop of n_features
    elements per row, 4× slower than a flat loop for 10 features. Seen as
    (m / r, r · n_features), with ``shift`` repeated r times, the same subtraction (bit for bit)
    runs in loops of r · n_features elements (measured 235 -> 120 µs for 16384 rows).
    """
    out = np.empty(X.shape)
    r = _TILE_ROWS
    q = X.shape[0] // r * r if X.flags.c_contiguous else 0  # rows done as (q / r, r · d)
    if q:
        wide = (q // r, r * X.shape[1])
        np.subtract(X[:q].reshape(wide), points._tiled_shift, out=out[:q].reshape(wide))
    np.subtract(X[q:], points.shift, out=out[q:])
    return out


class Points:
    """The rows a fit or a prediction works on, as the passes read them.

    Attributes: ``X`` (n_samples, n_features) the data as given (float64 or float32; never
    copied), ``shift`` (n_features,) float64 subtracted from every row as it is read, and, for
    a fit (:func:`prepare`), ``sq_total`` ``Σᵢ |xᵢ - shift|²`` and the float32 screening copy
    ``X32`` (n_features + 1, n_samples) of ``[(X - shift) s, 1]ᵀ`` (one row per feature: a
    block's columns are long contiguous runs) with its power-of-two scale
    ``s`` and ``max_norm`` ``N >= max_i ‖(x_i - shift) s‖`` (module Notes, 5); ``X32`` is None
    where the passes decide in float64 alone.
    """

    def __init__(self, X: np.ndarray, shift: np.ndarray) -> None:
        self.X, self.shift = X, shift
        self._tiled_shift = np.tile(shift, _TILE_ROWS)  # for _centre
        self.sq_total = 0.0
        self.X32: np.ndarray | None = None
        self.scale, self.max_norm = 1.0, 0.0


def prepare(
    X: np.ndarray,
    shift: np.ndarray | None = None,
    screen: bool = True,
    n_threads: int | None = None,
) -> Points:
    """The :class:`Points` of a fit: ``shift`` (the column means by default), ``Σ|x - shift|²``
    and, with ``screen``, the float32 copy (module Notes, 5). Two passes over ``X`` in blocks.
    """
    n_samples, n_features = X.shape
    blocks = _float64_blocks(n_samples, n_features)
    ones = np.ones(blocks[0].stop)
    col_sums, extremes = np.zeros((len(blocks), n_features)), np.zeros((len(blocks), 2))

    # NOTE: NumPy reduces a C-ordered block along axis 0 with an inner loop of n_features
    # elements (as in _centre): the column sums are one matrix-vector product instead, and the
    # range of X comes from its overall max and min (measured 1.8 ms -> 0.13 ms per block).
    def summarise(block_indices: range) -> None:
        for i in block_indices:
            Xb = X[blocks[i]]
            col_sums[i], extremes[i] = ones[: Xb.shape[0]] @ Xb, (Xb.max(), -Xb.min())

    _run_blocks(len(blocks), summarise, n_threads)
    points = Points(X, col_sums.sum(axis=0) / n_samples if shift is None else shift)
    # max |x - shift| <= max(max X - min shift, max shift - min X) =: top; the scale
    # s = 2^-(e+1) for top = f 2^e (1/2 <= f < 1) makes max |x - shift| s <= 1/2 (at most
    # 2^1000: for a subnormal top, 2^(e+1) itself would overflow)
    high, low = extremes.max(axis=0)
    top = max(float(high - points.shift.min()), float(low + points.shift.max()), 0.0)
    points.scale = 2.0 ** min(-(int(np.frexp(top)[1]) + 1), 1000) if top > 0 else 1.0
    if screen:
        points.X32 = np.empty((n_features + 1, n_samples), dtype=np.float32)
    sq = np.zeros(len(blocks))

    def copy(block_indices: range) -> None:  # in blocks: no overflow, no big temporary
        for i in block_indices:
            Xc = _centre(points, X[blocks[i]])
            sq[i] = np.vdot(Xc, Xc)
            if points.X32 is not None:  # x s is exact (a power of two), rounded once to float32
                # NOTE: scaled in place, then cast while transposed (measured 39 -> 30 µs per
                # 4000 rows: the transposed read of a multiply is the slower one)
                np.multiply(Xc, points.scale, out=Xc)
                points.X32[:-1, blocks[i]] = Xc.T
                points.X32[-1, blocks[i]] = 1.0

    _run_blocks(len(blocks), copy, n_threads)
    points.sq_total = float(sq.sum())  # in block order: the same for any number of threads
    # every |x_il - shift_l| s <= 1/2 (1 + 2^-52), so ‖(x_i - shift) s‖ <= √d / 2 (1 + 2^-52)
    points.max_norm = 0.5 * np.sqrt(n_features) * (1.0 + 2.0**-40)
    return points


@functools.cache  # NOTE: np.iinfo costs some 6 µs a call, once per pass
def code_dtype(n_clusters: int) -> np.dtype:
    """The type of the codes (:func:`assign_and_sum`): the smallest unsigned integer that
    holds every sum of codes ``Σ_j (k + j) = k (3k - 1) / 2`` below its largest value, which
    stands for "no cluster yet" (:func:`no_codes`)."""
    top = n_clusters * (3 * n_clusters - 1) // 2
    return np.dtype(
        next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if top < np.iinfo(t).max)
    )


@functools.cache
def cluster_codes(n_clusters: int) -> np.ndarray:
    """The code ``k + j`` of each cluster ``j`` (n_clusters,), read-only (one array per k)."""
    codes = np.arange(n_clusters, 2 * n_clusters, dtype=code_dtype(n_clusters))
    codes.flags.writeable = False
    return codes


def no_codes(n_samples: int, n_clusters: int) -> np.ndarray:
    """The codes before the first pass: every row in no cluster yet."""
    dtype = code_dtype(n_clusters)
    return np.full(n_samples, np.iinfo(dtype).max, dtype=dtype)


def labels_of(codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Integer labels (n_samples,) from the decided codes ``k + label`` of :func:`assign_and_sum`."""
    return codes.astype(np.intp) - n_clusters


def block_ranges(n_samples: int, width: int = 10) -> list[slice]:
    """Row ranges of about equal size, at most ``BLOCK_ROWS · 10 / max(width, 10)`` rows each.

    ``width`` is the widest per-row temporary of the pass (features or clusters). The number
    of blocks, where they are enough for threads (:data:`PARALLEL_MIN_BLOCKS`), is rounded up
    to a multiple of :data:`~glassml._threads.MAX_THREADS`, so that the threads get equal
    shares. NOTE: the blocks depend on the data's shape only, never on
    the number of threads: that is what makes the results the same for any number of threads.
    """
    most = max(1, BLOCK_ROWS * 10 // max(width, 10))
    n_blocks = -(-n_samples // most)  # -(-a // b) = ceil(a / b)
    if n_blocks >= PARALLEL_MIN_BLOCKS:  # fewer run on one thread: no need for equal shares
        n_blocks = -(-n_blocks // MAX_THREADS) * MAX_THREADS
    rows = -(-n_samples // n_blocks)
    return [slice(a, min(a + rows, n_samples)) for a in range(0, n_samples, rows)]


def _float64_blocks(n_samples: int, width: int) -> list[slice]:
    """:func:`block_ranges` a quarter the size, for the passes that read the float64 rows
    (:func:`prepare`, :func:`_first_sums`, :func:`assign`, :func:`distances_to_own_centre`).

    NOTE: their per-block temporaries (rows, float64 distances, one-hot matrices) are 2-4×
    larger, and arrays over about 1 MiB tend to get fresh memory from the operating system on
    each call (measured: 945 page faults, ~3 µs each, in one 20,000-point fit with full-size
    blocks; 1 with these).
    """
    return block_ranges(n_samples, 4 * width)


def _run_blocks(
    n_blocks: int,
    work: Callable[[range], None],
    n_threads: int | None = None,
    min_blocks: int = PARALLEL_MIN_BLOCKS,
) -> None:
    """Call ``work(block_indices)`` on groups of blocks, in threads when there are enough."""
    if n_threads is None:
        n_threads = threads_for(n_blocks, min_blocks)
    n_threads = max(1, min(n_threads, n_blocks))
    run_on_threads(work, [range(w, n_blocks, n_threads) for w in range(n_threads)])


def _centred_rows(points: Points, rows: slice | np.ndarray) -> np.ndarray:
    """``[x - shift, 1]`` of the rows ``rows`` (a slice or indices): float64 (b, n_features + 1)."""
    X = points.X[rows] if isinstance(rows, slice) else np.take(points.X, rows, axis=0)
    if X.shape[0] <= _TILE_ROWS:  # a few rows (those _settle decides): fewer calls
        out = np.ones((X.shape[0], X.shape[1] + 1))
        np.subtract(X, points.shift, out=out[:, :-1])  # as _centre does, bit for bit
        return out
    return np.hstack([_centre(points, X), np.ones((X.shape[0], 1))])


def _assign_block(X_aug: np.ndarray, C_aug: np.ndarray) -> np.ndarray:
    """Nearest centre (b,) of each row of a block of ``[x, 1]``, in float64.

    The lowest index wins exact ties, as with argmin.
    """
    S = C_aug @ X_aug.T  # (k, b): the squared distances minus |x|²
    if X_aug.shape[0] <= _TILE_ROWS:  # a few rows: argmin is quick enough
        return S.argmin(axis=0)
    # NOTE: argmin along rows of length k is slow for small k. In this (k, b) layout the min is
    # an elementwise min of k long rows, S == min marks the nearest centre with 1.0, and the
    # label is Σ_j j·one_hot[j] (one matrix-vector product).
    one_hot = np.equal(S, S.min(axis=0), out=S, casting="unsafe")  # 1.0 or 0.0, over S
    if one_hot.sum() == X_aug.shape[0]:  # one nearest centre per row: no exact ties
        return (np.arange(len(C_aug), dtype=np.float64) @ one_hot).astype(np.intp)
    return one_hot.argmax(axis=0)  # exact ties: the lowest index wins, as with argmin


class _Centres:
    """One pass's centres: float64 ``C_aug = [-2C, |c|²]`` (``C_aug @ [x, 1] = |c|² - 2 x·c``)
    and, where the screening applies (module Notes, 5), the scaled float32 ``C32``, the
    float32 bound ``E2 = 2E`` and the weights ``k + j`` that make the codes."""

    def __init__(self, centers: np.ndarray, points: Points) -> None:
        self.k = k = len(centers)
        self.n_features = d = centers.shape[1]
        self.C_aug = _centers_aug(centers, row_norms_sq(centers), np.float64)
        self.C32: np.ndarray | None = None
        if points.X32 is None:
            return  # float64 only (no float32 copy)
        Cs = centers * points.scale
        norms = row_norms_sq(Cs)
        M = math.sqrt(norms.max())
        if not M <= SCREEN_MAX_NORM:
            return  # centres far away: their float32 squares could overflow
        N = points.max_norm
        E = (d + 6) * _U32 * (2.0 * M * N + M * M) + (d + 2) * _TINY32 * (1.0 + 2.0 * M + N)
        self.E2 = np.nextafter(np.float32(2.0 * E * (1.0 + 2.0**-20)), np.float32(np.inf))
        self.C32 = _centers_aug(Cs, norms, np.float32)
        self.weights = cluster_codes(k)

    def blocks(self, n_samples: int) -> list[slice]:
        """The blocks of a pass that computes codes: float32 ones or, without, float64 ones."""
        width = max(self.k, self.n_features)
        if self.C32 is None:
            return _float64_blocks(n_samples, width)
        return block_ranges(n_samples, width)


def _centers_aug(centers: np.ndarray, norms: np.ndarray, dtype: type) -> np.ndarray:
    """``[-2C, |c|²]`` (k, n_features + 1) from the centres and their squared norms (float64),
    rounded once to ``dtype``."""
    out = np.empty((centers.shape[0], centers.shape[1] + 1), dtype=dtype)
    np.multiply(centers, -2.0, out=out[:, :-1], casting="unsafe")
    out[:, -1] = norms
    return out


def _block_codes(points: Points, rows: slice, centres: _Centres, out: np.ndarray) -> None:
    """The codes of the rows ``rows`` into ``out`` (b,): ``k + j`` when centre ``j`` is the
    only candidate (the float64 label), at least ``2k + 1`` when several are (module Notes, 5).
    """
    if centres.C32 is None or points.X32 is None:
        out[...] = _assign_block(_centred_rows(points, rows), centres.C_aug) + centres.k
        return
    S = centres.C32 @ points.X32[:, rows]  # (k, b) float32
    threshold = S.min(axis=0)
    threshold += centres.E2
    candidates = np.less_equal(S, threshold).view(np.uint8)  # (k, b) 1 or 0
    # NOTE: an integer Σ_j w_j cand_j by einsum (its SIMD sum of products): measured 14 µs
    # with the comparison for 10,000 rows, 21 µs for a float32 comparison and product.
    np.einsum("j,jb->b", centres.weights, candidates, out=out)


def _screen(points: Points, centres: _Centres, n_threads: int | None) -> np.ndarray:
    """The codes (n_samples,) of every row, block by block (:func:`_block_codes`)."""
    codes = np.empty(points.X.shape[0], dtype=code_dtype(centres.k))
    blocks = centres.blocks(len(codes))

    def work(block_indices: range) -> None:
        for i in block_indices:
            _block_codes(points, blocks[i], centres, codes[blocks[i]])

    _run_blocks(len(blocks), work, n_threads)
    return codes


def _settle(points: Points, codes: np.ndarray, rows: np.ndarray | None, centres: _Centres) -> bool:
    """Replace, in place, the codes of rows with several candidates (near or exact ties) by the
    code of their float64 label, as the float64 path decides (``rows``: their row indices;
    None when ``codes`` are those of every row).

    Returns whether there were such rows.
    """
    unsure = np.flatnonzero(codes >= 2 * centres.k)
    if unsure.size:
        X_aug = _centred_rows(points, unsure if rows is None else rows[unsure])
        codes[unsure] = _assign_block(X_aug, centres.C_aug) + centres.k
    return bool(unsure.size)


def assign_and_sum(
    points: Points,
    centers: np.ndarray,
    codes: np.ndarray,
    sums: np.ndarray,
    n_threads: int | None = None,
) -> tuple[int, float]:
    """One Lloyd pass: every row to its nearest centre, and each cluster's sum and count.

    Parameters
    ----------
    points : Points
        The data (:func:`prepare`).
    centers : ndarray of shape (n_clusters, n_features)
        Centres, shifted like the data.
    codes : ndarray of shape (n_samples,), of type :func:`code_dtype`
        ``k + label`` of each row from the previous pass (:func:`no_codes` before the first);
        updated in place (lowest index on exact ties; :func:`labels_of`).
    sums : ndarray of shape (n_clusters, n_features + 1)
        Sum of each cluster's rows ``x - shift`` and, in the last column, its number of rows,
        for the ``codes`` given (zeros before the first pass); updated in place.
    n_threads : int, optional
        Worker threads; by default :func:`glassml._threads.threads_for`. The result does not
        depend on it.

    Returns
    -------
    n_changed : int
        Number of rows whose label changed.
    closest_total : float
        ``Σᵢ (|c_{labelᵢ}|² - 2 xᵢ·c_{labelᵢ})``: the inertia minus ``Σᵢ |xᵢ|²``.
    """
    centres = _Centres(centers, points)
    new = _screen(points, centres, n_threads)
    if not sums[:, -1].any():  # no row counted yet: the first pass
        _settle(points, new, None, centres)
        codes[:] = new
        _first_sums(points, codes, sums, n_threads)
        return len(codes), float(np.vdot(centres.C_aug, sums))
    rows = np.flatnonzero(new != codes)  # moved, or several candidates
    new = new[rows]
    old = codes[rows]
    if _settle(points, new, rows, centres):  # a settled row may keep its cluster
        moved = np.flatnonzero(new != old)
        rows, old, new = rows[moved], old[moved], new[moved]
    codes[rows] = new
    _add_moves(points, sums, rows, old, new, n_threads)
    # Σᵢ (|c_{lᵢ}|² - 2 xᵢ·c_{lᵢ}) = Σⱼ (nⱼ |cⱼ|² - 2 cⱼ·sumⱼ), from the sums: C_aug · sums.
    return int(rows.size), float(np.vdot(centres.C_aug, sums))


def _first_sums(points: Points, codes: np.ndarray, sums: np.ndarray, n_threads: int | None) -> None:
    """Add every cluster's sum and count for the ``codes`` of every row to ``sums`` (zeros).

    After the first pass every row has moved "from nowhere": rather than gathering every row
    (:func:`_add_moves`), each block's sums are one product of its one-hot matrix with its
    rows ``x - shift``, its counts the one-hot matrix's row sums.
    """
    k, n_features = sums.shape[0], sums.shape[1] - 1
    blocks = _float64_blocks(len(codes), max(k, n_features))
    changes = np.zeros((len(blocks), *sums.shape))  # each block's sums and counts
    clusters = cluster_codes(k)[:, None]  # the code of each cluster

    def work(block_indices: range) -> None:
        for i in block_indices:
            one_hot = np.equal(codes[blocks[i]], clusters).astype(np.float64)  # (k, b)
            np.matmul(one_hot, _centre(points, points.X[blocks[i]]), out=changes[i, :, :-1])
            changes[i, :, -1] = one_hot.sum(axis=1)

    _run_blocks(len(blocks), work, n_threads)
    sums += changes.sum(axis=0)  # NOTE: in block order, whatever the number of threads


def _add_moves(
    points: Points,
    sums: np.ndarray,
    rows: np.ndarray,
    old: np.ndarray,
    new: np.ndarray,
    n_threads: int | None = None,
) -> None:
    """Move the rows ``rows`` from the clusters of codes ``old`` to ``new`` in
    ``sums`` (k, n_features + 1).

    For each chunk of :data:`CHUNK_ROWS` moved rows, a (k, chunk) matrix holds +1 for the new
    cluster and -1 for the old one; its product with the rows ``x - shift`` is the change of
    every cluster's sum, its row sums the change of the counts. The chunks depend on the moved
    rows only (not on the number of threads) and their changes are added in chunk order.
    """
    k = len(sums)
    clusters = cluster_codes(k)[:, None]  # the code of each cluster
    chunks = [slice(a, a + CHUNK_ROWS) for a in range(0, rows.size, CHUNK_ROWS)]
    changes = np.empty((len(chunks), *sums.shape))

    def work(chunk_indices: range) -> None:
        for c in chunk_indices:
            part = chunks[c]
            # +1 into the new cluster, -1 out of the old one (NOTE: subtracted as int8, then
            # converted once: measured 10 µs instead of 17 µs for 2213 rows)
            into = np.equal(new[part], clusters).view(np.int8)
            moves = np.subtract(into, np.equal(old[part], clusters).view(np.int8))
            moves = moves.astype(np.float64)
            moved_rows = _centre(points, np.take(points.X, rows[part], axis=0))
            np.matmul(moves, moved_rows, out=changes[c, :, :-1])  # the sums' changes
            changes[c, :, -1] = moves.sum(axis=1)  # the counts' changes

    if len(chunks) == 1:  # the usual case after the first passes: no thread, no second sum
        work(range(1))
        sums += changes[0]
    elif chunks:
        _run_blocks(len(chunks), work, n_threads)
        sums += changes.sum(axis=0)


def assign(
    points: Points, centers: np.ndarray, n_threads: int | None = None
) -> tuple[np.ndarray, float]:
    """Every row to its nearest centre: the labels (n_samples,) and the inertia.

    ``points`` and ``centers`` as for :func:`assign_and_sum`. The inertia
    ``Σᵢ |xᵢ - c_{labelᵢ}|²`` is computed from direct differences (as the textbook does: no
    cancellation), block by block.
    """
    centres = _Centres(centers, points)
    codes = _screen(points, centres, n_threads)
    _settle(points, codes, None, centres)
    labels = labels_of(codes, centres.k)
    blocks = _float64_blocks(len(labels), max(centers.shape))
    inertias = np.zeros(len(blocks))

    def work(block_indices: range) -> None:
        for i in block_indices:
            diff = _differences(points, blocks[i], centers, labels[blocks[i]])
            inertias[i] = np.vdot(diff, diff)

    _run_blocks(len(blocks), work, n_threads)
    return labels, float(inertias.sum())


def _differences(
    points: Points, rows: slice, centers: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """``xᵢ - shift - c_{labelᵢ}`` for the rows ``rows``, shape (b, n_features)."""
    diff = _centre(points, points.X[rows])
    diff -= np.take(centers, labels, axis=0)  # NOTE: np.take is ~4× faster than [labels]
    return diff


def distances_to_own_centre(
    points: Points, centers: np.ndarray, labels: np.ndarray, n_threads: int | None = None
) -> np.ndarray:
    """``|xᵢ - shift - c_{labelᵢ}|²`` for every row, by direct differences, shape (n_samples,).

    Direct (not expanded) so that a point on its centre gets exactly 0, as in the textbook.
    Computed in blocks: the (n_samples, n_features) difference never exists whole.
    """
    out = np.empty(points.X.shape[0])
    blocks = _float64_blocks(points.X.shape[0], max(centers.shape))

    def work(block_indices: range) -> None:
        for i in block_indices:
            diff = _differences(points, blocks[i], centers, labels[blocks[i]])
            out[blocks[i]] = np.einsum("ij,ij->i", diff, diff)

    _run_blocks(len(blocks), work, n_threads)
    return out
