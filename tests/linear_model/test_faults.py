"""Regression tests for the faults of issue 14 in the linear models.

Exact least squares on hostile designs, a step size that converges without tuning, float32 in
and out, and failed fits that leave a fitted model untouched.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from glassml.linear_model import LinearRegression, LogisticRegression
from glassml.linear_model._lstsq import _gram_solve

# --- the normal equation is exact wherever lstsq is --------------------------------------------


def _identity_design():
    rng = np.random.default_rng(0)
    return np.eye(100), rng.normal(size=100)


def _one_hot_design(n_categories=100, seed=1):
    # One indicator column per category (they sum to 1, so X_c is rank-deficient). The old
    # pinv cutoff kept a rounding-noise eigenvalue here: fitted values off by 2.2e-2.
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_categories, size=2000)
    X = np.eye(n_categories)[codes]  # (2000, n_categories)
    y = rng.normal(size=n_categories)[codes] + 0.1 * rng.normal(size=len(codes))
    return X, y


def _tiny_column_design():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 5))
    y = X @ [1.0, -2.0, 0.5, 3.0, 1.5] + 0.3 * rng.normal(size=200)
    X[:, 2] *= 1e-8  # the same feature in other units: its weight becomes 0.5e8
    return X, y


def _wide_design():
    rng = np.random.default_rng(3)
    return rng.normal(size=(5, 6000)), rng.normal(size=5)


DESIGNS = {
    "identity 100x100": _identity_design,
    "one-hot 100 categories": _one_hot_design,
    "one-hot 150 categories": lambda: _one_hot_design(150, seed=0),
    "column scaled by 1e-8": _tiny_column_design,
    "wide 5x6000": _wide_design,
}


@pytest.mark.parametrize("design", DESIGNS.values(), ids=DESIGNS.keys())
def test_normal_equation_equals_lstsq_on_hostile_designs(design):
    # Authorities: np.linalg.lstsq on the centred problem (the minimum-norm weights, what
    # scikit-learn computes) and on [X, 1] (the fitted values, unique even when w is not).
    # The old Gram + pinv path was off by 3.5e-3 / 7e-3 / 1.1-5.5 on the first three.
    X, y = design()
    reg = LinearRegression().fit(X, y)
    x_mean = X.mean(axis=0)
    w = np.linalg.lstsq(X - x_mean, y - y.mean(), rcond=None)[0]
    A = np.c_[X, np.ones(len(X))]
    fitted = A @ np.linalg.lstsq(A, y, rcond=None)[0]
    # Relative 1e-8: with the 1e-8 column, cond(X) ~ 1e8 and two lstsq solvers already differ
    # by ~eps·cond(X) = 2e-9 relative (the weight is 5e7, the fitted values ~10).
    scale = max(1.0, np.abs(w).max())
    y_scale = max(1.0, np.abs(y).max())
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-8 * scale)
    assert reg.intercept_ == pytest.approx(y.mean() - x_mean @ w, abs=1e-8 * scale)
    np.testing.assert_allclose(reg.predict(X), fitted, rtol=0, atol=1e-8 * y_scale)
    # NOTE: scikit-learn 1.9 passes cond=tol (default 1e-6) to scipy's lstsq, which drops the
    # 1e-8 column too; with tol=1e-12 it keeps it, as np.linalg.lstsq does.
    ref = sk.LinearRegression(tol=1e-12).fit(X, y)
    np.testing.assert_allclose(reg.coef_, ref.coef_, rtol=0, atol=1e-8 * scale)
    np.testing.assert_allclose(reg.predict(X), ref.predict(X), rtol=0, atol=1e-8 * y_scale)


def test_wide_data_is_fast():
    # 5 samples x 6000 features took 47 s through a 6000 x 6000 Gram matrix; lstsq on the
    # 5 x 6000 matrix takes milliseconds. 2 s leaves room for a loaded machine.
    X, y = _wide_design()
    start = time.perf_counter()
    LinearRegression().fit(X, y)
    assert time.perf_counter() - start < 2.0


def test_gram_path_is_taken_only_when_well_conditioned():
    # The fast path (the speed target) must serve ordinary data and refuse the hostile designs.
    rng = np.random.default_rng(4)
    X = rng.normal(size=(500, 20))
    X_c = X - X.mean(axis=0)
    assert _gram_solve(X_c, rng.normal(size=(500, 1))) is not None
    for design in (_identity_design, _one_hot_design, _tiny_column_design):
        X, y = design()
        X_c = X - X.mean(axis=0)
        assert _gram_solve(X_c, y.reshape(-1, 1)) is None


# --- learning_rate="auto" ----------------------------------------------------------------------


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_auto_step_reaches_the_optimum_on_standardised_diabetes():
    # Old default: lr=0.01, 1000 steps, stopped 0.28 standard deviations from the optimum.
    X, y = _diabetes()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        reg = LinearRegression(solver="gd").fit(X, y)
    assert reg.n_iter_ < reg.max_iter
    # Authority: the gradient recomputed here, and the exact optimum. ‖w - w*‖ <= ‖∇‖ / (2 λ_min).
    n = len(X)
    r = X @ reg.coef_ + reg.intercept_ - y
    grad = np.r_[2 / n * X.T @ r, 2 / n * r.sum()]
    assert np.abs(grad).max() <= reg.tol
    lam_min = np.linalg.eigvalsh(np.cov(X.T, bias=True))[0]
    exact = sk.LinearRegression().fit(X, y)
    bound = np.linalg.norm(grad) / (2 * min(lam_min, 1.0))
    assert np.linalg.norm(reg.coef_ - exact.coef_) <= bound
    assert bound < 1e-3


def test_auto_step_is_one_over_the_curvature_bound_by_hand():
    # Columns with variances 4 and 0.25 (uncorrelated): λ_max(X_cᵀX_c / n) = 4, so
    # L = 2·4 (MSE), 4/4 (sigmoid), 4/2 (softmax); with variances below 1 the intercept's 1 wins.
    X = np.array([[2.0, 0.5], [-2.0, 0.5], [2.0, -0.5], [-2.0, -0.5]])
    y2, y3 = [0, 1, 1, 0], [0, 1, 2, 0]
    lin = LinearRegression(solver="gd", max_iter=1, tol=0).fit(X, [1.0, 2.0, 3.0, 4.0])
    assert lin.learning_rate_ == pytest.approx(1 / 8, rel=1e-14)
    assert LogisticRegression(max_iter=1, tol=0).fit(X, y2).learning_rate_ == pytest.approx(1.0)
    assert LogisticRegression(max_iter=1, tol=0).fit(X, y3).learning_rate_ == pytest.approx(0.5)
    small = LinearRegression(solver="gd", max_iter=1, tol=0).fit(X / 10, [1.0, 2.0, 3.0, 4.0])
    assert small.learning_rate_ == pytest.approx(1 / 2, rel=1e-14)  # 1 / (2 · max(0.04, 1))
    assert LinearRegression().fit(X, [1.0, 2.0, 3.0, 4.0]).learning_rate_ is None


def test_learning_rate_one_is_the_intercepts_boundary_as_documented():
    # Features with λ_max < 1 satisfy the old bound lr < 1/λ_max for lr = 1, but the
    # intercept's error is multiplied by 1 - 2·lr = -1 each step: it never settles. The
    # documented bound lr < 1/max(λ_max, 1) excludes it; just below it, and "auto", converge.
    rng = np.random.default_rng(5)
    X = 0.3 * rng.normal(size=(50, 2))
    y = X @ [1.0, -1.0] + 4.0
    with pytest.warns(ConvergenceWarning, match="did not reach tol"):
        stuck = LinearRegression(solver="gd", learning_rate=1.0, max_iter=2000).fit(X, y)
    assert stuck.loss_history_[-1] == pytest.approx(stuck.loss_history_[-3], rel=1e-9)
    assert stuck.loss_history_[-1] > 1.0  # the intercept still 4 away
    for lr in (0.99, "auto"):
        reg = LinearRegression(solver="gd", learning_rate=lr).fit(X, y)
        assert reg.n_iter_ < reg.max_iter
        assert reg.intercept_ == pytest.approx(4.0, abs=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_auto_step_decreases_the_logistic_loss_at_every_step(n_classes):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200, 4)) * [1.0, 3.0, 0.5, 10.0] + 50.0  # unscaled, far from 0
    y = rng.integers(0, n_classes, size=200)
    y[X[:, 3] > 60] = 0  # some signal, not separable
    model = LogisticRegression(max_iter=300, tol=0).fit(X, y)
    assert np.all(np.diff(model.loss_history_) <= 1e-15)
    assert model.loss_history_[-1] < model.loss_history_[0]


def test_logistic_with_auto_step_matches_sklearn():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 3))
    y = (X @ [1.0, -1.0, 0.5] + rng.logistic(size=300) > 0).astype(int)
    ours = LogisticRegression(max_iter=20_000, tol=1e-10).fit(X, y)
    ref = sk.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-7)


def test_logistic_non_finite_loss_is_an_error():
    # Old code: the scores overflowed to inf, the loss became NaN, fit returned normally.
    X = np.array([[1e200], [-1e200], [3e199], [-2e199]])
    with pytest.raises(RuntimeError, match=r"diverged after 1 steps.*lower learning_rate"):
        LogisticRegression(learning_rate=1.0).fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize("estimator", [LinearRegression(solver="gd"), LogisticRegression()])
def test_auto_step_on_overflowing_features_is_a_clear_error(estimator):
    X = np.array([[1e200], [-1e200], [3e199], [-2e199]])
    with pytest.raises(ValueError, match="X is too large for gradient descent"):
        estimator.fit(X, [0, 1, 0, 1])


def test_learning_rate_auto_is_the_only_string():
    X, y = _diabetes()
    for est in (LinearRegression(solver="gd"), LogisticRegression()):
        with pytest.raises(TypeError, match="learning_rate must be a real number > 0 or 'auto'"):
            est.set_params(learning_rate="fast").fit(X[:20], y[:20] > 100)


# --- float32 in, float32 out ---------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["normal", "gd"])
@pytest.mark.parametrize("multi", [False, True])
def test_linear_regression_keeps_float32(solver, multi):
    X, y = _diabetes()
    y = np.c_[y, -y] if multi else y
    params = {"solver": solver, "max_iter": 200, "tol": 0}
    reg32 = LinearRegression(**params).fit(X.astype(np.float32), y)
    reg64 = LinearRegression(**params).fit(X, y)
    assert reg32.coef_.dtype == np.float32
    assert np.asarray(reg32.intercept_).dtype == np.float32
    assert reg32.predict(X.astype(np.float32)).dtype == np.float32
    assert reg64.predict(X).dtype == np.float64
    ref = sk.LinearRegression().fit(X.astype(np.float32), y)
    assert ref.coef_.dtype == reg32.coef_.dtype  # scikit-learn's convention
    # The solve runs in float64: float32 results are the float64 ones rounded (X rounded first).
    reg_r = LinearRegression(**params).fit(X.astype(np.float32).astype(np.float64), y)
    np.testing.assert_array_equal(reg32.coef_, reg_r.coef_.astype(np.float32))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_logistic_regression_keeps_float32(n_classes):
    X, y = _diabetes()
    y = np.digitize(y, np.quantile(y, np.linspace(0, 1, n_classes + 1)[1:-1]))
    X32 = X.astype(np.float32)
    model = LogisticRegression(max_iter=50, tol=0).fit(X32, y)
    assert model.coef_.dtype == np.float32 and model.intercept_.dtype == np.float32
    for method in ("decision_function", "predict_proba", "predict_log_proba"):
        assert getattr(model, method)(X32).dtype == np.float32, method
    ref = sk.LogisticRegression().fit(X32, y)
    assert ref.coef_.dtype == model.coef_.dtype
    assert ref.predict_proba(X32).dtype == model.predict_proba(X32).dtype
    model64 = LogisticRegression(max_iter=50, tol=0).fit(X32.astype(np.float64), y)
    np.testing.assert_array_equal(model.coef_, model64.coef_.astype(np.float32))
    assert model64.predict_proba(X).dtype == np.float64


# --- a failed fit never changes a fitted model -----------------------------------------------------


def _snapshot(model):
    return {k: np.copy(v) for k, v in vars(model).items() if k.endswith("_")}


@pytest.mark.parametrize(
    ("model", "X", "y", "params", "exc"),
    [
        (LinearRegression(), [[1e200], [-1e200], [3e199]], [1.0, 2.0, 3.0], {"solver": "gd"}, ValueError),
        (LinearRegression(), [[1.0], [3.0], [2.0]], [1.0, 9.0, 2.0], {"solver": "gd", "learning_rate": 10.0}, RuntimeError),
        (LogisticRegression(max_iter=20, tol=0), [[1e200], [-1e200], [3e199]], [0, 1, 0], {}, ValueError),
        (LogisticRegression(max_iter=20, tol=0), [[1e200], [-1e200], [3e199]], [0, 1, 0], {"learning_rate": 1.0}, RuntimeError),
        (LogisticRegression(max_iter=20, tol=0), [[1.0], [2.0]], [0, 1], {"learning_rate": "fast"}, TypeError),
    ],
)  # fmt: skip
def test_a_failed_fit_leaves_the_fitted_model_bit_identical(model, X, y, params, exc):
    X0, y0 = _diabetes()
    model.fit(X0, y0 > 140)
    before = _snapshot(model)
    model.set_params(**params)
    with pytest.raises(exc):
        model.fit(X, y)
    after = _snapshot(model)
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
