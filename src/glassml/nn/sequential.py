"""A network made of any list of :class:`~glassml.nn.Layer` objects, trained by backpropagation.

The forward pass feeds each layer's output to the next; the backward pass starts from the
loss gradient and walks the layers in reverse, each layer's ``dX`` becoming the previous
layer's ``dA`` (the chain rule); ``update`` moves every parameter against its gradient.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from glassml._validation import check_finite_array, check_option, check_positive, make_rng
from glassml.nn import _npz
from glassml.nn.base import Layer
from glassml.nn.layers import DenseLayer
from glassml.nn.losses import _bce, _bce_grad, _ce, _ce_grad, _mse, _mse_grad, one_hot

__all__ = ["LOSSES", "Sequential"]

#: Loss names accepted by :class:`Sequential` and :class:`~glassml.nn.NeuralNetwork`.
LOSSES: tuple[str, ...] = ("mse", "bce", "cross_entropy")

# (loss, output activation) pairs whose combined gradient ∂L/∂Z is simply (p - y) / n.
_COMBINED = {("bce", "sigmoid"), ("cross_entropy", "softmax")}

_LossFn = Callable[[np.ndarray, np.ndarray], float]
_LossGrad = Callable[[np.ndarray, np.ndarray], np.ndarray]
_LOSS_FN: dict[str, tuple[_LossFn, _LossGrad]] = {
    "mse": (_mse, _mse_grad),
    "bce": (_bce, _bce_grad),
    "cross_entropy": (_ce, _ce_grad),
}


class Sequential:
    """Layers applied one after the other, trained with a loss by backpropagation.

    Parameters
    ----------
    layers : list of Layer
        Any :class:`~glassml.nn.Layer` objects (a user's own subclass included), applied in
        order. Consecutive :class:`~glassml.nn.DenseLayer` sizes must match.
    loss : {"bce", "cross_entropy", "mse"}, default="bce"
        Binary cross-entropy (0/1 targets, probabilities out), softmax cross-entropy (one-hot
        or integer labels, probabilities out) or mean squared error (regression).
    learning_rate : float, default=0.1
        Step size of the built-in vanilla gradient descent (ignored when ``optimizer`` is given).
    optimizer : object with ``step(params, grads)``, optional
        E.g. ``glassml.optim.Adam(...)``; ``update()`` calls
        ``optimizer.step(self.parameters(), self.gradients())``.
    random_state : None, int or numpy.random.Generator
        Seeds the per-epoch shuffling of :meth:`fit`.

    Attributes
    ----------
    layers : list of Layer
    dtype : numpy.dtype
        The dtype of the parameters (all must agree; float64 when there are none). Inputs are
        cast to it once.

    Notes
    -----
    Backward: ``dA_L = ∂L/∂A_L`` from the loss, then ``dA_{l-1} = layers[l].backward(dA_l)``
    for ``l = L … 1``, each layer filling its own gradients. When the last layer is a
    :class:`~glassml.nn.DenseLayer` with a sigmoid output and ``bce``, or a softmax output and
    ``cross_entropy``, the loss and activation derivatives are combined into
    ``∂L/∂Z_L = (p - y) / n`` (``n`` = number of elements for bce, of samples for
    cross-entropy): the same number, without dividing by a vanishing ``p (1 - p)``.

    A :meth:`fit` that fails -- bad input, a diverging loss (``FloatingPointError``), an
    exception from a layer or optimizer, Ctrl-C -- leaves the parameters, the gradients, the
    optimizer's state (restored from a ``copy.deepcopy`` taken before) and the shuffling
    generator exactly as they were.

    Examples
    --------
    A user's layer ``A = s · X`` (see :class:`~glassml.nn.Layer`) after a dense layer, trained
    with Adam:

    >>> import numpy as np
    >>> from glassml.nn import DenseLayer, Layer, Sequential
    >>> from glassml.optim import Adam
    >>> class Scale(Layer):
    ...     def __init__(self, s=1.0):
    ...         self.s, self.ds, self._X = np.array([s]), np.zeros(1), None
    ...     def forward(self, X, training=True):
    ...         self._X = np.asarray(X, dtype=float)
    ...         return self.s[0] * self._X
    ...     def backward(self, dA):
    ...         self.ds[0] = np.sum(dA * self._X)
    ...         return self.s[0] * dA
    ...     def parameters(self):
    ...         return [self.s]
    ...     def gradients(self):
    ...         return [self.ds]
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
    >>> net = Sequential([DenseLayer(1, 1, "linear", random_state=0), Scale(0.5)],
    ...                  loss="mse", optimizer=Adam(0.05), random_state=0)
    >>> history = net.fit(X, 3 * X[:, 0], epochs=200, batch_size=20, verbose=False)
    >>> bool(history[-1] < 1e-3)
    True
    """

    #: How :meth:`_check_X` names the expected number of input features.
    _n_inputs_label = "layers[0].n_inputs"

    def __init__(
        self,
        layers: Sequence[Layer],
        loss: str = "bce",
        learning_rate: float = 0.1,
        optimizer: Any = None,
        random_state: None | int | np.random.Generator = None,
    ) -> None:
        self.layers = _check_layers(layers)
        check_option(loss, "loss", LOSSES)
        check_positive(learning_rate, "learning_rate")
        if optimizer is not None and not callable(getattr(optimizer, "step", None)):
            raise TypeError(
                "optimizer must be None or an object with a step(params, grads) method, "
                f"got {type(optimizer).__name__}."
            )
        self.loss = loss
        self.learning_rate = float(learning_rate)  # a Python float never upcasts float32
        self.optimizer = optimizer
        self.random_state = random_state
        self.dtype = _common_dtype(self.layers)
        self._rng = make_rng(random_state)
        self._out_shape: tuple[int, ...] | None = None

    def __repr__(self) -> str:
        return f"Sequential({self.layers!r}, loss={self.loss!r}, {self._update_repr()})"

    def _update_repr(self) -> str:
        """``learning_rate=…`` or ``optimizer=…``: what steps the parameters (for ``repr``).

        NOTE: ``learning_rate`` is ignored when an optimizer is given, so it is not shown then.
        """
        if self.optimizer is None:
            return f"learning_rate={self.learning_rate:g}"
        return f"optimizer={self.optimizer!r}"

    # -- parameters ------------------------------------------------------------------------------
    def parameters(self) -> list[np.ndarray]:
        """Every layer's parameters in order, e.g. ``[W_1, b_1, W_2, b_2]`` (the live arrays)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def gradients(self) -> list[np.ndarray]:
        """The gradients matching :meth:`parameters` (the same objects on every call)."""
        return [g for layer in self.layers for g in layer.gradients()]

    # -- forward / backward / update -----------------------------------------------------------
    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        """Run ``X`` of shape (n_samples, n_features) through every layer.

        ``training=False`` runs the layers in evaluation mode (as :meth:`predict` does).

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            The last layer's output (probabilities for bce / cross-entropy).
        """
        return self._forward(self._check_X(X), training)

    def backward(self, y_pred: Any, y_true: Any) -> None:
        """Backpropagate the loss of the last :meth:`forward` and fill every gradient.

        Parameters
        ----------
        y_pred : array-like of shape (n_samples, n_outputs)
            The output of the last :meth:`forward` call.
        y_true : array-like
            Targets: for ``cross_entropy`` one-hot (n_samples, n_classes) or integer labels
            (n_samples,); for one output unit (n_samples,) or (n_samples, 1); otherwise
            (n_samples, n_outputs).
        """
        if self._out_shape is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before forward; call forward(X) first."
            )
        p = check_finite_array(y_pred, "y_pred", ndim=2, dtype=self.dtype)
        if p.shape != self._out_shape:
            raise ValueError(
                f"y_pred must have the shape of the last forward output {self._out_shape}, "
                f"got {p.shape}."
            )
        self._backward(p, self._encode_targets(y_true, p.shape[0], p.shape[1]))

    def update(self) -> None:
        """Apply one step: vanilla gradient descent in place, or ``optimizer.step``."""
        if self.optimizer is not None:
            self.optimizer.step(self.parameters(), self.gradients())
            return
        lr = self.learning_rate
        for param, grad in zip(self.parameters(), self.gradients(), strict=True):
            param -= lr * grad

    def loss_value(self, y_pred: Any, y_true: Any) -> float:
        """The network's loss of ``y_pred`` (an output of :meth:`forward`) against ``y_true``."""
        p = check_finite_array(y_pred, "y_pred", ndim=2, dtype=self.dtype)
        n_out = getattr(self.layers[-1], "n_outputs", p.shape[1])
        if p.shape[1] != n_out:
            raise ValueError(
                f"y_pred must have {n_out} columns (the output units), got shape {p.shape}."
            )
        return _LOSS_FN[self.loss][0](p, self._encode_targets(y_true, p.shape[0], n_out))

    # -- training --------------------------------------------------------------------------------
    def fit(
        self,
        X: Any,
        y: Any,
        epochs: int = 100,
        batch_size: int = 32,
        verbose: bool = True,
        scheduler: Any = None,
    ) -> list[float]:
        """Train with mini-batches: shuffle, then forward → loss → backward → update per batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like
            Targets, shaped as for :meth:`backward`.
        epochs : int, default=100
            Passes over the data.
        batch_size : int, default=32
            Samples per update (the last batch of an epoch may be smaller).
        verbose : bool, default=True
            Show a tqdm progress bar (on stderr) with the running loss.
        scheduler : object with ``step()``, optional
            E.g. ``glassml.optim.schedulers.StepLR(optimizer, 20, 0.5)``: its ``step()`` is called
            once per epoch, after the epoch's updates. It must drive this network's
            ``optimizer`` (or, without one, the network itself, whose ``learning_rate`` the
            built-in gradient descent uses). A failed ``fit`` puts its state back too.

        Returns
        -------
        list of float
            The mean loss of each epoch (averaged over samples, measured before each update).

        Raises
        ------
        FloatingPointError
            If the loss or a parameter becomes NaN or infinite (the training diverged); the
            message names the epoch and batch. The network is left as it was before ``fit``.
        TypeError, ValueError
            If ``scheduler`` has no ``step()`` or drives another optimizer.
        """
        check_positive(epochs, "epochs", integer=True)
        check_positive(batch_size, "batch_size", integer=True)
        X = self._check_X(X)
        n_out = getattr(self.layers[-1], "n_outputs", None)
        if n_out is None:  # a user's last layer: its width is what it outputs
            n_out = self._forward(X[:1], training=False).shape[1]
        Y = self._encode_targets(y, X.shape[0], n_out)
        self._check_scheduler(scheduler)
        snapshot = self._snapshot()
        # NOTE: a scheduler holds scalars and a reference to the optimizer: a shallow copy
        saved = self.learning_rate, dict(vars(scheduler)) if scheduler is not None else None
        try:
            # a diverging run overflows to inf/NaN: reported once, as FloatingPointError below
            with np.errstate(over="ignore", invalid="ignore"):
                return self._train(X, Y, int(epochs), int(batch_size), verbose, scheduler)
        except BaseException:
            self._restore(snapshot)
            self.learning_rate = saved[0]
            if saved[1] is not None:
                vars(scheduler).clear()
                vars(scheduler).update(saved[1])
            raise

    def _check_scheduler(self, scheduler: Any) -> None:
        if scheduler is None:
            return
        if not callable(getattr(scheduler, "step", None)) or not hasattr(scheduler, "__dict__"):
            raise TypeError(
                "scheduler must be None or an object with a step() method (e.g. "
                f"glassml.optim.schedulers.StepLR), got {type(scheduler).__name__}."
            )
        target = self if self.optimizer is None else self.optimizer
        driven = getattr(scheduler, "optimizer", target)
        if driven is not target:
            raise ValueError(
                f"scheduler drives {type(driven).__name__} object {id(driven):#x}, not this "
                f"network's {'optimizer' if self.optimizer is not None else 'learning_rate'} "
                f"({type(target).__name__} object {id(target):#x}); make it with the network's "
                "optimizer (or with the network itself when it has none)."
            )

    def _train(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        epochs: int,
        batch_size: int,
        verbose: bool,
        scheduler: Any = None,
    ) -> list[float]:
        n = X.shape[0]
        loss_fn = _LOSS_FN[self.loss][0]
        epoch_iter: Any = range(epochs)
        if verbose:
            from tqdm import tqdm

            epoch_iter = tqdm(epoch_iter, desc="fit", unit="epoch")
        history: list[float] = []
        for epoch in epoch_iter:
            order = self._rng.permutation(n)
            Xs, Ys = X[order], Y[order]  # one gather per epoch; batches are then views
            total = 0.0
            for batch, start in enumerate(range(0, n, batch_size)):
                xb = Xs[start : start + batch_size]
                yb = Ys[start : start + batch_size]
                p = self._forward(xb, training=True)
                batch_loss = loss_fn(p, yb)
                if not math.isfinite(batch_loss):
                    self._diverged(f"the loss is {batch_loss}", epoch, batch)
                total += batch_loss * xb.shape[0]
                self._backward(p, yb)
                self.update()
            history.append(total / n)
            if scheduler is not None:
                scheduler.step()  # one epoch done: the next one uses the next rate
            if verbose:
                epoch_iter.set_postfix(loss=f"{history[-1]:.4g}")
        if not all(np.all(np.isfinite(p)) for p in self.parameters()):
            self._diverged("a parameter is NaN or infinite", epochs - 1, -1)
        return history

    def _diverged(self, what: str, epoch: int, batch: int) -> None:
        lr = getattr(self.optimizer, "learning_rate", self.learning_rate)
        where = f"epoch {epoch + 1}" + (f", batch {batch + 1}" if batch >= 0 else " (the end)")
        raise FloatingPointError(
            f"fit stopped at {where}: {what}, so the training diverged. The network was left "
            f"as it was before fit. Try a smaller learning_rate (now {lr:g}) or scale X "
            "(e.g. standardise each feature)."
        )

    def _state_arrays(self) -> list[np.ndarray]:
        """Every array :meth:`fit` changes in place: parameters, gradients, layers' buffers."""
        return self.parameters() + self.gradients() + self.buffers()

    def buffers(self) -> list[np.ndarray]:
        """Every layer's :meth:`~glassml.nn.Layer.buffers` (e.g. running statistics), in order."""
        return [b for layer in self.layers for b in layer.buffers()]

    def _generators(self) -> list[np.random.Generator]:
        """The shuffling generator, then every generator a layer holds (e.g. Dropout's)."""
        found = [self._rng]
        for layer in self.layers:
            found += [g for g in vars(layer).values() if isinstance(g, np.random.Generator)]
        return list({id(g): g for g in found}.values())  # each generator once

    def _snapshot(self) -> tuple[list[np.ndarray], Any, list[Any]]:
        """Copies of everything :meth:`fit` changes, for :meth:`_restore`."""
        arrays = [a.copy() for a in self._state_arrays()]
        # NOTE: the memo maps each live parameter to itself, so the copied optimizer's state
        # stays keyed to the network's own arrays (state arrays such as Adam's m are copied).
        memo: dict[int, Any] = {id(p): p for p in self.parameters()}
        try:
            optimizer = copy.deepcopy(self.optimizer, memo)
        except (TypeError, copy.Error) as exc:
            raise TypeError(
                f"optimizer {type(self.optimizer).__name__} must support copy.deepcopy, so that "
                f"a failed fit can put its state back: {exc}"
            ) from exc
        rng_states = [copy.deepcopy(g.bit_generator.state) for g in self._generators()]
        return arrays, optimizer, rng_states

    def _restore(self, snapshot: tuple[list[np.ndarray], Any, list[Any]]) -> None:
        arrays, optimizer, rng_states = snapshot
        for live, saved in zip(self._state_arrays(), arrays, strict=True):
            np.copyto(live, saved)
        if hasattr(self.optimizer, "__dict__"):
            # the caller's optimizer object keeps its identity and gets its old state back
            vars(self.optimizer).clear()
            vars(self.optimizer).update(vars(optimizer))
        else:  # None, or an object without a __dict__: put the copy itself back
            self.optimizer = optimizer
        for generator, state in zip(self._generators(), rng_states, strict=True):
            generator.bit_generator.state = state

    # -- prediction ------------------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (classification losses only), computed in evaluation mode.

        Returns
        -------
        ndarray of shape (n_samples, 2) for ``bce`` with one output (columns ``P(y=0)``,
        ``P(y=1)``, as in scikit-learn), (n_samples, n_outputs) of independent probabilities
        for ``bce`` with several outputs, and (n_samples, n_classes) for ``cross_entropy``.
        """
        if self.loss == "mse":
            raise ValueError("predict_proba needs loss='bce' or 'cross_entropy', not 'mse'.")
        P = self.forward(X, training=False)
        if self.loss == "bce" and P.shape[1] == 1:
            return np.hstack([1 - P, P])
        return P

    def predict(self, X: Any) -> np.ndarray:
        """Predictions for ``X``, computed in evaluation mode.

        Returns
        -------
        ndarray
            ``bce``: 0/1 labels (``p ≥ 0.5``), shape (n_samples,) for one output;
            ``cross_entropy``: the argmax class index, shape (n_samples,); ``mse``: the
            outputs, shape (n_samples,) for one output unit.
        """
        out = self.forward(X, training=False)
        if self.loss == "cross_entropy":
            return np.argmax(out, axis=1)
        if self.loss == "bce":
            out = (out >= 0.5).astype(np.int64)
        return out[:, 0] if out.shape[1] == 1 else out

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the loss, learning rate and every parameter array to an ``.npz`` (no pickle).

        Only arrays are stored, not the layers' code: :meth:`load` needs the same architecture
        passed in. The optimizer's state is not saved. Returns the path written (``.npz`` is
        appended when missing, as :func:`numpy.savez` does).
        """
        arrays: dict[str, np.ndarray] = {
            "layer_types": np.asarray([type(la).__name__ for la in self.layers], dtype=np.str_),
            "loss": np.asarray(self.loss, dtype=np.str_),
            "learning_rate": np.asarray(self.learning_rate),
        }
        for i, param in enumerate(self.parameters()):
            arrays[f"param{i}"] = param
        for i, buffer in enumerate(self.buffers()):  # e.g. BatchNorm's running statistics
            arrays[f"buffer{i}"] = buffer
        return _write_npz(path, arrays)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        optimizer: Any = None,
        random_state: None | int | np.random.Generator = None,
        *,
        layers: Sequence[Layer] | None = None,
    ) -> Sequential:
        """Rebuild a network saved by :meth:`save` into ``layers``, freshly built the same way.

        Every stored array's shape (read from its header, before anything is allocated), dtype
        and finiteness are checked against ``layers``' parameters, then copied into them.
        Damaged or crafted files raise ``ValueError`` naming the file.

        Parameters
        ----------
        path : str or path-like
        optimizer, random_state
            As in the constructor (neither is stored in the file).
        layers : list of Layer
            The same architecture as the saved network (required).
        """
        if layers is None:
            raise TypeError(
                "Sequential.load needs layers=[...]: the same architecture as the saved "
                "network, freshly built (the file holds arrays, not code)."
            )
        path = _npz.npz_path(path)
        with _npz.guard(path, "a saved Sequential"):
            headers = _npz.read_headers(path)
            params = [p for layer in _check_layers(layers) for p in layer.parameters()]
            buffers = [b for layer in layers for b in layer.buffers()]
            _expect(path, headers, {f"param{i}": p.shape for i, p in enumerate(params)})
            _expect(path, headers, {f"buffer{i}": b.shape for i, b in enumerate(buffers)})
            _expect(path, headers, {"layer_types": (len(layers),), "loss": (), "learning_rate": ()})
            with np.load(path, allow_pickle=False) as data:
                stored = [str(t) for t in data["layer_types"]]
                if stored != [type(layer).__name__ for layer in layers]:
                    raise _npz.BadFileError(
                        f"{path} holds a network of layers {stored}; layers must match."
                    )
                net = cls(
                    layers,
                    loss=str(data["loss"]),
                    learning_rate=float(data["learning_rate"]),
                    optimizer=optimizer,
                    random_state=random_state,
                )
                named = [(f"param{i}", p) for i, p in enumerate(params)]
                named += [(f"buffer{i}", b) for i, b in enumerate(buffers)]
                for name, target in named:
                    target[...] = _npz.check_weights(path, name, data[name], target.shape)
        return net

    # -- internals -------------------------------------------------------------------------------
    def _check_X(self, X: Any) -> np.ndarray:
        X = check_finite_array(X, "X", ndim=2, dtype=self.dtype)
        n_in = getattr(self.layers[0], "n_inputs", None)
        if n_in is not None and X.shape[1] != n_in:
            raise ValueError(
                f"X has {X.shape[1]} features, but this {type(self).__name__} expects "
                f"{self._n_inputs_label}={n_in}."
            )
        return X

    def _encode_targets(self, y: Any, n_samples: int, n_out: int) -> np.ndarray:
        """``y`` as a float array of shape (n_samples, n_out) in the network's dtype."""
        if np.iscomplexobj(y):
            raise TypeError(
                f"y must be numeric array-like (real numbers), got complex numbers "
                f"(dtype {np.asarray(y).dtype})."
            )
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

    def _forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        for layer in self.layers:
            X = layer._forward(X, training)
        self._out_shape = X.shape
        return X

    def _backward(self, p: np.ndarray, Y: np.ndarray) -> None:
        layers = self.layers
        last = layers[-1]
        many = len(layers) > 1
        if isinstance(last, DenseLayer) and (self.loss, last.activation) in _COMBINED:
            dZ = p - Y
            dZ *= 1.0 / (p.size if self.loss == "bce" else p.shape[0])
            dA = last._backward_dZ(dZ, need_dX=many)
        else:
            dA = last._backward(_LOSS_FN[self.loss][1](p, Y), need_dX=many, overwrite=True)
        for i in range(len(layers) - 2, -1, -1):
            assert dA is not None
            # a dA made by one of our DenseLayers is a temporary nobody else holds, so it may
            # become dZ in place; a user's layer may return an array it keeps. The network's
            # input needs no gradient, so the first layer may skip dX.
            owned = isinstance(layers[i + 1], DenseLayer)
            dA = layers[i]._backward(dA, need_dX=i > 0, overwrite=owned)


