"""Sample weights in the trees: scikit-learn's semantics, node by node.

- against scikit-learn, with integer and with float weights (thresholds, impurities, values,
  ``weighted_n_node_samples``, importances, predictions to 1e-10; ``n_node_samples`` counts
  the rows of positive weight, as scikit-learn's);
- a weight ``k`` grows the same tree as the row repeated ``k`` times, a weight 0 the same as
  the row removed (also with feature draws and entropy);
- bad weights are rejected naming ``sample_weight``, and a failed fit changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier as SkTree
from sklearn.tree import DecisionTreeRegressor as SkRegressor

from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ._reference import assert_same_tree_as_sklearn, float32_exact


def _data(seed: int, n: int = 120, d: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = float32_exact(rng.normal(size=(n, d)))
    y_reg = X[:, 0] + X[:, 1] * X[:, 2] + 0.3 * rng.normal(size=n)
    y_cls = np.digitize(y_reg, np.quantile(y_reg, [0.33, 0.66]))
    return X, y_cls, y_reg


def _weights(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 100)
    if kind == "integer":
        return rng.integers(0, 4, size=n).astype(np.float64)  # zeros included
    if kind == "positive":
        return rng.integers(1, 5, size=n).astype(np.float64)
    # NOTE: quarters, so that every sum is exact on both sides: with arbitrary floats
    # scikit-learn's pure-node test (impurity <= 2.2e-16) can see rounding noise and split
    return rng.integers(1, 13, size=n) / 4.0 + 0.125


def _assert_weighted_counts(ours, sk) -> None:
    np.testing.assert_allclose(
        ours.tree_.weighted_n_node_samples, sk.tree_.weighted_n_node_samples, rtol=1e-12
    )


# NOTE: positive weights against scikit-learn: rows of weight 0 make many splits isolate the
# same weighted rows, exact ties that scikit-learn breaks by its own random feature order
@pytest.mark.parametrize("kind", ["positive", "float"])
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
@pytest.mark.parametrize("max_depth", [3, 6])
def test_classifier_equals_sklearn_node_by_node(kind, criterion, max_depth):
    X, y, _ = _data(1)
    w = _weights(kind, X.shape[0], 1)
    # min_samples_split: no node of under 16 samples, whose splits can tie (scikit-learn breaks ties
    # by its own random feature order)
    params = {"criterion": criterion, "max_depth": max_depth, "random_state": 0}
    params["min_samples_split"] = 16
    ours = DecisionTreeClassifier(**params).fit(X, y, sample_weight=w)
    sk = SkTree(**params).fit(X, y, sample_weight=w)
    X_test = float32_exact(np.random.default_rng(9).normal(size=(50, X.shape[1])))
    assert_same_tree_as_sklearn(ours, sk, (X, X_test), atol=1e-10)
    _assert_weighted_counts(ours, sk)
    np.testing.assert_allclose(ours.predict_proba(X_test), sk.predict_proba(X_test), atol=1e-10)


@pytest.mark.parametrize("kind", ["integer", "positive", "float"])
@pytest.mark.parametrize("min_samples_leaf", [1, 4])
def test_regressor_equals_sklearn_node_by_node(kind, min_samples_leaf):
    X, _, y = _data(2)
    w = _weights(kind, X.shape[0], 2)
    params = {"max_depth": 6, "min_samples_leaf": min_samples_leaf, "random_state": 0}
    params["min_samples_split"] = 8  # no tied splits of tiny nodes (see above)
    ours = DecisionTreeRegressor(**params).fit(X, y, sample_weight=w)
    sk = SkRegressor(**params).fit(X, y, sample_weight=w)
    X_test = float32_exact(np.random.default_rng(8).normal(size=(50, X.shape[1])))
    assert_same_tree_as_sklearn(ours, sk, (X, X_test), atol=1e-10)
    _assert_weighted_counts(ours, sk)


def _assert_same_as_repeated(weighted, repeated, rtol: float = 1e-12) -> None:
    a, b = weighted.tree_, repeated.tree_
    assert a.node_count == b.node_count
    for name in ("children_left", "children_right", "feature", "threshold"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_allclose(a.weighted_n_node_samples, b.n_node_samples, rtol=0)
    for name in ("value", "impurity"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(
        weighted.feature_importances_, repeated.feature_importances_, rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("criterion", ["gini", "entropy", "squared_error"])
@pytest.mark.parametrize("max_features", [None, 2])
def test_weight_k_is_the_row_repeated_k_times(criterion, max_features):
    X, y_cls, y_reg = _data(3)
    w = _weights("integer", X.shape[0], 3).astype(np.intp)
    if criterion == "squared_error":
        Est, y, params = DecisionTreeRegressor, y_reg, {}
    else:
        Est, y, params = DecisionTreeClassifier, y_cls, {"criterion": criterion}
    params |= {"max_features": max_features, "random_state": 4}
    weighted = Est(**params).fit(X, y, sample_weight=w)
    repeated = Est(**params).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    _assert_same_as_repeated(weighted, repeated)
    assert weighted.tree_.n_node_samples[0] == np.count_nonzero(w)  # zero weights: removed


def test_zero_weights_are_rows_removed():
    X, y, _ = _data(4)
    w = np.ones(X.shape[0])
    w[::3] = 0.0
    a = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=w)
    b = DecisionTreeClassifier(random_state=0).fit(X[w > 0], y[w > 0])
    for name in ("children_left", "feature", "threshold", "n_node_samples", "value"):
        np.testing.assert_array_equal(getattr(a.tree_, name), getattr(b.tree_, name))
    np.testing.assert_array_equal(a.classes_, b.classes_)


def test_unit_weights_equal_no_weights():
    X, y, y_reg = _data(5)
    for Est, target in ((DecisionTreeClassifier, y), (DecisionTreeRegressor, y_reg)):
        a = Est(max_features=2, random_state=0).fit(X, target, sample_weight=np.ones(len(X)))
        b = Est(max_features=2, random_state=0).fit(X, target)
        _assert_same_as_repeated(a, b)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.ones(5), r"sample_weight.shape == \(5,\), expected \(120,\)"),
        (-np.ones(120), "Negative values in data passed to `sample_weight`"),
        (np.full(120, np.nan), "sample_weight contains NaN"),
        (np.ones((120, 2)), "Sample weights must be 1D"),
    ],
)
@pytest.mark.parametrize("Est", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_bad_weights_rejected_and_fitted_model_unchanged(weights, match, Est):
    X, y, _ = _data(6)
    est = Est(random_state=0).fit(X, y)
    before = est.tree_
    with pytest.raises(ValueError, match=match):
        est.fit(X[:, :2], y, sample_weight=weights)
    assert est.tree_ is before and est.n_features_in_ == X.shape[1]
