"""Weight initialisation: the He / Xavier scales, seeding, dtype."""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassml.nn import activation_std_by_depth, he_scale, init_scale, init_weights, xavier_scale


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


def test_scheme_forces_he_or_xavier():
    assert init_scale(8, "tanh", scheme="he") == math.sqrt(2 / 8)
    assert init_scale(8, "relu", scheme="xavier") == math.sqrt(1 / 8)
    forced = init_weights((6, 2), "relu", random_state=0, scheme="xavier")
    np.testing.assert_array_equal(forced, init_weights((6, 2), "tanh", random_state=0))
    with pytest.raises(ValueError, match="scheme must be one of 'auto', 'he', 'xavier'"):
        init_scale(8, "relu", scheme="kaiming")


def test_relu_stack_keeps_variance_with_he_and_halves_it_per_layer_with_xavier():
    he = activation_std_by_depth("relu", "he", n_layers=12, width=200, random_state=0)
    xavier = activation_std_by_depth("relu", "xavier", n_layers=12, width=200, random_state=0)
    assert he.shape == (12,)
    # ReLU is positively homogeneous, so std scales like sqrt(E[A²]): ratio sqrt(n Var(w) / 2)
    np.testing.assert_allclose(he[-1] / he[1], 1.0, rtol=0.15)
    np.testing.assert_allclose(xavier[-1] / xavier[1], 2.0 ** (-10 / 2), rtol=0.15)
    np.testing.assert_array_equal(
        he, activation_std_by_depth("relu", "auto", n_layers=12, width=200, random_state=0)
    )


def test_activation_std_by_depth_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        activation_std_by_depth("softmax")
    with pytest.raises(ValueError, match="n_layers must be in the range"):
        activation_std_by_depth("relu", n_layers=0)
    tanh_stds = activation_std_by_depth("tanh", n_layers=3, width=8, n_samples=5, random_state=1)
    sig = activation_std_by_depth("sigmoid", n_layers=3, width=8, n_samples=5, random_state=1)
    lin = activation_std_by_depth("linear", n_layers=3, width=8, n_samples=5, random_state=1)
    assert np.all(tanh_stds > 0) and np.all(sig > 0) and np.all(lin > 0)
