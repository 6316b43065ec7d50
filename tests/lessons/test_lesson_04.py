"""Lesson 04 runs by path, through the CLI, and unchanged under torchrun with 2 processes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import torch

from glassml.cli import main
from glassml.lessons import lesson_path
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
    assert "Two eval-mode passes differ by 0:" in text
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
