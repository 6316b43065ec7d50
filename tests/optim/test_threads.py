"""Large optimizer steps split over threads: same bits as one thread, every element exactly once."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from glassml import _threads as threads_module
from glassml.optim import Optimizer
from glassml.optim import optimizers as optimizers_module
from glassml.optim._base import split_into_shares
from tests.optim.test_optimizers import ALL_FIVE, FIVE_IDS


@pytest.fixture
def use_threads(monkeypatch):
    """``use_threads(n)``: steps from now on split over ``n`` threads if they are large enough."""

    def use(n: int) -> None:
        monkeypatch.setattr(threads_module, "available_cpus", lambda: n)
        monkeypatch.setattr(threads_module, "MAX_THREADS", n)

    return use


def _mixed_parameters(seed: int) -> list[np.ndarray]:
    """Every kind of array the row split must handle; 172,000+ elements, enough for threads."""
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal((300, 500)),  # split into row blocks
        rng.standard_normal((500, 60)).T,  # a transposed (non-contiguous) view, split too
        rng.standard_normal((5, 40, 30)),  # 3-D: blocks of its first axis
        rng.standard_normal(10_001),  # 1-D, rows that do not divide evenly
        rng.standard_normal((2, 3)),  # fewer rows than threads: goes whole
        np.array(0.5),  # 0-d
        np.empty((0, 4)),  # empty
    ]


def _run(make, n_threads: int, use_threads, steps: int = 4, readable=False) -> list[np.ndarray]:
    use_threads(n_threads)
    params = _mixed_parameters(seed=0)
    opt = make()
    if readable:
        opt._kernel = None  # the class's own _update, on row blocks too
    rng = np.random.default_rng(1)
    for _ in range(steps):
        grads = [rng.standard_normal(p.shape) for p in params]
        grads[3] = rng.integers(-3, 4, size=params[3].shape)  # integer gradients are accepted
        opt.step(params, grads)
    return params


@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
@pytest.mark.parametrize("n_threads", [2, 3, 4])
def test_threaded_steps_equal_one_thread_bit_for_bit(make, n_threads, use_threads):
    assert sum(p.size for p in _mixed_parameters(0)) >= optimizers_module.PARALLEL_MIN_SIZE
    expected = _run(make, 1, use_threads)
    got = _run(make, n_threads, use_threads)
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("make", ALL_FIVE, ids=FIVE_IDS)
def test_the_readable_updates_split_over_threads_equal_one_thread_bit_for_bit(make, use_threads):
    expected = _run(make, 1, use_threads, readable=True)
    got = _run(make, 3, use_threads, readable=True)
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_array_equal(g, e)


class _CountingOptimizer(Optimizer):
    """Adds 1 to every element it is handed and records the thread that did it."""

    elementwise = True

    def __init__(self) -> None:
        super().__init__(learning_rate=1.0)
        self.threads: set[int] = set()
        self.lock = threading.Lock()

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        param += 1.0
        with self.lock:
            self.threads.add(threading.get_ident())


@pytest.mark.parametrize("n_threads", [1, 2, 3, 4])
def test_every_element_is_updated_exactly_once_and_the_threads_are_used(n_threads, use_threads):
    use_threads(n_threads)
    params = [np.zeros_like(p) for p in _mixed_parameters(seed=0)]
    opt = _CountingOptimizer()
    opt.step(params, [np.zeros_like(p) for p in params])
    for p in params:
        np.testing.assert_array_equal(p, np.ones_like(p))
    assert threading.get_ident() in opt.threads  # the caller does one share itself
    # NOTE: a pool thread that finishes early may take a second share, so only "more than one"
    # is certain, not exactly n_threads.
    assert (len(opt.threads) > 1) == (n_threads > 1)


def test_a_small_step_stays_in_the_calling_thread(use_threads):
    use_threads(4)
    params = [np.zeros((300, 400))]  # 120,000 elements < PARALLEL_MIN_SIZE
    assert params[0].size < optimizers_module.PARALLEL_MIN_SIZE
    opt = _CountingOptimizer()
    opt.step(params, [np.zeros_like(params[0])])
    assert opt.threads == {threading.get_ident()}
    np.testing.assert_array_equal(params[0], 1.0)


def test_shares_are_balanced(use_threads):
    # the benchmark's shapes: two large matrices, two small vectors
    opt = _CountingOptimizer()
    params = [np.zeros(s, dtype=np.float32) for s in [(784, 1024), (1024,), (1024, 218), (218,)]]
    jobs = list(zip(params, params, opt._states.for_step(params, ()), strict=True))
    for n in (2, 3, 4):
        work = [sum(param.size for param, _, _ in share) for share in split_into_shares(jobs, n)]
        assert sum(work) == sum(p.size for p in params)
        assert max(work) - min(work) <= 0.01 * max(work), work


def test_adam_step_count_advances_once_per_step_not_once_per_block(use_threads):
    use_threads(4)
    big = np.zeros((400, 400))
    opt = optimizers_module.Adam(learning_rate=0.1)
    for t in (1, 2, 3):
        opt.step([big], [np.ones_like(big)])
        assert opt._states[id(big)]["t"] == t
    # a constant gradient keeps m̂ = v̂^(1/2) = 1, so each step moves by lr / (1 + eps)
    np.testing.assert_allclose(big, -0.3 / (1 + 1e-8), rtol=1e-12)


class _NormalisedSGD(Optimizer):
    """A user's rule with a whole-array reduction: each array moves by lr * g / ||g||."""

    # NOTE: no ``elementwise = True``: the base class's default (False) keeps arrays whole

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        param -= self.learning_rate * grad / np.linalg.norm(grad)


@pytest.mark.parametrize("n_threads", [1, 2, 4])
def test_a_user_rule_with_a_reduction_sees_whole_arrays_on_any_number_of_threads(
    n_threads, use_threads
):
    # over PARALLEL_MIN_SIZE elements, so an element-wise rule would be split into row blocks;
    # split, each block would be normalised alone: a step of norm sqrt(n_threads), not 1
    use_threads(n_threads)
    W = np.zeros((512, 512))
    assert W.size >= optimizers_module.PARALLEL_MIN_SIZE
    g = np.random.default_rng(4).standard_normal(W.shape)
    _NormalisedSGD(learning_rate=1.0).step([W], [g])
    assert np.linalg.norm(W) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(W, -g / np.linalg.norm(g), rtol=1e-12, atol=0)


def test_the_built_in_optimizers_declare_their_rules_element_wise():
    assert Optimizer.elementwise is False
    assert all(make().elementwise is True for make in ALL_FIVE)
