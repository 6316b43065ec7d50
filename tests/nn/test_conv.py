"""Conv2d, MaxPool2d, ReLU, Flatten, Unflatten: hand-computed cases, the textbook loops, central
differences, PyTorch autograd on the same weights (1e-10, float64), float32, errors, and a CNN
on scikit-learn's digits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import glassml.nn.conv
from glassml.nn import DenseLayer, Sequential, max_relative_error, numerical_gradient
from glassml.nn import textbook_conv as tb
from glassml.nn.conv import Conv2d, Flatten, MaxPool2d, ReLU, Unflatten
from glassml.optim import Adam

TOL = 1e-10
# (batch, in_channels, out_channels, H, W, kernel, stride, padding)
CONV_CASES = [
    (1, 1, 1, 5, 5, 3, 1, 0),
    (1, 2, 3, 6, 7, 3, 2, 1),
    (4, 3, 2, 7, 6, 2, 1, 2),
    (3, 2, 4, 9, 8, 3, 3, 0),
    (2, 1, 5, 4, 4, 4, 1, 0),  # kernel exactly the input: one output pixel
    (2, 3, 2, 5, 6, 5, 2, 1),
]


def _conv(case, seed=0):
    n, c, o, h, w, k, s, p = case
    rng = np.random.default_rng(seed)
    layer = Conv2d(c, o, k, stride=s, padding=p, random_state=seed)
    layer.b[:] = rng.standard_normal(o)  # a non-zero bias, so db and the forward see it
    return layer, rng.standard_normal((n, c, h, w)), rng


def _torch_conv(layer, X, dA):
    Xt = torch.tensor(X, requires_grad=True)
    Wt = torch.tensor(layer.W, requires_grad=True)
    bt = torch.tensor(layer.b, requires_grad=True)
    Zt = F.conv2d(Xt, Wt, bt, stride=layer.stride, padding=layer.padding)
    Zt.backward(torch.tensor(dA))
    return Zt.detach().numpy(), Xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


# -- Conv2d ----------------------------------------------------------------------------------------
def test_conv2d_hand_computed():
    layer = Conv2d(1, 1, 2, random_state=0)
    layer.W[...] = [[[[1.0, 2.0], [3.0, 4.0]]]]
    layer.b[...] = 0.5
    X = np.arange(9.0).reshape(1, 1, 3, 3)  # [[0 1 2] [3 4 5] [6 7 8]]
    # Z[0,0] = 0·1 + 1·2 + 3·3 + 4·4 + 0.5 = 27.5, and each step right adds 1+2+3+4 = 10
    np.testing.assert_array_equal(layer.forward(X), [[[[27.5, 37.5], [57.5, 67.5]]]])
    dX = layer.backward(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(layer.dW, [[[[8.0, 12.0], [20.0, 24.0]]]])  # window sums
    np.testing.assert_array_equal(layer.db, [4.0])
    # the centre pixel lies in all four windows: 1 + 2 + 3 + 4
    np.testing.assert_array_equal(dX, [[[[1, 3, 2], [4, 10, 6], [3, 7, 4]]]])


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("block_rows", [None, 1, 50])
def test_conv2d_matches_torch_autograd(case, block_rows, monkeypatch):
    if block_rows is not None:  # col2im in blocks of one sample, or of several with a short last
        monkeypatch.setattr(glassml.nn.conv, "_COL2IM_ROWS", block_rows)
    layer, X, rng = _conv(case)
    Z = layer.forward(X)
    dA = rng.standard_normal(Z.shape)
    dX = layer.backward(dA)
    Zt, dXt, dWt, dbt = _torch_conv(layer, X, dA)
    assert Z.shape == Zt.shape and dX.shape == X.shape
    np.testing.assert_allclose(Z, Zt, rtol=0, atol=TOL)
    np.testing.assert_allclose(dX, dXt, rtol=0, atol=TOL)
    np.testing.assert_allclose(layer.dW, dWt, rtol=0, atol=TOL)
    np.testing.assert_allclose(layer.db, dbt, rtol=0, atol=TOL)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_fast_equals_textbook_loops(case):
    layer, X, rng = _conv(case, seed=3)
    Z = layer.forward(X)
    dA = rng.standard_normal(Z.shape)
    dX = layer.backward(dA)
    s, p = layer.stride, layer.padding
    np.testing.assert_allclose(Z, tb.conv2d_forward(X, layer.W, layer.b, s, p), rtol=0, atol=1e-12)
    dX_tb, dW_tb, db_tb = tb.conv2d_backward(X, layer.W, dA, s, p)
    np.testing.assert_allclose(dX, dX_tb, rtol=0, atol=1e-12)
    np.testing.assert_allclose(layer.dW, dW_tb, rtol=0, atol=1e-12)
    np.testing.assert_allclose(layer.db, db_tb, rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", [CONV_CASES[1], CONV_CASES[2]])
def test_conv2d_gradients_match_central_differences(case):
    layer, X, rng = _conv(case, seed=5)
    R = rng.standard_normal(layer.forward(X).shape)

    def f():
        return float(np.sum(layer.forward(X) * R))  # L = Σ Z ⊙ R, so ∂L/∂Z = R

    layer.forward(X)
    dX = layer.backward(R)
    assert max_relative_error(dX, numerical_gradient(f, X)) < 1e-8
    assert max_relative_error(layer.dW.copy(), numerical_gradient(f, layer.W)) < 1e-8
    assert max_relative_error(layer.db.copy(), numerical_gradient(f, layer.b)) < 1e-8


def test_conv2d_init_is_he_normal_and_seeded():
    layer = Conv2d(3, 4, 5, random_state=7)
    expected = np.random.default_rng(7).standard_normal((4, 3, 5, 5)) * np.sqrt(2.0 / 75)
    np.testing.assert_array_equal(layer.W, expected)
    np.testing.assert_array_equal(layer.b, np.zeros(4))
    np.testing.assert_array_equal(
        Conv2d(3, 4, 5, random_state=0).W, Conv2d(3, 4, 5, random_state=np.random.default_rng(0)).W
    )


def test_conv2d_parameters_are_live_and_updated_in_place():
    layer, X, _ = _conv(CONV_CASES[2])
    params, grads = layer.parameters(), layer.gradients()
    assert params[0] is layer.W and params[1] is layer.b
    assert grads[0] is layer.dW and grads[1] is layer.db
    Z = layer.forward(X)
    layer.backward(np.ones_like(Z))
    assert layer.gradients()[0] is grads[0] and np.any(grads[0] != 0)
    assert grads[0].shape == layer.W.shape and grads[1].shape == layer.b.shape


def test_conv2d_float32_end_to_end_and_train_equals_eval():
    layer64, X, rng = _conv(CONV_CASES[3])
    layer32 = Conv2d(2, 4, 3, stride=3, random_state=0, dtype=np.float32)
    layer32.W[...] = layer64.W
    layer32.b[...] = layer64.b
    Z32 = layer32.forward(X.astype(np.float32))
    dA = rng.standard_normal(Z32.shape)
    dX32 = layer32.backward(dA.astype(np.float32))
    assert Z32.dtype == dX32.dtype == layer32.dW.dtype == layer32.db.dtype == np.float32
    np.testing.assert_allclose(Z32, layer64.forward(X), rtol=0, atol=1e-5)
    np.testing.assert_allclose(dX32, layer64.backward(dA), rtol=0, atol=1e-5)
    np.testing.assert_allclose(layer32.dW, layer64.dW, rtol=0, atol=1e-4)
    np.testing.assert_array_equal(layer64.forward(X, training=False), layer64.forward(X))


def test_conv2d_rejects_bad_input():
    layer = Conv2d(3, 2, 3, padding=1, random_state=0)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((1, 2, 4, 4)))
    with pytest.raises(ValueError, match=r"X has 2 channels .* in_channels=3"):
        layer.forward(np.ones((1, 2, 4, 4)))
    with pytest.raises(ValueError, match="X must be 4-D"):
        layer.forward(np.ones((3, 4, 4)))
    with pytest.raises(ValueError, match=r"kernel_size=3 is larger than the padded input.*1×3"):
        Conv2d(3, 2, 3).forward(np.ones((1, 3, 1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        layer.forward(np.full((1, 3, 4, 4), np.nan))
    layer.forward(np.ones((2, 3, 4, 4)))
    with pytest.raises(
        ValueError, match=r"dA must have the shape of the last output \(2, 2, 4, 4\)"
    ):
        layer.backward(np.ones((2, 2, 3, 3)))
    for kwargs, match in [
        ({"kernel_size": 0}, "kernel_size must be in the range"),
        ({"stride": 0}, "stride must be in the range"),
        ({"padding": -1}, "padding must be in the range"),
        ({"kernel_size": 2.5}, "kernel_size must be an int"),
    ]:
        args = {"in_channels": 3, "out_channels": 2, "kernel_size": 3} | kwargs
        with pytest.raises((ValueError, TypeError), match=match):
            Conv2d(**args)
    with pytest.raises(TypeError, match=r"dtype must be np\.float32 or np\.float64"):
        Conv2d(1, 1, 1, dtype=np.int64)


def test_conv2d_failed_forward_keeps_the_last_cache():
    layer, X, rng = _conv(CONV_CASES[2])
    dA = rng.standard_normal(layer.forward(X).shape)
    expected = layer.backward(dA).copy()
    with pytest.raises(ValueError, match="channels"):
        layer.forward(np.ones((4, 1, 7, 6)))
    np.testing.assert_array_equal(layer.backward(dA), expected)


# -- MaxPool2d -------------------------------------------------------------------------------------
def test_maxpool_hand_computed_ties_go_to_the_first_maximum():
    pool = MaxPool2d(2)
    X = np.array([[[[1.0, 3.0, 5.0, 5.0], [3.0, 2.0, 5.0, 5.0]]]])
    np.testing.assert_array_equal(pool.forward(X), [[[[3.0, 5.0]]]])
    dX = pool.backward(np.array([[[[10.0, 20.0]]]]))
    # left window: 3 at (0, 1) comes before the tied 3 at (1, 0); right: the first of four 5s
    np.testing.assert_array_equal(dX, [[[[0, 10, 20, 0], [0, 0, 0, 0]]]])


@pytest.mark.parametrize(
    ("shape", "kernel", "stride"),
    [((1, 1, 4, 4), 2, None), ((3, 2, 7, 6), 2, None), ((2, 3, 7, 7), 3, 2), ((2, 2, 5, 6), 2, 1)],
)
@pytest.mark.parametrize("ties", [False, True])
def test_maxpool_matches_torch_and_textbook(shape, kernel, stride, ties):
    rng = np.random.default_rng(2)
    X = rng.integers(0, 3, shape).astype(float) if ties else rng.standard_normal(shape)
    pool = MaxPool2d(kernel, stride)
    A = pool.forward(X)
    dA = rng.standard_normal(A.shape)
    dX = pool.backward(dA)
    Xt = torch.tensor(X, requires_grad=True)
    At = F.max_pool2d(Xt, kernel, stride)
    At.backward(torch.tensor(dA))
    np.testing.assert_array_equal(A, At.detach().numpy())
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=0, atol=TOL)
    np.testing.assert_array_equal(A, tb.maxpool2d_forward(X, kernel, stride))
    np.testing.assert_allclose(dX, tb.maxpool2d_backward(X, dA, kernel, stride), rtol=0, atol=1e-12)


def test_maxpool_central_differences_float32_and_errors():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((2, 2, 5, 5))  # distinct values: no kink within h
    pool = MaxPool2d(3, 2)
    R = rng.standard_normal(pool.forward(X).shape)
    dX = pool.backward(R)
    numeric = numerical_gradient(lambda: float(np.sum(pool.forward(X) * R)), X)
    assert max_relative_error(dX, numeric) < 1e-8
    A32 = pool.forward(X.astype(np.float32), training=False)
    assert A32.dtype == pool.backward(R.astype(np.float32)).dtype == np.float32
    with pytest.raises(RuntimeError, match="before forward"):
        MaxPool2d(2).backward(np.ones((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="kernel_size=3 is larger than the padded input"):
        MaxPool2d(3).forward(np.ones((1, 1, 2, 5)))
    with pytest.raises(ValueError, match="stride must be in the range"):
        MaxPool2d(2, stride=0)
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2)"


# -- ReLU, Flatten, Unflatten ----------------------------------------------------------------------
def test_relu_flatten_unflatten_forward_backward():
    relu = ReLU()
    X = np.array([[[-1.0, 2.0], [3.0, -4.0]]])
    np.testing.assert_array_equal(relu.forward(X), [[[0, 2], [3, 0]]])
    np.testing.assert_array_equal(relu.backward(np.full((1, 2, 2), 5.0)), [[[0, 5], [5, 0]]])
    X4 = np.arange(24.0).reshape(2, 3, 2, 2)
    flat = Flatten()
    out = flat.forward(X4)
    np.testing.assert_array_equal(out, torch.nn.Flatten()(torch.tensor(X4)).numpy())
    np.testing.assert_array_equal(flat.backward(out), X4)
    un = Unflatten((3, 2, 2))
    np.testing.assert_array_equal(un.forward(out), X4)
    np.testing.assert_array_equal(un.backward(X4), out)
    for layer in (ReLU(), Flatten(), Unflatten((2,))):
        with pytest.raises(RuntimeError, match="before forward"):
            layer.backward(np.ones((1, 2)))
    with pytest.raises(ValueError, match="X has 5 features, but Unflatten"):
        un.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match="batch axis"):
        Flatten().forward(np.ones(3))
    with pytest.raises(TypeError, match="shape must be a non-empty tuple"):
        Unflatten([3, 2])
    with pytest.raises(ValueError, match="dA must have the shape"):
        flat.backward(np.ones((2, 5)))


# -- a CNN in Sequential -----------------------------------------------------------------------------
def _cnn(dtype=np.float64, extra_relu=False):
    layers = [
        Unflatten((1, 8, 8)),
        Conv2d(1, 4, 3, padding=1, random_state=0, dtype=dtype),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
    ]
    if extra_relu:
        layers.append(ReLU())  # before a DenseLayer: its backward may overwrite dA in place
    layers.append(DenseLayer(64, 10, "softmax", random_state=1, dtype=dtype))
    return layers


@pytest.mark.parametrize("extra_relu", [False, True])
def test_cnn_gradients_match_torch_through_sequential(extra_relu):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:7] / 16.0, y[:7]
    layers = _cnn(extra_relu=extra_relu)
    net = Sequential(layers, loss="cross_entropy")
    net.backward(net.forward(X), y)
    conv, dense = layers[1], layers[-1]
    Wc = torch.tensor(conv.W, requires_grad=True)
    bc = torch.tensor(conv.b, requires_grad=True)
    Wd = torch.tensor(dense.W, requires_grad=True)
    bd = torch.tensor(dense.b, requires_grad=True)
    h = F.max_pool2d(
        torch.relu(F.conv2d(torch.tensor(X).reshape(-1, 1, 8, 8), Wc, bc, padding=1)), 2
    )
    h = h.flatten(1)
    h = torch.relu(h) if extra_relu else h
    F.cross_entropy(h @ Wd + bd, torch.tensor(y)).backward()
    for ours, ref in zip(net.gradients(), [Wc, bc, Wd, bd], strict=True):
        np.testing.assert_allclose(ours, ref.grad.numpy(), rtol=0, atol=TOL)


def test_cnn_on_digits_reaches_97_percent():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=0, stratify=y
    )
    layers = [
        Unflatten((1, 8, 8)),
        Conv2d(1, 16, 3, padding=1, random_state=0),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        DenseLayer(16 * 4 * 4, 10, "softmax", random_state=1),
    ]
    net = Sequential(layers, loss="cross_entropy", optimizer=Adam(0.01), random_state=0)
    history = net.fit(X_train, y_train, epochs=12, batch_size=32, verbose=False)
    assert history[-1] < history[0]
    assert np.mean(net.predict(X_test) == y_test) >= 0.97


def test_cnn_float32_save_and_load_round_trip(tmp_path):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = (X[:64] / 16.0).astype(np.float32), y[:64]
    net = Sequential(_cnn(np.float32), loss="cross_entropy", optimizer=Adam(0.01), random_state=0)
    history = net.fit(X, y, epochs=3, batch_size=16, verbose=False)
    assert net.dtype == np.float32 and all(np.isfinite(history))
    P = net.predict_proba(X)
    assert P.dtype == np.float32 and P.shape == (64, 10)
    path = net.save(tmp_path / "cnn")
    loaded = Sequential.load(path, layers=_cnn(np.float32))
    np.testing.assert_array_equal(loaded.predict_proba(X), P)
