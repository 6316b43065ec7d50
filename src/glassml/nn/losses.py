"""Loss functions and their gradients (seed file 02).

A loss measures how wrong the predictions are; its gradient with respect to the predictions is
where backpropagation starts. Every function takes ``(y_pred, y_true)`` and keeps the floating
dtype of ``y_pred`` -- at least float32: float16 input is computed, and its gradient returned,
in float32, as ``torch.autocast`` runs losses in float32. (float16 ends at 65504 and has no
number near ``eps = 1e-9``, so in float16 ``log(eps)`` is ``log(0)`` and squared errors of 300
overflow.)

Logarithms are taken of probabilities clipped to ``[eps, 1 - eps]`` with a named ``eps``
(:data:`EPS` = 1e-9, as in the seed), so a confident wrong prediction gives a large finite loss,
never ``log(0)``. :data:`EPS` is the one clipping constant of every binary cross-entropy path
(these functions and :class:`~glassml.nn.NeuralNetwork`'s training loop).

Bad input is refused with the argument's name: complex or non-numeric data is a ``TypeError``;
NaN/inf, probabilities or targets outside ``[0, 1]`` and class labels that are negative, too
large or not integers are a ``ValueError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_positive, check_scalar_number
from glassml.nn.activations import sigmoid

__all__ = [
    "EPS",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_gradient",
    "cross_entropy",
    "cross_entropy_gradient",
    "mse",
    "mse_gradient",
    "one_hot",
]

#: Probability clipping used inside logarithms.
EPS = 1e-9


# -- validation shared by the public functions --------------------------------------------------
def _compute_dtype(y_pred: np.ndarray) -> np.dtype:
    """y_pred's floating dtype, at least float32 (float64 for integers and anything else)."""
    if not np.issubdtype(y_pred.dtype, np.floating):
        return np.dtype(np.float64)  # complex and non-numeric data are refused by the check
    return np.promote_types(y_pred.dtype, np.float32)


def _prepare(
    y_pred: Any, y_true: Any, names: tuple[str, str] = ("y_pred", "y_true")
) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(y_pred)
    dtype = _compute_dtype(p)
    p = check_finite_array(p, names[0], dtype=dtype)
    y = check_finite_array(y_true, names[1], dtype=dtype)
    if p.shape != y.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape, got {p.shape} and {y.shape}."
        )
    return p, y


