"""LinearRegression (normal equation) fit against scikit-learn's LinearRegression (lstsq).

Well-conditioned tall data takes the Gram + eigh path (glassml.linear_model._lstsq); the
target is to stay at or below scikit-learn's time.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn.linear_model import LinearRegression as SKLinearRegression

from glassml.linear_model import LinearRegression
from harness import Row, compare


def cases(quick: bool) -> Iterator[Row]:
    n_samples, n_features = (2000, 10) if quick else (100_000, 50)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, n_features))
    y = X @ rng.normal(size=n_features) + rng.normal(size=n_samples)
    ours, ref = LinearRegression(), SKLinearRegression()
    gap = np.abs(ours.fit(X, y).coef_ - ref.fit(X, y).coef_).max()
    yield compare(
        f"LinearRegression normal eq. {n_samples}x{n_features}",
        lambda: ours.fit(X, y),
        lambda: ref.fit(X, y),
        target=1.0,
        repeats=3 if quick else 9,
        note=f"max |coef - sklearn| = {gap:.1e}",
    )
