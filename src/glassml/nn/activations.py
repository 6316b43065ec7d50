"""Activation functions and their derivatives (seed file 01).

An activation is the nonlinearity applied after a unit's linear step ``z = w·x + b``. Without
one, a stack of layers collapses into a single linear map. Each function here takes the
pre-activation ``z`` (any shape) and keeps its floating dtype, so float32 stays float32.

Every function is numerically stable: sigmoid never evaluates ``exp`` of a large positive
number and softmax is shifted by its row maximum, so inputs of ±1000 give exact 0/1 limits and
no floating-point warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from glassml._validation import check_option

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_TABLE",
    "Activation",
    "get_activation",
    "linear",
    "linear_derivative",
    "log_softmax",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_derivative",
]


def _as_float(z: Any) -> np.ndarray:
    """``z`` as an array, keeping a floating dtype (float32 stays float32), else float64."""
    z = np.asarray(z)
    if z.dtype.kind == "c":  # NOTE: a cast to float would silently drop the imaginary part
        raise TypeError(f"z must be real-valued, got complex values (dtype {z.dtype}).")
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


def log_softmax(z: Any, axis: int = -1) -> np.ndarray:
    """``log(softmax(z))`` along ``axis``, computed without taking the log of a rounded 0.

    Notes
    -----
    ``log softmax(z)_i = z_i - log Σ_j e^(z_j)`` (log-sum-exp). With ``m`` the maximum along
    ``axis``, ``log Σ_j e^(z_j) = m + log Σ_j e^(z_j - m)``: every exponent is ≤ 0 and the sum
    is at least 1, so a logit far below the others gives a large negative number, never
    ``log(0) = -inf``.
    """
    z = _as_float(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


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


# -- the one table -------------------------------------------------------------------------------
# Fast forms used by DenseLayer. ``*_inplace(Z)`` turns a fresh pre-activation array into
# ``f(Z)`` (in place where NumPy allows) and returns it; ``*_vjp(A, dA, overwrite)`` returns
# ``dZ = ∂L/∂Z`` from the cached OUTPUT ``A = f(Z)`` and ``dA = ∂L/∂A`` (``overwrite=True``
# allows ``dA`` to be reused as ``dZ``).


def _relu_inplace(Z: np.ndarray) -> np.ndarray:
    return np.maximum(Z, 0, out=Z)


def _tanh_inplace(Z: np.ndarray) -> np.ndarray:
    return np.tanh(Z, out=Z)


def _softmax_inplace(Z: np.ndarray) -> np.ndarray:
    Z -= Z.max(axis=1, keepdims=True)  # max shift: every exponent <= 0
    with np.errstate(under="ignore"):
        np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def _identity(Z: np.ndarray) -> np.ndarray:
    return Z


def _relu_vjp(A: np.ndarray, dA: np.ndarray, overwrite: bool) -> np.ndarray:
    return np.multiply(dA, A > 0, out=dA if overwrite else None)  # relu'(z) = [A > 0]


def _sigmoid_vjp(A: np.ndarray, dA: np.ndarray, overwrite: bool) -> np.ndarray:
    return dA * A * (1 - A)  # sigmoid'(z) = A (1 - A)


def _tanh_vjp(A: np.ndarray, dA: np.ndarray, overwrite: bool) -> np.ndarray:
    return dA * (1 - A * A)  # tanh'(z) = 1 - A²


def _softmax_vjp(A: np.ndarray, dA: np.ndarray, overwrite: bool) -> np.ndarray:
    # full Jacobian-vector product, not the diagonal A (1 - A)
    return A * (dA - (dA * A).sum(axis=1, keepdims=True))


def _linear_vjp(A: np.ndarray, dA: np.ndarray, overwrite: bool) -> np.ndarray:
    return dA


class Activation(NamedTuple):
    """One row of :data:`ACTIVATION_TABLE`: an activation and its derivative.

    Attributes
    ----------
    function : callable
        ``f(z)`` for an array ``z`` of any shape (softmax: along the last axis).
    derivative : callable or None
        ``f'(z)`` element-wise, the same shape as ``z``; ``None`` when ``f`` is not
        element-wise (softmax: its Jacobian is a full matrix per row, see
        :func:`softmax_backward`), so a single :class:`~glassml.nn.Neuron` cannot use it.
    inplace : callable
        ``f(Z)`` for a fresh 2-D pre-activation array ``Z`` it may overwrite (layer fast path).
    vjp : callable
        ``vjp(A, dA, overwrite) -> dZ``: the gradient through ``f`` computed from the layer's
        OUTPUT ``A = f(Z)`` and ``dA = ∂L/∂A`` (layer fast path, ``Z`` is never stored).
    """

    function: Callable[[Any], np.ndarray]
    derivative: Callable[[Any], np.ndarray] | None
    inplace: Callable[[np.ndarray], np.ndarray]
    vjp: Callable[[np.ndarray, np.ndarray, bool], np.ndarray]


#: Every activation name -> (function, derivative, and the layer's fast forms). Neuron,
#: DenseLayer and NeuralNetwork look activations up here and nowhere else, so an activation
#: exists everywhere or nowhere; a name missing from it is a ValueError.
ACTIVATION_TABLE: dict[str, Activation] = {
    "relu": Activation(relu, relu_derivative, _relu_inplace, _relu_vjp),
    "sigmoid": Activation(sigmoid, sigmoid_derivative, sigmoid, _sigmoid_vjp),
    "tanh": Activation(tanh, tanh_derivative, _tanh_inplace, _tanh_vjp),
    "softmax": Activation(softmax, None, _softmax_inplace, _softmax_vjp),
    "linear": Activation(linear, linear_derivative, _identity, _linear_vjp),
}

#: The activation names of :data:`ACTIVATION_TABLE` when glassml was imported (for display;
#: validation always reads the table itself).
ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATION_TABLE)


def get_activation(name: Any, param: str = "activation", elementwise: bool = False) -> Activation:
    """The :data:`ACTIVATION_TABLE` row for ``name``; ``ValueError`` naming ``param`` if absent.

    With ``elementwise=True`` an activation without an element-wise derivative (softmax) is
    rejected too (a single neuron has no row to normalise over).
    """
    options = tuple(
        key
        for key, row in ACTIVATION_TABLE.items()
        if row.derivative is not None or not elementwise
    )
    check_option(name, param, options)
    return ACTIVATION_TABLE[name]
