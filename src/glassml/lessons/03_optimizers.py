r"""
Lesson 03 — Optimizers: how a step is taken
===========================================

Every optimizer answers the same question: given the gradient :math:`g` (the direction in
which the loss rises fastest), how far should each parameter move? Plain SGD takes a step
against :math:`g` and forgets it. Momentum remembers an average of recent gradients. RMSProp
and AdaGrad divide each coordinate's step by the size of that coordinate's past gradients.
Adam does both, and corrects the averages for starting at zero.

We write the five rules down, look at Adam's bias correction number by number, race all five
down the Rosenbrock valley from the same start, sweep each one's learning rate, and finally
train the same small network with each. The rules live in :mod:`glassml.optim`; this page only
runs them and reports.

Run it: ``python src/glassml/lessons/03_optimizers.py --lr 0.01`` or
``.venv/bin/glassml lesson 3 --lr 0.01`` (``--quick`` for smaller settings).

.. admonition:: Verified against
   :class: verified

   - SGD, Adam, Momentum (as ``torch.optim.SGD(lr=(1-β)·lr, momentum=β)``), RMSProp and
     AdaGrad (ε placement aside) equal ``torch.optim`` over 60 float64 steps fed the same
     gradients, to 1e-10 (``tests/optim/test_torch_parity.py``).
   - The readable ``_update`` shown on this page equals the fused fast path ``step`` runs, to
     1e-12 over 25 steps (``tests/optim/test_kernels.py``).
   - This lesson's printed race rows and Adam's bias-correction table are recomputed from the
     library in ``tests/lessons/test_lesson_03.py``.
"""

# %%
# Options
# -------
# ``--lr`` gives all five optimizers the same learning rate in the race (by default each gets a
# rate that suits it, see section 3); ``--steps`` is the length of each run; ``--beta1`` is
# Adam's :math:`\beta_1`; ``--epochs`` trains the network of section 5 longer or shorter.
import numpy as np

from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.optim import (
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Optimizer,
    RMSProp,
    minimize,
    rosenbrock,
    rosenbrock_gradient,
)

parser = lesson_parser(__doc__, 3)
parser.add_argument(
    "--lr", type=float, default=None, help="one learning rate for all five in the race"
)
parser.add_argument("--steps", type=int, default=None, help="steps per run (default 2000)")
parser.add_argument("--beta1", type=float, default=0.9, help="Adam's beta1 (default 0.9)")
parser.add_argument("--epochs", type=int, default=None, help="network epochs (default 60)")
args = lesson_args(parser)
if args.steps is not None and args.steps < 10:
    parser.error(f"--steps must be at least 10 (section 3 looks at step 10), got {args.steps}")
if args.epochs is not None and args.epochs < 1:
    parser.error(f"--epochs must be at least 1, got {args.epochs}")
out = prepare_out(args.out)

STEPS = args.steps or (1000 if args.quick else 2000)
EPOCHS = args.epochs or (5 if args.quick else 60)
START = np.array([-1.5, 2.0])
MINIMUM = np.array([1.0, 1.0])
CLOSE = 0.1  # "got there": within this distance of (1, 1)
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "SGD": SGD,
    "Momentum": Momentum,
    "RMSProp": RMSProp,
    "Adam": Adam,
    "AdaGrad": AdaGrad,
}


def make(name: str, lr: float) -> Optimizer:
    """A fresh optimizer of the given name; Adam gets the lesson's ``--beta1``."""
    return Adam(lr, beta1=args.beta1) if name == "Adam" else OPTIMIZERS[name](lr)


def distance(point: np.ndarray) -> float:
    return float(np.linalg.norm(point - MINIMUM))


