"""The computation graph of the seed-06 tiny network, every node labelled with its numbers."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

import glassml.plotting  # noqa: F401  (shared rcParams, headless backend)
from glassml.nn.walkthrough import BackpropTrace

__all__ = ["draw_computation_graph", "plot_computation_graph"]

_FORWARD = "#1f4e99"
_BACKWARD = "#b2182b"
_UPDATE = "#1b7837"
_MUTED = "#9a9a9a"

# node: (column, row, kind, formula shown under the name)
_LAYOUT: dict[str, tuple[float, float, str, str]] = {
    "x": (0.0, 0.0, "input", "input"),
    "w1": (1.6, 1.75, "param", "weight 1"),
    "b1": (3.4, 1.75, "param", "bias 1"),
    "z1": (2.5, 0.0, "node", "w1·x + b1"),
    "a1": (5.0, 0.0, "node", "ReLU(z1)"),
    "w2": (6.6, 1.75, "param", "weight 2"),
    "b2": (8.4, 1.75, "param", "bias 2"),
    "z2": (7.5, 0.0, "node", "w2·a1 + b2"),
    "a2": (10.0, 0.0, "node", "σ(z2)"),
    "y": (12.5, 1.75, "input", "target"),
    "L": (12.5, 0.0, "node", "BCE(a2, y)"),
}
_EDGES = [
    ("x", "z1", "×w1"),
    ("w1", "z1", ""),
    ("b1", "z1", ""),
    ("z1", "a1", "ReLU"),
    ("a1", "z2", "×w2"),
    ("w2", "z2", ""),
    ("b2", "z2", ""),
    ("z2", "a2", "σ"),
    ("a2", "L", "BCE"),
    ("y", "L", ""),
]
_BOX_W = 1.5
_LINE = 0.2  # height of one text line inside a node, in data units


def _node_numbers(t: BackpropTrace, name: str) -> tuple[float, float | None, float | None]:
    """(forward value, gradient ∂L/∂node or None, updated value or None) of one node."""
    value = t.loss if name == "L" else getattr(t, name)
    if name in ("x", "y"):
        return value, None, None
    grad = 1.0 if name == "L" else getattr(t, f"dL_d{name}")
    new = getattr(t, f"{name}_new") if name in ("w1", "b1", "w2", "b2") else None
    return value, grad, new


def _node_lines(t: BackpropTrace, name: str) -> list[tuple[str, str, str]]:
    """The text lines of one node: (text, colour, weight)."""
    value, grad, new = _node_numbers(t, name)
    lines = [
        (name, "#000000", "bold"),
        (_LAYOUT[name][3], "#555555", "normal"),
        (f"val  {_fmt(value)}", _FORWARD, "normal"),
    ]
    if grad is not None:
        lines.append((f"grad {_fmt(grad)}", _MUTED if grad == 0.0 else _BACKWARD, "normal"))
    if new is not None:
        lines.append((f"new  {_fmt(new)}", _UPDATE, "normal"))
    return lines


def _fmt(v: float) -> str:
    """Four decimals; scientific for numbers that would not fit or would show as 0.0000."""
    if v == 0.0 or 1e-4 <= abs(v) < 1e4:
        return f"{v + 0.0:+.4f}"  # + 0.0 turns −0.0 into 0.0
    return f"{v:+.3e}"


def draw_computation_graph(ax: Any, t: BackpropTrace) -> None:
    """Draw the graph of ``t`` on ``ax``: forward values in blue, gradients in red, updates green.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; its grid and ticks are switched off.
    t : BackpropTrace
        The traced numbers (from :func:`glassml.nn.walkthrough.trace`).
    """
    ax.set_xlim(-1.0, 13.5)
    ax.set_ylim(-1.45, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")

    boxes = {name: _node_lines(t, name) for name in _LAYOUT}
    half_h = {name: (0.2 + _LINE * len(lines)) / 2 for name, lines in boxes.items()}

    _draw_edges(ax, t, half_h)
    _draw_boxes(ax, t, boxes, half_h)
    _draw_backward_note(ax, t)


def plot_computation_graph(t: BackpropTrace, title: str | None = None) -> Any:
    """A figure of the computation graph of ``t`` (see :func:`draw_computation_graph`).

    Parameters
    ----------
    t : BackpropTrace
        The traced numbers.
    title : str, optional
        Figure title; by default the inputs and the loss before → after the update.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(13.5, 4.2))
    draw_computation_graph(ax, t)
    if title is None:
        title = (
            f"Backprop through x → ReLU → σ → BCE   (x = {t.x:g}, y = {t.y:g})   "
            f"loss {t.loss:.4f} → {t.loss_new:.4f} after one step"
        )
    ax.set_title(title, fontsize=12)
    return fig


