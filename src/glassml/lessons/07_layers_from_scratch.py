r"""
Lesson 07 — PyTorch's layers from scratch: BatchNorm, Dropout, CNNs, schedulers
===============================================================================

The seed's PyTorch lesson (its file 04) calls ``nn.BatchNorm1d``, ``nn.Dropout`` and ``StepLR``
as black boxes. Here each one is a small NumPy piece of :mod:`glassml.nn` or
:mod:`glassml.optim` whose code you can read, and every number it produces is checked against
PyTorch on the same weights: BatchNorm's statistics on one batch, dropout in training and in
evaluation, one small network trained in both libraries side by side, a convolutional network
on handwritten digits, and four learning-rate schedules epoch by epoch.

Run it: ``python src/glassml/lessons/07_layers_from_scratch.py --p 0.2`` or
``.venv/bin/glassml lesson 7 --p 0.2`` (``--quick`` for smaller settings).

.. admonition:: Verified against
   :class: verified

   - BatchNorm1d's output, gradients and running statistics equal ``torch.nn.BatchNorm1d``'s to
     1e-10 in float64, and its gradients equal central differences
     (``tests/nn/test_normalization.py``).
   - Dropout keeps each unit with probability ``1 - p`` and scales kept units by ``1/(1-p)``
     exactly (1e-15), and its gradient equals central differences (``tests/nn/test_dropout.py``).
   - Conv2d and MaxPool2d equal PyTorch autograd on the same weights to 1e-10, and the fast
     convolution equals the seven-loop textbook one to 1e-12 (``tests/nn/test_conv.py``).
   - Every scheduler equals ``torch.optim.lr_scheduler`` epoch by epoch to 1e-12
     (``tests/optim/test_schedulers.py``).
"""

# %%
# Options
# -------
# The options a learner turns (see *Try this* at the end): the dropout probability, the
# number of side-by-side training steps, and the CNN's epochs.
import time
from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.nn import BatchNorm1d, DenseLayer, Dropout, Sequential
from glassml.nn.conv import Conv2d, Flatten, MaxPool2d, ReLU, Unflatten
from glassml.optim import SGD, Adam, CosineAnnealingLR, ExponentialLR, LinearLR, StepLR

parser = lesson_parser(__doc__, 7)
parser.add_argument("--p", type=float, default=0.5, help="dropout probability (default 0.5)")
parser.add_argument(
    "--steps", type=int, default=None, help="side-by-side training steps (default 20, quick 10)"
)
parser.add_argument(
    "--epochs", type=int, default=None, help="CNN training epochs (default 12, quick 6)"
)
args = lesson_args(parser)
out = prepare_out(args.out)
steps = args.steps if args.steps is not None else (10 if args.quick else 20)
epochs = args.epochs if args.epochs is not None else (6 if args.quick else 12)

from glassml.plotting import layers as plots  # noqa: E402  (after prepare_out: headless backend)

np.set_printoptions(precision=4, suppress=True)

# %%
# 1. BatchNorm1d on one batch
# ---------------------------
# In training, batch normalisation standardises every feature with the mean and the *biased*
# variance of the current batch, then lets the network rescale and shift it:
#
# .. math::
#
#    \mu = \frac1m \sum_i x_i, \qquad
#    \sigma^2 = \frac1m \sum_i (x_i - \mu)^2, \qquad
#    \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
#    a_i = \gamma \hat x_i + \beta .
#
# It also keeps running averages for evaluation, where a batch may be a single sample:
# :math:`r \leftarrow (1 - \text{momentum})\, r + \text{momentum} \cdot s` with the *unbiased*
# variance, as PyTorch does. The textbook version of the normalisation:
#
# .. literalinclude:: /../src/glassml/nn/normalization.py
#    :pyobject: normalize_textbook
#
# The layer is :class:`glassml.nn.BatchNorm1d`.

