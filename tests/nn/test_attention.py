"""Attention in NumPy: hand-computed case, torch autograd to 1e-10, central differences,
textbook == fast, masks (fully masked rows included), float32, errors."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from glassml.nn import attention, max_relative_error, numerical_gradient
from glassml.nn.attention import (
    MultiHeadAttention,
    multi_head_attention_textbook,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
)
from glassml.optim import SGD

TOL = 1e-10
GRAD_TOL = 1e-7


def t(a):
    return torch.tensor(a, requires_grad=True)


def random_mask(shape, seed=1):
    mask = np.random.default_rng(seed).random(shape) < 0.6
    mask[..., 0] = True  # every query keeps a key (fully masked rows are tested apart)
    return mask


def causal(L, S):
    return np.tril(np.ones((L, S), dtype=bool))


# -- scaled_dot_product_attention ----------------------------------------------------------------
def test_sdpa_hand_computed():
    Q = np.array([[[2.0, 0.0]]])  # one query, d_k = 2
    K = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    V = np.array([[[1.0, 2.0], [3.0, 4.0]]])
    out, w = scaled_dot_product_attention(Q, K, V)
    # scores = [2/√2, 0] = [√2, 0]; weights = [e^√2, 1] / (e^√2 + 1)
    w0 = math.exp(math.sqrt(2)) / (math.exp(math.sqrt(2)) + 1)
    np.testing.assert_allclose(w, [[[w0, 1 - w0]]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(out, [[[w0 + 3 * (1 - w0), 2 * w0 + 4 * (1 - w0)]]], atol=1e-15)
    # key 1 hidden: all weight on key 0
    out, w = scaled_dot_product_attention(Q, K, V, np.array([True, False]))
    np.testing.assert_array_equal(w, [[[1.0, 0.0]]])
    np.testing.assert_array_equal(out, [[[1.0, 2.0]]])


SDPA_SHAPES = {
    # name: (batch dims, L, S, d_k, d_v)
    "3-D batch 1": ((1,), 1, 3, 4, 2),
    "3-D": ((2,), 5, 7, 4, 3),
    "4-D": ((2, 3), 6, 6, 8, 5),
}


def sdpa_inputs(batch, L, S, d_k, d_v, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((*batch, L, d_k)),
        rng.standard_normal((*batch, S, d_k)),
        rng.standard_normal((*batch, S, d_v)),
        rng.standard_normal((*batch, L, d_v)),  # upstream gradient
    )


def sdpa_masks(batch, L, S):
    yield None
    yield random_mask((*batch, L, S))
    yield random_mask((L, S), seed=2)  # broadcast over the batch dimensions
    yield causal(L, S)


@pytest.mark.parametrize("name", list(SDPA_SHAPES))
def test_sdpa_forward_and_backward_match_torch(name):
    batch, L, S, d_k, _ = SDPA_SHAPES[name]
    Q, K, V, G = sdpa_inputs(*SDPA_SHAPES[name])
    for mask in sdpa_masks(batch, L, S):
        out, w = scaled_dot_product_attention(Q, K, V, mask)
        Qt, Kt, Vt = t(Q), t(K), t(V)
        mask_t = None if mask is None else torch.tensor(mask)
        ref = F.scaled_dot_product_attention(Qt, Kt, Vt, attn_mask=mask_t)
        (ref * torch.tensor(G)).sum().backward()
        scores = Q @ np.swapaxes(K, -1, -2) / math.sqrt(d_k)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        ref_w = torch.softmax(torch.tensor(scores), dim=-1).numpy()
        np.testing.assert_allclose(out, ref.detach().numpy(), rtol=0, atol=TOL)
        np.testing.assert_allclose(w, ref_w, rtol=0, atol=TOL)
        dQ, dK, dV = scaled_dot_product_attention_backward(G, Q, K, V, w)
        for mine, theirs in ((dQ, Qt), (dK, Kt), (dV, Vt)):
            np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=0, atol=TOL)


@pytest.mark.parametrize("name", ["3-D batch 1", "3-D"])
def test_sdpa_backward_matches_central_differences(name):
    batch, L, S, _, _ = SDPA_SHAPES[name]
    Q, K, V, G = sdpa_inputs(*SDPA_SHAPES[name], seed=3)
    mask = random_mask((*batch, L, S))
    _, w = scaled_dot_product_attention(Q, K, V, mask)
    analytic = scaled_dot_product_attention_backward(G, Q, K, V, w)

    def f():
        return float(np.sum(scaled_dot_product_attention(Q, K, V, mask)[0] * G))

    for mine, x in zip(analytic, (Q, K, V), strict=True):
        assert max_relative_error(mine, numerical_gradient(f, x)) < GRAD_TOL


def test_sdpa_fully_masked_row_is_zero_like_torch():
    Q, K, V, G = sdpa_inputs((2,), 3, 4, 4, 2)
    mask = random_mask((2, 3, 4))
    mask[1, 2] = False  # query 2 of sample 1 sees nothing
    with np.errstate(all="raise"):
        out, w = scaled_dot_product_attention(Q, K, V, mask)
        dQ, dK, dV = scaled_dot_product_attention_backward(G, Q, K, V, w)
    np.testing.assert_array_equal(w[1, 2], 0.0)
    np.testing.assert_array_equal(out[1, 2], 0.0)
    np.testing.assert_array_equal(dQ[1, 2], 0.0)
    ref = F.scaled_dot_product_attention(*map(torch.tensor, (Q, K, V)), torch.tensor(mask))
    np.testing.assert_allclose(out, ref.numpy(), rtol=0, atol=TOL)  # torch: zeros too
    # the other rows are untouched by the empty one
    np.testing.assert_allclose(w[0].sum(axis=-1), 1.0, rtol=0, atol=1e-15)
    assert np.all(np.isfinite(dK)) and np.all(np.isfinite(dV))


def test_sdpa_stable_at_large_scores():
    Q = np.array([[[1000.0, -1000.0], [-1000.0, 1000.0]]])
    K = np.array([[[1000.0, 0.0], [0.0, 1000.0], [-1000.0, -1000.0]]])
    V = np.eye(3)[None]
    mask = np.array([True, True, False])
    with np.errstate(all="raise"):
        out, w = scaled_dot_product_attention(Q, K, V, mask)
        scaled_dot_product_attention_backward(np.ones_like(out), Q, K, V, w)
    np.testing.assert_array_equal(w, [[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])


def test_sdpa_keeps_float32_and_promotes_the_rest():
    Q, K, V, G = sdpa_inputs((2,), 3, 4, 4, 2)
    f32 = [a.astype(np.float32) for a in (Q, K, V)]
    out, w = scaled_dot_product_attention(*f32)
    assert out.dtype == w.dtype == np.float32
    np.testing.assert_allclose(out, scaled_dot_product_attention(Q, K, V)[0], atol=1e-5)
    grads = scaled_dot_product_attention_backward(G.astype(np.float32), *f32, w)
    assert all(g.dtype == np.float32 for g in grads)
    out, _ = scaled_dot_product_attention(f32[0], K, V)  # mixed: float64
    assert out.dtype == np.float64
    out, _ = scaled_dot_product_attention([[[1, 0]]], [[[1, 0]]], [[[2, 3]]])  # int lists
    np.testing.assert_array_equal(out, [[[2.0, 3.0]]])


def test_sdpa_rejects_bad_input():
    Q, K, V, G = sdpa_inputs((2,), 3, 4, 4, 2)
    with pytest.raises(ValueError, match=r"mask of shape \(3, 5\) does not broadcast.*\(2, 3, 4\)"):
        scaled_dot_product_attention(Q, K, V, np.ones((3, 5), dtype=bool))
    with pytest.raises(TypeError, match=r"mask must be a boolean array.*int64"):
        scaled_dot_product_attention(Q, K, V, np.ones((3, 4), dtype=np.int64))
    with pytest.raises(ValueError, match="same last dimension d_k"):
        scaled_dot_product_attention(Q, K[..., :3], V)
    with pytest.raises(ValueError, match="same length S"):
        scaled_dot_product_attention(Q, K, V[:, :3])
    with pytest.raises(ValueError, match="leading"):
        scaled_dot_product_attention(Q, K[:1], V[:1])
    with pytest.raises(ValueError, match="same number of dimensions"):
        scaled_dot_product_attention(Q[0], K, V)
    with pytest.raises(ValueError, match="Q contains NaN"):
        scaled_dot_product_attention(np.full_like(Q, np.nan), K, V)
    _, w = scaled_dot_product_attention(Q, K, V)
    with pytest.raises(ValueError, match=r"d_out must have shape \(2, 3, 2\), got \(2, 3, 4\)"):
        scaled_dot_product_attention_backward(Q, Q, K, V, w)
    with pytest.raises(ValueError, match=r"weights must have shape \(2, 3, 4\)"):
        scaled_dot_product_attention_backward(G, Q, K, V, w[:, :, :2])


# -- MultiHeadAttention vs torch.nn.MultiheadAttention -------------------------------------------
MHA_SHAPES = {
    # name: (batch, L, S, embed_dim, num_heads)
    "batch 1, one position": (1, 1, 1, 4, 2),
    "cross, 2 heads": (3, 4, 5, 8, 2),
    "self, 3 heads": (2, 6, 6, 12, 3),
    "one head": (2, 3, 5, 6, 1),
}


def mha_with_random_parameters(E, H, seed=0, dtype=np.float64):
    mha = MultiHeadAttention(E, H, random_state=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 100)
    for p in mha.parameters():  # biases non-zero too, so their gradients are exercised
        p[...] = 0.5 * rng.standard_normal(p.shape)
    return mha


def mha_inputs(B, L, S, E, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((B, L, E)),
        rng.standard_normal((B, S, E)),
        rng.standard_normal((B, S, E)),
        rng.standard_normal((B, L, E)),  # upstream gradient
    )


def torch_twin(mha):
    """torch.nn.MultiheadAttention holding mha's weights (torch stores W transposed)."""
    E, H = mha.embed_dim, mha.num_heads
    ref = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.tensor(np.concatenate([mha.W_q.T, mha.W_k.T, mha.W_v.T])))
        ref.in_proj_bias.copy_(torch.tensor(np.concatenate([mha.b_q, mha.b_k, mha.b_v])))
        ref.out_proj.weight.copy_(torch.tensor(mha.W_o.T))
        ref.out_proj.bias.copy_(torch.tensor(mha.b_o))
    return ref


