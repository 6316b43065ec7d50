"""k-nearest neighbours the way the seed explains it: read this first.

    "At prediction time, for each test point, it computes the Euclidean distance to every
    training point, finds the k closest ones, and takes a majority vote."

No tiles, no threads: one query at a time, every distance computed directly. Tie rules (the
same in :class:`~glassml.neighbors.KNNClassifier`):

- equidistant training points are taken in the order of their index (a *stable* sort);
  NOTE: scikit-learn's brute force keeps no such order, so where a tie straddles the k-th
  place it may pick another, equally near, point;
- when several classes get the most votes, the smallest label wins (as in scikit-learn).

Weights (``weights=``, as in scikit-learn): ``"uniform"`` gives each of the k neighbours one
vote; ``"distance"`` gives each the weight ``1 / d``, so nearer neighbours count more, and a
query at distance 0 from some training points uses only those points (weight 1 each, the
others 0), where ``1 / d`` would divide by zero. Regression (:func:`knn_regress`) averages the
neighbours' targets with the same weights.

The fast estimator (:mod:`glassml.neighbors._tiles`) returns exactly what these functions
return; ``tests/neighbors/test_textbook.py`` proves it.

Examples
--------
>>> from glassml.neighbors.textbook import knn_predict
>>> X_train = [[0.0], [1.0], [2.0], [10.0], [11.0]]
>>> knn_predict(X_train, ["a", "a", "a", "b", "b"], [[1.5], [10.5]], k=3).tolist()
['a', 'b']
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from glassml._validation import check_finite_array, check_option, check_scalar_number

__all__ = [
    "k_nearest",
    "kneighbors",
    "knn_predict",
    "knn_predict_proba",
    "knn_regress",
    "knn_votes",
    "neighbor_weights",
]

WEIGHTS = ("uniform", "distance")


def knn_predict(
    X_train: ArrayLike, y_train: ArrayLike, X_query: ArrayLike, k: int, weights: str = "uniform"
) -> np.ndarray:
    """Majority label of the ``k`` nearest training points of every query.

    Parameters
    ----------
    X_train : array-like of shape (n_samples, n_features)
    y_train : array-like of shape (n_samples,)
        Labels of any sortable type (numbers, strings).
    X_query : array-like of shape (n_queries, n_features)
    k : int
        Number of neighbours that vote, ``1 <= k <= n_samples``.
    weights : {"uniform", "distance"}, default="uniform"
        One vote each, or ``1 / d`` each (see the module docstring).

    Returns
    -------
    y_pred : ndarray of shape (n_queries,)
        Ties between classes go to the smallest label.
    """
    classes, votes = knn_votes(X_train, y_train, X_query, k, weights)
    return classes[np.argmax(votes, axis=1)]  # argmax takes the first maximum: smallest label


def knn_predict_proba(
    X_train: ArrayLike, y_train: ArrayLike, X_query: ArrayLike, k: int, weights: str = "uniform"
) -> np.ndarray:
    """Share of the (weighted) votes of the ``k`` nearest that each class receives.

    Parameters are those of :func:`knn_predict`.

    Returns
    -------
    proba : ndarray of shape (n_queries, n_classes)
        Columns in sorted label order; rows sum to 1.
    """
    _, votes = knn_votes(X_train, y_train, X_query, k, weights)
    return votes / votes.sum(axis=1, keepdims=True)


def knn_votes(
    X_train: ArrayLike, y_train: ArrayLike, X_query: ArrayLike, k: int, weights: str = "uniform"
) -> tuple[np.ndarray, np.ndarray]:
    """The votes each class gets from the ``k`` nearest training points of every query.

    Parameters are those of :func:`knn_predict`.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        The sorted labels.
    votes : ndarray of shape (n_queries, n_classes)
        Number of neighbours of each class (``"uniform"``), or the sum of their ``1 / d``.
    """
    X_train, X_query = _check(X_train, X_query, k, weights)
    y_train = _check_y(y_train, X_train.shape[0])
    classes = np.unique(y_train)  # sorted, so the first of the most voted is the smallest
    votes = np.zeros((X_query.shape[0], len(classes)))
    for i, x in enumerate(X_query):
        d2, nearest = k_nearest(X_train, x, k)  # 1. distances to every point, the k closest
        w = neighbor_weights(np.sqrt(d2), weights)  # 2. each neighbour's vote
        for label, w_j in zip(y_train[nearest], w, strict=True):  # 3. count, nearest first
            votes[i, np.searchsorted(classes, label)] += w_j
    return classes, votes


def knn_regress(
    X_train: ArrayLike, y_train: ArrayLike, X_query: ArrayLike, k: int, weights: str = "uniform"
) -> np.ndarray:
    """Weighted mean of the targets of the ``k`` nearest training points of every query.

    Parameters
    ----------
    X_train : array-like of shape (n_samples, n_features)
    y_train : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Real targets.
    X_query : array-like of shape (n_queries, n_features)
    k : int
        ``1 <= k <= n_samples``.
    weights : {"uniform", "distance"}, default="uniform"
        Plain mean, or weights ``1 / d`` (see the module docstring).

    Returns
    -------
    y_pred : ndarray of shape (n_queries,) or (n_queries, n_outputs)
        ``Σ_j w_j y_j / Σ_j w_j`` over the k nearest.
    """
    X_train, X_query = _check(X_train, X_query, k, weights)
    y_train = check_finite_array(y_train, "y_train", ndim=(1, 2))
    _check_y(y_train, X_train.shape[0], ndim=(1, 2))
    y_2d = y_train.reshape(X_train.shape[0], -1)  # (n_samples, n_outputs)
    y_pred = np.empty((X_query.shape[0], y_2d.shape[1]))
    for i, x in enumerate(X_query):
        d2, nearest = k_nearest(X_train, x, k)
        if weights == "uniform":
            y_pred[i] = y_2d[nearest].mean(axis=0)
        else:
            w = neighbor_weights(np.sqrt(d2), weights)
            y_pred[i] = np.sum(y_2d[nearest] * w[:, None], axis=0) / np.sum(w)
    return y_pred.reshape(X_query.shape[0], *y_train.shape[1:])


def neighbor_weights(distances: np.ndarray, weights: str) -> np.ndarray:
    """The weight of each of one query's neighbours, shape (k,), from its distances (k,).

    ``"uniform"``: all 1. ``"distance"``: ``1 / d``; but if some distance is exactly 0, the
    points at distance 0 get weight 1 and all others 0 (scikit-learn's rule).
    """
    if weights == "uniform":
        return np.ones(len(distances))
    if np.any(distances == 0.0):
        return (distances == 0.0).astype(np.float64)  # exact matches decide alone
    return 1.0 / distances


def _check_y(y_train: ArrayLike, n_samples: int, ndim: tuple[int, ...] = (1,)) -> np.ndarray:
    """``y_train`` as an array with one label (or target row) per training sample."""
    y_train = np.asarray(y_train)
    if y_train.ndim not in ndim or y_train.shape[0] != n_samples:
        raise ValueError(
            f"y_train must be {' or '.join(f'{d}-D' for d in ndim)} with one label per row of "
            f"X_train ({n_samples}), got shape {y_train.shape}."
        )
    return y_train


def k_nearest(X_train: np.ndarray, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Squared distances and indices of the ``k`` training points nearest to one query ``x``.

    Parameters
    ----------
    X_train : ndarray of shape (n_samples, n_features)
    x : ndarray of shape (n_features,)
    k : int
        ``1 <= k <= n_samples`` (not checked: the public functions check it).

    Returns
    -------
    d2 : ndarray of shape (k,)
        ``|x - x_i|²``, ascending.
    indices : ndarray of shape (k,)
        Equidistant points in the order of their index.
    """
    d2 = np.sum((X_train - x) ** 2, axis=1)  # squared distance to every training point
    # Ranking on d² ranks on the distance (sqrt is increasing) without rounding two apart ones
    # to one value. "stable": equal distances keep the training order.
    nearest = np.argsort(d2, kind="stable")[:k]
    return d2[nearest], nearest


def kneighbors(X_train: ArrayLike, X_query: ArrayLike, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances to, and indices of, the ``k`` nearest training points of every query.

    Parameters
    ----------
    X_train : array-like of shape (n_samples, n_features)
    X_query : array-like of shape (n_queries, n_features)
    k : int
        Number of neighbours, ``1 <= k <= n_samples``.

    Returns
    -------
    distances : ndarray of shape (n_queries, k)
        Euclidean distances, ascending along each row.
    indices : ndarray of shape (n_queries, k)
        Row numbers into ``X_train``; equidistant points in index order.
    """
    X_train, X_query = _check(X_train, X_query, k, "uniform")
    distances = np.empty((X_query.shape[0], k))
    indices = np.empty((X_query.shape[0], k), dtype=np.intp)
    for i, x in enumerate(X_query):
        d2, indices[i] = k_nearest(X_train, x, k)
        distances[i] = np.sqrt(d2)
    return distances, indices


def _check(
    X_train: ArrayLike, X_query: ArrayLike, k: int, weights: str
) -> tuple[np.ndarray, np.ndarray]:
    """Both point sets as finite 2-D float arrays with as many features; ``k``, ``weights``."""
    X_train = check_finite_array(X_train, "X_train", ndim=2)
    X_query = check_finite_array(X_query, "X_query", ndim=2)
    if X_query.shape[1] != X_train.shape[1]:
        raise ValueError(
            f"X_query must have as many features as X_train ({X_train.shape[1]}), "
            f"got {X_query.shape[1]}."
        )
    check_scalar_number(k, "k", low=1, high=X_train.shape[0], integer=True)
    check_option(weights, "weights", WEIGHTS)
    return X_train, X_query