# %%
# 1. The five update rules
# ------------------------
# With :math:`\eta` the learning rate, :math:`g` the gradient, every state starting at 0 and
# squares, roots and divisions taken coordinate by coordinate:
#
# .. math::
#
#    \textbf{SGD:}\quad & \theta \leftarrow \theta - \eta\, g \\
#    \textbf{Momentum:}\quad & v \leftarrow \beta v + (1-\beta)\, g, \qquad
#        \theta \leftarrow \theta - \eta\, v \\
#    \textbf{RMSProp:}\quad & s \leftarrow \beta s + (1-\beta)\, g^2, \qquad
#        \theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{s + \epsilon}} \\
#    \textbf{AdaGrad:}\quad & G \leftarrow G + g^2, \qquad
#        \theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{G + \epsilon}} \\
#    \textbf{Adam:}\quad & m \leftarrow \beta_1 m + (1-\beta_1)\, g, \quad
#        v \leftarrow \beta_2 v + (1-\beta_2)\, g^2, \quad
#        \theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}
#
# SGD has no memory: step 1000 knows nothing of steps 1-999, so it oscillates across ravines
# and is sensitive to :math:`\eta`. Momentum's velocity :math:`v` keeps 90% of itself each step
# (:math:`\beta = 0.9`): it builds speed where gradients agree and cancels where they flip.
# RMSProp divides by a running root-mean-square of each coordinate's gradients, so a steep
# coordinate takes small steps and a flat one large steps. AdaGrad does the same with a sum
# that never decays, so its steps only shrink: good for rare features, bad for long dense
# training. Adam combines momentum (:math:`m`) with RMSProp's scaling (:math:`v`).
#
# Here is the code each optimizer runs, included from :class:`glassml.optim.SGD`,
# :class:`glassml.optim.Momentum`, :class:`glassml.optim.RMSProp`,
# :class:`glassml.optim.AdaGrad` and :class:`glassml.optim.Adam`:
#
# .. literalinclude:: /../src/glassml/optim/optimizers.py
#    :pyobject: SGD._update
#    :caption: glassml/optim/optimizers.py: SGD._update
#
# .. literalinclude:: /../src/glassml/optim/optimizers.py
#    :pyobject: Momentum._update
#    :caption: glassml/optim/optimizers.py: Momentum._update
#
# .. literalinclude:: /../src/glassml/optim/optimizers.py
#    :pyobject: RMSProp._update
#    :caption: glassml/optim/optimizers.py: RMSProp._update
#
# .. literalinclude:: /../src/glassml/optim/optimizers.py
#    :pyobject: AdaGrad._update
#    :caption: glassml/optim/optimizers.py: AdaGrad._update
#
# .. literalinclude:: /../src/glassml/optim/optimizers.py
#    :pyobject: Adam._adam_step
#    :caption: glassml/optim/optimizers.py: Adam._adam_step
#
# One step of each on a lopsided gradient shows the difference at once: SGD and Momentum move
# in proportion to :math:`g`, the other three move each coordinate about equally.

heading("1. One step on a lopsided gradient")
g = np.array([10.0, 0.01])
print(f"Every optimizer starts at (0, 0) with lr 0.1 and sees g = ({g[0]:g}, {g[1]:g}).")
print(f"  {'optimizer':<9}  {'step in x':>11}  {'step in y':>11}  {'x-step / y-step':>15}")
for name in OPTIMIZERS:
    theta = np.zeros(2)
    make(name, 0.1).step([theta], [g])
    print(f"  {name:<9}  {theta[0]:11.5f}  {theta[1]:11.5f}  {theta[0] / theta[1]:15.4g}")
print(
    f"SGD and Momentum keep the gradient's {g[0] / g[1]:g}:1 ratio (Momentum's first step is "
    f"1-β = {1 - Momentum(0.1).beta:g} of SGD's: its velocity starts at 0); RMSProp, Adam and "
    "AdaGrad divide by each coordinate's own gradient size."
)

