"""The seed-06 walkthrough: the seed's table, hand formulas, central differences and PyTorch."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest

from glassml.nn.walkthrough import (
    BCE_EPS,
    GRADIENT_NAMES,
    SEED_EXAMPLE,
    BackpropTrace,
    trace,
    verify_with_torch,
)

PARAMS = ("w1", "b1", "w2", "b2")


def hand_trace(x, y, w1, b1, w2, b2, lr):
    """The seed's formulas written out independently of the library (unclipped, y in {0,1})."""
    z1 = w1 * x + b1
    a1 = z1 if z1 > 0 else 0.0
    z2 = w2 * a1 + b2
    a2 = 1.0 / (1.0 + math.exp(-z2))
    loss = -(y * math.log(a2) + (1 - y) * math.log(1 - a2))
    dL_da2 = -y / a2 + (1 - y) / (1 - a2)  # d/da of −[y log a + (1−y) log(1−a)]
    s = a2 * (1 - a2)
    dL_dz2 = a2 - y  # the sigmoid/log-loss cancellation
    dL_da1 = dL_dz2 * w2
    dL_dz1 = dL_da1 if z1 > 0 else 0.0
    grads = {
        "dL_da2": dL_da2,
        "dL_dz2": dL_dz2,
        "dL_dw2": dL_dz2 * a1,
        "dL_db2": dL_dz2,
        "dL_da1": dL_da1,
        "dL_dz1": dL_dz1,
        "dL_dw1": dL_dz1 * x,
        "dL_db1": dL_dz1,
    }
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "loss": loss, "sigmoid_prime_z2": s, **grads}


