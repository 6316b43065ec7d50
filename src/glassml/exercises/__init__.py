"""Graded exercises: write the textbook functions yourself, then let the tests grade them.

``glassml exercises init DIR`` copies the textbook module of each topic into ``DIR`` with the
bodies of its functions removed (signatures and docstrings stay: they are the assignment).
``glassml exercises check DIR`` runs, on your files, the checks that prove glassml's own
textbook versions (``tests/test_exercises.py`` runs the same checks on glassml), and says which
pass. Offline, no notebook server: the minitorch way of learning.

Topics (:data:`TOPICS`), each one textbook module: ``knn``
(``glassml.neighbors.textbook``), ``kmeans`` (``glassml.cluster.textbook``), ``linear`` and
``lasso`` (``glassml.linear_model.textbook``: least squares and descent; ridge, soft
threshold, duality gap, coordinate descent), ``tree`` (``glassml.tree.textbook``), ``conv``
(``glassml.nn.textbook_conv``), ``naive_bayes`` (``glassml.naive_bayes.textbook``), ``pca``
(``glassml.decomposition.textbook``) and ``ensemble`` (``glassml.ensemble.textbook``: bagging,
random forests, gradient boosting).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from glassml.exercises import _checks
from glassml.exercises import _checks_ensemble as _ensemble
from glassml.exercises import _checks_models as _models

__all__ = [
    "TOPICS",
    "CheckResult",
    "Exercise",
    "Topic",
    "blank_functions",
    "check_dir",
    "init_dir",
    "run_checks",
]


@dataclass(frozen=True)
class Exercise:
    """One exercise: the functions to write and the check that grades them."""

    name: str
    check: _checks.Check
    writes: tuple[str, ...] = ()

    @property
    def functions(self) -> tuple[str, ...]:
        return self.writes or (self.name,)


@dataclass(frozen=True)
class Topic:
    """One topic: the textbook module to copy and its exercises, in the order to do them."""

    name: str
    module: str
    exercises: tuple[Exercise, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.py"


def _topic(name: str, module: str, *exercises: Exercise) -> Topic:
    return Topic(name, module, exercises)


E = Exercise
TOPICS: dict[str, Topic] = {
    t.name: t
    for t in (
        _topic(
            "knn",
            "glassml.neighbors.textbook",
            E("k_nearest", _checks.check_k_nearest),
            E("kneighbors", _checks.check_kneighbors),
            E("knn_predict", _checks.check_knn_predict),
        ),
        _topic(
            "kmeans",
            "glassml.cluster.textbook",
            E("squared_distance", _checks.check_squared_distance),
            E("assign_to_nearest", _checks.check_assign_to_nearest),
            E("move_to_means", _checks.check_move_to_means),
            E("lloyd", _checks.check_lloyd),
            E("kmeans_plusplus", _checks.check_kmeans_plusplus),
        ),
        _topic(
            "linear",
            "glassml.linear_model.textbook",
            E("normal_equation", _checks.check_normal_equation),
            E("gradient_descent_linear", _checks.check_gradient_descent_linear),
            E("gradient_descent_logistic", _checks.check_gradient_descent_logistic),
        ),
        _topic(
            "tree",
            "glassml.tree.textbook",
            E("impurity", _checks.check_impurity),
            E("information_gain", _checks.check_information_gain),
            E("candidate_thresholds", _checks.check_candidate_thresholds),
            E("best_split", _checks.check_best_split),
            E("build_tree", _checks.check_build_tree_and_predict, ("build_tree", "predict")),
        ),
        _topic(
            "conv",
            "glassml.nn.textbook_conv",
            E("conv2d_forward", _checks.check_conv2d_forward),
            E("conv2d_backward", _checks.check_conv2d_backward),
            E("maxpool2d", _checks.check_maxpool2d, ("maxpool2d_forward", "maxpool2d_backward")),
        ),
        _topic(
            "lasso",
            "glassml.linear_model.textbook",
            E("soft_threshold", _models.check_soft_threshold),
            E("ridge_closed_form", _models.check_ridge_closed_form),
            E("duality_gap", _models.check_duality_gap),
            E("lasso_coordinate_descent", _models.check_lasso_coordinate_descent),
        ),
        _topic(
            "naive_bayes",
            "glassml.naive_bayes.textbook",
            E("fit", _models.check_nb_fit),
            E("joint_log_likelihood", _models.check_nb_joint_log_likelihood),
            E("predict", _models.check_nb_predict, ("predict_proba", "predict")),
            E("update_mean_variance", _models.check_nb_update_mean_variance),
        ),
        _topic(
            "pca",
            "glassml.decomposition.textbook",
            E("pca", _models.check_pca),
            E("transform", _models.check_pca_transform),
            E("inverse_transform", _models.check_pca_inverse_transform),
        ),
        _topic(
            "ensemble",
            "glassml.ensemble.textbook",
            E("bootstrap_sample", _ensemble.check_bootstrap_sample),
            E("random_forest_fit", _ensemble.check_random_forest_fit),
            E(
                "random_forest_predict",
                _ensemble.check_random_forest_predict,
                ("random_forest_predict_proba", "random_forest_predict"),
            ),
            E("initial_raw_prediction", _ensemble.check_initial_raw_prediction),
            E("negative_gradient", _ensemble.check_negative_gradient),
            E("leaf_value", _ensemble.check_leaf_value),
            E("loss_value", _ensemble.check_loss_value),
            E("subsample_mask", _ensemble.check_subsample_mask),
            E(
                "gradient_boosting",
                _ensemble.check_gradient_boosting,
                ("gradient_boosting_fit", "gradient_boosting_raw_predict"),
            ),
        ),
    )
}


def blank_functions(source: str, names: list[str]) -> str:
    """``source`` with the body of each top-level function in ``names`` replaced.

    What stays: the ``def`` line(s), the docstring, and a ``raise NotImplementedError`` naming
    the function. Everything else in the module (imports, helpers, classes) is unchanged.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    cuts = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            body = node.body
            has_doc = isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant
            )
            first = body[1] if has_doc and len(body) > 1 else (None if has_doc else body[0])
            if first is None:
                continue
            indent = " " * first.col_offset
            stub = f'{indent}raise NotImplementedError("exercise: write {node.name}")\n'
            assert node.end_lineno is not None
            cuts.append((first.lineno - 1, node.end_lineno, stub))
    for start, end, stub in sorted(cuts, reverse=True):
        lines[start:end] = [stub]
    return "".join(lines)


