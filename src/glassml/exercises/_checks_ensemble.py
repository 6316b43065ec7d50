"""Checks for the ensemble textbook (glassml.ensemble.textbook): bagging and boosting.

Same rules as :mod:`glassml.exercises._checks`. The references: hand-computed cases, NumPy's
draws as the fast estimators repeat them, glassml's forests and boosted trees (proven equal to
the textbook loops and, for boosting, to scikit-learn by the test suite) and scikit-learn's
gradient boosting itself.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from glassml.exercises._checks import _close


def _data(n: int, seed: int, n_classes: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """float32-representable ``X`` (scikit-learn's trees see the same values), and a target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32).astype(np.float64)
    signal = X[:, 0] + 0.8 * X[:, 1] * X[:, 2] - 0.5 * X[:, 3] ** 2
    if not n_classes:
        return X, signal + 0.3 * rng.normal(size=n)
    noisy = signal + 0.5 * rng.normal(size=n)
    return X, np.searchsorted(np.quantile(noisy, np.linspace(0, 1, n_classes + 1)[1:-1]), noisy)


def _same_tree(a: Any, b: Any, what: str) -> None:
    ta, tb = a.tree_, b.tree_
    assert ta.node_count == tb.node_count, f"{what}: {ta.node_count} nodes, want {tb.node_count}"
    for name in ("feature", "threshold", "children_left"):
        assert np.array_equal(getattr(ta, name), getattr(tb, name)), f"{what}: {name} differs"
    # NOTE: the forest grows on the distinct bootstrap rows weighted by their counts (as
    # scikit-learn does): its weighted node sizes are the repeated-row tree's node sizes.
    assert np.array_equal(ta.n_node_samples, tb.weighted_n_node_samples), f"{what}: sizes differ"
    assert np.allclose(ta.value, tb.value, rtol=0, atol=1e-12), f"{what}: value differs"


# --- bagging and random forests ------------------------------------------------------------


def check_bootstrap_sample(m: ModuleType) -> None:
    rows = np.asarray(m.bootstrap_sample(1000, 7))
    assert rows.shape == (1000,), f"bootstrap_sample(1000, 7) has shape {rows.shape}"
    assert 0.58 < len(np.unique(rows)) / 1000 < 0.68, "with replacement: about 63% distinct rows"
    want = np.random.default_rng(7).integers(0, 1000, size=1000)
    assert np.array_equal(rows, want), (
        "the draw the forests repeat is make_rng(random_state).integers(0, n_samples, n_samples)"
    )
    again = m.bootstrap_sample(10, np.random.default_rng(3))
    assert np.array_equal(again, np.random.default_rng(3).integers(0, 10, 10)), "a Generator"


def check_random_forest_fit(m: ModuleType) -> None:
    from glassml.ensemble import RandomForestClassifier
    from glassml.tree import DecisionTreeClassifier

    X, y = _data(120, 40, n_classes=3)
    forest = RandomForestClassifier(n_estimators=4, max_depth=4, random_state=3).fit(X, y)

    def make_tree(seed: int) -> Any:
        return DecisionTreeClassifier(max_depth=4, max_features="sqrt", random_state=seed)

    trees = m.random_forest_fit(X, y, make_tree, n_estimators=4, random_state=3)
    assert len(trees) == 4, f"random_forest_fit returned {len(trees)} trees, want 4"
    for t, (a, b) in enumerate(zip(trees, forest.estimators_, strict=True)):
        _same_tree(a, b, f"tree {t} vs RandomForestClassifier's")
    plain = m.random_forest_fit(X, y, make_tree, n_estimators=2, bootstrap=False, random_state=0)
    forest = RandomForestClassifier(2, max_depth=4, bootstrap=False, random_state=0).fit(X, y)
    for t, (a, b) in enumerate(zip(plain, forest.estimators_, strict=True)):
        _same_tree(a, b, f"bootstrap=False (every tree sees all rows): tree {t} vs the forest's")


def check_random_forest_predict(m: ModuleType) -> None:
    from glassml.ensemble import RandomForestClassifier, RandomForestRegressor
    from glassml.tree import DecisionTreeClassifier

    X, y = _data(100, 41, n_classes=3)
    forest = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    got = m.random_forest_predict_proba(forest.estimators_, X, 3)
    _close(got, forest.predict_proba(X), "random_forest_predict_proba vs the forest's", 1e-15)
    # a tree that never saw class 1 fills columns 0 and 2 only
    short = [DecisionTreeClassifier(max_depth=1).fit(X[y != c], y[y != c]) for c in (1, 2)]
    want = (
        np.insert(short[0].predict_proba(X), 1, 0.0, axis=1)
        + np.c_[short[1].predict_proba(X), np.zeros(len(X))]
    ) / 2
    got = m.random_forest_predict_proba(short, X, 3)
    _close(got, want, "trees that missed a class: use each tree's classes_ as the columns")
    Xr, yr = _data(100, 42)
    reg = RandomForestRegressor(n_estimators=4, max_depth=4, random_state=1).fit(Xr, yr)
    _close(m.random_forest_predict(reg.estimators_, Xr), reg.predict(Xr), "vs the forest", 1e-13)


# --- gradient boosting ---------------------------------------------------------------------


def check_initial_raw_prediction(m: ModuleType) -> None:
    f = m.initial_raw_prediction
    _close(f("squared_error", np.array([[1.0], [3.0], [8.0]])), [4.0], "squared error: the mean")
    y01 = np.array([[1.0], [0.0], [0.0], [0.0]])
    _close(f("log_loss", y01), [np.log(1 / 3)], "two classes, prior 1/4: log-odds log(1/3)")
    logs = np.log([0.5, 0.25, 0.25])
    _close(f("log_loss", np.eye(3)[[0, 0, 1, 2]]), logs - logs.mean(), "three classes: centred")
    assert np.all(np.isfinite(f("log_loss", np.ones((3, 1))))), "a prior of 1 is clipped to eps"


def check_negative_gradient(m: ModuleType) -> None:
    g = m.negative_gradient
    Y, raw = np.array([[1.0], [3.0]]), np.array([[0.5], [-1.0]])
    _close(g("squared_error", Y, raw), [[0.5], [4.0]], "squared error: the residual y - F")
    y01 = np.array([[1.0], [0.0]])
    _close(g("log_loss", y01, raw), y01 - 1 / (1 + np.exp(-raw)), "two classes: y - sigmoid(F)")
    raw3 = np.array([[0.0, np.log(2.0), np.log(5.0)]])
    _close(g("log_loss", np.eye(3)[[2]], raw3), [[-0.125, -0.25, 0.375]], "y - softmax(F)")


def check_leaf_value(m: ModuleType) -> None:
    v = m.leaf_value
    _close(v("squared_error", np.array([1.0, 2.0, 6.0]), np.zeros(3), 1), 3.0, "the mean residual")
    # y = (1, 1), p = (0.5, 0.8): Σ(y - p) / Σ p(1 - p) = 0.7 / 0.41
    _close(v("log_loss", np.array([0.5, 0.2]), np.ones(2), 1), 0.7 / 0.41, "one Newton step")
    _close(v("log_loss", np.array([0.5, 0.2]), np.ones(2), 3), 2 / 3 * 0.7 / 0.41, "(K-1)/K")
    _close(v("log_loss", np.array([0.0]), np.ones(1), 1), 0.0, "zero Hessian: the value is 0")


def check_loss_value(m: ModuleType) -> None:
    L = m.loss_value
    _close(L("squared_error", np.array([[1.0], [3.0]]), np.zeros((2, 1))), 5.0, "mean (y-F)²")
    y01 = np.array([[1.0], [0.0]])
    _close(L("log_loss", y01, np.zeros((2, 1))), 2 * np.log(2), "binomial deviance at F = 0")
    _close(L("log_loss", np.eye(3)[[0, 2]], np.zeros((2, 3))), np.log(3), "multinomial, F = 0")
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        wrong = np.array([[-1000.0], [1000.0]])
        _close(L("log_loss", y01, wrong), 2000.0, "F = ∓1000: finite (logaddexp)", 1e-9)


def check_subsample_mask(m: ModuleType) -> None:
    masks = [np.asarray(m.subsample_mask(20, 6, np.random.default_rng(s))) for s in range(4)]
    for mask in masks:
        assert mask.dtype == bool and mask.shape == (20,), "a boolean mask of shape (n_samples,)"
        assert mask.sum() == 6, f"{mask.sum()} rows in the bag, want 6"
    assert len({mask.tobytes() for mask in masks}) > 1, "the rows must be drawn at random"


def check_gradient_boosting(m: ModuleType) -> None:
    from sklearn import ensemble as sk

    from glassml.ensemble import GradientBoostingClassifier, GradientBoostingRegressor

    X, y = _data(200, 43)
    params: dict[str, Any] = {"n_estimators": 10, "learning_rate": 0.2, "max_depth": 3}
    model = m.gradient_boosting_fit(X, y[:, None], "squared_error", random_state=0, **params)
    ref = sk.GradientBoostingRegressor(random_state=0, **params).fit(X, y)
    raw = m.gradient_boosting_raw_predict(model, X)
    _close(raw[:, 0], ref.predict(X), "boosted regression vs scikit-learn", 1e-8)
    _close(model.train_score, ref.train_score_, "train_score vs scikit-learn", 1e-8)
    sub: dict[str, Any] = {"n_estimators": 6, "subsample": 0.6, "max_depth": 2, "random_state": 5}
    model = m.gradient_boosting_fit(X, y[:, None], "squared_error", **sub)
    est = GradientBoostingRegressor(**sub).fit(X, y)
    got = m.gradient_boosting_raw_predict(model, X)[:, 0]
    draws = "the same draws: subsample_mask takes rng.choice(n_samples, n_in_bag, replace=False)"
    _close(got, est.predict(X), f"subsample=0.6 vs GradientBoostingRegressor ({draws})", 1e-12)
    Xc, yc = _data(300, 44, n_classes=3)
    cls: dict[str, Any] = {"n_estimators": 5, "max_depth": 2, "random_state": 0}
    model = m.gradient_boosting_fit(Xc, np.eye(3)[yc], "log_loss", **cls)
    ref = sk.GradientBoostingClassifier(**cls).fit(Xc, yc)
    raw = m.gradient_boosting_raw_predict(model, Xc)
    _close(raw, ref.decision_function(Xc), "three classes vs scikit-learn", 1e-8)
    est = GradientBoostingClassifier(subsample=0.7, **cls).fit(Xc, yc == 2)
    model = m.gradient_boosting_fit(Xc, (yc == 2)[:, None] * 1.0, "log_loss", subsample=0.7, **cls)
    got = m.gradient_boosting_raw_predict(model, Xc)[:, 0]
    _close(got, est.decision_function(Xc), "two classes, subsample=0.7 vs glassml", 1e-12)
