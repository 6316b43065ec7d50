"""Linear models against scikit-learn, same data, same process.

* LinearRegression (normal equation): well-conditioned tall data takes the Gram + eigh path
  (glassml.linear_model._lstsq); target: at or below scikit-learn's time.
* Ridge: closed form (eigh of the Gram matrix) against scikit-learn's Cholesky.
* Lasso / ElasticNet 2000 x 300: coordinate descent (glassml.linear_model._coordinate_descent,
  Python loop over coordinates on the Gram matrix) against scikit-learn's Cython loop, same
  alpha / tol / max_iter. alpha = 1 keeps the 30 informative features of 300 (a realistic
  sparse solution); target <= 2.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn import linear_model as sk
from sklearn.datasets import make_regression

from glassml.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from harness import Row, compare


def _gap(ours: object, ref: object, X: np.ndarray, y: np.ndarray) -> str:
    """The largest coefficient difference after one fit of each, for the note."""
    gap = np.abs(ours.fit(X, y).coef_ - ref.fit(X, y).coef_).max()  # type: ignore[attr-defined]
    return f"max |coef - sklearn| = {gap:.1e}"


def cases(quick: bool) -> Iterator[Row]:
    n_samples, n_features = (2000, 10) if quick else (100_000, 50)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, n_features))
    y = X @ rng.normal(size=n_features) + rng.normal(size=n_samples)
    for name, ours, ref, target in [
        ("LinearRegression normal eq.", LinearRegression(), sk.LinearRegression(), 1.0),
        ("Ridge alpha=1", Ridge(alpha=1.0), sk.Ridge(alpha=1.0), 1.0),
    ]:
        note = _gap(ours, ref, X, y)
        yield compare(
            f"{name} {n_samples}x{n_features}",
            lambda ours=ours: ours.fit(X, y),
            lambda ref=ref: ref.fit(X, y),
            target=target,
            repeats=3 if quick else 9,
            note=note,
        )
    n_samples, n_features = (200, 30) if quick else (2000, 300)
    X, y = make_regression(
        n_samples, n_features, n_informative=n_features // 10, noise=10.0, random_state=0
    )
    for name, ours, ref in [
        ("Lasso alpha=1", Lasso(alpha=1.0), sk.Lasso(alpha=1.0)),
        ("ElasticNet alpha=1 l1_ratio=0.5", ElasticNet(alpha=1.0), sk.ElasticNet(alpha=1.0)),
    ]:
        note = _gap(ours, ref, X, y)
        nonzero = np.count_nonzero(ours.coef_)  # type: ignore[attr-defined]
        yield compare(
            f"{name} {n_samples}x{n_features}",
            lambda ours=ours: ours.fit(X, y),
            lambda ref=ref: ref.fit(X, y),
            target=2.0,
            repeats=3 if quick else 9,
            note=f"{note}, {nonzero} non-zero, {ours.n_iter_} sweeps",  # type: ignore[attr-defined]
        )
