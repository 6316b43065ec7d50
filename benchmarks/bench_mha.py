"""NumPy ``MultiHeadAttention`` forward + backward vs ``torch.nn.MultiheadAttention`` (CPU).

One timed call = one forward pass of self-attention on a (batch, L, E) float32 input and one
backward pass of a fixed upstream gradient, filling every parameter gradient and the input
gradients, on both sides. Torch runs with ``need_weights=False`` (its fastest path, the fused
scaled-dot-product kernel); glassml also keeps the attention weights for inspection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from harness import Row, compare


def _glassml_step(X: np.ndarray, dY: np.ndarray, heads: int) -> Callable[[], object]:
    from glassml.nn.attention import MultiHeadAttention

    mha = MultiHeadAttention(X.shape[-1], heads, random_state=0, dtype=np.float32)

    def step() -> object:
        mha.forward(X, X, X)
        return mha.backward(dY)

    return step


def _torch_step(X: np.ndarray, dY: np.ndarray, heads: int) -> Callable[[], object]:
    import torch

    torch.manual_seed(0)  # the reference side only; glassml itself never seeds globally
    mha = torch.nn.MultiheadAttention(X.shape[-1], heads, batch_first=True)
    Xt = torch.from_numpy(X).requires_grad_(True)
    dYt = torch.from_numpy(dY)

    def step() -> object:
        mha.zero_grad(set_to_none=True)
        Xt.grad = None
        out, _ = mha(Xt, Xt, Xt, need_weights=False)
        out.backward(dYt)
        return Xt.grad

    return step


def cases(quick: bool) -> Iterator[Row]:
    rng = np.random.default_rng(0)
    shape, heads, repeats = ((2, 16, 32), 4, 1) if quick else ((8, 128, 256), 8, 15)
    X = rng.standard_normal(shape, dtype=np.float32)
    dY = rng.standard_normal(shape, dtype=np.float32)
    yield compare(
        f"MultiHeadAttention fwd+bwd {shape}, {heads} heads, f32",
        _glassml_step(X, dY, heads),
        _torch_step(X, dY, heads),
        target=1.5,
        repeats=repeats,
        warmup=2,
        note="vs torch CPU",
    )
