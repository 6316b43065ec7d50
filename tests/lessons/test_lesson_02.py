"""Lesson 02 runs by path and through the CLI, and writes its figures."""

from __future__ import annotations

import subprocess
import sys

from glassml.cli import main
from glassml.lessons import lesson_path

FIGURES = ("xor_loss.png", "xor_decision_boundaries.png", "digits_predictions.png")


def test_lesson_02_runs_by_path(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(lesson_path(2)), "--out", str(tmp_path), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 0
    assert "all four correct: True" in proc.stdout
    assert "test accuracy" in proc.stdout
    assert "epoch/s" not in proc.stderr  # --quick shows no progress bar


def test_lesson_02_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "2", "--out", str(tmp_path), "--quick"]) == 0
    assert "XOR" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()
