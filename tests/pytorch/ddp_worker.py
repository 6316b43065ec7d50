"""What each process of the DDP test runs (importable, so torch.multiprocessing can spawn it).

Each process sets the environment ``torchrun`` would set, then calls :func:`glassml.pytorch.train`
exactly as a user script does; train sees ``WORLD_SIZE=2``, joins the gloo group and uses DDP.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from glassml.pytorch import MLP, train

BATCH_PER_PROCESS = 8
TRAIN_KWARGS = dict(epochs=3, lr=0.05, step_size=2, gamma=0.5, seed=3, device="cpu")


def data() -> tuple[np.ndarray, np.ndarray]:
    """48 samples (not a multiple of the global batch 16: the last step is short)."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(1.0, 1.0, (24, 2)), rng.normal(-1.0, 1.0, (24, 2))])
    return X, np.repeat([0, 1], 24)


def model() -> MLP:
    """No BatchNorm (its statistics would be per process) and no dropout (masks differ)."""
    return MLP(2, [8, 6], 1, dropout=0.0, batch_norm=False, seed=0).double()


def run(local_rank: int, world_size: int, port: int, out_dir: str) -> None:
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        WORLD_SIZE=str(world_size),
        RANK=str(local_rank),
        LOCAL_RANK=str(local_rank),
    )
    torch.set_num_threads(1)
    net = model()
    # verbose=True on every rank: train must show the progress bar on rank 0 only.
    history = train(net, data(), batch_size=BATCH_PER_PROCESS, verbose=True, **TRAIN_KWARGS)
    torch.save(
        {
            "state_dict": net.state_dict(),
            "loss": torch.tensor(history["loss"], dtype=torch.float64),
            "accuracy": torch.tensor(history["accuracy"], dtype=torch.float64),
            "group_left": not dist.is_initialized(),
        },
        Path(out_dir) / f"rank{local_rank}.pt",
    )
