"""Lesson 01 — building blocks: activations, a single neuron, a dense layer, initialisation.

A neuron computes ``z = w · x + b`` and passes it through a nonlinearity ``a = f(z)``; a dense
layer does the same for many neurons and many samples at once, ``A = f(X W + b)``. Backward
passes apply the chain rule to get the gradients that learning needs. How the weights are
initialised decides whether a signal survives a deep stack at all.

The code is in ``glassml.nn`` (activations.py, layers.py, init.py); this script narrates it.
Run: ``python src/glassml/lessons/01_neuron_and_layer.py --out outputs`` or ``glassml lesson 1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from glassml.lessons._common import heading, lesson_parser, prepare_out, save_figure
from glassml.nn import (
    DenseLayer,
    Neuron,
    activation_std_by_depth,
    he_scale,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
    tanh_derivative,
    xavier_scale,
)


def _row(values: np.ndarray) -> str:
    return "  ".join(f"{v:8.4f}" for v in np.ravel(values))


def activations(out: Path, plots: Any) -> None:
    heading("1. Activation functions and their derivatives")
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    print("Without a nonlinearity, stacked layers collapse into one linear map. On sample inputs:")
    print(f"  {'z':<22}{_row(z)}")
    for name, f, f_prime in (
        ("sigmoid", sigmoid, sigmoid_derivative),
        ("relu", relu, relu_derivative),
        ("tanh", tanh, tanh_derivative),
    ):
        print(f"  {name + '(z)':<22}{_row(f(z))}")
        print(f"  {name + chr(39) + '(z)':<22}{_row(f_prime(z))}")
    print(
        f"sigmoid' peaks at {sigmoid_derivative(0.0):.2f} (z = 0): every sigmoid layer shrinks "
        "the gradient at least 4x, while ReLU passes it unchanged where z > 0."
    )
    logits = np.array([2.0, 1.0, 0.1])
    p = softmax(logits)
    print(f"softmax({logits}) = {p}, sum = {p.sum():.6f}")
    shifted = softmax(logits + 1000.0)
    print(
        f"softmax(logits + 1000) = {shifted} — unchanged and finite because the row max is "
        f"subtracted before exp (max difference {np.max(np.abs(shifted - p)):.1e})."
    )
    save_figure(plots.activations_figure(), out, "activations.png")


def one_neuron() -> None:
    heading("2. One neuron: forward and backward")
    neuron = Neuron(3, activation="relu", random_state=0)
    x = np.array([1.0, -2.0, 0.5])
    a = neuron.forward(x)
    z_val = float(x @ neuron.w + neuron.b)
    print(f"w = {neuron.w} (He init, std sqrt(2/3) = {he_scale(3):.4f}), b = {neuron.b}")
    print(f"x = {x}")
    print(f"z = w · x + b = {z_val:.4f};  a = relu(z) = {a:.4f}")
    d_out = 1.0
    dx, dw, db = neuron.backward(d_out)
    dz = d_out * float(relu_derivative(z_val))
    print(f"With d_out = dL/da = {d_out}: dz = d_out · relu'(z) = {dz:.1f}")
    print(f"  dw = dz · x = {dw}   (each weight's gradient is its input)")
    print(f"  db = dz     = {db:.4f}")
    print(f"  dx = dz · w = {dx}   (what flows back to the previous layer)")


def dense_layer() -> None:
    heading("3. A dense layer on a batch")
    layer = DenseLayer(4, 3, activation="relu", random_state=0)
    X = np.random.default_rng(1).normal(size=(5, 4))
    A = layer.forward(X)
    dX, dW, db_layer = layer.backward(np.ones_like(A)), layer.dW, layer.db
    print("Z = X @ W + b computes every neuron for every sample in one matrix product:")
    print(f"  X {X.shape} @ W {layer.W.shape} + b {layer.b.shape} -> A {A.shape}")
    print(
        f"  backward: dW = X.T @ dZ {dW.shape}, db = sum(dZ, axis=0) {db_layer.shape}, "
        f"dX = dZ @ W.T {dX.shape}"
    )
    print(f"A =\n{A}")
    print(f"db = {db_layer} (summed over the {X.shape[0]} samples of the batch)")


def initialisation(quick: bool, out: Path, plots: Any) -> None:
    heading("4. He vs Xavier initialisation through a deep stack")
    n_layers, width, n_samples = (10, 64, 200) if quick else (20, 256, 1000)
    stds = {
        f"{act} + {scheme}": activation_std_by_depth(
            act, scheme, n_layers=n_layers, width=width, n_samples=n_samples, random_state=0
        )
        for act in ("relu", "tanh")
        for scheme in ("he", "xavier")
    }
    print(
        f"{n_layers} layers of width {width}, unit-variance input; std of the activations "
        f"(He scale sqrt(2/n) = {he_scale(width):.4f}, Xavier sqrt(1/n) = "
        f"{xavier_scale(width):.4f}):"
    )
    print(f"  {'stack':<15}{'layer 1':>10}{'middle':>10}{'last':>12}")
    for label, values in stds.items():
        print(f"  {label:<15}{values[0]:10.4f}{values[n_layers // 2 - 1]:10.4f}{values[-1]:12.2e}")
    relu_he, relu_xavier = stds["relu + he"], stds["relu + xavier"]
    print(
        f"ReLU zeroes half its inputs: with Xavier the signal shrinks by ~1/sqrt(2) per layer "
        f"({relu_xavier[-1] / relu_xavier[0]:.1e} of layer 1 after {n_layers} layers); "
        f"He's factor 2 holds it steady (ratio {relu_he[-1] / relu_he[0]:.2f})."
    )
    tanh_he, tanh_xavier = stds["tanh + he"], stds["tanh + xavier"]
    print(
        f"tanh is nearly linear around 0 and saturates further out, so with Xavier its signal "
        f"decays slowly (std {tanh_xavier[-1]:.3f} at layer {n_layers}) and the larger He scale "
        f"keeps it near {tanh_he[-1]:.3f}: the right scale depends on the activation."
    )
    save_figure(plots.init_depth_figure(stds), out, "init_depth.png")


def main(argv: list[str] | None = None) -> int:
    args = lesson_parser(__doc__).parse_args(argv)
    out = prepare_out(args.out)
    from glassml.plotting import nn as plots  # after prepare_out: headless backend chosen

    np.set_printoptions(precision=4, suppress=True)
    activations(out, plots)
    one_neuron()
    dense_layer()
    initialisation(args.quick, out, plots)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
