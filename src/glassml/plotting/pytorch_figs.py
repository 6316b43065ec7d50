"""Figures of lesson 04 (the PyTorch track): training curves, a decision boundary, attention.

These functions take NumPy arrays (and a NumPy-in, NumPy-out probability function), so this
module imports neither torch nor the training code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

import glassml.plotting  # noqa: F401  (shared style)

__all__ = ["attention_heatmap", "decision_boundary", "training_curves"]


def training_curves(history: Mapping[str, Sequence[float]], title: str = "") -> Figure:
    """Loss, accuracy and learning rate per epoch, side by side.

    Parameters
    ----------
    history : mapping
        ``loss``, ``accuracy``, ``lr`` (and optionally ``val_loss``, ``val_accuracy``) lists of
        one number per epoch, as returned by :func:`glassml.pytorch.train`.
    title : str, optional
        Figure title.
    """
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    ax = axes[0]
    ax.plot(epochs, history["loss"], label="train")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], label="validation")
    ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss (log scale)", title="Loss")
    ax.legend()
    ax = axes[1]
    ax.plot(epochs, history["accuracy"], label="train")
    if "val_accuracy" in history:
        ax.plot(epochs, history["val_accuracy"], label="validation")
    ax.set(xlabel="epoch", ylabel="accuracy", title="Accuracy")
    ax.legend(loc="lower right")
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


def attention_heatmap(weights: np.ndarray, tokens: Sequence[str], title: str = "") -> Figure:
    """Attention weights as a heatmap: row = query position, column = key position.

    Parameters
    ----------
    weights : ndarray of shape (L, S)
        One row per query, summing to 1.
    tokens : sequence of str
        Labels for the positions (length ``max(L, S)``; queries use the first ``L``).
    title : str, optional
    """
    L, S = weights.shape
    fig, ax = plt.subplots(figsize=(1.0 + 0.75 * S, 0.8 + 0.65 * L))
    image = ax.imshow(weights, cmap="viridis", vmin=0, vmax=1)
    for i in range(L):
        for j in range(S):
            w = weights[i, j]
            ax.text(j, i, f"{w:.2f}", ha="center", va="center", fontsize=8,
                    color="black" if w > 0.6 else "white")  # fmt: skip
    ax.set_xticks(range(S), [f"{j}:{tokens[j]}" for j in range(S)], rotation=45, ha="right")
    ax.set_yticks(range(L), [f"{i}:{tokens[i]}" for i in range(L)])
    ax.set(xlabel="key (attended to)", ylabel="query (attending)")
    ax.set_title(title or "Causal attention weights")
    ax.grid(False)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="weight")
    fig.tight_layout()
    return fig
