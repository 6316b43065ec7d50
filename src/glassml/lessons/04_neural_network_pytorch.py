"""Lesson 04 — the neural network in PyTorch: BatchNorm, Dropout, StepLR, saving, attention.

Lessons 01-03 wrote every gradient by hand. Here PyTorch's autograd does the backward pass and
the training loop shrinks to five lines: zero_grad → forward → loss → backward → step. We train
an MLP (Linear → BatchNorm1d → ReLU → Dropout blocks) on two Gaussian blobs at (2, 2) and
(-2, -2) with Adam, let StepLR halve the learning rate every 20 epochs, save the model, reload it
and check the reloaded model predicts exactly the same. A last section writes out the attention of
Transformers, softmax(QKᵀ/√d_k)·V, on a toy sentence.

The same file runs on several processes with DistributedDataParallel, unchanged:
``torchrun --nproc_per_node=2 --master_addr=127.0.0.1 src/glassml/lessons/04_neural_network_pytorch.py``
(only rank 0 prints, saves the model and draws the figures). ``--device cpu`` keeps every process
on the CPU; the default, ``auto``, trains on the GPUs when there is one per process.
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from glassml.lessons._common import heading, lesson_parser, prepare_out, save_figure
from glassml.pytorch import (
    MLP,
    ScaledDotProductAttention,
    causal_mask,
    is_distributed,
    is_main_process,
    load,
    save,
    train,
    world_size,
)


def make_blobs(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs (unit variance), (2, 2) → class 0 and (-2, -2) → class 1, shuffled."""
    rng = np.random.default_rng(seed)
    X = np.vstack(
        [
            rng.normal((2.0, 2.0), 1.0, (n_per_class, 2)),
            rng.normal((-2.0, -2.0), 1.0, (n_per_class, 2)),
        ]
    ).astype(np.float32)
    y = np.repeat([0, 1], n_per_class)
    order = rng.permutation(len(X))
    return X[order], y[order]


def print_history(history: dict[str, list[float]]) -> None:
    print(f"  {'epoch':>5}  {'loss':>7}  {'acc':>6}  {'val loss':>8}  {'val acc':>7}  {'lr':>8}")
    lr = history["lr"]
    for e in range(len(lr)):
        note = ""
        if e > 0 and lr[e] != lr[e - 1]:
            note = f"  <- StepLR: rate x {lr[e] / lr[e - 1]:g}"
        print(
            f"  {e + 1:>5}  {history['loss'][e]:7.4f}  {history['accuracy'][e]:6.3f}  "
            f"{history['val_loss'][e]:8.4f}  {history['val_accuracy'][e]:7.3f}  {lr[e]:8.5f}{note}"
        )


def _quiet(*args: Any, **kwargs: Any) -> None:
    """What ranks other than 0 print: nothing."""


def main(argv: list[str] | None = None) -> int:
    parser = lesson_parser(__doc__)
    parser.add_argument(
        "--device", default="auto", help="auto (CUDA when available), cpu, cuda or cuda:N"
    )
    args = parser.parse_args(argv)
    # Every process of a torchrun job trains; only the main one talks, saves and draws.
    talk = is_main_process()
    out = prepare_out(args.out) if talk else args.out
    # NOTE: for a network this small one thread is faster than several waiting on each other.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return lesson(out, args.quick, talk, args.device)
    finally:
        torch.set_num_threads(threads)


def lesson(out: Path, quick: bool, talk: bool, device: str = "auto") -> int:
    say: Any = print if talk else _quiet
    section: Any = heading if talk else _quiet
    n_per_class = 150 if quick else 600
    epochs = 45 if quick else 60
    X_train, y_train, X_val, y_val = data(n_per_class, say, section)
    model = build_model(say, section)
    section("3. Training: Adam, StepLR halving the rate every 20 epochs")
    t0 = time.perf_counter()
    history = train(
        model,
        (X_train, y_train),
        (X_val, y_val),
        epochs=epochs,
        batch_size=32,
        lr=0.01,
        step_size=20,
        gamma=0.5,
        device=device,
        seed=0,
        verbose=talk and not quick and sys.stderr.isatty(),
    )
    seconds = time.perf_counter() - t0
    if not talk:
        return 0
    report_training(history, epochs, seconds, out)
    model = model.cpu()
    Xv = torch.as_tensor(X_val)
    train_versus_eval(model, Xv)
    save_and_reload(model, out, Xv, X_val, y_val)
    attention(out)
    return 0


def data(n_per_class: int, say: Any, section: Any) -> tuple[np.ndarray, ...]:
    section("1. Data: two Gaussian blobs")
    X, y = make_blobs(n_per_class, seed=0)
    n_train = int(0.8 * len(X))
    X_train, y_train, X_val, y_val = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    say(
        f"  {len(X)} points, class 0 around (2, 2), class 1 around (-2, -2); "
        f"{len(X_train)} to train on, {len(X_val)} held out for validation."
    )
    if is_distributed():
        say(
            f"  Running as {world_size()} processes (DistributedDataParallel): each process "
            "trains on its own shard of every batch and the gradients are averaged."
        )
    return X_train, y_train, X_val, y_val


