"""Sequential: any list of Layers (a user's own included), gradients by central differences,
training with Adam, eval mode in predict, save/load, and NeuralNetwork as a Sequential."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import glassml.nn.base
import glassml.nn.sequential
from glassml.nn import (
    DenseLayer,
    Layer,
    NeuralNetwork,
    Sequential,
    max_relative_error,
    numerical_gradient,
)
from glassml.optim import SGD, Adam


class Scale(Layer):
    """A = s · X with one trainable scalar s."""

    def __init__(self, s: float = 1.0) -> None:
        self.s = np.array([s])
        self.ds = np.zeros(1)
        self._X: np.ndarray | None = None
        self.modes: list[bool] = []

    def forward(self, X, training=True):
        self.modes.append(training)
        self._X = np.asarray(X, dtype=float)
        return self.s[0] * self._X

    def backward(self, dA):
        if self._X is None:
            raise RuntimeError("Scale.backward called before forward")
        self.ds[0] = np.sum(dA * self._X)  # ∂L/∂s = Σ dA ⊙ X
        return self.s[0] * dA  # ∂L/∂X = s · dA

    def parameters(self):
        return [self.s]

    def gradients(self):
        return [self.ds]


def test_the_layer_and_sequential_docstring_examples_run():
    for module in (glassml.nn.base, glassml.nn.sequential):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0


@pytest.mark.parametrize("loss", ["mse", "bce", "cross_entropy"])
@pytest.mark.parametrize("batch", [1, 6])
def test_user_layer_gradients_match_central_differences(loss, batch):
    rng = np.random.default_rng(batch)
    n_out = 3 if loss == "cross_entropy" else 2
    out_act = {"mse": "tanh", "bce": "sigmoid", "cross_entropy": "softmax"}[loss]
    net = Sequential(
        [
            DenseLayer(4, 5, "tanh", random_state=rng),
            Scale(0.7),
            DenseLayer(5, n_out, out_act, random_state=rng),
            Scale(1.3),  # after the output: the combined (p - y)/n shortcut must not be used
        ][: 4 if loss == "mse" else 3],
        loss=loss,
    )
    for layer in net.layers:
        if isinstance(layer, DenseLayer):
            layer.b[...] = rng.normal(size=layer.b.shape)
    X = rng.normal(size=(batch, 4))
    if loss == "cross_entropy":
        Y = rng.integers(0, n_out, size=batch)
    else:
        Y = rng.uniform(0.1, 0.9, size=(batch, n_out))

    def f() -> float:
        return net.loss_value(net.forward(X), Y)

    net.backward(net.forward(X), Y)
    analytic = [g.copy() for g in net.gradients()]
    assert len(analytic) == 5 + (loss == "mse")
    for param, grad in zip(net.parameters(), analytic, strict=True):
        assert max_relative_error(grad, numerical_gradient(f, param)) < 1e-7


def test_user_layer_trains_with_adam_inside_sequential():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    w_true = np.array([1.0, -2.0, 0.5])
    y = X @ w_true
    scale = Scale(0.5)
    net = Sequential(
        [DenseLayer(3, 1, "linear", random_state=0), scale],
        loss="mse",
        optimizer=Adam(0.02),
        random_state=0,
    )
    history = net.fit(X, y, epochs=400, batch_size=16, verbose=False)
    assert history[-1] < 1e-10 < history[0]
    assert scale.s[0] != 0.5  # Adam moved the user's parameter
    np.testing.assert_allclose(scale.s[0] * net.layers[0].W[:, 0], w_true, atol=1e-5)


def test_a_user_layer_alone_learns_its_scalar_exactly():
    X = np.linspace(-1.0, 1.0, 9).reshape(-1, 3)
    net = Sequential([Scale(0.0)], loss="mse", learning_rate=0.5, random_state=0)
    net.fit(X, 3.0 * X, epochs=200, batch_size=3, verbose=False)
    assert abs(net.layers[0].s[0] - 3.0) < 1e-12
    np.testing.assert_allclose(net.predict(X), 3.0 * X, atol=1e-11)


def test_fit_trains_and_predict_evaluates():
    scale = Scale(1.0)
    net = Sequential([DenseLayer(2, 1, "linear", random_state=0), scale], loss="mse")
    X = np.ones((4, 2))
    net.fit(X, np.ones(4), epochs=2, batch_size=2, verbose=False)
    # one eval forward finds the output width, then one training forward per batch
    assert scale.modes == [False, True, True, True, True]
    scale.modes.clear()
    net.predict(X)
    net.forward(X, training=False)
    assert scale.modes == [False, False]
    clf = Sequential([DenseLayer(2, 1, "sigmoid", random_state=0), Scale(1.0)], loss="bce")
    clf.layers[1].modes.clear()
    clf.predict_proba(X)
    assert clf.layers[1].modes == [False]


def test_sequential_of_dense_layers_is_the_neural_network_bit_for_bit():
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    net = NeuralNetwork([3, 6, 4, 1], ["relu", "tanh", "sigmoid"], random_state=7)
    rng = np.random.default_rng(7)
    seq = Sequential(
        [
            DenseLayer(3, 6, "relu", random_state=rng),
            DenseLayer(6, 4, "tanh", random_state=rng),
            DenseLayer(4, 1, "sigmoid", random_state=rng),
        ],
        random_state=rng,
    )
    assert isinstance(net, Sequential)
    assert net.fit(X, y, epochs=5, batch_size=7, verbose=False) == seq.fit(
        X, y, epochs=5, batch_size=7, verbose=False
    )
    for a, b in zip(net.parameters(), seq.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_combined_gradient_is_used_when_the_last_layer_is_a_sigmoid_dense_layer():
    # p rounds to exactly 1.0 for y = 0: (p - y)/n is exact, while the loss gradient divided
    # by p(1 - p) and multiplied back would give 0
    layer = DenseLayer(2, 1, "sigmoid", random_state=0)
    layer.W[...] = 100.0
    net = Sequential([layer], loss="bce")
    X = np.array([[1.0, 1.0], [2.0, 0.5]])
    p = net.forward(X)
    assert np.all(p == 1.0)
    net.backward(p, [0, 0])
    np.testing.assert_allclose(layer.dW[:, 0], X.sum(axis=0) / 2, rtol=1e-15)


def test_parameters_and_gradients_are_the_same_objects_every_call():
    net = Sequential([DenseLayer(2, 3, random_state=0), Scale(), DenseLayer(3, 1, "sigmoid")])
    ids = [id(p) for p in net.parameters()], [id(g) for g in net.gradients()]
    net.fit(np.ones((4, 2)), [0, 1, 0, 1], epochs=2, verbose=False)
    assert ids == ([id(p) for p in net.parameters()], [id(g) for g in net.gradients()])
    assert [p.shape for p in net.parameters()] == [g.shape for g in net.gradients()]


def test_a_dx_a_user_layer_keeps_is_never_overwritten_by_the_layer_below():
    class Keep(Layer):
        def forward(self, X, training=True):
            return X

        def backward(self, dA):
            self.kept = np.array(dA, copy=True)
            self.as_returned = self.kept.copy()
            return self.kept  # an array this layer keeps

    keep = Keep()
    relu = DenseLayer(3, 4, "relu", random_state=0)
    net = Sequential([relu, keep, DenseLayer(4, 1, "linear", random_state=1)], loss="mse")
    X = np.random.default_rng(1).normal(size=(5, 3))
    net.backward(net.forward(X), np.ones(5))
    assert np.any(relu._A == 0)  # some units are off: an in-place ReLU mask would show
    np.testing.assert_array_equal(keep.kept, keep.as_returned)


def test_save_load_round_trip_needs_the_same_architecture(tmp_path):
    def build():
        return [DenseLayer(2, 3, "tanh", random_state=1), Scale(2.0), DenseLayer(3, 1, "sigmoid")]

    net = Sequential(build(), loss="bce", learning_rate=0.3)
    X = np.random.default_rng(0).normal(size=(8, 2))
    net.fit(X, (X[:, 0] > 0).astype(int), epochs=3, verbose=False)
    path = net.save(tmp_path / "seq")
    assert path.name == "seq.npz"
    loaded = Sequential.load(path, layers=build())
    assert (loaded.loss, loaded.learning_rate) == ("bce", 0.3)
    for a, b in zip(net.parameters(), loaded.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(net.predict_proba(X), loaded.predict_proba(X))
    with pytest.raises(TypeError, match="needs layers"):
        Sequential.load(path)
    with pytest.raises(ValueError, match=r"param0.*has shape"):
        Sequential.load(path, layers=[DenseLayer(3, 3), Scale(), DenseLayer(3, 1)])
    other = [DenseLayer(2, 3), DenseLayer(3, 1), DenseLayer(1, 1)]
    with pytest.raises(ValueError, match=r"param2.*has shape"):
        Sequential.load(path, layers=other)


def test_bad_layers_and_arguments():
    with pytest.raises(TypeError, match="layers must be a list"):
        Sequential(DenseLayer(2, 1))
    with pytest.raises(ValueError, match="at least one Layer"):
        Sequential([])
    with pytest.raises(TypeError, match=r"layers\[1\] must be a glassml.nn.Layer"):
        Sequential([DenseLayer(2, 2), object()])
    with pytest.raises(ValueError, match=r"layers\[0\] has n_outputs=3 but layers\[1\]"):
        Sequential([DenseLayer(2, 3), DenseLayer(2, 1)])
    with pytest.raises(TypeError, match="one dtype"):
        Sequential([DenseLayer(2, 3), DenseLayer(3, 1, dtype=np.float32)])
    with pytest.raises(ValueError, match="loss must be one of"):
        Sequential([DenseLayer(2, 1)], loss="hinge")
    with pytest.raises(TypeError, match="step"):
        Sequential([DenseLayer(2, 1)], optimizer=object())
    with pytest.raises(TypeError, match="abstract"):
        type("NoBackward", (Layer,), {"forward": lambda self, X, training=True: X})()
    with pytest.raises(RuntimeError, match="backward called before forward"):
        Sequential([Scale()]).backward(np.ones((1, 1)), [1.0])
    net = Sequential([DenseLayer(2, 1, "sigmoid")])
    with pytest.raises(ValueError, match=r"X has 3 features.*layers\[0\].n_inputs=2"):
        net.predict(np.ones((1, 3)))
    assert Layer.parameters(Scale()) == [] and Layer.gradients(Scale()) == []


def test_optimizer_sees_user_parameters_in_order():
    scale = Scale()
    dense = DenseLayer(2, 1, "linear", random_state=0)
    opt = SGD(0.1)
    net = Sequential([dense, scale], loss="mse", optimizer=opt)
    assert net.parameters() == [dense.W, dense.b, scale.s]
    net.backward(net.forward(np.ones((2, 2))), [1.0, 2.0])
    s_before, ds = scale.s.copy(), scale.ds.copy()
    net.update()
    np.testing.assert_array_equal(scale.s, s_before - 0.1 * ds)


# ------------------------------------------------------------------ fit(scheduler=...)
def _regression_net(optimizer=None) -> Sequential:
    layers = [DenseLayer(3, 4, "relu", random_state=1), DenseLayer(4, 1, "linear", random_state=2)]
    return Sequential(layers, loss="mse", optimizer=optimizer, learning_rate=0.05, random_state=0)


def _regression_data() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(3).normal(size=(40, 3))
    return X, X @ np.array([1.0, -1.0, 0.5])


def test_fit_steps_the_scheduler_once_per_epoch_after_the_epochs_updates():
    from glassml.optim.schedulers import StepLR

    X, y = _regression_data()
    opt = SGD(0.1)
    net = _regression_net(opt)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    history = net.fit(X, y, epochs=5, batch_size=8, scheduler=sched, verbose=False)
    assert sched.last_epoch == 5 and opt.learning_rate == 0.1 * 0.5**2
    # the same training by hand: one epoch at a time, the rate set before each epoch
    opt_ref = SGD(0.1)
    ref = _regression_net(opt_ref)
    ref_history = []
    for epoch in range(5):
        opt_ref.learning_rate = 0.1 * 0.5 ** (epoch // 2)
        ref_history += ref.fit(X, y, epochs=1, batch_size=8, verbose=False)
    assert history == ref_history
    for a, b in zip(net.parameters(), ref.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)
    plain = _regression_net(SGD(0.1))
    plain.fit(X, y, epochs=5, batch_size=8, verbose=False)
    assert np.abs(plain.parameters()[0] - net.parameters()[0]).max() > 1e-6  # it mattered


def test_a_scheduler_can_drive_the_built_in_gradient_descent():
    from glassml.optim.schedulers import ExponentialLR

    X, y = _regression_data()
    net = _regression_net()
    sched = ExponentialLR(net, gamma=0.5)
    net.fit(X, y, epochs=3, batch_size=8, scheduler=sched, verbose=False)
    assert net.learning_rate == 0.05 * 0.5**3


def test_fit_refuses_a_scheduler_of_another_optimizer_and_a_non_scheduler():
    from glassml.optim.schedulers import StepLR

    X, y = _regression_data()
    net = _regression_net(SGD(0.1))
    with pytest.raises(
        ValueError, match=r"scheduler drives SGD object .* not this network's optim"
    ):
        net.fit(X, y, epochs=1, scheduler=StepLR(SGD(0.1), 1), verbose=False)
    with pytest.raises(TypeError, match="scheduler must be None or an object with a step"):
        net.fit(X, y, epochs=1, scheduler=0.5, verbose=False)


def test_a_failed_fit_puts_the_scheduler_and_the_rate_back():
    from glassml.optim.schedulers import StepLR

    class Failing(StepLR):
        def step(self) -> None:
            super().step()
            if self.last_epoch == 2:
                raise KeyboardInterrupt

    X, y = _regression_data()
    for opt in (SGD(0.1), None):
        net = _regression_net(opt)
        sched = Failing(net if opt is None else opt, step_size=1, gamma=0.5)
        lr_before = sched.get_last_lr()
        before = [p.copy() for p in net.parameters()]
        with pytest.raises(KeyboardInterrupt):
            net.fit(X, y, epochs=4, batch_size=8, scheduler=sched, verbose=False)
        assert sched.last_epoch == 0 and sched.get_last_lr() == lr_before
        for a, b in zip(net.parameters(), before, strict=True):
            np.testing.assert_array_equal(a, b)


def test_repr_shows_the_optimizer_that_steps_not_an_ignored_learning_rate():
    layers = [DenseLayer(2, 3, activation="relu"), DenseLayer(3, 1, activation="sigmoid")]
    plain = Sequential(layers, loss="bce", learning_rate=0.5)
    assert repr(plain).endswith("loss='bce', learning_rate=0.5)")
    adam = Adam(learning_rate=0.01)
    net = Sequential(layers, loss="bce", optimizer=adam)  # learning_rate keeps its default 0.1
    assert "learning_rate=0.1" not in repr(net)
    assert repr(net).endswith(f"loss='bce', optimizer={adam!r})")
