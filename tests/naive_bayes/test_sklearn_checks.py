"""scikit-learn's own estimator conformance suite, run on glassml's GaussianNB."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.naive_bayes import GaussianNB


@parametrize_with_checks([GaussianNB(), GaussianNB(var_smoothing=0.0)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
