r"""
Lesson 05 — Classical machine learning, from scratch and next to scikit-learn
=============================================================================

Five algorithms that predate deep learning and still do much of the work: linear regression
(closed form and gradient descent), logistic regression, k-nearest neighbours, a decision tree
and K-Means. Each exists twice in glassml: a *textbook* version written the way the seed
explains it (``glassml.<topic>.textbook``), and the estimator a user runs, vectorised for speed.
We check that the two agree, work the formulas by hand on small cases (the MSE gradient, Gini
and information gain), look at why k-means++ starts better than random points, and finally run
every estimator next to scikit-learn on the same data.

Run it: ``python src/glassml/lessons/05_classic_ml_algorithms.py --k 15 --depth 3`` or
``.venv/bin/glassml lesson 5 --k 15 --depth 3`` (``--quick`` for smaller settings).

.. admonition:: Verified against
   :class: verified

   - ``LinearRegression`` equals ``sklearn.linear_model.LinearRegression`` to 1e-8 (coefficients
     and predictions), and each textbook function equals its estimator to 1e-12
     (``tests/linear_model/test_linear_regression.py``, ``tests/linear_model/test_textbook.py``).
   - ``KNNClassifier`` predicts exactly what ``KNeighborsClassifier(algorithm="brute")``
     predicts, probabilities included (``tests/neighbors/test_knn.py``).
   - ``DecisionTreeClassifier`` grows the same tree as scikit-learn's wherever the best split is
     unique (thresholds and impurities to 1e-12), and the textbook tree equals the estimator
     node by node (``tests/tree/test_parity.py``, ``tests/tree/test_textbook.py``); Gini and
     information gain are checked on hand-computed cases in ``tests/tree/test_textbook.py``.
   - ``KMeans`` from the same start equals scikit-learn's Lloyd: same labels and iteration
     count, centres to 1e-8 (``tests/cluster/test_kmeans.py``); this lesson's printed numbers
     are checked in ``tests/lessons/test_lesson_05.py``.
"""

# %%
# Options
# -------
# ``--k`` (neighbours) and ``--depth`` (tree depth) are used in the tables *and* in the decision
# boundary figure; ``--lr`` is gradient descent's step for linear regression; ``--clusters`` is
# K-Means' k; ``--seed`` draws other data sets and other random starts.
import textwrap
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
from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.linear_model import LinearRegression, LogisticRegression
from glassml.neighbors import KNNClassifier
from glassml.neighbors import textbook as knn_textbook
from glassml.tree import DecisionTreeClassifier, export_text
from glassml.tree import textbook as tree_textbook

parser = lesson_parser(__doc__, 5)
parser.add_argument("--k", type=int, default=5, help="neighbours for KNN (default 5)")
parser.add_argument("--depth", type=int, default=6, help="decision tree max_depth (default 6)")
parser.add_argument("--lr", type=float, default=0.1, help="gradient descent step (default 0.1)")
parser.add_argument("--clusters", type=int, default=5, help="K-Means clusters (default 5)")
parser.add_argument("--seed", type=int, default=0, help="data and random starts (default 0)")
args = lesson_args(parser)
out = prepare_out(args.out)
REPEATS = 1 if args.quick else 3
SEED = args.seed


def timed(fn: Callable[[], Any], repeats: int = REPEATS) -> tuple[Any, float]:
    """Result of ``fn`` and its best wall time over ``repeats`` calls (seconds)."""
    best, result = np.inf, None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return result, best


def fit_predict(model: Any, X: np.ndarray, y: np.ndarray, X_test: np.ndarray) -> np.ndarray:
    return model.fit(X, y).predict(X_test)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def report_pair(name: str, agreement: str, t_textbook: float, t_fast: float) -> None:
    ratio = t_textbook / t_fast
    speed = f"{ratio:,.0f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
    print(f"  {name:<24}{agreement:<36}textbook {ms(t_textbook)}, estimator {ms(t_fast)} ({speed})")


# %%
# 1. Textbook first: the seed's algorithm, then the estimator
# -----------------------------------------------------------
# The textbook versions loop as the seed describes; the estimators compute the same numbers
# with whole-array operations. Same answers, so the speed comes from the arithmetic's layout,
# not from a different algorithm.

heading("1. Textbook first: the seed's algorithm, then the estimator")
n = 200 if args.quick else 600
X, y = make_classification(n, 4, n_informative=3, n_redundant=0, random_state=SEED + 1)
X_tr, X_te, y_tr, _ = train_test_split(X, y, test_size=0.5, random_state=SEED + 1)
print(f"{len(X_tr)} training and {len(X_te)} query points, 4 features.")
y_book, t_book = timed(lambda: knn_textbook.knn_predict(X_tr, y_tr, X_te, args.k), max(REPEATS, 3))
y_fast, t_fast = timed(partial(fit_predict, KNNClassifier(args.k), X_tr, y_tr, X_te), 3)
knn_same = float(np.mean(y_book == y_fast))
report_pair(f"KNN, k = {args.k}", f"same predictions: {knn_same:.0%}", t_book, t_fast)
tree_fast, t_fast = timed(
    lambda: DecisionTreeClassifier(max_depth=args.depth, random_state=SEED).fit(X_tr, y_tr), 3
)
order = tree_fast.feature_order_  # equal gains go to the first feature tried: the same order
tree_book, t_book = timed(
    lambda: tree_textbook.build_tree(X_tr, y_tr, max_depth=args.depth, feature_order=order), 1
)
tree_same = float(np.mean(tree_textbook.predict(tree_book, X_te) == tree_fast.predict(X_te)))
report_pair(
    f"decision tree, depth {args.depth}", f"same predictions: {tree_same:.0%}", t_book, t_fast
)
centers0 = kmeans_textbook.kmeans_plusplus(X, 3, random_state=SEED)[0]
(c_book, labels_book, _, _), t_book = timed(lambda: kmeans_textbook.lloyd(X, centers0), 3)
km, t_fast = timed(lambda: KMeans(3, init=centers0).fit(X), 3)
gap = np.abs(c_book - km.cluster_centers_).max()
agree = f"same labels: {np.mean(labels_book == km.labels_):.0%}, centres ±{gap:.0e}"
report_pair("K-Means, k = 3", agree, t_book, t_fast)

# %%
# 2. Linear regression: the normal equation and the MSE gradient
# --------------------------------------------------------------
# Linear regression fits :math:`\hat y = Xw + b` by minimising the mean squared error. With a
# column of ones appended (:math:`X_b = [X, 1]`, :math:`\theta = (w, b)`) the minimum has a closed
# form, the **normal equation**, computed with the pseudo-inverse (stable even when
# :math:`X_b^\top X_b` is singular) at :math:`O(d^3)` cost in the number of features:
#
# .. math::
#
#    \theta = (X_b^\top X_b)^{+} X_b^\top y
#
# **Gradient descent** instead walks downhill. Differentiating
# :math:`\mathrm{MSE}(w, b) = \frac{1}{n}\sum_i (x_i \cdot w + b - y_i)^2` by the chain rule (the
# derivative of the square is twice the residual, the residual's derivative in :math:`w` is
# :math:`x_i`):
#
# .. math::
#
#    \frac{\partial\,\mathrm{MSE}}{\partial w} = \frac{2}{n} X^\top (Xw + b - y), \qquad
#    \frac{\partial\,\mathrm{MSE}}{\partial b} = \frac{2}{n} \sum_i (x_i \cdot w + b - y_i)
#
# and each step is :math:`w \leftarrow w - \eta\, \partial\mathrm{MSE}/\partial w` (same for
# :math:`b`), :math:`O(nd)` per step. The textbook code:
#
# .. literalinclude:: /../src/glassml/linear_model/textbook.py
#    :pyobject: normal_equation
#    :caption: glassml/linear_model/textbook.py: normal_equation
#
# .. literalinclude:: /../src/glassml/linear_model/textbook.py
#    :pyobject: gradient_descent_linear
#    :caption: glassml/linear_model/textbook.py: gradient_descent_linear
#
# First the gradient formula against central differences
# :math:`(\mathrm{MSE}(w + h e_j) - \mathrm{MSE}(w - h e_j)) / 2h`, then a one-feature fit
# drawn with both solvers, then ten features against scikit-learn.

heading("2. Linear regression: the MSE gradient, the fit, and scikit-learn")
rng = np.random.default_rng(SEED)
X3, y3 = rng.normal(size=(20, 3)), rng.normal(size=20)
w, b = rng.normal(size=3), 0.5


def mse(w: np.ndarray, b: float) -> float:
    return float(np.mean((X3 @ w + b - y3) ** 2))


grad_w = 2 / len(X3) * X3.T @ (X3 @ w + b - y3)
grad_b = 2 / len(X3) * np.sum(X3 @ w + b - y3)
h, eye = 1e-6, np.eye(3)
numeric_w = np.array([(mse(w + h * e, b) - mse(w - h * e, b)) / (2 * h) for e in eye])
numeric_b = (mse(w, b + h) - mse(w, b - h)) / (2 * h)
grad_gap = max(np.abs(grad_w - numeric_w).max(), abs(grad_b - numeric_b))
print(
    f"  MSE gradient at a random (w, b), 20 samples, 3 features: (2/n)·Xᵀ(Xw + b - y) = "
    f"{np.round(grad_w, 5)}, db = {grad_b:.5f}"
)
print(f"  central differences (h = 1e-6) agree to {grad_gap:.1e}")

x1 = rng.uniform(-3, 3, 60)
y1 = 1.5 * x1 + 2.0 + rng.normal(0, 1.0, 60)
normal_1d = LinearRegression().fit(x1[:, None], y1)
gd_1d: LinearRegression | None
try:
    gd_1d = LinearRegression(solver="gd", learning_rate=args.lr, max_iter=5000, tol=1e-9)
    gd_1d.fit(x1[:, None], y1)
except RuntimeError as error:  # the loss became infinite: the step is too large
    gd_1d = None
    print(f"  gradient descent with lr = {args.lr:g} diverged: {error}")
print(
    f"  one feature, 60 points: normal equation y = {normal_1d.coef_[0]:.4f}·x + "
    f"{normal_1d.intercept_:.4f}"
)
if gd_1d is not None:
    print(
        f"  gradient descent (lr {args.lr:g}) after {gd_1d.n_iter_} steps: y = "
        f"{gd_1d.coef_[0]:.4f}·x + {gd_1d.intercept_:.4f}"
    )
from glassml.plotting import classic as plots  # noqa: E402  (after prepare_out: headless backend)

if gd_1d is not None:
    lines = [
        ("normal equation", float(normal_1d.coef_[0]), float(normal_1d.intercept_)),
        (
            f"gradient descent, {gd_1d.n_iter_} steps",
            float(gd_1d.coef_[0]),
            float(gd_1d.intercept_),
        ),
    ]
    fig = plots.plot_linear_fit(x1, y1, lines, gd_1d.loss_history_, args.lr)
    save_figure(fig, out, "linear_regression_fit.png")

# %%
# The same two solvers on 10 standardised features, next to scikit-learn:

n = 500 if args.quick else 5000
X, y = make_regression(n, 10, noise=10.0, bias=5.0, random_state=SEED)
X = StandardScaler().fit_transform(X)
normal, t_normal = timed(lambda: LinearRegression().fit(X, y))
ref, t_ref = timed(lambda: sk_linear.LinearRegression().fit(X, y))
rows: list[tuple[str, str, float, float, str, float, float]] = []
print(
    f"  {n} samples, 10 standardised features: max |coef - sklearn coef| "
    f"{np.abs(normal.coef_ - ref.coef_).max():.1e} (normal equation)"
)
models = [("LinearRegression normal", normal, t_normal)]
try:
    gd, t_gd = timed(
        lambda: LinearRegression(solver="gd", learning_rate=args.lr, max_iter=5000, tol=1e-9).fit(
            X, y
        )
    )
    models.append(("LinearRegression gd", gd, t_gd))
    print(
        f"  gradient descent (lr {args.lr:g}) stopped after {gd.n_iter_} steps: max |coef - "
        f"sklearn| {np.abs(gd.coef_ - ref.coef_).max():.1e}; MSE {gd.loss_history_[0]:.1f} -> "
        f"{gd.loss_history_[-1]:.2f}"
    )
except RuntimeError:
    print(f"  gradient descent with lr = {args.lr:g} diverged on these features.")
for name, model, t in models:
    p_ours, p_ref = model.predict(X), ref.predict(X)
    agree = f"max |Δŷ| {np.abs(p_ours - p_ref).max():.1e}"
    rows.append((name, "R² (train)", r2_score(y, p_ours), r2_score(y, p_ref), agree, t, t_ref))

# %%
# 3. Classifiers: logistic regression, k-nearest neighbours
# ---------------------------------------------------------
# **Logistic regression** is a classifier despite its name:
# :math:`P(y=1 \mid x) = \sigma(x \cdot w + b)`, trained by gradient descent on the binary
# cross-entropy, whose gradient :math:`\frac{1}{n} X^\top (p - y)` is as simple as the MSE's —
# the sigmoid's derivative cancels the log-loss's :math:`1/(p(1-p))`.
#
# **KNN** has no training: it stores the data, and at prediction time takes a majority vote of
# the :math:`k` nearest training points (Euclidean distance), :math:`O(nd)` per query. Small
# :math:`k` follows the noise (low bias, high variance); large :math:`k` smooths it away.
#
# .. literalinclude:: /../src/glassml/neighbors/textbook.py
#    :pyobject: knn_predict
#    :caption: glassml/neighbors/textbook.py: knn_predict

heading("3. Classifiers on one problem: logistic regression, KNN, decision tree")
n = 600 if args.quick else 4000
X, y = make_classification(
    n, 10, n_informative=5, n_redundant=2, flip_y=0.1, class_sep=0.8, random_state=SEED
)
X = StandardScaler().fit_transform(X)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=SEED)
print(f"{len(X_tr)} training and {len(X_te)} test samples, 10 features, 10% labels flipped.")
pairs: list[tuple[str, Any, Any]] = [
    (
        "LogisticRegression",
        LogisticRegression(learning_rate=1.0, max_iter=2000, tol=1e-8),
        sk_linear.LogisticRegression(C=np.inf),
    ),  # C=inf: no penalty, as ours
    (
        f"KNNClassifier k={args.k}",
        KNNClassifier(n_neighbors=args.k),
        sk_neighbors.KNeighborsClassifier(n_neighbors=args.k, algorithm="brute"),
    ),
    (
        f"DecisionTree depth {args.depth}",
        DecisionTreeClassifier(max_depth=args.depth, random_state=0),
        sk_tree.DecisionTreeClassifier(max_depth=args.depth, random_state=0),
    ),
]
for name, ours, ref in pairs:
    # KNN has no training phase: its cost is in predict, so time fit + predict for all.
    pred_ours, t_ours = timed(partial(fit_predict, ours, X_tr, y_tr, X_te))
    pred_ref, t_ref = timed(partial(fit_predict, ref, X_tr, y_tr, X_te))
    acc_ours, acc_ref = float(np.mean(pred_ours == y_te)), float(np.mean(pred_ref == y_te))
    agree = f"same pred. {np.mean(pred_ours == pred_ref):.1%}"
    rows.append((name, "accuracy (test)", acc_ours, acc_ref, agree, t_ours, t_ref))
logistic, logistic_ref = pairs[0][1], pairs[0][2]
print(
    f"Logistic regression: gradient descent took {logistic.n_iter_} steps to bring every "
    f"gradient entry below 1e-8; scikit-learn's L-BFGS stopped after "
    f"{int(logistic_ref.n_iter_[0])} iterations (max |coef difference| "
    f"{np.abs(logistic.coef_ - logistic_ref.coef_).max():.1e})."
)
print("k sets the bias-variance trade-off of KNN (test accuracy):")
for k in sorted({1, args.k, 25, 101}):
    acc = np.mean(KNNClassifier(n_neighbors=k).fit(X_tr, y_tr).predict(X_te) == y_te)
    print(f"  k = {k:>3}: {acc:.3f}" + ("   <- --k" if k == args.k else ""))

# %%
# 4. Decision trees: Gini impurity and information gain, by hand
# --------------------------------------------------------------
# A CART tree asks yes/no questions ":math:`x_j \le t`?" chosen greedily. A node's **Gini
# impurity** is the chance that two samples drawn from it (with replacement) have different
# classes — 0 for a pure node, 0.5 at most for two classes:
#
# .. math::
#
#    \mathrm{Gini}(S) = 1 - \sum_k p_k^2, \qquad
#    \mathrm{Gain} = \mathrm{Gini}(S) - \frac{|L|}{|S|}\mathrm{Gini}(L)
#        - \frac{|R|}{|S|}\mathrm{Gini}(R)
#
# The tree tries every feature and every threshold between two consecutive unique values, and
# keeps the split with the largest gain; it recurses until ``max_depth``, a pure node, or too
# few samples. Unlimited, it grows one leaf per sample: zero training error, severe overfitting.
#
# .. literalinclude:: /../src/glassml/tree/textbook.py
#    :pyobject: impurity
#    :caption: glassml/tree/textbook.py: impurity
#
# .. literalinclude:: /../src/glassml/tree/textbook.py
#    :pyobject: information_gain
#    :caption: glassml/tree/textbook.py: information_gain
#
# .. literalinclude:: /../src/glassml/tree/textbook.py
#    :pyobject: best_split
#    :caption: glassml/tree/textbook.py: best_split
#
# By hand, on eight samples with two features:

heading("4. Decision tree: Gini and information gain by hand")
X_small = np.array([[1, 3.0], [2, 1.0], [3, 4.0], [4, 2.0], [5, 5.0], [6, 1.5], [7, 4.5], [8, 3.5]])
y_small = np.array([0, 0, 0, 1, 0, 1, 1, 1])
print("  x1:", X_small[:, 0].astype(int), " x2:", X_small[:, 1], " y:", y_small)


def gini_by_hand(labels: np.ndarray, name: str) -> float:
    p = np.bincount(labels, minlength=2) / len(labels)
    value = 1 - np.sum(p**2)
    print(
        f"    Gini({name}) = 1 - ({p[0]:.3g}² + {p[1]:.3g}²) = {value:.4f}   "
        f"[{np.sum(labels == 0)} of class 0, {np.sum(labels == 1)} of class 1]"
    )
    return float(value)


parent = gini_by_hand(y_small, "all 8")
hand_gains = {}
for feature, threshold in ((0, 3.5), (0, 4.5)):
    left = X_small[:, feature] <= threshold
    print(f"  split x{feature + 1} <= {threshold:g}:")
    g_left = gini_by_hand(y_small[left], "left")
    g_right = gini_by_hand(y_small[~left], "right")
    n_l, n_r = int(left.sum()), int((~left).sum())
    gain = parent - n_l / 8 * g_left - n_r / 8 * g_right
    hand_gains[feature, threshold] = gain
    library = tree_textbook.information_gain(y_small, left)
    print(
        f"    gain = {parent:.4f} - {n_l}/8·{g_left:.4f} - {n_r}/8·{g_right:.4f} = {gain:.4f}"
        f"   (information_gain: {library:.4f})"
    )
split = tree_textbook.best_split(X_small, y_small)
assert split is not None  # x1 is not constant
feature, threshold, gain = split
print(
    f"  best_split tries all {sum(len(tree_textbook.candidate_thresholds(c)) for c in X_small.T)}"
    f" thresholds and picks x{feature + 1} <= {threshold:g} (gain {gain:.4f})."
)
small_tree = DecisionTreeClassifier(max_depth=args.depth, random_state=0).fit(X_small, y_small)
print(f"  The whole tree (max_depth={args.depth}), printed by glassml.tree.export_text:")
print(
    textwrap.indent(export_text(small_tree, feature_names=["x1", "x2"], show_weights=True), "    ")
)
print("Tree depth against train and test accuracy (the data of section 3):")
depth_results = {}
for depth in [*sorted({3, args.depth}), None]:
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(X_tr, y_tr)
    train_acc, test_acc = np.mean(tree.predict(X_tr) == y_tr), np.mean(tree.predict(X_te) == y_te)
    depth_results[depth] = (train_acc, test_acc)
    print(
        f"  max_depth = {depth!s:>4}: depth {tree.get_depth():>2}, {tree.get_n_leaves():>4} "
        f"leaves, train accuracy {train_acc:.3f}, test {test_acc:.3f}"
    )
unlimited_train, unlimited_test = depth_results[None]
if unlimited_train == 1.0 and unlimited_test < max(t for _, t in depth_results.values()):
    print("The unlimited tree fits its training data perfectly and generalises worse: overfitting.")

# %%
# 5. Decision boundaries, with the table's settings
# -------------------------------------------------
# The three classifiers on two moons (two features, so the plane can be drawn), with the same
# ``k`` and ``max_depth`` as the table: a straight line, a smooth local vote, axis-aligned
# boxes. Colours are glassml's predictions; scikit-learn's boundary is the dashed line.

heading("5. Decision boundaries on two moons")
X2, y2 = make_moons(200 if args.quick else 400, noise=0.3, random_state=SEED)
boundary_models: list[tuple[str, Any, Any]] = [
    (
        "logistic regression",
        LogisticRegression(learning_rate=1.0, max_iter=2000, tol=1e-8),
        sk_linear.LogisticRegression(C=np.inf),
    ),
    (
        f"KNN, k = {args.k}",
        KNNClassifier(n_neighbors=args.k),
        sk_neighbors.KNeighborsClassifier(n_neighbors=args.k, algorithm="brute"),
    ),
    (
        f"decision tree, max_depth = {args.depth}",
        DecisionTreeClassifier(max_depth=args.depth, random_state=0),
        sk_tree.DecisionTreeClassifier(max_depth=args.depth, random_state=0),
    ),
]
for _, ours, ref in boundary_models:
    ours.fit(X2, y2)
    ref.fit(X2, y2)
print(f"{len(X2)} points; k = {args.k} and max_depth = {args.depth}, as in the table.")
fig = plots.plot_decision_boundaries(X2, y2, boundary_models, resolution=100 if args.quick else 250)
save_figure(fig, out, "decision_boundaries.png")

# %%
# 6. K-Means: k-means++ starts, Lloyd iterations
# ----------------------------------------------
# K-Means is unsupervised: no labels, just :math:`k` groups of nearby points. Lloyd's
# algorithm alternates (1) assign each point to its nearest centre and (2) move each centre to
# the mean of its points. Neither step can raise the **inertia**
# :math:`\sum_i \lVert x_i - c_{\ell(i)} \rVert^2`, so it converges — to a *local* minimum that
# depends on the start. **k-means++** picks the first centre uniformly, then each next one with
# probability proportional to its squared distance :math:`D(x)^2` to the nearest centre chosen
# so far, which spreads the starts out (and is :math:`O(\log k)`-competitive in expectation):
#
# .. math::
#
#    P(x) = \frac{D(x)^2}{\sum_{x'} D(x')^2}
#
# .. literalinclude:: /../src/glassml/cluster/textbook.py
#    :pyobject: kmeans_plusplus
#    :caption: glassml/cluster/textbook.py: kmeans_plusplus
#
# .. literalinclude:: /../src/glassml/cluster/textbook.py
#    :pyobject: lloyd
#    :caption: glassml/cluster/textbook.py: lloyd

heading(f"6. K-Means with k = {args.clusters}: same start as scikit-learn")
n = 600 if args.quick else 6000
X_b, _ = make_blobs(n, 2, centers=5, cluster_std=1.6, random_state=SEED + 2)
init, _ = kmeans_plusplus(X_b, args.clusters, random_state=SEED + 1)
km, t_km = timed(lambda: KMeans(args.clusters, init=init).fit(X_b))
km_ref, t_km_ref = timed(
    lambda: sk_cluster.KMeans(args.clusters, init=init, n_init=1, algorithm="lloyd").fit(X_b)
)
print(
    f"{n} points in 5 blobs. From the same k-means++ centres glassml ran {km.n_iter_} and "
    f"scikit-learn {km_ref.n_iter_} iterations;"
)
print(
    f"  inertia {km.inertia_:.6f} vs {km_ref.inertia_:.6f}, largest centre difference "
    f"{np.abs(km.cluster_centers_ - km_ref.cluster_centers_).max():.1e}"
)
print("  inertia after each assignment step: " + ", ".join(f"{v:.0f}" for v in km.inertia_history_))
ari = f"ARI {adjusted_rand_score(km.labels_, km_ref.labels_):.3f}"
rows.append(
    (f"KMeans k={args.clusters}", "inertia", km.inertia_, km_ref.inertia_, ari, t_km, t_km_ref)
)
fig = plots.plot_kmeans(
    X_b, km.labels_, km.cluster_centers_, km.inertia_history_, km_ref.cluster_centers_
)
save_figure(fig, out, "kmeans.png")

# %%
# Why k-means++? On 12 tight blobs, start each run from 12 random rows and from k-means++
# centres drawn with the same seed. Random rows often put two centres in one blob and none in
# another; Lloyd cannot move a centre across the empty space between blobs, so the run ends
# in a worse local minimum. The figure shows the worst random start next to the k-means++ start
# of the same seed.

heading("7. k-means++ versus random starting points")
n, n_seeds = (600, 10) if args.quick else (6000, 40)
X_12, _ = make_blobs(n, 2, centers=12, cluster_std=0.5, center_box=(-20, 20), random_state=SEED + 3)
starts: dict[str, list[np.ndarray]] = {"random": [], "k-means++": []}
fits: dict[str, list[KMeans]] = {"random": [], "k-means++": []}
for s in range(SEED, SEED + n_seeds):
    starts["random"].append(X_12[np.random.default_rng(s).choice(n, 12, replace=False)])
    starts["k-means++"].append(kmeans_plusplus(X_12, 12, random_state=s)[0])
    for kind in starts:
        fits[kind].append(KMeans(12, init=starts[kind][-1]).fit(X_12))
inertias = {kind: np.array([f.inertia_ for f in runs]) for kind, runs in fits.items()}
best = min(v.min() for v in inertias.values())
print(f"12 tight blobs, {n_seeds} starts of each kind; final inertia relative to the best seen:")
for kind, values in inertias.items():
    print(
        f"  init={kind!r:<12} median {np.median(values) / best:5.2f}x, worst "
        f"{values.max() / best:5.2f}x, runs within 1% of the best: "
        f"{np.mean(values <= 1.01 * best):.0%}"
    )
worst = int(np.argmax(inertias["random"]))
runs = [
    (
        f"random start (seed {SEED + worst}, worst of {n_seeds})\ninertia "
        f"{inertias['random'][worst]:.0f}",
        starts["random"][worst],
        fits["random"][worst].cluster_centers_,
        fits["random"][worst].labels_,
    ),
    (
        f"k-means++ start (seed {SEED + worst})\ninertia {inertias['k-means++'][worst]:.0f}",
        starts["k-means++"][worst],
        fits["k-means++"][worst].cluster_centers_,
        fits["k-means++"][worst].labels_,
    ),
]
save_figure(plots.plot_kmeans_starts(X_12, runs, inertias), out, "kmeans_starts.png")

# %%
# 8. Scratch vs scikit-learn, side by side
# ----------------------------------------
# Every estimator on the data of sections 2, 3 and 6, with the metric each library reaches, how
# often they agree, and the time each takes (fit + predict for the classifiers).

heading("8. Scratch vs scikit-learn, side by side")
print(
    f"  {'model':<24}{'metric':<17}{'glassml':>11}{'sklearn':>11}  {'agreement':<22}"
    f"{'glassml time':>12}{'sklearn time':>13}"
)
for name, metric, ours_v, ref_v, agree, t_ours, t_ref in rows:
    print(
        f"  {name:<24}{metric:<17}{ours_v:11.4f}{ref_v:11.4f}  {agree:<22}"
        f"{ms(t_ours):>12}{ms(t_ref):>13}"
    )
print(
    f"Times are the best of {REPEATS} run(s); the machine may be busy. Where two splits "
    "reduce the impurity equally, the trees may pick different ones (scikit-learn visits "
    "features in a random order), so their predictions can differ on a few points."
)

# %%
# Try this
# --------
# 1. ``glassml lesson 5 --k 1`` and ``--k 51``: how do the KNN boundary and test accuracy change?
# 2. ``glassml lesson 5 --depth 2`` versus ``--depth 12``: count the boxes in the tree's panel,
#    and compare train and test accuracy in section 4.
# 3. ``glassml lesson 5 --lr 1.2``: why does gradient descent diverge? (Hint: it is stable
#    while :math:`\eta < 2/\lambda_{\max}`, the largest eigenvalue of the MSE's Hessian
#    :math:`\frac{2}{n}X^\top X`; on standardised features that eigenvalue is at least 2.)
# 4. ``glassml lesson 5 --clusters 3 --seed 7``: what does K-Means do with fewer centres than
#    blobs, and does k-means++ still beat random starts on other data?
