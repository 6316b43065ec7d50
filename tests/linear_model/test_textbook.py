"""glassml.linear_model.textbook: hand-computed steps, and textbook == estimator to 1e-12."""

from __future__ import annotations

import numpy as np
import pytest

from glassml.linear_model import LinearRegression, LogisticRegression
from glassml.linear_model.textbook import (
    gradient_descent_linear,
    gradient_descent_logistic,
    normal_equation,
)


def _regression(n_samples=80, n_features=4, seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) + offset
    y = X @ rng.normal(size=n_features) + 0.7 + 0.1 * rng.normal(size=n_samples)
    return X, y


def _classification(n_samples=80, n_features=3, seed=1, offset=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = (X @ [1.0, -2.0, 0.5] + rng.logistic(size=n_samples) > 0).astype(int)  # not separable
    return X + offset, y


# --- hand-computed ---------------------------------------------------------------------------


def test_normal_equation_on_three_points_of_a_line():
    w, b = normal_equation([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    np.testing.assert_allclose(w, [2.0], rtol=0, atol=1e-12)
    assert b == pytest.approx(1.0, abs=1e-12)


def test_one_linear_step_by_hand():
    # From w = 0, b = 0: pred = 0, so w = lr·(2/n)·Xᵀy and b = lr·(2/n)·Σy.
    X = np.array([[1.0], [2.0]])
    y = np.array([3.0, 5.0])
    w, b = gradient_descent_linear(X, y, learning_rate=0.1, n_iters=1)
    np.testing.assert_allclose(w, [0.1 * (2 / 2) * (1 * 3 + 2 * 5)], rtol=1e-15)
    assert b == pytest.approx(0.1 * (2 / 2) * 8, rel=1e-15)


def test_one_logistic_step_by_hand():
    # From w = 0, b = 0 every p = 1/2: w = -lr·Xᵀ(1/2 - y)/n, b = -lr·mean(1/2 - y).
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -1.0]])
    y = np.array([1.0, 0.0, 1.0])
    w, b = gradient_descent_logistic(X, y, learning_rate=0.5, n_iters=1)
    np.testing.assert_allclose(w, -0.5 * X.T @ (0.5 - y) / 3, rtol=0, atol=1e-15)
    assert b == pytest.approx(-0.5 * np.mean(0.5 - y), abs=1e-15)


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [
        (([1.0, 2.0], [1.0, 2.0]), ValueError, "X must be 2-D"),
        (([[1.0], [2.0]], [1.0]), ValueError, "same number of samples, got 2 and 1"),
        (([[1.0], [np.nan]], [1.0, 2.0]), ValueError, "X contains NaN"),
        (([[1.0], [2.0]], [1.0, 2.0], 0.0), ValueError, r"learning_rate must be in the range"),
        (([[1.0], [2.0]], [1.0, 2.0], 0.1, 2.5), TypeError, "n_iters must be an int"),
    ],
)
def test_bad_textbook_input_names_the_argument(args, exc, match):
    for func in (gradient_descent_linear, gradient_descent_logistic):
        with pytest.raises(exc, match=match):
            func(*args)
    if len(args) == 2:
        with pytest.raises(exc, match=match):
            normal_equation(*args)


# --- textbook == estimator ---------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0.0, 5.0])
def test_normal_equation_equals_the_estimator(offset):
    X, y = _regression(offset=offset)
    w, b = normal_equation(X, y)
    reg = LinearRegression().fit(X, y)
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-12)
    assert reg.intercept_ == pytest.approx(b, abs=1e-12)


def test_linear_descent_equals_the_estimator_on_centred_data():
    # The estimator descends on centred columns; on centred X the iterates are the seed's.
    X, y = _regression()
    X = X - X.mean(axis=0)
    w, b = gradient_descent_linear(X, y, learning_rate=0.05, n_iters=300)
    reg = LinearRegression(solver="gd", learning_rate=0.05, max_iter=300, tol=0).fit(X, y)
    assert reg.n_iter_ == 300
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-12)
    assert reg.intercept_ == pytest.approx(b, abs=1e-12)


def test_linear_descent_on_raw_data_is_the_centred_descent_plus_a_change_of_variables():
    # Raw X: the estimator runs the textbook loop on X_c = X - x̄ and reports b - x̄·w.
    X, y = _regression(offset=3.0)
    x_mean = X.mean(axis=0)
    w, b_c = gradient_descent_linear(X - x_mean, y, learning_rate=0.05, n_iters=200)
    reg = LinearRegression(solver="gd", learning_rate=0.05, max_iter=200, tol=0).fit(X, y)
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-12)
    assert reg.intercept_ == pytest.approx(b_c - x_mean @ w, abs=1e-12)


@pytest.mark.parametrize("offset", [0.0, 2.0])
def test_logistic_descent_equals_the_estimator_up_to_the_change_of_variables(offset):
    X, y = _classification(offset=offset)
    x_mean = X.mean(axis=0)
    w, b_c = gradient_descent_logistic(X - x_mean, y, learning_rate=0.5, n_iters=300)
    model = LogisticRegression(learning_rate=0.5, max_iter=300, tol=0).fit(X, y)
    assert model.n_iter_ == 300
    np.testing.assert_allclose(model.coef_[0], w, rtol=0, atol=1e-12)
    assert model.intercept_[0] == pytest.approx(b_c - x_mean @ w, abs=1e-12)


def test_textbook_on_tied_and_duplicated_rows_equals_the_estimator():
    # Duplicated samples and a tied (constant-within-pairs) design: still the same numbers.
    X = np.repeat(np.array([[-1.0, 0.5], [0.0, -0.5], [1.0, 1.0], [2.0, 0.0]]), 3, axis=0)
    X = X - X.mean(axis=0)
    y = np.repeat([0.0, 1.0, 1.0, 3.0], 3)
    w, b = normal_equation(X, y)
    reg = LinearRegression().fit(X, y)
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-12)
    w, b = gradient_descent_linear(X, y, learning_rate=0.1, n_iters=100)
    reg = LinearRegression(solver="gd", learning_rate=0.1, max_iter=100, tol=0).fit(X, y)
    np.testing.assert_allclose(reg.coef_, w, rtol=0, atol=1e-12)
    assert reg.intercept_ == pytest.approx(b, abs=1e-12)
