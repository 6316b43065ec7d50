"""Lasso and ElasticNet: hand-computed zeros, α_max, textbook == estimator, scikit-learn to 1e-6
with the same zero pattern, the duality gap recomputed independently, options, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

from glassml.linear_model import ElasticNet, Lasso
from glassml.linear_model.textbook import lasso_coordinate_descent, soft_threshold

TIGHT = {"tol": 1e-12, "max_iter": 100_000}


def _data(n_samples=60, n_features=8, n_targets=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) + 1.0
    W = np.zeros((n_features, 1 if n_targets is None else n_targets))
    W[:3] = rng.normal(size=(3, W.shape[1])) * 2  # three informative features
    y = X @ W + 0.3 * rng.normal(size=(n_samples, W.shape[1]))
    return X, (y[:, 0] if n_targets is None else y)


def _alpha_max(X, y, l1_ratio=1.0):
    # The smallest α with all weights 0: the subgradient condition |X_jᵀ y_c| / n <= α r.
    return np.abs((X - X.mean(axis=0)).T @ (y - y.mean())).max() / (len(y) * l1_ratio)


# --- hand-computed ---------------------------------------------------------------------------


def test_soft_threshold_by_hand():
    assert [soft_threshold(z, 1.0) for z in (3.0, 1.0, 0.5, -0.2, -2.5)] == [2.0, 0, 0, 0, -1.5]


@pytest.mark.parametrize(("l1_ratio", "alpha"), [(1.0, 1.5), (0.5, 2.5)])
def test_orthonormal_design_is_one_soft_threshold(l1_ratio, alpha):
    # XᵀX / n = I and centred columns: the objective separates by coordinate, so
    # w_j = S(X_jᵀy / n, α r) / (1 + α (1 - r)) exactly, after one sweep. Here Xᵀy / n = (2, 1).
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    X = np.vstack([X, -X])  # 8 rows, still XᵀX / n = I
    y = np.array([3.0, 1.0, -1.0, -3.0, -3.0, -1.0, 1.0, 3.0])
    z = X.T @ (y - y.mean()) / len(y)
    np.testing.assert_array_equal(z, [2.0, 1.0])
    expected = [soft_threshold(v, alpha * l1_ratio) / (1 + alpha * (1 - l1_ratio)) for v in z]
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y)
    np.testing.assert_allclose(model.coef_, expected, rtol=0, atol=1e-15)
    assert model.coef_[1] == 0.0 and model.coef_[0] != 0.0  # an exact zero
    assert model.intercept_ == pytest.approx(y.mean(), abs=1e-15)
    if l1_ratio == 1.0:
        lasso = Lasso(alpha=alpha).fit(X, y)
        np.testing.assert_allclose(lasso.coef_, [0.5, 0.0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_alpha_max_formula(l1_ratio):
    X, y = _data()
    alpha_max = _alpha_max(X, y, l1_ratio)
    above = ElasticNet(alpha=alpha_max * (1 + 1e-9), l1_ratio=l1_ratio).fit(X, y)
    assert np.all(above.coef_ == 0.0) and above.n_iter_ == 0
    assert above.intercept_ == pytest.approx(y.mean(), abs=1e-14)
    below = ElasticNet(alpha=alpha_max * (1 - 1e-3), l1_ratio=l1_ratio, **TIGHT).fit(X, y)
    assert np.count_nonzero(below.coef_) == 1  # the first feature to enter


# --- textbook == estimator (both inner paths) ------------------------------------------------


@pytest.mark.parametrize("shape", [(60, 8), (20, 50)], ids=["tall-gram", "wide-residual"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("alpha_share", [0.01, 0.2, 0.7])
@pytest.mark.parametrize("tol", [1e-4, 1e-10])
def test_textbook_equals_the_estimator(shape, l1_ratio, alpha_share, tol):
    X, y = _data(*shape)
    alpha = alpha_share * _alpha_max(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # l1_ratio=0 on wide data
        w, b, n_iter = lasso_coordinate_descent(X, y, alpha, l1_ratio, 3000, tol)
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=3000).fit(X, y)
    assert model.n_iter_ == n_iter
    np.testing.assert_allclose(model.coef_, w, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(model.coef_ == 0, w == 0)
    assert model.intercept_ == pytest.approx(b, abs=1e-12)


def test_textbook_equals_the_estimator_on_tied_data():
    # Duplicated rows and two identical columns (ties between coordinates).
    X, y = _data(n_samples=15, n_features=4)
    X = np.repeat(np.hstack([X, X[:, :1]]), 3, axis=0)
    y = np.repeat(y, 3)
    alpha = 0.1 * _alpha_max(X, y)
    w, b, n_iter = lasso_coordinate_descent(X, y, alpha, 1.0, 1000, 1e-8)
    model = Lasso(alpha=alpha, tol=1e-8).fit(X, y)
    assert model.n_iter_ == n_iter
    np.testing.assert_allclose(model.coef_, w, rtol=0, atol=1e-12)
    assert model.intercept_ == pytest.approx(b, abs=1e-12)


# --- scikit-learn --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(60, 8), (20, 50)], ids=["tall", "wide"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("alpha_share", [0.001, 0.05, 0.5, 1.01])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_matches_sklearn_with_the_same_zeros(shape, l1_ratio, alpha_share, fit_intercept):
    X, y = _data(*shape)
    alpha = alpha_share * _alpha_max(X, y, l1_ratio)
    ours = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, **TIGHT)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, **TIGHT)
    ours.fit(X, y)
    ref.fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(ours.coef_ == 0, ref.coef_ == 0)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-6)
    if alpha_share > 1 and fit_intercept:
        assert np.all(ours.coef_ == 0)


def test_lasso_matches_sklearn_lasso_at_default_tol_iteration_for_iteration():
    # At the default tol both stop at the same sweep here; scikit-learn's screening only drops
    # features that are 0 anyway, so the iterates agree to rounding.
    X, y = _data(n_samples=200, n_features=30, seed=3)
    alpha = 0.1 * _alpha_max(X, y)
    ours, ref = Lasso(alpha=alpha).fit(X, y), sk.Lasso(alpha=alpha).fit(X, y)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-10)
    assert ours.dual_gap_ == pytest.approx(ref.dual_gap_, rel=1e-6)


def test_multi_target_matches_sklearn():
    X, Y = _data(n_targets=3)
    ours, ref = Lasso(alpha=0.05, **TIGHT).fit(X, Y), sk.Lasso(alpha=0.05, **TIGHT).fit(X, Y)
    assert ours.coef_.shape == ref.coef_.shape == (3, 8)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-6)
    assert len(ours.n_iter_) == 3 and ours.dual_gap_.shape == (3,)
    one = Lasso(alpha=0.05).fit(X, Y[:, :1])
    assert one.coef_.shape == (8,) and np.shape(one.intercept_) == (1,)
    assert isinstance(one.n_iter_, int)


# --- the stopping rule -------------------------------------------------------------------------


def _independent_gap(X, y, w, alpha, l1_ratio):
    # Primal P(w) of the mean objective and the dual D at v = s·r / n (scikit-learn's choice of
    # dual point), written from the formulas, not from the library's duality_gap.
    X, y = X - X.mean(axis=0), y - y.mean()
    n = len(y)
    r = y - X @ w
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    primal = r @ r / (2 * n) + l1 * np.abs(w).sum() + l2 / 2 * w @ w
    s = min(1.0, n * l1 / np.abs(X.T @ r - n * l2 * w).max())
    dual = (-(s**2) * (r @ r + n * l2 * w @ w) / 2 + s * r @ y) / n
    return primal - dual


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_dual_gap_is_the_duality_gap_and_below_the_scaled_tol(l1_ratio):
    X, y = _data()
    model = ElasticNet(alpha=0.05, l1_ratio=l1_ratio, tol=1e-3).fit(X, y)
    gap = _independent_gap(X, y, model.coef_, 0.05, l1_ratio)
    assert model.dual_gap_ == pytest.approx(gap, rel=1e-9, abs=1e-15)
    y_c = y - y.mean()
    assert 0 <= model.dual_gap_ <= 1e-3 * (y_c @ y_c) / len(y)


def test_max_iter_reached_warns_and_keeps_the_weights():
    X, y = _data(n_samples=20, n_features=50)
    with pytest.warns(ConvergenceWarning, match=r"did not converge in max_iter=2 sweeps"):
        model = Lasso(alpha=0.001, max_iter=2, tol=1e-12).fit(X, y)
    assert model.n_iter_ == 2 and np.isfinite(model.coef_).all()


# --- options ---------------------------------------------------------------------------------


def test_random_selection_reaches_the_same_optimum_and_is_reproducible():
    X, y = _data(n_samples=80, n_features=20, seed=4)
    cyclic = Lasso(alpha=0.05, **TIGHT).fit(X, y)
    a = Lasso(alpha=0.05, selection="random", random_state=0, **TIGHT).fit(X, y)
    b = Lasso(alpha=0.05, selection="random", random_state=0, **TIGHT).fit(X, y)
    c = Lasso(alpha=0.05, selection="random", random_state=np.random.default_rng(1), **TIGHT)
    c.fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.n_iter_ == b.n_iter_ != cyclic.n_iter_
    for model in (a, c):
        np.testing.assert_allclose(model.coef_, cyclic.coef_, rtol=0, atol=1e-8)
        np.testing.assert_array_equal(model.coef_ == 0, cyclic.coef_ == 0)


def test_warm_start_starts_from_the_previous_weights():
    X, y = _data()
    model = Lasso(alpha=0.05, warm_start=True, tol=1e-8).fit(X, y)
    first = model.n_iter_
    model.fit(X, y)  # already optimal: the gap test before the first sweep stops it
    assert first > 0 and model.n_iter_ == 0
    # One sweep at a nearby α: from the previous optimum it lands much closer to the new one.
    optimum = Lasso(alpha=0.04, **TIGHT).fit(X, y).coef_
    with pytest.warns(ConvergenceWarning):
        warm = model.set_params(alpha=0.04, max_iter=1).fit(X, y).coef_
    with pytest.warns(ConvergenceWarning):
        cold = Lasso(alpha=0.04, max_iter=1, tol=1e-8).fit(X, y).coef_
    assert np.abs(warm - optimum).max() < 0.1 * np.abs(cold - optimum).max()
    assert (
        Lasso(alpha=0.05, warm_start=False).fit(X, y).n_iter_ == Lasso(alpha=0.05).fit(X, y).n_iter_
    )


def test_a_constant_column_gets_weight_zero():
    X, y = _data()
    X[:, 4] = 3.0
    for shape_X in (X, np.hstack([X[:10], np.ones((10, 20))])):
        model = Lasso(alpha=0.01, **TIGHT).fit(shape_X, y[: len(shape_X)])
        assert model.coef_[4] == 0.0


def test_float32_in_float32_out():
    X, y = _data()
    model = ElasticNet(alpha=0.1).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    assert sk.ElasticNet(alpha=0.1).fit(X.astype(np.float32), y).coef_.dtype == np.float32


def test_lasso_has_no_l1_ratio_parameter():
    assert "l1_ratio" not in Lasso().get_params()
    assert ElasticNet().get_params()["l1_ratio"] == 0.5


# --- bad input -------------------------------------------------------------------------------

BAD_PARAMS = [
    ({"alpha": -0.1}, ValueError, r"alpha must be in the range \[0, inf\), got -0.1"),
    ({"alpha": np.nan}, ValueError, "alpha must be finite"),
    ({"l1_ratio": 1.5}, ValueError, r"l1_ratio must be in the range \[0, 1\], got 1.5"),
    ({"l1_ratio": -0.1}, ValueError, r"l1_ratio must be in the range \[0, 1\]"),
    ({"tol": 0.0}, ValueError, r"tol must be in the range \(0, inf\), got 0.0"),
    ({"tol": -1.0}, ValueError, r"tol must be in the range \(0, inf\)"),
    ({"max_iter": 0}, ValueError, r"max_iter must be in the range \(0, inf\), got 0"),
    ({"max_iter": 2.5}, TypeError, "max_iter must be an int, got 2.5"),
    (
        {"selection": "greedy"},
        ValueError,
        "selection must be one of 'cyclic', 'random', got 'greedy'",
    ),
    ({"warm_start": "yes"}, TypeError, "warm_start must be True or False"),
    ({"fit_intercept": None}, TypeError, "fit_intercept must be True or False"),
    ({"selection": "random", "random_state": "seed"}, TypeError, "random_state must be None"),
]


@pytest.mark.parametrize(("params", "exc", "match"), BAD_PARAMS)
@pytest.mark.parametrize("cls", [ElasticNet, Lasso])
def test_bad_hyperparameters_are_rejected_and_change_nothing(cls, params, exc, match):
    if cls is Lasso and "l1_ratio" in params:
        return  # Lasso has no l1_ratio (tested above)
    X, y = _data()
    model = cls(alpha=0.05).fit(X, y)
    before = {k: np.copy(v) for k, v in vars(model).items() if k.endswith("_")}
    model.set_params(**params)
    with pytest.raises(exc, match=match):
        model.fit(X[:, :3], y)
    after = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)


@pytest.mark.parametrize(
    ("X", "y", "exc", "match"),
    [
        ([[np.nan, 1.0], [1.0, 2.0]], [1.0, 2.0], ValueError, "NaN"),
        ([[1.0, 1.0], [1.0, 2.0]], [1.0, np.nan], ValueError, "y contains NaN"),
        ([[1.0, 1.0], [1.0, 2.0]], ["a", "b"], ValueError, "could not convert|numeric"),
        ([[1e200], [-1e200], [3e199]], [1.0, 2.0, 3.0], ValueError, "too large to square"),
    ],
)
def test_bad_data_is_rejected(X, y, exc, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the overflow being reported
        with pytest.raises(exc, match=match):
            Lasso(alpha=0.01).fit(X, y)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"alpha": -1.0}, ValueError, r"alpha must be in the range \[0, inf\)"),
        ({"l1_ratio": 2.0}, ValueError, r"l1_ratio must be in the range \[0, 1\]"),
        ({"tol": 0.0}, ValueError, r"tol must be in the range \(0, inf\)"),
        ({"max_iter": 0}, ValueError, r"max_iter must be in the range \(0, inf\)"),
        ({"max_iter": 1.5}, TypeError, "max_iter must be an int"),
    ],
)
def test_textbook_rejects_bad_arguments_by_name(kwargs, exc, match):
    X, y = _data()
    with pytest.raises(exc, match=match):
        lasso_coordinate_descent(X, y, **kwargs)
    with pytest.raises(ValueError, match="same number of samples"):
        lasso_coordinate_descent(X, y[:-1])
