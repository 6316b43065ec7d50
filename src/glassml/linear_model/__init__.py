"""Linear models fitted from scratch: least squares and logistic regression (seed file 05).

Both follow the scikit-learn estimator contract, so they work in ``Pipeline`` and
``GridSearchCV``; the tests check they compute what scikit-learn computes.
"""

from glassml.linear_model._linear import LinearRegression
from glassml.linear_model._logistic import LogisticRegression

__all__ = ["LinearRegression", "LogisticRegression"]
