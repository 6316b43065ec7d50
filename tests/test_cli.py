"""The command line and the benchmark harness (smoke level; lessons are tested per topic)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from glassml.cli import main
from glassml.lessons import lesson_path, lesson_paths
from tests.conftest import REPO_ROOT


def test_unknown_lesson_is_a_clear_error(capsys):
    assert main(["lesson", "99"]) == 2
    assert "There is no lesson 99" in capsys.readouterr().err


def test_lesson_path_names_what_exists():
    with pytest.raises(ValueError, match="no lesson 42; lessons available"):
        lesson_path(42)


def test_lessons_are_numbered_in_order():
    numbers = list(lesson_paths())
    assert numbers == sorted(numbers)


def test_python_dash_m_shows_help():
    proc = subprocess.run(
        [sys.executable, "-m", "glassml", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "lesson" in proc.stdout and "tour" in proc.stdout and "bench" in proc.stdout


def test_benchmark_table_formats_ratios():
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    from harness import Row, compare, format_table

    row = compare("noop", lambda: None, lambda: sum(range(1000)), target=1.5, repeats=3)
    table = format_table([row, Row("slow", 2.0, 1.0, target=1.5)])
    assert "noop" in table and "ratio" in table
    assert Row("slow", 2.0, 1.0, target=1.5).verdict == "MISS"
    assert Row("fast", 1.0, 2.0, target=1.5).ratio == pytest.approx(0.5)


def test_bench_quick_runs_every_case():
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ratio" in proc.stdout


def test_lesson_help_shows_the_lessons_own_options(capsys):
    assert main(["lesson", "6", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--w1" in out
    assert "--quick" in out


def test_lesson_without_number_shows_help(capsys):
    assert main(["lesson", "--help"]) == 0
    assert "lesson number" in capsys.readouterr().out
    assert main(["lesson"]) == 2


def test_lesson_bad_option_is_an_error_not_a_crash(capsys):
    assert main(["lesson", "6", "--no-such-option"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err
