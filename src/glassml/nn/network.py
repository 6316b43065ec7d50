"""The seed's multi-layer perceptron: a :class:`~glassml.nn.Sequential` of dense layers (seed 02).

:class:`NeuralNetwork` builds :class:`~glassml.nn.DenseLayer` objects from a list of layer sizes
and activation names; everything else -- forward, backward, update, fit, predict -- is
:class:`~glassml.nn.Sequential`'s. Its ``save``/``load`` store the architecture too, so a saved
network is rebuilt from the file alone.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from glassml._validation import check_option, check_positive, make_rng
from glassml.nn import _npz
from glassml.nn.activations import get_activation
from glassml.nn.base import Layer
from glassml.nn.layers import DenseLayer, check_dtype
from glassml.nn.sequential import LOSSES, Sequential, _expect, _write_npz

__all__ = ["LOSSES", "NeuralNetwork"]

#: The output activation used when ``activations`` is not given.
DEFAULT_OUTPUT_ACTIVATION = {"bce": "sigmoid", "cross_entropy": "softmax", "mse": "linear"}

_META = ("layer_sizes", "activations", "loss", "learning_rate", "dtype")


class NeuralNetwork(Sequential):
    """A fully connected network of :class:`~glassml.nn.DenseLayer` trained with backprop.

    A :class:`~glassml.nn.Sequential` whose layers are built from ``layer_sizes`` and
    ``activations``; it has every method of Sequential.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer including the input, e.g. ``[2, 8, 1]`` is 2 inputs, one hidden layer of
        8 units and 1 output.
    activations : sequence of str, optional
        One activation per layer (``len(layer_sizes) - 1`` names from ``"relu"``, ``"sigmoid"``,
        ``"tanh"``, ``"softmax"``, ``"linear"``). Default: ReLU for hidden layers and, for the
        output, sigmoid with ``bce``, softmax with ``cross_entropy``, linear with ``mse``.
    loss : {"bce", "cross_entropy", "mse"}, default="bce"
        Binary cross-entropy (0/1 targets), softmax cross-entropy (one-hot or integer labels)
        or mean squared error (regression).
    learning_rate : float, default=0.1
        Step size of the built-in vanilla gradient descent (ignored when ``optimizer`` is given).
    optimizer : object with ``step(params, grads)``, optional
        E.g. ``glassml.optim.Adam(...)``. ``update()`` calls
        ``optimizer.step(self.parameters(), self.gradients())``, which must update the arrays
        in place.
    random_state : None, int or numpy.random.Generator
        Seeds the weight initialisation and the per-epoch shuffling (one generator for both).
    dtype : np.float32 or np.float64, default=np.float64
        Dtype of every parameter, gradient and activation; inputs are cast to it once.

    Attributes
    ----------
    layers : list of DenseLayer
        ``layers[i]`` maps ``layer_sizes[i]`` to ``layer_sizes[i + 1]`` units.

    Notes
    -----
    Backward: ``dA_L = ∂L/∂A_L`` from the loss, then for ``l = L … 1``:
    ``dA_{l-1} = layers[l].backward(dA_l)``, which also fills ``dW_l``, ``db_l``. With a sigmoid output and ``bce``, or a
    softmax output and ``cross_entropy``, the loss and activation derivatives are combined into
    ``∂L/∂Z_L = (p - y) / n`` (``n`` = number of elements for bce, of samples for
    cross-entropy): the same number, without dividing by a vanishing ``p (1 - p)``.

    Update (no optimizer): ``W ← W - learning_rate · dW`` and ``b ← b - learning_rate · db`` for
    every layer, in place. A failed :meth:`fit` leaves the network as it was (see
    :class:`~glassml.nn.Sequential`).
    """

    _n_inputs_label = "layer_sizes[0]"

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activations: Sequence[str] | None = None,
        loss: str = "bce",
        learning_rate: float = 0.1,
        optimizer: Any = None,
        random_state: None | int | np.random.Generator = None,
        dtype: Any = np.float64,
    ) -> None:
        sizes = _check_layer_sizes(layer_sizes)
        check_option(loss, "loss", LOSSES)
        acts = _check_activations(activations, loss, len(sizes) - 1)
        if loss == "cross_entropy" and sizes[-1] < 2:
            raise ValueError(
                "loss='cross_entropy' needs at least 2 output units (one per class), got "
                f"layer_sizes[-1]={sizes[-1]}; use loss='bce' for a single output."
            )
        check_positive(learning_rate, "learning_rate")
        dt = check_dtype(dtype)
        rng = make_rng(random_state)  # one generator: the weights first, then the shuffling
        layers = [
            DenseLayer(n_in, n_out, act, random_state=rng, dtype=dt)
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], acts, strict=True)
        ]
        super().__init__(layers, loss, learning_rate, optimizer, random_state=rng)
        self.layer_sizes = sizes
        self.activations = acts
        self.random_state = random_state
        self.dtype = dt

    def __repr__(self) -> str:
        return (
            f"NeuralNetwork({self.layer_sizes}, activations={self.activations}, "
            f"loss={self.loss!r}, {self._update_repr()}, dtype=np.{self.dtype.name})"
        )

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the architecture and weights to an ``.npz`` file (no pickle).

        The optimizer's state is not saved. Returns the path written (``.npz`` is appended
        when missing, as :func:`numpy.savez` does).
        """
        arrays: dict[str, np.ndarray] = {
            "layer_sizes": np.asarray(self.layer_sizes, dtype=np.int64),
            "activations": np.asarray(self.activations, dtype=np.str_),
            "loss": np.asarray(self.loss, dtype=np.str_),
            "learning_rate": np.asarray(self.learning_rate),
            "dtype": np.asarray(self.dtype.name, dtype=np.str_),
        }
        params = self.parameters()  # [W0, b0, W1, b1, …]
        for i, (W, b) in enumerate(zip(params[0::2], params[1::2], strict=True)):
            arrays[f"W{i}"], arrays[f"b{i}"] = W, b
        return _write_npz(path, arrays)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        optimizer: Any = None,
        random_state: None | int | np.random.Generator = None,
        *,
        layers: Sequence[Layer] | None = None,
    ) -> NeuralNetwork:
        """Rebuild a network saved by :meth:`save` (``np.load(allow_pickle=False)``).

        Every array's shape is read from its header and checked against the stored
        ``layer_sizes`` -- and every size is bounded by the bytes the file really holds --
        before any weight is allocated; NaN/inf weights, pickled object arrays and damaged
        files (truncated, not a zip, ...) raise ``ValueError`` naming the file.

        Parameters
        ----------
        path : str or path-like
            The file written by :meth:`save`.
        optimizer : object with ``step(params, grads)``, optional
            Attached to the loaded network (optimizer state is not stored in the file).
        random_state : None, int or numpy.random.Generator
            Seeds the shuffling of any further :meth:`fit` (the weights come from the file).
        layers : None
            Not used: the architecture comes from the file (accepted for Sequential's API).
        """
        if layers is not None:
            raise TypeError("NeuralNetwork.load builds its layers from the file; omit layers.")
        path = _npz.npz_path(path)
        with _npz.guard(path, "a saved NeuralNetwork"):
            headers = _npz.read_headers(path)
            missing = sorted(set(_META) - set(headers))
            if missing:
                raise _npz.BadFileError(f"{path} is not a saved NeuralNetwork: missing {missing}.")
            with np.load(path, allow_pickle=False) as data:
                sizes = [int(s) for s in data["layer_sizes"]]
                shapes: dict[str, tuple[int, ...]] = {
                    f"W{i}": (m, n) for i, (m, n) in enumerate(itertools.pairwise(sizes))
                }
                shapes.update({f"b{i}": (n,) for i, n in enumerate(sizes[1:])})
                _expect(path, headers, shapes)  # before the constructor allocates anything
                net = cls(
                    sizes,
                    activations=[str(a) for a in data["activations"]],
                    loss=str(data["loss"]),
                    learning_rate=float(data["learning_rate"]),
                    optimizer=optimizer,
                    random_state=random_state,
                    dtype=np.dtype(str(data["dtype"])),
                )
                weights = net.parameters()[0::2] + net.parameters()[1::2]  # W0, W1, …, b0, b1, …
                for name, target in zip(shapes, weights, strict=True):
                    target[...] = _npz.check_weights(path, name, data[name], target.shape)
        return net


