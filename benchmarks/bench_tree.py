"""Decision trees: glassml's level-wise NumPy CART against scikit-learn's Cython tree.

Both fit the same float64 data (scikit-learn converts it to float32 inside ``fit``) with the
same ``max_depth``: the classifier with the Gini criterion, the regressor with squared error
(the depth-3 regressor is what gradient boosting fits 100 times; target <= 2), and one row
with ``max_features="sqrt"`` (what a random forest grows, no target here: the forest
benchmark owns it). sklearn's ``random_state`` is fixed.
"""

from __future__ import annotations

from collections.abc import Iterator

from sklearn.datasets import make_classification, make_regression
from sklearn.tree import DecisionTreeClassifier as SkTree
from sklearn.tree import DecisionTreeRegressor as SkRegressor

from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from harness import Row, compare


def _data(n_samples: int, n_features: int, seed: int = 0):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features // 2,
        n_classes=3,
        random_state=seed,
    )


def _fit_case(n: int, d: int, depth: int | None, target: float | None, repeats: int) -> Row:
    X, y = _data(n, d)
    label = "None" if depth is None else str(depth)
    return compare(
        f"tree fit {n}x{d}, depth {label}, 3 classes",
        lambda: DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y),
        lambda: SkTree(max_depth=depth, random_state=0).fit(X, y),
        target=target,
        repeats=repeats,
    )


def _regressor_case(
    n: int, d: int, depth: int | None, target: float | None, repeats: int, **options
) -> Row:
    X, y = make_regression(n_samples=n, n_features=d, n_informative=d // 2, noise=1.0,
                           random_state=0)  # fmt: skip
    label = "None" if depth is None else str(depth)
    extra = "".join(f", {k}={v}" for k, v in options.items())
    return compare(
        f"regression tree fit {n}x{d}, depth {label}{extra}",
        lambda: DecisionTreeRegressor(max_depth=depth, random_state=0, **options).fit(X, y),
        lambda: SkRegressor(max_depth=depth, random_state=0, **options).fit(X, y),
        target=target,
        repeats=repeats,
    )


def _predict_case(n: int, d: int, depth: int, repeats: int) -> Row:
    X, y = _data(n, d)
    ours = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X, y)
    ref = SkTree(max_depth=depth, random_state=0).fit(X, y)
    return compare(
        f"tree predict {n}x{d}, depth {depth}",
        lambda: ours.predict(X),
        lambda: ref.predict(X),
        repeats=repeats,
    )


def cases(quick: bool) -> Iterator[Row]:
    if quick:
        yield _fit_case(300, 6, 4, target=None, repeats=1)
        yield _fit_case(2000, 6, 6, target=None, repeats=1)
        yield _regressor_case(300, 6, 3, target=None, repeats=1)
        yield _regressor_case(300, 6, None, target=None, repeats=1, max_features="sqrt")
        return
    yield _fit_case(2000, 10, 8, target=1.0, repeats=15)
    yield _fit_case(100_000, 20, 10, target=1.0, repeats=3)
    yield _fit_case(20_000, 10, None, target=None, repeats=3)
    yield _predict_case(100_000, 20, 10, repeats=5)
    yield _regressor_case(10_000, 20, 3, target=2.0, repeats=9)
    yield _regressor_case(10_000, 20, None, target=None, repeats=3)
    yield _regressor_case(10_000, 20, None, target=None, repeats=3, max_features="sqrt")
