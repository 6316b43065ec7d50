"""Convolution, max pooling and the reshaping layers of a small CNN, as :class:`Layer` objects.

- :class:`Conv2d` -- a 2-D convolution (PyTorch's ``nn.Conv2d``: NCHW arrays, weights of shape
  (out_channels, in_channels, k, k)) computed by im2col and one matrix product;
- :class:`MaxPool2d` -- the maximum of every window (PyTorch's ``nn.MaxPool2d``);
- :class:`ReLU`, :class:`Flatten`, :class:`Unflatten` -- element-wise ReLU and the reshapes
  between images and the rows a :class:`~glassml.nn.DenseLayer` takes.

The definitions, as nested loops, are in :mod:`glassml.nn.textbook_conv`; read them first. The
layers here compute the same numbers (tested to 1e-12) without a Python loop over samples,
channels or pixels: they loop only over the ``k²`` kernel offsets.

Example: a CNN on 8×8 digit images fed as rows of 64 pixels (``Sequential`` takes 2-D input)::

    Sequential([Unflatten((1, 8, 8)), Conv2d(1, 16, 3, padding=1), ReLU(), MaxPool2d(2),
                Flatten(), DenseLayer(16 * 4 * 4, 10, "softmax")], loss="cross_entropy")
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from glassml._validation import check_finite_array, check_positive, check_scalar_number, make_rng
from glassml.nn.activations import get_activation
from glassml.nn.base import Layer
from glassml.nn.init import he_scale
from glassml.nn.layers import check_dtype

__all__ = ["Conv2d", "Flatten", "MaxPool2d", "ReLU", "Unflatten"]


# col2im works on blocks of about this many output positions (whole samples), see Conv2d._col2im.
_COL2IM_ROWS = 8192


def _windows(Xp: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """Every ``kernel × kernel`` window of ``Xp`` (N, C, H, W): a view (N, C, OH, OW, k, k)."""
    win = sliding_window_view(Xp, (kernel, kernel), axis=(2, 3))
    return win[:, :, ::stride, ::stride]


def _float_dtype(X: Any) -> np.dtype:
    """float32 for float32 input (kept, as torch does), float64 for anything else."""
    dt = np.asarray(X).dtype
    return dt if dt == np.float32 else np.dtype(np.float64)


def _check_images(X: Any, name: str, dtype: np.dtype, channels: int, owner: str) -> np.ndarray:
    """``X`` as a finite 4-D (N, C, H, W) array of ``dtype`` with ``channels`` channels."""
    X = check_finite_array(X, name, ndim=4, dtype=dtype)
    if X.shape[1] != channels:
        raise ValueError(
            f"{name} has {X.shape[1]} channels (shape {X.shape}, NCHW), but this {owner} has "
            f"in_channels={channels}."
        )
    return X


def _check_kernel_fits(shape: tuple[int, ...], kernel: int, padding: int, owner: str) -> None:
    """``ValueError`` unless a ``kernel × kernel`` window fits in the padded image."""
    padded = (shape[2] + 2 * padding, shape[3] + 2 * padding)
    if min(padded) < kernel:
        raise ValueError(
            f"kernel_size={kernel} is larger than the padded input: {owner} got images of "
            f"{shape[2]}×{shape[3]} with padding={padding}, i.e. {padded[0]}×{padded[1]}."
        )


def _check_dA(dA: Any, expected: tuple[int, ...] | None, dtype: np.dtype, owner: str) -> np.ndarray:
    """``dA`` checked against the shape of the last forward output (``RuntimeError`` if none)."""
    if expected is None:
        raise RuntimeError(f"{owner}.backward called before forward; call forward(X) first.")
    dA = check_finite_array(dA, "dA", dtype=dtype)
    if dA.shape != expected:
        raise ValueError(f"dA must have the shape of the last output {expected}, got {dA.shape}.")
    return dA


class Conv2d(Layer):
    """A 2-D convolution layer on NCHW images, PyTorch's ``nn.Conv2d`` (square kernel).

    Parameters
    ----------
    in_channels : int
        Channels of the input images.
    out_channels : int
        Number of kernels (channels of the output).
    kernel_size : int
        The kernel is ``kernel_size × kernel_size``.
    stride : int, default=1
        Step between two kernel positions.
    padding : int, default=0
        Zeros added on every side of each image.
    random_state : None, int or numpy.random.Generator
        Seeds the weight draw.
    dtype : np.float32 or np.float64, default=np.float64
        Dtype of the parameters, gradients and outputs; inputs are cast to it.

    Attributes
    ----------
    W : ndarray of shape (out_channels, in_channels, kernel_size, kernel_size)
        The kernels (PyTorch's layout: ``torch_conv.weight`` is this array).
    b : ndarray of shape (out_channels,)
        Biases, start at 0.
    dW, db : ndarray
        Gradients from the last :meth:`backward`, the shapes of ``W`` and ``b``.

    Notes
    -----
    ``Z[n, o, y, x] = b[o] + Σ_{c,i,j} W[o, c, i, j] · Xp[n, c, y·s + i, x·s + j]`` (``Xp`` the
    padded input; see :func:`~glassml.nn.textbook_conv.conv2d_forward` for the seven loops).
    Output size ``OH = (H + 2 padding - k) // s + 1``, likewise ``OW``.

    im2col: each receptive field becomes one row of ``cols`` (N·OH·OW, C·k·k), so the whole
    convolution is one matrix product and backward is three formulas, as for a dense layer::

        Z  = cols @ W.reshape(out, -1).T + b     # (N·OH·OW, out)
        dW = dZ.T @ cols                         # (out, C·k·k), summed over every position
        db = dZ.sum(axis=0)
        dcols = dZ @ W.reshape(out, -1)          # col2im: each row added back to its field

    NOTE: the code orders each row of ``cols`` as ``(i, j, c)`` rather than ``(c, i, j)`` and
    permutes ``W`` to match (a copy of out·C·k² numbers): with the image channels-last every
    piece copied is then C contiguous numbers. ``dW`` is computed as ``(colsᵀ dZ)ᵀ``, which
    OpenBLAS runs several times faster than ``dZᵀ cols`` for these tall, thin matrices, and
    ``dcols`` is never built whole (see :meth:`_col2im`). Measured fwd+bwd at batch 64, 3×3,
    28×28, float32, in one process with torch, one BLAS/torch thread each: 1→16 channels
    0.95× torch's time, 16→32 channels 1.57×; two threads each: 0.72× and 0.91×.

    Initialisation: He normal ``N(0, 2 / fan_in)`` with ``fan_in = in_channels · k²`` and zero
    bias, as :class:`~glassml.nn.DenseLayer` does for ReLU. NOTE: PyTorch's default differs
    (``U(±1/√fan_in)`` for both ``W`` and ``b``); copy ``torch_conv.weight`` into ``W`` to compare.

    NOTE: the output is returned as a transposed view of an (N, OH, OW, out) array: NCHW by shape
    and indexing, but channels-last in memory, which is what the next layer's im2col wants.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        random_state: None | int | np.random.Generator = None,
        dtype: Any = np.float64,
    ) -> None:
        check_positive(in_channels, "in_channels", integer=True)
        check_positive(out_channels, "out_channels", integer=True)
        check_positive(kernel_size, "kernel_size", integer=True)
        check_positive(stride, "stride", integer=True)
        check_scalar_number(padding, "padding", low=0, integer=True)
        self.dtype = check_dtype(dtype)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.padding = int(kernel_size), int(stride), int(padding)
        k = self.kernel_size
        fan_in = self.in_channels * k * k
        rng = make_rng(random_state)
        shape = (self.out_channels, self.in_channels, k, k)
        self.W = (rng.standard_normal(shape) * he_scale(fan_in)).astype(self.dtype)
        self.b = np.zeros(self.out_channels, dtype=self.dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._cols: np.ndarray | None = None  # (N·OH·OW, C·k·k), the im2col of the last input
        self._X_shape: tuple[int, ...] | None = None
        self._out_shape: tuple[int, ...] | None = None
        self._WmatT = np.empty((fan_in, self.out_channels), dtype=self.dtype)  # scratch for Wᵀ

    def __repr__(self) -> str:
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, dtype=np.{self.dtype.name})"
        )

    def parameters(self) -> list[np.ndarray]:
        """``[W, b]``, the live arrays."""
        return [self.W, self.b]

    def gradients(self) -> list[np.ndarray]:
        """``[dW, db]``, the live arrays filled by :meth:`backward`."""
        return [self.dW, self.db]

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """Convolve a batch ``X`` of shape (N, in_channels, H, W); ``training`` is unused.

        Returns
        -------
        ndarray of shape (N, out_channels, OH, OW)
        """
        X = _check_images(X, "X", self.dtype, self.in_channels, "Conv2d")
        _check_kernel_fits(X.shape, self.kernel_size, self.padding, "Conv2d")
        return self._forward(X, training)

    def backward(self, dA: Any) -> np.ndarray:
        """Fill ``dW``, ``db`` from ``dA`` (N, out_channels, OH, OW); return ``dX`` (N, C, H, W)."""
        dA = _check_dA(dA, self._out_shape, self.dtype, "Conv2d")
        dX = self._backward(dA)
        assert dX is not None
        return dX

    # -- fast path (Sequential calls these after validating once) -------------------------------
    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        k, s, p = self.kernel_size, self.stride, self.padding
        n, c = X.shape[0], self.in_channels
        Xh = X.transpose(0, 2, 3, 1)  # (N, H, W, C): channels last, so each copy below is dense
        Xh = np.pad(Xh, ((0, 0), (p, p), (p, p), (0, 0))) if p else np.ascontiguousarray(Xh)
        win = sliding_window_view(Xh, (k, k), axis=(1, 2))[:, ::s, ::s]  # (N, OH, OW, C, k, k)
        OH, OW = win.shape[1], win.shape[2]
        # im2col, one copy: row (n, y, x) holds its receptive field in (i, j, c) order
        cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(n * OH * OW, k * k * c)
        WmatT = self._WmatT.reshape(k, k, c, self.out_channels)
        np.copyto(WmatT, self.W.transpose(2, 3, 1, 0))  # W as (i, j, c) rows, out columns
        Z = cols @ self._WmatT  # (N·OH·OW, out)
        Z += self.b
        self._cols, self._X_shape = cols, X.shape
        self._out_shape = (n, self.out_channels, OH, OW)
        return Z.reshape(n, OH, OW, self.out_channels).transpose(0, 3, 1, 2)

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        cols, X_shape = self._cols, self._X_shape
        assert cols is not None and X_shape is not None
        k, c, out = self.kernel_size, self.in_channels, self.out_channels
        dZ = dA.transpose(0, 2, 3, 1).reshape(cols.shape[0], out)  # (N·OH·OW, out)
        np.sum(dZ, axis=0, out=self.db)
        # NOTE: colsᵀ dZ (k·k·C, out) is several times faster in OpenBLAS than dZᵀ cols
        dWmatT = cols.T @ dZ  # dW = dZᵀ cols, summed over every sample and position
        np.copyto(self.dW, dWmatT.reshape(k, k, c, out).transpose(3, 2, 0, 1))
        if not need_dX:
            return None
        return self._col2im(dZ, X_shape, dA.shape[2], dA.shape[3])

    def _col2im(self, dZ: np.ndarray, X_shape: tuple[int, ...], OH: int, OW: int) -> np.ndarray:
        """``dX``: ``dcols = dZ @ W.reshape(out, -1)`` added back onto the receptive fields.

        NOTE: ``dcols`` is never built whole. For each kernel offset ``(i, j)`` its columns are
        ``dZ @ W[:, :, i, j]`` (rows, C), added to ``dXp`` shifted by ``(i, j)``: the same sums,
        with every add over long contiguous rows instead of C-float pieces, a block of about
        ``_COL2IM_ROWS`` rows (whole samples) at a time so that the block's ``dXp`` stays in
        cache across the k² adds. Measured at batch 64, 16 channels, 26×26, one thread: 12 ms,
        against 30 ms unblocked and 60 ms for ``dcols`` whole then C-float adds.
        """
        k, s, p = self.kernel_size, self.stride, self.padding
        n, c, height, width = X_shape
        W_offsets = [np.ascontiguousarray(self.W[:, :, i, j]) for i in range(k) for j in range(k)]
        dXp = np.zeros((n, height + 2 * p, width + 2 * p, c), dtype=self.dtype)  # channels last
        per_block = max(1, _COL2IM_ROWS // (OH * OW))  # samples per block
        slab = np.empty((per_block * OH * OW, c), dtype=self.dtype)
        for start in range(0, n, per_block):
            dZ_block = dZ[start * OH * OW : (start + per_block) * OH * OW]
            dXp_block = dXp[start : start + per_block]
            out = slab[: dZ_block.shape[0]]
            for i in range(k):  # loop over the k² kernel offsets only
                for j in range(k):
                    np.matmul(dZ_block, W_offsets[i * k + j], out=out)  # (rows, C)
                    dXp_block[:, i : i + s * (OH - 1) + 1 : s, j : j + s * (OW - 1) + 1 : s] += (
                        out.reshape(-1, OH, OW, c)
                    )
        return dXp[:, p : p + height, p : p + width].transpose(0, 3, 1, 2)


class MaxPool2d(Layer):
    """Max pooling over ``kernel_size × kernel_size`` windows, PyTorch's ``nn.MaxPool2d``.

    Parameters
    ----------
    kernel_size : int
    stride : int, optional
        Defaults to ``kernel_size`` (windows side by side), as in PyTorch. No padding.

    Notes
    -----
    ``A[n, c, y, x] = max_{i,j} X[n, c, y·s + i, x·s + j]``; backward sends each ``dA`` to the
    position of its window's maximum (see :func:`~glassml.nn.textbook_conv.maxpool2d_backward`).
    NOTE: on ties the FIRST maximum in row-major window order gets the whole gradient, as
    PyTorch's CPU kernel does (tested); overlapping windows add their gradients.
    """

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        check_positive(kernel_size, "kernel_size", integer=True)
        if stride is not None:
            check_positive(stride, "stride", integer=True)
        self.kernel_size = int(kernel_size)
        self.stride = self.kernel_size if stride is None else int(stride)
        # where each window's maximum is in the flattened windows (N·C·OH·OW·k²,)
        self._max_index: np.ndarray | None = None
        self._X_shape: tuple[int, ...] | None = None
        self._out_shape: tuple[int, ...] | None = None
        self._dtype = np.dtype(np.float64)  # of the last input

    def __repr__(self) -> str:
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """The maximum of every window of ``X`` (N, C, H, W); returns (N, C, OH, OW)."""
        X = check_finite_array(X, "X", ndim=4, dtype=_float_dtype(X))
        _check_kernel_fits(X.shape, self.kernel_size, 0, "MaxPool2d")
        return self._forward(X, training)

    def backward(self, dA: Any) -> np.ndarray:
        """``dX`` of shape (N, C, H, W) from ``dA`` of shape (N, C, OH, OW)."""
        dA = _check_dA(dA, self._out_shape, self._dtype, "MaxPool2d")
        dX = self._backward(dA)
        assert dX is not None
        return dX

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        k = self.kernel_size
        win = _windows(X, k, self.stride)  # (N, C, OH, OW, k, k), a view
        flat = win.reshape(*win.shape[:4], k * k)  # one copy: windows flattened row-major
        argmax = flat.argmax(axis=-1)  # NOTE: argmax returns the FIRST maximum, as torch
        # a flat index gathers (and backward scatters) 4x faster than take/put_along_axis
        max_index = np.arange(argmax.size) * (k * k) + argmax.reshape(-1)
        A = flat.reshape(-1)[max_index].reshape(argmax.shape)
        self._max_index, self._X_shape, self._out_shape = max_index, X.shape, A.shape
        self._dtype = X.dtype
        return A

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        max_index, X_shape = self._max_index, self._X_shape
        assert max_index is not None and X_shape is not None
        if not need_dX:
            return None
        k, s = self.kernel_size, self.stride
        n, c, OH, OW = dA.shape
        d_flat = np.zeros((n, c, OH, OW, k * k), dtype=dA.dtype)  # each window's gradient
        d_flat.reshape(-1)[max_index] = dA.reshape(-1)  # all of it to the window's maximum
        dX = np.zeros(X_shape, dtype=dA.dtype)
        if s == k:  # the windows tile the image: one reshape puts every gradient in place
            d_img = d_flat.reshape(n, c, OH, OW, k, k).transpose(0, 1, 2, 4, 3, 5)
            dX[:, :, : OH * k, : OW * k] = d_img.reshape(n, c, OH * k, OW * k)
            return dX
        for i in range(k):  # overlapping or gapped windows: add offset by offset
            for j in range(k):
                dX[:, :, i : i + s * (OH - 1) + 1 : s, j : j + s * (OW - 1) + 1 : s] += d_flat[
                    ..., i * k + j
                ]
        return dX


class ReLU(Layer):
    """Element-wise ``max(0, X)`` as a layer, for inputs of any shape (e.g. after a Conv2d).

    Backward: ``dX = dA ⊙ [A > 0]`` (from :data:`~glassml.nn.activations.ACTIVATION_TABLE`).
    """

    def __init__(self) -> None:
        self._A: np.ndarray | None = None

    def __repr__(self) -> str:
        return "ReLU()"

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """``max(0, X)``, the shape of ``X`` (float32 kept, anything else as float64)."""
        X = check_finite_array(X, "X", dtype=_float_dtype(X))
        return self._forward(X, training)

    def backward(self, dA: Any) -> np.ndarray:
        """``dX = dA ⊙ [A > 0]``, the shape of ``dA`` (the last output's shape)."""
        expected = None if self._A is None else self._A.shape
        dtype = np.dtype(np.float64) if self._A is None else self._A.dtype
        dX = self._backward(_check_dA(dA, expected, dtype, "ReLU"))
        assert dX is not None
        return dX

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        self._A = np.maximum(X, 0)  # a fresh array, the memory layout of X
        return self._A

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        assert self._A is not None
        if not need_dX:
            return None
        return get_activation("relu").vjp(self._A, dA, overwrite)


class Flatten(Layer):
    """Reshape (N, d1, d2, ...) to (N, d1·d2·…), PyTorch's ``nn.Flatten()``; backward undoes it."""

    def __init__(self) -> None:
        self._X_shape: tuple[int, ...] | None = None

    def __repr__(self) -> str:
        return "Flatten()"

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """``X`` of shape (N, ...) as (N, features), features in C order (as torch)."""
        X = check_finite_array(X, "X", dtype=_float_dtype(X))
        if X.ndim < 2:
            raise ValueError(
                f"X must have a batch axis and at least one more, got shape {X.shape}."
            )
        return self._forward(X, training)

    def backward(self, dA: Any) -> np.ndarray:
        """``dA`` of shape (N, features) reshaped to the last input's shape."""
        if self._X_shape is None:
            raise RuntimeError("Flatten.backward called before forward; call forward(X) first.")
        expected = (self._X_shape[0], int(np.prod(self._X_shape[1:])))
        dX = self._backward(_check_dA(dA, expected, _float_dtype(dA), "Flatten"))
        assert dX is not None
        return dX

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        self._X_shape = X.shape
        return X.reshape(X.shape[0], -1)

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        assert self._X_shape is not None
        return dA.reshape(self._X_shape) if need_dX else None


class Unflatten(Layer):
    """Reshape rows ``(N, features)`` to ``(N, *shape)``, PyTorch's ``nn.Unflatten(1, shape)``.

    :class:`~glassml.nn.Sequential` takes 2-D input (n_samples, n_features); put this first to
    feed images, e.g. ``Unflatten((1, 8, 8))`` for the 64 pixels of a digit.

    Parameters
    ----------
    shape : tuple of int
        The shape of one sample, e.g. (channels, height, width).
    """

    def __init__(self, shape: tuple[int, ...]) -> None:
        if not isinstance(shape, tuple) or len(shape) == 0:
            raise TypeError(f"shape must be a non-empty tuple of int, got {shape!r}.")
        for i, d in enumerate(shape):
            check_positive(d, f"shape[{i}]", integer=True)
        self.shape = tuple(int(d) for d in shape)
        self.n_inputs = int(np.prod(self.shape))  # Sequential checks X against it
        self._n: int | None = None

    def __repr__(self) -> str:
        return f"Unflatten({self.shape})"

    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """``X`` of shape ``(N, prod(shape))`` as ``(N, *shape)``."""
        X = check_finite_array(X, "X", ndim=2, dtype=_float_dtype(X))
        if X.shape[1] != self.n_inputs:
            raise ValueError(
                f"X has {X.shape[1]} features, but Unflatten({self.shape}) needs "
                f"{self.n_inputs} per sample."
            )
        return self._forward(X, training)

    def backward(self, dA: Any) -> np.ndarray:
        """``dA`` of shape ``(N, *shape)`` as ``(N, prod(shape))``."""
        expected = None if self._n is None else (self._n, *self.shape)
        dA = _check_dA(dA, expected, _float_dtype(dA), "Unflatten")
        dX = self._backward(dA)
        assert dX is not None
        return dX

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        self._n = X.shape[0]
        return X.reshape(X.shape[0], *self.shape)

    def _backward(
        self, dA: np.ndarray, need_dX: bool = True, overwrite: bool = False
    ) -> np.ndarray | None:
        return dA.reshape(dA.shape[0], -1) if need_dX else None
