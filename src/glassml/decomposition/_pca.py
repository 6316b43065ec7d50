"""Principal component analysis: the estimator.

Read :func:`glassml.decomposition.textbook.pca` first; :class:`PCA` computes the same
components, see its *Notes* for what it does differently.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from glassml._validation import check_bool, check_finite_array, check_scalar_number

__all__ = ["PCA"]


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Principal component analysis: project onto the directions of largest variance.

    The algorithm, written out plainly, is :func:`glassml.decomposition.textbook.pca`: centre,
    covariance, eigen-decomposition, sort. This class computes the same components (tested to
    1e-10) and equals ``sklearn.decomposition.PCA`` with its exact solvers (components,
    variances, transforms tested to 1e-8, signs included).

    Parameters
    ----------
    n_components : int, float or None, default=None
        How many components to keep: an int in ``[1, min(n_samples, n_features)]``; a float in
        ``(0, 1)``: the fewest components whose cumulative ``explained_variance_ratio_``
        exceeds it; ``None``: ``min(n_samples, n_features)``.
    whiten : bool, default=False
        Divide the projections by ``sqrt(explained_variance_)`` so that each has unit
        variance.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Unit directions, by decreasing variance; the largest-magnitude entry of each is
        positive.
    explained_variance_ : ndarray of shape (n_components_,)
        Variance along each component (eigenvalues of the covariance, divided by ``n - 1``).
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Share of the total variance (over all ``min(n_samples, n_features)`` directions).
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of the centred data: ``sqrt((n - 1) · explained_variance_)``.
    mean_ : ndarray of shape (n_features,)
    n_components_ : int
    noise_variance_ : float
        Mean variance of the directions left out (0 if none is left out).
    n_samples_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` had string column names.

    Notes
    -----
    **What the fast path does differently.** Two routes, scikit-learn's rule for choosing:

    - ``n_samples >= 10 · n_features`` and ``n_features <= 1000`` (tall data): the covariance
      as one symmetric matrix product ``X_cᵀ X_c / (n - 1)`` (BLAS computes one triangle),
      then ``numpy.linalg.eigh``. The (d, d) problem costs ``O(n d²)`` to build and
      ``O(d³)`` to solve, far less than the SVD of the (n, d) data. scikit-learn's
      ``"covariance_eigh"`` builds ``Xᵀ X - n μ μᵀ`` without centring; glassml centres first
      (one copy of ``X``), which keeps the digits of data far from the origin.
    - otherwise the SVD of the centred data, ``X_c = U S Vᵀ`` (``scipy.linalg.svd``, LAPACK
      ``gesdd``, as scikit-learn's ``"full"``): ``components_ = Vᵀ``, ``explained_variance_ =
      S² / (n - 1)``. It never forms ``X_cᵀ X_c``, whose condition number is the square of
      ``X_c``'s.

    **Differences from scikit-learn.** Only its exact solvers (no randomized or ARPACK SVD,
    no ``"mle"``); ``n_components=0`` is rejected; float32 input is computed and returned in
    float64; for data far from the origin the components are more accurate than
    ``"covariance_eigh"``'s (see above).

    Sign convention: scikit-learn's ``svd_flip(U, Vt, u_based_decision=False)``, which flips
    each row of ``Vt`` so that its largest-magnitude entry is positive.

    Examples
    --------
    >>> import numpy as np
    >>> from glassml.decomposition import PCA
    >>> X = np.array([[-2.0, -2.0], [-1.0, -1.0], [1.0, 1.0], [2.0, 2.0]])
    >>> pca = PCA(n_components=1).fit(X)
    >>> pca.components_.round(6).tolist(), pca.explained_variance_ratio_.tolist()
    ([[0.707107, 0.707107]], [1.0])
    """

    def __init__(self, n_components: int | float | None = None, whiten: bool = False) -> None:
        self.n_components = n_components
        self.whiten = whiten

    def fit(self, X: Any, y: Any = None) -> PCA:
        """Find the principal components of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            At least 2 samples.
        y : ignored

        Returns
        -------
        self : PCA
        """
        check_bool(self.whiten, "whiten")
        previous = dict(self.__dict__)  # NOTE: validate_data sets n_features_in_ early
        try:
            X = validate_data(self, X, dtype=np.float64)
            n_samples, n_features = X.shape
            if n_samples < 2:
                raise ValueError(
                    f"PCA needs at least 2 samples to estimate a variance, got {n_samples} "
                    "sample (n_samples = 1)."
                )
            _check_n_components(self.n_components, n_samples, n_features)
            mean, variances, Vt = _fit_components(X)
            if not variances.sum() > 0:  # NOTE: scikit-learn returns NaN ratios here
                raise ValueError(
                    "X has no variance (every row is the same point): there is no direction "
                    "of largest variance and explained_variance_ratio_ would be 0 / 0."
                )
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise
        self._set_fitted(mean, variances, Vt, n_samples)
        return self

    def _set_fitted(self, mean: np.ndarray, variances: np.ndarray, Vt: np.ndarray, n: int) -> None:
        """Assign every fitted attribute from the full decomposition (validated before)."""
        ratio = variances / variances.sum()
        k = _n_kept(self.n_components, ratio)
        self.mean_ = mean
        self.components_ = np.ascontiguousarray(Vt[:k])
        self.explained_variance_ = variances[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].copy()
        self.singular_values_ = np.sqrt(self.explained_variance_ * (n - 1))
        self.noise_variance_ = float(variances[k:].mean()) if k < len(variances) else 0.0
        self.n_components_ = k
        self.n_samples_ = n

    @property
    def _n_features_out(self) -> int:
        """Output columns, for ``get_feature_names_out`` (``pca0``, ``pca1``, ...)."""
        return int(self.components_.shape[0])

    def transform(self, X: Any) -> np.ndarray:
        """Coordinates of ``X`` along the components, ``(x - mean_) · components_ᵀ``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
            Divided by ``sqrt(explained_variance_)`` (at least float64 eps) if ``whiten``.
        """
        check_is_fitted(self, "components_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        # Project, then centre: X is not copied (scikit-learn's order of operations).
        X_new = X @ self.components_.T
        X_new -= self.mean_ @ self.components_.T
        if self.whiten:
            X_new /= np.maximum(np.sqrt(self.explained_variance_), np.finfo(np.float64).eps)
        return X_new

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """:meth:`fit`, then :meth:`transform` of the same ``X``; shape (n_samples, n_components_)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Back to feature space: ``X · components_ + mean_`` (undoing whitening if set).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Exact only when no variance was dropped.
        """
        check_is_fitted(self, "components_")
        Z = _check_Z(X, self.n_components_)
        components = self.components_
        if self.whiten:
            components = np.sqrt(self.explained_variance_)[:, None] * components
        return Z @ components + self.mean_


def _check_n_components(n_components: Any, n_samples: int, n_features: int) -> None:
    """``None``, an int in ``[1, min(n_samples, n_features)]`` or a float in ``(0, 1)``."""
    if n_components is None:
        return
    high = min(n_samples, n_features)
    if isinstance(n_components, numbers.Integral) and not isinstance(n_components, bool):
        if not 1 <= int(n_components) <= high:
            raise ValueError(
                f"n_components must be in [1, min(n_samples, n_features)] = [1, {high}], got "
                f"{n_components} (for {n_samples} samples and {n_features} features)."
            )
        return
    if isinstance(n_components, numbers.Real) and not isinstance(n_components, bool):
        check_scalar_number(
            n_components, "n_components", low=0, high=1, include_low=False, include_high=False
        )
        return
    raise TypeError(
        "n_components must be None, an int (number of components) or a float in (0, 1) "
        f"(fraction of variance), got {n_components!r}."
    )


def _n_kept(n_components: Any, ratio: np.ndarray) -> int:
    """Components to keep: all, the int given, or the fewest whose cumulative ratio exceeds it."""
    if n_components is None:
        return len(ratio)
    if isinstance(n_components, numbers.Integral):
        return int(n_components)
    # scikit-learn's rule: the first k with cumsum(ratio)[k - 1] > n_components
    k = int(np.searchsorted(np.cumsum(ratio), n_components, side="right")) + 1
    return min(k, len(ratio))


def _check_Z(X: Any, n_components: int) -> np.ndarray:
    """``X`` for :meth:`PCA.inverse_transform`: finite, 2-D, one column per component."""
    Z = check_finite_array(X, "X", ndim=2)
    if Z.shape[1] != n_components:
        raise ValueError(
            f"X has {Z.shape[1]} columns, but PCA has n_components_={n_components} components."
        )
    return Z


def _fit_components(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, every variance (descending) and the matching unit directions (rows, signed).

    Returns
    -------
    mean : ndarray of shape (n_features,)
    variances : ndarray of shape (min(n_samples, n_features),)
    Vt : ndarray of shape (min(n_samples, n_features), n_features)
    """
    n_samples, n_features = X.shape
    mean = X.mean(axis=0)
    X_centered = X - mean
    if n_samples >= 10 * n_features and n_features <= 1000:
        C = X_centered.T @ X_centered  # (d, d), symmetric: numpy calls BLAS syrk
        C /= n_samples - 1
        eigenvalues, eigenvectors = np.linalg.eigh(C)  # ascending
        variances = np.maximum(eigenvalues[::-1], 0.0)  # rounding can give -1e-17 for a 0
        Vt = np.ascontiguousarray(eigenvectors[:, ::-1].T)
    else:
        _, S, Vt = scipy.linalg.svd(X_centered, full_matrices=False, check_finite=False)
        variances = S**2 / (n_samples - 1)
    return mean, variances, _flip_signs(Vt)


def _flip_signs(Vt: np.ndarray) -> np.ndarray:
    """Each row times the sign of its largest-magnitude entry (``svd_flip``, v-based)."""
    biggest = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), biggest])
    Vt *= signs[:, None]
    return Vt