def random_points(n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x, w1, b1, w2, b2 = (float(v) for v in rng.normal(0.0, 1.5, size=5))
        yield {
            "x": x,
            "y": float(rng.integers(0, 2)),
            "w1": w1,
            "b1": b1,
            "w2": w2,
            "b2": b2,
            "lr": float(rng.uniform(0.01, 1.0)),
        }


# --- the seed's table ---------------------------------------------------------------------------

SEED_TABLE = {  # the numbers printed in the seed's walkthrough, 4 decimals
    "z1": 1.1,
    "a2": 0.4675,
    "loss": 0.7603,
    "dL_da2": -2.1388,
    "sigmoid_prime_z2": 0.2489,
    "dL_dz2": -0.5325,
    "dL_dw2": -0.5857,
    "dL_da1": 0.1597,
    "dL_dw1": 0.3195,
    "dL_db1": 0.1597,
    "w2_new": -0.2414,
}


def test_defaults_are_the_seed_example():
    assert trace() == trace(**SEED_EXAMPLE)
    assert SEED_EXAMPLE == {
        "x": 2.0,
        "y": 1.0,
        "w1": 0.5,
        "b1": 0.1,
        "w2": -0.3,
        "b2": 0.2,
        "lr": 0.1,
    }


@pytest.mark.parametrize(("name", "seed_value"), SEED_TABLE.items())
def test_seed_table_to_four_decimals(name, seed_value):
    assert round(getattr(trace(**SEED_EXAMPLE), name), 4) == pytest.approx(seed_value, abs=1e-12)


def test_seed_example_other_values_follow_the_seed_prose():
    t = trace(**SEED_EXAMPLE)
    assert t.a1 == t.z1  # "ReLU(1.1) = 1.1"
    assert t.z2 == pytest.approx(-0.13, abs=1e-15)
    assert t.relu_prime_z1 == 1.0  # "derivative = 1 since z1 > 0"
    assert t.dL_db2 == t.dL_dz2 and t.dL_dz1 == t.dL_da1
    assert t.relu_open


@pytest.mark.parametrize("point", [SEED_EXAMPLE, *random_points(6, seed=0)])
def test_every_value_matches_independent_hand_formulas(point):
    t = trace(**point)
    expected = hand_trace(**point)
    for name, value in expected.items():
        assert getattr(t, name) == pytest.approx(value, rel=1e-12, abs=1e-14), name
    for p in PARAMS:
        assert getattr(t, f"{p}_new") == pytest.approx(
            point[p] - point["lr"] * expected[f"dL_d{p}"], rel=1e-12, abs=1e-14
        )
    updated = {p: getattr(t, f"{p}_new") for p in PARAMS}
    after = hand_trace(**{**point, **updated})
    assert t.loss_new == pytest.approx(after["loss"], rel=1e-12)


def test_record_is_frozen_and_complete():
    t = trace()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.w1 = 1.0  # type: ignore[misc]
    names = {f.name for f in dataclasses.fields(BackpropTrace)}
    wanted = {"z1", "a1", "z2", "a2", "loss", "sigmoid_prime_z2", "relu_prime_z1", "loss_new"}
    wanted |= set(GRADIENT_NAMES) | {f"{p}_new" for p in PARAMS}
    assert wanted <= names
    assert t.gradients() == {n: getattr(t, n) for n in GRADIENT_NAMES}
    assert all(isinstance(v, float) for v in t.as_dict().values())


def test_update_lowers_the_loss_for_the_seed_values():
    t = trace(**SEED_EXAMPLE)
    assert t.loss_new < t.loss
    assert t.w2_new > t.w2  # "w2 should increase (make output larger)"
    assert t.b2_new > t.b2


# --- central differences ------------------------------------------------------------------------


@pytest.mark.parametrize("point", [SEED_EXAMPLE, *random_points(5, seed=1)])
def test_gradients_match_central_differences(point):
    t = trace(**point)
    h = 1e-6
    for p in PARAMS:
        plus = trace(**{**point, p: point[p] + h}).loss
        minus = trace(**{**point, p: point[p] - h}).loss
        numeric = (plus - minus) / (2 * h)
        assert getattr(t, f"dL_d{p}") == pytest.approx(numeric, rel=1e-6, abs=1e-8), p


def test_intermediate_gradients_match_central_differences():
    """∂L/∂a2, ∂L/∂z2, ∂L/∂a1, ∂L/∂z1: perturb the node through a parameter that moves only it."""
    t = trace(**SEED_EXAMPLE)
    h = 1e-6
    # z2 = w2·a1 + b2: moving b2 by h moves z2 by h; likewise b1 moves z1 by h.
    dz2 = (
        trace(**{**SEED_EXAMPLE, "b2": 0.2 + h}).loss
        - trace(**{**SEED_EXAMPLE, "b2": 0.2 - h}).loss
    ) / (2 * h)
    assert t.dL_dz2 == pytest.approx(dz2, rel=1e-7)
    dz1 = (
        trace(**{**SEED_EXAMPLE, "b1": 0.1 + h}).loss
        - trace(**{**SEED_EXAMPLE, "b1": 0.1 - h}).loss
    ) / (2 * h)
    assert t.dL_dz1 == pytest.approx(dz1, rel=1e-7)
    # a1 enters only through w2·a1, so ∂L/∂a1 = ∂L/∂z2 · w2 = (∂L/∂w2 / a1) · w2
    assert t.dL_da1 == pytest.approx(t.dL_dw2 / t.a1 * t.w2, rel=1e-12)
    # ∂L/∂a2 of −log(a2) at y = 1
    a2 = t.a2
    da2 = (-math.log(a2 + h) + math.log(a2 - h)) / (2 * h)
    assert t.dL_da2 == pytest.approx(da2, rel=1e-7)


# --- the closed ReLU ----------------------------------------------------------------------------


def test_negative_z1_closes_the_relu_and_stops_the_gradient():
    t = trace(**{**SEED_EXAMPLE, "w1": -0.5})  # z1 = −0.5·2 + 0.1 = −0.9
    assert t.z1 == pytest.approx(-0.9, abs=1e-15)
    assert t.a1 == 0.0 and t.relu_prime_z1 == 0.0 and not t.relu_open
    assert t.dL_da1 != 0.0  # the signal reaches a1 …
    assert t.dL_dz1 == 0.0 and t.dL_dw1 == 0.0 and t.dL_db1 == 0.0  # … but not layer 1
    assert t.dL_dw2 == 0.0  # a1 = 0, so w2 gets nothing either
    assert t.dL_db2 == t.dL_dz2 != 0.0  # only the output bias learns
    assert (t.w1_new, t.b1_new, t.w2_new) == (t.w1, t.b1, t.w2)
    assert t.b2_new > t.b2
    assert t.loss_new < t.loss


def test_relu_derivative_at_exactly_zero_is_zero_like_torch():
    point = {**SEED_EXAMPLE, "w1": 0.5, "b1": -1.0}  # z1 = 0 exactly
    t = trace(**point)
    assert t.z1 == 0.0 and t.relu_prime_z1 == 0.0
    ref = verify_with_torch(**point)
    assert ref["dL_dz1"] == t.dL_dz1 == 0.0


# --- PyTorch ------------------------------------------------------------------------------------

TORCH_KEYS = ("loss", *GRADIENT_NAMES, "w1_new", "b1_new", "w2_new", "b2_new", "loss_new")


@pytest.mark.parametrize(
    "point",
    [
        SEED_EXAMPLE,
        {**SEED_EXAMPLE, "w1": -0.5},
        {**SEED_EXAMPLE, "y": 0.0},
        {**SEED_EXAMPLE, "y": 0.3},  # a soft label
        *random_points(8, seed=2),
    ],
)
def test_torch_autograd_agrees_to_1e12(point):
    t = trace(**point)
    ref = verify_with_torch(**point)
    assert set(ref) == set(TORCH_KEYS)
    for name in TORCH_KEYS:
        assert getattr(t, name) == pytest.approx(ref[name], rel=1e-12, abs=1e-12), name


def test_torch_verification_uses_float64_and_sees_the_seed_table():
    ref = verify_with_torch(**SEED_EXAMPLE)
    for name in ("loss", "dL_da2", "dL_dz2", "dL_dw2", "dL_da1", "dL_dw1", "dL_db1", "w2_new"):
        assert round(ref[name], 4) == pytest.approx(SEED_TABLE[name], abs=1e-12)
    # float32 would disagree with the float64 trace around the 8th digit
    assert ref["loss"] == pytest.approx(trace().loss, abs=1e-15)


# --- saturation and the clipped BCE -------------------------------------------------------------


def test_saturated_flags_exactly_where_the_clipping_is_active():
    assert not trace().saturated
    z_edge = math.log(BCE_EPS / (1 - BCE_EPS))  # σ(z_edge) = eps
    assert not trace(x=1.0, w1=1.0, b1=0.0, w2=0.0, b2=z_edge + 1e-6).saturated
    assert trace(x=1.0, w1=1.0, b1=0.0, w2=0.0, b2=z_edge - 1e-6).saturated
    assert not trace(x=1.0, w1=1.0, b1=0.0, w2=0.0, b2=-z_edge - 1e-6).saturated
    assert trace(x=1.0, w1=1.0, b1=0.0, w2=0.0, b2=-z_edge + 1e-6).saturated


def test_saturated_output_is_finite_and_uses_the_seeds_clipping():
    t = trace(x=1.0, y=1.0, w1=1.0, b1=0.0, w2=-1000.0, b2=0.0)
    assert t.saturated
    assert t.a2 == 0.0  # σ(−1000) underflows to 0 …
    assert t.loss == pytest.approx(-math.log(BCE_EPS), rel=1e-12)  # … and the log is clipped
    assert t.dL_da2 == pytest.approx(-1.0 / BCE_EPS, rel=1e-12)  # (p − y)/(p(1 − p)) at p = eps
    assert t.sigmoid_prime_z2 == 0.0 and t.dL_dz2 == 0.0
    assert all(math.isfinite(v) for v in t.as_dict().values())
    t = trace(x=1.0, y=0.0, w1=1.0, b1=0.0, w2=1000.0, b2=0.0)
    assert t.a2 == 1.0 and t.loss == pytest.approx(-math.log(BCE_EPS), rel=1e-6)
    assert all(math.isfinite(v) for v in t.as_dict().values())


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x", "y", "w1", "b1", "w2", "b2", "lr"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_input_is_rejected(name, bad):
    for fn in (trace, verify_with_torch):
        with pytest.raises(ValueError, match=rf"{name} must be finite, got {bad!r}"):
            fn(**{**SEED_EXAMPLE, name: bad})


@pytest.mark.parametrize("lr", [0.0, -0.1])
def test_non_positive_learning_rate_is_rejected(lr):
    with pytest.raises(ValueError, match=r"lr must be in the range \(0, inf\), got"):
        trace(lr=lr)
    with pytest.raises(ValueError, match=r"lr must be in the range \(0, inf\)"):
        verify_with_torch(lr=lr)


@pytest.mark.parametrize("y", [-0.5, 1.5, 2.0])
def test_target_outside_unit_interval_is_rejected(y):
    with pytest.raises(ValueError, match=r"y must be in the range \[0, 1\], got"):
        trace(y=y)


@pytest.mark.parametrize("bad", ["2.0", None, [2.0], True])
def test_non_numbers_are_rejected(bad):
    with pytest.raises(TypeError, match=r"x must be a real number, got"):
        trace(x=bad)


def test_overflowing_values_are_rejected_not_returned():
    with pytest.raises(ValueError, match=r"z1 overflowed to inf; the inputs are too large"):
        trace(x=1e300, w1=1e300)


def test_numpy_scalars_are_accepted():
    t = trace(x=np.float64(2.0), y=np.int64(1), w1=np.float32(0.5))
    assert type(t.x) is float and type(t.y) is float
    assert t.z1 == pytest.approx(1.1, abs=1e-7)


def test_importing_the_walkthrough_does_not_import_torch_or_matplotlib():
    code = (
        "import sys, glassml.nn.walkthrough as w; w.trace(); "
        "print('torch' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- seed 06 agrees with seed 02 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "point", [SEED_EXAMPLE, {**SEED_EXAMPLE, "w1": -0.5}, *random_points(4, seed=3)]
)
def test_trace_matches_the_numpy_neural_network_on_a_1_1_1_net(point):
    """The walkthrough is the [1, 1, 1] case of glassml.nn.NeuralNetwork, step for step."""
    from glassml.nn import NeuralNetwork

    net = NeuralNetwork(
        [1, 1, 1], activations=["relu", "sigmoid"], loss="bce", learning_rate=point["lr"]
    )
    hidden, output = net.layers
    hidden.W[...] = point["w1"]
    hidden.b[...] = point["b1"]
    output.W[...] = point["w2"]
    output.b[...] = point["b2"]
    X, y = np.array([[point["x"]]]), np.array([point["y"]])
    p = net.forward(X)
    t = trace(**point)
    assert p[0, 0] == pytest.approx(t.a2, rel=1e-14)
    assert net.loss_value(p, y) == pytest.approx(t.loss, rel=1e-12)
    net.backward(p, y)
    for layer, w, b in ((hidden, "w1", "b1"), (output, "w2", "b2")):
        assert layer.dW[0, 0] == pytest.approx(getattr(t, f"dL_d{w}"), rel=1e-12, abs=1e-15)
        assert layer.db[0] == pytest.approx(getattr(t, f"dL_d{b}"), rel=1e-12, abs=1e-15)
    net.update()
    for layer, w, b in ((hidden, "w1", "b1"), (output, "w2", "b2")):
        assert layer.W[0, 0] == pytest.approx(getattr(t, f"{w}_new"), rel=1e-12)
        assert layer.b[0] == pytest.approx(getattr(t, f"{b}_new"), rel=1e-12)
    assert net.loss_value(net.forward(X), y) == pytest.approx(t.loss_new, rel=1e-12)
