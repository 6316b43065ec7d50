"""scikit-learn's own estimator conformance suite over the classical estimators of this part.

(The decision tree runs the same suite in tests/tree/.)
"""

from __future__ import annotations

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassml.cluster import KMeans
from glassml.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from glassml.neighbors import KNNClassifier

ESTIMATORS = [
    LinearRegression(),
    LinearRegression(solver="gd"),
    LogisticRegression(),
    LogisticRegression(C=1.0, solver="newton"),
    Ridge(),
    Ridge(alpha=0.0, fit_intercept=False),
    Lasso(),
    ElasticNet(),
    ElasticNet(l1_ratio=0.2, selection="random", random_state=0, fit_intercept=False),
    KNNClassifier(),
    KMeans(random_state=0),
]


# NOTE: the suite fits unpenalised models on separable data, where gradient descent keeps
# improving until max_iter; the ConvergenceWarning says so and is expected there.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_convergence_warning_class_is_sklearns():
    # The filter above must name the warning the estimators raise.
    import numpy as np

    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        LogisticRegression(max_iter=1).fit(np.array([[0.0], [1.0]]), [0, 1])
