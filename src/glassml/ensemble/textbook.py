"""Ensembles of trees, the textbook version -- read this before the estimators.

Two ways to make many weak trees into one strong model, each a short loop over glassml trees:

- **Bagging / random forest** (:func:`random_forest_fit`): grow each tree on a *bootstrap
  sample* (:func:`bootstrap_sample`: ``n`` rows drawn with replacement) and, for a random
  forest, let each split look at a random subset of the features (the trees' ``max_features``).
  Predict by averaging: the mean of the trees' class probabilities
  (:func:`random_forest_predict_proba`) or of their predictions
  (:func:`random_forest_predict`). Averaging many de-correlated deep trees keeps their low bias
  and divides their variance.
- **Gradient boosting** (:func:`gradient_boosting_fit`): start from a constant ``F_0`` and add
  small trees one stage at a time; each tree is fit to the *negative gradient* of the loss at
  the current prediction (the residual ``y - F`` for squared error, ``y - p`` for log loss),
  its leaves get the value that best lowers the loss (one Newton step,
  :func:`leaf_value`), and the stage is added shrunk by ``learning_rate``:
  ``F_m = F_{m-1} + learning_rate · tree_m``. Each stage removes part of the remaining bias.

Every random draw is made from ``random_state`` in a fixed order (documented in each function),
so that :class:`glassml.ensemble.RandomForestClassifier` and friends, which run the same
algorithms fast, can be tested against these loops tree by tree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassml._validation import make_rng
from glassml.nn.activations import log_softmax, sigmoid, softmax
from glassml.tree import DecisionTreeRegressor

__all__ = [
    "MAX_SEED",
    "BoostedTrees",
    "bootstrap_sample",
    "gradient_boosting_fit",
    "gradient_boosting_raw_predict",
    "initial_raw_prediction",
    "leaf_value",
    "loss_value",
    "negative_gradient",
    "random_forest_fit",
    "random_forest_predict",
    "random_forest_predict_proba",
    "subsample_mask",
]

#: Seeds handed to trees are drawn from ``[0, MAX_SEED)`` (any int32 value).
MAX_SEED = 2**31 - 1


# --------------------------------------------------------------------------------------------
# Bagging and random forests
# --------------------------------------------------------------------------------------------


def bootstrap_sample(n_samples: int, random_state: None | int | np.random.Generator) -> np.ndarray:
    """``n_samples`` row indices drawn uniformly *with replacement*, shape (n_samples,).

    About ``1 - 1/e ≈ 63%`` of the rows appear at least once; the others are "out of bag".
    The draw is exactly ``make_rng(random_state).integers(0, n_samples, size=n_samples)``, so
    a forest (and an exercise checking one) can reproduce each tree's sample from its seed.
    """
    rng = make_rng(random_state)
    return rng.integers(0, n_samples, size=n_samples)


def random_forest_fit(
    X: np.ndarray,
    y: np.ndarray,
    make_tree: Callable[[int], Any],
    n_estimators: int = 100,
    bootstrap: bool = True,
    random_state: None | int | np.random.Generator = None,
) -> list[Any]:
    """Grow ``n_estimators`` trees, each on its own bootstrap sample (bagging).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Targets; class labels coded ``0..n_classes-1`` for classification.
    make_tree : callable
        ``make_tree(seed)`` returns an unfitted glassml tree using ``random_state=seed`` (for
        a random forest: a tree with ``max_features`` below the number of features, so that
        every split looks at a random subset of them).
    n_estimators : int
    bootstrap : bool
        False: every tree sees all rows (only the feature draws make the trees differ).
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    list of fitted trees

    Notes
    -----
    Draws, all made up front: one ``(tree seed, bootstrap seed)`` pair per tree,
    ``rng.integers(MAX_SEED, size=(n_estimators, 2))``; tree ``t`` is ``make_tree(tree seed)``
    fitted on the rows ``bootstrap_sample(n_samples, bootstrap seed)``.
    """
    seeds = make_rng(random_state).integers(MAX_SEED, size=(n_estimators, 2))
    trees = []
    for tree_seed, sample_seed in seeds:
        rows = bootstrap_sample(len(y), int(sample_seed)) if bootstrap else np.arange(len(y))
        tree = make_tree(int(tree_seed))
        tree.fit(X[rows], y[rows])
        trees.append(tree)
    return trees


def random_forest_predict_proba(trees: list[Any], X: np.ndarray, n_classes: int) -> np.ndarray:
    """Mean of the trees' class probabilities, shape (n_samples, n_classes).

    A tree grown on a bootstrap sample may have missed a class: its ``classes_`` (codes
    ``0..n_classes-1``) say which columns its probabilities fill.
    """
    proba = np.zeros((len(X), n_classes))
    for tree in trees:
        proba[:, tree.classes_] += tree.predict_proba(X)
    return proba / len(trees)


def random_forest_predict(trees: list[Any], X: np.ndarray) -> np.ndarray:
    """Mean of the trees' predictions (regression), shape (n_samples,)."""
    return np.mean([tree.predict(X) for tree in trees], axis=0)


# --------------------------------------------------------------------------------------------
# Gradient boosting
# --------------------------------------------------------------------------------------------

#: The losses :func:`gradient_boosting_fit` knows.
LOSSES = ("squared_error", "log_loss")


@dataclass
class BoostedTrees:
    """A fitted boosted model: ``F(x) = init + learning_rate · Σ_m values_m[leaf_m(x)]``.

    Attributes
    ----------
    init : ndarray of shape (n_trees_per_stage,)
        ``F_0``, the constant raw prediction before any tree.
    trees : list of list of DecisionTreeRegressor
        ``trees[m][k]``: stage ``m``, output ``k`` (one output, or one per class).
    values : list of list of ndarray of shape (node_count,)
        The leaf values of each tree (entries of internal nodes are unused).
    learning_rate : float
    train_score : list of float
        The loss on the (in-bag) training rows after each stage.
    """

    init: np.ndarray
    learning_rate: float
    trees: list[list[Any]] = field(default_factory=list)
    values: list[list[np.ndarray]] = field(default_factory=list)
    train_score: list[float] = field(default_factory=list)


def initial_raw_prediction(loss: str, Y: np.ndarray) -> np.ndarray:
    """``F_0`` (n_outputs,): the constant raw prediction that minimises the loss.

    ``Y`` (n_samples, n_outputs) is the target (one column) for squared error and binary log
    loss, the one-hot classes for multiclass log loss. Squared error: the mean. Log loss: the
    link of the class priors ``p`` (clipped to ``[eps, 1 - eps]``): the log-odds
    ``log(p / (1 - p))`` for two classes, and ``log p_k - mean_j log p_j`` for more
    (scikit-learn's symmetric multinomial logit; the softmax ignores the shift).
    """
    prior = Y.mean(axis=0)
    if loss == "squared_error":
        return prior
    eps = np.finfo(np.float64).eps
    p = np.clip(prior, eps, 1 - eps)
    if Y.shape[1] == 1:
        return np.log(p / (1 - p))
    return np.log(p) - np.log(p).mean()


