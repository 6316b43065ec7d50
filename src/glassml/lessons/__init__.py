"""The lessons: one per seed file by its seed name (``01_neuron_and_layer.py`` …), then 07+.

Each lesson is a sphinx-gallery script (top-level cells of text and code): run it by path
(``python src/glassml/lessons/01_neuron_and_layer.py``), through the CLI (``glassml lesson 1``,
which calls :func:`run_lesson`), or read it as a page of the book. Lessons narrate; the library
computes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

LESSONS_DIR = Path(__file__).resolve().parent


def lesson_paths() -> dict[int, Path]:
    """Map lesson number to file for every lesson that exists, in order."""
    found = {}
    for path in sorted(LESSONS_DIR.glob("[0-9][0-9]_*.py")):
        found[int(path.name[:2])] = path
    return found


def lesson_path(number: int) -> Path:
    """The file of lesson ``number``; ``ValueError`` naming the lessons that exist otherwise."""
    paths = lesson_paths()
    if number not in paths:
        have = ", ".join(str(n) for n in paths) or "none"
        raise ValueError(f"There is no lesson {number}; lessons available: {have}.")
    return paths[number]


def load_lesson(number: int) -> ModuleType:
    """Import lesson ``number`` as a module (its file name starts with a digit)."""
    path = lesson_path(number)
    spec = importlib.util.spec_from_file_location(f"glassml_lesson_{number:02d}", path)
    if spec is None or spec.loader is None:  # pragma: no cover - the file exists
        raise ImportError(f"cannot load lesson from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_lesson(number: int, argv: list[str] | None = None) -> dict[str, Any]:
    """Run lesson ``number`` in this process as if from its command line; return its globals.

    ``sys.argv`` is ``["glassml lesson N", *argv]`` while it runs (so ``--help`` reads
    ``usage: glassml lesson N``), and every matplotlib figure it left open is closed after.
    ``SystemExit`` from the lesson's option parser (``--help``, a bad option) propagates.
    """
    path = lesson_path(number)
    # NOTE: not runpy.run_path, which sets sys.argv[0] to the file's path while it runs
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    namespace: dict[str, Any] = {"__name__": "__main__", "__file__": str(path)}
    saved = sys.argv
    sys.argv = [f"glassml lesson {number}", *(argv or [])]
    try:
        exec(code, namespace)
        return namespace
    finally:
        sys.argv = saved
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