heading("1. BatchNorm1d on one batch")
X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])
bn = BatchNorm1d(2, momentum=0.1)
A = bn.forward(X, training=True)
print(f"A batch of {len(X)} samples, 2 features:\n{X}")
print(f"  batch mean {X.mean(axis=0)}, biased variance {X.var(axis=0)} (used to normalise)")
print(f"  normalised (gamma = 1, beta = 0): each column has mean 0 and variance 1:\n{A}")
print(
    f"  running averages after this batch (momentum 0.1 weights the new batch; the variance "
    f"is the unbiased one, {X.var(axis=0, ddof=1)}):\n"
    f"    running_mean = {bn.running_mean}, running_var = {bn.running_var}"
)
bn_torch: Any = torch.nn.BatchNorm1d(2, momentum=0.1).double().train()
A_torch = bn_torch(torch.as_tensor(X)).detach().numpy()
gap = max(
    np.abs(A - A_torch).max(),
    np.abs(bn.running_mean - bn_torch.running_mean.numpy()).max(),
    np.abs(bn.running_var - bn_torch.running_var.numpy()).max(),
)
print(f"  torch.nn.BatchNorm1d on the same batch agrees to {gap:.1e}.")
print(
    f"  In evaluation it uses the running averages, so one sample works: "
    f"{bn.forward(X[:1], training=False)[0]}"
)

# %%
# 2. Dropout in training and in evaluation
# ----------------------------------------
# Dropout zeroes each unit with probability :math:`p` while training. *Inverted* dropout then
# divides the kept units by :math:`1 - p`, so the expected output equals the input,
# :math:`\mathbb E[a] = (1-p) \cdot \frac{x}{1-p} = x`, and evaluation needs no change at all:
# there dropout is the identity. The forward pass of :class:`glassml.nn.Dropout`:
#
# .. literalinclude:: /../src/glassml/nn/dropout.py
#    :pyobject: Dropout._forward

heading("2. Dropout in training and in evaluation")
drop = Dropout(p=args.p, random_state=0)
ones = np.ones((2, 10))
print(
    f"p = {args.p:g}: each unit is kept with probability {1 - args.p:g}, and kept units are "
    f"scaled by 1/(1-p) = {1 / (1 - args.p):.4g}:\n{drop.forward(ones, training=True)}"
)
many = drop.forward(np.ones((1000, 100)), training=True)
print(
    f"  over 100,000 units {np.mean(many > 0):.2%} were kept, and the mean output is "
    f"{np.mean(many):.3f} (the input is 1): that is why kept units are scaled by 1/(1-p)."
)
print(f"  In evaluation dropout is the identity: {drop.forward(ones, training=False)[0]}")

# %%
# 3. One network, NumPy and PyTorch, step by step
# -----------------------------------------------
# The same five layers in both libraries, the same starting weights (PyTorch's ``Linear``
# stores :math:`W^\top`), the same batch and plain SGD. If every forward and backward pass
# agrees, the two losses stay equal step after step — any slip in one gradient would make
# them drift apart.

heading("3. One network, NumPy and PyTorch, step by step")
rng = np.random.default_rng(0)
X = rng.normal(size=(32, 4))
y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(float)
dense = [
    DenseLayer(4, 8, "linear", random_state=0),
    DenseLayer(8, 8, "relu", random_state=1),
    DenseLayer(8, 1, "sigmoid", random_state=2),
]
net = Sequential(
    [dense[0], BatchNorm1d(8), dense[1], Dropout(0.0), dense[2]],
    loss="bce",
    optimizer=SGD(learning_rate=0.5),
)
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
    for linear, layer in zip((model[0], model[2], model[5]), dense, strict=True):
        linear.weight.copy_(torch.as_tensor(layer.W.T))
        linear.bias.copy_(torch.as_tensor(layer.b))
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
gap = np.abs(dense[0].W - model[0].weight.detach().numpy().T).max()
print(f"  after {steps} steps the first layer's weights differ by {gap:.1e}.")

