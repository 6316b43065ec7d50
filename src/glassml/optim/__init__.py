"""Optimizers, learning-rate schedules, gradient clipping, and the test function they race on.

- :class:`SGD`, :class:`Momentum` (``nesterov=True`` for Nesterov), :class:`RMSProp`,
  :class:`Adam`, :class:`AdaGrad` (seed file 03) and :class:`AdamW` — each
  ``Optimizer(learning_rate=..., ...)`` with ``step(params, grads)`` updating a list of NumPy
  arrays in place, and ``reset()``; ``weight_decay`` on SGD, Momentum, Adam (L2, as torch) and
  AdamW (decoupled).
- :class:`StepLR`, :class:`ExponentialLR`, :class:`CosineAnnealingLR`, :class:`LinearLR` — one
  ``step()`` per epoch sets ``optimizer.learning_rate`` (equal to ``torch.optim.lr_scheduler``).
- :func:`clip_grad_norm` — ``torch.nn.utils.clip_grad_norm_`` for NumPy gradients.
- :func:`rosenbrock`, :func:`rosenbrock_gradient` — the curved-valley benchmark, minimum at (1, 1).
- :func:`minimize` — run an optimizer from a start point and keep the trajectory.
"""

from glassml.optim.clipping import clip_grad_norm
from glassml.optim.objectives import rosenbrock, rosenbrock_gradient
from glassml.optim.optimizers import SGD, AdaGrad, Adam, AdamW, Momentum, Optimizer, RMSProp
from glassml.optim.schedulers import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    LRScheduler,
    StepLR,
)
from glassml.optim.trajectory import minimize

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "StepLR",
    "clip_grad_norm",
    "minimize",
    "rosenbrock",
    "rosenbrock_gradient",
]
