"""KMeans: hand-computed inertia, invariants, parity with scikit-learn's Lloyd, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from glassml.cluster import KMeans, kmeans_plusplus, textbook
from glassml.cluster._kmeans import _kmeans_plusplus


def _blobs(n_samples=600, n_features=3, centers=5, std=2.5, seed=0):
    X, _ = make_blobs(n_samples, n_features, centers=centers, cluster_std=std, random_state=seed)
    return X


def _sklearn(X, init, **kw):
    return SKKMeans(len(init), init=init, n_init=1, algorithm="lloyd", **kw).fit(X)


# --- hand-computed ---------------------------------------------------------------------------


def test_four_point_inertia_by_hand():
    # Two pairs: {(0,0), (0,2)} and {(5,0), (5,4)}. Centres (0,1) and (5,2);
    # inertia = 1 + 1 + 4 + 4 = 10.
    X = np.array([[0.0, 0.0], [0.0, 2.0], [5.0, 0.0], [5.0, 4.0]])
    km = KMeans(n_clusters=2, init=np.array([[0.0, 0.0], [5.0, 0.0]])).fit(X)
    np.testing.assert_allclose(km.cluster_centers_, [[0.0, 1.0], [5.0, 2.0]], atol=1e-15)
    np.testing.assert_array_equal(km.labels_, [0, 0, 1, 1])
    assert km.inertia_ == pytest.approx(10.0, abs=1e-12)
    # Iteration 1 assigns to the initial centres: 0 + 4 + 0 + 16 = 20; iteration 2: 10.
    np.testing.assert_allclose(km.inertia_history_, [20.0, 10.0], atol=1e-12)
    assert km.n_iter_ == 2  # the second iteration's labels equal the first's: strict stop
    assert km.score(X) == pytest.approx(-10.0, abs=1e-12)
    np.testing.assert_allclose(km.transform([[0.0, 1.0]]), [[0.0, np.hypot(5, 1)]], atol=1e-7)


def test_one_cluster_is_the_mean():
    X = _blobs()
    km = KMeans(n_clusters=1, random_state=0).fit(X)
    np.testing.assert_allclose(km.cluster_centers_[0], X.mean(axis=0), rtol=1e-13)
    assert km.inertia_ == pytest.approx(((X - X.mean(axis=0)) ** 2).sum(), rel=1e-13)


# --- invariants ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_inertia_never_increases(seed):
    X = _blobs(std=4.0, seed=seed)
    km = KMeans(n_clusters=7, init="random", tol=0, random_state=seed).fit(X)
    h = km.inertia_history_
    assert len(h) == km.n_iter_ >= 2
    assert np.all(np.diff(h) <= 1e-12 * h[0])
    assert km.inertia_ <= h[-1] * (1 + 1e-12)


# Integer data can have fewer distinct points than clusters: the warning is expected there.
@pytest.mark.filterwarnings(
    "ignore:Number of distinct clusters:sklearn.exceptions.ConvergenceWarning"
)
@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    n_samples=st.integers(1, 80),
    n_features=st.integers(1, 4),
    k_frac=st.floats(0, 1),
    seed=st.integers(0, 2**16),
    integer_data=st.booleans(),
)
def test_lloyd_invariants_property(n_samples, n_features, k_frac, seed, integer_data):
    # Integer data gives duplicate points and empty clusters; the invariants must still hold.
    rng = np.random.default_rng(seed)
    if integer_data:
        X = rng.integers(0, 3, size=(n_samples, n_features)).astype(float)
    else:
        X = rng.normal(size=(n_samples, n_features))
    k = 1 + int(k_frac * (n_samples - 1))
    km = KMeans(n_clusters=k, init="random", tol=0, random_state=seed).fit(X)
    h = km.inertia_history_
    assert np.all(np.diff(h) <= 1e-9 * (1 + h[0]))
    assert km.inertia_ <= h[-1] + 1e-9 * (1 + h[0])
    d2 = ((X[:, None, :] - km.cluster_centers_[None]) ** 2).sum(axis=2)
    np.testing.assert_allclose(d2[np.arange(n_samples), km.labels_], d2.min(axis=1), atol=1e-9)
    assert km.inertia_ == pytest.approx(d2.min(axis=1).sum(), rel=1e-9, abs=1e-9)


def test_labels_match_final_centres_and_inertia():
    X = _blobs()
    km = KMeans(n_clusters=4, random_state=1, max_iter=3).fit(X)  # stopped early
    d2 = ((X[:, None, :] - km.cluster_centers_[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(km.labels_, d2.argmin(axis=1))
    assert km.inertia_ == pytest.approx(d2.min(axis=1).sum(), rel=1e-12)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_array_equal(km.fit_predict(X), km.labels_)


def test_kmeans_plusplus_picks_distinct_far_points():
    # Three tight, far-apart groups: D² sampling picks one point from each group.
    X = np.vstack([np.zeros((20, 2)), np.full((20, 2), 100.0), [[100.0, -100.0]] * 20])
    X = X + np.random.default_rng(0).normal(scale=0.01, size=X.shape)
    for seed in range(10):
        centers, idx = kmeans_plusplus(X, 3, random_state=seed)
        assert sorted(set(idx // 20)) == [0, 1, 2]
        np.testing.assert_array_equal(centers, X[idx])


def test_random_state_reproducible_and_n_init_keeps_the_best():
    X = _blobs(std=5.0)
    a = KMeans(n_clusters=6, random_state=3).fit(X)
    b = KMeans(n_clusters=6, random_state=3).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    # Four single runs drawing from one Generator see the same starts as n_init=4 does.
    rng = np.random.default_rng(7)
    runs = [KMeans(n_clusters=6, random_state=rng).fit(X).inertia_ for _ in range(4)]
    assert len(set(runs)) > 1  # the starts differ, so keeping the best matters
    best = KMeans(n_clusters=6, n_init=4, random_state=np.random.default_rng(7)).fit(X)
    assert best.inertia_ == pytest.approx(min(runs), rel=1e-12)


def test_init_array_with_n_init_runs_once_and_warns():
    X = _blobs()
    with pytest.warns(UserWarning, match="running once instead of n_init=3"):
        KMeans(n_clusters=2, init=X[:2], n_init=3).fit(X)


# --- parity with scikit-learn ----------------------------------------------------------------


@pytest.mark.parametrize(("k", "tol", "seed"), [(3, 1e-4, 0), (5, 0.0, 1), (8, 1e-2, 2), (8, 0, 3)])
def test_same_init_matches_sklearn_lloyd(k, tol, seed):
    X = _blobs(n_features=4, centers=6, std=3.0, seed=seed)
    init = X[np.random.default_rng(seed).choice(len(X), k, replace=False)]
    ours = KMeans(n_clusters=k, init=init, tol=tol).fit(X)
    ref = _sklearn(X, init, tol=tol)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-8)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-8)
    Q = X[:50] + 0.5
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_allclose(ours.transform(Q), ref.transform(Q), rtol=1e-8)


def test_max_iter_stop_matches_sklearn():
    X = _blobs(std=5.0)
    init = X[:6]
    ours = KMeans(n_clusters=6, init=init, max_iter=2).fit(X)
    ref = _sklearn(X, init, max_iter=2)
    assert ours.n_iter_ == ref.n_iter_ == 2
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-8)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=1e-8)


def test_empty_cluster_is_relocated_like_sklearn():
    # The third initial centre is far from every point, so it attracts none: it moves onto
    # the point farthest from its own centre, which leaves its old cluster.
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [30.0]])
    init = np.array([[1.0], [10.0], [1000.0]])
    ours = KMeans(n_clusters=3, init=init).fit(X)
    ref = _sklearn(X, init)
    # By hand: iteration 1 labels (0,0,0,1,1,1); the farthest point from its centre is 30
    # (distance 20 to centre 10), so cluster 2 becomes {30} and cluster 1 {10, 11}.
    np.testing.assert_allclose(ours.cluster_centers_, [[1.0], [10.5], [30.0]], atol=1e-12)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-12)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.inertia_ == pytest.approx(ref.inertia_, abs=1e-12)
    assert ours.inertia_ == pytest.approx(2.5, abs=1e-12)


# scikit-learn warns that it found fewer distinct clusters than n_clusters: expected here.
@pytest.mark.filterwarnings(
    "ignore:Number of distinct clusters:sklearn.exceptions.ConvergenceWarning"
)
def test_duplicate_points_more_clusters_than_distinct_values():
    X = np.array([[1.0, 1.0]] * 5 + [[2.0, 2.0]] * 5)
    km = KMeans(n_clusters=3, random_state=0).fit(X)
    assert km.inertia_ == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.isfinite(km.cluster_centers_))
    # Nothing can be relocated (every point sits on a centre): the empty cluster goes to the
    # centre of the largest cluster (the first of the two of size 5), as in scikit-learn.
    init = np.array([[1.0, 1.0], [2.0, 2.0], [5.0, 5.0]])
    ours = KMeans(n_clusters=3, init=init).fit(X)
    ref = _sklearn(X, init)
    np.testing.assert_allclose(ours.cluster_centers_, [[1, 1], [2, 2], [1, 1]], atol=1e-15)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-12)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


# --- bad input -------------------------------------------------------------------------------

BAD_FIT = [
    ([[np.nan, 1.0], [2.0, 3.0]], {}, ValueError, "NaN"),
    ([[np.inf, 1.0], [2.0, 3.0]], {}, ValueError, "infinity"),
    ([1.0, 2.0, 3.0], {}, ValueError, "Expected 2D array, got 1D array"),
    (np.ones((3, 2, 2)), {}, ValueError, "Found array with dim 3"),
    (np.empty((0, 2)), {}, ValueError, "0 sample"),
    ([["a", "b"], ["c", "d"]], {}, ValueError, "could not convert string to float"),
    (np.ones((3, 2)), {"n_clusters": 4}, ValueError, "got n_clusters=4 for 3 samples"),
    (np.ones((3, 2)), {"n_clusters": 0}, ValueError, r"n_clusters must be in the range \(0"),
    (np.ones((3, 2)), {"n_clusters": 1.5}, TypeError, "n_clusters must be an int"),
    (np.ones((3, 2)), {"init": "farthest"}, ValueError, "init must be one of 'k-means"),
    (np.ones((3, 2)), {"init": 7}, ValueError, "init must be 'k-means\\+\\+', 'random' or"),
    (np.ones((3, 2)), {"init": np.ones((2, 3))}, ValueError, r"init array must have shape"),
    (np.ones((3, 2)), {"init": [[np.nan, 1.0], [1.0, 1.0]]}, ValueError, "init contains NaN"),
    (np.ones((3, 2)), {"n_init": 0}, ValueError, "n_init must be in the range"),
    (np.ones((3, 2)), {"max_iter": 0}, ValueError, "max_iter must be in the range"),
    (np.ones((3, 2)), {"tol": -1.0}, ValueError, r"tol must be in the range \[0, inf\)"),
    (np.ones((3, 2)), {"random_state": "seed"}, TypeError, "random_state must be None, an int"),
]


@pytest.mark.parametrize(("X", "params", "exc", "match"), BAD_FIT)
def test_bad_fit_input_is_rejected(X, params, exc, match):
    with pytest.raises(exc, match=match):
        KMeans(**{"n_clusters": 2, **params}).fit(X)


@pytest.mark.parametrize("method", ["predict", "transform", "score"])
def test_unfitted_and_wrong_feature_count(method):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(KMeans(), method)([[1.0]])
    km = KMeans(n_clusters=2, random_state=0).fit(_blobs())
    with pytest.raises(ValueError, match="X has 2 features, but KMeans is expecting 3"):
        getattr(km, method)(np.ones((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        getattr(km, method)(np.full((3, 3), np.nan))


@pytest.mark.parametrize(
    ("X", "params"),
    [
        (np.ones((2, 3)), {}),  # n_clusters=4 > 2 samples
        (np.ones((10, 3)), {"init": "bogus"}),
        (np.ones((10, 3)), {"init": np.ones((3, 3))}),
        ([[np.nan, 1.0, 1.0]] * 5, {}),
    ],
)
def test_failed_refit_leaves_the_fitted_model_unchanged(X, params):
    km = KMeans(n_clusters=4, random_state=0).fit(_blobs())
    before = {k: np.copy(v) for k, v in vars(km).items() if k.endswith("_")}
    km.set_params(**params)
    with pytest.raises(ValueError):
        km.fit(X)
    after = {k: v for k, v in vars(km).items() if k.endswith("_")}
    assert before.keys() == after.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)


# --- k-means++ sampling distribution (issue 14: D instead of D² went unnoticed) --------------


def _fast_plusplus(X, n_clusters, random_state):
    # The kernel behind kmeans_plusplus and KMeans(init="k-means++"), without the per-call
    # validation (~0.5 ms) that would dominate 6000 draws.
    return None, _kmeans_plusplus(X, n_clusters, random_state)


@pytest.mark.parametrize("sample", [_fast_plusplus, textbook.kmeans_plusplus])
def test_kmeans_plusplus_draws_proportional_to_d_squared(sample):
    # Three points 0, 1, 3 on a line, two centres. By hand: the first is uniform (1/3 each);
    # the second is j with probability D(x_j)² / Σ D². From 0: D² = (0, 1, 9) -> 1/10, 9/10;
    # from 1: (1, 0, 4) -> 1/5, 4/5; from 3: (9, 4, 0) -> 9/13, 4/13. (Sampling by D instead
    # would give 1/4, 3/4; 1/3, 2/3; 3/5, 2/5.)
    X = np.array([[0.0], [1.0], [3.0]])
    expected = np.array([[0, 1 / 10, 9 / 10], [1 / 5, 0, 4 / 5], [9 / 13, 4 / 13, 0]]) / 3
    n_draws = 6000
    rng = np.random.default_rng(0)
    counts = np.zeros((3, 3))
    for _ in range(n_draws):
        first, second = sample(X, 2, random_state=rng)[1]
        counts[first, second] += 1
    # Each cell is a binomial count: allow 5 standard deviations (a false alarm ~1e-6 per
    # cell; the seed is fixed anyway). Sampling by D moves every off-diagonal cell by 5.7 to
    # 21.6 of these standard deviations.
    std = np.sqrt(expected * (1 - expected) / n_draws)
    np.testing.assert_array_less(np.abs(counts / n_draws - expected), 5 * std + 1e-12)
    first_counts = counts.sum(axis=1)  # the first centre is uniform
    np.testing.assert_array_less(
        np.abs(first_counts / n_draws - 1 / 3), 5 * np.sqrt(2 / 9 / n_draws)
    )


# --- predict / transform on data far from the origin (issue 14) ------------------------------


def test_predict_and_transform_on_offset_data_beat_sklearn():
    # Centres 1e8 from the origin: |x|² - 2x·c + |c|² cancels ~16 digits unless the data are
    # centred first (fit does; predict/transform/score must too). The authority is the direct
    # (x - c)² with each model's own centres.
    X = _blobs(4000, 2, centers=6, std=3.0, seed=0) + 1e8
    init = X[:6].copy()
    ours = KMeans(n_clusters=6, init=init).fit(X)
    ref = _sklearn(X, init)

    def misassigned(model):
        d2 = ((X[:, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2)
        return int(np.sum(model.predict(X) != d2.argmin(axis=1))), np.sqrt(d2)

    ours_wrong, ours_dist = misassigned(ours)
    ref_wrong, _ = misassigned(ref)
    assert ref_wrong > 100  # the case is hard: scikit-learn misassigns 249 of 4000
    assert ours_wrong == 0
    np.testing.assert_allclose(ours.transform(X), ours_dist, rtol=1e-12, atol=1e-9)
    assert ours.score(X) == pytest.approx(-ours.inertia_, rel=1e-9)


# --- float32 and the ConvergenceWarning, as scikit-learn -------------------------------------


def test_float32_in_float32_out_like_sklearn():
    X = _blobs(n_features=4).astype(np.float32)
    init = X[:4].copy()
    ours = KMeans(n_clusters=4, init=init).fit(X)
    ref = _sklearn(X, init)
    assert ours.cluster_centers_.dtype == ref.cluster_centers_.dtype == np.float32
    assert ours.transform(X).dtype == ref.transform(X).dtype == np.float32
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    # float64 in stays float64; kmeans_plusplus keeps the dtype as scikit-learn's does
    assert KMeans(n_clusters=4, init=init).fit(X.astype(float)).cluster_centers_.dtype == float
    assert kmeans_plusplus(X, 3, random_state=0)[0].dtype == np.float32


def test_fewer_distinct_points_than_clusters_warns_like_sklearn():
    X = np.array([[1.0, 1.0]] * 4 + [[2.0, 2.0]] * 4)
    message = r"Number of distinct clusters \(2\) found smaller than n_clusters \(3\)"
    with pytest.warns(ConvergenceWarning, match=message):
        SKKMeans(n_clusters=3, n_init=1, random_state=0).fit(X)  # the authority
    with pytest.warns(ConvergenceWarning, match=message):
        KMeans(n_clusters=3, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KMeans(n_clusters=2, random_state=0).fit(X)  # enough distinct points: silent


# --- kmeans_plusplus input (issue 11: scikit-learn's signature; issue 14: clear errors) -------


def test_kmeans_plusplus_has_sklearns_signature_and_accepts_lists():
    X = [[0.0, 0.0], [0.0, 1.0], [5.0, 5.0]]
    centers, indices = kmeans_plusplus(X, 2, random_state=0)  # 0 is a seed like any other
    assert centers.shape == (2, 2) and indices.shape == (2,)
    np.testing.assert_array_equal(centers, np.asarray(X)[indices])
    np.testing.assert_array_equal(kmeans_plusplus(X, 2, random_state=0)[1], indices)
    with pytest.raises(TypeError, match="positional"):
        kmeans_plusplus(X, 2, np.random.default_rng(0))  # random_state is keyword-only


BAD_PLUSPLUS = [
    ([[0.0], [1.0]], 0, ValueError, r"n_clusters must be in the range \(0"),
    ([[0.0], [1.0]], 3, ValueError, "got n_clusters=3 for 2 samples"),
    ([[0.0], [1.0]], 1.5, TypeError, "n_clusters must be an int"),
    ([[0.0], [np.nan]], 1, ValueError, "NaN"),
    ([0.0, 1.0], 1, ValueError, "Expected 2D array"),
    ([[0.0], [1.0]], 1, TypeError, "random_state must be None, an int"),
]


@pytest.mark.parametrize(("X", "n_clusters", "exc", "match"), BAD_PLUSPLUS)
def test_kmeans_plusplus_bad_input(X, n_clusters, exc, match):
    random_state = "seed" if exc is TypeError and "random_state" in match else 0
    with pytest.raises(exc, match=match):
        kmeans_plusplus(X, n_clusters, random_state=random_state)
