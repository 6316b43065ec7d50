"""Lesson 01 runs by path and through the CLI, and writes its figures."""

from __future__ import annotations

import subprocess
import sys

from glassml.cli import main
from glassml.lessons import lesson_path

FIGURES = ("activations.png", "init_depth.png")


def test_lesson_01_runs_by_path(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(lesson_path(1)), "--out", str(tmp_path), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 0
    assert "He vs Xavier" in proc.stdout and "dw = dz · x" in proc.stdout


def test_lesson_01_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "1", "--out", str(tmp_path), "--quick"]) == 0
    assert "softmax" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()
