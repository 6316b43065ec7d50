"""Figures for lesson 07 (layers from scratch). Only lessons import this module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

import glassml.plotting  # noqa: F401  (shared style)

__all__ = ["feature_maps_figure", "schedules_figure"]


def feature_maps_figure(image: np.ndarray, maps: np.ndarray, title: str) -> Figure:
    """One input image beside the feature maps a convolution layer makes of it.

    Parameters
    ----------
    image : ndarray of shape (H, W)
    maps : ndarray of shape (n_maps, H', W')
        The layer's output channels for that image.
    title : str
    """
    n_maps = maps.shape[0]
    n_cols = min(8, n_maps)
    n_rows = 1 + -(-n_maps // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(1.6 * n_cols, 1.7 * n_rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    axes[0, 0].imshow(image, cmap="gray_r")
    axes[0, 0].set_title("input", fontsize=9)
    for i in range(n_maps):
        ax = axes[1 + i // n_cols, i % n_cols]
        ax.imshow(maps[i], cmap="viridis")
        ax.set_title(f"map {i}", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def schedules_figure(
    ours: Mapping[str, Sequence[float]], reference: Mapping[str, Sequence[float]]
) -> Figure:
    """Learning rate per epoch for each scheduler: glassml (lines) and torch (markers)."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for name, values in ours.items():
        epochs = np.arange(1, len(values) + 1)
        (line,) = ax.plot(epochs, values, lw=2, label=f"{name} (glassml)")
        ax.plot(epochs, reference[name], "o", ms=4, mfc="none", color=line.get_color())
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.set_title("Learning-rate schedules: glassml (lines) and torch.optim.lr_scheduler (circles)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