def _topics(names: list[str] | None) -> list[Topic]:
    if not names:
        return list(TOPICS.values())
    unknown = [n for n in names if n not in TOPICS]
    if unknown:
        raise ValueError(f"unknown topic(s) {', '.join(unknown)}; topics are: {', '.join(TOPICS)}.")
    return [TOPICS[n] for n in names]


def init_dir(directory: Path, topics: list[str] | None = None, force: bool = False) -> list[Path]:
    """Write one exercise file per topic into ``directory``; return their paths.

    An existing file is never overwritten (it may hold your work) unless ``force`` is true:
    ``ValueError`` names the files in the way, and nothing is written.
    """
    chosen = _topics(topics)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"DIR must be a folder, got the file {directory}.")
    in_the_way = [directory / t.file_name for t in chosen if (directory / t.file_name).exists()]
    if in_the_way and not force:
        listed = ", ".join(str(p) for p in in_the_way)
        raise ValueError(f"{listed} already exist(s); use --force to overwrite your work.")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for topic in chosen:
        source = inspect.getsource(importlib.import_module(topic.module))
        path = directory / topic.file_name
        names = [f for e in topic.exercises for f in e.functions]
        path.write_text(blank_functions(source, names), encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise: ``status`` is ``"pass"``, ``"fail"`` or ``"todo"``."""

    topic: str
    exercise: str
    status: str
    message: str = ""


def _load(path: Path, topic: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"glassml_exercise_{topic}", path)
    if spec is None or spec.loader is None:  # pragma: no cover - path is a .py file
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def run_checks(module: ModuleType, topic: Topic) -> list[CheckResult]:
    """Run every check of ``topic`` on ``module`` (a learner's file or glassml's own)."""
    results = []
    for exercise in topic.exercises:
        try:
            exercise.check(module)
        except NotImplementedError:
            results.append(CheckResult(topic.name, exercise.name, "todo", "not written yet"))
        except Exception as exc:  # a learner's bug of any kind is a failed check, not a crash
            message = (
                f"{type(exc).__name__}: {exc}" if not isinstance(exc, AssertionError) else str(exc)
            )
            results.append(CheckResult(topic.name, exercise.name, "fail", message))
        else:
            results.append(CheckResult(topic.name, exercise.name, "pass"))
    return results


def check_dir(directory: Path, topics: list[str] | None = None) -> list[CheckResult]:
    """Grade the exercise files found in ``directory`` (those of ``topics``, default all)."""
    directory = Path(directory)
    chosen = [t for t in _topics(topics) if (directory / t.file_name).exists()]
    if not chosen:
        raise ValueError(
            f"no exercise files in {directory}; run `glassml exercises init {directory}` first."
        )
    results = []
    for topic in chosen:
        try:
            module = _load(directory / topic.file_name, topic.name)
        except Exception as exc:  # a syntax error in the learner's file fails its whole topic
            message = f"{topic.file_name} does not import: {type(exc).__name__}: {exc}"
            results += [CheckResult(topic.name, e.name, "fail", message) for e in topic.exercises]
            continue
        results += run_checks(module, topic)
    return results
