"""DecisionTreeClassifier: hand-computed cases, invariants, options, text dump and bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.tree import DecisionTreeClassifier as SkTree

from glassml.tree import DecisionTreeClassifier, export_text
from glassml.tree._growth import TREE_LEAF, TREE_UNDEFINED, node_impurity

# ----------------------------------------------------------------------------- hand-computed


def test_gini_and_entropy_of_known_nodes():
    counts = np.array([[3, 1, 0], [2, 2, 0], [5, 0, 0], [1, 1, 2]])
    # Gini 1 - Σp²: [3,1] -> 1 - (9+1)/16 = 0.375; [2,2] -> 0.5; pure -> 0;
    # [1,1,2] -> 1 - (1+1+4)/16 = 0.625.
    np.testing.assert_allclose(
        node_impurity(counts, "gini"), [0.375, 0.5, 0.0, 0.625], rtol=0, atol=1e-15
    )
    # Entropy -Σ p log₂ p: [3,1] -> -(3/4 log₂ 3/4 + 1/4 log₂ 1/4) = 0.8112781244591328;
    # [2,2] -> 1 bit; pure -> 0; [1,1,2] -> 1/4·2 + 1/4·2 + 1/2·1 = 1.5 bits.
    np.testing.assert_allclose(
        node_impurity(counts, "entropy"),
        [0.8112781244591328, 1.0, 0.0, 1.5],
        rtol=0,
        atol=1e-15,
    )


def test_hand_built_split():
    # Feature 0 separates the classes perfectly between 2 and 3 (threshold 2.5): decrease
    # 4·0.5 - 0 - 0 = 2. Feature 1's best, 1.5, leaves [1,0] | [1,2]: decrease
    # 2 - 3·(1 - 5/9) = 2/3. So the root splits on feature 0 at 2.5.
    X = np.array([[1.0, 4.0], [2.0, 1.0], [3.0, 3.0], [4.0, 2.0]])
    y = np.array([0, 0, 1, 1])
    tree = DecisionTreeClassifier().fit(X, y)
    t = tree.tree_
    assert t.node_count == 3 and tree.get_depth() == 1 and tree.get_n_leaves() == 2
    assert (t.feature[0], t.threshold[0]) == (0, 2.5)
    np.testing.assert_array_equal(t.impurity, [0.5, 0.0, 0.0])
    np.testing.assert_array_equal(t.n_node_samples, [4, 2, 2])
    np.testing.assert_array_equal(t.class_counts, [[2, 2], [2, 0], [0, 2]])
    np.testing.assert_array_equal(t.children_left, [1, TREE_LEAF, TREE_LEAF])
    np.testing.assert_array_equal(t.feature[1:], [TREE_UNDEFINED, TREE_UNDEFINED])
    np.testing.assert_array_equal(tree.feature_importances_, [1.0, 0.0])
    np.testing.assert_array_equal(tree.predict([[2.5, 0.0], [2.6, 0.0]]), [0, 1])  # <= goes left


def test_hand_built_entropy_split():
    # Root [3,1]: H = 0.8112781244591328 bits. Thresholds 0.5, 1.5, 2.5 leave
    # [1,0]|[2,1], [2,0]|[1,1], [3,0]|[0,1]; the last gives pure children (decrease 4·H).
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    tree = DecisionTreeClassifier(criterion="entropy").fit(X, [0, 0, 0, 1])
    assert tree.tree_.threshold[0] == 2.5
    np.testing.assert_allclose(tree.tree_.impurity, [0.8112781244591328, 0.0, 0.0], atol=1e-15)


def test_importances_hand_computed_two_levels():
    # Rows (x0, x1, y); root [3,3], n·G = 3. Decreases at the root: x0 <= 1.5 -> [2,0]|[1,3]
    # and x0 <= 3.5 -> [3,1]|[0,2] both give 3 - 4·0.375 = 1.5 (the lower threshold wins);
    # every other candidate gives 0.6 or less. The right node [1,3] (x0 = 2..5) splits on
    # x1 <= 0.5 -> [0,3]|[1,0], decrease 4·0.375 = 1.5 (x0 candidates give 0.5 at most).
    X = np.array([[0, 0], [1, 0], [2, 0], [3, 1], [4, 0], [5, 0]], dtype=float)
    y = np.array([0, 0, 1, 0, 1, 1])
    tree = DecisionTreeClassifier().fit(X, y)
    g = lambda a, b: 1 - (a * a + b * b) / (a + b) ** 2  # noqa: E731
    assert (tree.tree_.feature[0], tree.tree_.threshold[0]) == (0, 1.5)
    dec_root = 6 * 0.5 - 4 * g(1, 3)
    dec_right = 4 * g(1, 3)
    expected = np.array([dec_root, dec_right]) / (dec_root + dec_right)  # = [0.5, 0.5]
    np.testing.assert_allclose(tree.feature_importances_, expected, rtol=0, atol=1e-15)
    assert tree.get_depth() == 2 and tree.get_n_leaves() == 3


def test_ties_go_to_first_feature_in_feature_order_then_lowest_threshold():
    # Both features separate the two points: the one first in feature_order_ wins.
    for seed in range(6):
        tree = DecisionTreeClassifier(random_state=seed).fit([[0.0, 0.0], [1.0, 1.0]], [0, 1])
        assert tree.tree_.feature[0] == tree.feature_order_[0]
        assert tree.tree_.threshold[0] == 0.5
    # One feature, symmetric data: [0,1,0] thresholds 0.5 and 1.5 tie; the lower one wins.
    tree = DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0], [2.0]], [0, 1, 0])
    assert tree.tree_.threshold[0] == 0.5


def test_values_closer_than_1e_7_are_never_separated():
    # 0 and 1e-8 count as equal (scikit-learn's FEATURE_THRESHOLD): the only threshold is
    # between 1e-8 and 1, even though 0 | {1e-8, 1} would give pure children.
    X = np.array([[0.0], [1e-8], [1.0]])
    y = np.array([0, 1, 1])
    tree = DecisionTreeClassifier().fit(X, y)
    assert tree.tree_.threshold[0] == 1e-8 / 2 + 1.0 / 2
    assert tree.get_n_leaves() == 2
    assert tree.tree_.class_counts[1].tolist() == [1, 1]
    sk = SkTree(random_state=0).fit(X, y)
    assert sk.tree_.node_count == 3 and sk.tree_.n_node_samples[1] == 2


def test_midpoint_that_rounds_up_falls_back_to_the_lower_value():
    # NOTE the trap: in float64 the midpoint of two neighbours can round to the upper one,
    # which would send it left. Here a and b are adjacent doubles 1.9e-6 apart (> 1e-7).
    a = np.nextafter(1e10, np.inf)
    b = np.nextafter(a, np.inf)
    assert a / 2 + b / 2 == b  # the exact midpoint is not a double; it rounds up to b
    tree = DecisionTreeClassifier().fit([[a], [b]], ["low", "high"])
    np.testing.assert_array_equal(tree.predict([[a], [b]]), ["low", "high"])
    assert a <= tree.tree_.threshold[0] < b


# ---------------------------------------------------------------------------- invariants


def test_unlimited_tree_fits_distinct_points_perfectly():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = rng.integers(0, 3, size=300)  # labels unrelated to X: the tree must memorise
    tree = DecisionTreeClassifier().fit(X, y)
    np.testing.assert_array_equal(tree.predict(X), y)
    leaves = tree.tree_.children_left == TREE_LEAF
    np.testing.assert_array_equal(tree.tree_.impurity[leaves], 0.0)
    assert tree.get_n_leaves() == leaves.sum() == tree.tree_.node_count // 2 + 1


@pytest.mark.parametrize("max_depth", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_depth_bound_and_probabilities(max_depth, criterion):
    rng = np.random.default_rng(max_depth)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int) + (X[:, 2] > 1)
    tree = DecisionTreeClassifier(max_depth=max_depth, criterion=criterion).fit(X, y)
    assert tree.get_depth() <= max_depth
    assert tree.get_n_leaves() <= 2**max_depth
    proba = tree.predict_proba(rng.normal(size=(50, 3)))
    assert proba.shape == (50, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    assert np.all(proba >= 0)
    leaf_of_train = tree.apply(X)
    # Each leaf's value is the class fraction of the training samples that reach it.
    for leaf in np.unique(leaf_of_train):
        fractions = np.bincount(y[leaf_of_train == leaf], minlength=3) / np.sum(
            leaf_of_train == leaf
        )
        np.testing.assert_allclose(tree.tree_.value[leaf], fractions, rtol=0, atol=1e-15)
    total = tree.feature_importances_.sum()
    assert total == pytest.approx(1.0, abs=1e-12) and np.all(tree.feature_importances_ >= 0)


def test_min_samples_split_stops_small_nodes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = rng.integers(0, 2, size=300)
    tree = DecisionTreeClassifier(min_samples_split=30).fit(X, y)
    t = tree.tree_
    internal = t.children_left != TREE_LEAF
    assert np.all(t.n_node_samples[internal] >= 30)
    # A leaf is small (< 30), or pure.
    leaves = ~internal
    assert np.all((t.n_node_samples[leaves] < 30) | (t.impurity[leaves] == 0))


def test_single_class_and_constant_features_give_a_single_leaf():
    tree = DecisionTreeClassifier().fit(np.random.default_rng(0).normal(size=(5, 2)), [7] * 5)
    assert tree.tree_.node_count == 1 and tree.get_depth() == 0 and tree.get_n_leaves() == 1
    np.testing.assert_array_equal(tree.predict([[0.0, 0.0]]), [7])
    np.testing.assert_array_equal(tree.feature_importances_, [0.0, 0.0])
    # Constant features: impure root but nothing to split on (scikit-learn does the same).
    tree = DecisionTreeClassifier().fit(np.ones((4, 2)), [0, 1, 0, 1])
    assert tree.tree_.node_count == 1
    np.testing.assert_array_equal(tree.predict_proba([[1.0, 1.0]]), [[0.5, 0.5]])
    np.testing.assert_array_equal(tree.predict([[1.0, 1.0]]), [0])  # tie: first class


def test_zero_decrease_split_is_still_made_like_sklearn():
    # XOR: no single split lowers the Gini impurity at the root, yet scikit-learn splits
    # (min_impurity_decrease=0 and the node is impure), and the next level separates it.
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    tree = DecisionTreeClassifier().fit(X, y)
    sk = SkTree(random_state=0).fit(X, y)
    assert tree.tree_.node_count == sk.tree_.node_count == 7
    np.testing.assert_array_equal(tree.predict(X), y)


def test_entropy_and_log_loss_are_the_same_criterion():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(120, 3))
    y = rng.integers(0, 3, size=120)
    a = DecisionTreeClassifier(criterion="entropy", max_depth=4, random_state=0).fit(X, y).tree_
    b = DecisionTreeClassifier(criterion="log_loss", max_depth=4, random_state=0).fit(X, y).tree_
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_array_equal(a.impurity, b.impurity)


def _copies() -> tuple[np.ndarray, np.ndarray]:
    """Feature 0 and its two exact copies: every split ties three ways."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(150, 1))
    return np.hstack([x, x, x]), (x[:, 0] + 0.5 * rng.normal(size=150) > 0).astype(int)


