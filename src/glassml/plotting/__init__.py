"""Matplotlib figures for the lessons and the CLI (the library proper never plots).

One module per topic (``plotting.nn``, ``plotting.optim`` …) so each topic's figures read
on their own; this module holds what they share.
"""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.rcParams.update(
    {
        "figure.dpi": 110,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

__all__: list[str] = []
