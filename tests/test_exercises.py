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
    text = (tmp_path / "ensemble.py").read_text()
    assert 'raise NotImplementedError("exercise: write gradient_boosting_fit")' in text
    assert "Gradient boosting with regression trees, one stage at a time" in text
    assert "class BoostedTrees:" in text  # what the exercises build on stays
    assert "learning_rate * value[leaves]" not in text
    lasso = (tmp_path / "lasso.py").read_text()
    assert 'raise NotImplementedError("exercise: write soft_threshold")' in lasso
    assert "np.linalg.pinv(X_b.T @ X_b)" in lasso  # another topic's function: not blanked


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


# One-line breaks of the issue-15 textbooks, each caught by the check of its own exercise.
MUTATIONS = [
    ("lasso", "soft_threshold", "max(abs(z) - gamma, 0.0)", "max(abs(z) - gamma / 2, 0.0)"),
    ("lasso", "ridge_closed_form", "X_c + alpha * np.eye", "X_c + 2 * alpha * np.eye"),
    ("lasso", "duality_gap", "if dual_norm > l1_reg else 1.0", "if dual_norm < 0 else 1.0"),
    ("lasso", "duality_gap", "XtR_norm2 / (2 * l2_reg))", "XtR_norm2 / l2_reg)"),
    ("lasso", "duality_gap", "np.abs(XtR - l2_reg * w).max()", "np.abs(XtR).max()"),
    ("lasso", "lasso_coordinate_descent", "@ r + w_old * col_norm2[j]", "@ r"),
    ("lasso", "lasso_coordinate_descent", "(col_norm2[j] + l2_reg)", "(col_norm2[j] + 2 * l2_reg)"),
    ("naive_bayes", "fit", "((X_c - theta[i]) ** 2).mean(axis=0)", "X_c.var(axis=0, ddof=1)"),
    ("naive_bayes", "joint_log_likelihood", "math.log(2.0 * math.pi * sigma2)", "math.log(sigma2)"),
    ("naive_bayes", "predict", "top + np.log(np.exp(jll - top)", "np.log(np.exp(jll)"),
    ("naive_bayes", "predict", "[joint_log_likelihood(model, X).argmax", "[0 * model.class_count"),
    (
        "naive_bayes",
        "update_mean_variance",
        "+ (n_new * n_past / n_total) * (mu - new_mu) ** 2",
        "",
    ),
    ("naive_bayes", "update_mean_variance", "w = sample_weight[:, None]", "w = 1.0 + 0 * X_new"),
    ("pca", "pca", "C /= n_samples - 1", "C /= n_samples"),
    ("pca", "pca", "if v[np.argmax(np.abs(v))] < 0:", "if v[np.argmax(np.abs(v))] > 0:"),
    (
        "pca",
        "pca",
        "ratio = eigenvalues[order] / eigenvalues.sum()",
        "ratio = eigenvalues[order] / 5",
    ),
    ("pca", "transform", "return (X - result.mean) @", "return X @"),
    ("pca", "inverse_transform", "return result.mean + Z @", "return Z @"),
    (
        "ensemble",
        "bootstrap_sample",
        "rng.integers(0, n_samples, size=n_samples)",
        "rng.permutation(n_samples)",
    ),
    (
        "ensemble",
        "random_forest_fit",
        "for tree_seed, sample_seed in seeds:",
        "for sample_seed, tree_seed in seeds:",
    ),
    ("ensemble", "random_forest_fit", "if bootstrap else np.arange(len(y))", "if True else None"),
    (
        "ensemble",
        "random_forest_predict",
        "proba[:, tree.classes_]",
        "proba[:, : len(tree.classes_)]",
    ),
    (
        "ensemble",
        "random_forest_predict",
        "return np.mean([tree.predict(X)",
        "return np.median([tree.predict(X)",
    ),
    (
        "ensemble",
        "initial_raw_prediction",
        "return np.log(p) - np.log(p).mean()",
        "return np.log(p)",
    ),
    ("ensemble", "negative_gradient", "else softmax(raw, axis=1)", "else softmax(raw, axis=0)"),
    ("ensemble", "leaf_value", "numerator *= (n_outputs - 1) / n_outputs", "numerator *= 1.0"),
    ("ensemble", "loss_value", "np.logaddexp(0, raw)", "np.log(1 + np.exp(raw))"),
    (
        "ensemble",
        "subsample_mask",
        "mask[rng.choice(n_samples, size=n_in_bag, replace=False)]",
        "mask[:n_in_bag]",
    ),
    (
        "ensemble",
        "gradient_boosting",
        "raw[:, k] += learning_rate * value[leaves]",
        "raw[:, k] += value[leaves]",
    ),
    (
        "ensemble",
        "gradient_boosting",
        "tree.fit(X[in_bag], residual[in_bag, k])",
        "tree.fit(X, residual[:, k])",
    ),
    (
        "ensemble",
        "gradient_boosting",
        "raw[:, k] += model.learning_rate * value[",
        "raw[:, k] += value[",
    ),
]


def test_every_new_exercise_has_a_mutation():
    new_topics = {"lasso", "naive_bayes", "pca", "ensemble"}
    wanted = {(t, e.name) for t in new_topics for e in TOPICS[t].exercises}
    assert {(t, e) for t, e, _, _ in MUTATIONS} == wanted


@pytest.mark.parametrize(("topic", "exercise", "old", "new"), MUTATIONS)
def test_each_new_check_catches_its_mutation(topic, exercise, old, new, tmp_path):
    """Break one line of the real textbook: the check of that exercise must fail."""
    t = TOPICS[topic]
    source = Path(importlib.import_module(t.module).__file__).read_text()
    assert source.count(old) == 1, f"the mutation target moved or is ambiguous: {old!r}"
    (tmp_path / t.file_name).write_text(source.replace(old, new))
    (result,) = [r for r in check_dir(tmp_path, [topic]) if r.exercise == exercise]
    assert result.status == "fail", f"{topic}.{exercise} missed the mutation {new!r}"


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


def test_the_cli_help_names_every_topic(capsys):
    with pytest.raises(SystemExit):
        main(["exercises", "--help"])
    description = capsys.readouterr().out.split("Topics:")[1]
    assert all(name in description for name in TOPICS)
