"""Lesson 03 runs by path and through the CLI, writes its figures, and prints live numbers."""

from __future__ import annotations

import numpy as np

from glassml.cli import main
from glassml.lessons import load_lesson
from glassml.optim import minimize, rosenbrock_gradient
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("optimizer_comparison.png", "optimizer_network_losses.png")


def test_lesson_03_runs_by_path(tmp_path):
    proc = run_lesson_by_path(3, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    assert "The Rosenbrock race" in proc.stdout and "same network" in proc.stdout


def test_lesson_03_runs_through_the_cli_and_prints_what_the_library_computes(tmp_path, capsys):
    assert main(["lesson", "3", "--out", str(tmp_path), "--quick"]) == 0
    out = capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()
    # every race row is the library's own result for the learning rate the lesson states
    lesson = load_lesson(3)
    for name, cls in lesson.OPTIMIZER_CLASSES.items():
        lr = lesson.RACE_LR[name]
        end = minimize(rosenbrock_gradient, lesson.START, cls(lr), lesson.QUICK_STEPS)[-1]
        row = f"({end[0]:9.5f}, {end[1]:9.5f})  {np.linalg.norm(end - 1):17.3g}"
        assert f"{name:<9}  {lr:6g}  {row}" in out
    assert "The seed's finding holds here" in out
