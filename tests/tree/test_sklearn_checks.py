"""scikit-learn's own estimator conformance suite, run on glassml's DecisionTreeClassifier.

No check is marked as an expected failure. (scikit-learn itself skips two: the array-API check
unless SCIPY_ARRAY_API is set, and the pandas check when pandas is not installed.)
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.tree import DecisionTreeClassifier


@parametrize_with_checks([DecisionTreeClassifier(), DecisionTreeClassifier(criterion="entropy")])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
