"""Lesson 07 runs by path and through the CLI, writes its figures, its numbers agree with torch,
and each of its options changes what it prints."""

from __future__ import annotations

import re

import numpy as np

from glassml.cli import main
from glassml.lessons import run_lesson
from glassml.nn import BatchNorm1d
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("cnn_feature_maps.png", "lr_schedules.png")
_BATCH = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])  # section 1's batch


def _agreements(out: str) -> list[float]:
    """Every 'agrees to X' / 'differ by X' number the lesson printed (computed by the run)."""
    return [float(x.rstrip(".")) for x in re.findall(r"(?:agrees to|differ by) ([0-9.e+-]+)", out)]


def test_lesson_07_runs_by_path(tmp_path):
    proc = run_lesson_by_path(7, tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    out = proc.stdout
    assert "BatchNorm1d on one batch" in out and "A convolutional network" in out
    gaps = _agreements(out)
    assert len(gaps) >= 6 and max(gaps) < 1e-8  # BatchNorm, network, four schedules
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", out).group(1).rstrip("."))
    assert accuracy >= 0.9  # quick mode trains half the epochs; the test suite checks >= 0.97
    assert "Warning" not in proc.stderr


def test_lesson_07_options_change_what_it_prints(tmp_path, capsys):
    argv = ["--out", str(tmp_path), "--quick", "--p", "0.2", "--steps", "4", "--epochs", "1"]
    lesson = run_lesson(7, argv)
    out = capsys.readouterr().out
    assert "p = 0.2: each unit is kept with probability 0.8" in out
    assert "scaled by 1/(1-p) = 1.25" in out
    assert "after 4 steps the first layer's weights" in out
    assert "Adam lr 0.01: 1 epochs in" in out and len(lesson["history"]) == 1
    # the printed BatchNorm statistics are the library's own
    bn = BatchNorm1d(2, momentum=0.1)
    bn.forward(_BATCH, training=True)
    np.testing.assert_array_equal(lesson["bn"].running_var, bn.running_var)
    assert lesson["steps"] == 4 and lesson["epochs"] == 1


def test_lesson_07_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "7", "--out", str(tmp_path), "--quick"]) == 0
    out = capsys.readouterr().out
    assert "Learning-rate schedules" in out and "p = 0.5:" in out
    for name in FIGURES:
        assert (tmp_path / name).exists()
