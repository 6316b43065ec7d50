"""Lesson 01 runs by path and through the CLI, and writes its figures."""

from __future__ import annotations

from glassml.cli import main
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("activations.png", "init_depth.png")


def test_lesson_01_runs_by_path(tmp_path):
    proc = run_lesson_by_path(1, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    assert "He vs Xavier" in proc.stdout and "dw = dz · x" in proc.stdout


def test_lesson_01_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "1", "--out", str(tmp_path), "--quick"]) == 0
    assert "softmax" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()
