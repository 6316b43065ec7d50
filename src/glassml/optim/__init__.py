"""Optimizers and the test function they race on (seed file 03).

- :class:`SGD`, :class:`Momentum`, :class:`RMSProp`, :class:`Adam`, :class:`AdaGrad` — each
  ``Optimizer(learning_rate=..., ...)`` with ``step(params, grads)`` updating a list of NumPy
  arrays in place, and ``reset()``.
- :func:`rosenbrock`, :func:`rosenbrock_gradient` — the curved-valley benchmark, minimum at (1, 1).
- :func:`minimize` — run an optimizer from a start point and keep the trajectory.
"""

from glassml.optim.objectives import rosenbrock, rosenbrock_gradient
from glassml.optim.optimizers import SGD, AdaGrad, Adam, Momentum, Optimizer, RMSProp
from glassml.optim.trajectory import minimize

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "minimize",
    "rosenbrock",
    "rosenbrock_gradient",
]
