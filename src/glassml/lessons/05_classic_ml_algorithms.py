"""Lesson 05 — classical machine learning: five algorithms from scratch, next to scikit-learn.

Linear regression (normal equation and gradient descent), logistic regression, k-nearest
neighbours, a decision tree and K-Means. Each algorithm exists twice in glassml: a *textbook*
version written the way the seed explains it (``glassml.<topic>.textbook``), and the estimator a
user runs, vectorised for speed. We first run both on a small problem, check that they agree and
time them, then run the estimators next to scikit-learn on the same data: the metric, how often
the two predict the same thing, and how long each takes.

Run: ``python src/glassml/lessons/05_classic_ml_algorithms.py --out outputs`` or
``glassml lesson 5``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from sklearn import cluster as sk_cluster
from sklearn import linear_model as sk_linear
from sklearn import neighbors as sk_neighbors
from sklearn import tree as sk_tree
from sklearn.datasets import make_blobs, make_classification, make_moons, make_regression
from sklearn.metrics import adjusted_rand_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from glassml.cluster import KMeans, kmeans_plusplus
from glassml.cluster import textbook as kmeans_textbook
from glassml.lessons._common import heading, lesson_parser, prepare_out, save_figure
from glassml.linear_model import LinearRegression, LogisticRegression
from glassml.linear_model import textbook as linear_textbook
from glassml.neighbors import KNNClassifier
from glassml.neighbors import textbook as knn_textbook
from glassml.tree import DecisionTreeClassifier
from glassml.tree import textbook as tree_textbook

#: One row of the side-by-side table: model, metric, glassml value, sklearn value, agreement,
#: glassml time, sklearn time.
Row = tuple[str, str, float, float, str, float, float]


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    """Result of ``fn`` and its best wall time over ``repeats`` calls (seconds)."""
    best = np.inf
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return result, best


def _fit_predict(model: Any, X: np.ndarray, y: np.ndarray, X_test: np.ndarray) -> np.ndarray:
    return model.fit(X, y).predict(X_test)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def _report_pair(name: str, agreement: str, t_textbook: float, t_fast: float) -> None:
    ratio = t_textbook / t_fast
    speed = f"{ratio:,.0f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
    print(
        f"  {name:<24}{agreement:<36}textbook {_ms(t_textbook)}, estimator {_ms(t_fast)} ({speed})"
    )


def textbook_versus_fast(quick: bool, repeats: int) -> None:
    """Run every textbook function and its estimator on the same small problem."""
    heading("1. Textbook first: the seed's algorithm, then the estimator")
    n = 200 if quick else 600
    repeats = max(repeats, 3)  # the estimators' first call pays one-off start-up costs
    X, y = make_classification(n, 4, n_informative=3, n_redundant=0, random_state=1)
    X_tr, X_te, y_tr, _ = train_test_split(X, y, test_size=0.5, random_state=1)
    print(
        f"{len(X_tr)} training and {len(X_te)} query points, 4 features. The textbook versions "
        "loop as the seed describes; the estimators compute the same numbers with array "
        "operations."
    )
    y_book, t_book = _timed(lambda: knn_textbook.knn_predict(X_tr, y_tr, X_te, 5), repeats)
    y_fast, t_fast = _timed(partial(_fit_predict, KNNClassifier(5), X_tr, y_tr, X_te), repeats)
    _report_pair("KNN, k = 5", f"same predictions: {np.mean(y_book == y_fast):.0%}", t_book, t_fast)

    tree_fast, t_fast = _timed(
        lambda: DecisionTreeClassifier(max_depth=4, random_state=0).fit(X_tr, y_tr), repeats
    )
    # equal gains go to the first feature tried: give the textbook the estimator's order
    order = tree_fast.feature_order_
    tree_book, t_book = _timed(
        lambda: tree_textbook.build_tree(X_tr, y_tr, max_depth=4, feature_order=order), 1
    )
    same = np.mean(tree_textbook.predict(tree_book, X_te) == tree_fast.predict(X_te))
    _report_pair("decision tree, depth 4", f"same predictions: {same:.0%}", t_book, t_fast)

    centers0 = kmeans_textbook.kmeans_plusplus(X, 3, random_state=0)[0]
    (c_book, labels_book, _, _), t_book = _timed(
        lambda: kmeans_textbook.lloyd(X, centers0), repeats
    )
    km, t_fast = _timed(lambda: KMeans(3, init=centers0).fit(X), repeats)
    gap = np.abs(c_book - km.cluster_centers_).max()
    agree = f"same labels: {np.mean(labels_book == km.labels_):.0%}, centres ±{gap:.0e}"
    _report_pair("K-Means, k = 3", agree, t_book, t_fast)

    (w_book, b_book), t_book = _timed(lambda: linear_textbook.normal_equation(X, y), repeats)
    reg, t_fast = _timed(lambda: LinearRegression().fit(X, y), repeats)
    gap = max(np.abs(w_book - reg.coef_).max(), abs(b_book - reg.intercept_))
    _report_pair("normal equation", f"max |Δw|, |Δb|: {gap:.0e}", t_book, t_fast)
    print(
        "Same answers: the speed comes from doing the arithmetic in whole-array operations, "
        "not from a different algorithm. (On a problem this small the estimators' input checks "
        "can cost more than the arithmetic; the gap grows with the data.)"
    )


def linear_regression(quick: bool, repeats: int) -> list[Row]:
    heading("2. Linear regression: normal equation and gradient descent")
    n = 500 if quick else 5000
    X, y = make_regression(n, 10, noise=10.0, bias=5.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    normal, t_normal = _timed(lambda: LinearRegression().fit(X, y), repeats)
    gd, t_gd = _timed(
        lambda: LinearRegression(solver="gd", learning_rate=0.1, max_iter=5000, tol=1e-9).fit(X, y),
        repeats,
    )
    ref, t_ref = _timed(lambda: sk_linear.LinearRegression().fit(X, y), repeats)
    print(f"{n} samples, 10 standardised features.")
    print(
        f"  max |coef - sklearn coef|  normal equation: {np.abs(normal.coef_ - ref.coef_).max():.1e}"
    )
    print(
        f"  gradient descent (lr 0.1) stopped after {gd.n_iter_} steps, when no gradient entry "
        f"exceeded 1e-9; max |coef - sklearn| = {np.abs(gd.coef_ - ref.coef_).max():.1e}"
    )
    print(
        f"  its MSE went {gd.loss_history_[0]:.1f} -> {gd.loss_history_[10]:.1f} (10 steps) -> "
        f"{gd.loss_history_[-1]:.2f} (end)"
    )
    rows = []
    for name, model, t in (
        ("LinearRegression normal", normal, t_normal),
        ("LinearRegression gd", gd, t_gd),
    ):
        p_ours, p_ref = model.predict(X), ref.predict(X)
        agree = f"max |Δŷ| {np.abs(p_ours - p_ref).max():.1e}"
        rows.append((name, "R² (train)", r2_score(y, p_ours), r2_score(y, p_ref), agree, t, t_ref))
    return rows


def classifiers(quick: bool, repeats: int) -> list[Row]:
    heading("3. Classifiers on one problem: logistic regression, KNN, decision tree")
    n = 600 if quick else 4000
    X, y = make_classification(
        n, 10, n_informative=5, n_redundant=2, flip_y=0.1, class_sep=0.8, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    print(f"{len(X_tr)} training and {len(X_te)} test samples, 10 features, 10% labels flipped.")
    pairs: list[tuple[str, Any, Any]] = [
        (
            "LogisticRegression",
            LogisticRegression(learning_rate=1.0, max_iter=2000, tol=1e-8),
            sk_linear.LogisticRegression(C=np.inf),  # C=inf: no penalty, as ours
        ),
        (
            "KNNClassifier k=5",
            KNNClassifier(n_neighbors=5),
            sk_neighbors.KNeighborsClassifier(n_neighbors=5, algorithm="brute"),
        ),
        (
            "DecisionTree depth 6",
            DecisionTreeClassifier(max_depth=6, random_state=0),
            sk_tree.DecisionTreeClassifier(max_depth=6, random_state=0),
        ),
    ]
    rows = []
    for name, ours, ref in pairs:
        # KNN has no training phase: its cost is in predict, so time fit + predict for all.
        pred_ours, t_ours = _timed(partial(_fit_predict, ours, X_tr, y_tr, X_te), repeats)
        pred_ref, t_ref = _timed(partial(_fit_predict, ref, X_tr, y_tr, X_te), repeats)
        acc_ours, acc_ref = float(np.mean(pred_ours == y_te)), float(np.mean(pred_ref == y_te))
        agree = f"same pred. {np.mean(pred_ours == pred_ref):.1%}"
        rows.append((name, "accuracy (test)", acc_ours, acc_ref, agree, t_ours, t_ref))
    logistic_story(pairs[0][1], pairs[0][2])
    knn_and_tree_story(X_tr, y_tr, X_te, y_te)
    return rows


def logistic_story(logistic: LogisticRegression, logistic_ref: Any) -> None:
    print(
        f"Logistic regression: gradient descent took {logistic.n_iter_} steps to bring every "
        f"gradient entry below 1e-8 (loss {logistic.loss_history_[0]:.4f} -> "
        f"{logistic.loss_history_[-1]:.4f});\n  scikit-learn's L-BFGS, which also uses "
        f"curvature, stopped after {int(logistic_ref.n_iter_[0])} iterations at its looser "
        f"default tol=1e-4 (max |coef difference| "
        f"{np.abs(logistic.coef_ - logistic_ref.coef_).max():.1e})."
    )


def knn_and_tree_story(
    X_tr: np.ndarray, y_tr: np.ndarray, X_te: np.ndarray, y_te: np.ndarray
) -> None:
    print("k sets the bias-variance trade-off of KNN (test accuracy):")
    for k in (1, 5, 25, 101):
        acc = np.mean(KNNClassifier(n_neighbors=k).fit(X_tr, y_tr).predict(X_te) == y_te)
        print(f"  k = {k:>3}: {acc:.3f}")
    print("An unlimited tree fits its training data perfectly, and generalises worse:")
    for depth in (3, 6, None):
        tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_tr, y_tr)
        print(
            f"  max_depth = {depth!s:>4}: depth {tree.get_depth():>2}, {tree.get_n_leaves():>4} "
            f"leaves, train accuracy {np.mean(tree.predict(X_tr) == y_tr):.3f}, "
            f"test {np.mean(tree.predict(X_te) == y_te):.3f}"
        )


def kmeans(quick: bool, repeats: int) -> tuple[Row, np.ndarray, KMeans, Any]:
    heading("4. K-Means: k-means++ start, Lloyd iterations")
    n = 600 if quick else 6000
    X_b, _ = make_blobs(n, 2, centers=5, cluster_std=1.6, random_state=2)
    # One k-means++ start, given to both libraries: then their Lloyd runs must coincide.
    init, _ = kmeans_plusplus(X_b, 5, random_state=1)
    km, t_km = _timed(lambda: KMeans(5, init=init).fit(X_b), repeats)
    km_ref, t_km_ref = _timed(
        lambda: sk_cluster.KMeans(5, init=init, n_init=1, algorithm="lloyd").fit(X_b), repeats
    )
    print(
        f"{n} points in 5 blobs. From the same k-means++ centres both ran {km.n_iter_} and "
        f"{km_ref.n_iter_} iterations;"
    )
    print(
        f"  inertia {km.inertia_:.6f} vs {km_ref.inertia_:.6f}, largest centre difference "
        f"{np.abs(km.cluster_centers_ - km_ref.cluster_centers_).max():.1e}"
    )
    print(
        "  inertia after each assignment step: "
        + ", ".join(f"{v:.0f}" for v in km.inertia_history_)
    )
    why_kmeans_plusplus(quick)
    ari = f"ARI {adjusted_rand_score(km.labels_, km_ref.labels_):.3f}"
    row = ("KMeans k=5", "inertia", km.inertia_, km_ref.inertia_, ari, t_km, t_km_ref)
    return row, X_b, km, km_ref


def why_kmeans_plusplus(quick: bool) -> None:
    """Random rows as starting centres often put two in one blob; k-means++ spreads them."""
    n, n_seeds = (600, 10) if quick else (6000, 40)
    X, _ = make_blobs(n, 2, centers=12, cluster_std=0.5, center_box=(-20, 20), random_state=3)
    results = {
        init: np.array(
            [KMeans(12, init=init, random_state=s).fit(X).inertia_ for s in range(n_seeds)]
        )
        for init in ("random", "k-means++")
    }
    best = min(r.min() for r in results.values())
    print(f"12 tight blobs, {n_seeds} single starts each; final inertia relative to the best seen:")
    for init, r in results.items():
        print(
            f"  init={init!r:<12} median {np.median(r) / best:5.2f}x, worst "
            f"{r.max() / best:5.2f}x, runs within 1% of the best: {np.mean(r <= 1.01 * best):.0%}"
        )


def side_by_side(rows: list[Row], repeats: int) -> None:
    heading("5. Scratch vs scikit-learn, side by side")
    print(
        f"  {'model':<24}{'metric':<17}{'glassml':>11}{'sklearn':>11}  {'agreement':<22}"
        f"{'glassml time':>12}{'sklearn time':>13}"
    )
    for name, metric, ours_v, ref_v, agree, t_ours, t_ref in rows:
        print(
            f"  {name:<24}{metric:<17}{ours_v:11.4f}{ref_v:11.4f}  {agree:<22}"
            f"{_ms(t_ours):>12}{_ms(t_ref):>13}"
        )
    print(
        "Times are the best of "
        f"{repeats} fit(s) (fit + predict for the classifiers); the machine may be busy."
    )
    print(
        "Where two candidate splits reduce the impurity equally, the trees may pick different "
        "ones\n(scikit-learn visits features in a random order), so their predictions can "
        "differ on a few points."
    )


def figures(quick: bool, out: Any, X_b: np.ndarray, km: KMeans, km_ref: Any) -> None:
    from glassml.plotting import classic as plots  # after prepare_out: headless backend chosen

    heading("6. Figures")
    X2, y2 = make_moons(200 if quick else 400, noise=0.3, random_state=0)
    models = [
        (
            "logistic regression",
            LogisticRegression(learning_rate=1.0, max_iter=2000, tol=1e-8).fit(X2, y2),
            sk_linear.LogisticRegression(C=np.inf).fit(X2, y2),
        ),
        (
            "KNN, k = 15",
            KNNClassifier(n_neighbors=15).fit(X2, y2),
            sk_neighbors.KNeighborsClassifier(n_neighbors=15, algorithm="brute").fit(X2, y2),
        ),
        (
            "decision tree, depth 5",
            DecisionTreeClassifier(max_depth=5, random_state=0).fit(X2, y2),
            sk_tree.DecisionTreeClassifier(max_depth=5, random_state=0).fit(X2, y2),
        ),
    ]
    print("Two moons: a linear boundary, a smooth local vote, and axis-aligned boxes.")
    save_figure(
        plots.plot_decision_boundaries(X2, y2, models, resolution=100 if quick else 250),
        out,
        "decision_boundaries.png",
    )
    save_figure(
        plots.plot_kmeans(
            X_b, km.labels_, km.cluster_centers_, km.inertia_history_, km_ref.cluster_centers_
        ),
        out,
        "kmeans.png",
    )


def main(argv: list[str] | None = None) -> int:
    args = lesson_parser(__doc__).parse_args(argv)
    out = prepare_out(args.out)
    repeats = 1 if args.quick else 3
    textbook_versus_fast(args.quick, repeats)
    rows = linear_regression(args.quick, repeats)
    rows += classifiers(args.quick, repeats)
    kmeans_row, X_b, km, km_ref = kmeans(args.quick, repeats)
    side_by_side([*rows, kmeans_row], repeats)
    figures(args.quick, out, X_b, km, km_ref)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
