"""scikit-learn's own estimator conformance suite, run on glassml's PCA."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.decomposition import PCA


@parametrize_with_checks([PCA(), PCA(n_components=1, whiten=True), PCA(n_components=0.9)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
