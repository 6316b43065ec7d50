"""Weight decay (torch's L2 on SGD, Momentum, Adam), AdamW (decoupled) and Nesterov momentum.

Authorities: ``torch.optim`` from the same start for 60 steps in float64 (each side evaluating
the quadratic's gradient at its own iterate), each class's readable ``_update`` against its
kernel, and hand-computed first steps.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glassml.optim import SGD, Adam, Momentum
from glassml.optim.optimizers import AdamW
from tests.optim import test_threads
from tests.optim._quadratic import Quadratic
from tests.optim.test_kernels import N_STEPS as KERNEL_STEPS
from tests.optim.test_kernels import SHAPES as KERNEL_SHAPES
from tests.optim.test_kernels import _readable, _trajectory
from tests.optim.test_optimizers import N_STEPS, run_ours
from tests.optim.test_torch_parity import assert_same_history, run_torch

use_threads = test_threads.use_threads  # the fixture, shared

B = 0.9  # momentum's beta: torch's lr is (1-β)·lr under the documented mapping

CASES = {
    "SGD(wd)": (
        lambda: SGD(0.05, weight_decay=0.3),
        lambda ps: torch.optim.SGD(ps, lr=0.05, weight_decay=0.3),
    ),
    "Momentum(wd)": (
        lambda: Momentum(0.1, beta=B, weight_decay=0.2),
        lambda ps: torch.optim.SGD(ps, lr=0.1 * (1 - B), momentum=B, weight_decay=0.2),
    ),
    "Momentum(nesterov)": (
        lambda: Momentum(0.1, beta=B, nesterov=True),
        lambda ps: torch.optim.SGD(ps, lr=0.1 * (1 - B), momentum=B, nesterov=True),
    ),
    "Momentum(nesterov, wd, beta=0.7)": (
        lambda: Momentum(0.1, beta=0.7, weight_decay=0.5, nesterov=True),
        lambda ps: torch.optim.SGD(
            ps, lr=0.1 * (1 - 0.7), momentum=0.7, weight_decay=0.5, nesterov=True
        ),
    ),
    "Adam(wd)": (
        lambda: Adam(0.02, weight_decay=0.1),
        lambda ps: torch.optim.Adam(ps, lr=0.02, weight_decay=0.1),
    ),
    "Adam(betas, eps, wd)": (
        lambda: Adam(0.02, beta1=0.8, beta2=0.99, eps=1e-3, weight_decay=1.0),
        lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-3, weight_decay=1.0),
    ),
    "AdamW-defaults": (lambda: AdamW(0.01), lambda ps: torch.optim.AdamW(ps, lr=0.01)),
    "AdamW(betas, eps, wd)": (
        lambda: AdamW(0.02, beta1=0.8, beta2=0.99, eps=1e-3, weight_decay=0.5),
        lambda ps: torch.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.5),
    ),
}


@pytest.mark.usefixtures("torch_one_thread")
@pytest.mark.parametrize("name", list(CASES))
def test_equals_torch_optim_for_60_steps(name):
    make_ours, make_torch = CASES[name]
    problem = Quadratic(seed=4)
    ours = run_ours(make_ours(), problem)
    theirs = run_torch(make_torch, problem)
    assert len(ours) == N_STEPS >= 40
    assert_same_history(ours, theirs, atol=1e-10)
    # the decay (or Nesterov) changed the path: the same optimizer without it differs
    plain = make_ours()
    plain.weight_decay, plain.nesterov = 0.0, False
    away = run_ours(plain, problem)[-1]
    assert max(float(np.abs(a - b).max()) for a, b in zip(away, ours[-1], strict=True)) > 1e-3


@pytest.mark.parametrize("name", list(CASES))
def test_readable_update_equals_the_kernel(name):
    make = CASES[name][0]
    problem = Quadratic(seed=21, shapes=KERNEL_SHAPES)
    fast = _trajectory(make(), problem)
    readable = _trajectory(_readable(make), problem)
    assert len(fast) == KERNEL_STEPS
    for step, (f, r) in enumerate(zip(fast, readable, strict=True), start=1):
        for a, b in zip(f, r, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=f"step {step}")


@pytest.mark.parametrize("name", list(CASES))
def test_float32_stays_float32_and_matches_the_readable_update(name):
    make = CASES[name][0]
    rng = np.random.default_rng(8)
    a = rng.standard_normal((30, 20)).astype(np.float32)
    b = a.copy()
    fast, readable = make(), _readable(make)
    for _ in range(KERNEL_STEPS):
        g = rng.standard_normal(a.shape).astype(np.float32)
        fast.step([a], [g])
        readable.step([b], [g])
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


def test_first_steps_by_hand():
    theta, g = np.array([2.0, -1.0]), np.array([0.5, 0.25])
    lr, wd = 0.1, 0.4
    w = theta.copy()
    SGD(lr, weight_decay=wd).step([w], [g])
    np.testing.assert_allclose(w, theta - lr * (g + wd * theta), rtol=1e-15)  # [1.87, -0.985]
    np.testing.assert_allclose(w, [1.87, -0.985], rtol=1e-15)
    w = theta.copy()
    Momentum(lr, beta=0.5, nesterov=True).step([w], [g])
    v = 0.5 * g  # (1-β)·g
    np.testing.assert_allclose(w, theta - lr * (0.5 * v + 0.5 * g), rtol=1e-15)
    # AdamW's first step: shrink by 1-lr·wd, then lr·sign(g) (up to eps); Adam's L2 form adds
    # wd·θ to g first, which flips the sign of the second coordinate's step here
    w, w_l2 = theta.copy(), theta.copy()
    AdamW(lr, weight_decay=wd, eps=1e-300).step([w], [g])
    Adam(lr, weight_decay=wd, eps=1e-300).step([w_l2], [g])
    np.testing.assert_allclose(w, theta * (1 - lr * wd) - lr * np.sign(g), rtol=1e-15)
    np.testing.assert_allclose(w_l2, theta - lr * np.sign(g + wd * theta), rtol=1e-15)


def test_adamw_is_an_adam_with_its_own_default_decay():
    opt = AdamW(0.001)
    assert isinstance(opt, Adam) and opt.weight_decay == 0.01
    assert repr(opt) == (
        "AdamW(learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01)"
    )
    assert repr(Momentum(0.1, nesterov=True)).endswith("nesterov=True)")


@pytest.mark.parametrize("make", [SGD, Momentum, Adam, AdamW])
def test_bad_weight_decay_is_refused_naming_it(make):
    with pytest.raises(ValueError, match=r"weight_decay must be in the range \[0, inf\), got -0.1"):
        make(0.1, weight_decay=-0.1)
    with pytest.raises(TypeError, match="weight_decay must be a real number"):
        make(0.1, weight_decay="0.1")


def test_bad_nesterov_is_refused():
    with pytest.raises(TypeError, match="nesterov must be True or False, got 1"):
        Momentum(0.1, nesterov=1)


def test_a_failed_step_with_weight_decay_changes_nothing():
    w = np.ones(3)
    opt = AdamW(0.1)
    with pytest.raises(ValueError, match="NaN or infinity"):
        opt.step([w], [np.array([1.0, np.nan, 0.0])])
    np.testing.assert_array_equal(w, 1.0)
    assert len(opt._states) == 0


@pytest.mark.parametrize("name", ["SGD(wd)", "Momentum(nesterov, wd, beta=0.7)", "Adam(wd)",
                                  "AdamW-defaults"])  # fmt: skip
@pytest.mark.parametrize("readable", [False, True])
def test_threaded_steps_with_decay_equal_one_thread_bit_for_bit(name, readable, use_threads):
    one = test_threads._run(CASES[name][0], 1, use_threads, readable=readable)
    three = test_threads._run(CASES[name][0], 3, use_threads, readable=readable)
    for a, b in zip(one, three, strict=True):
        np.testing.assert_array_equal(a, b)
