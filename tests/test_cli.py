"""The command line and the benchmark harness (smoke level; lessons are tested per topic)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import glassml.cli
import glassml.tour
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


# -- a bad --out and Ctrl-C: one line on stderr, no traceback -----------------------------------
def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _unusable_outs(tmp_path):
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("not a folder")
    cases = {
        "an existing file": (a_file, "is an existing file, not a folder"),
        "a path under a file": (a_file / "sub", "cannot write into --out"),
    }
    if Path("/proc").is_dir():  # Linux: nothing can be created in /proc, not even by root
        cases["/proc/x"] = (Path("/proc/glassml_no_such_dir"), "cannot write into --out")
    return cases


@pytest.mark.parametrize("command", [["lesson", "1"], ["tour"]])
def test_an_unusable_out_is_one_line_and_status_2(tmp_path, capsys, monkeypatch, command):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the command ran despite an unusable --out")

    monkeypatch.setattr(glassml.cli, "run_lesson", must_not_run)
    monkeypatch.setattr(glassml.tour, "run_tour", must_not_run)
    for label, (out, message) in _unusable_outs(tmp_path).items():
        assert main([*command, "--out", str(out), "--quick"]) == 2, label
        line = _one_line(capsys.readouterr().err)
        assert line.startswith("glassml: ") and message in line and str(out) in line, label


def test_an_unusable_out_from_the_shell_has_no_traceback(tmp_path):
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("not a folder")
    proc = subprocess.run(
        [sys.executable, "-m", "glassml", "lesson", "1", "--quick", "--out", str(a_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "is an existing file, not a folder" in _one_line(proc.stderr)
    assert a_file.read_text() == "not a folder"


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _main_interrupted(argv: list[str]) -> int:
    """``main(argv)``; a KeyboardInterrupt escaping it fails the test (it would stop pytest)."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped glassml.cli.main (a traceback for the user)")


def test_ctrl_c_during_a_lesson_is_one_line_and_status_130(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(glassml.cli, "run_lesson", _interrupt)
    assert _main_interrupted(["lesson", "1", "--out", str(tmp_path)]) == 130
    assert "interrupted (Ctrl-C)" in _one_line(capsys.readouterr().err)


def test_ctrl_c_during_the_tour_is_one_line_and_status_130(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(glassml.tour, "run_tour", _interrupt)
    assert _main_interrupted(["tour", "--out", str(tmp_path), "--quick"]) == 130
    assert "glassml tour: interrupted (Ctrl-C)" in _one_line(capsys.readouterr().err)


def test_ctrl_c_during_bench_is_one_line_and_status_130(capsys, monkeypatch):
    monkeypatch.setattr(glassml.cli.subprocess, "call", _interrupt)
    assert _main_interrupted(["bench", "--quick"]) == 130
    assert "interrupted (Ctrl-C)" in _one_line(capsys.readouterr().err)


def test_lesson_with_out_writes_its_figures_there(tmp_path, capsys):
    out = tmp_path / "new" / "folder"  # created as needed
    assert main(["lesson", "1", "--quick", "--out", str(out)]) == 0
    figures = list(out.iterdir())
    assert figures and all(p.suffix == ".png" for p in figures)
    assert "[figure]" in capsys.readouterr().out


def test_python_dash_m_runs_a_lesson_into_out(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "glassml", "lesson", "1", "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == 0, proc.stderr
    assert any(p.suffix == ".png" for p in tmp_path.iterdir())


def test_help_names_the_range_of_lessons_that_exist(capsys):
    numbers = list(lesson_paths())
    with pytest.raises(SystemExit):
        main(["--help"])
    assert f"run lesson N ({numbers[0]}-{numbers[-1]})" in capsys.readouterr().out


@pytest.mark.parametrize("number", [1, 3, 7])
def test_lesson_help_names_the_command_that_runs_it(capsys, number):
    # issue 13: the usage line read "usage: glassml", which is not a command that runs a lesson
    assert main(["lesson", str(number), "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"usage: glassml lesson {number} ")


def test_lesson_help_from_the_shell_names_the_command():
    proc = subprocess.run(
        [sys.executable, "-m", "glassml", "lesson", "3", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: glassml lesson 3 ")


def test_full_bench_run_writes_the_books_table(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    import run as bench_run
    from harness import Row

    monkeypatch.setattr(bench_run, "run", lambda quick, only: [Row("case", 2.0, 1.0, target=3)])
    monkeypatch.setattr(bench_run, "LAST_TABLE", tmp_path / "benchmarks_last.txt")
    assert bench_run.main([]) == 0
    text = (tmp_path / "benchmarks_last.txt").read_text(encoding="utf-8")
    assert text.startswith("measured ") and "CPU cores" in text
    assert "case" in text and "2.00" in text and "<= 3" in text
    (tmp_path / "benchmarks_last.txt").unlink()
    for partial in (["--quick"], ["--only", "knn"]):  # partial runs leave the table alone
        assert bench_run.main(partial) == 0
        assert not (tmp_path / "benchmarks_last.txt").exists(), partial
    assert bench_run.main(["--quick", "--save", str(tmp_path / "x.txt")]) == 0
    assert (tmp_path / "x.txt").is_file()
