"""Where training runs: the CPU or a CUDA GPU, one GPU per process under ``torchrun``.

:func:`resolve_device` turns ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` into a
:class:`torch.device` that exists on this machine, or raises a ValueError that says what to do
instead. Other device types (``"mps"``, ``"meta"``, ``"xla"``, …) are refused up front rather
than failing later inside torch.

Under ``torchrun`` every process of a machine must make the *same* choice (NCCL on GPUs, gloo
on the CPU), so the choice depends only on how many processes share the machine
(``$LOCAL_WORLD_SIZE``) and how many GPUs it has, never on the process's own rank.
"""

from __future__ import annotations

import os
import warnings

import torch

from glassml.pytorch.distributed import is_distributed, world_size

SUPPORTED = "'auto', 'cpu', 'cuda' or 'cuda:N'"


def local_world_size() -> int:
    """Processes on this machine: ``$LOCAL_WORLD_SIZE`` (set by torchrun), else the world size."""
    return int(os.environ.get("LOCAL_WORLD_SIZE", world_size()))


def local_rank() -> int:
    """This process's index on its machine: ``$LOCAL_RANK``, else 0."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def _too_many_processes(n_local: int, n_gpus: int) -> str:
    return (
        f"{n_local} processes on this machine share {n_gpus} CUDA device(s); NCCL needs one "
        f"GPU per process. Start at most {n_gpus} (torchrun --nproc_per_node={n_gpus})"
    )


def _auto_device() -> torch.device:
    """``"auto"``: this process's GPU, or the CPU without CUDA or with fewer GPUs than processes."""
    if not torch.cuda.is_available():
        return torch.device("cpu")
    n_gpus, n_local = torch.cuda.device_count(), local_world_size()
    if is_distributed() and n_local > n_gpus:
        # NOTE: every process sees the same counts, so all of them fall back together (gloo).
        warnings.warn(
            _too_many_processes(n_local, n_gpus) + " to train on the GPUs; device='auto' "
            "trains on the CPU (gloo) instead.",
            RuntimeWarning,
            stacklevel=3,
        )
        return torch.device("cpu")
    return _cuda_device(torch.device("cuda"), "auto")


def _cuda_device(requested: torch.device, given: object) -> torch.device:
    """A CUDA device that exists: ``cuda`` alone means this process's GPU (``$LOCAL_RANK``)."""
    if not torch.cuda.is_available():
        raise ValueError(f"device={given!r} was requested but CUDA is not available.")
    n_gpus = torch.cuda.device_count()
    if is_distributed() and local_world_size() > n_gpus:
        raise ValueError(
            f"device={given!r}: " + _too_many_processes(local_world_size(), n_gpus)
            + ", or pass device='cpu' (or 'auto', which then falls back to the CPU)."
        )  # fmt: skip
    index = local_rank() if requested.index is None else requested.index
    if not 0 <= index < n_gpus:
        raise ValueError(
            f"device={given!r} means cuda:{index}, but this machine has {n_gpus} CUDA "
            f"device(s): cuda:0 to cuda:{n_gpus - 1}."
        )
    return torch.device("cuda", index)


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """The training device: ``"auto"`` is CUDA when available, else the CPU.

    Under ``torchrun`` on GPUs each process takes the GPU of its ``LOCAL_RANK``; with more
    processes on the machine than GPUs, ``"auto"`` falls back to the CPU with a RuntimeWarning
    and ``"cuda"`` raises.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}, "cuda:N" or torch.device, default="auto"

    Returns
    -------
    torch.device
        ``cpu`` or ``cuda:N`` with ``N`` an existing GPU.

    Raises
    ------
    TypeError
        If ``device`` is not a str or a torch.device.
    ValueError
        If it names another kind of device (``"mps"``, ``"meta"``, …) or a GPU that is not
        there (no CUDA, ``"cuda:7"`` on a machine with one GPU, more processes than GPUs).
    """
    if not isinstance(device, (str, torch.device)):
        raise TypeError(
            f"device must be {SUPPORTED} or a torch.device, got {type(device).__name__}."
        )
    if isinstance(device, str) and device == "auto":
        return _auto_device()
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"device must be {SUPPORTED}, got {device!r}.") from exc
    if resolved.type == "cuda":
        return _cuda_device(resolved, device)
    if resolved.type != "cpu":
        raise ValueError(
            f"device must be {SUPPORTED}, got {device!r}: glassml.pytorch trains on the CPU "
            f"or on CUDA GPUs, not on {resolved.type!r} devices."
        )
    return torch.device("cpu")  # NOTE: "cpu:0" and "cpu" are the same device
