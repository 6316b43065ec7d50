"""The textbook Gaussian naive Bayes (glassml.naive_bayes.textbook) == the estimator."""

from __future__ import annotations

import numpy as np
import pytest

from glassml.naive_bayes import GaussianNB, textbook


def _data(n=300, n_features=4, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n)
    X = rng.normal(size=(n, n_features)) * rng.uniform(0.5, 3, n_features) + y[:, None]
    return X, y, rng.normal(size=(60, n_features)) * 2


@pytest.mark.parametrize(("n_classes", "n_features", "seed"), [(2, 1, 0), (3, 4, 1), (7, 6, 2)])
def test_textbook_equals_estimator(n_classes, n_features, seed):
    X, y, Q = _data(n_features=n_features, n_classes=n_classes, seed=seed)
    model = textbook.fit(X, y)
    nb = GaussianNB().fit(X, y)
    # Same rows in the same order, same reductions: the statistics agree bit for bit.
    np.testing.assert_array_equal(model.theta, nb.theta_)
    np.testing.assert_array_equal(model.var, nb.var_)
    np.testing.assert_array_equal(model.class_prior, nb.class_prior_)
    np.testing.assert_array_equal(model.class_count, nb.class_count_)
    assert model.epsilon == nb.epsilon_
    np.testing.assert_allclose(
        textbook.joint_log_likelihood(model, Q), nb.predict_joint_log_proba(Q), rtol=1e-12
    )
    np.testing.assert_allclose(textbook.predict_proba(model, Q), nb.predict_proba(Q), atol=1e-12)
    np.testing.assert_array_equal(textbook.predict(model, Q), nb.predict(Q))


def test_textbook_priors_are_used_as_given():
    X, y, Q = _data()
    model = textbook.fit(X, y, priors=[0.1, 0.1, 0.8])
    nb = GaussianNB(priors=[0.1, 0.1, 0.8]).fit(X, y)
    np.testing.assert_allclose(textbook.predict_proba(model, Q), nb.predict_proba(Q), atol=1e-12)


def test_update_mean_variance_by_hand():
    # old: 1, 3 (mean 2, variance 1); new: 5, 7, 9 (mean 7, variance 8/3);
    # together: mean 5, variance (16 + 4 + 0 + 4 + 16) / 5 = 8
    mu, var = textbook.update_mean_variance(
        2, np.array([2.0]), np.array([1.0]), np.array([[5.0], [7.0], [9.0]])
    )
    np.testing.assert_allclose(mu, [5.0], rtol=1e-15)
    np.testing.assert_allclose(var, [8.0], rtol=1e-15)
    # nothing new: unchanged; nothing old: the new batch's own statistics
    same = textbook.update_mean_variance(3, np.array([1.0]), np.array([2.0]), np.empty((0, 1)))
    assert [same[0][0], same[1][0]] == [1.0, 2.0]
    first = textbook.update_mean_variance(0, np.zeros(1), np.zeros(1), np.array([[1.0], [3.0]]))
    assert [first[0][0], first[1][0]] == [2.0, 1.0]


def test_textbook_rejects_bad_input():
    with pytest.raises(ValueError, match="X must be 2-D"):
        textbook.fit([1.0, 2.0], [0, 1])
    with pytest.raises(ValueError, match=r"var_smoothing must be in the range \[0, inf\)"):
        textbook.fit([[1.0], [2.0]], [0, 1], var_smoothing=-1)


def test_docstring_examples_run():
    import doctest

    import glassml.naive_bayes._gaussian as fast
    from glassml.naive_bayes import textbook as book

    for module in (book, fast):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