def torch_grads_in_our_order(ref, E):
    dW_in, db_in = ref.in_proj_weight.grad.numpy(), ref.in_proj_bias.grad.numpy()
    grads = []
    for i in range(3):
        grads += [dW_in[i * E : (i + 1) * E].T, db_in[i * E : (i + 1) * E]]
    return [*grads, ref.out_proj.weight.grad.numpy().T, ref.out_proj.bias.grad.numpy()]


def mha_masks(B, H, L, S):
    yield "none", None
    yield "causal (L, S)", causal(L, S)
    yield "per head (B, H, L, S)", random_mask((B, H, L, S))
    padding = random_mask((B, 1, 1, S), seed=4)
    yield "key padding (B, 1, 1, S)", padding


@pytest.mark.parametrize("name", list(MHA_SHAPES))
def test_mha_matches_torch_multihead_attention(name):
    B, L, S, E, H = MHA_SHAPES[name]
    query, key, value, G = mha_inputs(B, L, S, E)
    if L == S:
        key = value = query  # self-attention: the same array three times
    mha = mha_with_random_parameters(E, H)
    for mask_name, mask in mha_masks(B, H, L, S):
        ref = torch_twin(mha)
        qt, kt, vt = t(query), t(key), t(value)
        attn_mask = None
        if mask is not None:  # NOTE: torch's bool attn_mask is True where attention is BLOCKED
            attn_mask = torch.tensor(~np.broadcast_to(mask, (B, H, L, S)).reshape(B * H, L, S))
        out_t, w_t = ref(qt, kt, vt, attn_mask=attn_mask, average_attn_weights=False)
        (out_t * torch.tensor(G)).sum().backward()
        out = mha.forward(query, key, value, mask)
        d_query, d_key, d_value = mha.backward(G)
        np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=0, atol=TOL, err_msg=mask_name)
        np.testing.assert_allclose(mha.attention_weights, w_t.detach().numpy(), rtol=0, atol=TOL)
        for mine, theirs in ((d_query, qt), (d_key, kt), (d_value, vt)):
            np.testing.assert_allclose(mine, theirs.grad.numpy(), rtol=0, atol=TOL)
        for mine, theirs in zip(mha.gradients(), torch_grads_in_our_order(ref, E), strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=TOL, err_msg=mask_name)


