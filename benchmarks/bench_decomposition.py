"""PCA fit against scikit-learn's PCA (issue 15: 20000 x 100, ratio <= 1.5).

Both take the covariance route on this tall data (scikit-learn's ``svd_solver="auto"`` picks
``"covariance_eigh"``; glassml centres first, one extra pass over X).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.decomposition import PCA as SKPCA

from glassml.decomposition import PCA
from harness import Row, compare


def cases(quick: bool) -> Iterator[Row]:
    n_samples, n_features = (2000, 20) if quick else (20_000, 100)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, n_features)) @ rng.normal(size=(n_features, n_features))
    ours, ref = PCA(n_components=10), SKPCA(n_components=10)
    gap = np.abs(ours.fit(X).components_ - ref.fit(X).components_).max()
    yield compare(
        f"PCA fit {n_samples}x{n_features}, 10 components",
        lambda: ours.fit(X),
        lambda: ref.fit(X),
        target=1.5,
        repeats=3 if quick else 15,
        note=f"max |components - sklearn| = {gap:.1e}",
    )
