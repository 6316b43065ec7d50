"""glassml.ensemble.textbook: hand-computed pieces, and textbook == estimator.

The boosting estimators must be the textbook's loop: the same trees (node by node) and the
same predictions to 1e-12, for squared error, two and three classes, with and without
subsampling (the same draws). The forest equivalence is in test_forest.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassml.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, textbook

from ._helpers import assert_same_tree, float32_data


def test_bootstrap_sample_draws_with_replacement():
    rows = textbook.bootstrap_sample(1000, 0)
    assert rows.shape == (1000,) and rows.min() >= 0 and rows.max() < 1000
    assert 0.58 < len(np.unique(rows)) / 1000 < 0.68  # about 1 - 1/e = 63% distinct
    np.testing.assert_array_equal(rows, textbook.bootstrap_sample(1000, 0))


def test_subsample_mask_draws_without_replacement():
    mask = textbook.subsample_mask(10, 4, np.random.default_rng(0))
    assert mask.dtype == bool and mask.sum() == 4


def test_initial_raw_prediction_hand_computed():
    y = np.array([[1.0], [3.0], [8.0]])
    np.testing.assert_array_equal(textbook.initial_raw_prediction("squared_error", y), [4.0])
    y01 = np.array([[1.0], [0.0], [0.0], [0.0]])  # prior 1/4: log-odds log(1/3)
    np.testing.assert_allclose(textbook.initial_raw_prediction("log_loss", y01), [np.log(1 / 3)])
    Y = np.eye(3)[[0, 0, 1, 2]]  # priors (1/2, 1/4, 1/4), centred logs
    logs = np.log([0.5, 0.25, 0.25])
    np.testing.assert_allclose(textbook.initial_raw_prediction("log_loss", Y), logs - logs.mean())
    # a class prior of 0 or 1 is clipped to eps (finite log-odds)
    assert np.isfinite(textbook.initial_raw_prediction("log_loss", np.ones((3, 1)))).all()


def test_negative_gradient_and_loss_hand_computed():
    Y = np.array([[1.0], [3.0]])
    raw = np.zeros((2, 1))
    np.testing.assert_array_equal(textbook.negative_gradient("squared_error", Y, raw), Y)
    assert textbook.loss_value("squared_error", Y, raw) == 5.0  # (1 + 9) / 2
    y01 = np.array([[1.0], [0.0]])
    np.testing.assert_array_equal(textbook.negative_gradient("log_loss", y01, raw), [[0.5], [-0.5]])
    assert textbook.loss_value("log_loss", y01, raw) == pytest.approx(2 * np.log(2), rel=1e-15)
    Y3 = np.eye(3)[[0, 2]]
    raw3 = np.zeros((2, 3))
    np.testing.assert_allclose(textbook.negative_gradient("log_loss", Y3, raw3), Y3 - 1 / 3)
    assert textbook.loss_value("log_loss", Y3, raw3) == pytest.approx(np.log(3), rel=1e-15)
    # stable at ±1000 (no overflow, no log(0))
    with np.errstate(all="raise"):
        wrong = np.array([[-1000.0], [1000.0]])  # each sample costs 1000 nats; deviance 2x
        assert textbook.loss_value("log_loss", y01, wrong) == pytest.approx(2000.0, rel=1e-12)
        assert textbook.loss_value("log_loss", y01, -wrong) == 0.0


def test_leaf_value_hand_computed():
    assert textbook.leaf_value("squared_error", np.array([1.0, 2.0, 6.0]), np.zeros(3), 1) == 3.0
    # y = (1, 1), p = (0.5, 0.8): Σ(y - p) / Σ p(1 - p) = 0.7 / 0.41
    value = textbook.leaf_value("log_loss", np.array([0.5, 0.2]), np.array([1.0, 1.0]), 1)
    assert value == pytest.approx(0.7 / 0.41, rel=1e-14)
    # three classes: times (K - 1) / K = 2/3
    value3 = textbook.leaf_value("log_loss", np.array([0.5, 0.2]), np.array([1.0, 1.0]), 3)
    assert value3 == pytest.approx(2 / 3 * 0.7 / 0.41, rel=1e-14)
    # a leaf of certain predictions (p = y): zero Hessian, value 0 instead of 0 / 0
    assert textbook.leaf_value("log_loss", np.array([0.0]), np.array([1.0]), 1) == 0.0


def _assert_boosting_equal(model, est, X):
    assert est.estimators_.shape == (len(model.trees), len(model.trees[0]))
    for stage, values, est_stage, est_values in zip(
        model.trees, model.values, est.estimators_, est.leaf_values_, strict=True
    ):
        for tree, value, est_tree, est_value in zip(
            stage, values, est_stage, est_values, strict=True
        ):
            assert_same_tree(tree, est_tree, rtol=1e-12)
            np.testing.assert_allclose(est_value, value, rtol=1e-12, atol=1e-14)
    raw = textbook.gradient_boosting_raw_predict(model, X)
    est_raw = next(reversed(list(est._staged_raw(X))))
    np.testing.assert_allclose(est_raw, raw, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(est.train_score_, model.train_score, rtol=1e-12)
    np.testing.assert_array_equal(est.init_raw_prediction_, model.init)


@pytest.mark.parametrize("subsample", [1.0, 0.6])
def test_textbook_boosting_equals_regressor(subsample):
    X, y = float32_data(200, 4, 0)
    params = {"n_estimators": 12, "learning_rate": 0.2, "subsample": subsample, "random_state": 4}
    est = GradientBoostingRegressor(max_depth=3, **params).fit(X, y)
    model = textbook.gradient_boosting_fit(X, y[:, None], "squared_error", max_depth=3, **params)
    _assert_boosting_equal(model, est, X)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("subsample", [1.0, 0.7])
def test_textbook_boosting_equals_classifier(n_classes, subsample):
    X, y = float32_data(200, 4, 1, task="classification", n_classes=n_classes)
    params = {"n_estimators": 8, "subsample": subsample, "random_state": 2}
    est = GradientBoostingClassifier(max_depth=2, **params).fit(X, y)
    Y = y[:, None].astype(float) if n_classes == 2 else np.eye(n_classes)[y]
    model = textbook.gradient_boosting_fit(X, Y, "log_loss", max_depth=2, **params)
    _assert_boosting_equal(model, est, X)


def test_fast_leaf_values_equal_textbook_leaf_value_per_leaf():
    from glassml.ensemble._gradient_boosting import leaf_values

    leaves = np.array([1, 1, 3, 3, 3, 4])  # node 0 and 2 are internal (no samples)
    Y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    p = np.array([0.3, 0.6, 0.9, 0.2, 0.5, 1.0])  # leaf 4: p = y = 1, zero Hessian
    residual = Y - p
    for loss, n_outputs in [("squared_error", 1), ("log_loss", 1), ("log_loss", 3)]:
        fast = leaf_values(loss, leaves, residual, Y, n_outputs, 5)
        for leaf in (1, 3, 4):
            here = leaves == leaf
            expected = textbook.leaf_value(loss, residual[here], Y[here], n_outputs)
            assert fast[leaf] == pytest.approx(expected, rel=1e-14, abs=1e-300)
        assert fast[0] == fast[2] == 0.0
    assert leaf_values("log_loss", leaves, residual, Y, 1, 5)[4] == 0.0