def _check_activations(activations: Any, loss: str, n_layers: int) -> list[str]:
    """One activation name per layer (default: ReLU hidden layers and the loss's output)."""
    if activations is None:
        return ["relu"] * (n_layers - 1) + [DEFAULT_OUTPUT_ACTIVATION[loss]]
    if isinstance(activations, str) or not isinstance(activations, Sequence):
        raise TypeError(
            f"activations must be a list of {n_layers} activation names, got {activations!r}."
        )
    acts = list(activations)
    if len(acts) != n_layers:
        raise ValueError(
            f"activations must have one name per layer: len(layer_sizes) - 1 = "
            f"{n_layers}, got {len(acts)} ({acts!r})."
        )
    for i, act in enumerate(acts):
        get_activation(act, f"activations[{i}]")
    return acts


def _check_layer_sizes(layer_sizes: Any) -> list[int]:
    if isinstance(layer_sizes, str) or not isinstance(layer_sizes, Sequence | np.ndarray):
        raise TypeError(
            f"layer_sizes must be a list of ints such as [2, 8, 1], got {layer_sizes!r}."
        )
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes needs at least 2 entries (inputs and outputs), got {sizes!r}."
        )
    for i, s in enumerate(sizes):
        check_positive(s, f"layer_sizes[{i}]", integer=True)
    return [int(s) for s in sizes]
