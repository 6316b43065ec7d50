"""Optimizers: one ``Adam.step`` on ~1M float32 parameters vs ``torch.optim.Adam``.

Both sides update the same four arrays (sizes like a small MLP's W1, b1, W2, b2) with the same
gradients; torch uses its default CPU implementation (no ``foreach``/``fused`` forced). Each
timed call is one step; state keeps evolving between calls on both sides, as in training.

Both sides split a large step over the CPUs: torch's intra-op threads, glassml's row blocks in
worker threads (see the ``elementwise`` paragraph of ``glassml.optim.Optimizer``). A second row (full mode only, no
target) runs both on one thread: it compares the per-element cost alone, and stays meaningful
when other processes load the machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import glassml._threads as threads_module
from glassml.optim import Adam
from harness import Row, compare, float32_parameters


def _adam_case(
    sizes: list[tuple[int, ...]], repeats: int, label: str, one_thread: bool = False
) -> Row:
    import torch

    params, grads, tensors = float32_parameters(sizes)
    ours = Adam(learning_rate=1e-3)
    theirs = torch.optim.Adam(tensors, lr=1e-3)

    def ours_step() -> None:
        ours.step(params, grads)

    @torch.no_grad()
    def torch_step() -> None:
        theirs.step()

    n = sum(p.size for p in params)
    before = torch.get_num_threads(), threads_module.MAX_THREADS
    if one_thread:
        torch.set_num_threads(1)
        threads_module.MAX_THREADS = 1
    try:
        threads = torch.get_num_threads()
        return compare(
            f"Adam.step, {label} float32 params in {len(sizes)} arrays"
            + (", both on 1 thread" if one_thread else ""),
            ours_step,
            torch_step,
            target=None if one_thread else 1.5,
            repeats=repeats,
            warmup=3,
            note=f"{n:,} parameters; torch {threads} thread{'s' if threads != 1 else ''}"
            + (": reference only" if one_thread else ""),
        )
    finally:
        torch.set_num_threads(before[0])
        threads_module.MAX_THREADS = before[1]


def cases(quick: bool) -> Iterator[Row]:
    if quick:
        yield _adam_case([(64, 32), (32,), (32, 10), (10,)], repeats=3, label="2.4k")
        return
    # 784*1024 + 1024 + 1024*218 + 218 = 1,027,290 ~ 1M, like a 784-1024-218 MLP
    sizes = [(784, 1024), (1024,), (1024, 218), (218,)]
    yield _adam_case(sizes, repeats=101, label="1M")
    yield _adam_case(sizes, repeats=101, label="1M", one_thread=True)
