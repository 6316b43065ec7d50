"""NeuralNetwork: central differences, PyTorch autograd parity, training, persistence, the
optimizer hook, float32, and every kind of bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from glassml.nn import NeuralNetwork, max_relative_error, numerical_gradient, one_hot

TORCH_ACT = {
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda t: torch.softmax(t, dim=1),
    "linear": lambda t: t,
}
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def _targets(loss: str, n_out: int, batch: int, rng: np.random.Generator) -> np.ndarray:
    if loss == "mse":
        return rng.normal(size=(batch, n_out))
    if loss == "bce":
        return rng.integers(0, 2, size=(batch, n_out)).astype(float)
    return one_hot(rng.integers(0, n_out, batch), n_out)


# (layer_sizes, activations, loss): several depths, every activation, every loss, default and
# non-default output activations (which take the generic, non-combined gradient path).
CONFIGS = [
    ([3, 5, 1], None, "bce"),
    ([4, 6, 5, 3], ["tanh", "sigmoid", "softmax"], "cross_entropy"),
    ([4, 6, 5, 4, 2], ["relu", "linear", "tanh", "softmax"], "cross_entropy"),
    ([3, 4, 2], ["softmax", "linear"], "mse"),
    ([2, 3], ["sigmoid"], "mse"),
    ([5, 8, 8, 8, 2], ["relu", "relu", "tanh", "sigmoid"], "bce"),
    ([3, 4, 3], ["relu", "tanh"], "mse"),
    ([3, 4, 3], ["relu", "sigmoid"], "cross_entropy"),
    ([3, 4, 2], ["tanh", "softmax"], "bce"),
    ([3, 6, 6, 1], None, "mse"),
]


def _net(sizes, acts, loss, seed=0) -> NeuralNetwork:
    net = NeuralNetwork(sizes, activations=acts, loss=loss, random_state=seed)
    rng = np.random.default_rng(seed + 1)
    for layer in net.layers:  # non-zero biases so their gradients are exercised
        layer.b[:] = rng.normal(size=layer.b.shape) * 0.1
    return net


def _torch_reference(net: NeuralNetwork, X: np.ndarray, Y: np.ndarray):
    """Output and (dW, db) per layer from torch autograd on the same weights, float64."""
    params = []
    out = torch.tensor(X)
    z = out
    for layer in net.layers:
        W = torch.tensor(layer.W, requires_grad=True)
        b = torch.tensor(layer.b, requires_grad=True)
        params += [W, b]
        z = out @ W + b
        out = TORCH_ACT[layer.activation](z)
    Yt = torch.tensor(Y)
    last = net.layers[-1].activation
    if net.loss == "mse":
        loss = F.mse_loss(out, Yt)
    elif net.loss == "bce":
        loss = (
            F.binary_cross_entropy_with_logits(z, Yt)
            if last == "sigmoid"
            else F.binary_cross_entropy(out, Yt)
        )
    elif last == "softmax":
        loss = F.cross_entropy(z, Yt.argmax(dim=1))
    else:
        loss = -(Yt * torch.log(out)).sum(dim=1).mean()
    loss.backward()
    return out.detach().numpy(), [p.grad.numpy() for p in params], loss.item()


@pytest.mark.parametrize(("sizes", "acts", "loss"), CONFIGS)
def test_forward_and_every_gradient_match_torch_autograd(sizes, acts, loss):
    net = _net(sizes, acts, loss)
    rng = np.random.default_rng(42)
    X = rng.normal(size=(7, sizes[0]))
    Y = _targets(loss, sizes[-1], 7, rng)
    out = net.forward(X)
    net.backward(out, Y)
    ref_out, ref_grads, ref_loss = _torch_reference(net, X, Y)
    np.testing.assert_allclose(out, ref_out, rtol=1e-8, atol=1e-12)
    assert net.loss_value(out, Y) == pytest.approx(ref_loss, rel=1e-8)
    assert len(ref_grads) == len(net.gradients())
    for ours, theirs in zip(net.gradients(), ref_grads, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("loss", ["mse", "bce", "cross_entropy"])
@pytest.mark.parametrize("batch", [1, 7])
def test_whole_network_gradients_match_central_differences(loss, batch):
    sizes = [3, 5, 4, 3 if loss == "cross_entropy" else 2]
    net = _net(
        sizes, ["tanh", "relu", {"mse": "linear", "bce": "sigmoid"}.get(loss, "softmax")], loss
    )
    rng = np.random.default_rng(batch)
    X = rng.normal(size=(batch, 3))
    Y = _targets(loss, sizes[-1], batch, rng)

    def f() -> float:
        return net.loss_value(net.forward(X), Y)

    net.backward(net.forward(X), Y)
    analytic = [g.copy() for g in net.gradients()]
    for param, grad in zip(net.parameters(), analytic, strict=True):
        assert max_relative_error(grad, numerical_gradient(f, param)) < 1e-7


def test_int_labels_and_column_targets_give_the_same_gradients():
    net = _net([4, 5, 3], None, "cross_entropy")
    X = np.random.default_rng(0).normal(size=(6, 4))
    labels = np.array([0, 2, 1, 1, 0, 2])
    net.backward(net.forward(X), labels)
    g_labels = [g.copy() for g in net.gradients()]
    net.backward(net.forward(X), one_hot(labels, 3))
    for a, b in zip(g_labels, net.gradients(), strict=True):
        np.testing.assert_array_equal(a, b)
    bce = _net([4, 3, 1], None, "bce")
    y = np.array([0, 1, 1, 0, 1, 0])
    bce.backward(bce.forward(X), y)
    g_flat = [g.copy() for g in bce.gradients()]
    bce.backward(bce.forward(X), y.reshape(-1, 1))
    for a, b in zip(g_flat, bce.gradients(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_default_activations():
    assert NeuralNetwork([2, 4, 4, 1]).activations == ["relu", "relu", "sigmoid"]
    assert NeuralNetwork([2, 4, 3], loss="cross_entropy").activations == ["relu", "softmax"]
    assert NeuralNetwork([2, 1], loss="mse").activations == ["linear"]
    net = NeuralNetwork([2, 8, 1])
    assert [(lay.W.shape, lay.b.shape) for lay in net.layers] == [((2, 8), (8,)), ((8, 1), (1,))]


def test_repr_shows_the_optimizer_that_steps_not_an_ignored_learning_rate():
    from glassml.optim import Adam

    plain = NeuralNetwork([2, 3, 1], learning_rate=0.5)
    assert repr(plain) == (
        "NeuralNetwork([2, 3, 1], activations=['relu', 'sigmoid'], loss='bce', "
        "learning_rate=0.5, dtype=np.float64)"
    )
    adam = Adam(learning_rate=0.01)
    net = NeuralNetwork([2, 3, 1], optimizer=adam)  # learning_rate keeps its default 0.1
    assert "learning_rate=0.1" not in repr(net)
    assert repr(net) == (
        "NeuralNetwork([2, 3, 1], activations=['relu', 'sigmoid'], loss='bce', "
        f"optimizer={adam!r}, dtype=np.float64)"
    )
    assert "Adam(learning_rate=0.01" in repr(net)


# -- update and the optimizer hook -------------------------------------------------------------
def test_update_is_vanilla_gradient_descent_in_place():
    net = _net([3, 4, 2], None, "cross_entropy")
    X = np.random.default_rng(1).normal(size=(5, 3))
    net.backward(net.forward(X), [0, 1, 1, 0, 1])
    before = [p.copy() for p in net.parameters()]
    ids = [id(p) for p in net.parameters()]
    net.update()
    assert [id(p) for p in net.parameters()] == ids
    for new, old, g in zip(net.parameters(), before, net.gradients(), strict=True):
        np.testing.assert_array_equal(new, old - 0.1 * g)


class RecordingSGD:
    """A minimal optimizer: records what it is given and does p -= lr * g in place."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate
        self.seen: list[tuple[list[int], list[int]]] = []
        self.dtypes: set[np.dtype] = set()

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        self.seen.append(([id(p) for p in params], [id(g) for g in grads]))
        for p, g in zip(params, grads, strict=True):
            self.dtypes |= {p.dtype, g.dtype}
            p -= self.learning_rate * g


