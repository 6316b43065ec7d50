"""Lesson 07 runs by path and through the CLI, writes its figures, and its numbers agree with torch."""

from __future__ import annotations

import re

from glassml.cli import main
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("cnn_feature_maps.png", "lr_schedules.png")


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


def test_lesson_07_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "7", "--out", str(tmp_path), "--quick"]) == 0
    assert "Learning-rate schedules" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()
