r"""
Lesson 01 — Building blocks: activations, a neuron, a dense layer, initialisation
=================================================================================

A neuron takes a weighted sum of its inputs plus a bias, :math:`z = w \cdot x + b`, and passes
it through a nonlinearity, :math:`a = f(z)`. A dense layer is many neurons side by side, applied
to a whole batch with one matrix product, :math:`A = f(XW + b)`. Learning needs the gradients,
and the backward pass gets them with the chain rule. Finally, how the weights are drawn at the
start decides whether a signal survives a deep stack of layers at all.

The code is in :mod:`glassml.nn` (``activations.py``, ``layers.py``, ``init.py``); this page
runs it and narrates.

Run it: ``python src/glassml/lessons/01_neuron_and_layer.py --activation tanh`` or
``.venv/bin/glassml lesson 1 --activation tanh`` (``--quick`` for smaller settings).

.. admonition:: Verified against
   :class: verified

   - sigmoid, ReLU and tanh and their derivatives equal PyTorch's (autograd) to 1e-12, and the
     derivatives equal central differences to 1e-8 (``tests/nn/test_activations.py``).
   - ``softmax_backward`` is the full Jacobian product, equal to PyTorch autograd to 1e-10;
     softmax is unchanged by a shift of the logits to 1e-12 (``tests/nn/test_activations.py``).
   - ``Neuron`` and ``DenseLayer`` gradients equal central differences (1e-7 relative, batch
     sizes 1 and 7), and ``DenseLayer`` equals PyTorch autograd to 1e-10
     (``tests/nn/test_layers.py``).
   - He keeps a ReLU stack's activation variance, Xavier halves it per layer, within 15 %
     (``tests/nn/test_init.py``).
"""

# %%
# Options
# -------
# The options a learner turns (see *Try this* at the end): the activation of the neuron and
# the layer, the depth and width of the initialisation experiment, and the random seed.
import numpy as np

from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.nn import (
    DenseLayer,
    Neuron,
    activation_std_by_depth,
    get_activation,
    he_scale,
    max_relative_error,
    numerical_gradient,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
    tanh_derivative,
    xavier_scale,
)

parser = lesson_parser(__doc__, 1)
parser.add_argument(
    "--activation",
    choices=("relu", "sigmoid", "tanh", "linear"),
    default="relu",
    help="activation of the neuron, the dense layer and the extra deep stack (default relu)",
)
parser.add_argument(
    "--depth", type=int, default=None, help="layers in the deep stack, >= 2 (default 20, quick 10)"
)
parser.add_argument(
    "--width",
    type=int,
    default=None,
    help="units per layer of the deep stack (default 256, quick 128)",
)
parser.add_argument(
    "--seed", type=int, default=0, help="random seed for weights and data (default 0)"
)
args = lesson_args(parser)
depth = args.depth if args.depth is not None else (10 if args.quick else 20)
width = args.width if args.width is not None else (128 if args.quick else 256)
if depth < 2 or width < 1:
    parser.error(f"--depth must be >= 2 and --width >= 1, got {depth} and {width}")
out = prepare_out(args.out)

from glassml.plotting import nn as plots  # noqa: E402  (after prepare_out: headless backend)

np.set_printoptions(precision=4, suppress=True)


def row(values: np.ndarray) -> str:
    """Numbers side by side, for the activation table."""
    return "  ".join(f"{v:8.4f}" for v in np.ravel(values))


# %%
# 1. Activation functions and their derivatives
# ---------------------------------------------
# Without a nonlinearity, a stack of layers is a linear function of a linear function — still
# linear, however deep. The seed's four activations:
#
# .. math::
#
#    \sigma(z) = \frac{1}{1 + e^{-z}}, \quad \sigma'(z) = \sigma(z)\,(1 - \sigma(z)); \qquad
#    \mathrm{relu}(z) = \max(0, z), \quad \mathrm{relu}'(z) = [z > 0];
#
# .. math::
#
#    \tanh'(z) = 1 - \tanh^2 z; \qquad
#    \mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}} = \mathrm{softmax}(z - c)_i .
#
# The last identity is the stability trick: subtract the largest logit before ``exp`` and
# nothing overflows.
#
# .. literalinclude:: /../src/glassml/nn/activations.py
#    :pyobject: softmax
#
# In the figure the softmax panel sweeps the first of three logits and holds the other two
# fixed: as :math:`z_1` grows, :math:`p_1` takes probability from both others.

