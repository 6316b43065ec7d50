"""Lesson 07 — the seed's PyTorch layers from scratch: BatchNorm, Dropout, CNNs, schedulers.

Seed file 04 uses ``nn.BatchNorm1d``, ``nn.Dropout``, ``StepLR`` and attention by calling
PyTorch. Here each is a NumPy ``Layer`` (or optimizer piece) in ``glassml.nn`` /
``glassml.optim``, and every number is checked against PyTorch on the same weights: BatchNorm's
statistics on one batch, dropout in training and in evaluation, one small network trained in
both libraries side by side, a convolutional network on handwritten digits, and the
learning-rate schedules epoch by epoch.

Run: ``python src/glassml/lessons/07_layers_from_scratch.py --out outputs`` or
``glassml lesson 7``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from glassml.lessons._common import heading, lesson_parser, prepare_out, save_figure
from glassml.nn import BatchNorm1d, DenseLayer, Dropout, Sequential
from glassml.nn.conv import Conv2d, Flatten, MaxPool2d, ReLU, Unflatten
from glassml.optim import SGD, Adam, CosineAnnealingLR, ExponentialLR, LinearLR, StepLR


def batchnorm_on_a_batch() -> None:
    heading("1. BatchNorm1d on one batch")
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])
    bn = BatchNorm1d(2, momentum=0.1)
    A = bn.forward(X, training=True)
    mu, var = X.mean(axis=0), X.var(axis=0)
    print(f"A batch of {len(X)} samples, 2 features:\n{X}")
    print(f"  batch mean {mu}, biased variance {var} (used to normalise)")
    print(f"  normalised (gamma = 1, beta = 0): each column has mean 0 and variance 1:\n{A}")
    print(
        f"  running averages after this batch (momentum 0.1 weights the new batch; the "
        f"variance is the unbiased one, {X.var(axis=0, ddof=1)}):\n"
        f"    running_mean = {bn.running_mean}, running_var = {bn.running_var}"
    )
    ref: Any = torch.nn.BatchNorm1d(2, momentum=0.1).double().train()
    out = ref(torch.as_tensor(X)).detach().numpy()
    gap = max(
        np.abs(A - out).max(),
        np.abs(bn.running_mean - ref.running_mean.numpy()).max(),
        np.abs(bn.running_var - ref.running_var.numpy()).max(),
    )
    print(f"  torch.nn.BatchNorm1d on the same batch agrees to {gap:.1e}.")
    single = bn.forward(X[:1], training=False)
    print(f"  In evaluation it uses the running averages, so one sample works: {single[0]}")


def dropout_train_and_eval() -> None:
    heading("2. Dropout in training and in evaluation")
    drop = Dropout(p=0.5, random_state=0)
    X = np.ones((2, 10))
    train_out = drop.forward(X, training=True)
    print(
        f"p = 0.5: each unit is kept with probability 0.5, and kept units are scaled by 2:\n"
        f"{train_out}"
    )
    kept = np.mean(drop.forward(np.ones((1000, 100)), training=True) > 0)
    print(
        f"  over 100,000 units {kept:.2%} were kept, and the mean output stays "
        f"{np.mean(drop.forward(np.ones((1000, 100)), training=True)):.3f} (the input's 1): "
        "that is why kept units are scaled by 1/(1-p)."
    )
    print(f"  In evaluation dropout is the identity: {drop.forward(X, training=False)[0]}")


def _torch_twin(net: Sequential) -> Any:
    """The same network in torch, with the NumPy network's weights (W is transposed)."""
    layers: list[Any] = list(net.layers)
    d1, _, d2, _, d3 = layers  # BatchNorm and Dropout start as torch's do
    model: Any = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.Linear(8, 8),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.0),
        torch.nn.Linear(8, 1),
        torch.nn.Sigmoid(),
    ).double()
    with torch.no_grad():
        for lin, dense in ((model[0], d1), (model[2], d2), (model[5], d3)):
            lin.weight.copy_(torch.as_tensor(dense.W.T))
            lin.bias.copy_(torch.as_tensor(dense.b))
    return model