def test_mha_self_attention_gradient_is_the_sum_of_the_three():
    B, L, _, E, H = MHA_SHAPES["self, 3 heads"]
    X, _, _, G = mha_inputs(B, L, L, E, seed=5)
    mha = mha_with_random_parameters(E, H, seed=5)
    ref = torch_twin(mha)
    Xt = t(X)
    (ref(Xt, Xt, Xt, need_weights=False)[0] * torch.tensor(G)).sum().backward()
    mha.forward(X, X, X)
    np.testing.assert_allclose(sum(mha.backward(G)), Xt.grad.numpy(), rtol=0, atol=TOL)


@pytest.mark.parametrize("name", ["batch 1, one position", "cross, 2 heads"])
def test_mha_gradients_match_central_differences(name):
    B, L, S, E, H = MHA_SHAPES[name]
    query, key, value, G = mha_inputs(B, L, S, E, seed=6)
    mask = random_mask((B, H, L, S), seed=6)
    mha = mha_with_random_parameters(E, H, seed=6)
    mha.forward(query, key, value, mask)
    d_inputs = mha.backward(G)
    analytic = [g.copy() for g in mha.gradients()]

    def f():
        return float(np.sum(mha.forward(query, key, value, mask) * G))

    inputs = [query, key, value, *mha.parameters()]
    for mine, x in zip([*d_inputs, *analytic], inputs, strict=True):
        if x is mha.b_k:  # db_k: exactly 0, softmax ignores q·b_k, the same for every key
            np.testing.assert_allclose(mine, 0.0, rtol=0, atol=1e-12)
            np.testing.assert_allclose(numerical_gradient(f, x), 0.0, rtol=0, atol=1e-8)
            continue
        assert max_relative_error(mine, numerical_gradient(f, x)) < GRAD_TOL


