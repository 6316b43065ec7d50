"""Clustering from scratch: K-Means with k-means++ seeding (seed file 05).

:class:`KMeans` follows the scikit-learn estimator contract; the tests check that from the same
initial centres it computes what ``sklearn.cluster.KMeans(algorithm="lloyd")`` computes.
"""

from glassml.cluster import textbook
from glassml.cluster._kmeans import KMeans, kmeans_plusplus

__all__ = ["KMeans", "kmeans_plusplus", "textbook"]
