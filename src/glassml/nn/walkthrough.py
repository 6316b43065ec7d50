"""The seed's tiny network traced number by number (seed file 06).

One input, one ReLU hidden unit, one sigmoid output, binary cross-entropy loss::

    x ──(w1, b1)──> z1 ──ReLU──> a1 ──(w2, b2)──> z2 ──σ──> a2 ──BCE(·, y)──> L

:func:`trace` runs the forward pass, the backward pass (the chain rule, one factor at a time) and
one step of gradient descent, and returns every intermediate number in a :class:`BackpropTrace`.
:func:`verify_with_torch` builds the same network in PyTorch float64 autograd so the hand-made
gradients can be checked against an independent authority.

Everything here is plain Python ``float`` arithmetic on scalars: nothing is hidden inside an array
operation, and each line of :func:`trace` is one line of the seed's table.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from glassml._validation import check_positive, check_scalar_number
from glassml.nn.losses import EPS

__all__ = [
    "BCE_EPS",
    "GRADIENT_NAMES",
    "SEED_EXAMPLE",
    "BackpropTrace",
    "trace",
    "verify_with_torch",
]

BCE_EPS: float = EPS  # the one BCE clip of glassml.nn.losses
"""Clipping of the predicted probability inside the BCE logs (the seed's ``eps``)."""

SEED_EXAMPLE: dict[str, float] = {
    "x": 2.0,
    "y": 1.0,
    "w1": 0.5,
    "b1": 0.1,
    "w2": -0.3,
    "b2": 0.2,
    "lr": 0.1,
}
"""The inputs of the seed's walkthrough table."""

GRADIENT_NAMES: tuple[str, ...] = (
    "dL_da2",
    "dL_dz2",
    "dL_dw2",
    "dL_db2",
    "dL_da1",
    "dL_dz1",
    "dL_dw1",
    "dL_db1",
)
"""The gradients that both :func:`trace` and :func:`verify_with_torch` report, output to input."""


@dataclass(frozen=True)
class BackpropTrace:
    """Every number of one forward pass, backward pass and gradient-descent step.

    Attributes are Python floats, named after the formula (``dL_dw2`` is ∂L/∂w2).

    Attributes
    ----------
    x, y, w1, b1, w2, b2, lr : float
        The inputs: sample, target, parameters and learning rate.
    z1, a1, z2, a2, loss : float
        Forward pass: ``z1 = w1·x + b1``, ``a1 = ReLU(z1)``, ``z2 = w2·a1 + b2``,
        ``a2 = σ(z2)``, ``loss = BCE(a2, y)``.
    dL_da2, sigmoid_prime_z2, dL_dz2, dL_dw2, dL_db2, dL_da1, relu_prime_z1, dL_dz1, dL_dw1, \
dL_db1 : float
        Backward pass, in the order the chain rule visits them.
    w1_new, b1_new, w2_new, b2_new : float
        Parameters after one step ``θ ← θ − lr·∂L/∂θ``.
    loss_new : float
        The loss of the updated network on the same ``(x, y)``.
    """

    x: float
    y: float
    w1: float
    b1: float
    w2: float
    b2: float
    lr: float
    # forward
    z1: float
    a1: float
    z2: float
    a2: float
    loss: float
    # backward
    dL_da2: float
    sigmoid_prime_z2: float
    dL_dz2: float
    dL_dw2: float
    dL_db2: float
    dL_da1: float
    relu_prime_z1: float
    dL_dz1: float
    dL_dw1: float
    dL_db1: float
    # update
    w1_new: float
    b1_new: float
    w2_new: float
    b2_new: float
    loss_new: float

    @property
    def relu_open(self) -> bool:
        """Whether the hidden unit passed its input (``z1 > 0``), letting gradient reach layer 1."""
        return self.z1 > 0.0

    @property
    def saturated(self) -> bool:
        """Whether ``a2`` is within ``BCE_EPS`` of 0 or 1, so the clipping in the loss is active.

        There the seed's formulas (p clipped to [eps, 1 − eps]) and other conventions, such as
        PyTorch's (log clamped at −100, p·(1 − p) at 1e-12), give different losses and gradients.
        """
        return not BCE_EPS <= self.a2 <= 1.0 - BCE_EPS

    def gradients(self) -> dict[str, float]:
        """The gradients named in :data:`GRADIENT_NAMES`, as a dict."""
        return {name: getattr(self, name) for name in GRADIENT_NAMES}

    def as_dict(self) -> dict[str, float]:
        """Every field, in declaration order."""
        return asdict(self)


def _sigmoid(z: float) -> float:
    """Stable logistic function: ``exp`` only ever sees a non-positive argument."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _bce(a2: float, y: float) -> float:
    """Binary cross-entropy of one prediction, with the probability clipped to [eps, 1 − eps]."""
    p = min(max(a2, BCE_EPS), 1.0 - BCE_EPS)
    return -(y * math.log(p) + (1.0 - y) * math.log(1.0 - p))


def _forward(
    x: float, y: float, w1: float, b1: float, w2: float, b2: float
) -> tuple[float, float, float, float, float]:
    z1 = w1 * x + b1
    a1 = max(z1, 0.0)
    z2 = w2 * a1 + b2
    a2 = _sigmoid(z2)
    return z1, a1, z2, a2, _bce(a2, y)


def _validate(x: Any, y: Any, w1: Any, b1: Any, w2: Any, b2: Any) -> None:
    for name, value in (("x", x), ("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)):
        check_scalar_number(value, name)
    # NOTE: BCE is defined for any target in [0, 1] (soft labels), not only for 0 and 1.
    check_scalar_number(y, "y", low=0.0, high=1.0)


def trace(
    x: float = 2.0,
    y: float = 1.0,
    w1: float = 0.5,
    b1: float = 0.1,
    w2: float = -0.3,
    b2: float = 0.2,
    lr: float = 0.1,
) -> BackpropTrace:
    """Trace one forward pass, backward pass and SGD step through the seed's tiny network.

    The defaults are the seed's example (:data:`SEED_EXAMPLE`).

    Parameters
    ----------
    x : float
        The input (a single feature of a single sample).
    y : float
        The target probability, in [0, 1] (normally 0 or 1).
    w1, b1 : float
        Weight and bias of the hidden ReLU unit.
    w2, b2 : float
        Weight and bias of the sigmoid output unit.
    lr : float
        Learning rate of the gradient-descent step, > 0.

    Returns
    -------
    BackpropTrace
        Every intermediate value, the updated parameters and the loss after the update.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is NaN or infinite, ``y`` is outside [0, 1], ``lr <= 0``, or the values
        are so large that an intermediate result overflows.

    Notes
    -----
    Forward::

        z1 = w1·x + b1        a1 = ReLU(z1) = max(0, z1)
        z2 = w2·a1 + b2       a2 = σ(z2) = 1 / (1 + e^(−z2))
        L  = −[y·log(p) + (1 − y)·log(1 − p)],   p = clip(a2, eps, 1 − eps),  eps = 1e-9

    Backward (chain rule, right to left)::

        ∂L/∂a2 = (p − y) / (p·(1 − p))
        σ'(z2) = a2·(1 − a2)                 ∂L/∂z2 = ∂L/∂a2 · σ'(z2)
        ∂L/∂w2 = ∂L/∂z2 · a1                 ∂L/∂b2 = ∂L/∂z2
        ∂L/∂a1 = ∂L/∂z2 · w2
        ReLU'(z1) = 1 if z1 > 0 else 0       ∂L/∂z1 = ∂L/∂a1 · ReLU'(z1)
        ∂L/∂w1 = ∂L/∂z1 · x                  ∂L/∂b1 = ∂L/∂z1

    Update: ``θ_new = θ − lr · ∂L/∂θ`` for θ in (w1, b1, w2, b2).

    When ``z1 ≤ 0`` the ReLU is closed: ``a1 = 0``, so ∂L/∂w2 = 0 and nothing reaches layer 1
    (∂L/∂z1 = ∂L/∂w1 = ∂L/∂b1 = 0) — the "dead unit" the seed's ReLU derivative implies.
    ReLU'(0) is taken as 0, as PyTorch does.

    Examples
    --------
    >>> t = trace()
    >>> round(t.a2, 4), round(t.loss, 4), round(t.w2_new, 4)
    (0.4675, 0.7603, -0.2414)
    """
    _validate(x, y, w1, b1, w2, b2)
    check_positive(lr, "lr")
    x, y, w1, b1, w2, b2, lr = (float(v) for v in (x, y, w1, b1, w2, b2, lr))

    z1, a1, z2, a2, loss = _forward(x, y, w1, b1, w2, b2)

    p = min(max(a2, BCE_EPS), 1.0 - BCE_EPS)
    # NOTE: the seed's BCE gradient is evaluated at the clipped p. Inside [eps, 1 − eps] (any
    # |z2| < 20.7) it is the exact derivative; beyond, the clipped loss is flat but this formula
    # keeps pushing a2 toward y, as the seed's network does.
    dL_da2 = (p - y) / (p * (1.0 - p))
    sigmoid_prime_z2 = a2 * (1.0 - a2)
    dL_dz2 = dL_da2 * sigmoid_prime_z2
    dL_dw2 = dL_dz2 * a1
    dL_db2 = dL_dz2
    dL_da1 = dL_dz2 * w2
    relu_prime_z1 = 1.0 if z1 > 0.0 else 0.0
    dL_dz1 = dL_da1 * relu_prime_z1
    dL_dw1 = dL_dz1 * x
    dL_db1 = dL_dz1

    w1_new = w1 - lr * dL_dw1
    b1_new = b1 - lr * dL_db1
    w2_new = w2 - lr * dL_dw2
    b2_new = b2 - lr * dL_db2
    loss_new = _forward(x, y, w1_new, b1_new, w2_new, b2_new)[4]

    record = BackpropTrace(
        x=x,
        y=y,
        w1=w1,
        b1=b1,
        w2=w2,
        b2=b2,
        lr=lr,
        z1=z1,
        a1=a1,
        z2=z2,
        a2=a2,
        loss=loss,
        dL_da2=dL_da2,
        sigmoid_prime_z2=sigmoid_prime_z2,
        dL_dz2=dL_dz2,
        dL_dw2=dL_dw2,
        dL_db2=dL_db2,
        dL_da1=dL_da1,
        relu_prime_z1=relu_prime_z1,
        dL_dz1=dL_dz1,
        dL_dw1=dL_dw1,
        dL_db1=dL_db1,
        w1_new=w1_new,
        b1_new=b1_new,
        w2_new=w2_new,
        b2_new=b2_new,
        loss_new=loss_new,
    )
    for name, value in record.as_dict().items():
        if not math.isfinite(value):
            raise ValueError(
                f"{name} overflowed to {value!r}; the inputs are too large for float64 "
                f"(x={x!r}, w1={w1!r}, b1={b1!r}, w2={w2!r}, b2={b2!r}, lr={lr!r})."
            )
    return record


def verify_with_torch(
    x: float = 2.0,
    y: float = 1.0,
    w1: float = 0.5,
    b1: float = 0.1,
    w2: float = -0.3,
    b2: float = 0.2,
    lr: float = 0.1,
) -> dict[str, float]:
    """The same network in PyTorch float64 autograd: its loss, gradients and one SGD step.

    Built from PyTorch's own pieces (``torch.relu``, ``torch.sigmoid``,
    ``torch.nn.functional.binary_cross_entropy``, ``torch.optim.SGD``), so it shares no code with
    :func:`trace`. Requires torch (imported here, not at module import).

    Parameters
    ----------
    x, y, w1, b1, w2, b2, lr : float
        As in :func:`trace`.

    Returns
    -------
    dict of str to float
        ``loss``, every name in :data:`GRADIENT_NAMES` (intermediate gradients read with
        ``retain_grad``), ``w1_new``, ``b1_new``, ``w2_new``, ``b2_new`` after one
        ``torch.optim.SGD`` step, and ``loss_new``.

    Raises
    ------
    TypeError, ValueError
        As in :func:`trace`.

    Notes
    -----
    PyTorch clamps the BCE logs at −100 instead of clipping p at 1e-9, so the losses differ
    only where the prediction is saturated (|z2| > 20.7); the gradients agree wherever
    ``a2`` lies inside [eps, 1 − eps], i.e. |z2| < 20.7.
    """
    _validate(x, y, w1, b1, w2, b2)
    check_positive(lr, "lr")
    import torch
    import torch.nn.functional as F

    def t(v: float, grad: bool = False) -> Any:
        return torch.tensor(float(v), dtype=torch.float64, requires_grad=grad)

    params = {name: t(v, grad=True) for name, v in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2))}
    x_t, y_t = t(x), t(y)

    def forward() -> tuple[Any, dict[str, Any]]:
        z1 = params["w1"] * x_t + params["b1"]
        a1 = torch.relu(z1)
        z2 = params["w2"] * a1 + params["b2"]
        a2 = torch.sigmoid(z2)
        return F.binary_cross_entropy(a2, y_t), {"z1": z1, "a1": a1, "z2": z2, "a2": a2}

    loss, nodes = forward()
    for node in nodes.values():
        node.retain_grad()
    loss.backward()

    result = {"loss": loss.item()}
    for name in ("a2", "z2", "a1", "z1"):
        grad = nodes[name].grad
        result[f"dL_d{name}"] = 0.0 if grad is None else grad.item()
    for name, param in params.items():
        result[f"dL_d{name}"] = param.grad.item()

    opt = torch.optim.SGD(list(params.values()), lr=float(lr))
    opt.step()
    with torch.no_grad():
        loss_new, _ = forward()
    for name, param in params.items():
        result[f"{name}_new"] = param.item()
    result["loss_new"] = loss_new.item()
    return {
        k: result[k]
        for k in ("loss", *GRADIENT_NAMES, "w1_new", "b1_new", "w2_new", "b2_new", "loss_new")
    }
