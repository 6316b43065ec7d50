"""Weight initialisation: He for ReLU, Xavier for everything else (seed file 01).

If the weights are too large, activations grow layer after layer until they explode; too small
and they shrink to zero. Drawing ``W ~ N(0, scale²)`` with a scale matched to the fan-in keeps
the variance of the activations roughly constant through a deep stack.
"""

from __future__ import annotations

import math

import numpy as np

from glassml._validation import check_option, check_positive, make_rng
from glassml.nn.activations import ACTIVATIONS

__all__ = ["he_scale", "init_scale", "init_weights", "xavier_scale"]


def he_scale(n_inputs: int) -> float:
    """He (Kaiming) scale ``sqrt(2 / n_inputs)``, for ReLU layers.

    Notes
    -----
    ReLU zeroes about half of its inputs, which halves the second moment passed on; doubling
    the weight variance (``2/n`` instead of ``1/n``) compensates, so ``Var`` stays constant.
    """
    check_positive(n_inputs, "n_inputs", integer=True)
    return math.sqrt(2.0 / n_inputs)


def xavier_scale(n_inputs: int) -> float:
    """The seed's "Xavier" scale ``sqrt(1 / n_inputs)``, for sigmoid, tanh, softmax, linear.

    Notes
    -----
    With ``Var(w) = 1/n`` a unit's pre-activation ``z = Σ w_i x_i`` keeps the variance of its
    inputs. NOTE: this fan-in-only form is what the seed calls Xavier (it is also known as
    LeCun initialisation); Glorot's original uses ``2 / (n_in + n_out)``.
    """
    check_positive(n_inputs, "n_inputs", integer=True)
    return math.sqrt(1.0 / n_inputs)


def init_scale(n_inputs: int, activation: str) -> float:
    """The standard deviation used for a layer with ``n_inputs`` inputs and ``activation``."""
    check_option(activation, "activation", ACTIVATIONS)
    return he_scale(n_inputs) if activation == "relu" else xavier_scale(n_inputs)


def init_weights(
    shape: tuple[int, ...],
    activation: str,
    random_state: None | int | np.random.Generator = None,
    dtype: type | np.dtype = np.float64,
) -> np.ndarray:
    """Draw a weight array ``N(0, scale²)`` with the scale of :func:`init_scale`.

    Parameters
    ----------
    shape : tuple of int
        ``(n_inputs,)`` for one neuron or ``(n_inputs, n_outputs)`` for a dense layer; the
        fan-in is ``shape[0]``.
    activation : str
        One of ``"relu"`` (He) or ``"sigmoid"``, ``"tanh"``, ``"softmax"``, ``"linear"``
        (Xavier).
    random_state : None, int or numpy.random.Generator
        Source of randomness; an int seeds a fresh generator, a Generator is used (and advanced).
    dtype : float dtype, default=np.float64

    Returns
    -------
    ndarray of shape ``shape`` and dtype ``dtype``
    """
    rng = make_rng(random_state)
    scale = init_scale(shape[0], activation)
    # Drawn in float64 and cast once, so float32 and float64 networks with the same seed start
    # from the same weights (up to rounding).
    return (rng.standard_normal(shape) * scale).astype(dtype)
