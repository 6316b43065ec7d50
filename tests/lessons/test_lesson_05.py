"""Lesson 05 runs by path and through the CLI, and writes its figures."""

from __future__ import annotations

from glassml.cli import main
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("decision_boundaries.png", "kmeans.png")


def test_lesson_05_runs_by_path(tmp_path):
    proc = run_lesson_by_path(5, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    out = proc.stdout
    for model in ("LinearRegression normal", "LogisticRegression", "KNNClassifier k=5"):
        assert model in out
    assert "DecisionTree depth 6" in out and "KMeans k=5" in out
    # section 1: each textbook function agrees with its estimator (numbers computed by the run)
    assert "Textbook first" in out
    assert out.count("same predictions: 100%") == 2  # KNN and the decision tree
    assert "same labels: 100%" in out  # K-Means
    assert "Warning" not in proc.stderr


def test_lesson_05_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "5", "--out", str(tmp_path), "--quick"]) == 0
    assert "Scratch vs scikit-learn" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()
