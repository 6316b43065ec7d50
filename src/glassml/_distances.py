"""The one squared-Euclidean-distance helper shared by K-Means and KNN.

``|x - c|² = |x|² - 2 x·c + |c|²``: one matrix product instead of a difference per pair, the
form every fast nearest-centre and nearest-neighbour search uses. The textbook modules compute
``((x - c) ** 2).sum()`` directly; the tests prove the two agree.
"""

from __future__ import annotations

import numpy as np

__all__ = ["row_norms_sq", "squared_distances"]


def row_norms_sq(X: np.ndarray) -> np.ndarray:
    """``|x|²`` for every row of ``X``, shape (n_samples,)."""
    return np.einsum("ij,ij->i", X, X)


def squared_distances(
    X: np.ndarray, C: np.ndarray, X_sq: np.ndarray | None = None, C_sq: np.ndarray | None = None
) -> np.ndarray:
    """Squared Euclidean distances of shape (n_samples, n_centres), never negative.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    C : ndarray of shape (n_centres, n_features)
    X_sq, C_sq : ndarray of shape (n_samples,) / (n_centres,), optional
        Precomputed :func:`row_norms_sq` of ``X`` / ``C`` (computed when not given).

    Notes
    -----
    NOTE: the expanded form loses digits when ``|x|`` is large compared with ``|x - c|``
    (cancellation); callers centre their data first, and anything that must be exact (ties)
    compares direct differences instead.
    """
    if X_sq is None:
        X_sq = row_norms_sq(X)
    if C_sq is None:
        C_sq = row_norms_sq(C)
    D2 = X @ C.T  # (n_samples, n_centres)
    D2 *= -2.0
    D2 += C_sq
    D2 += X_sq[:, None]
    return np.maximum(D2, 0.0, out=D2)  # NOTE: rounding can give -1e-16 for a true 0
