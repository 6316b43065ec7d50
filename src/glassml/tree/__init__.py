"""Decision trees (seed 05): CART classifier and regressor, verified against scikit-learn.

Read first :mod:`glassml.tree.textbook` -- the seed's recursive algorithm (``best_split``,
``build_tree``, ``predict``) -- then the estimator, which grows the same tree fast:

- :class:`DecisionTreeClassifier` — Gini or entropy splits at midpoint thresholds, grown level
  by level with vectorised prefix class counts (:mod:`glassml.tree._growth`); ``predict_proba``,
  ``predict_log_proba``, ``get_depth``, ``get_n_leaves``, ``feature_importances_``,
  ``export_text``.
- :class:`DecisionTreeRegressor` — squared-error splits on the same engine; ``predict``,
  ``apply``, ``get_depth``, ``get_n_leaves``, ``feature_importances_``.
- Both take ``min_samples_leaf`` and ``max_features`` (features drawn per node from
  ``random_state``) as scikit-learn does.
- :func:`export_text` — a fitted tree as indented text.
"""

from glassml.tree import textbook
from glassml.tree.decision_tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    export_text,
)

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "export_text", "textbook"]
