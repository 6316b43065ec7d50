"""Weight initialisation: the He / Xavier scales, seeding, dtype."""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassml.nn import he_scale, init_scale, init_weights, xavier_scale


def test_scales_are_the_seed_formulas():
    assert he_scale(50) == math.sqrt(2 / 50)
    assert xavier_scale(50) == math.sqrt(1 / 50)
    assert init_scale(8, "relu") == math.sqrt(2 / 8)
    for act in ("sigmoid", "tanh", "softmax", "linear"):
        assert init_scale(8, act) == math.sqrt(1 / 8)


@pytest.mark.parametrize(("activation", "var"), [("relu", 2 / 400), ("tanh", 1 / 400)])
def test_weights_are_standard_normal_times_scale(activation, var):
    W = init_weights((400, 300), activation, random_state=0)
    expected = np.random.default_rng(0).standard_normal((400, 300)) * math.sqrt(var)
    np.testing.assert_array_equal(W, expected)  # exactly the seeded N(0, 1) draw, scaled
    assert W.var() == pytest.approx(var, rel=0.02)  # 120000 draws: sampling error ~0.4%


def test_same_seed_same_weights_float32_matches_float64():
    a = init_weights((5, 3), "relu", random_state=7)
    b = init_weights((5, 3), "relu", random_state=7)
    c = init_weights((5, 3), "relu", random_state=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    f32 = init_weights((5, 3), "relu", random_state=7, dtype=np.float32)
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32, a.astype(np.float32))


def test_generator_is_advanced_not_reset():
    rng = np.random.default_rng(1)
    first = init_weights((4,), "tanh", random_state=rng)
    second = init_weights((4,), "tanh", random_state=rng)
    assert not np.array_equal(first, second)


def test_bad_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        init_scale(3, "gelu")
    with pytest.raises(ValueError, match="n_inputs must be in the range"):
        he_scale(0)
    with pytest.raises(TypeError, match="n_inputs must be an int"):
        xavier_scale(2.5)
    with pytest.raises(TypeError, match="random_state must be"):
        init_weights((2,), "relu", random_state="seed")
