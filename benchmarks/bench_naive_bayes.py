"""GaussianNB fit + predict_proba against scikit-learn's GaussianNB (issue 15: ratio <= 2)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.naive_bayes import GaussianNB as SKGaussianNB

from glassml.naive_bayes import GaussianNB
from harness import Row, compare


def cases(quick: bool) -> Iterator[Row]:
    n_samples, n_features, n_classes = (2000, 10, 3) if quick else (100_000, 50, 10)
    rng = np.random.default_rng(0)
    y = rng.integers(0, n_classes, size=n_samples)
    X = rng.normal(size=(n_samples, n_features)) + y[:, None] * 0.1
    ours, ref = GaussianNB(), SKGaussianNB()
    gap = np.abs(ours.fit(X, y).predict_proba(X) - ref.fit(X, y).predict_proba(X)).max()
    yield compare(
        f"GaussianNB fit+predict_proba {n_samples}x{n_features}, {n_classes} classes",
        lambda: ours.fit(X, y).predict_proba(X),
        lambda: ref.fit(X, y).predict_proba(X),
        target=2.0,
        repeats=3 if quick else 7,
        note=f"max |proba - sklearn| = {gap:.1e}",
    )
