"""Rosenbrock value and gradient (hand-computed, scipy, central differences) and ``minimize``."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

from glassml.optim import SGD, Adam, Momentum, minimize, rosenbrock, rosenbrock_gradient

# (point, f, gradient), each worked out by hand from f = (1-x)² + 100(y-x²)²,
# df/dx = -2(1-x) - 400x(y-x²), df/dy = 200(y-x²)
HAND = [
    ((1.0, 1.0), 0.0, (0.0, 0.0)),  # the minimum
    ((0.0, 0.0), 1.0, (-2.0, 0.0)),
    ((-1.5, 2.0), 12.5, (-155.0, -50.0)),  # 2.5² + 100·0.25²; -5 - 150; 200·(-0.25)
    ((2.0, 3.0), 101.0, (802.0, -200.0)),  # 1 + 100·1; 2 + 400·2·1; 200·(-1)
    ((1.0, 0.0), 100.0, (400.0, -200.0)),  # 0 + 100; 0 - 400·1·(-1); 200·(-1)
]


@pytest.mark.parametrize(("point", "f", "grad"), HAND)
def test_rosenbrock_by_hand(point, f, grad):
    assert rosenbrock(point) == f
    assert isinstance(rosenbrock(point), float)
    np.testing.assert_array_equal(rosenbrock_gradient(point), grad)


def test_three_dimensional_by_hand():
    # two chained terms: (1-0)² + 100(0-0)² + (1-0)² + 100(0-0)² = 2; gradient (-2, -2, 0)
    assert rosenbrock([0.0, 0.0, 0.0]) == 2.0
    np.testing.assert_array_equal(rosenbrock_gradient([0.0, 0.0, 0.0]), [-2.0, -2.0, 0.0])


@pytest.mark.parametrize("n", [2, 3, 6])
def test_matches_scipy(n):
    rng = np.random.default_rng(n)
    for p in rng.uniform(-2, 2, size=(10, n)):
        assert rosenbrock(p) == pytest.approx(rosen(p), rel=1e-14, abs=1e-14)
        np.testing.assert_allclose(rosenbrock_gradient(p), rosen_der(p), rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("n", [2, 4])
def test_gradient_against_central_differences(n):
    rng = np.random.default_rng(10 + n)
    h = 1e-6
    for p in rng.uniform(-2, 2, size=(5, n)):
        numeric = np.empty(n)
        for i in range(n):
            e = np.zeros(n)
            e[i] = h
            numeric[i] = (rosenbrock(p + e) - rosenbrock(p - e)) / (2 * h)
        np.testing.assert_allclose(rosenbrock_gradient(p), numeric, rtol=1e-7, atol=1e-6)


def test_stack_of_points_equals_one_at_a_time():
    xs, ys = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
    grid = np.stack([xs, ys], axis=-1)  # (4, 5, 2), as a contour plot needs
    values, grads = rosenbrock(grid), rosenbrock_gradient(grid)
    assert values.shape == (4, 5) and grads.shape == (4, 5, 2)
    for idx in np.ndindex(4, 5):
        assert values[idx] == rosenbrock(grid[idx])
        np.testing.assert_array_equal(grads[idx], rosenbrock_gradient(grid[idx]))


@pytest.mark.parametrize("fn", [rosenbrock, rosenbrock_gradient])
def test_rosenbrock_bad_input(fn):
    with pytest.raises(ValueError, match=r"p must hold at least 2 coordinates.*got shape \(1,\)"):
        fn([1.0])
    with pytest.raises(ValueError, match=r"p must hold at least 2 coordinates.*got shape \(\)"):
        fn(1.0)
    with pytest.raises(ValueError, match="p contains NaN or infinity"):
        fn([1.0, np.nan])
    with pytest.raises(TypeError, match="p must be numeric"):
        fn(["a", "b"])


# ----------------------------------------------------------------------------- minimize
def test_minimize_returns_the_whole_trajectory():
    x0 = np.array([-1.5, 2.0])
    path = minimize(rosenbrock_gradient, x0, Adam(learning_rate=0.01), steps=25)
    assert path.shape == (26, 2)
    np.testing.assert_array_equal(path[0], [-1.5, 2.0])
    np.testing.assert_array_equal(x0, [-1.5, 2.0])  # the caller's start is not modified
    # and each row is one optimizer step from the previous one
    x, opt = x0.copy(), Adam(learning_rate=0.01)
    for k in range(1, 26):
        opt.step([x], [rosenbrock_gradient(x)])
        np.testing.assert_array_equal(path[k], x)


def test_minimize_two_sgd_steps_by_hand():
    # from (-1.5, 2): gradient (-155, -50), so x1 = (-1.5, 2) + 1e-3·(155, 50) = (-1.345, 2.05)
    path = minimize(rosenbrock_gradient, [-1.5, 2.0], SGD(learning_rate=1e-3), steps=1)
    np.testing.assert_allclose(path, [[-1.5, 2.0], [-1.345, 2.05]], rtol=0, atol=1e-15)


def test_minimize_zero_steps_and_fresh_state_per_call():
    assert minimize(rosenbrock_gradient, [0.0, 0.0], SGD(0.1), steps=0).shape == (1, 2)
    opt = Momentum(learning_rate=1e-3)
    first = minimize(rosenbrock_gradient, [-1.5, 2.0], opt, steps=30)
    again = minimize(rosenbrock_gradient, [-1.5, 2.0], opt, steps=30)  # same optimizer
    np.testing.assert_array_equal(first, again)


def test_minimize_finds_the_minimum_of_a_bowl():
    path = minimize(lambda x: 2 * x, [3.0, -4.0, 1.0], SGD(learning_rate=0.25), steps=1)
    np.testing.assert_array_equal(path[-1], [1.5, -2.0, 0.5])  # x - 0.25·2x = x/2


def test_minimize_reports_divergence():
    with pytest.raises(ValueError, match=r"non-finite gradient at step \d+ .* diverged"):
        minimize(rosenbrock_gradient, [-1.5, 2.0], SGD(learning_rate=1.0), steps=50)


def test_minimize_bad_input():
    opt = SGD(0.1)
    with pytest.raises(TypeError, match="gradient_fn must be callable"):
        minimize("grad", [0.0, 0.0], opt, steps=1)
    with pytest.raises(TypeError, match=r"optimizer must be a glassml\.optim optimizer"):
        minimize(rosenbrock_gradient, [0.0, 0.0], "adam", steps=1)
    with pytest.raises(ValueError, match=r"steps must be in the range \[0, inf\), got -1"):
        minimize(rosenbrock_gradient, [0.0, 0.0], opt, steps=-1)
    with pytest.raises(TypeError, match="steps must be an int"):
        minimize(rosenbrock_gradient, [0.0, 0.0], opt, steps=2.5)
    with pytest.raises(ValueError, match="x0 must be 1-D"):
        minimize(rosenbrock_gradient, [[0.0, 0.0]], opt, steps=1)
    with pytest.raises(ValueError, match="x0 contains NaN"):
        minimize(rosenbrock_gradient, [0.0, np.inf], opt, steps=1)
    with pytest.raises(ValueError, match=r"gradient_fn must return an array of shape \(2,\)"):
        minimize(lambda x: np.zeros(3), [0.0, 0.0], opt, steps=1)
