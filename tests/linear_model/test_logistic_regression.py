"""LogisticRegression: hand-computed gradients, parity with scikit-learn, stability, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.preprocessing import StandardScaler

from glassml.linear_model import LogisticRegression
from glassml.nn.activations import log_softmax as _log_softmax
from glassml.nn.activations import sigmoid as _sigmoid


def _data(n_classes=2, seed=0):
    # flip_y makes the classes overlap, so the unpenalised optimum is finite.
    X, y = make_classification(
        300, 5, n_informative=3, n_redundant=0, n_classes=n_classes, flip_y=0.2, random_state=seed
    )
    return StandardScaler().fit_transform(X), y


# --- hand-computed ---------------------------------------------------------------------------


def test_first_step_is_the_seed_gradient():
    # From w = 0, b = 0 every p = 0.5, so the gradient is Xᵀ(0.5 - y)/n and mean(0.5 - y).
    # NOTE: the estimator descends on centred columns; on centred X that is the seed's step.
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -1.0]])
    X = X - X.mean(axis=0)
    y = np.array([1, 0, 1])
    model = LogisticRegression(learning_rate=0.5, max_iter=1, tol=0).fit(X, y)
    dw = X.T @ (0.5 - y) / 3
    db = np.mean(0.5 - y)
    np.testing.assert_allclose(model.coef_, [-0.5 * dw], rtol=0, atol=1e-15)
    np.testing.assert_allclose(model.intercept_, [-0.5 * db], rtol=0, atol=1e-15)
    assert model.loss_history_[0] == pytest.approx(np.log(2), abs=1e-15)  # BCE at p = 0.5


def test_gradient_matches_central_differences_of_the_loss():
    # The loss history is the loss; check the gradient used by the step against it.
    X, y = _data(n_classes=3)
    X, y = X[:20], y[:20]
    X = X - X.mean(axis=0)  # the estimator's coordinates (it centres): grad at 0 is the seed's
    base = LogisticRegression(learning_rate=1e-3, max_iter=1, tol=0).fit(X, y)
    # After one step from 0 the parameters moved by -lr·grad(0); recover grad(0):
    grad_W = -base.coef_ / 1e-3  # (n_classes, n_features)

    def loss(W):
        Z = X @ W.T
        log_p = _log_softmax(Z)
        return -np.mean(log_p[np.arange(len(y)), y])

    W0 = np.zeros_like(grad_W)
    h = 1e-6
    numeric = np.zeros_like(W0)
    for idx in np.ndindex(W0.shape):
        E = np.zeros_like(W0)
        E[idx] = h
        numeric[idx] = (loss(W0 + E) - loss(W0 - E)) / (2 * h)
    np.testing.assert_allclose(grad_W, numeric, rtol=0, atol=1e-8)


def test_string_labels_and_classes_order():
    X, y = _data()
    labels = np.array(["cat", "dog"])[y]
    model = LogisticRegression(max_iter=100, tol=0).fit(X, labels)
    assert model.classes_.tolist() == ["cat", "dog"]
    proba = model.predict_proba(X)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-15)


# --- parity with scikit-learn ----------------------------------------------------------------


def _sklearn_unpenalised(X, y):
    # scikit-learn 1.8+ spells "no penalty" as C=np.inf (penalty=None is deprecated).
    # NOTE: the default lbfgs stops with a gradient of ~1e-9 (weights off by ~1e-8); Newton's
    # method converges to machine precision, so it is the sharper authority.
    return sk.LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-14, max_iter=100).fit(
        X, y
    )


def test_binary_matches_sklearn_unpenalised():
    # Stated tolerance: with tol=1e-12 on the gradient, everything agrees to 1e-9.
    X, y = _data()
    ours = LogisticRegression(learning_rate=1.0, max_iter=20_000, tol=1e-12).fit(X, y)
    ref = _sklearn_unpenalised(X, y)
    assert ours.n_iter_ < 20_000
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        ours.decision_function(X), ref.decision_function(X), rtol=0, atol=1e-9
    )
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_multiclass_softmax_matches_sklearn_unpenalised():
    # Softmax weights are defined up to a shared shift; compare probabilities and the
    # class-centred weights.
    X, y = _data(n_classes=3)
    ours = LogisticRegression(learning_rate=1.0, max_iter=20_000, tol=1e-12).fit(X, y)
    ref = _sklearn_unpenalised(X, y)
    assert ours.coef_.shape == (3, 5)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-9)
    centred = ours.coef_ - ours.coef_.mean(axis=0)
    ref_centred = ref.coef_ - ref.coef_.mean(axis=0)
    np.testing.assert_allclose(centred, ref_centred, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    # Gradient descent from 0 keeps Σ_k W_k = 0 (NOTE in the class docstring).
    np.testing.assert_allclose(ours.coef_.sum(axis=0), 0.0, atol=1e-12)


def test_loss_decreases_and_history_length():
    X, y = _data(n_classes=3)
    model = LogisticRegression(max_iter=50, tol=0).fit(X, y)
    assert len(model.loss_history_) == model.n_iter_ + 1 == 51
    assert np.all(np.diff(model.loss_history_) < 0)


def test_predict_log_proba_is_log_of_predict_proba():
    for n_classes in (2, 3):
        X, y = _data(n_classes=n_classes)
        model = LogisticRegression(max_iter=200, tol=0).fit(X, y)
        np.testing.assert_allclose(
            model.predict_log_proba(X), np.log(model.predict_proba(X)), rtol=1e-12
        )


# --- numerical stability ---------------------------------------------------------------------


def test_sigmoid_and_log_softmax_are_stable_at_1000():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = _sigmoid(z)
        ls = _log_softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert s[1] == pytest.approx(1 / (1 + np.exp(30.0)), rel=1e-15)
    np.testing.assert_allclose(ls, [[0.0, -1000.0, -2000.0]], rtol=1e-15)


def test_huge_scores_give_finite_probabilities_and_log_probabilities():
    model = LogisticRegression(max_iter=10, tol=0).fit([[-1.0], [1.0]], [0, 1])
    model.coef_ = np.array([[1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        proba = model.predict_proba([[-5.0], [5.0]])
        log_proba = model.predict_log_proba([[-5.0], [5.0]])
    np.testing.assert_array_equal(proba, [[1.0, 0.0], [0.0, 1.0]])
    assert log_proba[0, 1] == pytest.approx(-5000.0 - model.intercept_[0], rel=1e-12)
    assert np.all(np.isfinite(log_proba))


def test_separable_data_warns_but_stays_finite():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        with pytest.warns(ConvergenceWarning, match="separable"):
            model = LogisticRegression(learning_rate=10.0, max_iter=2000).fit(X, [0, 0, 1, 1])
    assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.loss_history_[-1])


# --- bad input -------------------------------------------------------------------------------

BAD_FIT = [
    ([[np.nan, 1.0], [2.0, 3.0]], [0, 1], ValueError, "NaN"),
    ([[np.inf, 1.0], [2.0, 3.0]], [0, 1], ValueError, "infinity"),
    ([1.0, 2.0, 3.0], [0, 1, 0], ValueError, "Expected 2D array, got 1D array"),
    (np.ones((3, 2, 2)), [0, 1, 0], ValueError, "Found array with dim 3"),
    ([[1.0], [2.0], [3.0]], [0, 1], ValueError, "inconsistent numbers of samples"),
    (np.empty((0, 2)), [], ValueError, "0 sample"),
    ([["a", "b"], ["c", "d"]], [0, 1], ValueError, "could not convert string to float"),
    ([[1.0], [2.0], [3.0]], [0.5, 1.5, 2.7], ValueError, "Unknown label type: continuous"),
    ([[1.0], [2.0]], [1, 1], ValueError, "at least 2 classes"),
    ([[1.0], [2.0]], None, ValueError, "requires y to be passed"),
]


@pytest.mark.parametrize(("X", "y", "exc", "match"), BAD_FIT)
def test_bad_fit_input_is_rejected(X, y, exc, match):
    with pytest.raises(exc, match=match):
        LogisticRegression().fit(X, y)


BAD_PARAMS = [
    ({"learning_rate": 0}, ValueError, r"learning_rate must be in the range \(0, inf\), got 0"),
    ({"learning_rate": None}, TypeError, "learning_rate must be a real number, got None"),
    ({"max_iter": -3}, ValueError, "max_iter must be in the range"),
    ({"max_iter": "many"}, TypeError, "max_iter must be an int"),
    ({"tol": -1.0}, ValueError, r"tol must be in the range \[0, inf\)"),
]


@pytest.mark.parametrize(("params", "exc", "match"), BAD_PARAMS)
def test_bad_hyperparameters_are_rejected(params, exc, match):
    X, y = _data()
    with pytest.raises(exc, match=match):
        LogisticRegression(**params).fit(X, y)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_unfitted_and_wrong_feature_count(method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(LogisticRegression(), method)([[1.0]])
    X, y = _data()
    model = LogisticRegression(max_iter=10, tol=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but LogisticRegression is expecting 5"):
        getattr(model, method)(np.ones((3, 2)))


@pytest.mark.parametrize(
    ("X", "y", "params"),
    [
        (np.ones((3, 2)), [0.1, 0.2, 0.3], {}),  # continuous y
        (np.ones((3, 2)), [0, 0, 0], {}),  # one class
        (np.ones((3, 7)), [0, 1, 0], {"learning_rate": -1}),
        ([[np.nan, 1.0], [1.0, 2.0]], [0, 1], {}),
    ],
)
def test_failed_refit_leaves_the_fitted_model_unchanged(X, y, params):
    X0, y0 = _data()
    model = LogisticRegression(max_iter=20, tol=0).fit(X0, y0)
    before = {k: np.copy(v) for k, v in vars(model).items() if k.endswith("_")}
    model.set_params(**params)
    with pytest.raises((ValueError, TypeError)):
        model.fit(X, y)
    after = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
