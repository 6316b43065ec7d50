"""Graded exercises: the checks prove glassml's textbook versions, and grade a learner's files."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from glassml.cli import main
from glassml.exercises import TOPICS, blank_functions, check_dir, init_dir, run_checks

CASES = [(t.name, e.name) for t in TOPICS.values() for e in t.exercises]


@pytest.mark.parametrize(("topic", "exercise"), CASES)
def test_every_check_passes_on_glassmls_own_textbook(topic, exercise):
    t = TOPICS[topic]
    module = importlib.import_module(t.module)
    (ex,) = [e for e in t.exercises if e.name == exercise]
    ex.check(module)  # the same check `glassml exercises check` runs on a learner's file


def test_init_blanks_every_exercise_and_check_says_todo(tmp_path):
    written = init_dir(tmp_path)
    assert sorted(p.name for p in written) == sorted(t.file_name for t in TOPICS.values())
    results = check_dir(tmp_path)
    assert [(r.topic, r.exercise) for r in results] == CASES
    assert {r.status for r in results} == {"todo"}
    text = (tmp_path / "knn.py").read_text()
    assert 'raise NotImplementedError("exercise: write knn_predict")' in text
    assert "Majority label of the ``k`` nearest" in text  # the docstring is the assignment
    assert "np.argsort(d2" not in text  # the answer is gone


def test_a_solved_function_passes_and_a_wrong_one_fails(tmp_path):
    init_dir(tmp_path, ["kmeans"])
    path = tmp_path / "kmeans.py"
    text = path.read_text()
    right = "    return float(np.sum((x - c) ** 2))\n"
    wrong = "    return float(np.sum(np.abs(x - c)))\n"
    stub = '    raise NotImplementedError("exercise: write squared_distance")\n'
    path.write_text(text.replace(stub, right))
    status = {r.exercise: r.status for r in check_dir(tmp_path)}
    assert status["squared_distance"] == "pass" and status["lloyd"] == "todo"
    path.write_text(text.replace(stub, wrong))
    (result,) = [r for r in check_dir(tmp_path) if r.exercise == "squared_distance"]
    assert result.status == "fail" and "off by" in result.message


@pytest.mark.parametrize("name", ["knn", "tree", "conv"])
def test_each_check_catches_a_broken_textbook(name, tmp_path):
    """Mutate one line of the real textbook: at least one of the topic's checks fails."""
    topic = TOPICS[name]
    source = Path(importlib.import_module(topic.module).__file__).read_text()
    mutations = {
        "knn": ('kind="stable")[:k]', 'kind="stable")[1 : k + 1]'),
        "tree": ("return float(1.0 - np.sum(p**2))", "return float(1.0 - np.sum(p))"),
        "conv": ("Z[n, o, y, x] = total", "Z[n, o, y, x] = -total"),
    }
    old, new = mutations[name]
    assert old in source, f"the mutation target moved: {old!r}"
    (tmp_path / topic.file_name).write_text(source.replace(old, new, 1))
    statuses = [r.status for r in check_dir(tmp_path, [name])]
    assert "fail" in statuses


def test_blank_functions_keeps_everything_else():
    source = 'import math\n\n\ndef f(x):\n    """Doc."""\n    y = x + 1\n    return y\n\n\ndef g():\n    return 2\n'
    out = blank_functions(source, ["f"])
    assert 'def f(x):\n    """Doc."""\n    raise NotImplementedError("exercise: write f")\n' in out
    assert "def g():\n    return 2\n" in out and out.startswith("import math")


def test_init_never_overwrites_work_without_force(tmp_path):
    init_dir(tmp_path, ["linear"])
    (tmp_path / "linear.py").write_text("# my work\n")
    with pytest.raises(ValueError, match=r"already exist.*--force"):
        init_dir(tmp_path, ["linear", "knn"])
    assert (tmp_path / "linear.py").read_text() == "# my work\n"
    assert not (tmp_path / "knn.py").exists()  # nothing written when refusing
    init_dir(tmp_path, ["linear"], force=True)
    assert "NotImplementedError" in (tmp_path / "linear.py").read_text()


def test_bad_topic_and_empty_dir_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match=r"unknown topic.*nope.*topics are"):
        init_dir(tmp_path, ["nope"])
    with pytest.raises(ValueError, match=r"no exercise files.*exercises init"):
        check_dir(tmp_path)


def test_a_file_that_does_not_import_fails_its_topic(tmp_path):
    (tmp_path / "linear.py").write_text("def normal_equation(:\n")
    results = check_dir(tmp_path)
    assert {r.status for r in results} == {"fail"}
    assert "does not import" in results[0].message


def test_the_cli_inits_and_checks(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["exercises", "init", str(folder), "--topic", "conv"]) == 0
    assert "conv.py" in capsys.readouterr().out
    assert main(["exercises", "check", str(folder)]) == 1  # nothing written yet
    out = capsys.readouterr().out
    assert "0 of 3 pass, 0 fail, 3 still to write." in out
    assert main(["exercises", "init", str(folder), "--topic", "conv"]) == 2
    assert "--force" in capsys.readouterr().err


def test_checks_run_on_glassml_report_pass_through_run_checks():
    results = run_checks(importlib.import_module("glassml.cluster.textbook"), TOPICS["kmeans"])
    assert all(r.status == "pass" for r in results)
    assert np.all([r.message == "" for r in results])
