"""The textbook PCA (glassml.decomposition.textbook) == the estimator, on both routes."""

from __future__ import annotations

import numpy as np
import pytest

from glassml.decomposition import PCA, textbook


def _data(n_samples, n_features, seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    scales = np.geomspace(5.0, 0.2, n_features)  # distinct variances: components well defined
    return rng.normal(size=(n_samples, n_features)) * scales + offset


@pytest.mark.parametrize(
    ("shape", "k"),
    [((200, 6), 6), ((200, 6), 2), ((30, 8), 5), ((12, 30), 11), ((300, 3), 1)],
)
def test_textbook_equals_estimator(shape, k):
    # (200, 6), (300, 3): the covariance route; (30, 8), (12, 30): the SVD route
    X = _data(*shape, seed=shape[0], offset=3.0)
    result = textbook.pca(X, min(k, shape[1]))
    pca = PCA(n_components=k).fit(X)
    np.testing.assert_array_equal(result.mean, pca.mean_)
    np.testing.assert_allclose(result.components, pca.components_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.explained_variance, pca.explained_variance_, rtol=1e-12)
    np.testing.assert_allclose(
        result.explained_variance_ratio, pca.explained_variance_ratio_, rtol=1e-12
    )
    Z = textbook.transform(result, X)
    np.testing.assert_allclose(Z, pca.transform(X), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        textbook.inverse_transform(result, Z), pca.inverse_transform(Z), rtol=0, atol=1e-12
    )


def test_textbook_by_hand():
    X = np.array([[-2.0, -2.0], [-1.0, -1.0], [1.0, 1.0], [2.0, 2.0]])
    result = textbook.pca(X, n_components=2)
    np.testing.assert_allclose(result.components[0], [np.sqrt(0.5)] * 2, rtol=1e-15)
    np.testing.assert_allclose(result.explained_variance, [20 / 3, 0.0], atol=1e-14)
    np.testing.assert_allclose(
        textbook.inverse_transform(result, textbook.transform(result, X)), X, atol=1e-14
    )


def test_textbook_rejects_bad_input():
    with pytest.raises(ValueError, match=r"n_components must be in the range \[1, 2\]"):
        textbook.pca(np.ones((5, 2)), 3)
    with pytest.raises(ValueError, match=r"n_samples must be in the range \[2, inf\)"):
        textbook.pca(np.ones((1, 2)), 1)


def test_docstring_examples_run():
    import doctest

    import glassml.decomposition._pca as fast
    from glassml.decomposition import textbook as book

    for module in (book, fast):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
