"""Linear and logistic regression exactly as the seed writes them (seed file 05). Read this first.

* ``normal_equation``: append a column of ones to ``X`` (its weight is the bias ``b``) and
  solve ``θ = (X_bᵀ X_b)⁻¹ X_bᵀ y`` with ``np.linalg.pinv``.
* ``gradient_descent_linear``: ``w -= lr · (2/n) · Xᵀ(pred - y)``, the derivative of the MSE.
* ``gradient_descent_logistic``: ``p = σ(X w + b)``, ``w -= lr · Xᵀ(p - y) / n``.

The estimators :class:`~glassml.linear_model.LinearRegression` and
:class:`~glassml.linear_model.LogisticRegression` compute the same numbers (the tests check
1e-12); their docstrings say what they do differently and why.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_positive
from glassml.nn.activations import sigmoid

__all__ = ["gradient_descent_linear", "gradient_descent_logistic", "normal_equation"]


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
