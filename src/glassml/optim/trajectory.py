"""Run an optimizer on a function given by its gradient, and keep the whole path.

Used by lesson 03 to race the five optimizers down the Rosenbrock valley; handy for any small
experiment (a 2-D trajectory can be drawn straight onto a contour plot).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_scalar_number
from glassml.optim.optimizers import Optimizer

__all__ = ["minimize"]


def minimize(
    gradient_fn: Callable[[np.ndarray], Any],
    x0: Any,
    optimizer: Optimizer,
    steps: int,
) -> np.ndarray:
    """Take ``steps`` optimizer steps from ``x0`` and return every point visited.

    Parameters
    ----------
    gradient_fn : callable
        ``gradient_fn(x)`` returns the gradient at ``x``, an array of shape (n,). It must not
        modify ``x``.
    x0 : array-like of shape (n,)
        Starting point; it is copied (as float64), never modified.
    optimizer : Optimizer
        Any of :class:`SGD`, :class:`Momentum`, :class:`RMSProp`, :class:`Adam`,
        :class:`AdaGrad`. Because optimizer state belongs to each parameter array and the copy
        of ``x0`` is a new array, every call starts from fresh state.
    steps : int
        Number of steps, >= 0.

    Returns
    -------
    trajectory : ndarray of shape (steps + 1, n)
        ``trajectory[0]`` is ``x0`` and ``trajectory[k]`` the point after ``k`` steps.

    Raises
    ------
    ValueError
        If ``x0`` is not a finite 1-D array, ``steps`` is negative, or ``gradient_fn`` returns
        a gradient of the wrong shape or a non-finite one (the optimizer diverged: the message
        names the step; try a smaller learning rate).
    TypeError
        If ``gradient_fn`` is not callable or ``optimizer`` is not an :class:`Optimizer`.

    Examples
    --------
    >>> from glassml.optim import SGD, rosenbrock_gradient
    >>> path = minimize(rosenbrock_gradient, [-1.5, 2.0], SGD(learning_rate=1e-4), steps=3)
    >>> path.shape
    (4, 2)
    """
    if not callable(gradient_fn):
        raise TypeError(f"gradient_fn must be callable, got {type(gradient_fn).__name__}.")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "optimizer must be a glassml.optim optimizer (SGD, Momentum, RMSProp, Adam, "
            f"AdaGrad), got {type(optimizer).__name__}."
        )
    check_scalar_number(steps, "steps", low=0, integer=True)
    x = np.array(check_finite_array(x0, "x0", ndim=1), dtype=np.float64)  # our own copy
    trajectory = np.empty((steps + 1, x.size))
    trajectory[0] = x
    for k in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            grad = np.asarray(gradient_fn(x), dtype=np.float64)
        if grad.shape != x.shape:
            raise ValueError(
                f"gradient_fn must return an array of shape {x.shape}, got shape {grad.shape}."
            )
        if not np.all(np.isfinite(grad)):
            raise ValueError(
                f"gradient_fn returned a non-finite gradient at step {k} (x = {x}): the "
                "optimizer diverged; try a smaller learning rate."
            )
        optimizer.step([x], [grad])
        trajectory[k] = x
    return trajectory
