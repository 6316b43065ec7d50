"""KMeans Lloyd iterations against scikit-learn's KMeans(algorithm="lloyd", n_init=1).

Both start from the same init array with ``tol=0`` and a fixed ``max_iter``, so they run the
same iterations; each row reports time per iteration (fit time / ``n_iter_``). Three sizes,
10 features, k=8: the cost per point must stay flat as n grows, as scikit-learn's does
(``glassml/cluster/_lloyd.py`` works in cache-sized blocks for that).
"""

from __future__ import annotations

from collections.abc import Iterator

from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs

from glassml.cluster import KMeans
from harness import Row, compare


def _case(n_samples: int, max_iter: int, repeats: int) -> Row:
    # Heavily overlapping blobs: Lloyd needs more than max_iter iterations, so both stop at
    # max_iter and the fixed cost of fit (validation, centring, final assignment) is shared
    # by the same number of iterations on both sides.
    X, _ = make_blobs(n_samples, 10, centers=8, cluster_std=10.0, random_state=0)
    init = X[:8].copy()
    ours = KMeans(8, init=init, max_iter=max_iter, tol=0)
    ref = SKKMeans(8, init=init, n_init=1, algorithm="lloyd", max_iter=max_iter, tol=0)
    n_ours = ours.fit(X).n_iter_
    n_ref = ref.fit(X).n_iter_
    row = compare(
        f"KMeans {n_samples}x10 k=8 same init, per iteration",
        lambda: ours.fit(X),
        lambda: ref.fit(X),
        repeats=repeats,
        warmup=0,  # the fits above were the warm-up
        # scikit-learn's Lloyd runs on OpenMP threads, which spin on after each fit: a 10 ms
        # rest before each timed fit keeps them off the next one (harness.compare)
        rest=0.01,
    )
    return Row(
        row.case,
        (row.glassml_s or 0.0) / n_ours,
        (row.reference_s or 0.0) / n_ref,
        target=1.0,
        note=f"n_iter {n_ours} vs {n_ref}",
    )


def cases(quick: bool) -> Iterator[Row]:
    if quick:
        yield _case(2000, 5, repeats=3)
        return
    yield _case(20_000, 30, repeats=41)  # 20 ms a fit: many repeats, a steadier median
    yield _case(200_000, 20, repeats=3)
    yield _case(1_000_000, 20, repeats=2)  # about 1 s a fit on each side
