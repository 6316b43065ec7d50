"""Newton's method for (L2-penalised) logistic regression: ``LogisticRegression(solver="newton")``.

There is no separate textbook function: the method is the textbook one (Newton step from the
exact Hessian, halved until the loss decreases enough), written once, here. The gradient and the
loss are those of :func:`glassml.linear_model._logistic._cross_entropy`, shared with gradient
descent; only the Hessian is new. Gradient descent needs thousands of steps to bring the
gradient to 1e-10 (its rate depends on the condition number); Newton needs about ten (quadratic
convergence near the optimum), each one ``O(n (K d)²)`` to form the Hessian.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from glassml.linear_model._gd import GDResult, LossAndGrad
from glassml.nn.activations import sigmoid, softmax

__all__ = ["newton"]

#: Armijo constant: accept a step once the loss fell by at least this share of the decrease the
#: gradient predicts.
_ARMIJO = 1e-4
#: The step is halved at most this many times (2⁻⁴⁰ ≈ 1e-12) before Newton gives up.
_MAX_HALVINGS = 40


def newton(
    X: np.ndarray,
    n_outputs: int,
    loss_and_grad: LossAndGrad,
    *,
    l2: float,
    max_iter: int,
    tol: float,
) -> GDResult:
    """Minimise ``mean loss(X_c W + b) + ½ l2 ‖W‖²`` by damped Newton steps from 0.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Float64 inputs (centred here, as in gradient descent; undone for ``b`` at the end).
    n_outputs : int
        1 (sigmoid) or the number of classes (softmax).
    loss_and_grad : callable
        ``Z -> (mean cross-entropy, ∂/∂Z)``, from ``_cross_entropy``.
    l2 : float
        ``1 / (C n)``: the weights' penalty (0 for ``C = inf``).
    max_iter, tol
        At most ``max_iter`` Newton steps; stop once ``max |gradient| <= tol``.

    Returns
    -------
    GDResult
        As gradient descent's, with ``learning_rate`` set to ``nan`` (Newton has no step size).

    Notes
    -----
    With ``θ = [W; b]`` of shape (d + 1, K) and ``A = [X_c, 1]``, the gradient is
    ``Aᵀ G + l2 [W; 0]`` and the Hessian has the (k, l) block
    ``Aᵀ diag(P_k (δ_kl - P_l) / n) A + δ_kl l2 diag(1, ..., 1, 0)`` (K = 1:
    ``Aᵀ diag(p(1 - p) / n) A``). It is singular along directions the loss ignores -- adding one
    vector to every class's weights (softmax is shift-invariant) when ``l2 = 0``, one number to
    every intercept always -- so the step is ``-H⁺ g`` (``lstsq``, minimum norm): from ``θ = 0``
    the iterates keep ``Σ_k W_k = 0`` and ``Σ_k b_k = 0``, scikit-learn's symmetric convention.
    """
    x_mean = X.mean(axis=0)
    A = np.column_stack([X - x_mean, np.ones(len(X))])  # (n_samples, n_features + 1)
    theta = np.zeros((A.shape[1], n_outputs))
    penalised = np.r_[np.ones(X.shape[1]), 0.0][:, None]  # 1 for W's rows, 0 for b's
    loss, grad = _loss_grad(A, theta, loss_and_grad, l2, penalised)
    history = [loss]
    n_iter = 0
    while np.abs(grad).max() > tol and n_iter < max_iter:
        H = _hessian(A, theta, n_outputs, l2, penalised)
        step = -np.linalg.lstsq(H, grad.ravel(order="F"), rcond=None)[0].reshape(
            theta.shape, order="F"
        )
        slope = float(np.sum(grad * step))
        t = 1.0
        for _ in range(_MAX_HALVINGS):
            new_loss, new_grad = _loss_grad(A, theta + t * step, loss_and_grad, l2, penalised)
            if new_loss <= loss + _ARMIJO * t * slope:
                break
            t /= 2
        else:
            break  # no decrease even for a tiny step: rounding level, nothing left to gain
        theta, loss, grad = theta + t * step, new_loss, new_grad
        history.append(loss)
        n_iter += 1
    if not np.isfinite(theta).all():
        raise RuntimeError("Newton's method produced non-finite weights; standardise the features.")
    if np.abs(grad).max() > tol:
        warnings.warn(
            f"Newton's method did not reach tol={tol} in max_iter={max_iter} steps (largest "
            f"gradient entry {np.abs(grad).max():.3g}); raise max_iter or C's penalty (lower C), "
            "or the data is separable.",
            ConvergenceWarning,
            stacklevel=3,
        )
    W, b_c = theta[:-1], theta[-1]
    return GDResult(W, b_c - x_mean @ W, n_iter, history, float("nan"))


def _loss_grad(
    A: np.ndarray, theta: np.ndarray, loss_and_grad: LossAndGrad, l2: float, penalised: np.ndarray
) -> tuple[float, np.ndarray]:
    """The penalised loss and its gradient with respect to ``θ`` (same shape as ``θ``)."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss, G = loss_and_grad(A @ theta)  # G: (n_samples, n_outputs)
        loss += 0.5 * l2 * float(np.sum(penalised * theta**2))
        return loss, A.T @ G + l2 * penalised * theta


def _hessian(
    A: np.ndarray, theta: np.ndarray, n_outputs: int, l2: float, penalised: np.ndarray
) -> np.ndarray:
    """The Hessian, ``(K (d + 1)) × (K (d + 1))``, ordered like ``θ.ravel(order="F")``."""
    n_samples, m = A.shape
    Z = A @ theta  # (n_samples, n_outputs)
    if n_outputs == 1:
        p = sigmoid(Z[:, 0])
        S = (p * (1.0 - p))[:, None, None] / n_samples  # (n_samples, 1, 1)
    else:
        P = softmax(Z, axis=1)  # (n_samples, K)
        S = (
            np.einsum("ik,kl->ikl", P, np.eye(n_outputs)) - P[:, :, None] * P[:, None, :]
        ) / n_samples
    H = np.empty((n_outputs, m, n_outputs, m))
    for k in range(n_outputs):
        for l in range(k, n_outputs):
            H[k, :, l, :] = A.T @ (S[:, k, l][:, None] * A)  # (m, m) block
            H[l, :, k, :] = H[k, :, l, :].T
    H_flat = H.reshape(n_outputs * m, n_outputs * m)
    H_flat[np.diag_indices_from(H_flat)] += l2 * np.tile(penalised[:, 0], n_outputs)
    return H_flat