def test_optimizer_hook_gets_the_same_live_arrays_every_step():
    opt = RecordingSGD(0.3)
    net = NeuralNetwork([2, 8, 1], learning_rate=0.3, optimizer=opt, random_state=3)
    plain = NeuralNetwork([2, 8, 1], learning_rate=0.3, random_state=3)
    h_opt = net.fit(XOR_X, XOR_Y, epochs=20, batch_size=2, verbose=False)
    h_plain = plain.fit(XOR_X, XOR_Y, epochs=20, batch_size=2, verbose=False)
    assert len(opt.seen) == 40  # 2 batches × 20 epochs
    assert all(s == opt.seen[0] for s in opt.seen)  # never rebound
    assert opt.seen[0][0] == [id(p) for p in net.parameters()]
    assert opt.seen[0][1] == [id(g) for g in net.gradients()]
    assert [id(p) for lay in net.layers for p in (lay.W, lay.b)] == opt.seen[0][0]
    assert h_opt == h_plain  # the duck-typed optimizer does exactly what update() does
    for a, b in zip(net.parameters(), plain.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


# -- training ----------------------------------------------------------------------------------
def test_xor_is_solved_for_at_least_8_of_10_seeds():
    solved = 0
    for seed in range(10):
        net = NeuralNetwork([2, 8, 1], learning_rate=1.0, random_state=seed)
        history = net.fit(XOR_X, XOR_Y, epochs=500, batch_size=4, verbose=False)
        assert len(history) == 500 and history[-1] < history[0]
        solved += bool(np.array_equal(net.predict(XOR_X), XOR_Y))
    assert solved >= 8


def test_digits_test_accuracy_at_least_095():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    net = NeuralNetwork([64, 64, 10], loss="cross_entropy", learning_rate=0.1, random_state=0)
    history = net.fit(scaler.transform(X_train), y_train, epochs=20, batch_size=32, verbose=False)
    X_test = scaler.transform(X_test)
    assert history[-1] < history[0] / 10
    assert np.mean(net.predict(X_test) == y_test) >= 0.95


def test_linear_regression_converges_to_least_squares():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + rng.normal(size=50) * 0.1
    net = NeuralNetwork([3, 1], loss="mse", learning_rate=0.1, random_state=0)
    net.fit(X, y, epochs=2000, batch_size=50, verbose=False)  # full-batch gradient descent
    solution = np.linalg.lstsq(np.column_stack([X, np.ones(50)]), y, rcond=None)[0]
    np.testing.assert_allclose(net.layers[0].W[:, 0], solution[:3], atol=1e-10)
    np.testing.assert_allclose(net.layers[0].b, solution[3:], atol=1e-10)
    np.testing.assert_allclose(net.predict(X), X @ solution[:3] + solution[3], atol=1e-9)


def test_epoch_loss_is_the_sample_mean_of_batch_losses_before_each_update():
    net = _net([2, 3, 1], None, "bce", seed=5)
    twin = _net([2, 3, 1], None, "bce", seed=5)
    history = net.fit(XOR_X, XOR_Y, epochs=1, batch_size=3, verbose=False)
    # twin replays the epoch by hand; its generator has drawn the same initial weights
    order = twin._rng.permutation(4)
    total = 0.0
    for idx in (order[:3], order[3:]):
        p = twin.forward(XOR_X[idx])
        total += twin.loss_value(p, XOR_Y[idx]) * len(idx)
        twin.backward(p, XOR_Y[idx])
        twin.update()
    assert history == [pytest.approx(total / 4, rel=1e-14)]
    for a, b in zip(net.parameters(), twin.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_weights_and_history_different_seed_differs():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    runs = []
    for seed in (7, 7, 8):
        net = NeuralNetwork([3, 6, 1], learning_rate=0.5, random_state=seed)
        runs.append((net.fit(X, y, epochs=5, batch_size=8, verbose=False), net.parameters()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(a, b)
    assert runs[0][0] != runs[2][0]
    assert not np.array_equal(runs[0][1][0], runs[2][1][0])


def test_verbose_false_prints_nothing_and_verbose_true_shows_progress(capsys):
    net = NeuralNetwork([2, 4, 1], random_state=0)
    net.fit(XOR_X, XOR_Y, epochs=3, verbose=False)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    net.fit(XOR_X, XOR_Y, epochs=3, verbose=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "3/3" in captured.err


def test_float32_end_to_end():
    opt = RecordingSGD(0.1)
    net = NeuralNetwork(
        [64, 32, 10], loss="cross_entropy", optimizer=opt, random_state=0, dtype=np.float32
    )
    X, y = load_digits(return_X_y=True)
    history = net.fit(X[:200] / 16.0, y[:200], epochs=2, batch_size=32, verbose=False)
    assert np.all(np.isfinite(history))
    assert opt.dtypes == {np.dtype(np.float32)}
    for layer in net.layers:
        assert layer._A is not None and layer._A.dtype == np.float32
        assert layer._X is not None and layer._X.dtype == np.float32
    assert net.forward(X[:5]).dtype == np.float32
    # same seed, float64: the same network up to float32 rounding
    net64 = NeuralNetwork([64, 32, 10], loss="cross_entropy", random_state=0)
    np.testing.assert_allclose(
        net64.layers[0].W,
        NeuralNetwork([64, 32, 10], loss="cross_entropy", random_state=0, dtype=np.float32)
        .layers[0]
        .W,
        rtol=1e-7,
    )


# -- prediction and persistence ----------------------------------------------------------------
def test_predict_and_predict_proba_shapes():
    X = np.random.default_rng(0).normal(size=(6, 3))
    bce = NeuralNetwork([3, 4, 1], random_state=0)
    P = bce.predict_proba(X)
    assert P.shape == (6, 2)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(bce.predict(X), (P[:, 1] >= 0.5).astype(int))
    ce = NeuralNetwork([3, 4, 5], loss="cross_entropy", random_state=0)
    np.testing.assert_array_equal(ce.predict(X), ce.predict_proba(X).argmax(axis=1))
    reg = NeuralNetwork([3, 4, 1], loss="mse", random_state=0)
    assert reg.predict(X).shape == (6,)
    np.testing.assert_array_equal(reg.predict(X), reg.forward(X)[:, 0])
    assert NeuralNetwork([3, 2], loss="mse").predict(X).shape == (6, 2)
    with pytest.raises(ValueError, match="predict_proba needs loss='bce' or 'cross_entropy'"):
        reg.predict_proba(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_save_load_round_trip(tmp_path, dtype):
    X, y = load_digits(return_X_y=True)
    net = NeuralNetwork(
        [64, 16, 10],
        ["tanh", "softmax"],
        loss="cross_entropy",
        learning_rate=0.05,
        random_state=0,
        dtype=dtype,
    )
    net.fit(X[:100] / 16, y[:100], epochs=2, verbose=False)
    written = net.save(tmp_path / "model")
    assert written == tmp_path / "model.npz" and written.exists()
    loaded = NeuralNetwork.load(written)
    assert loaded.layer_sizes == net.layer_sizes and loaded.activations == net.activations
    assert loaded.loss == net.loss and loaded.learning_rate == net.learning_rate
    assert loaded.dtype == net.dtype
    np.testing.assert_array_equal(loaded.predict_proba(X / 16), net.predict_proba(X / 16))
    np.testing.assert_array_equal(loaded.predict(X / 16), net.predict(X / 16))
    for a, b in zip(loaded.parameters(), net.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == dtype
    assert NeuralNetwork.load(tmp_path / "model").layer_sizes == [64, 16, 10]


def test_load_rejects_a_file_that_is_not_a_network(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="is not a saved NeuralNetwork"):
        NeuralNetwork.load(tmp_path / "other.npz")


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layer_sizes": [2]}, ValueError, "layer_sizes needs at least 2 entries"),
        ({"layer_sizes": "2,8,1"}, TypeError, "layer_sizes must be a list of ints"),
        ({"layer_sizes": [2, 0, 1]}, ValueError, r"layer_sizes\[1\] must be in the range"),
        ({"layer_sizes": [2, 2.5, 1]}, TypeError, r"layer_sizes\[1\] must be an int"),
        ({"loss": "hinge"}, ValueError, "loss must be one of 'mse', 'bce', 'cross_entropy'"),
        ({"activations": ["relu"]}, ValueError, r"one name per layer: .* = 2, got 1"),
        ({"activations": "relu"}, TypeError, "activations must be a list of 2"),
        ({"activations": ["relu", "swish"]}, ValueError, r"activations\[1\] must be one of"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate must be in the range"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be in the range"),
        ({"learning_rate": "fast"}, TypeError, "learning_rate must be a real number"),
        ({"optimizer": object()}, TypeError, r"optimizer must be None or an object with a step"),
        ({"dtype": np.float16}, TypeError, "dtype must be np.float32 or np.float64"),
        ({"random_state": "x"}, TypeError, "random_state must be None"),
        ({"layer_sizes": [2, 1], "loss": "cross_entropy"}, ValueError, "at least 2 output units"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    args = {"layer_sizes": [2, 8, 1], **kwargs}
    with pytest.raises(error, match=match):
        NeuralNetwork(**args)


def test_bad_fit_and_predict_input_never_damages_the_model():
    net = NeuralNetwork([2, 8, 1], learning_rate=1.0, random_state=0)
    net.fit(XOR_X, XOR_Y, epochs=300, batch_size=4, verbose=False)
    snapshot = [p.copy() for p in net.parameters()]
    bad_calls = [
        (lambda: net.fit(np.array([[0.0, np.nan]]), [0]), ValueError, "X contains NaN"),
        (lambda: net.fit(np.array([[0.0, np.inf]]), [0]), ValueError, "X contains NaN"),
        (lambda: net.fit(XOR_X, [0, 1, np.nan, 0]), ValueError, "y contains NaN"),
        (lambda: net.fit(XOR_X[0], XOR_Y[:1]), ValueError, r"X must be 2-D, got a 1-D"),
        (lambda: net.fit(XOR_X[None], XOR_Y), ValueError, r"X must be 2-D, got a 3-D"),
        (lambda: net.fit(np.ones((4, 3)), XOR_Y), ValueError, "X has 3 features, but"),
        (lambda: net.fit(XOR_X, XOR_Y[:3]), ValueError, "X has 4 samples but y has 3"),
        (lambda: net.fit(np.ones((0, 2)), []), ValueError, "X must not be empty"),
        (lambda: net.fit(XOR_X, [0, 1, 2, 0]), ValueError, r"y for loss='bce' must be in \[0, 1\]"),
        (lambda: net.fit(XOR_X, np.ones((4, 2))), ValueError, "y has 2 columns"),
        (lambda: net.fit(XOR_X, XOR_Y, epochs=0), ValueError, "epochs must be in the range"),
        (lambda: net.fit(XOR_X, XOR_Y, epochs=2.5), TypeError, "epochs must be an int"),
        (lambda: net.fit(XOR_X, XOR_Y, batch_size=0), ValueError, "batch_size must be in"),
        (lambda: net.fit(XOR_X, XOR_Y, batch_size=-3), ValueError, "batch_size must be in"),
        (lambda: net.predict(np.ones((2, 5))), ValueError, "X has 5 features, but"),
        (lambda: net.predict(np.ones(2)), ValueError, "X must be 2-D"),
        (lambda: net.forward([["a", "b"]]), TypeError, "X must be numeric"),
        (
            lambda: net.backward(np.ones((3, 1)), [0, 1, 0]),
            ValueError,
            "y_pred must have the shape",
        ),
    ]
    for call, error, match in bad_calls:
        with pytest.raises(error, match=match):
            call()
    for a, b in zip(net.parameters(), snapshot, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)


def test_multiclass_target_errors_and_backward_before_forward():
    net = NeuralNetwork([2, 3], loss="cross_entropy", random_state=0)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        net.backward(np.ones((4, 3)) / 3, [0, 1, 2, 0])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\] for 3 classes"):
        net.fit(XOR_X, [0, 1, 3, 0], verbose=False)
    with pytest.raises(ValueError, match="X has 4 samples but y has 2"):
        net.fit(XOR_X, [0, 1], verbose=False)
    reg = NeuralNetwork([2, 3], loss="mse")
    with pytest.raises(ValueError, match=r"needs one output unit; this network has 3"):
        reg.fit(XOR_X, [0.0, 1.0, 2.0, 3.0], verbose=False)


def test_importing_glassml_nn_imports_neither_torch_nor_matplotlib():
    code = (
        "import sys, glassml.nn; "
        "bad = [m for m in ('torch', 'matplotlib', 'tqdm') if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_loaded_network_keeps_training_reproducibly(tmp_path):
    net = NeuralNetwork([2, 8, 1], learning_rate=1.0, random_state=0)
    path = net.save(tmp_path / "xor.npz")
    a = NeuralNetwork.load(path, random_state=5)
    b = NeuralNetwork.load(path, random_state=5)
    ha = a.fit(XOR_X, XOR_Y, epochs=20, batch_size=2, verbose=False)
    assert ha == b.fit(XOR_X, XOR_Y, epochs=20, batch_size=2, verbose=False)


def test_seed_06_tiny_network_by_hand():
    # x = 2 -> relu(0.5 x + 0.1) = 1.1 -> sigmoid(-0.3 · 1.1 + 0.2) = σ(-0.13); target 1, bce
    net = NeuralNetwork([1, 1, 1], activations=["relu", "sigmoid"], learning_rate=0.1)
    (l1, l2) = net.layers
    l1.W[:], l1.b[:], l2.W[:], l2.b[:] = 0.5, 0.1, -0.3, 0.2
    out = net.forward([[2.0]])
    a2 = 1 / (1 + np.exp(0.13))
    assert out[0, 0] == pytest.approx(a2, rel=1e-15) and round(a2, 4) == 0.4675
    assert net.loss_value(out, [1.0]) == pytest.approx(-np.log(a2), rel=1e-12)
    assert round(net.loss_value(out, [1.0]), 4) == 0.7603
    net.backward(out, [1.0])
    dz2 = a2 - 1  # combined sigmoid + bce gradient, n = 1
    expected = {
        "dW2": dz2 * 1.1,  # seed: -0.5857
        "db2": dz2,  # seed: -0.5325
        "dW1": dz2 * -0.3 * 2.0,  # relu' = 1 since z1 = 1.1 > 0; seed: 0.3195
        "db1": dz2 * -0.3,  # seed: 0.1597
    }
    got = {"dW2": l2.dW[0, 0], "db2": l2.db[0], "dW1": l1.dW[0, 0], "db1": l1.db[0]}
    seed_table = {"dW2": -0.5857, "db2": -0.5325, "dW1": 0.3195, "db1": 0.1597}
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-12)
        assert abs(got[name] - seed_table[name]) < 1e-4
    net.update()
    assert l2.W[0, 0] == pytest.approx(-0.3 - 0.1 * dz2 * 1.1, rel=1e-14)
    assert round(float(l2.W[0, 0]), 4) == -0.2414  # the seed's updated w2


@pytest.mark.parametrize(
    ("acts", "loss", "n_out"),
    [
        (["tanh", "sigmoid"], "bce", 1),
        (["sigmoid", "softmax"], "cross_entropy", 3),
        (["relu", "sigmoid"], "mse", 2),
        (["relu", "softmax"], "bce", 2),
    ],
)
def test_saturated_network_is_finite_without_floating_point_warnings(acts, loss, n_out):
    net = NeuralNetwork([2, 4, n_out], activations=acts, loss=loss, random_state=0)
    X = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    y = np.array([0, 1]) if n_out == 3 else np.ones((2, n_out))
    with np.errstate(all="raise"):
        out = net.forward(X)
        value = net.loss_value(out, y)
        net.backward(out, y)
        net.update()
    assert np.isfinite(value) and np.all(np.isfinite(out))
    for arr in net.gradients() + net.parameters():
        assert np.all(np.isfinite(arr))


@pytest.mark.parametrize(
    ("loss", "acts"),
    [
        ("mse", ["tanh", "linear"]),
        ("mse", ["relu", "sigmoid"]),
        ("bce", ["sigmoid", "sigmoid"]),
        ("bce", ["relu", "softmax"]),
        ("cross_entropy", ["relu", "tanh"]),
    ],
)
def test_float32_stays_float32_for_every_loss_and_gradient_path(loss, acts):
    opt = RecordingSGD(0.05)
    net = NeuralNetwork(
        [3, 5, 2], activations=acts, loss=loss, optimizer=opt, random_state=0, dtype=np.float32
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3))
    y = rng.integers(0, 2, 16) if loss == "cross_entropy" else _targets(loss, 2, 16, rng)
    history = net.fit(X, y, epochs=2, batch_size=5, verbose=False)
    assert np.all(np.isfinite(history))
    assert opt.dtypes == {np.dtype(np.float32)}
    assert all(layer._A is not None and layer._A.dtype == np.float32 for layer in net.layers)
