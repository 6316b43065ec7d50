"""Written-out attention against torch.nn.functional.scaled_dot_product_attention."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from glassml.pytorch import ScaledDotProductAttention, causal_mask

attention = ScaledDotProductAttention()

SHAPES = {
    # name: (batch dims, L, S, d_k, d_v)
    "3-D": ((2,), 5, 7, 4, 3),
    "4-D": ((2, 3), 6, 6, 8, 5),
}


def qkv(batch, L, S, d_k, d_v, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    Q = torch.randn(*batch, L, d_k, generator=g, dtype=dtype)
    K = torch.randn(*batch, S, d_k, generator=g, dtype=dtype)
    V = torch.randn(*batch, S, d_v, generator=g, dtype=dtype)
    return Q, K, V


def random_mask(shape, seed=1):
    g = torch.Generator().manual_seed(seed)
    mask = torch.rand(shape, generator=g) < 0.6
    mask[..., 0] = True  # every query keeps at least one key (fully masked rows tested apart)
    return mask


def masks_for(name):
    batch, L, S, _, _ = SHAPES[name]
    yield "none", None, {}
    yield "bool", random_mask((*batch, L, S)), None
    if L == S:
        yield "causal", causal_mask(L), {"is_causal": True}


def reference(Q, K, V, mask, kwargs):
    if kwargs is None:
        return F.scaled_dot_product_attention(Q, K, V, attn_mask=mask)
    return F.scaled_dot_product_attention(Q, K, V, **kwargs)


@pytest.mark.parametrize("name", list(SHAPES))
@pytest.mark.parametrize(("dtype", "tol"), [(torch.float64, 1e-12), (torch.float32, 1e-6)])
def test_output_matches_torch(name, dtype, tol):
    Q, K, V = qkv(*SHAPES[name], dtype=dtype)
    for _, mask, kwargs in masks_for(name):
        out, weights = attention(Q, K, V, mask)
        torch.testing.assert_close(out, reference(Q, K, V, mask, kwargs), rtol=0, atol=tol)
        torch.testing.assert_close(out, weights @ V, rtol=0, atol=tol)


@pytest.mark.parametrize("name", list(SHAPES))
def test_weights_are_the_masked_softmax_and_rows_sum_to_one(name):
    batch, L, S, d_k, d_v = SHAPES[name]
    Q, K, V = qkv(batch, L, S, d_k, d_v)
    for _, mask, _ in masks_for(name):
        _, weights = attention(Q, K, V, mask)
        assert weights.shape == (*batch, L, S)
        torch.testing.assert_close(
            weights.sum(-1), torch.ones(*batch, L, dtype=torch.float64), rtol=0, atol=1e-14
        )
        # By hand, with the plain -inf convention (no row here is fully masked).
        scores = Q @ K.transpose(-2, -1) / math.sqrt(d_k)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
            assert torch.all(weights[~mask.expand_as(weights)] == 0)
        expected = torch.exp(scores - scores.amax(-1, keepdim=True))
        expected = expected / expected.sum(-1, keepdim=True)
        torch.testing.assert_close(weights, expected, rtol=0, atol=1e-14)


def test_causal_weights_are_lower_triangular():
    Q, K, V = qkv((1, 2), 5, 5, 4, 4)
    _, weights = attention(Q, K, V, causal_mask(5))
    assert torch.all(weights.triu(diagonal=1) == 0)
    torch.testing.assert_close(weights[..., 0, 0], torch.ones(1, 2, dtype=torch.float64))


@pytest.mark.parametrize("name", list(SHAPES))
def test_gradients_match_torch(name):
    Q0, K0, V0 = qkv(*SHAPES[name])
    for _, mask, kwargs in masks_for(name):
        ours = [t.clone().requires_grad_(True) for t in (Q0, K0, V0)]
        theirs = [t.clone().requires_grad_(True) for t in (Q0, K0, V0)]
        out_ours, _ = attention(*ours, mask)
        out_ref = reference(*theirs, mask, kwargs)
        R = torch.randn(
            out_ref.shape, generator=torch.Generator().manual_seed(5), dtype=out_ref.dtype
        )
        (out_ours * R).sum().backward()
        (out_ref * R).sum().backward()
        for a, b in zip(ours, theirs, strict=True):
            torch.testing.assert_close(a.grad, b.grad, rtol=0, atol=1e-12)


def test_gradient_matches_central_differences():
    Q, K, V = qkv((1,), 3, 4, 2, 2)
    mask = random_mask((1, 3, 4))
    Q.requires_grad_(True)
    torch.autograd.gradcheck(lambda q: attention(q, K, V, mask)[0], (Q,), eps=1e-6, atol=1e-8)


def test_fully_masked_row_gives_zeros_like_torch_and_finite_gradients():
    Q, K, V = (t.requires_grad_(True) for t in qkv((2,), 4, 5, 3, 3))
    mask = random_mask((2, 4, 5))
    mask[0, 2] = False  # query 2 of batch 0 may attend to nothing
    out, weights = attention(Q, K, V, mask)
    assert torch.all(out[0, 2] == 0) and torch.all(weights[0, 2] == 0)
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(Q, K, V, attn_mask=mask), rtol=0, atol=1e-12
    )
    out.sum().backward()
    assert all(bool(torch.isfinite(t.grad).all()) for t in (Q, K, V))
    assert torch.all(Q.grad[0, 2] == 0)


def test_mask_broadcasts_over_batch_and_heads():
    Q, K, V = qkv((2, 3), 4, 6, 5, 2)
    mask = random_mask((4, 6))
    out, _ = attention(Q, K, V, mask)
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(Q, K, V, attn_mask=mask), rtol=0, atol=1e-12
    )


def test_causal_mask_by_hand():
    expected = torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]], dtype=torch.bool)
    assert torch.equal(causal_mask(3, 4), expected)
    assert torch.equal(causal_mask(3), expected[:, :3])
    assert causal_mask(2).dtype == torch.bool
    with pytest.raises(ValueError, match="L must be in the range"):
        causal_mask(0)
    with pytest.raises(TypeError, match="S must be an int"):
        causal_mask(3, 2.0)


def test_bad_shapes_are_clear_errors():
    Q, K, V = qkv((2,), 4, 5, 3, 2)
    with pytest.raises(ValueError, match="Q and K must have the same last dimension d_k"):
        attention(Q, K[..., :2], V)
    with pytest.raises(ValueError, match="K and V must have the same length S"):
        attention(Q, K, V[:, :4])
    with pytest.raises(ValueError, match="must share their batch"):
        attention(Q, K[:1], V[:1])
    with pytest.raises(ValueError, match="same number of dimensions"):
        attention(Q.unsqueeze(1), K, V)
    with pytest.raises(ValueError, match=r"Q must be 3-D \(batch, length, dim\) or 4-D"):
        attention(Q[0], K[0], V[0])
    with pytest.raises(ValueError, match=r"does not broadcast to the scores' shape \(2, 4, 5\)"):
        attention(Q, K, V, torch.ones(4, 4, dtype=torch.bool))
    with pytest.raises(TypeError, match=r"mask must be a bool torch\.Tensor"):
        attention(Q, K, V, torch.ones(4, 5))
    with pytest.raises(TypeError, match="Q must be a floating-point tensor"):
        attention(Q.long(), K, V)
    with pytest.raises(TypeError, match=r"V must be a torch\.Tensor"):
        attention(Q, K, V.numpy())
