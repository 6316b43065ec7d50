r"""
Lesson 06 — Backpropagation by hand: every number of one forward and backward pass
===================================================================================

The tiniest network that still has everything: one input, one ReLU hidden unit, one sigmoid
output and a binary cross-entropy loss. We push one sample through it, walk the chain rule
back from the loss to every weight, take one gradient-descent step, and check every gradient
against PyTorch autograd. Then we look at the same network with its ReLU on the other side
of zero, where the gradient either stops or passes.

Every number is computed from the options, whose defaults are the seed's example
(:math:`x = 2, y = 1, w_1 = 0.5, b_1 = 0.1, w_2 = -0.3, b_2 = 0.2`, learning rate 0.1).

Run it: ``python src/glassml/lessons/06_backpropagation_visual.py --x -1`` or
``.venv/bin/glassml lesson 6 --x -1`` (options ``--x --y --w1 --b1 --w2 --b2 --lr``; the
lesson is a second of arithmetic, so ``--quick`` changes nothing).

.. admonition:: Verified against
   :class: verified

   - Every value and gradient of :func:`glassml.nn.walkthrough.trace` equals PyTorch float64
     autograd to 1e-12 (relative) and central differences to 1e-6, and the seed's table to
     four decimals (``tests/nn/test_walkthrough.py``).
   - The trace equals a ``NeuralNetwork([1, 1, 1])`` forward, backward and step to 1e-12
     (``tests/nn/test_walkthrough.py``).
"""

# %%
# Options
# -------
# One option per number of the example: the input and target, the four parameters and the
# learning rate. Every section below uses all of them.
from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.nn.walkthrough import (
    BCE_EPS,
    GRADIENT_NAMES,
    SEED_EXAMPLE,
    BackpropTrace,
    trace,
)

parser = lesson_parser(__doc__, 6)
for name, default in SEED_EXAMPLE.items():
    parser.add_argument(
        f"--{name}", type=float, default=default, help=f"default {default:g} (the seed's value)"
    )
args = lesson_args(parser)
out = prepare_out(args.out)
values = {name: getattr(args, name) for name in SEED_EXAMPLE}
try:
    t = trace(**values)
except ValueError as exc:
    parser.error(str(exc))

from glassml.plotting.walkthrough import plot_computation_graph  # noqa: E402  (headless backend)

PRETTY = {
    "loss": "L",
    "dL_da2": "dL/da2",
    "dL_dz2": "dL/dz2",
    "dL_dw2": "dL/dw2",
    "dL_db2": "dL/db2",
    "dL_da1": "dL/da1",
    "dL_dz1": "dL/dz1",
    "dL_dw1": "dL/dw1",
    "dL_db1": "dL/db1",
    "w1_new": "new w1",
    "b1_new": "new b1",
    "w2_new": "new w2",
    "b2_new": "new b2",
    "loss_new": "L after step",
}


def f4(v: float) -> str:
    """Four decimals, without the confusing ``-0.0000``."""
    return f"{v + 0.0:.4f}"


def f4p(v: float) -> str:
    """Four decimals, negative numbers in parentheses (for a factor after ``·``)."""
    return f"({f4(v)})" if v < 0 else f4(v)


def num(v: float) -> str:
    """A number for the side-by-side table: 15 decimals, or scientific when huge."""
    return f"{v + 0.0:>24.15f}" if abs(v) < 1e6 else f"{v:>24.15e}"


def show(lhs: str, formula: str, plugged: str, result: float, note: str = "") -> None:
    """One line of the walkthrough: formula, the numbers plugged in, the result."""
    line = f"  {lhs:<9} = {formula:<27} = {plugged:<33} = {f4(result):>8}"
    print(line + (f"   {note}" if note else ""))


