"""Random forests: bagged glassml trees, grown on joblib threads.

Read :func:`glassml.ensemble.textbook.random_forest_fit` first: the plain loop "for each tree,
draw a bootstrap sample, grow a tree on it". The estimators here grow exactly the same trees
(the tests compare them tree by tree); what they do differently is to run the independent
trees through ``joblib.Parallel(prefer="threads")`` -- NumPy releases the GIL in the trees'
array passes, and a joblib backend (e.g. Dask's) can spread the trees over a cluster as it
does scikit-learn's -- and to sum the trees' predictions into one buffer, in tree order.

Two more things make the forest fit faster without changing a tree (the tests compare them
bit for bit with trees fitted one by one):

- every column of ``X`` is sorted once for all trees; a tree restricts that order to its
  bootstrap rows (:func:`~glassml.tree._growth.restrict_presorted`, ~1.7 ms) instead of
  sorting its ~6300 rows (~4.3 ms, 20 features);
- classification trees are grown :data:`TREES_PER_BATCH` at a time in one level-wise pass
  (:func:`_fit_trees_together`). Profiling one tree (10000 x 20, ``max_features="sqrt"``,
  bootstrap weights, ~23 levels) showed ~0.5-0.7 ms of fixed cost per level (some 150
  NumPy calls on small arrays, with the GIL held), about a third of the tree's time, and
  with ``n_jobs=2`` the two threads spent it waiting for each other; a batch pays it once.

Measured on the shared 2-core machine (100 trees, 10000 x 20, n_jobs=2, ratio to
scikit-learn's time): ``benchmarks/bench_ensemble.py`` 2.62 before (5.56 s against 2.12 s);
after, 1.42 and 1.37 (5.9 s against 4.2-4.3 s: the other core was busy, so neither side ran
in parallel). Interleaved runs with a quieter machine: 48.0 ms against 20.3 ms per tree
before (2.37), 29.7 ms against 19.7 ms after (1.51); n_jobs=2 is now 1.5-1.6x faster than
n_jobs=1. Batches of 5, 10 or 17 trees time the same; 25 is slower. ``make bench`` alone on
the machine (2026-12-01, two runs): 1.47 (3.13 s against 2.13 s) and 1.29 (1.95 s against
1.50 s); the forest regressor (20 trees, not batched) 1.30 and 1.04.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from glassml._validation import check_scalar_number, make_rng
from glassml.ensemble._common import refit_safely, store_params
from glassml.ensemble.textbook import MAX_SEED, bootstrap_sample
from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from glassml.tree.decision_tree import _numbers_only, fit_classifiers_together

__all__ = ["RandomForestClassifier", "RandomForestRegressor"]

#: Classification trees grown together by one job (see :func:`_fit_trees_together`).
TREES_PER_BATCH = 10


def _fit_tree(
    tree: Any, X: np.ndarray, y: np.ndarray, sample_seed: int | None, presorted: np.ndarray
) -> Any:
    """Fit one tree on the bootstrap sample drawn from ``sample_seed`` (None: on all rows).

    The textbook (:func:`~glassml.ensemble.textbook.random_forest_fit`) fits the tree on the
    drawn rows, repeats included. Here, as scikit-learn does, each row is weighted by the
    number of times it was drawn (rows not drawn: weight 0, left out by the tree), so the
    tree grows on the ~63% distinct rows only: the same splits, thresholds and values (a
    row of weight ``k`` counts as ``k`` samples; ``n_node_samples`` then counts distinct
    rows and ``weighted_n_node_samples`` the drawn ones; the tests check the equality tree by
    tree). Measured (``benchmarks/bench_ensemble.py``, 100 trees on 10000 x 20, n_jobs=2, a
    loaded 2-core machine): 2.84x scikit-learn's time on the repeated rows, 1.65x and 2.29x this
    way in two runs (scikit-learn's own time moved from 3.7 s to 2.0 s between them). The
    classifier grows its trees in batches instead (:func:`_fit_trees_together`, same trees).
    """
    return tree._fit(X, y, _bootstrap_weights(X.shape[0], sample_seed), presorted)


def _bootstrap_weights(n_samples: int, sample_seed: int | None) -> np.ndarray | None:
    """How many times the bootstrap sample from ``sample_seed`` draws each row (None: no
    bootstrap), shape (n_samples,), float64."""
    if sample_seed is None:
        return None
    rows = bootstrap_sample(n_samples, sample_seed)
    return np.bincount(rows, minlength=n_samples).astype(np.float64)


def _fit_trees_together(
    trees: list[Any], X: np.ndarray, y: np.ndarray, seeds: list[int | None], presorted: np.ndarray
) -> list[Any]:
    """:func:`_fit_tree` for a batch of classification trees, grown together.

    :func:`~glassml.tree.decision_tree.fit_classifiers_together` grows the batch in one
    level-wise pass: the same trees (bit for bit: integer weights), but the engine's
    per-level cost is paid once per batch instead of once per tree, and every NumPy call
    does more work between two returns to the interpreter, so the threads of ``n_jobs``
    wait less for each other (the GIL).
    """
    weights = [_bootstrap_weights(X.shape[0], seed) for seed in seeds]
    fit_classifiers_together(trees, X, y, weights, presorted)
    return trees


class _BaseForest(BaseEstimator):
    """What both forests share: parameters, the parallel fit, the average over trees."""

    _tree_class: type

    def _check_params(self) -> np.random.Generator:
        """Validate the forest's own parameters (the trees validate theirs)."""
        check_scalar_number(self.n_estimators, "n_estimators", low=1, integer=True)
        if not isinstance(self.bootstrap, bool | np.bool_):
            raise TypeError(f"bootstrap must be True or False, got {self.bootstrap!r}.")
        if self.n_jobs is not None and (
            isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, numbers.Integral)
        ):
            raise TypeError(f"n_jobs must be None or an int, got {self.n_jobs!r}.")
        if self.n_jobs == 0:
            raise ValueError("n_jobs must be None, -1 (all CPUs) or a non-zero int, got 0.")
        return make_rng(self.random_state)

    def _make_tree(self, seed: int) -> Any:
        return self._tree_class(
            criterion=self.criterion,
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            random_state=seed,
        )

    def _fit_forest(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> None:
        """Grow the trees (the draws of :func:`~glassml.ensemble.textbook.random_forest_fit`).

        Every seed is drawn here, before any tree is grown, so the forest is the same for any
        ``n_jobs`` and any joblib backend. On failure nothing is assigned.
        """
        seeds = rng.integers(MAX_SEED, size=(self.n_estimators, 2))  # (tree, bootstrap) seeds
        # each column sorted once for all the trees (ties: any order gives the same trees)
        index_type = np.int32 if X.shape[0] < 2**31 else np.intp
        presorted = np.argsort(X.T, axis=1).astype(index_type, copy=False)
        sample_seeds = [int(b) if self.bootstrap else None for b in seeds[:, 1]]
        if self._tree_class is DecisionTreeClassifier:  # grown in batches (same trees)
            batches = range(0, len(seeds), TREES_PER_BATCH)
            jobs = (
                delayed(_fit_trees_together)(
                    [self._make_tree(int(t)) for t in seeds[a : a + TREES_PER_BATCH, 0]],
                    X,
                    y,
                    sample_seeds[a : a + TREES_PER_BATCH],
                    presorted,
                )
                for a in batches
            )
        else:
            jobs = (
                delayed(_fit_tree)(self._make_tree(int(t)), X, y, b, presorted)
                for t, b in zip(seeds[:, 0], sample_seeds, strict=True)
            )
        trees = Parallel(n_jobs=self.n_jobs, prefer="threads")(jobs)
        if self._tree_class is DecisionTreeClassifier:
            trees = [tree for batch in trees for tree in batch]
        self.estimators_ = list(trees)
        self.estimator_seeds_ = seeds

    def _mean_over_trees(self, predict: Any, X: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """``mean_t predict(tree_t, X)``, summed in tree order (same result for any n_jobs)."""
        total = np.zeros(shape)
        parts = Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")(
            delayed(predict)(tree, X) for tree in self.estimators_
        )
        for part in parts:
            total += part
        return total / len(self.estimators_)

    def _check_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        with _numbers_only():
            return validate_data(self, X, dtype=np.float64, reset=False)

    @property
    def estimators_samples_(self) -> list[np.ndarray]:
        """The rows each tree was grown on (with repeats), regenerated from its bootstrap seed."""
        check_is_fitted(self, "estimators_")
        n_samples = self._n_samples
        if not self.bootstrap:
            return [np.arange(n_samples) for _ in self.estimators_]
        return [bootstrap_sample(n_samples, int(seed)) for seed in self.estimator_seeds_[:, 1]]

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean of the trees' normalised impurity importances, normalised again (n_features_in_,).

        Single-leaf trees are left out, as in scikit-learn; all zeros if every tree is a leaf.
        """
        check_is_fitted(self, "estimators_")
        grown = [t.feature_importances_ for t in self.estimators_ if t.tree_.node_count > 1]
        if not grown:
            return np.zeros(self.n_features_in_)
        mean = np.mean(grown, axis=0)
        return mean / mean.sum()


class RandomForestClassifier(ClassifierMixin, _BaseForest):
    """A random forest of classification trees: bagging plus random feature subsets.

    Equals :func:`glassml.ensemble.textbook.random_forest_fit` with
    :class:`~glassml.tree.DecisionTreeClassifier` trees (tested tree by tree), grown in
    parallel; see :mod:`glassml.ensemble._forest`.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees (>= 1).
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
    max_depth, min_samples_split, min_samples_leaf : as for the tree
    max_features : int, float, "sqrt", "log2" or None, default="sqrt"
        Features each split may look at, drawn anew at every node (see the tree).
    bootstrap : bool, default=True
        Grow each tree on a bootstrap sample (``n_samples`` rows drawn with replacement);
        False: on all rows.
    random_state : None, int or numpy.random.Generator, default=None
        Draws every tree's two seeds up front (see *Notes*).
    n_jobs : int or None, default=None
        Trees grown at once by ``joblib.Parallel(prefer="threads")``; ``None``: 1 unless a
        ``joblib.parallel_backend`` context says otherwise, ``-1``: all CPUs. The fitted forest
        does not depend on it.

    Attributes
    ----------
    estimators_ : list of DecisionTreeClassifier
        The trees, fitted on class codes ``0..n_classes_-1`` (a tree's ``classes_`` may miss
        a class its bootstrap sample missed).
    estimator_seeds_ : ndarray of shape (n_estimators, 2), int
        Per tree: its ``random_state`` and the seed of its bootstrap sample.
    estimators_samples_ : list of ndarray of shape (n_samples,)
        The rows each tree was grown on.
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    feature_importances_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Tree ``t`` is ``DecisionTreeClassifier(random_state=s_t, ...)`` fitted on the rows
    :func:`~glassml.ensemble.textbook.bootstrap_sample` draws from ``b_t``, where
    ``(s_t, b_t) = estimator_seeds_[t]``, all drawn from ``random_state`` before any tree is
    grown. ``predict_proba`` is the mean of the trees' leaf class fractions.

    NOTE: scikit-learn gives its trees the bootstrap counts as sample weights; glassml's trees
    receive the drawn rows themselves (repeats included). Splits, leaf fractions and
    impurities are the same; ``min_samples_split`` / ``min_samples_leaf`` count drawn rows
    here, distinct rows in scikit-learn, and scikit-learn casts ``X`` to float32. The forests
    therefore match scikit-learn's statistically (tested over several seeds), not tree by tree.
    """

    _tree_class = DecisionTreeClassifier

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = "sqrt",
        bootstrap: bool = True,
        random_state: None | int | np.random.Generator = None,
        n_jobs: int | None = None,
    ) -> None:
        store_params(self, locals())

    def fit(self, X: Any, y: Any) -> RandomForestClassifier:
        """Grow the forest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : RandomForestClassifier
        """

        def fit() -> None:
            rng = self._check_params()
            with _numbers_only():
                X_, y_ = validate_data(self, X, y, dtype=np.float64)
            check_classification_targets(y_)
            classes, codes = np.unique(y_, return_inverse=True)
            self._fit_forest(X_, codes.astype(np.intp), rng)
            self.classes_ = classes
            self.n_classes_ = int(classes.shape[0])
            self._n_samples = X_.shape[0]

        refit_safely(self, fit)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean of the trees' class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples, n_classes_)
            Columns follow ``classes_``; rows sum to 1.
        """
        X = self._check_X(X)
        return self._mean_over_trees(_tree_proba(self.n_classes_), X, (X.shape[0], self.n_classes_))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Natural log of :meth:`predict_proba`, shape (n_samples, n_classes_)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest mean probability (ties: the first in ``classes_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # validates first: NotFittedError before classes_
        return self.classes_[np.argmax(proba, axis=1)]


def _tree_proba(n_classes: int) -> Any:
    """``tree, X -> (n_samples, n_classes)`` class fractions, with the tree's classes placed."""

    def proba(tree: DecisionTreeClassifier, X: np.ndarray) -> np.ndarray:
        out = np.zeros((X.shape[0], n_classes))
        out[:, tree.classes_] = tree.tree_.value[tree.tree_.apply(X)]
        return out

    return proba


def _tree_predict(tree: DecisionTreeRegressor, X: np.ndarray) -> np.ndarray:
    return tree.predict(X)


class RandomForestRegressor(RegressorMixin, _BaseForest):
    """A random forest of regression trees: the mean prediction of bagged trees.

    Equals :func:`glassml.ensemble.textbook.random_forest_fit` with
    :class:`~glassml.tree.DecisionTreeRegressor` trees (tested tree by tree), grown in
    parallel. Parameters, attributes and notes as :class:`RandomForestClassifier`, except:

    Parameters
    ----------
    criterion : {"squared_error"}, default="squared_error"
    max_features : int, float, "sqrt", "log2" or None, default=1.0
        scikit-learn's default for regression: every feature at every split, so the trees
        differ only through their bootstrap samples (bagging).
    """

    _tree_class = DecisionTreeRegressor

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = 1.0,
        bootstrap: bool = True,
        random_state: None | int | np.random.Generator = None,
        n_jobs: int | None = None,
    ) -> None:
        store_params(self, locals())

    def fit(self, X: Any, y: Any) -> RandomForestRegressor:
        """Grow the forest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Real targets.

        Returns
        -------
        self : RandomForestRegressor
        """

        def fit() -> None:
            rng = self._check_params()
            with _numbers_only():
                X_, y_ = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
            self._fit_forest(X_, y_.astype(np.float64), rng)
            self._n_samples = X_.shape[0]

        refit_safely(self, fit)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Mean of the trees' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return self._mean_over_trees(_tree_predict, X, (X.shape[0],))
