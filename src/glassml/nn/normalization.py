"""Batch normalisation and layer normalisation, each a :class:`~glassml.nn.Layer` (seed file 04).

Both standardise their input and then scale and shift it with learned parameters::

    x_hat = (x - mean) / sqrt(var + eps)         # zero mean, unit variance
    A     = gamma * x_hat + beta                 # gamma, beta of shape (n_features,)

They differ only in *which* numbers the mean and variance are taken over:
:class:`BatchNorm1d` takes them down each column (over the samples of the batch, per feature),
:class:`LayerNorm` along each row (over the features, per sample).

The readable version is :func:`normalize_textbook` / :func:`normalize_backward_textbook`: the
forward pass and the backward pass of Ioffe & Szegedy (2015), one chain-rule step per line.
The layers run a compact form of the same backward pass (see :class:`BatchNorm1d` Notes); the
tests prove the two equal.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_positive, check_scalar_number
from glassml.nn.base import Layer
from glassml.nn.layers import check_dtype

__all__ = [
    "BatchNorm1d",
    "LayerNorm",
    "normalize_backward_textbook",
    "normalize_textbook",
]


# -- textbook ------------------------------------------------------------------------------------
def normalize_textbook(
    X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, axis: int
) -> np.ndarray:
    """Normalise ``X`` along ``axis``, then scale by ``gamma`` and shift by ``beta``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    gamma, beta : ndarray of shape (n_features,)
    eps : float
        Added to the variance before the square root.
    axis : int
        ``0``: statistics per feature, over the batch (batch norm, training mode);
        ``-1``: statistics per sample, over the features (layer norm).

    Returns
    -------
    ndarray of the shape of ``X``
    """
    m = X.shape[axis]  # how many numbers each mean is taken over
    mu = np.sum(X, axis=axis, keepdims=True) / m  # mean
    var = np.sum((X - mu) ** 2, axis=axis, keepdims=True) / m  # biased variance (÷ m, not m-1)
    x_hat = (X - mu) / np.sqrt(var + eps)  # standardised
    return gamma * x_hat + beta  # scale and shift


def normalize_backward_textbook(
    dA: np.ndarray, X: np.ndarray, gamma: np.ndarray, eps: float, axis: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The backward pass of :func:`normalize_textbook`, one chain-rule step per line.

    ``mu`` and ``var`` depend on every ``x`` they are taken over, so ``dX`` has three paths:
    directly through ``x_hat``, through ``var`` and through ``mu``.

    Parameters
    ----------
    dA : ndarray of shape (n_samples, n_features)
        ``∂L/∂A``.
    X, gamma, eps, axis
        As given to :func:`normalize_textbook`.

    Returns
    -------
    dX : ndarray of shape (n_samples, n_features)
    dgamma, dbeta : ndarray of shape (n_features,)
    """
    m = X.shape[axis]
    mu = np.sum(X, axis=axis, keepdims=True) / m
    xc = X - mu  # centred
    var = np.sum(xc**2, axis=axis, keepdims=True) / m
    std_inv = 1.0 / np.sqrt(var + eps)
    x_hat = xc * std_inv
    # parameters: A = gamma * x_hat + beta, summed over the samples
    dgamma = np.sum(dA * x_hat, axis=0)
    dbeta = np.sum(dA, axis=0)
    # input, step by step (Ioffe & Szegedy 2015, Algorithm 1 differentiated)
    dx_hat = dA * gamma
    dvar = np.sum(dx_hat * xc, axis=axis, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = (
        np.sum(-dx_hat * std_inv, axis=axis, keepdims=True)
        + dvar * np.sum(-2.0 * xc, axis=axis, keepdims=True) / m
    )
    dX = dx_hat * std_inv + dvar * 2.0 * xc / m + dmu / m
    return dX, dgamma, dbeta


# -- shared by the two layers --------------------------------------------------------------------
def _check_eps(eps: Any) -> float:
    return float(check_positive(eps, "eps"))


class _Normalization(Layer):
    """``gamma``/``beta`` bookkeeping and validated ``forward``/``backward`` of both layers."""

    n_features: int
    dtype: np.dtype
    _out_shape: tuple[int, ...] | None  # shape of the last output; None before any forward

    def _init_affine(self, n_features: Any, dtype: Any) -> None:
        self.n_features = int(check_positive(n_features, "n_features", integer=True))
        self.n_inputs = self.n_outputs = self.n_features  # lets Sequential check the sizes
        self.dtype = check_dtype(dtype)
        self.gamma = np.ones(self.n_features, dtype=self.dtype)
        self.beta = np.zeros(self.n_features, dtype=self.dtype)
        self.dgamma = np.zeros_like(self.gamma)
        self.dbeta = np.zeros_like(self.beta)
        self._out_shape = None

    def parameters(self) -> list[np.ndarray]:
        """``[gamma, beta]``, the live arrays."""
        return [self.gamma, self.beta]

    def gradients(self) -> list[np.ndarray]:
        """``[dgamma, dbeta]``, the live arrays filled by :meth:`backward`."""
        return [self.dgamma, self.dbeta]

    def _check_input(self, X: Any, ndim: int | tuple[int, ...]) -> np.ndarray:
        X = check_finite_array(X, "X", ndim=ndim, dtype=self.dtype)
        if X.shape[-1] != self.n_features:
            raise ValueError(
                f"X has {X.shape[-1]} features, but this {type(self).__name__} has "
                f"n_features={self.n_features}."
            )
        return X

    def backward(self, dA: Any) -> np.ndarray:
        """Fill ``dgamma`` and ``dbeta`` from ``dA = ∂L/∂A`` and return ``dX = ∂L/∂X``.

        Parameters
        ----------
        dA : array-like of the shape of the last output

        Returns
        -------
        dX : ndarray of the shape of the last input
        """
        shape = self._out_shape
        if shape is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward; call forward(X) first."
            )
        dA = check_finite_array(dA, "dA", ndim=len(shape), dtype=self.dtype)
        if dA.shape != shape:
            raise ValueError(f"dA must have the shape of the last output {shape}, got {dA.shape}.")
        dX = self._backward(dA)
        assert dX is not None  # need_dX defaults to True
        return dX


