"""Figures for lesson 08: regularisation paths, bias and variance, boosting, PCA."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_bias_variance", "plot_boosting_loss", "plot_paths", "plot_pca_digits"]


def plot_paths(
    alphas: np.ndarray, ridge: np.ndarray, lasso: np.ndarray, names: list[str]
) -> Figure:
    """Ridge and lasso coefficients against the penalty ``alpha`` (log scale), side by side.

    ``ridge`` and ``lasso`` have shape (n_alphas, n_features); ``names`` labels the features.
    The lasso panel's title counts the exact zeros at the largest and smallest ``alpha``.
    """
    fig, (ax_r, ax_l) = plt.subplots(1, 2, figsize=(11.0, 4.2), sharey=True)
    for j, name in enumerate(names):
        ax_r.plot(alphas, ridge[:, j], label=name)
        ax_l.plot(alphas, lasso[:, j])
    zeros_hi, zeros_lo = int(np.sum(lasso[-1] == 0)), int(np.sum(lasso[0] == 0))
    ax_r.set_title("Ridge: every weight shrinks, none is zero")
    ax_l.set_title(
        f"Lasso: exact zeros ({zeros_lo} at the smallest alpha, {zeros_hi} at the largest)"
    )
    for ax in (ax_r, ax_l):
        ax.set_xscale("log")
        ax.set_xlabel("penalty alpha (log scale)")
        ax.axhline(0.0, color="black", lw=0.6)
    ax_r.set_ylabel("coefficient")
    ax_r.legend(fontsize=7, ncol=2, loc="upper right")
    fig.tight_layout()
    return fig


def plot_bias_variance(
    x_grid: np.ndarray,
    truth: np.ndarray,
    fits: dict[str, np.ndarray],
    x_train: np.ndarray,
    y_train: np.ndarray,
) -> Figure:
    """Each model's predictions from many training sets (thin lines) and their mean (thick).

    ``fits`` maps a model name to an array (n_training_sets, n_grid) of predictions on
    ``x_grid``; ``truth`` is the noise-free function; one training set is drawn as points.
    """
    fig, axes = plt.subplots(1, len(fits), figsize=(5.4 * len(fits), 4.0), sharey=True)
    for ax, (name, preds) in zip(np.atleast_1d(axes), fits.items(), strict=True):
        for p in preds:
            ax.plot(x_grid, p, color="tab:blue", lw=0.5, alpha=0.25)
        ax.plot(x_grid, preds.mean(axis=0), color="tab:blue", lw=2.0, label="mean prediction")
        ax.plot(x_grid, truth, color="black", ls="--", lw=1.2, label="true function")
        ax.scatter(x_train, y_train, s=8, color="tab:orange", label="one training set", zorder=3)
        bias2 = float(np.mean((preds.mean(axis=0) - truth) ** 2))
        variance = float(np.mean(preds.var(axis=0)))
        ax.set_title(f"{name}\nbias² {bias2:.3f}, variance {variance:.3f}")
        ax.set_xlabel("x")
    np.atleast_1d(axes)[0].set_ylabel("y")
    np.atleast_1d(axes)[0].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def plot_boosting_loss(curves: dict[str, np.ndarray]) -> Figure:
    """Log-loss after each boosting stage; ``curves`` maps a label to losses (n_stages,)."""
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    styles = ["-", "--", ":", "-."]
    for (label, loss), style in zip(curves.items(), styles * 4, strict=False):
        ax.plot(np.arange(1, len(loss) + 1), loss, style, lw=1.8, label=label)
    ax.set_xlabel("boosting stage (trees added)")
    ax.set_ylabel("log-loss")
    ax.set_title("Gradient boosting: the loss stage by stage")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_pca_digits(Z: np.ndarray, digits: np.ndarray, ratio: np.ndarray) -> Figure:
    """Handwritten digits projected on their first two principal components, one colour each."""
    fig, ax = plt.subplots(figsize=(6.4, 5.4))
    cmap = plt.get_cmap("tab10")
    for d in range(10):
        pts = Z[digits == d]
        ax.scatter(pts[:, 0], pts[:, 1], s=6, color=cmap(d), alpha=0.6)
        cx, cy = np.median(pts, axis=0)
        ax.annotate(
            str(d),
            (cx, cy),
            fontsize=13,
            weight="bold",
            color=cmap(d),
            ha="center",
            va="center",
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "alpha": 0.8},
        )
    ax.set_xlabel(f"principal component 1 ({ratio[0]:.1%} of the variance)")
    ax.set_ylabel(f"principal component 2 ({ratio[1]:.1%} of the variance)")
    ax.set_title("Digits (64 pixels) seen along two directions")
    fig.tight_layout()
    return fig
