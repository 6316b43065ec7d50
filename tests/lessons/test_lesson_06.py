"""Lesson 06 runs by path and through the CLI (with its own options), and prints live numbers."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from glassml.cli import main
from glassml.lessons import lesson_path
from glassml.nn.walkthrough import trace

FIGURES = ("backprop_graph.png", "backprop_graph_other_side.png")


def run_by_path(out, *extra):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    cmd = [sys.executable, str(lesson_path(6)), "--out", str(out), "--quick", *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=120)


def test_lesson_06_by_path(tmp_path):
    proc = run_by_path(tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 10_000
    text = proc.stdout
    for section in ("Forward pass", "Backward pass", "Gradient-descent step", "PyTorch check"):
        assert section in text
    t = trace()
    # the seed's numbers, printed from the computation
    for value in (t.z1, t.a2, t.loss, t.dL_da2, t.dL_dz2, t.dL_dw2, t.dL_da1, t.dL_dw1, t.w2_new):
        assert f"{value:.4f}" in text
    for seed_value in ("1.1000", "0.4675", "0.7603", "-2.1388", "-0.5325", "-0.5857", "-0.2414"):
        assert seed_value in text  # the seed's table
    # PyTorch table: one ✓ per row and no ✗
    assert text.count("✓") == 14 and "✗" not in text
    assert "All 14 rows agree" in text
    assert f"Loss before the step: {t.loss:.4f}   after: {t.loss_new:.4f}" in text


def test_lesson_06_via_cli_traces_other_values(tmp_path, capsys):
    args = ["lesson", "6", "--out", str(tmp_path), "--quick", "--x", "2", "--w1", "-0.5"]
    args += ["--y", "0", "--lr", "0.5"]
    assert main(args) == 0
    text = capsys.readouterr().out
    t = trace(x=2.0, y=0.0, w1=-0.5, lr=0.5)
    assert "x = 2, y = 0, w1 = -0.5, b1 = 0.1, w2 = -0.3, b2 = 0.2, lr = 0.5" in text
    assert f"=  {t.z1:.4f}" in text and "(not positive: ReLU outputs 0)" in text
    assert f"{t.loss:.4f}" in text and f"{t.b2_new:.4f}" in text
    assert f"z1 = {t.z1:.4f} ≤ 0" in text and "(closed: the gradient stops here)" in text
    assert text.count("✓") == 14
    for name in FIGURES:
        assert (tmp_path / name).exists()

    # these values close the ReLU, so section 6 opens it, with the same x, y and lr
    opened = trace(x=2.0, y=0.0, w1=0.5, lr=0.5)
    assert "When the ReLU is open (z1 > 0)" in text and "When the ReLU is closed" not in text
    assert f"z1 = {opened.z1:.4f} > 0" in text
    assert f"dL/dw1 = {opened.dL_dw1:.4f}" in text and "(lr 0.5)" in text
    assert f"loss {opened.loss:.4f} → {opened.loss_new:.4f}" in text


def _sections(text: str) -> dict[str, str]:
    """The printed text of each numbered section, by its number."""
    parts = re.split(r"^(\d)\. .*\n=+\n", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _numbers(section: str) -> list[str]:
    return re.findall(r"-?\d+\.\d+(?:e[+-]\d+)?", section)


@pytest.mark.parametrize("x", ["-1", "3"])
def test_every_section_uses_the_new_x(tmp_path, capsys, x):
    """glassml lesson 6 --x -1 once printed the seed's x = 2 numbers in its last section."""
    assert main(["lesson", "6", "--out", str(tmp_path / "default"), "--quick"]) == 0
    default = _sections(capsys.readouterr().out)
    assert main(["lesson", "6", "--out", str(tmp_path / "x"), "--quick", "--x", x]) == 0
    changed = _sections(capsys.readouterr().out)
    assert sorted(default) == sorted(changed) == ["1", "2", "3", "4", "5", "6"]
    for number in default:
        assert _numbers(changed[number]), number
        assert _numbers(changed[number]) != _numbers(default[number]), number
    assert f"Same x = {float(x):g}, y = 1" in changed["6"]
    for name in FIGURES:
        before = (tmp_path / "default" / name).read_bytes()
        assert (tmp_path / "x" / name).read_bytes() != before, name


def test_section_6_says_when_the_relu_cannot_be_opened(tmp_path, capsys):
    assert main(["lesson", "6", "--out", str(tmp_path), "--quick", "--x", "0", "--b1", "0"]) == 0
    text = capsys.readouterr().out
    assert "6. The ReLU cannot be opened here" in text
    assert "z1 = w1·x + b1 = 0 for every w1" in text


def test_lesson_06_explains_a_saturated_output_instead_of_failing(tmp_path, capsys):
    assert main(["lesson", "6", "--out", str(tmp_path), "--quick", "--w2", "-30"]) == 0
    text = capsys.readouterr().out
    t = trace(w2=-30.0)
    assert t.saturated
    assert f"NOTE: a2 = {t.a2:.3g} is within 1e-09 of 0 or 1" in text
    assert "≠" in text and "✗" not in text
    assert "two conventions for a saturated output, not a mistake in the chain rule" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lr", "0"], "lr must be in the range (0, inf), got 0.0"),
        (["--x", "nan"], "x must be finite, got nan"),
        (["--y", "2"], "y must be in the range [0, 1], got 2.0"),
    ],
)
def test_lesson_06_rejects_bad_values_clearly(tmp_path, capsys, extra, message):
    # The CLI turns the lesson's argparse exit into its own exit status (2), message on stderr.
    assert main(["lesson", "6", "--out", str(tmp_path), "--quick", *extra]) == 2
    assert message in capsys.readouterr().err
