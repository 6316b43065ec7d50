"""K-Means the way the seed explains it: read this first (seed file 05, "K-Means Clustering").

There are no labels: the goal is to split the data into ``k`` groups of points close together.

* :func:`kmeans_plusplus` picks the starting centres. The first is a random point; each next one
  is point ``x`` with probability proportional to ``D(x)²``, its squared distance to the nearest
  centre chosen so far — so far-away points are likely picks and the centres start spread out.
* :func:`lloyd` then repeats two steps: (1) assign each point to its nearest centre, (2) move each
  centre to the mean of its points. Neither step can increase the *inertia* (the sum of squared
  distances from each point to its centre), so the loop stops — at a local minimum.

This is the readable version; :class:`glassml.cluster.KMeans` runs a vectorised one
(``_kmeans.py``) and the tests prove the two give the same centres (to 1e-12), labels, inertia
and iteration count.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from glassml._validation import make_rng

__all__ = ["kmeans_plusplus", "lloyd"]


def kmeans_plusplus(
    X: ArrayLike, n_clusters: int, random_state: None | int | np.random.Generator = None
) -> tuple[np.ndarray, np.ndarray]:
    """Choose ``n_clusters`` starting centres among the rows of ``X`` by k-means++.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
        ``1 <= n_clusters <= n_samples``.
    random_state : None, int or numpy.random.Generator, default=None

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    indices : ndarray of shape (n_clusters,)
        Row numbers of the chosen points.
    """
    X = np.asarray(X, dtype=np.float64)
    rng = make_rng(random_state)
    n_samples = X.shape[0]
    indices = [int(rng.integers(n_samples))]  # the first centre: any point, uniformly
    for _ in range(1, n_clusters):
        # D(x)²: squared distance from x to the nearest centre chosen so far
        D2 = np.array([min(squared_distance(x, X[c]) for c in indices) for x in X])
        if D2.sum() == 0:  # every point sits on a centre: any choice is as good
            indices.append(int(rng.integers(n_samples)))
            continue
        probabilities = D2 / D2.sum()  # P(x) = D(x)² / Σ D²
        indices.append(int(rng.choice(n_samples, p=probabilities)))
    return X[indices].copy(), np.array(indices, dtype=np.intp)


def lloyd(
    X: ArrayLike, centers: ArrayLike, max_iter: int = 300, tol: float = 1e-4
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Lloyd's algorithm from the given starting centres.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
        Starting centres.
    max_iter : int, default=300
    tol : float, default=1e-4
        Stop when the centres moved less than this: ``Σ_j |c_j,new - c_j,old|² <= tol ×
        mean(var(X, axis=0))`` (scikit-learn's convention: tol is relative to the data's
        spread). The loop also stops when no point changed cluster.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    labels : ndarray of shape (n_samples,)
        Nearest final centre of each point (assigned once more after the loop stops).
    inertia : float
        ``Σᵢ |xᵢ - c_{labelᵢ}|²``.
    n_iter : int
        Number of assign-and-move iterations run.
    """
    X = np.asarray(X, dtype=np.float64)
    centers = np.array(centers, dtype=np.float64)
    tol = tol * np.var(X, axis=0).mean()
    labels_old = None
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - n_iter is returned
        labels = assign_to_nearest(X, centers)  # step 1: each point to its nearest centre
        new_centers = move_to_means(X, labels, centers)  # step 2: each centre to its mean
        shift = np.sum((new_centers - centers) ** 2)
        centers = new_centers
        if labels_old is not None and np.array_equal(labels, labels_old):
            break  # no point changed cluster
        if shift <= tol:
            break  # the centres (almost) stopped moving
        labels_old = labels
    labels = assign_to_nearest(X, centers)
    inertia = sum(squared_distance(X[i], centers[labels[i]]) for i in range(len(X)))
    return centers, labels, float(inertia), n_iter


def squared_distance(x: np.ndarray, c: np.ndarray) -> float:
    """``|x - c|²`` for two points of shape (n_features,)."""
    return float(np.sum((x - c) ** 2))


def assign_to_nearest(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Label of each point, shape (n_samples,): its nearest centre (the lowest index on ties)."""
    return np.array(
        [np.argmin([squared_distance(x, c) for c in centers]) for x in X], dtype=np.intp
    )


def move_to_means(X: np.ndarray, labels: np.ndarray, centers_old: np.ndarray) -> np.ndarray:
    """New centres of shape (n_clusters, n_features): the mean of each cluster's points.

    A cluster with no points takes the point farthest from its own centre (several empty
    clusters take the farthest points in turn, the lowest row number first on ties) — unless
    every point already sits on its centre; a cluster still empty then goes to the centre of the
    largest cluster. These are scikit-learn's rules; they keep all ``k`` clusters in use.
    """
    k = len(centers_old)
    members = [[i for i in range(len(X)) if labels[i] == j] for j in range(k)]
    empty = [j for j in range(k) if not members[j]]
    if empty:
        far = np.array([squared_distance(X[i], centers_old[labels[i]]) for i in range(len(X))])
        if far.max() > 0:
            farthest = np.argsort(-far, kind="stable")[: len(empty)]
            for j, i in zip(empty, farthest, strict=True):
                members[labels[i]].remove(i)
                members[j] = [i]
    sizes = [len(m) for m in members]
    means = [X[m].mean(axis=0) if m else None for m in members]
    largest = means[int(np.argmax(sizes))]
    return np.array([largest if mean is None else mean for mean in means])