# %%
# 2. Adam's bias correction
# -------------------------
# :math:`m` and :math:`v` start at zero, so in the first steps they are averages of the
# gradients *and of that zero start*: on step 1, :math:`m = (1-\beta_1) g`, ten times too small
# for :math:`\beta_1 = 0.9`. Adam divides the bias out:
#
# .. math::
#
#    \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t}
#
# With a constant gradient :math:`g`, :math:`m_t = (1-\beta_1^t)\, g` exactly, so
# :math:`\hat m_t = g` from the first step on; as :math:`t` grows, :math:`\beta^t \to 0` and
# the correction fades. Without it the first steps would be the wrong size — not just smaller:
# :math:`v` is biased far more than :math:`m` (:math:`1-\beta_2 = 0.001`), so the uncorrected
# first step is :math:`\frac{1-\beta_1}{\sqrt{1-\beta_2}} \approx 3.2` times too *large*.
# Below, the formulas run by hand next to the library's :class:`glassml.optim.Adam`.

heading("2. Adam's bias correction, step by step")
adam, lr, g_const = Adam(0.1, beta1=args.beta1), 0.1, 2.0
b1, b2, eps = adam.beta1, adam.beta2, adam.eps
theta, m, v = np.zeros(1), 0.0, 0.0
print(f"Constant gradient g = {g_const:g}, lr = {lr:g}, β1 = {b1:g}, β2 = {b2:g}:")
print(
    f"  {'t':>3}  {'m':>8}  {'m_hat':>8}  {'v':>9}  {'v_hat':>8}  {'library step':>12}  "
    f"{'uncorrected step':>16}"
)
bias_rows = []
for t in range(1, 7):
    before = theta.copy()
    adam.step([theta], [np.array([g_const])])
    m, v = b1 * m + (1 - b1) * g_const, b2 * v + (1 - b2) * g_const**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    library_step = float(before[0] - theta[0])
    by_hand = lr * m_hat / (np.sqrt(v_hat) + eps)
    bias_rows.append((t, m, m_hat, v, v_hat, library_step, by_hand))
    print(
        f"  {t:>3}  {m:8.4f}  {m_hat:8.4f}  {v:9.6f}  {v_hat:8.4f}  {library_step:12.6f}  "
        f"{lr * m / (np.sqrt(v) + eps):16.6f}"
    )
gap = max(abs(row[5] - row[6]) for row in bias_rows)
print(
    f"m_hat = g on every step while m climbs from {bias_rows[0][1]:.4f} toward g; the library's "
    f"step equals lr·m_hat/(√v_hat + ε) computed by hand to {gap:.1e}. Uncorrected, step 1 "
    f"would be {lr * bias_rows[0][1] / (np.sqrt(bias_rows[0][3]) + eps) / bias_rows[0][5]:.2f}× "
    "the corrected one."
)

# %%
# 3. The Rosenbrock race
# ----------------------
# :math:`f(x, y) = (1-x)^2 + 100\,(y-x^2)^2` has its minimum 0 at (1, 1), at the bottom of a
# narrow curved valley: the walls are steep (gradients in the hundreds), the floor is almost
# flat. SGD and Momentum move by :math:`\eta \times g`, so they need a tiny :math:`\eta` to
# survive the walls and then crawl along the floor; RMSProp, Adam and AdaGrad move each
# coordinate by about :math:`\eta` per step whatever the gradient's size, so their
# :math:`\eta` is a distance. Each optimizer gets a rate that suits it (``--lr`` overrides).
#
# Each panel of the figure shows one optimizer's path in colour over the others in grey.
# **AdaGrad's loss jumps on its first step** (to about 2e2): its first step is
# :math:`\eta\, g / \sqrt{g^2 + \epsilon} \approx \eta\,\mathrm{sign}(g)`, a full
# :math:`\eta = 0.5` in *both* coordinates, which carries it straight up the valley wall.
# From then on :math:`G` only grows, the steps shrink, and it slides back down.

heading("3. The Rosenbrock race")
RACE_LR = {"SGD": 1e-3, "Momentum": 3e-3, "RMSProp": 5e-3, "Adam": 2e-2, "AdaGrad": 0.5}
if args.lr is not None:
    RACE_LR = dict.fromkeys(OPTIMIZERS, args.lr)
