"""LogisticRegression(C): scikit-learn's L2 penalty, Newton's method, and C=inf is the seed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from glassml.linear_model import LogisticRegression
from glassml.nn.activations import softmax


def _data(n_classes=2, seed=0, scale=True):
    X, y = make_classification(
        300, 5, n_informative=3, n_redundant=0, n_classes=n_classes, flip_y=0.2, random_state=seed
    )
    if scale:  # unequal scales and a mean far from 0: the penalty is not scale-free
        X = X * [1.0, 10.0, 0.1, 1.0, 3.0] + 2.0
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3, 4])
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0, np.inf])
def test_newton_matches_sklearn_newton_cholesky(n_classes, C):
    X, y = _data(n_classes)
    ours = LogisticRegression(C=C, solver="newton", tol=1e-10).fit(X, y)
    ref = sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10, max_iter=1000)
    ref.fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-9)
    assert ours.n_iter_ < 20


@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_optimum_satisfies_the_penalised_first_order_condition(n_classes):
    # Authority: the gradient of mean cross-entropy + ‖W‖²/(2Cn), written here from the formula.
    X, y = _data(n_classes)
    C, n = 0.5, len(y)
    model = LogisticRegression(C=C, solver="newton", tol=1e-12).fit(X, y)
    Z = X @ model.coef_.T + model.intercept_
    if n_classes == 2:
        G = 1 / (1 + np.exp(-Z)) - y[:, None]
    else:
        G = softmax(Z, axis=1) - np.eye(n_classes)[y]
    grad_W = X.T @ G / n + model.coef_.T / (C * n)
    grad_b = G.mean(axis=0)
    assert np.abs(grad_W).max() < 1e-11 and np.abs(grad_b).max() < 1e-11
    if n_classes > 2:  # scikit-learn's symmetric convention
        assert abs(model.intercept_.sum()) < 1e-12
        np.testing.assert_allclose(model.coef_.sum(axis=0), 0, atol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_gradient_descent_with_the_penalty_reaches_the_newton_optimum(n_classes):
    X, y = _data(n_classes, scale=False)
    gd = LogisticRegression(C=0.3, max_iter=100_000, tol=1e-10).fit(X, y)
    nt = LogisticRegression(C=0.3, solver="newton", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(gd.coef_, nt.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(gd.intercept_, nt.intercept_, rtol=0, atol=1e-8)
    # The loss history is the penalised objective, decreasing at every step with lr = 1/(L + λ).
    assert np.all(np.diff(gd.loss_history_) <= 1e-15)
    W = gd.coef_
    Z = X @ W.T + gd.intercept_
    if n_classes == 2:
        ce = np.mean(np.logaddexp(0, Z[:, 0]) - y * Z[:, 0])
    else:
        ce = -np.mean(np.log(softmax(Z, axis=1))[np.arange(len(y)), y])
    assert gd.loss_history_[-1] == pytest.approx(ce + np.sum(W**2) / (2 * 0.3 * len(y)), rel=1e-12)


def test_c_inf_is_the_unpenalised_seed_model_bit_for_bit():
    X, y = _data()
    default = LogisticRegression(max_iter=200, tol=0).fit(X, y)
    explicit = LogisticRegression(C=np.inf, max_iter=200, tol=0).fit(X, y)
    np.testing.assert_array_equal(default.coef_, explicit.coef_)
    assert default.learning_rate_ == explicit.learning_rate_
    assert LogisticRegression().get_params()["C"] == np.inf


def test_the_penalty_shrinks_and_makes_separable_data_finite():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = [0, 0, 1, 1]
    # Unpenalised, the loss only vanishes as w -> inf: Newton stops when the gradient, ~e^(-w),
    # is below tol, at a large weight.
    free = LogisticRegression(solver="newton", tol=1e-10).fit(X, y)
    assert np.abs(free.coef_).max() > 10
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        norms = [
            np.abs(LogisticRegression(C=C, solver="newton", tol=1e-10).fit(X, y).coef_).max()
            for C in (0.01, 1.0, 100.0)
        ]
    assert norms[0] < norms[1] < norms[2] < np.abs(free.coef_).max()


def test_newton_step_has_no_learning_rate():
    X, y = _data()
    model = LogisticRegression(solver="newton").fit(X, y)
    assert np.isnan(model.learning_rate_) and len(model.loss_history_) == model.n_iter_ + 1


BAD = [
    ({"C": 0}, ValueError, r"C must be in the range \(0, inf\), got 0"),
    ({"C": -1.0}, ValueError, r"C must be in the range \(0, inf\), got -1.0"),
    ({"C": np.nan}, ValueError, "C must be finite, got nan"),
    ({"C": -np.inf}, ValueError, "C must be finite"),
    ({"C": "strong"}, TypeError, "C must be a real number, got 'strong'"),
    ({"C": None}, TypeError, "C must be a real number, got None"),
    ({"solver": "lbfgs"}, ValueError, "solver must be one of 'gd', 'newton', got 'lbfgs'"),
]


@pytest.mark.parametrize(("params", "exc", "match"), BAD)
def test_bad_penalty_or_solver_is_rejected_and_changes_nothing(params, exc, match):
    X, y = _data()
    model = LogisticRegression(C=1.0, solver="newton").fit(X, y)
    before = {k: np.copy(v) for k, v in vars(model).items() if k.endswith("_")}
    model.set_params(**params)
    with pytest.raises(exc, match=match):
        model.fit(X[:, :2], y)
    after = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)


def test_newton_warns_when_max_iter_ends_first():
    X, y = _data(3)
    with pytest.warns(
        ConvergenceWarning, match=r"Newton's method did not reach tol=1e-12 in max_iter=1"
    ):
        model = LogisticRegression(C=1.0, solver="newton", max_iter=1, tol=1e-12).fit(X, y)
    assert model.n_iter_ == 1
