"""glassml.pytorch timings: written-out attention vs torch's fused kernel, one training epoch.

Neither row has a target. Attention is educational code (three plain tensor ops), measured so a
needless copy or a Python loop would show. The epoch row times ``glassml.pytorch.train`` for one
epoch of lesson 04 against the seed's plain loop (``DataLoader`` over a ``TensorDataset``, Adam,
BCEWithLogitsLoss) on the same model; both build their optimizer inside the timed call.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from glassml.pytorch import MLP, ScaledDotProductAttention, causal_mask, train
from harness import Row, compare


def _attention_rows(quick: bool) -> list[Row]:
    B, H, L, d = (2, 2, 16, 8) if quick else (8, 8, 256, 64)
    g = torch.Generator().manual_seed(0)
    Q, K, V = (torch.randn(B, H, L, d, generator=g) for _ in range(3))
    attention = ScaledDotProductAttention()
    mask = causal_mask(L)
    repeats = 3 if quick else 15
    rows = []
    with torch.no_grad():
        rows.append(
            compare(
                f"attention ({B}, {H}, {L}, {d}) float32",
                lambda: attention(Q, K, V),
                lambda: F.scaled_dot_product_attention(Q, K, V),
                repeats=repeats,
                note="vs F.scaled_dot_product_attention; ours also returns the weights",
            )
        )
        rows.append(
            compare(
                f"attention ({B}, {H}, {L}, {d}) causal",
                lambda: attention(Q, K, V, mask),
                lambda: F.scaled_dot_product_attention(Q, K, V, is_causal=True),
                repeats=repeats,
                note="boolean mask vs is_causal=True",
            )
        )
    return rows


def _seed_loop_epoch(model: nn.Module, X: torch.Tensor, y: torch.Tensor, lr: float) -> None:
    """The seed's loop, as a plain-PyTorch user writes it."""
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    for X_b, y_b in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X_b), y_b)
        loss.backward()
        optimizer.step()
    model.eval()


def _epoch_row(quick: bool) -> Row:
    n_per_class = 32 if quick else 480  # lesson 04 trains on 960 points
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(2.0, 1.0, (n_per_class, 2)), rng.normal(-2.0, 1.0, (n_per_class, 2))])
    X = X.astype(np.float32)
    y = np.repeat([0.0, 1.0], n_per_class).astype(np.float32)
    ours_model = MLP(2, [32, 16], 1, dropout=0.2, seed=0)
    ref_model = MLP(2, [32, 16], 1, dropout=0.2, seed=0)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)[:, None]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as lesson 04 runs it
    try:
        return compare(
            f"train one epoch, lesson 04 ({2 * n_per_class} pts, batch 32)",
            lambda: train(ours_model, (X, y), epochs=1, batch_size=32, verbose=False, device="cpu"),
            lambda: _seed_loop_epoch(ref_model, Xt, yt, lr=0.01),
            repeats=3 if quick else 15,
            note="vs plain DataLoader loop, 1 thread",
        )
    finally:
        torch.set_num_threads(threads)


def cases(quick: bool):
    """Rows of the benchmark table (see benchmarks/run.py)."""
    threads = torch.get_num_threads()
    if quick:  # tiny tensors: waking a thread pool costs more than the work on a busy machine
        torch.set_num_threads(1)
    try:
        rows = _attention_rows(quick)
    finally:
        torch.set_num_threads(threads)
    yield from rows
    yield _epoch_row(quick)
