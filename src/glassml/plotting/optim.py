"""Figures for lesson 03: the race down the Rosenbrock valley, the learning-rate sweep, and
the same network trained by each optimizer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from glassml.optim import rosenbrock

__all__ = ["OPTIMIZER_COLORS", "plot_lr_sweep", "plot_network_losses", "plot_rosenbrock_race"]

# one colour and one marker per optimizer, the same in every figure of the lesson
OPTIMIZER_COLORS = {
    "SGD": "black",
    "Momentum": "tab:blue",
    "RMSProp": "tab:orange",
    "Adam": "tab:red",
    "AdaGrad": "tab:green",
}
OPTIMIZER_MARKERS = {"SGD": "s", "Momentum": "^", "RMSProp": "D", "Adam": "o", "AdaGrad": "v"}


def _color(name: str, i: int) -> str:
    return OPTIMIZER_COLORS.get(name, f"C{i}")


def _valley(ax: Axes, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    """The log-scaled Rosenbrock contour, with the minimum marked."""
    xs, ys = np.linspace(*xlim, 200), np.linspace(*ylim, 200)
    log_f = np.log10(np.maximum(rosenbrock(np.stack(np.meshgrid(xs, ys), axis=-1)), 1e-2))
    levels = np.linspace(-2.0, np.ceil(log_f.max()), 16)
    ax.contourf(xs, ys, log_f, levels=levels, cmap="Greys_r", alpha=0.45)
    ax.contour(xs, ys, log_f, levels=levels[::2], colors="k", linewidths=0.3, alpha=0.4)
    ax.plot(1, 1, "*", color="gold", ms=15, mec="black", zorder=6)
    ax.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y")


def plot_rosenbrock_race(
    trajectories: Mapping[str, np.ndarray],
    labels: Mapping[str, str] | None = None,
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-1.0, 3.0),
) -> Figure:
    """One small panel per optimizer's path on the Rosenbrock contour, then loss vs step.

    Each panel draws one path in colour over the others in faint grey, so no path can hide
    another. The last panel plots f along every path (log y); a first step that raises f by
    more than 10× is annotated with its value.

    Parameters
    ----------
    trajectories : mapping of str to ndarray of shape (n_steps + 1, 2)
        Each optimizer's path, e.g. from :func:`glassml.optim.minimize`.
    labels : mapping of str to str, optional
        Panel title / legend text per optimizer (e.g. with its learning rate).
    xlim, ylim : tuple of float
        The window of the contour panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = dict(labels or {})
    n_cols = 3
    n_rows = -(-(len(trajectories) + 1) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.3 * n_cols, 3.9 * n_rows), squeeze=False)
    flat = list(axes.ravel())
    for i, (name, path) in enumerate(trajectories.items()):
        ax = flat[i]
        _valley(ax, xlim, ylim)
        for other, other_path in trajectories.items():
            if other != name:
                ax.plot(other_path[:, 0], other_path[:, 1], color="0.55", lw=0.8, alpha=0.6)
        color = _color(name, i)
        every = max(len(path) // 10, 1)
        ax.plot(path[:, 0], path[:, 1], color=color, lw=2.0, zorder=4)
        ax.plot(path[::every, 0], path[::every, 1], "|", color=color, ms=7, mew=1.5, zorder=4)
        ax.plot(*path[0], "s", color="black", ms=6, zorder=5)
        ax.plot(*path[-1], "o", color=color, ms=8, mec="white", mew=1.2, zorder=6)
        distance = float(np.hypot(*(path[-1] - 1.0)))
        ax.set_title(f"{labels.get(name, name)}\nends {distance:.3g} from (1, 1)", fontsize=10)
    ax_loss = flat[len(trajectories)]
    _loss_panel(ax_loss, trajectories, labels)
    for ax in flat[len(trajectories) + 1 :]:
        ax.set_visible(False)
    fig.suptitle(
        "Rosenbrock race: each optimizer's path in colour (others grey); square = start, "
        "star = minimum, ticks every tenth of the run"
    )
    fig.tight_layout()
    return fig


def _loss_panel(ax: Axes, trajectories: Mapping[str, np.ndarray], labels: dict[str, str]) -> None:
    for i, (name, path) in enumerate(trajectories.items()):
        loss = np.maximum(np.asarray(rosenbrock(path)), 1e-30)
        color = _color(name, i)
        ax.semilogy(np.arange(len(loss)), loss, color=color, lw=1.5, label=name)
        if len(loss) > 1 and loss[1] > 10 * loss[0]:
            ax.annotate(
                f"{name}'s first step: f = {loss[1]:.3g}\n(from {loss[0]:.3g}; see the text)",
                xy=(1, loss[1]), xytext=(0.3, 0.93), textcoords="axes fraction", fontsize=8,
                color=color, va="top", arrowprops={"arrowstyle": "->", "color": color},
            )  # fmt: skip
    ax.set(xlabel="step", ylabel="f(x, y)  (log scale)", title="Loss along each path")
    ax.legend(fontsize=8, loc="lower left")


def plot_lr_sweep(
    learning_rates: Mapping[str, Sequence[float]],
    distances: Mapping[str, Sequence[float]],
    chosen: Mapping[str, float] | None = None,
    close: float = 0.1,
) -> Figure:
    """Final distance to the minimum against the learning rate, one line per optimizer.

    Parameters
    ----------
    learning_rates : mapping of str to sequence of float
        The learning rates tried, per optimizer (ascending).
    distances : mapping of str to sequence of float
        Final distance to the minimum for each learning rate; ``inf`` marks a run that
        diverged (drawn as a cross on the top edge).
    chosen : mapping of str to float, optional
        The learning rate used in the race, circled per optimizer.
    close : float, default=0.1
        Distance drawn as a dashed line ("got there").

    Returns
    -------
    matplotlib.figure.Figure
    """
    chosen = dict(chosen or {})
    fig, ax = plt.subplots(figsize=(8.0, 4.8))
    finite = [d for row in distances.values() for d in row if np.isfinite(d)]
    top = 3 * max(finite) if finite else 10.0
    for i, (name, lrs) in enumerate(learning_rates.items()):
        lrs_a, d = np.asarray(lrs, dtype=float), np.asarray(distances[name], dtype=float)
        color, marker = _color(name, i), OPTIMIZER_MARKERS.get(name, "o")
        ok = np.isfinite(d)
        ax.loglog(lrs_a[ok], d[ok], marker=marker, color=color, lw=1.6, label=name)
        ax.plot(lrs_a[~ok], np.full((~ok).sum(), top), "x", color=color, ms=9, mew=2)
        if name in chosen:
            hit = np.isclose(lrs_a, chosen[name])
            ax.plot(lrs_a[hit & ok], d[hit & ok], "o", ms=14, mfc="none", mec=color, mew=1.5)
    ax.axhline(close, ls="--", color="0.4", lw=1)
    ax.text(ax.get_xlim()[0], close, f" within {close:g} of (1, 1)", va="bottom", fontsize=8)
    ax.set(xlabel="learning rate (log scale)", ylabel="final distance to (1, 1)  (log scale)")
    ax.set_title("Learning-rate sweep: circle = the race's rate, × on top = diverged")
    ax.legend(fontsize=8.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
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
        marker = OPTIMIZER_MARKERS.get(name, "o")
        every = max(len(losses) // 12, 1)
        ax.semilogy(epochs, losses, color=_color(name, i), lw=1.8, marker=marker,
                    markevery=every, ms=5, label=labels.get(name, name))  # fmt: skip
    ax.set(xlabel="epoch", ylabel="mean training loss (log scale)", title=title)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig
