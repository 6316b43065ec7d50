"""NumPy ``Conv2d`` forward+backward and a CNN training epoch vs PyTorch (CPU), same process.

Conv rows: one timed call = forward and backward (``dX``, ``dW``, ``db``) of one 3×3 convolution
on a float32 batch, ``glassml.nn.conv.Conv2d`` vs ``torch.nn.Conv2d`` with autograd.
CNN rows: one timed call = one training epoch on scikit-learn's digits (8×8) of
Conv2d(1→16, 3×3, padding 1) → ReLU → MaxPool2d(2) → Flatten → Dense(256→10) with softmax
cross-entropy and Adam, float32, batch 32, on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from harness import Row, compare, torch_epoch


def _glassml_conv(X: np.ndarray, c_in: int, c_out: int) -> Callable[[], object]:
    from glassml.nn.conv import Conv2d

    layer = Conv2d(c_in, c_out, 3, random_state=0, dtype=np.float32)
    dA = np.ones((X.shape[0], c_out, X.shape[2] - 2, X.shape[3] - 2), dtype=np.float32)

    def step() -> object:
        layer._forward(X)
        return layer._backward(dA)

    return step


def _torch_conv(X: np.ndarray, c_in: int, c_out: int) -> Callable[[], object]:
    import torch

    torch.manual_seed(0)  # the reference side only
    conv = torch.nn.Conv2d(c_in, c_out, 3)
    Xt = torch.from_numpy(X).requires_grad_(True)
    dA = torch.ones((X.shape[0], c_out, X.shape[2] - 2, X.shape[3] - 2))

    def step() -> object:
        Xt.grad = None
        conv.zero_grad()
        conv(Xt).backward(dA)
        return Xt.grad

    return step


def _glassml_cnn(X: np.ndarray, y: np.ndarray, batch: int) -> Callable[[], object]:
    from glassml.nn import DenseLayer, Sequential
    from glassml.nn.conv import Conv2d, Flatten, MaxPool2d, ReLU, Unflatten
    from glassml.optim import Adam

    f32 = np.float32
    layers = [
        Unflatten((1, 8, 8)),
        Conv2d(1, 16, 3, padding=1, random_state=0, dtype=f32),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        DenseLayer(256, 10, "softmax", random_state=1, dtype=f32),
    ]
    net = Sequential(layers, loss="cross_entropy", optimizer=Adam(1e-3), random_state=0)
    return lambda: net.fit(X, y, epochs=1, batch_size=batch, verbose=False)


def _torch_cnn(X: np.ndarray, y: np.ndarray, batch: int) -> Callable[[], object]:
    import torch

    torch.manual_seed(0)  # the reference side only
    model = torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 8, 8)),
        torch.nn.Conv2d(1, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(256, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return torch_epoch(model, opt, X, y, batch)


def cases(quick: bool) -> Iterator[Row]:
    from sklearn.datasets import load_digits

    rng = np.random.default_rng(0)
    batch, size, repeats = (8, 12, 1) if quick else (64, 28, 7)
    for c_in, c_out in [(1, 16), (16, 32)]:
        X = rng.standard_normal((batch, c_in, size, size), dtype=np.float32)
        yield compare(
            f"Conv2d fwd+bwd, batch {batch}, {c_in}->{c_out}, 3x3, {size}x{size}, f32",
            _glassml_conv(X, c_in, c_out),
            _torch_conv(X, c_in, c_out),
            target=1.5,
            repeats=repeats,
            note="vs torch CPU",
        )
    digits_X, digits_y = load_digits(return_X_y=True)
    digits_X = (digits_X / 16.0).astype(np.float32)
    n = 256 if quick else len(digits_X)
    yield compare(
        f"CNN epoch, digits ({n}), conv16-pool-dense, batch 32, Adam, f32",
        _glassml_cnn(digits_X[:n], digits_y[:n], 32),
        _torch_cnn(digits_X[:n], digits_y[:n], 32),
        target=1.5,
        repeats=1 if quick else 5,
        note="vs torch CPU",
    )
