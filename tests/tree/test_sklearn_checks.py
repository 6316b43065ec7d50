"""scikit-learn's own estimator conformance suite, run on glassml's decision trees.

One check is marked as an expected failure, for one instance only: with ``min_samples_leaf=2``
a weight ``k`` is not the row repeated ``k`` times (``min_samples_leaf`` counts rows, scikit-learn's
semantics), so ``check_sample_weight_equivalence_on_dense_data`` fails -- as it does for
scikit-learn's own ``DecisionTreeRegressor(max_features="sqrt", min_samples_leaf=2)``.
(scikit-learn itself skips two: the array-API check unless SCIPY_ARRAY_API is set, and the
pandas check when pandas is not installed.)
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _expected_failures(estimator) -> dict[str, str]:
    if estimator.get_params().get("min_samples_leaf") == 2:
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                "min_samples_leaf counts rows, not weights (scikit-learn's own tree fails too)"
            )
        }
    return {}


@parametrize_with_checks(
    [
        DecisionTreeClassifier(),
        DecisionTreeClassifier(criterion="entropy"),
        DecisionTreeRegressor(),
        DecisionTreeRegressor(max_features="sqrt", min_samples_leaf=2, random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
