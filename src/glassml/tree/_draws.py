"""Random feature orders per node, the same whichever order the nodes are grown in.

With ``max_features`` a tree tries, at every node, features drawn at random without
replacement (scikit-learn's rule, see :func:`glassml.tree.textbook.best_split`). The textbook
tree grows depth first, the fast engine breadth first; so that both draw the same features at
the same node, a node's draw is not taken from a shared stream but computed from the node's
*key* -- a hash of its path from the root -- and one seed drawn from ``random_state``
(a counter-based generator: SplitMix64, Steele, Lea & Flood 2014).

- :meth:`FeatureDraws.orders` gives each node a uniformly random permutation of the features
  (the argsort of one 64-bit hash per (node, feature)): the order in which the node draws them;
- :meth:`FeatureDraws.child_keys` gives the keys of a node's left and right children.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ROOT_KEY", "FeatureDraws"]

#: Key of the root node; every other key is derived from its parent's by ``child_keys``.
ROOT_KEY = 0

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser of ``z + golden``, element-wise on uint64 (wrapping arithmetic)."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


class FeatureDraws:
    """Each node's random order of the features, a function of ``seed`` and the node's key.

    Parameters
    ----------
    n_features : int
    seed : int
        In ``[0, 2**64)``; trees fitted with the same seed draw the same features at the same
        node (``DecisionTree*.fit`` draws it from ``random_state``).
    """

    def __init__(self, n_features: int, seed: int) -> None:
        self.n_features = n_features
        self.seed = np.uint64(seed)

    def orders(self, keys: np.ndarray, seeds: np.ndarray | None = None) -> np.ndarray:
        """Random permutations of ``range(n_features)``, one per node key.

        Parameters
        ----------
        keys : ndarray of shape (n_nodes,), uint64
        seeds : ndarray of shape (n_nodes,), uint64, optional
            Each node's seed (the seed of its tree, when several trees grow together);
            default: ``self.seed`` for all.

        Returns
        -------
        ndarray of shape (n_nodes, n_features), int
            Row ``i``: the features in the order node ``i`` draws them.
        """
        seed = self.seed if seeds is None else np.asarray(seeds, dtype=np.uint64)
        base = _splitmix64(np.asarray(keys, dtype=np.uint64) ^ seed)  # (n_nodes,)
        features = np.arange(self.n_features, dtype=np.uint64)
        priority = _splitmix64(base[:, None] + features * _GOLDEN)  # (n_nodes, n_features)
        return np.argsort(priority, axis=1, kind="stable")

    @staticmethod
    def child_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keys of the left and right children of the nodes with ``keys`` (n_nodes,), uint64."""
        twice = np.asarray(keys, dtype=np.uint64) * np.uint64(2)
        return _splitmix64(twice), _splitmix64(twice + np.uint64(1))
