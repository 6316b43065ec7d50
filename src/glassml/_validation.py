"""Validation helpers shared by every public entry point.

Input is validated once, at the public boundary, with messages that name the argument, what
was expected and what was given. Array checks reuse :mod:`sklearn.utils.validation`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

_INT64_MAX = int(np.iinfo(np.int64).max)


def check_scalar_number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    include_low: bool = True,
    include_high: bool = True,
    integer: bool = False,
) -> float | int:
    """Raise unless ``value`` is a finite real number (an int if ``integer``) inside the range.

    Any :class:`numbers.Real` is accepted (``int``, ``float``, NumPy scalars,
    :class:`fractions.Fraction`) provided it converts to a finite float64; with ``integer``,
    any :class:`numbers.Integral` that fits in a signed 64-bit integer. Booleans are rejected.

    Returns
    -------
    float or int
        ``value`` as a Python ``float`` (``int`` if ``integer``): what callers should compute
        with (a ``Fraction`` in NumPy arithmetic would give an object array).

    Raises
    ------
    TypeError
        For the wrong type. ``ValueError`` for a value out of range, non-finite, or too large
        for float64 / int64. Every message names ``name``, the expected range and the given value.
    """
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool | np.bool_) or not isinstance(value, kind):
        expected = "an int" if integer else "a real number"
        raise TypeError(
            f"{name} must be {expected}, got {_short_repr(value)} of type {type(value).__name__}."
        )
    number = _as_python_number(value, name, integer)
    bad_low = low is not None and (number < low if include_low else number <= low)
    bad_high = high is not None and (number > high if include_high else number >= high)
    if bad_low or bad_high:
        left = "(-inf" if low is None else ("[" if include_low else "(") + f"{low:g}"
        right = "inf)" if high is None else f"{high:g}" + ("]" if include_high else ")")
        raise ValueError(f"{name} must be in the range {left}, {right}, got {_short_repr(value)}.")
    return number


def _as_python_number(value: Any, name: str, integer: bool) -> float | int:
    """``value`` (already known to be Real, or Integral if ``integer``) as a finite float/int."""
    if integer:
        number = int(value)
        if abs(number) > _INT64_MAX:
            raise ValueError(
                f"{name} must fit in a 64-bit integer (at most {_INT64_MAX} in absolute value), "
                f"got {_short_repr(value)}."
            )
        return number
    try:
        real = float(value)
    except OverflowError:  # e.g. 10**400 or Fraction(10**400, 3)
        raise ValueError(
            f"{name} must be finite, got {_short_repr(value)}, which overflows float64 "
            "(largest about 1.8e+308)."
        ) from None
    if not math.isfinite(real):
        raise ValueError(f"{name} must be finite, got {_short_repr(value)}.")
    return real


def _short_repr(value: Any) -> str:
    """``repr(value)``, shortened; a huge int is described by its size instead."""
    if isinstance(value, numbers.Integral) and abs(int(value)) > _INT64_MAX:
        # NOTE: repr() of an int over 4300 digits raises ValueError on Python >= 3.11
        return f"an int of about {int(int(value).bit_length() * math.log10(2)) + 1} digits"
    try:
        text = repr(value)
    except ValueError:  # e.g. a Fraction whose numerator has more than 4300 digits
        text = f"a {type(value).__name__} too large to print"
    return text if len(text) <= 60 else f"{text[:57]}..."


def check_positive(value: Any, name: str, *, integer: bool = False) -> float | int:
    """Raise unless ``value`` is a finite number strictly greater than 0; return it as float/int."""
    return check_scalar_number(value, name, low=0, include_low=False, integer=integer)


def check_bool(value: Any, name: str) -> None:
    """Raise ``TypeError`` unless ``value`` is a ``bool`` (NumPy's included)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{name} must be True or False, got {value!r} of type {type(value).__name__}."
        )


def check_option(value: Any, name: str, options: tuple[str, ...] | list[str]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``options`` (names them all)."""
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}.")


def check_finite_array(
    X: Any, name: str, *, ndim: int | tuple[int, ...] | None = None, dtype: Any = np.float64
) -> np.ndarray:
    """Convert ``X`` to a real array of ``dtype`` and check it is non-empty, finite and of ``ndim``.

    Raises ``TypeError`` for data that is not real numbers -- complex numbers (whose imaginary
    part a plain conversion would silently drop), strings, bytes, dates, or objects that are not
    numbers -- and ``ValueError`` for NaN/inf (also after conversion to ``dtype``: 1e300 as
    float32), the wrong number of dimensions or an empty array, naming ``name`` in every
    message.
    """
    arr = _as_real_array(X, name, dtype)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}."
            )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}.")
    if arr.dtype.kind in "fc" and not math.isfinite(max_abs(arr)):
        raise ValueError(
            f"{name} contains NaN or infinity (as {arr.dtype}); every value must be finite."
        )
    return arr


_NOT_REAL_KINDS = {
    "c": "complex numbers",
    "U": "strings",
    "S": "bytes",
    "V": "structured/void data",
    "M": "datetimes",
    "m": "timedeltas",
}


def _as_real_array(X: Any, name: str, dtype: Any) -> np.ndarray:
    """``np.asarray(X, dtype)``, refusing what that conversion would silently mangle."""
    expected = f"{name} must be numeric array-like (real numbers)"
    try:
        raw = X if isinstance(X, np.ndarray) else np.asarray(X)
    except (TypeError, ValueError) as exc:  # e.g. a ragged nested list
        raise TypeError(f"{expected}, got {type(X).__name__}: {exc}") from exc
    kind = _NOT_REAL_KINDS.get(raw.dtype.kind)
    if kind is not None:
        raise TypeError(f"{expected}, got {kind} (dtype {raw.dtype}).")
    try:
        # NOTE: an overflow in the cast (1e300 to float32) gives inf, reported as non-finite
        with np.errstate(over="ignore"):
            return np.asarray(raw, dtype=dtype)
    except OverflowError as exc:  # a Python int beyond float64's range, in an object array
        raise ValueError(f"{name} contains a value too large for {np.dtype(dtype)}: {exc}") from exc
    except (TypeError, ValueError) as exc:  # objects that are not numbers (complex included)
        raise TypeError(f"{expected}, got {raw.dtype} data: {exc}") from exc


def max_abs(a: np.ndarray) -> float:
    """``max |a|``, or inf if ``a`` holds NaN or infinity (two fast passes, no temporary)."""
    if a.size == 0:
        return 0.0
    # NOTE: max and min propagate NaN, and an infinity is the max or the min; two vectorised
    # reductions are ~2x faster than isfinite + all (and, unlike a sum, cannot overflow).
    size = max(abs(float(a.max())), abs(float(a.min())))
    return size if math.isfinite(size) else math.inf


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
