"""Losses: hand-computed values, central differences (batch 1 and 7), PyTorch, clipping, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from glassml.nn import (
    EPS,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    cross_entropy,
    cross_entropy_gradient,
    max_relative_error,
    mse,
    mse_gradient,
    numerical_gradient,
    one_hot,
    softmax,
)


def test_hand_computed_values():
    assert mse([1.0, 2.0], [0.0, 4.0]) == 2.5  # (1 + 4) / 2
    np.testing.assert_array_equal(mse_gradient([1.0, 2.0], [0.0, 4.0]), [1.0, -2.0])  # 2d/n
    assert binary_cross_entropy([0.8, 0.4], [1.0, 0.0]) == pytest.approx(
        -(math.log(0.8) + math.log(0.6)) / 2, rel=1e-14
    )
    # (p - y) / (p (1 - p) n)
    np.testing.assert_allclose(
        binary_cross_entropy_gradient([0.8, 0.4], [1.0, 0.0]),
        [-0.2 / (0.8 * 0.2 * 2), 0.4 / (0.4 * 0.6 * 2)],
        rtol=1e-14,
    )
    p = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]])
    assert cross_entropy(p, [0, 2]) == pytest.approx(-(math.log(0.7) + math.log(0.5)) / 2)
    np.testing.assert_allclose(
        cross_entropy_gradient(p, [0, 2]), [[-1 / 1.4, 0, 0], [0, 0, -1 / 1.0]], rtol=1e-14
    )


def test_int_labels_equal_one_hot():
    p = softmax(np.random.default_rng(0).normal(size=(5, 4)))
    labels = np.array([0, 3, 1, 1, 2])
    Y = one_hot(labels, 4)
    np.testing.assert_array_equal(Y.argmax(axis=1), labels)
    assert cross_entropy(p, labels) == cross_entropy(p, Y)
    np.testing.assert_array_equal(cross_entropy_gradient(p, labels), cross_entropy_gradient(p, Y))
    np.testing.assert_array_equal(one_hot(labels.astype(float), 4), Y)


def _case(kind: str, batch: int):
    rng = np.random.default_rng(batch + 100)
    if kind == "mse":
        return rng.normal(size=(batch, 2)), rng.normal(size=(batch, 2))
    if kind == "bce":
        return rng.uniform(0.05, 0.95, size=(batch, 1)), rng.integers(0, 2, (batch, 1)) * 1.0
    p = softmax(rng.normal(size=(batch, 4)))
    return p, one_hot(rng.integers(0, 4, batch), 4)


LOSSES = {
    "mse": (mse, mse_gradient),
    "bce": (binary_cross_entropy, binary_cross_entropy_gradient),
    "cross_entropy": (cross_entropy, cross_entropy_gradient),
}


@pytest.mark.parametrize("kind", list(LOSSES))
@pytest.mark.parametrize("batch", [1, 7])
def test_gradient_matches_central_differences(kind, batch):
    loss, grad = LOSSES[kind]
    p, y = _case(kind, batch)
    numeric = numerical_gradient(lambda: loss(p, y), p)
    assert max_relative_error(grad(p, y), numeric) < 1e-7


@pytest.mark.parametrize("kind", list(LOSSES))
def test_matches_torch(kind):
    loss, grad = LOSSES[kind]
    p, y = _case(kind, 7)
    pt = torch.tensor(p, requires_grad=True)
    yt = torch.tensor(y)
    if kind == "mse":
        ref = F.mse_loss(pt, yt)
    elif kind == "bce":
        ref = F.binary_cross_entropy(pt, yt)
    else:
        ref = F.nll_loss(torch.log(pt), yt.argmax(dim=1))
    ref.backward()
    assert loss(p, y) == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(grad(p, y), pt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_softmax_then_cross_entropy_equals_torch_on_logits():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(7, 5)) * 3
    labels = rng.integers(0, 5, 7)
    zt = torch.tensor(z, requires_grad=True)
    ref = F.cross_entropy(zt, torch.tensor(labels))
    ref.backward()
    p = softmax(z)
    assert cross_entropy(p, labels) == pytest.approx(ref.item(), rel=1e-12)
    # the combined gradient (p - y) / n used by NeuralNetwork
    np.testing.assert_allclose((p - one_hot(labels, 5)) / 7, zt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clipping_keeps_everything_finite(dtype):
    p = np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype)
    with np.errstate(all="raise"):
        value = binary_cross_entropy(p, y)
        g = binary_cross_entropy_gradient(p, y)
        ce = cross_entropy(np.array([[0.0, 1.0]], dtype=dtype), [0])
    assert np.isfinite(value) and np.all(np.isfinite(g)) and g.dtype == dtype
    if dtype == np.float64:  # two confidently wrong of four, each -log(eps)
        assert value == pytest.approx(-2 * math.log(EPS) / 4, rel=1e-6)
    assert ce == pytest.approx(-math.log(EPS), rel=1e-6 if dtype == np.float64 else 1e-3)


def test_float32_stays_float32():
    p, y = _case("mse", 4)
    assert mse_gradient(p.astype(np.float32), y).dtype == np.float32


def test_errors():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        mse([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        mse([np.nan], [1.0])
    with pytest.raises(ValueError, match="y_true contains NaN"):
        binary_cross_entropy([0.5], [np.inf])
    with pytest.raises(ValueError, match="y_pred must not be empty"):
        mse([], [])
    with pytest.raises(ValueError, match="eps must be in the range"):
        binary_cross_entropy([0.5], [1.0], eps=0.0)
    with pytest.raises(ValueError, match="y_pred must be 2-D"):
        cross_entropy([0.5, 0.5], [0])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 1\] for 2 classes"):
        cross_entropy([[0.5, 0.5]], [2])
    with pytest.raises(ValueError, match="labels must be integers"):
        cross_entropy([[0.5, 0.5]], [0.5])
    with pytest.raises(ValueError, match="expected one-hot"):
        cross_entropy([[0.5, 0.5]], [[1.0, 0.0, 0.0]])
    with pytest.raises(TypeError, match="y_true must be numeric"):
        mse([1.0], ["a"])


ALL_FUNCTIONS = [
    mse,
    mse_gradient,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    cross_entropy,
    cross_entropy_gradient,
]


def test_mse_of_a_complex_number_is_a_type_error_not_zero():
    # a float64 cast drops the imaginary part: this used to return 0.0
    with pytest.raises(TypeError, match=r"y_pred must be numeric .*complex numbers"):
        mse(1 + 5j, 1)


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("which", ["y_pred", "y_true"])
def test_complex_input_is_a_type_error_naming_the_argument(fn, which):
    p = np.array([[0.25, 0.75], [0.5, 0.5]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    args = {"y_pred": p, "y_true": y}
    args[which] = args[which] + 0j  # zero imaginary part: the dtype alone is refused
    with pytest.raises(TypeError, match=rf"{which} must be numeric .*complex"):
        fn(**args)


def test_complex_integer_labels_are_a_type_error():
    with pytest.raises(TypeError, match="y_true must be numeric"):
        cross_entropy([[0.5, 0.5]], np.array([1 + 0j]))


@pytest.mark.parametrize("kind", list(LOSSES))
def test_float16_is_computed_in_float32_and_stays_finite(kind):
    loss, grad = LOSSES[kind]
    p16 = np.array([[0.0, 1.0], [1.0, 0.0], [0.25, 0.75]], dtype=np.float16)
    y16 = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float16)
    if kind == "mse":
        p16 = p16 * np.float16(300)  # squared errors of 90000 overflow float16 (max 65504)
    p32, y32 = p16.astype(np.float32), y16.astype(np.float32)
    with np.errstate(all="raise"):
        value, g = loss(p16, y16), grad(p16, y16)
    assert np.isfinite(value) and np.all(np.isfinite(g))
    assert g.dtype == np.float32  # as torch.autocast, which runs losses in float32
    assert value == loss(p32, y32)
    np.testing.assert_array_equal(g, grad(p32, y32))


def test_network_bce_kernel_in_float16_keeps_log_away_from_zero():
    # NeuralNetwork calls the private kernels in its own dtype; float16 rounds EPS to 0
    from glassml.nn.losses import _bce, _bce_grad

    p = np.array([0.0, 1.0, 0.5], dtype=np.float16)
    y = np.array([1.0, 0.0, 1.0], dtype=np.float16)
    with np.errstate(all="raise"):
        assert np.isfinite(_bce(p, y))
        assert np.all(np.isfinite(_bce_grad(p, y).astype(np.float64)))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda f: f([0.5], [2.0]), r"y_true must hold targets in \[0, 1\], got values from 2"),
        (lambda f: f([0.5], [-0.1]), r"y_true must hold targets in \[0, 1\]"),
        (lambda f: f([1.5], [1.0]), r"y_pred must hold probabilities in \[0, 1\], got .*1\.5"),
        (lambda f: f([-0.2, 0.5], [1.0, 0.0]), r"y_pred must hold probabilities in \[0, 1\]"),
    ],
)
@pytest.mark.parametrize("fn", [binary_cross_entropy, binary_cross_entropy_gradient])
def test_bce_out_of_range_is_a_value_error_naming_the_argument(fn, call, match):
    with pytest.raises(ValueError, match=match):
        call(fn)


@pytest.mark.parametrize(
    ("y_pred", "y_true", "match"),
    [
        ([[1.5, -0.5]], [0], r"y_pred must hold probabilities in \[0, 1\], got values from -0.5"),
        (
            [[0.5, 0.5]],
            [-1],
            r"y_true labels must be in \[0, 1\] for 2 classes, got values from -1",
        ),
        ([[0.5, 0.5]], [2], r"y_true labels must be in \[0, 1\] for 2 classes"),
        ([[0.5, 0.5]], [1e20], r"y_true labels must be in \[0, 1\] .*from 1e\+20"),  # not wrapped
        ([[0.5, 0.5]], [0.5], "y_true labels must be integers"),
        ([[0.5, 0.5]], [[2.0, -1.0]], r"y_true must hold one-hot \(or soft\) targets in \[0, 1\]"),
    ],
)
@pytest.mark.parametrize("fn", [cross_entropy, cross_entropy_gradient])
def test_cross_entropy_out_of_range_is_a_value_error_naming_the_argument(fn, y_pred, y_true, match):
    with pytest.raises(ValueError, match=match):
        fn(y_pred, y_true)


def test_one_hot_checks_n_classes():
    with pytest.raises(ValueError, match="n_classes must be in the range"):
        one_hot([0], 0)
    with pytest.raises(TypeError, match="n_classes must be an int"):
        one_hot([0], 2.0)


# -- binary cross-entropy from logits -----------------------------------------------------------
def test_bce_with_logits_equals_torch_even_at_1000():
    from glassml.nn.losses import (
        binary_cross_entropy_with_logits,
        binary_cross_entropy_with_logits_gradient,
    )

    z = np.array([[-1000.0, -3.0], [0.0, 2.5], [1000.0, 36.0], [-40.0, 0.1]])
    y = np.array([[1.0, 0.0], [1.0, 0.3], [0.0, 1.0], [0.0, 1.0]])
    zt = torch.tensor(z, requires_grad=True)
    ref = F.binary_cross_entropy_with_logits(zt, torch.tensor(y))
    ref.backward()
    with np.errstate(all="raise"):
        loss = binary_cross_entropy_with_logits(z, y)
        grad = binary_cross_entropy_with_logits_gradient(z, y)
    assert loss == pytest.approx(ref.item(), rel=1e-14)
    np.testing.assert_allclose(grad, zt.grad.numpy(), rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("batch", [1, 7])
def test_bce_with_logits_gradient_and_agreement_with_bce_of_sigmoid(batch):
    from glassml.nn.losses import (
        binary_cross_entropy_with_logits,
        binary_cross_entropy_with_logits_gradient,
    )

    rng = np.random.default_rng(batch)
    z = rng.normal(size=(batch, 2)) * 3
    y = rng.uniform(size=(batch, 2))
    numeric = numerical_gradient(lambda: binary_cross_entropy_with_logits(z, y), z)
    assert max_relative_error(binary_cross_entropy_with_logits_gradient(z, y), numeric) < 1e-7
    assert binary_cross_entropy_with_logits(z, y) == pytest.approx(
        binary_cross_entropy(1 / (1 + np.exp(-z)), y), rel=1e-12
    )


def test_bce_with_logits_errors_name_the_argument():
    from glassml.nn.losses import binary_cross_entropy_with_logits

    with pytest.raises(ValueError, match=r"y_true must hold targets in \[0, 1\]"):
        binary_cross_entropy_with_logits([5.0], [2.0])
    with pytest.raises(TypeError, match=r"logits must be numeric .*complex"):
        binary_cross_entropy_with_logits([1j], [1.0])
    with pytest.raises(ValueError, match=r"logits and y_true must have the same shape"):
        binary_cross_entropy_with_logits([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="logits contains NaN"):
        binary_cross_entropy_with_logits([np.nan], [1.0])


def test_eps_may_be_any_real_number():
    from fractions import Fraction

    p, y = np.array([0.0, 0.3]), np.array([1.0, 0.0])
    assert binary_cross_entropy(p, y, eps=Fraction(1, 10**9)) == binary_cross_entropy(p, y)
    np.testing.assert_array_equal(
        cross_entropy_gradient([[0.0, 1.0]], [0], eps=np.float32(1e-3)),
        cross_entropy_gradient([[0.0, 1.0]], [0], eps=float(np.float32(1e-3))),
    )
