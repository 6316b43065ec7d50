r"""
Lesson 08 — Beyond the seed: penalties, forests, boosting, naive Bayes and PCA
==============================================================================

Seed file 05 fits five classic algorithms. What people learn next is how to *control* them:
a penalty that shrinks a linear model's weights (ridge) or sets some of them to exactly zero
(lasso); many randomised trees averaged into a forest, which keeps a deep tree's low bias and
loses most of its variance; trees added one at a time, each fitting what the previous ones
got wrong (gradient boosting); a classifier that assumes the features independent given the
class (naive Bayes); and the directions along which data varies most (PCA).

Every estimator here is glassml's, fitted from scratch in NumPy, and each section prints
scikit-learn's numbers next to ours, computed in the same run on the same data.

Run it: ``python src/glassml/lessons/08_beyond_the_seed.py`` or
``.venv/bin/glassml lesson 8 --n-estimators 50`` (``--quick`` for smaller settings).

.. admonition:: Verified against
   :class: verified

   - Ridge coefficients equal ``sklearn.linear_model.Ridge`` to 1e-8; Lasso and ElasticNet
     (coordinate descent, duality-gap stopping rule) equal scikit-learn's to 1e-6 with the same
     exact zeros (``tests/linear_model/test_ridge.py``,
     ``tests/linear_model/test_lasso.py``).
   - The regression tree equals ``sklearn.tree.DecisionTreeRegressor`` node by node, predictions
     and ``feature_importances_`` to 1e-10 (``tests/tree/test_regressor.py``); each forest tree equals a
     glassml tree fit on its bootstrap sample (``tests/ensemble/test_forest.py``).
   - Gradient boosting predictions and probabilities equal scikit-learn's to 1e-8
     (``tests/ensemble/test_gradient_boosting.py``); GaussianNB probabilities to 1e-10
     (``tests/naive_bayes/test_gaussian_nb.py``); PCA components to 1e-8 with scikit-learn's
     signs (``tests/decomposition/test_pca.py``).
"""

# %%
# Options
# -------
# The forest and the boosting model take ``--n-estimators`` trees; ``--learning-rate`` scales
# each boosting step; ``--depth`` limits the forest's trees (none by default: fully grown).
import numpy as np
import sklearn.decomposition as skd
import sklearn.ensemble as ske
import sklearn.linear_model as skl
import sklearn.naive_bayes as sknb
from sklearn.datasets import load_diabetes, load_digits, load_wine, make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from glassml.decomposition import PCA
from glassml.ensemble import GradientBoostingClassifier, RandomForestRegressor
from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.linear_model import Lasso, Ridge
from glassml.naive_bayes import GaussianNB
from glassml.plotting import beyond as plots
from glassml.tree import DecisionTreeRegressor

parser = lesson_parser(__doc__, 8)
parser.add_argument("--n-estimators", type=int, default=100, help="trees in the forest / boosting")
parser.add_argument("--learning-rate", type=float, default=0.1, help="boosting step size")
parser.add_argument("--depth", type=int, default=None, help="max depth of the forest's trees")
parser.add_argument("--seed", type=int, default=0, help="random seed of data and models")
args = lesson_args(parser)
out = prepare_out(args.out)
n_trees = min(args.n_estimators, 20) if args.quick else args.n_estimators
np.set_printoptions(precision=4, suppress=True)

# %%
# 1. Ridge and lasso: a penalty on the weights
# --------------------------------------------
# Least squares alone can give large, unstable weights when features are correlated. Ridge
# adds the squared size of the weights to the loss; lasso adds their absolute size:
#
# .. math::
#
#    \min_w \tfrac{1}{2n}\lVert y - Xw\rVert^2 + \tfrac{\alpha}{2}\lVert w\rVert_2^2
#    \quad\text{(ridge)}, \qquad
#    \min_w \tfrac{1}{2n}\lVert y - Xw\rVert^2 + \alpha\lVert w\rVert_1 \quad\text{(lasso)}.
#
# Ridge has a closed form, :math:`w = (X^\top X + \alpha I)^{-1} X^\top y` (on centred data;
# scikit-learn scales its penalty as :math:`\alpha\lVert w\rVert^2` against the *sum* of
# squares, which is what :class:`glassml.linear_model.Ridge` does too). The lasso has none:
# coordinate descent updates one weight at a time, holding the others, and the best single
# weight is a *soft threshold* — exactly zero when the feature's correlation with the residual
# is smaller than :math:`\alpha`:
#
# .. math::
#
#    w_j \leftarrow \frac{S(\tfrac{1}{n}x_j^\top r_j,\ \alpha)}{\tfrac{1}{n}x_j^\top x_j},
#    \qquad S(z, \alpha) = \operatorname{sign}(z)\max(|z| - \alpha, 0).
#
# The textbook loop, from the library:
#
# .. literalinclude:: /../src/glassml/linear_model/textbook.py
#    :pyobject: lasso_coordinate_descent
heading("1. Ridge and lasso on the diabetes data (10 features, standardised)")
diabetes = load_diabetes()
X_d = StandardScaler().fit_transform(diabetes.data)
y_d = diabetes.target
alphas = np.logspace(-2, 2, 8 if args.quick else 30)
ridge_path = np.array([Ridge(alpha=a * len(y_d)).fit(X_d, y_d).coef_ for a in alphas])
lasso_path = np.array([Lasso(alpha=a, tol=1e-8).fit(X_d, y_d).coef_ for a in alphas])
ridge_ref = np.array([skl.Ridge(alpha=a * len(y_d)).fit(X_d, y_d).coef_ for a in alphas])
lasso_ref = np.array([skl.Lasso(alpha=a, tol=1e-8).fit(X_d, y_d).coef_ for a in alphas])
print(f"{len(alphas)} penalties from {alphas[0]:g} to {alphas[-1]:g}:")
print(f"  ridge path: largest gap to scikit-learn {np.abs(ridge_path - ridge_ref).max():.1e}")
print(f"  lasso path: largest gap to scikit-learn {np.abs(lasso_path - lasso_ref).max():.1e}")
same_zeros = np.array_equal(lasso_path == 0, lasso_ref == 0)
print(f"  lasso zero pattern identical to scikit-learn's at every alpha: {same_zeros}")
for a, w in zip(
    alphas[:: max(1, len(alphas) // 4)], lasso_path[:: max(1, len(alphas) // 4)], strict=True
):
    print(f"  alpha {a:8.3f}: {np.sum(w == 0):2d} of 10 lasso weights exactly 0; ridge none")
fig = plots.plot_paths(alphas, ridge_path, lasso_path, list(diabetes.feature_names))
save_figure(fig, out, "regularisation_paths.png")

# %%
# 2. One deep tree against a forest: bias and variance
# ----------------------------------------------------
# A fully grown regression tree fits its training set almost exactly: low *bias* (on average
# over training sets it is right) but high *variance* (each training set gives a different
# tree). A random forest averages trees grown on bootstrap samples (rows drawn with
# replacement) with a random subset of features tried at each split; averaging :math:`B` trees
# whose errors are correlated by :math:`\rho` divides the variance roughly to
# :math:`\rho\sigma^2 + (1-\rho)\sigma^2/B` while leaving the bias as it was.
# Below: 1-D data :math:`y = \sin(x) + \varepsilon`, many training sets, and for each model
#
# .. math::
#
#    \text{bias}^2 = \overline{(\bar f(x) - f(x))^2}, \qquad
#    \text{variance} = \overline{\operatorname{Var}_{\text{sets}} \hat f(x)}.
heading("2. A deep tree against a forest: bias and variance over many training sets")
rng = np.random.default_rng(args.seed)
x_grid = np.linspace(0, 6, 200)
n_sets = 8 if args.quick else 25
fits: dict[str, list[np.ndarray]] = {"one deep tree": [], "random forest": [], "sklearn forest": []}
for s in range(n_sets):
    x = rng.uniform(0, 6, 80)
    y = np.sin(x) + rng.normal(0, 0.3, 80)
    X1 = x[:, None]
    fits["one deep tree"].append(
        DecisionTreeRegressor(random_state=s).fit(X1, y).predict(x_grid[:, None])
    )
    forest = RandomForestRegressor(
        n_estimators=n_trees, max_depth=args.depth, max_features=1.0, random_state=s
    )
    fits["random forest"].append(forest.fit(X1, y).predict(x_grid[:, None]))
    ref_forest = ske.RandomForestRegressor(
        n_estimators=n_trees, max_depth=args.depth, max_features=1.0, random_state=s
    )
    fits["sklearn forest"].append(ref_forest.fit(X1, y).predict(x_grid[:, None]))
preds = {name: np.array(p) for name, p in fits.items()}
truth = np.sin(x_grid)
for name, p in preds.items():
    bias2 = np.mean((p.mean(axis=0) - truth) ** 2)
    print(f"  {name:<15} bias² {bias2:.4f}   variance {np.mean(p.var(axis=0)):.4f}")
drop = 1 - np.mean(preds["random forest"].var(axis=0)) / np.mean(preds["one deep tree"].var(axis=0))
print(f"  {n_trees} trees averaged remove {drop:.0%} of one tree's variance; scikit-learn's forest")
print("  (different random draws, same recipe) lands at the same place.")
fig = plots.plot_bias_variance(
    x_grid, truth, {k: preds[k] for k in ("one deep tree", "random forest")}, x, y
)
save_figure(fig, out, "tree_vs_forest.png")

# %%
# 3. Gradient boosting, stage by stage
# ------------------------------------
# Boosting builds an additive model :math:`F_M(x) = F_0 + \nu\sum_{m=1}^M h_m(x)`. For
# classification with the log-loss, :math:`F` is the log-odds and each small tree :math:`h_m`
# is fitted to the negative gradient, the residual :math:`r_i = y_i - p_i`. Its leaves then
# take one Newton step instead of the residuals' mean:
#
# .. math::
#
#    \gamma_{\text{leaf}} = \frac{\sum_{i\in\text{leaf}} r_i}{\sum_{i\in\text{leaf}} p_i(1-p_i)}.
#
# scikit-learn splits with ``criterion="friedman_mse"``; its improvement
# :math:`\frac{n_L n_R}{n}(\bar r_L - \bar r_R)^2` *is* the squared-error decrease, so both
# choose the same trees. The textbook loop:
#
# .. literalinclude:: /../src/glassml/ensemble/textbook.py
#    :pyobject: gradient_boosting_fit
heading("3. Gradient boosting: the log-loss stage by stage")
X_c, y_c = make_classification(n_samples=600, n_features=8, n_informative=5, random_state=args.seed)
X_tr, X_te, y_tr, y_te = train_test_split(X_c, y_c, test_size=0.3, random_state=args.seed)
gb_settings = {
    "n_estimators": n_trees,
    "learning_rate": args.learning_rate,
    "max_depth": 3,
    "min_samples_leaf": 5,
}
gb = GradientBoostingClassifier(random_state=0, **gb_settings).fit(X_tr, y_tr)
gb_ref = ske.GradientBoostingClassifier(random_state=0, **gb_settings).fit(X_tr, y_tr)


def log_loss_by_stage(model, X, y) -> np.ndarray:
    """Mean log-loss on ``(X, y)`` after every stage."""
    rows = np.arange(len(y))
    return np.array([-np.mean(np.log(p[rows, y])) for p in model.staged_predict_proba(X)])


curves = {
    "training (glassml)": log_loss_by_stage(gb, X_tr, y_tr),
    "training (scikit-learn)": log_loss_by_stage(gb_ref, X_tr, y_tr),
    "held out (glassml)": log_loss_by_stage(gb, X_te, y_te),
    "held out (scikit-learn)": log_loss_by_stage(gb_ref, X_te, y_te),
}
print(f"  {n_trees} stages, learning rate {args.learning_rate}, depth 3")
for stage in sorted({1, max(1, n_trees // 4), max(1, n_trees // 2), n_trees}):
    print(
        f"  stage {stage:3d}: training loss {curves['training (glassml)'][stage - 1]:.4f}"
        f" (scikit-learn {curves['training (scikit-learn)'][stage - 1]:.4f}),"
        f" held-out loss {curves['held out (glassml)'][stage - 1]:.4f}"
        f" (scikit-learn {curves['held out (scikit-learn)'][stage - 1]:.4f})"
    )
train_gap = np.abs(gb.predict_proba(X_tr) - gb_ref.predict_proba(X_tr)).max()
test_gap = np.abs(gb.predict_proba(X_te) - gb_ref.predict_proba(X_te)).max()
print(f"  training-set probabilities agree with scikit-learn's to {train_gap:.1e}")
print(f"  held-out probabilities: largest difference {test_gap:.1e}")
if test_gap > 1e-8:
    print(
        "  (two splits that separate the training rows identically score the same; each library\n"
        "  may keep a different one, which changes only predictions for new points)"
    )
print(f"  held-out accuracy {np.mean(gb.predict(X_te) == y_te):.3f}")
save_figure(plots.plot_boosting_loss(curves), out, "boosting_loss.png")

# %%
# 4. Naive Bayes on the wine data
# -------------------------------
# Bayes' rule with one simplifying assumption — the features are independent given the class,
# each Gaussian with its own mean :math:`\mu_{ck}` and variance :math:`\sigma^2_{ck}`:
#
# .. math::
#
#    \log P(c\mid x) = \log P(c) - \sum_k \Big[\tfrac12\log(2\pi\sigma^2_{ck})
#    + \frac{(x_k-\mu_{ck})^2}{2\sigma^2_{ck}}\Big] - \log Z(x).
#
# Fitting is counting: a mean and a variance per class and feature (plus a tiny
# ``var_smoothing`` added to every variance).
heading("4. Gaussian naive Bayes on the wine data (178 wines, 13 measurements, 3 cultivars)")
wine = load_wine()
Xw_tr, Xw_te, yw_tr, yw_te = train_test_split(
    wine.data, wine.target, test_size=0.3, random_state=args.seed, stratify=wine.target
)
nb = GaussianNB().fit(Xw_tr, yw_tr)
nb_ref = sknb.GaussianNB().fit(Xw_tr, yw_tr)
print(
    f"  held-out accuracy: glassml {nb.score(Xw_te, yw_te):.3f}, scikit-learn {nb_ref.score(Xw_te, yw_te):.3f}"
)
nb_gap = np.abs(nb.predict_proba(Xw_te) - nb_ref.predict_proba(Xw_te)).max()
print(f"  class probabilities agree to {nb_gap:.1e}")
print(
    f"  the first held-out wine: P(class) = {nb.predict_proba(Xw_te[:1])[0]}, true class {yw_te[0]}"
)

# %%
# 5. Digits on two principal components
# -------------------------------------
# PCA finds the orthogonal directions of largest variance: the eigenvectors of the covariance
# matrix of the centred data, :math:`\frac{1}{n-1}X_c^\top X_c = V\Lambda V^\top`, sorted by
# eigenvalue. Projecting on the first two keeps as much of the spread as any 2-D view can.
# The textbook version:
#
# .. literalinclude:: /../src/glassml/decomposition/textbook.py
#    :pyobject: pca
heading("5. PCA: 8x8 digits (64 pixels) on two principal components")
digits = load_digits()
pca = PCA(n_components=10).fit(digits.data)
pca_ref = skd.PCA(n_components=10).fit(digits.data)
ratio = pca.explained_variance_ratio_
print(f"  explained variance ratio of the first 10 components:\n  {ratio}")
print(f"  the first two keep {ratio[:2].sum():.1%} of the variance, ten keep {ratio.sum():.1%}")
comp_gap = np.abs(pca.components_ - pca_ref.components_).max()
print(f"  components agree with scikit-learn's (same signs) to {comp_gap:.1e}")
Z = pca.transform(digits.data)
back = pca.inverse_transform(Z)
print(
    f"  rebuilding the images from 10 numbers each: mean squared error {np.mean((back - digits.data) ** 2):.2f}"
)
save_figure(plots.plot_pca_digits(Z[:, :2], digits.target, ratio), out, "pca_digits.png")

# %%
# Try this
# --------
# 1. ``glassml lesson 8 --n-estimators 5``: how much of the tree's variance does a forest of
#    five trees remove? And with 200?
# 2. ``glassml lesson 8 --depth 3``: shallow trees in the forest — which of bias and variance
#    moves now, and why?
# 3. ``glassml lesson 8 --learning-rate 1.0``: the training loss falls faster; watch the
#    held-out loss in ``boosting_loss.png``.
# 4. ``glassml lesson 8 --seed 3``: new data everywhere; do the agreements with scikit-learn
#    stay as tight?