class BatchNorm1d(_Normalization):
    """Batch normalisation: standardise each feature over the batch, then scale and shift.

    Parameters
    ----------
    n_features : int
        Features per sample (``C`` in torch's ``BatchNorm1d(C)``).
    momentum : float in [0, 1], default=0.1
        Weight of the *new* batch in the running averages (torch's convention, see Notes).
    eps : float > 0, default=1e-5
        Added to the variance before the square root.
    dtype : np.float32 or np.float64, default=np.float64
        Dtype of the parameters, the running statistics and the output.

    Attributes
    ----------
    gamma, beta : ndarray of shape (n_features,)
        Scale (starts at 1) and shift (starts at 0); :meth:`parameters` is ``[gamma, beta]``.
    dgamma, dbeta : ndarray of shape (n_features,)
        Their gradients from the last :meth:`backward`.
    running_mean : ndarray of shape (n_features,)
        Running average of the batch means (starts at 0); used in evaluation.
    running_var : ndarray of shape (n_features,)
        Running average of the unbiased batch variances (starts at 1); used in evaluation.

    Notes
    -----
    Training (``training=True``), for a batch of ``N`` rows, per feature::

        mu  = mean(X, axis=0)                 var = mean((X - mu)², axis=0)   # biased
        x_hat = (X - mu) / sqrt(var + eps)    A = gamma * x_hat + beta
        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * var * N / (N - 1)

    NOTE: these are ``torch.nn.BatchNorm1d``'s conventions exactly: the *biased* variance
    normalises, the *unbiased* one enters the running average, and ``momentum`` weights the
    new batch (some texts write ``momentum * running + (1 - momentum) * new``, the reverse:
    torch's 0.1 is their 0.9). A batch of one sample has no variance: training on it raises
    ``ValueError`` (as torch does). Evaluation (``training=False``) uses ``running_mean`` and
    ``running_var`` in place of ``mu`` and ``var`` and updates nothing.

    Backward in training mode flows through ``mu`` and ``var`` too (they depend on every row);
    :func:`normalize_backward_textbook` writes the chain rule out step by step. Collecting its
    terms gives the form run here, with ``dx_hat = gamma * dA`` and means over the batch::

        dX = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / sqrt(var + eps)
           = gamma / sqrt(var + eps) * (dA - dbeta / N - x_hat * dgamma / N)

    since ``Σ dA = dbeta`` and ``Σ dA ⊙ x_hat = dgamma``. In evaluation mode the statistics are
    constants and ``dX = gamma * dA / sqrt(running_var + eps)``.

    What the layer does differently from the textbook functions (same numbers, to 1e-12 in the
    tests): it keeps ``xc = X - mu`` from forward instead of recomputing the statistics, folds
    ``1 / sqrt(var + eps)``, ``gamma`` and the ``1/N`` factors into per-feature vectors (so
    ``x_hat`` is never stored) and sums squares with ``einsum`` (no ``xc²`` temporary): 5 passes
    over the batch forward and 6 backward, about half the textbook's. On 256×1024 float32
    forward+backward took 0.8-1.3× torch's CPU time (``benchmarks/bench_norm.py``).

    NOTE: ``running_mean`` and ``running_var`` are state but not parameters: an optimizer never
    sees them, and :meth:`Sequential.save <glassml.nn.Sequential.save>` stores only parameters.

    Examples
    --------
    >>> import numpy as np
    >>> bn = BatchNorm1d(2)
    >>> bn.forward(np.array([[1.0, 10.0], [3.0, 30.0]])).round(4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> bn.running_mean, bn.running_var
    (array([0.2, 2. ]), array([ 1.1, 20.9]))
    """

    def __init__(
        self,
        n_features: int,
        momentum: float = 0.1,
        eps: float = 1e-5,
        dtype: Any = np.float64,
    ) -> None:
        self.momentum = float(check_scalar_number(momentum, "momentum", low=0.0, high=1.0))
        self.eps = _check_eps(eps)
        self._init_affine(n_features, dtype)
        self.running_mean = np.zeros(self.n_features, dtype=self.dtype)
        self.running_var = np.ones(self.n_features, dtype=self.dtype)
        self._xc: np.ndarray | None = None  # X - mean of the last forward, (batch, n_features)
        self._std_inv: np.ndarray | None = None  # 1 / sqrt(var + eps), (n_features,)
        self._training = True

    def buffers(self) -> list[np.ndarray]:
        """``[running_mean, running_var]``: saved and restored with the network (not trained)."""
        return [self.running_mean, self.running_var]

    def __repr__(self) -> str:
        return (
            f"BatchNorm1d({self.n_features}, momentum={self.momentum:g}, eps={self.eps:g}, "
            f"dtype=np.{self.dtype.name})"
        )

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """Normalise a batch; in training also update the running statistics.

        Parameters
        ----------
        X : array-like of shape (batch, n_features)
            ``batch >= 2`` in training.
        training : bool, default=True
            ``True``: batch statistics (and update the running ones); ``False``: running ones.

        Returns
        -------
        ndarray of shape (batch, n_features)
        """
        return self._forward(self._check_input(X, ndim=2), training)

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        n = X.shape[0]
        if training and n < 2:  # NOTE: checked here, on the path Sequential.fit takes too
            raise ValueError(
                "BatchNorm1d in training needs more than 1 sample per batch to estimate a "
                f"variance, got X of shape {X.shape}; use training=False to apply the "
                "running statistics to a single sample (in fit, choose a batch_size that "
                "leaves no batch of 1)."
            )
        if training:
            mu = X.mean(axis=0)  # (n_features,)
            xc = X - mu  # (batch, n_features), kept for backward
            var = np.einsum("ij,ij->j", xc, xc) / n  # biased variance, without an xc² temporary
            self.running_mean *= 1.0 - self.momentum
            self.running_mean += self.momentum * mu
            self.running_var *= 1.0 - self.momentum
            self.running_var += (self.momentum * n / (n - 1)) * var  # unbiased
        else:
            xc, var = X - self.running_mean, self.running_var
        std_inv = 1.0 / np.sqrt(var + self.eps)  # (n_features,)
        A = xc * (self.gamma * std_inv)  # gamma * x_hat, x_hat never stored
        A += self.beta
        self._xc, self._std_inv, self._training = xc, std_inv, bool(training)
        self._out_shape = A.shape
        return A

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        """The compact form of the Notes, with ``x_hat = xc * std_inv`` folded into vectors."""
        xc, std_inv = self._xc, self._std_inv
        assert xc is not None and std_inv is not None
        n = dA.shape[0]
        np.sum(dA, axis=0, out=self.dbeta)  # dbeta = Σ dA
        np.einsum("ij,ij->j", dA, xc, out=self.dgamma)
        self.dgamma *= std_inv  # dgamma = Σ dA ⊙ x_hat
        if not need_dX:
            return None
        scale = self.gamma * std_inv  # (n_features,)
        dX = np.multiply(dA, scale, out=dA if overwrite else None)  # the direct path
        if self._training:  # the paths through the batch mean and variance
            dX -= xc * (scale * std_inv * self.dgamma / n)  # x_hat * dgamma / N, scaled
            dX -= scale * self.dbeta / n
        return dX


