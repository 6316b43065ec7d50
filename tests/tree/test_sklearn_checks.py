"""scikit-learn's own estimator conformance suite, run on glassml's decision trees.

No check is marked as an expected failure. (scikit-learn itself skips two: the array-API check
unless SCIPY_ARRAY_API is set, and the pandas check when pandas is not installed.)
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor


@parametrize_with_checks(
    [
        DecisionTreeClassifier(),
        DecisionTreeClassifier(criterion="entropy"),
        DecisionTreeRegressor(),
        DecisionTreeRegressor(max_features="sqrt", min_samples_leaf=2, random_state=0),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
