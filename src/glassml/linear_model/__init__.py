"""Linear models fitted from scratch: least squares and logistic regression (seed file 05).

Read :mod:`glassml.linear_model.textbook` first (the seed's normal equation and gradient-descent
loops); the estimators compute the same numbers, faster and more safely.

Both estimators follow the scikit-learn estimator contract, so they work in ``Pipeline`` and
``GridSearchCV``; the tests check they compute what scikit-learn computes.
"""

from glassml.linear_model import textbook
from glassml.linear_model._linear import LinearRegression
from glassml.linear_model._logistic import LogisticRegression

__all__ = ["LinearRegression", "LogisticRegression", "textbook"]
