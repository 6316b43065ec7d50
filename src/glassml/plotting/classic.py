"""Figures for lesson 05: decision regions against scikit-learn's, the linear fit, K-Means."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

__all__ = [
    "plot_decision_boundaries",
    "plot_kmeans",
    "plot_kmeans_starts",
    "plot_linear_fit",
]

_CLASS_COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]


def _grid(X: np.ndarray, resolution: int, margin: float = 0.5) -> tuple[np.ndarray, ...]:
    """A regular grid over the bounding box of ``X`` (2-D), padded by ``margin``."""
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundaries(
    X: np.ndarray,
    y: np.ndarray,
    models: Sequence[tuple[str, Any, Any]],
    resolution: int = 200,
    feature_names: tuple[str, str] = ("x₁", "x₂"),
) -> Figure:
    """Each model's class regions (glassml), with scikit-learn's boundary drawn on top.

    One panel per model: glassml's predicted classes filled, scikit-learn's decision boundary as
    a dashed black line, and grid points where the two predict different classes as red
    crosses (none when they agree everywhere). The title gives the share of grid points on
    which they agree, so one picture shows both models instead of two identical ones.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
        Two-feature training points (drawn over each panel).
    y : ndarray of shape (n_samples,)
        Integer class labels ``0 .. n_classes - 1``.
    models : sequence of (title, glassml_model, sklearn_model)
        Fitted classifiers; one panel per entry.
    resolution : int, default=200
        Grid points per axis.
    feature_names : (str, str)
        Axis labels.

    Returns
    -------
    fig : matplotlib Figure
    """
    xx, yy, grid = _grid(X, resolution)
    n_classes = int(y.max()) + 1
    cmap = ListedColormap(_CLASS_COLORS[:n_classes])
    fig, axes = plt.subplots(1, len(models), figsize=(4.6 * len(models), 4.6), squeeze=False)
    for ax, (title, ours, ref) in zip(axes[0], models, strict=True):
        pred_ours = ours.predict(grid).reshape(xx.shape)
        pred_ref = ref.predict(grid).reshape(xx.shape)
        differ = pred_ours != pred_ref
        levels = np.arange(n_classes + 1) - 0.5
        ax.contourf(xx, yy, pred_ours, levels=levels, cmap=cmap, alpha=0.3)
        ax.contour(xx, yy, pred_ref, levels=levels[1:-1], colors="k", linewidths=1.2,
                   linestyles="--")  # fmt: skip
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, s=10, edgecolors="k", linewidths=0.3)
        if differ.any():
            ax.plot(xx[differ], yy[differ], "x", color="red", ms=3)
        ax.set(xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()))
        ax.set(xlabel=feature_names[0], ylabel=feature_names[1])
        ax.grid(False)
        ax.set_title(f"{title}\nsame class as scikit-learn on {1 - differ.mean():.1%} of the grid",
                     fontsize=10)  # fmt: skip
    fig.suptitle(
        "Decision regions of glassml (colours) and scikit-learn's boundary (dashed); "
        "red × = they disagree"
    )
    fig.tight_layout()
    return fig


def plot_linear_fit(
    x: np.ndarray,
    y: np.ndarray,
    lines: Sequence[tuple[str, float, float]],
    loss_history: Sequence[float],
    learning_rate: float,
) -> Figure:
    """A one-feature regression: the data with fitted lines (left), MSE per step (right).

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        The feature.
    y : ndarray of shape (n_samples,)
        The targets.
    lines : sequence of (label, w, b)
        Lines ``y = w x + b`` to draw (e.g. the normal equation's and gradient descent's).
    loss_history : sequence of float
        Gradient descent's MSE before the first step and after each step.
    learning_rate : float
        The step size, shown in the title.

    Returns
    -------
    fig : matplotlib Figure
    """
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.5, 4.4))
    ax0.scatter(x, y, s=12, color="0.4", alpha=0.7, label="data")
    grid = np.linspace(x.min(), x.max(), 2)
    styles = ["-", "--", ":"]
    for i, (label, w, b) in enumerate(lines):
        ax0.plot(grid, w * grid + b, styles[i % 3], lw=2.2, color=f"C{i}",
                 label=f"{label}: y = {w:.3f}·x + {b:.3f}")  # fmt: skip
    ax0.set(xlabel="x (feature)", ylabel="y (target)", title="Linear regression: the fitted line")
    ax0.legend(fontsize=8.5)
    steps = np.arange(len(loss_history))
    ax1.semilogy(steps, loss_history, color="C1", lw=1.8)
    ax1.set(xlabel="gradient-descent step", ylabel="MSE (log scale)",
            title=f"Gradient descent, lr = {learning_rate:g}")  # fmt: skip
    fig.tight_layout()
    return fig


def plot_kmeans_starts(
    X: np.ndarray,
    runs: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
    inertias: dict[str, np.ndarray],
) -> Figure:
    """K-Means from two kinds of start: each run's start and end (left), all final inertias (right).

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
        The clustered points.
    runs : sequence of (title, start_centers, final_centers, labels)
        Runs to draw, one panel each; centres of shape (n_clusters, 2), labels (n_samples,).
    inertias : dict of str to ndarray
        Final inertia of every start tried, per kind of start (e.g. "random", "k-means++").

    Returns
    -------
    fig : matplotlib Figure
    """
    fig, axes = plt.subplots(1, len(runs) + 1, figsize=(5.0 * (len(runs) + 1), 4.6))
    for ax, (title, start, final, labels) in zip(axes, runs, strict=False):
        ax.scatter(X[:, 0], X[:, 1], c=labels % 20, cmap="tab20", vmin=0, vmax=19, s=6, alpha=0.6)
        ax.scatter(start[:, 0], start[:, 1], marker="o", s=70, facecolors="none",
                   edgecolors="k", linewidths=1.5, label="start")  # fmt: skip
        ax.scatter(final[:, 0], final[:, 1], marker="X", s=110, c="k", edgecolors="w",
                   label="end")  # fmt: skip
        for a, b in zip(start, final, strict=True):
            ax.annotate("", b, a, arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 0.8})
        ax.set(xlabel="x₁", ylabel="x₂", title=title)
        ax.legend(loc="lower left", fontsize=8)
    ax = axes[-1]
    best = min(float(v.min()) for v in inertias.values())
    for i, values in enumerate(inertias.values()):
        jitter = np.random.default_rng(i).uniform(-0.12, 0.12, len(values))
        ax.scatter(np.full(len(values), i) + jitter, values / best, s=18, alpha=0.7)
        ax.plot([i - 0.25, i + 0.25], [np.median(values) / best] * 2, color="k", lw=2)
    ax.set_xticks(range(len(inertias)), [f"init={name}" for name in inertias])
    ax.set(ylabel="final inertia / best inertia seen", xlim=(-0.6, len(inertias) - 0.4))
    ax.set_title(f"{len(next(iter(inertias.values())))} starts each (bar = median)")
    fig.tight_layout()
    return fig


def plot_kmeans(
    X: np.ndarray,
    labels: np.ndarray,
    centers: np.ndarray,
    inertia_history: np.ndarray,
    reference_centers: np.ndarray | None = None,
) -> Figure:
    """K-Means clusters with their centres (left) and the inertia after each iteration (right).

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
        The clustered points.
    labels : ndarray of shape (n_samples,)
        Cluster index of each point.
    centers : ndarray of shape (n_clusters, 2)
        Final centres (glassml).
    inertia_history : ndarray of shape (n_iter,)
        Inertia of each iteration's assignment step (``KMeans.inertia_history_``).
    reference_centers : ndarray of shape (n_clusters, 2), optional
        scikit-learn's centres from the same start, drawn as rings around glassml's.

    Returns
    -------
    fig : matplotlib Figure
    """
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.0, 4.5))
    colors = [_CLASS_COLORS[i % len(_CLASS_COLORS)] for i in labels]
    ax0.scatter(X[:, 0], X[:, 1], c=colors, s=8, alpha=0.6)
    ax0.scatter(
        centers[:, 0], centers[:, 1], marker="X", s=160, c="k", edgecolors="w", label="glassml"
    )
    if reference_centers is not None:
        ax0.scatter(
            reference_centers[:, 0],
            reference_centers[:, 1],
            marker="o",
            s=400,
            facecolors="none",
            edgecolors="k",
            linewidths=1.5,
            label="scikit-learn",
        )
    ax0.set(xlabel="x₁", ylabel="x₂", title=f"K-Means: {len(centers)} clusters and their centres")
    ax0.legend(loc="best")
    iterations = np.arange(1, len(inertia_history) + 1)
    ax1.plot(iterations, inertia_history, "o-")
    ax1.set_xlabel("Lloyd iteration")
    ax1.set_ylabel("inertia (sum of squared distances)")
    ax1.set_title("Inertia never increases")
    ax1.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig
