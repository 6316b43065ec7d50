"""Clustering from scratch: K-Means with k-means++ seeding (seed file 05).

Read :mod:`glassml.cluster.textbook` first (``kmeans_plusplus`` and ``lloyd``, written as the
seed explains them). :class:`KMeans` and :func:`kmeans_plusplus` are the fast path: the tests
prove they compute what the textbook functions compute, and that from the same initial centres
:class:`KMeans` computes what ``sklearn.cluster.KMeans(algorithm="lloyd")`` computes.
"""

from glassml.cluster import textbook
from glassml.cluster._kmeans import KMeans, kmeans_plusplus

__all__ = ["KMeans", "kmeans_plusplus", "textbook"]
