"""Lesson 06 — backpropagation by hand: every number of one forward and backward pass.

The tiniest network that still has everything: 1 input, 1 ReLU hidden unit, 1 sigmoid output and
a binary cross-entropy loss. We push one sample through it, walk the chain rule back from the loss
to every weight, take one gradient-descent step, and check every gradient against PyTorch autograd.

Change the numbers: ``glassml lesson 6 --x 2 --w1 -0.5`` traces other values (options ``--x --y
--w1 --b1 --w2 --b2 --lr``, defaults from the seed). The lesson takes about a second of
arithmetic either way, so ``--quick`` changes nothing here.
"""

from __future__ import annotations

from glassml.lessons._common import heading, lesson_parser, prepare_out, save_figure
from glassml.nn.walkthrough import (
    BCE_EPS,
    GRADIENT_NAMES,
    SEED_EXAMPLE,
    BackpropTrace,
    trace,
)

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


def main(argv: list[str] | None = None) -> int:
    parser = lesson_parser(__doc__)
    for name, default in SEED_EXAMPLE.items():
        parser.add_argument(
            f"--{name}", type=float, default=default, help=f"default {default:g} (the seed's value)"
        )
    args = parser.parse_args(argv)
    out = prepare_out(args.out)

    from glassml.plotting.walkthrough import plot_computation_graph

    values = {name: getattr(args, name) for name in SEED_EXAMPLE}
    try:
        t = trace(**values)
    except ValueError as exc:
        parser.error(str(exc))

    print("The network:  x → z1 = w1·x + b1 → a1 = ReLU(z1) → z2 = w2·a1 + b2 → a2 = σ(z2) → L")
    print("Inputs:       " + ", ".join(f"{k} = {v:g}" for k, v in values.items()))
    print_forward(t)
    print_backward(t)
    print_update(t)
    torch_ok = print_torch_check(t)

    heading("5. The computation graph")
    print("  Every node with its forward value (blue) and its gradient dL/d(node) (red).")
    save_figure(plot_computation_graph(t), out, "backprop_graph.png")

    heading("6. When the ReLU is closed (z1 ≤ 0)")
    closed = trace(**{**SEED_EXAMPLE, "w1": -abs(SEED_EXAMPLE["w1"])})
    print(f"  Same network with w1 = {closed.w1:g}: z1 = {f4(closed.z1)}, so a1 = ReLU(z1) = 0.")
    print(
        f"  dL/da1 = {f4(closed.dL_da1)} still arrives, but ReLU'(z1) = {closed.relu_prime_z1:g} "
        f"stops it: dL/dz1 = {f4(closed.dL_dz1)}, dL/dw1 = {f4(closed.dL_dw1)}, "
        f"dL/db1 = {f4(closed.dL_db1)}."
    )
    print(
        f"  And dL/dw2 = dL/dz2 · a1 = {f4(closed.dL_dw2)}: only b2 learns "
        f"(b2 {f4(closed.b2)} → {f4(closed.b2_new)}); loss {closed.loss:.4f} → "
        f"{closed.loss_new:.4f}."
    )
    n_dead = sum(closed.gradients()[g] == 0.0 for g in ("dL_dw1", "dL_db1", "dL_dw2"))
    print(
        f"  {n_dead} of 4 parameters get no gradient. A unit stuck there for every sample is "
        "a 'dead ReLU': it never learns again."
    )
    save_figure(
        plot_computation_graph(
            closed,
            title=f"ReLU closed: z1 = {closed.z1:.4f} ≤ 0, so no gradient reaches w1, b1 (or w2)",
        ),
        out,
        "backprop_graph_relu_closed.png",
    )
    return 0 if torch_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
