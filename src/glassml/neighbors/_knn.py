"""k-nearest-neighbour classification by brute force, vectorised and chunked (seed file 05)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from glassml._validation import check_positive

__all__ = ["KNNClassifier"]

#: Upper bound, in bytes, on one block of query-to-train distances (float64).
CHUNK_BYTES = 64 * 2**20


class KNNClassifier(ClassifierMixin, BaseEstimator):
    """Majority vote of the ``k`` nearest training points (Euclidean distance).

    "Fitting" only stores the training data; all the work happens in :meth:`predict`.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number ``k`` of neighbours that vote. Must be >= 1 and at most the number of training
        samples.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted distinct labels seen in ``fit`` (any type, strings included).
    n_features_in_ : int
        Number of features seen during ``fit``.
    n_samples_fit_ : int
        Number of stored training samples.

    Notes
    -----
    **Distances.** For a block of queries ``Q`` (m × d) and the training set ``X`` (n × d)::

        D² = |q|² + |x|² - 2 Q Xᵀ           # (m, n), one BLAS matrix product

    with ``|x|²`` computed once in ``fit`` (after centring on the training mean, which leaves
    distances unchanged and keeps the rounding error of the identity small). Rounding can make an exact 0 come out slightly
    negative, so ``D²`` is clipped at 0. Square roots are never taken: they do not change
    which points are nearest.

    **Neighbours.** ``np.argpartition(D², k - 1)`` finds the ``k`` smallest entries of each row
    in O(n), without sorting the row (O(n log n)). Which of several *equidistant* points at
    the k-th place is chosen is unspecified (scikit-learn does not specify it either).

    **Vote and tie rule.** Each neighbour casts one vote; ``predict_proba`` is the vote share
    of each class, ``votes / k``. When several classes have the most votes, the prediction is
    the one that comes **first in** ``classes_`` (the smallest label), the same rule as
    ``scikit-learn``'s ``KNeighborsClassifier``. It is deterministic: the same data always
    gives the same answer.

    **Memory.** Queries are processed in chunks of rows so that one distance block holds at
    most :data:`CHUNK_BYTES` (64 MiB); the extra memory of :meth:`predict` therefore stays
    bounded however many queries there are.

    Examples
    --------
    >>> from glassml.neighbors import KNNClassifier
    >>> X = [[0.0], [1.0], [2.0], [10.0], [11.0]]
    >>> knn = KNNClassifier(n_neighbors=3).fit(X, ["a", "a", "a", "b", "b"])
    >>> knn.predict([[1.5], [10.5]]).tolist()
    ['a', 'b']
    """

    def __init__(self, n_neighbors: int = 5) -> None:
        self.n_neighbors = n_neighbors

    def fit(self, X: Any, y: Any) -> KNNClassifier:
        """Store the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training points; finite numbers.
        y : array-like of shape (n_samples,)
            Class labels (continuous targets are rejected).

        Returns
        -------
        self : KNNClassifier
            The fitted estimator.
        """
        check_positive(self.n_neighbors, "n_neighbors", integer=True)
        # NOTE: check_X_y is stateless; attributes (and n_features_in_) are set only after
        # every check has passed, so a failed refit leaves a fitted model unchanged.
        X_in = X
        X, y = check_X_y(X, y, dtype=np.float64, estimator=self)
        check_classification_targets(y)
        if self.n_neighbors > X.shape[0]:
            raise ValueError(
                f"n_neighbors must be <= the number of training samples, got n_neighbors="
                f"{self.n_neighbors} for {X.shape[0]} samples."
            )
        classes, y_idx = np.unique(y, return_inverse=True)
        validate_data(self, X_in, skip_check_array=True)  # records n_features_in_
        self.classes_ = classes
        # NOTE: distances do not change when every point is shifted by the same vector, but the
        # rounding error of |a|² + |b|² - 2a·b grows with |a|²: centring on the training mean
        # keeps data far from the origin (say all x₀ ≈ 1e8) from losing every digit.
        self._mean = X.mean(axis=0)
        self._X = X - self._mean
        self._X_sq = np.einsum("ij,ij->i", self._X, self._X)  # |x|², (n_samples,)
        self._y_idx = y_idx.astype(np.intp)
        self.n_samples_fit_ = X.shape[0]
        return self

    def _chunks(self, n_queries: int) -> Iterator[slice]:
        rows = max(1, CHUNK_BYTES // (8 * self.n_samples_fit_))
        for start in range(0, n_queries, rows):
            yield slice(start, min(start + rows, n_queries))

    def kneighbors(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Distances to, and indices of, the ``k`` nearest training points, nearest first.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Euclidean distances, ascending along each row.
        indices : ndarray of shape (n_queries, n_neighbors)
            Row numbers into the training data.
        """
        check_is_fitted(self)
        Q = validate_data(self, X, dtype=np.float64, reset=False)
        k = self.n_neighbors
        dist = np.empty((Q.shape[0], k))
        ind = np.empty((Q.shape[0], k), dtype=np.intp)
        for rows in self._chunks(Q.shape[0]):
            D2, idx = self._nearest(Q[rows])
            d2 = np.take_along_axis(D2, idx, axis=1)
            order = np.argsort(d2, axis=1, kind="stable")
            dist[rows] = np.sqrt(np.take_along_axis(d2, order, axis=1))
            ind[rows] = np.take_along_axis(idx, order, axis=1)
        return dist, ind

    def _nearest(self, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Squared distances of a chunk of queries and the (unordered) indices of the k nearest."""
        Q = Q - self._mean
        D2 = Q @ self._X.T  # (m, n_train)
        D2 *= -2.0
        D2 += self._X_sq
        D2 += np.einsum("ij,ij->i", Q, Q)[:, None]
        np.maximum(D2, 0.0, out=D2)  # NOTE: rounding can give -1e-16 for a true 0
        k = self.n_neighbors
        if k == D2.shape[1]:
            idx = np.broadcast_to(np.arange(k), D2.shape)
        else:
            idx = np.argpartition(D2, k - 1, axis=1)[:, :k]  # (m, k), unordered
        return D2, idx

    def _votes(self, X: Any) -> np.ndarray:
        """Vote counts of each class, shape (n_queries, n_classes)."""
        check_is_fitted(self)
        Q = validate_data(self, X, dtype=np.float64, reset=False)
        n_classes = len(self.classes_)
        votes = np.empty((Q.shape[0], n_classes))
        for rows in self._chunks(Q.shape[0]):
            _, idx = self._nearest(Q[rows])
            labels = self._y_idx[idx]  # (m, k) class indices of the neighbours
            m = labels.shape[0]
            # Count votes with one bincount over (row, class) pairs flattened to one index.
            flat = (np.arange(m)[:, None] * n_classes + labels).ravel()
            votes[rows] = np.bincount(flat, minlength=m * n_classes).reshape(m, n_classes)
        return votes

    def predict_proba(self, X: Any) -> np.ndarray:
        """Share of the ``k`` neighbours' votes that each class receives.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes)
            Columns in the order of ``classes_``; rows sum to 1.
        """
        return self._votes(X) / self.n_neighbors

    def predict(self, X: Any) -> np.ndarray:
        """Majority label of the ``k`` nearest neighbours (ties: first class in ``classes_``).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_queries,)
        """
        votes = self._votes(X)
        # argmax returns the first maximum: the tie rule in the class docstring.
        return self.classes_[votes.argmax(axis=1)]
