"""Activations: hand-computed values, central differences, PyTorch, stability at ±1000."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from glassml.nn import (
    linear,
    linear_derivative,
    max_relative_error,
    numerical_gradient,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_backward,
    tanh,
    tanh_derivative,
)

PAIRS = {
    "sigmoid": (sigmoid, sigmoid_derivative, torch.sigmoid),
    "relu": (relu, relu_derivative, torch.relu),
    "tanh": (tanh, tanh_derivative, torch.tanh),
    "linear": (linear, linear_derivative, lambda t: t),
}


def _away_from_kink(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Random inputs with |z| >= 0.1 so ReLU's kink is never inside a finite-difference step."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 2, size=shape)
    return np.where(np.abs(z) < 0.1, z + np.sign(z + 1e-3) * 0.2, z)


def test_hand_computed_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(
        sigmoid(z), [1 / (1 + math.e**2), 0.5, 1 / (1 + math.e**-3)], rtol=1e-15
    )
    np.testing.assert_allclose(sigmoid_derivative(0.0), 0.25, rtol=1e-15)
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu_derivative(z), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(tanh(z), [math.tanh(-2), 0.0, math.tanh(3)], rtol=1e-15)
    np.testing.assert_allclose(
        tanh_derivative(z), 1 - np.array([math.tanh(-2), 0, math.tanh(3)]) ** 2
    )
    np.testing.assert_array_equal(linear(z), z)
    np.testing.assert_array_equal(linear_derivative(z), [1.0, 1.0, 1.0])
    # softmax of [0, ln 2, ln 5] is [1, 2, 5] / 8
    np.testing.assert_allclose(softmax([0.0, math.log(2), math.log(5)]), [1 / 8, 2 / 8, 5 / 8])


def test_relu_derivative_at_zero_is_zero_like_torch():
    assert relu_derivative(np.array([0.0]))[0] == 0.0
    t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.relu(t).sum().backward()
    assert t.grad is not None and t.grad.item() == 0.0


@pytest.mark.parametrize("name", list(PAIRS))
@pytest.mark.parametrize("batch", [1, 7])
def test_derivative_matches_central_differences(name, batch):
    f, f_prime, _ = PAIRS[name]
    z = _away_from_kink((batch, 3), seed=batch)
    numeric = numerical_gradient(lambda: float(np.sum(f(z))), z)
    assert max_relative_error(f_prime(z), numeric) < 1e-8


@pytest.mark.parametrize("name", list(PAIRS))
def test_matches_torch(name):
    f, f_prime, f_torch = PAIRS[name]
    z = _away_from_kink((5, 4), seed=3)
    t = torch.tensor(z, requires_grad=True)
    f_torch(t).sum().backward()
    np.testing.assert_allclose(f(z), f_torch(torch.tensor(z)).numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(f_prime(z), t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("batch", [1, 7])
def test_softmax_backward_is_full_jacobian_product(batch):
    rng = np.random.default_rng(batch)
    z = rng.normal(size=(batch, 4))
    R = rng.normal(size=(batch, 4))  # L = Σ R ⊙ softmax(z), so ∂L/∂softmax = R
    numeric = numerical_gradient(lambda: float(np.sum(R * softmax(z))), z)
    analytic = softmax_backward(softmax(z), R)
    assert max_relative_error(analytic, numeric) < 1e-8
    # the diagonal-only shortcut s(1 - s) ⊙ R is wrong here: the check has teeth
    s = softmax(z)
    assert max_relative_error(s * (1 - s) * R, numeric) > 1e-2
    t = torch.tensor(z, requires_grad=True)
    (torch.softmax(t, dim=1) * torch.tensor(R)).sum().backward()
    np.testing.assert_allclose(analytic, t.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_softmax_rows_sum_to_one_and_shift_invariant():
    z = np.random.default_rng(0).normal(size=(6, 5)) * 10
    s = softmax(z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(softmax(z + 123.0), s, rtol=1e-12)
    np.testing.assert_allclose(softmax(z.T, axis=0), s.T, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_at_plus_minus_1000_without_warnings(dtype):
    z = np.array([[-1000.0, 0.0, 1000.0]], dtype=dtype)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(sigmoid(z), [[0.0, 0.5, 1.0]])
        np.testing.assert_array_equal(sigmoid_derivative(z), [[0.0, 0.25, 0.0]])
        np.testing.assert_array_equal(relu(z), [[0.0, 0.0, 1000.0]])
        np.testing.assert_array_equal(relu_derivative(z), [[0.0, 0.0, 1.0]])
        np.testing.assert_array_equal(tanh(z), [[-1.0, 0.0, 1.0]])
        np.testing.assert_array_equal(tanh_derivative(z), [[0.0, 1.0, 0.0]])
        np.testing.assert_array_equal(softmax(z), [[0.0, 0.0, 1.0]])
        np.testing.assert_array_equal(softmax(-z), [[1.0, 0.0, 0.0]])
        np.testing.assert_array_equal(softmax_backward(softmax(z), np.ones_like(z)), 0.0)
        for out in (sigmoid(z), softmax(z), tanh(z), relu(z)):
            assert out.dtype == dtype


def test_integer_input_becomes_float64():
    assert sigmoid(np.array([1, 2])).dtype == np.float64
    assert relu([1, -1]).dtype == np.float64


def test_log_softmax_is_log_of_softmax_and_finite_far_from_the_max():
    from glassml.nn import log_softmax

    z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    np.testing.assert_allclose(log_softmax(z), np.log(softmax(z)), rtol=0, atol=1e-15)
    # hand-computed: log softmax([0, -1000]) = [-log(1 + e^-1000), -1000 - log(1 + e^-1000)]
    with np.errstate(all="raise"):
        out = log_softmax(np.array([0.0, -1000.0]))
    np.testing.assert_array_equal(out, [0.0, -1000.0])  # log(softmax) would give -inf
    np.testing.assert_allclose(log_softmax(z, axis=0), np.log(softmax(z, axis=0)), atol=1e-15)
