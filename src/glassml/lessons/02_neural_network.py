r"""
Lesson 02 — A full neural network: losses, backpropagation, mini-batch training
===============================================================================

:class:`glassml.nn.NeuralNetwork` chains dense layers (it is a :class:`glassml.nn.Sequential`
of :class:`glassml.nn.Layer` objects). Forward, each layer's output feeds the next. Backward,
the loss gradient walks the layers in reverse, each layer's :math:`\partial L/\partial X`
becoming the previous layer's :math:`\partial L/\partial A` — the chain rule, layer by layer.
Update: :math:`W \leftarrow W - \eta\, \partial L/\partial W`. Fit: shuffle, cut into
mini-batches, and repeat forward → loss → backward → update.

We check every gradient backpropagation computes against central differences, then train on
XOR — four points no straight line separates, so one neuron fails where a hidden layer
succeeds — and finally on handwritten digits with the same class.

Run it: ``python src/glassml/lessons/02_neural_network.py --hidden 2 --seed 1`` or
``.venv/bin/glassml lesson 2 --hidden 2 --seed 1`` (``--quick`` for smaller settings).

.. admonition:: Verified against
   :class: verified

   - The losses and their gradients (MSE, binary and multi-class cross-entropy) equal PyTorch's
     to 1e-10 (the loss values to 1e-12) and central differences to 1e-7
     (``tests/nn/test_losses.py``).
   - Every gradient of a whole network equals PyTorch autograd (1e-8) and central differences
     (batch sizes 1 and 7) (``tests/nn/test_network.py``).
   - ``NeuralNetwork`` is a ``Sequential`` of ``DenseLayer`` objects bit for bit
     (``tests/nn/test_sequential.py``); XOR is solved for at least 8 of 10 seeds and the digits
     test accuracy is at least 0.95 (``tests/nn/test_network.py``).
"""

# %%
# Options
# -------
# The options a learner turns (see *Try this* at the end): the XOR network's learning rate,
# epochs and hidden width, and the random seed of every section.
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.nn import (
    EPS,
    DenseLayer,
    NeuralNetwork,
    Sequential,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    cross_entropy,
    cross_entropy_gradient,
    max_relative_error,
    mse,
    mse_gradient,
    numerical_gradient,
)

parser = lesson_parser(__doc__, 2)
parser.add_argument("--lr", type=float, default=1.0, help="XOR learning rate (default 1.0)")
parser.add_argument(
    "--epochs", type=int, default=None, help="XOR training epochs (default 500, quick 300)"
)
parser.add_argument(
    "--hidden", type=int, default=8, help="hidden units of the XOR network (default 8)"
)
parser.add_argument("--seed", type=int, default=0, help="random seed of every network (default 0)")
args = lesson_args(parser)
epochs = args.epochs if args.epochs is not None else (300 if args.quick else 500)
if args.lr <= 0 or epochs < 1 or args.hidden < 1:
    parser.error(
        f"--lr must be > 0, --epochs and --hidden >= 1; got {args.lr}, {epochs}, {args.hidden}"
    )
out = prepare_out(args.out)

from glassml.plotting import nn as plots  # noqa: E402  (after prepare_out: headless backend)

np.set_printoptions(precision=4, suppress=True)
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])

# %%
# 1. Loss functions and their gradients
# -------------------------------------
# A loss measures how wrong the predictions :math:`p` are for the targets :math:`y`, and its
# gradient is where backpropagation starts. For :math:`n` predictions:
#
# .. math::
#
#    \text{MSE} = \frac1n \sum_i (p_i - y_i)^2, \qquad
#    \frac{\partial\, \text{MSE}}{\partial p_i} = \frac{2 (p_i - y_i)}{n};
#
# .. math::
#
#    \text{BCE} = -\frac1n \sum_i \big[y_i \log p_i + (1 - y_i) \log(1 - p_i)\big], \qquad
#    \frac{\partial\, \text{BCE}}{\partial p_i} = \frac{p_i - y_i}{p_i (1 - p_i)\, n};
#
# .. math::
#
#    \text{CE} = -\frac1n \sum_i \sum_c y_{ic} \log p_{ic}, \qquad
#    \frac{\partial\, \text{CE}}{\partial p_{ic}} = -\frac{y_{ic}}{p_{ic}\, n} .
#
# MSE is for regression and punishes large errors quadratically; cross-entropy is minus the
# log-likelihood, infinite for a confident wrong answer — so :math:`p` is clipped to
# :math:`[\epsilon, 1 - \epsilon]` before the log. Through a sigmoid (BCE) or a softmax (CE)
# output the chain rule simplifies to :math:`\partial L/\partial z = (p - y)/n`: the network
# uses that combined form, which never divides by a vanishing :math:`p(1-p)`.

