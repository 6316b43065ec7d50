"""The gradient checker itself: it must be right before it can judge anything else."""

from __future__ import annotations

import numpy as np
import pytest

from glassml.nn import max_relative_error, numerical_gradient


def test_central_differences_of_a_known_function_and_x_restored():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    original = x.copy()
    numeric = numerical_gradient(lambda: float(np.sum(x**3)), x)
    np.testing.assert_allclose(numeric, 3 * original**2, rtol=1e-8)  # d/dx x³ = 3x²
    np.testing.assert_array_equal(x, original)


def test_max_relative_error_is_scale_aware_and_has_teeth():
    a = np.array([1.0, 2.0, 1e-6])
    assert max_relative_error(a, a) == 0.0
    assert max_relative_error(a, a + np.array([0.0, 0.0, 1e-10])) == pytest.approx(5e-11)
    assert max_relative_error(a, -a) == pytest.approx(2.0)
    assert max_relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_errors():
    with pytest.raises(TypeError, match="x must be a float64 ndarray"):
        numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match="x must be contiguous"):
        numerical_gradient(lambda: 0.0, np.zeros((3, 4)).T)
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        max_relative_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("fail_on_call", [1, 2, 5])  # x + h, x - h, a later element
def test_x_is_restored_when_f_raises(fail_on_call):
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    original = x.copy()
    calls = 0

    def f() -> float:
        nonlocal calls
        calls += 1
        if calls == fail_on_call:
            raise RuntimeError("f failed")
        return float(np.sum(x**2))

    with pytest.raises(RuntimeError, match="f failed"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, original)


@pytest.mark.parametrize("h", [0.0, -1e-6, float("nan"), True])
def test_step_size_must_be_positive(h):
    with pytest.raises((ValueError, TypeError), match="h must"):
        numerical_gradient(lambda: 0.0, np.zeros(2), h=h)


@pytest.mark.parametrize(
    ("a", "b", "error", "match"),
    [
        (np.array([1j]), np.array([0.0]), TypeError, r"a must be numeric .*complex"),
        (np.array([1.0]), np.array([1 + 1e-3j]), TypeError, r"b must be numeric .*complex"),
        (np.array([np.nan]), np.array([0.0]), ValueError, "a contains NaN"),
        (np.zeros(0), np.zeros(0), ValueError, "a must not be empty"),
    ],
)
def test_max_relative_error_refuses_what_it_cannot_compare(a, b, error, match):
    with pytest.raises(error, match=match):
        max_relative_error(a, b)
