"""The fast least-squares solve behind ``LinearRegression(solver="normal")``.

The textbook version is :func:`glassml.linear_model.textbook.normal_equation`:
``pinv([X, 1]ᵀ[X, 1]) [X, 1]ᵀ y``. This module returns the same minimiser, exactly wherever
``np.linalg.lstsq`` is, and chooses how by the shape and the conditioning of the data.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GRAM_MAX_CONDITION", "least_squares", "min_norm_solve"]

#: Largest ``λ_max / λ_min`` of the centred Gram matrix for which the Gram path is used. The
#: Gram solve loses about ``cond(X_cᵀX_c) · eps`` of relative accuracy, so 1e6 keeps the
#: weights within ~1e-10 (relative) of the ``lstsq`` solution; beyond it, ``lstsq`` on ``X_c``.
GRAM_MAX_CONDITION = 1e6


def least_squares(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-norm least-squares weights and intercepts of ``Y ≈ X W + b``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Float64 inputs.
    Y : ndarray of shape (n_samples, n_targets)
        Float64 targets.

    Returns
    -------
    W : ndarray of shape (n_features, n_targets)
    b : ndarray of shape (n_targets,)

    Notes
    -----
    The column means are subtracted first (``X_c = X - x̄``, ``Y_c = Y - ȳ``), so the intercept
    drops out (``b = ȳ - x̄·W``) and only ``min ‖X_c W - Y_c‖`` remains. Then:

    * **Tall and well conditioned** (``n_samples > n_features`` and
      ``λ_max / λ_min <= GRAM_MAX_CONDITION`` for the Gram matrix ``G = X_cᵀX_c``): one BLAS
      product forms ``G`` (O(n d²)), ``eigh`` factors the d × d matrix and
      ``W = V diag(1/λ) Vᵀ X_cᵀY_c``. This is the normal equation, and the reason
      ``LinearRegression`` is faster than scikit-learn's ``lstsq`` on tall data.
    * **Otherwise** (rank-deficient, badly scaled or nearly collinear columns, or
      ``n_features >= n_samples``): ``np.linalg.lstsq(X_c, Y_c)``, an SVD of ``X_c`` that
      drops singular values below ``max(n, d) · eps · s_max`` (its ``rcond``). The Gram matrix
      squares the condition number; a ``pinv`` cutoff on its eigenvalues either keeps noise
      (a 100 × 100 identity plus intercept: an eigenvalue of 2e-15 kept, weights off by 3e-3)
      or drops real columns (a column scaled by 1e-8 has eigenvalue ~1e-16 · λ_max). For wide
      data the SVD of the n × d matrix costs O(n² d), never the O(d³) of a d × d Gram matrix.
    """
    x_mean = X.mean(axis=0)  # (n_features,)
    y_mean = Y.mean(axis=0)  # (n_targets,)
    W = min_norm_solve(X - x_mean, Y - y_mean)
    return W, y_mean - x_mean @ W


def min_norm_solve(X_c: np.ndarray, Y_c: np.ndarray) -> np.ndarray:
    """The minimum-norm ``W`` of ``min ‖X_c W - Y_c‖``: Gram + ``eigh`` or ``lstsq`` (see above).

    Parameters
    ----------
    X_c : ndarray of shape (n_samples, n_features)
    Y_c : ndarray of shape (n_samples, n_targets)

    Returns
    -------
    W : ndarray of shape (n_features, n_targets)
    """
    W = _gram_solve(X_c, Y_c) if X_c.shape[0] > X_c.shape[1] else None
    if W is None:
        W = np.linalg.lstsq(X_c, Y_c, rcond=None)[0]  # (n_features, n_targets)
    return W


def _gram_solve(
    X_c: np.ndarray, Y_c: np.ndarray, alpha: float = 0.0, dual: bool = False
) -> np.ndarray | None:
    """``(X_cᵀX_c + αI)⁻¹ X_cᵀY_c`` by ``eigh``, or ``None`` if that matrix is ill-conditioned.

    ``alpha > 0`` is ridge regression (:mod:`glassml.linear_model._ridge`); ``dual=True`` solves
    ``(X_cᵀX_c + αI)⁻¹ Y_c`` instead (the caller passes the transposed data).
    """
    G = X_c.T @ X_c  # (n_features, n_features)
    lam, V = np.linalg.eigh(G)  # ascending eigenvalues
    lam = lam + alpha
    if not lam[0] * GRAM_MAX_CONDITION >= lam[-1] or lam[-1] <= 0:
        return None
    rhs = Y_c if dual else X_c.T @ Y_c
    return V @ ((V.T @ rhs) / lam[:, None])