def _draw_edges(ax: Any, t: BackpropTrace, half_h: dict[str, float]) -> None:
    """The arrows of the graph, greyed where a closed ReLU passes no gradient."""
    for src, dst, label in _EDGES:
        (x0, y0), (x1, y1) = _LAYOUT[src][:2], _LAYOUT[dst][:2]
        if y0 == y1:  # along the main chain
            start, end = (x0 + _BOX_W / 2, y0), (x1 - _BOX_W / 2, y1)
        else:  # a parameter (or the target) dropping into the node it feeds
            start = (x0, y0 - half_h[src])
            end = (x1 + (x0 - x1) * 0.3, y1 + half_h[dst])
        closed = dst == "a1" and not t.relu_open
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=14,
                lw=1.4,
                color=_MUTED if closed else "#444444",
                shrinkA=2,
                shrinkB=2,
            )
        )
        if label:
            ax.text(
                (start[0] + end[0]) / 2,
                y0 + 0.08,
                label,
                ha="center",
                va="bottom",
                fontsize=9,
                color=_MUTED if closed else "#444444",
            )
            if closed:
                ax.text(
                    (start[0] + end[0]) / 2,
                    y0 - 0.08,
                    "closed",
                    ha="center",
                    va="top",
                    fontsize=9,
                    color=_MUTED,
                )


def _draw_boxes(ax: Any, t: BackpropTrace, boxes: dict[str, Any], half_h: dict[str, float]) -> None:
    """One rounded box per node with its lines of text (name, value, gradient, update)."""
    for name, (cx, cy, kind, _) in _LAYOUT.items():
        lines = boxes[name]
        face = {"input": "#f0f0f0", "param": "#fff4d6", "node": "#e8f0fb"}[kind]
        if name in ("z1", "a1") and not t.relu_open:
            face = "#f4f4f4"
        ax.add_patch(
            FancyBboxPatch(
                (cx - _BOX_W / 2, cy - half_h[name]),
                _BOX_W,
                2 * half_h[name],
                boxstyle="round,pad=0.02,rounding_size=0.12",
                fc=face,
                ec="#555555",
                lw=1.0,
            )
        )
        top = cy + half_h[name] - 0.1
        for i, (text, color, weight) in enumerate(lines):
            ax.text(
                cx,
                top - i * _LINE,
                text,
                ha="center",
                va="top",
                fontsize=8.5 if i else 10,
                color=color,
                fontweight=weight,
                family="monospace" if i >= 2 else None,
            )


def _draw_backward_note(ax: Any, t: BackpropTrace) -> None:
    """The right-to-left arrow of the backward pass and the colour legend."""
    # the backward pass runs right to left along the main chain
    ax.add_patch(
        FancyArrowPatch(
            (12.5, -0.72),
            (2.5, -0.72),
            arrowstyle="-|>",
            mutation_scale=14,
            lw=1.2,
            ls="--",
            color=_BACKWARD,
        )
    )
    ax.text(
        7.5,
        -0.8,
        "backward: each grad = (grad of the node to its right) × (local derivative)",
        ha="center",
        va="top",
        fontsize=9,
        color=_BACKWARD,
    )

    legend = [
        ("val: forward value", _FORWARD),
        ("grad: ∂L/∂node (backward pass)", _BACKWARD),
        (f"new: after one step, lr = {t.lr:g}", _UPDATE),
    ]
    for i, (text, color) in enumerate(legend):
        ax.text(-0.8 + i * 4.3, -1.3, text, color=color, fontsize=9, va="center")
