"""GaussianNB: hand-computed numbers, parity with scikit-learn (fit and partial_fit), bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.naive_bayes import GaussianNB as SkGaussianNB

import glassml.naive_bayes._gaussian as gaussian_module
from glassml.naive_bayes import GaussianNB

ATTRIBUTES = ["theta_", "var_", "class_prior_", "class_count_", "epsilon_"]


def _data(n=400, n_features=5, n_classes=3, seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n)
    scales = rng.uniform(0.2, 5.0, size=n_features)
    X = rng.normal(size=(n, n_features)) * scales + y[:, None] * 0.7 + offset
    Q = rng.normal(size=(150, n_features)) * scales * 1.5 + offset
    return X, y, Q


def _assert_matches_sklearn(ours, ref, Q, rtol=1e-12):
    for name in ATTRIBUTES:
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=rtol, err_msg=name)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        ours.predict_joint_log_proba(Q), ref.predict_joint_log_proba(Q), rtol=1e-10
    )
    np.testing.assert_allclose(
        ours.predict_log_proba(Q), ref.predict_log_proba(Q), rtol=1e-10, atol=1e-10
    )
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))


# --- hand-computed ---------------------------------------------------------------------------


def test_fit_and_likelihood_by_hand():
    # class a: x = 0, 2 (mean 1, variance 1); class b: x = 10, 12, 14 (mean 12, variance 8/3)
    X = np.array([[0.0], [2.0], [10.0], [12.0], [14.0]])
    y = ["a", "a", "b", "b", "b"]
    nb = GaussianNB(var_smoothing=0.0).fit(X, y)
    np.testing.assert_array_equal(nb.theta_, [[1.0], [12.0]])
    np.testing.assert_allclose(nb.var_, [[1.0], [8 / 3]], rtol=1e-15)
    np.testing.assert_array_equal(nb.class_count_, [2.0, 3.0])
    np.testing.assert_allclose(nb.class_prior_, [0.4, 0.6], rtol=1e-15)
    assert nb.epsilon_ == 0.0
    # log P(c) - ½ log(2π σ²) - (x - μ)² / (2σ²) at x = 3
    expected = [
        np.log(0.4) - 0.5 * np.log(2 * np.pi) - 4 / 2,
        np.log(0.6) - 0.5 * np.log(2 * np.pi * 8 / 3) - 81 / (2 * 8 / 3),
    ]
    np.testing.assert_allclose(nb.predict_joint_log_proba([[3.0]]), [expected], rtol=1e-14)
    proba = np.exp(expected) / np.exp(expected).sum()
    np.testing.assert_allclose(nb.predict_proba([[3.0]]), [proba], rtol=1e-12)
    assert nb.predict([[3.0], [11.0]]).tolist() == ["a", "b"]


def test_epsilon_is_var_smoothing_times_the_largest_feature_variance():
    X = np.array([[0.0, 0.0], [0.0, 4.0], [1.0, 0.0], [1.0, 4.0]])  # variances 0.25 and 4
    nb = GaussianNB(var_smoothing=0.01).fit(X, [0, 0, 1, 1])
    assert nb.epsilon_ == pytest.approx(0.04, rel=1e-15)
    np.testing.assert_allclose(nb.var_, [[0.04, 4.04], [0.04, 4.04]], rtol=1e-15)


# --- parity with scikit-learn ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_classes", "n_features", "offset", "var_smoothing"),
    [(2, 1, 0.0, 1e-9), (3, 5, 0.0, 1e-9), (10, 8, 0.0, 1e-9), (4, 3, 1e3, 0.0), (3, 4, -50, 0.1)],
)
def test_fit_matches_sklearn(n_classes, n_features, offset, var_smoothing):
    X, y, Q = _data(n_features=n_features, n_classes=n_classes, offset=offset)
    ours = GaussianNB(var_smoothing=var_smoothing).fit(X, y)
    ref = SkGaussianNB(var_smoothing=var_smoothing).fit(X, y)
    _assert_matches_sklearn(ours, ref, Q)


def test_string_labels_and_priors_match_sklearn():
    X, y, Q = _data(n_classes=3)
    labels = np.array(["gamma", "alpha", "beta"])[y]
    priors = [0.2, 0.5, 0.3]  # in the order of the sorted classes
    ours = GaussianNB(priors=priors).fit(X, labels)
    ref = SkGaussianNB(priors=priors).fit(X, labels)
    _assert_matches_sklearn(ours, ref, Q)
    np.testing.assert_array_equal(ours.class_prior_, priors)


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")  # sklearn
def test_a_zero_prior_matches_sklearn():
    X, y, Q = _data(n_classes=3)
    ours = GaussianNB(priors=[0.5, 0.0, 0.5]).fit(X, y)
    ref = SkGaussianNB(priors=[0.5, 0.0, 0.5]).fit(X, y)
    assert np.all(ours.predict_proba(Q)[:, 1] == 0.0)
    np.testing.assert_allclose(ours.predict_proba(Q), ref.predict_proba(Q), rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")  # sklearn
@pytest.mark.parametrize("batches", [[100, 100, 200], [7, 393], [3, 2, 395], [400]])
def test_partial_fit_matches_sklearn_batch_by_batch(batches):
    X, y, Q = _data(n_classes=4)
    ours, ref = GaussianNB(), SkGaussianNB()
    start = 0
    for size in batches:
        rows = slice(start, start + size)
        ours.partial_fit(X[rows], y[rows], classes=[0, 1, 2, 3] if start == 0 else None)
        ref.partial_fit(X[rows], y[rows], classes=[0, 1, 2, 3] if start == 0 else None)
        _assert_matches_sklearn(ours, ref, Q)
        start += size


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")  # sklearn
def test_partial_fit_with_a_class_missing_from_the_first_batch_and_priors():
    X, y, Q = _data(n_classes=3)
    first = y != 2  # class 2 only comes in the second batch
    for priors in (None, [0.3, 0.3, 0.4]):
        ours = GaussianNB(priors=priors).partial_fit(X[first], y[first], classes=[0, 1, 2])
        ref = SkGaussianNB(priors=priors).partial_fit(X[first], y[first], classes=[0, 1, 2])
        np.testing.assert_array_equal(ours.class_count_, ref.class_count_)
        ours.partial_fit(X[~first], y[~first])
        ref.partial_fit(X[~first], y[~first])
        _assert_matches_sklearn(ours, ref, Q)


def test_partial_fit_continues_a_fit_and_fit_starts_over():
    X, y, Q = _data()
    ours = GaussianNB().fit(X[:200], y[:200]).partial_fit(X[200:], y[200:])
    ref = SkGaussianNB().fit(X[:200], y[:200]).partial_fit(X[200:], y[200:])
    _assert_matches_sklearn(ours, ref, Q)
    ours.fit(X, y)
    _assert_matches_sklearn(ours, SkGaussianNB().fit(X, y), Q)


def test_partial_fit_merges_to_the_one_shot_statistics():
    # Chan's update: two halves merged give the mean and variance of the whole (var_smoothing
    # 0, so that the epsilon bookkeeping plays no part).
    X, y, _ = _data()
    merged = GaussianNB(var_smoothing=0.0).partial_fit(X[:150], y[:150], classes=[0, 1, 2])
    merged.partial_fit(X[150:], y[150:])
    whole = GaussianNB(var_smoothing=0.0).fit(X, y)
    np.testing.assert_allclose(merged.theta_, whole.theta_, rtol=1e-13)
    np.testing.assert_allclose(merged.var_, whole.var_, rtol=1e-12)
    np.testing.assert_array_equal(merged.class_count_, whole.class_count_)


def test_sample_weight_matches_sklearn_in_fit_and_partial_fit():
    X, y, Q = _data()
    w = np.random.default_rng(1).uniform(0, 3, size=len(y))
    w[:25] = 0.0  # some samples carry no weight
    ours = GaussianNB().fit(X, y, sample_weight=w)
    _assert_matches_sklearn(ours, SkGaussianNB().fit(X, y, sample_weight=w), Q)
    ours, ref = GaussianNB(), SkGaussianNB()
    for rows in (slice(0, 30), slice(30, 250), slice(250, 400)):  # the first: all weights 0
        ours.partial_fit(
            X[rows], y[rows], classes=[0, 1, 2], sample_weight=w[rows] + (rows.start > 0)
        )
        ref.partial_fit(
            X[rows], y[rows], classes=[0, 1, 2], sample_weight=w[rows] + (rows.start > 0)
        )
        _assert_matches_sklearn(ours, ref, Q)


def test_integer_weights_are_repeated_samples():
    X, y, Q = _data(n=120)
    counts = np.random.default_rng(2).integers(0, 4, size=len(y))
    weighted = GaussianNB(var_smoothing=0.0).fit(X, y, sample_weight=counts)
    repeated = GaussianNB(var_smoothing=0.0).fit(np.repeat(X, counts, 0), np.repeat(y, counts))
    np.testing.assert_array_equal(weighted.class_count_, repeated.class_count_)
    np.testing.assert_allclose(weighted.theta_, repeated.theta_, rtol=1e-13)
    np.testing.assert_allclose(weighted.var_, repeated.var_, rtol=1e-12)
    np.testing.assert_allclose(weighted.predict_proba(Q), repeated.predict_proba(Q), atol=1e-12)
    # a single number weighs every sample alike: the unweighted statistics
    same = GaussianNB().fit(X, y, sample_weight=2.5)
    np.testing.assert_allclose(same.var_, GaussianNB().fit(X, y).var_, rtol=1e-13)
    np.testing.assert_array_equal(same.class_count_, 2.5 * GaussianNB().fit(X, y).class_count_)


@pytest.mark.parametrize(
    ("sample_weight", "match"),
    [
        (np.ones(3), r"sample_weight must have shape \(400,\), one weight per sample, got \(3,\)"),
        (np.ones((400, 1)), "sample_weight must be 0-D or 1-D"),
        (-np.ones(400), "sample_weight must be non-negative, got a minimum of -1.0"),
        (np.zeros(400), "sample_weight must not be all zero"),
        (np.full(400, np.nan), "sample_weight contains NaN"),
    ],
)
def test_bad_sample_weight(sample_weight, match):
    X, y, _ = _data()
    with pytest.raises(ValueError, match=match):
        GaussianNB().fit(X, y, sample_weight=sample_weight)


def test_likelihood_in_several_blocks_equals_one_block(monkeypatch):
    X, y, Q = _data()
    nb = GaussianNB().fit(X, y)
    whole = nb.predict_joint_log_proba(Q)
    monkeypatch.setattr(gaussian_module, "BLOCK_ROWS", 7)  # 150 rows: 21 full blocks and 3 rows
    np.testing.assert_array_equal(nb.predict_joint_log_proba(Q), whole)


def test_far_queries_are_stable():
    X, y, Q = _data()
    nb = GaussianNB().fit(X, y)
    far = np.r_[Q[:5] * 1000, -Q[:5] * 1000, np.full((1, 5), 1e6)]
    with np.errstate(all="raise"):
        proba = nb.predict_proba(far)
        log_proba = nb.predict_log_proba(far)
    assert np.all(np.isfinite(log_proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    ref = SkGaussianNB().fit(X, y)
    np.testing.assert_allclose(log_proba, ref.predict_log_proba(far), rtol=1e-10)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"var_smoothing": -1e-9}, ValueError, r"var_smoothing must be in the range \[0, inf\)"),
        ({"var_smoothing": "small"}, TypeError, "var_smoothing must be a real number"),
        ({"var_smoothing": np.nan}, ValueError, "var_smoothing must be finite"),
        ({"priors": [0.5, 0.5]}, ValueError, r"one entry per class \(3\), got 2"),
        ({"priors": [0.5, 0.6, -0.1]}, ValueError, "priors must be non-negative"),
        ({"priors": [0.3, 0.3, 0.3]}, ValueError, "priors must sum to 1, got a sum of 0.8999"),
        ({"priors": [[0.3, 0.3, 0.4]]}, ValueError, "priors must be 1-D"),
        ({"priors": [0.5, np.nan, 0.5]}, ValueError, "priors contains NaN"),
        ({"priors": ["a", "b", "c"]}, TypeError, "priors must be numeric"),
    ],
)
def test_bad_hyperparameters(params, exc, match):
    X, y, _ = _data()
    with pytest.raises(exc, match=match):
        GaussianNB(**params).fit(X, y)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        ([[np.nan, 1.0], [2.0, 3.0]], [0, 1], "NaN"),
        ([1.0, 2.0], [0, 1], "Expected 2D array"),
        ([[1.0], [2.0]], [0.5, 1.5], "Unknown label type: continuous"),
        ([[1.0], [2.0], [3.0]], [0, 1], "inconsistent numbers of samples"),
    ],
)
def test_bad_fit_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        GaussianNB().fit(X, y)


def test_a_zero_variance_is_reported_at_predict():
    # var_smoothing=0 and feature 1 constant within class 0: scikit-learn would return NaN
    X = np.array([[0.0, 5.0], [1.0, 5.0], [3.0, 1.0], [4.0, 2.0]])
    nb = GaussianNB(var_smoothing=0.0).fit(X, [0, 0, 1, 1])
    with pytest.raises(
        ValueError, match=r"var_\[0, 1\] is 0: feature 1 is constant within class 0"
    ):
        nb.predict_proba(X)
    GaussianNB().fit(X, [0, 0, 1, 1]).predict_proba(X)  # the default smoothing avoids it


def test_bad_partial_fit_calls():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        GaussianNB().partial_fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes \[0, 1\]"):
        GaussianNB().partial_fit(X, y, classes=[0, 1])
    nb = GaussianNB().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        nb.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="X has 2 features, but GaussianNB is expecting 5"):
        nb.partial_fit(X[:, :2], y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_unfitted_and_wrong_feature_count(method):
    with pytest.raises(NotFittedError):
        getattr(GaussianNB(), method)([[1.0]])
    X, y, _ = _data()
    nb = GaussianNB().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but GaussianNB is expecting 5"):
        getattr(nb, method)(np.ones((3, 2)))


def _snapshot(model):
    return {k: np.copy(v) for k, v in vars(model).items() if k.endswith("_")}


def _assert_unchanged(model, before):
    after = vars(model)
    assert {k for k in after if k.endswith("_")} == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)


@pytest.mark.parametrize(
    ("call", "X", "y", "params"),
    [
        ("fit", np.ones((3, 2)), [0.1, 0.2, 0.3], {}),
        ("fit", [[np.nan, 1.0], [1.0, 2.0]], [0, 1], {}),
        ("fit", np.ones((4, 5)), [0, 1, 0, 1], {"var_smoothing": -1.0}),
        ("fit", np.ones((4, 5)), [0, 1, 0, 1], {"priors": [0.2, 0.2]}),
        ("partial_fit", np.ones((4, 5)), [0, 1, 7, 1], {}),
        ("partial_fit", np.ones((4, 3)), [0, 1, 0, 1], {}),
        ("partial_fit", [[np.inf] * 5], [0], {}),
    ],
)
def test_failed_call_leaves_the_fitted_model_unchanged(call, X, y, params):
    X0, y0, Q = _data()
    nb = GaussianNB().partial_fit(X0[:200], y0[:200], classes=[0, 1, 2])
    before, expected = _snapshot(nb), nb.predict_proba(Q)
    nb.set_params(**params)
    with pytest.raises((ValueError, TypeError)):
        getattr(nb, call)(X, y)
    _assert_unchanged(nb, before)
    nb.set_params(var_smoothing=1e-9, priors=None)
    np.testing.assert_array_equal(nb.predict_proba(Q), expected)
    # and the next batch is merged as if the failed call had never happened
    ref = SkGaussianNB().partial_fit(X0[:200], y0[:200], classes=[0, 1, 2])
    _assert_matches_sklearn(
        nb.partial_fit(X0[200:], y0[200:]), ref.partial_fit(X0[200:], y0[200:]), Q
    )
