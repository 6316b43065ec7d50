"""Gradient clipping by the global norm: the NumPy twin of ``torch.nn.utils.clip_grad_norm_``."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from glassml._validation import check_scalar_number

__all__ = ["clip_grad_norm"]

#: Added to the total norm in the clip coefficient, as torch does.
CLIP_EPS = 1e-6


def _checked_grads(grads: Sequence[np.ndarray]) -> None:
    if not isinstance(grads, list | tuple):
        raise TypeError(
            "grads must be a list (or tuple) of NumPy arrays, e.g. [dW, db], "
            f"got {type(grads).__name__}."
        )
    for i, grad in enumerate(grads):
        if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f":
            kind = grad.dtype if isinstance(grad, np.ndarray) else type(grad).__name__
            raise TypeError(
                f"grads[{i}] must be a floating-point NumPy array (scaled in place), got {kind}."
            )
        if not grad.flags.writeable:
            raise ValueError(f"grads[{i}] is read-only; it must be writeable to clip it.")


def _norm(a: np.ndarray, norm_type: float) -> float:
    """``||a||_p`` over all elements (``max |a|`` for ``p = inf``), as a Python float."""
    flat = a.ravel()
    if flat.size == 0:
        return 0.0
    return float(np.linalg.norm(flat, ord=norm_type))


def clip_grad_norm(grads: Sequence[np.ndarray], max_norm: float, norm_type: float = 2.0) -> float:
    r"""Scale every gradient in place so that their joint norm is at most ``max_norm``.

    Parameters
    ----------
    grads : list of ndarray
        The gradients, e.g. ``net.gradients()``; each a writeable floating-point array of any
        shape, multiplied in place (the same objects).
    max_norm : float
        The largest joint norm allowed, > 0.
    norm_type : float, default=2.0
        The ``p`` of the norm, >= 1, or ``math.inf`` for the largest ``|g|``.

    Returns
    -------
    float
        The joint norm *before* clipping: ``||(||g_1||_p, ..., ||g_k||_p)||_p``, which is the
        ``p``-norm of all the gradients' elements taken together.

    Raises
    ------
    TypeError
        If ``grads`` is not a list or tuple of floating-point arrays.
    ValueError
        If ``max_norm`` or ``norm_type`` is out of range, a gradient is read-only, or the norm is
        NaN or infinite (a gradient holds NaN or infinity); nothing is changed then.

    Notes
    -----
    With the total norm :math:`N`, every gradient is multiplied by

    .. math:: c = \min\left(1, \frac{\mathrm{max\_norm}}{N + 10^{-6}}\right)

    exactly as ``torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)``: the ``1e-6``
    keeps ``c`` finite when ``N = 0``, and makes a clipped norm land just *below* ``max_norm``.
    When ``N + 1e-6 <= max_norm`` nothing is touched (torch multiplies by 1.0, the same
    values); NOTE: so a norm *equal* to ``max_norm`` still shrinks by ``1e-6/N``, as in torch.
    Unlike torch's default (``error_if_nonfinite=False``), which turns every gradient into NaN,
    a non-finite norm raises (torch's ``error_if_nonfinite=True``).

    Examples
    --------
    >>> import numpy as np
    >>> g = [np.array([3.0]), np.array([4.0])]
    >>> clip_grad_norm(g, max_norm=1.0)
    5.0
    >>> float(np.hypot(g[0][0], g[1][0])) < 1.0
    True
    """
    _checked_grads(grads)
    max_norm = check_scalar_number(max_norm, "max_norm", low=0.0, include_low=False)
    if not (isinstance(norm_type, int | float) and norm_type == math.inf):
        norm_type = check_scalar_number(norm_type, "norm_type", low=1.0)
    norms = [_norm(g, norm_type) for g in grads]
    total = _norm(np.array(norms), norm_type)
    if not math.isfinite(total):
        raise ValueError(
            f"the total gradient norm is {total}: a gradient holds NaN or infinity (or is too "
            "large to square); no gradient was changed."
        )
    coef = max_norm / (total + CLIP_EPS)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total
