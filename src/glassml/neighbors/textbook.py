"""k-nearest neighbours the way the seed explains it: read this first.

    "At prediction time, for each test point, it computes the Euclidean distance to every
    training point, finds the k closest ones, and takes a majority vote."

No tiles, no threads: one query at a time, every distance computed directly. Tie rules (the
same in :class:`~glassml.neighbors.KNNClassifier`):

- equidistant training points are taken in the order of their index (a *stable* sort);
  NOTE: scikit-learn's brute force keeps no such order, so where a tie straddles the k-th
  place it may pick another, equally near, point;
- when several classes get the most votes, the smallest label wins (as in scikit-learn).

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

from glassml._validation import check_finite_array, check_scalar_number

__all__ = ["k_nearest", "kneighbors", "knn_predict"]


def knn_predict(X_train: ArrayLike, y_train: ArrayLike, X_query: ArrayLike, k: int) -> np.ndarray:
    """Majority label of the ``k`` nearest training points of every query.

    Parameters
    ----------
    X_train : array-like of shape (n_samples, n_features)
    y_train : array-like of shape (n_samples,)
        Labels of any sortable type (numbers, strings).
    X_query : array-like of shape (n_queries, n_features)
    k : int
        Number of neighbours that vote, ``1 <= k <= n_samples``.

    Returns
    -------
    y_pred : ndarray of shape (n_queries,)
        Ties between classes go to the smallest label.
    """
    X_train, X_query = _check(X_train, X_query, k)
    y_train = np.asarray(y_train)
    if y_train.shape != (X_train.shape[0],):
        raise ValueError(
            f"y_train must be 1-D with one label per row of X_train ({X_train.shape[0]}), "
            f"got shape {y_train.shape}."
        )
    classes = np.unique(y_train)  # sorted, so the first of the most voted is the smallest
    winners = []
    for x in X_query:
        _, nearest = k_nearest(X_train, x, k)  # 1. distances to every point, the k closest
        votes = [np.sum(y_train[nearest] == c) for c in classes]  # 2. one vote each
        winners.append(np.argmax(votes))  # 3. the majority; argmax takes the first maximum
    return classes[np.array(winners, dtype=np.intp)]


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
    X_train, X_query = _check(X_train, X_query, k)
    distances = np.empty((X_query.shape[0], k))
    indices = np.empty((X_query.shape[0], k), dtype=np.intp)
    for i, x in enumerate(X_query):
        d2, indices[i] = k_nearest(X_train, x, k)
        distances[i] = np.sqrt(d2)
    return distances, indices


def _check(X_train: ArrayLike, X_query: ArrayLike, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Both point sets as finite 2-D float arrays with as many features; ``k`` in range."""
    X_train = check_finite_array(X_train, "X_train", ndim=2)
    X_query = check_finite_array(X_query, "X_query", ndim=2)
    if X_query.shape[1] != X_train.shape[1]:
        raise ValueError(
            f"X_query must have as many features as X_train ({X_train.shape[1]}), "
            f"got {X_query.shape[1]}."
        )
    check_scalar_number(k, "k", low=1, high=X_train.shape[0], integer=True)
    return X_train, X_query
