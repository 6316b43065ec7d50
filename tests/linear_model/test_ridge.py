"""Ridge: hand-computed, textbook == estimator, scikit-learn to 1e-8, hostile designs, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as sk

from glassml.linear_model import LinearRegression, Ridge
from glassml.linear_model.textbook import ridge_closed_form


def _data(n_samples=60, n_features=5, n_targets=None, seed=0, offset=3.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) + offset
    size = n_samples if n_targets is None else (n_samples, n_targets)
    return X, rng.normal(size=size)


def test_one_feature_by_hand():
    # Centred: w = Σ x_c y_c / (Σ x_c² + α); x = (0, 1, 2), y = (0, 1, 2): 2 / (2 + α).
    for alpha in (0.0, 1.0, 3.0):
        reg = Ridge(alpha=alpha).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
        assert reg.coef_[0] == pytest.approx(2 / (2 + alpha), abs=1e-15)
        assert reg.intercept_ == pytest.approx(1.0 - 1.0 * 2 / (2 + alpha), abs=1e-15)


@pytest.mark.parametrize(
    ("shape", "alpha"),
    [((60, 5), 1e-3), ((60, 5), 1.0), ((60, 5), 100.0), ((12, 40), 1.0), ((12, 40), 100.0)],
)
def test_textbook_equals_the_estimator(shape, alpha):
    # NOTE: no tiny α on wide data here: the textbook's d × d system then has cond ~ ‖X‖²/α
    # and its own rounding (~1e-12) is what the comparison would measure.
    X, y = _data(*shape)
    w, b = ridge_closed_form(X, y, alpha)
    reg = Ridge(alpha=alpha).fit(X, y)
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-12)
    assert reg.intercept_ == pytest.approx(b, abs=1e-12)


# NOTE: no α = 0 on wide data: scikit-learn's Cholesky fails there (see the min-norm test).
SHAPE_ALPHA = [((60, 5), a) for a in (0.0, 1e-3, 1.0, 100.0)] + [
    ((12, 40), a) for a in (1e-3, 1.0, 100.0)
]


@pytest.mark.parametrize(("shape", "alpha"), SHAPE_ALPHA)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_targets", [None, 1, 3])
def test_matches_sklearn(shape, alpha, fit_intercept, n_targets):
    X, y = _data(*shape, n_targets=n_targets)
    reg = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    ref = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    assert reg.coef_.shape == ref.coef_.shape
    assert np.shape(reg.intercept_) == np.shape(ref.intercept_)
    np.testing.assert_allclose(reg.coef_, ref.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(reg.intercept_, ref.intercept_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(reg.predict(X), ref.predict(X), rtol=0, atol=1e-8)


def test_alpha_zero_on_rank_deficient_data_is_the_minimum_norm_least_squares():
    # Two identical columns and a one-hot block (collinear with the intercept): X_cᵀX_c is
    # singular; α = 0 must give what LinearRegression (and lstsq) give, not fail or blow up.
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 1))
    X = np.hstack([x, x, np.eye(4)[rng.integers(0, 4, size=80)]])
    y = 2 * x[:, 0] + rng.normal(size=80)
    reg = Ridge(alpha=0.0).fit(X, y)
    X_c = X - X.mean(axis=0)
    w = np.linalg.lstsq(X_c, y - y.mean(), rcond=None)[0]
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-10)
    np.testing.assert_allclose(reg.coef_, LinearRegression().fit(X, y).coef_, rtol=0, atol=1e-10)
    assert reg.coef_[0] == pytest.approx(reg.coef_[1], abs=1e-12)  # min norm splits evenly


def test_tiny_alpha_on_a_badly_scaled_column_uses_the_stacked_least_squares():
    # cond(X_cᵀX_c) ~ 1e16: the Gram path would lose every digit; the result must equal the
    # minimiser of ‖[X_c; √α I] w - [y_c; 0]‖ computed by lstsq here.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 3))
    y = X @ [1.0, 2.0, 3.0] + 0.1 * rng.normal(size=100)
    X[:, 1] *= 1e-8
    alpha = 1e-12
    reg = Ridge(alpha=alpha).fit(X, y)
    X_c = X - X.mean(axis=0)
    stacked = np.vstack([X_c, np.sqrt(alpha) * np.eye(3)])
    w = np.linalg.lstsq(stacked, np.r_[y - y.mean(), np.zeros(3)], rcond=None)[0]
    np.testing.assert_allclose(reg.coef_, w, rtol=1e-8, atol=0)


def test_float32_in_float32_out():
    X, y = _data()
    reg = Ridge().fit(X.astype(np.float32), y)
    assert reg.coef_.dtype == np.float32 == sk.Ridge().fit(X.astype(np.float32), y).coef_.dtype
    assert reg.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"alpha": -1.0}, ValueError, r"alpha must be in the range \[0, inf\), got -1.0"),
        ({"alpha": np.nan}, ValueError, "alpha must be finite, got nan"),
        ({"alpha": "big"}, TypeError, "alpha must be a real number, got 'big'"),
        ({"fit_intercept": "yes"}, TypeError, "fit_intercept must be True or False, got 'yes'"),
    ],
)
def test_bad_hyperparameters_are_rejected(params, exc, match):
    X, y = _data()
    with pytest.raises(exc, match=match):
        Ridge(**params).fit(X, y)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        ([[np.nan], [1.0]], [1.0, 2.0], "NaN"),
        ([[1.0], [2.0]], [np.inf, 2.0], "y contains infinity"),
        ([[1.0], [2.0]], [1.0], "inconsistent numbers of samples"),
    ],
)
def test_bad_data_is_rejected_and_a_failed_fit_changes_nothing(X, y, match):
    X0, y0 = _data()
    reg = Ridge().fit(X0, y0)
    before = {k: np.copy(v) for k, v in vars(reg).items() if k.endswith("_")}
    with pytest.raises(ValueError, match=match):
        reg.fit(X, y)
    reg.set_params(alpha=-1)
    with pytest.raises(ValueError, match="alpha"):
        reg.fit(X0[:10, :2], y0[:10])
    after = {k: v for k, v in vars(reg).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)


def test_textbook_rejects_bad_arguments_by_name():
    X, y = _data()
    with pytest.raises(ValueError, match=r"alpha must be in the range \(0, inf\), got 0.0"):
        ridge_closed_form(X, y, 0.0)
    with pytest.raises(ValueError, match="X contains NaN"):
        ridge_closed_form(np.full_like(X, np.nan), y)
