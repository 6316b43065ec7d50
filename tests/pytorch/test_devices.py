"""Device choice, with CUDA simulated (monkeypatched counts) so CI without a GPU covers the logic.

Under torchrun every process must choose alike (NCCL on GPUs or gloo on the CPU): the choice
depends on how many processes share the machine and how many GPUs it has, never on the rank.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.distributed as dist

from glassml.pytorch import MLP, resolve_device, train


@pytest.fixture
def gpus(monkeypatch):
    """``gpus(n)`` makes torch report ``n`` CUDA devices (0: no CUDA at all)."""

    def simulate(n: int) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: n > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: n)

    return simulate


@pytest.fixture
def torchrun(monkeypatch):
    """``torchrun(local_rank, world, n_local)`` sets the environment torchrun sets
    (``n_local=None``: no ``LOCAL_WORLD_SIZE``, as in a hand-made launch)."""

    def start(local_rank: int, world: int, n_local: int | None) -> None:
        monkeypatch.setenv("WORLD_SIZE", str(world))
        monkeypatch.setenv("RANK", str(local_rank))
        monkeypatch.setenv("LOCAL_RANK", str(local_rank))
        if n_local is None:
            monkeypatch.delenv("LOCAL_WORLD_SIZE", raising=False)
        else:
            monkeypatch.setenv("LOCAL_WORLD_SIZE", str(n_local))

    return start


def test_one_process(gpus):
    gpus(0)
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("cpu:0") == torch.device("cpu")
    gpus(2)
    assert resolve_device("auto") == torch.device("cuda", 0)
    assert resolve_device("cuda") == torch.device("cuda", 0)
    assert resolve_device(torch.device("cuda", 1)) == torch.device("cuda", 1)


@pytest.mark.parametrize("local_rank", [0, 1])
def test_more_processes_than_gpus_falls_back_to_the_cpu_on_every_rank(gpus, torchrun, local_rank):
    gpus(1)
    torchrun(local_rank, world=2, n_local=2)
    with pytest.warns(RuntimeWarning, match=r"2 processes .* share 1 CUDA .*--nproc_per_node=1"):
        assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match=r"device='cuda': 2 processes .* or pass device='cpu'"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="NCCL needs one GPU per process"):
        resolve_device("cuda:0")  # two processes on cuda:0 would make NCCL fail
    assert resolve_device("cpu") == torch.device("cpu")


def test_one_gpu_per_process(gpus, torchrun):
    gpus(2)
    torchrun(1, world=2, n_local=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_device("auto") == torch.device("cuda", 1)
        assert resolve_device("cuda") == torch.device("cuda", 1)
    # Two machines of 2 GPUs: 4 processes in all, 2 on each machine (LOCAL_WORLD_SIZE).
    torchrun(1, world=4, n_local=2)
    assert resolve_device("auto") == torch.device("cuda", 1)
    # Without LOCAL_WORLD_SIZE (a hand-made launch) the world size is taken as local.
    torchrun(1, world=3, n_local=None)
    with pytest.warns(RuntimeWarning, match="3 processes"):
        assert resolve_device("auto") == torch.device("cpu")


@pytest.mark.parametrize(
    ("device", "error", "message"),
    [
        ("mps", ValueError, r"device must be .* got 'mps': .* not on 'mps' devices"),
        ("meta", ValueError, r"got 'meta': .* not on 'meta' devices"),
        (torch.device("meta"), ValueError, "not on 'meta' devices"),
        ("xla", ValueError, "not on 'xla' devices"),
        ("cuda:7", ValueError, r"'cuda:7' means cuda:7, but this machine has 1 CUDA device\(s\)"),
        ("gpu0", ValueError, "device must be 'auto', 'cpu', 'cuda' or 'cuda:N'"),
        (0, TypeError, "device must be .* or a torch.device, got int"),
        (None, TypeError, "got NoneType"),
    ],
)
def test_other_and_missing_devices_are_clear_errors(gpus, device, error, message):
    gpus(1)
    with pytest.raises(error, match=message):
        resolve_device(device)


class _Joined(Exception):
    """Raised by the fake init_process_group: the test only needs the backend train asked for."""


def test_train_under_torchrun_with_too_few_gpus_joins_gloo(gpus, torchrun, monkeypatch):
    backends = []

    def fake_init(backend=None, **kwargs):
        backends.append(backend)
        raise _Joined

    monkeypatch.setattr(dist, "init_process_group", fake_init)
    monkeypatch.setattr(torch.cuda, "set_device", lambda device: backends.append(device))
    X, y = np.random.default_rng(0).normal(size=(8, 2)), np.arange(8) % 2
    gpus(1)
    torchrun(1, world=2, n_local=2)
    with pytest.warns(RuntimeWarning, match="trains on the CPU"), pytest.raises(_Joined):
        train(MLP(2, [3], 1, seed=0), (X, y), epochs=1, verbose=False)
    gpus(2)
    with pytest.raises(_Joined):
        train(MLP(2, [3], 1, seed=0), (X, y), epochs=1, verbose=False)
    assert backends == ["gloo", torch.device("cuda", 1), "nccl"]