# %%
# 4. A convolutional network on handwritten digits
# ------------------------------------------------
# A convolution slides small filters over the image; output channel :math:`o` at position
# :math:`(y, x)` is
#
# .. math::
#
#    Z_{o,y,x} = b_o + \sum_c \sum_i \sum_j W_{o,c,i,j}\, X_{c,\, y s + i,\, x s + j}
#
# (stride :math:`s`, a cross-correlation, as in PyTorch). The textbook version is these seven
# loops, word for word; :class:`glassml.nn.conv.Conv2d` computes the same numbers with one
# matrix product:
#
# .. literalinclude:: /../src/glassml/nn/textbook_conv.py
#    :pyobject: conv2d_forward
#
# The figure shows one test digit and what each of the 16 learned filters makes of it.

heading("4. A convolutional network on handwritten digits")
X, y = load_digits(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
conv = Conv2d(1, 16, 3, padding=1, random_state=0)
cnn = Sequential(
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
t0 = time.perf_counter()
history = cnn.fit(X_tr, y_tr, epochs=epochs, batch_size=32, verbose=False)
seconds = time.perf_counter() - t0
accuracy = np.mean(cnn.predict(X_te) == y_te)
print(
    "Conv2d(1 -> 16, 3x3, padding 1) -> ReLU -> MaxPool2d(2) -> Flatten -> Dense(256 -> 10), "
    f"Adam lr 0.01: {epochs} epochs in {seconds:.1f} s, loss {history[0]:.3f} -> "
    f"{history[-1]:.3f}, test accuracy {accuracy:.4f}."
)
maps = conv.forward(X_te[:1].reshape(1, 1, 8, 8), training=False)[0]
fig = plots.feature_maps_figure(X_te[0].reshape(8, 8), maps, "What the 16 learned 3x3 filters see")
save_figure(fig, out, "cnn_feature_maps.png")

# %%
# 5. Learning-rate schedules, epoch by epoch
# ------------------------------------------
# A scheduler changes the optimizer's learning rate once per epoch, as a function of the
# epoch :math:`t` only. Step decay halves it every 20 epochs, exponential decay multiplies it
# by :math:`\gamma` each epoch, cosine annealing follows half a cosine,
#
# .. math::
#
#    \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
#    \left(1 + \cos \frac{\pi t}{T_{max}}\right),
#
# and a linear warm-up grows it from a fraction of :math:`\eta_0` to :math:`\eta_0`. Each
# scheduler is one formula:
#
# .. literalinclude:: /../src/glassml/optim/schedulers.py
#    :pyobject: CosineAnnealingLR._lr_at
#
# The figure draws glassml's rates as lines and PyTorch's as circles.

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
rates: dict[str, list[float]] = {}
torch_rates: dict[str, list[float]] = {}
for name, (make, make_torch) in makers.items():
    sched = make(SGD(learning_rate=0.1))
    sched_torch = make_torch(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1))
    rates[name], torch_rates[name] = [], []
    for _ in range(60):
        rates[name].append(sched.get_last_lr())
        torch_rates[name].append(float(sched_torch.get_last_lr()[0]))
        sched.step()
        sched_torch.optimizer.step()
        sched_torch.step()
    gap = np.abs(np.array(rates[name]) - np.array(torch_rates[name])).max()
    print(
        f"  {name:<24} lr {rates[name][0]:.4f} -> {rates[name][-1]:.6f}; torch agrees to {gap:.1e}"
    )
save_figure(plots.schedules_figure(rates, torch_rates), out, "lr_schedules.png")

# %%
# Try this
# --------
# 1. ``glassml lesson 7 --p 0.2``: how many units survive now, and by what are they scaled?
#    What would go wrong at evaluation time if they were not scaled?
# 2. ``glassml lesson 7 --steps 100``: do the two libraries' losses still agree after many
#    more steps? What would make them drift apart?
# 3. ``glassml lesson 7 --epochs 2`` and ``--epochs 30``: how does the test accuracy change,
#    and how do the learned filters in ``cnn_feature_maps.png`` look?