heading("1. Activation functions and their derivatives")
z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
print("Without a nonlinearity, stacked layers collapse into one linear map. On sample inputs:")
print(f"  {'z':<22}{row(z)}")
for name, f, f_prime in (
    ("sigmoid", sigmoid, sigmoid_derivative),
    ("relu", relu, relu_derivative),
    ("tanh", tanh, tanh_derivative),
):
    print(f"  {name + '(z)':<22}{row(f(z))}")
    print(f"  {name + chr(39) + '(z)':<22}{row(f_prime(z))}")
print(
    f"sigmoid' peaks at {sigmoid_derivative(0.0):.2f} (z = 0): backward through a sigmoid, a "
    f"gradient is multiplied by at most {sigmoid_derivative(0.0):.2f}, while ReLU passes it "
    "unchanged where z > 0."
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

# %%
# 2. One neuron: forward and backward
# -----------------------------------
# Forward, the neuron remembers its input :math:`x` and :math:`z`. Backward, it receives
# :math:`\partial L / \partial a` (``d_out``) and applies the chain rule once through the
# activation and once through :math:`z = w \cdot x + b`:
#
# .. math::
#
#    \frac{\partial L}{\partial z} = \frac{\partial L}{\partial a}\, f'(z), \qquad
#    \frac{\partial L}{\partial w} = \frac{\partial L}{\partial z}\, x, \qquad
#    \frac{\partial L}{\partial b} = \frac{\partial L}{\partial z}, \qquad
#    \frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\, w .
#
# The weights start at :math:`\mathcal N(0, s^2)` with He's :math:`s = \sqrt{2/n}` for ReLU and
# Xavier's :math:`s = \sqrt{1/n}` otherwise. :class:`glassml.nn.Neuron`, as the seed writes it:
#
# .. literalinclude:: /../src/glassml/nn/layers.py
#    :pyobject: Neuron.backward

heading(f"2. One neuron ({args.activation}): forward and backward")
neuron = Neuron(3, activation=args.activation, random_state=args.seed)
x = np.array([1.0, -2.0, 0.5])
a = neuron.forward(x)
z_val = float(x @ neuron.w + neuron.b)
scale = he_scale(3) if args.activation == "relu" else xavier_scale(3)
init = "He" if args.activation == "relu" else "Xavier"
print(f"w = {neuron.w} ({init} init, std {scale:.4f}, seed {args.seed}), b = {neuron.b}")
print(f"x = {x}")
print(f"z = w · x + b = {z_val:.4f};  a = {args.activation}(z) = {a:.4f}")
d_out = 1.0
dx, dw, db = neuron.backward(d_out)
f_prime = get_activation(args.activation, elementwise=True).derivative(z_val)
print(f"With d_out = dL/da = {d_out}: dz = d_out · {args.activation}'(z) = {float(f_prime):.4f}")
print(f"  dw = dz · x = {dw}   (each weight's gradient is its input, times dz)")
print(f"  db = dz     = {db:.4f}")
print(f"  dx = dz · w = {dx}   (what flows back to the previous layer)")
numeric = numerical_gradient(lambda: float(neuron.forward(x)), neuron.w)
print(
    f"  central differences (f(w + h) - f(w - h)) / 2h give dw = {numeric}: relative "
    f"difference {max_relative_error(dw, numeric):.1e}."
)

# %%
# 3. A dense layer on a batch
# ---------------------------
# Stack the neurons' weight vectors as the columns of :math:`W` (shape ``(n_inputs,
# n_outputs)``) and the samples as the rows of :math:`X`: one matrix product computes every
# neuron for every sample. The backward pass is the same chain rule in matrix form, summed
# over the batch:
#
# .. math::
#
#    Z = XW + b, \quad A = f(Z); \qquad
#    dZ = dA \odot f'(Z), \quad dW = X^\top dZ, \quad db = \textstyle\sum_i dZ_i, \quad
#    dX = dZ\, W^\top .
#
# The layer is :class:`glassml.nn.DenseLayer`.

heading(f"3. A dense layer ({args.activation}) on a batch")
layer = DenseLayer(4, 3, activation=args.activation, random_state=args.seed)
X = np.random.default_rng(args.seed + 1).normal(size=(5, 4))
A = layer.forward(X)
dX = layer.backward(np.ones_like(A))
print("Z = X @ W + b computes every neuron for every sample in one matrix product:")
print(f"  X {X.shape} @ W {layer.W.shape} + b {layer.b.shape} -> A {A.shape}")
print(
    f"  backward: dW = X.T @ dZ {layer.dW.shape}, db = sum(dZ, axis=0) {layer.db.shape}, "
    f"dX = dZ @ W.T {dX.shape}"
)
print(f"A =\n{A}")
print(f"db = {layer.db} (summed over the {X.shape[0]} samples of the batch)")

# %%
# 4. He vs Xavier initialisation through a deep stack
# ---------------------------------------------------
# A unit sums :math:`n` inputs, so :math:`\mathrm{Var}(z) = n\,\mathrm{Var}(w)\,
# \mathbb E[a^2]`. With :math:`\mathrm{Var}(w) = 1/n` (Xavier) the variance is kept — but ReLU
# zeroes half its inputs and halves :math:`\mathbb E[a^2]` at every layer, so the standard
# deviation shrinks by :math:`1/\sqrt 2` per layer. He's :math:`2/n` makes up for exactly that.
# We send unit-variance noise through ``--depth`` fresh layers of ``--width`` units and measure
# the spread after each:
#
# .. literalinclude:: /../src/glassml/nn/init.py
#    :pyobject: activation_std_by_depth

heading("4. He vs Xavier initialisation through a deep stack")
n_samples = 200 if args.quick else 1000
stacks = ["relu", "tanh"] + ([args.activation] if args.activation not in ("relu", "tanh") else [])
stds = {
    f"{act} + {scheme}": activation_std_by_depth(
        act, scheme, n_layers=depth, width=width, n_samples=n_samples, random_state=args.seed
    )
    for act in stacks
    for scheme in ("he", "xavier")
}
print(
    f"{depth} layers of width {width}, unit-variance input; std of the activations "
    f"(He scale sqrt(2/n) = {he_scale(width):.4f}, Xavier sqrt(1/n) = {xavier_scale(width):.4f}):"
)
print(f"  {'stack':<18}{'layer 1':>10}{'middle':>10}{'last':>12}{'per layer':>11}")
per_layer = {}
for label, values in stds.items():
    per_layer[label] = (values[-1] / values[0]) ** (1 / (depth - 1))  # geometric mean factor
    middle = values[depth // 2 - 1]
    print(f"  {label:<18}{values[0]:10.4f}{middle:10.4f}{values[-1]:12.2e}{per_layer[label]:11.3f}")
he_ratio = stds["relu + he"][-1] / stds["relu + he"][0]
print(
    f"ReLU zeroes half its inputs: with Xavier the std changes by a factor "
    f"{per_layer['relu + xavier']:.3f} per layer (theory 1/sqrt(2) = {1 / np.sqrt(2):.3f}); "
    f"with He by {per_layer['relu + he']:.3f} per layer (theory 1)."
)
if 0.5 <= he_ratio <= 2.0:
    print(f"  He keeps the last layer within a factor 2 of the first (ratio {he_ratio:.2f}).")
else:
    print(
        f"  Even with He the last layer's std is {he_ratio:.2f} times the first's: at width "
        f"{width} each layer's random weights add noise to the variance; wider layers average "
        "it out (try --width 512)."
    )
tanh_he, tanh_xavier = stds["tanh + he"][-1], stds["tanh + xavier"][-1]
bigger = "larger" if tanh_he > tanh_xavier else "smaller"
print(
    f"tanh is nearly linear around 0 and saturates further out: after {depth} layers its std is "
    f"{tanh_xavier:.3f} with Xavier and {tanh_he:.3f} with He ({bigger}): "
    "the right scale depends on the activation."
)
save_figure(plots.init_depth_figure(stds), out, "init_depth.png")

# %%
# Try this
# --------
# 1. ``glassml lesson 1 --activation sigmoid``: how large is the neuron's ``dz`` compared with
#    ``d_out``? What does that do to a gradient that passes through ten sigmoid layers?
# 2. ``glassml lesson 1 --depth 40``: how small is the ReLU + Xavier signal at the last layer?
# 3. ``glassml lesson 1 --width 16 --seed 1`` and ``--width 1024``: how steady is ReLU + He in a
#    narrow stack, and in a wide one? Why does the width matter?
# 4. ``glassml lesson 1 --activation relu --seed 3``: if ``z`` comes out negative, every
#    gradient of the neuron is 0 — a "dead" ReLU for this input.
