"""Linear models fitted from scratch: least squares and logistic regression (seed file 05),
and the regularised models ridge, lasso and elastic net.

Read :mod:`glassml.linear_model.textbook` first (the seed's normal equation and gradient-descent
loops, ridge's closed form, the lasso's coordinate descent); the estimators compute the same
numbers, faster and more safely.

All estimators follow the scikit-learn estimator contract, so they work in ``Pipeline`` and
``GridSearchCV``; the tests check they compute what scikit-learn computes.
"""

from glassml.linear_model import textbook
from glassml.linear_model._elastic_net import ElasticNet, Lasso
from glassml.linear_model._linear import LinearRegression
from glassml.linear_model._logistic import LogisticRegression
from glassml.linear_model._ridge import Ridge

__all__ = ["ElasticNet", "Lasso", "LinearRegression", "LogisticRegression", "Ridge", "textbook"]
