"""PCA: hand-computed components, parity with scikit-learn (signs included), bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA as SkPCA
from sklearn.exceptions import NotFittedError

from glassml.decomposition import PCA

ATTRIBUTES = [
    "components_",
    "explained_variance_",
    "explained_variance_ratio_",
    "singular_values_",
    "mean_",
]


def _data(n_samples, n_features, seed=0, offset=0.0):
    """Correlated features with well separated variances (no two components nearly tied)."""
    rng = np.random.default_rng(seed)
    scales = np.geomspace(10.0, 0.1, n_features)
    rotation, _ = np.linalg.qr(rng.normal(size=(n_features, n_features)))
    return (rng.normal(size=(n_samples, n_features)) * scales) @ rotation + offset


def _assert_matches_sklearn(ours, ref, X, atol=1e-8):
    assert ours.n_components_ == ref.n_components_
    for name in ATTRIBUTES:
        # NOTE: no sign alignment: the sign convention must give the same signs
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), atol=atol, err_msg=name)
    assert ours.noise_variance_ == pytest.approx(ref.noise_variance_, abs=atol)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), atol=atol)
    Z = ours.transform(X)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(Z), atol=atol)


# --- hand-computed ---------------------------------------------------------------------------


def test_points_on_a_line_by_hand():
    # All variance along (1, 1)/√2: x = t (1, 1) + (3, -1), t = -2, -1, 1, 2 (variance 10/3 in
    # t, so 20/3 along the unit direction); nothing along (1, -1)/√2.
    t = np.array([-2.0, -1.0, 1.0, 2.0])
    X = np.c_[t, t] + [3.0, -1.0]
    pca = PCA().fit(X)
    s = np.sqrt(0.5)
    np.testing.assert_allclose(pca.mean_, [3.0, -1.0], rtol=1e-15)
    np.testing.assert_allclose(pca.components_[0], [s, s], rtol=1e-14)
    np.testing.assert_allclose(np.abs(pca.components_[1]), [s, s], rtol=1e-14)
    np.testing.assert_allclose(pca.explained_variance_, [20 / 3, 0.0], atol=1e-14)
    np.testing.assert_allclose(pca.explained_variance_ratio_, [1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(pca.singular_values_, [np.sqrt(20.0), 0.0], atol=1e-7)
    np.testing.assert_allclose(pca.transform(X)[:, 0], t * np.sqrt(2.0), rtol=1e-14)
    np.testing.assert_allclose(pca.inverse_transform(pca.transform(X)), X, atol=1e-14)


def test_sign_convention_largest_entry_positive():
    X = _data(200, 6, seed=3)
    for pca in (PCA().fit(X), PCA().fit(-X), PCA().fit(X[:40, :5].T)):
        biggest = pca.components_[np.arange(pca.n_components_), np.abs(pca.components_).argmax(1)]
        assert np.all(biggest > 0)


def test_whitened_projections_have_unit_variance():
    X = _data(500, 4)
    Z = PCA(whiten=True).fit_transform(X)
    np.testing.assert_allclose(np.var(Z, axis=0, ddof=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(Z.T @ Z / 499, np.eye(4), atol=1e-12)


def test_float_n_components_keeps_the_fewest_that_exceed_the_fraction():
    X = _data(300, 5)
    full = PCA().fit(X)
    cumulative = np.cumsum(full.explained_variance_ratio_)
    for k in range(1, 5):
        just_below = float(np.nextafter(cumulative[k - 1], 0))
        assert PCA(n_components=just_below).fit(X).n_components_ == k
        assert PCA(n_components=float(cumulative[k - 1])).fit(X).n_components_ == k + 1


def test_noise_variance_is_the_mean_left_out_variance():
    X = _data(300, 6)
    full = PCA().fit(X)
    for k in range(1, 6):
        pca = PCA(n_components=k).fit(X)
        assert pca.noise_variance_ == pytest.approx(full.explained_variance_[k:].mean(), rel=1e-12)
    assert full.noise_variance_ == 0.0


def test_feature_names_out_as_sklearn():
    X = _data(50, 4)
    ours, ref = PCA(n_components=2).fit(X), SkPCA(n_components=2).fit(X)
    assert ours.get_feature_names_out().tolist() == ["pca0", "pca1"]
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    with pytest.raises(NotFittedError):
        PCA().get_feature_names_out()


# --- parity with scikit-learn ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "solver"),
    [
        ((500, 8), "covariance_eigh"),  # tall: glassml's eigh route
        ((500, 8), "full"),  # the same components from scikit-learn's SVD
        ((60, 20), "full"),  # glassml's SVD route
        ((15, 40), "full"),  # wide
    ],
)
@pytest.mark.parametrize("n_components", [None, 1, 3, 0.5, 0.95])
@pytest.mark.parametrize("whiten", [False, True])
def test_matches_sklearn(shape, solver, n_components, whiten):
    X = _data(*shape, seed=sum(shape))
    ref = SkPCA(n_components=n_components, whiten=whiten, svd_solver=solver).fit(X)
    ours = PCA(n_components=n_components, whiten=whiten).fit(X)
    if shape[0] < shape[1] and ours.n_components_ == shape[0]:
        # the last direction of centred wide data has variance 0: any unit vector orthogonal
        # to the others is as good, so compare the others only
        ours.set_params(n_components=shape[0] - 1).fit(X)
        ref.set_params(n_components=shape[0] - 1).fit(X)
    _assert_matches_sklearn(ours, ref, X)
    np.testing.assert_allclose(ours.fit_transform(X), ref.fit_transform(X), atol=1e-8)


def test_matches_sklearn_on_data_far_from_the_origin():
    # offset 1e4: scikit-learn's covariance_eigh (Xᵀ X - n μ μᵀ, uncentred) is off by ~1e-7
    # there; glassml centres first and still matches scikit-learn's exact SVD.
    X = _data(400, 5, offset=1e4)
    ours = PCA(n_components=3).fit(X)
    ref = SkPCA(n_components=3, svd_solver="full").fit(X)
    _assert_matches_sklearn(ours, ref, X, atol=1e-8)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_components", "exc", "match"),
    [
        (6, ValueError, r"n_components must be in \[1, min\(n_samples, n_features\)\] = \[1, 5\]"),
        (0, ValueError, r"= \[1, 5\], got 0"),
        (-1, ValueError, "got -1"),
        (1.0, ValueError, r"n_components must be in the range \(0, 1\), got 1.0"),
        (1.5, ValueError, r"n_components must be in the range \(0, 1\), got 1.5"),
        (0.0, ValueError, r"n_components must be in the range \(0, 1\), got 0.0"),
        ("mle", TypeError, "n_components must be None, an int .* got 'mle'"),
        (True, TypeError, "n_components must be None, an int"),
    ],
)
def test_bad_n_components(n_components, exc, match):
    with pytest.raises(exc, match=match):
        PCA(n_components=n_components).fit(_data(50, 5))


def test_n_components_above_the_number_of_samples():
    with pytest.raises(ValueError, match=r"= \[1, 4\], got 5 \(for 4 samples and 10 features\)"):
        PCA(n_components=5).fit(_data(4, 10))


@pytest.mark.parametrize(
    ("X", "exc", "match"),
    [
        ([[1.0, 2.0]], ValueError, "at least 2 samples"),
        ([[np.nan, 1.0], [1.0, 2.0]], ValueError, "NaN"),
        ([1.0, 2.0, 3.0], ValueError, "Expected 2D array"),
        (np.ones((5, 3)), ValueError, "X has no variance"),
        ([["a", "b"], ["c", "d"]], ValueError, "could not convert string to float"),
    ],
)
def test_bad_fit_input(X, exc, match):
    with pytest.raises(exc, match=match):
        PCA().fit(X)


def test_bad_whiten():
    with pytest.raises(TypeError, match="whiten must be True or False, got 'yes'"):
        PCA(whiten="yes").fit(_data(20, 3))


def test_unfitted_and_wrong_shapes():
    for method in ("transform", "inverse_transform"):
        with pytest.raises(NotFittedError):
            getattr(PCA(), method)([[1.0, 2.0]])
    pca = PCA(n_components=2).fit(_data(50, 4))
    with pytest.raises(ValueError, match="X has 3 features, but PCA is expecting 4"):
        pca.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X has 3 columns, but PCA has n_components_=2"):
        pca.inverse_transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X contains NaN"):
        pca.inverse_transform(np.full((2, 2), np.nan))


@pytest.mark.parametrize(
    ("X", "params"),
    [
        ([[1.0, 2.0, 3.0, 4.0]], {}),
        (np.ones((3, 4)), {"n_components": 4}),
        (np.ones((30, 4)), {"n_components": 2.0}),
        (np.ones((30, 4)), {"whiten": None}),
        ([[np.inf] * 4] * 3, {}),
    ],
)
def test_failed_refit_leaves_the_fitted_model_unchanged(X, params):
    X0 = _data(100, 4)
    pca = PCA(n_components=2).fit(X0)
    before = {k: np.copy(v) for k, v in vars(pca).items() if k.endswith("_")}
    expected = pca.transform(X0)
    pca.set_params(**params)
    with pytest.raises((ValueError, TypeError)):
        pca.fit(X)
    after = {k: v for k, v in vars(pca).items() if k.endswith("_")}
    assert after.keys() == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
    pca.set_params(n_components=2, whiten=False)
    np.testing.assert_array_equal(pca.transform(X0), expected)
