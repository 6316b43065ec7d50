"""Lasso and elastic net by cyclic coordinate descent: the fast path behind :class:`ElasticNet`
and :class:`Lasso`.

The textbook version is :func:`glassml.linear_model.textbook.lasso_coordinate_descent`: one
sweep over the coordinates, ``w_j = S(ρ_j, λ₁) / (‖X_j‖² + λ₂)``, the residual ``r`` updated
after each, stopped by scikit-learn's duality-gap rule. :func:`coordinate_descent` makes the same
updates in the same order (the tests check 1e-12 and the same number of sweeps); what it changes
is how ``ρ_j = X_jᵀr + w_j‖X_j‖²`` is obtained:

* **Tall data** (``n_samples > n_features``, scikit-learn's ``precompute``): through the Gram
  matrix ``Q = X_cᵀX_c`` and ``q = X_cᵀy_c``, since ``X_jᵀr = q_j - (Q w)_j``. It keeps ``Qw``
  up to date (``Qw += Δw_j · Q_j`` when ``w_j`` moves), so a weight that stays at 0 costs a
  few scalar operations instead of a 2n-flop dot product, and one that moves costs d flops
  instead of 2n. On 2000 × 300 a sweep drops from ~1.2 ms to ~0.2 ms; forming ``Q`` (one BLAS
  product) costs about as much as ten sweeps.
* **Wide data**: the residual itself, on a Fortran-ordered copy of ``X_c`` (contiguous columns).

Only the inner loop is Python (one pass over d coordinates per sweep); the duality gap, checked
when a sweep moved little, is vectorised.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import NamedTuple, cast

import numpy as np
from scipy.linalg.blas import daxpy
from sklearn.exceptions import ConvergenceWarning

from glassml.linear_model.textbook import duality_gap

__all__ = ["CDResult", "coordinate_descent"]


class CDResult(NamedTuple):
    """What :func:`coordinate_descent` returns."""

    w: np.ndarray  # (n_features,)
    gap: float  # duality gap of the n-scaled objective
    gap_tol: float  # tol · ‖y_c‖²
    n_iter: int  # sweeps done
    converged: bool


class _GramResidual:
    """``c = Xᵀr`` kept as ``q - Q w`` (tall data): the residual ``r`` is never formed."""

    def __init__(self, X_c: np.ndarray, y_c: np.ndarray, w: np.ndarray) -> None:
        self.Q = X_c.T @ X_c  # (n_features, n_features)
        self.q = X_c.T @ y_c  # (n_features,)
        self.y_norm2 = float(y_c @ y_c)
        self.c = np.ascontiguousarray(self.q - self.Q @ w)  # (n_features,): Xᵀr, kept up to date
        self.col_norm2 = np.diag(self.Q).tolist()
        self.correlation = self.c.item  # j -> X_jᵀ r, a Python float (cheaper than c[j])

    def move(self, j: int, delta: float) -> None:
        # Xᵀr loses Δw_j · XᵀX_j (Q is symmetric: row j = column j). NOTE: BLAS axpy updates c
        # in place, ~1 µs; `c -= delta * Q[j]` allocates a temporary and takes ~6 µs.
        daxpy(self.Q[j], self.c, a=-delta)

    def gap_terms(self, w: np.ndarray) -> tuple[np.ndarray, float, float]:
        q_w = self.q @ w
        Qw = self.q - self.c
        R_norm2 = self.y_norm2 + w @ Qw - 2.0 * q_w  # ‖y - Xw‖² expanded
        return self.c.copy(), R_norm2, self.y_norm2 - q_w


class _ExplicitResidual:
    """``Xᵀr`` from the residual ``r = y_c - X_c w`` itself (wide data)."""

    def __init__(self, X_c: np.ndarray, y_c: np.ndarray, w: np.ndarray) -> None:
        self.X = np.asfortranarray(X_c)  # contiguous columns for the dot products
        self.y = y_c
        self.R = np.ascontiguousarray(y_c - X_c @ w)  # (n_samples,)
        self.col_norm2 = np.einsum("ij,ij->j", X_c, X_c).tolist()

    def correlation(self, j: int) -> float:
        return float(self.X[:, j] @ self.R)

    def move(self, j: int, delta: float) -> None:
        daxpy(self.X[:, j], self.R, a=-delta)  # r -= Δw_j X_j, in place (see _GramResidual)

    def gap_terms(self, w: np.ndarray) -> tuple[np.ndarray, float, float]:
        return self.X.T @ self.R, float(self.R @ self.R), float(self.R @ self.y)


def _sweep(
    residual: _GramResidual | _ExplicitResidual,
    w: list[float],
    order: Iterable[int],
    l1_reg: float,
    l2_reg: float,
) -> tuple[float, float]:
    """One pass of coordinate updates over ``order``, in place; returns ``max |w|, max |Δw|``."""
    col_norm2, correlation, move = residual.col_norm2, residual.correlation, residual.move
    w_max = dw_max = 0.0
    for j in order:
        norm2 = col_norm2[j]
        if norm2 == 0.0:
            continue  # a constant column: its weight stays where it is
        w_j = w[j]
        rho = correlation(j) + w_j * norm2  # X_jᵀ(r + w_j X_j)
        if rho > l1_reg:  # the soft threshold S(ρ, λ₁), one branch per sign
            w_new = (rho - l1_reg) / (norm2 + l2_reg)
        elif rho < -l1_reg:
            w_new = (rho + l1_reg) / (norm2 + l2_reg)
        else:
            w_new = 0.0
        if w_new != w_j:
            move(j, w_new - w_j)
            w[j] = w_new
            dw = abs(w_new - w_j)
            if dw > dw_max:
                dw_max = dw
        if w_new > w_max or -w_new > w_max:
            w_max = abs(w_new)
    return w_max, dw_max


def coordinate_descent(
    X_c: np.ndarray,
    y_c: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    *,
    w_init: np.ndarray,
    max_iter: int,
    tol: float,
    rng: np.random.Generator | None = None,
) -> CDResult:
    """Minimise ``½‖y_c - X_c w‖² + λ₁‖w‖₁ + ½λ₂‖w‖²`` by coordinate descent from ``w_init``.

    Parameters
    ----------
    X_c : ndarray of shape (n_samples, n_features)
        Centred (or raw, without intercept) float64 inputs.
    y_c : ndarray of shape (n_samples,)
        Centred float64 targets.
    l1_reg, l2_reg : float
        ``λ₁ = n α r`` and ``λ₂ = n α (1 - r)`` (the objective multiplied by ``n``).
    w_init : ndarray of shape (n_features,)
        Starting weights (zeros, or the previous fit's for ``warm_start``).
    max_iter, tol
        At most ``max_iter`` sweeps; after a sweep with ``max |Δw| <= tol · max |w|`` (or the
        last one) stop if the duality gap is ``<= tol · ‖y_c‖²``.
    rng : numpy Generator or None
        If given, each sweep visits ``n_features`` coordinates drawn with replacement
        (``selection="random"``); else ``0, 1, ..., d - 1`` (cyclic).

    Returns
    -------
    CDResult
    """
    n_samples, n_features = X_c.shape
    residual_cls = _GramResidual if n_samples > n_features else _ExplicitResidual
    residual = residual_cls(X_c, y_c, w_init)
    w = [float(v) for v in w_init]
    gap_tol = tol * float(y_c @ y_c)
    gap = duality_gap(w_init, *residual.gap_terms(w_init), l1_reg, l2_reg)
    if not np.isfinite(gap):
        raise ValueError(
            "Coordinate descent cannot start: the duality gap is not finite, so X or y holds "
            "values too large to square in float64; standardise the features."
        )
    if gap <= gap_tol:
        return CDResult(np.array(w_init, dtype=np.float64), gap, gap_tol, 0, True)
    for n_iter in range(1, max_iter + 1):
        order = (
            range(n_features)
            if rng is None
            else cast(list[int], rng.integers(n_features, size=n_features).tolist())
        )
        w_max, dw_max = _sweep(residual, w, order, l1_reg, l2_reg)
        if w_max == 0.0 or dw_max <= tol * w_max or n_iter == max_iter:
            w_arr = np.array(w)
            gap = duality_gap(w_arr, *residual.gap_terms(w_arr), l1_reg, l2_reg)
            if gap <= gap_tol:
                return CDResult(w_arr, gap, gap_tol, n_iter, True)
    return CDResult(np.array(w), gap, gap_tol, max_iter, False)


def warn_not_converged(gap: float, gap_tol: float, max_iter: int) -> None:
    """The ``ConvergenceWarning`` of a fit that used all ``max_iter`` sweeps."""
    warnings.warn(
        f"Coordinate descent did not converge in max_iter={max_iter} sweeps: duality gap "
        f"{gap:.6e} > tolerance {gap_tol:.3e}. Raise max_iter or tol, standardise the "
        "features, or raise alpha.",
        ConvergenceWarning,
        stacklevel=4,
    )
