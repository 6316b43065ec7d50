"""The float32 screening of ``_lloyd.assign_and_sum`` (module Notes, 5): the labels are those
of the float64 path, exactly, also on adversarial near ties where float32 alone gets them
wrong (each case below fails with the bound set to zero)."""

from __future__ import annotations

import numpy as np
import pytest
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
    """``(X, centres, shift)`` for one adversarial case (``with_ones(X, shift)``)."""
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


def _labels(X_aug, centers, screen):
    labels = np.full(X_aug.shape[0], -1, dtype=np.intp)
    block_sums = _lloyd.new_block_sums(X_aug.shape[0], len(centers), X_aug.shape[1] - 1)
    out = _lloyd.assign_and_sum(X_aug, centers, labels, block_sums, screen=screen)
    return labels, out


@pytest.mark.parametrize("case", CASES)
def test_screened_labels_equal_float64_labels_on_near_ties(case):
    X, C, shift = _data(case)
    X_aug = _lloyd.with_ones(X, shift)
    screen = _lloyd.screening_copy(X_aug)
    labels64, (n64, total64, sums64) = _labels(X_aug, C - shift, None)
    labels32, (n32, total32, sums32) = _labels(X_aug, C - shift, screen)
    np.testing.assert_array_equal(labels32, labels64)
    assert (n32, total32) == (n64, total64)
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
        X_aug = _lloyd.with_ones(X, shift)
        labels64 = _labels(X_aug, C, None)[0]
        labels32 = _labels(X_aug, C, _lloyd.screening_copy(X_aug))[0]
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
    for copy in (kmeans_module.screening_copy, lambda X_aug: None):
        monkeypatch.setattr(kmeans_module, "screening_copy", copy)
        km = KMeans(8, init=C.astype(dtype), max_iter=10, tol=0).fit(X)
        fits.append((km.cluster_centers_, km.labels_, km.inertia_history_, km.n_iter_))
    for a, b in zip(*fits, strict=True):
        np.testing.assert_array_equal(a, b)


def test_centres_too_far_for_float32_use_float64(monkeypatch):
    X = make_blobs(500, 3, centers=3, random_state=0)[0]
    X_aug = _lloyd.with_ones(X, X.mean(axis=0))
    screen = _lloyd.screening_copy(X_aug)
    far = np.vstack([X[:2], [[1e20, 0.0, 0.0]]])
    assert _lloyd._screen_setup(screen, far) is None
    assert _lloyd._screen_setup(screen, X[:3]) is not None
    np.testing.assert_array_equal(_labels(X_aug, far, screen)[0], _labels(X_aug, far, None)[0])


@pytest.mark.parametrize("case", CASES)
def test_bound_holds_for_every_row_and_centre(case):
    # |S32 - s² S64| <= E_i: the float32 product against the float64 one the labels come from.
    X, C, shift = _data(case)
    X_aug = _lloyd.with_ones(X, shift)
    screen = _lloyd.screening_copy(X_aug)
    C32, (alpha, beta), _ = _lloyd._screen_setup(screen, C - shift)
    S32 = (C32 @ screen.X32.T).astype(np.float64)
    S64 = _lloyd._centers_aug(C - shift) @ X_aug.T * screen.scale**2
    E = (screen.norms.astype(np.float64) * alpha + beta) / 2
    ratio = np.abs(S32 - S64) / E
    assert ratio.max() <= 1.0
    if case not in ("bisectors", "duplicates"):  # (small integers: float32 is exact there)
        assert ratio.max() > 1e-3  # and not vacuously loose
