"""Learning-rate schedules, one ``step()`` per epoch: the twins of ``torch.optim.lr_scheduler``.

Each scheduler remembers the optimizer's ``learning_rate`` when it is made (the base rate
``lr₀``), sets ``optimizer.learning_rate`` to its value for epoch 0 at once (as torch's
constructors do), and to its value for epoch ``t`` after the ``t``-th call of :meth:`step`.
Call ``step()`` once at the end of each epoch, after that epoch's updates
(:meth:`glassml.nn.Sequential.fit` does, given ``scheduler=``).

Each value is the closed form of its schedule in the epoch count ``t`` (the formula in each
class's Notes). torch updates its rates recursively (``lr_t`` from ``lr_{t-1}``); the two agree to
rounding (``tests/optim/test_schedulers.py`` checks 1e-12 relative over 30 epochs).
NOTE: because the value is recomputed from ``lr₀``, a ``learning_rate`` changed by hand between
steps is overwritten at the next ``step()`` (torch's recursive forms would build on it).

:meth:`LRScheduler.get_last_lr` returns a float, not torch's one-element list: a glassml
optimizer has a single learning rate (torch's list has one entry per parameter group).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

from glassml._validation import check_positive, check_scalar_number

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LinearLR", "StepLR"]


class _HasLearningRate(Protocol):
    learning_rate: float


class LRScheduler:
    """Base class: holds the optimizer, ``base_lr`` and ``last_epoch``; sets the rate.

    A subclass implements ``_lr_at(t)``, the learning rate after ``t`` epochs (``t >= 0``).

    Parameters
    ----------
    optimizer : object with a ``learning_rate`` attribute
        E.g. a :class:`glassml.optim.Adam`; its ``learning_rate`` is set by each ``step``.
    """

    def __init__(self, optimizer: _HasLearningRate) -> None:
        lr = getattr(optimizer, "learning_rate", None)
        if not isinstance(lr, int | float) or isinstance(lr, bool):
            raise TypeError(
                "optimizer must be an object with a numeric learning_rate attribute "
                f"(e.g. glassml.optim.SGD(0.1)), got {type(optimizer).__name__}."
            )
        self.optimizer = optimizer
        self.base_lr = float(lr)
        self.last_epoch = 0
        self.last_lr = self._lr_at(0)
        self.optimizer.learning_rate = self.last_lr

    def step(self) -> None:
        """End one epoch: set ``optimizer.learning_rate`` to the next epoch's value."""
        self.last_epoch += 1
        self.last_lr = self._lr_at(self.last_epoch)
        self.optimizer.learning_rate = self.last_lr

    def get_last_lr(self) -> float:
        """The learning rate set by the last ``step`` (or by the constructor), as torch's."""
        return self.last_lr

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._arguments().items())
        return f"{type(self).__name__}({args})"

    def _arguments(self) -> dict[str, Any]:
        return {}

    def _lr_at(self, t: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement _lr_at")


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    optimizer : object with a ``learning_rate`` attribute
    step_size : int
        Epochs between two decays, >= 1.
    gamma : float, default=0.1
        Factor of each decay, > 0.

    Notes
    -----
    .. math:: \mathrm{lr}_t = \mathrm{lr}_0 \cdot \gamma^{\lfloor t / \mathrm{step\_size} \rfloor}

    Equal to ``torch.optim.lr_scheduler.StepLR(opt, step_size, gamma)``; the seed's lesson 04
    uses ``StepLR(step_size=20, gamma=0.5)``: half the rate every 20 epochs.
    """

    def __init__(self, optimizer: _HasLearningRate, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = int(check_positive(step_size, "step_size", integer=True))
        self.gamma = float(check_scalar_number(gamma, "gamma", low=0.0, include_low=False))
        super().__init__(optimizer)

    def _arguments(self) -> dict[str, Any]:
        return {"step_size": self.step_size, "gamma": self.gamma}

    def _lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch.

    Parameters
    ----------
    optimizer : object with a ``learning_rate`` attribute
    gamma : float
        Factor per epoch, > 0.

    Notes
    -----
    .. math:: \mathrm{lr}_t = \mathrm{lr}_0 \cdot \gamma^{t}

    Equal to ``torch.optim.lr_scheduler.ExponentialLR(opt, gamma)``.
    """

    def __init__(self, optimizer: _HasLearningRate, gamma: float) -> None:
        self.gamma = float(check_scalar_number(gamma, "gamma", low=0.0, include_low=False))
        super().__init__(optimizer)

    def _arguments(self) -> dict[str, Any]:
        return {"gamma": self.gamma}

    def _lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma**t


class CosineAnnealingLR(LRScheduler):
    r"""Lower the learning rate along half a cosine, from ``lr₀`` to ``eta_min`` in ``T_max`` epochs.

    Parameters
    ----------
    optimizer : object with a ``learning_rate`` attribute
    T_max : int
        Epochs of the half period, >= 1.
    eta_min : float, default=0.0
        The lowest rate, >= 0.

    Notes
    -----
    .. math::
        \mathrm{lr}_t = \eta_{min} + \tfrac12 (\mathrm{lr}_0 - \eta_{min})
        \left(1 + \cos\frac{\pi t}{T_{max}}\right)

    Past ``T_max`` the cosine climbs back up (period ``2·T_max``), as torch's does (no
    restarts). Equal to ``torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min)``.
    """

    def __init__(self, optimizer: _HasLearningRate, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = int(check_positive(T_max, "T_max", integer=True))
        self.eta_min = float(check_scalar_number(eta_min, "eta_min", low=0.0))
        super().__init__(optimizer)

    def _arguments(self) -> dict[str, Any]:
        return {"T_max": self.T_max, "eta_min": self.eta_min}

    def _lr_at(self, t: int) -> float:
        cosine = (1.0 + math.cos(math.pi * t / self.T_max)) / 2.0
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


class LinearLR(LRScheduler):
    r"""Linear warm-up (or cool-down): scale ``lr₀`` from ``start_factor`` to ``end_factor``.

    Parameters
    ----------
    optimizer : object with a ``learning_rate`` attribute
    start_factor : float, default=1/3
        Factor at epoch 0, in (0, 1].
    end_factor : float, default=1.0
        Factor from epoch ``total_iters`` on, in [0, 1].
    total_iters : int, default=5
        Epochs the change takes, >= 1.

    Notes
    -----
    .. math::
        \mathrm{lr}_t = \mathrm{lr}_0 \left(s + (e - s)\,\frac{\min(t, T)}{T}\right)

    with ``s = start_factor``, ``e = end_factor``, ``T = total_iters``. Equal to
    ``torch.optim.lr_scheduler.LinearLR(opt, start_factor, end_factor, total_iters)`` (same
    defaults and ranges).
    """

    def __init__(
        self,
        optimizer: _HasLearningRate,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        self.start_factor = float(
            check_scalar_number(start_factor, "start_factor", low=0.0, high=1.0, include_low=False)
        )
        self.end_factor = float(check_scalar_number(end_factor, "end_factor", low=0.0, high=1.0))
        self.total_iters = int(check_positive(total_iters, "total_iters", integer=True))
        super().__init__(optimizer)

    def _arguments(self) -> dict[str, Any]:
        return {
            "start_factor": self.start_factor,
            "end_factor": self.end_factor,
            "total_iters": self.total_iters,
        }

    def _lr_at(self, t: int) -> float:
        progress = min(t, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)
