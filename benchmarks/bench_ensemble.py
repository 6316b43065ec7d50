"""Ensembles: glassml's random forest and gradient boosting against scikit-learn's.

Both sides fit the same float64 data (scikit-learn converts it to float32 inside ``fit``).
The forests use ``n_jobs=2`` on both sides; boosting is compared with scikit-learn's
``GradientBoostingRegressor`` (not the histogram variant). The rows "100 tree fits" time the
trees alone (100 depth-3 regression trees on the same data, glassml's tree against
scikit-learn's): they show how much of the boosting time is the tree's.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sklearn import ensemble as sk
from sklearn.datasets import make_classification, make_regression
from sklearn.tree import DecisionTreeClassifier as SkClassifierTree
from sklearn.tree import DecisionTreeRegressor as SkTree

from glassml.ensemble import (
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from harness import Row, compare


def _forest_case(n: int, d: int, n_trees: int, target: float | None, repeats: int) -> Row:
    X, y = make_classification(n, d, n_informative=d // 2, random_state=0)
    return compare(
        f"random forest fit {n}x{d}, {n_trees} trees, n_jobs=2",
        lambda: RandomForestClassifier(n_trees, n_jobs=2, random_state=0).fit(X, y),
        lambda: sk.RandomForestClassifier(n_trees, n_jobs=2, random_state=0).fit(X, y),
        target=target,
        repeats=repeats,
    )


def _forest_regression_case(n: int, d: int, n_trees: int, repeats: int) -> Row:
    X, y = make_regression(n, d, noise=1.0, random_state=0)
    return compare(
        f"random forest regressor fit {n}x{d}, {n_trees} trees, n_jobs=2",
        lambda: RandomForestRegressor(n_trees, n_jobs=2, random_state=0).fit(X, y),
        lambda: sk.RandomForestRegressor(n_trees, n_jobs=2, random_state=0).fit(X, y),
        repeats=repeats,
    )


def _boosting_case(n: int, d: int, stages: int, target: float | None, repeats: int) -> Row:
    X, y = make_regression(n, d, noise=1.0, random_state=0)
    return compare(
        f"gradient boosting fit {n}x{d}, {stages} stages, depth 3",
        lambda: GradientBoostingRegressor(n_estimators=stages, random_state=0).fit(X, y),
        lambda: sk.GradientBoostingRegressor(n_estimators=stages, random_state=0).fit(X, y),
        target=target,
        repeats=repeats,
    )


def _tree_share_case(n: int, d: int, stages: int, repeats: int) -> Row:
    X, y = make_regression(n, d, noise=1.0, random_state=0)
    residual = y - np.mean(y)
    X32 = X.astype(np.float32)

    def ours() -> None:
        for _ in range(stages):
            DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, residual)

    def reference() -> None:
        for _ in range(stages):
            SkTree(max_depth=3, random_state=0).fit(X32, residual)

    return compare(
        f"  of which: {stages} tree fits {n}x{d}, depth 3",
        ours,
        reference,
        repeats=repeats,
        note="the tree alone",
    )


def _forest_tree_share_case(n: int, d: int, n_trees: int, repeats: int) -> Row:
    X, y = make_classification(n, d, n_informative=d // 2, random_state=0)
    rng = np.random.default_rng(0)
    # as both forests grow them: every row weighted by the times the bootstrap drew it
    counts = [np.bincount(rng.integers(0, n, size=n), minlength=n) for _ in range(n_trees)]
    weights = [c.astype(np.float64) for c in counts]
    X32 = X.astype(np.float32)

    def ours() -> None:
        for w in weights:
            DecisionTreeClassifier(max_features="sqrt", random_state=0).fit(X, y, sample_weight=w)

    def reference() -> None:
        for w in weights:
            SkClassifierTree(max_features="sqrt", random_state=0).fit(X32, y, sample_weight=w)

    return compare(
        f"  of which: {n_trees} tree fits {n}x{d}, sqrt features, bootstrap counts as weights",
        ours,
        reference,
        repeats=repeats,
        note="the tree alone, 1 thread",
    )


def cases(quick: bool) -> Iterator[Row]:
    if quick:
        yield _forest_case(300, 6, 5, target=None, repeats=1)
        yield _forest_tree_share_case(300, 6, 3, repeats=1)
        yield _boosting_case(300, 6, 5, target=None, repeats=1)
        yield _tree_share_case(300, 6, 5, repeats=1)
        return
    yield _forest_case(10_000, 20, 100, target=2.0, repeats=3)
    yield _forest_tree_share_case(10_000, 20, 20, repeats=3)
    yield _forest_regression_case(10_000, 20, 20, repeats=1)
    yield _boosting_case(10_000, 20, 100, target=2.0, repeats=3)
    yield _tree_share_case(10_000, 20, 100, repeats=3)
