"""Lesson 05 runs by path and through the CLI, prints what the library computes, uses its
options everywhere they apply, and draws the figures the issue asked for."""

from __future__ import annotations

import contextlib
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from glassml.cli import main
from glassml.lessons import run_lesson
from glassml.tree import export_text
from glassml.tree import textbook as tree_textbook
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = (
    "linear_regression_fit.png",
    "decision_boundaries.png",
    "kmeans.png",
    "kmeans_starts.png",
)


def _run(out, *argv):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        lesson = run_lesson(5, ["--out", str(out), "--quick", *argv])
    return lesson, buffer.getvalue()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("l5"))


def test_lesson_05_runs_by_path(tmp_path):
    proc = run_lesson_by_path(5, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    out = proc.stdout
    for model in ("LinearRegression normal", "LogisticRegression", "KNNClassifier k=5"):
        assert model in out
    assert "DecisionTree depth 6" in out and "KMeans k=5" in out
    assert out.count("same predictions: 100%") == 2  # KNN and the decision tree
    assert "same labels: 100%" in out  # K-Means
    assert "Warning" not in proc.stderr


def test_lesson_05_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "5", "--out", str(tmp_path), "--quick"]) == 0
    assert "Scratch vs scikit-learn" in capsys.readouterr().out
    assert_figures_written(tmp_path, FIGURES)


def test_mse_gradient_is_the_formula_and_central_differences_agree(quick_run):
    g, text = quick_run
    X, y, w, b = g["X3"], g["y3"], g["w"], g["b"]
    residual = X @ w + b - y
    np.testing.assert_allclose(g["grad_w"], 2 / len(X) * X.T @ residual, rtol=0, atol=1e-15)
    assert g["grad_gap"] < 1e-8
    assert f"central differences (h = 1e-6) agree to {g['grad_gap']:.1e}" in text


def test_gini_and_gain_by_hand_are_the_library_values(quick_run):
    g, text = quick_run
    X, y = g["X_small"], g["y_small"]
    assert "Gini(all 8) = 1 - (0.5² + 0.5²) = 0.5000" in text
    assert "Gini(right) = 1 - (0.2² + 0.8²) = 0.3200" in text
    assert g["hand_gains"][0, 3.5] == pytest.approx(0.3, abs=1e-15)  # 0.5 - 5/8 · 0.32
    assert g["hand_gains"][0, 4.5] == pytest.approx(0.125, abs=1e-15)  # 0.5 - 0.375
    for (feature, threshold), gain in g["hand_gains"].items():
        library = tree_textbook.information_gain(y, X[:, feature] <= threshold)
        assert gain == pytest.approx(library, abs=1e-15)
    assert tree_textbook.best_split(X, y)[:2] == (0, 3.5)
    printed = export_text(g["small_tree"], feature_names=["x1", "x2"], show_weights=True)
    assert "|--- x1 <= 3.50" in printed
    for line in printed.splitlines():
        assert "    " + line in text


def test_decision_boundary_figure_uses_the_tables_k_and_depth_and_one_row(quick_run):
    g, text = quick_run
    titles = [title for title, _, _ in g["boundary_models"]]
    assert titles[1:] == ["KNN, k = 5", "decision tree, max_depth = 6"]
    ours_knn, ref_knn = g["boundary_models"][1][1:]
    ours_tree, ref_tree = g["boundary_models"][2][1:]
    assert ours_knn.n_neighbors == ref_knn.n_neighbors == g["args"].k == 5
    assert ours_tree.max_depth == ref_tree.max_depth == g["args"].depth == 6
    assert "KNNClassifier k=5" in text and "DecisionTree depth 6" in text  # the table's settings
    fig = g["plots"].plot_decision_boundaries(g["X2"], g["y2"], g["boundary_models"], 30)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 3  # one panel per model: no second row repeating the first
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel()
    plt.close(fig)


def test_kmeans_starts_compare_random_rows_with_kmeans_plus_plus(quick_run):
    g, text = quick_run
    inertias = g["inertias"]
    assert set(inertias) == {"random", "k-means++"}
    for kind, fits in g["fits"].items():
        np.testing.assert_array_equal([f.inertia_ for f in fits], inertias[kind])
    best = min(v.min() for v in inertias.values())
    median = np.median(inertias["k-means++"]) / best
    assert f"init='k-means++'  median {median:5.2f}x" in text


def test_options_change_what_is_printed(tmp_path):
    g, text = _run(tmp_path, "--k", "3", "--depth", "2", "--clusters", "4", "--lr", "0.05")
    assert "KNNClassifier k=3" in text and "DecisionTree depth 2" in text
    assert "KNN, k = 3" in text and "decision tree, depth 2" in text  # section 1 too
    assert "k = 3 and max_depth = 2, as in the table" in text
    assert g["boundary_models"][1][1].n_neighbors == 3
    assert g["boundary_models"][2][1].max_depth == 2
    assert "KMeans k=4" in text and len(g["km"].cluster_centers_) == 4
    assert "gradient descent (lr 0.05)" in text and g["gd_1d"].learning_rate == 0.05
    g7, other = _run(tmp_path, "--lr", "1.2", "--seed", "7")
    assert "gradient descent with lr = 1.2 diverged" in other
    assert not np.array_equal(g7["X2"], g["X2"])  # --seed: other data
