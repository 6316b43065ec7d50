"""Figures of lesson 04 (the PyTorch track): training curves, a decision boundary, attention.

These functions take NumPy arrays (and a NumPy-in, NumPy-out probability function), so this
module imports neither torch nor the training code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import glassml.plotting  # noqa: F401  (shared style)

__all__ = ["attention_heatmap", "decision_boundary", "training_curves"]


def training_curves(
    history: Mapping[str, Sequence[float]],
    title: str = "",
    eval_train: tuple[float, float] | None = None,
) -> Figure:
    """Loss, accuracy and learning rate per epoch, side by side.

    The "train" curves are what :func:`glassml.pytorch.train` records while it trains: the
    average over the epoch's batches, in train mode (dropout on, BatchNorm on batch
    statistics). The "validation" curves are measured after each epoch in eval mode. The
    legends say so, because it explains why validation loss can sit below training loss.

    Parameters
    ----------
    history : mapping
        ``loss``, ``accuracy``, ``lr`` (and optionally ``val_loss``, ``val_accuracy``) lists of
        one number per epoch, as returned by :func:`glassml.pytorch.train`.
    title : str, optional
        Figure title.
    eval_train : (float, float), optional
        Loss and accuracy on the training set in eval mode (dropout off) after the last
        epoch, drawn as a star at the last epoch.

    Returns
    -------
    matplotlib.figure.Figure
    """
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    train_label = "train (train mode: dropout on,\nmean over the epoch's batches)"
    val_label = "validation (eval mode, after the epoch)"
    for ax, key, name in ((axes[0], "loss", "Loss"), (axes[1], "accuracy", "Accuracy")):
        ax.plot(epochs, history[key], label=train_label)
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label=val_label)
        if eval_train is not None:
            value = eval_train[0] if key == "loss" else eval_train[1]
            ax.plot(epochs[-1], value, "*", color="C2", ms=13, mec="k", zorder=5,
                    label="train set in eval mode (dropout off)")  # fmt: skip
        ax.set(xlabel="epoch", ylabel=key, title=name)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("loss (log scale)")
    axes[0].legend(fontsize=8)
    axes[1].legend(loc="lower right", fontsize=8)
    ax = axes[2]
    lr = np.asarray(history["lr"])
    ax.step(epochs, lr, where="mid", color="C3")
    ax.set_ylim(0, 1.15 * lr.max())
    ax.set(xlabel="epoch", ylabel="learning rate", title="StepLR schedule")
    for e in np.flatnonzero(lr[1:] != lr[:-1]) + 1:  # the rate changes after epoch e
        ax.axvline(e + 0.5, color="gray", linestyle=":", linewidth=1)
        ax.annotate(f"× {lr[e] / lr[e - 1]:g} after epoch {e}", (e + 0.5, lr[e]),
                    xytext=(4, 8), textcoords="offset points", fontsize=9)  # fmt: skip
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def decision_boundary(
    X: np.ndarray,
    y: np.ndarray,
    predict_proba: Callable[[np.ndarray], np.ndarray],
    title: str = "",
    resolution: int = 200,
) -> Figure:
    """The model's probability of class 1 over the plane, with the 0.5 contour and the data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Labels 0/1.
    predict_proba : callable
        Maps an array of shape (m, 2) to P(class 1) of shape (m,).
    title : str, optional
    resolution : int, default=200
        Grid points per axis.
    """
    pad = 1.0
    x0 = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    x1 = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    G0, G1 = np.meshgrid(x0, x1)
    P = predict_proba(np.c_[G0.ravel(), G1.ravel()]).reshape(G0.shape)
    fig, ax = plt.subplots(figsize=(5.6, 4.8))
    filled = ax.contourf(G0, G1, P, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75)
    ax.contour(G0, G1, P, levels=[0.5], colors="k", linewidths=1.5)
    for label, marker, color in ((0, "o", "C0"), (1, "s", "C3")):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=12, marker=marker, c=color, edgecolors="k",
                   linewidths=0.3, label=f"class {label}")  # fmt: skip
    fig.colorbar(filled, ax=ax, label="P(class 1)")
    ax.set(xlabel="x₁", ylabel="x₂", title=title or "Decision boundary (black: P = 0.5)")
    ax.legend(loc="upper left")
    ax.grid(False)
    fig.tight_layout()
    return fig


def attention_heatmap(
    weights: np.ndarray,
    tokens: Sequence[str],
    title: str = "",
    mask: np.ndarray | None = None,
) -> Figure:
    """Attention weights as a heatmap: row = query position, column = key position.

    Parameters
    ----------
    weights : ndarray of shape (L, S)
        One row per query, summing to 1.
    tokens : sequence of str
        Labels for the positions (length ``max(L, S)``; queries use the first ``L``).
    title : str, optional
    mask : ndarray of bool, shape (L, S), optional
        True where the query may attend to the key (e.g. a causal mask). Masked cells are
        drawn hatched grey and labelled "masked", never as a weight of 0.

    Returns
    -------
    matplotlib.figure.Figure
    """
    L, S = weights.shape
    allowed = np.ones((L, S), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    fig, ax = plt.subplots(figsize=(1.6 + 0.85 * S, 1.2 + 0.7 * L))
    image = ax.imshow(np.ma.masked_array(weights, ~allowed), cmap="viridis", vmin=0, vmax=1)
    for i in range(L):
        for j in range(S):
            if not allowed[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="0.85",
                                       edgecolor="0.6", hatch="///", lw=0))  # fmt: skip
                ax.text(j, i, "masked", ha="center", va="center", fontsize=6.5, color="0.3")
                continue
            w = weights[i, j]
            ax.text(j, i, f"{w:.2f}", ha="center", va="center", fontsize=8,
                    color="black" if w > 0.6 else "white")  # fmt: skip
    ax.set_xticks(range(S), [f"{j}:{tokens[j]}" for j in range(S)], rotation=45, ha="right")
    ax.set_yticks(range(L), [f"{i}:{tokens[i]}" for i in range(L)])
    ax.set(xlabel="key (attended to)", ylabel="query (attending)")
    ax.set_title(title or "Attention weights")
    ax.grid(False)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="weight (hatched: masked)")
    fig.tight_layout()
    return fig
