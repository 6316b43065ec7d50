"""Two gloo processes with DistributedDataParallel follow the single-process trajectory.

DDP all-reduces (averages) the gradients of the processes. Each process's loss is the mean over
its ``b`` samples, so the averaged gradient is the gradient of the mean loss over the global
batch of ``2b`` samples — what one process computes on that batch. ``train`` uses one
``DistributedSampler`` for both modes, so rank r's batch k is ``perm[r::2][k·b:(k+1)·b]`` and
their union is ``perm[2kb:2(k+1)b]``: the single process's batch k with ``batch_size=2b``.
Exact equality needs a model without BatchNorm (statistics are computed per process, over b
samples, not 2b) and with dropout 0 (masks are drawn per process).
"""

from __future__ import annotations

import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from glassml.pytorch import is_distributed, is_main_process, rank, train, world_size
from tests.pytorch import ddp_worker


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_equal_one_process_on_the_global_batch(tmp_path, capfd):
    capfd.readouterr()
    mp.spawn(ddp_worker.run, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True)
    err = capfd.readouterr().err
    assert err.count("train:   0%") == 1  # one progress bar was started: rank 0's
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1)]

    single = ddp_worker.model()
    history = train(
        single,
        ddp_worker.data(),
        batch_size=2 * ddp_worker.BATCH_PER_PROCESS,
        verbose=False,
        **ddp_worker.TRAIN_KWARGS,
    )
    assert not dist.is_initialized()
    start = ddp_worker.model().state_dict()
    for result in ranks:
        assert result["group_left"]  # train destroyed the group it created (after a barrier)
        for name, value in single.state_dict().items():
            torch.testing.assert_close(result["state_dict"][name], value, rtol=0, atol=1e-12)
            assert not torch.equal(value, start[name])  # it did train
        # The history is global (summed over processes): the same as the single process's.
        torch.testing.assert_close(
            result["loss"], torch.tensor(history["loss"], dtype=torch.float64), rtol=0, atol=1e-12
        )
        torch.testing.assert_close(
            result["accuracy"], torch.tensor(history["accuracy"], dtype=torch.float64)
        )


def test_rank_helpers_read_the_torchrun_environment(monkeypatch):
    assert (world_size(), rank(), is_distributed(), is_main_process()) == (1, 0, False, True)
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    assert (world_size(), rank(), is_distributed(), is_main_process()) == (4, 3, True, False)
