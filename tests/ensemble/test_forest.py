"""Random forests: every tree is a glassml tree on its bootstrap sample, for any n_jobs.

scikit-learn's forests draw their samples with another generator (and weight rows instead of
repeating them), so against scikit-learn the comparison is statistical: held-out accuracy and
R² averaged over five seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn import ensemble as sk
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score

from glassml.ensemble import RandomForestClassifier, RandomForestRegressor, _forest, textbook
from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from tests.tree.test_growth_speed_paths import _assert_identical as assert_identical_trees

from ._helpers import assert_same_tree, float32_data


def assert_same_tree_on_counts(weighted, repeated, rtol: float = 0.0) -> None:
    """A forest tree (grown on the distinct bootstrap rows weighted by their counts) is the
    tree grown on the rows with repeats: the same nodes, features, thresholds, values and
    impurities; the repeats are in ``weighted_n_node_samples`` (scikit-learn's layout:
    ``n_node_samples`` counts distinct rows)."""
    a, b = weighted.tree_, repeated.tree_
    assert a.node_count == b.node_count
    for name in ("children_left", "children_right", "feature", "threshold"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.weighted_n_node_samples, b.n_node_samples)
    assert np.all(a.n_node_samples <= b.n_node_samples)
    for name in ("value", "impurity"):
        np.testing.assert_allclose(
            getattr(a, name), getattr(b, name), rtol=rtol, atol=rtol, err_msg=name
        )


@pytest.mark.parametrize("max_features", ["sqrt", None, 2])
def test_each_tree_is_a_glassml_tree_on_its_bootstrap_sample(max_features):
    X, y = float32_data(200, 5, 0, task="classification", n_classes=3)
    forest = RandomForestClassifier(
        n_estimators=6, max_features=max_features, max_depth=6, random_state=1
    ).fit(X, y)
    samples = forest.estimators_samples_
    for tree, (tree_seed, _), rows in zip(
        forest.estimators_, forest.estimator_seeds_, samples, strict=True
    ):
        alone = DecisionTreeClassifier(
            max_depth=6, max_features=max_features, random_state=int(tree_seed)
        ).fit(X[rows], y[rows])
        assert_same_tree_on_counts(tree, alone, rtol=1e-12)
        assert len(np.unique(rows)) < len(rows)  # with replacement: repeats
        assert tree.tree_.n_node_samples[0] == len(np.unique(rows))  # grown on distinct rows
        counts = np.bincount(rows, minlength=X.shape[0])
        weighted = DecisionTreeClassifier(
            max_depth=6, max_features=max_features, random_state=int(tree_seed)
        ).fit(X, y, sample_weight=counts)
        assert_same_tree(tree, weighted)
    assert not all(np.array_equal(samples[0], s) for s in samples[1:])  # each its own sample


@pytest.mark.parametrize("bootstrap", [True, False])
def test_classifier_trees_grown_in_batches_are_the_trees_grown_alone(bootstrap):
    """The classifier grows its trees in batches (TREES_PER_BATCH at once): each is bit for
    bit the tree its own fit grows, fitted attributes included, whatever the batch."""
    X, y = float32_data(240, 6, 3, task="classification", n_classes=3)
    X = np.round(X, 1)  # ties
    params = dict(criterion="entropy", min_samples_leaf=2, max_features=3)
    forest = RandomForestClassifier(
        n_estimators=23, bootstrap=bootstrap, random_state=4, **params
    ).fit(X, y)
    assert forest.n_estimators > 2 * _forest.TREES_PER_BATCH  # a partial batch too
    for tree, (tree_seed, _), rows in zip(
        forest.estimators_, forest.estimator_seeds_, forest.estimators_samples_, strict=True
    ):
        counts = np.bincount(rows, minlength=X.shape[0]) if bootstrap else None
        alone = DecisionTreeClassifier(random_state=int(tree_seed), **params)
        alone.fit(X, np.searchsorted(forest.classes_, y), sample_weight=counts)
        for name in ("classes_", "n_classes_", "max_features_", "feature_order_"):
            np.testing.assert_array_equal(getattr(tree, name), getattr(alone, name))
        assert tree.n_features_in_ == alone.n_features_in_
        assert tree.feature_draws_.seed == alone.feature_draws_.seed
        assert tree.tree_.max_depth == alone.tree_.max_depth
        assert_identical_trees(tree.tree_, alone.tree_)


def test_regressor_trees_and_no_bootstrap():
    X, y = float32_data(150, 4, 2)
    forest = RandomForestRegressor(n_estimators=4, bootstrap=False, max_features=2, random_state=5)
    forest.fit(X, y)
    for tree, (tree_seed, _), rows in zip(
        forest.estimators_, forest.estimator_seeds_, forest.estimators_samples_, strict=True
    ):
        np.testing.assert_array_equal(rows, np.arange(150))
        assert_same_tree(
            tree, DecisionTreeRegressor(max_features=2, random_state=int(tree_seed)).fit(X, y)
        )
    np.testing.assert_allclose(
        forest.predict(X), np.mean([t.predict(X) for t in forest.estimators_], axis=0), rtol=1e-15
    )


@pytest.mark.parametrize("Forest", [RandomForestClassifier, RandomForestRegressor])
def test_same_forest_for_any_n_jobs_and_backend(Forest):
    task = "classification" if Forest is RandomForestClassifier else "regression"
    X, y = float32_data(300, 6, 1, task=task, n_classes=3)
    fits = [Forest(n_estimators=8, random_state=0, n_jobs=j).fit(X, y) for j in (1, 2, -1)]
    with parallel_backend("threading", n_jobs=2):
        fits.append(Forest(n_estimators=8, random_state=0).fit(X, y))
    method = "predict_proba" if task == "classification" else "predict"
    first = getattr(fits[0], method)(X)
    for forest in fits[1:]:
        np.testing.assert_array_equal(getattr(forest, method)(X), first)  # bitwise
        for a, b in zip(fits[0].estimators_, forest.estimators_, strict=True):
            assert_same_tree(a, b)


def test_predict_proba_is_the_mean_of_the_trees_with_missing_classes_placed():
    # class "a" (the first column) has one sample: a bootstrap sample misses it with
    # probability (59/60)^60 ≈ 0.36; the tree still has the column (weight 0, as in
    # scikit-learn's forests, whose trees see every row with a count as weight)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.array(["a"] + ["b"] * 30 + ["c"] * 29)
    forest = RandomForestClassifier(n_estimators=15, random_state=2).fit(X, y)
    missed = [t for t in forest.estimators_ if t.tree_.value[0, 0] == 0.0]
    assert missed and all(np.all(t.predict_proba(X)[:, 0] == 0.0) for t in missed)
    expected = np.zeros((60, 3))
    for tree in forest.estimators_:
        expected[:, tree.classes_] += tree.predict_proba(X)
    np.testing.assert_allclose(forest.predict_proba(X), expected / 15, rtol=1e-15)
    np.testing.assert_allclose(forest.predict_proba(X).sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(
        forest.predict(X), forest.classes_[forest.predict_proba(X).argmax(1)]
    )
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(forest.predict_log_proba(X), np.log(forest.predict_proba(X)))


def test_feature_importances_are_the_normalised_mean_of_the_trees():
    X, y = float32_data(200, 5, 4, task="classification")
    forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    mean = np.mean([t.feature_importances_ for t in forest.estimators_], axis=0)
    np.testing.assert_allclose(forest.feature_importances_, mean / mean.sum(), rtol=1e-14)
    # single-leaf trees are left out; a forest of leaves has all-zero importances
    leaves = RandomForestRegressor(n_estimators=3, random_state=0).fit(X, np.ones(200))
    np.testing.assert_array_equal(leaves.feature_importances_, np.zeros(5))


def test_accuracy_and_r2_match_sklearn_over_seeds():
    # Held-out scores averaged over 5 seeds. Bound: 0.02 accuracy and 0.02 R², several times
    # the seed-to-seed spread of the mean measured here (about 0.005 for both).
    X, y = float32_data(700, 6, 0, task="classification", n_classes=3)
    Xr, yr = float32_data(700, 6, 0)
    ours, ref, ours_r2, ref_r2 = [], [], [], []
    for seed in range(5):
        kw = {"n_estimators": 30, "random_state": seed}
        ours.append(RandomForestClassifier(**kw).fit(X[:500], y[:500]).score(X[500:], y[500:]))
        ref.append(sk.RandomForestClassifier(**kw).fit(X[:500], y[:500]).score(X[500:], y[500:]))
        ours_r2.append(
            r2_score(
                yr[500:], RandomForestRegressor(**kw).fit(Xr[:500], yr[:500]).predict(Xr[500:])
            )
        )
        ref_r2.append(
            r2_score(
                yr[500:], sk.RandomForestRegressor(**kw).fit(Xr[:500], yr[:500]).predict(Xr[500:])
            )
        )
    assert abs(np.mean(ours) - np.mean(ref)) <= 0.02
    assert abs(np.mean(ours_r2) - np.mean(ref_r2)) <= 0.02
    assert np.mean(ours) > 0.6 and np.mean(ours_r2) > 0.5  # and they learn


def test_random_state_reproducible_and_different_seeds_differ():
    X, y = float32_data(120, 4, 3)
    a = RandomForestRegressor(n_estimators=5, random_state=7).fit(X, y).predict(X)
    b = RandomForestRegressor(n_estimators=5, random_state=7).fit(X, y).predict(X)
    c = RandomForestRegressor(n_estimators=5, random_state=8).fit(X, y).predict(X)
    d = RandomForestRegressor(n_estimators=5, random_state=np.random.default_rng(7)).fit(X, y)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, d.predict(X))
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_estimators": 0}, ValueError, "n_estimators must be in the range"),
        ({"n_estimators": "10"}, TypeError, "n_estimators must be an int"),
        ({"bootstrap": "yes"}, TypeError, "bootstrap must be True or False, got 'yes'"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be None, -1 .* got 0"),
        ({"n_jobs": 1.5}, TypeError, "n_jobs must be None or an int, got 1.5"),
        ({"random_state": "seed"}, TypeError, "random_state must be None"),
        ({"criterion": "mse"}, ValueError, "criterion"),
        ({"max_features": "all"}, ValueError, "max_features"),
    ],
)
def test_bad_hyperparameters(params, error, match):
    X, y = float32_data(30, 3, 0, task="classification")
    with pytest.raises(error, match=match):
        RandomForestClassifier(**{"n_estimators": 3, **params}).fit(X, y)


def test_bad_input_and_failed_fit_leaves_model_unchanged():
    X, y = float32_data(50, 3, 0, task="classification")
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    before = forest.predict_proba(X)
    trees = list(forest.estimators_)
    with pytest.raises(ValueError, match="NaN"):
        forest.fit(np.full((50, 4), np.nan), y)
    with pytest.raises(ValueError, match=r"continuous|Unknown label type"):
        forest.fit(X[:, :2], np.linspace(0, 1, 50))
    with pytest.raises(ValueError, match="criterion"):
        forest.set_params(criterion="bad").fit(X[:, :2], y)
    forest.set_params(criterion="gini")
    assert forest.n_features_in_ == 3 and forest.estimators_ == trees
    np.testing.assert_array_equal(forest.predict_proba(X), before)
    with pytest.raises(ValueError, match="3 features"):
        forest.predict(X[:, :2])
    with pytest.raises(NotFittedError):
        RandomForestRegressor().predict(X)
    with pytest.raises(NotFittedError):
        RandomForestClassifier().feature_importances_  # noqa: B018


def test_textbook_forest_equals_estimator():
    X, y = float32_data(150, 5, 6, task="classification", n_classes=3)
    forest = RandomForestClassifier(n_estimators=5, max_depth=5, random_state=3).fit(X, y)
    trees = textbook.random_forest_fit(
        X,
        y,
        lambda seed: DecisionTreeClassifier(max_depth=5, max_features="sqrt", random_state=seed),
        n_estimators=5,
        random_state=3,
    )
    for a, b in zip(trees, forest.estimators_, strict=True):
        assert_same_tree_on_counts(b, a, rtol=1e-12)
    np.testing.assert_array_equal(
        textbook.random_forest_predict_proba(trees, X, 3), forest.predict_proba(X)
    )
    Xr, yr = float32_data(150, 5, 6)
    reg = RandomForestRegressor(n_estimators=4, random_state=3).fit(Xr, yr)
    trees = textbook.random_forest_fit(
        Xr, yr, lambda seed: DecisionTreeRegressor(max_features=1.0, random_state=seed), 4, True, 3
    )
    np.testing.assert_allclose(
        textbook.random_forest_predict(trees, Xr), reg.predict(Xr), rtol=1e-15
    )