def print_forward(t: BackpropTrace) -> None:
    heading("1. Forward pass (left to right)")
    show("z1", "w1·x + b1", f"{f4(t.w1)} · {f4p(t.x)} + {f4(t.b1)}", t.z1)
    note = (
        "(positive, so ReLU passes it through)" if t.relu_open else "(not positive: ReLU outputs 0)"
    )
    show("a1", "ReLU(z1) = max(0, z1)", f"max(0, {f4(t.z1)})", t.a1, note)
    show("z2", "w2·a1 + b2", f"{f4(t.w2)} · {f4p(t.a1)} + {f4(t.b2)}", t.z2)
    show(
        "a2", "σ(z2) = 1/(1 + e^(−z2))", f"1/(1 + e^({f4(-t.z2)}))", t.a2, "(predicted probability)"
    )
    show(
        "L",
        "−[y·ln a2 + (1−y)·ln(1−a2)]",
        f"−[{t.y:g}·ln {f4(t.a2)} + {1 - t.y:g}·ln {f4(1 - t.a2)}]",
        t.loss,
        "(binary cross-entropy)",
    )
    if t.saturated:
        p = min(max(t.a2, BCE_EPS), 1.0 - BCE_EPS)
        print(
            f"  NOTE: a2 = {t.a2:.3g} is within {BCE_EPS:g} of 0 or 1, so the loss (and dL/da2 "
            f"below) uses p = clip(a2, {BCE_EPS:g}, 1 − {BCE_EPS:g}) = {p:.3g} in its place."
        )
    print(
        f"  The network says {t.a2:.2f} where the answer is {t.y:g}: "
        f"a loss of {t.loss:.4f} (0 would be perfect)."
    )


def print_backward(t: BackpropTrace) -> None:
    heading("2. Backward pass (right to left, the chain rule)")
    show(
        "dL/da2",
        "(a2 − y) / (a2·(1 − a2))",
        f"({f4(t.a2)} − {t.y:g}) / ({f4(t.a2)} · {f4(1 - t.a2)})",
        t.dL_da2,
    )
    show("σ'(z2)", "a2·(1 − a2)", f"{f4(t.a2)} · {f4(1 - t.a2)}", t.sigmoid_prime_z2)
    show("dL/dz2", "dL/da2 · σ'(z2)", f"{f4(t.dL_da2)} · {f4p(t.sigmoid_prime_z2)}", t.dL_dz2)
    show("dL/dw2", "dL/dz2 · a1", f"{f4(t.dL_dz2)} · {f4p(t.a1)}", t.dL_dw2, "(z2 = w2·a1 + b2)")
    show("dL/db2", "dL/dz2 · 1", f"{f4(t.dL_dz2)} · 1", t.dL_db2)
    show(
        "dL/da1",
        "dL/dz2 · w2",
        f"{f4(t.dL_dz2)} · {f4p(t.w2)}",
        t.dL_da1,
        "(passed back to layer 1)",
    )
    side = ">" if t.relu_open else "≤"
    note = "(open: the gradient passes)" if t.relu_open else "(closed: the gradient stops here)"
    show("ReLU'(z1)", "1 if z1 > 0 else 0", f"z1 = {f4(t.z1)} {side} 0", t.relu_prime_z1, note)
    show("dL/dz1", "dL/da1 · ReLU'(z1)", f"{f4(t.dL_da1)} · {t.relu_prime_z1:g}", t.dL_dz1)
    show("dL/dw1", "dL/dz1 · x", f"{f4(t.dL_dz1)} · {f4p(t.x)}", t.dL_dw1, "(z1 = w1·x + b1)")
    show("dL/db1", "dL/dz1 · 1", f"{f4(t.dL_dz1)} · 1", t.dL_db1)
    if t.dL_da2 < 0:
        meaning = "negative: raising a2 would lower the loss, so the output should go up"
    else:
        meaning = "positive: lowering a2 would lower the loss, so the output should go down"
    print(f"  dL/da2 = {f4(t.dL_da2)} is {meaning}.")


