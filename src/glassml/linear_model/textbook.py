"""Linear models exactly as a textbook writes them (seed file 05 and beyond). Read this first.

* ``normal_equation``: append a column of ones to ``X`` (its weight is the bias ``b``) and
  solve ``θ = (X_bᵀ X_b)⁻¹ X_bᵀ y`` with ``np.linalg.pinv``.
* ``gradient_descent_linear``: ``w -= lr · (2/n) · Xᵀ(pred - y)``, the derivative of the MSE.
* ``gradient_descent_logistic``: ``p = σ(X w + b)``, ``w -= lr · Xᵀ(p - y) / n``.
* ``ridge_closed_form``: centre, then ``w = (X_cᵀX_c + αI)⁻¹ X_cᵀ y_c``.
* ``lasso_coordinate_descent``: one weight at a time, ``w_j = S(ρ_j, nαr) / (‖X_j‖² + nα(1-r))``
  with ``S`` the :func:`soft_threshold`, stopped by the :func:`duality_gap`.

The estimators :class:`~glassml.linear_model.LinearRegression`,
:class:`~glassml.linear_model.LogisticRegression`, :class:`~glassml.linear_model.Ridge`,
:class:`~glassml.linear_model.Lasso` and :class:`~glassml.linear_model.ElasticNet` compute the
same numbers (the tests check 1e-12); their docstrings say what they do differently and why.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_positive, check_scalar_number
from glassml.nn.activations import sigmoid

__all__ = [
    "duality_gap",
    "gradient_descent_linear",
    "gradient_descent_logistic",
    "lasso_coordinate_descent",
    "normal_equation",
    "ridge_closed_form",
    "soft_threshold",
]


def normal_equation(X: Any, y: Any) -> tuple[np.ndarray, float]:
    """Least squares in one step: ``θ = pinv(X_bᵀ X_b) X_bᵀ y`` with ``X_b = [X, 1]``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    w : ndarray of shape (n_features,)
    b : float
    """
    X, y = _check(X, y)
    X_b = np.column_stack([X, np.ones(len(X))])  # (n_samples, n_features + 1)
    theta = np.linalg.pinv(X_b.T @ X_b) @ X_b.T @ y  # (n_features + 1,)
    return theta[:-1], float(theta[-1])


def gradient_descent_linear(
    X: Any, y: Any, learning_rate: float = 0.01, n_iters: int = 1000
) -> tuple[np.ndarray, float]:
    """Minimise the MSE ``(1/n) Σ (X w + b - y)²`` by ``n_iters`` full-batch steps from 0.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    learning_rate : float, default=0.01
    n_iters : int, default=1000

    Returns
    -------
    w : ndarray of shape (n_features,)
        Weights after ``n_iters`` steps.
    b : float
        Bias after ``n_iters`` steps.
    """
    X, y = _check(X, y, learning_rate, n_iters)
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for _ in range(n_iters):
        pred = X @ w + b
        w -= learning_rate * (2 / n) * X.T @ (pred - y)  # ∂MSE/∂w
        b -= learning_rate * (2 / n) * np.sum(pred - y)  # ∂MSE/∂b
    return w, float(b)


def gradient_descent_logistic(
    X: Any, y: Any, learning_rate: float = 0.1, n_iters: int = 1000
) -> tuple[np.ndarray, float]:
    """Minimise the binary cross-entropy of ``p = σ(X w + b)`` by ``n_iters`` steps from 0.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Labels 0 or 1.
    learning_rate : float, default=0.1
    n_iters : int, default=1000

    Returns
    -------
    w : ndarray of shape (n_features,)
        Weights of the log-odds ``z = X w + b``.
    b : float
        Bias of the log-odds.
    """
    X, y = _check(X, y, learning_rate, n_iters)
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0  # with w = 0 too, every p starts at σ(0) = 1/2
    for _ in range(n_iters):
        p = sigmoid(X @ w + b)  # P(y = 1 | x)
        w -= learning_rate * X.T @ (p - y) / n  # σ' and the log-loss' 1/(p(1-p)) cancel
        b -= learning_rate * np.mean(p - y)
    return w, float(b)


def ridge_closed_form(X: Any, y: Any, alpha: float = 1.0) -> tuple[np.ndarray, float]:
    """Ridge regression: minimise ``‖y - X w - b‖² + α‖w‖²`` (the bias is not penalised).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    alpha : float, default=1.0
        Penalty strength ``α > 0``.

    Returns
    -------
    w : ndarray of shape (n_features,)
    b : float

    Notes
    -----
    With the column means subtracted the bias drops out (``b = ȳ - x̄·w``); setting the gradient
    of ``‖y_c - X_c w‖² + α‖w‖²`` to zero gives ``(X_cᵀX_c + αI) w = X_cᵀ y_c``, a symmetric
    positive definite system for every ``α > 0`` -- which is why ridge never needs a ``pinv``.
    """
    X, y = _check(X, y)
    check_positive(alpha, "alpha")
    x_mean, y_mean = X.mean(axis=0), y.mean()
    X_c, y_c = X - x_mean, y - y_mean
    A = X_c.T @ X_c + alpha * np.eye(X.shape[1])  # (n_features, n_features)
    w = np.linalg.solve(A, X_c.T @ y_c)
    return w, float(y_mean - x_mean @ w)


def soft_threshold(z: float, gamma: float) -> float:
    """``S(z, γ) = sign(z) · max(|z| - γ, 0)``: shrink ``z`` towards 0 by ``γ``, to exactly 0.

    The minimiser of ``½ (w - z)² + γ |w|``; this is where the lasso's exact zeros come from.
    """
    return float(np.sign(z) * max(abs(z) - gamma, 0.0))


def lasso_coordinate_descent(
    X: Any,
    y: Any,
    alpha: float = 1.0,
    l1_ratio: float = 1.0,
    max_iter: int = 1000,
    tol: float = 1e-4,
) -> tuple[np.ndarray, float, int]:
    """Lasso (``l1_ratio=1``) or elastic net by cyclic coordinate descent, as scikit-learn.

    Minimises ``(1/(2n)) ‖y - X w - b‖² + α r ‖w‖₁ + ½ α (1 - r) ‖w‖²`` with ``r = l1_ratio``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    alpha : float, default=1.0
    l1_ratio : float, default=1.0
    max_iter : int, default=1000
        Most sweeps over the coordinates.
    tol : float, default=1e-4
        After a sweep whose largest change of a weight is ``<= tol · max |w|``, stop if the
        :func:`duality_gap` is ``<= tol · ‖y_c‖²``.

    Returns
    -------
    w : ndarray of shape (n_features,)
    b : float
    n_iter : int
        Sweeps done (0 if ``w = 0`` is already optimal).

    Notes
    -----
    Centred (``X_c``, ``y_c``) and multiplied by ``n``, the objective is
    ``½‖r‖² + λ₁‖w‖₁ + ½λ₂‖w‖²`` with the residual ``r = y_c - X_c w``, ``λ₁ = nαr`` and
    ``λ₂ = nα(1 - r)``. Holding every weight but ``w_j`` fixed, it is a one-dimensional
    problem whose minimiser is ``S(ρ_j, λ₁) / (‖X_j‖² + λ₂)`` with
    ``ρ_j = X_jᵀ(r + w_j X_j)``, the correlation of column ``j`` with the residual that
    ``w_j`` should explain.
    """
    X, y = _check(X, y)
    check_positive(max_iter, "max_iter", integer=True)
    check_scalar_number(alpha, "alpha", low=0)
    check_scalar_number(l1_ratio, "l1_ratio", low=0, high=1)
    check_positive(tol, "tol")
    n, d = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    X, y = X - x_mean, y - y_mean  # centred: the bias drops out
    l1_reg, l2_reg = n * alpha * l1_ratio, n * alpha * (1.0 - l1_ratio)
    w = np.zeros(d)
    r = y.copy()  # residual y - X w
    col_norm2 = (X**2).sum(axis=0)
    gap_tol = tol * (y @ y)
    if duality_gap(w, X.T @ r, r @ r, r @ y, l1_reg, l2_reg) <= gap_tol:
        return w, float(y_mean), 0
    for n_iter in range(1, max_iter + 1):
        w_max = dw_max = 0.0
        for j in range(d):
            if col_norm2[j] == 0.0:
                continue  # a constant column: its weight stays 0
            w_old = w[j]
            rho = X[:, j] @ r + w_old * col_norm2[j]
            w[j] = soft_threshold(rho, l1_reg) / (col_norm2[j] + l2_reg)
            r -= (w[j] - w_old) * X[:, j]
            dw_max = max(dw_max, abs(w[j] - w_old))
            w_max = max(w_max, abs(w[j]))
        if w_max == 0.0 or dw_max <= tol * w_max or n_iter == max_iter:
            if duality_gap(w, X.T @ r, r @ r, r @ y, l1_reg, l2_reg) <= gap_tol:
                break
    return w, float(y_mean - x_mean @ w), n_iter


def duality_gap(
    w: np.ndarray, XtR: np.ndarray, R_norm2: float, Ry: float, l1_reg: float, l2_reg: float
) -> float:
    """Duality gap of ``P(w) = ½‖R‖² + λ₁‖w‖₁ + ½λ₂‖w‖²`` at ``w`` (scikit-learn's formulas).

    Parameters
    ----------
    w : ndarray of shape (n_features,)
        The weights.
    XtR : ndarray of shape (n_features,)
        ``Xᵀ R`` with the residual ``R = y - X w``.
    R_norm2, Ry : float
        ``Rᵀ R`` and ``Rᵀ y``.
    l1_reg, l2_reg : float
        ``λ₁`` and ``λ₂``.

    Returns
    -------
    gap : float
        ``P(w) - D(v) >= P(w) - P(w*)``, an upper bound on how far ``w`` is from optimal.

    Notes
    -----
    The dual of the lasso is ``D(v) = -½‖v‖² + yᵀv`` subject to ``‖Xᵀv‖_∞ <= λ₁``; the
    residual, scaled down until it is feasible, ``v = s R`` with
    ``s = min(1, λ₁ / ‖XᵀR - λ₂w‖_∞)``, gives ``D`` (λ₂ > 0 adds ``-½ s² λ₂‖w‖²``). With no
    ℓ1 part (``λ₁ = 0``) this dual is empty; scikit-learn then uses
    ``‖R‖² + ½λ₂‖w‖² - Rᵀy + ‖XᵀR‖² / (2λ₂)`` (ridge), or ``‖XᵀR‖²`` if ``λ₂ = 0`` too.
    """
    w_l2_norm2 = w @ w
    if l1_reg == 0:
        XtR_norm2 = XtR @ XtR
        if l2_reg == 0:
            return float(XtR_norm2)  # least squares: the gradient's size
        return float(R_norm2 + 0.5 * l2_reg * w_l2_norm2 - Ry + XtR_norm2 / (2 * l2_reg))
    dual_norm = np.abs(XtR - l2_reg * w).max()
    scale = l1_reg / dual_norm if dual_norm > l1_reg else 1.0
    primal = 0.5 * (R_norm2 + l2_reg * w_l2_norm2) + l1_reg * np.abs(w).sum()
    dual = -0.5 * scale**2 * (R_norm2 + l2_reg * w_l2_norm2) + scale * Ry
    return float(primal - dual)


def _check(
    X: Any, y: Any, learning_rate: float = 1.0, n_iters: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Validate the textbook functions' arguments (named in every message)."""
    X = check_finite_array(X, "X", ndim=2)
    y = check_finite_array(y, "y", ndim=1)
    if len(y) != len(X):
        raise ValueError(
            f"X and y must have the same number of samples, got {len(X)} and {len(y)}."
        )
    check_positive(learning_rate, "learning_rate")
    check_positive(n_iters, "n_iters", integer=True)
    return X, y
