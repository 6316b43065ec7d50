"""The :class:`Layer` protocol every layer of a :class:`~glassml.nn.Sequential` network follows.

A layer is a function with memory: ``forward`` computes the output and remembers exactly what
``backward`` needs; ``backward`` receives ``dA = ∂L/∂A`` (the gradient of the loss with respect
to the layer's output), fills the gradients of the layer's parameters in place and returns
``dX = ∂L/∂X`` for the layer below (the chain rule). That is all a network needs to train it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

__all__ = ["Layer"]


class Layer(ABC):
    """Base class of every layer: ``forward``, ``backward``, ``parameters``, ``gradients``.

    Subclass it and implement :meth:`forward` and :meth:`backward`; a layer with parameters
    also overrides :meth:`parameters` and :meth:`gradients`.

    Notes
    -----
    - ``forward(X, training=True) -> A``: ``X`` of shape (batch, ...); remember what
      ``backward`` needs. ``training=False`` (used by ``predict``) means evaluation mode.
    - ``backward(dA) -> dX``: ``dA`` has the shape of the last ``A``; returns ``dX`` of the shape
      of the last ``X`` and writes ``∂L/∂p`` into the gradient array of every parameter ``p``,
      in place. Called before any ``forward`` it raises ``RuntimeError``.
    - ``parameters()`` and ``gradients()`` return lists in the same order, holding the same
      array objects on every call (an optimizer keeps per-array state), and each gradient has
      its parameter's shape and dtype. The network updates parameters in place.

    Examples
    --------
    A layer with one parameter, ``A = s · X``:

    >>> import numpy as np
    >>> from glassml.nn import Layer
    >>> class Scale(Layer):
    ...     def __init__(self, s=1.0):
    ...         self.s, self.ds, self._X = np.array([s]), np.zeros(1), None
    ...     def forward(self, X, training=True):
    ...         self._X = np.asarray(X, dtype=float)
    ...         return self.s[0] * self._X
    ...     def backward(self, dA):
    ...         if self._X is None:
    ...             raise RuntimeError("Scale.backward called before forward")
    ...         self.ds[0] = np.sum(dA * self._X)  # ∂L/∂s = Σ dA ⊙ X
    ...         return self.s[0] * dA  # ∂L/∂X = s · dA
    ...     def parameters(self):
    ...         return [self.s]
    ...     def gradients(self):
    ...         return [self.ds]
    >>> layer = Scale(2.0)
    >>> layer.forward(np.array([[1.0, 3.0]]))
    array([[2., 6.]])
    >>> layer.backward(np.ones((1, 2))), layer.ds
    (array([[2., 2.]]), array([4.]))

    :class:`~glassml.nn.Sequential` trains such a layer like any other (see its example).
    """

    @abstractmethod
    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """Compute and return the output ``A`` for a batch ``X``; remember what backward needs."""

    @abstractmethod
    def backward(self, dA: Any) -> np.ndarray:
        """Fill the parameter gradients from ``dA = ∂L/∂A`` and return ``dX = ∂L/∂X``."""

    def parameters(self) -> list[np.ndarray]:
        """The trainable arrays (none by default), the same objects on every call."""
        return []

    def gradients(self) -> list[np.ndarray]:
        """The gradient arrays matching :meth:`parameters`, the same objects on every call."""
        return []

    def buffers(self) -> list[np.ndarray]:
        """State that training changes but no optimizer does (none by default).

        E.g. BatchNorm's running statistics: :class:`~glassml.nn.Sequential` saves them with the
        parameters and puts them back, with every ``numpy.random.Generator`` a layer holds, when
        a ``fit`` fails. The same objects on every call, updated in place.
        """
        return []

    # -- hooks used by Sequential once it has validated the network's input -------------------
    # A layer may override these to skip re-validating arrays the network already checked;
    # by default they are the public methods.
    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        return self.forward(X, training)

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        """``dX`` (``need_dX=False``: may be skipped); ``overwrite``: ``dA`` may be reused."""
        return self.backward(dA)
