"""Central-difference gradient checking: the authority every analytic gradient is tested against.

Usage (from a test)::

    f = lambda: float(loss(layer.forward(X), y))       # reads the array being perturbed
    numeric = numerical_gradient(f, layer.W)
    assert max_relative_error(analytic, numeric) < 1e-7
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassml._validation import check_finite_array, check_positive

__all__ = ["max_relative_error", "numerical_gradient"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Estimate ``∂f/∂x`` element by element with central differences.

    Parameters
    ----------
    f : callable with no arguments returning a float
        Evaluates the scalar function; it must read ``x`` (e.g. a layer's ``W``), which is
        perturbed in place.
    x : ndarray of any shape, float64
        The array to differentiate with respect to. Every element is restored exactly, also
        when ``f`` raises.
    h : float, default=1e-6
        Step size.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    ``∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h)``, with error ``O(h²)``; in float64 with
    ``h = 1e-6`` the total error (truncation plus rounding) is about 1e-9 relative for smooth f.
    NOTE: at a kink (ReLU at exactly 0) the estimate is meaningless; keep inputs away from it.
    """
    h = check_positive(h, "h")  # a Python float (a Fraction would make object arithmetic)
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(
            f"x must be a float64 ndarray (perturbed in place), got "
            f"{type(x).__name__} of dtype {getattr(x, 'dtype', None)}."
        )
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)  # a view: writing it perturbs x itself
    if not np.shares_memory(flat_x, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place.")
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        try:
            flat_x[i] = old + h
            f_plus = f()
            flat_x[i] = old - h
            f_minus = f()
        finally:  # NOTE: x is the caller's array (a layer's W): restore it even if f raises
            flat_x[i] = old
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad


def max_relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """Largest difference relative to the gradient's scale: ``max|a - b| / max(max|a|, max|b|)``.

    Near 0 when ``a`` and ``b`` agree; about 1 or more when they disagree on any element that
    matters at the scale of the whole gradient. The ``floor`` keeps two all-zero gradients from
    dividing 0 by 0.

    Notes
    -----
    NOTE: the denominator is the scale of the whole array, not of each element. A per-element
    ratio would flag rounding noise (~1e-10) on elements that are themselves ~1e-6, which
    central differences cannot resolve.

    Raises
    ------
    ValueError
        If ``a`` or ``b`` is empty or holds NaN/inf, or their shapes differ; ``TypeError`` for
        complex or non-numeric input (a float64 cast would drop the imaginary part).
    """
    a = check_finite_array(a, "a")  # NaN/inf, complex or empty input is an error, not nan
    b = check_finite_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}.")
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), floor)
    return float(np.max(np.abs(a - b))) / scale
