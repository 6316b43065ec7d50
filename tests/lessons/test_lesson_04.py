"""Lesson 04 runs by path, through the CLI, and unchanged under torchrun with 2 processes; its
printed numbers are the library's, and each option changes what it prints."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

from glassml.cli import main
from glassml.lessons import lesson_path, run_lesson
from glassml.pytorch import load

FIGURES = ("pytorch_training_curves.png", "pytorch_decision_boundary.png", "pytorch_attention.png")


def env():
    return dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")


def check_outputs(out, text):
    for name in FIGURES:
        assert (out / name).stat().st_size > 10_000, name
    model = load(out / "mlp_blobs.pt")
    assert model.config["hidden_dims"] == [32, 16]
    # The per-epoch table shows the StepLR halvings, and the numbers are the run's own.
    rows = re.findall(
        r"^\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", text, re.M
    )
    assert len(rows) == 45
    lrs = [float(r[5]) for r in rows]
    assert lrs == [0.01] * 20 + [0.005] * 20 + [0.0025] * 5
    assert "StepLR changed the rate after epochs 20, 40" in text
    assert "logits identical = True, largest difference 0 " in text
    assert "two eval-mode passes by 0." in text
    assert "eval mode (dropout off)" in text
    assert float(rows[-1][4]) >= 0.98  # validation accuracy


def test_lesson_04_by_path(tmp_path):
    cmd = [sys.executable, str(lesson_path(4)), "--out", str(tmp_path), "--quick"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env(), check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    check_outputs(tmp_path, proc.stdout)
    assert "%|" not in proc.stderr  # no tqdm progress bar in quick mode


def test_lesson_04_via_cli(tmp_path, capsys):
    threads = torch.get_num_threads()
    assert main(["lesson", "4", "--out", str(tmp_path), "--quick"]) == 0
    check_outputs(tmp_path, capsys.readouterr().out)
    assert torch.get_num_threads() == threads  # the lesson restored the thread setting


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lesson_04_under_torchrun_two_processes(tmp_path):
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
        "--master_addr=127.0.0.1", f"--master_port={free_port()}",
        str(lesson_path(4)), "--out", str(tmp_path), "--quick", "--device", "cpu",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env(), check=False, timeout=180)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "Running as 2 processes (DistributedDataParallel)" in text
    # Only rank 0 talks: every section heading appears once.
    assert text.count("1. Data: two Gaussian blobs") == 1
    assert text.count("[figure]") == len(FIGURES)
    check_outputs(tmp_path, text)


SHORT = ["--quick", "--epochs", "3"]


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """The lesson's globals after a 3-epoch run."""
    return run_lesson(4, ["--out", str(tmp_path_factory.mktemp("l4")), *SHORT])


def test_batchnorm_section_prints_the_batch_statistics_and_running_averages(short_run):
    g = short_run
    z = g["z"]
    torch.testing.assert_close(g["mu_B"], z.mean(0), rtol=0, atol=0)
    torch.testing.assert_close(g["var_B"], z.var(0, unbiased=False), rtol=0, atol=0)
    torch.testing.assert_close(g["bn_out"], g["by_hand"], rtol=0, atol=1e-5)  # float32
    # one train-mode batch moved the running averages from (0, 1) by momentum 0.1
    torch.testing.assert_close(g["bn"].running_mean, 0.1 * g["mu_B"], rtol=1e-6, atol=1e-7)
    expected_var = 0.9 + 0.1 * z.var(0, unbiased=True)
    torch.testing.assert_close(g["bn"].running_var, expected_var, rtol=1e-6, atol=1e-7)


def test_five_step_section_shows_accumulation_and_the_first_adam_step(short_run):
    g = short_run
    assert g["accumulated"] == pytest.approx(2.0, rel=1e-6)  # backward twice adds the gradient
    moved = float((g["W"].detach() - g["W_before"]).abs().max())
    assert moved == pytest.approx(g["args"].lr, rel=1e-3)  # Adam's first step: lr·sign(g)


def test_eval_mode_training_loss_is_recomputed_from_the_model(short_run):
    g = short_run
    model, loss_fn = g["model"], torch.nn.BCEWithLogitsLoss()
    with torch.no_grad():
        logits = model(torch.as_tensor(g["X_train"]))
    target = torch.as_tensor(g["y_train"], dtype=torch.float32)[:, None]
    assert g["eval_loss"] == pytest.approx(float(loss_fn(logits, target)), rel=1e-6)


def test_training_curves_say_the_training_metrics_are_taken_with_dropout_on():
    import matplotlib.pyplot as plt

    from glassml.plotting.pytorch_figs import training_curves

    history = {"loss": [0.5, 0.3], "accuracy": [0.8, 0.9], "lr": [0.01, 0.01]}
    history |= {"val_loss": [0.4, 0.2], "val_accuracy": [0.85, 0.95]}
    fig = training_curves(history, "t", eval_train=(0.25, 0.92))
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert any("dropout on" in t for t in legend)
    assert any("eval mode" in t for t in legend)
    plt.close(fig)


def test_attention_figure_marks_masked_cells_not_as_zero_weights():
    import matplotlib.pyplot as plt

    from glassml.plotting.pytorch_figs import attention_heatmap

    mask = np.tril(np.ones((4, 4), dtype=bool))
    weights = np.where(mask, 1.0, 0.0) / mask.sum(1, keepdims=True)
    fig = attention_heatmap(weights, list("abcd"), mask=mask)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("masked") == 6  # every cell above the diagonal
    assert "0.00" not in texts  # a masked cell never reads as a learned weight of 0
    plt.close(fig)


def test_options_change_the_run(short_run, tmp_path, capsys):
    assert len(short_run["history"]["loss"]) == 3  # --epochs 3
    g = run_lesson(
        4, ["--out", str(tmp_path), *SHORT, "--dropout", "0", "--hidden", "8", "--lr", "0.05"]
    )
    text = capsys.readouterr().out
    assert g["model"].config["hidden_dims"] == [8]
    assert g["model"].net[3].p == 0.0
    assert g["history"]["lr"][0] == 0.05
    assert "Linear(in_features=2, out_features=8" in text
    assert "dropout 0)" in text
    g = run_lesson(4, ["--out", str(tmp_path), *SHORT, "--batch-size", "8"])
    capsys.readouterr()
    assert len(g["z"]) == 8  # section 2's batch


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--hidden", "3,x"], "--hidden must be comma-separated integers"),
        (["--hidden", "0"], "--hidden needs at least one width"),
        (["--batch-size", "1"], "--batch-size must be at least 2"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit):
        run_lesson(4, argv)
    err = capsys.readouterr().err
    assert "usage:" in err and message in err
