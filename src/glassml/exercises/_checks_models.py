"""Checks for the textbooks of issue 15: lasso / ridge, naive Bayes, PCA, tree ensembles.

Same rules as :mod:`glassml.exercises._checks`: each check takes the module under test and
raises ``AssertionError`` with a message a learner can act on; the reference is a hand-computed
case, NumPy, scikit-learn, or a glassml estimator that the test suite proves equal to
scikit-learn -- never the textbook module itself.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from glassml.exercises._checks import _close

# --- lasso and ridge (glassml.linear_model.textbook) ---------------------------------------


def _sparse_regression(n: int = 60, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 1.0
    w = np.zeros(d)
    w[:3] = 2 * rng.normal(size=3)  # three informative features
    return X, X @ w + 0.3 * rng.normal(size=n)


def _alpha_max(X: np.ndarray, y: np.ndarray) -> float:
    """The smallest lasso ``α`` whose weights are all 0: ``max_j |X_cⱼᵀ y_c| / n``."""
    return float(np.abs((X - X.mean(axis=0)).T @ (y - y.mean())).max() / len(y))


def check_soft_threshold(m: ModuleType) -> None:
    got = [m.soft_threshold(z, 1.0) for z in (3.0, 1.0, 0.5, -0.2, -2.5)]
    _close(got, [2.0, 0.0, 0.0, 0.0, -1.5], "S(z, 1) for z = 3, 1, 0.5, -0.2, -2.5", 0.0)
    assert m.soft_threshold(-0.5, 2.0) == 0.0, "|z| <= γ must give exactly 0"
    _close(m.soft_threshold(-7.25, 0.0), -7.25, "γ = 0 leaves z unchanged", 0.0)


def check_ridge_closed_form(m: ModuleType) -> None:
    from sklearn.linear_model import Ridge

    X, y = _sparse_regression(seed=1)
    for alpha in (0.3, 25.0):
        w, b = m.ridge_closed_form(X, y, alpha=alpha)
        ref = Ridge(alpha=alpha, solver="cholesky").fit(X, y)
        _close(w, ref.coef_, f"ridge_closed_form weights vs scikit-learn Ridge(alpha={alpha})")
        _close(b, ref.intercept_, f"ridge_closed_form bias vs scikit-learn (alpha={alpha})")


def check_duality_gap(m: ModuleType) -> None:
    # Hand case: X = [1, -1], y = [1, -1], w = 0. XᵀR = 2, ‖R‖² = Rᵀy = 2. With λ₁ = 1 the
    # residual is scaled by s = 1/2: P = 1, D = -¼ + 1, gap ¼ = P(0) - min P (min at w = ½).
    w0, XtR = np.zeros(1), np.array([2.0])
    _close(m.duality_gap(w0, XtR, 2.0, 2.0, 1.0, 0.0), 0.25, "lasso gap of the hand case")
    _close(m.duality_gap(w0, XtR, 2.0, 2.0, 0.0, 1.0), 2.0, "the ridge gap (λ₁ = 0, λ₂ = 1)")
    _close(m.duality_gap(w0, XtR, 2.0, 2.0, 0.0, 0.0), 4.0, "least squares: ‖XᵀR‖²")
    from sklearn.linear_model import ElasticNet

    X, y = _sparse_regression(seed=2)
    n, alpha = len(y), 0.05
    for l1_ratio in (1.0, 0.5):
        ref = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-3).fit(X, y)
        X_c, y_c = X - X.mean(axis=0), y - y.mean()
        w = ref.coef_
        R = y_c - X_c @ w
        l1, l2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
        gap = m.duality_gap(w, X_c.T @ R, R @ R, R @ y_c, l1, l2) / n
        what = f"gap / n relative to scikit-learn's dual_gap_ (l1_ratio={l1_ratio})"
        _close(gap / ref.dual_gap_, 1.0, what, 1e-8)  # the gap is ~1e-7 here: compare relative


def check_lasso_coordinate_descent(m: ModuleType) -> None:
    # Hand case: XᵀX / n = I and centred columns, so one sweep is exact: w = S(Xᵀy/n, α)
    # = S((2, 1), 1.5) = (0.5, 0) -- an exact zero.
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    X = np.vstack([X, -X])
    y = np.array([3.0, 1.0, -1.0, -3.0, -3.0, -1.0, 1.0, 3.0])
    w, b, _ = m.lasso_coordinate_descent(X, y, alpha=1.5)
    _close(w, [0.5, 0.0], "lasso weights on the orthonormal hand case")
    assert w[1] == 0.0, f"the second weight must be exactly 0, got {w[1]!r}"
    _close(b, 0.0, "lasso bias on the hand case (ȳ = 0)")
    from sklearn.linear_model import ElasticNet, Lasso

    X, y = _sparse_regression(120, 15, seed=3)
    alpha = 0.1 * _alpha_max(X, y)
    for l1_ratio in (1.0, 0.5):  # the same sweeps as scikit-learn: the iterates agree
        w, b, n_iter = m.lasso_coordinate_descent(X, y, alpha, l1_ratio)
        sk = Lasso(alpha=alpha) if l1_ratio == 1.0 else ElasticNet(alpha=alpha, l1_ratio=l1_ratio)
        ref = sk.fit(X, y)
        what = f"lasso_coordinate_descent (l1_ratio={l1_ratio}) vs scikit-learn"
        _close(w, ref.coef_, f"{what}: weights")
        _close(b, ref.intercept_, f"{what}: bias")
        assert np.array_equal(w == 0, ref.coef_ == 0), f"{what}: the zero weights differ"
        assert n_iter == ref.n_iter_, f"{what}: {n_iter} sweeps, scikit-learn {ref.n_iter_}"


# --- Gaussian naive Bayes (glassml.naive_bayes.textbook) -----------------------------------


def _nb_data(seed: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=45)
    return rng.normal(size=(45, 4)) + y[:, None] * np.array([1.0, -0.5, 0.0, 2.0]), y


def _sk_nb(m: ModuleType, X: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
    """scikit-learn's fit, and the same model as the learner's ``GaussianNBModel``."""
    from sklearn.naive_bayes import GaussianNB

    ref = GaussianNB().fit(X, y)
    fields = ("classes_", "theta_", "var_", "class_prior_", "class_count_", "epsilon_")
    return ref, m.GaussianNBModel(*(getattr(ref, f) for f in fields))


def check_nb_fit(m: ModuleType) -> None:
    from sklearn.naive_bayes import GaussianNB

    X1 = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    model = m.fit(X1, [0, 0, 0, 1, 1, 1])
    _close(model.theta, [[1.0], [11.0]], "the class means of the hand case")
    eps = 1e-9 * X1.var()
    _close(model.var, [[2 / 3 + eps], [2 / 3 + eps]], "the class variances (divide by n_c) + ε")
    X, y = _nb_data()
    for priors in (None, [0.2, 0.3, 0.5]):
        model = m.fit(X, y, priors=priors)
        ref = GaussianNB(priors=priors).fit(X, y)
        assert np.array_equal(model.classes, ref.classes_), "classes: the sorted labels"
        for name, attr in [("theta", "theta_"), ("var", "var_"), ("class_prior", "class_prior_")]:
            _close(getattr(model, name), getattr(ref, attr), f"{name} vs scikit-learn's {attr}")
        _close(model.class_count, ref.class_count_, "class_count vs scikit-learn")
        _close(model.epsilon, ref.epsilon_, "epsilon vs scikit-learn", 1e-20)


def check_nb_joint_log_likelihood(m: ModuleType) -> None:
    X, y = _nb_data()
    ref, model = _sk_nb(m, X, y)
    Q = _nb_data(21)[0][:12]
    jll = m.joint_log_likelihood(model, Q)
    _close(jll, ref.predict_joint_log_proba(Q), "joint_log_likelihood vs scikit-learn")


def check_nb_predict(m: ModuleType) -> None:
    X, y = _nb_data()
    ref, model = _sk_nb(m, X, y)
    Q = np.vstack([_nb_data(22)[0][:12], [[60.0, -40.0, 30.0, 90.0]]])  # and one far point
    proba = m.predict_proba(model, Q)
    _close(proba, ref.predict_proba(Q), "predict_proba vs scikit-learn (log-sum-exp)")
    assert np.array_equal(m.predict(model, Q), ref.predict(Q)), "predict vs scikit-learn"


def check_nb_update_mean_variance(m: ModuleType) -> None:
    rng = np.random.default_rng(23)
    old, new = rng.normal(size=(7, 3)), rng.normal(size=(5, 3)) + 2.0
    both = np.vstack([old, new])
    mu, var = m.update_mean_variance(7, old.mean(axis=0), old.var(axis=0), new)
    _close(mu, both.mean(axis=0), "the mean of old and new rows together")
    _close(var, both.var(axis=0), "the variance of old and new rows together")
    mu, var = m.update_mean_variance(0, np.zeros(3), np.zeros(3), new)
    _close((mu, var), (new.mean(axis=0), new.var(axis=0)), "n_past = 0: the new rows alone")
    w = np.array([2.0, 0.5, 1.0, 0.0, 3.0])
    mu, var = m.update_mean_variance(7, old.mean(axis=0), old.var(axis=0), new, w)
    weights = np.concatenate([np.ones(7), w])
    mean = np.average(both, axis=0, weights=weights)
    _close(mu, mean, "the weighted mean (weights of the old rows are 1)")
    _close(var, np.average((both - mean) ** 2, axis=0, weights=weights), "the weighted variance")


# --- PCA (glassml.decomposition.textbook) --------------------------------------------------


def _pca_data() -> np.ndarray:
    rng = np.random.default_rng(30)
    mix = rng.normal(size=(4, 4))
    return (rng.normal(size=(50, 4)) * np.array([4.0, 2.0, 1.0, 0.3])) @ mix + 5.0


def check_pca(m: ModuleType) -> None:
    from sklearn.decomposition import PCA

    X1 = np.array([[-2.0, -2.0], [-1.0, -1.0], [1.0, 1.0], [2.0, 2.0]])
    hand = m.pca(X1, n_components=1)
    _close(hand.components, [[0.5**0.5, 0.5**0.5]], "the one component of points on y = x")
    _close(hand.explained_variance, [20 / 3], "its variance Σ 2x² / (n - 1) = 20/3")
    _close(hand.explained_variance_ratio, [1.0], "all of the variance")
    X = _pca_data()
    got = m.pca(X, n_components=3)
    ref = PCA(n_components=3, svd_solver="full").fit(X)
    _close(got.mean, ref.mean_, "mean vs scikit-learn's mean_")
    signs = np.sign(np.sum(got.components * ref.components_, axis=1))[:, None]
    _close(got.components * signs, ref.components_, "components vs scikit-learn, up to sign")
    _close(got.explained_variance, ref.explained_variance_, "explained_variance vs scikit-learn")
    _close(got.explained_variance_ratio, ref.explained_variance_ratio_, "the ratios (of all λ)")
    top = got.components[np.arange(3), np.argmax(np.abs(got.components), axis=1)]
    assert np.all(top > 0), "sign convention: each component's largest-magnitude entry is > 0"


def _sk_pca(m: ModuleType) -> tuple[Any, Any, np.ndarray]:
    from sklearn.decomposition import PCA

    X = _pca_data()
    ref = PCA(n_components=2, svd_solver="full").fit(X)
    fields = ("mean_", "components_", "explained_variance_", "explained_variance_ratio_")
    return ref, m.PCAResult(*(getattr(ref, f) for f in fields)), X


def check_pca_transform(m: ModuleType) -> None:
    ref, result, X = _sk_pca(m)
    _close(m.transform(result, X[:9]), ref.transform(X[:9]), "transform vs scikit-learn", 1e-9)


def check_pca_inverse_transform(m: ModuleType) -> None:
    ref, result, X = _sk_pca(m)
    Z = ref.transform(X[:9])
    _close(m.inverse_transform(result, Z), ref.inverse_transform(Z), "inverse vs scikit-learn")
    # all components kept: back to X exactly (up to rounding)
    full = m.PCAResult(np.ones(2), np.array([[0.6, 0.8], [-0.8, 0.6]]), np.ones(2), np.ones(2))
    _close(m.inverse_transform(full, [[5.0, 0.0], [0.0, -1.0]]), [[4.0, 5.0], [1.8, 0.4]], "hand")
