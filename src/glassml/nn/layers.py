"""A single neuron and a dense layer, each with a forward and a backward pass (seed file 01).

Both follow one template: ``forward`` computes the output and remembers exactly what
``backward`` needs; ``backward`` takes the gradient of the loss with respect to the output and
returns the gradients with respect to the input and to the parameters. Calling ``backward``
before ``forward`` raises ``RuntimeError``.

:class:`Neuron` is the slow, readable version; :class:`DenseLayer` is the same arithmetic for
many neurons and many samples at once, as matrix products.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_option, check_positive
from glassml.nn.activations import (
    ACTIVATIONS,
    linear,
    linear_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)
from glassml.nn.init import init_weights

__all__ = ["DenseLayer", "Neuron"]

#: Element-wise activations a single neuron can use (softmax needs a whole layer).
NEURON_ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "tanh", "linear")

_ELEMENTWISE: dict[str, tuple[Callable[[Any], np.ndarray], Callable[[Any], np.ndarray]]] = {
    "relu": (relu, relu_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "linear": (linear, linear_derivative),
}

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Weight matrices up to this many entries are transposed into a scratch buffer before dZ @ Wᵀ.
_SMALL_WEIGHTS = 1 << 16


def check_dtype(dtype: Any) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64; ``TypeError`` otherwise."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}.") from exc
    if dt not in _DTYPES:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dt}.")
    return dt


class Neuron:
    """One unit: a weighted sum of its inputs plus a bias, passed through an activation.

    Parameters
    ----------
    n_inputs : int
        Length of the input vector.
    activation : {"relu", "sigmoid", "tanh", "linear"}, default="relu"
        The nonlinearity. The weights are drawn with He scale for ReLU and Xavier otherwise.
    random_state : None, int or numpy.random.Generator
        Seeds the weight draw.

    Attributes
    ----------
    w : ndarray of shape (n_inputs,)
        Weights.
    b : float
        Bias, starts at 0.

    Notes
    -----
    Forward: ``z = w · x + b``, ``a = f(z)``. Backward, given ``d_out = ∂L/∂a`` (chain rule):
    ``dz = d_out · f'(z)``, ``dw = dz · x``, ``db = dz``, ``dx = dz · w``.

    ``forward`` also accepts a batch ``x`` of shape (batch, n_inputs); then ``z`` has shape
    (batch,), the parameter gradients are summed over the batch and ``dx`` has shape
    (batch, n_inputs) — exactly what one column of :class:`DenseLayer` computes.
    """

    def __init__(
        self,
        n_inputs: int,
        activation: str = "relu",
        random_state: None | int | np.random.Generator = None,
    ) -> None:
        check_positive(n_inputs, "n_inputs", integer=True)
        check_option(activation, "activation", NEURON_ACTIVATIONS)
        self.n_inputs = int(n_inputs)
        self.activation = activation
        self.w = init_weights((self.n_inputs,), activation, random_state)
        self.b = 0.0
        self._x: np.ndarray | None = None
        self._z: np.ndarray | None = None

    def forward(self, x: Any) -> float | np.ndarray:
        """Compute ``f(w · x + b)`` and remember ``x`` and ``z`` for :meth:`backward`.

        Parameters
        ----------
        x : array-like of shape (n_inputs,) or (batch, n_inputs)

        Returns
        -------
        float, or ndarray of shape (batch,)
        """
        x = check_finite_array(x, "x", ndim=(1, 2))
        if x.shape[-1] != self.n_inputs:
            raise ValueError(
                f"x has {x.shape[-1]} features, but this Neuron has n_inputs={self.n_inputs}."
            )
        f, _ = _ELEMENTWISE[self.activation]
        z = x @ self.w + self.b  # scalar for one sample, (batch,) for a batch
        self._x, self._z = x, np.asarray(z)
        a = f(z)
        return float(a) if x.ndim == 1 else a

    def backward(self, d_out: Any) -> tuple[np.ndarray, np.ndarray, float]:
        """Gradients from ``d_out = ∂L/∂a`` (a float, or shape (batch,) after a batch forward).

        Returns
        -------
        dx : ndarray of shape (n_inputs,) or (batch, n_inputs)
        dw : ndarray of shape (n_inputs,)
        db : float
        """
        if self._x is None or self._z is None:
            raise RuntimeError("Neuron.backward called before forward; call forward(x) first.")
        d_out = check_finite_array(d_out, "d_out", ndim=(0, 1))
        if d_out.shape != self._z.shape:
            raise ValueError(
                f"d_out must have the shape of the last output {self._z.shape}, got {d_out.shape}."
            )
        _, f_prime = _ELEMENTWISE[self.activation]
        dz = d_out * f_prime(self._z)  # chain rule through the activation
        if self._x.ndim == 1:
            dw = dz * self._x
            dx = dz * self.w
        else:
            dw = self._x.T @ dz  # summed over the batch
            dx = np.outer(dz, self.w)
        return dx, dw, float(np.sum(dz))


class DenseLayer:
    """A fully connected layer: ``n_outputs`` neurons applied to a batch at once.

    Parameters
    ----------
    n_inputs : int
        Features per input sample.
    n_outputs : int
        Number of units (columns of ``W``).
    activation : {"relu", "sigmoid", "tanh", "softmax", "linear"}, default="relu"
        The nonlinearity; softmax normalises each row of the output.
    random_state : None, int or numpy.random.Generator
        Seeds the weight draw (He scale for ReLU, Xavier otherwise).
    dtype : np.float32 or np.float64, default=np.float64
        Dtype of the parameters, gradients and activations. Inputs are cast to it.

    Attributes
    ----------
    W : ndarray of shape (n_inputs, n_outputs)
        Weights; column ``j`` is unit ``j``'s weight vector.
    b : ndarray of shape (n_outputs,)
        Biases, start at 0.
    dW : ndarray of shape (n_inputs, n_outputs)
        ``∂L/∂W`` from the last :meth:`backward`.
    db : ndarray of shape (n_outputs,)
        ``∂L/∂b`` from the last :meth:`backward`.

    Notes
    -----
    Forward: ``Z = X W + b`` (``b`` broadcast over the rows), ``A = f(Z)``. Backward, given
    ``dA = ∂L/∂A``: ``dZ = dA ⊙ f'(Z)`` (for softmax the full Jacobian-vector product
    ``A ⊙ (dA - rowsum(dA ⊙ A))``), then ``dW = Xᵀ dZ`` (summed over the batch),
    ``db = Σ_rows dZ``, ``dX = dZ Wᵀ``.

    Every activation derivative is computed from the cached output ``A`` (ReLU: ``A > 0``,
    sigmoid: ``A(1 - A)``, tanh: ``1 - A²``), so ``Z`` is never stored: it is turned into ``A``
    in place.

    NOTE: ``W``, ``b``, ``dW`` and ``db`` are updated in place and never rebound, so an optimizer
    may hold on to them; the arrays returned by :meth:`backward` are ``dW`` and ``db`` themselves
    and are overwritten by the next backward pass (copy them to keep them).
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        activation: str = "relu",
        random_state: None | int | np.random.Generator = None,
        dtype: Any = np.float64,
    ) -> None:
        check_positive(n_inputs, "n_inputs", integer=True)
        check_positive(n_outputs, "n_outputs", integer=True)
        check_option(activation, "activation", ACTIVATIONS)
        self.dtype = check_dtype(dtype)
        self.n_inputs = int(n_inputs)
        self.n_outputs = int(n_outputs)
        self.activation = activation
        self.W = init_weights((self.n_inputs, self.n_outputs), activation, random_state, self.dtype)
        self.b = np.zeros(self.n_outputs, dtype=self.dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._X: np.ndarray | None = None
        self._A: np.ndarray | None = None
        self._WT: np.ndarray | None = None  # scratch for Wᵀ, see _backward_dZ

    def __repr__(self) -> str:
        return (
            f"DenseLayer({self.n_inputs}, {self.n_outputs}, activation={self.activation!r}, "
            f"dtype=np.{self.dtype.name})"
        )

    # -- public, validated ---------------------------------------------------------------------
    def forward(self, X: Any) -> np.ndarray:
        """Compute ``f(X W + b)`` for a batch and remember ``X`` and the output.

        Parameters
        ----------
        X : array-like of shape (batch, n_inputs)

        Returns
        -------
        ndarray of shape (batch, n_outputs)
            The activations ``A``. NOTE: this is the array :meth:`backward` reads; modify a copy,
            not ``A`` itself, before calling ``backward``.
        """
        X = check_finite_array(X, "X", ndim=2, dtype=self.dtype)
        if X.shape[1] != self.n_inputs:
            raise ValueError(
                f"X has {X.shape[1]} features, but this DenseLayer has n_inputs={self.n_inputs}."
            )
        return self._forward(X)

    def backward(self, dA: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gradients from ``dA = ∂L/∂A`` of shape (batch, n_outputs).

        Returns
        -------
        dX : ndarray of shape (batch, n_inputs)
        dW : ndarray of shape (n_inputs, n_outputs)
            The layer's ``dW`` buffer (also ``self.dW``).
        db : ndarray of shape (n_outputs,)
            The layer's ``db`` buffer (also ``self.db``).
        """
        if self._A is None:
            raise RuntimeError("DenseLayer.backward called before forward; call forward(X) first.")
        dA = check_finite_array(dA, "dA", ndim=2, dtype=self.dtype)
        if dA.shape != self._A.shape:
            raise ValueError(
                f"dA must have the shape of the last output {self._A.shape}, got {dA.shape}."
            )
        dX = self._backward(dA)
        assert dX is not None  # need_dX defaults to True
        return dX, self.dW, self.db

    # -- hot path, no validation (used by NeuralNetwork after it validated once) ---------------
    def _forward(self, X: np.ndarray) -> np.ndarray:
        Z = X @ self.W  # (batch, n_outputs), a fresh array that becomes A in place
        Z += self.b
        act = self.activation
        if act == "relu":
            np.maximum(Z, 0, out=Z)
        elif act == "tanh":
            np.tanh(Z, out=Z)
        elif act == "sigmoid":
            Z = sigmoid(Z)
        elif act == "softmax":
            Z -= Z.max(axis=1, keepdims=True)  # max shift: every exponent ≤ 0
            with np.errstate(under="ignore"):
                np.exp(Z, out=Z)
            Z /= Z.sum(axis=1, keepdims=True)
        self._X, self._A = X, Z
        return Z

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        """``dZ`` from ``dA`` through the activation, then :meth:`_backward_dZ`.

        ``overwrite=True`` lets ``dA`` (an array the caller owns and no longer needs) be reused
        as ``dZ`` in place, saving a temporary.
        """
        A = self._A
        assert A is not None
        act = self.activation
        if act == "relu":
            dZ = np.multiply(dA, A > 0, out=dA if overwrite else None)
        elif act == "sigmoid":
            dZ = dA * A * (1 - A)
        elif act == "tanh":
            dZ = dA * (1 - A * A)
        elif act == "softmax":
            # full Jacobian-vector product, not the diagonal A(1 - A)
            dZ = A * (dA - (dA * A).sum(axis=1, keepdims=True))
        else:
            dZ = dA
        return self._backward_dZ(dZ, need_dX)

    def _backward_dZ(self, dZ: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        """Fill ``dW``, ``db`` in place from ``dZ = ∂L/∂Z``; return ``dX`` if ``need_dX``."""
        X = self._X
        assert X is not None
        np.matmul(X.T, dZ, out=self.dW)
        np.sum(dZ, axis=0, out=self.db)
        if not need_dX:
            return None
        if self.W.size <= _SMALL_WEIGHTS:
            # NOTE: OpenBLAS multiplies by a transposed right operand (dZ @ W.T) several times
            # slower than a plain product when the matrices are small; copying W.T into a
            # contiguous buffer first is cheaper. Large products run at full speed either way.
            if self._WT is None:
                self._WT = np.empty((self.n_outputs, self.n_inputs), dtype=self.dtype)
            np.copyto(self._WT, self.W.T)
            return dZ @ self._WT
        return dZ @ self.W.T
