"""CART decision trees (seed 05), scikit-learn compatible and grown level by level."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from glassml._validation import check_option, check_scalar_number, make_rng
from glassml.tree._criteria import ClassCounts, SquaredError
from glassml.tree._draws import FeatureDraws
from glassml.tree._growth import (
    TREE_LEAF,
    TREE_UNDEFINED,
    Tree,
    grow_tree,
    grow_trees,
    restrict_presorted,
)

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "export_text"]

_CRITERIA = ("gini", "entropy", "log_loss")
_MAX_FEATURES_NAMES = ("sqrt", "log2")


class _BaseDecisionTree(BaseEstimator):
    """What both trees share: hyperparameter checks, the fit protocol, apply and the tree."""

    max_depth: int | None
    min_samples_split: int
    min_samples_leaf: int | float
    max_features: int | float | str | None
    random_state: None | int | np.random.Generator
    criterion: str
    tree_: Tree
    n_features_in_: int

    def _check_params(self) -> np.random.Generator:
        """Validate the hyperparameters (before the data); return the random generator."""
        if self.max_depth is not None:
            check_scalar_number(self.max_depth, "max_depth", low=1, integer=True)
        check_scalar_number(self.min_samples_split, "min_samples_split", low=2, integer=True)
        _check_int_or_fraction(self.min_samples_leaf, "min_samples_leaf", include_one=False)
        if isinstance(self.max_features, str):
            check_option(self.max_features, "max_features", _MAX_FEATURES_NAMES)
        elif self.max_features is not None:
            _check_int_or_fraction(self.max_features, "max_features", include_one=True)
        return make_rng(self.random_state)  # a Generator is used as it is, not copied

    def _grow(
        self,
        X: np.ndarray,
        criterion: ClassCounts | SquaredError,
        rng: Any,
        keep: slice | np.ndarray = slice(None),
        presorted: np.ndarray | None = None,
    ) -> dict:
        """Grow the tree on validated data; return the fitted attributes (not yet assigned).

        ``keep`` selects the rows the tree is grown on (the criterion holds their targets):
        rows of weight zero are left out, as scikit-learn does. ``presorted`` (n_features,
        n_samples), optional: every column of ``X`` argsorted (a forest's, shared by its
        trees), so the tree need not sort.
        """
        plan = self._plan(X.shape, rng)
        tree = grow_tree(
            X[keep],
            criterion,
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=plan.pop("min_samples_leaf"),
            max_features=plan["max_features_"],
            feature_order=plan["feature_order_"],
            feature_draws=plan["feature_draws_"],
            presorted=None if presorted is None else restrict_presorted(presorted, keep),
        )
        return plan | {"tree_": tree}

    def _plan(self, shape: tuple[int, int], rng: Any) -> dict:
        """What a fit on data of ``shape`` (n_samples, n_features) draws and resolves first.

        Returns ``min_samples_leaf`` (an int) and the fitted attributes ``max_features_``,
        ``feature_order_`` and ``feature_draws_`` (in this order, two draws from ``rng``).
        """
        n_samples, n_features = shape
        min_samples_leaf = self.min_samples_leaf
        if not isinstance(min_samples_leaf, numbers.Integral):
            min_samples_leaf = math.ceil(min_samples_leaf * n_samples)  # scikit-learn's rule
        max_features = _resolve_max_features(self.max_features, n_features)
        feature_order = rng.permutation(n_features)  # ties: the first in this order wins
        seed = int(rng.integers(0, 2**63))
        # every node draws its own features only when it may not try them all
        draws = FeatureDraws(n_features, seed) if max_features < n_features else None
        return {
            "min_samples_leaf": int(min_samples_leaf),
            "max_features_": max_features,
            "feature_order_": feature_order,
            "feature_draws_": draws,
        }

    def _fit_keeping_state(self, fit_attributes: Any) -> None:
        """Run ``fit_attributes()`` and assign what it returns; on failure, restore ``self``.

        NOTE: validate_data sets n_features_in_ before y is checked; keep the previous state
        so that a failed fit leaves an already fitted model exactly as it was.
        """
        previous = dict(self.__dict__)
        try:
            attributes = fit_attributes()
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise
        for name, value in attributes.items():
            setattr(self, name, value)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Normalised total impurity decrease per feature, shape (n_features_in_,).

        Raises ``NotFittedError`` before ``fit``. See :func:`_feature_importances`.
        """
        check_is_fitted(self, "tree_")
        return _feature_importances(self.tree_, self.n_features_in_)

    def _check_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "tree_")
        with _numbers_only():
            return validate_data(self, X, dtype=np.float64, reset=False)

    def apply(self, X: Any) -> np.ndarray:
        """Index (into ``tree_`` arrays) of the leaf each sample lands in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples,), int
        """
        X = self._check_X(X)  # NotFittedError before tree_ is touched
        return self.tree_.apply(X)

    def get_depth(self) -> int:
        """Depth of the tree: the longest root-to-leaf path (a single leaf has depth 0)."""
        check_is_fitted(self, "tree_")
        return self.tree_.max_depth

    def get_n_leaves(self) -> int:
        """Number of leaves."""
        check_is_fitted(self, "tree_")
        return self.tree_.n_leaves

    def export_text(
        self,
        feature_names: Sequence[str] | None = None,
        *,
        decimals: int = 2,
        show_weights: bool = False,
    ) -> str:
        """The tree as indented text (same layout as ``sklearn.tree.export_text``).

        See :func:`export_text`.
        """
        return export_text(
            self, feature_names=feature_names, decimals=decimals, show_weights=show_weights
        )


@dataclass
class _Prepared:
    """A classification fit's validated data: ``X`` (all rows), the kept rows' class codes
    ``y`` and weights ``w`` (None: no weights), the kept rows ``keep``, ``classes``, the
    criterion's name and the random generator."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    keep: slice | np.ndarray
    classes: np.ndarray
    criterion: str
    rng: Any


def fit_classifiers_together(
    trees: list[DecisionTreeClassifier],
    X: np.ndarray,
    y: np.ndarray,
    sample_weights: list[np.ndarray | None],
    presorted: np.ndarray,
) -> None:
    """Fit ``trees[t]`` as ``trees[t].fit(X, y, sample_weights[t])`` does, all at once.

    For a forest: the trees share their hyperparameters and draw features
    (``max_features`` below the number of features); they are grown together by
    :func:`~glassml.tree._growth.grow_trees`, which gives each the same tree as its own fit
    when the weights are integers (bootstrap counts) or absent. Otherwise, or when the
    trees differ, each is fitted on its own (which draws from ``random_state`` again: the
    trees' ``random_state`` are ints, as a forest's). ``presorted`` (n_features, n_samples):
    every column of ``X`` argsorted. A failure leaves the trees unfitted or as they were.
    """
    data = [tree._prepare(X, y, w) for tree, w in zip(trees, sample_weights, strict=True)]
    plans = [tree._plan(d.X.shape, d.rng) for tree, d in zip(trees, data, strict=True)]
    if not _can_grow_together(trees, data, plans):
        for tree, w in zip(trees, sample_weights, strict=True):
            tree._fit(X, y, w, presorted)
        return
    sizes = np.array([d.y.shape[0] for d in data])
    offsets = np.cumsum(sizes) - sizes
    grown = grow_trees(
        np.concatenate([d.X[d.keep] for d in data]),
        ClassCounts(
            np.concatenate([d.y for d in data]),
            data[0].classes.shape[0],
            data[0].criterion,
            None if data[0].w is None else np.concatenate([d.w for d in data]),
        ),
        sizes,
        np.array([p["feature_draws_"].seed for p in plans], dtype=np.uint64),
        np.concatenate(
            [restrict_presorted(presorted, d.keep) + o for d, o in zip(data, offsets, strict=True)],
            axis=1,
        ),
        max_depth=trees[0].max_depth,
        min_samples_split=trees[0].min_samples_split,
        min_samples_leaf=plans[0]["min_samples_leaf"],
        max_features=plans[0]["max_features_"],
    )
    for tree, d, plan, tree_ in zip(trees, data, plans, grown, strict=True):
        del plan["min_samples_leaf"]
        attributes = {"classes_": d.classes, "n_classes_": int(d.classes.shape[0])} | plan
        for name, value in (attributes | {"tree_": tree_}).items():
            setattr(tree, name, value)


def _can_grow_together(
    trees: list[DecisionTreeClassifier], data: list[_Prepared], plans: list[dict]
) -> bool:
    """Do the trees share everything but their seeds and rows, draw features, and have
    integer weights (or none)? Then growing them together gives each its own tree."""
    shared = {
        (t.max_depth, t.min_samples_split, d.criterion, d.classes.shape[0])
        for t, d in zip(trees, data, strict=True)
    }
    shared_plan = {(p["min_samples_leaf"], p["max_features_"]) for p in plans}
    has_w = {d.w is None for d in data}
    return (
        len(shared) == 1
        and len(shared_plan) == 1
        and len(has_w) == 1
        and all(p["feature_draws_"] is not None for p in plans)
        and all(d.w is None or bool(np.all(d.w == np.floor(d.w))) for d in data)
    )


def _check_int_or_fraction(value: Any, name: str, *, include_one: bool) -> None:
    """Raise unless ``value`` is an int >= 1 or a float in (0, 1) (``(0, 1]`` if include_one)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        check_scalar_number(value, name, low=1, integer=True)
        return
    if not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{name} must be an int >= 1 or a float fraction, got {value!r} of type "
            f"{type(value).__name__}."
        )
    check_scalar_number(value, name, low=0, include_low=False, high=1, include_high=include_one)


def _resolve_max_features(max_features: Any, n_features: int) -> int:
    """Number of features drawn per node (scikit-learn's ``max_features_``)."""
    if max_features is None:
        return n_features
    if max_features == "sqrt":
        return max(1, int(np.sqrt(n_features)))
    if max_features == "log2":
        return max(1, int(np.log2(n_features)))
    if isinstance(max_features, numbers.Integral):
        if int(max_features) > n_features:
            raise ValueError(
                f"max_features must be at most n_features ({n_features}), got {max_features}."
            )
        return int(max_features)
    return max(1, int(max_features * n_features))


class DecisionTreeClassifier(ClassifierMixin, _BaseDecisionTree):
    """A CART classification tree: greedy binary splits that most reduce Gini or entropy.

    Read first :mod:`glassml.tree.textbook`: :func:`~glassml.tree.textbook.build_tree` is the
    seed's recursive algorithm ("for each feature, for each unique value, keep the split with
    the largest information gain; recurse until max depth, too few samples or a pure node").
    This class grows exactly the same tree, node by node (the tests compare them), but fast:
    see *Notes*.

    Parameters
    ----------
    max_depth : int or None, default=None
        Nodes at this depth become leaves (the root has depth 0). ``None``: grow until the
        leaves are pure or too small to split. Must be ``>= 1``.
    min_samples_split : int, default=2
        A node with fewer training samples is not split. Must be ``>= 2``.
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Impurity measure; ``"log_loss"`` is scikit-learn's other name for ``"entropy"``.
    random_state : None, int or numpy.random.Generator, default=None
        Draws ``feature_order_``, the order in which features are tried: when several splits
        reduce the impurity equally, the feature that comes first wins (see *Ties* below),
        and, with ``max_features``, the features each node draws. Fix it (an int) for a
        reproducible tree; ``None`` draws afresh at every fit, as in scikit-learn. Without
        ``max_features`` it changes nothing where the best split of every node is unique.
    min_samples_leaf : int or float, default=1
        A split must leave at least this many training samples in each child (a float in
        ``(0, 1)``: ``ceil(min_samples_leaf * n_samples)``, as scikit-learn).
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        Features drawn at random at each node, the only ones searched: an int ``>= 1``, a
        fraction ``f`` in ``(0, 1]`` (``max(1, int(f · n_features))``), ``"sqrt"``
        (``max(1, int(√n_features))``), ``"log2"`` or None (all). See *Notes* for the draw.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (any sortable type, strings included), sorted.
    n_classes_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` had string column names (e.g. a pandas DataFrame).
    tree_ : glassml.tree._growth.Tree
        The fitted tree as flat arrays (``children_left``, ``children_right``, ``feature``,
        ``threshold``, ``value``, ``class_counts``, ``impurity``, ``n_node_samples``), numbered
        like scikit-learn's ``tree_``.
    feature_order_ : ndarray of shape (n_features_in_,), int
        The permutation of the features drawn from ``random_state``: ties go to the feature
        that comes first in it (when every node tries all features).
    max_features_ : int
        Features drawn per node (scikit-learn's ``max_features_``).
    feature_draws_ : FeatureDraws or None
        Gives every node its random feature order when ``max_features_ < n_features_in_``
        (:class:`glassml.tree._draws.FeatureDraws`); None otherwise.
    feature_importances_ : ndarray of shape (n_features_in_,)
        Total impurity decrease brought by each feature, normalised to sum to 1 (all zeros for
        a tree that is a single leaf); scikit-learn's definition. Computed from ``tree_`` on
        access (``NotFittedError`` before ``fit``).

    Notes
    -----
    Impurity of a node with class proportions ``p_k``:

    - Gini: ``G = 1 - Σ_k p_k²`` (0 when pure, 0.5 at most for two classes);
    - entropy: ``H = -Σ_k p_k log₂ p_k`` (in bits).

    A split sends ``x[feature] <= threshold`` left. Among all features and all thresholds it
    maximises the impurity decrease ``n·I - n_L·I_L - n_R·I_R`` (the seed's "parent impurity
    minus the weighted average of the children", times ``n``). Candidate thresholds are the
    midpoints ``(x_(i) + x_(i+1)) / 2`` between consecutive sorted distinct values of each
    feature: the same partitions as trying every unique value, as scikit-learn does.

    The search is vectorised: each feature is sorted once, prefix class counts (``cumsum``)
    give the children's counts for every threshold at once, and all nodes of one depth are
    split together (see :mod:`glassml.tree._growth`). A depth costs
    ``O(n_features · n_samples · n_classes)`` after an ``O(n_features · n log n)`` sort,
    where the textbook's recursion costs ``O(n_features · n_samples · unique values)`` per
    node: about 1000x faster on 2000 x 10 samples at depth 8.

    Growth stops at a node that is at ``max_depth``, has fewer than ``min_samples_split``
    (or ``2 · min_samples_leaf``) samples, is pure, or has no valid split among its drawn
    features; these rules, and the leaf values, are scikit-learn's.

    ``max_features``: each node draws features without replacement in its own random order
    until ``max_features_`` are drawn *and* one of them takes two values in the node (a
    constant feature counts as drawn, but drawing goes on while all drawn ones are constant:
    scikit-learn's loop in ``_splitter.pyx``), and searches only those; ties go to the one
    drawn first. scikit-learn draws from its own generator, one node after another; glassml
    computes each node's order from one seed and the node's path from the root
    (:mod:`glassml.tree._draws`), so that the level-wise engine and the recursive textbook
    draw the same features at the same node. The draws are as random, not the same numbers.

    Ties: when several splits reduce the impurity equally (up to rounding: a relative
    ``1e-12``), the feature that comes first in ``feature_order_`` wins, then the lowest
    threshold -- the textbook's rule "the first split tried wins" with features tried in
    that order. scikit-learn also tries the features in a random order drawn from
    ``random_state``, but draws a new order at every node with its own generator, so on data
    with tied splits the two trees can differ while reducing impurity by the same amount;
    where every node has a single best split they are identical (the tests compare ``tree_``
    node by node).

    NOTE: scikit-learn converts ``X`` to float32 before fitting; glassml keeps float64. On
    float64 data whose values differ below float32 resolution, thresholds (and occasionally
    splits) differ. Like scikit-learn, values closer than ``1e-7`` are treated as equal.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    >>> tree.get_depth(), tree.get_n_leaves()
    (2, 3)
    """

    def __init__(
        self,
        max_depth: int | None = None,
        min_samples_split: int = 2,
        criterion: str = "gini",
        random_state: None | int | np.random.Generator = None,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = None,
    ) -> None:
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.criterion = criterion
        self.random_state = random_state
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeClassifier:
        """Grow the tree on training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numeric training inputs.
        y : array-like of shape (n_samples,)
            Class labels (ints, strings, ...); continuous targets are rejected.
        sample_weight : array-like of shape (n_samples,), optional
            Finite non-negative weights (None: all 1). Scikit-learn's semantics: class counts
            (hence impurities, ``value`` and ``feature_importances_``) are weighted, while
            ``min_samples_split`` / ``min_samples_leaf`` count rows. An integer weight ``k``
            grows the same tree as repeating the row ``k`` times (with the default
            ``min_samples_*``).

        Returns
        -------
        self : DecisionTreeClassifier
        """
        return self._fit(X, y, sample_weight)

    def _fit(
        self, X: Any, y: Any, sample_weight: Any, presorted: np.ndarray | None = None
    ) -> DecisionTreeClassifier:
        """:meth:`fit`, given ``X``'s columns argsorted or not (see ``_grow``)."""

        def fit_attributes() -> dict:
            data = self._prepare(X, y, sample_weight)
            counts = ClassCounts(data.y, data.classes.shape[0], data.criterion, data.w)
            fitted = self._grow(data.X, counts, data.rng, data.keep, presorted)
            return {"classes_": data.classes, "n_classes_": int(data.classes.shape[0])} | fitted

        self._fit_keeping_state(fit_attributes)
        return self

    def _prepare(self, X: Any, y: Any, sample_weight: Any) -> _Prepared:
        """Validate parameters and data (setting ``n_features_in_``): what a fit grows on."""
        rng = self._check_params()  # NOTE: not sklearn's _validate_params, left alone
        check_option(self.criterion, "criterion", _CRITERIA)
        with _numbers_only():
            X_valid, y_valid = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y_valid)
        weights = _check_weights(sample_weight, X_valid)
        classes, y_encoded = np.unique(y_valid, return_inverse=True)
        keep = _weighted_rows(weights)
        return _Prepared(
            X=X_valid,
            y=y_encoded.astype(np.intp)[keep],
            w=None if weights is None else weights[keep],
            keep=keep,
            classes=classes,
            criterion="entropy" if self.criterion == "log_loss" else self.criterion,
            rng=rng,
        )

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: the class fractions of the training samples in each leaf.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples, n_classes_)
            Columns follow ``classes_``; rows sum to 1.
        """
        leaves = self.apply(X)  # validates first: NotFittedError before tree_ is touched
        return self.tree_.value[leaves]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Natural log of :meth:`predict_proba` (``-inf`` for a class absent from the leaf).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples, n_classes_)
            Columns follow ``classes_``.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):  # log(0) = -inf, as scikit-learn returns
            return np.log(proba)

    def predict(self, X: Any) -> np.ndarray:
        """Majority class of the leaf each sample lands in (ties: the first in ``classes_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        leaves = self.apply(X)  # validates first: NotFittedError before tree_ is touched
        # the majority class of every node, once, then one lookup per sample
        return self.classes_[np.argmax(self.tree_.value, axis=1)][leaves]


class DecisionTreeRegressor(RegressorMixin, _BaseDecisionTree):
    """A CART regression tree: greedy binary splits that most reduce the squared error.

    Read first :mod:`glassml.tree.textbook`: ``build_tree(..., criterion="squared_error")``
    is the recursive algorithm; this class grows the same tree node by node with the
    level-wise engine shared with :class:`DecisionTreeClassifier`
    (:mod:`glassml.tree._growth`), the node statistics being ``(n, Σy, Σ(y - ȳ)²)``
    (:class:`glassml.tree._criteria.SquaredError`).

    Parameters
    ----------
    criterion : {"squared_error"}, default="squared_error"
        The impurity of a node is the variance of its targets, ``(1/n) Σ (y_i - ȳ)²``.
    max_depth : int or None, default=None
        Nodes at this depth become leaves (the root has depth 0). Must be ``>= 1``.
    min_samples_split : int, default=2
        A node with fewer training samples is not split. Must be ``>= 2``.
    min_samples_leaf : int or float, default=1
        As in :class:`DecisionTreeClassifier`.
    max_features : int, float, {"sqrt", "log2"} or None, default=None
        As in :class:`DecisionTreeClassifier` (the draw is described there).
    random_state : None, int or numpy.random.Generator, default=None
        Draws ``feature_order_`` (ties) and the per-node feature draws.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` had string column names.
    tree_ : glassml.tree._growth.Tree
        The fitted tree as flat arrays, numbered like scikit-learn's ``tree_``. ``value`` has
        shape ``(node_count, 1)``: the mean target of each node's training samples (what
        scikit-learn stores in ``tree_.value[:, 0, :]``); ``impurity`` is their variance;
        ``class_counts`` is None.
    feature_order_, max_features_, feature_draws_
        As in :class:`DecisionTreeClassifier`.
    feature_importances_ : ndarray of shape (n_features_in_,)
        Total variance decrease brought by each feature, normalised to sum to 1 (zeros for a
        single leaf); scikit-learn's definition.

    Notes
    -----
    A split sends ``x[feature] <= threshold`` left and maximises the impurity decrease
    ``n·I - n_L·I_L - n_R·I_R``. With the node's targets centred (``c_i = y_i - ȳ``) and
    ``S_L`` the sum of the left ``c``, that decrease is ``S_L² · n / (n_L · n_R)``: one prefix
    sum along each sorted feature scores every threshold at once. A leaf predicts the mean
    of its training targets. Stopping rules, ties and the float32 caveat are those of
    :class:`DecisionTreeClassifier`.

    Examples
    --------
    >>> X = [[1.0], [2.0], [3.0], [4.0]]
    >>> reg = DecisionTreeRegressor(max_depth=1).fit(X, [1.0, 2.0, 6.0, 8.0])
    >>> reg.predict([[0.0], [10.0]]).tolist()
    [1.5, 7.0]
    """

    def __init__(
        self,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int = 2,
        min_samples_leaf: int | float = 1,
        max_features: int | float | str | None = None,
        random_state: None | int | np.random.Generator = None,
    ) -> None:
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeRegressor:
        """Grow the tree on training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numeric training inputs.
        y : array-like of shape (n_samples,)
            Finite real targets.
        sample_weight : array-like of shape (n_samples,), optional
            Finite non-negative weights (None: all 1): weighted means and variances, rows
            counted by ``min_samples_*`` (scikit-learn's semantics, see
            :meth:`DecisionTreeClassifier.fit`).

        Returns
        -------
        self : DecisionTreeRegressor
        """
        return self._fit(X, y, sample_weight)

    def _fit(
        self, X: Any, y: Any, sample_weight: Any, presorted: np.ndarray | None = None
    ) -> DecisionTreeRegressor:
        """:meth:`fit`, given ``X``'s columns argsorted or not (see ``_grow``)."""

        def fit_attributes() -> dict:
            rng = self._check_params()  # NOTE: not sklearn's _validate_params, left alone
            check_option(self.criterion, "criterion", ("squared_error",))
            with _numbers_only():
                X_valid, y_valid = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
            weights = _check_weights(sample_weight, X_valid)
            keep = _weighted_rows(weights)
            y_float = np.ascontiguousarray(y_valid[keep], dtype=np.float64)
            w_kept = None if weights is None else weights[keep]
            return self._grow(X_valid, SquaredError(y_float, w_kept), rng, keep, presorted)

        self._fit_keeping_state(fit_attributes)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Mean training target of the leaf each sample lands in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        leaves = self.apply(X)  # validates first: NotFittedError before tree_ is touched
        return self.tree_.value[leaves, 0]


@contextmanager
def _numbers_only() -> Iterator[None]:
    """Re-raise NumPy's "could not convert string to float" with the argument's name."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        if "could not convert" in str(exc) or "argument must be" in str(exc):
            raise type(exc)(f"X must contain only numbers; {exc}") from exc
        raise


def _check_weights(sample_weight: Any, X: np.ndarray) -> np.ndarray | None:
    """``sample_weight`` as a float64 array of shape (n_samples,), or None.

    scikit-learn's check (1-D, one per row of ``X``, finite, non-negative, not all zero);
    its messages name ``sample_weight``.
    """
    if sample_weight is None:
        return None
    return np.ascontiguousarray(
        _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    )


def _weighted_rows(weights: np.ndarray | None) -> slice | np.ndarray:
    """The rows a tree is grown on: all, or those of positive weight (scikit-learn's rule)."""
    if weights is None or np.all(weights > 0):
        return slice(None)
    return np.flatnonzero(weights > 0)


def _feature_importances(tree: Tree, n_features: int) -> np.ndarray:
    """Normalised total impurity decrease per feature (scikit-learn's definition).

    Each internal node adds ``W·I - W_L·I_L - W_R·I_R`` to its feature (``W``: the node's
    total sample weight, its size without weights); the totals are divided by the root's
    ``W`` and then by their sum (if positive).
    """
    internal = np.flatnonzero(tree.children_left != TREE_LEAF)
    left = tree.children_left[internal]
    right = tree.children_right[internal]
    n = tree.weighted_n_node_samples
    decrease = (
        n[internal] * tree.impurity[internal]
        - n[left] * tree.impurity[left]
        - n[right] * tree.impurity[right]
    )
    importances = np.bincount(tree.feature[internal], weights=decrease, minlength=n_features)
    importances = importances / n[0]
    total = importances.sum()
    if total > 0:
        importances = importances / total
    return importances


def export_text(
    tree: DecisionTreeClassifier | DecisionTreeRegressor,
    feature_names: Sequence[str] | None = None,
    *,
    decimals: int = 2,
    show_weights: bool = False,
) -> str:
    """A fitted tree as indented text, one line per branch and per leaf.

    Parameters
    ----------
    tree : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted glassml tree.
    feature_names : sequence of str of length n_features_in_, optional
        Names used in the tests; default ``feature_0``, ``feature_1``, ... (or the column names
        seen at fit time).
    decimals : int, default=2
        Digits shown for thresholds (and weights).
    show_weights : bool, default=False
        Also show each leaf's training class counts (classifier only; a regressor's leaves
        show ``value: [mean]``, as scikit-learn).

    Returns
    -------
    str
        For example::

            |--- petal width <= 0.80
            |   |--- class: 0
            |--- petal width >  0.80
            |   |--- class: 1

        The same text as ``sklearn.tree.export_text`` gives for an identical tree.
    """
    if not isinstance(tree, _BaseDecisionTree):
        raise TypeError(
            "tree must be a glassml DecisionTreeClassifier or DecisionTreeRegressor, "
            f"got {type(tree).__name__}."
        )
    check_is_fitted(tree, "tree_")
    check_scalar_number(decimals, "decimals", low=0, integer=True)
    feature_names = _feature_names(tree, feature_names)
    t = tree.tree_
    lines: list[str] = []
    stack: list[tuple[int, int, str]] = [(0, 1, "")]  # (node, depth, line to emit first)
    # Depth-first walk; each internal node emits "<= thr", its left subtree, "> thr", right.
    while stack:
        node, depth, header = stack.pop()
        if header:
            lines.append(header)
            if node < 0:
                continue
        indent = ("|" + " " * 3) * depth
        indent = indent[:-3] + "-" * 3
        if t.feature[node] != TREE_UNDEFINED:
            name = feature_names[t.feature[node]]
            thr = f"{t.threshold[node]:.{decimals}f}"
            stack.append((t.children_right[node], depth + 1, ""))
            stack.append((-1, depth, f"{indent} {name} >  {thr}"))
            stack.append((t.children_left[node], depth + 1, ""))
            lines.append(f"{indent} {name} <= {thr}")
        else:
            lines.append(f"{indent}{_leaf_text(tree, node, decimals, show_weights)}")
    return "\n".join(lines) + "\n"


def _leaf_text(
    tree: DecisionTreeClassifier | DecisionTreeRegressor,
    node: int,
    decimals: int,
    show_weights: bool,
) -> str:
    """What :func:`export_text` prints for a leaf (after the indent)."""
    t = tree.tree_
    if t.class_counts is None:  # regression: the mean
        return f" value: [{t.value[node, 0]:.{decimals}f}]"
    label = tree.classes_[int(np.argmax(t.value[node]))]  # type: ignore[union-attr]
    weights = ""
    if show_weights:
        counts = ", ".join(f"{c:.{decimals}f}" for c in t.class_counts[node])
        weights = f" weights: [{counts}]"
    return f"{weights} class: {label}"


def _feature_names(
    tree: DecisionTreeClassifier | DecisionTreeRegressor, feature_names: Sequence[str] | None
) -> Sequence[str]:
    """The names :func:`export_text` prints: given, seen at fit time, or ``feature_<i>``."""
    if feature_names is None:
        names = getattr(tree, "feature_names_in_", None)
        if names is not None:
            return list(names)
        return [f"feature_{i}" for i in range(tree.n_features_in_)]
    if len(feature_names) != tree.n_features_in_:
        raise ValueError(
            f"feature_names must have {tree.n_features_in_} names (one per feature), "
            f"got {len(feature_names)}."
        )
    return feature_names