def test_random_state_orders_the_features_for_ties():
    X, y = _copies()
    chosen = set()
    for seed in range(8):
        a = DecisionTreeClassifier(max_depth=3, random_state=seed).fit(X, y)
        b = DecisionTreeClassifier(max_depth=3, random_state=seed).fit(X, y)
        np.testing.assert_array_equal(a.feature_order_, np.random.default_rng(seed).permutation(3))
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)  # same seed, same tree
        internal = a.tree_.feature[a.tree_.feature >= 0]
        assert np.all(internal == a.feature_order_[0])  # the first copy in the order wins
        chosen.add(int(a.feature_order_[0]))
    assert chosen == {0, 1, 2}  # different seeds pick different copies
    # A Generator is used as it is (and advanced), like any random_state in glassml.
    rng = np.random.default_rng(7)
    order = DecisionTreeClassifier(random_state=rng).fit(X, y).feature_order_
    np.testing.assert_array_equal(order, np.random.default_rng(7).permutation(3))
    # None draws a fresh order at each fit: all three copies appear over 40 fits.
    firsts = {int(DecisionTreeClassifier().fit(X, y).feature_order_[0]) for _ in range(40)}
    assert firsts == {0, 1, 2}


def test_random_state_changes_nothing_without_ties():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 4))
    y = (X[:, 0] - X[:, 2] > 0.3).astype(int)
    trees = [
        DecisionTreeClassifier(max_depth=2, random_state=r).fit(X, y).tree_
        for r in (None, 0, 1, np.random.default_rng(5))
    ]
    for t in trees[1:]:
        np.testing.assert_array_equal(t.feature, trees[0].feature)
        np.testing.assert_array_equal(t.threshold, trees[0].threshold)