heading("1. Loss functions and their gradients")
p = np.array([0.9, 0.6, 0.2])
y = np.array([1.0, 1.0, 0.0])
print(f"predictions p = {p}, targets y = {y}")
for name, loss, grad in (
    ("MSE", mse, mse_gradient),
    ("BCE", binary_cross_entropy, binary_cross_entropy_gradient),
):
    numeric = numerical_gradient(lambda loss=loss: loss(p, y), p)
    print(
        f"  {name} = {loss(p, y):.4f};  dL/dp = {grad(p, y)};  central differences agree to "
        f"{max_relative_error(grad(p, y), numeric):.1e}"
    )
P3 = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
labels = np.array([0, 2])
ce_grad = cross_entropy_gradient(P3, labels) + 0.0  # + 0.0 prints -0.0 as 0
numeric = numerical_gradient(lambda: cross_entropy(P3, labels), P3)
print(f"three-class probabilities, one row per sample, true labels {labels.tolist()}:\n{P3}")
print(
    f"  CE = {cross_entropy(P3, labels):.4f} (the mean of -log {P3[0, 0]:g} and "
    f"-log {P3[1, 2]:g});  dL/dp =\n{ce_grad}"
)
print(
    "  only the true class gets a gradient; central differences agree to "
    f"{max_relative_error(ce_grad, numeric):.1e}"
)
confident_wrong = binary_cross_entropy(np.array([0.0]), np.array([1.0]))
print(
    f"A confidently wrong p = 0 for y = 1 costs -log(eps) = {confident_wrong:.2f}: the "
    f"eps = {EPS:g} clipping keeps log(0) out, so the loss stays finite."
)

# %%
# 2. Backpropagation through the layers, checked
# ----------------------------------------------
# For a stack of dense layers :math:`A_l = f_l(A_{l-1} W_l + b_l)` the backward pass starts
# from the loss, :math:`dZ_L = (p - y)/n` for a sigmoid output with BCE, and for
# :math:`l = L, \dots, 1`:
#
# .. math::
#
#    dW_l = A_{l-1}^\top dZ_l, \qquad db_l = \textstyle\sum_i (dZ_l)_i, \qquad
#    dA_{l-1} = dZ_l W_l^\top, \qquad dZ_{l-1} = dA_{l-1} \odot f_{l-1}'(Z_{l-1}) .
#
# Each layer fills its own gradients and hands :math:`dA_{l-1}` down. The network's walk
# through its layers, and one dense layer's three formulas:
#
# .. literalinclude:: /../src/glassml/nn/sequential.py
#    :pyobject: Sequential._backward
#
# .. literalinclude:: /../src/glassml/nn/layers.py
#    :pyobject: DenseLayer._backward_dZ
#
# How do we know the result is right? Nudge one weight by :math:`\pm h` and watch the loss:
# :math:`\partial L/\partial w \approx \big(L(w + h) - L(w - h)\big) / 2h` (central differences,
# :func:`glassml.nn.numerical_gradient`). Below, every weight and bias of every layer is
# checked this way. The XOR points are jittered a little: at :math:`(0, 0)` with zero biases a
# ReLU would sit exactly on its kink, where the derivative is not defined.

heading(f"2. Backpropagation through the layers of a [2, {args.hidden}, 1] network, checked")
check_net = NeuralNetwork([2, args.hidden, 1], random_state=args.seed)
X_jitter = XOR_X + 0.05 * np.random.default_rng(args.seed).normal(size=XOR_X.shape)
p_check = check_net.forward(X_jitter)
check_net.backward(p_check, XOR_Y)
print(f"loss on the 4 jittered XOR points: {check_net.loss_value(p_check, XOR_Y):.6f}")
print(f"  {'layer':<25}{'parameter':>10}{'shape':>9}{'max |grad|':>12}{'backward vs central':>21}")
worst = 0.0
for number, layer in enumerate(check_net.layers, start=1):
    for name, param, grad in (("W", layer.W, layer.dW), ("b", layer.b, layer.db)):
        numeric = numerical_gradient(
            lambda: check_net.loss_value(check_net.forward(X_jitter), XOR_Y), param
        )
        error = max_relative_error(grad, numeric)
        worst = max(worst, error)
        label = f"{number}: Dense({layer.n_inputs}->{layer.n_outputs}, {layer.activation})"
        print(f"  {label:<25}{name:>10}{param.shape!s:>9}{np.max(np.abs(grad)):12.2e}{error:21.1e}")
