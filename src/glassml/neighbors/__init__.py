"""Nearest-neighbour classification from scratch (seed file 05).

Read first: :mod:`glassml.neighbors.textbook` (``knn_predict``, ``kneighbors``), the seed's
algorithm in a few lines. Then :class:`KNNClassifier`, the fast estimator that predicts exactly
what the textbook predicts and what ``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")``
predicts, except where scikit-learn picks another of several equidistant k-th neighbours (its
tiled search lives in the private ``_tiles`` module).
"""

from glassml.neighbors import textbook
from glassml.neighbors._knn import KNNClassifier

__all__ = ["KNNClassifier", "textbook"]