def print_update(t: BackpropTrace) -> None:
    heading(f"3. Gradient-descent step (lr = {t.lr:g}):  θ ← θ − lr · dL/dθ")
    for p in ("w1", "b1", "w2", "b2"):
        old, grad, new = getattr(t, p), getattr(t, f"dL_d{p}"), getattr(t, f"{p}_new")
        move = "up" if new > old else ("down" if new < old else "unchanged")
        print(f"  {p:<3} ← {f4(old):>8} − {t.lr:g} · {f4p(grad):>9} = {f4(new):>8}   ({move})")
    verdict = "lower" if t.loss_new < t.loss else "not lower"
    print(
        f"  Loss before the step: {t.loss:.4f}   after: {t.loss_new:.4f}   "
        f"({verdict}: change {t.loss_new - t.loss:+.4f})"
    )


def print_torch_check(t: BackpropTrace) -> bool:
    """Print glassml and torch side by side; False only if a row disagrees that should agree."""
    heading("4. PyTorch check: the same network in float64 autograd")
    try:
        from glassml.nn.walkthrough import verify_with_torch

        ref = verify_with_torch(t.x, t.y, t.w1, t.b1, t.w2, t.b2, t.lr)
    except ImportError:
        print("  PyTorch is not installed (pip install 'glassml[torch]'); skipping the check.")
        return True
    print(f"  {'quantity':<12} {'by hand (glassml)':>24} {'torch autograd':>24} {'|diff|':>9}")
    # NOTE: where a2 is within eps of 0 or 1 the two losses clip differently (see below)
    after = trace(t.x, t.y, t.w1_new, t.b1_new, t.w2_new, t.b2_new, t.lr)
    clipped = t.saturated or after.saturated
    n_agree = n_bug = 0
    names = ("loss", *GRADIENT_NAMES, "w1_new", "b1_new", "w2_new", "b2_new", "loss_new")
    for name in names:
        ours, theirs = getattr(t, name), ref[name]
        diff = abs(ours - theirs)
        ok = diff <= 1e-12 * max(1.0, abs(theirs))
        n_agree += ok
        n_bug += not ok and not clipped
        mark = "✓" if ok else ("≠" if clipped else "✗")
        print(f"  {PRETTY[name]:<12} {num(ours)} {num(theirs)} {diff:>9.1e}  {mark}")
    if n_agree == len(names):
        print(
            f"  All {len(names)} rows agree to 1e-12 (relative): the chain rule by hand is "
            "what autograd computes."
        )
    elif n_bug == 0:
        a2 = t.a2 if t.saturated else after.a2
        print(
            f"  {n_agree} of {len(names)} rows agree; the rows marked ≠ differ because a2 = "
            f"{a2:.3g} is within {BCE_EPS:g} of 0 or 1. The seed clips p to [eps, 1 − eps] "
            "inside the loss (so its gradient fades), PyTorch clamps log at −100 and p·(1 − p) "
            "at 1e-12: two conventions for a saturated output, not a mistake in the chain rule."
        )
    else:
        print(f"  NOT all {len(names)} rows agree to 1e-12: {n_bug} disagree. That is a bug!")
    return n_bug == 0


def other_side(values: dict[str, float], relu_open: bool) -> dict[str, float]:
    """``w1`` and ``b1`` moved so that ``z1 = w1·x + b1`` lands on the other side of 0.

    ``w1`` keeps its size and takes the sign that makes ``w1·x`` negative (to close) or
    positive (to open); ``b1`` changes sign only if it would keep ``z1`` where it was.
    """
    x, w1, b1 = values["x"], values["w1"], values["b1"]
    sign = 1.0 if x >= 0 else -1.0
    if relu_open:  # close it
        w1_new = -abs(w1) * sign
        b1_new = b1 if w1_new * x + b1 <= 0 else -abs(b1)
    else:  # open it
        w1_new = abs(w1) * sign
        b1_new = b1 if w1_new * x + b1 > 0 else abs(b1)
    return {"w1": w1_new, "b1": b1_new}


