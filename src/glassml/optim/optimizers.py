"""The five optimizers of seed file 03, simplest first: SGD, Momentum, RMSProp, Adam, AdaGrad.

Plus :class:`AdamW` (Adam with decoupled weight decay); SGD, Momentum and Adam take torch's L2
``weight_decay`` and Momentum takes ``nesterov``.

Every optimizer changes the parameters against their gradients so the loss goes down; they
differ only in what they remember about past gradients. Each has the same two methods:
``step(params, grads)`` updates every array in ``params`` **in place** from the matching
gradient, and ``reset()`` forgets everything remembered. Each class's ``_update`` is its rule
written as the seed writes it; ``step`` runs the same arithmetic in fewer passes over memory
(:mod:`glassml.optim._kernels`, one marked line per class; tests check the two agree to
1e-12). The bookkeeping (checks, per-array state, threads) is in :mod:`glassml.optim._base`.

State belongs to each parameter *array object*, as ``torch.optim`` keys state by tensor: a new
array starts from zero state, a dead one's state is dropped. NOTE: pass the arrays themselves
(or views you keep), not a fresh ``W.ravel()`` per call, which would start from zero every step.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from glassml._threads import run_on_threads, threads_for
from glassml._validation import check_bool, check_positive, check_scalar_number
from glassml.optim import _kernels
from glassml.optim._base import Job, ParameterStates, checked_pairs, root_of_max, split_into_shares

__all__ = ["SGD", "AdaGrad", "Adam", "AdamW", "Momentum", "Optimizer", "RMSProp"]

#: A step on fewer elements than this (all parameters together) runs in the caller's thread
#: (:func:`glassml._threads.threads_for`).
PARALLEL_MIN_SIZE = 2**17


class Optimizer:
    """Base class: checks the input, keeps each array's state, runs the update on each array.

    A subclass implements ``_update(param, grad, state)``, which changes ``param`` in place.
    ``state`` holds this array's ``t`` (its step count, 1 on its first step) and, as zeros of
    its shape and dtype at first, the arrays named in ``_state_names``; ``_update`` changes
    them in place (``v[...] = ...``; rebinding ``state["v"]`` would be lost on threads).

    ``elementwise = True`` declares that each element's update reads only that element, so a
    large step may be split into row blocks run at once by worker threads (bit-for-bit the
    same result). The built-in optimizers declare it; the default is ``False``, so an update
    with a whole-array reduction (e.g. ``g / ||g||``) always sees whole arrays.

    ``pickle`` and ``copy.deepcopy`` work at any time. Copy the parameters and the optimizer
    in one call (e.g. a network holding both) and the copy's state follows the copied arrays,
    so training continues identically; an optimizer copied alone starts afresh.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    """

    elementwise: bool = False
    squares_gradients: bool = False  # then float16 and overflowing gradients are refused
    _state_names: tuple[str, ...] = ()
    # The fast path step() runs instead of _update (the same arithmetic, fewer passes). None:
    # step() runs _update, as for a subclass that overrides _update; opt._kernel = None set
    # before the first step runs the readable _update of a built-in one (the tests do).
    _kernel: _kernels.Kernel | None = None

    def __init__(self, learning_rate: float) -> None:
        check_positive(learning_rate, "learning_rate")
        self.learning_rate = float(learning_rate)
        self._states = ParameterStates()

    def step(self, params: Sequence[np.ndarray], grads: Sequence[Any]) -> None:
        """Update every array in ``params`` in place from the matching gradient in ``grads``.

        Parameters
        ----------
        params : list of ndarray
            The parameters, e.g. ``[W1, b1, W2, b2]``; each a writeable floating-point array,
            changed in place (the same objects, new values). No two may share memory.
        grads : list of array-like
            ``grads[i]`` is dLoss/d``params[i]``, of exactly the shape of ``params[i]``.

        Raises
        ------
        TypeError
            If ``params``/``grads`` is not a list or tuple, a parameter is not a floating-point
            NumPy array (or is float16 for an optimizer that squares gradients), or a gradient
            is not numeric.
        ValueError
            If the lists differ in length, a gradient's shape differs from its parameter's, a
            gradient holds NaN or infinity (or, for RMSProp, Adam, AdaGrad, a value whose square
            overflows), two parameters share memory, or a parameter is read-only. Nothing is
            updated when this is raised.
        """
        pairs = checked_pairs(params, grads, self)
        kernel = self.__dict__.get("_kernel", _class_kernel(type(self)))
        names = self._state_names if kernel is None else (*kernel.state_names, "buf")
        states = self._states.for_step([param for param, _ in pairs], names)
        jobs = [(param, grad, state) for (param, grad), state in zip(pairs, states, strict=True)]
        n_threads = 1
        if self.elementwise:  # row blocks are only valid for element-wise rules
            n_threads = threads_for(sum(param.size for param, _ in pairs), PARALLEL_MIN_SIZE)
        run_on_threads(
            functools.partial(self._update_all, kernel), split_into_shares(jobs, n_threads)
        )

    def reset(self) -> None:
        """Forget all state: the next ``step`` behaves like the first step of a new optimizer."""
        self._states.clear()

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self._hyperparameters().items())
        return f"{type(self).__name__}({args})"

    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate}

    def _largest_gradient(self, dtype: np.dtype) -> float:
        """The largest ``|g|`` a step accepts for parameters of ``dtype``: ``g²`` must be finite."""
        return root_of_max(dtype) if self.squares_gradients else math.inf

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    def _update_all(self, kernel: _kernels.Kernel | None, jobs: list[Job]) -> None:
        for param, grad, state in jobs:
            if kernel is None:
                self._update(param, grad, state)
            else:
                kernel.update(self, param, grad, state)


def _class_kernel(cls: type[Optimizer]) -> _kernels.Kernel | None:
    """``cls._kernel``, unless a subclass overrides ``_update`` below it: then its rule runs."""
    update_owner = next(c for c in cls.__mro__ if "_update" in c.__dict__)
    kernel_owner = next(c for c in cls.__mro__ if "_kernel" in c.__dict__)
    return cls._kernel if issubclass(kernel_owner, update_owner) else None


def _check_beta(value: Any, name: str) -> None:
    check_scalar_number(value, name, low=0.0, high=1.0, include_high=False)


def _check_weight_decay(value: Any) -> float:
    return float(check_scalar_number(value, "weight_decay", low=0.0))


def _l2_gradient(grad: np.ndarray, param: np.ndarray, weight_decay: float) -> np.ndarray:
    """``g + wd·θ``: the gradient of ``loss + wd/2·||θ||²`` (torch's ``weight_decay``)."""
    return grad + weight_decay * param if weight_decay else grad


def _check_eps(value: Any) -> None:
    # NOTE: eps = 0 is refused: a coordinate whose gradients have all been 0 (or whose squares
    # underflow) would divide 0 by 0 and turn its parameter into NaN, as it does in torch.
    check_scalar_number(value, "eps", low=0.0, include_low=False)


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent: step against the gradient, remember nothing.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    weight_decay : float, default=0.0
        L2 penalty ``wd`` >= 0, added to the gradient as torch does: ``g ← g + wd·θ``.

    Notes
    -----
    .. math:: \theta \leftarrow \theta - \mathrm{lr} \cdot (g + \mathrm{wd}\,\theta)

    Identical to ``torch.optim.SGD(params, lr=lr, weight_decay=wd)`` (momentum 0).

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, -2.0])
    >>> SGD(learning_rate=0.1).step([w], [np.array([0.5, 0.5])])
    >>> w
    array([ 0.95, -2.05])
    """

    elementwise = True
    _kernel = _kernels.SGD  # FAST PATH: param -= lr * grad, in a scratch buffer

    def __init__(self, learning_rate: float, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate)
        self.weight_decay = _check_weight_decay(weight_decay)

    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate, "weight_decay": self.weight_decay}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        g = _l2_gradient(grad, param, self.weight_decay)
        param -= self.learning_rate * g


class Momentum(Optimizer):
    r"""SGD with momentum: a velocity ``v`` that averages recent gradients.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    beta : float, default=0.9
        How much velocity carries over per step, in [0, 1); ``beta=0`` is plain SGD.
    weight_decay : float, default=0.0
        L2 penalty ``wd`` >= 0, added to the gradient first (as torch): ``g ← g + wd·θ``.
    nesterov : bool, default=False
        Nesterov momentum: step along the velocity *after* one more look-ahead,
        ``θ ← θ - lr·(β·v + (1-β)·g)`` with the new ``v``.

    Notes
    -----
    The seed's exponential-moving-average form, with ``v`` starting at 0:

    .. math::
        v \leftarrow \beta v + (1-\beta)\, g, \qquad \theta \leftarrow \theta - \mathrm{lr}\, v

    and with ``nesterov=True`` the step is :math:`\mathrm{lr}\,(\beta v + (1-\beta) g)`.

    Mapping onto ``torch.optim.SGD``, whose buffer ``b`` obeys ``b \leftarrow \mu b + (1-d) g``
    with ``b = g`` on its first step (no dampening then):

    - **Exact from the first step:** ``SGD(lr=(1-β)·lr, momentum=β, dampening=0)``. Its buffer is
      ``b = v / (1-β)``, so the rescaled learning rate gives the same parameter update. The
      same holds with ``weight_decay=wd`` on both sides (torch adds ``wd·θ`` to ``g`` first).
    - **Nesterov, exact from the first step:** ``Momentum(lr, β, nesterov=True)`` ==
      ``SGD(lr=(1-β)·lr, momentum=β, dampening=0, nesterov=True)``: torch steps by
      ``(1-β)·lr·(g + β·b)`` = ``lr·((1-β)·g + β·v)``, since ``b = v/(1-β)``.
    - ``SGD(lr=lr, momentum=β, dampening=β)`` has the same update rule only **after the first
      step**: its first step moves by ``lr·g``, not ``lr·(1-β)·g``, and the extra ``β·g₁`` in its
      buffer decays as ``β^t·g₁``. They agree exactly if, after the first step, torch's buffer
      is set to ``v`` and its parameters to ours.

    NOTE: in this averaged form a constant gradient gives ``v → g``, so the step settles at
    ``lr·g``, the same size as SGD's; torch's default (``dampening=0``) settles at
    ``lr·g/(1-β)``, ten times larger for β = 0.9. Learning rates do not carry over unchanged.
    """

    elementwise = True
    _state_names = ("v",)
    _kernel = _kernels.MOMENTUM  # FAST PATH: the same two lines, in a scratch buffer

    def __init__(
        self,
        learning_rate: float,
        beta: float = 0.9,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        _check_beta(beta, "beta")
        check_bool(nesterov, "nesterov")
        self.beta = float(beta)
        self.weight_decay = _check_weight_decay(weight_decay)
        self.nesterov = bool(nesterov)

    def _hyperparameters(self) -> dict[str, float]:
        return {
            "learning_rate": self.learning_rate,
            "beta": self.beta,
            "weight_decay": self.weight_decay,
        }

    def __repr__(self) -> str:  # the numbers, then the one switch
        return f"{super().__repr__()[:-1]}, nesterov={self.nesterov})"

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        v = state["v"]
        g = _l2_gradient(grad, param, self.weight_decay)
        v[...] = self.beta * v + (1 - self.beta) * g
        # Nesterov: the velocity one step further, as if g came again
        step = self.beta * v + (1 - self.beta) * g if self.nesterov else v
        param -= self.learning_rate * step


class RMSProp(Optimizer):
    r"""RMSProp: divide each coordinate's step by a running root-mean-square of its gradients.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    beta : float, default=0.9
        Decay of the running average of squared gradients, in [0, 1).
    eps : float, default=1e-8
        Added *inside* the square root, > 0 (see the torch mapping below).

    Notes
    -----
    With ``s`` starting at 0:

    .. math::
        s \leftarrow \beta s + (1-\beta)\, g^2, \qquad
        \theta \leftarrow \theta - \mathrm{lr}\, \frac{g}{\sqrt{s + \epsilon}}

    ``torch.optim.RMSprop(lr=lr, alpha=β, eps=ε)`` computes ``g / (sqrt(s) + ε)``: ε sits
    *outside* the root there, so the two differ by O(ε) in the denominator; with a tiny ε (say
    1e-300, against torch's ``eps=0``) both round to ``g / sqrt(s)``. ``eps=0`` is refused: a
    coordinate whose gradients have all been 0 would divide 0 by 0 (torch returns NaN there).
    Float16 parameters are refused (squares overflow above 256), and so are gradients whose
    square overflows the parameters' dtype.
    """

    elementwise = True
    squares_gradients = True
    _state_names = ("s",)
    _kernel = _kernels.RMSPROP  # FAST PATH: the same two lines, in a scratch buffer

    def __init__(self, learning_rate: float, beta: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        _check_beta(beta, "beta")
        _check_eps(eps)
        self.beta = float(beta)
        self.eps = float(eps)

    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate, "beta": self.beta, "eps": self.eps}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        s = state["s"]
        s[...] = self.beta * s + (1 - self.beta) * grad**2
        param -= self.learning_rate * grad / np.sqrt(s + self.eps)


class Adam(Optimizer):
    r"""Adam: momentum (first moment ``m``) plus RMSProp scaling (second moment ``v``).

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0 (1e-3 is the usual choice).
    beta1 : float, default=0.9
        Decay of the first moment (mean gradient), in [0, 1).
    beta2 : float, default=0.999
        Decay of the second moment (mean squared gradient), in [0, 1).
    eps : float, default=1e-8
        Added to ``sqrt(v_hat)`` (outside the root, as in the paper and in torch), > 0.
    weight_decay : float, default=0.0
        L2 penalty ``wd`` >= 0, added to the gradient first (torch's Adam): ``g ← g + wd·θ``,
        so it is rescaled by ``√v_hat`` like the loss's gradient. :class:`AdamW` decouples it.

    Notes
    -----
    With ``m = v = 0`` and ``t`` counting this parameter's steps (1 on the first):

    .. math::
        m &\leftarrow \beta_1 m + (1-\beta_1)\, g, \qquad
        v \leftarrow \beta_2 v + (1-\beta_2)\, g^2 \\
        \hat m &= m / (1-\beta_1^t), \qquad \hat v = v / (1-\beta_2^t) \\
        \theta &\leftarrow \theta - \mathrm{lr}\, \hat m / (\sqrt{\hat v} + \epsilon)

    The bias correction matters: ``m`` and ``v`` start at 0, so on step 1 ``m = (1-β₁)g`` is ten
    times too small; dividing by ``1-β₁^t`` undoes that, and the first step is
    ``lr·g/(|g|+ε) ≈ lr·sign(g)``.

    Identical to ``torch.optim.Adam(lr=lr, betas=(β₁, β₂), eps=ε, weight_decay=wd)`` (amsgrad
    False), which also keeps ``t`` per parameter. ``step`` runs
    :func:`glassml.optim._kernels._adam`, which keeps ``m_scaled = m/(1-β₁)`` and
    ``v_scaled = v/(1-β₂)`` instead (ten passes over memory instead of twelve).

    Refused, with a clear error: ``eps=0`` (a coordinate with an all-zero gradient history
    would compute 0/0 = NaN, as torch does); float16 parameters (torch's float16 Adam on CPU
    turns a gradient of 1e-3 into an infinite parameter); a gradient whose square, over
    ``1-β₂``, overflows the parameters' dtype, e.g. 1e200 in float64 (torch's ``v`` becomes
    infinite and freezes that coordinate for good). NOTE: that check reads ``g``, not
    ``g + wd·θ``; with weight decay a parameter near that size could still overflow ``v``.
    """

    elementwise = True
    squares_gradients = True
    _state_names = ("m", "v")
    # FAST PATH: m_scaled = m/(1-β₁), v_scaled = v/(1-β₂);
    #   param -= lr·m_hat/(√v_hat + ε) == α_t·m_scaled/(√v_scaled + ε·√W₂), α_t = lr·√W₂/W₁
    _kernel = _kernels.ADAM

    def __init__(
        self,
        learning_rate: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate)
        _check_beta(beta1, "beta1")
        _check_beta(beta2, "beta2")
        _check_eps(eps)
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.eps = float(eps)
        self.weight_decay = _check_weight_decay(weight_decay)

    def _hyperparameters(self) -> dict[str, float]:
        return {
            "learning_rate": self.learning_rate,
            "beta1": self.beta1,
            "beta2": self.beta2,
            "eps": self.eps,
            "weight_decay": self.weight_decay,
        }

    def _largest_gradient(self, dtype: np.dtype) -> float:
        # the fast path's v_scaled is v/(1-β₂): up to max g²/(1-β₂)
        return root_of_max(dtype) * math.sqrt(1.0 - self.beta2)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        self._adam_step(param, _l2_gradient(grad, param, self.weight_decay), state)

    def _adam_step(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        """The Adam rule itself on gradient ``grad`` (any weight decay already applied)."""
        m, v, t = state["m"], state["v"], state["t"]
        b1, b2 = self.beta1, self.beta2
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad**2
        m_hat = m / (1 - b1**t)  # bias correction: m starts at 0, so early m is too small
        v_hat = v / (1 - b2**t)
        param -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    r"""AdamW: Adam with *decoupled* weight decay (Loshchilov & Hutter).

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    beta1, beta2, eps : float
        As for :class:`Adam` (defaults 0.9, 0.999, 1e-8).
    weight_decay : float, default=0.01
        Decay rate ``wd`` >= 0 (torch's default 1e-2).

    Notes
    -----
    First shrink the parameter, then take the plain Adam step on the loss's gradient ``g``:

    .. math::
        \theta \leftarrow \theta\,(1 - \mathrm{lr}\cdot\mathrm{wd}), \qquad
        \theta \leftarrow \theta - \mathrm{lr}\, \hat m / (\sqrt{\hat v} + \epsilon)

    With :class:`Adam`'s L2 ``weight_decay`` the term ``wd·θ`` joins ``g`` and is divided by
    ``√v_hat``, so parameters with large gradients are barely decayed; here every parameter
    shrinks by the same factor. Identical to ``torch.optim.AdamW(lr=lr, betas=(β₁, β₂), eps=ε,
    weight_decay=wd)`` (amsgrad False), which applies the decay in the same order.
    """

    _kernel = _kernels.ADAMW  # FAST PATH: param *= 1 - lr·wd, then the Adam kernel (wd = 0)

    def __init__(
        self,
        learning_rate: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(learning_rate, beta1, beta2, eps, weight_decay)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        param *= 1 - self.learning_rate * self.weight_decay  # decoupled: not part of g
        self._adam_step(param, grad, state)


class AdaGrad(Optimizer):
    r"""AdaGrad: divide each coordinate's step by the root of *all* its past squared gradients.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    eps : float, default=1e-8
        Added *inside* the square root, > 0.

    Notes
    -----
    With ``G`` starting at 0 and never decaying (so the effective step only shrinks):

    .. math::
        G \leftarrow G + g^2, \qquad
        \theta \leftarrow \theta - \mathrm{lr}\, \frac{g}{\sqrt{G + \epsilon}}

    ``torch.optim.Adagrad(lr=lr, eps=ε)`` (defaults ``lr_decay=0``,
    ``initial_accumulator_value=0``) computes ``g / (sqrt(G) + ε)``: O(ε) apart, and equal to
    rounding for a tiny ε against torch's ``eps=0``. As for RMSProp, ``eps=0``, float16
    parameters and gradients whose square overflows are refused. NOTE: ``G`` only grows, so
    after very many gradients near that limit it can still overflow.
    """

    elementwise = True
    squares_gradients = True
    _state_names = ("G",)
    _kernel = _kernels.ADAGRAD  # FAST PATH: the same two lines, in a scratch buffer

    def __init__(self, learning_rate: float, eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        _check_eps(eps)
        self.eps = float(eps)

    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate, "eps": self.eps}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        G = state["G"]
        G += grad**2
        param -= self.learning_rate * grad / np.sqrt(G + self.eps)
