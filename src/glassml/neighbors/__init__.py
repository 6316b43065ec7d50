"""Nearest-neighbour classification and regression from scratch (seed file 05).

Read first: :mod:`glassml.neighbors.textbook` (``knn_predict``, ``knn_regress``,
``kneighbors``), the seed's algorithm in a few lines. Then :class:`KNNClassifier` and
:class:`KNNRegressor`, the fast estimators that predict exactly what the textbook predicts and
what scikit-learn's ``KNeighborsClassifier`` / ``KNeighborsRegressor(algorithm="brute")``
predict, with ``weights="uniform"`` or ``"distance"``, except where scikit-learn picks another
of several equidistant k-th neighbours (the tiled search lives in the private ``_tiles``
module).
"""

from glassml.neighbors import textbook
from glassml.neighbors._knn import KNNClassifier, KNNRegressor

__all__ = ["KNNClassifier", "KNNRegressor", "textbook"]
