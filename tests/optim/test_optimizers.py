"""The five optimizers against the seed's formulas, hand-computed steps, state rules and bad input.

The seed formulas are written again here, independently and plainly (fresh arrays, no in-place
tricks), and both sides run 60 steps on a random quadratic where each side evaluates the gradient
at its own iterate, so any difference in a single step would grow into a visible gap.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.optim import SGD, AdaGrad, Adam, Momentum, Optimizer, RMSProp
from tests.optim._quadratic import Quadratic

N_STEPS = 60


# --------------------------------------------------------------------------- seed formulas
class SeedSGD:
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        return [p - self.lr * g for p, g in zip(params, grads, strict=True)]


class SeedMomentum:
    def __init__(self, lr, beta=0.9):
        self.lr, self.beta, self.v = lr, beta, None

    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        self.v = [self.beta * v + (1 - self.beta) * g for v, g in zip(self.v, grads, strict=True)]
        return [p - self.lr * v for p, v in zip(params, self.v, strict=True)]


class SeedRMSProp:
    def __init__(self, lr, beta=0.9, eps=1e-8):
        self.lr, self.beta, self.eps, self.s = lr, beta, eps, None

    def update(self, params, grads):
        if self.s is None:
            self.s = [np.zeros_like(p) for p in params]
        self.s = [
            self.beta * s + (1 - self.beta) * g**2 for s, g in zip(self.s, grads, strict=True)
        ]
        return [
            p - self.lr * g / np.sqrt(s + self.eps)
            for p, g, s in zip(params, grads, self.s, strict=True)
        ]


class SeedAdam:
    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.t = 0

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        out = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g**2
            m_hat = self.m[i] / (1 - self.beta1**self.t)
            v_hat = self.v[i] / (1 - self.beta2**self.t)
            out.append(p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps))
        return out


class SeedAdaGrad:
    def __init__(self, lr, eps=1e-8):
        self.lr, self.eps, self.G = lr, eps, None

    def update(self, params, grads):
        if self.G is None:
            self.G = [np.zeros_like(p) for p in params]
        self.G = [G + g**2 for G, g in zip(self.G, grads, strict=True)]
        return [
            p - self.lr * g / np.sqrt(G + self.eps)
            for p, g, G in zip(params, grads, self.G, strict=True)
        ]


# (ours, seed) pairs; every hyperparameter of every optimizer is set away from its default once
PAIRS = {
    "sgd": (lambda: SGD(learning_rate=0.05), lambda: SeedSGD(0.05)),
    "momentum": (lambda: Momentum(learning_rate=0.1), lambda: SeedMomentum(0.1)),
    "momentum-beta": (
        lambda: Momentum(learning_rate=0.1, beta=0.5),
        lambda: SeedMomentum(0.1, beta=0.5),
    ),
    "rmsprop": (lambda: RMSProp(learning_rate=0.003), lambda: SeedRMSProp(0.003)),
    "rmsprop-beta-eps": (
        lambda: RMSProp(learning_rate=0.01, beta=0.7, eps=1e-3),
        lambda: SeedRMSProp(0.01, beta=0.7, eps=1e-3),
    ),
    "adam": (lambda: Adam(learning_rate=0.01), lambda: SeedAdam(0.01)),
    "adam-betas-eps": (
        lambda: Adam(learning_rate=0.02, beta1=0.8, beta2=0.99, eps=1e-4),
        lambda: SeedAdam(0.02, beta1=0.8, beta2=0.99, eps=1e-4),
    ),
    "adagrad": (lambda: AdaGrad(learning_rate=0.1), lambda: SeedAdaGrad(0.1)),
    "adagrad-eps": (
        lambda: AdaGrad(learning_rate=0.1, eps=1e-2),
        lambda: SeedAdaGrad(0.1, eps=1e-2),
    ),
}
ALL_FIVE = [
    lambda: SGD(learning_rate=0.05),
    lambda: Momentum(learning_rate=0.1),
    lambda: RMSProp(learning_rate=0.01),
    lambda: Adam(learning_rate=0.01),
    lambda: AdaGrad(learning_rate=0.1),
]
FIVE_IDS = ["SGD", "Momentum", "RMSProp", "Adam", "AdaGrad"]


def run_ours(opt: Optimizer, problem: Quadratic, steps: int = N_STEPS) -> list[list[np.ndarray]]:
    params = problem.initial_params()
    history = []
    for _ in range(steps):
        opt.step(params, problem.gradients(params))
        history.append([p.copy() for p in params])
    return history


# ---------------------------------------------------------------- against the seed formula
@pytest.mark.parametrize("name", list(PAIRS))
def test_matches_seed_formula_over_many_steps(name):
    make_ours, make_seed = PAIRS[name]
    problem = Quadratic(seed=1)
    ours = run_ours(make_ours(), problem)
    seed, params = make_seed(), problem.initial_params()
    for step, ours_params in enumerate(ours, start=1):
        params = seed.update(params, problem.gradients(params))
        for mine, theirs in zip(ours_params, params, strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-10, err_msg=f"step {step}")
    # the optimizer really moved: the comparison is not between two unchanged starts
    start = problem.initial_params()
    assert max(np.abs(a - b).max() for a, b in zip(ours[-1], start, strict=True)) > 0.05


# ----------------------------------------------------------------- hand-computed steps
def test_sgd_first_step_by_hand():
    w = np.array([1.0, -2.0])
    SGD(learning_rate=0.1).step([w], [np.array([0.5, 0.5])])
    np.testing.assert_allclose(w, [0.95, -2.05], rtol=0, atol=1e-15)


def test_momentum_two_steps_by_hand():
    # v1 = 0.1*2 = 0.2, p1 = 1 - 0.1*0.2 = 0.98; v2 = 0.9*0.2 + 0.1*2 = 0.38, p2 = 0.98 - 0.038
    w = np.array([1.0])
    opt = Momentum(learning_rate=0.1, beta=0.9)
    opt.step([w], [np.array([2.0])])
    np.testing.assert_allclose(w, [0.98], rtol=0, atol=1e-15)
    opt.step([w], [np.array([2.0])])
    np.testing.assert_allclose(w, [0.942], rtol=0, atol=1e-15)


def test_rmsprop_first_step_by_hand():
    # s = 0.25*[4, 16] = [1, 4], sqrt(s) = [1, 2], step = 0.01*[2/1, -4/2] = [0.02, -0.02]
    w = np.array([0.5, 0.5])
    # eps = 1e-300 (eps = 0 is refused): 1 + 1e-300 == 1, so the hand values are exact
    RMSProp(learning_rate=0.01, beta=0.75, eps=1e-300).step([w], [np.array([2.0, -4.0])])
    np.testing.assert_allclose(w, [0.48, 0.52], rtol=0, atol=1e-15)
    # eps sits inside the root: the step is 0.01 * 2 / sqrt(1 + eps)
    w = np.array([0.5])
    RMSProp(learning_rate=0.01, beta=0.75, eps=0.21).step([w], [np.array([2.0])])
    np.testing.assert_allclose(w, [0.5 - 0.01 * 2 / 1.1], rtol=0, atol=1e-15)


def test_adam_first_step_is_lr_times_sign_of_gradient():
    # m_hat = g and v_hat = g^2 after bias correction, so the step is lr*g/(|g| + eps)
    g = np.array([3.0, -0.5, 1e-3, -250.0])
    w = np.zeros(4)
    lr, eps = 0.01, 1e-8
    Adam(learning_rate=lr, eps=eps).step([w], [g])
    np.testing.assert_allclose(w, -lr * g / (np.abs(g) + eps), rtol=1e-14, atol=0)
    np.testing.assert_allclose(w, -lr * np.sign(g), rtol=0, atol=lr * eps / np.abs(g).min())
    # without the bias correction the first step would be (0.1 g)/(sqrt(0.001) |g|) ≈ 3.16 lr
    assert np.abs(w).max() < 1.0001 * lr


def test_adagrad_two_steps_by_hand():
    # G = 9 then 25: steps 0.1*3/3 = 0.1 and 0.1*4/5 = 0.08
    w = np.array([1.0])
    opt = AdaGrad(learning_rate=0.1, eps=1e-300)  # eps = 0 is refused; 9 + 1e-300 == 9
    opt.step([w], [np.array([3.0])])
    np.testing.assert_allclose(w, [0.9], rtol=0, atol=1e-15)
    opt.step([w], [np.array([4.0])])
    np.testing.assert_allclose(w, [0.82], rtol=0, atol=1e-15)


# ------------------------------------------------------------- in place, state, reset
@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_step_updates_the_callers_arrays_in_place(make):
    problem = Quadratic(seed=2)
    params = problem.initial_params()
    before = [p.copy() for p in params]
    ids = [id(p) for p in params]
    W_view = params[0][1:]  # a view into the caller's W sees the update too
    make().step(params, problem.gradients(params))
    assert [id(p) for p in params] == ids
    for p, b in zip(params, before, strict=True):
        assert not np.array_equal(p, b)
    np.testing.assert_array_equal(W_view, params[0][1:])


@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_two_parameter_lists_never_share_state(make):
    net_a, net_b = Quadratic(seed=3), Quadratic(seed=4)
    alone_a, alone_b = run_ours(make(), net_a), run_ours(make(), net_b)
    shared = make()
    params_a, params_b = net_a.initial_params(), net_b.initial_params()
    for step in range(N_STEPS):  # interleave the two "networks" through one optimizer
        shared.step(params_a, net_a.gradients(params_a))
        shared.step(params_b, net_b.gradients(params_b))
        for got, want in ((params_a, alone_a[step]), (params_b, alone_b[step])):
            for p, w in zip(got, want, strict=True):
                np.testing.assert_array_equal(p, w)


def test_a_parameter_added_later_starts_from_fresh_state():
    lr = 0.01
    W, b = np.ones((2, 2)), np.ones(2)
    opt = Adam(learning_rate=lr)
    for _ in range(5):
        opt.step([W], [np.full((2, 2), 0.3)])
    # b joins the list: its first step is Adam's first step (t = 1 for b), lr * sign(g)
    W_before = W.copy()
    opt.step([W, b], [np.full((2, 2), 0.3), np.array([4.0, -4.0])])
    np.testing.assert_allclose(b, 1 - lr * np.array([1.0, -1.0]), rtol=0, atol=1e-9)
    # while W carried on with its own history: step 6 of a constant gradient is exactly lr too,
    # so compare with a fresh optimizer that saw the same six gradients for W alone
    W_alone = np.ones((2, 2))
    solo = Adam(learning_rate=lr)
    for _ in range(6):
        solo.step([W_alone], [np.full((2, 2), 0.3)])
    np.testing.assert_array_equal(W, W_alone)
    assert not np.array_equal(W, W_before)


@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_reset_forgets_everything(make):
    problem = Quadratic(seed=5)
    opt = make()
    run_ours(opt, problem, steps=10)
    opt.reset()
    for mine, fresh in zip(run_ours(opt, problem, 3), run_ours(make(), problem, 3), strict=True):
        for p, q in zip(mine, fresh, strict=True):
            np.testing.assert_array_equal(p, q)


def test_state_of_a_dropped_array_is_released():
    opt = Adam(learning_rate=0.1)
    W = np.ones(1000)
    opt.step([W], [np.ones(1000)])
    assert len(opt._states) == 1  # private, but this is exactly what must be freed
    del W
    gc.collect()
    assert len(opt._states) == 0


def test_a_new_array_never_inherits_a_dead_arrays_state():
    # id() values are reused after an array dies; the new array must still start fresh
    opt = Adam(learning_rate=0.01)
    for _ in range(20):
        w = np.zeros(3)
        opt.step([w], [np.array([1.0, -2.0, 0.5])])
        np.testing.assert_allclose(w, -0.01 * np.array([1.0, -1.0, 1.0]), rtol=0, atol=1e-9)
        del w


def test_float32_parameters_stay_float32_and_match_float64():
    problem = Quadratic(seed=6)
    p32 = [p.astype(np.float32) for p in problem.initial_params()]
    p64 = problem.initial_params()
    opt32, opt64 = Adam(learning_rate=0.01), Adam(learning_rate=0.01)
    for _ in range(20):
        g = problem.gradients(p64)
        opt64.step(p64, g)
        opt32.step(p32, [gi.astype(np.float32) for gi in g])  # same gradient sequence
    for a, b in zip(p32, p64, strict=True):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    # float64 gradients for float32 parameters are accepted (cast into the float32 state)
    Adam(learning_rate=0.01).step(p32, problem.gradients(p64))
    assert all(p.dtype == np.float32 for p in p32)


def test_gradients_may_be_lists_and_tuples_work_too():
    w = np.array([1.0, 2.0])
    SGD(learning_rate=0.5).step((w,), ([1.0, 1.0],))
    np.testing.assert_array_equal(w, [0.5, 1.5])


def test_empty_parameter_list_is_a_no_op():
    SGD(learning_rate=0.1).step([], [])


def test_huge_but_finite_gradients_are_accepted():
    # their float32 sum overflows to inf, which must not be mistaken for a NaN/inf element
    w = np.zeros(4, dtype=np.float32)
    SGD(learning_rate=1e-38).step([w], [np.full(4, 3e38, dtype=np.float32)])
    np.testing.assert_allclose(w, -3.0, rtol=1e-6)


def test_non_finite_anywhere_in_a_large_float32_gradient_is_caught():
    # the check reduces with max and min: NaN and ±inf must be found at any position
    w = np.zeros(1001, dtype=np.float32)
    for position in (0, 500, 1000):
        for bad in (np.nan, np.inf, -np.inf):
            g = np.ones(1001, dtype=np.float32)
            g[position] = bad
            with pytest.raises(ValueError, match="contains NaN or infinity"):
                SGD(learning_rate=0.1).step([w], [g])
    np.testing.assert_array_equal(w, 0.0)


def test_empty_parameter_arrays_are_updated_without_error():
    w = np.zeros((0, 3))
    Adam(learning_rate=0.1).step([w], [np.zeros((0, 3))])
    assert w.shape == (0, 3)


def test_repr_names_the_hyperparameters():
    assert repr(Adam(learning_rate=0.001)) == (
        "Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.0)"
    )
    assert repr(SGD(learning_rate=0.1)) == "SGD(learning_rate=0.1, weight_decay=0.0)"
    assert repr(Momentum(0.1)) == (
        "Momentum(learning_rate=0.1, beta=0.9, weight_decay=0.0, nesterov=False)"
    )
    assert repr(RMSProp(0.1)) == "RMSProp(learning_rate=0.1, beta=0.9, eps=1e-08)"
    assert repr(AdaGrad(0.1)) == "AdaGrad(learning_rate=0.1, eps=1e-08)"


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", [SGD, Momentum, RMSProp, Adam, AdaGrad])
@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan"), float("inf")])
def test_non_positive_or_non_finite_learning_rate(cls, lr):
    with pytest.raises(ValueError, match="learning_rate must be"):
        cls(learning_rate=lr)


@pytest.mark.parametrize("lr", ["0.1", None, True])
def test_learning_rate_of_the_wrong_type(lr):
    with pytest.raises(TypeError, match="learning_rate must be a real number"):
        Adam(learning_rate=lr)


@pytest.mark.parametrize("value", [1.0, -0.01, 1.5])
@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda v: Momentum(0.1, beta=v), "beta"),
        (lambda v: RMSProp(0.1, beta=v), "beta"),
        (lambda v: Adam(0.1, beta1=v), "beta1"),
        (lambda v: Adam(0.1, beta2=v), "beta2"),
    ],
)
def test_betas_outside_zero_one(make, name, value):
    with pytest.raises(ValueError, match=rf"{name} must be in the range \[0, 1\), got {value}"):
        make(value)


def test_beta_zero_is_allowed_and_momentum_then_is_sgd():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.0])
    for _ in range(3):
        Momentum(0.1, beta=0.0).step([a], [a * 1.0])
        SGD(0.1).step([b], [b * 1.0])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", [lambda: RMSProp(0.1, eps=-1e-8), lambda: Adam(0.1, eps=-1.0),
                                  lambda: AdaGrad(0.1, eps=-1e-12), lambda: RMSProp(0.1, eps=0.0),
                                  lambda: Adam(0.1, eps=0), lambda: AdaGrad(0.1, eps=0.0)])  # fmt: skip
def test_zero_or_negative_eps(make):
    # eps = 0 is refused too: 0/0 = NaN on an all-zero gradient history (see test_faults.py)
    with pytest.raises(ValueError, match=r"eps must be in the range \(0, inf\)"):
        make()


@pytest.fixture
def adam_and_params():
    return Adam(learning_rate=0.1), [np.ones((2, 3)), np.ones(3)]


def test_params_must_be_a_list_not_a_bare_array(adam_and_params):
    opt, (W, _b) = adam_and_params
    with pytest.raises(TypeError, match="params must be a list"):
        opt.step(W, [np.ones((2, 3))])
    with pytest.raises(TypeError, match="grads must be a list"):
        opt.step([W], np.ones((1, 2, 3)))


def test_params_and_grads_of_different_lengths(adam_and_params):
    opt, params = adam_and_params
    with pytest.raises(ValueError, match="same length, got 2 params and 1 grads"):
        opt.step(params, [np.ones((2, 3))])


def test_gradient_of_the_wrong_shape(adam_and_params):
    opt, params = adam_and_params
    with pytest.raises(
        ValueError, match=r"grads\[1\] has shape \(1, 3\), but params\[1\] has shape \(3,\)"
    ):
        opt.step(params, [np.ones((2, 3)), np.ones((1, 3))])  # would broadcast silently


def test_parameter_that_is_not_a_float_array(adam_and_params):
    opt, _ = adam_and_params
    with pytest.raises(TypeError, match=r"params\[0\] must be a floating-point NumPy array"):
        opt.step([np.ones(3, dtype=int)], [np.ones(3)])
    with pytest.raises(TypeError, match=r"params\[0\] must be a floating-point NumPy array"):
        opt.step([[1.0, 2.0]], [[1.0, 1.0]])


def test_gradient_that_is_not_numeric(adam_and_params):
    opt, (_W, b) = adam_and_params
    with pytest.raises(TypeError, match=r"grads\[0\] must be a numeric array"):
        opt.step([b], [["a", "b", "c"]])
    with pytest.raises(TypeError, match=r"grads\[0\] must be a real numeric array"):
        opt.step([b], [np.ones(3, dtype=complex)])


def test_read_only_parameter(adam_and_params):
    opt, (W, b) = adam_and_params
    b.flags.writeable = False
    with pytest.raises(ValueError, match=r"params\[1\] is read-only"):
        opt.step([W, b], [np.ones((2, 3)), np.ones(3)])


def test_same_array_twice(adam_and_params):
    opt, (W, b) = adam_and_params
    with pytest.raises(ValueError, match=r"params\[2\] is the same array object as params\[0\]"):
        opt.step([W, b, W], [np.ones((2, 3)), np.ones(3), np.ones((2, 3))])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_non_finite_gradient_changes_nothing(make, bad):
    opt = make()
    W, b = np.ones((2, 3)), np.ones(3)
    opt.step([W, b], [np.full((2, 3), 0.5), np.full(3, 0.5)])
    W_before, b_before = W.copy(), b.copy()
    g_b = np.full(3, 0.5)
    g_b[1] = bad
    with pytest.raises(ValueError, match=r"grads\[1\] contains NaN or infinity; no parameter"):
        opt.step([W, b], [np.full((2, 3), 0.5), g_b])
    np.testing.assert_array_equal(W, W_before)  # W came first in the list, yet is untouched
    np.testing.assert_array_equal(b, b_before)
    # and the state is untouched: the next good step equals that of an optimizer never failed
    twin = make()
    W2, b2 = np.ones((2, 3)), np.ones(3)
    twin.step([W2, b2], [np.full((2, 3), 0.5), np.full(3, 0.5)])
    for o, (w, bb) in ((opt, (W, b)), (twin, (W2, b2))):
        o.step([w, bb], [np.full((2, 3), -0.25), np.full(3, 0.75)])
    np.testing.assert_array_equal(W, W2)
    np.testing.assert_array_equal(b, b2)


def test_parameter_reshaped_in_place_is_caught():
    opt = Momentum(learning_rate=0.1)
    W = np.ones((2, 3))
    opt.step([W], [np.ones((2, 3))])
    W.shape = (3, 2)
    with pytest.raises(ValueError, match=r"params\[0\] changed shape from \(2, 3\) to \(3, 2\)"):
        opt.step([W], [np.ones((3, 2))])
    opt.reset()
    opt.step([W], [np.ones((3, 2))])


def test_state_follows_the_array_object_kept_views_included():
    # a view kept by the caller is one parameter: its state persists across steps
    g = np.array([1.0, 1.0])
    W = np.zeros((2, 2))
    row = W[0]
    opt = Momentum(learning_rate=1.0, beta=0.5)
    opt.step([row], [g])
    opt.step([row], [g])  # v = 0.5, then 0.75: total step 1.25
    np.testing.assert_array_equal(W[0], [-1.25, -1.25])
    # the documented trap: a fresh view per call is a new object, so it starts from zero state
    W2 = np.zeros((2, 2))
    opt2 = Momentum(learning_rate=1.0, beta=0.5)
    opt2.step([W2[0]], [g])
    opt2.step([W2[0]], [g])  # two first steps: 0.5 + 0.5
    np.testing.assert_array_equal(W2[0], [-1.0, -1.0])


@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_a_step_allocates_no_parameter_sized_arrays(make):
    import tracemalloc

    n = 200_000  # 1.6 MB per float64 array
    params = [np.ones(n), np.ones(n // 2)]
    grads = [np.full(n, 0.5), np.full(n // 2, -0.5)]
    opt = make()
    opt.step(params, grads)  # the first step allocates the state and the scratch buffer
    tracemalloc.start()
    try:
        opt.step(params, grads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.1 * params[1].nbytes, peak  # NumPy reports its data buffers to tracemalloc


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    lr=st.floats(1e-4, 1.0),
    beta1=st.floats(0.0, 0.999),
    beta2=st.floats(0.0, 0.9999),
    eps=st.floats(1e-12, 1e-2),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_valid_hyperparameters_follow_the_seed_formula(lr, beta1, beta2, eps, seed):
    # a fixed gradient sequence (no feedback), so only the update rule is compared
    rng = np.random.default_rng(seed)
    grads = rng.standard_normal((12, 5)) * rng.uniform(0.01, 100, size=5)
    pairs = [
        (SGD(lr), SeedSGD(lr)),
        (Momentum(lr, beta=beta1), SeedMomentum(lr, beta=beta1)),
        (RMSProp(lr, beta=beta2, eps=eps), SeedRMSProp(lr, beta=beta2, eps=eps)),
        (Adam(lr, beta1=beta1, beta2=beta2, eps=eps), SeedAdam(lr, beta1, beta2, eps)),
        (AdaGrad(lr, eps=eps), SeedAdaGrad(lr, eps=eps)),
    ]
    for ours, seed_opt in pairs:
        w, ref = np.zeros(5), [np.zeros(5)]
        for g in grads:
            ours.step([w], [g])
            ref = seed_opt.update(ref, [g])
        np.testing.assert_allclose(w, ref[0], rtol=1e-12, atol=1e-12, err_msg=repr(ours))


@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_numpy_scalar_hyperparameters_keep_float32_arithmetic_in_float32(make):
    # A float64 NumPy scalar would promote float32 arithmetic to float64 (NEP 50): slower, and
    # rounded differently. Hyperparameters are stored as Python floats, so both give equal bits.
    plain = make()
    as_numpy = type(plain)(**{k: np.float64(v) for k, v in plain._hyperparameters().items()})
    assert all(type(v) is float for v in as_numpy._hyperparameters().values())
    rng = np.random.default_rng(3)
    a = rng.standard_normal((50, 40)).astype(np.float32)
    b = a.copy()
    for _ in range(5):
        g = rng.standard_normal(a.shape).astype(np.float32)
        plain.step([a], [g])
        as_numpy.step([b], [g])
    np.testing.assert_array_equal(a, b)
