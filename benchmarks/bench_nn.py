"""NumPy ``NeuralNetwork`` training epoch vs the same network in PyTorch (CPU), same process.

One timed call = ONE training epoch on both sides: shuffle, mini-batches, forward, loss,
backward, optimizer step, and the epoch's mean loss. Both sides use float32, the same layer
sizes, ReLU hidden layers, a softmax cross-entropy output and the same optimizer (vanilla SGD
without momentum; Adam too, ``glassml.optim.Adam`` vs ``torch.optim.Adam``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

from harness import Row, compare, torch_epoch


def _glassml_epoch(
    sizes: list[int], X: np.ndarray, y: np.ndarray, batch: int, optimizer: str
) -> Callable[[], object]:
    from glassml.nn import NeuralNetwork

    opt = None
    if optimizer == "adam":
        from glassml.optim import Adam

        opt = Adam(learning_rate=1e-3)
    net = NeuralNetwork(
        sizes,
        loss="cross_entropy",
        learning_rate=0.01,
        optimizer=opt,
        random_state=0,
        dtype=np.float32,
    )
    return lambda: net.fit(X, y, epochs=1, batch_size=batch, verbose=False)


def _torch_epoch(
    sizes: list[int], X: np.ndarray, y: np.ndarray, batch: int, optimizer: str
) -> Callable[[], object]:
    import torch

    torch.manual_seed(0)  # the reference side only; glassml itself never seeds globally
    layers: list[torch.nn.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
    return torch_epoch(model, opt, X, y, batch)


def _have_adam() -> bool:
    try:
        from glassml.optim import Adam  # noqa: F401
    except ImportError:
        return False
    return True


def cases(quick: bool) -> Iterator[Row]:
    from sklearn.datasets import load_digits

    digits_X, digits_y = load_digits(return_X_y=True)
    digits_X = (digits_X / 16.0).astype(np.float32)
    rng = np.random.default_rng(0)
    if quick:
        setups = [
            (
                "MLP epoch, digits 64-16-10, batch 64",
                [64, 16, 10],
                digits_X[:256],
                digits_y[:256],
                64,
                1.0,
            ),
            (
                "MLP epoch, 64-32-32-10, batch 64",
                [64, 32, 32, 10],
                rng.standard_normal((256, 64), dtype=np.float32),
                rng.integers(0, 10, 256),
                64,
                1.3,
            ),
        ]
        repeats = 1
    else:
        setups = [
            (
                "MLP epoch, digits 64-128-64-10, batch 64, f32",
                [64, 128, 64, 10],
                digits_X,
                digits_y,
                64,
                1.0,
            ),
            (
                "MLP epoch, 784-1024-1024-10, batch 256, f32, 4096 samples",
                [784, 1024, 1024, 10],
                rng.standard_normal((4096, 784), dtype=np.float32),
                rng.integers(0, 10, 4096),
                256,
                1.3,
            ),
        ]
        repeats = 7
    optimizers = ["sgd", "adam"] if _have_adam() else ["sgd"]
    for optimizer in optimizers:
        for name, sizes, X, y, batch, target in setups:
            yield compare(
                f"{name}, {'Adam' if optimizer == 'adam' else 'SGD'}",
                _glassml_epoch(sizes, X, y, batch, optimizer),
                _torch_epoch(sizes, X, y, batch, optimizer),
                target=target,
                repeats=repeats,
                note="vs torch CPU",
            )
