"""Faults of issue 14 in glassml.nn: divergence, failed fits that must change nothing, damaged or
crafted saved files, the large-weight backward path, and complex input."""

from __future__ import annotations

import copy
import tracemalloc
import zipfile

import numpy as np
import pytest

from glassml.nn import DenseLayer, Layer, NeuralNetwork, Neuron, Sequential
from glassml.optim import Adam

rng0 = np.random.default_rng(0)
BIG_X = rng0.uniform(-1000.0, 1000.0, size=(100, 2))
BIG_Y = BIG_X[:, 0] + BIG_X[:, 1]
SMALL_X = BIG_X / 1000.0
SMALL_Y = SMALL_X[:, 0] - SMALL_X[:, 1]


def _state(net: Sequential) -> tuple:
    opt = net.optimizer
    opt_state = None
    if opt is not None and hasattr(opt, "_states"):
        opt_state = [
            {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items() if k != "buf"}
            for s in map(opt._states.get, net.parameters())
            if s is not None
        ]
    return (
        [p.copy() for p in net.parameters()],
        [g.copy() for g in net.gradients()],
        opt_state,
        copy.deepcopy(net._rng.bit_generator.state),
    )


def _assert_same_state(a: tuple, b: tuple) -> None:
    for x, y in zip(a[0] + a[1], b[0] + b[1], strict=True):
        np.testing.assert_array_equal(x, y)
        assert x.tobytes() == y.tobytes()  # bit-identical, -0.0 and all
    if a[2] is not None:
        assert len(a[2]) == len(b[2])
        for sa, sb in zip(a[2], b[2], strict=True):
            assert sa.keys() == sb.keys()
            for key in sa:
                if isinstance(sa[key], np.ndarray):
                    assert sa[key].tobytes() == sb[key].tobytes()
                else:
                    assert sa[key] == sb[key]
    assert a[3] == b[3]


def test_a_diverging_fit_raises_naming_epoch_batch_and_learning_rate():
    net = NeuralNetwork([2, 16, 1], loss="mse", random_state=0)
    with pytest.raises(FloatingPointError, match=r"epoch 2, batch 1.*smaller learning_rate"):
        net.fit(BIG_X, BIG_Y, verbose=False)


@pytest.mark.parametrize("optimizer", [None, "adam"])
def test_a_failed_fit_leaves_the_network_bit_identical(optimizer):
    opt = Adam(0.01) if optimizer else None
    net = NeuralNetwork([2, 16, 1], loss="mse", optimizer=opt, random_state=0)
    net.fit(SMALL_X, SMALL_Y, epochs=3, verbose=False)  # a trained model, optimizer with state
    before = _state(net)
    # diverges after a few finite batches (Adam's steps are at most ~lr: a huge lr)
    net.learning_rate = 1e3
    if opt is not None:
        opt.learning_rate = 1e200
    with pytest.raises(FloatingPointError, match=r"batch [2-9]"):
        net.fit(BIG_X, BIG_Y, epochs=50, batch_size=10, verbose=False)
    if opt is not None:
        opt.learning_rate = 0.01
    net.learning_rate = 0.1
    _assert_same_state(before, _state(net))
    assert net.optimizer is opt  # the caller's object, its old state put back
    # and it keeps training exactly like an untouched twin
    twin = NeuralNetwork(
        [2, 16, 1], loss="mse", optimizer=Adam(0.01) if opt else None, random_state=0
    )
    twin.fit(SMALL_X, SMALL_Y, epochs=3, verbose=False)
    assert net.fit(SMALL_X, SMALL_Y, epochs=2, verbose=False) == twin.fit(
        SMALL_X, SMALL_Y, epochs=2, verbose=False
    )


def test_an_exception_mid_fit_leaves_the_network_bit_identical():
    class Boom(Layer):
        calls = 0

        def forward(self, X, training=True):
            Boom.calls += 1
            if Boom.calls == 6:
                raise KeyError("boom")
            return X

        def backward(self, dA):
            return dA

    net = Sequential(
        [DenseLayer(2, 4, "tanh", random_state=0), Boom(), DenseLayer(4, 1, "linear")],
        loss="mse",
        optimizer=Adam(0.1),
        random_state=3,
    )
    before = _state(net)
    with pytest.raises(KeyError, match="boom"):
        net.fit(SMALL_X, SMALL_Y, epochs=3, batch_size=30, verbose=False)
    _assert_same_state(before, _state(net))


def _saved(tmp_path, name="net.npz") -> tuple:
    net = NeuralNetwork([3, 4, 2], loss="cross_entropy", random_state=0)
    path = net.save(tmp_path / name)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    return path, arrays