def _prepare_probabilities(y_pred: Any, y_true: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_prepare`, then both arguments must lie in [0, 1] (probabilities and targets)."""
    p, y = _prepare(y_pred, y_true)
    _check_unit_interval(p, "y_pred", "probabilities")
    _check_unit_interval(y, "y_true", "targets")
    return p, y


def _check_unit_interval(a: np.ndarray, name: str, what: str) -> None:
    lo, hi = a.min(), a.max()
    if lo < 0 or hi > 1:
        raise ValueError(
            f"{name} must hold {what} in [0, 1], got values from {lo:.6g} to {hi:.6g}."
        )


def _prepare_multiclass(y_pred: Any, y_true: Any) -> tuple[np.ndarray, np.ndarray]:
    """``y_pred`` of shape (n, C); ``y_true`` one-hot (n, C) or integer labels (n,)."""
    p = np.asarray(y_pred)
    dtype = _compute_dtype(p)
    p = check_finite_array(p, "y_pred", ndim=2, dtype=dtype)
    _check_unit_interval(p, "y_pred", "probabilities")
    y_raw = np.asarray(y_true)
    if y_raw.ndim == 1:
        y = one_hot(y_raw, p.shape[1], dtype=p.dtype, name="y_true")
    else:
        y = check_finite_array(y_raw, "y_true", ndim=2, dtype=dtype)
        _check_unit_interval(y, "y_true", "one-hot (or soft) targets")
    if p.shape != y.shape:
        raise ValueError(
            f"y_pred has shape {p.shape} but y_true is {y_raw.shape}; expected one-hot "
            f"{p.shape} or integer labels ({p.shape[0]},)."
        )
    return p, y


def _check_eps(eps: float) -> float:
    """``eps`` as a Python float in (0, 0.5); a Fraction or NumPy scalar is converted."""
    return check_scalar_number(eps, "eps", low=0, high=0.5, include_low=False, include_high=False)


def one_hot(labels: Any, n_classes: int, dtype: Any = np.float64, name: str = "y") -> np.ndarray:
    """Integer class labels ``(n,)`` in ``[0, n_classes)`` as a one-hot matrix ``(n, n_classes)``.

    Raises ``ValueError`` (naming ``name``) for empty input, non-integer values or labels out of
    range, and ``TypeError`` for data that is not real numbers.
    """
    check_positive(n_classes, "n_classes", integer=True)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"{name} labels must be a non-empty 1-D array, got shape {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer):
        labels = check_finite_array(labels, name, ndim=1)
        if not np.all(labels == np.round(labels)):
            raise ValueError(f"{name} labels must be integers 0..{n_classes - 1}.")
    # NOTE: the range is checked before the cast to int64: 1e20 would wrap to a negative index
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"{name} labels must be in [0, {n_classes - 1}] for {n_classes} classes, got values "
            f"from {labels.min():g} to {labels.max():g}."
        )
    labels = labels.astype(np.int64, copy=False)
    Y = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    Y[np.arange(labels.shape[0]), labels] = 1
    return Y


_CLIP_BOUNDS: dict[tuple[np.dtype, float], tuple[Any, Any]] = {}


def _clip(p: np.ndarray, eps: float) -> np.ndarray:
    bounds = _CLIP_BOUNDS.get((p.dtype, eps))
    if bounds is None:
        # NOTE: in float32, 1 - 1e-9 rounds to exactly 1.0 and log(1 - p) would be log(0); the
        # upper bound is therefore at most the largest number below 1 in p's dtype. Likewise
        # the lower bound is at least the smallest normal number (float16 rounds 1e-9 to 0).
        one = p.dtype.type(1)
        lo = max(p.dtype.type(eps), np.finfo(p.dtype).tiny)
        hi = min(one - p.dtype.type(eps), np.nextafter(one, p.dtype.type(0)))
        bounds = _CLIP_BOUNDS[(p.dtype, eps)] = (lo, hi)
    return np.clip(p, *bounds)


# -- unvalidated kernels (also used by NeuralNetwork's training loop) --------------------------
def _mse(p: np.ndarray, y: np.ndarray) -> float:
    d = p - y
    return float(np.vdot(d, d)) / d.size


def _mse_grad(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = p - y
    d *= 2.0 / d.size
    return d


def _bce(p: np.ndarray, y: np.ndarray, eps: float = EPS) -> float:
    pc = _clip(p, eps)
    return -float(np.mean(y * np.log(pc) + (1 - y) * np.log1p(-pc)))


def _bce_grad(p: np.ndarray, y: np.ndarray, eps: float = EPS) -> np.ndarray:
    pc = _clip(p, eps)
    return (pc - y) / (pc * (1 - pc) * p.size)


def _bce_logits(z: np.ndarray, y: np.ndarray) -> float:
    # -[y log σ(z) + (1 - y) log(1 - σ(z))] = max(z, 0) - z y + log(1 + e^(-|z|))
    with np.errstate(under="ignore"):  # e^(-1000) is 0, correctly rounded
        return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def _bce_logits_grad(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (sigmoid(z) - y) / z.size


def _ce(p: np.ndarray, Y: np.ndarray, eps: float = EPS) -> float:
    log_p = _clip(p, eps)
    np.log(log_p, out=log_p)
    return -float(np.vdot(Y, log_p)) / p.shape[0]  # vdot: Σ_ic Y_ic log p_ic in one pass


def _ce_grad(p: np.ndarray, Y: np.ndarray, eps: float = EPS) -> np.ndarray:
    return -Y / (_clip(p, eps) * p.shape[0])


# -- public -------------------------------------------------------------------------------------
def mse(y_pred: Any, y_true: Any) -> float:
    """Mean squared error.

    Parameters
    ----------
    y_pred, y_true : array-like of the same shape, e.g. (n_samples,) or (n_samples, n_outputs)

    Returns
    -------
    float

    Notes
    -----
    ``L = mean((y_pred - y_true)²)``, the mean over every element. Large errors count
    quadratically, so outliers weigh a lot.
    """
    return _mse(*_prepare(y_pred, y_true))


def mse_gradient(y_pred: Any, y_true: Any) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y_pred``: ``2 (y_pred - y_true) / n``.

    ``n`` is the number of elements; the result has the shape of ``y_pred``.
    """
    return _mse_grad(*_prepare(y_pred, y_true))


def binary_cross_entropy(y_pred: Any, y_true: Any, eps: float = EPS) -> float:
    """Binary cross-entropy of probabilities ``y_pred`` against targets ``y_true`` in [0, 1].

    Parameters
    ----------
    y_pred : array-like
        Predicted probabilities of class 1.
    y_true : array-like of the same shape
        Targets (0/1 labels, or soft targets in [0, 1]).
    eps : float, default=1e-9
        ``y_pred`` is clipped to ``[eps, 1 - eps]`` before the logarithms.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``y_pred`` or ``y_true`` holds a value outside [0, 1] (or NaN/inf), or the shapes
        differ. ``TypeError`` for complex or non-numeric data.

    Notes
    -----
    ``L = -mean(y log p + (1 - y) log(1 - p))``, the negative log-likelihood of Bernoulli
    labels. With ``y = 1`` the penalty is ``-log p``, which grows without bound as ``p → 0``;
    the clipping caps it at ``-log(eps) ≈ 20.7``.
    """
    eps = _check_eps(eps)
    return _bce(*_prepare_probabilities(y_pred, y_true), eps=eps)


def binary_cross_entropy_gradient(y_pred: Any, y_true: Any, eps: float = EPS) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` with respect to ``y_pred``.

    Notes
    -----
    ``∂L/∂p = (p - y) / (p (1 - p) n)`` with ``p`` clipped to ``[eps, 1 - eps]`` and ``n`` the
    number of elements. Multiplied by the sigmoid derivative ``p (1 - p)`` this becomes
    ``(p - y) / n``: :class:`~glassml.nn.NeuralNetwork` uses that combined form directly for a
    sigmoid output, which stays accurate even when ``p`` saturates.
    """
    eps = _check_eps(eps)
    return _bce_grad(*_prepare_probabilities(y_pred, y_true), eps=eps)


def binary_cross_entropy_with_logits(logits: Any, y_true: Any) -> float:
    """Binary cross-entropy of ``sigmoid(logits)`` against targets in [0, 1], from the logits.

    Parameters
    ----------
    logits : array-like
        Pre-sigmoid scores ``z`` (any real numbers).
    y_true : array-like of the same shape
        Targets (0/1 labels, or soft targets in [0, 1]).

    Returns
    -------
    float

    Notes
    -----
    ``L = mean(max(z, 0) - z y + log(1 + e^(-|z|)))``, which equals
    ``-mean(y log σ(z) + (1 - y) log(1 - σ(z)))`` exactly but never forms ``σ(z)``: no
    clipping and no ``eps`` are needed, and ``z = ±1000`` gives the exact loss. PyTorch's
    ``F.binary_cross_entropy_with_logits`` computes the same.
    """
    z, y = _prepare(logits, y_true, names=("logits", "y_true"))
    _check_unit_interval(y, "y_true", "targets")
    return _bce_logits(z, y)


def binary_cross_entropy_with_logits_gradient(logits: Any, y_true: Any) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy_with_logits` with respect to ``logits``.

    Notes
    -----
    ``∂L/∂z = (σ(z) - y) / n`` with ``n`` the number of elements: the combined sigmoid + BCE
    gradient, of the shape of ``logits``.
    """
    z, y = _prepare(logits, y_true, names=("logits", "y_true"))
    _check_unit_interval(y, "y_true", "targets")
    return _bce_logits_grad(z, y)


def cross_entropy(y_pred: Any, y_true: Any, eps: float = EPS) -> float:
    """Multi-class (softmax) cross-entropy of row probabilities against one-hot or int labels.

    Parameters
    ----------
    y_pred : array-like of shape (n_samples, n_classes)
        Predicted class probabilities (e.g. a softmax output), rows summing to 1.
    y_true : array-like of shape (n_samples, n_classes) or (n_samples,)
        One-hot targets, or integer class labels in ``[0, n_classes)``.
    eps : float, default=1e-9
        Probabilities are clipped to ``[eps, 1 - eps]`` before the logarithm.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``y_pred`` holds a value outside [0, 1], one-hot targets lie outside [0, 1], or a
        label is negative, not an integer or not below ``n_classes``. ``TypeError`` for complex
        or non-numeric data.

    Notes
    -----
    ``L = -(1/n) Σ_i Σ_c y_ic log p_ic``: the mean over samples of minus the log-probability
    of the true class. PyTorch's ``F.cross_entropy`` computes the same from the logits.
    """
    eps = _check_eps(eps)
    return _ce(*_prepare_multiclass(y_pred, y_true), eps=eps)


def cross_entropy_gradient(y_pred: Any, y_true: Any, eps: float = EPS) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to ``y_pred``, shape (n_samples, n_classes).

    Notes
    -----
    ``∂L/∂p_ic = -y_ic / (p_ic n)``. Passed back through a softmax (whose Jacobian is
    ``diag(p) - p pᵀ``) it becomes ``(p - y) / n``, the combined gradient
    :class:`~glassml.nn.NeuralNetwork` uses for a softmax output.
    """
    eps = _check_eps(eps)
    return _ce_grad(*_prepare_multiclass(y_pred, y_true), eps=eps)
