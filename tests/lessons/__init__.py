"""Lesson smoke tests; the helpers below are what every lesson's test does the same way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from glassml.lessons import lesson_path


def run_lesson_by_path(
    number: int, out: Path, *extra: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run lesson ``number`` as a learner would (``python <file> --out OUT --quick``)."""
    cmd = [sys.executable, str(lesson_path(number)), "--out", str(out), "--quick", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)


def assert_figures_written(out: Path, names: tuple[str, ...]) -> None:
    """Every named figure exists in ``out`` and is not empty."""
    for name in names:
        assert (out / name).stat().st_size > 0, name
