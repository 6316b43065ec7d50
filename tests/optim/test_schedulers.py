"""Schedulers against torch.optim.lr_scheduler epoch by epoch, by hand, and their errors."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import torch

from glassml.optim import SGD, Adam
from glassml.optim.schedulers import CosineAnnealingLR, ExponentialLR, LinearLR, StepLR
from tests.optim._quadratic import Quadratic

N_EPOCHS = 30
LR0 = 0.2

SCHED = torch.optim.lr_scheduler
CASES = {
    "StepLR": (lambda o: StepLR(o, step_size=4), lambda o: SCHED.StepLR(o, step_size=4)),
    "StepLR(gamma=0.5)": (
        lambda o: StepLR(o, step_size=1, gamma=0.5),
        lambda o: SCHED.StepLR(o, step_size=1, gamma=0.5),
    ),
    "ExponentialLR": (
        lambda o: ExponentialLR(o, gamma=0.9),
        lambda o: SCHED.ExponentialLR(o, gamma=0.9),
    ),
    "CosineAnnealingLR": (
        lambda o: CosineAnnealingLR(o, T_max=10),  # 30 epochs: down, up, down again
        lambda o: SCHED.CosineAnnealingLR(o, T_max=10),
    ),
    "CosineAnnealingLR(eta_min)": (
        lambda o: CosineAnnealingLR(o, T_max=7, eta_min=0.01),
        lambda o: SCHED.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
    ),
    "LinearLR": (lambda o: LinearLR(o), lambda o: SCHED.LinearLR(o)),
    "LinearLR(cool-down)": (
        lambda o: LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=12),
        lambda o: SCHED.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=12),
    ),
}


def _torch_lrs(make) -> list[float]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR0)
    sched = make(opt)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(N_EPOCHS):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == lrs[-1]
    return lrs


def _our_lrs(make) -> list[float]:
    opt = SGD(LR0)
    sched = make(opt)
    lrs = [sched.get_last_lr()]
    for _ in range(N_EPOCHS):
        sched.step()
        lrs.append(sched.get_last_lr())
        assert opt.learning_rate == lrs[-1]  # the optimizer's rate is what get_last_lr says
    return lrs


@pytest.mark.parametrize("name", list(CASES))
def test_equals_torch_epoch_by_epoch(name):
    ours, theirs = _our_lrs(CASES[name][0]), _torch_lrs(CASES[name][1])
    assert len(ours) == N_EPOCHS + 1 >= 16
    assert all(type(lr) is float for lr in ours)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert len(set(ours)) > 2  # the schedule really moved


def test_values_by_hand():
    opt = SGD(1.0)
    s = StepLR(opt, step_size=2, gamma=0.5)
    got = [s.get_last_lr()] + [s.step() or s.get_last_lr() for _ in range(5)]
    assert got == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    s = CosineAnnealingLR(SGD(1.0), T_max=2)
    got = [s.get_last_lr()] + [s.step() or s.get_last_lr() for _ in range(4)]
    np.testing.assert_allclose(got, [1.0, 0.5, 0.0, 0.5, 1.0], atol=1e-15)
    opt = SGD(0.3)
    s = LinearLR(opt, start_factor=0.5, total_iters=2)
    assert opt.learning_rate == 0.15  # the constructor sets epoch 0's rate, as torch's
    got = [s.step() or s.get_last_lr() for _ in range(3)]
    np.testing.assert_allclose(got, [0.225, 0.3, 0.3], rtol=1e-15)
    assert s.last_epoch == 3 and s.base_lr == 0.3
    assert math.isclose(ExponentialLR(SGD(2.0), gamma=0.5).base_lr, 2.0)


@pytest.mark.usefixtures("torch_one_thread")
def test_adam_with_a_schedule_equals_torch_for_45_steps():
    problem = Quadratic(seed=2)
    params = problem.initial_params()
    opt = Adam(0.05)
    sched = CosineAnnealingLR(opt, T_max=9, eta_min=0.001)
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    t_opt = torch.optim.Adam(tensors, lr=0.05)
    t_sched = SCHED.CosineAnnealingLR(t_opt, T_max=9, eta_min=0.001)
    for _epoch in range(15):
        for _ in range(3):  # 3 updates per epoch
            opt.step(params, problem.gradients(params))
            for t, g in zip(tensors, problem.gradients([t.detach().numpy() for t in tensors]),
                            strict=True):  # fmt: skip
                t.grad = torch.from_numpy(g)
            t_opt.step()
        sched.step()
        t_sched.step()
    for p, t in zip(params, tensors, strict=True):
        np.testing.assert_allclose(p, t.detach().numpy(), rtol=0, atol=1e-10)


def test_pickles_with_its_optimizer():
    opt = SGD(1.0)
    s = StepLR(opt, step_size=1, gamma=0.5)
    s.step()
    s2 = pickle.loads(pickle.dumps(s))
    s2.step()
    assert s2.get_last_lr() == s2.optimizer.learning_rate == 0.25
    assert opt.learning_rate == 0.5  # the original is untouched
    assert repr(s) == "StepLR(step_size=1, gamma=0.5)"


@pytest.mark.parametrize(
    ("make", "match", "error"),
    [
        (
            lambda o: StepLR(o, step_size=0),
            r"step_size must be in the range \(0, inf\), got 0",
            ValueError,
        ),
        (lambda o: StepLR(o, step_size=2.5), "step_size must be an int", TypeError),
        (lambda o: StepLR(o, 2, gamma=0), r"gamma must be in the range \(0, inf\)", ValueError),
        (lambda o: ExponentialLR(o, gamma=-1.0), "gamma must be in the range", ValueError),
        (lambda o: CosineAnnealingLR(o, T_max=0), "T_max must be in the range", ValueError),
        (lambda o: CosineAnnealingLR(o, 3, eta_min=-0.1), "eta_min must be in", ValueError),
        (
            lambda o: LinearLR(o, start_factor=0.0),
            r"start_factor must be in the range \(0, 1\]",
            ValueError,
        ),
        (
            lambda o: LinearLR(o, end_factor=1.5),
            r"end_factor must be in the range \[0, 1\]",
            ValueError,
        ),
        (lambda o: LinearLR(o, total_iters=0), "total_iters must be in the range", ValueError),
    ],
)
def test_bad_arguments_are_refused_and_leave_the_rate_alone(make, match, error):
    opt = SGD(0.1)
    with pytest.raises(error, match=match):
        make(opt)
    assert opt.learning_rate == 0.1


def test_an_object_without_a_learning_rate_is_refused():
    with pytest.raises(TypeError, match="optimizer must be an object with a numeric"):
        StepLR(object(), step_size=2)


def test_a_rate_changed_by_hand_is_overwritten_at_the_next_step():
    opt = SGD(1.0)
    s = ExponentialLR(opt, gamma=0.5)
    opt.learning_rate = 7.0
    assert s.get_last_lr() == 1.0  # what the scheduler set, as torch's get_last_lr
    s.step()
    assert opt.learning_rate == s.get_last_lr() == 0.5  # from base_lr, not from 7.0