verdict = "agree" if worst < 1e-6 else "DISAGREE"
print(f"Largest relative difference {worst:.1e}: backward and central differences {verdict}.")

# %%
# 3. XOR with a hidden layer
# --------------------------
# :math:`(0,0) \to 0,\ (0,1) \to 1,\ (1,0) \to 1,\ (1,1) \to 0`. A hidden layer of ``--hidden``
# ReLU units learns a representation in which XOR becomes linearly separable; the sigmoid
# output then draws one line there. Training is full-batch gradient descent with learning rate
# ``--lr`` for ``--epochs`` epochs, each epoch one forward → loss → backward → update.

heading(f"3. XOR with a [2, {args.hidden}, 1] network")
net = NeuralNetwork([2, args.hidden, 1], learning_rate=args.lr, random_state=args.seed)
t0 = time.perf_counter()
xor_history = net.fit(XOR_X, XOR_Y, epochs=epochs, batch_size=4, verbose=False)
seconds = time.perf_counter() - t0
proba = net.predict_proba(XOR_X)[:, 1]
print(
    f"{epochs} epochs of full-batch gradient descent (lr = {net.learning_rate:g}, seed "
    f"{args.seed}) in {seconds:.2f} s; loss {xor_history[0]:.4f} -> {xor_history[-1]:.4f}"
)
for xi, yi, pi, label in zip(XOR_X, XOR_Y, proba, net.predict(XOR_X), strict=True):
    print(f"  x = {xi}  target {yi}  P(y=1) = {pi:.4f}  predicted {label}")
solved = bool(np.array_equal(net.predict(XOR_X), XOR_Y))
print(f"all four correct: {solved}")

# %%
# 4. Why one neuron cannot learn XOR
# ----------------------------------
# A single sigmoid neuron is a straight line through the plane, with :math:`P = 0.5` on the
# line. No line puts :math:`(0,1), (1,0)` on one side and :math:`(0,0), (1,1)` on the other, so
# the best a neuron can do under cross-entropy is to give up: weights to 0 and
# :math:`P = 0.5` everywhere, a loss of :math:`\log 2`. In the figure, the black line is where
# :math:`P = 0.5`; a map with constant output has no such line.

heading("4. Why one neuron cannot learn XOR")
neuron = NeuralNetwork([2, 1], learning_rate=args.lr, random_state=args.seed)  # one sigmoid unit
neuron_history = neuron.fit(XOR_X, XOR_Y, epochs=epochs, batch_size=4, verbose=False)
neuron_proba = neuron.predict_proba(XOR_X)[:, 1]
accuracy = np.mean(neuron.predict(XOR_X) == XOR_Y)
spread = np.ptp(neuron_proba)
print(
    f"After the same {epochs} epochs its loss is {neuron_history[-1]:.4f} (log 2 = "
    f"{np.log(2):.4f} is a coin flip) and P(y=1) = {neuron_proba}."
)
if spread < plots.CONSTANT_SPREAD:
    print(
        f"  Its output is the same for every point (spread {spread:.1e}): it has given up, and "
        f"its accuracy of {accuracy:.2f} is decided by rounding at 0.5, not by learning."
    )
else:
    print(f"  Its outputs differ (spread {spread:.3f}); accuracy {accuracy:.2f} of 4 points.")
save_figure(
    plots.loss_curves_figure(
        {f"[2, {args.hidden}, 1] network": xor_history, "[2, 1] single neuron": neuron_history},
        "XOR: training loss",
    ),
    out,
    "xor_loss.png",
)
fig = plots.decision_boundaries_figure(
    {
        "one neuron [2, 1]": lambda P: neuron.predict_proba(P)[:, 1],
        f"hidden layer [2, {args.hidden}, 1]": lambda P: net.predict_proba(P)[:, 1],
    },
    XOR_X,
    XOR_Y,
)
save_figure(fig, out, "xor_decision_boundaries.png")

