"""Convolution and max pooling written as their definitions: nested loops, one number at a time.

These are the readable versions. :class:`~glassml.nn.conv.Conv2d` and
:class:`~glassml.nn.conv.MaxPool2d` compute the same numbers with im2col and one matrix product
(the tests prove ``textbook == fast`` to 1e-12); read these first. They are slow (pure Python
loops) and meant for small arrays.

Arrays are NCHW: ``X`` of shape (batch, channels, height, width); a kernel ``W`` of shape
(out_channels, in_channels, kh, kw), PyTorch's layout.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "conv2d_backward",
    "conv2d_forward",
    "maxpool2d_backward",
    "maxpool2d_forward",
    "output_size",
]


def output_size(size: int, kernel: int, stride: int, padding: int = 0) -> int:
    """Positions a kernel takes along one axis: ``(size + 2 padding - kernel) // stride + 1``."""
    return (size + 2 * padding - kernel) // stride + 1


def _pad(X: np.ndarray, padding: int) -> np.ndarray:
    """``X`` (N, C, H, W) with ``padding`` zeros added on every side of H and W."""
    p = padding
    return np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


def conv2d_forward(
    X: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """The convolution of a batch, by its definition (PyTorch's ``conv2d``, a cross-correlation).

    Parameters
    ----------
    X : ndarray of shape (batch, in_channels, H, W)
    W : ndarray of shape (out_channels, in_channels, kh, kw)
    b : ndarray of shape (out_channels,)
    stride, padding : int

    Returns
    -------
    Z : ndarray of shape (batch, out_channels, OH, OW)
        ``OH = (H + 2 padding - kh) // stride + 1``, likewise ``OW``.

    Notes
    -----
    With ``Xp`` the zero-padded input::

        Z[n, o, y, x] = b[o] + Σ_c Σ_i Σ_j W[o, c, i, j] · Xp[n, c, y·stride + i, x·stride + j]

    Seven loops: sample ``n``, output channel ``o``, output row ``y`` and column ``x``, then the
    sum over input channel ``c`` and kernel row ``i`` and column ``j``.
    """
    Xp = _pad(X, padding)
    n_batch, in_ch, height, width = X.shape
    out_ch, _, kh, kw = W.shape
    OH = output_size(height, kh, stride, padding)
    OW = output_size(width, kw, stride, padding)
    Z = np.zeros((n_batch, out_ch, OH, OW), dtype=np.result_type(X, W))
    for n in range(n_batch):
        for o in range(out_ch):
            for y in range(OH):
                for x in range(OW):
                    total = b[o]
                    for c in range(in_ch):
                        for i in range(kh):
                            for j in range(kw):
                                total += W[o, c, i, j] * Xp[n, c, y * stride + i, x * stride + j]
                    Z[n, o, y, x] = total
    return Z


def conv2d_backward(
    X: np.ndarray, W: np.ndarray, dZ: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a convolution from ``dZ = ∂L/∂Z``, by the chain rule, one term at a time.

    Parameters
    ----------
    X : ndarray of shape (batch, in_channels, H, W)
        The forward input.
    W : ndarray of shape (out_channels, in_channels, kh, kw)
    dZ : ndarray of shape (batch, out_channels, OH, OW)
    stride, padding : int

    Returns
    -------
    dX : ndarray of the shape of ``X``
    dW : ndarray of the shape of ``W``
    db : ndarray of shape (out_channels,)

    Notes
    -----
    Every product ``W[o, c, i, j] · Xp[n, c, y·s + i, x·s + j]`` in the forward sum sends
    ``dZ[n, o, y, x]`` back along both of its factors::

        dW[o, c, i, j]                += dZ[n, o, y, x] · Xp[n, c, y·s + i, x·s + j]
        dXp[n, c, y·s + i, x·s + j]   += dZ[n, o, y, x] · W[o, c, i, j]
        db[o]                         += dZ[n, o, y, x]

    ``dX`` is ``dXp`` without its padding (the padded zeros are constants).
    """
    Xp = _pad(X, padding)
    dXp = np.zeros_like(Xp)
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[0], dtype=W.dtype)
    n_batch, out_ch, OH, OW = dZ.shape
    _, in_ch, kh, kw = W.shape
    for n in range(n_batch):
        for o in range(out_ch):
            for y in range(OH):
                for x in range(OW):
                    g = dZ[n, o, y, x]
                    db[o] += g
                    for c in range(in_ch):
                        for i in range(kh):
                            for j in range(kw):
                                dW[o, c, i, j] += g * Xp[n, c, y * stride + i, x * stride + j]
                                dXp[n, c, y * stride + i, x * stride + j] += g * W[o, c, i, j]
    H, Wd = X.shape[2], X.shape[3]
    return dXp[:, :, padding : padding + H, padding : padding + Wd], dW, db


def maxpool2d_forward(X: np.ndarray, kernel_size: int, stride: int | None = None) -> np.ndarray:
    """Max pooling by its definition: the largest value of every ``kernel_size²`` window.

    Parameters
    ----------
    X : ndarray of shape (batch, channels, H, W)
    kernel_size : int
    stride : int, optional
        Defaults to ``kernel_size`` (windows side by side), as in PyTorch.

    Returns
    -------
    ndarray of shape (batch, channels, OH, OW)
        ``A[n, c, y, x] = max_{i, j} X[n, c, y·s + i, x·s + j]``.
    """
    s = kernel_size if stride is None else stride
    k = kernel_size
    n_batch, channels, height, width = X.shape
    OH, OW = output_size(height, k, s), output_size(width, k, s)
    A = np.zeros((n_batch, channels, OH, OW), dtype=X.dtype)
    for n in range(n_batch):
        for c in range(channels):
            for y in range(OH):
                for x in range(OW):
                    A[n, c, y, x] = max(
                        X[n, c, y * s + i, x * s + j] for i in range(k) for j in range(k)
                    )
    return A


def maxpool2d_backward(
    X: np.ndarray, dA: np.ndarray, kernel_size: int, stride: int | None = None
) -> np.ndarray:
    """``dX`` of max pooling: each window's gradient goes to its maximum, all of it.

    Parameters
    ----------
    X : ndarray of shape (batch, channels, H, W)
        The forward input.
    dA : ndarray of shape (batch, channels, OH, OW)
    kernel_size : int
    stride : int, optional

    Returns
    -------
    dX : ndarray of the shape of ``X``

    Notes
    -----
    The max is a selection, so its derivative is 1 for the selected element and 0 for the
    others. NOTE: on ties the FIRST maximum in row-major order (smallest ``i``, then ``j``) gets
    the gradient, as in PyTorch; overlapping windows (stride < kernel) add up.
    """
    s = kernel_size if stride is None else stride
    k = kernel_size
    dX = np.zeros_like(X)
    n_batch, channels, OH, OW = dA.shape
    for n in range(n_batch):
        for c in range(channels):
            for y in range(OH):
                for x in range(OW):
                    best_i, best_j = 0, 0
                    for i in range(k):
                        for j in range(k):  # strictly greater: the first maximum wins a tie
                            if (
                                X[n, c, y * s + i, x * s + j]
                                > X[n, c, y * s + best_i, x * s + best_j]
                            ):
                                best_i, best_j = i, j
                    dX[n, c, y * s + best_i, x * s + best_j] += dA[n, c, y, x]
    return dX