def test_damaged_files_raise_value_error_naming_the_file(tmp_path):
    path, _ = _saved(tmp_path)
    raw = path.read_bytes()
    cases = {
        "empty.npz": b"",  # EOFError in np.load
        "garbage.npz": b"not a zip file at all" * 10,
        "truncated.npz": raw[: len(raw) // 2],  # BadZipFile
        "tail_cut.npz": raw[:-30],
    }
    for name, content in cases.items():
        bad = tmp_path / name
        bad.write_bytes(content)
        with pytest.raises(ValueError, match=name):
            NeuralNetwork.load(bad)
    with pytest.raises(FileNotFoundError):
        NeuralNetwork.load(tmp_path / "absent.npz")


def test_nan_or_inf_weights_are_rejected(tmp_path):
    path, arrays = _saved(tmp_path)
    for bad_value in (np.nan, np.inf):
        arrays["W1"] = arrays["W1"].copy()
        arrays["W1"][0, 0] = bad_value
        np.savez(path, **arrays)
        with pytest.raises(ValueError, match=r"W1.*NaN or infinity"):
            NeuralNetwork.load(path)


def test_huge_layer_sizes_are_refused_before_anything_is_allocated(tmp_path):
    path, arrays = _saved(tmp_path)
    arrays["layer_sizes"] = np.array([10**9, 10**9])
    arrays["activations"] = np.array(["relu"])
    np.savez(path, **arrays)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"W0.*has shape \(3, 4\), expected \(1000000000"):
            NeuralNetwork.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def _npy_bytes(shape: tuple[int, ...], payload: bytes) -> bytes:
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    text = repr(header).encode() + b" "
    text += b" " * ((64 - (10 + len(text) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + payload


def test_a_header_claiming_a_huge_array_is_refused_before_allocation(tmp_path):
    _, arrays = _saved(tmp_path)
    arrays["layer_sizes"] = np.array([100_000, 100_000])
    arrays["activations"] = np.array(["relu"])
    crafted = tmp_path / "crafted.npz"
    with zipfile.ZipFile(crafted, "w") as zf:
        for name, arr in arrays.items():
            if name in ("W0", "b0", "W1", "b1"):
                continue
            with zf.open(name + ".npy", "w") as fp:
                np.lib.format.write_array(fp, arr)
        zf.writestr("W0.npy", _npy_bytes((100_000, 100_000), b"\x00" * 64))  # claims 80 GB
        zf.writestr("b0.npy", _npy_bytes((100_000,), b"\x00" * 800_000))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"crafted.npz.*W0.*claims shape"):
            NeuralNetwork.load(crafted)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_a_pickled_object_array_is_refused(tmp_path):
    path, arrays = _saved(tmp_path)
    arrays["activations"] = np.array(["relu", "softmax"], dtype=object)  # pickled by savez
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"net.npz.*(pickle|Object arrays)"):
        NeuralNetwork.load(path)


def test_large_weight_backward_path_computes_dz_times_w_transposed():
    n = 300  # W.size = 90000 > 65536: dZ @ W.T without the scratch copy
    layer = DenseLayer(n, n, "linear", random_state=0)
    rng = np.random.default_rng(1)
    X, dA = rng.normal(size=(4, n)), rng.normal(size=(4, n))
    layer.forward(X)
    dX = layer.backward(dA)
    assert layer._WT is None  # the large path really ran
    np.testing.assert_allclose(dX, np.einsum("bo,io->bi", dA, layer.W), rtol=1e-12, atol=1e-12)
    # the small path (scratch copy of Wᵀ) gives the same numbers
    small = DenseLayer(n, 200, "linear", random_state=0)
    small.W[...] = layer.W[:, :200]
    small.forward(X)
    np.testing.assert_allclose(small.backward(dA[:, :200]), dA[:, :200] @ small.W.T, rtol=1e-12)
    assert small._WT is not None


def test_a_large_network_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    net = NeuralNetwork([300, 300, 3], ["relu", "softmax"], loss="cross_entropy", random_state=0)
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(5, 300)), rng.integers(0, 3, size=5)
    net.backward(net.forward(X), y)
    W1 = torch.tensor(net.layers[0].W, requires_grad=True)
    W2 = torch.tensor(net.layers[1].W, requires_grad=True)
    h = torch.relu(torch.tensor(X) @ W1)
    loss = torch.nn.functional.cross_entropy(h @ W2, torch.tensor(y))
    loss.backward()
    np.testing.assert_allclose(net.layers[0].dW, W1.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_complex_input_is_a_type_error_everywhere():
    Z = np.ones((3, 2)) * (1 + 2j)
    with pytest.raises(TypeError, match=r"X must be .*real"):
        DenseLayer(2, 1).forward(Z)
    layer = DenseLayer(2, 1)
    layer.forward(np.ones((3, 2)))
    with pytest.raises(TypeError, match=r"dA must be .*real"):
        layer.backward(np.ones((3, 1)) * 1j)
    with pytest.raises(TypeError, match=r"x must be .*real"):
        Neuron(2).forward([1 + 1j, 0])
    net = Sequential([DenseLayer(2, 1, "linear")], loss="mse")
    with pytest.raises(TypeError, match=r"X must be .*real"):
        net.fit(Z, np.ones(3), verbose=False)
    with pytest.raises(TypeError, match=r"y must be .*real"):
        net.fit(np.ones((3, 2)), np.ones(3) * (1 + 1j), verbose=False)
    with pytest.raises(TypeError, match=r"X must be .*real"):
        NeuralNetwork([2, 1], loss="mse").predict(Z)


def test_public_backward_never_overwrites_the_callers_dA():
    layer = DenseLayer(3, 2, "relu", random_state=0)
    layer.forward(np.random.default_rng(0).normal(size=(4, 3)))
    dA = -np.ones((4, 2))
    layer.backward(dA)
    np.testing.assert_array_equal(dA, -np.ones((4, 2)))


def test_an_optimizer_that_cannot_be_copied_is_named_before_training():
    import threading

    class Locked:
        def __init__(self):
            self.lock = threading.Lock()

        def step(self, params, grads):
            raise AssertionError("never reached")

    net = NeuralNetwork([2, 1], loss="mse", optimizer=Locked(), random_state=0)
    before = _state(net)
    with pytest.raises(TypeError, match=r"Locked must support copy\.deepcopy"):
        net.fit(SMALL_X, SMALL_Y, verbose=False)
    _assert_same_state(before, _state(net))
