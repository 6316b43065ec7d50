"""Nearest-neighbour classification from scratch (seed file 05).

:class:`KNNClassifier` follows the scikit-learn estimator contract; the tests check it predicts
what ``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")`` predicts.
"""

from glassml.neighbors._knn import KNNClassifier

__all__ = ["KNNClassifier"]
