"""Lesson 08 runs by path and through the CLI; its printed agreements are the library's own."""

from __future__ import annotations

import re

import numpy as np

from glassml.cli import main
from glassml.lessons import run_lesson
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("regularisation_paths.png", "tree_vs_forest.png", "boosting_loss.png", "pca_digits.png")


def _gaps(out: str) -> list[float]:
    """Every 'gap to scikit-learn X' / 'agree(s) ... to X' number the run printed."""
    found = re.findall(
        r"(?:gap to scikit-learn|agree[s]? (?:with scikit-learn's )?(?:\(same signs\) )?to) ([0-9.e+-]+)",
        out,
    )
    return [float(x.rstrip(".")) for x in found]


def test_lesson_08_runs_by_path(tmp_path):
    proc = run_lesson_by_path(8, tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    out = proc.stdout
    gaps = _gaps(out)
    assert len(gaps) == 5, gaps  # ridge, lasso, boosting, naive Bayes, PCA
    assert max(gaps) < 1e-6
    assert "lasso zero pattern identical to scikit-learn's at every alpha: True" in out
    assert "Warning" not in proc.stderr


def test_lesson_08_numbers_are_the_librarys(tmp_path, capsys):
    g = run_lesson(8, ["--out", str(tmp_path), "--quick", "--n-estimators", "7"])
    out = capsys.readouterr().out
    assert g["n_trees"] == 7 and "7 stages, learning rate 0.1, depth 3" in out
    assert len(g["gb"].estimators_) == 7
    var = {k: float(np.mean(p.var(axis=0))) for k, p in g["preds"].items()}
    assert var["random forest"] < var["one deep tree"]  # the forest's point, computed
    drop = 1 - var["random forest"] / var["one deep tree"]
    assert f"7 trees averaged remove {drop:.0%} of one tree's variance" in out
    ratio = g["pca"].explained_variance_ratio_
    assert f"the first two keep {ratio[:2].sum():.1%} of the variance" in out


def test_lesson_08_runs_through_the_cli_with_its_options(tmp_path, capsys):
    args = ["lesson", "8", "--out", str(tmp_path), "--quick", "--learning-rate", "0.5"]
    assert main([*args, "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "learning rate 0.5, depth 3" in out
    for name in FIGURES:
        assert (tmp_path / name).exists()