def print_closed(c: BackpropTrace) -> None:
    """What a closed ReLU does to the gradients (section 6)."""
    print(
        f"  Same x = {c.x:g}, y = {c.y:g} with w1 = {c.w1:g}, b1 = {c.b1:g}: z1 = {f4(c.z1)}, "
        "so a1 = ReLU(z1) = 0."
    )
    print(
        f"  dL/da1 = {f4(c.dL_da1)} still arrives, but ReLU'(z1) = {c.relu_prime_z1:g} "
        f"stops it: dL/dz1 = {f4(c.dL_dz1)}, dL/dw1 = {f4(c.dL_dw1)}, dL/db1 = {f4(c.dL_db1)}."
    )
    print(
        f"  And dL/dw2 = dL/dz2 · a1 = {f4(c.dL_dw2)}: only b2 learns "
        f"(b2 {f4(c.b2)} → {f4(c.b2_new)}, lr {c.lr:g}); loss {c.loss:.4f} → {c.loss_new:.4f}."
    )
    n_dead = sum(c.gradients()[g] == 0.0 for g in ("dL_dw1", "dL_db1", "dL_dw2"))
    print(
        f"  {n_dead} of 4 parameters get no gradient. A unit stuck there for every sample is "
        "a 'dead ReLU': it never learns again."
    )


def print_opened(o: BackpropTrace) -> None:
    """What opening the ReLU gives back (section 6, when the traced ReLU was closed)."""
    print(
        f"  Your values close the ReLU. Same x = {o.x:g}, y = {o.y:g} with w1 = {o.w1:g}, "
        f"b1 = {o.b1:g}: z1 = {f4(o.z1)} > 0, so a1 = {f4(o.a1)} and ReLU'(z1) = 1."
    )
    print(
        f"  Now the gradient passes: dL/dz1 = {f4(o.dL_dz1)}, dL/dw1 = {f4(o.dL_dw1)}, "
        f"dL/db1 = {f4(o.dL_db1)}, dL/dw2 = {f4(o.dL_dw2)}; all four parameters learn "
        f"(lr {o.lr:g}); loss {o.loss:.4f} → {o.loss_new:.4f}."
    )


# %%
# 1. Forward pass
# ---------------
# Left to right, each node computes from the one before:
#
# .. math::
#
#    z_1 = w_1 x + b_1, \quad a_1 = \max(0, z_1), \quad z_2 = w_2 a_1 + b_2, \quad
#    a_2 = \sigma(z_2) = \frac{1}{1 + e^{-z_2}},
#
# .. math::
#
#    L = -\big[y \log a_2 + (1 - y) \log(1 - a_2)\big] .
#
# The whole walkthrough, forward, backward and update, is one function of plain arithmetic,
# :func:`glassml.nn.walkthrough.trace`:
#
# .. literalinclude:: /../src/glassml/nn/walkthrough.py
#    :pyobject: trace

