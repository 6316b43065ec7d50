"""Shared data and node-by-node comparison for the ensemble tests."""

from __future__ import annotations

import numpy as np


def assert_same_tree(a, b, rtol: float = 0.0) -> None:
    """Two fitted glassml trees are the same tree: the same nodes, features, thresholds and
    sample counts exactly; node values and impurities exactly too, or to ``rtol`` (trees fit
    on targets that differ by rounding)."""
    assert a.tree_.node_count == b.tree_.node_count
    for name in ("children_left", "children_right", "feature", "threshold", "n_node_samples"):
        np.testing.assert_array_equal(getattr(a.tree_, name), getattr(b.tree_, name), err_msg=name)
    for name in ("value", "impurity"):
        np.testing.assert_allclose(
            getattr(a.tree_, name), getattr(b.tree_, name), rtol=rtol, atol=rtol, err_msg=name
        )


def float32_data(
    n_samples: int, n_features: int, seed: int, *, task: str = "regression", n_classes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Continuous float32-representable ``X`` (scikit-learn's trees see exactly the same
    values) and a target with some signal; no two rows share a value, so splits are not tied
    except by isolating the same few samples."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32).astype(np.float64)
    signal = X[:, 0] + 0.8 * X[:, 1] * X[:, 2] - 0.5 * X[:, 3 % n_features] ** 2
    if task == "regression":
        return X, signal + 0.3 * rng.normal(size=n_samples)
    noisy = signal + 0.5 * rng.normal(size=n_samples)
    edges = np.quantile(noisy, np.linspace(0, 1, n_classes + 1)[1:-1])
    return X, np.searchsorted(edges, noisy)