def test_mha_equals_the_textbook_per_head_loop():
    B, L, S, E, H = 2, 5, 7, 12, 4
    query, key, value, _ = mha_inputs(B, L, S, E, seed=7)
    mha = mha_with_random_parameters(E, H, seed=7)
    for mask in (None, causal(L, S), random_mask((B, H, L, S), seed=7)):
        fast = mha.forward(query, key, value, mask)
        slow = multi_head_attention_textbook(query, key, value, mha.parameters(), H, mask)
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_textbook_rejects_bad_input():
    query, key, value, _ = mha_inputs(2, 3, 4, 8)
    params = MultiHeadAttention(8, 2, random_state=0).parameters()
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads"):
        multi_head_attention_textbook(query, key, value, params, 3)
    with pytest.raises(ValueError, match="params must hold 8 arrays"):
        multi_head_attention_textbook(query, key, value, params[:6], 2)
    with pytest.raises(ValueError, match=r"mask of shape \(5,\) does not broadcast"):
        multi_head_attention_textbook(query, key, value, params, 2, np.ones(5, dtype=bool))


def test_mha_fully_masked_query_gets_zero_attention():
    B, L, S, E, H = 2, 3, 4, 8, 2
    query, key, value, G = mha_inputs(B, L, S, E, seed=8)
    mha = mha_with_random_parameters(E, H, seed=8)
    mask = random_mask((B, H, L, S), seed=8)
    mask[0, :, 1] = False  # query 1 of sample 0 sees nothing, in every head
    with np.errstate(all="raise"):
        out = mha.forward(query, key, value, mask)
        d_query, d_key, d_value = mha.backward(G)
    np.testing.assert_array_equal(mha.attention_weights[0, :, 1], 0.0)
    np.testing.assert_allclose(out[0, 1], mha.b_o, rtol=0, atol=1e-15)  # zero attention, then W_o
    np.testing.assert_array_equal(d_query[0, 1], 0.0)
    assert all(np.all(np.isfinite(g)) for g in (d_key, d_value, *mha.gradients()))


def test_mha_train_and_eval_are_the_same():
    query, key, value, _ = mha_inputs(2, 3, 4, 8, seed=9)
    mha = mha_with_random_parameters(8, 2, seed=9)
    train = mha.forward(query, key, value, training=True)
    np.testing.assert_array_equal(mha.forward(query, key, value, training=False), train)


def test_mha_float32_end_to_end():
    B, L, S, E, H = 2, 4, 5, 8, 2
    query, key, value, G = mha_inputs(B, L, S, E, seed=10)
    m64 = mha_with_random_parameters(E, H, seed=10)
    m32 = MultiHeadAttention(E, H, dtype=np.float32)
    for p32, p64 in zip(m32.parameters(), m64.parameters(), strict=True):
        p32[...] = p64
    out32 = m32.forward(query, key, value, causal(L, S))
    grads32 = m32.backward(G)
    out64 = m64.forward(query, key, value, causal(L, S))
    grads64 = m64.backward(G)
    assert out32.dtype == m32.attention_weights.dtype == np.float32
    assert all(a.dtype == np.float32 for a in (*grads32, *m32.parameters(), *m32.gradients()))
    np.testing.assert_allclose(out32, out64, rtol=0, atol=1e-5)
    for g32, g64 in zip([*grads32, *m32.gradients()], [*grads64, *m64.gradients()], strict=True):
        # NOTE: absolute, on the scale of 1: db_k is 0 up to rounding (see the gradcheck test)
        assert np.max(np.abs(g32 - g64)) <= 1e-5 * max(1.0, np.abs(g64).max())


