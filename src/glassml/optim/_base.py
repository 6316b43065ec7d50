"""The bookkeeping behind :meth:`glassml.optim.Optimizer.step`: checks, state, row blocks.

Read :mod:`glassml.optim.optimizers` first; nothing here changes what an update computes.

- :func:`checked_pairs` checks ``params`` and ``grads`` before anything is touched;
- :class:`ParameterStates` keeps each parameter array's state, keyed by the array object
  through a weak reference (as ``torch.optim`` keys state by tensor), and survives
  ``pickle`` and ``copy.deepcopy``;
- :func:`split_into_shares` deals a step's updates into row blocks for worker threads.
"""

from __future__ import annotations

import functools
import itertools
import math
import weakref
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from glassml._validation import max_abs

__all__ = ["Job", "ParameterStates", "checked_pairs", "root_of_max", "split_into_shares"]

#: One update: a parameter (or a block of its rows), its gradient and its state (the same block).
Job = tuple[np.ndarray, np.ndarray, dict[str, Any]]


class _Checks(Protocol):
    """What :func:`checked_pairs` asks of the optimizer: its name, dtype rule and gradient cap."""

    squares_gradients: bool

    def _largest_gradient(self, dtype: np.dtype) -> float: ...


# ------------------------------------------------------------------------------ input checks
@functools.cache
def root_of_max(dtype: np.dtype) -> float:
    """``sqrt(largest finite value of dtype)``: the largest ``|g|`` whose square is finite."""
    return math.sqrt(float(np.finfo(dtype).max))


@functools.cache
def _rounds_to_zero(eps: float, dtype: np.dtype) -> bool:
    return bool(dtype.type(eps) == 0)


def _check_lists(params: Sequence[Any], grads: Sequence[Any]) -> None:
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


def _check_param(i: int, param: Any, opt: _Checks) -> None:
    if not isinstance(param, np.ndarray) or param.dtype.kind != "f":
        kind = param.dtype if isinstance(param, np.ndarray) else type(param).__name__
        raise TypeError(
            f"params[{i}] must be a floating-point NumPy array (updated in place), got {kind}."
        )
    if opt.squares_gradients and param.dtype.itemsize < 4:
        raise TypeError(
            f"params[{i}] is {param.dtype}, which {type(opt).__name__} cannot update faithfully: "
            "it squares gradients, and in float16 a square overflows above |g| = 256 and "
            "vanishes below |g| = 2.4e-4, so steps freeze or become infinite (torch's float16 "
            "Adam on CPU turns |g| = 1e-3 into -inf). Use float32 parameters, "
            "e.g. W.astype(np.float32)."
        )
    eps = getattr(opt, "eps", None)
    if opt.squares_gradients and eps is not None and _rounds_to_zero(eps, param.dtype):
        raise ValueError(
            f"eps={eps!r} rounds to 0 in {param.dtype} (params[{i}]), so an all-zero gradient "
            f"history would divide 0 by 0; use an eps of at least "
            f"{np.finfo(param.dtype).tiny:.3g} for {param.dtype} parameters."
        )
    if not param.flags.writeable:
        raise ValueError(f"params[{i}] is read-only; it must be writeable to update it.")


def _checked_grad(i: int, grad: Any, param: np.ndarray, opt: _Checks) -> np.ndarray:
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
            f"grads[{i}] has shape {grad.shape}, but params[{i}] has shape {param.shape}; "
            "each gradient must have its parameter's shape."
        )
    if grad.dtype.kind in "iu":  # NOTE: an integer g*g would wrap around silently
        grad = grad.astype(param.dtype)
    size = max_abs(grad)
    if not math.isfinite(size):
        raise ValueError(
            f"grads[{i}] contains NaN or infinity; no parameter was updated. "
            "(A diverging loss often causes this: try a smaller learning_rate.)"
        )
    limit = opt._largest_gradient(param.dtype)
    if size > limit:
        raise ValueError(
            f"grads[{i}] holds a gradient of magnitude {size:.3g}, above {limit:.3g}, the "
            f"largest {type(opt).__name__} can square in {param.dtype} without overflow (an "
            "infinite running average would freeze that coordinate for good, as in torch); "
            "no parameter was updated. Clip or rescale the gradients."
        )
    return grad


def _memory_root(a: np.ndarray) -> int:
    """Identity of the memory ``a`` views: its last ndarray base's buffer, or that array."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return id(a if a.base is None else a.base)


def _reject_overlaps(params: Sequence[np.ndarray]) -> None:
    """Refuse two parameters that share memory: their common elements would be updated twice."""
    seen: dict[int, int] = {}
    by_root: dict[int, list[int]] = {}
    for i, param in enumerate(params):
        if id(param) in seen:
            raise ValueError(
                f"params[{i}] is the same array object as params[{seen[id(param)]}]; "
                "each parameter must appear once."
            )
        seen[id(param)] = i
        by_root.setdefault(_memory_root(param), []).append(i)
    for indices in by_root.values():  # NOTE: almost always one array per memory block
        for j, i in itertools.combinations(indices, 2):
            if np.shares_memory(params[j], params[i]):
                raise ValueError(
                    f"params[{i}] and params[{j}] share memory (views of one array, such as "
                    "W and W.T or W[0]), so their common elements would be updated twice; "
                    "pass each array once."
                )


def checked_pairs(
    params: Sequence[Any], grads: Sequence[Any], opt: _Checks
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Check a step's input; return ``(param, grad)`` pairs, integer gradients made float.

    Raises ``TypeError``/``ValueError`` naming the bad entry; nothing has been changed then.
    """
    _check_lists(params, grads)
    for i, param in enumerate(params):
        _check_param(i, param, opt)
    _reject_overlaps(params)
    return [
        (param, _checked_grad(i, grad, param, opt))
        for i, (param, grad) in enumerate(zip(params, grads, strict=True))
    ]


# ------------------------------------------------------------------------------------ state
def _forget(entries: dict[int, Any], key: int, ref: weakref.ref) -> None:
    """Weak-reference callback: drop the state of a parameter array that no longer exists."""
    entry = entries.get(key)
    if entry is not None and entry[0] is ref:
        del entries[key]


class ParameterStates:
    """Each parameter array's state dict, keyed by the array object, held weakly.

    NOTE: ``id()`` values are reused after an object dies; the weak reference tells a live
    entry for this very array apart from a stale one, and drops the state with its array.

    ``pickle`` and ``copy.deepcopy`` carry each state with its (live) array: copy the
    parameters and the optimizer *together* (one ``deepcopy``/``dumps`` call, e.g. of a
    network holding both) and the copied optimizer keys its state to the copied arrays, so
    training continues identically. Copied alone, its arrays have no other owner, so their
    state is dropped, as for any array that dies.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, tuple[int, ...], dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, key: int) -> dict[str, Any]:
        """The state of the live array with ``id(array) == key`` (for tests)."""
        return self._entries[key][2]

    def get(self, param: np.ndarray) -> dict[str, Any] | None:
        """The state of ``param`` (this very array), or None if it has none yet."""
        entry = self._entries.get(id(param))
        return entry[2] if entry is not None and entry[0]() is param else None

    def clear(self) -> None:
        self._entries.clear()

    def _add(self, param: np.ndarray, state: dict[str, Any]) -> None:
        key = id(param)
        ref = weakref.ref(param, functools.partial(_forget, self._entries, key))
        self._entries[key] = (ref, param.shape, state)

    def for_step(self, params: Sequence[np.ndarray], names: Sequence[str]) -> list[dict[str, Any]]:
        """Each array's state, new ones as zeros (``"buf"``: scratch); every ``t`` advanced."""
        states = []
        for i, param in enumerate(params):
            entry = self._entries.get(id(param))
            if entry is None or entry[0]() is not param:
                state: dict[str, Any] = {"t": 0}
                for name in names:
                    state[name] = np.empty_like(param) if name == "buf" else np.zeros_like(param)
                self._add(param, state)
            elif entry[1] != param.shape:
                raise ValueError(
                    f"params[{i}] changed shape from {entry[1]} to {param.shape} since the "
                    "last step; call reset() before reusing the optimizer."
                )
            states.append(self._entries[id(param)][2])
        for state in states:  # only now: a failed call changes no step count
            state["t"] += 1
        return states

    def __getstate__(self) -> list[tuple[np.ndarray, dict[str, Any]]]:
        live = [(entry[0](), entry[2]) for entry in self._entries.values()]
        # the scratch array is not state: it is made again on loading
        return [
            (param, {k: (None if k == "buf" else v) for k, v in state.items()})
            for param, state in live
            if param is not None
        ]

    def __setstate__(self, saved: list[tuple[np.ndarray, dict[str, Any]]]) -> None:
        self._entries = {}
        for param, state in saved:
            if "buf" in state:
                state["buf"] = np.empty_like(param)
            self._add(param, state)


# ------------------------------------------------------------------------------- row blocks
def split_into_shares(jobs: list[Job], n_threads: int) -> list[list[Job]]:
    """Deal the updates into ``n_threads`` shares of about equal size.

    An array with at least ``n_threads`` rows is cut into ``n_threads`` row blocks (views of
    the parameter, gradient and state arrays alike), one per share; a smaller one goes whole
    to the share with the least work so far. Only valid for element-wise updates.
    """
    if n_threads == 1:
        return [jobs]
    shares: list[list[Job]] = [[] for _ in range(n_threads)]
    work = [0] * n_threads
    for param, grad, state in sorted(jobs, key=lambda job: -job[0].size):
        if param.ndim == 0 or param.shape[0] < n_threads:
            w = work.index(min(work))
            shares[w].append((param, grad, state))
            work[w] += param.size
            continue
        rows = param.shape[0]
        edges = [rows * w // n_threads for w in range(n_threads + 1)]
        for w, (lo, hi) in enumerate(itertools.pairwise(edges)):
            piece = {k: v[lo:hi] if isinstance(v, np.ndarray) else v for k, v in state.items()}
            shares[w].append((param[lo:hi], grad[lo:hi], piece))
            work[w] += param[lo:hi].size
    return shares
