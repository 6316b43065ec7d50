"""Figures for lesson 03: the optimizers' race down the Rosenbrock valley, and network losses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from glassml.optim import rosenbrock

__all__ = ["OPTIMIZER_COLORS", "plot_network_losses", "plot_rosenbrock_race"]

# one colour per optimizer, the same in every figure of the lesson
OPTIMIZER_COLORS = {
    "SGD": "tab:gray",
    "Momentum": "tab:blue",
    "RMSProp": "tab:orange",
    "Adam": "tab:red",
    "AdaGrad": "tab:green",
}


def _color(name: str, i: int) -> str:
    return OPTIMIZER_COLORS.get(name, f"C{i}")


def plot_rosenbrock_race(
    trajectories: Mapping[str, np.ndarray],
    labels: Mapping[str, str] | None = None,
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-1.0, 3.0),
) -> Figure:
    """Trajectories on the log-scaled Rosenbrock contour (left) and loss vs step (right).

    Parameters
    ----------
    trajectories : mapping of str to ndarray of shape (n_steps + 1, 2)
        Each optimizer's path, e.g. from :func:`glassml.optim.minimize`.
    labels : mapping of str to str, optional
        Legend text per optimizer (e.g. with its learning rate); defaults to the names.
    xlim, ylim : tuple of float
        The window of the contour plot.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = dict(labels or {})
    fig, (ax_map, ax_loss) = plt.subplots(
        1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [1.15, 1]}
    )
    xs = np.linspace(*xlim, 400)
    ys = np.linspace(*ylim, 400)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)  # (400, 400, 2)
    log_f = np.log10(np.maximum(rosenbrock(grid), 1e-2))  # floor: f is 0 at the minimum
    levels = np.linspace(-2.0, np.ceil(log_f.max()), 23)
    filled = ax_map.contourf(xs, ys, log_f, levels=levels, cmap="Greys_r", alpha=0.6)
    ax_map.contour(xs, ys, log_f, levels=levels[::2], colors="k", linewidths=0.4, alpha=0.45)
    cbar = fig.colorbar(filled, ax=ax_map, fraction=0.046, pad=0.03)
    cbar.set_label("log₁₀ f(x, y)")
    cbar.set_ticks(np.arange(-2, levels[-1] + 1).tolist())

    n_paths = len(trajectories)
    colors = {name: _color(name, i) for i, name in enumerate(trajectories)}
    for i, (name, path) in enumerate(trajectories.items()):
        color = colors[name]
        label = labels.get(name, name)
        # earlier paths drawn wider so a later one lying on top does not hide them
        width = 1.2 + 2.2 * (n_paths - 1 - i) / max(n_paths - 1, 1)
        every = max(len(path) // 10, 1)
        ax_map.plot(path[:, 0], path[:, 1], color=color, lw=width, alpha=0.85, label=label)
        ax_map.plot(path[::every, 0], path[::every, 1], "|", color=color, ms=7, mew=1.5)
        ax_map.plot(*path[-1], "o", color=color, ms=8, mec="white", mew=1.2, zorder=5)
        loss = np.asarray(rosenbrock(path))
        ax_loss.semilogy(np.arange(len(loss)), np.maximum(loss, 1e-30), color=color, lw=1.6,
                         label=label)  # fmt: skip
    # the end dots can sit on top of each other near (1, 1): list the final distances too
    box = {"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.5}
    text = {"transform": ax_map.transAxes, "ha": "right", "va": "bottom", "fontsize": 8.5,
            "fontweight": "bold", "bbox": box}  # fmt: skip
    ax_map.text(0.98, 0.03 + 0.05 * n_paths, "final distance to (1, 1)", **text)
    for i, (name, path) in enumerate(trajectories.items()):
        distance = float(np.hypot(*(path[-1] - 1.0)))
        y = 0.03 + 0.05 * (n_paths - 1 - i)
        ax_map.text(0.98, y, f"{name}: {distance:.3g}", color=colors[name], **text)
    start = next(iter(trajectories.values()))[0]
    ax_map.plot(*start, "s", color="black", ms=8, label=f"start ({start[0]:g}, {start[1]:g})")
    ax_map.plot(1, 1, "*", color="gold", ms=18, mec="black", label="minimum (1, 1)")
    ax_map.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y")
    ax_map.set_title(
        f"Rosenbrock valley: each optimizer's path\n(ticks every {every} steps, dot = where it ended)"
    )
    ax_map.legend(loc="upper center", fontsize=8.5, framealpha=0.9)
    ax_map.grid(False)

    ax_loss.set(xlabel="step", ylabel="f(x, y)  (log scale)")
    ax_loss.set_title("Loss vs step")
    ax_loss.legend(fontsize=8.5)
    fig.tight_layout()
    return fig


def plot_network_losses(
    histories: Mapping[str, Sequence[float]],
    labels: Mapping[str, str] | None = None,
    title: str = "The same network trained by each optimizer",
) -> Figure:
    """Per-epoch training loss of one network per optimizer (log y).

    Parameters
    ----------
    histories : mapping of str to sequence of float
        Each optimizer's per-epoch mean loss (what ``NeuralNetwork.fit`` returns).
    labels : mapping of str to str, optional
        Legend text per optimizer; defaults to the names.
    title : str
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = dict(labels or {})
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    for i, (name, losses) in enumerate(histories.items()):
        epochs = np.arange(1, len(losses) + 1)
        ax.semilogy(epochs, losses, color=_color(name, i), lw=1.8, label=labels.get(name, name))
    ax.set(xlabel="epoch", ylabel="mean training loss (log scale)", title=title)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig
