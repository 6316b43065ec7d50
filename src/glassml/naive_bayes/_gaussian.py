"""Gaussian naive Bayes: the estimator.

Read :mod:`glassml.naive_bayes.textbook` first (``fit``, ``joint_log_likelihood``,
``update_mean_variance``); :class:`GaussianNB` computes the same numbers, see its *Notes* for
what it does differently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from glassml._validation import check_finite_array, check_scalar_number
from glassml.naive_bayes.textbook import update_mean_variance
from glassml.nn.activations import log_softmax

__all__ = ["GaussianNB"]

#: Rows of ``X`` per block in :func:`joint_log_likelihood`: a (rows, n_features) scratch
#: buffer that stays in cache while every class reads it.
BLOCK_ROWS = 2048


class GaussianNB(ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes: per-class normal distributions of independent features.

    The algorithm, written out plainly, is :mod:`glassml.naive_bayes.textbook`; this class
    computes the same means, variances and probabilities (tested to 1e-12), and equals
    ``sklearn.naive_bayes.GaussianNB`` (tested to 1e-10), ``partial_fit`` included.

    Parameters
    ----------
    priors : array-like of shape (n_classes,) or None, default=None
        Class probabilities ``P(c)`` in the order of ``classes_``: non-negative, summing to 1.
        ``None``: the class frequencies of the training data.
    var_smoothing : float, default=1e-9
        ``epsilon_ = var_smoothing · max_j Var(x_j)`` (the largest variance of a feature over
        the whole batch) is added to every variance, for numerical stability. ``>= 0``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    theta_ : ndarray of shape (n_classes, n_features)
        Mean of each feature within each class, ``μ_cj``.
    var_ : ndarray of shape (n_classes, n_features)
        Variance (divided by ``n_c``) of each feature within each class, plus ``epsilon_``.
    class_count_ : ndarray of shape (n_classes,)
        Training samples seen of each class (float, as scikit-learn's).
    class_prior_ : ndarray of shape (n_classes,)
        ``P(c)``: ``priors`` if given, else ``class_count_ / class_count_.sum()``.
    epsilon_ : float
        The smoothing added to every variance (from the last batch seen).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` had string column names.

    Notes
    -----
    ``log P(c | x) = log P(c) - ½ Σ_j log(2π σ²_cj) - ½ Σ_j (x_j - μ_cj)² / σ²_cj - log P(x)``,
    with ``log P(x)`` the log-sum-exp of the rest over the classes.

    **What the fast path does differently.** ``fit`` sorts the samples by class once (a stable
    sort, so each class keeps its rows in order and the textbook's means and variances come out
    bit for bit) instead of masking the data once per class. The likelihood runs over blocks of
    :data:`BLOCK_ROWS` rows: ``(x - μ_c)²`` goes into one cached scratch buffer and a
    matrix-vector product with ``1 / σ²_c`` sums it, instead of three full-size temporaries per
    class.

    **Differences from scikit-learn.** Float32 input is computed in float64; negative sample
    weights are rejected; a zero variance (``var_smoothing=0`` and a feature constant within a
    class) makes the ``predict*`` methods raise ``ValueError`` where scikit-learn returns NaN.

    **partial_fit** follows scikit-learn exactly: means and variances are merged with
    :func:`~glassml.naive_bayes.textbook.update_mean_variance`, and ``epsilon_`` is recomputed
    from each batch. NOTE: like scikit-learn, the next batch subtracts *its own* ``epsilon_``
    from ``var_`` before merging (not the one that was added), so after several batches
    ``var_`` differs from the one-shot ``fit`` by a few ``epsilon_`` (about ``1e-9`` of the
    variance); this is kept for parity with scikit-learn.

    Examples
    --------
    >>> from glassml.naive_bayes import GaussianNB
    >>> X = [[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]]
    >>> nb = GaussianNB().fit(X, ["a", "a", "a", "b", "b", "b"])
    >>> nb.predict([[1.5], [10.5]]).tolist()
    ['a', 'b']
    """

    classes_: np.ndarray
    class_prior_: np.ndarray

    def __init__(self, priors: Any = None, var_smoothing: float = 1e-9) -> None:
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GaussianNB:
        """Fit per-class means, variances and priors (forgetting any earlier fit).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (ints, strings, ...); continuous targets are rejected.
        sample_weight : array-like of shape (n_samples,) or float, optional
            Non-negative weights: a sample of weight 2 counts as two copies of it in the
            means, variances and class counts.

        Returns
        -------
        self : GaussianNB
        """
        return self._fit_batch(X, y, None, sample_weight, first_call=True)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> GaussianNB:
        """Update the model with one more batch of samples (online learning).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), optional
            Every label that can ever appear. Required on the first call; later calls may
            omit it or must repeat the same classes.
        sample_weight : array-like of shape (n_samples,) or float, optional
            Non-negative weights, as in :meth:`fit`.

        Returns
        -------
        self : GaussianNB
        """
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if not first_call and classes is not None:
            if not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
                raise ValueError(
                    f"classes={classes!r} is not the same as on the first call to "
                    f"partial_fit, {self.classes_!r}."
                )
        return self._fit_batch(X, y, classes, sample_weight, first_call=first_call)

    def _fit_batch(
        self, X: Any, y: Any, classes: Any, sample_weight: Any, first_call: bool
    ) -> GaussianNB:
        """Validate, compute the new state into locals, then assign it (or restore on error)."""
        var_smoothing = check_scalar_number(self.var_smoothing, "var_smoothing", low=0)
        previous = dict(self.__dict__)  # NOTE: validate_data sets n_features_in_ early
        try:
            X, y = validate_data(self, X, y, dtype=np.float64, reset=first_call)
            check_classification_targets(y)
            weights = _check_sample_weight(sample_weight, X.shape[0])
            if first_call:
                classes = np.unique(y if classes is None else np.asarray(classes))
                state = _empty_state(len(classes), X.shape[1])
                priors = self._check_priors(len(classes))
            else:  # later batches keep the priors set on the first (as scikit-learn)
                classes, state = self.classes_, self._state()
                priors = None if self.priors is None else self.class_prior_
            y_idx = _class_indices(y, classes)
            epsilon = var_smoothing * float(np.max(X.var(axis=0)))
            theta, var, count = _merge_batch(state, X, y_idx, weights, epsilon, first_call)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise
        self.classes_ = classes
        self.theta_, self.var_, self.class_count_, self.epsilon_ = theta, var, count, epsilon
        self.class_prior_ = count / count.sum() if priors is None else priors
        return self

    def _check_priors(self, n_classes: int) -> np.ndarray | None:
        """``priors`` as a float array of ``n_classes`` non-negative numbers summing to 1."""
        if self.priors is None:
            return None
        priors = check_finite_array(self.priors, "priors", ndim=1)
        if priors.shape[0] != n_classes:
            raise ValueError(
                f"priors must have one entry per class ({n_classes}), got {priors.shape[0]}."
            )
        if np.any(priors < 0):
            raise ValueError(f"priors must be non-negative, got {priors.tolist()}.")
        if not np.isclose(priors.sum(), 1.0):
            raise ValueError(f"priors must sum to 1, got a sum of {float(priors.sum())!r}.")
        return priors

    def _state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of ``(theta_, var_, class_count_)``: a failed update must not touch these."""
        return self.theta_.copy(), self.var_.copy(), self.class_count_.copy()

    def _check_X(self, X: Any) -> np.ndarray:
        """``X`` for the ``predict*`` methods: fitted model first, then the features."""
        check_is_fitted(self, "theta_")
        return validate_data(self, X, dtype=np.float64, reset=False)

    def predict_joint_log_proba(self, X: Any) -> np.ndarray:
        """``log P(c) + log P(x | c)`` for every sample and class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        jll : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        X = self._check_X(X)
        zero = np.argwhere(self.var_ <= 0.0)
        if zero.size:  # NOTE: scikit-learn returns NaN here; a Gaussian needs σ² > 0
            c, j = zero[0]
            label = self.classes_[c]
            label = label.item() if isinstance(label, np.generic) else label
            raise ValueError(
                f"var_[{c}, {j}] is 0: feature {j} is constant within class "
                f"{label!r} and epsilon_ is 0, so its Gaussian density is undefined. "
                "Fit with var_smoothing > 0 on data whose features are not all constant."
            )
        return joint_log_likelihood(X, self.theta_, self.var_, self.class_prior_)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log P(c | x)``, shape (n_samples, n_classes); columns follow ``classes_``.

        The joint log-likelihoods minus their log-sum-exp over the classes (stable: shifted by
        the row maximum, see :func:`glassml.nn.activations.log_softmax`).
        """
        return log_softmax(self.predict_joint_log_proba(X), axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """``P(c | x)``, shape (n_samples, n_classes); rows sum to 1."""
        log_proba = self.predict_log_proba(X)
        with np.errstate(under="ignore"):  # exp(-1e5) = 0 is the right answer, not an error
            return np.exp(log_proba)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample (ties: the first in ``classes_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        jll = self.predict_joint_log_proba(X)  # validates first: NotFittedError
        return self.classes_[jll.argmax(axis=1)]


def _empty_state(n_classes: int, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``theta``, ``var`` (n_classes, n_features) and ``count`` (n_classes,), all zeros."""
    return np.zeros((n_classes, n_features)), np.zeros((n_classes, n_features)), np.zeros(n_classes)


