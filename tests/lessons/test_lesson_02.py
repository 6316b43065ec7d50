"""Lesson 02 runs by path and through the CLI, and writes its figures."""

from __future__ import annotations

from glassml.cli import main
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("xor_loss.png", "xor_decision_boundaries.png", "digits_predictions.png")


def test_lesson_02_runs_by_path(tmp_path):
    proc = run_lesson_by_path(2, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    assert "all four correct: True" in proc.stdout
    assert "test accuracy" in proc.stdout
    assert "epoch/s" not in proc.stderr  # --quick shows no progress bar


def test_lesson_02_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "2", "--out", str(tmp_path), "--quick"]) == 0
    assert "XOR" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()