print(
    f"Start ({START[0]:g}, {START[1]:g}), where f = {rosenbrock(START):g} and the gradient is "
    f"{tuple(rosenbrock_gradient(START).tolist())}; {STEPS} steps each."
)
print(f"  {'optimizer':<9}  {'lr':>6}  {'final (x, y)':>22}  {'distance to (1,1)':>17}  {'f':>10}")
paths: dict[str, np.ndarray] = {}
for name in OPTIMIZERS:
    try:
        paths[name] = path = minimize(rosenbrock_gradient, START, make(name, RACE_LR[name]), STEPS)
    except ValueError:  # minimize stops a run whose iterates blow up
        print(f"  {name:<9}  {RACE_LR[name]:6g}  diverged (the iterates overflowed)")
        continue
    end = path[-1]
    print(
        f"  {name:<9}  {RACE_LR[name]:6g}  ({end[0]:9.5f}, {end[1]:9.5f})  "
        f"{distance(end):17.3g}  {rosenbrock(end):10.3g}"
    )
d = {name: distance(paths[name][-1]) if name in paths else np.inf for name in OPTIMIZERS}
if np.isinf(d["SGD"]) and np.isfinite(d["Adam"]) and np.isfinite(d["RMSProp"]):
    print("SGD diverged at this rate; Adam and RMSProp, whose steps do not grow with g, did not.")
elif d["Adam"] < d["SGD"] and d["RMSProp"] < d["SGD"]:
    print(
        f"The seed's finding holds here: Adam ended {d['SGD'] / d['Adam']:.3g}× and RMSProp "
        f"{d['SGD'] / d['RMSProp']:.3g}× closer to (1, 1) than plain SGD."
    )
else:
    print(
        f"The seed's finding does NOT hold with these settings: distance to (1, 1) is "
        f"{d['Adam']:.3g} for Adam, {d['RMSProp']:.3g} for RMSProp, {d['SGD']:.3g} for SGD."
    )
if "AdaGrad" in paths:
    f_path = np.asarray(rosenbrock(paths["AdaGrad"]))
    jump = paths["AdaGrad"][1] - START
    print(
        f"AdaGrad's first step was ({jump[0]:+.4f}, {jump[1]:+.4f}) = lr·sign(g): f went from "
        f"{f_path[0]:.4g} to {f_path[1]:.4g}, then {f_path[10]:.4g} after 10 steps."
    )
if "SGD" in paths:
    sgd_steps = np.linalg.norm(np.diff(paths["SGD"], axis=0), axis=1)
    print(
        f"SGD walked {sgd_steps.sum():.2f} units in all; its steps are lr·g, so on the flat "
        f"valley floor they shrink: the first was {sgd_steps[0]:.3g} long, the last "
        f"{sgd_steps[-1]:.2g}."
    )

from glassml.plotting.optim import plot_lr_sweep, plot_network_losses, plot_rosenbrock_race  # noqa: E402

labels = {name: f"{name} (lr={RACE_LR[name]:g})" for name in paths}
save_figure(plot_rosenbrock_race(paths, labels), out, "optimizer_comparison.png")

# %%
# 4. How much does each optimizer depend on its learning rate?
# ------------------------------------------------------------
# A rate that works for one optimizer is meaningless for another, so we sweep each one's rate
# from a tenth to ten times the race's and record the final distance to (1, 1). A wide flat
# stretch below the dashed line means the optimizer forgives a badly chosen :math:`\eta`.

heading("4. Learning-rate sweep")
factors = (0.3, 1.0, 3.0, 10.0) if args.quick else (0.1, 0.3, 1.0, 2.0, 3.0, 10.0)
sweep_lrs = {name: [RACE_LR[name] * f for f in factors] for name in OPTIMIZERS}
sweep: dict[str, list[float]] = {}
print(f"Distance to (1, 1) after {STEPS} steps, lr = factor × the race's lr:")
print("  " + f"{'optimizer':<9}" + "".join(f"  {f'×{f:g}':>9}" for f in factors))
for name, lrs in sweep_lrs.items():
    sweep[name] = []
    for lr_try in lrs:
        try:
            sweep[name].append(
                distance(minimize(rosenbrock_gradient, START, make(name, lr_try), STEPS)[-1])
            )
        except ValueError:
            sweep[name].append(np.inf)
    cells = "".join(f"  {'diverged' if np.isinf(r) else f'{r:.2g}':>9}" for r in sweep[name])
    print(f"  {name:<9}{cells}")
