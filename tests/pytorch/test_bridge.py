"""The bridge between the two tracks: the NumPy NeuralNetwork (hand-written backprop) and the
torch MLP (autograd) follow the same SGD trajectory from the same starting weights.

The torch model is ``MLP(..., dropout=0.0, batch_norm=False)``: Linear → ReLU (→ Dropout(0), the
identity) per hidden layer and a final Linear to logits. The NumPy network ends in the output
activation that its loss pairs with (sigmoid for bce, softmax for cross-entropy, linear for mse),
which torch's losses apply internally (``BCEWithLogitsLoss``, ``CrossEntropyLoss``).
Weights are stored transposed: NumPy ``W`` is (n_in, n_out), ``nn.Linear.weight`` (n_out, n_in).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from glassml.nn import NeuralNetwork
from glassml.pytorch import MLP

CASES = {
    "bce": ([4, 8, 6, 1], nn.BCEWithLogitsLoss()),
    "cross_entropy": ([4, 7, 3], nn.CrossEntropyLoss()),
    "mse": ([4, 5, 2], nn.MSELoss()),
}


def targets(loss, n, rng):
    if loss == "bce":
        return rng.integers(0, 2, n).astype(np.float64).reshape(-1, 1)
    if loss == "cross_entropy":
        return rng.integers(0, 3, n)
    return rng.normal(size=(n, 2))


def linears(model: MLP) -> list[nn.Linear]:
    return [m for m in model.net if isinstance(m, nn.Linear)]


@pytest.mark.parametrize("loss", list(CASES))
def test_numpy_network_and_torch_mlp_stay_equal_under_sgd(loss):
    sizes, loss_fn = CASES[loss]
    lr = 0.1
    numpy_net = NeuralNetwork(sizes, loss=loss, learning_rate=lr, random_state=0)
    torch_net = MLP(sizes[0], sizes[1:-1], sizes[-1], dropout=0.0, batch_norm=False).double()
    with torch.no_grad():
        for layer, lin in zip(numpy_net.layers, linears(torch_net), strict=True):
            lin.weight.copy_(torch.from_numpy(layer.W.T))
            lin.bias.copy_(torch.from_numpy(layer.b))
    optimizer = torch.optim.SGD(torch_net.parameters(), lr=lr)

    rng = np.random.default_rng(1)
    X_all = rng.normal(size=(40, sizes[0]))
    y_all = targets(loss, 40, rng)
    batches = [rng.choice(40, size=size, replace=False) for size in (7, 1, 16, 7, 40, 3)]
    for step, idx in enumerate(batches):
        X, y = X_all[idx], y_all[idx]
        p = numpy_net.forward(X)
        numpy_loss = numpy_net.loss_value(p, y)
        numpy_net.backward(p, y)
        numpy_net.update()

        optimizer.zero_grad()
        logits = torch_net(torch.from_numpy(X))
        torch_loss = loss_fn(logits, torch.from_numpy(y))
        torch_loss.backward()
        optimizer.step()

        assert numpy_loss == pytest.approx(torch_loss.item(), rel=1e-10, abs=1e-12), step
        for layer, lin in zip(numpy_net.layers, linears(torch_net), strict=True):
            np.testing.assert_allclose(layer.W, lin.weight.detach().numpy().T, rtol=0, atol=1e-8)
            np.testing.assert_allclose(layer.b, lin.bias.detach().numpy(), rtol=0, atol=1e-8)
    # The weights moved: the comparison above is not between two untouched copies.
    start = NeuralNetwork(sizes, loss=loss, learning_rate=lr, random_state=0)
    assert not np.allclose(start.layers[0].W, numpy_net.layers[0].W)

    X_test = rng.normal(size=(5, sizes[0]))
    with torch.no_grad():
        logits = torch_net.eval()(torch.from_numpy(X_test)).numpy()
    expected = {
        "bce": lambda z: 1 / (1 + np.exp(-z)),
        "cross_entropy": lambda z: np.exp(z) / np.exp(z).sum(1, keepdims=True),
        "mse": lambda z: z,
    }[loss](logits)
    np.testing.assert_allclose(numpy_net.forward(X_test), expected, rtol=0, atol=1e-8)
