"""Naive Bayes: class-conditional independent features, verified against scikit-learn.

Read first :mod:`glassml.naive_bayes.textbook` (per-class means and variances, the Gaussian
log-likelihood summed feature by feature), then :class:`GaussianNB`, the estimator that
computes the same numbers fast and follows scikit-learn's contract (``fit``, ``partial_fit``,
``predict``, ``predict_proba``, ``predict_log_proba``, ``predict_joint_log_proba``).
"""

from glassml.naive_bayes import textbook
from glassml.naive_bayes._gaussian import GaussianNB

__all__ = ["GaussianNB", "textbook"]
