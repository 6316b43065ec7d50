"""LinearRegression: hand-computed cases, parity with scikit-learn, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import linear_model as sk
from sklearn.datasets import make_regression
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

from glassml.linear_model import LinearRegression


def _data(n_samples=200, n_features=5, n_targets=1, seed=0):
    X, y = make_regression(
        n_samples, n_features, n_targets=n_targets, noise=5.0, bias=3.0, random_state=seed
    )
    return StandardScaler().fit_transform(X), y


# --- hand-computed ---------------------------------------------------------------------------


def test_three_points_on_a_line_by_hand():
    # y = 1 + 2x exactly: least squares must recover it.
    reg = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    assert reg.coef_ == pytest.approx([2.0], abs=1e-12)
    assert reg.intercept_ == pytest.approx(1.0, abs=1e-12)
    assert reg.predict([[10.0]]) == pytest.approx([21.0], abs=1e-12)


def test_four_points_by_hand():
    # x = 0,1,2,3 ; y = 1,2,2,4.  x̄ = 1.5, ȳ = 2.25,
    # Σ(x-x̄)(y-ȳ) = (-1.5)(-1.25) + (-0.5)(-0.25) + (0.5)(-0.25) + (1.5)(1.75) = 4.5,
    # Σ(x-x̄)² = 5  →  w = 0.9,  b = 2.25 - 0.9·1.5 = 0.9.
    X = [[0.0], [1.0], [2.0], [3.0]]
    y = [1.0, 2.0, 2.0, 4.0]
    for solver, kw in [("normal", {}), ("gd", {"learning_rate": 0.1, "max_iter": 5000})]:
        reg = LinearRegression(solver=solver, tol=1e-12, **kw).fit(X, y)
        assert reg.coef_ == pytest.approx([0.9], abs=1e-10), solver
        assert reg.intercept_ == pytest.approx(0.9, abs=1e-10), solver


def test_gd_first_step_is_the_seed_update():
    # One step from w = 0, b = 0 (centred X): w = lr·(2/n)·X_cᵀy, b = lr·(2/n)·Σy.
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([1.0, 2.0, 2.0, 4.0])
    reg = LinearRegression(solver="gd", learning_rate=0.1, max_iter=1, tol=0).fit(X, y)
    X_c = X - X.mean()
    w = 0.1 * (2 / 4) * (X_c[:, 0] @ y)
    b = 0.1 * (2 / 4) * y.sum()
    assert reg.coef_ == pytest.approx([w], abs=1e-15)
    assert reg.intercept_ == pytest.approx(b - X.mean() * w, abs=1e-15)
    assert reg.n_iter_ == 1
    assert reg.loss_history_[0] == pytest.approx(np.mean(y**2), abs=1e-15)


# --- parity with scikit-learn ----------------------------------------------------------------


def test_normal_equation_matches_sklearn_to_1e8():
    X, y = _data()
    ours = LinearRegression().fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=0, atol=1e-8)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), abs=1e-12)


def test_normal_equation_on_raw_unscaled_data_matches_sklearn():
    rng = np.random.default_rng(1)
    X = rng.normal(loc=100.0, scale=[1.0, 10.0, 0.1], size=(300, 3))
    y = X @ np.array([1.0, -2.0, 30.0]) + rng.normal(size=300)
    ours = LinearRegression().fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-9)


def test_multi_output_matches_sklearn():
    X, Y = _data(n_targets=3)
    ours = LinearRegression().fit(X, Y)
    ref = sk.LinearRegression().fit(X, Y)
    assert ours.coef_.shape == (3, 5)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-8)
    gd = LinearRegression(solver="gd", learning_rate=0.1, max_iter=5000, tol=1e-10).fit(X, Y)
    np.testing.assert_allclose(gd.predict(X), ref.predict(X), rtol=0, atol=1e-8)


def test_rank_deficient_gives_the_minimum_norm_solution_like_lstsq():
    # A duplicated column: infinitely many least-squares solutions; both pick the shortest,
    # which splits the weight equally between the two copies.
    rng = np.random.default_rng(2)
    x = rng.normal(size=(50, 1))
    X = np.hstack([x, x, rng.normal(size=(50, 1))])
    y = 4.0 * x[:, 0] + X[:, 2] + 0.5
    ours = LinearRegression().fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, [2.0, 2.0, 1.0], atol=1e-10)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-10)
    assert ours.intercept_ == pytest.approx(0.5, abs=1e-10)


def test_gradient_descent_reaches_the_normal_equation_on_standardised_data():
    # Stated tolerance: with tol=1e-10 on the gradient, the weights are within 1e-8 of the
    # closed form (the MSE is strongly convex on standardised, full-rank data).
    X, y = _data()
    exact = sk.LinearRegression().fit(X, y)
    gd = LinearRegression(solver="gd", learning_rate=0.1, max_iter=10_000, tol=1e-10).fit(X, y)
    assert gd.n_iter_ < 10_000
    np.testing.assert_allclose(gd.coef_, exact.coef_, rtol=0, atol=1e-8)
    assert gd.intercept_ == pytest.approx(exact.intercept_, abs=1e-8)
    # The MSE decreases at every step (lr below 1/λ_max).
    assert np.all(np.diff(gd.loss_history_) <= 1e-12)
    assert len(gd.loss_history_) == gd.n_iter_ + 1


def test_gd_tol_zero_runs_max_iter_and_warns_when_tol_not_reached():
    X, y = _data()
    reg = LinearRegression(solver="gd", max_iter=7, tol=0).fit(X, y)
    assert reg.n_iter_ == 7
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        LinearRegression(solver="gd", max_iter=3, tol=1e-6).fit(X, y)


def test_gd_divergence_is_an_error_not_nan():
    X, y = _data()
    with pytest.raises(RuntimeError, match=r"diverged.*lower learning_rate"):
        LinearRegression(solver="gd", learning_rate=10.0, max_iter=1000).fit(X, y)


def test_works_in_a_pipeline_grid_search():
    from sklearn.model_selection import GridSearchCV

    X, y = _data()
    grid = GridSearchCV(
        LinearRegression(learning_rate=0.1), {"solver": ["normal", "gd"]}, cv=3
    ).fit(X, y)
    assert grid.best_score_ > 0.9


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    n_samples=st.integers(2, 60),
    n_features=st.integers(1, 8),
    scale=st.floats(1e-2, 1e3),
    seed=st.integers(0, 2**16),
)
def test_normal_equation_equals_least_squares_property(n_samples, n_features, scale, seed):
    # Authority: np.linalg.lstsq on [X, 1] (the minimum-norm least-squares solution). Random
    # Gaussian columns are well conditioned when n_samples > n_features; otherwise the
    # problem is rank-deficient and both must agree on the fitted values.
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * scale + rng.normal(size=n_features) * 10
    y = rng.normal(size=n_samples) * scale
    reg = LinearRegression().fit(X, y)
    A = np.c_[X, np.ones(n_samples)]
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(reg.predict(X), A @ theta, rtol=0, atol=1e-7 * scale)
    if n_samples > n_features + 1 and np.linalg.cond(A) < 1e4:
        np.testing.assert_allclose(reg.coef_, theta[:-1], rtol=1e-7, atol=1e-9)


# --- bad input -------------------------------------------------------------------------------

BAD_FIT = [
    ([[np.nan, 1.0], [2.0, 3.0]], [1.0, 2.0], ValueError, "NaN"),
    ([[np.inf, 1.0], [2.0, 3.0]], [1.0, 2.0], ValueError, "infinity"),
    ([[1.0, 1.0], [2.0, 3.0]], [1.0, np.nan], ValueError, "NaN"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], ValueError, "Expected 2D array, got 1D array"),
    (np.ones((3, 2, 2)), [1.0, 2.0, 3.0], ValueError, "Found array with dim 3"),
    ([[1.0], [2.0], [3.0]], [1.0, 2.0], ValueError, "inconsistent numbers of samples"),
    (np.empty((0, 2)), [], ValueError, "0 sample"),
    ([["a", "b"], ["c", "d"]], [1.0, 2.0], ValueError, "could not convert string to float"),
    ([[1.0], [2.0]], ["a", "b"], ValueError, "y must be numeric.*could not convert string"),
    ([[1.0], [2.0]], None, ValueError, "requires y to be passed"),
]


@pytest.mark.parametrize(("X", "y", "exc", "match"), BAD_FIT)
def test_bad_fit_input_is_rejected(X, y, exc, match):
    with pytest.raises(exc, match=match):
        LinearRegression().fit(X, y)


BAD_PARAMS = [
    ({"solver": "qr"}, ValueError, "solver must be one of 'normal', 'gd', got 'qr'"),
    ({"learning_rate": 0.0}, ValueError, r"learning_rate must be in the range \(0, inf\)"),
    ({"learning_rate": -1.0}, ValueError, "learning_rate must be in the range"),
    ({"learning_rate": "fast"}, TypeError, "learning_rate must be a real number"),
    ({"max_iter": 0}, ValueError, "max_iter must be in the range"),
    ({"max_iter": 2.5}, TypeError, "max_iter must be an int"),
    ({"tol": -1e-3}, ValueError, r"tol must be in the range \[0, inf\)"),
    ({"tol": np.nan}, ValueError, "tol must be finite"),
]


@pytest.mark.parametrize(("params", "exc", "match"), BAD_PARAMS)
def test_bad_hyperparameters_are_rejected(params, exc, match):
    X, y = _data(n_samples=20)
    with pytest.raises(exc, match=match):
        LinearRegression(**params).fit(X, y)


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LinearRegression().predict([[1.0]])


def test_wrong_feature_count_at_predict():
    X, y = _data()
    reg = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LinearRegression is expecting 5"):
        reg.predict(np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        reg.predict(np.full((2, 5), np.nan))


@pytest.mark.parametrize(
    ("X", "y", "params"),
    [
        (np.ones((4, 3)), [1.0, np.nan, 2.0, 3.0], {}),
        ([[1.0], [2.0]], [1.0, 2.0, 3.0], {}),
        (np.ones((10, 5)), np.arange(10.0), {"solver": "bogus"}),
        (
            np.c_[np.arange(10.0), np.ones(10)] * 1e3,
            np.arange(10.0),
            {"solver": "gd", "learning_rate": 0.01},  # far above 2/L: diverges
        ),
    ],
)
def test_failed_refit_leaves_the_fitted_model_unchanged(X, y, params):
    X0, y0 = _data()
    reg = LinearRegression().fit(X0, y0)
    before = {k: np.copy(v) for k, v in vars(reg).items() if k.endswith("_")}
    reg.set_params(**params)
    with pytest.raises((ValueError, RuntimeError)):
        reg.fit(X, y)
    after = {k: v for k, v in vars(reg).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
