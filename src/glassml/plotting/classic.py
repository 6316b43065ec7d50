"""Figures for lesson 05: decision boundaries side by side with scikit-learn's, and K-Means."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

__all__ = ["plot_decision_boundaries", "plot_kmeans"]

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
) -> Figure:
    """Predicted class regions: glassml's models on the top row, scikit-learn's below.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 2)
        Two-feature training points (drawn over each panel).
    y : ndarray of shape (n_samples,)
        Integer class labels ``0 .. n_classes - 1``.
    models : sequence of (title, glassml_model, sklearn_model)
        Fitted classifiers; one column per entry.
    resolution : int, default=200
        Grid points per axis.

    Returns
    -------
    fig : matplotlib Figure
        A 2 × len(models) grid. Each bottom panel's title gives the share of grid points
        where both libraries predict the same class.
    """
    xx, yy, grid = _grid(X, resolution)
    n_classes = int(y.max()) + 1
    cmap = ListedColormap(_CLASS_COLORS[:n_classes])
    fig, axes = plt.subplots(2, len(models), figsize=(4.2 * len(models), 8.0), squeeze=False)
    for col, (title, ours, ref) in enumerate(models):
        pred_ours = ours.predict(grid).reshape(xx.shape)
        pred_ref = ref.predict(grid).reshape(xx.shape)
        agree = float(np.mean(pred_ours == pred_ref))
        for row, (pred, who) in enumerate(((pred_ours, "glassml"), (pred_ref, "scikit-learn"))):
            ax = axes[row, col]
            ax.contourf(xx, yy, pred, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.3)
            ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, s=10, edgecolors="k", linewidths=0.3)
            ax.set_xlim(xx.min(), xx.max())
            ax.set_ylim(yy.min(), yy.max())
            ax.grid(False)
            label = f"{who}: {title}"
            if row == 1:
                label += f"\nsame class on {agree:.1%} of the plane"
            ax.set_title(label, fontsize=10)
    fig.suptitle("Decision boundaries: from scratch (top) vs scikit-learn (bottom)")
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
    ax0.set_title(f"K-Means: {len(centers)} clusters and their centres")
    ax0.legend(loc="best")
    iterations = np.arange(1, len(inertia_history) + 1)
    ax1.plot(iterations, inertia_history, "o-")
    ax1.set_xlabel("Lloyd iteration")
    ax1.set_ylabel("inertia (sum of squared distances)")
    ax1.set_title("Inertia never increases")
    ax1.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig
