"""The five optimizers of seed file 03, simplest first: SGD, Momentum, RMSProp, Adam, AdaGrad.

Every optimizer solves the same problem: given the gradient of the loss with respect to each
parameter, change the parameters so the loss goes down. They differ only in what they remember
about past gradients. Each one here has the same two methods:

- ``step(params, grads)`` updates every array in ``params`` **in place** (the caller's array
  objects change; nothing is returned), using the matching array in ``grads``;
- ``reset()`` forgets everything the optimizer has remembered.

How state is kept
-----------------
State (velocities, running averages, Adam's step count ``t``) belongs to each parameter array,
keyed by the array object's identity, exactly as ``torch.optim`` keys state by tensor. So one
optimizer can be handed two different networks, or a parameter list that changes between calls,
and no array ever reads another array's history: an array the optimizer has not seen before starts
from zero state (and, for Adam, from ``t = 1``). The optimizer holds each array only through a weak
reference, so state is dropped when its array is garbage-collected.

NOTE: identity means the array *object*. Pass the parameters themselves (or views you keep), not
a fresh view made on every call such as ``W.ravel()`` or ``W[0]``: each new view is a new object,
so it would start from zero state on every step.

Threads
-------
The updates are element-wise, so a large step is split along each array's first axis into equal
pieces that run at once in worker threads (NumPy releases the GIL in its loops), one per CPU, at
most :data:`MAX_THREADS`, as ``torch.optim`` spreads its element-wise kernels over its intra-op
threads. Steps on fewer than :data:`PARALLEL_MIN_SIZE` elements in total run in the caller's
thread. Every element goes through the same operations either way, so the result is
bit-for-bit the same.

Checks on every step
--------------------
``params`` and ``grads`` must be lists (or tuples) of the same length; each parameter must be a
writeable floating-point NumPy array and each gradient an array of exactly its parameter's shape.
A gradient containing NaN or infinity is rejected with a ``ValueError`` *before any parameter or
state is touched*: one NaN would otherwise spread into the running averages and ruin every later
step. All checks run before the first update, so a failed ``step`` changes nothing.
"""

from __future__ import annotations

import functools
import itertools
import math
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from glassml._threads import available_cpus, run_on_threads
from glassml._validation import check_positive, check_scalar_number

__all__ = ["SGD", "AdaGrad", "Adam", "Momentum", "Optimizer", "RMSProp"]

#: A step on fewer elements than this (all parameters together) runs in the caller's thread:
#: below it, handing work to a thread costs about as much as it saves.
PARALLEL_MIN_SIZE = 2**17
#: At most this many threads share one step; the updates are limited by memory bandwidth, which
#: a few cores already use up.
MAX_THREADS = 4


def _check_beta(value: Any, name: str) -> None:
    check_scalar_number(value, name, low=0.0, high=1.0, include_high=False)


def _check_eps(value: Any) -> None:
    check_scalar_number(value, "eps", low=0.0)


def _all_finite(a: np.ndarray) -> bool:
    """True if every element of ``a`` is finite (two fast passes, no temporary array)."""
    if a.dtype.kind in "iu" or a.size == 0:
        return True
    # NOTE: max and min propagate NaN, and an infinity is the max or the min; two vectorised
    # reductions are ~2× faster than one sum (and, unlike a sum, cannot overflow).
    return bool(np.isfinite(a.max()) and np.isfinite(a.min()))


#: One update: a parameter (or a block of its rows), its gradient and its state (the same block).
_Job = tuple[np.ndarray, np.ndarray, dict[str, Any]]


def _forget(states: dict[int, dict[str, Any]], key: int, ref: weakref.ref) -> None:
    """Weak-reference callback: drop the state of a parameter array that no longer exists."""
    entry = states.get(key)
    if entry is not None and entry["ref"] is ref:
        del states[key]


class Optimizer:
    """Base class: input checks, per-parameter state, and the loop over parameters.

    A subclass names the state arrays it needs in ``_state_names`` (each starts as zeros of
    its parameter's shape and dtype) and implements ``_update(param, grad, state)``, which
    changes ``param`` in place. ``state["buf"]`` is a scratch array of the parameter's shape,
    so a step allocates no parameter-sized arrays, and ``state["t"]`` is this parameter's step
    count, already advanced (1 on its first step). ``_update`` must be element-wise: it may be
    handed matching slices of the parameter, gradient and state arrays (see Threads above).

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    """

    _state_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float) -> None:
        check_positive(learning_rate, "learning_rate")
        self.learning_rate = float(learning_rate)
        self._states: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------------ public
    def step(self, params: Sequence[np.ndarray], grads: Sequence[Any]) -> None:
        """Update every array in ``params`` in place from the matching gradient in ``grads``.

        Parameters
        ----------
        params : list of ndarray
            The parameters, e.g. ``[W1, b1, W2, b2]``; each a writeable floating-point array,
            changed in place (the same objects, new values).
        grads : list of array-like
            ``grads[i]`` is dLoss/d``params[i]``, of exactly the shape of ``params[i]``.

        Raises
        ------
        TypeError
            If ``params``/``grads`` is not a list or tuple, a parameter is not a floating-point
            NumPy array, or a gradient is not numeric.
        ValueError
            If the lists differ in length, a gradient's shape differs from its parameter's, a
            gradient holds NaN or infinity, the same array appears twice in ``params``, or a
            parameter is read-only. Nothing is updated when this is raised.
        """
        pairs = self._checked_pairs(params, grads)
        states = [self._state_for(i, param) for i, (param, _) in enumerate(pairs)]
        for state in states:
            state["t"] += 1
        jobs = [(param, grad, state) for (param, grad), state in zip(pairs, states, strict=True)]
        total = sum(param.size for param, _ in pairs)
        n_threads = min(available_cpus(), MAX_THREADS) if total >= PARALLEL_MIN_SIZE else 1
        run_on_threads(self._update_all, self._shares(jobs, n_threads))

    def reset(self) -> None:
        """Forget all state: the next ``step`` behaves like the first step of a new optimizer."""
        self._states.clear()

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self._hyperparameters().items())
        return f"{type(self).__name__}({args})"

    # ----------------------------------------------------------------- internal
    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def _update_all(self, jobs: list[_Job]) -> None:
        for param, grad, state in jobs:
            self._update(param, grad, state)

    def _shares(self, jobs: list[_Job], n_threads: int) -> list[list[_Job]]:
        """Deal the updates into ``n_threads`` shares of about equal size.

        An array with at least ``n_threads`` rows is cut into ``n_threads`` row blocks (views
        of the parameter, gradient and state alike), one per share; a smaller one goes whole to
        the share with the least work so far.
        """
        if n_threads == 1:
            return [jobs]
        shares: list[list[_Job]] = [[] for _ in range(n_threads)]
        work = [0] * n_threads
        for param, grad, state in sorted(jobs, key=lambda job: -job[0].size):
            if param.ndim == 0 or param.shape[0] < n_threads:
                w = work.index(min(work))
                shares[w].append((param, grad, state))
                work[w] += param.size
                continue
            rows = param.shape[0]
            edges = [rows * w // n_threads for w in range(n_threads + 1)]
            names = (*self._state_names, "buf")
            for w, (lo, hi) in enumerate(itertools.pairwise(edges)):
                piece = {name: state[name][lo:hi] for name in names} | {"t": state["t"]}
                shares[w].append((param[lo:hi], grad[lo:hi], piece))
                work[w] += param[lo:hi].size
        return shares

    def _checked_pairs(
        self, params: Sequence[np.ndarray], grads: Sequence[Any]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        # NOTE: a bare ndarray is iterable (over its rows), so passing W instead of [W] would
        # otherwise "work" and update garbage; demand a real list.
        for name, value in (("params", params), ("grads", grads)):
            if not isinstance(value, list | tuple):
                raise TypeError(
                    f"{name} must be a list (or tuple) of NumPy arrays, e.g. [W, b], "
                    f"got {type(value).__name__}."
                )
        if len(params) != len(grads):
            raise ValueError(
                f"params and grads must have the same length, got {len(params)} params "
                f"and {len(grads)} grads."
            )
        pairs = []
        seen: dict[int, int] = {}
        for i, (param, grad) in enumerate(zip(params, grads, strict=True)):
            if not isinstance(param, np.ndarray) or param.dtype.kind != "f":
                kind = param.dtype if isinstance(param, np.ndarray) else type(param).__name__
                raise TypeError(
                    f"params[{i}] must be a floating-point NumPy array (updated in place), "
                    f"got {kind}."
                )
            if not param.flags.writeable:
                raise ValueError(f"params[{i}] is read-only; it must be writeable to update it.")
            if id(param) in seen:
                raise ValueError(
                    f"params[{i}] is the same array object as params[{seen[id(param)]}]; "
                    "each parameter must appear once."
                )
            seen[id(param)] = i
            if not isinstance(grad, np.ndarray):
                try:
                    grad = np.asarray(grad, dtype=param.dtype)
                except (TypeError, ValueError) as exc:
                    raise TypeError(
                        f"grads[{i}] must be a numeric array, got {type(grad).__name__}."
                    ) from exc
            if grad.dtype.kind not in "fiu":
                raise TypeError(f"grads[{i}] must be a real numeric array, got dtype {grad.dtype}.")
            if grad.shape != param.shape:
                raise ValueError(
                    f"grads[{i}] has shape {grad.shape}, but params[{i}] has shape "
                    f"{param.shape}; each gradient must have its parameter's shape."
                )
            if not _all_finite(grad):
                raise ValueError(
                    f"grads[{i}] contains NaN or infinity; no parameter was updated. "
                    "(A diverging loss often causes this: try a smaller learning_rate.)"
                )
            pairs.append((param, grad))
        return pairs

    def _state_for(self, i: int, param: np.ndarray) -> dict[str, Any]:
        key = id(param)
        state = self._states.get(key)
        # NOTE: id() values are reused after an object dies; the weak reference tells a live
        # entry for this very array apart from a stale one left by an earlier array.
        if state is None or state["ref"]() is not param:
            ref = weakref.ref(param, functools.partial(_forget, self._states, key))
            state = {"ref": ref, "shape": param.shape, "t": 0, "buf": np.empty_like(param)}
            for name in self._state_names:
                state[name] = np.zeros_like(param)
            self._states[key] = state
        elif state["shape"] != param.shape:
            raise ValueError(
                f"params[{i}] changed shape from {state['shape']} to {param.shape} since the "
                "last step; call reset() before reusing the optimizer."
            )
        return state


class SGD(Optimizer):
    r"""Plain (stochastic) gradient descent: step against the gradient, remember nothing.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.

    Notes
    -----
    .. math:: \theta \leftarrow \theta - \mathrm{lr} \cdot g

    Identical to ``torch.optim.SGD(params, lr=lr)`` (momentum 0).

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, -2.0])
    >>> SGD(learning_rate=0.1).step([w], [np.array([0.5, 0.5])])
    >>> w
    array([ 0.95, -2.05])
    """

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        buf = state["buf"]
        np.multiply(grad, self.learning_rate, out=buf)
        param -= buf


class Momentum(Optimizer):
    r"""SGD with momentum: a velocity ``v`` that averages recent gradients.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    beta : float, default=0.9
        How much velocity carries over per step, in [0, 1); ``beta=0`` is plain SGD.

    Notes
    -----
    The seed's exponential-moving-average form, with ``v`` starting at 0:

    .. math::
        v \leftarrow \beta v + (1-\beta)\, g, \qquad \theta \leftarrow \theta - \mathrm{lr}\, v

    Mapping onto ``torch.optim.SGD``, whose buffer ``b`` obeys ``b \leftarrow \mu b + (1-d) g``
    with ``b = g`` on its first step (no dampening then):

    - **Exact from the first step:** ``SGD(lr=(1-β)·lr, momentum=β, dampening=0)``. Its buffer is
      ``b = v / (1-β)``, so the rescaled learning rate gives the same parameter update.
    - ``SGD(lr=lr, momentum=β, dampening=β)`` has the same update rule only **after the first
      step**: its first step moves by ``lr·g``, not ``lr·(1-β)·g``, and the extra ``β·g₁`` in its
      buffer decays as ``β^t·g₁``. They agree exactly if, after the first step, torch's buffer
      is set to ``v`` and its parameters to ours.

    NOTE: in this averaged form a constant gradient gives ``v → g``, so the step settles at
    ``lr·g``, the same size as SGD's; torch's default (``dampening=0``) settles at
    ``lr·g/(1-β)``, ten times larger for β = 0.9. Learning rates do not carry over unchanged.
    """

    _state_names = ("v",)

    def __init__(self, learning_rate: float, beta: float = 0.9) -> None:
        super().__init__(learning_rate)
        _check_beta(beta, "beta")
        self.beta = float(beta)

    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate, "beta": self.beta}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        v, buf = state["v"], state["buf"]
        v *= self.beta
        np.multiply(grad, 1.0 - self.beta, out=buf)
        v += buf
        np.multiply(v, self.learning_rate, out=buf)
        param -= buf


class RMSProp(Optimizer):
    r"""RMSProp: divide each coordinate's step by a running root-mean-square of its gradients.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    beta : float, default=0.9
        Decay of the running average of squared gradients, in [0, 1).
    eps : float, default=1e-8
        Added *inside* the square root, >= 0 (see the torch mapping below).

    Notes
    -----
    With ``s`` starting at 0:

    .. math::
        s \leftarrow \beta s + (1-\beta)\, g^2, \qquad
        \theta \leftarrow \theta - \mathrm{lr}\, \frac{g}{\sqrt{s + \epsilon}}

    ``torch.optim.RMSprop(lr=lr, alpha=β, eps=ε)`` computes ``g / (sqrt(s) + ε)``: ε sits
    *outside* the root there. The two are identical for ``eps=0``; for ε > 0 they differ by
    O(ε) in the denominator. With ``eps=0`` a coordinate whose gradients have all been exactly 0
    divides 0 by 0 (in both libraries), so keep ``eps > 0`` when training.
    """

    _state_names = ("s",)

    def __init__(self, learning_rate: float, beta: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        _check_beta(beta, "beta")
        _check_eps(eps)
        self.beta = float(beta)
        self.eps = float(eps)

    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate, "beta": self.beta, "eps": self.eps}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        s, buf = state["s"], state["buf"]
        s *= self.beta
        np.multiply(grad, grad, out=buf)
        buf *= 1.0 - self.beta
        s += buf
        np.add(s, self.eps, out=buf)
        np.sqrt(buf, out=buf)
        np.divide(grad, buf, out=buf)
        buf *= self.learning_rate
        param -= buf


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
        Added to ``sqrt(v_hat)`` (outside the root, as in the paper and in torch), >= 0.

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

    Identical to ``torch.optim.Adam(lr=lr, betas=(β₁, β₂), eps=ε)`` (weight_decay 0,
    amsgrad False), which also keeps ``t`` per parameter.

    **What the code stores** (same result, fewer passes over memory). Unrolled, the bias-corrected
    moments are weighted *averages* of past gradients, with weight ``β^(t-i)`` on step i's::

        m̂ = S₁ / W₁,   S₁ = Σᵢ β₁^(t-i) gᵢ,    W₁ = Σᵢ β₁^(t-i) = (1-β₁^t)/(1-β₁)
        v̂ = S₂ / W₂,   S₂ = Σᵢ β₂^(t-i) gᵢ²,   W₂ = (1-β₂^t)/(1-β₂)

    The state arrays ``m`` and ``v`` hold the weighted *sums* ``S₁ = m/(1-β₁)`` and
    ``S₂ = v/(1-β₂)``, updated by ``S ← β S + g`` (no ``(1-β)`` pass), and the scalars fold in
    at the end::

        lr·m̂/(√v̂ + ε) = α_t · S₁/(√S₂ + ε̂),   α_t = lr·√W₂/W₁,   ε̂ = ε·√W₂

    exactly (not the paper's ε approximation): ten element-wise passes per step instead of 12.
    NOTE: ``S₂`` is ``1/(1-β₂)`` times ``v`` (1000× for the default β₂), so with float32 it
    overflows for gradients above ~5e17 instead of ~1.8e19.
    """

    _state_names = ("m", "v")

    def __init__(
        self,
        learning_rate: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        _check_beta(beta1, "beta1")
        _check_beta(beta2, "beta2")
        _check_eps(eps)
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.eps = float(eps)

    def _hyperparameters(self) -> dict[str, float]:
        return {
            "learning_rate": self.learning_rate,
            "beta1": self.beta1,
            "beta2": self.beta2,
            "eps": self.eps,
        }

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        S1, S2, buf = state["m"], state["v"], state["buf"]  # m/(1-β₁) and v/(1-β₂): see Notes
        t = state["t"]
        S1 *= self.beta1
        S1 += grad
        np.multiply(grad, grad, out=buf)
        S2 *= self.beta2
        S2 += buf
        # bias correction: divide the weighted sums by their total weights W₁, W₂
        W1 = (1.0 - self.beta1**t) / (1.0 - self.beta1)
        # NOTE: Python floats, not NumPy float64 scalars: with a float64 scalar, float32 arithmetic
        # would run (and round) in float64 and take ~1.5x as long (NEP 50 promotion).
        sqrt_W2 = math.sqrt((1.0 - self.beta2**t) / (1.0 - self.beta2))
        alpha_t = self.learning_rate * sqrt_W2 / W1
        np.sqrt(S2, out=buf)
        buf += self.eps * sqrt_W2
        np.divide(S1, buf, out=buf)
        buf *= alpha_t
        param -= buf


class AdaGrad(Optimizer):
    r"""AdaGrad: divide each coordinate's step by the root of *all* its past squared gradients.

    Parameters
    ----------
    learning_rate : float
        Step size ``lr``, > 0.
    eps : float, default=1e-8
        Added *inside* the square root, >= 0.

    Notes
    -----
    With ``G`` starting at 0 and never decaying (so the effective step only shrinks):

    .. math::
        G \leftarrow G + g^2, \qquad
        \theta \leftarrow \theta - \mathrm{lr}\, \frac{g}{\sqrt{G + \epsilon}}

    ``torch.optim.Adagrad(lr=lr, eps=ε)`` (defaults ``lr_decay=0``,
    ``initial_accumulator_value=0``) computes ``g / (sqrt(G) + ε)``: identical for ``eps=0``,
    O(ε) apart otherwise. As for RMSProp, ``eps=0`` turns an all-zero gradient history into 0/0.
    """

    _state_names = ("G",)

    def __init__(self, learning_rate: float, eps: float = 1e-8) -> None:
        super().__init__(learning_rate)
        _check_eps(eps)
        self.eps = float(eps)

    def _hyperparameters(self) -> dict[str, float]:
        return {"learning_rate": self.learning_rate, "eps": self.eps}

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any]) -> None:
        G, buf = state["G"], state["buf"]
        np.multiply(grad, grad, out=buf)
        G += buf
        np.add(G, self.eps, out=buf)
        np.sqrt(buf, out=buf)
        np.divide(grad, buf, out=buf)
        buf *= self.learning_rate
        param -= buf
