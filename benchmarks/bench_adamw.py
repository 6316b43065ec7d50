"""Weight decay and clipping: ``AdamW.step`` and ``clip_grad_norm`` on ~1M float32 parameters.

The references are ``torch.optim.AdamW`` (default CPU implementation) and
``torch.nn.utils.clip_grad_norm_`` on the same arrays, in the same process. As in
``bench_optim.py``, each timed ``AdamW.step`` is one step with evolving state. Clipping runs
with a ``max_norm`` above the gradients' norm, so every call measures the norm (the whole cost)
and leaves the gradients as they are on both sides.
"""

from __future__ import annotations

from collections.abc import Iterator

from glassml.optim.clipping import clip_grad_norm
from glassml.optim.optimizers import AdamW
from harness import Row, compare, float32_parameters


def _adamw_case(sizes: list[tuple[int, ...]], repeats: int, label: str) -> Row:
    import torch

    params, grads, tensors = float32_parameters(sizes)
    ours, theirs = AdamW(1e-3), torch.optim.AdamW(tensors, lr=1e-3)
    return compare(
        f"AdamW.step (weight_decay 0.01), {label} float32 params",
        lambda: ours.step(params, grads),
        torch.no_grad()(theirs.step),
        target=1.5,
        repeats=repeats,
        warmup=3,
        note=f"torch {torch.get_num_threads()} threads",
    )


def _clip_case(sizes: list[tuple[int, ...]], repeats: int, label: str) -> Row:
    import torch

    _, grads, tensors = float32_parameters(sizes)
    big = 1e9  # above the norm: both sides measure it and change nothing
    return compare(
        f"clip_grad_norm, {label} float32 grads",
        lambda: clip_grad_norm(grads, big),
        lambda: torch.nn.utils.clip_grad_norm_(tensors, big),
        target=1.5,
        repeats=repeats,
        warmup=3,
        note=f"torch {torch.get_num_threads()} threads",
    )


def cases(quick: bool) -> Iterator[Row]:
    if quick:
        sizes = [(64, 32), (32,), (32, 10), (10,)]
        yield _adamw_case(sizes, repeats=3, label="2.4k")
        yield _clip_case(sizes, repeats=3, label="2.4k")
        return
    sizes = [(784, 1024), (1024,), (1024, 218), (218,)]  # ~1M, as in bench_optim.py
    yield _adamw_case(sizes, repeats=101, label="1M")
    yield _clip_case(sizes, repeats=101, label="1M")