def _class_indices(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Position of each label in ``classes`` (sorted); a label not in it is an error."""
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"y contains labels {unknown.tolist()} that are not in classes {classes.tolist()}."
        )
    return np.searchsorted(classes, y)


def _check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """``None``, or finite non-negative weights of shape (n_samples,) with a positive sum."""
    if sample_weight is None:
        return None
    weights = check_finite_array(sample_weight, "sample_weight", ndim=(0, 1))
    if weights.ndim == 0:  # one number for every sample
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample, got "
            f"{weights.shape}."
        )
    if np.any(weights < 0):
        raise ValueError(f"sample_weight must be non-negative, got a minimum of {weights.min()}.")
    if not np.any(weights > 0):
        raise ValueError("sample_weight must not be all zero: at least one weight must be > 0.")
    return weights


def _merge_batch(
    state: tuple[np.ndarray, np.ndarray, np.ndarray],
    X: np.ndarray,
    y_idx: np.ndarray,
    weights: np.ndarray | None,
    epsilon: float,
    first_call: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge one batch into ``(theta, var, count)`` class by class (scikit-learn's order).

    ``var`` holds variances plus the previous ``epsilon``; as in scikit-learn, the *new*
    ``epsilon`` is taken off before merging and added back after. ``weights``: the sample
    weights (``None``: all 1).
    """
    theta, var, count = state
    if not first_call:
        var -= epsilon
    # One stable sort by class: each class's rows become one contiguous slice, in their order.
    order = np.argsort(y_idx, kind="stable")
    X_sorted = X[order]
    w_sorted = None if weights is None else weights[order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(y_idx, minlength=len(count)))])
    for i in np.flatnonzero(np.diff(bounds)):  # classes present in this batch
        rows = slice(bounds[i], bounds[i + 1])
        w_i = None if w_sorted is None else w_sorted[rows]
        theta[i], var[i] = update_mean_variance(count[i], theta[i], var[i], X_sorted[rows], w_i)
        count[i] += X_sorted[rows].shape[0] if w_i is None else w_i.sum()
    var += epsilon
    return theta, var, count


def joint_log_likelihood(
    X: np.ndarray, theta: np.ndarray, var: np.ndarray, class_prior: np.ndarray
) -> np.ndarray:
    """``log P(c) - ½ Σ_j log(2π σ²_cj) - ½ Σ_j (x_j - μ_cj)² / σ²_cj``, block by block.

    Equals :func:`glassml.naive_bayes.textbook.joint_log_likelihood` (to rounding).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    theta, var : ndarrays of shape (n_classes, n_features)
    class_prior : ndarray of shape (n_classes,)

    Returns
    -------
    jll : ndarray of shape (n_samples, n_classes)
    """
    n_samples, n_features = X.shape
    inv_var = 1.0 / var  # (n_classes, n_features)
    with np.errstate(divide="ignore"):  # a prior of 0 gives log 0 = -inf, as in scikit-learn
        const = np.log(class_prior) - 0.5 * np.sum(np.log(2.0 * np.pi * var), axis=1)
    jll = np.empty((n_samples, theta.shape[0]))
    scratch = np.empty((min(BLOCK_ROWS, n_samples), n_features))
    for start in range(0, n_samples, BLOCK_ROWS):
        block = X[start : start + BLOCK_ROWS]
        buf = scratch[: block.shape[0]]
        for c in range(theta.shape[0]):
            np.subtract(block, theta[c], out=buf)
            np.square(buf, out=buf)  # (x - μ_c)²
            jll[start : start + block.shape[0], c] = buf @ inv_var[c]
    jll *= -0.5
    jll += const
    return jll