print("The network:  x → z1 = w1·x + b1 → a1 = ReLU(z1) → z2 = w2·a1 + b2 → a2 = σ(z2) → L")
print("Inputs:       " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
print_forward(t)

# %%
# 2. Backward pass
# ----------------
# Right to left, the chain rule multiplies one local derivative per node:
#
# .. math::
#
#    \frac{\partial L}{\partial a_2} = \frac{a_2 - y}{a_2 (1 - a_2)}, \quad
#    \frac{\partial L}{\partial z_2} = \frac{\partial L}{\partial a_2}\, \sigma'(z_2), \quad
#    \frac{\partial L}{\partial w_2} = \frac{\partial L}{\partial z_2}\, a_1, \quad
#    \frac{\partial L}{\partial a_1} = \frac{\partial L}{\partial z_2}\, w_2,
#
# .. math::
#
#    \frac{\partial L}{\partial z_1} = \frac{\partial L}{\partial a_1}\, [z_1 > 0], \quad
#    \frac{\partial L}{\partial w_1} = \frac{\partial L}{\partial z_1}\, x, \quad
#    \frac{\partial L}{\partial b_1} = \frac{\partial L}{\partial z_1} .
#
# With :math:`\sigma'(z_2) = a_2 (1 - a_2)` the first two collapse to
# :math:`\partial L / \partial z_2 = a_2 - y`: the error itself.

print_backward(t)

# %%
# 3. One gradient-descent step
# ----------------------------
# Every parameter moves against its gradient, :math:`\theta \leftarrow \theta - \eta\,
# \partial L / \partial \theta`, and we compute the loss again to see it fall.

print_update(t)

# %%
# 4. The PyTorch check
# --------------------
# The same network built from float64 tensors with ``requires_grad=True``: autograd's
# gradients and step, side by side with ours.

torch_ok = print_torch_check(t)

# %%
# 5. The computation graph
# ------------------------
# Every node with its forward value (blue) and the gradient of the loss with respect to it
# (red). A closed ReLU greys out the path the gradient cannot take.

heading("5. The computation graph")
print(
    f"  forward (blue): x = {t.x:g}, z1 = {f4(t.z1)}, a1 = {f4(t.a1)}, z2 = {f4(t.z2)}, "
    f"a2 = {f4(t.a2)}, L = {f4(t.loss)}"
)
print(
    f"  backward (red): dL/da2 = {f4(t.dL_da2)}, dL/dz2 = {f4(t.dL_dz2)}, "
    f"dL/da1 = {f4(t.dL_da1)}, dL/dz1 = {f4(t.dL_dz1)}"
)
save_figure(plot_computation_graph(t), out, "backprop_graph.png")

# %%
# 6. The other side of the ReLU
# -----------------------------
# The same input and target with :math:`w_1` (and if needed :math:`b_1`) moved so that
# :math:`z_1` lands on the other side of 0. Where :math:`z_1 \le 0` the ReLU outputs 0 and its
# derivative is 0: the gradient arriving at :math:`a_1` stops there, nothing reaches
# :math:`w_1, b_1`, and :math:`w_2` gets none either because :math:`a_1 = 0`. A unit stuck
# there for every sample is a "dead ReLU": it never learns again.

other = trace(**{**values, **other_side(values, t.relu_open)})
if t.relu_open:
    heading("6. When the ReLU is closed (z1 ≤ 0)")
    print_closed(other)
    title = f"ReLU closed: z1 = {other.z1:.4f} ≤ 0, so no gradient reaches w1, b1 (or w2)"
elif other.relu_open:
    heading("6. When the ReLU is open (z1 > 0)")
    print_opened(other)
    title = f"ReLU open: z1 = {other.z1:.4f} > 0, so the gradient reaches w1 and b1"
else:  # x = 0 and b1 = 0: z1 = 0 whatever w1 is
    heading("6. The ReLU cannot be opened here")
    print(f"  With x = {t.x:g} and b1 = {t.b1:g}, z1 = w1·x + b1 = 0 for every w1.")
    title = f"z1 = {other.z1:.4f} for every w1: the ReLU stays closed"
save_figure(plot_computation_graph(other, title=title), out, "backprop_graph_other_side.png")
if not torch_ok:
    raise SystemExit(1)  # a row of the PyTorch check disagrees: a bug, not a lesson

# %%
# Try this
# --------
# 1. ``glassml lesson 6 --x -1``: the ReLU closes. Which gradients vanish, and which parameter
#    still learns?
# 2. ``glassml lesson 6 --y 0``: the target flips. Which way does each parameter move now?
# 3. ``glassml lesson 6 --lr 5``: does one big step still lower the loss?
# 4. ``glassml lesson 6 --w2 -30``: the output saturates. Why do our numbers and PyTorch's
#    differ there, and why is it not a mistake in the chain rule?
