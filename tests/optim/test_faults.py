"""Optimizer faults from the audit (issue 14): each refused with a clear message, or fixed.

- overlapping views of one array in ``params`` (updated twice) are refused, naming both;
- ``eps=0`` (0/0 = NaN on an all-zero gradient history) is refused, and so is an eps that
  rounds to 0 in the parameters' dtype;
- float16 parameters for the optimizers that square gradients are refused (TypeError);
- a gradient whose square overflows (1e200 in float64: the running average becomes inf and
  freezes that coordinate for good) is refused before anything changes; integer gradients
  are cast to the parameters' dtype first (an int64 square wraps around);
- optimizers, and networks holding one, survive ``pickle`` and ``copy.deepcopy`` after steps,
  with the state following the copied arrays.
"""

from __future__ import annotations

import copy
import gc
import pickle

import numpy as np
import pytest
from sklearn.datasets import make_moons

from glassml.nn import NeuralNetwork
from glassml.optim import SGD, AdaGrad, Adam, Momentum, RMSProp
from tests.optim.test_optimizers import ALL_FIVE, FIVE_IDS, SeedAdaGrad, SeedAdam, SeedRMSProp

SQUARING = [lambda: RMSProp(0.01), lambda: Adam(0.01), lambda: AdaGrad(0.1)]
SQUARING_IDS = ["RMSProp", "Adam", "AdaGrad"]


# ------------------------------------------------------------------------------ overlaps
@pytest.mark.parametrize(
    "make_views",
    [
        lambda W: [W, W.T],
        lambda W: [W, W.reshape(-1)],
        lambda W: [W, W[0]],
        lambda W: [W[:, 1:], W[:, :2]],  # two column slices overlapping in column 1
    ],
    ids=["W,W.T", "W,W.reshape", "W,W[0]", "column-slices"],
)
@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_overlapping_views_are_refused_naming_both(make, make_views):
    W, b = np.ones((3, 4)), np.ones(4)
    first, second = make_views(W)
    params = [first, b, second]
    opt = make()
    with pytest.raises(ValueError, match=r"params\[2\] and params\[0\] share memory"):
        opt.step(params, [np.ones(p.shape) for p in params])
    np.testing.assert_array_equal(W, 1.0)  # nothing was updated
    np.testing.assert_array_equal(b, 1.0)
    assert len(opt._states) == 0


def test_disjoint_views_of_one_array_are_separate_parameters():
    W = np.zeros((4, 6))
    params = [W[:, :3], W[:, 3:], W[0:0]]  # disjoint column blocks and an empty view
    SGD(learning_rate=1.0).step(params, [np.ones((4, 3)), np.full((4, 3), 2.0), np.ones((0, 6))])
    np.testing.assert_array_equal(W[:, :3], -1.0)  # each element updated exactly once
    np.testing.assert_array_equal(W[:, 3:], -2.0)


# ----------------------------------------------------------------------------------- eps
@pytest.mark.parametrize("make", SQUARING, ids=SQUARING_IDS)
def test_all_zero_gradients_leave_parameters_finite_and_still(make):
    w = np.array([1.0, -2.0])
    opt = make()
    for _ in range(3):
        opt.step([w], [np.zeros(2)])  # with eps = 0 this was 0/0 = NaN
    np.testing.assert_array_equal(w, [1.0, -2.0])
    type(opt)(0.1, eps=1e-300).step([w], [np.zeros(2)])  # the tiniest float64 eps is enough
    np.testing.assert_array_equal(w, [1.0, -2.0])


@pytest.mark.parametrize("cls", [RMSProp, Adam, AdaGrad])
def test_zero_eps_is_refused(cls):
    with pytest.raises(ValueError, match=r"eps must be in the range \(0, inf\), got 0"):
        cls(0.1, eps=0.0)


@pytest.mark.parametrize("cls", [RMSProp, Adam, AdaGrad])
def test_an_eps_that_rounds_to_zero_in_the_parameters_dtype_is_refused(cls):
    w = np.ones(3, dtype=np.float32)
    opt = cls(0.1, eps=1e-50)  # fine for float64 parameters, 0 in float32
    with pytest.raises(ValueError, match=r"eps=1e-50 rounds to 0 in float32 \(params\[0\]\)"):
        opt.step([w], [np.zeros(3, dtype=np.float32)])
    np.testing.assert_array_equal(w, 1.0)
    opt.step([np.ones(3)], [np.zeros(3)])  # float64: accepted


# ------------------------------------------------------------------------------- float16
@pytest.mark.parametrize("make", SQUARING, ids=SQUARING_IDS)
def test_float16_parameters_are_refused_by_optimizers_that_square_gradients(make):
    w = np.ones(4, dtype=np.float16)
    with pytest.raises(TypeError, match=r"params\[0\] is float16.*Use float32 parameters"):
        make().step([w], [np.array([1e-3, 1.0, 100.0, 300.0], dtype=np.float16)])
    np.testing.assert_array_equal(w, 1.0)


@pytest.mark.parametrize("make", [lambda: SGD(0.5), lambda: Momentum(0.5)], ids=["SGD", "Mom"])
def test_float16_parameters_still_work_where_nothing_is_squared(make):
    w = np.ones(2, dtype=np.float16)
    make().step([w], [np.array([1.0, 300.0], dtype=np.float16)])
    assert w.dtype == np.float16 and np.isfinite(w).all() and (w < 1.0).all()


