"""Dropout: keep rate, scaling, mask reuse in backward, same seed -> same mask, train vs eval,
float32, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glassml.nn import DenseLayer, Sequential, max_relative_error, numerical_gradient
from glassml.nn.dropout import Dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_keep_rate_and_scaling(p):
    drop = Dropout(p, random_state=0)
    X = np.random.default_rng(1).uniform(1.0, 2.0, (400, 500))  # never 0
    A = drop.forward(X)
    kept = drop.mask
    assert kept.dtype == bool and kept.shape == X.shape
    n = X.size
    # the kept fraction is Binomial(n, 1 - p) / n: within 5 standard deviations
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_array_equal(A[~kept], 0.0)
    np.testing.assert_allclose(A[kept], X[kept] / (1 - p), rtol=1e-15)
    np.testing.assert_array_equal(A != 0, kept)


def test_expected_value_is_kept_like_torch():
    # inverted dropout: E[A] = X in training, as torch's (checked on its own random numbers)
    X = np.full((2000, 200), 3.0)
    ours = Dropout(0.3, random_state=0).forward(X)
    theirs = torch.nn.Dropout(0.3).train()(torch.from_numpy(X)).numpy()
    for A in (ours, theirs):
        assert abs(A.mean() - 3.0) < 5 * 3.0 * np.sqrt(0.3 / 0.7 / X.size)
        assert set(np.unique(A)) == {0.0, 3.0 / 0.7}


@pytest.mark.parametrize("shape", [(1, 5), (7, 5), (2, 3, 4)])
def test_backward_reuses_the_forward_mask(shape):
    drop = Dropout(0.4, random_state=3)
    rng = np.random.default_rng(2)
    X, dA = rng.standard_normal(shape), rng.standard_normal(shape)
    drop.forward(X)
    mask = drop.mask.copy()
    dX = drop.backward(dA)
    np.testing.assert_allclose(dX, dA * mask / 0.6, rtol=1e-15)
    np.testing.assert_array_equal(drop.backward(dA), dX)  # the same mask again, nothing drawn
    np.testing.assert_array_equal(drop.mask, mask)


def test_gradient_matches_central_differences():
    drop = Dropout(0.5, random_state=5)
    rng = np.random.default_rng(6)
    X, R = rng.standard_normal((7, 4)), rng.standard_normal((7, 4))
    drop.forward(X)
    mask = drop.mask

    def loss() -> float:  # the same mask every call: the function backward differentiates
        return float(np.sum(R * X * mask / 0.5))

    assert max_relative_error(drop.backward(R), numerical_gradient(loss, X)) < 1e-7


def test_same_seed_same_masks_and_generators_are_used_as_given():
    X = np.ones((6, 8))
    a, b, c = Dropout(0.5, random_state=0), Dropout(0.5, random_state=0), Dropout(0.5, 1)
    masks_a = [a.forward(X) for _ in range(3)]
    masks_b = [b.forward(X) for _ in range(3)]
    for ma, mb in zip(masks_a, masks_b, strict=True):
        np.testing.assert_array_equal(ma, mb)
    assert not np.array_equal(masks_a[0], masks_a[1])  # a new mask per forward
    assert not np.array_equal(masks_a[0], c.forward(X))
    gen = np.random.default_rng(9)
    expected_u = np.random.default_rng(9).random((6, 8))
    np.testing.assert_array_equal(
        Dropout(0.25, random_state=gen).forward(X) != 0, expected_u >= 0.25
    )


def test_eval_is_the_identity_and_draws_nothing():
    drop = Dropout(0.5, random_state=0)
    X = np.arange(12.0).reshape(3, 4)
    state = dict(drop._rng.bit_generator.state)
    np.testing.assert_array_equal(drop.forward(X, training=False), X)
    assert drop.mask is None
    dA = np.ones((3, 4))
    np.testing.assert_array_equal(drop.backward(dA), dA)
    assert drop._rng.bit_generator.state == state
    # after a training pass, evaluation forgets its mask
    drop.forward(X)
    drop.forward(X, training=False)
    np.testing.assert_array_equal(drop.backward(dA), dA)


def test_p_zero_is_the_identity_in_training():
    drop = Dropout(0.0, random_state=0)
    X = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_array_equal(drop.forward(X), X)
    np.testing.assert_array_equal(drop.backward(2 * X), 2 * X)


def test_float32_stays_float32():
    drop = Dropout(0.5, random_state=0)
    X = np.ones((4, 5), dtype=np.float32)
    A = drop.forward(X)
    assert A.dtype == np.float32
    assert drop.backward(np.ones((4, 5), dtype=np.float32)).dtype == np.float32
    assert set(np.unique(A)) <= {0.0, 2.0}
    assert drop.forward([[1, 2]]).dtype == np.float64  # ints become float64


def test_in_a_sequential_network_predict_is_deterministic():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = (X[:, 0] > 0).astype(float)
    net = Sequential(
        [
            DenseLayer(3, 8, random_state=0),
            Dropout(0.5, random_state=0),
            DenseLayer(8, 1, "sigmoid"),
        ],
        random_state=0,
    )
    net.fit(X, y, epochs=5, batch_size=8, verbose=False)
    np.testing.assert_array_equal(net.predict_proba(X), net.predict_proba(X))
    assert not np.array_equal(net.forward(X), net.forward(X))  # training mode drops at random


@pytest.mark.parametrize(
    ("p", "error", "match"),
    [
        (-0.1, ValueError, r"p must be in the range \[0, 1\), got -0.1"),
        (1.0, ValueError, r"p must be in the range \[0, 1\), got 1.0"),
        (1.5, ValueError, r"p must be in the range \[0, 1\), got 1.5"),
        (float("nan"), ValueError, "p must be finite"),
        ("0.5", TypeError, "p must be a real number"),
        (True, TypeError, "p must be a real number"),
    ],
)
def test_bad_p_is_rejected(p, error, match):
    with pytest.raises(error, match=match):
        Dropout(p)


def test_bad_input_is_rejected():
    with pytest.raises(TypeError, match="random_state must be"):
        Dropout(0.5, random_state="seed")
    drop = Dropout(0.5, random_state=0)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        drop.backward(np.ones((2, 2)))
    with pytest.raises(ValueError, match="X contains NaN"):
        drop.forward(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="X must not be empty"):
        drop.forward(np.ones((0, 3)))
    drop.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dA must have the shape of the last output \(2, 3\)"):
        drop.backward(np.ones((3, 2)))
    assert repr(drop) == "Dropout(p=0.5)"