def negative_gradient(loss: str, Y: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """``-∂loss/∂F`` at the current raw prediction ``raw`` (n_samples, n_outputs).

    Squared error ``½(y - F)²``: the residual ``y - F``. Log loss: ``y - p``, with
    ``p = sigmoid(F)`` (two classes) or ``p = softmax(F)`` (one column per class).
    """
    if loss == "squared_error":
        return Y - raw
    return Y - (sigmoid(raw) if Y.shape[1] == 1 else softmax(raw, axis=1))


def leaf_value(loss: str, residual: np.ndarray, Y_k: np.ndarray, n_outputs: int) -> float:
    """The value of one leaf: one Newton step on the loss of the leaf's (in-bag) samples.

    ``residual`` and ``Y_k`` (n_leaf,) are the negative gradient and the target column of the
    samples in the leaf. Squared error: the mean residual (the exact minimiser). Log loss:
    ``Σ (y - p) / Σ p (1 - p)`` (gradient over Hessian), times ``(K - 1) / K`` for ``K > 2``
    classes (Friedman's factor, kept by scikit-learn); 0 if the Hessian is below ``1e-150``.
    """
    if loss == "squared_error":
        return float(np.mean(residual))
    p = Y_k - residual  # the probability, since residual = y - p
    numerator = np.mean(residual)
    if n_outputs > 1:
        numerator *= (n_outputs - 1) / n_outputs
    denominator = np.mean(p * (1 - p))
    return 0.0 if abs(denominator) < 1e-150 else float(numerator / denominator)


def loss_value(loss: str, Y: np.ndarray, raw: np.ndarray) -> float:
    """The training loss reported in ``train_score`` (scikit-learn's ``train_score_``).

    Squared error: ``mean (y - F)²``. Two classes: the binomial deviance
    ``2 · mean(log(1 + e^F) - y F)``. More classes: ``mean(-log softmax(F)_y)``.
    """
    if loss == "squared_error":
        return float(np.mean((Y - raw) ** 2))
    if Y.shape[1] == 1:
        with np.errstate(under="ignore"):  # log(1 + e^-1000) = e^-1000 underflows to 0: fine
            return float(2 * np.mean(np.logaddexp(0, raw) - Y * raw))
    return float(-np.mean(np.sum(Y * log_softmax(raw, axis=1), axis=1)))


def subsample_mask(n_samples: int, n_in_bag: int, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask (n_samples,) with ``n_in_bag`` rows drawn without replacement.

    The draw is exactly ``rng.choice(n_samples, size=n_in_bag, replace=False)``;
    :func:`gradient_boosting_fit` calls it once per stage, before that stage's tree seeds, on
    its one generator.
    """
    mask = np.zeros(n_samples, dtype=bool)
    mask[rng.choice(n_samples, size=n_in_bag, replace=False)] = True
    return mask


def gradient_boosting_fit(
    X: np.ndarray,
    Y: np.ndarray,
    loss: str = "squared_error",
    n_estimators: int = 100,
    learning_rate: float = 0.1,
    subsample: float = 1.0,
    random_state: None | int | np.random.Generator = None,
    **tree_params: Any,
) -> BoostedTrees:
    """Gradient boosting with regression trees, one stage at a time (Friedman's algorithm).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        The target as one column (regression; two classes coded 0/1), or the one-hot classes.
    loss : {"squared_error", "log_loss"}
    n_estimators, learning_rate, subsample : int, float, float
        Stages; shrinkage of each stage; fraction of rows each stage is fit on.
    random_state : None, int or numpy.random.Generator
    **tree_params
        Passed to every :class:`~glassml.tree.DecisionTreeRegressor` (``max_depth``, ...).

    Returns
    -------
    BoostedTrees

    Notes
    -----
    Draws, from one generator: at each stage, if ``subsample < 1``, the in-bag rows
    (:func:`subsample_mask` of ``max(1, int(subsample · n))`` rows); then one seed
    ``rng.integers(MAX_SEED)`` per tree of the stage, its ``random_state``.
    """
    rng = make_rng(random_state)
    model = BoostedTrees(initial_raw_prediction(loss, Y), learning_rate)
    raw = np.tile(model.init, (len(X), 1))  # F_0(x), (n_samples, n_outputs)
    n_in_bag = max(1, int(subsample * len(X)))
    for _ in range(n_estimators):
        in_bag = subsample_mask(len(X), n_in_bag, rng) if subsample < 1 else np.full(len(X), True)
        residual = negative_gradient(loss, Y, raw)  # fixed for all the trees of the stage
        trees, values = [], []
        for k in range(Y.shape[1]):
            tree = DecisionTreeRegressor(random_state=int(rng.integers(MAX_SEED)), **tree_params)
            tree.fit(X[in_bag], residual[in_bag, k])
            leaves = tree.apply(X)
            value = np.zeros(tree.tree_.node_count)
            for leaf in np.unique(leaves[in_bag]):
                here = in_bag & (leaves == leaf)
                value[leaf] = leaf_value(loss, residual[here, k], Y[here, k], Y.shape[1])
            raw[:, k] += learning_rate * value[leaves]  # F_m = F_{m-1} + ν · tree_m
            trees.append(tree)
            values.append(value)
        model.trees.append(trees)
        model.values.append(values)
        model.train_score.append(loss_value(loss, Y[in_bag], raw[in_bag]))
    return model


def gradient_boosting_raw_predict(model: BoostedTrees, X: np.ndarray) -> np.ndarray:
    """``F(x)`` for each row of ``X``, shape (n_samples, n_outputs).

    Apply :func:`sigmoid` / :func:`softmax` to get class probabilities.
    """
    raw = np.tile(model.init, (len(X), 1))
    for trees, values in zip(model.trees, model.values, strict=True):
        for k, (tree, value) in enumerate(zip(trees, values, strict=True)):
            raw[:, k] += model.learning_rate * value[tree.apply(X)]
    return raw
