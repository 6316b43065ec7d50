"""Neuron and DenseLayer: hand-computed cases, central differences (batch 1 and 7), PyTorch,
errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glassml.nn import (
    ACTIVATIONS,
    DenseLayer,
    Neuron,
    max_relative_error,
    numerical_gradient,
)

TORCH_ACT = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda t: torch.softmax(t, dim=1),
    "linear": lambda t: t,
}
GRAD_TOL = 1e-7


# -- Neuron ------------------------------------------------------------------------------------
def test_neuron_hand_computed_forward_and_backward():
    n = Neuron(3, activation="relu", random_state=0)
    n.w[:] = [0.5, -1.0, 2.0]
    n.b = 0.25
    x = np.array([1.0, 2.0, 3.0])
    # z = 0.5 - 2 + 6 + 0.25 = 4.75 > 0, so a = z and relu' = 1
    assert n.forward(x) == 4.75
    dx, dw, db = n.backward(2.0)
    np.testing.assert_array_equal(dw, 2.0 * x)
    np.testing.assert_array_equal(dx, 2.0 * n.w)
    assert db == 2.0
    # sigmoid at z = 0: a = 0.5, σ' = 0.25
    s = Neuron(2, activation="sigmoid", random_state=0)
    s.w[:] = [1.0, -1.0]
    assert s.forward([3.0, 3.0]) == 0.5
    dx, dw, db = s.backward(1.0)
    np.testing.assert_array_equal(dw, [0.75, 0.75])
    assert db == 0.25


def test_neuron_weights_use_he_or_xavier():
    relu_n = Neuron(50, "relu", random_state=3)
    tanh_n = Neuron(50, "tanh", random_state=3)
    np.testing.assert_allclose(relu_n.w / tanh_n.w, np.sqrt(2.0))
    assert relu_n.b == 0.0 and relu_n.w.shape == (50,)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("batch", [None, 1, 7])
def test_neuron_gradients_match_central_differences(activation, batch):
    rng = np.random.default_rng(11)
    n = Neuron(4, activation=activation, random_state=5)
    n.b = 0.3
    x = rng.normal(size=(4,) if batch is None else (batch, 4))
    r = rng.normal() if batch is None else rng.normal(size=batch)

    def loss() -> float:
        return float(np.sum(r * np.asarray(n.forward(x))))

    loss()
    dx, dw, db = n.backward(r)
    assert max_relative_error(dw, numerical_gradient(loss, n.w)) < GRAD_TOL
    assert max_relative_error(dx, numerical_gradient(loss, x)) < GRAD_TOL
    b0, h = n.b, 1e-6
    n.b = b0 + h
    up = loss()
    n.b = b0 - h
    down = loss()
    n.b = b0
    assert abs(db - (up - down) / (2 * h)) < 1e-7 * max(1.0, abs(db))


def test_neuron_is_one_column_of_a_dense_layer():
    X = np.random.default_rng(2).normal(size=(7, 3))
    layer = DenseLayer(3, 2, "tanh", random_state=0)
    n = Neuron(3, "tanh", random_state=1)
    n.w[:] = layer.W[:, 1]
    np.testing.assert_allclose(n.forward(X), layer.forward(X)[:, 1], rtol=1e-14)


def test_neuron_errors():
    n = Neuron(3)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        n.backward(1.0)
    with pytest.raises(ValueError, match="x has 2 features, but this Neuron has n_inputs=3"):
        n.forward([1.0, 2.0])
    with pytest.raises(ValueError, match="x contains NaN"):
        n.forward([1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="x must be 1-D or 2-D"):
        n.forward(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'sigmoid'"):
        Neuron(3, activation="softmax")
    with pytest.raises(ValueError, match="n_inputs must be in the range"):
        Neuron(0)
    n.forward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="d_out must have the shape of the last output"):
        n.backward([1.0, 2.0])


# -- DenseLayer --------------------------------------------------------------------------------
def test_dense_layer_shapes_and_hand_computed_case():
    layer = DenseLayer(2, 3, activation="linear", random_state=0)
    assert layer.W.shape == (2, 3) and layer.b.shape == (3,)
    layer.W[:] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    layer.b[:] = [0.5, 0.0, -0.5]
    X = np.array([[1.0, 1.0], [2.0, 0.0]])
    np.testing.assert_array_equal(layer.forward(X), [[5.5, 7.0, 8.5], [2.5, 4.0, 5.5]])
    dX = layer.backward(np.ones((2, 3)))
    dW, db = layer.gradients()
    np.testing.assert_array_equal(dW, [[3.0, 3.0, 3.0], [1.0, 1.0, 1.0]])  # Xᵀ 1
    np.testing.assert_array_equal(db, [2.0, 2.0, 2.0])  # summed over the batch, not batch 1
    np.testing.assert_array_equal(dX, [[6.0, 15.0], [6.0, 15.0]])  # 1 Wᵀ
    assert dW is layer.dW and db is layer.db


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("batch", [1, 7])
def test_dense_layer_gradients_match_central_differences(activation, batch):
    rng = np.random.default_rng(batch)
    layer = DenseLayer(4, 3, activation=activation, random_state=batch)
    layer.b[:] = rng.normal(size=3) * 0.1
    X = rng.normal(size=(batch, 4))
    R = rng.normal(size=(batch, 3))  # L = Σ R ⊙ A, so dA = R

    def loss() -> float:
        return float(np.sum(R * layer.forward(X)))

    loss()
    dX = layer.backward(R)
    dW, db = layer.dW.copy(), layer.db.copy()
    assert max_relative_error(dW, numerical_gradient(loss, layer.W)) < GRAD_TOL
    assert max_relative_error(db, numerical_gradient(loss, layer.b)) < GRAD_TOL
    assert max_relative_error(dX, numerical_gradient(loss, X)) < GRAD_TOL


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_layer_matches_torch_autograd(activation):
    rng = np.random.default_rng(4)
    layer = DenseLayer(5, 4, activation=activation, random_state=9)
    layer.b[:] = rng.normal(size=4)
    X = rng.normal(size=(6, 5))
    R = rng.normal(size=(6, 4))
    A = layer.forward(X)
    dX = layer.backward(R)
    dW, db = layer.dW, layer.db
    Xt = torch.tensor(X, requires_grad=True)
    Wt = torch.tensor(layer.W, requires_grad=True)
    bt = torch.tensor(layer.b, requires_grad=True)
    At = TORCH_ACT[activation](Xt @ Wt + bt)
    (At * torch.tensor(R)).sum().backward()
    for ours, theirs in ((A, At.detach()), (dX, Xt.grad), (dW, Wt.grad), (db, bt.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_dense_layer_float32_stays_float32():
    layer = DenseLayer(4, 3, "sigmoid", random_state=0, dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(5, 4))  # float64 input is cast once
    A = layer.forward(X)
    dX = layer.backward(np.ones((5, 3), dtype=np.float32))
    dW, db = layer.dW, layer.db
    for arr in (layer.W, layer.b, A, dX, dW, db):
        assert arr.dtype == np.float32


def test_dense_layer_errors():
    layer = DenseLayer(3, 2)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.ones((1, 2)))
    with pytest.raises(ValueError, match="X has 4 features, but this DenseLayer has n_inputs=3"):
        layer.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="X must be 2-D"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match="X must be 2-D"):
        layer.forward(np.ones((1, 2, 3)))
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        layer.forward([[1.0, np.inf, 0.0]])
    with pytest.raises(ValueError, match="X must not be empty"):
        layer.forward(np.ones((0, 3)))
    with pytest.raises(ValueError, match="activation must be one of"):
        DenseLayer(3, 2, activation="gelu")
    with pytest.raises(ValueError, match="n_outputs must be in the range"):
        DenseLayer(3, 0)
    with pytest.raises(TypeError, match=r"dtype must be np\.float32 or np\.float64"):
        DenseLayer(3, 2, dtype=np.int32)
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dA must have the shape of the last output \(2, 2\)"):
        layer.backward(np.ones((3, 2)))
    with pytest.raises(ValueError, match="dA contains NaN"):
        layer.backward([[np.nan, 0.0], [0.0, 0.0]])


def test_dense_layer_is_a_layer_returning_dx_with_live_gradients():
    from glassml.nn import Layer

    layer = DenseLayer(3, 2, "tanh", random_state=0)
    assert isinstance(layer, Layer)
    assert layer.parameters() == [layer.W, layer.b]
    assert [id(g) for g in layer.gradients()] == [id(layer.dW), id(layer.db)]
    X = np.random.default_rng(0).normal(size=(4, 3))
    layer.forward(X, training=False)
    dX = layer.backward(np.ones((4, 2)))
    assert isinstance(dX, np.ndarray) and dX.shape == (4, 3)
    assert [id(g) for g in layer.gradients()] == [id(layer.dW), id(layer.db)]
    dZ = 1 - np.tanh(X @ layer.W) ** 2
    np.testing.assert_allclose(layer.dW, X.T @ dZ, rtol=1e-13)
    np.testing.assert_allclose(layer.db, dZ.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(dX, dZ @ layer.W.T, rtol=1e-13)
