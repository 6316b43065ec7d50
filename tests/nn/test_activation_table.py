"""One activation table: every row's derivative and fast forms agree with its function, every
layer dispatches through it, and a name outside it is a ValueError everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from glassml.nn import (
    ACTIVATION_TABLE,
    Activation,
    DenseLayer,
    NeuralNetwork,
    Neuron,
    get_activation,
    init_scale,
    max_relative_error,
    numerical_gradient,
    softmax_backward,
)
from glassml.nn import activations as act_module

NAMES = list(ACTIVATION_TABLE)


@pytest.mark.parametrize("name", NAMES)
def test_every_row_is_consistent(name):
    row = ACTIVATION_TABLE[name]
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(5, 4))
    Z[np.abs(Z) < 1e-3] = 0.5  # away from ReLU's kink
    A = row.function(Z)
    np.testing.assert_allclose(row.inplace(Z.copy()), A, rtol=1e-15, atol=1e-300)
    dA = rng.normal(size=Z.shape)
    if row.derivative is None:  # softmax: the full Jacobian product
        expected = softmax_backward(A, dA)
    else:
        expected = dA * row.derivative(Z)
        z = Z.copy()
        numeric = numerical_gradient(lambda: float(np.sum(dA * row.function(z))), z)
        assert max_relative_error(expected, numeric) < 1e-7
    for overwrite in (False, True):
        np.testing.assert_allclose(row.vjp(A, dA.copy(), overwrite), expected, rtol=1e-13)


def test_a_row_needs_a_function_a_derivative_and_both_fast_forms():
    with pytest.raises(TypeError):
        Activation(np.sin)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Activation(np.sin, np.cos)  # type: ignore[call-arg]


def test_a_name_outside_the_table_is_a_value_error_everywhere():
    for build in (
        lambda: DenseLayer(2, 1, "swish"),
        lambda: Neuron(2, "swish"),
        lambda: NeuralNetwork([2, 1], ["swish"]),
        lambda: init_scale(2, "swish"),
    ):
        with pytest.raises(ValueError, match="must be one of"):
            build()
    with pytest.raises(ValueError, match=r"activation must be one of .*got 'softmax'"):
        Neuron(2, "softmax")  # no element-wise derivative: a single neuron cannot use it


def test_a_layer_whose_name_left_the_table_fails_instead_of_running_as_identity():
    # the old DenseLayer ran any unknown name as the identity, silently
    layer = DenseLayer(2, 2, "relu", random_state=0)
    layer.activation = "swish"
    with pytest.raises(ValueError, match="swish"):
        layer.forward(np.ones((1, 2)))
    neuron = Neuron(2, random_state=0)
    neuron.activation = "swish"
    with pytest.raises(ValueError, match="swish"):
        neuron.forward([1.0, 2.0])


def test_a_row_added_to_the_table_works_in_every_layer(monkeypatch):
    def square(z):
        return np.asarray(z, dtype=float) ** 2

    def square_derivative(z):
        return 2.0 * np.asarray(z, dtype=float)

    def square_vjp(A, dA, overwrite):
        return dA * 2.0 * np.sqrt(A)  # z > 0 in this test

    row = Activation(square, square_derivative, lambda Z: np.square(Z, out=Z), square_vjp)
    monkeypatch.setitem(ACTIVATION_TABLE, "square", row)
    assert get_activation("square") is row
    X = np.array([[1.0, 2.0]])
    layer = DenseLayer(2, 1, "square", random_state=0)
    layer.W[...] = [[0.5], [0.25]]
    np.testing.assert_allclose(layer.forward(X), [[1.0]])
    np.testing.assert_allclose(layer.backward(np.ones((1, 1))), [[1.0, 0.5]])  # 2z · W
    neuron = Neuron(2, "square", random_state=0)
    neuron.w[...] = [0.5, 0.25]
    assert neuron.forward([1.0, 2.0]) == 1.0
    net = NeuralNetwork([2, 1], ["square"], loss="mse", random_state=0)
    assert net.layers[0].activation == "square"
    assert act_module.ACTIVATION_TABLE["square"] is row