def test_sample_order_does_not_change_the_tree():
    rng = np.random.default_rng(4)
    X = np.round(rng.normal(size=(200, 3)), 1)  # many repeated values
    y = rng.integers(0, 3, size=200)
    perm = rng.permutation(200)
    a = DecisionTreeClassifier(random_state=0).fit(X, y).tree_
    b = DecisionTreeClassifier(random_state=0).fit(X[perm], y[perm]).tree_
    np.testing.assert_array_equal(a.feature, b.feature)
    np.testing.assert_array_equal(a.threshold, b.threshold)
    np.testing.assert_array_equal(a.class_counts, b.class_counts)


def test_pickle_round_trip():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 2))
    y = rng.integers(0, 2, size=80)
    tree = DecisionTreeClassifier(max_depth=3).fit(X, y)
    clone = pickle.loads(pickle.dumps(tree))
    np.testing.assert_array_equal(clone.predict_proba(X), tree.predict_proba(X))


# ----------------------------------------------------------------------------- text dump


def test_export_text_contents():
    X = np.array([[1.0, 4.0], [2.0, 1.0], [3.0, 3.0], [4.0, 2.0], [5.0, 0.5]])
    y = np.array(["no", "no", "yes", "yes", "no"])
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)  # feature_order_ = [0, 1]
    text = tree.export_text(feature_names=["size", "age"])
    assert text == (
        "|--- size <= 2.50\n"
        "|   |--- class: no\n"
        "|--- size >  2.50\n"
        "|   |--- size <= 4.50\n"
        "|   |   |--- class: yes\n"
        "|   |--- size >  4.50\n"
        "|   |   |--- class: no\n"
    )
    assert export_text(tree, decimals=1).splitlines()[0] == "|--- feature_0 <= 2.5"
    weights = tree.export_text(show_weights=True).splitlines()
    assert weights[1] == "|   |--- weights: [2.00, 0.00] class: no"


