"""scikit-learn's own estimator conformance suite, run on both KNN estimators and both weights.

(The default KNNClassifier also runs in tests/linear_model/test_sklearn_checks.py.)
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.neighbors import KNNClassifier, KNNRegressor


@parametrize_with_checks(
    [
        KNNClassifier(weights="distance"),
        KNNRegressor(),
        KNNRegressor(n_neighbors=3, weights="distance"),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
