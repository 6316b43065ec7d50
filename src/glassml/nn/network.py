"""A multi-layer perceptron trained by backpropagation and mini-batch gradient descent (seed 02).

:class:`NeuralNetwork` chains :class:`~glassml.nn.DenseLayer` objects: the forward pass feeds
each layer's output to the next; the backward pass starts from the loss gradient and walks the
layers in reverse, each layer's ``dX`` becoming the previous layer's ``dA`` (the chain rule);
``update`` moves every parameter against its gradient.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from glassml._validation import (
    check_finite_array,
    check_option,
    check_positive,
    make_rng,
)
from glassml.nn.activations import ACTIVATIONS
from glassml.nn.layers import DenseLayer, check_dtype
from glassml.nn.losses import _bce, _bce_grad, _ce, _ce_grad, _mse, _mse_grad, one_hot

__all__ = ["LOSSES", "NeuralNetwork"]

#: Loss names accepted by :class:`NeuralNetwork`.
LOSSES: tuple[str, ...] = ("mse", "bce", "cross_entropy")

#: The output activation used when ``activations`` is not given.
DEFAULT_OUTPUT_ACTIVATION = {"bce": "sigmoid", "cross_entropy": "softmax", "mse": "linear"}

# (loss, output activation) pairs whose combined gradient ∂L/∂Z is simply (p - y) / n.
_COMBINED = {("bce", "sigmoid"), ("cross_entropy", "softmax")}

_LOSS_FN: dict[
    str,
    tuple[
        Callable[[np.ndarray, np.ndarray], float], Callable[[np.ndarray, np.ndarray], np.ndarray]
    ],
] = {"mse": (_mse, _mse_grad), "bce": (_bce, _bce_grad), "cross_entropy": (_ce, _ce_grad)}


class NeuralNetwork:
    """A fully connected network of :class:`~glassml.nn.DenseLayer` trained with backprop.

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
    ``dA_{l-1}, dW_l, db_l = layers[l].backward(dA_l)``. With a sigmoid output and ``bce``, or a
    softmax output and ``cross_entropy``, the loss and activation derivatives are combined into
    ``∂L/∂Z_L = (p - y) / n`` (``n`` = number of elements for bce, of samples for
    cross-entropy): the same number, without dividing by a vanishing ``p (1 - p)``.

    Update (no optimizer): ``W ← W - learning_rate · dW`` and ``b ← b - learning_rate · db`` for
    every layer, in place.
    """

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
        n_layers = len(sizes) - 1
        if activations is None:
            acts = ["relu"] * (n_layers - 1) + [DEFAULT_OUTPUT_ACTIVATION[loss]]
        else:
            if isinstance(activations, str) or not isinstance(activations, Sequence):
                raise TypeError(
                    f"activations must be a list of {n_layers} activation names, "
                    f"got {activations!r}."
                )
            acts = list(activations)
            if len(acts) != n_layers:
                raise ValueError(
                    f"activations must have one name per layer: len(layer_sizes) - 1 = "
                    f"{n_layers}, got {len(acts)} ({acts!r})."
                )
            for i, act in enumerate(acts):
                check_option(act, f"activations[{i}]", ACTIVATIONS)
        if loss == "cross_entropy" and sizes[-1] < 2:
            raise ValueError(
                "loss='cross_entropy' needs at least 2 output units (one per class), got "
                f"layer_sizes[-1]={sizes[-1]}; use loss='bce' for a single output."
            )
        check_positive(learning_rate, "learning_rate")
        if optimizer is not None and not callable(getattr(optimizer, "step", None)):
            raise TypeError(
                "optimizer must be None or an object with a step(params, grads) method, "
                f"got {type(optimizer).__name__}."
            )
        self.layer_sizes = sizes
        self.activations = acts
        self.loss = loss
        self.learning_rate = float(learning_rate)  # a Python float never upcasts float32
        self.optimizer = optimizer
        self.random_state = random_state
        self.dtype = check_dtype(dtype)
        self._rng = make_rng(random_state)
        self.layers = [
            DenseLayer(n_in, n_out, act, random_state=self._rng, dtype=self.dtype)
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], acts, strict=True)
        ]

    def __repr__(self) -> str:
        return (
            f"NeuralNetwork({self.layer_sizes}, activations={self.activations}, "
            f"loss={self.loss!r}, learning_rate={self.learning_rate:g}, "
            f"dtype=np.{self.dtype.name})"
        )

    # -- parameters ------------------------------------------------------------------------------
    def parameters(self) -> list[np.ndarray]:
        """``[W_1, b_1, W_2, b_2, …]`` — the live arrays (always the same objects)."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def gradients(self) -> list[np.ndarray]:
        """``[dW_1, db_1, dW_2, db_2, …]`` matching :meth:`parameters` (same objects each call)."""
        return [g for layer in self.layers for g in (layer.dW, layer.db)]

    # -- forward / backward / update -----------------------------------------------------------
    def forward(self, X: Any) -> np.ndarray:
        """Run ``X`` through every layer.

        Parameters
        ----------
        X : array-like of shape (n_samples, layer_sizes[0])

        Returns
        -------
        ndarray of shape (n_samples, layer_sizes[-1])
            The output layer's activations (probabilities for bce / cross-entropy).
        """
        return self._forward(self._check_X(X))

    def backward(self, y_pred: Any, y_true: Any) -> None:
        """Backpropagate the loss of the last :meth:`forward` and fill every ``dW``, ``db``.

        Parameters
        ----------
        y_pred : array-like of shape (n_samples, layer_sizes[-1])
            The output of the last :meth:`forward` call.
        y_true : array-like
            Targets: for ``cross_entropy`` one-hot (n_samples, n_classes) or integer labels
            (n_samples,); for one output unit (n_samples,) or (n_samples, 1); otherwise
            (n_samples, layer_sizes[-1]).
        """
        last = self.layers[-1]
        if last._A is None:
            raise RuntimeError(
                "NeuralNetwork.backward called before forward; call forward(X) first."
            )
        p = check_finite_array(y_pred, "y_pred", ndim=2, dtype=self.dtype)
        if p.shape != last._A.shape:
            raise ValueError(
                f"y_pred must have the shape of the last forward output {last._A.shape}, "
                f"got {p.shape}."
            )
        self._backward(p, self._encode_targets(y_true, p.shape[0]))

    def update(self) -> None:
        """Apply one step: vanilla gradient descent in place, or ``optimizer.step``."""
        if self.optimizer is not None:
            self.optimizer.step(self.parameters(), self.gradients())
            return
        lr = self.learning_rate
        for layer in self.layers:
            layer.W -= lr * layer.dW
            layer.b -= lr * layer.db

    def loss_value(self, y_pred: Any, y_true: Any) -> float:
        """The network's loss of ``y_pred`` (an output of :meth:`forward`) against ``y_true``."""
        p = check_finite_array(y_pred, "y_pred", ndim=2, dtype=self.dtype)
        if p.shape[1] != self.layer_sizes[-1]:
            raise ValueError(
                f"y_pred must have {self.layer_sizes[-1]} columns (the output units), "
                f"got shape {p.shape}."
            )
        return _LOSS_FN[self.loss][0](p, self._encode_targets(y_true, p.shape[0]))

    # -- training --------------------------------------------------------------------------------
    def fit(
        self, X: Any, y: Any, epochs: int = 100, batch_size: int = 32, verbose: bool = True
    ) -> list[float]:
        """Train with mini-batches: shuffle, then forward → loss → backward → update per batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, layer_sizes[0])
        y : array-like
            Targets, shaped as for :meth:`backward`.
        epochs : int, default=100
            Passes over the data.
        batch_size : int, default=32
            Samples per update (the last batch of an epoch may be smaller).
        verbose : bool, default=True
            Show a tqdm progress bar (on stderr) with the running loss.

        Returns
        -------
        list of float
            The mean loss of each epoch (averaged over samples, measured before each update).
        """
        check_positive(epochs, "epochs", integer=True)
        check_positive(batch_size, "batch_size", integer=True)
        X = self._check_X(X)
        Y = self._encode_targets(y, X.shape[0])
        n = X.shape[0]
        loss_fn = _LOSS_FN[self.loss][0]
        epoch_iter: Any = range(epochs)
        if verbose:
            from tqdm import tqdm

            epoch_iter = tqdm(epoch_iter, desc="fit", unit="epoch")
        history: list[float] = []
        for _ in epoch_iter:
            order = self._rng.permutation(n)
            Xs, Ys = X[order], Y[order]  # one gather per epoch; batches are then views
            total = 0.0
            for start in range(0, n, batch_size):
                xb = Xs[start : start + batch_size]
                yb = Ys[start : start + batch_size]
                p = self._forward(xb)
                total += loss_fn(p, yb) * xb.shape[0]
                self._backward(p, yb)
                self.update()
            history.append(total / n)
            if verbose:
                epoch_iter.set_postfix(loss=f"{history[-1]:.4g}")
        return history

    # -- prediction ------------------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (classification losses only).

        Returns
        -------
        ndarray of shape (n_samples, 2) for ``bce`` with one output (columns ``P(y=0)``,
        ``P(y=1)``, as in scikit-learn), (n_samples, n_outputs) of independent probabilities
        for ``bce`` with several outputs, and (n_samples, n_classes) for ``cross_entropy``.
        """
        if self.loss == "mse":
            raise ValueError("predict_proba needs loss='bce' or 'cross_entropy', not 'mse'.")
        P = self.forward(X)
        if self.loss == "bce" and P.shape[1] == 1:
            return np.hstack([1 - P, P])
        return P

    def predict(self, X: Any) -> np.ndarray:
        """Predictions for ``X``.

        Returns
        -------
        ndarray
            ``bce``: 0/1 labels (``p ≥ 0.5``), shape (n_samples,) for one output;
            ``cross_entropy``: the argmax class index, shape (n_samples,); ``mse``: the
            outputs, shape (n_samples,) for one output unit.
        """
        out = self.forward(X)
        if self.loss == "cross_entropy":
            return np.argmax(out, axis=1)
        if self.loss == "bce":
            out = (out >= 0.5).astype(np.int64)
        return out[:, 0] if out.shape[1] == 1 else out

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the architecture and weights to an ``.npz`` file (no pickle).

        The optimizer's state is not saved. Returns the path written (``.npz`` is appended
        when missing, as :func:`numpy.savez` does).
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        arrays: dict[str, np.ndarray] = {
            "layer_sizes": np.asarray(self.layer_sizes, dtype=np.int64),
            "activations": np.asarray(self.activations, dtype=np.str_),
            "loss": np.asarray(self.loss, dtype=np.str_),
            "learning_rate": np.asarray(self.learning_rate),
            "dtype": np.asarray(self.dtype.name, dtype=np.str_),
        }
        for i, layer in enumerate(self.layers):
            arrays[f"W{i}"] = layer.W
            arrays[f"b{i}"] = layer.b
        np.savez(path, **arrays)  # type: ignore[arg-type]
        return path

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        optimizer: Any = None,
        random_state: None | int | np.random.Generator = None,
    ) -> NeuralNetwork:
        """Rebuild a network saved by :meth:`save` (``np.load(allow_pickle=False)``).

        Parameters
        ----------
        path : str or path-like
            The file written by :meth:`save`.
        optimizer : object with ``step(params, grads)``, optional
            Attached to the loaded network (optimizer state is not stored in the file).
        random_state : None, int or numpy.random.Generator
            Seeds the shuffling of any further :meth:`fit` (the weights come from the file).
        """
        path = Path(path)
        if not path.exists() and path.with_name(path.name + ".npz").exists():
            path = path.with_name(path.name + ".npz")
        with np.load(path, allow_pickle=False) as data:
            missing = {"layer_sizes", "activations", "loss", "learning_rate", "dtype"} - set(
                data.files
            )
            if missing:
                raise ValueError(f"{path} is not a saved NeuralNetwork: missing {sorted(missing)}.")
            net = cls(
                [int(s) for s in data["layer_sizes"]],
                activations=[str(a) for a in data["activations"]],
                loss=str(data["loss"]),
                learning_rate=float(data["learning_rate"]),
                optimizer=optimizer,
                random_state=random_state,
                dtype=np.dtype(str(data["dtype"])),
            )
            for i, layer in enumerate(net.layers):
                for name, target in ((f"W{i}", layer.W), (f"b{i}", layer.b)):
                    if name not in data.files or data[name].shape != target.shape:
                        raise ValueError(f"{path}: array {name} is missing or has a wrong shape.")
                    target[...] = data[name]
        return net

    # -- internals -------------------------------------------------------------------------------
    def _check_X(self, X: Any) -> np.ndarray:
        X = check_finite_array(X, "X", ndim=2, dtype=self.dtype)
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(
                f"X has {X.shape[1]} features, but this NeuralNetwork expects "
                f"layer_sizes[0]={self.layer_sizes[0]}."
            )
        return X

    def _encode_targets(self, y: Any, n_samples: int) -> np.ndarray:
        """``y`` as a float array of shape (n_samples, n_outputs) in the network's dtype."""
        n_out = self.layer_sizes[-1]
        y_arr = np.asarray(y)
        if self.loss == "cross_entropy" and y_arr.ndim == 1:
            if y_arr.shape[0] != n_samples:
                raise ValueError(
                    f"X has {n_samples} samples but y has {y_arr.shape[0]}; they must match."
                )
            return one_hot(y_arr, n_out, dtype=self.dtype, name="y")
        Y = check_finite_array(y_arr, "y", ndim=(1, 2), dtype=self.dtype)
        if Y.shape[0] != n_samples:
            raise ValueError(f"X has {n_samples} samples but y has {Y.shape[0]}; they must match.")
        if Y.ndim == 1:
            if n_out != 1:
                raise ValueError(
                    f"y of shape {Y.shape} needs one output unit; this network has {n_out}, "
                    f"so y must have shape ({n_samples}, {n_out})."
                )
            Y = Y.reshape(-1, 1)
        if Y.shape[1] != n_out:
            raise ValueError(
                f"y has {Y.shape[1]} columns, but the network has {n_out} output units."
            )
        if self.loss == "bce" and (Y.min() < 0 or Y.max() > 1):
            raise ValueError(
                f"y for loss='bce' must be in [0, 1], got values from {Y.min()} to {Y.max()}."
            )
        return np.ascontiguousarray(Y)

    def _forward(self, X: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            X = layer._forward(X)
        return X

    def _backward(self, p: np.ndarray, Y: np.ndarray) -> None:
        layers = self.layers
        last = layers[-1]
        many = len(layers) > 1
        if (self.loss, last.activation) in _COMBINED:
            dZ = p - Y
            dZ *= 1.0 / (p.size if self.loss == "bce" else p.shape[0])
            dA = last._backward_dZ(dZ, need_dX=many)
        else:
            dA = last._backward(_LOSS_FN[self.loss][1](p, Y), need_dX=many, overwrite=True)
        for i in range(len(layers) - 2, -1, -1):
            assert dA is not None
            # dA is our own temporary here, so it may become dZ in place; the network's input
            # needs no gradient, so the first layer skips dX
            dA = layers[i]._backward(dA, need_dX=i > 0, overwrite=True)


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
