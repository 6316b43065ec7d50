"""Decision trees (seed 05): a CART classifier, verified against scikit-learn.

- :class:`DecisionTreeClassifier` — Gini or entropy splits at midpoint thresholds, grown level
  by level with vectorised prefix class counts; ``predict_proba``, ``get_depth``,
  ``get_n_leaves``, ``feature_importances_``, ``export_text``.
- :func:`export_text` — a fitted tree as indented text.
"""

from glassml.tree.decision_tree import DecisionTreeClassifier, export_text

__all__ = ["DecisionTreeClassifier", "export_text"]
