"""The float32 screening of ``_lloyd.assign_and_sum`` (module Notes, 5): the labels are those
of the float64 path, exactly, also on adversarial near ties where float32 alone gets them
wrong (each case below fails with the bound set to zero)."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs

from glassml.cluster import KMeans, _lloyd, textbook
from glassml.cluster import _kmeans as kmeans_module

pytestmark = pytest.mark.filterwarnings(
    "ignore:Number of distinct clusters:sklearn.exceptions.ConvergenceWarning"
)


def _near_tie_centres(rng, d):
    """8 centres, pairs differing in the 7th significant digit (float32 has about 7)."""
    base = rng.normal(size=(4, d))
    return np.vstack([base, base * (1 + 3e-7) + 2e-7])


def _data(case: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, centres, shift)`` for one adversarial case (``prepare(X, shift)``)."""
    rng = np.random.default_rng(11)
    if case == "bisectors":  # integer grid and integer centres: exact ties everywhere
        X = rng.integers(-3, 4, size=(5000, 3)).astype(float)
        return X, X[rng.choice(5000, 8, replace=False)] + 0.0, np.zeros(3)
    if case == "duplicates":
        X = np.repeat(rng.normal(size=(50, 4)), 40, axis=0)
        return X, np.vstack([X[:4], X[:4] * (1 + 1e-7)]), np.zeros(4)
    C = _near_tie_centres(rng, 5)
    X = C[rng.integers(0, 8, 6000)] + 1e-7 * rng.normal(size=(6000, 5))  # near the centres
    X[:1000] = (C[rng.integers(0, 4, 1000)] + C[rng.integers(4, 8, 1000)]) / 2  # bisectors
    if case == "seventh_digit":
        return X, C, np.zeros(5)
    if case == "offset_1e6":  # not centred: float32 keeps 1 of the 7 digits of 1e6 + x
        return X + 1e6, C + 1e6, np.zeros(5)
    scale = {"scale_1e-20": 1e-20, "scale_1e25": 1e25, "scale_3e-41": 3e-41}[case]
    return X * scale, C * scale, np.zeros(5)


CASES = [
    "bisectors",
    "duplicates",
    "seventh_digit",
    "offset_1e6",
    "scale_1e-20",
    "scale_1e25",
    "scale_3e-41",
]


def _labels(X, centers, shift, screen):
    """Labels, inertia and one later Lloyd pass (``(n_changed, closest_total)``, sums) for
    ``centers``, screened or not (after a first pass from the first rows as centres)."""
    points = _lloyd.prepare(X, shift=shift, screen=screen)
    labels, inertia = _lloyd.assign(points, centers - shift)
    codes = _lloyd.no_codes(len(X), len(centers))
    sums = np.zeros((len(centers), X.shape[1] + 1))
    _lloyd.assign_and_sum(points, X[: len(centers)] - shift, codes, sums)  # the first pass
    out = _lloyd.assign_and_sum(points, centers - shift, codes, sums)  # screened
    np.testing.assert_array_equal(_lloyd.labels_of(codes, len(centers)), labels)
    return labels, (inertia, *out), sums


@pytest.mark.parametrize("case", CASES)
def test_screened_labels_equal_float64_labels_on_near_ties(case):
    X, C, shift = _data(case)
    labels64, out64, sums64 = _labels(X, C, shift, screen=False)
    labels32, out32, sums32 = _labels(X, C, shift, screen=True)
    np.testing.assert_array_equal(labels32, labels64)
    assert out32 == out64
    np.testing.assert_array_equal(sums32, sums64)
    if case in ("bisectors", "duplicates"):  # exact arithmetic here: also the textbook's
        np.testing.assert_array_equal(labels32, textbook.assign_to_nearest(X, C))


def test_a_zero_bound_gets_near_ties_wrong(monkeypatch):
    # The cases above are hard enough: without the bound, float32 alone mislabels points.
    monkeypatch.setattr(_lloyd, "_U32", 0.0)
    monkeypatch.setattr(_lloyd, "_TINY32", 0.0)
    wrong = 0
    for case in ("seventh_digit", "offset_1e6"):
        X, C, shift = _data(case)
        labels64 = _labels(X, C, shift, screen=False)[0]
        labels32 = _labels(X, C, shift, screen=True)[0]
        wrong += int(np.count_nonzero(labels32 != labels64))
    assert wrong > 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", ["blobs", "seventh_digit", "scale_1e25"])
