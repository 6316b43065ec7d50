r"""The Rosenbrock function: a narrow, curved valley that separates good optimizers from bad.

In two dimensions

.. math:: f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2,

with its global minimum ``f = 0`` at ``(1, 1)`` at the bottom of a banana-shaped valley. Finding
the valley is easy; following its floor to ``(1, 1)`` is hard, because the walls are ~100 times
steeper than the floor, so a step size safe across the walls crawls along the floor.

For ``n >= 2`` coordinates this is the usual chained form (the one ``scipy.optimize.rosen``
computes), whose minimum is ``f = 0`` at ``(1, …, 1)``:

.. math:: f(p) = \sum_{i=0}^{n-2} (1 - p_i)^2 + 100\,(p_{i+1} - p_i^2)^2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassml._validation import check_finite_array

__all__ = ["rosenbrock", "rosenbrock_gradient"]


def _check_point(p: Any) -> np.ndarray:
    arr = check_finite_array(p, "p")
    if arr.ndim == 0 or arr.shape[-1] < 2:
        raise ValueError(
            f"p must hold at least 2 coordinates in its last axis (e.g. [x, y]), got shape "
            f"{arr.shape}."
        )
    return arr


def rosenbrock(p: Any) -> float | np.ndarray:
    r"""Value of the Rosenbrock function.

    Parameters
    ----------
    p : array-like of shape (n,) or (..., n), n >= 2
        One point, or a stack of points along the last axis (e.g. a grid of shape
        (rows, cols, 2) for a contour plot).

    Returns
    -------
    float or ndarray of shape p.shape[:-1]
        ``f(p)``: a float for a single point, one value per point otherwise.

    Notes
    -----
    .. math:: f(p) = \sum_{i=0}^{n-2} (1 - p_i)^2 + 100\,(p_{i+1} - p_i^2)^2

    Examples
    --------
    >>> rosenbrock([1.0, 1.0])
    0.0
    >>> rosenbrock([-1.5, 2.0])
    12.5
    """
    p = _check_point(p)
    x, x_next = p[..., :-1], p[..., 1:]
    f = ((1.0 - x) ** 2 + 100.0 * (x_next - x**2) ** 2).sum(axis=-1)
    return float(f) if p.ndim == 1 else f


def rosenbrock_gradient(p: Any) -> np.ndarray:
    r"""Gradient of :func:`rosenbrock`.

    Parameters
    ----------
    p : array-like of shape (n,) or (..., n), n >= 2
        One point, or a stack of points along the last axis.

    Returns
    -------
    ndarray of shape p.shape
        ``df/dp`` at each point.

    Notes
    -----
    With ``r_i = p_{i+1} - p_i^2`` each term of the sum touches two coordinates:

    .. math::
        \frac{\partial f}{\partial p_i} = \underbrace{-2(1 - p_i) - 400\,p_i\,r_i}_{i \le n-2}
        + \underbrace{200\,r_{i-1}}_{i \ge 1}

    In two dimensions: ``df/dx = -2(1-x) - 400x(y-x²)`` and ``df/dy = 200(y-x²)``.

    Examples
    --------
    >>> rosenbrock_gradient([-1.5, 2.0])
    array([-155.,  -50.])
    """
    p = _check_point(p)
    x, x_next = p[..., :-1], p[..., 1:]
    r = x_next - x**2
    grad = np.zeros_like(p)
    grad[..., :-1] = -2.0 * (1.0 - x) - 400.0 * x * r
    grad[..., 1:] += 200.0 * r
    return grad
