"""The blocked, threaded Lloyd pass (``_lloyd.py``): equal to the textbook across block
boundaries, bit for bit the same for any number of threads, and no (n_samples, n_clusters)
temporaries (extra memory: the float32 copy of the centred data for the screening, and
O(n_samples) vectors; no centred float64 copy)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs

from glassml.cluster import KMeans, _lloyd, textbook

# Integer data with more clusters than distinct points warns (as scikit-learn): expected here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Number of distinct clusters:sklearn.exceptions.ConvergenceWarning"
)


def _with_threads(monkeypatch, n_threads):
    """Make every pass use ``n_threads`` worker threads, whatever the machine has."""
    monkeypatch.setattr(_lloyd, "threads_for", lambda work, min_work: n_threads)


def _fit(X, init, **params):
    return KMeans(n_clusters=len(init), init=init, **params).fit(X)


def _fitted_arrays(km):
    return km.cluster_centers_, km.labels_, km.inertia_history_, np.array([km.inertia_])


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("data", ["blobs", "ties", "empty"])
def test_textbook_equals_fast_across_blocks_and_threads(monkeypatch, data, n_threads):
    # Blocks of 64 rows (the last one shorter), so a small data set crosses many block
    # boundaries and every thread gets several blocks.
    monkeypatch.setattr(_lloyd, "BLOCK_ROWS", 64)
    _with_threads(monkeypatch, n_threads)
    rng = np.random.default_rng(7)
    if data == "blobs":
        X = make_blobs(300, 3, centers=5, cluster_std=2.5, random_state=7)[0]
        init = X[rng.choice(300, 6, replace=False)]
    elif data == "ties":  # integer grid: duplicates, points halfway between two centres
        X = rng.integers(0, 4, size=(301, 2)).astype(float)
        init = X[rng.choice(301, 5, replace=False)]
    else:  # two centres far from every point: empty clusters relocated
        X = make_blobs(250, 2, centers=3, random_state=5)[0]
        init = np.vstack([X[:2], [[1e3, 1e3], [-1e3, 1e3]]])
    fast = _fit(X, init, tol=0.0)
    centers, labels, inertia, n_iter = textbook.lloyd(X, init, tol=0.0)
    np.testing.assert_allclose(fast.cluster_centers_, centers, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.labels_, labels)
    assert fast.inertia_ == pytest.approx(inertia, rel=1e-12, abs=1e-12)
    assert fast.n_iter_ == n_iter > 1
    Q = X[::3] + 0.25
    np.testing.assert_array_equal(fast.predict(Q), textbook.assign_to_nearest(Q, centers))


def test_results_are_bitwise_equal_for_any_number_of_threads(monkeypatch):
    # 8 blocks of 2125 rows, the moved rows in chunks of 4096, empty clusters on the way.
    monkeypatch.setattr(_lloyd, "BLOCK_ROWS", 4096)
    X, _ = make_blobs(17_000, 10, centers=8, cluster_std=10.0, random_state=0)
    init = np.vstack([X[:6], np.full((2, 10), 500.0)])
    runs = []
    for n_threads in (1, 2, 4):
        _with_threads(monkeypatch, n_threads)
        km = _fit(X, init, max_iter=15, tol=0)
        runs.append((*_fitted_arrays(km), km.predict(X[:5000]), np.array([km.score(X)])))
    for other in runs[1:]:
        for a, b in zip(runs[0], other, strict=True):
            np.testing.assert_array_equal(a, b)  # bit for bit, not to a tolerance


def test_large_data_still_matches_sklearn():
    # Several blocks at the real block size, on the benchmark's kind of data.
    X, _ = make_blobs(70_000, 10, centers=8, cluster_std=10.0, random_state=1)
    assert len(_lloyd.block_ranges(len(X))) > 1
    init = X[:8].copy()
    ours = _fit(X, init, max_iter=25, tol=0)
    ref = SKKMeans(8, init=init, n_init=1, algorithm="lloyd", max_iter=25, tol=0).fit(X)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-8)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-10)


def test_no_n_by_k_temporaries():
    # Extra memory of a fit: the float32 copy of [X - mean, 1] (0.55 × X for 10 features) and
    # a few (n_samples,) vectors; an (n_samples, n_clusters) matrix would add 0.8 × X each.
    X, _ = make_blobs(100_000, 10, centers=8, cluster_std=10.0, random_state=0)
    init = X[:8].copy()
    km = _fit(X, init, max_iter=3, tol=0)  # warm up (thread pool, caches)
    tracemalloc.start()
    try:
        km.fit(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The float32 copy (0.55 × X), a few (n_samples,) vectors (the final labels, intp; the
    # codes, one byte a row) and 3 MiB for the blocks' own arrays: 1.14 × X here; measured
    # 0.89 × X (1.46 × X before the codes were bytes and the first pass summed in blocks;
    # 2.07 × X with a centred float64 copy beside the float32 one; the old full-matrix
    # version peaked at 5.3 × X). One (n_samples, n_clusters) matrix, even float32
    # (0.4 × X), would break the bound.
    bound = 0.55 * X.nbytes + 2 * 8 * len(X) + 3 * 2**20
    assert peak < bound, f"peak {peak / X.nbytes:.2f} × X.nbytes"


@pytest.mark.parametrize("n_samples", [1, 5, 32_768, 32_769, 200_001])
def test_block_ranges_cover_every_row_once_in_equal_shares(n_samples):
    blocks = _lloyd.block_ranges(n_samples)
    rows = np.concatenate([np.arange(n_samples)[b] for b in blocks])
    np.testing.assert_array_equal(rows, np.arange(n_samples))
    sizes = [b.stop - b.start for b in blocks]
    assert max(sizes) <= _lloyd.BLOCK_ROWS
    assert max(sizes) - min(sizes) <= max(sizes) // 2  # about equal (the last one shorter)
    if len(blocks) >= _lloyd.PARALLEL_MIN_BLOCKS:  # enough for threads: equal shares
        assert len(blocks) % _lloyd.MAX_THREADS == 0


def test_blocks_enough_for_threads_come_in_equal_shares(monkeypatch):
    monkeypatch.setattr(_lloyd, "BLOCK_ROWS", 1000)
    assert len(_lloyd.block_ranges(2_500)) == 3  # on one thread: no rounding
    assert len(_lloyd.block_ranges(9_001)) == 12  # 10 rounded up to 3 shares of 4


def test_wide_data_get_smaller_blocks():
    # the per-block temporaries grow with the features or clusters: the rows shrink instead
    assert max(b.stop - b.start for b in _lloyd.block_ranges(100_000, 10)) <= _lloyd.BLOCK_ROWS
    wide = _lloyd.block_ranges(100_000, 784)
    assert max(b.stop - b.start for b in wide) <= _lloyd.BLOCK_ROWS * 10 // 784
    assert len(_lloyd.block_ranges(100_000, 1000)) > len(_lloyd.block_ranges(100_000, 100))


@pytest.mark.parametrize("n_threads", [1, 2])
def test_sums_updated_by_moved_rows_equal_sums_afresh(monkeypatch, n_threads):
    # After the first passes only a few rows move: their rows are taken out of the old
    # cluster's sum and added to the new one's, in chunks of 100 moved rows here; that must
    # equal summing afresh.
    monkeypatch.setattr(_lloyd, "BLOCK_ROWS", 256)
    monkeypatch.setattr(_lloyd, "CHUNK_ROWS", 100)
    _with_threads(monkeypatch, n_threads)
    X, _ = make_blobs(3000, 4, centers=5, cluster_std=3.0, random_state=3)
    points = _lloyd.prepare(X)
    X_aug = np.hstack([X - points.shift, np.ones((len(X), 1))])
    centers = X_aug[:5, :-1].copy()
    codes = _lloyd.no_codes(len(X), len(centers))
    sums = np.zeros((5, 5))
    n_moved = []
    for _ in range(8):
        n_changed, _ = _lloyd.assign_and_sum(points, centers, codes, sums)
        n_moved.append(n_changed)
        labels = _lloyd.labels_of(codes, 5)
        np.testing.assert_array_equal(labels, textbook.assign_to_nearest(X_aug[:, :-1], centers))
        one_hot = labels == np.arange(5)[:, None]  # (k, n): the sums afresh, by hand
        np.testing.assert_allclose(sums, one_hot @ X_aug, rtol=1e-13, atol=1e-11)
        centers = sums[:, :-1] / sums[:, -1:]
    # every row moved in the first pass (summed afresh); later passes moved some, in one or
    # several chunks, but not all
    assert n_moved[0] == len(X)
    assert any(_lloyd.CHUNK_ROWS < m < len(X) for m in n_moved[1:])
    assert any(0 < m <= _lloyd.CHUNK_ROWS for m in n_moved[1:])