def numpy_and_torch_side_by_side(steps: int) -> None:
    heading("3. One network, NumPy and PyTorch, step by step")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 4))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(float)
    net = Sequential(
        [
            DenseLayer(4, 8, "linear", random_state=0),
            BatchNorm1d(8),
            DenseLayer(8, 8, "relu", random_state=1),
            Dropout(0.0),
            DenseLayer(8, 1, "sigmoid", random_state=2),
        ],
        loss="bce",
        optimizer=SGD(learning_rate=0.5),
    )
    model = _torch_twin(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y[:, None])
    print("Dense -> BatchNorm1d -> Dense(ReLU) -> Dropout(0) -> Dense(sigmoid), BCE, SGD lr 0.5:")
    print(f"  {'step':>4}  {'glassml loss':>14}  {'torch loss':>14}")
    for step in range(1, steps + 1):
        p = net.forward(X)
        ours = net.loss_value(p, y)
        net.backward(p, y)
        net.update()
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy(model(Xt), yt)
        loss.backward()
        opt.step()
        if step in (1, 2, 3, steps // 2, steps):
            print(f"  {step:>4}  {ours:14.10f}  {float(loss.detach()):14.10f}")
    first: Any = net.layers[0]
    gap = np.abs(first.W - model[0].weight.detach().numpy().T).max()
    print(f"  after {steps} steps the first layer's weights differ by {gap:.1e}.")


def cnn_on_digits(quick: bool, out: Path, plots: Any) -> None:
    heading("4. A convolutional network on handwritten digits")
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=0, stratify=y
    )
    conv = Conv2d(1, 16, 3, padding=1, random_state=0)
    net = Sequential(
        [
            Unflatten((1, 8, 8)),
            conv,
            ReLU(),
            MaxPool2d(2),
            Flatten(),
            DenseLayer(16 * 4 * 4, 10, "softmax", random_state=1),
        ],
        loss="cross_entropy",
        optimizer=Adam(learning_rate=0.01),
        random_state=0,
    )
    epochs = 6 if quick else 12
    t0 = time.perf_counter()
    history = net.fit(X_tr, y_tr, epochs=epochs, batch_size=32, verbose=False)
    seconds = time.perf_counter() - t0
    acc = np.mean(net.predict(X_te) == y_te)
    print(
        "Conv2d(1 -> 16, 3x3, padding 1) -> ReLU -> MaxPool2d(2) -> Flatten -> Dense(256 -> 10), "
        f"Adam lr 0.01: {epochs} epochs in {seconds:.1f} s, loss {history[0]:.3f} -> "
        f"{history[-1]:.3f}, test accuracy {acc:.4f}."
    )
    maps = conv.forward(X_te[:1].reshape(1, 1, 8, 8), training=False)[0]
    save_figure(
        plots.feature_maps_figure(
            X_te[0].reshape(8, 8), maps, "What the 16 learned 3x3 filters see"
        ),
        out,
        "cnn_feature_maps.png",
    )


def schedules(epochs: int, out: Path, plots: Any) -> None:
    heading("5. Learning-rate schedules, epoch by epoch")
    makers = {
        "StepLR(20, 0.5)": (
            lambda o: StepLR(o, 20, 0.5),
            lambda o: torch.optim.lr_scheduler.StepLR(o, 20, 0.5),
        ),
        "ExponentialLR(0.95)": (
            lambda o: ExponentialLR(o, 0.95),
            lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.95),
        ),
        "CosineAnnealingLR(60)": (
            lambda o: CosineAnnealingLR(o, 60),
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 60),
        ),
        "LinearLR warm-up (10)": (
            lambda o: LinearLR(o, 0.1, 1.0, 10),
            lambda o: torch.optim.lr_scheduler.LinearLR(o, 0.1, 1.0, 10),
        ),
    }
    ours: dict[str, list[float]] = {}
    theirs: dict[str, list[float]] = {}
    for name, (make, make_ref) in makers.items():
        sched = make(SGD(learning_rate=0.1))
        ref = make_ref(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1))
        ours[name], theirs[name] = [], []
        for _ in range(epochs):
            ours[name].append(sched.get_last_lr())
            theirs[name].append(float(ref.get_last_lr()[0]))
            sched.step()
            ref.optimizer.step()
            ref.step()
        gap = np.abs(np.array(ours[name]) - np.array(theirs[name])).max()
        print(
            f"  {name:<24} lr {ours[name][0]:.4f} -> {ours[name][-1]:.6f}; torch agrees to {gap:.1e}"
        )
    save_figure(plots.schedules_figure(ours, theirs), out, "lr_schedules.png")


def main(argv: list[str] | None = None) -> int:
    args = lesson_parser(__doc__).parse_args(argv)
    out = prepare_out(args.out)
    from glassml.plotting import layers as plots  # after prepare_out: headless backend chosen

    np.set_printoptions(precision=4, suppress=True)
    batchnorm_on_a_batch()
    dropout_train_and_eval()
    numpy_and_torch_side_by_side(steps=10 if args.quick else 20)
    cnn_on_digits(args.quick, out, plots)
    schedules(60, out, plots)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
