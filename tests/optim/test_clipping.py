"""clip_grad_norm against torch.nn.utils.clip_grad_norm_ and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from glassml.optim.clipping import clip_grad_norm

pytestmark = pytest.mark.usefixtures("torch_one_thread")

SHAPES = [(3, 4), (4,), (), (0, 2), (5, 1)]


def _grads(scale: float, dtype=np.float64, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.asarray(scale * rng.standard_normal(s), dtype=dtype) for s in SHAPES]


def _torch_clip(grads: list[np.ndarray], max_norm: float, norm_type: float):
    tensors = [torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
               for g in grads]  # fmt: skip
    for t, g in zip(tensors, grads, strict=True):
        t.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type)
    return float(total), [t.grad.numpy() for t in tensors]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_equals_torch_clip_grad_norm(norm_type, scale):
    # NOTE: torch refuses the infinity norm of an empty tensor (no identity); ours takes 0
    grads = [g for g in _grads(scale) if g.size or norm_type != math.inf]
    ids = [id(g) for g in grads]
    total_ref, clipped_ref = _torch_clip(grads, 1.5, norm_type)
    total = clip_grad_norm(grads, 1.5, norm_type=norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(total_ref, rel=1e-13)
    assert [id(g) for g in grads] == ids  # in place
    for a, b in zip(grads, clipped_ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)
    if scale == 100.0:  # clipped: the new norm sits just below max_norm (the 1e-6 in the coef)
        assert clip_grad_norm(grads, 1.5, norm_type=norm_type) < 1.5


def test_float32_equals_torch_in_float32():
    grads = _grads(10.0, np.float32, seed=3)
    total_ref, clipped_ref = _torch_clip(grads, 1.0, 2.0)
    total = clip_grad_norm(grads, 1.0)
    assert total == pytest.approx(total_ref, rel=1e-6)
    for a, b in zip(grads, clipped_ref, strict=True):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=0)


def test_by_hand_with_the_eps_in_the_coefficient():
    g = [np.array([3.0]), np.array([[4.0]])]
    assert clip_grad_norm(g, max_norm=1.0) == 5.0
    coef = 1.0 / (5.0 + 1e-6)  # not 1/5: torch's eps
    np.testing.assert_array_equal(g[0], [3.0 * coef])
    np.testing.assert_array_equal(g[1], [[4.0 * coef]])
    assert 3.0 * coef != 3.0 / 5.0


@pytest.mark.parametrize("max_norm", [5.0 + 1e-6, 100.0])
def test_no_op_when_the_norm_plus_eps_is_at_most_max_norm(max_norm):
    g = [np.array([3.0]), np.array([4.0])]
    assert clip_grad_norm(g, max_norm) == 5.0
    np.testing.assert_array_equal(g[0], [3.0])
    np.testing.assert_array_equal(g[1], [4.0])


def test_a_norm_equal_to_max_norm_still_shrinks_slightly_as_in_torch():
    g = [np.array([3.0]), np.array([4.0])]
    total_ref, clipped_ref = _torch_clip(g, 5.0, 2.0)
    assert clip_grad_norm(g, 5.0) == total_ref == 5.0
    np.testing.assert_array_equal(g[0], clipped_ref[0])
    np.testing.assert_array_equal(g[0], [3.0 * 5.0 / (5.0 + 1e-6)])


def test_zero_and_empty_gradients():
    g = [np.zeros(3), np.zeros((0, 4))]
    assert clip_grad_norm(g, 1.0) == 0.0
    np.testing.assert_array_equal(g[0], 0.0)
    assert clip_grad_norm([], 1.0) == 0.0


def test_bad_input_is_refused_and_changes_nothing():
    g = np.array([3.0, 4.0])
    with pytest.raises(TypeError, match="grads must be a list"):
        clip_grad_norm(g, 1.0)
    with pytest.raises(TypeError, match=r"grads\[1\] must be a floating-point NumPy array"):
        clip_grad_norm([g, np.array([1, 2])], 1.0)
    with pytest.raises(ValueError, match=r"max_norm must be in the range \(0, inf\), got 0"):
        clip_grad_norm([g], 0)
    with pytest.raises(ValueError, match=r"norm_type must be in the range \[1, inf\), got 0.5"):
        clip_grad_norm([g], 1.0, norm_type=0.5)
    frozen = np.ones(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match=r"grads\[1\] is read-only"):
        clip_grad_norm([g, frozen], 1.0)
    with pytest.raises(ValueError, match="total gradient norm is nan"):
        clip_grad_norm([g, np.array([np.nan])], 1.0)
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_the_docstring_example_runs():
    import doctest

    import glassml.optim.clipping

    result = doctest.testmod(glassml.optim.clipping)
    assert result.attempted >= 3 and result.failed == 0
