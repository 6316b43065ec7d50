"""Ridge regression in closed form: the fast solve behind :class:`Ridge`.

The textbook version is :func:`glassml.linear_model.textbook.ridge_closed_form`: centre, then
``np.linalg.solve(X_cᵀX_c + αI, X_cᵀy_c)``. :func:`ridge_solve` returns the same weights (the
tests check 1e-12) and differs in three ways: it factorises the symmetric matrix once (``eigh``)
for all targets; for wide data (``n_features > n_samples``) it solves the n × n *dual* system
instead of the d × d one; and ``α = 0``, or a system too ill-conditioned for the Gram matrix, goes
to a least-squares solve that never divides by a zero (or rounding-noise) eigenvalue.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import validate_data

from glassml._validation import check_bool, check_scalar_number
from glassml.linear_model._base import (
    LinearPredictMixin,
    check_regression_data,
    store_coef,
)
from glassml.linear_model._lstsq import _gram_solve, min_norm_solve

__all__ = ["Ridge", "ridge_solve"]


class Ridge(LinearPredictMixin, RegressorMixin, BaseEstimator):
    """Least squares with an L2 penalty, ``min ‖y - X w - b‖² + α‖w‖²``, in closed form.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength ``α >= 0`` (``0`` is ordinary least squares, exact even on
        rank-deficient ``X``). The intercept is never penalised.
    fit_intercept : bool, default=True
        Fit ``b`` (by centring ``X`` and ``y``); if False, ``b = 0``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        ``w`` (one row per target when ``y`` has 2 or more columns; 1-D for a ``y`` of shape
        (n_samples, 1), as scikit-learn's ``Ridge``). float32 for float32 ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
        ``b`` (``0.0`` when ``fit_intercept=False``).
    n_features_in_ : int
        Number of features seen during ``fit``.

    Notes
    -----
    The objective is scikit-learn's ``Ridge`` (the squared error is *summed*, not averaged, so
    ``α`` means the same here and there; ``Lasso``'s ``α`` multiplies a *mean*). Centring
    removes the intercept and leaves ``(X_cᵀX_c + αI) w = X_cᵀy_c``; ``X_cᵀX_c`` has
    eigenvalues ``>= 0`` so every eigenvalue of the system is ``>= α``: for ``α > 0`` the
    solution is unique and the system better conditioned than least squares -- the penalty
    shrinks most the directions the data determines least.

    The textbook version is :func:`glassml.linear_model.textbook.ridge_closed_form`; what the
    estimator runs is :func:`glassml.linear_model._ridge.ridge_solve` (an ``eigh`` of the
    Gram matrix, the dual system for wide data, an SVD when ill-conditioned; see there).

    Examples
    --------
    >>> from glassml.linear_model import Ridge
    >>> reg = Ridge(alpha=1.0).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
    >>> round(float(reg.coef_[0]), 4)  # Σx_c y_c / (Σx_c² + α) = 2 / 3
    0.6667
    """

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> Ridge:
        """Fit the weights to ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; finite numbers.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets; finite numbers.

        Returns
        -------
        self : Ridge
            The fitted estimator.
        """
        alpha = check_scalar_number(self.alpha, "alpha", low=0)
        check_bool(self.fit_intercept, "fit_intercept")
        X_in = X
        X, Y, dtype, one_target = check_regression_data(self, X, y)
        W, b = ridge_solve(X, Y, alpha, self.fit_intercept)
        validate_data(self, X_in, skip_check_array=True)  # records n_features_in_
        store_coef(
            self, W, b, dtype, one_target, ravel_one_column=True, fit_intercept=self.fit_intercept
        )
        return self


def ridge_solve(
    X: np.ndarray, Y: np.ndarray, alpha: float, fit_intercept: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and intercepts minimising ``‖Y - X W - b‖² + α‖W‖²``, column by column.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Float64 inputs.
    Y : ndarray of shape (n_samples, n_targets)
        Float64 targets.
    alpha : float
        Penalty ``α >= 0``.
    fit_intercept : bool, default=True
        If False, ``b = 0`` and nothing is centred.

    Returns
    -------
    W : ndarray of shape (n_features, n_targets)
    b : ndarray of shape (n_targets,)

    Notes
    -----
    * **Tall** (``n_samples >= n_features``): ``(X_cᵀX_c + αI) W = X_cᵀY_c`` through the
      eigendecomposition ``X_cᵀX_c = V diag(λ) Vᵀ``: ``W = V diag(1/(λ + α)) Vᵀ X_cᵀY_c``.
    * **Wide**: ``W = X_cᵀ (X_c X_cᵀ + αI)⁻¹ Y_c``, the same weights (push-through identity
      ``(AᵀA + αI)⁻¹Aᵀ = Aᵀ(AAᵀ + αI)⁻¹``) from an n × n system instead of a d × d one.
    * Either is used only while ``(λ_max + α) / (λ_min + α) <= 1e6``, where it keeps ~1e-10
      relative accuracy. Otherwise -- and for **α = 0** (least squares) -- the stacked problem
      ``min ‖[X_c; √α I] W - [Y_c; 0]‖`` (the same minimiser) goes to ``np.linalg.lstsq``, an
      SVD that never forms ``X_cᵀX_c``: exact on rank-deficient ``X``, where ``α = 0`` gives the
      minimum-norm solution, as ``LinearRegression``.
    """
    n_samples, n_features = X.shape
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(n_features)
    y_mean = Y.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
    X_c, Y_c = X - x_mean, Y - y_mean
    W = None
    if alpha == 0:
        W = min_norm_solve(X_c, Y_c)
    elif n_samples >= n_features:
        W = _gram_solve(X_c, Y_c, alpha)
    else:
        A = _gram_solve(X_c.T, Y_c, alpha, dual=True)  # (n_samples, n_targets)
        W = None if A is None else X_c.T @ A
    if W is None:
        stacked = np.vstack([X_c, np.sqrt(alpha) * np.eye(n_features)])
        targets = np.vstack([Y_c, np.zeros((n_features, Y.shape[1]))])
        W = np.linalg.lstsq(stacked, targets, rcond=None)[0]
    return W, y_mean - x_mean @ W
