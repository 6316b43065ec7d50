"""Gradient boosting with regression trees, scikit-learn's algorithm (not the histogram one).

Read :func:`glassml.ensemble.textbook.gradient_boosting_fit` first: stage by stage, fit a
tree to the negative gradient, set each leaf by one Newton step, add the stage shrunk by
``learning_rate``. :func:`boost` computes the same model (the tests compare them to 1e-12)
with the textbook's own formulas (:func:`~glassml.ensemble.textbook.negative_gradient`,
:func:`~glassml.ensemble.textbook.loss_value`, ...) and the same random draws; what it does
differently is to set all the leaves of a tree at once -- the sums of gradients and Hessians
per leaf are two ``np.bincount`` calls instead of a mask per leaf -- to walk the rows down
each tree once, and to keep the out-of-bag scores scikit-learn reports when ``subsample < 1``.
What that bought is small: the trees are most of the time (about 80% of a 100-stage fit on
10000 x 20 rows, see ``benchmarks/bench_ensemble.py``), and the whole fit runs at or below
scikit-learn's time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from glassml._validation import check_option, check_scalar_number, make_rng
from glassml.ensemble._common import refit_safely, store_params
from glassml.ensemble.textbook import (
    MAX_SEED,
    initial_raw_prediction,
    loss_value,
    negative_gradient,
    subsample_mask,
)
from glassml.nn.activations import sigmoid, softmax
from glassml.tree import DecisionTreeRegressor
from glassml.tree.decision_tree import _numbers_only

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor", "boost"]


@dataclass
class _Boosted:
    """What :func:`boost` returns; the estimators copy it into their ``*_`` attributes."""

    init: np.ndarray  # (n_outputs,)
    trees: np.ndarray  # (n_estimators, n_outputs), DecisionTreeRegressor
    values: np.ndarray  # (n_estimators, n_outputs), each (node_count,) leaf values
    train_score: np.ndarray  # (n_estimators,)
    oob: _OutOfBag | None  # when subsample < 1


def leaf_values(
    loss: str,
    leaves: np.ndarray,
    residual: np.ndarray,
    Y_k: np.ndarray,
    n_outputs: int,
    n_nodes: int,
) -> np.ndarray:
    """:func:`~glassml.ensemble.textbook.leaf_value` of every leaf at once, shape (n_nodes,).

    ``leaves``, ``residual``, ``Y_k`` (n_in_bag,): the leaf, negative gradient and target of
    each in-bag sample. Per leaf: the mean residual (squared error), or
    ``mean(y - p) / mean(p (1 - p))`` times ``(K - 1) / K`` for ``K > 2`` classes (0 where
    that Hessian is below ``1e-150``). Nodes without samples (internal ones) get 0.
    """
    count = np.bincount(leaves, minlength=n_nodes).astype(np.float64)
    seen = count > 0
    gradient = np.bincount(leaves, weights=residual, minlength=n_nodes)
    value = np.zeros(n_nodes)
    if loss == "squared_error":
        value[seen] = gradient[seen] / count[seen]
        return value
    p = Y_k - residual
    hessian = np.bincount(leaves, weights=p * (1 - p), minlength=n_nodes)
    numerator = gradient[seen] / count[seen]
    if n_outputs > 1:
        numerator *= (n_outputs - 1) / n_outputs
    denominator = hessian[seen] / count[seen]
    safe = np.abs(denominator) >= 1e-150
    value[np.flatnonzero(seen)[safe]] = numerator[safe] / denominator[safe]
    return value


def boost(
    X: np.ndarray,
    Y: np.ndarray,
    loss: str,
    n_estimators: int,
    learning_rate: float,
    subsample: float,
    rng: np.random.Generator,
    tree_params: dict[str, Any],
) -> _Boosted:
    """Fit the stages; equals :func:`glassml.ensemble.textbook.gradient_boosting_fit`.

    ``X`` (n_samples, n_features), ``Y`` (n_samples, n_outputs) as in the textbook. The
    draws are the textbook's: per stage the in-bag mask (if ``subsample < 1``), then one tree
    seed per output.
    """
    n_samples, n_outputs = Y.shape
    init = initial_raw_prediction(loss, Y)
    raw = np.tile(init, (n_samples, 1))  # F_0, (n_samples, n_outputs)
    trees = np.empty((n_estimators, n_outputs), dtype=object)
    values = np.empty((n_estimators, n_outputs), dtype=object)
    train_score = np.empty(n_estimators)
    oob = _OutOfBag(n_estimators) if subsample < 1 else None
    n_in_bag = max(1, int(subsample * n_samples))
    for m in range(n_estimators):
        in_bag = None if oob is None else subsample_mask(n_samples, n_in_bag, rng)
        if oob is not None and in_bag is not None and m == 0:
            oob.start(loss, Y, raw, in_bag)
        rows = slice(None) if in_bag is None else in_bag  # the rows this stage learns from
        X_in = X[rows]
        residual = negative_gradient(loss, Y, raw)  # (n_samples, n_outputs), fixed this stage
        for k in range(n_outputs):
            tree = DecisionTreeRegressor(random_state=int(rng.integers(MAX_SEED)), **tree_params)
            tree.fit(X_in, residual[rows, k])
            leaves = tree.tree_.apply(X)  # every row: out-of-bag rows are updated too
            value = leaf_values(
                loss, leaves[rows], residual[rows, k], Y[rows, k], n_outputs, tree.tree_.node_count
            )
            raw[:, k] += learning_rate * value[leaves]
            trees[m, k], values[m, k] = tree, value
        train_score[m] = loss_value(loss, Y[rows], raw[rows])
        if oob is not None and in_bag is not None:
            oob.record(m, loss, Y, raw, in_bag)
    return _Boosted(init, trees, values, train_score, oob)


class _OutOfBag:
    """scikit-learn's out-of-bag bookkeeping: the loss of the rows left out of each stage."""

    def __init__(self, n_estimators: int) -> None:
        self.scores = np.full(n_estimators, np.nan)
        self.initial = np.nan

    def start(self, loss: str, Y: np.ndarray, raw: np.ndarray, in_bag: np.ndarray) -> None:
        """The loss of ``F_0`` on the rows out of the first stage's bag."""
        if not in_bag.all():
            self.initial = loss_value(loss, Y[~in_bag], raw[~in_bag])

    def record(self, m: int, loss: str, Y: np.ndarray, raw: np.ndarray, in_bag: np.ndarray) -> None:
        if not in_bag.all():
            self.scores[m] = loss_value(loss, Y[~in_bag], raw[~in_bag])

    def improvement(self) -> np.ndarray:
        """``oob_improvement_``: each stage's drop of the out-of-bag loss."""
        previous = np.concatenate([[self.initial], self.scores[:-1]])
        return previous - self.scores


class _BaseGradientBoosting(BaseEstimator):
    """Parameters, validation and prediction shared by both gradient-boosting estimators."""

    _losses: tuple[str, ...]

    def _boost(self, X: np.ndarray, Y: np.ndarray) -> None:
        """Validate the parameters, fit every stage, and only then set the fitted attributes."""
        check_option(self.loss, "loss", self._losses)
        learning_rate = check_scalar_number(self.learning_rate, "learning_rate", low=0)
        check_scalar_number(self.n_estimators, "n_estimators", low=1, integer=True)
        subsample = check_scalar_number(
            self.subsample, "subsample", low=0, include_low=False, high=1
        )
        rng = make_rng(self.random_state)
        tree_params = {
            "max_depth": self.max_depth,
            "min_samples_split": self.min_samples_split,
            "min_samples_leaf": self.min_samples_leaf,
            "max_features": self.max_features,
        }
        model = boost(
            X, Y, self.loss, self.n_estimators, learning_rate, subsample, rng, tree_params
        )
        self.init_raw_prediction_ = model.init
        self.estimators_ = model.trees
        self.leaf_values_ = model.values
        self.train_score_ = model.train_score
        self.n_estimators_ = int(self.n_estimators)
        self.n_trees_per_iteration_ = int(Y.shape[1])
        for name in ("oob_scores_", "oob_improvement_", "oob_score_"):
            self.__dict__.pop(name, None)
        if model.oob is not None:
            self.oob_scores_ = model.oob.scores
            self.oob_improvement_ = model.oob.improvement()
            self.oob_score_ = float(model.oob.scores[-1])

    def _validated_fit(self, X: Any, y: Any, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
        with _numbers_only():
            return validate_data(self, X, y, dtype=np.float64, **kwargs)

    def _staged_raw(self, X: Any, copy: bool = True) -> Iterator[np.ndarray]:
        """``F_m(X)`` after each stage ``m = 1..n_estimators_``, each (n_samples, n_outputs).

        ``copy=False`` yields the same buffer each time, updated in place.
        """
        check_is_fitted(self, "estimators_")
        with _numbers_only():
            X = validate_data(self, X, dtype=np.float64, reset=False)
        raw = np.tile(self.init_raw_prediction_, (X.shape[0], 1))
        for trees, values in zip(self.estimators_, self.leaf_values_, strict=True):
            for k, (tree, value) in enumerate(zip(trees, values, strict=True)):
                raw[:, k] += self.learning_rate * value[tree.tree_.apply(X)]
            yield raw.copy() if copy else raw

    def _raw(self, X: Any) -> np.ndarray:
        """``F(X)`` after the last stage, shape (n_samples, n_outputs)."""
        return deque(self._staged_raw(X, copy=False), maxlen=1)[0]  # the last stage

    @property
    def feature_importances_(self) -> np.ndarray:
        """scikit-learn's boosting importances, shape (n_features_in_,).

        The mean over the trees (single leaves left out) of each tree's *unnormalised*
        impurity decrease per feature, normalised to sum to 1 (all zeros if no tree split).
        """
        check_is_fitted(self, "estimators_")
        grown = [t for t in self.estimators_.ravel() if t.tree_.node_count > 1]
        if not grown:
            return np.zeros(self.n_features_in_)
        mean = np.mean([_impurity_decrease(t) for t in grown], axis=0)
        return mean / mean.sum()


def _impurity_decrease(tree: DecisionTreeRegressor) -> np.ndarray:
    """A tree's total impurity decrease per feature, divided by its root's sample count.

    The tree reports it normalised (divided by its sum); the sum telescopes to
    ``impurity(root) - Σ_leaves (n_leaf / n_root) impurity(leaf)``, so multiplying back is
    exact up to rounding.
    """
    t = tree.tree_
    leaf = t.children_left == -1
    n = t.n_node_samples.astype(np.float64)
    total = t.impurity[0] - np.sum(n[leaf] * t.impurity[leaf]) / n[0]
    return tree.feature_importances_ * total


class GradientBoostingRegressor(RegressorMixin, _BaseGradientBoosting):
    """Gradient boosting for regression with squared error, as scikit-learn's.

    Equals :func:`glassml.ensemble.textbook.gradient_boosting_fit` with
    ``loss="squared_error"`` (fast path: :func:`glassml.ensemble._gradient_boosting.boost`):
    ``F_0 = mean(y)``; each stage fits a depth-``max_depth`` regression tree to the residuals
    ``y - F`` and adds ``learning_rate ×`` its leaf means.

    Parameters
    ----------
    loss : {"squared_error"}, default="squared_error"
    learning_rate : float, default=0.1
        Shrinkage of every stage (>= 0).
    n_estimators : int, default=100
        Number of stages (>= 1).
    subsample : float, default=1.0
        Fraction of the rows (drawn without replacement, anew at each stage) each stage's
        tree is fit on and its leaves are set from; in (0, 1]. Below 1: stochastic gradient
        boosting, with out-of-bag scores.
    max_depth, min_samples_split, min_samples_leaf, max_features : as for the tree
    random_state : None, int or numpy.random.Generator, default=None
        Draws the subsamples and the trees' seeds (see
        :func:`~glassml.ensemble.textbook.gradient_boosting_fit`).

    Attributes
    ----------
    estimators_ : ndarray of shape (n_estimators, 1), DecisionTreeRegressor
    leaf_values_ : ndarray of shape (n_estimators, 1) of ndarray (node_count,)
        Each tree's leaf values (the tree's ``tree_`` is left as grown; prediction reads these).
    init_raw_prediction_ : ndarray of shape (1,)
        ``F_0``; plays the role of scikit-learn's ``init_`` (a ``DummyRegressor``).
    train_score_ : ndarray of shape (n_estimators,)
        ``mean (y - F_m)²`` on the stage's in-bag rows after each stage.
    oob_scores_, oob_improvement_ : ndarray of shape (n_estimators,)
        Only when ``subsample < 1``: the loss on the out-of-bag rows after each stage, and its
        decrease over the previous stage.
    oob_score_ : float
    n_estimators_, n_trees_per_iteration_ : int
    n_features_in_ : int
    feature_importances_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Each tree's splits are those of scikit-learn's trees. scikit-learn grew them with
    ``criterion="friedman_mse"`` before 1.9; 1.9 deprecates that value (and the boosting
    ``criterion`` parameter) and uses ``"squared_error"``, because the two always chose the
    same splits: Friedman's improvement ``n_L n_R / n · (ȳ_L - ȳ_R)²`` *is* the weighted
    variance decrease ``n·Var - n_L·Var_L - n_R·Var_R``. With ``S`` the sum of ``y`` over a
    node, ``n·Var = Σ y² - S²/n``; the ``Σ y²`` terms cancel (the children share the parent's
    samples), leaving ``S_L²/n_L + S_R²/n_R - S²/n``, and with ``S = S_L + S_R``,
    ``n = n_L + n_R`` this is ``n_L n_R / n · (S_L/n_L - S_R/n_R)²`` (tested, with the trees
    node by node).

    NOTE: scikit-learn casts ``X`` to float32 for its trees; glassml keeps float64. Both
    agree to 1e-8 on float32-representable data without tied splits. Where two splits tie
    (two features isolating the same few samples, or, at the first stage of a classifier,
    whose residuals take two values, two equally good partitions), each library's own
    feature order decides, as for :class:`~glassml.tree.DecisionTreeRegressor`.
    """

    _losses = ("squared_error",)

    def __init__(
        self,
        *,
        loss: str = "squared_error",
        learning_rate: float = 0.1,
        n_estimators: int = 100,
        subsample: float = 1.0,
        max_depth: int | None = 3,
        min_samples_split: int = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = None,
        random_state: None | int | np.random.Generator = None,
    ) -> None:
        store_params(self, locals())

    def fit(self, X: Any, y: Any) -> GradientBoostingRegressor:
        """Fit the stages.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : GradientBoostingRegressor
        """

        def fit() -> None:
            X_, y_ = self._validated_fit(X, y, y_numeric=True)
            self._boost(X_, y_.astype(np.float64)[:, None])

        refit_safely(self, fit)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """``F(X)``, shape (n_samples,), for ``X`` of shape (n_samples, n_features_in_)."""
        return self._raw(X)[:, 0]

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """``F_m(X)`` (n_samples,) after each stage ``m``."""
        for raw in self._staged_raw(X):
            yield raw[:, 0]


class GradientBoostingClassifier(ClassifierMixin, _BaseGradientBoosting):
    """Gradient boosting for classification with log loss, as scikit-learn's.

    Equals :func:`glassml.ensemble.textbook.gradient_boosting_fit` with ``loss="log_loss"``.
    Two classes: one tree per stage, fit to ``y - p`` with ``p = sigmoid(F)``; ``K > 2``
    classes: ``K`` trees per stage, tree ``k`` fit to ``y_k - softmax(F)_k``. Leaves are set
    by one Newton step (:func:`~glassml.ensemble.textbook.leaf_value`).

    Parameters
    ----------
    loss : {"log_loss"}, default="log_loss"
    learning_rate, n_estimators, subsample, max_depth, min_samples_split, min_samples_leaf,
    max_features, random_state
        As :class:`GradientBoostingRegressor`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    estimators_ : ndarray of shape (n_estimators, n_trees_per_iteration_)
        ``n_trees_per_iteration_`` is 1 for two classes, ``n_classes_`` otherwise.
    leaf_values_, init_raw_prediction_, train_score_, oob_scores_, oob_improvement_,
    oob_score_, n_estimators_, n_features_in_, feature_importances_
        As :class:`GradientBoostingRegressor`; ``F_0`` is the log-odds of the class prior
        (two classes) or the centred log priors, and ``train_score_`` the binomial deviance
        ``2·mean(log(1 + e^F) - yF)`` or the mean multinomial log loss (scikit-learn's).
    """

    _losses = ("log_loss",)

    def __init__(
        self,
        *,
        loss: str = "log_loss",
        learning_rate: float = 0.1,
        n_estimators: int = 100,
        subsample: float = 1.0,
        max_depth: int | None = 3,
        min_samples_split: int = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = None,
        random_state: None | int | np.random.Generator = None,
    ) -> None:
        store_params(self, locals())

    def fit(self, X: Any, y: Any) -> GradientBoostingClassifier:
        """Fit the stages.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels, at least two distinct.

        Returns
        -------
        self : GradientBoostingClassifier
        """

        def fit() -> None:
            X_, y_ = self._validated_fit(X, y)
            check_classification_targets(y_)
            classes, codes = np.unique(y_, return_inverse=True)
            if classes.shape[0] < 2:
                raise ValueError(f"y must contain at least 2 classes, got 1 class: {classes[0]!r}.")
            Y = np.eye(classes.shape[0])[codes] if classes.shape[0] > 2 else codes[:, None]
            self._boost(X_, Y.astype(np.float64))
            self.classes_ = classes
            self.n_classes_ = int(classes.shape[0])

        refit_safely(self, fit)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """``F(X)``: shape (n_samples,) for two classes (log-odds of ``classes_[1]``), else
        (n_samples, n_classes_)."""
        raw = self._raw(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def _proba(self, raw: np.ndarray) -> np.ndarray:
        if raw.shape[1] == 1:
            p = sigmoid(raw[:, 0])
            return np.column_stack([1 - p, p])
        return softmax(raw, axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes_): ``sigmoid(F)`` or ``softmax(F)``."""
        return self._proba(self._raw(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Natural log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class, shape (n_samples,) (two classes: ``classes_[1]`` if F >= 0)."""
        return self._label(self._raw(X))

    def _label(self, raw: np.ndarray) -> np.ndarray:
        if raw.shape[1] == 1:
            return self.classes_[(raw[:, 0] >= 0).astype(np.intp)]
        return self.classes_[np.argmax(raw, axis=1)]

    def staged_predict(self, X: Any) -> Iterator[np.ndarray]:
        """The predicted classes (n_samples,) after each stage."""
        for raw in self._staged_raw(X):
            yield self._label(raw)

    def staged_predict_proba(self, X: Any) -> Iterator[np.ndarray]:
        """The class probabilities (n_samples, n_classes_) after each stage."""
        for raw in self._staged_raw(X):
            yield self._proba(raw)
