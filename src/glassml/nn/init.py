"""Weight initialisation: He for ReLU, Xavier for everything else (seed file 01).

If the weights are too large, activations grow layer after layer until they explode; too small
and they shrink to zero. Drawing ``W ~ N(0, scale²)`` with a scale matched to the fan-in keeps
the variance of the activations roughly constant through a deep stack.
"""

from __future__ import annotations

import math

import numpy as np

from glassml._validation import check_option, check_positive, make_rng
from glassml.nn.activations import get_activation

__all__ = [
    "SCHEMES",
    "activation_std_by_depth",
    "he_scale",
    "init_scale",
    "init_weights",
    "xavier_scale",
]

#: Initialisation schemes: "auto" picks He for ReLU and Xavier otherwise, as the seed does.
SCHEMES: tuple[str, ...] = ("auto", "he", "xavier")


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


def init_scale(n_inputs: int, activation: str, scheme: str = "auto") -> float:
    """The standard deviation for a layer with ``n_inputs`` inputs and ``activation``.

    ``scheme="auto"`` is He for ReLU and Xavier otherwise; ``"he"`` / ``"xavier"`` force one
    (used to show what the wrong choice does).
    """
    get_activation(activation)
    check_option(scheme, "scheme", SCHEMES)
    if scheme == "auto":
        scheme = "he" if activation == "relu" else "xavier"
    return he_scale(n_inputs) if scheme == "he" else xavier_scale(n_inputs)


def init_weights(
    shape: tuple[int, ...],
    activation: str,
    random_state: None | int | np.random.Generator = None,
    dtype: type | np.dtype = np.float64,
    scheme: str = "auto",
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
    scheme : {"auto", "he", "xavier"}, default="auto"
        ``"auto"`` follows the activation; the others force a scale.

    Returns
    -------
    ndarray of shape ``shape`` and dtype ``dtype``
    """
    rng = make_rng(random_state)
    scale = init_scale(shape[0], activation, scheme)
    # Drawn in float64 and cast once, so float32 and float64 networks with the same seed start
    # from the same weights (up to rounding).
    return (rng.standard_normal(shape) * scale).astype(dtype)


def activation_std_by_depth(
    activation: str,
    scheme: str = "auto",
    n_layers: int = 20,
    width: int = 256,
    n_samples: int = 1000,
    random_state: None | int | np.random.Generator = None,
) -> np.ndarray:
    """Standard deviation of the activations after each layer of a deep, freshly initialised stack.

    Unit-variance Gaussian inputs of shape (n_samples, width) go through ``n_layers`` square
    layers ``A = f(A W)`` (biases are 0 at initialisation) with weights drawn by ``scheme``.

    Parameters
    ----------
    activation : {"relu", "sigmoid", "tanh", "linear"}
    scheme : {"auto", "he", "xavier"}, default="auto"
    n_layers, width, n_samples : int
        Depth, units per layer, and number of input samples.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_layers,)
        ``std(A_l)`` over all samples and units, for ``l = 1 … n_layers``.

    Notes
    -----
    For ReLU, ``E[A_l²] = n · Var(w) · E[A_{l-1}²] / 2``: He's ``Var(w) = 2/n`` keeps it constant,
    Xavier's ``1/n`` halves it at every layer (a factor ``2^(-n_layers/2)`` in std).
    """
    f = get_activation(activation, elementwise=True).function
    for value, name in ((n_layers, "n_layers"), (width, "width"), (n_samples, "n_samples")):
        check_positive(value, name, integer=True)
    rng = make_rng(random_state)
    A = rng.standard_normal((n_samples, width))
    stds = np.empty(n_layers)
    for layer in range(n_layers):
        A = f(A @ init_weights((width, width), activation, rng, scheme=scheme))
        stds[layer] = A.std()
    return stds
