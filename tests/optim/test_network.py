"""The optimizers through ``NeuralNetwork``'s hook: every one trains, and Adam equals torch's.

The hook (``NeuralNetwork(..., optimizer=opt)``) calls ``opt.step(net.parameters(),
net.gradients())`` in ``update()``; the optimizer must change the network's own arrays in place.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from sklearn.datasets import make_moons

from glassml.nn import NeuralNetwork
from glassml.optim import SGD, AdaGrad, Adam, Momentum, RMSProp

pytestmark = pytest.mark.usefixtures("torch_one_thread")

OPTIMIZERS = {
    "SGD": lambda: SGD(learning_rate=0.5),
    "Momentum": lambda: Momentum(learning_rate=0.5),
    "RMSProp": lambda: RMSProp(learning_rate=1e-2),
    "Adam": lambda: Adam(learning_rate=1e-2),
    "AdaGrad": lambda: AdaGrad(learning_rate=5e-2),
}


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(n_samples=200, noise=0.15, random_state=0)
    return X, y


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_network_trains_with_each_optimizer(name, moons):
    X, y = moons
    net = NeuralNetwork([2, 16, 1], optimizer=OPTIMIZERS[name](), random_state=0)
    arrays = net.parameters()
    start = [p.copy() for p in arrays]
    losses = net.fit(X, y, epochs=30, batch_size=32, verbose=False)
    # the optimizer changed the network's own arrays (same objects), and learning happened
    assert all(a is b for a, b in zip(arrays, net.parameters(), strict=True))
    assert all(not np.array_equal(p, s) for p, s in zip(arrays, start, strict=True))
    assert losses[-1] < 0.6 * losses[0], losses
    assert np.mean(net.predict(X) == y) > 0.85


def test_adam_example_from_the_issue_decreases_the_loss(moons):
    X, y = moons
    net = NeuralNetwork([2, 16, 1], optimizer=Adam(learning_rate=1e-3), random_state=1)
    losses = net.fit(X, y, epochs=20, batch_size=16, verbose=False)
    assert all(b < a for a, b in itertools.pairwise(losses))


def test_two_networks_can_share_one_optimizer_without_sharing_state(moons):
    X, y = moons
    shared = Adam(learning_rate=1e-2)
    a = NeuralNetwork([2, 8, 1], optimizer=shared, random_state=2)
    b = NeuralNetwork([2, 8, 1], optimizer=shared, random_state=3)
    alone_a = NeuralNetwork([2, 8, 1], optimizer=Adam(learning_rate=1e-2), random_state=2)
    alone_b = NeuralNetwork([2, 8, 1], optimizer=Adam(learning_rate=1e-2), random_state=3)
    for _ in range(5):
        for net in (a, b, alone_a, alone_b):
            net.backward(net.forward(X), y)
            net.update()
    for p, q in zip(a.parameters() + b.parameters(), alone_a.parameters() + alone_b.parameters(),
                    strict=True):  # fmt: skip
        np.testing.assert_array_equal(p, q)


def _torch_twin(net: NeuralNetwork) -> torch.nn.Sequential:
    """The same MLP in torch (Linear stores W transposed), float64, weights copied."""
    modules: list[torch.nn.Module] = []
    for i, layer in enumerate(net.layers):
        lin = torch.nn.Linear(*layer.W.shape, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            lin.bias.copy_(torch.from_numpy(layer.b.copy()))
        modules.append(lin)
        if i < len(net.layers) - 1:
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: Adam(learning_rate=1e-2), lambda ps: torch.optim.Adam(ps, lr=1e-2)),
        (
            lambda: Momentum(learning_rate=0.1, beta=0.9),
            lambda ps: torch.optim.SGD(ps, lr=0.1 * (1 - 0.9), momentum=0.9),
        ),
    ],
    ids=["Adam", "Momentum"],
)
def test_network_with_optimizer_equals_torch_network_with_torch_optim(ours, theirs):
    X, y = make_moons(n_samples=64, noise=0.2, random_state=4)
    net = NeuralNetwork([2, 10, 6, 2], loss="cross_entropy", optimizer=ours(), random_state=5)
    model = _torch_twin(net)
    W0 = net.layers[0].W.copy()
    opt = theirs(list(model.parameters()))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(25):  # full batch, so both sides see identical data every step
        net.backward(net.forward(X), y)
        net.update()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(Xt), yt).backward()
        opt.step()
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for layer, lin in zip(net.layers, linears, strict=True):
        np.testing.assert_allclose(layer.W, lin.weight.detach().numpy().T, rtol=0, atol=1e-10)
        np.testing.assert_allclose(layer.b, lin.bias.detach().numpy(), rtol=0, atol=1e-10)
    assert np.abs(net.layers[0].W - W0).max() > 1e-2  # training really moved the weights