def test_mha_parameters_are_live_and_an_optimizer_trains_them():
    mha = MultiHeadAttention(8, 2, random_state=0)
    params, grads = mha.parameters(), mha.gradients()
    assert all(a is b for a, b in zip(params, mha.parameters(), strict=True))
    assert all(a is b for a, b in zip(grads, mha.gradients(), strict=True))
    assert [p.shape for p in params] == [(8, 8), (8,)] * 4
    assert params[0] is mha.W_q and params[7] is mha.b_o and grads[6] is mha.dW_o
    query, key, value, G = mha_inputs(2, 3, 4, 8, seed=11)
    mha.forward(query, key, value)
    mha.backward(G)
    before = [p.copy() for p in params]
    SGD(learning_rate=0.1).step(params, grads)
    for p, p0, g in zip(params, before, grads, strict=True):
        np.testing.assert_allclose(p, p0 - 0.1 * g, rtol=0, atol=1e-15)


def test_mha_initialisation_is_seeded_and_bounded():
    a = MultiHeadAttention(16, 4, random_state=0)
    b = MultiHeadAttention(16, 4, random_state=0)
    c = MultiHeadAttention(16, 4, random_state=np.random.default_rng(1))
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(pa, pb)
    assert not np.array_equal(a.W_q, c.W_q)
    assert not np.array_equal(a.W_q, a.W_k)  # each projection drawn separately
    assert np.abs(a.W_q).max() <= math.sqrt(6 / (4 * 16))  # torch's xavier_uniform bound
    assert np.abs(a.W_o).max() <= 1 / math.sqrt(16)  # torch's Linear bound
    assert all(np.all(p == 0) for p in a.parameters()[1::2])  # biases start at 0
    assert repr(a) == "MultiHeadAttention(16, 4, dtype=np.float64)"


def test_mha_rejects_bad_construction():
    with pytest.raises(ValueError, match=r"embed_dim must be divisible by num_heads.*=10.*=3"):
        MultiHeadAttention(10, 3)
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadAttention(8, 0)
    with pytest.raises(TypeError, match="embed_dim"):
        MultiHeadAttention(8.0, 2)
    with pytest.raises(TypeError, match="dtype"):
        MultiHeadAttention(8, 2, dtype=np.int32)
    with pytest.raises(TypeError, match="random_state"):
        MultiHeadAttention(8, 2, random_state="0")


def test_mha_rejects_bad_input_and_a_failed_call_changes_nothing():
    mha = MultiHeadAttention(8, 2, random_state=0)
    query, key, value, G = mha_inputs(2, 3, 4, 8, seed=12)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        mha.backward(G)
    out = mha.forward(query, key, value)
    mha.backward(G)
    grads = [g.copy() for g in mha.gradients()]
    bad_calls = [
        (
            ValueError,
            r"mask of shape \(3, 5\) does not broadcast.*\(2, 2, 3, 4\)",
            (query, key, value, np.ones((3, 5), dtype=bool)),
        ),
        (
            ValueError,
            r"mask of shape \(3, 2, 3, 4\)",
            (query, key, value, np.ones((3, 2, 3, 4), bool)),
        ),
        (TypeError, "mask must be a boolean array", (query, key, value, np.ones((3, 4)))),
        (ValueError, "query has 6 features.*embed_dim=8", (query[..., :6], key, value, None)),
        (ValueError, "key must be 3-D", (query, key[0], value, None)),
        (ValueError, "batch size.*length S", (query, key[:1], value[:1], None)),
        (ValueError, "batch size.*length S", (query, key, value[:, :2], None)),
        (ValueError, "value contains NaN", (query, key, np.full_like(value, np.inf), None)),
    ]
    for exc, match, args in bad_calls:
        with pytest.raises(exc, match=match):
            mha.forward(*args)
    with pytest.raises(
        ValueError, match=r"d_out must have the shape of the last output \(2, 3, 8\)"
    ):
        mha.backward(G[:, :2])
    for g, g0 in zip(mha.gradients(), grads, strict=True):
        np.testing.assert_array_equal(g, g0)  # no failed call touched the gradients
    mha.backward(G)  # ... nor the cache of the last good forward
    for g, g0 in zip(mha.gradients(), grads, strict=True):
        np.testing.assert_array_equal(g, g0)
    np.testing.assert_array_equal(mha.forward(query, key, value), out)


def test_docstring_examples_run():
    failed, attempted = doctest.testmod(attention)
    assert attempted >= 8
    assert failed == 0
