"""Lesson 02 — a full neural network: losses, backpropagation, mini-batch training.

``NeuralNetwork`` chains dense layers (it is a ``Sequential`` of ``Layer`` objects). Forward: each layer's output feeds the next. Backward:
the loss gradient walks the layers in reverse, each layer's ``dX`` becoming the previous
layer's ``dA`` (the chain rule). Update: ``W ← W - lr · dW``. Fit: shuffle, split into
mini-batches, and repeat forward → loss → backward → update.

XOR is the classic test: its four points are not linearly separable, so one neuron cannot
learn it but a network with a hidden layer can. The same class then learns handwritten digits.

The code is in ``glassml.nn`` (losses.py, base.py, sequential.py, network.py); this script narrates it.
Run: ``python src/glassml/lessons/02_neural_network.py --out outputs`` or ``glassml lesson 2``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from glassml.lessons._common import heading, lesson_parser, prepare_out, save_figure
from glassml.nn import (
    EPS,
    DenseLayer,
    NeuralNetwork,
    Sequential,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    mse,
)

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def loss_functions() -> None:
    heading("1. Loss functions")
    p = np.array([0.9, 0.6, 0.2])
    y = np.array([1.0, 1.0, 0.0])
    print(f"predictions p = {p}, targets y = {y}")
    print(f"  MSE = mean((p - y)²) = {mse(p, y):.4f}")
    print(f"  BCE = -mean(y log p + (1 - y) log(1 - p)) = {binary_cross_entropy(p, y):.4f}")
    print(f"  dBCE/dp = (p - y) / (p (1 - p) n) = {binary_cross_entropy_gradient(p, y)}")
    confident_wrong = binary_cross_entropy(np.array([0.0]), np.array([1.0]))
    print(
        f"A confidently wrong p = 0 for y = 1 costs -log(eps) = {confident_wrong:.2f}: the "
        f"eps = {EPS:g} clipping keeps log(0) out, so the loss stays finite."
    )


def xor_network(epochs: int) -> tuple[NeuralNetwork, list[float]]:
    heading("2. XOR with a [2, 8, 1] network")
    net = NeuralNetwork([2, 8, 1], learning_rate=1.0, random_state=0)
    t0 = time.perf_counter()
    xor_history = net.fit(XOR_X, XOR_Y, epochs=epochs, batch_size=4, verbose=False)
    seconds = time.perf_counter() - t0
    proba = net.predict_proba(XOR_X)[:, 1]
    print(
        f"{epochs} epochs of full-batch gradient descent (lr = {net.learning_rate}) in "
        f"{seconds:.2f} s; loss {xor_history[0]:.4f} -> {xor_history[-1]:.4f}"
    )
    for xi, yi, pi, label in zip(XOR_X, XOR_Y, proba, net.predict(XOR_X), strict=True):
        print(f"  x = {xi}  target {yi}  P(y=1) = {pi:.4f}  predicted {label}")
    print(f"all four correct: {bool(np.array_equal(net.predict(XOR_X), XOR_Y))}")
    return net, xor_history


def xor_single_neuron(
    epochs: int, out: Path, plots: Any, net: NeuralNetwork, xor_history: list[float]
) -> None:
    heading("3. Why one neuron cannot learn XOR")
    neuron = NeuralNetwork([2, 1], learning_rate=1.0, random_state=0)  # one sigmoid unit
    neuron_history = neuron.fit(XOR_X, XOR_Y, epochs=epochs, batch_size=4, verbose=False)
    neuron_proba = neuron.predict_proba(XOR_X)[:, 1]
    accuracy = np.mean(neuron.predict(XOR_X) == XOR_Y)
    print(
        "A single neuron draws one straight line; no line puts (0,1), (1,0) on one side and "
        "(0,0), (1,1) on the other."
    )
    print(
        f"After the same {epochs} epochs its loss is {neuron_history[-1]:.4f} "
        f"(log 2 = {np.log(2):.4f} is a coin flip), P(y=1) = {neuron_proba}, accuracy "
        f"{accuracy:.2f}."
    )
    save_figure(
        plots.loss_curves_figure(
            {"[2, 8, 1] network": xor_history, "[2, 1] single neuron": neuron_history},
            "XOR: training loss",
        ),
        out,
        "xor_loss.png",
    )
    save_figure(
        plots.decision_boundaries_figure(
            {
                "one neuron [2, 1]: a straight line": lambda P: neuron.predict_proba(P)[:, 1],
                "hidden layer [2, 8, 1]": lambda P: net.predict_proba(P)[:, 1],
            },
            XOR_X,
            XOR_Y,
        ),
        out,
        "xor_decision_boundaries.png",
    )


def layers_in_sequence(epochs: int, xor_history: list[float]) -> None:
    heading("4. The network is a list of layers")
    rng = np.random.default_rng(0)  # NeuralNetwork(random_state=0) draws from one generator too
    seq = Sequential(
        [DenseLayer(2, 8, "relu", random_state=rng), DenseLayer(8, 1, "sigmoid", random_state=rng)],
        loss="bce",
        learning_rate=1.0,
        random_state=rng,
    )
    history = seq.fit(XOR_X, XOR_Y, epochs=epochs, batch_size=4, verbose=False)
    gap = np.max(np.abs(np.array(history) - np.array(xor_history)))
    print(
        "NeuralNetwork([2, 8, 1]) is a Sequential of two DenseLayers. Every Layer has the same "
        "four methods: forward(X) remembers what backward needs, backward(dA) fills the "
        "parameters' gradients and returns dX, parameters() and gradients() list the arrays."
    )
    print(
        f"Built by hand from the same seed and trained the same way, its {epochs} epoch losses "
        f"differ from the network's by at most {gap:.1e}."
    )
    print(
        "Any object following that protocol (a subclass of glassml.nn.Layer) can join the list: "
        "that is how normalisation, dropout or convolution layers plug in."
    )


def digits(quick: bool, out: Path, plots: Any) -> None:
    heading("5. The same class on handwritten digits")
    X, y_digits = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y_digits, test_size=0.25, stratify=y_digits, random_state=0
    )
    scaler = StandardScaler().fit(X_train)  # statistics of the training images only
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    digits_epochs = 20 if quick else 30
    digits_net = NeuralNetwork(
        [64, 128, 64, 10], loss="cross_entropy", learning_rate=0.1, random_state=0
    )
    print(
        f"{len(X_train)} training and {len(X_test)} test images of 8x8 pixels, each pixel "
        f"standardised with the training set's mean and std (stratified split); network "
        f"{digits_net.layer_sizes}, softmax output, cross-entropy loss."
    )
    t0 = time.perf_counter()
    show_bar = not quick and sys.stderr.isatty()  # a progress bar only in a terminal
    history = digits_net.fit(
        X_train, y_train, epochs=digits_epochs, batch_size=32, verbose=show_bar
    )
    seconds = time.perf_counter() - t0
    test_pred = digits_net.predict(X_test)
    test_acc = np.mean(test_pred == y_test)
    train_acc = np.mean(digits_net.predict(X_train) == y_train)
    print(
        f"{digits_epochs} epochs of mini-batch SGD (batch 32, lr {digits_net.learning_rate}) "
        f"in {seconds:.2f} s; loss {history[0]:.4f} -> {history[-1]:.4f}"
    )
    print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
    wrong = np.flatnonzero(test_pred != y_test)
    show = np.concatenate([wrong[:8], np.flatnonzero(test_pred == y_test)[: 24 - len(wrong[:8])]])
    save_figure(
        plots.digits_predictions_figure(
            scaler.inverse_transform(X_test[show]), y_test[show], test_pred[show]
        ),
        out,
        "digits_predictions.png",
    )
    print(f"{len(wrong)} of {len(y_test)} test digits are misclassified; the figure shows some.")


def main(argv: list[str] | None = None) -> int:
    args = lesson_parser(__doc__).parse_args(argv)
    out = prepare_out(args.out)
    from glassml.plotting import nn as plots  # after prepare_out: headless backend chosen

    np.set_printoptions(precision=4, suppress=True)
    loss_functions()
    epochs = 300 if args.quick else 500
    net, xor_history = xor_network(epochs)
    xor_single_neuron(epochs, out, plots, net, xor_history)
    layers_in_sequence(epochs, xor_history)
    digits(args.quick, out, plots)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