good = {name: sum(r < CLOSE for r in row) for name, row in sweep.items()}
print(
    f"Learning rates that got within {CLOSE:g} of (1, 1): "
    + ", ".join(f"{name} {n} of {len(factors)}" for name, n in good.items())
    + "."
)
if good["Adam"] > good["SGD"]:
    print(
        "Adam reaches the minimum over a wider range of learning rates than SGD: adaptive "
        "step sizes make the choice far less delicate, the practical reason Adam is the default."
    )
fig = plot_lr_sweep(sweep_lrs, sweep, chosen=RACE_LR, close=CLOSE)
save_figure(fig, out, "optimizer_lr_sweep.png")

# %%
# 5. The same network, trained by each optimizer
# ----------------------------------------------
# Rosenbrock is built to be hard. On a small, well-conditioned problem — a
# ``[2, 16, 16, 1]`` network on two moons (:class:`glassml.nn.NeuralNetwork`) — every
# optimizer does the job from the same weights and the same batches; each rate is from the
# middle of that optimizer's usual range, not tuned.
from sklearn.datasets import make_moons  # noqa: E402

from glassml.nn import NeuralNetwork  # noqa: E402

heading("5. The same network, trained by each optimizer")
NETWORK_LR = {"SGD": 0.3, "Momentum": 0.3, "RMSProp": 3e-3, "Adam": 3e-3, "AdaGrad": 3e-2}
X, y = make_moons(n_samples=300, noise=0.2, random_state=0)
print(f"{len(X)} two-moons points, {EPOCHS} epochs of mini-batches of 32, random_state=0.")
print(
    f"  {'optimizer':<9}  {'lr':>6}  {'loss after epoch 1':>18}  {'final loss':>10}  "
    f"{'accuracy':>8}"
)
histories: dict[str, list[float]] = {}
for name in OPTIMIZERS:
    net = NeuralNetwork([2, 16, 16, 1], optimizer=make(name, NETWORK_LR[name]), random_state=0)
    histories[name] = losses = net.fit(X, y, epochs=EPOCHS, batch_size=32, verbose=False)
    accuracy = float(np.mean(net.predict(X) == y))
    print(
        f"  {name:<9}  {NETWORK_LR[name]:6g}  {losses[0]:18.4f}  {losses[-1]:10.4f}  "
        f"{accuracy:8.3f}"
    )
final = {name: h[-1] for name, h in histories.items()}
best, worst = min(final, key=final.__getitem__), max(final, key=final.__getitem__)
print(
    f"Best final loss {best} ({final[best]:.4f}), worst {worst} ({final[worst]:.4f}): "
    f"{final[worst] / final[best]:.1f}× apart (accuracy is on the training points)."
)
net_labels = {name: f"{name} (lr={NETWORK_LR[name]:g})" for name in histories}
title = "The same [2, 16, 16, 1] network on two moons, trained by each optimizer"
save_figure(
    plot_network_losses(histories, net_labels, title=title), out, "optimizer_network_losses.png"
)

# %%
# Try this
# --------
# 1. ``glassml lesson 3 --lr 0.01``: one rate for all. Which optimizers diverge, and why do
#    RMSProp, Adam and AdaGrad survive a rate that blows SGD up?
# 2. ``glassml lesson 3 --beta1 0.99``: the bias-correction factor on step 1 is now 100. Does
#    the table's ``m_hat`` still equal ``g``? How does Adam's race path change?
# 3. ``glassml lesson 3 --steps 10000``: does SGD ever reach (1, 1), and does AdaGrad's
#    shrinking step stop it short?
# 4. ``glassml lesson 3 --epochs 200``: do the network's final losses converge to one value?