def _check_layers(layers: Any) -> list[Layer]:
    if isinstance(layers, Layer) or not isinstance(layers, Sequence) or isinstance(layers, str):
        raise TypeError(f"layers must be a list of Layer objects, got {type(layers).__name__}.")
    if len(layers) == 0:
        raise ValueError("layers must hold at least one Layer, got an empty list.")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layers[{i}] must be a glassml.nn.Layer (subclass it for your own layer), "
                f"got {type(layer).__name__}."
            )
    for i in range(len(layers) - 1):
        n_out = getattr(layers[i], "n_outputs", None)
        n_in = getattr(layers[i + 1], "n_inputs", None)
        if n_out is not None and n_in is not None and n_out != n_in:
            raise ValueError(
                f"layers[{i}] has n_outputs={n_out} but layers[{i + 1}] has n_inputs={n_in}."
            )
    return list(layers)


def _common_dtype(layers: list[Layer]) -> np.dtype:
    dtypes = {p.dtype for layer in layers for p in layer.parameters()}
    if len(dtypes) > 1:
        raise TypeError(
            f"every parameter must have one dtype, got {sorted(d.name for d in dtypes)}."
        )
    return dtypes.pop() if dtypes else np.dtype(np.float64)


def _expect(path: Path, headers: dict[str, Any], shapes: dict[str, tuple[int, ...]]) -> None:
    """Every ``name`` of ``shapes`` is in the file with that shape (checked on headers only)."""
    for name, shape in shapes.items():
        if name not in headers:
            raise _npz.BadFileError(f"{path} is not a saved network: array {name!r} is missing.")
        if headers[name][0] != shape:
            raise _npz.BadFileError(
                f"{path}: array {name!r} has shape {headers[name][0]}, expected {shape}."
            )


def _write_npz(path: str | os.PathLike[str], arrays: dict[str, np.ndarray]) -> Path:
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    np.savez(path, **arrays)  # type: ignore[arg-type]
    return path
