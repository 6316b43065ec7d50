"""Lesson 01 runs by path and through the CLI, writes its figures, prints the library's numbers,
never prints a claim its numbers contradict, and each option changes what it prints."""

from __future__ import annotations

import re

import numpy as np

from glassml.cli import main
from glassml.lessons import run_lesson
from glassml.nn import Neuron, activation_std_by_depth, sigmoid, softmax
from tests.lessons import assert_figures_written, run_lesson_by_path

FIGURES = ("activations.png", "init_depth.png")
STEADY = "He keeps the last layer within a factor 2 of the first"


def _he_ratio(text: str) -> float:
    """The ReLU + He last/first ratio the lesson printed, recomputed from its table row."""
    row = re.search(r"relu \+ he\s+([0-9.]+)\s+[0-9.]+\s+([0-9.e+-]+)", text)
    return float(row.group(2)) / float(row.group(1))


def test_lesson_01_runs_by_path(tmp_path):
    proc = run_lesson_by_path(1, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_figures_written(tmp_path, FIGURES)
    assert "He vs Xavier" in proc.stdout and "dw = dz · x" in proc.stdout
    assert "Warning" not in proc.stderr


def test_lesson_01_prints_the_library_numbers(tmp_path, capsys):
    lesson = run_lesson(1, ["--out", str(tmp_path), "--quick"])
    text = capsys.readouterr().out
    neuron = Neuron(3, activation="relu", random_state=0)
    a = neuron.forward(np.array([1.0, -2.0, 0.5]))
    assert f"a = relu(z) = {a:.4f}" in text
    stds = activation_std_by_depth(
        "relu", "he", n_layers=10, width=128, n_samples=200, random_state=0
    )
    np.testing.assert_array_equal(lesson["stds"]["relu + he"], stds)
    assert f"(ratio {stds[-1] / stds[0]:.2f})" in text
    assert float(re.search(r"relative difference ([0-9.e+-]+)", text).group(1).rstrip(".")) < 1e-7


def test_the_he_sentence_follows_the_numbers(tmp_path, capsys):
    """Quick mode once printed "He's factor 2 holds it steady (ratio 0.59)": the claim is
    printed only when the ratio supports it, in both directions."""
    run_lesson(1, ["--out", str(tmp_path), "--quick"])
    text = capsys.readouterr().out
    assert 0.5 <= _he_ratio(text) <= 2.0 and STEADY in text
    run_lesson(1, ["--out", str(tmp_path), "--quick", "--width", "8", "--seed", "0"])
    text = capsys.readouterr().out
    ratio = _he_ratio(text)
    assert not 0.5 <= ratio <= 2.0  # a narrow stack drifts even with He
    assert STEADY not in text and "holds it steady" not in text
    assert f"Even with He the last layer's std is {ratio:.2f} times" in text


def test_options_change_what_is_printed(tmp_path, capsys):
    run_lesson(1, ["--out", str(tmp_path), "--quick"])
    default = capsys.readouterr().out
    for option in (["--activation", "tanh"], ["--depth", "4"], ["--width", "32"], ["--seed", "3"]):
        run_lesson(1, ["--out", str(tmp_path), "--quick", *option])
        assert capsys.readouterr().out != default, option
    run_lesson(1, ["--out", str(tmp_path), "--quick", "--activation", "tanh", "--depth", "4"])
    text = capsys.readouterr().out
    assert "One neuron (tanh)" in text and "a = tanh(z) =" in text
    assert "4 layers of width 128" in text


def test_softmax_panel_is_softmax_of_three_logits_not_the_sigmoid():
    from glassml.plotting.nn import activations_figure

    fig = activations_figure()
    sigmoid_ax, softmax_ax = fig.axes[0], fig.axes[3]
    z = sigmoid_ax.lines[0].get_xdata()
    np.testing.assert_allclose(sigmoid_ax.lines[0].get_ydata(), sigmoid(z), rtol=1e-15)
    p1 = softmax_ax.lines[0].get_ydata()
    assert np.max(np.abs(p1 - sigmoid(z))) > 0.1  # not a copy of the sigmoid panel
    logits = np.column_stack([z, np.ones_like(z), np.zeros_like(z)])
    np.testing.assert_allclose(p1, softmax(logits)[:, 0], rtol=1e-15)
    assert "fixed" in softmax_ax.get_title()


def test_lesson_01_runs_through_the_cli(tmp_path, capsys):
    assert main(["lesson", "1", "--out", str(tmp_path), "--quick"]) == 0
    assert "softmax" in capsys.readouterr().out
    for name in FIGURES:
        assert (tmp_path / name).exists()


def test_a_depth_below_2_is_refused(tmp_path, capsys):
    assert main(["lesson", "1", "--out", str(tmp_path), "--depth", "1"]) == 2
    assert "--depth must be >= 2" in capsys.readouterr().err
