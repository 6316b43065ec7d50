"""Timing glassml against a reference in the same process.

A benchmark module ``bench_<topic>.py`` in this folder defines ``cases(quick: bool)``, a generator
of :class:`Row`. Most rows come from :func:`compare`: warm-up first, then the median of repeats of
each side, interleaved so both see the same machine state. Targets are ratios
glassml/reference (lower is better); they are reported, never asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Row:
    """One line of the benchmark table."""

    case: str
    glassml_s: float | None
    reference_s: float | None
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.glassml_s is None or not self.reference_s:
            return None
        return self.glassml_s / self.reference_s

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return ""
        return "ok" if self.ratio <= self.target else "MISS"


def time_once(fn: Callable[[], object], rest: float = 0.0) -> float:
    """Wall time of one call of ``fn``, after ``rest`` seconds of sleep (see :func:`compare`)."""
    if rest:
        time.sleep(rest)
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def median_time(fn: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``repeats`` calls after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    return statistics.median(time_once(fn) for _ in range(repeats))


def compare(
    case: str,
    ours: Callable[[], object],
    reference: Callable[[], object],
    *,
    target: float | None = None,
    repeats: int = 5,
    warmup: int = 1,
    note: str = "",
    rest: float = 0.0,
) -> Row:
    """Time ``ours`` and ``reference`` (warm-up, then interleaved repeats) and return a row.

    ``rest``: seconds of sleep before each timed call, for a reference whose worker threads
    go on spinning for a few milliseconds after its call has returned (OpenMP's default wait
    policy), on the CPU the next call, ours, then needs. Measured with scikit-learn's K-Means
    on the 2-CPU machine: glassml's 20,000-point fit right after scikit-learn's took 18.0 ms,
    the same fit one call later 14.6 ms; a 2 ms rest was not enough, 5 ms was. Not a default:
    after a rest, threads that slept must wake, and calls built on multi-threaded BLAS (Lasso)
    then swung between 4 and 30 ms.
    """
    for _ in range(warmup):
        ours()
        reference()
    t_ours, t_ref = [], []
    for _ in range(repeats):
        t_ours.append(time_once(ours, rest))
        t_ref.append(time_once(reference, rest))
    return Row(case, statistics.median(t_ours), statistics.median(t_ref), target, note)


def _fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:8.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:8.2f} ms"
    return f"{s * 1e6:8.1f} us"


def format_table(rows: list[Row]) -> str:
    """The table printed by ``make bench``: case, glassml, reference, ratio, target."""
    width = max([len("case")] + [len(r.case) for r in rows])
    head = f"{'case':<{width}}  {'glassml':>11}  {'reference':>11}  {'ratio':>6}  {'target':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:6.2f}"
        target = "-" if r.target is None else f"<= {r.target:g}"
        line = (
            f"{r.case:<{width}}  {_fmt_seconds(r.glassml_s):>11}  {_fmt_seconds(r.reference_s):>11}"
            f"  {ratio:>6}  {target:>7}  {r.verdict}"
        )
        if r.note:
            line += f"  {r.note}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def torch_epoch(
    model: Any, opt: Any, X: np.ndarray, y: np.ndarray, batch: int
) -> Callable[[], float]:
    """One shuffled mini-batch epoch of ``model`` with cross-entropy on its logits (the torch
    side of every network benchmark); returns the mean loss."""
    import torch
    import torch.nn.functional as F

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    n = len(Xt)

    def epoch() -> float:
        order = torch.randperm(n)
        Xs, ys = Xt[order], yt[order]
        total = 0.0
        for start in range(0, n, batch):
            xb, yb = Xs[start : start + batch], ys[start : start + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)  # softmax + cross-entropy on the logits
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        return total / n

    return epoch


def float32_parameters(
    sizes: list[tuple[int, ...]],
) -> tuple[list[np.ndarray], list[np.ndarray], list]:
    """Random float32 parameters and gradients of ``sizes``, and torch tensors holding copies
    of both (``tensor.grad`` set): the same starting state for an optimizer benchmark."""
    import torch

    rng = np.random.default_rng(0)
    params = [rng.standard_normal(shape).astype(np.float32) for shape in sizes]
    grads = [rng.standard_normal(shape).astype(np.float32) for shape in sizes]
    tensors = [torch.tensor(p, requires_grad=True) for p in params]
    for tensor, g in zip(tensors, grads, strict=True):
        tensor.grad = torch.from_numpy(g.copy())
    return params, grads, tensors
