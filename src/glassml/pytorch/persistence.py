"""Saving and loading an :class:`~glassml.pytorch.MLP`: weights plus the arguments that built it.

A checkpoint is a plain dict — a format tag, the constructor arguments and the ``state_dict`` —
written with :func:`torch.save` and read back with ``torch.load(weights_only=True)``, which
unpickles only tensors and plain containers: loading a file never runs code from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from glassml.pytorch.devices import resolve_device
from glassml.pytorch.distributed import is_main_process
from glassml.pytorch.mlp import MLP

FORMAT = "glassml.pytorch.MLP"
VERSION = 1


def _unwrap(model: Any) -> Any:
    """The model inside a ``DistributedDataParallel`` (or ``DataParallel``) wrapper."""
    return model.module if isinstance(model, nn.Module) and hasattr(model, "module") else model


def save(model: MLP, path: str | os.PathLike[str]) -> Path:
    """Write ``model``'s weights and constructor arguments to ``path``.

    Parameters
    ----------
    model : MLP
        The model to save (a ``DistributedDataParallel``-wrapped MLP is unwrapped).
    path : str or path-like
        The file to write (conventionally ``*.pt``); its folder must exist, and it must not
        be a directory itself.

    Returns
    -------
    pathlib.Path
        ``path``. In a multi-process run only rank 0 writes; other ranks return the same path
        without touching the file.

    Notes
    -----
    The checkpoint is ``{"format": "glassml.pytorch.MLP", "version": 1, "config": {...},
    "state_dict": {...}}``. The ``state_dict`` holds the parameters and the BatchNorm running
    statistics, so the loaded model's eval-mode outputs are identical to the saved model's.
    """
    model = _unwrap(model)
    if not isinstance(model, MLP):
        raise TypeError(
            f"model must be a glassml.pytorch.MLP (save stores its constructor arguments), "
            f"got {type(model).__name__}."
        )
    path = Path(path)
    if path.is_dir():
        raise ValueError(
            f"path {str(path)!r} is a directory; give a file name in it, such as "
            f"{str(path / 'model.pt')!r}."
        )
    if not path.parent.is_dir():
        raise ValueError(f"path {str(path)!r}: the folder {str(path.parent)!r} does not exist.")
    if any(t.is_meta for t in model.state_dict().values()):
        raise ValueError("model has tensors on the 'meta' device (shapes without values).")
    if is_main_process():
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        checkpoint = {
            "format": FORMAT,
            "version": VERSION,
            "config": dict(model.config),
            "state_dict": state,
        }
        torch.save(checkpoint, path)
    return path


def load(path: str | os.PathLike[str], *, device: str | torch.device = "cpu") -> MLP:
    """Rebuild the :class:`MLP` saved by :func:`save`, in eval mode.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.
    device : {"cpu", "cuda", "auto"} or torch.device, default="cpu"
        Where to put the loaded weights (``"auto"``: CUDA when available).

    Returns
    -------
    MLP
        In eval mode, with the saved weights and BatchNorm statistics, in their saved dtype
        (a float64 model comes back in float64).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a glassml checkpoint (another torch file, a corrupt file, a file of
        another kind, or a checkpoint whose weights do not fit its recorded architecture, are
        not finite, or give a BatchNorm a negative variance). The shapes are checked before
        any memory is allocated for the model.
    """
    device = resolve_device(device)  # a clear error for CUDA without a GPU, before reading
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}.")
    config, state = _read_checkpoint(path)
    dtype = _check_state(str(path), config, state)
    model = MLP(**config).to(dtype)  # sizes now known to be those of the file's tensors
    model.load_state_dict(state)
    return model.to(device).eval()


def _read_checkpoint(path: Path) -> tuple[Any, Any]:
    """The ``config`` and ``state_dict`` of a glassml checkpoint, read without running code."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        # NOTE: the weights-only unpickler fails in many ways on foreign bytes (UnpicklingError,
        # RuntimeError, EOFError, even KeyError on a text file); all mean "not a checkpoint".
        raise ValueError(
            f"{str(path)!r} is not a glassml checkpoint (torch.load with weights_only=True "
            f"failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__})."
        ) from exc
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        raise ValueError(
            f"{str(path)!r} is not a glassml checkpoint: expected a dict with "
            f"format={FORMAT!r}, got {type(checkpoint).__name__}"
            + (
                f" with format={checkpoint.get('format')!r}."
                if isinstance(checkpoint, dict)
                else "."
            )
        )
    if checkpoint.get("version") != VERSION:
        raise ValueError(
            f"{str(path)!r} is a glassml checkpoint of version {checkpoint.get('version')!r}; "
            f"this glassml reads version {VERSION}."
        )
    return checkpoint.get("config"), checkpoint.get("state_dict")


def _check_state(where: str, config: Any, state: Any) -> torch.dtype:
    """Check ``state`` against the architecture ``config`` describes; return its float dtype.

    The architecture is built on the ``meta`` device (shapes, no memory), so a crafted config
    (``hidden_dims=[10**9]``) costs nothing; the real model is built only once every tensor
    of the file has the expected shape, kind and finite values.
    """

    def damaged(why: str) -> ValueError:
        return ValueError(f"{where!r} is a damaged glassml checkpoint: {why}")

    if not isinstance(config, dict) or not isinstance(state, dict):
        raise damaged("'config' and 'state_dict' must be dicts.")
    try:
        with torch.device("meta"):
            expected = MLP(**config).state_dict()
    except (TypeError, ValueError) as exc:
        raise damaged(f"bad config: {exc}") from exc
    if set(state) != set(expected):
        missing, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
        raise damaged(f"missing keys {missing}, unexpected keys {extra}.")
    for key, like in expected.items():
        value = state[key]
        if not isinstance(value, torch.Tensor) or value.shape != like.shape:
            got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise damaged(f"size mismatch for {key!r}: expected {tuple(like.shape)}, got {got}.")
        if value.is_floating_point() != like.is_floating_point() or value.is_complex():
            raise damaged(f"{key!r} has dtype {value.dtype}, expected {like.dtype}.")
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            raise damaged(f"{key!r} contains NaN or infinity.")
        if key.endswith("running_var") and bool((value < 0).any()):
            raise damaged(f"{key!r} (a variance) has negative values.")
    dtypes = {v.dtype for v in state.values() if v.is_floating_point()}
    if len(dtypes) != 1:
        raise damaged(f"the weights must share one dtype, got {sorted(map(str, dtypes))}.")
    return dtypes.pop()
