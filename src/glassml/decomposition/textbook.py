"""Principal component analysis as a textbook writes it.

Read this before :class:`glassml.decomposition.PCA`, which computes the same numbers fast.

1. **Centre** the data: subtract the mean ``μ`` of every feature.
2. **Covariance**: ``C = Σ_i (x_i - μ)(x_i - μ)ᵀ / (n - 1)``, a (d, d) symmetric matrix.
3. **Eigen-decomposition** ``C v = λ v``: each eigenvector ``v`` is a direction, its
   eigenvalue ``λ`` the variance of the data along it.
4. **Sort** by decreasing variance and keep the first ``n_components`` directions: the
   principal components. ``λ / Σλ`` is the share of the total variance each one explains.

An eigenvector is only defined up to sign (``-v`` is one too); the convention here, as in
scikit-learn's ``PCA``, makes the entry of largest magnitude of each component positive.

Examples
--------
>>> import numpy as np
>>> from glassml.decomposition.textbook import pca
>>> X = np.array([[-2.0, -2.0], [-1.0, -1.0], [1.0, 1.0], [2.0, 2.0]])
>>> result = pca(X, n_components=1)
>>> result.components.round(6).tolist(), result.explained_variance.round(6).tolist()
([[0.707107, 0.707107]], [6.666667])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from glassml._validation import check_finite_array, check_scalar_number

__all__ = ["PCAResult", "inverse_transform", "pca", "transform"]


class PCAResult(NamedTuple):
    """The fitted principal components (names as in scikit-learn's attributes)."""

    mean: np.ndarray  #: (n_features,) the feature means μ
    components: np.ndarray  #: (n_components, n_features) unit directions, one per row
    explained_variance: np.ndarray  #: (n_components,) the eigenvalues λ, descending
    explained_variance_ratio: np.ndarray  #: (n_components,) λ / Σ λ (over all eigenvalues)


def pca(X: ArrayLike, n_components: int) -> PCAResult:
    """The ``n_components`` directions of largest variance of ``X``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        At least 2 samples.
    n_components : int
        ``1 <= n_components <= n_features``.

    Returns
    -------
    PCAResult
    """
    X = check_finite_array(X, "X", ndim=2)
    n_samples, n_features = X.shape
    check_scalar_number(n_samples, "n_samples", low=2, integer=True)
    check_scalar_number(n_components, "n_components", low=1, high=n_features, integer=True)
    mean = X.mean(axis=0)  # 1. centre
    X_centered = X - mean
    C = np.zeros((n_features, n_features))  # 2. covariance, one sample at a time
    for x in X_centered:
        C += np.outer(x, x)
    C /= n_samples - 1
    eigenvalues, eigenvectors = np.linalg.eigh(C)  # 3. C v = λ v, columns of eigenvectors
    eigenvalues = np.maximum(eigenvalues, 0.0)  # rounding can make a zero variance -1e-17
    order = np.argsort(eigenvalues)[::-1]  # 4. largest variance first
    components = eigenvectors[:, order].T  # one direction per row
    for v in components:  # sign: the entry of largest magnitude is positive
        if v[np.argmax(np.abs(v))] < 0:
            v *= -1.0
    ratio = eigenvalues[order] / eigenvalues.sum()
    k = n_components
    return PCAResult(mean, components[:k], eigenvalues[order][:k], ratio[:k])


def transform(result: PCAResult, X: ArrayLike) -> np.ndarray:
    """Coordinates of ``X`` along the components: ``(x - μ) · v`` for each component.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_components)
    """
    X = check_finite_array(X, "X", ndim=2)
    return (X - result.mean) @ result.components.T


def inverse_transform(result: PCAResult, Z: ArrayLike) -> np.ndarray:
    """Back to feature space: ``μ + Σ_k z_k v_k`` (exact only if no variance was dropped).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    """
    Z = check_finite_array(Z, "Z", ndim=2)
    return result.mean + Z @ result.components
