"""Gaussian naive Bayes as a textbook writes it.

Read this before :class:`glassml.naive_bayes.GaussianNB`, which computes the same numbers fast.

"Naive" means: given the class ``c``, the features are independent, each a normal distribution
with its own mean ``μ_cj`` and variance ``σ²_cj``. Fitting is counting and averaging, one class
at a time; predicting is Bayes' rule in logs,

    log P(c | x) = log P(c) + Σ_j log N(x_j; μ_cj, σ²_cj) - log P(x),

    log N(x; μ, σ²) = -½ log(2π σ²) - (x - μ)² / (2 σ²).

Every variance gets the same small ``ε = var_smoothing · max_j Var(x_j)`` added (Var over the
whole training set), so that a feature that is constant within one class does not divide by 0.

Examples
--------
>>> import numpy as np
>>> from glassml.naive_bayes.textbook import fit, predict_proba
>>> X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
>>> model = fit(X, [0, 0, 0, 1, 1, 1])
>>> model.theta.ravel().tolist(), model.var.ravel().round(6).tolist()
([1.0, 11.0], [0.666667, 0.666667])
>>> predict_proba(model, [[1.5], [10.5]]).argmax(axis=1).tolist()
[0, 1]
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from glassml._validation import check_finite_array, check_scalar_number

__all__ = [
    "GaussianNBModel",
    "fit",
    "joint_log_likelihood",
    "predict",
    "predict_proba",
    "update_mean_variance",
]


class GaussianNBModel(NamedTuple):
    """What a fitted Gaussian naive Bayes knows (names as in scikit-learn's attributes)."""

    classes: np.ndarray  #: (n_classes,) sorted labels
    theta: np.ndarray  #: (n_classes, n_features) per-class means μ_cj
    var: np.ndarray  #: (n_classes, n_features) per-class variances σ²_cj, ε included
    class_prior: np.ndarray  #: (n_classes,) P(c)
    class_count: np.ndarray  #: (n_classes,) training samples of each class
    epsilon: float  #: the ε added to every variance


def fit(
    X: ArrayLike, y: ArrayLike, var_smoothing: float = 1e-9, priors: ArrayLike | None = None
) -> GaussianNBModel:
    """Per-class means, variances and priors.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    var_smoothing : float, default=1e-9
        ``ε = var_smoothing · max_j Var(x_j)`` is added to every variance.
    priors : array-like of shape (n_classes,), optional
        ``P(c)``; default: the class frequencies ``n_c / n``.

    Returns
    -------
    GaussianNBModel
    """
    X = check_finite_array(X, "X", ndim=2)
    y = np.asarray(y)
    check_scalar_number(var_smoothing, "var_smoothing", low=0)
    classes = np.unique(y)
    n_classes, n_features = len(classes), X.shape[1]
    theta = np.zeros((n_classes, n_features))
    var = np.zeros((n_classes, n_features))
    count = np.zeros(n_classes)
    for i, c in enumerate(classes):
        X_c = X[y == c]  # the training samples of class c
        count[i] = X_c.shape[0]
        theta[i] = X_c.mean(axis=0)  # μ_c
        var[i] = ((X_c - theta[i]) ** 2).mean(axis=0)  # σ²_c: divided by n_c, not n_c - 1
    epsilon = var_smoothing * float(np.max(X.var(axis=0)))
    var += epsilon
    prior = count / count.sum() if priors is None else np.asarray(priors, dtype=np.float64)
    return GaussianNBModel(classes, theta, var, prior, count, epsilon)


def joint_log_likelihood(model: GaussianNBModel, X: ArrayLike) -> np.ndarray:
    """``log P(c) + Σ_j log N(x_j; μ_cj, σ²_cj)`` for every sample and class.

    Parameters
    ----------
    model : GaussianNBModel
    X : array-like of shape (n_samples, n_features)

    Returns
    -------
    jll : ndarray of shape (n_samples, n_classes)
    """
    X = check_finite_array(X, "X", ndim=2)
    jll = np.zeros((X.shape[0], len(model.classes)))
    for n, x in enumerate(X):
        for c in range(len(model.classes)):
            log_density = 0.0
            for j in range(X.shape[1]):
                mu, sigma2 = model.theta[c, j], model.var[c, j]
                log_density += -0.5 * math.log(2.0 * math.pi * sigma2)
                log_density += -((x[j] - mu) ** 2) / (2.0 * sigma2)
            jll[n, c] = math.log(model.class_prior[c]) + log_density
    return jll


def predict_proba(model: GaussianNBModel, X: ArrayLike) -> np.ndarray:
    """``P(c | x)``: the joint likelihoods normalised by ``P(x) = Σ_c P(c) P(x | c)``.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes)
    """
    jll = joint_log_likelihood(model, X)
    # log P(x) by log-sum-exp: shift by the row maximum so that exp cannot overflow
    top = jll.max(axis=1, keepdims=True)
    log_px = top + np.log(np.exp(jll - top).sum(axis=1, keepdims=True))
    return np.exp(jll - log_px)


def predict(model: GaussianNBModel, X: ArrayLike) -> np.ndarray:
    """The class of largest ``P(c | x)`` (ties: the first in ``classes``), shape (n_samples,)."""
    return model.classes[joint_log_likelihood(model, X).argmax(axis=1)]


def update_mean_variance(
    n_past: float,
    mu: np.ndarray,
    var: np.ndarray,
    X_new: np.ndarray,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of old and new samples together, from the old summary alone.

    Chan, Golub and LeVeque's update, used by ``partial_fit``: with ``n`` new samples of mean
    ``m`` and variance ``v``, and ``N = n_past + n``,

        μ' = (n m + n_past μ) / N,
        σ²' = (n_past σ² + n v + (n n_past / N) (μ - m)²) / N.

    With sample weights, ``n`` is their sum and ``m``, ``v`` are the weighted mean and
    variance, ``Σ w x / Σ w`` and ``Σ w (x - m)² / Σ w`` (a weight of 2 counts a sample twice).

    Parameters
    ----------
    n_past : float
        Samples (or total weight) summarised by ``mu`` and ``var`` (0: none).
    mu, var : ndarray of shape (n_features,)
    X_new : ndarray of shape (n_new, n_features)
    sample_weight : ndarray of shape (n_new,), optional

    Returns
    -------
    mu, var : ndarrays of shape (n_features,)
    """
    if X_new.shape[0] == 0:
        return mu, var
    if sample_weight is None:
        n_new = float(X_new.shape[0])
        new_var = X_new.var(axis=0)
        new_mu = X_new.mean(axis=0)
    else:
        n_new = float(sample_weight.sum())
        if np.isclose(n_new, 0.0):  # weights that sum to ~0 carry no information
            return mu, var
        w = sample_weight[:, None]  # (n_new, 1)
        new_mu = (X_new * w).sum(axis=0) / n_new
        new_var = ((X_new - new_mu) ** 2 * w).sum(axis=0) / n_new
    if n_past == 0:
        return new_mu, new_var
    n_total = float(n_past + n_new)
    total_mu = (n_new * new_mu + n_past * mu) / n_total
    # sums of squared differences from each part's own mean, plus the gap between the means
    total_ssd = n_past * var + n_new * new_var + (n_new * n_past / n_total) * (mu - new_mu) ** 2
    return total_mu, total_ssd / n_total
