"""Dropout, a :class:`~glassml.nn.Layer` that zeroes random units while training (seed file 04)."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_scalar_number, make_rng
from glassml.nn.base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``p`` and scale the kept ones by ``1/(1-p)``.

    Parameters
    ----------
    p : float in [0, 1), default=0.5
        Probability that a unit is dropped (torch's ``p``; not the keep probability).
    random_state : None, int or numpy.random.Generator
        Draws the masks. The same seed gives the same sequence of masks.

    Attributes
    ----------
    mask : ndarray of bool, of the shape of the last training input, or None
        ``True`` where the last training :meth:`forward` kept the unit; ``None`` before any
        training forward and after an evaluation one.

    Notes
    -----
    Training (``training=True``): ``mask = u >= p`` with ``u`` uniform on [0, 1) (so each unit
    is kept with probability ``1 - p``) and ``A = X ⊙ mask / (1 - p)``. Backward reuses the
    same mask: ``dX = dA ⊙ mask / (1 - p)``.

    Evaluation (``training=False``): ``A = X``, ``dX = dA``. Scaling the kept units while
    training (the "inverted" part) keeps the expected value of every unit equal in both modes,
    so evaluation needs no rescaling. ``p = 0`` is the identity in both modes and draws nothing.

    NOTE: the output has the dtype of the input (float32 stays float32; anything else becomes
    float64). Same as ``torch.nn.Dropout(p)`` except for the random numbers themselves.

    Examples
    --------
    >>> import numpy as np
    >>> drop = Dropout(p=0.5, random_state=0)
    >>> A = drop.forward(np.ones((2, 4)))
    >>> sorted(set(A.ravel().tolist()))  # dropped units are 0, kept ones are scaled by 2
    [0.0, 2.0]
    >>> bool(np.array_equal(A != 0, drop.mask))
    True
    >>> drop.forward(np.ones((2, 4)), training=False)  # evaluation: the identity
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """

    def __init__(self, p: float = 0.5, random_state: None | int | np.random.Generator = None):
        self.p = float(check_scalar_number(p, "p", low=0.0, high=1.0, include_high=False))
        self.random_state = random_state
        self._rng = make_rng(random_state)
        self.mask: np.ndarray | None = None
        self._scaled_mask: np.ndarray | None = None  # mask / (1 - p), in the input's dtype
        self._shape: tuple[int, ...] | None = None  # shape of the last output

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """Drop units at random (training) or pass ``X`` through unchanged (evaluation).

        Parameters
        ----------
        X : array-like of shape (batch, ...)
        training : bool, default=True

        Returns
        -------
        ndarray of the shape of ``X``
        """
        X = check_finite_array(X, "X", ndim=tuple(range(1, 33)), dtype=_float_dtype(X))
        return self._forward(X, training)

    def backward(self, dA: Any) -> np.ndarray:
        """Return ``dX = dA ⊙ mask / (1 - p)`` with the mask of the last forward (no parameters).

        Parameters
        ----------
        dA : array-like of the shape of the last output

        Returns
        -------
        dX : ndarray of the shape of ``dA``
        """
        if self._shape is None:
            raise RuntimeError("Dropout.backward called before forward; call forward(X) first.")
        dA = check_finite_array(dA, "dA", dtype=_float_dtype(dA))
        if dA.shape != self._shape:
            raise ValueError(
                f"dA must have the shape of the last output {self._shape}, got {dA.shape}."
            )
        dX = self._backward(dA)
        assert dX is not None
        return dX

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        self._shape = X.shape
        if not training or self.p == 0.0:
            self.mask = self._scaled_mask = None
            return X
        u = self._rng.random(X.shape, dtype=X.dtype)  # uniform on [0, 1)
        self.mask = u >= self.p  # keep with probability 1 - p
        scaled = np.multiply(self.mask, 1.0 / (1.0 - self.p), out=u)  # u's buffer, reused
        self._scaled_mask = scaled
        return X * scaled

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        if not need_dX:
            return None
        if self._scaled_mask is None:  # evaluation or p == 0: the identity
            return dA
        if overwrite:  # dA is a temporary of the caller's: scale it in place
            dA *= self._scaled_mask
            return dA
        return dA * self._scaled_mask


def _float_dtype(X: Any) -> np.dtype:
    """float32 for float32 input, float64 for everything else."""
    dtype = getattr(X, "dtype", None)
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)
