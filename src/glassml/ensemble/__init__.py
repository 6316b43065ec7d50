"""Ensembles of trees: random forests and gradient boosting, verified against scikit-learn.

Read first :mod:`glassml.ensemble.textbook` -- bagging / random forests and gradient boosting
as short loops over glassml trees -- then the estimators, which compute the same models:

- :class:`RandomForestClassifier`, :class:`RandomForestRegressor` — trees on bootstrap
  samples with random feature subsets, grown on ``joblib`` threads (:mod:`._forest`);
- :class:`GradientBoostingRegressor` (squared error), :class:`GradientBoostingClassifier`
  (log loss, two or more classes) — scikit-learn's stage-wise boosting with Newton leaf values
  (:mod:`._gradient_boosting`).
"""

from glassml.ensemble import textbook
from glassml.ensemble._forest import RandomForestClassifier, RandomForestRegressor
from glassml.ensemble._gradient_boosting import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
)

__all__ = [
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "textbook",
]
