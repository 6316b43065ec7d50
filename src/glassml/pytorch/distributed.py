"""Multi-process training helpers: who am I, am I the one that talks, and process-group setup.

``torchrun --nproc_per_node=N script.py`` starts N copies of a script with ``WORLD_SIZE``,
``RANK``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT`` in their environment. The same
script then runs unchanged: :func:`glassml.pytorch.train` notices ``WORLD_SIZE > 1``, joins the
process group, and wraps the model in ``DistributedDataParallel``.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist


def world_size() -> int:
    """Number of training processes: the process group's size, else ``$WORLD_SIZE``, else 1."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size()
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    """This process's rank (0 … world_size-1): the process group's, else ``$RANK``, else 0."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank()
    return int(os.environ.get("RANK", "0"))


def is_main_process() -> bool:
    """True in a single-process run and on rank 0 of a multi-process run.

    Only the main process prints, shows progress bars, writes checkpoints and saves figures.
    """
    return rank() == 0


def is_distributed() -> bool:
    """True when started by ``torchrun`` (or similar) with more than one process."""
    return world_size() > 1


def init_distributed(device: torch.device) -> bool:
    """Join the process group described by the environment, unless one is already running.

    Parameters
    ----------
    device : torch.device
        The training device: ``nccl`` is used for CUDA, ``gloo`` for the CPU.

    Returns
    -------
    bool
        True if this call created the process group (and so the caller should destroy it with
        :func:`shutdown_distributed`), False if it already existed.
    """
    if dist.is_initialized():
        return False
    if not dist.is_available():  # pragma: no cover - every standard build has it
        raise RuntimeError("WORLD_SIZE > 1 but this torch build has no torch.distributed.")
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)  # NOTE: NCCL binds each process to the GPU it is set to
    dist.init_process_group(backend=backend)
    return True


def shutdown_distributed() -> None:
    """Wait for every process, then leave the process group.

    NOTE: the barrier matters: a process that destroys the group while another is still in a
    collective (the last gradient all-reduce) makes the other one hang or crash.
    """
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
