"""Lesson 03 runs by path and through the CLI, prints what the library computes, and each option
changes what it prints."""

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
from glassml.optim import Adam, minimize, rosenbrock, rosenbrock_gradient
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("optimizer_comparison.png", "optimizer_lr_sweep.png", "optimizer_network_losses.png")
SHORT = ["--quick", "--steps", "150", "--epochs", "1"]  # a fast run for the option tests


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """The lesson's globals and printed text for one short run."""
    out = tmp_path_factory.mktemp("l3")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        lesson = run_lesson(3, ["--out", str(out), *SHORT])
    return lesson, buffer.getvalue(), out


def test_lesson_03_runs_by_path(tmp_path):
    proc = run_lesson_by_path(3, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    assert "The Rosenbrock race" in proc.stdout and "Adam's bias correction" in proc.stdout
    assert "The seed's finding holds here" in proc.stdout


def test_lesson_03_through_the_cli_prints_the_library_race(quick_run, tmp_path, capsys):
    assert main(["lesson", "3", "--out", str(tmp_path), *SHORT]) == 0
    out = capsys.readouterr().out
    assert_figures_written(tmp_path, FIGURES)
    lesson = quick_run[0]  # the same options, run in-process: its functions and constants
    for name, lr in lesson["RACE_LR"].items():
        end = minimize(rosenbrock_gradient, lesson["START"], lesson["make"](name, lr), 150)[-1]
        row = f"({end[0]:9.5f}, {end[1]:9.5f})  {np.linalg.norm(end - 1):17.3g}"
        assert f"{name:<9}  {lr:6g}  {row}" in out


def test_bias_correction_table_is_the_formula_and_the_library_step(quick_run):
    lesson, text, _ = quick_run
    g, b1 = 2.0, 0.9
    for t, m, m_hat, _v, v_hat, library_step, by_hand in lesson["bias_rows"]:
        assert m == pytest.approx((1 - b1**t) * g, rel=1e-12)  # m is biased toward 0 ...
        assert m_hat == pytest.approx(g, rel=1e-12)  # ... m_hat is not
        assert v_hat == pytest.approx(g**2, rel=1e-12)
        assert abs(library_step - by_hand) < 1e-15
    # the library's own first step, from a fresh Adam
    theta = np.zeros(1)
    Adam(0.1).step([theta], [np.array([g])])
    assert lesson["bias_rows"][0][5] == -theta[0]
    assert f"{1:>3}  {0.2:8.4f}  {2.0:8.4f}" in text


def test_adagrad_first_step_is_lr_times_sign_and_is_explained(quick_run):
    lesson, text, _ = quick_run
    path = lesson["paths"]["AdaGrad"]
    lr = lesson["RACE_LR"]["AdaGrad"]
    np.testing.assert_allclose(path[1] - path[0], lr * np.ones(2), rtol=0, atol=1e-8)
    f1 = float(rosenbrock(path[1]))
    assert f1 > 10 * float(rosenbrock(path[0]))
    assert f"f went from {rosenbrock(path[0]):.4g} to {f1:.4g}" in text


def test_race_figure_gives_each_optimizer_its_own_panel_and_annotates_the_spike(quick_run):
    from glassml.plotting.optim import plot_rosenbrock_race

    lesson, _, _ = quick_run
    fig = plot_rosenbrock_race(lesson["paths"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(lesson["paths"]) + 1  # one panel each, plus the loss panel
    texts = [t.get_text() for ax in visible for t in ax.texts]
    assert any("AdaGrad's first step: f = 229" in t for t in texts)
    plt.close(fig)


def test_sweep_row_is_the_library_distance(quick_run):
    lesson, _, _ = quick_run
    lr = lesson["sweep_lrs"]["Adam"][1]
    end = minimize(rosenbrock_gradient, lesson["START"], Adam(lr), 150)[-1]
    assert lesson["sweep"]["Adam"][1] == np.linalg.norm(end - 1)


def test_options_change_what_is_printed(quick_run, tmp_path, capsys):
    lesson, _, _ = quick_run
    assert len(lesson["paths"]["SGD"]) == 151  # --steps 150
    assert all(len(h) == 1 for h in lesson["histories"].values())  # --epochs 1
    g = run_lesson(3, ["--out", str(tmp_path), *SHORT, "--lr", "0.01", "--beta1", "0.99"])
    text = capsys.readouterr().out
    assert f"{'SGD':<9}  {0.01:6g}  diverged" in text  # one rate for all: SGD blows up
    assert "SGD diverged at this rate; Adam and RMSProp" in text
    assert g["bias_rows"][0][1] == pytest.approx(0.01 * 2.0, rel=1e-12)  # m = (1 - β1)·g
    assert g["bias_rows"][0][2] == pytest.approx(2.0, rel=1e-12)  # m_hat = g


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--steps", "3"], "--steps must be at least 10"), (["--epochs", "0"], "--epochs must be")],
)
def test_bad_options_are_refused_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit):
        run_lesson(3, argv)
    err = capsys.readouterr().err
    assert "usage:" in err and message in err
