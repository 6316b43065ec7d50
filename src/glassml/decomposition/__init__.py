"""Decomposition: principal component analysis, verified against scikit-learn.

Read first :mod:`glassml.decomposition.textbook` (centre, covariance, eigen-decomposition,
sort), then :class:`PCA`, the estimator that computes the same components fast and follows
scikit-learn's contract (``fit``, ``transform``, ``fit_transform``, ``inverse_transform``).
"""

from glassml.decomposition import textbook
from glassml.decomposition._pca import PCA

__all__ = ["PCA", "textbook"]
