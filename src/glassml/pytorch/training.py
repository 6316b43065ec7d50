"""The seed's PyTorch training loop: ``zero_grad → forward → loss → backward → step``.

One function, :func:`train`, that runs the same way in one process and under ``torchrun`` with
several processes (``DistributedDataParallel``, see :mod:`glassml.pytorch.distributed`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import DistributedSampler, TensorDataset
from tqdm.auto import tqdm

from glassml._validation import check_positive, check_scalar_number
from glassml.pytorch.devices import resolve_device
from glassml.pytorch.distributed import (
    init_distributed,
    is_distributed,
    is_main_process,
    rank,
    shutdown_distributed,
    world_size,
)

History = dict[str, list[float]]


def _as_tensor(data: Any, name: str, ndim: tuple[int, ...]) -> torch.Tensor:
    """A finite tensor of the allowed dimensions from an array or tensor (validated here)."""
    if isinstance(data, torch.Tensor):
        t = data.detach()
    else:
        try:
            t = torch.as_tensor(np.asarray(data))
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(
                f"{name} must be numeric array-like, got {type(data).__name__}."
            ) from exc
    if t.device.type not in ("cpu", "cuda"):
        raise ValueError(f"{name} must be on the CPU or a CUDA device, got {t.device}.")
    if t.is_complex():
        raise TypeError(f"{name} must be real-valued, got dtype {t.dtype}.")
    if t.ndim not in ndim:
        want = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(f"{name} must be {want}, got shape {tuple(t.shape)}.")
    if t.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(t.shape)}.")
    if t.is_floating_point() and not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} contains NaN or infinity; every value must be finite.")
    return t


def _check_pair(data: Any, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (X, y), got {type(data).__name__}.")
    X = _as_tensor(data[0], f"{name}[0] (X)", (2,))
    y = _as_tensor(data[1], f"{name}[1] (y)", (1, 2))
    if y.ndim == 2:
        if y.shape[1] != 1:
            raise ValueError(
                f"{name}[1] (y) must have shape (n_samples,) or (n_samples, 1), "
                f"got {tuple(y.shape)}."
            )
        y = y[:, 0]
    if len(X) != len(y):
        raise ValueError(
            f"{name}: X and y must have the same number of samples, got {len(X)} and {len(y)}."
        )
    return X, y


def _check_model(model: Any) -> tuple[torch.dtype, torch.device]:
    """The dtype and device of ``model``'s parameters, which must be one of each."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    tensors = [*model.parameters(), *model.buffers()]
    params = list(model.parameters())
    if not params:
        raise ValueError("model has no parameters to train.")
    dtypes = {p.dtype for p in params}
    if len(dtypes) > 1 or not params[0].is_floating_point():
        raise TypeError(
            "model's parameters must all have one floating-point dtype (cast the model with "
            f"model.float() or model.double()), got {sorted(str(d) for d in dtypes)}."
        )
    devices = {t.device for t in tensors}
    if any(d.type == "meta" for d in devices):
        raise ValueError(
            "model has tensors on the 'meta' device (shapes without values): create or load "
            "real weights (e.g. model.to_empty(device='cpu') and initialise them) before training."
        )
    if len(devices) > 1:
        raise ValueError(
            f"model's tensors must all be on one device, got {sorted(str(d) for d in devices)}; "
            "train moves the whole model to `device`, but first runs it where it is."
        )
    return params[0].dtype, params[0].device


def _cast(t: torch.Tensor, dtype: torch.dtype, name: str) -> torch.Tensor:
    """``t`` in the model's dtype, checked finite AFTER the cast (1e39 is inf in float32)."""
    cast = t.to(dtype)
    if not bool(torch.isfinite(cast).all()):
        largest = float(t.to(torch.float64).abs().max())
        raise ValueError(
            f"{name} holds values too large for the model's dtype {dtype} (largest magnitude "
            f"{largest:.3g}; they would become infinite): scale the data, or use a float64 "
            "model (model.double())."
        )
    return cast


