"""What every lesson shares: its command line, where figures go, and how numbers are shown."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any


def lesson_parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with the options every lesson takes: ``--out`` and ``--quick``.

    A lesson adds its own options to the returned parser before ``parse_args``.
    """
    parser = argparse.ArgumentParser(
        description=(description or "").strip().splitlines()[0] if description else None
    )
    parser.add_argument(
        "--out", type=Path, default=Path("outputs"), help="folder for figures (default outputs/)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller settings, for smoke tests (seconds)"
    )
    return parser


def prepare_out(out: Path) -> Path:
    """Create the output folder and select the headless matplotlib backend."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    out.mkdir(parents=True, exist_ok=True)
    return out


def save_figure(fig: Any, out: Path, name: str) -> Path:
    """Save ``fig`` as ``out/name`` (PNG), close it, and return the path."""
    import matplotlib.pyplot as plt

    path = out / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"  [figure] {path}")
    return path


def heading(title: str) -> None:
    """Print a section heading."""
    print()
    print(title)
    print("=" * len(title))