def test_fit_is_bitwise_the_same_with_and_without_screening(monkeypatch, case, dtype):
    if case == "blobs":
        X = make_blobs(20_000, 10, centers=8, cluster_std=10.0, random_state=0)[0]
        C = X[:8].copy()
    else:
        X, C, _ = _data(case)
    X = X.astype(dtype)
    fits = []
    for prepare in (_lloyd.prepare, functools.partial(_lloyd.prepare, screen=False)):
        monkeypatch.setattr(kmeans_module, "prepare", prepare)
        km = KMeans(8, init=C.astype(dtype), max_iter=10, tol=0).fit(X)
        fits.append((km.cluster_centers_, km.labels_, km.inertia_history_, km.n_iter_))
    for a, b in zip(*fits, strict=True):
        np.testing.assert_array_equal(a, b)


def test_centres_too_far_for_float32_use_float64():
    X = make_blobs(500, 3, centers=3, random_state=0)[0]
    shift = X.mean(axis=0)
    points = _lloyd.prepare(X, shift=shift)
    far = np.vstack([X[:2], [[1e20, 0.0, 0.0]]])
    assert _lloyd._Centres(far - shift, points).C32 is None
    assert _lloyd._Centres(X[:3] - shift, points).C32 is not None
    screened, plain = _labels(X, far, shift, screen=True), _labels(X, far, shift, screen=False)
    np.testing.assert_array_equal(screened[0], plain[0])


@pytest.mark.parametrize("case", CASES)
def test_bound_holds_for_every_row_and_centre(case):
    # |S32 - s² S64| <= E: the float32 product against the float64 one the labels come from.
    X, C, shift = _data(case)
    points = _lloyd.prepare(X, shift=shift)
    centres = _lloyd._Centres(C - shift, points)
    S32 = (centres.C32 @ points.X32).astype(np.float64)
    X_aug = np.hstack([X - shift, np.ones((len(X), 1))])
    S64 = centres.C_aug @ X_aug.T * points.scale**2
    ratio = np.abs(S32 - S64) / (float(centres.E2) / 2)
    assert ratio.max() <= 1.0
    if case not in ("bisectors", "duplicates"):  # (small integers: float32 is exact there)
        assert ratio.max() > 1e-3  # and not vacuously loose


def test_scale_brings_the_centred_data_within_one_half():
    # The bound assumes |x - shift| s <= 1/2 with s a power of two, at any scale of the data.
    for case in CASES:
        X, _, shift = _data(case)
        points = _lloyd.prepare(X, shift=shift)
        top = np.abs(X - shift).max()
        assert np.log2(points.scale) == int(np.log2(points.scale))
        assert 2.0**-60 < top * points.scale <= 0.5 or top == 0


def test_subnormal_data_are_clustered_like_the_textbook():
    # The spread of these points is below 2^-1022: the power-of-two scale is capped (2^1074
    # overflowed a float before), and the labels are the textbook's.
    X = np.array([[0.0], [5e-324], [1.5e-323], [2e-323], [1e-322], [1.2e-322]])
    km = KMeans(2, init=X[[0, 4]].copy(), max_iter=10, tol=0).fit(X)
    centers, labels, _, _ = textbook.lloyd(X, X[[0, 4]].copy(), max_iter=10, tol=0)
    np.testing.assert_array_equal(km.labels_, labels)
    np.testing.assert_array_equal(km.cluster_centers_, centers)
    np.testing.assert_array_equal(km.predict(X), labels)


@pytest.mark.parametrize(
    ("k", "dtype"),
    [(1, np.uint8), (13, np.uint8), (14, np.uint16), (209, np.uint16), (210, np.uint32)],
)
def test_codes_fit_their_integer_type(k, dtype):
    # Every sum of codes Σ_j (k + j) (all k centres candidates) stays below the code that
    # stands for "no cluster yet", the type's largest value: no sum wraps around.
    assert _lloyd.code_dtype(k) == dtype
    codes = _lloyd.cluster_codes(k)
    assert codes.dtype == dtype and not codes.flags.writeable
    top = int(codes.astype(np.int64).sum())
    assert top == k * (3 * k - 1) // 2 < int(_lloyd.no_codes(1, k)[0]) == np.iinfo(dtype).max


@pytest.mark.parametrize("k", [14, 210])
def test_wider_codes_give_the_same_fit(k):
    # 14 clusters: two-byte codes, 210: four-byte ones. The reference is scikit-learn here
    # (the textbook takes 12 s for 210 clusters).
    X = make_blobs(3000, 3, centers=k, random_state=2)[0]
    init = X[:k].copy()
    km = KMeans(k, init=init, max_iter=5, tol=0).fit(X)
    ref = SKKMeans(k, init=init, n_init=1, algorithm="lloyd", max_iter=5, tol=0).fit(X)
    np.testing.assert_array_equal(km.labels_, ref.labels_)
    np.testing.assert_allclose(km.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