def test_export_text_bad_input():
    tree = DecisionTreeClassifier().fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match=r"feature_names must have 1 names .* got 2"):
        tree.export_text(feature_names=["a", "b"])
    with pytest.raises(ValueError, match=r"decimals must be in the range"):
        tree.export_text(decimals=-1)
    with pytest.raises(TypeError, match=r"tree must be a glassml DecisionTreeClassifier"):
        export_text(SkTree().fit([[0.0], [1.0]], [0, 1]))
    with pytest.raises(NotFittedError):
        DecisionTreeClassifier().export_text()


# ----------------------------------------------------------------------------- bad input

X_OK = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
Y_OK = np.array([0, 1, 0, 1])


@pytest.mark.parametrize(
    ("X", "y", "error", "match"),
    [
        ([[0.0, np.nan], [1.0, 0.0]], [0, 1], ValueError, "Input X contains NaN"),
        ([[0.0, np.inf], [1.0, 0.0]], [0, 1], ValueError, "Input X contains infinity"),
        ([0.0, 1.0, 2.0], [0, 1, 0], ValueError, "Expected 2D array, got 1D array"),
        (np.zeros((2, 2, 2)), [0, 1], ValueError, "Found array with dim 3"),
        (X_OK, [0, 1, 0], ValueError, "inconsistent numbers of samples: \\[4, 3\\]"),
        (np.empty((0, 2)), [], ValueError, "0 sample\\(s\\)"),
        (
            [["a", "b"], ["c", "d"]],
            [0, 1],
            ValueError,
            "X must contain only numbers; could not convert string to float",
        ),
        (X_OK, [0.1, 0.7, 1.3, 2.9], ValueError, "Unknown label type: continuous"),
        (X_OK, [0, 1, np.nan, 1], ValueError, "Input y contains NaN"),
        (X_OK, None, ValueError, "requires y to be passed"),
    ],
)
def test_fit_rejects_bad_data(X, y, error, match):
    with pytest.raises(error, match=match):
        DecisionTreeClassifier().fit(X, y)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"max_depth": 0}, ValueError, r"max_depth must be in the range \[1, inf\), got 0"),
        ({"max_depth": -3}, ValueError, r"max_depth must be in the range \[1, inf\), got -3"),
        ({"max_depth": 2.5}, TypeError, r"max_depth must be an int, got 2.5"),
        ({"max_depth": "3"}, TypeError, r"max_depth must be an int, got '3'"),
        ({"min_samples_split": 1}, ValueError, r"min_samples_split must be in the range \[2"),
        ({"min_samples_split": 0.5}, TypeError, r"min_samples_split must be an int"),
        ({"criterion": "mse"}, ValueError, r"criterion must be one of 'gini', 'entropy'"),
        ({"criterion": None}, ValueError, r"criterion must be one of .* got None"),
        ({"random_state": "seed"}, TypeError, r"random_state must be None, an int or"),
    ],
)
def test_fit_rejects_bad_hyperparameters(params, error, match):
    with pytest.raises(error, match=match):
        DecisionTreeClassifier(**params).fit(X_OK, Y_OK)


