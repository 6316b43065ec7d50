"""Lesson 02 runs by path and through the CLI, writes its figures, checks backpropagation with
central differences, and each of its options changes what it prints; its figures draw no
boundary for a constant output and have no overlapping labels."""

from __future__ import annotations

import re

import numpy as np
from matplotlib.contour import ContourSet

from glassml.cli import main
from glassml.lessons import run_lesson
from glassml.nn import NeuralNetwork
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("xor_loss.png", "xor_decision_boundaries.png", "digits_predictions.png")
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _overlap(a, b) -> bool:
    """Whether two display-space bounding boxes overlap (touching edges do not count)."""
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_lesson_02_runs_by_path(tmp_path):
    proc = run_lesson_by_path(2, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    out = proc.stdout
    assert "all four correct: True" in out and "test accuracy" in out
    assert "backward and central differences agree" in out
    assert "epoch/s" not in proc.stderr  # --quick shows no progress bar
    assert "Warning" not in proc.stderr


def test_backprop_is_checked_per_layer_against_central_differences(tmp_path, capsys):
    lesson = run_lesson(2, ["--out", str(tmp_path), "--quick", "--hidden", "5"])
    out = capsys.readouterr().out
    rows = re.findall(r"(\d): Dense\((\d+)->(\d+), (\w+)\)\s+([Wb])\s.*\s([0-9.e+-]+)\n", out)
    assert [(r[0], r[4]) for r in rows] == [("1", "W"), ("1", "b"), ("2", "W"), ("2", "b")]
    assert rows[0][1:4] == ("2", "5", "relu") and rows[2][1:4] == ("5", "1", "sigmoid")
    errors = [float(r[5]) for r in rows]
    assert max(errors) < 1e-6 and lesson["worst"] < 1e-6
    # the gradients it checked are the library's: a fresh network, the same data, the same dW
    net = NeuralNetwork([2, 5, 1], random_state=0)
    net.backward(net.forward(lesson["X_jitter"]), XOR_Y)
    for ours, theirs in zip(net.layers, lesson["check_net"].layers, strict=True):
        np.testing.assert_array_equal(ours.dW, theirs.dW)
    assert "MSE = 0.0700" in out  # mean of 0.01, 0.16, 0.04


def test_options_change_what_is_printed(tmp_path, capsys):
    base = ["--out", str(tmp_path), "--quick", "--epochs", "50"]
    run_lesson(2, base)
    default = capsys.readouterr().out
    for option in (["--lr", "0.5"], ["--epochs", "40"], ["--hidden", "3"], ["--seed", "2"]):
        lesson = run_lesson(2, [*base, *option])
        assert capsys.readouterr().out != default, option
    assert lesson["net"].layer_sizes == [2, 8, 1] and lesson["args"].seed == 2
    lesson = run_lesson(2, [*base, "--lr", "0.5", "--hidden", "3"])
    out = capsys.readouterr().out
    assert "50 epochs of full-batch gradient descent (lr = 0.5, seed 0)" in out
    assert "[2, 3, 1] network" in out and len(lesson["xor_history"]) == 50


def test_a_constant_output_gets_no_boundary_line():
    from glassml.plotting.nn import decision_boundaries_figure

    fig = decision_boundaries_figure(
        {"constant": lambda P: np.full(len(P), 0.5), "varying": lambda P: P[:, 0] / 2 + 0.25},
        XOR_X,
        XOR_Y,
    )
    constant, varying = fig.axes[:2]

    def half_lines(ax) -> list[ContourSet]:
        return [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == [0.5]]

    assert half_lines(constant) == [] and "constant output P = 0.500" in constant.get_title()
    assert len(half_lines(varying)) == 1 and "constant" not in varying.get_title()


def test_the_x2_label_does_not_collide_with_the_left_map():
    from glassml.plotting.nn import decision_boundaries_figure

    fig = decision_boundaries_figure({"a": lambda P: P[:, 0], "b": lambda P: P[:, 1]}, XOR_X, XOR_Y)
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    left, right = fig.axes[:2]
    assert not _overlap(right.yaxis.label.get_window_extent(renderer), left.get_tightbbox(renderer))


def test_digit_labels_do_not_collide_with_the_row_above():
    from glassml.plotting.nn import digits_predictions_figure

    rng = np.random.default_rng(0)
    y_true = np.arange(16) % 10
    y_pred = np.where(np.arange(16) < 8, (y_true + 1) % 10, y_true)  # first row wrong
    fig = digits_predictions_figure(rng.random((16, 64)), y_true, y_pred)
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    axes = np.array(fig.axes).reshape(2, 8)
    for above, below in zip(axes[0], axes[1], strict=True):
        title = below.title.get_window_extent(renderer)
        image = above.get_window_extent(renderer)
        assert not _overlap(title, image)
        assert not _overlap(
            above.title.get_window_extent(renderer), fig.texts[0].get_window_extent(renderer)
        )


def test_lesson_02_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "2", "--out", str(tmp_path), "--quick", "--epochs", "20"]) == 0
    assert "XOR" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()


def test_bad_options_are_refused(tmp_path, capsys):
    assert main(["lesson", "2", "--out", str(tmp_path), "--lr", "0"]) == 2
    assert "--lr must be > 0" in capsys.readouterr().err
