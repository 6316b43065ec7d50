"""Figures for the NumPy network lessons (01 and 02). Only lessons import this module."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

import glassml.plotting  # noqa: F401  (shared style)
from glassml.nn import (
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_backward,
    tanh,
    tanh_derivative,
)

__all__ = [
    "activations_figure",
    "decision_boundaries_figure",
    "digits_predictions_figure",
    "init_depth_figure",
    "loss_curves_figure",
]


def activations_figure(z_max: float = 5.0, n_points: int = 401) -> Figure:
    """Sigmoid, ReLU, tanh (each with its derivative), and softmax of three logits as the first varies."""
    z = np.linspace(-z_max, z_max, n_points)
    fig, axes = plt.subplots(1, 4, figsize=(15, 3.6))
    for ax, name, f, f_prime in (
        (axes[0], "sigmoid", sigmoid, sigmoid_derivative),
        (axes[1], "ReLU", relu, relu_derivative),
        (axes[2], "tanh", tanh, tanh_derivative),
    ):
        ax.plot(z, f(z), lw=2, label=f"{name}(z)")
        ax.plot(z, f_prime(z), lw=2, ls="--", label=f"{name}'(z)")
        ax.set_title(name)
        ax.set_xlabel("z")
        ax.legend(loc="upper left", fontsize=8)
    ax = axes[3]
    # softmax needs a vector: sweep the first logit, hold the others fixed. (With two logits
    # [z, 0], p1 would be exactly sigmoid(z): three show what softmax adds.)
    others = np.array([1.0, 0.0])
    logits = np.column_stack([z, np.broadcast_to(others, (z.size, 2))])
    p = softmax(logits)
    # ∂p1/∂z1 is the first entry of the vector-Jacobian product with d_out = e1: p1 (1 - p1)
    e1 = np.zeros_like(logits)
    e1[:, 0] = 1.0
    dp1 = softmax_backward(p, e1)[:, 0]
    fixed = ", ".join(f"{v:g}" for v in others)
    for k in range(3):
        ax.plot(z, p[:, k], lw=2, label=f"p{k + 1}")
    ax.plot(z, dp1, lw=2, ls="--", label="∂p1/∂z")
    ax.set_title(f"softmax([z, {fixed}]): logits 2, 3 fixed", fontsize=10)
    ax.set_xlabel("z (first logit)")
    ax.legend(loc="center left", fontsize=8)
    fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
    fig.tight_layout()
    return fig


def init_depth_figure(stds: Mapping[str, np.ndarray]) -> Figure:
    """Activation standard deviation against depth, one line per (activation, init) label."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, values in stds.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, lw=2, label=label)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer")
    ax.set_ylabel("std of activations (log scale)")
    ax.set_title("What initialisation does to the signal through a deep stack")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def loss_curves_figure(histories: Mapping[str, Sequence[float]], title: str) -> Figure:
    """Per-epoch mean training loss, one line per label."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, history in histories.items():
        ax.plot(np.arange(1, len(history) + 1), history, lw=2, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean training loss")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


CONSTANT_SPREAD = 1e-3
"""A map of ``P(y=1)`` whose max - min is below this is drawn as constant, with no 0.5 line."""


def decision_boundaries_figure(
    models: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    X: np.ndarray,
    y: np.ndarray,
    lim: tuple[float, float] = (-0.5, 1.5),
    resolution: int = 200,
) -> Figure:
    """Side-by-side maps of ``P(y=1)`` for each model with the training points on top.

    ``models`` maps a title to a function returning ``P(y=1)`` of shape (n,) for points (n, 2).
    The black line is where ``P = 0.5``; a model whose output is constant over the map
    (spread below :data:`CONSTANT_SPREAD`) has no such line, and its title says so.
    """
    grid = np.linspace(lim[0], lim[1], resolution)
    gx, gy = np.meshgrid(grid, grid)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    fig, axes = plt.subplots(
        1, len(models), figsize=(5.4 * len(models), 5.0), squeeze=False, layout="constrained"
    )
    for ax, (title, proba) in zip(axes[0], models.items(), strict=True):
        P = proba(points).reshape(gx.shape)
        im = ax.pcolormesh(gx, gy, P, vmin=0.0, vmax=1.0, cmap="RdBu_r", alpha=0.8)
        if np.ptp(P) < CONSTANT_SPREAD:  # a 0.5 contour of a constant would be rounding noise
            title = f"{title}\nconstant output P = {P.mean():.3f}: no boundary"
        else:
            ax.contour(gx, gy, P, levels=[0.5], colors="k", linewidths=2)
        _scatter_classes(ax, X, y)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_aspect("equal")
        ax.grid(False)
        ax.legend(loc="upper center", fontsize=8, ncol=2, framealpha=0.9)
    fig.colorbar(im, ax=axes[0].tolist(), label="P(y = 1); black line: P = 0.5", shrink=0.8)
    return fig


def _scatter_classes(ax: Any, X: np.ndarray, y: np.ndarray) -> None:
    """Class 0 as white circles, class 1 as black squares."""
    for label, marker in ((0, "o"), (1, "s")):
        sel = y == label
        ax.scatter(
            X[sel, 0],
            X[sel, 1],
            marker=marker,
            s=160,
            c="white" if label == 0 else "black",
            edgecolors="k",
            linewidths=1.5,
            label=f"y = {label}",
            zorder=3,
        )


def digits_predictions_figure(
    images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, n_cols: int = 8
) -> Figure:
    """A grid of 8×8 digit images titled with the prediction; mistakes in red with the truth."""
    n = len(images)
    n_rows = int(np.ceil(n / n_cols))
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(1.5 * n_cols, 1.9 * n_rows), squeeze=False, layout="constrained"
    )
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i].reshape(8, 8), cmap="gray_r")
        ok = y_true[i] == y_pred[i]
        ax.set_title(
            f"pred {y_pred[i]}" if ok else f"pred {y_pred[i]}\ntrue {y_true[i]}",
            color="black" if ok else "red",
            fontsize=9,
            pad=3,
        )
    fig.suptitle("Test digits: predicted label (mistakes in red, with the true label)")
    return fig