# %%
# 5. The network is a list of layers
# ----------------------------------
# ``NeuralNetwork([2, 8, 1])`` is a :class:`glassml.nn.Sequential` of two
# :class:`glassml.nn.DenseLayer` objects. Every layer has the same four methods: ``forward(X)``
# remembers what backward needs, ``backward(dA)`` fills the parameters' gradients and returns
# ``dX``, and ``parameters()`` / ``gradients()`` list the arrays the update changes. Any object
# with those methods can join the list: that is how normalisation, dropout and convolution
# layers (lesson 07) plug in.

heading("5. The network is a list of layers")
rng = np.random.default_rng(args.seed)  # NeuralNetwork(random_state=seed) draws from one generator
seq = Sequential(
    [
        DenseLayer(2, args.hidden, "relu", random_state=rng),
        DenseLayer(args.hidden, 1, "sigmoid", random_state=rng),
    ],
    loss="bce",
    learning_rate=args.lr,
    random_state=rng,
)
seq_history = seq.fit(XOR_X, XOR_Y, epochs=epochs, batch_size=4, verbose=False)
gap = np.max(np.abs(np.array(seq_history) - np.array(xor_history)))
print(
    f"Built by hand from the same seed and trained the same way, its {epochs} epoch losses "
    f"differ from the NeuralNetwork's by at most {gap:.1e}."
)

# %%
# 6. The same class on handwritten digits
# ---------------------------------------
# 8×8 images of the digits 0–9, each pixel standardised with the training set's statistics,
# a ``[64, 128, 64, 10]`` network with a softmax output and cross-entropy, and mini-batch
# gradient descent: every epoch shuffles the training set and takes one step per batch of 32.
# Mini-batches sit between full-batch descent (exact but slow steps) and one sample per step
# (fast but noisy).

heading("6. The same class on handwritten digits")
X, y_digits = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y_digits, test_size=0.25, stratify=y_digits, random_state=0
)
scaler = StandardScaler().fit(X_train)  # statistics of the training images only
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
digits_epochs = 20 if args.quick else 30
digits_net = NeuralNetwork(
    [64, 128, 64, 10], loss="cross_entropy", learning_rate=0.1, random_state=args.seed
)
print(
    f"{len(X_train)} training and {len(X_test)} test images (stratified split); network "
    f"{digits_net.layer_sizes}, softmax output, cross-entropy loss, seed {args.seed}."
)
t0 = time.perf_counter()
show_bar = not args.quick and sys.stderr.isatty()  # a progress bar only in a terminal
history = digits_net.fit(X_train, y_train, epochs=digits_epochs, batch_size=32, verbose=show_bar)
seconds = time.perf_counter() - t0
test_pred = digits_net.predict(X_test)
test_acc = np.mean(test_pred == y_test)
train_acc = np.mean(digits_net.predict(X_train) == y_train)
print(
    f"{digits_epochs} epochs of mini-batch SGD (batch 32, lr {digits_net.learning_rate:g}) "
    f"in {seconds:.2f} s; loss {history[0]:.4f} -> {history[-1]:.4f}"
)
print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
wrong = np.flatnonzero(test_pred != y_test)
show = np.concatenate([wrong[:8], np.flatnonzero(test_pred == y_test)[: 24 - len(wrong[:8])]])
print(
    f"{len(wrong)} of {len(y_test)} test digits are misclassified; the figure shows {min(8, len(wrong))}."
)
fig = plots.digits_predictions_figure(
    scaler.inverse_transform(X_test[show]), y_test[show], test_pred[show]
)
save_figure(fig, out, "digits_predictions.png")

# %%
# Try this
# --------
# 1. ``glassml lesson 2 --hidden 2 --seed 1``: can two hidden units solve XOR? Try a few seeds;
#    what does the decision-boundary figure show when they fail?
# 2. ``glassml lesson 2 --lr 0.05``: how many epochs does XOR need now (``--epochs 3000``)?
# 3. ``glassml lesson 2 --lr 20``: what happens to the loss curve, and why?
# 4. In section 2, which layer has the larger gradients — the first or the last? Change
#    ``--hidden`` and ``--seed`` and look again.