def _n_logits(model: nn.Module, X: torch.Tensor, model_device: torch.device) -> int:
    """Number of outputs of ``model``, read from one eval-mode forward pass on two samples.

    The pass runs where the model already is (only the two samples move), so a call that fails
    later in validation has not moved the model.
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(X[:2].to(model_device))
    finally:
        model.train(was_training)
    if out.ndim != 2:
        raise ValueError(
            f"model must return logits of shape (n_samples, n_outputs), got {tuple(out.shape)}."
        )
    return int(out.shape[1])


def _targets(y: torch.Tensor, n_logits: int, name: str, dtype: torch.dtype) -> torch.Tensor:
    """Labels in the form the loss wants: float (n, 1) for BCE, long (n,) for cross-entropy."""
    yf = y.to(torch.float64)
    if not bool((yf == yf.round()).all()):
        raise ValueError(f"{name} must hold integer class labels, got non-integer values.")
    low, high = int(yf.min()), int(yf.max())
    n_classes = 2 if n_logits == 1 else n_logits
    if low < 0 or high >= n_classes:
        raise ValueError(
            f"{name} labels must be in 0..{n_classes - 1} for a model with {n_logits} "
            f"output(s), got labels from {low} to {high}."
        )
    if n_logits == 1:
        return y.to(dtype).reshape(-1, 1)
    return y.to(torch.long)


def _correct(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if logits.shape[1] == 1:
        return ((logits > 0) == (target > 0.5)).sum()  # sigmoid(z) > 0.5 exactly when z > 0
    return (logits.argmax(dim=1) == target).sum()


def train(
    model: nn.Module,
    train_data: tuple[Any, Any],
    val_data: tuple[Any, Any] | None = None,
    *,
    epochs: int = 60,
    batch_size: int = 32,
    lr: float = 1e-2,
    step_size: int = 20,
    gamma: float = 0.5,
    device: str | torch.device = "auto",
    seed: int = 0,
    verbose: bool = True,
) -> History:
    """Train a classifier with Adam, a ``StepLR`` schedule and the seed's five-step loop.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of shape (n, n_features) to logits of shape (n, n_outputs), e.g.
        :class:`glassml.pytorch.MLP`. One output means binary classification with
        ``BCEWithLogitsLoss``; ``n_outputs >= 2`` means ``n_outputs`` classes with
        ``CrossEntropyLoss``. Its parameters share one floating dtype and one device (not
        ``meta``). Trained in place; it is moved to ``device`` and left there, in eval mode.
        A call rejected by validation leaves it untouched (same device, weights and mode), and
        so does a run that fails (the model is restored before the error propagates).
    train_data : pair (X, y)
        ``X`` of shape (n_samples, n_features), ``y`` of shape (n_samples,) with integer labels
        (0/1 for binary). NumPy arrays or tensors on any device; ``X`` is cast to the model's
        dtype, and must stay finite in it (a float64 1e39 is infinite in float32: an error).
    val_data : pair (X, y), optional
        Evaluated (eval mode, no gradients) after every epoch; adds ``val_loss`` and
        ``val_accuracy`` to the history.
    epochs : int, default=60
    batch_size : int, default=32
        Samples per step *in each process*: under ``torchrun`` with N processes one optimizer
        step sees N × batch_size samples.
    lr : float, default=1e-2
        Initial learning rate of Adam.
    step_size : int, default=20
        ``StepLR``: multiply the learning rate by ``gamma`` every ``step_size`` epochs.
    gamma : float, default=0.5
        In (0, 1]; the default halves the rate at epochs 20, 40, …
    device : {"auto", "cpu", "cuda"}, "cuda:N" or torch.device, default="auto"
        ``"auto"`` picks CUDA when available (see :func:`glassml.pytorch.resolve_device`; under
        ``torchrun`` with more processes than GPUs it falls back to the CPU with a warning).
        The data may sit on any device (NumPy arrays, CPU or CUDA tensors): they and the model
        are moved there once, before the first epoch; each step only indexes tensors already
        on the device. After training the model stays there: move it back (``model.cpu()``)
        before feeding it CPU tensors.
    seed : int, default=0
        Seeds the shuffling (a ``DistributedSampler`` seeded with ``seed``, reshuffled with
        ``set_epoch``) and the dropout masks (the global torch generator is seeded with
        ``seed + rank`` inside :func:`torch.random.fork_rng`, so the caller's random state is
        restored afterwards). The same seed gives the same run.
    verbose : bool, default=True
        Show a tqdm progress bar (on rank 0 only).

    Returns
    -------
    dict of str to list of float
        Per epoch: ``loss`` (mean training loss over the epoch's samples), ``accuracy``
        (training accuracy of the train-mode predictions made during the epoch), ``lr`` (the rate
        used during the epoch) and, with ``val_data``, ``val_loss`` and ``val_accuracy``. Under
        ``torchrun`` these are global figures (summed over processes), identical on every rank.

    Raises
    ------
    RuntimeError
        If the training loss of an epoch is not finite (the run diverged); the model is first
        restored to its state before the call.

    Notes
    -----
    Every step is ``optimizer.zero_grad()`` (PyTorch accumulates gradients), ``logits =
    model(X_b)``, ``loss = loss_fn(logits, y_b)``, ``loss.backward()``, ``optimizer.step()``;
    after every epoch ``scheduler.step()``, so epoch ``e`` (from 0) uses
    ``lr · gamma^⌊e / step_size⌋``.

    With ``WORLD_SIZE > 1`` in the environment (``torchrun``), ``train`` joins the process group
    (``gloo`` on CPU, ``nccl`` on GPU) unless one exists, wraps the model in
    ``DistributedDataParallel`` and gives each process a different shard of every epoch's
    permutation. DDP averages the gradients of the processes, and each process's loss is the mean
    over its ``b`` samples, so a step equals one process stepping on the global batch of
    ``N · b`` samples. The single-process run uses the same sampler (with one replica), so it
    visits exactly those global batches: N processes with ``batch_size=b`` and one process with
    ``batch_size=N·b`` follow the same trajectory — unless the model has BatchNorm (its batch
    statistics are per process), dropout (masks differ), or ``n_samples`` is not a multiple of
    N (the sampler then pads the shards by repeating a few samples). A process group that ``train``
    created is destroyed at the end, after a barrier.
    """
    settings = _Settings(
        epochs=epochs, batch_size=batch_size, lr=lr, step_size=step_size, gamma=gamma,
        seed=seed, verbose=verbose, device=resolve_device(device),
    )  # fmt: skip
    dtype, model_device = _check_model(model)
    X, y = _check_pair(train_data, "train_data")
    val = None if val_data is None else _check_pair(val_data, "val_data")
    X = _cast(X, dtype, "train_data[0] (X)")
    n_logits = _n_logits(model, X, model_device)
    y = _targets(y, n_logits, "train_data[1] (y)", dtype)
    if val is not None:
        if val[0].shape[1] != X.shape[1]:
            raise ValueError(
                f"val_data has {val[0].shape[1]} features but train_data has {X.shape[1]}."
            )
        val = (
            _cast(val[0], dtype, "val_data[0] (X)"),
            _targets(val[1], n_logits, "val_data[1] (y)", dtype),
        )

    created_group = init_distributed(settings.device) if is_distributed() else False
    restore = _snapshot(model)
    try:
        history = _fit(model, (X, y), val, n_logits, settings)
    except BaseException as exc:
        if isinstance(exc, Exception):
            restore()
        if created_group:
            torch.distributed.destroy_process_group()
        raise
    if created_group:
        shutdown_distributed()
    return history


def _snapshot(model: nn.Module) -> Callable[[], None]:
    """A function that puts ``model`` back as it is now: weights, buffers, device and mode."""
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    device, was_training = next(model.parameters()).device, model.training

    def restore() -> None:
        model.to(device)
        model.load_state_dict(state)
        model.train(was_training)

    return restore


@dataclass(frozen=True)
class _Settings:
    """The training configuration, validated once (see :func:`train` for each field)."""

    epochs: int
    batch_size: int
    lr: float
    step_size: int
    gamma: float
    seed: int
    verbose: bool
    device: torch.device

    def __post_init__(self) -> None:
        # NOTE: keep the checked values: a Fraction or numpy scalar becomes a Python number
        set_field = object.__setattr__  # the dataclass is frozen
        set_field(self, "epochs", check_positive(self.epochs, "epochs", integer=True))
        set_field(self, "batch_size", check_positive(self.batch_size, "batch_size", integer=True))
        set_field(self, "lr", check_positive(self.lr, "lr"))
        set_field(self, "step_size", check_positive(self.step_size, "step_size", integer=True))
        set_field(
            self,
            "gamma",
            check_scalar_number(self.gamma, "gamma", low=0.0, high=1.0, include_low=False),
        )
        set_field(self, "seed", check_scalar_number(self.seed, "seed", low=0, integer=True))
        if not isinstance(self.verbose, bool):
            raise TypeError(f"verbose must be True or False, got {self.verbose!r}.")


Pair = tuple[torch.Tensor, torch.Tensor]


def _fit(
    model: nn.Module, data: Pair, val: Pair | None, n_logits: int, settings: _Settings
) -> History:
    """The loop of :func:`train` on validated inputs: move once, then epoch after epoch."""
    device, this_rank = settings.device, rank()
    # Everything moves to the device once; the loop below only indexes device tensors.
    model.to(device)
    X, y = data[0].to(device), data[1].to(device)
    if val is not None:
        val = (val[0].to(device), val[1].to(device))
    net = _wrap_distributed(model, device)
    loss_fn: nn.Module = nn.BCEWithLogitsLoss() if n_logits == 1 else nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=settings.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(
        optimizer, step_size=settings.step_size, gamma=settings.gamma
    )
    # One sampler for both modes (a single replica when alone), so one process with batch N·b
    # sees the union of what N processes with batch b see.
    sampler: DistributedSampler[int] = DistributedSampler(
        TensorDataset(X), num_replicas=world_size(), rank=this_rank, shuffle=True,
        seed=settings.seed,
    )  # fmt: skip
    # NOTE: BatchNorm cannot normalise a batch of one sample in train mode (zero variance);
    # such a trailing batch is dropped rather than crash the epoch.
    has_bn = any(isinstance(m, _BatchNorm) for m in model.modules())
    drop_singleton = has_bn and sampler.num_samples % settings.batch_size == 1

    history: History = {"loss": [], "accuracy": [], "lr": []}
    if val is not None:
        history.update(val_loss=[], val_accuracy=[])
    show = settings.verbose and is_main_process()
    bar = tqdm(total=settings.epochs, desc="train", unit="epoch", disable=not show)
    with torch.random.fork_rng(devices=[device.index] if device.type == "cuda" else []):
        torch.manual_seed(settings.seed + this_rank)
        for epoch in range(settings.epochs):
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler), device=device)  # one small copy per epoch
            batches = list(order.split(settings.batch_size))
            if drop_singleton and len(batches) > 1:
                batches.pop()
            _record(history, _train_epoch(net, loss_fn, optimizer, (X, y), batches), optimizer)
            scheduler.step()
            if val is not None:
                _evaluate(history, model, loss_fn, val)
            bar.set_postfix(
                loss=f"{history['loss'][-1]:.4f}", acc=f"{history['accuracy'][-1]:.3f}",
                lr=f"{history['lr'][-1]:.2g}", refresh=False,
            )  # fmt: skip
            bar.update()
    bar.close()
    model.eval()
    return history


def _wrap_distributed(model: nn.Module, device: torch.device) -> nn.Module:
    """``model`` itself in one process; wrapped in ``DistributedDataParallel`` under torchrun."""
    if not is_distributed():
        return model
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(
        model, device_ids=[device.index] if device.type == "cuda" else None
    )


def _train_epoch(
    net: nn.Module,
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    data: Pair,
    batches: list[torch.Tensor],
) -> torch.Tensor:
    """One pass of the five-step loop over ``batches`` (index tensors into ``data``).

    Returns the float64 tensor ``[Σ loss·n_b, n_correct, n_seen]``, summed over processes.
    """
    X, y = data
    net.train()
    # Running sums stay on the device: no host sync per step.
    totals = torch.zeros(3, dtype=torch.float64, device=X.device)  # loss·n, correct, n
    for idx in batches:
        X_b, y_b = X[idx], y[idx]
        optimizer.zero_grad()
        logits = net(X_b)
        loss = loss_fn(logits, y_b)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            totals[0] += loss.detach() * len(idx)
            totals[1] += _correct(logits.detach(), y_b)
            totals[2] += len(idx)
    if is_distributed():
        torch.distributed.all_reduce(totals)
    return totals


def _record(history: History, totals: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
    """Append one epoch's mean loss, accuracy and learning rate to ``history``."""
    loss_sum, n_correct, n_seen = totals.tolist()
    if not math.isfinite(loss_sum):
        # NOTE: totals are summed over processes, so every rank stops at the same epoch.
        raise RuntimeError(
            f"Training diverged: the loss became {loss_sum / n_seen} in epoch "
            f"{len(history['loss']) + 1} (lr={optimizer.param_groups[0]['lr']:g}). The model "
            "was restored to its state before train; try a smaller lr or scaled data."
        )
    history["loss"].append(loss_sum / n_seen)
    history["accuracy"].append(n_correct / n_seen)
    history["lr"].append(optimizer.param_groups[0]["lr"])


def _evaluate(history: History, model: nn.Module, loss_fn: nn.Module, val: Pair) -> None:
    """Append the eval-mode loss and accuracy on ``val`` (no gradients) to ``history``."""
    model.eval()
    with torch.no_grad():
        logits = model(val[0])
        history["val_loss"].append(float(loss_fn(logits, val[1])))
        history["val_accuracy"].append(float(_correct(logits, val[1])) / len(val[1]))
