"""What every lesson shares: its command line, where figures go, and how numbers are shown.

A lesson is a sphinx-gallery script: top-level cells, options read once at the top with
:func:`lesson_args`. The same file runs four ways, always with the same options:

- by path: ``python src/glassml/lessons/03_optimizers.py --lr 0.05`` (``sys.argv``);
- through the CLI: ``glassml lesson 3 --lr 0.05`` (:func:`glassml.lessons.run_lesson`);
- in the book: sphinx-gallery runs it with the arguments its ``reset_argv`` gives;
- as a downloaded notebook: no command line there, so the defaults, plus ``--quick`` when
  the environment variable ``GLASSML_QUICK=1`` is set (the notebook tests do).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

QUICK_ENV = "GLASSML_QUICK"


def default_out(number: int) -> Path:
    """Where lesson ``number`` writes its figures unless told otherwise: ``outputs/lesson_NN``.

    The book is built into ``outputs/book``, so running a lesson never overwrites its figures.
    """
    return Path("outputs") / f"lesson_{number:02d}"


def lesson_parser(description: str | None, number: int | None = None) -> argparse.ArgumentParser:
    """An argument parser with the options every lesson takes: ``--out`` and ``--quick``.

    A lesson adds its own options to the returned parser, then calls :func:`lesson_args`.
    ``prog`` is ``sys.argv[0]``: the script's name when run by path, ``glassml lesson N`` when
    run through the CLI (:func:`glassml.lessons.run_lesson` sets it).
    """
    first = (description or "").strip().splitlines()
    parser = argparse.ArgumentParser(
        prog=os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else None,
        description=first[0] if first else None,
    )
    out = default_out(number) if number is not None else Path("outputs")
    parser.add_argument(
        "--out", type=Path, default=out, help=f"folder for figures (default {out}/)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller settings, for smoke tests (seconds)"
    )
    return parser


def _in_notebook() -> bool:
    """True inside a Jupyter kernel, whose ``sys.argv`` belongs to the kernel, not to us."""
    return "ipykernel" in sys.modules and sys.argv[0].endswith("ipykernel_launcher.py")


def lesson_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse the lesson's options from ``sys.argv`` (see the module docstring for notebooks)."""
    if _in_notebook():
        argv = ["--quick"] if os.environ.get(QUICK_ENV) == "1" else []
        return parser.parse_args(argv)
    return parser.parse_args(sys.argv[1:])


def prepare_out(out: Path) -> Path:
    """Create the output folder and select the headless matplotlib backend."""
    if not _in_notebook():
        os.environ.setdefault("MPLBACKEND", "Agg")
    out.mkdir(parents=True, exist_ok=True)
    return out


def save_figure(fig: Any, out: Path, name: str) -> Path:
    """Save ``fig`` as ``out/name`` (PNG) and return the path; the figure stays open.

    It stays open so that the book (sphinx-gallery's matplotlib scraper) shows it right under
    the cell that drew it; :func:`glassml.lessons.run_lesson` closes every figure at the end.
    """
    path = out / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    print(f"  [figure] {name}")
    return path


def heading(title: str) -> None:
    """Print a section heading."""
    print()
    print(title)
    print("=" * len(title))