class LayerNorm(_Normalization):
    """Layer normalisation: standardise each sample over its features, then scale and shift.

    Parameters
    ----------
    n_features : int
        Length of the last axis (torch's ``LayerNorm(normalized_shape=n_features)``).
    eps : float > 0, default=1e-5
        Added to the variance before the square root.
    dtype : np.float32 or np.float64, default=np.float64
        Dtype of the parameters and the output.

    Attributes
    ----------
    gamma, beta : ndarray of shape (n_features,)
        Scale (starts at 1) and shift (starts at 0); :meth:`parameters` is ``[gamma, beta]``.
    dgamma, dbeta : ndarray of shape (n_features,)
        Their gradients from the last :meth:`backward`.

    Notes
    -----
    For each sample (each row, or each position of a ``(batch, L, n_features)`` input)::

        mu = mean(x)    var = mean((x - mu)²)     # biased, over the last axis
        x_hat = (x - mu) / sqrt(var + eps)        A = gamma * x_hat + beta

    Training and evaluation behave the same (no running statistics). Backward, with
    ``dx_hat = gamma * dA`` and means over the last axis::

        dX = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / sqrt(var + eps)

    the same formula as :class:`BatchNorm1d`'s along the other axis; step by step it is
    :func:`normalize_backward_textbook` with ``axis=-1``.
    """

    def __init__(self, n_features: int, eps: float = 1e-5, dtype: Any = np.float64) -> None:
        self.eps = _check_eps(eps)
        self._init_affine(n_features, dtype)
        self._x_hat: np.ndarray | None = None  # (..., n_features)
        self._std_inv: np.ndarray | None = None  # (..., 1)

    def __repr__(self) -> str:
        return f"LayerNorm({self.n_features}, eps={self.eps:g}, dtype=np.{self.dtype.name})"

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """Normalise every sample over its last axis.

        Parameters
        ----------
        X : array-like of shape (batch, ..., n_features)
        training : bool, default=True
            Unused (layer norm behaves the same in training and evaluation).

        Returns
        -------
        ndarray of the shape of ``X``
        """
        X = self._check_input(X, ndim=tuple(range(2, 33)))
        return self._forward(X, training)

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        n = self.n_features
        mu = X.mean(axis=-1, keepdims=True)  # (..., 1)
        xc = X - mu  # becomes x_hat in place
        # biased variance, (..., 1); einsum sums the squares without a temporary array
        var = np.einsum("...i,...i->...", xc, xc)[..., None] / n
        std_inv = 1.0 / np.sqrt(var + self.eps)
        xc *= std_inv
        self._x_hat, self._std_inv, self._out_shape = xc, std_inv, xc.shape
        A = xc * self.gamma
        A += self.beta
        return A

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        x_hat = self._x_hat
        assert x_hat is not None and self._std_inv is not None
        dA2, x_hat2 = dA.reshape(-1, self.n_features), x_hat.reshape(-1, self.n_features)
        np.einsum("ij,ij->j", dA2, x_hat2, out=self.dgamma)  # Σ over all but the last axis
        np.sum(dA2, axis=0, out=self.dbeta)
        if not need_dX:
            return None
        dx_hat = dA * self.gamma
        mean_dx_hat = dx_hat.mean(axis=-1, keepdims=True)
        # mean of dx_hat · x_hat per row, without a temporary array
        mean_dx_hat_x_hat = np.einsum("...i,...i->...", dx_hat, x_hat)[..., None] / self.n_features
        dx_hat -= mean_dx_hat
        dx_hat -= x_hat * mean_dx_hat_x_hat
        dx_hat *= self._std_inv
        return dx_hat
