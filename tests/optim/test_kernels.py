"""Readable == fast: each class's ``_update`` (the seed's formulas) against its kernel.

``step`` runs the fused kernel from ``glassml.optim._kernels``; setting ``_kernel = None`` on an
optimizer before its first step makes it run the class's readable ``_update`` instead. Both run
25 steps in float64 on a random quadratic, each evaluating the gradient at its own iterate, so a
difference in any single step would grow into a visible gap.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassml.optim import SGD, AdaGrad, Adam, Momentum, RMSProp
from tests.optim._quadratic import Quadratic
from tests.optim.test_optimizers import SeedAdam

N_STEPS = 25

# every hyperparameter away from its default once
MAKERS = {
    "SGD": lambda: SGD(learning_rate=0.05),
    "Momentum": lambda: Momentum(learning_rate=0.1, beta=0.7),
    "RMSProp": lambda: RMSProp(learning_rate=0.01, beta=0.8, eps=1e-3),
    "Adam": lambda: Adam(learning_rate=0.02, beta1=0.8, beta2=0.99, eps=1e-4),
    "Adam-defaults": lambda: Adam(learning_rate=0.01),
    "AdaGrad": lambda: AdaGrad(learning_rate=0.1, eps=1e-2),
}
SHAPES = [(3, 4), (4,), (4, 2), (), (0, 3)]  # a 0-d and an empty parameter too


def _readable(make):
    opt = make()
    opt._kernel = None  # run the class's _update, as the seed writes it
    return opt


def _trajectory(opt, problem: Quadratic) -> list[list[np.ndarray]]:
    params = problem.initial_params()
    history = []
    for _ in range(N_STEPS):
        opt.step(params, problem.gradients(params))
        history.append([p.copy() for p in params])
    return history


@pytest.mark.parametrize("name", list(MAKERS))
def test_readable_update_equals_the_kernel_over_a_trajectory(name):
    problem = Quadratic(seed=21, shapes=SHAPES)
    fast = _trajectory(MAKERS[name](), problem)
    readable = _trajectory(_readable(MAKERS[name]), problem)
    moved = 0.0
    for step, (f, r) in enumerate(zip(fast, readable, strict=True), start=1):
        for a, b in zip(f, r, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"step {step}")
    for a, b in zip(fast[-1], problem.initial_params(), strict=True):
        moved = max(moved, float(np.abs(a - b).max(initial=0.0)))
    assert moved > 1e-2  # the trajectory really went somewhere


def test_readable_adam_state_holds_m_and_v_and_the_kernel_names_its_rescaled_sums():
    rng = np.random.default_rng(5)
    grads = rng.standard_normal((N_STEPS, 6))
    readable, fast, seed = _readable(lambda: Adam(0.01)), Adam(0.01), SeedAdam(0.01)
    w_readable, w_fast, ref = np.zeros(6), np.zeros(6), [np.zeros(6)]
    for g in grads:
        readable.step([w_readable], [g])
        fast.step([w_fast], [g])
        ref = seed.update(ref, [g])
    state = readable._states[id(w_readable)]
    np.testing.assert_allclose(state["m"], seed.m[0], rtol=1e-14, atol=0)  # state["m"] IS m
    np.testing.assert_allclose(state["v"], seed.v[0], rtol=1e-14, atol=0)
    assert state["t"] == N_STEPS
    scaled = fast._states[id(w_fast)]
    assert "m" not in scaled and "v" not in scaled  # the kernel's sums have their own names
    np.testing.assert_allclose(scaled["m_scaled"] * (1 - 0.9), seed.m[0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(scaled["v_scaled"] * (1 - 0.999), seed.v[0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(w_readable, ref[0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(w_fast, ref[0], rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", list(MAKERS))
def test_float32_readable_and_fast_agree_to_float32_rounding(name):
    rng = np.random.default_rng(8)
    a = rng.standard_normal((30, 20)).astype(np.float32)
    b = a.copy()
    fast, readable = MAKERS[name](), _readable(MAKERS[name])
    for _ in range(N_STEPS):
        g = rng.standard_normal(a.shape).astype(np.float32)
        fast.step([a], [g])
        readable.step([b], [g])
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


class _AdamW(Adam):
    """A user's Adam with decoupled weight decay, written on top of the readable update."""

    def __init__(self, learning_rate: float, weight_decay: float) -> None:
        super().__init__(learning_rate)
        self.decay = weight_decay  # not Adam's own (L2) weight_decay

    def _update(self, param, grad, state) -> None:
        param *= 1 - self.learning_rate * self.decay
        super()._update(param, grad, state)


def test_a_subclass_that_overrides_update_runs_its_own_rule_not_the_kernel():
    rng = np.random.default_rng(6)
    grads = rng.standard_normal((N_STEPS, 4))
    decayed, plain, no_decay = np.ones(4), np.ones(4), np.ones(4)
    opts = _AdamW(0.01, weight_decay=0.5), Adam(0.01), _AdamW(0.01, weight_decay=0.0)
    seed, ref = SeedAdam(0.01), [np.ones(4)]
    for g in grads:
        for opt, w in zip(opts, (decayed, plain, no_decay), strict=True):
            opt.step([w], [g])
        ref = seed.update([ref[0] * (1 - 0.01 * 0.5)], [g])  # decay, then the seed's Adam
    assert "m" in opts[0]._states[id(decayed)]  # the readable state: the kernel did not run
    np.testing.assert_allclose(decayed, ref[0], rtol=1e-12, atol=0)
    np.testing.assert_allclose(no_decay, plain, rtol=1e-12, atol=0)
    assert np.abs(decayed - plain).min() > 1e-3