# ------------------------------------------------------------------------- huge gradients
@pytest.mark.parametrize("make", SQUARING, ids=SQUARING_IDS)
def test_a_gradient_whose_square_overflows_is_refused_and_changes_nothing(make):
    opt = make()
    W, b = np.ones((2, 2)), np.ones(3)
    opt.step([W, b], [np.ones((2, 2)), np.ones(3)])
    W_before, b_before = W.copy(), b.copy()
    g_b = np.ones(3)
    g_b[1] = 1e200  # finite, but its square is inf: the running average would freeze
    with pytest.raises(ValueError, match=r"grads\[1\] holds a gradient of magnitude 1e\+200"):
        opt.step([W, b], [np.ones((2, 2)), g_b])
    np.testing.assert_array_equal(W, W_before)
    np.testing.assert_array_equal(b, b_before)
    assert opt._states[id(W)]["t"] == 1


@pytest.mark.parametrize(
    ("ours", "seed"),
    [
        (lambda: RMSProp(0.01), lambda: SeedRMSProp(0.01)),
        (lambda: Adam(0.01), lambda: SeedAdam(0.01)),
        (lambda: AdaGrad(0.1), lambda: SeedAdaGrad(0.1)),
    ],
    ids=SQUARING_IDS,
)
def test_a_gradient_below_the_limit_follows_the_seed_formula(ours, seed):
    # 1e150 is accepted by all three (Adam's limit is sqrt(max * (1 - beta2)) ~ 4e152)
    grads = [np.array([1e150, 1.0]), *([np.array([-1.0, 1.0])] * 5)]
    opt, ref, w = ours(), seed(), np.zeros(2)
    ref_w = [np.zeros(2)]
    for g in grads:
        opt.step([w], [g])
        ref_w = ref.update(ref_w, [g])
    assert np.isfinite(w).all()
    np.testing.assert_allclose(w, ref_w[0], rtol=1e-12, atol=0)


def test_the_limit_follows_the_parameters_dtype():
    w = np.zeros(2, dtype=np.float32)
    with pytest.raises(ValueError, match="float32 without overflow"):
        Adam(0.01).step([w], [np.array([1e30, 1.0])])  # float64 gradient, float32 state
    Adam(0.01).step([np.zeros(2)], [np.array([1e30, 1.0])])  # float64 parameters: fine
    SGD(1e-40).step([w], [np.array([1e30, 1.0])])  # SGD squares nothing


# ------------------------------------------------------------------------- copy and pickle
def _train(opt, params, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        opt.step(params, [rng.standard_normal(p.shape) for p in params])


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_copied_params_and_optimizer_continue_identically(make, how):
    params = [np.random.default_rng(0).standard_normal((300, 500)), np.zeros(7), np.array(0.5)]
    opt = make()
    _train(opt, params, steps=3, seed=1)
    if how == "deepcopy":
        params2, opt2 = copy.deepcopy((params, opt))
    else:
        opt2, params2 = pickle.loads(pickle.dumps((opt, params)))  # optimizer first this time
    assert all(a is not b for a, b in zip(params, params2, strict=True))
    assert len(opt2._states) == len(params)  # the state is keyed to the copied arrays
    _train(opt, params, steps=4, seed=2)
    _train(opt2, params2, steps=4, seed=2)
    for a, b in zip(params, params2, strict=True):
        np.testing.assert_array_equal(a, b)
    if len(opt2._states[id(params2[0])]) > 1:  # its own state arrays, not the original's
        shared = [
            name
            for name, value in opt2._states[id(params2[0])].items()
            if isinstance(value, np.ndarray)
            and np.shares_memory(value, opt._states[id(params[0])][name])
        ]
        assert shared == []


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_an_optimizer_copied_alone_drops_the_state_of_arrays_it_does_not_own(how):
    params = [np.ones(5)]
    opt = Adam(0.01)
    _train(opt, params, steps=2, seed=0)
    alone = copy.deepcopy(opt) if how == "deepcopy" else pickle.loads(pickle.dumps(opt))
    gc.collect()
    assert len(alone._states) == 0
    assert repr(alone) == repr(opt)
    # it starts afresh on any array, like a new optimizer
    w1, w2 = np.ones(5), np.ones(5)
    alone.step([w1], [np.ones(5)])
    Adam(0.01).step([w2], [np.ones(5)])
    np.testing.assert_array_equal(w1, w2)


def test_a_network_holding_an_optimizer_deep_copies_and_trains_on_identically():
    X, y = make_moons(n_samples=64, noise=0.1, random_state=0)
    net = NeuralNetwork([2, 8, 1], optimizer=Adam(learning_rate=1e-2), random_state=0)
    net.fit(X, y, epochs=3, batch_size=16, verbose=False)
    twin = copy.deepcopy(net)
    restored = pickle.loads(pickle.dumps(net))
    for other in (twin, restored):
        assert len(other.optimizer._states) == len(other.parameters())
    losses = [m.fit(X, y, epochs=3, batch_size=16, verbose=False) for m in (net, twin, restored)]
    assert losses[0] == losses[1] == losses[2]
    for p, q, r in zip(net.parameters(), twin.parameters(), restored.parameters(), strict=True):
        np.testing.assert_array_equal(p, q)
        np.testing.assert_array_equal(p, r)


@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_integer_gradients_step_exactly_as_their_float_values(make):
    # an int64 g*g wraps around for |g| > 3e9 (old code: Adam moved a parameter by -3.3e19)
    a, b = np.zeros(2), np.zeros(2)
    ints, floats = make(), make()
    for _ in range(3):
        ints.step([a], [np.array([2**40, -3], dtype=np.int64)])
        floats.step([b], [np.array([2.0**40, -3.0])])
    np.testing.assert_array_equal(a, b)
