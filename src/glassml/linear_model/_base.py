"""What every least-squares-family regressor shares: checking ``(X, y)``, storing the fitted
``coef_`` / ``intercept_`` in scikit-learn's shapes, and ``predict``.

Used by :class:`~glassml.linear_model.LinearRegression`, :class:`~glassml.linear_model.Ridge`,
:class:`~glassml.linear_model.Lasso` and :class:`~glassml.linear_model.ElasticNet`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

__all__ = ["LinearPredictMixin", "check_regression_data", "store_coef"]


def check_regression_data(
    estimator: Any, X: Any, y: Any
) -> tuple[np.ndarray, np.ndarray, np.dtype, bool]:
    """Validate a regressor's training data without touching the estimator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        float64 (converted from float32 if needed).
    Y : ndarray of shape (n_samples, n_targets)
        float64 targets, 2-D.
    dtype : numpy dtype
        The dtype the fitted weights take: float32 for float32 ``X`` (as scikit-learn).
    one_target : bool
        True when ``y`` was 1-D (then ``coef_`` is 1-D and ``intercept_`` a scalar).
    """
    X, y = check_X_y(
        X, y, dtype=[np.float64, np.float32], multi_output=True, y_numeric=True, estimator=estimator
    )
    try:
        y = y.astype(np.float64)
    except ValueError as exc:  # e.g. strings: a regressor needs numeric targets
        raise ValueError(f"y must be numeric for a regressor, got dtype {y.dtype}: {exc}") from exc
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity; every target must be finite.")
    Y = y.reshape(-1, 1) if y.ndim == 1 else y  # (n_samples, n_targets)
    return X.astype(np.float64, copy=False), Y, X.dtype, y.ndim == 1


def store_coef(
    estimator: Any,
    W: np.ndarray,
    b: np.ndarray,
    dtype: np.dtype,
    one_target: bool,
    ravel_one_column: bool = False,
    fit_intercept: bool = True,
) -> None:
    """Set ``coef_`` (n_features,) or (n_targets, n_features) and ``intercept_`` from ``W``, ``b``.

    ``W`` has shape (n_features, n_targets) and ``b`` shape (n_targets,); both are rounded to
    ``dtype``. ``ravel_one_column``: a ``y`` of shape (n_samples, 1) still gives a 1-D
    ``coef_`` (with ``intercept_`` of shape (1,)), as scikit-learn's ``Ridge`` and ``Lasso``
    do (its ``LinearRegression`` does not). ``fit_intercept=False`` sets ``intercept_ = 0.0``,
    a float whatever the number of targets (scikit-learn's convention).
    """
    if one_target:
        estimator.coef_ = W[:, 0].astype(dtype)
        estimator.intercept_ = dtype.type(b[0])
    elif ravel_one_column and W.shape[1] == 1:
        estimator.coef_, estimator.intercept_ = W[:, 0].astype(dtype), b.astype(dtype)
    else:
        estimator.coef_, estimator.intercept_ = W.T.astype(dtype), b.astype(dtype)
    if not fit_intercept:
        estimator.intercept_ = 0.0


class LinearPredictMixin:
    """``predict(X) = X coef_ᵀ + intercept_`` for a fitted linear regressor."""

    def predict(self, X: Any) -> np.ndarray:
        """Predict ``X w + b``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            float32 when both ``X`` and the fitted ``coef_`` are float32.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        coef = np.asarray(self.coef_)  # type: ignore[attr-defined]
        return X @ coef.T + self.intercept_  # type: ignore[attr-defined]
