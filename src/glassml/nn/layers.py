"""A single neuron and a dense layer, each with a forward and a backward pass (seed file 01).

Both follow one template: ``forward`` computes the output and remembers exactly what
``backward`` needs; ``backward`` takes the gradient of the loss with respect to the output.
:class:`Neuron` returns the gradients with respect to its input and its parameters,
``(dx, dw, db)``; :class:`DenseLayer` is a :class:`~glassml.nn.Layer`: it returns ``dX`` and
keeps ``dW``, ``db`` in ``self.dW``, ``self.db`` (also :meth:`DenseLayer.gradients`). Calling
``backward`` before ``forward`` raises ``RuntimeError``. Both look their activation up in
:data:`~glassml.nn.activations.ACTIVATION_TABLE`.

:class:`Neuron` is the slow, readable version; :class:`DenseLayer` is the same arithmetic for
many neurons and many samples at once, as matrix products.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_positive
from glassml.nn.activations import get_activation
from glassml.nn.base import Layer
from glassml.nn.init import init_weights

__all__ = ["DenseLayer", "Neuron"]

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
        get_activation(activation, elementwise=True)
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
        f = get_activation(self.activation, elementwise=True).function
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
        f_prime = get_activation(self.activation, elementwise=True).derivative
        assert f_prime is not None  # elementwise=True guarantees it
        dz = d_out * f_prime(self._z)  # chain rule through the activation
        if self._x.ndim == 1:
            dw = dz * self._x
            dx = dz * self.w
        else:
            dw = self._x.T @ dz  # summed over the batch
            dx = np.outer(dz, self.w)
        return dx, dw, float(np.sum(dz))


class DenseLayer(Layer):
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
    ``A ⊙ (dA - rowsum(dA ⊙ A))``), then the three formulas of the seed::

        dW = X.T @ dZ            # (n_inputs, n_outputs), summed over the batch
        db = dZ.sum(axis=0)      # (n_outputs,)
        dX = dZ @ W.T            # (batch, n_inputs), handed to the layer below

    Every activation derivative is computed from the cached output ``A`` (ReLU: ``A > 0``,
    sigmoid: ``A(1 - A)``, tanh: ``1 - A²``), so ``Z`` is never stored: it is turned into ``A``
    in place.

    NOTE: ``W``, ``b``, ``dW`` and ``db`` are updated in place and never rebound, so an optimizer
    may hold on to them (:meth:`parameters` is ``[W, b]``, :meth:`gradients` ``[dW, db]``);
    ``dW`` and ``db`` are overwritten by the next backward pass (copy them to keep them).
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
        get_activation(activation)
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
        self._WT: np.ndarray | None = None  # scratch for Wᵀ, see _dZ_times_WT

    def __repr__(self) -> str:
        return (
            f"DenseLayer({self.n_inputs}, {self.n_outputs}, activation={self.activation!r}, "
            f"dtype=np.{self.dtype.name})"
        )

    # -- public, validated ---------------------------------------------------------------------
    def parameters(self) -> list[np.ndarray]:
        """``[W, b]``, the live arrays."""
        return [self.W, self.b]

    def gradients(self) -> list[np.ndarray]:
        """``[dW, db]``, the live arrays filled by :meth:`backward`."""
        return [self.dW, self.db]

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """Compute ``f(X W + b)`` for a batch and remember ``X`` and the output.

        Parameters
        ----------
        X : array-like of shape (batch, n_inputs)
        training : bool, default=True
            Unused (a dense layer behaves the same in training and evaluation).

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

    def backward(self, dA: Any) -> np.ndarray:
        """Fill ``self.dW`` and ``self.db`` from ``dA = ∂L/∂A`` and return ``dX = ∂L/∂X``.

        Parameters
        ----------
        dA : array-like of shape (batch, n_outputs)

        Returns
        -------
        dX : ndarray of shape (batch, n_inputs)
            ``dW`` (n_inputs, n_outputs) and ``db`` (n_outputs,) are in ``self.dW``, ``self.db``.
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
        return dX

    # -- hot path, no validation (used by Sequential after it validated once) ------------------
    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        Z = X @ self.W  # (batch, n_outputs), a fresh array that becomes A in place
        Z += self.b
        A = get_activation(self.activation).inplace(Z)  # A = f(Z)
        self._X, self._A = X, A
        return A

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        """``dZ = dA ⊙ f'(Z)`` from the cached output ``A``, then :meth:`_backward_dZ`.

        ``overwrite=True`` lets ``dA`` (an array the caller owns and no longer needs) be reused
        as ``dZ`` in place, saving a temporary.
        """
        assert self._A is not None
        dZ = get_activation(self.activation).vjp(self._A, dA, overwrite)
        return self._backward_dZ(dZ, need_dX)

    def _backward_dZ(self, dZ: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        """The seed's three formulas, from ``dZ = ∂L/∂Z``; returns ``dX`` if ``need_dX``."""
        X = self._X
        assert X is not None
        np.matmul(X.T, dZ, out=self.dW)  # dW = Xᵀ dZ   (written into the dW buffer)
        np.sum(dZ, axis=0, out=self.db)  # db = Σ_rows dZ
        if not need_dX:  # the network's input needs no gradient
            return None
        return self._dZ_times_WT(dZ)  # dX = dZ Wᵀ

    def _dZ_times_WT(self, dZ: np.ndarray) -> np.ndarray:
        """``dZ @ self.W.T``, computed the fastest way for the size of ``W``.

        NOTE: OpenBLAS multiplies by a transposed right operand (``dZ @ W.T``) several times
        slower than a plain product when the matrices are small, so up to ``_SMALL_WEIGHTS``
        entries ``Wᵀ`` is first copied into a contiguous scratch buffer (the same numbers) and
        multiplied plainly. Large products run at full speed either way.
        """
        if self.W.size > _SMALL_WEIGHTS:
            return dZ @ self.W.T
        if self._WT is None:
            self._WT = np.empty((self.n_outputs, self.n_inputs), dtype=self.dtype)
        np.copyto(self._WT, self.W.T)
        return dZ @ self._WT
