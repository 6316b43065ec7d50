"""Activation functions and their derivatives (seed file 01).

An activation is the nonlinearity applied after a unit's linear step ``z = w·x + b``. Without
one, a stack of layers collapses into a single linear map. Each function here takes the
pre-activation ``z`` (any shape) and keeps its floating dtype, so float32 stays float32.

Every function is numerically stable: sigmoid never evaluates ``exp`` of a large positive
number and softmax is shifted by its row maximum, so inputs of ±1000 give exact 0/1 limits and
no floating-point warnings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "linear",
    "linear_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_derivative",
]

#: The activation names accepted by :class:`~glassml.nn.Neuron`, :class:`~glassml.nn.DenseLayer`
#: and :class:`~glassml.nn.NeuralNetwork`.
ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "tanh", "softmax", "linear")


def _as_float(z: Any) -> np.ndarray:
    """``z`` as an array, keeping a floating dtype (float32 stays float32), else float64."""
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return z


def sigmoid(z: Any) -> np.ndarray:
    """Logistic sigmoid, computed without overflow.

    Parameters
    ----------
    z : array-like of any shape
        Pre-activations.

    Returns
    -------
    ndarray of the same shape as ``z``
        Values in [0, 1].

    Notes
    -----
    ``σ(z) = 1 / (1 + e^(-z))``. With ``e = exp(-|z|) ∈ (0, 1]`` this is ``1 / (1 + e)`` for
    ``z ≥ 0`` and ``e / (1 + e)`` for ``z < 0``; ``exp`` never sees a positive argument.
    """
    z = _as_float(z)
    # NOTE: exp(-1000) underflows to exactly 0, the correctly rounded result; the underflow
    # flag is silenced so that callers running under np.errstate(all="raise") are not stopped.
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_derivative(z: Any) -> np.ndarray:
    """Derivative of :func:`sigmoid` with respect to ``z``.

    Notes
    -----
    ``σ'(z) = σ(z) · (1 - σ(z))``; at most 0.25 (at ``z = 0``), which is why deep sigmoid stacks
    suffer vanishing gradients.
    """
    s = sigmoid(z)
    with np.errstate(under="ignore"):
        return s * (1.0 - s)


def relu(z: Any) -> np.ndarray:
    """Rectified linear unit ``max(0, z)``, element-wise."""
    z = _as_float(z)
    return np.maximum(z, 0.0)


def relu_derivative(z: Any) -> np.ndarray:
    """Derivative of :func:`relu`: 1 where ``z > 0`` and 0 elsewhere.

    Notes
    -----
    The derivative at exactly ``z = 0`` is taken as 0, the same convention as PyTorch.
    """
    z = _as_float(z)
    return (z > 0).astype(z.dtype)


def tanh(z: Any) -> np.ndarray:
    """Hyperbolic tangent, values in (-1, 1) and zero-centred."""
    return np.tanh(_as_float(z))


def tanh_derivative(z: Any) -> np.ndarray:
    """Derivative of :func:`tanh`: ``1 - tanh²(z)``."""
    t = np.tanh(_as_float(z))
    return 1.0 - t * t


def linear(z: Any) -> np.ndarray:
    """The identity activation (used for regression outputs)."""
    return _as_float(z).copy()


def linear_derivative(z: Any) -> np.ndarray:
    """Derivative of :func:`linear`: ones of the same shape."""
    return np.ones_like(_as_float(z))


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``: a probability distribution over the logits.

    Parameters
    ----------
    z : array-like of shape (..., n_classes)
        Logits (one row per sample for a 2-D input).
    axis : int, default=-1
        The axis that sums to 1.

    Returns
    -------
    ndarray of the same shape as ``z``
        Non-negative values summing to 1 along ``axis``.

    Notes
    -----
    ``softmax(z)_i = e^(z_i) / Σ_j e^(z_j)``. Because ``softmax(z) = softmax(z - c)`` for any
    constant ``c``, the row maximum is subtracted first: every exponent is ≤ 0, so nothing
    overflows and the largest term is exactly 1, so the denominator is never 0.
    """
    z = _as_float(z)
    with np.errstate(under="ignore"):  # far-below-max logits underflow to 0: correct, silent
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def softmax_backward(s: Any, d_out: Any, axis: int = -1) -> np.ndarray:
    """Vector-Jacobian product of softmax: the gradient with respect to the logits.

    Parameters
    ----------
    s : array-like of shape (..., n_classes)
        The softmax output ``softmax(z)`` (not the logits).
    d_out : array-like of the same shape
        Gradient of the loss with respect to ``s``.
    axis : int, default=-1
        The softmax axis.

    Returns
    -------
    ndarray of the same shape
        ``dL/dz``.

    Notes
    -----
    The Jacobian is ``∂s_i/∂z_j = s_i (δ_ij - s_j)``, a full matrix, not a diagonal. Its product
    with ``d_out`` is ``s ⊙ (d_out - Σ_j d_out_j s_j)``, computed per row without forming the
    matrix. NOTE: keeping only the diagonal ``s (1 - s)`` is a classic bug; it is wrong whenever
    ``d_out`` is not constant along the row.
    """
    s = _as_float(s)
    d_out = np.asarray(d_out, dtype=s.dtype)
    with np.errstate(under="ignore"):
        return s * (d_out - np.sum(d_out * s, axis=axis, keepdims=True))
