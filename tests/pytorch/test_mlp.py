"""MLP: block structure, train/eval behaviour of BatchNorm and Dropout, seeding, bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from glassml.pytorch import MLP


@pytest.mark.parametrize("hidden_dims", [[], [5], [8, 4], [3, 6, 2]])
def test_blocks_are_linear_batchnorm_relu_dropout_then_linear(hidden_dims):
    model = MLP(7, hidden_dims, 3, dropout=0.25)
    layers = list(model.net)
    assert isinstance(model.net, nn.Sequential)
    assert len(layers) == 4 * len(hidden_dims) + 1
    width_in = 7
    for i, width in enumerate(hidden_dims):
        lin, bn, relu, drop = layers[4 * i : 4 * i + 4]
        assert type(lin) is nn.Linear and (lin.in_features, lin.out_features) == (width_in, width)
        assert type(bn) is nn.BatchNorm1d and bn.num_features == width
        assert type(relu) is nn.ReLU
        assert type(drop) is nn.Dropout and drop.p == 0.25
        width_in = width
    last = layers[-1]
    assert type(last) is nn.Linear and (last.in_features, last.out_features) == (width_in, 3)
    counts = {t: sum(type(m) is t for m in layers) for t in (nn.Linear, nn.BatchNorm1d, nn.ReLU)}
    assert counts == {
        nn.Linear: len(hidden_dims) + 1,
        nn.BatchNorm1d: len(hidden_dims),
        nn.ReLU: len(hidden_dims),
    }


def test_without_batch_norm_blocks_are_linear_relu_dropout():
    model = MLP(4, [6, 5], 2, dropout=0.0, batch_norm=False)
    kinds = [type(m) for m in model.net]
    assert kinds == [nn.Linear, nn.ReLU, nn.Dropout, nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]


def test_forward_is_net_and_shapes():
    model = MLP(3, [4], 2, seed=0).eval()
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(1))
    out = model(x)
    assert out.shape == (5, 2)
    assert torch.equal(out, model.net(x))


def test_empty_hidden_dims_is_a_linear_model():
    model = MLP(3, [], 2, seed=0).double()
    (lin,) = list(model.net)
    x = torch.randn(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(model(x), x @ lin.weight.T + lin.bias, rtol=0, atol=1e-14)
    # Same in train mode: a linear model has no BatchNorm or Dropout to change behaviour.
    torch.testing.assert_close(model.train()(x), model.eval()(x), rtol=0, atol=0)


def test_batchnorm_uses_batch_statistics_in_train_and_running_ones_in_eval():
    model = MLP(3, [4], 1, dropout=0.0, seed=3).double()
    lin, bn = model.net[0], model.net[1]
    x = torch.randn(10, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        z = x @ lin.weight.T + lin.bias
        mean, var_biased = z.mean(0), z.var(0, unbiased=False)
        model.train()
        h = model.net[:2](x)
    expected = (z - mean) / torch.sqrt(var_biased + bn.eps) * bn.weight + bn.bias
    torch.testing.assert_close(h, expected, rtol=0, atol=1e-12)
    # The running averages moved by momentum 0.1 from (0, 1), the variance unbiased.
    torch.testing.assert_close(bn.running_mean, 0.1 * mean, rtol=0, atol=1e-14)
    torch.testing.assert_close(
        bn.running_var, 0.9 + 0.1 * z.var(0, unbiased=True), rtol=0, atol=1e-14
    )
    model.eval()
    with torch.no_grad():
        h_eval = model.net[:2](x)
    expected_eval = (z - bn.running_mean) / torch.sqrt(
        bn.running_var + bn.eps
    ) * bn.weight + bn.bias
    torch.testing.assert_close(h_eval, expected_eval, rtol=0, atol=1e-12)
    assert not torch.allclose(h_eval, h)


def test_dropout_is_random_in_train_and_identity_in_eval():
    model = MLP(5, [64], 1, dropout=0.5, batch_norm=False, seed=0)
    x = torch.randn(16, 5, generator=torch.Generator().manual_seed(0))
    model.train()
    a = model.net[:3](x)  # Linear, ReLU, Dropout
    b = model.net[:3](x)
    assert not torch.equal(a, b)
    relu = model.net[:2](x)
    kept = a != 0
    # Survivors are scaled by 1 / (1 - p) = 2; dropped ones are zero.
    torch.testing.assert_close(a[kept], 2 * relu[kept])
    assert ((relu > 0) & ~kept).any()
    model.eval()
    with torch.no_grad():
        e1, e2 = model(x), model(x)
    assert torch.equal(e1, e2)
    torch.testing.assert_close(model.net[:3](x), relu, rtol=0, atol=0)


def test_eval_is_deterministic_and_batch_independent_with_batchnorm():
    model = MLP(2, [8, 8], 1, dropout=0.3, seed=0)
    x = torch.randn(20, 2, generator=torch.Generator().manual_seed(0))
    model.train()
    model(x)  # update running statistics
    model.eval()
    with torch.no_grad():
        full = model(x)
        one_by_one = torch.cat([model(x[i : i + 1]) for i in range(len(x))])
    assert torch.equal(model(x), full)
    torch.testing.assert_close(one_by_one, full, rtol=1e-6, atol=1e-6)


def test_seed_fixes_weights_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    a = MLP(4, [8], 2, seed=7)
    assert torch.equal(torch.rand(3), expected_next)
    b = MLP(4, [8], 2, seed=7)
    c = MLP(4, [8], 2, seed=8)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.net[0].weight, c.net[0].weight)


def test_config_records_constructor_arguments():
    model = MLP(3, (4, 5), 2, dropout=0.1, batch_norm=False)
    assert model.config == {
        "input_dim": 3,
        "hidden_dims": [4, 5],
        "output_dim": 2,
        "dropout": 0.1,
        "batch_norm": False,
    }
    assert "hidden_dims=[4, 5]" in repr(model)


@pytest.mark.parametrize("dropout", [1.0, 1.5, -0.1])
def test_dropout_out_of_range(dropout):
    with pytest.raises(ValueError, match=r"dropout must be in the range \[0, 1\)"):
        MLP(2, [3], 1, dropout=dropout)


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="dropout must be a real number"):
        MLP(2, [3], 1, dropout="0.2")
    with pytest.raises(TypeError, match="hidden_dims must be a sequence of positive ints"):
        MLP(2, "32", 1)
    with pytest.raises(TypeError, match="hidden_dims must be a sequence"):
        MLP(2, 32, 1)
    with pytest.raises(ValueError, match=r"hidden_dims\[1\] must be in the range \(0, inf\)"):
        MLP(2, [3, 0], 1)
    with pytest.raises(TypeError, match=r"hidden_dims\[0\] must be an int"):
        MLP(2, [2.5], 1)
    with pytest.raises(ValueError, match="input_dim must be in the range"):
        MLP(0, [3], 1)
    with pytest.raises(TypeError, match="output_dim must be an int"):
        MLP(2, [3], 1.0)
    with pytest.raises(TypeError, match="batch_norm must be True or False"):
        MLP(2, [3], 1, batch_norm="yes")
    with pytest.raises(ValueError, match="seed must be in the range"):
        MLP(2, [3], 1, seed=-1)


def test_forward_rejects_wrong_width_and_non_2d_input():
    model = MLP(3, [4], 1)
    with pytest.raises(ValueError, match="x has 2 features, but this MLP expects input_dim=3"):
        model(torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"x must be 2-D of shape \(n_samples, 3\), got a 1-D"):
        model(torch.zeros(3))
    with pytest.raises(ValueError, match="got a 3-D tensor of shape"):
        model(torch.zeros(2, 4, 3))
    with pytest.raises(TypeError, match=r"x must be a torch\.Tensor"):
        model([[0.0, 0.0, 0.0]])


def test_forward_names_a_dtype_or_device_mismatch():
    model = MLP(3, [4], 2, seed=0)
    with pytest.raises(TypeError, match=r"x has dtype torch.float64, but .* torch.float32"):
        model(torch.zeros(2, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"x is on meta, but this MLP's parameters are on cpu"):
        model(torch.zeros(2, 3, device="meta"))
    # Once cast, the same input is fine: the check compares, it does not forbid float64.
    assert model.double()(torch.zeros(2, 3, dtype=torch.float64)).dtype == torch.float64
