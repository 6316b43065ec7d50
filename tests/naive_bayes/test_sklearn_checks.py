"""scikit-learn's own estimator conformance suite, run on glassml's GaussianNB.

(Not with ``var_smoothing=0``: the suite's integer data has features constant within a class,
where glassml's predict raises instead of returning NaN.)
"""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.naive_bayes import GaussianNB


@parametrize_with_checks([GaussianNB(), GaussianNB(var_smoothing=1e-3)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