def test_predict_before_fit_raises_not_fitted():
    tree = DecisionTreeClassifier()
    for method in (tree.predict, tree.predict_proba, tree.predict_log_proba, tree.apply):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            method(X_OK)
    for method in (tree.get_depth, tree.get_n_leaves):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            method()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        _ = tree.feature_importances_
    assert not hasattr(tree, "feature_importances_")  # NotFittedError is an AttributeError


def test_predict_log_proba_is_the_log_of_predict_proba():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    y = np.array([0, 0, 1, 1, 2])
    tree = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    # left leaf {0, 0}: [1, 0, 0]; right leaf {1, 1, 2}: [0, 2/3, 1/3]
    sk = SkTree(max_depth=1, random_state=0).fit(X, y)
    with np.errstate(divide="ignore"):  # log(0) = -inf
        expected = np.log([[1.0, 0.0, 0.0], [0.0, 2 / 3, 1 / 3]])
        sk_log = sk.predict_log_proba(X)
    np.testing.assert_array_equal(tree.predict_log_proba([[0.5], [3.5]]), expected)
    np.testing.assert_array_equal(tree.predict_log_proba(X), sk_log)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (
            np.zeros((3, 3)),
            ValueError,
            "X has 3 features, but DecisionTreeClassifier is expecting 2",
        ),
        (np.zeros(2), ValueError, "Expected 2D array, got 1D array"),
        (np.zeros((2, 2, 1)), ValueError, "Found array with dim 3"),
        ([[np.nan, 0.0]], ValueError, "Input X contains NaN"),
        (
            [["a", "b"]],
            ValueError,
            "X must contain only numbers; could not convert string to float",
        ),
        (np.empty((0, 2)), ValueError, "0 sample\\(s\\)"),
    ],
)
def test_predict_rejects_bad_data(X, error, match):
    tree = DecisionTreeClassifier().fit(X_OK, Y_OK)
    for method in (tree.predict, tree.predict_proba, tree.apply):
        with pytest.raises(error, match=match):
            method(X)


def _snapshot(tree: DecisionTreeClassifier) -> dict:
    state = {k: v for k, v in vars(tree).items() if k.endswith("_")}
    state["tree_"] = {k: np.copy(v) for k, v in vars(tree.tree_).items()}
    return state


def _assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if key == "tree_":
            for name in a[key]:
                np.testing.assert_array_equal(a[key][name], b[key][name])
        else:
            np.testing.assert_array_equal(a[key], b[key])


def test_failed_calls_leave_a_fitted_tree_unchanged():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(60, 3))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, size=60)]
    tree = DecisionTreeClassifier(max_depth=3).fit(X, y)
    before = _snapshot(tree)
    predictions = tree.predict(X)
    bad_calls = [
        lambda: tree.fit(np.zeros((5, 7)), [0.5, 1.5, 2.5, 3.5, 4.1]),  # continuous y, new d
        lambda: tree.fit(np.full((4, 5), np.nan), [0, 1, 0, 1]),
        lambda: tree.fit(np.zeros((4, 5)), [0, 1]),
        lambda: tree.predict(np.zeros((2, 5))),
        lambda: tree.predict_proba([[np.inf, 0.0, 0.0]]),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()
        _assert_same_state(before, _snapshot(tree))
    tree.set_params(max_depth=0)
    with pytest.raises(ValueError, match="max_depth"):
        tree.fit(np.zeros((4, 5)), [0, 1, 0, 1])
    _assert_same_state(before, _snapshot(tree))
    assert tree.n_features_in_ == 3
    np.testing.assert_array_equal(tree.predict(X), predictions)


# ------------------------------------------------------------------------------ packaging


def test_docstring_examples_run():
    import doctest

    import glassml.tree.decision_tree as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0


def test_import_pulls_in_neither_torch_nor_matplotlib():
    import subprocess
    import sys

    code = "import sys, glassml.tree; print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_sklearn_validate_params_is_not_overridden():
    from sklearn.base import BaseEstimator

    assert DecisionTreeClassifier._validate_params is BaseEstimator._validate_params
