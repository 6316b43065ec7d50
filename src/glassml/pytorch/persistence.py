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

from glassml.pytorch.distributed import is_main_process
from glassml.pytorch.mlp import MLP
from glassml.pytorch.training import resolve_device

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
        The file to write (conventionally ``*.pt``); its folder must exist.

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
    if not path.parent.is_dir():
        raise ValueError(f"path {str(path)!r}: the folder {str(path.parent)!r} does not exist.")
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
        In eval mode, with the saved weights and BatchNorm statistics.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a glassml checkpoint (another torch file, a corrupt file, a file of
        another kind, or a checkpoint whose weights do not fit its recorded architecture).
    """
    device = resolve_device(device)  # a clear error for CUDA without a GPU, before reading
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}.")
    try:
        checkpoint = torch.load(path, map_location=device, weights_only=True)
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
    try:
        model = MLP(**checkpoint["config"])
        model.load_state_dict(checkpoint["state_dict"])
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        raise ValueError(f"{str(path)!r} is a damaged glassml checkpoint: {exc}") from exc
    return model.to(device).eval()
