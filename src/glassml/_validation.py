"""Validation helpers shared by every public entry point.

Input is validated once, at the public boundary, with messages that name the argument, what
was expected and what was given. Array checks reuse :mod:`sklearn.utils.validation`.
"""

from __future__ import annotations

import numbers
from typing import Any, cast

import numpy as np


def check_scalar_number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    include_low: bool = True,
    include_high: bool = True,
    integer: bool = False,
) -> None:
    """Raise unless ``value`` is a finite real number (an int if ``integer``) inside the range.

    ``TypeError`` for the wrong type (booleans are rejected), ``ValueError`` for a value out of
    range; both messages name ``name``, the expected range and the given value.
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "an int" if integer else "a real number"
        raise TypeError(f"{name} must be {expected}, got {value!r} of type {type(value).__name__}.")
    value = cast(float, value)  # NOTE: numbers.Real has no comparison operators in typeshed
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    bad_low = low is not None and (value < low if include_low else value <= low)
    bad_high = high is not None and (value > high if include_high else value >= high)
    if bad_low or bad_high:
        left = "(-inf" if low is None else ("[" if include_low else "(") + f"{low:g}"
        right = "inf)" if high is None else f"{high:g}" + ("]" if include_high else ")")
        raise ValueError(f"{name} must be in the range {left}, {right}, got {value!r}.")


def check_positive(value: Any, name: str, *, integer: bool = False) -> None:
    """Raise unless ``value`` is a finite number strictly greater than 0."""
    check_scalar_number(value, name, low=0, include_low=False, integer=integer)


def check_option(value: Any, name: str, options: tuple[str, ...] | list[str]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``options`` (names them all)."""
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}.")


def check_finite_array(
    X: Any, name: str, *, ndim: int | tuple[int, ...] | None = None, dtype: Any = np.float64
) -> np.ndarray:
    """Convert ``X`` to a numeric array and check it is non-empty, finite and of ``ndim``.

    Raises ``TypeError`` for non-numeric data and ``ValueError`` for NaN/inf, the wrong number
    of dimensions or an empty array, naming ``name`` in every message.
    """
    try:
        arr = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be numeric array-like, got {type(X).__name__}: {exc}"
        ) from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}."
            )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; every value must be finite.")
    return arr


def make_rng(random_state: None | int | np.random.Generator) -> np.random.Generator:
    """Turn ``random_state`` (None, an int or a Generator) into a ``numpy.random.Generator``.

    No global state is touched. ``0`` is a seed like any other (never mistaken for None).
    """
    if random_state is None or isinstance(random_state, numbers.Integral):
        if isinstance(random_state, bool):
            raise TypeError(
                f"random_state must be None, an int or a Generator, got {random_state!r}."
            )
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    raise TypeError(
        "random_state must be None, an int or a numpy.random.Generator, "
        f"got {type(random_state).__name__}."
    )