def build_model(say: Any, section: Any) -> MLP:
    section("2. The model: Linear → BatchNorm1d → ReLU → Dropout, then Linear to one logit")
    model = MLP(2, [32, 16], 1, dropout=0.2, seed=0)
    say(model)
    say(
        f"  {sum(p.numel() for p in model.parameters())} parameters. One output logit: "
        "BCEWithLogitsLoss applies the sigmoid inside the loss, in the numerically stable form."
    )
    return model


def report_training(history: Any, epochs: int, seconds: float, out: Path) -> None:
    print_history(history)
    changes = [e for e in range(1, epochs) if history["lr"][e] != history["lr"][e - 1]]
    print(
        f"  {epochs} epochs in {seconds:.2f} s. StepLR changed the rate after epochs "
        f"{', '.join(map(str, changes))}: from {history['lr'][0]:g} down to {history['lr'][-1]:g}."
    )
    print(
        f"  Final training accuracy {history['accuracy'][-1]:.3f}, validation accuracy "
        f"{history['val_accuracy'][-1]:.3f} (validation loss {history['val_loss'][-1]:.4f})."
    )
    save_figure(
        figs().training_curves(history, "MLP on two blobs"), out, "pytorch_training_curves.png"
    )


def train_versus_eval(model: MLP, Xv: torch.Tensor) -> None:
    heading("4. Train mode vs eval mode: BatchNorm and Dropout")
    probe = copy.deepcopy(model)  # a copy: train-mode passes update BatchNorm's running stats
    probe.train()
    with torch.no_grad():
        a, b = probe(Xv), probe(Xv)
        model.eval()
        c, d = model(Xv), model(Xv)
    print(
        f"  Two train-mode passes over the same {len(Xv)} points differ by up to "
        f"{float((a - b).abs().max()):.4f} in the logits (fresh dropout masks)."
    )
    print(
        f"  Two eval-mode passes differ by {float((c - d).abs().max()):g}: dropout is off and "
        "BatchNorm uses its running averages, so predictions are deterministic."
    )


def save_and_reload(
    model: MLP, out: Path, Xv: torch.Tensor, X_val: np.ndarray, y_val: np.ndarray
) -> None:
    heading("5. Save, reload, predict again")
    path = save(model, out / "mlp_blobs.pt")
    reloaded = load(path)
    with torch.no_grad():
        before, after = model(Xv), reloaded(Xv)
    print(f"  Saved weights + constructor arguments to {path} ({path.stat().st_size} bytes).")
    print(
        f"  Reloaded with torch.load(weights_only=True): logits identical = "
        f"{bool(torch.equal(before, after))}, largest difference "
        f"{float((before - after).abs().max()):g} over {len(Xv)} validation points."
    )

    def predict_proba(grid: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            logits = reloaded(torch.as_tensor(grid, dtype=torch.float32))
        return torch.sigmoid(logits).numpy()[:, 0]

    fig = figs().decision_boundary(X_val, y_val, predict_proba, "Reloaded MLP: P(class 1)")
    save_figure(fig, out, "pytorch_decision_boundary.png")


def attention(out: Path) -> None:
    heading("6. Attention: softmax(QKᵀ/√d_k)·V on a toy sentence")
    tokens = "the cat sat on the mat".split()
    vocab = sorted(set(tokens))
    table = np.random.default_rng(4).normal(size=(len(vocab), 16))  # a random 16-d vector per word
    E = torch.as_tensor(table[[vocab.index(t) for t in tokens]])[None]  # (1, L, 16)
    output, weights = ScaledDotProductAttention()(E, E, E, causal_mask(len(tokens)))
    reference = F.scaled_dot_product_attention(E, E, E, is_causal=True)
    w = weights[0].numpy()
    the2 = 4
    print(
        f"  Queries = keys = values = the word vectors (L = {len(tokens)}, d_k = 16). A vector "
        f"is most similar to itself, so 'cat' puts {w[1, 1]:.3f} of its attention on itself."
    )
    print(
        f"  The second 'the' (position {the2}) finds the first one exactly as similar: "
        f"{w[the2, 0]:.3f} on position 0, {w[the2, the2]:.3f} on itself, and "
        f"{w[the2, 5]:.3f} on 'mat' (the future is masked)."
    )
    print(
        f"  Every row sums to 1 (largest deviation {float(np.abs(w.sum(1) - 1).max()):.1e}); "
        f"F.scaled_dot_product_attention agrees to {float((output - reference).abs().max()):.1e}."
    )
    fig = figs().attention_heatmap(w, tokens, "Causal self-attention on a toy sentence")
    save_figure(fig, out, "pytorch_attention.png")


def figs() -> Any:
    """The lesson's figure module (imported only by the process that draws)."""
    from glassml.plotting import pytorch_figs

    return pytorch_figs


if __name__ == "__main__":
    raise SystemExit(main())
