"""Timing glassml against a reference in the same process.

A benchmark module ``bench_<topic>.py`` in this folder defines ``cases(quick: bool)``, a generator
of :class:`Row`. Most rows come from :func:`compare`: warm-up first, then the median of repeats of
each side, interleaved so both see the same machine state. Targets are ratios glassml/reference
(lower is better); they are reported, never asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


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


def time_once(fn: Callable[[], object]) -> float:
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
) -> Row:
    """Time ``ours`` and ``reference`` (warm-up, then interleaved repeats) and return a row."""
    for _ in range(warmup):
        ours()
        reference()
    t_ours, t_ref = [], []
    for _ in range(repeats):
        t_ours.append(time_once(ours))
        t_ref.append(time_once(reference))
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
